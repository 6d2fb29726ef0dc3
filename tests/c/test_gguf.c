/* GGUF reader and writer: the real stories260K file, every validation check
 * on its own hostile file, truncation at every byte of the header, random
 * byte flips, the chunked loader, and writer -> reader round trips.
 * With --write-golden the hostile files are also written to
 * tests/fuzz/gguf-corpus/ (the fuzz target's regression corpus); otherwise
 * the committed corpus must match what this test generates. */
#include "mtest.h"
#include "minnow_gguf.h"
#include "tensor/types.h"
#include "gguf/gguf_internal.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

static void stories_path(char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
}

static mn_gguf *open_stories(unsigned flags)
{
    char path[1024], err[256] = "";
    mn_gguf *g = NULL;
    stories_path(path, sizeof path);
    int st = mn_gguf_open_file(&g, path, flags, err, sizeof err);
    if (st != MN_OK) MT_NOTE_FAIL("open %s: %s (%s)", path, err, mn_status_name(st));
    return g;
}

static unsigned char *read_stories(size_t *len)
{
    char path[1024];
    stories_path(path, sizeof path);
    unsigned char *b = mt_read_file(path, len);
    if (!b) MT_NOTE_FAIL("cannot read %s", path);
    return b;
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* ---------------------------------------------------------- text summary */

typedef struct sb { char *p; size_t n, cap; } sb;
static void sb_printf(sb *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) MT_FAIL("vsnprintf");
        if (b->p && b->n + (size_t)k < b->cap) { b->n += (size_t)k; return; }
        size_t cap = (b->cap ? b->cap : 4096);
        while (cap <= b->n + (size_t)k) cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) MT_FAIL("oom");
        b->p = np;
        b->cap = cap;
    }
}

/* One scalar or array element as text; floats as their bits too, so the text
 * is the same with every libc. */
static void value_text(sb *b, mn_gguf *g, size_t k, int type, int arr, size_t i)
{
    const char *s;
    size_t n;
    union { uint64_t u; int64_t s; double d; float f; int b; } v;
    switch (type) {
    case MN_GGUF_STRING:
        MT_OK(arr ? mn_gguf_get_arr_str(g, k, i, &s, &n) : mn_gguf_get_str(g, k, &s, &n));
        sb_printf(b, "\"%.*s\"", (int)(n > 40 ? 40 : n), s);
        if (n > 40) sb_printf(b, "...(%zu bytes)", n);
        break;
    case MN_GGUF_F32: {
        uint32_t bits;
        MT_OK(arr ? mn_gguf_get_arr_f32(g, k, i, &v.f) : mn_gguf_get_f32(g, k, &v.f));
        memcpy(&bits, &v.f, 4);
        sb_printf(b, "0x%08" PRIx32, bits);
        break;
    }
    case MN_GGUF_F64:
        MT_OK(arr ? mn_gguf_get_arr_f64(g, k, i, &v.d) : mn_gguf_get_f64(g, k, &v.d));
        {
            uint64_t bits;
            memcpy(&bits, &v.d, 8);
            sb_printf(b, "0x%016" PRIx64, bits);
        }
        break;
    case MN_GGUF_BOOL:
        MT_OK(arr ? mn_gguf_get_arr_bool(g, k, i, &v.b) : mn_gguf_get_bool(g, k, &v.b));
        sb_printf(b, "%s", v.b ? "true" : "false");
        break;
    case MN_GGUF_I8: case MN_GGUF_I16: case MN_GGUF_I32: case MN_GGUF_I64:
        MT_OK(arr ? mn_gguf_get_arr_i64(g, k, i, &v.s) : mn_gguf_get_i64(g, k, &v.s));
        sb_printf(b, "%" PRId64, v.s);
        break;
    default:
        MT_OK(arr ? mn_gguf_get_arr_u64(g, k, i, &v.u) : mn_gguf_get_u64(g, k, &v.u));
        sb_printf(b, "%" PRIu64, v.u);
        break;
    }
}

static void summary(sb *b, mn_gguf *g)
{
    sb_printf(b, "version %u alignment %u data_offset %" PRIu64 " size %" PRIu64 " kv %zu tensors %zu\n",
              mn_gguf_version(g), mn_gguf_alignment(g), mn_gguf_data_offset(g), mn_gguf_file_size(g),
              mn_gguf_n_kv(g), mn_gguf_n_tensors(g));
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) {
        int t = mn_gguf_key_type(g, k);
        sb_printf(b, "kv %s %s ", mn_gguf_key(g, k), mn_gguf_type_name(t));
        if (t == MN_GGUF_ARRAY) {
            int et;
            size_t n;
            MT_OK(mn_gguf_get_arr_info(g, k, &et, &n));
            sb_printf(b, "%s[%zu]", mn_gguf_type_name(et), n);
            for (size_t i = 0; i < n && i < 4; i++) { sb_printf(b, " "); value_text(b, g, k, et, 1, i); }
            if (n > 4) {
                sb_printf(b, " ... ");
                value_text(b, g, k, et, 1, n - 1);
            }
        } else {
            value_text(b, g, k, t, 0, 0);
        }
        sb_printf(b, "\n");
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        MT_OK(mn_gguf_tensor_info(g, i, &t));
        sb_printf(b, "tensor %s %s [%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "] n_dims %u offset %" PRIu64 " bytes %zu fnv %016" PRIx64 "\n",
                  t.name, mn_ggml_type_name(t.type), t.ne[0], t.ne[1], t.ne[2], t.ne[3], t.n_dims, t.offset, t.nbytes,
                  fnv1a(t.data, t.nbytes));
    }
}

/* ------------------------------------------------------------- real file */

