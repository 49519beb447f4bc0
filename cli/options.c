/*
 * options.c — the table-driven option parser and the value parsers (see
 * options.h for the syntax). Values are checked strictly: a number must be
 * all digits (no "12abc", no "0x10", no leading '-' for an unsigned), so
 * that a typo is a usage error rather than a silently different run.
 */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, CLI_MSG_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

static const cli_option *find_long(const cli_option *opts, size_t nopts,
                                   const char *name, size_t len)
{
    for (size_t i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len &&
            memcmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

static const cli_option *find_short(const cli_option *opts, size_t nopts,
                                    char c)
{
    for (size_t i = 0; i < nopts; i++)
        if (opts[i].short_name && opts[i].short_name == c)
            return &opts[i];
    return NULL;
}

/* "--name" or "-x", for messages. */
static const char *spelled(const cli_option *opt, int as_short, char *buf,
                           size_t cap)
{
    if (as_short)
        snprintf(buf, cap, "-%c", opt->short_name);
    else
        snprintf(buf, cap, "--%s", opt->name);
    return buf;
}

int cli_parse(const cli_option *opts, size_t nopts, int argc,
              char *const *argv, void *cfg, const char **operands,
              size_t *noperands, char *msg)
{
    size_t nops = 0;
    int only_operands = 0;
    char name[64];
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            operands[nops++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (arg[1] == '-') {
            const char *body = arg + 2;
            const char *eq = strchr(body, '=');
            size_t len = eq ? (size_t)(eq - body) : strlen(body);
            const cli_option *o = find_long(opts, nopts, body, len);
            if (!o)
                return fail(msg, "unknown option '--%.*s'", (int)len, body);
            const char *value = NULL;
            if (o->takes_value) {
                if (eq)
                    value = eq + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else
                    return fail(msg, "option '--%s' requires a value (%s)",
                                o->name, o->metavar ? o->metavar : "VALUE");
            } else if (eq) {
                return fail(msg, "option '--%s' does not take a value",
                            o->name);
            }
            if (o->apply(cfg, o, value, msg) < 0)
                return -1;
            continue;
        }
        /* One or more short options: flags may be grouped; an option that
         * takes a value takes the rest of the argument or the next one. */
        for (const char *p = arg + 1; *p; p++) {
            const cli_option *o = find_short(opts, nopts, *p);
            if (!o)
                return fail(msg, "unknown option '-%c'", *p);
            const char *value = NULL;
            if (o->takes_value) {
                if (p[1])
                    value = p + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else
                    return fail(msg, "option '%s' requires a value (%s)",
                                spelled(o, 1, name, sizeof name),
                                o->metavar ? o->metavar : "VALUE");
            }
            if (o->apply(cfg, o, value, msg) < 0)
                return -1;
            if (value)
                break;
        }
    }
    *noperands = nops;
    return 0;
}

void cli_print_option_help(FILE *out, const cli_option *opts, size_t nopts)
{
    for (size_t i = 0; i < nopts; i++) {
        const cli_option *o = &opts[i];
        if (!o->help)
            continue;
        char left[64];
        int n = 0;
        if (o->short_name)
            n = snprintf(left, sizeof left, "  -%c, --%s", o->short_name,
                         o->name);
        else
            n = snprintf(left, sizeof left, "      --%s", o->name);
        if (o->takes_value && n > 0 && (size_t)n < sizeof left)
            snprintf(left + n, sizeof left - (size_t)n, " %s",
                     o->metavar ? o->metavar : "VALUE");
        fprintf(out, "%-26s %s\n", left, o->help);
    }
}

/* Message for a bad value: "invalid value 'x' for --name: expected ...". */
static int bad_value(const cli_option *opt, const char *s, char *msg,
                     const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return fail(msg, "invalid value '%.100s' for --%s: expected %s", s,
                opt->name, what);
}

/* Digits only, into *v; 0 on success, -1 if not all digits or overflow. */
static int digits(const char *s, size_t len, uint64_t *v)
{
    if (len == 0)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

int cli_parse_uint(const cli_option *opt, const char *s, uint64_t min,
                   uint64_t max, uint64_t *out, char *msg)
{
    uint64_t v;
    if (digits(s, strlen(s), &v) < 0 || v < min || v > max)
        return bad_value(opt, s, msg, "an integer in [%llu, %llu]",
                         (unsigned long long)min, (unsigned long long)max);
    *out = v;
    return 0;
}

int cli_parse_double_open_closed(const cli_option *opt, const char *s,
                                 double min, double max, double *out,
                                 char *msg)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* strtod accepts leading space, hex, inf and nan: refuse them all. */
    int plain = s[0] != '\0' && strspn(s, "0123456789.eE+-") == strlen(s);
    if (!plain || *end != '\0' || errno != 0 || !isfinite(v) ||
        !(v > min && v <= max))
        return bad_value(opt, s, msg, "a number in (%g, %g]", min, max);
    *out = v;
    return 0;
}

int cli_parse_size(const cli_option *opt, const char *s, uint64_t *out,
                   char *msg)
{
    size_t len = strlen(s);
    uint64_t mult = 1;
    if (len > 0) {
        switch (s[len - 1]) {
        case 'k': case 'K': mult = 1024; break;
        case 'm': case 'M': mult = 1024 * 1024; break;
        case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
        default: break;
        }
    }
    if (mult != 1)
        len--;
    uint64_t v;
    if (digits(s, len, &v) < 0 || v == 0 || v > UINT64_MAX / mult)
        return bad_value(opt, s, msg,
                         "a positive number of bytes, optionally with a "
                         "suffix K, M or G (powers of 1024)");
    *out = v * mult;
    return 0;
}

int cli_parse_choice(const cli_option *opt, const char *s,
                     const char *const *choices, int *out, char *msg)
{
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; choices[i] && used < sizeof list; i++) {
        const char *sep = i == 0 ? "" : choices[i + 1] ? ", " : " or ";
        int n = snprintf(list + used, sizeof list - used, "%s%s", sep,
                         choices[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return bad_value(opt, s, msg, "%s", list);
}
