/*
 * quant_k.c - K-quants (256-element super-blocks): Q2_K Q3_K Q4_K Q5_K Q6_K,
 * and the activation type Q8_K.
 *
 * Block layouts (ggml, little-endian; f16 = IEEE binary16). Element e of a
 * super-block, sub-block s = e/16 (Q2/Q3/Q6) or e/32 (Q4/Q5):
 *   Q2_K  (84 B): scales[16] (lo nibble: scale, hi: min) | qs[64] | d f16 | dmin f16
 *                 e = 128n + 32j + l: q = (qs[32n+l] >> 2j) & 3
 *                 y = (d*sc)*q - (dmin*m)
 *   Q3_K (110 B): hmask[32] | qs[64] | scales[12] (16 x 6 bit) | d f16
 *                 e = 128n + 32j + l: q = ((qs[32n+l] >> 2j) & 3) - (hmask[l] bit (4n+j) ? 0 : 4)
 *                 sc_s = (low4 | high2 << 4) - 32, low4 = s<8 ? scales[s]&15 : scales[s-8]>>4,
 *                 high2 = (scales[8 + s%4] >> 2(s/4)) & 3;   y = (d*sc)*q
 *   Q4_K (144 B): d f16 | dmin f16 | scales[12] (8 x (6-bit scale, 6-bit min)) | qs[128]
 *                 e = 64p + l (l<32): q = qs[32p+l] & 15; e = 64p + 32 + l: q = qs[32p+l] >> 4
 *                 (sc, m) of sub-block j: j<4: (sc[j]&63, sc[j+4]&63); else
 *                 ((sc[j+4]&15) | (sc[j-4]>>6)<<4, (sc[j+4]>>4) | (sc[j]>>6)<<4)
 *                 y = (d*sc)*q - (dmin*m)
 *   Q5_K (176 B): d | dmin | scales[12] | qh[32] | qs[128]; as Q4_K plus 16 * bit (2p) (low
 *                 nibbles) / bit (2p+1) (high nibbles) of qh[l]
 *   Q6_K (210 B): ql[128] | qh[64] | scales[16] int8 | d f16
 *                 half h, l<32: e=128h+l: (ql[64h+l]&15) | ((qh[32h+l]>>0)&3)<<4, e+32: ql[64h+32+l]&15 ..>>2,
 *                 e+64: ql[64h+l]>>4 ..>>4, e+96: ql[64h+32+l]>>4 ..>>6;  q -= 32;  y = (d*sc)*q
 *   Q8_K (292 B): d f32 | qs[256] int8 | bsums[16] int16 (sum of each 16 qs)
 *
 * DOT CONTRACT (weights . Q8_K activations; _ref is the definition). Per
 * super-block b in order, with x.d (f32), x.qs, x.bsums as stored:
 *   isum = sum_s sc_s * (sum_{e in s} q_e * x_e)      exact int32 (wraps mod 2^32),
 *          with q_e the UNSIGNED stored quant (Q3_K: low2 + 4*hbit in 0..7,
 *          Q6_K: 0..63) and the offset applied through bsums:
 *          Q3_K: isum -= 4 * sum_s sc_s*bsum_s;  Q6_K: isum -= 32 * sum_s sc_s*bsum_s
 *   msum = sum_s m_s * bsum(s)   (Q2_K: bsum_s; Q4_K/Q5_K: bsum_2j + bsum_2j+1)
 *   t_b  = (d_w * x.d) * (float)isum                          (Q3_K, Q6_K)
 *   t_b  = (d_w * x.d) * (float)isum - (dmin_w * x.d) * (float)msum   (Q2/4/5_K)
 *   acc  = acc + t_b      (one f32 accumulator from +0; (float) is RNE)
 * The vec128 path computes the same integers with SIMD (any lane order:
 * integer sums are exact mod 2^32) and the same scalar float steps.
 */
#include "tensor/quant_internal.h"
#include <math.h>

#define AI static inline __attribute__((always_inline))

/* ------------------------------------------------------------ scale decoding */
AI void k4_scale_min(int j, const uint8_t *q, int *d, int *m)
{
    if (j < 4) { *d = q[j] & 63; *m = q[j + 4] & 63; }
    else { *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4); *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4); }
}
AI void q3_scales(const uint8_t *sc, int out[16])
{
    for (int s = 0; s < 16; s++) {
        int lo = s < 8 ? sc[s] & 15 : sc[s - 8] >> 4;
        int hi = (sc[8 + s % 4] >> (2 * (s / 4))) & 3;
        out[s] = (lo | hi << 4) - 32;
    }
}

/* --------------------------------------------------------- unpacked form
 * For each type: q[256] (unsigned stored quant as in the dot contract, Q3_K
 * and Q6_K without the offset), the per-16 integer scale and min, the offset
 * (4 / 32 / 0) and dequant factors. */
typedef struct { uint8_t q[256]; int sc[16], mn[16], off; float d, dmin; } kunpack;

