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
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double mn_cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void mn_cli_generate_options(FILE *f)
{
    fprintf(f,
            "  -m, --model FILE   the GGUF model\n"
            "  -p, --prompt TEXT  the prompt (once; or -f FILE, or --prompt-ids \"1 2 3\"; none: BOS only)\n"
            "  -f, --file FILE    read the prompt from FILE\n"
            "  --prompt-ids IDS   the prompt as token ids (nothing added: no BOS)\n"
            "  -n N               tokens to generate (default 128; 0 = until EOS or the context is full)\n"
            "  --temp T           temperature, >= 0 (default 0.8; 0 = greedy)\n"
            "  --top-k K          >= 0 (default 40; 0 = off)\n"
            "  --top-p P          in [0, 1] (default 0.95; 1 = off)\n"
            "  --min-p P          in [0, 1] (default 0.05; 0 = off)\n"
            "  --repeat-penalty R > 0 (default 1 = off)    --repeat-last-n N  >= -1 (default 64; -1 = all, 0 = off)\n"
            "  --presence-penalty P, --frequency-penalty F  finite (default 0 = off)\n"
            "  --seed S           an integer 0..18446744073709551615 (2^64-1; default 0): the same seed and\n"
            "                     options give the same text on every target; negative or larger values are refused\n"
            "  --stop TEXT        stop string (repeatable; not printed)\n"
            "  --threads N        1..%d (default: all cores)\n"
            "  --ctx C            context length in tokens (default: the training length, at most %u)\n"
            "  --batch B          prompt tokens per forward pass, 1..4096 (default 64)\n"
            "  --no-bos           do not add the model's BOS token    --no-mmap   read the file into memory\n"
            "  --repack, --no-repack  Q4_0 matrices rearranged for the int16 kernels (same output): forced\n"
            "                     (reads the file into memory), or never (default: where faster: wasm, NEON)\n"
            "  --print-ids        print generated token ids instead of text\n"
            "  --dump-logits FILE write the logits each token was sampled from (f32, n_vocab per token)\n"
            "stdout gets only the generated text; stderr the load line and, last, \"prompt: X tok/s, decode: Y tok/s\".\n"
            "Generation stops after -n tokens, at EOS, at a stop string or when the context is full, all with\n"
            "exit status 0 (the reason is in the stderr summary, e.g. \"(context full)\").\n",
            mn_threads_max(), (unsigned)mn_ctx_default_max());
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
    int print_ids = 0;
    unsigned load_flags = 0;
    long v;
    if (!stops) return mn_cli_fail(MN_E_NOMEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        const char *range = NULL; /* set: the value is outside this range */
        if (mn_cli_is_help(a)) { free(stops); return mn_cli_help("generate"); }
        if (!strcmp(a, "--no-bos")) { gp.tok_flags &= ~MN_TOK_ADD_SPECIAL; continue; }
        if (!strcmp(a, "--no-mmap")) { load_flags |= MN_MODEL_NO_MMAP; continue; }
        if (!strcmp(a, "--repack")) { load_flags |= MN_MODEL_REPACK; continue; }
        if (!strcmp(a, "--no-repack")) { load_flags |= MN_MODEL_NO_REPACK; continue; }
        if (!strcmp(a, "--print-ids")) { print_ids = 1; continue; }
        static const char *const takes[] = {"-m", "--model", "-p", "--prompt", "-f", "--file", "--prompt-ids",
            "--dump-logits", "-n", "--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--presence-penalty",
            "--frequency-penalty", "--repeat-last-n", "--seed", "--threads", "--ctx", "--batch", "--stop"};
        int known = 0;
        for (size_t k = 0; k < sizeof takes / sizeof takes[0]; k++) known |= !strcmp(a, takes[k]);
        if (!known) {
            free(stops);
            return mn_cli_usage("generate", a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s' (the prompt goes after -p)", a);
        }
        if (!(val = mn_cli_value("generate", argc, argv, &i))) { free(stops); return 2; }
        const char **prompt_slot = !strcmp(a, "-p") || !strcmp(a, "--prompt") ? &prompt
                                   : !strcmp(a, "-f") || !strcmp(a, "--file") ? &pfile
                                   : !strcmp(a, "--prompt-ids") ? &pids : NULL;
        float x = 0; /* float options: the same ranges as the library's check (mn_gen_begin) */
        if (prompt_slot) {
            if (prompt || pfile || pids) {
                free(stops);
                return mn_cli_usage("generate", "one prompt only: -p, -f or --prompt-ids, once");
            }
            *prompt_slot = val;
        }
        else if (!strcmp(a, "-m") || !strcmp(a, "--model")) model = val;
        else if (!strcmp(a, "--dump-logits")) dump = val;
        else if (!strcmp(a, "--stop")) stops[n_stop++] = val;
        else if (!strcmp(a, "-n")) { if (mn_cli_parse_int(val, 0, INT32_MAX, &v)) range = "0..2147483647"; gp.max_tokens = (uint32_t)v; }
        else if (!strcmp(a, "--top-k")) { if (mn_cli_parse_int(val, 0, INT32_MAX, &v)) range = "an integer >= 0; 0 = off"; gp.sampler.top_k = (int32_t)v; }
        else if (!strcmp(a, "--repeat-last-n")) { if (mn_cli_parse_int(val, -1, INT32_MAX, &v)) range = "-1..2147483647; -1 = all, 0 = off"; gp.sampler.penalty_last_n = (int32_t)v; }
        else if (!strcmp(a, "--seed")) { if (mn_cli_parse_u64(val, &gp.sampler.seed)) range = "an integer 0..18446744073709551615"; }
        else if (!strcmp(a, "--threads")) { if (mn_cli_threads("generate", val, &v)) { free(stops); return 2; } cp.n_threads = (int32_t)v; }
        else if (!strcmp(a, "--ctx")) { if (mn_cli_parse_int(val, 1, 1L << 24, &v)) range = "1..16777216"; cp.n_ctx = (uint32_t)v; }
        else if (!strcmp(a, "--batch")) { if (mn_cli_parse_int(val, 1, 4096, &v)) range = "1..4096"; cp.n_batch = (uint32_t)v; }
        else if (!strcmp(a, "--temp")) { if (mn_cli_parse_float(val, &x) || !(x >= 0)) range = "a number >= 0; 0 = greedy"; gp.sampler.temperature = x; }
        else if (!strcmp(a, "--top-p")) { if (mn_cli_parse_float(val, &x) || !(x >= 0 && x <= 1)) range = "0..1; 1 = off"; gp.sampler.top_p = x; }
        else if (!strcmp(a, "--min-p")) { if (mn_cli_parse_float(val, &x) || !(x >= 0 && x <= 1)) range = "0..1; 0 = off"; gp.sampler.min_p = x; }
        else if (!strcmp(a, "--repeat-penalty")) { if (mn_cli_parse_float(val, &x) || !(x > 0)) range = "a number > 0; 1 = off"; gp.sampler.repeat_penalty = x; }
        else if (!strcmp(a, "--presence-penalty")) { if (mn_cli_parse_float(val, &x)) range = "a finite number; 0 = off"; gp.sampler.presence_penalty = x; }
        else { if (mn_cli_parse_float(val, &x)) range = "a finite number; 0 = off"; gp.sampler.frequency_penalty = x; }
        if (range) { free(stops); return mn_cli_usage("generate", "bad value for %s: '%s' (%s)", a, val, range); }
    }
    if (!model) { free(stops); return mn_cli_usage("generate", "needs -m MODEL.gguf"); }
    gp.stop = stops;
    gp.n_stop = n_stop;

    unsigned char *ptext = NULL;
    size_t plen = 0;
    errno = 0;
    if (pfile && !(ptext = mn_cli_read_file(pfile, &plen))) { free(stops); return mn_cli_fail_read(pfile); }
    int32_t *ids = NULL;
    size_t n_ids = 0;
    if (pids && !(ids = parse_ids(pids, &n_ids))) {
        free(stops);
        return mn_cli_usage("generate", "bad value for --prompt-ids: not a list of token ids (\"1 2 3\")");
    }

    char err[512] = "";
    mn_model *m = NULL;
    mn_ctx *c = NULL;
    int rc = 0;
    double t0 = 0;
    mn_status st = MN_OK;
    {
        t0 = mn_cli_now_ms();
        st = mn_model_load_file(&m, model, load_flags, err, sizeof err);
        if (st != MN_OK) { rc = mn_cli_fail_file(st, model, err); goto done; }
        st = mn_ctx_create(&c, m, &cp, err, sizeof err);
        if (st != MN_OK) { rc = mn_cli_fail(st, "context: %s", err); goto done; }
        char tbuf[16];
        snprintf(tbuf, sizeof tbuf, cp.n_threads ? "%d" : "auto", (int)cp.n_threads);
        char rbuf[48] = "";
        if (mn_model_repacked_bytes(m))
            snprintf(rbuf, sizeof rbuf, ", %.1f MiB of Q4_0 rearranged", (double)mn_model_repacked_bytes(m) / 1048576.0);
        fprintf(stderr, "minnow: %s %s, %zu tokens of context, threads %s%s, loaded in %.1f ms\n", model,
                mn_model_arch(m), mn_ctx_n_ctx(c), tbuf, rbuf, mn_cli_now_ms() - t0);
    }
    if (ids) st = mn_gen_begin_tokens(c, ids, n_ids, &gp);
    else if (ptext) st = mn_gen_begin(c, ptext, plen, &gp);
    else st = mn_gen_begin(c, prompt ? prompt : "", prompt ? strlen(prompt) : 0, &gp);
    if (st != MN_OK) { rc = mn_cli_fail(st, "prompt: %s", mn_ctx_error(c)); goto done; }
    {
        size_t cap = mn_gen_piece_bound(c);
        char *buf = malloc(cap);
        mn_gen_end end = MN_GEN_RUNNING;
        int first = 1, last_nl = 1; /* last_nl: stdout ends a line (nothing written yet counts) */
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
                last_nl = buf[n - 1] == '\n';
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
        /* on a terminal, end the streamed text's line first; a log gets no blank line */
        if (rc == 0 && !print_ids && !last_nl && mn_cli_isatty(stderr) && mn_cli_isatty(stdout)) fprintf(stderr, "\n");
        if (rc == 0) fprintf(stderr, "minnow: %u prompt tokens in %.1f ms, %u generated in %.1f ms (%s)\n",
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
