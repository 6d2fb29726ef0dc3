/* spm.c - the parts of the SentencePiece library's encoder that differ from
 * Hugging Face's pipeline: its normalizer (precompiled charsmap, user-defined
 * symbols passed through, dummy prefix, whitespace rules) and the Unigram
 * model's Viterbi search (EncodeOptimized), both reproduced exactly,
 * including the float/double arithmetic that decides ties. Plus a byte trie
 * for prefix searches over token strings.
 *
 * Traps: the charsmap is untrusted input (a double array read with bounds
 * checks on every index); its replacement strings were checked to be valid
 * UTF-8 at load (mn_tok_spm_set_charsmap). */
#include "tok/tok_internal.h"
#include "core/alloc.h"
#include "core/checked.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ trie */
static inline uint64_t trie_key(uint32_t node, unsigned char b) { return ((uint64_t)node << 8) | b; }

static inline size_t trie_slot(uint64_t k, size_t mask)
{
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 32;
    return (size_t)k & mask;
}

static int trie_grow(mn_tok_trie *tr)
{
    size_t cap = tr->keys ? (tr->mask + 1) * 2 : 1024;
    uint64_t *nk = mn_calloc_array(cap, sizeof *nk);
    uint32_t *nc = mn_calloc_array(cap, sizeof *nc);
    if (!nk || !nc) { free(nk); free(nc); return -1; }
    memset(nk, 0xFF, cap * sizeof *nk);
    for (size_t i = 0; tr->keys && i <= tr->mask; i++) {
        if (tr->keys[i] == UINT64_MAX) continue;
        size_t j = trie_slot(tr->keys[i], cap - 1);
        while (nk[j] != UINT64_MAX) j = (j + 1) & (cap - 1);
        nk[j] = tr->keys[i];
        nc[j] = tr->child[i];
    }
    free(tr->keys);
    free(tr->child);
    tr->keys = nk;
    tr->child = nc;
    tr->mask = cap - 1;
    return 0;
}

uint32_t mn_tok_trie_next(const mn_tok_trie *tr, uint32_t node, unsigned char b)
{
    if (!tr->keys) return 0;
    uint64_t k = trie_key(node, b);
    for (size_t i = trie_slot(k, tr->mask);; i = (i + 1) & tr->mask) {
        if (tr->keys[i] == k) return tr->child[i];
        if (tr->keys[i] == UINT64_MAX) return 0;
    }
}

int mn_tok_trie_add(mn_tok_trie *tr, const char *s, size_t n, int32_t val)
{
    if (!tr->val) {
        tr->cap_nodes = 256;
        tr->val = malloc(tr->cap_nodes * sizeof *tr->val);
        if (!tr->val) return -1;
        tr->val[0] = -1;
        tr->n_nodes = 1;
    }
    uint32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        uint32_t c = mn_tok_trie_next(tr, node, b);
        if (!c) {
            if (tr->n_nodes >= UINT32_MAX - 1) return -1;
            if ((tr->used + 1) * 2 > (tr->keys ? tr->mask + 1 : 0) && trie_grow(tr)) return -1;
            if (tr->n_nodes == tr->cap_nodes) {
                size_t nc = tr->cap_nodes * 2, bytes;
                if (!mn_mul_size(nc, sizeof *tr->val, &bytes)) return -1;
                int32_t *nv = realloc(tr->val, bytes);
                if (!nv) return -1;
                tr->val = nv;
                tr->cap_nodes = nc;
            }
            c = (uint32_t)tr->n_nodes++;
            tr->val[c] = -1;
            uint64_t k = trie_key(node, b);
            size_t j = trie_slot(k, tr->mask);
            while (tr->keys[j] != UINT64_MAX) j = (j + 1) & tr->mask;
            tr->keys[j] = k;
            tr->child[j] = c;
            tr->used++;
        }
        node = c;
    }
    if (tr->val[node] < 0) tr->val[node] = val; /* the first token with this text wins */
    return 0;
}

size_t mn_tok_trie_longest(const mn_tok_trie *tr, const char *s, size_t n, int32_t *val)
{
    size_t best = 0;
    uint32_t node = 0;
    if (!tr->val) return 0;
    for (size_t i = 0; i < n; i++) {
        node = mn_tok_trie_next(tr, node, (unsigned char)s[i]);
        if (!node) break;
        if (tr->val[node] >= 0) { best = i + 1; *val = tr->val[node]; }
    }
    return best;
}

