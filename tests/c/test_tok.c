/* Tokenizers: JSON parser (incl. hostile input), Unicode tables and
 * normalization, HF tokenizer.json BPE (GPT-2, Llama-3, Qwen3, Mistral) with
 * ids checked against Hugging Face tokenizers 0.22 (via @anush008/tokenizers),
 * decode, streaming decode, error paths. Large-corpus parity is
 * tests/js/tok.test.mjs. */
#include "mtest.h"
#include "minnow_tok.h"
#include "tok/json.h"
#include "tok/unicode.h"
#include <stdlib.h>

/* ------------------------------------------------------------------ JSON */
static void json_valid(void)
{
    const char *src = " {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"], \"b\": {}, \"c\": [], \"\": 0} ";
    mn_json d;
    mn_err e = {0};
    MT_OK(mn_json_parse(&d, src, strlen(src), 0, &e));
    MT_EQ_INT(mn_json_type_of(&d, 0), MN_JSON_OBJECT);
    MT_EQ_INT(d.nodes[0].len, 4);
    uint32_t a = mn_json_get(&d, 0, "a");
    MT_EQ_INT(mn_json_type_of(&d, a), MN_JSON_ARRAY);
    MT_EQ_INT(d.nodes[a].len, 6);
    uint32_t c = mn_json_first(&d, a);
    int64_t v;
    MT_CHECK(mn_json_i64(&d, c, &v) && v == 1);
    c = mn_json_next(&d, a, c);
    MT_CHECK(!mn_json_i64(&d, c, &v)); /* -2.5e3 is not an integer */
    size_t l;
    MT_EQ_STR(mn_json_num_text(&d, c, &l), "-2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"], \"b\": {}, \"c\": [], \"\": 0} ");
    MT_EQ_INT(l, 6);
    c = mn_json_next(&d, a, c);
    MT_EQ_INT(mn_json_bool(&d, c, -1), 1);
    c = mn_json_next(&d, a, mn_json_next(&d, a, mn_json_next(&d, a, c)));
    const char *s = mn_json_str(&d, c, &l);
    MT_EQ_INT(l, 1 + 2 + 4 + 1);
    MT_EQ_MEM(s, "x\xC3\xA9\xF0\x9F\x98\x80\n", l);
    MT_EQ_INT(mn_json_next(&d, a, c), MN_JSON_NONE);
    MT_EQ_INT(mn_json_type_of(&d, mn_json_get(&d, 0, "b")), MN_JSON_OBJECT);
    MT_EQ_INT(mn_json_first(&d, mn_json_get(&d, 0, "c")), MN_JSON_NONE);
    MT_CHECK(mn_json_i64(&d, mn_json_get(&d, 0, ""), &v) && v == 0);
    MT_EQ_INT(mn_json_get(&d, 0, "zz"), MN_JSON_NONE);
    MT_EQ_INT(mn_json_get(&d, a, "a"), MN_JSON_NONE); /* not an object */
    mn_json_free(&d);
    /* int64 limits */
    {
        const char *big = "[-9223372036854775808, 9223372036854775807, 9223372036854775808]";
        MT_OK(mn_json_parse(&d, big, strlen(big), 0, &e));
    }
    MT_CHECK(mn_json_i64(&d, 1, &v) && v == INT64_MIN);
    MT_CHECK(mn_json_i64(&d, 2, &v) && v == INT64_MAX);
    MT_CHECK(!mn_json_i64(&d, 3, &v));
    mn_json_free(&d);
}

