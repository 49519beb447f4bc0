/*
 * check_lsh.c — LSH banding (lsh.c).
 *
 * The S-curve: pairs of signatures whose values agree independently with
 * probability s, row by row, become candidates with probability
 * P = 1 - (1 - s^r)^b. Over N pairs per (s, b, r) the empirical rate must
 * be within 4 sqrt(P (1 - P) / N) + 0.002 of P (the binomial standard
 * error; fixed seeds). The same through MinHash signatures of sets with an
 * exactly known Jaccard similarity J, where rows are only nearly
 * independent: within 0.03 + 4 standard errors.
 * Exact behaviour: the candidates equal a brute-force scan when no bucket
 * is hot; hot buckets (more than DOPPEL__LSH_WINDOW members) pair each
 * member with the window before it only, and are counted; skipped
 * documents never appear; the output is sorted and unique.
 */
#include "suites.h"

#include "hash.h"
#include "lsh.h"
#include "minhash.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next(uint64_t *rng)
{
    return doppel__splitmix64(rng);
}

/* Is (a, b) among the candidates? (sorted) */
static int has_pair(const doppel__pairvec *p, uint32_t a, uint32_t b)
{
    uint64_t key = ((uint64_t)a << 32) | b;
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->v[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n && p->v[lo] == key;
}

static void check_sorted_unique(const doppel__pairvec *p, size_t n)
{
    for (size_t i = 0; i < p->n; i++) {
        uint32_t a = (uint32_t)(p->v[i] >> 32), b = (uint32_t)p->v[i];
        TU_CHECK(a < b && b < n, "pair %zu: (%u, %u)", i, a, b);
        TU_CHECK(i == 0 || p->v[i - 1] < p->v[i], "pairs not sorted/unique "
                 "at %zu", i);
    }
}

/* Candidates of n signatures of `stride` values, sorted and unique. */
static doppel__pairvec candidates(const uint16_t *values, size_t stride,
                                  const uint8_t *skip, size_t n,
                                  unsigned bands, unsigned rows,
                                  uint64_t *hot)
{
    doppel__pairvec p = {NULL, 0, 0};
    *hot = 0;
    ck_assert_int_eq(doppel__lsh_candidates(values, stride, skip, 1, n, bands,
                                            rows, 0, &p, hot, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel__pairs_unique(&p, NULL), DOPPEL_OK);
    check_sorted_unique(&p, n);
    return p;
}

/* ------------------------------------------------------------- S-curve */

typedef struct curve_case {
    unsigned bands, rows;
} curve_case;

static const curve_case curves[] = {{20, 5}, {32, 4}, {16, 8}, {42, 3},
                                    {9, 13}, {64, 2}};

/* Signature pairs (2i, 2i + 1) of bands * rows values, each row agreeing
 * independently with probability s. */
START_TEST(test_s_curve_controlled_agreement)
{
    const curve_case *c = &curves[_i];
    const unsigned K = c->bands * c->rows;
    const size_t N = 4000; /* pairs per similarity */
    uint16_t *v = malloc(2 * N * K * sizeof *v);
    uint64_t rng = 1000 + (uint64_t)_i;
    for (double s = 0.1; s < 0.96; s += 0.1) {
        uint32_t s_thresh = (uint32_t)(s * 4294967296.0);
        for (size_t i = 0; i < N; i++) {
            uint16_t *x = v + 2 * i * K, *y = x + K;
            for (unsigned k = 0; k < K; k++) {
                x[k] = (uint16_t)next(&rng);
                if ((uint32_t)next(&rng) < s_thresh)
                    y[k] = x[k];
                else
                    y[k] = (uint16_t)(x[k] + 1 + next(&rng) % 65535);
            }
        }
        uint64_t hot;
        doppel__pairvec p = candidates(v, K, NULL, 2 * N, c->bands, c->rows,
                                       &hot);
        size_t hits = 0;
        for (size_t i = 0; i < N; i++)
            hits += has_pair(&p, (uint32_t)(2 * i), (uint32_t)(2 * i + 1));
        double P = doppel_lsh_probability(s, c->bands, c->rows);
        double emp = (double)hits / (double)N;
        double tol = 4.0 * sqrt(P * (1.0 - P) / (double)N) + 0.002;
        fprintf(stderr, "lsh b=%u r=%u s=%.1f: P=%.4f empirical %.4f (tol %.4f)\n",
                c->bands, c->rows, s, P, emp, tol);
        ck_assert_msg(fabs(emp - P) <= tol,
                      "b=%u r=%u s=%.2f: candidate rate %.4f, S-curve %.4f",
                      c->bands, c->rows, s, emp, P);
        doppel__pairvec_free(&p, NULL);
    }
    free(v);
}
END_TEST

/* Through MinHash: sets with exactly known J, signed with one-permutation
 * hashing (K = b * r), banded. */
START_TEST(test_s_curve_from_sets)
{
    const unsigned bands = 16, rows = 8, K = bands * rows;
    const size_t N = 1500;
    uint16_t *v = malloc(2 * N * K * sizeof *v);
    uint64_t rng = 77;
    const double js[] = {0.3, 0.5, 0.7, 0.8, 0.9};
    for (size_t ji = 0; ji < 5; ji++) {
        const size_t u = 400, c = (size_t)(js[ji] * u + 0.5);
        for (size_t i = 0; i < N; i++) {
            uint64_t a[400], b[400];
            size_t na = c, nb = c;
            for (size_t k = 0; k < c; k++)
                a[k] = b[k] = next(&rng);
            for (size_t k = c; k < u; k++) {
                if (next(&rng) & 1)
                    a[na++] = next(&rng);
                else
                    b[nb++] = next(&rng);
            }
            doppel__minhash_one_perm(a, NULL, na, K, 5, v + 2 * i * K, NULL);
            doppel__minhash_one_perm(b, NULL, nb, K, 5, v + (2 * i + 1) * K,
                                     NULL);
        }
        uint64_t hot;
        doppel__pairvec p = candidates(v, K, NULL, 2 * N, bands, rows, &hot);
        size_t hits = 0;
        for (size_t i = 0; i < N; i++)
            hits += has_pair(&p, (uint32_t)(2 * i), (uint32_t)(2 * i + 1));
        double P = doppel_lsh_probability(js[ji], bands, rows);
        double emp = (double)hits / (double)N;
        double tol = 0.03 + 4.0 * sqrt(P * (1.0 - P) / (double)N);
        fprintf(stderr, "lsh sets J=%.1f: P=%.4f empirical %.4f (tol %.4f)\n",
                js[ji], P, emp, tol);
        ck_assert_msg(fabs(emp - P) <= tol, "J=%.2f: rate %.4f, S-curve %.4f",
                      js[ji], emp, P);
        doppel__pairvec_free(&p, NULL);
    }
    free(v);
}
END_TEST

/* -------------------------------------------------------- exact results */

/* Families of near-identical signatures: candidates equal brute force. */
START_TEST(test_matches_brute_force)
{
    const unsigned bands = 8, rows = 4, K = 32;
    const size_t n = 600;
    uint16_t *v = malloc(n * K * sizeof *v);
    uint8_t *skip = calloc(n, 1);
    uint64_t rng = 31337;
    for (size_t i = 0; i < n; i++) {
        size_t family = i % 40;
        for (unsigned k = 0; k < K; k++) {
            /* 7 rows in 8 from the family, the others random */
            v[i * K + k] = (next(&rng) & 7) ? (uint16_t)(family * 1000 + k)
                                             : (uint16_t)next(&rng);
        }
        skip[i] = (i % 17 == 0);
    }
    for (int use_skip = 0; use_skip < 2; use_skip++) {
        uint64_t hot;
        doppel__pairvec p =
            candidates(v, K, use_skip ? skip : NULL, n, bands, rows, &hot);
        ck_assert_uint_eq(hot, 0);
        size_t expect = 0;
        for (size_t a = 0; a < n; a++) {
            for (size_t b = a + 1; b < n; b++) {
                int cand = 0;
                for (unsigned band = 0; band < bands && !cand; band++)
                    cand = memcmp(v + a * K + band * rows,
                                  v + b * K + band * rows,
                                  rows * sizeof *v) == 0;
                if (use_skip && (skip[a] || skip[b]))
                    cand = 0;
                expect += cand;
                TU_CHECK(has_pair(&p, (uint32_t)a, (uint32_t)b) == cand,
                         "pair (%zu, %zu): brute force says %d", a, b, cand);
            }
        }
        ck_assert_uint_eq(p.n, expect);
        ck_assert_uint_gt(expect, 1000);
        doppel__pairvec_free(&p, NULL);
    }
    free(v);
    free(skip);
}
END_TEST

/* n documents identical in every band: one bucket per band. */
static void identical_bucket(size_t n, unsigned bands, size_t *pairs,
                             uint64_t *hot, doppel__pairvec *out)
{
    const unsigned rows = 2, K = bands * rows;
    uint16_t *v = malloc(n * K * sizeof *v);
    for (size_t i = 0; i < n * K; i++)
        v[i] = (uint16_t)(i % K);
    *out = candidates(v, K, NULL, n, bands, rows, hot);
    *pairs = out->n;
    free(v);
}

START_TEST(test_hot_buckets_bounded_by_window)
{
    const size_t W = DOPPEL__LSH_WINDOW;
    size_t pairs;
    uint64_t hot;
    doppel__pairvec p;

    /* Up to the window + 1 members, everyone is paired. */
    identical_bucket(W, 4, &pairs, &hot, &p);
    ck_assert_uint_eq(pairs, W * (W - 1) / 2);
    ck_assert_uint_eq(hot, 0);
    doppel__pairvec_free(&p, NULL);
    identical_bucket(W + 1, 4, &pairs, &hot, &p);
    ck_assert_uint_eq(pairs, (W + 1) * W / 2);
    ck_assert_uint_eq(hot, 4); /* one hot bucket per band */
    doppel__pairvec_free(&p, NULL);

    /* 1000 members, 40 bands (the pair list is deduplicated along the way):
     * member j pairs with the W members before it, and nothing else. */
    const size_t n = 1000;
    identical_bucket(n, 40, &pairs, &hot, &p);
    ck_assert_uint_eq(hot, 40);
    size_t expect = 0;
    for (size_t j = 1; j < n; j++)
        expect += j < W ? j : W;
    ck_assert_uint_eq(pairs, expect);
    for (size_t i = 0; i < p.n; i++) {
        uint32_t a = (uint32_t)(p.v[i] >> 32), b = (uint32_t)p.v[i];
        TU_CHECK(b - a <= W, "pair (%u, %u) outside the window", a, b);
    }
    /* Linear, not quadratic: */
    ck_assert_uint_le(pairs, n * W);
    doppel__pairvec_free(&p, NULL);
}
END_TEST

START_TEST(test_small_inputs_and_radix_sort)
{
    uint64_t hot = 0;
    doppel__pairvec p = {NULL, 0, 0};
    uint16_t v[16] = {0};
    ck_assert_int_eq(
        doppel__lsh_candidates(v, 16, NULL, 1, 0, 4, 4, 0, &p, &hot, NULL),
        DOPPEL_OK);
    ck_assert_int_eq(
        doppel__lsh_candidates(v, 16, NULL, 1, 1, 4, 4, 0, &p, &hot, NULL),
        DOPPEL_OK);
    ck_assert_uint_eq(p.n, 0);
    ck_assert_int_eq(doppel__pairs_unique(&p, NULL), DOPPEL_OK);
    doppel__pairvec_free(&p, NULL);

    /* Radix sort against a simple sort, below and above its 256 cut-off,
     * with keys that differ only in high bits. */
    const size_t sizes[] = {0, 1, 2, 255, 256, 257, 5000};
    uint64_t rng = 3;
    for (size_t si = 0; si < 7; si++) {
        size_t n = sizes[si];
        uint64_t *k = malloc((n + 1) * sizeof *k), *tmp = malloc((n + 1) * 8);
        for (size_t i = 0; i < n; i++)
            k[i] = (i % 3 == 0) ? next(&rng) << 48 : next(&rng);
        doppel__radix_sort64(k, tmp, n);
        for (size_t i = 1; i < n; i++)
            TU_CHECK(k[i - 1] <= k[i], "n=%zu: not sorted at %zu", n, i);
        free(k);
        free(tmp);
    }
}
END_TEST

/* Out of memory in candidate generation: an error, nothing leaked. */
START_TEST(test_out_of_memory)
{
    const unsigned bands = 4, rows = 2, K = 8;
    const size_t n = 300;
    uint16_t v[300 * 8];
    for (size_t i = 0; i < n * K; i++)
        v[i] = (uint16_t)((i / K) % 10 * 8 + i % K); /* 10 families */
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel__pairvec p = {NULL, 0, 0};
        uint64_t hot = 0;
        int rc = doppel__lsh_candidates(v, K, NULL, 1, n, bands, rows, 0, &p,
                                        &hot, &fa.a);
        if (rc == DOPPEL_OK)
            rc = doppel__pairs_unique(&p, &fa.a);
        doppel__pairvec_free(&p, &fa.a);
        ck_assert_int_eq(fa.live, 0);
        if (rc == DOPPEL_OK)
            break;
        ck_assert_int_eq(rc, DOPPEL_ERR_NOMEM);
        ck_assert_int_lt(budget, 1000);
    }
}
END_TEST

Suite *suite_lsh(void)
{
    Suite *s = suite_create("lsh");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_s_curve_controlled_agreement, 0,
                        (int)(sizeof curves / sizeof curves[0]));
    tcase_add_test(tc, test_s_curve_from_sets);
    tcase_add_test(tc, test_matches_brute_force);
    tcase_add_test(tc, test_hot_buckets_bounded_by_window);
    tcase_add_test(tc, test_small_inputs_and_radix_sort);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
