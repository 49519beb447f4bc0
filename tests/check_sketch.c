/*
 * check_sketch.c — the fast sketching paths against the reference
 * (ref_sketch.c, the straightforward code as first written): every
 * tokenizer implementation gives the same words, bytes and flags; the
 * sketcher gives the same sketch, bit for bit, for every parameter kind;
 * MinHash gives the same values and positions. Inputs are the bundled
 * Wikinews articles and seeded synthetic texts built to hit the corners
 * (every 16- and 64-byte alignment of a word end, apostrophes at block
 * edges, CR LF split over blocks, invalid UTF-8, marks and format
 * characters inside words, ideographs, very long words). A digest of the
 * Wikinews sketches pins the values across releases.
 */
#include "suites.h"

#include "doppel.h"
#include "hash.h"
#include "minhash.h"
#include "ref_sketch.h"
#include "signature.h"
#include "testutil.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- inputs */

typedef struct text {
    char *s;
    size_t n;
} text;

typedef struct corpus {
    text *t;
    size_t n, cap;
} corpus;

static void corpus_add(corpus *c, const char *s, size_t n)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->t = realloc(c->t, c->cap * sizeof *c->t);
        ck_assert_ptr_nonnull(c->t);
    }
    c->t[c->n].s = malloc(n + 1);
    ck_assert_ptr_nonnull(c->t[c->n].s);
    if (n)
        memcpy(c->t[c->n].s, s, n);
    c->t[c->n].s[n] = '\0';
    c->t[c->n].n = n;
    c->n++;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->t[i].s);
    free(c->t);
    memset(c, 0, sizeof *c);
}

static void add_wikinews(corpus *c)
{
    char path[4096];
    tu_source_path(path, sizeof path, "corpus/wikinews.jsonl");
    const char *paths[] = {path};
    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    doppel_reader *r = NULL;
    doppel_error err = {0};
    ck_assert_int_eq(doppel_reader_open(&r, paths, 1, &ro, &err), DOPPEL_OK);
    doppel_record rec;
    int rc;
    while ((rc = doppel_reader_next(r, &rec, &err)) > 0)
        corpus_add(c, rec.text, rec.text_len);
    ck_assert_int_eq(rc, 0);
    doppel_reader_free(r);
}

static uint64_t rng_next(uint64_t *s)
{
    return doppel__splitmix64(s);
}

/* Pieces that exercise every branch of the tokenizer. */
static const char *const pieces[] = {
    "the", "The", "of", "and", "in", "to", "a", "is", "that", "for", "with",
    "said", "Minister", "BBC", "US", "don't", "it's", "O'Neil", "rock'n'roll",
    "90's", "'tis", "x'", "''", "'", "`", "a`b", "a``b", "l\xE2\x80\x99homme",
    "\xE2\x80\x98q\xE2\x80\x99", "caf\xC3\xA9", "\xC3\x89t\xC3\xA9",
    "stra\xC3\x9F" "e", "\xC4\xB0stanbul", "\xCE\xA3\xCE\x8A\xCE\xA3",
    "\xD0\x9F\xD1\x80\xD0\xB8", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
    "\xE3\x80\x82", "\xE0\xB9\x84\xE0\xB8\x97", "x\xCC\x81y", "a\xE2\x80\x8D" "b",
    "\xC2\xAD", "\xE2\x80\x94", "\xE2\x80\xA6", "\xE2\x80\xA8", "\xE2\x80\xA9",
    "\xC2\x85", "\xEF\xBC\xA1\xEF\xBC\xA2", "\xEF\xAC\x81", "\xE2\x85\xAB",
    "\xF0\x9F\x98\x80", "\xD9\xA3\xD9\xA4", "123", "4.5", "1,000", "\xC2\xA3" "600m",
    "$1.13bn", "U.S.", "Mr.", "e-mail", "@", "#", "\xFF", "\xC3", "\xE2\x82",
    "\xF0\x9F", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80\x80",
    "\x01", "\x7F", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "abcdefghijklmnopq", "ABCDEFGHIJKLMNO", "abcdefghijklmno'p",
};

static const char *const seps[] = {
    " ", " ", " ", " ", ", ", ". ", "! ", "? ", "\n", "\n\n", "\r\n",
    "\r\n\r\n", "\r", "\t", "  ", " - ", ": ", "; ", "(", ")", "\"", "",
    "\xC2\xA0", "\xE3\x80\x80", ".\n", "'", " '", "' ",
};

