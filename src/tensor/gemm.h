/*
 * gemm.h - quantized matrix x vector / matrix x matrix over the thread pool.
 *
 * W is `rows` rows of `cols` elements of ggml type `wtype`, each row
 * mn_qrow_size(wtype, cols) bytes, rows contiguous. Activations are already
 * quantized to mn_qtraits_get(wtype)->vec_dot_type (one row of `cols`
 * elements per batch item, rows contiguous).
 *
 * Determinism: dst element (b, r) is exactly vec_dot(W row r, X row b, cols)
 * of the type's traits (the vec128 path, which equals the _ref bit for bit),
 * whatever the thread count, batch size or tiling: rows are split statically
 * among workers and every element follows vec_dot's arithmetic exactly,
 * whether it comes from vec_dot, the multi-row GEMV kernel (gemv_rows) or the
 * GEMM micro-kernel (gemm_tile) of the type. MN_TYPE_Q4_0_R4 (quant.h) has
 * Q4_0's results and bytes in another order: W is the rearranged matrix, and
 * row r's result is Q4_0's vec_dot of the original row r.
 */
#ifndef MN_TENSOR_GEMM_H
#define MN_TENSOR_GEMM_H
#include "minnow.h"
#include <stddef.h>
#include <stdint.h>

/* dst[r] = dot(W[r], x_q), r < rows. @return MN_OK, MN_E_INVALID_ARG
 * (NULL, zero size, cols not a multiple of the block size, size overflow) or
 * MN_E_UNSUPPORTED (no vec_dot for wtype). */
mn_status mn_gemv_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                    const void *x_q);

/* dst[b * rows + r] = dot(W[r], X_q[b]) for b < batch: weights are read in
 * tiles of rows that stay in cache while every batch row passes over them.
 * Same errors as mn_gemv_q. */
mn_status mn_gemm_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                    const void *X_q, size_t batch);
/* dst[b * rows + r] = dot(W[r], quantize(X[b])) with f32 activations X
 * (batch rows of cols floats): each activation row is quantized once to the
 * weight type's vec_dot_type with its reference quantizer (in parallel over
 * the pool), then this is mn_gemm_q, so the result is bit for bit what
 * quantizing each row yourself and calling mn_gemm_q / mn_gemv_q gives.
 * F32/F16/BF16 weights take the floats as they are. Allocates
 * batch * mn_qrow_size(vec_dot_type, cols) bytes for the quantized rows.
 * @return as mn_gemm_q; MN_E_NOMEM. */
mn_status mn_gemm_f32x(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                       const float *X, size_t batch);
#endif
