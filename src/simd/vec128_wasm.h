/*
 * vec128_wasm.h - WebAssembly simd128 backend of the vec128 layer
 * (Emscripten and wasm32-wasi). Semantics: see vec128_ref.h.
 * Only deterministic simd128 instructions: no relaxed-simd, no FMA.
 * Included only through vec128.h.
 */
#ifndef MN_VEC128_WASM_H
#define MN_VEC128_WASM_H

#include <wasm_simd128.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#define MN_SIMD_BACKEND_NAME "wasm-simd128"
#define MN_SIMD_NATIVE 1

typedef v128_t mn_vi;
typedef v128_t mn_vf;

static inline mn_v128r mn_vi_to_ref(mn_vi v) { mn_v128r r; wasm_v128_store(&r, v); return r; }
static inline mn_vi mn_vi_from_ref(mn_v128r r) { return wasm_v128_load(&r); }
static inline mn_v128r mn_vf_to_ref(mn_vf v) { mn_v128r r; wasm_v128_store(&r, v); return r; }
static inline mn_vf mn_vf_from_ref(mn_v128r r) { return wasm_v128_load(&r); }

/* memory */
static inline mn_vi mn_vi_load(const void *p) { return wasm_v128_load(p); }
static inline void mn_vi_store(void *p, mn_vi v) { wasm_v128_store(p, v); }
static inline mn_vi mn_vi_load_partial(const void *p, size_t n)
{ unsigned char b[16] = {0}; memcpy(b, p, n < 16 ? n : 16); return wasm_v128_load(b); }
static inline void mn_vi_store_partial(void *p, mn_vi v, size_t n)
{ unsigned char b[16]; wasm_v128_store(b, v); memcpy(p, b, n < 16 ? n : 16); }
static inline mn_vi mn_vi_load_lo64(const void *p) { return wasm_v128_load64_zero(p); }
static inline mn_vf mn_vf_load(const float *p) { return wasm_v128_load(p); }
static inline void mn_vf_store(float *p, mn_vf v) { wasm_v128_store(p, v); }
static inline mn_vf mn_vf_load_partial(const float *p, size_t n)
{ float b[4] = {0}; memcpy(b, p, 4 * (n < 4 ? n : 4)); return wasm_v128_load(b); }
static inline void mn_vf_store_partial(float *p, mn_vf v, size_t n)
{ float b[4]; wasm_v128_store(b, v); memcpy(p, b, 4 * (n < 4 ? n : 4)); }

/* construction, lanes, casts */
static inline mn_vi mn_vi_zero(void) { return wasm_i32x4_const_splat(0); }
static inline mn_vf mn_vf_zero(void) { return wasm_i32x4_const_splat(0); }
static inline mn_vi mn_vi_splat_i8(int8_t x) { return wasm_i8x16_splat(x); }
static inline mn_vi mn_vi_splat_i16(int16_t x) { return wasm_i16x8_splat(x); }
static inline mn_vi mn_vi_splat_i32(int32_t x) { return wasm_i32x4_splat(x); }
/* splat the bits through i32 so a NaN payload cannot be touched */
static inline mn_vf mn_vf_splat(float x) { uint32_t u; memcpy(&u, &x, 4); return wasm_i32x4_splat((int32_t)u); }
static inline int32_t mn_vi_extract_i32(mn_vi v, int lane) { int32_t b[4]; wasm_v128_store(b, v); return b[lane & 3]; }
static inline float mn_vf_extract(mn_vf v, int lane) { float b[4]; wasm_v128_store(b, v); return b[lane & 3]; }
static inline mn_vf mn_vi_as_vf(mn_vi v) { return v; }
static inline mn_vi mn_vf_as_vi(mn_vf v) { return v; }

/* integer arithmetic */
static inline mn_vi mn_vi_add_i8(mn_vi a, mn_vi b) { return wasm_i8x16_add(a, b); }
static inline mn_vi mn_vi_sub_i8(mn_vi a, mn_vi b) { return wasm_i8x16_sub(a, b); }
static inline mn_vi mn_vi_add_i16(mn_vi a, mn_vi b) { return wasm_i16x8_add(a, b); }
static inline mn_vi mn_vi_sub_i16(mn_vi a, mn_vi b) { return wasm_i16x8_sub(a, b); }
static inline mn_vi mn_vi_add_i32(mn_vi a, mn_vi b) { return wasm_i32x4_add(a, b); }
static inline mn_vi mn_vi_sub_i32(mn_vi a, mn_vi b) { return wasm_i32x4_sub(a, b); }
static inline mn_vi mn_vi_adds_i16(mn_vi a, mn_vi b) { return wasm_i16x8_add_sat(a, b); }
static inline mn_vi mn_vi_subs_i16(mn_vi a, mn_vi b) { return wasm_i16x8_sub_sat(a, b); }
static inline mn_vi mn_vi_mullo_i16(mn_vi a, mn_vi b) { return wasm_i16x8_mul(a, b); }
static inline mn_vi mn_vi_mullo_i32(mn_vi a, mn_vi b) { return wasm_i32x4_mul(a, b); }
static inline mn_vi mn_vi_madd_i16(mn_vi a, mn_vi b) { return wasm_i32x4_dot_i16x8(a, b); }
static inline mn_vi mn_vi_min_i32(mn_vi a, mn_vi b) { return wasm_i32x4_min(a, b); }
static inline mn_vi mn_vi_max_i32(mn_vi a, mn_vi b) { return wasm_i32x4_max(a, b); }

