/* version, capabilities, selftest, id */
#include "cli/cli.h"
#include <string.h>

int mn_cmd_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("minnow %s\n", mn_version());
    return 0;
}

int mn_cmd_capabilities(int argc, char **argv)
{
    (void)argc; (void)argv;
    char buf[512];
    size_t n = mn_capabilities(buf, sizeof buf);
    if (mn_is_error(n)) return mn_cli_fail(mn_error_code(n), "capabilities");
    printf("%s\n", buf);
    return 0;
}

int mn_cmd_selftest(int argc, char **argv)
{
    long threads = mn_threads_supported() ? 4 : 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (mn_cli_parse_int(argv[++i], 1, mn_threads_max(), &threads))
                return mn_cli_fail(MN_E_INVALID_ARG, "--threads takes 1..%d", mn_threads_max());
        } else {
            fprintf(stderr, "usage: minnow selftest [--threads N]\n");
            return 2;
        }
    }
    if (threads > mn_threads_max()) threads = mn_threads_max();
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
    if (argc < 2) {
        fprintf(stderr, "usage: minnow id FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        uint8_t id[MN_MODEL_ID_BYTES];
        char hex[MN_MODEL_ID_HEX_BYTES];
        mn_status st = mn_model_id_file(id, argv[i]);
        if (st != MN_OK) { rc = mn_cli_fail(st, "cannot hash %s", argv[i]); continue; }
        mn_hex(hex, sizeof hex, id, sizeof id);
        printf("%s  %s\n", hex, argv[i]);
    }
    return rc;
}
