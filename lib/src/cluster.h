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

/* Members whose rarity is within this of the cluster's lowest are equally
 * likely originals; the most central of them wins. */
#define DOPPEL__RARITY_MARGIN 0.15f
#define DOPPEL__REP_CANDIDATES 16
#define DOPPEL__REP_SAMPLE 64

/**
 * For every element, the representative of its set (rep[]) and the set's
 * size (size_out[]), both with n entries:
 *  - if any member has a date (dates[i] != DOPPEL_NO_DATE), the earliest;
 *  - otherwise the original as the text tells it: among the members whose
 *    rarity is within DOPPEL__RARITY_MARGIN of the lowest (a spinner's
 *    synonyms are rarer than the words they replace; typos are rarer
 *    still), the one most similar on average to the other members (an
 *    original is the centre of its copies: each edit moves a copy away
 *    from it in its own direction).
 * Remaining ties go to the lowest rarity, then to the first seen. dates and
 * rarity may be NULL.
 */
/**
 * The representative of one cluster whose members are m[0..k) in ascending
 * order (k >= 1), by the rules above. dates and rarity are indexed by the
 * member numbers in m; sim compares two of them. An index calls it with
 * its own numbering of a cluster's current members, so that its choice is
 * the one a batch dedup of the same documents makes.
 */
uint32_t doppel__cluster_choose(const uint32_t *m, size_t k,
                                const int64_t *dates, const float *rarity,
                                doppel__sim_fn sim, const void *ctx);

int doppel__cluster_representatives(doppel__uf *u, const int64_t *dates,
                                     const float *rarity, doppel__sim_fn sim,
                                     const void *ctx, uint32_t *rep,
                                     uint32_t *size_out,
                                     const doppel_allocator *a);

#endif
