/*
 * vec128_neon.h - AArch64 NEON backend of the vec128 layer.
 * Semantics: see vec128_ref.h. AArch64 only (uses vqtbl1q, vdivq, vsqrtq,
 * vrndnq, vzip1q; 32-bit ARM NEON also flushes denormals, so it takes the
 * reference path). No FMA: build with -ffp-contract=off (gcc implements
 * vmulq_f32/vaddq_f32 as C operators and would otherwise fuse them).
 * Included only through vec128.h.
 */
#ifndef MN_VEC128_NEON_H
#define MN_VEC128_NEON_H

#include <arm_neon.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#define MN_SIMD_BACKEND_NAME "neon"
#define MN_SIMD_NATIVE 1

typedef int32x4_t   mn_vi;
typedef float32x4_t mn_vf;

#define MN_N_S8(v)  vreinterpretq_s8_s32(v)
#define MN_N_U8(v)  vreinterpretq_u8_s32(v)
#define MN_N_S16(v) vreinterpretq_s16_s32(v)
#define MN_N_U16(v) vreinterpretq_u16_s32(v)
#define MN_N_U32(v) vreinterpretq_u32_s32(v)
#define MN_N_S64(v) vreinterpretq_s64_s32(v)
#define MN_N_FROM_S8(v)  vreinterpretq_s32_s8(v)
#define MN_N_FROM_U8(v)  vreinterpretq_s32_u8(v)
#define MN_N_FROM_S16(v) vreinterpretq_s32_s16(v)
#define MN_N_FROM_U16(v) vreinterpretq_s32_u16(v)
#define MN_N_FROM_U32(v) vreinterpretq_s32_u32(v)
#define MN_N_FROM_S64(v) vreinterpretq_s32_s64(v)

static inline mn_v128r mn_vi_to_ref(mn_vi v) { mn_v128r r; vst1q_u8(r.u8, MN_N_U8(v)); return r; }
static inline mn_vi mn_vi_from_ref(mn_v128r r) { return MN_N_FROM_U8(vld1q_u8(r.u8)); }
static inline mn_v128r mn_vf_to_ref(mn_vf v) { mn_v128r r; vst1q_u32(r.u32, vreinterpretq_u32_f32(v)); return r; }
static inline mn_vf mn_vf_from_ref(mn_v128r r) { return vreinterpretq_f32_u32(vld1q_u32(r.u32)); }

/* memory */
static inline mn_vi mn_vi_load(const void *p) { return MN_N_FROM_U8(vld1q_u8((const uint8_t *)p)); }
static inline void mn_vi_store(void *p, mn_vi v) { vst1q_u8((uint8_t *)p, MN_N_U8(v)); }
static inline mn_vi mn_vi_load_partial(const void *p, size_t n)
{ uint8_t b[16] = {0}; memcpy(b, p, n < 16 ? n : 16); return MN_N_FROM_U8(vld1q_u8(b)); }
static inline void mn_vi_store_partial(void *p, mn_vi v, size_t n)
{ uint8_t b[16]; vst1q_u8(b, MN_N_U8(v)); memcpy(p, b, n < 16 ? n : 16); }
static inline mn_vi mn_vi_load_lo64(const void *p) { return MN_N_FROM_U8(vcombine_u8(vld1_u8((const uint8_t *)p), vdup_n_u8(0))); }
static inline mn_vf mn_vf_load(const float *p) { return vreinterpretq_f32_u8(vld1q_u8((const uint8_t *)p)); }
static inline void mn_vf_store(float *p, mn_vf v) { vst1q_u8((uint8_t *)p, vreinterpretq_u8_f32(v)); }
static inline mn_vf mn_vf_load_partial(const float *p, size_t n)
{ float b[4] = {0}; memcpy(b, p, 4 * (n < 4 ? n : 4)); return mn_vf_load(b); }
static inline void mn_vf_store_partial(float *p, mn_vf v, size_t n)
{ float b[4]; mn_vf_store(b, v); memcpy(p, b, 4 * (n < 4 ? n : 4)); }

