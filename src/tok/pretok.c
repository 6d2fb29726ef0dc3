/* pretok.c - the split regexes of GPT-2, Llama-3 and Qwen2 tokenizer.json
 * files as hand-written scanners (no regex engine).
 *
 * Each scanner reproduces leftmost-first alternation with greedy quantifiers
 * exactly as Oniguruma (HF tokenizers' regex engine) evaluates the pattern:
 * at each position the alternatives are tried in order; a match is emitted
 * and scanning resumes at its end. Every character of the text belongs to
 * exactly one word (the alternatives together match any character).
 *
 * Classes: \p{L} = general category L*, \p{N} = N*, \s = White_Space.
 * Not every scanner covers the text: BertPreTokenizer drops whitespace.
 * Case-insensitive contractions (?i:'s|'t|'re|'ve|'m|'ll|'d) use simple case
 * folding: besides ASCII case, U+017F LATIN SMALL LETTER LONG S folds to 's'
 * (the only non-ASCII code point in CaseFolding.txt whose C/S folding is one
 * of s, t, r, e, v, m, l, d).
 */
#include "tok/tok_internal.h"
#include <stdlib.h>

enum { CL_O = 0, CL_L = 1, CL_N = 2, CL_S = 4 };

typedef struct scan {
    const unsigned char *s;
    size_t n;
    size_t i;       /* byte position */
} scan;

/* Decode the char at byte offset i; *l = its length. Text is valid UTF-8. */
static inline uint32_t cp_at(const unsigned char *s, size_t n, size_t i, size_t *l)
{
    if (s[i] < 0x80) { *l = 1; return s[i]; }
    return mn_utf8_decode(s + i, n - i, l);
}

static inline int cls_of(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CL_L;
        if (cp >= '0' && cp <= '9') return CL_N;
        if (cp == ' ' || (cp >= 9 && cp <= 13)) return CL_S;
        return CL_O;
    }
    unsigned r = mn_uc_raw(cp);
    if (r & MN_UC_WHITE_SPACE) return CL_S;
    unsigned c = r & 0x1F;
    if (c >= MN_UC_Lu && c <= MN_UC_Lo) return CL_L;
    if (c >= MN_UC_Nd && c <= MN_UC_No) return CL_N;
    return CL_O;
}

/* A decoded view: class and byte offset per char, computed once. */
typedef struct chars {
    uint32_t *cp;
    uint8_t *cl;
    size_t *off;  /* off[k] = byte offset of char k; off[count] = n */
    size_t count;
} chars;

static int chars_build(chars *c, const unsigned char *s, size_t n)
{
    c->cp = malloc((n + 1) * sizeof *c->cp);
    c->cl = malloc(n + 1);
    c->off = malloc((n + 1) * sizeof *c->off);
    if (!c->cp || !c->cl || !c->off) return -1;
    size_t i = 0, k = 0;
    while (i < n) {
        size_t l;
        uint32_t cp = cp_at(s, n, i, &l);
        c->cp[k] = cp;
        c->cl[k] = (uint8_t)cls_of(cp);
        c->off[k] = i;
        k++;
        i += l;
    }
    c->off[k] = n;
    c->cp[k] = 0;
    c->cl[k] = 0xFF; /* sentinel: matches no class */
    c->count = k;
    return 0;
}

static void chars_free(chars *c)
{
    free(c->cp);
    free(c->cl);
    free(c->off);
}

static inline uint32_t fold(uint32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c == 0x17F) return 's';
    return c;
}

