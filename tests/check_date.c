/*
 * check_date.c — doppel_parse_date: ISO 8601, RFC 2822 and Unix seconds,
 * range validation, exact error messages, and the calendar itself checked
 * day by day over eight centuries.
 */
#include "suites.h"

#include "date.h"
#include "doppel.h"

#include <stdio.h>
#include <string.h>

/* Parse a NUL-terminated string; the test fails if it is refused. */
static int64_t parse_ok(const char *s)
{
    int64_t t = 12345;
    doppel_error err = {0, {0}};
    int rc = doppel_parse_date(s, strlen(s), &t, &err);
    ck_assert_msg(rc == DOPPEL_OK, "\"%s\" refused: %s", s, err.message);
    return t;
}

/* Parse a string that must be refused with exactly `msg`. */
static void parse_bad(const char *s, const char *msg)
{
    int64_t t = 12345;
    doppel_error err = {0, {0}};
    int rc = doppel_parse_date(s, strlen(s), &t, &err);
    ck_assert_msg(rc == DOPPEL_ERR_FORMAT, "\"%s\" accepted (%lld)", s,
                  (long long)t);
    ck_assert_int_eq(err.code, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(err.message, msg);
    ck_assert_int_eq(t, 12345); /* untouched on error */
}

START_TEST(test_iso_dates)
{
    ck_assert_int_eq(parse_ok("1970-01-01"), 0);
    ck_assert_int_eq(parse_ok("2020-01-30"), 1580342400);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00Z"), 1580402760);
    ck_assert_int_eq(parse_ok("2020-01-30t16:46:00z"), 1580402760);
    ck_assert_int_eq(parse_ok("2020-01-30 16:46:00+01:00"), 1580399160);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00+0100"), 1580399160);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00+01"), 1580399160);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00-05:30"), 1580422560);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00"), 1580402760);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46"), 1580402760);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00.999999Z"), 1580402760);
    ck_assert_int_eq(parse_ok("2020-01-30T16:46:00,5+00:00"), 1580402760);
    ck_assert_int_eq(parse_ok("  2020-01-30T16:46:00Z\t"), 1580402760);
    ck_assert_int_eq(parse_ok("1969-12-31T23:59:59Z"), -1);
    ck_assert_int_eq(parse_ok("2000-02-29"), 951782400);
    ck_assert_int_eq(parse_ok("2016-12-31T23:59:60Z"), 1483228800);
    ck_assert_int_eq(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
    ck_assert_int_eq(parse_ok("0000-01-01T00:00:00Z"), -62167219200LL);
    ck_assert_int_eq(parse_ok("1900-03-01"), -2203891200LL);
}
END_TEST

START_TEST(test_rfc2822_dates)
{
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 16:46:00 GMT"), 1580402760);
    ck_assert_int_eq(parse_ok("30 Jan 2020 16:46:00 GMT"), 1580402760);
    ck_assert_int_eq(parse_ok("thu,30 jan 2020 16:46:00 utc"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 16:46:00 UT"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 16:46:00"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 16:46 +0000"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 17:46:00 +0100"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 11:16:00 -0530"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 11:46:00 EST"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 12:46:00 EDT"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 10:46:00 CST"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 11:46:00 CDT"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 09:46:00 MST"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 10:46:00 MDT"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 08:46:00 PST"), 1580402760);
    ck_assert_int_eq(parse_ok("Thu, 30 Jan 2020 09:46:00 PDT"), 1580402760);
    ck_assert_int_eq(parse_ok("1 Feb 2020 00:00:00 GMT"), 1580515200);
    ck_assert_int_eq(parse_ok("Sat, 01 Feb 20 00:00:00 GMT"), 1580515200);
    ck_assert_int_eq(parse_ok("Mon, 01 Feb 99 00:00:00 GMT"), 917827200);
    ck_assert_int_eq(parse_ok("Mon, 01 Feb 099 00:00:00 GMT"), 917827200);
    /* The day name is not checked against the date (feeds get it wrong). */
    ck_assert_int_eq(parse_ok("Mon, 30 Jan 2020 16:46:00 GMT"), 1580402760);
}
END_TEST

