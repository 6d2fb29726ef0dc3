/*
 * fuzz_gguf.c - libFuzzer targets for the GGUF reader and writer.
 *
 *   default            decode untrusted bytes: open, then touch every key,
 *                      element and tensor; a valid file must also survive a
 *                      writer round trip (copy -> write -> reopen -> compare);
 *                      the same bytes streamed through the chunked loader
 *                      give the same verdict, and its keys-only handle after
 *                      any chunk is either an error or the file's keys.
 *   -DMN_FUZZ_WRITER   the input drives the writer (keys of every type,
 *                      arrays, tensors of every known type); what is written
 *                      must read back identically.
 *   -DMN_FUZZ_REPLAY_MAIN  adds a main() that runs the target on files and
 *                      directories given as arguments (no libFuzzer needed):
 *                      the regression run over tests/fuzz/gguf-corpus/.
 *
 * Build (from the repository root), e.g.:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_gguf.c \
 *         $GGUF_SRCS
 *   with GGUF_SRCS="src/gguf/gguf.c src/gguf/gguf_write.c src/tensor/types.c src/core/alloc.c
 *                   src/core/error.c src/core/status.c"
 *   ./a.out tests/fuzz/gguf-corpus
 *   cc -DMN_FUZZ_REPLAY_MAIN ... (same sources, no -fsanitize=fuzzer) && ./a.out tests/fuzz/gguf-corpus
 * Any failed invariant calls abort() - this is a test program, not the library.
 */
#include "minnow_gguf.h"
#include "tensor/types.h" /* the writer target sizes its tensors */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c); abort(); } } while (0)

typedef union { uint8_t u8; int8_t i8; uint16_t u16; int16_t i16; uint32_t u32; int32_t i32; uint64_t u64;
                int64_t i64; float f32; double f64; int b; unsigned char raw[8]; } value;

/* Read scalar k (or element i of array k) as its own type. */
static mn_status get_own(mn_gguf *g, size_t k, int type, int arr, size_t i, value *v)
{
    memset(v, 0, sizeof *v);
    switch (type) {
#define C(T, sfx, field) case T: return arr ? mn_gguf_get_arr_##sfx(g, k, i, &v->field) : mn_gguf_get_##sfx(g, k, &v->field);
    C(MN_GGUF_U8, u8, u8) C(MN_GGUF_I8, i8, i8) C(MN_GGUF_U16, u16, u16) C(MN_GGUF_I16, i16, i16)
    C(MN_GGUF_U32, u32, u32) C(MN_GGUF_I32, i32, i32) C(MN_GGUF_U64, u64, u64) C(MN_GGUF_I64, i64, i64)
    C(MN_GGUF_F32, f32, f32) C(MN_GGUF_F64, f64, f64) C(MN_GGUF_BOOL, bool, b)
#undef C
    default: return MN_E_GGUF_KEY_TYPE;
    }
}

