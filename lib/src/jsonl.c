/*
 * jsonl.c — a strict, fast JSON Lines record parser (RFC 8259 grammar,
 * jsonlines.org framing).
 *
 * The rules for a JSON Lines input, all of them (the first four are applied
 * by the reader's line splitter in reader.c, the rest here):
 *   - Lines end with "\n"; a "\r" before it (CRLF files) is stripped, and so
 *     is a final line without any line ending.
 *   - A UTF-8 byte order mark (EF BB BF) at the start of a file is skipped.
 *   - A blank line (only spaces, tabs and "\r") is skipped and counted.
 *   - A line longer than max_record_bytes (not counting its line ending) is
 *     an error or skipped and counted (skip_oversize).
 *   - Every other line must be exactly one JSON object, validated in full:
 *     nested objects and arrays, numbers, true/false/null, strings with all
 *     escapes, surrounding whitespace, nothing after it. Raw control bytes
 *     (< 0x20) inside strings are errors, as the RFC says; raw bytes >= 0x80
 *     are passed through unchecked, even when they are not valid UTF-8 —
 *     the normaliser downstream replaces invalid sequences. Nesting deeper
 *     than DOPPEL__JSONL_MAX_DEPTH (512) is refused.
 *   - Only top-level keys are fields; a key matches a configured field name
 *     after unescaping ("te\u0078t" is "text"). If a key appears twice, the
 *     last one wins (as in JavaScript and Python), including its type.
 *   - id: a string (unescaped), or a number, whose id is its text as written
 *     ("12", "1.50e3"). Missing or null: the reader makes "<source>:<line>".
 *     Anything else: "field \"id\" must be a string or a number, got array".
 *   - text: must be a string: "missing \"text\" field" (no column: it is a
 *     property of the whole line) or "field \"text\" must be a string, got
 *     number, at column C".
 *   - date: a string parsed with doppel_parse_date() (an unparseable one is
 *     malformed), a number of Unix seconds (exactly, rounded toward -inf;
 *     1.5e9 is fine), or null or missing (DOPPEL_NO_DATE).
 *   - Strings are unescaped into UTF-8: \uXXXX including surrogate pairs; a
 *     lone surrogate (high without low, or low alone) becomes U+FFFD; \u0000
 *     becomes a NUL byte (lengths are explicit everywhere).
 *   - Errors say what and where: "expected ':' after key, at column 12",
 *     1-based byte columns. The reader adds "path:LINE: ".
 *
 * Why it is built this way: it feeds a signer that runs at ~500 MB/s per
 * core, so parsing must cost a fraction of that. A line is validated in one
 * pass; string bodies, which are nearly all the bytes, are scanned eight at
 * a time for the three bytes that matter ('"', '\\', < 0x20) with SWAR
 * arithmetic (no SIMD intrinsics needed, portable C11). Values are not
 * copied while validating: the parser only records where the last id, text
 * and date values lie and whether they contain escapes, and at the end
 * unescapes just those (a value without escapes is returned in place,
 * pointing into the line). Unescape buffers live in the parser and are
 * reused, so the steady state allocates nothing.
 */
#include "jsonl.h"

#include "common.h"
#include "date.h"

#include <stdio.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ utilities */

void doppel__jsonl_init(doppel__jsonl_parser *p, const doppel_allocator *a,
                        const char *id_field, const char *text_field,
                        const char *date_field)
{
    memset(p, 0, sizeof *p);
    p->alloc = a;
    p->field[DOPPEL__JSONL_ID] = id_field ? id_field : "id";
    p->field[DOPPEL__JSONL_TEXT] = text_field ? text_field : "text";
    p->field[DOPPEL__JSONL_DATE] = date_field ? date_field : "date";
    for (int i = 0; i < DOPPEL__JSONL_NFIELDS; i++)
        p->field_len[i] = strlen(p->field[i]);
}

void doppel__jsonl_free(doppel__jsonl_parser *p)
{
    for (int i = 0; i < DOPPEL__JSONL_NFIELDS; i++) {
        doppel__free(p->alloc, p->buf[i]);
        p->buf[i] = NULL;
        p->cap[i] = 0;
    }
    doppel__free(p->alloc, p->key);
    p->key = NULL;
    p->key_cap = 0;
}

