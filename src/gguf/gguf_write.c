/*
 * gguf_write.c - the GGUF writer: the layout llama.cpp's gguf_write writes
 * (keys, then the tensor table, the data section at its aligned end, each
 * tensor's data padded with zeros to the alignment). The metadata section is
 * serialized as keys are added; tensor data is borrowed and copied only by
 * mn_gguf_writer_write().
 */
#include "minnow_gguf.h"
#include "gguf/gguf_internal.h"
#include "tensor/types.h"
#include "core/alloc.h"
#include "core/checked.h"
#include "core/error.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wten {
    char name[MN_GGUF_NAME_MAX];
    size_t name_len;
    uint32_t n_dims, type;
    int64_t ne[MN_GGUF_MAX_DIMS];
    const void *data;     /* borrowed bytes, or NULL when fill produces them */
    mn_gguf_fill_fn fill;
    void *user;
    uint64_t nbytes;
} wten;

struct mn_gguf_writer {
    uint32_t version, alignment;
    uint8_t *kv;          /* the serialized metadata section */
    size_t kv_len, kv_cap;
    size_t n_kv;
    size_t *key_pos;      /* offset in kv of each key's length prefix (duplicate check) */
    size_t key_cap;
    wten *t;
    size_t n_t, t_cap;
    mn_err err;
};

mn_status mn_gguf_writer_create(mn_gguf_writer **out, uint32_t version, uint32_t alignment)
{
    if (!out) return MN_E_INVALID_ARG;
    *out = NULL;
    if (version == 0) version = 3;
    if (alignment == 0) alignment = MN_GGUF_DEFAULT_ALIGNMENT;
    if ((version != 2 && version != 3) || (alignment & (alignment - 1)) != 0) return MN_E_INVALID_ARG;
    mn_gguf_writer *w = calloc(1, sizeof *w);
    if (!w) return MN_E_NOMEM;
    w->version = version;
    w->alignment = alignment;
    if (alignment != MN_GGUF_DEFAULT_ALIGNMENT) {
        mn_status st = mn_gguf_writer_add_u32(w, MN_GGUF_KEY_ALIGNMENT, alignment);
        if (st) { mn_gguf_writer_free(w); return st; }
    }
    *out = w;
    return MN_OK;
}

void mn_gguf_writer_free(mn_gguf_writer *w)
{
    if (!w) return;
    free(w->kv);
    free(w->key_pos);
    free(w->t);
    free(w);
}

const char *mn_gguf_writer_error(const mn_gguf_writer *w) { return w ? w->err.msg : "NULL writer"; }

/* Grow *buf (of *cap elements of `size`) to hold `need`. */
static int grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 16, bytes;
    while (c < need) c = c > SIZE_MAX / 2 ? need : c * 2;
    if (!mn_mul_size(c, size, &bytes)) return 0;
    void *p = realloc(*buf, bytes);
    if (!p) return 0;
    *buf = p;
    *cap = c;
    return 1;
}

static uint8_t *kv_room(mn_gguf_writer *w, size_t n)
{
    size_t need;
    if (!mn_add_size(w->kv_len, n, &need) || !grow((void **)&w->kv, &w->kv_cap, need, 1)) return NULL;
    uint8_t *p = w->kv + w->kv_len;
    w->kv_len = need;
    return p;
}

static int put_str(mn_gguf_writer *w, const void *s, size_t n)
{
    uint8_t *p = kv_room(w, 8);
    if (!p) return 0;
    mn_st64(p, n);
    if (n && !(p = kv_room(w, n))) return 0;
    if (n) memcpy(p, s, n);
    return 1;
}

static int put_u32(mn_gguf_writer *w, uint32_t v)
{
    uint8_t *p = kv_room(w, 4);
    if (p) mn_st32(p, v);
    return p != NULL;
}

/* One fixed-size value of type t from a host value at src, little-endian. */
static void put_val(uint8_t *dst, uint32_t t, const void *src)
{
    switch (mn_gguf_value_size(t)) {
    case 1: dst[0] = *(const uint8_t *)src; if (t == MN_GGUF_BOOL) dst[0] = dst[0] != 0; break;
    case 2: { uint16_t v; memcpy(&v, src, 2); dst[0] = (uint8_t)v; dst[1] = (uint8_t)(v >> 8); break; }
    case 4: { uint32_t v; memcpy(&v, src, 4); mn_st32(dst, v); break; }
    case 8: { uint64_t v; memcpy(&v, src, 8); mn_st64(dst, v); break; }
    default: break;
    }
}

