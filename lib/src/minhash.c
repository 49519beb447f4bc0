/*
 * minhash.c — MinHash signatures.
 *
 * The default is one-permutation hashing: each shingle is hashed once and
 * lands in one of K bins, so signing costs O(1) per shingle instead of O(K)
 * (Li, Owen & Zhang, "One Permutation Hashing", NIPS 2012). Short documents
 * leave bins empty; each empty bin borrows from a non-empty one chosen by a
 * probe sequence seeded by the bin number alone ("optimal densification",
 * Shrivastava, ICML 2017), which keeps the estimator unbiased with variance
 * close to that of K independent permutations. Pure random probing costs
 * O(K^2 / filled) on a document with very few shingles, so after 32 probes
 * a bin takes the next non-empty bin to its right instead (the "rotation"
 * of Shrivastava & Li, ICML 2014): still a rule that depends only on the
 * bin and on which bins are filled, and O(K) in all.
 *
 * The K-permutation baseline is kept as the reference the fast path is
 * tested and benchmarked against.
 */
#include "minhash.h"
#include "hash.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define DOPPEL__DENSIFY_PROBES 32

static inline unsigned bin_of(uint64_t h, unsigned K)
{
    return (unsigned)(((h >> 32) * (uint64_t)K) >> 32);
}

unsigned doppel__minhash_one_perm(const uint64_t *h, const uint8_t *pos,
                                  size_t n, unsigned K, uint64_t seed,
                                  doppel__mh *out, uint8_t *positions)
{
    uint32_t values[4096]; /* full-precision minima */
    /* filled[] as a bitmap: a value of UINT32_MAX is a legal minimum. */
    uint64_t filled[4096 / 64];
    unsigned words = (K + 63) / 64;
    memset(filled, 0, words * sizeof filled[0]);
    for (unsigned i = 0; i < K; i++)
        values[i] = UINT32_MAX;
    if (positions) {
        memset(positions, 0, K);
        for (size_t i = 0; i < n; i++) {
            unsigned b = bin_of(h[i], K);
            uint32_t v = (uint32_t)h[i];
            uint64_t bit = 1ull << (b & 63);
            if (v < values[b] || !(filled[b >> 6] & bit)) {
                values[b] = v;
                positions[b] = pos[i];
            }
            filled[b >> 6] |= bit;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned b = bin_of(h[i], K);
            uint32_t v = (uint32_t)h[i];
            if (v < values[b])
                values[b] = v;
            filled[b >> 6] |= 1ull << (b & 63);
        }
    }
    unsigned nonempty = 0;
    for (unsigned w = 0; w < words; w++)
        nonempty += (unsigned)__builtin_popcountll(filled[w]);
    if (nonempty == 0 || nonempty == K) {
        for (unsigned i = 0; i < K; i++)
            out[i] = (doppel__mh)values[i];
        return nonempty;
    }

    /* next[i]: the first filled bin at or after i, circularly. */
    uint16_t next[4096];
    unsigned last = K;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = K; i-- > 0;) {
            if (filled[i >> 6] & (1ull << (i & 63)))
                last = i;
            if (last != K)
                next[i] = (uint16_t)last;
        }
    uint32_t dense_v[4096];
    uint8_t dense_p[4096];
    memcpy(dense_v, values, K * sizeof values[0]);
    if (positions)
        memcpy(dense_p, positions, K);
    for (unsigned i = 0; i < K; i++) {
        if (filled[i >> 6] & (1ull << (i & 63)))
            continue;
        uint64_t state = seed ^ (0xD6E8FEB86659FD93ull * (i + 1));
        unsigned j = next[i];
        for (unsigned attempt = 0; attempt < DOPPEL__DENSIFY_PROBES;
             attempt++) {
            unsigned c = bin_of(doppel__splitmix64(&state), K);
            if (filled[c >> 6] & (1ull << (c & 63))) {
                j = c;
                break;
            }
        }
        dense_v[i] = values[j];
        if (positions)
            dense_p[i] = positions[j];
    }
    for (unsigned i = 0; i < K; i++)
        out[i] = (doppel__mh)dense_v[i];
    if (positions)
        memcpy(positions, dense_p, K);
    return nonempty;
}

unsigned doppel__minhash_k_perm(const uint64_t *h, const uint8_t *pos,
                                size_t n, unsigned K, const uint64_t *a,
                                const uint64_t *b, doppel__mh *out,
                                uint8_t *positions)
{
    uint32_t values[4096]; /* full-precision minima */
    for (unsigned k = 0; k < K; k++)
        values[k] = UINT32_MAX;
    if (positions)
        memset(positions, 0, K);
    if (n == 0) {
        for (unsigned k = 0; k < K; k++)
            out[k] = (doppel__mh)values[k];
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t x = h[i];
        for (unsigned k = 0; k < K; k++) {
            uint32_t v = (uint32_t)((a[k] * x + b[k]) >> 32);
            if (v < values[k]) {
                values[k] = v;
                if (positions)
                    positions[k] = pos[i];
            }
        }
    }
    /* A value can tie at UINT32_MAX only if every shingle mapped there;
     * then positions stay those of the first shingle seen. */
    if (positions)
        for (unsigned k = 0; k < K; k++)
            if (values[k] == UINT32_MAX)
                positions[k] = pos[0];
    for (unsigned k = 0; k < K; k++)
        out[k] = (doppel__mh)values[k];
    return K;
}

/* The count of equal values is the inner loop of every verification (an
 * index verifies millions of candidates per batch), and GCC does not
 * vectorise it at -O2: eight values per SSE2 compare where there is SSE2
 * (every x86-64), the plain loop elsewhere and for the tail. */
unsigned doppel__minhash_equal(const doppel__mh *x, const doppel__mh *y,
                               unsigned K)
{
    unsigned eq = 0, k = 0;
#if defined(__SSE2__)
    unsigned bits = 0; /* two mask bits per equal 16-bit lane */
    for (; k + 8 <= K; k += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(x + k));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(y + k));
        bits += (unsigned)__builtin_popcount(
            (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(a, b)));
    }
    eq = bits / 2;
#endif
    for (; k < K; k++)
        eq += x[k] == y[k];
    return eq;
}

double doppel__minhash_similarity(const doppel__mh *x, const doppel__mh *y,
                                  unsigned K)
{
    return (double)doppel__minhash_equal(x, y, K) / (double)K;
}