static size_t synth(uint64_t *st, char *buf, size_t cap)
{
    size_t n = 0;
    size_t words = (size_t)(rng_next(st) % 400);
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    const size_t nseps = sizeof seps / sizeof seps[0];
    for (size_t w = 0; w < words && n + 160 < cap; w++) {
        uint64_t r = rng_next(st);
        const char *p;
        char tmp[40];
        if (r % 3 == 0) {
            p = pieces[(r >> 8) % npieces];
        } else {
            /* a random ASCII word of 1-20 letters/digits, mixed case */
            size_t len = 1 + (r >> 8) % 20;
            for (size_t i = 0; i < len; i++) {
                uint64_t q = rng_next(st) % 64;
                tmp[i] = q < 26   ? (char)('a' + q)
                         : q < 52 ? (char)('A' + q - 26)
                         : q < 62 ? (char)('0' + q - 52)
                                  : '\'';
            }
            tmp[len] = '\0';
            p = tmp;
        }
        size_t l = strlen(p);
        memcpy(buf + n, p, l);
        n += l;
        const char *s = seps[(r >> 40) % nseps];
        l = strlen(s);
        memcpy(buf + n, s, l);
        n += l;
    }
    return n;
}

/* Texts whose word ends sweep every offset of a 64-byte block. */
static void add_alignment_sweeps(corpus *c)
{
    static const char *const tails[] = {"x", "x'y", "x'", "x''", "x\r\n",
                                        "x\r", "x.", "x\xC3\xA9", "x'\xC3\xA9",
                                        "x\xCC\x81", "x \xC3\xA9"};
    char buf[256];
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        for (size_t off = 0; off < 80; off++) {
            memset(buf, 'a', off);
            if (off > 3)
                buf[off / 2] = ' ';
            size_t l = strlen(tails[t]);
            memcpy(buf + off, tails[t], l);
            memcpy(buf + off + l, " next\nline", 10);
            corpus_add(c, buf, off + l + 10);
            corpus_add(c, buf, off + l); /* ending right there */
        }
    }
}

static void add_synthetic(corpus *c, uint64_t seed, size_t count)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    uint64_t st = seed;
    for (size_t i = 0; i < count; i++)
        corpus_add(c, buf, synth(&st, buf, cap));
    /* random bytes, and random printable ASCII */
    for (size_t i = 0; i < 64; i++) {
        size_t n = (size_t)(rng_next(&st) % 3000);
        for (size_t j = 0; j < n; j++) {
            uint64_t r = rng_next(&st);
            buf[j] = i % 2 ? (char)(r & 0xFF) : (char)(32 + r % 95);
        }
        corpus_add(c, buf, n);
    }
    free(buf);
}

static void add_edge_cases(corpus *c)
{
    static const char *const e[] = {
        "", " ", "a", "A", "1", "'", "a'", "'a", "\r", "\n\n\n", "the",
        "the the the the the the the the the the the the the",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
        "Alice Bob Carol Dave Eve Frank Grace Heidi Ivan Judy Mallory",
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        corpus_add(c, e[i], strlen(e[i]));
}

/* Words that share their first 8 or 16 bytes with another word, of every
 * length from 1 to 40, in texts sketched one after the other with the same
 * scratch space: the word memo (sketch.c) keys words of up to 16 bytes by
 * their bytes and must never answer for a longer word with the same start,
 * nor for a shorter one. Function words ("the", "of") are mixed in so that
 * the skeleton keeps some of the words' neighbours. */
static void add_memo_cases(corpus *c)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmno";
    char buf[4096];
    for (int order = 0; order < 4; order++) {
        size_t n = 0;
        for (size_t k = 1; k <= 40; k++) {
            size_t len = order % 2 ? 41 - k : k;
            memcpy(buf + n, order < 2 ? "the " : "Of ", order < 2 ? 4 : 3);
            n += order < 2 ? 4 : 3;
            memcpy(buf + n, abc, len);
            if (order >= 2)
                buf[n] = 'A'; /* capitalised: a name */
            n += len;
            buf[n++] = ' ';
            memcpy(buf + n, "of ", 3);
            n += 3;
        }
        corpus_add(c, buf, n);
    }
}

static void build_corpus(corpus *c)
{
    memset(c, 0, sizeof *c);
    add_wikinews(c);
    add_edge_cases(c);
    add_memo_cases(c);
    add_alignment_sweeps(c);
    add_synthetic(c, 42, 400);
}

