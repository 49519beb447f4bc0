/*
 * check_signature.c — the signature object and its serialised form
 * (signature.c, layout in docs/formats.md): round trips bit for bit for
 * every kind of parameters; every single-byte corruption and every
 * truncation refused with an error (from buffers that end at a guard page,
 * so no read goes past them); a future format version refused with its
 * number; signatures made with other parameters refused by
 * doppel_signature_similarity() and doppel_signature_compare() with both
 * parameter sets in the message.
 */
#include "suites.h"

#include "hash.h"
#include "signature.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ARTICLE[] =
    "The city council voted on Tuesday to approve a new budget of 12 million "
    "dollars for the repair of roads and bridges in the northern district.\n"
    "Mayor Anna Lindqvist said the work would begin in March and last for "
    "two years. Residents have complained for a decade about the state of "
    "the main bridge over the river, which was built in 1931.\n\n"
    "The opposition said the plan was too expensive and that the money "
    "should have gone to schools. A final vote is expected next month.";

static doppel_signature *sketch_with(const doppel_params *p, const char *text)
{
    doppel_sketcher *sk = NULL;
    doppel_error err = {0, {0}};
    ck_assert_msg(doppel_sketcher_create(&sk, p, NULL, &err) == DOPPEL_OK,
                  "%s", err.message);
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketch(sk, text, strlen(text), &sig, &err),
                     DOPPEL_OK);
    doppel_sketcher_free(sk);
    return sig;
}

static unsigned char *serialize(const doppel_signature *sig, size_t *size)
{
    ck_assert_int_eq(doppel_signature_serialize(sig, NULL, 0, size, NULL),
                     DOPPEL_OK);
    unsigned char *buf = malloc(*size);
    size_t size2 = 0;
    ck_assert_int_eq(doppel_signature_serialize(sig, buf, *size, &size2, NULL),
                     DOPPEL_OK);
    ck_assert_uint_eq(size2, *size);
    return buf;
}

/* Every field of two signatures is equal. */
static void assert_same(const doppel_signature *a, const doppel_signature *b)
{
    unsigned K = doppel_signature_num_perm(a);
    ck_assert_uint_eq(doppel_signature_num_perm(b), K);
    ck_assert(memcmp(doppel_signature_values(a), doppel_signature_values(b),
                     K * sizeof(uint16_t)) == 0);
    ck_assert(memcmp(a->positions, b->positions, K) == 0);
    ck_assert(memcmp(a->lede, b->lede, sizeof a->lede) == 0);
    ck_assert(memcmp(a->entities, b->entities, sizeof a->entities) == 0);
    ck_assert_uint_eq(a->meta.flags, b->meta.flags);
    ck_assert_uint_eq(a->meta.num_words, b->meta.num_words);
    ck_assert_uint_eq(a->meta.num_shingles, b->meta.num_shingles);
    ck_assert_uint_eq(a->meta.num_entities, b->meta.num_entities);
    ck_assert_double_eq_tol(a->meta.rarity, b->meta.rarity, 0.0005);
    ck_assert_uint_eq(a->fingerprint, b->fingerprint);
    ck_assert_int_eq(doppel_signature_is_empty(a), doppel_signature_is_empty(b));
}

/* Parameter sets that exercise every field the format stores. */
static doppel_params variant(int i)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    switch (i) {
    case 0: break;
    case 1: p.shingle = DOPPEL_SHINGLE_WORD; p.shingle_size = 3; break;
    case 2: p.shingle = DOPPEL_SHINGLE_CHAR; p.shingle_size = 7; break;
    case 3: p.minhash = DOPPEL_MINHASH_K_PERM; p.num_perm = 64; break;
    case 4: p.num_perm = DOPPEL_MIN_PERM; p.seed = UINT64_MAX; break;
    case 5: /* explicit bands and rows: choosing them for K = 4096 costs
             * ~1 s (the S-curve search; 15 minutes under valgrind) */
        p.num_perm = DOPPEL_MAX_PERM;
        p.seed = 0x0102030405060708ull;
        p.bands = 512;
        p.rows = 8;
        break;
    }
    return p;
}

