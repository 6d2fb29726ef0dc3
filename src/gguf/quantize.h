/*
 * quantize.h - convert a GGUF model to a llama.cpp file type, as
 * llama.cpp's llama_model_quantize does without an importance matrix.
 *
 * Contract:
 *  - Metadata: every key is copied verbatim in file order, except that
 *    general.file_type and general.quantization_version (2) are set in place
 *    (appended when absent) and split.* keys are dropped; the alignment is kept.
 *  - Tensors keep their order, names and shapes; their types follow
 *    gguf/qplan.h (llama.cpp's rules, decided in sorted name order); a tensor
 *    whose type does not change is copied byte for byte.
 *  - Conversion: rows are dequantized to f32 if needed (F16, BF16, or any
 *    quantized type when allow_requantize) and quantized with the reference
 *    quantizers (round-to-nearest for the legacy types, the K-quant scale
 *    searches) - the same bytes as ggml's quantize_row_*_ref.
 *  - Streaming: the input is mmap'ed where possible and one output tensor is
 *    in memory at a time; rows are split over the pool, and the bytes do not
 *    depend on the thread count.
 * Traps: requantizing a quantized tensor loses precision twice, so it is
 * refused (MN_E_UNSUPPORTED) unless allow_requantize; a tensor llama.cpp
 * would convert but whose type has no dequantizer here (IQ*) is refused too.
 */
#ifndef MN_GGUF_QUANTIZE_H
#define MN_GGUF_QUANTIZE_H
#include "minnow.h"
#include "core/error.h"
#include <stdint.h>

typedef struct mn_quantize_opts {
    uint32_t ftype;          /* llama.cpp file type (gguf/qplan.h) */
    int pure;                /* 1: no mix rules */
    int allow_requantize;    /* 1: quantized inputs may be converted again */
    int inplace;             /* 1: out may be in itself (same inode): it is replaced */
    mn_pool *pool;           /* NULL: the calling thread only */
} mn_quantize_opts;

typedef struct mn_quantize_report {
    uint64_t in_bytes, out_bytes; /* tensor data, unpadded */
    size_t n_tensors, n_converted, n_fallback;
    size_t type_count[64];        /* output tensors per ggml type id */
    int replaced_input;           /* 1: out was the input file (o->inplace) */
} mn_quantize_report;

/**
 * Convert the GGUF file `in` to `out`. The output is written to
 * "<out>.minnow-tmp" and renamed over `out`, so a failure never leaves a
 * half-written file. `out` naming the input itself (same path, a hard link
 * or a symlink: same device and inode) is refused unless o->inplace; an
 * existing `out` without any write permission bit is refused always (rename
 * would replace it regardless of its mode, even for root; WASI has no modes).
 * @return MN_OK and *rep (may be NULL); MN_E_INVALID_ARG (unsupported ftype,
 *         out is the input, out is read-only);
 *         GGUF open errors; MN_E_UNSUPPORTED (see the traps); MN_E_IO;
 *         MN_E_NOMEM. The message is in err.
 */
mn_status mn_quantize_file(const char *in, const char *out, const mn_quantize_opts *o, mn_quantize_report *rep, mn_err *err);
#endif
