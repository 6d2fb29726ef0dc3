/*
 * minnow generate -m M.gguf -p "..." [-n N] [sampling options]
 *
 * stdout gets only the generated text (or, with --print-ids, the generated
 * token ids); stderr gets the load line and, last, exactly
 * "prompt: X tok/s, decode: Y tok/s". Exit 0 also when generation ends on
 * EOS, a stop string or a full context (the reason is on stderr).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cli/cli.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

double mn_cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: minnow generate -m MODEL.gguf [-p PROMPT | -f FILE | --prompt-ids \"1 2 3\"] [-n N] [options]\n"
            "  -n N               tokens to generate (default 128; 0 = until EOS or the context is full)\n"
            "  --temp T           temperature (default 0.8; 0 = greedy)\n"
            "  --top-k K          (default 40; 0 = off)     --top-p P   (default 0.95; 1 = off)\n"
            "  --min-p P          (default 0.05; 0 = off)   --seed S    (default 0)\n"
            "  --repeat-penalty R (default 1 = off)         --repeat-last-n N (default 64)\n"
            "  --presence-penalty P, --frequency-penalty F (default 0 = off)\n"
            "  --stop TEXT        stop string (repeatable; not printed)\n"
            "  --threads N        (default: all cores)      --ctx C     context length (default: training length)\n"
            "  --batch B          prompt tokens per forward pass (default 64)\n"
            "  --no-bos           do not add the model's BOS token    --no-mmap   read the file into memory\n"
            "  --print-ids        print generated token ids instead of text\n"
            "  --dump-logits FILE write the logits each token was sampled from (f32, n_vocab per token)\n");
}

static int parse_float(const char *s, float *out)
{
    char *end = NULL;
    if (!s || !*s) return -1;
    double v = strtod(s, &end);
    if (*end || v != v) return -1;
    *out = (float)v;
    return 0;
}

/* Parse "1 2 3" into ids (malloc'd). */
static int32_t *parse_ids(const char *s, size_t *n)
{
    size_t cap = strlen(s) / 2 + 2, k = 0;
    int32_t *ids = malloc(cap * sizeof *ids);
    if (!ids) return NULL;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\n' || *s == '\t') s++;
        if (!*s) break;
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > INT32_MAX || k == cap) { free(ids); return NULL; }
        ids[k++] = (int32_t)v;
        s = end;
    }
    *n = k;
    return ids;
}

