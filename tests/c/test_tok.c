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

/* Grapheme clusters against the UCD's GraphemeBreakTest.txt (Unicode 15.0,
 * Debian unicode-data), except the GB9c lines which came with 15.1. */
static void unicode_graphemes(void)
{
    size_t n;
    unsigned char *txt = mt_read_file("/usr/share/unicode/auxiliary/GraphemeBreakTest.txt", &n);
    if (!txt) return; /* not every machine has unicode-data: the parity tests cover graphemes too */
    size_t cases = 0, bad = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && txt[e] != '\n') e++;
        if (txt[i] != '#' && e > i) {
            /* "÷ 0020 × 0308 ÷ # comment": build the string and the expected break offsets */
            char buf[128];
            size_t bl = 0, nb = 0, breaks[32];
            const char *p = (const char *)txt + i, *end = (const char *)txt + e;
            while (p < end && *p != '#') {
                if (!strncmp(p, "\xC3\xB7", 2)) { if (nb < 32) breaks[nb++] = bl; p += 2; continue; } /* ÷ */
                if (!strncmp(p, "\xC3\x97", 2)) { p += 2; continue; }                              /* × */
                if (*p == ' ' || *p == '\t') { p++; continue; }
                unsigned long cp = strtoul(p, (char **)&p, 16);
                bl += mn_utf8_encode((uint32_t)cp, buf + bl);
            }
            cases++;
            size_t pos = 0, k = 1, ok = 1;
            while (pos < bl && ok) {
                pos += mn_uc_grapheme_len((const unsigned char *)buf + pos, bl - pos);
                ok = k < nb && breaks[k] == pos;
                k++;
            }
            if (!ok) bad++;
        }
        i = e + 1;
    }
    free(txt);
    MT_CHECK(cases > 500);
    if (bad) MT_FAIL("%zu of %zu grapheme break cases differ", bad, cases);
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
    /* a hostile run of combining marks (alternating classes) normalizes in linear time */
    {
        size_t nm = 200000, n = 1 + 2 * nm;
        char *in = malloc(n);
        MT_CHECK(in != NULL);
        in[0] = 'a';
        for (size_t i = 0; i < nm; i++) memcpy(in + 1 + 2 * i, i & 1 ? "\xCC\x81" : "\xCC\xA3", 2); /* ccc 230, 220 */
        mn_ubuf b = {0};
        MT_OK(mn_uc_normalize(&b, in, n, NULL, MN_NORM_NFD, 1));
        MT_EQ_U64(b.n, n);
        /* stable sort: all U+0323 (220) first, then all U+0301 (230) */
        MT_CHECK(!memcmp(b.p + 1, "\xCC\xA3", 2) && !memcmp(b.p + n - 2, "\xCC\x81", 2));
        MT_CHECK(!memcmp(b.p + 1 + 2 * (nm / 2 - 1), "\xCC\xA3", 2) && !memcmp(b.p + 1 + 2 * (nm / 2), "\xCC\x81", 2));
        mn_ubuf_free(&b);
        MT_OK(mn_uc_normalize(&b, in, n, NULL, MN_NORM_NFC, 0));
        MT_CHECK(!memcmp(b.p, "\xE1\xBA\xA1", 3)); /* a + U+0323 composes to U+1EA1 */
        mn_ubuf_free(&b);
        free(in);
    }
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
    /* MN_TOK_LOSSY: invalid sequences read as U+FFFD (maximal subparts), offsets in the original bytes */
    {
        int32_t want[16];
        size_t wn = mn_tokenizer_encode(t, want, 16, "a\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD" "b", 12, 0);
        n = mn_tokenizer_encode_offsets(t, ids, offs, 16, "a\xE2\x82 \xED\xA0" "b", 7, MN_TOK_LOSSY);
        MT_CHECK(!mn_is_error(wn) && n == wn && !memcmp(ids, want, n * sizeof *ids));
        MT_CHECK(n >= 2 && offs[0] == 0 && offs[1] == 1 && offs[2] == 1 && offs[2 * n - 1] == 7);
        for (size_t i = 0; i + 1 < 2 * n; i += 2) MT_CHECK(offs[i] <= offs[i + 1] && offs[i + 1] <= 7 && offs[i] != 2);
    }
    int32_t badid = 50257;
    MT_EQ_INT(code_of(mn_tokenizer_decode(t, s, sizeof s, &badid, 1, 0)), MN_E_TOK_INVALID_ID);
    MT_CHECK(strstr(mn_tokenizer_error(t), "50257") != NULL);
    /* decode of a lone byte of a multi-byte char: U+FFFD, as HF */
    int32_t half = 163; /* "\xE6" */
    l = mn_tokenizer_decode(t, s, sizeof s, &half, 1, 0);
    MT_CHECK(l == 3 && !memcmp(s, "\xEF\xBF\xBD", 3));
    /* clones share the tables and outlive the original; own error messages */
    {
        mn_tokenizer *c1 = NULL, *c2 = NULL;
        MT_EQ_INT(mn_tokenizer_clone(&c1, t), MN_OK);
        MT_CHECK(mn_tokenizer_error(c1)[0] == 0);
        MT_EQ_INT(mn_tokenizer_clone(&c2, c1), MN_OK);
        int32_t a[16], b[16];
        size_t na = mn_tokenizer_encode(t, a, 16, "Hello world, clone", 18, 0);
        mn_tokenizer_free(t);
        t = NULL;
        size_t nb = mn_tokenizer_encode(c1, b, 16, "Hello world, clone", 18, 0);
        MT_CHECK(!mn_is_error(na) && na == nb && !memcmp(a, b, na * sizeof *a));
        MT_EQ_INT(code_of(mn_tokenizer_encode(c2, b, 16, "a\xFF", 2, 0)), MN_E_TOK_UTF8);
        MT_CHECK(mn_tokenizer_error(c1)[0] == 0 && mn_tokenizer_error(c2)[0] != 0);
        mn_tokenizer_free(c1);
        nb = mn_tokenizer_encode(c2, b, 16, "Hello world, clone", 18, 0);
        MT_CHECK(na == nb && !memcmp(a, b, na * sizeof *a));
        mn_tokenizer_free(c2);
        MT_EQ_INT(mn_tokenizer_clone(&c1, NULL), MN_E_INVALID_ARG);
    }
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
    /* byte-level: a token with a char outside the GPT-2 alphabet ("\u4e2d")
     * after mappable ones is kept verbatim, whole (it used to keep its
     * mappable prefix decoded), so its text finds it and gives it back */
    {
        const char *j = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2, \"\\u0120a\\u00e9\\u4e2d\": 3},"
                        " \"merges\": [\"a b\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false,"
                        " \"trim_offsets\": true, \"use_regex\": true}, \"decoder\": {\"type\": \"ByteLevel\"}}";
        const char *tok3 = "\xC4\xA0" "a\xC3\xA9\xE4\xB8\xAD"; /* "Ġaé中" */
        mn_tokenizer *t = NULL;
        MT_OK(mn_tokenizer_create_hf(&t, j, strlen(j), msg, sizeof msg));
        char out[32];
        MT_EQ_INT(mn_tokenizer_token_to_id(t, tok3, strlen(tok3)), 3);
        size_t n = mn_tokenizer_id_to_token(t, 3, out, sizeof out);
        MT_CHECK(n == strlen(tok3) && !memcmp(out, tok3, n));
        MT_EQ_INT(mn_tokenizer_token_to_id(t, "ab", 2), 2);
        mn_tokenizer_free(t);
    }
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

    /* many added tokens, one content twice: the second's flags replace the
     * first's (HF), the id stays the first's */
    size_t cap = 64 * 1024, len = 0;
    char *j = malloc(cap);
    len += (size_t)snprintf(j + len, cap - len, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []},"
                                                " \"added_tokens\": [");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(j + len, cap - len, "{\"id\": %d, \"content\": \"<t%d>\", \"special\": false},", 2 + i, i);
    len += (size_t)snprintf(j + len, cap - len, "{\"id\": 400, \"content\": \"<t7>\", \"special\": true}]}");
    MT_OK(mn_tokenizer_create_hf(&t, j, len, msg, sizeof msg));
    free(j);
    n = mn_tokenizer_encode(t, ids, 16, "<t7>a<t299>", 11, 0); /* special: not parsed from text */
    MT_EQ_U64(n, 2);
    MT_CHECK(ids[0] == 0 && ids[1] == 301);
    n = mn_tokenizer_encode(t, ids, 16, "<t7>a<t299>", 11, MN_TOK_PARSE_SPECIAL);
    MT_EQ_U64(n, 3);
    MT_CHECK(ids[0] == 9 && ids[1] == 0 && ids[2] == 301);
    char out[32];
    int32_t dec[2] = {9, 10};
    size_t dn = mn_tokenizer_decode(t, out, sizeof out, dec, 2, MN_TOK_SKIP_SPECIAL);
    MT_CHECK(dn == 4 && !memcmp(out, "<t8>", 4)); /* <t7> is special now: skipped */
    mn_tokenizer_free(t);
}

