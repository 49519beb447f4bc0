/*
 * date.c — doppel_parse_date(): article dates in the three forms news feeds
 * actually use, turned into UTC Unix seconds.
 *
 *   ISO 8601 (extended format only, as RFC 3339 profiles it, plus a little):
 *     YYYY-MM-DD                                  midnight UTC
 *     YYYY-MM-DD(T|t| )hh:mm[:ss[(.|,)f+]][zone]  zone = Z | z | ±hh[[:]mm];
 *                                                  no zone means UTC
 *   RFC 2822 (section 3.3, with the obsolete forms feeds still emit):
 *     [Day ","] D[D] Mon YYYY hh:mm[:ss] [zone]    zone = ±hhmm | GMT | UT |
 *                                                  UTC | EST EDT CST CDT MST
 *                                                  MDT PST PDT; none = UTC;
 *                                                  names case-insensitive; a
 *                                                  2-digit year is 19xx when
 *                                                  >= 50, else 20xx, and a
 *                                                  3-digit year is 1900 + y
 *   Unix seconds:
 *     -?[0-9]+(\.[0-9]+)?                          rounded toward -infinity
 *
 * Leading and trailing spaces and tabs are ignored. A run of digits alone is
 * always Unix seconds ("2020" is second 2020, not the year). Ranges are
 * checked: month 1-12, day within its month (Gregorian leap years), hour
 * 0-23, minute 0-59, second 0-60 (a leap second 60 is accepted and, as POSIX
 * time has no leap seconds, lands on the next minute's second 0), offsets up
 * to ±23:59. Fractional seconds are dropped. The day name of RFC 2822 must
 * be a real day name but is not checked against the date: feeds get it wrong
 * more often than the date itself.
 *
 * Why hand-written: strptime and timegm depend on the locale and the TZ
 * environment (global state) and timegm is not even POSIX; the calendar is a
 * dozen lines (Howard Hinnant's days_from_civil, exact for every proleptic
 * Gregorian date), and parsing by hand gives error messages that say which
 * field is wrong.
 */
#include "date.h"

#include "common.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- calendar */

int doppel__is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned doppel__days_in_month(int64_t y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && doppel__is_leap_year(y));
}

int64_t doppel__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                         /* [0, 399] */
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* ------------------------------------------------------ decimal seconds */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

doppel__seconds_status doppel__decimal_seconds(const char *s, size_t len,
                                               int exponent, int64_t *out)
{
    const char *p = s, *end = s + len;
    int neg = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    const char *int_start = p;
    while (p < end && is_digit(*p))
        p++;
    size_t int_len = (size_t)(p - int_start);
    if (int_len == 0)
        return DOPPEL__SECONDS_SYNTAX;
    const char *frac_start = p, *frac_end = p;
    if (p < end && *p == '.') {
        frac_start = ++p;
        while (p < end && is_digit(*p))
            p++;
        frac_end = p;
        if (frac_end == frac_start)
            return DOPPEL__SECONDS_SYNTAX;
    }
    /* Decimal exponent, clamped: beyond +-10^6 the answer no longer
     * depends on its exact value (overflow, or all digits fractional). */
    int64_t exp10 = 0;
    if (exponent && p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p == end || !is_digit(*p))
            return DOPPEL__SECONDS_SYNTAX;
        while (p < end && is_digit(*p)) {
            if (exp10 < 1000000)
                exp10 = exp10 * 10 + (*p - '0');
            p++;
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (p != end)
        return DOPPEL__SECONDS_SYNTAX;

    /* The digits int||frac, with the decimal point after `point` of them. */
    size_t frac_len = (size_t)(frac_end - frac_start);
    size_t ndigits = int_len + frac_len;
    int64_t point = (int64_t)int_len + exp10;
    uint64_t mag = 0;
    int fraction = 0, overflow = 0;
    for (size_t i = 0; i < ndigits; i++) {
        unsigned d = (unsigned)((i < int_len ? int_start[i]
                                             : frac_start[i - int_len]) -
                                '0');
        if ((int64_t)i < point) {
            if (mag > (UINT64_MAX - d) / 10)
                overflow = 1;
            else
                mag = mag * 10 + d;
        } else if (d) {
            fraction = 1;
        }
    }
    for (int64_t i = (int64_t)ndigits; i < point && mag && !overflow; i++) {
        if (mag > UINT64_MAX / 10)
            overflow = 1;
        else
            mag *= 10;
    }
    if (overflow || mag > (uint64_t)INT64_MAX)
        return DOPPEL__SECONDS_RANGE;
    int64_t v = (int64_t)mag;
    if (neg) {
        v = -v;
        if (fraction) {
            if (v == -INT64_MAX)
                return DOPPEL__SECONDS_RANGE; /* would be INT64_MIN */
            v -= 1;
        }
    }
    *out = v;
    return DOPPEL__SECONDS_OK;
}

/* ---------------------------------------------------------------- parsing */

typedef struct cursor {
    const char *p, *end;
} cursor;

typedef struct fields {
    int64_t year;
    unsigned month, day, hour, minute, second;
    int offset_minutes; /* east of UTC */
} fields;

/* Exactly n digits. */
static int take_digits(cursor *c, unsigned n, unsigned *v)
{
    if ((size_t)(c->end - c->p) < n)
        return 0;
    unsigned x = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!is_digit(c->p[i]))
            return 0;
        x = x * 10 + (unsigned)(c->p[i] - '0');
    }
    c->p += n;
    *v = x;
    return 1;
}

