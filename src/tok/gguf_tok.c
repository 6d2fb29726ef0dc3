/* gguf_tok.c - the tokenizer stored in a GGUF file (tokenizer.ggml.*), read
 * the way llama.cpp (src/llama-vocab.cpp) reads it, into the neutral
 * description of tok_internal.h.
 *
 * Contract and traps:
 *  - model "llama": SentencePiece BPE. Merges come from the scores (highest
 *    first, leftmost among equal scores) over every token, as llama.cpp's SPM
 *    tokenizer; a char without a token becomes its <0xXX> byte tokens.
 *    A space is prepended to each text piece (start of text, after every
 *    special token) when add_space_prefix (default on), spaces become "▁".
 *    Like llama.cpp and unlike the sentencepiece library, whitespace runs are
 *    NOT collapsed (SentencePiece's remove_extra_whitespaces is not in GGUF).
 *  - model "bert": WordPiece with Hugging Face's BertNormalizer and
 *    BertPreTokenizer (not llama.cpp's simplified WPM preprocessing: the
 *    GGUF must give the ids of the tokenizer.json it came from). llama.cpp's
 *    converter stores word-initial pieces as "▁x" and continuations as "x";
 *    they are mapped back to "x" and "##x" ("[...]" names unchanged).
 *    MN_TOK_ADD_SPECIAL adds CLS (bos/cls id, default 101) and SEP (102).
 *  - model "gpt2": byte-level BPE with tokenizer.ggml.merges; the pre-tokenizer
 *    is chosen by tokenizer.ggml.pre (table below). The scanners follow the
 *    original tokenizer.json regexes, i.e. Hugging Face: (?i:'s) also
 *    matches "'ſ" (U+017F), where llama.cpp's ASCII rewrite of the regex does
 *    not. Unknown or missing pre = MN_E_UNSUPPORTED naming it (llama.cpp's
 *    legacy "default" multi-regex is not implemented).
 *  - token_type CONTROL (3) and UNKNOWN (2) become special added tokens
 *    (matched only with MN_TOK_PARSE_SPECIAL), USER_DEFINED (4) non-special
 *    added tokens (always matched), as llama.cpp's special-token partition;
 *    llama.cpp's by-name fix-ups (EOG/FIM names forced to CONTROL, gpt-oss
 *    channel tokens USER_DEFINED) are applied. Matching is leftmost-longest
 *    (Hugging Face); llama.cpp splits token by token, longest first, which
 *    differs only when two special tokens overlap in the text.
 *  - BOS/EOS (MN_TOK_ADD_SPECIAL) exactly when llama.cpp adds them: defaults
 *    per model/pre (SPM: BOS; gpt2: none, BOS for the llama3 family), then
 *    tokenizer.ggml.add_bos_token / add_eos_token override.
 *  - The mn_gguf handle is only read during the call; nothing points into it
 *    afterwards.
 */
#include "tok/tok_internal.h"
#include "minnow_gguf.h"
#include "core/alloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_ID (-1)

enum { TT_UNDEFINED = 0, TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_USER_DEFINED = 4, TT_UNUSED = 5, TT_BYTE = 6 };

