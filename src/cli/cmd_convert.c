/* minnow convert MODEL.bin [-t TOKENIZER.bin] -o OUT.gguf: a llama2.c
 * checkpoint (and its tokenizer) as GGUF (src/model/convert_llama2c.c). */
#include "cli/cli.h"
#include "model/convert.h"
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
    fclose(f);
    if (buf) *len = n;
    return buf;
}

int mn_cmd_convert(int argc, char **argv)
{
    const char *in = NULL, *tok = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) tok = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] != '-' && !in) in = argv[i];
        else in = NULL, out = NULL, i = argc;
    }
    if (!in || !out) {
        fprintf(stderr, "usage: minnow convert MODEL.bin [-t TOKENIZER.bin] -o OUT.gguf\n"
                        "  MODEL.bin: a llama2.c checkpoint (v0 or v1, f32); TOKENIZER.bin: llama2.c's tokenizer\n");
        return 2;
    }
    size_t n = 0, tn = 0;
    unsigned char *ck = mn_cli_read_file(in, &n), *tk = NULL;
    if (!ck) return mn_cli_fail(MN_E_IO, "cannot read %s", in);
    if (tok && !(tk = mn_cli_read_file(tok, &tn))) { free(ck); return mn_cli_fail(MN_E_IO, "cannot read %s", tok); }
    char err[256] = "";
    mn_gguf_writer *w = NULL;
    mn_status st = mn_convert_llama2c(&w, ck, n, tk, tn, err, sizeof err);
    if (st == MN_OK) {
        st = mn_gguf_writer_write_file(w, out);
        if (st != MN_OK) snprintf(err, sizeof err, "cannot write %s: %s", out, mn_gguf_writer_error(w));
    }
    mn_gguf_writer_free(w);
    free(ck);
    free(tk);
    if (st != MN_OK) return mn_cli_fail(st, "%s: %s", in, err);
    fprintf(stderr, "wrote %s\n", out);
    return 0;
}