/* Start a key: validate, check for a duplicate, write the key and its type.
 * On failure the metadata section is rolled back by the caller (kv_len). */
static mn_status begin_key(mn_gguf_writer *w, const char *key, size_t keyLen, uint32_t type)
{
    if (!w) return MN_E_INVALID_ARG;
    if (!key || keyLen == 0) return mn_err_set(&w->err, MN_E_INVALID_ARG, "empty key");
    for (size_t i = 0; i < w->n_kv; i++) {
        const uint8_t *p = w->kv + w->key_pos[i];
        if (mn_le64(p) == keyLen && !memcmp(p + 8, key, keyLen))
            return mn_err_set(&w->err, MN_E_GGUF_DUP_KEY, "key '%.*s' added twice", (int)(keyLen > 80 ? 80 : keyLen), key);
    }
    if (!grow((void **)&w->key_pos, &w->key_cap, w->n_kv + 1, sizeof *w->key_pos))
        return mn_err_set(&w->err, MN_E_NOMEM, "out of memory");
    w->key_pos[w->n_kv] = w->kv_len;
    if (!put_str(w, key, keyLen) || !put_u32(w, type)) return mn_err_set(&w->err, MN_E_NOMEM, "out of memory");
    return MN_OK;
}

static mn_status end_key(mn_gguf_writer *w, size_t start, int ok)
{
    if (!ok) {
        w->kv_len = start;
        return mn_err_set(&w->err, MN_E_NOMEM, "out of memory");
    }
    w->n_kv++;
    return MN_OK;
}

mn_status mn_gguf_writer_add_scalar(mn_gguf_writer *w, const char *key, size_t keyLen, int type, const void *value)
{
    if (!w) return MN_E_INVALID_ARG;
    if (type < 0 || !mn_gguf_value_size((uint32_t)type) || !value)
        return mn_err_set(&w->err, MN_E_INVALID_ARG, "add_scalar: type %d is not a fixed-size type, or NULL value", type);
    size_t start = w->kv_len;
    mn_status st = begin_key(w, key, keyLen, (uint32_t)type);
    if (st) { w->kv_len = start; return st; }
    uint8_t *p = kv_room(w, mn_gguf_value_size((uint32_t)type));
    if (p) put_val(p, (uint32_t)type, value);
    return end_key(w, start, p != NULL);
}

mn_status mn_gguf_writer_add_u32(mn_gguf_writer *w, const char *key, uint32_t v)
{ return mn_gguf_writer_add_scalar(w, key, key ? strlen(key) : 0, MN_GGUF_U32, &v); }
mn_status mn_gguf_writer_add_i32(mn_gguf_writer *w, const char *key, int32_t v)
{ return mn_gguf_writer_add_scalar(w, key, key ? strlen(key) : 0, MN_GGUF_I32, &v); }
mn_status mn_gguf_writer_add_u64(mn_gguf_writer *w, const char *key, uint64_t v)
{ return mn_gguf_writer_add_scalar(w, key, key ? strlen(key) : 0, MN_GGUF_U64, &v); }
mn_status mn_gguf_writer_add_f32(mn_gguf_writer *w, const char *key, float v)
{ return mn_gguf_writer_add_scalar(w, key, key ? strlen(key) : 0, MN_GGUF_F32, &v); }
mn_status mn_gguf_writer_add_bool(mn_gguf_writer *w, const char *key, int v)
{ uint8_t b = v != 0; return mn_gguf_writer_add_scalar(w, key, key ? strlen(key) : 0, MN_GGUF_BOOL, &b); }

mn_status mn_gguf_writer_add_str(mn_gguf_writer *w, const char *key, const char *str, size_t len)
{
    if (!w) return MN_E_INVALID_ARG;
    if (!str && len) return mn_err_set(&w->err, MN_E_INVALID_ARG, "NULL string");
    size_t start = w->kv_len;
    mn_status st = begin_key(w, key, key ? strlen(key) : 0, MN_GGUF_STRING);
    if (st) { w->kv_len = start; return st; }
    return end_key(w, start, put_str(w, str, len));
}

