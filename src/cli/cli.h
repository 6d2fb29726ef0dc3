/* The minnow CLI: one file per command group, one table in main.c. */
#ifndef MN_CLI_H
#define MN_CLI_H
#include "minnow.h"
#include <stdio.h>

/* Exit codes: 0 ok, 1 failure, 2 usage (a bad option, a bad option value,
 * a missing argument). `minnow CMD --help` prints the command's usage line,
 * summary and options on stdout and exits 0 (main.c answers it when --help
 * is the first argument; commands also accept it anywhere an option may be). */
typedef struct mn_cli_cmd {
    const char *name;
    const char *usage;   /* one line: arguments */
    const char *summary; /* one line: what it does */
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns exit code */
    void (*options)(FILE *f);          /* the option lines of --help; NULL: none */
} mn_cli_cmd;

#if defined(__GNUC__) || defined(__clang__)
#define MN_CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MN_CLI_PRINTF(a, b)
#endif

/* Print "minnow: <msg>" plus the status name to stderr; returns exit code 1. */
int mn_cli_fail(int status, const char *fmt, ...) MN_CLI_PRINTF(2, 3);
/* A failure about a file: "minnow: PATH: MSG (STATUS)", without repeating
 * PATH when the library's message already names it; returns 1. */
int mn_cli_fail_file(int status, const char *path, const char *msg);
/* 1 if arg is -h or --help. */
int mn_cli_is_help(const char *arg);
/* --help of a command: usage, summary and options on stdout; returns 0. */
int mn_cli_help(const char *cmd);
/* A usage error: "minnow CMD: <msg>" and the usage line on stderr; returns 2. */
int mn_cli_usage(const char *cmd, const char *fmt, ...) MN_CLI_PRINTF(2, 3);
/* The value of option argv[*i] (advancing *i), or NULL after printing
 * "missing value for OPT" (the caller returns 2). */
const char *mn_cli_value(const char *cmd, int argc, char **argv, int *i);
/* Parse a decimal integer in [lo, hi]; returns 0 on success. */
int mn_cli_parse_int(const char *s, long lo, long hi, long *out);
/* Parse a decimal unsigned 64-bit integer (no sign, no wrap-around: "-1"
 * and values >= 2^64 are refused); returns 0 on success. */
int mn_cli_parse_u64(const char *s, uint64_t *out);
/* Parse a finite float; returns 0 on success. */
int mn_cli_parse_float(const char *s, float *out);
/* --threads N: 1..mn_threads_max(); on a bad value prints why, returns 2
 * (else 0). */
int mn_cli_threads(const char *cmd, const char *s, long *out);
/* A pool for `threads` threads (*pool = NULL for 1: the caller's thread
 * only); on failure prints why and returns the exit code (else 0). */
int mn_cli_pool(long threads, mn_pool **pool);

int mn_cmd_version(int argc, char **argv);
int mn_cmd_capabilities(int argc, char **argv);
int mn_cmd_selftest(int argc, char **argv);
int mn_cmd_id(int argc, char **argv);
int mn_cmd_info(int argc, char **argv);
int mn_cmd_tokenize(int argc, char **argv);
int mn_cmd_detokenize(int argc, char **argv);
int mn_cmd_synth(int argc, char **argv);
int mn_cmd_quantize(int argc, char **argv);
int mn_cmd_generate(int argc, char **argv);
int mn_cmd_perplexity(int argc, char **argv);
int mn_cmd_convert(int argc, char **argv);
/* Whole file into a malloc'd buffer (NULL on failure, errno kept); *len its size. */
unsigned char *mn_cli_read_file(const char *path, size_t *len);
/* "minnow: cannot read PATH: <strerror(errno)> (MN_E_IO)"; returns 1. Set errno = 0 before the read. */
int mn_cli_fail_read(const char *path);
/* 1 if f is a terminal (progress lines with \r, a line break before a summary). */
int mn_cli_isatty(FILE *f);
/* Monotonic clock in milliseconds (timings printed on stderr). */
double mn_cli_now_ms(void);
#endif
