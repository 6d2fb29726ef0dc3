/* synth.c - synthetic GGUF models (see synth.h). */
#include "gguf/synth.h"
#include "gguf/qplan.h"
#include "gguf/vocab_import.h"
#include "minnow_gguf.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "tensor/quant.h"
#include "tensor/types.h"
#include <math.h> /* sqrtf only: IEEE correctly rounded on every target */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- shapes */

typedef struct preset {
    const char *name, *arch;
    uint32_t layers, dim, ffn, heads, kv, ctx;
    int tied;
} preset;

static const preset k_presets[] = {
    {"smollm-135m", "llama", 30, 576, 1536, 9, 3, 2048, 1},
    {"tinyllama-1.1b", "llama", 22, 2048, 5632, 32, 4, 2048, 0},
    {"qwen2-0.5b", "qwen2", 24, 896, 4864, 14, 2, 32768, 1},
    {"gpt2-small", "gpt2", 12, 768, 3072, 12, 12, 1024, 1},
    {"minilm-l6", "bert", 6, 384, 1536, 12, 12, 512, 1},
};

static int known_arch(const char *a)
{
    return a && (!strcmp(a, "llama") || !strcmp(a, "qwen2") || !strcmp(a, "gpt2") || !strcmp(a, "bert"));
}

void mn_synth_arch_defaults(mn_synth_shape *s)
{
    int llama = !strcmp(s->arch, "llama"), qwen2 = !strcmp(s->arch, "qwen2");
    s->rope_base = qwen2 ? 1000000.0f : 10000.0f;
    s->eps = llama ? 1e-5f : qwen2 ? 1e-6f : !strcmp(s->arch, "gpt2") ? 1e-5f : 1e-12f;
    if (!llama && !qwen2) s->n_head_kv = s->n_head; /* no GQA in gpt2 / bert */
    s->tied = !llama;
}

int mn_synth_preset(const char *shape, const char *arch, mn_synth_shape *out)
{
    memset(out, 0, sizeof *out);
    if (shape && !strcmp(shape, "tiny")) {
        if (!known_arch(arch)) return -2;
        snprintf(out->arch, sizeof out->arch, "%s", arch);
        out->n_layer = 2; out->n_embd = 256; out->n_ff = 512; out->n_head = 4; out->n_head_kv = 2; out->n_ctx = 512;
        mn_synth_arch_defaults(out);
        return 0;
    }
    for (size_t i = 0; shape && i < sizeof k_presets / sizeof k_presets[0]; i++) {
        const preset *p = &k_presets[i];
        if (strcmp(shape, p->name)) continue;
        if (arch && strcmp(arch, p->arch)) return -2;
        snprintf(out->arch, sizeof out->arch, "%s", p->arch);
        mn_synth_arch_defaults(out);
        out->n_layer = p->layers; out->n_embd = p->dim; out->n_ff = p->ffn;
        out->n_head = p->heads; out->n_head_kv = p->kv; out->n_ctx = p->ctx; out->tied = p->tied;
        return 0;
    }
    return -1;
}

const char *mn_synth_preset_names(void)
{
    return "smollm-135m (llama), tinyllama-1.1b (llama), qwen2-0.5b (qwen2), gpt2-small (gpt2), "
           "minilm-l6 (bert), tiny (any arch: 256 dim, 2 layers)";
}

/* ------------------------------------------------------------------ PRNG */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A centred bell-shaped integer: the sum of four 16-bit uniforms minus its
 * mean (variance 65536^2/3, so * sqrt(3)/65536 has unit variance). Exact. */
static int32_t bell(uint64_t *s)
{
    uint64_t r = splitmix(s);
    int32_t sum = (int32_t)(r & 0xffff) + (int32_t)((r >> 16) & 0xffff) + (int32_t)((r >> 32) & 0xffff) + (int32_t)(r >> 48);
    return sum - 2 * 65535;
}
#define BELL_UNIT (1.7320508f / 65536.0f)

/* ---------------------------------------------------------------- tensors */

