/* minnow info FILE.gguf [--json] [--full]: version, alignment, all metadata,
 * the tensor table and totals, then what minnow makes of the file as a
 * decoder model and the memory a context needs (computed up front, before
 * any allocation), as text or as one JSON object. Every string from the file
 * is untrusted: text mode escapes control bytes and invalid UTF-8 as \xNN,
 * JSON mode emits valid JSON (invalid UTF-8 becomes U+FFFD). Long strings and
 * arrays are cut with a visible marker unless --full: "…(N bytes)",
 * "…(N more)" (JSON: "value_bytes" + "value_truncated", "values_truncated"). */
#include "cli/cli.h"
#include "minnow_gguf.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* what is shown of long values (--full: everything) */
typedef struct shown {
    size_t str_max;     /* bytes of a string value (80) */
    size_t arr_str_max; /* bytes of each string inside an array (32) */
    size_t arr_max;     /* array elements (8) */
} shown;
static const shown k_short = {80, 32, 8}, k_full = {SIZE_MAX, SIZE_MAX, SIZE_MAX};

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; min = 0x10000; }
    else return 0;
    if (len > n) return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* Print at most `max` bytes of s (never splitting a character), then the marker. */
static void put_str(const char *str, size_t n, size_t max, int json, int quote)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t shown = 0;
    if (quote) putchar('"');
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len(s + i, n - i);
        size_t step = l ? l : 1;
        if (shown + step > max) break;
        if (l == 1) {
            unsigned c = s[i];
            if (c == '"' || c == '\\') printf("\\%c", c);
            else if (c == '\n') printf("\\n");
            else if (c == '\t') printf("\\t");
            else if (c < 0x20 || c == 0x7f) printf(json ? "\\u%04x" : "\\x%02x", c);
            else putchar((int)c);
        } else if (l) {
            fwrite(s + i, 1, l, stdout);
        } else {
            printf(json ? "\\ufffd" : "\\x%02x", s[i]);
        }
        shown += step;
        i += step;
    }
    if (shown < n && !json) printf("\xe2\x80\xa6(%zu bytes)", n); /* "…(N bytes)" */
    if (shown < n && json) printf("\xe2\x80\xa6");
    if (quote) putchar('"');
}

static void put_float(double v, int f32, int json)
{
    if (json && !isfinite(v)) printf("null");
    else printf(f32 ? "%.9g" : "%.17g", v);
}

/* One scalar (arr = 0) or array element, by its own type. */
static int put_value(mn_gguf *g, size_t k, int type, int arr, size_t i, int json, const shown *sh)
{
    mn_status st = MN_OK;
    switch (type) {
    case MN_GGUF_STRING: {
        const char *s;
        size_t n;
        st = arr ? mn_gguf_get_arr_str(g, k, i, &s, &n) : mn_gguf_get_str(g, k, &s, &n);
        if (!st) put_str(s, n, arr ? sh->arr_str_max : sh->str_max, json, 1);
        break;
    }
    case MN_GGUF_F32: { float v; st = arr ? mn_gguf_get_arr_f32(g, k, i, &v) : mn_gguf_get_f32(g, k, &v); if (!st) put_float(v, 1, json); break; }
    case MN_GGUF_F64: { double v; st = arr ? mn_gguf_get_arr_f64(g, k, i, &v) : mn_gguf_get_f64(g, k, &v); if (!st) put_float(v, 0, json); break; }
    case MN_GGUF_BOOL: { int v; st = arr ? mn_gguf_get_arr_bool(g, k, i, &v) : mn_gguf_get_bool(g, k, &v); if (!st) printf("%s", v ? "true" : "false"); break; }
    case MN_GGUF_U8: case MN_GGUF_U16: case MN_GGUF_U32: case MN_GGUF_U64: {
        uint64_t v;
        st = arr ? mn_gguf_get_arr_u64(g, k, i, &v) : mn_gguf_get_u64(g, k, &v);
        if (!st) printf("%" PRIu64, v);
        break;
    }
    default: {
        int64_t v;
        st = arr ? mn_gguf_get_arr_i64(g, k, i, &v) : mn_gguf_get_i64(g, k, &v);
        if (!st) printf("%" PRId64, v);
        break;
    }
    }
    return st;
}