static void stories260K(void)
{
    mn_gguf *g = open_stories(0);
    if (!g) return;
    size_t k, n, len;
    const char *s;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    float f;
    double d;
    MT_EQ_INT(mn_gguf_version(g), 3);
    MT_EQ_INT(mn_gguf_alignment(g), 32);
    MT_EQ_INT(mn_gguf_n_kv(g), 19);
    MT_EQ_INT(mn_gguf_n_tensors(g), 48);
    MT_EQ_U64(mn_gguf_data_offset(g), 14176); /* table ends at 14152, aligned to 32 */
    MT_EQ_U64(mn_gguf_file_size(g), 1185376);

    MT_OK(mn_gguf_find_key(g, "general.architecture", &k));
    MT_OK(mn_gguf_get_str(g, k, &s, &len));
    MT_CHECK(len == 5 && !memcmp(s, "llama", 5));
    MT_OK(mn_gguf_find_key(g, "llama.context_length", &k));
    MT_EQ_INT(mn_gguf_key_type(g, k), MN_GGUF_U32);
    MT_OK(mn_gguf_get_u32(g, k, &u32));
    MT_EQ_INT(u32, 2048);
    MT_OK(mn_gguf_get_u64(g, k, &u64)); /* u32 widens to u64 and i64 */
    MT_EQ_U64(u64, 2048);
    MT_OK(mn_gguf_get_i64(g, k, &i64));
    MT_EQ_INT(i64, 2048);
    MT_EQ_INT(mn_gguf_get_i32(g, k, &i32), MN_E_GGUF_KEY_TYPE); /* not u32 -> i32 */
    MT_CHECK(strstr(mn_gguf_error(g), "llama.context_length") != NULL);
    MT_EQ_INT(mn_gguf_get_f32(g, k, &f), MN_E_GGUF_KEY_TYPE);
    MT_EQ_INT(mn_gguf_get_str(g, k, &s, &len), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_find_key(g, "llama.embedding_length", &k));
    MT_OK(mn_gguf_get_u32(g, k, &u32));
    MT_EQ_INT(u32, 64);
    MT_OK(mn_gguf_find_key(g, "llama.attention.head_count_kv", &k));
    MT_OK(mn_gguf_get_u32(g, k, &u32));
    MT_EQ_INT(u32, 4);
    MT_OK(mn_gguf_find_key(g, "llama.attention.layer_norm_rms_epsilon", &k));
    MT_OK(mn_gguf_get_f32(g, k, &f));
    MT_CHECK(f > 0.99e-5f && f < 1.01e-5f);
    MT_OK(mn_gguf_get_f64(g, k, &d));
    MT_CHECK(d == (double)f);
    MT_EQ_INT(mn_gguf_find_key(g, "llama.nope", &k), MN_E_GGUF_KEY_MISSING);
    MT_EQ_INT(mn_gguf_find_key(g, "", &k), MN_E_GGUF_KEY_MISSING);

    int et;
    MT_OK(mn_gguf_find_key(g, "tokenizer.ggml.tokens", &k));
    MT_OK(mn_gguf_get_arr_info(g, k, &et, &n));
    MT_EQ_INT(et, MN_GGUF_STRING);
    MT_EQ_INT(n, 512);
    MT_OK(mn_gguf_get_arr_str(g, k, 1, &s, &len));
    MT_CHECK(len == 3 && !memcmp(s, "<s>", 3));
    MT_EQ_INT(mn_gguf_get_arr_str(g, k, 512, &s, &len), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gguf_get_arr_u32(g, k, 0, &u32), MN_E_GGUF_KEY_TYPE);
    const void *raw;
    MT_EQ_INT(mn_gguf_get_arr_data(g, k, &raw, NULL), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_find_key(g, "tokenizer.ggml.token_type", &k));
    MT_OK(mn_gguf_get_arr_i32(g, k, 0, &i32));
    MT_EQ_INT(i32, 2);
    size_t es;
    MT_OK(mn_gguf_get_arr_data(g, k, &raw, &es));
    MT_EQ_INT(es, 4);
    MT_EQ_INT(mn_gguf_get_arr_u32(g, k, 0, &u32), MN_E_GGUF_KEY_TYPE);
    MT_EQ_INT(mn_gguf_get_u32(g, k, &u32), MN_E_GGUF_KEY_TYPE); /* an array is not a scalar */

    size_t ti;
    mn_gguf_tensor t;
    MT_OK(mn_gguf_find_tensor(g, "blk.0.ffn_down.weight", &ti));
    MT_OK(mn_gguf_tensor_info(g, ti, &t));
    MT_EQ_STR(t.name, "blk.0.ffn_down.weight");
    MT_EQ_INT(t.n_dims, 2);
    MT_EQ_INT(t.ne[0], 172);
    MT_EQ_INT(t.ne[1], 64);
    MT_EQ_INT(t.ne[2], 1);
    MT_EQ_INT(t.type, 0);
    MT_EQ_U64(t.offset, 355840);
    MT_EQ_U64(t.nbytes, 172 * 64 * 4);
    size_t fsize;
    const unsigned char *base = mn_gguf_bytes(g, &fsize);
    MT_CHECK((const unsigned char *)t.data == base + 14176 + 355840);
    MT_EQ_INT(mn_gguf_find_tensor(g, "blk.9.ffn_down.weight", &ti), MN_E_GGUF_TENSOR_MISSING);
    MT_EQ_INT(mn_gguf_tensor_info(g, 48, &t), MN_E_INVALID_ARG);

    sb b = {0};
    summary(&b, g);
    MT_GOLDEN("gguf-stories260K.txt", b.p, b.n);
    free(b.p);
    mn_gguf_free(g);
}

/* A vocab-only file (no tensors): the data section is not padded. */
static void vocab_only(void)
{
    char path[1024], err[256] = "";
    mn_gguf *g = NULL;
    size_t k, n;
    int b = 1, et;
    snprintf(path, sizeof path, "%s/tokenizers/gguf-vocab/ggml-vocab-bert-bge.gguf", mt.shared_dir);
    int st = mn_gguf_open_file(&g, path, 0, err, sizeof err);
    if (st) MT_FAIL("%s: %s", path, err);
    MT_EQ_INT(mn_gguf_n_tensors(g), 0);
    MT_EQ_U64(mn_gguf_data_offset(g), mn_gguf_file_size(g));
    MT_OK(mn_gguf_find_key(g, "bert.attention.causal", &k));
    MT_OK(mn_gguf_get_bool(g, k, &b));
    MT_EQ_INT(b, 0);
    MT_OK(mn_gguf_find_key(g, "tokenizer.ggml.tokens", &k));
    MT_OK(mn_gguf_get_arr_info(g, k, &et, &n));
    MT_EQ_INT(n, 30522);
    mn_gguf_free(g);
}

/* ------------------------------------------------------ loader and memory */

static void same_gguf(mn_gguf *a, mn_gguf *b, int ours)
{
    MT_EQ_INT(mn_gguf_n_kv(a), mn_gguf_n_kv(b));
    MT_EQ_INT(mn_gguf_n_tensors(a), mn_gguf_n_tensors(b));
    MT_EQ_U64(mn_gguf_data_offset(a), mn_gguf_data_offset(b));
    size_t na, nb;
    const void *pa = mn_gguf_bytes(a, &na), *pb = mn_gguf_bytes(b, &nb);
    MT_EQ_U64(na, nb);
    MT_EQ_MEM(pa, pb, na);
    for (size_t k = 0; k < mn_gguf_n_kv(a); k++) MT_EQ_STR(mn_gguf_key(a, k), mn_gguf_key(b, k));
    for (size_t i = 0; i < mn_gguf_n_tensors(a); i++) {
        mn_gguf_tensor ta, tb;
        MT_OK(mn_gguf_tensor_info(a, i, &ta));
        MT_OK(mn_gguf_tensor_info(b, i, &tb));
        MT_EQ_STR(ta.name, tb.name);
        MT_EQ_U64(ta.nbytes, tb.nbytes);
        MT_EQ_MEM(ta.data, tb.data, ta.nbytes);
        if (ours) MT_CHECK(((uintptr_t)tb.data & 31) == 0); /* our buffers are 64-aligned, data 32-aligned in the file */
    }
}

/* Finish l (a second finish is MN_E_STATE), free it, compare with ref. */
static void finish_same(mn_gguf_loader *l, mn_gguf *ref)
{
    mn_gguf *g = NULL, *again = NULL;
    MT_OK(mn_gguf_loader_finish(l, &g));
    MT_EQ_INT(mn_gguf_loader_finish(l, &again), MN_E_STATE);
    mn_gguf_loader_free(l);
    same_gguf(ref, g, 1);
    mn_gguf_free(g);
}

