/* Thread pool: static partitioning, and a parallel kernel bit-identical for
 * 1..N threads and against the golden hash committed from the native build. */
#include "mtest.h"
#include "minnow.h"
#include "core/pool.h"
#include "tensor/dot.h"
#include <stdlib.h>

static void chunks_cover_exactly(void)
{
    static const size_t ns[] = {0, 1, 3, 7, 31, 33, 1023, 4096};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (int T = 1; T <= 9; T++)
            for (size_t grain = 1; grain <= 16; grain *= 4) {
                size_t expect = 0;
                for (int t = 0; t < T; t++) {
                    size_t b, e;
                    mn_pool_chunk(ns[a], grain, T, t, &b, &e);
                    MT_CHECK(b == expect || b == e); /* contiguous, in order */
                    if (b < e) { MT_CHECK(b % grain == 0); expect = e; }
                }
                MT_EQ_U64(expect, ns[a]);
            }
}

static void pool_arguments(void)
{
    mn_pool *p = (mn_pool *)&p;
    MT_CHECK(mn_pool_create(&p, -1) != MN_OK);
    MT_CHECK(p == NULL);
    MT_CHECK(mn_pool_create(&p, mn_threads_max() + 1) != MN_OK);
    MT_OK(mn_pool_create(&p, 1));
    MT_EQ_INT(mn_pool_threads(p), 1);
    mn_pool_free(p);
    MT_EQ_INT(mn_pool_threads(NULL), 1);
    if (!mn_threads_supported()) MT_EQ_INT(mn_pool_create(&p, 2), MN_E_THREADS);
    float y;
    MT_EQ_INT(mn_matvec_f32(NULL, &y, 1, NULL, 1, &y), MN_E_INVALID_ARG);
}

typedef struct { int *hits; } hit_job;
static void mark(void *arg, size_t b, size_t e, int worker)
{
    hit_job *j = arg;
    for (size_t i = b; i < e; i++) j->hits[i] += 1 + worker * 0;
}

static void every_item_once(void)
{
    int maxt = mn_threads_max() < 4 ? mn_threads_max() : 4;
    for (int T = 1; T <= maxt; T++) {
        mn_pool *p = NULL;
        MT_OK(mn_pool_create(&p, T));
        int hits[1000] = {0};
        hit_job j = {hits};
        for (int rep = 0; rep < 200; rep++) mn_pool_for(p, 1000, 3, mark, &j);
        mn_pool_free(p);
        for (int i = 0; i < 1000; i++) MT_EQ_INT(hits[i], 200);
    }
}

static uint32_t fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static float rnd_f32(uint64_t *s) { return (float)((int64_t)(mt_rand(s) >> 40) - (1 << 23)) * 0x1p-23f; }

/* The same bits for every thread count, for the vec128 path and its _ref
 * twin, at awkward lengths; the hashes are golden across targets. */
static void matvec_deterministic(void)
{
    static const size_t cols_list[] = {1, 3, 7, 31, 33, 1023};
    const size_t rows = 67;
    char text[2048];
    size_t len = 0;
    uint64_t seed = 42;
    for (size_t c = 0; c < sizeof cols_list / sizeof cols_list[0]; c++) {
        size_t cols = cols_list[c];
        float *W = malloc(rows * cols * sizeof(float)), *x = malloc(cols * sizeof(float));
        float *y1 = malloc(rows * sizeof(float)), *yt = malloc(rows * sizeof(float));
        MT_CHECK(W && x && y1 && yt);
        for (size_t i = 0; i < rows * cols; i++) W[i] = rnd_f32(&seed);
        for (size_t i = 0; i < cols; i++) x[i] = rnd_f32(&seed);
        MT_OK(mn_matvec_f32(NULL, y1, rows, W, cols, x));
        for (size_t r = 0; r < rows; r++) {
            float ref = mn_dot_f32_ref(W + r * cols, x, cols);
            if (memcmp(&ref, &y1[r], 4) != 0) MT_FAIL("cols %zu row %zu: vec %a != ref %a", cols, r, y1[r], ref);
        }
        int maxt = mn_threads_max() < 4 ? mn_threads_max() : 4;
        for (int T = 2; T <= maxt; T++) {
            mn_pool *p = NULL;
            MT_OK(mn_pool_create(&p, T));
            MT_OK(mn_matvec_f32(p, yt, rows, W, cols, x));
            mn_pool_free(p);
            if (memcmp(yt, y1, rows * sizeof(float)) != 0) MT_FAIL("cols %zu: %d threads differ from 1", cols, T);
        }
        len += (size_t)snprintf(text + len, sizeof text - len, "matvec_f32 %zux%zu fnv1a %08x\n", rows, cols,
                                fnv1a(y1, rows * sizeof(float)));
        free(W); free(x); free(y1); free(yt);
    }
    MT_GOLDEN("matvec_f32.txt", text, len);
}

static void selftest_passes(void)
{
    char report[1024];
    int threads = mn_threads_max() < 4 ? mn_threads_max() : 4;
    mn_status st = mn_selftest(threads, report, sizeof report);
    if (st != MN_OK) MT_FAIL("selftest: %s", report);
    MT_CHECK(strstr(report, "bit-identical") != NULL);
}

void suite_pool(void)
{
    MT_RUN(chunks_cover_exactly);
    MT_RUN(pool_arguments);
    MT_RUN(every_item_once);
    MT_RUN(matvec_deterministic);
    MT_RUN(selftest_passes);
}
