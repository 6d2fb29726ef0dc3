/* Synthetic models (minnow synth) and llama.cpp's tensor type plan:
 * every architecture x a few types and vocabulary formats is generated in
 * memory, reopened by the validating reader, checked against llama.cpp's
 * naming and shape conventions, and its metadata + per-tensor hashes are
 * compared with a golden summary written natively (so the bytes are the same
 * on every target); 1 and 2 threads give the same bytes. `minnow quantize`
 * (mn_quantize_file) on stories260K likewise, plus its refusals. */
#include "mtest.h"
#include "minnow_gguf.h"
#include "gguf/qplan.h"
#include "gguf/quantize.h"
#include "gguf/synth.h"
#include "gguf/vocab_import.h"
#include "tensor/quant.h"
#include "tensor/types.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* ------------------------------------------------------------- the plan */

/* llama.cpp decides in its weights-map order (layer number, then name), and
 * Q4_K_M's "more bits" rule for 22 layers picks attn_v / ffn_down of layers
 * 0 1 4 7 10 13 16 19 20 21 (first and last eighth, every third between);
 * the names are given here last layer first to check that the plan sorts. */
static void plan_q4_k_m_order(void)
{
    enum { L = 22 };
    static char buf[L * 2][48];
    const char *names[L * 2 + 2];
    size_t n = 0, order[L * 2 + 2];
    for (int l = L - 1; l >= 0; l--) { /* names[2 * (L - 1 - l) + k] */
        snprintf(buf[2 * l], sizeof buf[0], "blk.%d.attn_v.weight", l);
        snprintf(buf[2 * l + 1], sizeof buf[0], "blk.%d.ffn_down.weight", l);
        names[n++] = buf[2 * l];
        names[n++] = buf[2 * l + 1];
    }
    names[n++] = "token_embd.weight";
    names[n++] = "output.weight";
    mn_qplan p;
    MT_OK(mn_qplan_init(&p, MN_FTYPE_Q4_K_M, 0, "llama", L, 32, 4, 0, names, n));
    mn_qplan_sort_names(names, order, n);
    uint32_t got[L * 2 + 2];
    for (size_t j = 0; j < n; j++) {
        size_t i = order[j];
        got[i] = mn_qplan_choose(&p, names[i], 2, 2048, MN_TYPE_F32);
    }
    static const int more[L] = {1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1};
    for (int l = 0; l < L; l++) {
        uint32_t want = more[l] ? MN_TYPE_Q6_K : MN_TYPE_Q4_K;
        const uint32_t *g = &got[2 * (L - 1 - l)];
        if (g[0] != want || g[1] != want)
            MT_FAIL("layer %d: attn_v %s ffn_down %s, want %s", l, mn_ggml_type_name(g[0]),
                    mn_ggml_type_name(g[1]), mn_ggml_type_name(want));
    }
    MT_EQ_INT(got[2 * L], MN_TYPE_Q4_K);     /* token_embd: not tied here */
    MT_EQ_INT(got[2 * L + 1], MN_TYPE_Q6_K); /* output */
    MT_EQ_INT(p.n_fallback, 0);
}

