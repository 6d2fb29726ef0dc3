/*
 * minnow_gguf.h - read (and write) GGUF v2/v3 files, never trusting them.
 *
 * Contract, in the order that bites:
 *  - Opening validates the whole header, metadata and tensor table against the
 *    end of the data before anything is used, with one status code per check
 *    (MN_E_GGUF_*, see minnow.h). A handle that exists is internally
 *    consistent: every tensor's data lies inside the file, aligned, without
 *    overlap, and every pointer an accessor returns is in bounds.
 *  - Open failures have no handle to carry a message: pass an optional
 *    (err, errCapacity) buffer to receive it (NUL-terminated, truncated to fit).
 *  - Zero-copy: strings and tensor data returned by accessors point into the
 *    file bytes. Metadata strings are NOT NUL-terminated (use the length);
 *    key and tensor names are (they are copied at open).
 *    mn_gguf_open_memory() borrows the caller's buffer: it must stay alive
 *    and unmodified until mn_gguf_free().
 *  - Multi-byte values in the file are little-endian and may be unaligned;
 *    the getters decode them. Tensor data is aligned to mn_gguf_alignment()
 *    relative to the start of the file (and files opened here start on a
 *    64-byte boundary, except open_memory buffers, which are the caller's).
 *  - Fallible accessors record their message in the handle (mn_gguf_error()):
 *    don't call them on one handle from several threads at once. The const
 *    (infallible) accessors are thread-safe.
 *  - Acceptance matches llama.cpp's gguf.cpp: versions 2 and 3; keys non-empty
 *    and unique; general.alignment, if present, a u32 power of two (default
 *    32); tensor names unique and < 64 bytes; 0..4 dims, each >= 0 (a
 *    zero-element tensor is valid, as in ggml); element count <= INT64_MAX;
 *    ne[0] a multiple of the type's block size. minnow is stricter in one
 *    way and looser in one: tensor data must lie inside the file
 *    (MN_E_GGUF_RANGE, llama.cpp finds out on read) and types minnow cannot
 *    compute yet are refused unless MN_GGUF_ALLOW_UNSUPPORTED; tensors may
 *    be stored in any order with gaps, as long as each offset is aligned and
 *    no two overlap (llama.cpp requires the exact packed layout it writes).
 */
#ifndef MINNOW_GGUF_H
#define MINNOW_GGUF_H

#include "minnow.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MN_GGUF_DEFAULT_ALIGNMENT 32u
#define MN_GGUF_MAX_DIMS 4
#define MN_GGUF_NAME_MAX 64 /* a tensor name has at most MN_GGUF_NAME_MAX - 1 bytes (ggml's GGML_MAX_NAME) */

/* Metadata value types (the numbers stored in the file). */
typedef enum mn_gguf_type {
    MN_GGUF_U8 = 0, MN_GGUF_I8 = 1, MN_GGUF_U16 = 2, MN_GGUF_I16 = 3,
    MN_GGUF_U32 = 4, MN_GGUF_I32 = 5, MN_GGUF_F32 = 6, MN_GGUF_BOOL = 7,
    MN_GGUF_STRING = 8, MN_GGUF_ARRAY = 9, MN_GGUF_U64 = 10, MN_GGUF_I64 = 11,
    MN_GGUF_F64 = 12,
    MN_GGUF_TYPE_COUNT_
} mn_gguf_type;

/* Open flags (OR them). */
#define MN_GGUF_ALLOW_UNSUPPORTED 1u /* accept tensor types whose sizes are known but which
                                        minnow cannot compute with (IQ*, MXFP4): for inspection */
#define MN_GGUF_NO_MMAP 2u           /* mn_gguf_open_file: read into memory even where mmap exists */

typedef struct mn_gguf mn_gguf;

/**
 * Open a GGUF file: mmap'ed read-only where POSIX mmap exists (native), else
 * read whole into one 64-byte-aligned allocation (WASI, Emscripten, or
 * MN_GGUF_NO_MMAP). The file must not be truncated while mapped.
 * @param err optional (may be NULL): receives the reason on failure.
 * @return MN_OK and *out set; MN_E_INVALID_ARG, MN_E_IO (open/read failed),
 *         MN_E_NOMEM (also: the file is larger than this address space), or a
 *         MN_E_GGUF_* code naming the first problem. *out is NULL on failure.
 */
