/* BLAKE2b and model ids through libsodium (crypto_generichash = BLAKE2b). */
#include "minnow.h"
#include "core/alloc.h"
#include "core/error.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

size_t mn_blake2b_bytes_min(void) { return MN_BLAKE2B_BYTES_MIN; }
size_t mn_blake2b_bytes_max(void) { return MN_BLAKE2B_BYTES_MAX; }
size_t mn_model_id_bytes(void) { return MN_MODEL_ID_BYTES; }

/* sodium_init() is idempotent, but libsodium 1.0.18 takes no lock under
 * Emscripten: serialise the first call ourselves (0 = not started, 1 = running,
 * 2 = ok, 3 = failed). */
#if MN_HAVE_THREADS
#include <stdatomic.h>
static atomic_int g_sodium_state; /* the library's only global: a one-time init latch */
static int sodium_ready(void)
{
    int s = atomic_load_explicit(&g_sodium_state, memory_order_acquire);
    if (s >= 2) return s == 2;
    int expected = 0;
    if (atomic_compare_exchange_strong(&g_sodium_state, &expected, 1)) {
        atomic_store_explicit(&g_sodium_state, sodium_init() >= 0 ? 2 : 3, memory_order_release);
    } else {
        while ((s = atomic_load_explicit(&g_sodium_state, memory_order_acquire)) < 2) {}
    }
    return atomic_load_explicit(&g_sodium_state, memory_order_acquire) == 2;
}
#else
static int sodium_ready(void) { return sodium_init() >= 0; }
#endif

static int digest_len_ok(size_t n) { return n >= MN_BLAKE2B_BYTES_MIN && n <= MN_BLAKE2B_BYTES_MAX; }

mn_status mn_blake2b(void *dst, size_t dstCapacity, const void *src, size_t srcSize,
                     const void *key, size_t keySize)
{
    if (!dst || !digest_len_ok(dstCapacity) || (!src && srcSize) || (!key && keySize) ||
        keySize > MN_BLAKE2B_KEYBYTES_MAX)
        return MN_E_INVALID_ARG;
    if (!sodium_ready()) return MN_E_CRYPTO;
    if (crypto_generichash(dst, dstCapacity, src, srcSize, key, keySize) != 0) return MN_E_CRYPTO;
    return MN_OK;
}

struct mn_hasher {
    crypto_generichash_state st; /* libsodium wants it 64-byte aligned */
    size_t digest_bytes;
    int finished;
    mn_err err;
};

mn_status mn_hasher_create(mn_hasher **out, size_t digestBytes)
{
    if (!out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (!digest_len_ok(digestBytes)) return MN_E_INVALID_ARG;
    if (!sodium_ready()) return MN_E_CRYPTO;
    mn_hasher *h = mn_malloc_aligned(sizeof *h, 64);
    if (!h) return MN_E_NOMEM;
    memset(h, 0, sizeof *h);
    h->digest_bytes = digestBytes;
    if (crypto_generichash_init(&h->st, NULL, 0, digestBytes) != 0) {
        mn_free_aligned(h);
        return MN_E_CRYPTO;
    }
    *out = h;
    return MN_OK;
}

mn_status mn_hasher_update(mn_hasher *h, const void *src, size_t srcSize)
{
    if (!h) return MN_E_INVALID_ARG;
    if (!src && srcSize) return mn_err_set(&h->err, MN_E_INVALID_ARG, "update: NULL source with size %zu", srcSize);
    if (h->finished) return mn_err_set(&h->err, MN_E_STATE, "update after final");
    if (srcSize && crypto_generichash_update(&h->st, src, srcSize) != 0)
        return mn_err_set(&h->err, MN_E_CRYPTO, "crypto_generichash_update failed");
    return MN_OK;
}

mn_status mn_hasher_final(mn_hasher *h, void *dst, size_t dstCapacity)
{
    if (!h) return MN_E_INVALID_ARG;
    if (!dst || dstCapacity != h->digest_bytes)
        return mn_err_set(&h->err, MN_E_INVALID_ARG, "final: destination must be exactly %zu bytes", h->digest_bytes);
    if (h->finished) return mn_err_set(&h->err, MN_E_STATE, "final called twice");
    h->finished = 1;
    if (crypto_generichash_final(&h->st, dst, dstCapacity) != 0)
        return mn_err_set(&h->err, MN_E_CRYPTO, "crypto_generichash_final failed");
    return MN_OK;
}

const char *mn_hasher_error(const mn_hasher *h) { return h ? h->err.msg : "NULL hasher"; }

void mn_hasher_free(mn_hasher *h)
{
    if (!h) return;
    sodium_memzero(h, sizeof *h);
    mn_free_aligned(h);
}

mn_status mn_model_id_file(uint8_t dst[MN_MODEL_ID_BYTES], const char *path)
{
    if (!dst || !path) return MN_E_INVALID_ARG;
    FILE *f = fopen(path, "rb");
    if (!f) return MN_E_IO;
    mn_hasher *h = NULL;
    mn_status st = mn_hasher_create(&h, MN_MODEL_ID_BYTES);
    unsigned char *buf = st == MN_OK ? mn_malloc(1u << 20) : NULL;
    if (st == MN_OK && !buf) st = MN_E_NOMEM;
    while (st == MN_OK) {
        size_t n = fread(buf, 1, 1u << 20, f);
        if (n) st = mn_hasher_update(h, buf, n);
        if (n < (1u << 20)) {
            if (ferror(f)) st = MN_E_IO;
            break;
        }
    }
    if (st == MN_OK) st = mn_hasher_final(h, dst, MN_MODEL_ID_BYTES);
    mn_free(buf);
    mn_hasher_free(h);
    fclose(f);
    return st;
}

size_t mn_hex(char *dst, size_t dstCapacity, const void *src, size_t srcSize)
{
    static const char digits[] = "0123456789abcdef";
    if (!dst || (!src && srcSize)) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if (srcSize > (SIZE_MAX - 1) / 2 || dstCapacity < srcSize * 2 + 1) return MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    const unsigned char *s = src;
    for (size_t i = 0; i < srcSize; i++) {
        dst[2 * i] = digits[s[i] >> 4];
        dst[2 * i + 1] = digits[s[i] & 15];
    }
    dst[2 * srcSize] = 0;
    return srcSize * 2;
}
