/*
 * test_vec128.c - the vec128 SIMD layer: native backend vs the C reference
 * (bit for bit; NaN-ness only for arithmetic float results), the reference's
 * documented contracts on edge values, reductions, int8/f32 dot products
 * built from the ops, and a golden dump of the reference shared by every
 * target (tests/golden/vec128_ref.txt).
 */
#include "mtest.h"
#define MN_SIMD_WANT_OPTABLE
#include "../../src/simd/simd_selftest.h"
#include "../../src/simd/vec128.h"
#include <stdlib.h>

/* ---- helpers ----------------------------------------------------------- */
static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static mn_v128r vr_u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { mn_v128r r; r.u32[0] = a; r.u32[1] = b; r.u32[2] = c; r.u32[3] = d; return r; }
static mn_v128r vr_f32(float a, float b, float c, float d) { return vr_u32(f2u(a), f2u(b), f2u(c), f2u(d)); }
static mn_v128r vr_i32(int32_t a, int32_t b, int32_t c, int32_t d) { return vr_u32((uint32_t)a, (uint32_t)b, (uint32_t)c, (uint32_t)d); }
static mn_v128r vr_splat8(int8_t x) { mn_v128r r; memset(&r, (unsigned char)x, 16); return r; }

static uint64_t name_seed(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (*s) { h ^= (unsigned char)*s++; h *= 0x100000001b3ull; }
    return h;
}

/* Native vs reference for every op of a group. */
static void check_group(int group)
{
    int n = 0;
    for (int i = 0; i < MN_SIMD_NOPS; i++) {
        const mn_simd_op *op = &mn_simd_ops[i];
        if (op->group != group) continue;
        char msg[480];
        msg[0] = 0;
        int bad = mn_simd_check_op(op, name_seed(op->name), 4000, msg, sizeof msg);
        if (bad) MT_FAIL("%d mismatches; first: %s", bad, msg);
        n++;
    }
    MT_CHECK(n > 0);
}
static void test_memory(void) { check_group(MN_SIMD_G_MEM); }
static void test_construct(void) { check_group(MN_SIMD_G_MAKE); }
static void test_int_arith(void) { check_group(MN_SIMD_G_IARITH); }
static void test_dot_ops(void) { check_group(MN_SIMD_G_DOT); }
static void test_widen_narrow(void) { check_group(MN_SIMD_G_WIDEN); }
static void test_bitwise(void) { check_group(MN_SIMD_G_BIT); }
static void test_shifts(void) { check_group(MN_SIMD_G_SHIFT); }
static void test_compares(void) { check_group(MN_SIMD_G_CMP); }
static void test_shuffle_zip(void) { check_group(MN_SIMD_G_SHUF); }
static void test_float_arith(void) { check_group(MN_SIMD_G_FARITH); }
static void test_float_select(void) { check_group(MN_SIMD_G_FSEL); }
static void test_convert(void) { check_group(MN_SIMD_G_CONV); }
static void test_reduce(void) { check_group(MN_SIMD_G_REDUCE); }

/* Every group has ops and every op is in a group. */
static void test_table(void)
{
    MT_EQ_INT(MN_SIMD_NOPS, MN_SIMD_OP_COUNT);
    for (int i = 0; i < MN_SIMD_NOPS; i++) MT_CHECK(mn_simd_ops[i].group >= 0 && mn_simd_ops[i].group < MN_SIMD_G_COUNT);
}

static void test_selftest(void)
{
    char rep[1024], want[64];
    int bad = mn_simd_selftest(rep, sizeof rep);
    if (bad) MT_FAIL("%s", rep);
    snprintf(want, sizeof want, "vec128 %s: %d ops, 0 mismatches", MN_SIMD_BACKEND_NAME, MN_SIMD_NOPS);
    MT_EQ_STR(rep, want);
}

/* A sweep over the whole f32 bit space (stride 65521, all exponents, both
 * signs, NaNs, denormals) for the unary float ops. */
