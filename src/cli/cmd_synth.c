/* minnow synth: write a seeded synthetic GGUF model (see src/gguf/synth.h). */
#include "cli/cli.h"
#include "gguf/qplan.h"
#include "gguf/synth.h"
#include "minnow_gguf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void mn_cli_synth_options(FILE *f)
{
    fprintf(f,
            "  --shape NAME        %s (default tiny)\n"
            "  --arch ARCH         llama, qwen2, gpt2, bert (needed for tiny; default llama)\n"
            "  --vocab FILE        tokenizer.json, tokenizer.model / *.model (SentencePiece), vocab.txt (WordPiece), or a GGUF\n"
            "  --type TYPE         %s (default F32)\n"
            "  --seed N            weights' seed, 0..2^64-1 (default 0)\n"
            "  -o, --output FILE   the GGUF to write\n"
            "  --layers N, --dim N, --ffn N, --heads N, --kv-heads N, --ctx N   override the shape's sizes\n"
            "  --tied | --untied   output matrix shared with the embeddings or separate\n"
            "  --pure              every weight gets TYPE (no llama.cpp mix rules; the row-size fallback still applies)\n"
            "  --pre NAME          tokenizer.ggml.pre to write     --name TEXT   general.name\n"
            "  --threads N         worker threads, 1..%d (default 1)\n",
            mn_synth_preset_names(), mn_ftype_names(), mn_threads_max());
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
        const char *a = argv[i], *v = NULL;
        int d = -1;
        for (int k = 0; k < 6; k++)
            if (!strcmp(a, dim_opt[k])) d = k;
        if (mn_cli_is_help(a)) return mn_cli_help("synth");
        else if (!strcmp(a, "--pure")) pure = 1;
        else if (!strcmp(a, "--tied")) tied = 1;
        else if (!strcmp(a, "--untied")) tied = 0;
        else if (d < 0 && strcmp(a, "--shape") && strcmp(a, "--arch") && strcmp(a, "--vocab") && strcmp(a, "--type") &&
                 strcmp(a, "--pre") && strcmp(a, "--name") && strcmp(a, "-o") && strcmp(a, "--output") &&
                 strcmp(a, "--threads") && strcmp(a, "--seed"))
            return mn_cli_usage("synth", "unknown option '%s'", a);
        else if (!(v = mn_cli_value("synth", argc, argv, &i))) return 2;
        else if (d >= 0) {
            if (mn_cli_parse_int(v, 1, 1L << 24, &dims[d])) return mn_cli_usage("synth", "bad value for %s: '%s' (1..16777216)", a, v);
        } else if (!strcmp(a, "--shape")) shape = v;
        else if (!strcmp(a, "--arch")) arch = v;
        else if (!strcmp(a, "--vocab")) vocab = v;
        else if (!strcmp(a, "--type")) type = v;
        else if (!strcmp(a, "--pre")) pre = v;
        else if (!strcmp(a, "--name")) name = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = v;
        else if (!strcmp(a, "--threads")) {
            if (mn_cli_threads("synth", v, &threads)) return 2;
        } else if (mn_cli_parse_u64(v, &seed)) return mn_cli_usage("synth", "bad value for --seed: '%s' (an integer 0..2^64-1)", v);
    }
    if (!vocab || !out) return mn_cli_usage("synth", "needs --vocab FILE and -o OUT.gguf");
    mn_synth_opts o;
    memset(&o, 0, sizeof o);
    if (!shape) shape = "tiny";
    switch (mn_synth_preset(shape, !strcmp(shape, "tiny") && !arch ? "llama" : arch, &o.shape)) {
    case -1: return mn_cli_usage("synth", "unknown shape '%s' (%s)", shape, mn_synth_preset_names());
    case -2: return mn_cli_usage("synth", "arch '%s' does not fit shape '%s'", arch ? arch : "?", shape);
    default: break;
    }
    uint32_t *fields[6] = {&o.shape.n_layer, &o.shape.n_embd, &o.shape.n_ff, &o.shape.n_head, &o.shape.n_head_kv, &o.shape.n_ctx};
    for (int k = 0; k < 6; k++)
        if (dims[k] > 0) *fields[k] = (uint32_t)dims[k];
    if (dims[3] > 0 && dims[4] < 0 && o.shape.n_head % o.shape.n_head_kv) o.shape.n_head_kv = o.shape.n_head;
    if (tied >= 0) o.shape.tied = tied;
    if (mn_ftype_parse(type, &o.ftype)) return mn_cli_usage("synth", "unknown type '%s' (%s)", type, mn_ftype_names());
    o.vocab_path = vocab;
    o.pre = pre;
    o.pure = pure;
    o.seed = seed;
    o.name = name;
    mn_pool *pool;
    int prc = mn_cli_pool(threads, &pool);
    if (prc) return prc;
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