/* stories260K's shapes (dim 64, ffn 172): the fallbacks. */
static void plan_fallbacks(void)
{
    const char *names[] = {"token_embd.weight", "output.weight", "blk.0.ffn_down.weight", "blk.0.ffn_up.weight",
                           "blk.0.attn_norm.weight", "blk.0.attn_q.weight"};
    mn_qplan p;
    MT_OK(mn_qplan_init(&p, MN_FTYPE_Q4_0, 0, "llama", 5, 8, 4, 0, names, 6));
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.attn_norm.weight", 1, 64, MN_TYPE_F32), MN_TYPE_F32);
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.attn_q.weight", 2, 64, MN_TYPE_F32), MN_TYPE_Q4_0);
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.ffn_down.weight", 2, 172, MN_TYPE_F32), MN_TYPE_F16); /* 172 % 32 */
    MT_EQ_INT(mn_qplan_choose(&p, "output.weight", 2, 64, MN_TYPE_F32), MN_TYPE_Q8_0);        /* Q6_K -> 64 % 256 */
    MT_EQ_INT(mn_qplan_choose(&p, "token_embd.weight", 2, 64, MN_TYPE_F32), MN_TYPE_Q4_0);
    MT_EQ_INT(p.n_fallback, 2);
    MT_OK(mn_qplan_init(&p, MN_FTYPE_Q4_K_S, 1, "llama", 5, 8, 4, 0, names, 6)); /* pure */
    MT_EQ_INT(mn_qplan_choose(&p, "output.weight", 2, 512, MN_TYPE_F32), MN_TYPE_Q4_K);
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.ffn_up.weight", 2, 64, MN_TYPE_F32), MN_TYPE_Q5_0);
    MT_EQ_INT(mn_qplan_choose(&p, "position_embd.weight", 2, 256, MN_TYPE_F32), MN_TYPE_F32);
    MT_OK(mn_qplan_init(&p, MN_FTYPE_F16, 0, "gpt2", 5, 8, 8, 0, names, 3));
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.ffn_down.weight", 2, 172, MN_TYPE_F32), MN_TYPE_F16);
    MT_EQ_INT(mn_qplan_choose(&p, "blk.0.ffn_down.bias", 1, 172, MN_TYPE_F32), MN_TYPE_F32);
    /* tied: token_embd takes the output's type (Q6_K) */
    MT_OK(mn_qplan_init(&p, MN_FTYPE_Q5_1, 0, "qwen2", 5, 8, 4, 0, names + 2, 2));
    MT_EQ_INT(mn_qplan_choose(&p, "token_embd.weight", 2, 512, MN_TYPE_F32), MN_TYPE_Q6_K);
    uint32_t f;
    MT_OK(mn_ftype_parse("q4_k", &f));
    MT_EQ_INT(f, MN_FTYPE_Q4_K_M);
    MT_OK(mn_ftype_parse("TQ2_0", &f));
    MT_EQ_INT(mn_ftype_default_type(f), MN_TYPE_TQ2_0);
    MT_EQ_INT(mn_ftype_parse("IQ2_XS", &f), -1);
    MT_EQ_STR(mn_ftype_name(MN_FTYPE_Q5_K_M), "Q5_K_M");
}

/* ---------------------------------------------------------------- synth */

typedef struct synth_case {
    const char *name;   /* golden: synth/<name>.txt */
    const char *arch, *vocab, *type;
    uint32_t dim, heads, kv, ffn;
    int tied;           /* -1: the arch default */
    const char *model, *pre; /* expected tokenizer.ggml.model / .pre (NULL: absent) */
    size_t n_vocab;
} synth_case;

static const synth_case k_cases[] = {
    {"llama-tok512-q4_k_m", "llama", "models/stories260K/tok512.model", "Q4_K_M", 256, 4, 2, 512, -1, "llama", NULL, 512},
    {"llama-mistral-tq1_0", "llama", "tokenizers/hf/mistral.tokenizer.json", "TQ1_0", 64, 4, 2, 128, 1, "llama", NULL, 32000},
    {"qwen2-qwen3-q8_0", "qwen2", "tokenizers/hf/qwen3.tokenizer.json", "Q8_0", 64, 2, 1, 128, -1, "gpt2", "qwen2", 151669},
    {"gpt2-gpt2-q5_1", "gpt2", "tokenizers/gpt2/tokenizer.json", "Q5_1", 64, 2, 2, 256, -1, "gpt2", "gpt-2", 50257},
    {"bert-vocabtxt-f16", "bert", "tokenizers/bert-base-uncased/vocab.txt", "F16", 64, 2, 2, 128, -1, "bert", NULL, 30522},
    {"bert-bge-q4_0", "bert", "tokenizers/gguf-vocab/ggml-vocab-bert-bge.gguf", "Q4_0", 64, 2, 2, 128, -1, "bert", "bert-bge", 30522},
};