/* Files that are no tokenizer get one message naming the three formats, not a parser's complaint. */
static int create_mem(const void *p, size_t n, char *msg, size_t cap)
{
    mn_tokenizer *t = NULL;
    msg[0] = 0;
    int st = mn_tokenizer_create_memory(&t, p, n, msg, cap);
    mn_tokenizer_free(t);
    return st;
}

static void format_detection(void)
{
    /* llama2.c's tokenizer.bin: int32 max_token_length, then (float score, int32 len, bytes)... */
    static const unsigned char l2c[] = {27, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, '<', 'u', 'n', 'k', '>'};
    static const struct { const char *p; size_t n; const char *also; } no[] = {
        {"", 0, NULL},
        {"hello world\n", 12, NULL},
        {"\nhello\n", 7, NULL},                /* a newline is also protobuf's field-1 tag */
        {"[1, 2, 3]", 9, NULL},                /* JSON, but no tokenizer.json */
        {" \"tokenizer\"", 12, NULL},
        {(const char *)l2c, sizeof l2c, "minnow convert"},
    };
    char msg[256];
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        MT_EQ_INT(create_mem(no[i].p, no[i].n, msg, sizeof msg), MN_E_UNSUPPORTED);
        if (!strstr(msg, "unrecognised tokenizer file (expected a tokenizer.json, a GGUF or a SentencePiece .model"))
            MT_NOTE_FAIL("input %zu: message '%s'", i, msg);
        if (no[i].also && !strstr(msg, no[i].also)) MT_NOTE_FAIL("input %zu: message '%s' lacks '%s'", i, msg, no[i].also);
    }
    /* a JSON object without "model" (tokenizer_config.json, config.json) says so */
    MT_EQ_INT(create_mem("{\"add_bos_token\": true}", 23, msg, sizeof msg), MN_E_CORRUPT);
    MT_CHECK(strstr(msg, "not a tokenizer.json") != NULL);
    /* protobuf that starts like a ModelProto goes to its parser */
    MT_EQ_INT(create_mem("\x0a\x03\x0a\x01", 4, msg, sizeof msg), MN_E_CORRUPT);
    MT_CHECK(strstr(msg, "SentencePiece model") != NULL);
}

