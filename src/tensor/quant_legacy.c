/*
 * quant_legacy.c - Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1 (32-element blocks).
 *
 * Block layouts (ggml, little-endian, f16 = IEEE binary16):
 *   Q4_0 (18 B): d f16 | qs[16]          v[j] = (qs[j] & 15) - 8, v[j+16] = (qs[j] >> 4) - 8; y = v*d
 *   Q4_1 (20 B): d f16 | m f16 | qs[16]  v = nibbles as above (no -8);      y = v*d + m
 *   Q5_0 (22 B): d f16 | qh u32 | qs[16] v[j] = (nib | bit j of qh << 4) - 16 (j+16: bit j+16)
 *   Q5_1 (24 B): d f16 | m f16 | qh u32 | qs[16]   v = 5-bit value (no -16);   y = v*d + m
 *   Q8_0 (34 B): d f16 | qs[32] int8                                       y = qs*d
 *   Q8_1 (36 B): d f16 | s f16 | qs[32] int8  (s = f16(d * sum(qs)))       y = qs*d
 * dequantize: y = (float)v * d (one rounding), then + m for the _1 types.
 *
 * DOT CONTRACT (the _ref functions are the definition). Activation type:
 * Q8_0 for Q4_0 / Q5_0 / Q8_0 / Q8_1 weights, Q8_1 for Q4_1 / Q5_1 (as ggml).
 * For block b (in order b = 0 .. n/32-1):
 *   isum_b = sum_i v_i * x_i                exact in int32 (wraps mod 2^32)
 *   t_b    = (dw_b * dx_b) * (float)isum_b  (each * rounded; no FMA)
 *            [ + mw_b * sx_b ]               for Q4_1 / Q5_1: (.. ) + (mw*sx)
 *   lane[b % 4] += t_b                       4 f32 accumulators starting at +0
 *   result = (lane0 + lane2) + (lane1 + lane3)
 * dw, dx, mw, sx are the f16 fields converted exactly. The vec128 path runs 4
 * blocks at a time: four int32 partial-sum vectors are reduced together into
 * [isum_b..isum_b+3] (exact) and lane k of the f32 accumulator vector is
 * lane[k] above; a tail of n/32 % 4 blocks is done by the scalar block code
 * into lanes 0..r-1.
 */
#include "tensor/quant_internal.h"
#include "core/alloc.h"

/* MN_Q_VNNI: this file compiled a second time, by quant_legacy_vnni.c with
 * AVX512-VNNI + VL (x86-64 native builds): only the GEMV / GEMM kernels, as
 * mn_gemv_rows_*_vnni / mn_gemm_tile_*_vnni, whose per-block integer sums use
 * the 128-bit vpdpbusd (four u8 x s8 products added into each i32 lane, no
 * saturation: exact) instead of pmaddubsw + pmaddwd, and whose weight scales
 * are converted exactly by F16C's vcvtph2ps (instead of the raw-scale
 * product and its inf/NaN check: 3 fewer vector instructions per 4 blocks,
 * ~5% in cache), and for the Q4_0 / Q4_1 GEMV the high nibbles by GFNI
 * where the CPU has it (GFNI_GEMV). The integer sums are exact either way
 * and (d_w * d_x) is the same real number, so every output has the same
 * bits; the entry points of the plain build call them when the CPU has the
 * instructions (mn_q_vnni).
 * 128-bit only, as every other kernel: a 256-bit vpdpbusd taking two Q4
 * blocks at once was +10% on a 256 MiB Q4_0 GEMV, but leaves the one vector
 * width the targets share (see docs/benchmarks.md). */
#ifndef MN_Q_VNNI
#define MN_Q_VNNI 0
#endif
#if MN_Q_VNNI
#include <immintrin.h>
#endif

enum { K_Q4_0, K_Q4_1, K_Q5_0, K_Q5_1, K_Q8_0, K_Q8_1 };

#define MN_AI static inline __attribute__((always_inline))

MN_AI size_t wsize(int k) { return k == K_Q4_0 ? 18 : k == K_Q4_1 ? 20 : k == K_Q5_0 ? 22 : k == K_Q5_1 ? 24 : k == K_Q8_0 ? 34 : 36; }
MN_AI int has_min(int k) { return k == K_Q4_1 || k == K_Q5_1; }
/* the activation block: Q8_1 for the _1 types, Q8_0 otherwise */
MN_AI size_t xsize(int k) { return has_min(k) ? 36 : 34; }
MN_AI size_t xqs(int k) { return has_min(k) ? 4 : 2; }
/* the kernels subtract the prepared offset term p->off from the block sums
 * (Q4_0 / Q5_0's -8 / -16; on the int16 path also Q4_1, see unpack16) */
MN_AI int sub_off(int k) { return k == K_Q4_0 || k == K_Q5_0 || (MN_Q_X16 && k == K_Q4_1); }

/* signed values v[0..31] of a weight block */
MN_AI void block_values(int k, const uint8_t *w, int v[32])
{
    switch (k) {
    case K_Q4_0: case K_Q4_1: {
        const uint8_t *qs = w + (k == K_Q4_0 ? 2 : 4);
        int off = k == K_Q4_0 ? 8 : 0;
        for (int j = 0; j < 16; j++) { v[j] = (qs[j] & 15) - off; v[j + 16] = (qs[j] >> 4) - off; }
        break;
    }
    case K_Q5_0: case K_Q5_1: {
        uint32_t qh = mn_rd32(w + (k == K_Q5_0 ? 2 : 4));
        const uint8_t *qs = w + (k == K_Q5_0 ? 6 : 8);
        int off = k == K_Q5_0 ? 16 : 0;
        for (int j = 0; j < 16; j++) {
            v[j] = ((qs[j] & 15) | (int)((qh >> j) & 1u) << 4) - off;
            v[j + 16] = ((qs[j] >> 4) | (int)((qh >> (j + 16)) & 1u) << 4) - off;
        }
        break;
    }
    default: {
        const int8_t *qs = (const int8_t *)(w + (k == K_Q8_0 ? 2 : 4));
        for (int j = 0; j < 32; j++) v[j] = qs[j];
    }
    }
}

/* ---------------------------------------------------------------- dequantize */
MN_AI void dequant_ref(int k, const void *src, float *y, size_t n)
{
    const uint8_t *w = src;
    for (size_t b = 0; b < n / 32; b++, w += wsize(k), y += 32) {
        int v[32];
        block_values(k, w, v);
        float d = mn_rdh(w);
        if (has_min(k)) {
            float m = mn_rdh(w + 2);
            for (int j = 0; j < 32; j++) { float p = (float)v[j] * d; y[j] = p + m; }
        } else {
            for (int j = 0; j < 32; j++) y[j] = (float)v[j] * d;
        }
    }
}

/* The 32 values of block w as two int8 vectors (elements 0-15, 16-31). */
MN_AI void block_vec(int k, const uint8_t *w, mn_vi *lo, mn_vi *hi)
{
    switch (k) {
    case K_Q4_0: case K_Q4_1: {
        mn_vi q = mn_vi_load(w + (k == K_Q4_0 ? 2 : 4));
        *lo = mn_vi_nib_lo_u8(q); *hi = mn_vi_nib_hi_u8(q);
        break;
    }
    case K_Q5_0: case K_Q5_1: {
        /* constants from memory: V8 rebuilds v128 constants at every use */
        static const uint8_t kbits[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
        static const uint8_t k01[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
        static const uint8_t k23[16] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
        static const uint8_t k16[16] = {16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16};
        mn_vi q = mn_vi_load(w + (k == K_Q5_0 ? 6 : 8));
        mn_vi hb = mn_vi_splat_i32((int32_t)mn_rd32(w + (k == K_Q5_0 ? 2 : 4)));
        const mn_vi bits = mn_vi_load(kbits), i01 = mn_vi_load(k01), i23 = mn_vi_load(k23);
        mn_vi s16 = mn_vi_load(k16);
        mn_vi h0 = mn_vi_and(mn_vi_eq_i8(mn_vi_and(mn_vi_shuffle_i8(hb, i01), bits), bits), s16);
        mn_vi h1 = mn_vi_and(mn_vi_eq_i8(mn_vi_and(mn_vi_shuffle_i8(hb, i23), bits), bits), s16);
        *lo = mn_vi_or(mn_vi_nib_lo_u8(q), h0); *hi = mn_vi_or(mn_vi_nib_hi_u8(q), h1);
        break;
    }
    default: {
        const uint8_t *qs = w + (k == K_Q8_0 ? 2 : 4);
        *lo = mn_vi_load(qs); *hi = mn_vi_load(qs + 16);
    }
    }
}

MN_AI void store_i8x16_f32(float *y, mn_vi q, mn_vf d)
{
    mn_vi a = mn_vi_widen_lo_i8_i16(q), b = mn_vi_widen_hi_i8_i16(q);
    mn_vf_store(y + 0, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(a)), d));
    mn_vf_store(y + 4, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(a)), d));
    mn_vf_store(y + 8, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(b)), d));
    mn_vf_store(y + 12, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(b)), d));
}
MN_AI void store_i8x16_f32_m(float *y, mn_vi q, mn_vf d, mn_vf m)
{
    mn_vi a = mn_vi_widen_lo_u8_i16(q), b = mn_vi_widen_hi_u8_i16(q);
    mn_vf_store(y + 0, mn_vf_add(mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(a)), d), m));
    mn_vf_store(y + 4, mn_vf_add(mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(a)), d), m));
    mn_vf_store(y + 8, mn_vf_add(mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(b)), d), m));
    mn_vf_store(y + 12, mn_vf_add(mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(b)), d), m));
}

MN_AI void dequant_vec(int k, const void *src, float *y, size_t n)
{
    const uint8_t *w = src;
    for (size_t b = 0; b < n / 32; b++, w += wsize(k), y += 32) {
        mn_vi lo, hi;
        block_vec(k, w, &lo, &hi);
        mn_vf d = mn_vf_splat(mn_rdh(w));
        if (has_min(k)) {
            mn_vf m = mn_vf_splat(mn_rdh(w + 2));
            store_i8x16_f32_m(y, lo, d, m);
            store_i8x16_f32_m(y + 16, hi, d, m);
        } else {
            if (k == K_Q4_0) { lo = mn_vi_sub_i8(lo, mn_vi_splat_i8(8)); hi = mn_vi_sub_i8(hi, mn_vi_splat_i8(8)); }
            if (k == K_Q5_0) { lo = mn_vi_sub_i8(lo, mn_vi_splat_i8(16)); hi = mn_vi_sub_i8(hi, mn_vi_splat_i8(16)); }
            store_i8x16_f32(y, lo, d);
            store_i8x16_f32(y + 16, hi, d);
        }
    }
}

