/*
 * vec128.h - the one header kernels include for 128-bit SIMD.
 *
 * Backend selection (compiler macros):
 *   MN_SIMD_FORCE_REF defined     -> reference (plain C, vec128_ref.h)
 *   __wasm_simd128__              -> vec128_wasm.h   ("wasm-simd128")
 *   __SSE4_1__                    -> vec128_sse41.h  ("sse4.1")
 *   __ARM_NEON && __aarch64__     -> vec128_neon.h   ("neon")
 *   otherwise                     -> reference       ("ref")
 * MN_SIMD_BACKEND_NAME names the choice; MN_SIMD_NATIVE is 1 for a vector ISA.
 *
 * Types: mn_vi (128-bit integer vector), mn_vf (4 x f32). The reference
 * functions (suffix _ref, type mn_v128r) are always available and define the
 * semantics of every op; see vec128_ref.h for each op's exact contract.
 * mn_vi_to_ref / mn_vi_from_ref / mn_vf_to_ref / mn_vf_from_ref convert.
 *
 * Build rules: -ffp-contract=off (never fused multiply-add), default
 * rounding mode, no -ffast-math, no flush-to-zero.
 */
#ifndef MN_VEC128_H
#define MN_VEC128_H

#include "vec128_ref.h"

#if defined(MN_SIMD_FORCE_REF)
#  define MN_SIMD_USE_REF_ 1
#elif defined(__wasm_simd128__)
#  include "vec128_wasm.h"
#elif defined(__SSE4_1__)
#  include "vec128_sse41.h"
#elif defined(__ARM_NEON) && defined(__aarch64__)
#  include "vec128_neon.h"
#else
#  define MN_SIMD_USE_REF_ 1
#endif

