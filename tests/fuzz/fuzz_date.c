/*
 * fuzz_date.c — doppel_parse_date() and the exact decimal-seconds
 * conversion behind it (doppel__decimal_seconds, which the JSON Lines
 * parser also uses for numeric dates) on arbitrary bytes.
 *
 * Invariants checked besides memory safety:
 *   - the result does not depend on surrounding spaces and tabs;
 *   - a failure is DOPPEL_ERR_FORMAT with a NUL-terminated message that
 *     starts with "invalid date \"";
 *   - an integer of Unix seconds that fits in int64 (and is not INT64_MIN,
 *     which is DOPPEL_NO_DATE) parses to exactly strtoll()'s value;
 *   - without 'e'/'E', decimal_seconds gives the same answer with and
 *     without exponent support, and agrees with doppel_parse_date.
 */
#include "fuzz.h"

#include "date.h"
#include "doppel.h"

#include <errno.h>
#include <string.h>

static int all_digits(const char *s, size_t n)
{
    size_t i = n && s[0] == '-' ? 1 : 0;
    if (i == n)
        return 0;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t t = 12345;
    doppel_error err = {0, {0}};
    int rc = doppel_parse_date(s, size, &t, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_FORMAT);
    if (rc != DOPPEL_OK) {
        FUZZ_CHECK(err.code == rc);
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        FUZZ_CHECK(strncmp(err.message, "invalid date \"", 14) == 0);
        FUZZ_CHECK(t == 12345); /* untouched on failure */
    } else {
        FUZZ_CHECK(t != DOPPEL_NO_DATE);
    }

    /* Padding with blanks changes nothing. */
    char *padded = malloc(size + 3);
    FUZZ_CHECK(padded != NULL);
    padded[0] = ' ';
    padded[1] = '\t';
    if (size)
        memcpy(padded + 2, s, size);
    padded[size + 2] = ' ';
    int64_t t2 = 12345;
    int rc2 = doppel_parse_date(padded, size + 3, &t2, NULL);
    FUZZ_CHECK(rc2 == rc);
    if (rc == DOPPEL_OK)
        FUZZ_CHECK(t2 == t);
    free(padded);

    /* Integers of Unix seconds are exact. */
    if (size > 0 && size < 64 && all_digits(s, size)) {
        char buf[64];
        memcpy(buf, s, size);
        buf[size] = '\0';
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == 0 && v != INT64_MIN) {
            FUZZ_CHECK(rc == DOPPEL_OK);
            FUZZ_CHECK(t == (int64_t)v);
        } else {
            FUZZ_CHECK(rc == DOPPEL_ERR_FORMAT);
        }
    }

    /* The shared decimal conversion, with and without exponents. */
    int64_t a = 0, b = 0;
    doppel__seconds_status sa = doppel__decimal_seconds(s, size, 0, &a);
    doppel__seconds_status sb = doppel__decimal_seconds(s, size, 1, &b);
    FUZZ_CHECK(sa <= DOPPEL__SECONDS_RANGE && sb <= DOPPEL__SECONDS_RANGE);
    if (sa == DOPPEL__SECONDS_OK)
        FUZZ_CHECK(a != INT64_MIN);
    if (sb == DOPPEL__SECONDS_OK)
        FUZZ_CHECK(b != INT64_MIN);
    if (!memchr(s, 'e', size) && !memchr(s, 'E', size)) {
        FUZZ_CHECK(sa == sb);
        if (sa == DOPPEL__SECONDS_OK) {
            FUZZ_CHECK(a == b);
            /* The same string is Unix seconds to doppel_parse_date. */
            FUZZ_CHECK(rc == DOPPEL_OK && t == a);
        }
    }
    return 0;
}
