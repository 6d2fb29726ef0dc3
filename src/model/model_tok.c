/* model_tok.c - the model's tokenizer (from tokenizer.ggml.*, through
 * mn_tokenizer_create_gguf, built once at load) and one instance per context:
 * a tokenizer keeps scratch, and contexts may run on different threads.
 *
 * A context's instance is mn_tokenizer_clone() of the model's: the tables
 * are shared (read-only after creation, reference counted), only the scratch
 * and the error message are the clone's own. Nothing ever encodes with the
 * model's instance itself, so cloning it from several threads at once only
 * reads it. (Building each context's tokenizer again from the GGUF cost as
 * much as loading the model: 30-180 ms for a 50k vocabulary in wasm.) */
#include "model/model_internal.h"
#include <stdio.h>

mn_status mn_model_tok_load(mn_model *m, char *err, size_t errCapacity)
{
    size_t kid;
    m->tok = NULL;
    if (mn_gguf_find_key(m->g, "tokenizer.ggml.model", &kid) != MN_OK &&
        mn_gguf_find_key(m->g, "tokenizer.ggml.tokens", &kid) != MN_OK)
        return MN_OK; /* a model without a vocabulary: token ids only */
    char msg[256] = "";
    mn_status st = mn_tokenizer_create_gguf(&m->tok, m->g, msg, sizeof msg);
    if (st != MN_OK && err && errCapacity) snprintf(err, errCapacity, "tokenizer: %s", msg);
    return st;
}

mn_status mn_model_tok_clone(const mn_model *m, mn_tokenizer **out, char *err, size_t errCapacity)
{
    *out = NULL;
    mn_status st = m->tok ? mn_tokenizer_clone(out, m->tok) : MN_E_STATE;
    if (st != MN_OK && err && errCapacity) snprintf(err, errCapacity, "tokenizer: %s", mn_status_message(st));
    return st;
}
