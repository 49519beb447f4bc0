/*
 * verify.h — the verdict on a candidate pair.
 */
#ifndef DOPPEL_VERIFY_H
#define DOPPEL_VERIFY_H

#include "signature.h"

/* The largest stretch of a document, in 256ths of its length, that may hold
 * only unmatched bins for its matches to count as spread over all of it: for
 * the smaller document of a contained copy, and (stricter) for both
 * documents of a pair accepted on Jaccard similarity. */
#define DOPPEL__SPREAD_MAX_GAP 77       /* 0.30 */
#define DOPPEL__SPREAD_MAX_GAP_BOTH 64  /* 0.25 */

/* Contained copies: the smaller document must have at least this many
 * shingles and be at least 1/DOPPEL__CONTAIN_MAX_RATIO of the larger. */
#define DOPPEL__CONTAIN_MIN_SHINGLES 24
#define DOPPEL__CONTAIN_MAX_RATIO 5

/* Names and numbers: judged only when both documents have at least
 * DOPPEL__ENTITY_MIN of them and sizes within DOPPEL__ENTITY_MAX_RATIO;
 * then the smaller's share found in the other must reach
 * DOPPEL__ENTITY_MIN_SHARE. */
#define DOPPEL__ENTITY_MIN 4
#define DOPPEL__ENTITY_MAX_RATIO 4
#define DOPPEL__ENTITY_MIN_SHARE 0.4

/** A document's spread index (K <= 256): with its bins sorted by position
 *  (ties by bin number), rank[bin] = the bin's place in that order and
 *  spos[place] = the position there. Depends on the document alone; a
 *  dedup computes it once per document for all its candidate pairs. */
void doppel__spread_index(const uint8_t *positions, unsigned K,
                          uint8_t *rank, uint8_t *spos);

/**
 * Compare two sketches made with the same parameters (K values each) under
 * p's threshold, containment and verify kind.
 */
void doppel__verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                    unsigned K, const doppel_params *p, doppel_match *out);

/** doppel__verify with each document's spread index (2K bytes: rank, then
 *  spos, from doppel__spread_index; K <= 256; NULL = sort the bins here),
 *  for callers that verify a document against many others. The same
 *  verdict, in a fraction of the time. With verdict_only, spread_a and
 *  spread_b are left 0 and only what the verdict needs is computed (a
 *  dedup reads duplicate and similarity alone). */
void doppel__verify_indexed(const doppel__sketch_cref *a,
                            const doppel__sketch_cref *b,
                            const uint8_t *index_a, const uint8_t *index_b,
                            unsigned K, const doppel_params *p,
                            int verdict_only, doppel_match *out);

#endif
