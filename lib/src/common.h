/*
 * common.h — what every library source file shares: the allocator wrappers
 * (overflow-checked array allocation, the caller's doppel_allocator or
 * malloc), error reporting into a caller-owned doppel_error, and one-line
 * forwarding macros that keep error paths short (zstd's FORWARD_IF_ERROR).
 *
 * Internal helpers shared across files are named doppel__*; everything else
 * in a source file is static.
 */
#ifndef DOPPEL_COMMON_H
#define DOPPEL_COMMON_H

#include "doppel.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DOPPEL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define DOPPEL_LIKELY(x) __builtin_expect(!!(x), 1)
#define DOPPEL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DOPPEL_PRINTF(fmt, args)
#define DOPPEL_LIKELY(x) (x)
#define DOPPEL_UNLIKELY(x) (x)
#endif

/* ------------------------------------------------------------- allocation */

/** The allocator to use: `a` itself, or the malloc-based default. */
const doppel_allocator *doppel__allocator(const doppel_allocator *a);

void *doppel__malloc(const doppel_allocator *a, size_t size);
/** n * size bytes, or NULL when the product overflows or allocation fails. */
void *doppel__malloc_array(const doppel_allocator *a, size_t n, size_t size);
/** Zero-filled n * size bytes. */
void *doppel__calloc_array(const doppel_allocator *a, size_t n, size_t size);
void *doppel__realloc_array(const doppel_allocator *a, void *p, size_t n,
                            size_t size);
void doppel__free(const doppel_allocator *a, void *p);
/** A NUL-terminated copy of len bytes. */
char *doppel__strndup(const doppel_allocator *a, const char *s, size_t len);

/**
 * Grow *p (an array of *cap elements of `size` bytes) so that it holds at
 * least `need` elements, doubling. Returns 0 or DOPPEL_ERR_NOMEM (then *p
 * and *cap are unchanged).
 */
int doppel__grow(const doppel_allocator *a, void **p, size_t *cap,
                 size_t need, size_t size);

/**
 * A hint that the block p[0 .. size) will be read at random, a few cache
 * lines at a time, all over: on Linux, back it with transparent huge pages
 * where the system allows it (madvise), so that random access to a large
 * table costs a cache miss and not also a TLB miss (verification reads the
 * sketches of a million documents in random order). Elsewhere, nothing.
 */
void doppel__advise_random(void *p, size_t size);

/* ----------------------------------------------------------------- errors */

/**
 * Record `code` and a formatted message in `err` (which may be NULL) and
 * return `code`, so that callers can write `return doppel__error(...)`.
 */
int doppel__error(doppel_error *err, int code, const char *fmt, ...)
    DOPPEL_PRINTF(3, 4);
int doppel__verror(doppel_error *err, int code, const char *fmt, va_list ap);

/** Prefix an error message already in `err` with "prefix: "; returns code. */
int doppel__error_prefix(doppel_error *err, int code, const char *fmt, ...)
    DOPPEL_PRINTF(3, 4);

/** Shorthand for the commonest error. */
#define DOPPEL_NOMEM(err) doppel__error((err), DOPPEL_ERR_NOMEM, "out of memory")

/** Return the status of `expr` if it is an error. */
#define DOPPEL_FORWARD_IF_ERROR(expr)                                          \
    do {                                                                       \
        int doppel__rc = (expr);                                               \
        if (doppel__rc < 0)                                                    \
            return doppel__rc;                                                 \
    } while (0)

/** If `cond` holds, record the error and return its code. */
#define DOPPEL_RETURN_ERROR_IF(cond, err, code, ...)                           \
    do {                                                                       \
        if (cond)                                                              \
            return doppel__error((err), (code), __VA_ARGS__);                  \
    } while (0)

#endif /* DOPPEL_COMMON_H */
