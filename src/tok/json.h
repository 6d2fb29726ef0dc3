/*
 * json.h - a small DOM JSON parser for hostile input (RFC 8259).
 *
 * The whole document becomes one flat array of nodes in document order
 * (a "tape"): a container is followed by its children, and every node knows
 * the index just past its subtree (`next`), so iteration and skipping are
 * O(1) per step and nothing recurses. An object's children alternate
 * key, value, key, value.
 *
 * Hostile input: the parser is iterative with an explicit depth limit, never
 * reads past src + srcSize (no NUL terminator needed), rejects invalid UTF-8,
 * control characters in strings, lone surrogates in \u escapes, leading zeros,
 * trailing garbage and documents of 4 GiB or more. Strings are unescaped into
 * one buffer whose size is bounded by the input size; the node count is
 * bounded by the input size too, so memory is O(srcSize).
 *
 * Numbers are kept as their source text (no libm, no locale): use
 * mn_json_i64() for integers, or read the text with mn_json_num_text().
 */
#ifndef MN_TOK_JSON_H
#define MN_TOK_JSON_H
#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

typedef enum mn_json_type {
    MN_JSON_NULL = 0, MN_JSON_FALSE, MN_JSON_TRUE, MN_JSON_NUMBER,
    MN_JSON_STRING, MN_JSON_ARRAY, MN_JSON_OBJECT
} mn_json_type;

typedef struct mn_json_node {
    uint8_t type;   /* mn_json_type */
    uint32_t len;   /* string/number: byte length; array: elements; object: members */
    uint32_t off;   /* string: offset in doc->str; number: offset in the source */
    uint32_t next;  /* index of the first node after this subtree */
} mn_json_node;

typedef struct mn_json {
    mn_json_node *nodes;
    size_t count;
    char *str;          /* unescaped strings, each followed by a NUL */
    const char *src;    /* the source (numbers point into it; must outlive the doc) */
    size_t srcSize;
} mn_json;

#define MN_JSON_DEPTH_DEFAULT 128u
#define MN_JSON_NONE UINT32_MAX

/**
 * Parse src[0..srcSize) into doc (which the caller zero-initialises or reuses
 * after mn_json_free). maxDepth: nesting limit (0 = MN_JSON_DEPTH_DEFAULT).
 * @return MN_OK; MN_E_CORRUPT (syntax, with "offset N: reason" in err);
 *         MN_E_NOMEM; MN_E_UNSUPPORTED (input >= 4 GiB or deeper than maxDepth).
 */
mn_status mn_json_parse(mn_json *doc, const char *src, size_t srcSize, unsigned maxDepth, mn_err *err);
void mn_json_free(mn_json *doc);

/* Accessors take a node index; MN_JSON_NONE (or any out-of-range index) is
 * accepted and behaves as "absent". */
static inline int mn_json_type_of(const mn_json *d, uint32_t i)
{ return i < d->count ? d->nodes[i].type : -1; }
/** @return the member value for key in object obj, or MN_JSON_NONE. Linear in the object size. */
uint32_t mn_json_get(const mn_json *d, uint32_t obj, const char *key);
/** @return the first child of a container (for objects: the first key), or MN_JSON_NONE. */
uint32_t mn_json_first(const mn_json *d, uint32_t container);
/** @return the next sibling (skips subtrees) given the parent, or MN_JSON_NONE at the end. */
uint32_t mn_json_next(const mn_json *d, uint32_t parent, uint32_t child);
/** @return the string bytes (NUL-terminated, may contain NULs) and *len, or NULL if not a string. */
const char *mn_json_str(const mn_json *d, uint32_t i, size_t *len);
/** @return 1 if node i is the string s. */
int mn_json_str_eq(const mn_json *d, uint32_t i, const char *s);
/** @return 1 and *out if node i is an integer number (no fraction/exponent) within int64. */
int mn_json_i64(const mn_json *d, uint32_t i, int64_t *out);
/** @return the source text of a number node and *len, or NULL. */
const char *mn_json_num_text(const mn_json *d, uint32_t i, size_t *len);
/** @return 1 if true, 0 if false/null/absent, def otherwise. */
int mn_json_bool(const mn_json *d, uint32_t i, int def);

#endif