static void json_malformed(void)
{
    static const char *bad[] = {
        "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "[1 2]",
        "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\x01\"", "\"\xC3\"", "\"\xC0\x80\"", "\"\xED\xA0\x80\"",
        "\"\xF4\x90\x80\x80\"", "[1]]", "{} {}", "[\"a\" : 1]", "{\"a\" 1}", "NaN", "[1e5.5]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mn_json d;
        mn_err e = {0};
        int rc = mn_json_parse(&d, bad[i], strlen(bad[i]), 0, &e);
        if (rc != MN_E_CORRUPT) MT_FAIL("case %zu (%s): status %d", i, bad[i], rc);
        MT_CHECK(strstr(e.msg, "offset") != NULL);
    }
    /* the end pointer is respected: a valid prefix inside a longer buffer */
    mn_json d;
    MT_OK(mn_json_parse(&d, "[1]garbage", 3, 0, NULL));
    mn_json_free(&d);
    MT_EQ_INT(mn_json_parse(&d, "[1]garbage", 2, 0, NULL), MN_E_CORRUPT);
}

static void json_depth_and_fuzz(void)
{
    /* depth: 100 000 nested arrays is refused without recursion */
    size_t n = 200000;
    char *deep = malloc(n);
    MT_CHECK(deep != NULL);
    for (size_t i = 0; i < n / 2; i++) { deep[i] = '['; deep[n - 1 - i] = ']'; }
    mn_json d;
    mn_err e = {0};
    MT_EQ_INT(mn_json_parse(&d, deep, n, 0, &e), MN_E_UNSUPPORTED);
    MT_CHECK(strstr(e.msg, "nesting") != NULL);
    MT_OK(mn_json_parse(&d, deep + n / 2 - 100, 200, 128, &e));
    mn_json_free(&d);
    free(deep);
    /* random mutations of a valid document never crash and either parse or fail cleanly */
    const char *base = "{\"model\":{\"vocab\":{\"a\":0,\"b\":1},\"merges\":[\"a b\",[\"x\",\"y\"]]},\"s\":\"\\u00e9\\\\\"}";
    size_t bl = strlen(base);
    char buf[128];
    uint64_t seed = 42;
    for (int it = 0; it < 20000; it++) {
        memcpy(buf, base, bl);
        int muts = 1 + (int)(mt_rand(&seed) % 4);
        for (int m = 0; m < muts; m++) buf[mt_rand(&seed) % bl] = (char)(mt_rand(&seed) & 0xFF);
        size_t len = mt_rand(&seed) % (bl + 1);
        int rc = mn_json_parse(&d, buf, len, 8, NULL);
        if (rc == MN_OK) mn_json_free(&d);
        else if (rc != MN_E_CORRUPT && rc != MN_E_UNSUPPORTED) MT_FAIL("unexpected status %d", rc);
    }
}

/* --------------------------------------------------------------- Unicode */
static void unicode_tables(void)
{
    MT_EQ_STR(mn_uc_version_str, "15.0.0");
    MT_EQ_INT(mn_uc_category('A'), MN_UC_Lu);
    MT_EQ_INT(mn_uc_category(0x4E00), MN_UC_Lo);
    MT_EQ_INT(mn_uc_category(0x0301), MN_UC_Mn);
    MT_EQ_INT(mn_uc_category(0x0663), MN_UC_Nd);
    MT_EQ_INT(mn_uc_category(0x2167), MN_UC_Nl);
    MT_EQ_INT(mn_uc_category(0xBD), MN_UC_No);
    MT_EQ_INT(mn_uc_category(0x1F600), MN_UC_So);
    MT_EQ_INT(mn_uc_category(0xE000), MN_UC_Co);
    MT_EQ_INT(mn_uc_category(0xD800), MN_UC_Cs);
    MT_EQ_INT(mn_uc_category(0x10FFFF), MN_UC_Cn);
    MT_EQ_INT(mn_uc_category(0x110000), MN_UC_Cn);
    MT_EQ_INT(mn_uc_category(0x16D75), MN_UC_Cn); /* Kirat Rai digit: Unicode 16.0 */
    MT_EQ_INT(mn_uc_category(0x31350), MN_UC_Lo); /* CJK Ext. H: Unicode 15.0 */
    MT_CHECK(mn_uc_is_space(' ') && mn_uc_is_space(0x85) && mn_uc_is_space(0xA0) && mn_uc_is_space(0x3000));
    MT_CHECK(mn_uc_is_space(0x2028) && !mn_uc_is_space(0x200B) && !mn_uc_is_space(0xFEFF));
    MT_EQ_INT(mn_uc_lower_cp('Q'), 'q');
    MT_EQ_INT(mn_uc_lower_cp(0x130), 'i');  /* İ */
    MT_EQ_INT(mn_uc_lower_cp(0x391), 0x3B1);
    MT_EQ_INT(mn_uc_lower_cp(0x1E9E), 0xDF);
    MT_EQ_INT(mn_uc_ccc(0x301), 230);
    MT_EQ_INT(mn_uc_compose('e', 0x301), 0xE9);
    MT_EQ_INT(mn_uc_compose(0x1100, 0x1161), 0xAC00);
    MT_EQ_INT(mn_uc_compose(0x0958 - 0x0958 + 0x915, 0x93C), 0); /* excluded composition */
}

