/* Quantized tensor kernels: F16/BF16 conversions, every type's vec128 path
 * against its _ref (dequantize and dot) at awkward block counts and edge
 * bytes, quantize round trips, GEMV/GEMM determinism over threads, golden
 * hashes (all targets) and the independent numpy reference vectors in
 * tests/golden/quant/ (tests/reference/quant_ref.py). */
#include "mtest.h"
#include "minnow.h"
#include "tensor/fp16.h"
#include "tensor/quant.h"
#include "tensor/gemm.h"
#include <stdlib.h>
#include <math.h>

static const uint32_t all_types[] = {MN_Q_F32, MN_Q_F16, MN_Q_BF16, MN_Q_Q4_0, MN_Q_Q4_1, MN_Q_Q5_0, MN_Q_Q5_1,
                                     MN_Q_Q8_0, MN_Q_Q8_1, MN_Q_Q2_K, MN_Q_Q3_K, MN_Q_Q4_K, MN_Q_Q5_K, MN_Q_Q6_K,
                                     MN_Q_Q8_K, MN_Q_TQ1_0, MN_Q_TQ2_0};
#define NTYPES (sizeof all_types / sizeof all_types[0])

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static int same_f32(float a, float b) { return f2u(a) == f2u(b) || (a != a && b != b); }

static uint32_t fnv1a(const void *data, size_t n, uint32_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}
/* hash of floats with every NaN canonicalised (payloads are not portable) */
static uint32_t hash_f32(const float *v, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { uint32_t u = v[i] != v[i] ? 0x7FC00000u : f2u(v[i]); h = fnv1a(&u, 4, h); }
    return h;
}

static float rnd_unit(uint64_t *s) { return (float)((int64_t)(mt_rand(s) >> 40) - (1 << 23)) * 0x1p-23f; }

/* A finite f16: mostly moderate, sometimes subnormal, zero or huge. */
static uint16_t rnd_half(uint64_t *s)
{
    uint64_t r = mt_rand(s);
    uint16_t sign = (uint16_t)((r & 1) << 15), man = (uint16_t)((r >> 8) & 0x3FF);
    switch ((r >> 4) & 15) {
    case 0: return sign | man;                       /* subnormal / zero */
    case 1: return sign | (uint16_t)(30u << 10) | man; /* huge */
    default: return sign | (uint16_t)((3u + (r >> 20) % 18u) << 10) | man;
    }
}

/* offsets of the f16 scale fields of a block (and f32 for Q8_K) */
static void scale_fields(uint32_t type, int *off, int *nf, int *is_f32)
{
    *nf = 1; *is_f32 = 0;
    switch (type) {
    case MN_Q_Q4_1: case MN_Q_Q5_1: case MN_Q_Q8_1: case MN_Q_Q4_K: case MN_Q_Q5_K: off[0] = 0; off[1] = 2; *nf = 2; break;
    case MN_Q_Q2_K: off[0] = 80; off[1] = 82; *nf = 2; break;
    case MN_Q_Q3_K: off[0] = 108; break;
    case MN_Q_Q6_K: off[0] = 208; break;
    case MN_Q_Q8_K: off[0] = 0; *is_f32 = 1; break;
    case MN_Q_TQ1_0: off[0] = 52; break;
    case MN_Q_TQ2_0: off[0] = 64; break;
    default: off[0] = 0;
    }
}

/* Random row of `nb` blocks: random bytes, finite scales; edge = 1 fills the
 * quant bytes with 0x80 (-128) / 0xFF / 0x00 patterns. */
static void fill_row(uint32_t type, uint8_t *p, size_t n, uint64_t *s, int edge)
{
    const mn_qtraits *t = mn_qtraits_get(type);
    size_t nb = n / t->block_size, ts = t->type_size;
    if (type == MN_Q_F32) { float *f = (float *)(void *)p; for (size_t i = 0; i < n; i++) f[i] = rnd_unit(s) * (edge ? 65504.0f : 4.0f); return; }
    if (type == MN_Q_F16 || type == MN_Q_BF16) {
        for (size_t i = 0; i < n; i++) {
            uint16_t h = rnd_half(s);
            if (type == MN_Q_BF16) h = (uint16_t)(f2u(rnd_unit(s) * (edge ? 1e30f : 8.0f)) >> 16);
            p[2 * i] = (uint8_t)h; p[2 * i + 1] = (uint8_t)(h >> 8);
        }
        return;
    }
    for (size_t b = 0; b < nb; b++) {
        uint8_t *blk = p + b * ts;
        uint8_t pat = edge == 1 ? 0x80 : edge == 2 ? 0xFF : 0;
        for (size_t i = 0; i < ts; i++) blk[i] = edge ? (uint8_t)(((mt_rand(s) & 3) == 0) ? mt_rand(s) : pat) : (uint8_t)mt_rand(s);
        int off[2], nf, isf;
        scale_fields(type, off, &nf, &isf);
        for (int k = 0; k < nf; k++) {
            if (isf) { float d = rnd_unit(s) * 0.01f; memcpy(blk + off[k], &d, 4); }
            else { uint16_t h = rnd_half(s); blk[off[k]] = (uint8_t)h; blk[off[k] + 1] = (uint8_t)(h >> 8); }
        }
    }
}

