/*
 * dedup_cmd.h — `doppel dedup`: read articles, cluster near-duplicates,
 * write clusters, pairs or the deduplicated corpus.
 */
#ifndef DOPPEL_CLI_DEDUP_CMD_H
#define DOPPEL_CLI_DEDUP_CMD_H

#include <stdio.h>

/** Run `doppel dedup` with the arguments after the word "dedup". Returns
 *  the process exit code (see diag.h). */
int dedup_command(int argc, char **argv);

/** The help text of `doppel dedup` (at most 80 columns and, with the two
 *  usage lines main.c prints first, 24 lines). */
void dedup_print_help(FILE *out);

#endif