/* Grow a byte buffer to at least `need`, by a quarter at a time at least
 * (not doubling: these buffers can be as large as a record, and the
 * reader's memory bound is stated in records). */
static int reserve(const doppel_allocator *a, char **buf, size_t *cap,
                   size_t need)
{
    if (need <= *cap)
        return DOPPEL_OK;
    size_t ncap = *cap + *cap / 4;
    if (ncap < need)
        ncap = need;
    if (ncap < 256)
        ncap = 256;
    char *nb = doppel__realloc_array(a, *buf, ncap, 1);
    if (!nb)
        return DOPPEL_ERR_NOMEM;
    *buf = nb;
    *cap = ncap;
    return DOPPEL_OK;
}

/* ------------------------------------------------------ string scanning */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero iff some byte of x is zero / less than n (n <= 128). The lowest
 * set bit marks the first such byte: borrows only create false positives in
 * more significant bytes (Mycroft's trick). */
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HAS_LESS(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS)

#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_LITTLE_ENDIAN 1
#endif

static int is_special(unsigned char ch)
{
    return ch == '"' || ch == '\\' || ch < 0x20;
}

/* The first '"', '\\' or control byte in [p, end), or end: portable. */
const char *doppel__jsonl_find_special_swar(const char *p, const char *end)
{
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t m = HAS_ZERO(v ^ (ONES * '"')) |
                     HAS_ZERO(v ^ (ONES * '\\')) | HAS_LESS(v, 0x20);
        if (m) {
#ifdef SWAR_LITTLE_ENDIAN
            return p + (__builtin_ctzll(m) >> 3);
#else
            while (!is_special((unsigned char)*p))
                p++;
            return p;
#endif
        }
        p += 8;
    }
    while (p < end && !is_special((unsigned char)*p))
        p++;
    return p;
}

#if defined(__SSE2__) && defined(__GNUC__)
/* The same, sixteen bytes at a time with SSE2 (every x86-64 has it). */
static const char *find_special_sse2(const char *p, const char *end)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                 _mm_cmpeq_epi8(v, backslash));
        /* v <= 0x1f (unsigned) exactly when min(v, 0x1f) == v. */
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(v, control_max), v));
        int mask = _mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
    return doppel__jsonl_find_special_swar(p, end);
}
#define find_special find_special_sse2
#else
#define find_special doppel__jsonl_find_special_swar
#endif

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits, already validated. */
static unsigned hex4(const char *s)
{
    return (unsigned)(hex_value(s[0]) << 12 | hex_value(s[1]) << 8 |
                      hex_value(s[2]) << 4 | hex_value(s[3]));
}

static size_t utf8_put(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Unescape a validated string body into dst (which has room for len
 * bytes: no escape grows when decoded). Returns the length written.
 */
static size_t unescape(char *dst, const char *s, size_t len)
{
    const char *end = s + len;
    char *o = dst;
    while (s < end) {
        const char *bs = memchr(s, '\\', (size_t)(end - s));
        if (!bs) {
            memcpy(o, s, (size_t)(end - s));
            o += end - s;
            break;
        }
        memcpy(o, s, (size_t)(bs - s));
        o += bs - s;
        s = bs + 2;
        switch (bs[1]) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp = hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo = 0;
                if (end - s >= 6 && s[0] == '\\' && s[1] == 'u')
                    lo = hex4(s + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    s += 6;
                } else {
                    cp = 0xFFFD; /* high surrogate without its low half */
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* low surrogate alone */
            }
            o += utf8_put(o, cp);
            break;
        }
        default: /* '"', '\\', '/' stand for themselves */
            *o++ = bs[1];
            break;
        }
    }
    return (size_t)(o - dst);
}

/* --------------------------------------------------------------- parser */

typedef enum json_type {
    JT_NONE = 0, /* field absent */
    JT_STRING,
    JT_NUMBER,
    JT_OBJECT,
    JT_ARRAY,
    JT_BOOLEAN,
    JT_NULL
} json_type;

static const char *type_name(json_type t)
{
    switch (t) {
    case JT_STRING: return "string";
    case JT_NUMBER: return "number";
    case JT_OBJECT: return "object";
    case JT_ARRAY: return "array";
    case JT_BOOLEAN: return "boolean";
    case JT_NULL: return "null";
    default: return "nothing";
    }
}

