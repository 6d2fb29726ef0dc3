/* Exports that exist only for the JS glue (the rest of the API is exported
 * as is, see exports.txt). */
#include "minnow.h"
#include <emscripten/emscripten.h>

/* Bumped when an export's signature or meaning changes; js/core.js checks it. */
#define MN_WASM_ABI_VERSION 1
EMSCRIPTEN_KEEPALIVE int mn_wasm_abi_version(void) { return MN_WASM_ABI_VERSION; }

/* Current size of the wasm memory in bytes, as a double: up to 4 GiB does not
 * fit an i32 and JS must not see it negative. */
EMSCRIPTEN_KEEPALIVE double mn_wasm_heap_bytes(void)
{
    return (double)__builtin_wasm_memory_size(0) * 65536.0;
}