START_TEST(test_round_trip_bit_for_bit)
{
    doppel_params p = variant(_i);
    const char *texts[] = {ARTICLE, "", "Short text.", " ... \n "};
    for (size_t t = 0; t < 4; t++) {
        doppel_signature *sig = sketch_with(&p, texts[t]);
        size_t size;
        unsigned char *buf = serialize(sig, &size);
        ck_assert_uint_eq(size, 48 + 3 * (size_t)p.num_perm + 64 + 64 + 8);
        /* the layout of docs/formats.md */
        ck_assert(memcmp(buf, "DPSG", 4) == 0);
        ck_assert_uint_eq(buf[4] | buf[5] << 8, 1);
        ck_assert_uint_eq(buf[16], (unsigned)p.shingle);
        ck_assert_uint_eq(buf[17], (unsigned)p.minhash);
        ck_assert_uint_eq((uint32_t)buf[20] | (uint32_t)buf[21] << 8 |
                              (uint32_t)buf[22] << 16 | (uint32_t)buf[23] << 24,
                          p.num_perm);
        ck_assert_uint_eq(buf[24], (unsigned)(p.seed & 0xFF));
        ck_assert_uint_eq(buf[31], (unsigned)(p.seed >> 56));
        ck_assert_uint_eq(buf[6] & 1, (unsigned)doppel_signature_is_empty(sig));

        tu_guarded g = tu_guarded_copy(buf, size);
        doppel_signature *back = NULL;
        doppel_error err = {0, {0}};
        ck_assert_msg(doppel_signature_deserialize(&back, g.data, g.len, NULL,
                                                   &err) == DOPPEL_OK,
                      "%s", err.message);
        assert_same(sig, back);
        size_t size2;
        unsigned char *buf2 = serialize(back, &size2);
        ck_assert_uint_eq(size2, size);
        ck_assert(memcmp(buf, buf2, size) == 0);
        /* The copy compares as the original does. */
        if (!doppel_signature_is_empty(sig)) {
            double s = 0;
            ck_assert_int_eq(doppel_signature_similarity(sig, back, &s, NULL),
                             DOPPEL_OK);
            ck_assert_double_eq(s, 1.0);
            doppel_match m;
            ck_assert_int_eq(
                doppel_signature_compare(sig, back, NULL, &m, NULL), DOPPEL_OK);
            ck_assert_int_eq(m.duplicate, 1);
        }
        free(buf);
        free(buf2);
        tu_guarded_free(&g);
        doppel_signature_free(sig);
        doppel_signature_free(back);
    }
}
END_TEST

static int refused(int rc)
{
    return rc == DOPPEL_ERR_CORRUPT || rc == DOPPEL_ERR_VERSION ||
           rc == DOPPEL_ERR_MISMATCH;
}

START_TEST(test_every_byte_corruption_detected)
{
    doppel_params p = variant(_i);
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size;
    unsigned char *buf = serialize(sig, &size);
    static const unsigned char flips[] = {0x01, 0x80, 0xFF, 0x10};
    tu_guarded g = tu_guarded_copy(buf, size);
    for (size_t off = 0; off < size; off++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            buf[off] ^= flips[f];
            tu_guarded_place(&g, buf, size);
            doppel_signature *out = (doppel_signature *)&flips; /* poison */
            doppel_error err = {0, {0}};
            int rc = doppel_signature_deserialize(&out, g.data, g.len, NULL,
                                                  &err);
            TU_CHECK(refused(rc), "byte %zu ^ %#x accepted (rc %d)", off,
                     flips[f], rc);
            TU_CHECK(out == NULL, "byte %zu: *out set on error", off);
            TU_CHECK(err.code == rc && err.message[0] != '\0',
                     "byte %zu: no message", off);
            buf[off] ^= flips[f];
        }
    }
    tu_guarded_free(&g);
    free(buf);
    doppel_signature_free(sig);
}
END_TEST

