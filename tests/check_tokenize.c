/*
 * check_tokenize.c — normalisation and word splitting (tokenize.c with the
 * Unicode table of unicode_tables.c): exact outputs for case folding in
 * Latin, Greek and Cyrillic, typographic punctuation, whitespace,
 * apostrophes, ideographs, ignorable characters and the per-word flags;
 * invalid UTF-8 of every kind, decoded deterministically and never read
 * past the end of the buffer (each input sits at the end of a page followed
 * by an inaccessible one); and the property that tokenising the normalised
 * text gives the words of the raw text, for every code point and for
 * random bytes.
 */
#include "suites.h"

#include "testutil.h"
#include "tokenize.h"
#include "unicode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers */

#define R "\xEF\xBF\xBD" /* U+FFFD as UTF-8 */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static void sb_add(strbuf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->s = realloc(b->s, b->cap);
        TU_CHECK(b->s != NULL, "out of memory");
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Is s[0 .. n) well-formed UTF-8? */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = doppel__utf8_decode(s + i, n - i, &cp);
        if (cp == DOPPEL__REPLACEMENT_CHAR && l == 1)
            return 0; /* (a real U+FFFD takes 3 bytes) */
        i += l;
    }
    return 1;
}

/* Check the invariants of a tokenisation: text is the words joined by
 * single spaces, every word non-empty, without spaces, valid UTF-8. */
static void check_tokens(const doppel__tokens *t)
{
    size_t p = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i > 0) {
            TU_CHECK(p < t->text_len && t->text[p] == ' ',
                     "word %zu: no space before it", i);
            p++;
        }
        TU_CHECK(t->start[i] == p, "word %zu starts at %u, not %zu", i,
                 (unsigned)t->start[i], p);
        TU_CHECK(t->len[i] > 0, "word %zu is empty", i);
        TU_CHECK(memchr(t->text + p, ' ', t->len[i]) == NULL,
                 "word %zu holds a space", i);
        p += t->len[i];
    }
    TU_CHECK(p == t->text_len, "text of %zu bytes, words end at %zu",
             t->text_len, p);
    TU_CHECK(valid_utf8(t->text, t->text_len), "words not valid UTF-8");
}

/* The words of s[0..n), space-separated, each followed by "/FLAGS" when
 * flags is set (U upper, D digit, L line, P paragraph, S sentence). */
static char *tokens_of(const char *s, size_t n, int flags)
{
    doppel__tokens t;
    memset(&t, 0, sizeof t);
    TU_CHECK(doppel__tokenize(s, n, &t, NULL) == DOPPEL_OK, "tokenize failed");
    check_tokens(&t);
    strbuf b = {NULL, 0, 0};
    sb_add(&b, "", 0);
    for (size_t i = 0; i < t.n; i++) {
        if (i)
            sb_add(&b, " ", 1);
        sb_add(&b, t.text + t.start[i], t.len[i]);
        if (flags && t.flags[i]) {
            static const struct {
                unsigned bit;
                char c;
            } names[] = {{DOPPEL__TOK_UPPER, 'U'}, {DOPPEL__TOK_DIGIT, 'D'},
                         {DOPPEL__TOK_LINE, 'L'},  {DOPPEL__TOK_PARA, 'P'},
                         {DOPPEL__TOK_SENT, 'S'}};
            sb_add(&b, "/", 1);
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
                if (t.flags[i] & names[k].bit)
                    sb_add(&b, &names[k].c, 1);
        }
    }
    doppel__tokens_free(&t, NULL);
    return b.s;
}

/* The normalisation of s[0..n) (NUL-terminated; *len_out its length,
 * which differs from strlen only for input holding NUL bytes). */
static char *normalized_len(const char *s, size_t n, size_t *len_out)
{
    char *out = NULL;
    size_t len = 0;
    TU_CHECK(doppel__normalize(s, n, &out, &len, NULL) == DOPPEL_OK,
             "normalize failed");
    TU_CHECK(out[len] == '\0', "not NUL-terminated");
    TU_CHECK(valid_utf8((const unsigned char *)out, len),
             "normalised text not valid UTF-8");
    if (len_out)
        *len_out = len;
    return out;
}

static char *normalized(const char *s, size_t n)
{
    return normalized_len(s, n, NULL);
}

#define EXPECT_NORM(in, want)                                                  \
    do {                                                                       \
        char *got_ = normalized((in), sizeof(in) - 1);                        \
        ck_assert_str_eq(got_, (want));                                        \
        free(got_);                                                            \
    } while (0)

