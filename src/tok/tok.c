/* tok.c - the tokenizer engine: vocabulary, BPE merges, added tokens,
 * normalizers, encode/decode pipeline, streaming decode. Format-neutral:
 * loaders (hf_json.c, spm_model.c) fill the handle through tok_internal.h. */
#include "tok/tok_internal.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "minnow_gguf.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#define EMPTY32 UINT32_MAX

/* ------------------------------------------------------------- scratch */
typedef struct vec_i32 { int32_t *p; size_t n, cap; } vec_i32;
typedef struct vec_sz { size_t *p; size_t n, cap; } vec_sz;

typedef struct sym { int32_t id; int32_t prev, next; uint32_t start, len; } sym;
typedef struct heap_ent { uint32_t rank; uint32_t pos; } heap_ent;

/* Word cache: word bytes -> ids, direct-mapped, one 64-byte line per entry
 * (words up to WC_KEY bytes giving up to WC_IDS tokens whose lengths are
 * their spans, so offsets can be replayed). */
#define WC_BITS 14
#define WC_KEY 32
#define WC_IDS 5
typedef struct wc_ent {
    uint64_t h;   /* 0: empty */
    uint8_t len, nids;
    uint8_t pad[2];
    int32_t ids[WC_IDS];
    char key[WC_KEY];
} wc_ent;

typedef struct mn_tok_scratch {
    vec_i32 ids;
    vec_sz offs;
    mn_ubuf nb[4];   /* [0], [1]: normalizer ping-pong; [2]: WordPiece lookups; [3]: Metaspace rewrite */
    sym *syms;
    size_t syms_cap;
    heap_ent *heap;
    size_t heap_cap;
    wc_ent *wc;            /* word cache of BPE (allocated on first use) */
    mn_tok_uni_node *uni;  /* Unigram lattice ends, one per byte + 1 */
    size_t uni_cap;
} mn_tok_scratch;


static int vec_push_i32(vec_i32 *v, int32_t x)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 256, bytes;
        if (!mn_mul_size(nc, sizeof *v->p, &bytes)) return -1;
        int32_t *np = realloc(v->p, bytes);
        if (!np) return -1;
        v->p = np;
        v->cap = nc;
    }
    v->p[v->n++] = x;
    return 0;
}

static int vec_push_sz2(vec_sz *v, size_t a, size_t b)
{
    if (v->n + 2 > v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 512, bytes;
        if (!mn_mul_size(nc, sizeof *v->p, &bytes)) return -1;
        size_t *np = realloc(v->p, bytes);
        if (!np) return -1;
        v->p = np;
        v->cap = nc;
    }
    v->p[v->n++] = a;
    v->p[v->n++] = b;
    return 0;
}

/* ------------------------------------------------------------- hashing */
uint64_t mn_tok_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= (uint64_t)s[i] << (8 * i);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

/* ------------------------------------------------------- GPT-2 byte map */
uint32_t mn_tok_byte_to_cp(unsigned b)
{
    if (b <= 32) return 256 + b;
    if (b >= 127 && b <= 160) return 256 + 33 + (b - 127);
    if (b == 173) return 256 + 67;
    return b;
}

int mn_tok_cp_to_byte(uint32_t cp)
{
    if (cp >= 256 + 68) return -1;
    if (cp >= 256) {
        uint32_t k = cp - 256;
        if (k <= 32) return (int)k;
        if (k <= 66) return (int)(127 + k - 33);
        return 173;
    }
    if (cp <= 32 || (cp >= 127 && cp <= 160) || cp == 173) return -1;
    return (int)cp;
}

/* ----------------------------------------------------------- vocabulary */
mn_tokenizer *mn_tok_alloc(void)
{
    mn_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->unk_id = -1;
    for (int i = 0; i < 256; i++) t->byte_id[i] = -1;
    t->max_expand = 1;
    t->scratch = calloc(1, sizeof *t->scratch);
    t->refs = malloc(sizeof *t->refs);
    if (!t->scratch || !t->refs) { free(t->scratch); free((void *)t->refs); free(t); return NULL; }
    atomic_init(t->refs, 1u);
    return t;
}

static const char *tok_str(const mn_tokenizer *t, int32_t id, size_t *len)
{
    if (id < 0 || (size_t)id >= t->n_vocab || t->tok_len[id] == EMPTY32) return NULL;
    *len = t->tok_len[id];
    return t->tok_bytes + t->tok_off[id];
}

int32_t mn_tok_vocab_find(const mn_tokenizer *t, const char *s, size_t n)
{
    return mn_tok_vocab_find_h(t, s, n, mn_tok_hash_bytes(s, n));
}

/* a == b for n bytes (short strings: 8 bytes at a time, no libc call) */
static inline int bytes_eq(const char *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    for (; n; a++, b++, n--)
        if (*a != *b) return 0;
    return 1;
}

int32_t mn_tok_vocab_find_h(const mn_tokenizer *t, const char *s, size_t n, uint64_t h)
{
    if (!t->vhash) return -1;
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & t->vhash_mask;
    for (;;) {
        uint32_t id = t->vhash[2 * i];
        if (id == EMPTY32) return -1;
        if (t->vhash[2 * i + 1] == tag && t->tok_len[id] == n && bytes_eq(t->tok_bytes + t->tok_off[id], s, n))
            return (int32_t)id;
        i = (i + 1) & t->vhash_mask;
    }
}

/* Decode a GPT-2 byte-unicode string to bytes into dst (dst may be s: it
 * never writes ahead of what it read). The same answers as mn_utf8_decode +
 * mn_tok_cp_to_byte per char, inline: every char of the alphabet is printable
 * ASCII (itself) or a 2-byte sequence below U+0144 (lead byte C2..C5);
 * anything else (invalid or overlong UTF-8 included) is not mapped.
 * @return the byte length, or SIZE_MAX if some char is not mapped. */
static size_t bl_decode(const char *s, size_t n, char *dst)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c - 0x21u <= 0x7Eu - 0x21u) { dst[o++] = (char)c; i++; continue; }
        if (c - 0xC2u > 0xC5u - 0xC2u || i + 1 >= n || (u[i + 1] & 0xC0u) != 0x80u) return SIZE_MAX;
        int b = mn_tok_cp_to_byte(((c & 0x1Fu) << 6) | (u[i + 1] & 0x3Fu));
        if (b < 0) return SIZE_MAX;
        dst[o++] = (char)b;
        i += 2;
    }
    return o;
}

/* Token `id` (text s[0..l)) stored at tok_bytes + off and entered in the
 * hash. Called once per token through MN_OUT_OF_LINE (tok_internal.h). */
static int vocab_put(mn_tokenizer *t, int32_t id, const char *s, size_t l, size_t off)
{
    if (t->tok_len[id] != EMPTY32) return mn_err_set(&t->err, MN_E_CORRUPT, "token id %d appears twice", (int)id);
    char *d = t->tok_bytes + off;
    size_t bl = t->byte_level ? bl_decode(s, l, d) : SIZE_MAX;
    if (bl != SIZE_MAX) l = bl;
    else {
        memcpy(d, s, l);
        if (t->byte_level) t->tok_unmapped[id] = 1; /* kept as is, unreachable by the model */
    }
    t->tok_off[id] = (uint32_t)off;
    t->tok_len[id] = (uint32_t)l;
    if (l > t->max_token_len) t->max_token_len = l;
    if (t->tok_unmapped[id]) return MN_OK;
    uint64_t hh = mn_tok_hash_bytes(d, l);
    uint32_t tag = (uint32_t)(hh >> 32);
    size_t h = (size_t)hh & t->vhash_mask;
    for (uint32_t o; (o = t->vhash[2 * h]) != EMPTY32; h = (h + 1) & t->vhash_mask) {
        if (t->vhash[2 * h + 1] != tag || t->tok_len[o] != l || !bytes_eq(t->tok_bytes + t->tok_off[o], d, l)) continue;
        /* byte-level: a string listed twice (the same bytes in two spellings cannot happen); keep the first */
        if (t->byte_level) { t->vocab_dups = 1; return MN_OK; }
        return mn_err_set(&t->err, MN_E_CORRUPT, "token \"%.*s\" appears twice", (int)(l > 40 ? 40 : l), d);
    }
    t->vhash[2 * h] = (uint32_t)id;
    t->vhash[2 * h + 1] = tag;
    return MN_OK;
}
MN_OUT_OF_LINE(int, vocab_put_out, (mn_tokenizer *, int32_t, const char *, size_t, size_t), vocab_put);

int mn_tok_set_vocab(mn_tokenizer *t, size_t n, const int32_t *ids, const char *const *strs, const size_t *lens)
{
    size_t maxid = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0) return mn_err_set(&t->err, MN_E_CORRUPT, "negative token id %d", (int)ids[i]);
        if ((size_t)ids[i] + 1 > maxid) maxid = (size_t)ids[i] + 1;
        if (!mn_add_size(total, lens[i], &total)) return mn_err_set(&t->err, MN_E_OVERFLOW, "vocabulary too large");
    }
    if (maxid > (size_t)INT32_MAX || total >= EMPTY32)
        return mn_err_set(&t->err, MN_E_UNSUPPORTED, "vocabulary too large");
    t->n_vocab = maxid;
    t->tok_off = mn_calloc_array(maxid + 1, sizeof *t->tok_off);
    t->tok_len = mn_malloc_array(maxid + 1, sizeof *t->tok_len); /* EMPTY32: below */
    t->tok_bytes = malloc(total + 1);
    t->tok_unmapped = mn_calloc_array(maxid + 1, 1);
    size_t hcap = 64;
    while (hcap < maxid * 2 + 2) hcap *= 2;
    t->vhash = mn_malloc_array(hcap, 2 * sizeof *t->vhash); /* all 0xFF: below */
    if (!t->tok_off || !t->tok_len || !t->tok_bytes || !t->vhash || !t->tok_unmapped)
        return mn_err_set(&t->err, MN_E_NOMEM, "out of memory for the vocabulary");
    t->vhash_mask = hcap - 1;
    memset(t->vhash, 0xFF, hcap * 2 * sizeof *t->vhash);
    memset(t->tok_len, 0xFF, (maxid + 1) * sizeof *t->tok_len); /* EMPTY32 */
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = vocab_put_out(t, ids[i], strs[i], lens[i], off);
        if (rc) return rc;
        off += t->tok_len[ids[i]];
    }
    t->tok_bytes_len = off;
    return MN_OK;
}

/* ---------------------------------------------------------------- merges */
int mn_tok_merges_reserve(mn_tokenizer *t, size_t n)
{
    size_t cap = 64;
    while (cap < n * 2 + 2) cap *= 2;
    free(t->mtab);
    t->mtab = mn_malloc_array(cap, sizeof *t->mtab);
    if (!t->mtab) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory for merges");
    memset(t->mtab, 0xFF, cap * sizeof *t->mtab); /* key UINT64_MAX: empty (one memory.fill in wasm) */
    t->mhash_mask = cap - 1;
    t->merge_next = 0;
    free(t->mpend);
    t->n_mpend = 0;
    t->cap_mpend = n; /* the queue is allocated by the first mn_tok_add_merge */
    return MN_OK;
}

static void merge_insert(mn_tokenizer *t, mn_tok_merge m)
{
    size_t i = (size_t)mix64(m.key) & t->mhash_mask;
    while (t->mtab[i].key != UINT64_MAX) {
        if (t->mtab[i].key == m.key) return; /* duplicate merge: the first (lowest rank) wins, as in HF */
        i = (i + 1) & t->mhash_mask;
    }
    t->mtab[i] = m;
}

MN_OUT_OF_LINE(void, merge_insert_out, (mn_tokenizer *, mn_tok_merge), merge_insert);

void mn_tok_merges_flush(mn_tokenizer *t)
{
    for (size_t k = 0; k < t->n_mpend; k++) merge_insert_out(t, t->mpend[k]);
    free(t->mpend);
    t->mpend = NULL;
    t->n_mpend = t->cap_mpend = 0;
}

static inline int merge_find(const mn_tokenizer *t, int32_t a, int32_t b, uint32_t *rank, int32_t *nid)
{
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t i = (size_t)mix64(key) & t->mhash_mask;
    for (;;) {
        const mn_tok_merge *m = &t->mtab[i];
        if (m->key == key) { *rank = m->rank; *nid = m->nid; return 1; }
        if (m->key == UINT64_MAX) return 0;
        i = (i + 1) & t->mhash_mask;
    }
}

static int add_merge(mn_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, uint32_t rank,
                     char *buf);

int mn_tok_add_merge(mn_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, uint32_t rank)
{
    char sbuf[1024];
    if (alen + blen <= sizeof sbuf) return add_merge(t, a, alen, b, blen, rank, sbuf);
    /* long tokens (runs of spaces in some vocabularies) */
    char *buf = malloc(alen + blen);
    int rc = buf ? add_merge(t, a, alen, b, blen, rank, buf) : mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    free(buf);
    return rc;
}

/* Id g has exactly the bytes s[0..n), and is the one vocab_find would give. */
static inline int guess_is(const mn_tokenizer *t, uint32_t g, const char *s, size_t n)
{
    return !t->vocab_dups && g < t->n_vocab && t->tok_len[g] == n && !t->tok_unmapped[g] &&
           bytes_eq(t->tok_bytes + t->tok_off[g], s, n);
}

