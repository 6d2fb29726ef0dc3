/* bench_tokenizers - single-thread encode throughput of minnow's tokenizers.
 *
 * usage: bench_tokenizers --text FILE [--reps 5] [--check IDS_FILE] NAME=TOKENIZER_FILE...
 * For each tokenizer: load time, then --reps encodes of the whole text (one
 * call, no offsets, no special-token parsing), the median in MB/s (10^6
 * bytes of input per second) and the token count. Prints one JSON object per
 * tokenizer on stdout. Built by scripts/bench-tokenizers natively (gcc) and
 * for wasm (emcc, run under Node). The text is read whole before timing. */
#define _POSIX_C_SOURCE 199309L
#include "minnow.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, len = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        if (!b) break;
        len += fread(b + len, 1, cap - len, f);
        if (len < cap) break;
        unsigned char *nb = realloc(b, cap * 2);
        if (!nb) { free(b); b = NULL; break; }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    *n = len;
    return b;
}

int main(int argc, char **argv)
{
    const char *text_path = NULL;
    int reps = 5;
    int first = 1;
    while (first < argc && !strncmp(argv[first], "--", 2)) {
        if (!strcmp(argv[first], "--text") && first + 1 < argc) text_path = argv[first + 1];
        else if (!strcmp(argv[first], "--reps") && first + 1 < argc) reps = atoi(argv[first + 1]);
        else { fprintf(stderr, "unknown option %s\n", argv[first]); return 2; }
        first += 2;
    }
    if (!text_path || reps < 1 || reps > 99 || first >= argc) {
        fprintf(stderr, "usage: bench_tokenizers --text FILE [--reps 5] NAME=TOKENIZER_FILE...\n");
        return 2;
    }
    size_t n;
    unsigned char *text = read_file(text_path, &n);
    if (!text) { fprintf(stderr, "cannot read %s\n", text_path); return 1; }
    for (int a = first; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq) { fprintf(stderr, "expected NAME=FILE, got %s\n", argv[a]); return 2; }
        *eq = 0;
        const char *name = argv[a], *file = eq + 1;
        char msg[256];
        mn_tokenizer *t = NULL;
        double t0 = now();
        mn_status st = mn_tokenizer_create_file(&t, file, msg, sizeof msg);
        double load = now() - t0;
        if (st) { printf("{\"name\":\"%s\",\"error\":\"%s\"}\n", name, msg); continue; }
        size_t cap = mn_tokenizer_encode_bound(t, n);
        int32_t *ids = malloc(cap * sizeof *ids);
        double tm[100];
        size_t cnt = 0;
        for (int r = 0; r < reps; r++) {
            double s = now();
            cnt = mn_tokenizer_encode(t, ids, cap, text, n, 0);
            tm[r] = now() - s;
            if (mn_is_error(cnt)) { printf("{\"name\":\"%s\",\"error\":\"%s\"}\n", name, mn_tokenizer_error(t)); break; }
        }
        if (!mn_is_error(cnt)) {
            qsort(tm, (size_t)reps, sizeof *tm, cmpd);
            /* a digest of the ids, so runs on different targets can be compared */
            unsigned long long h = 1469598103934665603ull;
            for (size_t i = 0; i < cnt; i++) h = (h ^ (unsigned)ids[i]) * 1099511628211ull;
            printf("{\"name\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"load_ms\":%.1f,\"median_s\":%.6f,\"mbps\":%.2f,\"digest\":\"%016llx\"}\n",
                   name, n, cnt, load * 1e3, tm[reps / 2], (double)n / tm[reps / 2] / 1e6, h);
        }
        fflush(stdout);
        free(ids);
        mn_tokenizer_free(t);
    }
    free(text);
    return 0;
}