mn_status mn_gguf_writer_add_arr(mn_gguf_writer *w, const char *key, int elemType, const void *elems, size_t n)
{
    if (!w) return MN_E_INVALID_ARG;
    size_t es = elemType >= 0 ? mn_gguf_value_size((uint32_t)elemType) : 0, bytes;
    if (!es || (!elems && n)) return mn_err_set(&w->err, MN_E_INVALID_ARG, "add_arr: element type %d is not a fixed-size type, or NULL elements", elemType);
    if (!mn_mul_size(n, es, &bytes)) return mn_err_set(&w->err, MN_E_OVERFLOW, "array too large");
    size_t start = w->kv_len;
    mn_status st = begin_key(w, key, key ? strlen(key) : 0, MN_GGUF_ARRAY);
    if (st) { w->kv_len = start; return st; }
    uint8_t *p = NULL;
    if (put_u32(w, (uint32_t)elemType) && (p = kv_room(w, 8)) != NULL) {
        mn_st64(p, n);
        if (bytes && (p = kv_room(w, bytes)) != NULL)
            for (size_t i = 0; i < n; i++) put_val(p + i * es, (uint32_t)elemType, (const uint8_t *)elems + i * es);
    }
    return end_key(w, start, p != NULL);
}

mn_status mn_gguf_writer_copy_key(mn_gguf_writer *w, mn_gguf *src, size_t kid)
{
    const uint8_t *p;
    size_t n;
    if (!w) return MN_E_INVALID_ARG;
    if (!mn_gguf_raw_value(src, kid, &p, &n)) return mn_err_set(&w->err, MN_E_INVALID_ARG, "copy_key: no key %zu", kid);
    size_t start = w->kv_len;
    mn_status st = begin_key(w, mn_gguf_key(src, kid), mn_gguf_key_len(src, kid), (uint32_t)mn_gguf_key_type(src, kid));
    if (st) { w->kv_len = start; return st; }
    uint8_t *d = kv_room(w, n);
    if (d) memcpy(d, p, n);
    return end_key(w, start, d != NULL);
}

mn_status mn_gguf_writer_add_arr_str(mn_gguf_writer *w, const char *key, const char *const *strs, const size_t *lens, size_t n)
{
    if (!w) return MN_E_INVALID_ARG;
    if (!strs && n) return mn_err_set(&w->err, MN_E_INVALID_ARG, "NULL strings");
    for (size_t i = 0; i < n; i++)
        if (!strs[i] && (!lens || lens[i])) return mn_err_set(&w->err, MN_E_INVALID_ARG, "NULL string %zu", i);
    size_t start = w->kv_len;
    mn_status st = begin_key(w, key, key ? strlen(key) : 0, MN_GGUF_ARRAY);
    if (st) { w->kv_len = start; return st; }
    uint8_t *p = NULL;
    int ok = put_u32(w, MN_GGUF_STRING) && (p = kv_room(w, 8)) != NULL;
    if (ok) mn_st64(p, n);
    for (size_t i = 0; ok && i < n; i++) ok = put_str(w, strs[i], lens ? lens[i] : strlen(strs[i]));
    return end_key(w, start, ok);
}

/* Shared by add_tensor and add_tensor_fn: validate and append; dataSize is
 * checked against the shape unless fill is set. */
static mn_status add_tensor(mn_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                            const int64_t *ne, const void *data, size_t dataSize, mn_gguf_fill_fn fill, void *user)
{
    if (!w) return MN_E_INVALID_ARG;
    if (!name || (!ne && n_dims) || (!data && dataSize)) return mn_err_set(&w->err, MN_E_INVALID_ARG, "NULL name, shape or data");
    size_t nl = strlen(name);
    if (nl >= MN_GGUF_NAME_MAX) return mn_err_set(&w->err, MN_E_GGUF_STRING, "tensor name '%.80s' is %zu bytes (at most %d)", name, nl, MN_GGUF_NAME_MAX - 1);
    if (n_dims > MN_GGUF_MAX_DIMS) return mn_err_set(&w->err, MN_E_GGUF_DIMS, "tensor '%s': %" PRIu32 " dims", name, n_dims);
    wten t;
    memset(&t, 0, sizeof t);
    memcpy(t.name, name, nl);
    t.name_len = nl;
    t.n_dims = n_dims;
    t.type = type;
    for (uint32_t j = 0; j < MN_GGUF_MAX_DIMS; j++) {
        t.ne[j] = j < n_dims ? ne[j] : 1;
        if (t.ne[j] < 0) return mn_err_set(&w->err, MN_E_GGUF_DIMS, "tensor '%s': dim %" PRIu32 " is negative", name, j);
    }
    const mn_type_traits *ti = mn_type_info(type);
    if (!ti) return mn_err_set(&w->err, MN_E_GGUF_TENSOR_TYPE, "tensor '%s': unknown ggml type %" PRIu32, name, type);
    switch (mn_type_nbytes(type, t.ne, &t.nbytes)) {
    case 0: break;
    case 2: return mn_err_set(&w->err, MN_E_GGUF_SHAPE, "tensor '%s': ne[0] %" PRId64 " is not a multiple of %" PRIu32, name, t.ne[0], ti->block_size);
    default: return mn_err_set(&w->err, MN_E_GGUF_DIM_OVERFLOW, "tensor '%s': size overflows", name);
    }
    if (!fill && t.nbytes != (uint64_t)dataSize)
        return mn_err_set(&w->err, MN_E_INVALID_ARG, "tensor '%s': %zu bytes of data given, the shape needs %" PRIu64, name, dataSize, t.nbytes);
    for (size_t i = 0; i < w->n_t; i++)
        if (w->t[i].name_len == nl && !memcmp(w->t[i].name, name, nl))
            return mn_err_set(&w->err, MN_E_GGUF_DUP_TENSOR, "tensor '%s' added twice", name);
    if (!grow((void **)&w->t, &w->t_cap, w->n_t + 1, sizeof *w->t)) return mn_err_set(&w->err, MN_E_NOMEM, "out of memory");
    if (fill && t.nbytes > SIZE_MAX)
        return mn_err_set(&w->err, MN_E_NOMEM, "tensor '%s': %" PRIu64 " bytes do not fit this address space", name, t.nbytes);
    t.data = data;
    t.fill = fill;
    t.user = user;
    w->t[w->n_t++] = t;
    return MN_OK;
}

