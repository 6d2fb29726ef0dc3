/* quant.c - the trait table of the quantized tensor types (see quant.h). */
#include "tensor/quant_internal.h"

#define DOT_1(T) mn_vec_dot_##T, mn_vec_dot_##T##_ref
#define DOT_0(T) NULL, NULL
#define ENTRY(ID, NAME, BS, TS, T, VDT, HASDOT) \
    [ID] = {ID, NAME, BS, TS, mn_dequantize_row_##T, mn_dequantize_row_##T##_ref, VDT, \
            DOT_##HASDOT(T), mn_quantize_row_##T}

static const mn_qtraits table[MN_Q_TYPE_LIMIT] = {
    ENTRY(MN_Q_F32,   "F32",   1,   4,           f32,   MN_Q_F32,  1),
    ENTRY(MN_Q_F16,   "F16",   1,   2,           f16,   MN_Q_F32,  1),
    ENTRY(MN_Q_BF16,  "BF16",  1,   2,           bf16,  MN_Q_F32,  1),
    ENTRY(MN_Q_Q4_0,  "Q4_0",  32,  MN_SZ_Q4_0,  q4_0,  MN_Q_Q8_0, 1),
    ENTRY(MN_Q_Q4_1,  "Q4_1",  32,  MN_SZ_Q4_1,  q4_1,  MN_Q_Q8_1, 1),
    ENTRY(MN_Q_Q5_0,  "Q5_0",  32,  MN_SZ_Q5_0,  q5_0,  MN_Q_Q8_0, 1),
    ENTRY(MN_Q_Q5_1,  "Q5_1",  32,  MN_SZ_Q5_1,  q5_1,  MN_Q_Q8_1, 1),
    ENTRY(MN_Q_Q8_0,  "Q8_0",  32,  MN_SZ_Q8_0,  q8_0,  MN_Q_Q8_0, 1),
    ENTRY(MN_Q_Q8_1,  "Q8_1",  32,  MN_SZ_Q8_1,  q8_1,  MN_Q_Q8_0, 1),
#if 1 /* K-quants */
    ENTRY(MN_Q_Q2_K,  "Q2_K",  256, MN_SZ_Q2_K,  q2_K,  MN_Q_Q8_K, 1),
    ENTRY(MN_Q_Q3_K,  "Q3_K",  256, MN_SZ_Q3_K,  q3_K,  MN_Q_Q8_K, 1),
    ENTRY(MN_Q_Q4_K,  "Q4_K",  256, MN_SZ_Q4_K,  q4_K,  MN_Q_Q8_K, 1),
    ENTRY(MN_Q_Q5_K,  "Q5_K",  256, MN_SZ_Q5_K,  q5_K,  MN_Q_Q8_K, 1),
    ENTRY(MN_Q_Q6_K,  "Q6_K",  256, MN_SZ_Q6_K,  q6_K,  MN_Q_Q8_K, 1),
    ENTRY(MN_Q_Q8_K,  "Q8_K",  256, MN_SZ_Q8_K,  q8_K,  MN_Q_Q8_K, 0),
#endif
#if 1 /* ternary */
    ENTRY(MN_Q_TQ1_0, "TQ1_0", 256, MN_SZ_TQ1_0, tq1_0, MN_Q_Q8_K, 1),
    ENTRY(MN_Q_TQ2_0, "TQ2_0", 256, MN_SZ_TQ2_0, tq2_0, MN_Q_Q8_K, 1),
#endif
};

const mn_qtraits *mn_qtraits_get(uint32_t type)
{
    if (type >= MN_Q_TYPE_LIMIT || table[type].name == NULL) return NULL;
    return &table[type];
}

size_t mn_qrow_size(uint32_t type, size_t n)
{
    const mn_qtraits *t = mn_qtraits_get(type);
    if (!t || n % t->block_size) return 0;
    return n / t->block_size * t->type_size;
}
