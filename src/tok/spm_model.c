/* spm_model.c - SentencePiece .model (a ModelProto in protobuf wire format)
 * into the neutral description, encoding as the sentencepiece library does.
 *
 * Contract and traps:
 *  - The protobuf reader never trusts the input: every varint is at most 10
 *    bytes, every length is checked against the end, groups (wire types 3/4)
 *    and unknown wire types are MN_E_CORRUPT. Unknown fields are skipped.
 *  - Read: pieces (text, score, type), trainer_spec.model_type (UNIGRAM or
 *    BPE; WORD and CHAR are MN_E_UNSUPPORTED), byte_fallback,
 *    treat_whitespace_as_suffix, normalizer_spec (precompiled_charsmap,
 *    add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces, with the
 *    proto defaults: true, true, true).
 *  - Encoding is the library's Encode: its normalizer (MN_NORM_STEP_SPM),
 *    then BPE merges by score over NORMAL/USER_DEFINED/UNUSED pieces with
 *    user-defined pieces frozen, or the Unigram Viterbi; unknown pieces are
 *    fused (or byte tokens with byte_fallback). A BPE model with UNUSED
 *    pieces is refused (the library re-splits them through a history this
 *    engine does not keep).
 *  - CONTROL and UNKNOWN pieces are special added tokens: the library never
 *    matches them in text, and neither does minnow without
 *    MN_TOK_PARSE_SPECIAL. MN_TOK_ADD_SPECIAL adds BOS for BPE models and EOS
 *    for Unigram models (llama.cpp's convention for SPM and T5 vocabularies;
 *    the library adds nothing unless asked).
 */
#include "tok/tok_internal.h"
#include "core/alloc.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb { const unsigned char *p, *end; } pb;

/* @return 0 and *v, or -1 (truncated or longer than 10 bytes). */
static int pb_varint(pb *b, uint64_t *v)
{
    uint64_t r = 0;
    for (int i = 0; i < 10; i++) {
        if (b->p >= b->end) return -1;
        unsigned c = *b->p++;
        r |= (uint64_t)(c & 0x7F) << (7 * i);
        if (!(c & 0x80)) { *v = r; return 0; }
    }
    return -1;
}

