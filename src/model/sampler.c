/*
 * sampler.c - token sampling with a seeded RNG of minnow's own.
 *
 * Contract, in the order that bites:
 *  - Same seed, same logits -> same token on every target: the RNG is
 *    xoshiro256** seeded through splitmix64 (integer only), probabilities
 *    use mn_expf/mn_logf, every sum runs in one fixed order, and candidate
 *    order is total (logit descending, then id ascending), so no sort's
 *    instability can leak into the result.
 *  - Order of application (llama.cpp's default chain): penalties
 *    (repetition, frequency, presence over the last penalty_last_n tokens)
 *    -> top-k -> top-p -> min-p -> temperature -> draw. temperature <= 0 is
 *    greedy: argmax after the penalties, ties to the lowest id.
 *  - Semantics as llama.cpp: repetition divides positive logits and
 *    multiplies negative ones; frequency subtracts count * f, presence
 *    subtracts p once; top-p keeps the smallest prefix whose probability
 *    reaches p (at least one token); min-p keeps logits >= max + log(min_p).
 *  - penalty_last_n: 0 disables the penalties, -1 means the whole history.
 *  - Parameters are range-checked before use (mn_sampler_params_check, from
 *    mn_ctx_sample and mn_gen_begin*): a NaN, an infinity, a negative
 *    temperature, top_p or min_p outside [0, 1] or a repeat penalty <= 0 is
 *    MN_E_INVALID_ARG naming the parameter, never a silently odd result
 *    (dividing logits by a penalty of 0 gave "iii...").
 */
#include "model/model_internal.h"
#include "core/mathf.h"
#include <math.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- RNG */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void mn_rng_seed(mn_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t mn_rng_next(mn_rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double mn_rng_uniform(mn_rng *r) { return (double)(mn_rng_next(r) >> 11) * 0x1p-53; }

void mn_sampler_params_default(mn_sampler_params *p)
{
    if (!p) return;
    p->temperature = 0.8f;
    p->top_k = 40;
    p->top_p = 0.95f;
    p->min_p = 0.05f;
    p->repeat_penalty = 1.0f;
    p->presence_penalty = 0.0f;
    p->frequency_penalty = 0.0f;
    p->penalty_last_n = 64;
    p->seed = 0;
}

static int finite(float v) { return v == v && v - v == 0.0f; } /* not NaN, not +-inf */

mn_status mn_sampler_params_check(const mn_sampler_params *p, mn_err *err)
{
    if (!finite(p->temperature) || p->temperature < 0.0f)
        return mn_err_set(err, MN_E_INVALID_ARG, "temperature %g: must be finite and >= 0 (0: greedy)", (double)p->temperature);
    if (p->top_k < 0) return mn_err_set(err, MN_E_INVALID_ARG, "top_k %d: must be >= 0 (0: off)", (int)p->top_k);
    if (!(p->top_p >= 0.0f && p->top_p <= 1.0f))
        return mn_err_set(err, MN_E_INVALID_ARG, "top_p %g: must be in [0, 1] (1: off)", (double)p->top_p);
    if (!(p->min_p >= 0.0f && p->min_p <= 1.0f))
        return mn_err_set(err, MN_E_INVALID_ARG, "min_p %g: must be in [0, 1] (0: off)", (double)p->min_p);
    if (!finite(p->repeat_penalty) || !(p->repeat_penalty > 0.0f))
        return mn_err_set(err, MN_E_INVALID_ARG, "repeat_penalty %g: must be finite and > 0 (1: off)", (double)p->repeat_penalty);
    if (!finite(p->presence_penalty))
        return mn_err_set(err, MN_E_INVALID_ARG, "presence_penalty %g: must be finite (0: off)", (double)p->presence_penalty);
    if (!finite(p->frequency_penalty))
        return mn_err_set(err, MN_E_INVALID_ARG, "frequency_penalty %g: must be finite (0: off)", (double)p->frequency_penalty);
    if (p->penalty_last_n < -1)
        return mn_err_set(err, MN_E_INVALID_ARG, "penalty_last_n %d: must be >= -1 (-1: the whole context, 0: off)", (int)p->penalty_last_n);
    return MN_OK;
}

/* ------------------------------------------------------------ ordering */
/* a comes before b: higher logit, then lower id (NaN logits sort last) */
static int before(const mn_cand *a, const mn_cand *b)
{
    if (a->logit > b->logit) return 1;
    if (a->logit < b->logit) return 0;
    if (a->logit != a->logit) return 0;
    if (b->logit != b->logit) return 1;
    return a->id < b->id;
}

