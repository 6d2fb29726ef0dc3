/*
 * vec128_sse41.h - SSE4.1 backend of the vec128 layer (x86-64).
 * Semantics: see vec128_ref.h (each op here equals its _ref twin bit for bit).
 * Included only through vec128.h. No FMA, no AVX.
 */
#ifndef MN_VEC128_SSE41_H
#define MN_VEC128_SSE41_H

#include <smmintrin.h>   /* SSE4.1 (+ SSSE3 pshufb, SSE2) */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#define MN_SIMD_BACKEND_NAME "sse4.1"
#define MN_SIMD_NATIVE 1

typedef __m128i mn_vi;
typedef __m128  mn_vf;

/* conversions to / from the reference representation (tests) */
static inline mn_v128r mn_vi_to_ref(mn_vi v) { mn_v128r r; _mm_storeu_si128((__m128i *)(void *)&r, v); return r; }
static inline mn_vi mn_vi_from_ref(mn_v128r r) { return _mm_loadu_si128((const __m128i *)(const void *)&r); }
static inline mn_v128r mn_vf_to_ref(mn_vf v) { mn_v128r r; _mm_storeu_si128((__m128i *)(void *)&r, _mm_castps_si128(v)); return r; }
static inline mn_vf mn_vf_from_ref(mn_v128r r) { return _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(const void *)&r)); }

/* memory */
static inline mn_vi mn_vi_load(const void *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void mn_vi_store(void *p, mn_vi v) { _mm_storeu_si128((__m128i *)p, v); }
static inline mn_vi mn_vi_load_partial(const void *p, size_t n)
{ unsigned char b[16] = {0}; memcpy(b, p, n < 16 ? n : 16); return _mm_loadu_si128((const __m128i *)(const void *)b); }
static inline void mn_vi_store_partial(void *p, mn_vi v, size_t n)
{ unsigned char b[16]; _mm_storeu_si128((__m128i *)(void *)b, v); memcpy(p, b, n < 16 ? n : 16); }
static inline mn_vi mn_vi_load_lo64(const void *p) { return _mm_loadl_epi64((const __m128i *)p); }
static inline mn_vf mn_vf_load(const float *p) { return _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(const void *)p)); }
static inline void mn_vf_store(float *p, mn_vf v) { _mm_storeu_si128((__m128i *)(void *)p, _mm_castps_si128(v)); }
static inline mn_vf mn_vf_load_partial(const float *p, size_t n)
{ float b[4] = {0}; memcpy(b, p, 4 * (n < 4 ? n : 4)); return mn_vf_load(b); }
static inline void mn_vf_store_partial(float *p, mn_vf v, size_t n)
{ float b[4]; mn_vf_store(b, v); memcpy(p, b, 4 * (n < 4 ? n : 4)); }

/* construction, lanes, casts */
static inline mn_vi mn_vi_zero(void) { return _mm_setzero_si128(); }
static inline mn_vf mn_vf_zero(void) { return _mm_setzero_ps(); }
static inline mn_vi mn_vi_splat_i8(int8_t x) { return _mm_set1_epi8(x); }
static inline mn_vi mn_vi_splat_i16(int16_t x) { return _mm_set1_epi16(x); }
static inline mn_vi mn_vi_splat_i32(int32_t x) { return _mm_set1_epi32(x); }
static inline mn_vf mn_vf_splat(float x) { uint32_t u; memcpy(&u, &x, 4); return _mm_castsi128_ps(_mm_set1_epi32((int32_t)u)); }
static inline int32_t mn_vi_extract_i32(mn_vi v, int lane) { int32_t b[4]; _mm_storeu_si128((__m128i *)(void *)b, v); return b[lane & 3]; }
static inline float mn_vf_extract(mn_vf v, int lane) { float b[4]; mn_vf_store(b, v); return b[lane & 3]; }
static inline mn_vf mn_vi_as_vf(mn_vi v) { return _mm_castsi128_ps(v); }
static inline mn_vi mn_vf_as_vi(mn_vf v) { return _mm_castps_si128(v); }

