/*
 * minnow_tok.h - tokenizers: byte-level BPE (GPT-2, Llama-3, Qwen2/3,
 * cl100k/o200k-style), SentencePiece BPE (Llama-2, Mistral, TinyLlama),
 * Unigram (T5, ALBERT) and WordPiece (BERT), loaded from a Hugging Face
 * tokenizer.json, a GGUF file's tokenizer.ggml.* metadata or a SentencePiece
 * .model, matching the reference of each format token for token (Hugging Face
 * `tokenizers`, llama.cpp, the sentencepiece library). docs/tokenizers.md.
 *
 * Conventions are those of minnow.h: status codes or zstd-style size_t
 * results (test with mn_is_error()), caller-owned buffers in (dst,
 * dstCapacity, src, srcSize) order, no global state. A tokenizer is immutable
 * after creation except for its scratch buffers and last error message: use
 * one handle per thread (mn_tokenizer_clone() makes one cheaply), or
 * serialise calls. The const functions (vocab queries, streams) may run
 * concurrently with anything.
 *
 * Text is UTF-8; invalid UTF-8 is rejected with MN_E_TOK_UTF8 unless the
 * MN_TOK_LOSSY flag is given.
 */
#ifndef MINNOW_TOK_H
#define MINNOW_TOK_H
#include "minnow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tokenizer status codes (range 200..299 of mn_status, in minnow.h):
 * MN_E_TOK_INVALID_ID (200), MN_E_TOK_UTF8 (201). */

typedef struct mn_tokenizer mn_tokenizer;
typedef struct mn_gguf mn_gguf; /* minnow_gguf.h (a repeated identical typedef is valid C11) */

/* Encode flags. */
#define MN_TOK_ADD_SPECIAL 0x1u   /* apply the post-processor: BOS/EOS etc. (HF add_special_tokens=True) */
#define MN_TOK_PARSE_SPECIAL 0x2u /* recognise special added tokens written in the text (HF's default);
                                     without it they are plain text. Non-special added tokens are always recognised. */
#define MN_TOK_LOSSY 0x8u         /* read invalid UTF-8 as U+FFFD, one per maximal invalid subpart (as Python's
                                     errors="replace", TextDecoder and Rust's from_utf8_lossy do: what HF sees of
                                     such bytes); offsets still index the original bytes. Without it: MN_E_TOK_UTF8 */
/* Decode flags. */
#define MN_TOK_SKIP_SPECIAL 0x4u  /* leave special tokens out (HF skip_special_tokens=True) */

/**
 * Create a tokenizer from the bytes of a Hugging Face tokenizer.json.
 * The bytes are not retained.
 * @param errMsg optional buffer receiving a one-line reason on failure
 *        (e.g. the unsupported pre-tokenizer regex); may be NULL.
 * @return MN_OK and *out; MN_E_CORRUPT (malformed JSON or inconsistent vocab/merges),
 *         MN_E_UNSUPPORTED (a model, normalizer, pre-tokenizer or decoder not
 *         implemented), MN_E_NOMEM, MN_E_INVALID_ARG.
 */
MN_API mn_status mn_tokenizer_create_hf(mn_tokenizer **out, const void *json, size_t jsonSize,
                                        char *errMsg, size_t errMsgCapacity);

/**
 * Create a tokenizer from the tokenizer.ggml.* metadata of an open GGUF file,
 * read as llama.cpp reads it (model "llama": SentencePiece BPE over scores;
 * "gpt2": byte-level BPE, pre-tokenizer chosen by tokenizer.ggml.pre;
 * CONTROL/UNKNOWN tokens special, USER_DEFINED tokens always matched;
 * MN_TOK_ADD_SPECIAL adds BOS/EOS exactly when llama.cpp does). See
 * docs/tokenizers.md for the deliberate differences from llama.cpp.
 * g is only read during the call: it may be freed right after.
 * @return MN_OK and *out; MN_E_GGUF_KEY_MISSING / MN_E_GGUF_KEY_TYPE (a
 *         required key absent or mistyped), MN_E_CORRUPT (inconsistent data),
 *         MN_E_UNSUPPORTED (a model or pre-tokenizer not implemented, named
 *         in the message), MN_E_NOMEM, MN_E_INVALID_ARG.
 */