/* Activation row for a weight type: quantized from random floats (mode 0) or raw hostile bytes (mode 1). */
static void fill_act(uint32_t vdt, uint8_t *p, size_t n, uint64_t *s, int mode)
{
    if (vdt == MN_Q_F32 || mode == 0) {
        float *f = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++) f[i] = rnd_unit(s) * 3.0f;
        if (vdt == MN_Q_F32) memcpy(p, f, n * sizeof(float));
        else mn_qtraits_get(vdt)->quantize_row(f, p, n);
        free(f);
        return;
    }
    fill_row(vdt, p, n, s, 1);
}

static const size_t block_counts[] = {1, 3, 7, 31, 33, 1023};

static void check_type(uint32_t type)
{
    const mn_qtraits *t = mn_qtraits_get(type);
    if (!t) { MT_NOTE_FAIL("no traits for type %u", type); return; }
    uint64_t seed = 1000 + type;
    for (size_t c = 0; c < sizeof block_counts / sizeof block_counts[0]; c++) {
        size_t nb = block_counts[c];
        size_t n = nb * t->block_size;
        if (t->block_size == 1) n = nb * 4 + (c & 1 ? 3 : 0);   /* plain types: odd lengths too */
        size_t wbytes = mn_qrow_size(type, n);
        uint8_t *w = malloc(wbytes + 1);
        float *y0 = malloc(n * sizeof(float)), *y1 = malloc(n * sizeof(float));
        for (int edge = 0; edge < 3; edge++) {
            /* unaligned row start (+1) for the byte types */
            uint8_t *wp = w + (t->block_size > 1 ? 1 : 0);
            fill_row(type, wp, n, &seed, edge);
            t->dequantize_row_ref(wp, y0, n);
            t->dequantize_row(wp, y1, n);
            for (size_t i = 0; i < n; i++)
                if (!same_f32(y0[i], y1[i])) { MT_NOTE_FAIL("%s dequant n=%zu edge %d [%zu]: vec %a ref %a", t->name, n, edge, i, y1[i], y0[i]); goto out; }
            if (!t->vec_dot) continue;
            size_t xbytes = mn_qrow_size(t->vec_dot_type, n);
            uint8_t *x = malloc(xbytes + 4);
            for (int mode = 0; mode < 2; mode++) {
                fill_act(t->vec_dot_type, x, n, &seed, mode);
                float r = t->vec_dot_ref(wp, x, n), v = t->vec_dot(wp, x, n);
                if (!same_f32(r, v)) { MT_NOTE_FAIL("%s dot n=%zu edge %d mode %d: vec %a ref %a", t->name, n, edge, mode, v, r); free(x); goto out; }
            }
            free(x);
        }
    out:
        free(w); free(y0); free(y1);
        if (mt.case_failed) return;
    }
}

static void vec_equals_ref_all_types(void)
{
    for (size_t i = 0; i < NTYPES; i++) if (mn_qtraits_get(all_types[i])) check_type(all_types[i]);
}

static void trait_table(void)
{
    static const struct { uint32_t id; const char *name; uint32_t bs, ts; } want[] = {
        {0, "F32", 1, 4}, {1, "F16", 1, 2}, {2, "Q4_0", 32, 18}, {3, "Q4_1", 32, 20}, {6, "Q5_0", 32, 22},
        {7, "Q5_1", 32, 24}, {8, "Q8_0", 32, 34}, {9, "Q8_1", 32, 36}, {10, "Q2_K", 256, 84},
        {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176}, {14, "Q6_K", 256, 210},
        {15, "Q8_K", 256, 292}, {30, "BF16", 1, 2}, {34, "TQ1_0", 256, 54}, {35, "TQ2_0", 256, 66}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const mn_qtraits *t = mn_qtraits_get(want[i].id);
        if (!t) continue; /* types not built yet are reported by vec_equals_ref_all_types */
        MT_EQ_STR(t->name, want[i].name);
        MT_EQ_INT(t->type, want[i].id);
        MT_EQ_INT(t->block_size, want[i].bs);
        MT_EQ_INT(t->type_size, want[i].ts);
        MT_CHECK(t->dequantize_row && t->dequantize_row_ref && t->quantize_row);
        MT_CHECK((t->vec_dot == NULL) == (t->vec_dot_ref == NULL));
        MT_CHECK(mn_qtraits_get(t->vec_dot_type) != NULL);
    }
    MT_CHECK(mn_qtraits_get(4) == NULL);
    MT_CHECK(mn_qtraits_get(16) == NULL);
    MT_CHECK(mn_qtraits_get(1000) == NULL);
    MT_EQ_U64(mn_qrow_size(MN_Q_Q4_0, 33), 0);
    MT_EQ_U64(mn_qrow_size(MN_Q_Q4_0, 64), 36);
}