static void unpack_q2_K(const uint8_t *b, kunpack *u)
{
    for (int n = 0; n < 2; n++) for (int j = 0; j < 4; j++) for (int l = 0; l < 32; l++)
        u->q[128 * n + 32 * j + l] = (uint8_t)((b[16 + 32 * n + l] >> (2 * j)) & 3);
    for (int s = 0; s < 16; s++) { u->sc[s] = b[s] & 15; u->mn[s] = b[s] >> 4; }
    u->off = 0; u->d = mn_rdh(b + 80); u->dmin = mn_rdh(b + 82);
}
static void unpack_q3_K(const uint8_t *b, kunpack *u)
{
    for (int n = 0; n < 2; n++) for (int j = 0; j < 4; j++) for (int l = 0; l < 32; l++)
        u->q[128 * n + 32 * j + l] = (uint8_t)(((b[32 + 32 * n + l] >> (2 * j)) & 3) | (((b[l] >> (4 * n + j)) & 1) << 2));
    q3_scales(b + 96, u->sc);
    for (int s = 0; s < 16; s++) u->mn[s] = 0;
    u->off = 4; u->d = mn_rdh(b + 108); u->dmin = 0.0f;
}
static void unpack_q45_K(const uint8_t *b, kunpack *u, int five)
{
    const uint8_t *qs = b + (five ? 48 : 16), *qh = b + 16;
    for (int p = 0; p < 4; p++) for (int l = 0; l < 32; l++) {
        int lo = qs[32 * p + l] & 15, hi = qs[32 * p + l] >> 4;
        if (five) { lo |= ((b[16 + l] >> (2 * p)) & 1) << 4; hi |= ((b[16 + l] >> (2 * p + 1)) & 1) << 4; }
        u->q[64 * p + l] = (uint8_t)lo; u->q[64 * p + 32 + l] = (uint8_t)hi;
    }
    (void)qh;
    for (int j = 0; j < 8; j++) { int d, m; k4_scale_min(j, b + 4, &d, &m); u->sc[2 * j] = u->sc[2 * j + 1] = d; u->mn[2 * j] = u->mn[2 * j + 1] = m; }
    u->off = 0; u->d = mn_rdh(b); u->dmin = mn_rdh(b + 2);
}
static void unpack_q6_K(const uint8_t *b, kunpack *u)
{
    const uint8_t *ql = b, *qh = b + 128;
    for (int h = 0; h < 2; h++) for (int l = 0; l < 32; l++) {
        int a = ql[64 * h + l], c = ql[64 * h + 32 + l], hb = qh[32 * h + l];
        u->q[128 * h + l] = (uint8_t)((a & 15) | ((hb >> 0) & 3) << 4);
        u->q[128 * h + 32 + l] = (uint8_t)((c & 15) | ((hb >> 2) & 3) << 4);
        u->q[128 * h + 64 + l] = (uint8_t)((a >> 4) | ((hb >> 4) & 3) << 4);
        u->q[128 * h + 96 + l] = (uint8_t)((c >> 4) | ((hb >> 6) & 3) << 4);
    }
    for (int s = 0; s < 16; s++) { u->sc[s] = (int8_t)b[192 + s]; u->mn[s] = 0; }
    u->off = 32; u->d = mn_rdh(b + 208); u->dmin = 0.0f;
}

enum { KQ2, KQ3, KQ4, KQ5, KQ6 };
AI size_t ksize(int k) { return k == KQ2 ? 84 : k == KQ3 ? 110 : k == KQ4 ? 144 : k == KQ5 ? 176 : 210; }
AI void kunpack_any(int k, const uint8_t *b, kunpack *u)
{
    switch (k) {
    case KQ2: unpack_q2_K(b, u); break;
    case KQ3: unpack_q3_K(b, u); break;
    case KQ4: unpack_q45_K(b, u, 0); break;
    case KQ5: unpack_q45_K(b, u, 1); break;
    default: unpack_q6_K(b, u);
    }
}

/* ------------------------------------------------------------ dequantize */
/* y = dl_s * (q - off) - ml_s, dl_s = d * sc_s, ml_s = dmin * m_s (ggml's order;
 * for the types without a min ml_s = 0 is not subtracted) */
AI void kdeq_ref(int k, const void *src, float *y, size_t n)
{
    const uint8_t *b = src;
    kunpack u;
    for (size_t i = 0; i < n / 256; i++, b += ksize(k), y += 256) {
        kunpack_any(k, b, &u);
        for (int e = 0; e < 256; e++) {
            int s = e / 16;
            float dl = u.d * (float)u.sc[s], v = dl * (float)((int)u.q[e] - u.off);
            if (k == KQ2 || k == KQ4 || k == KQ5) { float ml = u.dmin * (float)u.mn[s]; v = v - ml; }
            y[e] = v;
        }
    }
}
AI void kdeq_vec(int k, const void *src, float *y, size_t n)
{
    const uint8_t *b = src;
    kunpack u;
    for (size_t i = 0; i < n / 256; i++, b += ksize(k), y += 256) {
        kunpack_any(k, b, &u);
        mn_vi off = mn_vi_splat_i8((int8_t)u.off);
        for (int s = 0; s < 16; s++) {
            mn_vi q = mn_vi_sub_i8(mn_vi_load(u.q + 16 * s), off); /* -32..63: exact as int8 */
            mn_vf dl = mn_vf_splat(u.d * (float)u.sc[s]);
            mn_vi a = mn_vi_widen_lo_i8_i16(q), c = mn_vi_widen_hi_i8_i16(q);
            mn_vf v0 = mn_vf_mul(dl, mn_vf_from_i32(mn_vi_widen_lo_i16_i32(a)));
            mn_vf v1 = mn_vf_mul(dl, mn_vf_from_i32(mn_vi_widen_hi_i16_i32(a)));
            mn_vf v2 = mn_vf_mul(dl, mn_vf_from_i32(mn_vi_widen_lo_i16_i32(c)));
            mn_vf v3 = mn_vf_mul(dl, mn_vf_from_i32(mn_vi_widen_hi_i16_i32(c)));
            if (k == KQ2 || k == KQ4 || k == KQ5) {
                mn_vf ml = mn_vf_splat(u.dmin * (float)u.mn[s]);
                v0 = mn_vf_sub(v0, ml); v1 = mn_vf_sub(v1, ml); v2 = mn_vf_sub(v2, ml); v3 = mn_vf_sub(v3, ml);
            }
            mn_vf_store(y + 16 * s, v0); mn_vf_store(y + 16 * s + 4, v1);
            mn_vf_store(y + 16 * s + 8, v2); mn_vf_store(y + 16 * s + 12, v3);
        }
    }
}

/* ------------------------------------------------------------ dot: ref */
AI float kterm(int k, float dw, float dmw, float dx, int32_t isum, int32_t msum)
{
    float t = (dw * dx) * (float)isum;
    if (k == KQ2 || k == KQ4 || k == KQ5) { float tm = (dmw * dx) * (float)msum; t = t - tm; }
    return t;
}

AI float kdot_ref(int k, const void *wv, const void *xv, size_t n)
{
    const uint8_t *w = wv, *x = xv;
    float acc = 0.0f;
    kunpack u;
    for (size_t i = 0; i < n / 256; i++, w += ksize(k), x += MN_SZ_Q8_K) {
        kunpack_any(k, w, &u);
        const int8_t *xq = (const int8_t *)(x + 4);
        uint32_t isum = 0, msum = 0, osum = 0;
        for (int s = 0; s < 16; s++) {
            uint32_t p = 0;
            for (int e = 16 * s; e < 16 * s + 16; e++) p += (uint32_t)(u.q[e] * xq[e]);
            int32_t bs = mn_rdi16(x + 260 + 2 * s);
            isum += (uint32_t)u.sc[s] * p;
            msum += (uint32_t)u.mn[s] * (uint32_t)bs;
            osum += (uint32_t)u.sc[s] * (uint32_t)bs;
        }
        isum -= (uint32_t)u.off * osum;
        acc = acc + kterm(k, u.d, u.dmin, mn_rdf32(x), (int32_t)isum, (int32_t)msum);
    }
    return acc;
}

