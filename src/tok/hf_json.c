/* hf_json.c - load a Hugging Face tokenizer.json into the neutral description.
 * Anything this engine does not implement exactly is MN_E_UNSUPPORTED with
 * the component named in the message: a tokenizer either matches HF token
 * for token or is refused. */
#include "tok/tok_internal.h"
#include "tok/json.h"
#include "core/alloc.h"
#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* The split regexes we implement as scanners, exactly as they appear in the files. */
static const struct { const char *re; int kind; } k_regexes[] = {
    {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", MN_SPLIT_GPT2},
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", MN_SPLIT_LLAMA3},
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", MN_SPLIT_QWEN2},
    {"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
     "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
     "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", MN_SPLIT_O200K},
    {"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
     "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
     "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", MN_SPLIT_TEKKEN},
};

/* Sequences of Split pre-tokenizers (all Isolated) implemented as one scanner. */
static const struct { const char *re[3]; int kind; } k_seqs[] = {
    {{"\\p{N}{1,3}", "[\xE4\xB8\x80-\xE9\xBE\xA5\xE3\x81\x80-\xE3\x82\x9F\xE3\x82\xA0-\xE3\x83\xBF]+" /* [一-龥぀-ゟ゠-ヿ]+ */,
      "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
      "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"}, MN_SPLIT_DEEPSEEK3},
};

typedef struct ld {
    mn_tokenizer *t;
    mn_json d;
} ld;

static int unsup(ld *L, const char *what, const char *detail)
{
    return mn_err_set(&L->t->err, MN_E_UNSUPPORTED, "tokenizer.json: unsupported %s%s%s", what,
                      detail ? " " : "", detail ? detail : "");
}

static int bad(ld *L, const char *what)
{
    return mn_err_set(&L->t->err, MN_E_CORRUPT, "tokenizer.json: %s", what);
}

static const char *type_of(ld *L, uint32_t obj)
{
    const char *s = mn_json_str(&L->d, mn_json_get(&L->d, obj, "type"), NULL);
    return s ? s : "";
}

/* Standard base64 (padding optional, no whitespace). @return 0, or -1. */
static int base64_decode(const char *s, size_t n, unsigned char *out, size_t *out_n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') { for (size_t j = i; j < n; j++) if (s[j] != '=') return -1; break; }
        else return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (unsigned char)(acc >> bits); }
    }
    *out_n = o;
    return 0;
}

