/*
 * quant_legacy_vnni.c - the legacy GEMV / GEMM kernels of quant_legacy.c
 * compiled again for AVX512-VNNI + AVX512VL (128-bit vpdpbusd) and F16C, x86-64 native
 * builds only: CMake gives this file -mavx512vnni -mavx512vl and the library
 * MN_Q_VNNI_KERNELS=1. Nothing here runs unless quant_legacy.c's entry points
 * find the instructions at run time (mn_q_vnni); the outputs are the same
 * bits as the SSE4.1 kernels' (exact integer sums, the same float steps).
 * Elsewhere (wasm, WASI, aarch64, other compilers) this file is empty.
 */
#if defined(MN_Q_VNNI_KERNELS) && MN_Q_VNNI_KERNELS && defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define MN_Q_VNNI 1
/* F16C too (vcvtph2ps for the weight scales; every AVX-512 CPU has it, and
 * mn_q_vnni checks): a target for these functions only, CMake's flags stay.
 * No ymm/zmm from the auto-vectoriser (-mavx512vl made GCC turn tok4_fill
 * into 512-bit permutes): CMake adds -mprefer-vector-width=128 (both
 * compilers), and GCC's pragma says it again. Every kernel stays 128-bit. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("f16c"))), apply_to = function)
#include "quant_legacy.c"
#pragma clang attribute pop
#else
#pragma GCC target("f16c,prefer-vector-width=128")
#include "quant_legacy.c"
#endif
#else
typedef int mn_quant_legacy_vnni_empty; /* ISO C wants a declaration in every file */
#endif
