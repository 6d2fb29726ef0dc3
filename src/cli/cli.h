/* The minnow CLI: one file per command group, one table in main.c. */
#ifndef MN_CLI_H
#define MN_CLI_H
#include "minnow.h"
#include <stdio.h>

typedef struct mn_cli_cmd {
    const char *name;
    const char *usage;   /* one line: arguments */
    const char *summary; /* one line: what it does */
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns exit code */
} mn_cli_cmd;

/* Print "minnow: <msg>" plus the status name to stderr; returns exit code 1. */
int mn_cli_fail(int status, const char *fmt, ...);
/* Parse a non-negative int option value; returns 0 on success. */
int mn_cli_parse_int(const char *s, long lo, long hi, long *out);

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
/* Whole file into a malloc'd buffer (NULL on failure); *len its size. */
unsigned char *mn_cli_read_file(const char *path, size_t *len);
/* minnow info: the decoder-model lines (cmd_generate.c). */
void mn_cli_model_summary(const char *path);
/* Monotonic clock in milliseconds (timings printed on stderr). */
double mn_cli_now_ms(void);
#endif