/* Where a value lies. For a string, [body, body + len) is between the
 * quotes; for other types it is the value's text. */
typedef struct span {
    json_type type;
    const char *at; /* first byte of the value (the quote for a string) */
    const char *body;
    size_t len;
    int escaped; /* a string containing backslashes */
} span;

typedef struct ctx {
    doppel__jsonl_parser *p;
    const char *base, *cur, *end;
    doppel_error *err;
    span field[DOPPEL__JSONL_NFIELDS];
} ctx;

static int error_at(ctx *c, const char *at, const char *fmt, ...)
    DOPPEL_PRINTF(3, 4);

static int error_at(ctx *c, const char *at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return doppel__error(c->err, DOPPEL_ERR_FORMAT, "%s, at column %zu", msg,
                         (size_t)(at - c->base) + 1);
}

static void skip_ws(ctx *c)
{
    const char *p = c->cur, *end = c->end;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    c->cur = p;
}

static int unexpected_end(ctx *c)
{
    return error_at(c, c->end, "unexpected end of line");
}

/* c->cur is at the opening quote; on success it is after the closing one. */
static int scan_string(ctx *c, span *s)
{
    const char *open = c->cur, *p = open + 1, *end = c->end;
    int escaped = 0;
    for (;;) {
        p = find_special(p, end);
        if (DOPPEL_UNLIKELY(p == end))
            return error_at(c, open, "unterminated string");
        unsigned char ch = (unsigned char)*p;
        if (DOPPEL_LIKELY(ch == '"'))
            break;
        if (ch == '\\') {
            escaped = 1;
            if (end - p < 2)
                return error_at(c, open, "unterminated string");
            char e = p[1];
            if (e == 'u') {
                if (end - p < 6 || hex_value(p[2]) < 0 ||
                    hex_value(p[3]) < 0 || hex_value(p[4]) < 0 ||
                    hex_value(p[5]) < 0)
                    return error_at(c, p,
                                    "invalid \\u escape (expected four hex "
                                    "digits)");
                p += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' ||
                       e == 'f' || e == 'n' || e == 'r' || e == 't') {
                p += 2;
            } else if ((unsigned char)e >= 0x21 && (unsigned char)e < 0x7f) {
                return error_at(c, p, "invalid escape '\\%c'", e);
            } else {
                return error_at(c, p, "invalid escape: '\\' then byte 0x%02x",
                                (unsigned)(unsigned char)e);
            }
            continue;
        }
        return error_at(c, p, "unescaped control character 0x%02x in string",
                        (unsigned)ch);
    }
    s->type = JT_STRING;
    s->at = open;
    s->body = open + 1;
    s->len = (size_t)(p - open - 1);
    s->escaped = escaped;
    c->cur = p + 1;
    return DOPPEL_OK;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(ctx *c, span *s)
{
    const char *start = c->cur, *p = start, *end = c->end;
    if (*p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return error_at(c, start, "invalid number");
    if (*p == '0') {
        p++;
    } else {
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p))
            return error_at(c, start, "invalid number");
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return error_at(c, start, "invalid number");
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (is_digit(*p) || *p == '.'))
        return error_at(c, start, "invalid number");
    s->type = JT_NUMBER;
    s->at = s->body = start;
    s->len = (size_t)(p - start);
    s->escaped = 0;
    c->cur = p;
    return DOPPEL_OK;
}

static int scan_literal(ctx *c, span *s, const char *word, size_t n,
                        json_type t)
{
    if ((size_t)(c->end - c->cur) < n || memcmp(c->cur, word, n) != 0)
        return error_at(c, c->cur, "invalid literal (expected %s)", word);
    s->type = t;
    s->at = s->body = c->cur;
    s->len = n;
    s->escaped = 0;
    c->cur += n;
    return DOPPEL_OK;
}

static int scan_value(ctx *c, span *s, unsigned depth);

