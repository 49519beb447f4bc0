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
 * A bucket larger than DOPPEL__LSH_WINDOW (a footer, a template, a story
 * reprinted a thousand times) would produce a quadratic number of pairs.
 * Its members are paired only with the window of members before them:
 * enough to connect every member of a true duplicate cluster (each one is
 * verified against up to 64 neighbours of that cluster) while keeping the
 * cost linear.
 */
#include "lsh.h"
#include "hash.h"
#include "signature.h"

#include <string.h>

unsigned doppel__lsh_families(const doppel_params *p,
                              doppel__band_family out[2])
{
    out[0].lede = 0;
    out[0].stride = p->num_perm;
    out[0].bands = p->bands;
    out[0].rows = p->rows;
    out[0].seed = 0;
    if (p->verify != DOPPEL_VERIFY_ROBUST)
        return 1;
    out[1].lede = 1;
    out[1].stride = DOPPEL__LEDE_BINS;
    out[1].bands = DOPPEL__LEDE_BANDS;
    out[1].rows = DOPPEL__LEDE_ROWS;
    out[1].seed = DOPPEL__LEDE_BAND_SEED;
    return 2;
}

void doppel__pairvec_free(doppel__pairvec *p, const doppel_allocator *a)
{
    doppel__free(a, p->v);
    memset(p, 0, sizeof *p);
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
    enum { BITS = 16, BUCKETS = 1 << BITS };
    static const unsigned passes = 64 / BITS;
    size_t count[BUCKETS];
    uint64_t *src = keys, *dst = tmp;
    for (unsigned pass = 0; pass < passes; pass++) {
        unsigned shift = pass * BITS;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (BUCKETS - 1)]++;
        /* Skip a pass where every key has the same digit. */
        if (n && count[(src[0] >> shift) & (BUCKETS - 1)] == n)
            continue;
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
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

/* Sort (key, doc) entries by key, stable in doc order: the doc numbers are
 * appended in increasing order and every pass is stable. */
typedef doppel__band_entry band_entry;

void doppel__lsh_sort_entries(band_entry *e, band_entry *tmp, size_t n)
{
    if (n < 256) { /* insertion sort: stable */
        for (size_t i = 1; i < n; i++) {
            band_entry x = e[i];
            size_t j = i;
            for (; j > 0 && e[j - 1].key > x.key; j--)
                e[j] = e[j - 1];
            e[j] = x;
        }
        return;
    }
    enum { BITS = 16, BUCKETS = 1 << BITS };
    size_t count[BUCKETS];
    band_entry *src = e, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & (BUCKETS - 1)]++] = src[i];
        band_entry *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
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
    doppel__radix_sort64(p->v, tmp, p->n);
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
    if (!e || !tmp) {
        doppel__free(a, e);
        doppel__free(a, tmp);
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
        doppel__lsh_sort_entries(e, tmp, m);
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
    return rc;
}
