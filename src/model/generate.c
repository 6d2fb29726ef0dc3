/*
 * generate.c - step-wise generation: prompt -> tokens -> evaluate, then one
 * sampled token per mn_gen_next(), its text streamed out.
 *
 * Contract, in the order that bites:
 *  - The generated text is what the tokenizer's decode appends to the
 *    prompt: the stream is primed with the prompt's tokens (their text is
 *    dropped), so a generated "▁there" after "Once upon a time" comes out as
 *    " there", and the first token after a bare BOS has no leading space
 *    (SentencePiece decoders strip it), exactly as decode(all ids) would.
 *  - Pieces never split a UTF-8 character (mn_tok_stream holds partial ones
 *    back), and text that could still grow into a stop string is held back
 *    until it cannot. A matched stop string ends generation and is not part
 *    of the text. End-of-generation tokens are not part of the text either.
 *  - mn_gen_begin() reuses the KV cache for the longest common prefix of the
 *    previous tokens and the new prompt (the logits of a position depend only
 *    on the tokens before it, so this changes no bit of the result).
 *  - A sampled token is evaluated at once (unless it ends generation), so
 *    the next call only samples; the time is in decode_ms.
 */
#include "model/model_internal.h"
#include "core/alloc.h"
#include <stdlib.h>
#include <string.h>

void mn_gen_params_default(mn_gen_params *p)
{
    if (!p) return;
    memset(p, 0, sizeof *p);
    mn_sampler_params_default(&p->sampler);
    p->max_tokens = 128;
    p->tok_flags = MN_TOK_ADD_SPECIAL;
    p->stop = NULL;
    p->n_stop = 0;
}

void mn_gen_reset(mn_ctx *c)
{
    mn_gen_state *g = &c->gen;
    for (size_t i = 0; i < g->n_stop; i++) free(g->stop[i]);
    free(g->stop);
    free(g->stop_len);
    mn_tok_stream_free(g->stream);
    free(g->pending);
    memset(g, 0, sizeof *g);
    g->next_token = -1;
}

size_t mn_gen_piece_bound(const mn_ctx *c)
{
    if (!c) return 0;
    return 64 + c->m->max_token_bytes + c->gen.stop_max;
}

void mn_gen_stats_get(const mn_ctx *c, mn_gen_stats *out)
{
    if (!out) return;
    if (!c) { memset(out, 0, sizeof *out); return; }
    *out = c->gen.stats;
}

static mn_status pending_add(mn_ctx *c, const char *s, size_t n)
{
    mn_gen_state *g = &c->gen;
    if (g->pending_len + n > g->pending_cap) {
        size_t cap = g->pending_cap ? g->pending_cap : 256;
        while (cap < g->pending_len + n) cap *= 2;
        char *p = realloc(g->pending, cap);
        if (!p) return MN_E_NOMEM;
        g->pending = p;
        g->pending_cap = cap;
    }
    memcpy(g->pending + g->pending_len, s, n);
    g->pending_len += n;
    return MN_OK;
}

/* Push one token through the stream into pending. */
static mn_status stream_token(mn_ctx *c, int32_t id, char *buf, size_t cap)
{
    if (!c->gen.stream) return MN_OK; /* no tokenizer: tokens only */
    size_t r = mn_tok_stream_push(c->gen.stream, id, buf, cap);
    if (mn_is_error(r)) return mn_error_code(r);
    return pending_add(c, buf, r);
}

static mn_status copy_stops(mn_gen_state *g, const mn_gen_params *params)
{
    if (!params->n_stop) return MN_OK;
    g->stop = mn_calloc_array(params->n_stop, sizeof(char *));
    g->stop_len = mn_calloc_array(params->n_stop, sizeof(size_t));
    if (!g->stop || !g->stop_len) return MN_E_NOMEM;
    for (size_t i = 0; i < params->n_stop; i++) {
        if (!params->stop[i] || !params->stop[i][0]) continue;
        size_t n = strlen(params->stop[i]);
        char *s = malloc(n + 1);
        if (!s) return MN_E_NOMEM;
        memcpy(s, params->stop[i], n + 1);
        g->stop[g->n_stop] = s;
        g->stop_len[g->n_stop++] = n;
        if (n > g->stop_max) g->stop_max = n;
    }
    return MN_OK;
}

