/* vocab_import.c - tokenizer files -> tokenizer.ggml.* keys (see vocab_import.h). */
#include "gguf/vocab_import.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "tok/json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* llama.cpp's token types (llama_token_type; SentencePiece uses the same numbers) */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_USER = 4, TT_UNUSED = 5, TT_BYTE = 6 };
#define NO_ID UINT32_MAX

/* ------------------------------------------------------------ utilities */

/* Whole file into a malloc'ed buffer (NUL-terminated for convenience). */
static mn_status read_file(const char *path, char **out, size_t *n, mn_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mn_err_set(err, MN_E_IO, "cannot open %.200s", path);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len - 1, f);
        if (len < cap - 1) break;
        char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return mn_err_set(err, bad ? MN_E_IO : MN_E_NOMEM, "cannot read %.200s", path);
    }
    buf[len] = 0;
    *out = buf;
    *n = len;
    return MN_OK;
}

/* A list of byte strings in one arena; entries may be unset (len NO_ID). */
typedef struct strlist {
    size_t n;
    uint32_t *off, *len;
    int32_t *type;
    float *score;
    char *buf;
    size_t buf_len, buf_cap;
} strlist;

static int sl_init(strlist *l, size_t n)
{
    memset(l, 0, sizeof *l);
    l->n = n;
    size_t c = n ? n : 1;
    l->off = calloc(c, sizeof *l->off);
    l->len = malloc(c * sizeof *l->len);
    l->type = calloc(c, sizeof *l->type);
    l->score = calloc(c, sizeof *l->score);
    if (!l->off || !l->len || !l->type || !l->score) return 0;
    for (size_t i = 0; i < n; i++) l->len[i] = NO_ID;
    return 1;
}

static void sl_free(strlist *l)
{
    free(l->off); free(l->len); free(l->type); free(l->score); free(l->buf);
    memset(l, 0, sizeof *l);
}

/* Append bytes a[0..na) + b[0..nb) + c[0..nc) as entry i. */
static int sl_set3(strlist *l, size_t i, const char *a, size_t na, const char *b, size_t nb, const char *c, size_t nc)
{
    size_t need, len = na + nb + nc;
    if (i >= l->n || len >= NO_ID || !mn_add_size(l->buf_len, len, &need) || need >= NO_ID) return 0;
    if (need > l->buf_cap) {
        size_t c = l->buf_cap ? l->buf_cap : 1 << 16;
        while (c < need) c *= 2;
        char *nbuf = realloc(l->buf, c);
        if (!nbuf) return 0;
        l->buf = nbuf;
        l->buf_cap = c;
    }
    if (na) memcpy(l->buf + l->buf_len, a, na);
    if (nb) memcpy(l->buf + l->buf_len + na, b, nb);
    if (nc) memcpy(l->buf + l->buf_len + na + nb, c, nc);
    l->off[i] = (uint32_t)l->buf_len;
    l->len[i] = (uint32_t)len;
    l->buf_len = need;
    return 1;
}
static int sl_set(strlist *l, size_t i, const char *s, size_t n) { return sl_set3(l, i, s, n, NULL, 0, NULL, 0); }

static int sl_eq(const strlist *l, size_t i, const char *s, size_t n)
{
    return l->len[i] == n && !memcmp(l->buf + l->off[i], s, n);
}

static uint32_t sl_find(const strlist *l, const char *s, size_t n)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->len[i] != NO_ID && sl_eq(l, i, s, n)) return (uint32_t)i;
    return NO_ID;
}
static uint32_t sl_find_c(const strlist *l, const char *s) { return s ? sl_find(l, s, strlen(s)) : NO_ID; }

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

