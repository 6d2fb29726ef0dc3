/*
 * minnow_model.h - decoder language models (llama family, qwen2, gpt2) from
 * GGUF: load, evaluate, sample, generate.
 *
 * Contract, in the order that bites:
 *  - Conventions of minnow.h: mn_status or zstd-style size_t results, caller-
 *    owned buffers, no global state, nothing aborts. Open/create failures
 *    have no handle: pass an optional (err, errCapacity) buffer.
 *  - An mn_model is immutable after loading (weights, hyper-parameters, the
 *    tokenizer description), and every function taking a const mn_model * may
 *    be called from several threads at once: several contexts, on several
 *    threads, may use one model. It must outlive its contexts.
 *  - An mn_ctx is one sequence: its KV cache, scratch, thread pool, sampler
 *    and tokenizer (mn_ctx_tokenizer()). One thread at a time per context,
 *    and that includes its tokenizer: a tokenizer keeps scratch.
 *  - Results are bit-identical on every target (native, wasm, WASI), for any
 *    thread count, and whether tokens are evaluated in one batch or one at a
 *    time: logits of position p depend only on the tokens 0..p.
 *  - The context never truncates silently: evaluating past n_ctx is
 *    MN_E_CTX_FULL and leaves the context unchanged; generation that reaches
 *    n_ctx ends with MN_GEN_END_CTX_FULL (a reported reason, not an error).
 *  - Memory is computed up front: mn_model_ctx_bytes() says what a context
 *    will allocate before mn_ctx_create() does it.
 *
 *  - Sampler parameters are range-checked (mn_gen_begin*, mn_ctx_sample):
 *    NaN, infinities and values outside the ranges of mn_sampler_params are
 *    MN_E_INVALID_ARG with a message naming the parameter.
 *
 * Changes to the first draft: additive - mn_ctx_sample, mn_ctx_set_seed,
 * mn_gen_begin_tokens, mn_model_bos, mn_model_eos, mn_model_add_bos,
 * mn_model_token_is_eog; mn_gen_piece_bound counts the stop strings; n_ctx 0
 * is the training length capped at 4096. Not additive (0.1 review):
 * mn_model_tokenizer() is gone (one tokenizer shared by every thread was a
 * data race; use mn_ctx_tokenizer()); *end of mn_gen_next()/mn_generate() is
 * an mn_gen_end (was int, same size); negative temperature, negative top_k
 * and penalty_last_n < -1 are refused (were greedy / off / whole history).
 * Details: docs/model.md.
 */
#ifndef MINNOW_MODEL_H
#define MINNOW_MODEL_H
#include "minnow.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_model mn_model;
typedef struct mn_ctx mn_ctx;
/* Declared again here (C11 allows repeating a typedef) because minnow.h
 * includes the area headers in a fixed order. */
typedef struct mn_gguf mn_gguf;
typedef struct mn_tokenizer mn_tokenizer;

/* ------------------------------------------------------------------ model */
/* Load flags (OR them). */
#define MN_MODEL_NO_MMAP 1u /* read the file into memory even where mmap exists */
/* Weight layouts. Where the model's weights are bytes it owns (read into
 * memory, or a chunked loader's buffer: every wasm load; not an mmap'ed file
 * or a borrowed mn_gguf_open_memory() buffer), the load may rearrange Q4_0
 * weight matrices in place for this target's kernels (Q4_0_R4: same size,
 * same results bit for bit; see docs/kernels.md). It does by default where
 * that is faster (wasm, NEON); mn_model_repacked_bytes() says how much. */
#define MN_MODEL_NO_REPACK 2u /* keep every weight in the file's layout */
#define MN_MODEL_REPACK 4u    /* rearrange even where it is not faster (x86: tests,
                                 benchmarks); mn_model_load_file() then reads the
                                 file into memory (as MN_MODEL_NO_MMAP) */

