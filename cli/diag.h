/*
 * diag.h — how doppel talks to its user when something goes wrong: the
 * exit codes (one table, documented in docs/cli.md) and the "doppel: ..."
 * messages on standard error.
 *
 *   0  success
 *   1  bad input data or an I/O error (the message names the file and the
 *      line or byte offset)
 *   2  bad usage: unknown option, bad value, missing argument, parameters
 *      the library refuses
 *   3  internal error: out of memory, or a library call failing in a way
 *      that indicates a bug
 */
#ifndef DOPPEL_CLI_DIAG_H
#define DOPPEL_CLI_DIAG_H

#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1
#define CLI_EXIT_USAGE 2
#define CLI_EXIT_INTERNAL 3

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/** Print "doppel: MESSAGE\n" on standard error. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/** Print "doppel: MESSAGE" and "Try 'doppel --help'." on standard error;
 *  returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/** The exit code for a failed library call returning `status` while
 *  reading, writing or processing data (after the command line has been
 *  accepted): 3 for DOPPEL_ERR_NOMEM and for statuses that mean the CLI
 *  misused the library, 1 for the rest. */
int cli_exit_for_status(int status);

#endif