static void loader_chunks(void)
{
    size_t len;
    unsigned char *bytes = read_stories(&len);
    mn_gguf *ref = open_stories(0), *nommap = open_stories(MN_GGUF_NO_MMAP), *mem = NULL;
    if (!bytes || !ref || !nommap) return;
    same_gguf(ref, nommap, 1);
    MT_OK(mn_gguf_open_memory(&mem, bytes, len, 0, NULL, 0));
    same_gguf(ref, mem, 0);
    static const size_t chunks[] = {1, 7, 4096};
    for (int hinted = 0; hinted < 2; hinted++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            mn_gguf_loader *l = NULL;
            MT_OK(mn_gguf_loader_create(&l, hinted ? len : 0, 0));
            for (size_t o = 0; o < len; o += chunks[c]) {
                size_t n = len - o < chunks[c] ? len - o : chunks[c];
                if (c == 2) { /* the zero-copy path */
                    void *dst;
                    MT_OK(mn_gguf_loader_reserve(l, n, &dst));
                    memcpy(dst, bytes + o, n);
                    MT_OK(mn_gguf_loader_commit(l, n));
                } else {
                    MT_OK(mn_gguf_loader_feed(l, bytes + o, n));
                }
            }
            MT_EQ_U64(mn_gguf_loader_size(l), len);
            finish_same(l, ref);
        }
    /* a short stream against its announced size */
    mn_gguf_loader *l = NULL;
    mn_gguf *g = NULL;
    MT_OK(mn_gguf_loader_create(&l, len, 0));
    MT_OK(mn_gguf_loader_feed(l, bytes, len - 1));
    MT_EQ_INT(mn_gguf_loader_finish(l, &g), MN_E_GGUF_TRUNCATED);
    MT_CHECK(g == NULL && strstr(mn_gguf_loader_error(l), "announced") != NULL);
    MT_EQ_INT(mn_gguf_loader_feed(l, bytes, 1), MN_E_STATE);
    mn_gguf_loader_free(l);
    /* a non-GGUF stream fails on its first chunk; so does GGUF v1 */
    MT_OK(mn_gguf_loader_create(&l, 0, 0));
    MT_EQ_INT(mn_gguf_loader_feed(l, "GGML", 4), MN_E_GGUF_MAGIC);
    mn_gguf_loader_free(l);
    MT_OK(mn_gguf_loader_create(&l, 0, 0));
    MT_OK(mn_gguf_loader_feed(l, "GG", 2));
    MT_EQ_INT(mn_gguf_loader_feed(l, "UF\1\0\0\0", 6), MN_E_GGUF_VERSION);
    mn_gguf_loader_free(l);
    /* empty stream */
    MT_OK(mn_gguf_loader_create(&l, 0, 0));
    MT_EQ_INT(mn_gguf_loader_finish(l, &g), MN_E_GGUF_TRUNCATED);
    mn_gguf_loader_free(l);
    MT_EQ_INT(mn_gguf_loader_create(&l, UINT64_MAX, 0), MN_E_NOMEM);
    mn_gguf_free(ref);
    mn_gguf_free(nommap);
    mn_gguf_free(mem);
    free(bytes);
}

/* The keys alone, as soon as they arrived (the JS layer builds the tokenizer
 * from them while the weights download): never before, all of them after,
 * no tensors, and trying early changes nothing for finish(). */
static void loader_metadata(void)
{
    size_t len;
    unsigned char *bytes = read_stories(&len);
    mn_gguf *ref = open_stories(0);
    if (!bytes || !ref) { free(bytes); mn_gguf_free(ref); return; }
    for (int hinted = 0; hinted < 2; hinted++) {
        mn_gguf_loader *l = NULL;
        mn_gguf *meta = NULL;
        size_t ok_at = 0;
        MT_OK(mn_gguf_loader_create(&l, hinted ? len : 0, 0));
        MT_EQ_INT(mn_gguf_loader_metadata(l, &meta), MN_E_GGUF_TRUNCATED); /* nothing yet */
        MT_CHECK(meta == NULL);
        for (size_t o = 0; o < len; o += 997) {
            size_t n = len - o < 997 ? len - o : 997;
            MT_OK(mn_gguf_loader_feed(l, bytes + o, n));
            mn_status st = mn_gguf_loader_metadata(l, &meta);
            if (st != MN_OK) {
                MT_CHECK(ok_at == 0 && meta == NULL && st >= MN_E_GGUF_MAGIC); /* once there, it stays */
                continue;
            }
            if (!ok_at) ok_at = o + n;
            MT_EQ_INT(mn_gguf_n_kv(meta), mn_gguf_n_kv(ref));
            MT_EQ_INT(mn_gguf_n_tensors(meta), 0);
            for (size_t k = 0; k < mn_gguf_n_kv(ref); k++) MT_EQ_STR(mn_gguf_key(meta, k), mn_gguf_key(ref, k));
            size_t kid;
            const char *s;
            size_t sl;
            MT_OK(mn_gguf_find_key(meta, "tokenizer.ggml.model", &kid));
            MT_OK(mn_gguf_get_str(meta, kid, &s, &sl));
            MT_CHECK(sl == 5 && !memcmp(s, "llama", 5));
            mn_gguf_free(meta); /* borrowed the loader's buffer: freeing leaves it */
            meta = NULL;
        }
        /* the keys arrive before the tensor table ends, i.e. before the data */
        MT_CHECK(ok_at > 0 && ok_at < mn_gguf_data_offset(ref) + 997);
        finish_same(l, ref);
    }
    {
        mn_gguf_loader *l = NULL;
        mn_gguf *meta = NULL, *g = NULL;
        MT_OK(mn_gguf_loader_create(&l, len, 0));
        MT_OK(mn_gguf_loader_feed(l, bytes, len));
        MT_OK(mn_gguf_loader_finish(l, &g));
        MT_EQ_INT(mn_gguf_loader_metadata(l, &meta), MN_E_STATE); /* after finish */
        mn_gguf_loader_free(l);
        mn_gguf_free(g);
    }
    mn_gguf_loader *l = NULL;
    mn_gguf *meta = NULL;
    MT_OK(mn_gguf_loader_create(&l, 0, 0));
    MT_EQ_INT(mn_gguf_loader_feed(l, "GGML", 4), MN_E_GGUF_MAGIC);
    MT_EQ_INT(mn_gguf_loader_metadata(l, &meta), MN_E_GGUF_MAGIC);
    mn_gguf_loader_free(l);
    MT_EQ_INT(mn_gguf_loader_metadata(NULL, &meta), MN_E_INVALID_ARG);
    mn_gguf_free(ref);
    free(bytes);
}

static void open_errors(void)
{
    char err[256] = "", path[1024];
    mn_gguf *g = (mn_gguf *)&g;
    MT_EQ_INT(mn_gguf_open_file(&g, "/nonexistent/x.gguf", 0, err, sizeof err), MN_E_IO);
    MT_CHECK(g == NULL && strstr(err, "/nonexistent/x.gguf") != NULL);
    MT_EQ_INT(mn_gguf_open_file(&g, mt.shared_dir, 0, err, sizeof err), MN_E_IO); /* a directory */
    snprintf(path, sizeof path, "%s/models/stories260K/tok512.bin", mt.shared_dir);
    MT_EQ_INT(mn_gguf_open_file(&g, path, 0, err, sizeof err), MN_E_GGUF_MAGIC);
    MT_CHECK(strstr(err, "not a GGUF file") != NULL);
    MT_EQ_INT(mn_gguf_open_file(NULL, path, 0, NULL, 0), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gguf_open_memory(&g, NULL, 0, 0, err, 4), MN_E_GGUF_TRUNCATED);
    MT_EQ_INT(strlen(err), 3); /* truncated to the capacity */
}

/* --------------------------------------------------------- hostile files */