/* c->cur is at '{' or '['. Nested containers: validated, nothing kept. */
static int scan_container(ctx *c, span *s, unsigned depth)
{
    const char *open = c->cur;
    int object = *open == '{';
    char close = object ? '}' : ']';
    if (depth >= DOPPEL__JSONL_MAX_DEPTH)
        return error_at(c, open, "nesting deeper than %d levels",
                        DOPPEL__JSONL_MAX_DEPTH);
    c->cur++;
    skip_ws(c);
    if (c->cur < c->end && *c->cur == close) {
        c->cur++;
    } else {
        for (;;) {
            span v;
            if (object) {
                if (c->cur == c->end)
                    return unexpected_end(c);
                if (*c->cur != '"')
                    return error_at(c, c->cur, "expected a string key");
                DOPPEL_FORWARD_IF_ERROR(scan_string(c, &v));
                skip_ws(c);
                if (c->cur == c->end)
                    return unexpected_end(c);
                if (*c->cur != ':')
                    return error_at(c, c->cur, "expected ':' after key");
                c->cur++;
                skip_ws(c);
            }
            DOPPEL_FORWARD_IF_ERROR(scan_value(c, &v, depth + 1));
            skip_ws(c);
            if (c->cur == c->end)
                return unexpected_end(c);
            if (*c->cur == close) {
                c->cur++;
                break;
            }
            if (*c->cur != ',')
                return error_at(c, c->cur, "expected ',' or '%c' after value",
                                close);
            c->cur++;
            skip_ws(c);
        }
    }
    s->type = object ? JT_OBJECT : JT_ARRAY;
    s->at = s->body = open;
    s->len = (size_t)(c->cur - open);
    s->escaped = 0;
    return DOPPEL_OK;
}

static int scan_value(ctx *c, span *s, unsigned depth)
{
    if (c->cur == c->end)
        return unexpected_end(c);
    switch (*c->cur) {
    case '"': return scan_string(c, s);
    case '{':
    case '[': return scan_container(c, s, depth);
    case 't': return scan_literal(c, s, "true", 4, JT_BOOLEAN);
    case 'f': return scan_literal(c, s, "false", 5, JT_BOOLEAN);
    case 'n': return scan_literal(c, s, "null", 4, JT_NULL);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return scan_number(c, s);
    default: return error_at(c, c->cur, "expected a value");
    }
}

/* Which configured fields a top-level key names: a bit per field. */
static int match_key(ctx *c, const span *key, unsigned *which)
{
    doppel__jsonl_parser *p = c->p;
    const char *k = key->body;
    size_t n = key->len;
    if (DOPPEL_UNLIKELY(key->escaped)) {
        if (reserve(p->alloc, &p->key, &p->key_cap, n) != DOPPEL_OK)
            return DOPPEL_NOMEM(c->err);
        n = unescape(p->key, k, n);
        k = p->key;
    }
    unsigned w = 0;
    for (int i = 0; i < DOPPEL__JSONL_NFIELDS; i++)
        if (n == p->field_len[i] && memcmp(k, p->field[i], n) == 0)
            w |= 1u << i;
    *which = w;
    return DOPPEL_OK;
}

/* The top-level object, keeping the spans of the configured fields. */
static int scan_record(ctx *c)
{
    skip_ws(c);
    if (c->cur == c->end)
        return unexpected_end(c);
    if (*c->cur != '{') {
        span v;
        const char *at = c->cur;
        /* Name what it is when it is a value, for a clearer message. */
        doppel_error *saved = c->err;
        c->err = NULL;
        int rc = scan_value(c, &v, 1);
        c->err = saved;
        if (rc == DOPPEL_OK)
            return error_at(c, at, "expected a JSON object, got %s",
                            type_name(v.type));
        return error_at(c, at, "expected a JSON object");
    }
    c->cur++;
    skip_ws(c);
    if (c->cur < c->end && *c->cur == '}') {
        c->cur++;
    } else {
        for (;;) {
            span key, v;
            if (c->cur == c->end)
                return unexpected_end(c);
            if (*c->cur != '"')
                return error_at(c, c->cur, "expected a string key");
            DOPPEL_FORWARD_IF_ERROR(scan_string(c, &key));
            skip_ws(c);
            if (c->cur == c->end)
                return unexpected_end(c);
            if (*c->cur != ':')
                return error_at(c, c->cur, "expected ':' after key");
            c->cur++;
            skip_ws(c);
            DOPPEL_FORWARD_IF_ERROR(scan_value(c, &v, 1));
            unsigned which = 0;
            DOPPEL_FORWARD_IF_ERROR(match_key(c, &key, &which));
            for (int i = 0; which; i++, which >>= 1)
                if (which & 1)
                    c->field[i] = v;
            skip_ws(c);
            if (c->cur == c->end)
                return unexpected_end(c);
            if (*c->cur == '}') {
                c->cur++;
                break;
            }
            if (*c->cur != ',')
                return error_at(c, c->cur, "expected ',' or '}' after value");
            c->cur++;
            skip_ws(c);
        }
    }
    skip_ws(c);
    if (c->cur != c->end)
        return error_at(c, c->cur, "unexpected characters after the object");
    return DOPPEL_OK;
}

