/*
 * columns.h — documents' sketches stored as columns: one array per sketch
 * part (values, positions, lede, entities, meta; see signature.h), one of
 * dates, and an arena of ids. A batch dedup keeps every document this way,
 * and an index stages a batch this way before writing it as a segment
 * (whose on-disk columns have the same layout).
 *
 * Columns make a million documents cost one allocation per column rather
 * than one per document, let LSH scan the values band by band, and let a
 * batch be sketched on several threads into preassigned slots.
 */
#ifndef DOPPEL_COLUMNS_H
#define DOPPEL_COLUMNS_H

#include "common.h"
#include "signature.h"

typedef struct doppel__columns {
    unsigned K;           /* values per document */
    size_t n, cap;        /* documents stored, room for */
    doppel__mh *values;   /* cap * K */
    uint8_t *positions;   /* cap * K */
    doppel__mh *lede;     /* cap * DOPPEL__LEDE_BINS */
    doppel__mh *entities; /* cap * DOPPEL__ENTITY_BINS */
    doppel__sketch_meta *meta;
    int64_t *dates;
    char *ids;            /* arena: each id followed by a NUL */
    size_t ids_len, ids_cap;
    uint64_t *id_off;     /* per document: offset of its id in ids */
    uint32_t *id_len;
} doppel__columns;

/** An empty set of columns for K values per document. */
void doppel__columns_init(doppel__columns *c, unsigned K);
void doppel__columns_free(doppel__columns *c, const doppel_allocator *a);

/**
 * Make room for `extra` more documents, growing capacity by doubling but
 * never past max_docs. The caller checks its own limit (with a message
 * that names it) first; asking for more than max_docs is DOPPEL_ERR_NOMEM.
 */
int doppel__columns_reserve(doppel__columns *c, size_t extra, size_t max_docs,
                            const doppel_allocator *a, doppel_error *err);

/** Document `doc`'s sketch, writable or read-only. */
static inline doppel__sketch doppel__columns_sketch(const doppel__columns *c,
                                                    size_t doc)
{
    size_t K = c->K;
    doppel__sketch v = {c->values + doc * K, c->positions + doc * K,
                        c->lede + doc * DOPPEL__LEDE_BINS,
                        c->entities + doc * DOPPEL__ENTITY_BINS,
                        c->meta + doc};
    return v;
}

static inline doppel__sketch_cref doppel__columns_cref(
    const doppel__columns *c, size_t doc)
{
    doppel__sketch v = doppel__columns_sketch(c, doc);
    doppel__sketch_cref r = {v.values, v.positions, v.lede, v.entities,
                             v.meta};
    return r;
}

/**
 * Append n documents, sketched on up to `threads` threads (scratch holds
 * one doppel__scratch per thread). Reserve room first. On error nothing is
 * appended and err names the failing document as "document BASE+i".
 */
int doppel__columns_add_batch(doppel__columns *c, const doppel_sketcher *sk,
                              doppel__scratch *scratch, unsigned threads,
                              const doppel_doc *docs, size_t n,
                              const doppel_allocator *a, doppel_error *err);

/** Append one document from its signature (same K; room reserved). */
int doppel__columns_add_signature(doppel__columns *c, const char *id,
                                  size_t id_len, const doppel_signature *sig,
                                  int64_t date, const doppel_allocator *a,
                                  doppel_error *err);

/** The id of document `doc` (NUL-terminated, borrowed). */
static inline const char *doppel__columns_id(const doppel__columns *c,
                                             size_t doc, size_t *len)
{
    *len = c->id_len[doc];
    return c->ids + c->id_off[doc];
}

#endif
