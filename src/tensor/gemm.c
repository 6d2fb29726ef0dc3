/* gemm.c - quantized GEMV / GEMM on the static-partition pool (see gemm.h).
 * Types with a multi-row kernel (traits->gemv_rows: the legacy 32-blocks)
 * get their activation facts prepared once per activation row
 * (mn_qx_prepare) and shared by all rows and threads; every output is still
 * exactly vec_dot(W row, X row), so the bits do not depend on the path. */
#include "tensor/gemm.h"
#include "tensor/quant.h"
#include "core/alloc.h"
#include "core/pool.h"
#include <stdlib.h>

typedef struct {
    float *dst;
    const uint8_t *W, *X;
    size_t rows, cols, wrow, xrow, batch, tile;
    mn_vec_dot_fn dot;
    mn_gemv_rows_fn rows_fn;
    mn_gemm_tile_fn tile_fn;
    const mn_qx_prep *prep; /* [batch] when rows_fn */
} gemm_job;

/* rows [r0, r1) of batch item b */
static void run_rows(const gemm_job *j, size_t b, size_t r0, size_t r1)
{
    const uint8_t *x = j->X + b * j->xrow;
    float *d = j->dst + b * j->rows;
    if (j->rows_fn) { j->rows_fn(j->W + r0 * j->wrow, j->wrow, r1 - r0, x, &j->prep[b], j->cols, d + r0); return; }
    for (size_t r = r0; r < r1; r++) d[r] = j->dot(j->W + r * j->wrow, x, j->cols);
}

static void gemv_rows(void *arg, size_t begin, size_t end, int worker)
{
    (void)worker;
    run_rows(arg, 0, begin, end);
}

static void gemm_rows(void *arg, size_t begin, size_t end, int worker)
{
    const gemm_job *j = arg;
    (void)worker;
    for (size_t r0 = begin; r0 < end; r0 += j->tile) {
        size_t r1 = r0 + j->tile < end ? r0 + j->tile : end;
        if (j->tile_fn) /* every token group passes over the cached weight tile */
            j->tile_fn(j->W + r0 * j->wrow, j->wrow, r1 - r0, j->X, j->xrow, j->prep, j->batch, j->cols, j->dst + r0, j->rows);
        else
            for (size_t b = 0; b < j->batch; b++) run_rows(j, b, r0, r1);
    }
}

static mn_status setup(gemm_job *j, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                       const void *X, size_t batch)
{
    if (!dst || !W || !X || rows == 0 || cols == 0 || batch == 0) return MN_E_INVALID_ARG;
    const mn_qtraits *t = mn_qtraits_get(wtype);
    if (!t) return MN_E_UNSUPPORTED;
    if (!t->vec_dot && !t->gemv_rows) return MN_E_UNSUPPORTED;
    size_t wrow = mn_qrow_size(wtype, cols), xrow = mn_qrow_size(t->vec_dot_type, cols);
    if (wrow == 0 || xrow == 0) return MN_E_INVALID_ARG;
    if (rows > SIZE_MAX / wrow || batch > SIZE_MAX / xrow || batch > SIZE_MAX / rows) return MN_E_INVALID_ARG;
    j->dst = dst; j->W = W; j->X = X; j->rows = rows; j->cols = cols; j->wrow = wrow; j->xrow = xrow;
    j->batch = batch; j->dot = t->vec_dot; j->rows_fn = t->gemv_rows; j->tile_fn = t->gemm_tile; j->prep = NULL;
    /* a weight tile of ~256 KiB (at least 1 row), L2-resident, is reused by
     * the whole batch: each token's activations are then re-read once per
     * 256 KiB of weights */
    j->tile = wrow >= 262144 ? 1 : 262144 / wrow;
    j->tile = (j->tile + 3) / 4 * 4; /* whole bands of 4 rows (Q4_0_R4's gemv_rows needs them) */
    return MN_OK;
}

/* Prepare every activation row; the scratch is on the stack when small. */
#define STACK_PREP 10240 /* bytes: up to 16384 columns for one row */
static mn_status run(mn_pool *pool, gemm_job *j, uint32_t wtype, mn_pool_fn fn)
{
    _Alignas(16) unsigned char stack[STACK_PREP];
    mn_qx_prep one;
    void *heap = NULL;
    mn_qx_prep *preps = &one;
    if (j->rows_fn) {
        size_t per = mn_qx_prep_size(wtype, j->cols), need;
        if (j->batch > (SIZE_MAX - 64) / (per + sizeof(mn_qx_prep))) return MN_E_INVALID_ARG;
        need = j->batch * (per + sizeof(mn_qx_prep));
        unsigned char *mem = stack;
        if (need > sizeof stack && !(mem = heap = mn_malloc(need))) return MN_E_NOMEM;
        preps = (mn_qx_prep *)(void *)mem;
        unsigned char *scratch = mem + j->batch * sizeof(mn_qx_prep);
        for (size_t b = 0; b < j->batch; b++) mn_qx_prepare(wtype, j->X + b * j->xrow, j->cols, &preps[b], scratch + b * per);
        j->prep = preps;
    }
    mn_pool_for(pool, j->rows, 4, fn, j);
    mn_free(heap);
    return MN_OK;
}

mn_status mn_gemv_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols, const void *x_q)
{
    gemm_job j;
    mn_status st = setup(&j, dst, wtype, W, rows, cols, x_q, 1);
    if (st != MN_OK) return st;
    return run(pool, &j, wtype, gemv_rows);
}

mn_status mn_gemm_q(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                    const void *X_q, size_t batch)
{
    gemm_job j;
    mn_status st = setup(&j, dst, wtype, W, rows, cols, X_q, batch);
    if (st != MN_OK) return st;
    return run(pool, &j, wtype, batch == 1 ? gemv_rows : gemm_rows);
}

typedef struct {
    const float *X;
    uint8_t *Xq;
    size_t cols, xrow;
    mn_quantize_fn quantize;
} quant_job;

static void quantize_rows(void *arg, size_t begin, size_t end, int worker)
{
    const quant_job *q = arg;
    (void)worker;
    for (size_t b = begin; b < end; b++) q->quantize(q->X + b * q->cols, q->Xq + b * q->xrow, q->cols);
}

mn_status mn_gemm_f32x(mn_pool *pool, float *dst, uint32_t wtype, const void *W, size_t rows, size_t cols,
                       const float *X, size_t batch)
{
    if (!X || batch == 0 || cols == 0) return MN_E_INVALID_ARG;
    const mn_qtraits *t = mn_qtraits_get(wtype);
    if (!t || (!t->vec_dot && !t->gemv_rows)) return MN_E_UNSUPPORTED;
    if (t->vec_dot_type == MN_TYPE_F32) return mn_gemm_q(pool, dst, wtype, W, rows, cols, X, batch);
    const mn_qtraits *xt = mn_qtraits_get(t->vec_dot_type);
    size_t xrow = mn_qrow_size(t->vec_dot_type, cols), bytes;
    if (!xt || !xrow) return MN_E_INVALID_ARG;
    if (batch > SIZE_MAX / xrow) return MN_E_INVALID_ARG;
    bytes = batch * xrow;
    uint8_t *Xq = mn_malloc(bytes);
    if (!Xq) return MN_E_NOMEM;
    quant_job q = {X, Xq, cols, xrow, xt->quantize_row};
    mn_pool_for(pool, batch, 1, quantize_rows, &q);
    mn_status st = mn_gemm_q(pool, dst, wtype, W, rows, cols, Xq, batch);
    mn_free(Xq);
    return st;
}