/* int8 dot products: extend halves to i16, i32x4.dot_i16x8_s, add */
static inline mn_vi mn_vi_dot_i8_acc(mn_vi acc, mn_vi a, mn_vi b)
{
    v128_t lo = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b));
    v128_t hi = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_i16x8_extend_high_i8x16(b));
    return wasm_i32x4_add(acc, wasm_i32x4_add(lo, hi));
}
static inline mn_vi mn_vi_dot_u8i8_acc(mn_vi acc, mn_vi u, mn_vi s)
{
    v128_t lo = wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(u), wasm_i16x8_extend_low_i8x16(s));
    v128_t hi = wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(u), wasm_i16x8_extend_high_i8x16(s));
    return wasm_i32x4_add(acc, wasm_i32x4_add(lo, hi));
}

/* widening / narrowing */
static inline mn_vi mn_vi_widen_lo_i8_i16(mn_vi a) { return wasm_i16x8_extend_low_i8x16(a); }
static inline mn_vi mn_vi_widen_hi_i8_i16(mn_vi a) { return wasm_i16x8_extend_high_i8x16(a); }
static inline mn_vi mn_vi_widen_lo_u8_i16(mn_vi a) { return wasm_u16x8_extend_low_u8x16(a); }
static inline mn_vi mn_vi_widen_hi_u8_i16(mn_vi a) { return wasm_u16x8_extend_high_u8x16(a); }
static inline mn_vi mn_vi_widen_lo_i16_i32(mn_vi a) { return wasm_i32x4_extend_low_i16x8(a); }
static inline mn_vi mn_vi_widen_hi_i16_i32(mn_vi a) { return wasm_i32x4_extend_high_i16x8(a); }
static inline mn_vi mn_vi_narrow_i32_i16_sat(mn_vi a, mn_vi b) { return wasm_i16x8_narrow_i32x4(a, b); }
static inline mn_vi mn_vi_narrow_i16_i8_sat(mn_vi a, mn_vi b) { return wasm_i8x16_narrow_i16x8(a, b); }
static inline mn_vi mn_vi_narrow_i16_u8_sat(mn_vi a, mn_vi b) { return wasm_u8x16_narrow_i16x8(a, b); }

/* bitwise */
static inline mn_vi mn_vi_and(mn_vi a, mn_vi b) { return wasm_v128_and(a, b); }
static inline mn_vi mn_vi_or(mn_vi a, mn_vi b) { return wasm_v128_or(a, b); }
static inline mn_vi mn_vi_xor(mn_vi a, mn_vi b) { return wasm_v128_xor(a, b); }
static inline mn_vi mn_vi_andnot(mn_vi a, mn_vi b) { return wasm_v128_andnot(a, b); } /* a & ~b */
static inline mn_vi mn_vi_bitselect(mn_vi m, mn_vi a, mn_vi b) { return wasm_v128_bitselect(a, b, m); }

/* shifts (0 <= n < lane bits; wasm itself takes n mod lane bits) */
static inline mn_vi mn_vi_slli_i16(mn_vi a, int n) { return wasm_i16x8_shl(a, (uint32_t)n); }
static inline mn_vi mn_vi_srli_i16(mn_vi a, int n) { return wasm_u16x8_shr(a, (uint32_t)n); }
static inline mn_vi mn_vi_srai_i16(mn_vi a, int n) { return wasm_i16x8_shr(a, (uint32_t)n); }
static inline mn_vi mn_vi_slli_i32(mn_vi a, int n) { return wasm_i32x4_shl(a, (uint32_t)n); }
static inline mn_vi mn_vi_srli_i32(mn_vi a, int n) { return wasm_u32x4_shr(a, (uint32_t)n); }
static inline mn_vi mn_vi_srai_i32(mn_vi a, int n) { return wasm_i32x4_shr(a, (uint32_t)n); }
static inline mn_vi mn_vi_nib_lo_u8(mn_vi a) { return wasm_v128_and(a, wasm_i8x16_const_splat(0x0F)); }
static inline mn_vi mn_vi_nib_hi_u8(mn_vi a) { return wasm_u8x16_shr(a, 4); }

/* compares */
static inline mn_vi mn_vi_eq_i8(mn_vi a, mn_vi b) { return wasm_i8x16_eq(a, b); }
static inline mn_vi mn_vi_gt_i8(mn_vi a, mn_vi b) { return wasm_i8x16_gt(a, b); }
static inline mn_vi mn_vi_eq_i32(mn_vi a, mn_vi b) { return wasm_i32x4_eq(a, b); }
static inline mn_vi mn_vi_gt_i32(mn_vi a, mn_vi b) { return wasm_i32x4_gt(a, b); }
static inline mn_vi mn_vf_eq(mn_vf a, mn_vf b) { return wasm_f32x4_eq(a, b); }
static inline mn_vi mn_vf_lt(mn_vf a, mn_vf b) { return wasm_f32x4_lt(a, b); }
static inline mn_vi mn_vf_le(mn_vf a, mn_vf b) { return wasm_f32x4_le(a, b); }