/* ---------------------------------------------------------------- dot */
MN_AI int32_t block_isum_ref(int k, const uint8_t *w, const uint8_t *x)
{
    int v[32];
    block_values(k, w, v);
    const int8_t *xq = (const int8_t *)(x + xqs(k));
    uint32_t s = 0;
    for (int j = 0; j < 32; j++) s += (uint32_t)(v[j] * xq[j]);
    return (int32_t)s;
}

MN_AI float block_term(int k, const uint8_t *w, const uint8_t *x, int32_t isum)
{
    float t = (mn_rdh(w) * mn_rdh(x)) * (float)isum;
    if (has_min(k)) { float ms = mn_rdh(w + 2) * mn_rdh(x + 2); t = t + ms; }
    return t;
}

MN_AI float dot_ref(int k, const void *wv, const void *xv, size_t n)
{
    const uint8_t *w = wv, *x = xv;
    float lane[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (size_t b = 0; b < n / 32; b++, w += wsize(k), x += xsize(k))
        lane[b & 3] = lane[b & 3] + block_term(k, w, x, block_isum_ref(k, w, x));
    return (lane[0] + lane[2]) + (lane[1] + lane[3]);
}

/* int32 partial sums of one block (lane layout unspecified, lane sum = isum) */
MN_AI mn_vi block_isum_vec(int k, const uint8_t *w, const uint8_t *x)
{
    mn_vi x0 = mn_vi_load(x + xqs(k)), x1 = mn_vi_load(x + xqs(k) + 16);
    mn_vi lo, hi;
    block_vec(k, w, &lo, &hi);
    if (k == K_Q8_0 || k == K_Q8_1)
        return mn_vi_dot_i8_acc(mn_vi_dot_i8_acc(mn_vi_zero(), lo, x0), hi, x1);
    mn_vi t = mn_vi_add_i16(mn_q_pair(lo, x0), mn_q_pair(hi, x1));       /* |.| <= 15872 */
    if (k == K_Q4_0 || k == K_Q5_0) {
        mn_vi off = mn_vi_splat_i8(k == K_Q4_0 ? 8 : 16);
        mn_vi o = mn_vi_add_i16(mn_q_pair(off, x0), mn_q_pair(off, x1)); /* |.| <= 8192 */
        t = mn_vi_sub_i16(t, o);                                          /* |.| <= 24064 */
    }
    return mn_q_hadd(mn_vi_zero(), t);
}

MN_AI float dot_vec(int k, const void *wv, const void *xv, size_t n)
{
    const uint8_t *w = wv, *x = xv;
    const size_t ws = wsize(k), xs = xsize(k), nb = n / 32;
    mn_vf acc = mn_vf_zero();
    size_t b = 0;
    for (; b + 4 <= nb; b += 4, w += 4 * ws, x += 4 * xs) {
        mn_vi p0 = block_isum_vec(k, w, x);
        mn_vi p1 = block_isum_vec(k, w + ws, x + xs);
        mn_vi p2 = block_isum_vec(k, w + 2 * ws, x + 2 * xs);
        mn_vi p3 = block_isum_vec(k, w + 3 * ws, x + 3 * xs);
        mn_vf fi = mn_vf_from_i32(mn_q_hsum4(p0, p1, p2, p3));
        mn_vf t = mn_vf_mul(mn_vf_mul(mn_q_load_f16x4(w, ws), mn_q_load_f16x4(x, xs)), fi);
        if (has_min(k)) t = mn_vf_add(t, mn_vf_mul(mn_q_load_f16x4(w + 2, ws), mn_q_load_f16x4(x + 2, xs)));
        acc = mn_vf_add(acc, t);
    }
    float lane[4];
    mn_vf_store(lane, acc);
    for (int l = 0; b < nb; b++, l++, w += ws, x += xs) {
        mn_vi p = block_isum_vec(k, w, x);
        lane[l] = lane[l] + block_term(k, w, x, mn_vi_hsum_i32(p));
    }
    return (lane[0] + lane[2]) + (lane[1] + lane[3]);
}

/* ---------------------------------------------------------------- quantize */
/* (int)v truncated toward zero, clamped to [lo, hi]; NaN -> lo. */
static inline int trunc_clamp(float v, int lo, int hi)
{
    if (!(v > (float)lo)) return lo;
    if (v >= (float)hi) return hi;
    return (int)v;
}

static void quantize_sym(int k, const float *x, uint8_t *y, size_t n)
{
    /* Q4_0 / Q5_0: d = max / -8 (-16), q = min(15 (31), (int)(x/d + 8.5 (16.5))) */
    const int nmax = k == K_Q4_0 ? 8 : 16;
    for (size_t b = 0; b < n / 32; b++, x += 32, y += wsize(k)) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 32; j++) if (amax < mn_fabsf(x[j])) { amax = mn_fabsf(x[j]); max = x[j]; }
        const float d = max / (float)-nmax, id = d != 0.0f ? 1.0f / d : 0.0f;
        mn_wr16(y, mn_f32_to_fp16(d));
        int q[32];
        for (int j = 0; j < 32; j++) q[j] = trunc_clamp(x[j] * id + ((float)nmax + 0.5f), 0, 2 * nmax - 1);
        uint8_t *qs = y + (k == K_Q4_0 ? 2 : 6);
        uint32_t qh = 0;
        for (int j = 0; j < 16; j++) {
            qs[j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
            qh |= (uint32_t)(q[j] >> 4 & 1) << j | (uint32_t)(q[j + 16] >> 4 & 1) << (j + 16);
        }
        if (k == K_Q5_0) mn_wr32(y + 2, qh);
    }
}

static void quantize_asym(int k, const float *x, uint8_t *y, size_t n)
{
    /* Q4_1 / Q5_1: d = (max - min) / 15 (31), m = min, q = (int)((x - min)/d + 0.5) */
    const int qmax = k == K_Q4_1 ? 15 : 31;
    for (size_t b = 0; b < n / 32; b++, x += 32, y += wsize(k)) {
        float min = 3.402823466e38f, max = -3.402823466e38f;
        for (int j = 0; j < 32; j++) { if (x[j] < min) min = x[j]; if (x[j] > max) max = x[j]; }
        const float d = (max - min) / (float)qmax, id = d != 0.0f ? 1.0f / d : 0.0f;
        mn_wr16(y, mn_f32_to_fp16(d));
        mn_wr16(y + 2, mn_f32_to_fp16(min));
        int q[32];
        for (int j = 0; j < 32; j++) q[j] = trunc_clamp((x[j] - min) * id + 0.5f, 0, qmax);
        uint8_t *qs = y + (k == K_Q4_1 ? 4 : 8);
        uint32_t qh = 0;
        for (int j = 0; j < 16; j++) {
            qs[j] = (uint8_t)((q[j] & 15) | (q[j + 16] & 15) << 4);
            qh |= (uint32_t)(q[j] >> 4 & 1) << j | (uint32_t)(q[j + 16] >> 4 & 1) << (j + 16);
        }
        if (k == K_Q5_1) mn_wr32(y + 4, qh);
    }
}

/* One Q8_0 / Q8_1 block, the reference way: d = amax / 127, q = roundf(x / d)
 * (half away from zero), Q8_1: s = f16(sum(q) * d). */
static void quantize_q8_block_ref(int k, const float *x, uint8_t *y)
{
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) { float a = mn_fabsf(x[j]); amax = amax > a ? amax : a; }
    const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    mn_wr16(y, mn_f32_to_fp16(d));
    int8_t *qs = (int8_t *)(y + (k == K_Q8_0 ? 2 : 4));
    int sum = 0;
    for (int j = 0; j < 32; j++) {
        int q = mn_round_away(x[j] * id);
        q = q < -128 ? -128 : q > 127 ? 127 : q;
        qs[j] = (int8_t)q;
        sum += q;
    }
    if (k == K_Q8_1) mn_wr16(y + 2, mn_f32_to_fp16((float)sum * d));
}

/* The same block with vectors, bit for bit: for finite x the max of |x| does
 * not depend on the order, and while |x * id| <= amax * id <= 200 the rounding
 * below is mn_round_away's (trunc, exact fraction, +-1) and the saturating
 * narrowing is its clamp. Returns 0 (nothing written) for blocks with
 * inf/NaN or a scale whose reciprocal overflows: the reference does those. */
MN_AI int quantize_q8_block_vec(int k, const float *x, uint8_t *y)
{
    mn_vf v[8], m = mn_vf_zero();
    mn_vi bad = mn_vi_zero();
    const mn_vf fmax = mn_vf_splat(3.402823466e38f);
    for (int i = 0; i < 8; i++) {
        v[i] = mn_vf_load(x + 4 * i);
        mn_vf a = mn_vf_abs(v[i]);
        m = mn_vf_max(m, a);
        bad = mn_vi_or(bad, mn_vi_xor(mn_vf_le(a, fmax), mn_vi_splat_i32(-1))); /* NaN or inf */
    }
    if (mn_q_any(bad)) return 0;
    const float amax = mn_vf_hmax(m), d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
    if (!(amax * id <= 200.0f)) return 0;
    mn_wr16(y, mn_f32_to_fp16(d));
    const mn_vf vid = mn_vf_splat(id), half = mn_vf_splat(0.5f), mhalf = mn_vf_splat(-0.5f);
    mn_vi q32[8];
    for (int i = 0; i < 8; i++) {
        mn_vf s = mn_vf_mul(v[i], vid);
        mn_vi t = mn_vf_to_i32(s);
        mn_vf fr = mn_vf_sub(s, mn_vf_from_i32(t));
        q32[i] = mn_vi_add_i32(mn_vi_sub_i32(t, mn_vf_le(half, fr)), mn_vf_le(fr, mhalf));
    }
    mn_vi q0 = mn_vi_narrow_i16_i8_sat(mn_vi_narrow_i32_i16_sat(q32[0], q32[1]), mn_vi_narrow_i32_i16_sat(q32[2], q32[3]));
    mn_vi q1 = mn_vi_narrow_i16_i8_sat(mn_vi_narrow_i32_i16_sat(q32[4], q32[5]), mn_vi_narrow_i32_i16_sat(q32[6], q32[7]));
    uint8_t *qs = y + (k == K_Q8_0 ? 2 : 4);
    mn_vi_store(qs, q0);
    mn_vi_store(qs + 16, q1);
    if (k == K_Q8_1) {
        const mn_vi one = mn_vi_splat_i8(1);
        int sum = mn_vi_hsum_i32(mn_vi_dot_i8_acc(mn_vi_dot_i8_acc(mn_vi_zero(), q0, one), q1, one));
        mn_wr16(y + 2, mn_f32_to_fp16((float)sum * d));
    }
    return 1;
}

