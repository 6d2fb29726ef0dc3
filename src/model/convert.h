/* convert.h - other checkpoint formats into GGUF (used by `minnow convert`
 * and the tests; not part of the public API). */
#ifndef MN_MODEL_CONVERT_H
#define MN_MODEL_CONVERT_H
#include "minnow.h"

/**
 * A llama2.c checkpoint (v0 or v1, f32) and optionally its tokenizer.bin
 * (tok may be NULL) as a GGUF writer with llama.cpp's keys and tensor names
 * (see convert_llama2c.c). The writer borrows ckpt's bytes: keep them alive
 * until the last mn_gguf_writer_write*(), then mn_gguf_writer_free().
 * @return MN_OK and *out; MN_E_CORRUPT (sizes do not add up), MN_E_UNSUPPORTED
 *         (checkpoint version 2), MN_E_NOMEM, MN_E_INVALID_ARG (NULL, or the
 *         bytes are a GGUF file already).
 */
mn_status mn_convert_llama2c(mn_gguf_writer **out, const void *ckpt, size_t ckptSize, const void *tok,
                             size_t tokSize, char *err, size_t errCapacity);
#endif
