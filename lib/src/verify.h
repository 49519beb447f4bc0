/*
 * verify.h — the verdict on a candidate pair.
 */
#ifndef DOPPEL_VERIFY_H
#define DOPPEL_VERIFY_H

#include "signature.h"

/* The largest stretch of a document, in 256ths of its length, that may hold
 * no matching bin for its matches to count as spread over all of it. */
#define DOPPEL__SPREAD_MAX_GAP 77 /* 0.30 */

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

/**
 * Compare two sketches made with the same parameters (K values each) under
 * p's threshold, containment and verify kind.
 */
void doppel__verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                    unsigned K, const doppel_params *p, doppel_match *out);

/**
 * The first test of doppel__verify() alone, for candidates in bulk: 0 when
 * the pair is certainly not a duplicate because neither its estimated
 * Jaccard similarity reaches the threshold nor (robust verification) its
 * estimated containment reaches the containment threshold -- exactly the
 * pairs doppel__verify() rejects with similarity = the Jaccard estimate,
 * which *jaccard receives. 1 means "verify it". Most LSH candidates fail
 * here, and this costs a tenth of the full verdict (no spread test). Keep
 * in step with doppel__verify().
 */
int doppel__verify_may_match(const doppel__sketch_cref *a,
                             const doppel__sketch_cref *b, unsigned K,
                             const doppel_params *p, double *jaccard);

#endif