void mn_tok_trie_free(mn_tok_trie *tr)
{
    free(tr->keys);
    free(tr->child);
    free(tr->val);
    memset(tr, 0, sizeof *tr);
}

/* ------------------------------------------------- precompiled charsmap */
/* The blob: u32 little-endian trie size in bytes, the Darts-clone double
 * array (u32 units), then NUL-terminated replacement strings. */
int mn_tok_spm_set_charsmap(mn_tokenizer *t, const unsigned char *blob, size_t n)
{
    if (n == 0) return MN_OK;
    if (n < 4) return mn_err_set(&t->err, MN_E_CORRUPT, "precompiled charsmap: truncated");
    uint32_t tsize = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 24;
    if (tsize % 4 || tsize > n - 4 || tsize == 0)
        return mn_err_set(&t->err, MN_E_CORRUPT, "precompiled charsmap: bad trie size %u", tsize);
    size_t nu = tsize / 4, pool = n - 4 - tsize;
    t->spm_units = mn_calloc_array(nu, sizeof *t->spm_units);
    t->spm_pool = malloc(pool + 1);
    if (!t->spm_units || !t->spm_pool) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    for (size_t i = 0; i < nu; i++) {
        const unsigned char *p = blob + 4 + 4 * i;
        t->spm_units[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    memcpy(t->spm_pool, blob + 4 + tsize, pool);
    t->spm_pool[pool] = 0;
    t->spm_n_units = nu;
    t->spm_pool_n = pool;
    /* every replacement string must be valid UTF-8 (the engine relies on it) */
    for (size_t i = 0; i < pool;) {
        size_t e = i;
        while (e < pool && t->spm_pool[e]) e++;
        if (!mn_utf8_valid((const unsigned char *)t->spm_pool + i, e - i))
            return mn_err_set(&t->err, MN_E_CORRUPT, "precompiled charsmap: replacement at %zu is not UTF-8", i);
        i = e + 1;
    }
    return MN_OK;
}

/* Darts-clone unit fields */
static inline uint32_t du_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }
static inline int du_has_leaf(uint32_t u) { return (u >> 8) & 1; }
static inline uint32_t du_label(uint32_t u) { return u & ((1u << 31) | 0xFF); }
static inline uint32_t du_value(uint32_t u) { return u & ((1u << 31) - 1); }

/* Normalizer::NormalizePrefix: the longest charsmap rule at s (among the
 * first 32 matches, as the library's fixed result array), else the char
 * itself. @return bytes consumed; (*rep, *rep_n) the output. */
static size_t spm_prefix(const mn_tokenizer *t, const char *s, size_t n, const char **rep, size_t *rep_n)
{
    int32_t uv;
    size_t ul = mn_tok_trie_longest(&t->trie_user, s, n, &uv);
    if (ul) { *rep = s; *rep_n = ul; return ul; }
    size_t best_len = 0;
    uint32_t best_val = 0;
    if (t->spm_units) {
        const uint32_t *a = t->spm_units;
        size_t nu = t->spm_n_units, found = 0;
        size_t id = du_offset(a[0]);
        for (size_t i = 0; i < n && found < 32; i++) {
            unsigned char b = (unsigned char)s[i];
            id ^= b;
            if (id >= nu || du_label(a[id]) != b) break;
            int leaf = du_has_leaf(a[id]);
            id ^= du_offset(a[id]);
            if (leaf) {
                if (id >= nu) break;
                best_len = i + 1;
                best_val = du_value(a[id]);
                found++;
            }
        }
    }
    if (best_len && best_val < t->spm_pool_n) {
        *rep = t->spm_pool + best_val;
        *rep_n = strlen(*rep);
        return best_len;
    }
    size_t l = mn_utf8_seq_len((const unsigned char *)s, n);
    if (!l) l = 1;
    *rep = s;
    *rep_n = l;
    return l;
}

/* Normalizer::Normalize, with HF-style alignment pairs: every output byte of
 * a prefix rule maps to the input range it consumed; an escaped or dummy
 * space to the range of the char it came from (dummy prefix: empty range at
 * the first kept char). */
int mn_tok_spm_normalize(const mn_tokenizer *t, mn_ubuf *out, const char *in, size_t n, const uint32_t *ia, int with_align)
{
    static const char ws_sym[] = "\xE2\x96\x81";
    const char *space = t->spm_escape ? ws_sym : " ";
    size_t space_n = t->spm_escape ? 3 : 1;
    size_t consumed = 0;
    out->n = 0;
#define ORIG0(p) (ia ? ia[2 * (p)] : (uint32_t)(p))
#define ORIG1(p) (ia ? ia[2 * ((p) - 1) + 1] : (uint32_t)(p))
#define PUT(str, len, a0, a1)                                                          \
    do {                                                                               \
        if (mn_ubuf_reserve(out, (len), with_align)) return -1;                        \
        memcpy(out->p + out->n, (str), (len));                                         \
        if (with_align)                                                                \
            for (size_t z_ = 0; z_ < (len); z_++) {                                    \
                out->align[2 * (out->n + z_)] = (a0);                                  \
                out->align[2 * (out->n + z_) + 1] = (a1);                              \
            }                                                                          \
        out->n += (len);                                                               \
    } while (0)
    if (t->spm_rm_ws) {
        while (consumed < n) {
            const char *r;
            size_t rn, c = spm_prefix(t, in + consumed, n - consumed, &r, &rn);
            if (!(rn == 1 && r[0] == ' ')) break;
            consumed += c;
        }
    }
    if (consumed == n) return 0;
    if (!t->spm_ws_suffix && t->spm_dummy) PUT(space, space_n, ORIG0(consumed), ORIG0(consumed));
    int prev_space = t->spm_rm_ws;
    while (consumed < n) {
        const char *r;
        size_t rn, c = spm_prefix(t, in + consumed, n - consumed, &r, &rn);
        uint32_t a0 = ORIG0(consumed), a1 = ORIG1(consumed + c);
        if (prev_space)
            while (rn && r[0] == ' ') { r++; rn--; }
        if (rn) {
            for (size_t k = 0; k < rn;) {
                if (r[k] == ' ' && t->spm_escape) { PUT(ws_sym, 3, a0, a1); k++; continue; }
                size_t e = k;
                while (e < rn && !(r[e] == ' ' && t->spm_escape)) e++;
                PUT(r + k, e - k, a0, a1);
                k = e;
            }
            prev_space = r[rn - 1] == ' ';
        }
        consumed += c;
        if (!t->spm_rm_ws) prev_space = 0;
    }
    if (t->spm_rm_ws)
        while (out->n >= space_n && !memcmp(out->p + out->n - space_n, space, space_n)) out->n -= space_n;
    if (t->spm_ws_suffix && t->spm_dummy) PUT(space, space_n, ORIG1(n), ORIG1(n));
#undef PUT
#undef ORIG0
#undef ORIG1
    return 0;
}

/* ------------------------------------------------------------- Unigram */
/* Model::EncodeOptimized of the sentencepiece library: best path ending at
 * every byte position; a char no token starts with gets unk at min_score -
 * 10. Scores are float, a user-defined token scores length * max_score - 0.1
 * computed in double, candidates are compared in double and stored as float:
 * that is what decides ties, so it is reproduced as is. nodes: n + 1 entries. */
int mn_tok_unigram_best(const mn_tokenizer *t, const char *s, size_t n, mn_tok_uni_node *nodes)
{
    const float unk_score = t->uni_min - 10.0f;
    const double unk_dscore = t->uni_dmin - 10.0;
    for (size_t i = 0; i <= n; i++) { nodes[i].id = -1; nodes[i].start = -1; nodes[i].score = 0.0; }
    size_t at = 0;
    while (at < n) {
        const double till = nodes[at].score; /* a float value in the library's mode */
        int single = 0;
        size_t mblen = mn_utf8_seq_len((const unsigned char *)s + at, n - at);
        if (!mblen) mblen = 1;
        uint32_t node = 0;
        for (size_t k = at; k < n; k++) {
            node = mn_tok_trie_next(&t->trie_pieces, node, (unsigned char)s[k]);
            if (!node) break;
            int32_t id = t->trie_pieces.val[node];
            if (id < 0) continue;
            size_t len = k + 1 - at;
            mn_tok_uni_node *tn = &nodes[k + 1];
            if (t->uni_hf) {
                double cand = t->dscores[id] + till;
                if (tn->start < 0 || cand > tn->score) { tn->score = cand; tn->start = (int32_t)at; tn->id = id; }
            } else {
                if (t->tok_type[id] == MN_TT_UNUSED) continue;
                double score = t->tok_type[id] == MN_TT_USER_DEFINED ? (double)((float)len * t->uni_max) - 0.1
                                                                     : (double)t->scores[id];
                double cand = score + till;
                if (tn->start < 0 || cand > tn->score) { tn->score = (double)(float)cand; tn->start = (int32_t)at; tn->id = id; }
            }
            if (len == mblen) single = 1;
        }
        if (!single) {
            mn_tok_uni_node *tn = &nodes[at + mblen];
            double cand = t->uni_hf ? unk_dscore + till : (double)(unk_score + (float)till);
            if (tn->start < 0 || cand > tn->score) {
                tn->score = cand;
                tn->start = (int32_t)at;
                tn->id = t->unk_id;
            }
        }
        at += mblen;
    }
    return 0;
}

/* ---------------------------------------------- HF Precompiled normalizer */
/* The shortest charsmap rule that prefixes s[0..n) (spm_precompiled's
 * transform takes the first result of the prefix search). @return its
 * replacement or NULL. */
static const char *pc_shortest(const mn_tokenizer *t, const unsigned char *s, size_t n)
{
    const uint32_t *a = t->spm_units;
    size_t nu = t->spm_n_units;
    if (!a) return NULL;
    size_t id = du_offset(a[0]);
    for (size_t i = 0; i < n; i++) {
        id ^= s[i];
        if (id >= nu || du_label(a[id]) != s[i]) return NULL;
        int leaf = du_has_leaf(a[id]);
        id ^= du_offset(a[id]);
        if (leaf) {
            if (id >= nu) return NULL;
            uint32_t v = du_value(a[id]);
            return v < t->spm_pool_n ? t->spm_pool + v : NULL;
        }
    }
    return NULL;
}

typedef struct pc_list { uint32_t *cp; int32_t *chg; size_t n, cap; } pc_list;

static int pc_push(pc_list *l, uint32_t cp, int32_t chg)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256, bytes;
        if (!mn_mul_size(nc, 4, &bytes)) return -1;
        uint32_t *a = realloc(l->cp, bytes);
        if (!a) return -1;
        l->cp = a;
        int32_t *b = realloc(l->chg, bytes);
        if (!b) return -1;
        l->chg = b;
        l->cap = nc;
    }
    l->cp[l->n] = cp;
    l->chg[l->n++] = chg;
    return 0;
}

