/*
 * lsh.c — locality-sensitive hashing over MinHash signatures (Indyk &
 * Motwani 1998; banding as in Leskovec, Rajaraman & Ullman, "Mining of
 * Massive Datasets", ch. 3).
 *
 * Each signature is cut into b bands of r values; two documents become a
 * candidate pair when all r values of some band agree. Instead of a hash
 * table of buckets (pointer-heavy, allocation per bucket), each band is
 * handled as one array of (band key, document) entries sorted with a radix
 * sort: equal keys become adjacent runs, and runs are buckets. Memory is
 * one band at a time, and the work is linear in the number of documents.
 *
 * The sort is stable (equal keys keep document order, which the window
 * below relies on) and linear: entries are distributed by the top bits of
 * their key into about n/4 buckets, each then sorted by insertion (a few
 * entries) or, when large, by a byte-wise radix sort that skips the bytes
 * all its keys share (a hot bucket of identical keys costs one pass).
 * Nothing is sized by the key width, so a band of 50 documents does not
 * clear a 65,536-entry histogram four times.
 *
 * A bucket larger than DOPPEL__LSH_WINDOW (a footer, a template, a story
 * reprinted a thousand times) would produce a quadratic number of pairs.
 * Its members are paired only with the window of members before them:
 * enough to connect every member of a true duplicate cluster (each one is
 * verified against up to 64 neighbours of that cluster) while keeping the
 * cost linear.
 */
#include "lsh.h"
#include "hash.h"

#include <string.h>

void doppel__pairvec_free(doppel__pairvec *p, const doppel_allocator *a)
{
    doppel__free(a, p->v);
    memset(p, 0, sizeof *p);
}

/* LSD radix sort of n keys on the bits in `vary` only (bits where some
 * keys differ), 11 bits at a time; stable. Returns the array holding the
 * result (keys or tmp). */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)