static void test_f32_sweep(void)
{
    static const char *names[] = { "mn_vf_sqrt", "mn_vf_round", "mn_vf_to_i32", "mn_vf_from_i32", "mn_vf_abs", "mn_vf_neg" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const mn_simd_op *op = NULL;
        for (int i = 0; i < MN_SIMD_NOPS; i++) if (!strcmp(mn_simd_ops[i].name, names[k])) op = &mn_simd_ops[i];
        MT_CHECK(op != NULL);
        for (uint64_t u = 0; u < 0x100000000ull; u += 4 * 65521ull) {
            mn_v128r in[3], xn, xr;
            for (int l = 0; l < 4; l++) in[0].u32[l] = (uint32_t)(u + (uint64_t)l * 65521u);
            in[1] = in[2] = in[0];
            op->native(in, 0, &xn);
            op->ref(in, 0, &xr);
            if (!mn_simd_same(op->cmp, &xn, &xr))
                MT_FAIL("%s at %08x..: native %08x %08x %08x %08x ref %08x %08x %08x %08x", names[k], (unsigned)u,
                        (unsigned)xn.u32[0], (unsigned)xn.u32[1], (unsigned)xn.u32[2], (unsigned)xn.u32[3],
                        (unsigned)xr.u32[0], (unsigned)xr.u32[1], (unsigned)xr.u32[2], (unsigned)xr.u32[3]);
        }
    }
}

/* ---- contracts: known answers, checked on native and reference ------- */
#define BOTH_VI2(op, a, b, out_n, out_r) do { out_n = mn_vi_to_ref(op(mn_vi_from_ref(a), mn_vi_from_ref(b))); out_r = op##_ref((a), (b)); } while (0)
#define EXPECT_U32(v, e0, e1, e2, e3) do { mn_v128r e_ = vr_u32((e0), (e1), (e2), (e3)); \
    /* lane by lane: gcc 12 -O3 mis-folded a memcmp of this union here */ \
    if ((v).u32[0] != e_.u32[0] || (v).u32[1] != e_.u32[1] || (v).u32[2] != e_.u32[2] || (v).u32[3] != e_.u32[3]) MT_FAIL("%s: got %08x %08x %08x %08x want %08x %08x %08x %08x", #v, \
        (unsigned)(v).u32[0], (unsigned)(v).u32[1], (unsigned)(v).u32[2], (unsigned)(v).u32[3], \
        (unsigned)e_.u32[0], (unsigned)e_.u32[1], (unsigned)e_.u32[2], (unsigned)e_.u32[3]); } while (0)

static void test_contract_dot_i8(void)
{
    mn_v128r n, r, a = vr_splat8(-128), acc = vr_i32(0, 1, INT32_MAX, -5);
    n = mn_vi_to_ref(mn_vi_dot_i8_acc(mn_vi_from_ref(acc), mn_vi_from_ref(a), mn_vi_from_ref(a)));
    r = mn_vi_dot_i8_acc_ref(acc, a, a);
    EXPECT_U32(n, 65536u, 65537u, (uint32_t)INT32_MAX + 65536u, 65531u);   /* exact, acc wraps */
    EXPECT_U32(r, 65536u, 65537u, (uint32_t)INT32_MAX + 65536u, 65531u);
    /* lane layout: byte k goes to lane (k & 7) >> 1 */
    for (int k = 0; k < 16; k++) {
        mn_v128r x, y;
        memset(&x, 0, 16); memset(&y, 0, 16);
        x.i8[k] = -128; y.i8[k] = 127;
        n = mn_vi_to_ref(mn_vi_dot_i8_acc(mn_vi_zero(), mn_vi_from_ref(x), mn_vi_from_ref(y)));
        r = mn_vi_dot_i8_acc_ref(mn_vi_zero_ref(), x, y);
        for (int j = 0; j < 4; j++) {
            int32_t want = j == ((k & 7) >> 1) ? -16256 : 0;
            MT_EQ_INT(n.i32[j], want);
            MT_EQ_INT(r.i32[j], want);
        }
    }
    /* u8 x i8: 255 * -128 everywhere */
    mn_v128r u = vr_splat8(-1), s = vr_splat8(-128);
    n = mn_vi_to_ref(mn_vi_dot_u8i8_acc(mn_vi_zero(), mn_vi_from_ref(u), mn_vi_from_ref(s)));
    r = mn_vi_dot_u8i8_acc_ref(mn_vi_zero_ref(), u, s);
    EXPECT_U32(n, (uint32_t)-130560, (uint32_t)-130560, (uint32_t)-130560, (uint32_t)-130560);
    EXPECT_U32(r, (uint32_t)-130560, (uint32_t)-130560, (uint32_t)-130560, (uint32_t)-130560);
}

