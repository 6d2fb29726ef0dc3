/* Decoder models: the real stories260K (greedy ids as llama.cpp produces
 * them, the llama2.c .bin after conversion giving the same bits), seeded
 * synthetic models of every architecture and matrix type built here with
 * mn_gguf_writer (logits against the float64 numpy reference of
 * tests/reference/model_ref.py within stated tolerances, and a deliberately
 * wrong model failing them), golden logit hashes on every target,
 * batched == one-token == any thread count, load errors, context limits,
 * the sampler and generation.
 *
 * MN_TEST_MODEL_DUMP=DIR (native) writes the synthetic models to DIR for
 * the reference script. */
#include "mtest.h"
#include "minnow.h"
#include "model/convert.h"
#include "model/model_internal.h"
#include "core/pool.h"
#include "model/act.h"
#include "core/mathf.h"
#include "tensor/quant.h"
#include <math.h>
#include <stdlib.h>

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t fnv64(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}
static uint64_t hash_f32(const float *v, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) { uint32_t u = v[i] != v[i] ? 0x7FC00000u : f2u(v[i]); h = fnv64(&u, 4, h); }
    return h;
}

/* ------------------------------------------------------ synthetic models */
enum { ARCH_LLAMA, ARCH_QWEN2, ARCH_GPT2 };
enum { WRONG_NONE, WRONG_SWAP_LAYERS, WRONG_SWAP_GATE_UP };

typedef struct tm_spec {
    const char *name;
    int arch;
    uint32_t type;     /* every matrix */
    uint32_t alt_type; /* mixed models: attn_v and ffn_down in this type (0: none) */
    int tied;
    int n_rot;         /* llama: rope.dimension_count if nonzero */
    int rope_ext;      /* llama: freq_base 500000, linear scaling x4, rope_freqs.weight factors */
} tm_spec;

#define TM_E 256
#define TM_H 4
#define TM_F 512
#define TM_L 2
#define TM_V 256
#define TM_CTX 64

static const tm_spec k_specs[] = {
    {"llama-f32", ARCH_LLAMA, MN_Q_F32, 0, 0, 0, 0},
    {"llama-f16", ARCH_LLAMA, MN_Q_F16, 0, 1, 0, 0},
    {"llama-bf16", ARCH_LLAMA, MN_Q_BF16, 0, 0, 0, 0},
    {"llama-q8_0", ARCH_LLAMA, MN_Q_Q8_0, 0, 0, 0, 0},
    {"llama-q4_0", ARCH_LLAMA, MN_Q_Q4_0, 0, 1, 0, 0},
    {"llama-q4_1", ARCH_LLAMA, MN_Q_Q4_1, 0, 0, 0, 0},
    {"llama-q5_0", ARCH_LLAMA, MN_Q_Q5_0, 0, 0, 0, 0},
    {"llama-q5_1", ARCH_LLAMA, MN_Q_Q5_1, 0, 0, 0, 0},
    {"llama-q2_k", ARCH_LLAMA, MN_Q_Q2_K, 0, 0, 0, 0},
    {"llama-q3_k", ARCH_LLAMA, MN_Q_Q3_K, 0, 0, 0, 0},
    {"llama-q4_k", ARCH_LLAMA, MN_Q_Q4_K, 0, 0, 0, 0},
    {"llama-q5_k", ARCH_LLAMA, MN_Q_Q5_K, 0, 0, 0, 0},
    {"llama-q6_k", ARCH_LLAMA, MN_Q_Q6_K, 0, 0, 0, 0},
    {"llama-tq1_0", ARCH_LLAMA, MN_Q_TQ1_0, 0, 0, 0, 0},
    {"llama-tq2_0", ARCH_LLAMA, MN_Q_TQ2_0, 0, 0, 0, 0},
    {"llama-mixed", ARCH_LLAMA, MN_Q_Q4_K, MN_Q_Q8_0, 0, 32, 0},
    {"llama-rope", ARCH_LLAMA, MN_Q_F32, 0, 0, 0, 1},
    {"qwen2-f32", ARCH_QWEN2, MN_Q_F32, 0, 1, 0, 0},
    {"qwen2-q8_0", ARCH_QWEN2, MN_Q_Q8_0, 0, 1, 0, 0},
    {"qwen2-q4_k", ARCH_QWEN2, MN_Q_Q4_K, MN_Q_Q6_K, 1, 0, 0},
    {"gpt2-f32", ARCH_GPT2, MN_Q_F32, 0, 1, 0, 0},
    {"gpt2-q8_0", ARCH_GPT2, MN_Q_Q8_0, 0, 1, 0, 0},
    {"gpt2-q5_1", ARCH_GPT2, MN_Q_Q5_1, 0, 0, 0, 0},
    {"gpt2-q6_k", ARCH_GPT2, MN_Q_Q6_K, 0, 1, 0, 0},
};
#define N_SPECS (sizeof k_specs / sizeof k_specs[0])

typedef struct tm_buf { unsigned char *p; size_t n; } tm_buf;

/* Deliberate defects for the load-error tests. */
enum {
    MUT_NONE, MUT_NO_EMBD_LEN, MUT_ARCH_BAD, MUT_NO_TENSOR, MUT_BAD_SHAPE, MUT_KEY_TYPE, MUT_KV_HEADS,
    MUT_BAD_TYPE, MUT_NO_ARCH
};

/* Tensor payloads live until the writer is done. */
typedef struct tm_build {
    mn_gguf_writer *w;
    unsigned char **blobs;
    size_t n_blobs, cap_blobs;
    uint64_t seed;
    int fail;
} tm_build;

static void *tm_keep(tm_build *b, size_t n)
{
    if (b->n_blobs == b->cap_blobs) {
        size_t c = b->cap_blobs ? 2 * b->cap_blobs : 64;
        unsigned char **nb = realloc(b->blobs, c * sizeof *nb);
        if (!nb) { b->fail = 1; return NULL; }
        b->blobs = nb;
        b->cap_blobs = c;
    }
    unsigned char *p = malloc(n ? n : 1);
    if (!p) { b->fail = 1; return NULL; }
    b->blobs[b->n_blobs++] = p;
    return p;
}

/* uniform in [-1, 1) with 24 random bits: exact in float */
static float tm_unit(uint64_t *s) { return (float)((int64_t)(mt_rand(s) >> 40) - (1 << 23)) * 0x1p-23f; }

/* Add tensor `name` [cols, rows] of `type`, values center + scale * u drawn
 * from a stream seeded by `vname` (so storing one name's values under
 * another name swaps tensors). rows == 0: a 1-D tensor of cols values. */
static void tm_tensor_v(tm_build *b, const char *name, const char *vname, uint32_t type, size_t cols, size_t rows,
                        float center, float scale)
{
    if (b->fail) return;
    int one_d = rows == 0;
    if (one_d) rows = 1;
    uint64_t s = b->seed ^ fnv64(vname, strlen(vname), 0xcbf29ce484222325ull);
    float *row = malloc(cols * sizeof(float));
    size_t rb = mn_qrow_size(type, cols);
    unsigned char *data = tm_keep(b, rb * rows);
    if (!row || !data || !rb) { free(row); b->fail = 1; return; }
    const mn_qtraits *t = mn_qtraits_get(type);
    for (size_t r = 0; r < rows; r++) {
        for (size_t i = 0; i < cols; i++) row[i] = center + scale * tm_unit(&s);
        t->quantize_row(row, data + r * rb, cols);
    }
    free(row);
    int64_t ne[2] = {(int64_t)cols, (int64_t)rows};
    if (mn_gguf_writer_add_tensor(b->w, name, type, one_d ? 1 : 2, ne, data, rb * rows) != MN_OK) b->fail = 1;
}
#define tm_tensor(b, name, type, cols, rows, c, s) tm_tensor_v(b, name, name, type, cols, rows, c, s)

static const char *arch_name(int a) { return a == ARCH_LLAMA ? "llama" : a == ARCH_QWEN2 ? "qwen2" : "gpt2"; }

/* Build the GGUF bytes of a spec, with a deliberate bug in the weights
 * (wrong) or in the file (mut). */
