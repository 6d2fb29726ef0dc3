/* The per-type table (see types.h): sizes from ggml's block structs
 * (ggml-common.h, QK_K = 256) and the kernels of quant_*.c, filled once. */
#include "tensor/types.h"
#include "tensor/quant_internal.h"
#include "core/checked.h"

/* a type minnow only lists (sizes known; `sup` says whether files may use it) */
#define T(id, nm, bs, ts, sup) [id] = {.type = id, .name = nm, .block_size = bs, .type_size = ts, .supported = sup}
/* a type with kernels: K = the kernel name suffix, VDT = its activation type, DOT = has vec_dot */
#define DOT_1(K) .vec_dot = mn_vec_dot_##K, .vec_dot_ref = mn_vec_dot_##K##_ref
#define DOT_0(K) .vec_dot = NULL, .vec_dot_ref = NULL
#define Q(id, nm, bs, ts, K, VDT, DOT) \
    [id] = {.type = id, .name = nm, .block_size = bs, .type_size = ts, .supported = 1, \
            .dequantize_row = mn_dequantize_row_##K, .dequantize_row_ref = mn_dequantize_row_##K##_ref, \
            .vec_dot_type = VDT, DOT_##DOT(K), .quantize_row = mn_quantize_row_##K}

/* a legacy type: also the multi-row GEMV */
#define QL(id, nm, ts, K, VDT) \
    [id] = {.type = id, .name = nm, .block_size = 32, .type_size = ts, .supported = 1, \
            .dequantize_row = mn_dequantize_row_##K, .dequantize_row_ref = mn_dequantize_row_##K##_ref, \
            .vec_dot_type = VDT, DOT_1(K), .quantize_row = mn_quantize_row_##K, \
            .quantize_row_ref = mn_quantize_row_##K##_ref, .gemv_rows = mn_gemv_rows_##K, \
            .gemm_tile = mn_gemm_tile_##K}

const mn_type_traits mn_type_table[MN_TYPE_COUNT] = {
    Q(MN_TYPE_F32, "F32", 1, 4, f32, MN_TYPE_F32, 1),
    Q(MN_TYPE_F16, "F16", 1, 2, f16, MN_TYPE_F32, 1),
    QL(MN_TYPE_Q4_0, "Q4_0", MN_SZ_Q4_0, q4_0, MN_TYPE_Q8_0),   /* f16 d + 16 B nibbles */
    QL(MN_TYPE_Q4_1, "Q4_1", MN_SZ_Q4_1, q4_1, MN_TYPE_Q8_1),   /* f16 d, m + 16 B */
    QL(MN_TYPE_Q5_0, "Q5_0", MN_SZ_Q5_0, q5_0, MN_TYPE_Q8_0),   /* f16 d + 4 B high bits + 16 B */
    QL(MN_TYPE_Q5_1, "Q5_1", MN_SZ_Q5_1, q5_1, MN_TYPE_Q8_1),
    QL(MN_TYPE_Q8_0, "Q8_0", MN_SZ_Q8_0, q8_0, MN_TYPE_Q8_0),   /* f16 d + 32 i8 */
    QL(MN_TYPE_Q8_1, "Q8_1", MN_SZ_Q8_1, q8_1, MN_TYPE_Q8_0),   /* f16 d, s + 32 i8 */
    Q(MN_TYPE_Q2_K, "Q2_K", 256, MN_SZ_Q2_K, q2_K, MN_TYPE_Q8_K, 1),  /* 16 scales + 64 qs + 2 f16 */
    Q(MN_TYPE_Q3_K, "Q3_K", 256, MN_SZ_Q3_K, q3_K, MN_TYPE_Q8_K, 1),  /* 32 hmask + 64 qs + 12 scales + f16 */
    Q(MN_TYPE_Q4_K, "Q4_K", 256, MN_SZ_Q4_K, q4_K, MN_TYPE_Q8_K, 1),  /* 2 f16 + 12 scales + 128 qs */
    Q(MN_TYPE_Q5_K, "Q5_K", 256, MN_SZ_Q5_K, q5_K, MN_TYPE_Q8_K, 1),  /* 2 f16 + 12 + 32 qh + 128 qs */
    Q(MN_TYPE_Q6_K, "Q6_K", 256, MN_SZ_Q6_K, q6_K, MN_TYPE_Q8_K, 1),  /* 128 ql + 64 qh + 16 scales + f16 */
    Q(MN_TYPE_Q8_K, "Q8_K", 256, MN_SZ_Q8_K, q8_K, MN_TYPE_Q8_K, 0),  /* f32 d + 256 i8 + 16 i16 bsums */
    T(MN_TYPE_IQ2_XXS, "IQ2_XXS", 256, 66, 0),
    T(MN_TYPE_IQ2_XS, "IQ2_XS", 256, 74, 0),
    T(MN_TYPE_IQ3_XXS, "IQ3_XXS", 256, 98, 0),
    T(MN_TYPE_IQ1_S, "IQ1_S", 256, 50, 0),
    T(MN_TYPE_IQ4_NL, "IQ4_NL", 32, 18, 0),
    T(MN_TYPE_IQ3_S, "IQ3_S", 256, 110, 0),
    T(MN_TYPE_IQ2_S, "IQ2_S", 256, 82, 0),
    T(MN_TYPE_IQ4_XS, "IQ4_XS", 256, 136, 0),
    T(MN_TYPE_I8, "I8", 1, 1, 1),
    T(MN_TYPE_I16, "I16", 1, 2, 1),
    T(MN_TYPE_I32, "I32", 1, 4, 1),
    T(MN_TYPE_I64, "I64", 1, 8, 1),
    T(MN_TYPE_F64, "F64", 1, 8, 1),
    T(MN_TYPE_IQ1_M, "IQ1_M", 256, 56, 0),
    Q(MN_TYPE_BF16, "BF16", 1, 2, bf16, MN_TYPE_F32, 1),
    Q(MN_TYPE_TQ1_0, "TQ1_0", 256, MN_SZ_TQ1_0, tq1_0, MN_TYPE_Q8_K, 1), /* 48 qs (base-3) + 4 qh + f16 */
    Q(MN_TYPE_TQ2_0, "TQ2_0", 256, MN_SZ_TQ2_0, tq2_0, MN_TYPE_Q8_K, 1), /* 64 qs (2-bit) + f16 */
    T(MN_TYPE_MXFP4, "MXFP4", 32, 17, 0),  /* e8m0 scale + 16 B */
    T(MN_TYPE_NVFP4, "NVFP4", 64, 36, 0),
};

const mn_type_traits *mn_type_info(uint32_t type)
{
    if (type >= MN_TYPE_COUNT || mn_type_table[type].block_size == 0) return NULL;
    return &mn_type_table[type];
}

int mn_type_nbytes(uint32_t type, const int64_t ne[4], uint64_t *bytes)
{
    const mn_type_traits *t = mn_type_info(type);
    if (!t) return 1;
    for (int i = 0; i < 4; i++)
        if (ne[i] < 0) return 3;
    if ((uint64_t)ne[0] % t->block_size != 0) return 2;
    for (int i = 0; i < 4; i++)
        if (ne[i] == 0) { *bytes = 0; return 0; } /* empty: ggml allows it, whatever the other dims */
    /* ggml requires the element count to be representable as int64 */
    uint64_t n = 1, blocks;
    for (int i = 0; i < 4; i++)
        if (!mn_mul_u64(n, (uint64_t)ne[i], &n) || n > (uint64_t)INT64_MAX) return 3;
    blocks = n / t->block_size; /* exact: ne[0] is a multiple of it */
    if (!mn_mul_u64(blocks, t->type_size, bytes)) return 3;
    return 0;
}

/* Q4_0_R4 (quant.h): rows are not contiguous, so only the GEMV (whole
 * bands); no vec_dot / dequantize_row / GEMM tile (the GEMM runs the GEMV
 * per token). */
static const mn_type_traits q4_0_r4 = {
    .type = MN_TYPE_Q4_0_R4, .name = "Q4_0_R4", .block_size = 32, .type_size = MN_SZ_Q4_0, .supported = 1,
    .vec_dot_type = MN_TYPE_Q8_0, .gemv_rows = mn_gemv_rows_q4_0_r4,
};

const mn_qtraits *mn_qtraits_get(uint32_t type)
{
    if (type == MN_TYPE_Q4_0_R4) return &q4_0_r4;
    const mn_type_traits *t = mn_type_info(type);
    return t && t->dequantize_row ? t : NULL;
}

size_t mn_qrow_size(uint32_t type, size_t n)
{
    const mn_qtraits *t = mn_qtraits_get(type);
    if (!t || n % t->block_size) return 0;
    return n / t->block_size * t->type_size;
}