#define EXPECT_WORDS(in, want)                                                 \
    do {                                                                       \
        char *got_ = tokens_of((in), sizeof(in) - 1, 0);                      \
        ck_assert_str_eq(got_, (want));                                        \
        free(got_);                                                            \
    } while (0)

#define EXPECT_FLAGS(in, want)                                                 \
    do {                                                                       \
        char *got_ = tokens_of((in), sizeof(in) - 1, 1);                      \
        ck_assert_str_eq(got_, (want));                                        \
        free(got_);                                                            \
    } while (0)

/* -------------------------------------------------------- normalisation */

START_TEST(test_latin_case_and_diacritics)
{
    EXPECT_NORM("Café", "cafe");
    EXPECT_NORM("CAFÉ CRÈME À LA FAÇON", "cafe creme a la facon");
    EXPECT_NORM("Ångström Øre Łódź Straße ÆON", "angstrom øre łodz straße æon");
    EXPECT_NORM("Ｆｕｌｌｗｉｄｔｈ", "fullwidth");
    /* A combining accent is dropped like a precomposed one. */
    EXPECT_NORM("Cafe\xCC\x81", "cafe");
    EXPECT_WORDS("Cafe\xCC\x81 CAFÉ café", "cafe cafe cafe");
}
END_TEST

START_TEST(test_greek)
{
    EXPECT_NORM("ΚΑΛΗΜΈΡΑ Κόσμε", "καλημερα κοσμε");
    EXPECT_NORM("Ωμέγα ΆΈΉΊΌΎΏ", "ωμεγα αεηιουω");
    /* Per code point: capital sigma folds to σ, a final ς stays. */
    EXPECT_NORM("ΟΔΟΣ οδος", "οδοσ οδος");
}
END_TEST

START_TEST(test_cyrillic)
{
    EXPECT_NORM("Москва ПРИВЕТ", "москва привет");
    /* ё folds to е; й keeps its breve: it is a letter of its own. */
    EXPECT_NORM("Ёлка ёж ЙОД й", "елка еж йод й");
    EXPECT_WORDS("ЁЖИК ежик", "ежик ежик");
    EXPECT_WORDS("Йошкар Иошкар", "йошкар иошкар");
}
END_TEST

START_TEST(test_typographic_punctuation)
{
    EXPECT_NORM("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94 she "
                "said \xE2\x80\x98yes\xE2\x80\x99",
                "\"it's\" - she said 'yes'");
    EXPECT_NORM("\xC2\xAB" "Bonjour" "\xC2\xBB \xE2\x80\x9E" "Hallo"
                "\xE2\x80\x9C",
                "\"bonjour\" \"hallo\"");
    EXPECT_NORM("2010\xE2\x80\x93" "2012 \xE2\x88\x92" "5",
                "2010-2012 -5");
    EXPECT_WORDS("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94 she "
                 "said \xE2\x80\x98yes\xE2\x80\x99",
                 "it's she said yes");
}
END_TEST

START_TEST(test_whitespace)
{
    EXPECT_NORM("  a\t\t b\n\n\nc\xC2\xA0" "d\xE2\x80\x83" "e \r\n ",
                "a b c d e");
    EXPECT_NORM("", "");
    EXPECT_NORM(" \t\n ", "");
    /* An ignorable character between spaces does not make two spaces. */
    EXPECT_NORM("a \xE2\x80\x8B b", "a b");
    EXPECT_WORDS("  a\t\t b\n\n\nc\xC2\xA0" "d\xE2\x80\x83" "e \r\n ",
                 "a b c d e");
}
END_TEST

START_TEST(test_apostrophes)
{
    EXPECT_WORDS("I don't know", "i don't know");
    EXPECT_WORDS("I don\xE2\x80\x99t know", "i don't know");
    EXPECT_WORDS("I don`t know", "i don't know");
    /* Only between letters: quotes and possessive plurals split. */
    EXPECT_WORDS("'quoted' students' union rock 'n' roll",
                 "quoted students union rock n roll");
    EXPECT_WORDS("a''b", "a b");
    EXPECT_WORDS("O'Neil's", "o'neil's");
}
END_TEST

START_TEST(test_ideographs)
{
    EXPECT_WORDS("我爱北京", "我 爱 北 京");
    EXPECT_WORDS("abc中文def", "abc 中 文 def");
    EXPECT_WORDS("東京タワー。", "東 京 タ ワ ー");
    EXPECT_WORDS("서울 특별시", "서 울 특 별 시");
    EXPECT_NORM("我爱北京", "我爱北京");
}
END_TEST