static void test_contract_int_edges(void)
{
    mn_v128r n, r, a = vr_u32(0x80008000u, 0x80008000u, 0x7FFF7FFFu, 0x00018000u), b = a;
    BOTH_VI2(mn_vi_madd_i16, a, b, n, r);               /* 2 * 2^30 wraps to INT32_MIN */
    EXPECT_U32(n, 0x80000000u, 0x80000000u, 0x7FFE0002u, 0x40000001u);
    EXPECT_U32(r, 0x80000000u, 0x80000000u, 0x7FFE0002u, 0x40000001u);
    BOTH_VI2(mn_vi_adds_i16, a, b, n, r);
    EXPECT_U32(n, 0x80008000u, 0x80008000u, 0x7FFF7FFFu, 0x00028000u);
    EXPECT_U32(r, 0x80008000u, 0x80008000u, 0x7FFF7FFFu, 0x00028000u);
    mn_v128r w = vr_i32(70000, -70000, 32767, -32769), z = vr_i32(-1, 0, 1, INT32_MIN);
    BOTH_VI2(mn_vi_narrow_i32_i16_sat, w, z, n, r);
    EXPECT_U32(n, 0x80007FFFu, 0x80007FFFu, 0x0000FFFFu, 0x80000001u);
    EXPECT_U32(r, 0x80007FFFu, 0x80007FFFu, 0x0000FFFFu, 0x80000001u);
    mn_v128r h = vr_u32(0xFF800080u, 0x0100007Fu, 0x8000FFFFu, 0x7FFF0000u);   /* i16: 128,-128,127,256,-1,-32768,0,32767 */
    BOTH_VI2(mn_vi_narrow_i16_i8_sat, h, h, n, r);
    EXPECT_U32(n, 0x7F7F807Fu, 0x7F0080FFu, 0x7F7F807Fu, 0x7F0080FFu);
    EXPECT_U32(r, 0x7F7F807Fu, 0x7F0080FFu, 0x7F7F807Fu, 0x7F0080FFu);
    BOTH_VI2(mn_vi_narrow_i16_u8_sat, h, h, n, r);
    EXPECT_U32(n, 0xFF7F0080u, 0xFF000000u, 0xFF7F0080u, 0xFF000000u);
    EXPECT_U32(r, 0xFF7F0080u, 0xFF000000u, 0xFF7F0080u, 0xFF000000u);
    /* andnot is a & ~b */
    mn_v128r p = vr_u32(0xF0F0F0F0u, 0xFFFFFFFFu, 0, 0x12345678u), q = vr_u32(0xFF00FF00u, 0x0F0F0F0Fu, 0xFFFFFFFFu, 0);
    BOTH_VI2(mn_vi_andnot, p, q, n, r);
    EXPECT_U32(n, 0x00F000F0u, 0xF0F0F0F0u, 0, 0x12345678u);
    EXPECT_U32(r, 0x00F000F0u, 0xF0F0F0F0u, 0, 0x12345678u);
}

static void test_contract_shuffle(void)
{
    mn_v128r t, idx, n, r;
    for (int i = 0; i < 16; i++) t.u8[i] = (uint8_t)(0xA0 + i);
    static const uint8_t ix[16] = { 0, 15, 16, 17, 0x1F, 0x70, 0x7F, 0x80, 0x8F, 0xF0, 0xFF, 7, 31, 48, 0x40, 8 };
    memcpy(idx.u8, ix, 16);
    BOTH_VI2(mn_vi_shuffle_i8, t, idx, n, r);
    for (int i = 0; i < 16; i++) {
        int want = ix[i] < 16 ? 0xA0 + ix[i] : 0;
        MT_EQ_INT(n.u8[i], want);
        MT_EQ_INT(r.u8[i], want);
    }
}