#ifdef MN_SIMD_USE_REF_
#define MN_SIMD_BACKEND_NAME "ref"
#define MN_SIMD_NATIVE 0
typedef mn_v128r mn_vi;
typedef mn_v128r mn_vf;
static inline mn_v128r mn_vi_to_ref(mn_vi v) { return v; }
static inline mn_vi mn_vi_from_ref(mn_v128r r) { return r; }
static inline mn_v128r mn_vf_to_ref(mn_vf v) { return v; }
static inline mn_vf mn_vf_from_ref(mn_v128r r) { return r; }
#define mn_vi_load                 mn_vi_load_ref
#define mn_vi_store                mn_vi_store_ref
#define mn_vi_load_partial         mn_vi_load_partial_ref
#define mn_vi_store_partial        mn_vi_store_partial_ref
#define mn_vi_load_lo64            mn_vi_load_lo64_ref
#define mn_vf_load                 mn_vf_load_ref
#define mn_vf_store                mn_vf_store_ref
#define mn_vf_load_partial         mn_vf_load_partial_ref
#define mn_vf_store_partial        mn_vf_store_partial_ref
#define mn_vi_zero                 mn_vi_zero_ref
#define mn_vf_zero                 mn_vf_zero_ref
#define mn_vi_splat_i8             mn_vi_splat_i8_ref
#define mn_vi_splat_i16            mn_vi_splat_i16_ref
#define mn_vi_splat_i32            mn_vi_splat_i32_ref
#define mn_vf_splat                mn_vf_splat_ref
#define mn_vi_extract_i32          mn_vi_extract_i32_ref
#define mn_vf_extract              mn_vf_extract_ref
#define mn_vi_as_vf                mn_vi_as_vf_ref
#define mn_vf_as_vi                mn_vf_as_vi_ref
#define mn_vi_add_i8               mn_vi_add_i8_ref
#define mn_vi_sub_i8               mn_vi_sub_i8_ref
#define mn_vi_add_i16              mn_vi_add_i16_ref
#define mn_vi_sub_i16              mn_vi_sub_i16_ref
#define mn_vi_add_i32              mn_vi_add_i32_ref
#define mn_vi_sub_i32              mn_vi_sub_i32_ref
#define mn_vi_adds_i16             mn_vi_adds_i16_ref
#define mn_vi_subs_i16             mn_vi_subs_i16_ref
#define mn_vi_mullo_i16            mn_vi_mullo_i16_ref
#define mn_vi_mullo_i32            mn_vi_mullo_i32_ref
#define mn_vi_madd_i16             mn_vi_madd_i16_ref
#define mn_vi_min_i32              mn_vi_min_i32_ref
#define mn_vi_max_i32              mn_vi_max_i32_ref
#define mn_vi_dot_i8_acc           mn_vi_dot_i8_acc_ref
#define mn_vi_dot_u8i8_acc         mn_vi_dot_u8i8_acc_ref
#define mn_vi_widen_lo_i8_i16      mn_vi_widen_lo_i8_i16_ref
#define mn_vi_widen_hi_i8_i16      mn_vi_widen_hi_i8_i16_ref
#define mn_vi_widen_lo_u8_i16      mn_vi_widen_lo_u8_i16_ref
#define mn_vi_widen_hi_u8_i16      mn_vi_widen_hi_u8_i16_ref
#define mn_vi_widen_lo_i16_i32     mn_vi_widen_lo_i16_i32_ref
#define mn_vi_widen_hi_i16_i32     mn_vi_widen_hi_i16_i32_ref
#define mn_vi_narrow_i32_i16_sat   mn_vi_narrow_i32_i16_sat_ref
#define mn_vi_narrow_i16_i8_sat    mn_vi_narrow_i16_i8_sat_ref
#define mn_vi_narrow_i16_u8_sat    mn_vi_narrow_i16_u8_sat_ref
#define mn_vi_and                  mn_vi_and_ref
#define mn_vi_or                   mn_vi_or_ref
#define mn_vi_xor                  mn_vi_xor_ref
#define mn_vi_andnot               mn_vi_andnot_ref
#define mn_vi_bitselect            mn_vi_bitselect_ref
#define mn_vi_slli_i16             mn_vi_slli_i16_ref
#define mn_vi_srli_i16             mn_vi_srli_i16_ref
#define mn_vi_srai_i16             mn_vi_srai_i16_ref
#define mn_vi_slli_i32             mn_vi_slli_i32_ref
#define mn_vi_srli_i32             mn_vi_srli_i32_ref
#define mn_vi_srai_i32             mn_vi_srai_i32_ref
#define mn_vi_nib_lo_u8            mn_vi_nib_lo_u8_ref
#define mn_vi_nib_hi_u8            mn_vi_nib_hi_u8_ref
#define mn_vi_eq_i8                mn_vi_eq_i8_ref
#define mn_vi_gt_i8                mn_vi_gt_i8_ref
#define mn_vi_eq_i32               mn_vi_eq_i32_ref
#define mn_vi_gt_i32               mn_vi_gt_i32_ref
#define mn_vf_eq                   mn_vf_eq_ref
#define mn_vf_lt                   mn_vf_lt_ref
#define mn_vf_le                   mn_vf_le_ref
#define mn_vi_shuffle_i8           mn_vi_shuffle_i8_ref
#define mn_vi_zip_lo_i8            mn_vi_zip_lo_i8_ref
#define mn_vi_zip_hi_i8            mn_vi_zip_hi_i8_ref
#define mn_vi_zip_lo_i16           mn_vi_zip_lo_i16_ref
#define mn_vi_zip_hi_i16           mn_vi_zip_hi_i16_ref
#define mn_vi_zip_lo_i32           mn_vi_zip_lo_i32_ref
#define mn_vi_zip_hi_i32           mn_vi_zip_hi_i32_ref
#define mn_vi_zip_lo_i64           mn_vi_zip_lo_i64_ref
#define mn_vi_zip_hi_i64           mn_vi_zip_hi_i64_ref
#define mn_vf_add                  mn_vf_add_ref
#define mn_vf_sub                  mn_vf_sub_ref
#define mn_vf_mul                  mn_vf_mul_ref
#define mn_vf_div                  mn_vf_div_ref
#define mn_vf_mul_add              mn_vf_mul_add_ref
#define mn_vf_sqrt                 mn_vf_sqrt_ref
#define mn_vf_min                  mn_vf_min_ref
#define mn_vf_max                  mn_vf_max_ref
#define mn_vf_abs                  mn_vf_abs_ref
#define mn_vf_neg                  mn_vf_neg_ref
#define mn_vf_select               mn_vf_select_ref
#define mn_vf_round                mn_vf_round_ref
#define mn_vf_to_i32               mn_vf_to_i32_ref
#define mn_vf_from_i32             mn_vf_from_i32_ref
#define mn_vi_hsum_i32             mn_vi_hsum_i32_ref
#define mn_vf_hsum                 mn_vf_hsum_ref
#define mn_vf_hmax                 mn_vf_hmax_ref
#endif

/* Number of vector ops (excluding the to/from_ref conversions). */
#define MN_SIMD_OP_COUNT 89

#endif /* MN_VEC128_H */
