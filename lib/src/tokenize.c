/*
 * tokenize.c — normalisation and word splitting, fused into one pass over
 * the bytes because this is the hottest loop of the library: every byte of
 * every article passes through it once.
 *
 * ASCII goes through a 128-entry table (class, flags, lower case); anything
 * else is decoded (invalid sequences become U+FFFD, one byte at a time, so
 * the loop always advances and never reads past the end) and looked up in
 * the generated Unicode table (unicode.h), which also folds case for every
 * script, strips Latin and Greek diacritics and folds typographic
 * punctuation. The output is the folded words joined by single spaces plus,
 * per word, its (start, length) and flags: whether it was capitalised or
 * holds a digit (names and numbers, which spinners leave alone) and whether
 * it starts a line or a paragraph (layout, which tells the lede from a
 * header).
 */
#include "tokenize.h"
#include "unicode.h"

#include <string.h>

/* ASCII: class byte (class | flags) in the high 8 bits, folded byte low. */
#define A_CLS(e) ((int)((e) >> 8))
#define A_CHR(e) ((unsigned char)((e) & 0xFF))
#define L(c) ((uint16_t)((DOPPEL__UC_LETTER << 8) | (c)))
#define U(c) ((uint16_t)(((DOPPEL__UC_LETTER | DOPPEL__UC_UPPER) << 8) | (c)))
#define D(c) ((uint16_t)(((DOPPEL__UC_LETTER | DOPPEL__UC_NUMERIC) << 8) | (c)))
#define S ((uint16_t)(DOPPEL__UC_SPACE << 8) | ' ')
#define O(c) ((uint16_t)((DOPPEL__UC_OTHER << 8) | (c)))
#define AP ((uint16_t)((DOPPEL__UC_APOS << 8) | '\''))

static const uint16_t ascii_table[128] = {
    O(0),   O(1),   O(2),   O(3),    O(4),   O(5),   O(6),   O(7),
    O(8),   S,      S,      S,       S,      S,      O(14),  O(15),
    O(16),  O(17),  O(18),  O(19),   O(20),  O(21),  O(22),  O(23),
    O(24),  O(25),  O(26),  O(27),   O(28),  O(29),  O(30),  O(31),
    S,      O('!'), O('"'), O('#'),  O('$'), O('%'), O('&'), AP,
    O('('), O(')'), O('*'), O('+'),  O(','), O('-'), O('.'), O('/'),
    D('0'), D('1'), D('2'), D('3'),  D('4'), D('5'), D('6'), D('7'),
    D('8'), D('9'), O(':'), O(';'),  O('<'), O('='), O('>'), O('?'),
    O('@'), U('a'), U('b'), U('c'),  U('d'), U('e'), U('f'), U('g'),
    U('h'), U('i'), U('j'), U('k'),  U('l'), U('m'), U('n'), U('o'),
    U('p'), U('q'), U('r'), U('s'),  U('t'), U('u'), U('v'), U('w'),
    U('x'), U('y'), U('z'), O('['),  O('\\'), O(']'), O('^'), O('_'),
    AP,     L('a'), L('b'), L('c'),  L('d'), L('e'), L('f'), L('g'),
    L('h'), L('i'), L('j'), L('k'),  L('l'), L('m'), L('n'), L('o'),
    L('p'), L('q'), L('r'), L('s'),  L('t'), L('u'), L('v'), L('w'),
    L('x'), L('y'), L('z'), O('{'),  O('|'), O('}'), O('~'), O(127),
};

#undef L
#undef U
#undef D
#undef S
#undef O
#undef AP

/* Read one code point at s[i]: its folded value and class byte; *newline
 * is set for a line break (LF, a CR not followed by LF, U+2028, U+2029).
 * Returns the number of bytes consumed. */
static inline size_t next_cp(const unsigned char *s, size_t n, size_t i,
                             uint32_t *cp, int *cls, int *newline)
{
    unsigned c = s[i];
    if (c < 0x80) {
        uint16_t e = ascii_table[c];
        *cp = A_CHR(e);
        *cls = A_CLS(e);
        *newline = c == '\n' || (c == '\r' && (i + 1 >= n || s[i + 1] != '\n'));
        return 1;
    }
    uint32_t raw;
    size_t l = doppel__utf8_decode(s + i, n - i, &raw);
    *cp = doppel__uc_fold(raw, cls);
    *newline = raw == 0x2028 || raw == 0x2029 || raw == 0x85;
    return l;
}

