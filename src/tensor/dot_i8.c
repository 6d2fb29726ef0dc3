/* int8 dot product: the integer building block of the quantized kernels.
 * Exact over the whole int8 range (-128 * -128 included); integer sums wrap
 * mod 2^32, so any summation order gives the same bits. */
#include "simd/vec128.h"
#include "tensor/dot.h"

int32_t mn_dot_i8_ref(const int8_t *a, const int8_t *b, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++) s += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
    return (int32_t)s;
}

MN_KERNEL int32_t mn_dot_i8(const int8_t *a, const int8_t *b, size_t n)
{
    mn_vi acc0 = mn_vi_zero(), acc1 = mn_vi_zero();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = mn_vi_dot_i8_acc(acc0, mn_vi_load(a + i), mn_vi_load(b + i));
        acc1 = mn_vi_dot_i8_acc(acc1, mn_vi_load(a + i + 16), mn_vi_load(b + i + 16));
    }
    for (; i < n; i += 16) {
        size_t k = n - i < 16 ? n - i : 16;
        acc0 = mn_vi_dot_i8_acc(acc0, mn_vi_load_partial(a + i, k), mn_vi_load_partial(b + i, k));
    }
    return mn_vi_hsum_i32(mn_vi_add_i32(acc0, acc1));
}