/* Fill holes with "[PAD<id>]" UNUSED, then refuse duplicates (llama.cpp asserts on them). */
static mn_status sl_finish_tokens(strlist *l, mn_err *err)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->len[i] != NO_ID) continue;
        char tmp[32];
        int k = snprintf(tmp, sizeof tmp, "[PAD%zu]", i);
        if (!sl_set(l, i, tmp, (size_t)k)) return mn_err_set(err, MN_E_NOMEM, "out of memory");
        l->type[i] = TT_UNUSED;
    }
    size_t cap = 16;
    while (cap < l->n * 2) cap *= 2;
    uint32_t *h = malloc(cap * sizeof *h);
    if (!h) return mn_err_set(err, MN_E_NOMEM, "out of memory");
    memset(h, 0xff, cap * sizeof *h);
    mn_status st = MN_OK;
    for (size_t i = 0; i < l->n && !st; i++) {
        const char *s = l->buf + l->off[i];
        size_t j = (size_t)fnv(s, l->len[i]) & (cap - 1);
        for (; h[j] != NO_ID; j = (j + 1) & (cap - 1))
            if (sl_eq(l, h[j], s, l->len[i])) {
                st = mn_err_set(err, MN_E_CORRUPT, "token '%.*s' appears twice (ids %u and %zu); llama.cpp refuses that",
                                (int)(l->len[i] > 60 ? 60 : l->len[i]), s, h[j], i);
                break;
            }
        h[j] = (uint32_t)i;
    }
    free(h);
    return st;
}

/* Write a string array key from a list. */
static mn_status put_strs(mn_gguf_writer *w, const char *key, const strlist *l, mn_err *err)
{
    const char **p = malloc((l->n ? l->n : 1) * sizeof *p);
    size_t *lens = malloc((l->n ? l->n : 1) * sizeof *lens);
    mn_status st = MN_OK;
    if (!p || !lens) st = mn_err_set(err, MN_E_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < l->n; i++) {
        p[i] = l->buf ? l->buf + l->off[i] : "";
        lens[i] = l->len[i];
    }
    if (!st && (st = mn_gguf_writer_add_arr_str(w, key, p, lens, l->n)) != MN_OK)
        mn_err_set(err, st, "%s", mn_gguf_writer_error(w));
    free(p);
    free(lens);
    return st;
}

static mn_status wst(mn_gguf_writer *w, mn_status st, mn_err *err)
{
    return st ? mn_err_set(err, st, "%s", mn_gguf_writer_error(w)) : MN_OK;
}

/* tokens (+ scores) + token_type */
static mn_status put_tokens(mn_gguf_writer *w, const strlist *t, int scores, mn_err *err)
{
    mn_status st = put_strs(w, "tokenizer.ggml.tokens", t, err);
    if (!st && scores) st = wst(w, mn_gguf_writer_add_arr(w, "tokenizer.ggml.scores", MN_GGUF_F32, t->score, t->n), err);
    if (!st) st = wst(w, mn_gguf_writer_add_arr(w, "tokenizer.ggml.token_type", MN_GGUF_I32, t->type, t->n), err);
    return st;
}

static mn_status put_id(mn_gguf_writer *w, const char *key, uint32_t id, mn_err *err)
{
    return id == NO_ID ? MN_OK : wst(w, mn_gguf_writer_add_u32(w, key, id), err);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !memcmp(s + a - b, suf, b);
}

/* ----------------------------------------------------------------- GGUF */

static mn_status from_gguf(mn_gguf_writer *w, const char *path, mn_vocab_info *info, mn_err *err)
{
    mn_gguf *g = NULL;
    char msg[256];
    mn_status st = mn_gguf_open_file(&g, path, MN_GGUF_ALLOW_UNSUPPORTED, msg, sizeof msg);
    if (st) return mn_err_set(err, st, "%s", msg);
    size_t kid;
    int et;
    const char *model;
    size_t mlen;
    if (mn_gguf_find_key(g, "tokenizer.ggml.tokens", &kid) || mn_gguf_get_arr_info(g, kid, &et, &info->n_tokens) ||
        et != MN_GGUF_STRING || mn_gguf_find_key(g, "tokenizer.ggml.model", &kid) ||
        mn_gguf_get_str(g, kid, &model, &mlen) || mlen >= sizeof info->model) {
        mn_gguf_free(g);
        return mn_err_set(err, MN_E_UNSUPPORTED, "%.200s has no tokenizer.ggml.model / tokenizer.ggml.tokens", path);
    }
    memcpy(info->model, model, mlen);
    info->model[mlen] = 0;
    for (size_t k = 0; !st && k < mn_gguf_n_kv(g); k++)
        if (!strncmp(mn_gguf_key(g, k), "tokenizer.", 10) && (st = mn_gguf_writer_copy_key(w, g, k)) != MN_OK)
            mn_err_set(err, st, "copying %s: %s", mn_gguf_key(g, k), mn_gguf_writer_error(w));
    mn_gguf_free(g);
    return st;
}