static void walk(mn_gguf *g)
{
    size_t size;
    const unsigned char *base = mn_gguf_bytes(g, &size);
    volatile unsigned sink = 0;
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) {
        int t = mn_gguf_key_type(g, k), et;
        size_t n, len;
        const char *s;
        value v;
        CHECK(mn_gguf_key(g, k) != NULL && mn_gguf_key_len(g, k) > 0);
        if (t == MN_GGUF_STRING) {
            CHECK(mn_gguf_get_str(g, k, &s, &len) == MN_OK);
            CHECK((const unsigned char *)s >= base && len <= size - (size_t)((const unsigned char *)s - base));
            if (len) sink += (unsigned char)s[len - 1];
        } else if (t == MN_GGUF_ARRAY) {
            CHECK(mn_gguf_get_arr_info(g, k, &et, &n) == MN_OK);
            for (size_t i = 0; i < n && i < 1024; i++) {
                if (et == MN_GGUF_STRING) {
                    CHECK(mn_gguf_get_arr_str(g, k, i, &s, &len) == MN_OK);
                    if (len) sink += (unsigned char)s[len - 1];
                } else {
                    CHECK(get_own(g, k, et, 1, i, &v) == MN_OK);
                    sink += v.raw[0];
                }
            }
        } else {
            CHECK(get_own(g, k, t, 0, 0, &v) == MN_OK);
        }
        /* every other getter either works or says KEY_TYPE */
        for (int want = 0; want < MN_GGUF_TYPE_COUNT_; want++) {
            mn_status st = get_own(g, k, want, 0, 0, &v);
            CHECK(st == MN_OK || st == MN_E_GGUF_KEY_TYPE);
        }
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        size_t idx;
        CHECK(mn_gguf_tensor_info(g, i, &t) == MN_OK);
        CHECK(mn_gguf_find_tensor(g, t.name, &idx) == MN_OK && idx == i);
        const unsigned char *d = t.data;
        CHECK(d >= base + mn_gguf_data_offset(g) && t.nbytes <= size - (size_t)(d - base));
        CHECK(t.offset % mn_gguf_alignment(g) == 0);
        CHECK(mn_ggml_type_name(t.type) != NULL);
        if (t.nbytes) sink += d[0] + d[t.nbytes - 1];
    }
    (void)sink;
}

/* Copy every key and tensor of g into a new writer. */
static mn_gguf_writer *copy_to_writer(mn_gguf *g)
{
    mn_gguf_writer *w = NULL;
    CHECK(mn_gguf_writer_create(&w, mn_gguf_version(g), mn_gguf_alignment(g)) == MN_OK);
    for (size_t k = 0; k < mn_gguf_n_kv(g); k++) {
        const char *key = mn_gguf_key(g, k), *s;
        size_t klen = mn_gguf_key_len(g, k), n, len;
        int t = mn_gguf_key_type(g, k), et;
        value v;
        mn_status st;
        if (klen != strlen(key)) continue; /* a key with a NUL byte: the C-string API cannot name it */
        if (!strcmp(key, "general.alignment") && mn_gguf_alignment(g) != MN_GGUF_DEFAULT_ALIGNMENT) continue; /* added by create */
        if (t == MN_GGUF_STRING) {
            CHECK(mn_gguf_get_str(g, k, &s, &len) == MN_OK);
            st = mn_gguf_writer_add_str(w, key, s, len);
        } else if (t == MN_GGUF_ARRAY) {
            CHECK(mn_gguf_get_arr_info(g, k, &et, &n) == MN_OK);
            if (et == MN_GGUF_STRING) {
                const char **ss = calloc(n ? n : 1, sizeof *ss);
                size_t *ls = calloc(n ? n : 1, sizeof *ls);
                CHECK(ss && ls);
                for (size_t i = 0; i < n; i++) CHECK(mn_gguf_get_arr_str(g, k, i, &ss[i], &ls[i]) == MN_OK);
                st = mn_gguf_writer_add_arr_str(w, key, ss, ls, n);
                free(ss);
                free(ls);
            } else {
                const void *d;
                CHECK(mn_gguf_get_arr_data(g, k, &d, NULL) == MN_OK);
                st = mn_gguf_writer_add_arr(w, key, et, d, n); /* little-endian host: raw = host order */
            }
        } else {
            CHECK(get_own(g, k, t, 0, 0, &v) == MN_OK);
            if (t == MN_GGUF_BOOL) v.u8 = (uint8_t)v.b;
            st = mn_gguf_writer_add_scalar(w, key, klen, t, v.raw);
        }
        CHECK(st == MN_OK);
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(g); i++) {
        mn_gguf_tensor t;
        CHECK(mn_gguf_tensor_info(g, i, &t) == MN_OK);
        CHECK(mn_gguf_writer_add_tensor(w, t.name, t.type, t.n_dims, t.ne, t.data, t.nbytes) == MN_OK);
    }
    return w;
}