/* construction, lanes, casts */
static inline mn_vi mn_vi_zero(void) { return vdupq_n_s32(0); }
static inline mn_vf mn_vf_zero(void) { return vreinterpretq_f32_s32(vdupq_n_s32(0)); }
static inline mn_vi mn_vi_splat_i8(int8_t x) { return MN_N_FROM_S8(vdupq_n_s8(x)); }
static inline mn_vi mn_vi_splat_i16(int16_t x) { return MN_N_FROM_S16(vdupq_n_s16(x)); }
static inline mn_vi mn_vi_splat_i32(int32_t x) { return vdupq_n_s32(x); }
static inline mn_vf mn_vf_splat(float x) { uint32_t u; memcpy(&u, &x, 4); return vreinterpretq_f32_u32(vdupq_n_u32(u)); }
static inline int32_t mn_vi_extract_i32(mn_vi v, int lane) { int32_t b[4]; vst1q_s32(b, v); return b[lane & 3]; }
static inline float mn_vf_extract(mn_vf v, int lane) { float b[4]; mn_vf_store(b, v); return b[lane & 3]; }
static inline mn_vf mn_vi_as_vf(mn_vi v) { return vreinterpretq_f32_s32(v); }
static inline mn_vi mn_vf_as_vi(mn_vf v) { return vreinterpretq_s32_f32(v); }