/* ----------------------------------------------------------- normalizer */
static int load_normalizer(ld *L, uint32_t n)
{
    int ty = mn_json_type_of(&L->d, n);
    if (ty < 0 || ty == MN_JSON_NULL) return MN_OK;
    if (ty != MN_JSON_OBJECT) return bad(L, "normalizer is not an object");
    const char *type = type_of(L, n);
    if (!strcmp(type, "Sequence")) {
        uint32_t arr = mn_json_get(&L->d, n, "normalizers");
        if (mn_json_type_of(&L->d, arr) != MN_JSON_ARRAY) return bad(L, "Sequence without normalizers");
        for (uint32_t c = mn_json_first(&L->d, arr); c != MN_JSON_NONE; c = mn_json_next(&L->d, arr, c)) {
            int rc = load_normalizer(L, c);
            if (rc) return rc;
        }
        return MN_OK;
    }
    if (!strcmp(type, "NFC")) return mn_tok_add_norm(L->t, MN_NORM_STEP_NFC, NULL, 0, NULL, 0);
    if (!strcmp(type, "NFD")) return mn_tok_add_norm(L->t, MN_NORM_STEP_NFD, NULL, 0, NULL, 0);
    if (!strcmp(type, "NFKC")) return mn_tok_add_norm(L->t, MN_NORM_STEP_NFKC, NULL, 0, NULL, 0);
    if (!strcmp(type, "NFKD")) return mn_tok_add_norm(L->t, MN_NORM_STEP_NFKD, NULL, 0, NULL, 0);
    if (!strcmp(type, "Lowercase")) return mn_tok_add_norm(L->t, MN_NORM_STEP_LOWER, NULL, 0, NULL, 0);
    if (!strcmp(type, "StripAccents")) return mn_tok_add_norm(L->t, MN_NORM_STEP_STRIP_MN, NULL, 0, NULL, 0);
    if (!strcmp(type, "Strip")) {
        int left = mn_json_bool(&L->d, mn_json_get(&L->d, n, "strip_left"), 1);
        int right = mn_json_bool(&L->d, mn_json_get(&L->d, n, "strip_right"), 1);
        int rc = mn_tok_add_norm(L->t, MN_NORM_STEP_STRIP, NULL, 0, NULL, 0);
        if (!rc) L->t->norm[L->t->n_norm - 1].len = (size_t)(left | right << 1);
        return rc;
    }
    if (!strcmp(type, "Precompiled")) {
        size_t bl;
        const char *b64 = mn_json_str(&L->d, mn_json_get(&L->d, n, "precompiled_charsmap"), &bl);
        if (!b64 || !bl) return MN_OK; /* no charsmap: identity */
        if (L->t->spm_units) return unsup(L, "normalizer", "(two Precompiled)");
        unsigned char *blob = malloc(bl / 4 * 3 + 3);
        if (!blob) return mn_err_set(&L->t->err, MN_E_NOMEM, "out of memory");
        size_t n_out = 0;
        int rc = base64_decode(b64, bl, blob, &n_out) ? bad(L, "precompiled_charsmap is not base64")
                                                      : mn_tok_spm_set_charsmap(L->t, blob, n_out);
        free(blob);
        return rc ? rc : mn_tok_add_norm(L->t, MN_NORM_STEP_PRECOMPILED, NULL, 0, NULL, 0);
    }
    if (!strcmp(type, "BertNormalizer")) {
        mn_json *d = &L->d;
        int lower = mn_json_bool(d, mn_json_get(d, n, "lowercase"), 1);
        uint32_t sa = mn_json_get(d, n, "strip_accents");
        int strip = mn_json_type_of(d, sa) == MN_JSON_TRUE || mn_json_type_of(d, sa) == MN_JSON_FALSE
                        ? mn_json_bool(d, sa, 0) : lower; /* null: as lowercase */
        int rc = MN_OK;
        if (mn_json_bool(d, mn_json_get(d, n, "clean_text"), 1)) rc = mn_tok_add_norm(L->t, MN_NORM_STEP_BERT_CLEAN, NULL, 0, NULL, 0);
        if (!rc && mn_json_bool(d, mn_json_get(d, n, "handle_chinese_chars"), 1))
            rc = mn_tok_add_norm(L->t, MN_NORM_STEP_BERT_CJK, NULL, 0, NULL, 0);
        if (!rc && strip) rc = mn_tok_add_norm(L->t, MN_NORM_STEP_NFD, NULL, 0, NULL, 0);
        if (!rc && strip) rc = mn_tok_add_norm(L->t, MN_NORM_STEP_STRIP_MN, NULL, 0, NULL, 0);
        if (!rc && lower) rc = mn_tok_add_norm(L->t, MN_NORM_STEP_LOWER, NULL, 0, NULL, 0);
        return rc;
    }
    if (!strcmp(type, "Prepend")) {
        size_t l;
        const char *p = mn_json_str(&L->d, mn_json_get(&L->d, n, "prepend"), &l);
        if (!p) return bad(L, "Prepend without prepend");
        return mn_tok_add_norm(L->t, MN_NORM_STEP_PREPEND, p, l, NULL, 0);
    }
    if (!strcmp(type, "Replace")) {
        uint32_t pat = mn_json_get(&L->d, n, "pattern");
        size_t pl, cl;
        const char *p = mn_json_str(&L->d, mn_json_get(&L->d, pat, "String"), &pl);
        const char *c = mn_json_str(&L->d, mn_json_get(&L->d, n, "content"), &cl);
        if (!p) {
            /* the one regex HF's SentencePiece converters write: runs of two or more spaces */
            if (c && mn_json_str_eq(&L->d, mn_json_get(&L->d, pat, "Regex"), " {2,}"))
                return mn_tok_add_norm(L->t, MN_NORM_STEP_REPLACE_SPACES, NULL, 0, c, cl);
            return unsup(L, "normalizer", "Replace with a regex pattern");
        }
        if (!c || pl == 0) return bad(L, "Replace without pattern or content");
        return mn_tok_add_norm(L->t, MN_NORM_STEP_REPLACE, p, pl, c, cl);
    }
    return unsup(L, "normalizer", type);
}

