/* The test runner: the same source on native, wasm/st, wasm/mt and WASI. */
#include "mtest.h"
#include "mt_suites.h"
#include "minnow.h"

#define MT_DECLARE(name) void suite_##name(void);
MT_SUITES(MT_DECLARE)

int main(int argc, char **argv)
{
    if (mt_parse_args(argc, argv, MN_SOURCE_DIR)) return 2;
    printf("minnow %s tests on %s (simd %s, threads max %d)\n", mn_version(), mn_target(), mn_simd_backend(), mn_threads_max());
#define MT_CALL(name) mt.suite = #name; suite_##name();
    MT_SUITES(MT_CALL)
    printf("%s: %d passed, %d failed\n", mn_target(), mt.passed, mt.failed);
    fflush(stdout);
    return mt.failed ? 1 : (mt.passed ? 0 : 3);
}