/* One field: *field, *wire; for wire 2, (*data, *len); for 0, *v; for 1/5 *v holds the raw bits. */
static int pb_field(pb *b, uint32_t *field, int *wire, uint64_t *v, const unsigned char **data, size_t *len)
{
    uint64_t key;
    if (pb_varint(b, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) return -1;
    *field = (uint32_t)(key >> 3);
    *wire = (int)(key & 7);
    switch (*wire) {
    case 0: return pb_varint(b, v);
    case 1:
        if (b->end - b->p < 8) return -1;
        *v = 0;
        for (int i = 7; i >= 0; i--) *v = (*v << 8) | b->p[i];
        b->p += 8;
        return 0;
    case 5:
        if (b->end - b->p < 4) return -1;
        *v = (uint64_t)b->p[0] | (uint64_t)b->p[1] << 8 | (uint64_t)b->p[2] << 16 | (uint64_t)b->p[3] << 24;
        b->p += 4;
        return 0;
    case 2: {
        uint64_t l;
        if (pb_varint(b, &l) || l > (uint64_t)(b->end - b->p)) return -1;
        *data = b->p;
        *len = (size_t)l;
        b->p += l;
        return 0;
    }
    default: return -1; /* groups and reserved wire types */
    }
}

typedef struct piece { const char *s; size_t n; float score; int type; } piece;

typedef struct spm_desc {
    piece *pieces;
    size_t n, cap;
    int model_type;           /* 1 unigram (default), 2 bpe, 3 word, 4 char */
    int byte_fallback, ws_suffix;
    int dummy, rm_ws, escape; /* normalizer flags, proto defaults true */
    const unsigned char *charsmap;
    size_t charsmap_n;
} spm_desc;

static int corrupt(mn_tokenizer *t, const char *what)
{
    return mn_err_set(&t->err, MN_E_CORRUPT, "SentencePiece model: %s", what);
}

static int parse(mn_tokenizer *t, const unsigned char *buf, size_t n, spm_desc *d)
{
    pb b = {buf, buf + n};
    while (b.p < b.end) {
        uint32_t f;
        int w;
        uint64_t v = 0;
        const unsigned char *data = NULL;
        size_t len = 0;
        if (pb_field(&b, &f, &w, &v, &data, &len)) return corrupt(t, "malformed protobuf");
        if (f == 1 && w == 2) { /* SentencePiece */
            if (d->n == d->cap) {
                size_t nc = d->cap ? d->cap * 2 : 1024;
                piece *np = mn_calloc_array(nc, sizeof *np);
                if (!np) return mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
                if (d->n) memcpy(np, d->pieces, d->n * sizeof *np);
                free(d->pieces);
                d->pieces = np;
                d->cap = nc;
            }
            piece *p = &d->pieces[d->n++];
            p->type = MN_TT_NORMAL;
            pb s = {data, data + len};
            while (s.p < s.end) {
                const unsigned char *sd = NULL;
                size_t sl = 0;
                if (pb_field(&s, &f, &w, &v, &sd, &sl)) return corrupt(t, "malformed piece");
                if (f == 1 && w == 2) { p->s = (const char *)sd; p->n = sl; }
                else if (f == 2 && w == 5) { uint32_t u = (uint32_t)v; memcpy(&p->score, &u, 4); }
                else if (f == 3 && w == 0) p->type = (int)v;
            }
            if (!p->s) return corrupt(t, "piece without text");
            if (p->type < MN_TT_NORMAL || p->type > MN_TT_BYTE) return corrupt(t, "unknown piece type");
        } else if (f == 2 && w == 2) { /* TrainerSpec */
            pb s = {data, data + len};
            while (s.p < s.end) {
                const unsigned char *sd;
                size_t sl;
                if (pb_field(&s, &f, &w, &v, &sd, &sl)) return corrupt(t, "malformed trainer_spec");
                if (w != 0) continue;
                if (f == 3) d->model_type = (int)v;
                else if (f == 24) d->ws_suffix = v != 0;
                else if (f == 35) d->byte_fallback = v != 0;
            }
        } else if (f == 3 && w == 2) { /* NormalizerSpec */
            pb s = {data, data + len};
            while (s.p < s.end) {
                const unsigned char *sd = NULL;
                size_t sl = 0;
                if (pb_field(&s, &f, &w, &v, &sd, &sl)) return corrupt(t, "malformed normalizer_spec");
                if (f == 2 && w == 2) { d->charsmap = sd; d->charsmap_n = sl; }
                else if (f == 3 && w == 0) d->dummy = v != 0;
                else if (f == 4 && w == 0) d->rm_ws = v != 0;
                else if (f == 5 && w == 0) d->escape = v != 0;
            }
        }
    }
    if (!d->n) return corrupt(t, "no pieces");
    if (d->n > (size_t)INT32_MAX) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "SentencePiece model: too many pieces");
    return MN_OK;
}

