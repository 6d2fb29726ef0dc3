/* Allocation: every library allocation goes through here so failures are
 * reported (MN_E_NOMEM), never aborts. */
#ifndef MN_CORE_ALLOC_H
#define MN_CORE_ALLOC_H
#include "minnow.h"

/* n*size bytes, zeroed; NULL on overflow or failure. */
void *mn_calloc_array(size_t n, size_t size);
/* n*size bytes, not cleared; NULL on overflow or failure. */
void *mn_malloc_array(size_t n, size_t size);
/* size bytes aligned to `align` (a power of two >= sizeof(void*)); free with mn_free_aligned. */
void *mn_malloc_aligned(size_t size, size_t align);
void mn_free_aligned(void *p);
#endif