static void test_contract_float(void)
{
    const uint32_t qnan = 0x7FC00001u, nnan = 0xFFA00002u;
    mn_v128r a = vr_u32(0x00000000u, 0x80000000u, qnan, 0x3F800000u);   /* +0, -0, NaN, 1 */
    mn_v128r b = vr_u32(0x80000000u, 0x00000000u, 0x3F800000u, nnan);   /* -0, +0, 1, NaN */
    mn_v128r n, r;
    n = mn_vf_to_ref(mn_vf_min(mn_vf_from_ref(a), mn_vf_from_ref(b))); r = mn_vf_min_ref(a, b);
    EXPECT_U32(n, 0x80000000u, 0x00000000u, 0x3F800000u, nnan);          /* always b */
    EXPECT_U32(r, 0x80000000u, 0x00000000u, 0x3F800000u, nnan);
    n = mn_vf_to_ref(mn_vf_max(mn_vf_from_ref(a), mn_vf_from_ref(b))); r = mn_vf_max_ref(a, b);
    EXPECT_U32(n, 0x80000000u, 0x00000000u, 0x3F800000u, nnan);
    EXPECT_U32(r, 0x80000000u, 0x00000000u, 0x3F800000u, nnan);
    mn_v128r c = vr_f32(2.0f, -3.0f, 1.0f, -1.0f);
    n = mn_vf_to_ref(mn_vf_min(mn_vf_from_ref(c), mn_vf_from_ref(vr_f32(1.0f, 1.0f, 1.0f, 1.0f))));
    EXPECT_U32(n, 0x3F800000u, f2u(-3.0f), 0x3F800000u, f2u(-1.0f));
    /* abs / neg are pure sign-bit ops, even on NaN */
    n = mn_vf_to_ref(mn_vf_abs(mn_vf_from_ref(b))); r = mn_vf_abs_ref(b);
    EXPECT_U32(n, 0, 0, 0x3F800000u, nnan & 0x7FFFFFFFu);
    EXPECT_U32(r, 0, 0, 0x3F800000u, nnan & 0x7FFFFFFFu);
    n = mn_vf_to_ref(mn_vf_neg(mn_vf_from_ref(a))); r = mn_vf_neg_ref(a);
    EXPECT_U32(n, 0x80000000u, 0, qnan | 0x80000000u, 0xBF800000u);
    EXPECT_U32(r, 0x80000000u, 0, qnan | 0x80000000u, 0xBF800000u);
    /* compares: NaN false, -0 == +0 */
    n = mn_vi_to_ref(mn_vf_eq(mn_vf_from_ref(a), mn_vf_from_ref(b))); r = mn_vf_eq_ref(a, b);
    EXPECT_U32(n, ~0u, ~0u, 0, 0);
    EXPECT_U32(r, ~0u, ~0u, 0, 0);
    n = mn_vi_to_ref(mn_vf_le(mn_vf_from_ref(a), mn_vf_from_ref(b))); r = mn_vf_le_ref(a, b);
    EXPECT_U32(n, ~0u, ~0u, 0, 0);
    EXPECT_U32(r, ~0u, ~0u, 0, 0);
    n = mn_vi_to_ref(mn_vf_lt(mn_vf_from_ref(a), mn_vf_from_ref(b))); r = mn_vf_lt_ref(a, b);
    EXPECT_U32(n, 0, 0, 0, 0);
    EXPECT_U32(r, 0, 0, 0, 0);
    /* sqrt: correctly rounded, sign of zero kept, denormal input */
    mn_v128r s = vr_u32(0x40000000u, 0x80000000u, 0x00000001u, 0x7F800000u);
    n = mn_vf_to_ref(mn_vf_sqrt(mn_vf_from_ref(s))); r = mn_vf_sqrt_ref(s);
    EXPECT_U32(n, 0x3FB504F3u, 0x80000000u, 0x1A3504F3u, 0x7F800000u);
    EXPECT_U32(r, 0x3FB504F3u, 0x80000000u, 0x1A3504F3u, 0x7F800000u);
    r = mn_vf_sqrt_ref(vr_f32(-1.0f, 0, 0, 0));
    MT_CHECK((r.u32[0] & 0x7FFFFFFFu) > 0x7F800000u);
}

