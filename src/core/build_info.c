/* What this build is, and the self-check `minnow selftest` / the demo run. */
#include "minnow.h"
#include "simd/vec128.h"
#include "simd/simd_selftest.h"
#include "core/alloc.h"
#include "tensor/dot.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#ifndef MN_TARGET_NAME
#define MN_TARGET_NAME "native"
#endif

const char *mn_simd_backend(void) { return MN_SIMD_BACKEND_NAME; }
const char *mn_target(void) { return MN_TARGET_NAME; }

size_t mn_capabilities(char *dst, size_t dstCapacity)
{
    if (!dst) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    int n = snprintf(dst, dstCapacity,
                     "{\"version\":\"%s\",\"target\":\"%s\",\"simd\":\"%s\",\"threads\":%s,"
                     "\"threads_max\":%d,\"libsodium\":\"%s\",\"pointer_bits\":%u}",
                     mn_version(), mn_target(), mn_simd_backend(), mn_threads_supported() ? "true" : "false",
                     mn_threads_max(), sodium_version_string(), (unsigned)(sizeof(void *) * 8));
    if (n < 0) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if ((size_t)n >= dstCapacity) return MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    return (size_t)n;
}

/* Append to a report buffer without ever overflowing it. */
static void report_add(char *r, size_t cap, size_t *len, const char *text)
{
    if (!r || cap == 0 || *len >= cap - 1) return;
    int n = snprintf(r + *len, cap - *len, "%s", text);
    if (n > 0) *len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

/* A parallel kernel on 1..threads workers must give the same bits as inline. */
static int parallel_check(int threads, char *line, size_t cap)
{
    const size_t rows = 301, cols = 257; /* awkward sizes: tails in both dimensions */
    float *W = mn_calloc_array(rows * cols, sizeof(float));
    float *x = mn_calloc_array(cols, sizeof(float));
    float *y1 = mn_calloc_array(rows, sizeof(float));
    float *yt = mn_calloc_array(rows, sizeof(float));
    int bad = 0;
    if (!W || !x || !y1 || !yt) {
        snprintf(line, cap, "parallel: out of memory\n");
        bad = 1;
        goto done;
    }
    uint32_t s = 12345;
    for (size_t i = 0; i < rows * cols; i++) { s = s * 1664525u + 1013904223u; W[i] = (float)((int32_t)s >> 8) * 0x1p-21f; }
    for (size_t i = 0; i < cols; i++) { s = s * 1664525u + 1013904223u; x[i] = (float)((int32_t)s >> 8) * 0x1p-23f; }
    mn_matvec_f32(NULL, y1, rows, W, cols, x);
    int tested = 0;
    for (int t = 1; t <= threads && !bad; t++) {
        mn_pool *pool = NULL;
        if (mn_pool_create(&pool, t) != MN_OK) {
            snprintf(line, cap, "parallel: cannot create a pool of %d threads\n", t);
            bad = 1;
            break;
        }
        memset(yt, 0, rows * sizeof(float));
        mn_matvec_f32(pool, yt, rows, W, cols, x);
        if (memcmp(yt, y1, rows * sizeof(float)) != 0) {
            snprintf(line, cap, "parallel: matvec on %d threads differs from inline\n", t);
            bad = 1;
        }
        mn_pool_free(pool);
        tested = t;
    }
    if (!bad) snprintf(line, cap, "parallel: matvec_f32 %zux%zu bit-identical on 1..%d threads\n", rows, cols, tested);
done:
    mn_free(W); mn_free(x); mn_free(y1); mn_free(yt);
    return bad;
}

/* The int8 dot kernel against its _ref twin at awkward lengths, with the
 * extremes (-128 * -128) that break the usual SSE maddubs trick. */
static int dot_i8_check(char *line, size_t cap)
{
    static const size_t lens[] = {1, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1023, 4096};
    int8_t a[4096], b[4096];
    uint32_t s = 99;
    for (size_t i = 0; i < 4096; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (int8_t)(s >> 24);
        b[i] = (int8_t)(s >> 16);
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) for (size_t i = 0; i < 4096; i++) { a[i] = -128; b[i] = (i & 1) ? -128 : 127; }
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            if (mn_dot_i8(a, b, lens[k]) != mn_dot_i8_ref(a, b, lens[k])) {
                snprintf(line, cap, "dot_i8: mismatch at length %zu (%s data)\n", lens[k], pass ? "extreme" : "random");
                return 1;
            }
        }
    }
    snprintf(line, cap, "dot_i8: matches its _ref twin on 12 lengths, random and extreme values\n");
    return 0;
}

mn_status mn_selftest(int threads, char *report, size_t reportCapacity)
{
    char line[256];
    size_t len = 0;
    if (report && reportCapacity) report[0] = 0;
    if (threads < 1) threads = 1;
    if (threads > mn_threads_max()) threads = mn_threads_max();
    int bad = mn_simd_selftest(line, sizeof line);
    report_add(report, reportCapacity, &len, line);
    report_add(report, reportCapacity, &len, "\n");
    bad += dot_i8_check(line, sizeof line);
    report_add(report, reportCapacity, &len, line);
    bad += parallel_check(threads, line, sizeof line);
    report_add(report, reportCapacity, &len, line);
    return bad ? MN_E_CORRUPT : MN_OK;
}