static int cand_cmp(const void *pa, const void *pb)
{
    const mn_cand *a = pa, *b = pb;
    return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* Restore the heap below j: a parent comes "after" (is worse than or equal
 * to) its children, so c[0] is the worst of the k kept. */
static void sift_down(mn_cand *c, size_t k, size_t j)
{
    for (;;) {
        size_t l = 2 * j + 1, r = l + 1, w = j;
        if (l < k && before(&c[w], &c[l])) w = l;
        if (r < k && before(&c[w], &c[r])) w = r;
        if (w == j) return;
        mn_cand t = c[j]; c[j] = c[w]; c[w] = t;
        j = w;
    }
}

/* Move the k best of c[0..n) to c[0..k), sorted. */
static void top_k_select(mn_cand *c, size_t n, size_t k)
{
    for (size_t i = k; i-- > 0;) sift_down(c, k, i);
    for (size_t i = k; i < n; i++) {
        if (!before(&c[i], &c[0])) continue;
        c[0] = c[i];
        sift_down(c, k, 0);
    }
    qsort(c, k, sizeof *c, cand_cmp);
}

/* softmax of the (sorted) candidates into probs; returns their sum before
 * normalisation is not needed: probs sum to 1 in double order. */
static void softmax_sorted(const mn_cand *c, size_t n, float *probs)
{
    float mx = c[0].logit;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        probs[i] = mn_expf(c[i].logit - mx);
        sum += (double)probs[i];
    }
    float inv = (float)(1.0 / sum);
    for (size_t i = 0; i < n; i++) probs[i] = probs[i] * inv;
}

int32_t mn_sample(const mn_sampler_params *p, mn_rng *rng, const float *logits, size_t n_vocab,
                  const int32_t *hist, size_t n_hist, mn_sampler_scratch *s)
{
    mn_cand *c = s->cand;
    for (size_t i = 0; i < n_vocab; i++) { c[i].logit = logits[i]; c[i].id = (int32_t)i; }

    /* penalties */
    int penal = p->repeat_penalty != 1.0f || p->presence_penalty != 0.0f || p->frequency_penalty != 0.0f;
    if (penal && p->penalty_last_n != 0 && n_hist) {
        size_t last = p->penalty_last_n < 0 || (size_t)p->penalty_last_n > n_hist ? n_hist : (size_t)p->penalty_last_n;
        const int32_t *h = hist + (n_hist - last);
        for (size_t i = 0; i < last; i++)
            if (h[i] >= 0 && (size_t)h[i] < n_vocab) s->counts[h[i]]++;
        for (size_t i = 0; i < last; i++) {
            int32_t t = h[i];
            if (t < 0 || (size_t)t >= n_vocab || s->counts[t] == 0) continue;
            uint32_t cnt = s->counts[t];
            s->counts[t] = 0; /* each token once; also leaves counts zeroed */
            float l = c[t].logit;
            if (p->repeat_penalty != 1.0f) l = l <= 0 ? l * p->repeat_penalty : l / p->repeat_penalty;
            l = l - ((float)cnt * p->frequency_penalty + (cnt > 0 ? p->presence_penalty : 0.0f));
            c[t].logit = l;
        }
    }

    if (!(p->temperature > 0.0f)) {
        size_t best = 0;
        for (size_t i = 1; i < n_vocab; i++)
            if (before(&c[i], &c[best])) best = i;
        return c[best].id;
    }

    /* top-k (or a full sort) */
    size_t n = n_vocab;
    if (p->top_k > 0 && (size_t)p->top_k < n) {
        top_k_select(c, n, (size_t)p->top_k);
        n = (size_t)p->top_k;
    } else {
        qsort(c, n, sizeof *c, cand_cmp);
    }
    /* top-p on the untempered distribution */
    if (p->top_p < 1.0f && n > 1) {
        softmax_sorted(c, n, s->probs);
        double cum = 0.0;
        for (size_t i = 0; i < n; i++) {
            cum += (double)s->probs[i];
            if (cum >= (double)p->top_p) { n = i + 1; break; }
        }
    }
    /* min-p */
    if (p->min_p > 0.0f && n > 1) {
        float min_logit = c[0].logit + mn_logf(p->min_p);
        size_t i = 1;
        while (i < n && c[i].logit >= min_logit) i++;
        n = i;
    }
    /* temperature and draw */
    for (size_t i = 0; i < n; i++) c[i].logit = c[i].logit / p->temperature;
    softmax_sorted(c, n, s->probs);
    double r = mn_rng_uniform(rng), cum = 0.0;
    for (size_t i = 0; i < n; i++) {
        cum += (double)s->probs[i];
        if (r < cum) return c[i].id;
    }
    return c[n - 1].id;
}

/* ------------------------------------------------------------- public */
void mn_ctx_set_seed(mn_ctx *c, uint64_t seed)
{
    if (c) mn_rng_seed(&c->rng, seed);
}

mn_status mn_ctx_sample(mn_ctx *c, const mn_sampler_params *p, int32_t *token)
{
    mn_sampler_params d;
    if (!c || !token) return MN_E_INVALID_ARG;
    *token = -1;
    if (!c->have_logits) return mn_err_set(&c->err, MN_E_STATE, "no logits: evaluate a token first");
    if (!p) { mn_sampler_params_default(&d); p = &d; }
    mn_status st = mn_sampler_params_check(p, &c->err);
    if (st != MN_OK) return st;
    *token = mn_sample(p, &c->rng, c->logits, c->m->hp.n_vocab, c->tokens, c->pos, &c->ss);
    return MN_OK;
}
