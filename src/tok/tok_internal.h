/* tok_internal.h - the tokenizer's in-memory description, shared by the
 * loaders (tokenizer.json, SentencePiece .model, later GGUF) and the engine.
 *
 * A loader fills an mn_tok_desc (a neutral vocabulary description: token
 * strings, scores, merges, added tokens, pipeline choices) and calls
 * mn_tok_build(); nothing in the engine knows which file format it came from. */
#ifndef MN_TOK_INTERNAL_H
#define MN_TOK_INTERNAL_H
#include "minnow_tok.h"
#include "core/error.h"
#include "tok/unicode.h"
#include <stddef.h>
#include <stdint.h>

/* Per-item bodies of long build loops stay out of line: V8 swaps a wasm
 * function's baseline code for optimised code only between calls, so a loop
 * over 50k tokens inside one function would run unoptimised to its end.
 * wasm-opt inlines a function with one caller whatever its attribute says:
 * such bodies are called through a volatile pointer (MN_OUT_OF_LINE). */
#define MN_OUT_OF_LINE(ret, name, params, fn) static ret (*volatile const name) params = fn

/* --------------------------------------------------------- description */
enum { MN_TOKM_BPE = 1, MN_TOKM_WORDPIECE = 2, MN_TOKM_UNIGRAM = 3 };

/* Token types (SentencePiece's, which GGUF's token_type reuses). */
enum { MN_TT_NORMAL = 1, MN_TT_UNKNOWN = 2, MN_TT_CONTROL = 3, MN_TT_USER_DEFINED = 4, MN_TT_UNUSED = 5, MN_TT_BYTE = 6 };

/* A byte trie over token strings: (node, byte) -> child in an open-addressing
 * table; node 0 is the root; val[node] = token id or -1. */
typedef struct mn_tok_trie {
    uint64_t *keys;   /* node << 8 | byte, UINT64_MAX = empty */
    uint32_t *child;
    size_t mask, used;
    int32_t *val;
    size_t n_nodes, cap_nodes;
} mn_tok_trie;
int mn_tok_trie_add(mn_tok_trie *tr, const char *s, size_t n, int32_t val);
/** @return the child of node for byte b, or 0 if none. */
uint32_t mn_tok_trie_next(const mn_tok_trie *tr, uint32_t node, unsigned char b);
/** @return the length of the longest token that prefixes s[0..n) (0: none), and *val. */
size_t mn_tok_trie_longest(const mn_tok_trie *tr, const char *s, size_t n, int32_t *val);
void mn_tok_trie_free(mn_tok_trie *tr);

/* Unigram best path: for each end position, the token ending there and its start. */
typedef struct mn_tok_uni_node { int32_t id; int32_t start; double score; } mn_tok_uni_node;

/* Pre-tokenizer split scanners (the regexes of the HF files, hand-written). */
enum {
    MN_SPLIT_NONE = 0,  /* the whole (normalized) text is one word */
    MN_SPLIT_GPT2,      /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
    MN_SPLIT_LLAMA3,    /* (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
    MN_SPLIT_QWEN2,     /* as LLAMA3 with \p{N} (one digit per word) */
    MN_SPLIT_DIGITS_GPT2, /* llama.cpp "smollm"/"starcoder"/...: \p{N} isolated one by one, then GPT2 between them */
    MN_SPLIT_O200K,     /* tiktoken's o200k_base pattern (GPT-4o): case-aware letter runs with marks */
    MN_SPLIT_BERT,      /* BertPreTokenizer: White_Space separates (and is dropped), each punctuation char
                           (ASCII punctuation or P* as of Unicode 8.0) is a word of its own */
    MN_SPLIT_TEKKEN,    /* Mistral's Tekken: o200k without contractions, one digit per word */
    MN_SPLIT_DEEPSEEK3, /* DeepSeek-V3's three Splits (\p{N}{1,3}; CJK runs; its own word pattern): pretok.c */
};
enum { MN_LIT_ISOLATED, MN_LIT_REMOVED, MN_LIT_MERGED_PREV, MN_LIT_MERGED_NEXT, MN_LIT_CONTIGUOUS };