MN_API mn_status mn_tokenizer_create_gguf(mn_tokenizer **out, mn_gguf *g, char *errMsg, size_t errMsgCapacity);

/**
 * Create a tokenizer from the bytes of a tokenizer.json, a GGUF file (its
 * tokenizer metadata) or a SentencePiece .model, recognised by content: a
 * JSON object, the GGUF magic, or a protobuf that starts with a piece. The
 * bytes are only read during the call (what JS passes after a fetch).
 * @return as mn_tokenizer_create_hf / mn_tokenizer_create_gguf, plus the GGUF
 *         open errors (MN_E_GGUF_*) and MN_E_UNSUPPORTED with "unrecognised
 *         tokenizer file ..." for anything else (text, other JSON, a llama2.c
 *         tokenizer.bin: `minnow convert` turns that into a GGUF).
 */
MN_API mn_status mn_tokenizer_create_memory(mn_tokenizer **out, const void *data, size_t size,
                                            char *errMsg, size_t errMsgCapacity);

/**
 * Create a tokenizer from a file: a tokenizer.json, a GGUF (its tokenizer
 * metadata; the file is mapped, not read whole) or a SentencePiece .model,
 * recognised by content as mn_tokenizer_create_memory() does, not by name.
 * @return as mn_tokenizer_create_memory(), plus MN_E_IO (cannot open or read).
 */
MN_API mn_status mn_tokenizer_create_file(mn_tokenizer **out, const char *path,
                                          char *errMsg, size_t errMsgCapacity);

/**
 * Another handle on the same tokenizer, e.g. for another thread: the
 * vocabulary and tables are shared (read-only, reference counted), the
 * scratch buffers and error message are its own. No parsing: O(1) apart from
 * the allocation. src may be in use by another thread during the call. Free
 * every handle with mn_tokenizer_free(); the tables go with the last one.
 * @return MN_OK and *out; MN_E_NOMEM, MN_E_INVALID_ARG.
 */
MN_API mn_status mn_tokenizer_clone(mn_tokenizer **out, const mn_tokenizer *src);

/** Free a tokenizer handle (NULL is a no-op). */
MN_API void mn_tokenizer_free(mn_tokenizer *tok);
/** @return the last error message of tok ("" if none, never NULL). */
MN_API const char *mn_tokenizer_error(const mn_tokenizer *tok);
/** @return 1 + the largest token id (model vocabulary and added tokens). */
MN_API size_t mn_tokenizer_vocab_size(const mn_tokenizer *tok);

/**
 * @return an upper bound on the number of ids mn_tokenizer_encode() can
 * produce for textSize bytes of valid UTF-8 with any flags (an allocation
 * size, not a guess), or MN_E_OVERFLOW. With MN_TOK_LOSSY on text that may be
 * invalid, ask for 3 * textSize (an invalid byte becomes 3 bytes of U+FFFD).
 */
MN_API size_t mn_tokenizer_encode_bound(const mn_tokenizer *tok, size_t textSize);

/**
 * Encode text into token ids, like HF `encode(text, add_special_tokens)`.
 * Flags: MN_TOK_ADD_SPECIAL, MN_TOK_PARSE_SPECIAL, MN_TOK_LOSSY.
 * @param dst may be NULL with dstCapacity 0: then only the count is returned.
 * @return the number of ids, or an error: MN_E_DST_TOO_SMALL (more ids than
 *         dstCapacity; nothing partial is promised), MN_E_TOK_UTF8 (invalid
 *         UTF-8 without MN_TOK_LOSSY), MN_E_NOMEM, MN_E_INVALID_ARG (text of
 *         4 GiB or more, 1.4 GB or more if invalid with MN_TOK_LOSSY).
 */
MN_API size_t mn_tokenizer_encode(mn_tokenizer *tok, int32_t *dst, size_t dstCapacity,
                                  const void *text, size_t textSize, unsigned flags);