static void test_contract_round_convert(void)
{
    mn_v128r n, r;
    mn_v128r a = vr_f32(0.5f, 1.5f, 2.5f, -0.5f);
    n = mn_vf_to_ref(mn_vf_round(mn_vf_from_ref(a))); r = mn_vf_round_ref(a);
    EXPECT_U32(n, 0, f2u(2.0f), f2u(2.0f), 0x80000000u);
    EXPECT_U32(r, 0, f2u(2.0f), f2u(2.0f), 0x80000000u);
    mn_v128r b = vr_u32(0xBE99999Au /* -0.3 */, 0x4AFFFFFFu /* 8388607.5 */, 0x3EFFFFFFu /* 0.49999997 */, 0xCB000001u);
    n = mn_vf_to_ref(mn_vf_round(mn_vf_from_ref(b))); r = mn_vf_round_ref(b);
    EXPECT_U32(n, 0x80000000u, 0x4B000000u, 0, 0xCB000001u);
    EXPECT_U32(r, 0x80000000u, 0x4B000000u, 0, 0xCB000001u);
    mn_v128r c = vr_u32(0x4F000000u /* 2^31 */, 0xCF000000u /* -2^31 */, 0x4EFFFFFFu /* 2^31-128 */, 0xCF000001u);
    n = mn_vi_to_ref(mn_vf_to_i32(mn_vf_from_ref(c))); r = mn_vf_to_i32_ref(c);
    EXPECT_U32(n, 0x7FFFFFFFu, 0x80000000u, 0x7FFFFF80u, 0x80000000u);
    EXPECT_U32(r, 0x7FFFFFFFu, 0x80000000u, 0x7FFFFF80u, 0x80000000u);
    mn_v128r d = vr_u32(0x7FC00000u, 0xFF800000u, 0x7F800000u, 0xBF7FFFFFu /* -0.99999994 */);
    n = mn_vi_to_ref(mn_vf_to_i32(mn_vf_from_ref(d))); r = mn_vf_to_i32_ref(d);
    EXPECT_U32(n, 0, 0x80000000u, 0x7FFFFFFFu, 0);
    EXPECT_U32(r, 0, 0x80000000u, 0x7FFFFFFFu, 0);
    mn_v128r e = vr_i32(16777217, INT32_MAX, INT32_MIN, -3);
    n = mn_vf_to_ref(mn_vf_from_i32(mn_vi_from_ref(e))); r = mn_vf_from_i32_ref(e);
    EXPECT_U32(n, 0x4B800000u, 0x4F000000u, 0xCF000000u, f2u(-3.0f));
    EXPECT_U32(r, 0x4B800000u, 0x4F000000u, 0xCF000000u, f2u(-3.0f));
}

static void test_contract_memory(void)
{
    unsigned char src[16], dst[20];
    for (int i = 0; i < 16; i++) src[i] = (unsigned char)(i + 1);
    for (size_t k = 0; k <= 16; k++) {
        mn_v128r v = mn_vi_to_ref(mn_vi_load_partial(src, k));
        for (size_t i = 0; i < 16; i++) MT_EQ_INT(v.u8[i], i < k ? src[i] : 0);
        memset(dst, 0xEE, sizeof dst);
        mn_vi_store_partial(dst, mn_vi_load(src), k);
        for (size_t i = 0; i < sizeof dst; i++) MT_EQ_INT(dst[i], i < k ? src[i] : 0xEE);
    }
    mn_v128r lo = mn_vi_to_ref(mn_vi_load_lo64(src));
    for (int i = 0; i < 16; i++) MT_EQ_INT(lo.u8[i], i < 8 ? src[i] : 0);
    float f[4] = { 1.0f, 2.0f, 3.0f, 4.0f };
    for (size_t k = 0; k <= 4; k++) {
        mn_v128r v = mn_vf_to_ref(mn_vf_load_partial(f, k));
        for (size_t i = 0; i < 4; i++) MT_EQ_U64(v.u32[i], i < k ? f2u(f[i]) : 0u);
    }
    mn_v128r x = vr_i32(10, 11, 12, 13);
    for (int l = 0; l < 8; l++) MT_EQ_INT(mn_vi_extract_i32(mn_vi_from_ref(x), l), 10 + (l & 3));
}