static int key_str(mn_gguf *g, const char *key, const char *want)
{
    size_t k, n;
    const char *s;
    if (mn_gguf_find_key(g, key, &k) != MN_OK) return want == NULL;
    if (!want || mn_gguf_get_str(g, k, &s, &n) != MN_OK) return 0;
    return n == strlen(want) && !memcmp(s, want, n);
}

static uint32_t key_u32(mn_gguf *g, const char *key)
{
    size_t k;
    uint32_t v = UINT32_MAX;
    if (mn_gguf_find_key(g, key, &k) == MN_OK) (void)mn_gguf_get_u32(g, k, &v);
    return v;
}

/* The tensor must exist with this shape (ne1 = 0: a 1-D tensor). */
static int has_tensor(mn_gguf *g, const char *name, int64_t ne0, int64_t ne1, mn_gguf_tensor *out)
{
    size_t i;
    mn_gguf_tensor t;
    if (mn_gguf_find_tensor(g, name, &i) != MN_OK || mn_gguf_tensor_info(g, i, &t) != MN_OK) return 0;
    if (out) *out = t;
    return t.ne[0] == ne0 && (ne1 ? t.n_dims == 2 && t.ne[1] == ne1 : t.n_dims == 1);
}

static unsigned char *make(const synth_case *c, mn_pool *pool, size_t *size, mn_synth_report *rep)
{
    char vocab[1024];
    snprintf(vocab, sizeof vocab, "%s/%s", mt.shared_dir, c->vocab);
    mn_synth_opts o;
    memset(&o, 0, sizeof o);
    if (mn_synth_preset("tiny", c->arch, &o.shape) != 0) { MT_NOTE_FAIL("preset"); return NULL; }
    o.shape.n_embd = c->dim;
    o.shape.n_head = c->heads;
    o.shape.n_head_kv = c->kv;
    o.shape.n_ff = c->ffn;
    if (c->tied >= 0) o.shape.tied = c->tied;
    if (mn_ftype_parse(c->type, &o.ftype)) { MT_NOTE_FAIL("type %s", c->type); return NULL; }
    o.vocab_path = vocab;
    o.seed = 42;
    o.pool = pool;
    mn_err err = {0};
    mn_synth *y = NULL;
    mn_status st = mn_synth_create(&y, &o, &err);
    if (st) { MT_NOTE_FAIL("%s: %s (%s)", c->name, err.msg, mn_status_name(st)); return NULL; }
    *size = mn_gguf_writer_size(mn_synth_writer(y));
    unsigned char *buf = malloc(*size);
    if (!buf || mn_gguf_writer_write(mn_synth_writer(y), buf, *size) != *size) {
        MT_NOTE_FAIL("%s: write: %s", c->name, mn_gguf_writer_error(mn_synth_writer(y)));
        free(buf);
        buf = NULL;
    }
    if (rep) *rep = *mn_synth_get_report(y);
    mn_synth_free(y);
    return buf;
}

