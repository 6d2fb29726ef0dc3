/* unicode.c - lookups over the generated tables, UTF-8, and normalization. */
#include "tok/unicode.h"
#include "core/checked.h"
#include <stdlib.h>
#include <string.h>

unsigned mn_uc_category_8_0(uint32_t cp)
{
    if (mn_uc_after_8_0(cp)) return MN_UC_Cn;
    for (uint32_t i = 0; i < mn_uc_cat8_changed_n; i++)
        if (mn_uc_cat8_changed[i][0] == cp) return mn_uc_cat8_changed[i][1];
    return mn_uc_category(cp);
}

int mn_uc_is_word(uint32_t cp)
{
    if (cp < 0x80) return (cp | 0x20) - 'a' < 26 || cp - '0' < 10 || cp == '_';
    unsigned c = mn_uc_category(cp);
    if ((c >= MN_UC_Lu && c <= MN_UC_Nd) || c == MN_UC_Nl || c == MN_UC_Pc) return 1; /* L*, M*, Nd, Nl, Pc */
    for (uint32_t i = 0; i < mn_uc_word_extra_n; i++)
        if (cp >= mn_uc_word_extra[i][0] && cp <= mn_uc_word_extra[i][1]) return 1;
    return 0;
}

size_t mn_uc_lower_full_cp(uint32_t cp, uint32_t out[3])
{
    if (cp < 0x80) { out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp; return 1; }
    for (uint32_t i = 0; i < mn_uc_lower_full_n; i++)
        if (mn_uc_lower_full[i][0] == cp) {
            size_t n = 0;
            while (n < 3 && mn_uc_lower_full[i][1 + n]) { out[n] = mn_uc_lower_full[i][1 + n]; n++; }
            return n;
        }
    out[0] = mn_uc_lower_cp(cp);
    return 1;
}

uint32_t mn_uc_lower_cp(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    size_t lo = 0, hi = mn_uc_lower_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mn_uc_lower[mid][0] < cp) lo = mid + 1;
        else hi = mid;
    }
    return (lo < mn_uc_lower_n && mn_uc_lower[lo][0] == cp) ? mn_uc_lower[lo][1] : cp;
}

enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7,
       LCOUNT = 19, VCOUNT = 21, TCOUNT = 28, NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

size_t mn_uc_decompose(uint32_t cp, int compat, uint32_t *out)
{
    if (cp >= SBASE && cp < SBASE + SCOUNT) {
        uint32_t s = cp - SBASE;
        out[0] = LBASE + s / NCOUNT;
        out[1] = VBASE + (s % NCOUNT) / TCOUNT;
        if (s % TCOUNT) { out[2] = TBASE + s % TCOUNT; return 3; }
        return 2;
    }
    if (cp >= 0xA0) {
        size_t lo = 0, hi = mn_uc_decomp_n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (mn_uc_decomp[mid][0] < cp) lo = mid + 1;
            else hi = mid;
        }
        if (lo < mn_uc_decomp_n && mn_uc_decomp[lo][0] == cp) {
            const uint32_t *e = mn_uc_decomp[lo];
            uint32_t off = compat ? e[3] : e[1], len = compat ? e[4] : e[2];
            if (len) {
                memcpy(out, mn_uc_decomp_pool + off, len * sizeof *out);
                return len;
            }
        }
    }
    out[0] = cp;
    return 1;
}

uint32_t mn_uc_compose(uint32_t a, uint32_t b)
{
    if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
        return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
    if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
        return a + (b - TBASE);
    uint64_t key = ((uint64_t)a << 21) | b;
    size_t lo = 0, hi = mn_uc_comp_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mn_uc_comp[mid][0] < key) lo = mid + 1;
        else hi = mid;
    }
    return (lo < mn_uc_comp_n && mn_uc_comp[lo][0] == key) ? (uint32_t)mn_uc_comp[lo][1] : 0;
}

size_t mn_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    if (c < 0xE0) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;
        if (c == 0xED && s[1] >= 0xA0) return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

uint32_t mn_utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    size_t l = mn_utf8_seq_len(s, n);
    *len = l ? l : 1;
    switch (l) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3: return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    case 4: return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                   ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    default: return 0xFFFD;
    }
}

