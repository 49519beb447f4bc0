/*
 * neardup.c — exact word-5-shingle Jaccard pairs among the real articles
 * (neardup.h has the normalisation and the algorithm).
 *
 * Layout while searching, for N articles with S shingles in all:
 *
 *   sh[]     S x u64        each article's shingle hashes, sorted, distinct;
 *   off[]    N+1            article i owns sh[off[i] .. off[i+1])
 *   e[]      S x 16 bytes   (hash, article, index) sorted by (hash, article):
 *                           every shingle's articles side by side, which
 *                           gives the document frequencies df[] and, read
 *                           once more, the inverted index
 *   inpre[]  S bytes        1 for a shingle in its article's prefix
 *   cand[]   u64 pairs      articles sharing a prefix shingle, (a << 32 | b)
 *
 * One sort of all shingles, small sorts per article, and one sort of the
 * candidates; each distinct candidate that passes the length filter
 * (min(|x|,|y|) >= t max(|x|,|y|)) is verified by a merge of the two sorted
 * shingle lists.
 */
#include "neardup.h"

#include "rng.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- shingles */

/* Python's \w on str, as far as news text needs it: the library's word
 * letters and digits, '_', and Latin-1's superscripts, fractions and
 * ordinal indicators (which str.isalnum() accepts). */
static int is_w(uint32_t c)
{
    if (c == '_' || bg_is_word_cp(c))
        return 1;
    return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9
           || c == 0xBA || (c >= 0xBC && c <= 0xBE);
}

/* str.lower() for ASCII and Latin-1 capitals (others are left as they are:
 * they do not occur in the English corpora this runs on). */
static uint32_t lower_cp(uint32_t c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 32;
    return c;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int bg_neardup_shingles(const char *text, size_t len, uint64_t **v,
                        size_t *cap, size_t *count)
{
    uint64_t win[5] = {0, 0, 0, 0, 0}; /* the last five word hashes */
    size_t words = 0, n = 0;           /* n: shingles appended */
    size_t i = 0;
    while (i < len) {
        size_t k;
        uint32_t c = bg_utf8_decode(text, len, i, &k);
        if (!is_w(c)) {
            i += k;
            continue;
        }
        uint64_t h = 0xCBF29CE484222325ULL; /* FNV-1a over code points */
        while (i < len) {
            c = bg_utf8_decode(text, len, i, &k);
            if (!is_w(c))
                break;
            h = (h ^ lower_cp(c)) * 0x100000001B3ULL;
            i += k;
        }
        win[words % 5] = bg_mix64(h);
        words++;
        if (words < 5)
            continue;
        uint64_t g = 0x9E3779B97F4A7C15ULL; /* order-sensitive chain */
        for (size_t j = words - 5; j < words; j++)
            g = bg_mix64(g ^ win[j % 5]);
        size_t at = *count + n;
        if (bg_grow((void **)v, cap, at + 1, sizeof **v) < 0)
            return -1;
        (*v)[at] = g;
        n++;
    }
    if (n > 1) {
        uint64_t *s = *v + *count;
        qsort(s, n, sizeof *s, cmp_u64);
        size_t u = 1;
        for (size_t j = 1; j < n; j++)
            if (s[j] != s[u - 1])
                s[u++] = s[j];
        n = u;
    }
    *count += n;
    return 0;
}

static size_t intersect(const uint64_t *a, size_t na, const uint64_t *b,
                        size_t nb)
{
    size_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j])
            i++;
        else if (a[i] > b[j])
            j++;
        else {
            k++;
            i++;
            j++;
        }
    }
    return k;
}

static double jaccard_of(size_t inter, size_t na, size_t nb)
{
    size_t uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0.0;
}

double bg_neardup_jaccard(const char *a, size_t alen, const char *b,
                          size_t blen)
{
    uint64_t *v = NULL;
    size_t cap = 0, na = 0, nb = 0;
    if (bg_neardup_shingles(a, alen, &v, &cap, &na) < 0) {
        free(v);
        return -1;
    }
    nb = na;
    if (bg_neardup_shingles(b, blen, &v, &cap, &nb) < 0) {
        free(v);
        return -1;
    }
    nb -= na;
    double j = jaccard_of(intersect(v, na, v + na, nb), na, nb);
    free(v);
    return j;
}

/* --------------------------------------------------------------- search */

/* One shingle of one article: its hash, the article, and its index in the
 * article's sorted list. Sorting these by (hash, doc) groups every shingle's
 * articles together, in article order. */
typedef struct entry {
    uint64_t hash;
    uint32_t doc, k;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->doc > y->doc) - (x->doc < y->doc);
}

typedef struct ranked {
    uint32_t df, k;
    uint64_t hash;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->df != y->df)
        return x->df < y->df ? -1 : 1;
    return (x->hash > y->hash) - (x->hash < y->hash);
}

