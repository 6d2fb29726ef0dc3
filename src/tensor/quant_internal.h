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
 *   mn_q_mul8(w, x)     i16x8 whose lane sum is exactly sum_k w[k]*x[k] (both
 *                       int8). PRECONDITION: no byte of x is -128 (w may be);
 *                       then |lane| <= 32512. SSE4.1: pmaddubsw(|w|,
 *                       sign(x, w)); wasm: extmul low + high; others: widen.
 *   mn_q_any(v)         1 if any bit of v is set.
 *   mn_q_sum4_i16(a, b, c, d)  [sum(a), sum(b), sum(c), sum(d)] as i32 lanes,
 *                       IN THIS ORDER (the one op here with a fixed layout).
 *                       PRECONDITION: |lane| <= 8191, so partial sums of four
 *                       lanes fit i16. SSE4.1: phaddw, phaddw, pmaddwd(1).
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

/* Little-endian loads: one unaligned load on little-endian hosts (every
 * minnow target; clang for wasm does not merge byte loads), bytes otherwise. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint16_t mn_rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t mn_rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
#else
static inline uint16_t mn_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mn_rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
#endif
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

/* MN_Q_X16: the GEMV/GEMM kernels of the 32-blocks multiply int16 lanes
 * (pmaddwd-style dot, exact for every int8) against activations widened to
 * int16 once per activation row (mn_qx_prep.x16), instead of pmaddubsw on
 * bytes. Chosen where there is no cheap u8 x i8 multiply-add: wasm simd128
 * (whose extmul lowers to several x86 instructions in V8), NEON and the plain
 * C backend; SSE4.1 keeps pmaddubsw. */
#if defined(__SSE4_1__) && !defined(MN_SIMD_FORCE_REF)
#define MN_Q_X16 0
#else
#define MN_Q_X16 1
#endif

/* ---- private vector ops (see the header comment) ---------------------- */
#if defined(__SSE4_1__) && !defined(MN_SIMD_FORCE_REF)
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s) { return _mm_maddubs_epi16(u, s); }
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return _mm_add_epi32(acc, _mm_madd_epi16(p, _mm_set1_epi16(1))); }
static inline mn_vi mn_q_mul8(mn_vi w, mn_vi x) { return _mm_maddubs_epi16(_mm_abs_epi8(w), _mm_sign_epi8(x, w)); }
static inline int mn_q_any(mn_vi v) { return !_mm_testz_si128(v, v); }
static inline mn_vi mn_q_sum4_i16(mn_vi a, mn_vi b, mn_vi c, mn_vi d)
{
    return _mm_madd_epi16(_mm_hadd_epi16(_mm_hadd_epi16(a, b), _mm_hadd_epi16(c, d)), _mm_set1_epi16(1));
}
#elif defined(__wasm_simd128__) && !defined(MN_SIMD_FORCE_REF)
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s) { return wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(u, s), wasm_i16x8_extmul_high_i8x16(u, s)); }
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(p)); }
static inline mn_vi mn_q_mul8(mn_vi w, mn_vi x) { return wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(w, x), wasm_i16x8_extmul_high_i8x16(w, x)); }
static inline int mn_q_any(mn_vi v) { return wasm_v128_any_true(v); }
/* two halving rounds of (even + odd) i16 lanes, then pairwise to i32 */
static inline mn_vi mn_q_hadd16(mn_vi a, mn_vi b)
{
    return wasm_i16x8_add(wasm_i16x8_shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14), wasm_i16x8_shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15));
}
static inline mn_vi mn_q_sum4_i16(mn_vi a, mn_vi b, mn_vi c, mn_vi d)
{
    return wasm_i32x4_extadd_pairwise_i16x8(mn_q_hadd16(mn_q_hadd16(a, b), mn_q_hadd16(c, d)));
}
#else
static inline mn_vi mn_q_pair(mn_vi u, mn_vi s)
{
    return mn_vi_add_i16(mn_vi_mullo_i16(mn_vi_widen_lo_u8_i16(u), mn_vi_widen_lo_i8_i16(s)),
                         mn_vi_mullo_i16(mn_vi_widen_hi_u8_i16(u), mn_vi_widen_hi_i8_i16(s)));
}
static inline mn_vi mn_q_hadd(mn_vi acc, mn_vi p) { return mn_vi_add_i32(acc, mn_vi_madd_i16(p, mn_vi_splat_i16(1))); }
static inline mn_vi mn_q_mul8(mn_vi w, mn_vi x)
{
    return mn_vi_add_i16(mn_vi_mullo_i16(mn_vi_widen_lo_i8_i16(w), mn_vi_widen_lo_i8_i16(x)),
                         mn_vi_mullo_i16(mn_vi_widen_hi_i8_i16(w), mn_vi_widen_hi_i8_i16(x)));
}
static inline int mn_q_any(mn_vi v) { mn_vi z = mn_vi_zero(); return mn_vi_hsum_i32(mn_vi_sub_i32(z, mn_vi_eq_i32(mn_vi_eq_i32(v, z), z))) != 0; }
#define MN_Q_SUM4_GENERIC 1
#endif
static inline mn_vi mn_q_madd(mn_vi acc, mn_vi p, int s) { return mn_vi_add_i32(acc, mn_vi_madd_i16(p, mn_vi_splat_i16((int16_t)s))); }

