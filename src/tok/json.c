/* json.c - iterative, bounded JSON parser producing a flat node tape. */
#include "tok/json.h"
#include "tok/unicode.h"
#include "core/alloc.h"
#include "core/checked.h"
#include <stdlib.h>
#include <string.h>

typedef struct jp {
    mn_json *d;
    const unsigned char *s;
    size_t n, pos, cap, slen;
    mn_err *err;
} jp;

static int jp_fail(jp *p, const char *why)
{
    return mn_err_set(p->err, MN_E_CORRUPT, "JSON: offset %zu: %s", p->pos, why);
}

static void jp_ws(jp *p)
{
    while (p->pos < p->n) {
        unsigned char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') p->pos++;
        else break;
    }
}

static int jp_node(jp *p, int type, uint32_t *idx)
{
    mn_json *d = p->d;
    if (d->count == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64, bytes;
        if (nc > (size_t)UINT32_MAX - 1) nc = (size_t)UINT32_MAX - 1;
        if (nc <= p->cap || !mn_mul_size(nc, sizeof(mn_json_node), &bytes))
            return mn_err_set(p->err, MN_E_NOMEM, "JSON: too many nodes");
        mn_json_node *nn = realloc(d->nodes, bytes);
        if (!nn) return mn_err_set(p->err, MN_E_NOMEM, "JSON: out of memory (%zu nodes)", nc);
        d->nodes = nn;
        p->cap = nc;
    }
    *idx = (uint32_t)d->count;
    mn_json_node *x = &d->nodes[d->count++];
    x->type = (uint8_t)type;
    x->len = 0;
    x->off = 0;
    x->next = *idx + 1;
    return MN_OK;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int jp_hex4(jp *p, size_t at, uint32_t *out)
{
    if (p->n - at < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p->s[at + (size_t)i]);
        if (h < 0) return 0;
        v = v * 16 + (uint32_t)h;
    }
    *out = v;
    return 1;
}

/* p->pos is at the opening quote. */
static int jp_string(jp *p, uint32_t *idx)
{
    int rc = jp_node(p, MN_JSON_STRING, idx);
    if (rc) return rc;
    size_t start = p->slen;
    char *o = p->d->str;
    p->pos++;
    for (;;) {
        size_t run = p->pos;
        while (run < p->n) {
            unsigned char c = p->s[run];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            run++;
        }
        memcpy(o + p->slen, p->s + p->pos, run - p->pos);
        p->slen += run - p->pos;
        p->pos = run;
        if (p->pos >= p->n) return jp_fail(p, "unterminated string");
        unsigned char c = p->s[p->pos];
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) return jp_fail(p, "control character in string");
        if (c >= 0x80) {
            size_t l = mn_utf8_seq_len(p->s + p->pos, p->n - p->pos);
            if (!l) return jp_fail(p, "invalid UTF-8 in string");
            memcpy(o + p->slen, p->s + p->pos, l);
            p->slen += l;
            p->pos += l;
            continue;
        }
        /* backslash */
        if (p->pos + 1 >= p->n) return jp_fail(p, "unterminated escape");
        unsigned char e = p->s[p->pos + 1];
        char r = 0;
        switch (e) {
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': break;
        default: return jp_fail(p, "invalid escape");
        }
        if (e != 'u') { o[p->slen++] = r; p->pos += 2; continue; }
        uint32_t cp;
        if (!jp_hex4(p, p->pos + 2, &cp)) return jp_fail(p, "invalid \\u escape");
        p->pos += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return jp_fail(p, "lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (p->n - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                !jp_hex4(p, p->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return jp_fail(p, "lone high surrogate");
            p->pos += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        p->slen += mn_utf8_encode(cp, o + p->slen);
    }
    o[p->slen++] = 0;
    mn_json_node *x = &p->d->nodes[*idx];
    x->off = (uint32_t)start;
    x->len = (uint32_t)(p->slen - 1 - start);
    return MN_OK;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int jp_number(jp *p, uint32_t *idx)
{
    size_t st = p->pos, i = p->pos;
    const unsigned char *s = p->s;
    if (i < p->n && s[i] == '-') i++;
    if (i >= p->n || !is_digit(s[i])) return jp_fail(p, "invalid number");
    if (s[i] == '0') i++;
    else while (i < p->n && is_digit(s[i])) i++;
    if (i < p->n && s[i] == '.') {
        i++;
        if (i >= p->n || !is_digit(s[i])) return jp_fail(p, "invalid number fraction");
        while (i < p->n && is_digit(s[i])) i++;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->n || !is_digit(s[i])) return jp_fail(p, "invalid number exponent");
        while (i < p->n && is_digit(s[i])) i++;
    }
    int rc = jp_node(p, MN_JSON_NUMBER, idx);
    if (rc) return rc;
    p->d->nodes[*idx].off = (uint32_t)st;
    p->d->nodes[*idx].len = (uint32_t)(i - st);
    p->pos = i;
    return MN_OK;
}