/* --------------------------------------------------------- tokenizer */

static void assert_same_tokens(const doppel__tokens *a, const doppel__tokens *b,
                               const char *what, size_t doc)
{
    ck_assert_msg(a->n == b->n, "%s, text %zu: %zu words, reference %zu",
                  what, doc, a->n, b->n);
    ck_assert_msg(a->text_len == b->text_len,
                  "%s, text %zu: %zu bytes, reference %zu", what, doc,
                  a->text_len, b->text_len);
    ck_assert_msg(memcmp(a->text, b->text, a->text_len) == 0,
                  "%s, text %zu: folded text differs", what, doc);
    for (size_t i = 0; i < a->n; i++)
        ck_assert_msg(a->start[i] == b->start[i] && a->len[i] == b->len[i] &&
                          a->flags[i] == b->flags[i],
                      "%s, text %zu, word %zu: (%u, %u, %u), reference "
                      "(%u, %u, %u)",
                      what, doc, i, a->start[i], a->len[i], a->flags[i],
                      b->start[i], b->len[i], b->flags[i]);
}

START_TEST(test_tokenizers_match_reference)
{
    corpus c;
    build_corpus(&c);
    doppel__tokens ref, got;
    memset(&ref, 0, sizeof ref);
    memset(&got, 0, sizeof got);
    int tried = 0;
    for (int impl = DOPPEL__TOK_AUTO; impl < DOPPEL__TOK_IMPLS; impl++) {
        if (!doppel__tokenize_available((doppel__tok_impl)impl))
            continue;
        tried++;
        const char *name = doppel__tokenize_name((doppel__tok_impl)impl);
        for (size_t i = 0; i < c.n; i++) {
            ck_assert_int_eq(ref_tokenize(c.t[i].s, c.t[i].n, &ref), 0);
            ck_assert_int_eq(doppel__tokenize_with(c.t[i].s, c.t[i].n, &got,
                                                   NULL,
                                                   (doppel__tok_impl)impl),
                             DOPPEL_OK);
            assert_same_tokens(&got, &ref, name, i);
        }
    }
    ck_assert_int_ge(tried, 2); /* auto and the portable scalar path */
    doppel__tokens_free(&ref, NULL);
    doppel__tokens_free(&got, NULL);
    corpus_free(&c);
}
END_TEST

/* Every prefix and suffix of a mixed text: word and separator runs cut at
 * every offset, including inside UTF-8 sequences. */
START_TEST(test_tokenizers_every_cut)
{
    const char *s = "Quarterly profits at US media giant TimeWarner jumped 76% "
                    "to $1.13bn (\xC2\xA3" "600m) don't\r\n\r\nIt's caf\xC3\xA9's "
                    "\xE6\x97\xA5\xE6\x9C\xAC x\xCC\x81y O'Neil''s end.\r";
    size_t n = strlen(s);
    doppel__tokens ref, got;
    memset(&ref, 0, sizeof ref);
    memset(&got, 0, sizeof got);
    for (int impl = DOPPEL__TOK_AUTO; impl < DOPPEL__TOK_IMPLS; impl++) {
        if (!doppel__tokenize_available((doppel__tok_impl)impl))
            continue;
        for (size_t from = 0; from <= n; from++) {
            for (size_t to = from; to <= n; to += (from % 7 == 0 ? 1 : 13)) {
                ck_assert_int_eq(ref_tokenize(s + from, to - from, &ref), 0);
                ck_assert_int_eq(
                    doppel__tokenize_with(s + from, to - from, &got, NULL,
                                          (doppel__tok_impl)impl),
                    DOPPEL_OK);
                assert_same_tokens(&got, &ref,
                                   doppel__tokenize_name(
                                       (doppel__tok_impl)impl),
                                   from * 1000 + to);
            }
        }
    }
    doppel__tokens_free(&ref, NULL);
    doppel__tokens_free(&got, NULL);
}
END_TEST

/* ------------------------------------------------------------ sketch */

typedef struct sketch_buf {
    doppel__mh values[DOPPEL_MAX_PERM];
    uint8_t positions[DOPPEL_MAX_PERM];
    doppel__mh lede[DOPPEL__LEDE_BINS];
    doppel__mh entities[DOPPEL__ENTITY_BINS];
    doppel__sketch_meta meta;
} sketch_buf;