/* ------------------------------------------------- SentencePiece .model */

typedef struct pb { const uint8_t *p, *end; } pb;

static int pb_varint(pb *b, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && b->p < b->end; s += 7) {
        uint8_t c = *b->p++;
        *v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80)) return 1;
    }
    return 0;
}

/* Next field: number, wire type, and for wire 2 the payload as a sub-reader. */
static int pb_next(pb *b, uint32_t *field, uint32_t *wire, uint64_t *val, pb *sub)
{
    uint64_t key;
    if (!pb_varint(b, &key)) return 0;
    *field = (uint32_t)(key >> 3);
    *wire = (uint32_t)(key & 7);
    switch (*wire) {
    case 0: return pb_varint(b, val);
    case 1: if (b->end - b->p < 8) return 0; *val = 0; for (int i = 7; i >= 0; i--) *val = *val << 8 | b->p[i]; b->p += 8; return 1;
    case 5: if (b->end - b->p < 4) return 0; *val = (uint64_t)b->p[0] | (uint64_t)b->p[1] << 8 | (uint64_t)b->p[2] << 16 | (uint64_t)b->p[3] << 24; b->p += 4; return 1;
    case 2: {
        uint64_t n;
        if (!pb_varint(b, &n) || n > (uint64_t)(b->end - b->p)) return 0;
        sub->p = b->p;
        sub->end = b->p + n;
        b->p += n;
        *val = n;
        return 1;
    }
    default: return 0;
    }
}