/* -------------------------------------------------------- pre-tokenizer */
static int load_pretok(ld *L, uint32_t n, int *saw_split)
{
    mn_tokenizer *t = L->t;
    int ty = mn_json_type_of(&L->d, n);
    if (ty < 0 || ty == MN_JSON_NULL) return MN_OK;
    if (ty != MN_JSON_OBJECT) return bad(L, "pre_tokenizer is not an object");
    const char *type = type_of(L, n);
    if (!strcmp(type, "Sequence")) {
        uint32_t arr = mn_json_get(&L->d, n, "pretokenizers");
        if (mn_json_type_of(&L->d, arr) != MN_JSON_ARRAY) return bad(L, "Sequence without pretokenizers");
        uint32_t c = mn_json_first(&L->d, arr);
        /* a known sequence of Splits, one scanner */
        for (size_t k = 0; k < sizeof k_seqs / sizeof k_seqs[0] && !*saw_split && !t->byte_level; k++) {
            uint32_t x = c;
            int i = 0;
            for (; i < 3 && k_seqs[k].re[i] && x != MN_JSON_NONE; i++, x = mn_json_next(&L->d, arr, x)) {
                size_t rl;
                const char *re = mn_json_str(&L->d, mn_json_get(&L->d, mn_json_get(&L->d, x, "pattern"), "Regex"), &rl);
                if (!mn_json_str_eq(&L->d, mn_json_get(&L->d, x, "type"), "Split") || !re || strlen(k_seqs[k].re[i]) != rl ||
                    memcmp(re, k_seqs[k].re[i], rl) || !mn_json_str_eq(&L->d, mn_json_get(&L->d, x, "behavior"), "Isolated") ||
                    mn_json_bool(&L->d, mn_json_get(&L->d, x, "invert"), 0))
                    break;
            }
            if (i < 3 && k_seqs[k].re[i]) continue;
            t->split = k_seqs[k].kind;
            *saw_split = 1;
            c = x;
            break;
        }
        for (; c != MN_JSON_NONE; c = mn_json_next(&L->d, arr, c)) {
            int rc = load_pretok(L, c, saw_split);
            if (rc) return rc;
        }
        return MN_OK;
    }
    if (!strcmp(type, "ByteLevel")) {
        if (t->byte_level) return unsup(L, "pre_tokenizer", "(two ByteLevel)");
        t->byte_level = 1;
        int use_regex = mn_json_bool(&L->d, mn_json_get(&L->d, n, "use_regex"), 1);
        if (mn_json_get(&L->d, n, "use_regex") == MN_JSON_NONE) use_regex = 1;
        if (mn_json_bool(&L->d, mn_json_get(&L->d, n, "add_prefix_space"), 0)) {
            /* the space goes before each split ByteLevel receives: before the whole piece with
             * use_regex, before every word of a preceding Split otherwise (not implemented) */
            if (!use_regex || *saw_split) return unsup(L, "pre_tokenizer", "ByteLevel with add_prefix_space after a Split");
            t->bl_add_prefix_space = 1;
        }
        if (use_regex) {
            if (*saw_split) return unsup(L, "pre_tokenizer", "(Split followed by ByteLevel with use_regex)");
            *saw_split = 1;
            t->split = MN_SPLIT_GPT2;
        }
        return MN_OK;
    }
    if (!strcmp(type, "WhitespaceSplit")) {
        if (*saw_split || t->ms_rep_len || t->byte_level) return unsup(L, "pre_tokenizer", "WhitespaceSplit after another split");
        *saw_split = 1;
        t->ws_split = 1;
        return MN_OK;
    }
    if (!strcmp(type, "Metaspace")) {
        size_t rl;
        const char *r = mn_json_str(&L->d, mn_json_get(&L->d, n, "replacement"), &rl);
        if (!r || rl == 0 || rl >= sizeof t->ms_rep || mn_utf8_seq_len((const unsigned char *)r, rl) != rl)
            return bad(L, "Metaspace replacement is not one char");
        if (t->ms_rep_len || t->byte_level || (*saw_split && !t->ws_split)) return unsup(L, "pre_tokenizer", "Metaspace after another split");
        memcpy(t->ms_rep, r, rl);
        t->ms_rep_len = rl;
        /* prepend_scheme (tokenizers >= 0.19), else the older add_prefix_space */
        uint32_t ps = mn_json_get(&L->d, n, "prepend_scheme");
        if (mn_json_str_eq(&L->d, ps, "always")) t->ms_prepend = 1;
        else if (mn_json_str_eq(&L->d, ps, "first")) t->ms_prepend = 2;
        else if (mn_json_str_eq(&L->d, ps, "never")) t->ms_prepend = 0;
        else if (ps != MN_JSON_NONE && mn_json_type_of(&L->d, ps) != MN_JSON_NULL) return unsup(L, "pre_tokenizer", "Metaspace prepend_scheme");
        else t->ms_prepend = mn_json_bool(&L->d, mn_json_get(&L->d, n, "add_prefix_space"), 1);
        t->ms_split = mn_json_bool(&L->d, mn_json_get(&L->d, n, "split"), 1);
        if (mn_json_get(&L->d, n, "split") == MN_JSON_NONE) t->ms_split = 1;
        *saw_split = 1;
        return MN_OK;
    }
    if (!strcmp(type, "BertPreTokenizer")) {
        if (*saw_split || t->byte_level) return unsup(L, "pre_tokenizer", "(a second split)");
        *saw_split = 1;
        t->split = MN_SPLIT_BERT;
        return MN_OK;
    }
    if (!strcmp(type, "Split")) {
        if (*saw_split || t->byte_level) return unsup(L, "pre_tokenizer", "(a second split)");
        *saw_split = 1;
        uint32_t pat = mn_json_get(&L->d, n, "pattern");
        uint32_t beh = mn_json_get(&L->d, n, "behavior");
        int invert = mn_json_bool(&L->d, mn_json_get(&L->d, n, "invert"), 0);
        size_t rl;
        const char *re = mn_json_str(&L->d, mn_json_get(&L->d, pat, "Regex"), &rl);
        if (!re) {
            /* a literal string, any behaviour (not inverted) */
            const char *lit = mn_json_str(&L->d, mn_json_get(&L->d, pat, "String"), &rl);
            static const char *const names[] = {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"};
            int b = -1;
            for (int i = 0; i < 5; i++)
                if (mn_json_str_eq(&L->d, beh, names[i])) b = i;
            if (!lit) return bad(L, "Split without a pattern");
            if (b < 0 || invert) return unsup(L, "pre_tokenizer", "Split on a string with this behavior or invert");
            if (!rl) return unsup(L, "pre_tokenizer", "Split on an empty string");
            if (!(t->lit = malloc(rl))) return MN_E_NOMEM;
            memcpy(t->lit, lit, rl);
            t->lit_len = rl;
            t->lit_behavior = b;
            return MN_OK;
        }
        /* the regexes below match every char, so keeping the matches and
         * removing the rest (Removed, inverted: tiktoken conversions) is Isolated */
        if (!(mn_json_str_eq(&L->d, beh, "Isolated") && !invert) && !(mn_json_str_eq(&L->d, beh, "Removed") && invert))
            return unsup(L, "pre_tokenizer", "Split behaviour other than Isolated (or Removed inverted)");
        for (size_t i = 0; i < sizeof k_regexes / sizeof k_regexes[0]; i++)
            if (strlen(k_regexes[i].re) == rl && !memcmp(k_regexes[i].re, re, rl)) {
                t->split = k_regexes[i].kind;
                return MN_OK;
            }
        return mn_err_set(&t->err, MN_E_UNSUPPORTED, "tokenizer.json: unsupported Split regex %.200s", re);
    }
    return unsup(L, "pre_tokenizer", type);
}

/* -------------------------------------------------------------- decoder */
static int load_decoder(ld *L, uint32_t n, int top)
{
    int ty = mn_json_type_of(&L->d, n);
    if (ty < 0 || ty == MN_JSON_NULL) return MN_OK;
    if (ty != MN_JSON_OBJECT) return bad(L, "decoder is not an object");
    const char *type = type_of(L, n);
    if (!strcmp(type, "Sequence")) {
        uint32_t arr = mn_json_get(&L->d, n, "decoders");
        if (mn_json_type_of(&L->d, arr) != MN_JSON_ARRAY) return bad(L, "Sequence without decoders");
        for (uint32_t c = mn_json_first(&L->d, arr); c != MN_JSON_NONE; c = mn_json_next(&L->d, arr, c)) {
            int rc = load_decoder(L, c, 0);
            if (rc) return rc;
        }
        return MN_OK;
    }
    if (!strcmp(type, "ByteLevel")) return mn_tok_add_dec(L->t, MN_DEC_BYTELEVEL, NULL, 0, NULL, 0, 0, 0);
    if (!strcmp(type, "ByteFallback")) return mn_tok_add_dec(L->t, MN_DEC_BYTE_FALLBACK, NULL, 0, NULL, 0, 0, 0);
    if (!strcmp(type, "Fuse")) return mn_tok_add_dec(L->t, MN_DEC_FUSE, NULL, 0, NULL, 0, 0, 0);
    if (!strcmp(type, "Metaspace")) {
        size_t rl;
        const char *r = mn_json_str(&L->d, mn_json_get(&L->d, n, "replacement"), &rl);
        if (!r || !rl) return bad(L, "Metaspace decoder without replacement");
        uint32_t ps = mn_json_get(&L->d, n, "prepend_scheme");
        int prepend = ps != MN_JSON_NONE && mn_json_type_of(&L->d, ps) != MN_JSON_NULL ? !mn_json_str_eq(&L->d, ps, "never")
                                                                                     : mn_json_bool(&L->d, mn_json_get(&L->d, n, "add_prefix_space"), 1);
        return mn_tok_add_dec(L->t, MN_DEC_METASPACE, r, rl, " ", 1, (size_t)prepend, 0);
    }
    if (!strcmp(type, "WordPiece")) {
        size_t pl;
        const char *p = mn_json_str(&L->d, mn_json_get(&L->d, n, "prefix"), &pl);
        if (!p) { p = "##"; pl = 2; }
        return mn_tok_add_dec(L->t, MN_DEC_WORDPIECE, p, pl, NULL, 0,
                              (size_t)mn_json_bool(&L->d, mn_json_get(&L->d, n, "cleanup"), 1), 0);
    }
    if (!strcmp(type, "Replace")) {
        uint32_t pat = mn_json_get(&L->d, n, "pattern");
        size_t pl, cl;
        const char *p = mn_json_str(&L->d, mn_json_get(&L->d, pat, "String"), &pl);
        const char *c = mn_json_str(&L->d, mn_json_get(&L->d, n, "content"), &cl);
        if (!p || !c || !pl) return unsup(L, "decoder", "Replace with a regex pattern");
        return mn_tok_add_dec(L->t, MN_DEC_REPLACE, p, pl, c, cl, 0, 0);
    }
    if (!strcmp(type, "Strip")) {
        size_t cl;
        const char *c = mn_json_str(&L->d, mn_json_get(&L->d, n, "content"), &cl);
        int64_t st = 0, sp = 0;
        if (!c || !mn_json_i64(&L->d, mn_json_get(&L->d, n, "start"), &st) ||
            !mn_json_i64(&L->d, mn_json_get(&L->d, n, "stop"), &sp) || st < 0 || sp < 0 || st > 64 || sp > 64)
            return bad(L, "Strip decoder");
        /* Strip acts per token: exact only after Fuse (one token left) */
        int fused = 0;
        for (int i = 0; i < L->t->n_dec; i++) fused |= L->t->dec[i].op == MN_DEC_FUSE;
        if (!fused) return unsup(L, "decoder", "Strip before Fuse");
        return mn_tok_add_dec(L->t, MN_DEC_STRIP, c, cl, NULL, 0, (size_t)st, (size_t)sp);
    }
    (void)top;
    return unsup(L, "decoder", type);
}

/* ------------------------------------------------------- post-processor */
static int special_ids(ld *L, uint32_t specials, uint32_t name, int32_t *dst, int *n)
{
    size_t nl;
    const char *nm = mn_json_str(&L->d, name, &nl);
    if (!nm) return bad(L, "TemplateProcessing SpecialToken without id");
    uint32_t sp = mn_json_get(&L->d, specials, nm);
    uint32_t ids = mn_json_get(&L->d, sp, "ids");
    if (mn_json_type_of(&L->d, ids) != MN_JSON_ARRAY) return bad(L, "TemplateProcessing special token without ids");
    for (uint32_t c = mn_json_first(&L->d, ids); c != MN_JSON_NONE; c = mn_json_next(&L->d, ids, c)) {
        int64_t v;
        if (!mn_json_i64(&L->d, c, &v) || v < 0 || v > INT32_MAX) return bad(L, "special token id");
        if (*n >= MN_TOK_MAX_AFFIX) return unsup(L, "post_processor", "(too many special tokens)");
        dst[(*n)++] = (int32_t)v;
    }
    return MN_OK;
}

static int load_post(ld *L, uint32_t n)
{
    mn_tokenizer *t = L->t;
    int ty = mn_json_type_of(&L->d, n);
    if (ty < 0 || ty == MN_JSON_NULL) return MN_OK;
    if (ty != MN_JSON_OBJECT) return bad(L, "post_processor is not an object");
    const char *type = type_of(L, n);
    if (!strcmp(type, "ByteLevel")) { /* offsets only */
        t->trim_offsets = mn_json_bool(&L->d, mn_json_get(&L->d, n, "trim_offsets"), 1);
        t->trim_prefix_space = mn_json_bool(&L->d, mn_json_get(&L->d, n, "add_prefix_space"), 1);
        return MN_OK;
    }
    if (!strcmp(type, "Sequence")) {
        uint32_t arr = mn_json_get(&L->d, n, "processors");
        for (uint32_t c = mn_json_first(&L->d, arr); c != MN_JSON_NONE; c = mn_json_next(&L->d, arr, c)) {
            int rc = load_post(L, c);
            if (rc) return rc;
        }
        return MN_OK;
    }
    if (!strcmp(type, "BertProcessing")) {
        /* {"sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}: [CLS] A [SEP] */
        int64_t cls, sep;
        uint32_t c = mn_json_get(&L->d, n, "cls"), s2 = mn_json_get(&L->d, n, "sep");
        if (!mn_json_i64(&L->d, mn_json_next(&L->d, c, mn_json_first(&L->d, c)), &cls) ||
            !mn_json_i64(&L->d, mn_json_next(&L->d, s2, mn_json_first(&L->d, s2)), &sep) || cls < 0 || sep < 0 ||
            cls > INT32_MAX || sep > INT32_MAX)
            return bad(L, "BertProcessing without cls/sep ids");
        t->prefix[t->n_prefix++] = (int32_t)cls;
        t->suffix[t->n_suffix++] = (int32_t)sep;
        return MN_OK;
    }
    if (!strcmp(type, "TemplateProcessing")) {
        uint32_t single = mn_json_get(&L->d, n, "single");
        uint32_t specials = mn_json_get(&L->d, n, "special_tokens");
        if (mn_json_type_of(&L->d, single) != MN_JSON_ARRAY) return bad(L, "TemplateProcessing without single");
        int seen_seq = 0;
        for (uint32_t c = mn_json_first(&L->d, single); c != MN_JSON_NONE; c = mn_json_next(&L->d, single, c)) {
            uint32_t sp = mn_json_get(&L->d, c, "SpecialToken");
            if (sp != MN_JSON_NONE) {
                int rc = seen_seq ? special_ids(L, specials, mn_json_get(&L->d, sp, "id"), t->suffix, &t->n_suffix)
                                  : special_ids(L, specials, mn_json_get(&L->d, sp, "id"), t->prefix, &t->n_prefix);
                if (rc) return rc;
            } else if (mn_json_get(&L->d, c, "Sequence") != MN_JSON_NONE) {
                if (seen_seq) return unsup(L, "post_processor", "(two sequences in single)");
                seen_seq = 1;
            } else {
                return bad(L, "TemplateProcessing item");
            }
        }
        return MN_OK;
    }
    return unsup(L, "post_processor", type);
}

/* ---------------------------------------------------------------- model */
/* model.vocab: {"token": id, ...} */
static int load_vocab(ld *L, uint32_t vocab)
{
    mn_json *d = &L->d;
    if (mn_json_type_of(d, vocab) != MN_JSON_OBJECT) return bad(L, "model.vocab is not an object");
    size_t nv = d->nodes[vocab].len;
    int32_t *ids = mn_calloc_array(nv + 1, sizeof *ids);
    const char **strs = mn_calloc_array(nv + 1, sizeof *strs);
    size_t *lens = mn_calloc_array(nv + 1, sizeof *lens);
    int rc = MN_OK;
    if (!ids || !strs || !lens) { rc = mn_err_set(&L->t->err, MN_E_NOMEM, "out of memory"); goto done; }
    size_t k = 0;
    for (uint32_t c = mn_json_first(d, vocab); c != MN_JSON_NONE; c = mn_json_next(d, vocab, d->nodes[c].next)) {
        uint32_t v = d->nodes[c].next;
        int64_t id;
        if (!mn_json_i64(d, v, &id) || id < 0 || id > INT32_MAX) { rc = bad(L, "vocab id is not a non-negative integer"); goto done; }
        strs[k] = mn_json_str(d, c, &lens[k]);
        ids[k] = (int32_t)id;
        k++;
    }
    rc = mn_tok_set_vocab(L->t, k, ids, strs, lens);
done:
    free(ids);
    free(strs);
    free(lens);
    return rc;
}

/* A JSON number as the nearest double (what Rust's parse gives): exact
 * (Clinger's fast path) when the digits fit 2^53 and the power of ten is
 * <= 22, which covers the scores HF writes; otherwise strtod with '.'
 * replaced by the locale's decimal point (no setlocale in a library). */
static double parse_double(char *txt)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = txt;
    int neg = *p == '-';
    if (neg) p++;
    uint64_t m = 0;
    int digits = 0, exp10 = 0, ok = 1;
    for (; *p >= '0' && *p <= '9'; p++) { if (m || *p != '0') digits++; m = m * 10 + (uint64_t)(*p - '0'); ok &= digits <= 19; }
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) { if (m || *p != '0') digits++; m = m * 10 + (uint64_t)(*p - '0'); exp10--; ok &= digits <= 19; }
    if (*p == 'e' || *p == 'E') {
        p++;
        int es = 1, e = 0;
        if (*p == '+' || *p == '-') es = *p++ == '-' ? -1 : 1;
        for (; *p >= '0' && *p <= '9' && e < 10000; p++) e = e * 10 + (*p - '0');
        exp10 += es * e;
    }
    if (ok && m <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / p10[-exp10] : v * p10[exp10];
        return neg ? -v : v;
    }
    const char *dp = localeconv()->decimal_point;
    char *dot = strchr(txt, '.');
    if (dot && dp && dp[0] && !dp[1]) *dot = dp[0];
    return strtod(txt, NULL);
}