/* tokenizer.ggml.pre -> scanner, as llama.cpp's llm_tokenizer_bpe maps them. */
static const struct pre_map {
    const char *name;
    int split;
    uint8_t ignore_merges, add_bos, no_bos;
} k_pre[] = {
    {"gpt-2", MN_SPLIT_GPT2, 0, 0, 0},        {"phi-2", MN_SPLIT_GPT2, 0, 0, 0},
    {"jina-es", MN_SPLIT_GPT2, 0, 0, 0},      {"jina-de", MN_SPLIT_GPT2, 0, 0, 0},
    {"gigachat", MN_SPLIT_GPT2, 0, 0, 0},     {"jina-v2-es", MN_SPLIT_GPT2, 0, 0, 0},
    {"jina-v2-de", MN_SPLIT_GPT2, 0, 0, 0},   {"a.x-4.0", MN_SPLIT_GPT2, 0, 0, 0},
    {"mellum", MN_SPLIT_GPT2, 0, 0, 0},       {"modern-bert", MN_SPLIT_GPT2, 0, 0, 0},
    {"exaone4", MN_SPLIT_GPT2, 0, 0, 0},      {"mpt", MN_SPLIT_GPT2, 0, 0, 0},
    {"olmo", MN_SPLIT_GPT2, 0, 0, 0},         {"jais", MN_SPLIT_GPT2, 0, 0, 0},
    {"trillion", MN_SPLIT_GPT2, 0, 0, 0},     {"granite-docling", MN_SPLIT_GPT2, 0, 0, 0},
    {"jina-v1-en", MN_SPLIT_GPT2, 0, 0, 0},   {"jina-v2-code", MN_SPLIT_GPT2, 0, 0, 0},
    {"roberta-bpe", MN_SPLIT_GPT2, 0, 0, 0},
    {"llama3", MN_SPLIT_LLAMA3, 1, 1, 0},     {"llama-v3", MN_SPLIT_LLAMA3, 1, 1, 0},
    {"llama-bpe", MN_SPLIT_LLAMA3, 1, 1, 0},  {"falcon3", MN_SPLIT_LLAMA3, 1, 1, 0},
    {"falcon-h1", MN_SPLIT_LLAMA3, 1, 1, 0},  {"pixtral", MN_SPLIT_LLAMA3, 1, 1, 0},
    {"midm-2.0", MN_SPLIT_LLAMA3, 1, 1, 0},   {"lfm2", MN_SPLIT_LLAMA3, 1, 1, 0},
    {"jina-v5-nano", MN_SPLIT_LLAMA3, 1, 1, 0},
    {"dbrx", MN_SPLIT_LLAMA3, 0, 0, 0},       {"smaug-bpe", MN_SPLIT_LLAMA3, 0, 0, 0},
    {"chatglm-bpe", MN_SPLIT_LLAMA3, 0, 0, 1}, {"glm4", MN_SPLIT_LLAMA3, 0, 0, 1},
    {"qwen2", MN_SPLIT_QWEN2, 0, 0, 0},       {"deepseek-r1-qwen", MN_SPLIT_QWEN2, 0, 0, 0},
    {"kormo", MN_SPLIT_QWEN2, 0, 0, 0},       {"f2llmv2", MN_SPLIT_QWEN2, 0, 0, 0},
    {"megrez", MN_SPLIT_QWEN2, 0, 0, 0},      {"stablelm2", MN_SPLIT_QWEN2, 0, 0, 0},
    {"hunyuan", MN_SPLIT_QWEN2, 0, 0, 0},     {"solar-open", MN_SPLIT_QWEN2, 0, 0, 0},
    {"grok-2", MN_SPLIT_QWEN2, 0, 0, 0},
    {"smollm", MN_SPLIT_DIGITS_GPT2, 0, 0, 0}, {"starcoder", MN_SPLIT_DIGITS_GPT2, 0, 0, 0},
    {"refact", MN_SPLIT_DIGITS_GPT2, 0, 0, 0}, {"command-r", MN_SPLIT_DIGITS_GPT2, 0, 0, 0},
    {"codeshell", MN_SPLIT_DIGITS_GPT2, 0, 0, 0}, {"exaone", MN_SPLIT_DIGITS_GPT2, 0, 0, 0},
    {"minerva-7b", MN_SPLIT_DIGITS_GPT2, 0, 0, 0}, {"mellum2", MN_SPLIT_DIGITS_GPT2, 0, 0, 0},
    {"deepseek-v3", MN_SPLIT_DEEPSEEK3, 0, 0, 0}, {"hunyuan-dense", MN_SPLIT_DEEPSEEK3, 0, 0, 0},
    {"hy_v4", MN_SPLIT_DEEPSEEK3, 0, 0, 0},     {"joyai-llm", MN_SPLIT_DEEPSEEK3, 0, 0, 0},
    /* llama.cpp rewrites these two regexes ((?=[\p{L}])[^a-z] for the case classes), which differs
     * from them on marks and some non-ASCII letters: the originals here (docs/tokenizers.md) */
    {"gpt-4o", MN_SPLIT_O200K, 0, 0, 0},       {"llama4", MN_SPLIT_O200K, 0, 0, 0},
    {"kanana2", MN_SPLIT_O200K, 0, 0, 0},      {"talkie", MN_SPLIT_O200K, 0, 0, 0},
    {"minimax-m2", MN_SPLIT_O200K, 0, 0, 0},   {"tekken", MN_SPLIT_TEKKEN, 1, 1, 0},
};