static doppel__sketch view_of(sketch_buf *b)
{
    doppel__sketch v = {b->values, b->positions, b->lede, b->entities,
                        &b->meta};
    return v;
}

static void assert_same_sketch(const sketch_buf *a, const sketch_buf *b,
                               unsigned K, const char *what, size_t doc)
{
    ck_assert_msg(memcmp(a->values, b->values, K * sizeof(doppel__mh)) == 0,
                  "%s, text %zu: values differ", what, doc);
    ck_assert_msg(memcmp(a->positions, b->positions, K) == 0,
                  "%s, text %zu: positions differ", what, doc);
    ck_assert_msg(memcmp(a->lede, b->lede, sizeof a->lede) == 0,
                  "%s, text %zu: lede differs", what, doc);
    ck_assert_msg(memcmp(a->entities, b->entities, sizeof a->entities) == 0,
                  "%s, text %zu: entities differ", what, doc);
    ck_assert_msg(a->meta.flags == b->meta.flags &&
                      a->meta.num_words == b->meta.num_words &&
                      a->meta.num_shingles == b->meta.num_shingles &&
                      a->meta.num_entities == b->meta.num_entities &&
                      memcmp(&a->meta.rarity, &b->meta.rarity,
                             sizeof(float)) == 0,
                  "%s, text %zu: meta (%u %u %u %u %g) vs reference "
                  "(%u %u %u %u %g)",
                  what, doc, a->meta.flags, a->meta.num_words,
                  a->meta.num_shingles, a->meta.num_entities,
                  (double)a->meta.rarity, b->meta.flags, b->meta.num_words,
                  b->meta.num_shingles, b->meta.num_entities,
                  (double)b->meta.rarity);
}

typedef struct param_case {
    const char *name;
    doppel_shingle_kind shingle;
    unsigned size, K;
    doppel_minhash_kind minhash;
    uint64_t seed;
} param_case;

static const param_case param_cases[] = {
    {"skeleton-6 (default)", DOPPEL_SHINGLE_SKELETON, 0, 128,
     DOPPEL_MINHASH_ONE_PERM, 0},
    {"skeleton-4, K=200, seed 11", DOPPEL_SHINGLE_SKELETON, 4, 200,
     DOPPEL_MINHASH_ONE_PERM, 11},
    {"skeleton, K=16", DOPPEL_SHINGLE_SKELETON, 0, 16,
     DOPPEL_MINHASH_ONE_PERM, 9},
    {"skeleton, K=4096", DOPPEL_SHINGLE_SKELETON, 0, 4096,
     DOPPEL_MINHASH_ONE_PERM, 5},
    {"word-5, seed 7", DOPPEL_SHINGLE_WORD, 0, 128, DOPPEL_MINHASH_ONE_PERM,
     7},
    {"word-1", DOPPEL_SHINGLE_WORD, 1, 64, DOPPEL_MINHASH_ONE_PERM, 0},
    {"word-9", DOPPEL_SHINGLE_WORD, 9, 128, DOPPEL_MINHASH_ONE_PERM, 0},
    {"char-5, K=64", DOPPEL_SHINGLE_CHAR, 0, 64, DOPPEL_MINHASH_ONE_PERM, 3},
    {"skeleton, k-perm", DOPPEL_SHINGLE_SKELETON, 0, 128,
     DOPPEL_MINHASH_K_PERM, 0},
    {"word-5, k-perm, K=256", DOPPEL_SHINGLE_WORD, 0, 256,
     DOPPEL_MINHASH_K_PERM, 1},
};

START_TEST(test_sketch_matches_reference)
{
    const param_case *pc = &param_cases[_i];
    corpus c;
    build_corpus(&c);
    doppel_params p = DOPPEL_PARAMS_INIT;
    p.shingle = pc->shingle;
    p.shingle_size = pc->size;
    p.num_perm = pc->K;
    p.minhash = pc->minhash;
    p.seed = pc->seed;
    doppel_error err = {0};
    ck_assert_int_eq(doppel_params_resolve(&p, &p, &err), DOPPEL_OK);
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, &err), DOPPEL_OK);
    sketch_buf *got = calloc(1, sizeof *got), *want = calloc(1, sizeof *want);
    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_nonnull(want);
    doppel__scratch sc;
    memset(&sc, 0, sizeof sc);
    /* k-perm is slow by design: every eighth text is enough */
    size_t step = pc->minhash == DOPPEL_MINHASH_K_PERM ? 8 : 1;
    for (size_t i = 0; i < c.n; i += step) {
        doppel__sketch vg = view_of(got), vw = view_of(want);
        ck_assert_int_eq(ref_sketch(&p, c.t[i].s, c.t[i].n, &vw), 0);
        ck_assert_int_eq(doppel__sketch_into(sk, &sc, c.t[i].s, c.t[i].n,
                                             &vg, &err),
                         DOPPEL_OK);
        assert_same_sketch(got, want, pc->K, pc->name, i);
    }
    doppel__scratch_free(&sc, NULL);
    doppel_sketcher_free(sk);
    free(got);
    free(want);
    corpus_free(&c);
}
END_TEST