int mn_cmd_generate(int argc, char **argv)
{
    const char *model = NULL, *prompt = NULL, *pfile = NULL, *pids = NULL, *dump = NULL;
    mn_gen_params gp;
    mn_gen_params_default(&gp);
    mn_ctx_params cp;
    mn_ctx_params_default(&cp);
    const char **stops = calloc((size_t)argc, sizeof(char *));
    size_t n_stop = 0;
    int print_ids = 0, no_mmap = 0;
    long v;
    if (!stops) return mn_cli_fail(MN_E_NOMEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0, takes = 1;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model = val;
        else if (!strcmp(a, "-p") || !strcmp(a, "--prompt")) prompt = val;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file")) pfile = val;
        else if (!strcmp(a, "--prompt-ids")) pids = val;
        else if (!strcmp(a, "--dump-logits")) dump = val;
        else if (!strcmp(a, "-n")) { bad = mn_cli_parse_int(val, 0, INT32_MAX, &v); gp.max_tokens = (uint32_t)v; }
        else if (!strcmp(a, "--temp")) bad = parse_float(val, &gp.sampler.temperature);
        else if (!strcmp(a, "--top-k")) { bad = mn_cli_parse_int(val, 0, INT32_MAX, &v); gp.sampler.top_k = (int32_t)v; }
        else if (!strcmp(a, "--top-p")) bad = parse_float(val, &gp.sampler.top_p);
        else if (!strcmp(a, "--min-p")) bad = parse_float(val, &gp.sampler.min_p);
        else if (!strcmp(a, "--repeat-penalty")) bad = parse_float(val, &gp.sampler.repeat_penalty);
        else if (!strcmp(a, "--presence-penalty")) bad = parse_float(val, &gp.sampler.presence_penalty);
        else if (!strcmp(a, "--frequency-penalty")) bad = parse_float(val, &gp.sampler.frequency_penalty);
        else if (!strcmp(a, "--repeat-last-n")) { bad = mn_cli_parse_int(val, -1, INT32_MAX, &v); gp.sampler.penalty_last_n = (int32_t)v; }
        else if (!strcmp(a, "--seed")) {
            char *end = NULL;
            bad = !val || !*val;
            if (!bad) { gp.sampler.seed = strtoull(val, &end, 10); bad = *end != 0; }
        }
        else if (!strcmp(a, "--threads")) { bad = mn_cli_parse_int(val, 1, mn_threads_max(), &v); cp.n_threads = (int32_t)v; }
        else if (!strcmp(a, "--ctx")) { bad = mn_cli_parse_int(val, 1, 1L << 24, &v); cp.n_ctx = (uint32_t)v; }
        else if (!strcmp(a, "--batch")) { bad = mn_cli_parse_int(val, 1, 4096, &v); cp.n_batch = (uint32_t)v; }
        else if (!strcmp(a, "--stop")) { bad = !val; if (val) stops[n_stop++] = val; }
        else if (!strcmp(a, "--no-bos")) { gp.tok_flags &= ~MN_TOK_ADD_SPECIAL; takes = 0; }
        else if (!strcmp(a, "--no-mmap")) { no_mmap = 1; takes = 0; }
        else if (!strcmp(a, "--print-ids")) { print_ids = 1; takes = 0; }
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(); free(stops); return 0; }
        else { fprintf(stderr, "minnow generate: unknown option %s\n", a); usage(); free(stops); return 2; }
        if (takes && !val) bad = 1;
        if (bad) { fprintf(stderr, "minnow generate: bad value for %s\n", a); free(stops); return 2; }
        i += takes;
    }
    if (!model || (!!prompt + !!pfile + !!pids) > 1) { usage(); free(stops); return 2; }
    gp.stop = stops;
    gp.n_stop = n_stop;

    unsigned char *ptext = NULL;
    size_t plen = 0;
    if (pfile && !(ptext = mn_cli_read_file(pfile, &plen))) { free(stops); return mn_cli_fail(MN_E_IO, "cannot read %s", pfile); }
    int32_t *ids = NULL;
    size_t n_ids = 0;
    if (pids && !(ids = parse_ids(pids, &n_ids))) { free(stops); return mn_cli_fail(MN_E_INVALID_ARG, "--prompt-ids: not a list of ids"); }

    char err[512] = "";
    mn_model *m = NULL;
    mn_ctx *c = NULL;
    int rc = 0;
    double t0 = 0;
    mn_status st = MN_OK;
    {
        t0 = mn_cli_now_ms();
        st = mn_model_load_file(&m, model, no_mmap ? MN_MODEL_NO_MMAP : 0, err, sizeof err);
        if (st != MN_OK) { rc = mn_cli_fail(st, "%s: %s", model, err); goto done; }
        st = mn_ctx_create(&c, m, &cp, err, sizeof err);
        if (st != MN_OK) { rc = mn_cli_fail(st, "context: %s", err); goto done; }
        char tbuf[16];
        snprintf(tbuf, sizeof tbuf, cp.n_threads ? "%d" : "auto", (int)cp.n_threads);
        fprintf(stderr, "minnow: %s %s, %zu tokens of context, threads %s, loaded in %.1f ms\n", model,
                mn_model_arch(m), mn_ctx_n_ctx(c), tbuf, mn_cli_now_ms() - t0);
    }
    if (ids) st = mn_gen_begin_tokens(c, ids, n_ids, &gp);
    else if (ptext) st = mn_gen_begin(c, ptext, plen, &gp);
    else st = mn_gen_begin(c, prompt ? prompt : "", prompt ? strlen(prompt) : 0, &gp);
    if (st != MN_OK) { rc = mn_cli_fail(st, "prompt: %s", mn_ctx_error(c)); goto done; }
    {
        size_t cap = mn_gen_piece_bound(c);
        char *buf = malloc(cap);
        mn_gen_end end = MN_GEN_RUNNING;
        int first = 1;
        FILE *df = dump ? fopen(dump, "wb") : NULL;
        if (!buf || (dump && !df)) {
            free(buf);
            if (df) fclose(df);
            rc = mn_cli_fail(buf ? MN_E_IO : MN_E_NOMEM, buf ? "cannot write %s" : "out of memory", dump);
            goto done;
        }
        while (end == MN_GEN_RUNNING) {
            size_t n;
            int32_t tok;
            if (df) fwrite(mn_ctx_logits(c), sizeof(float), mn_model_n_vocab(m), df);
            st = mn_gen_next(c, buf, cap, &n, &tok, &end);
            if (st != MN_OK) { rc = mn_cli_fail(st, "generate: %s", mn_ctx_error(c)); break; }
            if (print_ids) {
                if (tok >= 0 && end != MN_GEN_END_EOS) { printf(first ? "%d" : " %d", (int)tok); first = 0; }
            } else if (n) {
                fwrite(buf, 1, n, stdout);
            }
            fflush(stdout);
        }
        free(buf);
        if (df) fclose(df);
        if (print_ids) printf("\n");
        else if (rc == 0) fflush(stdout);
        static const char *const why[] = {"", "end of generation token", "token limit", "stop string", "context full"};
        mn_gen_stats s;
        mn_gen_stats_get(c, &s);
        if (rc == 0) fprintf(stderr, "\nminnow: %u prompt tokens in %.1f ms, %u generated in %.1f ms (%s)\n",
                             s.prompt_tokens, s.prompt_ms, s.generated_tokens, s.decode_ms,
                             (int)end >= 0 && (int)end <= 4 ? why[end] : "?");
        /* decode tok/s: tokens evaluated by the decode loop (the last sampled one is not) */
        uint32_t ev = s.generated_tokens > 0 ? s.generated_tokens - 1 : 0;
        fprintf(stderr, "prompt: %.2f tok/s, decode: %.2f tok/s\n",
                s.prompt_ms > 0 ? s.prompt_tokens * 1e3 / s.prompt_ms : 0.0, s.decode_ms > 0 ? ev * 1e3 / s.decode_ms : 0.0);
    }