/* HF's Unigram: "vocab": [[piece, score], ...], unk_id, byte_fallback. */
static int load_unigram(ld *L, uint32_t m)
{
    mn_tokenizer *t = L->t;
    mn_json *d = &L->d;
    uint32_t vocab = mn_json_get(d, m, "vocab");
    if (mn_json_type_of(d, vocab) != MN_JSON_ARRAY) return bad(L, "Unigram vocab is not an array");
    size_t nv = d->nodes[vocab].len;
    int32_t *ids = mn_calloc_array(nv + 1, sizeof *ids);
    const char **strs = mn_calloc_array(nv + 1, sizeof *strs);
    size_t *lens = mn_calloc_array(nv + 1, sizeof *lens);
    t->dscores = mn_calloc_array(nv + 1, sizeof *t->dscores);
    int rc = MN_OK;
    if (!ids || !strs || !lens || !t->dscores) { rc = mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); goto done; }
    t->model = MN_TOKM_UNIGRAM;
    t->uni_hf = 1;
    t->uni_dmin = 1e308;
    size_t k = 0;
    for (uint32_t c = mn_json_first(d, vocab); c != MN_JSON_NONE; c = mn_json_next(d, vocab, c), k++) {
        uint32_t a = mn_json_first(d, c), b = mn_json_next(d, c, a);
        size_t tl;
        const char *txt = mn_json_str(d, a, &tl);
        if (mn_json_type_of(d, c) != MN_JSON_ARRAY || !txt || mn_json_type_of(d, b) != MN_JSON_NUMBER) {
            rc = bad(L, "Unigram vocab entry is not [piece, score]");
            goto done;
        }
        size_t nl;
        const char *num = mn_json_num_text(d, b, &nl);
        char tmp[64];
        if (nl >= sizeof tmp) { rc = bad(L, "Unigram score"); goto done; }
        memcpy(tmp, num, nl);
        tmp[nl] = 0;
        t->dscores[k] = parse_double(tmp);
        if (t->dscores[k] < t->uni_dmin) t->uni_dmin = t->dscores[k];
        ids[k] = (int32_t)k;
        strs[k] = txt;
        lens[k] = tl;
    }
    if ((rc = mn_tok_set_vocab(t, k, ids, strs, lens))) goto done;
    for (size_t i = 0; i < k; i++)
        if (lens[i] && mn_tok_trie_add(&t->trie_pieces, strs[i], lens[i], (int32_t)i)) { rc = mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); goto done; }
    int64_t unk;
    uint32_t u = mn_json_get(d, m, "unk_id");
    if (mn_json_type_of(d, u) == MN_JSON_NUMBER) {
        if (!mn_json_i64(d, u, &unk) || unk < 0 || (size_t)unk >= k) { rc = bad(L, "Unigram unk_id"); goto done; }
        t->unk_id = (int32_t)unk;
    } else {
        rc = unsup(L, "model", "Unigram without unk_id");
        goto done;
    }
    t->byte_fallback = mn_json_bool(d, mn_json_get(d, m, "byte_fallback"), 0);
    for (unsigned b = 0; b < 256 && t->byte_fallback; b++) {
        static const char hx[] = "0123456789ABCDEF";
        char s6[6] = {'<', '0', 'x', hx[b >> 4], hx[b & 15], '>'};
        t->byte_id[b] = mn_tok_vocab_find(t, s6, 6);
    }