enum { INIT_RANDOM, INIT_NORM };

typedef struct stensor {
    char name[MN_GGUF_NAME_MAX];
    uint32_t n_dims, type;
    int64_t ne[2];
    int init;
    float std;
    uint64_t seed; /* stream of this tensor, from (seed, name) */
} stensor;

typedef struct synth {
    stensor *t;
    size_t n, cap;
    mn_pool *pool;
    float *rowbuf;       /* one row of f32 per worker */
    size_t rowbuf_n;
    uint8_t *dst;        /* fill target while a tensor is produced */
    const stensor *cur;
    size_t row_bytes;
} synth;

static int add(synth *s, const char *name, uint32_t n_dims, int64_t ne0, int64_t ne1, int init, float std)
{
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 64;
        stensor *nt = realloc(s->t, c * sizeof *nt);
        if (!nt) return 0;
        s->t = nt;
        s->cap = c;
    }
    stensor *t = &s->t[s->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->n_dims = n_dims;
    t->ne[0] = ne0;
    t->ne[1] = n_dims > 1 ? ne1 : 1;
    t->init = init;
    t->std = std;
    return 1;
}

static int addf(synth *s, uint32_t n_dims, int64_t ne0, int64_t ne1, int init, float std, const char *fmt, int layer)
{
    char name[MN_GGUF_NAME_MAX];
    snprintf(name, sizeof name, fmt, layer);
    return add(s, name, n_dims, ne0, ne1, init, std);
}