/**
 * Load a decoder model from a GGUF file (mmap'ed natively).
 * Architectures: "llama" (Llama 2/3, TinyLlama, SmolLM, Mistral without
 * sliding window), "qwen2", "gpt2". Required and optional metadata keys and
 * their defaults are listed in docs/model.md.
 * @return MN_OK and *out; MN_E_IO; MN_E_NOMEM; an MN_E_GGUF_* code for a bad
 *         file; MN_E_MODEL_ARCH (architecture not supported);
 *         MN_E_GGUF_KEY_MISSING / MN_E_GGUF_KEY_TYPE / MN_E_MODEL_HPARAM (a
 *         hyper-parameter absent, mistyped or out of range);
 *         MN_E_GGUF_TENSOR_MISSING / MN_E_MODEL_TENSOR (a tensor absent, or
 *         of the wrong shape or type); tokenizer codes for a bad vocabulary;
 *         MN_E_INVALID_ARG (out or path NULL).
 *         err (may be NULL) receives a one-line message naming the file, key
 *         or tensor on every failure; *out is NULL then.
 */
MN_API mn_status mn_model_load_file(mn_model **out, const char *path, unsigned flags,
                                    char *err, size_t errCapacity);

/**
 * Load from an open GGUF handle (e.g. from mn_gguf_loader_finish(), which is
 * how the JS layer streams a download into wasm memory without a copy).
 * On success the model takes ownership of g (mn_model_free() frees it); on
 * failure g is still the caller's.
 * @return as mn_model_load_file() (without MN_E_IO: the file is read already).
 */
MN_API mn_status mn_model_load_gguf(mn_model **out, mn_gguf *g, unsigned flags,
                                    char *err, size_t errCapacity);

/**
 * As mn_model_load_gguf(), with the vocabulary's tokenizer built beforehand by
 * mn_tokenizer_create_gguf() on the same file's keys (e.g. on
 * mn_gguf_loader_metadata() while the weights are still arriving), so that
 * the model is ready sooner after the last byte. On success the model owns
 * tok; on failure tok is still the caller's. tok NULL: built here, as
 * mn_model_load_gguf() does.
 * @return as mn_model_load_gguf(); MN_E_INVALID_ARG when tok's vocabulary
 *         size differs from the file's tokenizer.ggml.tokens.
 */
MN_API mn_status mn_model_load_gguf_tok(mn_model **out, mn_gguf *g, mn_tokenizer *tok, unsigned flags,
                                        char *err, size_t errCapacity);

/** Frees the model and, if it owns it, its GGUF handle. NULL is a no-op.
 *  Every context of the model must be freed first. */
MN_API void mn_model_free(mn_model *m);

/* The getters below take a loaded model (m NULL: "", 0 or -1). */
/** @return "llama", "qwen2" or "gpt2" (static string). */
MN_API const char *mn_model_arch(const mn_model *m);
/** @return the vocabulary size (rows of the output matrix). */
MN_API size_t mn_model_n_vocab(const mn_model *m);
/** @return the training context length (GGUF <arch>.context_length). */
MN_API size_t mn_model_n_ctx_train(const mn_model *m);
/** @return the BOS token id (tokenizer.ggml.bos_token_id), or -1 if the model has none. */
MN_API int32_t mn_model_bos(const mn_model *m);
/** @return the EOS token id, or -1. */
MN_API int32_t mn_model_eos(const mn_model *m);
/** @return 1 if prompts get BOS first (tokenizer.ggml.add_bos_token; default:
 *  yes for SentencePiece vocabularies, no for BPE ones, as llama.cpp), else 0. */
MN_API int mn_model_add_bos(const mn_model *m);
/** @return 1 if id ends generation (EOS, EOT, EOM, or a control token named
 *  like <|im_end|>, <|eot_id|>, <|endoftext|>), else 0. */
MN_API int mn_model_token_is_eog(const mn_model *m, int32_t id);
/** @return the bytes of weights the model holds (the GGUF data section). */
MN_API uint64_t mn_model_weight_bytes(const mn_model *m);
/** @return the bytes of weight matrices the load rearranged for the kernels
 *  (MN_MODEL_REPACK above; 0: every weight in the file's layout). */
MN_API uint64_t mn_model_repacked_bytes(const mn_model *m);

/**
 * Copy bytes [offset, offset + n) of the model's file as the file has them:
 * weights the load rearranged are restored in the copy, so hashing or
 * storing what this returns gives the file's id and bytes (read the file
 * through this, not through the handle, once a model owns it).
 * @return MN_OK; MN_E_INVALID_ARG (m NULL, dst NULL with n > 0, or the range
 *         past the end of the file).
 */
MN_API mn_status mn_model_file_read(const mn_model *m, size_t offset, void *dst, size_t n);

