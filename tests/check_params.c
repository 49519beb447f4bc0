/*
 * check_params.c — parameter validation and defaults, and the LSH S-curve
 * choice of bands and rows (against values datasketch computes).
 */
#include "suites.h"

#include "doppel.h"

#include <math.h>
#include <string.h>

START_TEST(test_defaults_resolve)
{
    doppel_params p = DOPPEL_PARAMS_INIT, r;
    doppel_error err = {0};
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_OK);
    ck_assert_uint_eq(r.shingle_size, 6); /* skeleton 6-grams */
    ck_assert_int_eq(r.shingle, DOPPEL_SHINGLE_SKELETON);
    ck_assert_int_eq(r.verify, DOPPEL_VERIFY_ROBUST);
    ck_assert_double_eq(r.containment, 0.75);
    ck_assert_uint_eq(r.num_perm, 128);
    ck_assert_uint_gt(r.bands, 0);
    ck_assert_uint_le(r.bands * r.rows, 128);
}
END_TEST

START_TEST(test_rejects_bad_num_perm)
{
    doppel_params p = DOPPEL_PARAMS_INIT, r;
    doppel_error err = {0};
    p.num_perm = 3;
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(err.code, DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "num_perm must be in [16, 4096], got 3");
}
END_TEST

START_TEST(test_rejects_bad_threshold_and_bands)
{
    doppel_params p = DOPPEL_PARAMS_INIT, r;
    doppel_error err = {0};
    p.threshold = 1.5;
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(err.message, "threshold"));
    p.threshold = 0.5;
    p.bands = 20;
    p.rows = 0;
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_ERR_PARAM);
    p.rows = 10;
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(err.message, "bands * rows"));
    p.rows = 6;
    ck_assert_int_eq(doppel_params_resolve(&p, &r, &err), DOPPEL_OK);
    ck_assert_uint_eq(r.bands, 20);
    ck_assert_uint_eq(r.rows, 6);
}
END_TEST

/* Reference values from the docstring of datasketch's optimal_param():
 * optimal_param(0.75, 256) == (21, 12); optimal_param(0.75, 256, 0.1, 0.9)
 * == (28, 9). */
START_TEST(test_optimal_params_match_datasketch)
{
    unsigned b = 0, r = 0;
    ck_assert_int_eq(
        doppel_lsh_optimal_params(0.75, 256, 0.5, 0.5, &b, &r, NULL),
        DOPPEL_OK);
    ck_assert_uint_eq(b, 21);
    ck_assert_uint_eq(r, 12);
    ck_assert_int_eq(
        doppel_lsh_optimal_params(0.75, 256, 0.1, 0.9, &b, &r, NULL),
        DOPPEL_OK);
    ck_assert_uint_eq(b, 28);
    ck_assert_uint_eq(r, 9);
}
END_TEST

START_TEST(test_s_curve)
{
    ck_assert_double_eq_tol(doppel_lsh_probability(0.5, 20, 5),
                            1.0 - pow(1.0 - pow(0.5, 5), 20), 1e-12);
    ck_assert_double_eq(doppel_lsh_probability(0.0, 20, 5), 0.0);
    ck_assert_double_eq(doppel_lsh_probability(1.0, 20, 5), 1.0);
}
END_TEST

Suite *suite_params(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults_resolve);
    tcase_add_test(tc, test_rejects_bad_num_perm);
    tcase_add_test(tc, test_rejects_bad_threshold_and_bands);
    tcase_add_test(tc, test_optimal_params_match_datasketch);
    tcase_add_test(tc, test_s_curve);
    suite_add_tcase(s, tc);
    return s;
}
