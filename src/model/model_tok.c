/* model_tok.c - the model's tokenizer (from tokenizer.ggml.*) and one
 * instance per context. */
#include "model/model_internal.h"
#include <stdio.h>

mn_status mn_model_tok_clone(const mn_model *m, mn_tokenizer **out, char *err, size_t errCapacity)
{
    (void)m;
    *out = NULL;
    if (err && errCapacity) snprintf(err, errCapacity, "no tokenizer");
    return MN_E_UNSUPPORTED;
}
