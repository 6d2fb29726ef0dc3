/*
 * quant_float.c - F32 / F16 / BF16 rows in the trait table.
 *
 * DOT CONTRACT (activation type F32): exactly mn_dot_f32's order (see
 * matvec_f32.c) applied to w[i] converted to f32 (exact): 16 lane
 * accumulators, lane l sums w[i]*x[i] for i = l, l+16, ... (multiply then
 * add), lanes combined as (a0+a1)+(a2+a3) (4-lane vectors) and then
 * (l0+l2)+(l1+l3). No block structure (block_size 1).
 */
#include "tensor/quant_internal.h"
#include "tensor/dot.h"

typedef enum { FK_F16, FK_BF16 } fkind;

static inline __attribute__((always_inline)) float cvt1(fkind k, uint16_t h) { return k == FK_F16 ? mn_fp16_to_f32(h) : mn_bf16_to_f32(h); }

static inline __attribute__((always_inline)) void cvt8(fkind k, const uint8_t *p, mn_vf *a, mn_vf *b)
{
    mn_vi v = mn_vi_load(p), z = mn_vi_zero();
    if (k == FK_F16) { *a = mn_q_f16x4_to_f32(mn_vi_zip_lo_i16(v, z)); *b = mn_q_f16x4_to_f32(mn_vi_zip_hi_i16(v, z)); }
    else { *a = mn_vi_as_vf(mn_vi_zip_lo_i16(z, v)); *b = mn_vi_as_vf(mn_vi_zip_hi_i16(z, v)); }
}

static inline __attribute__((always_inline)) float hdot_ref(fkind k, const void *wv, const float *x, size_t n)
{
    const uint8_t *w = wv;
    float lane[16] = {0};
    for (size_t i = 0; i < n; i++) lane[i % 16] = lane[i % 16] + cvt1(k, mn_rd16(w + 2 * i)) * x[i];
    float v[4];
    for (int j = 0; j < 4; j++) v[j] = (lane[j] + lane[4 + j]) + (lane[8 + j] + lane[12 + j]);
    return (v[0] + v[2]) + (v[1] + v[3]);
}

static inline __attribute__((always_inline)) float hdot_vec(fkind k, const void *wv, const float *x, size_t n)
{
    const uint8_t *w = wv;
    mn_vf a0 = mn_vf_zero(), a1 = mn_vf_zero(), a2 = mn_vf_zero(), a3 = mn_vf_zero(), w0, w1, w2, w3;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        cvt8(k, w + 2 * i, &w0, &w1);
        cvt8(k, w + 2 * i + 16, &w2, &w3);
        a0 = mn_vf_add(a0, mn_vf_mul(w0, mn_vf_load(x + i)));
        a1 = mn_vf_add(a1, mn_vf_mul(w1, mn_vf_load(x + i + 4)));
        a2 = mn_vf_add(a2, mn_vf_mul(w2, mn_vf_load(x + i + 8)));
        a3 = mn_vf_add(a3, mn_vf_mul(w3, mn_vf_load(x + i + 12)));
    }
    if (i < n) { /* zero-filled tail adds +0 to accumulators that are never -0 */
        uint8_t tw[32] = {0};
        float tx[16] = {0};
        memcpy(tw, w + 2 * i, 2 * (n - i));
        memcpy(tx, x + i, 4 * (n - i));
        cvt8(k, tw, &w0, &w1);
        cvt8(k, tw + 16, &w2, &w3);
        a0 = mn_vf_add(a0, mn_vf_mul(w0, mn_vf_load(tx)));
        a1 = mn_vf_add(a1, mn_vf_mul(w1, mn_vf_load(tx + 4)));
        a2 = mn_vf_add(a2, mn_vf_mul(w2, mn_vf_load(tx + 8)));
        a3 = mn_vf_add(a3, mn_vf_mul(w3, mn_vf_load(tx + 12)));
    }
    return mn_vf_hsum(mn_vf_add(mn_vf_add(a0, a1), mn_vf_add(a2, a3)));
}

static inline __attribute__((always_inline)) void hdeq_vec(fkind k, const void *src, float *y, size_t n)
{
    const uint8_t *w = src;
    size_t i = 0;
    mn_vf a, b;
    for (; i + 8 <= n; i += 8) { cvt8(k, w + 2 * i, &a, &b); mn_vf_store(y + i, a); mn_vf_store(y + i + 4, b); }
    for (; i < n; i++) y[i] = cvt1(k, mn_rd16(w + 2 * i));
}

void mn_dequantize_row_f16_ref(const void *s, float *d, size_t n) { const uint8_t *p = s; for (size_t i = 0; i < n; i++) d[i] = mn_fp16_to_f32(mn_rd16(p + 2 * i)); }
void mn_dequantize_row_bf16_ref(const void *s, float *d, size_t n) { const uint8_t *p = s; for (size_t i = 0; i < n; i++) d[i] = mn_bf16_to_f32(mn_rd16(p + 2 * i)); }
void mn_dequantize_row_f16(const void *s, float *d, size_t n) { hdeq_vec(FK_F16, s, d, n); }
void mn_dequantize_row_bf16(const void *s, float *d, size_t n) { hdeq_vec(FK_BF16, s, d, n); }
float mn_vec_dot_f16_ref(const void *w, const void *x, size_t n) { return hdot_ref(FK_F16, w, x, n); }
float mn_vec_dot_bf16_ref(const void *w, const void *x, size_t n) { return hdot_ref(FK_BF16, w, x, n); }
float mn_vec_dot_f16(const void *w, const void *x, size_t n) { return hdot_vec(FK_F16, w, x, n); }
float mn_vec_dot_bf16(const void *w, const void *x, size_t n) { return hdot_vec(FK_BF16, w, x, n); }
void mn_quantize_row_f16(const float *s, void *d, size_t n) { uint8_t *p = d; for (size_t i = 0; i < n; i++) mn_wr16(p + 2 * i, mn_f32_to_fp16(s[i])); }
void mn_quantize_row_bf16(const float *s, void *d, size_t n) { uint8_t *p = d; for (size_t i = 0; i < n; i++) mn_wr16(p + 2 * i, mn_f32_to_bf16(s[i])); }

void mn_dequantize_row_f32_ref(const void *s, float *d, size_t n) { memcpy(d, s, n * sizeof(float)); }
void mn_dequantize_row_f32(const void *s, float *d, size_t n) { memcpy(d, s, n * sizeof(float)); }
float mn_vec_dot_f32_ref(const void *w, const void *x, size_t n)
{
    /* row pointers may be unaligned in a file: copy-free only when aligned */
    if (((uintptr_t)w & 3u) == 0) return mn_dot_f32_ref(w, x, n);
    float lane[16] = {0};
    const uint8_t *p = w;
    for (size_t i = 0; i < n; i++) lane[i % 16] = lane[i % 16] + mn_rdf32(p + 4 * i) * ((const float *)x)[i];
    float v[4];
    for (int j = 0; j < 4; j++) v[j] = (lane[j] + lane[4 + j]) + (lane[8 + j] + lane[12 + j]);
    return (v[0] + v[2]) + (v[1] + v[3]);
}
float mn_vec_dot_f32(const void *w, const void *x, size_t n)
{
    if (((uintptr_t)w & 3u) == 0) return mn_dot_f32(w, x, n);
    return mn_vec_dot_f32_ref(w, x, n);
}
void mn_quantize_row_f32(const float *s, void *d, size_t n) { memcpy(d, s, n * sizeof(float)); }
