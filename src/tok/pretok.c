/* pretok.c - the split regexes of GPT-2, Llama-3 (= cl100k), Qwen2, o200k
 * and llama.cpp's digit-splitting variant as hand-written scanners (no regex
 * engine), plus BertPreTokenizer.
 *
 * Each regex scanner reproduces leftmost-first alternation with greedy
 * quantifiers and backtracking exactly as Oniguruma (HF tokenizers) and
 * fancy-regex (tiktoken) evaluate the pattern: at each position the
 * alternatives are tried in order; a match is emitted and scanning resumes at
 * its end. Every character belongs to exactly one word (the alternatives
 * together match any character); BertPreTokenizer drops whitespace.
 *
 * Classes: \p{L} = general category L*, \p{N} = N*, \p{M} = M*, \s =
 * White_Space. Case-insensitive contractions (?i:'s|'t|'re|'ve|'m|'ll|'d) use
 * simple case folding: besides ASCII case, U+017F LATIN SMALL LETTER LONG S
 * folds to 's' (the only non-ASCII code point in CaseFolding.txt whose C/S
 * folding is one of s, t, r, e, v, m, l, d).
 *
 * The scanners walk the UTF-8 bytes directly (the text is valid UTF-8): a
 * table classifies ASCII, other chars go through the Unicode tables; nothing
 * is allocated.
 */
#include "tok/tok_internal.h"
#include <string.h>

/* char classes: one of L/N/S/O, plus detail bits for o200k */
enum {
    CL_O = 0, CL_L = 1, CL_N = 2, CL_S = 3, /* low 2 bits */
    CL_UP = 4,   /* in o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
    CL_LO = 8,   /* in o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
    CL_NL = 16,  /* \r or \n */
};
#define CLS(c) ((c) & 3)

static const uint8_t k_ascii[128] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, CL_S, CL_S | CL_NL, CL_S, CL_S, CL_S | CL_NL, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ CL_S, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x30 */ CL_N, CL_N, CL_N, CL_N, CL_N, CL_N, CL_N, CL_N, CL_N, CL_N, 0, 0, 0, 0, 0, 0,
    /* 0x40 */ 0, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP,
    CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP,
    /* 0x50 */ CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP,
    CL_L | CL_UP, CL_L | CL_UP, CL_L | CL_UP, 0, 0, 0, 0, 0,
    /* 0x60 */ 0, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO,
    CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO,
    /* 0x70 */ CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO,
    CL_L | CL_LO, CL_L | CL_LO, CL_L | CL_LO, 0, 0, 0, 0, 0,
};

static unsigned cls_cp(uint32_t cp)
{
    if (cp < 0x80) return k_ascii[cp];
    unsigned r = mn_uc_raw(cp);
    if (r & MN_UC_WHITE_SPACE) return CL_S;
    unsigned c = r & 0x1F;
    switch (c) {
    case MN_UC_Lu: case MN_UC_Lt: return CL_L | CL_UP;
    case MN_UC_Ll: return CL_L | CL_LO;
    case MN_UC_Lm: case MN_UC_Lo: return CL_L | CL_UP | CL_LO;
    case MN_UC_Mn: case MN_UC_Mc: case MN_UC_Me: return CL_O | CL_UP | CL_LO; /* a mark: not \p{L} */
    case MN_UC_Nd: case MN_UC_Nl: case MN_UC_No: return CL_N;
    default: return CL_O;
    }
}

/* class and length of the char at s[i] (i < n) */
static inline unsigned cls_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
    if (s[i] < 0x80) { *len = 1; return k_ascii[s[i]]; }
    return cls_cp(mn_utf8_decode(s + i, n - i, len));
}

static inline uint32_t fold(uint32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c == 0x17F) return 's';
    return c;
}

/* A contraction after the apostrophe at s[i]: its byte length, or 0. */
static size_t contraction(const unsigned char *s, size_t n, size_t i, int ci)
{
    if (s[i] != '\'' || i + 1 >= n) return 0;
    size_t la, lb = 0;
    uint32_t a = mn_utf8_decode(s + i + 1, n - i - 1, &la), b = 0;
    if (i + 1 + la < n) b = mn_utf8_decode(s + i + 1 + la, n - i - 1 - la, &lb);
    if (ci) { a = fold(a); b = fold(b); }
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 1 + la;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 1 + la + lb;
    return 0;
}

/* end of the run of chars of class want (low bits) from i */
static inline size_t run_of(const unsigned char *s, size_t n, size_t i, unsigned want)
{
    while (i < n) {
        if (s[i] < 0x80) {
            if (CLS(k_ascii[s[i]]) != want) break;
            i++;
            continue;
        }
        size_t l;
        if (CLS(cls_at(s, n, i, &l)) != want) break;
        i += l;
    }
    return i;
}