static int tm_make(const tm_spec *sp, int wrong, int mut, tm_buf *out)
{
    tm_build b = {0};
    b.seed = 0x5eed0000ull + (uint64_t)sp->arch;
    memset(out, 0, sizeof *out);
    if (mn_gguf_writer_create(&b.w, 3, 32) != MN_OK) return 0;
    const char *a = mut == MUT_ARCH_BAD ? "mamba" : arch_name(sp->arch);
    char key[128];
    int gpt2 = sp->arch == ARCH_GPT2;
    size_t E = TM_E, H = TM_H, HKV = gpt2 ? TM_H : TM_H / 2, hd = E / H, F = gpt2 ? 2 * TM_F : TM_F;
    size_t K = HKV * hd;
#define KEY(k) (snprintf(key, sizeof key, "%s." k, a), key)
    if (mut != MUT_NO_ARCH) mn_gguf_writer_add_str(b.w, "general.architecture", a, strlen(a));
    mn_gguf_writer_add_str(b.w, "general.name", sp->name, strlen(sp->name));
    mn_gguf_writer_add_u32(b.w, KEY("context_length"), TM_CTX);
    if (mut == MUT_KEY_TYPE) mn_gguf_writer_add_str(b.w, KEY("embedding_length"), "256", 3);
    else if (mut != MUT_NO_EMBD_LEN) mn_gguf_writer_add_u32(b.w, KEY("embedding_length"), (uint32_t)E);
    mn_gguf_writer_add_u32(b.w, KEY("block_count"), TM_L);
    mn_gguf_writer_add_u32(b.w, KEY("feed_forward_length"), (uint32_t)F);
    mn_gguf_writer_add_u32(b.w, KEY("attention.head_count"), (uint32_t)H);
    mn_gguf_writer_add_u32(b.w, KEY("attention.head_count_kv"), mut == MUT_KV_HEADS ? 3u : (uint32_t)HKV);
    if (gpt2) {
        mn_gguf_writer_add_f32(b.w, KEY("attention.layer_norm_epsilon"), 1e-5f);
    } else {
        mn_gguf_writer_add_f32(b.w, KEY("attention.layer_norm_rms_epsilon"), 1e-5f);
        if (sp->arch == ARCH_QWEN2) mn_gguf_writer_add_f32(b.w, KEY("rope.freq_base"), 1000000.0f);
        if (sp->n_rot) mn_gguf_writer_add_u32(b.w, KEY("rope.dimension_count"), (uint32_t)sp->n_rot);
        if (sp->rope_ext) {
            mn_gguf_writer_add_f32(b.w, KEY("rope.freq_base"), 500000.0f);
            mn_gguf_writer_add_str(b.w, KEY("rope.scaling.type"), "linear", 6);
            mn_gguf_writer_add_f32(b.w, KEY("rope.scaling.factor"), 4.0f);
        }
    }
#undef KEY
    uint32_t T = sp->type, T2 = sp->alt_type ? sp->alt_type : sp->type;
    float se = sqrtf(3.0f / (float)E), sf = sqrtf(3.0f / (float)F);
    tm_tensor(&b, "token_embd.weight", T, E, TM_V, 0.0f, 1.0f);
    if (gpt2) tm_tensor(&b, "position_embd.weight", MN_Q_F32, E, TM_CTX, 0.0f, 0.5f);
    tm_tensor(&b, "output_norm.weight", MN_Q_F32, E, 0, 1.0f, 0.2f);
    if (gpt2) tm_tensor(&b, "output_norm.bias", MN_Q_F32, E, 0, 0.0f, 0.1f);
    if (!sp->tied) tm_tensor(&b, "output.weight", T, E, TM_V, 0.0f, se);
    if (sp->rope_ext) tm_tensor(&b, "rope_freqs.weight", MN_Q_F32, hd / 2, 0, 4.5f, 3.5f); /* factors in [1, 8) */
    for (int l = 0; l < TM_L; l++) {
        char n[64], v[64];
#define NM(what) (snprintf(n, sizeof n, "blk.%d." what, l), n)
#define VN(layer, what) (snprintf(v, sizeof v, "blk.%d.%s", layer, what), v)
        tm_tensor(&b, NM("attn_norm.weight"), MN_Q_F32, E, 0, 1.0f, 0.2f);
        tm_tensor(&b, NM("ffn_norm.weight"), MN_Q_F32, E, 0, 1.0f, 0.2f);
        /* WRONG_SWAP_LAYERS: layer 0 gets layer 1's attn_output and vice versa */
        int lo = wrong == WRONG_SWAP_LAYERS ? 1 - l : l;
        tm_tensor_v(&b, NM("attn_output.weight"), VN(lo, "attn_output.weight"), mut == MUT_BAD_TYPE ? MN_Q_Q8_K : T,
                    E, E, 0.0f, se);
        if (gpt2) {
            tm_tensor(&b, NM("attn_norm.bias"), MN_Q_F32, E, 0, 0.0f, 0.1f);
            tm_tensor(&b, NM("ffn_norm.bias"), MN_Q_F32, E, 0, 0.0f, 0.1f);
            tm_tensor(&b, NM("attn_qkv.weight"), T, E, E + 2 * K, 0.0f, se);
            tm_tensor(&b, NM("attn_qkv.bias"), MN_Q_F32, E + 2 * K, 0, 0.0f, 0.1f);
            tm_tensor(&b, NM("attn_output.bias"), MN_Q_F32, E, 0, 0.0f, 0.1f);
            tm_tensor(&b, NM("ffn_up.weight"), T, E, F, 0.0f, se);
            tm_tensor(&b, NM("ffn_up.bias"), MN_Q_F32, F, 0, 0.0f, 0.1f);
            tm_tensor(&b, NM("ffn_down.weight"), T2, F, E, 0.0f, sf);
            tm_tensor(&b, NM("ffn_down.bias"), MN_Q_F32, E, 0, 0.0f, 0.1f);
        } else {
            tm_tensor(&b, NM("attn_q.weight"), T, E, E, 0.0f, se);
            tm_tensor(&b, NM("attn_k.weight"), T, E, mut == MUT_BAD_SHAPE && l == 1 ? K + 64 : K, 0.0f, se);
            tm_tensor(&b, NM("attn_v.weight"), T2, E, K, 0.0f, se);
            if (sp->arch == ARCH_QWEN2) {
                tm_tensor(&b, NM("attn_q.bias"), MN_Q_F32, E, 0, 0.0f, 0.1f);
                tm_tensor(&b, NM("attn_k.bias"), MN_Q_F32, K, 0, 0.0f, 0.1f);
                tm_tensor(&b, NM("attn_v.bias"), MN_Q_F32, K, 0, 0.0f, 0.1f);
            }
            int sw = wrong == WRONG_SWAP_GATE_UP && l == 0;
            tm_tensor_v(&b, NM("ffn_gate.weight"), VN(l, sw ? "ffn_up.weight" : "ffn_gate.weight"), T, E, F, 0.0f, se);
            tm_tensor_v(&b, NM("ffn_up.weight"), VN(l, sw ? "ffn_gate.weight" : "ffn_up.weight"), T, E, F, 0.0f, se);
            if (!(mut == MUT_NO_TENSOR && l == 1)) tm_tensor(&b, NM("ffn_down.weight"), T2, F, E, 0.0f, sf);
        }
#undef NM
#undef VN
    }
    int ok = !b.fail;
    if (ok) {
        size_t n = mn_gguf_writer_size(b.w);
        ok = !mn_is_error(n) && (out->p = malloc(n)) != NULL;
        if (ok) { out->n = mn_gguf_writer_write(b.w, out->p, n); ok = out->n == n; }
    }
    mn_gguf_writer_free(b.w);
    for (size_t i = 0; i < b.n_blobs; i++) free(b.blobs[i]);
    free(b.blobs);
    if (!ok) { free(out->p); out->p = NULL; }
    return ok;
}

/* Load a model from bytes (the buffer must outlive the model). */
static mn_status tm_load(const tm_buf *buf, mn_model **m, char *err, size_t cap)
{
    mn_gguf *g = NULL;
    *m = NULL;
    mn_status st = mn_gguf_open_memory(&g, buf->p, buf->n, 0, err, cap);
    if (st != MN_OK) return st;
    st = mn_model_load_gguf(m, g, 0, err, cap);
    if (st != MN_OK) mn_gguf_free(g);
    return st;
}

/* The same model from a buffer the handle owns (a chunked loader's, as the
 * JS layer loads), so the load may rearrange weights (MN_MODEL_REPACK). */
static mn_status tm_load_owned(const tm_buf *buf, unsigned flags, mn_model **m, char *err, size_t cap)
{
    mn_gguf_loader *l = NULL;
    mn_gguf *g = NULL;
    *m = NULL;
    mn_status st = mn_gguf_loader_create(&l, buf->n, 0);
    for (size_t o = 0; st == MN_OK && o < buf->n; o += 65536)
        st = mn_gguf_loader_feed(l, buf->p + o, buf->n - o < 65536 ? buf->n - o : 65536);
    if (st == MN_OK) st = mn_gguf_loader_finish(l, &g);
    mn_gguf_loader_free(l);
    if (st != MN_OK) return st;
    st = mn_model_load_gguf(m, g, flags, err, cap);
    if (st != MN_OK) mn_gguf_free(g);
    return st;
}

/* Logits of tokens[0..n) in a fresh context: batched (eval_logits in passes
 * of n_batch) or one token at a time. @return 0 on failure (recorded). */
static int tm_logits(mn_model *m, const int32_t *tokens, size_t n, int threads, uint32_t n_batch, int one_by_one,
                     float *out)
{
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_ctx = 64;
    p.n_threads = threads;
    p.n_batch = n_batch;
    mn_ctx *c = NULL;
    char err[256] = "";
    mn_status st = mn_ctx_create(&c, m, &p, err, sizeof err);
    if (st != MN_OK) { MT_NOTE_FAIL("ctx: %s (%s)", err, mn_status_name(st)); return 0; }
    size_t nv = mn_model_n_vocab(m);
    int ok = 1;
    if (one_by_one) {
        for (size_t i = 0; i < n && ok; i++) {
            st = mn_ctx_eval(c, tokens + i, 1);
            if (st != MN_OK) { MT_NOTE_FAIL("eval: %s", mn_ctx_error(c)); ok = 0; break; }
            memcpy(out + i * nv, mn_ctx_logits(c), nv * sizeof(float));
        }
    } else {
        st = mn_ctx_eval_logits(c, tokens, n, out, n * nv);
        if (st != MN_OK) { MT_NOTE_FAIL("eval_logits: %s", mn_ctx_error(c)); ok = 0; }
        else if (memcmp(mn_ctx_logits(c), out + (n - 1) * nv, nv * sizeof(float))) {
            MT_NOTE_FAIL("mn_ctx_logits is not the last row of eval_logits");
            ok = 0;
        }
    }
    mn_ctx_free(c);
    return ok;
}