/* Token texts llama.cpp treats as control even when typed NORMAL (its
 * end-of-generation and fill-in-the-middle name lists). */
static const char *const k_force_control[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
    "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
    "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
    "[e~[",
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>", "<PRE>",
    "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>",
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81hole\xEF\xBD\x9C>", "<SUF>",
    "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>",
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>", "<MID>",
    "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>",
    "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
    "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<|file_sep|>",
};
/* gpt-oss: always rendered, so user-defined. */
static const char *const k_force_user[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"};
#define N_FORCE_CONTROL (sizeof k_force_control / sizeof k_force_control[0])
#define N_FORCE_USER (sizeof k_force_user / sizeof k_force_user[0])

typedef struct gl {
    mn_tokenizer *t;
    mn_gguf *g;
    size_t n;              /* tokens */
    const char **str;      /* token texts (borrowed from g) */
    size_t *len;
    int32_t *type;         /* token_type per token */
    float *score;
    char *empties;         /* "[EMPTY_i]" names */
} gl;

static int bad(gl *L, int code, const char *what, const char *detail)
{
    return mn_err_set(&L->t->err, code, "GGUF tokenizer: %s%s%s", what, detail ? " " : "", detail ? detail : "");
}

static int find(gl *L, const char *key, size_t *kid)
{
    return mn_gguf_find_key(L->g, key, kid) == MN_OK;
}

/* Optional string key: (s, l) set, or s = NULL if absent. */
static int get_str(gl *L, const char *key, const char **s, size_t *l)
{
    size_t kid;
    *s = NULL;
    *l = 0;
    if (!find(L, key, &kid)) return MN_OK;
    if (mn_gguf_get_str(L->g, kid, s, l)) return bad(L, MN_E_GGUF_KEY_TYPE, key, "is not a string");
    return MN_OK;
}

static void get_bool(gl *L, const char *key, int *v)
{
    size_t kid;
    int b;
    if (find(L, key, &kid) && mn_gguf_get_bool(L->g, kid, &b) == MN_OK) *v = b;
}

/* A special token id key: kept only if in range (else the default stays, as llama.cpp). */
static void get_id(gl *L, const char *key, int32_t *id)
{
    size_t kid;
    uint32_t v;
    if (*id >= 0 && (size_t)*id >= L->n) *id = NO_ID;
    if (find(L, key, &kid) && mn_gguf_get_u32(L->g, kid, &v) == MN_OK && v < L->n) *id = (int32_t)v;
}

static int str_is(const gl *L, size_t i, const char *s)
{
    size_t n = strlen(s);
    return L->len[i] == n && !memcmp(L->str[i], s, n);
}

static int read_tokens(gl *L)
{
    size_t kid, n;
    int et;
    if (!find(L, "tokenizer.ggml.tokens", &kid)) return bad(L, MN_E_GGUF_KEY_MISSING, "no tokenizer.ggml.tokens", NULL);
    if (mn_gguf_get_arr_info(L->g, kid, &et, &n) || et != MN_GGUF_STRING)
        return bad(L, MN_E_GGUF_KEY_TYPE, "tokenizer.ggml.tokens", "is not an array of strings");
    if (n == 0 || n > (size_t)INT32_MAX) return bad(L, MN_E_CORRUPT, "tokenizer.ggml.tokens", "has no tokens");
    L->n = n;
    L->str = mn_calloc_array(n, sizeof *L->str);
    L->len = mn_calloc_array(n, sizeof *L->len);
    L->type = mn_calloc_array(n, sizeof *L->type);
    L->score = mn_calloc_array(n, sizeof *L->score);
    if (!L->str || !L->len || !L->type || !L->score) return bad(L, MN_E_NOMEM, "out of memory", NULL);
    for (size_t i = 0; i < n; i++) {
        if (mn_gguf_get_arr_str(L->g, kid, i, &L->str[i], &L->len[i]))
            return bad(L, MN_E_CORRUPT, "tokenizer.ggml.tokens", "unreadable");
        if (!mn_utf8_valid((const unsigned char *)L->str[i], L->len[i]))
            return mn_err_set(&L->t->err, MN_E_CORRUPT, "GGUF tokenizer: token %zu is not valid UTF-8", i);
        L->type[i] = TT_NORMAL;
    }
    /* scores: f32 or i32 */
    if (find(L, "tokenizer.ggml.scores", &kid)) {
        size_t ns;
        if (mn_gguf_get_arr_info(L->g, kid, &et, &ns) || (et != MN_GGUF_F32 && et != MN_GGUF_I32))
            return bad(L, MN_E_GGUF_KEY_TYPE, "tokenizer.ggml.scores", "is not an f32 or i32 array");
        if (ns < n) return bad(L, MN_E_CORRUPT, "tokenizer.ggml.scores", "is shorter than the token list");
        for (size_t i = 0; i < n; i++) {
            if (et == MN_GGUF_F32) mn_gguf_get_arr_f32(L->g, kid, i, &L->score[i]);
            else { int32_t v = 0; mn_gguf_get_arr_i32(L->g, kid, i, &v); L->score[i] = (float)v; }
        }
    }
    if (find(L, "tokenizer.ggml.token_type", &kid)) {
        size_t nt;
        if (mn_gguf_get_arr_info(L->g, kid, &et, &nt) || et != MN_GGUF_I32)
            return bad(L, MN_E_GGUF_KEY_TYPE, "tokenizer.ggml.token_type", "is not an i32 array");
        if (nt < n) return bad(L, MN_E_CORRUPT, "tokenizer.ggml.token_type", "is shorter than the token list");
        for (size_t i = 0; i < n; i++) {
            int32_t v = 0;
            mn_gguf_get_arr_i32(L->g, kid, i, &v);
            L->type[i] = v >= TT_NORMAL && v <= TT_BYTE ? v : TT_UNDEFINED;
        }
    }
    /* llama.cpp's by-name fix-ups. Most tokens cannot be one of the ~60 names:
     * a token shorter than 64 bytes is compared only if some name has its
     * first byte and length, which keeps this step from costing more than the
     * rest of the build on large vocabularies (longer ones are compared). */
    uint64_t may[256] = {0};
    for (size_t k = 0; k < N_FORCE_CONTROL + N_FORCE_USER; k++) {
        const char *s = k < N_FORCE_CONTROL ? k_force_control[k] : k_force_user[k - N_FORCE_CONTROL];
        size_t l = strlen(s);
        if (l < 64) may[(unsigned char)s[0]] |= (uint64_t)1 << l;
    }
    for (size_t i = 0; i < n; i++) {
        if (L->len[i] == 0 || (L->len[i] < 64 && !(may[(unsigned char)L->str[i][0]] >> L->len[i] & 1))) continue;
        for (size_t k = 0; k < N_FORCE_CONTROL; k++)
            if (str_is(L, i, k_force_control[k]) && L->type[i] != TT_CONTROL && L->type[i] != TT_UNKNOWN) L->type[i] = TT_CONTROL;
        for (size_t k = 0; k < N_FORCE_USER; k++)
            if (str_is(L, i, k_force_user[k])) L->type[i] = TT_USER_DEFINED;
    }
    return MN_OK;
}

/* Vocabulary: texts as stored ("[EMPTY_i]" for an empty one, as llama.cpp). */
static int set_vocab(gl *L)
{
    size_t n = L->n, n_empty = 0;
    int32_t *ids = mn_calloc_array(n, sizeof *ids);
    int rc = MN_OK;
    if (!ids) return bad(L, MN_E_NOMEM, "out of memory", NULL);
    for (size_t i = 0; i < n; i++) n_empty += L->len[i] == 0;
    if (n_empty && !(L->empties = mn_calloc_array(n_empty, 24))) { free(ids); return bad(L, MN_E_NOMEM, "out of memory", NULL); }
    n_empty = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int32_t)i;
        if (!L->len[i]) {
            char *e = L->empties + 24 * n_empty++;
            L->len[i] = (size_t)snprintf(e, 24, "[EMPTY_%zu]", i);
            L->str[i] = e;
        }
    }
    rc = mn_tok_set_vocab(L->t, n, ids, L->str, L->len);
    free(ids);
    return rc;
}