static int add_merge(mn_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, uint32_t rank,
                     char *buf)
{
    size_t al = alen, bl = blen;
    if (t->byte_level) {
        al = bl_decode(a, alen, buf);
        bl = al == SIZE_MAX ? SIZE_MAX : bl_decode(b, blen, buf + al);
        if (al == SIZE_MAX || bl == SIZE_MAX) {
            /* involves an unmappable token: check existence, never reachable */
            return MN_OK;
        }
    } else {
        memcpy(buf, a, alen);
        memcpy(buf + alen, b, blen);
    }
    int32_t ia = mn_tok_vocab_find(t, buf, al), ib = mn_tok_vocab_find(t, buf + al, bl);
    /* The result: in a trained BPE vocabulary merge k+1 makes the token after
     * merge k's (ids in merge order), or, in lists with every split of a token
     * (converted tiktoken ranks, Llama 3), the same token again; those two ids
     * are tried first, which reads the vocabulary in order instead of at a
     * hash. Exact: a guess is taken only when its bytes match and no two ids
     * have the same bytes (the one found by hash is then the only one). */
    int32_t in = -1;
    uint32_t g = t->merge_next;
    if (guess_is(t, g, buf, al + bl)) in = (int32_t)g;
    else if (g && guess_is(t, g - 1, buf, al + bl)) in = (int32_t)g - 1;
    else in = mn_tok_vocab_find(t, buf, al + bl);
    if (ia < 0 || ib < 0)
        return mn_err_set(&t->err, MN_E_CORRUPT, "merge %u: token \"%.*s\" not in the vocabulary", rank,
                          (int)(ia < 0 ? (alen > 40 ? 40 : alen) : (blen > 40 ? 40 : blen)), ia < 0 ? a : b);
    if (in < 0)
        return mn_err_set(&t->err, MN_E_CORRUPT, "merge %u: \"%.*s%.*s\" not in the vocabulary", rank,
                          (int)(alen > 40 ? 40 : alen), a, (int)(blen > 40 ? 40 : blen), b);
    t->merge_next = (uint32_t)in + 1;
    mn_tok_merge m = {((uint64_t)(uint32_t)ia << 32) | (uint32_t)ib, rank, in};
    /* queued (inserted by mn_tok_merges_flush), or, past the count reserved, inserted now */
    if (!t->mpend && t->cap_mpend && !(t->mpend = mn_malloc_array(t->cap_mpend, sizeof *t->mpend)))
        return mn_err_set(&t->err, MN_E_NOMEM, "out of memory for merges");
    if (t->n_mpend < t->cap_mpend) t->mpend[t->n_mpend++] = m;
    else {
        mn_tok_merges_flush(t);
        merge_insert(t, m);
    }
    return MN_OK;
}

/* ------------------------------------------- score-ordered merges (SPM) */
/* Chars that occur inside tokens without being tokens themselves still merge
 * in SentencePiece and llama.cpp (the pair text is looked up, not the parts):
 * they get pseudo ids -3, -4, ... Key: the char's UTF-8 bytes packed big-endian
 * (unique because UTF-8 never contains 0xFF; UINT32_MAX marks an empty slot). */
#define SYM_NOTOKEN (-2)
/* a frozen symbol (user-defined piece) carries its id as -1e9 - id: no merge key has it;
 * SYM_FROZEN is its own inverse */
#define SYM_FROZEN(id) (-1000000000 - (int32_t)(id))

static uint32_t pchar_key(const char *s, size_t l)
{
    uint32_t k = 0;
    for (size_t i = 0; i < 4; i++) k = (k << 8) | (i < l ? (unsigned char)s[i] : 0u);
    return k;
}

static int32_t pchar_find(const mn_tokenizer *t, const char *s, size_t l)
{
    if (!t->pc_keys || l > 4) return SYM_NOTOKEN;
    uint32_t k = pchar_key(s, l);
    for (size_t i = (size_t)mix64(k) & t->pc_mask;; i = (i + 1) & t->pc_mask) {
        if (t->pc_keys[i] == k) return t->pc_ids[i];
        if (t->pc_keys[i] == UINT32_MAX) return SYM_NOTOKEN;
    }
}

static int32_t pchar_add(mn_tokenizer *t, const char *s, size_t l)
{
    int32_t f = pchar_find(t, s, l);
    if (f != SYM_NOTOKEN) return f;
    if (!t->pc_keys || (t->pc_n + 1) * 2 > t->pc_mask + 1) {
        size_t cap = t->pc_keys ? (t->pc_mask + 1) * 2 : 64;
        uint32_t *nk = mn_calloc_array(cap, sizeof *nk);
        int32_t *ni = mn_calloc_array(cap, sizeof *ni);
        if (!nk || !ni) { free(nk); free(ni); return INT32_MIN; }
        memset(nk, 0xFF, cap * sizeof *nk);
        for (size_t i = 0; t->pc_keys && i <= t->pc_mask; i++) {
            if (t->pc_keys[i] == UINT32_MAX) continue;
            size_t j = (size_t)mix64(t->pc_keys[i]) & (cap - 1);
            while (nk[j] != UINT32_MAX) j = (j + 1) & (cap - 1);
            nk[j] = t->pc_keys[i];
            ni[j] = t->pc_ids[i];
        }
        free(t->pc_keys);
        free(t->pc_ids);
        t->pc_keys = nk;
        t->pc_ids = ni;
        t->pc_mask = cap - 1;
    }
    uint32_t k = pchar_key(s, l);
    size_t i = (size_t)mix64(k) & t->pc_mask;
    while (t->pc_keys[i] != UINT32_MAX) i = (i + 1) & t->pc_mask;
    t->pc_keys[i] = k;
    t->pc_ids[i] = -3 - (int32_t)t->pc_n++;
    return t->pc_ids[i];
}

typedef struct score_ent { float s; int32_t id; } score_ent;

static int score_cmp(const void *a, const void *b)
{
    const score_ent *x = a, *y = b;
    /* descending; NaN sorts last (it compares false with everything in llama.cpp's queue) */
    int xn = x->s != x->s, yn = y->s != y->s;
    if (xn || yn) return xn - yn;
    if (x->s > y->s) return -1;
    if (x->s < y->s) return 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int mn_tok_score_merges(mn_tokenizer *t, const float *scores, const uint8_t *mergeable)
{
    size_t n = t->n_vocab, npairs = 0;
    score_ent *ord = mn_calloc_array(n + 1, sizeof *ord);
    uint32_t *rank = mn_calloc_array(n + 1, sizeof *rank);
    int rc = MN_OK;
    if (!ord || !rank) { rc = mn_err_set(&t->err, MN_E_NOMEM, "out of memory for merges"); goto done; }
    size_t m = 0;
    for (size_t id = 0; id < n; id++) {
        size_t l;
        const char *p = tok_str(t, (int32_t)id, &l);
        if (!p || (mergeable && !mergeable[id])) continue;
        ord[m++] = (score_ent){scores ? scores[id] : 0.0f, (int32_t)id};
        for (size_t i = 1; i < l; i++) npairs += ((unsigned char)p[i] & 0xC0) != 0x80;
    }
    qsort(ord, m, sizeof *ord, score_cmp);
    uint32_t r = 0;
    for (size_t i = 0; i < m; i++) {
        /* equal scores share a rank: the heap then takes the leftmost pair (as SentencePiece) */
        if (i && !(ord[i].s == ord[i - 1].s || (ord[i].s != ord[i].s && ord[i - 1].s != ord[i - 1].s))) r++;
        rank[ord[i].id] = r;
    }
    if ((rc = mn_tok_merges_reserve(t, npairs))) goto done;
    for (size_t k = 0; k < m; k++) {
        int32_t id = ord[k].id;
        size_t l = 0;
        const char *p = tok_str(t, id, &l);
        size_t first = mn_utf8_seq_len((const unsigned char *)p, l);
        for (size_t i = first ? first : 1; i < l;) {
            size_t cl = mn_utf8_seq_len((const unsigned char *)p + i, l - i);
            if (!cl) cl = 1;
            int32_t a = mn_tok_vocab_find(t, p, i), b = mn_tok_vocab_find(t, p + i, l - i);
            /* a part without a token can still be a symbol if it is one char */
            if (a < 0) a = mn_utf8_seq_len((const unsigned char *)p, i) == i ? pchar_add(t, p, i) : SYM_NOTOKEN;
            if (b < 0) b = mn_utf8_seq_len((const unsigned char *)p + i, l - i) == l - i ? pchar_add(t, p + i, l - i) : SYM_NOTOKEN;
            if (a == INT32_MIN || b == INT32_MIN) { rc = mn_err_set(&t->err, MN_E_NOMEM, "out of memory for merges"); goto done; }
            i += cl;
            if (a == SYM_NOTOKEN || b == SYM_NOTOKEN) continue; /* never one symbol: no such pair */
            uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
            size_t h = (size_t)mix64(key) & t->mhash_mask;
            while (t->mtab[h].key != UINT64_MAX && t->mtab[h].key != key) h = (h + 1) & t->mhash_mask;
            if (t->mtab[h].key == key) continue; /* same parts, same text: same token */
            t->mtab[h] = (mn_tok_merge){key, rank[id], id};
        }
    }
    t->score_bpe = 1;
done:
    free(ord);
    free(rank);
    return rc;
}

/* -------------------------------------------- normalizer / decoder steps */
static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) { if (n) memcpy(p, s, n); p[n] = 0; }
    return p;
}

int mn_tok_add_norm(mn_tokenizer *t, int op, const char *a, size_t al, const char *b, size_t bl)
{
    if (t->n_norm >= MN_TOK_MAX_STEPS) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "more than %d normalizer steps", MN_TOK_MAX_STEPS);
    mn_tok_norm_step *s = &t->norm[t->n_norm++];
    memset(s, 0, sizeof *s);
    s->op = op;
    if (a) { if (!(s->str = dupn(a, al))) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); s->len = al; }
    if (b) { if (!(s->str2 = dupn(b, bl))) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); s->len2 = bl; }
    return MN_OK;
}

int mn_tok_add_dec(mn_tokenizer *t, int op, const char *a, size_t al, const char *b, size_t bl, size_t start, size_t stop)
{
    if (t->n_dec >= MN_TOK_MAX_STEPS) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "more than %d decoder steps", MN_TOK_MAX_STEPS);
    mn_tok_dec_step *s = &t->dec[t->n_dec++];
    memset(s, 0, sizeof *s);
    s->op = op;
    s->start = start;
    s->stop = stop;
    if (a) { if (!(s->str = dupn(a, al))) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); s->len = al; }
    if (b) { if (!(s->str2 = dupn(b, bl))) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); s->len2 = bl; }
    return MN_OK;
}

/* ---------------------------------------------------------- added tokens */
int mn_tok_add_added(mn_tokenizer *t, int32_t id, const char *s, size_t n, int special, int lstrip,
                     int rstrip, int single_word, int normalized)
{
    if (id < 0) return mn_err_set(&t->err, MN_E_CORRUPT, "added token with negative id");
    if (n == 0) return mn_err_set(&t->err, MN_E_CORRUPT, "empty added token");
    if (t->n_added >= 65535) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "more than 65535 added tokens");
    mn_tok_added *na = realloc(t->added, (t->n_added + 1) * sizeof *na);
    if (!na) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    t->added = na;
    char *nb = realloc(t->added_bytes, t->added_bytes_len + n + 1);
    if (!nb) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    t->added_bytes = nb;
    memcpy(nb + t->added_bytes_len, s, n);
    nb[t->added_bytes_len + n] = 0;
    mn_tok_added *a = &na[t->n_added++];
    a->id = id;
    a->off = (uint32_t)t->added_bytes_len;
    a->len = (uint32_t)n;
    a->pat_off = a->off;
    a->pat_len = a->len;
    a->special = (uint8_t)!!special;
    a->lstrip = (uint8_t)!!lstrip;
    a->rstrip = (uint8_t)!!rstrip;
    a->single_word = (uint8_t)!!single_word;
    a->normalized = (uint8_t)!!normalized;
    t->added_bytes_len += n + 1;
    return MN_OK;
}

static const mn_tok_added *added_by_id(const mn_tokenizer *t, int32_t id)
{
    for (size_t i = 0; i < t->n_added; i++)
        if (t->added[i].id == id) return &t->added[i];
    return NULL;
}

static int added_cmp_bytes(const mn_tok_added *a, const mn_tok_added *b, const char *bytes)
{
    unsigned char fa = (unsigned char)bytes[a->pat_off], fb = (unsigned char)bytes[b->pat_off];
    if (fa != fb) return fa < fb ? -1 : 1;
    if (a->pat_len != b->pat_len) return a->pat_len > b->pat_len ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return 0;
}

static int apply_normalizer(mn_tokenizer *t, const char *s, size_t n, const uint32_t *align_in, int with_align,
                            mn_ubuf **result);

/* the byte pairs inside token id into t->pairmap (one call per token: MN_OUT_OF_LINE) */
static void pairmap_add(mn_tokenizer *t, int32_t id)
{
    size_t l;
    const unsigned char *p = (const unsigned char *)tok_str(t, id, &l);
    for (size_t i = 1; p && i < l; i++) {
        unsigned k = (unsigned)p[i - 1] << 8 | p[i];
        t->pairmap[k >> 6] |= 1ull << (k & 63);
    }
}
MN_OUT_OF_LINE(void, pairmap_add_out, (mn_tokenizer *, int32_t), pairmap_add);