static void quantize_q8(int k, const float *x, uint8_t *y, size_t n)
{
    for (size_t b = 0; b < n / 32; b++, x += 32, y += wsize(k))
        if (!quantize_q8_block_vec(k, x, y)) quantize_q8_block_ref(k, x, y);
}
static void quantize_q8_ref(int k, const float *x, uint8_t *y, size_t n)
{
    for (size_t b = 0; b < n / 32; b++, x += 32, y += wsize(k)) quantize_q8_block_ref(k, x, y);
}

/* ---------------------------------------------------------------- entry points */

/* ------------------------------------------------ GEMV, prepared activations
 * The same arithmetic as dot_vec (so the same bits as dot_ref), with the
 * per-activation work done once per GEMV (mn_qx_prepare): the f16 -> f32 of
 * the activation scales, the block sums that Q4_0 / Q5_0's -8 / -16 offsets
 * need, and a scan for -128 (absent: Q8_0 / Q8_1 use the one-instruction
 * int8 product). GEMV: one weight row at a time (gemv16 on the int16 path,
 * tile_k otherwise); GEMM: 4-token tiles (SSE4.1, gemm4_k).
 *   Q4_0 / Q4_1: isum = sum(u * x) - off * sum(x) with u the unsigned nibble;
 *   |lane| of the two pmaddubsw <= 2 * 15 * 128 * 2 = 7680 < 8191, so four
 *   blocks reduce with phaddw (mn_q_sum4_i16). Q5: lanes up to 15872, i32. */
/* The weight side of 4 blocks, decoded once and used by every token of a tile.
 * MN_Q_X16 (see quant_internal.h): v[j][0..3] are block j's 32 values as int16
 * vectors in the x16 order (unpack16), each from a 16-byte load and one or
 * two ops, paired with x16 vectors holding the activations to match:
 *   Q8: int16 lane i of 16 bytes q = q[2i] | q[2i+1] << 8; lane << 8 =
 *       256 q[2i] and lane >> 8 (arithmetic) = q[2i+1] (exact), paired
 *       with x[2i] and 256 x[2i+1] (fits int16): the block sum comes out
 *       times 256, shifted back after the 4-block reduction (x16_fix);
 *   Q4: int16 lane i of qs = four nibbles: elements 2i, 2i+16, 2i+1, 2i+17
 *       (u = n0 + 16 n1 + 256 n2 + 4096 n3); v0 = lane ^ 0x8000 (= u - 32768
 *       as int16), v1..v3 = v0 >> 4, 8, 12 arithmetic (= floor(u / 16^k) -
 *       2048, 128, 8), paired with the telescoped x[2i], x[2i+16] - 16 x[2i],
 *       x[2i+1] - 16 x[2i+16], x[2i+17] - 16 x[2i+1] (|.| <= 2175): the sum
 *       is sum(u_nibble * x) - 8 (x[17] + x[19] + .. + x[31]), and the
 *       prepared off makes it Q4_0's sum((n - 8) x) or Q4_1's sum(n x);
 *   Q5: the byte values widened: elements in natural order.
 * Every int16 dot (pmaddwd / i32x4.dot_i16x8_s) is exact for any int8 x. */
#if MN_Q_X16
typedef struct wdec {
    mn_vi v[4][4];
    mn_vf dw, mw;       /* raw scales (mn_q_scales_raw) unless the row is redone exactly */
} wdec;
#else
typedef struct wdec {
    mn_vi lo[4], hi[4]; /* Q8: the int8 halves; Q4/Q5: the unsigned values */
    mn_vf dw, mw;       /* raw scales (mn_q_scales_raw; VNNI: exact, F16C) unless the row is redone exactly */
} wdec;
#endif

/* (compiled on every backend: the Q4_0_R4 kernels use them everywhere) */
/* one block's 32 values as four int16 vectors in the x16 order. Loads are
 * whole 16-byte v128.loads (V8 folds their offsets into the x86 address;
 * a widening load8x8 costs a register or an add per offset). */
MN_AI void unpack16(int k, const uint8_t *w, mn_vi v[4])
{
    if (k == K_Q8_0 || k == K_Q8_1) {
        /* int16 lane i of 16 bytes = q[2i] | q[2i+1] << 8: lane << 8 is
         * 256 q[2i] and lane >> 8 (arithmetic) q[2i+1], both exact; x16
         * pairs them with x[2i] and 256 x[2i+1], so the block sum comes out
         * times 256 (x16_fix) */
        const int o = k == K_Q8_0 ? 2 : 4;
        const mn_vi lo = mn_vi_load(w + o), hi = mn_vi_load(w + o + 16);
        v[0] = mn_vi_slli_i16(lo, 8);
        v[1] = mn_vi_srai_i16(lo, 8);
        v[2] = mn_vi_slli_i16(hi, 8);
        v[3] = mn_vi_srai_i16(hi, 8);
    } else if (k == K_Q4_0 || k == K_Q4_1) {
        /* int16 lane i = qs[2i] | qs[2i+1] << 8, four nibbles (elements 2i,
         * 2i+16, 2i+1, 2i+17), flipped by 0x8000 so the arithmetic shifts
         * below are exact floor divisions of (lane - 32768) */
        static const int16_t k8000[8] = {-32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768};
        const mn_vi q = mn_vi_xor(mn_vi_load(w + (k == K_Q4_0 ? 2 : 4)), mn_vi_load(k8000));
        v[0] = q;
        v[1] = mn_vi_srai_i16(q, 4);
        v[2] = mn_vi_srai_i16(q, 8);
        v[3] = mn_vi_srai_i16(q, 12);
    } else {
        mn_vi lo, hi;
        block_vec(k, w, &lo, &hi);
        v[0] = mn_vi_widen_lo_u8_i16(lo);
        v[1] = mn_vi_widen_hi_u8_i16(lo);
        v[2] = mn_vi_widen_lo_u8_i16(hi);
        v[3] = mn_vi_widen_hi_u8_i16(hi);
    }
}
/* [isum_b..] from the hsum4 of the x16 products: Q8's come out times 256
 * (|256 isum| <= 2^27: exact, and the shift is exact) */
MN_AI mn_vi x16_fix(int k, mn_vi isum) { return k == K_Q8_0 || k == K_Q8_1 ? mn_vi_srai_i32(isum, 8) : isum; }
/* sum of one block's products from its unpacked values */
MN_AI mn_vi dot16(const mn_vi v[4], const int16_t *x)
{
    mn_vi a = mn_vi_add_i32(mn_vi_madd_i16(v[0], mn_vi_load(x)), mn_vi_madd_i16(v[1], mn_vi_load(x + 8)));
    mn_vi b = mn_vi_add_i32(mn_vi_madd_i16(v[2], mn_vi_load(x + 16)), mn_vi_madd_i16(v[3], mn_vi_load(x + 24)));
    return mn_vi_add_i32(a, b);
}

#if MN_Q_VNNI
/* The f16 at p + k*stride (k < cnt, 1..4; lanes >= cnt 0, not read) as f32,
 * exactly (F16C vcvtph2ps: every f16, inf and NaN included, so no raw-scale
 * check nor exact redo) */
MN_AI mn_vf scales_f16c(const uint8_t *p, size_t stride, int cnt)
{
    __m128i v = _mm_insert_epi16(_mm_setzero_si128(), mn_rd16(p), 0);
    if (cnt > 1) v = _mm_insert_epi16(v, mn_rd16(p + stride), 1);
    if (cnt > 2) v = _mm_insert_epi16(v, mn_rd16(p + 2 * stride), 2);
    if (cnt > 3) v = _mm_insert_epi16(v, mn_rd16(p + 3 * stride), 3);
    return _mm_cvtph_ps(v);
}
#endif

#if MN_Q_VNNI
/* q >> 4 per byte in one instruction (GFNI affine map: output bit i = input
 * bit i + 4 for i < 4, else 0) instead of psrlw + pand; run only where
 * mn_q_vnni_gfni() says so. Inline asm: the intrinsic would need
 * target("gfni") on every always_inline function on the way. */
MN_AI mn_vi nib_hi_gfni(mn_vi q)
{
    const __m128i m = _mm_set1_epi64x(0x1020408000000000LL);
    __m128i r;
    __asm__("vgf2p8affineqb $0, %2, %1, %0" : "=v"(r) : "v"(q), "v"(m));
    return r;
}
#endif

/* Decode the weight side of the cnt (1..4) blocks at wb (blocks ws apart):
 * blocks cnt..3 do not exist and read as all-zero values and zero scales, so
 * their terms are exactly +0, which leaves an accumulator lane unchanged (a
 * lane starts at +0 and can never become -0 under round-to-nearest).
 * exact == 0: the raw scales, inf/NaN noted in *bad (VNNI: the scales
 * converted exactly by F16C, *bad untouched); exact == 1: none (the terms
 * convert them exactly). gf (VNNI Q4 only, else 0): the high nibbles by GFNI. */
MN_AI void wdecode(int k, const uint8_t *wb, size_t ws, wdec *d, int cnt, int exact, int gf, mn_q_bad *bad)
{
    d->dw = d->mw = mn_vf_zero();
    for (int j = 0; j < 4; j++) {
        const uint8_t *w = wb + (size_t)j * ws;
#if MN_Q_X16
        if (j >= cnt) { d->v[j][0] = d->v[j][1] = d->v[j][2] = d->v[j][3] = mn_vi_zero(); continue; }
        unpack16(k, w, d->v[j]);
#else
        if (j >= cnt) { d->lo[j] = d->hi[j] = mn_vi_zero(); continue; }
        if (k == K_Q8_0 || k == K_Q8_1) {
            d->lo[j] = mn_vi_load(w + (k == K_Q8_0 ? 2 : 4));
            d->hi[j] = mn_vi_load(w + (k == K_Q8_0 ? 18 : 20));
#if MN_Q_VNNI
        } else if (gf && (k == K_Q4_0 || k == K_Q4_1)) {
            const mn_vi q = mn_vi_load(w + (k == K_Q4_0 ? 2 : 4));
            d->lo[j] = mn_vi_nib_lo_u8(q);
            d->hi[j] = nib_hi_gfni(q);
#endif
        } else {
            block_vec(k, w, &d->lo[j], &d->hi[j]);
        }
#endif
    }
    if (exact) return;
#if MN_Q_VNNI
    (void)bad;
    d->dw = scales_f16c(wb, ws, cnt);
    if (has_min(k)) d->mw = scales_f16c(wb + 2, ws, cnt);
#else
    d->dw = mn_q_scales_raw(wb, ws, cnt, bad);
    if (has_min(k)) d->mw = mn_q_scales_raw(wb + 2, ws, cnt, bad);
#endif
}

