/*
 * quant_internal.h - helpers shared by the quant_*.c kernel files (internal).
 *
 * Private integer ops on top of vec128 (kernel-internal, not part of the
 * vec128 contract). Their i16/i32 LANE LAYOUT IS ISA-SPECIFIC; only the sum
 * of all lanes is specified, and every kernel reduces them completely with
 * exact integer (mod 2^32) arithmetic, so results are the same everywhere:
 *
 *   mn_q_pair(u, s)     i16x8 whose lane sum is exactly sum_k u[k]*s[k]
 *                       (k = 0..15). PRECONDITION: every byte of u is in
 *                       [0, 63] (u unsigned, s any int8 incl. -128); each
 *                       lane then holds a sum of two products, |lane| <= 16128,
 *                       so two mn_q_pair results may be added with add_i16
 *                       without overflow (and further sums where the kernel
 *                       proves the bound).
 *                       SSE4.1: pmaddubsw (exact under the precondition);
 *                       wasm: i16x8.extmul_{low,high}_i8x16_s + add;
 *                       others: vec128 widen + mullo + add.
 *   mn_q_hadd(acc, p)   acc + (i32 lanes of pairwise sums of the i16 lanes of
 *                       p): pmaddwd(p, 1) / i32x4.extadd_pairwise_i16x8_s.
 *   mn_q_madd(acc, p, s16) acc + pmaddwd(p, splat16(s)) (exact; any i16).
 */
#ifndef MN_TENSOR_QUANT_INTERNAL_H
#define MN_TENSOR_QUANT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "simd/vec128.h"
#include "tensor/fp16.h"
#include "tensor/quant.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define MN_QK 32     /* legacy block size */
#define MN_QK_K 256  /* K-quant / TQ super-block size */

/* block sizes in bytes (ggml's sizeof(block_*)) */
#define MN_SZ_Q4_0 18
#define MN_SZ_Q4_1 20
#define MN_SZ_Q5_0 22
#define MN_SZ_Q5_1 24
#define MN_SZ_Q8_0 34
#define MN_SZ_Q8_1 36
#define MN_SZ_Q2_K 84
#define MN_SZ_Q3_K 110
#define MN_SZ_Q4_K 144
#define MN_SZ_Q5_K 176
#define MN_SZ_Q6_K 210
#define MN_SZ_Q8_K 292
#define MN_SZ_TQ1_0 54
#define MN_SZ_TQ2_0 66

static inline uint16_t mn_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mn_rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline int16_t mn_rdi16(const uint8_t *p) { return (int16_t)mn_rd16(p); }
static inline float mn_rdf32(const uint8_t *p) { return mn_u32_as_f32(mn_rd32(p)); }
static inline float mn_rdh(const uint8_t *p) { return mn_fp16_to_f32(mn_rd16(p)); }
static inline void mn_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void mn_wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* ggml's nearest_int (round half to even via the 1.5*2^23 trick), made total:
 * the argument is clamped to +-4194303 first and NaN gives 0. */
static inline int mn_nearest_int(float f)
{
    if (!(f == f)) return 0;
    if (f > 4194303.f) f = 4194303.f;
    if (f < -4194303.f) f = -4194303.f;
    float v = f + 12582912.f;
    return (int)(mn_f32_as_u32(v) & 0x007FFFFFu) - 0x00400000;
}
/* C's roundf (half away from zero) for |f| < 2^22, clamped like mn_nearest_int. */
static inline int mn_round_away(float f)
{
    if (!(f == f)) return 0;
    if (f > 4194303.f) f = 4194303.f;
    if (f < -4194303.f) f = -4194303.f;
    int i = (int)f;             /* truncates toward 0 */
    float fr = f - (float)i;    /* exact */
    if (fr >= 0.5f) i++;
    else if (fr <= -0.5f) i--;
    return i;
}
static inline float mn_fabsf(float f) { return mn_u32_as_f32(mn_f32_as_u32(f) & 0x7FFFFFFFu); }