size_t mn_utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int mn_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) { i++; continue; }
        size_t l = mn_utf8_seq_len(s + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

void mn_ubuf_free(mn_ubuf *b)
{
    free(b->p);
    free(b->align);
    memset(b, 0, sizeof *b);
}

int mn_ubuf_reserve(mn_ubuf *b, size_t more, int with_align)
{
    size_t need;
    if (!mn_add_size(b->n, more, &need)) return -1;
    if (need > b->cap) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc < need) { if (nc > SIZE_MAX / 2) return -1; nc *= 2; }
        char *np = realloc(b->p, nc);
        if (!np) return -1;
        b->p = np;
        b->cap = nc;
    }
    if (with_align && need > b->align_cap) {
        size_t nc = b->align_cap ? b->align_cap : 64, bytes;
        while (nc < need) { if (nc > SIZE_MAX / 2) return -1; nc *= 2; }
        if (!mn_mul_size(nc, 2 * sizeof(uint32_t), &bytes)) return -1;
        uint32_t *na = realloc(b->align, bytes);
        if (!na) return -1;
        b->align = na;
        b->align_cap = nc;
    }
    return 0;
}

/* Normalization with Hugging Face's alignment rules.
 *
 * Each output char carries a change value as tokenizers' normalizer
 * (unicode-normalization-alignments) emits it: a decomposition's first char 0,
 * the others +1; a composite takes its starter's value plus each absorbed
 * char's value minus one. The alignments then follow NormalizedString's
 * positional transform: a char with change <= 0 takes the range of the input
 * char at the current position and consumes it (and -change more), a char with
 * change > 0 takes the range of the byte before the current position.
 *
 * Canonical ordering is a stable sort by combining class inside each run of
 * non-starters: insertion sort for short runs, counting sort (O(run + 256))
 * for long ones, so a hostile megabyte of combining marks stays linear. */
typedef struct nseq { uint32_t *cp; int32_t *chg; uint8_t *cc; size_t n, cap; } nseq;

static int nseq_push(nseq *q, uint32_t cp, int32_t chg, int ucd9)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 64, b4, b1;
        if (!mn_mul_size(nc, 4, &b4) || !mn_mul_size(nc, 1, &b1)) return -1;
        uint32_t *a = realloc(q->cp, b4);
        if (!a) return -1;
        q->cp = a;
        int32_t *c = realloc(q->chg, b4);
        if (!c) return -1;
        q->chg = c;
        uint8_t *d = realloc(q->cc, b1);
        if (!d) return -1;
        q->cc = d;
        q->cap = nc;
    }
    q->cp[q->n] = cp;
    q->chg[q->n] = chg;
    q->cc[q->n] = (uint8_t)(ucd9 && mn_uc_after_9_0(cp) ? 0 : mn_uc_ccc(cp));
    q->n++;
    return 0;
}

/* Stable sort of q[a..b) (all non-starters) by combining class. */
static int sort_run(nseq *q, size_t a, size_t b)
{
    if (b - a <= 16) {
        for (size_t i = a + 1; i < b; i++) {
            uint32_t cp = q->cp[i];
            int32_t ch = q->chg[i];
            uint8_t cc = q->cc[i];
            size_t j = i;
            while (j > a && q->cc[j - 1] > cc) {
                q->cp[j] = q->cp[j - 1]; q->chg[j] = q->chg[j - 1]; q->cc[j] = q->cc[j - 1];
                j--;
            }
            q->cp[j] = cp; q->chg[j] = ch; q->cc[j] = cc;
        }
        return 0;
    }
    size_t cnt[257] = {0}, m = b - a;
    uint32_t *tcp = malloc(m * sizeof *tcp);
    int32_t *tch = malloc(m * sizeof *tch);
    if (!tcp || !tch) { free(tcp); free(tch); return -1; }
    for (size_t i = a; i < b; i++) cnt[q->cc[i] + 1]++;
    for (int k = 1; k < 257; k++) cnt[k] += cnt[k - 1];
    for (size_t i = a; i < b; i++) {
        size_t d = cnt[q->cc[i]]++;
        tcp[d] = q->cp[i];
        tch[d] = q->chg[i];
    }
    for (size_t i = 0; i < m; i++) {
        q->cp[a + i] = tcp[i];
        q->chg[a + i] = tch[i];
        q->cc[a + i] = (uint8_t)mn_uc_ccc(tcp[i]); /* nonzero: never a post-9.0 char in UCD9 mode */
    }
    free(tcp);
    free(tch);
    return 0;
}