static int cmp_pair(const void *a, const void *b)
{
    const bg_neardup_pair *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

/* How many of a set's rarest shingles must be indexed: |x| - a + 1 with
 * a = floor(t |x|) <= ceil(t |x|) <= |x n y| (a longer prefix is safe). */
static size_t prefix_len(size_t n, double t)
{
    size_t a = (size_t)floor(t * (double)n);
    if (a < 1)
        a = 1;
    return a > n ? 0 : n - a + 1;
}

int bg_neardup_pairs(const bg_article *arts, size_t n, double t,
                     bg_neardup_pair **out, size_t *npairs, doppel_error *err)
{
    *out = NULL;
    *npairs = 0;
    if (!(t > 0.0 && t <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "near-duplicate threshold must be in (0, 1], got %g", t);
    if (n >= UINT32_MAX)
        return bg_error(err, DOPPEL_ERR_PARAM, "too many articles");
    int rc = 0;
    uint64_t *sh = NULL, *cand = NULL;
    uint32_t *df = NULL, *run = NULL;
    unsigned char *inpre = NULL;
    size_t *off = NULL, shcap = 0, total = 0, rkcap = 0, ccap = 0, ncand = 0;
    size_t runcap = 0, pcap = 0;
    entry *e = NULL;
    ranked *rk = NULL;
    bg_neardup_pair *res = NULL;

    off = bg_malloc_array(n + 1, sizeof *off);
    if (!off)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        off[i] = total;
        if (bg_neardup_shingles(arts[i].text, arts[i].text_len, &sh, &shcap,
                                &total) < 0)
            goto oom;
        if (total - off[i] >= UINT32_MAX)
            goto oom;
    }
    off[n] = total;
    if (total == 0)
        goto done;

    /* group the shingles of the whole corpus: document frequencies */
    e = bg_malloc_array(total, sizeof *e);
    df = bg_malloc_array(total, sizeof *df);
    inpre = bg_calloc_array(total, 1);
    if (!e || !df || !inpre)
        goto oom;
    for (size_t i = 0; i < n; i++)
        for (size_t k = off[i]; k < off[i + 1]; k++) {
            e[k].hash = sh[k];
            e[k].doc = (uint32_t)i;
            e[k].k = (uint32_t)(k - off[i]);
        }
    qsort(e, total, sizeof *e, cmp_entry);
    for (size_t a = 0, b; a < total; a = b) {
        for (b = a + 1; b < total && e[b].hash == e[a].hash; b++)
            ;
        for (size_t q = a; q < b; q++)
            df[off[e[q].doc] + e[q].k] = (uint32_t)(b - a);
    }

    /* each article's prefix: its rarest shingles (ties by hash) */
    for (size_t i = 0; i < n; i++) {
        size_t len = off[i + 1] - off[i];
        if (len == 0)
            continue;
        if (bg_grow((void **)&rk, &rkcap, len, sizeof *rk) < 0)
            goto oom;
        for (size_t k = 0; k < len; k++) {
            rk[k].hash = sh[off[i] + k];
            rk[k].df = df[off[i] + k];
            rk[k].k = (uint32_t)k;
        }
        qsort(rk, len, sizeof *rk, cmp_ranked);
        size_t p = prefix_len(len, t);
        for (size_t k = 0; k < p; k++)
            inpre[off[i] + rk[k].k] = 1;
    }

    /* candidates: articles sharing a prefix shingle (the index is the
     * sorted entries themselves, read one shingle at a time) */
    for (size_t a = 0, b; a < total; a = b) {
        size_t nr = 0;
        for (b = a; b < total && e[b].hash == e[a].hash; b++) {
            if (!inpre[off[e[b].doc] + e[b].k])
                continue;
            if (bg_grow((void **)&run, &runcap, nr + 1, sizeof *run) < 0)
                goto oom;
            run[nr++] = e[b].doc;
        }
        for (size_t x = 1; x < nr; x++)
            for (size_t y = 0; y < x; y++) {
                if (bg_grow((void **)&cand, &ccap, ncand + 1, sizeof *cand) < 0)
                    goto oom;
                cand[ncand++] = (uint64_t)run[y] << 32 | run[x];
            }
    }
    if (ncand > 1)
        qsort(cand, ncand, sizeof *cand, cmp_u64);

    /* verify each distinct candidate exactly */
    for (size_t c = 0; c < ncand; c++) {
        if (c > 0 && cand[c] == cand[c - 1])
            continue;
        uint32_t x = (uint32_t)(cand[c] >> 32), y = (uint32_t)cand[c];
        size_t nx = off[x + 1] - off[x], ny = off[y + 1] - off[y];
        size_t lo = nx < ny ? nx : ny, hi = nx < ny ? ny : nx;
        if ((double)lo < t * (double)hi - 1e-9)
            continue; /* Jaccard <= lo / hi */
        size_t inter = intersect(sh + off[x], nx, sh + off[y], ny);
        double j = jaccard_of(inter, nx, ny);
        if (j < t)
            continue;
        if (bg_grow((void **)&res, &pcap, *npairs + 1, sizeof *res) < 0)
            goto oom;
        res[*npairs].a = x;
        res[*npairs].b = y;
        res[*npairs].jaccard = j;
        (*npairs)++;
    }
    if (*npairs > 1)
        qsort(res, *npairs, sizeof *res, cmp_pair); /* already in order */
    goto done;
oom:
    rc = bg_error(err, DOPPEL_ERR_NOMEM, "near-duplicate search: out of memory");
    free(res);
    res = NULL;
    *npairs = 0;
done:
    *out = res;
    free(sh);
    free(cand);
    free(df);
    free(run);
    free(inpre);
    free(off);
    free(e);
    free(rk);
    return rc;
}