/* Between min and max digits; returns the number taken (0 = none). */
static unsigned take_digit_run(cursor *c, unsigned min, unsigned max,
                               unsigned *v)
{
    unsigned n = 0, x = 0;
    while (n < max && c->p + n < c->end && is_digit(c->p[n])) {
        x = x * 10 + (unsigned)(c->p[n] - '0');
        n++;
    }
    if (n < min || (c->p + n < c->end && is_digit(c->p[n])))
        return 0;
    c->p += n;
    *v = x;
    return n;
}

static int take_char(cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static unsigned skip_blanks(cursor *c)
{
    unsigned n = 0;
    while (c->p < c->end && is_blank(*c->p)) {
        c->p++;
        n++;
    }
    return n;
}

static int is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* A run of letters; returns its length. */
static size_t take_word(cursor *c, const char **w)
{
    *w = c->p;
    while (c->p < c->end && is_alpha(*c->p))
        c->p++;
    return (size_t)(c->p - *w);
}

static int word_eq(const char *w, size_t n, const char *name)
{
    size_t i = 0;
    for (; i < n && name[i]; i++)
        if (lower(w[i]) != name[i])
            return 0;
    return i == n && name[i] == '\0';
}

/* Why a recognised date is invalid, or NULL. */
typedef struct verdict {
    char reason[96];
} verdict;

static int fail(verdict *v, const char *reason)
{
    snprintf(v->reason, sizeof v->reason, "%s", reason);
    return 0;
}

static int check_ranges(const fields *f, verdict *v)
{
    if (f->month < 1 || f->month > 12) {
        snprintf(v->reason, sizeof v->reason, "month %u out of range",
                 f->month);
        return 0;
    }
    if (f->day < 1 || f->day > doppel__days_in_month(f->year, f->month)) {
        snprintf(v->reason, sizeof v->reason,
                 "day %u out of range for %04lld-%02u", f->day,
                 (long long)f->year, f->month);
        return 0;
    }
    if (f->hour > 23) {
        snprintf(v->reason, sizeof v->reason, "hour %u out of range",
                 f->hour);
        return 0;
    }
    if (f->minute > 59) {
        snprintf(v->reason, sizeof v->reason, "minute %u out of range",
                 f->minute);
        return 0;
    }
    if (f->second > 60) {
        snprintf(v->reason, sizeof v->reason, "second %u out of range",
                 f->second);
        return 0;
    }
    return 1;
}

static int64_t to_unix(const fields *f)
{
    int64_t days = doppel__days_from_civil(f->year, f->month, f->day);
    return days * 86400 + (int64_t)f->hour * 3600 +
           (int64_t)f->minute * 60 + f->second -
           (int64_t)f->offset_minutes * 60;
}

/* ±hh, ±hhmm or ±hh:mm (ISO) — the sign is already known. */
static int take_iso_offset(cursor *c, int sign, fields *f, verdict *v)
{
    unsigned hh, mm = 0;
    if (!take_digits(c, 2, &hh))
        return fail(v, "bad zone offset");
    if (c->p < c->end) {
        take_char(c, ':');
        if (!take_digits(c, 2, &mm))
            return fail(v, "bad zone offset");
    }
    if (hh > 23 || mm > 59)
        return fail(v, "zone offset out of range");
    f->offset_minutes = sign * (int)(hh * 60 + mm);
    return 1;
}

static int parse_iso(cursor *c, fields *f, verdict *v)
{
    unsigned y, mo, d;
    if (!take_digits(c, 4, &y) || !take_char(c, '-') ||
        !take_digits(c, 2, &mo) || !take_char(c, '-') ||
        !take_digits(c, 2, &d))
        return fail(v, "not ISO 8601, RFC 2822 or Unix seconds");
    f->year = y;
    f->month = mo;
    f->day = d;
    if (c->p == c->end)
        return check_ranges(f, v);
    char sep = *c->p++;
    if (sep != 'T' && sep != 't' && sep != ' ')
        return fail(v, "expected 'T' or a space after the date");
    if (!take_digits(c, 2, &f->hour) || !take_char(c, ':') ||
        !take_digits(c, 2, &f->minute))
        return fail(v, "expected hh:mm after the date");
    if (take_char(c, ':')) {
        if (!take_digits(c, 2, &f->second))
            return fail(v, "expected two digits of seconds");
        if (c->p < c->end && (*c->p == '.' || *c->p == ',')) {
            c->p++;
            const char *s = c->p;
            while (c->p < c->end && is_digit(*c->p))
                c->p++;
            if (c->p == s)
                return fail(v, "expected digits after the decimal point");
        }
    }
    if (c->p < c->end) {
        char z = *c->p++;
        if (z == 'Z' || z == 'z')
            f->offset_minutes = 0;
        else if (z == '+' || z == '-') {
            if (!take_iso_offset(c, z == '-' ? -1 : 1, f, v))
                return 0;
        } else
            return fail(v, "bad zone (expected Z, +hh:mm or -hh:mm)");
    }
    if (c->p != c->end)
        return fail(v, "unexpected characters after the zone");
    return check_ranges(f, v);
}

static const char *const month_names[12] = {"jan", "feb", "mar", "apr",
                                             "may", "jun", "jul", "aug",
                                             "sep", "oct", "nov", "dec"};
static const char *const day_names[7] = {"mon", "tue", "wed", "thu",
                                         "fri", "sat", "sun"};

static const struct {
    const char *name;
    int offset_minutes;
} zone_names[] = {
    {"gmt", 0},        {"ut", 0},         {"utc", 0},
    {"est", -5 * 60},  {"edt", -4 * 60},  {"cst", -6 * 60},
    {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
    {"pst", -8 * 60},  {"pdt", -7 * 60},
};

static int parse_rfc2822(cursor *c, fields *f, verdict *v)
{
    const char *w;
    size_t n;
    if (c->p < c->end && is_alpha(*c->p)) {
        n = take_word(c, &w);
        int known = 0;
        for (int i = 0; i < 7; i++)
            known |= word_eq(w, n, day_names[i]);
        if (!known)
            return fail(v, "not ISO 8601, RFC 2822 or Unix seconds");
        skip_blanks(c);
        if (!take_char(c, ','))
            return fail(v, "expected ',' after the day name");
        skip_blanks(c);
    }
    unsigned day;
    if (!take_digit_run(c, 1, 2, &day))
        return fail(v, "not ISO 8601, RFC 2822 or Unix seconds");
    f->day = day;
    if (!skip_blanks(c)) /* "12." or "1e9": not an attempt at RFC 2822 */
        return fail(v, "not ISO 8601, RFC 2822 or Unix seconds");
    n = take_word(c, &w);
    f->month = 0;
    for (unsigned i = 0; i < 12; i++)
        if (word_eq(w, n, month_names[i]))
            f->month = i + 1;
    if (!f->month) {
        snprintf(v->reason, sizeof v->reason, "unknown month \"%.*s\"",
                 (int)(n > 16 ? 16 : n), w);
        return 0;
    }
    if (!skip_blanks(c))
        return fail(v, "expected a year after the month");
    unsigned y, ny = take_digit_run(c, 2, 4, &y);
    if (!ny)
        return fail(v, "expected a year of 2 to 4 digits");
    if (ny == 2)
        y += y >= 50 ? 1900 : 2000;
    else if (ny == 3)
        y += 1900;
    f->year = y;
    if (!skip_blanks(c))
        return fail(v, "expected hh:mm after the year");
    if (!take_digits(c, 2, &f->hour) || !take_char(c, ':') ||
        !take_digits(c, 2, &f->minute))
        return fail(v, "expected hh:mm after the year");
    if (take_char(c, ':') && !take_digits(c, 2, &f->second))
        return fail(v, "expected two digits of seconds");
    if (c->p < c->end) {
        if (!skip_blanks(c))
            return fail(v, "expected a space before the zone");
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
            int sign = *c->p++ == '-' ? -1 : 1;
            unsigned hhmm;
            if (!take_digits(c, 4, &hhmm))
                return fail(v, "bad zone offset (expected +hhmm or -hhmm)");
            if (hhmm / 100 > 23 || hhmm % 100 > 59)
                return fail(v, "zone offset out of range");
            f->offset_minutes = sign * (int)(hhmm / 100 * 60 + hhmm % 100);
        } else {
            n = take_word(c, &w);
            size_t i, nz = sizeof zone_names / sizeof zone_names[0];
            for (i = 0; i < nz; i++)
                if (word_eq(w, n, zone_names[i].name))
                    break;
            if (n == 0 || i == nz) {
                size_t show = n ? n : (size_t)(c->end - c->p);
                snprintf(v->reason, sizeof v->reason,
                         "unknown time zone \"%.*s\"",
                         (int)(show > 16 ? 16 : show), n ? w : c->p);
                return 0;
            }
            f->offset_minutes = zone_names[i].offset_minutes;
        }
        if (c->p != c->end)
            return fail(v, "unexpected characters after the zone");
    }
    return check_ranges(f, v);
}

/* Whole string is -?[0-9]+(\.[0-9]+)? : Unix seconds. */
static int looks_like_seconds(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return 0;
    while (p < end && is_digit(*p))
        p++;
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p))
            return 0;
    }
    while (p < end && is_digit(*p))
        p++;
    return p == end;
}