/* [isum_b .. isum_b+3] of the decoded blocks with one token's prepared
 * activations of these blocks, before the offset term; lanes >= cnt are 0
 * (their activations are not read). */
#if MN_Q_X16
/* x16: this token's widened activations of the 4 blocks (128 int16) */
MN_AI mn_vi tok_isum16(int k, const wdec *d, const int16_t *x16, int cnt)
{
    mn_vi t[4];
    for (int j = 0; j < 4; j++) t[j] = j < cnt ? dot16(d->v[j], x16 + 32 * j) : mn_vi_zero();
    return x16_fix(k, mn_q_hsum4(t[0], t[1], t[2], t[3]));
}
#else
#if MN_Q_VNNI
/* one block's sum as i32 lanes with vpdpbusd: Q4 / Q5 values are unsigned
 * bytes (<= 31); Q8 weights (any int8) as |w| against x with w's sign, which
 * needs x without -128 (fast8; Q8 with -128 takes the widening path) */
MN_AI mn_vi vnni_isum(int k, mn_vi lo, mn_vi hi, mn_vi x0, mn_vi x1)
{
    if (k == K_Q8_0 || k == K_Q8_1)
        return _mm_dpbusd_epi32(_mm_dpbusd_epi32(mn_vi_zero(), _mm_abs_epi8(lo), _mm_sign_epi8(x0, lo)), _mm_abs_epi8(hi),
                                _mm_sign_epi8(x1, hi));
    return _mm_dpbusd_epi32(_mm_dpbusd_epi32(mn_vi_zero(), lo, x0), hi, x1);
}
#endif
/* x8: the int8 activations of the 4 blocks, 16-byte aligned */
MN_AI mn_vi tok_isum(int k, const wdec *d, const int8_t *x8, int fast8, int cnt)
{
    mn_vi t[4];
    for (int j = 0; j < 4; j++) {
        if (j >= cnt) { t[j] = mn_vi_zero(); continue; }
        mn_vi x0 = mn_q_loada(x8 + 32 * j), x1 = mn_q_loada(x8 + 32 * j + 16);
#if MN_Q_VNNI
        if ((k != K_Q8_0 && k != K_Q8_1) || fast8) { t[j] = vnni_isum(k, d->lo[j], d->hi[j], x0, x1); continue; }
#endif
        if (k == K_Q8_0 || k == K_Q8_1)
            t[j] = fast8 ? mn_q_hadd(mn_q_hadd(mn_vi_zero(), mn_q_mul8(d->lo[j], x0)), mn_q_mul8(d->hi[j], x1))
                         : mn_vi_dot_i8_acc(mn_vi_dot_i8_acc(mn_vi_zero(), d->lo[j], x0), d->hi[j], x1);
        else {
            t[j] = mn_vi_add_i16(mn_q_pair(d->lo[j], x0), mn_q_pair(d->hi[j], x1));
            if (k == K_Q5_0 || k == K_Q5_1) t[j] = mn_q_hadd(mn_vi_zero(), t[j]);
        }
    }
    if (!MN_Q_VNNI && (k == K_Q4_0 || k == K_Q4_1)) return mn_q_sum4_i16(t[0], t[1], t[2], t[3]);
    return mn_q_hsum4(t[0], t[1], t[2], t[3]);
}
#endif

/* The f32 terms t_b .. t_b+3 of blocks b.. (cnt of them, the rest +0) of one
 * weight row (decoded in d, at wb) with one prepared token. */
MN_AI mn_vf group_term(int k, const wdec *d, const uint8_t *wb, size_t ws, mn_vi isum, const mn_qx_prep *p, size_t b,
                       int cnt, int exact)
{
    if (sub_off(k)) isum = mn_vi_sub_i32(isum, mn_q_loada(p->off + b));
    mn_vf term;
    if (!exact) { /* raw * (d * 2^112) == d_w * d_x, bit for bit (VNNI: the exact d_w, see wdecode) */
        term = mn_vf_mul(mn_vf_mul(d->dw, mn_q_loadaf((MN_Q_VNNI ? p->d : p->d112) + b)), mn_vf_from_i32(isum));
        if (has_min(k)) term = mn_vf_add(term, mn_vf_mul(d->mw, mn_q_loadaf((MN_Q_VNNI ? p->s : p->s112) + b)));
    } else {
        term = mn_vf_mul(mn_vf_mul(mn_q_load_f16xn(wb, ws, cnt), mn_q_loadaf(p->d + b)), mn_vf_from_i32(isum));
        if (has_min(k)) term = mn_vf_add(term, mn_vf_mul(mn_q_load_f16xn(wb + 2, ws, cnt), mn_q_loadaf(p->s + b)));
    }
    return term;
}

/* out[i] = (a_i.l0 + a_i.l2) + (a_i.l1 + a_i.l3) for the 4 accumulators at once
 * (the same additions as the scalar finish, lane-parallel after a transpose) */
MN_AI void finish4(const mn_vf a[4], float *out)
{
    mn_vi a0 = mn_vf_as_vi(a[0]), a1 = mn_vf_as_vi(a[1]), a2 = mn_vf_as_vi(a[2]), a3 = mn_vf_as_vi(a[3]);
    mn_vi l01 = mn_vi_zip_lo_i32(a0, a1), h01 = mn_vi_zip_hi_i32(a0, a1);  /* a0.0 a1.0 a0.1 a1.1 | a0.2 a1.2 a0.3 a1.3 */
    mn_vi l23 = mn_vi_zip_lo_i32(a2, a3), h23 = mn_vi_zip_hi_i32(a2, a3);
    mn_vf t0 = mn_vi_as_vf(mn_vi_zip_lo_i64(l01, l23)), t1 = mn_vi_as_vf(mn_vi_zip_hi_i64(l01, l23));
    mn_vf t2 = mn_vi_as_vf(mn_vi_zip_lo_i64(h01, h23)), t3 = mn_vi_as_vf(mn_vi_zip_hi_i64(h01, h23));
    mn_vf_store(out, mn_vf_add(mn_vf_add(t0, t2), mn_vf_add(t1, t3)));
}

/* acc[t] += the terms of the cnt blocks at b (a full group when cnt == 4, the
 * row's last, partial group otherwise) of weight row w with token t < T. */
MN_AI void group_acc(int k, int T, const uint8_t *w, const mn_qx_prep *P, size_t b, int cnt, int exact, int gf,
                     mn_vf acc[4], mn_q_bad *bad)
{
    const size_t ws = wsize(k);
    const uint8_t *wb = w + b * ws;
#ifdef MN_PF_DIST
    { uintptr_t pa = (uintptr_t)wb + MN_PF_DIST; __builtin_prefetch((const void *)pa); if (4 * ws > 64) __builtin_prefetch((const void *)(pa + 64)); if (4 * ws > 128) __builtin_prefetch((const void *)(pa + 128)); }
#endif
    wdec d;
    wdecode(k, wb, ws, &d, cnt, exact, gf, bad);
    for (int t = 0; t < T; t++) {
        const mn_qx_prep *p = &P[t];
#if MN_Q_X16
        mn_vi isum = tok_isum16(k, &d, p->x16 + b * 32, cnt);
#else
        mn_vi isum = tok_isum(k, &d, p->x8 + b * 32, !p->has_m128, cnt);
#endif
        acc[t] = mn_vf_add(acc[t], group_term(k, &d, wb, ws, isum, p, b, cnt, exact));
    }
}

/* the accumulators of weight row w with tokens t < T */
MN_AI void row_acc(int k, int T, const uint8_t *w, const mn_qx_prep *P, size_t nb, int exact, int gf, mn_vf acc[4],
                   mn_q_bad *bad)
{
    for (int t = 0; t < 4; t++) acc[t] = mn_vf_zero();
    size_t b = 0;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 2 /* two groups per iteration: native Q4_0 +5% (in cache and streamed) */
#endif
    for (; b + 4 <= nb; b += 4) group_acc(k, T, w, P, b, 4, exact, gf, acc, bad);
    if (b < nb) group_acc(k, T, w, P, b, (int)(nb - b), exact, gf, acc, bad);
}

/* dst[t * dstride + r] = dot_vec(W row r, X row t) for r < nrows, t < T (T <= 4),
 * from the prepared activations P[t]: each weight block group is decoded once
 * for all T tokens; each (row, token) output follows dot_ref's arithmetic
 * exactly: block b's term goes to lane b % 4 of the accumulator (the last,
 * partial group included), and rows are finished 4 at a time. A row with an
 * inf/NaN scale is computed again with exact scale conversions. */
MN_AI void tile_k(int k, int T, const uint8_t *W, size_t wrow, size_t nrows, const mn_qx_prep *P, size_t n,
                  float *dst, size_t dstride, int gf)
{
    const size_t nb = n / 32;
    mn_vf fin[4][4]; /* [token][row % 4] */
    for (int t = 0; t < 4; t++) fin[t][0] = fin[t][1] = fin[t][2] = fin[t][3] = mn_vf_zero();
    for (size_t r = 0; r < nrows; r++) {
        const uint8_t *w = W + r * wrow;
        mn_vf acc[4];
        mn_q_bad bad = mn_q_bad_none();
        row_acc(k, T, w, P, nb, 0, gf, acc, &bad);
        if (mn_q_bad_any(bad)) row_acc(k, T, w, P, nb, 1, gf, acc, &bad);
        for (int t = 0; t < T; t++) fin[t][r & 3] = acc[t];
        if ((r & 3) == 3 || r + 1 == nrows) {
            size_t r0 = r & ~(size_t)3, m = r - r0 + 1;
            for (int t = 0; t < T; t++) {
                float out[4];
                finish4(fin[t], out); /* rows past m: stale lanes, not stored */
                for (size_t i = 0; i < m; i++) dst[(size_t)t * dstride + r0 + i] = out[i];
            }
        }
    }
}

