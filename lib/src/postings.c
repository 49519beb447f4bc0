/*
 * postings.c — building and searching the sorted posting arrays of a
 * segment (postings.h).
 */
#include "postings.h"

#include <string.h>

void doppel__bandset_init(doppel__bandset *bs, const doppel_params *p)
{
    bs->nfam = doppel__lsh_families(p, bs->fam);
    bs->total = 0;
    for (unsigned f = 0; f < bs->nfam; f++)
        bs->total += bs->fam[f].bands;
}

void doppel__postings_sort(uint64_t *e, uint64_t *tmp, size_t n)
{
    if (n < 64) { /* insertion sort: stable */
        for (size_t i = 1; i < n; i++) {
            uint64_t x = e[i];
            size_t j = i;
            for (; j > 0 && (e[j - 1] >> 32) > (x >> 32); j--)
                e[j] = e[j - 1];
            e[j] = x;
        }
        return;
    }
    enum { BITS = 16, BUCKETS = 1 << BITS };
    size_t count[BUCKETS];
    uint64_t *src = e, *dst = tmp;
    for (unsigned shift = 32; shift < 64; shift += BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (BUCKETS - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
}

void doppel__postings_build(const doppel__bandset *bs, unsigned g,
                            doppel__sketch_fn get, const void *ctx, size_t n,
                            uint64_t *scratch, uint64_t *tmp,
                            uint32_t *keys_out, uint32_t *docs_out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        doppel__sketch_cref c = get(ctx, i);
        if (c.meta->flags & DOPPEL__SIG_EMPTY)
            continue;
        uint64_t key = doppel__bandset_key(bs, &c, g);
        scratch[m++] = (key & 0xFFFFFFFF00000000ull) | (uint32_t)i;
    }
    doppel__postings_sort(scratch, tmp, m);
    for (size_t i = 0; i < m; i++) {
        keys_out[i] = (uint32_t)(scratch[i] >> 32);
        docs_out[i] = (uint32_t)scratch[i];
    }
}

size_t doppel__postings_upper(const uint32_t *keys, size_t m, uint32_t k)
{
    size_t lo = 0, len = m;
    while (len > 0) {
        size_t half = len / 2;
        if (keys[lo + half] <= k) {
            lo += half + 1;
            len -= half + 1;
        } else {
            len = half;
        }
    }
    return lo;
}

size_t doppel__postings_gallop(const uint32_t *keys, size_t m, size_t from,
                               uint32_t k)
{
    if (from >= m || keys[from] >= k)
        return from;
    /* keys[lo] < k; find hi with keys[hi] >= k or hi = m. */
    size_t lo = from, step = 1, hi;
    for (;;) {
        hi = lo + step;
        if (hi >= m || hi < lo) {
            hi = m;
            break;
        }
        if (keys[hi] >= k)
            break;
        lo = hi;
        step *= 2;
    }
    /* first index in (lo, hi] with keys >= k */
    size_t a = lo + 1, len = hi - a;
    while (len > 0) {
        size_t half = len / 2;
        if (keys[a + half] < k) {
            a += half + 1;
            len -= half + 1;
        } else {
            len = half;
        }
    }
    return a;
}