done:
    free(ids);
    free(strs);
    free(lens);
    return rc;
}

static int load_wordpiece(ld *L, uint32_t m)
{
    mn_tokenizer *t = L->t;
    mn_json *d = &L->d;
    t->model = MN_TOKM_WORDPIECE;
    int rc = load_vocab(L, mn_json_get(d, m, "vocab"));
    if (rc) return rc;
    size_t l;
    const char *p = mn_json_str(d, mn_json_get(d, m, "continuing_subword_prefix"), &l);
    if (!p) { p = "##"; l = 2; }
    if (l >= sizeof t->wp_prefix) return unsup(L, "model", "WordPiece prefix longer than 31 bytes");
    memcpy(t->wp_prefix, p, l);
    t->wp_prefix_len = l;
    int64_t mx = 100;
    uint32_t mc = mn_json_get(d, m, "max_input_chars_per_word");
    if (mc != MN_JSON_NONE && (!mn_json_i64(d, mc, &mx) || mx < 0)) return bad(L, "max_input_chars_per_word");
    t->wp_max_chars = (size_t)mx;
    p = mn_json_str(d, mn_json_get(d, m, "unk_token"), &l);
    if (!p) { p = "[UNK]"; l = 5; }
    t->unk_id = mn_tok_vocab_find(t, p, l);
    if (t->unk_id < 0) return bad(L, "WordPiece unk_token not in the vocabulary");
    return MN_OK;
}


