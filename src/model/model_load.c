/*
 * model_load.c - build an mn_model from GGUF metadata and tensors, the way
 * llama.cpp reads the same files (key names, tensor names, defaults).
 *
 * Contract, in the order that bites:
 *  - Nothing is trusted: every key is type-checked and range-checked, every
 *    tensor's shape and type is checked against the hyper-parameters before
 *    a pointer is kept. Each failure is its own status with a message that
 *    names the key or tensor (docs/model.md lists them all).
 *  - Required vs optional keys and the defaults of the optional ones follow
 *    llama.cpp (e.g. rope.freq_base 10000, head_count_kv = head_count,
 *    rope.dimension_count = head dimension).
 *  - Integer keys may be stored as any integer type (negative values are
 *    refused); per-layer arrays are accepted when all entries are equal.
 */
#include "model/model_internal.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "core/mathf.h"
#include "tensor/quant.h"
#include "gguf/gguf_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct kctx {
    mn_gguf *g;
    char *err;
    size_t cap;
    const char *arch;
} kctx;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static mn_status fail(kctx *k, mn_status st, const char *fmt, ...)
{
    if (k->err && k->cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(k->err, k->cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* ------------------------------------------------------------------ keys */

static void arch_key(char *dst, size_t cap, const kctx *k, const char *suffix)
{
    snprintf(dst, cap, "%s.%s", k->arch, suffix);
}

/* One integer element (scalar or array element i; arr says which). */
static mn_status int_elem(kctx *k, size_t kid, int type, int arr, size_t i, const char *name, uint64_t *out)
{
    mn_gguf *g = k->g;
    switch (type) {
    case MN_GGUF_U8: case MN_GGUF_U16: case MN_GGUF_U32: case MN_GGUF_U64: {
        uint64_t v;
        mn_status st = arr ? mn_gguf_get_arr_u64(g, kid, i, &v) : mn_gguf_get_u64(g, kid, &v);
        if (st != MN_OK) return fail(k, st, "key %s: %s", name, mn_gguf_error(g));
        *out = v;
        return MN_OK;
    }
    case MN_GGUF_I8: case MN_GGUF_I16: case MN_GGUF_I32: case MN_GGUF_I64: {
        int64_t v;
        mn_status st = arr ? mn_gguf_get_arr_i64(g, kid, i, &v) : mn_gguf_get_i64(g, kid, &v);
        if (st != MN_OK) return fail(k, st, "key %s: %s", name, mn_gguf_error(g));
        if (v < 0) return fail(k, MN_E_MODEL_HPARAM, "key %s: negative value %lld", name, (long long)v);
        *out = (uint64_t)v;
        return MN_OK;
    }
    default:
        return fail(k, MN_E_GGUF_KEY_TYPE, "key %s: stored as %s, expected an integer", name,
                    mn_gguf_type_name(type));
    }
}

/* Find a key: MN_OK and *found (1, *kid set; or 0 when an optional key is
 * absent), or MN_E_GGUF_KEY_MISSING for an absent required one. */
static mn_status key_find(kctx *k, const char *name, int required, size_t *kid, int *found)
{
    *found = mn_gguf_find_key(k->g, name, kid) == MN_OK;
    if (!*found && required) return fail(k, MN_E_GGUF_KEY_MISSING, "key %s: missing (required)", name);
    return MN_OK;
}

/* An unsigned integer key (full name). Absent: *out = def if !required.
 * Arrays (per-layer values) must hold equal entries. Range [lo, hi]. */
static mn_status key_uint(kctx *k, const char *name, int required, uint64_t def, uint64_t lo, uint64_t hi,
                          uint64_t *out)
{
    size_t kid;
    int found;
    mn_status fs = key_find(k, name, required, &kid, &found);
    if (fs != MN_OK || !found) { *out = def; return fs; }
    int type = mn_gguf_key_type(k->g, kid);
    uint64_t v = 0;
    if (type == MN_GGUF_ARRAY) {
        int et;
        size_t n;
        mn_status st = mn_gguf_get_arr_info(k->g, kid, &et, &n);
        if (st != MN_OK) return fail(k, st, "key %s: %s", name, mn_gguf_error(k->g));
        if (n == 0) return fail(k, MN_E_MODEL_HPARAM, "key %s: empty array", name);
        for (size_t i = 0; i < n; i++) {
            uint64_t e = 0;
            st = int_elem(k, kid, et, 1, i, name, &e);
            if (st != MN_OK) return st;
            if (i == 0) v = e;
            else if (e != v)
                return fail(k, MN_E_MODEL_HPARAM, "key %s: per-layer values differ (%llu vs %llu); not supported",
                            name, (unsigned long long)v, (unsigned long long)e);
        }
    } else {
        mn_status st = int_elem(k, kid, type, 0, 0, name, &v);
        if (st != MN_OK) return st;
    }
    if (v < lo || v > hi)
        return fail(k, MN_E_MODEL_HPARAM, "key %s: %llu outside [%llu, %llu]", name, (unsigned long long)v,
                    (unsigned long long)lo, (unsigned long long)hi);
    *out = v;
    return MN_OK;
}

static mn_status arch_uint(kctx *k, const char *suffix, int required, uint64_t def, uint64_t lo, uint64_t hi,
                           size_t *out)
{
    char name[160];
    uint64_t v = 0;
    arch_key(name, sizeof name, k, suffix);
    mn_status st = key_uint(k, name, required, def, lo, hi, &v);
    if (st == MN_OK) *out = (size_t)v;
    return st;
}

/* A float key (f32 or f64). Must be finite and within [lo, hi]. */
static mn_status key_float(kctx *k, const char *name, int required, double def, double lo, double hi,
                           double *out)
{
    size_t kid;
    int found;
    mn_status fs = key_find(k, name, required, &kid, &found);
    if (fs != MN_OK || !found) { *out = def; return fs; }
    double v;
    mn_status st = mn_gguf_get_f64(k->g, kid, &v);
    if (st != MN_OK)
        return fail(k, st, "key %s: stored as %s, expected f32", name, mn_gguf_type_name(mn_gguf_key_type(k->g, kid)));
    if (!(v >= lo && v <= hi)) return fail(k, MN_E_MODEL_HPARAM, "key %s: %g outside [%g, %g]", name, v, lo, hi);
    *out = v;
    return MN_OK;
}

static mn_status arch_float(kctx *k, const char *suffix, int required, double def, double lo, double hi,
                            double *out)
{
    char name[160];
    arch_key(name, sizeof name, k, suffix);
    return key_float(k, name, required, def, lo, hi, out);
}

/* An optional string key: *s NULL when absent. */
static mn_status key_str(kctx *k, const char *name, const char **s, size_t *len)
{
    size_t kid;
    *s = NULL;
    *len = 0;
    if (mn_gguf_find_key(k->g, name, &kid) != MN_OK) return MN_OK;
    mn_status st = mn_gguf_get_str(k->g, kid, s, len);
    if (st != MN_OK) return fail(k, st, "key %s: stored as %s, expected a string", name,
                                 mn_gguf_type_name(mn_gguf_key_type(k->g, kid)));
    return MN_OK;
}

static int str_eq(const char *s, size_t n, const char *lit) { return s && strlen(lit) == n && !memcmp(s, lit, n); }

/* --------------------------------------------------------------- tensors */

static mn_status find_tensor(kctx *k, const char *name, int required, mn_gguf_tensor *t, int *found)
{
    size_t ti;
    *found = 0;
    if (mn_gguf_find_tensor(k->g, name, &ti) != MN_OK) {
        if (required) return fail(k, MN_E_GGUF_TENSOR_MISSING, "tensor %s: missing (required)", name);
        return MN_OK;
    }
    mn_status st = mn_gguf_tensor_info(k->g, ti, t);
    if (st != MN_OK) return fail(k, st, "tensor %s: %s", name, mn_gguf_error(k->g));
    *found = 1;
    return MN_OK;
}

static void shape_text(char *dst, size_t cap, const mn_gguf_tensor *t)
{
    size_t o = (size_t)snprintf(dst, cap, "[");
    for (uint32_t d = 0; d < t->n_dims && o < cap; d++)
        o += (size_t)snprintf(dst + o, cap - o, "%s%lld", d ? ", " : "", (long long)t->ne[d]);
    if (o < cap) snprintf(dst + o, cap - o, "]");
}

static int dims_are(const mn_gguf_tensor *t, int64_t ne0, int64_t ne1)
{
    return t->ne[0] == ne0 && t->ne[1] == ne1 && t->ne[2] == 1 && t->ne[3] == 1;
}

/* A matrix used in products: GGUF ne = [cols, rows]. need_dot: it must have
 * a vec_dot (a weight); otherwise only dequantize_row (an embedding table). */
static mn_status bind_mat(kctx *k, const char *name, size_t cols, size_t rows, int required, int need_dot,
                          mn_wmat *out)
{
    mn_gguf_tensor t;
    int found;
    memset(out, 0, sizeof *out);
    mn_status st = find_tensor(k, name, required, &t, &found);
    if (st != MN_OK || !found) return st;
    if (!dims_are(&t, (int64_t)cols, rows ? (int64_t)rows : t.ne[1])) {
        char have[96];
        shape_text(have, sizeof have, &t);
        if (rows) return fail(k, MN_E_MODEL_TENSOR, "tensor %s: shape %s, expected [%zu, %zu]", name, have, cols, rows);
        return fail(k, MN_E_MODEL_TENSOR, "tensor %s: shape %s, expected [%zu, n]", name, have, cols);
    }
    const mn_qtraits *tr = mn_qtraits_get(t.type);
    const char *tn = mn_ggml_type_name(t.type);
    if (!tr || (need_dot && !tr->vec_dot) || !tr->dequantize_row)
        return fail(k, MN_E_MODEL_TENSOR, "tensor %s: type %s cannot be used here", name, tn ? tn : "?");
    size_t rb = mn_qrow_size(t.type, cols);
    if (rb == 0 || (need_dot && mn_qrow_size(tr->vec_dot_type, cols) == 0))
        return fail(k, MN_E_MODEL_TENSOR, "tensor %s: %zu columns do not fit the blocks of %s", name, cols, tn);
    out->data = t.data;
    out->type = t.type;
    out->vdt = tr->vec_dot_type;
    out->rows = (size_t)t.ne[1];
    out->cols = cols;
    out->row_bytes = rb;
    if (out->rows == 0) return fail(k, MN_E_MODEL_TENSOR, "tensor %s: no rows", name);
    return MN_OK;
}

/* A 1-D tensor of n values, dequantized into the arena. */
static mn_status bind_vec(kctx *k, mn_model *m, const char *name, size_t n, int required, const float **out)
{
    mn_gguf_tensor t;
    int found;
    *out = NULL;
    mn_status st = find_tensor(k, name, required, &t, &found);
    if (st != MN_OK || !found) return st;
    if (!dims_are(&t, (int64_t)n, 1)) {
        char have[96];
        shape_text(have, sizeof have, &t);
        return fail(k, MN_E_MODEL_TENSOR, "tensor %s: shape %s, expected [%zu]", name, have, n);
    }
    const mn_qtraits *tr = mn_qtraits_get(t.type);
    if (!tr || !tr->dequantize_row || mn_qrow_size(t.type, n) == 0)
        return fail(k, MN_E_MODEL_TENSOR, "tensor %s: type %s cannot be used here", name,
                    mn_ggml_type_name(t.type) ? mn_ggml_type_name(t.type) : "?");
    if (n > m->arena_cap - m->arena_used) return fail(k, MN_E_MODEL_TENSOR, "tensor %s: arena overflow", name);
    float *dst = m->arena + m->arena_used;
    m->arena_used += n;
    tr->dequantize_row(t.data, dst, n);
    *out = dst;
    return MN_OK;
}

static mn_status layer_name(char *dst, size_t cap, size_t il, const char *what)
{
    snprintf(dst, cap, "blk.%zu.%s", il, what);
    return MN_OK;
}

/* ------------------------------------------------------------- hparams */

static mn_status load_hparams(kctx *k, mn_model *m)
{
    mn_hparams *hp = &m->hp;
    mn_status st;
    const size_t BIG = (size_t)1 << 20;
    if ((st = arch_uint(k, "context_length", 1, 0, 1, (uint64_t)1 << 24, &hp->n_ctx_train))) return st;
    if ((st = arch_uint(k, "embedding_length", 1, 0, 1, BIG, &hp->n_embd))) return st;
    if ((st = arch_uint(k, "block_count", 1, 0, 1, 4096, &hp->n_layer))) return st;
    if ((st = arch_uint(k, "feed_forward_length", 1, 0, 1, BIG, &hp->n_ff))) return st;
    if ((st = arch_uint(k, "attention.head_count", 1, 0, 1, 4096, &hp->n_head))) return st;
    if ((st = arch_uint(k, "attention.head_count_kv", 0, hp->n_head, 1, hp->n_head, &hp->n_head_kv))) return st;
    if (hp->n_head % hp->n_head_kv)
        return fail(k, MN_E_MODEL_HPARAM, "key %s.attention.head_count_kv: %zu does not divide head_count %zu",
                    k->arch, hp->n_head_kv, hp->n_head);
    size_t hd = hp->n_embd / hp->n_head;
    if ((st = arch_uint(k, "attention.key_length", 0, hd, 1, 65536, &hp->hd_k))) return st;
    if ((st = arch_uint(k, "attention.value_length", 0, hd, 1, 65536, &hp->hd_v))) return st;
    if (hp->hd_k == 0 || hp->hd_v == 0)
        return fail(k, MN_E_MODEL_HPARAM, "key %s.attention.head_count: %zu heads for %zu dimensions", k->arch,
                    hp->n_head, hp->n_embd);
    size_t experts;
    if ((st = arch_uint(k, "expert_count", 0, 0, 0, 0, &experts)))
        return fail(k, MN_E_MODEL_HPARAM, "key %s.expert_count: mixture-of-experts models are not supported", k->arch);

    double eps;
    if (m->arch == MN_ARCH_GPT2) {
        hp->norm = MN_NORM_LAYER;
        hp->rope_mode = MN_ROPE_NONE;
        if ((st = arch_float(k, "attention.layer_norm_epsilon", 1, 0, 0, 1, &eps))) return st;
        if (hp->hd_k != hp->hd_v || hp->n_head * hp->hd_k != hp->n_embd)
            return fail(k, MN_E_MODEL_HPARAM, "gpt2: head dimensions must tile embedding_length");
    } else {
        hp->norm = MN_NORM_RMS;
        hp->rope_mode = m->arch == MN_ARCH_QWEN2 ? MN_ROPE_NEOX : MN_ROPE_NORMAL;
        if ((st = arch_float(k, "attention.layer_norm_rms_epsilon", 1, 0, 0, 1, &eps))) return st;
        if ((st = arch_uint(k, "rope.dimension_count", 0, hp->hd_k, 2, hp->hd_k, &hp->n_rot))) return st;
        if (hp->n_rot % 2)
            return fail(k, MN_E_MODEL_HPARAM, "key %s.rope.dimension_count: %zu is odd", k->arch, hp->n_rot);
        if ((st = arch_float(k, "rope.freq_base", 0, 10000.0, 1e-3, 1e12, &hp->rope_base))) return st;
        /* RoPE scaling: none or linear (llama.cpp: freq_scale = 1 / factor) */
        char name[160];
        const char *s;
        size_t sl;
        arch_key(name, sizeof name, k, "rope.scaling.type");
        if ((st = key_str(k, name, &s, &sl))) return st;
        double factor = 0;
        if (s && !str_eq(s, sl, "none") && !str_eq(s, sl, "linear"))
            return fail(k, MN_E_MODEL_HPARAM, "key %s: rope scaling '%.*s' is not supported (none, linear)", name,
                        (int)(sl > 32 ? 32 : sl), s);
        if ((st = arch_float(k, "rope.scaling.factor", 0, 0, 0, 1e6, &factor))) return st;
        if (factor == 0 && (st = arch_float(k, "rope.scale_linear", 0, 0, 0, 1e6, &factor))) return st;
        if (s && str_eq(s, sl, "none")) factor = 0;
        hp->rope_freq_scale = factor > 0 ? 1.0 / factor : 1.0;
    }
    hp->norm_eps = (float)eps;
    return MN_OK;
}

/* ln(x) to double precision from the float log and one Newton step on exp
 * (only double arithmetic: the same bits on every target). */
static double log_d(double x)
{
    double l = (double)mn_logf((float)x);
    for (int i = 0; i < 2; i++) l = l + (x * mn_exp_d(-l) - 1.0);
    return l;
}

static mn_status load_rope(kctx *k, mn_model *m)
{
    mn_hparams *hp = &m->hp;
    if (hp->rope_mode == MN_ROPE_NONE) return MN_OK;
    size_t half = hp->n_rot / 2;
    const float *factors = NULL;
    mn_status st = bind_vec(k, m, "rope_freqs.weight", half, 0, &factors);
    if (st != MN_OK) return st;
    m->rope_inv_freq = mn_calloc_array(half, sizeof(float));
    if (!m->rope_inv_freq) return fail(k, MN_E_NOMEM, "out of memory");
    double lb = log_d(hp->rope_base);
    for (size_t i = 0; i < half; i++) {
        double f = mn_exp_d(-((double)(2 * i) / (double)hp->n_rot) * lb) * hp->rope_freq_scale;
        if (factors) {
            if (!(factors[i] > 0)) return fail(k, MN_E_MODEL_TENSOR, "tensor rope_freqs.weight: factor %zu is not positive", i);
            f = f / (double)factors[i];
        }
        m->rope_inv_freq[i] = (float)f;
    }
    return MN_OK;
}

/* -------------------------------------------------------------- tensors */

static mn_status load_tensors(kctx *k, mn_model *m)
{
    mn_hparams *hp = &m->hp;
    mn_status st;
    char name[96];
    size_t E = hp->n_embd, Q = hp->n_head * hp->hd_k, K = hp->n_head_kv * hp->hd_k, V = hp->n_head_kv * hp->hd_v;
    size_t O = hp->n_head * hp->hd_v;
    int gpt2 = m->arch == MN_ARCH_GPT2, qwen2 = m->arch == MN_ARCH_QWEN2;

    /* token_embd fixes the vocabulary size */
    if ((st = bind_mat(k, "token_embd.weight", E, 0, 1, 0, &m->tok_embd))) return st;
    hp->n_vocab = m->tok_embd.rows;
    size_t vocab_key;
    if ((st = arch_uint(k, "vocab_size", 0, hp->n_vocab, 1, SIZE_MAX, &vocab_key))) return st;
    if (vocab_key != hp->n_vocab)
        return fail(k, MN_E_MODEL_HPARAM, "key %s.vocab_size: %zu, but token_embd.weight has %zu rows", k->arch,
                    vocab_key, hp->n_vocab);
    if (gpt2 && (st = bind_mat(k, "position_embd.weight", E, hp->n_ctx_train, 1, 0, &m->pos_embd))) return st;
    if ((st = bind_vec(k, m, "output_norm.weight", E, 1, &m->out_norm))) return st;
    if (gpt2 && (st = bind_vec(k, m, "output_norm.bias", E, 1, &m->out_norm_b))) return st;
    if ((st = bind_mat(k, "output.weight", E, hp->n_vocab, 0, 1, &m->output))) return st;
    if (!m->output.data) {
        /* tied: the embedding table is the output matrix */
        const mn_qtraits *tr = mn_qtraits_get(m->tok_embd.type);
        if (!tr->vec_dot)
            return fail(k, MN_E_MODEL_TENSOR, "tensor token_embd.weight: type %s cannot serve as the (tied) output",
                        mn_ggml_type_name(m->tok_embd.type));
        m->output = m->tok_embd;
        m->output.vdt = tr->vec_dot_type;
        m->tied_output = 1;
    }

    m->layers = mn_calloc_array(hp->n_layer, sizeof(mn_layer));
    if (!m->layers) return fail(k, MN_E_NOMEM, "out of memory");
    for (size_t il = 0; il < hp->n_layer; il++) {
        mn_layer *L = &m->layers[il];
#define MAT(field, what, cols, rows, req) \
    do { layer_name(name, sizeof name, il, what); if ((st = bind_mat(k, name, cols, rows, req, 1, &L->field))) return st; } while (0)
#define VEC(field, what, n, req) \
    do { layer_name(name, sizeof name, il, what); if ((st = bind_vec(k, m, name, n, req, &L->field))) return st; } while (0)
        VEC(attn_norm, "attn_norm.weight", E, 1);
        VEC(ffn_norm, "ffn_norm.weight", E, 1);
        if (gpt2) {
            VEC(attn_norm_b, "attn_norm.bias", E, 1);
            VEC(ffn_norm_b, "ffn_norm.bias", E, 1);
            MAT(wqkv, "attn_qkv.weight", E, Q + K + V, 1);
            VEC(bqkv, "attn_qkv.bias", Q + K + V, 1);
            MAT(wo, "attn_output.weight", O, E, 1);
            VEC(bo, "attn_output.bias", E, 1);
            MAT(w_up, "ffn_up.weight", E, hp->n_ff, 1);
            VEC(b_up, "ffn_up.bias", hp->n_ff, 1);
            MAT(w_down, "ffn_down.weight", hp->n_ff, E, 1);
            VEC(b_down, "ffn_down.bias", E, 1);
        } else {
            MAT(wq, "attn_q.weight", E, Q, 1);
            MAT(wk, "attn_k.weight", E, K, 1);
            MAT(wv, "attn_v.weight", E, V, 1);
            MAT(wo, "attn_output.weight", O, E, 1);
            VEC(bq, "attn_q.bias", Q, qwen2);
            VEC(bk, "attn_k.bias", K, qwen2);
            VEC(bv, "attn_v.bias", V, qwen2);
            VEC(bo, "attn_output.bias", E, 0);
            MAT(w_gate, "ffn_gate.weight", E, hp->n_ff, 1);
            MAT(w_up, "ffn_up.weight", E, hp->n_ff, 1);
            MAT(w_down, "ffn_down.weight", hp->n_ff, E, 1);
        }
#undef MAT
#undef VEC
    }
    return MN_OK;
}

/* ------------------------------------------------------------ repack */
/* Q4_0 weight matrices the model owns, rearranged to Q4_0_R4 in place (see
 * MN_MODEL_REPACK): the last step of a load, so a failed load never leaves
 * the caller's handle changed. Best effort: a matrix that cannot be
 * rearranged (an inf/NaN scale, no memory for 4 rows of scratch) stays Q4_0,
 * which gives the same results. Never the embedding table (tok_embd is read
 * by row, and the tied output is the same bytes). */
static void repack_mat(mn_model *m, mn_wmat *w)
{
    if (!w->data || w->type != MN_TYPE_Q4_0) return;
    void *bytes = mn_gguf_writable(m->g, w->data, w->rows * w->row_bytes);
    if (!bytes || mn_q4_0_r4_repack(bytes, w->rows, w->cols) != MN_OK) return;
    w->type = MN_TYPE_Q4_0_R4;
    m->repacked_bytes += (uint64_t)w->rows * w->row_bytes;
}

static void repack_weights(mn_model *m, unsigned flags)
{
    if ((flags & MN_MODEL_NO_REPACK) || !((flags & MN_MODEL_REPACK) || mn_q4_0_r4_preferred())) return;
    for (size_t il = 0; il < m->hp.n_layer; il++) {
        mn_layer *L = &m->layers[il];
        mn_wmat *all[] = MN_LAYER_MATS(L);
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) repack_mat(m, all[i]);
    }
    if (!m->tied_output) repack_mat(m, &m->output);
}

/* ------------------------------------------------------------ tokenizer */

static int32_t special_id(kctx *k, const char *name, size_t n_vocab)
{
    uint64_t v = 0;
    char err[8];
    kctx q = *k;
    q.err = err;
    q.cap = sizeof err;
    if (key_uint(&q, name, 0, UINT64_MAX, 0, UINT64_MAX, &v) != MN_OK) return -1;
    return v < n_vocab ? (int32_t)v : -1;
}

static void add_eog(mn_model *m, int32_t id)
{
    if (id < 0) return;
    for (size_t i = 0; i < m->n_eog; i++)
        if (m->eog[i] == id) return;
    if (m->n_eog < MN_MODEL_MAX_EOG) m->eog[m->n_eog++] = id;
}

int mn_model_is_eog(const mn_model *m, int32_t id)
{
    for (size_t i = 0; i < m->n_eog; i++)
        if (m->eog[i] == id) return 1;
    return 0;
}

static mn_status load_vocab(kctx *k, mn_model *m)
{
    size_t nv = m->hp.n_vocab;
    const char *tm;
    size_t tml;
    mn_status st = key_str(k, "tokenizer.ggml.model", &tm, &tml);
    if (st != MN_OK) return st;
    m->bos = special_id(k, "tokenizer.ggml.bos_token_id", nv);
    m->eos = special_id(k, "tokenizer.ggml.eos_token_id", nv);
    /* llama.cpp: SentencePiece vocabularies add BOS unless told otherwise, BPE ones do not */
    m->add_bos = str_eq(tm, tml, "llama");
    size_t kid;
    if (mn_gguf_find_key(k->g, "tokenizer.ggml.add_bos_token", &kid) == MN_OK) {
        int b;
        if (mn_gguf_get_bool(k->g, kid, &b) != MN_OK)
            return fail(k, MN_E_GGUF_KEY_TYPE, "key tokenizer.ggml.add_bos_token: expected bool");
        m->add_bos = b;
    }
    if (m->bos < 0) m->add_bos = 0;
    add_eog(m, m->eos);
    add_eog(m, special_id(k, "tokenizer.ggml.eot_token_id", nv));
    add_eog(m, special_id(k, "tokenizer.ggml.eom_token_id", nv));

    /* token texts: longest token, and the end-of-generation names llama.cpp knows */
    static const char *const eog_names[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
                                            "<|endoftext|>", "<EOT>", "<|end_of_text|>", "<|eom_id|>"};
    size_t tk, ttk;
    int et;
    size_t n = 0, ntype = 0;
    m->max_token_bytes = 16;
    if (mn_gguf_find_key(k->g, "tokenizer.ggml.tokens", &tk) != MN_OK) return MN_OK;
    if (mn_gguf_get_arr_info(k->g, tk, &et, &n) != MN_OK || et != MN_GGUF_STRING)
        return fail(k, MN_E_GGUF_KEY_TYPE, "key tokenizer.ggml.tokens: expected an array of strings");
    int have_types = mn_gguf_find_key(k->g, "tokenizer.ggml.token_type", &ttk) == MN_OK &&
                     mn_gguf_get_arr_info(k->g, ttk, &et, &ntype) == MN_OK && ntype == n;
    for (size_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        if (mn_gguf_get_arr_str(k->g, tk, i, &s, &len) != MN_OK) continue;
        if (len > m->max_token_bytes) m->max_token_bytes = len;
        if (i >= nv || len < 5 || s[0] != '<') continue;
        int32_t ty = 0;
        if (have_types && mn_gguf_get_arr_i32(k->g, ttk, i, &ty) != MN_OK) ty = 0;
        if (ty != 3 && ty != 4) continue; /* CONTROL or USER_DEFINED */
        for (size_t j = 0; j < sizeof eog_names / sizeof eog_names[0]; j++)
            if (str_eq(s, len, eog_names[j])) add_eog(m, (int32_t)i);
    }
    return MN_OK;
}

/* ---------------------------------------------------------------- load */

static mn_status model_load(mn_model **out, mn_gguf *g, mn_tokenizer *tok, unsigned flags, char *err,
                            size_t errCapacity)
{
    kctx k = {g, err, errCapacity, NULL};
    const char *a;
    size_t al;
    mn_status st = key_str(&k, "general.architecture", &a, &al);
    if (st != MN_OK) return st;
    if (!a) return fail(&k, MN_E_GGUF_KEY_MISSING, "key general.architecture: missing (required)");
    int arch;
    if (str_eq(a, al, "llama")) arch = MN_ARCH_LLAMA;
    else if (str_eq(a, al, "qwen2")) arch = MN_ARCH_QWEN2;
    else if (str_eq(a, al, "gpt2")) arch = MN_ARCH_GPT2;
    else return fail(&k, MN_E_MODEL_ARCH, "general.architecture '%.*s' is not supported (llama, qwen2, gpt2)",
                     (int)(al > 40 ? 40 : al), a);
    k.arch = arch == MN_ARCH_LLAMA ? "llama" : arch == MN_ARCH_QWEN2 ? "qwen2" : "gpt2";

    mn_model *m = mn_calloc_array(1, sizeof *m);
    if (!m) return fail(&k, MN_E_NOMEM, "out of memory");
    m->g = g;
    m->arch = arch;
    m->flags = flags;
    /* arena: every 1-D tensor in the file could be bound once */
    size_t cap = 0;
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        if (mn_gguf_tensor_info(g, i, &t) == MN_OK && t.ne[1] == 1 && t.ne[2] == 1 && t.ne[3] == 1)
            cap += (size_t)t.ne[0];
    }
    m->arena_cap = cap;
    m->arena = cap ? mn_calloc_array(cap, sizeof(float)) : NULL;
    if (cap && !m->arena) { st = fail(&k, MN_E_NOMEM, "out of memory"); goto bad; }
    if ((st = load_hparams(&k, m))) goto bad;
    if ((st = load_tensors(&k, m))) goto bad;
    if ((st = load_rope(&k, m))) goto bad;
    if ((st = load_vocab(&k, m))) goto bad;
    if (tok) {
        /* built by the caller from these keys: taken over only on success (the last step) */
        size_t kid, n = 0;
        int et;
        if (mn_gguf_find_key(g, "tokenizer.ggml.tokens", &kid) != MN_OK || mn_gguf_get_arr_info(g, kid, &et, &n) != MN_OK ||
            mn_tokenizer_vocab_size(tok) != n) {
            st = fail(&k, MN_E_INVALID_ARG, "the tokenizer given has %zu tokens, the file's tokenizer.ggml.tokens %zu",
                      mn_tokenizer_vocab_size(tok), n);
            goto bad;
        }
        m->tok = tok;
    } else if ((st = mn_model_tok_load(m, err, errCapacity))) goto bad;
    m->weight_bytes = mn_gguf_file_size(g) - mn_gguf_data_offset(g);
    repack_weights(m, flags);
    *out = m;
    return MN_OK;
bad:
    m->g = NULL; /* still the caller's */
    mn_model_free(m);
    return st;
}

mn_status mn_model_load_gguf(mn_model **out, mn_gguf *g, unsigned flags, char *err, size_t errCapacity)
{
    return mn_model_load_gguf_tok(out, g, NULL, flags, err, errCapacity);
}

mn_status mn_model_load_gguf_tok(mn_model **out, mn_gguf *g, mn_tokenizer *tok, unsigned flags, char *err,
                                 size_t errCapacity)
{
    if (err && errCapacity) err[0] = 0;
    if (out) *out = NULL;
    if (!out || !g) {
        if (err && errCapacity) snprintf(err, errCapacity, "%s is NULL", out ? "the GGUF handle" : "out");
        return MN_E_INVALID_ARG;
    }
    return model_load(out, g, tok, flags, err, errCapacity);
}

mn_status mn_model_load_file(mn_model **out, const char *path, unsigned flags, char *err, size_t errCapacity)
{
    if (err && errCapacity) err[0] = 0;
    if (out) *out = NULL;
    if (!out || !path) {
        if (err && errCapacity) snprintf(err, errCapacity, "%s is NULL", out ? "path" : "out");
        return MN_E_INVALID_ARG;
    }
    *out = NULL;
    mn_gguf *g = NULL;
    const int in_memory = (flags & MN_MODEL_NO_MMAP) || ((flags & MN_MODEL_REPACK) && !(flags & MN_MODEL_NO_REPACK));
    mn_status st = mn_gguf_open_file(&g, path, in_memory ? MN_GGUF_NO_MMAP : 0, err, errCapacity);
    if (st != MN_OK) return st;
    st = model_load(out, g, NULL, flags, err, errCapacity);
    if (st != MN_OK) mn_gguf_free(g);
    return st;
}

void mn_model_free(mn_model *m)
{
    if (!m) return;
    if (m->tok) mn_tokenizer_free(m->tok);
    free(m->layers);
    free(m->arena);
    free(m->rope_inv_freq);
    mn_gguf_free(m->g);
    free(m);
}

const char *mn_model_arch(const mn_model *m)
{
    if (!m) return "";
    return m->arch == MN_ARCH_LLAMA ? "llama" : m->arch == MN_ARCH_QWEN2 ? "qwen2" : "gpt2";
}
size_t mn_model_n_vocab(const mn_model *m) { return m ? m->hp.n_vocab : 0; }
size_t mn_model_n_ctx_train(const mn_model *m) { return m ? m->hp.n_ctx_train : 0; }
uint64_t mn_model_weight_bytes(const mn_model *m) { return m ? m->weight_bytes : 0; }
uint64_t mn_model_repacked_bytes(const mn_model *m) { return m ? m->repacked_bytes : 0; }

/* the part of one rearranged matrix inside [offset, offset + n) of the file */
static void restore_mat(const mn_wmat *w, const uint8_t *base, size_t offset, uint8_t *dst, size_t n)
{
    if (w->type != MN_TYPE_Q4_0_R4) return;
    const size_t start = (size_t)((const uint8_t *)w->data - base), len = w->rows * w->row_bytes;
    const size_t lo = offset > start ? offset : start, hi = offset + n < start + len ? offset + n : start + len;
    if (lo < hi) mn_q4_0_r4_read(w->data, w->rows, w->cols, lo - start, dst + (lo - offset), hi - lo);
}

mn_status mn_model_file_read(const mn_model *m, size_t offset, void *dst, size_t n)
{
    size_t size = 0;
    const uint8_t *base = m ? mn_gguf_bytes(m->g, &size) : NULL;
    if (!base || (!dst && n) || offset > size || n > size - offset) return MN_E_INVALID_ARG;
    if (n == 0) return MN_OK;
    memcpy(dst, base + offset, n);
    if (!m->repacked_bytes) return MN_OK;
    for (size_t il = 0; il < m->hp.n_layer; il++) {
        mn_layer *L = &m->layers[il];
        const mn_wmat *all[] = MN_LAYER_MATS(L);
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) restore_mat(all[i], base, offset, dst, n);
    }
    restore_mat(&m->output, base, offset, dst, n);
    return MN_OK;
}
int32_t mn_model_bos(const mn_model *m) { return m ? m->bos : -1; }
int32_t mn_model_eos(const mn_model *m) { return m ? m->eos : -1; }
int mn_model_add_bos(const mn_model *m) { return m ? m->add_bos : 0; }
int mn_model_token_is_eog(const mn_model *m, int32_t id) { return m ? mn_model_is_eog(m, id) : 0; }
