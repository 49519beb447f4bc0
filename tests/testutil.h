/*
 * testutil.h — small helpers shared by the suites: paths to test data, a
 * temporary directory per test, reading a whole file, and an allocator that
 * fails the N-th allocation (for out-of-memory paths).
 */
#ifndef DOPPEL_TESTUTIL_H
#define DOPPEL_TESTUTIL_H

#include "doppel.h"

#include <pthread.h>
#include <stddef.h>

/** DOPPEL_SOURCE_DIR "/" rel, in a static buffer of the caller's. */
const char *tu_source_path(char *buf, size_t cap, const char *rel);

/** Create a fresh temporary directory; returns its path (malloc'd). */
char *tu_mkdtemp(void);

/** Remove a directory tree (best effort). */
void tu_rmtree(const char *path);

/** Write len bytes to path; aborts the test on failure. */
void tu_write_file(const char *path, const void *data, size_t len);

/** Read a whole file (malloc'd, NUL-terminated); *len gets its size. */
char *tu_read_file(const char *path, size_t *len);

/** An allocator that fails every allocation after `budget` successes.
 *  Safe to use from several threads at once (doppel's workers); read or
 *  change the counters only while no doppel call is running. */
typedef struct tu_failing_alloc {
    doppel_allocator a;
    long budget;   /* allocations left before failing; <0 = never fail */
    long calls;    /* allocations attempted */
    long live;     /* allocations not yet freed */
    pthread_mutex_t mu;
} tu_failing_alloc;

/** Initialise a fresh allocator (once per tu_failing_alloc). */
void tu_failing_alloc_init(tu_failing_alloc *fa, long budget);

#endif
