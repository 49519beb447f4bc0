/*
 * clirun.h — running the built `doppel` program from a test (fork/exec of
 * DOPPEL_CLI_PATH) and collecting its exit status, standard output and
 * standard error, plus small helpers for writing inputs. Used by the CLI
 * suites (check_cli.c, check_index_cli.c), so that they see exactly what a
 * user sees.
 */
#ifndef DOPPEL_CLIRUN_H
#define DOPPEL_CLIRUN_H

#include <stddef.h>

typedef struct run_opts {
    const char *stdin_data; /* fed through a pipe; NULL = /dev/null */
    size_t stdin_len;
    const char *tmpdir;     /* TMPDIR for the child; NULL = inherited */
    const char *cwd;        /* working directory; NULL = inherited */
    long as_limit;          /* RLIMIT_AS in bytes; 0 = none */
    long fsize_limit;       /* RLIMIT_FSIZE in bytes; 0 = none */
} run_opts;

typedef struct run_result {
    int status; /* exit code, or 128 + signal */
    char *out, *err;
    size_t out_len, err_len;
} run_result;

void result_free(run_result *r);

/** Run DOPPEL_CLI_PATH with args (NULL-terminated); o may be NULL. */
void run_v(run_result *r, const run_opts *o, const char *const *args);

/** run(&r, &opts_or_NULL, "dedup", ..., NULL) */
void run(run_result *r, const run_opts *o, ...);

/** "dir/name", malloc'd. */
char *path_in(const char *dir, const char *name);

/** Write text to dir/name; returns the path (malloc'd). */
char *write_in(const char *dir, const char *name, const char *text);

/** A string built with printf (malloc'd). */
char *fmt(const char *f, ...);

/** Number of '\n' in s. */
size_t count_lines(const char *s);

#endif