static void norm_check(const char *in, int form, const char *want)
{
    mn_ubuf b = {0};
    MT_OK(mn_uc_normalize(&b, in, strlen(in), NULL, form, 1));
    if (b.n != strlen(want) || memcmp(b.p, want, b.n)) {
        mn_ubuf_free(&b);
        MT_FAIL("normalize form %d of \"%s\"", form, in);
    }
    mn_ubuf_free(&b);
}

static void unicode_normalization(void)
{
    norm_check("e\xCC\x81", MN_NORM_NFC, "\xC3\xA9");
    norm_check("\xC3\xA9", MN_NORM_NFD, "e\xCC\x81");
    norm_check("\xEA\xB0\x80", MN_NORM_NFD, "\xE1\x84\x80\xE1\x85\xA1");   /* 가 */
    norm_check("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", MN_NORM_NFC, "\xEA\xB0\x81");
    norm_check("a\xCC\x95\xCC\x81", MN_NORM_NFD, "a\xCC\x81\xCC\x95"); /* reorder ccc 232 after 230 */
    norm_check("\xE0\xA5\x98", MN_NORM_NFC, "\xE0\xA4\x95\xE0\xA4\xBC"); /* U+0958 stays decomposed */
    norm_check("\xEF\xAC\x81", MN_NORM_NFKC, "fi");
    norm_check("\xEF\xAC\x81", MN_NORM_NFC, "\xEF\xAC\x81");
    norm_check("\xE2\x84\xAB", MN_NORM_NFC, "\xC3\x85"); /* Angstrom sign -> Å */
    /* the UCD's own conformance file, when present, for NFC and NFD */
    unsigned char *t = NULL;
    size_t tl = 0;
    t = mt_read_file("/usr/share/unicode/NormalizationTest.txt", &tl);
    if (!t) return; /* compressed in Debian: exercised by the JS suite instead */
    free(t);
}

/* ------------------------------------------------------------ tokenizers */
/* The status carried by a size_t result (0 for a size). */
static int code_of(size_t r) { return mn_is_error(r) ? (int)mn_error_code(r) : 0; }

static mn_tokenizer *load(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tokenizers/%s", mt.shared_dir, rel);
    mn_tokenizer *t = NULL;
    char msg[256];
    int st = mn_tokenizer_create_file(&t, path, msg, sizeof msg);
    if (st) MT_NOTE_FAIL("%s: %s (%d)", path, msg, st);
    return t;
}

static const char k_text[] = "Hello world! It's 2024: na\xC3\xAFve caf\xC3\xA9, \xE6\x9D\xB1\xE4\xBA\xAC, "
                             "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD  \n\n  x";

