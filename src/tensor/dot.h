/* Dot products over raw vectors (internal). Shapes: a, b: [n]. Each kernel has
 * a scalar _ref twin that defines its result bit for bit. */
#ifndef MN_TENSOR_DOT_H
#define MN_TENSOR_DOT_H
#include <stddef.h>
#include <stdint.h>
int32_t mn_dot_i8_ref(const int8_t *a, const int8_t *b, size_t n);
int32_t mn_dot_i8(const int8_t *a, const int8_t *b, size_t n);
float mn_dot_f32_ref(const float *w, const float *x, size_t n);
float mn_dot_f32(const float *w, const float *x, size_t n);
#endif