static int reserve(doppel__tokens *t, size_t text_need, size_t words_need,
                   const doppel_allocator *a)
{
    if (doppel__grow(a, (void **)&t->text, &t->text_cap, text_need, 1) < 0)
        return DOPPEL_ERR_NOMEM;
    if (words_need > t->cap) {
        size_t cap = words_need + words_need / 2 + 16;
        void *p;
        p = doppel__realloc_array(a, t->start, cap, sizeof(uint32_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->start = p;
        p = doppel__realloc_array(a, t->len, cap, sizeof(uint32_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->len = p;
        p = doppel__realloc_array(a, t->flags, cap, sizeof(uint8_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->flags = p;
        t->cap = cap;
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
     * Words need at least two bytes each except ideographs, which need
     * three: n / 2 + 2 words is enough for any input. */
    if (reserve(t, 2 * n + 8, n / 2 + 2, a) < 0)
        return DOPPEL_ERR_NOMEM;

    unsigned char *out = t->text;
    size_t p = 0, nw = 0, i = 0;
    int in_word = 0, apos = 0;
    unsigned newlines = 2; /* the text starts a line and a paragraph */
    int sentence_end = 1;  /* a '.', '!' or '?' since the last word */
    unsigned wflags = 0;
    size_t wstart = 0;

#define LAYOUT_FLAGS()                                                         \
    ((newlines >= 1 ? DOPPEL__TOK_LINE | DOPPEL__TOK_SENT : 0u) |              \
     (newlines >= 2 ? DOPPEL__TOK_PARA : 0u) |                                 \
     (sentence_end ? DOPPEL__TOK_SENT : 0u))
#define END_WORD()                                                             \
    do {                                                                       \
        t->start[nw] = (uint32_t)wstart;                                       \
        t->len[nw] = (uint32_t)(p - wstart);                                   \
        t->flags[nw] = (uint8_t)wflags;                                        \
        nw++;                                                                  \
        in_word = 0;                                                           \
    } while (0)

    while (i < n) {
        /* Fast path: a run of ASCII letters and digits inside a word. */
        if (in_word && !apos) {
            while (i < n && s[i] < 0x80) {
                uint16_t e = ascii_table[s[i]];
                int c = A_CLS(e);
                if (DOPPEL__UC_CLASS(c) != DOPPEL__UC_LETTER)
                    break;
                wflags |= (c & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u;
                out[p++] = A_CHR(e);
                i++;
            }
            if (i >= n)
                break;
        }
        uint32_t cp;
        int cls, nl;
        i += next_cp(s, n, i, &cp, &cls, &nl);
        switch (DOPPEL__UC_CLASS(cls)) {
        case DOPPEL__UC_LETTER:
            if (!in_word) {
                if (nw > 0)
                    out[p++] = ' ';
                wstart = p;
                in_word = 1;
                wflags = LAYOUT_FLAGS() |
                         ((cls & DOPPEL__UC_UPPER) ? DOPPEL__TOK_UPPER : 0u);
                newlines = 0;
                sentence_end = 0;
            } else if (apos) {
                out[p++] = '\'';
            }
            wflags |= (cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u;
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
            if (in_word)
                END_WORD();
            if (nw > 0)
                out[p++] = ' ';
            wstart = p;
            wflags = LAYOUT_FLAGS() |
                     ((cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u);
            newlines = 0;
            sentence_end = 0;
            p += doppel__utf8_encode(cp, out + p);
            END_WORD();
            apos = 0;
            break;
        default:
        end_word:
            if (in_word)
                END_WORD();
            if (nl && newlines < 2)
                newlines++;
            if (cp == '.' || cp == '!' || cp == '?' || cp == 0x3002)
                sentence_end = 1;
            apos = 0;
            break;
        }
    }
    if (in_word)
        END_WORD();
#undef END_WORD
#undef LAYOUT_FLAGS
    t->n = nw;
    t->text_len = p;
    return DOPPEL_OK;
}

void doppel__tokens_free(doppel__tokens *t, const doppel_allocator *a)
{
    doppel__free(a, t->text);
    doppel__free(a, t->start);
    doppel__free(a, t->len);
    doppel__free(a, t->flags);
    memset(t, 0, sizeof *t);
}

int doppel__normalize(const char *str, size_t n, char **outp, size_t *out_len,
                      const doppel_allocator *a)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    /* Unlike the words, the normalised text keeps punctuation, and an
     * invalid byte becomes U+FFFD: three bytes for one. Folding grows a
     * valid sequence by at most half, and a space is written only for a
     * run of whitespace it replaces: 3n + 1 always suffices. */
    unsigned char *out = doppel__malloc(a, 3 * n + 8);
    if (!out)
        return DOPPEL_ERR_NOMEM;
    size_t p = 0, i = 0;
    int pending_space = 0;
    while (i < n) {
        uint32_t cp;
        int cls, nl;
        i += next_cp(s, n, i, &cp, &cls, &nl);
        cls = DOPPEL__UC_CLASS(cls);
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