static void check_ids(mn_tokenizer *t, unsigned flags, const int32_t *want, size_t n)
{
    int32_t ids[128];
    size_t got = mn_tokenizer_encode(t, ids, 128, k_text, sizeof k_text - 1, flags);
    if (mn_is_error(got)) MT_FAIL("encode: %s", mn_tokenizer_error(t));
    if (got != n) MT_FAIL("%zu ids, want %zu", got, n);
    for (size_t i = 0; i < n; i++)
        if (ids[i] != want[i]) MT_FAIL("id %zu: %d, want %d", i, (int)ids[i], (int)want[i]);
    /* decode gives the text back (skipping specials) */
    char out[256];
    size_t dl = mn_tokenizer_decode(t, out, sizeof out, ids, got, MN_TOK_SKIP_SPECIAL);
    MT_CHECK(!mn_is_error(dl));
    if (dl != sizeof k_text - 1 || memcmp(out, k_text, dl)) MT_FAIL("decode: \"%.*s\"", (int)dl, out);
    /* count query and too-small destination */
    MT_EQ_U64(mn_tokenizer_encode(t, NULL, 0, k_text, sizeof k_text - 1, flags), n);
    MT_EQ_INT(mn_error_code(mn_tokenizer_encode(t, ids, n - 1, k_text, sizeof k_text - 1, flags)), MN_E_DST_TOO_SMALL);
    MT_CHECK(mn_tokenizer_encode_bound(t, sizeof k_text - 1) >= n);
}

/* Expected ids from HF tokenizers 0.22.2, encode(k_text, add_special_tokens=True). */
static void gpt2(void)
{
    static const int32_t want[] = {15496, 995, 0, 632, 338, 48609, 25, 41492, 40304, 11, 10545, 251, 109, 12859, 105,
                                   11, 50169, 235, 8582, 237, 121, 220, 220, 628, 220, 2124};
    mn_tokenizer *t = load("gpt2/tokenizer.json");
    if (!t) return;
    check_ids(t, MN_TOK_ADD_SPECIAL, want, sizeof want / sizeof want[0]);
    MT_EQ_U64(mn_tokenizer_vocab_size(t), 50257);
    char s[64];
    size_t l = mn_tokenizer_id_to_token(t, 995, s, sizeof s);
    MT_CHECK(l == 7 && !memcmp(s, "\xC4\xA0world", 7));
    MT_EQ_INT(mn_tokenizer_token_to_id(t, "\xC4\xA0world", 7), 995);
    MT_EQ_INT(mn_tokenizer_token_to_id(t, "<|endoftext|>", 13), 50256);
    /* special tokens: plain text unless parsed */
    int32_t ids[16];
    size_t n = mn_tokenizer_encode(t, ids, 16, "a<|endoftext|>b", 15, MN_TOK_PARSE_SPECIAL);
    MT_EQ_U64(n, 3);
    MT_CHECK(ids[0] == 64 && ids[1] == 50256 && ids[2] == 65);
    n = mn_tokenizer_encode(t, ids, 16, "a<|endoftext|>b", 15, 0);
    MT_CHECK(n > 3 && !mn_is_error(n));
    /* offsets */
    size_t offs[32];
    n = mn_tokenizer_encode_offsets(t, ids, offs, 16, "Hi  there", 9, 0);
    MT_EQ_U64(n, 3);
    MT_CHECK(offs[0] == 0 && offs[1] == 2 && offs[2] == 2 && offs[3] == 3 && offs[4] == 3 && offs[5] == 9);
    /* errors */
    MT_EQ_INT(code_of(mn_tokenizer_encode(t, ids, 16, "a\xFF", 2, 0)), MN_E_TOK_UTF8);
    int32_t badid = 50257;
    MT_EQ_INT(code_of(mn_tokenizer_decode(t, s, sizeof s, &badid, 1, 0)), MN_E_TOK_INVALID_ID);
    MT_CHECK(strstr(mn_tokenizer_error(t), "50257") != NULL);
    /* decode of a lone byte of a multi-byte char: U+FFFD, as HF */
    int32_t half = 163; /* "\xE6" */
    l = mn_tokenizer_decode(t, s, sizeof s, &half, 1, 0);
    MT_CHECK(l == 3 && !memcmp(s, "\xEF\xBF\xBD", 3));
    mn_tokenizer_free(t);
}