static uint64_t *radix64(uint64_t *keys, uint64_t *tmp, size_t n,
                         uint64_t vary)
{
    size_t count[RADIX_SIZE];
    uint64_t *src = keys, *dst = tmp;
    for (unsigned shift = 0; shift < 64 && (vary >> shift); shift += RADIX_BITS) {
        if (!((vary >> shift) & (RADIX_SIZE - 1)))
            continue;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
        size_t sum = 0;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

void doppel__radix_sort64(uint64_t *keys, uint64_t *tmp, size_t n)
{
    if (n < 256) {
        for (size_t i = 1; i < n; i++) {
            uint64_t k = keys[i];
            size_t j = i;
            for (; j > 0 && keys[j - 1] > k; j--)
                keys[j] = keys[j - 1];
            keys[j] = k;
        }
        return;
    }
    uint64_t vary = 0;
    for (size_t i = 1; i < n; i++)
        vary |= keys[i] ^ keys[0];
    uint64_t *out = radix64(keys, tmp, n, vary);
    if (out != keys)
        memcpy(keys, out, n * sizeof *keys);
}

/* Sort (key, doc) entries by key, stable in doc order: the doc numbers are
 * appended in increasing order and every step is stable. */
typedef struct {
    uint64_t key;
    uint32_t doc;
} band_entry;

static void insertion_sort(band_entry *e, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        band_entry x = e[i];
        size_t j = i;
        for (; j > 0 && e[j - 1].key > x.key; j--)
            e[j] = e[j - 1];
        e[j] = x;
    }
}

/* Stable byte-wise LSD radix sort of a large bucket, skipping bytes that
 * every key shares; the result ends in e. */
static void radix_entries(band_entry *e, band_entry *tmp, size_t n)
{
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < 8; d++)
            count[d][(e[i].key >> (8 * d)) & 0xFF]++;
    band_entry *src = e, *dst = tmp;
    for (unsigned d = 0; d < 8; d++) {
        if (count[d][(e[0].key >> (8 * d)) & 0xFF] == n)
            continue; /* one value of this byte: nothing to do */
        size_t sum = 0;
        for (unsigned b = 0; b < 256; b++) {
            size_t c = count[d][b];
            count[d][b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[d][(src[i].key >> (8 * d)) & 0xFF]++] = src[i];
        band_entry *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
}

/* Top-bit buckets for n entries: about n / 4 of them, at most 2^20. */
static unsigned bucket_bits(size_t n)
{
    unsigned bits = 4;
    while (bits < 20 && ((size_t)1 << (bits + 2)) < n)
        bits++;
    return bits;
}

/* Sort e[0..n) (tmp holds n entries, count 2^bucket_bits(n) + 1). */
static void sort_entries(band_entry *e, band_entry *tmp, size_t n,
                         size_t *count)
{
    if (n < 64) {
        insertion_sort(e, n);
        return;
    }
    unsigned bits = bucket_bits(n);
    unsigned shift = 64 - bits;
    size_t buckets = (size_t)1 << bits;
    memset(count, 0, (buckets + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(e[i].key >> shift) + 1]++;
    for (size_t b = 0; b < buckets; b++)
        count[b + 1] += count[b];
    /* count[b] = start of bucket b; scatter advances it to its end */
    for (size_t i = 0; i < n; i++)
        tmp[count[e[i].key >> shift]++] = e[i];
    size_t start = 0;
    for (size_t b = 0; b < buckets; b++) {
        size_t end = count[b], m = end - start;
        if (m > 64)
            radix_entries(tmp + start, e + start, m);
        else if (m > 1)
            insertion_sort(tmp + start, m);
        start = end;
    }
    memcpy(e, tmp, n * sizeof *e);
}

static int push_pair(doppel__pairvec *out, uint32_t a, uint32_t b,
                     const doppel_allocator *al)
{
    if (out->n == out->cap &&
        doppel__grow(al, (void **)&out->v, &out->cap, out->n + 1,
                     sizeof(uint64_t)) < 0)
        return DOPPEL_ERR_NOMEM;
    out->v[out->n++] = ((uint64_t)a << 32) | b;
    return DOPPEL_OK;
}

int doppel__pairs_unique(doppel__pairvec *p, const doppel_allocator *a)
{
    if (p->n < 2)
        return DOPPEL_OK;
    uint64_t *tmp = doppel__malloc_array(a, p->n, sizeof(uint64_t));
    if (!tmp)
        return DOPPEL_ERR_NOMEM;
    /* Pairs (a << 32) | b with a, b < 2^bits: sorted as (a << bits) | b,
     * which has only 2 * bits varying bits instead of 64. */
    uint64_t any = 0;
    for (size_t i = 0; i < p->n; i++)
        any |= (p->v[i] >> 32) | (p->v[i] & 0xFFFFFFFFull);
    unsigned bits = 1;
    while (bits < 32 && (any >> bits))
        bits++;
    for (size_t i = 0; i < p->n; i++)
        p->v[i] = ((p->v[i] >> 32) << bits) | (p->v[i] & 0xFFFFFFFFull);
    doppel__radix_sort64(p->v, tmp, p->n);
    for (size_t i = 0; i < p->n; i++)
        p->v[i] = ((p->v[i] >> bits) << 32) | (p->v[i] & ((1ull << bits) - 1));
    doppel__free(a, tmp);
    size_t w = 1;
    for (size_t i = 1; i < p->n; i++)
        if (p->v[i] != p->v[w - 1])
            p->v[w++] = p->v[i];
    p->n = w;
    return DOPPEL_OK;
}

int doppel__lsh_candidates(const uint16_t *values, size_t stride,
                           const uint8_t *skip, uint8_t skip_mask, size_t n,
                           unsigned bands, unsigned rows, unsigned band_seed,
                           doppel__pairvec *out, uint64_t *hot_buckets,
                           const doppel_allocator *a)
{
    if (n < 2)
        return DOPPEL_OK;
    band_entry *e = doppel__malloc_array(a, n, sizeof *e);
    band_entry *tmp = doppel__malloc_array(a, n, sizeof *tmp);
    size_t *count = doppel__malloc_array(a, ((size_t)1 << bucket_bits(n)) + 1,
                                         sizeof *count);
    if (!e || !tmp || !count) {
        doppel__free(a, e);
        doppel__free(a, tmp);
        doppel__free(a, count);
        return DOPPEL_ERR_NOMEM;
    }
    int rc = DOPPEL_OK;
    size_t after_unique = out->n;
    for (unsigned band = 0; band < bands && rc == DOPPEL_OK; band++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (skip && (skip[i] & skip_mask))
                continue;
            e[m].key = doppel__hash_band(values + i * stride + band * rows,
                                         rows, band_seed + band);
            e[m].doc = (uint32_t)i;
            m++;
        }
        sort_entries(e, tmp, m, count);
        for (size_t s = 0; s < m && rc == DOPPEL_OK;) {
            size_t t = s + 1;
            while (t < m && e[t].key == e[s].key)
                t++;
            if (t - s > DOPPEL__LSH_WINDOW)
                (*hot_buckets)++;
            for (size_t j = s + 1; j < t && rc == DOPPEL_OK; j++) {
                size_t from = j - s > DOPPEL__LSH_WINDOW
                                  ? j - DOPPEL__LSH_WINDOW
                                  : s;
                for (size_t i = from; i < j && rc == DOPPEL_OK; i++)
                    rc = push_pair(out, e[i].doc, e[j].doc, a);
            }
            s = t;
        }
        /* Keep the pair list from growing with the number of bands. */
        if (rc == DOPPEL_OK && out->n > 2 * after_unique + 4 * n + 1024) {
            rc = doppel__pairs_unique(out, a);
            after_unique = out->n;
        }
    }
    doppel__free(a, e);
    doppel__free(a, tmp);
    doppel__free(a, count);
    return rc;
}