START_TEST(test_every_truncation_detected)
{
    doppel_params p = variant(_i);
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size;
    unsigned char *buf = serialize(sig, &size);
    tu_guarded g = tu_guarded_copy(buf, size);
    for (size_t len = 0; len < size; len++) {
        tu_guarded_place(&g, buf, len);
        doppel_signature *out = NULL;
        doppel_error err = {0, {0}};
        int rc = doppel_signature_deserialize(&out, g.data, len, NULL, &err);
        TU_CHECK(rc == DOPPEL_ERR_CORRUPT, "truncated to %zu: rc %d", len, rc);
        TU_CHECK(out == NULL && err.message[0], "truncated to %zu", len);
    }
    tu_guarded_free(&g);
    /* A trailing byte too many is refused as well. */
    unsigned char *longer = calloc(size + 1, 1);
    memcpy(longer, buf, size);
    doppel_signature *out = NULL;
    ck_assert_int_eq(
        doppel_signature_deserialize(&out, longer, size + 1, NULL, NULL),
        DOPPEL_ERR_CORRUPT);
    ck_assert_ptr_null(out);
    free(longer);
    free(buf);
    doppel_signature_free(sig);
}
END_TEST

/* Rewrite the checksum after editing a serialised signature. */
static void reseal(unsigned char *buf, size_t size)
{
    uint64_t h = doppel__hash_bytes(buf, size - 8, 0);
    for (int i = 0; i < 8; i++)
        buf[size - 8 + i] = (unsigned char)(h >> (8 * i));
}

START_TEST(test_future_version_refused)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size;
    unsigned char *buf = serialize(sig, &size);
    const unsigned versions[] = {2, 7, 300, 65535};
    for (size_t i = 0; i < 4; i++) {
        buf[4] = (unsigned char)versions[i];
        buf[5] = (unsigned char)(versions[i] >> 8);
        reseal(buf, size); /* a well-formed file of a later release */
        doppel_signature *out = NULL;
        doppel_error err = {0, {0}};
        ck_assert_int_eq(
            doppel_signature_deserialize(&out, buf, size, NULL, &err),
            DOPPEL_ERR_VERSION);
        char want[64];
        snprintf(want, sizeof want, "version %u is not supported",
                 versions[i]);
        ck_assert_msg(strstr(err.message, want) != NULL, "message: %s",
                      err.message);
        ck_assert_ptr_null(out);
    }
    free(buf);
    doppel_signature_free(sig);
}
END_TEST

/* Well-checksummed signatures with impossible or foreign contents. */
START_TEST(test_resealed_inconsistencies_refused)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size;
    unsigned char *buf = serialize(sig, &size);
    doppel_signature *out = NULL;
    doppel_error err = {0, {0}};
    /* an unknown shingle kind */
    unsigned char *b = malloc(size);
    memcpy(b, buf, size);
    b[16] = 9;
    reseal(b, size);
    ck_assert_int_eq(doppel_signature_deserialize(&out, b, size, NULL, &err),
                     DOPPEL_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "shingle"));
    /* a fingerprint of another sketching algorithm */
    memcpy(b, buf, size);
    b[8] ^= 0x55;
    reseal(b, size);
    ck_assert_int_eq(doppel_signature_deserialize(&out, b, size, NULL, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, "fingerprint"));
    /* a num_perm out of range */
    memcpy(b, buf, size);
    b[20] = 3;
    b[21] = 0;
    reseal(b, size);
    ck_assert_int_eq(doppel_signature_deserialize(&out, b, size, NULL, &err),
                     DOPPEL_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "num_perm 3"));
    ck_assert_ptr_null(out);
    free(b);
    free(buf);
    doppel_signature_free(sig);
}
END_TEST

START_TEST(test_serialize_buffer_sizes)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size = 0;
    ck_assert_int_eq(doppel_signature_serialize(sig, NULL, 0, &size, NULL),
                     DOPPEL_OK);
    ck_assert_uint_eq(size, 48 + 3 * 128 + 128 + 8);
    unsigned char small[100];
    size_t got = 0;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(
        doppel_signature_serialize(sig, small, sizeof small, &got, &err),
        DOPPEL_ERR_LIMIT);
    ck_assert_uint_eq(got, size);
    ck_assert_ptr_nonnull(strstr(err.message, "100 bytes"));
    ck_assert_int_eq(doppel_signature_serialize(NULL, small, 100, &got, &err),
                     DOPPEL_ERR_PARAM);
    doppel_signature *out = NULL;
    ck_assert_int_eq(doppel_signature_deserialize(&out, NULL, 10, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_signature_deserialize(NULL, small, 10, NULL, &err),
                     DOPPEL_ERR_PARAM);
    doppel_signature_free(sig);
}
END_TEST

