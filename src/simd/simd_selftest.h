/*
 * simd_selftest.h - checks the native vec128 backend against the reference.
 *
 * mn_simd_selftest() runs every op of the selected backend against its _ref
 * twin on edge values and seeded random vectors. Returns the number of
 * mismatches (0 = ok) and writes a one-line report into report[cap], e.g.
 * "vec128 sse4.1: 89 ops, 0 mismatches". No abort/exit, no libm.
 *
 * With MN_SIMD_WANT_OPTABLE defined before inclusion, this header also
 * provides (as static functions, so each user gets its own copy) the op
 * table shared by the self-test and tests/c/test_vec128.c: every op wrapped
 * with one uniform signature, in a native and a _ref variant.
 */
#ifndef MN_SIMD_SELFTEST_H
#define MN_SIMD_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

int mn_simd_selftest(char *report, size_t cap);

#endif /* MN_SIMD_SELFTEST_H */

#if defined(MN_SIMD_WANT_OPTABLE) && !defined(MN_SIMD_OPTABLE_DONE)
#define MN_SIMD_OPTABLE_DONE
#include "vec128.h"
#include <stdio.h>

/* in[0..2]: operands (a, b, c); imm: shift count / length / lane; out: result
 * (scalar results go to lane 0, the other bytes are 0). */
typedef void (*mn_simd_opfn)(const mn_v128r *in, int imm, mn_v128r *out);

enum { MN_SIMD_CMP_BITS = 0, MN_SIMD_CMP_F32 = 1 }; /* F32: per lane, NaN == any NaN */
enum {
    MN_SIMD_G_MEM, MN_SIMD_G_MAKE, MN_SIMD_G_IARITH, MN_SIMD_G_DOT, MN_SIMD_G_WIDEN,
    MN_SIMD_G_BIT, MN_SIMD_G_SHIFT, MN_SIMD_G_CMP, MN_SIMD_G_SHUF, MN_SIMD_G_FARITH,
    MN_SIMD_G_FSEL, MN_SIMD_G_CONV, MN_SIMD_G_REDUCE, MN_SIMD_G_COUNT
};

typedef struct mn_simd_op {
    const char *name;
    mn_simd_opfn native, ref;
    int cmp;    /* MN_SIMD_CMP_* */
    int group;  /* MN_SIMD_G_* */
    int nimm;   /* imm takes values 0..nimm-1 (0: unused) */
} mn_simd_op;