/* The sketch values of the Wikinews articles under the default
 * parameters, pinned: XXH3 of every sketch part of every article in
 * order. Changing it means signatures change: bump
 * DOPPEL__SKETCH_ALGORITHM (signature.c) and update the digest. */
#define WIKINEWS_DEFAULT_DIGEST 0x426b2bb468555ddfull

START_TEST(test_wikinews_digest)
{
    corpus c;
    memset(&c, 0, sizeof c);
    add_wikinews(&c);
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_error err = {0};
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, &err), DOPPEL_OK);
    sketch_buf *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    doppel__scratch sc;
    memset(&sc, 0, sizeof sc);
    size_t K = doppel_sketcher_params(sk)->num_perm;
    size_t per = K * sizeof(doppel__mh) + K + sizeof b->lede +
                 sizeof b->entities + 4 * sizeof(uint32_t) + sizeof(float);
    unsigned char *all = malloc(per * c.n);
    ck_assert_ptr_nonnull(all);
    unsigned char *q = all;
    for (size_t i = 0; i < c.n; i++) {
        doppel__sketch v = view_of(b);
        ck_assert_int_eq(
            doppel__sketch_into(sk, &sc, c.t[i].s, c.t[i].n, &v, &err),
            DOPPEL_OK);
        memcpy(q, b->values, K * sizeof(doppel__mh));
        q += K * sizeof(doppel__mh);
        memcpy(q, b->positions, K);
        q += K;
        memcpy(q, b->lede, sizeof b->lede);
        q += sizeof b->lede;
        memcpy(q, b->entities, sizeof b->entities);
        q += sizeof b->entities;
        uint32_t m[4] = {b->meta.flags, b->meta.num_words,
                         b->meta.num_shingles, b->meta.num_entities};
        memcpy(q, m, sizeof m);
        q += sizeof m;
        memcpy(q, &b->meta.rarity, sizeof(float));
        q += sizeof(float);
    }
    uint64_t digest = doppel__hash_bytes(all, (size_t)(q - all), 0);
    ck_assert_msg(digest == WIKINEWS_DEFAULT_DIGEST,
                  "Wikinews sketches changed: digest %016llx",
                  (unsigned long long)digest);
    free(all);
    free(b);
    doppel__scratch_free(&sc, NULL);
    doppel_sketcher_free(sk);
    corpus_free(&c);
}
END_TEST

/* ----------------------------------------------------------- MinHash */

