/*
 * check_minhash.c — MinHash signatures (minhash.c), statistically and
 * exactly.
 *
 * Statistics: pairs of sets with an exactly known Jaccard similarity J are
 * built from random 64-bit shingle hashes (a shared part of c elements and
 * private parts of a and b elements: J = c / (a + b + c)). For every pair
 * the estimate (fraction of equal values) is compared with J in units of
 * the theoretical standard deviation sd = sqrt(J (1 - J) / K). Stated
 * tolerances, for both one-permutation hashing and the K-permutation
 * baseline, with fixed seeds:
 *   - at least 99% of the pairs lie within 3 sd of J (a normal estimator
 *     gives 99.7%);
 *   - the mean error over all pairs is within 4 standard errors of the
 *     mean (4 sqrt(mean sd^2 / pairs)) plus the 1.5e-5 upward bias of
 *     16-bit values (two different minima agree with probability 2^-16).
 * Exact: bin values and positions against a brute-force minimum per bin;
 * densification of tiny sets (one shingle, K up to 4096) fills every bin
 * from the filled ones, and equal sets give equal signatures whatever the
 * order of their shingles.
 */
#include "suites.h"

#include "hash.h"
#include "minhash.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers */

typedef struct set_pair {
    uint64_t *a, *b;
    size_t na, nb;
    double j; /* exact Jaccard similarity */
} set_pair;

/* A pair with union size u and exactly c shared elements; the u - c
 * private elements are split between the two sets at random. Elements are
 * distinct random 64-bit values (a repeat among a few thousand draws has
 * probability ~1e-13). */
static set_pair make_pair(uint64_t *rng, size_t u, size_t c)
{
    set_pair p;
    size_t priv = u - c;
    size_t only_a = priv ? doppel__splitmix64(rng) % (priv + 1) : 0;
    p.na = c + only_a;
    p.nb = c + (priv - only_a);
    p.a = malloc((p.na + 1) * sizeof(uint64_t));
    p.b = malloc((p.nb + 1) * sizeof(uint64_t));
    for (size_t i = 0; i < c; i++)
        p.a[i] = p.b[i] = doppel__splitmix64(rng);
    for (size_t i = c; i < p.na; i++)
        p.a[i] = doppel__splitmix64(rng);
    for (size_t i = c; i < p.nb; i++)
        p.b[i] = doppel__splitmix64(rng);
    /* Shuffle b so that the shared elements are not in the same order. */
    for (size_t i = p.nb; i > 1; i--) {
        size_t k = doppel__splitmix64(rng) % i;
        uint64_t t = p.b[i - 1];
        p.b[i - 1] = p.b[k];
        p.b[k] = t;
    }
    p.j = (double)c / (double)u;
    return p;
}

static void free_pair(set_pair *p)
{
    free(p->a);
    free(p->b);
}

typedef enum { ONE_PERM, K_PERM } method;

typedef struct estimator {
    method m;
    unsigned K;
    uint64_t seed;
    uint64_t ka[4096], kb[4096]; /* K-permutation coefficients */
} estimator;

static void estimator_init(estimator *e, method m, unsigned K, uint64_t seed)
{
    e->m = m;
    e->K = K;
    e->seed = seed;
    uint64_t st = seed;
    for (unsigned k = 0; k < K; k++) {
        e->ka[k] = doppel__splitmix64(&st) | 1u;
        e->kb[k] = doppel__splitmix64(&st);
    }
}

static void sign(const estimator *e, const uint64_t *h, size_t n,
                 doppel__mh *out)
{
    if (e->m == ONE_PERM)
        doppel__minhash_one_perm(h, NULL, n, e->K, e->seed, out, NULL);
    else
        doppel__minhash_k_perm(h, NULL, n, e->K, e->ka, e->kb, out, NULL);
}

typedef struct stats {
    size_t pairs;
    size_t within3;   /* |error| <= 3 sd */
    double sum_err;   /* sum of (estimate - J) */
    double sum_var;   /* sum of J (1 - J) / K */
    double worst_z;   /* largest |error| / sd */
} stats;

