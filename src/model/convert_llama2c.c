/*
 * convert_llama2c.c - llama2.c checkpoints (karpathy/llama2.c run.c format)
 * and their tokenizer.bin into a GGUF writer, with the keys and tensor
 * names llama.cpp's convert-llama2c-to-ggml writes.
 *
 * Contract, in the order that bites:
 *  - Formats: checkpoint v0 ("legacy": 7 int32 header, then f32 tensors;
 *    vocab_size < 0 means a separate classifier at the end) and v1 (magic
 *    "ak42", version 1, 256-byte header, norms first). Version 2 (int8
 *    groups) is refused. The byte count must be exactly what the header
 *    implies (a truncated or padded file is MN_E_CORRUPT).
 *  - Tensor data is borrowed from `ckpt` (little-endian f32, copied only when
 *    the writer serialises): keep it alive until the last write.
 *  - Layout: llama2.c stores PyTorch [out][in] matrices, which is GGUF's
 *    ne = [in, out]; no permutation (llama2.c rotates adjacent pairs, i.e.
 *    llama.cpp's "normal" RoPE).
 *  - Tokenizer (optional): int32 max_len, then per token f32 score, int32
 *    len, bytes. As llama.cpp's converter: id 0 "<unk>" (UNKNOWN), 1 "<s>"
 *    and 2 "</s>" (CONTROL), "<0xXX>" BYTE, other empty strings CONTROL,
 *    the rest NORMAL; spaces become U+2581.
 */
#include "model/convert.h"
#include "core/alloc.h"
#include "core/checked.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static mn_status cfail(char *err, size_t cap, mn_status st, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

static int32_t rd_i32(const unsigned char *p) { uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; int32_t v; memcpy(&v, &u, 4); return v; }
static float rd_f32(const unsigned char *p) { int32_t v = rd_i32(p); float f; memcpy(&f, &v, 4); return f; }

/* token types as in llama.cpp */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_BYTE = 6 };

static int is_byte_token(const unsigned char *s, size_t n)
{
    if (n != 6 || memcmp(s, "<0x", 3) || s[5] != '>') return 0;
    for (int i = 3; i < 5; i++) {
        unsigned c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return 0;
    }
    return 1;
}

static mn_status add_vocab(mn_gguf_writer *w, const unsigned char *tok, size_t tokSize, size_t n_vocab, char *err,
                           size_t cap)
{
    if (tokSize < 4) return cfail(err, cap, MN_E_CORRUPT, "tokenizer: shorter than its header");
    size_t o = 4;
    /* two passes: sizes, then strings with ' ' -> U+2581 (3 bytes) */
    size_t total = 0;
    for (size_t i = 0; i < n_vocab; i++) {
        if (tokSize - o < 8) return cfail(err, cap, MN_E_CORRUPT, "tokenizer: ends at token %zu of %zu", i, n_vocab);
        int32_t len = rd_i32(tok + o + 4);
        if (len < 0 || (size_t)len > tokSize - o - 8)
            return cfail(err, cap, MN_E_CORRUPT, "tokenizer: token %zu has a bad length %d", i, (int)len);
        size_t spaces = 0;
        for (int32_t j = 0; j < len; j++) spaces += tok[o + 8 + (size_t)j] == ' ';
        total += (size_t)len + 2 * spaces + 8;
        o += 8 + (size_t)len;
    }
    char *buf = malloc(total + 1);
    char **strs = mn_calloc_array(n_vocab, sizeof(char *));
    size_t *lens = mn_calloc_array(n_vocab, sizeof(size_t));
    float *scores = mn_calloc_array(n_vocab, sizeof(float));
    int32_t *types = mn_calloc_array(n_vocab, sizeof(int32_t));
    mn_status st = MN_OK;
    if (!buf || !strs || !lens || !scores || !types) { st = cfail(err, cap, MN_E_NOMEM, "out of memory"); goto done; }
    o = 4;
    size_t bo = 0;
    for (size_t i = 0; i < n_vocab; i++) {
        float score = rd_f32(tok + o);
        size_t len = (size_t)rd_i32(tok + o + 4);
        const unsigned char *s = tok + o + 8;
        o += 8 + len;
        char *d = buf + bo;
        size_t dl = 0;
        int type;
        const char *fixed = NULL;
        if (i == 0) { fixed = "<unk>"; type = TT_UNKNOWN; }
        else if (i == 1) { fixed = "<s>"; type = TT_CONTROL; }
        else if (i == 2) { fixed = "</s>"; type = TT_CONTROL; }
        else if (len == 0) type = TT_CONTROL;
        else if (is_byte_token(s, len)) type = TT_BYTE;
        else type = TT_NORMAL;
        if (fixed) {
            dl = strlen(fixed);
            memcpy(d, fixed, dl);
        } else {
            for (size_t j = 0; j < len; j++) {
                if (s[j] == ' ') { memcpy(d + dl, "\xe2\x96\x81", 3); dl += 3; }
                else d[dl++] = (char)s[j];
            }
        }
        strs[i] = d;
        lens[i] = dl;
        scores[i] = score;
        types[i] = type;
        bo += dl;
    }
#define W(expr) do { if ((st = (expr)) != MN_OK) { cfail(err, cap, st, "writing tokenizer keys: %s", mn_gguf_writer_error(w)); goto done; } } while (0)
    W(mn_gguf_writer_add_str(w, "tokenizer.ggml.model", "llama", 5));
    W(mn_gguf_writer_add_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)strs, lens, n_vocab));
    W(mn_gguf_writer_add_arr(w, "tokenizer.ggml.scores", MN_GGUF_F32, scores, n_vocab));
    W(mn_gguf_writer_add_arr(w, "tokenizer.ggml.token_type", MN_GGUF_I32, types, n_vocab));
    W(mn_gguf_writer_add_u32(w, "tokenizer.ggml.unknown_token_id", 0));
    W(mn_gguf_writer_add_u32(w, "tokenizer.ggml.bos_token_id", 1));
    W(mn_gguf_writer_add_u32(w, "tokenizer.ggml.eos_token_id", 2));
