/* Version, status codes, build info, allocation failure as an error. */
#include "mtest.h"
#include "minnow.h"
#include "core/alloc.h"
#include "core/checked.h"
#include <stdlib.h>

static void version(void)
{
    MT_EQ_STR(mn_version(), "0.1.0");
    MT_EQ_INT(mn_version_number(), MN_VERSION_NUMBER);
}

static void status_names(void)
{
    MT_EQ_STR(mn_status_name(MN_OK), "MN_OK");
    MT_EQ_STR(mn_status_name(MN_E_NOMEM), "MN_E_NOMEM");
    MT_EQ_STR(mn_status_name(MN_E_GGUF_OVERLAP), "MN_E_GGUF_OVERLAP");
    MT_EQ_STR(mn_status_name(99999), "MN_E_UNKNOWN");
    MT_EQ_STR(mn_status_message(MN_E_DST_TOO_SMALL), "destination buffer too small");
    /* every code below the end marker that is used has a distinct name */
    for (int a = 0; a < MN_STATUS_END_; a++)
        for (int b = a + 1; b < MN_STATUS_END_; b++)
            if (strcmp(mn_status_name(a), "MN_E_UNKNOWN") && !strcmp(mn_status_name(a), mn_status_name(b)))
                MT_FAIL("codes %d and %d share a name", a, b);
}

static void size_errors(void)
{
    MT_CHECK(!mn_is_error(0));
    MT_CHECK(!mn_is_error((size_t)1 << 30));
    MT_CHECK(mn_is_error(MN_ERROR_SIZE(MN_E_NOMEM)));
    MT_EQ_INT(mn_error_code(MN_ERROR_SIZE(MN_E_GGUF_RANGE)), MN_E_GGUF_RANGE);
    MT_EQ_INT(mn_error_code(12345), MN_OK);
}

static void capabilities(void)
{
    char buf[512], tiny[8];
    size_t n = mn_capabilities(buf, sizeof buf);
    MT_CHECK(!mn_is_error(n));
    MT_EQ_U64(strlen(buf), n);
    MT_CHECK(strstr(buf, mn_target()) != NULL);
    MT_CHECK(strstr(buf, "\"libsodium\":\"1.0.") != NULL);
    MT_EQ_INT(mn_error_code(mn_capabilities(tiny, sizeof tiny)), MN_E_DST_TOO_SMALL);
    const char *t = mn_target();
    MT_CHECK(!strcmp(t, "native") || !strcmp(t, "wasm-st") || !strcmp(t, "wasm-mt") || !strcmp(t, "wasi"));
    if (strcmp(t, "native") != 0) MT_EQ_STR(mn_simd_backend(), "wasm-simd128");
    MT_EQ_INT(mn_threads_supported(), !strcmp(t, "native") || !strcmp(t, "wasm-mt"));
}

static void checked_arithmetic(void)
{
    size_t r;
    MT_CHECK(mn_mul_size(3, 5, &r) && r == 15);
    MT_CHECK(!mn_mul_size(SIZE_MAX / 2 + 1, 2, &r));
    MT_CHECK(!mn_add_size(SIZE_MAX, 1, &r));
    uint64_t u;
    MT_CHECK(!mn_mul_u64(UINT64_MAX / 3 + 1, 3, &u));
    MT_CHECK(mn_calloc_array(SIZE_MAX / 4, 8) == NULL);
    void *p = mn_malloc_aligned(100, 64);
    MT_CHECK(p != NULL && ((uintptr_t)p & 63) == 0);
    mn_free_aligned(p);
    MT_CHECK(mn_malloc_aligned(10, 3) == NULL);
}

/* Out of memory is a NULL, not an abort. wasm32 and WASI can really run out
 * (4 GiB); natively an impossible size stands in for it. */
static void out_of_memory(void)
{
    MT_CHECK(mn_malloc(SIZE_MAX - 4096) == NULL);
#if defined(__wasm__)
    enum { CHUNK = 256u << 20 };
    void *held[20];
    int n = 0;
    while (n < 20 && (held[n] = mn_malloc(CHUNK)) != NULL) n++;
    MT_CHECK(n < 20);                  /* 20 x 256 MiB > 4 GiB: it must have failed */
    for (int i = 0; i < n; i++) mn_free(held[i]);
    void *again = mn_malloc(CHUNK);    /* and the heap still works afterwards */
    MT_CHECK(again != NULL);
    mn_free(again);
#endif
}

void suite_core(void)
{
    MT_RUN(version);
    MT_RUN(status_names);
    MT_RUN(size_errors);
    MT_RUN(capabilities);
    MT_RUN(checked_arithmetic);
    MT_RUN(out_of_memory);
}
