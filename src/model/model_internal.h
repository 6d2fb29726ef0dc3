/*
 * model_internal.h - the in-memory decoder model, context and generation
 * state shared by the files of src/model/.
 *
 * Contract, in the order that bites:
 *  - Weights are never copied: an mn_wmat points into the GGUF bytes (mmap or
 *    the loader's buffer). 1-D tensors (norms, biases, rope factors) are
 *    dequantized once into the model's f32 arena, so every kernel reads
 *    aligned f32 for them whatever the file stored.
 *  - Every matrix product goes through mn_gemm_q / mn_gemv_q on activations
 *    quantized per row to the weight's vec_dot_type; element (b, r) is one
 *    vec_dot call, so batched and one-token evaluation give the same bits.
 *  - Everything else in the forward pass (norms, RoPE, softmax, attention,
 *    SwiGLU/GELU) is computed per row in a fixed order by one thread.
 */
#ifndef MN_MODEL_INTERNAL_H
#define MN_MODEL_INTERNAL_H
#include "minnow.h"
#include "core/error.h"
#include <stddef.h>
#include <stdint.h>

enum { MN_ARCH_LLAMA = 0, MN_ARCH_QWEN2 = 1, MN_ARCH_GPT2 = 2 };
enum { MN_ROPE_NONE = 0, MN_ROPE_NORMAL = 1, MN_ROPE_NEOX = 2 };
enum { MN_NORM_RMS = 0, MN_NORM_LAYER = 1 };

/* A weight matrix: `rows` rows of `cols` elements of ggml type `type`
 * (GGUF ne = [cols, rows]), rows contiguous, row_bytes each; or of the
 * internal MN_TYPE_Q4_0_R4 (Q4_0 rearranged at load: rows in bands, see
 * tensor/quant.h), which only the GEMV / GEMM read. */
typedef struct mn_wmat {
    const void *data;
    uint32_t type, vdt; /* vdt: the activation type (vec_dot_type) */
    size_t rows, cols, row_bytes;
} mn_wmat;

typedef struct mn_layer {
    const float *attn_norm, *attn_norm_b;   /* [n_embd] (b: LayerNorm only) */
    mn_wmat wq, wk, wv;                     /* [n_head*hd_k | n_head_kv*hd_k | n_head_kv*hd_v][n_embd] */
    mn_wmat wqkv;                           /* gpt2: [n_embd_q + 2*n_embd_kv][n_embd] */
    const float *bq, *bk, *bv, *bqkv;       /* optional biases (NULL) */
    mn_wmat wo;                             /* [n_embd][n_head*hd_v] */
    const float *bo;
    const float *ffn_norm, *ffn_norm_b;     /* [n_embd] */
    mn_wmat w_gate, w_up, w_down;           /* [n_ff][n_embd], [n_ff][n_embd], [n_embd][n_ff] */
    const float *b_gate, *b_up, *b_down;
} mn_layer;

/* a layer's weight matrices, as an initializer: {&L->wq, ...} (unused ones have data NULL) */
#define MN_LAYER_MATS(L) {&(L)->wq, &(L)->wk, &(L)->wv, &(L)->wqkv, &(L)->wo, &(L)->w_gate, &(L)->w_up, &(L)->w_down}

typedef struct mn_hparams {
    size_t n_vocab, n_ctx_train, n_embd, n_layer, n_head, n_head_kv, hd_k, hd_v, n_ff, n_rot;
    float norm_eps;
    double rope_base, rope_freq_scale;
    int rope_mode, norm;
} mn_hparams;

#define MN_MODEL_MAX_EOG 16

struct mn_model {
    mn_gguf *g;
    int arch;
    unsigned flags;
    mn_hparams hp;
    uint64_t weight_bytes;
    uint64_t repacked_bytes; /* Q4_0 matrices rearranged to Q4_0_R4 at load (mn_wmat.type) */
    /* token_embd [n_vocab][n_embd] (any type with dequantize_row),
     * position_embd [n_ctx_train][n_embd] (gpt2) */
    mn_wmat tok_embd, pos_embd;
    const float *out_norm, *out_norm_b;
    mn_wmat output; /* [n_vocab][n_embd]: output.weight or the tied token_embd */
    int tied_output;
    mn_layer *layers;
    float *rope_inv_freq; /* [n_rot/2]: freq_scale * base^(-2i/n_rot) / rope_freqs[i], as float */
    float *arena;         /* the dequantized 1-D tensors */
    size_t arena_used, arena_cap;
    /* tokenizer and special tokens */
    mn_tokenizer *tok;
    int32_t bos, eos;     /* -1 if absent */
    int add_bos;
    int32_t eog[MN_MODEL_MAX_EOG];
    size_t n_eog;
    size_t max_token_bytes; /* longest token text, for mn_gen_piece_bound */
};