#undef W
done:
    free(buf);
    free(strs);
    free(lens);
    free(scores);
    free(types);
    return st;
}

mn_status mn_convert_llama2c(mn_gguf_writer **out, const void *ckpt, size_t ckptSize, const void *tok,
                             size_t tokSize, char *err, size_t errCapacity)
{
    const unsigned char *b = ckpt;
    if (err && errCapacity) err[0] = 0;
    if (!out || !ckpt) return MN_E_INVALID_ARG;
    *out = NULL;
    int32_t cfg[7];
    size_t hdr;
    int v1 = 0, shared;
    if (ckptSize >= 4 && !memcmp(b, "GGUF", 4))
        return cfail(err, errCapacity, MN_E_INVALID_ARG, "this is already a GGUF file (convert takes a llama2.c .bin checkpoint)");
    if (ckptSize >= 8 && rd_i32(b) == 0x616b3432) {
        int32_t ver = rd_i32(b + 4);
        if (ver != 1)
            return cfail(err, errCapacity, MN_E_UNSUPPORTED, "llama2.c checkpoint version %d (only 0 and 1)", (int)ver);
        if (ckptSize < 256) return cfail(err, errCapacity, MN_E_CORRUPT, "llama2.c v1: shorter than its header");
        for (int i = 0; i < 7; i++) cfg[i] = rd_i32(b + 8 + 4 * i);
        shared = b[36] != 0;
        hdr = 256;
        v1 = 1;
    } else {
        if (ckptSize < 28) return cfail(err, errCapacity, MN_E_CORRUPT, "llama2.c: shorter than its header");
        for (int i = 0; i < 7; i++) cfg[i] = rd_i32(b + 4 * i);
        shared = cfg[5] > 0;
        if (cfg[5] < 0) cfg[5] = cfg[5] == INT32_MIN ? 0 : -cfg[5];
        hdr = 28;
    }
    size_t dim = (size_t)(cfg[0] > 0 ? cfg[0] : 0), hidden = (size_t)(cfg[1] > 0 ? cfg[1] : 0);
    size_t nl = (size_t)(cfg[2] > 0 ? cfg[2] : 0), nh = (size_t)(cfg[3] > 0 ? cfg[3] : 0);
    size_t nkv = (size_t)(cfg[4] > 0 ? cfg[4] : 0), vocab = (size_t)(cfg[5] > 0 ? cfg[5] : 0);
    size_t seq = (size_t)(cfg[6] > 0 ? cfg[6] : 0);
    if (!dim || !hidden || !nl || !nh || !nkv || !vocab || !seq || dim > (1u << 20) || hidden > (1u << 22) ||
        nl > 4096 || vocab > (1u << 24) || seq > (1u << 24) || dim % nh || nh % nkv || (dim / nh) % 2)
        return cfail(err, errCapacity, MN_E_CORRUPT,
                     "llama2.c header: dim %d hidden %d layers %d heads %d kv_heads %d vocab %d seq_len %d is not a valid model",
                     (int)cfg[0], (int)cfg[1], (int)cfg[2], (int)cfg[3], (int)cfg[4], (int)cfg[5], (int)cfg[6]);
    size_t hs = dim / nh, kvd = nkv * hs;
    /* element counts of every tensor, in file order */
    size_t n_emb = vocab * dim, n_norm = nl * dim, n_q = nl * dim * dim, n_kv = nl * dim * kvd, n_o = nl * dim * dim;
    size_t n_ff = nl * dim * hidden, n_freq = v1 ? 0 : seq * hs; /* v0: freq_cis_real + imag (seq * hs/2 each) */
    size_t floats = n_emb + 2 * n_norm + n_q + 2 * n_kv + n_o + 3 * n_ff + dim + n_freq + (shared ? 0 : n_emb);
    size_t bytes = 0;
    if (!mn_mul_size(floats, 4, &bytes) || !mn_add_size(bytes, hdr, &bytes) || bytes != ckptSize)
        return cfail(err, errCapacity, MN_E_CORRUPT, "llama2.c: the header implies %zu bytes, the file has %zu",
                     bytes, ckptSize);

    const unsigned char *p = b + hdr;
    const unsigned char *emb, *att_norm, *ffn_norm, *fin_norm, *wq, *wk, *wv, *wo, *w1, *w2, *w3, *wcls;
    if (v1) {
        att_norm = p; p += 4 * n_norm;
        ffn_norm = p; p += 4 * n_norm;
        fin_norm = p; p += 4 * dim;
        emb = p; p += 4 * n_emb;
        wq = p; p += 4 * n_q;
        wk = p; p += 4 * n_kv;
        wv = p; p += 4 * n_kv;
        wo = p; p += 4 * n_o;
        w1 = p; p += 4 * n_ff;
        w2 = p; p += 4 * n_ff;
        w3 = p; p += 4 * n_ff;
    } else {
        emb = p; p += 4 * n_emb;
        att_norm = p; p += 4 * n_norm;
        wq = p; p += 4 * n_q;
        wk = p; p += 4 * n_kv;
        wv = p; p += 4 * n_kv;
        wo = p; p += 4 * n_o;
        ffn_norm = p; p += 4 * n_norm;
        w1 = p; p += 4 * n_ff;
        w2 = p; p += 4 * n_ff;
        w3 = p; p += 4 * n_ff;
        fin_norm = p; p += 4 * dim;
        p += 4 * n_freq;
    }
    wcls = shared ? NULL : p;

    mn_gguf_writer *w = NULL;
    mn_status st = mn_gguf_writer_create(&w, 3, 32);
    if (st != MN_OK) return cfail(err, errCapacity, st, "out of memory");
#define W(expr) do { if ((st = (expr)) != MN_OK) { cfail(err, errCapacity, st, "writing GGUF: %s", mn_gguf_writer_error(w)); goto bad; } } while (0)
    W(mn_gguf_writer_add_str(w, "general.architecture", "llama", 5));
    W(mn_gguf_writer_add_str(w, "general.name", "llama2.c", 8));
    W(mn_gguf_writer_add_u32(w, "llama.context_length", (uint32_t)seq));
    W(mn_gguf_writer_add_u32(w, "llama.embedding_length", (uint32_t)dim));
    W(mn_gguf_writer_add_u32(w, "llama.feed_forward_length", (uint32_t)hidden));
    W(mn_gguf_writer_add_u32(w, "llama.attention.head_count", (uint32_t)nh));
    W(mn_gguf_writer_add_u32(w, "llama.attention.head_count_kv", (uint32_t)nkv));
    W(mn_gguf_writer_add_u32(w, "llama.block_count", (uint32_t)nl));
    W(mn_gguf_writer_add_u32(w, "llama.rope.dimension_count", (uint32_t)hs));
    W(mn_gguf_writer_add_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f));
    if (tok) {
        st = add_vocab(w, tok, tokSize, vocab, err, errCapacity);
        if (st != MN_OK) goto bad;
    }
    {
        int64_t ne_emb[2] = {(int64_t)dim, (int64_t)vocab}, ne_dim[1] = {(int64_t)dim};
        W(mn_gguf_writer_add_tensor(w, "token_embd.weight", 0, 2, ne_emb, emb, 4 * n_emb));
        W(mn_gguf_writer_add_tensor(w, "output_norm.weight", 0, 1, ne_dim, fin_norm, 4 * dim));
        if (wcls) W(mn_gguf_writer_add_tensor(w, "output.weight", 0, 2, ne_emb, wcls, 4 * n_emb));
        for (size_t l = 0; l < nl; l++) {
            char name[64];
            int64_t ne_q[2] = {(int64_t)dim, (int64_t)dim}, ne_k[2] = {(int64_t)dim, (int64_t)kvd};
            int64_t ne_up[2] = {(int64_t)dim, (int64_t)hidden}, ne_down[2] = {(int64_t)hidden, (int64_t)dim};
            size_t sq = 4 * dim * dim, sk = 4 * dim * kvd, sf = 4 * dim * hidden;
#define T(nm, nd, ne, src, sz) do { snprintf(name, sizeof name, "blk.%zu." nm, l); W(mn_gguf_writer_add_tensor(w, name, 0, nd, ne, (src) + l * (sz), (sz))); } while (0)
            T("attn_norm.weight", 1, ne_dim, att_norm, 4 * dim);
            T("attn_q.weight", 2, ne_q, wq, sq);
            T("attn_k.weight", 2, ne_k, wk, sk);
            T("attn_v.weight", 2, ne_k, wv, sk);
            T("attn_output.weight", 2, ne_q, wo, sq);
            T("ffn_norm.weight", 1, ne_dim, ffn_norm, 4 * dim);
            T("ffn_gate.weight", 2, ne_up, w1, sf);
            T("ffn_down.weight", 2, ne_down, w2, sf);
            T("ffn_up.weight", 2, ne_up, w3, sf);
#undef T
        }
    }
#undef W
    *out = w;
    return MN_OK;
bad:
    mn_gguf_writer_free(w);
    return st;
}