/* Normalizer steps, applied in order. */
enum {
    MN_NORM_STEP_NFC = 1, MN_NORM_STEP_NFD, MN_NORM_STEP_NFKC, MN_NORM_STEP_NFKD,
    MN_NORM_STEP_LOWER,    /* Unicode simple lowercase */
    MN_NORM_STEP_PREPEND,  /* prepend str if the text is not empty */
    MN_NORM_STEP_REPLACE,  /* replace every occurrence of str by str2 (literal) */
    MN_NORM_STEP_BERT_CLEAN, /* BertNormalizer clean_text: drop NUL, U+FFFD and controls (Cc/Cf/Co as of
                                Unicode 8.0, except \t \n \r), White_Space and \t \n \r become ' ' */
    MN_NORM_STEP_BERT_CJK,   /* BertNormalizer handle_chinese_chars: ' ' around each CJK ideograph */
    MN_NORM_STEP_STRIP_MN,   /* StripAccents: drop nonspacing marks (Mn as of Unicode 8.0) */
    MN_NORM_STEP_SPM,        /* the sentencepiece library's normalizer (spm_* fields) */
    MN_NORM_STEP_PRECOMPILED,/* HF's Precompiled: the charsmap (spm_units) grapheme by grapheme */
    MN_NORM_STEP_STRIP,      /* HF's Strip: White_Space at the start (len & 1) and the end (len & 2) */
    MN_NORM_STEP_REPLACE_SPACES, /* HF's Replace(Regex(" {2,}"), str2): runs of 2+ spaces */
};
typedef struct mn_tok_norm_step {
    int op;
    char *str, *str2;
    size_t len, len2;
} mn_tok_norm_step;

/* Decoder steps (for decode), applied in order over the token strings. */
enum {
    MN_DEC_BYTELEVEL = 1, /* map the GPT-2 byte-unicode chars back to bytes */
    MN_DEC_REPLACE,       /* replace str by str2 in every token */
    MN_DEC_BYTE_FALLBACK, /* <0xXX> tokens -> bytes (invalid runs -> one U+FFFD per byte) */
    MN_DEC_FUSE,          /* concatenate */
    MN_DEC_STRIP,         /* strip up to `start` leading and `stop` trailing chars equal to str */
    MN_DEC_WORDPIECE,     /* tokens after the first: prefix str removed, else a ' ' before;
                             start != 0: HF's cleanup (" ." -> "." ...) on each token */
    MN_DEC_METASPACE,     /* str -> ' '; in the first token removed instead when start != 0 (prepend scheme not never) */
};
typedef struct mn_tok_dec_step {
    int op;
    char *str, *str2;
    size_t len, len2;
    size_t start, stop;
} mn_tok_dec_step;

typedef struct mn_tok_added {
    int32_t id;
    uint32_t off, len; /* content in added_bytes */
    uint32_t pat_off, pat_len; /* what is matched: the content, normalized if `normalized` */
    uint8_t special, lstrip, rstrip, single_word, normalized;
} mn_tok_added;

typedef struct mn_tok_merge { uint64_t key; uint32_t rank; int32_t nid; } mn_tok_merge;

#define MN_TOK_MAX_STEPS 8
#define MN_TOK_MAX_AFFIX 4