mn_status mn_gguf_writer_add_tensor(mn_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                                    const int64_t *ne, const void *data, size_t dataSize)
{
    return add_tensor(w, name, type, n_dims, ne, data, dataSize, NULL, NULL);
}

mn_status mn_gguf_writer_add_tensor_fn(mn_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                                       const int64_t *ne, mn_gguf_fill_fn fill, void *user)
{
    if (w && !fill) return mn_err_set(&w->err, MN_E_INVALID_ARG, "NULL fill function");
    return add_tensor(w, name, type, n_dims, ne, NULL, 0, fill, user);
}

size_t mn_gguf_writer_n_tensors(const mn_gguf_writer *w) { return w ? w->n_t : 0; }

/* Layout: table end, data offset, total size; all checked. */
static int layout(const mn_gguf_writer *w, uint64_t *data_off, uint64_t *total)
{
    uint64_t pos = 24 + (uint64_t)w->kv_len, run = 0;
    for (size_t i = 0; i < w->n_t; i++)
        if (!mn_add_u64(pos, 8 + w->t[i].name_len + 4 + 8ull * w->t[i].n_dims + 4 + 8, &pos)) return 0;
    if (w->n_t && !mn_align_u64(pos, w->alignment, &pos)) return 0;
    *data_off = pos;
    for (size_t i = 0; i < w->n_t; i++) {
        uint64_t padded = 0;
        if (!mn_align_u64(w->t[i].nbytes, w->alignment, &padded) || !mn_add_u64(run, padded, &run)) return 0;
    }
    return mn_add_u64(pos, run, total) && *total <= SIZE_MAX;
}

size_t mn_gguf_writer_size(const mn_gguf_writer *w)
{
    uint64_t d, total;
    if (!w) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if (!layout(w, &d, &total)) return MN_ERROR_SIZE(MN_E_OVERFLOW);
    return (size_t)total;
}

/* The header, metadata and tensor table with zero padding: data_off bytes at p. */
static void write_header(const mn_gguf_writer *w, uint8_t *p, uint64_t data_off)
{
    memcpy(p, MN_GGUF_MAGIC, 4);
    mn_st32(p + 4, w->version);
    mn_st64(p + 8, w->n_t);
    mn_st64(p + 16, w->n_kv);
    if (w->kv_len) memcpy(p + 24, w->kv, w->kv_len);
    size_t o = 24 + w->kv_len;
    uint64_t run = 0;
    for (size_t i = 0; i < w->n_t; i++) {
        const wten *t = &w->t[i];
        mn_st64(p + o, t->name_len);
        memcpy(p + o + 8, t->name, t->name_len);
        o += 8 + t->name_len;
        mn_st32(p + o, t->n_dims);
        o += 4;
        for (uint32_t j = 0; j < t->n_dims; j++, o += 8) mn_st64(p + o, (uint64_t)t->ne[j]);
        mn_st32(p + o, t->type);
        mn_st64(p + o + 4, run);
        o += 12;
        uint64_t padded = 0;
        mn_align_u64(t->nbytes, w->alignment, &padded); /* checked by layout() */
        run += padded;
    }
    memset(p + o, 0, (size_t)data_off - o);
}

