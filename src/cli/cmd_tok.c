/* minnow tokenize / detokenize: stdin -> ids / ids -> text. */
#include "cli/cli.h"
#include "minnow_tok.h"
#include "tok/json.h"
#include <stdlib.h>
#include <string.h>


static unsigned char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) { free(buf); return NULL; }
            break;
        }
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) { free(buf); return NULL; }
        buf = nb;
        cap *= 2;
    }
    if (buf) *len = n;
    return buf;
}

static int open_tok(const char *path, mn_tokenizer **tok)
{
    char msg[512];
    msg[0] = 0;
    mn_status st = mn_tokenizer_create_file(tok, path, msg, sizeof msg);
    if (st) return mn_cli_fail(st, "%s: %s", path, msg);
    return 0;
}

/* One line: the ids; with offsets, a tab and "start,end" byte ranges. */
static int print_ids(const int32_t *ids, const size_t *offs, size_t cnt)
{
    char buf[4096];
    size_t o = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (o > sizeof buf - 32) { fwrite(buf, 1, o, stdout); o = 0; }
        o += (size_t)snprintf(buf + o, sizeof buf - o, i ? " %ld" : "%ld", (long)ids[i]);
    }
    if (offs) {
        buf[o++] = '\t';
        for (size_t i = 0; i < cnt; i++) {
            if (o > sizeof buf - 48) { fwrite(buf, 1, o, stdout); o = 0; }
            o += (size_t)snprintf(buf + o, sizeof buf - o, i ? " %zu,%zu" : "%zu,%zu", offs[2 * i], offs[2 * i + 1]);
        }
    }
    buf[o++] = '\n';
    fwrite(buf, 1, o, stdout);
    return 0;
}

/* --jsonl: every input line is a JSON string; one line of ids per string. */
static int tokenize_jsonl(mn_tokenizer *tok, const unsigned char *in, size_t n, unsigned flags, int offsets)
{
    size_t i = 0;
    int32_t *ids = NULL;
    size_t *offs = NULL;
    size_t cap = 0;
    while (i < n) {
        const unsigned char *nl = memchr(in + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - in) : n;
        if (e > i) {
            mn_json d;
            mn_err err = {0};
            mn_status st = mn_json_parse(&d, (const char *)in + i, e - i, 4, &err);
            size_t len = 0;
            const char *s = st ? NULL : mn_json_str(&d, 0, &len);
            if (!s) {
                if (!st) mn_json_free(&d);
                free(ids);
                return mn_cli_fail(st ? st : MN_E_INVALID_ARG, "tokenize --jsonl: line at byte %zu is not a JSON string %s", i, err.msg);
            }
            size_t bound = mn_tokenizer_encode_bound(tok, len);
            if (bound > cap) {
                int32_t *ni = realloc(ids, bound * sizeof *ids);
                if (ni) ids = ni;
                size_t *no = ni && offsets ? realloc(offs, 2 * bound * sizeof *offs) : NULL;
                if (no) offs = no;
                if (!ni || (offsets && !no)) { mn_json_free(&d); free(ids); free(offs); return mn_cli_fail(MN_E_NOMEM, "out of memory"); }
                cap = bound;
            }
            size_t cnt = mn_tokenizer_encode_offsets(tok, ids, offsets ? offs : NULL, cap, s, len, flags);
            mn_json_free(&d);
            if (mn_is_error(cnt)) { free(ids); free(offs); return mn_cli_fail(mn_error_code(cnt), "tokenize: %s", mn_tokenizer_error(tok)); }
            print_ids(ids, offsets ? offs : NULL, cnt);
        }
        i = e + 1;
    }
    free(ids);
    free(offs);
    return fflush(stdout) ? mn_cli_fail(MN_E_IO, "cannot write stdout") : 0;
}

#define TOKENIZE_USAGE "usage: minnow tokenize -t FILE [--add-special] [--parse-special] [--offsets] [--jsonl] < text\n"

