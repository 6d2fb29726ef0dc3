/*
 * vec128_ref.h - the plain C11 reference for minnow's 128-bit SIMD layer.
 *
 * THIS FILE DEFINES THE SEMANTICS. Every native backend (vec128_sse41.h,
 * vec128_wasm.h, vec128_neon.h) must give results bit-identical to the
 * functions here, with one exception: for *arithmetic* float ops (add, sub,
 * mul, div, sqrt, mul_add, round, hsum) only the NaN-ness of a NaN result is
 * specified, not its payload (wasm does not define NaN payloads). Selection
 * and bit ops (min, max, abs, neg, select, bitselect, shuffle, zip, hmax,
 * loads/stores) preserve operand bits exactly, NaN payloads included.
 *
 * Conventions
 *  - A vector is 16 bytes; lane i of width w lives at bytes [i*w, i*w+w)
 *    (little-endian memory order on every supported target).
 *  - Integer arithmetic wraps (two's complement) unless the op name says
 *    "s" (saturating) or "sat". No op has undefined behaviour on any input
 *    except where a precondition is stated (shift counts).
 *  - Floats are IEEE-754 binary32, round-to-nearest-even, denormals kept
 *    (no flush-to-zero), no fused multiply-add anywhere.
 *  - Masks are all-ones (0xFF.. = -1) for true, all-zeros for false.
 *  - Reference functions are named like the native ones with suffix _ref
 *    and operate on mn_v128r, which holds both integer and float vectors.
 *
 * No libm, no libc beyond memcpy/memset.
 */
#ifndef MN_VEC128_REF_H
#define MN_VEC128_REF_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <float.h>

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "vec128_ref.h needs FLT_EVAL_METHOD == 0 (no excess float precision)"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

typedef union mn_v128r {
    int8_t   i8[16];
    uint8_t  u8[16];
    int16_t  i16[8];
    uint16_t u16[8];
    int32_t  i32[4];
    uint32_t u32[4];
    uint64_t u64[2];
    float    f32[4];
} mn_v128r;

