/*
 * gguf.c - the GGUF v2/v3 reader.
 *
 * Every byte of the header, metadata and tensor table is bounds-checked
 * against the end of the data before use; every count read from the file is
 * checked against the bytes left before anything is allocated from it; all
 * size math is 64-bit and checked, and a 64-bit value is compared with the
 * real size before it is narrowed to size_t (32-bit on wasm32). The layout
 * checks follow llama.cpp's gguf.cpp (see minnow_gguf.h for the exact rules).
 * Values are decoded from the file bytes on access (little-endian, unaligned);
 * only key and tensor names are copied (NUL-terminated) at open.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif
#include "minnow_gguf.h"
#include "gguf/gguf_internal.h"
#include "tensor/types.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "core/error.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__) || defined(__wasi__) || defined(__EMSCRIPTEN__)
#define MN_POSIX_IO 1
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if !defined(__wasi__) && !defined(__EMSCRIPTEN__)
#define MN_MMAP 1 /* WASI and Emscripten have no real mmap: read instead */
#include <sys/mman.h>
#endif
#endif

#define MN_GGUF_BUF_ALIGN 64 /* buffers we allocate: tensor data stays SIMD-aligned */
#define MIN_KV_BYTES 14      /* key length 8 + >= 1 key byte + type 4 + >= 1 value byte */
#define MIN_TENSOR_BYTES 24  /* name length 8 + n_dims 4 + type 4 + offset 8 */

typedef struct gkv {
    const char *key;  /* NUL-terminated copy (set once parsing is done) */
    size_t key_off;   /* in the name arena, while parsing */
    size_t key_len;
    uint32_t type, elem_type;
    size_t n;         /* string: bytes; array: elements; else 1 */
    size_t pos;       /* file offset of the value / string bytes / first element */
    size_t end;       /* file offset just past the value */
    size_t *str_pos;  /* string arrays: file offset of each element's length prefix */
} gkv;

typedef struct gten {
    const char *name;
    size_t name_off, name_len;
    uint32_t n_dims, type;
    int64_t ne[MN_GGUF_MAX_DIMS];
    uint64_t offset, nbytes;
} gten;

struct mn_gguf {
    const uint8_t *base;
    size_t size;
    void *owned; /* mn_malloc_aligned() buffer we free, or NULL */
    void *map;   /* mmap'ed region, or NULL */
    size_t map_size;
    unsigned flags;
    uint32_t version, alignment;
    size_t data_offset;
    size_t n_kv, n_tensors;
    gkv *kv;
    gten *t;
    gkv **kv_sorted;  /* by key bytes: duplicate check and find_key */
    gten **t_sorted;  /* by name */
    char *arena;      /* names, NUL-terminated */
    size_t arena_len, arena_cap;
    int keys_only;    /* mn_gguf_loader_metadata(): parse the keys alone, no tensors */
    mn_err err;
};

/* ------------------------------------------------------------- helpers */

/* Untrusted bytes for a message: printable ASCII as is, others as \xNN, cut
 * with "..." so a message always fits. */
static const char *esc(char *dst, size_t cap, const void *src, size_t n)
{
    const unsigned char *s = src;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 8 >= cap) { memcpy(dst + o, "...", 3); o += 3; break; }
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' && s[i] != '\\') dst[o++] = (char)s[i];
        else o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", s[i]);
    }
    dst[o] = 0;
    return dst;
}

static void copy_msg(char *dst, size_t cap, const char *msg)
{
    if (!dst || cap == 0) return;
    size_t n = strlen(msg);
    if (n >= cap) n = cap - 1;
    memcpy(dst, msg, n);
    dst[n] = 0;
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an < bn ? -1 : an > bn);
}

/* Sort comparators: total orders (ties by table position) so the result, and
 * so every message, is the same with every libc's qsort. */
