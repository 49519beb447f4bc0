/*
 * progress.h — the wall clock of a run and the progress line on stderr.
 *
 * The line ("doppel: 120000 documents, 310.2 MB, 95.3 MB/s", then with
 * "; clustering" and "; writing" after reading is done) is redrawn in
 * place with '\r' at most four times a second, so that drawing it costs
 * nothing measurable however fast documents arrive, and is erased before
 * anything else is written to stderr. MB are 10^6 bytes of input as read
 * (after gzip decompression).
 */
#ifndef DOPPEL_CLI_PROGRESS_H
#define DOPPEL_CLI_PROGRESS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

typedef struct cli_progress {
    int enabled;
    FILE *out;
    struct timespec start;
    struct timespec last_draw;
    int drawn;       /**< a line is on the terminal */
    size_t width;    /**< length of the line on the terminal */
    uint64_t documents, bytes; /**< the last totals reported */
    const char *stage; /**< what happens after reading, or NULL */
} cli_progress;

/** Start the clock; draw only if `enabled`. */
void cli_progress_init(cli_progress *p, int enabled, FILE *out);

/** Seconds since cli_progress_init. */
double cli_progress_elapsed(const cli_progress *p);

/** Report the totals so far; redraws if the last draw is >= 0.25 s old
 *  (or there was none). */
void cli_progress_update(cli_progress *p, uint64_t documents,
                         uint64_t bytes);

/** Say what is being done now that reading is over ("clustering"),
 *  appended to the last totals and drawn at once. */
void cli_progress_stage(cli_progress *p, const char *stage);

/** Erase the line if one is drawn. */
void cli_progress_clear(cli_progress *p);

/** Megabytes per second for `bytes` in `seconds` (0 when no time). */
double cli_mb_per_s(uint64_t bytes, double seconds);

#endif
