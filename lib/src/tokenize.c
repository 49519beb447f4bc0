/*
 * tokenize.c — normalisation and word splitting, fused into one pass over
 * the bytes because this is the hottest loop of the library: every byte of
 * every article passes through it once.
 *
 * ASCII goes through a 128-entry table (class + lower case); anything else
 * is decoded (invalid sequences become U+FFFD, one byte at a time, so the
 * loop always advances and never reads past the end) and looked up in the
 * generated Unicode table (unicode.h), which also folds case for every
 * script, strips Latin and Greek diacritics and folds typographic
 * punctuation. The output is the folded words joined by single spaces plus
 * the (start, length) of each word, so that word hashing and character
 * n-grams both read one compact buffer.
 */
#include "tokenize.h"
#include "unicode.h"

#include <string.h>

/* ASCII: class in the high bits, folded byte in the low 8. */
#define A_CLS(e) ((e) >> 8)
#define A_CHR(e) ((unsigned char)((e) & 0xFF))
#define L(c) ((uint16_t)((DOPPEL__UC_LETTER << 8) | (c)))
#define S ((uint16_t)(DOPPEL__UC_SPACE << 8) | ' ')
#define O(c) ((uint16_t)((DOPPEL__UC_OTHER << 8) | (c)))

static const uint16_t ascii_table[128] = {
    O(0),    O(1),    O(2),    O(3),    O(4),    O(5),    O(6),    O(7),
    O(8),    S,       S,       S,       S,       S,       O(14),   O(15),
    O(16),   O(17),   O(18),   O(19),   O(20),   O(21),   O(22),   O(23),
    O(24),   O(25),   O(26),   O(27),   O(28),   O(29),   O(30),   O(31),
    S,       O('!'),  O('"'),  O('#'),  O('$'),  O('%'),  O('&'),
    (uint16_t)((DOPPEL__UC_APOS << 8) | '\''),
    O('('),  O(')'),  O('*'),  O('+'),  O(','),  O('-'),  O('.'),  O('/'),
    L('0'),  L('1'),  L('2'),  L('3'),  L('4'),  L('5'),  L('6'),  L('7'),
    L('8'),  L('9'),  O(':'),  O(';'),  O('<'),  O('='),  O('>'),  O('?'),
    O('@'),  L('a'),  L('b'),  L('c'),  L('d'),  L('e'),  L('f'),  L('g'),
    L('h'),  L('i'),  L('j'),  L('k'),  L('l'),  L('m'),  L('n'),  L('o'),
    L('p'),  L('q'),  L('r'),  L('s'),  L('t'),  L('u'),  L('v'),  L('w'),
    L('x'),  L('y'),  L('z'),  O('['),  O('\\'), O(']'),  O('^'),  O('_'),
    (uint16_t)((DOPPEL__UC_APOS << 8) | '\''),
    L('a'),  L('b'),  L('c'),  L('d'),  L('e'),  L('f'),  L('g'),
    L('h'),  L('i'),  L('j'),  L('k'),  L('l'),  L('m'),  L('n'),  L('o'),
    L('p'),  L('q'),  L('r'),  L('s'),  L('t'),  L('u'),  L('v'),  L('w'),
    L('x'),  L('y'),  L('z'),  O('{'),  O('|'),  O('}'),  O('~'),  O(127),
};

#undef L
#undef S
#undef O

/* Read one code point at s[i]: its folded value and class; returns the
 * number of bytes consumed. */
static inline size_t next_cp(const unsigned char *s, size_t n, size_t i,
                             uint32_t *cp, int *cls)
{
    unsigned c = s[i];
    if (c < 0x80) {
        uint16_t e = ascii_table[c];
        *cp = A_CHR(e);
        *cls = A_CLS(e);
        return 1;
    }
    uint32_t raw;
    size_t l = doppel__utf8_decode(s + i, n - i, &raw);
    *cp = doppel__uc_fold(raw, cls);
    return l;
}

static int reserve(doppel__tokens *t, size_t text_need, size_t words_need,
                   const doppel_allocator *a)
{
    if (doppel__grow(a, (void **)&t->text, &t->text_cap, text_need, 1) < 0)
        return DOPPEL_ERR_NOMEM;
    if (words_need > t->cap) {
        size_t cap = t->cap;
        void *st = t->start;
        if (doppel__grow(a, &st, &cap, words_need, sizeof(uint32_t)) < 0)
            return DOPPEL_ERR_NOMEM;
        t->start = st;
        void *ln = t->len;
        size_t cap2 = t->cap;
        if (doppel__grow(a, &ln, &cap2, words_need, sizeof(uint32_t)) < 0)
            return DOPPEL_ERR_NOMEM;
        t->len = ln;
        t->cap = cap < cap2 ? cap : cap2;
    }
    return DOPPEL_OK;
}