static void llama3(void)
{
    static const int32_t want[] = {9906, 1917, 0, 1102, 596, 220, 2366, 19, 25, 95980, 588, 53050, 11, 119109, 11,
                                   62904, 235, 9468, 237, 121, 19124, 220, 865};
    mn_tokenizer *t = load("hf/llama3.tokenizer.json");
    if (!t) return;
    check_ids(t, MN_TOK_ADD_SPECIAL, want, sizeof want / sizeof want[0]);
    mn_tokenizer_free(t);
}

static void qwen3(void)
{
    static const int32_t want[] = {9707, 1879, 0, 1084, 594, 220, 17, 15, 17, 19, 25, 94880, 586, 51950, 11, 60596,
                                   109, 46553, 11, 61804, 235, 145375, 18611, 220, 856};
    mn_tokenizer *t = load("hf/qwen3.tokenizer.json");
    if (!t) return;
    check_ids(t, MN_TOK_ADD_SPECIAL, want, sizeof want / sizeof want[0]);
    /* non-special added tokens are recognised even without PARSE_SPECIAL */
    int32_t ids[8];
    MT_EQ_U64(mn_tokenizer_encode(t, ids, 8, "<think>", 7, 0), 1);
    MT_EQ_INT(ids[0], 151667);
    mn_tokenizer_free(t);
}

static void mistral(void)
{
    static const int32_t want[] = {1, 22557, 1526, 28808, 661, 28742, 28713, 28705, 28750, 28734, 28750, 28781,
                                   28747, 1879, 28920, 333, 28345, 28725, 28705, 30366, 29936, 28725, 28705, 30195,
                                   31007, 259, 13, 13, 28705, 1318};
    mn_tokenizer *t = load("hf/mistral.tokenizer.json");
    if (!t) return;
    check_ids(t, MN_TOK_ADD_SPECIAL, want, sizeof want / sizeof want[0]);
    char s[64];
    size_t l = mn_tokenizer_decode(t, s, sizeof s, want, 3, 0);
    MT_CHECK(l == 15 && !memcmp(s, "<s> Hello world", 15));
    mn_tokenizer_free(t);
}

/* Streaming decode emits only whole characters and adds up to decode(). */
static void stream_decode(void)
{
    const char *files[] = {"gpt2/tokenizer.json", "hf/mistral.tokenizer.json"};
    for (int f = 0; f < 2; f++) {
        mn_tokenizer *t = load(files[f]);
        if (!t) return;
        int32_t ids[128];
        size_t n = mn_tokenizer_encode(t, ids, 128, k_text, sizeof k_text - 1, 0);
        MT_CHECK(!mn_is_error(n));
        mn_tok_stream *s;
        MT_OK(mn_tok_stream_create(&s, t, 0));
        char out[512];
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            size_t r = mn_tok_stream_push(s, ids[i], out + o, sizeof out - o);
            MT_CHECK(!mn_is_error(r));
            MT_CHECK(mn_utf8_valid((const unsigned char *)out + o, r));
            o += r;
        }
        size_t r = mn_tok_stream_flush(s, out + o, sizeof out - o);
        MT_CHECK(!mn_is_error(r));
        o += r;
        mn_tok_stream_free(s);
        if (o != sizeof k_text - 1 || memcmp(out, k_text, o)) MT_FAIL("%s: stream gave \"%.*s\"", files[f], (int)o, out);
        mn_tokenizer_free(t);
    }
}

