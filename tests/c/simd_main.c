/*
 * simd_main.c - a standalone runner for the vec128 suite alone, for targets
 * where the whole library is not built (scripts/check-aarch64), and for quick
 * checks on any target. Links tests/c/mtest.c (the harness) but neither
 * minnow.h nor the library. Built with -DMN_WITH_QUANT it also runs the quant
 * suite (tests/c/test_quant.c: every kernel == its _ref, numpy vectors, GEMV
 * goldens), linked with the src/tensor sources and the core files they need.
 *
 *   simd_main [--source DIR] [--filter TEXT] [--write-golden]
 */
#include "mtest.h"
#include "../../src/simd/vec128.h"

#ifndef MN_SOURCE_DIR
#define MN_SOURCE_DIR "."
#endif

#if defined(__wasi__)
#define SIMD_MAIN_TARGET "wasm32-wasi"
#elif defined(__EMSCRIPTEN__)
#define SIMD_MAIN_TARGET "wasm32-emscripten"
#elif defined(__aarch64__)
#define SIMD_MAIN_TARGET "aarch64-linux"
#elif defined(__x86_64__)
#define SIMD_MAIN_TARGET "x86_64-linux"
#else
#define SIMD_MAIN_TARGET "unknown"
#endif

void suite_vec128(void);
#ifdef MN_WITH_QUANT
void suite_quant(void);
#endif

int main(int argc, char **argv)
{
    if (mt_parse_args(argc, argv, MN_SOURCE_DIR)) return 2;
    printf("minnow vec128 tests on %s (simd %s)\n", SIMD_MAIN_TARGET, MN_SIMD_BACKEND_NAME);
    mt.suite = "vec128";
    suite_vec128();
#ifdef MN_WITH_QUANT
    mt.suite = "quant";
    suite_quant();
#endif
    printf("%s: %d passed, %d failed\n", SIMD_MAIN_TARGET, mt.passed, mt.failed);
    fflush(stdout);
    return mt.failed ? 1 : (mt.passed ? 0 : 3);
}