static int build(mn_tokenizer *t, spm_desc *d)
{
    size_t n = d->n;
    int rc = MN_OK;
    if (d->model_type != 1 && d->model_type != 2)
        return mn_err_set(&t->err, MN_E_UNSUPPORTED, "SentencePiece model: model_type %d (only UNIGRAM and BPE)", d->model_type);
    int32_t *ids = mn_calloc_array(n, sizeof *ids);
    const char **strs = mn_calloc_array(n, sizeof *strs);
    size_t *lens = mn_calloc_array(n, sizeof *lens);
    t->tok_type = mn_calloc_array(n, 1);
    t->scores = mn_calloc_array(n, sizeof *t->scores);
    uint8_t *mergeable = mn_calloc_array(n, 1);
    if (!ids || !strs || !lens || !t->tok_type || !t->scores || !mergeable) { rc = mn_err_set(&t->err, MN_E_NOMEM, "out of memory"); goto done; }
    int32_t unk = -1, bos = -1, eos = -1;
    for (size_t i = 0; i < n; i++) {
        const piece *p = &d->pieces[i];
        if (!mn_utf8_valid((const unsigned char *)p->s, p->n) || p->n == 0) { rc = corrupt(t, "a piece is empty or not UTF-8"); goto done; }
        if (p->type == MN_TT_UNUSED && d->model_type == 2) {
            rc = mn_err_set(&t->err, MN_E_UNSUPPORTED, "SentencePiece model: UNUSED pieces in a BPE model");
            goto done;
        }
        ids[i] = (int32_t)i;
        strs[i] = p->s;
        lens[i] = p->n;
        t->tok_type[i] = (uint8_t)p->type;
        t->scores[i] = p->score;
        mergeable[i] = p->type == MN_TT_NORMAL || p->type == MN_TT_USER_DEFINED || p->type == MN_TT_UNUSED;
        if (p->type == MN_TT_UNKNOWN && unk < 0) unk = (int32_t)i;
        if (p->type == MN_TT_CONTROL && p->n == 3 && !memcmp(p->s, "<s>", 3)) bos = (int32_t)i;
        if (p->type == MN_TT_CONTROL && p->n == 4 && !memcmp(p->s, "</s>", 4)) eos = (int32_t)i;
    }
    if (unk < 0) { rc = corrupt(t, "no UNKNOWN piece"); goto done; }
    t->model = d->model_type == 2 ? MN_TOKM_BPE : MN_TOKM_UNIGRAM;
    if ((rc = mn_tok_set_vocab(t, n, ids, strs, lens))) goto done; /* a duplicate piece is MN_E_CORRUPT */
    t->unk_id = unk;
    t->byte_fallback = d->byte_fallback;
    t->fuse_unk = 1;
    for (size_t i = 0; i < n; i++) {
        const piece *p = &d->pieces[i];
        unsigned v;
        if (p->type == MN_TT_BYTE && p->n == 6 && !memcmp(p->s, "<0x", 3) && p->s[5] == '>') {
            static const char hx[] = "0123456789ABCDEF";
            const char *a = strchr(hx, p->s[3]), *b = strchr(hx, p->s[4]);
            if (a && b && *a && *b) { v = (unsigned)((a - hx) * 16 + (b - hx)); if (t->byte_id[v] < 0) t->byte_id[v] = (int32_t)i; }
        }
        if (p->type == MN_TT_USER_DEFINED && mn_tok_trie_add(&t->trie_user, p->s, p->n, (int32_t)i)) { rc = MN_E_NOMEM; goto done; }
        if (p->type == MN_TT_CONTROL || p->type == MN_TT_UNKNOWN)
            if ((rc = mn_tok_add_added(t, (int32_t)i, p->s, p->n, 1, 0, 0, 0, 0))) goto done;
    }
    if (t->model == MN_TOKM_UNIGRAM) {
        t->uni_min = FLT_MAX;
        t->uni_max = FLT_MIN; /* sic: the library starts the maximum at the smallest positive float */
        for (size_t i = 0; i < n; i++) {
            const piece *p = &d->pieces[i];
            if (p->type == MN_TT_NORMAL) {
                if (p->score < t->uni_min) t->uni_min = p->score;
                if (p->score > t->uni_max) t->uni_max = p->score;
            }
            if (mergeable[i] && mn_tok_trie_add(&t->trie_pieces, p->s, p->n, (int32_t)i)) { rc = MN_E_NOMEM; goto done; }
        }
    } else if ((rc = mn_tok_score_merges(t, t->scores, mergeable))) {
        goto done;
    }
    /* the library's normalizer, then the decoder of HF's SentencePiece conversions */
    t->spm_dummy = d->dummy;
    t->spm_rm_ws = d->rm_ws;
    t->spm_escape = d->escape;
    t->spm_ws_suffix = d->ws_suffix;
    if ((rc = mn_tok_spm_set_charsmap(t, d->charsmap, d->charsmap_n))) goto done;
    if ((rc = mn_tok_add_norm(t, MN_NORM_STEP_SPM, NULL, 0, NULL, 0))) goto done;
    if (d->escape && (rc = mn_tok_add_dec(t, MN_DEC_REPLACE, "\xE2\x96\x81", 3, " ", 1, 0, 0))) goto done;
    if ((rc = mn_tok_add_dec(t, MN_DEC_BYTE_FALLBACK, NULL, 0, NULL, 0, 0, 0)) ||
        (rc = mn_tok_add_dec(t, MN_DEC_FUSE, NULL, 0, NULL, 0, 0, 0)))
        goto done;
    if (d->dummy && !d->ws_suffix && (rc = mn_tok_add_dec(t, MN_DEC_STRIP, " ", 1, NULL, 0, 1, 0))) goto done;
    if (t->model == MN_TOKM_BPE && bos >= 0) t->prefix[t->n_prefix++] = bos;
    if (t->model == MN_TOKM_UNIGRAM && eos >= 0) t->suffix[t->n_suffix++] = eos;
done:
    free(ids);
    free(strs);
    free(lens);
    free(mergeable);
    if (rc == MN_E_NOMEM && !t->err.msg[0]) mn_err_set(&t->err, MN_E_NOMEM, "out of memory");
    return rc;
}

int mn_tok_load_spm(mn_tokenizer *t, const unsigned char *buf, size_t n)
{
    spm_desc d;
    memset(&d, 0, sizeof d);
    d.model_type = 1;
    d.dummy = d.rm_ws = d.escape = 1;
    int rc = parse(t, buf, n, &d);
    if (!rc) rc = build(t, &d);
    free(d.pieces);
    return rc;
}