/* ---- F16 / BF16 -------------------------------------------------------- */
/* slow independent f32 -> f16: pick the nearest of all candidates by exact
 * double distance, ties to the even encoding */
static uint16_t slow_f16(float f)
{
    if (f != f) return 0;
    double x = fabs((double)f);
    uint16_t sign = (uint16_t)(f2u(f) >> 31 << 15);
    if (x >= 65520.0) return sign | 0x7C00;
    uint16_t lo = 0, hi = 0x7BFF;
    while (lo < hi) { uint16_t mid = (uint16_t)((lo + hi + 1) / 2); if ((double)mn_fp16_to_f32(mid) <= x) lo = mid; else hi = (uint16_t)(mid - 1); }
    double a = mn_fp16_to_f32(lo), b = lo < 0x7BFF ? (double)mn_fp16_to_f32((uint16_t)(lo + 1)) : 65520.0;
    uint16_t r = lo;
    if (x - a > b - x || (x - a == b - x && (lo & 1))) r = (uint16_t)(lo + 1);
    return sign | r;
}

static void fp16_conversions(void)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = mn_fp16_to_f32((uint16_t)h);
        uint16_t back = mn_f32_to_fp16(f);
        uint32_t e = (h >> 10) & 31, m = h & 0x3FF;
        if (e == 31 && m) { if (back != (h | 0x200)) MT_FAIL("NaN %04x -> %04x", h, back); continue; }
        if (back != h) MT_FAIL("f16 %04x -> %a -> %04x", h, f, back);
        /* exact value check */
        double want = e == 0 ? ldexp((double)m, -24) : e == 31 ? INFINITY : ldexp(1024.0 + m, (int)e - 25);
        if (h & 0x8000) want = -want;
        if ((double)f != want) MT_FAIL("f16 %04x -> %a, want %a", h, f, want);
        /* bf16 round trip is exact for every non-NaN bf16 */
        float g = mn_bf16_to_f32((uint16_t)h);
        if (g == g && mn_f32_to_bf16(g) != h) MT_FAIL("bf16 %04x", h);
    }
    uint64_t s = 7;
    for (int i = 0; i < 200000; i++) {
        uint32_t u = (uint32_t)mt_rand(&s);
        if (i & 1) u = (u & 0x807FFFFFu) | ((uint32_t)(95 + (mt_rand(&s) % 50)) << 23); /* f16 range */
        float f = u2f(u);
        if (f != f) continue;
        uint16_t got = mn_f32_to_fp16(f), want = slow_f16(f);
        if (got != want) MT_FAIL("f32 %08x (%a) -> f16 %04x, want %04x", u, f, got, want);
        /* bf16: nearest-even by integer rounding of the low 16 bits */
        uint32_t lo = u & 0xFFFF, t = u >> 16;
        if (lo > 0x8000 || (lo == 0x8000 && (t & 1))) t++;
        if (mn_f32_to_bf16(f) != (uint16_t)t) MT_FAIL("f32 %08x -> bf16 %04x want %04x", u, mn_f32_to_bf16(f), t);
    }
    /* ties, overflow, specials */
    MT_EQ_INT(mn_f32_to_fp16(65504.0f), 0x7BFF);
    MT_EQ_INT(mn_f32_to_fp16(65519.99f), 0x7BFF);
    MT_EQ_INT(mn_f32_to_fp16(65520.0f), 0x7C00);
    MT_EQ_INT(mn_f32_to_fp16(-INFINITY), 0xFC00);
    MT_EQ_INT(mn_f32_to_fp16(0x1p-25f), 0x0000);
    MT_EQ_INT(mn_f32_to_fp16(0x1.000002p-25f), 0x0001);
    MT_EQ_INT(mn_f32_to_fp16(0x1.8p-24f), 0x0002);   /* tie 1.5 ulp -> even 2 */
    MT_EQ_INT(mn_f32_to_fp16(-0.0f), 0x8000);
    MT_EQ_INT(mn_f32_to_fp16(1.0f + 0x1p-11f), 0x3C00); /* tie -> even */
    MT_EQ_INT(mn_f32_to_fp16(1.0f + 0x1.8p-10f), 0x3C02);
    MT_EQ_INT(mn_f32_to_fp16(u2f(0x7FC00001u)) & 0x7E00, 0x7E00);
    MT_EQ_INT(mn_f32_to_bf16(u2f(0x7F800001u)), 0x7FC0);
    MT_EQ_INT(mn_f32_to_bf16(u2f(0x7F7FFFFFu)), 0x7F80);
}