static int kv_cmp(const void *a, const void *b)
{
    const gkv *x = *(const gkv *const *)a, *y = *(const gkv *const *)b;
    int c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
    return c ? c : (x < y ? -1 : x > y);
}
static int ten_name_cmp(const void *a, const void *b)
{
    const gten *x = *(const gten *const *)a, *y = *(const gten *const *)b;
    int c = bytes_cmp(x->name, x->name_len, y->name, y->name_len);
    return c ? c : (x < y ? -1 : x > y);
}
static int ten_off_cmp(const void *a, const void *b)
{
    const gten *x = *(const gten *const *)a, *y = *(const gten *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x < y ? -1 : x > y;
}

static const char *const k_type_names[MN_GGUF_TYPE_COUNT_] = {
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};

const char *mn_gguf_type_name(int type)
{
    return type >= 0 && type < MN_GGUF_TYPE_COUNT_ ? k_type_names[type] : "?";
}

const char *mn_ggml_type_name(uint32_t type)
{
    const mn_type_traits *t = mn_type_info(type);
    return t ? t->name : NULL;
}

int mn_ggml_type_supported(uint32_t type)
{
    const mn_type_traits *t = mn_type_info(type);
    return t ? t->supported : 0;
}

/* -------------------------------------------------------------- reading */

typedef struct rd {
    const uint8_t *p;
    size_t size, pos;
    mn_err *e;
} rd;

static int have(const rd *r, uint64_t n) { return n <= (uint64_t)(r->size - r->pos); }

static mn_status truncated(rd *r, const char *what, size_t idx)
{
    if (!strcmp(what, "the header")) /* one header: no index */
        return mn_err_set(r->e, MN_E_GGUF_TRUNCATED, "the file ends (%zu bytes) inside the header, at byte %zu", r->size, r->pos);
    return mn_err_set(r->e, MN_E_GGUF_TRUNCATED, "the file ends (%zu bytes) inside %s %zu, at byte %zu",
                      r->size, what, idx, r->pos);
}

static mn_status rd_u32(rd *r, uint32_t *v, const char *what, size_t idx)
{
    if (!have(r, 4)) return truncated(r, what, idx);
    *v = mn_le32(r->p + r->pos);
    r->pos += 4;
    return MN_OK;
}

static mn_status rd_u64(rd *r, uint64_t *v, const char *what, size_t idx)
{
    if (!have(r, 8)) return truncated(r, what, idx);
    *v = mn_le64(r->p + r->pos);
    r->pos += 8;
    return MN_OK;
}

/* A GGUF string: u64 length + bytes. Sets the bytes' file offset and length. */
static mn_status rd_str(rd *r, size_t *pos, size_t *len, const char *what, size_t idx)
{
    uint64_t n = 0;
    mn_status st = rd_u64(r, &n, what, idx);
    if (st) return st;
    if (!have(r, n))
        return mn_err_set(r->e, MN_E_GGUF_STRING,
                          "%s %zu: string length %" PRIu64 " at byte %zu runs past the end of the file (%zu bytes left)",
                          what, idx, n, r->pos - 8, r->size - r->pos);
    *pos = r->pos;
    *len = (size_t)n;
    r->pos += (size_t)n;
    return MN_OK;
}

/* Copy a name into the arena (NUL-terminated); returns its arena offset. */
static mn_status arena_add(mn_gguf *g, const uint8_t *s, size_t n, size_t *off)
{
    size_t need;
    if (!mn_add_size(g->arena_len, n + 1, &need)) return mn_err_set(&g->err, MN_E_NOMEM, "names too large");
    if (need > g->arena_cap) {
        size_t cap = g->arena_cap ? g->arena_cap : 1024;
        while (cap < need) {
            if (cap > SIZE_MAX / 2) { cap = need; break; }
            cap *= 2;
        }
        char *a = realloc(g->arena, cap);
        if (!a) return mn_err_set(&g->err, MN_E_NOMEM, "out of memory for %zu bytes of names", cap);
        g->arena = a;
        g->arena_cap = cap;
    }
    memcpy(g->arena + g->arena_len, s, n);
    g->arena[g->arena_len + n] = 0;
    *off = g->arena_len;
    g->arena_len = need;
    return MN_OK;
}

/* Magic and version, on however many bytes are there (the loader calls it on
 * a prefix). @return MN_OK if consistent so far. */
static mn_status check_head(const uint8_t *p, size_t size, mn_err *e, int complete)
{
    char shown[40];
    size_t m = size < 4 ? size : 4;
    for (size_t i = 0; i < m; i++)
        if (p[i] != (uint8_t)MN_GGUF_MAGIC[i])
            return mn_err_set(e, MN_E_GGUF_MAGIC, "not a GGUF file: it starts with '%s', not 'GGUF'", esc(shown, sizeof shown, p, m));
    if (size < 8) {
        if (complete) return mn_err_set(e, MN_E_GGUF_TRUNCATED, "the file ends (%zu bytes) inside the header", size);
        return MN_OK;
    }
    uint32_t v = mn_le32(p + 4);
    if (v == 1) return mn_err_set(e, MN_E_GGUF_VERSION, "GGUF version 1 is not supported (only 2 and 3)");
    if (v != 2 && v != 3) {
        if ((v & 0xFFFFu) == 0)
            return mn_err_set(e, MN_E_GGUF_VERSION, "GGUF version %" PRIu32 " (0x%08" PRIx32 "): a big-endian file? only little-endian versions 2 and 3 are supported", v, v);
        return mn_err_set(e, MN_E_GGUF_VERSION, "GGUF version %" PRIu32 " is not supported (only 2 and 3)", v);
    }
    return MN_OK;
}

static mn_status parse_kv(mn_gguf *g, rd *r, size_t i)
{
    gkv *kv = &g->kv[i];
    char nm[96];
    mn_status st;
    size_t kpos;
    if ((st = rd_str(r, &kpos, &kv->key_len, "key", i))) return st;
    if (kv->key_len == 0) return mn_err_set(r->e, MN_E_GGUF_STRING, "key %zu is empty", i);
    if ((st = arena_add(g, r->p + kpos, kv->key_len, &kv->key_off))) return st;
    esc(nm, sizeof nm, r->p + kpos, kv->key_len);
    if ((st = rd_u32(r, &kv->type, "the type of key", i))) return st;
    kv->n = 1;
    if (kv->type == MN_GGUF_ARRAY) {
        uint64_t n;
        if ((st = rd_u32(r, &kv->elem_type, "the array type of key", i))) return st;
        if ((st = rd_u64(r, &n, "the array length of key", i))) return st;
        if (kv->elem_type == MN_GGUF_ARRAY)
            return mn_err_set(r->e, MN_E_GGUF_ARRAY, "key '%s': nested arrays are not allowed", nm);
        if (kv->elem_type >= MN_GGUF_TYPE_COUNT_)
            return mn_err_set(r->e, MN_E_GGUF_ARRAY, "key '%s': unknown array element type %" PRIu32, nm, kv->elem_type);
        size_t left = r->size - r->pos;
        kv->pos = r->pos;
        if (kv->elem_type == MN_GGUF_STRING) {
            if (n > left / 8)
                return mn_err_set(r->e, MN_E_GGUF_ARRAY, "key '%s': %" PRIu64 " strings cannot fit in the %zu bytes left", nm, n, left);
            kv->n = (size_t)n;
            if (n) {
                kv->str_pos = mn_calloc_array((size_t)n, sizeof *kv->str_pos);
                if (!kv->str_pos) return mn_err_set(r->e, MN_E_NOMEM, "key '%s': no memory for %" PRIu64 " string offsets", nm, n);
            }
            for (size_t j = 0; j < kv->n; j++) {
                size_t sp, sl;
                kv->str_pos[j] = r->pos;
                if ((st = rd_str(r, &sp, &sl, "a string of the array of key", i))) return st;
            }
        } else {
            uint64_t bytes;
            if (!mn_mul_u64(n, mn_gguf_value_size(kv->elem_type), &bytes) || bytes > left)
                return mn_err_set(r->e, MN_E_GGUF_ARRAY, "key '%s': %" PRIu64 " elements of %s run past the end of the file (%zu bytes left)",
                                  nm, n, k_type_names[kv->elem_type], left);
            kv->n = (size_t)n;
            r->pos += (size_t)bytes;
        }
    } else if (kv->type >= MN_GGUF_TYPE_COUNT_) {
        return mn_err_set(r->e, MN_E_GGUF_VALUE_TYPE, "key '%s' has unknown value type %" PRIu32, nm, kv->type);
    } else if (kv->type == MN_GGUF_STRING) {
        if ((st = rd_str(r, &kv->pos, &kv->n, "the string value of key", i))) return st;
    } else {
        size_t sz = mn_gguf_value_size(kv->type);
        if (!have(r, sz)) return truncated(r, "the value of key", i);
        kv->pos = r->pos;
        r->pos += sz;
    }
    kv->end = r->pos;
    return MN_OK;
}

static mn_status parse_tensor(mn_gguf *g, rd *r, size_t i)
{
    gten *t = &g->t[i];
    char nm[96];
    mn_status st;
    size_t npos;
    uint64_t v;
    if ((st = rd_str(r, &npos, &t->name_len, "the name of tensor", i))) return st;
    esc(nm, sizeof nm, r->p + npos, t->name_len);
    if (t->name_len >= MN_GGUF_NAME_MAX)
        return mn_err_set(r->e, MN_E_GGUF_STRING, "tensor %zu: name '%s' is %zu bytes (at most %d)", i, nm, t->name_len, MN_GGUF_NAME_MAX - 1);
    /* llama.cpp keeps the name as a C string (ggml_set_name): an embedded NUL
     * ends it, and names are compared (for duplicates) up to there. */
    const void *nul = memchr(r->p + npos, 0, t->name_len);
    if (nul) t->name_len = (size_t)((const uint8_t *)nul - (r->p + npos));
    if ((st = arena_add(g, r->p + npos, t->name_len, &t->name_off))) return st;
    if ((st = rd_u32(r, &t->n_dims, "the dims of tensor", i))) return st;
    if (t->n_dims > MN_GGUF_MAX_DIMS)
        return mn_err_set(r->e, MN_E_GGUF_DIMS, "tensor '%s' has %" PRIu32 " dims (at most %d)", nm, t->n_dims, MN_GGUF_MAX_DIMS);
    for (uint32_t j = 0; j < MN_GGUF_MAX_DIMS; j++) {
        t->ne[j] = 1;
        if (j >= t->n_dims) continue;
        if ((st = rd_u64(r, &v, "the shape of tensor", i))) return st;
        if (v > (uint64_t)INT64_MAX)
            return mn_err_set(r->e, MN_E_GGUF_DIMS, "tensor '%s' dim %" PRIu32 " is negative (%" PRId64 ")", nm, j, (int64_t)(v - (uint64_t)INT64_MAX - 1) + INT64_MIN);
        t->ne[j] = (int64_t)v;
    }
    if ((st = rd_u32(r, &t->type, "the type of tensor", i))) return st;
    if ((st = rd_u64(r, &t->offset, "the offset of tensor", i))) return st;

    const mn_type_traits *ti = mn_type_info(t->type);
    if (!ti) return mn_err_set(r->e, MN_E_GGUF_TENSOR_TYPE, "tensor '%s' has unknown ggml type %" PRIu32, nm, t->type);
    switch (mn_type_nbytes(t->type, t->ne, &t->nbytes)) {
    case 0: break;
    case 2:
        return mn_err_set(r->e, MN_E_GGUF_SHAPE, "tensor '%s' of type %s has %" PRId64 " elements per row, not a multiple of the block size %" PRIu32,
                          nm, ti->name, t->ne[0], ti->block_size);
    default:
        return mn_err_set(r->e, MN_E_GGUF_DIM_OVERFLOW, "tensor '%s' shape [%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 "] of %s: element or byte count overflows",
                          nm, t->ne[0], t->ne[1], t->ne[2], t->ne[3], ti->name);
    }
    if (t->offset % g->alignment != 0)
        return mn_err_set(r->e, MN_E_GGUF_OFFSET, "tensor '%s' offset %" PRIu64 " is not a multiple of the alignment %" PRIu32, nm, t->offset, g->alignment);
    return MN_OK;
}

