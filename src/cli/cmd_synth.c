/* minnow synth: write a seeded synthetic GGUF model (see src/gguf/synth.h). */
#include "cli/cli.h"
#include "gguf/qplan.h"
#include "gguf/synth.h"
#include "minnow_gguf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void synth_usage(FILE *f)
{
    fprintf(f,
            "usage: minnow synth --shape NAME [--arch ARCH] --vocab FILE [--type TYPE] [--seed N] -o OUT.gguf\n"
            "                    [--layers N] [--dim N] [--ffn N] [--heads N] [--kv-heads N] [--ctx N]\n"
            "                    [--tied | --untied] [--pure] [--pre NAME] [--name TEXT] [--threads N]\n"
            "  shapes: %s\n"
            "  arch:   llama, qwen2, gpt2, bert (needed for tiny; default llama)\n"
            "  vocab:  tokenizer.json, tokenizer.model / *.model (SentencePiece), vocab.txt (WordPiece), or a GGUF\n"
            "  type:   %s (default F32)\n"
            "  --pure: every weight gets TYPE (no llama.cpp mix rules; the row-size fallback still applies)\n",
            mn_synth_preset_names(), mn_ftype_names());
}

int mn_cmd_synth(int argc, char **argv)
{
    const char *shape = NULL, *arch = NULL, *vocab = NULL, *out = NULL, *type = "F32", *pre = NULL, *name = NULL;
    long dims[6] = {-1, -1, -1, -1, -1, -1}; /* layers dim ffn heads kv-heads ctx */
    static const char *const dim_opt[6] = {"--layers", "--dim", "--ffn", "--heads", "--kv-heads", "--ctx"};
    int tied = -1, pure = 0;
    long threads = 1;
    uint64_t seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int d = -1;
        for (int k = 0; k < 6; k++)
            if (!strcmp(a, dim_opt[k])) d = k;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { synth_usage(stdout); return 0; }
        else if (!strcmp(a, "--pure")) pure = 1;
        else if (!strcmp(a, "--tied")) tied = 1;
        else if (!strcmp(a, "--untied")) tied = 0;
        else if (!v) { fprintf(stderr, "minnow synth: %s needs a value\n", a); return 2; }
        else if (d >= 0) {
            if (mn_cli_parse_int(v, 1, 1L << 24, &dims[d])) { fprintf(stderr, "minnow synth: bad %s '%s'\n", a, v); return 2; }
            i++;
        } else if (!strcmp(a, "--shape")) shape = argv[++i];
        else if (!strcmp(a, "--arch")) arch = argv[++i];
        else if (!strcmp(a, "--vocab")) vocab = argv[++i];
        else if (!strcmp(a, "--type")) type = argv[++i];
        else if (!strcmp(a, "--pre")) pre = argv[++i];
        else if (!strcmp(a, "--name")) name = argv[++i];
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = argv[++i];
        else if (!strcmp(a, "--threads")) {
            if (mn_cli_parse_int(v, 1, 256, &threads)) { fprintf(stderr, "minnow synth: bad --threads '%s'\n", v); return 2; }
            i++;
        } else if (!strcmp(a, "--seed")) {
            char *end = NULL;
            seed = strtoull(v, &end, 0);
            if (!*v || *end) { fprintf(stderr, "minnow synth: bad --seed '%s'\n", v); return 2; }
            i++;
        } else { fprintf(stderr, "minnow synth: unknown option '%s'\n", a); synth_usage(stderr); return 2; }
    }
    if (!vocab || !out) { synth_usage(stderr); return 2; }
    mn_synth_opts o;
    memset(&o, 0, sizeof o);
    if (!shape) shape = "tiny";
    switch (mn_synth_preset(shape, !strcmp(shape, "tiny") && !arch ? "llama" : arch, &o.shape)) {
    case -1: fprintf(stderr, "minnow synth: unknown shape '%s' (%s)\n", shape, mn_synth_preset_names()); return 2;
    case -2: fprintf(stderr, "minnow synth: arch '%s' does not fit shape '%s'\n", arch ? arch : "?", shape); return 2;
    default: break;
    }
    uint32_t *fields[6] = {&o.shape.n_layer, &o.shape.n_embd, &o.shape.n_ff, &o.shape.n_head, &o.shape.n_head_kv, &o.shape.n_ctx};
    for (int k = 0; k < 6; k++)
        if (dims[k] > 0) *fields[k] = (uint32_t)dims[k];
    if (dims[3] > 0 && dims[4] < 0 && o.shape.n_head % o.shape.n_head_kv) o.shape.n_head_kv = o.shape.n_head;
    if (tied >= 0) o.shape.tied = tied;
    if (mn_ftype_parse(type, &o.ftype)) {
        fprintf(stderr, "minnow synth: unknown type '%s' (%s)\n", type, mn_ftype_names());
        return 2;
    }
    o.vocab_path = vocab;
    o.pre = pre;
    o.pure = pure;
    o.seed = seed;
    o.name = name;
    mn_pool *pool = NULL;
    if (threads > 1 && mn_pool_create(&pool, (int)threads) != MN_OK) pool = NULL;
    o.pool = pool;
    mn_err err = {0};
    mn_synth_report rep;
    mn_status st = mn_synth_write(&o, out, &rep, &err);
    mn_pool_free(pool);
    if (st) return mn_cli_fail(st, "synth: %s", err.msg);
    const mn_synth_shape *h = &o.shape;
    printf("%s: %s %s, %u layers, dim %u, ffn %u, heads %u/%u, ctx %u, vocab %zu, %s, %s\n", out, h->arch, shape,
           h->n_layer, h->n_embd, h->n_ff, h->n_head, h->n_head_kv, h->n_ctx, rep.n_vocab,
           h->tied ? "tied output" : "separate output", mn_ftype_name(o.ftype));
    printf("  %" PRIu64 " parameters, %zu tensors, %" PRIu64 " bytes; types:", rep.n_params, rep.n_tensors, rep.file_size);
    for (uint32_t t = 0; t < 64; t++)
        if (rep.type_count[t]) printf(" %s x%zu", mn_ggml_type_name(t), rep.type_count[t]);
    printf("\n");
    if (rep.n_fallback) printf("  %zu tensors fell back to another type (row length not a multiple of the block size)\n", rep.n_fallback);
    return 0;
}
