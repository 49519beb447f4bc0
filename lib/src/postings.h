/*
 * postings.h — the LSH buckets of an index segment, stored as sorted
 * posting arrays, and how they are built and searched.
 *
 * A segment holds, for every band of every band family (lsh.h: the
 * values' bands, then the lede's), the pairs (key, document) of its
 * non-empty documents sorted by key and then by document:
 *
 *   band g:  keys[m]  u32  the high 32 bits of the band's 64-bit key
 *            docs[m]  u32  the document's number within the segment
 *
 * A bucket of a batch dedup is a run of equal 64-bit keys; here it is a
 * run of equal 32-bit keys, possibly holding a few other keys that share
 * the high half. Every member taken from a run is confirmed by hashing
 * its band again from its stored values (doppel__bandset_key), so the
 * index sees exactly the buckets a dedup sees while storing 8 bytes per
 * band per document instead of 12. Finding a run is one binary search
 * (or a galloping step when a sorted batch walks the keys in order).
 */
#ifndef DOPPEL_POSTINGS_H
#define DOPPEL_POSTINGS_H

#include "common.h"
#include "hash.h"
#include "lsh.h"
#include "signature.h"

/** Every band a document is keyed by, numbered 0..total-1 across the
 *  families (the values' bands first). */
typedef struct doppel__bandset {
    doppel__band_family fam[2];
    unsigned nfam;
    unsigned total;
} doppel__bandset;

void doppel__bandset_init(doppel__bandset *bs, const doppel_params *p);

/** The values of band g of a sketch (*rows of them). */
static inline const doppel__mh *doppel__bandset_values(
    const doppel__bandset *bs, const doppel__sketch_cref *c, unsigned g,
    unsigned *rows)
{
    const doppel__band_family *f = &bs->fam[0];
    if (g >= f->bands) {
        g -= f->bands;
        f = &bs->fam[1];
    }
    *rows = f->rows;
    return (f->lede ? c->lede : c->values) + g * f->rows;
}

/** The 64-bit key of band g of a sketch: what lsh.c computes. */
static inline uint64_t doppel__bandset_key(const doppel__bandset *bs,
                                           const doppel__sketch_cref *c,
                                           unsigned g)
{
    const doppel__band_family *f = &bs->fam[0];
    unsigned local = g;
    if (local >= f->bands) {
        local -= f->bands;
        f = &bs->fam[1];
    }
    const doppel__mh *v = f->lede ? c->lede : c->values;
    return doppel__hash_band(v + local * f->rows, f->rows, f->seed + local);
}

/**
 * Is c in the bucket of band g whose key is q, given qv, the band's values
 * of a sketch with that key? Equal values mean an equal key, without
 * hashing (the common case); different values are compared by key, so the
 * answer is exactly "key == q".
 */
static inline int doppel__bandset_in_bucket(const doppel__bandset *bs,
                                            const doppel__sketch_cref *c,
                                            unsigned g, const doppel__mh *qv,
                                            uint64_t q)
{
    unsigned rows, r = 0;
    const doppel__mh *v = doppel__bandset_values(bs, c, g, &rows);
    while (r < rows && v[r] == qv[r])
        r++;
    if (r == rows)
        return 1;
    return doppel__bandset_key(bs, c, g) == q;
}

/** A document's sketch by its number in some sequence of documents. */
typedef doppel__sketch_cref (*doppel__sketch_fn)(const void *ctx, size_t i);

/**
 * The posting arrays of band g for documents 0..n-1 of a sequence, of which
 * the non-empty ones (m of them) are posted: keys to keys_out[0..m), docs
 * to docs_out[0..m). scratch and tmp hold m entries each.
 */
void doppel__postings_build(const doppel__bandset *bs, unsigned g,
                            doppel__sketch_fn get, const void *ctx, size_t n,
                            uint64_t *scratch, uint64_t *tmp,
                            uint32_t *keys_out, uint32_t *docs_out);

/** Sort packed (key32 << 32 | doc) entries by key, keeping the order of
 *  equal keys (LSD radix on the high 32 bits); tmp holds n entries. */
void doppel__postings_sort(uint64_t *e, uint64_t *tmp, size_t n);

/** The first i in [0, m) with keys[i] > k, or m. */
size_t doppel__postings_upper(const uint32_t *keys, size_t m, uint32_t k);

/** The first i in [from, m) with keys[i] >= k, or m, galloping from
 *  `from`: O(log d) for a distance d, for walking keys in order. */
size_t doppel__postings_gallop(const uint32_t *keys, size_t m, size_t from,
                               uint32_t k);

#endif
