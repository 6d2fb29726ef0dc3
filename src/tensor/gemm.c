/* gemm.c - quantized GEMV / GEMM on the static-partition pool (see gemm.h). */
#include "tensor/gemm.h"
#include "tensor/quant.h"
#include "core/pool.h"

typedef struct {
    float *dst;
    const uint8_t *W, *X;
    size_t rows, cols, wrow, xrow, batch, tile;
    mn_vec_dot_fn dot;
} gemm_job;

static void gemv_rows(void *arg, size_t begin, size_t end, int worker)
{
    const gemm_job *j = arg;
    (void)worker;
    for (size_t r = begin; r < end; r++) j->dst[r] = j->dot(j->W + r * j->wrow, j->X, j->cols);
}

static void gemm_rows(void *arg, size_t begin, size_t end, int worker)
{
    const gemm_job *j = arg;
    (void)worker;
    for (size_t r0 = begin; r0 < end; r0 += j->tile) {
        size_t r1 = r0 + j->tile < end ? r0 + j->tile : end;
        for (size_t b = 0; b < j->batch; b++) {
            const uint8_t *x = j->X + b * j->xrow;
            float *d = j->dst + b * j->rows;
            for (size_t r = r0; r < r1; r++) d[r] = j->dot(j->W + r * j->wrow, x, j->cols);
        }
    }
}

static mn_status setup(gemm_job *j, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                       const void *X, size_t batch)
{
    if (!dst || !W || !X || rows == 0 || cols == 0 || batch == 0) return MN_E_INVALID_ARG;
    const mn_qtraits *t = mn_qtraits_get(wtype);
    if (!t) return MN_E_UNSUPPORTED;
    if (!t->vec_dot) return MN_E_UNSUPPORTED;
    size_t wrow = mn_qrow_size(wtype, cols), xrow = mn_qrow_size(t->vec_dot_type, cols);
    if (wrow == 0 || xrow == 0) return MN_E_INVALID_ARG;
    if (rows > SIZE_MAX / wrow || batch > SIZE_MAX / xrow || batch > SIZE_MAX / rows) return MN_E_INVALID_ARG;
    j->dst = dst; j->W = W; j->X = X; j->rows = rows; j->cols = cols; j->wrow = wrow; j->xrow = xrow;
    j->batch = batch; j->dot = t->vec_dot;
    /* a weight tile of ~32 KiB (at least 1 row) is reused by the whole batch */
    j->tile = wrow >= 32768 ? 1 : 32768 / wrow;
    return MN_OK;
}

mn_status mn_gemv_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols, const void *x_q)
{
    gemm_job j;
    mn_status st = setup(&j, dst, wtype, W, rows, cols, x_q, 1);
    if (st != MN_OK) return st;
    mn_pool_for(pool, rows, 4, gemv_rows, &j);
    return MN_OK;
}

mn_status mn_gemm_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                    const void *X_q, size_t batch)
{
    gemm_job j;
    mn_status st = setup(&j, dst, wtype, W, rows, cols, X_q, batch);
    if (st != MN_OK) return st;
    if (batch == 1) { mn_pool_for(pool, rows, 4, gemv_rows, &j); return MN_OK; }
    mn_pool_for(pool, rows, 4, gemm_rows, &j);
    return MN_OK;
}