typedef struct bb { unsigned char d[8192]; size_t n; } bb;
static void b_raw(bb *b, const void *p, size_t n) { if (b->n + n > sizeof b->d) MT_FAIL("bb overflow"); memcpy(b->d + b->n, p, n); b->n += n; }
static void b_u32(bb *b, uint32_t v) { unsigned char t[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)}; b_raw(b, t, 4); }
static void b_u64(bb *b, uint64_t v) { b_u32(b, (uint32_t)v); b_u32(b, (uint32_t)(v >> 32)); }
static void b_str(bb *b, const char *s) { b_u64(b, strlen(s)); b_raw(b, s, strlen(s)); }
static void b_head(bb *b, uint32_t version, uint64_t n_tensors, uint64_t n_kv)
{
    b->n = 0;
    b_raw(b, "GGUF", 4);
    b_u32(b, version);
    b_u64(b, n_tensors);
    b_u64(b, n_kv);
}
static void b_kv_u32(bb *b, const char *k, uint32_t v) { b_str(b, k); b_u32(b, MN_GGUF_U32); b_u32(b, v); }
/* tensor info with up to 4 dims */
static void b_tensor(bb *b, const char *name, uint32_t type, uint32_t n_dims, const int64_t *ne, uint64_t offset)
{
    b_str(b, name);
    b_u32(b, n_dims);
    for (uint32_t i = 0; i < n_dims; i++) b_u64(b, (uint64_t)ne[i]);
    b_u32(b, type);
    b_u64(b, offset);
}
/* pad to the alignment and append n data bytes */
static void b_data(bb *b, size_t align, size_t n)
{
    while (b->n % align) b_raw(b, "", 1);
    for (size_t i = 0; i < n; i++) { unsigned char c = (unsigned char)(i * 7); b_raw(b, &c, 1); }
}

#define NE(...) ((const int64_t[]){__VA_ARGS__})

/* One hostile (or edge-valid) file per case; expect = its status code. */
static int hostile_case(int i, bb *b, const char **name, int *expect, unsigned *flags)
{
    *flags = 0;
    switch (i) {
    case 0: *name = "magic"; *expect = MN_E_GGUF_MAGIC;
        b_head(b, 3, 0, 0); b->d[3] = 'X'; return 1;
    case 1: *name = "version1"; *expect = MN_E_GGUF_VERSION; b_head(b, 1, 0, 0); return 1;
    case 2: *name = "version4"; *expect = MN_E_GGUF_VERSION; b_head(b, 4, 0, 0); return 1;
    case 3: *name = "version-bigendian"; *expect = MN_E_GGUF_VERSION; b_head(b, 0x03000000u, 0, 0); return 1;
    case 4: *name = "truncated-header"; *expect = MN_E_GGUF_TRUNCATED; b_head(b, 3, 0, 0); b->n = 20; return 1;
    case 5: *name = "count-kv"; *expect = MN_E_GGUF_COUNT; b_head(b, 3, 0, 1000000000000ull); b_kv_u32(b, "a", 1); return 1;
    case 6: *name = "count-tensors"; *expect = MN_E_GGUF_COUNT; b_head(b, 3, UINT64_MAX / 2, 0); b_data(b, 1, 64); return 1;
    case 7: *name = "count-sum"; *expect = MN_E_GGUF_COUNT; /* each count alone fits, both together do not */
        b_head(b, 3, 2, 3); b_data(b, 1, 3 * 14 + 24); return 1;
    case 8: *name = "key-length"; *expect = MN_E_GGUF_STRING;
        b_head(b, 3, 0, 1); b_u64(b, 1ull << 40); b_data(b, 1, 20); return 1;
    case 9: *name = "key-empty"; *expect = MN_E_GGUF_STRING; b_head(b, 3, 0, 1); b_kv_u32(b, "", 5); return 1;
    case 10: *name = "value-type"; *expect = MN_E_GGUF_VALUE_TYPE;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, 13); b_u32(b, 0); return 1;
    case 11: *name = "value-truncated"; *expect = MN_E_GGUF_TRUNCATED;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_U64); b_u32(b, 7); return 1;
    case 12: *name = "string-value-length"; *expect = MN_E_GGUF_STRING;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_STRING); b_u64(b, 100); b_raw(b, "abc", 3); return 1;
    case 13: *name = "array-nested"; *expect = MN_E_GGUF_ARRAY;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, MN_GGUF_ARRAY); b_u64(b, 1); b_data(b, 1, 16); return 1;
    case 14: *name = "array-elem-type"; *expect = MN_E_GGUF_ARRAY;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, 99); b_u64(b, 1); b_data(b, 1, 16); return 1;
    case 15: *name = "array-length"; *expect = MN_E_GGUF_ARRAY;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, MN_GGUF_U32); b_u64(b, 1000000000); b_data(b, 1, 16); return 1;
    case 16: *name = "array-length-overflow"; *expect = MN_E_GGUF_ARRAY; /* n * 8 wraps uint64 */
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, MN_GGUF_U64); b_u64(b, (1ull << 61) + 1); b_data(b, 1, 16); return 1;
    case 17: *name = "array-strings-count"; *expect = MN_E_GGUF_ARRAY;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, MN_GGUF_STRING); b_u64(b, 1ull << 40); b_data(b, 1, 16); return 1;
    case 18: *name = "array-string-length"; *expect = MN_E_GGUF_STRING;
        b_head(b, 3, 0, 1); b_str(b, "k"); b_u32(b, MN_GGUF_ARRAY); b_u32(b, MN_GGUF_STRING); b_u64(b, 2);
        b_str(b, "ok"); b_u64(b, 1000); b_raw(b, "xy", 2); return 1;
    case 19: *name = "dup-key"; *expect = MN_E_GGUF_DUP_KEY;
        b_head(b, 3, 0, 3); b_kv_u32(b, "a.b", 1); b_kv_u32(b, "c", 2); b_kv_u32(b, "a.b", 3); return 1;
    case 20: *name = "alignment-type"; *expect = MN_E_GGUF_ALIGNMENT;
        b_head(b, 3, 0, 1); b_str(b, "general.alignment"); b_u32(b, MN_GGUF_U64); b_u64(b, 32); return 1;
    case 21: *name = "alignment-zero"; *expect = MN_E_GGUF_ALIGNMENT; b_head(b, 3, 0, 1); b_kv_u32(b, "general.alignment", 0); return 1;
    case 22: *name = "alignment-48"; *expect = MN_E_GGUF_ALIGNMENT; b_head(b, 3, 0, 1); b_kv_u32(b, "general.alignment", 48); return 1;
    case 23: *name = "dims-5"; *expect = MN_E_GGUF_DIMS;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 5, NE(1, 1, 1, 1, 1), 0); b_data(b, 32, 32); return 1;
    case 24: *name = "dims-negative"; *expect = MN_E_GGUF_DIMS;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 2, NE(4, -1), 0); b_data(b, 32, 32); return 1;
    case 25: *name = "elements-overflow"; *expect = MN_E_GGUF_DIM_OVERFLOW;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 2, NE(1ll << 32, 1ll << 32), 0); b_data(b, 32, 32); return 1;
    case 26: *name = "bytes-overflow"; *expect = MN_E_GGUF_DIM_OVERFLOW; /* 2^62 f32: elements fit int64, bytes do not fit uint64 */
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 1, NE(1ll << 62), 0); b_data(b, 32, 32); return 1;
    case 27: *name = "type-removed"; *expect = MN_E_GGUF_TENSOR_TYPE;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 4, 1, NE(32), 0); b_data(b, 32, 32); return 1;
    case 28: *name = "type-unknown"; *expect = MN_E_GGUF_TENSOR_TYPE;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 1000, 1, NE(32), 0); b_data(b, 32, 32); return 1;
    case 29: *name = "type-unsupported-iq2xxs"; *expect = MN_E_GGUF_TENSOR_TYPE;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 16, 1, NE(256), 0); b_data(b, 32, 66); return 1;
    case 30: *name = "shape-q4_0"; *expect = MN_E_GGUF_SHAPE;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 2, 2, NE(33, 2), 0); b_data(b, 32, 64); return 1;
    case 31: *name = "offset-unaligned"; *expect = MN_E_GGUF_OFFSET;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 1, NE(4), 4); b_data(b, 32, 64); return 1;
    case 32: *name = "range-past-end"; *expect = MN_E_GGUF_RANGE;
        b_head(b, 3, 1, 0); b_tensor(b, "blk.0.attn_q.weight", 0, 2, NE(16, 16), 0); b_data(b, 32, 1000); return 1;
    case 33: *name = "range-offset-huge"; *expect = MN_E_GGUF_RANGE; /* does not fit a 32-bit size_t either */
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 1, NE(8), 1ull << 40); b_data(b, 32, 32); return 1;
    case 34: *name = "range-offset-wrap"; *expect = MN_E_GGUF_RANGE; /* data offset + offset wraps uint64 */
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 1, NE(8), UINT64_MAX - 31); b_data(b, 32, 32); return 1;
    case 35: *name = "overlap"; *expect = MN_E_GGUF_OVERLAP;
        b_head(b, 3, 2, 0); b_tensor(b, "a", 0, 1, NE(16), 0); b_tensor(b, "b", 0, 1, NE(8), 32); b_data(b, 32, 128); return 1;
    case 36: *name = "overlap-contained"; *expect = MN_E_GGUF_OVERLAP; /* c lies inside a, b in between does not touch it */
        b_head(b, 3, 3, 0); b_tensor(b, "a", 0, 1, NE(64), 0); b_tensor(b, "b", 0, 1, NE(8), 0);
        b_tensor(b, "c", 0, 1, NE(8), 128); b_data(b, 32, 256); b->d[b->n - 1] ^= 0; return 1;
    case 37: *name = "dup-tensor"; *expect = MN_E_GGUF_DUP_TENSOR;
        b_head(b, 3, 2, 0); b_tensor(b, "w", 0, 1, NE(8), 0); b_tensor(b, "w", 0, 1, NE(8), 32); b_data(b, 32, 64); return 1;
    case 38: *name = "tensor-name-64"; *expect = MN_E_GGUF_STRING;
        b_head(b, 3, 1, 0); b_tensor(b, "0123456789012345678901234567890123456789012345678901234567890123", 0, 1, NE(8), 0); b_data(b, 32, 32); return 1;
    case 39: *name = "tensor-truncated"; *expect = MN_E_GGUF_TRUNCATED; /* the table stops inside the shape */
        b_head(b, 3, 1, 0); b_tensor(b, "t", 0, 2, NE(8, 8), 0); b->n -= 14; return 1;
    /* edge cases that are valid, as in llama.cpp */
    case 40: *name = "ok-empty"; *expect = MN_OK; b_head(b, 3, 0, 0); return 1;
    case 41: *name = "ok-v2-scalar-and-empty-tensors"; *expect = MN_OK;
        b_head(b, 2, 3, 1); b_kv_u32(b, "general.alignment", 64);
        b_tensor(b, "scalar", 0, 0, NULL, 64); b_tensor(b, "empty", 2, 2, NE(0, 5), 0); b_tensor(b, "rev", 0, 1, NE(16), 0);
        b_data(b, 64, 68); return 1;
    case 42: *name = "ok-unsupported-allowed"; *expect = MN_OK; *flags = MN_GGUF_ALLOW_UNSUPPORTED;
        b_head(b, 3, 1, 0); b_tensor(b, "t", 16, 1, NE(256), 0); b_data(b, 32, 66); return 1;
    case 43: *name = "dup-tensor-nul"; *expect = MN_E_GGUF_DUP_TENSOR; /* names end at a NUL, as in llama.cpp */
        b_head(b, 3, 2, 0); b_tensor(b, "w", 0, 1, NE(8), 0);
        b_u64(b, 3); b_raw(b, "w\0x", 3); b_u32(b, 1); b_u64(b, 8); b_u32(b, 0); b_u64(b, 32); b_data(b, 32, 64); return 1;
    default: return 0;
    }
}

