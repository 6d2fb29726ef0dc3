/* Status codes: names and messages, version, zstd-style size errors. */
#include "minnow.h"

const char *mn_version(void) { return "0.1.0"; }
unsigned mn_version_number(void) { return MN_VERSION_NUMBER; }

typedef struct { int code; const char *name, *message; } mn_status_info;

/* One row per code; keep in the order of minnow.h. */
static const mn_status_info k_status[] = {
    {MN_OK, "MN_OK", "success"},
    {MN_E_INVALID_ARG, "MN_E_INVALID_ARG", "invalid argument"},
    {MN_E_NOMEM, "MN_E_NOMEM", "out of memory"},
    {MN_E_IO, "MN_E_IO", "input/output error"},
    {MN_E_DST_TOO_SMALL, "MN_E_DST_TOO_SMALL", "destination buffer too small"},
    {MN_E_CORRUPT, "MN_E_CORRUPT", "corrupt or malformed input"},
    {MN_E_UNSUPPORTED, "MN_E_UNSUPPORTED", "unsupported by this build"},
    {MN_E_THREADS, "MN_E_THREADS", "threads unavailable or thread creation failed"},
    {MN_E_CRYPTO, "MN_E_CRYPTO", "libsodium failure"},
    {MN_E_OVERFLOW, "MN_E_OVERFLOW", "size computation overflows"},
    {MN_E_STATE, "MN_E_STATE", "call not allowed in the handle's current state"},
    {MN_E_ID_MISMATCH, "MN_E_ID_MISMATCH", "model id differs from the expected id"},
    {MN_E_GGUF_MAGIC, "MN_E_GGUF_MAGIC", "not a GGUF file (bad magic)"},
    {MN_E_GGUF_VERSION, "MN_E_GGUF_VERSION", "unsupported GGUF version"},
    {MN_E_GGUF_TRUNCATED, "MN_E_GGUF_TRUNCATED", "GGUF file truncated"},
    {MN_E_GGUF_COUNT, "MN_E_GGUF_COUNT", "GGUF tensor or key count too large for the file"},
    {MN_E_GGUF_STRING, "MN_E_GGUF_STRING", "GGUF string length out of range"},
    {MN_E_GGUF_VALUE_TYPE, "MN_E_GGUF_VALUE_TYPE", "unknown GGUF metadata value type"},
    {MN_E_GGUF_ARRAY, "MN_E_GGUF_ARRAY", "bad GGUF array"},
    {MN_E_GGUF_DUP_KEY, "MN_E_GGUF_DUP_KEY", "duplicate GGUF metadata key"},
    {MN_E_GGUF_ALIGNMENT, "MN_E_GGUF_ALIGNMENT", "bad general.alignment"},
    {MN_E_GGUF_DIMS, "MN_E_GGUF_DIMS", "bad tensor dimension count or zero dimension"},
    {MN_E_GGUF_DIM_OVERFLOW, "MN_E_GGUF_DIM_OVERFLOW", "tensor size overflows"},
    {MN_E_GGUF_TENSOR_TYPE, "MN_E_GGUF_TENSOR_TYPE", "unknown or unsupported tensor type"},
    {MN_E_GGUF_SHAPE, "MN_E_GGUF_SHAPE", "tensor row length is not a multiple of the block size"},
    {MN_E_GGUF_OFFSET, "MN_E_GGUF_OFFSET", "tensor data offset not aligned"},
    {MN_E_GGUF_RANGE, "MN_E_GGUF_RANGE", "tensor data outside the file"},
    {MN_E_GGUF_OVERLAP, "MN_E_GGUF_OVERLAP", "tensor data regions overlap"},
    {MN_E_GGUF_DUP_TENSOR, "MN_E_GGUF_DUP_TENSOR", "duplicate tensor name"},
    {MN_E_GGUF_KEY_MISSING, "MN_E_GGUF_KEY_MISSING", "required GGUF key missing"},
    {MN_E_GGUF_KEY_TYPE, "MN_E_GGUF_KEY_TYPE", "GGUF key has the wrong type"},
    {MN_E_GGUF_TENSOR_MISSING, "MN_E_GGUF_TENSOR_MISSING", "required tensor missing"},
    {MN_E_TOK_INVALID_ID, "MN_E_TOK_INVALID_ID", "token id outside the vocabulary"},
    {MN_E_TOK_UTF8, "MN_E_TOK_UTF8", "text is not valid UTF-8"},
    {MN_E_MODEL_ARCH, "MN_E_MODEL_ARCH", "model architecture not supported"},
    {MN_E_MODEL_HPARAM, "MN_E_MODEL_HPARAM", "model hyper-parameter out of range or inconsistent"},
    {MN_E_MODEL_TENSOR, "MN_E_MODEL_TENSOR", "model tensor has the wrong shape or type"},
    {MN_E_CTX_FULL, "MN_E_CTX_FULL", "the tokens do not fit the context"},
};

static const mn_status_info *find_status(int status)
{
    for (size_t i = 0; i < sizeof k_status / sizeof k_status[0]; i++)
        if (k_status[i].code == status) return &k_status[i];
    return 0;
}

const char *mn_status_name(int status)
{
    const mn_status_info *s = find_status(status);
    return s ? s->name : "MN_E_UNKNOWN";
}

const char *mn_status_message(int status)
{
    const mn_status_info *s = find_status(status);
    return s ? s->message : "unknown status code";
}

int mn_is_error(size_t result) { return result > (size_t)-(ptrdiff_t)MN_STATUS_END_; }

mn_status mn_error_code(size_t result)
{
    return mn_is_error(result) ? (mn_status)(0 - result) : MN_OK;
}