/* ---- private helpers (not ops) ---------------------------------------- */
static inline uint32_t mn_ref_f2u_(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float mn_ref_u2f_(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline int16_t mn_ref_sat16_(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static inline int8_t mn_ref_sat8_(int32_t v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static inline uint8_t mn_ref_satu8_(int32_t v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }

/* ======================================================================
 * Memory. Pointers need no alignment.
 * ==================================================================== */
/* 16 bytes from p. */
static inline mn_v128r mn_vi_load_ref(const void *p) { mn_v128r r; memcpy(&r, p, 16); return r; }
/* 16 bytes to p. */
static inline void mn_vi_store_ref(void *p, mn_v128r v) { memcpy(p, &v, 16); }
/* Reads exactly min(n,16) bytes from p into bytes 0..; remaining bytes are 0. */
static inline mn_v128r mn_vi_load_partial_ref(const void *p, size_t n)
{ mn_v128r r; memset(&r, 0, 16); memcpy(&r, p, n < 16 ? n : 16); return r; }
/* Writes exactly min(n,16) bytes (bytes 0..n-1 of v) to p. */
static inline void mn_vi_store_partial_ref(void *p, mn_v128r v, size_t n) { memcpy(p, &v, n < 16 ? n : 16); }
/* Reads exactly 8 bytes into bytes 0..7; bytes 8..15 are 0. */
static inline mn_v128r mn_vi_load_lo64_ref(const void *p) { mn_v128r r; memset(&r, 0, 16); memcpy(&r, p, 8); return r; }
/* 4 floats (bits unchanged, NaN payloads kept). */
static inline mn_v128r mn_vf_load_ref(const float *p) { mn_v128r r; memcpy(&r, p, 16); return r; }
static inline void mn_vf_store_ref(float *p, mn_v128r v) { memcpy(p, &v, 16); }
/* Reads exactly min(n,4) floats into lanes 0..; other lanes are +0.0f. */
static inline mn_v128r mn_vf_load_partial_ref(const float *p, size_t n)
{ mn_v128r r; memset(&r, 0, 16); memcpy(&r, p, 4 * (n < 4 ? n : 4)); return r; }
/* Writes exactly min(n,4) floats (lanes 0..n-1). */
static inline void mn_vf_store_partial_ref(float *p, mn_v128r v, size_t n) { memcpy(p, &v, 4 * (n < 4 ? n : 4)); }

/* ======================================================================
 * Construction, lane access, bit casts.
 * ==================================================================== */
static inline mn_v128r mn_vi_zero_ref(void) { mn_v128r r; memset(&r, 0, 16); return r; }
static inline mn_v128r mn_vf_zero_ref(void) { mn_v128r r; memset(&r, 0, 16); return r; } /* +0.0f */
static inline mn_v128r mn_vi_splat_i8_ref(int8_t x) { mn_v128r r; for (int i = 0; i < 16; i++) r.i8[i] = x; return r; }
static inline mn_v128r mn_vi_splat_i16_ref(int16_t x) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = x; return r; }
static inline mn_v128r mn_vi_splat_i32_ref(int32_t x) { mn_v128r r; for (int i = 0; i < 4; i++) r.i32[i] = x; return r; }
/* All four lanes get the bits of x. */
static inline mn_v128r mn_vf_splat_ref(float x)
{ mn_v128r r; uint32_t u = mn_ref_f2u_(x); for (int i = 0; i < 4; i++) r.u32[i] = u; return r; }
/* Lane (lane & 3); lane may be a run-time value. */
static inline int32_t mn_vi_extract_i32_ref(mn_v128r v, int lane) { return v.i32[lane & 3]; }
static inline float mn_vf_extract_ref(mn_v128r v, int lane) { return mn_ref_u2f_(v.u32[lane & 3]); }
/* Bit reinterpretations (free on every ISA). */
static inline mn_v128r mn_vi_as_vf_ref(mn_v128r v) { return v; }
static inline mn_v128r mn_vf_as_vi_ref(mn_v128r v) { return v; }

/* ======================================================================
 * Integer arithmetic.
 * ==================================================================== */
/* Lane-wise wrapping add/sub. */
static inline mn_v128r mn_vi_add_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = (uint8_t)(a.u8[i] + b.u8[i]); return r; }
static inline mn_v128r mn_vi_sub_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = (uint8_t)(a.u8[i] - b.u8[i]); return r; }
static inline mn_v128r mn_vi_add_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)(a.u16[i] + b.u16[i]); return r; }
static inline mn_v128r mn_vi_sub_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)(a.u16[i] - b.u16[i]); return r; }
static inline mn_v128r mn_vi_add_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] + b.u32[i]; return r; }
static inline mn_v128r mn_vi_sub_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] - b.u32[i]; return r; }
/* Signed saturating i16 add/sub: result clamped to [-32768, 32767]. */
static inline mn_v128r mn_vi_adds_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = mn_ref_sat16_((int32_t)a.i16[i] + b.i16[i]); return r; }
static inline mn_v128r mn_vi_subs_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = mn_ref_sat16_((int32_t)a.i16[i] - b.i16[i]); return r; }
/* Low half of the product, wrapping (same for signed and unsigned). */
static inline mn_v128r mn_vi_mullo_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)((uint32_t)a.u16[i] * b.u16[i]); return r; }
static inline mn_v128r mn_vi_mullo_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] * b.u32[i]; return r; }
/* i32 lane j = a.i16[2j]*b.i16[2j] + a.i16[2j+1]*b.i16[2j+1], wrapping mod 2^32
 * (only a=b=-32768 in both pairs overflows: gives INT32_MIN, like pmaddwd). */
static inline mn_v128r mn_vi_madd_i16_ref(mn_v128r a, mn_v128r b)
{
    mn_v128r r;
    for (int j = 0; j < 4; j++)
        r.u32[j] = (uint32_t)((int32_t)a.i16[2*j] * b.i16[2*j]) + (uint32_t)((int32_t)a.i16[2*j+1] * b.i16[2*j+1]);
    return r;
}
/* Signed lane-wise min/max. */
static inline mn_v128r mn_vi_min_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.i32[i] = a.i32[i] < b.i32[i] ? a.i32[i] : b.i32[i]; return r; }
static inline mn_v128r mn_vi_max_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.i32[i] = a.i32[i] > b.i32[i] ? a.i32[i] : b.i32[i]; return r; }

/* ======================================================================
 * Int8 dot products. LANE LAYOUT (the same for both ops, every ISA):
 *   r.i32[j] = acc.i32[j] + sum over k in {2j, 2j+1, 2j+8, 2j+9} of a[k]*b[k]
 * i.e. lane j gets byte pairs (2j,2j+1) of the low half and of the high half.
 * The four products are summed exactly (|sum| <= 65536) and then added to
 * acc with wrap-around mod 2^32. Exact over the whole int8 range, including
 * -128*-128 (no saturation anywhere). The sum of all 4 lanes is the full
 * 16-element dot product.
 * ==================================================================== */
