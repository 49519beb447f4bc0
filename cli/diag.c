/*
 * diag.c — error messages and the mapping from library statuses to exit
 * codes (see diag.h). Messages go straight to stderr, unbuffered, so that
 * they appear in order with anything else written there.
 */
#include "diag.h"

#include "doppel.h"

#include <stdarg.h>
#include <stdio.h>

void cli_error(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "doppel: %s\n", line);
}

int cli_usage_error(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "doppel: %s\nTry 'doppel --help'.\n", line);
    return CLI_EXIT_USAGE;
}

int cli_exit_for_status(int status)
{
    switch (status) {
    case DOPPEL_ERR_IO:
    case DOPPEL_ERR_FORMAT:
    case DOPPEL_ERR_CORRUPT:
    case DOPPEL_ERR_VERSION:
    case DOPPEL_ERR_MISMATCH:
    case DOPPEL_ERR_LIMIT:
    case DOPPEL_ERR_BUSY:
    case DOPPEL_ERR_NOTFOUND:
        return CLI_EXIT_DATA;
    default: /* NOMEM, and PARAM/STATE: the CLI called the library wrongly */
        return CLI_EXIT_INTERNAL;
    }
}
