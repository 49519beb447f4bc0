/*
 * tempfile.h — temporary files that never outlive doppel: the output file
 * being written (renamed into place when complete) and the copy of
 * standard input kept for a second pass.
 *
 * Each one is registered while it exists, and a handler for the signals
 * that end a process (SIGINT, SIGTERM, SIGHUP, SIGPIPE) removes every
 * registered file before letting the signal take its default action. Every
 * other exit path removes or renames the file explicitly.
 */
#ifndef DOPPEL_CLI_TEMPFILE_H
#define DOPPEL_CLI_TEMPFILE_H

#include <stddef.h>

typedef struct cli_tempfile {
    int slot;   /**< registry slot, -1 when not registered */
    int fd;     /**< open descriptor, -1 when closed */
    char *path; /**< malloc'd, NULL when there is no file */
} cli_tempfile;

#define CLI_TEMPFILE_INIT { -1, -1, NULL }

/** Install the cleanup handler, and ignore SIGXFSZ (so that exceeding a
 *  file size limit fails the write with EFBIG instead of killing doppel).
 *  Call once, before any other thread. */
void cli_tempfile_install_handlers(void);

/**
 * Create a new empty file "DIR/PREFIXXXXXXX" (mode 0600), open for reading
 * and writing in t->fd, and register it. Returns 0, or -1 with errno set
 * (ENAMETOOLONG for a path too long to register, EMFILE when too many are
 * registered). Call it from the main thread while no other thread runs.
 */
int cli_tempfile_create(cli_tempfile *t, const char *dir, const char *prefix);

/** Rename the file to `dest` (atomically replacing it) and forget it.
 *  t->fd is left as it is. Returns 0, or -1 with errno set. */
int cli_tempfile_rename(cli_tempfile *t, const char *dest);

/** Close the descriptor if open, remove the file if it still exists, and
 *  release everything. Safe on an initialised, never-created tempfile. */
void cli_tempfile_remove(cli_tempfile *t);

#endif
