/*
 * testutil.h — small helpers shared by the suites: paths to test data, a
 * temporary directory per test, reading a whole file, and an allocator that
 * fails the N-th allocation (for out-of-memory paths).
 */
#ifndef DOPPEL_TESTUTIL_H
#define DOPPEL_TESTUTIL_H

#include "doppel.h"

#include <check.h>
#include <pthread.h>
#include <stddef.h>

/**
 * An assertion for hot loops. Check's ck_assert_* records the location of
 * every assertion that passes (a write to a file), which dominates a loop
 * of a million checks; this one costs nothing until it fails.
 */
#define TU_CHECK(cond, ...)                                                    \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

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

/**
 * A copy of len bytes placed so that its last byte is the last byte of a
 * mapped page, followed by a PROT_NONE guard page: reading one byte past
 * the end faults (a crash Check reports), even where ASan does not look
 * (mmap'd memory). Free with tu_guarded_free().
 */
typedef struct tu_guarded {
    const char *data; /* the copy (len bytes, no terminator) */
    size_t len;
    void *map;        /* the whole mapping */
    size_t map_len;
} tu_guarded;

tu_guarded tu_guarded_copy(const void *data, size_t len);
/** Put len bytes (at most the size first given to tu_guarded_copy,
 *  rounded up to pages) at the end of g's mapping instead, without a new
 *  mapping: loops of thousands of inputs stay fast under valgrind. */
void tu_guarded_place(tu_guarded *g, const void *data, size_t len);
void tu_guarded_free(tu_guarded *g);

/** Articles read with the library's reader (the public API only). */
typedef struct tu_doc {
    char *id;        /* NUL-terminated copies */
    char *text;
    size_t text_len;
    int64_t date;
} tu_doc;

typedef struct tu_corpus {
    tu_doc *docs;
    size_t n;
} tu_corpus;

/**
 * Read every record of `path` (JSON Lines, a file or a directory) with
 * text_field as the text (NULL = "text"); aborts the test on any error.
 */
void tu_corpus_load(tu_corpus *c, const char *path, const char *text_field);
void tu_corpus_free(tu_corpus *c);
/** The document with this id, or NULL. */
const tu_doc *tu_corpus_find(const tu_corpus *c, const char *id);

#endif
