/*
 * qplan.h - which ggml type each tensor of a model gets for a llama.cpp file
 * type ("Q4_K_M", "Q8_0", ...): llama.cpp's rules (src/llama-quant.cpp),
 * re-implemented for the types minnow computes with. Shared by
 * `minnow quantize` and `minnow synth`, so a synthetic model has exactly the
 * mix a quantized real one would.
 *
 * The rules, in llama.cpp's order:
 *  - only tensors with >= 2 dims whose name ends in "weight" are converted;
 *    never "*_norm.weight", "position_embd.weight", "token_types.weight",
 *    "ffn_gate_inp.weight"; everything else keeps its type;
 *  - F32/F16/BF16 file types convert every such tensor to that type;
 *  - quantized file types start from the file type's default tensor type and,
 *    unless `pure`, apply the mix rules (output / tied token_embd -> Q6_K,
 *    attn_v / attn_qkv / ffn_down bumps for the _M/_L mixes and Q2_K, ...);
 *  - then the shape fallback: a row length that is not a multiple of the
 *    block size demotes Q2_K/Q3_K/TQ* -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1,
 *    Q6_K -> Q8_0, and to F16 when even 32 does not divide it.
 *
 * Trap: the mix rules read counters of the attn_v and ffn_down tensors seen
 * so far, and llama.cpp visits tensors in the order of its weights map: by
 * the layer number of a "blk.N." prefix (none = -1, first), then by name.
 * mn_qplan_choose() must therefore be called in that order
 * (mn_qplan_sort_names); the result does not depend on the order tensors are
 * written in. Checked byte for byte against llama.cpp's own
 * llama_model_quantize (see docs/gguf-tools.md).
 * Not implemented: importance matrices, the IQ and Q2_K_S types, MoE
 * (n_expert > 1 layer lookup is done, but minnow has no MoE kernels).
 */
#ifndef MN_GGUF_QPLAN_H
#define MN_GGUF_QPLAN_H
#include "minnow.h"
#include <stddef.h>
#include <stdint.h>

/* llama.cpp's llama_ftype values (stored as general.file_type). */
enum {
    MN_FTYPE_ALL_F32 = 0, MN_FTYPE_F16 = 1, MN_FTYPE_Q4_0 = 2, MN_FTYPE_Q4_1 = 3,
    MN_FTYPE_Q8_0 = 7, MN_FTYPE_Q5_0 = 8, MN_FTYPE_Q5_1 = 9, MN_FTYPE_Q2_K = 10,
    MN_FTYPE_Q3_K_S = 11, MN_FTYPE_Q3_K_M = 12, MN_FTYPE_Q3_K_L = 13,
    MN_FTYPE_Q4_K_S = 14, MN_FTYPE_Q4_K_M = 15, MN_FTYPE_Q5_K_S = 16, MN_FTYPE_Q5_K_M = 17,
    MN_FTYPE_Q6_K = 18, MN_FTYPE_BF16 = 32, MN_FTYPE_TQ1_0 = 36, MN_FTYPE_TQ2_0 = 37
};

/* @return 0 and *ftype for a name ("Q4_K_M", "q8_0", "F16"; the aliases
 * Q3_K/Q4_K/Q5_K mean the _M mixes as in llama-quantize), -1 if unknown. */
int mn_ftype_parse(const char *name, uint32_t *ftype);
/* @return the canonical name of an ftype minnow supports, or NULL. */
const char *mn_ftype_name(uint32_t ftype);
/* @return the file type's default tensor type (ggml id), or UINT32_MAX. */
uint32_t mn_ftype_default_type(uint32_t ftype);
/* @return a comma-separated list of the supported names (for usage text). */
const char *mn_ftype_names(void);

typedef struct mn_qplan {
    uint32_t ftype, default_type;
    int pure;               /* 1: no mix rules, only the default type + shape fallback */
    int falcon;             /* the arch is "falcon" (some rules differ) */
    int n_layer;            /* <arch>.block_count */
    int n_gqa;              /* head_count / head_count_kv (0 if unknown) */
    int n_expert;           /* <arch>.expert_count (0 if absent) */
    int is_70b;             /* llama.cpp's LLM_TYPE_70B (llama, 80 layers, GQA) */
    int tied;               /* no output.weight: token_embd doubles as the output */
    int n_attn_v, i_attn_v, i_ffn_down;
    int n_fallback;         /* tensors that needed the shape fallback */
} mn_qplan;

/*
 * Set up a plan. names: every tensor name of the model (n of them), used to
 * count attn_v-like tensors and to see whether output.weight exists.
 * @return MN_OK; MN_E_INVALID_ARG (unknown ftype).
 */
mn_status mn_qplan_init(mn_qplan *p, uint32_t ftype, int pure, const char *arch, int n_layer,
                        int n_head, int n_head_kv, int n_expert, const char *const *names, size_t n);

/* @return 1 if llama.cpp would convert this tensor at all (see the rules above). */
int mn_qplan_allows(const char *name, uint32_t n_dims);

/*
 * The type tensor `name` (n_dims, ne[0] = row length, current type cur)
 * gets. Call once per tensor, in sorted name order (see the trap above).
 * @return a ggml type id.
 */
uint32_t mn_qplan_choose(mn_qplan *p, const char *name, uint32_t n_dims, int64_t ne0, uint32_t cur);

/* Sort idx[0..n) into llama.cpp's weights-map order (layer, then name). */
void mn_qplan_sort_names(const char *const *names, size_t *idx, size_t n);
#endif