/* BERT uncased WordPiece (tokenizer.json and the bge vocab-only GGUF): ids and
 * decoded strings from HF tokenizers 0.22.2. */
static void bert(void)
{
    static const int32_t want[] = {101, 7592, 2088, 999, 2009, 1005, 1055, 16798, 2549, 1024, 15743, 7668, 1010, 1879,
                                   1755, 1010, 100, 1060, 102};
    const size_t nw = sizeof want / sizeof want[0];
    char path[1024], msg[256];
    snprintf(path, sizeof path, "%s/tokenizers/gguf-vocab/ggml-vocab-bert-bge.gguf", mt.shared_dir);
    mn_tokenizer *t[2] = {load("bert-base-uncased/tokenizer.json"), NULL};
    if (mn_tokenizer_create_file(&t[1], path, msg, sizeof msg)) MT_NOTE_FAIL("%s: %s", path, msg);
    for (int k = 0; k < 2; k++) {
        if (!t[k]) continue;
        int32_t ids[64];
        size_t offs[128];
        size_t n = mn_tokenizer_encode_offsets(t[k], ids, offs, 64, k_text, sizeof k_text - 1, MN_TOK_ADD_SPECIAL);
        if (n != nw || memcmp(ids, want, sizeof want)) { MT_NOTE_FAIL("%s: ids differ (%zu)", k ? "GGUF" : "json", n); continue; }
        /* "naïve" is bytes 24..30 (normalized to "naive"), the emoji pair one [UNK] of 8 bytes */
        MT_CHECK(offs[2 * 10] == 24 && offs[2 * 10 + 1] == 30 && offs[2 * 16] == 46 && offs[2 * 16 + 1] == 54);
        char out[256];
        size_t l = mn_tokenizer_decode(t[k], out, sizeof out, ids, n, 0);
        const char *d0 = "[CLS] hello world! it ' s 2024 : naive cafe, \xE6\x9D\xB1 \xE4\xBA\xAC, [UNK] x [SEP]";
        MT_CHECK(l == strlen(d0) && !memcmp(out, d0, l));
        l = mn_tokenizer_decode(t[k], out, sizeof out, ids, n, MN_TOK_SKIP_SPECIAL);
        const char *d1 = "hello world! it ' s 2024 : naive cafe, \xE6\x9D\xB1 \xE4\xBA\xAC, x";
        MT_CHECK(l == strlen(d1) && !memcmp(out, d1, l));
        /* a word longer than 100 chars is one [UNK] */
        char longw[240];
        memset(longw, 'a', sizeof longw);
        MT_EQ_U64(mn_tokenizer_encode(t[k], ids, 64, longw, 101, 0), 1);
        MT_EQ_INT(ids[0], 100);
        MT_CHECK(mn_tokenizer_encode(t[k], ids, 64, longw, 100, 0) > 1);
        MT_EQ_U64(mn_tokenizer_vocab_size(t[k]), 30522);
    }
    mn_tokenizer_free(t[0]);
    mn_tokenizer_free(t[1]);
}

/* SentencePiece .model files: ids of the sentencepiece library (0.1.97) for
 * k_text. tok512.model collapses the double spaces (remove_extra_whitespaces),
 * llama2's model does not; decode gives the text back where nothing was collapsed. */