static void corpus_path(char *dst, size_t cap, const char *name)
{
    snprintf(dst, cap, "%s/tests/fuzz/gguf-corpus/%s.gguf", mt.source_dir, name);
}

static void hostile(void)
{
    static bb b;
    const char *name;
    int expect;
    unsigned flags;
    for (int i = 0; hostile_case(i, &b, &name, &expect, &flags); i++) {
        char err[256] = "", path[1024];
        mn_gguf *g = NULL;
        int st = mn_gguf_open_memory(&g, b.d, b.n, flags, err, sizeof err);
        if (st != expect)
            MT_FAIL("case %s: %s (%s), expected %s", name, mn_status_name(st), err, mn_status_name(expect));
        MT_CHECK((st == MN_OK) == (g != NULL));
        if (st != MN_OK && !err[0]) MT_FAIL("case %s: no message", name);
        mn_gguf_free(g);
        corpus_path(path, sizeof path, name);
        if (mt.write_golden) {
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(b.d, 1, b.n, f) != b.n) MT_FAIL("cannot write %s", path);
            fclose(f);
        } else {
            size_t n = 0;
            unsigned char *c = mt_read_file(path, &n);
            if (!c) MT_FAIL("missing %s (run the tests with --write-golden)", path);
            int same = n == b.n && !memcmp(c, b.d, n);
            free(c);
            if (!same) MT_FAIL("%s differs from the generated case (run with --write-golden)", path);
        }
    }
}

/* Messages name what is wrong. */
static void messages(void)
{
    static bb b;
    const char *name;
    int expect;
    unsigned flags;
    char err[256];
    mn_gguf *g;
    hostile_case(32, &b, &name, &expect, &flags);
    mn_gguf_open_memory(&g, b.d, b.n, 0, err, sizeof err);
    MT_CHECK(strstr(err, "tensor 'blk.0.attn_q.weight' data [offset 0, 1024 bytes) ends past the end of the file") != NULL);
    hostile_case(29, &b, &name, &expect, &flags);
    mn_gguf_open_memory(&g, b.d, b.n, 0, err, sizeof err);
    MT_CHECK(strstr(err, "IQ2_XXS") != NULL);
    hostile_case(19, &b, &name, &expect, &flags);
    mn_gguf_open_memory(&g, b.d, b.n, 0, err, sizeof err);
    MT_CHECK(strstr(err, "'a.b' appears twice") != NULL);
    /* untrusted bytes in a message are escaped */
    b_head(&b, 3, 0, 1); b_str(&b, "k\x1b[31m"); b_u32(&b, 77); b_u32(&b, 0);
    MT_EQ_INT(mn_gguf_open_memory(&g, b.d, b.n, 0, err, sizeof err), MN_E_GGUF_VALUE_TYPE);
    MT_CHECK(strstr(err, "k\\x1b[31m") != NULL);
}

/* ------------------------------------------------------ truncation, flips */