/* Every value of every tensor is finite; matrices have mean ~0 and rms ~0.02-0.1. */
static void check_values(mn_gguf *g, const char *name)
{
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        MT_OK(mn_gguf_tensor_info(g, i, &t));
        const mn_qtraits *q = mn_qtraits_get(t.type);
        if (!q) MT_FAIL("%s: %s has type %u", name, t.name, t.type);
        size_t ne0 = (size_t)t.ne[0], rows = (size_t)(t.ne[1] * t.ne[2] * t.ne[3]), rb = mn_qrow_size(t.type, ne0);
        float *row = malloc(ne0 * sizeof *row);
        double sum = 0, sq = 0;
        size_t cnt = 0;
        for (size_t r = 0; r < rows; r += 1 + rows / 64) { /* a sample of rows */
            q->dequantize_row((const unsigned char *)t.data + r * rb, row, ne0);
            for (size_t e = 0; e < ne0; e++) {
                if (!isfinite(row[e])) { free(row); MT_FAIL("%s: %s[%zu][%zu] is not finite", name, t.name, r, e); }
                sum += row[e];
                sq += (double)row[e] * row[e];
                cnt++;
            }
        }
        free(row);
        double mean = sum / (double)cnt, rms = sqrt(sq / (double)cnt);
        int norm = strstr(t.name, "norm.weight") != NULL;
        if (norm ? fabs(mean - 1.0) > 0.05 : fabs(mean) > 0.02 || rms > 0.12 || rms < 0.004)
            MT_FAIL("%s: %s mean %g rms %g", name, t.name, mean, rms);
    }
}

static void synth_models(void)
{
    mn_pool *pool2 = NULL;
    if (mn_threads_max() >= 2) MT_OK(mn_pool_create(&pool2, 2));
    for (size_t ci = 0; ci < sizeof k_cases / sizeof k_cases[0]; ci++) {
        const synth_case *c = &k_cases[ci];
        size_t size = 0, size2 = 0;
        mn_synth_report rep;
        unsigned char *buf = make(c, NULL, &size, &rep);
        if (!buf) break;
        mn_gguf *g = NULL;
        char err[256] = "";
        int st = mn_gguf_open_memory(&g, buf, size, 0, err, sizeof err);
        if (st) { free(buf); MT_FAIL("%s: reopen: %s", c->name, err); }
        const int64_t E = c->dim, F = c->ffn, hd = E / c->heads, KV = hd * c->kv, V = (int64_t)c->n_vocab;
        char key[128], tn[64];
        mn_gguf_tensor t;
        int ok = key_str(g, "general.architecture", c->arch) && key_str(g, "tokenizer.ggml.model", c->model) &&
                 key_str(g, "tokenizer.ggml.pre", c->pre) && rep.n_vocab == c->n_vocab;
        snprintf(key, sizeof key, "%s.embedding_length", c->arch);
        ok = ok && key_u32(g, key) == c->dim;
        snprintf(key, sizeof key, "%s.block_count", c->arch);
        ok = ok && key_u32(g, key) == 2;
        snprintf(key, sizeof key, "%s.feed_forward_length", c->arch);
        ok = ok && key_u32(g, key) == c->ffn;
        snprintf(key, sizeof key, "%s.context_length", c->arch);
        ok = ok && key_u32(g, key) == 512;
        uint32_t ft;
        ok = ok && !mn_ftype_parse(c->type, &ft) && key_u32(g, "general.file_type") == ft;
        if (!ok) { mn_gguf_free(g); free(buf); MT_FAIL("%s: metadata", c->name); }
        ok = has_tensor(g, "token_embd.weight", E, V, NULL);
        for (int l = 0; ok && l < 2; l++) {
#define T2(suffix, a, b) (snprintf(tn, sizeof tn, "blk.%d." suffix, l), has_tensor(g, tn, a, b, &t))
            if (!strcmp(c->arch, "gpt2"))
                ok = T2("attn_qkv.weight", E, E + 2 * KV) && T2("attn_qkv.bias", E + 2 * KV, 0) &&
                     T2("attn_norm.bias", E, 0) && T2("ffn_up.bias", F, 0) && !T2("ffn_gate.weight", E, F);
            else if (!strcmp(c->arch, "bert"))
                ok = T2("attn_q.bias", E, 0) && T2("attn_output_norm.weight", E, 0) && T2("layer_output_norm.bias", E, 0);
            else
                ok = T2("attn_q.weight", E, E) && T2("attn_k.weight", E, KV) && T2("attn_v.weight", E, KV) &&
                     T2("ffn_gate.weight", E, F) && T2("ffn_norm.weight", E, 0) &&
                     T2("attn_q.bias", E, 0) == !strcmp(c->arch, "qwen2");
            ok = ok && T2("attn_output.weight", E, E) && T2("ffn_up.weight", E, F) && T2("ffn_down.weight", F, E);
#undef T2
        }
        int tied = mn_gguf_find_tensor(g, "output.weight", &(size_t){0}) != MN_OK;
        if (!strcmp(c->arch, "gpt2") || !strcmp(c->arch, "bert"))
            ok = ok && has_tensor(g, "position_embd.weight", E, 512, &t) && t.type == MN_TYPE_F32;
        if (!strcmp(c->arch, "bert"))
            ok = ok && has_tensor(g, "token_types.weight", E, 2, NULL) && key_u32(g, "tokenizer.ggml.token_type_count") == 2 &&
                 !has_tensor(g, "output_norm.weight", E, 0, NULL);
        else
            ok = ok && has_tensor(g, "output_norm.weight", E, 0, &t) && t.type == MN_TYPE_F32 &&
                 tied == (c->tied >= 0 ? c->tied : strcmp(c->arch, "llama") != 0);
        if (!ok) { mn_gguf_free(g); free(buf); MT_FAIL("%s: tensor names/shapes (last checked: %s)", c->name, tn); }
        check_values(g, c->name);
        /* golden: all metadata and every tensor's hash */
        char golden[128], *text = NULL;
        size_t tl = 0, tc = 0;
        for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
            MT_OK(mn_gguf_tensor_info(g, i, &t));
            char line[256];
            int k = snprintf(line, sizeof line, "%s %s [%" PRId64 ",%" PRId64 "] %016" PRIx64 "\n", t.name,
                             mn_ggml_type_name(t.type), t.ne[0], t.ne[1], fnv1a(t.data, t.nbytes));
            if (tl + (size_t)k + 1 > tc) { tc = (tc + (size_t)k + 1) * 2; text = realloc(text, tc); }
            memcpy(text + tl, line, (size_t)k);
            tl += (size_t)k;
        }
        char line[128];
        int k = snprintf(line, sizeof line, "file %zu bytes, header fnv %016" PRIx64 "\n", size,
                         fnv1a(buf, (size_t)mn_gguf_data_offset(g)));
        text = realloc(text, tl + (size_t)k + 1);
        memcpy(text + tl, line, (size_t)k);
        tl += (size_t)k;
        snprintf(golden, sizeof golden, "synth/%s.txt", c->name);
        int same = mt_golden(__FILE__, __LINE__, golden, text, tl);
        free(text);
        mn_gguf_free(g);
        if (same && pool2) { /* two threads: the same bytes */
            unsigned char *b2 = make(c, pool2, &size2, NULL);
            int eq = b2 && size2 == size && !memcmp(b2, buf, size);
            free(b2);
            if (!eq) { free(buf); MT_FAIL("%s: 2 threads give other bytes", c->name); }
        }
        free(buf);
        if (!same) break;
    }
    mn_pool_free(pool2);
}