static mn_status parse(mn_gguf *g)
{
    mn_err *e = &g->err;
    rd r = {g->base, g->size, 0, e};
    mn_status st;
    uint64_t n_tensors, n_kv;
    char nm[96];

    if ((st = check_head(g->base, g->size, e, 1))) return st;
    r.pos = 4;
    if ((st = rd_u32(&r, &g->version, "the header", 0))) return st;
    if ((st = rd_u64(&r, &n_tensors, "the header", 0))) return st;
    if ((st = rd_u64(&r, &n_kv, "the header", 0))) return st;

    /* Counts are untrusted: bound them by what the rest of the file can hold
     * before allocating anything from them. */
    size_t left = r.size - r.pos;
    if (g->keys_only) n_tensors = 0; /* a prefix: the tensor table may still be missing */
    if (n_kv > left / MIN_KV_BYTES || n_tensors > left / MIN_TENSOR_BYTES ||
        n_kv * MIN_KV_BYTES + n_tensors * MIN_TENSOR_BYTES > left) /* no overflow: each term <= left */
        return mn_err_set(e, MN_E_GGUF_COUNT, "%" PRIu64 " keys and %" PRIu64 " tensors cannot fit in the %zu bytes after the header",
                          n_kv, n_tensors, left);
    g->n_kv = (size_t)n_kv;
    g->n_tensors = (size_t)n_tensors;
    if (g->n_kv) {
        g->kv = mn_calloc_array(g->n_kv, sizeof *g->kv);
        g->kv_sorted = mn_calloc_array(g->n_kv, sizeof *g->kv_sorted);
        if (!g->kv || !g->kv_sorted) return mn_err_set(e, MN_E_NOMEM, "no memory for %zu keys", g->n_kv);
    }
    if (g->n_tensors) {
        g->t = mn_calloc_array(g->n_tensors, sizeof *g->t);
        g->t_sorted = mn_calloc_array(g->n_tensors, sizeof *g->t_sorted);
        if (!g->t || !g->t_sorted) return mn_err_set(e, MN_E_NOMEM, "no memory for %zu tensors", g->n_tensors);
    }

    for (size_t i = 0; i < g->n_kv; i++)
        if ((st = parse_kv(g, &r, i))) return st;
    for (size_t i = 0; i < g->n_kv; i++) {
        g->kv[i].key = g->arena + g->kv[i].key_off; /* the arena has stopped moving for keys seen so far */
        g->kv_sorted[i] = &g->kv[i];
    }
    if (g->n_kv) qsort(g->kv_sorted, g->n_kv, sizeof *g->kv_sorted, kv_cmp);
    for (size_t i = 1; i < g->n_kv; i++) {
        const gkv *a = g->kv_sorted[i - 1], *b = g->kv_sorted[i];
        if (!bytes_cmp(a->key, a->key_len, b->key, b->key_len))
            return mn_err_set(e, MN_E_GGUF_DUP_KEY, "key '%s' appears twice (keys %zu and %zu)",
                              esc(nm, sizeof nm, a->key, a->key_len), (size_t)(a - g->kv), (size_t)(b - g->kv));
    }

    g->alignment = MN_GGUF_DEFAULT_ALIGNMENT;
    size_t kid;
    if (mn_gguf_find_key(g, MN_GGUF_KEY_ALIGNMENT, &kid) == MN_OK) {
        const gkv *kv = &g->kv[kid];
        if (kv->type != MN_GGUF_U32)
            return mn_err_set(e, MN_E_GGUF_ALIGNMENT, "general.alignment is %s, not u32", mn_gguf_type_name((int)kv->type));
        uint32_t a = mn_le32(g->base + kv->pos);
        if (a == 0 || (a & (a - 1)) != 0)
            return mn_err_set(e, MN_E_GGUF_ALIGNMENT, "general.alignment %" PRIu32 " is not a power of two", a);
        g->alignment = a;
    }
    mn_err_clear(e); /* find_key above may have recorded "missing" */
    if (g->keys_only) return MN_OK;

    for (size_t i = 0; i < g->n_tensors; i++)
        if ((st = parse_tensor(g, &r, i))) return st;
    for (size_t i = 0; i < g->n_kv; i++) g->kv[i].key = g->arena + g->kv[i].key_off; /* arena may have moved */
    for (size_t i = 0; i < g->n_tensors; i++) {
        g->t[i].name = g->arena + g->t[i].name_off;
        g->t_sorted[i] = &g->t[i];
    }
    if (g->n_tensors) qsort(g->t_sorted, g->n_tensors, sizeof *g->t_sorted, ten_name_cmp);
    for (size_t i = 1; i < g->n_tensors; i++) {
        const gten *a = g->t_sorted[i - 1], *b = g->t_sorted[i];
        if (!bytes_cmp(a->name, a->name_len, b->name, b->name_len))
            return mn_err_set(e, MN_E_GGUF_DUP_TENSOR, "tensor name '%s' appears twice (tensors %zu and %zu)",
                              esc(nm, sizeof nm, a->name, a->name_len), (size_t)(a - g->t), (size_t)(b - g->t));
    }

    /* The data section starts at the aligned end of the table (llama.cpp
     * does not pad when there are no tensors: vocab-only files end there). */
    uint64_t data_off = r.pos;
    if (g->n_tensors && !mn_align_u64(r.pos, g->alignment, &data_off))
        return mn_err_set(e, MN_E_GGUF_RANGE, "data section offset overflows");
    for (size_t i = 0; i < g->n_tensors; i++) {
        const gten *t = &g->t[i];
        uint64_t start, end;
        if (!mn_add_u64(data_off, t->offset, &start) || !mn_add_u64(start, t->nbytes, &end) || end > g->size)
            return mn_err_set(e, MN_E_GGUF_RANGE, "tensor '%s' data [offset %" PRIu64 ", %" PRIu64 " bytes) ends past the end of the file (%zu bytes, data at %" PRIu64 ")",
                              esc(nm, sizeof nm, t->name, t->name_len), t->offset, t->nbytes, g->size, data_off);
    }
    g->data_offset = (size_t)data_off; /* <= size when there are tensors; else r.pos */

    /* Overlap: sorted by offset, each non-empty range must start at or after
     * the furthest end seen so far. The ordering reuses t_sorted, so restore
     * the by-name order afterwards for find_tensor. */
    if (g->n_tensors) {
        qsort(g->t_sorted, g->n_tensors, sizeof *g->t_sorted, ten_off_cmp);
        const gten *far = NULL;
        for (size_t i = 0; i < g->n_tensors; i++) {
            const gten *t = g->t_sorted[i];
            if (t->nbytes == 0) continue;
            if (far && t->offset < far->offset + far->nbytes) {
                char nm2[96];
                return mn_err_set(e, MN_E_GGUF_OVERLAP, "tensors '%s' [%" PRIu64 ", +%" PRIu64 ") and '%s' [%" PRIu64 ", +%" PRIu64 ") overlap",
                                  esc(nm, sizeof nm, far->name, far->name_len), far->offset, far->nbytes,
                                  esc(nm2, sizeof nm2, t->name, t->name_len), t->offset, t->nbytes);
            }
            if (!far || t->offset + t->nbytes > far->offset + far->nbytes) far = t;
        }
        qsort(g->t_sorted, g->n_tensors, sizeof *g->t_sorted, ten_name_cmp);
    }

    /* Last, so that a structurally broken file reports its structure first. */
    if (!(g->flags & MN_GGUF_ALLOW_UNSUPPORTED))
        for (size_t i = 0; i < g->n_tensors; i++)
            if (!mn_type_info(g->t[i].type)->supported)
                return mn_err_set(e, MN_E_GGUF_TENSOR_TYPE, "tensor '%s' has type %s, which minnow does not support yet",
                                  esc(nm, sizeof nm, g->t[i].name, g->t[i].name_len), mn_type_info(g->t[i].type)->name);
    return MN_OK;
}