/* [hsum(a), hsum(b), hsum(c), hsum(d)] (wrapping i32). */
static inline mn_vi mn_q_hsum4(mn_vi a, mn_vi b, mn_vi c, mn_vi d)
{
    mn_vi ab = mn_vi_add_i32(mn_vi_zip_lo_i32(a, b), mn_vi_zip_hi_i32(a, b)); /* a0+a2 b0+b2 a1+a3 b1+b3 */
    mn_vi cd = mn_vi_add_i32(mn_vi_zip_lo_i32(c, d), mn_vi_zip_hi_i32(c, d));
    return mn_vi_add_i32(mn_vi_zip_lo_i64(ab, cd), mn_vi_zip_hi_i64(ab, cd));
}

#ifdef MN_Q_SUM4_GENERIC
static inline mn_vi mn_q_sum4_i16(mn_vi a, mn_vi b, mn_vi c, mn_vi d)
{
    mn_vi z = mn_vi_zero();
    return mn_q_hsum4(mn_q_hadd(z, a), mn_q_hadd(z, b), mn_q_hadd(z, c), mn_q_hadd(z, d));
}
#endif

/* f16 bits in the low 16 bits of each i32 lane -> f32 (exact, = mn_fp16_to_f32).
 * Fast path, 4 ops: (h << 16) >> 3 (arithmetic) puts sign, exponent and
 * mantissa where f32 has them, the and clears the 3 sign copies, and * 2^112
 * rebiases the exponent (exact for normals and subnormals, sign included).
 * Exponent 31 (inf/NaN) would come out finite: rare, detected and redone. */