static int load_bpe(ld *L, uint32_t m)
{
    mn_tokenizer *t = L->t;
    mn_json *d = &L->d;
    t->model = MN_TOKM_BPE;
    uint32_t dr = mn_json_get(d, m, "dropout");
    if (mn_json_type_of(d, dr) == MN_JSON_NUMBER) {
        int64_t z;
        if (!mn_json_i64(d, dr, &z) || z != 0) return unsup(L, "model", "BPE with dropout");
    }
    size_t l;
    const char *pre = mn_json_str(d, mn_json_get(d, m, "continuing_subword_prefix"), &l);
    if (pre && l) return unsup(L, "model", "BPE with continuing_subword_prefix");
    pre = mn_json_str(d, mn_json_get(d, m, "end_of_word_suffix"), &l);
    if (pre && l) return unsup(L, "model", "BPE with end_of_word_suffix");
    t->byte_fallback = mn_json_bool(d, mn_json_get(d, m, "byte_fallback"), 0);
    t->fuse_unk = mn_json_bool(d, mn_json_get(d, m, "fuse_unk"), 0);
    t->ignore_merges = mn_json_bool(d, mn_json_get(d, m, "ignore_merges"), 0);
    int rc = load_vocab(L, mn_json_get(d, m, "vocab"));
    if (rc) return rc;
    /* merges */
    uint32_t merges = mn_json_get(d, m, "merges");
    if (mn_json_type_of(d, merges) != MN_JSON_ARRAY) { rc = bad(L, "model.merges is not an array"); goto done; }
    if ((rc = mn_tok_merges_reserve(t, d->nodes[merges].len))) goto done;
    uint32_t rank = 0;
    for (uint32_t c = mn_json_first(d, merges); c != MN_JSON_NONE; c = mn_json_next(d, merges, c), rank++) {
        const char *a, *b;
        size_t al, bl;
        if (mn_json_type_of(d, c) == MN_JSON_STRING) {
            const char *s = mn_json_str(d, c, &l);
            const char *sp = memchr(s, ' ', l);
            if (!sp || memchr(sp + 1, ' ', l - (size_t)(sp + 1 - s))) { rc = bad(L, "merge is not \"a b\""); goto done; }
            a = s; al = (size_t)(sp - s); b = sp + 1; bl = l - al - 1;
        } else if (mn_json_type_of(d, c) == MN_JSON_ARRAY && d->nodes[c].len == 2) {
            uint32_t x = mn_json_first(d, c), y = mn_json_next(d, c, x);
            a = mn_json_str(d, x, &al);
            b = mn_json_str(d, y, &bl);
            if (!a || !b) { rc = bad(L, "merge pair is not two strings"); goto done; }
        } else {
            rc = bad(L, "merge is neither a string nor a pair");
            goto done;
        }
        if ((rc = mn_tok_add_merge(t, a, al, b, bl, rank))) goto done;
    }
    const char *unk = mn_json_str(d, mn_json_get(d, m, "unk_token"), &l);
    if (unk) {
        t->unk_id = mn_tok_vocab_find(t, unk, l);
        if (t->unk_id < 0) { rc = bad(L, "unk_token not in the vocabulary"); goto done; }
    }
    if (t->byte_level) {
        for (unsigned b = 0; b < 256; b++) {
            char c = (char)b;
            t->byte_id[b] = mn_tok_vocab_find(t, &c, 1);
        }
    } else if (t->byte_fallback) {
        for (unsigned b = 0; b < 256; b++) {
            static const char hx[] = "0123456789ABCDEF";
            char s[6] = {'<', '0', 'x', hx[b >> 4], hx[b & 15], '>'};
            t->byte_id[b] = mn_tok_vocab_find(t, s, 6);
        }
    }
done:
    return rc;
}