/* The whitespace alternatives at i (a \s char): \s*[\r\n]+ (with_nl) |
 * \s+(?!\S) | \s+. @return the end. */
static size_t space_end(const unsigned char *s, size_t n, size_t i, int with_nl)
{
    size_t w = i, last_nl = 0, last_start = i, count = 0;
    while (w < n) {
        size_t l;
        unsigned c = cls_at(s, n, w, &l);
        if (CLS(c) != CL_S) break;
        if (c & CL_NL) last_nl = w + l;
        last_start = w;
        w += l;
        count++;
    }
    if (with_nl && last_nl) return last_nl;
    if (count > 1 && w < n) return last_start; /* \s+(?!\S): leave the last space to the next word */
    return w;
}

/* ` ?[^\s\p{L}\p{N}]+` then any of the chars in tail (e.g. "\r\n"): the end,
 * or 0 if no other-class char follows the optional space at i. */
static size_t others_end(const unsigned char *s, size_t n, size_t i, const char *tail)
{
    size_t j = i + (s[i] == ' '), l;
    if (j >= n || CLS(cls_at(s, n, j, &l)) != CL_O) return 0;
    size_t e = run_of(s, n, j + l, CL_O);
    while (e < n && s[e] && strchr(tail, s[e])) e++;
    return e;
}

/* \p{N}{1,maxdig} at i (a number char): the end */
static size_t digits_end(const unsigned char *s, size_t n, size_t i, size_t l0, size_t maxdig)
{
    size_t e = i + l0, k = 1, l;
    while (k < maxdig && e < n && CLS(cls_at(s, n, e, &l)) == CL_N) { e += l; k++; }
    return e;
}

#define EMIT(a, b) do { int r_ = emit(ctx, (a), (b)); if (r_) return r_; } while (0)

/* GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * over s[i..n) (n may be the end of a piece). */
static int gpt2_span(const unsigned char *s, size_t i, size_t n, mn_tok_emit_fn emit, void *ctx)
{
    while (i < n) {
        size_t m = contraction(s, n, i, 0);
        if (m) { EMIT(i, i + m); i += m; continue; }
        size_t j = i + (s[i] == ' '), l;
        unsigned c;
        if (j < n && CLS(c = cls_at(s, n, j, &l)) != CL_S) {
            size_t e = run_of(s, n, j + l, CLS(c));
            EMIT(i, e);
            i = e;
            continue;
        }
        size_t e = space_end(s, n, i, 0);
        EMIT(i, e);
        i = e;
    }
    return 0;
}

/* Llama-3 / cl100k (maxdig 3) and Qwen2 (maxdig 1):
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
static int llama3_split(const unsigned char *s, size_t n, size_t maxdig, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = 0;
    while (i < n) {
        size_t l0, l1;
        unsigned c0 = cls_at(s, n, i, &l0);
        if (s[i] == '\'') {
            size_t m = contraction(s, n, i, 1);
            if (m) { EMIT(i, i + m); i += m; continue; }
        }
        if (CLS(c0) == CL_L) {
            size_t e = run_of(s, n, i + l0, CL_L);
            EMIT(i, e);
            i = e;
            continue;
        }
        if (!(c0 & CL_NL) && CLS(c0) != CL_N && i + l0 < n && CLS(cls_at(s, n, i + l0, &l1)) == CL_L) {
            size_t e = run_of(s, n, i + l0 + l1, CL_L);
            EMIT(i, e);
            i = e;
            continue;
        }
        size_t e;
        if (CLS(c0) == CL_N) e = digits_end(s, n, i, l0, maxdig);
        else if (!(e = others_end(s, n, i, "\r\n"))) e = space_end(s, n, i, 1);
        EMIT(i, e);
        i = e;
    }
    return 0;
}

/* o200k letters, alternative 1 from s[i]: [U]*[L]+ with backtracking.
 * @return the end, or 0 if no match. */
static size_t o200k_alt1(const unsigned char *s, size_t n, size_t i)
{
    size_t r = i, last_both = SIZE_MAX, l;
    unsigned c;
    while (r < n && ((c = cls_at(s, n, r, &l)) & CL_UP)) {
        if (c & CL_LO) last_both = r;
        r += l;
    }
    if (r < n && (cls_at(s, n, r, &l) & CL_LO)) {
        /* [L]+ from r over l/b chars */
        size_t e = r;
        while (e < n && (cls_at(s, n, e, &l) & CL_LO)) e += l;
        return e;
    }
    if (last_both == SIZE_MAX) return 0;
    /* [U]* gives back down to the last char that is also in [L]: [L]+ is that char */
    cls_at(s, n, last_both, &l);
    return last_both + l;
}