static inline mn_vf mn_q_f16x4_to_f32_slow(mn_vi h)
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
static inline mn_vf mn_q_f16x4_to_f32(mn_vi h)
{
    mn_vi y = mn_vi_and(mn_vi_srai_i32(mn_vi_slli_i32(h, 16), 3), mn_vi_splat_i32((int32_t)0x8FFFFFFF));
    mn_vi e = mn_vi_and(y, mn_vi_splat_i32(0x0F800000));
    if (mn_q_any(mn_vi_eq_i32(e, mn_vi_splat_i32(0x0F800000)))) return mn_q_f16x4_to_f32_slow(h);
    return mn_vf_mul(mn_vi_as_vf(y), mn_vf_splat(0x1p112f));
}
/* Gather the u16 at p + k*stride (k = 0..3) into i32 lanes and convert. */
static inline mn_vf mn_q_load_f16x4(const uint8_t *p, size_t stride)
{
    uint32_t t[4] = {mn_rd16(p), mn_rd16(p + stride), mn_rd16(p + 2 * stride), mn_rd16(p + 3 * stride)};
    return mn_q_f16x4_to_f32(mn_vi_load(t));
}
/* "Raw" scales: the f16 at p + k*stride (k < cnt, 1..4; lanes >= cnt 0, not
 * read) as f32 bit patterns worth value * 2^-112 (exponent not rebiased;
 * exact, subnormal for small values), for a product with a factor carrying
 * 2^112 (mn_qx_prep's d112): (h << 16) >> 3 (arithmetic), sign copies
 * cleared. An inf/NaN f16 (exponent 31) would come out finite, so *bad
 * accumulates whether any had exponent 31, without a branch; a kernel that
 * finds it set at the end of a row computes that row again with exact
 * conversions (hostile files only). wasm: load16_lane into the high halves
 * and a vector check, constants from memory (V8 rebuilds v128 constants at
 * every use inside loops); elsewhere the check runs on the scalar side,
 * which has idle ports in these kernels. */
#if defined(__wasm_simd128__) && !defined(MN_SIMD_FORCE_REF)
typedef v128_t mn_q_bad;
static inline mn_q_bad mn_q_bad_none(void) { return wasm_i64x2_splat(0); }
static const int32_t mn_q_kexp[4] = {0x7C000000, 0x7C000000, 0x7C000000, 0x7C000000};
/* *bad keeps the unsigned max of (h << 16) & 0x7C000000 (the exponent bits):
 * 0x7C000000 exactly when some exponent was 31 (and + max: 2 instructions) */
static inline int mn_q_bad_any(mn_q_bad b) { return wasm_v128_any_true(wasm_i32x4_eq(b, wasm_v128_load(mn_q_kexp))); }
static inline mn_vf mn_q_scales_raw(const uint8_t *p, size_t stride, int cnt, mn_q_bad *bad)
{
    static const int32_t kmask[4] = {(int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF};
    v128_t v = wasm_i64x2_splat(0);
    v = wasm_v128_load16_lane(p, v, 1);
    if (cnt > 1) v = wasm_v128_load16_lane(p + stride, v, 3);
    if (cnt > 2) v = wasm_v128_load16_lane(p + 2 * stride, v, 5);
    if (cnt > 3) v = wasm_v128_load16_lane(p + 3 * stride, v, 7); /* lane k = h_k << 16 */
    *bad = wasm_u32x4_max(*bad, wasm_v128_and(v, wasm_v128_load(mn_q_kexp)));
    return wasm_v128_and(wasm_i32x4_shr(v, 3), wasm_v128_load(kmask));
}
#elif defined(__SSE4_1__) && !defined(MN_SIMD_FORCE_REF)
/* SSE4.1: pinsrw straight into the high halves (4 instructions instead of
 * 11 scalar loads, shifts and ors in these dispatch-bound loops); *bad keeps
 * the unsigned max of (h << 17), >= 0xF8000000 exactly when some exponent
 * was 31 (2 vector instructions instead of 5 scalar ones). */
typedef __m128i mn_q_bad;
static inline mn_q_bad mn_q_bad_none(void) { return _mm_setzero_si128(); }
static inline int mn_q_bad_any(mn_q_bad b)
{
    const __m128i lim = _mm_set1_epi32((int32_t)0xF7FFFFFFu);
    return _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_max_epu32(b, lim), lim)) != 0xFFFF;
}
static inline mn_vf mn_q_scales_raw(const uint8_t *p, size_t stride, int cnt, mn_q_bad *bad)
{
    __m128i v = _mm_insert_epi16(_mm_setzero_si128(), mn_rd16(p), 1);
    if (cnt > 1) v = _mm_insert_epi16(v, mn_rd16(p + stride), 3);
    if (cnt > 2) v = _mm_insert_epi16(v, mn_rd16(p + 2 * stride), 5);
    if (cnt > 3) v = _mm_insert_epi16(v, mn_rd16(p + 3 * stride), 7); /* lane k = h_k << 16 */
    *bad = _mm_max_epu32(*bad, _mm_slli_epi32(v, 1));
    return _mm_castsi128_ps(_mm_and_si128(_mm_srai_epi32(v, 3), _mm_set1_epi32((int32_t)0x8FFFFFFF)));
}
#else
typedef uint64_t mn_q_bad;
static inline mn_q_bad mn_q_bad_none(void) { return 0; }
static inline int mn_q_bad_any(mn_q_bad b) { return b != 0; }
static inline mn_vf mn_q_scales_raw(const uint8_t *p, size_t stride, int cnt, mn_q_bad *bad)
{
    uint64_t h = mn_rd16(p);
    if (cnt > 1) h |= (uint64_t)mn_rd16(p + stride) << 16;
    if (cnt > 2) h |= (uint64_t)mn_rd16(p + 2 * stride) << 32;
    if (cnt > 3) h |= (uint64_t)mn_rd16(p + 3 * stride) << 48;
    /* per 16-bit lane: exponent bits 0x7C00 + 0x0400 reaches bit 15 only when all set (no carries out) */
    *bad |= ((h & 0x7C007C007C007C00ull) + 0x0400040004000400ull) & 0x8000800080008000ull;
    mn_vi v = mn_vi_zip_lo_i16(mn_vi_zero(), mn_vi_load_lo64(&h)); /* lane k = h_k << 16 */
    return mn_vi_as_vf(mn_vi_and(mn_vi_srai_i32(v, 3), mn_vi_splat_i32((int32_t)0x8FFFFFFF)));
}
#endif