START_TEST(test_minhash_matches_reference)
{
    static const unsigned Ks[] = {16, 32, 128, 200, 4096};
    static const size_t ns[] = {0, 1, 2, 3, 5, 16, 31, 48, 100, 128, 300,
                                1000, 5000};
    uint64_t st = 77;
    size_t maxn = 5000;
    uint64_t *h = malloc(maxn * sizeof *h);
    uint8_t *pos = malloc(maxn);
    doppel__mh *v1 = malloc(4096 * sizeof *v1), *v2 = malloc(4096 * sizeof *v2);
    uint8_t *p1 = malloc(4096), *p2 = malloc(4096);
    ck_assert(h && pos && v1 && v2 && p1 && p2);
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        unsigned K = Ks[ki];
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
            size_t n = ns[ni];
            for (int rep = 0; rep < 4; rep++) {
                /* repeats and equal low halves, as real shingles have */
                for (size_t i = 0; i < n; i++) {
                    uint64_t r = rng_next(&st);
                    h[i] = rep == 1 && i > 0 && r % 3 == 0 ? h[r % i] : r;
                    if (rep == 2)
                        h[i] &= 0xFFFFFFFF0000FFFFull;
                    if (rep == 3)
                        h[i] |= 0xFFFFFFFFull;
                    pos[i] = (uint8_t)(n > 1 ? i * 255 / (n - 1) : 0);
                }
                uint64_t seed = rng_next(&st);
                unsigned f1 = doppel__minhash_one_perm(h, pos, n, K, seed, v1,
                                                       p1);
                unsigned f2 = ref_minhash_one_perm(h, pos, n, K, seed, v2, p2);
                ck_assert_uint_eq(f1, f2);
                ck_assert_msg(memcmp(v1, v2, K * sizeof *v1) == 0,
                              "K=%u n=%zu rep %d: values differ", K, n, rep);
                ck_assert_msg(memcmp(p1, p2, K) == 0,
                              "K=%u n=%zu rep %d: positions differ", K, n,
                              rep);
                f1 = doppel__minhash_one_perm(h, NULL, n, K, seed, v1, NULL);
                f2 = ref_minhash_one_perm(h, NULL, n, K, seed, v2, NULL);
                ck_assert_uint_eq(f1, f2);
                ck_assert_msg(memcmp(v1, v2, K * sizeof *v1) == 0,
                              "K=%u n=%zu rep %d: values differ (no "
                              "positions)",
                              K, n, rep);
                /* with the sketcher's cached densification probes */
                uint16_t *probes =
                    malloc(K * DOPPEL__OPH_PROBES_CACHED * sizeof *probes);
                ck_assert_ptr_nonnull(probes);
                doppel__oph_probes(probes, K, seed);
                f1 = doppel__minhash_one_perm_probed(h, pos, n, K, seed,
                                                     probes, v1, p1);
                f2 = ref_minhash_one_perm(h, pos, n, K, seed, v2, p2);
                ck_assert_uint_eq(f1, f2);
                ck_assert_msg(memcmp(v1, v2, K * sizeof *v1) == 0 &&
                                  memcmp(p1, p2, K) == 0,
                              "K=%u n=%zu rep %d: cached probes differ", K,
                              n, rep);
                f1 = doppel__minhash_one_perm_probed(h, NULL, n, K, seed,
                                                     probes, v1, NULL);
                f2 = ref_minhash_one_perm(h, NULL, n, K, seed, v2, NULL);
                ck_assert_uint_eq(f1, f2);
                ck_assert_msg(memcmp(v1, v2, K * sizeof *v1) == 0,
                              "K=%u n=%zu rep %d: cached probes differ (no "
                              "positions)",
                              K, n, rep);
                free(probes);
            }
        }
    }
    free(h);
    free(pos);
    free(v1);
    free(v2);
    free(p1);
    free(p2);
}
END_TEST

/* --------------------------------------------------- thread counts */

/* The same documents give the same pairs and clusters on 1, 2 and 3
 * threads, added one by one or in batches. */
START_TEST(test_dedup_same_for_any_thread_count)
{
    corpus c;
    memset(&c, 0, sizeof c);
    add_wikinews(&c);
    /* copies: every article again, cut at three quarters */
    size_t base = c.n;
    for (size_t i = 0; i < base; i++)
        corpus_add(&c, c.t[i].s, c.t[i].n * 3 / 4);
    add_synthetic(&c, 9, 200);
    doppel_doc *docs = calloc(c.n, sizeof *docs);
    char (*ids)[24] = calloc(c.n, sizeof *ids);
    ck_assert(docs && ids);
    for (size_t i = 0; i < c.n; i++) {
        snprintf(ids[i], sizeof ids[i], "d%zu", i);
        docs[i].id = ids[i];
        docs[i].id_len = strlen(ids[i]);
        docs[i].text = c.t[i].s;
        docs[i].text_len = c.t[i].n;
        docs[i].date = DOPPEL_NO_DATE;
    }
    const doppel_pair *ref_pairs = NULL;
    size_t ref_n = 0;
    doppel_dedup *ref = NULL;
    doppel_error err = {0};
    for (unsigned threads = 1; threads <= 3; threads++) {
        doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
        o.threads = threads;
        doppel_dedup *d = NULL;
        ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
        if (threads == 2) {
            for (size_t i = 0; i < c.n; i++)
                ck_assert_int_eq(doppel_dedup_add(d, &docs[i], &err),
                                 DOPPEL_OK);
        } else {
            for (size_t i = 0; i < c.n; i += 333) {
                size_t m = c.n - i < 333 ? c.n - i : 333;
                ck_assert_int_eq(doppel_dedup_add_batch(d, docs + i, m, &err),
                                 DOPPEL_OK);
            }
        }
        ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
        const doppel_pair *pairs;
        size_t np;
        ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, &err), DOPPEL_OK);
        if (!ref) {
            ref = d;
            ref_pairs = pairs;
            ref_n = np;
            ck_assert_uint_gt(np, base / 2); /* the cut copies are found */
            continue;
        }
        ck_assert_uint_eq(np, ref_n);
        for (size_t i = 0; i < np; i++) {
            ck_assert_uint_eq(pairs[i].a, ref_pairs[i].a);
            ck_assert_uint_eq(pairs[i].b, ref_pairs[i].b);
            ck_assert(pairs[i].similarity == ref_pairs[i].similarity);
        }
        for (size_t i = 0; i < c.n; i++) {
            doppel_member m1, m2;
            ck_assert_int_eq(doppel_dedup_member(d, i, &m1, &err), DOPPEL_OK);
            ck_assert_int_eq(doppel_dedup_member(ref, i, &m2, &err),
                             DOPPEL_OK);
            ck_assert_uint_eq(m1.representative, m2.representative);
            ck_assert_uint_eq(m1.cluster_size, m2.cluster_size);
            ck_assert(m1.similarity == m2.similarity);
        }
        doppel_dedup_free(d);
    }
    doppel_dedup_free(ref);
    free(docs);
    free(ids);
    corpus_free(&c);
}
END_TEST