int mn_tok_finish(mn_tokenizer *t)
{
    mn_tok_merges_flush(t);
    /* normalized added tokens are matched in normalized text: store their normalized form */
    if (t->n_norm) {
        for (size_t i = 0; i < t->n_added; i++) {
            mn_tok_added *a = &t->added[i];
            if (!a->normalized) continue;
            mn_ubuf *r = NULL;
            int rc = apply_normalizer(t, t->added_bytes + a->off, a->len, NULL, 0, &r);
            if (rc) return rc;
            if (r->n == 0) return mn_err_set(&t->err, MN_E_CORRUPT, "added token normalizes to nothing");
            if (r->n != a->len || memcmp(r->p, t->added_bytes + a->off, r->n) != 0) {
                char *nb = realloc(t->added_bytes, t->added_bytes_len + r->n + 1);
                if (!nb) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
                t->added_bytes = nb;
                memcpy(nb + t->added_bytes_len, r->p, r->n);
                nb[t->added_bytes_len + r->n] = 0;
                /* match the normalized form, decode to the original content (as HF) */
                a->pat_off = (uint32_t)t->added_bytes_len;
                a->pat_len = (uint32_t)r->n;
                t->added_bytes_len += r->n + 1;
            }
            t->has_norm_added = 1;
        }
    }
    /* SentencePiece-style BPE over the whole text: find out whether merges can
     * ever cross a "▁" that follows another char (then words are independent) */
    if (t->model == MN_TOKM_BPE && !t->byte_level && t->split == MN_SPLIT_NONE &&
        mn_tok_vocab_find(t, "\xE2\x96\x81", 3) >= 0) {
        int ok = 1;
        for (size_t id = 0; id < t->n_vocab && ok; id++) {
            size_t l;
            const char *p = tok_str(t, (int32_t)id, &l);
            if (!p || l < 4) continue;
            for (size_t i = 1; i + 3 <= l; i++)
                if (!memcmp(p + i, "\xE2\x96\x81", 3) && !(i >= 3 && !memcmp(p + i - 3, "\xE2\x96\x81", 3))) {
                    /* a "▁" preceded by something other than "▁" */
                    ok = 0;
                    break;
                }
        }
        t->sp_words = ok;
    }
    /* byte pairs inside tokens, to cut long BPE words where no merge can reach */
    if (t->model == MN_TOKM_BPE && t->mtab) {
        int ok = 1;
        if (t->byte_fallback && !t->byte_level && !t->score_bpe) {
            /* HF byte fallback makes byte tokens symbols: cutting is exact only if they never merge */
            for (size_t i = 0; i <= t->mhash_mask && ok; i++) {
                if (t->mtab[i].key == UINT64_MAX) continue;
                int32_t a = (int32_t)(t->mtab[i].key >> 32), b = (int32_t)(uint32_t)t->mtab[i].key;
                for (int k = 0; k < 256 && ok; k++) ok = t->byte_id[k] != a && t->byte_id[k] != b;
            }
        }
        if (ok && (t->pairmap = mn_calloc_array(1024, sizeof *t->pairmap)))
            for (size_t id = 0; id < t->n_vocab; id++) pairmap_add_out(t, (int32_t)id);
    }
    /* sort by first byte, longest first (leftmost-longest matching) */
    for (size_t i = 1; i < t->n_added; i++) {
        mn_tok_added x = t->added[i];
        size_t j = i;
        while (j > 0 && added_cmp_bytes(&t->added[j - 1], &x, t->added_bytes) > 0) {
            t->added[j] = t->added[j - 1];
            j--;
        }
        t->added[j] = x;
    }
    size_t k = 0;
    for (unsigned b = 0; b < 256; b++) {
        t->added_first[b] = (uint16_t)k;
        while (k < t->n_added && (unsigned char)t->added_bytes[t->added[k].pat_off] == b) k++;
    }
    t->added_first[256] = (uint16_t)k;
    for (size_t i = 0; i < t->n_added; i++)
        if ((size_t)t->added[i].id + 1 > t->n_vocab && t->added[i].len > t->max_token_len)
            t->max_token_len = t->added[i].len;
    /* bound on normalizer expansion (bytes out per byte in), for encode_bound */
    size_t e = 1;
    for (int i = 0; i < t->n_norm; i++) {
        mn_tok_norm_step *s = &t->norm[i];
        size_t f = 1;
        if (s->op == MN_NORM_STEP_NFC || s->op == MN_NORM_STEP_NFD) f = 3;
        else if (s->op == MN_NORM_STEP_NFKC || s->op == MN_NORM_STEP_NFKD) f = 18;
        else if (s->op == MN_NORM_STEP_LOWER || s->op == MN_NORM_STEP_BERT_CJK) f = 2;
        else if (s->op == MN_NORM_STEP_PREPEND) f = 1 + s->len;
        else if (s->op == MN_NORM_STEP_REPLACE) f = s->len2 > s->len ? s->len2 : 1;
        else if (s->op == MN_NORM_STEP_REPLACE_SPACES) f = s->len2 > 2 ? (s->len2 + 1) / 2 : 1;
        else if (s->op == MN_NORM_STEP_SPM || s->op == MN_NORM_STEP_PRECOMPILED) {
            /* a char becomes its longest replacement or "▁" (3 bytes) */
            f = 3;
            for (size_t i = 0; i < t->spm_pool_n;) {
                size_t l = strlen(t->spm_pool + i);
                if (l > f) f = l;
                i += l + 1;
            }
        }
        if (e > SIZE_MAX / f) return mn_err_set(&t->err, MN_E_OVERFLOW, "normalizer expansion");
        e *= f;
    }
    t->max_expand = e;
    return MN_OK;
}

/* ------------------------------------------------------------ normalizer */
/* BertNormalizer's control test: Cc, Cf or Co in the unicode_categories crate
 * (Unicode 8.0), except \t \n \r (whitespace for it). */
static int bert_is_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r') return 0;
    unsigned c = mn_uc_category_8_0(cp);
    return c == MN_UC_Cc || c == MN_UC_Cf || c == MN_UC_Co;
}

/* BertNormalizer's "Chinese character" ranges (HF's, 0x2B920 included as written there). */
static int bert_is_cjk(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Runs the normalizer steps on s[0..n); *result points at a scratch buffer. */
static int apply_normalizer(mn_tokenizer *t, const char *s, size_t n, const uint32_t *align_in, int with_align,
                            mn_ubuf **result)
{
    mn_tok_scratch *sc = t->scratch;
    int cur = 0;
    const char *in = s;
    size_t in_n = n;
    const uint32_t *ia = align_in;
    mn_ubuf *out = NULL;
    for (int k = 0; k < t->n_norm; k++) {
        out = &sc->nb[cur];
        out->n = 0;
        mn_tok_norm_step *st = &t->norm[k];
        switch (st->op) {
        case MN_NORM_STEP_NFC: case MN_NORM_STEP_NFD: case MN_NORM_STEP_NFKC: case MN_NORM_STEP_NFKD: {
            static const int form[] = {0, MN_NORM_NFC, MN_NORM_NFD, MN_NORM_NFKC, MN_NORM_NFKD};
            /* HF's normalizers: Unicode 9.0 tables */
            if (mn_uc_normalize(out, in, in_n, ia, form[st->op] | MN_NORM_UCD9, with_align)) goto nomem;
            break;
        }
        case MN_NORM_STEP_LOWER: case MN_NORM_STEP_BERT_CLEAN: case MN_NORM_STEP_BERT_CJK: case MN_NORM_STEP_STRIP_MN: {
            /* char -> 0..3 chars; every output byte aligned to the input char.
             * Room for the worst case once: 3 chars of 4 bytes per input byte is
             * more than any of these needs (CJK: 5 bytes for 3, Lowercase: 3 for 2). */
            size_t room;
            if (!mn_mul_size(in_n, 3, &room) || mn_ubuf_reserve(out, room + 12, with_align)) goto nomem;
            int op = st->op;
            size_t i = 0;
            while (i < in_n) {
                unsigned char b = (unsigned char)in[i];
                if (b < 0x80) {
                    /* ASCII: Lowercase maps A-Z, clean_text drops controls and maps
                     * whitespace to ' ', CJK and Mn do not apply */
                    if (op == MN_NORM_STEP_BERT_CLEAN && ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F)) {
                        i++;
                        continue;
                    }
                    char o = (char)b;
                    if (op == MN_NORM_STEP_LOWER && b >= 'A' && b <= 'Z') o = (char)(b + 32);
                    else if (op == MN_NORM_STEP_BERT_CLEAN && (b == '\t' || b == '\n' || b == '\r')) o = ' ';
                    out->p[out->n] = o;
                    if (with_align) { out->align[2 * out->n] = ia[2 * i]; out->align[2 * out->n + 1] = ia[2 * i + 1]; }
                    out->n++;
                    i++;
                    continue;
                }
                size_t l;
                uint32_t cp = mn_utf8_decode((const unsigned char *)in + i, in_n - i, &l), o[3];
                size_t no = 1;
                o[0] = cp;
                if (op == MN_NORM_STEP_LOWER) no = mn_uc_lower_full_cp(cp, o);
                else if (op == MN_NORM_STEP_BERT_CLEAN) {
                    if (cp == 0xFFFD || bert_is_control(cp)) no = 0;
                    else if (mn_uc_is_space(cp)) o[0] = ' ';
                } else if (op == MN_NORM_STEP_BERT_CJK) {
                    if (bert_is_cjk(cp)) { o[0] = ' '; o[1] = cp; o[2] = ' '; no = 3; }
                } else if (mn_uc_category_8_0(cp) == MN_UC_Mn) {
                    no = 0;
                }
                for (size_t q = 0; q < no; q++) {
                    size_t ol = mn_utf8_encode(o[q], out->p + out->n);
                    if (with_align)
                        for (size_t z = 0; z < ol; z++) {
                            out->align[2 * (out->n + z)] = ia[2 * i];
                            out->align[2 * (out->n + z) + 1] = ia[2 * i + 1];
                        }
                    out->n += ol;
                }
                i += l;
            }
            break;
        }
        case MN_NORM_STEP_SPM:
            if (mn_tok_spm_normalize(t, out, in, in_n, ia, with_align)) goto nomem;
            break;
        case MN_NORM_STEP_PRECOMPILED:
            if (mn_tok_precompiled_normalize(t, out, in, in_n, ia, with_align)) goto nomem;
            break;
        case MN_NORM_STEP_STRIP: {
            /* kept chars keep their ranges (HF's lrstrip transform) */
            size_t a = 0, b = in_n, l;
            while ((st->len & 1) && a < b && mn_uc_is_space(mn_utf8_decode((const unsigned char *)in + a, b - a, &l))) a += l;
            while ((st->len & 2) && b > a) {
                size_t j = b - 1;
                while (j > a && ((unsigned char)in[j] & 0xC0) == 0x80) j--;
                if (!mn_uc_is_space(mn_utf8_decode((const unsigned char *)in + j, b - j, &l))) break;
                b = j;
            }
            if (mn_ubuf_reserve(out, b - a, with_align)) goto nomem;
            memcpy(out->p, in + a, b - a);
            if (with_align) memcpy(out->align, ia + 2 * a, 2 * (b - a) * sizeof *ia);
            out->n = b - a;
            break;
        }
        case MN_NORM_STEP_REPLACE_SPACES: {
            /* runs of two or more ' ': the content, with the range of the run's last space */
            size_t i = 0;
            while (i < in_n) {
                size_t j = i;
                while (j < in_n && in[j] == ' ') j++;
                if (j - i >= 2) {
                    if (mn_ubuf_reserve(out, st->len2, with_align)) goto nomem;
                    memcpy(out->p + out->n, st->str2, st->len2);
                    if (with_align)
                        for (size_t q = 0; q < st->len2; q++) {
                            out->align[2 * (out->n + q)] = ia[2 * (j - 1)];
                            out->align[2 * (out->n + q) + 1] = ia[2 * (j - 1) + 1];
                        }
                    out->n += st->len2;
                    i = j;
                    continue;
                }
                j = i + 1;
                while (j < in_n && in[j] != ' ') j++;
                if (mn_ubuf_reserve(out, j - i, with_align)) goto nomem;
                memcpy(out->p + out->n, in + i, j - i);
                if (with_align) memcpy(out->align + 2 * out->n, ia + 2 * i, 2 * (j - i) * sizeof *ia);
                out->n += j - i;
                i = j;
            }
            break;
        }
        case MN_NORM_STEP_PREPEND:
            if (in_n) {
                if (mn_ubuf_reserve(out, st->len + in_n, with_align)) goto nomem;
                memcpy(out->p, st->str, st->len);
                memcpy(out->p + st->len, in, in_n);
                if (with_align) {
                    /* HF: the prepended chars take the first char's range */
                    for (size_t q = 0; q < st->len; q++) { out->align[2 * q] = ia[0]; out->align[2 * q + 1] = ia[1]; }
                    memcpy(out->align + 2 * st->len, ia, 2 * in_n * sizeof *ia);
                }
                out->n = st->len + in_n;
            }
            break;
        case MN_NORM_STEP_REPLACE: {
            size_t i = 0;
            while (i < in_n) {
                /* copy up to the next possible match in one go */
                const char *m = memchr(in + i, st->str[0], in_n - i);
                size_t j = m ? (size_t)(m - in) : in_n;
                if (j > i) {
                    if (mn_ubuf_reserve(out, j - i, with_align)) goto nomem;
                    memcpy(out->p + out->n, in + i, j - i);
                    if (with_align) memcpy(out->align + 2 * out->n, ia + 2 * i, 2 * (j - i) * sizeof *ia);
                    out->n += j - i;
                    i = j;
                }
                if (i >= in_n) break;
                if (in_n - i >= st->len && memcmp(in + i, st->str, st->len) == 0) {
                    if (mn_ubuf_reserve(out, st->len2, with_align)) goto nomem;
                    memcpy(out->p + out->n, st->str2, st->len2);
                    /* HF: the replacement takes the range of the match's last char */
                    if (with_align)
                        for (size_t q = 0; q < st->len2; q++) {
                            out->align[2 * (out->n + q)] = ia[2 * (i + st->len - 1)];
                            out->align[2 * (out->n + q) + 1] = ia[2 * (i + st->len - 1) + 1];
                        }
                    out->n += st->len2;
                    i += st->len;
                } else {
                    /* not a match here: copy this char */
                    size_t e = i + 1;
                    while (e < in_n && ((unsigned char)in[e] & 0xC0) == 0x80) e++;
                    if (mn_ubuf_reserve(out, e - i, with_align)) goto nomem;
                    memcpy(out->p + out->n, in + i, e - i);
                    if (with_align) memcpy(out->align + 2 * out->n, ia + 2 * i, 2 * (e - i) * sizeof *ia);
                    out->n += e - i;
                    i = e;
                }
            }
            break;
        }
        default:
            return mn_err_set(&t->err, MN_E_UNSUPPORTED, "normalizer step %d", st->op);
        }
        in = out->p;
        in_n = out->n;
        ia = with_align ? out->align : NULL;
        cur ^= 1;
    }
    *result = out;
    return MN_OK;
nomem:
    return mn_err_set(&t->err, MN_E_NOMEM, "out of memory in the normalizer");
}