/* X(kind, op without the mn_ prefix, cmp, group, nimm) */
#define MN_SIMD_OPTABLE(X) \
    X(CU, vi_load, BITS, MEM, 0) X(CU, vi_store, BITS, MEM, 0) X(CU, vi_load_partial, BITS, MEM, 18) \
    X(CU, vi_store_partial, BITS, MEM, 18) X(CU, vi_load_lo64, BITS, MEM, 0) X(CU, vf_load, BITS, MEM, 0) \
    X(CU, vf_store, BITS, MEM, 0) X(CU, vf_load_partial, BITS, MEM, 6) X(CU, vf_store_partial, BITS, MEM, 6) \
    X(CU, vi_zero, BITS, MAKE, 0) X(CU, vf_zero, BITS, MAKE, 0) X(CU, vi_splat_i8, BITS, MAKE, 0) \
    X(CU, vi_splat_i16, BITS, MAKE, 0) X(CU, vi_splat_i32, BITS, MAKE, 0) X(CU, vf_splat, BITS, MAKE, 0) \
    X(CU, vi_extract_i32, BITS, MAKE, 8) X(CU, vf_extract, BITS, MAKE, 8) X(CU, vi_as_vf, BITS, MAKE, 0) \
    X(CU, vf_as_vi, BITS, MAKE, 0) \
    X(I2, vi_add_i8, BITS, IARITH, 0) X(I2, vi_sub_i8, BITS, IARITH, 0) X(I2, vi_add_i16, BITS, IARITH, 0) \
    X(I2, vi_sub_i16, BITS, IARITH, 0) X(I2, vi_add_i32, BITS, IARITH, 0) X(I2, vi_sub_i32, BITS, IARITH, 0) \
    X(I2, vi_adds_i16, BITS, IARITH, 0) X(I2, vi_subs_i16, BITS, IARITH, 0) X(I2, vi_mullo_i16, BITS, IARITH, 0) \
    X(I2, vi_mullo_i32, BITS, IARITH, 0) X(I2, vi_madd_i16, BITS, IARITH, 0) X(I2, vi_min_i32, BITS, IARITH, 0) \
    X(I2, vi_max_i32, BITS, IARITH, 0) \
    X(I3, vi_dot_i8_acc, BITS, DOT, 0) X(I3, vi_dot_u8i8_acc, BITS, DOT, 0) \
    X(I1, vi_widen_lo_i8_i16, BITS, WIDEN, 0) X(I1, vi_widen_hi_i8_i16, BITS, WIDEN, 0) \
    X(I1, vi_widen_lo_u8_i16, BITS, WIDEN, 0) X(I1, vi_widen_hi_u8_i16, BITS, WIDEN, 0) \
    X(I1, vi_widen_lo_i16_i32, BITS, WIDEN, 0) X(I1, vi_widen_hi_i16_i32, BITS, WIDEN, 0) \
    X(I2, vi_narrow_i32_i16_sat, BITS, WIDEN, 0) X(I2, vi_narrow_i16_i8_sat, BITS, WIDEN, 0) \
    X(I2, vi_narrow_i16_u8_sat, BITS, WIDEN, 0) \
    X(I2, vi_and, BITS, BIT, 0) X(I2, vi_or, BITS, BIT, 0) X(I2, vi_xor, BITS, BIT, 0) \
    X(I2, vi_andnot, BITS, BIT, 0) X(I3, vi_bitselect, BITS, BIT, 0) \
    X(IN, vi_slli_i16, BITS, SHIFT, 16) X(IN, vi_srli_i16, BITS, SHIFT, 16) X(IN, vi_srai_i16, BITS, SHIFT, 16) \
    X(IN, vi_slli_i32, BITS, SHIFT, 32) X(IN, vi_srli_i32, BITS, SHIFT, 32) X(IN, vi_srai_i32, BITS, SHIFT, 32) \
    X(I1, vi_nib_lo_u8, BITS, SHIFT, 0) X(I1, vi_nib_hi_u8, BITS, SHIFT, 0) \
    X(I2, vi_eq_i8, BITS, CMP, 0) X(I2, vi_gt_i8, BITS, CMP, 0) X(I2, vi_eq_i32, BITS, CMP, 0) \
    X(I2, vi_gt_i32, BITS, CMP, 0) X(FC, vf_eq, BITS, CMP, 0) X(FC, vf_lt, BITS, CMP, 0) X(FC, vf_le, BITS, CMP, 0) \
    X(I2, vi_shuffle_i8, BITS, SHUF, 0) X(I2, vi_zip_lo_i8, BITS, SHUF, 0) X(I2, vi_zip_hi_i8, BITS, SHUF, 0) \
    X(I2, vi_zip_lo_i16, BITS, SHUF, 0) X(I2, vi_zip_hi_i16, BITS, SHUF, 0) X(I2, vi_zip_lo_i32, BITS, SHUF, 0) \
    X(I2, vi_zip_hi_i32, BITS, SHUF, 0) X(I2, vi_zip_lo_i64, BITS, SHUF, 0) X(I2, vi_zip_hi_i64, BITS, SHUF, 0) \
    X(F2, vf_add, F32, FARITH, 0) X(F2, vf_sub, F32, FARITH, 0) X(F2, vf_mul, F32, FARITH, 0) \
    X(F2, vf_div, F32, FARITH, 0) X(F3, vf_mul_add, F32, FARITH, 0) X(F1, vf_sqrt, F32, FARITH, 0) \
    X(F2, vf_min, BITS, FSEL, 0) X(F2, vf_max, BITS, FSEL, 0) X(F1, vf_abs, BITS, FSEL, 0) \
    X(F1, vf_neg, BITS, FSEL, 0) X(SEL, vf_select, BITS, FSEL, 0) \
    X(F1, vf_round, F32, CONV, 0) X(FI, vf_to_i32, BITS, CONV, 0) X(IF, vf_from_i32, BITS, CONV, 0) \
    X(RI, vi_hsum_i32, BITS, REDUCE, 0) X(RF, vf_hsum, F32, REDUCE, 0) X(RF, vf_hmax, BITS, REDUCE, 0)