/* Shapes that do not hold together are refused with a message. */
static void synth_errors(void)
{
    char vocab[1024];
    snprintf(vocab, sizeof vocab, "%s/models/stories260K/tok512.model", mt.shared_dir);
    mn_synth_opts o;
    memset(&o, 0, sizeof o);
    MT_EQ_INT(mn_synth_preset("nope", NULL, &o.shape), -1);
    MT_EQ_INT(mn_synth_preset("gpt2-small", "llama", &o.shape), -2);
    MT_EQ_INT(mn_synth_preset("tiny", NULL, &o.shape), -2);
    MT_OK(mn_synth_preset("tiny", "llama", &o.shape));
    o.vocab_path = vocab;
    mn_err err = {0};
    mn_synth *y = NULL;
    o.shape.n_head = 3;
    MT_EQ_INT(mn_synth_create(&y, &o, &err), MN_E_INVALID_ARG);
    MT_CHECK(strstr(err.msg, "heads") != NULL);
    MT_OK(mn_synth_preset("tiny", "gpt2", &o.shape));
    o.shape.n_head_kv = 2;
    MT_EQ_INT(mn_synth_create(&y, &o, &err), MN_E_INVALID_ARG);
    MT_OK(mn_synth_preset("tiny", "llama", &o.shape));
    o.vocab_path = "/nonexistent/tokenizer.json";
    MT_EQ_INT(mn_synth_create(&y, &o, &err), MN_E_IO);
    snprintf(vocab, sizeof vocab, "%s/models/stories260K/tok512.bin", mt.shared_dir); /* not a tokenizer we read */
    o.vocab_path = vocab;
    MT_EQ_INT(mn_synth_create(&y, &o, &err), MN_E_CORRUPT);
    MT_CHECK(y == NULL);
}