/* ------------------------------------------------------------------ BPE */
static int ensure_syms(mn_tok_scratch *sc, size_t n)
{
    if (n <= sc->syms_cap) return 0;
    size_t nc = sc->syms_cap ? sc->syms_cap : 256, bytes;
    while (nc < n) nc *= 2;
    if (!mn_mul_size(nc, sizeof(sym), &bytes)) return -1;
    sym *ns = realloc(sc->syms, bytes);
    if (!ns) return -1;
    sc->syms = ns;
    sc->syms_cap = nc;
    if (!mn_mul_size(nc, sizeof(heap_ent), &bytes)) return -1;
    heap_ent *nh = realloc(sc->heap, bytes);
    if (!nh) return -1;
    sc->heap = nh;
    sc->heap_cap = nc;
    return 0;
}

static inline int heap_less(heap_ent a, heap_ent b) { return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos); }

static void heap_push(heap_ent *h, size_t *n, heap_ent e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(e, h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static heap_ent heap_pop(heap_ent *h, size_t *n)
{
    heap_ent top = h[0], last = h[--(*n)];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && heap_less(h[c + 1], h[c])) c++;
        if (!heap_less(h[c], last)) break;
        h[i] = h[c];
        i = c;
    }
    if (m) h[i] = last;
    return top;
}

/* Merge the symbols syms[0..n) (linked in order) by rank, lowest rank first,
 * leftmost among equals - the result of HF's Word::merge_all without dropout. */
static void bpe_merge(const mn_tokenizer *t, mn_tok_scratch *sc, size_t n)
{
    sym *s = sc->syms;
    if (n < 2) return;
    if (n <= 24) {
        /* small words: pair ranks in an array, the lowest (leftmost) merged,
         * only the two neighbouring pairs looked up again */
        uint32_t pr[24];
        int32_t pn[24];
        for (size_t i = 0; i + 1 < n; i++)
            if (!merge_find(t, s[i].id, s[i + 1].id, &pr[i], &pn[i])) pr[i] = UINT32_MAX;
        size_t m = n;
        while (m > 1) {
            size_t bi = 0;
            for (size_t i = 1; i + 1 < m; i++)
                if (pr[i] < pr[bi]) bi = i;
            if (pr[bi] == UINT32_MAX) break;
            s[bi].id = pn[bi];
            s[bi].len += s[bi + 1].len;
            for (size_t i = bi + 1; i + 1 < m; i++) { s[i] = s[i + 1]; pr[i] = pr[i + 1]; pn[i] = pn[i + 1]; }
            m--;
            if (bi + 1 < m && !merge_find(t, s[bi].id, s[bi + 1].id, &pr[bi], &pn[bi])) pr[bi] = UINT32_MAX;
            if (bi > 0 && !merge_find(t, s[bi - 1].id, s[bi].id, &pr[bi - 1], &pn[bi - 1])) pr[bi - 1] = UINT32_MAX;
        }
        for (size_t i = 0; i < m; i++) { s[i].prev = (int32_t)i - 1; s[i].next = i + 1 < m ? (int32_t)i + 1 : -1; }
        return;
    }
    heap_ent *h = sc->heap;
    size_t hn = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        uint32_t r;
        int32_t nid;
        if (merge_find(t, s[i].id, s[i + 1].id, &r, &nid)) heap_push(h, &hn, (heap_ent){r, (uint32_t)i});
    }
    while (hn) {
        heap_ent e = heap_pop(h, &hn);
        sym *a = &s[e.pos];
        if (a->len == 0 || a->next == -1) continue;
        sym *b = &s[a->next];
        uint32_t r;
        int32_t nid;
        if (!merge_find(t, a->id, b->id, &r, &nid) || r != e.rank) continue;
        a->id = nid;
        a->len += b->len;
        b->len = 0;
        a->next = b->next;
        if (a->next != -1) s[a->next].prev = (int32_t)e.pos;
        if (a->prev != -1 && merge_find(t, s[a->prev].id, a->id, &r, &nid))
            heap_push(h, &hn, (heap_ent){r, (uint32_t)a->prev});
        if (a->next != -1 && merge_find(t, a->id, s[a->next].id, &r, &nid))
            heap_push(h, &hn, (heap_ent){r, e.pos});
    }
}

typedef struct enc_ctx {
    mn_tokenizer *t;
    const char *text;       /* the (normalized) text the words index */
    const uint32_t *align;  /* per byte of text: (start, end) in the original (NULL: identity + base) */
    size_t base;            /* original offset of text[0] when align is NULL */
    size_t text_n;
    int want_offsets;
    unsigned flags;
} enc_ctx;

/* The original range of text[s..e) (e > s), as HF's convert_offsets: the
 * start of the first byte's range, the end of the last byte's. Without a
 * normalizer, a token holding part of a char (byte-level, byte fallback)
 * spans the whole char, as HF's alignments do. */
static void orig_range(const enc_ctx *c, size_t s, size_t e, size_t *os, size_t *oe)
{
    if (c->align) {
        *os = c->align[2 * s];
        *oe = c->align[2 * (e - 1) + 1];
        return;
    }
    const unsigned char *x = (const unsigned char *)c->text;
    while (s > 0 && (x[s] & 0xC0) == 0x80) s--;
    while (e < c->text_n && (x[e] & 0xC0) == 0x80) e++;
    *os = c->base + s;
    *oe = c->base + e;
}

static int emit_token(enc_ctx *c, int32_t id, size_t s, size_t e)
{
    mn_tok_scratch *sc = c->t->scratch;
    if (vec_push_i32(&sc->ids, id)) return MN_E_NOMEM;
    if (!c->want_offsets) return 0;
    size_t os, oe;
    orig_range(c, s, e > s ? e : s + 1, &os, &oe);
    if (e <= s) oe = os;
    return vec_push_sz2(&sc->offs, os, oe) ? MN_E_NOMEM : 0;
}

/* Whether the chars on both sides of the boundary at w[i] have tokens (or
 * pseudo ids): a cut between two unknown chars would split a fused unk. */
static int char_known(const mn_tokenizer *t, const char *w, size_t lo, size_t i, size_t n)
{
    size_t j = i - 1;
    while (j > lo && ((unsigned char)w[j] & 0xC0) == 0x80) j--;
    size_t la = i - j, lb = mn_utf8_seq_len((const unsigned char *)w + i, n - i);
    int ka = mn_tok_vocab_find(t, w + j, la) >= 0 || pchar_find(t, w + j, la) != SYM_NOTOKEN;
    int kb = mn_tok_vocab_find(t, w + i, lb ? lb : 1) >= 0 || pchar_find(t, w + i, lb ? lb : 1) != SYM_NOTOKEN;
    return ka || kb;
}

static int bpe_word(void *vctx, size_t ws, size_t we)
{
    enc_ctx *c = vctx;
    mn_tokenizer *t = c->t;
    mn_tok_scratch *sc = t->scratch;
    const char *w = c->text + ws;
    size_t n = we - ws;
    if (n == 0) return 0;
    if (n > 64 && t->pairmap) {
        /* cut where the bytes on both sides of a char boundary never meet inside a token */
        size_t start = 0;
        for (size_t i = 1; i < n; i++) {
            unsigned a = (unsigned char)w[i - 1], b = (unsigned char)w[i];
            if (!t->byte_level && (b & 0xC0) == 0x80) continue;
            unsigned k = a << 8 | b;
            if (t->pairmap[k >> 6] >> (k & 63) & 1) continue;
            if (t->fuse_unk && !t->byte_fallback && !char_known(t, w, start, i, n)) continue; /* keep unk runs fused */
            int rc = bpe_word(vctx, ws + start, ws + i);
            if (rc) return rc;
            start = i;
        }
        if (start) return bpe_word(vctx, ws + start, we);
    }
    uint64_t h = mn_tok_hash_bytes(w, n);
    wc_ent *ce = NULL;
    if (sc->wc && n <= WC_KEY) {
        ce = &sc->wc[h & (((size_t)1 << WC_BITS) - 1)];
        if (ce->h == (h | 1) && ce->len == n && memcmp(ce->key, w, n) == 0) {
            size_t pos = ws;
            for (uint32_t k = 0; k < ce->nids; k++) {
                int32_t id = ce->ids[k];
                size_t l = t->tok_len[id];
                if (emit_token(c, id, pos, pos + l)) return MN_E_NOMEM;
                pos += l;
            }
            return 0;
        }
    }
    size_t first_id = sc->ids.n;
    int cacheable = 1;
    if (t->ignore_merges) {
        int32_t id = mn_tok_vocab_find_h(t, w, n, h);
        if (id >= 0) {
            if (emit_token(c, id, ws, we)) return MN_E_NOMEM;
            goto store;
        }
    }
    if (ensure_syms(sc, n + 1)) return MN_E_NOMEM;
    sym *s = sc->syms;
    size_t ns = 0;
    if (t->byte_level) {
        for (size_t i = 0; i < n; i++) {
            int32_t id = t->byte_id[(unsigned char)w[i]];
            if (id < 0) {
                if (t->unk_id < 0) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "byte 0x%02X has no token", (unsigned char)w[i]);
                id = t->unk_id;
            }
            s[ns] = (sym){id, (int32_t)ns - 1, (int32_t)ns + 1, (uint32_t)i, 1};
            ns++;
        }
    } else if (t->score_bpe) {
        /* one symbol per char; a char without a token (nor pseudo id) never
         * merges and is expanded after merging (SentencePiece / llama.cpp) */
        size_t i = 0;
        while (i < n) {
            size_t l = mn_utf8_seq_len((const unsigned char *)w + i, n - i);
            if (!l) l = 1;
            int32_t id, uid;
            size_t ul = mn_tok_trie_longest(&t->trie_user, w + i, n - i, &uid);
            if (ul) {
                /* a user-defined piece: one symbol that never merges (the library's "freeze") */
                id = SYM_FROZEN(uid);
                l = ul;
            } else {
                id = mn_tok_vocab_find(t, w + i, l);
                if (id < 0) id = pchar_find(t, w + i, l);
            }
            s[ns] = (sym){id, (int32_t)ns - 1, (int32_t)ns + 1, (uint32_t)i, (uint32_t)l};
            ns++;
            i += l;
        }
    } else {
        /* one symbol per char; unknown chars: byte fallback, else unk (fused) */
        int32_t pend_unk = -1;
        uint32_t pend_start = 0, pend_len = 0;
        size_t i = 0;
        while (i < n) {
            size_t l = mn_utf8_seq_len((const unsigned char *)w + i, n - i);
            if (!l) l = 1;
            int32_t id = mn_tok_vocab_find(t, w + i, l);
            if (id >= 0) {
                if (pend_unk >= 0) {
                    s[ns] = (sym){pend_unk, (int32_t)ns - 1, (int32_t)ns + 1, pend_start, pend_len};
                    ns++;
                    pend_unk = -1;
                }
                s[ns] = (sym){id, (int32_t)ns - 1, (int32_t)ns + 1, (uint32_t)i, (uint32_t)l};
                ns++;
            } else {
                int done = 0;
                if (t->byte_fallback) {
                    size_t q;
                    for (q = 0; q < l && t->byte_id[(unsigned char)w[i + q]] >= 0; q++) {}
                    if (q == l) {
                        for (q = 0; q < l; q++) {
                            s[ns] = (sym){t->byte_id[(unsigned char)w[i + q]], (int32_t)ns - 1, (int32_t)ns + 1,
                                          (uint32_t)(i + q), 1};
                            ns++;
                        }
                        done = 1;
                    }
                }
                if (!done && t->unk_id >= 0) {
                    if (pend_unk >= 0 && t->fuse_unk) {
                        pend_len += (uint32_t)l;
                    } else {
                        if (pend_unk >= 0) {
                            s[ns] = (sym){pend_unk, (int32_t)ns - 1, (int32_t)ns + 1, pend_start, pend_len};
                            ns++;
                        }
                        pend_unk = t->unk_id;
                        pend_start = (uint32_t)i;
                        pend_len = (uint32_t)l;
                    }
                }
                /* no byte fallback and no unk: the char is dropped, as in HF */
            }
            i += l;
        }
        if (pend_unk >= 0) {
            s[ns] = (sym){pend_unk, (int32_t)ns - 1, (int32_t)ns + 1, pend_start, pend_len};
            ns++;
        }
    }
    if (ns == 0) return 0;
    s[ns - 1].next = -1;
    bpe_merge(t, sc, ns);
    int prev_unk = 0;
    for (int32_t i = 0; i != -1; i = s[i].next) {
        size_t st = ws + s[i].start, en = st + s[i].len;
        if (s[i].id >= 0 || s[i].id <= SYM_FROZEN(0)) {
            int32_t id = s[i].id >= 0 ? s[i].id : SYM_FROZEN(s[i].id);
            if (emit_token(c, id, st, en)) return MN_E_NOMEM;
            cacheable &= (size_t)id < t->n_vocab && t->tok_len[id] == s[i].len;
            prev_unk = 0;
            continue;
        }
        cacheable = 0;
        /* score_bpe: a symbol that is no token (a lone char): its bytes, else unk */
        int bytes_ok = t->byte_fallback;
        for (size_t q = 0; bytes_ok && q < s[i].len; q++) bytes_ok = t->byte_id[(unsigned char)w[s[i].start + q]] >= 0;
        if (bytes_ok) {
            for (size_t q = 0; q < s[i].len; q++)
                if (emit_token(c, t->byte_id[(unsigned char)w[s[i].start + q]], st + q, st + q + 1)) return MN_E_NOMEM;
            prev_unk = 0;
        } else if (t->unk_id >= 0) {
            if (prev_unk && t->fuse_unk) {
                if (c->want_offsets) { size_t os; orig_range(c, st, en, &os, &sc->offs.p[sc->offs.n - 1]); }
            } else if (emit_token(c, t->unk_id, st, en)) {
                return MN_E_NOMEM;
            }
            prev_unk = 1;
        } else {
            return mn_err_set(&t->err, MN_E_UNSUPPORTED, "a character has no token, no byte token and there is no unk token");
        }
    }
