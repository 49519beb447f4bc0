/*
 * check_lsh_fast.c — LSH banding and the S-curve choice against the reference
 * (ref_sketch.c): the same candidate pairs, in the same order, with the
 * same count of hot buckets, for sets of signatures with near-duplicates,
 * exact duplicates, empty documents and boilerplate buckets far larger
 * than the window; the same (bands, rows) as the full Simpson search on a
 * grid of thresholds, signature lengths and weights; radix sorting of
 * 64-bit keys against qsort; and verification (the walk over bins in
 * order of position, with or without a precomputed order) and the SIMD
 * count of equal values against the reference.
 */
#include "suites.h"

#include "hash.h"
#include "lsh.h"
#include "minhash.h"
#include "verify.h"
#include "ref_sketch.h"

#include <stdio.h>
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
            /* on 2 and 3 threads: the same pairs and hot buckets */
            for (unsigned threads = 2; threads <= 3; threads++) {
                doppel__pairvec mt = {0};
                uint64_t hot_mt = 0;
                ck_assert_int_eq(doppel__lsh_candidates_mt(
                                     v, K, skip, 1, n, shapes[si].bands,
                                     shapes[si].rows, 7, &mt, &hot_mt,
                                     threads, NULL),
                                 DOPPEL_OK);
                ck_assert_int_eq(doppel__pairs_unique(&mt, NULL), DOPPEL_OK);
                ck_assert_uint_eq(hot_mt, hot_want);
                ck_assert_uint_eq(mt.n, want.n);
                if (mt.n)
                    ck_assert(memcmp(mt.v, want.v, mt.n * sizeof *mt.v) == 0);
                doppel__pairvec_free(&mt, NULL);
            }
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

START_TEST(test_minhash_equal_matches_scalar)
{
    uint64_t st = 11;
    static doppel__mh x[4096], y[4096];
    for (unsigned K = 0; K <= 4096; K += K < 40 ? 1 : 97) {
        for (unsigned k = 0; k < K; k++) {
            uint64_t r = doppel__splitmix64(&st);
            x[k] = (uint16_t)r;
            y[k] = r % 3 ? x[k] : (uint16_t)(r >> 16);
        }
        ck_assert_uint_eq(doppel__minhash_equal(x, y, K),
                          doppel__minhash_equal_scalar(x, y, K));
    }
    for (unsigned k = 0; k < 4096; k++)
        x[k] = y[k] = 7;
    ck_assert_uint_eq(doppel__minhash_equal(x, y, 4096), 4096);
}
END_TEST

/* A random sketch pair: values equal with probability `share`, equal
 * values clumped in one part of the document when `clump`. */
typedef struct vsketch {
    doppel__mh values[512], lede[DOPPEL__LEDE_BINS],
        entities[DOPPEL__ENTITY_BINS];
    uint8_t positions[512];
    doppel__sketch_meta meta;
} vsketch;

static doppel__sketch_cref cref_of(const vsketch *v)
{
    doppel__sketch_cref c = {v->values, v->positions, v->lede, v->entities,
                             &v->meta};
    return c;
}

static void random_pair(uint64_t *st, unsigned K, vsketch *a, vsketch *b)
{
    double share = (double)(doppel__splitmix64(st) % 1001) / 1000.0;
    unsigned clump = doppel__splitmix64(st) % 3;
    for (unsigned k = 0; k < K; k++) {
        a->positions[k] = (uint8_t)doppel__splitmix64(st);
        b->positions[k] = (uint8_t)(clump == 2 ? a->positions[k] ^ 1
                                               : doppel__splitmix64(st));
        a->values[k] = (uint16_t)doppel__splitmix64(st);
        double u = (double)(doppel__splitmix64(st) % 1000) / 1000.0;
        int eq = clump == 1 ? a->positions[k] < 256 * share : u < share;
        b->values[k] = eq ? a->values[k] : (uint16_t)(a->values[k] + 1);
    }
    for (unsigned k = 0; k < DOPPEL__ENTITY_BINS; k++) {
        a->entities[k] = (uint16_t)doppel__splitmix64(st);
        b->entities[k] = doppel__splitmix64(st) % 2 ? a->entities[k] : 0;
    }
    /* Ledes from all equal to all different, so that the contained-copy
     * rule meets both sides of its lede threshold. */
    unsigned lede_eq = (unsigned)(doppel__splitmix64(st) % 8);
    for (unsigned k = 0; k < DOPPEL__LEDE_BINS; k++) {
        a->lede[k] = (uint16_t)doppel__splitmix64(st);
        b->lede[k] = doppel__splitmix64(st) % 8 < lede_eq ? a->lede[k]
                                                          : (uint16_t)~a->lede[k];
    }
    vsketch *s2[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        s2[i]->meta.flags = doppel__splitmix64(st) % 50 == 0;
        s2[i]->meta.num_words = 100;
        s2[i]->meta.num_shingles = 10 + (uint32_t)(doppel__splitmix64(st) % 400);
        s2[i]->meta.num_entities = (uint32_t)(doppel__splitmix64(st) % 20);
        s2[i]->meta.rarity = 1.0f;
    }
}

