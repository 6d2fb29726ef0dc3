/* Dot products over raw vectors (internal). Shapes: a, b: [n]. Each kernel has
 * a scalar _ref twin that defines its result bit for bit. */
#ifndef MN_TENSOR_DOT_H
#define MN_TENSOR_DOT_H
#include <stddef.h>
#include <stdint.h>
#include "minnow.h"

/* Kernels stay out-of-line: they are the named units that profiles show and
 * that scripts/check-simd disassembles (the wasm module also exports them, as
 * Emscripten's wasm-opt inlines across the noinline attribute). The vector
 * versions of the two below are public: mn_dot_f32, mn_dot_i8 in minnow.h. */
#if defined(__GNUC__) || defined(__clang__)
#define MN_KERNEL __attribute__((noinline))
#else
#define MN_KERNEL
#endif
int32_t mn_dot_i8_ref(const int8_t *a, const int8_t *b, size_t n);
float mn_dot_f32_ref(const float *w, const float *x, size_t n);
#endif