/* ---- quantize round trips ---------------------------------------------- */
static void quantize_round_trip(void)
{
    /* relative RMS error bound per type (loose: catches layout mistakes) */
    static const struct { uint32_t type; double tol; } tl[] = {
        {MN_Q_F16, 1e-3}, {MN_Q_BF16, 8e-3}, {MN_Q_Q4_0, 0.15}, {MN_Q_Q4_1, 0.12}, {MN_Q_Q5_0, 0.08}, {MN_Q_Q5_1, 0.06},
        {MN_Q_Q8_0, 0.03}, {MN_Q_Q8_1, 0.03}, {MN_Q_Q2_K, 0.45}, {MN_Q_Q3_K, 0.25}, {MN_Q_Q4_K, 0.12},
        {MN_Q_Q5_K, 0.06}, {MN_Q_Q6_K, 0.03}, {MN_Q_Q8_K, 0.03}, {MN_Q_TQ1_0, 0.0}, {MN_Q_TQ2_0, 0.0}};
    const size_t n = 1024;
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
    uint8_t *q = malloc(mn_qrow_size(MN_Q_F32, n));
    uint64_t s = 99;
    for (size_t k = 0; k < sizeof tl / sizeof tl[0]; k++) {
        const mn_qtraits *t = mn_qtraits_get(tl[k].type);
        if (!t) continue;
        int ternary = tl[k].tol == 0.0;
        for (size_t i = 0; i < n; i++) x[i] = ternary ? (float)((int)(mt_rand(&s) % 3) - 1) * 0.75f : rnd_unit(&s) * (1.0f + (float)(i % 7));
        if (!ternary) { x[5] = 0.0f; x[300] = -20.0f; }
        t->quantize_row(x, q, n);
        t->dequantize_row_ref(q, y, n);
        double e2 = 0, x2 = 0;
        for (size_t i = 0; i < n; i++) { e2 += ((double)y[i] - x[i]) * ((double)y[i] - x[i]); x2 += (double)x[i] * x[i]; }
        double rel = sqrt(e2 / x2);
        if (rel > (ternary ? 1e-3 : tl[k].tol)) { MT_NOTE_FAIL("%s: relative RMS error %g", t->name, rel); break; }
        /* all-zero and NaN rows must not crash and give finite output */
        for (size_t i = 0; i < n; i++) x[i] = 0.0f;
        x[3] = NAN; x[700] = INFINITY;
        t->quantize_row(x, q, n);
    }
    free(x); free(y); free(q);
}

/* The vectorised quantizers (the activation types) against their scalar
 * twins, byte for byte: random rows at every magnitude, exact .5 ties, zero
 * and -0 blocks, subnormal and overflowing scales, NaN / inf anywhere in a
 * block (the scalar max forgets a NaN that is not last), unaligned pointers. */
static void quantize_vec_equals_ref(void)
{
    enum { NB = 64 };
    float *buf = malloc((32 * NB + 1) * sizeof(float)), *x = buf + 1; /* x unaligned to 16 */
    uint8_t *a = malloc(NB * 300 + 1), *b = malloc(NB * 300 + 1);
    uint64_t s = 4242;
    int tested = 0;
    for (size_t k = 0; k < NTYPES; k++) {
        const mn_qtraits *t = mn_qtraits_get(all_types[k]);
        if (!t || !t->quantize_row_ref) continue;
        tested++;
        const size_t n = (t->block_size == 1 ? 32 : t->block_size) * (t->block_size == 256 ? 4 : NB);
        for (int round = 0; round < 40; round++) {
            for (size_t i = 0; i < n; i++) {
                int blk = (int)(i / 32) + round;
                float scale = blk % 7 == 0 ? 1e-40f : blk % 7 == 1 ? 3e38f : blk % 7 == 2 ? 1e-44f : (float)(1 << (blk % 11)) * 0x1p-4f;
                x[i] = rnd_unit(&s) * scale;
            }
            switch (round % 8) {
            case 1: for (size_t i = 0; i < n; i++) x[i] = (float)((int)(mt_rand(&s) % 255) - 127) * 0.5f; break; /* ties at d = 1 */
            case 2: for (size_t i = 0; i < 32; i++) { x[i] = 0.0f; x[32 + i] = -0.0f; } x[64 + 5] = 127.0f; break;
            case 3: x[mt_rand(&s) % n] = NAN; x[31] = NAN; x[32] = NAN; break;
            case 4: x[mt_rand(&s) % n] = INFINITY; x[63] = -INFINITY; x[70] = NAN; x[71] = 5.0f; break;
            case 5: for (size_t i = 0; i < n; i++) x[i] = u2f((uint32_t)mt_rand(&s)); break; /* any bits */
            default: break;
            }
            memset(a, 0xA5, NB * 300 + 1); memset(b, 0x5A, NB * 300 + 1);
            t->quantize_row(x, a + 1, n);
            t->quantize_row_ref(x, b + 1, n);
            size_t bytes = mn_qrow_size(t->type, n);
            for (size_t i = 0; i < bytes; i++)
                if (a[1 + i] != b[1 + i]) { MT_NOTE_FAIL("%s round %d byte %zu (block %zu): vec %02x ref %02x", t->name, round, i, i / t->type_size, a[1 + i], b[1 + i]); break; }
            if (mt.case_failed) break;
        }
        if (mt.case_failed) break;
    }
    free(buf); free(a); free(b);
    MT_CHECK(tested >= 2);
}

