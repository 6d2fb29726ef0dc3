/* model_info.c - mn_model_info_json: what was loaded, as one JSON object.
 * Strings from the file (general.name) are escaped; never truncated
 * (MN_E_DST_TOO_SMALL instead). */
#include "model/model_internal.h"
#include "tensor/quant.h"
#include "tok/unicode.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct jb {
    char *dst;
    size_t cap, len;
    int over;
} jb;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void jb_printf(jb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->dst + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) { b->over = 1; return; }
    b->len += (size_t)n;
}

static void jb_str(jb *b, const char *s, size_t n)
{
    jb_printf(b, "\"");
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char ch = u[i];
        if (ch >= 0x80) {
            /* valid UTF-8 passes through; an invalid byte becomes U+FFFD */
            size_t l;
            uint32_t cp = mn_utf8_decode(u + i, n - i, &l);
            char enc[4];
            size_t el = mn_utf8_encode(cp, enc);
            jb_printf(b, "%.*s", (int)el, enc);
            i += l;
            continue;
        }
        if (ch == '"' || ch == '\\') jb_printf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f) jb_printf(b, "\\u%04x", ch);
        else jb_printf(b, "%c", ch);
        i++;
    }
    jb_printf(b, "\"");
}

static void count_type(const mn_wmat *w, uint64_t counts[MN_Q_TYPE_LIMIT])
{
    uint32_t t = w->type == MN_TYPE_Q4_0_R4 ? MN_TYPE_Q4_0 : w->type; /* the file's type */
    if (w->data && t < MN_Q_TYPE_LIMIT) counts[t]++;
}

size_t mn_model_info_json(const mn_model *m, char *dst, size_t dstCapacity)
{
    if (!m || (!dst && dstCapacity)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    const mn_hparams *hp = &m->hp;
    jb b = {dst, dstCapacity, 0, 0};
    /* general.name through the infallible accessors only: the model's GGUF
     * handle is shared by threads, and a failed lookup would write its
     * error message (see model_tok.c) */
    const char *name = NULL;
    size_t nlen = 0;
    for (size_t k = 0, nkv = mn_gguf_n_kv(m->g); k < nkv && !name; k++)
        if (mn_gguf_key_len(m->g, k) == 12 && !memcmp(mn_gguf_key(m->g, k), "general.name", 12) &&
            mn_gguf_key_type(m->g, k) == MN_GGUF_STRING && mn_gguf_get_str(m->g, k, &name, &nlen) != MN_OK)
            name = NULL; /* cannot fail: index and type are right */
    jb_printf(&b, "{\"arch\":\"%s\",\"name\":", mn_model_arch(m));
    if (name) jb_str(&b, name, nlen > 200 ? 200 : nlen);
    else jb_printf(&b, "null");
    jb_printf(&b,
              ",\"n_vocab\":%zu,\"n_ctx_train\":%zu,\"n_embd\":%zu,\"n_layer\":%zu,\"n_head\":%zu,"
              "\"n_head_kv\":%zu,\"head_dim_k\":%zu,\"head_dim_v\":%zu,\"n_ff\":%zu,\"n_rot\":%zu,"
              "\"norm\":\"%s\",\"norm_eps\":%.9g,\"rope\":\"%s\",\"rope_freq_base\":%.17g,\"rope_freq_scale\":%.17g,"
              "\"tied_output\":%s,\"weight_bytes\":%llu,\"repacked_bytes\":%llu",
              hp->n_vocab, hp->n_ctx_train, hp->n_embd, hp->n_layer, hp->n_head, hp->n_head_kv, hp->hd_k, hp->hd_v,
              hp->n_ff, hp->n_rot, hp->norm == MN_NORM_RMS ? "rms" : "layer", (double)hp->norm_eps,
              hp->rope_mode == MN_ROPE_NORMAL ? "normal" : hp->rope_mode == MN_ROPE_NEOX ? "neox" : "none",
              hp->rope_mode ? hp->rope_base : 0.0, hp->rope_mode ? hp->rope_freq_scale : 0.0,
              m->tied_output ? "true" : "false", (unsigned long long)m->weight_bytes,
              (unsigned long long)m->repacked_bytes);
    /* matrix types: how many matrices of each */
    uint64_t counts[MN_Q_TYPE_LIMIT] = {0};
    count_type(&m->tok_embd, counts);
    if (!m->tied_output) count_type(&m->output, counts);
    for (size_t il = 0; il < hp->n_layer; il++) {
        const mn_layer *L = &m->layers[il];
        const mn_wmat *ws[] = MN_LAYER_MATS(L);
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) count_type(ws[i], counts);
    }
    jb_printf(&b, ",\"matrix_types\":{");
    int first = 1;
    for (uint32_t t = 0; t < MN_Q_TYPE_LIMIT; t++)
        if (counts[t]) {
            jb_printf(&b, "%s\"%s\":%llu", first ? "" : ",", mn_ggml_type_name(t), (unsigned long long)counts[t]);
            first = 0;
        }
    jb_printf(&b, "},\"bos\":%d,\"eos\":%d,\"add_bos\":%s,\"eog\":[", (int)m->bos, (int)m->eos,
              m->add_bos ? "true" : "false");
    for (size_t i = 0; i < m->n_eog; i++) jb_printf(&b, "%s%d", i ? "," : "", (int)m->eog[i]);
    jb_printf(&b, "],\"tokenizer\":%s}", m->tok ? "true" : "false");
    if (b.over) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if (b.len >= dstCapacity) return MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    return b.len;
}
