#include "core/error.h"
#include <stdarg.h>
#include <stdio.h>

int mn_err_set(mn_err *e, int code, const char *fmt, ...)
{
    if (!e) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < 0) snprintf(e->msg, sizeof e->msg, "%s", mn_status_message(code));
    return code;
}
