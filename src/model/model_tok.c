/* model_tok.c - the model's tokenizer (from tokenizer.ggml.*, through
 * mn_tokenizer_create_gguf) and one instance per context: a tokenizer keeps
 * scratch, and contexts may run on different threads. */
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
    char msg[256] = "";
    *out = NULL;
    mn_status st = mn_tokenizer_create_gguf(out, m->g, msg, sizeof msg);
    if (st != MN_OK && err && errCapacity) snprintf(err, errCapacity, "tokenizer: %s", msg);
    return st;
}