static void spm_models(void)
{
    static const int32_t llama2[] = {15043, 3186, 29991, 739, 29915, 29879, 29871, 29906, 29900, 29906, 29946, 29901,
                                     1055, 30085, 345, 274, 28059, 29892, 29871, 30591, 30675, 29892, 29871, 243, 162,
                                     148, 144, 243, 162, 146, 192, 259, 13, 13, 29871, 921};
    static const int32_t tok512[] = {346, 306, 414, 263, 304, 341, 443, 359, 413, 439, 419, 410, 479, 477, 479, 484,
                                     467, 297, 412, 198, 178, 360, 280, 412, 431, 485, 432, 410, 233, 160, 180, 231,
                                     189, 175, 432, 410, 243, 162, 148, 144, 243, 162, 146, 192, 410, 13, 13, 410, 444};
    static const struct { const char *path; const int32_t *want; size_t n; } m[] = {
        {"tokenizers/llama2-sentencepiece.model", llama2, sizeof llama2 / sizeof llama2[0]},
        {"models/stories260K/tok512.model", tok512, sizeof tok512 / sizeof tok512[0]},
    };
    for (int k = 0; k < 2; k++) {
        char path[1024], msg[256];
        snprintf(path, sizeof path, "%s/%s", mt.shared_dir, m[k].path);
        mn_tokenizer *t = NULL;
        if (mn_tokenizer_create_file(&t, path, msg, sizeof msg)) { MT_NOTE_FAIL("%s: %s", path, msg); continue; }
        int32_t ids[64];
        size_t n = mn_tokenizer_encode(t, ids, 64, k_text, sizeof k_text - 1, 0);
        if (n != m[k].n || memcmp(ids, m[k].want, n * sizeof *ids)) MT_NOTE_FAIL("%s: ids differ (%zu)", m[k].path, n);
        /* BOS for a BPE model with MN_TOK_ADD_SPECIAL; "<s>" is text unless parsed */
        MT_EQ_U64(mn_tokenizer_encode(t, ids, 64, "<s>", 3, MN_TOK_ADD_SPECIAL | MN_TOK_PARSE_SPECIAL), 2);
        MT_CHECK(ids[0] == 1 && ids[1] == 1);
        MT_CHECK(mn_tokenizer_encode(t, ids, 64, "<s>", 3, 0) > 1);
        if (k == 0) {
            char out[256];
            n = mn_tokenizer_encode(t, ids, 64, k_text, sizeof k_text - 1, 0);
            size_t l = mn_tokenizer_decode(t, out, sizeof out, ids, n, 0);
            MT_CHECK(l == sizeof k_text - 1 && !memcmp(out, k_text, l));
        }
        mn_tokenizer_free(t);
    }
    /* hostile protobuf: truncations and bit flips of a real model never crash */
    char path[1024];
    size_t n;
    snprintf(path, sizeof path, "%s/models/stories260K/tok512.model", mt.shared_dir);
    unsigned char *buf = mt_read_file(path, &n);
    if (!buf) MT_FAIL("missing %s", path);
    uint64_t seed = 7;
    unsigned char *mut = malloc(n);
    for (int it = 0; it < 300; it++) {
        memcpy(mut, buf, n);
        for (int k = 0; k < 1 + (int)(mt_rand(&seed) % 8); k++) mut[mt_rand(&seed) % n] ^= (unsigned char)(1u << (mt_rand(&seed) % 8));
        size_t len = it % 3 == 0 ? mt_rand(&seed) % n : n;
        mn_tokenizer *t = NULL;
        int st = mn_tokenizer_create_memory(&t, mut, len, NULL, 0);
        if (st == MN_OK) {
            int32_t ids[64];
            size_t r = mn_tokenizer_encode(t, ids, 64, k_text, sizeof k_text - 1, MN_TOK_ADD_SPECIAL);
            if (mn_is_error(r) && mn_error_code(r) != MN_E_DST_TOO_SMALL && mn_error_code(r) != MN_E_UNSUPPORTED)
                MT_NOTE_FAIL("mutation %d: encode status %d", it, (int)mn_error_code(r));
        } else if (st != MN_E_CORRUPT && st != MN_E_UNSUPPORTED) {
            MT_NOTE_FAIL("mutation %d: status %d", it, st);
        }
        mn_tokenizer_free(t);
    }
    free(mut);
    free(buf);
}

/* ------------------------------------------------------------------ GGUF */
/* stories260K.gguf (model "llama"): ids of the sentencepiece library on
 * tok512.model (identical where sentencepiece's whitespace collapsing does not
 * apply; the corpus-wide comparison with llama.cpp and sentencepiece is in
 * tests/js/tok.test.mjs). */
