/* quantize.c - GGUF -> GGUF of a llama.cpp file type (see quantize.h). */
#include "gguf/quantize.h"
#include "gguf/qplan.h"
#include "minnow_gguf.h"
#include "core/pool.h"
#include "tensor/quant.h"
#include "tensor/types.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* stat(): native, Emscripten and wasi-libc all have it */

typedef struct qtensor {
    mn_gguf_tensor in;
    uint32_t type;   /* output type */
} qtensor;

typedef struct qjob {
    qtensor *t;
    mn_pool *pool;
    float *rowbuf;   /* one row per worker */
    size_t rowbuf_n;
    /* the tensor being converted */
    const qtensor *cur;
    uint8_t *dst;
    size_t src_row, dst_row;
} qjob;

static void convert_rows(void *arg, size_t begin, size_t end, int worker)
{
    qjob *j = arg;
    const qtensor *t = j->cur;
    const size_t n = (size_t)t->in.ne[0];
    const mn_qtraits *src = mn_qtraits_get(t->in.type), *dst = mn_qtraits_get(t->type);
    float *row = j->rowbuf + (size_t)worker * j->rowbuf_n;
    for (size_t r = begin; r < end; r++) {
        const uint8_t *s = (const uint8_t *)t->in.data + r * j->src_row;
        const float *x = row;
        if (t->in.type == MN_TYPE_F32 && ((uintptr_t)s & 3) == 0) x = (const float *)(const void *)s;
        else src->dequantize_row(s, row, n);
        dst->quantize_row(x, j->dst + r * j->dst_row, n);
    }
}

static mn_status fill(void *user, size_t idx, void *out, size_t size)
{
    qjob *j = user;
    const qtensor *t = &j->t[idx];
    j->cur = t;
    j->dst = out;
    j->src_row = mn_qrow_size(t->in.type, (size_t)t->in.ne[0]);
    j->dst_row = mn_qrow_size(t->type, (size_t)t->in.ne[0]);
    size_t rows = (size_t)(t->in.ne[1] * t->in.ne[2] * t->in.ne[3]);
    if (!j->src_row || !j->dst_row || j->dst_row * rows != size) return MN_E_INVALID_ARG;
    mn_pool_for(j->pool, rows, 1, convert_rows, j);
    return MN_OK;
}

/* u32 hparam (0 if absent or not a u32 scalar, e.g. a per-layer array). */
static int hparam(mn_gguf *g, const char *arch, const char *suffix)
{
    char key[128];
    size_t k;
    uint32_t v = 0;
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    if (mn_gguf_find_key(g, key, &k) != MN_OK || mn_gguf_get_u32(g, k, &v) != MN_OK) return 0;
    return v > (uint32_t)INT32_MAX ? 0 : (int)v;
}

/* Refuse to replace the input (unless asked) or a read-only file. rename()
 * ignores the target's own mode, and root ignores it anyway, so check the
 * mode bits here: a file nobody may write is not replaced (except under
 * WASI, which has no modes). Identity is the (device, inode) pair where the
 * platform has one (st_ino 0: unknown), else the path as given. */
static mn_status check_output(const char *in, const char *out, int inplace, int *same_out, mn_err *err)
{
    struct stat si, so;
    *same_out = 0;
    if (stat(out, &so) != 0) return MN_OK; /* a new file (or an error the write will report) */
    int same = !strcmp(in, out);
    if (!same && stat(in, &si) == 0 && si.st_ino != 0)
        same = si.st_dev == so.st_dev && si.st_ino == so.st_ino;
    if (same && !inplace)
        return mn_err_set(err, MN_E_INVALID_ARG, "%.200s is the input file itself: refusing to replace it "
                          "(write to another file, or allow it: quantize --inplace)", out);
#if !defined(__wasi__) /* WASI has no file modes (st_mode holds the type only): nothing to honour */
    if ((so.st_mode & 0222) == 0)
        return mn_err_set(err, MN_E_INVALID_ARG, "%.200s is read-only: refusing to replace it", out);
#endif
    *same_out = same;
    return MN_OK;
}

