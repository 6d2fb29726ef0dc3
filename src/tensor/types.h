/*
 * types.h - the ggml tensor type table (internal), indexed by ggml's numeric
 * type id as stored in GGUF files.
 *
 * Contract: ids are ggml's (F32=0 .. TQ2_0=35, MXFP4=39, NVFP4=40); ids ggml
 * removed (4, 5, 31..33, 36..38) and ids past the table have no entry
 * (mn_type_info() returns NULL). An entry with supported == 0 has known sizes
 * (so a file using it can be validated and listed) but minnow cannot compute
 * with it yet. A tensor row [ne0] of type t takes ne0 / block_size * type_size
 * bytes; ne0 must be a multiple of block_size.
 * Sizes follow ggml's block structs in ggml-common.h (QK_K = 256).
 * Kernels (dequantize, dot) are added to mn_type_traits later, one field each.
 */
#ifndef MN_TENSOR_TYPES_H
#define MN_TENSOR_TYPES_H
#include <stddef.h>
#include <stdint.h>

enum {
    MN_TYPE_F32 = 0, MN_TYPE_F16 = 1, MN_TYPE_Q4_0 = 2, MN_TYPE_Q4_1 = 3,
    MN_TYPE_Q5_0 = 6, MN_TYPE_Q5_1 = 7, MN_TYPE_Q8_0 = 8, MN_TYPE_Q8_1 = 9,
    MN_TYPE_Q2_K = 10, MN_TYPE_Q3_K = 11, MN_TYPE_Q4_K = 12, MN_TYPE_Q5_K = 13,
    MN_TYPE_Q6_K = 14, MN_TYPE_Q8_K = 15,
    MN_TYPE_IQ2_XXS = 16, MN_TYPE_IQ2_XS = 17, MN_TYPE_IQ3_XXS = 18, MN_TYPE_IQ1_S = 19,
    MN_TYPE_IQ4_NL = 20, MN_TYPE_IQ3_S = 21, MN_TYPE_IQ2_S = 22, MN_TYPE_IQ4_XS = 23,
    MN_TYPE_I8 = 24, MN_TYPE_I16 = 25, MN_TYPE_I32 = 26, MN_TYPE_I64 = 27, MN_TYPE_F64 = 28,
    MN_TYPE_IQ1_M = 29, MN_TYPE_BF16 = 30, MN_TYPE_TQ1_0 = 34, MN_TYPE_TQ2_0 = 35,
    MN_TYPE_MXFP4 = 39, MN_TYPE_NVFP4 = 40,
    MN_TYPE_COUNT = 41 /* table size: ids >= this are unknown */
};

typedef struct mn_type_traits {
    const char *name;    /* "F32", "Q4_K", ...; NULL for an id with no entry */
    uint32_t block_size; /* elements per block (1 for plain types); 0 = no entry */
    uint32_t type_size;  /* bytes per block */
    int supported;       /* 1: minnow computes with it; 0: sizes known, kernels missing */
} mn_type_traits;

extern const mn_type_traits mn_type_table[MN_TYPE_COUNT];

/* @return the entry of a ggml type id, or NULL if the id is unknown or removed. */
const mn_type_traits *mn_type_info(uint32_t type);

/*
 * Byte size of a tensor of `type` with dims ne[0..3] (each >= 0; unused = 1).
 * @return 0 and *bytes set; 1 if the type is unknown; 2 if ne[0] is not a
 *         multiple of the block size; 3 if the element count exceeds INT64_MAX
 *         or the byte count overflows uint64 (ggml's limits).
 */
int mn_type_nbytes(uint32_t type, const int64_t ne[4], uint64_t *bytes);
#endif