static const int32_t k_seq[] = {1, 17, 200, 33, 5, 250, 99, 42, 7, 128, 64, 3};
#define SEQ_N (sizeof k_seq / sizeof k_seq[0])

/* ---------------------------------------------------------- stories260K */
static mn_model *open_stories(void)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
    mn_model *m = NULL;
    mn_status st = mn_model_load_file(&m, path, 0, err, sizeof err);
    if (st != MN_OK) MT_NOTE_FAIL("load %s: %s (%s)", path, err, mn_status_name(st));
    return m;
}

/* A one-thread context of n_ctx tokens (NULL after recording a failure). */
static mn_ctx *ctx_of(mn_model *m, uint32_t n_ctx)
{
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_ctx = n_ctx;
    p.n_threads = 1;
    mn_ctx *c = NULL;
    char err[256] = "";
    if (mn_ctx_create(&c, m, &p, err, sizeof err) != MN_OK) MT_NOTE_FAIL("context: %s", err);
    return c;
}

/* Greedy from BOS with node-llama-cpp 3.22.1 (llama.cpp), temperature 0, on
 * ../shared/models/stories260K/stories260K.gguf: "Once upon a time, there
 * was a little girl named Lily. She loved to play outside in the park. One
 * day, she saw a big, red ball. She wanted to play with it, but it was too high" */
static const int32_t k_stories_greedy[60] = {
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337,
    410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352,
    266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415};

static void greedy_ids(mn_model *m, int threads, int32_t *out, size_t n)
{
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_ctx = 128;
    p.n_threads = threads;
    mn_ctx *c = NULL;
    char err[256] = "";
    if (mn_ctx_create(&c, m, &p, err, sizeof err) != MN_OK) { MT_NOTE_FAIL("ctx: %s", err); return; }
    mn_sampler_params sp;
    mn_sampler_params_default(&sp);
    sp.temperature = 0;
    int32_t t = mn_model_bos(m);
    for (size_t i = 0; i < n; i++) {
        if (mn_ctx_eval(c, &t, 1) != MN_OK || mn_ctx_sample(c, &sp, &t) != MN_OK) {
            MT_NOTE_FAIL("step %zu: %s", i, mn_ctx_error(c));
            break;
        }
        out[i] = t;
    }
    mn_ctx_free(c);
}

static void model_stories_greedy(void)
{
    mn_model *m = open_stories();
    if (!m) return;
    MT_EQ_STR(mn_model_arch(m), "llama");
    MT_EQ_INT(mn_model_n_vocab(m), 512);
    MT_EQ_INT(mn_model_bos(m), 1);
    MT_EQ_INT(mn_model_eos(m), 2);
    MT_CHECK(mn_model_add_bos(m));
    MT_CHECK(mn_model_token_is_eog(m, 2));
    int32_t ids[60];
    int tmax = mn_threads_max() < 3 ? mn_threads_max() : 3;
    for (int th = 1; th <= tmax; th++) {
        memset(ids, 0xff, sizeof ids);
        greedy_ids(m, th, ids, 60);
        for (int i = 0; i < 60; i++)
            if (ids[i] != k_stories_greedy[i]) {
                mn_model_free(m);
                MT_FAIL("threads %d: token %d is %d, llama.cpp gives %d", th, i, (int)ids[i], (int)k_stories_greedy[i]);
            }
    }
    mn_model_free(m);
}

/* The llama2.c checkpoint converted in memory gives the same bits as the
 * shipped GGUF, and its vocabulary keys equal the shipped ones. */
static void model_stories_convert(void)
{
    char p1[1024], p2[1024], err[256] = "";
    snprintf(p1, sizeof p1, "%s/models/stories260K/stories260K.bin", mt.shared_dir);
    snprintf(p2, sizeof p2, "%s/models/stories260K/tok512.bin", mt.shared_dir);
    size_t n1 = 0, n2 = 0;
    unsigned char *ck = mt_read_file(p1, &n1), *tk = mt_read_file(p2, &n2);
    if (!ck || !tk) { free(ck); free(tk); MT_FAIL("cannot read %s / %s", p1, p2); }
    mn_gguf_writer *w = NULL;
    mn_status st = mn_convert_llama2c(&w, ck, n1, tk, n2, err, sizeof err);
    tm_buf buf = {0};
    if (st == MN_OK) {
        buf.n = mn_gguf_writer_size(w);
        buf.p = malloc(buf.n);
        if (!buf.p || mn_gguf_writer_write(w, buf.p, buf.n) != buf.n) st = MN_E_NOMEM;
    }
    mn_gguf_writer_free(w);
    free(ck);
    free(tk);
    if (st != MN_OK) { free(buf.p); MT_FAIL("convert: %s (%s)", err, mn_status_name(st)); }
    /* truncated and v2 inputs are refused */
    static const unsigned char short_ck[27] = {64};
    MT_EQ_INT(mn_convert_llama2c(&w, short_ck, sizeof short_ck, NULL, 0, err, sizeof err), MN_E_CORRUPT);

    mn_model *mc = NULL, *ms = open_stories();
    st = tm_load(&buf, &mc, err, sizeof err);
    int ok = st == MN_OK && ms;
    if (st != MN_OK) MT_NOTE_FAIL("load converted: %s (%s)", err, mn_status_name(st));
    float *a = malloc(SEQ_N * 512 * sizeof(float)), *b = malloc(SEQ_N * 512 * sizeof(float));
    if (ok && a && b) {
        ok = tm_logits(ms, k_seq, SEQ_N, 1, 64, 0, a) && tm_logits(mc, k_seq, SEQ_N, 1, 64, 0, b);
        if (ok && memcmp(a, b, SEQ_N * 512 * sizeof(float))) MT_NOTE_FAIL("converted .bin logits differ from the GGUF's");
    }
    /* same vocabulary: tokens, types, special ids */
    if (ok) {
        mn_gguf *g1 = NULL, *g2 = NULL;
        char path[1024];
        snprintf(path, sizeof path, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
        if (mn_gguf_open_file(&g1, path, 0, NULL, 0) == MN_OK && mn_gguf_open_memory(&g2, buf.p, buf.n, 0, NULL, 0) == MN_OK) {
            const char *keys[] = {"tokenizer.ggml.tokens", "tokenizer.ggml.token_type"};
            for (int k = 0; k < 2; k++) {
                size_t k1, k2, n1a, n2a;
                int t1, t2;
                if (mn_gguf_find_key(g1, keys[k], &k1) || mn_gguf_find_key(g2, keys[k], &k2) ||
                    mn_gguf_get_arr_info(g1, k1, &t1, &n1a) || mn_gguf_get_arr_info(g2, k2, &t2, &n2a) || n1a != n2a) {
                    MT_NOTE_FAIL("%s differs in presence or length", keys[k]);
                    continue;
                }
                for (size_t i = 0; i < n1a; i++) {
                    if (t1 == MN_GGUF_STRING) {
                        const char *s1, *s2;
                        size_t l1, l2;
                        mn_gguf_get_arr_str(g1, k1, i, &s1, &l1);
                        mn_gguf_get_arr_str(g2, k2, i, &s2, &l2);
                        if (l1 != l2 || memcmp(s1, s2, l1)) { MT_NOTE_FAIL("token %zu: %.*s vs %.*s", i, (int)l1, s1, (int)l2, s2); break; }
                    } else {
                        int32_t v1, v2;
                        mn_gguf_get_arr_i32(g1, k1, i, &v1);
                        mn_gguf_get_arr_i32(g2, k2, i, &v2);
                        if (v1 != v2) { MT_NOTE_FAIL("token_type %zu: %d vs %d", i, (int)v1, (int)v2); break; }
                    }
                }
            }
        } else {
            MT_NOTE_FAIL("cannot reopen the GGUFs");
        }
        mn_gguf_free(g1);
        mn_gguf_free(g2);
    }
    free(a);
    free(b);
    mn_model_free(mc);
    mn_model_free(ms);
    free(buf.p);
}

/* ------------------------------------------------ determinism and goldens */

/* Batched (n_batch 64 and 5) == one token at a time == threads 1..4, bit for
 * bit; a text line per model with the hash of the model bytes and logits. */
static void check_determinism(const char *name, mn_model *m, const tm_buf *bytes, char *line, size_t cap)
{
    size_t nv = mn_model_n_vocab(m), n = SEQ_N;
    float *ref = malloc(n * nv * sizeof(float)), *x = malloc(n * nv * sizeof(float));
    if (!ref || !x) { free(ref); free(x); MT_NOTE_FAIL("oom"); return; }
    if (tm_logits(m, k_seq, n, 1, 64, 0, ref)) {
        if (tm_logits(m, k_seq, n, 1, 64, 1, x) && memcmp(ref, x, n * nv * sizeof(float)))
            MT_NOTE_FAIL("%s: one-token logits differ from batched", name);
        if (tm_logits(m, k_seq, n, 1, 5, 0, x) && memcmp(ref, x, n * nv * sizeof(float)))
            MT_NOTE_FAIL("%s: n_batch 5 logits differ from n_batch 64", name);
        int tmax = mn_threads_max() < 4 ? mn_threads_max() : 4;
        for (int th = 2; th <= tmax; th++) {
            if (tm_logits(m, k_seq, n, th, 64, 0, x) && memcmp(ref, x, n * nv * sizeof(float)))
                MT_NOTE_FAIL("%s: %d threads differ from 1", name, th);
            if (tm_logits(m, k_seq, n, th, 64, 1, x) && memcmp(ref, x, n * nv * sizeof(float)))
                MT_NOTE_FAIL("%s: %d threads one-token differ from 1", name, th);
        }
        for (size_t i = 0; i < n * nv; i++)
            if (!(ref[i] == ref[i]) || ref[i] > 1e4f || ref[i] < -1e4f) { MT_NOTE_FAIL("%s: logit %zu is %g", name, i, ref[i]); break; }
    }
    snprintf(line, cap, "%-12s model %016llx logits %016llx\n", name,
             bytes ? (unsigned long long)fnv64(bytes->p, bytes->n, 0xcbf29ce484222325ull) : 0ull,
             (unsigned long long)hash_f32(ref, n * nv));
    free(ref);
    free(x);
}

/* A Q4_0 model whose matrices the load rearranged (Q4_0_R4) must give the
 * line (logits hash) of the file's layout; the default rearranges exactly
 * where mn_q4_0_r4_preferred() (wasm, NEON), NO_REPACK never; a borrowed
 * buffer (tm_load) is never written. */
static void q4_0_layouts(const tm_spec *spec, const tm_buf *buf, const char *want)
{
    static const struct { unsigned flags; int repack; } cases[] = {
        {MN_MODEL_REPACK, 1}, {0, -1}, {MN_MODEL_NO_REPACK, 0}, {MN_MODEL_REPACK | MN_MODEL_NO_REPACK, 0}};
    /* the layer matrices, all Q4_0 (the tied output is the embedding table: kept) */
    const uint64_t all = (uint64_t)TM_L * ((2 * TM_E + TM_E) * TM_E / 32 * 18 + 3 * TM_E * TM_F / 32 * 18); /* q, o, k + v: E/2 rows each */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char err[256] = "", line[160];
        mn_model *m = NULL;
        mn_status st = tm_load_owned(buf, cases[c].flags, &m, err, sizeof err);
        if (st != MN_OK) { MT_NOTE_FAIL("%s flags %u: %s", spec->name, cases[c].flags, err); return; }
        int repack = cases[c].repack < 0 ? mn_q4_0_r4_preferred() : cases[c].repack;
        uint64_t got = mn_model_repacked_bytes(m);
        if (got != (repack ? all : 0))
            MT_NOTE_FAIL("%s flags %u: %llu bytes rearranged, expected %llu", spec->name, cases[c].flags,
                         (unsigned long long)got, (unsigned long long)(repack ? all : 0));
        check_determinism(spec->name, m, buf, line, sizeof line);
        /* the file's bytes as the file has them, whatever the layout in memory */
        uint8_t *copy = malloc(buf->n);
        for (size_t o = 0; copy && o < buf->n; o += 1000)
            MT_OK(mn_model_file_read(m, o, copy + o, buf->n - o < 1000 ? buf->n - o : 1000));
        if (!copy || memcmp(copy, buf->p, buf->n) != 0) MT_NOTE_FAIL("%s flags %u: mn_model_file_read != the file", spec->name, cases[c].flags);
        free(copy);
        MT_EQ_INT(mn_model_file_read(m, buf->n, &line, 1), MN_E_INVALID_ARG);
        MT_EQ_INT(mn_model_file_read(m, 0, NULL, 1), MN_E_INVALID_ARG);
        MT_OK(mn_model_file_read(m, buf->n, NULL, 0));
        mn_model_free(m);
        if (strcmp(line, want)) MT_NOTE_FAIL("flags %u:\n%s differs from\n%s", cases[c].flags, line, want);
    }
}