store:
    if (ce && cacheable && sc->ids.n - first_id <= WC_IDS) {
        ce->h = h | 1;
        ce->len = (uint8_t)n;
        ce->nids = (uint8_t)(sc->ids.n - first_id);
        memcpy(ce->ids, sc->ids.p + first_id, ce->nids * sizeof *ce->ids);
        memcpy(ce->key, w, n);
    }
    return 0;
}

/* ------------------------------------------------------------ WordPiece */
/* HF's WordPiece::tokenize on one word: greedy longest match from the left,
 * pieces after the first looked up with the continuing prefix; a word with an
 * unmatchable rest, or longer than wp_max_chars chars, is one unk token. */
static int wp_word(void *vctx, size_t ws, size_t we)
{
    enc_ctx *c = vctx;
    mn_tokenizer *t = c->t;
    mn_tok_scratch *sc = t->scratch;
    const char *w = c->text + ws;
    size_t n = we - ws, nchars = 0;
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) nchars += ((unsigned char)w[i] & 0xC0) != 0x80;
    size_t first = sc->ids.n, first_off = sc->offs.n;
    if (nchars <= t->wp_max_chars) {
        size_t start = 0;
        while (start < n) {
            /* no token is longer than max_token_len: start from the longest candidate that could match */
            size_t pre = start ? t->wp_prefix_len : 0, end = n;
            if (t->max_token_len < pre) break;
            if (end - start > t->max_token_len - pre) {
                end = start + (t->max_token_len - pre);
                while (end > start && ((unsigned char)w[end] & 0xC0) == 0x80) end--;
            }
            int32_t id = -1;
            while (end > start) {
                if (!pre) {
                    id = mn_tok_vocab_find(t, w + start, end - start);
                } else {
                    if (mn_ubuf_reserve(&sc->nb[2], pre + end - start, 0)) return MN_E_NOMEM;
                    memcpy(sc->nb[2].p, t->wp_prefix, pre);
                    memcpy(sc->nb[2].p + pre, w + start, end - start);
                    id = mn_tok_vocab_find(t, sc->nb[2].p, pre + end - start);
                }
                if (id >= 0) break;
                do end--; while (end > start && ((unsigned char)w[end] & 0xC0) == 0x80);
            }
            if (id < 0) break;
            if (emit_token(c, id, ws + start, ws + end)) return MN_E_NOMEM;
            start = end;
        }
        if (start == n) return 0;
    }
    sc->ids.n = first;
    sc->offs.n = first_off;
    return emit_token(c, t->unk_id, ws, we);
}

/* -------------------------------------------------------------- Unigram */
/* The best path of the sentencepiece library over one piece of normalized
 * text; unk runs are fused into one token (the library merges them), or
 * become byte tokens with byte fallback. */
static int unigram_word(void *vctx, size_t ws, size_t we)
{
    enc_ctx *c = vctx;
    mn_tokenizer *t = c->t;
    mn_tok_scratch *sc = t->scratch;
    size_t n = we - ws;
    if (n == 0) return 0;
    if (n + 1 > sc->uni_cap) {
        size_t bytes;
        if (!mn_mul_size(n + 1, sizeof *sc->uni, &bytes)) return MN_E_NOMEM;
        mn_tok_uni_node *nu = realloc(sc->uni, bytes);
        if (!nu) return MN_E_NOMEM;
        sc->uni = nu;
        sc->uni_cap = n + 1;
    }
    if (ensure_syms(sc, n + 1)) return MN_E_NOMEM;
    mn_tok_unigram_best(t, c->text + ws, n, sc->uni);
    /* backtrack into syms (reversed), then emit in order */
    size_t k = 0;
    for (size_t e = n; e > 0;) {
        const mn_tok_uni_node *nd = &sc->uni[e];
        if (nd->start < 0) return mn_err_set(&t->err, MN_E_CORRUPT, "unigram: no path");
        sc->syms[k++] = (sym){nd->id, 0, 0, (uint32_t)nd->start, (uint32_t)(e - (size_t)nd->start)};
        e = (size_t)nd->start;
    }
    if (t->uni_hf) {
        /* HF: a run of unk nodes is one string: a token if the vocabulary has
         * it, else its byte tokens (all spanning the run), else unk */
        while (k--) {
            const sym *y = &sc->syms[k];
            size_t st = ws + y->start, en = st + y->len;
            if (y->id == t->unk_id)
                while (k && sc->syms[k - 1].id == t->unk_id) { k--; en = ws + sc->syms[k].start + sc->syms[k].len; }
            int32_t id = y->id == t->unk_id ? mn_tok_vocab_find(t, c->text + st, en - st) : y->id;
            if (id < 0 && t->byte_fallback) {
                int ok = 1;
                for (size_t q = st; q < en && ok; q++) ok = t->byte_id[(unsigned char)c->text[q]] >= 0;
                if (ok) {
                    for (size_t q = st; q < en; q++)
                        if (emit_token(c, t->byte_id[(unsigned char)c->text[q]], st, en)) return MN_E_NOMEM;
                    continue;
                }
            }
            if (emit_token(c, id >= 0 ? id : t->unk_id, st, en)) return MN_E_NOMEM;
        }
        return 0;
    }
    int prev_unk = 0;
    while (k--) {
        const sym *y = &sc->syms[k];
        size_t st = ws + y->start, en = st + y->len;
        if (y->id != t->unk_id) {
            if (emit_token(c, y->id, st, en)) return MN_E_NOMEM;
            prev_unk = 0;
            continue;
        }
        int bytes_ok = t->byte_fallback;
        for (size_t q = 0; bytes_ok && q < y->len; q++) bytes_ok = t->byte_id[(unsigned char)c->text[st + q]] >= 0;
        if (bytes_ok) {
            for (size_t q = 0; q < y->len; q++)
                if (emit_token(c, t->byte_id[(unsigned char)c->text[st + q]], st + q, st + q + 1)) return MN_E_NOMEM;
        } else if (prev_unk && t->fuse_unk) {
            if (c->want_offsets) { size_t os; orig_range(c, st, en, &os, &sc->offs.p[sc->offs.n - 1]); }
        } else if (emit_token(c, t->unk_id, st, en)) {
            return MN_E_NOMEM;
        }
        prev_unk = 1;
    }
    return 0;
}

/* ------------------------------------------------------ encode pipeline */
/* Find the leftmost-longest added token in s[from..n) among those allowed.
 * @return 1 and the match, else 0. */
static int find_added(const mn_tokenizer *t, const char *s, size_t n, size_t from, int normalized_pass,
                      size_t *ms, size_t *me, const mn_tok_added **which)
{
    if (!t->n_added) return 0;
    for (size_t i = from; i < n; i++) {
        unsigned b = (unsigned char)s[i];
        for (size_t k = t->added_first[b]; k < t->added_first[b + 1]; k++) {
            const mn_tok_added *a = &t->added[k];
            int is_norm = a->normalized && t->n_norm;
            if (is_norm != normalized_pass) continue;
            if (a->pat_len <= n - i && memcmp(s + i, t->added_bytes + a->pat_off, a->pat_len) == 0) {
                *ms = i;
                *me = i + a->pat_len;
                *which = a;
                return 1;
            }
        }
    }
    return 0;
}

static size_t ws_left(const char *s, size_t lo, size_t i)
{
    while (i > lo) {
        size_t j = i - 1;
        while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
        size_t l;
        uint32_t cp = mn_utf8_decode((const unsigned char *)s + j, i - j, &l);
        if (!mn_uc_is_space(cp)) break;
        i = j;
    }
    return i;
}

static size_t ws_right(const char *s, size_t n, size_t i)
{
    while (i < n) {
        size_t l;
        uint32_t cp = mn_utf8_decode((const unsigned char *)s + i, n - i, &l);
        if (!mn_uc_is_space(cp)) break;
        i += l;
    }
    return i;
}

/* HF's single_word: no \w char right before or right after the match
 * (within the split being searched). */
static int single_word_ok(const char *s, size_t lo, size_t hi, size_t ms, size_t me)
{
    size_t l;
    if (ms > lo) {
        size_t j = ms - 1;
        while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
        if (mn_uc_is_word(mn_utf8_decode((const unsigned char *)s + j, ms - j, &l))) return 0;
    }
    if (me < hi && mn_uc_is_word(mn_utf8_decode((const unsigned char *)s + me, hi - me, &l))) return 0;
    return 1;
}

typedef int (*piece_fn)(enc_ctx *c, size_t s, size_t e);

/* Split c->text[lo..hi) around added tokens of one pass; text pieces go to fn. */
static int split_added(enc_ctx *c, size_t lo, size_t hi, int normalized_pass, unsigned flags, piece_fn fn)
{
    mn_tokenizer *t = c->t;
    size_t start = lo, from = lo;
    size_t ms, me;
    const mn_tok_added *a;
    while (from < hi && find_added(t, c->text, hi, from, normalized_pass, &ms, &me, &a)) {
        from = me;
        if (a->special && !(flags & MN_TOK_PARSE_SPECIAL)) continue;
        if (a->single_word && !single_word_ok(c->text, lo, hi, ms, me)) continue;
        if (a->lstrip) { size_t ns = ws_left(c->text, start, ms); ms = ns; }
        if (a->rstrip) { me = ws_right(c->text, hi, me); from = me; }
        if (ms > start) { int rc = fn(c, start, ms); if (rc) return rc; }
        if (emit_token(c, a->id, ms, me)) return MN_E_NOMEM;
        start = me;
    }
    if (hi > start) return fn(c, start, hi);
    return 0;
}

/* The words of sub->text[a..b) without a regex split: the model over each,
 * SentencePiece-style texts cut before "▁" where that is exact (sp_words). */
static int plain_words(enc_ctx *sub, size_t a, size_t b)
{
    mn_tokenizer *t = sub->t;
    mn_tok_emit_fn fn = t->model == MN_TOKM_WORDPIECE ? wp_word : t->model == MN_TOKM_UNIGRAM ? unigram_word : bpe_word;
    if (!t->sp_words) return a < b ? fn(sub, a, b) : 0;
    /* cut before every "▁" that follows a char other than "▁" */
    const char *x = sub->text;
    size_t ws = a;
    for (size_t i = a + 3; i + 3 <= b; i++) {
        if (x[i] == '\xE2' && x[i + 1] == '\x96' && x[i + 2] == '\x81' &&
            !(x[i - 3] == '\xE2' && x[i - 2] == '\x96' && x[i - 1] == '\x81')) {
            int rc = fn(sub, ws, i);
            if (rc) return rc;
            ws = i;
        }
    }
    return ws < b ? fn(sub, ws, b) : 0;
}

/* HF's Split on a literal string with its SplitDelimiterBehavior: the text
 * is a sequence of spans, matches (non-overlapping, leftmost) and the text
 * between them; pieces are formed from the spans as HF folds them. */
