/*
 * minhash.c — MinHash signatures.
 *
 * The default is one-permutation hashing: each shingle is hashed once and
 * lands in one of K bins, so signing costs O(1) per shingle instead of O(K)
 * (Li, Owen & Zhang, "One Permutation Hashing", NIPS 2012). Short documents
 * leave bins empty; "optimal densification" (Shrivastava, ICML 2017) fills
 * each empty bin from a non-empty one chosen by a probe sequence seeded by
 * the bin number alone, which keeps the estimator unbiased with variance
 * close to that of K independent permutations.
 *
 * The K-permutation baseline is kept as the reference the fast path is
 * tested and benchmarked against.
 */
#include "minhash.h"
#include "hash.h"

#include <string.h>

static inline unsigned bin_of(uint64_t h, unsigned K)
{
    return (unsigned)(((h >> 32) * (uint64_t)K) >> 32);
}

unsigned doppel__minhash_one_perm(const uint64_t *h, size_t n, unsigned K,
                                  uint64_t seed, uint32_t *values)
{
    for (unsigned i = 0; i < K; i++)
        values[i] = UINT32_MAX;
    /* filled[] as a bitmap: a value of UINT32_MAX is a legal minimum. */
    uint64_t filled[4096 / 64];
    unsigned words = (K + 63) / 64;
    memset(filled, 0, words * sizeof filled[0]);
    for (size_t i = 0; i < n; i++) {
        unsigned b = bin_of(h[i], K);
        uint32_t v = (uint32_t)h[i];
        if (v < values[b])
            values[b] = v;
        filled[b >> 6] |= 1ull << (b & 63);
    }
    unsigned nonempty = 0;
    for (unsigned w = 0; w < words; w++)
        nonempty += (unsigned)__builtin_popcountll(filled[w]);
    if (nonempty == 0 || nonempty == K)
        return nonempty;
    uint32_t dense[4096];
    memcpy(dense, values, K * sizeof values[0]);
    for (unsigned i = 0; i < K; i++) {
        if (filled[i >> 6] & (1ull << (i & 63)))
            continue;
        uint64_t state = seed ^ (0xD6E8FEB86659FD93ull * (i + 1));
        for (unsigned attempt = 0;; attempt++) {
            unsigned j;
            if (attempt < 64u * K) {
                j = bin_of(doppel__splitmix64(&state), K);
            } else {
                /* Practically unreachable; keeps termination certain. */
                j = (i + attempt) % K;
            }
            if (filled[j >> 6] & (1ull << (j & 63))) {
                dense[i] = values[j];
                break;
            }
        }
    }
    memcpy(values, dense, K * sizeof values[0]);
    return nonempty;
}

unsigned doppel__minhash_k_perm(const uint64_t *h, size_t n, unsigned K,
                                const uint64_t *a, const uint64_t *b,
                                uint32_t *values)
{
    for (unsigned k = 0; k < K; k++)
        values[k] = UINT32_MAX;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = h[i];
        for (unsigned k = 0; k < K; k++) {
            uint32_t v = (uint32_t)((a[k] * x + b[k]) >> 32);
            if (v < values[k])
                values[k] = v;
        }
    }
    return K;
}

double doppel__minhash_similarity(const uint32_t *x, const uint32_t *y,
                                  unsigned K)
{
    unsigned eq = 0;
    for (unsigned k = 0; k < K; k++)
        eq += x[k] == y[k];
    return (double)eq / (double)K;
}