static void model_golden_logits(void)
{
    size_t cap = (N_SPECS + 4) * 96, len = 0;
    char *text = calloc(1, cap);
    if (!text) MT_FAIL("oom");
    const char *dump = getenv("MN_TEST_MODEL_DUMP");
    for (size_t i = 0; i < N_SPECS; i++) {
        tm_buf buf;
        char err[256] = "";
        if (!tm_make(&k_specs[i], WRONG_NONE, MUT_NONE, &buf)) { MT_NOTE_FAIL("%s: build failed", k_specs[i].name); continue; }
        if (dump && *dump) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.gguf", dump, k_specs[i].name);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(buf.p, 1, buf.n, f) != buf.n) MT_NOTE_FAIL("cannot write %s", path);
            if (f) fclose(f);
        }
        mn_model *m = NULL;
        mn_status st = tm_load(&buf, &m, err, sizeof err);
        if (st != MN_OK) {
            MT_NOTE_FAIL("%s: %s (%s)", k_specs[i].name, err, mn_status_name(st));
        } else {
            check_determinism(k_specs[i].name, m, &buf, text + len, cap - len);
            if (k_specs[i].type == MN_Q_Q4_0) q4_0_layouts(&k_specs[i], &buf, text + len);
            len += strlen(text + len);
        }
        mn_model_free(m);
        free(buf.p);
    }
    /* the forward pass's exp, over a grid and the edges */
    {
        enum { N = 4096 };
        static float xs[N];
        uint64_t r = 99;
        for (int i = 0; i < N; i++) xs[i] = (float)(-100.0 + 200.0 * (double)(mt_rand(&r) >> 11) * 0x1p-53);
        const float edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 88.0f, 88.5f, -87.33654f, -87.4f, -1e30f, 1e30f, INFINITY, -INFINITY, NAN};
        memcpy(xs, edges, sizeof edges);
        mn_exp_row(xs, xs, N);
        len += (size_t)snprintf(text + len, cap - len, "exp4         %016llx\n", (unsigned long long)hash_f32(xs, N));
    }
    mn_model *ms = open_stories();
    if (ms) {
        check_determinism("stories260K", ms, NULL, text + len, cap - len);
        len += strlen(text + len);
        mn_model_free(ms);
    }
    if (mt.case_failed) { free(text); return; }
    if (!mt_golden(__FILE__, __LINE__, "model/logits.txt", text, len)) { free(text); return; }
    free(text);
}

/* mn_exp4 accuracy against the double exp of core/mathf.h */
static void model_exp_accuracy(void)
{
    double worst = 0;
    float worst_x = 0;
    for (int i = 0; i <= 200000; i++) {
        float x = -87.0f + 175.0f * (float)i / 200000.0f, y = mn_exp1(x);
        double ref = mn_exp_d((double)x), rel = fabs((double)y - ref) / ref;
        if (rel > worst) { worst = rel; worst_x = x; }
    }
    if (worst > 4.0 * 0x1p-24) MT_FAIL("mn_exp4 relative error %.3g at %g (above 4 half-ulps)", worst, worst_x);
    MT_CHECK(mn_exp1(0.0f) == 1.0f);
    MT_CHECK(mn_exp1(-1000.0f) > 0.0f && mn_exp1(-1000.0f) < 1e-37f);
    MT_CHECK(mn_exp1(1000.0f) < INFINITY && mn_exp1(1000.0f) > 1e38f);
    float row[7] = {0, 1, 2, 3, 4, 5, 6}, one[7];
    mn_exp_row(one, row, 7);
    for (int i = 0; i < 7; i++) MT_CHECK(one[i] == mn_exp1(row[i])); /* tail lanes agree with full vectors */
}

/* ------------------------------------------------- float64 reference */
/* tests/golden/model/ref-<name>.bin from tests/reference/model_ref.py:
 * "MNRL" u32 version (1), u32 n_tokens, u32 n_vocab, i32 tokens[n], f32 logits[n][n_vocab]. */
typedef struct ref_file { int32_t *tokens; float *logits; size_t n, nv; unsigned char *raw; } ref_file;

static int read_ref(const char *name, ref_file *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/model/ref-%s.bin", mt.golden_dir, name);
    size_t len = 0;
    memset(r, 0, sizeof *r);
    unsigned char *b = mt_read_file(path, &len);
    uint32_t h[4];
    if (!b || len < 16) { free(b); MT_NOTE_FAIL("missing %s (run tests/reference/model_ref.py)", path); return 0; }
    memcpy(h, b, 16);
    if (memcmp(b, "MNRL", 4) || h[1] != 1 || len != 16 + 4 * (size_t)h[2] + 4 * (size_t)h[2] * h[3]) {
        free(b);
        MT_NOTE_FAIL("%s: bad header", path);
        return 0;
    }
    r->n = h[2];
    r->nv = h[3];
    r->raw = b;
    r->tokens = malloc(r->n * sizeof(int32_t));
    r->logits = malloc(r->n * r->nv * sizeof(float));
    if (!r->tokens || !r->logits) { free(r->tokens); free(r->logits); free(b); return 0; }
    memcpy(r->tokens, b + 16, r->n * 4);
    memcpy(r->logits, b + 16 + 4 * r->n, r->n * r->nv * 4);
    return 1;
}

