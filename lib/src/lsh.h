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

/* Band keys of the lede are seeded from here, the values' from 0, so that
 * the two families never share buckets. */
#define DOPPEL__LEDE_BAND_SEED 0x10000u

/**
 * One family of bands: `bands` bands of `rows` consecutive values of one
 * sketch part (the K values, or the lede's DOPPEL__LEDE_BINS), keyed with
 * doppel__hash_band(values + band * rows, rows, seed + band).
 */
typedef struct doppel__band_family {
    int lede;        /* 0: the values; 1: the lede */
    unsigned stride; /* values of that part per document */
    unsigned bands, rows;
    unsigned seed;
} doppel__band_family;

/**
 * The band families that make candidates under (resolved) params p: the
 * values' params.bands x params.rows, and with robust verification the
 * lede's DOPPEL__LEDE_BANDS x DOPPEL__LEDE_ROWS. Returns how many (1 or 2).
 * A batch dedup and an index use exactly these, so that they find the same
 * candidates.
 */
unsigned doppel__lsh_families(const doppel_params *p,
                              doppel__band_family out[2]);

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

/** One document's key in one band. */
typedef struct doppel__band_entry {
    uint64_t key;
    uint32_t doc;
} doppel__band_entry;

/** Entries of the count[] buffer doppel__lsh_sort_entries needs for n. */
size_t doppel__lsh_sort_count_len(size_t n);

/** Sort entries by key, keeping the order of equal keys (the linear
 *  bucket sort of lsh.c); tmp holds n entries, count
 *  doppel__lsh_sort_count_len(n). */
void doppel__lsh_sort_entries(doppel__band_entry *e, doppel__band_entry *tmp,
                              size_t n, size_t *count);

/** Sort the pairs and drop repeats. */
int doppel__pairs_unique(doppel__pairvec *p, const doppel_allocator *a);

/** Sort n 64-bit keys ascending (LSD radix); tmp must hold n entries. */
void doppel__radix_sort64(uint64_t *keys, uint64_t *tmp, size_t n);

#endif
