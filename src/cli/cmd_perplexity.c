/*
 * minnow perplexity -m M.gguf -f TEXT [--ctx C] [--threads N] [--batch B]
 *
 * Windowing (llama.cpp's perplexity tool, so numbers compare): the whole
 * text is tokenized once (with BOS when the model adds one) and cut into
 * non-overlapping windows of C tokens (default 512, at most the training
 * length); each window is evaluated from an empty cache with its first token
 * replaced by BOS (when the model has one), and only the predictions of its
 * second half are scored (positions C/2 .. C-2 predict tokens C/2+1 .. C-1),
 * so every scored token has at least C/2 tokens of context. A tail shorter
 * than C is not scored.
 *
 * --lines: each line is a document (llama2.c's training format for
 * TinyStories): every line is tokenized with BOS first (line breaks, CR
 * included, are not part of the text), the token streams are concatenated
 * and cut into windows of C, and every position of a window is scored (no
 * BOS replacement, no half window of context), as llama2.c computes its
 * validation loss.
 *
 * Output (stdout): perplexity = exp(mean NLL), the mean NLL in nats per
 * token, and bits per byte = total NLL / ln 2 / bytes of text covered by the
 * scored tokens (their byte ranges in the input, from the tokenizer's offsets).
 */
#include "cli/cli.h"
#include "core/mathf.h" /* minnow's exp/log: the same numbers on every target */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void mn_cli_perplexity_options(FILE *f)
{
    fprintf(f, "  -m, --model FILE  the GGUF model\n"
               "  -f, --file FILE   the text (UTF-8)\n"
               "  --ctx C           window length in tokens, 4..16777216 (default 512, at most the training length);\n"
               "                    the text must give at least one full window\n"
               "  --lines           every line is a document with BOS first; every position is scored (llama2.c)\n"
               "  --threads N       1..%d (default: all cores)      --batch B   tokens per forward pass (default 64)\n"
               "Prints perplexity, nats per token and bits per byte on stdout; progress on stderr (a terminal only).\n",
               mn_threads_max());
}

