/*
 * quant.h - the kernel-facing view of the per-type table (tensor/types.h):
 * quantized tensor kernels byte-compatible with ggml's block types.
 *
 * Supported: F32 F16 BF16  Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1  Q2_K Q3_K Q4_K Q5_K
 * Q6_K Q8_K  TQ1_0 TQ2_0. A row of n elements (n a multiple of block_size) is
 * n / block_size blocks of type_size bytes, laid out exactly as ggml's
 * block_* structs (little-endian, no padding; f16 fields are IEEE binary16,
 * Q8_K's d is f32). The kernel contracts are in types.h; the evaluation order
 * that makes every target agree is in docs/kernels.md.
 *
 * mn_qtraits is the same struct as mn_type_traits (one table, filled once in
 * types.c); the MN_Q_* ids are the MN_TYPE_* ids under their older names.
 */
#ifndef MN_TENSOR_QUANT_H
#define MN_TENSOR_QUANT_H
#include <stddef.h>
#include <stdint.h>

#include "tensor/types.h"

typedef mn_type_traits mn_qtraits;

/* @return the table entry of a ggml type id if minnow has kernels for it
 * (dequantize_row != NULL), else NULL. */
const mn_qtraits *mn_qtraits_get(uint32_t type);

/* Bytes of a row of n elements of `type` (0 if unsupported or n is not a
 * multiple of the block size). */
size_t mn_qrow_size(uint32_t type, size_t n);

/* Scratch bytes mn_qx_prepare() needs for n elements (a multiple of 32). */
size_t mn_qx_prep_size(size_t n);
/* Fill *p for the activation row x (n elements of wtype's vec_dot_type,
 * Q8_0 or Q8_1) as wtype's gemv_rows needs it, using `scratch`
 * (mn_qx_prep_size(n) bytes, 4-byte aligned). */
void mn_qx_prepare(uint32_t wtype, const void *x, size_t n, mn_qx_prep *p, void *scratch);

/* The legacy types' GEMV / GEMM kernels on x86-64 native builds use
 * AVX512-VNNI (128-bit vpdpbusd) when the CPU has it, the SSE4.1 kernels
 * otherwise; the results are bit-identical. mode 0: use SSE4.1 from now on
 * (tests compare both), 1: VNNI where available, < 0: no change.
 * @return 1 if the VNNI kernels are now in use, else 0 (always 0 elsewhere).
 * Not thread-safe against running kernels: set it before. */
int mn_q_vnni(int mode);

/* the type ids under their older names (= MN_TYPE_*) */
enum {
    MN_Q_F32 = MN_TYPE_F32, MN_Q_F16 = MN_TYPE_F16, MN_Q_Q4_0 = MN_TYPE_Q4_0, MN_Q_Q4_1 = MN_TYPE_Q4_1,
    MN_Q_Q5_0 = MN_TYPE_Q5_0, MN_Q_Q5_1 = MN_TYPE_Q5_1, MN_Q_Q8_0 = MN_TYPE_Q8_0, MN_Q_Q8_1 = MN_TYPE_Q8_1,
    MN_Q_Q2_K = MN_TYPE_Q2_K, MN_Q_Q3_K = MN_TYPE_Q3_K, MN_Q_Q4_K = MN_TYPE_Q4_K, MN_Q_Q5_K = MN_TYPE_Q5_K,
    MN_Q_Q6_K = MN_TYPE_Q6_K, MN_Q_Q8_K = MN_TYPE_Q8_K, MN_Q_BF16 = MN_TYPE_BF16, MN_Q_TQ1_0 = MN_TYPE_TQ1_0,
    MN_Q_TQ2_0 = MN_TYPE_TQ2_0, MN_Q_TYPE_LIMIT = MN_TYPE_COUNT
};
#endif