static int literal_split(enc_ctx *sub)
{
    mn_tokenizer *t = sub->t;
    const char *x = sub->text, *lit = t->lit;
    size_t n = sub->text_n, L = t->lit_len;
    size_t pa = 0, pb = 0;   /* pending piece */
    int have = 0, pm = 0;    /* a piece is pending; the previous span was a match */
    size_t p = 0;
    int rc = 0;
    for (;;) {
        /* next span: text up to the next match, or the match */
        size_t m = p;
        while (m + L <= n && (x[m] != lit[0] || memcmp(x + m, lit, L))) m++;
        if (m + L > n) m = n;
        size_t s, e;
        int ism;
        if (m > p) { s = p; e = m; ism = 0; }
        else if (m < n) { s = m; e = m + L; ism = 1; }
        else break;
        p = e;
        switch (t->lit_behavior) {
        case MN_LIT_ISOLATED: rc = plain_words(sub, s, e); break;
        case MN_LIT_REMOVED: if (!ism) rc = plain_words(sub, s, e); break;
        case MN_LIT_MERGED_PREV: /* a match joins the piece before it, unless that ended in a match */
            if (ism && !pm && have) pb = e;
            else { if (have) rc = plain_words(sub, pa, pb); pa = s; pb = e; have = 1; }
            break;
        case MN_LIT_MERGED_NEXT: /* a match joins the span after it if that is not a match */
            if (have && pm && !ism) pb = e;
            else { if (have) rc = plain_words(sub, pa, pb); pa = s; pb = e; have = 1; }
            break;
        default: /* MN_LIT_CONTIGUOUS: consecutive matches are one piece */
            if (ism && pm && have) pb = e;
            else { if (have) rc = plain_words(sub, pa, pb); pa = s; pb = e; have = 1; }
            break;
        }
        if (rc) return rc;
        pm = ism;
    }
    return have ? plain_words(sub, pa, pb) : 0;
}

/* Run the model over the words of a pre-tokenized split sub (text, align). */
static int split_words(enc_ctx *sub)
{
    mn_tokenizer *t = sub->t;
    int rc = 0;
    if (t->ms_rep_len && t->ms_split) {
        /* Metaspace split: MergedWithNext at each replacement char */
        const char *x = sub->text;
        size_t n = sub->text_n, ws = 0, rl = t->ms_rep_len;
        mn_tok_emit_fn fn = t->model == MN_TOKM_WORDPIECE ? wp_word : t->model == MN_TOKM_UNIGRAM ? unigram_word : bpe_word;
        for (size_t i = 1; i + rl <= n && !rc; i++)
            if (x[i] == t->ms_rep[0] && !memcmp(x + i, t->ms_rep, rl)) { rc = fn(sub, ws, i); ws = i; }
        return rc ? rc : fn(sub, ws, n);
    }
    if (t->lit_len) return literal_split(sub);
    if (t->sp_words) return plain_words(sub, 0, sub->text_n);
    mn_tok_emit_fn fn = t->model == MN_TOKM_WORDPIECE ? wp_word : t->model == MN_TOKM_UNIGRAM ? unigram_word : bpe_word;
    rc = mn_tok_split(t->split, sub->text, sub->text_n, fn, sub);
    if (rc == MN_E_UNSUPPORTED) return mn_err_set(&t->err, rc, "pre-tokenizer %d", t->split);
    return rc;
}

/* One split of the pre-tokenizer chain: Metaspace (' ' -> replacement,
 * replacement prepended) or ByteLevel's prefix space rewrite it first, with
 * HF's alignments (the prepended char spans the first char, a replacement the
 * space it replaced). */
static int pretok_split(enc_ctx *c, size_t s, size_t e)
{
    mn_tokenizer *t = c->t;
    enc_ctx sub = *c;
    sub.text = c->text + s;
    sub.text_n = e - s;
    if (c->align) sub.align = c->align + 2 * s;
    else sub.base = c->base + s;
    size_t n = e - s;
    if (!n || (!t->ms_rep_len && !t->bl_add_prefix_space)) return split_words(&sub);
    const char *x = sub.text;
    const char *rep = t->ms_rep_len ? t->ms_rep : " ";
    size_t rl = t->ms_rep_len ? t->ms_rep_len : 1;
    int prepend;
    if (t->ms_rep_len) {
        int starts = x[0] == ' ' || (n >= rl && !memcmp(x, rep, rl));
        size_t o0, o1;
        orig_range(&sub, 0, 1, &o0, &o1);
        prepend = !starts && (t->ms_prepend == 1 || (t->ms_prepend == 2 && o0 == 0));
    } else {
        prepend = x[0] != ' ';
    }
    mn_ubuf *pb = &t->scratch->nb[3];
    size_t room;
    if (!mn_mul_size(n + 1, rl, &room)) return MN_E_NOMEM;
    pb->n = 0;
    if (mn_ubuf_reserve(pb, room, c->want_offsets)) return MN_E_NOMEM;
    for (size_t i = 0; i < n || prepend;) {
        size_t l = prepend ? 0 : mn_utf8_seq_len((const unsigned char *)x + i, n - i);
        if (!prepend && !l) l = 1;
        const char *src = prepend || (x[i] == ' ' && t->ms_rep_len) ? rep : x + i;
        size_t sl = prepend || (x[i] == ' ' && t->ms_rep_len) ? rl : l;
        memcpy(pb->p + pb->n, src, sl);
        if (c->want_offsets) {
            size_t o0, o1;
            orig_range(&sub, i, i + (l ? l : mn_utf8_seq_len((const unsigned char *)x, n)), &o0, &o1);
            for (size_t q = 0; q < sl; q++) { pb->align[2 * (pb->n + q)] = (uint32_t)o0; pb->align[2 * (pb->n + q) + 1] = (uint32_t)o1; }
        }
        pb->n += sl;
        if (prepend) prepend = 0;
        else i += l;
    }
    enc_ctx tr = sub;
    tr.text = pb->p;
    tr.text_n = pb->n;
    tr.align = c->want_offsets ? pb->align : NULL;
    return split_words(&tr);
}

/* A piece of normalized text between added tokens: WhitespaceSplit first if
 * configured, then each split as above. */
static int model_piece(enc_ctx *c, size_t s, size_t e)
{
    mn_tokenizer *t = c->t;
    if (!t->ws_split) return pretok_split(c, s, e);
    const unsigned char *x = (const unsigned char *)c->text;
    size_t i = s, ws = s;
    while (i < e) {
        size_t l = 1;
        uint32_t cp = x[i] < 0x80 ? x[i] : mn_utf8_decode(x + i, e - i, &l);
        if (cp == ' ' || (cp >= 9 && cp <= 13) || (cp >= 0x80 && mn_uc_is_space(cp))) {
            if (i > ws) { int rc = pretok_split(c, ws, i); if (rc) return rc; }
            ws = i + l;
        }
        i += l;
    }
    return e > ws ? pretok_split(c, ws, e) : 0;
}

/* A raw piece (between non-normalized added tokens): normalize, then the
 * normalized added tokens, then pre-tokenize and run the model. */
static int raw_piece(enc_ctx *c, size_t s, size_t e)
{
    mn_tokenizer *t = c->t;
    if (!t->n_norm) return model_piece(c, s, e);
    size_t n = e - s;
    uint32_t *al = NULL;
    if (c->want_offsets) {
        /* identity: every byte maps to its char's range in the original */
        al = malloc((2 * n + 2) * sizeof *al);
        if (!al) return MN_E_NOMEM;
        const unsigned char *x = (const unsigned char *)c->text + s;
        for (size_t i = 0; i < n;) {
            size_t l = mn_utf8_seq_len(x + i, n - i);
            if (!l) l = 1;
            for (size_t q = 0; q < l; q++) {
                al[2 * (i + q)] = (uint32_t)(c->base + s + i);
                al[2 * (i + q) + 1] = (uint32_t)(c->base + s + i + l);
            }
            i += l;
        }
    }
    mn_ubuf *r = NULL;
    int rc = apply_normalizer(t, c->text + s, n, al, c->want_offsets, &r);
    free(al);
    if (rc) return rc;
    /* the normalized text lives in a scratch buffer the next piece reuses:
     * detach it for the duration of this piece */
    size_t nn = r->n;
    char *txt = r->p;
    uint32_t *nal = r->align;
    r->p = NULL; r->align = NULL; r->n = r->cap = r->align_cap = 0;
    enc_ctx sub = *c;
    sub.text = txt;
    sub.text_n = nn;
    sub.align = c->want_offsets ? nal : NULL;
    sub.base = c->base + s;
    if (nn) {
        if (t->has_norm_added) rc = split_added(&sub, 0, nn, 1, c->flags, model_piece);
        else rc = model_piece(&sub, 0, nn);
    }
    free(txt);
    free(nal);
    return rc;
}

/* HF's ByteLevel post-processor with trim_offsets: a token's offsets leave
 * out the spaces (byte-level 'Ġ', or whitespace in an added token) at its
 * ends; with add_prefix_space one leading space of the first token stays. */
static void trim_offsets(const mn_tokenizer *t, mn_tok_scratch *sc)
{
    for (size_t i = 0; i < sc->ids.n; i++) {
        int32_t id = sc->ids.p[i];
        const mn_tok_added *a = added_by_id(t, id);
        const unsigned char *p;
        size_t n, lead = 0, trail = 0;
        if (a) { p = (const unsigned char *)t->added_bytes + a->off; n = a->len; }
        else if (!(p = (const unsigned char *)tok_str(t, id, &n))) continue;
        int raw = !a && !t->tok_unmapped[id]; /* raw bytes: ' ' is 'Ġ' */
        /* count leading / trailing space chars (a char, 1 byte each for 'Ġ' or ASCII whitespace) */
        for (size_t k = 0; k < n;) {
            size_t l = 1;
            uint32_t cp = raw ? p[k] : mn_utf8_decode(p + k, n - k, &l);
            if (!(raw ? cp == ' ' : (cp == 0x120 || mn_uc_is_space(cp)))) break;
            lead++;
            k += l;
        }
        for (size_t k = n; k > 0;) {
            size_t j = k - 1;
            if (!raw) while (j > 0 && (p[j] & 0xC0) == 0x80) j--;
            size_t l = 1;
            uint32_t cp = raw ? p[j] : mn_utf8_decode(p + j, k - j, &l);
            if (!(raw ? cp == ' ' : (cp == 0x120 || mn_uc_is_space(cp)))) break;
            trail++;
            k = j;
        }
        size_t *o = sc->offs.p + 2 * i;
        if (lead) {
            if ((i == 0 || o[0] == 0) && t->trim_prefix_space && lead == 1) lead = 0;
            o[0] = o[0] + lead < o[1] ? o[0] + lead : o[1];
        }
        if (trail && o[1] >= trail) o[1] = o[1] - trail > o[0] ? o[1] - trail : o[0];
    }
}

static int encode_all(mn_tokenizer *t, const char *text, size_t n, unsigned flags, int want_offsets)
{
    mn_tok_scratch *sc = t->scratch;
    sc->ids.n = 0;
    sc->offs.n = 0;
    if (!sc->wc && t->model == MN_TOKM_BPE) sc->wc = mn_calloc_array((size_t)1 << WC_BITS, sizeof *sc->wc); /* NULL: no cache */
    enc_ctx c = {t, text, NULL, 0, n, want_offsets, flags};
    int rc = 0;
    if (flags & MN_TOK_ADD_SPECIAL)
        for (int i = 0; i < t->n_prefix; i++)
            if (vec_push_i32(&sc->ids, t->prefix[i]) || (want_offsets && vec_push_sz2(&sc->offs, 0, 0))) return MN_E_NOMEM;
    rc = split_added(&c, 0, n, 0, flags, raw_piece);
    if (rc) return rc;
    if (flags & MN_TOK_ADD_SPECIAL)
        for (int i = 0; i < t->n_suffix; i++)
            if (vec_push_i32(&sc->ids, t->suffix[i]) || (want_offsets && vec_push_sz2(&sc->offs, 0, 0))) return MN_E_NOMEM;
    if (want_offsets && t->trim_offsets) trim_offsets(t, sc);
    return 0;
}

/* Length of the maximal invalid subpart at s (>= 1), per Unicode / Rust's from_utf8_lossy. */
static size_t utf8_bad_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return 1;
    size_t k = 1;
    if (k < n && s[k] >= lo && s[k] <= hi) {
        k++;
        while (k <= need && k < n && s[k] >= 0x80 && s[k] <= 0xBF) k++;
    }
    return k;
}

/* MN_TOK_LOSSY: a copy of s[0..n) with every maximal invalid subpart replaced
 * by U+FFFD, and (if map) for every byte position of the copy (and its end)
 * the byte position of s it comes from. @return 0 or MN_E_NOMEM. */
static int lossy_copy(const unsigned char *s, size_t n, char **out, size_t *outLen, uint32_t **map)
{
    if (n > (UINT32_MAX - 1) / 3) return MN_E_INVALID_ARG; /* offsets are 32-bit inside */
    char *d = malloc(3 * n + 1);
    uint32_t *m = map ? malloc((3 * n + 1) * sizeof *m) : NULL;
    if (!d || (map && !m)) { free(d); free(m); return MN_E_NOMEM; }
    size_t i = 0, o = 0;
    while (i < n) {
        size_t l = s[i] < 0x80 ? 1 : mn_utf8_seq_len(s + i, n - i);
        if (l) {
            memcpy(d + o, s + i, l);
            if (m) for (size_t k = 0; k < l; k++) m[o + k] = (uint32_t)i;
            o += l;
            i += l;
            continue;
        }
        size_t bad = utf8_bad_len(s + i, n - i);
        memcpy(d + o, "\xEF\xBF\xBD", 3);
        if (m) m[o] = m[o + 1] = m[o + 2] = (uint32_t)i;
        o += 3;
        i += bad;
    }
    if (m) m[o] = (uint32_t)n;
    *out = d;
    *outLen = o;
    if (map) *map = m;
    return 0;
}

