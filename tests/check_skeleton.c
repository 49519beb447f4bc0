/*
 * check_skeleton.c — the function-word skeleton (skeleton.c): exact symbol
 * sequences for given keep[] flags, and for real sentences whose words are
 * kept the way sketch.c keeps them (a core function word of the built-in
 * lexicon, or a word with a digit): function words and numbers stay, every
 * run of other words becomes one wildcard.
 */
#include "suites.h"

#include "hash.h"
#include "lexicon.h"
#include "skeleton.h"
#include "testutil.h"
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#define W DOPPEL__SKELETON_WILDCARD

START_TEST(test_keep_flags)
{
    const uint64_t base[] = {11, 12, 13, 14, 15, 16, 17, 18};
    uint64_t sym[8];
    uint32_t tok[8];
    size_t kept;

    const uint8_t all[] = {1, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_uint_eq(doppel__skeleton(base, all, 8, sym, tok, &kept), 8);
    ck_assert_uint_eq(kept, 8);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert_uint_eq(sym[i], base[i]);
        ck_assert_uint_eq(tok[i], i);
    }

    const uint8_t none[] = {0, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(doppel__skeleton(base, none, 8, sym, tok, &kept), 1);
    ck_assert_uint_eq(kept, 0);
    ck_assert_uint_eq(sym[0], W);
    ck_assert_uint_eq(tok[0], 0);

    /* * 12 13 * 16 * : runs of any length collapse to one wildcard, which
     * points at the first word of its run. */
    const uint8_t mix[] = {0, 1, 1, 0, 0, 1, 0, 0};
    const uint64_t want_sym[] = {W, 12, 13, W, 16, W};
    const uint32_t want_tok[] = {0, 1, 2, 3, 5, 6};
    ck_assert_uint_eq(doppel__skeleton(base, mix, 8, sym, tok, &kept), 6);
    ck_assert_uint_eq(kept, 3);
    for (unsigned i = 0; i < 6; i++) {
        ck_assert_uint_eq(sym[i], want_sym[i]);
        ck_assert_uint_eq(tok[i], want_tok[i]);
    }

    ck_assert_uint_eq(doppel__skeleton(base, mix, 0, sym, tok, &kept), 0);
    ck_assert_uint_eq(kept, 0);
}
END_TEST

/* The skeleton of `text` as sketch.c builds it, written out as words with
 * "*" for the wildcard. */
static char *skeleton_of(const char *text)
{
    doppel__tokens t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(doppel__tokenize(text, strlen(text), &t, NULL),
                     DOPPEL_OK);
    size_t n = t.n;
    uint64_t *base = calloc(n + 1, sizeof *base);
    uint8_t *keep = calloc(n + 1, 1);
    uint64_t *sym = calloc(n + 1, sizeof *sym);
    uint32_t *tok = calloc(n + 1, sizeof *tok);
    for (size_t i = 0; i < n; i++)
        base[i] = doppel__hash_word(t.text + t.start[i], t.len[i]);
    for (size_t i = 0; i < n; i++)
        keep[i] = (doppel__lexicon_lookup(base[i]) & DOPPEL__LEX_STOP) ||
                  (t.flags[i] & DOPPEL__TOK_DIGIT);
    size_t kept;
    size_t m = doppel__skeleton(base, keep, n, sym, tok, &kept);
    char *out = calloc(t.text_len + 2 * m + 1, 1);
    size_t used = 0, nkept = 0;
    for (size_t j = 0; j < m; j++) {
        if (j)
            out[used++] = ' ';
        if (sym[j] == W) {
            ck_assert(!keep[tok[j]]);
            out[used++] = '*';
        } else {
            ck_assert(keep[tok[j]]);
            ck_assert_uint_eq(sym[j], base[tok[j]]);
            memcpy(out + used, t.text + t.start[tok[j]], t.len[tok[j]]);
            used += t.len[tok[j]];
            nkept++;
        }
    }
    ck_assert_uint_eq(kept, nkept);
    free(base);
    free(keep);
    free(sym);
    free(tok);
    doppel__tokens_free(&t, NULL);
    return out;
}

#define EXPECT_SKELETON(text, want)                                            \
    do {                                                                       \
        char *got_ = skeleton_of(text);                                        \
        ck_assert_str_eq(got_, want);                                          \
        free(got_);                                                            \
    } while (0)

START_TEST(test_sentences)
{
    EXPECT_SKELETON("US Secretary of State Mike Pompeo today said the US will "
                    "work with 12 allies",
                    "* of * the * with 12 *");
    /* The spun version of the same sentence keeps its skeleton. */
    EXPECT_SKELETON("US Secretary of Narrate Mike Pompeo these days stated the "
                    "US will function with 12 allies",
                    "* of * the * with 12 *");
    /* Auxiliaries are content: a spinner rewrites "was" too. */
    EXPECT_SKELETON("It was the best of times, it was the worst of times.",
                    "it * the * of * it * the * of *");
    EXPECT_SKELETON("Le président de la République a dit que la loi sera "
                    "votée en 2021.",
                    "le * de la * a * que la * en 2021");
    EXPECT_SKELETON("Die Regierung hat am Montag 3 neue Gesetze beschlossen.",
                    "die * am * 3 *");
    /* Numbers with letters count as numbers. */
    EXPECT_SKELETON("Covid19 cases rose 5%", "covid19 * 5");
    EXPECT_SKELETON("", "");
    EXPECT_SKELETON("Nothing here matters", "*");
}
END_TEST

Suite *suite_skeleton(void)
{
    Suite *s = suite_create("skeleton");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_keep_flags);
    tcase_add_test(tc, test_sentences);
    suite_add_tcase(s, tc);
    return s;
}
