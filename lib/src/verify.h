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
    /* NULL, or the K values of one more document counted in on top of df
     * (an index's query: the table as committing that document would make
     * it, without copying 16 MB per query) */
    const uint16_t *plus;
} doppel__corpus_df;

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

/** Whether the rule is used under (resolved) params p, and so the table
 *  kept: robust verification with K <= DOPPEL__BOILER_MAX_K. */
static inline int doppel__corpus_df_wanted(const doppel_params *p)
{
    return p->verify == DOPPEL_VERIFY_ROBUST &&
           p->num_perm <= DOPPEL__BOILER_MAX_K;
}

/** Count a non-empty document's K values into table t (saturating). */
static inline void doppel__corpus_df_count(uint16_t *t, const doppel__mh *v,
                                           unsigned K)
{
    for (size_t k = 0; k < K; k++) {
        uint16_t *c = &t[k * 65536u + v[k]];
        if (*c != UINT16_MAX)
            (*c)++;
    }
}

/** Take a counted document's values out of t again. Returns 0 when one of
 *  its counts had saturated: it cannot be decremented exactly, and the
 *  table must be counted again from the documents that remain. */
static inline int doppel__corpus_df_uncount(uint16_t *t, const doppel__mh *v,
                                            unsigned K)
{
    int exact = 1;
    for (size_t k = 0; k < K; k++) {
        uint16_t *c = &t[k * 65536u + v[k]];
        if (*c == UINT16_MAX)
            exact = 0;
        else if (*c)
            (*c)--;
    }
    return exact;
}

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

/** A document's distinctive bins under a corpus table (bit k set when its
 *  value in bin k is held by fewer than df->common documents; K <= 256),
 *  computed once per document instead of once per pair. */
typedef struct doppel__dmask {
    int ready; /* 0: not computed yet (doppel__verify_masked computes it) */
    uint64_t bits[4];
} doppel__dmask;

void doppel__corpus_df_mask(const doppel__corpus_df *df,
                            const doppel__mh *values, unsigned K,
                            doppel__dmask *out);

/** doppel__verify_indexed with each document's distinctive-bin mask for
 *  the boilerplate rule (under the same df; NULL: looked up per pair).
 *  A mask not yet ready is computed when the rule needs it. Same verdict,
 *  similarity and reason as doppel__verify_indexed. */
void doppel__verify_masked(const doppel__sketch_cref *a,
                           const doppel__sketch_cref *b,
                           const uint8_t *index_a, const uint8_t *index_b,
                           doppel__dmask *mask_a, doppel__dmask *mask_b,
                           unsigned K, const doppel_params *p,
                           const doppel__corpus_df *df, int verdict_only,
                           doppel_match *out);

#endif