/* Tensor i's bytes into dst (nbytes of them). */
static mn_status tensor_bytes(mn_gguf_writer *w, size_t i, uint8_t *dst)
{
    const wten *t = &w->t[i];
    if (!t->nbytes) return MN_OK;
    if (!t->fill) { memcpy(dst, t->data, (size_t)t->nbytes); return MN_OK; }
    mn_status st = t->fill(t->user, i, dst, (size_t)t->nbytes);
    if (st) return mn_err_set(&w->err, st, "tensor '%s': producing its data failed (%s)", t->name, mn_status_name(st));
    return MN_OK;
}

size_t mn_gguf_writer_write(mn_gguf_writer *w, void *dst, size_t dstCapacity)
{
    uint64_t data_off, total;
    if (!w) return MN_ERROR_SIZE(MN_E_INVALID_ARG);
    if (!layout(w, &data_off, &total)) return MN_ERROR_SIZE(mn_err_set(&w->err, MN_E_OVERFLOW, "file size overflows"));
    if (!dst || dstCapacity < total)
        return MN_ERROR_SIZE(mn_err_set(&w->err, MN_E_DST_TOO_SMALL, "need %" PRIu64 " bytes, have %zu", total, dstCapacity));
    uint8_t *p = dst;
    write_header(w, p, data_off);
    size_t o = (size_t)data_off;
    for (size_t i = 0; i < w->n_t; i++) {
        const wten *t = &w->t[i];
        uint64_t padded = 0;
        mn_align_u64(t->nbytes, w->alignment, &padded);
        mn_status st = tensor_bytes(w, i, p + o);
        if (st) return MN_ERROR_SIZE(st);
        memset(p + o + (size_t)t->nbytes, 0, (size_t)(padded - t->nbytes));
        o += (size_t)padded;
    }
    return o;
}

/* Streams to the file: the header, then one tensor at a time (borrowed bytes
 * directly, produced ones through one scratch buffer of the largest size). */
mn_status mn_gguf_writer_write_file(mn_gguf_writer *w, const char *path)
{
    uint64_t data_off, total;
    if (!w || !path) return MN_E_INVALID_ARG;
    if (!layout(w, &data_off, &total)) return mn_err_set(&w->err, MN_E_OVERFLOW, "file size overflows");
    size_t scratch = 0;
    for (size_t i = 0; i < w->n_t; i++)
        if (w->t[i].fill && w->t[i].nbytes > scratch) scratch = (size_t)w->t[i].nbytes;
    uint8_t *head = mn_malloc((size_t)data_off ? (size_t)data_off : 1);
    uint8_t *buf = scratch ? mn_malloc(scratch) : NULL;
    if (!head || (scratch && !buf)) {
        mn_free(head);
        mn_free(buf);
        return mn_err_set(&w->err, MN_E_NOMEM, "no memory for the header or a %zu-byte tensor", scratch);
    }
    write_header(w, head, data_off);
    static const uint8_t zeros[256];
    mn_status st = MN_OK;
    FILE *f = fopen(path, "wb");
    if (!f) st = mn_err_set(&w->err, MN_E_IO, "cannot create %.200s", path);
    if (!st && fwrite(head, 1, (size_t)data_off, f) != (size_t)data_off) st = MN_E_IO;
    for (size_t i = 0; !st && i < w->n_t; i++) {
        const wten *t = &w->t[i];
        uint64_t padded = 0;
        mn_align_u64(t->nbytes, w->alignment, &padded);
        const uint8_t *src = t->data;
        if (t->fill) {
            st = tensor_bytes(w, i, buf);
            src = buf;
        }
        if (!st && t->nbytes && fwrite(src, 1, (size_t)t->nbytes, f) != (size_t)t->nbytes) st = MN_E_IO;
        for (uint64_t pad = padded - t->nbytes; !st && pad; ) {
            size_t n = pad > sizeof zeros ? sizeof zeros : (size_t)pad;
            if (fwrite(zeros, 1, n, f) != n) st = MN_E_IO;
            pad -= n;
        }
    }
    if (f && fclose(f) != 0 && !st) st = MN_E_IO;
    mn_free(head);
    mn_free(buf);
    if (st == MN_E_IO) return mn_err_set(&w->err, MN_E_IO, "cannot write %.200s", path);
    return st;
}