/* Added tokens get the ids HF gives them, not necessarily the file's: HF's
 * AddedVocabulary::add_tokens (in file order) keeps the id of a content
 * already added or in the model vocabulary, and numbers the others after the
 * largest added id, or from the model's vocabulary size (its number of
 * entries). They differ only in files with gaps (HF warns about them). */
/* one element of added_tokens (see load_added) */
static int load_added_one(ld *L, uint32_t c, size_t *seen, size_t cap, size_t vocab_len, int64_t *max_addedp)
{
    mn_json *d = &L->d;
    mn_tokenizer *t = L->t;
    int64_t max_added = *max_addedp;
    int64_t id;
    size_t l;
    const char *s = mn_json_str(d, mn_json_get(d, c, "content"), &l);
    if (!s || !mn_json_i64(d, mn_json_get(d, c, "id"), &id) || id < 0 || id > INT32_MAX)
        return bad(L, "added token without content or id");
    if (!l) return MN_OK; /* HF skips empty contents */
    int special = mn_json_bool(d, mn_json_get(d, c, "special"), 0), lstrip = mn_json_bool(d, mn_json_get(d, c, "lstrip"), 0),
        rstrip = mn_json_bool(d, mn_json_get(d, c, "rstrip"), 0), single = mn_json_bool(d, mn_json_get(d, c, "single_word"), 0),
        norm = mn_json_bool(d, mn_json_get(d, c, "normalized"), 1);
    mn_tok_added *prev = NULL;
    size_t h = (size_t)mn_tok_hash_bytes(s, l) & (cap - 1);
    for (; seen[h] != SIZE_MAX && !prev; h = (h + 1) & (cap - 1)) {
        mn_tok_added *a = &t->added[seen[h]];
        if (a->len == l && !memcmp(t->added_bytes + a->off, s, l)) prev = a;
    }
    if (prev) { /* the same content again: its flags replace the first's */
        prev->special = (uint8_t)special;
        prev->lstrip = (uint8_t)lstrip;
        prev->rstrip = (uint8_t)rstrip;
        prev->single_word = (uint8_t)single;
        prev->normalized = (uint8_t)norm;
        return MN_OK;
    }
    int32_t vid = mn_tokenizer_token_to_id(t, s, l);
    if (vid >= 0) id = vid;
    else if (max_added >= 0) id = max_added >= (int64_t)vocab_len || vocab_len == 0 ? max_added + 1 : (int64_t)vocab_len;
    else id = (int64_t)vocab_len;
    if (id > INT32_MAX) return bad(L, "added token id");
    if (id > max_added) max_added = id;
    *max_addedp = max_added;
    int rc = mn_tok_add_added(t, (int32_t)id, s, l, special, lstrip, rstrip, single, norm);
    if (rc) return rc;
    seen[h] = t->n_added - 1; /* h: the empty slot the probe ended on */
    return MN_OK;
}