/* The tensor list of llama.cpp's loader for each arch (src/models/<arch>.cpp). */
static int build_tensors(synth *s, const mn_synth_shape *h, int64_t n_vocab)
{
    const int64_t E = h->n_embd, F = h->n_ff, hd = h->n_embd / h->n_head;
    const int64_t Q = hd * h->n_head, KV = hd * h->n_head_kv;
    const float w = 0.02f, wo = 0.02f / sqrtf(2.0f * (float)h->n_layer), nb = 0.02f, nw = 0.05f;
    /* ffn_down is not scaled down but up for shallow models (0.02 * sqrt(32 / layers),
     * at least 0.02): the token-wise MLP path then outweighs both the (near-uniform)
     * attention average and, in tied models, the input token's own embedding, so
     * greedy text varies instead of repeating one token */
    const float wd = h->n_layer < 32 ? 0.02f * sqrtf(32.0f / (float)h->n_layer) : w;
    const char *a = h->arch;
    int llama = !strcmp(a, "llama"), qwen2 = !strcmp(a, "qwen2"), gpt2 = !strcmp(a, "gpt2"), bert = !strcmp(a, "bert");
    int ok = add(s, "token_embd.weight", 2, E, n_vocab, INIT_RANDOM, w);
    if (gpt2 || bert) ok = ok && add(s, "position_embd.weight", 2, E, h->n_ctx, INIT_RANDOM, 0.01f);
    if (bert) {
        ok = ok && add(s, "token_types.weight", 2, E, 2, INIT_RANDOM, w);
        ok = ok && add(s, "token_embd_norm.weight", 1, E, 1, INIT_NORM, nw);
        ok = ok && add(s, "token_embd_norm.bias", 1, E, 1, INIT_RANDOM, nb);
    }
    for (int l = 0; ok && l < (int)h->n_layer; l++) {
        if (llama || qwen2) {
            ok = addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.attn_norm.weight", l) &&
                 addf(s, 2, E, Q, INIT_RANDOM, w, "blk.%d.attn_q.weight", l) &&
                 addf(s, 2, E, KV, INIT_RANDOM, w, "blk.%d.attn_k.weight", l) &&
                 addf(s, 2, E, KV, INIT_RANDOM, w, "blk.%d.attn_v.weight", l);
            if (qwen2)
                ok = ok && addf(s, 1, Q, 1, INIT_RANDOM, nb, "blk.%d.attn_q.bias", l) &&
                     addf(s, 1, KV, 1, INIT_RANDOM, nb, "blk.%d.attn_k.bias", l) &&
                     addf(s, 1, KV, 1, INIT_RANDOM, nb, "blk.%d.attn_v.bias", l);
            ok = ok && addf(s, 2, Q, E, INIT_RANDOM, wo, "blk.%d.attn_output.weight", l) &&
                 addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.ffn_norm.weight", l) &&
                 addf(s, 2, E, F, INIT_RANDOM, w, "blk.%d.ffn_gate.weight", l) &&
                 addf(s, 2, E, F, INIT_RANDOM, w, "blk.%d.ffn_up.weight", l) &&
                 addf(s, 2, F, E, INIT_RANDOM, wd, "blk.%d.ffn_down.weight", l);
        } else if (gpt2) {
            ok = addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.attn_norm.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.attn_norm.bias", l) &&
                 addf(s, 2, E, Q + 2 * KV, INIT_RANDOM, w, "blk.%d.attn_qkv.weight", l) &&
                 addf(s, 1, Q + 2 * KV, 1, INIT_RANDOM, nb, "blk.%d.attn_qkv.bias", l) &&
                 addf(s, 2, E, E, INIT_RANDOM, wo, "blk.%d.attn_output.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.attn_output.bias", l) &&
                 addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.ffn_norm.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.ffn_norm.bias", l) &&
                 addf(s, 2, E, F, INIT_RANDOM, w, "blk.%d.ffn_up.weight", l) &&
                 addf(s, 1, F, 1, INIT_RANDOM, nb, "blk.%d.ffn_up.bias", l) &&
                 addf(s, 2, F, E, INIT_RANDOM, wd, "blk.%d.ffn_down.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.ffn_down.bias", l);
        } else { /* bert: post-norm */
            ok = addf(s, 2, E, Q, INIT_RANDOM, w, "blk.%d.attn_q.weight", l) &&
                 addf(s, 1, Q, 1, INIT_RANDOM, nb, "blk.%d.attn_q.bias", l) &&
                 addf(s, 2, E, KV, INIT_RANDOM, w, "blk.%d.attn_k.weight", l) &&
                 addf(s, 1, KV, 1, INIT_RANDOM, nb, "blk.%d.attn_k.bias", l) &&
                 addf(s, 2, E, KV, INIT_RANDOM, w, "blk.%d.attn_v.weight", l) &&
                 addf(s, 1, KV, 1, INIT_RANDOM, nb, "blk.%d.attn_v.bias", l) &&
                 addf(s, 2, E, E, INIT_RANDOM, wo, "blk.%d.attn_output.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.attn_output.bias", l) &&
                 addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.attn_output_norm.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.attn_output_norm.bias", l) &&
                 addf(s, 2, E, F, INIT_RANDOM, w, "blk.%d.ffn_up.weight", l) &&
                 addf(s, 1, F, 1, INIT_RANDOM, nb, "blk.%d.ffn_up.bias", l) &&
                 addf(s, 2, F, E, INIT_RANDOM, wd, "blk.%d.ffn_down.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.ffn_down.bias", l) &&
                 addf(s, 1, E, 1, INIT_NORM, nw, "blk.%d.layer_output_norm.weight", l) &&
                 addf(s, 1, E, 1, INIT_RANDOM, nb, "blk.%d.layer_output_norm.bias", l);
        }
    }
    if (ok && !bert) {
        ok = add(s, "output_norm.weight", 1, E, 1, INIT_NORM, nw);
        if (gpt2) ok = ok && add(s, "output_norm.bias", 1, E, 1, INIT_RANDOM, nb);
        if (!h->tied) ok = ok && add(s, "output.weight", 2, E, n_vocab, INIT_RANDOM, w);
    }
    return ok;
}

/* ------------------------------------------------------------ generation */