int mn_uc_transform(mn_ubuf *out, const unsigned char *s, size_t n, const uint32_t *in_align, size_t *off,
                    const uint32_t *cps, const int32_t *chg, size_t count, int with_align)
{
    size_t need;
    if (!mn_mul_size(count, 4, &need) || mn_ubuf_reserve(out, need, with_align)) return -1;
    for (size_t k = 0; k < count; k++) {
        size_t l = mn_utf8_encode(cps[k], out->p + out->n);
        if (with_align) {
            uint32_t a0 = 0, a1 = 0;
            /* the range of the input char at byte p (identity when in_align is NULL) */
#define IN_RANGE(p)                                                                  \
    do {                                                                             \
        size_t cl_ = mn_utf8_seq_len(s + (p), n - (p));                              \
        a0 = in_align ? in_align[2 * (p)] : (uint32_t)(p);                           \
        a1 = in_align ? in_align[2 * (p) + 1] : (uint32_t)((p) + (cl_ ? cl_ : 1));   \
    } while (0)
            if (chg[k] > 0) {
                /* an inserted char: the range of the input char before the position */
                if (*off > 0) {
                    size_t p = *off - 1;
                    while (p > 0 && (s[p] & 0xC0) == 0x80) p--;
                    IN_RANGE(p);
                }
            } else {
                /* a replacing char: the range of the input char at the position, which it
                 * consumes, with -chg more */
                for (int32_t r = 0; r <= -chg[k]; r++) {
                    if (*off >= n) break;
                    if (r == 0) IN_RANGE(*off);
                    size_t cl = mn_utf8_seq_len(s + *off, n - *off);
                    *off += cl ? cl : 1;
                }
            }
#undef IN_RANGE
            for (size_t z = 0; z < l; z++) { out->align[2 * (out->n + z)] = a0; out->align[2 * (out->n + z) + 1] = a1; }
        }
        out->n += l;
    }
    return 0;
}

size_t mn_uc_grapheme_len(const unsigned char *s, size_t n)
{
    size_t l;
    uint32_t cp = mn_utf8_decode(s, n, &l);
    unsigned prev = mn_uc_gcb(cp);
    size_t pos = l;
    unsigned ri = (prev & 15) == MN_GCB_RI;          /* regional indicators in a row */
    int emoji = (prev & MN_GCB_EXTPICT) ? 1 : 0;     /* 1: ExtPict Extend*, 2: ... ZWJ */
    while (pos < n) {
        cp = mn_utf8_decode(s + pos, n - pos, &l);
        unsigned cur = mn_uc_gcb(cp), p = prev & 15, c = cur & 15;
        int brk;
        if (p == MN_GCB_CR && c == MN_GCB_LF) brk = 0;                                          /* GB3 */
        else if (p == MN_GCB_CR || p == MN_GCB_LF || p == MN_GCB_Control) brk = 1;              /* GB4 */
        else if (c == MN_GCB_CR || c == MN_GCB_LF || c == MN_GCB_Control) brk = 1;              /* GB5 */
        else if (p == MN_GCB_L && (c == MN_GCB_L || c == MN_GCB_V || c == MN_GCB_LV || c == MN_GCB_LVT)) brk = 0; /* GB6 */
        else if ((p == MN_GCB_LV || p == MN_GCB_V) && (c == MN_GCB_V || c == MN_GCB_T)) brk = 0; /* GB7 */
        else if ((p == MN_GCB_LVT || p == MN_GCB_T) && c == MN_GCB_T) brk = 0;                  /* GB8 */
        else if (c == MN_GCB_Extend || c == MN_GCB_ZWJ) brk = 0;                                 /* GB9 */
        else if (c == MN_GCB_SpacingMark) brk = 0;                                               /* GB9a */
        else if (p == MN_GCB_Prepend) brk = 0;                                                   /* GB9b */
        else if (p == MN_GCB_ZWJ && (cur & MN_GCB_EXTPICT) && emoji == 2) brk = 0;              /* GB11 */
        else if (p == MN_GCB_RI && c == MN_GCB_RI && (ri & 1)) brk = 0;                          /* GB12/13 */
        else brk = 1;                                                                            /* GB999 */
        if (brk) break;
        ri = c == MN_GCB_RI ? ri + 1 : 0;
        if (cur & MN_GCB_EXTPICT) emoji = 1;
        else if (emoji == 1 && c == MN_GCB_Extend) emoji = 1;
        else if (emoji == 1 && c == MN_GCB_ZWJ) emoji = 2;
        else emoji = 0;
        prev = cur;
        pos += l;
    }
    return pos;
}

