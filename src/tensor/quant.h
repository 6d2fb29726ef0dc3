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
#include "minnow.h"

typedef mn_type_traits mn_qtraits;

/* @return the table entry of a ggml type id if minnow has kernels for it
 * (dequantize_row != NULL), the entry of an internal layout
 * (MN_TYPE_Q4_0_R4: gemv_rows only), else NULL. */
const mn_qtraits *mn_qtraits_get(uint32_t type);

/* Bytes of a row of n elements of `type` (0 if unsupported or n is not a
 * multiple of the block size). */
size_t mn_qrow_size(uint32_t type, size_t n);

/* Scratch bytes mn_qx_prepare() needs for n elements (a multiple of 32) and
 * weight type wtype. */
size_t mn_qx_prep_size(uint32_t wtype, size_t n);
/* Fill *p for the activation row x (n elements of wtype's vec_dot_type,
 * Q8_0 or Q8_1) as wtype's gemv_rows needs it, using `scratch`
 * (mn_qx_prep_size(n) bytes, 4-byte aligned). */
void mn_qx_prepare(uint32_t wtype, const void *x, size_t n, mn_qx_prep *p, void *scratch);

/* K-quants (Q2_K..Q6_K) on the int16 targets (MN_Q_X16: wasm, NEON, plain C; their
 * gemv_rows): the Q8_K activation row widened once per GEMV.
 * mn_qk_prep_size: scratch bytes for n elements (a multiple of 256);
 * mn_qk_prepare fills p->x16 (the rest of *p zero). The gemv_rows are
 * compiled everywhere (tests run them on x86 too) but only in the type table
 * where MN_Q_X16. */
size_t mn_qk_prep_size(size_t n);
void mn_qk_prepare(const void *x, size_t n, mn_qx_prep *p, void *scratch);
void mn_gemv_rows_q2_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q3_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q4_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q5_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q6_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);

/* Q4_0_R4 (MN_TYPE_Q4_0_R4, internal): a Q4_0 matrix of `rows` rows of n
 * elements rearranged in place for the int16 GEMV (layout: quant_legacy.c),
 * same size, same results bit for bit (its gemv_rows must be given whole
 * bands: row ranges starting at a multiple of 4, as mn_pool_for's grain 4
 * and the GEMM tiles do). No vec_dot / dequantize_row: rows are not
 * contiguous; mn_q4_0_r4_dequantize_row() reads one.
 * mn_q4_0_r4_preferred(): 1 where the int16 kernels run (wasm, NEON, plain
 * C), where Q4_0_R4 is faster than Q4_0; 0 on x86 (VNNI / pmaddubsw).
 * repack: @return MN_OK; MN_E_UNSUPPORTED (W unchanged) if some block scale
 * is inf/NaN (the R4 kernels assume none); MN_E_INVALID_ARG (n not a
 * multiple of 32, 0 rows); MN_E_NOMEM (4 rows of scratch).
 * unpack: the inverse (the original bytes). read: bytes [from, from + size)
 * of the original matrix into dst (the range inside the matrix's bytes). */
int mn_q4_0_r4_preferred(void);
mn_status mn_q4_0_r4_repack(void *W, size_t rows, size_t n);
mn_status mn_q4_0_r4_unpack(void *W, size_t rows, size_t n);
void mn_q4_0_r4_read(const void *W, size_t rows, size_t n, size_t from, void *dst, size_t size);
void mn_q4_0_r4_dequantize_row(const void *W, size_t rows, size_t n, size_t r, float *dst);

/* The legacy types' GEMV / GEMM kernels on x86-64 native builds use
 * AVX512-VNNI (128-bit vpdpbusd) when the CPU has it, the SSE4.1 kernels
 * otherwise; the results are bit-identical. mode 0: use SSE4.1 from now on
 * (tests compare both), 1: VNNI where available (with GFNI for the Q4 GEMV
 * where the CPU has it), 2: VNNI without GFNI (tests), < 0: no change.
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