/* ---------------------------------------------------- hostile vocabularies */

static mn_status import_mem(const char *name, const void *buf, size_t n, const char *pre, mn_vocab_info *vi, mn_err *err)
{
    mn_gguf_writer *w = NULL;
    if (mn_gguf_writer_create(&w, 3, 0)) return MN_E_NOMEM;
    mn_status st = mn_vocab_import_mem(w, name, buf, n, pre, vi, err);
    mn_gguf_writer_free(w);
    return st;
}

/* Truncations, byte flips and odd files: a status, never a crash; the
 * llama.cpp traps (duplicate tokens, unknown pre-tokenizer) are refused. */
static void vocab_hostile(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/stories260K/tok512.model", mt.shared_dir);
    size_t n = 0;
    unsigned char *spm = mt_read_file(path, &n);
    if (!spm) MT_FAIL("cannot read %s", path);
    mn_vocab_info vi;
    mn_err err = {0};
    MT_OK(import_mem("tok512.model", spm, n, NULL, &vi, &err));
    MT_EQ_INT(vi.n_tokens, 512);
    MT_EQ_STR(vi.model, "llama");
    unsigned char *b = malloc(n);
    uint64_t seed = 99;
    for (int i = 0; i < 400; i++) {
        memcpy(b, spm, n);
        size_t len = n;
        if (i < 100) len = (size_t)(mt_rand(&seed) % n);
        else for (int k = 0; k < 1 + i % 4; k++) b[mt_rand(&seed) % n] = (unsigned char)mt_rand(&seed);
        mn_status st = import_mem("x.model", b, len, NULL, &vi, &err);
        if (st == MN_OK && vi.n_tokens == 0) { free(b); free(spm); MT_FAIL("case %d: ok with no tokens", i); }
        if (st != MN_OK && !err.msg[0]) { free(b); free(spm); MT_FAIL("case %d: no message", i); }
    }
    free(b);
    free(spm);
    static const char json[] =
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"\\u0120\":3},"
        "\"merges\":[\"a b\",[\"\\u0120\",\"a\"]]},"
        "\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"use_regex\":true},"
        "\"added_tokens\":[{\"id\":5,\"content\":\"<|endoftext|>\",\"special\":true}]}";
    MT_OK(import_mem("tokenizer.json", json, sizeof json - 1, NULL, &vi, &err));
    MT_EQ_INT(vi.n_tokens, 6); /* id 4 is a [PAD4] hole */
    MT_EQ_STR(vi.model, "gpt2");
    char *j = malloc(sizeof json);
    for (int i = 0; i < 300; i++) {
        memcpy(j, json, sizeof json);
        size_t len = sizeof json - 1;
        if (i < 60) len = (size_t)(mt_rand(&seed) % len);
        else j[mt_rand(&seed) % len] = (char)mt_rand(&seed);
        (void)import_mem("tokenizer.json", j, len, NULL, &vi, &err);
    }
    free(j);
    static const char dup[] = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\"]},"
                              "\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"added_tokens\":[{\"id\":1,\"content\":\"a\"}]}";
    if (import_mem("tokenizer.json", dup, sizeof dup - 1, NULL, &vi, &err) != MN_E_CORRUPT) MT_FAIL("dup: %s", err.msg);
    MT_CHECK(strstr(err.msg, "twice") != NULL);
    static const char odd_pre[] = "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a a\"]},"
                                  "\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\","
                                  "\"pattern\":{\"Regex\":\"x\"}},{\"type\":\"ByteLevel\",\"use_regex\":false}]}}";
    MT_EQ_INT(import_mem("tokenizer.json", odd_pre, sizeof odd_pre - 1, NULL, &vi, &err), MN_E_UNSUPPORTED);
    MT_OK(import_mem("tokenizer.json", odd_pre, sizeof odd_pre - 1, "gpt-2", &vi, &err)); /* named explicitly */
    static const char v1[] = "[PAD]\nhello\n##lo\nhello\n", v2[] = "[PAD]\r\n[UNK]\r\nhello\r\n##lo";
    MT_EQ_INT(import_mem("vocab.txt", v1, sizeof v1 - 1, NULL, &vi, &err), MN_E_CORRUPT);
    MT_OK(import_mem("vocab.txt", v2, sizeof v2 - 1, NULL, &vi, &err));
    MT_EQ_INT(vi.n_tokens, 4);
    MT_EQ_INT(import_mem("x.model", "", 0, NULL, &vi, &err), MN_E_CORRUPT);
}

