/* bench_decode - the forward pass alone: prompt (batched) and decode
 * (one token per evaluation, greedy by argmax) speed of one model, 1 thread
 * by default, with the wall clock and the thread's CPU clock side by side, so
 * forward-pass changes can be measured on a shared machine. The end-to-end
 * comparison with llama.cpp is scripts/bench-decode; this is the inner loop.
 *
 * usage: bench_decode MODEL.gguf [--prompt 63] [--tokens 128] [--reps 5] [--threads 1] [--batch 512] [--no-mmap]
 * Prints, per phase, the median and best tokens/s over --reps runs (each run
 * starts from an empty cache), and an FNV-1a hash of the last logits (the same
 * for every run, target and thread count). Built by scripts/bench-kernels decode
 * (native and wasm). */
#define _POSIX_C_SOURCE 199309L
#include "minnow.h"
#include "minnow_model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
EM_JS(double, node_cpu_seconds, (void), {
    if (typeof process === 'undefined' || !process.cpuUsage) return -1;
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
});
static double cpu_now(void) { return node_cpu_seconds(); }
#else
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif
static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return v[n / 2]; }
static double best(const double *v, int n) { double b = v[0]; for (int i = 1; i < n; i++) if (v[i] > b) b = v[i]; return b; }

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: bench_decode MODEL.gguf [--prompt N] [--tokens N] [--reps N] [--threads N] [--batch N]\n"); return 2; }
    const char *path = argv[1];
    int np = 63, nt = 128, reps = 5, threads = 1, batch = 512;
    unsigned flags = 0;
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--no-mmap")) { flags |= MN_MODEL_NO_MMAP; memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof *argv); argc--; i--; }
    for (int i = 2; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--prompt")) np = v;
        else if (!strcmp(argv[i], "--tokens")) nt = v;
        else if (!strcmp(argv[i], "--reps")) reps = v;
        else if (!strcmp(argv[i], "--threads")) threads = v;
        else if (!strcmp(argv[i], "--batch")) batch = v;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (np < 1 || nt < 1 || reps < 1 || reps > 64) return 2;
    char err[256] = "";
    mn_model *m = NULL;
    mn_ctx *c = NULL;
    if (mn_model_load_file(&m, path, flags, err, sizeof err) != MN_OK) { fprintf(stderr, "load: %s\n", err); return 1; }
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_ctx = (uint32_t)(np + nt + 1);
    p.n_batch = (uint32_t)batch;
    p.n_threads = threads;
    if (mn_ctx_create(&c, m, &p, err, sizeof err) != MN_OK) { fprintf(stderr, "ctx: %s\n", err); return 1; }
    size_t nv = mn_model_n_vocab(m);
    int32_t *prompt = malloc((size_t)np * sizeof *prompt);
    for (int i = 0; i < np; i++) prompt[i] = (int32_t)((1000u + 7919u * (unsigned)i) % nv); /* fixed ids */
    double pw[64], pc[64], dw[64], dc[64];
    uint64_t hash = 0;
    for (int r = 0; r < reps; r++) {
        mn_ctx_truncate(c, 0);
        double w0 = wall_now(), c0 = cpu_now();
        if (mn_ctx_eval(c, prompt, (size_t)np) != MN_OK) { fprintf(stderr, "eval: %s\n", mn_ctx_error(c)); return 1; }
        double w1 = wall_now(), c1 = cpu_now();
        for (int t = 0; t < nt; t++) {
            const float *l = mn_ctx_logits(c);
            int32_t next = 0;
            for (size_t v = 1; v < nv; v++) if (l[v] > l[next]) next = (int32_t)v;
            if (mn_ctx_eval(c, &next, 1) != MN_OK) { fprintf(stderr, "eval: %s\n", mn_ctx_error(c)); return 1; }
        }
        double w2 = wall_now(), c2 = cpu_now();
        pw[r] = np / (w1 - w0); pc[r] = np / (c1 - c0);
        dw[r] = nt / (w2 - w1); dc[r] = nt / (c2 - c1);
        const unsigned char *b = (const unsigned char *)mn_ctx_logits(c);
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < nv * sizeof(float); i++) h = (h ^ b[i]) * 1099511628211ull;
        if (r && h != hash) { fprintf(stderr, "logits differ between runs\n"); return 1; }
        hash = h;
    }
    printf("%s: prompt %d, decode %d tokens, %d thread(s), %d reps\n", path, np, nt, threads, reps);
    printf("prompt tok/s: wall median %.1f best %.1f | cpu median %.1f best %.1f\n", median(pw, reps), best(pw, reps), median(pc, reps), best(pc, reps));
    printf("decode tok/s: wall median %.1f best %.1f | cpu median %.1f best %.1f\n", median(dw, reps), best(dw, reps), median(dc, reps), best(dc, reps));
    printf("logits hash %016llx\n", (unsigned long long)hash);
    free(prompt);
    mn_ctx_free(c);
    mn_model_free(m);
    return 0;
}
