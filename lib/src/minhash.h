/*
 * minhash.h — from a multiset of 64-bit shingle hashes to K 32-bit values.
 */
#ifndef DOPPEL_MINHASH_H
#define DOPPEL_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/* A MinHash value as stored: the low 16 bits of a bin's 32-bit minimum
 * (b-bit minwise hashing, Li & König, WWW 2010, with b = 16). The minimum is
 * found at full precision, so its low bits are uniform and two different
 * minima agree by chance with probability 2^-16 — an upward bias of 1.5e-5
 * on every similarity estimate, against a standard error of ~0.04 at
 * K = 128 — while the sketch is half the size. */
typedef uint16_t doppel__mh;

/**
 * One-permutation hashing (Li, Owen & Zhang 2012) with densification.
 * Bin of h: the high 32 bits scaled to [0, K); value: the low 32 bits;
 * each bin keeps its minimum and, if `positions` is not NULL, the pos[] of
 * the shingle that gave it (the first such shingle: pos[] must not
 * decrease, as shingle positions along a document do not). Empty bins then borrow value and position from
 * a non-empty bin chosen by a probe sequence that depends only on the bin
 * and the seed (see minhash.c), so equal sets get equal signatures and
 * P[bin equal] stays the Jaccard similarity.
 * Returns the number of non-empty bins before densification (0 = empty
 * set: values all 0xFFFF, positions 0).
 */
unsigned doppel__minhash_one_perm(const uint64_t *h, const uint8_t *pos,
                                  size_t n, unsigned K, uint64_t seed,
                                  doppel__mh *values, uint8_t *positions);

/* The pieces of doppel__minhash_one_perm, for callers that produce
 * shingles one at a time (sketch.c): keys[K] set to DOPPEL__OPH_EMPTY,
 * doppel__oph_add for every shingle in order (shift 8 with positions, 0
 * without), then doppel__oph_finish (the same return value and outputs). */
#define DOPPEL__OPH_EMPTY UINT64_MAX

static inline void doppel__oph_init(uint64_t *key, unsigned K)
{
    for (unsigned i = 0; i < K; i++)
        key[i] = DOPPEL__OPH_EMPTY;
}

/** The bin of a shingle hash: its high 32 bits scaled to [0, K). */
static inline unsigned doppel__oph_bin(uint64_t h, unsigned K)
{
    return (unsigned)(((h >> 32) * (uint64_t)K) >> 32);
}

static inline void doppel__oph_add(uint64_t *key, unsigned K, uint64_t h,
                                   unsigned pos, unsigned shift)
{
    unsigned b = doppel__oph_bin(h, K);
    uint64_t k = ((uint64_t)(uint32_t)h << shift) | pos;
    key[b] = k < key[b] ? k : key[b];
}

unsigned doppel__oph_finish(uint64_t *key, unsigned K, uint64_t seed,
                            doppel__mh *values, uint8_t *positions);

/* The first DOPPEL__OPH_PROBES_CACHED probes of every bin's densification
 * sequence depend only on (K, seed): a sketcher computes them once
 * (doppel__oph_probes writes K * DOPPEL__OPH_PROBES_CACHED bin numbers)
 * and an empty bin then reads them instead of running the generator. The
 * result is the same with or without them. */
#define DOPPEL__OPH_PROBES_CACHED 4

void doppel__oph_probes(uint16_t *probes, unsigned K, uint64_t seed);

/** doppel__minhash_one_perm with the cached probes of (K, seed). */
unsigned doppel__minhash_one_perm_probed(const uint64_t *h, const uint8_t *pos,
                                         size_t n, unsigned K, uint64_t seed,
                                         const uint16_t *probes,
                                         doppel__mh *values,
                                         uint8_t *positions);

/** doppel__oph_finish with the cached probes of (K, seed), or none (NULL). */
unsigned doppel__oph_finish_probed(uint64_t *key, unsigned K, uint64_t seed,
                                   const uint16_t *probes, doppel__mh *values,
                                   uint8_t *positions);

/**
 * The textbook baseline: K universal hash functions
 * g_k(h) = (a_k * h + b_k) >> 32 (a_k odd), values[k] = min over h of g_k,
 * positions[k] (if not NULL) the pos[] of the minimising shingle.
 * Returns 0 for an empty set (values all 0xFFFF), else K.
 */
unsigned doppel__minhash_k_perm(const uint64_t *h, const uint8_t *pos,
                                size_t n, unsigned K, const uint64_t *a,
                                const uint64_t *b, doppel__mh *values,
                                uint8_t *positions);

/** Number of equal values among K (SSE2 where available). */
unsigned doppel__minhash_equal(const doppel__mh *x, const doppel__mh *y,
                               unsigned K);

/** The same, one value at a time (the portable path, tested against). */
unsigned doppel__minhash_equal_scalar(const doppel__mh *x,
                                      const doppel__mh *y, unsigned K);

/** Fraction of equal values: the Jaccard estimate. */
double doppel__minhash_similarity(const doppel__mh *x, const doppel__mh *y,
                                  unsigned K);

#endif
