/* minnow CLI entry: dispatch to a command. Exit codes: 0 ok, 1 failure, 2 usage.
 * The shared helpers for option parsing, --help and error lines live here. */
#define _POSIX_C_SOURCE 200809L /* fileno, isatty */
#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#if defined(__EMSCRIPTEN__)
#include <emscripten.h> /* emscripten_run_script_int */
#endif
#if defined(__unix__) || defined(__APPLE__) || defined(__wasi__) || defined(__EMSCRIPTEN__)
#define MN_CLI_POSIX 1
#include <unistd.h> /* isatty, chdir */
#endif

void mn_cli_generate_options(FILE *f);
void mn_cli_perplexity_options(FILE *f);
void mn_cli_info_options(FILE *f);
void mn_cli_convert_options(FILE *f);
void mn_cli_quantize_options(FILE *f);
void mn_cli_synth_options(FILE *f);
void mn_cli_selftest_options(FILE *f);
void mn_cli_tokenize_options(FILE *f);
void mn_cli_detokenize_options(FILE *f);

/* In the order a user meets them: run a model, inspect and make files, tokenizers, build checks. */
static const mn_cli_cmd k_cmds[] = {
    {"generate", "-m MODEL.gguf [-p TEXT | -f FILE | --prompt-ids IDS] [-n N] [options]",
     "generate text with a decoder model", mn_cmd_generate, mn_cli_generate_options},
    {"perplexity", "-m MODEL.gguf -f TEXT [--ctx C] [--lines] [--threads N] [--batch B]",
     "perplexity and bits per byte of a text file", mn_cmd_perplexity, mn_cli_perplexity_options},
    {"info", "FILE.gguf [--json] [--full]", "print a GGUF file's metadata, tensors, model and memory needed",
     mn_cmd_info, mn_cli_info_options},
    {"convert", "MODEL.bin [-t TOKENIZER.bin] -o OUT.gguf", "convert a llama2.c checkpoint to GGUF", mn_cmd_convert,
     mn_cli_convert_options},
    {"quantize", "IN.gguf OUT.gguf TYPE [--pure] [--allow-requantize] [--inplace] [--threads N]",
     "convert a model to a llama.cpp file type (Q8_0, Q4_K_M, ...)", mn_cmd_quantize, mn_cli_quantize_options},
    {"synth", "--shape NAME --vocab FILE [--type T] [--seed N] -o OUT.gguf [...]",
     "write a seeded synthetic GGUF model", mn_cmd_synth, mn_cli_synth_options},
    {"tokenize", "-t FILE [--add-special] [--parse-special] [--offsets] [--jsonl | -z] [--strict] < text",
     "print the token ids of stdin (HF encode)", mn_cmd_tokenize, mn_cli_tokenize_options},
    {"detokenize", "-t FILE [--skip-special] [--jsonl] < ids", "print the text of the token ids on stdin (HF decode)",
     mn_cmd_detokenize, mn_cli_detokenize_options},
    {"id", "FILE...", "print each file's model id (BLAKE2b-256, hex)", mn_cmd_id, NULL},
    {"selftest", "[--threads N]", "check every vec128 op against the C reference and a parallel kernel",
     mn_cmd_selftest, mn_cli_selftest_options},
    {"capabilities", "", "print the build's capabilities as JSON (target, SIMD, threads)", mn_cmd_capabilities, NULL},
    {"version", "", "print the library version", mn_cmd_version, NULL},
};
#define N_CMDS (sizeof k_cmds / sizeof k_cmds[0])

static const mn_cli_cmd *find(const char *name)
{
    for (size_t i = 0; i < N_CMDS; i++)
        if (!strcmp(name, k_cmds[i].name)) return &k_cmds[i];
    return NULL;
}

int mn_cli_fail(int status, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "minnow: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (status) fprintf(stderr, " (%s)", mn_status_name(status));
    fprintf(stderr, "\n");
    return 1;
}

/* 1 if msg names path as a word of its own (start or a space before it; a
 * space, ':' or the end after it), as the library's file messages do */
