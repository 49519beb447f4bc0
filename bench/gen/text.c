/*
 * text.c — words, paragraphs and sentences over UTF-8 byte spans (see
 * text.h for the definitions). Deliberately simple heuristics: news text
 * from the BBC and Wikinews separates paragraphs with blank lines and does
 * not abbreviate "Mr." with a dot, so a capital after ". " is a good enough
 * sentence start; a mistake only moves a boundary, it never loses a byte.
 */
#include "text.h"

#include <stdlib.h>

void bg_spans_free(bg_spans *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

int bg_spans_push(bg_spans *s, size_t start, size_t end)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        bg_span *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].start = start;
    s->v[s->n].end = end;
    s->n++;
    return 0;
}

uint32_t bg_utf8_decode(const char *str, size_t len, size_t i, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[i];
    *n = 1;
    if (c < 0x80)
        return c;
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return 0xFFFD;
    }
    for (size_t k = 1; k <= need; k++) {
        if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    /* reject overlong and surrogate forms */
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
        || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0xFFFD;
    *n = need + 1;
    return cp;
}

int bg_is_word_cp(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
               || (c >= '0' && c <= '9');
    if (c == 0xD7 || c == 0xF7 || c == 0xFFFD)
        return 0;
    if (c >= 0xC0 && c < 0x2000)
        return 1; /* Latin-1 letters, Latin Extended, Greek, Cyrillic, ... */
    if (c >= 0x3040 && c < 0xFE00)
        return 1; /* CJK and other scripts (no spaces, but letters) */
    return 0;     /* C1, Latin-1 symbols, general punctuation, symbols */
}

/* Is s[i] an internal connector (' ’ -) followed by a word character? */
static size_t connector_len(const char *s, size_t len, size_t i)
{
    size_t n = 0;
    if (s[i] == '\'' || s[i] == '-')
        n = 1;
    else if (i + 2 < len && (unsigned char)s[i] == 0xE2
             && (unsigned char)s[i + 1] == 0x80
             && (unsigned char)s[i + 2] == 0x99)
        n = 3; /* U+2019 RIGHT SINGLE QUOTATION MARK */
    if (n == 0 || i + n >= len)
        return 0;
    size_t k;
    if (!bg_is_word_cp(bg_utf8_decode(s, len, i + n, &k)))
        return 0;
    return n;
}

size_t bg_word_end(const char *s, size_t len, size_t i)
{
    size_t k;
    if (i >= len || !bg_is_word_cp(bg_utf8_decode(s, len, i, &k)))
        return i;
    size_t j = i + k;
    while (j < len) {
        if (bg_is_word_cp(bg_utf8_decode(s, len, j, &k))) {
            j += k;
            continue;
        }
        size_t c = connector_len(s, len, j);
        if (c == 0)
            break;
        j += c;
    }
    return j;
}

int bg_split_words(const char *s, size_t len, bg_spans *out)
{
    size_t i = 0, k;
    while (i < len) {
        size_t e = bg_word_end(s, len, i);
        if (e > i) {
            if (bg_spans_push(out, i, e) < 0)
                return -1;
            i = e;
        } else {
            bg_utf8_decode(s, len, i, &k);
            i += k;
        }
    }
    return 0;
}

/* Skip whitespace; report whether it held a blank line (two newlines). */
static size_t skip_space(const char *s, size_t len, size_t i, int *blank)
{
    int nl = 0;
    *blank = 0;
    while (i < len && bg_is_space(s[i])) {
        if (s[i] == '\n' && ++nl >= 2)
            *blank = 1;
        i++;
    }
    return i;
}

int bg_split_paragraphs(const char *s, size_t len, bg_spans *out)
{
    size_t i = 0;
    int blank;
    i = skip_space(s, len, i, &blank);
    while (i < len) {
        size_t start = i, end = i;
        for (;;) {
            while (i < len && !bg_is_space(s[i]))
                i++;
            end = i;
            if (i >= len)
                break;
            size_t j = skip_space(s, len, i, &blank);
            if (blank || j >= len) {
                i = j;
                break;
            }
            i = j;
        }
        if (end > start && bg_spans_push(out, start, end) < 0)
            return -1;
    }
    return 0;
}

/* Closing punctuation that may follow a sentence's full stop. */
static size_t closer_len(const char *s, size_t end, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']')
        return 1;
    if (c == 0xE2 && i + 2 < end && (unsigned char)s[i + 1] == 0x80
        && ((unsigned char)s[i + 2] == 0x9D || (unsigned char)s[i + 2] == 0x99))
        return 3; /* ” ’ */
    return 0;
}

/* Could a sentence start at s[i]? */
static int sentence_starter(const char *s, size_t end, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"'
        || c == '\'' || c == '(' || c == '[')
        return 1;
    if (c >= 0x80) {
        size_t k;
        uint32_t cp = bg_utf8_decode(s, end, i, &k);
        /* “ ‘ or an upper-case-ish non-ASCII letter */
        return cp == 0x201C || cp == 0x2018 || (cp >= 0xC0 && cp <= 0xDE);
    }
    return 0;
}

int bg_split_sentences(const char *s, size_t start, size_t end, bg_spans *out)
{
    size_t i = start;
    while (i < end && bg_is_space(s[i]))
        i++;
    size_t sent = i;
    while (i < end) {
        char c = s[i];
        if (c == '\n') {
            size_t e = i;
            while (e > sent && bg_is_space(s[e - 1]))
                e--;
            if (e > sent && bg_spans_push(out, sent, e) < 0)
                return -1;
            while (i < end && bg_is_space(s[i]))
                i++;
            sent = i;
            continue;
        }
        if (c == '.' || c == '!' || c == '?') {
            size_t j = i + 1;
            while (j < end && (s[j] == '.' || s[j] == '!' || s[j] == '?'))
                j++;
            size_t k;
            while (j < end && (k = closer_len(s, end, j)) > 0)
                j += k;
            size_t e = j;
            if (j < end && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n')) {
                size_t n = j;
                while (n < end && bg_is_space(s[n]))
                    n++;
                if (n < end && sentence_starter(s, end, n)) {
                    if (bg_spans_push(out, sent, e) < 0)
                        return -1;
                    sent = i = n;
                    continue;
                }
            }
            i = j;
            continue;
        }
        i++;
    }
    size_t e = end;
    while (e > sent && bg_is_space(s[e - 1]))
        e--;
    if (e > sent && bg_spans_push(out, sent, e) < 0)
        return -1;
    return 0;
}