static inline mn_v128r mn_simd_id_(mn_v128r v) { return v; }
static inline mn_v128r mn_simd_zero_r_(void) { mn_v128r r; memset(&r, 0, sizeof r); return r; }
static inline void mn_simd_setf_(mn_v128r *o, float f) { *o = mn_simd_zero_r_(); memcpy(&o->u32[0], &f, 4); }

/* Bodies: F = the op, FI/TI = int vector from/to ref, FF/TF = float vector from/to ref. */
#define MN_SIMD_B_I2(F, FI, TI, FF, TF)  *o = TI(F(FI(in[0]), FI(in[1])));
#define MN_SIMD_B_I1(F, FI, TI, FF, TF)  *o = TI(F(FI(in[0])));
#define MN_SIMD_B_I3(F, FI, TI, FF, TF)  *o = TI(F(FI(in[0]), FI(in[1]), FI(in[2])));
#define MN_SIMD_B_IN(F, FI, TI, FF, TF)  *o = TI(F(FI(in[0]), imm));
#define MN_SIMD_B_F2(F, FI, TI, FF, TF)  *o = TF(F(FF(in[0]), FF(in[1])));
#define MN_SIMD_B_F1(F, FI, TI, FF, TF)  *o = TF(F(FF(in[0])));
#define MN_SIMD_B_F3(F, FI, TI, FF, TF)  *o = TF(F(FF(in[0]), FF(in[1]), FF(in[2])));
#define MN_SIMD_B_FC(F, FI, TI, FF, TF)  *o = TI(F(FF(in[0]), FF(in[1])));
#define MN_SIMD_B_FI(F, FI, TI, FF, TF)  *o = TI(F(FF(in[0])));
#define MN_SIMD_B_IF(F, FI, TI, FF, TF)  *o = TF(F(FI(in[0])));
#define MN_SIMD_B_SEL(F, FI, TI, FF, TF) *o = TF(F(FI(in[0]), FF(in[1]), FF(in[2])));
#define MN_SIMD_B_RI(F, FI, TI, FF, TF)  *o = mn_simd_zero_r_(); o->i32[0] = F(FI(in[0]));
#define MN_SIMD_B_RF(F, FI, TI, FF, TF)  mn_simd_setf_(o, F(FF(in[0])));