/* integer arithmetic */
static inline mn_vi mn_vi_add_i8(mn_vi a, mn_vi b) { return MN_N_FROM_S8(vaddq_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_sub_i8(mn_vi a, mn_vi b) { return MN_N_FROM_S8(vsubq_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_add_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vaddq_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_sub_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vsubq_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_add_i32(mn_vi a, mn_vi b) { return vaddq_s32(a, b); }
static inline mn_vi mn_vi_sub_i32(mn_vi a, mn_vi b) { return vsubq_s32(a, b); }
static inline mn_vi mn_vi_adds_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vqaddq_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_subs_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vqsubq_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_mullo_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vmulq_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_mullo_i32(mn_vi a, mn_vi b) { return vmulq_s32(a, b); }
static inline mn_vi mn_vi_madd_i16(mn_vi a, mn_vi b)
{
    int32x4_t lo = vmull_s16(vget_low_s16(MN_N_S16(a)), vget_low_s16(MN_N_S16(b)));
    int32x4_t hi = vmull_high_s16(MN_N_S16(a), MN_N_S16(b));
    return vpaddq_s32(lo, hi);   /* [p0+p1, p2+p3, p4+p5, p6+p7], wrapping */
}
static inline mn_vi mn_vi_min_i32(mn_vi a, mn_vi b) { return vminq_s32(a, b); }
static inline mn_vi mn_vi_max_i32(mn_vi a, mn_vi b) { return vmaxq_s32(a, b); }

/* int8 dot products: exact i16 products (vmull_s8), then pairwise-widening
 * accumulate into i32 (vpadalq_s16): lane j += p[2j]+p[2j+1], then the high half. */
static inline mn_vi mn_vi_dot_i8_acc(mn_vi acc, mn_vi a, mn_vi b)
{
    int16x8_t plo = vmull_s8(vget_low_s8(MN_N_S8(a)), vget_low_s8(MN_N_S8(b)));
    int16x8_t phi = vmull_high_s8(MN_N_S8(a), MN_N_S8(b));
    return vpadalq_s16(vpadalq_s16(acc, plo), phi);
}
static inline mn_vi mn_vi_dot_u8i8_acc(mn_vi acc, mn_vi u, mn_vi s)
{
    /* 0..255 * -128..127 fits in i16 exactly */
    int16x8_t plo = vmulq_s16(vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(MN_N_U8(u)))), vmovl_s8(vget_low_s8(MN_N_S8(s))));
    int16x8_t phi = vmulq_s16(vreinterpretq_s16_u16(vmovl_high_u8(MN_N_U8(u))), vmovl_high_s8(MN_N_S8(s)));
    return vpadalq_s16(vpadalq_s16(acc, plo), phi);
}

/* widening / narrowing */
static inline mn_vi mn_vi_widen_lo_i8_i16(mn_vi a) { return MN_N_FROM_S16(vmovl_s8(vget_low_s8(MN_N_S8(a)))); }
static inline mn_vi mn_vi_widen_hi_i8_i16(mn_vi a) { return MN_N_FROM_S16(vmovl_high_s8(MN_N_S8(a))); }
static inline mn_vi mn_vi_widen_lo_u8_i16(mn_vi a) { return MN_N_FROM_U16(vmovl_u8(vget_low_u8(MN_N_U8(a)))); }
static inline mn_vi mn_vi_widen_hi_u8_i16(mn_vi a) { return MN_N_FROM_U16(vmovl_high_u8(MN_N_U8(a))); }
static inline mn_vi mn_vi_widen_lo_i16_i32(mn_vi a) { return vmovl_s16(vget_low_s16(MN_N_S16(a))); }
static inline mn_vi mn_vi_widen_hi_i16_i32(mn_vi a) { return vmovl_high_s16(MN_N_S16(a)); }
static inline mn_vi mn_vi_narrow_i32_i16_sat(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vcombine_s16(vqmovn_s32(a), vqmovn_s32(b))); }
static inline mn_vi mn_vi_narrow_i16_i8_sat(mn_vi a, mn_vi b) { return MN_N_FROM_S8(vcombine_s8(vqmovn_s16(MN_N_S16(a)), vqmovn_s16(MN_N_S16(b)))); }
static inline mn_vi mn_vi_narrow_i16_u8_sat(mn_vi a, mn_vi b) { return MN_N_FROM_U8(vcombine_u8(vqmovun_s16(MN_N_S16(a)), vqmovun_s16(MN_N_S16(b)))); }

/* bitwise */
static inline mn_vi mn_vi_and(mn_vi a, mn_vi b) { return vandq_s32(a, b); }
static inline mn_vi mn_vi_or(mn_vi a, mn_vi b) { return vorrq_s32(a, b); }
static inline mn_vi mn_vi_xor(mn_vi a, mn_vi b) { return veorq_s32(a, b); }
static inline mn_vi mn_vi_andnot(mn_vi a, mn_vi b) { return vbicq_s32(a, b); } /* a & ~b */
static inline mn_vi mn_vi_bitselect(mn_vi m, mn_vi a, mn_vi b) { return vbslq_s32(MN_N_U32(m), a, b); }

/* shifts (0 <= n < lane bits); register shifts so n may be a run-time value */
static inline mn_vi mn_vi_slli_i16(mn_vi a, int n) { return MN_N_FROM_S16(vshlq_s16(MN_N_S16(a), vdupq_n_s16((int16_t)n))); }
static inline mn_vi mn_vi_srli_i16(mn_vi a, int n) { return MN_N_FROM_U16(vshlq_u16(MN_N_U16(a), vdupq_n_s16((int16_t)-n))); }
static inline mn_vi mn_vi_srai_i16(mn_vi a, int n) { return MN_N_FROM_S16(vshlq_s16(MN_N_S16(a), vdupq_n_s16((int16_t)-n))); }
static inline mn_vi mn_vi_slli_i32(mn_vi a, int n) { return vshlq_s32(a, vdupq_n_s32(n)); }
static inline mn_vi mn_vi_srli_i32(mn_vi a, int n) { return MN_N_FROM_U32(vshlq_u32(MN_N_U32(a), vdupq_n_s32(-n))); }
static inline mn_vi mn_vi_srai_i32(mn_vi a, int n) { return vshlq_s32(a, vdupq_n_s32(-n)); }
static inline mn_vi mn_vi_nib_lo_u8(mn_vi a) { return MN_N_FROM_U8(vandq_u8(MN_N_U8(a), vdupq_n_u8(0x0F))); }
static inline mn_vi mn_vi_nib_hi_u8(mn_vi a) { return MN_N_FROM_U8(vshrq_n_u8(MN_N_U8(a), 4)); }

/* compares */
static inline mn_vi mn_vi_eq_i8(mn_vi a, mn_vi b) { return MN_N_FROM_U8(vceqq_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_gt_i8(mn_vi a, mn_vi b) { return MN_N_FROM_U8(vcgtq_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_eq_i32(mn_vi a, mn_vi b) { return MN_N_FROM_U32(vceqq_s32(a, b)); }
static inline mn_vi mn_vi_gt_i32(mn_vi a, mn_vi b) { return MN_N_FROM_U32(vcgtq_s32(a, b)); }
static inline mn_vi mn_vf_eq(mn_vf a, mn_vf b) { return MN_N_FROM_U32(vceqq_f32(a, b)); }
static inline mn_vi mn_vf_lt(mn_vf a, mn_vf b) { return MN_N_FROM_U32(vcltq_f32(a, b)); }
static inline mn_vi mn_vf_le(mn_vf a, mn_vf b) { return MN_N_FROM_U32(vcleq_f32(a, b)); }

/* shuffle: TBL gives 0 for indices >= 16 */
static inline mn_vi mn_vi_shuffle_i8(mn_vi table, mn_vi idx) { return MN_N_FROM_U8(vqtbl1q_u8(MN_N_U8(table), MN_N_U8(idx))); }
static inline mn_vi mn_vi_zip_lo_i8(mn_vi a, mn_vi b) { return MN_N_FROM_S8(vzip1q_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_zip_hi_i8(mn_vi a, mn_vi b) { return MN_N_FROM_S8(vzip2q_s8(MN_N_S8(a), MN_N_S8(b))); }
static inline mn_vi mn_vi_zip_lo_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vzip1q_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_zip_hi_i16(mn_vi a, mn_vi b) { return MN_N_FROM_S16(vzip2q_s16(MN_N_S16(a), MN_N_S16(b))); }
static inline mn_vi mn_vi_zip_lo_i32(mn_vi a, mn_vi b) { return vzip1q_s32(a, b); }
static inline mn_vi mn_vi_zip_hi_i32(mn_vi a, mn_vi b) { return vzip2q_s32(a, b); }
static inline mn_vi mn_vi_zip_lo_i64(mn_vi a, mn_vi b) { return MN_N_FROM_S64(vzip1q_s64(MN_N_S64(a), MN_N_S64(b))); }
static inline mn_vi mn_vi_zip_hi_i64(mn_vi a, mn_vi b) { return MN_N_FROM_S64(vzip2q_s64(MN_N_S64(a), MN_N_S64(b))); }

/* float arithmetic */
static inline mn_vf mn_vf_add(mn_vf a, mn_vf b) { return vaddq_f32(a, b); }
static inline mn_vf mn_vf_sub(mn_vf a, mn_vf b) { return vsubq_f32(a, b); }
static inline mn_vf mn_vf_mul(mn_vf a, mn_vf b) { return vmulq_f32(a, b); }
static inline mn_vf mn_vf_div(mn_vf a, mn_vf b) { return vdivq_f32(a, b); }
static inline mn_vf mn_vf_mul_add(mn_vf acc, mn_vf a, mn_vf b) { return vaddq_f32(acc, vmulq_f32(a, b)); } /* NOT vmlaq/vfmaq */
static inline mn_vf mn_vf_sqrt(mn_vf a) { return vsqrtq_f32(a); }

/* float selection: compare + bsl (fmin/fmax would propagate NaN, not select) */
static inline mn_vf mn_vf_min(mn_vf a, mn_vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static inline mn_vf mn_vf_max(mn_vf a, mn_vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline mn_vf mn_vf_abs(mn_vf a) { return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), vdupq_n_u32(0x7FFFFFFFu))); }
static inline mn_vf mn_vf_neg(mn_vf a) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vdupq_n_u32(0x80000000u))); }
static inline mn_vf mn_vf_select(mn_vi m, mn_vf a, mn_vf b) { return vbslq_f32(MN_N_U32(m), a, b); }

/* rounding, conversions (FCVTZS saturates and maps NaN to 0) */
static inline mn_vf mn_vf_round(mn_vf a) { return vrndnq_f32(a); }
static inline mn_vi mn_vf_to_i32(mn_vf a) { return vcvtq_s32_f32(a); }
static inline mn_vf mn_vf_from_i32(mn_vi a) { return vcvtq_f32_s32(a); }

/* reductions: (l0+l2) + (l1+l3) */
static inline int32_t mn_vi_hsum_i32(mn_vi a) { return vaddvq_s32(a); }
static inline float mn_vf_hsum(mn_vf a)
{
    float32x2_t t = vadd_f32(vget_low_f32(a), vget_high_f32(a));   /* [l0+l2, l1+l3] */
    return vpadds_f32(t);
}
static inline float mn_vf_hmax(mn_vf a)
{
    mn_vf t = mn_vf_max(a, vcombine_f32(vget_high_f32(a), vget_high_f32(a))); /* [max(l0,l2), max(l1,l3), ..] */
    mn_vf u = mn_vf_max(t, vdupq_laneq_f32(t, 1));
    return vgetq_lane_f32(u, 0);
}

#endif /* MN_VEC128_NEON_H */