/* a and b hold the same keys (by name, same type and value bytes) and, unless
 * keys_only (a is a loader's keys-only handle), the same tensors. */
static void same_content_k(mn_gguf *a, mn_gguf *b, int keys_only)
{
    CHECK(keys_only || mn_gguf_n_tensors(a) == mn_gguf_n_tensors(b));
    CHECK(!keys_only || mn_gguf_n_kv(a) == mn_gguf_n_kv(b));
    CHECK(mn_gguf_alignment(a) == mn_gguf_alignment(b));
    for (size_t k = 0; k < mn_gguf_n_kv(a); k++) {
        const char *key = mn_gguf_key(a, k);
        size_t kb, n, m, la, lb;
        int t = mn_gguf_key_type(a, k), ea, eb;
        const char *sa, *sb;
        value va, vb;
        if (mn_gguf_key_len(a, k) != strlen(key)) continue;
        CHECK(mn_gguf_find_key(b, key, &kb) == MN_OK);
        CHECK(mn_gguf_key_type(b, kb) == t);
        if (t == MN_GGUF_STRING) {
            CHECK(mn_gguf_get_str(a, k, &sa, &la) == MN_OK && mn_gguf_get_str(b, kb, &sb, &lb) == MN_OK);
            CHECK(la == lb && (!la || !memcmp(sa, sb, la)));
        } else if (t == MN_GGUF_ARRAY) {
            CHECK(mn_gguf_get_arr_info(a, k, &ea, &n) == MN_OK && mn_gguf_get_arr_info(b, kb, &eb, &m) == MN_OK);
            CHECK(ea == eb && n == m);
            for (size_t i = 0; i < n; i++) {
                if (ea == MN_GGUF_STRING) {
                    CHECK(mn_gguf_get_arr_str(a, k, i, &sa, &la) == MN_OK && mn_gguf_get_arr_str(b, kb, i, &sb, &lb) == MN_OK);
                    CHECK(la == lb && (!la || !memcmp(sa, sb, la)));
                } else {
                    CHECK(get_own(a, k, ea, 1, i, &va) == MN_OK && get_own(b, kb, ea, 1, i, &vb) == MN_OK);
                    CHECK(!memcmp(&va, &vb, sizeof va));
                }
            }
        } else {
            CHECK(get_own(a, k, t, 0, 0, &va) == MN_OK && get_own(b, kb, t, 0, 0, &vb) == MN_OK);
            CHECK(!memcmp(&va, &vb, sizeof va));
        }
    }
    for (size_t i = 0; i < mn_gguf_n_tensors(a); i++) {
        mn_gguf_tensor ta, tb;
        CHECK(mn_gguf_tensor_info(a, i, &ta) == MN_OK && mn_gguf_tensor_info(b, i, &tb) == MN_OK);
        CHECK(!strcmp(ta.name, tb.name) && ta.type == tb.type && ta.n_dims == tb.n_dims && ta.nbytes == tb.nbytes);
        CHECK(!memcmp(ta.ne, tb.ne, sizeof ta.ne));
        CHECK(!ta.nbytes || !memcmp(ta.data, tb.data, ta.nbytes));
    }
}

static void same_content(mn_gguf *a, mn_gguf *b) { same_content_k(a, b, 0); }

static void roundtrip(mn_gguf *g)
{
    mn_gguf_writer *w = copy_to_writer(g);
    size_t size = mn_gguf_writer_size(w);
    CHECK(!mn_is_error(size));
    unsigned char *buf = malloc(size ? size : 1);
    CHECK(buf != NULL);
    CHECK(mn_gguf_writer_write(w, buf, size) == size);
    mn_gguf *h = NULL;
    char err[256];
    mn_status st = mn_gguf_open_memory(&h, buf, size, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st != MN_OK) fprintf(stderr, "reopen: %s\n", err);
    CHECK(st == MN_OK);
    walk(h);
    same_content(g, h);
    mn_gguf_free(h);
    free(buf);
    mn_gguf_writer_free(w);
}