/* A string field's value, unescaped when it must be. */
static int string_value(ctx *c, int field, const span *s, const char **out,
                        size_t *len)
{
    doppel__jsonl_parser *p = c->p;
    if (!s->escaped) {
        *out = s->body;
        *len = s->len;
        return DOPPEL_OK;
    }
    if (reserve(p->alloc, &p->buf[field], &p->cap[field], s->len) !=
        DOPPEL_OK)
        return DOPPEL_NOMEM(c->err);
    *len = unescape(p->buf[field], s->body, s->len);
    *out = p->buf[field];
    return DOPPEL_OK;
}

int doppel__jsonl_parse(doppel__jsonl_parser *p, const char *line,
                        size_t len, doppel__jsonl_record *out,
                        doppel_error *err)
{
    ctx c;
    memset(c.field, 0, sizeof c.field);
    c.p = p;
    c.base = c.cur = line;
    c.end = line + len;
    c.err = err;
    DOPPEL_FORWARD_IF_ERROR(scan_record(&c));

    const char *const *name = p->field;
    const span *id = &c.field[DOPPEL__JSONL_ID];
    const span *text = &c.field[DOPPEL__JSONL_TEXT];
    const span *date = &c.field[DOPPEL__JSONL_DATE];

    /* Type checks first, in field order, before any unescaping. */
    if (id->type != JT_NONE && id->type != JT_STRING &&
        id->type != JT_NUMBER && id->type != JT_NULL)
        return error_at(&c, id->at,
                        "field \"%s\" must be a string or a number, got %s",
                        name[DOPPEL__JSONL_ID], type_name(id->type));
    if (text->type == JT_NONE)
        return doppel__error(err, DOPPEL_ERR_FORMAT, "missing \"%s\" field",
                             name[DOPPEL__JSONL_TEXT]);
    if (text->type != JT_STRING)
        return error_at(&c, text->at, "field \"%s\" must be a string, got %s",
                        name[DOPPEL__JSONL_TEXT], type_name(text->type));
    if (date->type != JT_NONE && date->type != JT_STRING &&
        date->type != JT_NUMBER && date->type != JT_NULL)
        return error_at(&c, date->at,
                        "field \"%s\" must be a string, a number or null, "
                        "got %s",
                        name[DOPPEL__JSONL_DATE], type_name(date->type));

    out->date = DOPPEL_NO_DATE;
    if (date->type == JT_STRING) {
        const char *s;
        size_t n;
        DOPPEL_FORWARD_IF_ERROR(string_value(&c, DOPPEL__JSONL_DATE, date,
                                             &s, &n));
        doppel_error derr = {0, {0}};
        if (doppel_parse_date(s, n, &out->date, &derr) != DOPPEL_OK)
            return error_at(&c, date->at, "field \"%s\": %.200s",
                            name[DOPPEL__JSONL_DATE], derr.message);
    } else if (date->type == JT_NUMBER) {
        if (doppel__decimal_seconds(date->body, date->len, 1, &out->date) !=
            DOPPEL__SECONDS_OK)
            return error_at(&c, date->at,
                            "field \"%s\": %.*s Unix seconds out of range",
                            name[DOPPEL__JSONL_DATE],
                            (int)(date->len > 40 ? 40 : date->len),
                            date->body);
    }

    out->id = NULL;
    out->id_len = 0;
    if (id->type == JT_STRING) {
        DOPPEL_FORWARD_IF_ERROR(string_value(&c, DOPPEL__JSONL_ID, id,
                                             &out->id, &out->id_len));
    } else if (id->type == JT_NUMBER) {
        out->id = id->body;
        out->id_len = id->len;
    }
    return string_value(&c, DOPPEL__JSONL_TEXT, text, &out->text,
                        &out->text_len);
}