/**
 * JSON description: architecture, hyper-parameters, tensor types, special
 * tokens, weight bytes. NUL-terminated.
 * @return its length (excluding the NUL), or an error tested with
 *         mn_is_error(): MN_E_DST_TOO_SMALL (never truncated: ask again with
 *         more room), MN_E_INVALID_ARG (m NULL, or dst NULL with a capacity).
 */
MN_API size_t mn_model_info_json(const mn_model *m, char *dst, size_t dstCapacity);

/* The tokenizer of a model (tokenizer.ggml.*) is reached through a context:
 * mn_ctx_tokenizer() gives each context its own instance, so threads that
 * share a model never share a tokenizer's scratch. */

/* ---------------------------------------------------------------- context */
#define MN_CTX_DEFAULT_MAX 4096u
typedef struct mn_ctx_params {
    uint32_t n_ctx;   /* KV cache length in tokens; 0 = the training length, at most
                         MN_CTX_DEFAULT_MAX (4096, as llama.cpp's default: a
                         32K-trained model's f32 cache would not fit wasm32) */
    uint32_t n_batch; /* most tokens evaluated in one forward pass; 0 = 64 */
    int32_t n_threads; /* 1..mn_threads_max(); 0 = all cores (1 without threads) */
} mn_ctx_params;

/** Fill p with the defaults (n_ctx 0, n_batch 64, n_threads 0). */
MN_API void mn_ctx_params_default(mn_ctx_params *p);
/** @return MN_CTX_DEFAULT_MAX (the cap on the default n_ctx), for bindings. */
MN_API size_t mn_ctx_default_max(void);

/**
 * Bytes mn_ctx_create() would allocate for these parameters (KV cache,
 * activations, logits, sampler scratch, token history), computed without
 * allocating, by the plan mn_ctx_create() allocates with. Not counted: thread
 * stacks and the context's tokenizer instance (made on first use of text).
 * @return the size, or an error (MN_E_INVALID_ARG, MN_E_OVERFLOW) tested with mn_is_error().
 */
MN_API size_t mn_model_ctx_bytes(const mn_model *m, const mn_ctx_params *p);

/** Create a context on m (p NULL: the defaults). err (may be NULL) receives
 *  a one-line message on failure.
 *  @return MN_OK and *out; MN_E_INVALID_ARG (out or m NULL, n_ctx beyond what
 *  the model's positions allow, n_threads out of range), MN_E_NOMEM,
 *  MN_E_THREADS (the pool could not start, or threads > 1 in a build without them). */
MN_API mn_status mn_ctx_create(mn_ctx **out, mn_model *m, const mn_ctx_params *p,
                               char *err, size_t errCapacity);
/** Frees the context (KV cache, pool, tokenizer, generation state). NULL is a no-op. */
MN_API void mn_ctx_free(mn_ctx *c);
/** @return the last error message of c ("" if none, never NULL). */
MN_API const char *mn_ctx_error(const mn_ctx *c);
/** @return the context's own tokenizer (owned by c, freed with it; made on
 *  the first call), or NULL if the model has no vocabulary (or it could not
 *  be made: see mn_ctx_error()). Use it on the context's thread only. */
MN_API mn_tokenizer *mn_ctx_tokenizer(mn_ctx *c);
/** @return n_ctx as created. */
MN_API size_t mn_ctx_n_ctx(const mn_ctx *c);
/** @return the number of tokens in the KV cache (the next position). */
MN_API size_t mn_ctx_pos(const mn_ctx *c);
/** Forget every position >= pos (pos <= mn_ctx_pos()).
 *  @return MN_OK, or MN_E_INVALID_ARG (c NULL or pos > mn_ctx_pos(); nothing changed). */
MN_API mn_status mn_ctx_truncate(mn_ctx *c, size_t pos);

/**
 * Evaluate n tokens at positions pos..pos+n-1 (in forward passes of at most
 * n_batch tokens) and keep the logits of the last one.
 * @return MN_OK; MN_E_CTX_FULL (pos + n > n_ctx; nothing evaluated);
 *         MN_E_TOK_INVALID_ID (an id outside the vocabulary; nothing
 *         evaluated); MN_E_INVALID_ARG (c NULL, or tokens NULL with n > 0).
 *         n 0 is MN_OK and changes nothing. The message is in mn_ctx_error().
 */
MN_API mn_status mn_ctx_eval(mn_ctx *c, const int32_t *tokens, size_t n);