#if MN_Q_X16
/* ---- GEMV on the int16 path (wasm, NEON, plain C), one token ------------
 * One weight row at a time: rows are contiguous, so the weights stream
 * sequentially (sharing activation loads between 2 or 4 rows was faster in
 * cache but 30-50% slower on a matrix streamed from memory in wasm with
 * adjacent rows, and no clear gain with rows half the matrix apart).
 * Pointers advance as loop variables: clang then folds the block offsets into
 * the wasm loads' offset field (from index arithmetic it emits i32.add, an
 * extra x86 instruction per load in V8). Full groups of 4 blocks here; the
 * last, partial group and rows with an inf/NaN scale take group_acc /
 * row_acc, so every row's arithmetic is tile_k's (dot_ref's). */
/* one block's int32 partial sums (lane sum = the block's x16 product sum) */
MN_AI mn_vi blk16(int k, const uint8_t *w, const int16_t *x)
{
    mn_vi v[4];
    unpack16(k, w, v);
    return mn_vi_add_i32(mn_vi_add_i32(mn_vi_madd_i16(v[0], mn_vi_load(x)), mn_vi_madd_i16(v[1], mn_vi_load(x + 8))),
                         mn_vi_add_i32(mn_vi_madd_i16(v[2], mn_vi_load(x + 16)), mn_vi_madd_i16(v[3], mn_vi_load(x + 24))));
}
/* [a0+a2, b0+b2, a1+a3, b1+b3]: mn_q_hsum4's first step for two blocks */
MN_AI mn_vi pair16(mn_vi a, mn_vi b) { return mn_vi_add_i32(mn_vi_zip_lo_i32(a, b), mn_vi_zip_hi_i32(a, b)); }

/* the terms of the 4 blocks at w (activations: this group's x16, d112, off, s112) */
MN_AI mn_vf group16(int k, const uint8_t *w, const int16_t *x, const float *d112, const int32_t *off, const float *s112,
                    mn_q_bad *bad)
{
    const size_t ws = wsize(k);
#if defined(__wasm__)
    /* V8 schedules all loads of an iteration first and then spills; a
     * (volatile) store of each pair's partial sums puts the next pair's
     * loads after it in V8's effect chain. Values are unchanged. */
    volatile mn_vi keep[2];
#else
    mn_vi keep[2];
#endif
    keep[0] = pair16(blk16(k, w, x), blk16(k, w + ws, x + 32));
    keep[1] = pair16(blk16(k, w + 2 * ws, x + 64), blk16(k, w + 3 * ws, x + 96));
    const mn_vi ab = keep[0], cd = keep[1];
    mn_vi isum = x16_fix(k, mn_vi_add_i32(mn_vi_zip_lo_i64(ab, cd), mn_vi_zip_hi_i64(ab, cd))); /* = mn_q_hsum4 */
    if (sub_off(k)) isum = mn_vi_sub_i32(isum, mn_vi_load(off));
    mn_vf term = mn_vf_mul(mn_vf_mul(mn_q_scales_raw(w, ws, 4, bad), mn_vf_load(d112)), mn_vf_from_i32(isum));
    if (has_min(k)) term = mn_vf_add(term, mn_vf_mul(mn_q_scales_raw(w + 2, ws, 4, bad), mn_vf_load(s112)));
    return term;
}

/* the accumulator of the ng full groups of weight row w (two groups per
 * iteration: V8's loop overhead, a stack check included, is ~10 instructions) */
MN_AI mn_vf row16(int k, const uint8_t *w, const mn_qx_prep *p, size_t ng, mn_q_bad *bad)
{
    const size_t ws = wsize(k), sm = has_min(k) ? 4 : 0;
    const int16_t *x = p->x16;
    const float *d112 = p->d112, *s112 = p->s112;
    const int32_t *off = p->off;
    mn_vf acc = mn_vf_zero();
    size_t g = 0;
    for (; g + 2 <= ng; g += 2, w += 8 * ws, x += 256, d112 += 8, off += 8, s112 += 2 * sm) {
        acc = mn_vf_add(acc, group16(k, w, x, d112, off, s112, bad));
        acc = mn_vf_add(acc, group16(k, w + 4 * ws, x + 128, d112 + 4, off + 4, s112 + sm, bad));
    }
    if (g < ng) acc = mn_vf_add(acc, group16(k, w, x, d112, off, s112, bad));
    return acc;
}

/* dst[r] = dot_vec(W row r, the prepared token) for r < nrows */
MN_AI void gemv16(int k, const uint8_t *W, size_t wrow, size_t nrows, const mn_qx_prep *p, size_t n, float *dst)
{
    const size_t nb = n / 32, ng = nb / 4;
    mn_vf fin[4] = {mn_vf_zero(), mn_vf_zero(), mn_vf_zero(), mn_vf_zero()}; /* [row % 4] */
    for (size_t r = 0; r < nrows; r++) {
        const uint8_t *w = W + r * wrow;
        mn_q_bad bad = mn_q_bad_none();
        mn_vf a[4] = {row16(k, w, p, ng, &bad), mn_vf_zero(), mn_vf_zero(), mn_vf_zero()};
        if (4 * ng < nb) group_acc(k, 1, w, p, 4 * ng, (int)(nb - 4 * ng), 0, 0, a, &bad);
        if (mn_q_bad_any(bad)) row_acc(k, 1, w, p, nb, 1, 0, a, &bad); /* an inf/NaN scale: again, exactly */
        fin[r & 3] = a[0];
        if ((r & 3) == 3 || r + 1 == nrows) {
            size_t r0 = r & ~(size_t)3, m = r - r0 + 1;
            float out[4];
            finish4(fin, out); /* rows past m: stale lanes, not stored */
            for (size_t i = 0; i < m; i++) dst[r0 + i] = out[i];
        }
    }
}
#endif

#if !MN_Q_X16
/* ---- GEMM micro-kernel, 4 tokens (SSE4.1) -------------------------------
 * Token-major accumulators: A[j] lane t is lane j (= block b % 4) of token t's
 * accumulator, so the per-block integer sums of the 4 tokens reduce into one
 * vector (mn_q_sum4_i16 / mn_q_hsum4 across tokens, exact), the scale product
 * is one vector multiply by [d_x(t0..t3)] of the block, and the row ends with
 * (A0 + A2) + (A1 + A3) = every token's (lane0 + lane2) + (lane1 + lane3):
 * the same operations in the same order as dot_ref for every (row, token),
 * with no transposes. The token-major activation facts are gathered once per
 * call (tok4). */
#define MN_TOK4_MAX_BLOCKS 256 /* longer rows take tile_k */
typedef struct tok4 {
    _Alignas(16) float d112[MN_TOK4_MAX_BLOCKS][4], d[MN_TOK4_MAX_BLOCKS][4];
    _Alignas(16) float s112[MN_TOK4_MAX_BLOCKS][4], s[MN_TOK4_MAX_BLOCKS][4];
    _Alignas(16) int32_t off[MN_TOK4_MAX_BLOCKS][4];
} tok4;

static void tok4_fill(int k, tok4 *tp, const mn_qx_prep *P, size_t nb4)
{
    for (size_t b = 0; b < nb4; b++)
        for (int t = 0; t < 4; t++) { /* the prepared arrays are 0 past nb, up to nb4 */
            tp->d112[b][t] = P[t].d112[b];
            tp->d[b][t] = P[t].d[b];
            tp->s112[b][t] = has_min(k) ? P[t].s112[b] : 0.0f;
            tp->s[b][t] = has_min(k) ? P[t].s[b] : 0.0f;
            tp->off[b][t] = P[t].off[b];
        }
}

/* lane j of v in every lane */
MN_AI mn_vf lane_splat(mn_vf v, int j)
{
    switch (j) {
    case 0: return _mm_shuffle_ps(v, v, 0x00);
    case 1: return _mm_shuffle_ps(v, v, 0x55);
    case 2: return _mm_shuffle_ps(v, v, 0xAA);
    default: return _mm_shuffle_ps(v, v, 0xFF);
    }
}

/* A[j] += the terms of block b + j (j < cnt) of weight row w with tokens 0..3 */
MN_AI void gemm4_group(int k, const uint8_t *w, const tok4 *tp, const mn_qx_prep *P, size_t b, int cnt, int exact,
                       int fast8, mn_vf A[4], mn_q_bad *bad)
{
    const size_t ws = wsize(k);
    const uint8_t *wb = w + b * ws;
    wdec d;
    wdecode(k, wb, ws, &d, cnt, exact, 0, bad);
    mn_vf dw = d.dw, mw = d.mw;
    if (exact) {
        dw = mn_q_load_f16xn(wb, ws, cnt);
        if (has_min(k)) mw = mn_q_load_f16xn(wb + 2, ws, cnt);
    }
    for (int j = 0; j < cnt; j++) {
        const size_t bj = b + (size_t)j;
        mn_vi p[4];
        for (int t = 0; t < 4; t++) {
            mn_vi x0 = mn_q_loada(P[t].x8 + 32 * bj), x1 = mn_q_loada(P[t].x8 + 32 * bj + 16);
#if MN_Q_VNNI
            if ((k != K_Q8_0 && k != K_Q8_1) || fast8) { p[t] = vnni_isum(k, d.lo[j], d.hi[j], x0, x1); continue; }
#endif
            if (k == K_Q8_0 || k == K_Q8_1)
                p[t] = fast8 ? mn_q_hadd(mn_q_hadd(mn_vi_zero(), mn_q_mul8(d.lo[j], x0)), mn_q_mul8(d.hi[j], x1))
                             : mn_vi_dot_i8_acc(mn_vi_dot_i8_acc(mn_vi_zero(), d.lo[j], x0), d.hi[j], x1);
            else {
                p[t] = mn_vi_add_i16(mn_q_pair(d.lo[j], x0), mn_q_pair(d.hi[j], x1));
                if (k == K_Q5_0 || k == K_Q5_1) p[t] = mn_q_hadd(mn_vi_zero(), p[t]);
            }
        }
        mn_vi isum = !MN_Q_VNNI && (k == K_Q4_0 || k == K_Q4_1) ? mn_q_sum4_i16(p[0], p[1], p[2], p[3])
                                                                 : mn_q_hsum4(p[0], p[1], p[2], p[3]);
        if (k == K_Q4_0 || k == K_Q5_0) isum = mn_vi_sub_i32(isum, mn_q_loada(tp->off[bj]));
        mn_vf term = mn_vf_mul(mn_vf_mul(lane_splat(dw, j), mn_q_loadaf(exact || MN_Q_VNNI ? tp->d[bj] : tp->d112[bj])), mn_vf_from_i32(isum));
        if (has_min(k)) term = mn_vf_add(term, mn_vf_mul(lane_splat(mw, j), mn_q_loadaf(exact || MN_Q_VNNI ? tp->s[bj] : tp->s112[bj])));
        A[j] = mn_vf_add(A[j], term);
    }
}

