/* f32 matrix-vector product: the first parallel kernel.
 *
 * Reference order of dot(w, x) over n elements (every path follows it):
 *   16 lane accumulators; lane l sums w[i]*x[i] for i = l, l+16, l+32, ... in
 *   increasing i (multiply, then add: no FMA). Lanes are four vec128 registers
 *   a0 (lanes 0-3), a1 (4-7), a2 (8-11), a3 (12-15); they combine as
 *   (a0+a1)+(a2+a3) lane-wise, then the vec128 horizontal sum
 *   (l0+l2)+(l1+l3). A tail shorter than 16 feeds only its own lanes.
 */
#include "minnow.h"
#include "core/pool.h"
#include "simd/vec128.h"
#include "tensor/dot.h"

float mn_dot_f32_ref(const float *w, const float *x, size_t n)
{
    float lane[16] = {0};
    for (size_t i = 0; i < n; i++) lane[i % 16] = lane[i % 16] + w[i] * x[i];
    float v[4];
    for (int j = 0; j < 4; j++) v[j] = (lane[j] + lane[4 + j]) + (lane[8 + j] + lane[12 + j]);
    return (v[0] + v[2]) + (v[1] + v[3]);
}

MN_KERNEL float mn_dot_f32(const float *w, const float *x, size_t n)
{
    mn_vf a0 = mn_vf_zero(), a1 = mn_vf_zero(), a2 = mn_vf_zero(), a3 = mn_vf_zero();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = mn_vf_add(a0, mn_vf_mul(mn_vf_load(w + i), mn_vf_load(x + i)));
        a1 = mn_vf_add(a1, mn_vf_mul(mn_vf_load(w + i + 4), mn_vf_load(x + i + 4)));
        a2 = mn_vf_add(a2, mn_vf_mul(mn_vf_load(w + i + 8), mn_vf_load(x + i + 8)));
        a3 = mn_vf_add(a3, mn_vf_mul(mn_vf_load(w + i + 12), mn_vf_load(x + i + 12)));
    }
    if (i < n) {
        /* tail: zero-filled lanes add +0, the identity here (an accumulator
         * that starts at +0 never becomes -0 under round-to-nearest) */
        float tw[16] = {0}, tx[16] = {0};
        for (size_t k = 0; i + k < n; k++) { tw[k] = w[i + k]; tx[k] = x[i + k]; }
        a0 = mn_vf_add(a0, mn_vf_mul(mn_vf_load(tw), mn_vf_load(tx)));
        a1 = mn_vf_add(a1, mn_vf_mul(mn_vf_load(tw + 4), mn_vf_load(tx + 4)));
        a2 = mn_vf_add(a2, mn_vf_mul(mn_vf_load(tw + 8), mn_vf_load(tx + 8)));
        a3 = mn_vf_add(a3, mn_vf_mul(mn_vf_load(tw + 12), mn_vf_load(tx + 12)));
    }
    return mn_vf_hsum(mn_vf_add(mn_vf_add(a0, a1), mn_vf_add(a2, a3)));
}

typedef struct { float *dst; const float *W; const float *x; size_t cols; } matvec_job;

static void matvec_rows(void *arg, size_t begin, size_t end, int worker)
{
    const matvec_job *j = arg;
    (void)worker;
    for (size_t r = begin; r < end; r++) j->dst[r] = mn_dot_f32(j->W + r * j->cols, j->x, j->cols);
}

mn_status mn_matvec_f32(mn_pool *pool, float *dst, size_t rows, const float *W, size_t cols, const float *x)
{
    if (!dst || !W || !x || rows == 0 || cols == 0 || rows > SIZE_MAX / cols) return MN_E_INVALID_ARG;
    matvec_job j = {dst, W, x, cols};
    mn_pool_for(pool, rows, 4, matvec_rows, &j);
    return MN_OK;
}