/**
 * mn_tokenizer_encode(), and the byte range of the text each token came from.
 * Trap: offsets sits between dst and dstCapacity, and dstCapacity counts ids:
 * offsets must hold 2 * dstCapacity entries (the signature predates the
 * (dst, dstCapacity) rule and is kept for its callers: js/worker.js, the CLI).
 * @param offsets NULL (then this is mn_tokenizer_encode()) or room for
 *        2 * dstCapacity size_t: token i gets offsets[2i] = start and
 *        offsets[2i+1] = end, a [start, end) byte range of text, as Hugging
 *        Face computes it: a token holding part of a character spans the whole
 *        character; a char a normalizer inserted (a prepended "▁") spans the
 *        character it is attached to; post-processor tokens (BOS, EOS, CLS,
 *        SEP) get [0, 0); with MN_TOK_LOSSY a U+FFFD spans the invalid bytes
 *        it replaces.
 * @return the number of ids n, with dst[0..n) and offsets[0..2n) written; or
 *         an error as mn_tokenizer_encode() (MN_E_DST_TOO_SMALL: more than
 *         dstCapacity ids, nothing partial promised in dst or offsets;
 *         MN_E_TOK_UTF8, MN_E_NOMEM, MN_E_INVALID_ARG).
 */
MN_API size_t mn_tokenizer_encode_offsets(mn_tokenizer *tok, int32_t *dst, size_t *offsets,
                                          size_t dstCapacity, const void *text, size_t textSize,
                                          unsigned flags);

/**
 * Decode ids into UTF-8 text, like HF `decode(ids, skip_special_tokens)`
 * (invalid byte sequences become U+FFFD as HF does). Not NUL-terminated.
 * @param dst may be NULL with dstCapacity 0 to query the size.
 * @return the number of bytes, or MN_E_DST_TOO_SMALL, MN_E_TOK_INVALID_ID, MN_E_NOMEM.
 */
MN_API size_t mn_tokenizer_decode(mn_tokenizer *tok, char *dst, size_t dstCapacity,
                                  const int32_t *ids, size_t idsCount, unsigned flags);

/**
 * The stored string of one token (as in the vocabulary: "Ġthe", "▁the",
 * "<0x0A>", "<|endoftext|>"), copied to dst without NUL.
 * @return its length, or MN_E_TOK_INVALID_ID / MN_E_DST_TOO_SMALL.
 */
MN_API size_t mn_tokenizer_id_to_token(const mn_tokenizer *tok, int32_t id, char *dst, size_t dstCapacity);
/** @return the id of a token string (vocabulary or added token), or -1. */
MN_API int32_t mn_tokenizer_token_to_id(const mn_tokenizer *tok, const char *token, size_t tokenSize);

/* ------------------------------------------------------ streaming decode */
/* Feed ids one at a time (e.g. as a model samples them); each call returns
 * the bytes that have become final. Output never contains a partial UTF-8
 * character: incomplete sequences are held back until completed, and bytes
 * that can never form a character come out as U+FFFD. The concatenation of
 * all pushes and the final flush equals mn_tokenizer_decode() of the same ids
 * for byte-level tokenizers; for SentencePiece byte-fallback it differs only
 * in how many U+FFFD an invalid byte run yields. */
typedef struct mn_tok_stream mn_tok_stream;
/** @return MN_OK, MN_E_NOMEM, MN_E_INVALID_ARG. The tokenizer must outlive the stream. */
MN_API mn_status mn_tok_stream_create(mn_tok_stream **out, const mn_tokenizer *tok, unsigned flags);
/** @return bytes written to dst (a token never needs more than its size + 8;
 *          64 + the longest token is always enough), or MN_E_TOK_INVALID_ID / MN_E_DST_TOO_SMALL
 *          (then the stream is unchanged). */
MN_API size_t mn_tok_stream_push(mn_tok_stream *s, int32_t id, char *dst, size_t dstCapacity);
/** Emit whatever is held back (as U+FFFD) and reset. @return bytes written or an error. */
MN_API size_t mn_tok_stream_flush(mn_tok_stream *s, char *dst, size_t dstCapacity);
/** Free a stream (NULL is a no-op); the tokenizer is not touched. */
MN_API void mn_tok_stream_free(mn_tok_stream *s);

#ifdef __cplusplus
}
#endif
#endif /* MINNOW_TOK_H */