static mn_status begin(mn_ctx *c, const int32_t *ids, size_t n, const mn_gen_params *params)
{
    mn_gen_state *g = &c->gen;
    mn_gen_params dp;
    if (!params) { mn_gen_params_default(&dp); params = &dp; }
    if (params->n_stop && !params->stop) return mn_err_set(&c->err, MN_E_INVALID_ARG, "stop is NULL");
    mn_status st = mn_sampler_params_check(&params->sampler, &c->err);
    if (st != MN_OK) return st;
    g->params = *params;
    g->params.stop = NULL;
    g->params.n_stop = 0;
    if (copy_stops(g, params) != MN_OK) goto nomem;
    if (n == 0) return mn_err_set(&c->err, MN_E_INVALID_ARG, "empty prompt");
    if (n > c->n_ctx)
        return mn_err_set(&c->err, MN_E_CTX_FULL, "the prompt (%zu tokens) does not fit n_ctx %zu", n, c->n_ctx);
    size_t nv = c->m->hp.n_vocab;
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= nv)
            return mn_err_set(&c->err, MN_E_TOK_INVALID_ID, "prompt token %d outside the vocabulary", (int)ids[i]);

    /* reuse the common prefix of the cache; evaluate the rest (at least the last token) */
    size_t common = 0;
    while (common < c->pos && common < n && c->tokens[common] == ids[common]) common++;
    if (common == n) common = n - 1;
    mn_ctx_truncate(c, common);
    double t0 = mn_now_ms();
    st = mn_ctx_eval(c, ids + common, n - common);
    g->stats.prompt_ms = mn_now_ms() - t0;
    g->stats.prompt_tokens = (uint32_t)n;
    if (st != MN_OK) return st;

    /* prime the text stream with the prompt */
    if (mn_ctx_tokenizer(c)) {
        st = mn_tok_stream_create(&g->stream, c->tok, MN_TOK_SKIP_SPECIAL);
        if (st != MN_OK) return mn_err_set(&c->err, st, "cannot create the text stream");
        size_t piece_cap = 64 + c->m->max_token_bytes;
        char *piece = malloc(piece_cap);
        if (!piece) goto nomem;
        for (size_t i = 0; i < n && st == MN_OK; i++) {
            size_t r = mn_tok_stream_push(g->stream, ids[i], piece, piece_cap);
            if (mn_is_error(r)) st = mn_error_code(r);
        }
        free(piece);
        if (st != MN_OK) return mn_err_set(&c->err, st, "decoding the prompt");
    }
    mn_rng_seed(&c->rng, params->sampler.seed);
    g->active = 1;
    return MN_OK;
nomem:
    return mn_err_set(&c->err, MN_E_NOMEM, "out of memory");
}

mn_status mn_gen_begin_tokens(mn_ctx *c, const int32_t *tokens, size_t n, const mn_gen_params *params)
{
    if (!c) return MN_E_INVALID_ARG;
    mn_err_clear(&c->err);
    mn_gen_reset(c);
    if (!tokens && n) return mn_err_set(&c->err, MN_E_INVALID_ARG, "tokens is NULL");
    mn_status st = begin(c, tokens, n, params);
    if (st != MN_OK) mn_gen_reset(c);
    return st;
}

mn_status mn_gen_begin(mn_ctx *c, const void *prompt, size_t promptSize, const mn_gen_params *params)
{
    if (!c) return MN_E_INVALID_ARG;
    mn_err_clear(&c->err);
    mn_gen_reset(c);
    if (!prompt && promptSize) return mn_err_set(&c->err, MN_E_INVALID_ARG, "prompt is NULL");
    if (!mn_ctx_tokenizer(c))
        return mn_err_set(&c->err, MN_E_STATE, c->m->tok ? "cannot create the tokenizer: %s" : "the model has no tokenizer (tokenizer.ggml.*)%s",
                          c->m->tok ? c->err.msg : "");
    unsigned flags = params ? params->tok_flags : MN_TOK_ADD_SPECIAL;
    size_t bound = mn_tokenizer_encode_bound(c->tok, promptSize);
    if (mn_is_error(bound)) return mn_err_set(&c->err, mn_error_code(bound), "prompt too long");
    int32_t *ids = mn_calloc_array(bound + 1, sizeof(int32_t));
    if (!ids) return mn_err_set(&c->err, MN_E_NOMEM, "out of memory");
    size_t n = mn_tokenizer_encode(c->tok, ids, bound + 1, prompt, promptSize, flags);
    if (mn_is_error(n)) {
        free(ids);
        return mn_err_set(&c->err, mn_error_code(n), "tokenizing the prompt: %s", mn_tokenizer_error(c->tok));
    }
    if (n == 0) {
        if (c->m->bos < 0) {
            free(ids);
            return mn_err_set(&c->err, MN_E_INVALID_ARG, "empty prompt and the model has no BOS token");
        }
        ids[n++] = c->m->bos;
    }
    mn_status st = begin(c, ids, n, params);
    free(ids);
    if (st != MN_OK) mn_gen_reset(c);
    return st;
}

/* Scan pending for the stop strings: *at = start of the earliest full match
 * (SIZE_MAX if none); @return how many bytes may be handed out (everything
 * before the first place where a stop string could still begin). */
static size_t stop_scan(const mn_gen_state *g, size_t *at)
{
    size_t len = g->pending_len, safe = len;
    *at = SIZE_MAX;
    for (size_t i = 0; i < len; i++) {
        for (size_t s = 0; s < g->n_stop; s++) {
            size_t sl = g->stop_len[s], avail = len - i;
            if (sl <= avail) {
                if (!memcmp(g->pending + i, g->stop[s], sl)) { *at = i; return i; }
            } else if (safe == len && !memcmp(g->pending + i, g->stop[s], avail)) {
                safe = i;
            }
        }
    }
    return safe;
}

