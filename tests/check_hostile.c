/*
 * check_hostile.c — hostile input, end to end through the library: the
 * limits (document size, record size, number of documents, id length) and
 * what happens at them, degenerate documents (binary files, NUL bytes,
 * lines of only "\r", enormous words, deep JSON nesting, huge numbers,
 * millions of tiny documents), and the regressions found by fuzzing
 * (tests/fuzz/) that deserve a readable test of their own.
 * docs/robustness.md maps each kind of bad input to its test here.
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"

#include "testutil.h"
#include "tokenize.h"
#include "unicode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokenise len bytes; returns the words joined by spaces (malloc'd). */
static char *words_of(const char *s, size_t len)
{
    doppel__tokens t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(doppel__tokenize(s, len, &t, NULL), DOPPEL_OK);
    char *out = malloc(t.text_len + 1);
    memcpy(out, t.text, t.text_len);
    out[t.text_len] = '\0';
    doppel__tokens_free(&t, NULL);
    return out;
}

/* ------------------------------------------------ fuzzing regressions */

/* Found by fuzz_tokenize: U+0130 (İ) folded to an upper-case "I", so
 * folding was not idempotent ("İstanbul" -> "Istanbul", a word that its
 * own normalised text tokenised differently). Every code point now folds
 * to a fixed point, and nothing folds to upper-case ASCII. */
START_TEST(test_fold_is_idempotent)
{
    const char *s = "\xC4\xB0stanbul ISTANBUL istanbul";
    char *w = words_of(s, strlen(s));
    ck_assert_str_eq(w, "istanbul istanbul istanbul");
    free(w);
    for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        int c1, c2;
        uint32_t f = doppel__uc_fold(cp, &c1);
        uint32_t g = doppel__uc_fold(f, &c2);
        ck_assert_msg(!(f >= 'A' && f <= 'Z'),
                      "U+%04X folds to upper-case '%c'", (unsigned)cp,
                      (char)f);
        if (f >= 0x80)
            ck_assert_msg(g == f && DOPPEL__UC_CLASS(c1) ==
                                        DOPPEL__UC_CLASS(c2),
                          "U+%04X -> U+%04X -> U+%04X", (unsigned)cp,
                          (unsigned)f, (unsigned)g);
    }
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *fz = tcase_create("fuzz-regressions");
    tcase_set_timeout(fz, 300);
    tcase_add_test(fz, test_fold_is_idempotent);
    suite_add_tcase(s, fz);
    return s;
}