/**
 * As mn_ctx_eval(), and write the logits of every evaluated position:
 * dst[i * n_vocab + v] for token i (for perplexity). dst: [n, n_vocab] f32.
 * @param dstFloats the room in dst counted in floats (not bytes): must be
 *        >= n * n_vocab.
 * @return as mn_ctx_eval(); MN_E_DST_TOO_SMALL (dstFloats too small;
 *         nothing evaluated).
 */
MN_API mn_status mn_ctx_eval_logits(mn_ctx *c, const int32_t *tokens, size_t n,
                                    float *dst, size_t dstFloats);

/** @return the logits [n_vocab] of the last evaluated token, or NULL before any eval.
 *  Valid until the next call on c. */
MN_API const float *mn_ctx_logits(const mn_ctx *c);

/* --------------------------------------------------------------- sampling */
/* Order of application (as llama.cpp's default chain): penalties (repetition,
 * presence, frequency over the last penalty_last_n tokens) -> top-k -> top-p
 * -> min-p -> temperature -> seeded draw. temperature 0 is greedy (argmax;
 * ties go to the lowest id) and skips the filters.
 * Ranges (checked by mn_gen_begin*() and mn_ctx_sample(): MN_E_INVALID_ARG
 * naming the parameter); floats must be finite (no NaN, no infinity). */
typedef struct mn_sampler_params {
    float temperature;      /* >= 0; default 0.8; 0: greedy */
    int32_t top_k;          /* >= 0; default 40; 0: off */
    float top_p;            /* [0, 1]; default 0.95; 1: off (0 keeps the most probable token) */
    float min_p;            /* [0, 1]; default 0.05; 0: off */
    float repeat_penalty;   /* > 0; default 1 (off); positive logits are divided by it, others multiplied */
    float presence_penalty; /* default 0 (off); subtracted once from each token seen */
    float frequency_penalty;/* default 0 (off); subtracted per occurrence */
    int32_t penalty_last_n; /* >= -1; default 64; 0: no penalties; -1: the whole context */
    uint64_t seed;          /* any value 0..2^64-1, default 0; the same seed gives the same tokens on every target */
} mn_sampler_params;

/** Fill p with the defaults above (p NULL: no-op). */
MN_API void mn_sampler_params_default(mn_sampler_params *p);

/**
 * Sample a token from mn_ctx_logits() under p (NULL: the defaults), with the
 * penalties over the context's last tokens and the context's RNG. Does not
 * evaluate the token (mn_ctx_eval() it to go on).
 * @return MN_OK and *token; MN_E_STATE (nothing evaluated yet);
 *         MN_E_INVALID_ARG (c or token NULL, or a parameter out of range:
 *         see mn_ctx_error()). *token is -1 on failure.
 */
MN_API mn_status mn_ctx_sample(mn_ctx *c, const mn_sampler_params *p, int32_t *token);
/** Reseed the context's RNG (mn_ctx_create seeds it with 0; mn_gen_begin with
 *  params->sampler.seed). Every uint64_t is a distinct seed. c NULL: no-op. */
MN_API void mn_ctx_set_seed(mn_ctx *c, uint64_t seed);

/* ------------------------------------------------------------- generation */
/* Step-wise generation, so a caller (the JS worker, a CLI loop) can stream
 * pieces and stop between tokens. Text pieces never split a UTF-8 character,
 * and text that could still become a stop string is held back until it
 * cannot. */
typedef struct mn_gen_params {
    mn_sampler_params sampler;
    uint32_t max_tokens;    /* default 128; 0 = until EOS, a stop string or n_ctx */
    unsigned tok_flags;     /* MN_TOK_* for the prompt; default MN_TOK_ADD_SPECIAL (BOS as the model says) */
    const char *const *stop; /* stop strings (UTF-8, NUL-terminated); may be NULL */
    size_t n_stop;
} mn_gen_params;

/** Fill p with the defaults (sampler defaults, max_tokens 128, MN_TOK_ADD_SPECIAL, no stops). */
MN_API void mn_gen_params_default(mn_gen_params *p);

/* Why generation ended (mn_gen_next() returns MN_OK with *end set).
 * MN_GEN_END_CTX_FULL is a normal end, not an error: the KV cache holds
 * n_ctx tokens and the last one sampled could not be evaluated. */
typedef enum mn_gen_end {
    MN_GEN_RUNNING = 0,
    MN_GEN_END_EOS = 1,       /* the model produced an end-of-generation token */
    MN_GEN_END_MAX_TOKENS = 2,
    MN_GEN_END_STOP = 3,      /* a stop string matched (it is not part of the text) */
    MN_GEN_END_CTX_FULL = 4
} mn_gen_end;