/* ------------------------------------------------------------ dot: vec128 */
/* move bit `from` of every byte to bit `to` (other bits: garbage, mask after) */
AI mn_vi bit_to(mn_vi v, int from, int to)
{
    if (from < to) return mn_vi_slli_i16(v, to - from);
    if (from > to) return mn_vi_srli_i16(v, from - to);
    return v;
}

/* sum_s sc_s * bsum_s and sum_s mn_s * bsum_s from the Q8_K bsums (scalar, exact mod 2^32) */
AI uint32_t bsum_dot(const uint8_t *x, const int *c)
{
    uint32_t s = 0;
    for (int i = 0; i < 16; i++) s += (uint32_t)c[i] * (uint32_t)(int32_t)mn_rdi16(x + 260 + 2 * i);
    return s;
}

static float dot_q4_K_vec(const uint8_t *w, const uint8_t *x, size_t nb, int five)
{
    float acc = 0.0f;
    const mn_vi m3 = mn_vi_splat_i8(0x10);
    for (size_t i = 0; i < nb; i++, w += five ? 176 : 144, x += MN_SZ_Q8_K) {
        int sc[8], mn[16];
        for (int j = 0; j < 8; j++) { int d, m; k4_scale_min(j, w + 4, &d, &m); sc[j] = d; mn[2 * j] = mn[2 * j + 1] = m; }
        const uint8_t *qs = w + (five ? 48 : 16), *xq = x + 4;
        mn_vi acc0 = mn_vi_zero(), acc1 = mn_vi_zero();
        mn_vi h0 = mn_vi_zero(), h1 = mn_vi_zero();
        if (five) { h0 = mn_vi_load(w + 16); h1 = mn_vi_load(w + 32); }
        for (int p = 0; p < 4; p++) {
            mn_vi q0 = mn_vi_load(qs + 32 * p), q1 = mn_vi_load(qs + 32 * p + 16);
            mn_vi l0 = mn_vi_nib_lo_u8(q0), l1 = mn_vi_nib_lo_u8(q1), u0 = mn_vi_nib_hi_u8(q0), u1 = mn_vi_nib_hi_u8(q1);
            if (five) {
                l0 = mn_vi_or(l0, mn_vi_and(bit_to(h0, 2 * p, 4), m3));
                l1 = mn_vi_or(l1, mn_vi_and(bit_to(h1, 2 * p, 4), m3));
                u0 = mn_vi_or(u0, mn_vi_and(bit_to(h0, 2 * p + 1, 4), m3));
                u1 = mn_vi_or(u1, mn_vi_and(bit_to(h1, 2 * p + 1, 4), m3));
            }
            const uint8_t *xp = xq + 64 * p;
            /* q <= 31: each pair sum <= 7936, two of them <= 15872 */
            mn_vi plo = mn_vi_add_i16(mn_q_pair(l0, mn_vi_load(xp)), mn_q_pair(l1, mn_vi_load(xp + 16)));
            mn_vi phi = mn_vi_add_i16(mn_q_pair(u0, mn_vi_load(xp + 32)), mn_q_pair(u1, mn_vi_load(xp + 48)));
            acc0 = mn_q_madd(acc0, plo, sc[2 * p]);
            acc1 = mn_q_madd(acc1, phi, sc[2 * p + 1]);
        }
        int32_t isum = mn_vi_hsum_i32(mn_vi_add_i32(acc0, acc1));
        int32_t msum = (int32_t)bsum_dot(x, mn);
        acc = acc + kterm(KQ4, mn_rdh(w), mn_rdh(w + 2), mn_rdf32(x), isum, msum);
    }
    return acc;
}

static float dot_q6_K_vec(const uint8_t *w, const uint8_t *x, size_t nb)
{
    float acc = 0.0f;
    const mn_vi m30 = mn_vi_splat_i8(0x30);
    for (size_t i = 0; i < nb; i++, w += 210, x += MN_SZ_Q8_K) {
        const int8_t *sc = (const int8_t *)(w + 192);
        const uint8_t *xq = x + 4;
        mn_vi acc0 = mn_vi_zero(), acc1 = mn_vi_zero();
        for (int h = 0; h < 2; h++) {
            for (int l0 = 0; l0 < 32; l0 += 16) {
                mn_vi a = mn_vi_load(w + 64 * h + l0), c = mn_vi_load(w + 64 * h + 32 + l0), hb = mn_vi_load(w + 128 + 32 * h + l0);
                mn_vi q1 = mn_vi_or(mn_vi_nib_lo_u8(a), mn_vi_and(mn_vi_slli_i16(hb, 4), m30));
                mn_vi q2 = mn_vi_or(mn_vi_nib_lo_u8(c), mn_vi_and(mn_vi_slli_i16(hb, 2), m30));
                mn_vi q3 = mn_vi_or(mn_vi_nib_hi_u8(a), mn_vi_and(hb, m30));
                mn_vi q4 = mn_vi_or(mn_vi_nib_hi_u8(c), mn_vi_and(mn_vi_srli_i16(hb, 2), m30));
                const uint8_t *xp = xq + 128 * h + l0;
                int s = 8 * h + l0 / 16;
                /* q <= 63: pair sums <= 16128 fit int16; scales are int8 */
                acc0 = mn_q_madd(acc0, mn_q_pair(q1, mn_vi_load(xp)), sc[s]);
                acc1 = mn_q_madd(acc1, mn_q_pair(q2, mn_vi_load(xp + 32)), sc[s + 2]);
                acc0 = mn_q_madd(acc0, mn_q_pair(q3, mn_vi_load(xp + 64)), sc[s + 4]);
                acc1 = mn_q_madd(acc1, mn_q_pair(q4, mn_vi_load(xp + 96)), sc[s + 6]);
            }
        }
        int c16[16];
        for (int s = 0; s < 16; s++) c16[s] = sc[s];
        uint32_t isum = (uint32_t)mn_vi_hsum_i32(mn_vi_add_i32(acc0, acc1)) - 32u * bsum_dot(x, c16);
        acc = acc + kterm(KQ6, mn_rdh(w + 208), 0.0f, mn_rdf32(x), (int32_t)isum, 0);
    }
    return acc;
}