static void gguf_spm(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/stories260K/stories260K.gguf", mt.shared_dir);
    mn_tokenizer *t = NULL;
    char msg[256];
    int st = mn_tokenizer_create_file(&t, path, msg, sizeof msg);
    if (st) MT_FAIL("%s: %s", path, msg);
    static const int32_t want1[] = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426};
    static const int32_t want2[] = {346, 306, 414, 263, 304, 341, 443, 359, 413, 439, 419, 410, 479, 477, 479, 484, 467, 297,
                                    412, 198, 178, 360, 280, 412, 431, 485, 432, 410, 233, 160, 180, 231, 189, 175, 410,
                                    243, 162, 148, 144};
    const char *t1 = "Once upon a time, there was a little girl named Lily.";
    const char *t2 = "Hello world! It's 2024: na\xC3\xAFve caf\xC3\xA9, \xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x91\x8D";
    int32_t ids[64];
    size_t n = mn_tokenizer_encode(t, ids, 64, t1, strlen(t1), 0);
    MT_EQ_U64(n, 15);
    MT_EQ_MEM(ids, want1, sizeof want1);
    n = mn_tokenizer_encode(t, ids, 64, t2, strlen(t2), 0);
    MT_EQ_U64(n, sizeof want2 / sizeof want2[0]);
    MT_EQ_MEM(ids, want2, sizeof want2);
    /* llama.cpp: BOS with add_special, no EOS; whitespace runs kept ("▁" = 410) */
    n = mn_tokenizer_encode(t, ids, 64, "a  b", 4, MN_TOK_ADD_SPECIAL);
    MT_EQ_U64(n, 4);
    MT_CHECK(ids[0] == 1 && ids[1] == 261 && ids[2] == 410 && ids[3] == 268);
    MT_EQ_U64(mn_tokenizer_encode(t, ids, 64, "", 0, MN_TOK_ADD_SPECIAL), 1);
    MT_EQ_U64(mn_tokenizer_encode(t, ids, 64, "", 0, 0), 0);
    /* special tokens: text unless parsed; a space is prefixed after each one */
    n = mn_tokenizer_encode(t, ids, 64, "<s>hi</s>", 9, MN_TOK_PARSE_SPECIAL);
    MT_EQ_U64(n, 4);
    MT_CHECK(ids[0] == 1 && ids[1] == 270 && ids[2] == 417 && ids[3] == 2);
    n = mn_tokenizer_encode(t, ids, 64, "<s>hi</s>", 9, 0);
    MT_EQ_U64(n, 10);
    /* decode inverts encode (the prefixed space is stripped) */
    char out[256];
    n = mn_tokenizer_encode(t, ids, 64, t2, strlen(t2), MN_TOK_ADD_SPECIAL);
    size_t dl = mn_tokenizer_decode(t, out, sizeof out, ids, n, MN_TOK_SKIP_SPECIAL);
    MT_CHECK(!mn_is_error(dl) && dl == strlen(t2) && !memcmp(out, t2, dl));
    mn_tokenizer_free(t);
    /* from an open handle; the handle is not needed afterwards */
    mn_gguf *g = NULL;
    MT_OK(mn_gguf_open_file(&g, path, 0, msg, sizeof msg));
    MT_OK(mn_tokenizer_create_gguf(&t, g, msg, sizeof msg));
    mn_gguf_free(g);
    MT_EQ_U64(mn_tokenizer_encode(t, ids, 64, t1, strlen(t1), 0), 15);
    MT_EQ_MEM(ids, want1, sizeof want1);
    MT_EQ_U64(mn_tokenizer_vocab_size(t), 512);
    mn_tokenizer_free(t);
}

/* A GGUF (model "gpt2") written from gpt2/vocab.json + merges.txt. */
typedef struct gpt2_src {
    mn_json vocab;
    unsigned char *vocab_bytes, *merges_bytes;
    const char **tok;
    size_t *tok_len, n_tok;
    const char **merge;
    size_t *merge_len, n_merge;
} gpt2_src;

static void gpt2_src_free(gpt2_src *s)
{
    mn_json_free(&s->vocab);
    free(s->vocab_bytes);
    free(s->merges_bytes);
    free(s->tok);
    free(s->tok_len);
    free(s->merge);
    free(s->merge_len);
}

static int gpt2_src_load(gpt2_src *s)
{
    char path[1024];
    size_t n;
    memset(s, 0, sizeof *s);
    snprintf(path, sizeof path, "%s/tokenizers/gpt2/vocab.json", mt.shared_dir);
    if (!(s->vocab_bytes = mt_read_file(path, &n)) || mn_json_parse(&s->vocab, (char *)s->vocab_bytes, n, 0, NULL))
        return -1;
    s->n_tok = s->vocab.nodes[0].len;
    s->tok = calloc(s->n_tok, sizeof *s->tok);
    s->tok_len = calloc(s->n_tok, sizeof *s->tok_len);
    for (uint32_t c = mn_json_first(&s->vocab, 0); c != MN_JSON_NONE; c = mn_json_next(&s->vocab, 0, s->vocab.nodes[c].next)) {
        int64_t id;
        if (!mn_json_i64(&s->vocab, s->vocab.nodes[c].next, &id) || id < 0 || (size_t)id >= s->n_tok) return -1;
        s->tok[id] = mn_json_str(&s->vocab, c, &s->tok_len[id]);
    }
    snprintf(path, sizeof path, "%s/tokenizers/gpt2/merges.txt", mt.shared_dir);
    if (!(s->merges_bytes = mt_read_file(path, &n))) return -1;
    s->merge = calloc(n / 2 + 1, sizeof *s->merge);
    s->merge_len = calloc(n / 2 + 1, sizeof *s->merge_len);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && s->merges_bytes[e] != '\n') e++;
        if (e > i && s->merges_bytes[i] != '#') {
            s->merge[s->n_merge] = (const char *)s->merges_bytes + i;
            s->merge_len[s->n_merge++] = e - i;
        }
        i = e + 1;
    }
    return 0;
}

/* Serialise a gpt2 tokenizer GGUF with the given pre (NULL: none) and an
 * optional add_bos_token key (-1: absent); typed 0: every token NORMAL.
 * @return the bytes (malloc) and *size. */