/* custom bodies (memory, construction, lanes, casts) */
#define MN_SIMD_B_vi_load(F, FI, TI, FF, TF) { unsigned char b_[16]; memcpy(b_, in[0].u8, 16); *o = TI(F(b_)); }
#define MN_SIMD_B_vi_store(F, FI, TI, FF, TF) { unsigned char b_[16]; memcpy(b_, in[1].u8, 16); F(b_, FI(in[0])); memcpy(o, b_, 16); }
#define MN_SIMD_B_vi_load_partial(F, FI, TI, FF, TF) { unsigned char b_[16]; memcpy(b_, in[0].u8, 16); *o = TI(F(b_, (size_t)imm)); }
#define MN_SIMD_B_vi_store_partial(F, FI, TI, FF, TF) { unsigned char b_[16]; memcpy(b_, in[1].u8, 16); F(b_, FI(in[0]), (size_t)imm); memcpy(o, b_, 16); }
#define MN_SIMD_B_vi_load_lo64(F, FI, TI, FF, TF) { unsigned char b_[8]; memcpy(b_, in[0].u8, 8); *o = TI(F(b_)); }
#define MN_SIMD_B_vf_load(F, FI, TI, FF, TF) { float b_[4]; memcpy(b_, in[0].u8, 16); *o = TF(F(b_)); }
#define MN_SIMD_B_vf_store(F, FI, TI, FF, TF) { float b_[4]; memcpy(b_, in[1].u8, 16); F(b_, FF(in[0])); memcpy(o, b_, 16); }
#define MN_SIMD_B_vf_load_partial(F, FI, TI, FF, TF) { float b_[4]; memcpy(b_, in[0].u8, 16); *o = TF(F(b_, (size_t)imm)); }
#define MN_SIMD_B_vf_store_partial(F, FI, TI, FF, TF) { float b_[4]; memcpy(b_, in[1].u8, 16); F(b_, FF(in[0]), (size_t)imm); memcpy(o, b_, 16); }
#define MN_SIMD_B_vi_zero(F, FI, TI, FF, TF) *o = TI(F());
#define MN_SIMD_B_vf_zero(F, FI, TI, FF, TF) *o = TF(F());
#define MN_SIMD_B_vi_splat_i8(F, FI, TI, FF, TF) *o = TI(F(in[0].i8[0]));
#define MN_SIMD_B_vi_splat_i16(F, FI, TI, FF, TF) *o = TI(F(in[0].i16[0]));
#define MN_SIMD_B_vi_splat_i32(F, FI, TI, FF, TF) *o = TI(F(in[0].i32[0]));
#define MN_SIMD_B_vf_splat(F, FI, TI, FF, TF) *o = TF(F(mn_ref_u2f_(in[0].u32[0])));
#define MN_SIMD_B_vi_extract_i32(F, FI, TI, FF, TF) *o = mn_simd_zero_r_(); o->i32[0] = F(FI(in[0]), imm);
#define MN_SIMD_B_vf_extract(F, FI, TI, FF, TF) mn_simd_setf_(o, F(FF(in[0]), imm));
#define MN_SIMD_B_vi_as_vf(F, FI, TI, FF, TF) *o = TF(F(FI(in[0])));
#define MN_SIMD_B_vf_as_vi(F, FI, TI, FF, TF) *o = TI(F(FF(in[0])));

#define MN_SIMD_BODY_CU(s) MN_SIMD_B_##s
#define MN_SIMD_BODY_I2(s) MN_SIMD_B_I2
#define MN_SIMD_BODY_I1(s) MN_SIMD_B_I1
#define MN_SIMD_BODY_I3(s) MN_SIMD_B_I3
#define MN_SIMD_BODY_IN(s) MN_SIMD_B_IN
#define MN_SIMD_BODY_F2(s) MN_SIMD_B_F2
#define MN_SIMD_BODY_F1(s) MN_SIMD_B_F1
#define MN_SIMD_BODY_F3(s) MN_SIMD_B_F3
#define MN_SIMD_BODY_FC(s) MN_SIMD_B_FC
#define MN_SIMD_BODY_FI(s) MN_SIMD_B_FI
#define MN_SIMD_BODY_IF(s) MN_SIMD_B_IF
#define MN_SIMD_BODY_SEL(s) MN_SIMD_B_SEL
#define MN_SIMD_BODY_RI(s) MN_SIMD_B_RI
#define MN_SIMD_BODY_RF(s) MN_SIMD_B_RF

