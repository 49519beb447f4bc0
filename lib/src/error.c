/*
 * error.c — the one table of status descriptions (doppel_strerror), the
 * version string, and the helpers that put a message with its context into
 * a caller-owned doppel_error. There is no global "last error": context
 * travels in the object the caller passes (libgit2's git_error, without the
 * thread-local).
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

DOPPEL_API const char *doppel_version(void)
{
    return DOPPEL_VERSION_STRING;
}

DOPPEL_API const char *doppel_strerror(int status)
{
    switch (status) {
    case DOPPEL_OK: return "no error";
    case DOPPEL_ERR_NOMEM: return "out of memory";
    case DOPPEL_ERR_PARAM: return "invalid argument";
    case DOPPEL_ERR_IO: return "input/output error";
    case DOPPEL_ERR_FORMAT: return "malformed input";
    case DOPPEL_ERR_CORRUPT: return "corrupt file";
    case DOPPEL_ERR_VERSION: return "unsupported format version";
    case DOPPEL_ERR_MISMATCH: return "parameters do not match";
    case DOPPEL_ERR_LIMIT: return "limit exceeded";
    case DOPPEL_ERR_STATE: return "call not valid in this state";
    case DOPPEL_ERR_BUSY: return "resource busy";
    case DOPPEL_ERR_NOTFOUND: return "not found";
    default: return "unknown error";
    }
}

int doppel__verror(doppel_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

int doppel__error(doppel_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    doppel__verror(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int doppel__error_prefix(doppel_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    char old[DOPPEL_ERROR_MESSAGE_MAX];
    memcpy(old, err->message, sizeof old);
    old[sizeof old - 1] = '\0';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    size_t used = n < 0 ? 0 : (size_t)n;
    if (used < sizeof err->message - 1) {
        size_t room = sizeof err->message - used;
        size_t olen = strlen(old);
        if (room > 2) {
            memcpy(err->message + used, ": ", 2);
            used += 2;
            room -= 2;
            if (olen > room - 1)
                olen = room - 1;
            memcpy(err->message + used, old, olen);
            err->message[used + olen] = '\0';
        }
    }
    err->code = code;
    return code;
}
