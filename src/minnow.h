/*
 * minnow.h - the public C API of minnow.
 *
 * Contract, in the order that bites:
 *  - Every fallible function returns an mn_status (0 = MN_OK) or, where it
 *    produces a size, a size_t that is either the size or an error code
 *    tested with mn_is_error() (zstd style). Nothing in the library calls
 *    abort() or exit(); bad input is an error code, never a crash.
 *  - There is no global error state. Handles carry their last error message
 *    (e.g. mn_hasher_error()); mn_status_name()/mn_status_message() describe
 *    a code without a handle.
 *  - Buffers are caller-owned: (dst, dstCapacity, src, srcSize) order.
 *  - Sizes are size_t; on wasm32 they are 32-bit unsigned (addresses above
 *    2 GiB stay positive).
 *  - Constants are available as functions too, so bindings can query them.
 *  - Thread safety: functions without a handle are safe from any thread; a
 *    handle is used by one thread at a time unless its header says otherwise
 *    (an mn_model and an open mn_gguf are read-only and shareable; an
 *    mn_pool, mn_ctx, mn_tokenizer or mn_hasher is not). docs/api.md sums it up.
 *  - Public headers: this one and the area headers it includes at the end
 *    (minnow_gguf.h, minnow_tok.h, minnow_model.h); every other header under
 *    src/ is private. Link with -lminnow -lsodium -lpthread -lm (pkg-config
 *    minnow after `cmake --install`).
 */
#ifndef MINNOW_H
#define MINNOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MN_BUILD_SHARED)
#define MN_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define MN_API __attribute__((visibility("default")))
#else
#define MN_API
#endif

/* ---------------------------------------------------------------- version */
#define MN_VERSION_MAJOR 0
#define MN_VERSION_MINOR 1
#define MN_VERSION_PATCH 0
#define MN_VERSION_NUMBER (MN_VERSION_MAJOR * 10000 + MN_VERSION_MINOR * 100 + MN_VERSION_PATCH)

/** @return the version as "MAJOR.MINOR.PATCH" (static string, never NULL). */
MN_API const char *mn_version(void);
/** @return MN_VERSION_NUMBER of the library actually linked. */
MN_API unsigned mn_version_number(void);

/* ----------------------------------------------------------------- status */
/* Codes are stable: new ones are appended, none is renumbered.
 * Ranges: 1..99 general, 100..199 GGUF, 200..299 tokenizer, 300..399 model,
 * 400..499 codecs. */
