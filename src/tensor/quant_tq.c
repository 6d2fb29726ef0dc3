/*
 * quant_tq.c - ternary types TQ1_0 and TQ2_0 (256-element blocks, BitNet b1.58).
 *
 * Layouts (ggml):
 *   TQ2_0 (66 B): qs[64] | d f16.  e = 128j + 32l + m (j<2, l<4, m<32):
 *                 q = (qs[32j+m] >> 2l) & 3;  y = (float)(q - 1) * d
 *   TQ1_0 (54 B): qs[48] | qh[4] | d f16. Base-3 digits, most significant first,
 *                 extracted as digit_n(b) = ((uint8_t)(b * 3^n) * 3) >> 8:
 *                 e = 32n + m        (n<5, m<32): b = qs[m]
 *                 e = 160 + 16n + m  (n<5, m<16): b = qs[32+m]
 *                 e = 240 + 4n + j   (n<4, j<4):  b = qh[j]
 *                 q = digit in 0..2;  y = (float)(q - 1) * d
 * DOT CONTRACT (activation Q8_K, _ref is the definition), per block in order:
 *   isum = sum_e q_e * x_e - sum_s bsums_s     (exact int32, wraps mod 2^32)
 *   acc  = acc + (d_w * x.d) * (float)isum     (one f32 accumulator from +0)
 * The vec128 path (SSE4.1 / wasm simd128 / NEON) extracts the digits with
 * 16-bit multiplies and sums q*x with the exact pair products of
 * quant_internal.h; the float steps are the same scalar ones.
 */
#include "tensor/quant_internal.h"

static inline int tq1_digit(uint8_t b, int n)
{
    static const uint8_t pow3[6] = {1, 3, 9, 27, 81, 243};
    uint8_t q = (uint8_t)(b * pow3[n]);
    return ((uint16_t)q * 3) >> 8;
}

static void tq1_unpack(const uint8_t *b, uint8_t q[256])
{
    for (int n = 0; n < 5; n++) for (int m = 0; m < 32; m++) q[32 * n + m] = (uint8_t)tq1_digit(b[m], n);
    for (int n = 0; n < 5; n++) for (int m = 0; m < 16; m++) q[160 + 16 * n + m] = (uint8_t)tq1_digit(b[32 + m], n);
    for (int n = 0; n < 4; n++) for (int j = 0; j < 4; j++) q[240 + 4 * n + j] = (uint8_t)tq1_digit(b[48 + j], n);
}
static void tq2_unpack(const uint8_t *b, uint8_t q[256])
{
    for (int j = 0; j < 2; j++) for (int l = 0; l < 4; l++) for (int m = 0; m < 32; m++)
        q[128 * j + 32 * l + m] = (uint8_t)((b[32 * j + m] >> (2 * l)) & 3);
}

static void tq_deq_ref(int one, const void *src, float *y, size_t n)
{
    const uint8_t *b = src;
    uint8_t q[256];
    for (size_t i = 0; i < n / 256; i++, b += one ? 54 : 66, y += 256) {
        float d = mn_rdh(b + (one ? 52 : 64));
        if (one) tq1_unpack(b, q); else tq2_unpack(b, q);
        for (int e = 0; e < 256; e++) y[e] = (float)((int)q[e] - 1) * d;
    }
}

static float tq_dot_ref(int one, const void *wv, const void *xv, size_t n)
{
    const uint8_t *w = wv, *x = xv;
    uint8_t q[256];
    float acc = 0.0f;
    for (size_t i = 0; i < n / 256; i++, w += one ? 54 : 66, x += MN_SZ_Q8_K) {
        if (one) tq1_unpack(w, q); else tq2_unpack(w, q);
        uint32_t s = 0;
        for (int e = 0; e < 256; e++) s += (uint32_t)(q[e] * (int8_t)x[4 + e]);
        for (int k = 0; k < 16; k++) s -= (uint32_t)(int32_t)mn_rdi16(x + 260 + 2 * k);
        float d = mn_rdh(w + (one ? 52 : 64));
        acc = acc + (d * mn_rdf32(x)) * (float)(int32_t)s;
    }
    return acc;
}

/* digit n of 16 bytes (as u8 0..2): (((b * 3^n) & 255) * 3) >> 8 in 16-bit lanes */
static inline mn_vi tq1_digits(mn_vi lo16, mn_vi hi16, mn_vi mlo, mn_vi mhi)
{
    const mn_vi ff = mn_vi_splat_i16(0xFF), three = mn_vi_splat_i16(3);
    mn_vi a = mn_vi_srli_i16(mn_vi_mullo_i16(mn_vi_and(mn_vi_mullo_i16(lo16, mlo), ff), three), 8);
    mn_vi b = mn_vi_srli_i16(mn_vi_mullo_i16(mn_vi_and(mn_vi_mullo_i16(hi16, mhi), ff), three), 8);
    return mn_vi_narrow_i16_u8_sat(a, b);
}