/* Estimate `pairs` random pairs with union sizes in [umin, umax] and J
 * drawn from {0.05, 0.1, ..., 0.95}. */
static stats run(const estimator *e, size_t pairs, size_t umin, size_t umax,
                 uint64_t seed)
{
    stats s;
    memset(&s, 0, sizeof s);
    uint64_t rng = seed;
    doppel__mh *va = malloc(e->K * sizeof *va), *vb = malloc(e->K * sizeof *vb);
    for (size_t i = 0; i < pairs; i++) {
        size_t u = umin + doppel__splitmix64(&rng) % (umax - umin + 1);
        double target = 0.05 * (double)(1 + i % 19);
        size_t c = (size_t)(target * (double)u + 0.5);
        if (c == 0)
            c = 1;
        if (c >= u)
            c = u - 1;
        set_pair p = make_pair(&rng, u, c);
        sign(e, p.a, p.na, va);
        sign(e, p.b, p.nb, vb);
        double est = doppel__minhash_similarity(va, vb, e->K);
        double var = p.j * (1.0 - p.j) / e->K;
        double err = est - p.j;
        double z = fabs(err) / sqrt(var);
        s.pairs++;
        s.within3 += z <= 3.0;
        s.sum_err += err;
        s.sum_var += var;
        if (z > s.worst_z)
            s.worst_z = z;
        free_pair(&p);
    }
    free(va);
    free(vb);
    return s;
}

/* The stated tolerances (see the top of the file); min_frac is the share
 * of pairs that must lie within 3 sd. */
static void check_stats_frac(const stats *s, const char *what,
                             double min_frac)
{
    double frac = (double)s->within3 / (double)s->pairs;
    double mean = s->sum_err / (double)s->pairs;
    double bound = 4.0 * sqrt(s->sum_var / (double)s->pairs / (double)s->pairs) +
                   1.5e-5;
    fprintf(stderr,
            "minhash %s: %zu pairs, %.4f within 3 sd (worst %.2f sd), "
            "mean error %+.5f (bound %.5f)\n",
            what, s->pairs, frac, s->worst_z, mean, bound);
    ck_assert_msg(frac >= min_frac, "%s: only %.4f of pairs within 3 sd",
                  what, frac);
    ck_assert_msg(fabs(mean) <= bound, "%s: mean error %g exceeds %g", what,
                  mean, bound);
}

static void check_stats(const stats *s, const char *what)
{
    check_stats_frac(s, what, 0.99);
}

/* ---------------------------------------------------------- statistics */

START_TEST(test_one_perm_error_within_bound)
{
    static estimator e;
    const unsigned Ks[] = {64, 128, 256};
    for (size_t i = 0; i < 3; i++) {
        estimator_init(&e, ONE_PERM, Ks[i], 0xC0FFEE + i);
        stats s = run(&e, 2000, 200, 2000, 1000 + i);
        char what[64];
        snprintf(what, sizeof what, "one-perm K=%u", Ks[i]);
        check_stats(&s, what);
    }
}
END_TEST

/* Sets smaller than K leave most bins empty: densification fills them,
 * and the estimate keeps the accuracy of K permutations down to sets of
 * about K/6 shingles (at the default K = 128: documents of 20 shingles). */
START_TEST(test_one_perm_densified_error_within_bound)
{
    static estimator e;
    estimator_init(&e, ONE_PERM, 128, 77);
    stats s = run(&e, 2000, 20, 120, 2024);
    check_stats(&s, "one-perm K=128, sets of 20-120 (densified)");
    estimator_init(&e, ONE_PERM, 1024, 78);
    s = run(&e, 2000, 300, 1500, 2025);
    check_stats(&s, "one-perm K=1024, sets of 300-1500 (densified)");
}
END_TEST