/* ----------------------------------------------------------- the handle */
struct mn_tokenizer {
    mn_err err;
    int model;
    /* vocabulary: id -> bytes (byte-level vocabularies are stored decoded to
     * raw bytes; `mapped` then says the entry was fully mappable) */
    size_t n_vocab;          /* 1 + max id in the model vocabulary */
    uint32_t *tok_off, *tok_len; /* tok_len == UINT32_MAX: no such id */
    char *tok_bytes;
    size_t tok_bytes_len;
    uint8_t *tok_unmapped;   /* byte-level only: 1 if kept as its original string */
    uint32_t *vhash;         /* open addressing: pairs (id, hash tag), id UINT32_MAX = empty */
    size_t vhash_mask;
    int vocab_dups;          /* some byte-level id spells the bytes of an earlier one (not in vhash) */
    uint32_t merge_next;     /* add_merge's guess for the next merge's result id (last result + 1) */
    /* merges: (left << 32 | right) -> rank, new id; one 16-byte slot per entry
     * (a lookup touches one cache line), key UINT64_MAX = empty */
    struct mn_tok_merge *mtab;
    size_t mhash_mask;
    /* merges added but not yet in mtab (mn_tok_add_merge queues them; mn_tok_merges_flush inserts
     * them in rank order in one tight loop, whose independent probes overlap their cache misses) */
    struct mn_tok_merge *mpend;
    size_t n_mpend, cap_mpend;
    /* BPE options */
    int byte_level;          /* ByteLevel pre-tokenizer / vocabulary in GPT-2 byte-unicode form */
    int bl_add_prefix_space; /* ByteLevel(add_prefix_space, use_regex): ' ' before each piece not starting with one */
    /* Metaspace pre-tokenizer: ' ' -> ms_rep, ms_rep prepended (per split), optionally split before each ms_rep */
    char ms_rep[8];
    size_t ms_rep_len;       /* 0: no Metaspace */
    int ms_prepend;          /* 0 never, 1 always, 2 first (only a split at the start of the text) */
    int ms_split;
    int ws_split;            /* WhitespaceSplit before: words between White_Space runs */
    int split;               /* MN_SPLIT_* */
    char *lit;               /* Split on a String pattern (lit_len > 0) instead: the string and */
    size_t lit_len;
    int lit_behavior;        /* MN_LIT_* (HF's SplitDelimiterBehavior) */
    int byte_fallback, fuse_unk, ignore_merges;
    int score_bpe;           /* SentencePiece / llama.cpp SPM: merge pairs come from token scores
                                (mn_tok_score_merges); a char without a token stays one symbol
                                that never merges and becomes byte tokens (or unk) at the end */
    /* score_bpe: chars that are not tokens but occur inside tokens (they can
     * still merge): packed UTF-8 (+ length << 24 ... see pchar_key) -> pseudo id < -2 */
    uint32_t *pc_keys;
    int32_t *pc_ids;
    size_t pc_mask, pc_n;
    int sp_words;            /* no pre-tokenizer, but no token has "▁" after another char:
                                words may be cut before each such "▁" without changing the result */
    uint64_t *pairmap;       /* BPE: bit (a << 8 | b) set if bytes a, b are adjacent inside some token;
                                a long word is cut where they are not (no merge can cross there);
                                NULL: no cutting (a merge involves a byte-fallback token) */
    int32_t unk_id;          /* -1 if none */
    /* SentencePiece: piece types and scores (Unigram, .model), tries, normalizer */
    uint8_t *tok_type;       /* MN_TT_* per id (NULL: all normal) */
    float *scores;
    float uni_min, uni_max;  /* Unigram: min / max score of normal pieces (max starts at FLT_MIN, as the library) */
    int uni_hf;              /* HF's Unigram (tokenizer.json): dscores, min over all pieces, unk runs fused
                                before the lookup, byte fallback over the fused text */
    double *dscores;         /* HF Unigram scores (f64) */
    double uni_dmin;
    mn_tok_trie trie_pieces; /* Unigram: normal, user-defined and unused pieces */
    mn_tok_trie trie_user;   /* user-defined pieces: passed through the normalizer, never split or merged */
    uint32_t *spm_units;     /* precompiled charsmap: Darts double array (NULL: none) */
    size_t spm_n_units;
    char *spm_pool;          /* its NUL-terminated replacement strings */
    size_t spm_pool_n;
    int spm_dummy, spm_rm_ws, spm_escape, spm_ws_suffix; /* add_dummy_prefix, remove_extra_whitespaces,
                                                            escape_whitespaces, treat_whitespace_as_suffix */
    /* WordPiece */
    char wp_prefix[32];      /* continuing_subword_prefix ("##") */
    size_t wp_prefix_len;
    size_t wp_max_chars;     /* max_input_chars_per_word: longer words are unk */
    int32_t byte_id[256];    /* byte-level: initial symbol of each byte; byte fallback: <0xXX>; -1 if absent */
    /* normalizer and decoder */
    mn_tok_norm_step norm[MN_TOK_MAX_STEPS];
    int n_norm;
    mn_tok_dec_step dec[MN_TOK_MAX_STEPS];
    int n_dec;
    /* added tokens */
    mn_tok_added *added;
    size_t n_added;
    char *added_bytes;
    size_t added_bytes_len;
    uint16_t added_first[257]; /* added sorted by first byte then length desc: [first..first+1) ranges */
    int has_norm_added;      /* some added token has normalized = 1 (and there is a normalizer) */
    size_t n_raw_special, n_raw_plain; /* added tokens matched in the raw text: special / always */
    /* post-processor for a single sequence */
    int trim_offsets, trim_prefix_space; /* ByteLevel post-processor: offsets without the spaces at a token's ends */
    int32_t prefix[MN_TOK_MAX_AFFIX], suffix[MN_TOK_MAX_AFFIX];
    int n_prefix, n_suffix;
    size_t max_expand;       /* normalizer output bytes per input byte, bound */
    size_t max_token_len;
    /* handles sharing the tables above (mn_tokenizer_clone): freed with the last */
    _Atomic unsigned *refs;
    /* scratch (reused across calls; one per handle) */
    struct mn_tok_scratch *scratch;
};