/* a, b: signed int8. */
static inline mn_v128r mn_vi_dot_i8_acc_ref(mn_v128r acc, mn_v128r a, mn_v128r b)
{
    mn_v128r r;
    for (int j = 0; j < 4; j++) {
        int32_t s = a.i8[2*j] * b.i8[2*j] + a.i8[2*j+1] * b.i8[2*j+1]
                  + a.i8[2*j+8] * b.i8[2*j+8] + a.i8[2*j+9] * b.i8[2*j+9];
        r.u32[j] = acc.u32[j] + (uint32_t)s;
    }
    return r;
}
/* u: UNSIGNED uint8 (0..255), s: signed int8. Same layout; exact. */
static inline mn_v128r mn_vi_dot_u8i8_acc_ref(mn_v128r acc, mn_v128r u, mn_v128r s)
{
    mn_v128r r;
    for (int j = 0; j < 4; j++) {
        int32_t t = u.u8[2*j] * s.i8[2*j] + u.u8[2*j+1] * s.i8[2*j+1]
                  + u.u8[2*j+8] * s.i8[2*j+8] + u.u8[2*j+9] * s.i8[2*j+9];
        r.u32[j] = acc.u32[j] + (uint32_t)t;
    }
    return r;
}

/* ======================================================================
 * Widening (lo = lanes from bytes 0..7, hi = from bytes 8..15) and
 * narrowing (a fills the low half of the result, b the high half).
 * ==================================================================== */
static inline mn_v128r mn_vi_widen_lo_i8_i16_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = a.i8[i]; return r; }
static inline mn_v128r mn_vi_widen_hi_i8_i16_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = a.i8[i + 8]; return r; }
static inline mn_v128r mn_vi_widen_lo_u8_i16_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = a.u8[i]; return r; }
static inline mn_v128r mn_vi_widen_hi_u8_i16_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 8; i++) r.i16[i] = a.u8[i + 8]; return r; }
static inline mn_v128r mn_vi_widen_lo_i16_i32_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.i32[i] = a.i16[i]; return r; }
static inline mn_v128r mn_vi_widen_hi_i16_i32_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.i32[i] = a.i16[i + 4]; return r; }
/* i32 -> i16 signed saturation: r.i16[0..3] = sat(a.i32[0..3]), r.i16[4..7] = sat(b.i32[0..3]). */
static inline mn_v128r mn_vi_narrow_i32_i16_sat_ref(mn_v128r a, mn_v128r b)
{ mn_v128r r; for (int i = 0; i < 4; i++) { r.i16[i] = mn_ref_sat16_(a.i32[i]); r.i16[i + 4] = mn_ref_sat16_(b.i32[i]); } return r; }
/* i16 -> i8 signed saturation to [-128, 127]. */
static inline mn_v128r mn_vi_narrow_i16_i8_sat_ref(mn_v128r a, mn_v128r b)
{ mn_v128r r; for (int i = 0; i < 8; i++) { r.i8[i] = mn_ref_sat8_(a.i16[i]); r.i8[i + 8] = mn_ref_sat8_(b.i16[i]); } return r; }
/* SIGNED i16 -> u8 saturation to [0, 255]. */
static inline mn_v128r mn_vi_narrow_i16_u8_sat_ref(mn_v128r a, mn_v128r b)
{ mn_v128r r; for (int i = 0; i < 8; i++) { r.u8[i] = mn_ref_satu8_(a.i16[i]); r.u8[i + 8] = mn_ref_satu8_(b.i16[i]); } return r; }

/* ======================================================================
 * Bitwise (on all 128 bits; also usable on float vectors via the casts).
 * ==================================================================== */
