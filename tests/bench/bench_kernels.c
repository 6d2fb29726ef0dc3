/* bench_kernels - GEMV weight-streaming throughput per quant type and thread
 * count, next to the single-thread memory read bandwidth measured the same way.
 *
 * usage: bench_kernels [--mib N] [--bw-mib N] [--threads 1,2] [--types Q8_0,Q4_0,Q4_0_R4,...] [--reps 5] [--cpu]
 *   --mib     weight matrix size (default 256 MiB; rows = size / row bytes, cols 4096)
 *   --kib     the same in KiB (an in-cache matrix measures the kernels' compute rate)
 *   --bw-mib  buffer of the bandwidth test (default 1024 MiB)
 *   --no-vnni x86-64: the SSE4.1 legacy GEMV/GEMM kernels even where AVX512-VNNI is there
 *   --as-loaded  each type in the layout a model load gives it on this target
 *             (Q4_0 runs as Q4_0_R4 where mn_q4_0_r4_preferred(), named Q4_0)
 *   --cpu     CPU time instead of wall time (1-thread figures on a busy machine):
 *             the thread's clock natively, Node's process.cpuUsage() in wasm
 *   --cols N  columns per row (default 4096; a multiple of every type's block
 *             size you ask for: 576 is SmolLM's width, legacy types only)
 *   --batch B also time mn_gemm_q with B activation rows (prompt batches): per-token
 *             time and its speed-up over B separate GEMVs
 * Every figure is the median of --reps runs after a warm-up of 1 s (3 calls
 * at least); "best" is the fastest run (the
 * steadiest figure for in-cache kernel rates on a shared machine). Built by scripts/bench-kernels
 * (native: gcc against build/native/libminnow.a; wasm: emcc against
 * build/wasm/st/libminnow.a, run under Node). */
#define _POSIX_C_SOURCE 199309L
#include "minnow.h"
#include "simd/vec128.h"
#include "tensor/quant.h"
#include "tensor/gemm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --cpu: time by the calling thread's CPU clock instead of the wall clock, so
 * a single-thread figure on a shared machine leaves out the time other
 * processes ran (cache and memory contention stay in). */
static int g_cpu_clock;
#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
/* Node's process CPU time (user + system, microseconds): the bench is one thread */
EM_JS(double, node_cpu_seconds, (void), {
    if (typeof process === 'undefined' || !process.cpuUsage) return -1;
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
});
#endif
static double now(void)
{
    struct timespec ts;
#if defined(__EMSCRIPTEN__)
    if (g_cpu_clock) { double c = node_cpu_seconds(); if (c >= 0) return c; }
#endif
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(__EMSCRIPTEN__) /* Emscripten: Node's process.cpuUsage() above */
    if (g_cpu_clock) { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec; }
#endif
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return v[n / 2]; }

/* vectorised read: 4 independent 128-bit accumulators, 64 bytes per step */
static volatile int32_t sink;
static double read_bw(const uint8_t *buf, size_t bytes, int reps)
{
    double t[64];
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        mn_vi a = mn_vi_zero(), b = mn_vi_zero(), c = mn_vi_zero(), d = mn_vi_zero();
        for (size_t i = 0; i + 64 <= bytes; i += 64) {
            a = mn_vi_add_i32(a, mn_vi_load(buf + i));
            b = mn_vi_add_i32(b, mn_vi_load(buf + i + 16));
            c = mn_vi_add_i32(c, mn_vi_load(buf + i + 32));
            d = mn_vi_add_i32(d, mn_vi_load(buf + i + 48));
        }
        sink = mn_vi_hsum_i32(mn_vi_add_i32(mn_vi_add_i32(a, b), mn_vi_add_i32(c, d)));
        t[r] = now() - t0;
    }
    return (double)bytes / median(t, reps) / 1e9;
}

