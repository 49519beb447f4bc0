/*
 * rng.h — the benchmark's own pseudo-random numbers: splitmix64 to expand a
 * seed, xoshiro256** (Blackman & Vigna 2018) as the generator, unbiased
 * bounded integers by rejection. Header-only and state-in-a-struct, so every
 * edit is deterministic for its seed, independent of libc's rand() and of
 * the order in which documents are made: each document derives its own seed
 * with bg_seed_derive(run seed, document number, purpose).
 */
#ifndef BG_RNG_H
#define BG_RNG_H

#include <stdint.h>

typedef struct bg_rng {
    uint64_t s[4];
} bg_rng;

/** One step of splitmix64: advances *x and returns a well-mixed value. */
static inline uint64_t bg_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/** A stateless 64-bit mixer (the splitmix64 finaliser). */
static inline uint64_t bg_mix64(uint64_t x)
{
    return bg_splitmix64(&x);
}

/** A seed for one purpose of one item, from a run seed: distinct (a, b)
 *  give unrelated streams. */
static inline uint64_t bg_seed_derive(uint64_t seed, uint64_t a, uint64_t b)
{
    return bg_mix64(bg_mix64(seed ^ 0x6A09E667F3BCC909ULL) + a * 0x9E3779B97F4A7C15ULL
                    + bg_mix64(b + 0xBB67AE8584CAA73BULL));
}

static inline void bg_rng_seed(bg_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = bg_splitmix64(&x);
}

static inline uint64_t bg_rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/** xoshiro256**. */
static inline uint64_t bg_rng_next(bg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = bg_rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = bg_rotl64(s[3], 45);
    return result;
}

/** Uniform in [0, 1) with 53 random bits. */
static inline double bg_rng_double(bg_rng *r)
{
    return (double)(bg_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/** Uniform in [0, n) without modulo bias; n == 0 gives 0. */
static inline uint64_t bg_rng_below(bg_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = bg_rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

/** Uniform in [lo, hi] (inclusive). */
static inline uint64_t bg_rng_range(bg_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + bg_rng_below(r, hi - lo + 1);
}

/** 1 with probability p. */
static inline int bg_rng_chance(bg_rng *r, double p)
{
    return bg_rng_double(r) < p;
}

/** Uniform double in [lo, hi). */
static inline double bg_rng_uniform(bg_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * bg_rng_double(r);
}

#endif