static inline mn_v128r mn_vi_and_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 2; i++) r.u64[i] = a.u64[i] & b.u64[i]; return r; }
static inline mn_v128r mn_vi_or_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 2; i++) r.u64[i] = a.u64[i] | b.u64[i]; return r; }
static inline mn_v128r mn_vi_xor_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 2; i++) r.u64[i] = a.u64[i] ^ b.u64[i]; return r; }
/* a AND NOT b  (note: the opposite operand order of SSE's _mm_andnot_si128). */
static inline mn_v128r mn_vi_andnot_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 2; i++) r.u64[i] = a.u64[i] & ~b.u64[i]; return r; }
/* Per BIT: mask bit 1 -> a, 0 -> b.  (a & mask) | (b & ~mask). Any mask, not only all-ones lanes. */
static inline mn_v128r mn_vi_bitselect_ref(mn_v128r mask, mn_v128r a, mn_v128r b)
{ mn_v128r r; for (int i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & mask.u64[i]) | (b.u64[i] & ~mask.u64[i]); return r; }

/* ======================================================================
 * Shifts. PRECONDITION: 0 <= n < lane width (16 or 32); other counts are
 * undefined (backends differ). n may be a run-time value.
 * srli = logical (zero fill), srai = arithmetic (sign fill).
 * ==================================================================== */
static inline mn_v128r mn_vi_slli_i16_ref(mn_v128r a, int n) { mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)(a.u16[i] << n); return r; }
static inline mn_v128r mn_vi_srli_i16_ref(mn_v128r a, int n) { mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)(a.u16[i] >> n); return r; }
static inline mn_v128r mn_vi_srai_i16_ref(mn_v128r a, int n)
{ mn_v128r r; for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)((a.u16[i] >> n) | (a.i16[i] < 0 ? ~(0xFFFFu >> n) : 0u)); return r; }
static inline mn_v128r mn_vi_slli_i32_ref(mn_v128r a, int n) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] << n; return r; }
static inline mn_v128r mn_vi_srli_i32_ref(mn_v128r a, int n) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] >> n; return r; }
static inline mn_v128r mn_vi_srai_i32_ref(mn_v128r a, int n)
{ mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = (a.u32[i] >> n) | (a.i32[i] < 0 ? ~(0xFFFFFFFFu >> n) : 0u); return r; }
/* Per byte: low nibble (b & 15) and high nibble (b >> 4), as 0..15. */
static inline mn_v128r mn_vi_nib_lo_u8_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = a.u8[i] & 15u; return r; }
static inline mn_v128r mn_vi_nib_hi_u8_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = (uint8_t)(a.u8[i] >> 4); return r; }

/* ======================================================================
 * Compares -> all-ones / all-zeros lane masks. Integer gt is SIGNED.
 * Float: IEEE ordered compares: any NaN operand -> false; -0 == +0.
 * (a > b is mn_vf_lt(b, a); a >= b is mn_vf_le(b, a).)
 * ==================================================================== */
static inline mn_v128r mn_vi_eq_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = a.i8[i] == b.i8[i] ? 0xFF : 0; return r; }
static inline mn_v128r mn_vi_gt_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = a.i8[i] > b.i8[i] ? 0xFF : 0; return r; }
static inline mn_v128r mn_vi_eq_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.i32[i] == b.i32[i] ? 0xFFFFFFFFu : 0; return r; }
static inline mn_v128r mn_vi_gt_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.i32[i] > b.i32[i] ? 0xFFFFFFFFu : 0; return r; }
static inline mn_v128r mn_vf_eq_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.f32[i] == b.f32[i] ? 0xFFFFFFFFu : 0; return r; }
static inline mn_v128r mn_vf_lt_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.f32[i] < b.f32[i] ? 0xFFFFFFFFu : 0; return r; }
static inline mn_v128r mn_vf_le_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.f32[i] <= b.f32[i] ? 0xFFFFFFFFu : 0; return r; }

/* ======================================================================
 * Byte shuffle and interleaves.
 * ==================================================================== */
/* r[i] = idx.u8[i] < 16 ? table[idx.u8[i]] : 0  (idx read as UNSIGNED bytes:
 * every index 16..255 gives 0). */
