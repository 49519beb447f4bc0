/*
 * lsh.h — candidate pairs from banded signatures.
 */
#ifndef DOPPEL_LSH_H
#define DOPPEL_LSH_H

#include "common.h"

/** A growable array of candidate pairs, each packed as (a << 32) | b, a < b. */
typedef struct doppel__pairvec {
    uint64_t *v;
    size_t n, cap;
} doppel__pairvec;

void doppel__pairvec_free(doppel__pairvec *p, const doppel_allocator *a);

/**
 * Largest bucket whose members are all paired with each other; in a larger
 * ("hot") bucket each member is paired only with the DOPPEL__LSH_WINDOW
 * members before it, so that a boilerplate or template band shared by
 * thousands of documents costs O(n) pairs instead of O(n^2).
 */
#define DOPPEL__LSH_WINDOW 64

/**
 * Every pair of documents (among the n whose `skip[i]` is 0) that agree on
 * all rows of at least one of `bands` bands of their K values (values is
 * n x K, row-major). The result is sorted and free of repeats.
 * *hot_buckets counts buckets larger than the window.
 */
int doppel__lsh_candidates(const uint32_t *values, const uint8_t *skip,
                           size_t n, unsigned K, unsigned bands, unsigned rows,
                           doppel__pairvec *out, uint64_t *hot_buckets,
                           const doppel_allocator *a);

/** Sort n 64-bit keys ascending (LSD radix); tmp must hold n entries. */
void doppel__radix_sort64(uint64_t *keys, uint64_t *tmp, size_t n);

#endif
