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
 * shingles, be at least 1/DOPPEL__CONTAIN_MAX_RATIO of the larger, and open
 * the way the larger opens (lede similarity >= DOPPEL__CONTAIN_MIN_LEDE):
 * truncated, wrapped and syndicated copies keep the original's opening
 * (lede similarity >= 0.28 in every such pair of the labelled benchmark;
 * copies that lost their opening sentences still share 0.12 or more),
 * a page that shares only a footer with another, or a passage copied into
 * another article, does not (0.00 in 12 of 14). */
#define DOPPEL__CONTAIN_MIN_SHINGLES 24
#define DOPPEL__CONTAIN_MAX_RATIO 5
#define DOPPEL__CONTAIN_MIN_LEDE 0.1

/* Names and numbers: judged only when both documents have at least
 * DOPPEL__ENTITY_MIN of them and sizes within DOPPEL__ENTITY_MAX_RATIO;
 * then the smaller's share found in the other must reach
 * DOPPEL__ENTITY_MIN_SHARE. */
#define DOPPEL__ENTITY_MIN 4
#define DOPPEL__ENTITY_MAX_RATIO 4
#define DOPPEL__ENTITY_MIN_SHARE 0.4

/* Corpus knowledge for the boilerplate rule: how many documents hold each
 * value in each bin (df[k * 65536 + v], saturating), and from what count a
 * value is common — shared by more documents than chance (16-bit values
 * collide at random in n / 65536 documents) can explain. */
typedef struct doppel__corpus_df {
    const uint16_t *df;  /* K * 65536 counts */
    uint32_t common;     /* a value held by >= common documents is common */
    /* NULL, or the pair's distinctive bins, read off the table beforehand
     * (doppel__corpus_df_distinct; K <= 256): a caller that verifies each
     * document against many computes them once per document instead of
     * reading 2K random places of the 16 MB table for every pair. */
    const uint64_t *distinct_a, *distinct_b;
} doppel__corpus_df;

/** Bit k of bits[k / 64] set when the value in bin k is distinctive (held
 *  by fewer than df->common documents); (K + 63) / 64 words written. */
void doppel__corpus_df_distinct(const doppel__corpus_df *df,
                                const doppel__mh *values, unsigned K,
                                uint64_t *bits);

/* The boilerplate rule engages when at least half of the matching bins are
 * common and both documents have at least DOPPEL__BOILER_MIN_SHARE of
 * distinctive (not common) bins; then the bins distinctive in both must
 * number at least DOPPEL__BOILER_MIN_BOTH and match in at least
 * DOPPEL__BOILER_MIN_MATCH of them. A value is common when at least
 * max(DOPPEL__BOILER_MIN_COMMON, chance + 5 sd) documents hold it. The table
 * is only kept for K <= DOPPEL__BOILER_MAX_K. */
#define DOPPEL__BOILER_MIN_SHARE 0.10
#define DOPPEL__BOILER_MIN_BOTH 4
#define DOPPEL__BOILER_MIN_MATCH 0.25
#define DOPPEL__BOILER_MIN_COMMON 8
#define DOPPEL__BOILER_MAX_K 512

/** Fill df->common for a table built over n non-empty documents. */
uint32_t doppel__corpus_df_threshold(uint64_t n);

/** A document's spread index (K <= 256): its bins sorted by position
 *  (ties by bin number), order[place] = the bin at that place, and
 *  spos[place] = its position. Depends on the document alone; a dedup
 *  computes it once per document for all its candidate pairs. */
void doppel__spread_index(const uint8_t *positions, unsigned K,
                          uint8_t *order, uint8_t *spos);

/** The largest stretch without a match (verify.c) from a spread index
 *  (2K bytes: order, then spos) and the pair's match mask with eq bits
 *  set; impl 0 = the fastest available, 1 = portable, 2 = AVX-512 VBMI
 *  (tests compare them). */
unsigned doppel__spread_gap(const uint64_t match[4], unsigned eq, unsigned K,
                            const uint8_t *index, int impl);

/** 1 if doppel__spread_gap's `impl` can run here. */
int doppel__spread_gap_available(int impl);

/**
 * Compare two sketches made with the same parameters (K values each) under
 * p's threshold, containment and verify kind; `df` (may be NULL) adds the
 * corpus-level boilerplate rule.
 */
void doppel__verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                    unsigned K, const doppel_params *p,
                    const doppel__corpus_df *df, doppel_match *out);

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
                            const doppel__corpus_df *df, int verdict_only,
                            doppel_match *out);

#endif