static int load_added(ld *L, uint32_t arr)
{
    mn_json *d = &L->d;
    mn_tokenizer *t = L->t;
    if (arr == MN_JSON_NONE || mn_json_type_of(d, arr) == MN_JSON_NULL) return MN_OK;
    if (mn_json_type_of(d, arr) != MN_JSON_ARRAY) return bad(L, "added_tokens is not an array");
    size_t vocab_len = 0;
    for (size_t i = 0; i < t->n_vocab; i++) vocab_len += t->tok_len[i] != UINT32_MAX;
    int64_t max_added = -1;
    /* the added tokens so far by content (open addressing over indices into
     * t->added, SIZE_MAX = empty): a repeated content is found in O(1) */
    size_t n_items = t->n_added, cap = 16;
    for (uint32_t c = mn_json_first(d, arr); c != MN_JSON_NONE; c = mn_json_next(d, arr, c)) n_items++;
    while (cap < 2 * n_items) cap *= 2;
    size_t *seen = mn_malloc(cap * sizeof *seen);
    if (!seen) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < cap; i++) seen[i] = SIZE_MAX;
    for (size_t i = 0; i < t->n_added; i++) {
        size_t h = (size_t)mn_tok_hash_bytes(t->added_bytes + t->added[i].off, t->added[i].len) & (cap - 1);
        while (seen[h] != SIZE_MAX) h = (h + 1) & (cap - 1);
        seen[h] = i;
    }
    int rc = MN_OK;
    for (uint32_t c = mn_json_first(d, arr); c != MN_JSON_NONE && rc == MN_OK; c = mn_json_next(d, arr, c))
        rc = load_added_one(L, c, seen, cap, vocab_len, &max_added);
    mn_free(seen);
    return rc;
}

int mn_tok_load_hf(mn_tokenizer *t, const char *json, size_t n)
{
    ld L;
    L.t = t;
    int rc = mn_json_parse(&L.d, json, n, 64, &t->err);
    if (rc) return rc;
    uint32_t root = 0;
    if (mn_json_type_of(&L.d, root) != MN_JSON_OBJECT) { rc = bad(&L, "the document is not an object"); goto done; }
    uint32_t model = mn_json_get(&L.d, root, "model");
    if (mn_json_type_of(&L.d, model) != MN_JSON_OBJECT) { rc = bad(&L, "no \"model\" object (not a tokenizer.json)"); goto done; }
    int saw_split = 0;
    if ((rc = load_normalizer(&L, mn_json_get(&L.d, root, "normalizer")))) goto done;
    if ((rc = load_pretok(&L, mn_json_get(&L.d, root, "pre_tokenizer"), &saw_split))) goto done;
    const char *mt = type_of(&L, model);
    if (!*mt && mn_json_get(&L.d, model, "merges") != MN_JSON_NONE) mt = "BPE";
    if (!*mt && mn_json_get(&L.d, model, "continuing_subword_prefix") != MN_JSON_NONE) mt = "WordPiece";
    if (!strcmp(mt, "BPE")) rc = load_bpe(&L, model);
    else if (!strcmp(mt, "WordPiece")) rc = load_wordpiece(&L, model);
    else if (!strcmp(mt, "Unigram")) rc = load_unigram(&L, model);
    else rc = unsup(&L, "model", mt);
    if (rc) goto done;
    if ((rc = load_added(&L, mn_json_get(&L.d, root, "added_tokens")))) goto done;
    if ((rc = load_post(&L, mn_json_get(&L.d, root, "post_processor")))) goto done;
    if ((rc = load_decoder(&L, mn_json_get(&L.d, root, "decoder"), 1))) goto done;
    if (t->byte_level && t->n_dec && t->dec[0].op != MN_DEC_BYTELEVEL)
        rc = unsup(&L, "decoder", "(a byte-level vocabulary needs the ByteLevel decoder)");
done:
    mn_json_free(&L.d);
    return rc;
}
