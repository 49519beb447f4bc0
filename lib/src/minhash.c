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
#include "common.h" /* DOPPEL_LIKELY */

#define DOPPEL__DENSIFY_PROBES 32

/* Each bin keeps one 64-bit key (minhash.h: doppel__oph_add): the 32-bit
 * value in the high bits and, with positions, the shingle's position in
 * the low 8, so that one unsigned minimum per shingle keeps both.
 * Positions never decrease along the shingles, so among equal values the
 * minimum key is the earliest shingle, exactly as a strict "value <
 * minimum" update keeps it. A bin no shingle reached keeps
 * DOPPEL__OPH_EMPTY, above every real key. */
/* The state of bin i's probe sequence before its first probe; probe a
 * (from 0) is doppel__oph_bin of the (a + 1)-th splitmix64 output. */
static inline uint64_t probe_state(uint64_t seed, unsigned i)
{
    return seed ^ (0xD6E8FEB86659FD93ull * (i + 1));
}

void doppel__oph_probes(uint16_t *p, unsigned K, uint64_t seed)
{
    for (unsigned i = 0; i < K; i++) {
        uint64_t state = probe_state(seed, i);
        for (unsigned t = 0; t < DOPPEL__OPH_PROBES_CACHED; t++)
            p[i * DOPPEL__OPH_PROBES_CACHED + t] =
                (uint16_t)doppel__oph_bin(doppel__splitmix64(&state), K);
    }
}

/* Bit j of the result: key[j] is filled (j < n <= 64). Keys of filled
 * bins are below 2^40 and an empty bin's is UINT64_MAX, so the top bit
 * tells them apart. */
static inline uint64_t filled_mask(const uint64_t *key, unsigned n)
{
    uint64_t empty = 0;
    unsigned j = 0;
#if defined(__SSE2__)
    for (; j + 2 <= n; j += 2) {
        __m128d v = _mm_castsi128_pd(
            _mm_loadu_si128((const __m128i *)(const void *)(key + j)));
        empty |= (uint64_t)(unsigned)_mm_movemask_pd(v) << j;
    }
#endif
    for (; j < n; j++)
        empty |= (key[j] >> 63) << j;
    return ~empty & (n == 64 ? ~0ull : (1ull << n) - 1);
}

/* Each bin keeps one 64-bit key (minhash.h: doppel__oph_add): the 32-bit
 * value in the high bits and, with positions, the shingle's position in
 * the low 8, so that one unsigned minimum per shingle keeps both.
 * Positions never decrease along the shingles, so among equal values the
 * minimum key is the earliest shingle, exactly as a strict "value <
 * minimum" update keeps it. A bin no shingle reached keeps
 * DOPPEL__OPH_EMPTY, above every real key. */
