/* Internal side of the thread pool: parallel-for with static partitioning. */
#ifndef MN_CORE_POOL_H
#define MN_CORE_POOL_H
#include "minnow.h"

/* Work on items [begin, end); `worker` is 0..threads-1 (0 = the caller). */
typedef void (*mn_pool_fn)(void *arg, size_t begin, size_t end, int worker);

/* Split [0, n) into mn_pool_threads(pool) contiguous chunks whose boundaries
 * are multiples of `grain` (>= 1) and run chunk t on worker t; returns when
 * all are done. Which items land on which worker depends only on n, grain and
 * the thread count. pool == NULL runs fn(arg, 0, n, 0) inline.
 * Not reentrant: a task must not call mn_pool_for on the same pool. */
void mn_pool_for(mn_pool *pool, size_t n, size_t grain, mn_pool_fn fn, void *arg);

/* The chunk [*begin, *end) of worker t among `threads` (exposed for tests). */
void mn_pool_chunk(size_t n, size_t grain, int threads, int t, size_t *begin, size_t *end);
#endif
