/*
 * date.h — the calendar arithmetic and decimal-seconds conversion behind
 * doppel_parse_date(), shared with the JSON Lines parser (which turns a
 * numeric "date" field into Unix seconds with the same rules).
 */
#ifndef DOPPEL_DATE_H
#define DOPPEL_DATE_H

#include <stddef.h>
#include <stdint.h>

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 *  (Howard Hinnant's days_from_civil). m in [1, 12], d in [1, 31]. */
int64_t doppel__days_from_civil(int64_t y, unsigned m, unsigned d);

/** 1 if y is a Gregorian leap year. */
int doppel__is_leap_year(int64_t y);

/** Days in month m (1-12) of year y. */
unsigned doppel__days_in_month(int64_t y, unsigned m);

typedef enum doppel__seconds_status {
    DOPPEL__SECONDS_OK = 0,
    DOPPEL__SECONDS_SYNTAX = 1, /**< not a decimal number of this form */
    DOPPEL__SECONDS_RANGE = 2   /**< outside (INT64_MIN, INT64_MAX] */
} doppel__seconds_status;

/**
 * Convert a decimal number of seconds to an integer, rounding toward
 * negative infinity (so -0.5 is -1: the second that contains the instant).
 * Accepted: -?[0-9]+(\.[0-9]+)? and, with `exponent` set, a JSON number's
 * exponent part [eE][+-]?[0-9]+ as well. The conversion is exact (no
 * floating point). INT64_MIN is refused because it is DOPPEL_NO_DATE.
 */
doppel__seconds_status doppel__decimal_seconds(const char *s, size_t len,
                                               int exponent, int64_t *out);

#endif