MN_API mn_status mn_gguf_open_file(mn_gguf **out, const char *path, unsigned flags,
                                   char *err, size_t errCapacity);

/**
 * Open GGUF bytes in caller memory, zero-copy: data must outlive the handle
 * and stay unmodified. Same validation and results as mn_gguf_open_file().
 */
MN_API mn_status mn_gguf_open_memory(mn_gguf **out, const void *data, size_t size, unsigned flags,
                                     char *err, size_t errCapacity);

/** Unmaps/frees what the handle owns (never an open_memory buffer). NULL is a no-op. */
MN_API void mn_gguf_free(mn_gguf *g);

/** @return the last error message recorded in g ("" if none). */
MN_API const char *mn_gguf_error(const mn_gguf *g);

/* ------------------------------------------------------ streaming loader */
/* For bytes that arrive in chunks (the JS layer streams a download into wasm
 * memory). With a size hint the whole file is allocated once, up front, and
 * filled in place; without one the buffer grows by doubling. The header is
 * checked as soon as it arrives, so a non-GGUF stream fails on its first
 * chunk. Zero-copy path for JS: mn_gguf_loader_reserve() a destination, write
 * the chunk there, mn_gguf_loader_commit() it. */
typedef struct mn_gguf_loader mn_gguf_loader;

/**
 * @param sizeHint the exact total size if known (e.g. Content-Length), else 0.
 *        With a hint, mn_gguf_loader_finish() fails (MN_E_GGUF_TRUNCATED) if
 *        fewer bytes arrived; more bytes than hinted are accepted (the buffer grows).
 * @param flags as for mn_gguf_open_file().
 * @return MN_OK; MN_E_INVALID_ARG; MN_E_NOMEM (the hint cannot be allocated).
 */
MN_API mn_status mn_gguf_loader_create(mn_gguf_loader **out, uint64_t sizeHint, unsigned flags);
/** Append srcSize bytes. @return MN_OK, MN_E_NOMEM, MN_E_STATE (after finish),
 *  MN_E_GGUF_MAGIC / MN_E_GGUF_VERSION as soon as the header shows them. */
MN_API mn_status mn_gguf_loader_feed(mn_gguf_loader *l, const void *src, size_t srcSize);
/** Make room for `size` more bytes and set *dst to where they go (valid until
 *  the next loader call). @return MN_OK, MN_E_NOMEM, MN_E_STATE. */
MN_API mn_status mn_gguf_loader_reserve(mn_gguf_loader *l, size_t size, void **dst);
/** Append `size` bytes written at the last reserve()'s *dst (size <= reserved).
 *  @return as mn_gguf_loader_feed(); MN_E_INVALID_ARG if size exceeds the reservation. */
MN_API mn_status mn_gguf_loader_commit(mn_gguf_loader *l, size_t size);
/**
 * Parse what arrived; on success the handle takes over the buffer (no copy)
 * and the loader is spent (free it). @return as mn_gguf_open_memory(); the
 * message is in mn_gguf_loader_error(). MN_E_STATE if called twice.
 */
MN_API mn_status mn_gguf_loader_finish(mn_gguf_loader *l, mn_gguf **out);
/**
 * The file's keys as soon as they have arrived, before the tensors (e.g. to
 * build the tokenizer while the weights download): a handle over the bytes
 * received so far with every key and no tensors (mn_gguf_n_tensors() is 0).
 * It borrows the loader's buffer: use it before the next loader call, then
 * mn_gguf_free() it. Cheap when it fails (it stops at the first missing byte),
 * so it may be tried after each chunk.
 * @return MN_OK and *out; MN_E_STATE after finish(); MN_E_NOMEM; otherwise
 *         the MN_E_GGUF_* status of the keys read from the bytes so far
 *         (typically MN_E_GGUF_TRUNCATED or MN_E_GGUF_STRING while they are
 *         incomplete: try again with more bytes; finish() judges the file).
 */
MN_API mn_status mn_gguf_loader_metadata(mn_gguf_loader *l, mn_gguf **out);
/** @return bytes received so far. */
MN_API uint64_t mn_gguf_loader_size(const mn_gguf_loader *l);
MN_API const char *mn_gguf_loader_error(const mn_gguf_loader *l);
MN_API void mn_gguf_loader_free(mn_gguf_loader *l);

