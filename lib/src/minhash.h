/*
 * minhash.h — from a multiset of 64-bit shingle hashes to K 32-bit values.
 */
#ifndef DOPPEL_MINHASH_H
#define DOPPEL_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/**
 * One-permutation hashing (Li, Owen & Zhang 2012) with optimal
 * densification (Shrivastava 2017). Bin of h: the high 32 bits scaled to
 * [0, K); value: the low 32 bits; each bin keeps its minimum. Empty bins
 * borrow the value of the first non-empty bin on a seeded pseudo-random
 * probe sequence that depends only on the bin, so equal sets get equal
 * signatures and P[bin equal] stays the Jaccard similarity.
 * Returns the number of non-empty bins before densification (0 = empty set;
 * then values are all UINT32_MAX).
 */
unsigned doppel__minhash_one_perm(const uint64_t *h, size_t n, unsigned K,
                                  uint64_t seed, uint32_t *values);

/**
 * The textbook baseline: K universal hash functions
 * g_k(h) = (a_k * h + b_k) >> 32 (a_k odd), values[k] = min over h of g_k.
 * Returns 0 for an empty set (values all UINT32_MAX), else K.
 */
unsigned doppel__minhash_k_perm(const uint64_t *h, size_t n, unsigned K,
                                const uint64_t *a, const uint64_t *b,
                                uint32_t *values);

/** Fraction of equal values: the Jaccard estimate. */
double doppel__minhash_similarity(const uint32_t *x, const uint32_t *y,
                                  unsigned K);

#endif