/* ----------------------------------------------------------- sampler */
typedef struct mn_rng { uint64_t s[4]; } mn_rng;
void mn_rng_seed(mn_rng *r, uint64_t seed);
uint64_t mn_rng_next(mn_rng *r);
/* uniform double in [0, 1) with 53 random bits */
double mn_rng_uniform(mn_rng *r);

typedef struct mn_cand { float logit; int32_t id; } mn_cand;

/* Scratch for one sampler call over n_vocab tokens. */
typedef struct mn_sampler_scratch {
    mn_cand *cand;     /* [n_vocab] */
    float *probs;      /* [n_vocab] */
    uint32_t *counts;  /* [n_vocab] for penalties (zeroed between calls) */
} mn_sampler_scratch;

/* Sample one token from logits [n_vocab] under p; hist are the last tokens
 * (for penalties). Does not modify logits. @return the token id. */
int32_t mn_sample(const mn_sampler_params *p, mn_rng *rng, const float *logits, size_t n_vocab,
                  const int32_t *hist, size_t n_hist, mn_sampler_scratch *s);
/* The ranges of minnow_model.h (mn_sampler_params): MN_OK, or MN_E_INVALID_ARG
 * with a message naming the parameter in err (sampler.c). */
mn_status mn_sampler_params_check(const mn_sampler_params *p, mn_err *err);

/* ----------------------------------------------------------- context */
typedef struct mn_gen_state {
    int active, ended;
    mn_gen_params params;
    char **stop;        /* copies */
    size_t *stop_len;
    size_t n_stop, stop_max;
    mn_tok_stream *stream;
    char *pending;      /* text decoded but not yet returned (could start a stop string) */
    size_t pending_len, pending_cap;
    uint32_t generated;
    int32_t next_token; /* sampled but not yet evaluated (-1 none) */
    mn_gen_stats stats;
} mn_gen_state;

struct mn_ctx {
    mn_err err;
    mn_model *m;
    mn_pool *pool;
    unsigned char *block; /* one 64-byte aligned allocation holding every buffer below */
    size_t n_ctx, n_batch;
    int n_threads;
    size_t pos;
    int32_t *tokens;      /* [n_ctx] the tokens in the cache */
    float *k_cache, *v_cache; /* [n_layer][n_ctx][n_head_kv*hd] f32 */
    /* activations for n_batch rows */
    float *x, *xn, *q, *k, *v, *att, *tmp, *ff1, *ff2, *rope_cs;
    unsigned char *qx;    /* quantized activations, n_batch rows of the widest row */
    size_t qx_row_cap;
    float *scores;        /* [threads][n_ctx] */
    float *logits;        /* [n_vocab] of the last evaluated token */
    int have_logits;
    mn_sampler_scratch ss;
    mn_rng rng;           /* mn_ctx_sample's; mn_gen_begin reseeds it */
    mn_tokenizer *tok;    /* the context's own instance (NULL if the model has none) */
    mn_gen_state gen;
};

/* Forward pass over n <= n_batch tokens at positions c->pos..; writes the
 * logits of every row into dst (dst[i*n_vocab..]) when dst is non-NULL, else
 * only the last row's into c->logits. Advances c->pos. The caller checks n_ctx. */
mn_status mn_forward(mn_ctx *c, const int32_t *tokens, size_t n, float *dst);

/* Monotonic milliseconds (for stats only; never feeds results). */
double mn_now_ms(void);

/* Model loading pieces (model_load.c) */
int mn_model_is_eog(const mn_model *m, int32_t id);
/* The model's tokenizer from tokenizer.ggml.* (none if the file has no
 * vocabulary), and an instance for a context (model_tok.c). */
mn_status mn_model_tok_load(mn_model *m, char *err, size_t errCapacity);
mn_status mn_model_tok_clone(const mn_model *m, mn_tokenizer **out, char *err, size_t errCapacity);
/* Forget generation state (generate.c). */
void mn_gen_reset(mn_ctx *c);
#endif