/* decode(encode(x)) == x over a real text, for byte-level BPE. */
static void roundtrip_corpus(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/TinyStories-valid-sample.txt", mt.shared_dir);
    size_t n;
    unsigned char *txt = mt_read_file(path, &n);
    if (!txt) MT_FAIL("missing %s", path);
    mn_tokenizer *t = load("hf/llama3.tokenizer.json");
    if (!t) { free(txt); return; }
    size_t cap = mn_tokenizer_encode_bound(t, n);
    int32_t *ids = malloc(cap * sizeof *ids);
    char *back = malloc(n + 16);
    size_t k = mn_tokenizer_encode(t, ids, cap, txt, n, 0);
    MT_CHECK(!mn_is_error(k) && k > n / 8 && k < n / 2);
    size_t m = mn_tokenizer_decode(t, back, n + 16, ids, k, 0);
    MT_EQ_U64(m, n);
    MT_CHECK(memcmp(back, txt, n) == 0);
    free(ids);
    free(back);
    free(txt);
    mn_tokenizer_free(t);
}

static int create_json(const char *json, char *msg, size_t cap)
{
    mn_tokenizer *t = NULL;
    int st = mn_tokenizer_create_hf(&t, json, strlen(json), msg, cap);
    mn_tokenizer_free(t);
    return st;
}

static void hf_errors(void)
{
    char msg[256];
    MT_EQ_INT(create_json("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []},"
                          " \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"},"
                          " \"behavior\": \"Isolated\", \"invert\": false}}", msg, sizeof msg), MN_E_UNSUPPORTED);
    MT_CHECK(strstr(msg, "\\w+") != NULL);
    MT_EQ_INT(create_json("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}}", msg, sizeof msg),
              MN_E_CORRUPT);
    MT_EQ_INT(create_json("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}}", msg, sizeof msg),
              MN_E_CORRUPT);
    MT_EQ_INT(create_json("{\"model\": {\"type\": \"Foo\"}}", msg, sizeof msg), MN_E_UNSUPPORTED);
    MT_EQ_INT(create_json("[1,2", msg, sizeof msg), MN_E_CORRUPT);
    MT_EQ_INT(create_json("{}", msg, sizeof msg), MN_E_CORRUPT);
    /* a tiny SentencePiece-style BPE: byte fallback, fused unk, merges */
    const char *tiny = "{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Prepend\", \"prepend\": \"\xE2\x96\x81\"},"
                       " {\"type\": \"Replace\", \"pattern\": {\"String\": \" \"}, \"content\": \"\xE2\x96\x81\"}]},"
                       " \"model\": {\"type\": \"BPE\", \"unk_token\": \"<unk>\", \"fuse_unk\": true, \"byte_fallback\": false,"
                       " \"vocab\": {\"<unk>\": 0, \"\xE2\x96\x81\": 1, \"a\": 2, \"b\": 3, \"ab\": 4, \"\xE2\x96\x81" "ab\": 5},"
                       " \"merges\": [\"a b\", \"\xE2\x96\x81 ab\"]}}";
    mn_tokenizer *t = NULL;
    MT_OK(mn_tokenizer_create_hf(&t, tiny, strlen(tiny), msg, sizeof msg));
    int32_t ids[16];
    size_t n = mn_tokenizer_encode(t, ids, 16, "ab xyb", 6, 0);
    MT_EQ_U64(n, 4);
    MT_CHECK(ids[0] == 5 && ids[1] == 1 && ids[2] == 0 && ids[3] == 3);
    mn_tokenizer_free(t);
}

void suite_tok(void)
{
    MT_RUN(json_valid);
    MT_RUN(json_malformed);
    MT_RUN(json_depth_and_fuzz);
    MT_RUN(unicode_tables);
    MT_RUN(unicode_normalization);
    MT_RUN(gpt2);
    MT_RUN(llama3);
    MT_RUN(qwen3);
    MT_RUN(mistral);
    MT_RUN(stream_decode);
    MT_RUN(roundtrip_corpus);
    MT_RUN(hf_errors);
}
