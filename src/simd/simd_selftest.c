/* simd_selftest.c - the vec128 backend checked against the C reference. */
#define MN_SIMD_WANT_OPTABLE
#include "simd_selftest.h"

#define MN_SIMD_SELFTEST_ITERS 3000

int mn_simd_selftest(char *report, size_t cap)
{
    int total = 0;
    char first[512];
    first[0] = 0;
    for (int i = 0; i < MN_SIMD_NOPS; i++) {
        char msg[512];
        msg[0] = 0;
        int bad = mn_simd_check_op(&mn_simd_ops[i], 0x5EED0000ull + (uint64_t)i, MN_SIMD_SELFTEST_ITERS, msg, sizeof msg);
        if (bad && !first[0]) memcpy(first, msg, sizeof first);
        total += bad;
    }
    if (report && cap) {
        if (total) snprintf(report, cap, "vec128 %s: %d ops, %d mismatches; first: %s", MN_SIMD_BACKEND_NAME, MN_SIMD_NOPS, total, first);
        else snprintf(report, cap, "vec128 %s: %d ops, 0 mismatches", MN_SIMD_BACKEND_NAME, MN_SIMD_NOPS);
    }
    return total;
}