/* Signatures of other parameters: refused, with both parameter sets. */
START_TEST(test_other_params_refused)
{
    doppel_params p = DOPPEL_PARAMS_INIT, q = DOPPEL_PARAMS_INIT,
                  r = DOPPEL_PARAMS_INIT;
    q.seed = 7;
    r.num_perm = 64;
    r.shingle = DOPPEL_SHINGLE_WORD;
    doppel_signature *a = sketch_with(&p, ARTICLE);
    doppel_signature *b = sketch_with(&q, ARTICLE);
    doppel_signature *c = sketch_with(&r, ARTICLE);
    double s = -1;
    doppel_match m;
    doppel_error err = {0, {0}};

    ck_assert_int_eq(doppel_signature_similarity(a, b, &s, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_int_eq(err.code, DOPPEL_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "seed=0") &&
                      strstr(err.message, "seed=7"),
                  "message: %s", err.message);
    ck_assert_double_eq(s, -1); /* untouched */

    memset(&err, 0, sizeof err);
    ck_assert_int_eq(doppel_signature_compare(a, c, NULL, &m, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "skeleton-6, num_perm=128") &&
                      strstr(err.message, "word-5, num_perm=64"),
                  "message: %s", err.message);

    /* Explicit params that differ from the signatures' own. */
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(doppel_signature_compare(a, a, &q, &m, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_msg(strstr(err.message, "seed=0") &&
                      strstr(err.message, "seed=7"),
                  "message: %s", err.message);
    /* Threshold and verification kind may differ: they are not part of
     * what a signature means. */
    doppel_params t = DOPPEL_PARAMS_INIT;
    t.threshold = 0.9;
    t.verify = DOPPEL_VERIFY_JACCARD;
    ck_assert_int_eq(doppel_signature_compare(a, a, &t, &m, &err), DOPPEL_OK);
    ck_assert_int_eq(m.duplicate, 1);
    /* Invalid explicit params: a parameter error naming the field. */
    t.threshold = 2.0;
    ck_assert_int_eq(doppel_signature_compare(a, a, &t, &m, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(err.message, "threshold"));

    /* Deserialised copies keep their parameters. */
    size_t size;
    unsigned char *buf = serialize(b, &size);
    doppel_signature *b2 = NULL;
    ck_assert_int_eq(doppel_signature_deserialize(&b2, buf, size, NULL, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel_signature_similarity(a, b2, &s, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_int_eq(doppel_signature_similarity(b, b2, &s, &err), DOPPEL_OK);
    ck_assert_double_eq(s, 1.0);
    free(buf);
    doppel_signature_free(b2);
    doppel_signature_free(a);
    doppel_signature_free(b);
    doppel_signature_free(c);
}
END_TEST

START_TEST(test_deserialize_out_of_memory)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_signature *sig = sketch_with(&p, ARTICLE);
    size_t size;
    unsigned char *buf = serialize(sig, &size);
    tu_failing_alloc fa;
    tu_failing_alloc_init(&fa, 0);
    doppel_signature *out = NULL;
    ck_assert_int_eq(doppel_signature_deserialize(&out, buf, size, &fa.a, NULL),
                     DOPPEL_ERR_NOMEM);
    ck_assert_ptr_null(out);
    tu_failing_alloc_init(&fa, 1);
    ck_assert_int_eq(doppel_signature_deserialize(&out, buf, size, &fa.a, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(fa.live, 1);
    doppel_signature_free(out); /* freed with the allocator it came from */
    ck_assert_int_eq(fa.live, 0);
    free(buf);
    doppel_signature_free(sig);
}
END_TEST

#define NVARIANTS 6

Suite *suite_signature(void)
{
    Suite *s = suite_create("signature");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, test_round_trip_bit_for_bit, 0, NVARIANTS);
    /* all bytes of a default (K = 128), a K-permutation (K = 64) and a
     * K = 16 signature */
    tcase_add_loop_test(tc, test_every_byte_corruption_detected, 0, 1);
    tcase_add_loop_test(tc, test_every_byte_corruption_detected, 3, 5);
    tcase_add_loop_test(tc, test_every_truncation_detected, 0, NVARIANTS);
    tcase_add_test(tc, test_future_version_refused);
    tcase_add_test(tc, test_resealed_inconsistencies_refused);
    tcase_add_test(tc, test_serialize_buffer_sizes);
    tcase_add_test(tc, test_other_params_refused);
    tcase_add_test(tc, test_deserialize_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