/* Order, compose and write one segment (q) of the decomposed input, whose
 * chars came from s[*off..); *off advances over the input it consumed. */
static int flush_seg(nseq *q, mn_ubuf *out, const unsigned char *s, size_t n, size_t *off, const uint32_t *in_align,
                     int compose, int ucd9, int with_align)
{
    int rc = 0;
    /* canonical ordering */
    for (size_t i = 0; i < q->n && !rc;) {
        if (!q->cc[i]) { i++; continue; }
        size_t j = i;
        while (j < q->n && q->cc[j]) j++;
        if (j - i > 1) rc = sort_run(q, i, j);
        i = j;
    }
    size_t m = q->n;
    if (!rc && compose && q->n > 1) {
        size_t starter = 0, w = 1;
        int starter_ok = q->cc[0] == 0;
        unsigned last = starter_ok ? 0 : 256;
        for (size_t i = 1; i < q->n; i++) {
            uint32_t ch = q->cp[i];
            unsigned cc = q->cc[i];
            uint32_t comp = (starter_ok && (mn_uc_nq(ch) & MN_UC_NQ_SECOND) && (mn_uc_nq(q->cp[starter]) & MN_UC_NQ_FIRST))
                                ? mn_uc_compose(q->cp[starter], ch) : 0;
            if (comp && ucd9 && mn_uc_after_9_0(comp)) comp = 0;
            if (comp && (last < cc || last == 0)) {
                q->cp[starter] = comp;
                q->chg[starter] += q->chg[i] - 1;
                continue;
            }
            if (cc == 0) { starter = w; starter_ok = 1; }
            last = cc;
            q->cp[w] = ch;
            q->chg[w] = q->chg[i];
            w++;
        }
        m = w;
    }
    if (!rc) rc = mn_uc_transform(out, s, n, in_align, off, q->cp, q->chg, m, with_align);
    q->n = 0;
    return rc;
}

int mn_uc_normalize(mn_ubuf *out, const char *in, size_t n, const uint32_t *in_align, int form, int with_align)
{
    int ucd9 = (form & MN_NORM_UCD9) != 0;
    form &= 3;
    int compat = form >= MN_NORM_NFKD, compose = form & 1;
    nseq q = {0};
    int rc = 0;
    const unsigned char *s = (const unsigned char *)in;
    size_t off = 0; /* input position of the pending segment, for the alignments */
    for (size_t i = 0; i < n && !rc;) {
        if (s[i] < 0x80) {
            /* ASCII is a starter that composes with nothing before it: the
             * pending segment is final. Followed by ASCII, it is final too. */
            if (q.n && (rc = flush_seg(&q, out, s, n, &off, in_align, compose, ucd9, with_align))) break;
            off = i;
            size_t j = i;
            while (j + 1 < n && s[j + 1] < 0x80) j++;
            /* s[i..j) are followed by ASCII: copied as they are; s[j] starts a new segment */
            if (j + 1 == n) j = n;
            if (j > i) {
                if (mn_ubuf_reserve(out, j - i, with_align)) { rc = -1; break; }
                memcpy(out->p + out->n, s + i, j - i);
                if (with_align)
                    for (size_t k = i; k < j; k++) {
                        out->align[2 * (out->n + k - i)] = in_align ? in_align[2 * k] : (uint32_t)k;
                        out->align[2 * (out->n + k - i) + 1] = in_align ? in_align[2 * k + 1] : (uint32_t)k + 1;
                    }
                out->n += j - i;
                off = j;
                i = j;
                if (i >= n) break;
            }
            rc = nseq_push(&q, s[i], 0, ucd9);
            i++;
            continue;
        }
        size_t l;
        uint32_t cp = mn_utf8_decode(s + i, n - i, &l);
        uint32_t d[32];
        size_t dn = (cp < 0xA0 || !(mn_uc_nq(cp) & (compat ? MN_UC_NQ_COMPAT : MN_UC_NQ_CANON)) ||
                     (ucd9 && mn_uc_after_9_0(cp)))
                        ? (d[0] = cp, 1)
                        : mn_uc_decompose(cp, compat, d);
        for (size_t k = 0; k < dn && !rc; k++) rc = nseq_push(&q, d[k], k ? 1 : 0, ucd9);
        i += l;
    }
    if (!rc && q.n) rc = flush_seg(&q, out, s, n, &off, in_align, compose, ucd9, with_align);
    free(q.cp);
    free(q.chg);
    free(q.cc);
    return rc;
}
