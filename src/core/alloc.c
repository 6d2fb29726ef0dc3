#include "core/alloc.h"
#include "core/checked.h"
#include <stdlib.h>
#include <string.h>

void *mn_malloc(size_t size) { return size ? malloc(size) : NULL; }
void mn_free(void *p) { free(p); }

void *mn_malloc_array(size_t n, size_t size)
{
    size_t total;
    if (!mn_mul_size(n, size, &total) || total == 0) return NULL;
    return malloc(total);
}

void *mn_calloc_array(size_t n, size_t size)
{
#if defined(__wasm__)
    /* wasm: the libc's calloc clears with its memset, a loop that runs
     * unoptimised at first; this memset is one memory.fill instruction where
     * the build has bulk memory (Emscripten), the same loop elsewhere */
    void *p = mn_malloc_array(n, size);
    if (p) memset(p, 0, n * size); /* (n * size checked above) */
    return p;
#else
    size_t total;
    if (!mn_mul_size(n, size, &total) || total == 0) return NULL;
    return calloc(1, total);
#endif
}

/* Over-allocate and stash the original pointer just below the aligned block:
 * portable (aligned_alloc's size rule and posix_memalign differ by libc). */
void *mn_malloc_aligned(size_t size, size_t align)
{
    size_t total;
    if (align < sizeof(void *) || (align & (align - 1)) != 0) return NULL;
    if (!mn_add_size(size, align + sizeof(void *), &total)) return NULL;
    unsigned char *raw = malloc(total);
    if (!raw) return NULL;
    uintptr_t p = ((uintptr_t)(raw + sizeof(void *)) + align - 1) & ~(uintptr_t)(align - 1);
    memcpy((void *)(p - sizeof(void *)), &raw, sizeof raw);
    return (void *)p;
}

void mn_free_aligned(void *p)
{
    if (!p) return;
    void *raw;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
    free(raw);
}