/* Touch everything a valid handle offers: no crash, no out-of-bounds. */
static uint64_t walk(mn_gguf *g)
{
    uint64_t h = 0;
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) {
        int t = mn_gguf_key_type(g, k), et;
        size_t n, len;
        const char *s;
        int64_t v;
        double d;
        h += mn_gguf_key_len(g, k);
        if (t == MN_GGUF_STRING && mn_gguf_get_str(g, k, &s, &len) == MN_OK) h += fnv1a(s, len);
        if (t == MN_GGUF_ARRAY && mn_gguf_get_arr_info(g, k, &et, &n) == MN_OK)
            for (size_t i = 0; i < n && i < 64; i++) {
                if (mn_gguf_get_arr_str(g, k, i, &s, &len) == MN_OK) h += fnv1a(s, len);
                if (mn_gguf_get_arr_i64(g, k, i, &v) == MN_OK) h += (uint64_t)v;
                if (mn_gguf_get_arr_f64(g, k, i, &d) == MN_OK) h += d == d;
            }
        if (mn_gguf_get_i64(g, k, &v) == MN_OK) h += (uint64_t)v;
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        if (mn_gguf_tensor_info(g, i, &t) == MN_OK) h += fnv1a(t.data, t.nbytes < 4096 ? t.nbytes : 4096) + fnv1a(t.name, strlen(t.name));
    }
    return h;
}

static void truncation(void)
{
    size_t len;
    unsigned char *bytes = read_stories(&len);
    if (!bytes) return;
    size_t table_end = 14176; /* data offset: every header, metadata and table byte is before it */
    for (size_t n = 0; n < len; n += n < table_end + 64 ? 1 : 4099) {
        char err[256] = "";
        mn_gguf *g = NULL;
        int st = mn_gguf_open_memory(&g, bytes, n, 0, err, sizeof err);
        if (st == MN_OK || g || !err[0]) MT_FAIL("truncated at %zu: %s (%s)", n, mn_status_name(st), err);
        if (st != MN_E_GGUF_TRUNCATED && st != MN_E_GGUF_COUNT && st != MN_E_GGUF_STRING && st != MN_E_GGUF_ARRAY &&
            st != MN_E_GGUF_RANGE)
            MT_FAIL("truncated at %zu: unexpected %s (%s)", n, mn_status_name(st), err);
        if (n >= table_end && st != MN_E_GGUF_RANGE) MT_FAIL("truncated in the data at %zu: %s", n, mn_status_name(st));
    }
    mn_gguf *g = NULL;
    MT_OK(mn_gguf_open_memory(&g, bytes, len, 0, NULL, 0));
    mn_gguf_free(g);
    free(bytes);
}

