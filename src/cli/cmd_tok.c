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

static int print_ids(const int32_t *ids, size_t cnt)
{
    char buf[1 << 14];
    size_t o = 0;
    for (size_t i = 0; i < cnt; i++) {
        if (o > sizeof buf - 16) { fwrite(buf, 1, o, stdout); o = 0; }
        o += (size_t)snprintf(buf + o, sizeof buf - o, i ? " %ld" : "%ld", (long)ids[i]);
    }
    buf[o++] = '\n';
    fwrite(buf, 1, o, stdout);
    return 0;
}

/* --jsonl: every input line is a JSON string; one line of ids per string. */
static int tokenize_jsonl(mn_tokenizer *tok, const unsigned char *in, size_t n, unsigned flags)
{
    size_t i = 0;
    int32_t *ids = NULL;
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
                if (!ni) { mn_json_free(&d); free(ids); return mn_cli_fail(MN_E_NOMEM, "out of memory"); }
                ids = ni;
                cap = bound;
            }
            size_t cnt = mn_tokenizer_encode(tok, ids, cap, s, len, flags);
            mn_json_free(&d);
            if (mn_is_error(cnt)) { free(ids); return mn_cli_fail(mn_error_code(cnt), "tokenize: %s", mn_tokenizer_error(tok)); }
            print_ids(ids, cnt);
        }
        i = e + 1;
    }
    free(ids);
    return fflush(stdout) ? mn_cli_fail(MN_E_IO, "cannot write stdout") : 0;
}

/* usage: tokenize -t FILE [--add-special] [--parse-special] [--jsonl] */
int mn_cmd_tokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = 0;
    int jsonl = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tokenizer")) && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--add-special")) flags |= MN_TOK_ADD_SPECIAL;
        else if (!strcmp(argv[i], "--parse-special")) flags |= MN_TOK_PARSE_SPECIAL;
        else if (!strcmp(argv[i], "--jsonl")) jsonl = 1;
        else {
            fprintf(stderr, "usage: minnow tokenize -t FILE [--add-special] [--parse-special] [--jsonl] < text\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: minnow tokenize -t FILE [--add-special] [--parse-special] [--jsonl] < text\n");
        return 2;
    }
    mn_tokenizer *tok;
    if (open_tok(path, &tok)) return 1;
    size_t n = 0;
    unsigned char *text = read_all(stdin, &n);
    if (!text) { mn_tokenizer_free(tok); return mn_cli_fail(MN_E_IO, "cannot read stdin"); }
    if (jsonl) {
        int r = tokenize_jsonl(tok, text, n, flags);
        free(text);
        mn_tokenizer_free(tok);
        return r;
    }
    size_t bound = mn_tokenizer_encode_bound(tok, n);
    int32_t *ids = mn_is_error(bound) ? NULL : malloc((bound ? bound : 1) * sizeof *ids);
    int rc = 0;
    if (!ids) rc = mn_cli_fail(MN_E_NOMEM, "out of memory");
    else {
        size_t cnt = mn_tokenizer_encode(tok, ids, bound, text, n, flags);
        if (mn_is_error(cnt)) rc = mn_cli_fail(mn_error_code(cnt), "tokenize: %s", mn_tokenizer_error(tok));
        else {
            print_ids(ids, cnt);
            if (fflush(stdout)) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
        }
    }
    free(ids);
    free(text);
    mn_tokenizer_free(tok);
    return rc;
}

/* usage: detokenize -t FILE [--skip-special]; ids on stdin separated by whitespace or commas */
int mn_cmd_detokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tokenizer")) && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--skip-special")) flags |= MN_TOK_SKIP_SPECIAL;
        else { path = NULL; break; }
    }
    if (!path) {
        fprintf(stderr, "usage: minnow detokenize -t FILE [--skip-special] < ids\n");
        return 2;
    }
    size_t n = 0;
    unsigned char *text = read_all(stdin, &n);
    if (!text) return mn_cli_fail(MN_E_IO, "cannot read stdin");
    size_t cap = n / 2 + 1, cnt = 0;
    int32_t *ids = malloc(cap * sizeof *ids);
    if (!ids) { free(text); return mn_cli_fail(MN_E_NOMEM, "out of memory"); }
    for (size_t i = 0; i < n;) {
        unsigned char c = text[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',') { i++; continue; }
        if (c < '0' || c > '9') {
            free(ids); free(text);
            return mn_cli_fail(MN_E_INVALID_ARG, "detokenize: not a token id at byte %zu", i);
        }
        long v = 0;
        while (i < n && text[i] >= '0' && text[i] <= '9') {
            v = v * 10 + (text[i] - '0');
            if (v > 0x7FFFFFFFL) { free(ids); free(text); return mn_cli_fail(MN_E_INVALID_ARG, "detokenize: id too large"); }
            i++;
        }
        ids[cnt++] = (int32_t)v;
    }
    free(text);
    mn_tokenizer *tok;
    if (open_tok(path, &tok)) { free(ids); return 1; }
    int rc = 0;
    size_t need = mn_tokenizer_decode(tok, NULL, 0, ids, cnt, flags);
    char *out = mn_is_error(need) ? NULL : malloc(need + 1);
    if (mn_is_error(need)) rc = mn_cli_fail(mn_error_code(need), "detokenize: %s", mn_tokenizer_error(tok));
    else if (!out) rc = mn_cli_fail(MN_E_NOMEM, "out of memory");
    else {
        size_t got = mn_tokenizer_decode(tok, out, need, ids, cnt, flags);
        if (mn_is_error(got)) rc = mn_cli_fail(mn_error_code(got), "detokenize: %s", mn_tokenizer_error(tok));
        else if (fwrite(out, 1, got, stdout) != got || fflush(stdout)) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
    }
    free(out);
    free(ids);
    mn_tokenizer_free(tok);
    return rc;
}
