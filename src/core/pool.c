/* Thread pool: pthreads natively and in wasm/mt (Emscripten pthreads = web
 * workers); inline execution in single-thread builds (wasm/st, WASI).
 *
 * Dispatch is a generation counter: the caller publishes a job, bumps the
 * generation and works on chunk 0; workers spin briefly on the counter (decode
 * issues hundreds of small jobs per token, so a futex round trip per job would
 * dominate) and then sleep on a condition variable. */
#include "core/pool.h"
#include "core/alloc.h"
#include <stdlib.h>

#ifndef MN_HAVE_THREADS
#define MN_HAVE_THREADS 0
#endif

#if MN_HAVE_THREADS
#include <pthread.h>
#include <stdatomic.h>
#if defined(__EMSCRIPTEN__)
#define MN_THREADS_MAX 8 /* = the prewarmed worker pool (-sPTHREAD_POOL_SIZE), caller included */
#else
#define MN_THREADS_MAX 64
#include <unistd.h>
#endif
#else
#define MN_THREADS_MAX 1
#endif

#define MN_SPIN_ITERS 20000

int mn_threads_supported(void) { return MN_HAVE_THREADS; }
int mn_threads_max(void) { return MN_THREADS_MAX; }

void mn_pool_chunk(size_t n, size_t grain, int threads, int t, size_t *begin, size_t *end)
{
    if (grain == 0) grain = 1;
    size_t units = n / grain + (n % grain != 0);
    size_t T = (size_t)threads, ut = (size_t)t;
    /* units split as evenly as possible: the first (units % T) chunks get one more */
    size_t base = units / T, extra = units % T;
    size_t ub = ut * base + (ut < extra ? ut : extra);
    size_t ue = ub + base + (ut < extra ? 1 : 0);
    size_t b = ub * grain, e = ue * grain;
    *begin = b < n ? b : n;
    *end = e < n ? e : n;
}

static int default_threads(void)
{
#if MN_HAVE_THREADS && !defined(__EMSCRIPTEN__) && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > MN_THREADS_MAX ? MN_THREADS_MAX : (int)n;
#else
    return MN_HAVE_THREADS ? 4 : 1;
#endif
}

struct mn_pool {
    int n_threads;
#if MN_HAVE_THREADS
    int n_started;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    atomic_uint generation;
    atomic_int remaining;
    int stop;
    /* the current job: written by the caller before the generation bump */
    mn_pool_fn fn;
    void *arg;
    size_t n, grain;
#endif
};

#if MN_HAVE_THREADS
typedef struct { mn_pool *pool; int index; } worker_arg;

static void run_chunk(mn_pool *p, int t)
{
    size_t b, e;
    mn_pool_chunk(p->n, p->grain, p->n_threads, t, &b, &e);
    if (b < e) p->fn(p->arg, b, e, t);
}

static void *worker_main(void *varg)
{
    worker_arg wa = *(worker_arg *)varg;
    free(varg);
    mn_pool *p = wa.pool;
    unsigned seen = 0;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen) {
            if (++spins < MN_SPIN_ITERS) continue;
            pthread_mutex_lock(&p->mu);
            while (atomic_load_explicit(&p->generation, memory_order_acquire) == seen)
                pthread_cond_wait(&p->cv_work, &p->mu);
            pthread_mutex_unlock(&p->mu);
            spins = 0;
        }
        seen = g;
        if (p->stop) return NULL;
        run_chunk(p, wa.index);
        if (atomic_fetch_sub_explicit(&p->remaining, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->cv_done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void pool_stop(mn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_started; i++) pthread_join(p->threads[i], NULL);
}
#endif

mn_status mn_pool_create(mn_pool **out, int threads)
{
    if (!out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (threads == 0) threads = default_threads();
    if (threads < 1 || threads > MN_THREADS_MAX) return threads > 1 && !MN_HAVE_THREADS ? MN_E_THREADS : MN_E_INVALID_ARG;
    mn_pool *p = mn_calloc_array(1, sizeof *p);
    if (!p) return MN_E_NOMEM;
    p->n_threads = threads;
#if MN_HAVE_THREADS
    if (threads > 1) {
        p->threads = mn_calloc_array((size_t)threads - 1, sizeof(pthread_t));
        if (!p->threads) { free(p); return MN_E_NOMEM; }
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->cv_work, NULL);
        pthread_cond_init(&p->cv_done, NULL);
        atomic_init(&p->generation, 0);
        atomic_init(&p->remaining, 0);
        for (int i = 1; i < threads; i++) {
            worker_arg *wa = malloc(sizeof *wa);
            int rc = -1;
            if (wa) {
                wa->pool = p;
                wa->index = i;
                rc = pthread_create(&p->threads[i - 1], NULL, worker_main, wa);
            }
            if (rc != 0) {
                free(wa);
                pool_stop(p);
                mn_pool_free(p);
                return MN_E_THREADS;
            }
            p->n_started++;
        }
    }
#endif
    *out = p;
    return MN_OK;
}

int mn_pool_threads(const mn_pool *pool) { return pool ? pool->n_threads : 1; }

void mn_pool_free(mn_pool *p)
{
    if (!p) return;
#if MN_HAVE_THREADS
    if (p->n_threads > 1) {
        if (!p->stop) pool_stop(p);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv_work);
        pthread_cond_destroy(&p->cv_done);
    }
    free(p->threads);
#endif
    free(p);
}

void mn_pool_for(mn_pool *p, size_t n, size_t grain, mn_pool_fn fn, void *arg)
{
    if (n == 0) return;
    if (!p || p->n_threads == 1) {
        fn(arg, 0, n, 0);
        return;
    }
#if MN_HAVE_THREADS
    p->fn = fn;
    p->arg = arg;
    p->n = n;
    p->grain = grain ? grain : 1;
    atomic_store_explicit(&p->remaining, p->n_threads - 1, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    run_chunk(p, 0);
    int spins = 0;
    while (atomic_load_explicit(&p->remaining, memory_order_acquire) > 0) {
        if (++spins < MN_SPIN_ITERS) continue;
        pthread_mutex_lock(&p->mu);
        while (atomic_load_explicit(&p->remaining, memory_order_acquire) > 0)
            pthread_cond_wait(&p->cv_done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
#endif
}