/* ---- GEMV / GEMM -------------------------------------------------------- */
static const uint32_t gemv_types[] = {MN_Q_Q8_0, MN_Q_Q4_0, MN_Q_Q4_1, MN_Q_Q5_0, MN_Q_Q5_1, MN_Q_Q4_K, MN_Q_Q6_K,
                                      MN_Q_Q5_K, MN_Q_Q3_K, MN_Q_Q2_K, MN_Q_TQ1_0, MN_Q_TQ2_0, MN_Q_F16, MN_Q_BF16};

/* each type's GEMV against vec_dot_ref and GEMM against GEMV at 1-4 threads;
 * the hashes of the GEMM outputs into text */
static void gemv_gemm_cases(const uint32_t *types, size_t ntypes, char *text, size_t cap, size_t *lenp)
{
    size_t len = 0;
    const size_t rows = 37, batch = 5;
    for (size_t k = 0; k < ntypes; k++) {
        const mn_qtraits *t = mn_qtraits_get(types[k]);
        if (!t) continue;
        size_t cols = t->block_size == 1 ? 300 : t->block_size * (t->block_size == 32 ? 13 : 3);
        size_t wrow = mn_qrow_size(t->type, cols), xrow = mn_qrow_size(t->vec_dot_type, cols);
        uint8_t *W = malloc(rows * wrow), *X = malloc(batch * xrow);
        float *y1 = malloc(rows * sizeof(float)), *yt = malloc(rows * sizeof(float)), *G = malloc(batch * rows * sizeof(float));
        uint64_t seed = 5 + k;
        for (size_t r = 0; r < rows; r++) fill_row(t->type, W + r * wrow, cols, &seed, (int)(r % 3));
        /* inf / NaN scales in some rows (the multi-row kernels' exact fallback) */
        int off[2], nf, isf;
        if (t->block_size > 1) scale_fields(t->type, off, &nf, &isf);
        for (size_t r = 4; t->block_size > 1 && !isf && r < rows; r += 5) {
            static const uint16_t special[] = {0x7C00, 0xFC00, 0x7E00, 0xFD17};
            size_t blk = (r * 7) % (cols / t->block_size);
            uint16_t h = special[(r / 5) % 4];
            uint8_t *f = W + r * wrow + blk * t->type_size + off[(r / 5) % nf];
            f[0] = (uint8_t)h; f[1] = (uint8_t)(h >> 8);
        }
        /* activations: quantized rows, and raw bytes with -128 (the exact int8 path) */
        for (size_t b = 0; b < batch; b++) fill_act(t->vec_dot_type, X + b * xrow, cols, &seed, (int)(b % 2));
        for (size_t b = 0; b < batch; b++) {
            MT_OK(mn_gemv_q(NULL, y1, t->type, W, rows, cols, X + b * xrow));
            for (size_t r = 0; r < rows; r++) {
                float ref = t->vec_dot_ref(W + r * wrow, X + b * xrow, cols);
                if (!same_f32(ref, y1[r])) MT_FAIL("%s gemv x %zu row %zu: %a != ref %a", t->name, b, r, y1[r], ref);
            }
        }
        MT_OK(mn_gemv_q(NULL, y1, t->type, W, rows, cols, X));
        int maxt = mn_threads_max() < 4 ? mn_threads_max() : 4;
        for (int T = 1; T <= maxt; T++) {
            mn_pool *p = NULL;
            if (T > 1) MT_OK(mn_pool_create(&p, T));
            MT_OK(mn_gemv_q(p, yt, t->type, W, rows, cols, X));
            if (memcmp(yt, y1, rows * sizeof(float)) != 0) { mn_pool_free(p); MT_FAIL("%s gemv %d threads differ", t->name, T); }
            MT_OK(mn_gemm_q(p, G, t->type, W, rows, cols, X, batch));
            mn_pool_free(p);
            for (size_t b = 0; b < batch; b++) {
                MT_OK(mn_gemv_q(NULL, yt, t->type, W, rows, cols, X + b * xrow));
                if (memcmp(yt, G + b * rows, rows * sizeof(float)) != 0) MT_FAIL("%s gemm batch row %zu (%d threads) != gemv", t->name, b, T);
            }
        }
        len += (size_t)snprintf(text + len, cap - len, "gemv %s %zux%zu batch %zu fnv1a %08x\n", t->name, rows, cols,
                                batch, hash_f32(G, batch * rows));
        free(W); free(X); free(y1); free(yt); free(G);
    }
    *lenp = len;
}