static inline mn_v128r mn_vi_shuffle_i8_ref(mn_v128r table, mn_v128r idx)
{ mn_v128r r; for (int i = 0; i < 16; i++) r.u8[i] = idx.u8[i] < 16 ? table.u8[idx.u8[i]] : 0; return r; }
/* zip_lo: a0 b0 a1 b1 ... (lanes from the low halves); zip_hi: same from the high halves. */
static inline mn_v128r mn_vi_zip_lo_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) { r.u8[2*i] = a.u8[i]; r.u8[2*i+1] = b.u8[i]; } return r; }
static inline mn_v128r mn_vi_zip_hi_i8_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 8; i++) { r.u8[2*i] = a.u8[i+8]; r.u8[2*i+1] = b.u8[i+8]; } return r; }
static inline mn_v128r mn_vi_zip_lo_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) { r.u16[2*i] = a.u16[i]; r.u16[2*i+1] = b.u16[i]; } return r; }
static inline mn_v128r mn_vi_zip_hi_i16_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) { r.u16[2*i] = a.u16[i+4]; r.u16[2*i+1] = b.u16[i+4]; } return r; }
static inline mn_v128r mn_vi_zip_lo_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; r.u32[0] = a.u32[0]; r.u32[1] = b.u32[0]; r.u32[2] = a.u32[1]; r.u32[3] = b.u32[1]; return r; }
static inline mn_v128r mn_vi_zip_hi_i32_ref(mn_v128r a, mn_v128r b) { mn_v128r r; r.u32[0] = a.u32[2]; r.u32[1] = b.u32[2]; r.u32[2] = a.u32[3]; r.u32[3] = b.u32[3]; return r; }
static inline mn_v128r mn_vi_zip_lo_i64_ref(mn_v128r a, mn_v128r b) { mn_v128r r; r.u64[0] = a.u64[0]; r.u64[1] = b.u64[0]; return r; }
static inline mn_v128r mn_vi_zip_hi_i64_ref(mn_v128r a, mn_v128r b) { mn_v128r r; r.u64[0] = a.u64[1]; r.u64[1] = b.u64[1]; return r; }

/* ======================================================================
 * Float arithmetic: IEEE-754 correctly rounded (nearest-even), lane-wise.
 * NaN results: only NaN-ness is specified.
 * ==================================================================== */
static inline mn_v128r mn_vf_add_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.f32[i] = a.f32[i] + b.f32[i]; return r; }
static inline mn_v128r mn_vf_sub_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.f32[i] = a.f32[i] - b.f32[i]; return r; }
static inline mn_v128r mn_vf_mul_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.f32[i] = a.f32[i] * b.f32[i]; return r; }
static inline mn_v128r mn_vf_div_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.f32[i] = a.f32[i] / b.f32[i]; return r; }
/* acc + a*b with TWO roundings (product rounded first). Never fused. */
static inline mn_v128r mn_vf_mul_add_ref(mn_v128r acc, mn_v128r a, mn_v128r b)
{
    mn_v128r r;
    for (int i = 0; i < 4; i++) { float p = a.f32[i] * b.f32[i]; r.f32[i] = acc.f32[i] + p; }
    return r;
}
/* Correctly rounded square root in integer arithmetic (no libm). */
static inline uint32_t mn_ref_sqrt_bits_(uint32_t u)
{
    uint32_t ex = (u >> 23) & 0xFFu, man = u & 0x7FFFFFu;
    if (ex == 0xFFu) return man ? (u | 0x400000u) : (u >> 31) ? 0xFFC00000u : u; /* NaN / -inf / +inf */
    if ((u & 0x7FFFFFFFu) == 0) return u;                                      /* +-0 keeps sign */
    if (u >> 31) return 0xFFC00000u;                                           /* negative -> NaN */
    uint64_t m; int32_t e;
    if (ex == 0) { m = man; e = -149; while (m < 0x800000u) { m <<= 1; e--; } }
    else { m = man | 0x800000u; e = (int32_t)ex - 150; }                       /* value = m * 2^e */
    if (e & 1) { m <<= 1; e -= 1; }
    uint64_t op = m << 26, res = 0, one = (uint64_t)1 << 62;                   /* sqrt(m<<26) * 2^(e/2-13) */
    while (one > op) one >>= 2;
    while (one) {
        if (op >= res + one) { op -= res + one; res = (res >> 1) + one; }
        else res >>= 1;
        one >>= 2;
    }
    int s = 1;                                  /* res in [2^24.5, 2^25.5): 25 or 26 bits */
    while ((res >> s) >= ((uint64_t)1 << 24)) s++;                              /* keep 24 significant bits */
    uint64_t q = res >> s, rest = res & (((uint64_t)1 << s) - 1), half = (uint64_t)1 << (s - 1);
    int32_t E = e / 2 - 13 + s;
    if (rest > half || (rest == half && (op != 0 || (q & 1)))) q++;             /* nearest-even, op = remainder */
    if (q >> 24) { q >>= 1; E++; }
    return (uint32_t)(E + 150) << 23 | (uint32_t)(q & 0x7FFFFFu);
}
static inline mn_v128r mn_vf_sqrt_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = mn_ref_sqrt_bits_(a.u32[i]); return r; }