typedef enum mn_status {
    MN_OK = 0,
    MN_E_INVALID_ARG = 1,     /* a NULL pointer, zero size or out-of-range parameter */
    MN_E_NOMEM = 2,           /* an allocation failed (or would exceed a cap) */
    MN_E_IO = 3,              /* open/read/write/mmap failed */
    MN_E_DST_TOO_SMALL = 4,   /* dstCapacity is not enough; nothing partial is promised */
    MN_E_CORRUPT = 5,         /* malformed input not covered by a more specific code */
    MN_E_UNSUPPORTED = 6,     /* valid input this build does not handle */
    MN_E_THREADS = 7,         /* thread creation failed, or threads unavailable here */
    MN_E_CRYPTO = 8,          /* libsodium failed to initialise or refused */
    MN_E_OVERFLOW = 9,        /* a size computation would overflow size_t */
    MN_E_STATE = 10,          /* the handle is not in a state that allows this call */
    MN_E_ID_MISMATCH = 11,    /* a model id differs from the one expected */

    /* GGUF (src/gguf/) */
    MN_E_GGUF_MAGIC = 100,        /* not a GGUF file */
    MN_E_GGUF_VERSION = 101,      /* GGUF version other than 2 or 3 */
    MN_E_GGUF_TRUNCATED = 102,    /* the file ends inside the header, metadata or tensor table */
    MN_E_GGUF_COUNT = 103,        /* tensor or key-value count larger than the file can hold */
    MN_E_GGUF_STRING = 104,       /* string length beyond the file, or not valid UTF-8 where required */
    MN_E_GGUF_VALUE_TYPE = 105,   /* unknown metadata value type */
    MN_E_GGUF_ARRAY = 106,        /* bad array element type, nested array, or length beyond the file */
    MN_E_GGUF_DUP_KEY = 107,      /* a metadata key appears twice */
    MN_E_GGUF_ALIGNMENT = 108,    /* general.alignment is not a power of two (or not u32) */
    MN_E_GGUF_DIMS = 109,         /* n_dims > 4, or a negative dimension (0..4 dims and ne >= 0 are valid, as in llama.cpp) */
    MN_E_GGUF_DIM_OVERFLOW = 110, /* the element or byte count of a tensor overflows */
    MN_E_GGUF_TENSOR_TYPE = 111,  /* unknown or unsupported tensor type */
    MN_E_GGUF_SHAPE = 112,        /* ne[0] is not a multiple of the type's block size */
    MN_E_GGUF_OFFSET = 113,       /* a tensor offset is not aligned */
    MN_E_GGUF_RANGE = 114,        /* tensor data lies (partly) outside the file */
    MN_E_GGUF_OVERLAP = 115,      /* two tensors' data overlap */
    MN_E_GGUF_DUP_TENSOR = 116,   /* a tensor name appears twice */
    MN_E_GGUF_KEY_MISSING = 117,  /* a required metadata key is absent */
    MN_E_GGUF_KEY_TYPE = 118,     /* a metadata key has the wrong type */
    MN_E_GGUF_TENSOR_MISSING = 119, /* a required tensor is absent */

    /* tokenizers (src/tok/) */
    MN_E_TOK_INVALID_ID = 200,    /* a token id outside the vocabulary */
    MN_E_TOK_UTF8 = 201,          /* the text is not valid UTF-8 */

    /* models (src/model/) */
    MN_E_MODEL_ARCH = 300,        /* general.architecture is not one minnow runs */
    MN_E_MODEL_HPARAM = 301,      /* a hyper-parameter is out of range or inconsistent */
    MN_E_MODEL_TENSOR = 302,      /* a tensor has the wrong shape or type for the architecture */
    MN_E_CTX_FULL = 303,          /* the tokens do not fit the context (n_ctx); nothing was evaluated */

    MN_STATUS_END_
} mn_status;

/** @return the identifier of a status code, e.g. "MN_E_NOMEM"; "MN_E_UNKNOWN" for
 *  others (static string, never NULL). Takes an int, not an mn_status, so that
 *  any number (a code from a newer library, a value read back from JS) is safe. */
MN_API const char *mn_status_name(int status);
/** @return a one-line English description of a status code (static string,
 *  never NULL; a generic sentence for unknown codes). */
MN_API const char *mn_status_message(int status);

/* zstd-style size results: a function returning size_t returns either a size
 * or (size_t)-status. */
#define MN_ERROR_SIZE(status) ((size_t) - (ptrdiff_t)(status))
/** @return 1 if a size_t result is an error code, else 0. */
MN_API int mn_is_error(size_t result);
/** @return the status code carried by a size_t result (MN_OK if it is a size). */
MN_API mn_status mn_error_code(size_t result);

/* ----------------------------------------------------------- build info */
/** @return the vec128 backend compiled in: "sse4.1", "neon", "wasm-simd128" or "ref". */
MN_API const char *mn_simd_backend(void);
/** @return the compilation target: "native", "wasm-st", "wasm-mt" or "wasi". */
MN_API const char *mn_target(void);
/** @return 1 if this build can run worker threads, else 0. */
MN_API int mn_threads_supported(void);
/** @return the largest thread count a pool accepts in this build (1 without threads). */
MN_API int mn_threads_max(void);

