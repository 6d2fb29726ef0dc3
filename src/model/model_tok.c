/* model_tok.c - the model's tokenizer (from tokenizer.ggml.*, through
 * mn_tokenizer_create_gguf) and one instance per context: a tokenizer keeps
 * scratch, and contexts may run on different threads.
 *
 * Trap: the model's mn_gguf handle is shared by every thread using the model,
 * and its fallible accessors write the handle's error message (a failed
 * lookup of an optional key does). Building a context's tokenizer from it
 * would race with another thread doing the same. So each instance is built
 * from a private handle over the same bytes (mn_gguf_open_memory: no copy,
 * freed right after), and after loading nothing writes the model's handle. */
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
    size_t size = 0;
    const void *bytes = mn_gguf_bytes(m->g, &size);
    mn_gguf *own = NULL;
    *out = NULL;
    mn_status st = bytes ? mn_gguf_open_memory(&own, bytes, size, MN_GGUF_ALLOW_UNSUPPORTED, msg, sizeof msg) : MN_E_STATE;
    if (st == MN_OK) st = mn_tokenizer_create_gguf(out, own, msg, sizeof msg);
    mn_gguf_free(own);
    if (st != MN_OK && err && errCapacity) snprintf(err, errCapacity, "tokenizer: %s", msg[0] ? msg : mn_status_message(st));
    return st;
}