static int names_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    for (const char *p = strstr(msg, path); n && p; p = strstr(p + 1, path))
        if ((p == msg || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ' || p[n] == ':')) return 1;
    return 0;
}

int mn_cli_fail_file(int status, const char *path, const char *msg)
{
    if (!msg || !*msg) msg = mn_status_message(status);
    if (path && *path && !names_path(msg, path)) return mn_cli_fail(status, "%s: %s", path, msg);
    return mn_cli_fail(status, "%s", msg);
}

int mn_cli_is_help(const char *arg) { return arg && (!strcmp(arg, "-h") || !strcmp(arg, "--help")); }

int mn_cli_help(const char *cmd)
{
    const mn_cli_cmd *c = find(cmd);
    if (!c) return 0;
    printf("usage: minnow %s%s%s\n%s\n", c->name, *c->usage ? " " : "", c->usage, c->summary);
    if (c->options) {
        printf("\n");
        c->options(stdout);
    }
    return 0;
}

int mn_cli_usage(const char *cmd, const char *fmt, ...)
{
    const mn_cli_cmd *c = find(cmd);
    va_list ap;
    fprintf(stderr, "minnow %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (c) fprintf(stderr, "usage: minnow %s%s%s   (--help: all options)\n", c->name, *c->usage ? " " : "", c->usage);
    return 2;
}

const char *mn_cli_value(const char *cmd, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        mn_cli_usage(cmd, "missing value for %s", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int mn_cli_parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s) return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int mn_cli_parse_u64(const char *s, uint64_t *out)
{
    /* strtoull accepts "-1" (and wraps it to 2^64-1) and leading spaces: digits only */
    if (!s || !*s) return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end) return -1; /* ERANGE: >= 2^64 */
    *out = (uint64_t)v;
    return 0;
}

int mn_cli_parse_float(const char *s, float *out)
{
    if (!s || !*s) return -1;
    char *end = NULL;
    double v = strtod(s, &end);
    if (*end || !(v == v) || v > 3.4e38 || v < -3.4e38) return -1; /* NaN, inf, beyond float */
    *out = (float)v;
    return 0;
}

int mn_cli_threads(const char *cmd, const char *s, long *out)
{
    int max = mn_threads_max();
    if (mn_cli_parse_int(s, 1, max, out) == 0) return 0;
    if (max == 1) return mn_cli_usage(cmd, "bad value for --threads: '%s' (this build has no threads: 1 only)", s);
    return mn_cli_usage(cmd, "bad value for --threads: '%s' (1..%d)", s, max);
}

int mn_cli_pool(long threads, mn_pool **pool)
{
    *pool = NULL;
    if (threads <= 1) return 0;
    mn_status st = mn_pool_create(pool, (int)threads);
    return st == MN_OK ? 0 : mn_cli_fail(st, "cannot start %ld threads", threads);
}

int mn_cli_isatty(FILE *f)
{
#if defined(__EMSCRIPTEN__)
    /* Emscripten's FS calls fds 0..2 terminals whatever they are: ask Node */
    char js[96];
    snprintf(js, sizeof js, "require('tty').isatty(%d) ? 1 : 0", fileno(f));
    return emscripten_run_script_int(js);
#elif defined(MN_CLI_POSIX)
    return isatty(fileno(f));
#else
    (void)f;
    return 0; /* elsewhere: behave as with a log file */
#endif
}

static void usage(FILE *f)
{
    size_t w = 0;
    for (size_t i = 0; i < N_CMDS; i++)
        if (strlen(k_cmds[i].name) > w) w = strlen(k_cmds[i].name);
    fprintf(f, "usage: minnow COMMAND [ARGS]   (minnow COMMAND --help: its arguments and options)\n\ncommands:\n");
    for (size_t i = 0; i < N_CMDS; i++) fprintf(f, "  %-*s  %s\n", (int)w, k_cmds[i].name, k_cmds[i].summary);
    fprintf(f, "\nexit status: 0 success, 1 failure, 2 usage error\n");
}

int main(int argc, char **argv)
{
#if defined(__wasi__)
    /* WASI starts in "/": take the host's working directory from the launcher
     * (scripts/lib/run-wasi.mjs passes PWD) so relative paths mean what they do natively. */
    const char *pwd = getenv("PWD");
    if (pwd && *pwd) (void)chdir(pwd);
#endif
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (mn_cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
        if (argc > 2 && find(argv[2])) return mn_cli_help(argv[2]); /* minnow help CMD */
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) return mn_cmd_version(1, argv + 1);
    const mn_cli_cmd *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "minnow: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (argc > 2 && mn_cli_is_help(argv[2])) return mn_cli_help(c->name);
    return c->run(argc - 1, argv + 1);
}
