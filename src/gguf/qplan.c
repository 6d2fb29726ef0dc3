/* qplan.c - llama.cpp's tensor type choice for a file type (see qplan.h). */
#include "gguf/qplan.h"
#include "tensor/types.h"
#include <stdio.h>
#include <string.h>

typedef struct ftype_row {
    const char *name;
    uint32_t ftype, type;
} ftype_row;

static const ftype_row k_ftypes[] = {
    {"F32", MN_FTYPE_ALL_F32, MN_TYPE_F32},    {"F16", MN_FTYPE_F16, MN_TYPE_F16},
    {"BF16", MN_FTYPE_BF16, MN_TYPE_BF16},     {"Q8_0", MN_FTYPE_Q8_0, MN_TYPE_Q8_0},
    {"Q4_0", MN_FTYPE_Q4_0, MN_TYPE_Q4_0},     {"Q4_1", MN_FTYPE_Q4_1, MN_TYPE_Q4_1},
    {"Q5_0", MN_FTYPE_Q5_0, MN_TYPE_Q5_0},     {"Q5_1", MN_FTYPE_Q5_1, MN_TYPE_Q5_1},
    {"Q2_K", MN_FTYPE_Q2_K, MN_TYPE_Q2_K},     {"Q3_K_S", MN_FTYPE_Q3_K_S, MN_TYPE_Q3_K},
    {"Q3_K_M", MN_FTYPE_Q3_K_M, MN_TYPE_Q3_K}, {"Q3_K_L", MN_FTYPE_Q3_K_L, MN_TYPE_Q3_K},
    {"Q4_K_S", MN_FTYPE_Q4_K_S, MN_TYPE_Q4_K}, {"Q4_K_M", MN_FTYPE_Q4_K_M, MN_TYPE_Q4_K},
    {"Q5_K_S", MN_FTYPE_Q5_K_S, MN_TYPE_Q5_K}, {"Q5_K_M", MN_FTYPE_Q5_K_M, MN_TYPE_Q5_K},
    {"Q6_K", MN_FTYPE_Q6_K, MN_TYPE_Q6_K},     {"TQ1_0", MN_FTYPE_TQ1_0, MN_TYPE_TQ1_0},
    {"TQ2_0", MN_FTYPE_TQ2_0, MN_TYPE_TQ2_0},
};
#define N_FTYPES (sizeof k_ftypes / sizeof k_ftypes[0])

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        if (x != *b) return 0;
    }
    return *a == *b;
}

int mn_ftype_parse(const char *name, uint32_t *ftype)
{
    static const char *const alias[][2] = {{"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"}};
    if (!name) return -1;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (ieq(name, alias[i][0])) name = alias[i][1];
    for (size_t i = 0; i < N_FTYPES; i++)
        if (ieq(name, k_ftypes[i].name)) { *ftype = k_ftypes[i].ftype; return 0; }
    return -1;
}

static const ftype_row *find_ftype(uint32_t ftype)
{
    for (size_t i = 0; i < N_FTYPES; i++)
        if (k_ftypes[i].ftype == ftype) return &k_ftypes[i];
    return NULL;
}

const char *mn_ftype_name(uint32_t ftype) { const ftype_row *r = find_ftype(ftype); return r ? r->name : NULL; }
uint32_t mn_ftype_default_type(uint32_t ftype) { const ftype_row *r = find_ftype(ftype); return r ? r->type : UINT32_MAX; }

const char *mn_ftype_names(void)
{
    return "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_S, Q3_K_M (Q3_K), Q3_K_L, "
           "Q4_K_S, Q4_K_M (Q4_K), Q5_K_S, Q5_K_M (Q5_K), Q6_K, TQ1_0, TQ2_0";
}

/* ------------------------------------------------------------ categories */
enum { CAT_OTHER, CAT_OUTPUT, CAT_TOKEN_EMBD, CAT_QKV, CAT_KV_B, CAT_V, CAT_K, CAT_Q, CAT_ATTN_OUT,
       CAT_FFN_UP, CAT_FFN_GATE, CAT_FFN_DOWN };

