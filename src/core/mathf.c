/* minnow's deterministic elementary functions: see mathf.h for the contract.
 * Everything is evaluated in double with a fixed sequence of operations, then
 * rounded once to float. */
#include "core/mathf.h"
#include <stdint.h>
#include <string.h>

static double bits_d(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t d_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t f_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* round to nearest integer (ties away from zero are fine: only used for reduction) */
static double round_d(double x) { return x >= 0 ? (double)(int64_t)(x + 0.5) : -(double)(int64_t)(-x + 0.5); }

/* 2^k for integer k in [-1074, 1023], built from bits. */
static double pow2i(int k)
{
    if (k >= -1022) return bits_d((uint64_t)(k + 1023) << 52);
    return bits_d((uint64_t)1 << (k + 1074)); /* subnormal */
}

#define LN2_HI 6.93147180369123816490e-01 /* high 32 bits of ln 2 */
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00

double mn_exp_d(double x)
{
    if (x != x) return x;
    if (x > 709.78) return bits_d(0x7ff0000000000000ull);
    if (x < -745.2) return 0.0;
    double k = round_d(x * INV_LN2);
    double r = (x - k * LN2_HI) - k * LN2_LO; /* |r| <= 0.35 */
    /* Taylor to r^13: remainder < 0.35^14/14! ~ 5e-18 relative */
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    int ki = (int)k;
    /* split the scale so neither factor overflows or flushes early */
    if (ki > 1000) return p * pow2i(1000) * pow2i(ki - 1000);
    if (ki < -1000) return p * pow2i(-1000) * pow2i(ki + 1000);
    return p * pow2i(ki);
}

float mn_expf(float x) { return (float)mn_exp_d((double)x); }

float mn_logf(float xf)
{
    uint32_t u = f_bits(xf);
    if (xf != xf) return xf;
    if (u == 0 || u == 0x80000000u) return -__builtin_inff();
    if (u & 0x80000000u) return __builtin_nanf("");
    if (u == 0x7f800000u) return xf;
    double x = (double)xf; /* exact, subnormals included */
    uint64_t b = d_bits(x);
    int e = (int)((b >> 52) & 0x7ff) - 1023;
    double m = bits_d((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull); /* [1, 2) */
    if (m > 1.41421356237309504880) { m *= 0.5; e += 1; }                    /* [0.707, 1.414] */
    double f = (m - 1.0) / (m + 1.0), f2 = f * f; /* |f| <= 0.1716 */
    /* log m = 2 (f + f^3/3 + ... + f^19/19): remainder < 2 * 0.1716^21/21 ~ 1e-17 */
    double s = 1.0 / 19;
    s = s * f2 + 1.0 / 17;
    s = s * f2 + 1.0 / 15;
    s = s * f2 + 1.0 / 13;
    s = s * f2 + 1.0 / 11;
    s = s * f2 + 1.0 / 9;
    s = s * f2 + 1.0 / 7;
    s = s * f2 + 1.0 / 5;
    s = s * f2 + 1.0 / 3;
    s = s * f2 + 1.0;
    double lm = 2.0 * f * s;
    return (float)((double)e * LN2_HI + ((double)e * LN2_LO + lm));
}

/* sin and cos of |r| <= pi/4 in double: Taylor to r^17 and r^18, remainders
 * below 1e-19 relative. */
static double sin_poly(double r)
{
    double r2 = r * r;
    double s = 1.0 / 355687428096000.0;  /* 1/17! */
    s = s * r2 - 1.0 / 1307674368000.0; /* 1/15! */
    s = s * r2 + 1.0 / 6227020800.0;    /* 1/13! */
    s = s * r2 - 1.0 / 39916800.0;      /* 1/11! */
    s = s * r2 + 1.0 / 362880.0;        /* 1/9! */
    s = s * r2 - 1.0 / 5040.0;
    s = s * r2 + 1.0 / 120.0;
    s = s * r2 - 1.0 / 6.0;
    return r + r * r2 * s;
}

static double cos_poly(double r)
{
    double r2 = r * r;
    double c = -1.0 / 6402373705728000.0; /* -1/18! */
    c = c * r2 + 1.0 / 20922789888000.0;  /* 1/16! */
    c = c * r2 - 1.0 / 87178291200.0;     /* 1/14! */
    c = c * r2 + 1.0 / 479001600.0;       /* 1/12! */
    c = c * r2 - 1.0 / 3628800.0;         /* 1/10! */
    c = c * r2 + 1.0 / 40320.0;
    c = c * r2 - 1.0 / 720.0;
    c = c * r2 + 1.0 / 24.0;
    return 1.0 - 0.5 * r2 + r2 * r2 * c;
}

/* pi/2 in three parts of 33 bits (Cody-Waite): k * part is exact for |k| < 2^20. */
#define PIO2_1 1.57079632673412561417e+00
#define PIO2_2 6.07710050630396597660e-11
#define PIO2_3 2.02226624879595063154e-21
#define TWO_OVER_PI 6.36619772367581382433e-01

/* x = k pi/2 + r, |r| <= pi/4 (slightly more for huge x); returns k mod 4. */
static int reduce_pio2(double x, double *r)
{
    double k = round_d(x * TWO_OVER_PI);
    *r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
    int64_t ki = (int64_t)k;
    return (int)(ki & 3);
}

float mn_sinf(float xf)
{
    if (xf != xf) return xf;
    if (f_bits(xf) << 1 == 0xff000000u) return __builtin_nanf(""); /* ±inf */
    double r;
    int q = reduce_pio2((double)xf, &r);
    double v = q == 0 ? sin_poly(r) : q == 1 ? cos_poly(r) : q == 2 ? -sin_poly(r) : -cos_poly(r);
    return (float)v;
}

float mn_cosf(float xf)
{
    if (xf != xf) return xf;
    if (f_bits(xf) << 1 == 0xff000000u) return __builtin_nanf("");
    double r;
    int q = reduce_pio2((double)xf, &r);
    double v = q == 0 ? cos_poly(r) : q == 1 ? -sin_poly(r) : q == 2 ? -cos_poly(r) : sin_poly(r);
    return (float)v;
}

float mn_tanhf(float xf)
{
    if (xf != xf) return xf;
    double x = (double)xf, a = x < 0 ? -x : x;
    double t;
    if (a < 0x1p-10) {
        t = a - a * a * a / 3.0; /* next term 2a^5/15 < 2^-50 relative */
    } else if (a > 20.0) {
        t = 1.0; /* tanh(20) rounds to 1 in float */
    } else {
        double e = mn_exp_d(2.0 * a);
        t = 1.0 - 2.0 / (e + 1.0);
    }
    return (float)(x < 0 ? -t : t);
}

#define TWO_OVER_SQRTPI 1.12837916709551257390e+00

float mn_erff(float xf)
{
    if (xf != xf) return xf;
    double x = (double)xf, a = x < 0 ? -x : x, v;
    if (a < 2.0) {
        /* erf a = 2/sqrt(pi) sum_n (-1)^n a^(2n+1) / (n! (2n+1)): 40 terms, fixed */
        double a2 = a * a, term = a, sum = a;
        for (int n = 1; n < 40; n++) {
            term = -term * a2 / (double)n;
            sum += term / (double)(2 * n + 1);
        }
        v = TWO_OVER_SQRTPI * sum;
    } else if (a < 4.5) {
        /* erfc a = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
         * evaluated backwards over a fixed 60 levels */
        double cf = a;
        for (int k = 60; k >= 1; k--) cf = a + (0.5 * k) / cf;
        double erfc = mn_exp_d(-a * a) / (cf * 1.77245385090551602730);
        v = 1.0 - erfc;
    } else {
        v = 1.0; /* erfc(4.5) < 2^-30: rounds to 1 in float */
    }
    return (float)(x < 0 ? -v : v);
}

float mn_gelu_erf(float x)
{
    double e = (double)mn_erff((float)((double)x * 0.70710678118654752440));
    return (float)(0.5 * (double)x * (1.0 + e));
}

float mn_gelu_tanh(float x)
{
    double xd = (double)x;
    double inner = 0.79788456080286535588 * (xd + 0.044715 * xd * xd * xd);
    double t = (double)mn_tanhf((float)inner);
    return (float)(0.5 * xd * (1.0 + t));
}