/* Loads from 16-byte aligned addresses (prepared activation data): SSE can
 * then fold them into the arithmetic instruction's memory operand. */
#if defined(__SSE4_1__) && !defined(MN_SIMD_FORCE_REF)
static inline mn_vi mn_q_loada(const void *p) { return _mm_load_si128((const __m128i *)p); }
static inline mn_vf mn_q_loadaf(const float *p) { return _mm_load_ps(p); }
#else
static inline mn_vi mn_q_loada(const void *p) { return mn_vi_load(p); }
static inline mn_vf mn_q_loadaf(const float *p) { return mn_vf_load(p); }
#endif

/* mn_q_load_f16x4 of the first cnt (1..4) of them, lanes >= cnt 0 (not read). */
static inline mn_vf mn_q_load_f16xn(const uint8_t *p, size_t stride, int cnt)
{
    uint32_t t[4] = {0, 0, 0, 0};
    for (int j = 0; j < cnt; j++) t[j] = mn_rd16(p + (size_t)j * stride);
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
/* scalar twins of the quantizers that have a vector path (and of the other
 * legacy ones, which are scalar: the same function under both names) */
void mn_quantize_row_q4_0_ref(const float *src, void *dst, size_t n);
void mn_quantize_row_q4_1_ref(const float *src, void *dst, size_t n);
void mn_quantize_row_q5_0_ref(const float *src, void *dst, size_t n);
void mn_quantize_row_q5_1_ref(const float *src, void *dst, size_t n);
void mn_quantize_row_q8_0_ref(const float *src, void *dst, size_t n);
void mn_quantize_row_q8_1_ref(const float *src, void *dst, size_t n);
/* x86-64 native builds: 1 if the VNNI Q4 GEMV may use GFNI (the CPU has it
 * and mn_q_vnni(2) did not turn it off) */
int mn_q_vnni_gfni(void);
void mn_gemv_rows_q4_0(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q4_1(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q5_0(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q5_1(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q8_0(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q8_1(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemv_rows_q4_0_r4(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst);
void mn_gemm_tile_q4_0(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
void mn_gemm_tile_q4_1(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
void mn_gemm_tile_q5_0(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
void mn_gemm_tile_q5_1(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
void mn_gemm_tile_q8_0(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
void mn_gemm_tile_q8_1(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, size_t ntok, size_t n, float *dst, size_t dstride);
#endif
