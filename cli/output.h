/*
 * output.h — where results go and how they are written.
 *
 * An output is standard output or a file given with -o. A file is written
 * to a temporary file in the same directory, flushed, fsync'd and renamed
 * over the destination only when everything succeeded, so the destination
 * always holds either its previous contents or the complete new result,
 * and a failed run leaves no partial file behind.
 *
 * The formats (docs/formats.md, "Output formats"):
 *   clusters  id TAB cluster_id TAB similarity, one line per document
 *   pairs     id_a TAB id_b TAB similarity, one line per verified pair
 *   jsonl     the representatives' input records, one per line
 * Ids are escaped in TSV (\t, \n, \r, \\) so that every line has exactly
 * three fields; similarities have four decimals.
 */
#ifndef DOPPEL_CLI_OUTPUT_H
#define DOPPEL_CLI_OUTPUT_H

#include "doppel.h"
#include "tempfile.h"

#include <stddef.h>

/*
 * Output goes through a plain buffer and write(2) rather than stdio so
 * that the first write error is kept with its errno and reported exactly
 * ("out.tsv: No space left on device"), and no output is written after it.
 */
typedef struct cli_output {
    int fd;             /**< -1 when not open */
    const char *name;   /**< for messages: the -o path or "standard output" */
    char *dest;         /**< the path renamed over at commit (the -o path,
                             or the file its symbolic link points to), or
                             NULL when writing in place */
    cli_tempfile tmp;   /**< the file being written when dest != NULL */
    unsigned mode;      /**< permissions the result gets at commit */
    char *buf;
    size_t len, cap;
    int error;          /**< first errno of a failed write, 0 if none */
} cli_output;

#define CLI_OUTPUT_INIT { -1, NULL, NULL, CLI_TEMPFILE_INIT, 0, NULL, 0, 0, 0 }

/**
 * Open an output: standard output when path is NULL or "-"; path itself,
 * written in place, when it is under /dev/ or exists and is not a regular
 * file (a FIFO); else a new temporary file next to path. Returns 0, or -1
 * after printing a message naming the path. Call it while no other thread
 * runs (it reads the umask).
 */
int cli_output_open(cli_output *o, const char *path);

/**
 * Finish the output: flush, and for a file fsync, give it the mode a newly
 * created file would have (or the mode of the file it replaces) and rename
 * it over dest. Returns 0, or -1 after printing a message; the temporary
 * file is removed either way. Closes the output.
 */
int cli_output_commit(cli_output *o);

/** Abandon the output: for a file, remove the temporary file and leave
 *  dest as it was. Safe after commit and on a never-opened output. */
void cli_output_abort(cli_output *o);

/** Append bytes. After a write error, nothing more is written (the error
 *  is reported by cli_output_commit). */
void cli_output_write(cli_output *o, const void *data, size_t len);

/** Append an id escaped for TSV (\t \n \r \\). */
void cli_write_tsv_id(cli_output *o, const char *id, size_t len);

/** The clusters format for a finished dedup. Returns 0 or a negative
 *  doppel status with err set. Write errors are reported at commit. */
int cli_write_clusters(cli_output *o, const doppel_dedup *d,
                       doppel_error *err);

/** The pairs format for a finished dedup. */
int cli_write_pairs(cli_output *o, const doppel_dedup *d, doppel_error *err);

/** One record of the jsonl format: a JSON Lines record's raw line as it
 *  was read; an article read from a plain-text file (rec->line == 0), which
 *  has no line of its own, as {"ID_FIELD":"...","TEXT_FIELD":"..."} (JSON-
 *  escaped, invalid UTF-8 replaced by U+FFFD so that the line is valid
 *  JSON, and readable again with the same --id-field/--text-field). */
void cli_write_jsonl_record(cli_output *o, const doppel_record *rec,
                            const char *id_field, const char *text_field);

#endif
