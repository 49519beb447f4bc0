/*
 * candidates.h — verifying an index commit's candidate pairs, whose
 * sketches live in two places (the archive's memory-mapped segments and
 * the staged batch), with the verifier a batch dedup uses
 * (doppel__verify_indexed, and the same corpus table), so that both reach
 * the same verdicts.
 */
#ifndef DOPPEL_CANDIDATES_H
#define DOPPEL_CANDIDATES_H

#include "signature.h"
#include "verify.h"

/** The sketch of document `doc` in the caller's numbering. */
typedef doppel__sketch_cref (*doppel__cref_fn)(const void *ctx, uint32_t doc);

/**
 * Verify n candidate pairs, each packed as (a << 32) | b and sorted, with
 * doppel__verify_indexed() under p (resolved) and df (NULL: no boilerplate
 * rule): sim[i] gets the similarity that decided and dup[i] the verdict.
 * Documents from `first_indexed` on have their spread index (2K bytes,
 * doppel__spread_index) at index + (doc - first_indexed) * 2K; the others'
 * are made here once per run of pairs that share their first document
 * (K <= 256; else verification sorts bins per pair, as a dedup does).
 * masks (NULL, or with df and index: one per document from
 * `first_indexed` on, from doppel__df_masks) make the boilerplate rule
 * popcounts over each document's distinctive bins instead of K table
 * lookups per pair; the others' masks are made once per run, when needed.
 * Runs on up to `threads` threads when there are enough pairs to be worth
 * it; results never depend on that.
 */
void doppel__verify_candidates(const uint64_t *cand, size_t n,
                               doppel__cref_fn get, const void *ctx,
                               uint32_t first_indexed, const uint8_t *index,
                               const doppel_params *p,
                               const doppel__corpus_df *df,
                               doppel__dmask *masks, unsigned threads,
                               float *sim, uint8_t *dup);

/** The spread indexes of docs [0, n) of get/ctx into index (n x 2K bytes),
 *  on up to `threads` threads (K <= 256). */
void doppel__spread_indexes(doppel__cref_fn get, const void *ctx, size_t n,
                            unsigned K, unsigned threads, uint8_t *index);

/** The distinctive-bin masks of docs [0, n) of get/ctx under df, on up to
 *  `threads` threads (K <= 256). */
void doppel__df_masks(doppel__cref_fn get, const void *ctx, size_t n,
                      unsigned K, const doppel__corpus_df *df,
                      unsigned threads, doppel__dmask *masks);

#endif