static int add_specials(gl *L)
{
    for (size_t i = 0; i < L->n; i++) {
        int ty = L->type[i];
        if (ty != TT_CONTROL && ty != TT_UNKNOWN && ty != TT_USER_DEFINED) continue;
        int rc = mn_tok_add_added(L->t, (int32_t)i, L->str[i], L->len[i], ty != TT_USER_DEFINED, 0, 0, 0, 0);
        if (rc) return rc;
    }
    return MN_OK;
}

static int load_merges(gl *L)
{
    size_t kid, n;
    int et;
    if (!find(L, "tokenizer.ggml.merges", &kid)) return bad(L, MN_E_GGUF_KEY_MISSING, "model gpt2 without tokenizer.ggml.merges", NULL);
    if (mn_gguf_get_arr_info(L->g, kid, &et, &n) || et != MN_GGUF_STRING)
        return bad(L, MN_E_GGUF_KEY_TYPE, "tokenizer.ggml.merges", "is not an array of strings");
    if (n > UINT32_MAX) return bad(L, MN_E_UNSUPPORTED, "too many merges", NULL);
    int rc = mn_tok_merges_reserve(L->t, n);
    for (size_t i = 0; i < n && !rc; i++) {
        const char *s;
        size_t l;
        if (mn_gguf_get_arr_str(L->g, kid, i, &s, &l)) return bad(L, MN_E_CORRUPT, "tokenizer.ggml.merges", "unreadable");
        /* "a b", split at the first space after the first byte (llama.cpp: find(' ', 1)) */
        const char *sp = l > 1 ? memchr(s + 1, ' ', l - 1) : NULL;
        if (!sp) return mn_err_set(&L->t->err, MN_E_CORRUPT, "GGUF tokenizer: merge %zu is not \"a b\"", i);
        rc = mn_tok_add_merge(L->t, s, (size_t)(sp - s), sp + 1, l - (size_t)(sp - s) - 1, (uint32_t)i);
    }
    return rc;
}