static void gemv_gemm_threads(void)
{
    const uint32_t *types = gemv_types;
    const size_t rows = 37, batch = 5;
    char text[4096], text2[4096];
    size_t len = 0, len2 = 0;
    gemv_gemm_cases(gemv_types, sizeof gemv_types / sizeof gemv_types[0], text, sizeof text, &len);
    if (mt.case_failed) return;
    /* Q8_1 weights (rare in files, not in the golden hashes): the same checks */
    static const uint32_t q8_1[] = {MN_Q_Q8_1};
    gemv_gemm_cases(q8_1, 1, text2, sizeof text2, &len2);
    if (mt.case_failed) return;
    /* x86-64 with AVX512-VNNI: the first pass ran those kernels; the SSE4.1
     * ones must pass the same checks and give the same bits */
    if (mn_q_vnni(-1)) {
        mn_q_vnni(0);
        gemv_gemm_cases(gemv_types, sizeof gemv_types / sizeof gemv_types[0], text2, sizeof text2, &len2);
        mn_q_vnni(1);
        if (mt.case_failed) return;
        if (len2 != len || memcmp(text, text2, len) != 0) MT_FAIL("SSE4.1 and VNNI kernels differ:\n%s---\n%s", text, text2);
        /* the VNNI kernels without GFNI (its Q4 GEMV uses it where the CPU has it) */
        len2 = 0;
        mn_q_vnni(2);
        gemv_gemm_cases(gemv_types, sizeof gemv_types / sizeof gemv_types[0], text2, sizeof text2, &len2);
        mn_q_vnni(1);
        if (mt.case_failed) return;
        if (len2 != len || memcmp(text, text2, len) != 0) MT_FAIL("VNNI kernels with and without GFNI differ:\n%s---\n%s", text, text2);
    }
    /* f32 activations: quantized once inside == quantized by the caller */
    for (size_t k = 0; k < sizeof gemv_types / sizeof gemv_types[0]; k++) {
        const mn_qtraits *t = mn_qtraits_get(types[k]);
        size_t cols = t->block_size == 1 ? 96 : t->block_size * 5, wrow = mn_qrow_size(t->type, cols);
        size_t xrow = mn_qrow_size(t->vec_dot_type, cols);
        uint8_t *W = malloc(rows * wrow), *Xq = malloc(batch * xrow);
        float *Xf = malloc(batch * cols * sizeof(float)), *A = malloc(batch * rows * sizeof(float)), *B = malloc(batch * rows * sizeof(float));
        uint64_t seed = 77 + k;
        for (size_t r = 0; r < rows; r++) fill_row(t->type, W + r * wrow, cols, &seed, 0);
        for (size_t i = 0; i < batch * cols; i++) Xf[i] = rnd_unit(&seed) * 2.0f;
        for (size_t b = 0; b < batch; b++) {
            if (t->vec_dot_type == MN_Q_F32) memcpy(Xq + b * xrow, Xf + b * cols, cols * sizeof(float));
            else mn_qtraits_get(t->vec_dot_type)->quantize_row(Xf + b * cols, Xq + b * xrow, cols);
        }
        mn_pool *p = NULL;
        if (mn_threads_max() >= 2) MT_OK(mn_pool_create(&p, 2));
        MT_OK(mn_gemm_q(NULL, A, t->type, W, rows, cols, Xq, batch));
        MT_OK(mn_gemm_f32x(p, B, t->type, W, rows, cols, Xf, batch));
        mn_pool_free(p);
        int same = !memcmp(A, B, batch * rows * sizeof(float));
        free(W); free(Xq); free(Xf); free(A); free(B);
        if (!same) MT_FAIL("%s: mn_gemm_f32x != quantize + mn_gemm_q", t->name);
    }
    float y;
    MT_EQ_INT(mn_gemv_q(NULL, &y, MN_Q_Q4_0, &y, 1, 33, &y), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gemm_f32x(NULL, &y, MN_Q_Q4_0, &y, 1, 32, NULL, 1), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gemv_q(NULL, &y, 4, &y, 1, 32, &y), MN_E_UNSUPPORTED);
    MT_EQ_INT(mn_gemv_q(NULL, NULL, MN_Q_Q4_0, &y, 1, 32, &y), MN_E_INVALID_ARG);
    MT_GOLDEN("quant/gemv_hashes.txt", text, len);
}

/* ---- K-quant int16 GEMV (the type table's on int16 targets; called
 * directly here so x86 runs it too): vec_dot_ref's bits, hostile bytes and
 * -128 activations included. */
static void k_gemv_int16(void)
{
    static const struct { uint32_t type; void (*fn)(const void *, size_t, size_t, const void *, const mn_qx_prep *, size_t, float *); } ks[] = {
        {MN_Q_Q2_K, mn_gemv_rows_q2_K}, {MN_Q_Q3_K, mn_gemv_rows_q3_K}, {MN_Q_Q4_K, mn_gemv_rows_q4_K},
        {MN_Q_Q5_K, mn_gemv_rows_q5_K}, {MN_Q_Q6_K, mn_gemv_rows_q6_K}};
    const size_t rows = 11;
    uint64_t seed = 4242;
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++) {
        const mn_qtraits *t = mn_qtraits_get(ks[k].type);
        for (size_t nb = 1; nb <= 5; nb += 2) {
            const size_t cols = 256 * nb, wrow = mn_qrow_size(t->type, cols), xrow = mn_qrow_size(MN_Q_Q8_K, cols);
            uint8_t *W = malloc(rows * wrow), *X = malloc(xrow), *scratch = malloc(mn_qk_prep_size(cols));
            float y[11];
            for (size_t r = 0; r < rows; r++) fill_row(t->type, W + r * wrow, cols, &seed, (int)(r % 3));
            for (int mode = 0; mode < 2; mode++) {
                fill_act(MN_Q_Q8_K, X, cols, &seed, mode);
                if (mode) for (size_t i = 0; i < cols; i += 7) X[4 + i] = 0x80; /* -128 among the activations */
                mn_qx_prep p;
                mn_qk_prepare(X, cols, &p, scratch);
                ks[k].fn(W, wrow, rows, X, &p, cols, y);
                for (size_t r = 0; r < rows; r++) {
                    float ref = t->vec_dot_ref(W + r * wrow, X, cols);
                    if (!same_f32(ref, y[r])) MT_NOTE_FAIL("%s %zu blocks row %zu mode %d: %a != ref %a", t->name, nb, r, mode, y[r], ref);
                }
            }
            free(W); free(X); free(scratch);
            if (mt.case_failed) return;
        }
    }
}