START_TEST(test_verify_matches_reference)
{
    static const unsigned Ks[] = {16, 128, 200, 256, 300};
    uint64_t st = 3;
    vsketch *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    ck_assert(a && b);
    uint8_t ia[512], ib[512];
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        unsigned K = Ks[ki];
        for (int rep = 0; rep < 20000; rep++) {
            random_pair(&st, K, a, b);
            doppel_params p = DOPPEL_PARAMS_INIT;
            p.num_perm = K;
            p.threshold = 0.2 + 0.6 * (double)(rep % 7) / 7.0;
            p.containment = 0.75;
            p.verify = rep % 5 ? DOPPEL_VERIFY_ROBUST : DOPPEL_VERIFY_JACCARD;
            doppel__sketch_cref ca = cref_of(a), cb = cref_of(b);
            doppel_match want, got;
            ref_verify(&ca, &cb, K, &p, &want);
            for (int ordered = 0; ordered < 2; ordered++) {
                if (ordered && K > 256)
                    break;
                if (ordered) {
                    doppel__spread_index(a->positions, K, ia, ia + K);
                    doppel__spread_index(b->positions, K, ib, ib + K);
                    doppel__verify_indexed(&ca, &cb, ia, ib, K, &p, NULL, 0,
                                           &got);
                } else {
                    doppel__verify(&ca, &cb, K, &p, NULL, &got);
                }
                /* what a dedup reads: the verdict alone */
                doppel_match v;
                doppel__verify_indexed(&ca, &cb, ordered ? ia : NULL,
                                       ordered ? ib : NULL, K, &p, NULL, 1,
                                       &v);
                ck_assert_msg(v.duplicate == want.duplicate &&
                                  v.similarity == want.similarity &&
                                  strcmp(v.reason, want.reason) == 0,
                              "verdict only, K=%u pair %d (ordered %d): %d "
                              "%g '%s', reference %d %g '%s'",
                              K, rep, ordered, v.duplicate, v.similarity,
                              v.reason, want.duplicate, want.similarity,
                              want.reason);
                ck_assert_msg(got.duplicate == want.duplicate &&
                                  got.similarity == want.similarity &&
                                  got.jaccard == want.jaccard &&
                                  got.containment == want.containment &&
                                  got.entities == want.entities &&
                                  got.lede == want.lede &&
                                  got.spread_a == want.spread_a &&
                                  got.spread_b == want.spread_b &&
                                  strcmp(got.reason, want.reason) == 0,
                              "K=%u pair %d (ordered %d): %d %g %d%d, "
                              "reference %d %g %d%d",
                              K, rep, ordered, got.duplicate, got.similarity,
                              got.spread_a, got.spread_b, want.duplicate,
                              want.similarity, want.spread_a, want.spread_b);
            }
        }
    }
    free(a);
    free(b);
}
END_TEST

/* The largest stretch without a match, portable against AVX-512 VBMI
 * (where the CPU has it), on random positions and match masks of every
 * density, including all and none matched. */
START_TEST(test_spread_gap_impls_agree)
{
    static const unsigned Ks[] = {16, 64, 100, 128, 129, 200, 256};
    uint64_t st = 23;
    uint8_t pos[256], index[512 + 64];
    int vbmi = doppel__spread_gap_available(2);
    if (!vbmi)
        fprintf(stderr, "lsh_fast: no AVX-512 VBMI here, portable gap "
                        "only\n");
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        unsigned K = Ks[ki];
        int reps = getenv("DOPPEL_TEST_VALGRIND") ? 4000 : 20000;
        for (int rep = 0; rep < reps; rep++) {
            unsigned spread = 1 + (unsigned)(doppel__splitmix64(&st) % 256);
            for (unsigned k = 0; k < K; k++)
                pos[k] = (uint8_t)(doppel__splitmix64(&st) % spread);
            /* the index is followed by other bytes, as in a dedup's array */
            memset(index, 0xA5, sizeof index);
            doppel__spread_index(pos, K, index, index + K);
            uint64_t m[4] = {0, 0, 0, 0};
            unsigned dens = (unsigned)(doppel__splitmix64(&st) % 11), eq = 0;
            for (unsigned k = 0; k < K; k++) {
                unsigned bit = doppel__splitmix64(&st) % 10 < dens;
                m[k >> 6] |= (uint64_t)bit << (k & 63);
                eq += bit;
            }
            unsigned g1 = doppel__spread_gap(m, eq, K, index, 1);
            unsigned g0 = doppel__spread_gap(m, eq, K, index, 0);
            ck_assert_uint_eq(g0, g1);
            if (vbmi)
                ck_assert_uint_eq(doppel__spread_gap(m, eq, K, index, 2),
                                  g1);
        }
    }
}
END_TEST