static mn_status from_spm(mn_gguf_writer *w, const char *path, const uint8_t *buf, size_t n, mn_vocab_info *info, mn_err *err)
{
    pb b = {buf, buf + n}, sub;
    uint32_t f, wt;
    uint64_t v;
    size_t count = 0;
    int64_t ids[4] = {0, 1, 2, -1}; /* unk, bos, eos, pad (SentencePiece defaults) */
    int dummy_prefix = 1, extra_ws = 1;
    while (b.p < b.end) { /* pass 1: count pieces, read the specs */
        if (!pb_next(&b, &f, &wt, &v, &sub)) return mn_err_set(err, MN_E_CORRUPT, "%.200s: not a SentencePiece model (bad protobuf)", path);
        if (f == 1 && wt == 2) count++;
        if ((f == 2 || f == 3) && wt == 2) {
            pb s = sub, ss;
            uint32_t g, gw;
            uint64_t x;
            while (s.p < s.end) {
                if (!pb_next(&s, &g, &gw, &x, &ss)) return mn_err_set(err, MN_E_CORRUPT, "%.200s: bad protobuf", path);
                if (f == 2 && gw == 0 && g >= 40 && g <= 43) ids[g - 40] = (int32_t)(uint32_t)x;
                if (f == 3 && gw == 0 && g == 3) dummy_prefix = x != 0;
                if (f == 3 && gw == 0 && g == 4) extra_ws = x != 0;
            }
        }
    }
    if (!count) return mn_err_set(err, MN_E_CORRUPT, "%.200s: no pieces (not a SentencePiece model?)", path);
    strlist t;
    if (!sl_init(&t, count)) { sl_free(&t); return mn_err_set(err, MN_E_NOMEM, "out of memory"); }
    b.p = buf;
    size_t i = 0;
    mn_status st = MN_OK;
    while (!st && b.p < b.end) {
        pb_next(&b, &f, &wt, &v, &sub); /* validated in pass 1 */
        if (f != 1 || wt != 2) continue;
        pb s = sub, ss;
        uint32_t g, gw;
        uint64_t x;
        int have = 0;
        t.type[i] = TT_NORMAL;
        while (!st && s.p < s.end) {
            if (!pb_next(&s, &g, &gw, &x, &ss)) { st = mn_err_set(err, MN_E_CORRUPT, "%.200s: bad piece %zu", path, i); break; }
            if (g == 1 && gw == 2) { have = sl_set(&t, i, (const char *)ss.p, (size_t)x); if (!have) st = mn_err_set(err, MN_E_NOMEM, "out of memory"); }
            if (g == 2 && gw == 5) { uint32_t u = (uint32_t)x; memcpy(&t.score[i], &u, 4); }
            if (g == 3 && gw == 0) t.type[i] = (int32_t)x;
        }
        if (!st && !have) st = mn_err_set(err, MN_E_CORRUPT, "%.200s: piece %zu has no text", path, i);
        i++;
    }
    if (!st) st = sl_finish_tokens(&t, err);
    if (!st) st = wst(w, mn_gguf_writer_add_str(w, "tokenizer.ggml.model", "llama", 5), err);
    if (!st) st = put_tokens(w, &t, 1, err);
    static const char *const keys[4] = {"tokenizer.ggml.unknown_token_id", "tokenizer.ggml.bos_token_id",
                                        "tokenizer.ggml.eos_token_id", "tokenizer.ggml.padding_token_id"};
    for (int k = 0; k < 4 && !st; k++)
        if (ids[k] >= 0 && (uint64_t)ids[k] < count) st = put_id(w, keys[k], (uint32_t)ids[k], err);
    if (!st && !dummy_prefix) st = wst(w, mn_gguf_writer_add_bool(w, "tokenizer.ggml.add_space_prefix", 0), err);
    if (!st && !extra_ws) st = wst(w, mn_gguf_writer_add_bool(w, "tokenizer.ggml.remove_extra_whitespaces", 0), err);
    strcpy(info->model, "llama");
    info->n_tokens = count;
    sl_free(&t);
    return st;
}

/* ---------------------------------------------------------- WordPiece */

/* llama.cpp's "phantom space" form: "##ab" -> "ab", control tokens as they are, else U+2581 + token. */
static int set_phantom(strlist *t, size_t id, const char *s, size_t n, int control)
{
    if (control) return sl_set(t, id, s, n);
    if (n >= 2 && s[0] == '#' && s[1] == '#') return sl_set(t, id, s + 2, n - 2);
    return sl_set3(t, id, "\xe2\x96\x81", 3, s, n, NULL, 0);
}

