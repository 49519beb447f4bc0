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
#include "signature.h"
#include "threads.h"

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
typedef doppel__band_entry band_entry;

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

size_t doppel__lsh_sort_count_len(size_t n)
{
    return ((size_t)1 << bucket_bits(n)) + 1;
}

void doppel__lsh_sort_entries(band_entry *e, band_entry *tmp, size_t n,
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

/* Bits needed for the largest document number in pairs v[0..n). */
static unsigned pair_bits(const uint64_t *v, size_t n)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= (v[i] >> 32) | (v[i] & 0xFFFFFFFFull);
    unsigned bits = 1;
    while (bits < 32 && (any >> bits))
        bits++;
    return bits;
}

/* Sort pairs (a << 32) | b, all with a, b < 2^bits: as (a << bits) | b,
 * which has only 2 * bits bits to sort on instead of 64. A large array is
 * first split by its top RADIX_BITS bits (one pass through memory), then
 * each part, now small enough for the cache, is sorted on the rest. */
static void sort_pairs(uint64_t *v, uint64_t *tmp, size_t n, unsigned bits)
{
    unsigned total = 2 * bits;
    for (size_t i = 0; i < n; i++)
        v[i] = ((v[i] >> 32) << bits) | (v[i] & 0xFFFFFFFFull);
    if (n < ((size_t)1 << 16) || total <= 2 * RADIX_BITS) {
        doppel__radix_sort64(v, tmp, n);
    } else {
        unsigned shift = total - RADIX_BITS;
        size_t count[RADIX_SIZE + 1];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(v[i] >> shift) + 1]++;
        for (size_t b = 0; b < RADIX_SIZE; b++)
            count[b + 1] += count[b];
        size_t start[RADIX_SIZE + 1];
        memcpy(start, count, sizeof start);
        for (size_t i = 0; i < n; i++)
            tmp[count[v[i] >> shift]++] = v[i];
        uint64_t low = (1ull << shift) - 1;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            size_t lo = start[b], m = start[b + 1] - lo;
            if (m < 2) {
                if (m)
                    v[lo] = tmp[lo];
                continue;
            }
            uint64_t vary = 0;
            for (size_t i = lo + 1; i < lo + m; i++)
                vary |= (tmp[i] ^ tmp[lo]) & low;
            uint64_t *res = radix64(tmp + lo, v + lo, m, vary);
            if (res != v + lo)
                memcpy(v + lo, res, m * sizeof *v);
        }
    }
    for (size_t i = 0; i < n; i++)
        v[i] = ((v[i] >> bits) << 32) | (v[i] & ((1ull << bits) - 1));
}

static int is_sorted_unique(const uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] <= v[i - 1])
            return 0;
    return 1;
}

int doppel__pairs_unique(doppel__pairvec *p, const doppel_allocator *a)
{
    if (p->n < 2 || is_sorted_unique(p->v, p->n))
        return DOPPEL_OK;
    uint64_t *tmp = doppel__malloc_array(a, p->n, sizeof(uint64_t));
    if (!tmp)
        return DOPPEL_ERR_NOMEM;
    sort_pairs(p->v, tmp, p->n, pair_bits(p->v, p->n));
    doppel__free(a, tmp);
    size_t w = 1;
    for (size_t i = 1; i < p->n; i++)
        if (p->v[i] != p->v[w - 1])
            p->v[w++] = p->v[i];
    p->n = w;
    return DOPPEL_OK;
}

/* out = the sorted union of out and fresh (both sorted, without repeats),
 * merged in place from the back: out grows to hold both, then the larger
 * of the two tails moves to the end, so no second copy of `out` is ever
 * needed. Repeats are squeezed out afterwards. */
