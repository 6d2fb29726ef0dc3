/* Exports for the JS worker's use of the decoder (src/minnow_model.h): the
 * struct parameters as plain arguments, so JS mirrors no C struct layout,
 * and 64-bit values as doubles or as two unsigned 32-bit halves. */
#include "minnow.h"
#include "minnow_model.h"
#include "minnow_tok.h"
#include <emscripten/emscripten.h>
#include <stdint.h>

/* mn_ctx_create() with the context parameters as arguments (0: the default). */
EMSCRIPTEN_KEEPALIVE mn_status mn_wasm_ctx_create(mn_ctx **out, mn_model *m, uint32_t nCtx, uint32_t nBatch,
                                                  int32_t nThreads, char *err, size_t errCapacity)
{
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    if (nCtx) p.n_ctx = nCtx;
    if (nBatch) p.n_batch = nBatch;
    p.n_threads = nThreads;
    return mn_ctx_create(out, m, &p, err, errCapacity);
}

/* mn_model_weight_bytes() as a double. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_model_weight_bytes(const mn_model *m)
{
    return (double)mn_model_weight_bytes(m);
}

/* mn_gen_begin() (isIds 0: prompt is promptSize bytes of UTF-8) or
 * mn_gen_begin_tokens() (isIds 1: promptSize int32 token ids), with the
 * sampler and generation parameters as arguments; the 64-bit seed as two
 * unsigned halves. stop: nStop NUL-terminated strings. */
EMSCRIPTEN_KEEPALIVE mn_status mn_wasm_gen_begin(mn_ctx *c, const void *prompt, size_t promptSize, int isIds,
                                                 float temperature, int32_t topK, float topP, float minP,
                                                 float repeatPenalty, float presencePenalty,
                                                 float frequencyPenalty, int32_t penaltyLastN,
                                                 uint32_t seedLo, uint32_t seedHi, uint32_t maxTokens,
                                                 unsigned tokFlags, const char *const *stop, size_t nStop)
{
    mn_gen_params p;
    mn_gen_params_default(&p);
    p.sampler.temperature = temperature;
    p.sampler.top_k = topK;
    p.sampler.top_p = topP;
    p.sampler.min_p = minP;
    p.sampler.repeat_penalty = repeatPenalty;
    p.sampler.presence_penalty = presencePenalty;
    p.sampler.frequency_penalty = frequencyPenalty;
    p.sampler.penalty_last_n = penaltyLastN;
    p.sampler.seed = ((uint64_t)seedHi << 32) | seedLo;
    p.max_tokens = maxTokens;
    p.tok_flags = tokFlags;
    p.stop = stop;
    p.n_stop = nStop;
    return isIds ? mn_gen_begin_tokens(c, (const int32_t *)prompt, promptSize, &p)
                 : mn_gen_begin(c, prompt, promptSize, &p);
}

/* mn_gen_stats_get() as 4 doubles: prompt tokens, generated tokens, prompt ms, decode ms. */
EMSCRIPTEN_KEEPALIVE void mn_wasm_gen_stats(const mn_ctx *c, double *out)
{
    mn_gen_stats s;
    mn_gen_stats_get(c, &s);
    out[0] = s.prompt_tokens;
    out[1] = s.generated_tokens;
    out[2] = s.prompt_ms;
    out[3] = s.decode_ms;
}