/**
 * Start generating: reset the context, tokenize the prompt, evaluate it
 * (batched). params may be NULL for the defaults; stop strings are copied.
 * An empty prompt is the BOS token alone.
 * @return MN_OK; MN_E_CTX_FULL (the prompt alone does not fit n_ctx);
 *         MN_E_INVALID_ARG (c NULL, prompt NULL with a size, a sampler
 *         parameter out of range, an empty prompt and no BOS);
 *         MN_E_STATE (the model has no tokenizer: use mn_gen_begin_tokens());
 *         MN_E_TOK_UTF8 and other tokenizer codes; MN_E_NOMEM.
 *         The message is in mn_ctx_error(); the context is then idle.
 */
MN_API mn_status mn_gen_begin(mn_ctx *c, const void *prompt, size_t promptSize,
                              const mn_gen_params *params);

/**
 * As mn_gen_begin() for a prompt given as token ids (e.g. a chat template
 * applied by the caller); nothing is added to them. Works without a
 * tokenizer too (then pieces are empty and only the ids come out).
 * @return as mn_gen_begin(); MN_E_TOK_INVALID_ID for an id outside the vocabulary.
 */
MN_API mn_status mn_gen_begin_tokens(mn_ctx *c, const int32_t *tokens, size_t n,
                                     const mn_gen_params *params);

/**
 * Sample one token, evaluate it, and write the text that became final.
 * @param dst receives the piece (not NUL-terminated); mn_gen_piece_bound()
 *        bytes (64 + the longest token + the longest stop string) are always
 *        enough, and less is refused.
 * @param len receives the piece length (may be 0: bytes held back).
 * @param token receives the sampled id (-1 once ended).
 * @param end receives MN_GEN_RUNNING, or why generation ended (then the
 *        piece holds what remained, and later calls return MN_E_STATE).
 *        len, token and end may be NULL.
 * @return MN_OK, MN_E_STATE (no mn_gen_begin, or already ended),
 *         MN_E_DST_TOO_SMALL (dstCapacity below mn_gen_piece_bound(); nothing
 *         sampled), MN_E_INVALID_ARG (c NULL), MN_E_NOMEM, or an evaluation
 *         error of mn_ctx_eval().
 */
MN_API mn_status mn_gen_next(mn_ctx *c, char *dst, size_t dstCapacity, size_t *len,
                             int32_t *token, mn_gen_end *end);

/** @return a dstCapacity always enough for mn_gen_next() on this context
 *  (it counts the stop strings of the current generation: ask after
 *  mn_gen_begin()); 0 for c NULL. */
MN_API size_t mn_gen_piece_bound(const mn_ctx *c);

typedef struct mn_gen_stats {
    uint32_t prompt_tokens, generated_tokens;
    double prompt_ms, decode_ms; /* wall time spent in the forward pass */
} mn_gen_stats;
/** The counters of the current (or last) generation into *out (zeros for c NULL). */
MN_API void mn_gen_stats_get(const mn_ctx *c, mn_gen_stats *out);

/** Callback for mn_generate(): a piece of text; return nonzero to stop. */
typedef int (*mn_gen_callback)(void *user, const char *piece, size_t len, int32_t token);

/**
 * Convenience loop over mn_gen_begin()/mn_gen_next(): cb (may be NULL)
 * receives every non-empty piece as it becomes final, with its token id.
 * *end (may be NULL) receives why generation ended: an mn_gen_end reason,
 * or MN_GEN_RUNNING if the callback stopped it (or on an error).
 * @return MN_OK when generation ended for any reason, including the callback
 *         stopping it, EOS, max_tokens, a stop string and a full context
 *         (MN_GEN_END_CTX_FULL: not an error); otherwise the error of
 *         mn_gen_begin() (e.g. MN_E_CTX_FULL: the prompt does not fit, nothing
 *         generated) or of mn_gen_next(), with the message in mn_ctx_error().
 */
MN_API mn_status mn_generate(mn_ctx *c, const void *prompt, size_t promptSize,
                             const mn_gen_params *params, mn_gen_callback cb, void *user,
                             mn_gen_end *end);

#ifdef __cplusplus
}
#endif
#endif /* MINNOW_MODEL_H */