int main(int argc, char **argv)
{
    size_t mib = 256 << 10, bw_mib = 1024; /* mib: the matrix size, in KiB */
    int reps = 5;
    const char *types = "Q8_0,Q4_0,Q4_K,Q6_K,Q5_K,Q3_K,Q2_K,Q4_1,Q5_0,Q5_1,TQ1_0,TQ2_0,F16";
    const char *threads = "1";
    size_t batch = 0, cols = 4096;
    int as_loaded = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--cpu") || !strcmp(argv[i], "--no-vnni") || !strcmp(argv[i], "--as-loaded")) {
            if (argv[i][2] == 'c') g_cpu_clock = 1;
            else if (argv[i][2] == 'a') as_loaded = 1;
            else mn_q_vnni(0);
            memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof *argv);
            argc--;
            i--;
        }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--mib")) mib = (size_t)atol(argv[i + 1]) << 10;
        else if (!strcmp(argv[i], "--kib")) mib = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--bw-mib")) bw_mib = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = argv[i + 1];
        else if (!strcmp(argv[i], "--types")) types = argv[i + 1];
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch")) batch = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--cols")) cols = (size_t)atol(argv[i + 1]);
    }
    if (reps < 1) reps = 1;
    if (reps > 64) reps = 64;
    printf("target %s, simd %s%s, %s clock%s\n", MN_TARGET_NAME, MN_SIMD_BACKEND_NAME,
           mn_q_vnni(-1) ? " (legacy GEMV/GEMM: avx512-vnni)" : "", g_cpu_clock ? "CPU" : "wall",
           as_loaded && mn_q4_0_r4_preferred() ? ", Q4_0 as loaded: Q4_0_R4" : "");
    size_t bw_bytes = bw_mib << 20;
    uint8_t *buf = malloc(bw_bytes);
    if (!buf) { fprintf(stderr, "cannot allocate %zu MiB\n", bw_mib); return 1; }
    for (size_t i = 0; i < bw_bytes; i += 4096) memset(buf + i, (int)(i >> 12), 4096);
    double bw = read_bw(buf, bw_bytes, reps);
    free(buf);
    printf("memory read bandwidth (1 thread, %zu MiB, median of %d): %.2f GB/s\n", bw_mib, reps, bw);
    printf("%-7s %7s %6s %9s %8s %8s %8s\n", "type", "threads", "cols", "rows", "GB/s", "%bw", "best");

    if (cols == 0 || cols % 32) { fprintf(stderr, "--cols must be a positive multiple of 32\n"); return 2; }
    float *xf = malloc(cols * sizeof(float)), *row = malloc(cols * sizeof(float));
    uint64_t s = 12345;
    for (size_t i = 0; i < cols; i++) { s = s * 6364136223846793005ull + 1442695040888963407ull; xf[i] = (float)((int64_t)(s >> 33) - (1ll << 30)) * 0x1p-30f; }
    char tl[512];
    snprintf(tl, sizeof tl, "%s", types);
    for (char *name = strtok(tl, ","); name; name = strtok(NULL, ",")) {
        const mn_qtraits *t = NULL;
        /* Q4_0_R4: a Q4_0 matrix rearranged for the int16 kernels (as models load where preferred) */
        const int r4 = !strcmp(name, "Q4_0_R4") || (as_loaded && !strcmp(name, "Q4_0") && mn_q4_0_r4_preferred());
        const char *base = r4 ? "Q4_0" : name;
        for (uint32_t id = 0; id < MN_Q_TYPE_LIMIT; id++) { const mn_qtraits *c = mn_qtraits_get(id); if (c && !strcmp(c->name, base)) t = c; }
        if (!t || !t->vec_dot) { printf("%-6s unsupported\n", name); continue; }
        if (cols % t->block_size) { printf("%-6s cols %zu not a multiple of %u\n", name, cols, (unsigned)t->block_size); continue; }
        size_t wrow = mn_qrow_size(t->type, cols), rows = (mib << 10) / wrow;
        uint8_t *W = malloc(rows * wrow), *xq = malloc(mn_qrow_size(t->vec_dot_type, cols) + 64);
        float *y = malloc(rows * sizeof(float));
        if (!W || !xq || !y) { fprintf(stderr, "cannot allocate %zu KiB\n", mib); return 1; }
        /* 64 distinct quantized rows, repeated (realistic scales, cheap to build) */
        uint8_t *proto = malloc(64 * wrow);
        for (int k = 0; k < 64; k++) {
            for (size_t i = 0; i < cols; i++) row[i] = xf[(i * 7 + (size_t)k * 13) % cols] * (1.0f + (float)(k % 5));
            t->quantize_row(row, proto + (size_t)k * wrow, cols);
        }
        for (size_t r = 0; r < rows; r++) memcpy(W + r * wrow, proto + (r % 64) * wrow, wrow);
        free(proto);
        if (t->vec_dot_type == MN_Q_F32) memcpy(xq, xf, cols * sizeof(float));
        else mn_qtraits_get(t->vec_dot_type)->quantize_row(xf, xq, cols);
        const uint32_t wt = r4 ? MN_TYPE_Q4_0_R4 : t->type;
        const char *tname = r4 && !as_loaded ? "Q4_0_R4" : t->name;
        if (r4 && mn_q4_0_r4_repack(W, rows, cols) != MN_OK) { fprintf(stderr, "Q4_0_R4: repack failed\n"); return 1; }
        char thl[64];
        snprintf(thl, sizeof thl, "%s", threads);
        for (char *ts = thl, *e; ts && *ts; ts = e) {
            e = strchr(ts, ',');
            if (e) *e++ = 0;
            int T = atoi(ts);
            mn_pool *pool = NULL;
            if (T > 1 && mn_pool_create(&pool, T) != MN_OK) { printf("%-7s %7d threads unavailable\n", tname, T); continue; }
            double tm[64];
            /* warm-up: 3 calls and 1 s at least, so that a JIT has compiled
             * the kernel (Node/V8 runs new wasm code in its baseline compiler,
             * Liftoff, until TurboFan's code is ready) */
            for (double w0 = now(), wn = 0; wn < 3 || now() - w0 < 1.0; wn++) mn_gemv_q(pool, y, wt, W, rows, cols, xq);
            for (int r = 0; r < reps; r++) {
                double t0 = now();
                mn_gemv_q(pool, y, wt, W, rows, cols, xq);
                tm[r] = now() - t0;
            }
            double gbs = (double)(rows * wrow) / median(tm, reps) / 1e9; /* median() sorts tm */
            double best = (double)(rows * wrow) / tm[0] / 1e9;
            printf("%-7s %7d %6zu %9zu %8.2f %7.0f%% %8.2f\n", tname, T, cols, rows, gbs, 100.0 * gbs / bw, best);
            if (batch > 1) { /* GEMM: batch activation rows at once, vs batch GEMVs */
                size_t xrow = mn_qrow_size(t->vec_dot_type, cols);
                uint8_t *X = malloc(batch * xrow + 64);
                float *Y = malloc(batch * rows * sizeof(float));
                for (size_t b = 0; b < batch; b++) {
                    for (size_t i = 0; i < cols; i++) row[i] = xf[(i * 5 + b * 11) % cols];
                    if (t->vec_dot_type == MN_Q_F32) memcpy(X + b * xrow, row, cols * sizeof(float));
                    else mn_qtraits_get(t->vec_dot_type)->quantize_row(row, X + b * xrow, cols);
                }
                for (double w0 = now(), wn = 0; wn < 3 || now() - w0 < 1.0; wn++) mn_gemm_q(pool, Y, wt, W, rows, cols, X, batch);
                for (int r = 0; r < reps; r++) {
                    double t0 = now();
                    mn_gemm_q(pool, Y, wt, W, rows, cols, X, batch);
                    tm[r] = now() - t0;
                }
                double per_tok = median(tm, reps) / (double)batch, gemv = (double)(rows * wrow) / gbs / 1e9;
                printf("%-7s %7d gemm batch %zu: %.3f ms per token, %.2fx the GEMV rate\n", tname, T, batch, 1e3 * per_tok, gemv / per_tok);
                free(X);
                free(Y);
            }
            mn_pool_free(pool);
            fflush(stdout);
        }
        free(W); free(xq); free(y);
    }
    free(xf); free(row);
    return 0;
}