/* max |a - ref| / rms(ref) */
static double ref_err(const float *a, const float *ref, size_t n)
{
    double ss = 0, mx = 0;
    for (size_t i = 0; i < n; i++) {
        ss += (double)ref[i] * ref[i];
        double d = fabs((double)a[i] - (double)ref[i]);
        if (!(d <= mx)) mx = d; /* NaN makes it NaN-large */
    }
    return mx / sqrt(ss / (double)n);
}

/* Tolerances on max |minnow - reference| / rms(reference logits).
 *  - F32/F16/BF16 matrices (no activation quantization): only float32 vs
 *    float64 rounding separates the two; measured <= 1.6e-6, tolerance 2e-5.
 *    These models check everything outside the matrix products (norms,
 *    RoPE, attention, SwiGLU/GELU, biases) tightly: a wrong RoPE base or
 *    epsilon moves the logits by far more.
 *  - Quantized matrices: the reference quantizes the activations exactly as
 *    ggml (Q8_0/Q8_1/Q8_K of the float32 row), so most models agree to
 *    ~1e-6 too; but an activation that sits within float32 noise of a
 *    rounding boundary quantizes to the neighbouring step in one of the two,
 *    and in these random models one such flip can move the logits by up to
 *    ~3e-2 (measured: model_ref.py perturbed by 1e-7 moves gpt2-q5_1 by
 *    2.6e-2, the same amount minnow differs). Tolerance 5e-2.
 *  - A deliberately wrong model (two tensors swapped) is off by >= 1.8
 *    (measured), and must exceed 10x the tolerance. */
static double tolerance(uint32_t type)
{
    return type == MN_Q_F32 || type == MN_Q_F16 || type == MN_Q_BF16 ? 2e-5 : 5e-2;
}

static double spec_err(const tm_spec *sp, int wrong, const ref_file *r, int *ok)
{
    tm_buf buf;
    char err[256] = "";
    mn_model *m = NULL;
    double e = -1;
    *ok = 0;
    if (!tm_make(sp, wrong, MUT_NONE, &buf)) { MT_NOTE_FAIL("%s: build failed", sp->name); return e; }
    mn_status st = tm_load(&buf, &m, err, sizeof err);
    float *x = malloc(r->n * r->nv * sizeof(float));
    if (st != MN_OK) MT_NOTE_FAIL("%s: %s", sp->name, err);
    else if (mn_model_n_vocab(m) != r->nv) MT_NOTE_FAIL("%s: vocab %zu vs reference %zu", sp->name, mn_model_n_vocab(m), r->nv);
    else if (x && tm_logits(m, r->tokens, r->n, 1, 64, 0, x)) { e = ref_err(x, r->logits, r->n * r->nv); *ok = 1; }
    free(x);
    mn_model_free(m);
    free(buf.p);
    return e;
}

static void model_reference(void)
{
    for (size_t i = 0; i < N_SPECS; i++) {
        const tm_spec *sp = &k_specs[i];
        ref_file r;
        if (!read_ref(sp->name, &r)) continue;
        int ok;
        double e = spec_err(sp, WRONG_NONE, &r, &ok), tol = tolerance(sp->type);
        if (ok && !(e <= tol)) MT_NOTE_FAIL("%s: error %.3g above tolerance %.3g", sp->name, e, tol);
        if (ok) printf("  %-12s max err / rms %.2e (tolerance %.0e)\n", sp->name, e, tol);
        /* deliberately wrong models must fail the same test */
        int wrongs[2] = {WRONG_SWAP_LAYERS, sp->arch == ARCH_GPT2 ? WRONG_NONE : WRONG_SWAP_GATE_UP};
        if (i % 4 == 0 || sp->type == MN_Q_F32)
            for (int k = 0; k < 2; k++) {
                if (wrongs[k] == WRONG_NONE) continue;
                double ew = spec_err(sp, wrongs[k], &r, &ok);
                if (ok && !(ew > 10 * tol))
                    MT_NOTE_FAIL("%s: a deliberately wrong model (%s) is within tolerance (%.3g)", sp->name,
                                 wrongs[k] == WRONG_SWAP_LAYERS ? "attn_output of layers 0/1 swapped" : "ffn_gate/ffn_up swapped", ew);
                if (ok) printf("  %-12s wrong model (%s): %.2e\n", sp->name, wrongs[k] == WRONG_SWAP_LAYERS ? "swap layers" : "swap gate/up", ew);
            }
        free(r.tokens);
        free(r.logits);
        free(r.raw);
    }
}