static void put_shape(const mn_gguf_tensor *t)
{
    printf("[");
    for (uint32_t j = 0; j < t->n_dims; j++) printf("%s%" PRId64, j ? ", " : "", t->ne[j]);
    printf("]");
}

static uint64_t n_elements(const mn_gguf_tensor *t)
{
    uint64_t n = 1;
    for (int j = 0; j < MN_GGUF_MAX_DIMS; j++) n *= (uint64_t)t->ne[j]; /* <= INT64_MAX: checked at open */
    return n;
}

static int info_text(mn_gguf *g, const char *path, const shown *sh)
{
    size_t nkv = mn_gguf_n_kv(g), nt = mn_gguf_n_tensors(g), width = 0;
    printf("file:        %s\n", path);
    printf("gguf:        version %" PRIu32 ", alignment %" PRIu32 ", data offset %" PRIu64 ", %" PRIu64 " bytes\n",
           mn_gguf_version(g), mn_gguf_alignment(g), mn_gguf_data_offset(g), mn_gguf_file_size(g));
    printf("metadata:    %zu keys\n", nkv);
    for (size_t k = 0; k < nkv; k++)
        if (mn_gguf_key_len(g, k) > width) width = mn_gguf_key_len(g, k);
    if (width > 48) width = 48;
    for (size_t k = 0; k < nkv; k++) {
        int t = mn_gguf_key_type(g, k);
        printf("  ");
        put_str(mn_gguf_key(g, k), mn_gguf_key_len(g, k), 64, 0, 0);
        printf("%*s ", (int)(width > mn_gguf_key_len(g, k) ? width - mn_gguf_key_len(g, k) : 0), "");
        if (t == MN_GGUF_ARRAY) {
            int et;
            size_t n;
            if (mn_gguf_get_arr_info(g, k, &et, &n)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            printf("%s[%zu] = [", mn_gguf_type_name(et), n);
            for (size_t i = 0; i < n && i < sh->arr_max; i++) {
                if (i) printf(", ");
                if (put_value(g, k, et, 1, i, 0, sh)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            }
            if (n > sh->arr_max) printf(", \xe2\x80\xa6(%zu more)", n - sh->arr_max);
            printf("]\n");
        } else {
            printf("%s = ", mn_gguf_type_name(t));
            if (put_value(g, k, t, 0, 0, 0, sh)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            printf("\n");
        }
    }
    printf("tensors:     %zu\n", nt);
    if (nt) printf("  %-40s %-8s %-24s %12s %12s\n", "name", "type", "shape", "offset", "bytes");
    uint64_t elems = 0, bytes = 0;
    size_t per_type[64] = {0};
    for (size_t i = 0; i < nt; i++) {
        mn_gguf_tensor t;
        char shape[96];
        int o = 0;
        if (mn_gguf_tensor_info(g, i, &t)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
        o += snprintf(shape + o, sizeof shape - (size_t)o, "[");
        for (uint32_t j = 0; j < t.n_dims && o < (int)sizeof shape; j++)
            o += snprintf(shape + o, sizeof shape - (size_t)o, "%s%" PRId64, j ? ", " : "", t.ne[j]);
        if (o < (int)sizeof shape) snprintf(shape + o, sizeof shape - (size_t)o, "]");
        printf("  %-40s %-8s %-24s %12" PRIu64 " %12zu%s\n", t.name, mn_ggml_type_name(t.type), shape, t.offset, t.nbytes,
               mn_ggml_type_supported(t.type) ? "" : "  (type not supported yet)");
        elems += n_elements(&t);
        bytes += t.nbytes;
        if (t.type < 64) per_type[t.type]++; /* known types are < 64 */
    }
    printf("totals:      %zu tensors, %" PRIu64 " elements, %" PRIu64 " bytes of tensor data", nt, elems, bytes);
    const char *sep = "; ";
    for (uint32_t ty = 0; ty < 64; ty++)
        if (per_type[ty]) { printf("%s%s x%zu", sep, mn_ggml_type_name(ty), per_type[ty]); sep = ", "; }
    printf("\n");
    return 0;
}

static int info_json(mn_gguf *g, const char *path, const shown *sh)
{
    size_t nkv = mn_gguf_n_kv(g), nt = mn_gguf_n_tensors(g);
    printf("{\"file\":");
    put_str(path, strlen(path), (size_t)-1, 1, 1);
    printf(",\"version\":%" PRIu32 ",\"alignment\":%" PRIu32 ",\"data_offset\":%" PRIu64 ",\"file_size\":%" PRIu64 ",\"metadata\":[",
           mn_gguf_version(g), mn_gguf_alignment(g), mn_gguf_data_offset(g), mn_gguf_file_size(g));
    for (size_t k = 0; k < nkv; k++) {
        int t = mn_gguf_key_type(g, k);
        printf("%s{\"key\":", k ? "," : "");
        put_str(mn_gguf_key(g, k), mn_gguf_key_len(g, k), (size_t)-1, 1, 1);
        printf(",\"type\":\"%s\"", mn_gguf_type_name(t));
        if (t == MN_GGUF_ARRAY) {
            int et;
            size_t n;
            if (mn_gguf_get_arr_info(g, k, &et, &n)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            printf(",\"element_type\":\"%s\",\"length\":%zu,\"values\":[", mn_gguf_type_name(et), n);
            for (size_t i = 0; i < n && i < sh->arr_max; i++) {
                if (i) printf(",");
                if (put_value(g, k, et, 1, i, 1, sh)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            }
            printf("],\"values_truncated\":%s}", n > sh->arr_max ? "true" : "false");
        } else {
            printf(",\"value\":");
            if (put_value(g, k, t, 0, 0, 1, sh)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            if (t == MN_GGUF_STRING) {
                const char *s;
                size_t n;
                mn_gguf_get_str(g, k, &s, &n);
                if (n > sh->str_max) printf(",\"value_bytes\":%zu,\"value_truncated\":true", n);
            }
            printf("}");
        }
    }
    printf("],\"tensors\":[");
    uint64_t elems = 0, bytes = 0;
    for (size_t i = 0; i < nt; i++) {
        mn_gguf_tensor t;
        if (mn_gguf_tensor_info(g, i, &t)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
        printf("%s{\"name\":", i ? "," : "");
        put_str(t.name, strlen(t.name), (size_t)-1, 1, 1);
        printf(",\"type\":\"%s\",\"type_id\":%" PRIu32 ",\"supported\":%s,\"shape\":", mn_ggml_type_name(t.type), t.type,
               mn_ggml_type_supported(t.type) ? "true" : "false");
        put_shape(&t);
        printf(",\"offset\":%" PRIu64 ",\"bytes\":%zu}", t.offset, t.nbytes);
        elems += n_elements(&t);
        bytes += t.nbytes;
    }
    printf("],\"totals\":{\"tensors\":%zu,\"elements\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", nt, elems, bytes);
    return 0;
}

/* ------------------------------------------------ the decoder's view */
/* What minnow makes of the file as a decoder, and the memory a context needs,
 * computed up front by mn_model_ctx_bytes() (the plan mn_ctx_create()
 * allocates with) before anything is allocated. */
typedef struct model_view {
    mn_model *m;      /* NULL: not loadable, see st/err */
    mn_status st;
    char err[512];
    size_t n_train, n_default; /* the training length; the default --ctx (at most MN_CTX_DEFAULT_MAX) */
    size_t bytes_train, bytes_default, per_token; /* SIZE_MAX: could not be computed */
} model_view;

static size_t ctx_bytes(const mn_model *m, size_t n_ctx)
{
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_threads = 1;
    p.n_ctx = (uint32_t)n_ctx;
    size_t b = mn_model_ctx_bytes(m, &p);
    return mn_is_error(b) ? SIZE_MAX : b;
}

static void model_view_load(model_view *v, const char *path)
{
    memset(v, 0, sizeof *v);
    v->st = mn_model_load_file(&v->m, path, 0, v->err, sizeof v->err);
    if (v->st != MN_OK) return;
    v->n_train = mn_model_n_ctx_train(v->m);
    v->n_default = v->n_train < mn_ctx_default_max() ? v->n_train : mn_ctx_default_max();
    v->bytes_train = ctx_bytes(v->m, v->n_train);
    v->bytes_default = ctx_bytes(v->m, v->n_default);
    size_t half = v->n_train / 2 ? v->n_train / 2 : 1, bh = ctx_bytes(v->m, half);
    v->per_token = v->bytes_train != SIZE_MAX && bh != SIZE_MAX && v->n_train > half
                       ? (v->bytes_train - bh) / (v->n_train - half) : SIZE_MAX;
}

static void model_text(model_view *v)
{
    if (v->st == MN_E_MODEL_ARCH || v->st == MN_E_GGUF_KEY_MISSING) {
        printf("model:       not a decoder minnow runs (%s)\n", v->err);
        return;
    }
    if (v->st != MN_OK) {
        printf("model:       cannot load: %s (%s)\n", v->err, mn_status_name(v->st));
        return;
    }
    char info[4096];
    size_t il = mn_model_info_json(v->m, info, sizeof info);
    printf("model:       %s\n", mn_is_error(il) ? mn_model_arch(v->m) : info);
    printf("memory:      weights %.1f MiB", (double)mn_model_weight_bytes(v->m) / 1048576.0);
    if (v->bytes_default != SIZE_MAX)
        printf("; a context of %zu tokens (the default) %.1f MiB", v->n_default, (double)v->bytes_default / 1048576.0);
    if (v->n_train != v->n_default && v->bytes_train != SIZE_MAX)
        printf(", of %zu (the training length) %.1f MiB", v->n_train, (double)v->bytes_train / 1048576.0);
    if (v->per_token != SIZE_MAX) printf(" (KV cache f32: %zu bytes per token of --ctx)", v->per_token);
    printf("\n");
}

static void put_size_or_null(size_t v)
{
    if (v == SIZE_MAX) printf("null");
    else printf("%zu", v);
}

/* ,"model":{...} or null with "model_error", ,"memory":{...} or null; then the closing brace */
static void model_json(model_view *v)
{
    if (v->st != MN_OK) {
        printf(",\"model\":null,\"model_error\":{\"status\":\"%s\",\"message\":", mn_status_name(v->st));
        put_str(v->err, strlen(v->err), SIZE_MAX, 1, 1);
        printf("},\"memory\":null}\n");
        return;
    }
    size_t cap = 4096;
    char *info = NULL;
    size_t il = MN_ERROR_SIZE(MN_E_DST_TOO_SMALL);
    while (mn_error_code(il) == MN_E_DST_TOO_SMALL && cap <= (1u << 24)) {
        char *ni = realloc(info, cap);
        if (!ni) break;
        info = ni;
        il = mn_model_info_json(v->m, info, cap);
        cap *= 4;
    }
    printf(",\"model\":%s", info && !mn_is_error(il) ? info : "null");
    free(info);
    printf(",\"memory\":{\"weight_bytes\":%" PRIu64 ",\"context_default\":{\"n_ctx\":%zu,\"bytes\":",
           mn_model_weight_bytes(v->m), v->n_default);
    put_size_or_null(v->bytes_default);
    printf("},\"context_train\":{\"n_ctx\":%zu,\"bytes\":", v->n_train);
    put_size_or_null(v->bytes_train);
    printf("},\"kv_bytes_per_token\":");
    put_size_or_null(v->per_token);
    printf("}}\n");
}

void mn_cli_info_options(FILE *f)
{
    fprintf(f, "  --json   one JSON object: file, version, alignment, data_offset, file_size, metadata,\n"
               "           tensors, totals, model (or null and model_error), memory (bytes, computed up front)\n"
               "  --full   print long strings and arrays whole (default: 80 bytes, 8 elements, then a marker)\n");
}

int mn_cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    const shown *sh = &k_short;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (mn_cli_is_help(a)) return mn_cli_help("info");
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--full")) sh = &k_full;
        else if (a[0] == '-' && a[1]) return mn_cli_usage("info", "unknown option '%s'", a);
        else if (path) return mn_cli_usage("info", "unexpected argument '%s' (one file at a time)", a);
        else path = a;
    }
    if (!path) return mn_cli_usage("info", "no file given");
    char err[256] = "";
    mn_gguf *g = NULL;
    /* inspection lists every type whose sizes are known, computable or not */
    mn_status st = mn_gguf_open_file(&g, path, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st != MN_OK) return mn_cli_fail_file(st, path, err);
    int rc = json ? info_json(g, path, sh) : info_text(g, path, sh);
    mn_gguf_free(g);
    if (rc == 0) {
        model_view v;
        model_view_load(&v, path);
        if (json) model_json(&v);
        else model_text(&v);
        mn_model_free(v.m);
    }
    fflush(stdout);
    return rc;
}