START_TEST(test_unix_seconds)
{
    ck_assert_int_eq(parse_ok("0"), 0);
    ck_assert_int_eq(parse_ok("1580402760"), 1580402760);
    ck_assert_int_eq(parse_ok("2020"), 2020); /* seconds, not a year */
    ck_assert_int_eq(parse_ok("-86400"), -86400);
    ck_assert_int_eq(parse_ok("1580402760.9"), 1580402760);
    ck_assert_int_eq(parse_ok("-0.5"), -1);
    ck_assert_int_eq(parse_ok("-1.000"), -1);
    ck_assert_int_eq(parse_ok("9223372036854775807"), INT64_MAX);
    ck_assert_int_eq(parse_ok("-9223372036854775807"), -INT64_MAX);
    parse_bad("-9223372036854775808",
              "invalid date \"-9223372036854775808\": Unix seconds out of "
              "range");
    parse_bad("-9223372036854775807.5",
              "invalid date \"-9223372036854775807.5\": Unix seconds out of "
              "range");
    parse_bad("99999999999999999999",
              "invalid date \"99999999999999999999\": Unix seconds out of "
              "range");
}
END_TEST

START_TEST(test_decimal_seconds_json_numbers)
{
    int64_t t = 0;
    ck_assert_int_eq(doppel__decimal_seconds("1.5e9", 5, 1, &t),
                     DOPPEL__SECONDS_OK);
    ck_assert_int_eq(t, 1500000000);
    ck_assert_int_eq(doppel__decimal_seconds("15E+8", 5, 1, &t),
                     DOPPEL__SECONDS_OK);
    ck_assert_int_eq(t, 1500000000);
    ck_assert_int_eq(doppel__decimal_seconds("-25e-1", 6, 1, &t),
                     DOPPEL__SECONDS_OK);
    ck_assert_int_eq(t, -3);
    ck_assert_int_eq(doppel__decimal_seconds("0e999999999999", 14, 1, &t),
                     DOPPEL__SECONDS_OK);
    ck_assert_int_eq(t, 0);
    ck_assert_int_eq(doppel__decimal_seconds("1e-99999999999", 14, 1, &t),
                     DOPPEL__SECONDS_OK);
    ck_assert_int_eq(t, 0);
    ck_assert_int_eq(doppel__decimal_seconds("1e19", 4, 1, &t),
                     DOPPEL__SECONDS_RANGE);
    ck_assert_int_eq(doppel__decimal_seconds("1e5", 3, 0, &t),
                     DOPPEL__SECONDS_SYNTAX);
    ck_assert_int_eq(doppel__decimal_seconds("1.", 2, 1, &t),
                     DOPPEL__SECONDS_SYNTAX);
    ck_assert_int_eq(doppel__decimal_seconds("", 0, 1, &t),
                     DOPPEL__SECONDS_SYNTAX);
}
END_TEST