/* ------------------------------------------------------------ file facts */
MN_API uint32_t mn_gguf_version(const mn_gguf *g);
/** @return general.alignment, or 32 when absent. */
MN_API uint32_t mn_gguf_alignment(const mn_gguf *g);
/** @return the file offset where the data section starts: the end of the
 *  tensor table rounded up to the alignment (not rounded when there are no tensors). */
MN_API uint64_t mn_gguf_data_offset(const mn_gguf *g);
MN_API uint64_t mn_gguf_file_size(const mn_gguf *g);
/** @return the file's bytes (e.g. to hash them for a model id); size in *size (may be NULL). */
MN_API const void *mn_gguf_bytes(const mn_gguf *g, size_t *size);

/* -------------------------------------------------------------- metadata */
/* Keys are addressed by index 0..n_kv-1 (file order); mn_gguf_find_key()
 * gives the index of a name (byte-wise compare, O(log n)). */
MN_API size_t mn_gguf_n_kv(const mn_gguf *g);
/** @return key i (NUL-terminated; a key containing a NUL byte is cut there
 *  for display, see mn_gguf_key_len()), or NULL if i is out of range. */
MN_API const char *mn_gguf_key(const mn_gguf *g, size_t i);
/** @return the byte length of key i (0 if out of range). */
MN_API size_t mn_gguf_key_len(const mn_gguf *g, size_t i);
/** @return the value type of key i (an mn_gguf_type), or -1 if i is out of range. */
MN_API int mn_gguf_key_type(const mn_gguf *g, size_t i);
/** @return MN_OK and *index set; MN_E_GGUF_KEY_MISSING if absent; MN_E_INVALID_ARG. */
MN_API mn_status mn_gguf_find_key(mn_gguf *g, const char *key, size_t *index);
/** @return "u8", "i8", ..., "string", "array", "f64"; "?" for others. */
MN_API const char *mn_gguf_type_name(int type);

/*
 * Typed getters, by key index. Each returns MN_OK and *out; MN_E_INVALID_ARG
 * for a bad index or NULL out; MN_E_GGUF_KEY_TYPE when the stored type is not
 * the requested one and does not widen to it losslessly. Widening is by type,
 * never by value: u8 -> u16/i16/u32/i32/u64/i64; i8 -> i16/i32/i64;
 * u16 -> u32/i32/u64/i64; i16 -> i32/i64; u32 -> u64/i64; i32 -> i64;
 * f32 -> f64. Nothing else converts (no signed -> unsigned, no int <-> float,
 * no narrowing, bool only as bool). bool: *out is 0 or 1 (any nonzero byte is 1).
 */
MN_API mn_status mn_gguf_get_u8(mn_gguf *g, size_t kid, uint8_t *out);
MN_API mn_status mn_gguf_get_i8(mn_gguf *g, size_t kid, int8_t *out);
MN_API mn_status mn_gguf_get_u16(mn_gguf *g, size_t kid, uint16_t *out);
MN_API mn_status mn_gguf_get_i16(mn_gguf *g, size_t kid, int16_t *out);
MN_API mn_status mn_gguf_get_u32(mn_gguf *g, size_t kid, uint32_t *out);
MN_API mn_status mn_gguf_get_i32(mn_gguf *g, size_t kid, int32_t *out);
MN_API mn_status mn_gguf_get_u64(mn_gguf *g, size_t kid, uint64_t *out);
MN_API mn_status mn_gguf_get_i64(mn_gguf *g, size_t kid, int64_t *out);
MN_API mn_status mn_gguf_get_f32(mn_gguf *g, size_t kid, float *out);
MN_API mn_status mn_gguf_get_f64(mn_gguf *g, size_t kid, double *out);
MN_API mn_status mn_gguf_get_bool(mn_gguf *g, size_t kid, int *out);
/** A string value: *str points into the file, NOT NUL-terminated; *len bytes.
 *  The bytes are not checked to be UTF-8 (llama.cpp does not either). */
MN_API mn_status mn_gguf_get_str(mn_gguf *g, size_t kid, const char **str, size_t *len);

/** An array's element type and length. @return MN_E_GGUF_KEY_TYPE if not an array. */
MN_API mn_status mn_gguf_get_arr_info(mn_gguf *g, size_t kid, int *elemType, size_t *n);
/** Raw elements of a numeric/bool array: n packed little-endian values of
 *  *elemSize bytes each, possibly unaligned (memcpy them).
 *  @return MN_E_GGUF_KEY_TYPE for a string array or a non-array. */
