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

/* The lede sketch is banded too: 10 bands of 3 of its 32 values. */
#define DOPPEL__LEDE_BANDS 10
#define DOPPEL__LEDE_ROWS 3

/**
 * Append to `out` every pair of documents (among the n whose skip[i] has
 * none of the bits of skip_mask) that agree on all rows of at least one of
 * `bands` bands of their values (values is n x stride, row-major). Band
 * keys are seeded with band_seed + band, so two calls with different
 * band_seed never share buckets. *hot_buckets is increased by the number of
 * buckets larger than the window. Call doppel__pairs_unique() after the
 * last call.
 */
int doppel__lsh_candidates(const uint16_t *values, size_t stride,
                           const uint8_t *skip, uint8_t skip_mask, size_t n,
                           unsigned bands, unsigned rows, unsigned band_seed,
                           doppel__pairvec *out, uint64_t *hot_buckets,
                           const doppel_allocator *a);

/** doppel__lsh_candidates on up to `threads` threads (bands split between
 *  them); the same pairs in the same order. */
int doppel__lsh_candidates_mt(const uint16_t *values, size_t stride,
                              const uint8_t *skip, uint8_t skip_mask,
                              size_t n, unsigned bands, unsigned rows,
                              unsigned band_seed, doppel__pairvec *out,
                              uint64_t *hot_buckets, unsigned threads,
                              const doppel_allocator *a);

/** Sort the pairs and drop repeats. */
int doppel__pairs_unique(doppel__pairvec *p, const doppel_allocator *a);

/** Sort n 64-bit keys ascending (LSD radix); tmp must hold n entries. */
void doppel__radix_sort64(uint64_t *keys, uint64_t *tmp, size_t n);

#endif
