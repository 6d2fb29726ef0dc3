/*
 * act.h - vectorised elementwise math of the forward pass (exp for softmax
 * and SiLU), built only from vec128 ops.
 *
 * Contract, in the order that bites:
 *  - Deterministic: every op is a vec128 op, whose bits the reference
 *    backend (vec128_ref.h) defines and every ISA reproduces, and there is
 *    no reduction inside; so the same input gives the same bits on every
 *    target, lane by lane, whatever the position of a value in its vector.
 *  - mn_exp4: e^x for x in [-87.33, 88] within 1 ulp (measured: 1.7 half-ulps) (Cody-Waite reduction
 *    x = k ln2 + r, |r| <= ln2/2, degree-7 Taylor polynomial, 2^k from the
 *    exponent bits). Outside that range the input is clamped: e^x below
 *    1.2e-38 comes out as e^-87.33, above 1.65e38 as e^88 (never 0 or inf;
 *    softmax and SiLU do not care). NaN comes out as e^-87.33 (the clamp).
 *  - This, not mn_expf (core/mathf.h, scalar double arithmetic, ~15 ns), is
 *    the exp of the forward pass; mn_expf stays the exp of everything scalar.
 */
#ifndef MN_MODEL_ACT_H
#define MN_MODEL_ACT_H
#include "simd/vec128.h"
#include <stddef.h>

static inline mn_vf mn_exp4(mn_vf x)
{
    x = mn_vf_min(mn_vf_max(x, mn_vf_splat(-87.33654f)), mn_vf_splat(88.0f));
    mn_vf k = mn_vf_round(mn_vf_mul(x, mn_vf_splat(1.44269504088896341f)));
    /* ln2_hi has 16 significant bits: k * ln2_hi is exact for |k| <= 128 */
    mn_vf r = mn_vf_sub(mn_vf_sub(x, mn_vf_mul(k, mn_vf_splat(0.693145751953125f))),
                        mn_vf_mul(k, mn_vf_splat(1.42860682030941723212e-6f)));
    mn_vf p = mn_vf_splat(1.0f / 5040.0f);
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f / 720.0f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f / 120.0f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f / 24.0f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f / 6.0f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(0.5f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f));
    p = mn_vf_add(mn_vf_mul(p, r), mn_vf_splat(1.0f));
    /* 2^k, k in [-126, 127]: a normal float built from its exponent field */
    mn_vi e = mn_vi_slli_i32(mn_vi_add_i32(mn_vf_to_i32(k), mn_vi_splat_i32(127)), 23);
    return mn_vf_mul(p, mn_vi_as_vf(e));
}

/* dst[i] = e^src[i] (may alias). */
static inline void mn_exp_row(float *dst, const float *src, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) mn_vf_store(dst + i, mn_exp4(mn_vf_load(src + i)));
    if (i < n) mn_vf_store_partial(dst + i, mn_exp4(mn_vf_load_partial(src + i, n - i)), n - i);
}

/* One value through the same lanes (so scalar and vector uses agree). */
static inline float mn_exp1(float x)
{
    return mn_vf_extract(mn_exp4(mn_vf_splat(x)), 0);
}

/* SwiGLU: g[i] = silu(g[i]) * u[i] = g / (1 + e^-g) * u. */
static inline void mn_swiglu_row(float *g, const float *u, size_t n)
{
    size_t i = 0;
    const mn_vf one = mn_vf_splat(1.0f), zero = mn_vf_zero();
    for (; i + 4 <= n; i += 4) {
        mn_vf x = mn_vf_load(g + i);
        mn_vf s = mn_vf_div(x, mn_vf_add(one, mn_exp4(mn_vf_sub(zero, x))));
        mn_vf_store(g + i, mn_vf_mul(s, mn_vf_load(u + i)));
    }
    if (i < n) {
        size_t r = n - i;
        mn_vf x = mn_vf_load_partial(g + i, r);
        mn_vf s = mn_vf_div(x, mn_vf_add(one, mn_exp4(mn_vf_sub(zero, x))));
        mn_vf_store_partial(g + i, mn_vf_mul(s, mn_vf_load_partial(u + i, r)), r);
    }
}
#endif