/* Q2_K and Q3_K share the 2-bit plane layout */
/* Q2_K / Q3_K: the scales (and Q2_K's mins) of super-block w; @return its qs */
AI const uint8_t *k23_scales(const uint8_t *w, int three, int sc[16], int mn[16])
{
    if (three) { q3_scales(w + 96, sc); return w + 32; }
    for (int s = 0; s < 16; s++) { sc[s] = w[s] & 15; mn[s] = w[s] >> 4; }
    return w + 16;
}
/* Q2_K / Q3_K: the float term of super-block w from its integer sum (before Q3_K's offset) */
AI float k23_term(const uint8_t *w, const uint8_t *x, int three, uint32_t isum, const int sc[16], const int mn[16])
{
    if (three) return kterm(KQ3, mn_rdh(w + 108), 0.0f, mn_rdf32(x), (int32_t)(isum - 4u * bsum_dot(x, sc)), 0);
    return kterm(KQ2, mn_rdh(w + 80), mn_rdh(w + 82), mn_rdf32(x), (int32_t)isum, (int32_t)bsum_dot(x, mn));
}

static float dot_q23_K_vec(const uint8_t *w, const uint8_t *x, size_t nb, int three)
{
    float acc = 0.0f;
    const mn_vi m3 = mn_vi_splat_i8(3), m4 = mn_vi_splat_i8(4);
    for (size_t i = 0; i < nb; i++, w += three ? 110 : 84, x += MN_SZ_Q8_K) {
        int sc[16], mn[16];
        const uint8_t *qs = k23_scales(w, three, sc, mn);
        mn_vi hm0 = mn_vi_zero(), hm1 = mn_vi_zero();
        if (three) { hm0 = mn_vi_load(w); hm1 = mn_vi_load(w + 16); }
        const uint8_t *xq = x + 4;
        mn_vi acc0 = mn_vi_zero(), acc1 = mn_vi_zero();
        for (int n = 0; n < 2; n++) {
            mn_vi v0 = mn_vi_load(qs + 32 * n), v1 = mn_vi_load(qs + 32 * n + 16);
            for (int j = 0; j < 4; j++) {
                mn_vi u0 = mn_vi_and(mn_vi_srli_i16(v0, 2 * j), m3), u1 = mn_vi_and(mn_vi_srli_i16(v1, 2 * j), m3);
                if (three) {
                    u0 = mn_vi_or(u0, mn_vi_and(bit_to(hm0, 4 * n + j, 2), m4));
                    u1 = mn_vi_or(u1, mn_vi_and(bit_to(hm1, 4 * n + j, 2), m4));
                }
                const uint8_t *xp = xq + 128 * n + 32 * j;
                int s = 8 * n + 2 * j;
                acc0 = mn_q_madd(acc0, mn_q_pair(u0, mn_vi_load(xp)), sc[s]);
                acc1 = mn_q_madd(acc1, mn_q_pair(u1, mn_vi_load(xp + 16)), sc[s + 1]);
            }
        }
        acc = acc + k23_term(w, x, three, (uint32_t)mn_vi_hsum_i32(mn_vi_add_i32(acc0, acc1)), sc, mn);
    }
    return acc;
}

/* ------------------------------------------------------------ quantize */
#define GROUP_MAX_EPS 1e-15f

static float make_qx_quants(int n, int nmax, const float *x, int8_t *L, int rmse_type)
{
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) { float ax = mn_fabsf(x[i]); if (ax > amax) { amax = ax; max = x[i]; } }
    if (amax < GROUP_MAX_EPS) { for (int i = 0; i < n; ++i) L[i] = 0; return 0.f; }
    float iscale = (float)-nmax / max;
    if (rmse_type == 0) {
        for (int i = 0; i < n; ++i) { int l = mn_nearest_int(iscale * x[i]); L[i] = (int8_t)(nmax + (l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l)); }
        return 1 / iscale;
    }
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = mn_nearest_int(iscale * x[i]);
        l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
        L[i] = (int8_t)(l + nmax);
        float w = x[i] * x[i];   /* rmse_type 1, no importance weights */
        sumlx += w * x[i] * (float)l;
        suml2 += w * (float)l * (float)l;
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -((float)nmax + 0.1f * (float)is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = mn_nearest_int(iscale * x[i]);
            l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
            float w = x[i] * x[i];
            sumlx += w * x[i] * (float)l;
            suml2 += w * (float)l * (float)l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) {
                int l = mn_nearest_int(iscale * x[i]);
                L[i] = (int8_t)(nmax + (l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l));
            }
            scale = sumlx / suml2; best = scale * sumlx;
        }
    }
    return scale;
}

static float make_q3_quants(int n, int nmax, const float *x, int8_t *L)
{
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) { float ax = mn_fabsf(x[i]); if (ax > amax) { amax = ax; max = x[i]; } }
    if (amax < GROUP_MAX_EPS) { for (int i = 0; i < n; ++i) L[i] = 0; return 0.f; }
    float iscale = (float)-nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = mn_nearest_int(iscale * x[i]);
        l = l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l;
        L[i] = (int8_t)l;
        float w = x[i] * x[i];
        sumlx += w * x[i] * (float)l;
        suml2 += w * (float)l * (float)l;
    }
    for (int itry = 0; itry < 5; ++itry) {
        int n_changed = 0;
        for (int i = 0; i < n; ++i) {
            float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * (float)L[i];
            if (slx > 0) {
                float sl2 = suml2 - w * (float)L[i] * (float)L[i];
                int new_l = mn_nearest_int(x[i] * sl2 / slx);
                new_l = new_l < -nmax ? -nmax : new_l > nmax - 1 ? nmax - 1 : new_l;
                if (new_l != L[i]) {
                    slx += w * x[i] * (float)new_l;
                    sl2 += w * (float)new_l * (float)new_l;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = (int8_t)new_l; sumlx = slx; suml2 = sl2;
                        ++n_changed;
                    }
                }
            }
        }
        if (!n_changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = (int8_t)(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

static float make_qkx2_quants(int n, int nmax, const float *x, const float *weights, uint8_t *L, float *the_min,
                              uint8_t *Laux, float rmin, float rdelta, int nstep, int use_mad)
{
    float min = x[0], max = x[0];
    float sum_w = weights[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        float w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) { for (int i = 0; i < n; ++i) L[i] = 0; *the_min = -min; return 0.f; }
    float iscale = (float)nmax / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        int l = mn_nearest_int(iscale * (x[i] - min));
        L[i] = (uint8_t)(l < 0 ? 0 : l > nmax ? nmax : l);
        float diff = scale * (float)L[i] + min - x[i];
        diff = use_mad ? mn_fabsf(diff) : diff * diff;
        best_error += weights[i] * diff;
    }
    if (nstep < 1) { *the_min = -min; return scale; }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * (float)is + (float)nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            int l = mn_nearest_int(iscale * (x[i] - min));
            l = l < 0 ? 0 : l > nmax ? nmax : l;
            Laux[i] = (uint8_t)l;
            float w = weights[i];
            sum_l += w * (float)l;
            sum_l2 += w * (float)l * (float)l;
            sum_xl += w * (float)l * x[i];
        }
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
            float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (this_min > 0) { this_min = 0; this_scale = sum_xl / sum_l2; }
            float cur_error = 0;
            for (int i = 0; i < n; ++i) {
                float diff = this_scale * (float)Laux[i] + this_min - x[i];
                diff = use_mad ? mn_fabsf(diff) : diff * diff;
                cur_error += weights[i] * diff;
            }
            if (cur_error < best_error) {
                for (int i = 0; i < n; ++i) L[i] = Laux[i];
                best_error = cur_error; scale = this_scale; min = this_min;
            }
        }
    }
    *the_min = -min;
    return scale;
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

