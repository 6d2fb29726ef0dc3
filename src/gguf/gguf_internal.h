/* Internal helpers shared by the GGUF reader and writer. */
#ifndef MN_GGUF_INTERNAL_H
#define MN_GGUF_INTERNAL_H
#include "minnow_gguf.h"
#include <stdint.h>
#include <string.h>

#define MN_GGUF_MAGIC "GGUF"
#define MN_GGUF_KEY_ALIGNMENT "general.alignment"

/* Byte size of a fixed-size value type; 0 for string, array and unknown types. */
static inline size_t mn_gguf_value_size(uint32_t t)
{
    static const unsigned char k[MN_GGUF_TYPE_COUNT_] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return t < MN_GGUF_TYPE_COUNT_ ? k[t] : 0;
}

/* Little-endian loads/stores, byte by byte: the file is little-endian and
 * unaligned whatever the host. */
static inline uint16_t mn_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t mn_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t mn_le64(const uint8_t *p) { return (uint64_t)mn_le32(p) | ((uint64_t)mn_le32(p + 4) << 32); }
static inline void mn_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void mn_st64(uint8_t *p, uint64_t v) { mn_st32(p, (uint32_t)v); mn_st32(p + 4, (uint32_t)(v >> 32)); }

/* Round v up to a power-of-two alignment; 0 on overflow (v > 0 never rounds to 0). */
static inline int mn_align_u64(uint64_t v, uint64_t align, uint64_t *out)
{
    if (v > UINT64_MAX - (align - 1)) return 0;
    *out = (v + align - 1) & ~(align - 1);
    return 1;
}

/* The serialized value of key kid inside the file (everything after its type
 * field: a scalar, a length-prefixed string, or an array's element type,
 * count and elements), already validated by the reader: what
 * mn_gguf_writer_copy_key() copies verbatim. @return 0 if kid is out of range. */
int mn_gguf_raw_value(const mn_gguf *g, size_t kid, const uint8_t **p, size_t *n);

/* A writable view of [p, p + n) when the handle owns its bytes (read into
 * memory, or a chunked loader's buffer; not mmap'ed, not an open_memory
 * buffer) and the range lies inside them; else NULL. Only the owner of the
 * handle may write (mn_model rearranges weights it owns: Q4_0_R4). */
void *mn_gguf_writable(mn_gguf *g, const void *p, size_t n);
#endif
