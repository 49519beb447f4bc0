/*
 * index_cmd.h — `doppel index SUBCOMMAND INDEX ...`: a persistent index of
 * articles for a feed (docs/index.md).
 *
 *   index_cmd.c        the subcommand table, options, create, remove,
 *                      expire, stats, compact, verify
 *   index_feed_cmd.c   add and query: reading articles, the reports
 */
#ifndef DOPPEL_CLI_INDEX_CMD_H
#define DOPPEL_CLI_INDEX_CMD_H

#include "common_opts.h"
#include "doppel.h"

#include <stdio.h>

/** Run `doppel index` with the arguments after the word "index". */
int index_command(int argc, char **argv);

/** The help of `doppel index` (the list of subcommands). */
void index_print_help(FILE *out);

/* ------------------------------------------------- shared by the files */

typedef struct index_config {
    cli_common c;
    int no_merge;         /* --no-merge */
    int verify;           /* --verify */
    int wait;             /* --wait */
    const char *ids_from; /* --ids-from FILE */
    const char *before;   /* --before DATE */
} index_config;

/**
 * Open the index at `path` (flags DOPPEL_INDEX_*, plus VERIFY and WAIT
 * from the options) and check the parameters the user gave against it.
 * Prints the error and returns an exit code when it fails.
 */
int index_open(const char *path, const index_config *cfg, unsigned flags,
               doppel_index **out);

/** Merge segments after a change unless --no-merge; exit code. */
int index_merge(doppel_index *ix, const index_config *cfg);

int index_add_command(const index_config *cfg, const char **operands,
                      size_t nops);
int index_query_command(const index_config *cfg, const char **operands,
                        size_t nops);

#endif
