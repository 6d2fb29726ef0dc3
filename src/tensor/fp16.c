/* fp16.c - F16 / BF16 rounding conversions (see fp16.h for the contract). */
#include "tensor/fp16.h"

uint16_t mn_f32_to_fp16(float f)
{
    uint32_t u = mn_f32_as_u32(f);
    uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) return (uint16_t)(sign | 0x7E00u | ((a >> 13) & 0x3FFu)); /* NaN */
    if (a >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);  /* >= 65520 (or inf) -> inf */
    if (a < 0x38800000u) {                                      /* below 2^-14: subnormal f16 */
        uint32_t e = a >> 23;
        if (e < 102) return (uint16_t)sign;                     /* < 2^-25: rounds to 0 */
        uint32_t m = (a & 0x7FFFFFu) | 0x800000u, s = 126u - e;  /* value / 2^-24 = m >> s */
        uint32_t q = m >> s, rem = m & ((1u << s) - 1u), half = 1u << (s - 1u);
        if (rem > half || (rem == half && (q & 1u))) q++;       /* may carry into 0x400 = 2^-14 */
        return (uint16_t)(sign | q);
    }
    uint32_t r = a - 0x38000000u;                               /* rebias 127 -> 15 */
    uint32_t q = r >> 13, rem = r & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) q++;     /* carry may bump the exponent */
    return (uint16_t)(sign | q);
}

uint16_t mn_f32_to_bf16(float f)
{
    uint32_t u = mn_f32_as_u32(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

void mn_fp16_to_f32_row(const uint16_t *src, float *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = mn_fp16_to_f32(src[i]); }
void mn_f32_to_fp16_row(const float *src, uint16_t *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = mn_f32_to_fp16(src[i]); }
void mn_bf16_to_f32_row(const uint16_t *src, float *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = mn_bf16_to_f32(src[i]); }
void mn_f32_to_bf16_row(const float *src, uint16_t *dst, size_t n) { for (size_t i = 0; i < n; i++) dst[i] = mn_f32_to_bf16(src[i]); }