/* ---------------------------------------------------------- public API */
size_t mn_tokenizer_encode_offsets(mn_tokenizer *t, int32_t *dst, size_t *offsets, size_t dstCapacity,
                                   const void *text, size_t textSize, unsigned flags)
{
    if (!t || (!text && textSize) || (!dst && dstCapacity)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    mn_err_clear(&t->err);
    if (textSize >= UINT32_MAX)
        return MN_ERROR_SIZE(mn_err_set(&t->err, MN_E_INVALID_ARG, "text of %zu bytes (limit 4 GiB)", textSize));
    const char *src = text ? text : "";
    char *fixed = NULL;
    uint32_t *map = NULL;
    if (!mn_utf8_valid(text, textSize)) {
        if (!(flags & MN_TOK_LOSSY))
            return MN_ERROR_SIZE(mn_err_set(&t->err, MN_E_TOK_UTF8, "the text is not valid UTF-8"));
        int lc = lossy_copy(text, textSize, &fixed, &textSize, offsets ? &map : NULL);
        if (lc) return MN_ERROR_SIZE(mn_err_set(&t->err, lc, lc == MN_E_NOMEM ? "out of memory"
                                                : "invalid UTF-8 text of %zu bytes (limit with MN_TOK_LOSSY 1.4 GB)", textSize));
        src = fixed;
    }
    int rc = encode_all(t, src, textSize, flags, offsets != NULL);
    if (!rc && map) {
        mn_tok_scratch *sc = t->scratch;
        for (size_t i = 0; i < sc->offs.n; i++) sc->offs.p[i] = map[sc->offs.p[i]];
    }
    free(fixed);
    free(map);
    if (rc) {
        if (t->err.code != rc) mn_err_set(&t->err, rc, "%s", mn_status_message(rc));
        return MN_ERROR_SIZE(rc);
    }
    mn_tok_scratch *sc = t->scratch;
    size_t cnt = sc->ids.n;
    if (!dst && dstCapacity == 0) return cnt;
    if (cnt > dstCapacity)
        return MN_ERROR_SIZE(mn_err_set(&t->err, MN_E_DST_TOO_SMALL, "%zu tokens, capacity %zu", cnt, dstCapacity));
    if (cnt) memcpy(dst, sc->ids.p, cnt * sizeof *dst);
    if (offsets && cnt) memcpy(offsets, sc->offs.p, 2 * cnt * sizeof *offsets);
    return cnt;
}

size_t mn_tokenizer_encode(mn_tokenizer *t, int32_t *dst, size_t dstCapacity, const void *text, size_t textSize,
                           unsigned flags)
{
    return mn_tokenizer_encode_offsets(t, dst, NULL, dstCapacity, text, textSize, flags);
}

size_t mn_tokenizer_encode_bound(const mn_tokenizer *t, size_t textSize)
{
    if (!t) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    /* every model token covers >= 1 byte of normalized text, and an added
     * token >= 1 byte of the input */
    size_t r;
    if (!mn_mul_size(textSize, t->max_expand, &r) || !mn_add_size(r, 2 * MN_TOK_MAX_AFFIX + 8, &r))
        return MN_ERROR_SIZE(MN_E_OVERFLOW);
    return r;
}

size_t mn_tokenizer_vocab_size(const mn_tokenizer *t)
{
    if (!t) return 0;
    size_t n = t->n_vocab;
    for (size_t i = 0; i < t->n_added; i++)
        if ((size_t)t->added[i].id + 1 > n) n = (size_t)t->added[i].id + 1;
    return n;
}

const char *mn_tokenizer_error(const mn_tokenizer *t) { return t ? t->err.msg : ""; }

/* The original stored string of a token: added content, or the vocabulary
 * entry (byte-level entries re-encoded to their byte-unicode spelling). */
size_t mn_tokenizer_id_to_token(const mn_tokenizer *t, int32_t id, char *dst, size_t cap)
{
    if (!t || (!dst && cap)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    const mn_tok_added *a = added_by_id(t, id);
    const char *s;
    size_t n;
    if (a) { s = t->added_bytes + a->off; n = a->len; }
    else if (!(s = tok_str(t, id, &n))) return MN_ERROR_SIZE(MN_E_TOK_INVALID_ID);
    if (t->byte_level && !a && !t->tok_unmapped[id]) {
        size_t o = 0;
        char tmp[4];
        for (size_t i = 0; i < n; i++) {
            size_t l = mn_utf8_encode(mn_tok_byte_to_cp((unsigned char)s[i]), tmp);
            if (o + l > cap) return MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
            memcpy(dst + o, tmp, l);
            o += l;
        }
        return o;
    }
    if (n > cap) return MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    memcpy(dst, s, n);
    return n;
}

int32_t mn_tokenizer_token_to_id(const mn_tokenizer *t, const char *s, size_t n)
{
    if (!t || (!s && n)) return -1;
    for (size_t i = 0; i < t->n_added; i++)
        if (t->added[i].len == n && memcmp(t->added_bytes + t->added[i].off, s, n) == 0) return t->added[i].id;
    if (t->byte_level) {
        char *tmp = malloc(n + 1);
        if (!tmp) return -1;
        size_t bl = bl_decode(s, n, tmp);
        int32_t id = bl == SIZE_MAX ? -1 : mn_tok_vocab_find(t, tmp, bl);
        free(tmp);
        if (id >= 0) return id;
        for (size_t i = 0; i < t->n_vocab; i++) /* unmapped entries are kept verbatim */
            if (t->tok_unmapped[i] && t->tok_len[i] == n && !memcmp(t->tok_bytes + t->tok_off[i], s, n)) return (int32_t)i;
        return -1;
    }
    return mn_tok_vocab_find(t, s, n);
}

/* ---------------------------------------------------------------- decode */
typedef struct dbuf { char *p; size_t n, cap; } dbuf;

static int dbuf_put(dbuf *b, const void *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->n + n) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) return -1;
        b->p = np;
        b->cap = nc;
    }
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

/* Append s[0..n) to b with invalid sequences replaced by U+FFFD. If hold is
 * set, a truncated but possibly valid tail is not consumed: @return consumed. */
static size_t put_lossy(dbuf *b, const unsigned char *s, size_t n, int hold, int *oom)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] < 0x80) j++;
        if (j > i) { if (dbuf_put(b, s + i, j - i)) { *oom = 1; return i; } i = j; continue; }
        size_t l = mn_utf8_seq_len(s + i, n - i);
        if (l) { if (dbuf_put(b, s + i, l)) { *oom = 1; return i; } i += l; continue; }
        size_t bad = utf8_bad_len(s + i, n - i);
        if (hold && i + bad == n) {
            /* incomplete at the end: could still become valid */
            unsigned c = s[i];
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 1;
            if (need > n - i) return i;
        }
        if (dbuf_put(b, "\xEF\xBF\xBD", 3)) { *oom = 1; return i; }
        i += bad;
    }
    return i;
}

static int is_byte_token(const char *s, size_t n, unsigned *val)
{
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return 0;
    unsigned v = 0;
    for (int i = 3; i < 5; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else return 0;
        v = v * 16 + d;
    }
    *val = v;
    return 1;
}

/* Per-token decoding for the decoder steps that act token by token:
 * appends the token's bytes to b. *is_byte receives a byte-fallback value
 * (or -1); *skip is set for a skipped special token. */
/* Literal replace-all of a by r in w (w2 is scratch). @return 0 or -1 (no memory). */
static int dbuf_replace(dbuf *w, dbuf *w2, const char *a, size_t al, const char *r, size_t rl)
{
    w2->n = 0;
    size_t i = 0;
    while (i < w->n) {
        if (al && w->n - i >= al && memcmp(w->p + i, a, al) == 0) {
            if (dbuf_put(w2, r, rl)) return -1;
            i += al;
        } else {
            if (dbuf_put(w2, w->p + i, 1)) return -1;
            i++;
        }
    }
    dbuf tmp = *w; *w = *w2; *w2 = tmp;
    return 0;
}