/* Engine entry points used by the loaders. */
/** A fast 64-bit hash of bytes (8 at a time; for in-memory tables only). */
uint64_t mn_tok_hash_bytes(const void *p, size_t n);
/** Lookup a token string in the model vocabulary. @return id or -1. */
int32_t mn_tok_vocab_find(const mn_tokenizer *t, const char *s, size_t n);
/** The same with h = mn_tok_hash_bytes(s, n) already computed. */
int32_t mn_tok_vocab_find_h(const mn_tokenizer *t, const char *s, size_t n, uint64_t h);
/** Build the vocabulary from (id, string) pairs: strings[i] of lens[i] is id ids[i].
 *  If byte_level is set, the strings are GPT-2 byte-unicode and are decoded. */
int mn_tok_set_vocab(mn_tokenizer *t, size_t n, const int32_t *ids, const char *const *strs, const size_t *lens);
/** Add a merge given the two token strings (in the vocabulary's original form). rank = call order. */
int mn_tok_add_merge(mn_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen, uint32_t rank);
int mn_tok_merges_reserve(mn_tokenizer *t, size_t n);
/** Insert the merges mn_tok_add_merge queued (mn_tok_finish does it first). */
void mn_tok_merges_flush(mn_tokenizer *t);
int mn_tok_add_added(mn_tokenizer *t, int32_t id, const char *s, size_t n, int special, int lstrip,
                     int rstrip, int single_word, int normalized);
/** Final checks and derived tables after the loader is done. */
int mn_tok_finish(mn_tokenizer *t);
mn_tokenizer *mn_tok_alloc(void);

/* GPT-2 byte <-> unicode map. */
uint32_t mn_tok_byte_to_cp(unsigned b);
/** @return the byte for a mapped code point, or -1. */
int mn_tok_cp_to_byte(uint32_t cp);

/* Pre-tokenizer scanners: split text[0..n) (valid UTF-8) into words;
 * calls emit(ctx, start, end) for each word in order. */
typedef int (*mn_tok_emit_fn)(void *ctx, size_t start, size_t end);
int mn_tok_split(int kind, const char *text, size_t n, mn_tok_emit_fn emit, void *ctx);

/** score_bpe: build the merge table from scores (higher merges first, equal
 *  scores leftmost first). A token is a merge result if mergeable[id] (NULL:
 *  every token). @return MN_OK or an error recorded in t->err. */
int mn_tok_score_merges(mn_tokenizer *t, const float *scores, const uint8_t *mergeable);
/** Append a normalizer / decoder step (strings copied). */
int mn_tok_add_norm(mn_tokenizer *t, int op, const char *a, size_t al, const char *b, size_t bl);
int mn_tok_add_dec(mn_tokenizer *t, int op, const char *a, size_t al, const char *b, size_t bl, size_t start, size_t stop);

/* spm.c */
int mn_tok_spm_set_charsmap(mn_tokenizer *t, const unsigned char *blob, size_t n);
/** The sentencepiece library's Normalizer::Normalize of in[0..n) into out
 *  (out->n reset). @return 0 or -1 (no memory). */
int mn_tok_spm_normalize(const mn_tokenizer *t, mn_ubuf *out, const char *in, size_t n, const uint32_t *ia, int with_align);
/** HF's Precompiled normalizer (spm_precompiled) of in[0..n) into out (out->n reset). */
int mn_tok_precompiled_normalize(const mn_tokenizer *t, mn_ubuf *out, const char *in, size_t n, const uint32_t *ia,
                                 int with_align);
/** Unigram Viterbi over s[0..n); nodes[n + 1]: the library's EncodeOptimized,
 *  or HF's Unigram (t->uni_hf: f64 scores, every piece, no user-defined bonus). */
int mn_tok_unigram_best(const mn_tokenizer *t, const char *s, size_t n, mn_tok_uni_node *nodes);

int mn_tok_load_hf(mn_tokenizer *t, const char *json, size_t n);
struct mn_gguf;
int mn_tok_load_gguf(mn_tokenizer *t, struct mn_gguf *g);
int mn_tok_load_spm(mn_tokenizer *t, const unsigned char *buf, size_t n);
#endif