static void flip_run(unsigned char *buf, size_t len, size_t span, int rounds, uint64_t seed)
{
    unsigned char *work = malloc(len);
    MT_CHECK(work != NULL);
    for (int r = 0; r < rounds; r++) {
        memcpy(work, buf, len);
        int flips = 1 + (int)(mt_rand(&seed) % 4);
        for (int f = 0; f < flips; f++) {
            uint64_t x = mt_rand(&seed);
            work[x % span] ^= (unsigned char)(1u << ((x >> 32) % 8));
        }
        mn_gguf *g = NULL;
        char err[256];
        int st = mn_gguf_open_memory(&g, work, len, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
        if (st == MN_OK) { walk(g); mn_gguf_free(g); }
        else MT_CHECK(g == NULL);
    }
    free(work);
}

static void byte_flips(void)
{
    size_t len;
    unsigned char *bytes = read_stories(&len);
    if (!bytes) return;
    flip_run(bytes, len, 14176, 300, 1);
    free(bytes);
    /* a small writer-made file, all of it */
    static bb b;
    const char *name;
    int expect;
    unsigned flags;
    hostile_case(41, &b, &name, &expect, &flags);
    flip_run(b.d, b.n, b.n, 3000, 2);
}

/* ------------------------------------------------------------- the writer */

static void writer_roundtrip(void)
{
    mn_gguf_writer *w = NULL;
    MT_OK(mn_gguf_writer_create(&w, 2, 64));
    MT_OK(mn_gguf_writer_add_str(w, "general.architecture", "llama", 5));
    MT_OK(mn_gguf_writer_add_u32(w, "u32", 4000000000u));
    MT_OK(mn_gguf_writer_add_i32(w, "i32", -5));
    MT_OK(mn_gguf_writer_add_u64(w, "u64", 1ull << 40));
    MT_OK(mn_gguf_writer_add_f32(w, "f32", 0.5f));
    MT_OK(mn_gguf_writer_add_bool(w, "bool", 7));
    int8_t i8 = -3;
    uint16_t u16 = 65535;
    double f64 = -2.25;
    MT_OK(mn_gguf_writer_add_scalar(w, "i8", 2, MN_GGUF_I8, &i8));
    MT_OK(mn_gguf_writer_add_scalar(w, "u16", 3, MN_GGUF_U16, &u16));
    MT_OK(mn_gguf_writer_add_scalar(w, "f64", 3, MN_GGUF_F64, &f64));
    int16_t a16[3] = {-1, 2, -300};
    MT_OK(mn_gguf_writer_add_arr(w, "arr.i16", MN_GGUF_I16, a16, 3));
    MT_OK(mn_gguf_writer_add_arr(w, "arr.empty", MN_GGUF_F32, NULL, 0));
    const char *strs[] = {"a", "", "\xe2\x96\x81hello"};
    MT_OK(mn_gguf_writer_add_arr_str(w, "arr.str", strs, NULL, 3));
    MT_EQ_INT(mn_gguf_writer_add_u32(w, "u32", 1), MN_E_GGUF_DUP_KEY);
    MT_EQ_INT(mn_gguf_writer_add_u32(w, "general.alignment", 32), MN_E_GGUF_DUP_KEY); /* added by create */
    MT_EQ_INT(mn_gguf_writer_add_u32(w, "", 1), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gguf_writer_add_arr(w, "bad", MN_GGUF_STRING, strs, 1), MN_E_INVALID_ARG);

    float f[2 * 16];
    for (int i = 0; i < 32; i++) f[i] = (float)i * 0.25f;
    unsigned char q4[2 * 18], q6k[210], iq[66];
    for (size_t i = 0; i < sizeof q4; i++) q4[i] = (unsigned char)(i * 13);
    for (size_t i = 0; i < sizeof q6k; i++) q6k[i] = (unsigned char)(i * 5);
    memset(iq, 0x11, sizeof iq);
    MT_OK(mn_gguf_writer_add_tensor(w, "f32", 0, 2, NE(16, 2), f, sizeof f));
    MT_OK(mn_gguf_writer_add_tensor(w, "q4_0", 2, 1, NE(64), q4, sizeof q4));
    MT_OK(mn_gguf_writer_add_tensor(w, "q6_k", 14, 3, NE(256, 1, 1), q6k, sizeof q6k));
    MT_OK(mn_gguf_writer_add_tensor(w, "iq2", 16, 1, NE(256), iq, sizeof iq));
    MT_EQ_INT(mn_gguf_writer_add_tensor(w, "f32", 0, 1, NE(1), f, 4), MN_E_GGUF_DUP_TENSOR);
    MT_EQ_INT(mn_gguf_writer_add_tensor(w, "x", 2, 1, NE(33), q4, 18), MN_E_GGUF_SHAPE);
    MT_EQ_INT(mn_gguf_writer_add_tensor(w, "x", 4, 1, NE(32), q4, 18), MN_E_GGUF_TENSOR_TYPE);
    MT_EQ_INT(mn_gguf_writer_add_tensor(w, "x", 0, 5, NE(1, 1, 1, 1, 1), f, 4), MN_E_GGUF_DIMS);
    MT_EQ_INT(mn_gguf_writer_add_tensor(w, "x", 0, 1, NE(3), f, 8), MN_E_INVALID_ARG);

    size_t size = mn_gguf_writer_size(w);
    MT_CHECK(!mn_is_error(size));
    unsigned char *buf = malloc(size);
    MT_EQ_INT(mn_error_code(mn_gguf_writer_write(w, buf, size - 1)), MN_E_DST_TOO_SMALL);
    MT_EQ_U64(mn_gguf_writer_write(w, buf, size), size);

    mn_gguf *g = NULL;
    char err[256] = "";
    MT_EQ_INT(mn_gguf_open_memory(&g, buf, size, 0, err, sizeof err), MN_E_GGUF_TENSOR_TYPE); /* iq2 */
    int st = mn_gguf_open_memory(&g, buf, size, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st) MT_FAIL("reopen: %s", err);
    MT_EQ_INT(mn_gguf_version(g), 2);
    MT_EQ_INT(mn_gguf_alignment(g), 64);
    MT_EQ_INT(mn_gguf_n_kv(g), 13);
    MT_EQ_STR(mn_gguf_key(g, 0), "general.alignment");
    MT_EQ_U64(mn_gguf_data_offset(g) % 64, 0);
    size_t k, n, len;
    uint32_t u32;
    int32_t i32;
    int64_t i64;
    uint64_t u64;
    float fv;
    double dv;
    int bv, et;
    const char *s;
    MT_OK(mn_gguf_find_key(g, "u32", &k)); MT_OK(mn_gguf_get_u32(g, k, &u32)); MT_EQ_U64(u32, 4000000000u);
    MT_OK(mn_gguf_find_key(g, "i32", &k)); MT_OK(mn_gguf_get_i32(g, k, &i32)); MT_EQ_INT(i32, -5);
    MT_EQ_INT(mn_gguf_get_u32(g, k, &u32), MN_E_GGUF_KEY_TYPE); MT_EQ_INT(mn_gguf_get_u64(g, k, &u64), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_get_i64(g, k, &i64)); MT_EQ_INT(i64, -5);
    MT_OK(mn_gguf_find_key(g, "u64", &k)); MT_OK(mn_gguf_get_u64(g, k, &u64)); MT_EQ_U64(u64, 1ull << 40);
    MT_EQ_INT(mn_gguf_get_i64(g, k, &i64), MN_E_GGUF_KEY_TYPE); /* u64 -> i64 may not fit */
    MT_OK(mn_gguf_find_key(g, "f32", &k)); MT_OK(mn_gguf_get_f32(g, k, &fv)); MT_CHECK(fv == 0.5f);
    MT_OK(mn_gguf_find_key(g, "f64", &k)); MT_OK(mn_gguf_get_f64(g, k, &dv)); MT_CHECK(dv == -2.25);
    MT_EQ_INT(mn_gguf_get_f32(g, k, &fv), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_find_key(g, "bool", &k)); MT_OK(mn_gguf_get_bool(g, k, &bv)); MT_EQ_INT(bv, 1);
    MT_EQ_INT(mn_gguf_get_u8(g, k, (uint8_t *)&bv), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_find_key(g, "i8", &k)); MT_OK(mn_gguf_get_i32(g, k, &i32)); MT_EQ_INT(i32, -3);
    MT_OK(mn_gguf_find_key(g, "u16", &k)); MT_OK(mn_gguf_get_i32(g, k, &i32)); MT_EQ_INT(i32, 65535);
    MT_EQ_INT(mn_gguf_get_i16(g, k, (int16_t *)&i32), MN_E_GGUF_KEY_TYPE);
    MT_OK(mn_gguf_find_key(g, "arr.i16", &k)); MT_OK(mn_gguf_get_arr_info(g, k, &et, &n));
    MT_EQ_INT(et, MN_GGUF_I16); MT_EQ_INT(n, 3);
    MT_OK(mn_gguf_get_arr_i32(g, k, 2, &i32)); MT_EQ_INT(i32, -300);
    MT_EQ_INT(mn_gguf_get_arr_i32(g, k, 3, &i32), MN_E_INVALID_ARG);
    MT_OK(mn_gguf_find_key(g, "arr.empty", &k)); MT_OK(mn_gguf_get_arr_info(g, k, &et, &n)); MT_EQ_INT(n, 0);
    MT_OK(mn_gguf_find_key(g, "arr.str", &k));
    MT_OK(mn_gguf_get_arr_str(g, k, 1, &s, &len)); MT_EQ_INT(len, 0);
    MT_OK(mn_gguf_get_arr_str(g, k, 2, &s, &len)); MT_CHECK(len == 8 && !memcmp(s, "\xe2\x96\x81hello", 8));

    static const struct { const char *name; size_t bytes; uint64_t offset; } want[] = {
        {"f32", 128, 0}, {"q4_0", 36, 128}, {"q6_k", 210, 192}, {"iq2", 66, 448}}; /* packed, each padded to 64 */
    for (size_t i = 0; i < 4; i++) {
        mn_gguf_tensor t;
        MT_OK(mn_gguf_tensor_info(g, i, &t));
        MT_EQ_STR(t.name, want[i].name);
        MT_EQ_U64(t.nbytes, want[i].bytes);
        MT_EQ_U64(t.offset, want[i].offset);
        MT_EQ_MEM(t.data, i == 0 ? (const void *)f : i == 1 ? (const void *)q4 : i == 2 ? (const void *)q6k : (const void *)iq, t.nbytes);
    }
    MT_EQ_U64(size, mn_gguf_data_offset(g) + 448 + 128);
    mn_gguf_free(g);

    /* and through a file */
    char path[1024];
    snprintf(path, sizeof path, "%s/build/gguf-writer-test-%s.gguf", mt.source_dir, mn_target());
    MT_OK(mn_gguf_writer_write_file(w, path));
    st = mn_gguf_open_file(&g, path, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st) MT_FAIL("%s: %s", path, err);
    size_t fsize;
    const void *fb = mn_gguf_bytes(g, &fsize);
    MT_EQ_U64(fsize, size);
    MT_EQ_MEM(fb, buf, size);
    mn_gguf_free(g);
    remove(path);
    free(buf);
    mn_gguf_writer_free(w);
}

/* Re-writing the real file with the writer reproduces it byte for byte:
 * the writer's layout is llama.cpp's. */
static void writer_reproduces_stories(void)
{
    mn_gguf *g = open_stories(0);
    if (!g) return;
    mn_gguf_writer *w = NULL;
    MT_OK(mn_gguf_writer_create(&w, mn_gguf_version(g), mn_gguf_alignment(g)));
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) {
        const char *key = mn_gguf_key(g, k), *s;
        int t = mn_gguf_key_type(g, k), et;
        size_t n, len;
        if (t == MN_GGUF_STRING) {
            MT_OK(mn_gguf_get_str(g, k, &s, &len));
            MT_OK(mn_gguf_writer_add_str(w, key, s, len));
        } else if (t == MN_GGUF_ARRAY) {
            MT_OK(mn_gguf_get_arr_info(g, k, &et, &n));
            if (et == MN_GGUF_STRING) {
                const char **ss = malloc(n * sizeof *ss);
                size_t *ls = malloc(n * sizeof *ls);
                for (size_t i = 0; i < n; i++) MT_OK(mn_gguf_get_arr_str(g, k, i, &ss[i], &ls[i]));
                MT_OK(mn_gguf_writer_add_arr_str(w, key, ss, ls, n));
                free(ss);
                free(ls);
            } else {
                const void *d;
                MT_OK(mn_gguf_get_arr_data(g, k, &d, NULL));
                MT_OK(mn_gguf_writer_add_arr(w, key, et, d, n));
            }
        } else {
            union { uint8_t b[8]; } raw;
            switch (t) {
            case MN_GGUF_U32: { uint32_t x; MT_OK(mn_gguf_get_u32(g, k, &x)); memcpy(raw.b, &x, 4); break; }
            case MN_GGUF_F32: { float x; MT_OK(mn_gguf_get_f32(g, k, &x)); memcpy(raw.b, &x, 4); break; }
            default: MT_FAIL("unexpected type %d", t);
            }
            MT_OK(mn_gguf_writer_add_scalar(w, key, strlen(key), t, raw.b));
        }
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        MT_OK(mn_gguf_tensor_info(g, i, &t));
        MT_OK(mn_gguf_writer_add_tensor(w, t.name, t.type, t.n_dims, t.ne, t.data, t.nbytes));
    }
    size_t fsize, size = mn_gguf_writer_size(w);
    const void *orig = mn_gguf_bytes(g, &fsize);
    MT_EQ_U64(size, fsize);
    unsigned char *buf = malloc(size);
    MT_EQ_U64(mn_gguf_writer_write(w, buf, size), size);
    MT_EQ_MEM(buf, orig, size);
    free(buf);
    mn_gguf_writer_free(w);
    mn_gguf_free(g);
}

