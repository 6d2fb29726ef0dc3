/* minnow convert MODEL.bin [-t TOKENIZER.bin] -o OUT.gguf: a llama2.c
 * checkpoint (and its tokenizer) as GGUF (src/model/convert_llama2c.c). */
#include "cli/cli.h"
#include "model/convert.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

unsigned char *mn_cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) {
            if (ferror(f)) { free(buf); buf = NULL; }
            break;
        }
        unsigned char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    int e = errno;
    fclose(f);
    errno = e; /* the caller reports strerror(errno) */
    if (buf) *len = n;
    return buf;
}

int mn_cli_fail_read(const char *path)
{
    return mn_cli_fail(MN_E_IO, "cannot read %s%s%s", path, errno ? ": " : "", errno ? strerror(errno) : "");
}

void mn_cli_convert_options(FILE *f)
{
    fprintf(f, "  MODEL.bin         a llama2.c checkpoint (version 0 or 1, f32)\n"
               "  -t TOKENIZER.bin  llama2.c's tokenizer (without it the GGUF has no vocabulary: ids only)\n"
               "  -o OUT.gguf       the file to write\n");
}

int mn_cmd_convert(int argc, char **argv)
{
    const char *in = NULL, *tok = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (mn_cli_is_help(a)) return mn_cli_help("convert");
        if (!strcmp(a, "-t") || !strcmp(a, "-o")) {
            const char *v = mn_cli_value("convert", argc, argv, &i);
            if (!v) return 2;
            *(a[1] == 't' ? &tok : &out) = v;
        } else if (a[0] == '-' && a[1]) return mn_cli_usage("convert", "unknown option '%s'", a);
        else if (in) return mn_cli_usage("convert", "unexpected argument '%s'", a);
        else in = a;
    }
    if (!in || !out) return mn_cli_usage("convert", "needs MODEL.bin and -o OUT.gguf");
    size_t n = 0, tn = 0;
    errno = 0;
    unsigned char *ck = mn_cli_read_file(in, &n), *tk = NULL;
    if (!ck) return mn_cli_fail_read(in);
    errno = 0;
    if (tok && !(tk = mn_cli_read_file(tok, &tn))) { free(ck); return mn_cli_fail_read(tok); }
    char err[256] = "";
    mn_gguf_writer *w = NULL;
    mn_status st = mn_convert_llama2c(&w, ck, n, tk, tn, err, sizeof err);
    int rc = 0;
    if (st != MN_OK) rc = mn_cli_fail_file(st, in, err);
    else {
        errno = 0;
        st = mn_gguf_writer_write_file(w, out);
        int e = errno;
        if (st != MN_OK) /* the writer's message names out already */
            rc = mn_cli_fail(st, "%s%s%s", mn_gguf_writer_error(w), st == MN_E_IO && e ? ": " : "", st == MN_E_IO && e ? strerror(e) : "");
    }
    mn_gguf_writer_free(w);
    free(ck);
    free(tk);
    if (rc == 0) fprintf(stderr, "wrote %s\n", out);
    return rc;
}