void mn_quantize_row_q2_K(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst, L[256], Laux[16];
    float weights[16], mins[16], scales[16];
    const float q4scale = 15.f;
    for (size_t i = 0; i < k / 256; i++, x += 256, y += 84) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = mn_fabsf(x[16 * j + l]);
            scales[j] = make_qkx2_quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f, 0.1f, 15, 1);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        uint8_t *sc = y, *qs = y + 16;
        if (max_scale > 0) {
            float iscale = q4scale / max_scale;
            for (int j = 0; j < 16; ++j) sc[j] = (uint8_t)mn_nearest_int(iscale * scales[j]);
            mn_wr16(y + 80, mn_f32_to_fp16(max_scale / q4scale));
        } else {
            for (int j = 0; j < 16; ++j) sc[j] = 0;
            mn_wr16(y + 80, mn_f32_to_fp16(0.f));
        }
        if (max_min > 0) {
            float iscale = q4scale / max_min;
            for (int j = 0; j < 16; ++j) sc[j] |= (uint8_t)(mn_nearest_int(iscale * mins[j]) << 4);
            mn_wr16(y + 82, mn_f32_to_fp16(max_min / q4scale));
        } else {
            mn_wr16(y + 82, mn_f32_to_fp16(0.f));
        }
        for (int j = 0; j < 16; ++j) {
            const float d = mn_rdh(y + 80) * (float)(sc[j] & 0xF);
            if (!d) continue;
            const float dm = mn_rdh(y + 82) * (float)(sc[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = (uint8_t)clampi(mn_nearest_int((x[16 * j + ii] + dm) / d), 0, 3);
        }
        for (int j = 0; j < 256; j += 128)
            for (int l = 0; l < 32; ++l)
                qs[j / 4 + l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
    }
}

void mn_quantize_row_q3_K(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst;
    int8_t L[256];
    float scales[16];
    for (size_t i = 0; i < k / 256; i++, x += 256, y += 110) {
        uint8_t *hmask = y, *qs = y + 32, *sc = y + 96;
        float max_scale = 0, amax = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = make_q3_quants(16, 4, x + 16 * j, L + 16 * j);
            float scale = mn_fabsf(scales[j]);
            if (scale > amax) { amax = scale; max_scale = scales[j]; }
        }
        memset(sc, 0, 12);
        if (max_scale) {
            float iscale = -32.f / max_scale;
            for (int j = 0; j < 16; ++j) {
                int8_t l = (int8_t)mn_nearest_int(iscale * scales[j]);
                l = (int8_t)(clampi(l, -32, 31) + 32);
                if (j < 8) sc[j] = (uint8_t)(l & 0xF);
                else sc[j - 8] |= (uint8_t)((l & 0xF) << 4);
                l = (int8_t)(l >> 4);
                sc[j % 4 + 8] |= (uint8_t)(l << (2 * (j / 4)));
            }
            mn_wr16(y + 108, mn_f32_to_fp16(1 / iscale));
        } else {
            mn_wr16(y + 108, mn_f32_to_fp16(0.f));
        }
        int scv[16];
        q3_scales(sc, scv);
        for (int j = 0; j < 16; ++j) {
            float d = mn_rdh(y + 108) * (float)scv[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = (int8_t)(clampi(mn_nearest_int(x[16 * j + ii] / d), -4, 3) + 4);
        }
        memset(hmask, 0, 32);
        int m = 0;
        uint8_t hm = 1;
        for (int j = 0; j < 256; ++j) {
            if (L[j] > 3) { hmask[m] |= hm; L[j] -= 4; }
            if (++m == 32) { m = 0; hm <<= 1; }
        }
        for (int j = 0; j < 256; j += 128)
            for (int l = 0; l < 32; ++l)
                qs[j / 4 + l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
    }
}

static void quantize_q45_K(const float *x, uint8_t *y, size_t k, int five)
{
    uint8_t L[256], Laux[32];
    float weights[32], mins[8], scales[8];
    const int nmax = five ? 31 : 15;
    for (size_t i = 0; i < k / 256; i++, x += 256, y += five ? 176 : 144) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 8; ++j) {
            float sum_x2 = 0;
            for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
            float av_x = sqrtf(sum_x2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = av_x + mn_fabsf(x[32 * j + l]);
            scales[j] = five ? make_qkx2_quants(32, 31, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.5f, 0.1f, 15, 0)
                             : make_qkx2_quants(32, 15, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -1.f, 0.1f, 20, 0);
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        uint8_t *sc = y + 4;
        float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
        float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
        for (int j = 0; j < 8; ++j) {
            uint8_t ls = (uint8_t)mn_nearest_int(inv_scale * scales[j]);
            uint8_t lm = (uint8_t)mn_nearest_int(inv_min * mins[j]);
            ls = ls < 63 ? ls : 63;
            lm = lm < 63 ? lm : 63;
            if (j < 4) { sc[j] = ls; sc[j + 4] = lm; }
            else {
                sc[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
                sc[j - 4] |= (uint8_t)((ls >> 4) << 6);
                sc[j] |= (uint8_t)((lm >> 4) << 6);
            }
        }
        mn_wr16(y, mn_f32_to_fp16(max_scale / 63.f));
        mn_wr16(y + 2, mn_f32_to_fp16(max_min / 63.f));
        for (int j = 0; j < 8; ++j) {
            int s, m;
            k4_scale_min(j, sc, &s, &m);
            const float d = mn_rdh(y) * (float)s;
            if (!d) continue;
            const float dm = mn_rdh(y + 2) * (float)m;
            for (int ii = 0; ii < 32; ++ii) L[32 * j + ii] = (uint8_t)clampi(mn_nearest_int((x[32 * j + ii] + dm) / d), 0, nmax);
        }
        if (!five) {
            uint8_t *q = y + 16;
            for (int j = 0; j < 256; j += 64, q += 32)
                for (int l = 0; l < 32; ++l) q[l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 4));
        } else {
            uint8_t *qh = y + 16, *ql = y + 48;
            memset(qh, 0, 32);
            uint8_t m1 = 1, m2 = 2;
            for (int n = 0; n < 256; n += 64, ql += 32) {
                for (int j = 0; j < 32; ++j) {
                    int l1 = L[n + j], l2 = L[n + j + 32];
                    if (l1 > 15) { l1 -= 16; qh[j] |= m1; }
                    if (l2 > 15) { l2 -= 16; qh[j] |= m2; }
                    ql[j] = (uint8_t)(l1 | (l2 << 4));
                }
                m1 = (uint8_t)(m1 << 2); m2 = (uint8_t)(m2 << 2);
            }
        }
    }
}
void mn_quantize_row_q4_K(const float *x, void *dst, size_t k) { quantize_q45_K(x, dst, k, 0); }
void mn_quantize_row_q5_K(const float *x, void *dst, size_t k) { quantize_q45_K(x, dst, k, 1); }

void mn_quantize_row_q6_K(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst;
    int8_t L[256];
    float scales[16];
    for (size_t i = 0; i < k / 256; i++, x += 256, y += 210) {
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            const float scale = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib, 1);
            scales[ib] = scale;
            const float abs_scale = mn_fabsf(scale);
            if (abs_scale > max_abs_scale) { max_abs_scale = abs_scale; max_scale = scale; }
        }
        if (max_abs_scale < GROUP_MAX_EPS) { memset(y, 0, 210); continue; }
        int8_t *sc = (int8_t *)(y + 192);
        float iscale = -128.f / max_scale;
        mn_wr16(y + 208, mn_f32_to_fp16(1 / iscale));
        for (int ib = 0; ib < 16; ++ib) { int v = mn_nearest_int(iscale * scales[ib]); sc[ib] = (int8_t)(v < 127 ? v : 127); }
        for (int j = 0; j < 16; ++j) {
            float d = mn_rdh(y + 208) * (float)sc[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) L[16 * j + ii] = (int8_t)(clampi(mn_nearest_int(x[16 * j + ii] / d), -32, 31) + 32);
        }
        uint8_t *ql = y, *qh = y + 128;
        for (int j = 0; j < 256; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const uint8_t q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[l] = (uint8_t)(q1 | (q3 << 4));
                ql[l + 32] = (uint8_t)(q2 | (q4 << 4));
                qh[l] = (uint8_t)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
            }
        }
    }
}