static void gen_rows(void *arg, size_t begin, size_t end, int worker)
{
    synth *s = arg;
    const stensor *t = s->cur;
    const mn_qtraits *q = mn_qtraits_get(t->type);
    float *row = s->rowbuf + (size_t)worker * s->rowbuf_n;
    const float scale = t->std * BELL_UNIT;
    for (size_t r = begin; r < end; r++) {
        uint64_t st = t->seed ^ ((uint64_t)r * 0xD1B54A32D192ED03ull);
        splitmix(&st); /* decorrelate neighbouring rows */
        for (int64_t i = 0; i < t->ne[0]; i++) {
            float v = (float)bell(&st) * scale;
            row[i] = t->init == INIT_NORM ? 1.0f + v : v;
        }
        q->quantize_row(row, s->dst + r * s->row_bytes, (size_t)t->ne[0]);
    }
}

static mn_status fill(void *user, size_t idx, void *dst, size_t size)
{
    synth *s = user;
    s->cur = &s->t[idx];
    s->dst = dst;
    s->row_bytes = mn_qrow_size(s->cur->type, (size_t)s->cur->ne[0]);
    if (!s->row_bytes || s->row_bytes * (size_t)s->cur->ne[1] != size) return MN_E_INVALID_ARG;
    mn_pool_for(s->pool, (size_t)s->cur->ne[1], 1, gen_rows, s);
    return MN_OK;
}

static uint64_t fnv(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return h;
}

/* ------------------------------------------------------------------ write */

static mn_status check_shape(const mn_synth_shape *h, mn_err *err)
{
    if (!known_arch(h->arch)) return mn_err_set(err, MN_E_INVALID_ARG, "unknown arch '%s' (llama, qwen2, gpt2, bert)", h->arch);
    if (!h->n_layer || !h->n_embd || !h->n_ff || !h->n_head || !h->n_head_kv || !h->n_ctx)
        return mn_err_set(err, MN_E_INVALID_ARG, "every dimension must be > 0");
    if (h->n_layer > 512) return mn_err_set(err, MN_E_INVALID_ARG, "%u layers: llama.cpp allows at most 512", h->n_layer);
    if (h->n_embd % h->n_head) return mn_err_set(err, MN_E_INVALID_ARG, "dim %u is not a multiple of %u heads", h->n_embd, h->n_head);
    if (h->n_head % h->n_head_kv) return mn_err_set(err, MN_E_INVALID_ARG, "%u heads are not a multiple of %u kv heads", h->n_head, h->n_head_kv);
    if ((!strcmp(h->arch, "gpt2") || !strcmp(h->arch, "bert")) && h->n_head_kv != h->n_head)
        return mn_err_set(err, MN_E_INVALID_ARG, "%s has no grouped-query attention (kv heads = heads)", h->arch);
    if ((h->n_embd / h->n_head) % 2) return mn_err_set(err, MN_E_INVALID_ARG, "head size %u is odd (rope needs pairs)", h->n_embd / h->n_head);
    if (h->n_embd > (1u << 20) || h->n_ff > (1u << 22) || h->n_ctx > (1u << 24))
        return mn_err_set(err, MN_E_INVALID_ARG, "dimensions too large");
    return MN_OK;
}

#define W(call) do { if (!st && (st = (call)) != MN_OK) mn_err_set(err, st, "%s", mn_gguf_writer_error(w)); } while (0)

