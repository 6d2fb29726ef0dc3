/*
 * fp16.h - IEEE binary16 (F16) and bfloat16 (BF16) <-> binary32, in plain C.
 *
 * No F16C / NEON fp16 instructions: every target computes the same bits.
 *  - f16 -> f32 and bf16 -> f32 are exact (every f16/bf16 value is an f32).
 *    NaNs keep sign and payload (f16 payload p becomes p << 13; bf16 is the
 *    top half of the f32 bits).
 *  - f32 -> f16 rounds to nearest, ties to even; results beyond the largest
 *    finite f16 (65504) round to +-inf exactly as IEEE says (>= 65520 -> inf);
 *    f16 subnormals are produced (no flush to zero); -0 stays -0.
 *    NaN -> sign | 0x7E00 | top 9 payload bits (always a quiet NaN).
 *  - f32 -> bf16 rounds to nearest, ties to even (may overflow to inf).
 *    NaN -> sign | 0x7FC0 | top payload bits (quiet NaN; a NaN never becomes inf).
 */
#ifndef MN_TENSOR_FP16_H
#define MN_TENSOR_FP16_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline float mn_u32_as_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t mn_f32_as_u32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* exact */
static inline float mn_fp16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0x1F) return mn_u32_as_f32(sign | 0x7F800000u | (m << 13));
    if (e == 0) {
        /* zero or subnormal: m * 2^-24, exact in f32 (a normal f32 for m > 0) */
        float v = (float)m * 0x1p-24f;
        return mn_u32_as_f32(mn_f32_as_u32(v) | sign);
    }
    return mn_u32_as_f32(sign | ((e + 112u) << 23) | (m << 13));
}

static inline float mn_bf16_to_f32(uint16_t h) { return mn_u32_as_f32((uint32_t)h << 16); }

uint16_t mn_f32_to_fp16(float f);
uint16_t mn_f32_to_bf16(float f);

void mn_fp16_to_f32_row(const uint16_t *src, float *dst, size_t n);
void mn_f32_to_fp16_row(const float *src, uint16_t *dst, size_t n);
void mn_bf16_to_f32_row(const uint16_t *src, float *dst, size_t n);
void mn_f32_to_bf16_row(const float *src, uint16_t *dst, size_t n);
#endif