unsigned doppel__oph_finish_probed(uint64_t *key, unsigned K, uint64_t seed,
                                   const uint16_t *probes, doppel__mh *out,
                                   uint8_t *positions)
{
    /* Which bins were filled, frozen in a bitmap before any empty bin
     * borrows (so that an empty bin can take its donor's key in place). */
    uint64_t filled[4096 / 64];
    unsigned words = (K + 63) / 64, nonempty = 0;
    for (unsigned w = 0; w < words; w++) {
        unsigned lo = w * 64, hi = lo + 64 < K ? lo + 64 : K;
        uint64_t m = filled_mask(key + lo, hi - lo);
        filled[w] = m;
        nonempty += doppel__popcount64(m);
    }
    if (nonempty == 0) {
        for (unsigned i = 0; i < K; i++)
            out[i] = (doppel__mh)UINT32_MAX;
        if (positions)
            memset(positions, 0, K);
        return 0;
    }
#define FILLED(b) ((filled[(b) >> 6] >> ((b) & 63)) & 1)
    if (nonempty < K) {
        /* Empty bins borrow from a filled bin: the first filled bin hit by
         * a probe sequence seeded by the bin number, or after
         * DOPPEL__DENSIFY_PROBES misses the next filled bin to the right
         * (circularly; next[] is built the first time it is needed). With
         * `probes`, the first DOPPEL__OPH_PROBES_CACHED probes of the
         * sequence are read from it, tested together. */
        uint16_t next[4096];
        int have_next = 0;
        for (unsigned w = 0; w < words; w++) {
            uint64_t empty = ~filled[w];
            if (w == words - 1 && K % 64)
                empty &= (1ull << (K % 64)) - 1;
            while (empty) {
                unsigned i = w * 64 + (unsigned)__builtin_ctzll(empty);
                empty &= empty - 1;
                uint64_t state = probe_state(seed, i);
                unsigned j = K, attempt = 0;
                if (probes) {
                    const uint16_t *pr = probes + i * DOPPEL__OPH_PROBES_CACHED;
                    unsigned hit = 0;
                    for (unsigned a = 0; a < DOPPEL__OPH_PROBES_CACHED; a++)
                        hit |= (unsigned)FILLED(pr[a]) << a;
                    if (DOPPEL_LIKELY(hit)) {
                        key[i] = key[pr[__builtin_ctz(hit)]];
                        continue;
                    }
                    attempt = DOPPEL__OPH_PROBES_CACHED;
                    state += DOPPEL__OPH_PROBES_CACHED * 0x9E3779B97F4A7C15ull;
                }
                for (; attempt < DOPPEL__DENSIFY_PROBES; attempt++) {
                    unsigned c =
                        doppel__oph_bin(doppel__splitmix64(&state), K);
                    if (FILLED(c)) {
                        j = c;
                        break;
                    }
                }
                if (j == K) {
                    if (!have_next) {
                        unsigned last = K;
                        for (unsigned pass = 0; pass < 2; pass++)
                            for (unsigned x = K; x-- > 0;) {
                                if (FILLED(x))
                                    last = x;
                                if (last != K)
                                    next[x] = (uint16_t)last;
                            }
                        have_next = 1;
                    }
                    j = next[i];
                }
                key[i] = key[j];
            }
        }
    }
#undef FILLED
    if (positions) {
        for (unsigned i = 0; i < K; i++)
            out[i] = (doppel__mh)(key[i] >> 8);
        for (unsigned i = 0; i < K; i++)
            positions[i] = (uint8_t)key[i];
    } else {
        for (unsigned i = 0; i < K; i++)
            out[i] = (doppel__mh)key[i];
    }
    return nonempty;
}

unsigned doppel__oph_finish(uint64_t *key, unsigned K, uint64_t seed,
                            doppel__mh *out, uint8_t *positions)
{
    return doppel__oph_finish_probed(key, K, seed, NULL, out, positions);
}

unsigned doppel__minhash_one_perm_probed(const uint64_t *h, const uint8_t *pos,
                                         size_t n, unsigned K, uint64_t seed,
                                         const uint16_t *probes,
                                         doppel__mh *out, uint8_t *positions)
{
    uint64_t key[4096];
    doppel__oph_init(key, K);
    if (positions)
        for (size_t i = 0; i < n; i++)
            doppel__oph_add(key, K, h[i], pos[i], 8);
    else
        for (size_t i = 0; i < n; i++)
            doppel__oph_add(key, K, h[i], 0, 0);
    return doppel__oph_finish_probed(key, K, seed, probes, out, positions);
}

unsigned doppel__minhash_one_perm(const uint64_t *h, const uint8_t *pos,
                                  size_t n, unsigned K, uint64_t seed,
                                  doppel__mh *out, uint8_t *positions)
{
    return doppel__minhash_one_perm_probed(h, pos, n, K, seed, NULL, out,
                                           positions);
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

unsigned doppel__minhash_equal_scalar(const doppel__mh *x,
                                      const doppel__mh *y, unsigned K)
{
    unsigned eq = 0;
    for (unsigned k = 0; k < K; k++)
        eq += x[k] == y[k];
    return eq;
}

/* Eight values per compare; each 16-bit lane counts its equal values (at
 * most 4096 / 8 = 512, no overflow), summed at the end. This is the inner
 * loop of verification and of choosing representatives. */
unsigned doppel__minhash_equal(const doppel__mh *x, const doppel__mh *y,
                               unsigned K)
{
#if defined(__SSE2__)
    __m128i acc = _mm_setzero_si128();
    unsigned k = 0;
    for (; k + 8 <= K; k += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(x + k));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(y + k));
        acc = _mm_sub_epi16(acc, _mm_cmpeq_epi16(a, b));
    }
    acc = _mm_madd_epi16(acc, _mm_set1_epi16(1));
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
    unsigned eq = (unsigned)_mm_cvtsi128_si32(acc);
    return eq + doppel__minhash_equal_scalar(x + k, y + k, K - k);
#else
    return doppel__minhash_equal_scalar(x, y, K);
#endif
}

double doppel__minhash_similarity(const doppel__mh *x, const doppel__mh *y,
                                  unsigned K)
{
    return (double)doppel__minhash_equal(x, y, K) / (double)K;
}