/* Q8_K: iscale = -127/max (max = the element of largest magnitude), q = min(127, nearest(iscale*x)) */
void mn_quantize_row_q8_K(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst;
    for (size_t i = 0; i < k / 256; i++, x += 256, y += MN_SZ_Q8_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; ++j) { float ax = mn_fabsf(x[j]); if (ax > amax) { amax = ax; max = x[j]; } }
        int8_t *qs = (int8_t *)(y + 4);
        if (!amax) { memset(y, 0, MN_SZ_Q8_K); continue; }
        const float iscale = -127.f / max;
        for (int j = 0; j < 256; ++j) { int v = mn_nearest_int(iscale * x[j]); qs[j] = (int8_t)clampi(v, -128, 127); }
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += qs[j * 16 + ii];
            mn_wr16(y + 260 + 2 * j, (uint16_t)(int16_t)sum);
        }
        mn_wr32(y, mn_f32_as_u32(1 / iscale));
    }
}

void mn_dequantize_row_q8_K_ref(const void *src, float *y, size_t k)
{
    const uint8_t *b = src;
    for (size_t i = 0; i < k / 256; i++, b += MN_SZ_Q8_K) {
        float d = mn_rdf32(b);
        for (int j = 0; j < 256; ++j) *y++ = d * (float)(int8_t)b[4 + j];
    }
}
void mn_dequantize_row_q8_K(const void *src, float *y, size_t k)
{
    const uint8_t *b = src;
    for (size_t i = 0; i < k / 256; i++, b += MN_SZ_Q8_K, y += 256) {
        mn_vf d = mn_vf_splat(mn_rdf32(b));
        for (int j = 0; j < 256; j += 16) {
            mn_vi q = mn_vi_load(b + 4 + j), a = mn_vi_widen_lo_i8_i16(q), c = mn_vi_widen_hi_i8_i16(q);
            mn_vf_store(y + j, mn_vf_mul(d, mn_vf_from_i32(mn_vi_widen_lo_i16_i32(a))));
            mn_vf_store(y + j + 4, mn_vf_mul(d, mn_vf_from_i32(mn_vi_widen_hi_i16_i32(a))));
            mn_vf_store(y + j + 8, mn_vf_mul(d, mn_vf_from_i32(mn_vi_widen_lo_i16_i32(c))));
            mn_vf_store(y + j + 12, mn_vf_mul(d, mn_vf_from_i32(mn_vi_widen_hi_i16_i32(c))));
        }
    }
}

/* ------------------------------------------------ K-quant GEMV, int16
 * For the int16 targets (MN_Q_X16: wasm, NEON, plain C; x86 keeps
 * pmaddubsw), with the Q8_K activations widened once per GEMV
 * (mn_qk_prepare). wasm has no cheap u8 x i8 multiply-add (mn_q_pair is 2
 * extmuls, ~8 x86 instructions after V8); here each int16 lane of 16 qs
 * bytes, masked to its two low (or high) nibbles n0 | n1 << 8, gives
 * lane << 8 = 256 n0 and lane >> 8 = n1, paired with x[e0] and 256 x[e1]
 * (|256 x| <= 32768: -128 fits): one pmaddwd per 8 elements, no widening.
 * Each 32-element sub-block's sum comes out times 256 (|.| < 2^25: exact,
 * shifted back), is scaled by its 6-bit scale in i32 lanes, and the float
 * steps are kdot_ref's: the same bits. Q6_K, Q3_K and Q2_K likewise with
 * 6-, 3- and 2-bit values (lane << 8 <= 16128) and 16-element sub-blocks. Layout of x16: runs of 16
 * elements in order, run r (elements 16r..) = x[16r + 2i] for i < 8, then
 * 256 x[16r + 2i + 1]. */
