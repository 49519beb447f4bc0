/*
 * spool.h — inputs read twice. `--output jsonl` copies the records of the
 * chosen documents, which means reading the inputs a second time after the
 * documents were judged. Inputs that cannot be read twice (standard input,
 * pipes, devices) are first copied to a temporary file and read from
 * there both times; messages still name the input as the user gave it.
 */
#ifndef DOPPEL_CLI_SPOOL_H
#define DOPPEL_CLI_SPOOL_H

#include "doppel.h"
#include "output.h"
#include "tempfile.h"

#include <stddef.h>

typedef struct cli_spooled {
    const char *name; /* as given: "-" or the path */
    cli_tempfile tmp;
} cli_spooled;

typedef struct cli_inputs {
    const char **paths; /* what the reader opens (spools substituted) */
    size_t npaths;
    cli_spooled *spools;
    size_t nspools;
} cli_inputs;

/** Copy every input that cannot be read twice to a temporary file in
 *  $TMPDIR and read that instead. Returns an exit code (0 = fine). */
int cli_spool_inputs(cli_inputs *in);

/** Remove the temporary files. */
void cli_inputs_cleanup(cli_inputs *in);

/** Print a library error; a message naming a spooled copy names the input
 *  the user gave instead. Returns the exit code. */
int cli_report(const cli_inputs *in, int rc, const doppel_error *err);

/**
 * Read the inputs again and write, in the jsonl format, the records that
 * `choose` keeps: it gets record i (0-based, in reading order) and sets
 * *keep; it returns 0, or a negative status with err set (say, when the
 * record is not the document it was the first time). There must be
 * exactly n records. Returns an exit code.
 */
int cli_copy_records(const cli_inputs *in, const doppel_reader_opts *ropts,
                     size_t n,
                     int (*choose)(void *ctx, size_t i,
                                   const doppel_record *rec, int *keep,
                                   doppel_error *err),
                     void *ctx, cli_output *out);

#endif