/* --------------------------------------------------------- load errors */
static void model_load_errors(void)
{
    static const struct { int mut; mn_status st; const char *needle; } cases[] = {
        {MUT_NO_EMBD_LEN, MN_E_GGUF_KEY_MISSING, "llama.embedding_length"},
        {MUT_KEY_TYPE, MN_E_GGUF_KEY_TYPE, "llama.embedding_length"},
        {MUT_ARCH_BAD, MN_E_MODEL_ARCH, "mamba"},
        {MUT_NO_ARCH, MN_E_GGUF_KEY_MISSING, "general.architecture"},
        {MUT_NO_TENSOR, MN_E_GGUF_TENSOR_MISSING, "blk.1.ffn_down.weight"},
        {MUT_BAD_SHAPE, MN_E_MODEL_TENSOR, "blk.1.attn_k.weight"},
        {MUT_KV_HEADS, MN_E_MODEL_HPARAM, "head_count_kv"},
        {MUT_BAD_TYPE, MN_E_MODEL_TENSOR, "attn_output.weight"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tm_buf buf;
        char err[256] = "";
        mn_model *m = NULL;
        if (!tm_make(&k_specs[0], WRONG_NONE, cases[i].mut, &buf)) MT_FAIL("build %zu", i);
        mn_status st = tm_load(&buf, &m, err, sizeof err);
        mn_model_free(m);
        free(buf.p);
        if (st != cases[i].st) MT_FAIL("case %zu: %s (%s), expected %s", i, mn_status_name(st), err, mn_status_name(cases[i].st));
        if (!strstr(err, cases[i].needle)) MT_FAIL("case %zu: message \"%s\" does not name %s", i, err, cases[i].needle);
        MT_CHECK(m == NULL);
    }
    /* a file that is not a model */
    char err[128];
    mn_model *m = (mn_model *)1;
    MT_EQ_INT(mn_model_load_file(&m, "/nonexistent/x.gguf", 0, err, sizeof err), MN_E_IO);
    MT_CHECK(m == NULL);
    MT_EQ_INT(mn_model_load_file(NULL, "x", 0, NULL, 0), MN_E_INVALID_ARG);
    /* NULL arguments fill err like every other failure */
    err[0] = 0;
    MT_EQ_INT(mn_model_load_file(NULL, "x", 0, err, sizeof err), MN_E_INVALID_ARG);
    MT_CHECK(strstr(err, "out") != NULL);
    m = (mn_model *)1;
    MT_EQ_INT(mn_model_load_file(&m, NULL, 0, err, sizeof err), MN_E_INVALID_ARG);
    MT_CHECK(m == NULL && strstr(err, "path") != NULL);
    MT_EQ_INT(mn_model_load_gguf(&m, NULL, 0, err, sizeof err), MN_E_INVALID_ARG);
    MT_CHECK(m == NULL && err[0] != 0);
    /* a GGUF given to the llama2.c converter says what it is */
    {
        mn_gguf_writer *w = (mn_gguf_writer *)1;
        static const unsigned char gguf_head[32] = {'G', 'G', 'U', 'F', 3};
        MT_EQ_INT(mn_convert_llama2c(&w, gguf_head, sizeof gguf_head, NULL, 0, err, sizeof err), MN_E_INVALID_ARG);
        MT_CHECK(w == NULL && strstr(err, "already a GGUF file") != NULL);
    }
    mn_model_free(NULL);
    mn_ctx_free(NULL);
}

/* ----------------------------------------------------- context limits */
static void model_ctx_limits(void)
{
    tm_buf buf;
    char err[256] = "";
    mn_model *m = NULL;
    if (!tm_make(&k_specs[0], WRONG_NONE, MUT_NONE, &buf)) MT_FAIL("build");
    if (tm_load(&buf, &m, err, sizeof err) != MN_OK) { free(buf.p); MT_FAIL("%s", err); }
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_ctx = 8;
    p.n_threads = 1;
    mn_ctx *c = NULL;
    mn_status st = mn_ctx_create(&c, m, &p, err, sizeof err);
    if (st != MN_OK) { mn_model_free(m); free(buf.p); MT_FAIL("ctx: %s", err); }
    int ok = 1;
#define CK(cond) do { if (!(cond)) { MT_NOTE_FAIL("check failed: %s", #cond); ok = 0; goto out; } } while (0)
    CK(mn_ctx_logits(c) == NULL);
    CK(mn_ctx_n_ctx(c) == 8);
    CK(mn_ctx_eval(c, k_seq, 6) == MN_OK);
    CK(mn_ctx_pos(c) == 6);
    float last[TM_V];
    memcpy(last, mn_ctx_logits(c), sizeof last);
    CK(mn_ctx_eval(c, k_seq, 3) == MN_E_CTX_FULL); /* 6 + 3 > 8: nothing evaluated */
    CK(mn_ctx_pos(c) == 6);
    CK(!memcmp(last, mn_ctx_logits(c), sizeof last));
    int32_t bad = TM_V;
    CK(mn_ctx_eval(c, &bad, 1) == MN_E_TOK_INVALID_ID);
    bad = -1;
    CK(mn_ctx_eval(c, &bad, 1) == MN_E_TOK_INVALID_ID);
    CK(mn_ctx_pos(c) == 6);
    float small[TM_V];
    CK(mn_ctx_eval_logits(c, k_seq, 2, small, TM_V) == MN_E_DST_TOO_SMALL);
    CK(mn_ctx_pos(c) == 6);
    CK(mn_ctx_eval(c, k_seq, 2) == MN_OK);
    CK(mn_ctx_pos(c) == 8);
    CK(mn_ctx_eval(c, k_seq, 1) == MN_E_CTX_FULL);
    CK(strstr(mn_ctx_error(c), "n_ctx") != NULL);
    CK(mn_ctx_truncate(c, 9) == MN_E_INVALID_ARG);
    CK(mn_ctx_truncate(c, 5) == MN_OK);
    CK(mn_ctx_pos(c) == 5 && mn_ctx_logits(c) == NULL);
    /* re-evaluating position 5 gives the same logits as before */
    CK(mn_ctx_eval(c, k_seq + 5, 1) == MN_OK);
    CK(!memcmp(last, mn_ctx_logits(c), sizeof last));

    /* generation that reaches n_ctx ends with a reason, not an error */
    {
        mn_gen_params gp;
        mn_gen_params_default(&gp);
        gp.max_tokens = 0;
        gp.sampler.temperature = 0;
        CK(mn_gen_begin_tokens(c, k_seq, 3, &gp) == MN_OK);
        CK(mn_ctx_pos(c) == 3);
        char piece[512];
        size_t len;
        int32_t tok;
        mn_gen_end end = MN_GEN_RUNNING;
        int steps = 0;
        while (end == MN_GEN_RUNNING && steps < 20) {
            CK(mn_gen_next(c, piece, sizeof piece, &len, &tok, &end) == MN_OK);
            steps++;
        }
        CK(end == MN_GEN_END_CTX_FULL || end == MN_GEN_END_EOS);
        if (end == MN_GEN_END_CTX_FULL) CK(steps == 6 && mn_ctx_pos(c) == 8);
        CK(mn_gen_next(c, piece, sizeof piece, &len, &tok, &end) == MN_E_STATE);
        CK(mn_gen_begin_tokens(c, k_seq, 9, &gp) == MN_E_CTX_FULL);
        CK(mn_gen_begin(c, "x", 1, &gp) == MN_E_STATE); /* no tokenizer in this model */
        CK(mn_ctx_tokenizer(c) == NULL);
    }
    /* sampler parameters out of range: MN_E_INVALID_ARG naming the parameter,
     * from mn_gen_begin*() and mn_ctx_sample() alike; nothing is evaluated */
    {
        static const struct { int field; float v; const char *name; } bad[] = {
            {0, -1.0f, "temperature"}, {0, NAN, "temperature"}, {0, INFINITY, "temperature"},
            {1, 1.5f, "top_p"}, {1, -0.1f, "top_p"}, {1, NAN, "top_p"},
            {2, 1.01f, "min_p"}, {2, -1.0f, "min_p"},
            {3, 0.0f, "repeat_penalty"}, {3, -1.0f, "repeat_penalty"}, {3, INFINITY, "repeat_penalty"},
            {4, NAN, "presence_penalty"}, {5, -INFINITY, "frequency_penalty"},
            {6, -3, "top_k"}, {7, -2, "penalty_last_n"},
        };
        CK(mn_ctx_truncate(c, 0) == MN_OK);
        CK(mn_ctx_eval(c, k_seq, 2) == MN_OK);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            mn_gen_params gp;
            mn_gen_params_default(&gp);
            mn_sampler_params *sp = &gp.sampler;
            switch (bad[i].field) {
            case 0: sp->temperature = bad[i].v; break;
            case 1: sp->top_p = bad[i].v; break;
            case 2: sp->min_p = bad[i].v; break;
            case 3: sp->repeat_penalty = bad[i].v; break;
            case 4: sp->presence_penalty = bad[i].v; break;
            case 5: sp->frequency_penalty = bad[i].v; break;
            case 6: sp->top_k = (int32_t)bad[i].v; break;
            default: sp->penalty_last_n = (int32_t)bad[i].v; break;
            }
            int32_t tok = 0;
            size_t pos = mn_ctx_pos(c);
            CK(mn_ctx_sample(c, sp, &tok) == MN_E_INVALID_ARG && tok == -1);
            CK(strstr(mn_ctx_error(c), bad[i].name) != NULL);
            CK(mn_gen_begin_tokens(c, k_seq, 3, &gp) == MN_E_INVALID_ARG);
            CK(strstr(mn_ctx_error(c), bad[i].name) != NULL);
            CK(mn_ctx_pos(c) == pos);
        }
        /* the edges are valid: greedy, top_p 0 and 1, min_p 0 and 1, a tiny penalty, whole history */
        mn_sampler_params ok_p;
        mn_sampler_params_default(&ok_p);
        ok_p.temperature = 0;
        ok_p.top_p = 0;
        ok_p.min_p = 1;
        ok_p.repeat_penalty = 1e-3f;
        ok_p.penalty_last_n = -1;
        ok_p.top_k = 0;
        int32_t tok = -1;
        CK(mn_ctx_sample(c, &ok_p, &tok) == MN_OK && tok >= 0 && tok < TM_V);
        ok_p.temperature = 1;
        ok_p.top_p = 1;
        ok_p.min_p = 0;
        CK(mn_ctx_sample(c, &ok_p, &tok) == MN_OK && tok >= 0 && tok < TM_V);
    }
out:
    mn_ctx_free(c);
    (void)ok;
#undef CK
    /* memory up front: the KV cache grows by 2 * n_layer * n_kv_dim floats per position */
    mn_ctx_params q = p;
    q.n_ctx = 16;
    size_t b16 = mn_model_ctx_bytes(m, &q);
    q.n_ctx = 32;
    size_t b32 = mn_model_ctx_bytes(m, &q);
    if (mn_is_error(b16) || mn_is_error(b32)) MT_NOTE_FAIL("ctx_bytes failed");
    else if (b32 - b16 < 16 * 2 * TM_L * (TM_H / 2) * (TM_E / TM_H) * sizeof(float))
        MT_NOTE_FAIL("ctx_bytes %zu -> %zu does not grow with the KV cache", b16, b32);
    char info[2048];
    size_t il = mn_model_info_json(m, info, sizeof info);
    if (mn_is_error(il) || !strstr(info, "\"arch\":\"llama\"") || !strstr(info, "\"n_head_kv\":2"))
        MT_NOTE_FAIL("info json: %s", mn_is_error(il) ? "error" : info);
    if (!mn_is_error(il) && mn_error_code(mn_model_info_json(m, info, il)) != MN_E_DST_TOO_SMALL)
        MT_NOTE_FAIL("info json does not refuse a short buffer");
    mn_model_free(m);
    free(buf.p);
    /* gpt2 positions are learned: no context beyond them */
    if (!tm_make(&k_specs[N_SPECS - 4], WRONG_NONE, MUT_NONE, &buf)) MT_FAIL("build gpt2");
    if (tm_load(&buf, &m, err, sizeof err) != MN_OK) { free(buf.p); MT_FAIL("%s", err); }
    p.n_ctx = TM_CTX + 1;
    MT_EQ_INT(mn_ctx_create(&c, m, &p, err, sizeof err), MN_E_INVALID_ARG);
    MT_CHECK(mn_is_error(mn_model_ctx_bytes(m, &p)));
    mn_model_free(m);
    free(buf.p);
}

/* ------------------------------------------------------------- sampler */
static int32_t draw(const mn_sampler_params *p, mn_rng *rng, const float *l, size_t n, const int32_t *h, size_t nh,
                    mn_sampler_scratch *s)
{
    return mn_sample(p, rng, l, n, h, nh, s);
}