/* ======================================================================
 * Float selection / sign ops: result bits are exactly one operand's bits.
 * ==================================================================== */
/* min: a < b ? a : b   (so if either is NaN, or both are zeros, returns b). */
static inline mn_v128r mn_vf_min_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.f32[i] < b.f32[i] ? a.u32[i] : b.u32[i]; return r; }
/* max: a > b ? a : b   (likewise returns b on NaN or equal/zeros). */
static inline mn_v128r mn_vf_max_ref(mn_v128r a, mn_v128r b) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.f32[i] > b.f32[i] ? a.u32[i] : b.u32[i]; return r; }
/* Clear / flip the sign bit (NaNs included). */
static inline mn_v128r mn_vf_abs_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] & 0x7FFFFFFFu; return r; }
static inline mn_v128r mn_vf_neg_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.u32[i] = a.u32[i] ^ 0x80000000u; return r; }
/* Per bit: mask (an integer vector) 1 -> a, 0 -> b. */
static inline mn_v128r mn_vf_select_ref(mn_v128r mask, mn_v128r a, mn_v128r b) { return mn_vi_bitselect_ref(mask, a, b); }

/* ======================================================================
 * Rounding and conversions.
 * ==================================================================== */
/* Round to nearest integer, ties to even; result keeps the sign of the input
 * (-0.3 -> -0.0); +-inf and |x| >= 2^23 unchanged; NaN -> NaN. */
static inline mn_v128r mn_vf_round_ref(mn_v128r a)
{
    mn_v128r r;
    for (int i = 0; i < 4; i++) {
        uint32_t u = a.u32[i], ax = u & 0x7FFFFFFFu;
        if (ax >= 0x4B000000u) { r.f32[i] = ax > 0x7F800000u ? a.f32[i] + a.f32[i] : a.f32[i]; continue; }
        float t = mn_ref_u2f_(ax) + 8388608.0f;   /* exact integer part, nearest-even */
        t = t - 8388608.0f;
        r.u32[i] = mn_ref_f2u_(t) | (u & 0x80000000u);
    }
    return r;
}
/* f32 -> i32 truncating toward zero, SATURATING: x >= 2^31 -> INT32_MAX,
 * x < -2^31 -> INT32_MIN, NaN -> 0. */
static inline mn_v128r mn_vf_to_i32_ref(mn_v128r a)
{
    mn_v128r r;
    for (int i = 0; i < 4; i++) {
        float x = a.f32[i];
        r.i32[i] = x != x ? 0 : x >= 2147483648.0f ? INT32_MAX : x < -2147483648.0f ? INT32_MIN : (int32_t)x;
    }
    return r;
}
/* i32 -> f32, rounded to nearest-even (exact for |x| <= 2^24). */
static inline mn_v128r mn_vf_from_i32_ref(mn_v128r a) { mn_v128r r; for (int i = 0; i < 4; i++) r.f32[i] = (float)a.i32[i]; return r; }

/* ======================================================================
 * Horizontal reductions, FIXED order on every ISA.
 * ==================================================================== */
/* Wrapping sum of the 4 i32 lanes. */
static inline int32_t mn_vi_hsum_i32_ref(mn_v128r a) { return (int32_t)(a.u32[0] + a.u32[1] + a.u32[2] + a.u32[3]); }
/* (l0 + l2) + (l1 + l3), each + rounded. */
static inline float mn_vf_hsum_ref(mn_v128r a)
{ float s02 = a.f32[0] + a.f32[2]; float s13 = a.f32[1] + a.f32[3]; return s02 + s13; }
/* max(max(l0,l2), max(l1,l3)) with max(x,y) = x > y ? x : y (bits of an operand). */
static inline float mn_vf_hmax_ref(mn_v128r a)
{
    uint32_t m02 = a.f32[0] > a.f32[2] ? a.u32[0] : a.u32[2];
    uint32_t m13 = a.f32[1] > a.f32[3] ? a.u32[1] : a.u32[3];
    return mn_ref_u2f_(mn_ref_u2f_(m02) > mn_ref_u2f_(m13) ? m02 : m13);
}

#endif /* MN_VEC128_REF_H */
