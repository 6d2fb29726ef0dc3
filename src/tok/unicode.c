/* unicode.c - lookups over the generated tables, UTF-8, and normalization. */
#include "tok/unicode.h"
#include "core/checked.h"
#include <stdlib.h>
#include <string.h>

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
        if (!mn_mul_size(nc, sizeof(uint32_t), &bytes)) return -1;
        uint32_t *na = realloc(b->align, bytes);
        if (!na) return -1;
        b->align = na;
        b->align_cap = nc;
    }
    return 0;
}

/* Canonical ordering, then (NFC/NFKC) canonical composition over the whole
 * decomposed sequence, then UTF-8 encoding with per-byte source offsets. */
static int finish(mn_ubuf *out, uint32_t *cps, uint32_t *src, size_t n, int compose, int with_align)
{
    for (size_t i = 1; i < n; i++) {
        unsigned c = mn_uc_ccc(cps[i]);
        if (!c) continue;
        size_t j = i;
        while (j > 0) {
            unsigned p = mn_uc_ccc(cps[j - 1]);
            if (p <= c) break;
            uint32_t t = cps[j]; cps[j] = cps[j - 1]; cps[j - 1] = t;
            t = src[j]; src[j] = src[j - 1]; src[j - 1] = t;
            j--;
        }
    }
    size_t m = n;
    if (compose && n > 1) {
        size_t starter = 0, w = 1;
        int starter_ok = mn_uc_ccc(cps[0]) == 0;
        unsigned last = starter_ok ? 0 : 256;
        for (size_t i = 1; i < n; i++) {
            uint32_t ch = cps[i];
            unsigned cc = mn_uc_ccc(ch);
            uint32_t comp = (starter_ok && (mn_uc_nq(ch) & MN_UC_NQ_SECOND) && (mn_uc_nq(cps[starter]) & MN_UC_NQ_FIRST))
                                ? mn_uc_compose(cps[starter], ch) : 0;
            if (comp && (last < cc || last == 0)) {
                cps[starter] = comp;
                continue;
            }
            if (cc == 0) { starter = w; starter_ok = 1; }
            last = cc;
            cps[w] = ch;
            src[w] = src[i];
            w++;
        }
        m = w;
    }
    size_t need;
    if (!mn_mul_size(m, 4, &need) || mn_ubuf_reserve(out, need, with_align)) return -1;
    for (size_t i = 0; i < m; i++) {
        size_t l = mn_utf8_encode(cps[i], out->p + out->n);
        if (with_align)
            for (size_t k = 0; k < l; k++) out->align[out->n + k] = src[i];
        out->n += l;
    }
    return 0;
}

int mn_uc_normalize(mn_ubuf *out, const char *in, size_t n, const uint32_t *in_align, int form, int with_align)
{
    int compat = form >= MN_NORM_NFKD, compose = form & 1;
    size_t cap = 64, cnt = 0;
    uint32_t *cps = malloc(cap * sizeof *cps), *src = malloc(cap * sizeof *src);
    int rc = 0;
    if (!cps || !src) { rc = -1; goto done; }
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;
    while (i < n) {
        size_t l;
        uint32_t cp = mn_utf8_decode(s + i, n - i, &l);
        uint32_t so = in_align ? in_align[i] : (uint32_t)i;
        uint32_t d[32];
        size_t dn = (cp < 0xA0 || !(mn_uc_nq(cp) & (compat ? MN_UC_NQ_COMPAT : MN_UC_NQ_CANON))) ? (d[0] = cp, 1)
                                                                                      : mn_uc_decompose(cp, compat, d);
        if (cnt + dn > cap) {
            size_t nc = cap * 2 + dn, bytes;
            if (!mn_mul_size(nc, sizeof *cps, &bytes)) { rc = -1; goto done; }
            uint32_t *a = realloc(cps, bytes);
            if (!a) { rc = -1; goto done; }
            cps = a;
            uint32_t *b = realloc(src, bytes);
            if (!b) { rc = -1; goto done; }
            src = b;
            cap = nc;
        }
        for (size_t k = 0; k < dn; k++) { cps[cnt] = d[k]; src[cnt] = so; cnt++; }
        i += l;
    }
    if (cnt && finish(out, cps, src, cnt, compose, with_align)) rc = -1;
done:
    free(cps);
    free(src);
    return rc;
}