/* ------------------------------------------------------------ lifecycle */

void mn_gguf_free(mn_gguf *g)
{
    if (!g) return;
    for (size_t i = 0; g->kv && i < g->n_kv; i++) free(g->kv[i].str_pos);
    free(g->kv);
    free(g->kv_sorted);
    free(g->t);
    free(g->t_sorted);
    free(g->arena);
#ifdef MN_MMAP
    if (g->map) munmap(g->map, g->map_size);
#endif
    mn_free_aligned(g->owned);
    free(g);
}

const char *mn_gguf_error(const mn_gguf *g) { return g ? g->err.msg : "NULL gguf handle"; }

/* Parse g's bytes; on failure copy the message out and free g (but not the
 * buffer if keep_buffer: the loader still owns it). */
static mn_status open_finish(mn_gguf *g, mn_gguf **out, char *err, size_t errCap, mn_err *errOut)
{
    mn_status st = parse(g);
    if (st != MN_OK) {
        copy_msg(err, errCap, g->err.msg);
        if (errOut) mn_err_set(errOut, st, "%s", g->err.msg);
        mn_gguf_free(g);
        return st;
    }
    mn_err_clear(&g->err);
    *out = g;
    return MN_OK;
}

static mn_status open_fail(char *err, size_t errCap, mn_status st, const char *msg)
{
    copy_msg(err, errCap, msg);
    return st;
}