/* add_tensor_fn: bytes produced at write time; copy_key: verbatim key copies. */
static mn_status fill_pattern(void *user, size_t idx, void *dst, size_t size)
{
    int *calls = user;
    (*calls)++;
    for (size_t i = 0; i < size; i++) ((unsigned char *)dst)[i] = (unsigned char)(idx * 31 + i);
    return idx == 99 ? MN_E_CORRUPT : MN_OK;
}

static mn_status fill_fail(void *user, size_t idx, void *dst, size_t size) { return MN_E_CORRUPT; }

static void writer_fill_copy(void)
{
    mn_gguf *g = open_stories(0);
    if (!g) return;
    mn_gguf_writer *w = NULL;
    MT_OK(mn_gguf_writer_create(&w, 3, 0));
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) MT_OK(mn_gguf_writer_copy_key(w, g, k));
    MT_EQ_INT(mn_gguf_writer_copy_key(w, g, 0), MN_E_GGUF_DUP_KEY);
    MT_EQ_INT(mn_gguf_writer_copy_key(w, g, 999), MN_E_INVALID_ARG);
    int calls = 0;
    MT_OK(mn_gguf_writer_add_tensor_fn(w, "a", MN_TYPE_Q8_0, 2, NE(64, 3), fill_pattern, &calls));
    MT_OK(mn_gguf_writer_add_tensor_fn(w, "b", MN_TYPE_F32, 1, NE(5), fill_pattern, &calls));
    MT_EQ_INT(mn_gguf_writer_add_tensor_fn(w, "c", MN_TYPE_F32, 1, NE(5), NULL, NULL), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_gguf_writer_n_tensors(w), 2);
    size_t size = mn_gguf_writer_size(w);
    unsigned char *buf = malloc(size);
    MT_EQ_U64(mn_gguf_writer_write(w, buf, size), size);
    MT_EQ_INT(calls, 2);
    mn_gguf *h = NULL;
    char err[256] = "";
    if (mn_gguf_open_memory(&h, buf, size, 0, err, sizeof err)) MT_FAIL("reopen: %s", err);
    MT_EQ_INT(mn_gguf_n_kv(h), mn_gguf_n_kv(g));
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) { /* the same keys, types and value bytes */
        const uint8_t *p, *q;
        size_t pn, qn;
        MT_EQ_STR(mn_gguf_key(h, k), mn_gguf_key(g, k));
        MT_EQ_INT(mn_gguf_key_type(h, k), mn_gguf_key_type(g, k));
        MT_CHECK(mn_gguf_raw_value(g, k, &p, &pn) && mn_gguf_raw_value(h, k, &q, &qn));
        MT_CHECK(pn == qn && !memcmp(p, q, pn));
    }
    mn_gguf_tensor t;
    MT_OK(mn_gguf_tensor_info(h, 1, &t));
    MT_EQ_STR(t.name, "b");
    MT_EQ_INT(((const unsigned char *)t.data)[3], 31 + 3);
    mn_gguf_free(h);
    MT_OK(mn_gguf_writer_add_tensor_fn(w, "bad", MN_TYPE_F32, 1, NE(5), fill_fail, NULL));
    size = mn_gguf_writer_size(w);
    buf = realloc(buf, size);
    MT_EQ_INT(mn_error_code(mn_gguf_writer_write(w, buf, size)), MN_E_CORRUPT);
    MT_CHECK(strstr(mn_gguf_writer_error(w), "bad") != NULL);
    free(buf);
    mn_gguf_writer_free(w);
    mn_gguf_free(g);
}

static void type_table(void)
{
    MT_EQ_STR(mn_ggml_type_name(0), "F32");
    MT_EQ_STR(mn_ggml_type_name(12), "Q4_K");
    MT_EQ_STR(mn_ggml_type_name(35), "TQ2_0");
    MT_CHECK(mn_ggml_type_name(4) == NULL);
    MT_CHECK(mn_ggml_type_name(31) == NULL);
    MT_CHECK(mn_ggml_type_name(1000) == NULL);
    MT_EQ_INT(mn_ggml_type_supported(14), 1);
    MT_EQ_INT(mn_ggml_type_supported(16), 0);
    MT_EQ_INT(mn_ggml_type_supported(99), 0);
    /* (id, elements per block, bytes per block), from ggml's block structs */
    static const uint32_t k[][3] = {
        {0, 1, 4}, {1, 1, 2}, {2, 32, 18}, {3, 32, 20}, {6, 32, 22}, {7, 32, 24}, {8, 32, 34}, {9, 32, 36},
        {10, 256, 84}, {11, 256, 110}, {12, 256, 144}, {13, 256, 176}, {14, 256, 210}, {15, 256, 292},
        {16, 256, 66}, {17, 256, 74}, {18, 256, 98}, {19, 256, 50}, {20, 32, 18}, {21, 256, 110},
        {22, 256, 82}, {23, 256, 136}, {24, 1, 1}, {25, 1, 2}, {26, 1, 4}, {27, 1, 8}, {28, 1, 8},
        {29, 256, 56}, {30, 1, 2}, {34, 256, 54}, {35, 256, 66}, {39, 32, 17}, {40, 64, 36}};
    size_t known = 0;
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        const mn_type_traits *t = mn_type_info(k[i][0]);
        if (!t || t->block_size != k[i][1] || t->type_size != k[i][2]) MT_FAIL("type %u", k[i][0]);
    }
    for (uint32_t id = 0; id < 64; id++) known += mn_type_info(id) != NULL;
    MT_EQ_INT(known, sizeof k / sizeof k[0]);
}

void suite_gguf(void)
{
    MT_RUN(type_table);
    MT_RUN(stories260K);
    MT_RUN(vocab_only);
    MT_RUN(loader_chunks);
    MT_RUN(loader_metadata);
    MT_RUN(open_errors);
    MT_RUN(hostile);
    MT_RUN(messages);
    MT_RUN(truncation);
    MT_RUN(byte_flips);
    MT_RUN(writer_roundtrip);
    MT_RUN(writer_reproduces_stories);
    MT_RUN(writer_fill_copy);
}