size_t mn_qk_prep_size(size_t n) { return 15 + n * sizeof(int16_t); }

void mn_qk_prepare(const void *xv, size_t n, mn_qx_prep *p, void *scratch)
{
    const uint8_t *x = xv;
    int16_t *x16 = (int16_t *)(void *)(((uintptr_t)scratch + 15) & ~(uintptr_t)15);
    memset(p, 0, sizeof *p);
    p->x16 = x16;
    for (size_t b = 0; b < n / 256; b++, x += MN_SZ_Q8_K, x16 += 256) {
        const int8_t *q = (const int8_t *)(x + 4);
        for (int r = 0; r < 16; r++) /* run r: elements 16r .. 16r+15 */
            for (int i = 0; i < 8; i++) {
                x16[16 * r + i] = q[16 * r + 2 * i];
                x16[16 * r + 8 + i] = (int16_t)(q[16 * r + 2 * i + 1] * 256);
            }
    }
}

/* the products of 16 elements of one run (16 qs bytes, as int16 lanes
 * v0 | v1 << 8 with v <= 63) with their prepared activations (x16 run) */
AI mn_vi k16_pairs(mn_vi v, const int16_t *xs)
{
    return mn_vi_add_i32(mn_vi_madd_i16(mn_vi_slli_i16(v, 8), mn_vi_load(xs)), mn_vi_madd_i16(mn_vi_srli_i16(v, 8), mn_vi_load(xs + 8)));
}

/* the 16 per-sub-block sum vectors of a super-block (x 256), each summed,
 * shifted back and multiplied by its scale, all added (mod 2^32) */
#if defined(__wasm__)
#define K16_S volatile mn_vi /* V8 hoists every load of a loop and spills; stores order them */
#else
#define K16_S mn_vi
#endif
AI uint32_t k16_isum(const K16_S *S, const int32_t *scv)
{
    mn_vi prod = mn_vi_zero();
    for (int g = 0; g < 4; g++) {
        mn_vi t = mn_vi_srai_i32(mn_q_hsum4(S[4 * g], S[4 * g + 1], S[4 * g + 2], S[4 * g + 3]), 8);
        prod = mn_vi_add_i32(prod, mn_vi_mullo_i32(t, mn_vi_load(scv + 4 * g)));
    }
    return (uint32_t)mn_vi_hsum_i32(prod);
}

/* one row of Q4_K (five 0) / Q5_K (five 1) against the prepared activations */
AI float k45_row16(const uint8_t *w, const uint8_t *x, const int16_t *x16, size_t nb, int five)
{
    static const uint16_t k0f[8] = {0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F};
    static const uint16_t k10[8] = {0x1010, 0x1010, 0x1010, 0x1010, 0x1010, 0x1010, 0x1010, 0x1010};
    float acc = 0.0f;
    for (size_t i = 0; i < nb; i++, w += five ? 176 : 144, x += MN_SZ_Q8_K, x16 += 256) {
        _Alignas(16) int32_t sc[8];
        int mn[16];
        for (int j = 0; j < 8; j++) { int d, m; k4_scale_min(j, w + 4, &d, &m); sc[j] = d; mn[2 * j] = mn[2 * j + 1] = m; }
        const uint8_t *qs = w + (five ? 48 : 16);
        const mn_vi m0f = mn_vi_load(k0f), m10 = mn_vi_load(k10);
        K16_S S[8]; /* volatile in wasm: a store per p orders V8's loads */
        for (int pp = 0; pp < 4; pp++) {
            mn_vi slo = mn_vi_zero(), shi = mn_vi_zero();
            for (int hh = 0; hh < 2; hh++) {
                const mn_vi q = mn_vi_load(qs + 32 * pp + 16 * hh);
                mn_vi a = mn_vi_and(q, m0f), b = mn_vi_and(mn_vi_srli_i16(q, 4), m0f);
                if (five) {
                    const mn_vi h = mn_vi_load(w + 16 + 16 * hh);
                    a = mn_vi_or(a, mn_vi_and(bit_to(h, 2 * pp, 4), m10));
                    b = mn_vi_or(b, mn_vi_and(bit_to(h, 2 * pp + 1, 4), m10));
                }
                const int16_t *xs = x16 + 64 * pp + 16 * hh; /* runs 4p+hh (low nibbles), 4p+2+hh (high) */
                mn_vi lo = k16_pairs(a, xs), hi = k16_pairs(b, xs + 32);
                slo = mn_vi_add_i32(slo, lo);
                shi = mn_vi_add_i32(shi, hi);
            }
            S[2 * pp] = slo;
            S[2 * pp + 1] = shi;
        }
        /* sub-block sums (x 256, exact), back to x 1, times their scales, summed: all mod 2^32 */
        mn_vi t0 = mn_vi_srai_i32(mn_q_hsum4(S[0], S[1], S[2], S[3]), 8);
        mn_vi t1 = mn_vi_srai_i32(mn_q_hsum4(S[4], S[5], S[6], S[7]), 8);
        mn_vi prod = mn_vi_add_i32(mn_vi_mullo_i32(t0, mn_vi_load(sc)), mn_vi_mullo_i32(t1, mn_vi_load(sc + 4)));
        int32_t isum = mn_vi_hsum_i32(prod);
        int32_t msum = (int32_t)bsum_dot(x, mn);
        acc = acc + kterm(KQ4, mn_rdh(w), mn_rdh(w + 2), mn_rdf32(x), isum, msum);
    }
    return acc;
}