/* The boilerplate rule from per-document bitmaps of distinctive bins
 * (what a dedup precomputes) against the rule reading the corpus table
 * for every pair: the same verdicts, reasons and similarities. The pairs
 * share most values, and the table makes a random share of each
 * document's values common, so that the rule engages and fires. */
START_TEST(test_boilerplate_bitmaps_match_table)
{
    static const unsigned Ks[] = {16, 64, 128, 200, 256};
    uint64_t st = 17;
    vsketch *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    uint16_t *table = calloc((size_t)256 * 65536u, sizeof *table);
    ck_assert(a && b && table);
    unsigned fired = 0, engaged = 0;
    /* fewer under memcheck (the valgrind preset sets DOPPEL_TEST_VALGRIND) */
    int reps = getenv("DOPPEL_TEST_VALGRIND") ? 1000 : 4000;
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        unsigned K = Ks[ki];
        for (int rep = 0; rep < reps; rep++) {
            random_pair(&st, K, a, b);
            /* mostly equal values, spread everywhere */
            for (unsigned k = 0; k < K; k++)
                if (doppel__splitmix64(&st) % 10 < 8)
                    b->values[k] = a->values[k];
            a->meta.flags = b->meta.flags = 0;
            uint32_t common = 8 + (uint32_t)(rep % 10);
            unsigned pc = (unsigned)(doppel__splitmix64(&st) % 101);
            for (unsigned k = 0; k < K; k++) {
                uint16_t *ca = &table[(size_t)k * 65536u + a->values[k]];
                uint16_t *cb = &table[(size_t)k * 65536u + b->values[k]];
                *ca = (uint16_t)(doppel__splitmix64(&st) % 100 < pc
                                     ? common + doppel__splitmix64(&st) % 9
                                     : doppel__splitmix64(&st) % common);
                if (cb != ca)
                    *cb = (uint16_t)(doppel__splitmix64(&st) % (2 * common));
            }
            doppel_params p = DOPPEL_PARAMS_INIT;
            p.num_perm = K;
            p.threshold = 0.3 + 0.4 * (double)(rep % 5) / 5.0;
            p.containment = 0.75;
            doppel__corpus_df df = {table, common, NULL};
            /* masks made up front (a dedup), or on first use (an index) */
            doppel__dmask da, db, la = {0, {0}}, lb = {0, {0}};
            doppel__corpus_df_mask(&df, a->values, K, &da);
            doppel__corpus_df_mask(&df, b->values, K, &db);
            doppel__sketch_cref ca = cref_of(a), cb = cref_of(b);
            uint8_t ia[512], ib[512];
            doppel__spread_index(a->positions, K, ia, ia + K);
            doppel__spread_index(b->positions, K, ib, ib + K);
            for (int only = 0; only < 2; only++) {
                doppel_match want, got;
                doppel__verify_indexed(&ca, &cb, ia, ib, K, &p, &df, only,
                                       &want);
                doppel__verify_masked(&ca, &cb, ia, ib, &da, &db, K, &p, &df,
                                      only, &got);
                doppel_match lazy;
                doppel__verify_masked(&ca, &cb, ia, ib, &la, &lb, K, &p, &df,
                                      only, &lazy);
                ck_assert_msg(lazy.duplicate == want.duplicate &&
                                  lazy.similarity == want.similarity &&
                                  strcmp(lazy.reason, want.reason) == 0,
                              "K=%u pair %d, masks made on first use: %d %g "
                              "'%s', from the table %d %g '%s'",
                              K, rep, lazy.duplicate, lazy.similarity,
                              lazy.reason, want.duplicate, want.similarity,
                              want.reason);
                ck_assert_msg(got.duplicate == want.duplicate &&
                                  got.similarity == want.similarity &&
                                  strcmp(got.reason, want.reason) == 0,
                              "K=%u pair %d: %d %g '%s', from the table %d "
                              "%g '%s'",
                              K, rep, got.duplicate, got.similarity,
                              got.reason, want.duplicate, want.similarity,
                              want.reason);
                fired += strstr(want.reason, "boilerplate") != NULL;
                engaged += want.duplicate;
            }
            for (unsigned k = 0; k < K; k++) {
                table[(size_t)k * 65536u + a->values[k]] = 0;
                table[(size_t)k * 65536u + b->values[k]] = 0;
            }
        }
    }
    ck_assert_uint_gt(fired, (unsigned)reps / 4);
    ck_assert_uint_gt(engaged, (unsigned)reps / 4);
    free(a);
    free(b);
    free(table);
}
END_TEST

Suite *suite_lsh_fast(void)
{
    Suite *s = suite_create("lsh_fast");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_candidates_match_reference);
    tcase_add_test(tc, test_radix_sort_matches_qsort);
    tcase_add_test(tc, test_optimal_params_match_reference);
    tcase_add_test(tc, test_minhash_equal_matches_scalar);
    tcase_add_test(tc, test_verify_matches_reference);
    tcase_add_test(tc, test_boilerplate_bitmaps_match_table);
    tcase_add_test(tc, test_spread_gap_impls_agree);
    suite_add_tcase(s, tc);
    return s;
}
