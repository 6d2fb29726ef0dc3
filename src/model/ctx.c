/*
 * ctx.c - contexts: memory plan (computed before anything is allocated), KV
 * cache, evaluation entry points.
 *
 * Contract, in the order that bites:
 *  - mn_model_ctx_bytes() and mn_ctx_create() use the same plan (ctx_plan),
 *    so the number reported is the number allocated (the context's own
 *    tokenizer instance and thread stacks excepted; docs/model.md).
 *  - The KV cache is f32, [n_layer][n_ctx][n_head_kv * head_dim], for K and
 *    for V: exact storage of what the forward pass computed, so a position's
 *    keys are the same bits whether it was evaluated in a batch or alone.
 *  - Evaluation never truncates: pos + n > n_ctx is MN_E_CTX_FULL before any
 *    work, and a bad token id is MN_E_TOK_INVALID_ID before any work.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "model/model_internal.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "tensor/quant.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double mn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

size_t mn_ctx_default_max(void) { return MN_CTX_DEFAULT_MAX; }

void mn_ctx_params_default(mn_ctx_params *p)
{
    if (!p) return;
    p->n_ctx = 0;
    p->n_batch = 64;
    p->n_threads = 0;
}

/* ------------------------------------------------------------------ plan */
enum {
    B_TOKENS, B_KCACHE, B_VCACHE, B_X, B_XN, B_Q, B_K, B_V, B_ATT, B_TMP, B_FF1, B_FF2, B_ROPE, B_QX,
    B_LOGITS, B_CAND, B_PROBS, B_COUNTS, B_COUNT_
};

typedef struct ctx_plan {
    size_t n_ctx, n_batch, qx_row;
    size_t off[B_COUNT_];
    size_t total;
} ctx_plan;

static size_t wmat_qrow(const mn_wmat *w)
{
    return w->data ? mn_qrow_size(w->vdt, w->cols) : 0;
}

/* widest quantized activation row over every matrix of the model */
static size_t max_qrow(const mn_model *m)
{
    size_t r = wmat_qrow(&m->output);
    for (size_t il = 0; il < m->hp.n_layer; il++) {
        const mn_layer *L = &m->layers[il];
        const mn_wmat *ws[] = {&L->wq, &L->wk, &L->wv, &L->wqkv, &L->wo, &L->w_gate, &L->w_up, &L->w_down};
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
            size_t q = wmat_qrow(ws[i]);
            if (q > r) r = q;
        }
    }
    return r;
}

static mn_status ctx_plan_make(const mn_model *m, const mn_ctx_params *p, ctx_plan *pl, char *why, size_t whyCap)
{
    const mn_hparams *hp = &m->hp;
    memset(pl, 0, sizeof *pl);
    size_t n_ctx = p->n_ctx ? p->n_ctx : hp->n_ctx_train < MN_CTX_DEFAULT_MAX ? hp->n_ctx_train : MN_CTX_DEFAULT_MAX;
    size_t n_batch = p->n_batch ? p->n_batch : 64;
    if (m->arch == MN_ARCH_GPT2 && n_ctx > hp->n_ctx_train) {
        if (why) snprintf(why, whyCap, "n_ctx %zu exceeds the %zu learned positions of this gpt2 model", n_ctx, hp->n_ctx_train);
        return MN_E_INVALID_ARG;
    }
    if (n_ctx > ((size_t)1 << 24)) {
        if (why) snprintf(why, whyCap, "n_ctx %zu is too large", n_ctx);
        return MN_E_INVALID_ARG;
    }
    if (n_batch > n_ctx) n_batch = n_ctx;
    if (n_batch > 4096) n_batch = 4096;
    pl->n_ctx = n_ctx;
    pl->n_batch = n_batch;
    pl->qx_row = max_qrow(m);
    size_t E = hp->n_embd, Q = hp->n_head * hp->hd_k, K = hp->n_head_kv * hp->hd_k, V = hp->n_head_kv * hp->hd_v;
    size_t O = hp->n_head * hp->hd_v, QKV = Q + K + V;
    size_t sizes[B_COUNT_];
    size_t kv_k, kv_v, t;
    int ok = mn_mul_size(hp->n_layer, n_ctx, &t) && mn_mul_size(t, K, &kv_k) && mn_mul_size(t, V, &kv_v) &&
             mn_mul_size(kv_k, sizeof(float), &sizes[B_KCACHE]) && mn_mul_size(kv_v, sizeof(float), &sizes[B_VCACHE]);
    if (!ok) return MN_E_OVERFLOW;
    /* per-row activation sizes (floats) times n_batch; all are far below
     * SIZE_MAX / 4096 because the tensors they come from exist in memory */
    sizes[B_TOKENS] = n_ctx * sizeof(int32_t);
    sizes[B_X] = n_batch * E * sizeof(float);
    sizes[B_XN] = n_batch * E * sizeof(float);
    sizes[B_Q] = n_batch * (m->arch == MN_ARCH_GPT2 ? QKV : Q) * sizeof(float);
    sizes[B_K] = n_batch * K * sizeof(float);
    sizes[B_V] = n_batch * V * sizeof(float);
    sizes[B_ATT] = n_batch * O * sizeof(float);
    sizes[B_TMP] = n_batch * E * sizeof(float);
    sizes[B_FF1] = n_batch * hp->n_ff * sizeof(float);
    sizes[B_FF2] = m->arch == MN_ARCH_GPT2 ? 0 : n_batch * hp->n_ff * sizeof(float);
    sizes[B_ROPE] = n_batch * (hp->n_rot ? hp->n_rot : 2) * sizeof(float);
    if (!mn_mul_size(n_batch, pl->qx_row, &sizes[B_QX])) return MN_E_OVERFLOW;
    sizes[B_LOGITS] = hp->n_vocab * sizeof(float);
    sizes[B_CAND] = hp->n_vocab * sizeof(mn_cand);
    sizes[B_PROBS] = hp->n_vocab * sizeof(float);
    sizes[B_COUNTS] = hp->n_vocab * sizeof(uint32_t);
    size_t off = 0;
    for (int i = 0; i < B_COUNT_; i++) {
        pl->off[i] = off;
        size_t s = (sizes[i] + 63) & ~(size_t)63;
        if (s < sizes[i] || !mn_add_size(off, s, &off)) return MN_E_OVERFLOW;
    }
    if (!mn_add_size(off, sizeof(mn_ctx) + 64, &pl->total)) return MN_E_OVERFLOW;
    return MN_OK;
}