static unsigned char *gpt2_gguf_typed(const gpt2_src *s, const char *pre, int add_bos, int typed, size_t *size)
{
    mn_gguf_writer *w;
    if (mn_gguf_writer_create(&w, 3, 0)) return NULL;
    int32_t *types = malloc(s->n_tok * sizeof *types);
    for (size_t i = 0; i < s->n_tok; i++)
        types[i] = typed && s->tok_len[i] == 13 && !memcmp(s->tok[i], "<|endoftext|>", 13) ? 3 : 1;
    int rc = mn_gguf_writer_add_str(w, "tokenizer.ggml.model", "gpt2", 4);
    if (!rc && pre) rc = mn_gguf_writer_add_str(w, "tokenizer.ggml.pre", pre, strlen(pre));
    if (!rc) rc = mn_gguf_writer_add_arr_str(w, "tokenizer.ggml.tokens", s->tok, s->tok_len, s->n_tok);
    if (!rc) rc = mn_gguf_writer_add_arr(w, "tokenizer.ggml.token_type", MN_GGUF_I32, types, s->n_tok);
    if (!rc) rc = mn_gguf_writer_add_arr_str(w, "tokenizer.ggml.merges", s->merge, s->merge_len, s->n_merge);
    if (!rc) rc = mn_gguf_writer_add_u32(w, "tokenizer.ggml.bos_token_id", 50256);
    if (!rc) rc = mn_gguf_writer_add_u32(w, "tokenizer.ggml.eos_token_id", 50256);
    if (!rc && add_bos >= 0) rc = mn_gguf_writer_add_bool(w, "tokenizer.ggml.add_bos_token", add_bos);
    free(types);
    unsigned char *buf = NULL;
    if (!rc) {
        *size = mn_gguf_writer_size(w);
        buf = mn_is_error(*size) ? NULL : malloc(*size);
        if (buf && mn_gguf_writer_write(w, buf, *size) != *size) { free(buf); buf = NULL; }
    }
    mn_gguf_writer_free(w);
    return buf;
}

/* ... with "<|endoftext|>" typed CONTROL and every other token NORMAL */
static unsigned char *gpt2_gguf(const gpt2_src *s, const char *pre, int add_bos, size_t *size)
{
    return gpt2_gguf_typed(s, pre, add_bos, 1, size);
}

static mn_tokenizer *gguf_tok(const unsigned char *buf, size_t size, int *status, char *msg, size_t cap)
{
    mn_gguf *g = NULL;
    mn_tokenizer *t = NULL;
    *status = mn_gguf_open_memory(&g, buf, size, 0, msg, cap);
    if (!*status) *status = mn_tokenizer_create_gguf(&t, g, msg, cap);
    mn_gguf_free(g);
    return t;
}

/* Same ids (and offsets) from two tokenizers; @return 0 or -1 (failure noted). */
static int same_ids(mn_tokenizer *a, mn_tokenizer *b, const void *text, size_t n, unsigned flags, const char *what)
{
    size_t cap = mn_tokenizer_encode_bound(a, n);
    int32_t *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    size_t *ox = malloc(2 * cap * sizeof *ox), *oy = malloc(2 * cap * sizeof *oy);
    size_t nx = mn_tokenizer_encode_offsets(a, x, ox, cap, text, n, flags);
    size_t ny = mn_tokenizer_encode_offsets(b, y, oy, cap, text, n, flags);
    int rc = 0;
    if (mn_is_error(nx) || nx != ny) { MT_NOTE_FAIL("%s: %zu ids vs %zu", what, nx, ny); rc = -1; }
    for (size_t i = 0; !rc && i < nx; i++)
        if (x[i] != y[i] || ox[2 * i] != oy[2 * i] || ox[2 * i + 1] != oy[2 * i + 1]) {
            MT_NOTE_FAIL("%s: token %zu: %d vs %d", what, i, (int)x[i], (int)y[i]);
            rc = -1;
        }
    free(x); free(y); free(ox); free(oy);
    return rc;
}

/* tokens i and i + 1 exchanged for even i in [from, to) (its own inverse) */
static void gpt2_swap_pairs(gpt2_src *s, size_t from, size_t to)
{
    for (size_t i = from; i + 1 < to; i += 2) {
        const char *ts = s->tok[i]; s->tok[i] = s->tok[i + 1]; s->tok[i + 1] = ts;
        size_t tl = s->tok_len[i]; s->tok_len[i] = s->tok_len[i + 1]; s->tok_len[i + 1] = tl;
    }
}