/**
 * Write a JSON object describing the build (version, target, simd backend,
 * threads, libsodium version) into dst, NUL-terminated.
 * @return the length written (excluding NUL), or an error (MN_E_DST_TOO_SMALL)
 *         tested with mn_is_error(). Never truncates silently.
 */
MN_API size_t mn_capabilities(char *dst, size_t dstCapacity);

/**
 * Run the built-in self-check: every vec128 op against its plain-C reference
 * on edge values and random vectors, and a parallel kernel on 1..threads
 * workers against a single-thread run.
 * @param report optional (may be NULL): receives a short human-readable report.
 * @return MN_OK if every check passed, MN_E_CORRUPT otherwise.
 */
MN_API mn_status mn_selftest(int threads, char *report, size_t reportCapacity);

/* ------------------------------------------------------ hashing and ids */
#define MN_BLAKE2B_BYTES_MIN 16u
#define MN_BLAKE2B_BYTES_MAX 64u
#define MN_BLAKE2B_KEYBYTES_MAX 64u
#define MN_MODEL_ID_BYTES 32u   /* a model id is BLAKE2b-256 of the file's bytes */
#define MN_MODEL_ID_HEX_BYTES 65u /* 64 hex digits + NUL */

/** @return MN_BLAKE2B_BYTES_MIN (16). */
MN_API size_t mn_blake2b_bytes_min(void);
/** @return MN_BLAKE2B_BYTES_MAX (64). */
MN_API size_t mn_blake2b_bytes_max(void);
/** @return MN_MODEL_ID_BYTES (32). */
MN_API size_t mn_model_id_bytes(void);

/**
 * BLAKE2b (RFC 7693), unkeyed or keyed, through libsodium.
 * @param dstCapacity the digest length: MN_BLAKE2B_BYTES_MIN..MN_BLAKE2B_BYTES_MAX.
 * @param key may be NULL when keySize == 0; keySize <= MN_BLAKE2B_KEYBYTES_MAX.
 * @return MN_OK, MN_E_INVALID_ARG or MN_E_CRYPTO.
 */
MN_API mn_status mn_blake2b(void *dst, size_t dstCapacity, const void *src, size_t srcSize,
                            const void *key, size_t keySize);

/** Incremental BLAKE2b: create, update any number of times, final once.
 *  One thread at a time per hasher. */
typedef struct mn_hasher mn_hasher;
/** @param digestBytes MN_BLAKE2B_BYTES_MIN..MN_BLAKE2B_BYTES_MAX.
 *  @return MN_OK and *out set, or MN_E_INVALID_ARG (out NULL, digestBytes out
 *  of range) / MN_E_NOMEM / MN_E_CRYPTO. */
MN_API mn_status mn_hasher_create(mn_hasher **out, size_t digestBytes);
/** Feed srcSize bytes (0 is allowed; src may then be NULL).
 *  @return MN_OK; MN_E_INVALID_ARG (h NULL, or src NULL with srcSize > 0);
 *  MN_E_STATE (after mn_hasher_final()); MN_E_CRYPTO. The state is unchanged on error. */
MN_API mn_status mn_hasher_update(mn_hasher *h, const void *src, size_t srcSize);
/** Writes the digest (dstCapacity must equal the digest size given at creation).
 *  @return MN_OK; MN_E_INVALID_ARG (h or dst NULL, another size); MN_E_STATE
 *  if already finalised; MN_E_CRYPTO. */
MN_API mn_status mn_hasher_final(mn_hasher *h, void *dst, size_t dstCapacity);
/** @return the last error message of h ("" if none; "NULL hasher" for NULL; never NULL). */
MN_API const char *mn_hasher_error(const mn_hasher *h);
/** Wipes and frees the hasher. NULL is a no-op. */
MN_API void mn_hasher_free(mn_hasher *h);