START_TEST(test_range_validation)
{
    parse_bad("2020-13-01", "invalid date \"2020-13-01\": month 13 out of "
                            "range");
    parse_bad("2020-00-01", "invalid date \"2020-00-01\": month 0 out of "
                            "range");
    parse_bad("2021-02-29", "invalid date \"2021-02-29\": day 29 out of "
                            "range for 2021-02");
    parse_bad("2100-02-29", "invalid date \"2100-02-29\": day 29 out of "
                            "range for 2100-02");
    ck_assert_int_eq(parse_ok("2024-02-29"), 1709164800);
    parse_bad("2020-04-31", "invalid date \"2020-04-31\": day 31 out of "
                            "range for 2020-04");
    parse_bad("2020-04-00", "invalid date \"2020-04-00\": day 0 out of "
                            "range for 2020-04");
    parse_bad("2020-01-30T24:00:00Z",
              "invalid date \"2020-01-30T24:00:00Z\": hour 24 out of range");
    parse_bad("2020-01-30T23:60:00Z",
              "invalid date \"2020-01-30T23:60:00Z\": minute 60 out of "
              "range");
    parse_bad("2020-01-30T23:59:61Z",
              "invalid date \"2020-01-30T23:59:61Z\": second 61 out of "
              "range");
    parse_bad("2020-01-30T23:59:00+24:00",
              "invalid date \"2020-01-30T23:59:00+24:00\": zone offset out "
              "of range");
    parse_bad("Fri, 31 Apr 2020 10:00:00 GMT",
              "invalid date \"Fri, 31 Apr 2020 10:00:00 GMT\": day 31 out of "
              "range for 2020-04");
    parse_bad("Thu, 30 Jan 2020 25:00:00 GMT",
              "invalid date \"Thu, 30 Jan 2020 25:00:00 GMT\": hour 25 out "
              "of range");
    parse_bad("Thu, 30 Jan 2020 10:00:00 +0960",
              "invalid date \"Thu, 30 Jan 2020 10:00:00 +0960\": zone offset "
              "out of range");
}
END_TEST

START_TEST(test_malformed)
{
    parse_bad("", "invalid date \"\": empty");
    parse_bad("   ", "invalid date \"   \": empty");
    parse_bad("yesterday", "invalid date \"yesterday\": not ISO 8601, RFC "
                           "2822 or Unix seconds");
    parse_bad("2020/01/30", "invalid date \"2020/01/30\": not ISO 8601, RFC "
                            "2822 or Unix seconds");
    parse_bad("2020-1-30", "invalid date \"2020-1-30\": not ISO 8601, RFC "
                           "2822 or Unix seconds");
    parse_bad("2020-01-30X10:00", "invalid date \"2020-01-30X10:00\": "
                                  "expected 'T' or a space after the date");
    parse_bad("2020-01-30T10", "invalid date \"2020-01-30T10\": expected "
                               "hh:mm after the date");
    parse_bad("2020-01-30T10:00:00.Z", "invalid date "
                                       "\"2020-01-30T10:00:00.Z\": expected "
                                       "digits after the decimal point");
    parse_bad("2020-01-30T10:00:00 +01:00",
              "invalid date \"2020-01-30T10:00:00 +01:00\": bad zone "
              "(expected Z, +hh:mm or -hh:mm)");
    parse_bad("2020-01-30T10:00:00Zjunk",
              "invalid date \"2020-01-30T10:00:00Zjunk\": unexpected "
              "characters after the zone");
    parse_bad("2020-01-30T10:00:00+1", "invalid date "
                                       "\"2020-01-30T10:00:00+1\": bad zone "
                                       "offset");
    parse_bad("Thu, 30 Jam 2020 16:46:00 GMT",
              "invalid date \"Thu, 30 Jam 2020 16:46:00 GMT\": unknown month "
              "\"Jam\"");
    parse_bad("Thu, 30 Jan 2020 16:46:00 CET",
              "invalid date \"Thu, 30 Jan 2020 16:46:00 CET\": unknown time "
              "zone \"CET\"");
    parse_bad("Thu 30 Jan 2020 16:46:00 GMT",
              "invalid date \"Thu 30 Jan 2020 16:46:00 GMT\": expected ',' "
              "after the day name");
    parse_bad("Thu, 30 Jan 20201 16:46:00 GMT",
              "invalid date \"Thu, 30 Jan 20201 16:46:00 GMT\": expected a "
              "year of 2 to 4 digits");
    parse_bad("Thu, 30 Jan 2020 16:46:00 +01",
              "invalid date \"Thu, 30 Jan 2020 16:46:00 +01\": bad zone "
              "offset (expected +hhmm or -hhmm)");
    parse_bad("12.", "invalid date \"12.\": not ISO 8601, RFC 2822 or Unix "
                     "seconds");
    parse_bad("1e9", "invalid date \"1e9\": not ISO 8601, RFC 2822 or Unix "
                     "seconds");
    /* Control bytes are shown as '?', long inputs cut at 64 bytes. */
    parse_bad("a\nb", "invalid date \"a?b\": not ISO 8601, RFC 2822 or Unix "
                      "seconds");
    parse_bad("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xyz",
              "invalid date \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxx...\": not ISO 8601, RFC 2822 or Unix "
              "seconds");
}
END_TEST