/* Length (in chars, 2 or 3) of a contraction at k, or 0. */
static size_t contraction(const chars *c, size_t k, int ci)
{
    if (c->cp[k] != '\'' || k + 1 >= c->count) return 0;
    uint32_t a = c->cp[k + 1], b = k + 2 < c->count ? c->cp[k + 2] : 0;
    if (ci) { a = fold(a); b = fold(b); }
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

#define EMIT(a, b) do { int r_ = emit(ctx, c.off[a], c.off[b]); if (r_) { rc = r_; goto done; } } while (0)

/* GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * over chars [k, N) (N may end before the text: the end of a piece). */
static int gpt2_span(const chars *cv, size_t k, size_t N, mn_tok_emit_fn emit, void *ctx)
{
    const uint8_t *cl = cv->cl;
    const uint32_t *cp = cv->cp;
    while (k < N) {
        /* a contraction never reaches past N: its letters are not \p{N} (the only piece ends) */
        size_t m = contraction(cv, k, 0);
        if (m && k + m <= N) { int r = emit(ctx, cv->off[k], cv->off[k + m]); if (r) return r; k += m; continue; }
        size_t j = k + (cp[k] == ' ');
        if (j < N && cl[j] != CL_S) {
            uint8_t want = cl[j];
            j++;
            while (j < N && cl[j] == want) j++;
            int r = emit(ctx, cv->off[k], cv->off[j]);
            if (r) return r;
            k = j;
            continue;
        }
        size_t w = k;
        while (w < N && cl[w] == CL_S) w++;
        /* here cl[k] == CL_S (a space before a space/end also lands here) */
        size_t e = (w - k > 1 && w < N) ? w - 1 : w;
        int r = emit(ctx, cv->off[k], cv->off[e]);
        if (r) return r;
        k = e;
    }
    return 0;
}

/* BertPreTokenizer: split on White_Space (dropped), then isolate each char
 * that is ASCII punctuation (Rust's is_ascii_punctuation) or P* in the
 * unicode_categories crate (Unicode 8.0). Works on bytes, no char table. */
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
            int r = i > ws ? emit(ctx, ws, i) : 0;
            if (!r && punct) r = emit(ctx, i, i + l);
            if (r) return r;
            ws = i + l;
        }
        i += l;
    }
    return n > ws ? emit(ctx, ws, n) : 0;
}

int mn_tok_split(int kind, const char *text, size_t n, mn_tok_emit_fn emit, void *ctx)
{
    if (n == 0) return 0;
    if (kind == MN_SPLIT_NONE) return emit(ctx, 0, n);
    if (kind == MN_SPLIT_BERT) return bert_split((const unsigned char *)text, n, emit, ctx);
    chars c = {0};
    int rc = 0;
    if (chars_build(&c, (const unsigned char *)text, n)) { rc = MN_E_NOMEM; goto done; }
    const size_t N = c.count;
    const uint8_t *cl = c.cl;
    const uint32_t *cp = c.cp;
    size_t k = 0;
    if (kind == MN_SPLIT_GPT2) {
        rc = gpt2_span(&c, 0, N, emit, ctx);
    } else if (kind == MN_SPLIT_DIGITS_GPT2) {
        /* llama.cpp's two passes: every \p{N} char alone, then GPT-2 inside the pieces between */
        while (k < N) {
            size_t j = k;
            while (j < N && cl[j] != CL_N) j++;
            if (j > k && (rc = gpt2_span(&c, k, j, emit, ctx))) goto done;
            if (j < N) EMIT(j, j + 1);
            k = j + 1;
        }
    } else if (kind == MN_SPLIT_LLAMA3 || kind == MN_SPLIT_QWEN2) {
        const size_t maxdig = kind == MN_SPLIT_LLAMA3 ? 3 : 1;
        while (k < N) {
            size_t m = contraction(&c, k, 1);
            if (m) { EMIT(k, k + m); k += m; continue; }
            uint32_t ch = cp[k];
            /* [^\r\n\p{L}\p{N}]?\p{L}+ */
            if (cl[k] == CL_L || (ch != '\r' && ch != '\n' && cl[k] != CL_N && cl[k + 1] == CL_L)) {
                size_t j = k + 1;
                while (j < N && cl[j] == CL_L) j++;
                EMIT(k, j);
                k = j;
                continue;
            }
            /* \p{N}{1,maxdig} */
            if (cl[k] == CL_N) {
                size_t j = k + 1;
                while (j < N && j - k < maxdig && cl[j] == CL_N) j++;
                EMIT(k, j);
                k = j;
                continue;
            }
            /*  ?[^\s\p{L}\p{N}]+[\r\n]* */
            size_t j = k + (ch == ' ');
            if (j < N && cl[j] == CL_O) {
                j++;
                while (j < N && cl[j] == CL_O) j++;
                while (j < N && (cp[j] == '\r' || cp[j] == '\n')) j++;
                EMIT(k, j);
                k = j;
                continue;
            }
            /* \s*[\r\n]+ | \s+(?!\S) | \s+  (cl[k] == CL_S here) */
            size_t w = k, last_nl = 0;
            while (w < N && cl[w] == CL_S) {
                if (cp[w] == '\r' || cp[w] == '\n') last_nl = w + 1;
                w++;
            }
            size_t e;
            if (last_nl) e = last_nl;
            else if (w - k > 1 && w < N) e = w - 1;
            else e = w;
            EMIT(k, e);
            k = e;
        }
    } else {
        rc = MN_E_UNSUPPORTED;
    }
done:
    chars_free(&c);
    return rc;
}