mn_status mn_gguf_open_memory(mn_gguf **out, const void *data, size_t size, unsigned flags,
                              char *err, size_t errCapacity)
{
    if (!out) return open_fail(err, errCapacity, MN_E_INVALID_ARG, "NULL out");
    *out = NULL;
    if (!data && size) return open_fail(err, errCapacity, MN_E_INVALID_ARG, "NULL data");
    mn_gguf *g = calloc(1, sizeof *g);
    if (!g) return open_fail(err, errCapacity, MN_E_NOMEM, "out of memory");
    g->base = data;
    g->size = size;
    g->flags = flags;
    return open_finish(g, out, err, errCapacity, NULL);
}

mn_status mn_gguf_open_file(mn_gguf **out, const char *path, unsigned flags, char *err, size_t errCapacity)
{
    char msg[MN_ERR_MSG_MAX], shown[128];
    if (!out) return open_fail(err, errCapacity, MN_E_INVALID_ARG, "NULL out");
    *out = NULL;
    if (!path) return open_fail(err, errCapacity, MN_E_INVALID_ARG, "NULL path");
    esc(shown, sizeof shown, path, strlen(path));
    mn_gguf *g = calloc(1, sizeof *g);
    if (!g) return open_fail(err, errCapacity, MN_E_NOMEM, "out of memory");
    g->flags = flags;
#ifdef MN_POSIX_IO
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", shown, strerror(errno));
        free(g);
        return open_fail(err, errCapacity, MN_E_IO, msg);
    }
    struct stat sb;
    mn_status st = MN_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, sizeof msg, "%s is not a readable regular file", shown);
        st = MN_E_IO;
    } else if ((uint64_t)sb.st_size > (uint64_t)SIZE_MAX) {
        snprintf(msg, sizeof msg, "%s: %" PRIu64 " bytes do not fit in this address space", shown, (uint64_t)sb.st_size);
        st = MN_E_NOMEM;
    }
    size_t size = st ? 0 : (size_t)sb.st_size;
#ifdef MN_MMAP
    if (!st && size && !(flags & MN_GGUF_NO_MMAP)) {
        void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            g->map = p;
            g->map_size = size;
            g->base = p;
        }
    }
#endif
    if (!st && !g->map) {
        g->owned = mn_malloc_aligned(size ? size : 1, MN_GGUF_BUF_ALIGN);
        if (!g->owned) {
            snprintf(msg, sizeof msg, "%s: no memory for %zu bytes", shown, size);
            st = MN_E_NOMEM;
        }
        size_t got = 0;
        while (!st && got < size) {
            size_t want = size - got > ((size_t)1 << 30) ? ((size_t)1 << 30) : size - got;
            ssize_t n = read(fd, (uint8_t *)g->owned + got, want);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                snprintf(msg, sizeof msg, "%s: read failed after %zu of %zu bytes%s%s", shown, got, size,
                         n < 0 ? ": " : " (file shrank)", n < 0 ? strerror(errno) : "");
                st = MN_E_IO;
            } else {
                got += (size_t)n;
            }
        }
        g->base = g->owned;
    }
    close(fd);
    if (st) {
        mn_gguf_free(g);
        return open_fail(err, errCapacity, st, msg);
    }
    g->size = size;
#else
    /* Portable fallback: stdio, read to EOF with doubling. */
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, sizeof msg, "cannot open %s: %s", shown, strerror(errno));
        free(g);
        return open_fail(err, errCapacity, MN_E_IO, msg);
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = mn_malloc_aligned(cap, MN_GGUF_BUF_ALIGN);
    for (;;) {
        if (!buf) break;
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        uint8_t *nb = cap <= SIZE_MAX / 2 ? mn_malloc_aligned(cap * 2, MN_GGUF_BUF_ALIGN) : NULL;
        if (nb) memcpy(nb, buf, len);
        mn_free_aligned(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        mn_free_aligned(buf);
        free(g);
        snprintf(msg, sizeof msg, "%s: %s", shown, bad ? "read failed" : "out of memory");
        return open_fail(err, errCapacity, bad ? MN_E_IO : MN_E_NOMEM, msg);
    }
    g->owned = buf;
    g->base = buf;
    g->size = len;
#endif
    return open_finish(g, out, err, errCapacity, NULL);
}

/* ---------------------------------------------------------------- loader */

struct mn_gguf_loader {
    uint8_t *buf;
    size_t len, cap, reserved;
    uint64_t hint;
    unsigned flags;
    int finished;
    mn_err err;
};