int doppel__tokenize(const char *str, size_t n, doppel__tokens *t,
                     const doppel_allocator *a)
{
    const unsigned char *s = (const unsigned char *)str;
    t->n = 0;
    t->text_len = 0;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    /* A folded code point takes at most 1.5x the bytes of its encoding
     * (2-byte -> 3-byte), plus one space per word: 2n + 8 always suffices.
     * At most one word starts per input byte. */
    if (reserve(t, 2 * n + 8, n / 2 + 2, a) < 0)
        return DOPPEL_ERR_NOMEM;

    unsigned char *out = t->text;
    size_t p = 0, nw = 0, i = 0;
    int in_word = 0, apos = 0;
    size_t wstart = 0;

    while (i < n) {
        /* Fast path: a run of ASCII letters and digits inside a word. */
        if (in_word && !apos) {
            while (i < n && s[i] < 0x80) {
                uint16_t e = ascii_table[s[i]];
                if (A_CLS(e) != DOPPEL__UC_LETTER)
                    break;
                out[p++] = A_CHR(e);
                i++;
            }
            if (i >= n)
                break;
        }
        uint32_t cp;
        int cls;
        i += next_cp(s, n, i, &cp, &cls);
        switch (cls) {
        case DOPPEL__UC_LETTER:
            if (!in_word) {
                if (nw > 0)
                    out[p++] = ' ';
                wstart = p;
                in_word = 1;
            } else if (apos) {
                out[p++] = '\'';
            }
            apos = 0;
            p += doppel__utf8_encode(cp, out + p);
            break;
        case DOPPEL__UC_APOS:
            if (in_word && !apos) {
                apos = 1;
                break;
            }
            goto end_word;
        case DOPPEL__UC_IGNORE:
            break;
        case DOPPEL__UC_IDEO:
            if (in_word) {
                t->start[nw] = (uint32_t)wstart;
                t->len[nw++] = (uint32_t)(p - wstart);
            }
            if (nw > 0)
                out[p++] = ' ';
            wstart = p;
            p += doppel__utf8_encode(cp, out + p);
            t->start[nw] = (uint32_t)wstart;
            t->len[nw++] = (uint32_t)(p - wstart);
            in_word = 0;
            apos = 0;
            break;
        default:
        end_word:
            if (in_word) {
                t->start[nw] = (uint32_t)wstart;
                t->len[nw++] = (uint32_t)(p - wstart);
                in_word = 0;
            }
            apos = 0;
            break;
        }
        /* Grow the word arrays if a pathological input (e.g. CJK) has more
         * words than the estimate; text space is already sufficient. */
        if (nw + 2 > t->cap) {
            size_t keep_len = p;
            t->text_len = keep_len;
            t->n = nw;
            if (reserve(t, 2 * n + 8, nw + 2 + (n - i), a) < 0)
                return DOPPEL_ERR_NOMEM;
            out = t->text;
        }
    }
    if (in_word) {
        t->start[nw] = (uint32_t)wstart;
        t->len[nw++] = (uint32_t)(p - wstart);
    }
    t->n = nw;
    t->text_len = p;
    return DOPPEL_OK;
}

void doppel__tokens_free(doppel__tokens *t, const doppel_allocator *a)
{
    doppel__free(a, t->text);
    doppel__free(a, t->start);
    doppel__free(a, t->len);
    memset(t, 0, sizeof *t);
}

int doppel__normalize(const char *str, size_t n, char **outp, size_t *out_len,
                      const doppel_allocator *a)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    unsigned char *out = doppel__malloc(a, 2 * n + 8);
    if (!out)
        return DOPPEL_ERR_NOMEM;
    size_t p = 0, i = 0;
    int pending_space = 0;
    while (i < n) {
        uint32_t cp;
        int cls;
        i += next_cp(s, n, i, &cp, &cls);
        if (cls == DOPPEL__UC_IGNORE)
            continue;
        if (cls == DOPPEL__UC_SPACE) {
            pending_space = p > 0;
            continue;
        }
        if (pending_space) {
            out[p++] = ' ';
            pending_space = 0;
        }
        p += doppel__utf8_encode(cp, out + p);
    }
    out[p] = '\0';
    *outp = (char *)out;
    *out_len = p;
    return DOPPEL_OK;
}
