/*
 * mathf.h - minnow's own elementary functions.
 *
 * Why: glibc, musl (Emscripten) and wasi-libc return different bits for
 * expf/logf/sinf/cosf/tanhf/erff, and logits must be bit-identical on every
 * target. These are plain C on IEEE double arithmetic only (no libm, no FMA:
 * the build uses -ffp-contract=off), so every target computes the same bits.
 *
 * Accuracy (tested against the C library's double functions in
 * tests/c/test_mathf.c): results are within 1 ulp of the correctly rounded
 * float for exp, log, tanh, erf over the whole float range, and for sin/cos
 * when |x| <= 2^20 (RoPE angles are positions times frequencies <= 1, far
 * below that). Beyond 2^20 sin/cos stay deterministic but lose accuracy.
 * Special values follow C: exp(-inf)=0, exp(+inf)=inf, log(0)=-inf,
 * log(x<0)=NaN, NaN in -> NaN out, tanh(±inf)=±1, erf(±inf)=±1.
 */
#ifndef MN_CORE_MATHF_H
#define MN_CORE_MATHF_H

double mn_exp_d(double x); /* e^x in double, for |x| <= 709; the core of mn_expf */
float mn_expf(float x);
float mn_logf(float x);
float mn_sinf(float x);
float mn_cosf(float x);
float mn_tanhf(float x);
float mn_erff(float x);
/* GELU, exact form: 0.5 x (1 + erf(x / sqrt 2)); and the tanh approximation GPT-2 uses. */
float mn_gelu_erf(float x);
float mn_gelu_tanh(float x);

#endif