static void take(mn_gen_state *g, size_t n, char *dst, size_t *len)
{
    *len = n;
    if (!g->pending) return; /* nothing was ever pending (no tokenizer, or no text yet) */
    memcpy(dst, g->pending, n);
    memmove(g->pending, g->pending + n, g->pending_len - n);
    g->pending_len -= n;
}

/* End generation: flush the stream, apply the stops one last time, hand out the rest. */
static mn_status finish(mn_ctx *c, mn_gen_end reason, char *dst, size_t dstCapacity, size_t *len, mn_gen_end *end)
{
    mn_gen_state *g = &c->gen;
    char buf[64];
    size_t r = g->stream ? mn_tok_stream_flush(g->stream, buf, sizeof buf) : 0;
    if (!mn_is_error(r) && r) {
        mn_status st = pending_add(c, buf, r);
        if (st != MN_OK) return mn_err_set(&c->err, st, "out of memory");
    }
    size_t at;
    stop_scan(g, &at);
    size_t n = g->pending_len;
    if (at != SIZE_MAX) { n = at; reason = MN_GEN_END_STOP; }
    if (n > dstCapacity) return mn_err_set(&c->err, MN_E_DST_TOO_SMALL, "piece needs %zu bytes", n);
    take(g, n, dst, len);
    g->pending_len = 0;
    g->ended = 1;
    *end = reason;
    return MN_OK;
}

mn_status mn_gen_next(mn_ctx *c, char *dst, size_t dstCapacity, size_t *len, int32_t *token, mn_gen_end *end)
{
    mn_gen_end end_dummy;
    size_t len_dummy;
    int32_t tok_dummy;
    if (!len) len = &len_dummy;
    if (!token) token = &tok_dummy;
    if (!end) end = &end_dummy;
    *len = 0;
    *token = -1;
    *end = MN_GEN_RUNNING;
    if (!c) return MN_E_INVALID_ARG;
    mn_gen_state *g = &c->gen;
    if (!g->active || g->ended) return mn_err_set(&c->err, MN_E_STATE, g->ended ? "generation has ended" : "no mn_gen_begin()");
    if (!dst || dstCapacity < mn_gen_piece_bound(c))
        return mn_err_set(&c->err, MN_E_DST_TOO_SMALL, "dstCapacity below mn_gen_piece_bound() = %zu",
                          mn_gen_piece_bound(c));
    if (!c->have_logits) return mn_err_set(&c->err, MN_E_STATE, "no logits to sample from");

    const mn_model *m = c->m;
    int32_t id = mn_sample(&g->params.sampler, &c->rng, c->logits, m->hp.n_vocab, c->tokens, c->pos, &c->ss);
    *token = id;
    g->generated++;
    g->stats.generated_tokens = g->generated;
    if (mn_model_is_eog(m, id)) return finish(c, MN_GEN_END_EOS, dst, dstCapacity, len, end);

    mn_status st = stream_token(c, id, dst, dstCapacity);
    if (st != MN_OK) return mn_err_set(&c->err, st, "decoding token %d", (int)id);
    size_t at, safe = stop_scan(g, &at);
    if (at != SIZE_MAX) return finish(c, MN_GEN_END_STOP, dst, dstCapacity, len, end);
    if (g->params.max_tokens && g->generated >= g->params.max_tokens)
        return finish(c, MN_GEN_END_MAX_TOKENS, dst, dstCapacity, len, end);
    if (c->pos >= c->n_ctx) return finish(c, MN_GEN_END_CTX_FULL, dst, dstCapacity, len, end);

    double t0 = mn_now_ms();
    st = mn_ctx_eval(c, &id, 1);
    g->stats.decode_ms += mn_now_ms() - t0;
    if (st != MN_OK) return st;
    take(g, safe, dst, len);
    return MN_OK;
}

mn_status mn_generate(mn_ctx *c, const void *prompt, size_t promptSize, const mn_gen_params *params,
                      mn_gen_callback cb, void *user, mn_gen_end *end)
{
    mn_gen_end e = MN_GEN_RUNNING;
    if (end) *end = MN_GEN_RUNNING;
    mn_status st = mn_gen_begin(c, prompt, promptSize, params);
    if (st != MN_OK) return st;
    size_t cap = mn_gen_piece_bound(c);
    char *buf = malloc(cap);
    if (!buf) return mn_err_set(&c->err, MN_E_NOMEM, "out of memory");
    while (e == MN_GEN_RUNNING) {
        size_t n;
        int32_t tok;
        st = mn_gen_next(c, buf, cap, &n, &tok, &e);
        if (st != MN_OK) break;
        if (cb && (n || e == MN_GEN_RUNNING) && cb(user, buf, n, tok)) { e = MN_GEN_RUNNING; break; }
    }
    free(buf);
    if (end) *end = e;
    return st;
}
