/* version, capabilities, selftest, id */
#include "cli/cli.h"
#include <errno.h>
#include <string.h>

/* A command without options: 1 and the exit code in *rc when there are
 * arguments (--help, or anything else: a usage error). */
static int answered(const char *cmd, int argc, char **argv, int *rc)
{
    if (argc < 2) return 0;
    *rc = mn_cli_is_help(argv[1]) ? mn_cli_help(cmd) : mn_cli_usage(cmd, "unexpected argument '%s'", argv[1]);
    return 1;
}

int mn_cmd_version(int argc, char **argv)
{
    int rc;
    if (answered("version", argc, argv, &rc)) return rc;
    printf("minnow %s\n", mn_version());
    return 0;
}

int mn_cmd_capabilities(int argc, char **argv)
{
    int rc;
    if (answered("capabilities", argc, argv, &rc)) return rc;
    char buf[512];
    size_t n = mn_capabilities(buf, sizeof buf);
    if (mn_is_error(n)) return mn_cli_fail(mn_error_code(n), "capabilities");
    printf("%s\n", buf);
    return 0;
}

void mn_cli_selftest_options(FILE *f)
{
    fprintf(f, "  --threads N   workers for the parallel-kernel check: 1..%d (default %d)\n", mn_threads_max(),
            mn_threads_max() < 4 ? mn_threads_max() : 4);
}

int mn_cmd_selftest(int argc, char **argv)
{
    long threads = mn_threads_max() < 4 ? mn_threads_max() : 4;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (mn_cli_is_help(argv[i])) return mn_cli_help("selftest");
        if (!strcmp(argv[i], "--threads")) {
            if (!(v = mn_cli_value("selftest", argc, argv, &i))) return 2;
            if (mn_cli_threads("selftest", v, &threads)) return 2;
        } else {
            return mn_cli_usage("selftest", "unknown option '%s'", argv[i]);
        }
    }
    char report[1024];
    mn_status st = mn_selftest((int)threads, report, sizeof report);
    printf("minnow %s on %s, simd %s, threads %s (max %d)\n%s", mn_version(), mn_target(), mn_simd_backend(),
           mn_threads_supported() ? "yes" : "no", mn_threads_max(), report);
    if (st != MN_OK) return mn_cli_fail(st, "selftest failed");
    printf("selftest: ok\n");
    return 0;
}

int mn_cmd_id(int argc, char **argv)
{
    int rc = 0, files = 0, opts = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && mn_cli_is_help(a)) return mn_cli_help("id");
        if (opts && !strcmp(a, "--")) { opts = 0; continue; }
        if (opts && a[0] == '-' && a[1]) return mn_cli_usage("id", "unknown option '%s' (a file named so: minnow id -- %s)", a, a);
    }
    opts = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && !strcmp(a, "--")) { opts = 0; continue; }
        files++;
        uint8_t id[MN_MODEL_ID_BYTES];
        char hex[MN_MODEL_ID_HEX_BYTES];
        errno = 0;
        mn_status st = mn_model_id_file(id, a);
        if (st != MN_OK) {
            rc = mn_cli_fail(st, "cannot hash %s%s%s", a, st == MN_E_IO && errno ? ": " : "", st == MN_E_IO && errno ? strerror(errno) : "");
            continue;
        }
        mn_hex(hex, sizeof hex, id, sizeof id);
        printf("%s  %s\n", hex, a);
    }
    if (!files) return mn_cli_usage("id", "no file given");
    return rc;
}