START_TEST(test_ignorable_characters)
{
    /* U+200B zero width space, U+00AD soft hyphen, U+FEFF, U+0301 combining
     * acute, U+20DD combining circle: dropped without splitting. */
    EXPECT_WORDS("ze\xE2\x80\x8Bro co\xC2\xAD" "operate \xEF\xBB\xBFwo\xCC\x81"
                 "rd x\xE2\x83\x9Dy",
                 "zero cooperate word xy");
    EXPECT_NORM("ze\xE2\x80\x8Bro co\xC2\xAD" "operate", "zero cooperate");
}
END_TEST

START_TEST(test_word_characters)
{
    EXPECT_WORDS("Hello, world! e-mail 3.14 x_y a/b #tag @user",
                 "hello world e mail 3 14 x y a b tag user");
    EXPECT_WORDS("Price: $1,000 (approx.)", "price 1 000 approx");
    /* Digits of other scripts are word characters. */
    EXPECT_WORDS("٣٤ ४२", "٣٤ ४२");
}
END_TEST

START_TEST(test_word_flags)
{
    EXPECT_FLAGS("The cat sat. It ran!\nNew line here\n\nPara 2 starts 3D",
                 "the/ULPS cat sat it/US ran new/ULS line here para/ULPS 2/D "
                 "starts 3d/D");
    /* A question mark ends a sentence; a comma does not. */
    EXPECT_FLAGS("why? because, Paris", "why/LPS because/S paris/U");
    /* CRLF is one line break, CR CR two (a paragraph); U+2028 breaks a
     * line. */
    EXPECT_FLAGS("a\r\nb\r\rc\xE2\x80\xA8" "d", "a/LPS b/LS c/LPS d/LS");
    /* Blank lines with spaces in them still separate paragraphs. */
    EXPECT_FLAGS("a\n  \n b", "a/LPS b/LPS");
    /* An ideographic full stop ends a sentence; ideographs carry no case. */
    EXPECT_FLAGS("東京。Tokyo x2", "東/LPS 京 tokyo/US x2/D");
    /* Capitalised beyond ASCII. */
    EXPECT_FLAGS("über Über Ωmega ωmega", "uber/LPS uber/U ωmega/U ωmega");
}
END_TEST

/* ---------------------------------------------------------- invalid UTF-8 */

typedef struct bad_case {
    const char *in;
    size_t len;
    const char *norm;  /* expected normalisation */
    const char *words; /* expected words */
} bad_case;

#define BAD(in, norm, words) {in, sizeof(in) - 1, norm, words}

static const bad_case bad_cases[] = {
    /* stray continuation bytes */
    BAD("a\x80" "b", "a" R "b", "a b"),
    BAD("\xBF\xBF", R R, ""),
    /* truncated sequences at the end of the buffer */
    BAD("ab\xC3", "ab" R, "ab"),
    BAD("ab\xE2\x82", "ab" R R, "ab"),
    BAD("ab\xF0\x9F\x98", "ab" R R R, "ab"),
    /* truncated in the middle: the next byte starts over */
    BAD("\xC3" "A", R "a", "a"),
    BAD("x\xE4\xB8y", "x" R R "y", "x y"),
    /* overlong forms */
    BAD("\xC0\xAF", R R, ""),
    BAD("\xC1\xBF", R R, ""),
    BAD("\xE0\x80\xAF", R R R, ""),
    BAD("\xF0\x80\x80\xAF", R R R R, ""),
    /* surrogates (CESU-8) */
    BAD("\xED\xA0\x80", R R R, ""),
    BAD("\xED\xBF\xBF" "z", R R R "z", "z"),
    /* beyond U+10FFFF */
    BAD("\xF4\x90\x80\x80", R R R R, ""),
    BAD("\xF5\x80\x80\x80", R R R R, ""),
    BAD("\xF8\x88\x80\x80\x80", R R R R R, ""),
    /* bytes that never appear in UTF-8 */
    BAD("x\xFFy", "x" R "y", "x y"),
    BAD("\xFE\xFF", R R, ""),
    /* a real U+FFFD is kept and separates words too */
    BAD("a" R "b", "a" R "b", "a b"),
    /* valid neighbours of the invalid ranges */
    BAD("\xC2\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF", "\xC2\x80\xEF\xBF\xBF"
        "\xF4\x8F\xBF\xBF", ""),
    BAD("\xED\x9F\xBF", "\xED\x9F\xBF", ""), /* U+D7FF, unassigned */
};