/* ---- private vector ops (see the header comment) ---------------------- */
#if defined(__SSE4_1__) && !defined(MN_SIMD_FORCE_REF)
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s) { return _mm_maddubs_epi16(u, s); }
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return _mm_add_epi32(acc, _mm_madd_epi16(p, _mm_set1_epi16(1))); }
#elif defined(__wasm_simd128__) && !defined(MN_SIMD_FORCE_REF)
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s) { return wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(u, s), wasm_i16x8_extmul_high_i8x16(u, s)); }
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(p)); }
#else
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s)
{
    return mn_vi_add_i16(mn_vi_mullo_i16(mn_vi_widen_lo_u8_i16(u), mn_vi_widen_lo_i8_i16(s)),
                         mn_vi_mullo_i16(mn_vi_widen_hi_u8_i16(u), mn_vi_widen_hi_i8_i16(s)));
}
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return mn_vi_add_i32(acc, mn_vi_madd_i16(p, mn_vi_splat_i16(1))); }
#endif
static inline mn_vi mn_q_madd(mn_vi acc, mn_vi p, int s) { return mn_vi_add_i32(acc, mn_vi_madd_i16(p, mn_vi_splat_i16((int16_t)s))); }

/* [hsum(a), hsum(b), hsum(c), hsum(d)] (wrapping i32). */
static inline mn_vi mn_q_hsum4(mn_vi a, mn_vi b, mn_vi c, mn_vi d)
{
    mn_vi ab = mn_vi_add_i32(mn_vi_zip_lo_i32(a, b), mn_vi_zip_hi_i32(a, b)); /* a0+a2 b0+b2 a1+a3 b1+b3 */
    mn_vi cd = mn_vi_add_i32(mn_vi_zip_lo_i32(c, d), mn_vi_zip_hi_i32(c, d));
    return mn_vi_add_i32(mn_vi_zip_lo_i64(ab, cd), mn_vi_zip_hi_i64(ab, cd));
}

/* f16 bits in the low 16 bits of each i32 lane -> f32 (exact, = mn_fp16_to_f32). */
static inline mn_vf mn_q_f16x4_to_f32(mn_vi h)
{
    mn_vi sign = mn_vi_slli_i32(mn_vi_and(h, mn_vi_splat_i32(0x8000)), 16);
    mn_vi em = mn_vi_and(h, mn_vi_splat_i32(0x7FFF));
    mn_vi sh = mn_vi_slli_i32(em, 13);
    mn_vf fin = mn_vf_mul(mn_vi_as_vf(sh), mn_vf_splat(0x1p112f));          /* normals and subnormals, exact */
    mn_vi special = mn_vi_gt_i32(em, mn_vi_splat_i32(0x7BFF));              /* inf / NaN */
    mn_vi spec = mn_vi_or(sh, mn_vi_splat_i32(0x7F800000));
    mn_vi bits = mn_vi_bitselect(special, spec, mn_vf_as_vi(fin));
    return mn_vi_as_vf(mn_vi_or(bits, sign));
}
/* Gather the u16 at p + k*stride (k = 0..3) into i32 lanes and convert. */
static inline mn_vf mn_q_load_f16x4(const uint8_t *p, size_t stride)
{
    uint32_t t[4] = {mn_rd16(p), mn_rd16(p + stride), mn_rd16(p + 2 * stride), mn_rd16(p + 3 * stride)};
    return mn_q_f16x4_to_f32(mn_vi_load(t));
}

/* Kernel entry points (quant_legacy.c, quant_k.c, quant_tq.c, quant_float.c). */
#define MN_Q_DECL(T) \
    void mn_dequantize_row_##T(const void *src, float *dst, size_t n); \
    void mn_dequantize_row_##T##_ref(const void *src, float *dst, size_t n); \
    float mn_vec_dot_##T(const void *w, const void *x, size_t n); \
    float mn_vec_dot_##T##_ref(const void *w, const void *x, size_t n); \
    void mn_quantize_row_##T(const float *src, void *dst, size_t n);
MN_Q_DECL(q4_0) MN_Q_DECL(q4_1) MN_Q_DECL(q5_0) MN_Q_DECL(q5_1) MN_Q_DECL(q8_0) MN_Q_DECL(q8_1)
MN_Q_DECL(q2_K) MN_Q_DECL(q3_K) MN_Q_DECL(q4_K) MN_Q_DECL(q5_K) MN_Q_DECL(q6_K) MN_Q_DECL(q8_K)
MN_Q_DECL(tq1_0) MN_Q_DECL(tq2_0) MN_Q_DECL(f32) MN_Q_DECL(f16) MN_Q_DECL(bf16)
#undef MN_Q_DECL
#endif