MN_API mn_status mn_gguf_get_arr_data(mn_gguf *g, size_t kid, const void **data, size_t *elemSize);
/* Element i of an array, with the widening rules above; MN_E_INVALID_ARG if i >= n. */
MN_API mn_status mn_gguf_get_arr_u8(mn_gguf *g, size_t kid, size_t i, uint8_t *out);
MN_API mn_status mn_gguf_get_arr_i8(mn_gguf *g, size_t kid, size_t i, int8_t *out);
MN_API mn_status mn_gguf_get_arr_u16(mn_gguf *g, size_t kid, size_t i, uint16_t *out);
MN_API mn_status mn_gguf_get_arr_i16(mn_gguf *g, size_t kid, size_t i, int16_t *out);
MN_API mn_status mn_gguf_get_arr_u32(mn_gguf *g, size_t kid, size_t i, uint32_t *out);
MN_API mn_status mn_gguf_get_arr_i32(mn_gguf *g, size_t kid, size_t i, int32_t *out);
MN_API mn_status mn_gguf_get_arr_u64(mn_gguf *g, size_t kid, size_t i, uint64_t *out);
MN_API mn_status mn_gguf_get_arr_i64(mn_gguf *g, size_t kid, size_t i, int64_t *out);
MN_API mn_status mn_gguf_get_arr_f32(mn_gguf *g, size_t kid, size_t i, float *out);
MN_API mn_status mn_gguf_get_arr_f64(mn_gguf *g, size_t kid, size_t i, double *out);
MN_API mn_status mn_gguf_get_arr_bool(mn_gguf *g, size_t kid, size_t i, int *out);
/** String element i (points into the file, NOT NUL-terminated). */
MN_API mn_status mn_gguf_get_arr_str(mn_gguf *g, size_t kid, size_t i, const char **str, size_t *len);

/* --------------------------------------------------------------- tensors */
typedef struct mn_gguf_tensor {
    const char *name;   /* NUL-terminated, < MN_GGUF_NAME_MAX bytes */
    uint32_t n_dims;    /* 0..4 as stored (0: a scalar, ne all 1) */
    uint32_t type;      /* ggml type id (mn_ggml_type_name()) */
    int64_t ne[MN_GGUF_MAX_DIMS]; /* elements per dim, ne[0] fastest; unused dims are 1 */
    uint64_t offset;    /* relative to the data section (mn_gguf_data_offset()) */
    size_t nbytes;      /* bytes of data (fits: it lies inside the file) */
    const void *data;   /* the tensor's bytes inside the file */
} mn_gguf_tensor;

MN_API size_t mn_gguf_n_tensors(const mn_gguf *g);
/** Tensor i in table order. @return MN_OK and *out; MN_E_INVALID_ARG if i is out of range. */
MN_API mn_status mn_gguf_tensor_info(mn_gguf *g, size_t i, mn_gguf_tensor *out);
/** @return MN_OK and *index; MN_E_GGUF_TENSOR_MISSING if no tensor has that name. */
MN_API mn_status mn_gguf_find_tensor(mn_gguf *g, const char *name, size_t *index);

/** @return the name of a ggml type id ("F32", "Q4_K", ...), or NULL if unknown. */
MN_API const char *mn_ggml_type_name(uint32_t type);
/** @return 1 if minnow can compute with a ggml type (not only list it), else 0. */
MN_API int mn_ggml_type_supported(uint32_t type);

/* ---------------------------------------------------------------- writer */
/* Builds a GGUF file llama.cpp reads: keys in insertion order, tensors in
 * insertion order at increasing offsets, each padded to the alignment, the
 * data section at the aligned end of the tensor table, padding bytes zero
 * (the layout gguf.cpp writes). Inputs are validated as the reader would. */
typedef struct mn_gguf_writer mn_gguf_writer;

/**
 * @param version 2 or 3 (0 means 3).
 * @param alignment a power of two (0 means 32); other than 32, the writer
 *        adds general.alignment (u32) as the first key.
 * @return MN_OK; MN_E_INVALID_ARG; MN_E_NOMEM.
 */
MN_API mn_status mn_gguf_writer_create(mn_gguf_writer **out, uint32_t version, uint32_t alignment);
MN_API void mn_gguf_writer_free(mn_gguf_writer *w);
MN_API const char *mn_gguf_writer_error(const mn_gguf_writer *w);