/* model "bert": WordPiece as Hugging Face's bert tokenizer.json. */
static int load_wordpiece(gl *L)
{
    mn_tokenizer *t = L->t;
    size_t n = L->n, phantom = 0, hashes = 0;
    for (size_t i = 0; i < n; i++) {
        phantom += L->len[i] > 3 && !memcmp(L->str[i], "\xE2\x96\x81", 3);
        hashes += L->len[i] > 2 && !memcmp(L->str[i], "##", 2);
    }
    /* llama.cpp's converter writes "▁word" / "piece"; older files keep "word" / "##piece" */
    char *buf = NULL;
    int rc = MN_OK;
    if (phantom > hashes) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) total += L->len[i] + 2;
        if (!(buf = malloc(total + 1))) return bad(L, MN_E_NOMEM, "out of memory", NULL);
        char *o = buf;
        for (size_t i = 0; i < n; i++) {
            const char *s = L->str[i];
            size_t l = L->len[i];
            int name = l >= 2 && s[0] == '[' && s[l - 1] == ']';
            if (name || l == 0) continue;
            if (l > 3 && !memcmp(s, "\xE2\x96\x81", 3)) { L->str[i] = s + 3; L->len[i] = l - 3; continue; }
            memcpy(o, "##", 2);
            memcpy(o + 2, s, l);
            L->str[i] = o;
            L->len[i] = l + 2;
            o += l + 2;
        }
    }
    t->model = MN_TOKM_WORDPIECE;
    int32_t cls = 101, sep = 102, unk = 100;
    int lower = 1, strip;
    get_id(L, "tokenizer.ggml.cls_token_id", &cls);
    get_id(L, "tokenizer.ggml.bos_token_id", &cls);
    get_id(L, "tokenizer.ggml.seperator_token_id", &sep);
    get_id(L, "tokenizer.ggml.unknown_token_id", &unk);
    get_bool(L, "tokenizer.ggml.normalizer.lowercase", &lower);
    strip = lower;
    get_bool(L, "tokenizer.ggml.normalizer.strip_accents", &strip);
    if (cls == NO_ID || sep == NO_ID || unk == NO_ID) rc = bad(L, MN_E_CORRUPT, "bert vocabulary without CLS, SEP or UNK ids", NULL);
    if (!rc) rc = set_vocab(L);
    free(buf);
    if (rc) return rc;
    memcpy(t->wp_prefix, "##", 2);
    t->wp_prefix_len = 2;
    t->wp_max_chars = 100;
    t->unk_id = unk;
    t->split = MN_SPLIT_BERT;
    if ((rc = mn_tok_add_norm(t, MN_NORM_STEP_BERT_CLEAN, NULL, 0, NULL, 0)) ||
        (rc = mn_tok_add_norm(t, MN_NORM_STEP_BERT_CJK, NULL, 0, NULL, 0)) ||
        (strip && (rc = mn_tok_add_norm(t, MN_NORM_STEP_NFD, NULL, 0, NULL, 0))) ||
        (strip && (rc = mn_tok_add_norm(t, MN_NORM_STEP_STRIP_MN, NULL, 0, NULL, 0))) ||
        (lower && (rc = mn_tok_add_norm(t, MN_NORM_STEP_LOWER, NULL, 0, NULL, 0))) ||
        (rc = mn_tok_add_dec(t, MN_DEC_WORDPIECE, "##", 2, NULL, 0, 1, 0)) || (rc = add_specials(L)))
        return rc;
    t->prefix[t->n_prefix++] = cls;
    t->suffix[t->n_suffix++] = sep;
    return MN_OK;
}