static int bert_special(const char *s, size_t n)
{
    static const char *const sp[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
        if (strlen(sp[i]) == n && !memcmp(sp[i], s, n)) return 1;
    return 0;
}

/* The bert keys once the list is built; ids found by the (control) token text. */
static mn_status put_bert(mn_gguf_writer *w, strlist *t, int lowercase, mn_vocab_info *info, mn_err *err)
{
    mn_status st = sl_finish_tokens(t, err);
    if (!st) st = wst(w, mn_gguf_writer_add_str(w, "tokenizer.ggml.model", "bert", 4), err);
    if (!st) st = put_tokens(w, t, 0, err);
    uint32_t cls = sl_find_c(t, "[CLS]");
    if (!st) st = put_id(w, "tokenizer.ggml.unknown_token_id", sl_find_c(t, "[UNK]"), err);
    if (!st) st = put_id(w, "tokenizer.ggml.seperator_token_id", sl_find_c(t, "[SEP]"), err);
    if (!st) st = put_id(w, "tokenizer.ggml.padding_token_id", sl_find_c(t, "[PAD]"), err);
    if (!st) st = put_id(w, "tokenizer.ggml.cls_token_id", cls, err);
    if (!st) st = put_id(w, "tokenizer.ggml.bos_token_id", cls, err); /* llama.cpp starts a WPM sequence with bos */
    if (!st) st = put_id(w, "tokenizer.ggml.mask_token_id", sl_find_c(t, "[MASK]"), err);
    if (!st && !lowercase) st = wst(w, mn_gguf_writer_add_bool(w, "tokenizer.ggml.normalizer.lowercase", 0), err);
    strcpy(info->model, "bert");
    info->n_tokens = t->n;
    return st;
}

static mn_status from_vocab_txt(mn_gguf_writer *w, const char *buf, size_t n, mn_vocab_info *info, mn_err *err)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) lines += buf[i] == '\n';
    if (n && buf[n - 1] != '\n') lines++;
    strlist t;
    if (!sl_init(&t, lines)) { sl_free(&t); return mn_err_set(err, MN_E_NOMEM, "out of memory"); }
    size_t id = 0;
    mn_status st = MN_OK;
    for (size_t i = 0; i < n && !st; id++) {
        size_t e = i;
        while (e < n && buf[e] != '\n') e++;
        size_t len = e - i;
        if (len && buf[i + len - 1] == '\r') len--;
        int control = bert_special(buf + i, len);
        t.type[id] = control ? TT_CONTROL : TT_NORMAL;
        if (!set_phantom(&t, id, buf + i, len, control)) st = mn_err_set(err, MN_E_NOMEM, "out of memory");
        i = e + 1;
    }
    if (!st) st = put_bert(w, &t, 1, info, err);
    sl_free(&t);
    return st;
}

/* ------------------------------------------------------- tokenizer.json */

static const char *k_re_llama3 =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char *k_re_qwen2 =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/* A boolean option that defaults to def when absent (mn_json_bool gives 0 then). */
static int json_flag(const mn_json *d, uint32_t node, int def)
{
    int t = mn_json_type_of(d, node);
    return t == MN_JSON_TRUE ? 1 : t == MN_JSON_FALSE ? 0 : def;
}

/* Scan a pre-tokenizer (or Sequence of them): ByteLevel present? which Split regex? */
static void scan_pre(const mn_json *d, uint32_t node, int *bytelevel, int *bl_regex, const char **regex)
{
    uint32_t ty = mn_json_get(d, node, "type");
    if (mn_json_str_eq(d, ty, "Sequence")) {
        uint32_t arr = mn_json_get(d, node, "pretokenizers");
        for (uint32_t c = mn_json_first(d, arr); c != MN_JSON_NONE; c = mn_json_next(d, arr, c))
            scan_pre(d, c, bytelevel, bl_regex, regex);
    } else if (mn_json_str_eq(d, ty, "ByteLevel")) {
        *bytelevel = 1;
        *bl_regex = json_flag(d, mn_json_get(d, node, "use_regex"), 1);
    } else if (mn_json_str_eq(d, ty, "Split")) {
        size_t n;
        const char *re = mn_json_str(d, mn_json_get(d, mn_json_get(d, node, "pattern"), "Regex"), &n);
        if (re) *regex = re;
    }
}

/* A special token in tokenizer_config.json: a string or {"content": ...}. */
static const char *cfg_token(const mn_json *c, const char *key)
{
    if (!c) return NULL;
    uint32_t v = mn_json_get(c, 0, key);
    if (mn_json_type_of(c, v) == MN_JSON_OBJECT) v = mn_json_get(c, v, "content");
    size_t n;
    return mn_json_str(c, v, &n);
}

static int is_byte_token(const char *s, size_t n)
{
    if (n != 6 || memcmp(s, "<0x", 3) || s[5] != '>') return 0;
    for (int i = 3; i < 5; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) return 0;
    return 1;
}

