/*
 * candidates.h — verifying candidate pairs, wherever their sketches live.
 *
 * A batch dedup keeps sketches in columns, an index in memory-mapped
 * segments and a staged batch; both find candidates with the same bands
 * (lsh.h) and must reach the same verdicts, so both hand their candidates
 * here with a function that finds a document's sketch.
 */
#ifndef DOPPEL_CANDIDATES_H
#define DOPPEL_CANDIDATES_H

#include "signature.h"

/** The sketch of document `doc` in the caller's numbering. */
typedef doppel__sketch_cref (*doppel__cref_fn)(const void *ctx, uint32_t doc);

/**
 * Verify n candidate pairs, each packed as (a << 32) | b, with
 * doppel__verify() under p (resolved): sim[i] gets the similarity that
 * decided and dup[i] the verdict. Runs on up to `threads` threads when
 * there are enough pairs to be worth it; results never depend on that.
 */
void doppel__verify_candidates(const uint64_t *cand, size_t n,
                               doppel__cref_fn get, const void *ctx,
                               const doppel_params *p, unsigned threads,
                               float *sim, uint8_t *dup);

#endif
