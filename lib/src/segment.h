/*
 * segment.h — an index segment: an immutable, checksummed file holding a
 * set of documents as columns plus their LSH posting arrays, memory-mapped
 * by readers. segment.c draws the layout.
 */
#ifndef DOPPEL_SEGMENT_H
#define DOPPEL_SEGMENT_H

#include "common.h"
#include "postings.h"
#include "sfile.h"
#include "signature.h"
#include "vfs.h"

#define DOPPEL__SEG_MAGIC "DOPPELSG"
#define DOPPEL__SEG_VERSION 1u

enum {
    DOPPEL__SEC_NUMBERS,
    DOPPEL__SEC_DATES,
    DOPPEL__SEC_META,
    DOPPEL__SEC_VALUES,
    DOPPEL__SEC_POSITIONS,
    DOPPEL__SEC_LEDE,
    DOPPEL__SEC_ENTITIES,
    DOPPEL__SEC_ID_OFFSETS,
    DOPPEL__SEC_IDS,
    DOPPEL__SEC_POSTINGS,
    DOPPEL__SEG_SECTIONS
};

/** What every segment of an index must agree on (from its commit). */
typedef struct doppel__seg_layout {
    uint64_t fingerprint; /* doppel__params_fingerprint */
    uint32_t K;
    doppel__bandset bands;
} doppel__seg_layout;

typedef struct doppel__seg {
    uint64_t number; /* file number: seg-NUMBER.dps */
    char *path;
    const unsigned char *map;
    size_t size;
    doppel__sfile sf;
    uint32_t n;      /* documents */
    uint32_t m;      /* documents posted (not empty) */
    uint32_t K, nbands;
    uint32_t first_number, last_number;
    int64_t min_date, max_date; /* DOPPEL_NO_DATE when no dated document */
    uint64_t ids_len;
    const uint32_t *numbers;
    const int64_t *dates;
    const doppel__sketch_meta *meta;
    const doppel__mh *values;
    const uint8_t *positions;
    const doppel__mh *lede;
    const doppel__mh *entities;
    const uint32_t *id_off; /* n + 1 */
    const char *ids;
    const uint32_t *postings; /* per band: keys[m], docs[m] */
} doppel__seg;

/** "seg-%08llu.dps" into buf (32 bytes is enough). */
void doppel__seg_name(char *buf, size_t cap, uint64_t number);

/**
 * Map dir/seg-NUMBER.dps and check it: header, parameters against `lay`,
 * size, footer (always); every section's checksum too if `verify`.
 * DOPPEL_ERR_NOTFOUND when the file does not exist.
 */
int doppel__seg_open(doppel__seg *s, const char *dir, uint64_t number,
                     const doppel__seg_layout *lay, int verify,
                     const doppel_allocator *a, doppel_error *err);
void doppel__seg_close(doppel__seg *s, const doppel_allocator *a);

/** Check every section's checksum. */
int doppel__seg_verify(const doppel__seg *s, doppel_error *err);

static inline doppel__sketch_cref doppel__seg_cref(const doppel__seg *s,
                                                   uint32_t i)
{
    size_t K = s->K;
    doppel__sketch_cref c = {s->values + i * K, s->positions + i * K,
                             s->lede + (size_t)i * DOPPEL__LEDE_BINS,
                             s->entities + (size_t)i * DOPPEL__ENTITY_BINS,
                             s->meta + i};
    return c;
}

/** Document i's id, bounds-checked (DOPPEL_ERR_CORRUPT names the file). */
int doppel__seg_id(const doppel__seg *s, uint32_t i, const char **id,
                   size_t *len, doppel_error *err);

static inline const uint32_t *doppel__seg_keys(const doppel__seg *s,
                                               unsigned band)
{
    return s->postings + (size_t)band * 2 * s->m;
}

static inline const uint32_t *doppel__seg_docs(const doppel__seg *s,
                                               unsigned band)
{
    return s->postings + (size_t)band * 2 * s->m + s->m;
}

/** One document to write: its sketch, id, date and document number. */
typedef struct doppel__docref {
    doppel__sketch_cref sk;
    const char *id;
    size_t id_len;
    int64_t date;
    uint32_t number;
} doppel__docref;

/** The documents of a segment to be written, in order. */
typedef struct doppel__docsrc {
    size_t n;
    void (*get)(const void *ctx, size_t i, doppel__docref *out);
    const void *ctx;
} doppel__docsrc;

/**
 * Write dir/seg-NUMBER.dps from `src` (at least one document), fsync'd.
 * `postings`, if not NULL, holds the posting arrays already built in the
 * file's layout (per band keys[m] then docs[m]); else they are built here.
 * *size and *header_sum get what the commit records. On error no file is
 * left.
 */
int doppel__seg_write(const doppel__vfs *vfs, const char *dir,
                      uint64_t number, const doppel__seg_layout *lay,
                      const doppel__docsrc *src, const uint32_t *postings,
                      uint64_t *size, uint64_t *header_sum,
                      const doppel_allocator *a, doppel_error *err);

#endif
