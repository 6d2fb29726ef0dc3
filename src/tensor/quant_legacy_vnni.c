/*
 * quant_legacy_vnni.c - the legacy GEMV / GEMM kernels of quant_legacy.c
 * compiled again for AVX512-VNNI + AVX512VL (128-bit vpdpbusd), x86-64 native
 * builds only: CMake gives this file -mavx512vnni -mavx512vl and the library
 * MN_Q_VNNI_KERNELS=1. Nothing here runs unless quant_legacy.c's entry points
 * find the instructions at run time (mn_q_vnni); the outputs are the same
 * bits as the SSE4.1 kernels' (exact integer sums, the same float steps).
 * Elsewhere (wasm, WASI, aarch64, other compilers) this file is empty.
 */
#if defined(MN_Q_VNNI_KERNELS) && MN_Q_VNNI_KERNELS && defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define MN_Q_VNNI 1
#include "quant_legacy.c"
#else
typedef int mn_quant_legacy_vnni_empty; /* ISO C wants a declaration in every file */
#endif
