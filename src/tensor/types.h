/*
 * types.h - the ggml tensor type table (internal), indexed by ggml's numeric
 * type id as stored in GGUF files.
 *
 * Contract: ids are ggml's (F32=0 .. TQ2_0=35, MXFP4=39, NVFP4=40); ids ggml
 * removed (4, 5, 31..33, 36..38) and ids past the table have no entry
 * (mn_type_info() returns NULL). An entry with supported == 0 has known sizes
 * (so a file using it can be validated and listed) but minnow cannot compute
 * with it yet. A tensor row [ne0] of type t takes ne0 / block_size * type_size
 * bytes; ne0 must be a multiple of block_size.
 * Sizes follow ggml's block structs in ggml-common.h (QK_K = 256).
 *
 * This is THE per-type table (ggml style, filled once in types.c): sizes,
 * whether a file may use the type, and the kernels of the types minnow
 * computes with (NULL otherwise). tensor/quant.h is the kernel-facing view of
 * the same entries (mn_qtraits = mn_type_traits, mn_qtraits_get() = the entry
 * if it has kernels).
 *
 * Kernels (n = elements, a multiple of block_size; pointers need no alignment):
 *   dequantize_row(src, dst, n)   n floats; the _ref twin is plain scalar C and
 *                                 the vec128 path gives the same bits.
 *   vec_dot(w, x, n)              dot of a weight row (this type) with an
 *                                 activation row of type vec_dot_type; the _ref
 *                                 twin DEFINES the result bit for bit (float
 *                                 evaluation order: docs/kernels.md). Exact
 *                                 over all byte values (int8 -128 included).
 *   quantize_row(src, dst, n)     ggml's reference quantizer (byte-identical to
 *                                 ggml's quantize_row_*_ref on finite input;
 *                                 total: NaN -> 0 quants, +-inf saturate).
 *   quantize_row_ref              where set, the scalar twin of a vectorised
 *                                 quantize_row (the activation types): same bytes
 *                                 for every input, NaN and inf included.
 * vec_dot is NULL for Q8_K (activation-only, as in ggml).
 */
#ifndef MN_TENSOR_TYPES_H
#define MN_TENSOR_TYPES_H
#include <stddef.h>
#include <stdint.h>

enum {
    MN_TYPE_F32 = 0, MN_TYPE_F16 = 1, MN_TYPE_Q4_0 = 2, MN_TYPE_Q4_1 = 3,
    MN_TYPE_Q5_0 = 6, MN_TYPE_Q5_1 = 7, MN_TYPE_Q8_0 = 8, MN_TYPE_Q8_1 = 9,
    MN_TYPE_Q2_K = 10, MN_TYPE_Q3_K = 11, MN_TYPE_Q4_K = 12, MN_TYPE_Q5_K = 13,
    MN_TYPE_Q6_K = 14, MN_TYPE_Q8_K = 15,
    MN_TYPE_IQ2_XXS = 16, MN_TYPE_IQ2_XS = 17, MN_TYPE_IQ3_XXS = 18, MN_TYPE_IQ1_S = 19,
    MN_TYPE_IQ4_NL = 20, MN_TYPE_IQ3_S = 21, MN_TYPE_IQ2_S = 22, MN_TYPE_IQ4_XS = 23,
    MN_TYPE_I8 = 24, MN_TYPE_I16 = 25, MN_TYPE_I32 = 26, MN_TYPE_I64 = 27, MN_TYPE_F64 = 28,
    MN_TYPE_IQ1_M = 29, MN_TYPE_BF16 = 30, MN_TYPE_TQ1_0 = 34, MN_TYPE_TQ2_0 = 35,
    MN_TYPE_MXFP4 = 39, MN_TYPE_NVFP4 = 40,
    MN_TYPE_COUNT = 41, /* table size: ids >= this are unknown */
    /* internal layouts, never in a file (mn_type_info() returns NULL; only
     * mn_qtraits_get() knows them): Q4_0 rearranged at load for the int16
     * kernels (quant_legacy.c, "Q4_0_R4"; mn_q4_0_r4_repack in quant.h) */
    MN_TYPE_Q4_0_R4 = 0x100
};

typedef void (*mn_dequantize_fn)(const void *src, float *dst, size_t n);
typedef float (*mn_vec_dot_fn)(const void *w, const void *x, size_t n);
typedef void (*mn_quantize_fn)(const float *src, void *dst, size_t n);

