/*
 * forward.c - the decoder forward pass over a batch of tokens.
 *
 * Contract, in the order that bites:
 *  - Bit-identical logits for a position whether its token is evaluated in a
 *    batch or alone, on every target and thread count:
 *      * matrix products: activations quantized per row to the weight's
 *        vec_dot_type, then mn_gemm_q / mn_gemv_q (element (b, r) is one
 *        vec_dot call whatever the batch or thread split);
 *      * norms, RoPE, SwiGLU/GELU: per row, one thread, fixed order;
 *      * attention: one (query row, head) per task, keys visited in position
 *        order in chunks of 64 absolute positions with an online softmax
 *        (running max, rescaled when a chunk raises it), dot products in
 *        mn_dot_f32's fixed order, exp by act.h's vectorised mn_exp4;
 *      * the K/V of a batch are written to the f32 cache before attention
 *        reads them, so every query reads the same stored bits.
 *  - Math follows llama.cpp's graphs: RMSNorm y = x * (1/sqrt(mean(x^2)+eps))
 *    * w (sum of squares in double, as ggml); LayerNorm with mean and
 *    variance the same way; RoPE "normal" (adjacent pairs, llama) or "neox"
 *    (halves, qwen2) over the first n_rot dimensions; attention scale
 *    1/sqrt(head_dim); SiLU x/(1+exp(-x)) (exp: act.h); GELU in its tanh form (ggml's
 *    gelu, which GPT-2 uses).
 */
#include "model/model_internal.h"
#include "model/act.h"
#include "core/mathf.h"
#include "core/pool.h"
#include "tensor/gemm.h"
#include "tensor/quant.h"
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

static void rmsnorm_row(float *y, const float *x, const float *w, size_t n, float eps)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    float mean = (float)(sum / (double)n);
    float scale = 1.0f / sqrtf(mean + eps);
    for (size_t i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

static void layernorm_row(float *y, const float *x, const float *w, const float *b, size_t n, float eps)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += (double)x[i];
    float mean = (float)(sum / (double)n);
    double sum2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        float v = x[i] - mean;
        y[i] = v;
        sum2 += (double)(v * v);
    }
    float var = (float)(sum2 / (double)n);
    float scale = 1.0f / sqrtf(var + eps);
    for (size_t i = 0; i < n; i++) y[i] = ((y[i] * scale) * w[i]) + b[i];
}

static void norm_rows(const mn_model *m, float *y, const float *x, size_t B, const float *w, const float *b)
{
    size_t E = m->hp.n_embd;
    for (size_t r = 0; r < B; r++) {
        if (m->hp.norm == MN_NORM_RMS) rmsnorm_row(y + r * E, x + r * E, w, E, m->hp.norm_eps);
        else layernorm_row(y + r * E, x + r * E, w, b, E, m->hp.norm_eps);
    }
}

typedef struct quant_job {
    const mn_qtraits *t;
    const float *x;
    unsigned char *dst;
    size_t cols, rb;
} quant_job;

static void quant_task(void *arg, size_t begin, size_t end, int worker)
{
    const quant_job *j = arg;
    (void)worker;
    for (size_t r = begin; r < end; r++) j->t->quantize_row(j->x + r * j->cols, j->dst + r * j->rb, j->cols);
}

/* Quantize B rows of `cols` floats to `vdt` (F32 needs nothing). */
static const void *quant_rows(mn_ctx *c, const float *x, size_t B, size_t cols, uint32_t vdt)
{
    if (vdt == MN_Q_F32) return x;
    quant_job j = {mn_qtraits_get(vdt), x, c->qx, cols, mn_qrow_size(vdt, cols)};
    if (B == 1) quant_task(&j, 0, 1, 0);
    else mn_pool_for(c->pool, B, 1, quant_task, &j);
    return c->qx;
}

/* Below this many weight bytes times batch rows a product runs on the
 * calling thread: waking workers costs more than the work (the bits are the
 * same either way). */
#define MN_PAR_MIN_BYTES ((size_t)96 * 1024)

