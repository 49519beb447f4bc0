/*
 * check_lsh.c — LSH banding and the S-curve choice against the reference
 * (ref_sketch.c): the same candidate pairs, in the same order, with the
 * same count of hot buckets, for sets of signatures with near-duplicates,
 * exact duplicates, empty documents and boilerplate buckets far larger
 * than the window; the same (bands, rows) as the full Simpson search on a
 * grid of thresholds, signature lengths and weights; and radix sorting of
 * 64-bit keys against qsort.
 */
#include "suites.h"

#include "hash.h"
#include "lsh.h"
#include "ref_sketch.h"

#include <stdlib.h>
#include <string.h>

/* n signatures of K values: groups of near-duplicates, some documents
 * sharing band 0 exactly (a template), some empty (skip bit 1). */
static uint16_t *make_values(size_t n, unsigned K, uint64_t seed,
                             size_t hot, uint8_t *skip)
{
    uint16_t *v = malloc(n * K * sizeof *v);
    ck_assert_ptr_nonnull(v);
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = doppel__splitmix64(&st);
        skip[i] = r % 97 == 0 ? 1 : 0;
        if (i > 0 && r % 3 == 0) {
            /* a near-duplicate of an earlier document */
            size_t src = (size_t)(doppel__splitmix64(&st) % i);
            for (unsigned k = 0; k < K; k++) {
                uint64_t q = doppel__splitmix64(&st);
                v[i * K + k] = q % 4 == 0 ? (uint16_t)q : v[src * K + k];
            }
        } else {
            for (unsigned k = 0; k < K; k++)
                v[i * K + k] = (uint16_t)doppel__splitmix64(&st);
        }
        if (i < hot) /* the template: the first 8 values agree */
            for (unsigned k = 0; k < 8 && k < K; k++)
                v[i * K + k] = (uint16_t)(1000 + k);
    }
    return v;
}

START_TEST(test_candidates_match_reference)
{
    static const size_t ns[] = {0, 1, 2, 50, 63, 64, 65, 255, 256, 1000,
                                5000, 70000};
    static const struct {
        unsigned K, bands, rows;
    } shapes[] = {{128, 21, 6}, {32, 10, 3}, {64, 64, 1}, {16, 2, 8}};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
            size_t n = ns[ni];
            unsigned K = shapes[si].K;
            if (n > 5000 && si > 0)
                continue;
            uint8_t *skip = malloc(n ? n : 1);
            ck_assert_ptr_nonnull(skip);
            size_t hot = n / 3;
            uint16_t *v = make_values(n, K, 1000 + n + si, hot, skip);
            doppel__pairvec got = {0}, want = {0};
            uint64_t hot_got = 0, hot_want = 0;
            ck_assert_int_eq(doppel__lsh_candidates(
                                 v, K, skip, 1, n, shapes[si].bands,
                                 shapes[si].rows, 7, &got, &hot_got, NULL),
                             DOPPEL_OK);
            ck_assert_int_eq(ref_lsh_candidates(v, K, skip, 1, n,
                                                shapes[si].bands,
                                                shapes[si].rows, 7, &want,
                                                &hot_want),
                             DOPPEL_OK);
            ck_assert_uint_eq(hot_got, hot_want);
            ck_assert_int_eq(doppel__pairs_unique(&got, NULL), DOPPEL_OK);
            ck_assert_int_eq(ref_pairs_unique(&want), DOPPEL_OK);
            ck_assert_msg(got.n == want.n,
                          "n=%zu shape %zu: %zu pairs, reference %zu", n, si,
                          got.n, want.n);
            if (got.n)
                ck_assert_msg(memcmp(got.v, want.v,
                                     got.n * sizeof *got.v) == 0,
                              "n=%zu shape %zu: pairs differ", n, si);
            if (n >= 1000)
                ck_assert_uint_gt(hot_got, 0); /* the template was hot */
            doppel__pairvec_free(&got, NULL);
            doppel__pairvec_free(&want, NULL);
            free(v);
            free(skip);
        }
    }
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(test_radix_sort_matches_qsort)
{
    static const size_t ns[] = {0, 1, 100, 255, 256, 3000, 100000};
    uint64_t st = 5;
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        for (int kind = 0; kind < 4; kind++) {
            size_t n = ns[ni];
            uint64_t *k = malloc((n ? n : 1) * sizeof *k);
            uint64_t *tmp = malloc((n ? n : 1) * sizeof *k);
            uint64_t *want = malloc((n ? n : 1) * sizeof *k);
            ck_assert(k && tmp && want);
            for (size_t i = 0; i < n; i++) {
                uint64_t r = doppel__splitmix64(&st);
                k[i] = kind == 0   ? r
                       : kind == 1 ? r & 0x000FFFFF000FFFFFull /* pairs */
                       : kind == 2 ? 42
                                   : r % 7;
            }
            memcpy(want, k, n * sizeof *k);
            qsort(want, n, sizeof *want, cmp_u64);
            doppel__radix_sort64(k, tmp, n);
            ck_assert(n == 0 || memcmp(k, want, n * sizeof *k) == 0);
            free(k);
            free(tmp);
            free(want);
        }
    }
}
END_TEST

/* The pruned search gives exactly the (b, r) of the full search. */
START_TEST(test_optimal_params_match_reference)
{
    static const double thresholds[] = {0.05, 0.2, 0.33, 0.4, 0.5,
                                        0.61,  0.75, 0.9, 0.99, 1.0};
    static const unsigned perms[] = {16, 64, 128, 200};
    static const double weights[][2] = {
        {0.5, 0.5}, {0.1, 0.9}, {1.0, 0.0}, {0.0, 1.0}};
    for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++)
        for (size_t k = 0; k < sizeof perms / sizeof perms[0]; k++)
            for (size_t w = 0; w < sizeof weights / sizeof weights[0]; w++) {
                if (perms[k] > 64 && w > 1 && t % 3)
                    continue; /* keep the reference's cost in check */
                unsigned b1 = 0, r1 = 0, b2 = 0, r2 = 0;
                ck_assert_int_eq(doppel_lsh_optimal_params(
                                     thresholds[t], perms[k], weights[w][0],
                                     weights[w][1], &b1, &r1, NULL),
                                 DOPPEL_OK);
                ref_lsh_optimal_params(thresholds[t], perms[k],
                                       weights[w][0], weights[w][1], &b2,
                                       &r2);
                ck_assert_msg(b1 == b2 && r1 == r2,
                              "t=%g K=%u w=(%g,%g): (%u, %u), full search "
                              "(%u, %u)",
                              thresholds[t], perms[k], weights[w][0],
                              weights[w][1], b1, r1, b2, r2);
            }
}
END_TEST

Suite *suite_lsh(void)
{
    Suite *s = suite_create("lsh");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_candidates_match_reference);
    tcase_add_test(tc, test_radix_sort_matches_qsort);
    tcase_add_test(tc, test_optimal_params_match_reference);
    suite_add_tcase(s, tc);
    return s;
}