mn_status mn_gguf_loader_create(mn_gguf_loader **out, uint64_t sizeHint, unsigned flags)
{
    if (!out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (sizeHint > (uint64_t)SIZE_MAX) return MN_E_NOMEM; /* cannot fit this address space */
    mn_gguf_loader *l = calloc(1, sizeof *l);
    if (!l) return MN_E_NOMEM;
    l->hint = sizeHint;
    l->flags = flags;
    if (sizeHint) {
        l->buf = mn_malloc_aligned((size_t)sizeHint, MN_GGUF_BUF_ALIGN);
        if (!l->buf) { free(l); return MN_E_NOMEM; }
        l->cap = (size_t)sizeHint;
    }
    *out = l;
    return MN_OK;
}

static mn_status loader_grow(mn_gguf_loader *l, size_t more)
{
    size_t need;
    if (l->finished) return mn_err_set(&l->err, MN_E_STATE, "loader already finished");
    if (!mn_add_size(l->len, more, &need)) return mn_err_set(&l->err, MN_E_NOMEM, "stream larger than the address space");
    if (need <= l->cap) return MN_OK;
    size_t cap = l->cap ? l->cap : 1 << 16;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *nb = mn_malloc_aligned(cap, MN_GGUF_BUF_ALIGN);
    if (!nb) return mn_err_set(&l->err, MN_E_NOMEM, "no memory for %zu bytes", cap);
    if (l->len) memcpy(nb, l->buf, l->len);
    mn_free_aligned(l->buf);
    l->buf = nb;
    l->cap = cap;
    return MN_OK;
}

mn_status mn_gguf_loader_reserve(mn_gguf_loader *l, size_t size, void **dst)
{
    if (!l || !dst) return MN_E_INVALID_ARG;
    *dst = NULL;
    mn_status st = loader_grow(l, size);
    if (st) return st;
    l->reserved = size;
    *dst = l->buf + l->len;
    return MN_OK;
}

mn_status mn_gguf_loader_commit(mn_gguf_loader *l, size_t size)
{
    if (!l) return MN_E_INVALID_ARG;
    if (l->finished) return mn_err_set(&l->err, MN_E_STATE, "loader already finished");
    if (size > l->reserved) return mn_err_set(&l->err, MN_E_INVALID_ARG, "commit of %zu bytes exceeds the %zu reserved", size, l->reserved);
    size_t before = l->len;
    l->len += size;
    l->reserved = 0;
    /* fail fast on a stream that is not GGUF: only while the header is arriving */
    if (before < 8) return check_head(l->buf, l->len, &l->err, 0);
    return MN_OK;
}

mn_status mn_gguf_loader_feed(mn_gguf_loader *l, const void *src, size_t srcSize)
{
    void *dst;
    if (!l || (!src && srcSize)) return MN_E_INVALID_ARG;
    mn_status st = mn_gguf_loader_reserve(l, srcSize, &dst);
    if (st) return st;
    if (srcSize) memcpy(dst, src, srcSize);
    return mn_gguf_loader_commit(l, srcSize);
}

mn_status mn_gguf_loader_finish(mn_gguf_loader *l, mn_gguf **out)
{
    if (!l || !out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (l->finished) return mn_err_set(&l->err, MN_E_STATE, "loader already finished");
    l->finished = 1;
    if (l->hint && l->len < l->hint)
        return mn_err_set(&l->err, MN_E_GGUF_TRUNCATED, "the stream ended after %zu of the %" PRIu64 " bytes announced", l->len, l->hint);
    mn_gguf *g = calloc(1, sizeof *g);
    if (!g) return mn_err_set(&l->err, MN_E_NOMEM, "out of memory");
    g->base = l->buf;
    g->size = l->len;
    g->flags = l->flags;
    mn_status st = open_finish(g, out, NULL, 0, &l->err); /* g does not own the buffer yet */
    if (st == MN_OK) {
        (*out)->owned = l->buf; /* hand over: no copy */
        l->buf = NULL;
        l->cap = l->len = 0;
    }
    return st;
}

mn_status mn_gguf_loader_metadata(mn_gguf_loader *l, mn_gguf **out)
{
    if (!l || !out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (l->finished) return mn_err_set(&l->err, MN_E_STATE, "loader already finished");
    mn_gguf *g = calloc(1, sizeof *g);
    if (!g) return MN_E_NOMEM;
    g->base = l->buf; /* borrowed, never owned: mn_gguf_free() leaves it */
    g->size = l->len;
    g->flags = l->flags;
    g->keys_only = 1;
    /* failures are not recorded in the loader: they may only mean "not yet" */
    return open_finish(g, out, NULL, 0, NULL);
}

uint64_t mn_gguf_loader_size(const mn_gguf_loader *l) { return l ? l->len : 0; }
const char *mn_gguf_loader_error(const mn_gguf_loader *l) { return l ? l->err.msg : "NULL loader"; }

void mn_gguf_loader_free(mn_gguf_loader *l)
{
    if (!l) return;
    mn_free_aligned(l->buf);
    free(l);
}

/* ------------------------------------------------------------ accessors */

uint32_t mn_gguf_version(const mn_gguf *g) { return g ? g->version : 0; }
uint32_t mn_gguf_alignment(const mn_gguf *g) { return g ? g->alignment : 0; }
uint64_t mn_gguf_data_offset(const mn_gguf *g) { return g ? g->data_offset : 0; }
uint64_t mn_gguf_file_size(const mn_gguf *g) { return g ? g->size : 0; }
size_t mn_gguf_n_kv(const mn_gguf *g) { return g ? g->n_kv : 0; }
size_t mn_gguf_n_tensors(const mn_gguf *g) { return g ? g->n_tensors : 0; }

const void *mn_gguf_bytes(const mn_gguf *g, size_t *size)
{
    if (size) *size = g ? g->size : 0;
    return g ? g->base : NULL;
}

const char *mn_gguf_key(const mn_gguf *g, size_t i) { return g && i < g->n_kv ? g->kv[i].key : NULL; }
size_t mn_gguf_key_len(const mn_gguf *g, size_t i) { return g && i < g->n_kv ? g->kv[i].key_len : 0; }
void *mn_gguf_writable(mn_gguf *g, const void *p, size_t n)
{
    if (!g || !g->owned || !p) return NULL;
    const uintptr_t b = (uintptr_t)g->owned, a = (uintptr_t)p;
    if (a < b || a - b > g->size || n > g->size - (a - b)) return NULL;
    return (uint8_t *)g->owned + (a - b);
}

int mn_gguf_raw_value(const mn_gguf *g, size_t kid, const uint8_t **p, size_t *n)
{
    if (!g || kid >= g->n_kv) return 0;
    const gkv *kv = &g->kv[kid];
    size_t start = kv->type == MN_GGUF_ARRAY ? kv->pos - 12 : kv->type == MN_GGUF_STRING ? kv->pos - 8 : kv->pos;
    *p = g->base + start;
    *n = kv->end - start;
    return 1;
}

int mn_gguf_key_type(const mn_gguf *g, size_t i) { return g && i < g->n_kv ? (int)g->kv[i].type : -1; }

mn_status mn_gguf_find_key(mn_gguf *g, const char *key, size_t *index)
{
    if (!g || !key || !index) return MN_E_INVALID_ARG;
    size_t n = strlen(key), lo = 0, hi = g->n_kv;
    while (lo < hi) { /* kv_sorted is sorted by bytes, then position: the first match wins */
        size_t mid = lo + (hi - lo) / 2;
        const gkv *kv = g->kv_sorted[mid];
        if (bytes_cmp(kv->key, kv->key_len, key, n) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < g->n_kv && !bytes_cmp(g->kv_sorted[lo]->key, g->kv_sorted[lo]->key_len, key, n)) {
        *index = (size_t)(g->kv_sorted[lo] - g->kv);
        return MN_OK;
    }
    char nm[96];
    return mn_err_set(&g->err, MN_E_GGUF_KEY_MISSING, "no key '%s'", esc(nm, sizeof nm, key, n));
}

mn_status mn_gguf_find_tensor(mn_gguf *g, const char *name, size_t *index)
{
    if (!g || !name || !index) return MN_E_INVALID_ARG;
    size_t n = strlen(name), lo = 0, hi = g->n_tensors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const gten *t = g->t_sorted[mid];
        if (bytes_cmp(t->name, t->name_len, name, n) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < g->n_tensors && !bytes_cmp(g->t_sorted[lo]->name, g->t_sorted[lo]->name_len, name, n)) {
        *index = (size_t)(g->t_sorted[lo] - g->t);
        return MN_OK;
    }
    char nm[96];
    return mn_err_set(&g->err, MN_E_GGUF_TENSOR_MISSING, "no tensor '%s'", esc(nm, sizeof nm, name, n));
}

mn_status mn_gguf_tensor_info(mn_gguf *g, size_t i, mn_gguf_tensor *out)
{
    if (!g || !out) return MN_E_INVALID_ARG;
    if (i >= g->n_tensors) return mn_err_set(&g->err, MN_E_INVALID_ARG, "tensor index %zu out of range (%zu tensors)", i, g->n_tensors);
    const gten *t = &g->t[i];
    out->name = t->name;
    out->n_dims = t->n_dims;
    out->type = t->type;
    memcpy(out->ne, t->ne, sizeof out->ne);
    out->offset = t->offset;
    out->nbytes = (size_t)t->nbytes;                      /* fits: inside the file */
    out->data = g->base + g->data_offset + (size_t)t->offset;
    return MN_OK;
}

/* Lossless widening, by type (see minnow_gguf.h). */
static int widens(uint32_t from, uint32_t to)
{
    switch (to) {
    case MN_GGUF_U16: return from == MN_GGUF_U8;
    case MN_GGUF_I16: return from == MN_GGUF_U8 || from == MN_GGUF_I8;
    case MN_GGUF_U32: return from == MN_GGUF_U8 || from == MN_GGUF_U16;
    case MN_GGUF_I32: return from == MN_GGUF_U8 || from == MN_GGUF_I8 || from == MN_GGUF_U16 || from == MN_GGUF_I16;
    case MN_GGUF_U64: return from == MN_GGUF_U8 || from == MN_GGUF_U16 || from == MN_GGUF_U32;
    case MN_GGUF_I64: return from == MN_GGUF_U8 || from == MN_GGUF_I8 || from == MN_GGUF_U16 || from == MN_GGUF_I16 ||
                             from == MN_GGUF_U32 || from == MN_GGUF_I32;
    case MN_GGUF_F64: return from == MN_GGUF_F32;
    default: return 0;
    }
}

static mn_status key_index(mn_gguf *g, size_t kid, const void *out)
{
    if (!g) return MN_E_INVALID_ARG;
    if (!out) return mn_err_set(&g->err, MN_E_INVALID_ARG, "NULL output");
    if (kid >= g->n_kv) return mn_err_set(&g->err, MN_E_INVALID_ARG, "key index %zu out of range (%zu keys)", kid, g->n_kv);
    return MN_OK;
}

/* Decode a fixed-size value of type `from` at p and store it as `to` in out. */
static mn_status get_value(mn_gguf *g, const gkv *kv, uint32_t from, const uint8_t *p, uint32_t to, void *out, int in_array)
{
    char nm[96];
    if (from != to && !widens(from, to))
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is %s%s, not %s", esc(nm, sizeof nm, kv->key, kv->key_len),
                          in_array ? "an array of " : "", mn_gguf_type_name((int)from), mn_gguf_type_name((int)to));
    uint64_t u = 0;
    int64_t s = 0;
    switch (from) {
    case MN_GGUF_U8: case MN_GGUF_BOOL: u = p[0]; s = (int64_t)u; break;
    case MN_GGUF_I8: s = (int8_t)p[0]; break;
    case MN_GGUF_U16: u = mn_le16(p); s = (int64_t)u; break;
    case MN_GGUF_I16: s = (int16_t)mn_le16(p); break;
    case MN_GGUF_U32: case MN_GGUF_F32: u = mn_le32(p); s = (int64_t)u; break;
    case MN_GGUF_I32: s = (int32_t)mn_le32(p); break;
    case MN_GGUF_U64: case MN_GGUF_F64: u = mn_le64(p); break;
    case MN_GGUF_I64: s = (int64_t)mn_le64(p); break;
    default: return mn_err_set(&g->err, MN_E_CORRUPT, "internal: value type %" PRIu32, from);
    }
    switch (to) {
    case MN_GGUF_U8: *(uint8_t *)out = (uint8_t)u; break;
    case MN_GGUF_I8: *(int8_t *)out = (int8_t)s; break;
    case MN_GGUF_U16: *(uint16_t *)out = (uint16_t)u; break;
    case MN_GGUF_I16: *(int16_t *)out = (int16_t)s; break;
    case MN_GGUF_U32: *(uint32_t *)out = (uint32_t)u; break;
    case MN_GGUF_I32: *(int32_t *)out = (int32_t)s; break;
    case MN_GGUF_U64: *(uint64_t *)out = u; break;
    case MN_GGUF_I64: *(int64_t *)out = s; break;
    case MN_GGUF_BOOL: *(int *)out = u != 0; break;
    case MN_GGUF_F32: { uint32_t b = (uint32_t)u; float f; memcpy(&f, &b, 4); *(float *)out = f; break; }
    case MN_GGUF_F64:
        if (from == MN_GGUF_F32) { uint32_t b = (uint32_t)u; float f; memcpy(&f, &b, 4); *(double *)out = (double)f; }
        else { double d; memcpy(&d, &u, 8); *(double *)out = d; }
        break;
    default: break;
    }
    return MN_OK;
}

static mn_status get_scalar(mn_gguf *g, size_t kid, uint32_t to, void *out)
{
    mn_status st = key_index(g, kid, out);
    if (st) return st;
    const gkv *kv = &g->kv[kid];
    return get_value(g, kv, kv->type, g->base + kv->pos, to, out, 0);
}

static mn_status arr_check(mn_gguf *g, size_t kid, size_t i, const void *out, const gkv **kvp)
{
    char nm[96];
    mn_status st = key_index(g, kid, out);
    if (st) return st;
    const gkv *kv = &g->kv[kid];
    if (kv->type != MN_GGUF_ARRAY)
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is %s, not an array", esc(nm, sizeof nm, kv->key, kv->key_len),
                          mn_gguf_type_name((int)kv->type));
    if (i >= kv->n)
        return mn_err_set(&g->err, MN_E_INVALID_ARG, "key '%s': index %zu out of range (%zu elements)", esc(nm, sizeof nm, kv->key, kv->key_len), i, kv->n);
    *kvp = kv;
    return MN_OK;
}

static mn_status get_elem(mn_gguf *g, size_t kid, size_t i, uint32_t to, void *out)
{
    const gkv *kv = NULL;
    mn_status st = arr_check(g, kid, i, out, &kv);
    if (st) return st;
    size_t es = mn_gguf_value_size(kv->elem_type);
    /* string arrays have es == 0: get_value refuses them as a type mismatch */
    return get_value(g, kv, kv->elem_type, g->base + kv->pos + i * es, to, out, 1);
}

#define MN_GETTERS(sfx, ctype, T)                                                                     \
    mn_status mn_gguf_get_##sfx(mn_gguf *g, size_t kid, ctype *out) { return get_scalar(g, kid, T, out); } \
    mn_status mn_gguf_get_arr_##sfx(mn_gguf *g, size_t kid, size_t i, ctype *out) { return get_elem(g, kid, i, T, out); }
MN_GETTERS(u8, uint8_t, MN_GGUF_U8)
MN_GETTERS(i8, int8_t, MN_GGUF_I8)
MN_GETTERS(u16, uint16_t, MN_GGUF_U16)
MN_GETTERS(i16, int16_t, MN_GGUF_I16)
MN_GETTERS(u32, uint32_t, MN_GGUF_U32)
MN_GETTERS(i32, int32_t, MN_GGUF_I32)
MN_GETTERS(u64, uint64_t, MN_GGUF_U64)
MN_GETTERS(i64, int64_t, MN_GGUF_I64)
MN_GETTERS(f32, float, MN_GGUF_F32)
MN_GETTERS(f64, double, MN_GGUF_F64)
MN_GETTERS(bool, int, MN_GGUF_BOOL)

mn_status mn_gguf_get_str(mn_gguf *g, size_t kid, const char **str, size_t *len)
{
    char nm[96];
    mn_status st = key_index(g, kid, str);
    if (st) return st;
    if (!len) return mn_err_set(&g->err, MN_E_INVALID_ARG, "NULL output");
    const gkv *kv = &g->kv[kid];
    if (kv->type != MN_GGUF_STRING)
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is %s, not string", esc(nm, sizeof nm, kv->key, kv->key_len),
                          mn_gguf_type_name((int)kv->type));
    *str = (const char *)g->base + kv->pos;
    *len = kv->n;
    return MN_OK;
}

mn_status mn_gguf_get_arr_info(mn_gguf *g, size_t kid, int *elemType, size_t *n)
{
    char nm[96];
    mn_status st = key_index(g, kid, n);
    if (st) return st;
    const gkv *kv = &g->kv[kid];
    if (kv->type != MN_GGUF_ARRAY)
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is %s, not an array", esc(nm, sizeof nm, kv->key, kv->key_len),
                          mn_gguf_type_name((int)kv->type));
    if (elemType) *elemType = (int)kv->elem_type;
    *n = kv->n;
    return MN_OK;
}