static mn_status matmul(mn_ctx *c, const mn_wmat *w, const void *xq, size_t B, float *dst, const float *bias)
{
    mn_pool *pool = w->rows * w->row_bytes * B < MN_PAR_MIN_BYTES ? NULL : c->pool;
    mn_status st = B == 1 ? mn_gemv_q(pool, dst, w->type, w->data, w->rows, w->cols, xq)
                          : mn_gemm_q(pool, dst, w->type, w->data, w->rows, w->cols, xq, B);
    if (st != MN_OK || !bias) return st;
    for (size_t b = 0; b < B; b++)
        for (size_t r = 0; r < w->rows; r++) dst[b * w->rows + r] += bias[r];
    return MN_OK;
}

/* The quantized form of one input for several matrices: requantize only
 * when a matrix wants another activation type. */
typedef struct qin {
    const float *x;
    size_t B, cols;
    uint32_t vdt;
    const void *xq;
} qin;

static mn_status mm_in(mn_ctx *c, qin *in, const mn_wmat *w, float *dst, const float *bias)
{
    if (!in->xq || in->vdt != w->vdt) {
        in->xq = quant_rows(c, in->x, in->B, in->cols, w->vdt);
        in->vdt = w->vdt;
    }
    return matmul(c, w, in->xq, in->B, dst, bias);
}

/* RoPE on n_heads heads of hd values (row stride hd) with cs = [n_rot/2][cos, sin]. */
static void rope_row(float *v, size_t n_heads, size_t hd, size_t n_rot, int mode, const float *cs)
{
    size_t half = n_rot / 2;
    for (size_t h = 0; h < n_heads; h++) {
        float *x = v + h * hd;
        for (size_t i = 0; i < half; i++) {
            size_t i0 = mode == MN_ROPE_NORMAL ? 2 * i : i, i1 = mode == MN_ROPE_NORMAL ? 2 * i + 1 : i + half;
            float c = cs[2 * i], s = cs[2 * i + 1];
            float x0 = x[i0], x1 = x[i1];
            x[i0] = x0 * c - x1 * s;
            x[i1] = x0 * s + x1 * c;
        }
    }
}

/* ---------------------------------------------------------- attention */
typedef struct att_job {
    mn_ctx *c;
    size_t il, p0;
    const float *q;  /* row b, head h at q + b*q_stride + h*hd_k */
    size_t q_stride;
    float scale;
} att_job;

/* mn_dot_f32(q, k0, n) and mn_dot_f32(q, k1, n), bit for bit (the same 16
 * lane accumulators per key, the same final additions), for n a multiple
 * of 16: the two keys share the loads of q and the call. */
static inline void dot2_f32(const float *q, const float *k0, const float *k1, size_t n, float *out)
{
    mn_vf a0 = mn_vf_zero(), a1 = mn_vf_zero(), a2 = mn_vf_zero(), a3 = mn_vf_zero();
    mn_vf b0 = mn_vf_zero(), b1 = mn_vf_zero(), b2 = mn_vf_zero(), b3 = mn_vf_zero();
    for (size_t i = 0; i < n; i += 16) {
        mn_vf q0 = mn_vf_load(q + i), q1 = mn_vf_load(q + i + 4), q2 = mn_vf_load(q + i + 8), q3 = mn_vf_load(q + i + 12);
        a0 = mn_vf_add(a0, mn_vf_mul(q0, mn_vf_load(k0 + i)));
        a1 = mn_vf_add(a1, mn_vf_mul(q1, mn_vf_load(k0 + i + 4)));
        a2 = mn_vf_add(a2, mn_vf_mul(q2, mn_vf_load(k0 + i + 8)));
        a3 = mn_vf_add(a3, mn_vf_mul(q3, mn_vf_load(k0 + i + 12)));
        b0 = mn_vf_add(b0, mn_vf_mul(q0, mn_vf_load(k1 + i)));
        b1 = mn_vf_add(b1, mn_vf_mul(q1, mn_vf_load(k1 + i + 4)));
        b2 = mn_vf_add(b2, mn_vf_mul(q2, mn_vf_load(k1 + i + 8)));
        b3 = mn_vf_add(b3, mn_vf_mul(q3, mn_vf_load(k1 + i + 12)));
    }
    /* per key v = (a0+a1)+(a2+a3), then (v0+v2)+(v1+v3), both keys at once */
    mn_vi va = mn_vf_as_vi(mn_vf_add(mn_vf_add(a0, a1), mn_vf_add(a2, a3)));
    mn_vi vb = mn_vf_as_vi(mn_vf_add(mn_vf_add(b0, b1), mn_vf_add(b2, b3)));
    mn_vf s = mn_vf_add(mn_vi_as_vf(mn_vi_zip_lo_i64(va, vb)), mn_vi_as_vf(mn_vi_zip_hi_i64(va, vb))); /* a0+a2 a1+a3 b0+b2 b1+b3 */
    float l[4];
    mn_vf_store(l, s);
    out[0] = l[0] + l[1];
    out[1] = l[2] + l[3];
}