/* integer arithmetic */
static inline mn_vi mn_vi_add_i8(mn_vi a, mn_vi b) { return _mm_add_epi8(a, b); }
static inline mn_vi mn_vi_sub_i8(mn_vi a, mn_vi b) { return _mm_sub_epi8(a, b); }
static inline mn_vi mn_vi_add_i16(mn_vi a, mn_vi b) { return _mm_add_epi16(a, b); }
static inline mn_vi mn_vi_sub_i16(mn_vi a, mn_vi b) { return _mm_sub_epi16(a, b); }
static inline mn_vi mn_vi_add_i32(mn_vi a, mn_vi b) { return _mm_add_epi32(a, b); }
static inline mn_vi mn_vi_sub_i32(mn_vi a, mn_vi b) { return _mm_sub_epi32(a, b); }
static inline mn_vi mn_vi_adds_i16(mn_vi a, mn_vi b) { return _mm_adds_epi16(a, b); }
static inline mn_vi mn_vi_subs_i16(mn_vi a, mn_vi b) { return _mm_subs_epi16(a, b); }
static inline mn_vi mn_vi_mullo_i16(mn_vi a, mn_vi b) { return _mm_mullo_epi16(a, b); }
static inline mn_vi mn_vi_mullo_i32(mn_vi a, mn_vi b) { return _mm_mullo_epi32(a, b); }
static inline mn_vi mn_vi_madd_i16(mn_vi a, mn_vi b) { return _mm_madd_epi16(a, b); }
static inline mn_vi mn_vi_min_i32(mn_vi a, mn_vi b) { return _mm_min_epi32(a, b); }
static inline mn_vi mn_vi_max_i32(mn_vi a, mn_vi b) { return _mm_max_epi32(a, b); }

/* int8 dot products: sign-extend both halves to i16, pmaddwd, add.
 * (Not maddubs: that saturates and needs the sign trick, wrong at -128.) */
static inline mn_vi mn_vi_dot_i8_acc(mn_vi acc, mn_vi a, mn_vi b)
{
    __m128i lo = _mm_madd_epi16(_mm_cvtepi8_epi16(a), _mm_cvtepi8_epi16(b));
    __m128i hi = _mm_madd_epi16(_mm_cvtepi8_epi16(_mm_srli_si128(a, 8)), _mm_cvtepi8_epi16(_mm_srli_si128(b, 8)));
    return _mm_add_epi32(acc, _mm_add_epi32(lo, hi));
}
static inline mn_vi mn_vi_dot_u8i8_acc(mn_vi acc, mn_vi u, mn_vi s)
{
    __m128i lo = _mm_madd_epi16(_mm_cvtepu8_epi16(u), _mm_cvtepi8_epi16(s));
    __m128i hi = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_srli_si128(u, 8)), _mm_cvtepi8_epi16(_mm_srli_si128(s, 8)));
    return _mm_add_epi32(acc, _mm_add_epi32(lo, hi));
}

/* widening / narrowing */
static inline mn_vi mn_vi_widen_lo_i8_i16(mn_vi a) { return _mm_cvtepi8_epi16(a); }
static inline mn_vi mn_vi_widen_hi_i8_i16(mn_vi a) { return _mm_cvtepi8_epi16(_mm_srli_si128(a, 8)); }
static inline mn_vi mn_vi_widen_lo_u8_i16(mn_vi a) { return _mm_cvtepu8_epi16(a); }
static inline mn_vi mn_vi_widen_hi_u8_i16(mn_vi a) { return _mm_unpackhi_epi8(a, _mm_setzero_si128()); }
static inline mn_vi mn_vi_widen_lo_i16_i32(mn_vi a) { return _mm_cvtepi16_epi32(a); }
static inline mn_vi mn_vi_widen_hi_i16_i32(mn_vi a) { return _mm_cvtepi16_epi32(_mm_srli_si128(a, 8)); }
static inline mn_vi mn_vi_narrow_i32_i16_sat(mn_vi a, mn_vi b) { return _mm_packs_epi32(a, b); }
static inline mn_vi mn_vi_narrow_i16_i8_sat(mn_vi a, mn_vi b) { return _mm_packs_epi16(a, b); }
static inline mn_vi mn_vi_narrow_i16_u8_sat(mn_vi a, mn_vi b) { return _mm_packus_epi16(a, b); }

