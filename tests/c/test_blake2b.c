/* BLAKE2b known answers (tests/golden/blake2b-kat.txt), streaming = one-shot,
 * argument checks, and model ids of real files (same golden on every target). */
#include "mtest.h"
#include "minnow.h"
#include <stdlib.h>

static size_t unhex(const char *s, unsigned char *out, size_t cap)
{
    if (!strcmp(s, "-")) return 0;
    size_t n = strlen(s) / 2;
    if (n > cap) { MT_NOTE_FAIL("hex string too long"); return 0; }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) { MT_NOTE_FAIL("bad hex"); return 0; }
        out[i] = (unsigned char)v;
    }
    return n;
}

static void kat_file(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/blake2b-kat.txt", mt.golden_dir);
    FILE *f = fopen(path, "r");
    MT_CHECK(f != NULL);
    char kh[300], ih[300], dh[300];
    int lines = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "%299s %299s %299s", kh, ih, dh) != 3) { fclose(f); MT_FAIL("bad KAT line"); }
        unsigned char key[64], in[128], want[64], got[64];
        size_t kn = unhex(kh, key, sizeof key), in_n = unhex(ih, in, sizeof in), dn = unhex(dh, want, sizeof want);
        MT_OK(mn_blake2b(got, dn, in, in_n, kn ? key : NULL, kn));
        if (memcmp(got, want, dn) != 0) { fclose(f); MT_FAIL("KAT mismatch on line: %s", line); }
        lines++;
    }
    fclose(f);
    MT_CHECK(lines >= 6);
}

static void streaming_equals_oneshot(void)
{
    unsigned char data[1000], one[32], inc[32];
    for (int i = 0; i < 1000; i++) data[i] = (unsigned char)(i * 7 + 3);
    MT_OK(mn_blake2b(one, 32, data, sizeof data, NULL, 0));
    static const size_t steps[] = {1, 3, 7, 31, 33, 128, 129, 1000};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        mn_hasher *h = NULL;
        MT_OK(mn_hasher_create(&h, 32));
        for (size_t at = 0; at < sizeof data; at += steps[s]) {
            size_t n = sizeof data - at < steps[s] ? sizeof data - at : steps[s];
            MT_OK(mn_hasher_update(h, data + at, n));
        }
        MT_OK(mn_hasher_final(h, inc, 32));
        MT_EQ_INT(mn_hasher_final(h, inc, 32), MN_E_STATE);
        MT_EQ_INT(mn_hasher_update(h, data, 1), MN_E_STATE);
        MT_CHECK(strlen(mn_hasher_error(h)) > 0);
        mn_hasher_free(h);
        MT_EQ_MEM(one, inc, 32);
    }
}

static void bad_arguments(void)
{
    unsigned char out[64];
    MT_EQ_INT(mn_blake2b(out, 15, "a", 1, NULL, 0), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_blake2b(out, 65, "a", 1, NULL, 0), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_blake2b(NULL, 32, "a", 1, NULL, 0), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_blake2b(out, 32, NULL, 1, NULL, 0), MN_E_INVALID_ARG);
    MT_EQ_INT(mn_blake2b(out, 32, "a", 1, NULL, 5), MN_E_INVALID_ARG);
    MT_OK(mn_blake2b(out, 32, NULL, 0, NULL, 0));
    mn_hasher *h = (mn_hasher *)&out;
    MT_EQ_INT(mn_hasher_create(&h, 8), MN_E_INVALID_ARG);
    MT_CHECK(h == NULL);
    MT_OK(mn_hasher_create(&h, 32));
    MT_EQ_INT(mn_hasher_final(h, out, 31), MN_E_INVALID_ARG);
    mn_hasher_free(h);
    mn_hasher_free(NULL);
    char hex[8];
    MT_CHECK(mn_is_error(mn_hex(hex, sizeof hex, out, 4)));
    MT_EQ_INT(mn_error_code(mn_hex(hex, sizeof hex, out, 4)), MN_E_DST_TOO_SMALL);
    MT_EQ_U64(mn_hex(hex, sizeof hex, "\x01\xab\xff", 3), 6);
    MT_EQ_STR(hex, "01abff");
}

/* Model ids of files, on every target the same golden text. */
static void model_ids(void)
{
    static const char *files[] = {"models/stories260K/stories260K.gguf", "corpus/alice29.txt",
                                  "tokenizers/gpt2/merges.txt"};
    char out[1024] = "", line[256], path[1024];
    size_t len = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        uint8_t id[MN_MODEL_ID_BYTES];
        char hex[MN_MODEL_ID_HEX_BYTES];
        snprintf(path, sizeof path, "%s/%s", mt.shared_dir, files[i]);
        MT_OK(mn_model_id_file(id, path));
        MT_EQ_U64(mn_hex(hex, sizeof hex, id, sizeof id), 64);
        int n = snprintf(line, sizeof line, "%s  %s\n", hex, files[i]);
        memcpy(out + len, line, (size_t)n);
        len += (size_t)n;
    }
    MT_GOLDEN("model-ids.txt", out, len);
    uint8_t id[32];
    MT_EQ_INT(mn_model_id_file(id, "/nonexistent/minnow/file"), MN_E_IO);
}

void suite_blake2b(void)
{
    MT_RUN(kat_file);
    MT_RUN(streaming_equals_oneshot);
    MT_RUN(bad_arguments);
    MT_RUN(model_ids);
}