static void model_sampler(void)
{
    enum { NV = 8 };
    mn_cand cand[NV];
    float probs[NV];
    uint32_t counts[NV] = {0};
    mn_sampler_scratch s = {cand, probs, counts};
    mn_rng rng;
    mn_rng_seed(&rng, 42);
    mn_sampler_params p;
    mn_sampler_params_default(&p);
    MT_CHECK(p.temperature == 0.8f && p.top_k == 40 && p.top_p == 0.95f && p.min_p == 0.05f && p.penalty_last_n == 64);
    float l[NV] = {1.0f, 3.0f, 3.0f, -2.0f, 0.5f, 2.9f, -1.0f, 0.0f};
    /* greedy: argmax, ties to the lowest id */
    p.temperature = 0;
    MT_EQ_INT(draw(&p, &rng, l, NV, NULL, 0, &s), 1);
    /* repetition penalty: divides positive logits (3 / 1.5 = 2 < 2.9), multiplies negative ones */
    int32_t hist[] = {1, 2, 3};
    p.repeat_penalty = 1.5f;
    MT_EQ_INT(draw(&p, &rng, l, NV, hist, 3, &s), 5);
    for (int i = 0; i < NV; i++) MT_EQ_INT(counts[i], 0); /* scratch left clean */
    p.penalty_last_n = 1; /* only token 3 is penalised now */
    MT_EQ_INT(draw(&p, &rng, l, NV, hist, 3, &s), 1);
    p.repeat_penalty = 1.0f;
    p.penalty_last_n = 64;
    /* presence: -0.2 once; frequency: -count * f */
    int32_t hist2[] = {1, 1, 2};
    p.presence_penalty = 0.05f;
    p.frequency_penalty = 0.05f;          /* 1: 3 - 0.1 - 0.05; 2: 3 - 0.05 - 0.05 */
    MT_EQ_INT(draw(&p, &rng, l, NV, hist2, 3, &s), 2);
    p.presence_penalty = p.frequency_penalty = 0;
    /* top-k 2: only ids 1 and 2 ever come out; top-k 1 is greedy at any temperature */
    p.temperature = 5.0f;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.top_k = 2;
    int seen[NV] = {0};
    for (int i = 0; i < 400; i++) seen[draw(&p, &rng, l, NV, NULL, 0, &s)]++;
    MT_CHECK(seen[1] > 100 && seen[2] > 100 && seen[1] + seen[2] == 400);
    p.top_k = 1;
    for (int i = 0; i < 50; i++) MT_EQ_INT(draw(&p, &rng, l, NV, NULL, 0, &s), 1);
    /* min-p 0.5 keeps logits >= 3 + ln 0.5 = 2.31: ids 1, 2, 5 */
    p.top_k = 0;
    p.min_p = 0.5f;
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 600; i++) seen[draw(&p, &rng, l, NV, NULL, 0, &s)]++;
    MT_CHECK(seen[1] > 0 && seen[2] > 0 && seen[5] > 0 && seen[1] + seen[2] + seen[5] == 600);
    /* top-p: softmax(l) puts 0.374 / 0.374 / 0.338 ... on 1, 2, 5 (temperature 1 for the filter);
     * p = 0.5 keeps {1, 2} */
    p.min_p = 0;
    p.top_p = 0.5f;
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 400; i++) seen[draw(&p, &rng, l, NV, NULL, 0, &s)]++;
    MT_CHECK(seen[1] + seen[2] == 400 && seen[1] > 100 && seen[2] > 100);
    /* the same seed draws the same sequence; another seed another one */
    mn_sampler_params_default(&p);
    int32_t a[64], b[64], c2[64];
    mn_rng r1, r2, r3;
    mn_rng_seed(&r1, 7);
    mn_rng_seed(&r2, 7);
    mn_rng_seed(&r3, 8);
    float flat[NV] = {1, 1, 1, 1, 1, 1, 1, 1};
    p.min_p = 0;
    for (int i = 0; i < 64; i++) {
        a[i] = draw(&p, &r1, flat, NV, NULL, 0, &s);
        b[i] = draw(&p, &r2, flat, NV, NULL, 0, &s);
        c2[i] = draw(&p, &r3, flat, NV, NULL, 0, &s);
    }
    MT_CHECK(!memcmp(a, b, sizeof a));
    MT_CHECK(memcmp(a, c2, sizeof a) != 0);
    /* the RNG's first outputs are fixed (same on every target) */
    mn_rng_seed(&r1, 0);
    MT_EQ_U64(mn_rng_next(&r1), 0x99ec5f36cb75f2b4ull); /* xoshiro256** after splitmix64(0) */
}

/* Seeded sampling on stories260K: the same tokens on every target (golden). */
static void model_sampled_golden(void)
{
    mn_model *m = open_stories();
    if (!m) return;
    char text[4096];
    size_t len = 0;
    mn_ctx *c = ctx_of(m, 256);
    if (!c) { mn_model_free(m); return; }
    static const struct { float temp; int32_t k; float top_p, min_p, rep; uint64_t seed; } runs[] = {
        {0.8f, 40, 0.95f, 0.05f, 1.0f, 42}, {1.0f, 0, 1.0f, 0.0f, 1.0f, 1}, {1.2f, 10, 0.9f, 0.1f, 1.3f, 123456789},
    };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        mn_gen_params gp;
        mn_gen_params_default(&gp);
        gp.sampler.temperature = runs[r].temp;
        gp.sampler.top_k = runs[r].k;
        gp.sampler.top_p = runs[r].top_p;
        gp.sampler.min_p = runs[r].min_p;
        gp.sampler.repeat_penalty = runs[r].rep;
        gp.sampler.seed = runs[r].seed;
        gp.max_tokens = 48;
        int32_t bos = 1;
        if (mn_gen_begin_tokens(c, &bos, 1, &gp) != MN_OK) { MT_NOTE_FAIL("begin: %s", mn_ctx_error(c)); break; }
        len += (size_t)snprintf(text + len, sizeof text - len, "run %zu:", r);
        mn_gen_end end = MN_GEN_RUNNING;
        while (end == MN_GEN_RUNNING) {
            char piece[512];
            size_t n;
            int32_t tok;
            if (mn_gen_next(c, piece, sizeof piece, &n, &tok, &end) != MN_OK) { MT_NOTE_FAIL("next: %s", mn_ctx_error(c)); break; }
            len += (size_t)snprintf(text + len, sizeof text - len, " %d", (int)tok);
        }
        len += (size_t)snprintf(text + len, sizeof text - len, " end %d\n", end);
    }
    mn_ctx_free(c);
    mn_model_free(m);
    if (!mt.case_failed) MT_GOLDEN("model/stories260K-sampled.txt", text, len);
}


/* ---------------------------------------------------------- generation */
static const char k_story[] = "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
                              "park. One day, she saw a big, red ball.";

typedef struct gen_acc { char text[4096]; size_t len; int32_t ids[256]; size_t n; int stop_after; } gen_acc;

static int gen_cb(void *user, const char *piece, size_t len, int32_t token)
{
    gen_acc *a = user;
    if (a->len + len < sizeof a->text) { memcpy(a->text + a->len, piece, len); a->len += len; a->text[a->len] = 0; }
    if (a->n < 256) a->ids[a->n++] = token;
    return a->stop_after && (int)a->n >= a->stop_after;
}

static int gen_text(mn_ctx *c, const char *prompt, const mn_gen_params *gp, gen_acc *a, mn_gen_end *end)
{
    memset(a, 0, sizeof *a);
    mn_status st = mn_generate(c, prompt, strlen(prompt), gp, gen_cb, a, end);
    if (st != MN_OK) { MT_NOTE_FAIL("generate: %s (%s)", mn_ctx_error(c), mn_status_name(st)); return 0; }
    return 1;
}

static void story_from(mn_model *m, const char *what)
{
    mn_ctx *c = ctx_of(m, 256);
    if (!c) { MT_NOTE_FAIL("%s: no context", what); return; }
    mn_gen_params gp;
    mn_gen_params_default(&gp);
    gp.sampler.temperature = 0;
    gp.max_tokens = 48;
    gen_acc a;
    mn_gen_end end;
    if (gen_text(c, "", &gp, &a, &end)) {
        if (strncmp(a.text, k_story, strlen(k_story)))
            MT_NOTE_FAIL("%s: greedy from BOS gives \"%s\", published: \"%s\"", what, a.text, k_story);
        if (end != MN_GEN_END_MAX_TOKENS || a.n != 48) MT_NOTE_FAIL("%s: end %d after %zu tokens", what, end, a.n);
    }
    mn_ctx_free(c);
}

/* One model, contexts on several threads at once: each context makes its own
 * tokenizer (from a private GGUF handle: nothing writes the shared one) and
 * encodes and decodes with it. Threads where the build has them (the pool
 * runs the tasks inline elsewhere); scripts/check-leaks runs this natively. */
typedef struct share_job {
    mn_model *m;
    mn_ctx *c[4];
    int ok[4];
} share_job;

static void share_task(void *arg, size_t begin, size_t end, int worker)
{
    share_job *j = arg;
    (void)worker;
    static const char text[] = "Once upon a time, Lily saw a big red ball.";
    for (size_t i = begin; i < end; i++) {
        mn_tokenizer *t = mn_ctx_tokenizer(j->c[i]);
        int32_t ids[64];
        char back[128];
        size_t n = t ? mn_tokenizer_encode(t, ids, 64, text, sizeof text - 1, MN_TOK_ADD_SPECIAL) : MN_ERROR_SIZE(MN_E_STATE);
        size_t b = !mn_is_error(n) ? mn_tokenizer_decode(t, back, sizeof back, ids, n, MN_TOK_SKIP_SPECIAL) : n;
        j->ok[i] = !mn_is_error(b) && b == sizeof text - 1 && !memcmp(back, text, b) && ids[0] == 1 &&
                   mn_ctx_tokenizer(j->c[i]) == t; /* made once */
    }
}