/* ---- reductions -------------------------------------------------------- */
static void test_hsum(void)
{
    /* the fixed order (l0+l2)+(l1+l3): 1e8 cancels first, then 1+1 */
    mn_v128r a = vr_f32(1e8f, 1.0f, -1e8f, 1.0f);
    MT_EQ_U64(f2u(mn_vf_hsum(mn_vf_from_ref(a))), f2u(2.0f));
    MT_EQ_U64(f2u(mn_vf_hsum_ref(a)), f2u(2.0f));
    mn_v128r b = vr_f32(1.0f, 1e8f, 1.0f, -1e8f);                       /* (1+1)+(1e8-1e8) = 2 */
    MT_EQ_U64(f2u(mn_vf_hsum(mn_vf_from_ref(b))), f2u(2.0f));
    mn_v128r c = vr_f32(1e8f, -1e8f, 1.0f, 1.0f);                       /* (1e8+1)+(-1e8+1) = 0 */
    MT_EQ_U64(f2u(mn_vf_hsum(mn_vf_from_ref(c))), f2u(0.0f));
    MT_EQ_U64(f2u(mn_vf_hsum_ref(c)), f2u(0.0f));
    mn_v128r d = vr_i32(INT32_MAX, 1, INT32_MIN, -7);
    MT_EQ_INT(mn_vi_hsum_i32(mn_vi_from_ref(d)), -7);
    MT_EQ_INT(mn_vi_hsum_i32_ref(d), -7);
    mn_v128r m = vr_u32(0x7FC00001u, 0x40000000u, 0x3F800000u, 0xC0000000u);  /* NaN, 2, 1, -2 */
    /* max(NaN,1) = 1, max(2,-2) = 2, max(1,2) = 2 */
    MT_EQ_U64(f2u(mn_vf_hmax(mn_vf_from_ref(m))), 0x40000000u);
    MT_EQ_U64(f2u(mn_vf_hmax_ref(m)), 0x40000000u);
    uint64_t seed = 42;
    for (int it = 0; it < 20000; it++) {
        mn_v128r v;
        for (int l = 0; l < 4; l++) {
            uint64_t r = mt_rand(&seed);
            v.u32[l] = (uint32_t)((r >> 63) << 31) | (uint32_t)(100 + (r >> 40) % 54) << 23 | (uint32_t)(r & 0x7FFFFF);
        }
        float want = (u2f(v.u32[0]) + u2f(v.u32[2])) + (u2f(v.u32[1]) + u2f(v.u32[3]));
        float got = mn_vf_hsum(mn_vf_from_ref(v));
        if (f2u(got) != f2u(want)) MT_FAIL("hsum order mismatch at iteration %d", it);
        MT_EQ_U64(f2u(mn_vf_hsum_ref(v)), f2u(want));
        int32_t wi = (int32_t)(v.u32[0] + v.u32[1] + v.u32[2] + v.u32[3]);
        MT_EQ_INT(mn_vi_hsum_i32(mn_vi_from_ref(v)), wi);
    }
}

/* ---- dot products over awkward lengths, built from the ops ------------- */
static int32_t dot_i8_simd(const int8_t *a, const int8_t *b, size_t n)
{
    mn_vi acc = mn_vi_zero();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) acc = mn_vi_dot_i8_acc(acc, mn_vi_load(a + i), mn_vi_load(b + i));
    if (i < n) acc = mn_vi_dot_i8_acc(acc, mn_vi_load_partial(a + i, n - i), mn_vi_load_partial(b + i, n - i));
    return mn_vi_hsum_i32(acc);
}
static int32_t dot_u8i8_simd(const uint8_t *a, const int8_t *b, size_t n)
{
    mn_vi acc = mn_vi_zero();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) acc = mn_vi_dot_u8i8_acc(acc, mn_vi_load(a + i), mn_vi_load(b + i));
    if (i < n) acc = mn_vi_dot_u8i8_acc(acc, mn_vi_load_partial(a + i, n - i), mn_vi_load_partial(b + i, n - i));
    return mn_vi_hsum_i32(acc);
}
/* 4 lane accumulators (lane l takes elements 4k+l in order), then hsum. */
static float dot_f32_simd(const float *a, const float *b, size_t n)
{
    mn_vf acc = mn_vf_zero();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) acc = mn_vf_mul_add(acc, mn_vf_load(a + i), mn_vf_load(b + i));
    if (i < n) acc = mn_vf_mul_add(acc, mn_vf_load_partial(a + i, n - i), mn_vf_load_partial(b + i, n - i));
    return mn_vf_hsum(acc);
}
static float dot_f32_scalar(const float *a, const float *b, size_t n)
{
    float s[4] = { 0, 0, 0, 0 };
    for (size_t i = 0; i < n; i++) { float p = a[i] * b[i]; s[i & 3] = s[i & 3] + p; }
    float s02 = s[0] + s[2], s13 = s[1] + s[3];
    return s02 + s13;
}