/* usage: tokenize -t FILE [--add-special] [--parse-special] [--offsets] [--jsonl] */
int mn_cmd_tokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = 0;
    int jsonl = 0, offsets = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tokenizer")) && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--add-special")) flags |= MN_TOK_ADD_SPECIAL;
        else if (!strcmp(argv[i], "--parse-special")) flags |= MN_TOK_PARSE_SPECIAL;
        else if (!strcmp(argv[i], "--jsonl")) jsonl = 1;
        else if (!strcmp(argv[i], "--offsets")) offsets = 1;
        else {
            fprintf(stderr, TOKENIZE_USAGE);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, TOKENIZE_USAGE);
        return 2;
    }
    mn_tokenizer *tok;
    if (open_tok(path, &tok)) return 1;
    size_t n = 0;
    unsigned char *text = read_all(stdin, &n);
    if (!text) { mn_tokenizer_free(tok); return mn_cli_fail(MN_E_IO, "cannot read stdin"); }
    if (jsonl) {
        int r = tokenize_jsonl(tok, text, n, flags, offsets);
        free(text);
        mn_tokenizer_free(tok);
        return r;
    }
    size_t bound = mn_tokenizer_encode_bound(tok, n);
    int32_t *ids = mn_is_error(bound) ? NULL : malloc((bound ? bound : 1) * sizeof *ids);
    size_t *offs = ids && offsets ? malloc((bound ? bound : 1) * 2 * sizeof *offs) : NULL;
    int rc = 0;
    if (!ids || (offsets && !offs)) rc = mn_cli_fail(MN_E_NOMEM, "out of memory");
    else {
        size_t cnt = mn_tokenizer_encode_offsets(tok, ids, offs, bound, text, n, flags);
        if (mn_is_error(cnt)) rc = mn_cli_fail(mn_error_code(cnt), "tokenize: %s", mn_tokenizer_error(tok));
        else {
            print_ids(ids, offs, cnt);
            if (fflush(stdout)) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
        }
    }
    free(ids);
    free(offs);
    free(text);
    mn_tokenizer_free(tok);
    return rc;
}

/* Parse ids separated by spaces, tabs, commas (and newlines unless stopNl)
 * from in[*pos..n). @return count, or -1 (not an id; *pos at the bad byte). */
static long parse_ids(const unsigned char *in, size_t n, size_t *pos, int32_t *ids, int stopNl)
{
    size_t i = *pos;
    long cnt = 0;
    while (i < n) {
        unsigned char c = in[i];
        if (c == '\n' && stopNl) break;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',') { i++; continue; }
        if (c < '0' || c > '9') { *pos = i; return -1; }
        long v = 0;
        while (i < n && in[i] >= '0' && in[i] <= '9') {
            v = v * 10 + (in[i] - '0');
            if (v > 0x7FFFFFFFL) { *pos = i; return -1; }
            i++;
        }
        ids[cnt++] = (int32_t)v;
    }
    *pos = i;
    return cnt;
}

/* s[0..n) (valid UTF-8) as a JSON string. */
static void put_json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { putchar('\\'); putchar(c); }
        else if (c == '\n') fputs("\\n", stdout);
        else if (c < 0x20 || c == 0x7F) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static int decode_print(mn_tokenizer *tok, const int32_t *ids, size_t cnt, unsigned flags, int json)
{
    size_t need = mn_tokenizer_decode(tok, NULL, 0, ids, cnt, flags);
    if (mn_is_error(need)) return mn_cli_fail(mn_error_code(need), "detokenize: %s", mn_tokenizer_error(tok));
    char *out = malloc(need + 1);
    if (!out) return mn_cli_fail(MN_E_NOMEM, "out of memory");
    size_t got = mn_tokenizer_decode(tok, out, need, ids, cnt, flags);
    int rc = 0;
    if (mn_is_error(got)) rc = mn_cli_fail(mn_error_code(got), "detokenize: %s", mn_tokenizer_error(tok));
    else if (json) { put_json_string(out, got); putchar('\n'); }
    else if (fwrite(out, 1, got, stdout) != got) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
    free(out);
    return rc;
}

#define DETOKENIZE_USAGE "usage: minnow detokenize -t FILE [--skip-special] [--jsonl] < ids\n"

/* usage: detokenize -t FILE [--skip-special] [--jsonl]; ids on stdin separated
 * by whitespace or commas; --jsonl: one line of ids in, one JSON string out */
int mn_cmd_detokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = 0;
    int jsonl = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tokenizer")) && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--skip-special")) flags |= MN_TOK_SKIP_SPECIAL;
        else if (!strcmp(argv[i], "--jsonl")) jsonl = 1;
        else { path = NULL; break; }
    }
    if (!path) {
        fprintf(stderr, DETOKENIZE_USAGE);
        return 2;
    }
    size_t n = 0;
    unsigned char *text = read_all(stdin, &n);
    if (!text) return mn_cli_fail(MN_E_IO, "cannot read stdin");
    int32_t *ids = malloc((n / 2 + 1) * sizeof *ids);
    mn_tokenizer *tok = NULL;
    int rc = 0;
    if (!ids) rc = mn_cli_fail(MN_E_NOMEM, "out of memory");
    else if (open_tok(path, &tok)) rc = 1;
    for (size_t pos = 0; !rc && (pos < n || (!jsonl && pos == 0));) {
        long cnt = parse_ids(text, n, &pos, ids, jsonl);
        if (cnt < 0) { rc = mn_cli_fail(MN_E_INVALID_ARG, "detokenize: not a token id at byte %zu", pos); break; }
        rc = decode_print(tok, ids, (size_t)cnt, flags, jsonl);
        if (!jsonl) break;
        pos++; /* the newline */
    }
    if (!rc && fflush(stdout)) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
    free(ids);
    free(text);
    mn_tokenizer_free(tok);
    return rc;
}