/* spm_precompiled's replace(): the new chars with change 0, the extra ones +1,
 * or the last entry (possibly an earlier char's) takes the removed count. */
static int pc_replace(pc_list *l, size_t old_chars, const char *rep)
{
    size_t rn = strlen(rep), new_chars = 0, first = l->n;
    for (size_t i = 0; i < rn;) {
        size_t cl;
        uint32_t cp = mn_utf8_decode((const unsigned char *)rep + i, rn - i, &cl);
        if (pc_push(l, cp, 0)) return -1;
        new_chars++;
        i += cl;
    }
    if (new_chars > old_chars)
        for (size_t k = 0; k < new_chars - old_chars; k++) l->chg[l->n - 1 - k] = 1;
    else if (new_chars < old_chars && l->n)
        l->chg[l->n - 1] -= (int32_t)(old_chars - new_chars);
    (void)first;
    return 0;
}

int mn_tok_precompiled_normalize(const mn_tokenizer *t, mn_ubuf *out, const char *in, size_t n, const uint32_t *ia,
                                 int with_align)
{
    const unsigned char *s = (const unsigned char *)in;
    pc_list l = {0};
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t gl = mn_uc_grapheme_len(s + i, n - i), chars = 0;
        const char *rep = NULL;
        for (size_t k = 0; k < gl;) { size_t cl = mn_utf8_seq_len(s + i + k, gl - k); k += cl ? cl : 1; chars++; }
        if (gl < 6 && (rep = pc_shortest(t, s + i, gl))) {
            rc = pc_replace(&l, chars, rep);
        } else {
            for (size_t k = 0; k < gl && !rc;) {
                size_t cl;
                uint32_t cp = mn_utf8_decode(s + i + k, gl - k, &cl);
                if ((rep = pc_shortest(t, s + i + k, cl))) rc = pc_replace(&l, 1, rep);
                else rc = pc_push(&l, cp, 0);
                k += cl;
            }
        }
        i += gl;
    }
    out->n = 0;
    size_t off = 0;
    if (!rc) rc = mn_uc_transform(out, s, n, ia, &off, l.cp, l.chg, l.n, with_align);
    free(l.cp);
    free(l.chg);
    return rc;
}