/* ---- Q4_0_R4: Q4_0 rearranged for the int16 kernels ----------------------
 * Every shape class: bands of 1..4 rows (rows % 4), rows shorter than a group
 * (tail blocks only), whole groups, groups + 1..3 tail blocks. The repacked
 * matrix must give Q4_0's GEMV bits (which equal vec_dot_ref, above) at 1-4
 * threads and in GEMMs, unpack to the original bytes, dequantize any row as
 * Q4_0 does, and be refused (unchanged) with an inf/NaN scale. */
static void q4_0_r4_repack(void)
{
    static const size_t rows_list[] = {1, 2, 3, 4, 5, 7, 9, 13, 37};
    static const size_t nb_list[] = {1, 3, 4, 5, 7, 8, 18, 33};
    const size_t batch = 5;
    const mn_qtraits *q4 = mn_qtraits_get(MN_Q_Q4_0), *r4 = mn_qtraits_get(MN_TYPE_Q4_0_R4);
    if (!r4 || r4->gemv_rows == NULL || r4->vec_dot_type != MN_Q_Q8_0 || mn_type_info(MN_TYPE_Q4_0_R4) != NULL)
        MT_FAIL("Q4_0_R4 traits: internal entry with a GEMV, unknown to the file table");
    int maxt = mn_threads_max() < 4 ? mn_threads_max() : 4;
    uint64_t seed = 991;
    for (size_t ri = 0; ri < sizeof rows_list / sizeof rows_list[0]; ri++)
        for (size_t ni = 0; ni < sizeof nb_list / sizeof nb_list[0]; ni++) {
            const size_t rows = rows_list[ri], cols = 32 * nb_list[ni];
            const size_t wrow = mn_qrow_size(MN_Q_Q4_0, cols), xrow = mn_qrow_size(MN_Q_Q8_0, cols);
            uint8_t *W = malloc(rows * wrow), *R = malloc(rows * wrow), *X = malloc(batch * xrow);
            float *y0 = malloc(batch * rows * sizeof(float)), *y1 = malloc(batch * rows * sizeof(float));
            float *d0 = malloc(cols * sizeof(float)), *d1 = malloc(cols * sizeof(float));
            for (size_t r = 0; r < rows; r++) fill_row(MN_Q_Q4_0, W + r * wrow, cols, &seed, (int)(r % 3));
            for (size_t b = 0; b < batch; b++) fill_act(MN_Q_Q8_0, X + b * xrow, cols, &seed, (int)(b % 2));
            memcpy(R, W, rows * wrow);
            MT_OK(mn_q4_0_r4_repack(R, rows, cols));
            if ((memcmp(R, W, rows * wrow) != 0) != (nb_list[ni] >= 4)) /* tails alone keep their order */
                MT_NOTE_FAIL("%zux%zu: the layout %s", rows, cols, nb_list[ni] >= 4 ? "did not change" : "changed");
            for (size_t b = 0; b < batch; b++) MT_OK(mn_gemv_q(NULL, y0 + b * rows, MN_Q_Q4_0, W, rows, cols, X + b * xrow));
            for (int T = 1; T <= maxt && !mt.case_failed; T++) {
                mn_pool *p = NULL;
                if (T > 1) MT_OK(mn_pool_create(&p, T));
                for (size_t b = 0; b < batch; b++) MT_OK(mn_gemv_q(p, y1 + b * rows, MN_TYPE_Q4_0_R4, R, rows, cols, X + b * xrow));
                if (memcmp(y0, y1, batch * rows * sizeof(float)) != 0)
                    MT_NOTE_FAIL("%zux%zu, %d threads: Q4_0_R4 GEMV != Q4_0", rows, cols, T);
                MT_OK(mn_gemm_q(p, y1, MN_TYPE_Q4_0_R4, R, rows, cols, X, batch));
                if (memcmp(y0, y1, batch * rows * sizeof(float)) != 0)
                    MT_NOTE_FAIL("%zux%zu, %d threads: Q4_0_R4 GEMM != Q4_0", rows, cols, T);
                mn_pool_free(p);
            }
            for (size_t r = 0; r < rows && !mt.case_failed; r++) {
                q4->dequantize_row(W + r * wrow, d0, cols);
                mn_q4_0_r4_dequantize_row(R, rows, cols, r, d1);
                if (memcmp(d0, d1, cols * sizeof(float)) != 0) MT_NOTE_FAIL("%zux%zu: dequantized row %zu differs", rows, cols, r);
            }
            /* the original bytes of any range, read back from the new layout */
            const size_t total = rows * wrow, cuts[][2] = {{0, total}, {7, 41 < total - 7 ? 41 : total - 7}, {total - 1, 1}, {total / 3, total / 2}};
            for (size_t c = 0; c < 4 && !mt.case_failed; c++) {
                uint8_t *got = malloc(cuts[c][1] + 1);
                mn_q4_0_r4_read(R, rows, cols, cuts[c][0], got, cuts[c][1]);
                if (memcmp(got, W + cuts[c][0], cuts[c][1]) != 0) MT_NOTE_FAIL("%zux%zu: read [%zu, +%zu) differs", rows, cols, cuts[c][0], cuts[c][1]);
                free(got);
            }
            MT_OK(mn_q4_0_r4_unpack(R, rows, cols));
            if (memcmp(R, W, rows * wrow) != 0) MT_NOTE_FAIL("%zux%zu: unpack(repack(W)) != W", rows, cols);
            /* an inf/NaN scale anywhere: refused, nothing written */
            W[(rows * nb_list[ni] - 1) * 18 + 1] |= 0x7C;
            memcpy(R, W, rows * wrow);
            MT_EQ_INT(mn_q4_0_r4_repack(R, rows, cols), MN_E_UNSUPPORTED);
            if (memcmp(R, W, rows * wrow) != 0) MT_NOTE_FAIL("%zux%zu: a refused repack wrote", rows, cols);
            free(W); free(R); free(X); free(y0); free(y1); free(d0); free(d1);
            if (mt.case_failed) return;
        }
    uint8_t b[18] = {0};
    MT_EQ_INT(mn_q4_0_r4_repack(b, 1, 33), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_q4_0_r4_repack(NULL, 1, 32), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_q4_0_r4_unpack(b, 0, 32), MN_E_INVALID_ARG);
}