/* Facts about one activation row (type Q8_0 or Q8_1) that every weight row of
 * a GEMV shares, computed once by mn_qx_prepare() (tensor/quant.h). The
 * "* 2^112" copies are exact (finite f16 * 2^112 < 2^128) and let a kernel
 * multiply by a weight scale left at 2^-112 of its value (f16 bits moved into
 * f32 position without rebiasing): the product is the same real number, so
 * it rounds the same. The per-block arrays have n/32 entries rounded up to a
 * multiple of 4, the extra ones 0 (kernels read whole groups of 4 blocks);
 * every array starts 16-byte aligned. */
typedef struct mn_qx_prep {
    const float *d, *d112;  /* [n/32] each block's scale (exact from f16), and * 2^112 */
    const float *s, *s112;  /* [n/32] Q8_1: each block's s field, and * 2^112; else NULL */
    const int32_t *off;     /* [n/32] the weight type's offset term: 8 * sum(x) for Q4_0,
                               16 * sum(x) for Q5_0, else 0; where MN_Q_X16, Q4_0 / Q4_1
                               have the x16 layout's (quant_legacy.c, wdec) */
    const int16_t *x16;     /* [n] the int8 activations as int16, 32 per block, in the order
                               and scaling the kernels unpack weights in (where MN_Q_X16;
                               else NULL) */
    const int8_t *x8;       /* [n] the int8 activations, 32 per block, contiguous (where not
                               MN_Q_X16; else NULL) */
    int has_m128;           /* some activation byte is -128 (the fast int8 path needs none) */
} mn_qx_prep;

/* dst[r] = vec_dot(W + r*wrow, x, n) for r < nrows, bit for bit, using the
 * prepared activation facts (several rows per step share the activation loads). */
typedef void (*mn_gemv_rows_fn)(const void *W, size_t wrow, size_t nrows, const void *x,
                                const mn_qx_prep *p, size_t n, float *dst);
/* dst[t * dstride + r] = vec_dot(W + r*wrow, X + t*xrow, n) for r < nrows,
 * t < ntok, bit for bit: a GEMM micro-kernel that decodes each weight block
 * once for up to 4 tokens (p: ntok prepared activation rows). */
typedef void (*mn_gemm_tile_fn)(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow,
                                const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);

typedef struct mn_type_traits {
    uint32_t type;       /* the ggml id (= the index) */
    const char *name;    /* "F32", "Q4_K", ...; NULL for an id with no entry */
    uint32_t block_size; /* elements per block (1 for plain types); 0 = no entry */
    uint32_t type_size;  /* bytes per block */
    int supported;       /* 1: a file may use it without MN_GGUF_ALLOW_UNSUPPORTED; 0: sizes known, kernels missing */
    /* kernels, NULL where minnow has none (the integer types, IQ*, MXFP4, NVFP4) */
    mn_dequantize_fn dequantize_row;      /* vec128 path */
    mn_dequantize_fn dequantize_row_ref;  /* scalar definition */
    uint32_t vec_dot_type;                /* type the activations must be quantized to */
    mn_vec_dot_fn vec_dot;                /* vec128 path (NULL: not a weight type) */
    mn_vec_dot_fn vec_dot_ref;            /* scalar definition */
    mn_quantize_fn quantize_row;          /* f32 -> this type (reference algorithm) */
    mn_quantize_fn quantize_row_ref;      /* its scalar twin where quantize_row has a vector
                                             path (same bytes); NULL: quantize_row is scalar */
    mn_gemv_rows_fn gemv_rows;            /* optional multi-row GEMV (NULL: vec_dot per row) */
    mn_gemm_tile_fn gemm_tile;            /* optional GEMM micro-kernel (with gemv_rows) */
} mn_type_traits;

extern const mn_type_traits mn_type_table[MN_TYPE_COUNT];

/* @return the entry of a ggml type id, or NULL if the id is unknown or removed. */
const mn_type_traits *mn_type_info(uint32_t type);

/*
 * Byte size of a tensor of `type` with dims ne[0..3] (each >= 0; unused = 1).
 * @return 0 and *bytes set; 1 if the type is unknown; 2 if ne[0] is not a
 *         multiple of the block size; 3 if the element count exceeds INT64_MAX
 *         or the byte count overflows uint64 (ggml's limits).
 */
int mn_type_nbytes(uint32_t type, const int64_t ne[4], uint64_t *bytes);
#endif