/* Add one key. @return MN_OK; MN_E_GGUF_DUP_KEY; MN_E_INVALID_ARG (empty key,
 * NULL data, bad type); MN_E_NOMEM. Keys are byte strings
 * given with their length; use strlen() for C strings. */
MN_API mn_status mn_gguf_writer_add_scalar(mn_gguf_writer *w, const char *key, size_t keyLen,
                                           int type, const void *value);
MN_API mn_status mn_gguf_writer_add_u32(mn_gguf_writer *w, const char *key, uint32_t v);
MN_API mn_status mn_gguf_writer_add_i32(mn_gguf_writer *w, const char *key, int32_t v);
MN_API mn_status mn_gguf_writer_add_u64(mn_gguf_writer *w, const char *key, uint64_t v);
MN_API mn_status mn_gguf_writer_add_f32(mn_gguf_writer *w, const char *key, float v);
MN_API mn_status mn_gguf_writer_add_bool(mn_gguf_writer *w, const char *key, int v);
MN_API mn_status mn_gguf_writer_add_str(mn_gguf_writer *w, const char *key, const char *str, size_t len);
/** A numeric/bool array: n packed elements of elemType (host order = little-endian on every target). */
MN_API mn_status mn_gguf_writer_add_arr(mn_gguf_writer *w, const char *key, int elemType,
                                        const void *elems, size_t n);
/** An array of n strings; lens may be NULL for NUL-terminated strs. */
MN_API mn_status mn_gguf_writer_add_arr_str(mn_gguf_writer *w, const char *key,
                                            const char *const *strs, const size_t *lens, size_t n);
/** Copy key `kid` of an open file (name, type and value bytes, verbatim) into w.
 *  @return as the add functions; MN_E_INVALID_ARG for a bad index. */
MN_API mn_status mn_gguf_writer_copy_key(mn_gguf_writer *w, mn_gguf *src, size_t kid);
/**
 * Add a tensor. ne: n_dims values (n_dims 0..4), each >= 0; data: exactly
 * the tensor's byte size, borrowed until the last write (not copied).
 * @return MN_OK; MN_E_GGUF_DUP_TENSOR; MN_E_GGUF_DIMS / _DIM_OVERFLOW /
 *         _TENSOR_TYPE / _SHAPE; MN_E_GGUF_STRING (name too long);
 *         MN_E_INVALID_ARG (dataSize differs from the tensor's size); MN_E_NOMEM.
 */
MN_API mn_status mn_gguf_writer_add_tensor(mn_gguf_writer *w, const char *name, uint32_t type,
                                           uint32_t n_dims, const int64_t *ne,
                                           const void *data, size_t dataSize);
/**
 * Produces a tensor's bytes when the file is written: fill dst[0..size)
 * (size = the tensor's exact byte size). tensorIndex is the tensor's position
 * in insertion order. @return MN_OK, or an error that aborts the write.
 */
typedef mn_status (*mn_gguf_fill_fn)(void *user, size_t tensorIndex, void *dst, size_t size);
/**
 * Like mn_gguf_writer_add_tensor(), but the data is produced by fill() at
 * write time, so a file can be written holding one tensor in memory at a time
 * (mn_gguf_writer_write_file streams; mn_gguf_writer_write fills dst in place).
 * fill may be called once per write. Same errors as add_tensor.
 */
MN_API mn_status mn_gguf_writer_add_tensor_fn(mn_gguf_writer *w, const char *name, uint32_t type,
                                              uint32_t n_dims, const int64_t *ne,
                                              mn_gguf_fill_fn fill, void *user);
/** @return the number of tensors added so far. */
MN_API size_t mn_gguf_writer_n_tensors(const mn_gguf_writer *w);
/** @return the total file size, or an error (MN_E_OVERFLOW) tested with mn_is_error(). */
MN_API size_t mn_gguf_writer_size(const mn_gguf_writer *w);
/** Serialize into dst. @return the bytes written, or an error (MN_E_DST_TOO_SMALL,
 *  MN_E_OVERFLOW) tested with mn_is_error(). Can be called again. */
MN_API size_t mn_gguf_writer_write(mn_gguf_writer *w, void *dst, size_t dstCapacity);
/** Serialize to a file, streaming (the header plus one produced tensor in
 *  memory). @return MN_OK, MN_E_IO, MN_E_OVERFLOW, MN_E_NOMEM, or a fill error. */
MN_API mn_status mn_gguf_writer_write_file(mn_gguf_writer *w, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* MINNOW_GGUF_H */