START_TEST(test_invalid_utf8)
{
    const bad_case *c = &bad_cases[_i];
    for (int rep = 0; rep < 2; rep++) { /* deterministic */
        tu_guarded g = tu_guarded_copy(c->in, c->len);
        char *n = normalized(g.data, g.len);
        ck_assert_msg(strcmp(n, c->norm) == 0, "case %d: normalised '%s'",
                      _i, n);
        char *w = tokens_of(g.data, g.len, 0);
        ck_assert_msg(strcmp(w, c->words) == 0, "case %d: words '%s'", _i,
                      w);
        free(n);
        free(w);
        tu_guarded_free(&g);
    }
}
END_TEST

/* Every prefix of a text with 2-, 3- and 4-byte sequences, at the end of a
 * page: the cut sequence becomes one U+FFFD per byte left. */
START_TEST(test_truncated_prefixes_at_page_end)
{
    static const char text[] = "Caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 "
                               "\xCE\xA9";
    /* code point boundaries of text */
    static const size_t ends[] = {1, 2, 3, 5, 6, 9, 10, 14, 15, 17};
    size_t n = sizeof text - 1;
    for (size_t len = 0; len <= n; len++) {
        tu_guarded g = tu_guarded_copy(text, len);
        size_t complete = 0;
        for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++)
            if (ends[k] <= len)
                complete = ends[k];
        char want[64];
        memcpy(want, text, complete);
        size_t w = complete;
        for (size_t k = complete; k < len; k++) {
            memcpy(want + w, R, 3);
            w += 3;
        }
        want[w] = '\0';
        /* what normalisation does to the complete part */
        char *want_norm = normalized(want, w);
        char *got = normalized(g.data, g.len);
        ck_assert_msg(strcmp(got, want_norm) == 0, "prefix %zu: '%s'", len,
                      got);
        char *ww = tokens_of(want, w, 1), *gw = tokens_of(g.data, g.len, 1);
        ck_assert_str_eq(gw, ww);
        free(want_norm);
        free(got);
        free(ww);
        free(gw);
        tu_guarded_free(&g);
    }
}
END_TEST

/* Empty input at a page end and an input of one byte of every value. */
START_TEST(test_single_bytes_at_page_end)
{
    tu_guarded g = tu_guarded_copy("", 0);
    char *w = tokens_of(g.data, 0, 0);
    ck_assert_str_eq(w, "");
    free(w);
    char *n = normalized(g.data, 0);
    ck_assert_str_eq(n, "");
    free(n);
    tu_guarded_free(&g);
    for (unsigned b = 0; b < 256; b++) {
        char c = (char)b;
        g = tu_guarded_copy(&c, 1);
        w = tokens_of(g.data, 1, 0);
        n = normalized(g.data, 1);
        if (b >= 0x80)
            ck_assert_str_eq(n, R);
        if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z')) {
            ck_assert_uint_eq(strlen(w), 1);
            ck_assert_int_eq(w[0], b);
        } else if (b >= 'A' && b <= 'Z') {
            ck_assert_int_eq(w[0], b - 'A' + 'a');
        } else {
            ck_assert_str_eq(w, "");
        }
        free(w);
        free(n);
        tu_guarded_free(&g);
    }
}
END_TEST

/* The normalised text keeps U+FFFD: 3 bytes for every invalid byte (a
 * buffer sized for the words alone overflowed here). */
START_TEST(test_normalize_expands_invalid_bytes)
{
    char in[1000];
    memset(in, 0xFF, sizeof in);
    tu_guarded g = tu_guarded_copy(in, sizeof in);
    size_t len;
    char *n = normalized_len(g.data, g.len, &len);
    ck_assert_uint_eq(len, 3 * sizeof in);
    for (size_t i = 0; i < sizeof in; i++)
        ck_assert(memcmp(n + 3 * i, R, 3) == 0);
    free(n);
    tu_guarded_free(&g);
}
END_TEST

/* ------------------------------------------------------------ properties */

/* Words of the raw text == words of its normalisation. */
static void check_same_words(const char *s, size_t n, const char *what)
{
    char *raw = tokens_of(s, n, 0);
    size_t nlen, nlen2;
    char *norm = normalized_len(s, n, &nlen);
    char *again = tokens_of(norm, nlen, 0);
    TU_CHECK(strcmp(raw, again) == 0,
             "%s: raw words '%s', words of the normalised text '%s'", what,
             raw, again);
    /* Normalising is idempotent. */
    char *norm2 = normalized_len(norm, nlen, &nlen2);
    TU_CHECK(nlen == nlen2 && memcmp(norm, norm2, nlen) == 0,
             "%s: normalise twice '%s'/'%s'", what, norm, norm2);
    free(raw);
    free(norm);
    free(again);
    free(norm2);
}

