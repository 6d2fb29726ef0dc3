/*
 * quant.h - quantized tensor kernels, byte-compatible with ggml's block types.
 *
 * One trait entry per supported ggml type id (see types.h for the ids):
 *   F32 F16 BF16  Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1  Q2_K Q3_K Q4_K Q5_K Q6_K Q8_K
 *   TQ1_0 TQ2_0
 * A row of n elements (n a multiple of block_size) is n / block_size blocks of
 * type_size bytes, laid out exactly as ggml's block_* structs (little-endian,
 * no padding; f16 fields are IEEE binary16, Q8_K's d is f32).
 *
 * Kernels (n = number of elements, a multiple of block_size; pointers need no
 * alignment):
 *   dequantize_row(src, dst, n)   - n floats. The _ref twin is plain scalar C;
 *                                   the vec128 path gives the same bits.
 *   vec_dot(w, x, n)              - dot of a weight row (this type) with an
 *                                   activation row of type vec_dot_type. The
 *                                   _ref twin DEFINES the result bit for bit,
 *                                   including the float evaluation order (see
 *                                   the contract at the top of each quant_*.c
 *                                   file and docs/kernels.md). Exact over all
 *                                   byte values (int8 -128 included); integer
 *                                   partial sums wrap mod 2^32.
 *   quantize_row(src, dst, n)     - ggml's reference quantizer: round to
 *                                   nearest for the legacy types, Q8_K and TQ;
 *                                   make_qx_quants / make_qkx2_quants scale
 *                                   search for the K-quants. NaN inputs give
 *                                   0 quants; +-inf saturate (never UB).
 * Entries exist only for supported types; vec_dot is NULL for Q8_K (an
 * activation-only type, as in ggml).
 */
#ifndef MN_TENSOR_QUANT_H
#define MN_TENSOR_QUANT_H
#include <stddef.h>
#include <stdint.h>

typedef void (*mn_dequantize_fn)(const void *src, float *dst, size_t n);
typedef float (*mn_vec_dot_fn)(const void *w, const void *x, size_t n);
typedef void (*mn_quantize_fn)(const float *src, void *dst, size_t n);

typedef struct mn_qtraits {
    uint32_t type;                        /* ggml type id */
    const char *name;                     /* "Q4_K", ... */
    uint32_t block_size;                  /* elements per block */
    uint32_t type_size;                   /* bytes per block */
    mn_dequantize_fn dequantize_row;      /* vec128 path */
    mn_dequantize_fn dequantize_row_ref;  /* scalar definition */
    uint32_t vec_dot_type;                /* type the activations must be quantized to */
    mn_vec_dot_fn vec_dot;                /* vec128 path (NULL: not a weight type) */
    mn_vec_dot_fn vec_dot_ref;            /* scalar definition */
    mn_quantize_fn quantize_row;          /* f32 -> this type (reference algorithm) */
} mn_qtraits;

/* @return the traits of a ggml type id, or NULL if minnow has no kernels for it. */
const mn_qtraits *mn_qtraits_get(uint32_t type);

/* Bytes of a row of n elements of `type` (0 if unsupported or n is not a
 * multiple of the block size). */
size_t mn_qrow_size(uint32_t type, size_t n);

/* ggml type ids used here (the same numbers as types.h) */
enum {
    MN_Q_F32 = 0, MN_Q_F16 = 1, MN_Q_Q4_0 = 2, MN_Q_Q4_1 = 3, MN_Q_Q5_0 = 6, MN_Q_Q5_1 = 7,
    MN_Q_Q8_0 = 8, MN_Q_Q8_1 = 9, MN_Q_Q2_K = 10, MN_Q_Q3_K = 11, MN_Q_Q4_K = 12,
    MN_Q_Q5_K = 13, MN_Q_Q6_K = 14, MN_Q_Q8_K = 15, MN_Q_BF16 = 30, MN_Q_TQ1_0 = 34,
    MN_Q_TQ2_0 = 35, MN_Q_TYPE_LIMIT = 41
};
#endif