/* The timing hook counts what it should; results do not depend on it;
 * version-1 options (without stage_timings) are still accepted. */
START_TEST(test_dedup_timings)
{
    corpus c;
    memset(&c, 0, sizeof c);
    add_wikinews(&c);
    doppel_doc *docs = calloc(c.n, sizeof *docs);
    ck_assert_ptr_nonnull(docs);
    uint64_t bytes = 0;
    for (size_t i = 0; i < c.n; i++) {
        docs[i].text = c.t[i].s;
        docs[i].text_len = c.t[i].n;
        docs[i].date = DOPPEL_NO_DATE;
        bytes += c.t[i].n;
    }
    doppel_error err = {0};
    size_t clusters[3];
    for (int mode = 0; mode < 3; mode++) {
        doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
        o.threads = 2;
        o.stage_timings = mode == 1;
        if (mode == 2)
            o.version = 1; /* an older caller: no stage_timings field */
        doppel_dedup *d = NULL;
        ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
        ck_assert_int_eq(doppel_dedup_add_batch(d, docs, c.n, &err),
                         DOPPEL_OK);
        ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
        doppel_dedup_timings t;
        ck_assert_int_eq(doppel_dedup_timings_get(d, &t, &err), DOPPEL_OK);
        ck_assert_uint_eq(t.documents, c.n);
        ck_assert_uint_eq(t.bytes, bytes);
        if (mode == 1)
            ck_assert_uint_gt(t.tokenize_ns + t.shingle_ns + t.minhash_ns,
                              0);
        else
            ck_assert_uint_eq(t.tokenize_ns + t.shingle_ns + t.minhash_ns,
                              0);
        doppel_dedup_stats st;
        ck_assert_int_eq(doppel_dedup_stats_get(d, &st, &err), DOPPEL_OK);
        clusters[mode] = st.clusters;
        doppel_dedup_free(d);
    }
    ck_assert_uint_eq(clusters[0], clusters[1]);
    ck_assert_uint_eq(clusters[0], clusters[2]);
    doppel_dedup_opts bad = DOPPEL_DEDUP_OPTS_INIT;
    bad.version = 99;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &bad, &err), DOPPEL_ERR_PARAM);
    free(docs);
    corpus_free(&c);
}
END_TEST

Suite *suite_sketch(void)
{
    Suite *s = suite_create("sketch");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_tokenizers_match_reference);
    tcase_add_test(tc, test_tokenizers_every_cut);
    tcase_add_loop_test(tc, test_sketch_matches_reference, 0,
                        (int)(sizeof param_cases / sizeof param_cases[0]));
    tcase_add_test(tc, test_wikinews_digest);
    tcase_add_test(tc, test_minhash_matches_reference);
    tcase_add_test(tc, test_dedup_same_for_any_thread_count);
    tcase_add_test(tc, test_dedup_timings);
    suite_add_tcase(s, tc);
    return s;
}
