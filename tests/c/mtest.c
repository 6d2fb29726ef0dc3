/* mtest.c - the harness functions declared in mtest.h (no library needed, so
 * the standalone vec128 runner for aarch64 links it too). */
#include "mtest.h"
#include <stdarg.h>
#include <stdlib.h>

mt_state mt;

void mt_fail(const char *file, int line, const char *fmt, ...)
{
    if (mt.case_failed++) return; /* keep the first message */
    va_list ap;
    int n = snprintf(mt.msg, sizeof mt.msg, "%s:%d: ", file, line);
    if (n < 0) n = 0;
    va_start(ap, fmt);
    vsnprintf(mt.msg + n, sizeof mt.msg - (size_t)n, fmt, ap);
    va_end(ap);
}

void mt_run_case(const char *name, void (*fn)(void))
{
    char full[256];
    snprintf(full, sizeof full, "%s/%s", mt.suite, name);
    if (mt.filter && !strstr(full, mt.filter)) return;
    mt.msg[0] = 0;
    mt.case_failed = 0;
    fn();
    if (!mt.case_failed) {
        mt.passed++;
        printf("ok   %s\n", full);
    } else {
        mt.failed++;
        printf("FAIL %s: %s\n", full, mt.msg);
    }
    fflush(stdout);
}

unsigned char *mt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb; cap *= 2;
    }
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int mt_golden(const char *file, int line, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", mt.golden_dir, name);
    if (mt.write_golden) {
        FILE *f = fopen(path, "wb");
        int ok = f && fwrite(data, 1, len, f) == len;
        if (f) fclose(f);
        if (!ok) mt_fail(file, line, "cannot write golden %s", path);
        return ok;
    }
    size_t glen = 0;
    unsigned char *g = mt_read_file(path, &glen);
    if (!g) {
        mt_fail(file, line, "missing golden file %s (run scripts/regen-golden)", path);
        return 0;
    }
    int same = glen == len && memcmp(g, data, len) == 0;
    size_t at = 0;
    while (at < len && at < glen && ((const unsigned char *)data)[at] == g[at]) at++;
    free(g);
    if (!same) mt_fail(file, line, "output differs from golden %s (%zu vs %zu bytes, first difference at byte %zu)", name, len, glen, at);
    return same;
}

uint64_t mt_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}


int mt_parse_args(int argc, char **argv, const char *default_source)
{
    mt.source_dir = default_source;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--write-golden")) mt.write_golden = 1;
        else if (!strcmp(argv[i], "--source") && i + 1 < argc) mt.source_dir = argv[++i];
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc) mt.filter = argv[++i];
        else { fprintf(stderr, "usage: %s [--source DIR] [--filter TEXT] [--write-golden]\n", argv[0]); return 2; }
    }
    static char golden[1024], shared[1024];
    snprintf(golden, sizeof golden, "%s/tests/golden", mt.source_dir);
    snprintf(shared, sizeof shared, "%s/../shared", mt.source_dir);
    mt.golden_dir = golden;
    mt.shared_dir = shared;
    return 0;
}