/* Much smaller sets: only about |A u B| bins carry information, so no
 * one-permutation scheme reaches the K-permutation variance (optimal
 * densification itself gives ~97.5% within 3 sd on sets of 5-30 at
 * K = 128). Stated tolerance here: 95% within 3 sd, same bound on the
 * mean error. This also covers the probe cap of minhash.c (32 random
 * probes, then the next filled bin), which costs accuracy at large K. */
START_TEST(test_one_perm_tiny_sets)
{
    static estimator e;
    estimator_init(&e, ONE_PERM, 128, 79);
    stats s = run(&e, 2000, 5, 30, 2026);
    check_stats_frac(&s, "one-perm K=128, sets of 5-30", 0.95);
    estimator_init(&e, ONE_PERM, 4096, 80);
    s = run(&e, 1000, 100, 1000, 2027);
    check_stats_frac(&s, "one-perm K=4096, sets of 100-1000", 0.95);
}
END_TEST

START_TEST(test_k_perm_error_within_bound)
{
    static estimator e;
    estimator_init(&e, K_PERM, 128, 0xBEEF);
    stats s = run(&e, 2000, 100, 600, 3000);
    check_stats(&s, "k-perm K=128");
    estimator_init(&e, K_PERM, 64, 0xBEF0);
    s = run(&e, 1000, 20, 200, 3001);
    check_stats(&s, "k-perm K=64, small sets");
}
END_TEST

/* Identical sets: estimate exactly 1. Disjoint sets: J = 0 has sd 0, so
 * the bound is the 16-bit collision rate: a few equal bins at most. */
START_TEST(test_extremes)
{
    static estimator e;
    for (int m = 0; m < 2; m++) {
        estimator_init(&e, m ? K_PERM : ONE_PERM, 256, 5);
        uint64_t rng = 99;
        doppel__mh va[256], vb[256];
        size_t far_bins = 0;
        for (int i = 0; i < 200; i++) {
            /* identical sets, shingles in another order */
            set_pair p = make_pair(&rng, 1 + (size_t)i, 1 + (size_t)i);
            sign(&e, p.a, p.na, va);
            sign(&e, p.b, p.nb, vb);
            ck_assert_double_eq(doppel__minhash_similarity(va, vb, 256), 1.0);
            free_pair(&p);
            uint64_t x[100], y[100];
            for (int k = 0; k < 100; k++) {
                x[k] = doppel__splitmix64(&rng);
                y[k] = doppel__splitmix64(&rng);
            }
            sign(&e, x, 100, va);
            sign(&e, y, 100, vb);
            far_bins += doppel__minhash_equal(va, vb, 256);
        }
        /* 200 x 256 bins at 2^-16: 0.8 expected. */
        ck_assert_uint_le(far_bins, 6);
    }
}
END_TEST

/* -------------------------------------------------------- exact values */

static unsigned bin_of(uint64_t h, unsigned K)
{
    return (unsigned)(((h >> 32) * (uint64_t)K) >> 32);
}

/* Every filled bin holds the low 16 bits of its minimum and the position
 * of the shingle that gave it; every empty bin holds the value and
 * position of some filled bin. */
