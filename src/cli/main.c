/* minnow CLI entry: dispatch to a command. Exit codes: 0 ok, 1 failure, 2 usage. */
#include "cli/cli.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#if defined(__wasi__)
#include <unistd.h>
#endif

static const mn_cli_cmd k_cmds[] = {
    {"version", "", "print the library version", mn_cmd_version},
    {"capabilities", "", "print the build's capabilities as JSON (target, SIMD, threads)", mn_cmd_capabilities},
    {"selftest", "[--threads N]", "check every vec128 op against the C reference and a parallel kernel", mn_cmd_selftest},
    {"id", "FILE...", "print each file's model id (BLAKE2b-256, hex)", mn_cmd_id},
    {"info", "FILE.gguf [--json]", "print a GGUF file's metadata and tensor table", mn_cmd_info},
    {"tokenize", "-t FILE [--add-special] [--parse-special] [...] < text", "print the token ids of stdin (HF encode; --help for options)", mn_cmd_tokenize},
    {"quantize", "IN.gguf OUT.gguf TYPE", "convert a model to a llama.cpp file type (Q8_0, Q4_K_M, ...)", mn_cmd_quantize},
    {"synth", "--shape NAME --vocab FILE [--type T] -o OUT.gguf", "write a seeded synthetic GGUF model (minnow synth --help)", mn_cmd_synth},
    {"detokenize", "-t FILE [--skip-special] [--jsonl] < ids", "print the text of the token ids on stdin (HF decode)", mn_cmd_detokenize},
    {"generate", "-m M.gguf -p TEXT [-n N] [...]", "generate text with a decoder model (--help for options)", mn_cmd_generate},
    {"perplexity", "-m M.gguf -f TEXT [--ctx C]", "perplexity and bits per byte of a text file", mn_cmd_perplexity},
    {"convert", "MODEL.bin [-t TOK.bin] -o OUT.gguf", "convert a llama2.c checkpoint to GGUF", mn_cmd_convert},
};

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

static void usage(FILE *f)
{
    fprintf(f, "usage: minnow COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s %s", k_cmds[i].name, k_cmds[i].usage);
        fprintf(f, "  %-28s %s\n", head, k_cmds[i].summary);
    }
}

int main(int argc, char **argv)
{
#if defined(__wasi__)
    /* WASI starts in "/": take the host's working directory from the launcher
     * (scripts/lib/run-wasi.mjs passes PWD) so relative paths mean what they do natively. */
    const char *pwd = getenv("PWD");
    if (pwd && *pwd) (void)chdir(pwd);
#endif
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) return mn_cmd_version(1, argv + 1);
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++)
        if (!strcmp(argv[1], k_cmds[i].name)) return k_cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "minnow: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