static void share_model_tokenizers(mn_model *m)
{
    share_job j;
    memset(&j, 0, sizeof j);
    j.m = m;
    for (int i = 0; i < 4; i++) j.c[i] = ctx_of(m, 16);
    mn_pool *pool = NULL;
    MT_CHECK(mn_pool_create(&pool, mn_threads_max() < 4 ? mn_threads_max() : 4) == MN_OK);
    if (j.c[0] && j.c[1] && j.c[2] && j.c[3]) mn_pool_for(pool, 4, 1, share_task, &j);
    mn_pool_free(pool);
    for (int i = 0; i < 4; i++) {
        if (!j.ok[i]) MT_NOTE_FAIL("context %d: its tokenizer does not round-trip (%s)", i, j.c[i] ? mn_ctx_error(j.c[i]) : "no context");
        for (int k = 0; k < i; k++)
            if (j.c[i] && j.c[k] && mn_ctx_tokenizer(j.c[i]) == mn_ctx_tokenizer(j.c[k])) MT_NOTE_FAIL("contexts %d and %d share a tokenizer", k, i);
    }
    for (int i = 0; i < 4; i++) mn_ctx_free(j.c[i]);
}

static void model_stories_text(void)
{
    mn_model *m = open_stories();
    if (!m) return;
    share_model_tokenizers(m);
    story_from(m, "stories260K.gguf");
    mn_model_free(m);
    /* the .bin form, converted in memory */
    char p1[1024], p2[1024], err[256] = "";
    snprintf(p1, sizeof p1, "%s/models/stories260K/stories260K.bin", mt.shared_dir);
    snprintf(p2, sizeof p2, "%s/models/stories260K/tok512.bin", mt.shared_dir);
    size_t n1 = 0, n2 = 0;
    unsigned char *ck = mt_read_file(p1, &n1), *tk = mt_read_file(p2, &n2);
    mn_gguf_writer *w = NULL;
    tm_buf buf = {0};
    if (ck && tk && mn_convert_llama2c(&w, ck, n1, tk, n2, err, sizeof err) == MN_OK) {
        buf.n = mn_gguf_writer_size(w);
        buf.p = malloc(buf.n);
        if (buf.p && mn_gguf_writer_write(w, buf.p, buf.n) == buf.n && tm_load(&buf, &m, err, sizeof err) == MN_OK) {
            story_from(m, "stories260K.bin (converted)");
            mn_model_free(m);
        } else {
            MT_NOTE_FAIL("converted model: %s", err);
        }
    } else {
        MT_NOTE_FAIL("convert: %s", err);
    }
    mn_gguf_writer_free(w);
    free(buf.p);
    free(ck);
    free(tk);
}

/* The tokenizer built from the keys while the rest streams in
 * (mn_gguf_loader_metadata, as js/worker.js does), then handed to the model:
 * the same story; a tokenizer of another vocabulary is refused and stays the
 * caller's. */
static void model_load_tok(void)
{
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
    size_t len = 0;
    unsigned char *bytes = mt_read_file(path, &len);
    if (!bytes) MT_FAIL("cannot read %s", path);
    mn_gguf_loader *l = NULL;
    mn_gguf *g = NULL;
    mn_tokenizer *tok = NULL, *other = NULL;
    mn_model *m = NULL;
    MT_OK(mn_gguf_loader_create(&l, len, 0));
    for (size_t o = 0; o < len; o += 4096) {
        MT_OK(mn_gguf_loader_feed(l, bytes + o, len - o < 4096 ? len - o : 4096));
        mn_gguf *meta = NULL;
        if (!tok && mn_gguf_loader_metadata(l, &meta) == MN_OK) {
            MT_OK(mn_tokenizer_create_gguf(&tok, meta, err, sizeof err));
            mn_gguf_free(meta);
        }
    }
    MT_CHECK(tok != NULL);
    MT_OK(mn_gguf_loader_finish(l, &g));
    mn_gguf_loader_free(l);
    /* another vocabulary (GPT-2's 50257 tokens, not 512) */
    snprintf(path, sizeof path, "%s/tokenizers/gpt2/tokenizer.json", mt.shared_dir);
    MT_OK(mn_tokenizer_create_file(&other, path, err, sizeof err));
    MT_EQ_INT(mn_model_load_gguf_tok(&m, g, other, 0, err, sizeof err), MN_E_INVALID_ARG);
    MT_CHECK(m == NULL && strstr(err, "50257") != NULL);
    mn_tokenizer_free(other); /* still ours */
    MT_OK(mn_model_load_gguf_tok(&m, g, tok, 0, err, sizeof err));
    story_from(m, "stories260K.gguf, tokenizer built from its keys");
    share_model_tokenizers(m);
    mn_model_free(m); /* frees tok and g */
    free(bytes);
}

static void model_generate_stream(void)
{
    mn_model *m = open_stories();
    if (!m) return;
    mn_ctx *c = ctx_of(m, 128);
    if (!c) { mn_model_free(m); return; }
    mn_gen_params gp;
    mn_gen_params_default(&gp);
    gp.sampler.temperature = 0;
    gp.max_tokens = 30;
    gen_acc a, b;
    mn_gen_end end;
    int ok = 1;
#define CK(cond) do { if (!(cond)) { MT_NOTE_FAIL("check failed: %s (text \"%s\")", #cond, a.text); ok = 0; goto out; } } while (0)
    /* after a prompt the text continues it: decode(prompt + generated) = prompt + text */
    CK(gen_text(c, "Once upon a time", &gp, &a, &end));
    CK(!strncmp(a.text, ", there was a little girl named Lily.", 37));
    {
        mn_gen_stats s;
        mn_gen_stats_get(c, &s);
        CK(s.prompt_tokens == 5 && s.generated_tokens == 30); /* BOS + 4 */
        char dec[4096];
        int32_t all[64];
        size_t np = mn_tokenizer_encode(mn_ctx_tokenizer(c), all, 64, "Once upon a time", 16, MN_TOK_ADD_SPECIAL);
        CK(!mn_is_error(np) && np == 5);
        memcpy(all + np, a.ids, a.n * sizeof(int32_t));
        size_t dl = mn_tokenizer_decode(mn_ctx_tokenizer(c), dec, sizeof dec - 1, all, np + a.n, MN_TOK_SKIP_SPECIAL);
        CK(!mn_is_error(dl));
        dec[dl] = 0;
        CK(dl == 16 + a.len && !memcmp(dec, "Once upon a time", 16) && !memcmp(dec + 16, a.text, a.len));
    }
    /* the KV cache is reused for a shared prefix: same text */
    CK(gen_text(c, "Once upon a time", &gp, &b, &end));
    CK(b.len == a.len && !memcmp(a.text, b.text, a.len));
    /* stop strings: across token boundaries, not part of the text */
    {
        const char *stops[] = {"park. One", "zzz"};
        gp.stop = stops;
        gp.n_stop = 2;
        gp.max_tokens = 60;
        CK(gen_text(c, "", &gp, &a, &end));
        CK(end == MN_GEN_END_STOP);
        CK(!strcmp(a.text, "Once upon a time, there was a little girl named Lily. She loved to play outside in the "));
        const char *stops2[] = {"Lily! ", "ball!"}; /* prefixes occur ("Lily", "ball") but never the whole */
        gp.stop = stops2;
        gp.max_tokens = 48;
        CK(gen_text(c, "", &gp, &b, &end));
        CK(end == MN_GEN_END_MAX_TOKENS && !strncmp(b.text, k_story, strlen(k_story)));
        gp.stop = NULL;
        gp.n_stop = 0;
    }
    /* the callback can stop generation */
    memset(&a, 0, sizeof a);
    a.stop_after = 3;
    CK(mn_generate(c, "", 0, &gp, gen_cb, &a, &end) == MN_OK);
    CK(end == MN_GEN_RUNNING && a.n == 3);
    /* a piece buffer below the bound is refused */
    {
        char small[8];
        size_t len;
        int32_t tok;
        CK(mn_gen_begin(c, "", 0, &gp) == MN_OK);
        CK(mn_gen_piece_bound(c) > sizeof small);
        CK(mn_gen_next(c, small, sizeof small, &len, &tok, &end) == MN_E_DST_TOO_SMALL);
    }
    /* EOS ends generation: stories end with </s> within a few hundred tokens */
    gp.max_tokens = 0;
    mn_ctx_free(c);
    CK((c = ctx_of(m, 512)) != NULL);
    CK(gen_text(c, "", &gp, &a, &end));
    CK(end == MN_GEN_END_EOS || end == MN_GEN_END_CTX_FULL);
out:
#undef CK
    (void)ok;
    mn_ctx_free(c);
    mn_model_free(m);
}

void suite_model(void)
{
    MT_RUN(model_stories_greedy);
    MT_RUN(model_stories_convert);
    MT_RUN(model_exp_accuracy);
    MT_RUN(model_golden_logits);
    MT_RUN(model_reference);
    MT_RUN(model_load_errors);
    MT_RUN(model_ctx_limits);
    MT_RUN(model_sampler);
    MT_RUN(model_sampled_golden);
    MT_RUN(model_stories_text);
    MT_RUN(model_load_tok);
    MT_RUN(model_generate_stream);
}
