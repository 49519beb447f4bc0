/*
 * options.h — a small table-driven command-line parser for doppel's
 * subcommands.
 *
 * Each subcommand describes its options as a table of cli_option: the long
 * name, an optional one-letter alias, whether it takes a value, a line for
 * --help, and a callback that stores the (validated) value in the
 * command's own configuration struct. The parser knows nothing about any
 * particular option, so adding one means adding one row, and --help is
 * printed from the same table, so the two cannot drift apart.
 *
 * Accepted syntax (GNU-like, without its surprises):
 *   --name VALUE, --name=VALUE        long options, exact names only (no
 *                                     abbreviations: a script that works
 *                                     today keeps working when options are
 *                                     added)
 *   -x VALUE, -xVALUE                 short aliases
 *   -abc                              short flags grouped
 *   --                                everything after it is an operand
 *   -                                 an operand (standard input)
 * Options and operands may be mixed in any order.
 */
#ifndef DOPPEL_CLI_OPTIONS_H
#define DOPPEL_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Room for one diagnostic message. */
#define CLI_MSG_MAX 512

typedef struct cli_option cli_option;

/**
 * Store an option's value in `cfg` (the command's configuration). `value`
 * is NULL for a flag. On an invalid value, write a message naming the
 * option and what it accepts into msg (CLI_MSG_MAX bytes) and return -1;
 * else return 0.
 */
typedef int (*cli_apply_fn)(void *cfg, const cli_option *opt,
                            const char *value, char *msg);

struct cli_option {
    const char *name;    /**< long name without "--" */
    char short_name;     /**< one-letter alias, or 0 */
    int takes_value;     /**< 1: requires a value; 0: a flag */
    const char *metavar; /**< the value's name in --help ("N", "PATH") */
    const char *help;    /**< one line for --help; NULL: only in docs */
    cli_apply_fn apply;
    int tag;             /**< free for the command (which field to set) */
};

/**
 * Parse argv[0 .. argc) (the program or command name is not included).
 * Options are applied in order through their callbacks; operands (every
 * argument that is not an option, "-" included) are stored in order in
 * `operands`, which must have room for argc entries, and counted in
 * *noperands. Returns 0, or -1 with a message in msg (the first problem:
 * unknown option, missing or unexpected value, or the callback's message).
 */
int cli_parse(const cli_option *opts, size_t nopts, int argc,
              char *const *argv, void *cfg, const char **operands,
              size_t *noperands, char *msg);

/** Print the options that have help text, one per line, aligned; every
 *  line fits in 80 columns if the help texts do (at most 54 bytes). */
void cli_print_option_help(FILE *out, const cli_option *opts, size_t nopts);

/* ------------------------------------------------------ value parsers
 * Each returns 0 and sets *out, or -1 with a message naming the option
 * (as "--name") and the accepted values. */

/** A decimal integer in [min, max]. */
int cli_parse_uint(const cli_option *opt, const char *s, uint64_t min,
                   uint64_t max, uint64_t *out, char *msg);

/** A decimal number x with min < x <= max (the interval (min, max]). */
int cli_parse_double_open_closed(const cli_option *opt, const char *s,
                                 double min, double max, double *out,
                                 char *msg);

/** A byte count: a decimal integer with an optional suffix K, M or G
 *  (powers of 1024, either case), at least 1. */
int cli_parse_size(const cli_option *opt, const char *s, uint64_t *out,
                   char *msg);

/** One of `choices` (a NULL-terminated list); *out is its index. */
int cli_parse_choice(const cli_option *opt, const char *s,
                     const char *const *choices, int *out, char *msg);

#endif