MN_AI mn_vf gemm4_row(int k, const uint8_t *w, const tok4 *tp, const mn_qx_prep *P, size_t nb, int exact, int fast8,
                      mn_q_bad *bad)
{
    mn_vf A[4] = {mn_vf_zero(), mn_vf_zero(), mn_vf_zero(), mn_vf_zero()};
    size_t b = 0;
    for (; b + 4 <= nb; b += 4) gemm4_group(k, w, tp, P, b, 4, exact, fast8, A, bad);
    if (b < nb) gemm4_group(k, w, tp, P, b, (int)(nb - b), exact, fast8, A, bad);
    return mn_vf_add(mn_vf_add(A[0], A[2]), mn_vf_add(A[1], A[3]));
}

MN_AI void gemm4_k(int k, const uint8_t *W, size_t wrow, size_t nrows, const mn_qx_prep *P, size_t n, float *dst,
                   size_t dstride, tok4 *tp)
{
    const size_t nb = n / 32;
    tok4_fill(k, tp, P, (nb + 3) / 4 * 4);
    const int fast8 = !(P[0].has_m128 | P[1].has_m128 | P[2].has_m128 | P[3].has_m128);
    for (size_t r = 0; r < nrows; r++) {
        const uint8_t *w = W + r * wrow;
        mn_q_bad bad = mn_q_bad_none();
        mn_vf res = fast8 ? gemm4_row(k, w, tp, P, nb, 0, 1, &bad) : gemm4_row(k, w, tp, P, nb, 0, 0, &bad);
        if (mn_q_bad_any(bad)) res = gemm4_row(k, w, tp, P, nb, 1, fast8, &bad);
        float out[4];
        mn_vf_store(out, res);
        for (int t = 0; t < 4; t++) dst[(size_t)t * dstride + r] = out[t];
    }
}
#endif

MN_AI void tile_any(int k, const uint8_t *W, size_t wrow, size_t nrows, const mn_qx_prep *P, size_t ntok, size_t n,
                    float *dst, size_t dstride)
{
#if MN_Q_X16
    /* int16 path: unpacking is cheap next to the 4x larger activations, and
     * sharing it across tokens makes V8 spill; tokens take turns over the
     * cached weight tile instead */
    for (size_t t = 0; t < ntok; t++) gemv16(k, W, wrow, nrows, P + t, n, dst + t * dstride);
    return;
#endif
#if !MN_Q_X16
    tok4 tp;
    if (n / 32 <= MN_TOK4_MAX_BLOCKS)
        for (; ntok >= 4; ntok -= 4, P += 4, dst += 4 * dstride) gemm4_k(k, W, wrow, nrows, P, n, dst, dstride, &tp);
#endif
    for (size_t t0 = 0; t0 < ntok; t0 += 4) {
        size_t tn = ntok - t0 < 4 ? ntok - t0 : 4;
        float *d = dst + t0 * dstride;
        switch (tn) {
        case 1: tile_k(k, 1, W, wrow, nrows, P + t0, n, d, dstride, 0); break;
        case 2: tile_k(k, 2, W, wrow, nrows, P + t0, n, d, dstride, 0); break;
        case 3: tile_k(k, 3, W, wrow, nrows, P + t0, n, d, dstride, 0); break;
        default: tile_k(k, 4, W, wrow, nrows, P + t0, n, d, dstride, 0); break;
        }
    }
}

#define MN_LEGACY_TYPES(X) X(q4_0, K_Q4_0) X(q4_1, K_Q4_1) X(q5_0, K_Q5_0) X(q5_1, K_Q5_1) X(q8_0, K_Q8_0) X(q8_1, K_Q8_1)
/* the GEMV / GEMM entry points of type T, named with suffix SFX (none, or _vnni) */
#define GEMV_FN(T, SFX) \
    void mn_gemv_rows_##T##SFX(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
#define GEMM_FN(T, SFX) \
    void mn_gemm_tile_##T##SFX(const void *W, size_t wrow, size_t nrows, const void *X, size_t xrow, const mn_qx_prep *p, \
                               size_t ntok, size_t n, float *dst, size_t dstride)
#if MN_Q_X16
#define GEMV_BODY(K) (void)x; gemv16(K, W, wrow, nrows, p, n, dst);
#else
#define GEMV_BODY(K) (void)x; tile_k(K, 1, W, wrow, nrows, p, n, dst, 0, 0);
#endif
#define GEMM_BODY(K) (void)X; (void)xrow; tile_any(K, W, wrow, nrows, p, ntok, n, dst, dstride);
#if MN_Q_VNNI
/* Q4_0 / Q4_1 GEMV: the high nibbles by GFNI where the CPU has it (1
 * instruction instead of 2 per block: +5% in cache); the same bits */
#define GFNI_GEMV(T, K) \
    static __attribute__((noinline)) void gemv_gfni_##T(const void *W, size_t wrow, size_t nrows, const mn_qx_prep *p, \
                                                        size_t n, float *dst) \
    { tile_k(K, 1, W, wrow, nrows, p, n, dst, 0, 1); }
GFNI_GEMV(q4_0, K_Q4_0)
GFNI_GEMV(q4_1, K_Q4_1)
#define LEGACY(T, K) \
    GEMV_FN(T, _vnni) \
    { \
        if ((K == K_Q4_0 || K == K_Q4_1) && mn_q_vnni_gfni()) { \
            (void)x; \
            (K == K_Q4_0 ? gemv_gfni_q4_0 : gemv_gfni_q4_1)(W, wrow, nrows, p, n, dst); \
            return; \
        } \
        GEMV_BODY(K) \
    } \
    GEMM_FN(T, _vnni) { GEMM_BODY(K) }
MN_LEGACY_TYPES(LEGACY)
#else /* the plain build: everything, the kernels dispatching to the VNNI build where it exists */
#if MN_Q_VNNI_KERNELS
#define VNNI_DECL(T, K) GEMV_FN(T, _vnni); GEMM_FN(T, _vnni);
MN_LEGACY_TYPES(VNNI_DECL)
/* F16C (the VNNI kernels' scales): GCC can ask; clang 14 has no "f16c"
 * feature string, and every CPU with AVX512-VL has F16C */
#if defined(__clang__)
#define cpu_f16c() 1
#else
#define cpu_f16c() __builtin_cpu_supports("f16c")
#endif
static int g_vnni_off; /* mn_q_vnni(0): tests run the SSE4.1 kernels too */
static int g_gfni_off; /* mn_q_vnni(2): and the VNNI ones without GFNI */
int mn_q_vnni_gfni(void) { return !g_gfni_off && __builtin_cpu_supports("gfni"); }
static int vnni_on(void)
{
    return !g_vnni_off && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") && cpu_f16c();
}
int mn_q_vnni(int mode)
{
    if (mode >= 0) g_vnni_off = !mode, g_gfni_off = mode == 2;
    return vnni_on();
}
#define VNNI_GEMV(T) if (vnni_on()) { mn_gemv_rows_##T##_vnni(W, wrow, nrows, x, p, n, dst); return; }
#define VNNI_GEMM(T) if (vnni_on()) { mn_gemm_tile_##T##_vnni(W, wrow, nrows, X, xrow, p, ntok, n, dst, dstride); return; }
#else
int mn_q_vnni(int mode) { (void)mode; return 0; }
#define VNNI_GEMV(T)
#define VNNI_GEMM(T)
#endif
#define LEGACY(T, K) \
    void mn_dequantize_row_##T##_ref(const void *s, float *d, size_t n) { dequant_ref(K, s, d, n); } \
    void mn_dequantize_row_##T(const void *s, float *d, size_t n) { dequant_vec(K, s, d, n); } \
    float mn_vec_dot_##T##_ref(const void *w, const void *x, size_t n) { return dot_ref(K, w, x, n); } \
    float mn_vec_dot_##T(const void *w, const void *x, size_t n) { return dot_vec(K, w, x, n); } \
    GEMV_FN(T, ) { VNNI_GEMV(T) GEMV_BODY(K) } \
    GEMM_FN(T, ) { VNNI_GEMM(T) GEMM_BODY(K) }
MN_LEGACY_TYPES(LEGACY)

void mn_quantize_row_q4_0(const float *s, void *d, size_t n) { quantize_sym(K_Q4_0, s, d, n); }
void mn_quantize_row_q5_0(const float *s, void *d, size_t n) { quantize_sym(K_Q5_0, s, d, n); }
void mn_quantize_row_q4_1(const float *s, void *d, size_t n) { quantize_asym(K_Q4_1, s, d, n); }
void mn_quantize_row_q5_1(const float *s, void *d, size_t n) { quantize_asym(K_Q5_1, s, d, n); }
void mn_quantize_row_q8_0(const float *s, void *d, size_t n) { quantize_q8(K_Q8_0, s, d, n); }
void mn_quantize_row_q8_1(const float *s, void *d, size_t n) { quantize_q8(K_Q8_1, s, d, n); }
void mn_quantize_row_q8_0_ref(const float *s, void *d, size_t n) { quantize_q8_ref(K_Q8_0, s, d, n); }
void mn_quantize_row_q8_1_ref(const float *s, void *d, size_t n) { quantize_q8_ref(K_Q8_1, s, d, n); }
void mn_quantize_row_q4_0_ref(const float *s, void *d, size_t n) { quantize_sym(K_Q4_0, s, d, n); }
void mn_quantize_row_q5_0_ref(const float *s, void *d, size_t n) { quantize_sym(K_Q5_0, s, d, n); }
void mn_quantize_row_q4_1_ref(const float *s, void *d, size_t n) { quantize_asym(K_Q4_1, s, d, n); }
void mn_quantize_row_q5_1_ref(const float *s, void *d, size_t n) { quantize_asym(K_Q5_1, s, d, n); }