/* bitwise */
static inline mn_vi mn_vi_and(mn_vi a, mn_vi b) { return _mm_and_si128(a, b); }
static inline mn_vi mn_vi_or(mn_vi a, mn_vi b) { return _mm_or_si128(a, b); }
static inline mn_vi mn_vi_xor(mn_vi a, mn_vi b) { return _mm_xor_si128(a, b); }
static inline mn_vi mn_vi_andnot(mn_vi a, mn_vi b) { return _mm_andnot_si128(b, a); } /* a & ~b */
/* per bit (blendv would only look at byte sign bits) */
static inline mn_vi mn_vi_bitselect(mn_vi m, mn_vi a, mn_vi b) { return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b)); }

/* shifts (0 <= n < lane bits) */
static inline mn_vi mn_vi_slli_i16(mn_vi a, int n) { return _mm_sll_epi16(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_srli_i16(mn_vi a, int n) { return _mm_srl_epi16(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_srai_i16(mn_vi a, int n) { return _mm_sra_epi16(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_slli_i32(mn_vi a, int n) { return _mm_sll_epi32(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_srli_i32(mn_vi a, int n) { return _mm_srl_epi32(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_srai_i32(mn_vi a, int n) { return _mm_sra_epi32(a, _mm_cvtsi32_si128(n)); }
static inline mn_vi mn_vi_nib_lo_u8(mn_vi a) { return _mm_and_si128(a, _mm_set1_epi8(0x0F)); }
static inline mn_vi mn_vi_nib_hi_u8(mn_vi a) { return _mm_and_si128(_mm_srli_epi16(a, 4), _mm_set1_epi8(0x0F)); }

/* compares */
static inline mn_vi mn_vi_eq_i8(mn_vi a, mn_vi b) { return _mm_cmpeq_epi8(a, b); }
static inline mn_vi mn_vi_gt_i8(mn_vi a, mn_vi b) { return _mm_cmpgt_epi8(a, b); }
static inline mn_vi mn_vi_eq_i32(mn_vi a, mn_vi b) { return _mm_cmpeq_epi32(a, b); }
static inline mn_vi mn_vi_gt_i32(mn_vi a, mn_vi b) { return _mm_cmpgt_epi32(a, b); }
static inline mn_vi mn_vf_eq(mn_vf a, mn_vf b) { return _mm_castps_si128(_mm_cmpeq_ps(a, b)); }
static inline mn_vi mn_vf_lt(mn_vf a, mn_vf b) { return _mm_castps_si128(_mm_cmplt_ps(a, b)); }
static inline mn_vi mn_vf_le(mn_vf a, mn_vf b) { return _mm_castps_si128(_mm_cmple_ps(a, b)); }

/* shuffle: pshufb zeroes only when bit 7 is set and otherwise uses idx & 15;
 * adding 0x70 with unsigned saturation keeps 0..15 -> 0x70..0x7F (same low
 * nibble) and pushes 16..255 to >= 0x80 (-> 0). */
static inline mn_vi mn_vi_shuffle_i8(mn_vi table, mn_vi idx) { return _mm_shuffle_epi8(table, _mm_adds_epu8(idx, _mm_set1_epi8(0x70))); }
static inline mn_vi mn_vi_zip_lo_i8(mn_vi a, mn_vi b) { return _mm_unpacklo_epi8(a, b); }
static inline mn_vi mn_vi_zip_hi_i8(mn_vi a, mn_vi b) { return _mm_unpackhi_epi8(a, b); }
static inline mn_vi mn_vi_zip_lo_i16(mn_vi a, mn_vi b) { return _mm_unpacklo_epi16(a, b); }
static inline mn_vi mn_vi_zip_hi_i16(mn_vi a, mn_vi b) { return _mm_unpackhi_epi16(a, b); }
static inline mn_vi mn_vi_zip_lo_i32(mn_vi a, mn_vi b) { return _mm_unpacklo_epi32(a, b); }
static inline mn_vi mn_vi_zip_hi_i32(mn_vi a, mn_vi b) { return _mm_unpackhi_epi32(a, b); }
static inline mn_vi mn_vi_zip_lo_i64(mn_vi a, mn_vi b) { return _mm_unpacklo_epi64(a, b); }
static inline mn_vi mn_vi_zip_hi_i64(mn_vi a, mn_vi b) { return _mm_unpackhi_epi64(a, b); }

/* float arithmetic */
static inline mn_vf mn_vf_add(mn_vf a, mn_vf b) { return _mm_add_ps(a, b); }
static inline mn_vf mn_vf_sub(mn_vf a, mn_vf b) { return _mm_sub_ps(a, b); }
static inline mn_vf mn_vf_mul(mn_vf a, mn_vf b) { return _mm_mul_ps(a, b); }
static inline mn_vf mn_vf_div(mn_vf a, mn_vf b) { return _mm_div_ps(a, b); }
static inline mn_vf mn_vf_mul_add(mn_vf acc, mn_vf a, mn_vf b) { return _mm_add_ps(acc, _mm_mul_ps(a, b)); }
static inline mn_vf mn_vf_sqrt(mn_vf a) { return _mm_sqrt_ps(a); }

/* float selection (minps/maxps are exactly a<b?a:b / a>b?a:b) */
static inline mn_vf mn_vf_min(mn_vf a, mn_vf b) { return _mm_min_ps(a, b); }
static inline mn_vf mn_vf_max(mn_vf a, mn_vf b) { return _mm_max_ps(a, b); }
static inline mn_vf mn_vf_abs(mn_vf a) { return _mm_castsi128_ps(_mm_and_si128(_mm_castps_si128(a), _mm_set1_epi32(0x7FFFFFFF))); }
static inline mn_vf mn_vf_neg(mn_vf a) { return _mm_castsi128_ps(_mm_xor_si128(_mm_castps_si128(a), _mm_set1_epi32((int32_t)0x80000000u))); }
static inline mn_vf mn_vf_select(mn_vi m, mn_vf a, mn_vf b) { return _mm_castsi128_ps(mn_vi_bitselect(m, _mm_castps_si128(a), _mm_castps_si128(b))); }

/* rounding, conversions */
static inline mn_vf mn_vf_round(mn_vf a) { return _mm_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* cvttps2dq gives 0x80000000 for NaN and for every out-of-range value:
 * flip it to 0x7FFFFFFF where x >= 2^31, and clear NaN lanes. */
static inline mn_vi mn_vf_to_i32(mn_vf a)
{
    __m128i r = _mm_cvttps_epi32(a);
    __m128i big = _mm_castps_si128(_mm_cmpge_ps(a, _mm_set1_ps(2147483648.0f)));
    __m128i ord = _mm_castps_si128(_mm_cmpord_ps(a, a));
    return _mm_and_si128(_mm_xor_si128(r, big), ord);
}
static inline mn_vf mn_vf_from_i32(mn_vi a) { return _mm_cvtepi32_ps(a); }

/* reductions: (l0+l2) + (l1+l3) */
static inline int32_t mn_vi_hsum_i32(mn_vi a)
{
    __m128i t = _mm_add_epi32(a, _mm_unpackhi_epi64(a, a));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 1));
    return _mm_cvtsi128_si32(t);
}
static inline float mn_vf_hsum(mn_vf a)
{
    __m128 t = _mm_add_ps(a, _mm_movehl_ps(a, a));          /* [l0+l2, l1+l3, ..] */
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}
static inline float mn_vf_hmax(mn_vf a)
{
    __m128 t = _mm_max_ps(a, _mm_movehl_ps(a, a));          /* [max(l0,l2), max(l1,l3), ..] */
    return _mm_cvtss_f32(_mm_max_ss(t, _mm_shuffle_ps(t, t, 1)));
}

#endif /* MN_VEC128_SSE41_H */
