/*
 * util.h — small shared pieces of the benchmark library: a growable byte
 * buffer, error reporting into the caller's doppel_error, and a string hash
 * map. The buffer has a sticky out-of-memory flag (like cURL's dynbuf): after
 * a failed allocation every further append is a no-op, so a caller can build
 * a whole document and check once, at the end, instead of after every call.
 */
#ifndef BG_UTIL_H
#define BG_UTIL_H

#include "doppel.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define BG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define BG_PRINTF(fmt, args)
#endif

/* ----------------------------------------------------------------- errors */

/** Record code and message in err (may be NULL); returns code. */
int bg_error(doppel_error *err, int code, const char *fmt, ...)
    BG_PRINTF(3, 4);

/* ----------------------------------------------------------------- buffer */

/** A growable byte string, always NUL-terminated once it holds anything.
 *  Zero-initialise it ({0}); free with bg_buf_free(). */
typedef struct bg_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom; /**< set by the first failed allocation; sticky */
} bg_buf;

void bg_buf_free(bg_buf *b);
/** Make room for `extra` more bytes (plus the NUL). 0, or -1 and oom set. */
int bg_buf_reserve(bg_buf *b, size_t extra);
void bg_buf_append(bg_buf *b, const void *p, size_t n);
void bg_buf_puts(bg_buf *b, const char *s);
void bg_buf_putc(bg_buf *b, char c);
void bg_buf_printf(bg_buf *b, const char *fmt, ...) BG_PRINTF(2, 3);
/** Empty the buffer, keeping its memory (and clearing oom). */
void bg_buf_clear(bg_buf *b);
/** The contents as a C string ("" when empty; never NULL). */
const char *bg_buf_str(const bg_buf *b);
/** Remove trailing ASCII whitespace. */
void bg_buf_rtrim(bg_buf *b);

/* ------------------------------------------------------------------- hash */

/** A fast 64-bit hash of n bytes (not cryptographic). */
uint64_t bg_hash_bytes(const void *p, size_t n, uint64_t seed);

/* ------------------------------------------------------------- string map */

/**
 * Interns byte strings: each distinct key gets the next ordinal (0, 1, ...)
 * that callers use to index their own parallel arrays. Open addressing with
 * linear probing; keys are copied into an arena. Zero-initialise; free with
 * bg_strmap_free(). Read-only calls may be made from many threads at once.
 */
typedef struct bg_strmap {
    uint32_t *slots;  /**< ordinal + 1, or 0 for empty */
    size_t mask;      /**< slots - 1 (a power of two minus one) */
    uint64_t *hashes; /**< per ordinal */
    uint64_t *offs;   /**< per ordinal: key offset in arena */
    uint32_t *lens;   /**< per ordinal: key length */
    size_t count, cap;
    bg_buf arena;
} bg_strmap;

void bg_strmap_free(bg_strmap *m);
/** The ordinal of key, inserting it if new (*inserted set when given).
 *  Returns the ordinal, or -1 when out of memory. */
long bg_strmap_put(bg_strmap *m, const char *key, size_t len, int *inserted);
/** The ordinal of key, or -1 when absent. */
long bg_strmap_get(const bg_strmap *m, const char *key, size_t len);
/** The key with ordinal i (NUL-terminated, borrowed). */
const char *bg_strmap_key(const bg_strmap *m, size_t i, size_t *len);

/* ------------------------------------------------------------- allocation */

/** malloc(n * size) with overflow check; NULL on failure. */
void *bg_malloc_array(size_t n, size_t size);
/** calloc with the same contract. */
void *bg_calloc_array(size_t n, size_t size);
/** Grow *p (*cap elements of size bytes) to hold need; 0 or -1. */
int bg_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
