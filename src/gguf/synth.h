/*
 * synth.h - seeded synthetic GGUF models: real architectures' shapes, tensor
 * names and metadata exactly as llama.cpp expects them, a real vocabulary,
 * random weights. For tests and benchmarks (`minnow synth`).
 *
 * Contract:
 *  - Deterministic: the same options give the same bytes on every target and
 *    any thread count. Weights come from minnow's own PRNG (SplitMix64) with
 *    one stream per (seed, tensor name, row) and an integer Irwin-Hall bell
 *    shape (sum of four 16-bit uniforms), scaled with one f32 multiply: no
 *    libm, no platform-dependent rounding; quantization uses the reference
 *    quantizers of src/tensor.
 *  - Sane activations: matrices ~ N(0, 0.02), attn_output 0.02 / sqrt(2 *
 *    layers) (GPT-2's init), ffn_down 0.02 * sqrt(32 / layers) (>= 0.02, so the
 *    token-wise MLP outweighs the near-uniform attention average and a tied
 *    embedding), norm weights 1 +- 0.05, biases ~ N(0, 0.02): logits stay
 *    finite and greedy text varies instead of repeating one token.
 *  - Tensor types: the file type's default type for every weight llama.cpp
 *    would quantize, llama.cpp's mix rules unless `pure`, and its fallback for
 *    rows the block size does not divide (gguf/qplan.h); norms, biases and
 *    position embeddings stay F32.
 *  - Memory: tensors are generated while the file is written, one at a time,
 *    so a 1.1B model needs only its largest tensor in memory.
 * Architectures: llama, qwen2 (q/k/v biases), gpt2 (fused attn_qkv, learned
 * positions, LayerNorm with biases), bert (post-norm encoder, token types).
 */
#ifndef MN_GGUF_SYNTH_H
#define MN_GGUF_SYNTH_H
#include "minnow.h"
#include "core/error.h"
#include "minnow_gguf.h"
#include <stdint.h>

typedef struct mn_synth_shape {
    char arch[16];          /* "llama", "qwen2", "gpt2", "bert" */
    uint32_t n_layer, n_embd, n_ff, n_head, n_head_kv, n_ctx;
    int tied;               /* 1: no output.weight (token_embd is the output) */
    float rope_base;        /* llama/qwen2 */
    float eps;              /* RMS norm eps (llama/qwen2) or LayerNorm eps (gpt2/bert) */
} mn_synth_shape;

/* Fill *out with a preset ("smollm-135m", "tinyllama-1.1b", "qwen2-0.5b",
 * "gpt2-small", "minilm-l6", "tiny"). arch: required for "tiny" (its
 * defaults depend on it), else NULL or the preset's own arch.
 * @return 0; -1 unknown shape; -2 arch does not fit the preset. */
int mn_synth_preset(const char *shape, const char *arch, mn_synth_shape *out);
/* @return "smollm-135m, tinyllama-1.1b, ..." for usage text. */
const char *mn_synth_preset_names(void);
/* Apply llama.cpp's per-arch defaults for rope_base / eps / tied / n_head_kv
 * after changing arch. */
void mn_synth_arch_defaults(mn_synth_shape *s);

typedef struct mn_synth_opts {
    mn_synth_shape shape;
    const char *vocab_path;  /* tokenizer file (see gguf/vocab_import.h) */
    const char *pre;         /* tokenizer.ggml.pre override, or NULL */
    uint32_t ftype;          /* llama.cpp file type (gguf/qplan.h), e.g. MN_FTYPE_Q8_0 */
    int pure;                /* 1: no mix rules */
    uint64_t seed;
    const char *name;        /* general.name, or NULL for "synthetic <arch>" */
    mn_pool *pool;           /* generation + quantization threads (NULL: caller only) */
} mn_synth_opts;

typedef struct mn_synth_report {
    uint64_t file_size, n_params;
    size_t n_tensors, n_vocab, n_fallback;
    size_t type_count[64];   /* tensors per ggml type id (ids < 64) */
} mn_synth_report;

/* A synthetic model ready to be serialized: its writer holds the metadata and
 * tensors whose bytes are generated when written (mn_gguf_writer_write() into
 * memory or mn_gguf_writer_write_file()). Generation runs on opts->pool, which
 * must outlive the handle. */
typedef struct mn_synth mn_synth;
/** @return as mn_synth_write() minus MN_E_IO. */
mn_status mn_synth_create(mn_synth **out, const mn_synth_opts *o, mn_err *err);
mn_gguf_writer *mn_synth_writer(mn_synth *y);
const mn_synth_report *mn_synth_get_report(const mn_synth *y);
void mn_synth_free(mn_synth *y);

/**
 * Write the model to path (create + write_file + free).
 * @return MN_OK and *rep (may be NULL); MN_E_INVALID_ARG (a shape that does
 *         not hold together: dims 0, n_embd % n_head, n_head % n_head_kv,
 *         odd head size for rope, > 512 layers); vocabulary errors (see
 *         mn_vocab_import); MN_E_IO; MN_E_NOMEM. Message in err.
 */
mn_status mn_synth_write(const mn_synth_opts *o, const char *path, mn_synth_report *rep, mn_err *err);
#endif
