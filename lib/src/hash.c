/*
 * hash.c — the one translation unit that inlines xxHash (XXH_INLINE_ALL),
 * so XXH3 is compiled with the library's flags and none of its symbols are
 * exported. The batch function keeps the per-token call overhead out of the
 * hot loop.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "hash.h"

_Static_assert(sizeof(XXH3_state_t) <= sizeof(((doppel__hasher *)0)->state),
               "doppel__hasher too small for XXH3_state_t");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "XXH3_state_t alignment");

void doppel__hasher_reset(doppel__hasher *h)
{
    XXH3_64bits_reset((XXH3_state_t *)(void *)h->state);
}

void doppel__hasher_update(doppel__hasher *h, const void *data, size_t len)
{
    if (len)
        XXH3_64bits_update((XXH3_state_t *)(void *)h->state, data, len);
}

uint64_t doppel__hasher_digest(const doppel__hasher *h)
{
    return XXH3_64bits_digest((const XXH3_state_t *)(const void *)h->state);
}

uint64_t doppel__hash_bytes(const void *data, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, len, seed);
}

uint64_t doppel__hash_word(const void *data, size_t len)
{
    /* XXH3_64bits is XXH3_64bits_withSeed(.., 0) with the seed folded in
     * at compile time. */
    return XXH3_64bits(data, len);
}

uint64_t doppel__hash_band(const uint16_t *values, unsigned rows,
                           unsigned band)
{
    return XXH3_64bits_withSeed(values, rows * sizeof(uint16_t),
                                0x6c73682d62616e64ull + band);
}