/* ------------------------------------------------------------- quantize */

static void tmp_path(char *dst, size_t cap, const char *tag)
{
    snprintf(dst, cap, "%s/build/test-tmp-%s-%s.gguf", mt.source_dir, mn_target(), tag);
}

/* stories260K (F32) -> Q8_0: llama.cpp's plan (ffn_down's 172-wide rows fall
 * back to F16), metadata copied with general.file_type set, values close to
 * the originals, the same bytes on every target (golden) and thread count. */
static void quantize_stories(void)
{
    char in[1024], out[1024], out2[1024];
    snprintf(in, sizeof in, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
    tmp_path(out, sizeof out, "q8");
    tmp_path(out2, sizeof out2, "q8-t2");
    mn_quantize_opts o;
    memset(&o, 0, sizeof o);
    MT_OK(mn_ftype_parse("Q8_0", &o.ftype));
    mn_err err = {0};
    mn_quantize_report rep;
    mn_status st = mn_quantize_file(in, out, &o, &rep, &err);
    if (st) MT_FAIL("quantize: %s (%s)", err.msg, mn_status_name(st));
    MT_EQ_INT(rep.n_tensors, 48);
    MT_EQ_INT(rep.type_count[MN_TYPE_Q8_0], 32);
    MT_EQ_INT(rep.type_count[MN_TYPE_F16], 5);
    MT_EQ_INT(rep.type_count[MN_TYPE_F32], 11);
    mn_gguf *a = NULL, *b = NULL;
    char msg[256] = "";
    if (mn_gguf_open_file(&a, in, 0, msg, sizeof msg) || mn_gguf_open_file(&b, out, 0, msg, sizeof msg)) {
        mn_gguf_free(a);
        MT_FAIL("open: %s", msg);
    }
    MT_EQ_INT(mn_gguf_n_kv(b), mn_gguf_n_kv(a) + 2);
    MT_EQ_INT(key_u32(b, "general.file_type"), MN_FTYPE_Q8_0);
    MT_EQ_INT(key_u32(b, "general.quantization_version"), 2);
    MT_CHECK(key_str(b, "tokenizer.ggml.model", "llama"));
    double err2 = 0, ref2 = 0;
    for (size_t i = 0; i < mn_gguf_n_tensors(a); i++) {
        mn_gguf_tensor x, y;
        MT_OK(mn_gguf_tensor_info(a, i, &x));
        MT_OK(mn_gguf_tensor_info(b, i, &y));
        MT_EQ_STR(x.name, y.name);
        MT_CHECK(!memcmp(x.ne, y.ne, sizeof x.ne) && x.n_dims == y.n_dims);
        uint32_t want = x.n_dims == 1 ? MN_TYPE_F32 : x.ne[0] == 172 ? MN_TYPE_F16 : MN_TYPE_Q8_0;
        if (y.type != want) MT_FAIL("%s: %s", y.name, mn_ggml_type_name(y.type));
        size_t n = (size_t)(x.ne[0] * x.ne[1]);
        float *v = malloc(n * sizeof *v);
        mn_qtraits_get(y.type)->dequantize_row(y.data, v, n);
        for (size_t e = 0; e < n; e++) {
            float f;
            memcpy(&f, (const unsigned char *)x.data + 4 * e, 4);
            err2 += (double)(v[e] - f) * (v[e] - f);
            ref2 += (double)f * f;
        }
        free(v);
    }
    MT_CHECK(err2 / ref2 < 1e-4); /* Q8_0: ~0.4% rms relative error */
    uint64_t h = fnv1a(mn_gguf_bytes(b, NULL), (size_t)mn_gguf_file_size(b));
    char text[64];
    int k = snprintf(text, sizeof text, "stories260K Q8_0: %016" PRIx64 "\n", h);
    mn_gguf_free(a);
    mn_gguf_free(b);
    MT_GOLDEN("synth/quantize-stories260K-q8_0.txt", text, (size_t)k);
    if (mn_threads_max() >= 2) {
        mn_pool *pool = NULL;
        MT_OK(mn_pool_create(&pool, 2));
        o.pool = pool;
        st = mn_quantize_file(in, out2, &o, NULL, &err);
        mn_pool_free(pool);
        o.pool = NULL;
        size_t n1, n2;
        unsigned char *f1 = mt_read_file(out, &n1), *f2 = mt_read_file(out2, &n2);
        int same = !st && f1 && f2 && n1 == n2 && !memcmp(f1, f2, n1);
        free(f1);
        free(f2);
        remove(out2);
        if (!same) MT_FAIL("2 threads: other bytes (%s)", err.msg);
    }
    /* a quantized input: refused unless allowed; the output may be the input when asked (inplace) */
    MT_OK(mn_ftype_parse("Q4_0", &o.ftype));
    MT_EQ_INT(mn_quantize_file(out, out, &o, NULL, &err), MN_E_INVALID_ARG);
    MT_CHECK(strstr(err.msg, "the input file itself") != NULL);
    o.inplace = 1;
    MT_EQ_INT(mn_quantize_file(out, out, &o, NULL, &err), MN_E_UNSUPPORTED);
    MT_CHECK(strstr(err.msg, "requantiz") != NULL);
    o.allow_requantize = 1;
    st = mn_quantize_file(out, out, &o, &rep, &err);
    if (st) MT_FAIL("requantize in place: %s", err.msg);
    MT_EQ_INT(rep.type_count[MN_TYPE_Q4_0], 31);
    MT_OK(mn_gguf_open_file(&b, out, 0, msg, sizeof msg));
    MT_EQ_INT(key_u32(b, "general.file_type"), MN_FTYPE_Q4_0);
    mn_gguf_free(b);
    remove(out);
    MT_EQ_INT(mn_quantize_file("/nonexistent.gguf", out, &o, NULL, &err), MN_E_IO);
    o.ftype = 4; /* removed from llama.cpp */
    MT_EQ_INT(mn_quantize_file(in, out, &o, NULL, &err), MN_E_INVALID_ARG);
}

void suite_synth(void)
{
    MT_RUN(plan_q4_k_m_order);
    MT_RUN(plan_fallbacks);
    MT_RUN(synth_models);
    MT_RUN(synth_errors);
    MT_RUN(vocab_hostile);
    MT_RUN(quantize_stories);
}