static int merge_pairs(doppel__pairvec *out, const uint64_t *fresh,
                       size_t nf, const doppel_allocator *al)
{
    size_t nx = out->n, need = nx + nf;
    if (need > out->cap &&
        doppel__grow(al, (void **)&out->v, &out->cap, need,
                     sizeof(uint64_t)) < 0)
        return DOPPEL_ERR_NOMEM;
    uint64_t *x = out->v;
    size_t i = nx, j = nf, w = need;
    while (i > 0 && j > 0) {
        uint64_t a = x[i - 1], b = fresh[j - 1];
        int take_x = a > b;
        x[--w] = take_x ? a : b;
        i -= (size_t)take_x;
        j -= (size_t)!take_x;
    }
    while (j > 0)
        x[--w] = fresh[--j];
    /* x[0 .. need) is sorted; a pair in both lists appears twice */
    size_t u = need ? 1 : 0;
    for (size_t k = 1; k < need; k++)
        if (x[k] != x[u - 1])
            x[u++] = x[k];
    out->n = u;
    return DOPPEL_OK;
}

/* The work of a range of bands: their pairs, sorted and without repeats,
 * merged into *out (sorted and repeat-free on entry). */
typedef struct lsh_job {
    const uint16_t *values;
    size_t stride;
    const uint8_t *skip;
    uint8_t skip_mask;
    size_t n;
    unsigned rows, band_seed;
    const doppel_allocator *a;
    doppel__pairvec *outs; /* per worker */
    uint64_t *hots;        /* per worker */
    int *rcs;              /* per worker */
} lsh_job;

static int lsh_bands(const lsh_job *j, unsigned band_lo, unsigned band_hi,
                     doppel__pairvec *out, uint64_t *hot_buckets)
{
    const doppel_allocator *a = j->a;
    size_t n = j->n;
    band_entry *e = doppel__malloc_array(a, n, sizeof *e);
    band_entry *tmp = doppel__malloc_array(a, n, sizeof *tmp);
    size_t *count = doppel__malloc_array(a, doppel__lsh_sort_count_len(n),
                                         sizeof *count);
    doppel__pairvec fresh = {0};
    uint64_t *sort_tmp = NULL;
    size_t sort_cap = 0;
    unsigned bits = 1;
    while (bits < 32 && ((n - 1) >> bits))
        bits++;
    int rc = e && tmp && count ? DOPPEL_OK : DOPPEL_ERR_NOMEM;
    for (unsigned band = band_lo; band < band_hi && rc == DOPPEL_OK; band++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (j->skip && (j->skip[i] & j->skip_mask))
                continue;
            e[m].key = doppel__hash_band(j->values + i * j->stride +
                                             band * j->rows,
                                         j->rows, j->band_seed + band);
            e[m].doc = (uint32_t)i;
            m++;
        }
        doppel__lsh_sort_entries(e, tmp, m, count);
        for (size_t s = 0; s < m;) {
            size_t t = s + 1;
            while (t < m && e[t].key == e[s].key)
                t++;
            if (t - s > DOPPEL__LSH_WINDOW)
                (*hot_buckets)++;
            if (t - s < 2) { /* a lone member pairs with nothing (and
                                fresh.v may still be NULL) */
                s = t;
                continue;
            }
            /* every member with the (up to) DOPPEL__LSH_WINDOW before it */
            size_t k = t - s, w = DOPPEL__LSH_WINDOW;
            size_t npairs = k <= w + 1 ? k * (k - 1) / 2
                                       : w * (w + 1) / 2 + (k - w - 1) * w;
            if (fresh.n + npairs > fresh.cap &&
                doppel__grow(a, (void **)&fresh.v, &fresh.cap,
                             fresh.n + npairs, sizeof(uint64_t)) < 0) {
                rc = DOPPEL_ERR_NOMEM;
                break;
            }
            uint64_t *dst = fresh.v + fresh.n;
            for (size_t q = s + 1; q < t; q++) {
                size_t from = q - s > w ? q - w : s;
                uint64_t b = e[q].doc;
                for (size_t i = from; i < q; i++)
                    *dst++ = ((uint64_t)e[i].doc << 32) | b;
            }
            fresh.n = (size_t)(dst - fresh.v);
            s = t;
        }
        /* Merge a batch of bands once it is half as large as what it
         * merges into: each pair is sorted once, `out` is rewritten a few
         * times rather than once per band, and the batch and its sorting
         * buffer together stay the size of `out`. */
        if (rc != DOPPEL_OK || fresh.n == 0 ||
            (band + 1 < band_hi && fresh.n < out->n / 2 + 4 * n))
            continue;
        if (fresh.n > sort_cap) {
            doppel__free(a, sort_tmp);
            sort_cap = fresh.cap;
            sort_tmp = doppel__malloc_array(a, sort_cap, sizeof(uint64_t));
            if (!sort_tmp) {
                rc = DOPPEL_ERR_NOMEM;
                break;
            }
        }
        sort_pairs(fresh.v, sort_tmp, fresh.n, bits);
        size_t u = 1;
        for (size_t i = 1; i < fresh.n; i++)
            if (fresh.v[i] != fresh.v[u - 1])
                fresh.v[u++] = fresh.v[i];
        rc = merge_pairs(out, fresh.v, u, a);
        fresh.n = 0;
    }
    doppel__free(a, e);
    doppel__free(a, tmp);
    doppel__free(a, count);
    doppel__free(a, sort_tmp);
    doppel__pairvec_free(&fresh, a);
    return rc;
}

