/* minnow tokenize / detokenize: stdin -> ids / ids -> text. */
#include "cli/cli.h"
#include "minnow_tok.h"
#include "tok/json.h"
#include "tok/unicode.h"
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
    if (st) return mn_cli_fail_file(st, path, msg);
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

typedef struct tok_run {
    mn_tokenizer *tok;
    unsigned flags;
    int offsets;
    int32_t *ids;
    size_t *offs;
    size_t cap;
    size_t lossy; /* records with invalid UTF-8 read as U+FFFD */
} tok_run;

/* Encode one record and print its line. @return exit code (0 = ok). */
static int encode_print(tok_run *r, const char *s, size_t len)
{
    size_t bound = mn_tokenizer_encode_bound(r->tok, len);
    if ((r->flags & MN_TOK_LOSSY) && !mn_is_error(bound)) {
        size_t b3 = len <= SIZE_MAX / 3 ? mn_tokenizer_encode_bound(r->tok, 3 * len) : bound;
        if (!mn_is_error(b3)) bound = b3;
    }
    if (mn_is_error(bound)) return mn_cli_fail(mn_error_code(bound), "tokenize: text of %zu bytes", len);
    if (bound > r->cap || !r->ids) {
        size_t c = bound ? bound : 1;
        int32_t *ni = realloc(r->ids, c * sizeof *ni);
        if (ni) r->ids = ni;
        size_t *no = ni && r->offsets ? realloc(r->offs, 2 * c * sizeof *no) : NULL;
        if (no) r->offs = no;
        if (!ni || (r->offsets && !no)) return mn_cli_fail(MN_E_NOMEM, "out of memory");
        r->cap = c;
    }
    size_t cnt = mn_tokenizer_encode_offsets(r->tok, r->ids, r->offsets ? r->offs : NULL, r->cap, s, len, r->flags);
    if (mn_is_error(cnt)) return mn_cli_fail(mn_error_code(cnt), "tokenize: %s", mn_tokenizer_error(r->tok));
    if ((r->flags & MN_TOK_LOSSY) && !mn_utf8_valid((const unsigned char *)s, len)) r->lossy++; /* for the note */
    return print_ids(r->ids, r->offsets ? r->offs : NULL, cnt);
}

/* --jsonl: every input line is a JSON string; one line of ids per string.
 * -z: records separated by NUL bytes (any bytes); one line of ids per record. */
static int tokenize_records(tok_run *r, const unsigned char *in, size_t n, int jsonl)
{
    size_t i = 0, line = 1;
    for (; i < n; line++) {
        const unsigned char *nl = memchr(in + i, jsonl ? '\n' : 0, n - i);
        size_t e = nl ? (size_t)(nl - in) : n;
        int rc = 0;
        if (!jsonl) rc = encode_print(r, (const char *)in + i, e - i);
        else if (e > i) {
            mn_json d;
            mn_err err = {0};
            mn_status st = mn_json_parse(&d, (const char *)in + i, e - i, 4, &err);
            size_t len = 0;
            const char *s = st ? NULL : mn_json_str(&d, 0, &len);
            if (!s) {
                if (!st) mn_json_free(&d);
                /* the parser's message starts "JSON: "; this one already says JSON */
                const char *why = st ? err.msg : "another JSON value";
                if (!strncmp(why, "JSON: ", 6)) why += 6;
                return mn_cli_fail(st ? st : MN_E_INVALID_ARG, "tokenize --jsonl: line %zu (byte %zu of stdin) is not a JSON string: %s",
                                   line, i, why);
            }
            rc = encode_print(r, s, len);
            mn_json_free(&d);
        }
        if (rc) return rc;
        i = e + 1;
    }
    return 0;
}

