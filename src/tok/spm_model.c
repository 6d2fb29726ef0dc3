/* spm_model.c - SentencePiece .model (protobuf) loader. */
#include "tok/tok_internal.h"

int mn_tok_load_spm(mn_tokenizer *t, const unsigned char *buf, size_t n)
{
    (void)buf; (void)n;
    return mn_err_set(&t->err, MN_E_UNSUPPORTED, "SentencePiece .model files are not supported yet");
}
