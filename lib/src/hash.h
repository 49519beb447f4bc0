/*
 * hash.h — every hash doppel computes: XXH3 of bytes, a batch of token
 * hashes, mixing of k token hashes into a shingle hash, and splitmix64 for
 * deriving per-purpose constants from the user's seed. This is the one
 * place that includes xxHash (inlined, so nothing of it leaks into the ABI).
 */
#ifndef DOPPEL_HASH_H
#define DOPPEL_HASH_H

#include <stddef.h>
#include <stdint.h>

/** XXH3-64 of len bytes with a seed. */
uint64_t doppel__hash_bytes(const void *data, size_t len, uint64_t seed);

/** XXH3-64 of len bytes with seed 0 (doppel__hash_bytes(data, len, 0)). */
uint64_t doppel__hash_word(const void *data, size_t len);

/** A 64-bit word read from memory as little-endian. */
static inline uint64_t doppel__le64(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(x);
#else
    return x;
#endif
}

/** splitmix64: the next value of the sequence whose state is *state. */
static inline uint64_t doppel__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/** A 64-bit finaliser with full avalanche (murmur3's fmix64). */
static inline uint64_t doppel__mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

/** Bits set in x, without assuming a popcount instruction (the portable
 *  x86-64 baseline has none, and libgcc's fallback is a call). */
static inline unsigned doppel__popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/**
 * Order-sensitive combination of k token hashes into one shingle hash:
 * h = fmix64(fold of rotl(h, 23) ^ t, * odd constant). Each token is hashed
 * once (XXH3) and every shingle containing it reuses that hash, instead of
 * re-hashing the shingle's text.
 */
static inline uint64_t doppel__combine(const uint64_t *t, unsigned k,
                                       uint64_t seed)
{
    uint64_t h = seed ^ (0x9E3779B97F4A7C15ull * k);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8 /* straight-line code when k is a constant */
#elif defined(__clang__)
#pragma unroll 8
#endif
    for (unsigned j = 0; j < k; j++) {
        h = (h << 23) | (h >> 41);
        h = (h ^ t[j]) * 0x9FB21C651E98DF25ull;
    }
    return doppel__mix64(h);
}



/**
 * Streaming XXH3-64 (seed 0) for checksums of data written or read in
 * pieces: the digest equals doppel__hash_bytes(all of it, 0). The storage
 * is XXH3's state, kept opaque here so that nothing includes xxhash.h but
 * hash.c.
 */
typedef struct doppel__hasher {
    _Alignas(64) unsigned char state[640];
} doppel__hasher;

void doppel__hasher_reset(doppel__hasher *h);
void doppel__hasher_update(doppel__hasher *h, const void *data, size_t len);
uint64_t doppel__hasher_digest(const doppel__hasher *h);

/** The LSH key of one band: XXH3-64 of its `rows` values, seeded by the
 *  band number so equal values in different bands never collide. */
uint64_t doppel__hash_band(const uint16_t *values, unsigned rows,
                           unsigned band);
#endif
