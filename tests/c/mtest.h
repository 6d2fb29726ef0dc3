/*
 * mtest.h - the tiny test harness shared by every C test, on every target.
 *
 * A suite is a function `void suite_NAME(void)` listed in tests/c/suites.h;
 * it calls MT_RUN(test_fn) for each case. A case is `static void f(void)` that
 * uses MT_CHECK / MT_EQ_* ; the first failed check ends the case by
 * `return` (WASI has no setjmp/longjmp, so these macros only work in functions
 * returning void). In a helper that returns a value, call MT_NOTE_FAIL(...):
 * it marks the case failed and the helper carries on; the case fails at its end.
 * Golden files live in tests/golden/ and are compared byte for byte on every
 * target; `--write-golden` (native only, by convention) rewrites them.
 * The runner ends with one line: "<target>: N passed, M failed".
 */
#ifndef MTEST_H
#define MTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

typedef struct mt_state {
    int passed, failed;
    const char *filter;      /* run only cases whose "suite/case" contains it */
    const char *suite;       /* current suite name */
    const char *golden_dir;  /* tests/golden */
    const char *shared_dir;  /* ../shared, may be absent */
    const char *source_dir;  /* repository root */
    int write_golden;
    int case_failed;         /* set by mt_fail; the runner reads it after the case */
    char msg[512];           /* the first failure of the current case */
} mt_state;

extern mt_state mt;

/* Record a failure of the current case (the first message is kept). */
void mt_fail(const char *file, int line, const char *fmt, ...);
void mt_run_case(const char *name, void (*fn)(void));
/* Compare `len` bytes with tests/golden/<name> (or write them with --write-golden).
 * @return 1 if equal (or written), 0 after recording a failure. */
int mt_golden(const char *file, int line, const char *name, const void *data, size_t len);
/* Read a whole file relative to the shared dir; returns malloc'd buffer or NULL. */
unsigned char *mt_read_file(const char *path, size_t *len);
/* Parse [--source DIR] [--filter TEXT] [--write-golden]; @return 0, or 2 on bad usage. */
int mt_parse_args(int argc, char **argv, const char *default_source);
/* Deterministic PRNG for tests (splitmix64). */
uint64_t mt_rand(uint64_t *state);

#define MT_RUN(fn) mt_run_case(#fn, fn)
#define MT_FAIL(...) do { mt_fail(__FILE__, __LINE__, __VA_ARGS__); return; } while (0)
#define MT_NOTE_FAIL(...) mt_fail(__FILE__, __LINE__, __VA_ARGS__)
#define MT_CHECK(cond) do { if (!(cond)) MT_FAIL("check failed: %s", #cond); } while (0)
#define MT_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) MT_FAIL("%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define MT_EQ_U64(a, b) do { unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
    if (a_ != b_) MT_FAIL("%s == %s: %llu != %llu", #a, #b, a_, b_); } while (0)
#define MT_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) MT_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define MT_EQ_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) MT_FAIL("%s == %s over %zu bytes", #a, #b, (size_t)(n)); } while (0)
#define MT_OK(expr) do { int s_ = (int)(expr); if (s_ != 0) MT_FAIL("%s returned %d", #expr, s_); } while (0)
#define MT_GOLDEN(name, data, len) do { if (!mt_golden(__FILE__, __LINE__, (name), (data), (len))) return; } while (0)

#endif