static mn_status from_hf(mn_gguf_writer *w, const char *path, const char *buf, size_t n, const char *pre,
                         mn_vocab_info *info, mn_err *err)
{
    mn_json d = {0}, cfg = {0};
    char *cbuf = NULL;
    int have_cfg = 0;
    mn_status st = mn_json_parse(&d, buf, n, 0, err);
    if (st) return st;
    /* the sibling tokenizer_config.json, if any */
    if (ends_with(path, "tokenizer.json")) {
        size_t pl = strlen(path) - strlen("tokenizer.json"), cn;
        char *cpath = malloc(pl + 32);
        if (cpath) {
            memcpy(cpath, path, pl);
            strcpy(cpath + pl, "tokenizer_config.json");
            mn_err e2 = {0};
            if (!read_file(cpath, &cbuf, &cn, &e2) && !mn_json_parse(&cfg, cbuf, cn, 0, &e2) &&
                mn_json_type_of(&cfg, 0) == MN_JSON_OBJECT)
                have_cfg = 1;
            free(cpath);
        }
    }
    const mn_json *c = have_cfg ? &cfg : NULL;
    uint32_t model = mn_json_get(&d, 0, "model");
    uint32_t vocab = mn_json_get(&d, model, "vocab");
    uint32_t added = mn_json_get(&d, 0, "added_tokens");
    uint32_t mtype = mn_json_get(&d, model, "type");
    int wordpiece = mn_json_str_eq(&d, mtype, "WordPiece");
    int bpe = mn_json_str_eq(&d, mtype, "BPE");
    strlist t = {0};
    if (mn_json_type_of(&d, vocab) != MN_JSON_OBJECT || (!wordpiece && !bpe)) {
        st = mn_err_set(err, MN_E_UNSUPPORTED, "%.200s: model type is not BPE or WordPiece with a vocab object "
                        "(llama.cpp's other tokenizer models are not imported)", path);
        goto done;
    }
    /* size = 1 + the largest id */
    int64_t max_id = -1, id;
    for (uint32_t k = mn_json_first(&d, vocab); k != MN_JSON_NONE; k = mn_json_next(&d, vocab, mn_json_next(&d, vocab, k))) {
        if (!mn_json_i64(&d, mn_json_next(&d, vocab, k), &id) || id < 0 || id >= (int64_t)1 << 24) {
            st = mn_err_set(err, MN_E_CORRUPT, "%.200s: a vocab id is not an integer in [0, 2^24)", path);
            goto done;
        }
        if (id > max_id) max_id = id;
    }
    for (uint32_t a = mn_json_first(&d, added); a != MN_JSON_NONE; a = mn_json_next(&d, added, a))
        if (mn_json_i64(&d, mn_json_get(&d, a, "id"), &id) && id >= 0 && id < (int64_t)1 << 24 && id > max_id) max_id = id;
    if (max_id < 0 || !sl_init(&t, (size_t)max_id + 1)) {
        st = max_id < 0 ? mn_err_set(err, MN_E_CORRUPT, "%.200s: empty vocabulary", path) : mn_err_set(err, MN_E_NOMEM, "out of memory");
        goto done;
    }
    /* byte-level or SentencePiece-style? */
    int bytelevel = 0, bl_regex = 0;
    const char *regex = NULL;
    scan_pre(&d, mn_json_get(&d, 0, "pre_tokenizer"), &bytelevel, &bl_regex, &regex);
    if (mn_json_str_eq(&d, mn_json_get(&d, mn_json_get(&d, 0, "decoder"), "type"), "ByteLevel")) bytelevel = 1;
    int byte_fallback = mn_json_bool(&d, mn_json_get(&d, model, "byte_fallback"), 0);
    const char *kind = wordpiece ? "bert" : bytelevel ? "gpt2" : byte_fallback ? "llama" : NULL;
    if (!kind) {
        st = mn_err_set(err, MN_E_UNSUPPORTED, "%.200s: a BPE vocabulary that is neither byte-level nor byte_fallback", path);
        goto done;
    }
    for (uint32_t k = mn_json_first(&d, vocab); k != MN_JSON_NONE; k = mn_json_next(&d, vocab, mn_json_next(&d, vocab, k))) {
        size_t len;
        const char *s = mn_json_str(&d, k, &len);
        mn_json_i64(&d, mn_json_next(&d, vocab, k), &id);
        int ok;
        if (wordpiece) ok = set_phantom(&t, (size_t)id, s, len, 0);
        else ok = sl_set(&t, (size_t)id, s, len);
        if (!ok) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
        t.type[id] = kind[0] == 'l' && is_byte_token(s, len) ? TT_BYTE : TT_NORMAL;
        t.score[id] = kind[0] == 'l' && t.type[id] == TT_NORMAL ? -(float)id : 0.0f;
    }
    for (uint32_t a = mn_json_first(&d, added); a != MN_JSON_NONE; a = mn_json_next(&d, added, a)) {
        size_t len;
        const char *s = mn_json_str(&d, mn_json_get(&d, a, "content"), &len);
        if (!s || !mn_json_i64(&d, mn_json_get(&d, a, "id"), &id) || id < 0 || (size_t)id >= t.n) continue;
        int special = mn_json_bool(&d, mn_json_get(&d, a, "special"), 0);
        if (!sl_set(&t, (size_t)id, s, len)) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
        t.type[id] = special ? TT_CONTROL : TT_USER;
        t.score[id] = 0.0f;
    }
    if (wordpiece) {
        uint32_t norm = mn_json_get(&d, 0, "normalizer");
        int lower = json_flag(&d, mn_json_get(&d, norm, "lowercase"), 1);
        st = put_bert(w, &t, lower, info, err);
        goto done;
    }
    const char *unk = NULL, *bos = cfg_token(c, "bos_token"), *eos = cfg_token(c, "eos_token");
    const char *pad = cfg_token(c, "pad_token");
    if (kind[0] == 'l') {
        size_t ul;
        unk = mn_json_str(&d, mn_json_get(&d, model, "unk_token"), &ul);
        if (!unk) unk = "<unk>";
        if (!bos) bos = "<s>";
        if (!eos) eos = "</s>";
        uint32_t u = sl_find_c(&t, unk);
        if (u != NO_ID) t.type[u] = TT_UNKNOWN;
    } else {
        if (!pre) {
            if (regex && !strcmp(regex, k_re_llama3)) pre = "llama-bpe";
            else if (regex && !strcmp(regex, k_re_qwen2)) pre = "qwen2";
            else if (!regex && bl_regex) pre = "gpt-2";
            else {
                st = mn_err_set(err, MN_E_UNSUPPORTED, "%.200s: unknown pre-tokenizer (not GPT-2, Llama 3 or Qwen2's); "
                                "name llama.cpp's tokenizer.ggml.pre explicitly", path);
                goto done;
            }
        }
        if (!bos && sl_find_c(&t, "<|endoftext|>") != NO_ID) bos = "<|endoftext|>";
        if (!eos && sl_find_c(&t, "<|endoftext|>") != NO_ID) eos = "<|endoftext|>";
    }
    if ((st = sl_finish_tokens(&t, err)) != MN_OK) goto done;
    st = wst(w, mn_gguf_writer_add_str(w, "tokenizer.ggml.model", kind, strlen(kind)), err);
    if (!st && pre) st = wst(w, mn_gguf_writer_add_str(w, "tokenizer.ggml.pre", pre, strlen(pre)), err);
    if (!st) st = put_tokens(w, &t, kind[0] == 'l', err);
    if (!st && kind[0] == 'g') { /* merges: "a b" strings, or [a, b] pairs joined by a space */
        uint32_t m = mn_json_get(&d, model, "merges");
        strlist ml;
        size_t nm = mn_json_type_of(&d, m) == MN_JSON_ARRAY ? d.nodes[m].len : 0, i = 0;
        if (!sl_init(&ml, nm)) st = mn_err_set(err, MN_E_NOMEM, "out of memory");
        for (uint32_t e = mn_json_first(&d, m); !st && e != MN_JSON_NONE; e = mn_json_next(&d, m, e), i++) {
            size_t la, lb;
            const char *a = mn_json_str(&d, e, &la), *b2 = NULL;
            if (!a) {
                uint32_t x = mn_json_first(&d, e), y = mn_json_next(&d, e, x);
                a = mn_json_str(&d, x, &la);
                b2 = mn_json_str(&d, y, &lb);
                if (!a || !b2) { st = mn_err_set(err, MN_E_CORRUPT, "%.200s: merge %zu is not a string or a pair", path, i); break; }
            }
            if (!(b2 ? sl_set3(&ml, i, a, la, " ", 1, b2, lb) : sl_set(&ml, i, a, la))) st = mn_err_set(err, MN_E_NOMEM, "out of memory");
        }
        if (!st && !nm) st = mn_err_set(err, MN_E_CORRUPT, "%.200s: a byte-level BPE without merges", path);
        if (!st) st = put_strs(w, "tokenizer.ggml.merges", &ml, err);
        sl_free(&ml);
    }
    if (!st) st = put_id(w, "tokenizer.ggml.bos_token_id", sl_find_c(&t, bos), err);
    if (!st) st = put_id(w, "tokenizer.ggml.eos_token_id", sl_find_c(&t, eos), err);
    if (!st && unk) st = put_id(w, "tokenizer.ggml.unknown_token_id", sl_find_c(&t, unk), err);
    if (!st && pad) st = put_id(w, "tokenizer.ggml.padding_token_id", sl_find_c(&t, pad), err);
    if (!st && c) {
        uint32_t ab = mn_json_get(c, 0, "add_bos_token"), ae = mn_json_get(c, 0, "add_eos_token");
        int tb = mn_json_type_of(c, ab), te = mn_json_type_of(c, ae);
        if (tb == MN_JSON_TRUE || tb == MN_JSON_FALSE) st = wst(w, mn_gguf_writer_add_bool(w, "tokenizer.ggml.add_bos_token", tb == MN_JSON_TRUE), err);
        if (!st && (te == MN_JSON_TRUE || te == MN_JSON_FALSE)) st = wst(w, mn_gguf_writer_add_bool(w, "tokenizer.ggml.add_eos_token", te == MN_JSON_TRUE), err);
    }
    if (!st) {
        strcpy(info->model, kind);
        info->n_tokens = t.n;
    }
done:
    sl_free(&t);
    mn_json_free(&d);
    if (have_cfg) mn_json_free(&cfg);
    free(cbuf);
    return st;
}