static void lsh_worker(void *ctx, unsigned worker, size_t lo, size_t hi)
{
    lsh_job *j = ctx;
    j->rcs[worker] = lsh_bands(j, (unsigned)lo, (unsigned)hi,
                               &j->outs[worker], &j->hots[worker]);
}

int doppel__lsh_candidates(const uint16_t *values, size_t stride,
                           const uint8_t *skip, uint8_t skip_mask, size_t n,
                           unsigned bands, unsigned rows, unsigned band_seed,
                           doppel__pairvec *out, uint64_t *hot_buckets,
                           const doppel_allocator *a)
{
    return doppel__lsh_candidates_mt(values, stride, skip, skip_mask, n,
                                     bands, rows, band_seed, out,
                                     hot_buckets, 1, a);
}

int doppel__lsh_candidates_mt(const uint16_t *values, size_t stride,
                              const uint8_t *skip, uint8_t skip_mask,
                              size_t n, unsigned bands, unsigned rows,
                              unsigned band_seed, doppel__pairvec *out,
                              uint64_t *hot_buckets, unsigned threads,
                              const doppel_allocator *a)
{
    if (n < 2 || bands == 0)
        return DOPPEL_OK;
    /* The pairs of one band are distinct (a document is in one bucket per
     * band), and across bands mostly repeats: pairs are sorted in batches
     * of bands and merged into the sorted, repeat-free `out`, instead of
     * sorting everything found so far again and again. Bands are
     * independent: with threads, each worker takes a contiguous range of
     * them and the workers' lists are merged in the end (a union: the
     * same pairs whatever the number of threads). */
    int rc = doppel__pairs_unique(out, a);
    if (rc < 0)
        return rc;
    lsh_job j = {values, stride, skip, skip_mask, n, rows, band_seed, a,
                 NULL, NULL, NULL};
    if (threads > bands)
        threads = bands;
    if (threads <= 1)
        return lsh_bands(&j, 0, bands, out, hot_buckets);
    j.outs = doppel__calloc_array(a, threads, sizeof *j.outs);
    j.hots = doppel__calloc_array(a, threads, sizeof *j.hots);
    j.rcs = doppel__calloc_array(a, threads, sizeof *j.rcs);
    if (!j.outs || !j.hots || !j.rcs)
        rc = DOPPEL_ERR_NOMEM;
    else
        doppel__parallel_for(threads, bands, lsh_worker, &j);
    for (unsigned t = 0; t < threads && rc == DOPPEL_OK; t++) {
        rc = j.rcs[t];
        *hot_buckets += j.hots[t];
        if (rc == DOPPEL_OK && out->n == 0) { /* take it as it is */
            doppel__pairvec x = *out;
            *out = j.outs[t];
            j.outs[t] = x;
        } else if (rc == DOPPEL_OK && j.outs[t].n) {
            rc = merge_pairs(out, j.outs[t].v, j.outs[t].n, a);
        }
        doppel__pairvec_free(&j.outs[t], a); /* as soon as merged */
    }
    for (unsigned t = 0; j.outs && t < threads; t++)
        doppel__pairvec_free(&j.outs[t], a);
    doppel__free(a, j.outs);
    doppel__free(a, j.hots);
    doppel__free(a, j.rcs);
    return rc;
}