size_t mn_model_ctx_bytes(const mn_model *m, const mn_ctx_params *p)
{
    mn_ctx_params d;
    if (!m) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if (!p) { mn_ctx_params_default(&d); p = &d; }
    ctx_plan pl;
    mn_status st = ctx_plan_make(m, p, &pl, NULL, 0);
    if (st != MN_OK) return MN_ERROR_SIZE(st);
    return pl.total;
}

/* -------------------------------------------------------------- create */
static void set_err(char *err, size_t cap, const char *msg)
{
    if (err && cap) snprintf(err, cap, "%s", msg);
}

mn_status mn_ctx_create(mn_ctx **out, mn_model *m, const mn_ctx_params *p, char *err, size_t errCapacity)
{
    mn_ctx_params d;
    if (err && errCapacity) err[0] = 0;
    if (!out || !m) return MN_E_INVALID_ARG;
    *out = NULL;
    if (!p) { mn_ctx_params_default(&d); p = &d; }
    if (p->n_threads < 0 || p->n_threads > mn_threads_max()) {
        if (err) snprintf(err, errCapacity, "n_threads %d outside 0..%d", (int)p->n_threads, mn_threads_max());
        return p->n_threads > 1 && !mn_threads_supported() ? MN_E_THREADS : MN_E_INVALID_ARG;
    }
    ctx_plan pl;
    mn_status st = ctx_plan_make(m, p, &pl, err, errCapacity);
    if (st != MN_OK) return st;
    unsigned char *blk = mn_malloc_aligned(pl.total - sizeof(mn_ctx) - 64, 64);
    mn_ctx *c = mn_calloc_array(1, sizeof *c);
    if (!blk || !c) {
        mn_free_aligned(blk);
        free(c);
        set_err(err, errCapacity, "out of memory for the context");
        return MN_E_NOMEM;
    }
    /* not cleared: every buffer is written before it is read, and untouched
     * KV pages of a long context then cost no memory until used */
    c->m = m;
    c->n_ctx = pl.n_ctx;
    c->n_batch = pl.n_batch;
    c->qx_row_cap = pl.qx_row;
    c->block = blk;
    c->tokens = (int32_t *)(blk + pl.off[B_TOKENS]);
    c->k_cache = (float *)(blk + pl.off[B_KCACHE]);
    c->v_cache = (float *)(blk + pl.off[B_VCACHE]);
    c->x = (float *)(blk + pl.off[B_X]);
    c->xn = (float *)(blk + pl.off[B_XN]);
    c->q = (float *)(blk + pl.off[B_Q]);
    c->k = (float *)(blk + pl.off[B_K]);
    c->v = (float *)(blk + pl.off[B_V]);
    c->att = (float *)(blk + pl.off[B_ATT]);
    c->tmp = (float *)(blk + pl.off[B_TMP]);
    c->ff1 = (float *)(blk + pl.off[B_FF1]);
    c->ff2 = (float *)(blk + pl.off[B_FF2]);
    c->rope_cs = (float *)(blk + pl.off[B_ROPE]);
    c->qx = blk + pl.off[B_QX];
    c->logits = (float *)(blk + pl.off[B_LOGITS]);
    c->ss.cand = (mn_cand *)(blk + pl.off[B_CAND]);
    c->ss.probs = (float *)(blk + pl.off[B_PROBS]);
    c->ss.counts = (uint32_t *)(blk + pl.off[B_COUNTS]);
    c->gen.next_token = -1;
    mn_rng_seed(&c->rng, 0);
    st = mn_pool_create(&c->pool, p->n_threads);
    if (st != MN_OK) {
        if (err) snprintf(err, errCapacity, "cannot start %d threads", (int)p->n_threads);
        mn_ctx_free(c);
        return st;
    }
    c->n_threads = mn_pool_threads(c->pool);
    *out = c;
    return MN_OK;
}