static int jp_literal(jp *p, const char *word, int type, uint32_t *idx)
{
    size_t l = strlen(word);
    if (p->n - p->pos < l || memcmp(p->s + p->pos, word, l) != 0) return jp_fail(p, "invalid literal");
    p->pos += l;
    return jp_node(p, type, idx);
}

mn_status mn_json_parse(mn_json *d, const char *src, size_t srcSize, unsigned maxDepth, mn_err *err)
{
    if (!d || (!src && srcSize)) return (mn_status)mn_err_set(err, MN_E_INVALID_ARG, "JSON: NULL argument");
    memset(d, 0, sizeof *d);
    if (srcSize >= (size_t)UINT32_MAX - 1)
        return (mn_status)mn_err_set(err, MN_E_UNSUPPORTED, "JSON: document of %zu bytes (limit 4 GiB)", srcSize);
    if (maxDepth == 0) maxDepth = MN_JSON_DEPTH_DEFAULT;
    jp p = { d, (const unsigned char *)src, srcSize, 0, 0, 0, err };
    d->src = src;
    d->srcSize = srcSize;
    d->str = malloc(srcSize + 1);
    uint32_t *stack = mn_calloc_array((size_t)maxDepth + 1, sizeof *stack);
    int rc = MN_OK;
    if (!d->str || !stack) { rc = mn_err_set(err, MN_E_NOMEM, "JSON: out of memory"); goto done; }
    {
        size_t guess = srcSize / 16 + 16;
        d->nodes = mn_calloc_array(guess, sizeof(mn_json_node));
        if (!d->nodes) { rc = mn_err_set(err, MN_E_NOMEM, "JSON: out of memory"); goto done; }
        p.cap = guess;
    }
    unsigned depth = 0;
    int expect_key = 0;
    for (;;) {
        uint32_t idx;
        jp_ws(&p);
        if (p.pos >= p.n) { rc = jp_fail(&p, "unexpected end of input"); goto done; }
        unsigned char c = p.s[p.pos];
        if (expect_key) {
            if (c != '"') { rc = jp_fail(&p, "expected a string key"); goto done; }
            if ((rc = jp_string(&p, &idx))) goto done;
            d->nodes[stack[depth - 1]].len++;
            jp_ws(&p);
            if (p.pos >= p.n || p.s[p.pos] != ':') { rc = jp_fail(&p, "expected ':'"); goto done; }
            p.pos++;
            expect_key = 0;
            continue;
        }
        if (depth && d->nodes[stack[depth - 1]].type == MN_JSON_ARRAY) d->nodes[stack[depth - 1]].len++;
        if (c == '{' || c == '[') {
            if (depth >= maxDepth) {
                rc = mn_err_set(err, MN_E_UNSUPPORTED, "JSON: offset %zu: nesting deeper than %u", p.pos, maxDepth);
                goto done;
            }
            if ((rc = jp_node(&p, c == '{' ? MN_JSON_OBJECT : MN_JSON_ARRAY, &idx))) goto done;
            stack[depth++] = idx;
            p.pos++;
            jp_ws(&p);
            if (p.pos < p.n && p.s[p.pos] == (c == '{' ? '}' : ']')) {
                p.pos++;
                d->nodes[idx].next = (uint32_t)d->count;
                depth--;
            } else {
                expect_key = c == '{';
                continue;
            }
        } else if (c == '"') {
            if ((rc = jp_string(&p, &idx))) goto done;
        } else if (c == '-' || is_digit(c)) {
            if ((rc = jp_number(&p, &idx))) goto done;
        } else if (c == 't') {
            if ((rc = jp_literal(&p, "true", MN_JSON_TRUE, &idx))) goto done;
        } else if (c == 'f') {
            if ((rc = jp_literal(&p, "false", MN_JSON_FALSE, &idx))) goto done;
        } else if (c == 'n') {
            if ((rc = jp_literal(&p, "null", MN_JSON_NULL, &idx))) goto done;
        } else {
            rc = jp_fail(&p, "unexpected character");
            goto done;
        }
        /* a value is complete: close containers or continue the current one */
        for (;;) {
            jp_ws(&p);
            if (depth == 0) {
                if (p.pos != p.n) rc = jp_fail(&p, "trailing characters after the document");
                goto done;
            }
            if (p.pos >= p.n) { rc = jp_fail(&p, "unexpected end of input"); goto done; }
            uint32_t top = stack[depth - 1];
            int is_obj = d->nodes[top].type == MN_JSON_OBJECT;
            unsigned char t = p.s[p.pos];
            if (t == ',') {
                p.pos++;
                expect_key = is_obj;
                break;
            }
            if (t == (is_obj ? '}' : ']')) {
                p.pos++;
                d->nodes[top].next = (uint32_t)d->count;
                depth--;
                continue;
            }
            rc = jp_fail(&p, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
            goto done;
        }
    }
done:
    free(stack);
    if (rc) mn_json_free(d);
    return (mn_status)rc;
}

void mn_json_free(mn_json *d)
{
    if (!d) return;
    free(d->nodes);
    free(d->str);
    memset(d, 0, sizeof *d);
}

uint32_t mn_json_first(const mn_json *d, uint32_t c)
{
    if (c >= d->count) return MN_JSON_NONE;
    const mn_json_node *x = &d->nodes[c];
    if ((x->type != MN_JSON_ARRAY && x->type != MN_JSON_OBJECT) || x->len == 0) return MN_JSON_NONE;
    return c + 1;
}

uint32_t mn_json_next(const mn_json *d, uint32_t parent, uint32_t child)
{
    if (parent >= d->count || child >= d->count) return MN_JSON_NONE;
    uint32_t n = d->nodes[child].next;
    return n < d->nodes[parent].next ? n : MN_JSON_NONE;
}

uint32_t mn_json_get(const mn_json *d, uint32_t obj, const char *key)
{
    if (mn_json_type_of(d, obj) != MN_JSON_OBJECT) return MN_JSON_NONE;
    for (uint32_t k = mn_json_first(d, obj); k != MN_JSON_NONE;) {
        uint32_t v = d->nodes[k].next;
        if (mn_json_str_eq(d, k, key)) return v;
        k = mn_json_next(d, obj, v);
    }
    return MN_JSON_NONE;
}

const char *mn_json_str(const mn_json *d, uint32_t i, size_t *len)
{
    if (mn_json_type_of(d, i) != MN_JSON_STRING) return NULL;
    if (len) *len = d->nodes[i].len;
    return d->str + d->nodes[i].off;
}

int mn_json_str_eq(const mn_json *d, uint32_t i, const char *s)
{
    size_t l;
    const char *x = mn_json_str(d, i, &l);
    return x && strlen(s) == l && memcmp(x, s, l) == 0;
}

const char *mn_json_num_text(const mn_json *d, uint32_t i, size_t *len)
{
    if (mn_json_type_of(d, i) != MN_JSON_NUMBER) return NULL;
    if (len) *len = d->nodes[i].len;
    return d->src + d->nodes[i].off;
}

int mn_json_i64(const mn_json *d, uint32_t i, int64_t *out)
{
    size_t l;
    const char *s = mn_json_num_text(d, i, &l);
    if (!s) return 0;
    size_t k = 0;
    int neg = s[0] == '-';
    if (neg) k++;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; k < l; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < '0' || c > '9') return 0;
        if (v > (lim - (uint64_t)(c - '0')) / 10) return 0;
        v = v * 10 + (uint64_t)(c - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

int mn_json_bool(const mn_json *d, uint32_t i, int def)
{
    int t = mn_json_type_of(d, i);
    if (t == MN_JSON_TRUE) return 1;
    if (t == MN_JSON_FALSE || t == MN_JSON_NULL || t < 0) return 0;
    return def;
}