/* ------------------------------------------------ Q4_0_R4
 * Q4_0 rearranged once, at model load, for the int16 kernels (wasm, NEON):
 * the same blocks, bytes and results, in an order that lets one int16
 * product serve four blocks and four rows. Layout of a matrix of R rows of
 * n elements (nb = n/32 blocks, ng = nb/4 full groups of 4 blocks, t = nb%4
 * tail blocks, wrow = 18 nb bytes per row, the size of Q4_0):
 *  - rows in bands of H = 4 from the top (the last band: R % 4 rows, if any);
 *    a band of rows r0.. occupies Q4_0's bytes of those rows, [r0 wrow,
 *    (r0 + H) wrow), so band starts are where Q4_0's rows were;
 *  - a band is ng group records of 72 H bytes, then the tail: row 0's t
 *    blocks as plain Q4_0, row 1's, ..;
 *  - group record g (blocks 4g..4g+3): the H rows' 4 scales (f16, 8 bytes a
 *    row), then for k = 0..3, for each row h, 16 bytes V[k][h] whose 32-bit
 *    word m is bytes 4k..4k+3 of block 4g+m's qs, each int16 lane xor
 *    0x8000 (unpack16's Q4 flip, done once here).
 * Kernel: int16 lane 2m+e of V[k][h] is unpack16's lane 2k+e of block m, so
 * the four pmaddwd of one V (shifted by 0, 4, 8, 12) against activations in
 * the matching order (mn_qx_prepare: lane 2k+e of block m of a full group at
 * 32k + 8 lv + 2m + e; the tail group as Q4_0's) leave block m's sum in i32
 * lane m: no horizontal reductions, and the 4 activation vectors of a k are
 * loaded once for the H rows. The integer sums are exact, and the float
 * terms and lane order are gemv16's, so every output has Q4_0's bits.
 * Precondition: no scale is inf/NaN (the repack refuses such a matrix; its
 * kernels use the raw-scale product without the exact redo). */
#define R4_GROUP 72 /* bytes of one row's share of a group record */

