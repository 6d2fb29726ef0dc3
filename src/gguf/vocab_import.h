/*
 * vocab_import.h - put a real vocabulary into a GGUF writer as the
 * tokenizer.ggml.* keys llama.cpp reads (llama-vocab.cpp), from the files
 * tokenizers ship in:
 *   - a GGUF file: every "tokenizer.*" key is copied as is;
 *   - a SentencePiece .model (protobuf): model "llama", pieces, scores and
 *     piece types (SentencePiece's type numbers are llama.cpp's), special ids
 *     from the trainer spec, add_space_prefix from the normalizer spec;
 *   - a Hugging Face tokenizer.json:
 *       byte-level BPE -> model "gpt2" + merges + pre ("gpt-2", "llama-bpe",
 *         "qwen2", detected from the pre-tokenizer regex, or given);
 *       BPE with byte_fallback (SentencePiece-style) -> model "llama", score
 *         -id (the piece order is the merge order), <0xXX> pieces BYTE;
 *       WordPiece -> model "bert" with llama.cpp's phantom-space tokens
 *         ("##ab" -> "ab", "ab" -> "\u2581ab", control tokens unchanged);
 *     special ids from a sibling *tokenizer_config.json when present;
 *   - a WordPiece vocab.txt (one token per line) -> model "bert".
 * Added tokens: special -> CONTROL, others USER_DEFINED; ids the file leaves
 * out become "[PAD<id>]" UNUSED tokens (as llama.cpp's converter does).
 * Traps: llama.cpp asserts that token strings are unique, so a duplicate is
 * an error here (MN_E_CORRUPT) instead of a crash there; an unknown
 * pre-tokenizer is refused by llama.cpp, so detection fails loudly
 * (MN_E_UNSUPPORTED: pass one explicitly) instead of guessing.
 */
#ifndef MN_GGUF_VOCAB_IMPORT_H
#define MN_GGUF_VOCAB_IMPORT_H
#include "minnow_gguf.h"
#include "core/error.h"

typedef struct mn_vocab_info {
    char model[16];   /* tokenizer.ggml.model: "llama", "gpt2", "bert", ... */
    size_t n_tokens;  /* the vocabulary size (rows of token_embd) */
} mn_vocab_info;

/**
 * Add the tokenizer.* keys of the vocabulary in `path` to w.
 * @param pre tokenizer.ggml.pre to write for a BPE vocabulary (NULL: detect).
 * @return MN_OK and *info; MN_E_IO; MN_E_NOMEM; MN_E_CORRUPT (malformed
 *         file, duplicate token); MN_E_UNSUPPORTED (a tokenizer model or
 *         pre-tokenizer llama.cpp would not accept); writer errors. The
 *         message is in err.
 */
mn_status mn_vocab_import(mn_gguf_writer *w, const char *path, const char *pre, mn_vocab_info *info, mn_err *err);
/**
 * The same from bytes in memory (not GGUF; untrusted, bounded by n). `name`
 * picks the format as a path would (".txt": vocab.txt; else JSON when the
 * text starts with '{', else SentencePiece); a sibling tokenizer_config.json
 * is not read.
 */
mn_status mn_vocab_import_mem(mn_gguf_writer *w, const char *name, const void *buf, size_t n, const char *pre,
                              mn_vocab_info *info, mn_err *err);
#endif