static mn_status put_hparams(mn_gguf_writer *w, const mn_synth_opts *o, size_t n_vocab, mn_err *err)
{
    const mn_synth_shape *h = &o->shape;
    const char *a = h->arch;
    int rope = !strcmp(a, "llama") || !strcmp(a, "qwen2");
    char key[96], name[96];
    mn_status st = MN_OK;
#define K(suffix) (snprintf(key, sizeof key, "%s." suffix, a), key)
    snprintf(name, sizeof name, "synthetic %s", a);
    const char *nm = o->name ? o->name : name;
    W(mn_gguf_writer_add_str(w, "general.architecture", a, strlen(a)));
    W(mn_gguf_writer_add_str(w, "general.name", nm, strlen(nm)));
    W(mn_gguf_writer_add_u32(w, K("vocab_size"), (uint32_t)n_vocab));
    W(mn_gguf_writer_add_u32(w, K("context_length"), h->n_ctx));
    W(mn_gguf_writer_add_u32(w, K("embedding_length"), h->n_embd));
    W(mn_gguf_writer_add_u32(w, K("block_count"), h->n_layer));
    W(mn_gguf_writer_add_u32(w, K("feed_forward_length"), h->n_ff));
    W(mn_gguf_writer_add_u32(w, K("attention.head_count"), h->n_head));
    if (rope) {
        W(mn_gguf_writer_add_u32(w, K("attention.head_count_kv"), h->n_head_kv));
        W(mn_gguf_writer_add_f32(w, K("rope.freq_base"), h->rope_base));
        W(mn_gguf_writer_add_f32(w, K("attention.layer_norm_rms_epsilon"), h->eps));
        W(mn_gguf_writer_add_u32(w, K("rope.dimension_count"), h->n_embd / h->n_head));
    } else {
        W(mn_gguf_writer_add_f32(w, K("attention.layer_norm_epsilon"), h->eps));
    }
    if (!strcmp(a, "bert")) {
        W(mn_gguf_writer_add_bool(w, K("attention.causal"), 0));
        W(mn_gguf_writer_add_u32(w, K("pooling_type"), 1)); /* mean, as sentence-transformers MiniLM */
    }
    W(mn_gguf_writer_add_u32(w, "general.file_type", o->ftype));
    W(mn_gguf_writer_add_u32(w, "general.quantization_version", 2));
    W(mn_gguf_writer_add_u64(w, "minnow.synth.seed", o->seed));
#undef K
    return st;
}

struct mn_synth {
    synth s;
    mn_gguf_writer *w;
    mn_synth_report rep;
};

void mn_synth_free(mn_synth *y)
{
    if (!y) return;
    mn_gguf_writer_free(y->w);
    free(y->s.t);
    free(y->s.rowbuf);
    free(y);
}

mn_gguf_writer *mn_synth_writer(mn_synth *y) { return y ? y->w : NULL; }
const mn_synth_report *mn_synth_get_report(const mn_synth *y) { return y ? &y->rep : NULL; }

/* Append every key of the vocabulary writer vw to w (serialize, reopen, copy). */
static mn_status append_keys(mn_gguf_writer *w, mn_gguf_writer *vw, mn_err *err)
{
    size_t vn = mn_gguf_writer_size(vw);
    uint8_t *vb = mn_is_error(vn) ? NULL : mn_malloc(vn);
    mn_gguf *vg = NULL;
    char msg[256] = "";
    if (!vb) return mn_err_set(err, MN_E_NOMEM, "out of memory");
    mn_status st = mn_is_error(mn_gguf_writer_write(vw, vb, vn)) ? MN_E_NOMEM : MN_OK;
    if (!st) st = mn_gguf_open_memory(&vg, vb, vn, 0, msg, sizeof msg);
    for (size_t k = 0; !st && k < mn_gguf_n_kv(vg); k++) st = mn_gguf_writer_copy_key(w, vg, k);
    if (st) mn_err_set(err, st, "vocabulary keys: %s", vg ? mn_gguf_writer_error(w) : msg);
    mn_gguf_free(vg);
    mn_free(vb);
    return st;
}