START_TEST(test_one_perm_bins_and_positions)
{
    const unsigned Ks[] = {16, 128, 1000, 4096};
    uint64_t rng = 7;
    for (size_t ki = 0; ki < 4; ki++) {
        unsigned K = Ks[ki];
        for (size_t n = 1; n <= 3000; n = n * 3 + 1) {
            uint64_t *h = malloc(n * sizeof *h);
            uint8_t *pos = malloc(n);
            for (size_t i = 0; i < n; i++) {
                h[i] = doppel__splitmix64(&rng);
                pos[i] = (uint8_t)(i * 255 / n);
            }
            uint32_t *mins = malloc(K * sizeof *mins);
            uint8_t *minpos = malloc(K);
            char *filled = calloc(K, 1);
            for (size_t i = 0; i < n; i++) {
                unsigned b = bin_of(h[i], K);
                if (!filled[b] || (uint32_t)h[i] < mins[b]) {
                    mins[b] = (uint32_t)h[i];
                    minpos[b] = pos[i];
                }
                filled[b] = 1;
            }
            unsigned nfilled = 0;
            for (unsigned k = 0; k < K; k++)
                nfilled += filled[k];
            doppel__mh *v = malloc(K * sizeof *v);
            uint8_t *vp = malloc(K);
            ck_assert_uint_eq(
                doppel__minhash_one_perm(h, pos, n, K, 11, v, vp), nfilled);
            for (unsigned k = 0; k < K; k++) {
                if (filled[k]) {
                    TU_CHECK(v[k] == (doppel__mh)mins[k] && vp[k] == minpos[k],
                             "K=%u n=%zu bin %u", K, n, k);
                    continue;
                }
                int donor = 0;
                for (unsigned d = 0; d < K && !donor; d++)
                    donor = filled[d] && v[k] == (doppel__mh)mins[d] &&
                            vp[k] == minpos[d];
                TU_CHECK(donor, "K=%u n=%zu: empty bin %u has no donor", K,
                         n, k);
            }
            /* Without positions the values are the same. */
            doppel__mh *v2 = malloc(K * sizeof *v2);
            doppel__minhash_one_perm(h, NULL, n, K, 11, v2, NULL);
            ck_assert(memcmp(v, v2, K * sizeof *v) == 0);
            free(v2);
            free(v);
            free(vp);
            free(h);
            free(pos);
            free(mins);
            free(minpos);
            free(filled);
        }
    }
}
END_TEST

/* One shingle: every bin holds it, for every K; a second document with the
 * same one shingle gets the same signature. */
START_TEST(test_densify_single_shingle)
{
    static doppel__mh v[4096], w[4096];
    static uint8_t p[4096];
    for (unsigned K = DOPPEL_MIN_PERM; K <= DOPPEL_MAX_PERM; K *= 2) {
        for (uint64_t x = 1; x < 2000; x += 97) {
            uint64_t h = doppel__mix64(x);
            uint8_t pos = (uint8_t)x;
            ck_assert_uint_eq(
                doppel__minhash_one_perm(&h, &pos, 1, K, x, v, p), 1);
            for (unsigned k = 0; k < K; k++)
                TU_CHECK(v[k] == (doppel__mh)h && p[k] == pos,
                         "K=%u bin %u", K, k);
            doppel__minhash_one_perm(&h, NULL, 1, K, x, w, NULL);
            ck_assert(memcmp(v, w, K * sizeof *v) == 0);
        }
    }
    /* K = 4096 exactly, and odd sizes. */
    const unsigned odd[] = {17, 100, 999, 4095, 4096};
    for (size_t i = 0; i < 5; i++) {
        uint64_t h = 0x0123456789ABCDEFull;
        ck_assert_uint_eq(
            doppel__minhash_one_perm(&h, NULL, 1, odd[i], 3, v, NULL), 1);
        for (unsigned k = 0; k < odd[i]; k++)
            TU_CHECK(v[k] == 0xCDEF, "K=%u bin %u", odd[i], k);
    }
}
END_TEST

/* Equal sets, in any order and with repeats, give equal signatures and
 * positions (distinct hashes, so the position of each minimum is
 * unambiguous); a different densification seed still gives a
 * self-consistent signature. */
