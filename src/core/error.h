/* Per-handle error messages: every handle embeds an mn_err; no global state. */
#ifndef MN_CORE_ERROR_H
#define MN_CORE_ERROR_H
#include "minnow.h"

#define MN_ERR_MSG_MAX 256
typedef struct mn_err {
    int code;
    char msg[MN_ERR_MSG_MAX];
} mn_err;

/* Record code + formatted message in e (e may be NULL); @return code, so
 * callers write `return mn_err_set(&h->err, MN_E_IO, "open %s", path);`. */
int mn_err_set(mn_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static inline void mn_err_clear(mn_err *e) { if (e) { e->code = 0; e->msg[0] = 0; } }

#endif
