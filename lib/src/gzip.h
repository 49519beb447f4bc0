/*
 * gzip.h — the byte source the reader pulls input through: a file
 * descriptor, transparently gunzipped when its content starts with the gzip
 * magic bytes 1f 8b (concatenated members are read like zcat), with the
 * offsets needed for error messages. See gzip.c for why it is shaped this
 * way and how another inflater can be slotted in.
 *
 * Lifecycle: create once, then open/read.../close for each file (buffers and
 * inflater state are kept and reused between files), free at the end.
 */
#ifndef DOPPEL_GZIP_H
#define DOPPEL_GZIP_H

#include "doppel.h"

#include <stddef.h>
#include <stdint.h>

typedef struct doppel__source doppel__source;

/** A source with no file open. */
int doppel__source_create(doppel__source **out, const doppel_allocator *a,
                          doppel_error *err);

/** Close (if open) and free. NULL is fine. */
void doppel__source_free(doppel__source *s);

/**
 * Start reading `fd`. `name` (borrowed until doppel__source_close) is used
 * in messages: "name: truncated gzip stream at byte N". With own_fd, close
 * closes fd. A source already open is closed first.
 */
void doppel__source_open(doppel__source *s, int fd, int own_fd,
                         const char *name);

/**
 * Read up to `cap` (> 0) decompressed bytes into buf. *got is the number
 * read; 0 means the end of the input. Returns DOPPEL_OK or:
 *   DOPPEL_ERR_IO      "name: read error: <strerror>"
 *   DOPPEL_ERR_FORMAT  "name: truncated gzip stream at byte N" (N = size of
 *                      the compressed input), "name: corrupt gzip data at
 *                      byte N: <zlib message>", "name: unexpected data after
 *                      gzip member at byte N"
 *   DOPPEL_ERR_NOMEM
 * After an error every further read returns DOPPEL_ERR_STATE.
 */
int doppel__source_read(doppel__source *s, void *buf, size_t cap,
                        size_t *got, doppel_error *err);

/** Stop reading; closes the fd if owned. Keeps buffers for the next open. */
void doppel__source_close(doppel__source *s);

/** The inflaters (gzip.c): zlib always; Intel ISA-L's igzip when built
 *  with it (DOPPEL_HAVE_ISAL), used where it gives zlib's results. */
typedef enum doppel__inflater {
    DOPPEL__INFLATE_AUTO = 0, /* igzip where allowed, else zlib */
    DOPPEL__INFLATE_ZLIB = 1, /* zlib only (tests compare the two) */
    DOPPEL__INFLATE_ISAL = 2  /* only for doppel__source_inflater_available */
} doppel__inflater;

/** 1 if `which` is compiled in. */
int doppel__source_inflater_available(doppel__inflater which);

/** Choose the inflater for the files opened from now on. */
void doppel__source_set_inflater(doppel__source *s, doppel__inflater which);

/** Files igzip gave up on and zlib read again, since the source was
 *  created (for tests). */
unsigned doppel__source_rereads(const doppel__source *s);

/** 1 if the open input is gzip, 0 if plain, -1 if not known yet (nothing
 *  read). */
int doppel__source_is_gzip(const doppel__source *s);

/** Bytes of the underlying file consumed so far (compressed offset). */
uint64_t doppel__source_compressed_offset(const doppel__source *s);

/** Decompressed bytes returned so far. */
uint64_t doppel__source_offset(const doppel__source *s);

/** read(2) that retries on EINTR. */
long doppel__read_fd(int fd, void *buf, size_t cap);

/** strerror_r into buf (thread-safe, no global buffer); returns buf. */
const char *doppel__strerror(int errnum, char *buf, size_t cap);

/** Room for doppel__short_path's result, NUL included. */
#define DOPPEL__SHORT_PATH 200

/**
 * A path for an error message: `path` itself when it is short, else its
 * beginning, "...", and its end in buf (DOPPEL__SHORT_PATH bytes), cut at
 * UTF-8 character boundaries. Messages have room for 511 bytes, and a path
 * deep in a crawl can fill them, cutting off what went wrong.
 */
const char *doppel__short_path(const char *path, char *buf);

#endif