/**
 * Model id of a file: BLAKE2b-256 of its bytes, read in chunks.
 * @return MN_OK, MN_E_IO (cannot open/read; errno says why), MN_E_INVALID_ARG
 *         (dst or path NULL), MN_E_NOMEM, MN_E_CRYPTO.
 */
MN_API mn_status mn_model_id_file(uint8_t dst[MN_MODEL_ID_BYTES], const char *path);

/**
 * Lower-case hex of src into dst (NUL-terminated; dstCapacity >= 2 * srcSize + 1).
 * @return the number of characters written (excluding the NUL), or an error
 *         tested with mn_is_error(): MN_E_DST_TOO_SMALL, MN_E_INVALID_ARG (dst
 *         NULL, or src NULL with srcSize > 0).
 */
MN_API size_t mn_hex(char *dst, size_t dstCapacity, const void *src, size_t srcSize);

/* ------------------------------------------------------ thread pool */
/* A pool of worker threads with static, deterministic partitioning: a
 * parallel kernel splits its work into contiguous ranges fixed by the thread
 * count, and every kernel is written so its bits do not depend on that split
 * (a row is always computed whole, by one thread, in one order).
 * Single-thread builds (wasm/st, WASI) accept threads == 1 only.
 * The caller's thread works too: a pool of N threads starts N-1 workers. */
typedef struct mn_pool mn_pool;
/** @param threads 1..mn_threads_max(), or 0 for "all cores" (1 where threads are absent).
 *  @return MN_OK, MN_E_INVALID_ARG, MN_E_THREADS (creation failed), MN_E_NOMEM. */
MN_API mn_status mn_pool_create(mn_pool **out, int threads);
/** @return the pool's thread count (1 for NULL: a NULL pool runs inline). */
MN_API int mn_pool_threads(const mn_pool *pool);
/** Joins the workers and frees the pool. NULL is a no-op. */
MN_API void mn_pool_free(mn_pool *pool);

/**
 * dst[r] = dot(W[r, :], x) for r in 0..rows-1, f32, on the vec128 path.
 * W: [rows, cols] row-major, x: [cols], dst: [rows]. The dot product follows
 * the reference order of src/tensor/matvec_f32.c, so results are bit-identical
 * on every target and for every thread count. pool may be NULL (inline).
 * @return MN_OK, or MN_E_INVALID_ARG (a NULL pointer, rows or cols 0, or
 *         rows * cols overflowing size_t; dst untouched).
 */
MN_API mn_status mn_matvec_f32(mn_pool *pool, float *dst, size_t rows,
                               const float *W, size_t cols, const float *x);

/** dot(a, b) over n floats in the reference order of src/tensor/matvec_f32.c
 *  (bit-identical on every target). a and b: [n]; either may be NULL only
 *  when n is 0. Kernels have no status: pointers are not checked.
 *  @return the dot product; +0.0f for n 0; NaN/inf propagate as IEEE says. */
MN_API float mn_dot_f32(const float *a, const float *b, size_t n);
/** Exact int8 dot product, -128 included. a and b: [n]; either may be NULL
 *  only when n is 0 (not checked).
 *  @return the sum of a[i] * b[i] mod 2^32 (wraps, as int32 two's
 *  complement; exact while n <= 2^17); 0 for n 0. */
MN_API int32_t mn_dot_i8(const int8_t *a, const int8_t *b, size_t n);

/* ----------------------------------------------------------- memory */
/** malloc through the library's allocator.
 *  @return the block, or NULL on failure (never aborts) and for size 0.
 *  Free it with mn_free(). */
MN_API void *mn_malloc(size_t size);
/** Frees a block of mn_malloc(). NULL is a no-op. */
MN_API void mn_free(void *p);

#ifdef __cplusplus
}
#endif

/* Per-area public headers (each includes this one; the guards make it safe). */
#include "minnow_gguf.h"
#include "minnow_tok.h"
#include "minnow_model.h"

#endif /* MINNOW_H */