mn_status mn_quantize_file(const char *in, const char *out, const mn_quantize_opts *o, mn_quantize_report *rep, mn_err *err)
{
    if (!in || !out || !o) return mn_err_set(err, MN_E_INVALID_ARG, "NULL argument");
    int same = 0;
    mn_status cst = check_output(in, out, o->inplace, &same, err);
    if (cst != MN_OK) return cst;
    if (mn_ftype_default_type(o->ftype) == UINT32_MAX) return mn_err_set(err, MN_E_INVALID_ARG, "unsupported file type %u", o->ftype);
    mn_gguf *g = NULL;
    char msg[256] = "";
    mn_status st = mn_gguf_open_file(&g, in, MN_GGUF_ALLOW_UNSUPPORTED, msg, sizeof msg);
    if (st) return mn_err_set(err, st, "%s", msg);
    mn_gguf_writer *w = NULL;
    qjob j;
    memset(&j, 0, sizeof j);
    j.pool = o->pool;
    const char **names = NULL;
    size_t *order = NULL, nt = mn_gguf_n_tensors(g);
    char *tmp = NULL;
    mn_quantize_report r;
    memset(&r, 0, sizeof r);
    r.replaced_input = same;
    char arch[32] = "";
    {
        size_t k, len;
        const char *s;
        if (mn_gguf_find_key(g, "general.architecture", &k) == MN_OK && mn_gguf_get_str(g, k, &s, &len) == MN_OK &&
            len < sizeof arch) {
            memcpy(arch, s, len);
            arch[len] = 0;
        }
    }
    if ((st = mn_gguf_writer_create(&w, mn_gguf_version(g) == 2 ? 2 : 3, mn_gguf_alignment(g))) != MN_OK) {
        mn_err_set(err, st, "cannot create a writer");
        goto done;
    }
    /* metadata: verbatim, file_type and quantization_version set in place */
    int have_ft = 0, have_qv = 0;
    for (size_t k = 0; k < mn_gguf_n_kv(g) && !st; k++) {
        const char *key = mn_gguf_key(g, k);
        if (!strcmp(key, "general.alignment") || !strncmp(key, "split.", 6)) continue;
        if (!strcmp(key, "general.file_type")) { st = mn_gguf_writer_add_u32(w, key, o->ftype); have_ft = 1; }
        else if (!strcmp(key, "general.quantization_version")) { st = mn_gguf_writer_add_u32(w, key, 2); have_qv = 1; }
        else st = mn_gguf_writer_copy_key(w, g, k);
    }
    if (!st && !have_qv) st = mn_gguf_writer_add_u32(w, "general.quantization_version", 2);
    if (!st && !have_ft) st = mn_gguf_writer_add_u32(w, "general.file_type", o->ftype);
    if (st) { mn_err_set(err, st, "metadata: %s", mn_gguf_writer_error(w)); goto done; }
    /* the plan, in sorted name order */
    j.t = calloc(nt ? nt : 1, sizeof *j.t);
    names = malloc((nt ? nt : 1) * sizeof *names);
    order = malloc((nt ? nt : 1) * sizeof *order);
    if (!j.t || !names || !order) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < nt; i++) {
        mn_gguf_tensor_info(g, i, &j.t[i].in);
        names[i] = j.t[i].in.name;
    }
    mn_qplan plan;
    mn_qplan_init(&plan, o->ftype, o->pure, arch, hparam(g, arch, "block_count"), hparam(g, arch, "attention.head_count"),
                  hparam(g, arch, "attention.head_count_kv"), hparam(g, arch, "expert_count"), names, nt);
    if (!hparam(g, arch, "attention.head_count_kv")) plan.n_gqa = 1; /* llama.cpp: kv heads default to heads */
    mn_qplan_sort_names(names, order, nt);
    size_t maxrow = 0;
    for (size_t jj = 0; jj < nt; jj++) {
        qtensor *t = &j.t[order[jj]];
        t->type = mn_qplan_choose(&plan, t->in.name, t->in.n_dims, t->in.ne[0], t->in.type);
        if (t->type == t->in.type) continue;
        const mn_qtraits *src = mn_qtraits_get(t->in.type);
        int is_float = t->in.type == MN_TYPE_F32 || t->in.type == MN_TYPE_F16 || t->in.type == MN_TYPE_BF16;
        if (!src || !mn_qtraits_get(t->type)) {
            st = mn_err_set(err, MN_E_UNSUPPORTED, "tensor '%s': cannot convert %s to %s", t->in.name,
                            mn_ggml_type_name(t->in.type), mn_ggml_type_name(t->type));
            goto done;
        }
        if (!is_float && !o->allow_requantize) {
            st = mn_err_set(err, MN_E_UNSUPPORTED, "tensor '%s' is already %s: requantizing is refused (allow it explicitly)",
                            t->in.name, mn_ggml_type_name(t->in.type));
            goto done;
        }
        if ((size_t)t->in.ne[0] > maxrow) maxrow = (size_t)t->in.ne[0];
    }
    int threads = o->pool ? mn_pool_threads(o->pool) : 1;
    j.rowbuf_n = maxrow;
    if (maxrow && !(j.rowbuf = malloc((size_t)threads * maxrow * sizeof(float)))) {
        st = mn_err_set(err, MN_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nt && !st; i++) {
        qtensor *t = &j.t[i];
        const mn_gguf_tensor *x = &t->in;
        if (t->type == x->type) st = mn_gguf_writer_add_tensor(w, x->name, x->type, x->n_dims, x->ne, x->data, x->nbytes);
        else st = mn_gguf_writer_add_tensor_fn(w, x->name, t->type, x->n_dims, x->ne, fill, &j);
        if (st) { mn_err_set(err, st, "%s", mn_gguf_writer_error(w)); goto done; }
        uint64_t ob = 0;
        (void)mn_type_nbytes(t->type, x->ne, &ob);
        r.in_bytes += x->nbytes;
        r.out_bytes += ob;
        r.n_converted += t->type != x->type;
        if (t->type < 64) r.type_count[t->type]++;
    }
    r.n_tensors = nt;
    r.n_fallback = (size_t)plan.n_fallback;
    /* write next to the target, then rename: `out` may even be `in` (o->inplace;
     * the input stays mapped and readable until the rename) */
    size_t ol = strlen(out);
    tmp = malloc(ol + 16);
    if (!tmp) { st = mn_err_set(err, MN_E_NOMEM, "out of memory"); goto done; }
    memcpy(tmp, out, ol);
    strcpy(tmp + ol, ".minnow-tmp");
    if ((st = mn_gguf_writer_write_file(w, tmp)) != MN_OK) {
        mn_err_set(err, st, "%s", mn_gguf_writer_error(w));
        remove(tmp);
        goto done;
    }
    if (rename(tmp, out) != 0) {
        int e = errno;
        remove(tmp);
        st = mn_err_set(err, MN_E_IO, "cannot rename the output to %.200s: %s", out, strerror(e));
        goto done;
    }
    if (rep) *rep = r;
done:
    free(tmp);
    free(names);
    free(order);
    free(j.t);
    free(j.rowbuf);
    mn_gguf_writer_free(w);
    mn_gguf_free(g);
    return st;
}