/* [raw scales of 4 contiguous f16] (mn_q_scales_raw's lanes, no inf/NaN check) */
MN_AI mn_vf r4_scales(const uint8_t *p)
{
    static const int32_t kmask[4] = {(int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF, (int32_t)0x8FFFFFFF};
    mn_vi v = mn_vi_zip_lo_i16(mn_vi_zero(), mn_vi_load_lo64(p)); /* lane k = h_k << 16 */
    return mn_vi_as_vf(mn_vi_and(mn_vi_srai_i32(v, 3), mn_vi_load(kmask)));
}
/* one V's 32 products with the 4 levels of activations */
MN_AI mn_vi r4_dot(mn_vi v, mn_vi x0, mn_vi x1, mn_vi x2, mn_vi x3)
{
    return mn_vi_add_i32(mn_vi_add_i32(mn_vi_madd_i16(v, x0), mn_vi_madd_i16(mn_vi_srai_i16(v, 4), x1)),
                         mn_vi_add_i32(mn_vi_madd_i16(mn_vi_srai_i16(v, 8), x2), mn_vi_madd_i16(mn_vi_srai_i16(v, 12), x3)));
}
/* acc[h] += the terms of the ng full groups of the band of H rows at w */
MN_AI void r4_band(int H, const uint8_t *w, const mn_qx_prep *p, size_t ng, mn_vf acc[4])
{
    const int16_t *x = p->x16;
    const float *d112 = p->d112;
    const int32_t *off = p->off;
    for (size_t g = 0; g < ng; g++, w += (size_t)H * R4_GROUP, x += 128, d112 += 4, off += 4) {
#if defined(__wasm__)
        volatile mn_vi keep[4]; /* V8 hoists every load of the loop and spills; see group16 */
#else
        mn_vi keep[4];
#endif
        for (int k = 0; k < 4; k++) {
            const mn_vi x0 = mn_vi_load(x + 32 * k), x1 = mn_vi_load(x + 32 * k + 8);
            const mn_vi x2 = mn_vi_load(x + 32 * k + 16), x3 = mn_vi_load(x + 32 * k + 24);
            for (int h = 0; h < H; h++) {
                mn_vi t = r4_dot(mn_vi_load(w + 8 * H + 16 * (H * k + h)), x0, x1, x2, x3);
                keep[h] = k ? mn_vi_add_i32(keep[h], t) : t;
            }
        }
        const mn_vi o = mn_vi_load(off);
        const mn_vf dx = mn_vf_load(d112);
        for (int h = 0; h < H; h++)
            acc[h] = mn_vf_add(acc[h], mn_vf_mul(mn_vf_mul(r4_scales(w + 8 * h), dx), mn_vf_from_i32(mn_vi_sub_i32(keep[h], o))));
    }
}
/* the terms of one row's t (1..3) tail blocks (plain Q4_0 at wb, blocks b..) */
MN_AI mn_vf r4_tail(const uint8_t *wb, const mn_qx_prep *p, size_t b, int t)
{
    mn_vi s[4];
    for (int j = 0; j < 4; j++) {
        mn_vi v[4];
        if (j >= t) { s[j] = mn_vi_zero(); continue; }
        unpack16(K_Q4_0, wb + (size_t)j * MN_SZ_Q4_0, v);
        s[j] = dot16(v, p->x16 + 32 * (b + (size_t)j));
    }
    mn_q_bad bad = mn_q_bad_none(); /* never set: the repack refused inf/NaN scales */
    mn_vi isum = mn_vi_sub_i32(mn_q_hsum4(s[0], s[1], s[2], s[3]), mn_vi_load(p->off + b));
    return mn_vf_mul(mn_vf_mul(mn_q_scales_raw(wb, MN_SZ_Q4_0, t, &bad), mn_vf_load(p->d112 + b)), mn_vf_from_i32(isum));
}
MN_AI void r4_rows(int H, const uint8_t *w, const mn_qx_prep *p, size_t n, float *dst)
{
    const size_t nb = n / 32, ng = nb / 4;
    const int t = (int)(nb % 4);
    mn_vf acc[4] = {mn_vf_zero(), mn_vf_zero(), mn_vf_zero(), mn_vf_zero()};
    r4_band(H, w, p, ng, acc);
    const uint8_t *tail = w + ng * (size_t)H * R4_GROUP;
    for (int h = 0; t && h < H; h++) acc[h] = mn_vf_add(acc[h], r4_tail(tail + (size_t)h * t * MN_SZ_Q4_0, p, 4 * ng, t));
    float out[4];
    finish4(acc, out); /* rows past H: zero lanes, not stored */
    for (int h = 0; h < H; h++) dst[h] = out[h];
}

void mn_gemv_rows_q4_0_r4(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n,
                          float *dst)
{
    const uint8_t *w = W;
    (void)x;
    size_t r = 0;
    for (; r + 4 <= nrows; r += 4) r4_rows(4, w + r * wrow, p, n, dst + r);
    switch (nrows - r) { /* the matrix's last band */
    case 3: r4_rows(3, w + r * wrow, p, n, dst + r); break;
    case 2: r4_rows(2, w + r * wrow, p, n, dst + r); break;
    case 1: r4_rows(1, w + r * wrow, p, n, dst + r); break;
    default: break;
    }
}

/* byte offset of block b of row h (of H) in a band, and whether its qs are
 * spread over a group record (1) or plain (0) */
static size_t r4_block_at(size_t H, size_t h, size_t b, size_t nb, int *grouped)
{
    const size_t ng = nb / 4, t = nb % 4;
    if (b < 4 * ng) { *grouped = 1; return b / 4 * H * R4_GROUP; }
    *grouped = 0;
    return ng * H * R4_GROUP + (h * t + (b - 4 * ng)) * MN_SZ_Q4_0;
}

/* block b of row h of the band at band (H rows) as plain Q4_0 bytes */
static void r4_get_block(const uint8_t *band, size_t H, size_t h, size_t b, size_t nb, uint8_t out[MN_SZ_Q4_0])
{
    int grouped;
    const uint8_t *g = band + r4_block_at(H, h, b, nb, &grouped);
    if (!grouped) { memcpy(out, g, MN_SZ_Q4_0); return; }
    const size_t m = b % 4;
    memcpy(out, g + 8 * h + 2 * m, 2);
    for (size_t k = 0; k < 4; k++)
        for (size_t j = 0; j < 4; j++) out[2 + 4 * k + j] = g[8 * H + 16 * (H * k + h) + 4 * m + j] ^ (j & 1 ? 0x80 : 0);
}

/* The qs of a group's 4 blocks of one row <-> that row's V[0..3]: a 4x4
 * transpose of 32-bit words and the xor 0x8000 per int16 lane (both their
 * own inverse). */
MN_AI void r4_transpose(const mn_vi q[4], mn_vi v[4])
{
    static const int16_t k8000[8] = {-32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768};
    const mn_vi x = mn_vi_load(k8000);
    const mn_vi t0 = mn_vi_zip_lo_i32(q[0], q[1]), t1 = mn_vi_zip_lo_i32(q[2], q[3]);
    const mn_vi t2 = mn_vi_zip_hi_i32(q[0], q[1]), t3 = mn_vi_zip_hi_i32(q[2], q[3]);
    v[0] = mn_vi_xor(mn_vi_zip_lo_i64(t0, t1), x);
    v[1] = mn_vi_xor(mn_vi_zip_hi_i64(t0, t1), x);
    v[2] = mn_vi_xor(mn_vi_zip_lo_i64(t2, t3), x);
    v[3] = mn_vi_xor(mn_vi_zip_hi_i64(t2, t3), x);
}

/* One band of H rows between layouts: plain (H rows of wrow bytes, Q4_0)
 * and R4; src and dst do not overlap. */
static void r4_band_convert(uint8_t *dst, const uint8_t *src, size_t H, size_t nb, int to_r4)
{
    const size_t ng = nb / 4, t = nb % 4, wrow = nb * MN_SZ_Q4_0;
    for (size_t g = 0; g < ng; g++) {
        const size_t rec = g * H * R4_GROUP; /* the group record in the R4 band */
        for (size_t h = 0; h < H; h++) {
            const size_t row = h * wrow + 4 * g * MN_SZ_Q4_0; /* block 4g of row h, plain */
            mn_vi a[4], b[4];
            for (size_t m = 0; m < 4; m++) {
                if (to_r4) {
                    memcpy(dst + rec + 8 * h + 2 * m, src + row + m * MN_SZ_Q4_0, 2);
                    a[m] = mn_vi_load(src + row + m * MN_SZ_Q4_0 + 2);
                } else {
                    memcpy(dst + row + m * MN_SZ_Q4_0, src + rec + 8 * h + 2 * m, 2);
                    a[m] = mn_vi_load(src + rec + 8 * H + 16 * (H * m + h));
                }
            }
            r4_transpose(a, b);
            for (size_t k = 0; k < 4; k++) {
                if (to_r4) mn_vi_store(dst + rec + 8 * H + 16 * (H * k + h), b[k]);
                else mn_vi_store(dst + row + k * MN_SZ_Q4_0 + 2, b[k]);
            }
        }
    }
    for (size_t h = 0; t && h < H; h++) { /* the tails, plain in both */
        const uint8_t *s = to_r4 ? src + h * wrow + 4 * ng * MN_SZ_Q4_0 : src + ng * H * R4_GROUP + h * t * MN_SZ_Q4_0;
        uint8_t *d = to_r4 ? dst + ng * H * R4_GROUP + h * t * MN_SZ_Q4_0 : dst + h * wrow + 4 * ng * MN_SZ_Q4_0;
        memcpy(d, s, t * MN_SZ_Q4_0);
    }
}

/* rearrange every band in place through one band of scratch */
static void r4_convert(uint8_t *W, size_t rows, size_t n, uint8_t *scratch, int to_r4)
{
    const size_t nb = n / 32, wrow = nb * MN_SZ_Q4_0;
    for (size_t r0 = 0; r0 < rows; r0 += 4) {
        const size_t H = rows - r0 < 4 ? rows - r0 : 4;
        memcpy(scratch, W + r0 * wrow, H * wrow);
        r4_band_convert(W + r0 * wrow, scratch, H, nb, to_r4);
    }
}

int mn_q4_0_r4_preferred(void) { return MN_Q_X16; }

mn_status mn_q4_0_r4_repack(void *W, size_t rows, size_t n)
{
    if (!W || rows == 0 || n == 0 || n % 32) return MN_E_INVALID_ARG;
    const size_t nb = n / 32, wrow = nb * MN_SZ_Q4_0;
    if (rows > SIZE_MAX / wrow / 2) return MN_E_INVALID_ARG;
    const uint8_t *w = W;
    for (size_t i = 0; i < rows * nb; i++)
        if ((mn_rd16(w + i * MN_SZ_Q4_0) & 0x7C00) == 0x7C00) return MN_E_UNSUPPORTED; /* an inf/NaN scale */
    uint8_t *scratch = mn_malloc(4 * wrow);
    if (!scratch) return MN_E_NOMEM;
    r4_convert(W, rows, n, scratch, 1);
    mn_free(scratch);
    return MN_OK;
}

mn_status mn_q4_0_r4_unpack(void *W, size_t rows, size_t n)
{
    if (!W || rows == 0 || n == 0 || n % 32) return MN_E_INVALID_ARG;
    const size_t wrow = n / 32 * MN_SZ_Q4_0;
    if (rows > SIZE_MAX / wrow / 2) return MN_E_INVALID_ARG;
    uint8_t *scratch = mn_malloc(4 * wrow);
    if (!scratch) return MN_E_NOMEM;
    r4_convert(W, rows, n, scratch, 0);
    mn_free(scratch);
    return MN_OK;
}

void mn_q4_0_r4_read(const void *W, size_t rows, size_t n, size_t from, void *dst, size_t size)
{
    const size_t nb = n / 32, wrow = nb * MN_SZ_Q4_0;
    uint8_t *out = dst;
    while (size) {
        const size_t i = from / MN_SZ_Q4_0, skip = from % MN_SZ_Q4_0; /* block i of the matrix */
        const size_t r = i / nb, r0 = r / 4 * 4, H = rows - r0 < 4 ? rows - r0 : 4;
        if (from == r0 * wrow && size >= H * wrow) { /* a whole band */
            r4_band_convert(out, (const uint8_t *)W + r0 * wrow, H, nb, 0);
            out += H * wrow, from += H * wrow, size -= H * wrow;
            continue;
        }
        size_t k = MN_SZ_Q4_0 - skip < size ? MN_SZ_Q4_0 - skip : size;
        uint8_t blk[MN_SZ_Q4_0];
        r4_get_block((const uint8_t *)W + r0 * wrow, H, r - r0, i % nb, nb, blk);
        memcpy(out, blk + skip, k);
        out += k, from += k, size -= k;
    }
}

void mn_q4_0_r4_dequantize_row(const void *W, size_t rows, size_t n, size_t r, float *dst)
{
    const size_t nb = n / 32, wrow = nb * MN_SZ_Q4_0, r0 = r / 4 * 4;
    const size_t H = rows - r0 < 4 ? rows - r0 : 4;
    const uint8_t *band = (const uint8_t *)W + r0 * wrow;
    for (size_t b = 0; b < nb; b++) {
        uint8_t blk[MN_SZ_Q4_0];
        r4_get_block(band, H, r - r0, b, nb, blk);
        dequant_vec(K_Q4_0, blk, dst + 32 * b, 32);
    }
}

/* ------------------------------------------------ activation preparation */
/* x16: the int16 activations (the int16 kernels: everything where MN_Q_X16,
 * and Q4_0_R4 everywhere) */
static int prep_x16(uint32_t wtype) { return MN_Q_X16 || wtype == MN_TYPE_Q4_0_R4; }

/* five arrays of nb4 = n/32 rounded up to 4 entries (the kernels' last,
 * partial group of 4 blocks reads 4; the extra entries are 0), then x16 or
 * x8; 15 bytes to align the start to 16 */
size_t mn_qx_prep_size(uint32_t wtype, size_t n)
{
    return 15 + (n / 32 + 3) / 4 * 4 * 5 * sizeof(float) + (prep_x16(wtype) ? n * sizeof(int16_t) : n);
}

void mn_qx_prepare(uint32_t wtype, const void *xv, size_t n, mn_qx_prep *p, void *scratch)
{
    const uint8_t *x = xv;
    const int r4 = wtype == MN_TYPE_Q4_0_R4;
    const int q81 = wtype == MN_TYPE_Q4_1 || wtype == MN_TYPE_Q5_1; /* activations are Q8_1 */
    const int shift = wtype == MN_TYPE_Q4_0 || r4 ? 3 : wtype == MN_TYPE_Q5_0 ? 4 : -1;
    const size_t nb = n / 32, xs = q81 ? 36 : 34, q = q81 ? 4 : 2;
    const size_t nb4 = (nb + 3) / 4 * 4;
    float *d = (float *)(void *)(((uintptr_t)scratch + 15) & ~(uintptr_t)15), *d112 = d + nb4, *s = d112 + nb4, *s112 = s + nb4;
    int32_t *off = (int32_t *)(void *)(s112 + nb4);
    for (size_t b = nb; b < nb4; b++) d[b] = d112[b] = s[b] = s112[b] = 0.0f, off[b] = 0;
    int16_t *x16 = NULL;
    int8_t *x8 = NULL;
    if (prep_x16(wtype)) x16 = (int16_t *)(void *)(off + nb4);
    else x8 = (int8_t *)(void *)(off + nb4);
    const int q4 = wtype == MN_TYPE_Q4_0 || wtype == MN_TYPE_Q4_1 || r4, q8 = wtype == MN_TYPE_Q8_0 || wtype == MN_TYPE_Q8_1;
    mn_vi m128 = mn_vi_zero();
    const mn_vi k80 = mn_vi_splat_i8(-128), one = mn_vi_splat_i8(1);
    for (size_t b = 0; b < nb; b++, x += xs) {
        d[b] = mn_rdh(x);
        d112[b] = d[b] * 0x1p112f; /* exact: |finite f16| * 2^112 < 2^128 */
        s[b] = q81 ? mn_rdh(x + 2) : 0.0f;
        s112[b] = s[b] * 0x1p112f;
        mn_vi lo = mn_vi_load(x + q), hi = mn_vi_load(x + q + 16);
        m128 = mn_vi_or(m128, mn_vi_or(mn_vi_eq_i8(lo, k80), mn_vi_eq_i8(hi, k80)));
        int32_t sum = mn_vi_hsum_i32(mn_vi_dot_i8_acc(mn_vi_dot_i8_acc(mn_vi_zero(), lo, one), hi, one));
        off[b] = shift < 0 ? 0 : (int32_t)((uint32_t)sum << shift);
        if (!x16) {
            mn_vi_store(x8 + 32 * b, lo);
            mn_vi_store(x8 + 32 * b + 16, hi);
            continue;
        }
        const int8_t *xq = (const int8_t *)(x + q);
        if (q4) { /* the telescoped nibble factors (see wdec); off from the remainder */
            /* Q4_0_R4's full groups interleave their 4 blocks (see the Q4_0_R4 section) */
            const int r4g = r4 && b < nb / 4 * 4;
            int16_t *o = r4g ? x16 + 128 * (b / 4) + 2 * (b % 4) : x16 + 32 * b;
            uint32_t s17 = 0; /* x[17] + x[19] + ... + x[31] */
            for (int i = 0; i < 8; i++) {
                /* level lv of int16 lane i at oi[8 lv]; R4: lane i = 2k + e of block m at 32k + 2m + e */
                int16_t *oi = r4g ? o + 32 * (i / 2) + (i % 2) : o + i;
                oi[0] = xq[2 * i];
                oi[8] = (int16_t)(xq[2 * i + 16] - 16 * xq[2 * i]);
                oi[16] = (int16_t)(xq[2 * i + 1] - 16 * xq[2 * i + 16]);
                oi[24] = (int16_t)(xq[2 * i + 17] - 16 * xq[2 * i + 1]);
                s17 += (uint32_t)(int32_t)xq[2 * i + 17];
            }
            off[b] = (int32_t)(wtype == MN_TYPE_Q4_1 ? (0u - s17) << 3 : ((uint32_t)sum - s17) << 3);
        } else if (q8) { /* x[2i] and 256 x[2i+1] per 16 bytes (see unpack16) */
            int16_t *o = x16 + 32 * b;
            for (int h = 0; h < 32; h += 16)
                for (int i = 0; i < 8; i++) {
                    o[h + i] = xq[h + 2 * i];
                    o[h + 8 + i] = (int16_t)(xq[h + 2 * i + 1] * 256);
                }
        } else
            for (int i = 0; i < 32; i++) x16[32 * b + i] = xq[i];
    }
    p->d = d;
    p->d112 = d112;
    p->s = q81 ? s : NULL;
    p->s112 = q81 ? s112 : NULL;
    p->off = off;
    p->x16 = x16;
    p->x8 = x8;
    p->has_m128 = mn_q_any(m128);
}
#endif /* !MN_Q_VNNI */
