/*
 * check_shingle.c — word (and skeleton) k-grams and character n-grams
 * (shingle.c): how many shingles, what each one hashes, and the words each
 * starts and ends at; documents shorter than k give one shingle; character
 * n-grams count code points, not bytes.
 */
#include "suites.h"

#include "hash.h"
#include "shingle.h"
#include "testutil.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#define SEED 0x1234567890ABCDEFull

START_TEST(test_word_kgrams)
{
    uint64_t sym[10];
    uint32_t pos[10];
    for (unsigned i = 0; i < 10; i++) {
        sym[i] = 1000 + i;
        pos[i] = 3 * i + 1; /* symbols need not start at consecutive words */
    }
    uint64_t out[11];
    uint32_t po[11], pe[11];
    for (unsigned k = 1; k <= 10; k++) {
        size_t m = doppel__shingle_words(sym, pos, 10, k, SEED, out, po, pe);
        ck_assert_uint_eq(m, 10 - k + 1);
        for (size_t i = 0; i < m; i++) {
            ck_assert_uint_eq(out[i], doppel__combine(sym + i, k, SEED));
            ck_assert_uint_eq(po[i], pos[i]);
            ck_assert_uint_eq(pe[i], pos[i + k - 1]);
        }
    }
    /* Shorter than k: one shingle of all symbols. */
    size_t m = doppel__shingle_words(sym, pos, 3, 5, SEED, out, po, pe);
    ck_assert_uint_eq(m, 1);
    ck_assert_uint_eq(out[0], doppel__combine(sym, 3, SEED));
    ck_assert_uint_eq(po[0], pos[0]);
    ck_assert_uint_eq(pe[0], pos[2]);
    m = doppel__shingle_words(sym, pos, 1, 5, SEED, out, po, pe);
    ck_assert_uint_eq(m, 1);
    ck_assert_uint_eq(po[0], pos[0]);
    ck_assert_uint_eq(pe[0], pos[0]);
    ck_assert_uint_eq(doppel__shingle_words(sym, pos, 0, 5, SEED, out, po, pe),
                      0);
}
END_TEST

START_TEST(test_combine_is_ordered_and_seeded)
{
    const uint64_t ab[] = {0xAAAA, 0xBBBB}, ba[] = {0xBBBB, 0xAAAA};
    ck_assert_uint_ne(doppel__combine(ab, 2, SEED), doppel__combine(ba, 2, SEED));
    ck_assert_uint_ne(doppel__combine(ab, 2, SEED), doppel__combine(ab, 2, 0));
    ck_assert_uint_ne(doppel__combine(ab, 1, SEED), doppel__combine(ab, 2, SEED));
    /* A repeated k-gram gives the same hash wherever it is. */
    const uint64_t rep[] = {1, 2, 3, 1, 2, 3};
    ck_assert_uint_eq(doppel__combine(rep, 3, SEED),
                      doppel__combine(rep + 3, 3, SEED));
}
END_TEST

typedef struct chars {
    doppel__tokens t;
    size_t m;
    uint64_t out[256];
    uint32_t pos[256], end[256];
} chars;

static void char_shingles(chars *c, const char *text, unsigned n)
{
    memset(&c->t, 0, sizeof c->t);
    ck_assert_int_eq(doppel__tokenize(text, strlen(text), &c->t, NULL),
                     DOPPEL_OK);
    ck_assert_uint_le(c->t.text_len, 256);
    c->m = doppel__shingle_chars(&c->t, n, SEED, c->out, c->pos, c->end);
}

/* Shingle i is the hash of `window` and spans words [pos, end]. */
static void expect_window(const chars *c, size_t i, const char *window,
                          uint32_t pos, uint32_t end)
{
    ck_assert_uint_lt(i, c->m);
    ck_assert_msg(c->out[i] == doppel__hash_bytes(window, strlen(window), SEED),
                  "shingle %zu is not '%s'", i, window);
    ck_assert_uint_eq(c->pos[i], pos);
    ck_assert_uint_eq(c->end[i], end);
}

START_TEST(test_char_ngrams_ascii)
{
    chars c;
    /* The normalised words joined by single spaces: "ab cd". */
    char_shingles(&c, "  AB,   cd!", 3);
    ck_assert_uint_eq(c.m, 3);
    expect_window(&c, 0, "ab ", 0, 0);
    expect_window(&c, 1, "b c", 0, 1);
    expect_window(&c, 2, " cd", 0, 1);
    doppel__tokens_free(&c.t, NULL);

    char_shingles(&c, "one two three", 5);
    ck_assert_uint_eq(c.m, 13 - 5 + 1);
    expect_window(&c, 0, "one t", 0, 1);
    expect_window(&c, 3, " two ", 0, 1);
    expect_window(&c, 4, "two t", 1, 2);
    expect_window(&c, 8, "three", 2, 2);
    doppel__tokens_free(&c.t, NULL);
}
END_TEST

