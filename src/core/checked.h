/* Overflow-checked size arithmetic: sizes are size_t, never int, and every
 * product or sum computed from untrusted input goes through these. */
#ifndef MN_CORE_CHECKED_H
#define MN_CORE_CHECKED_H
#include <stddef.h>
#include <stdint.h>

/* @return 1 and *out = a*b, or 0 on overflow (then *out is unspecified). */
static inline int mn_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return 0;
    *out = a * b;
    return 1;
}
static inline int mn_add_size(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a) return 0;
    *out = a + b;
    return 1;
}
static inline int mn_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a != 0 && b > UINT64_MAX / a) return 0;
    *out = a * b;
    return 1;
}
static inline int mn_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (b > UINT64_MAX - a) return 0;
    *out = a + b;
    return 1;
}
#endif
