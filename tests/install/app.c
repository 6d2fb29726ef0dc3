/* A user's program against the installed tree (scripts/check-install): only
 * the public headers, linked through pkg-config, statically and shared.
 * Greedy from BOS on stories260K must give the story llama2.c publishes;
 * then a few contract checks a user meets first. Prints "N passed, M failed". */
#include <minnow.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

typedef struct acc { char text[2048]; size_t len; } acc;

static int on_piece(void *user, const char *piece, size_t len, int32_t token)
{
    acc *a = user;
    (void)token;
    if (a->len + len < sizeof a->text) { memcpy(a->text + a->len, piece, len); a->len += len; }
    return 0;
}

int main(int argc, char **argv)
{
    static const char story[] = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
    char err[256] = "";
    if (argc != 2) { fprintf(stderr, "usage: app stories260K.gguf\n"); return 2; }
    CHECK(mn_version_number() == MN_VERSION_NUMBER);
    mn_model *m = NULL;
    CHECK(mn_model_load_file(NULL, argv[1], 0, err, sizeof err) == MN_E_INVALID_ARG && err[0]);
    mn_status st = mn_model_load_file(&m, argv[1], 0, err, sizeof err);
    CHECK(st == MN_OK);
    if (st != MN_OK) { fprintf(stderr, "load: %s (%s)\n", err, mn_status_name(st)); return 1; }
    mn_ctx_params cp;
    mn_ctx_params_default(&cp);
    cp.n_ctx = 256;
    cp.n_threads = 2;
    size_t need = mn_model_ctx_bytes(m, &cp);
    CHECK(!mn_is_error(need) && need > 0);
    mn_ctx *c = NULL;
    CHECK(mn_ctx_create(&c, m, &cp, err, sizeof err) == MN_OK);
    mn_gen_params gp;
    mn_gen_params_default(&gp);
    gp.sampler.temperature = 0;
    gp.max_tokens = 40;
    acc a = {{0}, 0};
    mn_gen_end end = MN_GEN_RUNNING;
    CHECK(c && mn_generate(c, "", 0, &gp, on_piece, &a, &end) == MN_OK);
    CHECK(end == MN_GEN_END_MAX_TOKENS);
    CHECK(a.len >= sizeof story - 1 && !memcmp(a.text, story, sizeof story - 1));
    /* the context's tokenizer; a bad sampler parameter names itself */
    int32_t ids[16];
    size_t n = mn_tokenizer_encode(mn_ctx_tokenizer(c), ids, 16, "Lily", 4, MN_TOK_ADD_SPECIAL);
    CHECK(!mn_is_error(n) && n >= 2 && ids[0] == mn_model_bos(m));
    gp.sampler.repeat_penalty = 0;
    CHECK(mn_gen_begin(c, "x", 1, &gp) == MN_E_INVALID_ARG && strstr(mn_ctx_error(c), "repeat_penalty"));
    mn_ctx_free(c);
    mn_model_free(m);
    printf("install: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