/* alternative 2: [U]+[L]*; [L]* can add nothing here (alternative 1 failed) */
static size_t o200k_alt2(const unsigned char *s, size_t n, size_t i)
{
    size_t r = i, l;
    while (r < n && (cls_at(s, n, r, &l) & CL_UP)) r += l;
    return r > i ? r : 0;
}

/* o200k:
 * [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
/* o200k; Tekken (Mistral Nemo) is the same without the contractions and
 * with \p{N} instead of \p{N}{1,3} */
static int o200k_split(const unsigned char *s, size_t n, int contractions, size_t maxdig, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = 0;
    while (i < n) {
        size_t l0;
        unsigned c0 = cls_at(s, n, i, &l0);
        /* the optional prefix: any char but \r \n \p{L} \p{N} (a mark qualifies, and is also a letter here) */
        int prefix = !(c0 & CL_NL) && CLS(c0) != CL_L && CLS(c0) != CL_N;
        size_t e = 0;
        for (int alt = 1; alt <= 2 && !e; alt++) {
            if (prefix && i + l0 < n) e = alt == 1 ? o200k_alt1(s, n, i + l0) : o200k_alt2(s, n, i + l0);
            if (!e) e = alt == 1 ? o200k_alt1(s, n, i) : o200k_alt2(s, n, i);
        }
        if (e) {
            if (e < n && contractions) e += contraction(s, n, e, 1);
            EMIT(i, e);
            i = e;
            continue;
        }
        if (CLS(c0) == CL_N) e = digits_end(s, n, i, l0, maxdig);
        else if (!(e = others_end(s, n, i, "\r\n/"))) e = space_end(s, n, i, 1);
        EMIT(i, e);
        i = e;
    }
    return 0;
}

/* BertPreTokenizer: split on White_Space (dropped), then isolate each char
 * that is ASCII punctuation (Rust's is_ascii_punctuation) or P* in the
 * unicode_categories crate (Unicode 8.0). */