static float tq1_dot_vec(const uint8_t *w, const uint8_t *x, size_t nb)
{
    static const int16_t pow3[5] = {1, 3, 9, 27, 81};
    float acc = 0.0f;
    for (size_t i = 0; i < nb; i++, w += 54, x += MN_SZ_Q8_K) {
        const uint8_t *xq = x + 4;
        mn_vi p = mn_vi_zero(); /* 16 pair vectors, each |lane| <= 512: no i16 overflow */
        mn_vi a0 = mn_vi_load(w), a1 = mn_vi_load(w + 16), c = mn_vi_load(w + 32);
        mn_vi a0l = mn_vi_widen_lo_u8_i16(a0), a0h = mn_vi_widen_hi_u8_i16(a0);
        mn_vi a1l = mn_vi_widen_lo_u8_i16(a1), a1h = mn_vi_widen_hi_u8_i16(a1);
        mn_vi cl = mn_vi_widen_lo_u8_i16(c), ch = mn_vi_widen_hi_u8_i16(c);
        for (int n = 0; n < 5; n++) {
            mn_vi m = mn_vi_splat_i16(pow3[n]);
            p = mn_vi_add_i16(p, mn_q_pair(tq1_digits(a0l, a0h, m, m), mn_vi_load(xq + 32 * n)));
            p = mn_vi_add_i16(p, mn_q_pair(tq1_digits(a1l, a1h, m, m), mn_vi_load(xq + 32 * n + 16)));
            p = mn_vi_add_i16(p, mn_q_pair(tq1_digits(cl, ch, m, m), mn_vi_load(xq + 160 + 16 * n)));
        }
        mn_vi h = mn_vi_splat_i32((int32_t)mn_rd32(w + 48));
        const mn_vi mlo = mn_vi_from_ref((mn_v128r){.i16 = {1, 1, 1, 1, 3, 3, 3, 3}});
        const mn_vi mhi = mn_vi_from_ref((mn_v128r){.i16 = {9, 9, 9, 9, 27, 27, 27, 27}});
        p = mn_vi_add_i16(p, mn_q_pair(tq1_digits(mn_vi_widen_lo_u8_i16(h), mn_vi_widen_hi_u8_i16(h), mlo, mhi), mn_vi_load(xq + 240)));
        uint32_t s = (uint32_t)mn_vi_hsum_i32(mn_q_hadd(mn_vi_zero(), p));
        for (int k = 0; k < 16; k++) s -= (uint32_t)(int32_t)mn_rdi16(x + 260 + 2 * k);
        acc = acc + (mn_rdh(w + 52) * mn_rdf32(x)) * (float)(int32_t)s;
    }
    return acc;
}

static float tq2_dot_vec(const uint8_t *w, const uint8_t *x, size_t nb)
{
    float acc = 0.0f;
    const mn_vi m3 = mn_vi_splat_i8(3);
    for (size_t i = 0; i < nb; i++, w += 66, x += MN_SZ_Q8_K) {
        const uint8_t *xq = x + 4;
        mn_vi p = mn_vi_zero(); /* 16 pair vectors, each |lane| <= 768 */
        for (int j = 0; j < 2; j++) {
            mn_vi v0 = mn_vi_load(w + 32 * j), v1 = mn_vi_load(w + 32 * j + 16);
            for (int l = 0; l < 4; l++) {
                const uint8_t *xp = xq + 128 * j + 32 * l;
                p = mn_vi_add_i16(p, mn_q_pair(mn_vi_and(mn_vi_srli_i16(v0, 2 * l), m3), mn_vi_load(xp)));
                p = mn_vi_add_i16(p, mn_q_pair(mn_vi_and(mn_vi_srli_i16(v1, 2 * l), m3), mn_vi_load(xp + 16)));
            }
        }
        uint32_t s = (uint32_t)mn_vi_hsum_i32(mn_q_hadd(mn_vi_zero(), p));
        for (int k = 0; k < 16; k++) s -= (uint32_t)(int32_t)mn_rdi16(x + 260 + 2 * k);
        acc = acc + (mn_rdh(w + 64) * mn_rdf32(x)) * (float)(int32_t)s;
    }
    return acc;
}