/* one row of Q6_K against the prepared activations */
AI float k6_row16(const uint8_t *w, const uint8_t *x, const int16_t *x16, size_t nb)
{
    static const uint16_t k0f[8] = {0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F, 0x0F0F};
    static const uint16_t k30[8] = {0x3030, 0x3030, 0x3030, 0x3030, 0x3030, 0x3030, 0x3030, 0x3030};
    float acc = 0.0f;
    for (size_t i = 0; i < nb; i++, w += 210, x += MN_SZ_Q8_K, x16 += 256) {
        const int8_t *sc = (const int8_t *)(w + 192);
        _Alignas(16) int32_t scv[16];
        int c16[16];
        for (int s16 = 0; s16 < 16; s16++) scv[s16] = c16[s16] = sc[s16];
        const mn_vi m0f = mn_vi_load(k0f), m30 = mn_vi_load(k30);
        K16_S S[16];
        for (int h = 0; h < 2; h++)
            for (int l0 = 0; l0 < 32; l0 += 16) {
                const mn_vi a = mn_vi_load(w + 64 * h + l0), c = mn_vi_load(w + 64 * h + 32 + l0);
                const mn_vi hb = mn_vi_load(w + 128 + 32 * h + l0);
                const mn_vi q1 = mn_vi_or(mn_vi_and(a, m0f), mn_vi_and(mn_vi_slli_i16(hb, 4), m30));
                const mn_vi q2 = mn_vi_or(mn_vi_and(c, m0f), mn_vi_and(mn_vi_slli_i16(hb, 2), m30));
                const mn_vi q3 = mn_vi_or(mn_vi_and(mn_vi_srli_i16(a, 4), m0f), mn_vi_and(hb, m30));
                const mn_vi q4 = mn_vi_or(mn_vi_and(mn_vi_srli_i16(c, 4), m0f), mn_vi_and(mn_vi_srli_i16(hb, 2), m30));
                const int s = 8 * h + l0 / 16; /* sub-block (and run) of q1; q2..q4: s + 2, 4, 6 */
                S[s] = k16_pairs(q1, x16 + 16 * s);
                S[s + 2] = k16_pairs(q2, x16 + 16 * (s + 2));
                S[s + 4] = k16_pairs(q3, x16 + 16 * (s + 4));
                S[s + 6] = k16_pairs(q4, x16 + 16 * (s + 6));
            }
        uint32_t isum = k16_isum(S, scv) - 32u * bsum_dot(x, c16);
        acc = acc + kterm(KQ6, mn_rdh(w + 208), 0.0f, mn_rdf32(x), (int32_t)isum, 0);
    }
    return acc;
}

/* the 4 sub-blocks of bytes l0..l0+15 of qs[32n..] (Q2_K / Q3_K) */
AI void k23_quarter(K16_S *S, const uint8_t *qs, const uint8_t *w, const int16_t *x16, int n, int l0, int three,
                    mn_vi m3, mn_vi m4)
{
    const mn_vi q = mn_vi_load(qs + 32 * n + l0);
    const mn_vi hm = three ? mn_vi_load(w + l0) : mn_vi_zero();
    for (int j = 0; j < 4; j++) {
        mn_vi v = mn_vi_and(mn_vi_srli_i16(q, 2 * j), m3);
        if (three) v = mn_vi_or(v, mn_vi_and(bit_to(hm, 4 * n + j, 2), m4));
        const int r = 8 * n + 2 * j + l0 / 16; /* sub-block = run of elements 128n + 32j + l0 .. */
        S[r] = k16_pairs(v, x16 + 16 * r);
    }
}

/* one row of Q2_K (three 0) / Q3_K (three 1) against the prepared activations */
AI float k23_row16(const uint8_t *w, const uint8_t *x, const int16_t *x16, size_t nb, int three)
{
    const mn_vi m3 = mn_vi_splat_i8(3), m4 = mn_vi_splat_i8(4);
    float acc = 0.0f;
    for (size_t i = 0; i < nb; i++, w += three ? 110 : 84, x += MN_SZ_Q8_K, x16 += 256) {
        _Alignas(16) int32_t scv[16];
        int sc[16], mn[16];
        const uint8_t *qs = k23_scales(w, three, sc, mn);
        for (int k = 0; k < 16; k++) scv[k] = sc[k];
        K16_S S[16];
        /* written out per (n, l0): clang keeps a loop over n otherwise, and
         * bit_to's shifts become run-time branches */
        k23_quarter(S, qs, w, x16, 0, 0, three, m3, m4);
        k23_quarter(S, qs, w, x16, 0, 16, three, m3, m4);
        k23_quarter(S, qs, w, x16, 1, 0, three, m3, m4);
        k23_quarter(S, qs, w, x16, 1, 16, three, m3, m4);
        acc = acc + k23_term(w, x, three, k16_isum(S, scv), sc, mn);
    }
    return acc;
}

void mn_gemv_rows_q2_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
{
    for (size_t r = 0; r < nrows; r++) dst[r] = k23_row16((const uint8_t *)W + r * wrow, x, p->x16, n / 256, 0);
}
void mn_gemv_rows_q3_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
{
    for (size_t r = 0; r < nrows; r++) dst[r] = k23_row16((const uint8_t *)W + r * wrow, x, p->x16, n / 256, 1);
}
void mn_gemv_rows_q4_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
{
    for (size_t r = 0; r < nrows; r++) dst[r] = k45_row16((const uint8_t *)W + r * wrow, x, p->x16, n / 256, 0);
}
void mn_gemv_rows_q5_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
{
    for (size_t r = 0; r < nrows; r++) dst[r] = k45_row16((const uint8_t *)W + r * wrow, x, p->x16, n / 256, 1);
}
void mn_gemv_rows_q6_K(const void *W, size_t wrow, size_t nrows, const void *x, const mn_qx_prep *p, size_t n, float *dst)
{
    for (size_t r = 0; r < nrows; r++) dst[r] = k6_row16((const uint8_t *)W + r * wrow, x, p->x16, n / 256);
}

/* ------------------------------------------------------------ entry points */
#define KENTRY(T, K) \
    void mn_dequantize_row_##T##_ref(const void *s, float *d, size_t n) { kdeq_ref(K, s, d, n); } \
    void mn_dequantize_row_##T(const void *s, float *d, size_t n) { kdeq_vec(K, s, d, n); } \
    float mn_vec_dot_##T##_ref(const void *w, const void *x, size_t n) { return kdot_ref(K, w, x, n); }
KENTRY(q2_K, KQ2)
KENTRY(q3_K, KQ3)
KENTRY(q4_K, KQ4)
KENTRY(q5_K, KQ5)
KENTRY(q6_K, KQ6)
float mn_vec_dot_q2_K(const void *w, const void *x, size_t n) { return dot_q23_K_vec(w, x, n / 256, 0); }
float mn_vec_dot_q3_K(const void *w, const void *x, size_t n) { return dot_q23_K_vec(w, x, n / 256, 1); }
float mn_vec_dot_q4_K(const void *w, const void *x, size_t n) { return dot_q4_K_vec(w, x, n / 256, 0); }
float mn_vec_dot_q5_K(const void *w, const void *x, size_t n) { return dot_q4_K_vec(w, x, n / 256, 1); }
float mn_vec_dot_q6_K(const void *w, const void *x, size_t n) { return dot_q6_K_vec(w, x, n / 256); }