static int has(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

static int category(const char *name)
{
    if (!strcmp(name, "output.weight")) return CAT_OUTPUT;
    if (!strcmp(name, "token_embd.weight") || !strcmp(name, "per_layer_token_embd.weight")) return CAT_TOKEN_EMBD;
    if (has(name, "attn_qkv.weight")) return CAT_QKV;
    if (has(name, "attn_kv_b.weight")) return CAT_KV_B;
    if (has(name, "attn_v.weight")) return CAT_V;
    if (has(name, "attn_k.weight")) return CAT_K;
    if (has(name, "attn_q.weight")) return CAT_Q;
    if (has(name, "attn_output.weight")) return CAT_ATTN_OUT;
    if (has(name, "ffn_up")) return CAT_FFN_UP;
    if (has(name, "ffn_gate")) return CAT_FFN_GATE;
    if (has(name, "ffn_down")) return CAT_FFN_DOWN;
    return CAT_OTHER;
}

static int is_attn_v(int c) { return c == CAT_V || c == CAT_QKV || c == CAT_KV_B; }

mn_status mn_qplan_init(mn_qplan *p, uint32_t ftype, int pure, const char *arch, int n_layer,
                        int n_head, int n_head_kv, int n_expert, const char *const *names, size_t n)
{
    if (!p || (!names && n)) return MN_E_INVALID_ARG;
    memset(p, 0, sizeof *p);
    p->ftype = ftype;
    p->default_type = mn_ftype_default_type(ftype);
    if (p->default_type == UINT32_MAX) return MN_E_INVALID_ARG;
    p->pure = pure;
    p->falcon = arch && !strcmp(arch, "falcon");
    p->n_layer = n_layer;
    p->n_gqa = n_head > 0 && n_head_kv > 0 ? n_head / n_head_kv : 0;
    p->n_expert = n_expert;
    p->is_70b = arch && !strcmp(arch, "llama") && n_layer == 80 && n_head != n_head_kv;
    p->tied = 1; /* until output.weight shows up */
    for (size_t i = 0; i < n; i++) {
        int c = category(names[i]);
        if (is_attn_v(c)) p->n_attn_v++;
        if (c == CAT_OUTPUT) p->tied = 0;
    }
    return MN_OK;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !memcmp(s + a - b, suf, b);
}

int mn_qplan_allows(const char *name, uint32_t n_dims)
{
    if (n_dims < 2 || !ends_with(name, "weight")) return 0;
    return !has(name, "_norm.weight") && !has(name, "ffn_gate_inp.weight") &&
           strcmp(name, "position_embd.weight") != 0 && strcmp(name, "token_types.weight") != 0 &&
           !has(name, "attn_rel_b.weight");
}

static int is_quantized(uint32_t t) { return t != MN_TYPE_F32 && t != MN_TYPE_F16 && t != MN_TYPE_BF16; }
static int64_t blck(uint32_t t) { const mn_type_traits *ti = mn_type_info(t); return ti ? ti->block_size : 1; }

static int more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

/* llama_tensor_get_type_impl for the non-IQ file types. */
static uint32_t mix(mn_qplan *p, uint32_t t, const char *name, int c, int64_t ne0)
{
    const uint32_t f = p->ftype;
    if (c == CAT_OUTPUT || (p->tied && c == CAT_TOKEN_EMBD)) {
        if (p->falcon || ne0 % blck(t) != 0) t = MN_TYPE_Q8_0;
        else if (t != MN_TYPE_Q8_0) t = MN_TYPE_Q6_K;
    } else if (c == CAT_TOKEN_EMBD) {
        if (f == MN_FTYPE_TQ1_0 || f == MN_FTYPE_TQ2_0) t = MN_TYPE_Q4_K;
    } else if (is_attn_v(c)) {
        if (f == MN_FTYPE_Q2_K) t = p->n_gqa >= 4 ? MN_TYPE_Q4_K : MN_TYPE_Q3_K;
        else if (f == MN_FTYPE_Q3_K_M) t = p->i_attn_v < 2 ? MN_TYPE_Q5_K : MN_TYPE_Q4_K;
        else if (f == MN_FTYPE_Q3_K_L) t = MN_TYPE_Q5_K;
        else if ((f == MN_FTYPE_Q4_K_M || f == MN_FTYPE_Q5_K_M) && more_bits(p->i_attn_v, p->n_attn_v)) t = MN_TYPE_Q6_K;
        else if (f == MN_FTYPE_Q4_K_S && p->i_attn_v < 4) t = MN_TYPE_Q5_K;
        if (p->is_70b && (t == MN_TYPE_Q3_K || t == MN_TYPE_Q4_K)) t = MN_TYPE_Q5_K;
        if (p->n_expert == 8) t = MN_TYPE_Q8_0;
        p->i_attn_v++;
    } else if (c == CAT_K) {
        if (p->n_expert == 8) t = MN_TYPE_Q8_0;
    } else if (c == CAT_FFN_DOWN) {
        int i_layer = p->i_ffn_down, n_layer = p->n_layer;
        if (p->n_expert > 1) { /* experts are not consecutive: read the layer from the name */
            int l;
            if (sscanf(name, "blk.%d.", &l) == 1 && l >= 0 && l < n_layer) i_layer = l;
        }
        if (f == MN_FTYPE_Q2_K) t = MN_TYPE_Q3_K;
        else if (f == MN_FTYPE_Q3_K_M)
            t = i_layer < n_layer / 16 ? MN_TYPE_Q5_K
              : !p->falcon || more_bits(i_layer, n_layer) ? MN_TYPE_Q4_K : MN_TYPE_Q3_K;
        else if (f == MN_FTYPE_Q3_K_L) t = p->falcon ? MN_TYPE_Q4_K : MN_TYPE_Q5_K;
        else if (f == MN_FTYPE_Q4_K_M) {
            if (p->falcon) t = i_layer < n_layer / 16 ? MN_TYPE_Q6_K : more_bits(i_layer, n_layer) ? MN_TYPE_Q5_K : MN_TYPE_Q4_K;
            else if (more_bits(i_layer, n_layer)) t = MN_TYPE_Q6_K;
        } else if (f == MN_FTYPE_Q5_K_M && more_bits(i_layer, n_layer)) t = MN_TYPE_Q6_K;
        else if (f == MN_FTYPE_Q4_K_S && !p->falcon && i_layer < n_layer / 8) t = MN_TYPE_Q5_K;
        p->i_ffn_down++;
    } else if (c == CAT_ATTN_OUT) {
        if (!p->falcon) {
            if (p->n_expert == 8) {
                if (f == MN_FTYPE_Q2_K || f == MN_FTYPE_Q3_K_S || f == MN_FTYPE_Q3_K_M ||
                    f == MN_FTYPE_Q4_K_S || f == MN_FTYPE_Q4_K_M) t = MN_TYPE_Q5_K;
            } else {
                if (f == MN_FTYPE_Q2_K) t = MN_TYPE_Q3_K;
                else if (f == MN_FTYPE_Q3_K_M) t = MN_TYPE_Q4_K;
                else if (f == MN_FTYPE_Q3_K_L) t = MN_TYPE_Q5_K;
            }
        } else if (f == MN_FTYPE_Q3_K_L) {
            t = MN_TYPE_Q4_K;
        }
    }
    return t;
}

/* tensor_type_fallback: a row length the block size does not divide. */
static uint32_t fallback(mn_qplan *p, uint32_t t, int64_t ne0)
{
    if (ne0 % blck(t) == 0) return t;
    p->n_fallback++;
    switch (t) {
    case MN_TYPE_Q2_K: case MN_TYPE_Q3_K: case MN_TYPE_TQ1_0: case MN_TYPE_TQ2_0: t = MN_TYPE_Q4_0; break;
    case MN_TYPE_Q4_K: t = MN_TYPE_Q5_0; break;
    case MN_TYPE_Q5_K: t = MN_TYPE_Q5_1; break;
    case MN_TYPE_Q6_K: t = MN_TYPE_Q8_0; break;
    default: break; /* a 32-block type: nothing smaller to demote to */
    }
    return ne0 % blck(t) == 0 ? t : MN_TYPE_F16;
}

uint32_t mn_qplan_choose(mn_qplan *p, const char *name, uint32_t n_dims, int64_t ne0, uint32_t cur)
{
    if (!mn_qplan_allows(name, n_dims)) return cur;
    uint32_t t = p->default_type;
    if (!is_quantized(t)) return t;
    if (!p->pure) t = mix(p, t, name, category(name), ne0);
    return fallback(p, t, ne0);
}

/* llama.cpp's weight_name_comparer: the N of a "blk.N." prefix first (-1
 * without one; parsed like sscanf("blk.%d.")), then the name byte-wise. */
static long layer_of(const char *s)
{
    if (strncmp(s, "blk.", 4)) return -1;
    s += 4;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (*s < '0' || *s > '9') return -1;
    long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) v = v < 100000000 ? v * 10 + (*s - '0') : v;
    return neg ? -v : v;
}

static int name_less(const char *a, const char *b)
{
    long la = layer_of(a), lb = layer_of(b);
    return la != lb ? la < lb : strcmp(a, b) < 0;
}

void mn_qplan_sort_names(const char *const *names, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) idx[i] = i;
    /* insertion sort keeps this reentrant (no global) and tensor counts are small */
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && name_less(names[v], names[idx[j - 1]])) { idx[j] = idx[j - 1]; j--; }
        idx[j] = v;
    }
}