static int bert_split(const unsigned char *s, size_t n, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = 0, ws = 0;
    while (i < n) {
        size_t l = 1;
        uint32_t cp = s[i];
        int space, punct;
        if (cp < 0x80) {
            space = cp == ' ' || (cp >= 9 && cp <= 13);
            punct = (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
                    (cp >= 0x7B && cp <= 0x7E);
        } else {
            cp = mn_utf8_decode(s + i, n - i, &l);
            space = mn_uc_is_space(cp);
            unsigned c8 = mn_uc_category_8_0(cp);
            punct = c8 >= MN_UC_Pc && c8 <= MN_UC_Po;
        }
        if (space || punct) {
            if (i > ws) EMIT(ws, i);
            if (punct) EMIT(i, i + l);
            ws = i + l;
        }
        i += l;
    }
    if (n > ws) EMIT(ws, n);
    return 0;
}

/* DeepSeek-V3 (also R1): a Sequence of three Isolated Splits, each applied to
 * every piece of the one before:
 *   1. \p{N}{1,3}
 *   2. [一-龥぀-ゟ゠-ヿ]+                (U+4E00..9FA5, U+3040..30FF)
 *   3. [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
 *      | ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * Isolated keeps the text between matches as pieces too (pattern 3 does not
 * match every char: digits, controls, lone format chars). */
enum { DS_L = 1, DS_M = 2, DS_PS = 4, DS_WS = 8, DS_N = 16, DS_CJK = 32 };

static unsigned ds_cls(const unsigned char *s, size_t n, size_t i, size_t *len)
{
    uint32_t cp;
    if (s[i] < 0x80) { *len = 1; cp = s[i]; }
    else cp = mn_utf8_decode(s + i, n - i, len);
    unsigned r = mn_uc_raw(cp), c = r & 0x1F, k = r & MN_UC_WHITE_SPACE ? DS_WS : 0;
    if (c >= MN_UC_Lu && c <= MN_UC_Lo) k |= DS_L;
    else if (c >= MN_UC_Mn && c <= MN_UC_Me) k |= DS_M;
    else if (c >= MN_UC_Nd && c <= MN_UC_No) k |= DS_N;
    else if (c >= MN_UC_Pc && c <= MN_UC_So) k |= DS_PS;
    if ((cp >= 0x4E00 && cp <= 0x9FA5) || (cp >= 0x3040 && cp <= 0x30FF)) k |= DS_CJK;
    return k;
}

/* end of the run of chars with any of the bits in mask from s[i] (in [i, b)) */
static size_t ds_run(const unsigned char *s, size_t i, size_t b, unsigned mask)
{
    size_t l;
    while (i < b && (ds_cls(s, b, i, &l) & mask)) i += l;
    return i;
}

static int is_ascii_alpha(unsigned c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

/* pattern 3 over the piece s[a..b) */
static int ds_words(const unsigned char *s, size_t a, size_t b, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = a, um = a; /* um: start of the text no alternative matched */
    while (i < b) {
        size_t l0, l1, e = 0;
        unsigned c0 = ds_cls(s, b, i, &l0);
        if (s[i] < 0x80 && i + 1 < b && is_ascii_alpha(s[i + 1]) && s[i] > ' ' && s[i] < 0x7F && !is_ascii_alpha(s[i]) &&
            !(s[i] >= '0' && s[i] <= '9')) {
            e = i + 1;
            while (e < b && is_ascii_alpha(s[e])) e++;
        }
        if (!e) {
            int opt = !(c0 & (DS_L | DS_PS)) && s[i] != '\r' && s[i] != '\n';
            if (opt && i + l0 < b && (ds_cls(s, b, i + l0, &l1) & (DS_L | DS_M))) e = ds_run(s, i + l0, b, DS_L | DS_M);
            else if (c0 & (DS_L | DS_M)) e = ds_run(s, i, b, DS_L | DS_M);
        }
        if (!e) {
            size_t j = i;
            if (s[i] == ' ' && i + 1 < b && (ds_cls(s, b, i + 1, &l1) & DS_PS)) j = i + 1;
            if (j > i || (c0 & DS_PS)) {
                e = ds_run(s, j, b, DS_PS);
                while (e < b && (s[e] == '\r' || s[e] == '\n')) e++;
            }
        }
        if (!e && (c0 & DS_WS)) {
            size_t w = i, nl = 0, last = i, l;
            while (w < b && (ds_cls(s, b, w, &l) & DS_WS)) {
                if (s[w] == '\r' || s[w] == '\n') nl = w + 1;
                last = w;
                w += l;
            }
            if (nl) e = nl;                      /* \s*[\r\n]+ */
            else if (w == b || last == i) e = w; /* \s+(?!\S) at the end, or \s+ */
            else e = last;                       /* \s+(?!\S): all but the last */
        }
        if (!e) { i += l0; continue; }
        if (um < i) EMIT(um, i);
        EMIT(i, e);
        i = um = e;
    }
    if (um < b) EMIT(um, b);
    return 0;
}

/* patterns 2 and 3 over the piece s[a..b) */
static int ds_cjk(const unsigned char *s, size_t a, size_t b, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = a, l;
    while (i < b) {
        size_t j = i;
        while (j < b && !(ds_cls(s, b, j, &l) & DS_CJK)) j += l;
        if (j > i) { int r = ds_words(s, i, j, emit, ctx); if (r) return r; }
        if (j < b) {
            size_t e = ds_run(s, j, b, DS_CJK);
            int r = ds_words(s, j, e, emit, ctx);
            if (r) return r;
            j = e;
        }
        i = j;
    }
    return 0;
}

static int deepseek3_split(const unsigned char *s, size_t n, mn_tok_emit_fn emit, void *ctx)
{
    size_t i = 0, l;
    while (i < n) {
        size_t j = i;
        if (ds_cls(s, n, i, &l) & DS_N)
            for (int k = 0; k < 3 && j < n && (ds_cls(s, n, j, &l) & DS_N); k++) j += l;
        else
            while (j < n && !(ds_cls(s, n, j, &l) & DS_N)) j += l;
        int r = ds_cjk(s, i, j, emit, ctx);
        if (r) return r;
        i = j;
    }
    return 0;
}

int mn_tok_split(int kind, const char *text, size_t n, mn_tok_emit_fn emit, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    if (n == 0) return 0;
    switch (kind) {
    case MN_SPLIT_NONE: return emit(ctx, 0, n);
    case MN_SPLIT_BERT: return bert_split(s, n, emit, ctx);
    case MN_SPLIT_GPT2: return gpt2_span(s, 0, n, emit, ctx);
    case MN_SPLIT_LLAMA3: return llama3_split(s, n, 3, emit, ctx);
    case MN_SPLIT_QWEN2: return llama3_split(s, n, 1, emit, ctx);
    case MN_SPLIT_O200K: return o200k_split(s, n, 1, 3, emit, ctx);
    case MN_SPLIT_TEKKEN: return o200k_split(s, n, 0, 1, emit, ctx);
    case MN_SPLIT_DEEPSEEK3: return deepseek3_split(s, n, emit, ctx);
    case MN_SPLIT_DIGITS_GPT2: {
        /* llama.cpp's two passes: every \p{N} char alone, then GPT-2 inside the pieces between */
        size_t i = 0, l;
        while (i < n) {
            size_t j = i;
            while (j < n && CLS(cls_at(s, n, j, &l)) != CL_N) j += l;
            if (j > i) { int r = gpt2_span(s, i, j, emit, ctx); if (r) return r; }
            if (j < n) { cls_at(s, n, j, &l); EMIT(j, j + l); j += l; }
            i = j;
        }
        return 0;
    }
    default: return MN_E_UNSUPPORTED;
    }
}
