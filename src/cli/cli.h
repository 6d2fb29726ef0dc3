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
#endif
