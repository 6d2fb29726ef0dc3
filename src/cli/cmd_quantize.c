/* minnow quantize IN.gguf OUT.gguf TYPE: llama.cpp's quantization (see src/gguf/quantize.h).
 * OUT naming IN itself (same inode) is refused without --inplace; a read-only OUT is never replaced. */
#include "cli/cli.h"
#include "gguf/qplan.h"
#include "gguf/quantize.h"
#include "minnow_gguf.h"
#include <inttypes.h>
#include <string.h>

void mn_cli_quantize_options(FILE *f)
{
    fprintf(f,
            "  TYPE                %s\n"
            "  --pure              every weight gets TYPE (no llama.cpp mix rules; the row-size fallback still applies)\n"
            "  --allow-requantize  convert tensors that are already quantized (loses precision twice)\n"
            "  --inplace, --force  allow OUT to be IN itself (same path, hard link or symlink): IN is replaced\n"
            "  --threads N         worker threads, 1..%d (default 1; the bytes do not depend on it)\n"
            "OUT is written as OUT.minnow-tmp and renamed, so a failure leaves no partial file;\n"
            "an OUT without write permission is never replaced.\n",
            mn_ftype_names(), mn_threads_max());
}

int mn_cmd_quantize(int argc, char **argv)
{
    const char *pos[3] = {NULL, NULL, NULL}, *v;
    int npos = 0;
    long threads = 1;
    mn_quantize_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (mn_cli_is_help(a)) return mn_cli_help("quantize");
        else if (!strcmp(a, "--pure")) o.pure = 1;
        else if (!strcmp(a, "--allow-requantize")) o.allow_requantize = 1;
        else if (!strcmp(a, "--inplace") || !strcmp(a, "--force")) o.inplace = 1;
        else if (!strcmp(a, "--threads")) {
            if (!(v = mn_cli_value("quantize", argc, argv, &i)) || mn_cli_threads("quantize", v, &threads)) return 2;
        } else if (a[0] == '-' && a[1]) return mn_cli_usage("quantize", "unknown option '%s'", a);
        else if (npos < 3) pos[npos++] = a;
        else return mn_cli_usage("quantize", "unexpected argument '%s'", a);
    }
    if (npos != 3) return mn_cli_usage("quantize", "needs IN.gguf, OUT.gguf and TYPE");
    if (mn_ftype_parse(pos[2], &o.ftype)) return mn_cli_usage("quantize", "unknown type '%s' (%s)", pos[2], mn_ftype_names());
    mn_pool *pool;
    int prc = mn_cli_pool(threads, &pool);
    if (prc) return prc;
    o.pool = pool;
    mn_err err = {0};
    mn_quantize_report r;
    mn_status st = mn_quantize_file(pos[0], pos[1], &o, &r, &err);
    mn_pool_free(pool);
    if (st) return mn_cli_fail(st, "quantize: %s", err.msg);
    printf("%s%s: %s, %zu tensors (%zu converted), %" PRIu64 " -> %" PRIu64 " bytes of tensor data; types:", pos[1],
           r.replaced_input ? " (replaced the input)" : "", mn_ftype_name(o.ftype), r.n_tensors, r.n_converted,
           r.in_bytes, r.out_bytes);
    for (uint32_t t = 0; t < 64; t++)
        if (r.type_count[t]) printf(" %s x%zu", mn_ggml_type_name(t), r.type_count[t]);
    printf("\n");
    if (r.n_fallback) printf("  %zu tensors fell back to another type (row length not a multiple of the block size)\n", r.n_fallback);
    return 0;
}