#ifndef MN_FUZZ_WRITER
/* The same bytes through the streaming loader, in chunks whose size the first
 * byte picks: after every chunk the keys-only handle (mn_gguf_loader_metadata)
 * either fails or walks cleanly with no tensors and, when the whole file opens
 * (g), holds exactly g's keys; finish() then agrees with open_memory(). */
static void stream(const uint8_t *data, size_t size, mn_status st_open, mn_gguf *g)
{
    mn_gguf_loader *l = NULL;
    CHECK(mn_gguf_loader_create(&l, size & 1 ? size : 0, MN_GGUF_ALLOW_UNSUPPORTED) == MN_OK);
    const size_t chunk = size ? 1 + data[0] % 97 : 1;
    mn_status st = MN_OK;
    for (size_t at = 0; at < size && st == MN_OK; at += chunk) {
        st = mn_gguf_loader_feed(l, data + at, size - at < chunk ? size - at : chunk);
        if (st != MN_OK) break; /* the header already shows MAGIC / VERSION */
        mn_gguf *h = NULL;
        mn_status sm = mn_gguf_loader_metadata(l, &h);
        CHECK((sm == MN_OK) == (h != NULL));
        if (!h) continue;
        CHECK(mn_gguf_n_tensors(h) == 0);
        walk(h);
        if (g) same_content_k(h, g, 1);
        mn_gguf_free(h);
    }
    if (st == MN_OK) {
        mn_gguf *f = NULL;
        st = mn_gguf_loader_finish(l, &f);
        CHECK((st == MN_OK) == (f != NULL));
        mn_gguf_free(f);
    }
    CHECK((st == MN_OK) == (st_open == MN_OK));
    mn_gguf_loader_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_gguf *g = NULL;
    char err[256];
    mn_status st = mn_gguf_open_memory(&g, data, size, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    CHECK((st == MN_OK) == (g != NULL));
    stream(data, size, st, g);
    if (st != MN_OK) {
        CHECK(err[0] != 0);
        return 0;
    }
    walk(g);
    roundtrip(g);
    mn_gguf_free(g);
    return 0;
}
#else
/* The input is a program for the writer: one op per step. */
typedef struct src { const uint8_t *p; size_t n; } src;
static uint8_t take8(src *s) { uint8_t v = 0; if (s->n) { v = *s->p++; s->n--; } return v; }
static size_t take_bytes(src *s, size_t want, const uint8_t **p) { if (want > s->n) want = s->n; *p = s->p; s->p += want; s->n -= want; return want; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    src s = {data, size};
    static const uint32_t types[] = {0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 24, 25, 26, 27, 28, 29, 30, 34, 35, 39, 40};
    mn_gguf_writer *w = NULL;
    uint8_t mode = take8(&s);
    if (mn_gguf_writer_create(&w, 2 + (mode & 1), 1u << (mode >> 1 & 7)) != MN_OK) return 0;
    unsigned char *blob = calloc(1, 1 << 16);
    size_t blob_used = 0;
    CHECK(blob != NULL);
    for (int op = 0; op < 32 && s.n; op++) {
        char key[24];
        const uint8_t *p;
        uint8_t kind = take8(&s);
        snprintf(key, sizeof key, "k%u.%u", (unsigned)(kind & 7), (unsigned)take8(&s)); /* collisions test DUP_KEY */
        switch (kind % 5) {
        case 0: { /* scalar */
            int t = take8(&s) % MN_GGUF_TYPE_COUNT_;
            unsigned char raw[8] = {0};
            take_bytes(&s, 8, &p);
            memcpy(raw, p, (size_t)(s.p - p));
            mn_status st = mn_gguf_writer_add_scalar(w, key, strlen(key), t, raw);
            CHECK(st == MN_OK || st == MN_E_GGUF_DUP_KEY || st == MN_E_INVALID_ARG);
            break;
        }
        case 1: { /* string */
            size_t n = take_bytes(&s, take8(&s), &p);
            mn_status st = mn_gguf_writer_add_str(w, key, (const char *)p, n);
            CHECK(st == MN_OK || st == MN_E_GGUF_DUP_KEY);
            break;
        }
        case 2: { /* numeric array */
            int t = take8(&s) % MN_GGUF_TYPE_COUNT_;
            size_t n = take8(&s);
            static unsigned char elems[256 * 8];
            size_t got = take_bytes(&s, n * 8 < sizeof elems ? n * 8 : sizeof elems, &p);
            memset(elems, 0, sizeof elems);
            memcpy(elems, p, got);
            mn_status st = mn_gguf_writer_add_arr(w, key, t, elems, n);
            CHECK(st == MN_OK || st == MN_E_GGUF_DUP_KEY || st == MN_E_INVALID_ARG);
            break;
        }
        case 3: { /* string array */
            const char *strs[8];
            size_t lens[8], n = take8(&s) % 9;
            for (size_t i = 0; i < n; i++) { lens[i] = take_bytes(&s, take8(&s) % 16, &p); strs[i] = (const char *)p; }
            mn_status st = mn_gguf_writer_add_arr_str(w, key, strs, lens, n);
            CHECK(st == MN_OK || st == MN_E_GGUF_DUP_KEY);
            break;
        }
        default: { /* tensor */
            uint32_t type = types[take8(&s) % (sizeof types / sizeof types[0])];
            uint32_t n_dims = take8(&s) % 5;
            int64_t ne[4];
            for (uint32_t j = 0; j < n_dims; j++) ne[j] = take8(&s) % 4;
            if (n_dims) ne[0] *= 256; /* a multiple of every block size */
            char name[24];
            snprintf(name, sizeof name, "t%u", (unsigned)(take8(&s) & 15));
            int64_t full[4] = {1, 1, 1, 1};
            uint64_t need = 0;
            for (uint32_t j = 0; j < n_dims; j++) full[j] = ne[j];
            if (mn_type_nbytes(type, full, &need) != 0) { /* a scalar of a block type */
                CHECK(mn_gguf_writer_add_tensor(w, name, type, n_dims, ne, blob, 0) == MN_E_GGUF_SHAPE);
                break;
            }
            if (blob_used + need > (1u << 16)) break;
            mn_status st = mn_gguf_writer_add_tensor(w, name, type, n_dims, ne, blob + blob_used, (size_t)need);
            if (st == MN_OK) blob_used += (size_t)need;
            CHECK(st == MN_OK || st == MN_E_GGUF_DUP_TENSOR);
            break;
        }
        }
    }
    size_t n = mn_gguf_writer_size(w);
    CHECK(!mn_is_error(n));
    unsigned char *buf = malloc(n);
    CHECK(buf && mn_gguf_writer_write(w, buf, n) == n);
    mn_gguf *g = NULL;
    char err[256];
    mn_status st = mn_gguf_open_memory(&g, buf, n, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st != MN_OK) fprintf(stderr, "writer output rejected: %s\n", err);
    CHECK(st == MN_OK);
    walk(g);
    roundtrip(g);
    mn_gguf_free(g);
    free(buf);
    free(blob);
    mn_gguf_writer_free(w);
    return 0;
}
#endif

#ifdef MN_FUZZ_REPLAY_MAIN
#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return 1; }
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    for (size_t got; b && (got = fread(b + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) { unsigned char *nb = realloc(b, cap *= 2); if (!nb) { free(b); b = NULL; } else b = nb; }
    }
    fclose(f);
    if (!b) return 1;
    LLVMFuzzerTestOneInput(b, n);
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    int files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.') continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
                bad += run_file(path);
                files++;
            }
            if (d) closedir(d);
        } else {
            bad += run_file(argv[i]);
            files++;
        }
    }
    printf("fuzz-gguf: %d passed, %d failed\n", files - bad, bad);
    return bad != 0;
}
#endif