mn_status mn_synth_create(mn_synth **out, const mn_synth_opts *o, mn_err *err)
{
    if (!out || !o || !o->vocab_path) return mn_err_set(err, MN_E_INVALID_ARG, "NULL argument");
    *out = NULL;
    mn_status st = check_shape(&o->shape, err);
    if (st) return st;
    if (mn_ftype_default_type(o->ftype) == UINT32_MAX) return mn_err_set(err, MN_E_INVALID_ARG, "unsupported file type %u", o->ftype);
    mn_synth *y = calloc(1, sizeof *y);
    if (!y) return mn_err_set(err, MN_E_NOMEM, "out of memory");
    synth *s = &y->s;
    s->pool = o->pool;
    mn_gguf_writer *w = NULL, *vw = NULL;
    const char **names = NULL;
    size_t *order = NULL;
    mn_vocab_info vi;
    if ((st = mn_gguf_writer_create(&y->w, 3, 0)) != MN_OK || (st = mn_gguf_writer_create(&vw, 3, 0)) != MN_OK) {
        mn_err_set(err, st, "cannot create a writer");
        goto done;
    }
    w = y->w;
    /* the vocabulary first (its size shapes the embeddings); its keys go after the hparams */
    if ((st = mn_vocab_import(vw, o->vocab_path, o->pre, &vi, err)) != MN_OK) goto done;
    if (!strcmp(o->shape.arch, "bert")) { /* bert needs it; a GGUF vocabulary may carry it already */
        st = mn_gguf_writer_add_u32(vw, "tokenizer.ggml.token_type_count", 2);
        if (st == MN_E_GGUF_DUP_KEY) st = MN_OK;
        else if (st) mn_err_set(err, st, "%s", mn_gguf_writer_error(vw));
    }
    if (!st) st = put_hparams(w, o, vi.n_tokens, err);
    if (!st) st = append_keys(w, vw, err);
    if (st) goto done;
    if (!build_tensors(s, &o->shape, (int64_t)vi.n_tokens)) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
    /* types: llama.cpp's plan, decided in sorted name order */
    names = malloc(s->n * sizeof *names);
    order = malloc(s->n * sizeof *order);
    if (!names || !order) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < s->n; i++) names[i] = s->t[i].name;
    mn_qplan plan;
    if ((st = mn_qplan_init(&plan, o->ftype, o->pure, o->shape.arch, (int)o->shape.n_layer, (int)o->shape.n_head,
                            (int)o->shape.n_head_kv, 0, names, s->n)) != MN_OK) {
        mn_err_set(err, st, "bad file type");
        goto done;
    }
    mn_qplan_sort_names(names, order, s->n);
    size_t maxrow = 0;
    for (size_t j = 0; j < s->n; j++) {
        stensor *t = &s->t[order[j]];
        t->type = mn_qplan_choose(&plan, t->name, t->n_dims, t->ne[0], MN_TYPE_F32);
        t->seed = o->seed ^ fnv(t->name);
        splitmix(&t->seed);
        if ((size_t)t->ne[0] > maxrow) maxrow = (size_t)t->ne[0];
    }
    int threads = o->pool ? mn_pool_threads(o->pool) : 1;
    s->rowbuf_n = maxrow;
    s->rowbuf = malloc((size_t)threads * maxrow * sizeof(float));
    if (!s->rowbuf) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
    mn_synth_report *rep = &y->rep;
    for (size_t i = 0; !st && i < s->n; i++) {
        stensor *t = &s->t[i];
        W(mn_gguf_writer_add_tensor_fn(w, t->name, t->type, t->n_dims, t->ne, fill, s));
        rep->n_params += (uint64_t)t->ne[0] * (uint64_t)t->ne[1];
        if (t->type < 64) rep->type_count[t->type]++;
    }
    rep->file_size = mn_gguf_writer_size(w);
    rep->n_tensors = s->n;
    rep->n_vocab = vi.n_tokens;
    rep->n_fallback = (size_t)plan.n_fallback;
done:
    mn_gguf_writer_free(vw);
    free(names);
    free(order);
    if (st) mn_synth_free(y);
    else *out = y;
    return st;
}

mn_status mn_synth_write(const mn_synth_opts *o, const char *path, mn_synth_report *rep, mn_err *err)
{
    mn_synth *y = NULL;
    mn_status st = mn_synth_create(&y, o, err);
    if (st) return st;
    if ((st = mn_gguf_writer_write_file(y->w, path)) != MN_OK) mn_err_set(err, st, "%s", mn_gguf_writer_error(y->w));
    if (!st && rep) *rep = y->rep;
    mn_synth_free(y);
    return st;
}