#define MN_HD_MAX 1024
#define MN_ATT_CHUNK 64 /* keys per online-softmax step, at absolute positions 64c .. 64c+63 */

static void att_task(void *arg, size_t begin, size_t end, int worker)
{
    const att_job *j = arg;
    const mn_ctx *c = j->c;
    const mn_hparams *hp = &c->m->hp;
    size_t hdk = hp->hd_k, hdv = hp->hd_v, K = hp->n_head_kv * hdk, V = hp->n_head_kv * hdv;
    size_t group = hp->n_head / hp->n_head_kv;
    const float *kc = c->k_cache + j->il * c->n_ctx * K, *vc = c->v_cache + j->il * c->n_ctx * V;
    float acc[MN_HD_MAX], e[MN_ATT_CHUNK];
    (void)worker;
    for (size_t i = begin; i < end; i++) {
        size_t b = i / hp->n_head, h = i % hp->n_head, kvh = h / group;
        const float *q = j->q + b * j->q_stride + h * hdk;
        const float *kp = kc + kvh * hdk, *vp = vc + kvh * hdv;
        size_t n = j->p0 + b + 1;
        float mx = -INFINITY, sum = 0.0f;
        for (size_t d = 0; d < hdv; d++) acc[d] = 0.0f;
        for (size_t t0 = 0; t0 < n; t0 += MN_ATT_CHUNK) {
            size_t m = n - t0 < MN_ATT_CHUNK ? n - t0 : MN_ATT_CHUNK;
            float cm = -INFINITY;
            size_t t = 0;
            if (hdk % 16 == 0) /* two keys per step share the loads of q */
                for (; t + 2 <= m; t += 2) dot2_f32(q, kp + (t0 + t) * K, kp + (t0 + t + 1) * K, hdk, e + t);
            for (; t < m; t++) e[t] = mn_dot_f32(q, kp + (t0 + t) * K, hdk);
            for (t = 0; t < m; t++) {
                e[t] = e[t] * j->scale;
                if (e[t] > cm) cm = e[t];
            }
            if (cm > mx) {
                /* a new running max: rescale what was accumulated (nothing in the first chunk) */
                if (t0 > 0) {
                    float f = mn_exp1(mx - cm);
                    sum = sum * f;
                    for (size_t d = 0; d < hdv; d++) acc[d] = acc[d] * f;
                }
                mx = cm;
            }
            for (size_t t = 0; t < m; t++) e[t] = e[t] - mx;
            mn_exp_row(e, e, m);
            for (size_t t = 0; t < m; t++) sum = sum + e[t];
            /* acc[d] += e[t] * v[t][d] in t order for every d: 16 dims at a
             * time stay in registers across the chunk (each element sees the
             * same operations in the same order as a t-outer loop) */
            const float *v0 = vp + t0 * V;
            size_t d = 0;
            for (; d + 16 <= hdv; d += 16) {
                mn_vf a0 = mn_vf_load(acc + d), a1 = mn_vf_load(acc + d + 4);
                mn_vf a2 = mn_vf_load(acc + d + 8), a3 = mn_vf_load(acc + d + 12);
                for (size_t t = 0; t < m; t++) {
                    const float *vt = v0 + t * V + d;
                    mn_vf w = mn_vf_splat(e[t]);
                    a0 = mn_vf_add(a0, mn_vf_mul(w, mn_vf_load(vt)));
                    a1 = mn_vf_add(a1, mn_vf_mul(w, mn_vf_load(vt + 4)));
                    a2 = mn_vf_add(a2, mn_vf_mul(w, mn_vf_load(vt + 8)));
                    a3 = mn_vf_add(a3, mn_vf_mul(w, mn_vf_load(vt + 12)));
                }
                mn_vf_store(acc + d, a0);
                mn_vf_store(acc + d + 4, a1);
                mn_vf_store(acc + d + 8, a2);
                mn_vf_store(acc + d + 12, a3);
            }
            for (; d < hdv; d++)
                for (size_t t = 0; t < m; t++) acc[d] = acc[d] + e[t] * v0[t * V + d];
        }
        float inv = 1.0f / sum;
        float *o = c->att + b * hp->n_head * hdv + h * hdv;
        for (size_t d = 0; d < hdv; d++) o[d] = acc[d] * inv;
    }
}