static void tq_deq_vec(int one, const void *src, float *y, size_t n)
{
    const uint8_t *b = src;
    uint8_t q[256];
    const mn_vi one8 = mn_vi_splat_i8(1);
    for (size_t i = 0; i < n / 256; i++, b += one ? 54 : 66, y += 256) {
        mn_vf d = mn_vf_splat(mn_rdh(b + (one ? 52 : 64)));
        if (one) tq1_unpack(b, q); else tq2_unpack(b, q);
        for (int e = 0; e < 256; e += 16) {
            mn_vi v = mn_vi_sub_i8(mn_vi_load(q + e), one8), a = mn_vi_widen_lo_i8_i16(v), c = mn_vi_widen_hi_i8_i16(v);
            mn_vf_store(y + e, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(a)), d));
            mn_vf_store(y + e + 4, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(a)), d));
            mn_vf_store(y + e + 8, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_lo_i16_i32(c)), d));
            mn_vf_store(y + e + 12, mn_vf_mul(mn_vf_from_i32(mn_vi_widen_hi_i16_i32(c)), d));
        }
    }
}

/* ggml's reference quantizers: d = amax, q = lroundf(x/d) + 1 (half away from zero) */
void mn_quantize_row_tq1_0(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst;
    for (size_t i = 0; i < k / 256; i++, y += 54) {
        float amax = 0.0f;
        for (int j = 0; j < 256; j++) { float a = mn_fabsf(x[j]); amax = amax > a ? amax : a; }
        const float d = amax, id = d != 0.0f ? 1.0f / d : 0.0f;
        mn_wr16(y + 52, mn_f32_to_fp16(d));
#define TQ1_T(v) (mn_round_away((v) * id) < -1 ? 0 : mn_round_away((v) * id) > 1 ? 2 : mn_round_away((v) * id) + 1)
        for (int m = 0; m < 32; m++) {
            unsigned q = 0;
            for (int n = 0; n < 5; n++) q = q * 3 + (unsigned)TQ1_T(x[m + 32 * n]);
            y[m] = (uint8_t)((q * 256 + 242) / 243);
        }
        x += 160;
        for (int m = 0; m < 16; m++) {
            unsigned q = 0;
            for (int n = 0; n < 5; n++) q = q * 3 + (unsigned)TQ1_T(x[m + 16 * n]);
            y[32 + m] = (uint8_t)((q * 256 + 242) / 243);
        }
        x += 80;
        for (int j = 0; j < 4; j++) {
            unsigned q = 0;
            for (int m = 0; m < 4; m++) q = q * 3 + (unsigned)TQ1_T(x[j + 4 * m]);
            q *= 3;
            y[48 + j] = (uint8_t)((q * 256 + 242) / 243);
        }
        x += 16;
#undef TQ1_T
    }
}

void mn_quantize_row_tq2_0(const float *x, void *dst, size_t k)
{
    uint8_t *y = dst;
    for (size_t i = 0; i < k / 256; i++, y += 66) {
        float amax = 0.0f;
        for (int j = 0; j < 256; j++) { float a = mn_fabsf(x[j]); amax = amax > a ? amax : a; }
        const float d = amax, id = d != 0.0f ? 1.0f / d : 0.0f;
        mn_wr16(y + 64, mn_f32_to_fp16(d));
        for (int j = 0; j < 64; j += 32) {
            for (int m = 0; m < 32; m++) {
                unsigned q = 0;
                for (int n = 0; n < 4; n++) {
                    int v = mn_round_away(x[m + 32 * n] * id);
                    v = v < -1 ? -1 : v > 1 ? 1 : v;
                    q += (unsigned)((v + 1) & 3) << (2 * n);
                }
                y[j + m] = (uint8_t)q;
            }
            x += 128;
        }
    }
}

void mn_dequantize_row_tq1_0_ref(const void *s, float *d, size_t n) { tq_deq_ref(1, s, d, n); }
void mn_dequantize_row_tq2_0_ref(const void *s, float *d, size_t n) { tq_deq_ref(0, s, d, n); }
void mn_dequantize_row_tq1_0(const void *s, float *d, size_t n) { tq_deq_vec(1, s, d, n); }
void mn_dequantize_row_tq2_0(const void *s, float *d, size_t n) { tq_deq_vec(0, s, d, n); }
float mn_vec_dot_tq1_0_ref(const void *w, const void *x, size_t n) { return tq_dot_ref(1, w, x, n); }
float mn_vec_dot_tq2_0_ref(const void *w, const void *x, size_t n) { return tq_dot_ref(0, w, x, n); }
float mn_vec_dot_tq1_0(const void *w, const void *x, size_t n) { return tq1_dot_vec(w, x, n / 256); }
float mn_vec_dot_tq2_0(const void *w, const void *x, size_t n) { return tq2_dot_vec(w, x, n / 256); }