#define MN_SIMD_WRAP_(kind, s, cmp, group, nimm) \
    static void mn_simd_w_##s(const mn_v128r *in, int imm, mn_v128r *o) \
    { (void)in; (void)imm; MN_SIMD_BODY_##kind(s)(mn_##s, mn_vi_from_ref, mn_vi_to_ref, mn_vf_from_ref, mn_vf_to_ref) } \
    static void mn_simd_w_##s##_ref(const mn_v128r *in, int imm, mn_v128r *o) \
    { (void)in; (void)imm; MN_SIMD_BODY_##kind(s)(mn_##s##_ref, mn_simd_id_, mn_simd_id_, mn_simd_id_, mn_simd_id_) }
MN_SIMD_OPTABLE(MN_SIMD_WRAP_)

#define MN_SIMD_ENTRY_(kind, s, cmp, group, nimm) \
    { "mn_" #s, mn_simd_w_##s, mn_simd_w_##s##_ref, MN_SIMD_CMP_##cmp, MN_SIMD_G_##group, nimm },
static const mn_simd_op mn_simd_ops[] = { MN_SIMD_OPTABLE(MN_SIMD_ENTRY_) };
#define MN_SIMD_NOPS ((int)(sizeof mn_simd_ops / sizeof mn_simd_ops[0]))

/* ---- input generation (deterministic; splitmix64 like mt_rand) --------- */
static inline uint64_t mn_simd_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const int8_t mn_simd_edge_i8[] = { 0, 1, -1, 127, -128, 126, -127, 2, 15, 16, 17, -16, 0x70, 0x7F, 64, -64 };
static const int16_t mn_simd_edge_i16[] = { 0, 1, -1, 32767, -32768, 32766, -32767, 127, -128, 128, -129, 255, 256,
                                            -256, 0x00FF, 0x7F80, (int16_t)0x8080, 16384, -16384, 181, -182 };
static const int32_t mn_simd_edge_i32[] = { 0, 1, -1, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1, 32767, -32768,
                                            32768, -32769, 65535, 65536, -65536, 16777216, 16777217, -16777217,
                                            0x7FFFFF80, (int32_t)0x80000080, 46341, -46341 };
static const uint32_t mn_simd_edge_f32[] = {
    0x00000000u, 0x80000000u, 0x7F800000u, 0xFF800000u,  /* +-0, +-inf */
    0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFFA00001u, 0x7FFFFFFFu, /* NaNs, incl. signalling */
    0x00000001u, 0x80000001u, 0x007FFFFFu, 0x807FFFFFu, 0x00800000u, 0x00400000u, /* denormals, min normal */
    0x3F800000u, 0xBF800000u, 0x3F000000u, 0xBF000000u, 0x3FC00000u, 0xBFC00000u, 0x40200000u, 0xC0200000u, /* 1,.5,1.5,2.5 */
    0x3EFFFFFFu, 0x3F000001u, 0x4B000000u, 0x4AFFFFFFu, 0x4B7FFFFFu, 0xCAFFFFFFu, 0x4B800001u, /* rounding */
    0x4F000000u, 0x4EFFFFFFu, 0xCF000000u, 0xCF000001u, 0x4F800000u, 0xDF000000u, /* 2^31 boundaries */
    0x7F7FFFFFu, 0xFF7FFFFFu, 0x40000000u, 0x40400000u, 0x40800000u, 0x3EAAAAABu, 0x5F800000u, 0x1F800000u
};
#define MN_SIMD_NEL(a) (sizeof(a) / sizeof((a)[0]))

/* One 32-bit lane's worth from `mode`, written at byte offset 4*lane. */
static inline void mn_simd_gen_lane_(mn_v128r *v, int lane, int mode, uint64_t *s)
{
    uint64_t r = mn_simd_rand(s);
    switch (mode) {
    case 0: v->u32[lane] = (uint32_t)r; break;                                          /* random bits */
    case 1: { for (int k = 0; k < 4; k++) v->i8[4*lane+k] = mn_simd_edge_i8[(r >> (8*k)) % MN_SIMD_NEL(mn_simd_edge_i8)]; } break;
    case 2: { for (int k = 0; k < 2; k++) v->i16[2*lane+k] = mn_simd_edge_i16[(r >> (16*k)) % MN_SIMD_NEL(mn_simd_edge_i16)]; } break;
    case 3: v->i32[lane] = mn_simd_edge_i32[r % MN_SIMD_NEL(mn_simd_edge_i32)]; break;
    case 4: v->u32[lane] = mn_simd_edge_f32[r % MN_SIMD_NEL(mn_simd_edge_f32)]; break;
    case 5: /* "normal" float in +-[2^-12, 2^12) */
        v->u32[lane] = (uint32_t)((r >> 63) << 31) | (uint32_t)(115 + (r >> 40) % 24) << 23 | (uint32_t)(r & 0x7FFFFF); break;
    case 6: { /* quarter-integers (rounding ties) and small ints as float */
        int32_t k = (int32_t)((r >> 8) % 4001) - 2000;
        float f = (r & 1) ? (float)k / 4.0f : (float)k;
        memcpy(&v->u32[lane], &f, 4); break; }
    default: /* small bytes (equality / sign mixes) */
        { for (int k = 0; k < 4; k++) v->i8[4*lane+k] = (int8_t)((int)((r >> (8*k)) % 7) - 3); } break;
    }
}
/* Fill a vector: one mode for the whole vector, or mixed per lane. */
static inline void mn_simd_gen(mn_v128r *v, uint64_t *s)
{
    int mode = (int)(mn_simd_rand(s) % 10);
    for (int l = 0; l < 4; l++)
        mn_simd_gen_lane_(v, l, mode < 8 ? mode : (int)(mn_simd_rand(s) % 8), s);
}
/* Three operands; sometimes b shares lanes with a (so compares see equality). */
static inline void mn_simd_gen3(mn_v128r in[3], uint64_t *s)
{
    for (int k = 0; k < 3; k++) mn_simd_gen(&in[k], s);
    uint64_t r = mn_simd_rand(s);
    if (r % 4 == 0) for (int l = 0; l < 4; l++) if ((r >> (8 + l)) & 1) in[1].u32[l] = in[0].u32[l];
    if (r % 8 == 1) for (int l = 0; l < 4; l++) in[1].u32[l] = in[0].u32[l] ^ ((r >> (16 + l)) & 1 ? 0x80000000u : 0);
}

static inline int mn_simd_isnan_(uint32_t u) { return (u & 0x7FFFFFFFu) > 0x7F800000u; }
/* Do two results agree under the op's comparison rule? */
static inline int mn_simd_same(int cmp, const mn_v128r *x, const mn_v128r *y)
{
    if (cmp == MN_SIMD_CMP_BITS) return memcmp(x, y, 16) == 0;
    for (int l = 0; l < 4; l++) {
        if (mn_simd_isnan_(x->u32[l]) && mn_simd_isnan_(y->u32[l])) continue;
        if (x->u32[l] != y->u32[l]) return 0;
    }
    return 1;
}
/* Result as text for dumps: 32 hex digits, memory order; F32 NaNs canonical. */
static inline void mn_simd_hex(char out[33], int cmp, const mn_v128r *v)
{
    static const char hx[] = "0123456789abcdef";
    mn_v128r t = *v;
    if (cmp == MN_SIMD_CMP_F32)
        for (int l = 0; l < 4; l++) if (mn_simd_isnan_(t.u32[l])) t.u32[l] = 0x7FC00000u;
    for (int i = 0; i < 16; i++) { out[2*i] = hx[t.u8[i] >> 4]; out[2*i+1] = hx[t.u8[i] & 15]; }
    out[32] = 0;
}

/* Runs op native vs ref: first every imm on a fixed edge sweep, then `iters`
 * seeded random operand triples. Returns mismatches; the first one is
 * described in msg (if msg_cap > 0). */
static inline int mn_simd_check_op(const mn_simd_op *op, uint64_t seed, int iters, char *msg, size_t msg_cap)
{
    int bad = 0;
    uint64_t s = seed;
    for (int it = 0; it < iters; it++) {
        mn_v128r in[3], xn, xr;
        mn_simd_gen3(in, &s);
        int imm = op->nimm ? (int)(it < op->nimm ? it : (int)(mn_simd_rand(&s) % (uint64_t)op->nimm)) : 0;
        op->native(in, imm, &xn);
        op->ref(in, imm, &xr);
        if (!mn_simd_same(op->cmp, &xn, &xr)) {
            if (!bad && msg && msg_cap) {
                char a[33], b[33], c[33], n[33], r[33];
                mn_simd_hex(a, MN_SIMD_CMP_BITS, &in[0]); mn_simd_hex(b, MN_SIMD_CMP_BITS, &in[1]);
                mn_simd_hex(c, MN_SIMD_CMP_BITS, &in[2]); mn_simd_hex(n, MN_SIMD_CMP_BITS, &xn);
                mn_simd_hex(r, MN_SIMD_CMP_BITS, &xr);
                snprintf(msg, msg_cap, "%s mismatch (imm %d) a=%s b=%s c=%s native=%s ref=%s", op->name, imm, a, b, c, n, r);
            }
            bad++;
        }
    }
    return bad;
}
#endif /* MN_SIMD_WANT_OPTABLE */