/* ------------------------------------------------------------- forward */

static void store_kv(mn_ctx *c, size_t il, size_t p0, size_t B, const float *k, size_t ks, const float *v, size_t vs)
{
    const mn_hparams *hp = &c->m->hp;
    size_t K = hp->n_head_kv * hp->hd_k, V = hp->n_head_kv * hp->hd_v;
    float *kc = c->k_cache + il * c->n_ctx * K, *vc = c->v_cache + il * c->n_ctx * V;
    for (size_t b = 0; b < B; b++) {
        memcpy(kc + (p0 + b) * K, k + b * ks, K * sizeof(float));
        memcpy(vc + (p0 + b) * V, v + b * vs, V * sizeof(float));
    }
}

static void add_rows(float *x, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = x[i] + y[i];
}

mn_status mn_forward(mn_ctx *c, const int32_t *tokens, size_t B, float *dst)
{
    const mn_model *m = c->m;
    const mn_hparams *hp = &m->hp;
    size_t E = hp->n_embd, Q = hp->n_head * hp->hd_k, K = hp->n_head_kv * hp->hd_k, V = hp->n_head_kv * hp->hd_v;
    size_t O = hp->n_head * hp->hd_v, F = hp->n_ff, p0 = c->pos;
    int gpt2 = m->arch == MN_ARCH_GPT2;
    mn_status st;
    if (hp->hd_v > MN_HD_MAX) return MN_E_UNSUPPORTED;

    /* embeddings (+ learned positions) */
    const mn_qtraits *et = mn_qtraits_get(m->tok_embd.type);
    for (size_t b = 0; b < B; b++) {
        const unsigned char *row = (const unsigned char *)m->tok_embd.data + (size_t)tokens[b] * m->tok_embd.row_bytes;
        et->dequantize_row(row, c->x + b * E, E);
    }
    if (gpt2) {
        const mn_qtraits *pt = mn_qtraits_get(m->pos_embd.type);
        for (size_t b = 0; b < B; b++) {
            const unsigned char *row = (const unsigned char *)m->pos_embd.data + (p0 + b) * m->pos_embd.row_bytes;
            pt->dequantize_row(row, c->tmp, E);
            add_rows(c->x + b * E, c->tmp, E);
        }
    }
    /* RoPE angles of the batch's positions (shared by every layer and head) */
    size_t half = hp->n_rot / 2;
    if (hp->rope_mode != MN_ROPE_NONE)
        for (size_t b = 0; b < B; b++)
            for (size_t i = 0; i < half; i++) {
                float theta = (float)(p0 + b) * m->rope_inv_freq[i];
                c->rope_cs[b * hp->n_rot + 2 * i] = mn_cosf(theta);
                c->rope_cs[b * hp->n_rot + 2 * i + 1] = mn_sinf(theta);
            }

    att_job aj = {c, 0, p0, NULL, 0, 1.0f / sqrtf((float)hp->hd_k)};
    for (size_t il = 0; il < hp->n_layer; il++) {
        const mn_layer *L = &m->layers[il];
        /* attention block */
        norm_rows(m, c->xn, c->x, B, L->attn_norm, L->attn_norm_b);
        qin in = {c->xn, B, E, 0, NULL};
        const float *qp, *kp, *vp;
        size_t qs, ks, vs;
        if (gpt2) {
            if ((st = mm_in(c, &in, &L->wqkv, c->q, L->bqkv))) return st;
            qp = c->q; kp = c->q + Q; vp = c->q + Q + K;
            qs = ks = vs = Q + K + V;
        } else {
            if ((st = mm_in(c, &in, &L->wq, c->q, L->bq))) return st;
            if ((st = mm_in(c, &in, &L->wk, c->k, L->bk))) return st;
            if ((st = mm_in(c, &in, &L->wv, c->v, L->bv))) return st;
            for (size_t b = 0; b < B; b++) {
                rope_row(c->q + b * Q, hp->n_head, hp->hd_k, hp->n_rot, hp->rope_mode, c->rope_cs + b * hp->n_rot);
                rope_row(c->k + b * K, hp->n_head_kv, hp->hd_k, hp->n_rot, hp->rope_mode, c->rope_cs + b * hp->n_rot);
            }
            qp = c->q; kp = c->k; vp = c->v;
            qs = Q; ks = K; vs = V;
        }
        store_kv(c, il, p0, B, kp, ks, vp, vs);
        aj.il = il;
        aj.q = qp;
        aj.q_stride = qs;
        /* inline when the whole attention is a few thousand multiply-adds */
        size_t work = B * hp->n_head * (p0 + B) * (hp->hd_k + hp->hd_v);
        if (B * hp->n_head == 1 || work < 32768) att_task(&aj, 0, B * hp->n_head, 0);
        else mn_pool_for(c->pool, B * hp->n_head, 1, att_task, &aj);
        qin ain = {c->att, B, O, 0, NULL};
        if ((st = mm_in(c, &ain, &L->wo, c->tmp, L->bo))) return st;
        add_rows(c->x, c->tmp, B * E);

        /* feed-forward block */
        norm_rows(m, c->xn, c->x, B, L->ffn_norm, L->ffn_norm_b);
        qin fin = {c->xn, B, E, 0, NULL};
        if (gpt2) {
            if ((st = mm_in(c, &fin, &L->w_up, c->ff1, L->b_up))) return st;
            for (size_t i = 0; i < B * F; i++) c->ff1[i] = mn_gelu_tanh(c->ff1[i]);
        } else {
            if ((st = mm_in(c, &fin, &L->w_gate, c->ff1, L->b_gate))) return st;
            if ((st = mm_in(c, &fin, &L->w_up, c->ff2, L->b_up))) return st;
            mn_swiglu_row(c->ff1, c->ff2, B * F);
        }
        qin din = {c->ff1, B, F, 0, NULL};
        if ((st = mm_in(c, &din, &L->w_down, c->tmp, L->b_down))) return st;
        add_rows(c->x, c->tmp, B * E);
    }

    /* output: every row (dst) or the last one */
    size_t r0 = dst ? 0 : B - 1, nr = dst ? B : 1;
    norm_rows(m, c->xn, c->x + r0 * E, nr, m->out_norm, m->out_norm_b);
    qin oin = {c->xn, nr, E, 0, NULL};
    if ((st = mm_in(c, &oin, &m->output, dst ? dst : c->logits, NULL))) return st;
    for (size_t b = 0; b < B; b++) c->tokens[p0 + b] = tokens[b];
    c->pos = p0 + B;
    return MN_OK;
}