/* ---- independent numpy reference vectors -------------------------------- */
/* tests/golden/quant/<name>.bin: "MNQV" u32 version=1, u32 type, u32 n, then
 * the row bytes, then n f32 expected dequantized values (all little-endian). */
static void numpy_reference_vectors(void)
{
    int found = 0;
    for (size_t i = 0; i < NTYPES; i++) {
        const mn_qtraits *t = mn_qtraits_get(all_types[i]);
        if (!t) continue;
        char path[1024], lname[16];
        size_t k = 0;
        for (; t->name[k] && k < sizeof lname - 1; k++) lname[k] = (char)(t->name[k] >= 'A' && t->name[k] <= 'Z' ? t->name[k] + 32 : t->name[k]);
        lname[k] = 0;
        snprintf(path, sizeof path, "%s/quant/%s.bin", mt.golden_dir, lname);
        size_t len = 0;
        unsigned char *buf = mt_read_file(path, &len);
        if (!buf) continue;
        found++;
        uint32_t hdr[4];
        if (len < 16) { free(buf); MT_FAIL("%s: short", path); }
        memcpy(hdr, buf, 16);
        size_t n = hdr[3], rb = mn_qrow_size(t->type, n);
        if (memcmp(buf, "MNQV", 4) || hdr[1] != 1 || hdr[2] != t->type || rb == 0 || len != 16 + rb + 4 * n) {
            free(buf); MT_FAIL("%s: bad header/size", path);
        }
        float *y = malloc(n * sizeof(float)), *yv = malloc(n * sizeof(float));
        t->dequantize_row_ref(buf + 16, y, n);
        t->dequantize_row(buf + 16, yv, n);
        const unsigned char *want = buf + 16 + rb;
        for (size_t j = 0; j < n; j++) {
            float w;
            memcpy(&w, want + 4 * j, 4);
            if (!same_f32(w, y[j]) || !same_f32(w, yv[j])) {
                MT_NOTE_FAIL("%s element %zu: numpy %a, ref %a, vec %a", t->name, j, w, y[j], yv[j]);
                break;
            }
        }
        free(y); free(yv); free(buf);
        if (mt.case_failed) return;
    }
    if (found != (int)NTYPES) MT_FAIL("%d of %d vector files under %s/quant (run tests/reference/quant_ref.py)", found, (int)NTYPES, mt.golden_dir);
}

void suite_quant(void)
{
    MT_RUN(trait_table);
    MT_RUN(fp16_conversions);
    MT_RUN(vec_equals_ref_all_types);
    MT_RUN(quantize_round_trip);
    MT_RUN(quantize_vec_equals_ref);
    MT_RUN(gemv_gemm_threads);
    MT_RUN(q4_0_r4_repack);
    MT_RUN(k_gemv_int16);
    MT_RUN(numpy_reference_vectors);
}