START_TEST(test_length_is_respected)
{
    /* Not NUL-terminated: only len bytes are read. */
    const char s[] = "2020-01-30T16:46:00Zgarbage";
    int64_t t = 0;
    ck_assert_int_eq(doppel_parse_date(s, 20, &t, NULL), DOPPEL_OK);
    ck_assert_int_eq(t, 1580402760);
    ck_assert_int_eq(doppel_parse_date(s, 10, &t, NULL), DOPPEL_OK);
    ck_assert_int_eq(t, 1580342400);
    ck_assert_int_eq(doppel_parse_date(s, 9, &t, NULL), DOPPEL_ERR_FORMAT);
    ck_assert_int_eq(doppel_parse_date("1234", 2, &t, NULL), DOPPEL_OK);
    ck_assert_int_eq(t, 12);
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_parse_date("1", 1, NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "seconds must not be NULL");
    ck_assert_int_eq(doppel_parse_date(NULL, 0, &t, NULL), DOPPEL_ERR_FORMAT);
}
END_TEST

/* Every day from 1600-01-01 to 2399-12-31 is exactly 86400 s after the one
 * before, and 1970-01-01 is 0: the calendar has no gaps or overlaps. */
START_TEST(test_calendar_consecutive_days)
{
    int64_t prev = 0;
    int have_prev = 0;
    for (int y = 1600; y < 2400; y++) {
        for (unsigned m = 1; m <= 12; m++) {
            unsigned nd = doppel__days_in_month(y, m);
            ck_assert_uint_eq(nd, m == 2 ? (doppel__is_leap_year(y) ? 29 : 28)
                                  : (m == 4 || m == 6 || m == 9 || m == 11)
                                      ? 30
                                      : 31);
            for (unsigned d = 1; d <= nd; d++) {
                char buf[32];
                snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
                int64_t t = 0;
                ck_assert_int_eq(doppel_parse_date(buf, strlen(buf), &t, NULL),
                                 DOPPEL_OK);
                if (have_prev)
                    ck_assert_msg(t - prev == 86400, "gap before %s", buf);
                if (y == 1970 && m == 1 && d == 1)
                    ck_assert_int_eq(t, 0);
                prev = t;
                have_prev = 1;
            }
            char bad[32];
            snprintf(bad, sizeof bad, "%04d-%02u-%02u", y, m, nd + 1);
            int64_t t = 0;
            ck_assert_int_eq(doppel_parse_date(bad, strlen(bad), &t, NULL),
                             DOPPEL_ERR_FORMAT);
        }
    }
    ck_assert(doppel__is_leap_year(2000));
    ck_assert(!doppel__is_leap_year(1900));
    ck_assert(doppel__is_leap_year(2024));
    ck_assert(!doppel__is_leap_year(2023));
}
END_TEST

Suite *suite_date(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120); /* the calendar walk, under valgrind */
    tcase_add_test(tc, test_iso_dates);
    tcase_add_test(tc, test_rfc2822_dates);
    tcase_add_test(tc, test_unix_seconds);
    tcase_add_test(tc, test_decimal_seconds_json_numbers);
    tcase_add_test(tc, test_range_validation);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_length_is_respected);
    tcase_add_test(tc, test_calendar_consecutive_days);
    suite_add_tcase(s, tc);
    return s;
}
