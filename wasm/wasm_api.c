/* Exports that exist only for the JS glue (the rest of the API is exported
 * as is, see exports.txt).
 *
 * Why these wrappers: Emscripten 3.1.6 (without WASM_BIGINT) splits a 64-bit
 * argument or result into two signed i32 halves at the JS boundary. Every
 * 64-bit value the JS layer needs crosses here as a double instead (exact up
 * to 2^53, far beyond wasm32's 4 GiB), so nothing 64-bit is ever seen through
 * a signed i32. Pointers and size_t are 32-bit unsigned: js/core.js reads
 * them with >>> 0. */
#include "minnow.h"
#include "minnow_gguf.h"
#include <emscripten/emscripten.h>
#include <malloc.h>
#include <stdint.h>

/* Bumped when an export's signature or meaning changes; js/core.js checks it. */
#define MN_WASM_ABI_VERSION 3
EMSCRIPTEN_KEEPALIVE int mn_wasm_abi_version(void) { return MN_WASM_ABI_VERSION; }

/* Current size of the wasm memory in bytes, as a double: up to 4 GiB does not
 * fit an i32 and JS must not see it negative. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_heap_bytes(void)
{
    return (double)__builtin_wasm_memory_size(0) * 65536.0;
}

/* Bytes malloc has handed out and not yet had back (dlmalloc's uordblks, an
 * int in Emscripten's header: read as unsigned, it is exact below 4 GiB).
 * The JS layer reports it (model.memory()) and checks that dispose() returns
 * the heap to what a fresh instance had. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_heap_used(void)
{
    struct mallinfo mi = mallinfo();
    return (double)(unsigned)mi.uordblks;
}

/* mn_gguf_loader_create() with the size hint as a double (0: unknown).
 * A hint that is negative, not whole, or not representable as uint64_t is
 * MN_E_INVALID_ARG. */
EMSCRIPTEN_KEEPALIVE mn_status mn_wasm_gguf_loader_create(mn_gguf_loader **out, double sizeHint,
                                                           unsigned flags)
{
    if (!(sizeHint >= 0.0) || sizeHint >= 18446744073709551616.0 || sizeHint != (double)(uint64_t)sizeHint)
        return MN_E_INVALID_ARG;
    return mn_gguf_loader_create(out, (uint64_t)sizeHint, flags);
}

/* mn_gguf_loader_size() as a double. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_gguf_loader_size(const mn_gguf_loader *l)
{
    return (double)mn_gguf_loader_size(l);
}

/* mn_gguf_file_size() as a double. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_gguf_file_size(const mn_gguf *g)
{
    return (double)mn_gguf_file_size(g);
}