/* shuffle: i8x16.swizzle already gives 0 for indices >= 16 */
static inline mn_vi mn_vi_shuffle_i8(mn_vi table, mn_vi idx) { return wasm_i8x16_swizzle(table, idx); }
static inline mn_vi mn_vi_zip_lo_i8(mn_vi a, mn_vi b) { return wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
static inline mn_vi mn_vi_zip_hi_i8(mn_vi a, mn_vi b) { return wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
static inline mn_vi mn_vi_zip_lo_i16(mn_vi a, mn_vi b) { return wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
static inline mn_vi mn_vi_zip_hi_i16(mn_vi a, mn_vi b) { return wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
static inline mn_vi mn_vi_zip_lo_i32(mn_vi a, mn_vi b) { return wasm_i32x4_shuffle(a, b, 0, 4, 1, 5); }
static inline mn_vi mn_vi_zip_hi_i32(mn_vi a, mn_vi b) { return wasm_i32x4_shuffle(a, b, 2, 6, 3, 7); }
static inline mn_vi mn_vi_zip_lo_i64(mn_vi a, mn_vi b) { return wasm_i64x2_shuffle(a, b, 0, 2); }
static inline mn_vi mn_vi_zip_hi_i64(mn_vi a, mn_vi b) { return wasm_i64x2_shuffle(a, b, 1, 3); }

/* float arithmetic */
static inline mn_vf mn_vf_add(mn_vf a, mn_vf b) { return wasm_f32x4_add(a, b); }
static inline mn_vf mn_vf_sub(mn_vf a, mn_vf b) { return wasm_f32x4_sub(a, b); }
static inline mn_vf mn_vf_mul(mn_vf a, mn_vf b) { return wasm_f32x4_mul(a, b); }
static inline mn_vf mn_vf_div(mn_vf a, mn_vf b) { return wasm_f32x4_div(a, b); }
static inline mn_vf mn_vf_mul_add(mn_vf acc, mn_vf a, mn_vf b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
static inline mn_vf mn_vf_sqrt(mn_vf a) { return wasm_f32x4_sqrt(a); }

/* float selection: pmin(x,y) = y < x ? y : x, so min(a,b) = a<b?a:b = pmin(b,a);
 * pmax(x,y) = x < y ? y : x, so max(a,b) = a>b?a:b = pmax(b,a). */
static inline mn_vf mn_vf_min(mn_vf a, mn_vf b) { return wasm_f32x4_pmin(b, a); }
static inline mn_vf mn_vf_max(mn_vf a, mn_vf b) { return wasm_f32x4_pmax(b, a); }
static inline mn_vf mn_vf_abs(mn_vf a) { return wasm_v128_and(a, wasm_i32x4_const_splat(0x7FFFFFFF)); }
static inline mn_vf mn_vf_neg(mn_vf a) { return wasm_v128_xor(a, wasm_i32x4_const_splat((int32_t)0x80000000u)); }
static inline mn_vf mn_vf_select(mn_vi m, mn_vf a, mn_vf b) { return wasm_v128_bitselect(a, b, m); }

/* rounding, conversions */
static inline mn_vf mn_vf_round(mn_vf a) { return wasm_f32x4_nearest(a); }
static inline mn_vi mn_vf_to_i32(mn_vf a) { return wasm_i32x4_trunc_sat_f32x4(a); }
static inline mn_vf mn_vf_from_i32(mn_vi a) { return wasm_f32x4_convert_i32x4(a); }

/* reductions: (l0+l2) + (l1+l3) */
static inline int32_t mn_vi_hsum_i32(mn_vi a)
{
    v128_t t = wasm_i32x4_add(a, wasm_i32x4_shuffle(a, a, 2, 3, 2, 3));
    t = wasm_i32x4_add(t, wasm_i32x4_shuffle(t, t, 1, 1, 1, 1));
    return wasm_i32x4_extract_lane(t, 0);
}
static inline float mn_vf_hsum(mn_vf a)
{
    v128_t t = wasm_f32x4_add(a, wasm_i32x4_shuffle(a, a, 2, 3, 2, 3));   /* [l0+l2, l1+l3, ..] */
    t = wasm_f32x4_add(t, wasm_i32x4_shuffle(t, t, 1, 1, 1, 1));
    return wasm_f32x4_extract_lane(t, 0);
}
static inline float mn_vf_hmax(mn_vf a)
{
    v128_t t = mn_vf_max(a, wasm_i32x4_shuffle(a, a, 2, 3, 2, 3));       /* [max(l0,l2), max(l1,l3), ..] */
    t = mn_vf_max(t, wasm_i32x4_shuffle(t, t, 1, 1, 1, 1));
    return wasm_f32x4_extract_lane(t, 0);
}

#endif /* MN_VEC128_WASM_H */