/* The input quoted for a message: at most 64 bytes, control bytes as '?'. */
static void quote_input(char *buf, size_t cap, const char *s, size_t len)
{
    size_t show = len > 64 ? 64 : len, j = 0;
    for (size_t i = 0; i < show && j + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[j++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    for (const char *e = len > show ? "..." : ""; *e && j + 1 < cap; e++)
        buf[j++] = *e;
    buf[j] = '\0';
}

DOPPEL_API int doppel_parse_date(const char *s, size_t len, int64_t *seconds,
                                 doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!seconds, err, DOPPEL_ERR_PARAM,
                           "seconds must not be NULL");
    DOPPEL_RETURN_ERROR_IF(!s && len, err, DOPPEL_ERR_PARAM,
                           "date string must not be NULL");
    if (!s)
        s = ""; /* NULL + 0 is undefined behaviour */
    cursor c = {s, s + len};
    while (c.p < c.end && is_blank(*c.p))
        c.p++;
    while (c.end > c.p && is_blank(c.end[-1]))
        c.end--;

    fields f = {0, 0, 0, 0, 0, 0, 0};
    verdict v = {{0}};
    int ok;
    if (c.p == c.end) {
        ok = fail(&v, "empty");
    } else if (looks_like_seconds(c.p, c.end)) {
        int64_t t = 0;
        doppel__seconds_status st =
            doppel__decimal_seconds(c.p, (size_t)(c.end - c.p), 0, &t);
        if (st == DOPPEL__SECONDS_OK) {
            *seconds = t;
            return DOPPEL_OK;
        }
        ok = fail(&v, "Unix seconds out of range");
    } else if (c.end - c.p >= 5 && is_digit(c.p[0]) && is_digit(c.p[1]) &&
               is_digit(c.p[2]) && is_digit(c.p[3]) && c.p[4] == '-') {
        ok = parse_iso(&c, &f, &v);
    } else {
        ok = parse_rfc2822(&c, &f, &v);
    }
    if (ok) {
        *seconds = to_unix(&f);
        return DOPPEL_OK;
    }
    char q[80];
    quote_input(q, sizeof q, s ? s : "", len);
    return doppel__error(err, DOPPEL_ERR_FORMAT, "invalid date \"%s\": %s", q,
                         v.reason);
}
