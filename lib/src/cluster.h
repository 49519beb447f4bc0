/*
 * cluster.h — union-find over verified pairs, and each cluster's
 * representative.
 */
#ifndef DOPPEL_CLUSTER_H
#define DOPPEL_CLUSTER_H

#include "common.h"

/** Disjoint sets over n elements (path halving, union by size). */
typedef struct doppel__uf {
    uint32_t *parent;
    uint32_t *size;
    size_t n;
} doppel__uf;

int doppel__uf_init(doppel__uf *u, size_t n, const doppel_allocator *a);
void doppel__uf_free(doppel__uf *u, const doppel_allocator *a);
uint32_t doppel__uf_find(doppel__uf *u, uint32_t x);
/** Merge the sets of x and y; returns 1 if they were apart. */
int doppel__uf_union(doppel__uf *u, uint32_t x, uint32_t y);

/** Similarity of documents a and b, for choosing representatives. */
typedef double (*doppel__sim_fn)(const void *ctx, uint32_t a, uint32_t b);

/* Choosing the original without dates: the least rare member wins unless a
 * member within DOPPEL__RARITY_MARGIN of its rarity is more central (mean
 * similarity to the other members) by more than DOPPEL__CENTRALITY_GAIN.
 * Rarity separates an original from its spun and typo'd copies (they swap
 * words for rarer ones: +0.16 at a 10% spin, +0.77 at 50%, +1.0 for 3%
 * typos, measured on the labelled benchmark); centrality separates it from
 * its truncated and trimmed copies, whose rarity is the original's plus
 * sampling noise (sd 0.3 for a half) but which share less with everyone.
 * Skeleton similarity cannot tell an original from a spun copy, so
 * centrality only overrules rarity when the gain is clear. */
#define DOPPEL__RARITY_MARGIN 0.5f
#define DOPPEL__CENTRALITY_GAIN 0.05
#define DOPPEL__REP_CANDIDATES 16
#define DOPPEL__REP_SAMPLE 64

/**
 * For every element, the representative of its set (rep[]) and the set's
 * size (size_out[]), both with n entries:
 *  - if any member has a date (dates[i] != DOPPEL_NO_DATE), the earliest;
 *  - otherwise the original as the text tells it (see above). Members with
 *    the same rarity (the same words: a reordered copy) are told apart by
 *    their ledes: the original's opening agrees with its copies', a copy
 *    with reordered paragraphs opens differently (lede_sim).
 * Remaining ties go to the first seen. dates, rarity, sim and lede_sim may
 * be NULL.
 */
int doppel__cluster_representatives(doppel__uf *u, const int64_t *dates,
                                     const float *rarity, doppel__sim_fn sim,
                                     doppel__sim_fn lede_sim, const void *ctx,
                                     uint32_t *rep, uint32_t *size_out,
                                     const doppel_allocator *a);

/**
 * The representative of one cluster whose members are m[0..k) in ascending
 * order (k >= 1), by the rules above. dates and rarity are indexed by the
 * member numbers in m; sim and lede_sim compare two of them. An index
 * calls it with its own numbering of a cluster's current members, so that
 * its choice is the one a batch dedup of the same documents makes.
 */
uint32_t doppel__cluster_choose(const uint32_t *m, size_t k,
                                const int64_t *dates, const float *rarity,
                                doppel__sim_fn sim, doppel__sim_fn lede_sim,
                                const void *ctx);

#endif