mn_status mn_gguf_get_arr_data(mn_gguf *g, size_t kid, const void **data, size_t *elemSize)
{
    char nm[96];
    int et;
    size_t n;
    mn_status st = mn_gguf_get_arr_info(g, kid, &et, &n);
    if (st) return st;
    if (!data) return mn_err_set(&g->err, MN_E_INVALID_ARG, "NULL output");
    const gkv *kv = &g->kv[kid];
    if (et == MN_GGUF_STRING)
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is an array of string: use mn_gguf_get_arr_str()",
                          esc(nm, sizeof nm, kv->key, kv->key_len));
    *data = g->base + kv->pos;
    if (elemSize) *elemSize = mn_gguf_value_size(kv->elem_type);
    return MN_OK;
}

mn_status mn_gguf_get_arr_str(mn_gguf *g, size_t kid, size_t i, const char **str, size_t *len)
{
    char nm[96];
    const gkv *kv = NULL;
    mn_status st = arr_check(g, kid, i, str, &kv);
    if (st) return st;
    if (!len) return mn_err_set(&g->err, MN_E_INVALID_ARG, "NULL output");
    if (kv->elem_type != MN_GGUF_STRING)
        return mn_err_set(&g->err, MN_E_GGUF_KEY_TYPE, "key '%s' is an array of %s, not string", esc(nm, sizeof nm, kv->key, kv->key_len),
                          mn_gguf_type_name((int)kv->elem_type));
    /* Re-check against the array's end rather than trust the length read at
     * open: a caller-owned or mapped buffer could have changed since. */
    size_t p = kv->str_pos[i];
    if (kv->end - p < 8) return mn_err_set(&g->err, MN_E_CORRUPT, "the buffer changed after open");
    uint64_t n = mn_le64(g->base + p);
    if (n > kv->end - p - 8) return mn_err_set(&g->err, MN_E_CORRUPT, "the buffer changed after open");
    *str = (const char *)g->base + p + 8;
    *len = (size_t)n;
    return MN_OK;
}