/* ------------------------------------------------------------------ entry */

static mn_status import_bytes(mn_gguf_writer *w, const char *path, const char *buf, size_t n, const char *pre,
                              mn_vocab_info *info, mn_err *err, int config)
{
    size_t i = 0;
    while (i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) i++;
    if (i < n && buf[i] == '{') return from_hf(w, config ? path : "", buf, n, pre, info, err);
    if (ends_with(path, ".txt")) return from_vocab_txt(w, buf, n, info, err);
    return from_spm(w, path, (const uint8_t *)buf, n, info, err);
}

mn_status mn_vocab_import(mn_gguf_writer *w, const char *path, const char *pre, mn_vocab_info *info, mn_err *err)
{
    if (!w || !path || !info) return mn_err_set(err, MN_E_INVALID_ARG, "NULL argument");
    memset(info, 0, sizeof *info);
    char *buf = NULL;
    size_t n = 0;
    mn_status st = read_file(path, &buf, &n, err);
    if (st) return st;
    if (n >= 4 && !memcmp(buf, "GGUF", 4)) {
        free(buf); /* reopened by the GGUF reader (mmap where it can) */
        return from_gguf(w, path, info, err);
    }
    st = import_bytes(w, path, buf, n, pre, info, err, 1);
    free(buf);
    return st;
}

mn_status mn_vocab_import_mem(mn_gguf_writer *w, const char *name, const void *buf, size_t n, const char *pre,
                              mn_vocab_info *info, mn_err *err)
{
    if (!w || !name || (!buf && n) || !info) return mn_err_set(err, MN_E_INVALID_ARG, "NULL argument");
    memset(info, 0, sizeof *info);
    return import_bytes(w, name, buf ? buf : "", n, pre, info, err, 0);
}