START_TEST(test_char_ngrams_count_code_points)
{
    chars c;
    /* "køb au": 6 code points, 7 bytes: 4 windows of 3 code points. */
    char_shingles(&c, "KØB au", 3);
    ck_assert_uint_eq(c.t.text_len, 7);
    ck_assert_uint_eq(c.m, 4);
    expect_window(&c, 0, "køb", 0, 0);
    expect_window(&c, 1, "øb ", 0, 0);
    expect_window(&c, 2, "b a", 0, 1);
    expect_window(&c, 3, " au", 0, 1);
    doppel__tokens_free(&c.t, NULL);

    /* Cyrillic (2 bytes each) and ideographs (3 bytes each). */
    char_shingles(&c, "Мир", 2);
    ck_assert_uint_eq(c.m, 2);
    expect_window(&c, 0, "ми", 0, 0);
    expect_window(&c, 1, "ир", 0, 0);
    doppel__tokens_free(&c.t, NULL);

    char_shingles(&c, "北京大学", 2);
    /* four one-character words: "北 京 大 学", 7 code points */
    ck_assert_uint_eq(c.t.n, 4);
    ck_assert_uint_eq(c.m, 6);
    expect_window(&c, 0, "北 ", 0, 0);
    expect_window(&c, 1, " 京", 0, 1);
    expect_window(&c, 5, " 学", 2, 3);
    doppel__tokens_free(&c.t, NULL);

    /* A 4-byte code point is one. */
    char_shingles(&c, "a\xF0\x9D\x90\x80" "b", 2); /* U+1D400, a letter */
    ck_assert_uint_eq(c.t.n, 1);
    ck_assert_uint_eq(c.m, 2);
    expect_window(&c, 1, "\xF0\x9D\x90\x80" "b", 0, 0);
    doppel__tokens_free(&c.t, NULL);
}
END_TEST

START_TEST(test_char_ngrams_short)
{
    chars c;
    /* Shorter than n: one shingle of the whole text. */
    char_shingles(&c, "ab", 5);
    ck_assert_uint_eq(c.m, 1);
    expect_window(&c, 0, "ab", 0, 0);
    doppel__tokens_free(&c.t, NULL);
    /* Exactly n code points: one shingle. */
    char_shingles(&c, "é x", 3);
    ck_assert_uint_eq(c.m, 1);
    expect_window(&c, 0, "e x", 0, 1);
    doppel__tokens_free(&c.t, NULL);
    /* No words, no shingles. */
    char_shingles(&c, " ... ", 3);
    ck_assert_uint_eq(c.m, 0);
    doppel__tokens_free(&c.t, NULL);
    char_shingles(&c, "", 3);
    ck_assert_uint_eq(c.m, 0);
    doppel__tokens_free(&c.t, NULL);
}
END_TEST

/* Window count = code points - n + 1 for every n up to the maximum. */
START_TEST(test_char_ngrams_every_size)
{
    const char *text = "Ünïcödé wörds ΑΒΓ and 中文 text";
    chars c;
    char_shingles(&c, text, 1);
    size_t cps = 0;
    for (size_t i = 0; i < c.t.text_len; i++)
        cps += (c.t.text[i] & 0xC0) != 0x80;
    doppel__tokens_free(&c.t, NULL);
    for (unsigned n = 1; n <= DOPPEL_MAX_SHINGLE_SIZE; n++) {
        char_shingles(&c, text, n);
        ck_assert_uint_eq(c.m, n <= cps ? cps - n + 1 : 1);
        for (size_t i = 0; i + 1 < c.m; i++) {
            ck_assert_uint_le(c.pos[i], c.pos[i + 1]);
            ck_assert_uint_le(c.pos[i], c.end[i]);
        }
        ck_assert_uint_eq(c.end[c.m - 1], c.t.n - 1);
        doppel__tokens_free(&c.t, NULL);
    }
}
END_TEST

Suite *suite_shingle(void)
{
    Suite *s = suite_create("shingle");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_word_kgrams);
    tcase_add_test(tc, test_combine_is_ordered_and_seeded);
    tcase_add_test(tc, test_char_ngrams_ascii);
    tcase_add_test(tc, test_char_ngrams_count_code_points);
    tcase_add_test(tc, test_char_ngrams_short);
    tcase_add_test(tc, test_char_ngrams_every_size);
    suite_add_tcase(s, tc);
    return s;
}