START_TEST(test_densify_equal_sets_equal_signatures)
{
    static doppel__mh v1[4096], v2[4096];
    static uint8_t p1[4096], p2[4096];
    uint64_t rng = 5150;
    const unsigned Ks[] = {16, 128, 512, 4096};
    for (size_t ki = 0; ki < 4; ki++) {
        unsigned K = Ks[ki];
        for (size_t n = 1; n <= 40; n++) {
            uint64_t a[80];
            uint8_t pa[80];
            for (size_t i = 0; i < n; i++) {
                a[i] = doppel__splitmix64(&rng);
                pa[i] = (uint8_t)(doppel__splitmix64(&rng));
            }
            /* b: a reversed, then the first half again (repeats with the
             * same positions). */
            uint64_t b[80];
            uint8_t pb[80];
            for (size_t i = 0; i < n; i++) {
                b[i] = a[n - 1 - i];
                pb[i] = pa[n - 1 - i];
            }
            for (size_t i = 0; i < n / 2; i++) {
                b[n + i] = a[i];
                pb[n + i] = pa[i];
            }
            unsigned f1 = doppel__minhash_one_perm(a, pa, n, K, 42, v1, p1);
            unsigned f2 = doppel__minhash_one_perm(b, pb, n + n / 2, K, 42,
                                                   v2, p2);
            ck_assert_uint_eq(f1, f2);
            ck_assert_uint_le(f1, n);
            ck_assert(memcmp(v1, v2, K * sizeof *v1) == 0);
            ck_assert(memcmp(p1, p2, K) == 0);
        }
    }
}
END_TEST

START_TEST(test_empty_set)
{
    doppel__mh v[64];
    uint8_t p[64];
    memset(p, 7, sizeof p);
    ck_assert_uint_eq(doppel__minhash_one_perm(NULL, NULL, 0, 64, 1, v, p), 0);
    for (unsigned k = 0; k < 64; k++) {
        ck_assert_uint_eq(v[k], 0xFFFF);
        ck_assert_uint_eq(p[k], 0);
    }
    uint64_t a[64], b[64];
    for (unsigned k = 0; k < 64; k++)
        a[k] = b[k] = k;
    ck_assert_uint_eq(doppel__minhash_k_perm(NULL, NULL, 0, 64, a, b, v, p), 0);
    for (unsigned k = 0; k < 64; k++)
        ck_assert_uint_eq(v[k], 0xFFFF);
}
END_TEST

/* The K-permutation baseline: value k is the low 16 bits of
 * min over h of (a_k h + b_k) >> 32, position that of the minimiser. */
START_TEST(test_k_perm_exact)
{
    enum { K = 32, N = 50 };
    uint64_t a[K], b[K], h[N];
    uint8_t pos[N];
    uint64_t rng = 8;
    for (unsigned k = 0; k < K; k++) {
        a[k] = doppel__splitmix64(&rng) | 1;
        b[k] = doppel__splitmix64(&rng);
    }
    for (unsigned i = 0; i < N; i++) {
        h[i] = doppel__splitmix64(&rng);
        pos[i] = (uint8_t)(5 * i);
    }
    doppel__mh v[K];
    uint8_t p[K];
    ck_assert_uint_eq(doppel__minhash_k_perm(h, pos, N, K, a, b, v, p), K);
    for (unsigned k = 0; k < K; k++) {
        uint32_t best = UINT32_MAX;
        uint8_t bp = 0;
        for (unsigned i = 0; i < N; i++) {
            uint32_t g = (uint32_t)((a[k] * h[i] + b[k]) >> 32);
            if (g < best) {
                best = g;
                bp = pos[i];
            }
        }
        ck_assert_uint_eq(v[k], (doppel__mh)best);
        ck_assert_uint_eq(p[k], bp);
    }
}
END_TEST

Suite *suite_minhash(void)
{
    Suite *s = suite_create("minhash");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_one_perm_error_within_bound);
    tcase_add_test(tc, test_one_perm_densified_error_within_bound);
    tcase_add_test(tc, test_one_perm_tiny_sets);
    tcase_add_test(tc, test_k_perm_error_within_bound);
    tcase_add_test(tc, test_extremes);
    tcase_add_test(tc, test_one_perm_bins_and_positions);
    tcase_add_test(tc, test_densify_single_shingle);
    tcase_add_test(tc, test_densify_equal_sets_equal_signatures);
    tcase_add_test(tc, test_empty_set);
    tcase_add_test(tc, test_k_perm_exact);
    suite_add_tcase(s, tc);
    return s;
}
