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

/**
 * For every element, the representative of its set: the member with the
 * earliest date (dates[i] != DOPPEL_NO_DATE) if any member has one, ties and
 * undated clusters going to the lowest number (the first seen).
 * rep[] and size_out[] (cluster sizes) have n entries.
 */
int doppel__cluster_representatives(doppel__uf *u, const int64_t *dates,
                                     uint32_t *rep, uint32_t *size_out,
                                     const doppel_allocator *a);

#endif