done:
    mn_ctx_free(c);
    mn_model_free(m);
    free(ptext);
    free(ids);
    free(stops);
    return rc;
}

/* The model part of `minnow info` (called by cmd_info.c after the GGUF
 * listing): what minnow makes of the file as a decoder, and the memory a
 * context needs, computed up front (mn_model_ctx_bytes) before any allocation. */
void mn_cli_model_summary(const char *path)
{
    mn_model *m = NULL;
    char err[512] = "";
    mn_status st = mn_model_load_file(&m, path, 0, err, sizeof err);
    if (st == MN_E_MODEL_ARCH || st == MN_E_GGUF_KEY_MISSING) {
        printf("model:       not a decoder minnow runs (%s)\n", err);
        return;
    }
    if (st != MN_OK) {
        printf("model:       cannot load: %s (%s)\n", err, mn_status_name(st));
        return;
    }
    char info[4096];
    size_t il = mn_model_info_json(m, info, sizeof info);
    printf("model:       %s\n", mn_is_error(il) ? mn_model_arch(m) : info);
    mn_ctx_params p;
    mn_ctx_params_default(&p);
    p.n_threads = 1;
    size_t n_train = mn_model_n_ctx_train(m);
    p.n_ctx = (uint32_t)n_train;
    size_t full = mn_model_ctx_bytes(m, &p);
    p.n_ctx = (uint32_t)(n_train / 2 ? n_train / 2 : 1);
    size_t half = mn_model_ctx_bytes(m, &p);
    if (!mn_is_error(full) && !mn_is_error(half)) {
        double per_tok = n_train > 1 ? (double)(full - half) / (double)(n_train - n_train / 2) : 0;
        printf("memory:      weights %.1f MiB; a context of %zu tokens %.1f MiB "
               "(KV cache f32, %.0f bytes per token of --ctx)\n",
               (double)mn_model_weight_bytes(m) / 1048576.0, n_train, (double)full / 1048576.0, per_tok);
    } else {
        printf("memory:      a context of %zu tokens: %s\n", n_train, mn_status_name(mn_error_code(full)));
    }
    mn_model_free(m);
}