static int load(gl *L)
{
    mn_tokenizer *t = L->t;
    const char *model, *pre;
    size_t ml, pl;
    int rc;
    if ((rc = get_str(L, "tokenizer.ggml.model", &model, &ml))) return rc;
    if (!model) return bad(L, MN_E_GGUF_KEY_MISSING, "no tokenizer.ggml.model", NULL);
    if ((rc = get_str(L, "tokenizer.ggml.pre", &pre, &pl))) return rc;
    char mname[64], pname[64];
    snprintf(mname, sizeof mname, "%.*s", (int)(ml < 63 ? ml : 63), model);
    snprintf(pname, sizeof pname, "%.*s", (int)(pl < 63 ? pl : 63), pre ? pre : "");
    int spm = !strcmp(mname, "llama"), bpe = !strcmp(mname, "gpt2"), wpm = !strcmp(mname, "bert");
    if (!spm && !bpe && !wpm)
        return mn_err_set(&t->err, MN_E_UNSUPPORTED, "GGUF tokenizer: unsupported tokenizer.ggml.model \"%s\"", mname);
    if (wpm) {
        if ((rc = read_tokens(L))) return rc;
        return load_wordpiece(L);
    }
    const struct pre_map *pm = NULL;
    if (bpe) {
        if (!pre) return bad(L, MN_E_UNSUPPORTED, "no tokenizer.ggml.pre (llama.cpp's legacy \"default\" pre-tokenizer) is not supported", NULL);
        for (size_t i = 0; i < sizeof k_pre / sizeof k_pre[0] && !pm; i++)
            if (strlen(k_pre[i].name) == pl && !memcmp(k_pre[i].name, pre, pl)) pm = &k_pre[i];
        if (!pm) return mn_err_set(&t->err, MN_E_UNSUPPORTED, "GGUF tokenizer: unsupported tokenizer.ggml.pre \"%s\"", pname);
    }
    if ((rc = read_tokens(L))) return rc;

    /* defaults of llama_vocab::impl::load, then the keys */
    int32_t bos = spm ? 1 : 11, eos = spm ? 2 : 11, unk = spm ? 0 : NO_ID;
    int add_bos = spm ? 1 : pm->add_bos, add_eos = 0, add_space_prefix = spm;
    if (pm && pm->no_bos) bos = NO_ID;
    get_bool(L, "tokenizer.ggml.add_space_prefix", &add_space_prefix);
    get_id(L, "tokenizer.ggml.bos_token_id", &bos);
    get_id(L, "tokenizer.ggml.eos_token_id", &eos);
    get_id(L, "tokenizer.ggml.unknown_token_id", &unk);
    get_bool(L, "tokenizer.ggml.add_bos_token", &add_bos);
    get_bool(L, "tokenizer.ggml.add_eos_token", &add_eos);
    if (add_bos && bos == NO_ID) return bad(L, MN_E_CORRUPT, "add_bos_token is true, but there is no bos_token_id", NULL);
    if (add_eos && eos == NO_ID) return bad(L, MN_E_CORRUPT, "add_eos_token is true, but there is no eos_token_id", NULL);

    t->model = MN_TOKM_BPE;
    t->byte_level = bpe;
    if ((rc = set_vocab(L))) return rc;
    t->unk_id = unk;
    if (spm) {
        /* text: " " + piece, " " -> "▁" (llama_escape_whitespace) */
        if (add_space_prefix && (rc = mn_tok_add_norm(t, MN_NORM_STEP_PREPEND, "\xE2\x96\x81", 3, NULL, 0))) return rc;
        if ((rc = mn_tok_add_norm(t, MN_NORM_STEP_REPLACE, " ", 1, "\xE2\x96\x81", 3))) return rc;
        if ((rc = mn_tok_score_merges(t, L->score, NULL))) return rc;
        t->byte_fallback = 1;
        t->fuse_unk = 1;
        for (unsigned b = 0; b < 256; b++) {
            static const char hx[] = "0123456789ABCDEF";
            char s[6] = {'<', '0', 'x', hx[b >> 4], hx[b & 15], '>'};
            char c = (char)b;
            t->byte_id[b] = mn_tok_vocab_find(t, s, 6);
            if (t->byte_id[b] < 0 && b < 0x80) t->byte_id[b] = mn_tok_vocab_find(t, &c, 1); /* llama.cpp's fallback */
        }
        if ((rc = mn_tok_add_dec(t, MN_DEC_REPLACE, "\xE2\x96\x81", 3, " ", 1, 0, 0)) ||
            (rc = mn_tok_add_dec(t, MN_DEC_BYTE_FALLBACK, NULL, 0, NULL, 0, 0, 0)) ||
            (rc = mn_tok_add_dec(t, MN_DEC_FUSE, NULL, 0, NULL, 0, 0, 0)))
            return rc;
        if (add_space_prefix && (rc = mn_tok_add_dec(t, MN_DEC_STRIP, " ", 1, NULL, 0, 1, 0))) return rc;
    } else {
        t->split = pm->split;
        t->ignore_merges = pm->ignore_merges;
        if ((rc = load_merges(L))) return rc;
        for (unsigned b = 0; b < 256; b++) {
            char c = (char)b;
            t->byte_id[b] = mn_tok_vocab_find(t, &c, 1);
        }
        if ((rc = mn_tok_add_dec(t, MN_DEC_BYTELEVEL, NULL, 0, NULL, 0, 0, 0))) return rc;
    }
    if ((rc = add_specials(L))) return rc;
    if (add_bos) t->prefix[t->n_prefix++] = bos;
    if (add_eos) t->suffix[t->n_suffix++] = eos;
    return MN_OK;
}

int mn_tok_load_gguf(mn_tokenizer *t, struct mn_gguf *g)
{
    gl L;
    memset(&L, 0, sizeof L);
    L.t = t;
    L.g = g;
    int rc = load(&L);
    free(L.str);
    free(L.len);
    free(L.type);
    free(L.score);
    free(L.empties);
    return rc;
}