/* HF decoders::wordpiece::cleanup, in its order. */
static const char *const k_wp_cleanup[][2] = {
    {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"}, {" 'm", "'m"},
    {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
};

/* index: the position of this token among the decoded (not skipped) ones. */
static int token_piece(const mn_tokenizer *t, int32_t id, dbuf *b, int *is_byte, int *skip, unsigned flags, size_t index)
{
    *is_byte = -1;
    *skip = 0;
    const mn_tok_added *a = added_by_id(t, id);
    const char *s;
    size_t n;
    int raw_bytes = 0; /* s is already raw bytes (byte-level vocab) */
    if (a) {
        if (a->special && (flags & MN_TOK_SKIP_SPECIAL)) { *skip = 1; return 0; }
        s = t->added_bytes + a->off;
        n = a->len;
    } else {
        if (!(s = tok_str(t, id, &n))) return MN_E_TOK_INVALID_ID;
        raw_bytes = t->byte_level && !t->tok_unmapped[id];
    }
    dbuf w = {0}, w2 = {0};
    int rc = 0;
    if (dbuf_put(&w, s, n)) return MN_E_NOMEM;
    for (int k = 0; k < t->n_dec && !rc; k++) {
        const mn_tok_dec_step *st = &t->dec[k];
        if (st->op == MN_DEC_BYTELEVEL) {
            if (!raw_bytes && w.n) {
                /* HF: a token with any unmapped char is kept as its UTF-8 */
                char *d = malloc(w.n);
                if (!d) { rc = MN_E_NOMEM; break; }
                size_t bl = bl_decode(w.p, w.n, d);
                if (bl != SIZE_MAX) { memcpy(w.p, d, bl); w.n = bl; }
                free(d);
            }
        } else if (st->op == MN_DEC_REPLACE && st->len) {
            if (dbuf_replace(&w, &w2, st->str, st->len, st->str2, st->len2)) rc = MN_E_NOMEM;
        } else if (st->op == MN_DEC_METASPACE) {
            /* HF: in the first token the replacement is dropped (unless prepend_scheme never) */
            if (dbuf_replace(&w, &w2, st->str, st->len, " ", index == 0 && st->start ? 0 : 1)) rc = MN_E_NOMEM;
        } else if (st->op == MN_DEC_WORDPIECE) {
            if (index != 0) {
                if (w.n >= st->len && !memcmp(w.p, st->str, st->len)) {
                    memmove(w.p, w.p + st->len, w.n - st->len);
                    w.n -= st->len;
                } else {
                    w2.n = 0;
                    if (dbuf_put(&w2, " ", 1) || dbuf_put(&w2, w.p, w.n)) rc = MN_E_NOMEM;
                    dbuf tmp = w; w = w2; w2 = tmp;
                }
            }
            for (size_t k2 = 0; st->start && !rc && k2 < sizeof k_wp_cleanup / sizeof k_wp_cleanup[0]; k2++)
                if (dbuf_replace(&w, &w2, k_wp_cleanup[k2][0], strlen(k_wp_cleanup[k2][0]), k_wp_cleanup[k2][1],
                                 strlen(k_wp_cleanup[k2][1])))
                    rc = MN_E_NOMEM;
        } else if (st->op == MN_DEC_BYTE_FALLBACK) {
            unsigned v;
            if (is_byte_token(w.p, w.n, &v)) { *is_byte = (int)v; w.n = 0; }
        }
        /* FUSE and STRIP act on the whole output: handled by the callers */
    }
    if (!rc && dbuf_put(b, w.p, w.n)) rc = MN_E_NOMEM;
    free(w.p);
    free(w2.p);
    return rc;
}

static int has_dec(const mn_tokenizer *t, int op)
{
    for (int k = 0; k < t->n_dec; k++)
        if (t->dec[k].op == op) return 1;
    return 0;
}

static const mn_tok_dec_step *find_dec(const mn_tokenizer *t, int op)
{
    for (int k = 0; k < t->n_dec; k++)
        if (t->dec[k].op == op) return &t->dec[k];
    return NULL;
}

size_t mn_tokenizer_decode(mn_tokenizer *t, char *dst, size_t cap, const int32_t *ids, size_t n, unsigned flags)
{
    if (!t || (!ids && n) || (!dst && cap)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    mn_err_clear(&t->err);
    dbuf raw = {0}, out = {0}, bytes = {0};
    int rc = 0, oom = 0;
    int bytelevel = has_dec(t, MN_DEC_BYTELEVEL);
    size_t index = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int byte, skip;
        size_t before = raw.n;
        rc = token_piece(t, ids[i], &raw, &byte, &skip, flags, index);
        if (!rc && !skip) index++;
        if (rc == MN_E_TOK_INVALID_ID) { mn_err_set(&t->err, rc, "token id %d at position %zu", (int)ids[i], i); break; }
        if (rc || skip) continue;
        if (bytelevel) continue;
        /* byte fallback runs: valid UTF-8 or one U+FFFD per byte (HF ByteFallback) */
        if (byte >= 0) {
            unsigned char ub = (unsigned char)byte;
            if (dbuf_put(&bytes, &ub, 1)) rc = MN_E_NOMEM;
            continue;
        }
        if (bytes.n) {
            if (mn_utf8_valid((unsigned char *)bytes.p, bytes.n)) { if (dbuf_put(&out, bytes.p, bytes.n)) rc = MN_E_NOMEM; }
            else for (size_t q = 0; q < bytes.n; q++) if (dbuf_put(&out, "\xEF\xBF\xBD", 3)) rc = MN_E_NOMEM;
            bytes.n = 0;
        }
        if (raw.n > before && dbuf_put(&out, raw.p + before, raw.n - before)) rc = MN_E_NOMEM; /* raw.p may be NULL */
    }
    if (!rc && !bytelevel && bytes.n) {
        if (mn_utf8_valid((unsigned char *)bytes.p, bytes.n)) { if (dbuf_put(&out, bytes.p, bytes.n)) rc = MN_E_NOMEM; }
        else for (size_t q = 0; q < bytes.n; q++) if (dbuf_put(&out, "\xEF\xBF\xBD", 3)) rc = MN_E_NOMEM;
    }
    if (!rc && bytelevel) {
        put_lossy(&out, (unsigned char *)raw.p, raw.n, 0, &oom);
        if (oom) rc = MN_E_NOMEM;
    }
    size_t start = 0, end = out.n;
    const mn_tok_dec_step *strip = find_dec(t, MN_DEC_STRIP);
    if (!rc && strip && strip->len) {
        for (size_t k = 0; k < strip->start && end - start >= strip->len && !memcmp(out.p + start, strip->str, strip->len); k++)
            start += strip->len;
        for (size_t k = 0; k < strip->stop && end - start >= strip->len && !memcmp(out.p + end - strip->len, strip->str, strip->len); k++)
            end -= strip->len;
    }
    size_t res;
    if (rc) res = MN_ERROR_SIZE(rc == MN_E_TOK_INVALID_ID ? rc : mn_err_set(&t->err, rc, "out of memory"));
    else if (!dst && cap == 0) res = end - start;
    else if (end - start > cap) res = MN_ERROR_SIZE(mn_err_set(&t->err, MN_E_DST_TOO_SMALL, "%zu bytes, capacity %zu", end - start, cap));
    else { if (end > start) memcpy(dst, out.p + start, end - start); res = end - start; }
    free(raw.p);
    free(out.p);
    free(bytes.p);
    return res;
}

/* ------------------------------------------------------ streaming decode */
struct mn_tok_stream {
    const mn_tokenizer *t;
    unsigned flags;
    unsigned char pend[8];
    size_t npend;
    size_t strip_left; /* leading strip chars still to remove */
    size_t index;      /* tokens decoded so far (WordPiece: the first has no ' ') */
};

mn_status mn_tok_stream_create(mn_tok_stream **out, const mn_tokenizer *t, unsigned flags)
{
    if (!out || !t) return MN_E_INVALID_ARG;
    mn_tok_stream *s = calloc(1, sizeof *s);
    if (!s) return MN_E_NOMEM;
    s->t = t;
    s->flags = flags;
    const mn_tok_dec_step *strip = find_dec(t, MN_DEC_STRIP);
    s->strip_left = strip && strip->len == 1 ? strip->start : 0;
    *out = s;
    return MN_OK;
}

void mn_tok_stream_free(mn_tok_stream *s) { free(s); }

static size_t stream_emit(mn_tok_stream *s, const unsigned char *p, size_t n, char *dst, size_t cap, int final)
{
    /* combine the held tail with the new bytes, emit all complete chars */
    dbuf in = {0}, out = {0};
    int oom = 0;
    if (dbuf_put(&in, s->pend, s->npend) || dbuf_put(&in, p, n)) { free(in.p); return MN_ERROR_SIZE(MN_E_NOMEM); }
    size_t used = put_lossy(&out, (unsigned char *)in.p, in.n, !final, &oom);
    size_t res;
    if (oom) res = MN_ERROR_SIZE(MN_E_NOMEM);
    else if (out.n > cap) res = MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    else if (in.n - used > sizeof s->pend) res = MN_ERROR_SIZE(MN_E_CORRUPT);
    else {
        /* in.p and out.p are NULL when empty (a token with no text): no NULL + 0 */
        if (out.n) memcpy(dst, out.p, out.n);
        if (in.n > used) memmove(s->pend, in.p + used, in.n - used);
        s->npend = in.n - used;
        res = out.n;
    }
    free(in.p);
    free(out.p);
    return res;
}

size_t mn_tok_stream_push(mn_tok_stream *s, int32_t id, char *dst, size_t cap)
{
    if (!s || (!dst && cap)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    dbuf b = {0};
    int byte, skip;
    int rc = token_piece(s->t, id, &b, &byte, &skip, s->flags, s->index);
    if (rc) { free(b.p); return MN_ERROR_SIZE(rc); }
    if (!skip) s->index++;
    if (byte >= 0) { unsigned char ub = (unsigned char)byte; b.n = 0; if (dbuf_put(&b, &ub, 1)) { free(b.p); return MN_ERROR_SIZE(MN_E_NOMEM); } }
    size_t off = 0;
    while (s->strip_left && off < b.n) {
        if (b.p[off] != ' ') { s->strip_left = 0; break; }
        off++;
        s->strip_left--;
    }
    if (off < b.n) s->strip_left = 0;
    size_t r = stream_emit(s, off < b.n ? (unsigned char *)b.p + off : NULL, b.n - off, dst, cap, 0);
    free(b.p);
    return r;
}

size_t mn_tok_stream_flush(mn_tok_stream *s, char *dst, size_t cap)
{
    if (!s || (!dst && cap)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    size_t r = stream_emit(s, NULL, 0, dst, cap, 1);
    if (!mn_is_error(r)) {
        const mn_tok_dec_step *strip = find_dec(s->t, MN_DEC_STRIP);
        s->strip_left = strip && strip->len == 1 ? strip->start : 0;
        s->npend = 0;
        s->index = 0;
    }
    return r;
}

/* -------------------------------------------------------------- lifetime */
static void free_scratch(mn_tok_scratch *sc)
{
    if (!sc) return;
    free(sc->ids.p); free(sc->offs.p);
    mn_ubuf_free(&sc->nb[0]); mn_ubuf_free(&sc->nb[1]); mn_ubuf_free(&sc->nb[2]); mn_ubuf_free(&sc->nb[3]);
    free(sc->syms); free(sc->heap);
    free(sc->wc); free(sc->uni);
    free(sc);
}

void mn_tokenizer_free(mn_tokenizer *t)
{
    if (!t) return;
    free_scratch(t->scratch);
    if (atomic_fetch_sub_explicit(t->refs, 1u, memory_order_acq_rel) > 1) { free(t); return; } /* a clone */
    free((void *)t->refs);
    free(t->tok_off); free(t->tok_len); free(t->tok_bytes); free(t->tok_unmapped); free(t->vhash);
    free(t->mtab); free(t->mpend); free(t->pc_keys); free(t->pc_ids); free(t->pairmap); free(t->lit);
    for (int i = 0; i < t->n_norm; i++) { free(t->norm[i].str); free(t->norm[i].str2); }
    for (int i = 0; i < t->n_dec; i++) { free(t->dec[i].str); free(t->dec[i].str2); }
    free(t->added); free(t->added_bytes);
    free(t->tok_type); free(t->scores); free(t->dscores); free(t->spm_units); free(t->spm_pool);
    mn_tok_trie_free(&t->trie_pieces);
    mn_tok_trie_free(&t->trie_user);
    free(t);
}

mn_status mn_tokenizer_clone(mn_tokenizer **out, const mn_tokenizer *src)
{
    if (!out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (!src) return MN_E_INVALID_ARG;
    mn_tokenizer *t = malloc(sizeof *t);
    mn_tok_scratch *sc = calloc(1, sizeof *sc);
    if (!t || !sc) { free(t); free(sc); return MN_E_NOMEM; }
    /* everything but the error message (another thread may be writing src's):
     * the tables are read-only after creation */
    size_t skip = offsetof(mn_tokenizer, model);
    memcpy((char *)t + skip, (const char *)src + skip, sizeof *t - skip);
    memset(&t->err, 0, sizeof t->err);
    t->scratch = sc;
    atomic_fetch_add_explicit(t->refs, 1u, memory_order_relaxed);
    *out = t;
    return MN_OK;
}

static int looks_like_json(const unsigned char *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) i++;
    return i < n && p[i] == '{'; /* a tokenizer.json is an object; other JSON is no tokenizer */
}

/* A SentencePiece ModelProto starts with its first piece (field 1, bytes), whose own first field is
 * the piece string (field 1, bytes): 0x0A <varint length> 0x0A. Text that starts with a newline
 * (0x0A) fails the second check. */
static int looks_like_spm(const unsigned char *p, size_t n)
{
    size_t i = 1;
    if (n < 3 || p[0] != 0x0A) return 0;
    while (i < n && i < 11 && (p[i] & 0x80)) i++;
    return i + 1 < n && p[i + 1] == 0x0A;
}

/* Finish a creation: the loader's status, then the derived tables. */
static mn_status finish_create(mn_tokenizer **out, mn_tokenizer *t, int rc, char *em, size_t emc)
{
    if (!rc) rc = mn_tok_finish(t);
    if (rc) {
        if (em && emc) snprintf(em, emc, "%s", t->err.msg[0] ? t->err.msg : mn_status_message(rc));
        mn_tokenizer_free(t);
        return (mn_status)rc;
    }
    mn_err_clear(&t->err);
    *out = t;
    return MN_OK;
}

static mn_status create_common(mn_tokenizer **out, const unsigned char *p, size_t n, int kind, char *em, size_t emc)
{
    if (!out || (!p && n)) return MN_E_INVALID_ARG;
    *out = NULL;
    mn_tokenizer *t = mn_tok_alloc();
    if (!t) { if (em && emc) snprintf(em, emc, "out of memory"); return MN_E_NOMEM; }
    if (kind == 0) kind = looks_like_json(p, n) ? 1 : looks_like_spm(p, n) ? 2 : 3;
    if (kind == 3) {
        mn_tokenizer_free(t);
        if (em && emc)
            snprintf(em, emc, "unrecognised tokenizer file (expected a tokenizer.json, a GGUF or a SentencePiece .model%s)",
                     n >= 8 && p[1] == 0 && p[2] == 0 && p[3] == 0 && p[4] == 0 ? "; a llama2.c tokenizer.bin goes into a GGUF with minnow convert" : "");
        return MN_E_UNSUPPORTED;
    }
    int rc = kind == 1 ? mn_tok_load_hf(t, (const char *)p, n) : mn_tok_load_spm(t, p, n);
    return finish_create(out, t, rc, em, emc);
}

mn_status mn_tokenizer_create_memory(mn_tokenizer **out, const void *data, size_t n, char *em, size_t emc)
{
    if (!out || (!data && n)) return MN_E_INVALID_ARG;
    *out = NULL;
    if (n >= 4 && !memcmp(data, "GGUF", 4)) {
        mn_gguf *g = NULL;
        mn_status st = mn_gguf_open_memory(&g, data, n, MN_GGUF_ALLOW_UNSUPPORTED, em, emc);
        if (st) return st;
        st = mn_tokenizer_create_gguf(out, g, em, emc);
        mn_gguf_free(g);
        return st;
    }
    return create_common(out, data, n, 0, em, emc);
}

mn_status mn_tokenizer_create_gguf(mn_tokenizer **out, mn_gguf *g, char *em, size_t emc)
{
    if (!out || !g) return MN_E_INVALID_ARG;
    *out = NULL;
    mn_tokenizer *t = mn_tok_alloc();
    if (!t) { if (em && emc) snprintf(em, emc, "out of memory"); return MN_E_NOMEM; }
    return finish_create(out, t, mn_tok_load_gguf(t, g), em, emc);
}

mn_status mn_tokenizer_create_hf(mn_tokenizer **out, const void *json, size_t n, char *em, size_t emc)
{
    return create_common(out, json, n, 1, em, emc);
}

mn_status mn_tokenizer_create_file(mn_tokenizer **out, const char *path, char *em, size_t emc)
{
    if (!out || !path) return MN_E_INVALID_ARG;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) { if (em && emc) snprintf(em, emc, "cannot open %s: %s", path, strerror(errno)); return MN_E_IO; }
    /* GGUF: opened by the GGUF reader (mapped, not read whole: it may be a model) */
    char magic[4];
    if (fread(magic, 1, 4, f) == 4 && !memcmp(magic, "GGUF", 4)) {
        fclose(f);
        mn_gguf *g = NULL;
        mn_status st = mn_gguf_open_file(&g, path, MN_GGUF_ALLOW_UNSUPPORTED, em, emc);
        if (st) return st;
        st = mn_tokenizer_create_gguf(out, g, em, emc);
        mn_gguf_free(g);
        return st;
    }
    rewind(f);
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    int rc = MN_OK;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) { if (ferror(f)) rc = MN_E_IO; break; }
        if (cap > SIZE_MAX / 2) { rc = MN_E_NOMEM; break; }
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) { rc = MN_E_NOMEM; break; }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf) rc = MN_E_NOMEM;
    if (rc) {
        free(buf);
        if (em && emc) snprintf(em, emc, "cannot read %s", path);
        return (mn_status)rc;
    }
    mn_status st = create_common(out, buf, n, 0, em, emc);
    free(buf);
    return st;
}
