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

#include "hash.h"
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

/* An allocator that remembers the size of the last block it handed out. */
typedef struct sized_alloc {
    doppel_allocator a;
    size_t last;
} sized_alloc;

static void *sa_alloc(void *opaque, size_t size)
{
    ((sized_alloc *)opaque)->last = size;
    return malloc(size ? size : 1);
}

static void *sa_realloc(void *opaque, void *p, size_t size)
{
    ((sized_alloc *)opaque)->last = size;
    return realloc(p, size ? size : 1);
}

static void sa_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

/* Found by fuzz_tokenize: the normalised text of invalid UTF-8 is three
 * times its size (each bad byte becomes U+FFFD), and the buffer was sized
 * for twice: a heap overflow. */
START_TEST(test_normalize_invalid_bytes)
{
    enum { N = 1000 };
    char in[N];
    memset(in, 0xFF, sizeof in);
    in[0] = 'a';
    sized_alloc sa = {{sa_alloc, sa_realloc, sa_free, NULL}, 0};
    sa.a.opaque = &sa;
    char *out = NULL;
    size_t len = 0;
    ck_assert_int_eq(doppel__normalize(in, N, &out, &len, &sa.a), DOPPEL_OK);
    ck_assert_uint_eq(len, 1 + 3 * (N - 1));
    ck_assert_uint_gt(sa.last, len);
    ck_assert_int_eq(out[0], 'a');
    for (size_t i = 1; i < len; i += 3)
        ck_assert_int_eq(memcmp(out + i, "\xEF\xBF\xBD", 3), 0);
    ck_assert_int_eq(out[len], '\0');
    free(out);
}
END_TEST

static const char article[] =
    "The quick brown fox jumps over the lazy dog near the old river bank "
    "while Farmer Giles watches from his porch in Oxford on 12 May 1999.";

/* A serialised signature of `article` (malloc'd). */
static unsigned char *serialized(size_t *len)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(sk, article, sizeof article - 1, &sig,
                                   NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel_signature_serialize(sig, NULL, 0, len, NULL),
                     DOPPEL_OK);
    unsigned char *buf = malloc(*len);
    ck_assert_int_eq(doppel_signature_serialize(sig, buf, *len, len, NULL),
                     DOPPEL_OK);
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
    return buf;
}

/* Set a little-endian 32-bit field and make the checksum match again, as
 * a damaged-but-checksummed (or crafted) file would. */
static void patch32(unsigned char *buf, size_t len, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        buf[at + (size_t)i] = (unsigned char)(v >> (8 * i));
    uint64_t h = doppel__hash_bytes(buf, len - 8, 0);
    for (int i = 0; i < 8; i++)
        buf[len - 8 + (size_t)i] = (unsigned char)(h >> (8 * i));
}

/* Found by fuzz_signature: a rarity field of up to 2^32 - 1 thousandths
 * was accepted, and serialising that signature again converted a float
 * beyond UINT32_MAX to an integer (undefined behaviour). Rarity is a mean
 * of classes 0..14: more is corruption. */
START_TEST(test_signature_rarity_out_of_range)
{
    size_t len;
    unsigned char *buf = serialized(&len);
    doppel_signature *sig = NULL;
    doppel_error err = {0, {0}};
    patch32(buf, len, 44, 14000);
    ck_assert_int_eq(doppel_signature_deserialize(&sig, buf, len, NULL, &err),
                     DOPPEL_OK);
    ck_assert(doppel_signature_rarity(sig) == 14.0);
    doppel_signature_free(sig);
    static const uint32_t bad[] = {14001, 1000000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        patch32(buf, len, 44, bad[i]);
        sig = NULL;
        ck_assert_int_eq(
            doppel_signature_deserialize(&sig, buf, len, NULL, &err),
            DOPPEL_ERR_CORRUPT);
        ck_assert_ptr_null(sig);
        char want[128];
        snprintf(want, sizeof want,
                 "signature corrupt: rarity %u/1000 at byte 44 is out of "
                 "range [0, 14000]",
                 (unsigned)bad[i]);
        ck_assert_str_eq(err.message, want);
    }
    free(buf);
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *fz = tcase_create("fuzz-regressions");
    tcase_set_timeout(fz, 300);
    tcase_add_test(fz, test_fold_is_idempotent);
    tcase_add_test(fz, test_normalize_invalid_bytes);
    tcase_add_test(fz, test_signature_rarity_out_of_range);
    suite_add_tcase(s, fz);
    return s;
}