static void test_dot_lengths(void)
{
    static const size_t lens[] = { 1, 3, 7, 16, 31, 33, 1023 };
    int8_t *a = malloc(1024), *b = malloc(1024);
    uint8_t *u = malloc(1024);
    float *fa = malloc(1024 * sizeof(float)), *fb = malloc(1024 * sizeof(float));
    MT_CHECK(a && b && u && fa && fb);
    uint64_t seed = 7;
    for (int pattern = 0; pattern < 4; pattern++) {
        for (size_t i = 0; i < 1024; i++) {
            uint64_t r = mt_rand(&seed);
            switch (pattern) {
            case 0: a[i] = (int8_t)r; b[i] = (int8_t)(r >> 8); u[i] = (uint8_t)(r >> 16); break;
            case 1: a[i] = -128; b[i] = -128; u[i] = 255; break;
            case 2: a[i] = (i & 1) ? 127 : -128; b[i] = (i % 3) ? -128 : 127; u[i] = (i & 2) ? 255 : 0; break;
            default: a[i] = (int8_t)((r % 3) ? -128 : 127); b[i] = (int8_t)((r >> 8) % 2 ? -128 : -127); u[i] = (uint8_t)(r >> 16); break;
            }
            fa[i] = (float)(int32_t)(r % 2001 - 1000) / 7.0f;
            fb[i] = (float)(int32_t)((r >> 20) % 2001 - 1000) / 3.0f;
        }
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            size_t n = lens[k];
            int32_t want = 0, wantu = 0;
            for (size_t i = 0; i < n; i++) { want += a[i] * b[i]; wantu += u[i] * b[i]; }
            int32_t got = dot_i8_simd(a, b, n), gotu = dot_u8i8_simd(u, b, n);
            if (got != want) MT_FAIL("dot_i8 pattern %d n=%zu: %d != %d", pattern, n, (int)got, (int)want);
            if (gotu != wantu) MT_FAIL("dot_u8i8 pattern %d n=%zu: %d != %d", pattern, n, (int)gotu, (int)wantu);
            float fg = dot_f32_simd(fa, fb, n), fw = dot_f32_scalar(fa, fb, n);
            if (f2u(fg) != f2u(fw)) MT_FAIL("dot_f32 n=%zu: %08x != %08x", n, (unsigned)f2u(fg), (unsigned)f2u(fw));
        }
    }
    free(a); free(b); free(u); free(fa); free(fb);
}

/* ---- golden: the reference on a fixed input set, same on every target -- */
static void test_golden(void)
{
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    MT_CHECK(buf != NULL);
    for (int i = 0; i < MN_SIMD_NOPS; i++) {
        const mn_simd_op *op = &mn_simd_ops[i];
        uint64_t s = name_seed(op->name);
        len += (size_t)snprintf(buf + len, cap - len, "%s", op->name);
        for (int k = 0; k < 8; k++) {
            mn_v128r in[3], out;
            char hex[33];
            mn_simd_gen3(in, &s);
            int imm = op->nimm ? k * 5 % op->nimm : 0;
            op->ref(in, imm, &out);
            mn_simd_hex(hex, op->cmp, &out);
            len += (size_t)snprintf(buf + len, cap - len, " %s", hex);
        }
        len += (size_t)snprintf(buf + len, cap - len, "\n");
        MT_CHECK(len + 512 < cap);
    }
    MT_GOLDEN("vec128_ref.txt", buf, len);
    free(buf);
}

void suite_vec128(void)
{
    MT_RUN(test_table);
    MT_RUN(test_selftest);
    MT_RUN(test_memory);
    MT_RUN(test_construct);
    MT_RUN(test_int_arith);
    MT_RUN(test_dot_ops);
    MT_RUN(test_widen_narrow);
    MT_RUN(test_bitwise);
    MT_RUN(test_shifts);
    MT_RUN(test_compares);
    MT_RUN(test_shuffle_zip);
    MT_RUN(test_float_arith);
    MT_RUN(test_float_select);
    MT_RUN(test_convert);
    MT_RUN(test_reduce);
    MT_RUN(test_f32_sweep);
    MT_RUN(test_contract_dot_i8);
    MT_RUN(test_contract_int_edges);
    MT_RUN(test_contract_shuffle);
    MT_RUN(test_contract_float);
    MT_RUN(test_contract_round_convert);
    MT_RUN(test_contract_memory);
    MT_RUN(test_hsum);
    MT_RUN(test_dot_lengths);
    MT_RUN(test_golden);
}
