/* minnow's own elementary functions: accuracy against the C library's double
 * functions (on every target: only the rounding to float is checked, with a
 * 1-ulp bound), special values, and a golden hash of the bits over a sweep —
 * the same file on every target is the determinism check. */
#include "mtest.h"
#include "core/mathf.h"
#include <math.h>
#include <stdint.h>

static uint32_t fb(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* distance in ulps between two finite floats of the same sign region */
static int64_t ulps(float a, float b)
{
    int32_t ia = (int32_t)fb(a), ib = (int32_t)fb(b);
    if (ia < 0) ia = (int32_t)0x80000000 - ia;
    if (ib < 0) ib = (int32_t)0x80000000 - ib;
    int64_t d = (int64_t)ia - (int64_t)ib;
    return d < 0 ? -d : d;
}

typedef float (*f1)(float);
typedef double (*d1)(double);

static float next_x(uint64_t *s, float lo, float hi)
{
    double u = (double)(mt_rand(s) >> 11) * 0x1p-53;
    return (float)(lo + (hi - lo) * u);
}

static int64_t worst(f1 f, d1 ref, float lo, float hi, int n, float *at)
{
    uint64_t s = 7;
    int64_t w = 0;
    for (int i = 0; i < n; i++) {
        float x = next_x(&s, lo, hi);
        float got = f(x), want = (float)ref((double)x);
        if (want != want && got != got) continue;
        int64_t d = ulps(got, want);
        if (d > w) { w = d; *at = x; }
    }
    return w;
}

static void accuracy(void)
{
    struct { const char *name; f1 f; d1 ref; float lo, hi; } cases[] = {
        {"exp", mn_expf, exp, -103.0f, 88.7f},   {"exp small", mn_expf, exp, -1.0f, 1.0f},
        {"log", mn_logf, log, 1e-38f, 1e38f},    {"log near 1", mn_logf, log, 0.5f, 2.0f},
        {"sin", mn_sinf, sin, -1e5f, 1e5f},      {"sin small", mn_sinf, sin, -4.0f, 4.0f},
        {"cos", mn_cosf, cos, -1e5f, 1e5f},      {"cos small", mn_cosf, cos, -4.0f, 4.0f},
        {"tanh", mn_tanhf, tanh, -12.0f, 12.0f}, {"tanh small", mn_tanhf, tanh, -0.01f, 0.01f},
        {"erf", mn_erff, erf, -6.0f, 6.0f},      {"erf small", mn_erff, erf, -0.1f, 0.1f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float at = 0;
        int64_t w = worst(cases[i].f, cases[i].ref, cases[i].lo, cases[i].hi, 200000, &at);
        if (w > 1) MT_FAIL("%s: %lld ulps at %a", cases[i].name, (long long)w, (double)at);
    }
}

static void special_values(void)
{
    float inf = __builtin_inff(), nan = __builtin_nanf("");
    MT_CHECK(mn_expf(-inf) == 0.0f && mn_expf(inf) == inf && mn_expf(100.0f) == inf);
    MT_CHECK(mn_expf(0.0f) == 1.0f && mn_expf(-200.0f) == 0.0f);
    MT_CHECK(mn_expf(nan) != mn_expf(nan));
    MT_CHECK(mn_logf(0.0f) == -inf && mn_logf(-0.0f) == -inf && mn_logf(inf) == inf && mn_logf(1.0f) == 0.0f);
    MT_CHECK(mn_logf(-1.0f) != mn_logf(-1.0f));
    MT_CHECK(mn_logf(0x1p-149f) == (float)log(0x1p-149)); /* smallest subnormal */
    MT_CHECK(mn_sinf(inf) != mn_sinf(inf) && mn_cosf(-inf) != mn_cosf(-inf));
    MT_CHECK(mn_sinf(0.0f) == 0.0f && mn_cosf(0.0f) == 1.0f);
    MT_CHECK(mn_tanhf(inf) == 1.0f && mn_tanhf(-inf) == -1.0f && mn_tanhf(0.0f) == 0.0f);
    MT_CHECK(mn_erff(inf) == 1.0f && mn_erff(-inf) == -1.0f && mn_erff(0.0f) == 0.0f);
    MT_CHECK(fabsf(mn_gelu_erf(1.0f) - 0.8413447f) < 1e-6f);
    MT_CHECK(fabsf(mn_gelu_tanh(1.0f) - 0.8411920f) < 1e-6f);
}

static uint32_t fnv(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) h = (h ^ ((v >> (8 * i)) & 255)) * 16777619u;
    return h;
}

/* The bits of every function over 100k points per function: one golden file
 * for all targets. */
static void golden_bits(void)
{
    f1 fs[] = {mn_expf, mn_logf, mn_sinf, mn_cosf, mn_tanhf, mn_erff, mn_gelu_erf, mn_gelu_tanh};
    const char *names[] = {"exp", "log", "sin", "cos", "tanh", "erf", "gelu_erf", "gelu_tanh"};
    char text[1024];
    size_t len = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t s = 1234 + (uint64_t)k;
        uint32_t h = 2166136261u;
        for (int i = 0; i < 100000; i++) {
            uint32_t u = (uint32_t)mt_rand(&s);
            float x;
            memcpy(&x, &u, 4);
            if (x != x) continue; /* NaN payloads are not part of the contract */
            if (k == 1 && x < 0) x = -x;
            if (k >= 2 && k <= 3 && !(x > -1e6f && x < 1e6f)) x = fmodf(x, 1e6f);
            if (x != x) continue;
            float y = fs[k](x);
            h = fnv(h, y != y ? 0x7fc00000u : fb(y));
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "%s %08x\n", names[k], h);
    }
    MT_GOLDEN("mathf.txt", text, len);
}

void suite_mathf(void)
{
    MT_RUN(accuracy);
    MT_RUN(special_values);
    MT_RUN(golden_bits);
}