void mn_cli_tokenize_options(FILE *f)
{
    fputs("stdin is read verbatim (a trailing newline is text); the ids print on one line, as Hugging\n"
          "Face's encode(text, add_special_tokens=False). FILE: a tokenizer.json, a GGUF (its\n"
          "tokenizer.ggml.* metadata) or a SentencePiece .model.\n"
          "  -t, --tokenizer FILE  the tokenizer\n"
          "  --add-special         add BOS/EOS/CLS/SEP as the tokenizer's configuration says\n"
          "  --parse-special       match special-token strings written in the text\n"
          "  --offsets             after the ids a tab and each token's byte range in the input\n"
          "                        as start,end (end exclusive), separated by spaces\n"
          "  --jsonl               stdin is one JSON string per line; one line of ids per string\n"
          "  -z, --null-data       stdin is records separated by NUL bytes; one line of ids each\n"
          "  --strict              refuse invalid UTF-8 (by default each invalid sequence is read\n"
          "                        as U+FFFD, as a lossy UTF-8 decoder gives it to Hugging Face)\n", f);
}

int mn_cmd_tokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = MN_TOK_LOSSY;
    int jsonl = 0, nul = 0, offsets = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-t") || !strcmp(a, "--tokenizer")) {
            if (!(path = mn_cli_value("tokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--add-special")) flags |= MN_TOK_ADD_SPECIAL;
        else if (!strcmp(a, "--parse-special")) flags |= MN_TOK_PARSE_SPECIAL;
        else if (!strcmp(a, "--strict")) flags &= ~MN_TOK_LOSSY;
        else if (!strcmp(a, "--jsonl")) jsonl = 1;
        else if (!strcmp(a, "-z") || !strcmp(a, "--null-data")) nul = 1;
        else if (!strcmp(a, "--offsets")) offsets = 1;
        else if (mn_cli_is_help(a)) return mn_cli_help("tokenize");
        else return mn_cli_usage("tokenize", "%s '%s'", a[0] == '-' ? "unknown option" : "unexpected argument", a);
    }
    if (!path) return mn_cli_usage("tokenize", "-t FILE is required");
    if (jsonl && nul) return mn_cli_usage("tokenize", "--jsonl and -z exclude each other");
    tok_run r = {0};
    r.flags = flags;
    r.offsets = offsets;
    if (open_tok(path, &r.tok)) return 1;
    size_t n = 0;
    unsigned char *text = read_all(stdin, &n);
    int rc;
    if (!text) rc = mn_cli_fail(MN_E_IO, "cannot read stdin");
    else if (jsonl || nul) rc = tokenize_records(&r, text, n, jsonl);
    else rc = encode_print(&r, (const char *)text, n);
    if (!rc && fflush(stdout)) rc = mn_cli_fail(MN_E_IO, "cannot write stdout");
    if (!rc && r.lossy)
        fprintf(stderr, "minnow tokenize: note: %zu input%s not valid UTF-8; invalid bytes were read as U+FFFD (--strict refuses them)\n",
                r.lossy, r.lossy == 1 ? " was" : "s were");
    free(r.ids);
    free(r.offs);
    free(text);
    mn_tokenizer_free(r.tok);
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

void mn_cli_detokenize_options(FILE *f)
{
    fputs("Ids on stdin are separated by spaces, tabs, commas or newlines; invalid byte sequences in\n"
          "the text come out as U+FFFD, as Hugging Face's decode(ids) gives them.\n"
          "  -t, --tokenizer FILE  a tokenizer.json, GGUF or SentencePiece .model\n"
          "  --skip-special        leave special tokens out (skip_special_tokens=True)\n"
          "  --jsonl               one line of ids in, one JSON string out per line\n", f);
}

int mn_cmd_detokenize(int argc, char **argv)
{
    const char *path = NULL;
    unsigned flags = 0;
    int jsonl = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-t") || !strcmp(a, "--tokenizer")) {
            if (!(path = mn_cli_value("detokenize", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--skip-special")) flags |= MN_TOK_SKIP_SPECIAL;
        else if (!strcmp(a, "--jsonl")) jsonl = 1;
        else if (mn_cli_is_help(a)) return mn_cli_help("detokenize");
        else return mn_cli_usage("detokenize", "%s '%s'", a[0] == '-' ? "unknown option" : "unexpected argument", a);
    }
    if (!path) return mn_cli_usage("detokenize", "-t FILE is required");
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