int mn_cmd_perplexity(int argc, char **argv)
{
    const char *model = NULL, *file = NULL;
    mn_ctx_params cp;
    mn_ctx_params_default(&cp);
    long v, window = 512;
    int lines = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (mn_cli_is_help(a)) return mn_cli_help("perplexity");
        if (!strcmp(a, "--lines")) { lines = 1; continue; }
        if (strcmp(a, "-m") && strcmp(a, "--model") && strcmp(a, "-f") && strcmp(a, "--file") && strcmp(a, "--ctx") &&
            strcmp(a, "--threads") && strcmp(a, "--batch"))
            return mn_cli_usage("perplexity", a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
        if (!(val = mn_cli_value("perplexity", argc, argv, &i))) return 2;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model = val;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file")) file = val;
        else if (!strcmp(a, "--ctx")) {
            if (mn_cli_parse_int(val, 4, 1L << 24, &window))
                return mn_cli_usage("perplexity", "bad value for --ctx: '%s' (4..16777216: a window scores its second half)", val);
        } else if (!strcmp(a, "--threads")) {
            if (mn_cli_threads("perplexity", val, &v)) return 2;
            cp.n_threads = (int32_t)v;
        } else {
            if (mn_cli_parse_int(val, 1, 4096, &v)) return mn_cli_usage("perplexity", "bad value for --batch: '%s' (1..4096)", val);
            cp.n_batch = (uint32_t)v;
        }
    }
    if (!model || !file) return mn_cli_usage("perplexity", "needs -m MODEL.gguf and -f TEXT");
    size_t tlen = 0;
    errno = 0;
    unsigned char *text = mn_cli_read_file(file, &tlen);
    if (!text) return mn_cli_fail_read(file);
    char err[512] = "";
    mn_model *m = NULL;
    mn_ctx *c = NULL;
    int32_t *ids = NULL;
    size_t *offs = NULL;
    float *logits = NULL;
    int rc = 0;
    mn_status st = mn_model_load_file(&m, model, 0, err, sizeof err);
    if (st != MN_OK) { rc = mn_cli_fail_file(st, model, err); goto done; }
    if ((size_t)window > mn_model_n_ctx_train(m)) window = (long)mn_model_n_ctx_train(m);
    cp.n_ctx = (uint32_t)window;
    st = mn_ctx_create(&c, m, &cp, err, sizeof err);
    if (st != MN_OK) { rc = mn_cli_fail(st, "context: %s", err); goto done; }
    mn_tokenizer *tok = mn_ctx_tokenizer(c);
    if (!tok) { rc = mn_cli_fail(MN_E_STATE, "%s has no tokenizer", model); goto done; }
    size_t bound = mn_tokenizer_encode_bound(tok, tlen);
    if (mn_is_error(bound)) { rc = mn_cli_fail(mn_error_code(bound), "text too long"); goto done; }
    if (lines) /* per-line calls: room for each line's special tokens too */
        for (size_t i = 0; i < tlen; i++) bound += text[i] == '\n' ? 8 : 0;
    bound += 8;
    ids = malloc((bound + 1) * sizeof *ids);
    offs = malloc((bound + 1) * 2 * sizeof *offs);
    if (!ids || !offs) { rc = mn_cli_fail(MN_E_NOMEM, "out of memory"); goto done; }
    size_t n = 0;
    if (!lines) {
        n = mn_tokenizer_encode_offsets(tok, ids, offs, bound + 1, text, tlen, MN_TOK_ADD_SPECIAL);
        if (mn_is_error(n)) { rc = mn_cli_fail(mn_error_code(n), "tokenize: %s", mn_tokenizer_error(tok)); goto done; }
    } else {
        /* each line on its own, BOS first; offsets shifted to the whole text */
        for (size_t a = 0; a < tlen;) {
            size_t e = a;
            while (e < tlen && text[e] != '\n' && text[e] != '\r') e++;
            if (e > a) {
                size_t k = mn_tokenizer_encode_offsets(tok, ids + n, offs + 2 * n, bound + 1 - n, text + a, e - a,
                                                       MN_TOK_ADD_SPECIAL);
                if (mn_is_error(k)) { rc = mn_cli_fail(mn_error_code(k), "tokenize: %s", mn_tokenizer_error(tok)); goto done; }
                for (size_t j = 0; j < 2 * k; j++) offs[2 * n + j] += a;
                n += k;
            }
            a = e + 1;
        }
    }
    size_t W = (size_t)window, nv = mn_model_n_vocab(m), first = lines ? 0 : W / 2;
    size_t n_win = n / W;
    if (n_win == 0) {
        if (tlen == 0) rc = mn_cli_fail(MN_E_INVALID_ARG, "%s is empty", file);
        else if (n < 4) rc = mn_cli_fail(MN_E_INVALID_ARG, "%s is %zu token%s long: too short to score (a window needs at least 4)", file, n, n == 1 ? "" : "s");
        else rc = mn_cli_fail(MN_E_INVALID_ARG, "%s is %zu tokens long, less than one window of %zu: use --ctx %zu or less", file, n, W, n);
        goto done;
    }
    int32_t bos = mn_model_add_bos(m) ? mn_model_bos(m) : -1;
    size_t B = cp.n_batch ? cp.n_batch : 64;
    logits = malloc(B * nv * sizeof *logits);
    if (!logits) { rc = mn_cli_fail(MN_E_NOMEM, "out of memory"); goto done; }
    double nll = 0.0, t0 = mn_cli_now_ms();
    int tty = mn_cli_isatty(stderr); /* \r progress on a terminal only: a log gets the summary line */
    size_t scored = 0, bytes = 0;
    int32_t *win = malloc(W * sizeof *win);
    if (!win) { rc = mn_cli_fail(MN_E_NOMEM, "out of memory"); goto done; }
    for (size_t w = 0; w < n_win && rc == 0; w++) {
        memcpy(win, ids + w * W, W * sizeof *win);
        if (bos >= 0 && !lines) win[0] = bos;
        mn_ctx_truncate(c, 0);
        for (size_t i = 0; i < W && rc == 0; i += B) {
            size_t b = W - i < B ? W - i : B;
            st = mn_ctx_eval_logits(c, win + i, b, logits, B * nv);
            if (st != MN_OK) { rc = mn_cli_fail(st, "eval: %s", mn_ctx_error(c)); break; }
            for (size_t j = 0; j < b; j++) {
                size_t p = i + j; /* position p predicts token p + 1 */
                if (p < first || p + 1 >= W) continue;
                const float *l = logits + j * nv;
                float mx = l[0];
                for (size_t k = 1; k < nv; k++) if (l[k] > mx) mx = l[k];
                double sum = 0.0;
                for (size_t k = 0; k < nv; k++) sum += mn_exp_d((double)(l[k] - mx));
                int32_t target = win[p + 1];
                nll += (double)mn_logf((float)sum) - (double)(l[target] - mx);
                size_t ti = w * W + p + 1;
                bytes += offs[2 * ti + 1] - offs[2 * ti];
                scored++;
            }
        }
        if (tty) fprintf(stderr, "\rwindow %zu/%zu: ppl %.4f", w + 1, n_win, mn_exp_d(nll / (double)scored));
    }
    free(win);
    if (rc == 0) {
        double secs = (mn_cli_now_ms() - t0) / 1e3;
        if (tty) fprintf(stderr, "\n");
        fprintf(stderr, "%zu tokens, %zu windows of %zu, %zu scored (%zu bytes), %.1f s (%.1f tok/s)\n", n, n_win, W,
                scored, bytes, secs, (double)(n_win * W) / secs);
        printf("perplexity: %.4f\nnats per token: %.4f\nbits per byte: %.4f\n", mn_exp_d(nll / (double)scored),
               nll / (double)scored, bytes ? nll / 0.69314718055994530942 / (double)bytes : 0.0);
    }
done:
    free(logits);
    free(ids);
    free(offs);
    mn_ctx_free(c);
    mn_model_free(m);
    free(text);
    return rc;
}
