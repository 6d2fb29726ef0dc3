/* minnow info FILE.gguf [--json]: version, alignment, all metadata, the tensor
 * table and totals, as text or as one JSON object. Every string from the file
 * is untrusted: text mode escapes control bytes and invalid UTF-8 as \xNN,
 * JSON mode emits valid JSON (invalid UTF-8 becomes U+FFFD). Long strings are
 * cut with a visible marker: "…(N bytes)" (JSON: "value_bytes" + "value_truncated"). */
#include "cli/cli.h"
#include "minnow_gguf.h"
#include <inttypes.h>
#include <math.h>
#include <string.h>

#define STR_MAX 80       /* bytes of a string value shown */
#define ARR_STR_MAX 32   /* bytes of each string shown inside an array */
#define ARR_SHOWN 8      /* array elements shown */

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
static int put_value(mn_gguf *g, size_t k, int type, int arr, size_t i, int json)
{
    mn_status st = MN_OK;
    switch (type) {
    case MN_GGUF_STRING: {
        const char *s;
        size_t n;
        st = arr ? mn_gguf_get_arr_str(g, k, i, &s, &n) : mn_gguf_get_str(g, k, &s, &n);
        if (!st) put_str(s, n, arr ? ARR_STR_MAX : STR_MAX, json, 1);
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

static int info_text(mn_gguf *g, const char *path)
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
            for (size_t i = 0; i < n && i < ARR_SHOWN; i++) {
                if (i) printf(", ");
                if (put_value(g, k, et, 1, i, 0)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            }
            if (n > ARR_SHOWN) printf(", \xe2\x80\xa6(%zu more)", n - ARR_SHOWN);
            printf("]\n");
        } else {
            printf("%s = ", mn_gguf_type_name(t));
            if (put_value(g, k, t, 0, 0, 0)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
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

static int info_json(mn_gguf *g, const char *path)
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
            for (size_t i = 0; i < n && i < ARR_SHOWN; i++) {
                if (i) printf(",");
                if (put_value(g, k, et, 1, i, 1)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            }
            printf("],\"values_truncated\":%s}", n > ARR_SHOWN ? "true" : "false");
        } else {
            printf(",\"value\":");
            if (put_value(g, k, t, 0, 0, 1)) return mn_cli_fail(MN_E_CORRUPT, "%s", mn_gguf_error(g));
            if (t == MN_GGUF_STRING) {
                const char *s;
                size_t n;
                mn_gguf_get_str(g, k, &s, &n);
                if (n > STR_MAX) printf(",\"value_bytes\":%zu,\"value_truncated\":true", n);
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
    printf("],\"totals\":{\"tensors\":%zu,\"elements\":%" PRIu64 ",\"bytes\":%" PRIu64 "}}\n", nt, elems, bytes);
    return 0;
}

int mn_cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!path && argv[i][0] != '-') path = argv[i];
        else path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: minnow info FILE.gguf [--json]\n");
        return 2;
    }
    char err[256] = "";
    mn_gguf *g = NULL;
    /* inspection lists every type whose sizes are known, computable or not */
    mn_status st = mn_gguf_open_file(&g, path, MN_GGUF_ALLOW_UNSUPPORTED, err, sizeof err);
    if (st != MN_OK) return mn_cli_fail(st, "%s: %s", path, err);
    int rc = json ? info_json(g, path) : info_text(g, path);
    mn_gguf_free(g);
    if (rc == 0 && !json) mn_cli_model_summary(path); /* the decoder's view and its memory (cmd_generate.c) */
    fflush(stdout);
    return rc;
}