static void gguf_gpt2(void)
{
    gpt2_src src;
    if (gpt2_src_load(&src)) { gpt2_src_free(&src); MT_FAIL("cannot read gpt2/vocab.json + merges.txt"); }
    MT_EQ_U64(src.n_tok, 50257);
    mn_tokenizer *hf = load("gpt2/tokenizer.json");
    size_t size;
    unsigned char *buf = gpt2_gguf(&src, "gpt-2", -1, &size);
    int st;
    char msg[256];
    mn_tokenizer *t = buf ? gguf_tok(buf, size, &st, msg, sizeof msg) : NULL;
    if (!t || !hf) { free(buf); gpt2_src_free(&src); mn_tokenizer_free(hf); MT_FAIL("gguf: %s", buf ? msg : "writer failed"); }
    /* the same ids and offsets as tokenizer.json on real text, specials parsed or not */
    static const char *files[] = {"corpus/alice29.txt", "corpus/TinyStories-valid-sample.txt"};
    for (int f = 0; f < 2; f++) {
        char path[1024];
        size_t n;
        snprintf(path, sizeof path, "%s/%s", mt.shared_dir, files[f]);
        unsigned char *txt = mt_read_file(path, &n);
        if (!txt) { MT_NOTE_FAIL("missing %s", path); continue; }
        same_ids(hf, t, txt, n, 0, files[f]);
        free(txt);
    }
    const char *sp = "a<|endoftext|>b <|endoftext|>\n<|endoftext|";
    same_ids(hf, t, k_text, sizeof k_text - 1, MN_TOK_ADD_SPECIAL, "k_text");
    same_ids(hf, t, sp, strlen(sp), MN_TOK_PARSE_SPECIAL | MN_TOK_ADD_SPECIAL, "specials parsed");
    same_ids(hf, t, sp, strlen(sp), 0, "specials as text");
    /* decode too */
    int32_t ids[64];
    char a[256], b[256];
    size_t n = mn_tokenizer_encode(t, ids, 64, sp, strlen(sp), MN_TOK_PARSE_SPECIAL);
    size_t la = mn_tokenizer_decode(hf, a, sizeof a, ids, n, 0), lb = mn_tokenizer_decode(t, b, sizeof b, ids, n, 0);
    MT_CHECK(la == lb && la == strlen(sp) && !memcmp(a, b, la));
    la = mn_tokenizer_decode(hf, a, sizeof a, ids, n, MN_TOK_SKIP_SPECIAL);
    lb = mn_tokenizer_decode(t, b, sizeof b, ids, n, MN_TOK_SKIP_SPECIAL);
    MT_CHECK(la == lb && !memcmp(a, b, la));
    mn_tokenizer_free(t);
    free(buf);
    /* BOS exactly when llama.cpp adds it: gpt-2 never by default, the llama3
     * family always, add_bos_token overrides */
    static const struct { const char *pre; int key; int bos; } cases[] = {
        {"gpt-2", 1, 1}, {"llama-bpe", -1, 1}, {"llama-bpe", 0, 0}, {"qwen2", -1, 0}, {"smollm", -1, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        buf = gpt2_gguf(&src, cases[c].pre, cases[c].key, &size);
        t = buf ? gguf_tok(buf, size, &st, msg, sizeof msg) : NULL;
        if (!t) { MT_NOTE_FAIL("%s: %s", cases[c].pre, msg); free(buf); continue; }
        n = mn_tokenizer_encode(t, ids, 64, "Hi 12345", 8, MN_TOK_ADD_SPECIAL);
        if (mn_is_error(n) || (ids[0] == 50256) != cases[c].bos || ids[n - 1] == 50256)
            MT_NOTE_FAIL("%s add_bos_token=%d: BOS %s", cases[c].pre, cases[c].key, ids[0] == 50256 ? "added" : "missing");
        /* digits: gpt-2 keeps runs, smollm splits every digit, qwen2 too */
        size_t m = mn_tokenizer_encode(t, ids, 64, "Hi 12345", 8, 0);
        size_t want = !strcmp(cases[c].pre, "gpt-2") ? 3 : !strcmp(cases[c].pre, "llama-bpe") ? 4 : 7;
        if (m != want) MT_NOTE_FAIL("%s: \"Hi 12345\" gives %zu tokens, want %zu", cases[c].pre, m, want);
        mn_tokenizer_free(t);
        free(buf);
    }
    /* an unknown or missing pre is refused by name */
    buf = gpt2_gguf(&src, "made-up-pre", -1, &size);
    t = gguf_tok(buf, size, &st, msg, sizeof msg);
    MT_CHECK(!t && st == MN_E_UNSUPPORTED && strstr(msg, "made-up-pre"));
    free(buf);
    buf = gpt2_gguf(&src, NULL, -1, &size);
    t = gguf_tok(buf, size, &st, msg, sizeof msg);
    MT_CHECK(!t && st == MN_E_UNSUPPORTED && strstr(msg, "tokenizer.ggml.pre"));
    free(buf);
    /* Merge results out of id order (the build tries "last result + 1" first,
     * then the hash): ids 1000..19999 swapped in pairs, the same tokens come
     * out under the swapped ids. */
    gpt2_swap_pairs(&src, 1000, 20000);
    buf = gpt2_gguf(&src, "gpt-2", -1, &size);
    t = buf ? gguf_tok(buf, size, &st, msg, sizeof msg) : NULL;
    if (!t) MT_NOTE_FAIL("swapped ids: %s", msg);
    else {
        char path[1024];
        size_t tn;
        snprintf(path, sizeof path, "%s/corpus/alice29.txt", mt.shared_dir);
        unsigned char *txt = mt_read_file(path, &tn);
        size_t cap = txt ? mn_tokenizer_encode_bound(hf, tn) : 0;
        int32_t *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
        size_t nx = txt && x && y ? mn_tokenizer_encode(hf, x, cap, txt, tn, 0) : 0;
        size_t ny = txt && x && y ? mn_tokenizer_encode(t, y, cap, txt, tn, 0) : 1;
        size_t bad = 0, swapped = 0;
        for (size_t i = 0; nx == ny && i < nx; i++) {
            int32_t want = x[i] >= 1000 && x[i] < 20000 ? x[i] ^ 1 : x[i];
            bad += y[i] != want;
            swapped += want != x[i];
        }
        MT_CHECK(nx > 1000 && nx == ny && bad == 0 && swapped > 100);
        free(x); free(y); free(txt);
        mn_tokenizer_free(t);
    }
    free(buf);
    gpt2_swap_pairs(&src, 1000, 20000); /* back */
    /* llama.cpp's by-name fix-ups: tokens typed NORMAL named like an
     * end-of-generation token become control tokens (matched only with
     * PARSE_SPECIAL), gpt-oss's "<|channel|>" a user-defined one (always
     * matched). The last two tokens are renamed, so the two merges that made
     * them go. */
    src.tok[50254] = "<|im_end|>", src.tok_len[50254] = 10;
    src.tok[50255] = "<|channel|>", src.tok_len[50255] = 11;
    src.n_merge -= 2;
    buf = gpt2_gguf_typed(&src, "gpt-2", -1, 0, &size);
    t = buf ? gguf_tok(buf, size, &st, msg, sizeof msg) : NULL;
    if (!t) MT_NOTE_FAIL("by-name: %s", msg);
    else {
        const char *s3 = "x<|im_end|>y<|channel|>z<|endoftext|>";
        static const int32_t parsed[] = {87, 50254, 88, 50255, 89, 50256};
        n = mn_tokenizer_encode(t, ids, 64, s3, strlen(s3), MN_TOK_PARSE_SPECIAL);
        MT_CHECK(n == 6 && !memcmp(ids, parsed, sizeof parsed));
        n = mn_tokenizer_encode(t, ids, 64, s3, strlen(s3), 0);
        size_t n_ch = 0, n_ctl = 0;
        for (size_t i = 0; !mn_is_error(n) && i < n; i++) {
            n_ch += ids[i] == 50255;
            n_ctl += ids[i] == 50254 || ids[i] == 50256;
        }
        MT_CHECK(!mn_is_error(n) && n_ch == 1 && n_ctl == 0);
        mn_tokenizer_free(t);
    }
    free(buf);
    mn_tokenizer_free(hf);
    gpt2_src_free(&src);
}

/* Broken tokenizer metadata is refused with a status, never a crash. */
static void gguf_errors(void)
{
    char msg[256];
    int st;
    mn_gguf_writer *w;
    static const char *toks[] = {"<unk>", "a", "b", "ab"};
    for (int c = 0; c < 6; c++) {
        MT_OK(mn_gguf_writer_create(&w, 3, 0));
        if (c != 0) mn_gguf_writer_add_str(w, "tokenizer.ggml.model", c == 1 ? "t9" : "llama", c == 1 ? 2 : 5);
        if (c == 2) mn_gguf_writer_add_u32(w, "tokenizer.ggml.tokens", 3);
        else if (c != 3) mn_gguf_writer_add_arr_str(w, "tokenizer.ggml.tokens", toks, NULL, 4);
        if (c == 4) { float sc[2] = {0, 0}; mn_gguf_writer_add_arr(w, "tokenizer.ggml.scores", MN_GGUF_F32, sc, 2); }
        if (c == 5) mn_gguf_writer_add_u32(w, "tokenizer.ggml.bos_token_id", 7); /* out of range: default 1 kept */
        size_t size = mn_gguf_writer_size(w);
        unsigned char *buf = malloc(size);
        mn_gguf_writer_write(w, buf, size);
        mn_gguf_writer_free(w);
        mn_tokenizer *t = gguf_tok(buf, size, &st, msg, sizeof msg);
        static const int want[] = {MN_E_GGUF_KEY_MISSING, MN_E_UNSUPPORTED, MN_E_GGUF_KEY_TYPE, MN_E_GGUF_KEY_MISSING,
                                   MN_E_CORRUPT, MN_OK};
        if (st != want[c]) MT_NOTE_FAIL("case %d: status %d (%s), want %d", c, st, msg, want[c]);
        if (t) {
            int32_t ids[8];
            size_t n = mn_tokenizer_encode(t, ids, 8, "ab", 2, MN_TOK_ADD_SPECIAL);
            /* BOS is id 1 by default; "▁" has neither a token nor byte tokens: unk */
            MT_CHECK(n == 3 && ids[0] == 1 && ids[1] == 0 && ids[2] == 3);
        }
        mn_tokenizer_free(t);
        free(buf);
    }
}

void suite_tok(void)
{
    MT_RUN(json_valid);
    MT_RUN(json_malformed);
    MT_RUN(json_depth_and_fuzz);
    MT_RUN(unicode_tables);
    MT_RUN(unicode_normalization);
    MT_RUN(unicode_graphemes);
    MT_RUN(gpt2);
    MT_RUN(llama3);
    MT_RUN(qwen3);
    MT_RUN(mistral);
    MT_RUN(stream_decode);
    MT_RUN(roundtrip_corpus);
    MT_RUN(hf_errors);
    MT_RUN(format_detection);
    MT_RUN(bert);
    MT_RUN(spm_models);
    MT_RUN(gguf_spm);
    MT_RUN(gguf_gpt2);
    MT_RUN(gguf_errors);
}