void mn_ctx_free(mn_ctx *c)
{
    if (!c) return;
    mn_gen_reset(c);
    if (c->tok) mn_tokenizer_free(c->tok);
    mn_pool_free(c->pool);
    mn_free_aligned(c->block);
    free(c);
}

const char *mn_ctx_error(const mn_ctx *c) { return c ? c->err.msg : ""; }
/* The context's tokenizer instance: a clone of the model's (shared tables,
 * its own scratch), made on first use. */
mn_tokenizer *mn_ctx_tokenizer(mn_ctx *c)
{
    if (!c || !c->m->tok) return NULL;
    if (!c->tok) {
        char err[256] = "";
        mn_status st = mn_model_tok_clone(c->m, &c->tok, err, sizeof err);
        if (st != MN_OK) { mn_err_set(&c->err, st, "%s", err); c->tok = NULL; }
    }
    return c->tok;
}
size_t mn_ctx_n_ctx(const mn_ctx *c) { return c ? c->n_ctx : 0; }
size_t mn_ctx_pos(const mn_ctx *c) { return c ? c->pos : 0; }

mn_status mn_ctx_truncate(mn_ctx *c, size_t pos)
{
    if (!c) return MN_E_INVALID_ARG;
    if (pos > c->pos) return mn_err_set(&c->err, MN_E_INVALID_ARG, "truncate to %zu beyond position %zu", pos, c->pos);
    c->pos = pos;
    c->have_logits = 0;
    return MN_OK;
}

/* ---------------------------------------------------------------- eval */
static mn_status eval_checked(mn_ctx *c, const int32_t *tokens, size_t n, float *dst, size_t dstCapacity)
{
    if (!c) return MN_E_INVALID_ARG;
    mn_err_clear(&c->err);
    if (n == 0) return MN_OK;
    if (!tokens) return mn_err_set(&c->err, MN_E_INVALID_ARG, "tokens is NULL");
    size_t nv = c->m->hp.n_vocab;
    if (n > c->n_ctx - c->pos)
        return mn_err_set(&c->err, MN_E_CTX_FULL, "%zu tokens at position %zu do not fit n_ctx %zu", n, c->pos,
                          c->n_ctx);
    if (dst) {
        size_t need;
        if (!mn_mul_size(n, nv, &need) || dstCapacity < need)
            return mn_err_set(&c->err, MN_E_DST_TOO_SMALL, "logits need %zu x %zu floats", n, nv);
    }
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || (size_t)tokens[i] >= nv)
            return mn_err_set(&c->err, MN_E_TOK_INVALID_ID, "token %d at %zu outside the vocabulary (%zu)",
                              (int)tokens[i], i, nv);
    for (size_t i = 0; i < n;) {
        size_t b = n - i < c->n_batch ? n - i : c->n_batch;
        mn_status st = mn_forward(c, tokens + i, b, dst ? dst + i * nv : NULL);
        if (st != MN_OK) return mn_err_set(&c->err, st, "forward pass failed (%s)", mn_status_name(st));
        i += b;
    }
    if (dst) memcpy(c->logits, dst + (n - 1) * nv, nv * sizeof(float));
    c->have_logits = 1;
    return MN_OK;
}

mn_status mn_ctx_eval(mn_ctx *c, const int32_t *tokens, size_t n)
{
    return eval_checked(c, tokens, n, NULL, 0);
}

mn_status mn_ctx_eval_logits(mn_ctx *c, const int32_t *tokens, size_t n, float *dst, size_t dstCapacity)
{
    if (c && n && !dst) return mn_err_set(&c->err, MN_E_INVALID_ARG, "dst is NULL");
    return eval_checked(c, tokens, n, dst, dstCapacity);
}

const float *mn_ctx_logits(const mn_ctx *c)
{
    return c && c->have_logits ? c->logits : NULL;
}