START_TEST(test_normalized_same_words_every_code_point)
{
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        unsigned char buf[16];
        size_t n = 0;
        buf[n++] = 'a';
        n += doppel__utf8_encode(cp, buf + n);
        buf[n++] = 'B';
        n += doppel__utf8_encode(cp, buf + n);
        char what[32];
        snprintf(what, sizeof what, "U+%04X", (unsigned)cp);
        /* alone between letters, and doubled after an upper-case one */
        check_same_words((const char *)buf + 1, n - 1, what);
        check_same_words((const char *)buf, n, what);
    }
}
END_TEST

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Random bytes drawn from a mix of ASCII, UTF-8 lead and continuation
 * bytes and punctuation, at a page end (seed fixed). */
START_TEST(test_random_bytes)
{
    static const unsigned char alphabet[] = {
        'a', 'B', 'z', '0', '9', ' ', '\n', '\r', '.', '\'', '-', 0x80,
        0xBF, 0xC2, 0xC3, 0xCE, 0xD0, 0xE0, 0xE2, 0xE4, 0xED, 0xEF, 0xF0,
        0xF4, 0xF5, 0xFF, 0x9F, 0x98, 0xA9, 0x80, 0x81, 0xB8};
    uint64_t seed = 20240601;
    unsigned char buf[64] = {0};
    tu_guarded g = tu_guarded_copy(buf, sizeof buf);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rng_next(&seed) % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[rng_next(&seed) % sizeof alphabet];
        tu_guarded_place(&g, buf, n);
        char what[32];
        snprintf(what, sizeof what, "random input %d", iter);
        check_same_words(g.data, g.len, what);
    }
    tu_guarded_free(&g);
}
END_TEST

/* Buffers are reused across calls without stale content. */
START_TEST(test_reuse)
{
    doppel__tokens t;
    memset(&t, 0, sizeof t);
    const char *a = "one two three four five six seven";
    ck_assert_int_eq(doppel__tokenize(a, strlen(a), &t, NULL), DOPPEL_OK);
    ck_assert_uint_eq(t.n, 7);
    ck_assert_int_eq(doppel__tokenize("Eins", 4, &t, NULL), DOPPEL_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.text_len, 4);
    ck_assert(memcmp(t.text, "eins", 4) == 0);
    ck_assert_uint_eq(t.flags[0], DOPPEL__TOK_UPPER | DOPPEL__TOK_LINE |
                                      DOPPEL__TOK_PARA | DOPPEL__TOK_SENT);
    ck_assert_int_eq(doppel__tokenize("", 0, &t, NULL), DOPPEL_OK);
    ck_assert_uint_eq(t.n, 0);
    doppel__tokens_free(&t, NULL);
}
END_TEST

/* Out of memory: an error, nothing leaked. */
START_TEST(test_out_of_memory)
{
    const char *s = "Some words to split, and more words.";
    for (long budget = 0; budget < 8; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel__tokens t;
        memset(&t, 0, sizeof t);
        int rc = doppel__tokenize(s, strlen(s), &t, &fa.a);
        ck_assert(rc == DOPPEL_OK || rc == DOPPEL_ERR_NOMEM);
        doppel__tokens_free(&t, &fa.a);
        char *out = NULL;
        size_t len;
        rc = doppel__normalize(s, strlen(s), &out, &len, &fa.a);
        ck_assert(rc == DOPPEL_OK || rc == DOPPEL_ERR_NOMEM);
        if (rc == DOPPEL_OK)
            doppel__free(&fa.a, out);
        ck_assert_int_eq(fa.live, 0);
    }
}
END_TEST

Suite *suite_tokenize(void)
{
    Suite *s = suite_create("tokenize");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_latin_case_and_diacritics);
    tcase_add_test(tc, test_greek);
    tcase_add_test(tc, test_cyrillic);
    tcase_add_test(tc, test_typographic_punctuation);
    tcase_add_test(tc, test_whitespace);
    tcase_add_test(tc, test_apostrophes);
    tcase_add_test(tc, test_ideographs);
    tcase_add_test(tc, test_ignorable_characters);
    tcase_add_test(tc, test_word_characters);
    tcase_add_test(tc, test_word_flags);
    tcase_add_loop_test(tc, test_invalid_utf8, 0,
                        (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(tc, test_truncated_prefixes_at_page_end);
    tcase_add_test(tc, test_single_bytes_at_page_end);
    tcase_add_test(tc, test_normalize_expands_invalid_bytes);
    tcase_add_test(tc, test_normalized_same_words_every_code_point);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_reuse);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
