/*
 * llama_diff.c - minnow against llama.cpp itself (the libllama / libggml
 * that node-llama-cpp ships), built and run by scripts/check-llama-interop.
 *
 *   llama_diff rows                    every tensor type: ggml's reference
 *                                      quantizer (from_float_ref) and
 *                                      dequantizer (to_float) vs minnow's,
 *                                      byte for byte, on random and edge rows
 *   llama_diff quantize IN OUT FTYPE [pure]
 *                                      llama.cpp's llama_model_quantize (the
 *                                      file is then compared with minnow
 *                                      quantize's by tests/interop/gguf_compare.py)
 *
 * Prints "<group>: N passed, M failed". Compiled against the llama.h/ggml.h of
 * the same llama.cpp release as the binaries (node-llama-cpp's git bundle).
 */
#include "llama.h"
#include "ggml.h"
#include "tensor/quant.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Row pattern p of n finite floats: gaussian-ish, huge, tiny, constant,
 * zeros, one outlier, alternating signs, integers. Not subnormal rows: there
 * ggml's 1/d overflows and its float -> int conversions are undefined (x86
 * gives INT_MIN), while minnow's quantizers are total (their bytes differ
 * only in quants whose scale rounds to 0, so the values are the same). */
static void make_row(float *x, size_t n, int p, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng(s);
        float u = (float)((int32_t)(r >> 32)) / 2147483648.0f; /* [-1, 1) */
        float g = u + (float)((int32_t)r) / 2147483648.0f;
        switch (p) {
        case 0: x[i] = g * 0.02f; break;
        case 1: x[i] = g * 1e30f; break;
        case 2: x[i] = g * 1e-30f; break;
        case 3: x[i] = 0.75f; break;
        case 4: x[i] = 0.0f; break;
        case 5: x[i] = i == n / 3 ? 1000.0f : g * 0.01f; break;
        case 6: x[i] = (i & 1) ? -1.0f : 1.0f; break;
        default: x[i] = (float)((int)(u * 20.0f)); break;
        }
    }
}

/* Q8_K has no from_float_ref in ggml's public traits (the CPU backend owns
 * it), but libggml-base exports the reference function. */
void quantize_row_q8_K_ref(const float *x, void *y, int64_t k);

static int rows(void)
{
    static const uint32_t types[] = {1, 30, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 34, 35};
    int pass = 0, fail = 0;
    uint64_t seed = 1;
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        uint32_t t = types[ti];
        const mn_qtraits *m = mn_qtraits_get(t);
        const struct ggml_type_traits *g = ggml_get_type_traits((enum ggml_type)t);
        ggml_from_float_t from_ref = t == 15 ? (ggml_from_float_t)quantize_row_q8_K_ref : g ? g->from_float_ref : NULL;
        if (!m || !g || !from_ref || (size_t)g->type_size != m->type_size ||
            g->blck_size != (int64_t)m->block_size) {
            printf("FAIL %s: traits differ\n", m ? m->name : "?");
            fail++;
            continue;
        }
        const size_t n = m->block_size * 8, bytes = n / m->block_size * m->type_size;
        float *x = malloc(n * 4), *ya = malloc(n * 4), *yb = malloc(n * 4);
        unsigned char *qa = malloc(bytes), *qb = malloc(bytes);
        int bad = 0;
        for (int p = 0; p < 8 && !bad; p++) { /* quantize */
            make_row(x, n, p, &seed);
            memset(qa, 0, bytes);
            memset(qb, 0, bytes);
            from_ref(x, qa, (int64_t)n);
            m->quantize_row(x, qb, n);
            if (memcmp(qa, qb, bytes)) { printf("FAIL %s: quantize differs on pattern %d\n", m->name, p); bad = 1; }
        }
        for (int r = 0; r < 64 && !bad && g->to_float; r++) { /* dequantize random bytes */
            for (size_t i = 0; i < bytes; i++) qa[i] = (unsigned char)rng(&seed);
            g->to_float(qa, ya, (int64_t)n);
            m->dequantize_row_ref(qa, yb, n);
            for (size_t i = 0; i < n; i++)
                if (memcmp(&ya[i], &yb[i], 4) && !(isnan(ya[i]) && isnan(yb[i]))) {
                    printf("FAIL %s: dequantize differs at %zu (%g vs %g)\n", m->name, i, ya[i], yb[i]);
                    bad = 1;
                    break;
                }
        }
        if (bad) fail++; else pass++;
        free(x); free(ya); free(yb); free(qa); free(qb);
    }
    printf("ggml-rows: %d passed, %d failed\n", pass, fail);
    return fail != 0;
}

static void quiet(enum ggml_log_level level, const char *text, void *user) { (void)level; (void)text; (void)user; }

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "rows")) return rows();
    if (argc >= 5 && !strcmp(argv[1], "quantize")) {
        llama_log_set(quiet, NULL);
        llama_backend_init();
        llama_model_quantize_params p = llama_model_quantize_default_params();
        p.ftype = (enum llama_ftype)atoi(argv[4]);
        p.nthread = 1;
        p.pure = argc > 5 && !strcmp(argv[5], "pure");
        uint32_t r = llama_model_quantize(argv[2], argv[3], &p);
        llama_backend_free();
        return r != 0;
    }
    fprintf(stderr, "usage: llama_diff rows | quantize IN OUT FTYPE [pure]\n");
    return 2;
}
