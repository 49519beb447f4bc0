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

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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

/* Every way a stored signature can be damaged is refused with the byte it
 * concerns (none is ever returned half-read): cut short, bad magic, a
 * future format version, K out of range, a length that does not match K,
 * any flipped bit (the checksum), and a signature from other parameters
 * or another version of the sketching algorithm. */
START_TEST(test_signature_corrupt)
{
    size_t len;
    unsigned char *good = serialized(&len);
    unsigned char *buf = malloc(len + 1);
    doppel_signature *sig = NULL;
    doppel_error err = {0, {0}};
    struct {
        size_t cut;   /* length given */
        size_t at;    /* byte changed (or len: none) */
        unsigned char to;
        int fix_sum;  /* make the checksum match again */
        int rc;
        const char *message;
    } cases[] = {
        {0, 0, 0, 0, DOPPEL_ERR_CORRUPT,
         "signature truncated: 0 bytes, the header alone needs 56"},
        {55, 0, 0, 0, DOPPEL_ERR_CORRUPT,
         "signature truncated: 55 bytes, the header alone needs 56"},
        {len, 0, 'X', 0, DOPPEL_ERR_CORRUPT,
         "not a doppel signature: bad magic at byte 0"},
        {len, 4, 3, 0, DOPPEL_ERR_VERSION,
         "signature format version 2 is not supported (this library reads "
         "version 1)"},
        {len, 20, 0x88, 0, DOPPEL_ERR_CORRUPT,
         "signature corrupt: num_perm 8 at byte 20 is out of range"},
        {len - 1, len, 0, 0, DOPPEL_ERR_CORRUPT,
         "signature of K=128 must be 568 bytes, got 567"},
        {len + 1, len, 0, 0, DOPPEL_ERR_CORRUPT,
         "signature of K=128 must be 568 bytes, got 569"},
        {len, 100, 0x5a, 0, DOPPEL_ERR_CORRUPT,
         "signature corrupt: checksum mismatch at byte 560"},
        {len, 24, 1, 1, DOPPEL_ERR_MISMATCH, NULL}, /* another seed */
        {len, 8, 0x01, 1, DOPPEL_ERR_MISMATCH, NULL}, /* fingerprint */
        {len, 16, 0x0a, 1, DOPPEL_ERR_CORRUPT,
         "signature corrupt: shingle must be DOPPEL_SHINGLE_WORD (1), "
         "DOPPEL_SHINGLE_CHAR (2) or DOPPEL_SHINGLE_SKELETON (3), got 9"},
    };
    ck_assert_uint_eq(len, 568);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, good, len);
        buf[len] = 0;
        if (cases[i].at < len)
            buf[cases[i].at] ^= cases[i].to;
        if (cases[i].fix_sum)
            patch32(buf, len, 44, 0); /* rarity 0, checksum recomputed */
        sig = (doppel_signature *)buf;
        memset(&err, 0, sizeof err);
        int rc = doppel_signature_deserialize(&sig, buf, cases[i].cut, NULL,
                                              &err);
        ck_assert_msg(rc == cases[i].rc, "case %zu: %d %s", i, rc,
                      err.message);
        ck_assert_ptr_null(sig);
        if (cases[i].message)
            ck_assert_str_eq(err.message, cases[i].message);
        else
            ck_assert_ptr_nonnull(strstr(err.message, "fingerprint"));
    }
    /* Every single flipped bit is caught. */
    for (size_t at = 0; at < len; at++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(buf, good, len);
            buf[at] ^= (unsigned char)(1u << bit);
            sig = NULL;
            ck_assert_int_lt(
                doppel_signature_deserialize(&sig, buf, len, NULL, NULL), 0);
            ck_assert_ptr_null(sig);
        }
    }
    free(buf);
    free(good);
}
END_TEST

/* ------------------------------------------------------------ helpers */

/* Large tests (a 64 MiB line, a 1 GiB sparse file, a million records) are
 * skipped when DOPPEL_TEST_SKIP_LARGE is set: tools/valgrind sets it, as
 * memcheck would take many minutes over them. Every other build runs
 * them. */
static int skip_large(void)
{
    const char *v = getenv("DOPPEL_TEST_SKIP_LARGE");
    if (v && *v && strcmp(v, "0") != 0) {
        fprintf(stderr, "(large test skipped: DOPPEL_TEST_SKIP_LARGE)\n");
        return 1;
    }
    return 0;
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* What a reader made of one input. */
typedef struct reading {
    int rc;           /* 0 at the end, or the error */
    size_t n;         /* records */
    size_t text_len[4];
    size_t id_len[4];
    char text[4][64]; /* the first 63 bytes of each text */
    doppel_reader_stats st;
    char message[DOPPEL_ERROR_MESSAGE_MAX];
} reading;

static reading read_path(const char *path, const doppel_reader_opts *o)
{
    reading r;
    memset(&r, 0, sizeof r);
    doppel_reader *rd = NULL;
    doppel_error err = {0, {0}};
    const char *paths[] = {path};
    ck_assert_int_eq(doppel_reader_open(&rd, paths, 1, o, &err), DOPPEL_OK);
    doppel_record rec;
    while ((r.rc = doppel_reader_next(rd, &rec, &err)) == 1) {
        if (r.n < 4) {
            r.text_len[r.n] = rec.text_len;
            r.id_len[r.n] = rec.id_len;
            size_t k = rec.text_len < 63 ? rec.text_len : 63;
            memcpy(r.text[r.n], rec.text, k);
            r.text[r.n][k] = '\0';
        }
        r.n++;
    }
    if (r.rc < 0) {
        ck_assert_int_eq(err.code, r.rc);
        strcpy(r.message, err.message);
    }
    doppel_reader_stats_get(rd, &r.st);
    doppel_reader_free(rd);
    return r;
}

static doppel_reader_opts reader_opts(void)
{
    doppel_reader_opts o = DOPPEL_READER_OPTS_INIT;
    return o;
}

static doppel_dedup *new_dedup(size_t max_docs)
{
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.max_docs = max_docs;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
    return d;
}

static doppel_doc doc(const char *id, const char *text)
{
    doppel_doc d = {id, strlen(id), text, strlen(text), DOPPEL_NO_DATE};
    return d;
}

/* --------------------------------------------------------------- limits */

/* DOPPEL_MAX_TEXT_BYTES: longer texts are refused before a byte of them is
 * read (the buffer here is one byte; ASan and valgrind would catch a
 * read). */
START_TEST(test_sketch_text_limit)
{
    ck_assert_uint_eq(DOPPEL_MAX_TEXT_BYTES, (size_t)1 << 30);
    char *one = malloc(1);
    one[0] = 'a';
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    doppel_signature *sig = (doppel_signature *)one;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_sketch(sk, one, DOPPEL_MAX_TEXT_BYTES + 1, &sig,
                                   &err),
                     DOPPEL_ERR_LIMIT);
    ck_assert_ptr_null(sig);
    ck_assert_str_eq(err.message, "document of 1073741825 bytes exceeds the "
                                  "limit of 1073741824 bytes");
    doppel_sketcher_free(sk);

    doppel_dedup *d = new_dedup(0);
    doppel_doc docs[2] = {doc("a", "first words here"), doc("b", "x")};
    docs[1].text = one;
    docs[1].text_len = DOPPEL_MAX_TEXT_BYTES + 1;
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 2, &err),
                     DOPPEL_ERR_LIMIT);
    ck_assert_str_eq(err.message, "document 1: document of 1073741825 bytes "
                                  "exceeds the limit of 1073741824 bytes");
    ck_assert_uint_eq(doppel_dedup_count(d), 0); /* none of the batch */
    ck_assert_int_eq(doppel_dedup_add(d, &docs[0], &err), DOPPEL_OK);
    ck_assert_uint_eq(doppel_dedup_count(d), 1);
    doppel_dedup_free(d);
    free(one);
}
END_TEST

/* doppel_dedup_opts.max_docs: the documents beyond it are refused with the
 * advice to use an index; the dedup keeps working with what it has. */
START_TEST(test_max_docs)
{
    ck_assert_uint_eq(DOPPEL_DEFAULT_MAX_DOCS, 50000000u);
    doppel_dedup_opts init = DOPPEL_DEDUP_OPTS_INIT;
    ck_assert_uint_eq(init.max_docs, DOPPEL_DEFAULT_MAX_DOCS);
    doppel_dedup *d = new_dedup(3);
    doppel_error err = {0, {0}};
    doppel_doc docs[4] = {doc("a", "the same words in the same order"),
                          doc("b", "the same words in the same order"),
                          doc("c", "something else entirely, said Anna"),
                          doc("d", "one too many")};
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 2, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs + 2, 2, &err),
                     DOPPEL_ERR_LIMIT);
    ck_assert_str_eq(err.message,
                     "an in-memory dedup holds at most max_docs = 3 "
                     "documents (it has 2, 2 more were added); for larger "
                     "corpora use an index (doppel index)");
    ck_assert_uint_eq(doppel_dedup_count(d), 2);
    ck_assert_int_eq(doppel_dedup_add(d, &docs[2], &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_add(d, &docs[3], &err), DOPPEL_ERR_LIMIT);
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(sk, "x y z", 5, &sig, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_add_signature(d, "s", 1, sig,
                                                DOPPEL_NO_DATE, &err),
                     DOPPEL_ERR_LIMIT);
    ck_assert_uint_eq(doppel_dedup_count(d), 3);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
    doppel_member m;
    ck_assert_int_eq(doppel_dedup_member(d, 1, &m, &err), DOPPEL_OK);
    ck_assert_uint_eq(m.representative, 0);
    ck_assert_int_eq(doppel_dedup_member(d, 3, &m, &err),
                     DOPPEL_ERR_NOTFOUND);
    doppel_dedup_free(d);

    /* 0 is the default; beyond DOPPEL_MAX_DOCS is a parameter error; a
     * version 1 struct has no max_docs (whatever follows is not read). */
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.max_docs = (size_t)DOPPEL_MAX_DOCS + 1;
    d = (doppel_dedup *)&o;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(err.message,
                     "max_docs must be in [0, 4294967294], got 4294967295");
    o.version = 1;
    o.max_docs = 1;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 3, &err), DOPPEL_OK);
    doppel_dedup_free(d);
    o.version = 3;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "opts.version must be 1 or 2, got 3 "
                                  "(initialise with DOPPEL_DEDUP_OPTS_INIT)");
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
}
END_TEST

/* DOPPEL_MAX_ID_BYTES, in the dedup and in the reader (string ids and
 * numeric ids, which are kept as written), stopping or skipping. */
START_TEST(test_id_length_limit)
{
    ck_assert_int_eq(DOPPEL_MAX_ID_BYTES, 65536);
    size_t big = DOPPEL_MAX_ID_BYTES + 1;
    char *id = malloc(big);
    memset(id, 'i', big);
    doppel_dedup *d = new_dedup(0);
    doppel_error err = {0, {0}};
    doppel_doc docs[2] = {doc("a", "text one"), doc("b", "text two")};
    docs[1].id = id;
    docs[1].id_len = big;
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 2, &err),
                     DOPPEL_ERR_LIMIT);
    ck_assert_str_eq(err.message, "document 1: id of 65537 bytes is longer "
                                  "than the limit of 65536 bytes");
    ck_assert_uint_eq(doppel_dedup_count(d), 0);
    docs[1].id_len = DOPPEL_MAX_ID_BYTES;
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 2, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
    doppel_member m;
    ck_assert_int_eq(doppel_dedup_member(d, 1, &m, &err), DOPPEL_OK);
    ck_assert_uint_eq(m.id_len, DOPPEL_MAX_ID_BYTES);
    ck_assert_int_eq(memcmp(m.id, id, m.id_len), 0);
    doppel_dedup_free(d);

    /* The reader: record 2 has a string id one byte too long, record 3 a
     * number of 65537 digits as its id. */
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "ids.jsonl");
    FILE *f = fopen(path, "wb");
    fprintf(f, "{\"id\":\"ok\",\"text\":\"first\"}\n{\"id\":\"");
    fwrite(id, 1, big, f);
    fprintf(f, "\",\"text\":\"second\"}\n{\"id\":");
    for (size_t i = 0; i < big; i++)
        fputc('1', f);
    fprintf(f, ",\"text\":\"third\"}\n{\"text\":\"fourth\"}\n");
    fclose(f);
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_LIMIT);
    ck_assert_uint_eq(r.n, 1);
    char want[600];
    snprintf(want, sizeof want,
             "%s:2: id of 65537 bytes is longer than the limit of 65536 "
             "bytes",
             path);
    ck_assert_str_eq(r.message, want);
    o.skip_oversize = 1;
    r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_str_eq(r.text[0], "first");
    ck_assert_str_eq(r.text[1], "fourth");
    ck_assert_uint_eq(r.st.oversize, 2);
    tu_rmtree(dir);
    free(path);
    free(dir);
    free(id);
}
END_TEST

/* The reader's default max_record_bytes is 64 MiB: a line of exactly that
 * is read, one byte more is an error naming the line, or skipped. (Large:
 * the lines are gzipped on disk, 64 MiB in memory.) */
START_TEST(test_record_limit_default)
{
    if (skip_large())
        return;
    const size_t limit = (size_t)64 << 20;
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "big.jsonl.gz");
    gzFile gz = gzopen(path, "wb1");
    ck_assert_ptr_nonnull(gz);
    char *chunk = malloc(1 << 20);
    memset(chunk, 'w', 1 << 20);
    for (int line = 0; line < 2; line++) {
        /* {"text":"www..."} of limit + line bytes in all. */
        size_t body = limit + (size_t)line - 11;
        gzputs(gz, "{\"text\":\"");
        for (size_t done = 0; done < body;) {
            size_t n = body - done < (1u << 20) ? body - done : (1u << 20);
            ck_assert_int_eq(gzwrite(gz, chunk, (unsigned)n), (int)n);
            done += n;
        }
        gzputs(gz, "\"}\r\n");
    }
    gzputs(gz, "{\"text\":\"after\"}\n");
    ck_assert_int_eq(gzclose(gz), Z_OK);
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_LIMIT);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.text_len[0], limit - 11);
    char want[600];
    snprintf(want, sizeof want,
             "%s:2: line longer than max_record_bytes (67108864 bytes)", path);
    ck_assert_str_eq(r.message, want);
    o.skip_oversize = 1;
    r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_str_eq(r.text[1], "after");
    ck_assert_uint_eq(r.st.oversize, 1);
    free(chunk);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* With max_record_bytes above 1 GiB, an article longer than the sketcher
 * takes is oversize in the reader already, with its file name. (Large: a
 * sparse file of 1 GiB + 1 bytes, read into memory.) */
START_TEST(test_reader_text_over_sketch_limit)
{
    if (skip_large())
        return;
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "huge.txt");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("words ", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(truncate(path, (off_t)DOPPEL_MAX_TEXT_BYTES + 1), 0);
    doppel_reader_opts o = reader_opts();
    o.max_record_bytes = (uint64_t)2 << 30;
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_LIMIT);
    char want[600];
    snprintf(want, sizeof want,
             "%s: text of 1073741825 bytes is longer than the limit of "
             "1073741824 bytes",
             path);
    ck_assert_str_eq(r.message, want);
    o.skip_oversize = 1;
    r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.st.oversize, 1);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* A chain of `levels` directories with 200-byte names under dir, built
 * with *at() calls so that it may go deeper than PATH_MAX; fds[i] is
 * level i (fds[0] = dir). Then a file `leaf` holding `content`. */
#define DEEP_MAX 32
typedef struct deep_tree {
    int fds[DEEP_MAX + 1];
    int levels;
    char name[201];
    const char *leaf;
} deep_tree;

static void deep_make(deep_tree *t, const char *dir, int levels,
                      const char *leaf, const char *content)
{
    ck_assert_int_le(levels, DEEP_MAX);
    memset(t->name, 'd', 200);
    t->name[200] = '\0';
    t->levels = levels;
    t->leaf = leaf;
    t->fds[0] = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(t->fds[0], 0);
    for (int i = 1; i <= levels; i++) {
        ck_assert_int_eq(mkdirat(t->fds[i - 1], t->name, 0700), 0);
        t->fds[i] = openat(t->fds[i - 1], t->name, O_RDONLY | O_DIRECTORY);
        ck_assert_int_ge(t->fds[i], 0);
    }
    int fd = openat(t->fds[levels], leaf, O_WRONLY | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, strlen(content)),
                     (ssize_t)strlen(content));
    close(fd);
}

static void deep_remove(deep_tree *t)
{
    unlinkat(t->fds[t->levels], t->leaf, 0);
    for (int i = t->levels; i >= 1; i--) {
        close(t->fds[i]);
        unlinkat(t->fds[i - 1], t->name, AT_REMOVEDIR);
    }
    close(t->fds[0]);
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n >= m && strcmp(s + n - m, end) == 0;
}

/* Error messages have room for 511 bytes; a path deep in a crawl could
 * fill them and cut off what went wrong. Long paths are shortened to
 * their start, "..." and their end, so the reason always shows: a tree
 * deeper than PATH_MAX, and a malformed line in a file 2.8 KB down. */
START_TEST(test_long_paths_in_messages)
{
    char *dir = tu_mkdtemp();
    deep_tree t;
    deep_make(&t, dir, 25, "a.txt", "words in a deep file");
    doppel_reader_opts o = reader_opts();
    reading r = read_path(dir, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_IO);
    ck_assert_msg(ends_with(r.message, ": File name too long"), "%s",
                  r.message);
    ck_assert_ptr_nonnull(strstr(r.message, "/ddd"));
    ck_assert_ptr_nonnull(strstr(r.message, "..."));
    ck_assert_uint_lt(strlen(r.message), 300);
    deep_remove(&t);

    deep_make(&t, dir, 14, "x.jsonl", "{bad\n");
    r = read_path(dir, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_msg(ends_with(r.message, "dd/x.jsonl:1: expected a string "
                                       "key, at column 2"),
                  "%s", r.message);
    ck_assert_int_eq(strncmp(r.message, dir, strlen(dir)), 0);
    ck_assert_ptr_nonnull(strstr(r.message, "..."));
    deep_remove(&t);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------- degenerate documents */

/* A sketch of `len` bytes, in a buffer of exactly that size. */
static doppel_signature *sketch_exact(const doppel_sketcher *sk,
                                      const void *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, text, len);
    doppel_signature *sig = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_sketch(sk, copy, len, &sig, &err), DOPPEL_OK);
    free(copy);
    return sig;
}

static doppel_sketcher *sketcher(doppel_shingle_kind kind)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    p.shingle = kind;
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    return sk;
}

static int self_duplicate(const doppel_signature *sig)
{
    doppel_match m;
    ck_assert_int_eq(doppel_signature_compare(sig, sig, NULL, &m, NULL),
                     DOPPEL_OK);
    return m.duplicate;
}

/* A binary file (every byte value, NUL bytes included) is one article by
 * the AUTO rule; its letters are words, everything else separates them.
 * NUL bytes inside JSON text (as \u0000) are the same. */
START_TEST(test_binary_file)
{
    unsigned char bin[1024];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)(i * 7 + i / 256);
    memset(bin, 0, 16);
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "blob.bin");
    tu_write_file(path, bin, sizeof bin);
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.text_len[0], sizeof bin);
    doppel_sketcher *sk = sketcher(DOPPEL_SHINGLE_SKELETON);
    doppel_signature *sig = sketch_exact(sk, bin, sizeof bin);
    ck_assert_int_eq(doppel_signature_is_empty(sig), 0);
    ck_assert(self_duplicate(sig));
    doppel_signature_free(sig);
    /* NUL bytes separate words like any punctuation. */
    char *w = words_of("one\0two\0\0three", 14);
    ck_assert_str_eq(w, "one two three");
    free(w);
    tu_write_file(path, "{\"text\":\"one\\u0000two\"}\n", 24);
    r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.text_len[0], 7);
    ck_assert_int_eq(memcmp(r.text[0], "one\0two", 7), 0);
    doppel_sketcher_free(sk);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* Invalid UTF-8 of every kind becomes U+FFFD, which separates words; a
 * sequence cut by the end of the text is not read past. */
START_TEST(test_invalid_utf8)
{
    static const struct {
        const char *in;
        size_t len;
        const char *words;
    } cases[] = {
        {"ab\xFF" "cd", 5, "ab cd"},               /* never valid */
        {"ab\x80" "cd", 5, "ab cd"},               /* stray continuation */
        {"ab\xC0\xAF" "cd", 6, "ab cd"},           /* overlong '/' */
        {"ab\xED\xA0\x80" "cd", 7, "ab cd"},       /* surrogate D800 */
        {"ab\xF4\x90\x80\x80" "cd", 8, "ab cd"},   /* above U+10FFFF */
        {"caf\xE9 au lait", 12, "caf au lait"},   /* Latin-1 */
        {"caf\xC3\xA9", 5, "cafe"},                /* the UTF-8 for it */
        {"abc\xE2\x82", 5, "abc"},                 /* cut at the end */
        {"abc\xF0", 4, "abc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *copy = malloc(cases[i].len);
        memcpy(copy, cases[i].in, cases[i].len);
        char *w = words_of(copy, cases[i].len);
        ck_assert_str_eq(w, cases[i].words);
        free(w);
        free(copy);
    }
}
END_TEST

/* Lines of only "\r" are blank lines in JSON Lines; an article of only
 * "\r" is an empty document; "\r\r\n" leaves a "\r" that JSON allows as
 * whitespace. */
START_TEST(test_only_cr)
{
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "cr.jsonl");
    const char *lines = "\r\r\r\n\r\n{\"text\":\"a b\"}\r\r\n\r";
    tu_write_file(path, lines, strlen(lines));
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.text[0], "a b");
    ck_assert_uint_eq(r.st.blank, 3);
    char *txt = path_in(dir, "cr.txt");
    tu_write_file(txt, "\r\r\r\r", 4);
    r = read_path(txt, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.text_len[0], 4);
    doppel_sketcher *sk = sketcher(DOPPEL_SHINGLE_SKELETON);
    doppel_signature *sig = sketch_exact(sk, "\r\r\r\r", 4);
    ck_assert_int_eq(doppel_signature_is_empty(sig), 1);
    ck_assert(!self_duplicate(sig));
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
    tu_rmtree(dir);
    free(txt);
    free(path);
    free(dir);
}
END_TEST

/* Empty documents (no bytes, only spaces, only punctuation) are kept,
 * counted, and paired with nothing, not even each other. */
START_TEST(test_empty_documents)
{
    doppel_dedup *d = new_dedup(0);
    doppel_doc docs[5] = {doc("e1", ""), doc("e2", "   \n\t "),
                          doc("e3", "... !!! --- \"\""),
                          doc("e4", ""), doc("real", "some words")};
    docs[0].text = NULL; /* with length 0, NULL is fine */
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 5, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
    const doppel_pair *pairs;
    size_t n;
    ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &n, &err), DOPPEL_OK);
    ck_assert_uint_eq(n, 0);
    doppel_dedup_stats st;
    ck_assert_int_eq(doppel_dedup_stats_get(d, &st, &err), DOPPEL_OK);
    ck_assert_uint_eq(st.documents, 5);
    ck_assert_uint_eq(st.empty_documents, 4);
    ck_assert_uint_eq(st.clusters, 5);
    for (size_t i = 0; i < 5; i++) {
        doppel_member m;
        ck_assert_int_eq(doppel_dedup_member(d, i, &m, &err), DOPPEL_OK);
        ck_assert_uint_eq(m.representative, i);
        ck_assert_uint_eq(m.cluster_size, 1);
    }
    doppel_dedup_free(d);
}
END_TEST

/* One word of 8 MB: one token, one shingle (word kinds) or eight million
 * (characters); a copy with its last byte changed is a different word,
 * and nearly the same string of characters. */
START_TEST(test_enormous_word)
{
    size_t n = (size_t)8 << 20;
    char *w = malloc(n);
    uint32_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        w[i] = (char)('a' + (x >> 24) % 26);
    }
    w[n - 1] = 'x';
    doppel__tokens t;
    memset(&t, 0, sizeof t);
    ck_assert_int_eq(doppel__tokenize(w, n, &t, NULL), DOPPEL_OK);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_uint_eq(t.len[0], n);
    doppel__tokens_free(&t, NULL);
    static const doppel_shingle_kind kinds[] = {
        DOPPEL_SHINGLE_WORD, DOPPEL_SHINGLE_CHAR, DOPPEL_SHINGLE_SKELETON};
    for (size_t k = 0; k < 3; k++) {
        doppel_sketcher *sk = sketcher(kinds[k]);
        doppel_signature *a = sketch_exact(sk, w, n);
        w[n - 1] = 'y';
        doppel_signature *b = sketch_exact(sk, w, n);
        w[n - 1] = 'x';
        ck_assert_int_eq(doppel_signature_is_empty(a), 0);
        ck_assert(self_duplicate(a));
        double sim;
        ck_assert_int_eq(doppel_signature_similarity(a, b, &sim, NULL),
                         DOPPEL_OK);
        if (kinds[k] == DOPPEL_SHINGLE_CHAR)
            ck_assert(sim > 0.9); /* all but the last 5-gram agree */
        else
            ck_assert(sim < 0.1); /* one shingle, and it differs */
        doppel_signature_free(a);
        doppel_signature_free(b);
        doppel_sketcher_free(sk);
    }
    free(w);
}
END_TEST

/* Nesting far beyond the parser's limit of 512 is a clear error at the
 * bracket that crosses it (and no deep recursion); skipped as malformed
 * when asked. */
START_TEST(test_deep_nesting)
{
    const size_t depth = 100000;
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "deep.jsonl");
    FILE *f = fopen(path, "wb");
    fputs("{\"a\":", f);
    for (size_t i = 0; i < depth; i++)
        fputc('[', f);
    for (size_t i = 0; i < depth; i++)
        fputc(']', f);
    fputs(",\"text\":\"deep\"}\n{\"text\":\"{[[[\"}\n", f);
    fclose(f);
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    char want[600];
    /* '{' is depth 0; the 512th '[' is at byte 5 + 511, column 517. */
    snprintf(want, sizeof want,
             "%s:1: nesting deeper than 512 levels, at column 517", path);
    ck_assert_str_eq(r.message, want);
    o.skip_malformed = 1;
    r = read_path(path, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.text[0], "{[[[");
    ck_assert_uint_eq(r.st.malformed, 1);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* Huge numbers: any JSON number is valid in a field doppel ignores; as an
 * id it is kept as written; as a date it must fit Unix seconds. */
START_TEST(test_huge_numbers)
{
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "n.jsonl");
    FILE *f = fopen(path, "wb");
    fputs("{\"x\":1e999999999999999999,\"y\":-", f);
    for (int i = 0; i < 1000000; i++)
        fputc('9', f);
    fputs(".5E-99999,\"text\":\"ignored fields\"}\n", f);
    fputs("{\"id\":123456789012345678901234567890e-7,\"text\":\"id\"}\n", f);
    fputs("{\"date\":9223372036854775808,\"text\":\"late\"}\n", f);
    fclose(f);
    doppel_reader_opts o = reader_opts();
    reading r = read_path(path, &o);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_str_eq(r.text[0], "ignored fields");
    ck_assert_uint_eq(r.id_len[1], strlen("123456789012345678901234567890e-7"));
    char want[600];
    snprintf(want, sizeof want,
             "%s:3: field \"date\": 9223372036854775808 Unix seconds out of "
             "range, at column 9",
             path);
    ck_assert_str_eq(r.message, want);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* A million records: nearly all empty, two pairs of copies among them.
 * Every record becomes a document, numbered in order, and the copies are
 * found. (Large: ~200 MB.) */
START_TEST(test_million_tiny_documents)
{
    if (skip_large())
        return;
    const size_t n = 1000000;
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "many.jsonl");
    FILE *f = fopen(path, "wb");
    const char *copy1 = "{\"text\":\"Police said on Monday that the bridge "
                        "over the river would stay closed until Friday\"}\n";
    const char *copy2 = "{\"text\":\"The council voted to raise the tax on "
                        "empty homes from April by a third\"}\n";
    for (size_t i = 0; i < n; i++) {
        if (i == 10 || i == n - 1)
            fputs(copy1, f);
        else if (i == 500000 || i == 500001)
            fputs(copy2, f);
        else
            fputs(i % 2 ? "{\"text\":\"\"}\n" : "{\"text\":\"...\"}\n", f);
    }
    fclose(f);
    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    opts.params.num_perm = 16;
    opts.params.bands = 8;
    opts.params.rows = 2;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &opts, &err), DOPPEL_OK);
    doppel_reader *rd = NULL;
    const char *paths[] = {path};
    ck_assert_int_eq(doppel_reader_open(&rd, paths, 1, NULL, &err),
                     DOPPEL_OK);
    doppel_record rec;
    int rc;
    while ((rc = doppel_reader_next(rd, &rec, &err)) == 1) {
        doppel_doc dd = {rec.id, rec.id_len, rec.text, rec.text_len,
                         rec.date};
        ck_assert_int_eq(doppel_dedup_add(d, &dd, &err), DOPPEL_OK);
    }
    ck_assert_int_eq(rc, 0);
    doppel_reader_free(rd);
    ck_assert_uint_eq(doppel_dedup_count(d), n);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
    const doppel_pair *pairs;
    size_t np;
    ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, &err), DOPPEL_OK);
    ck_assert_uint_eq(np, 2);
    ck_assert_uint_eq(pairs[0].a, 10);
    ck_assert_uint_eq(pairs[0].b, n - 1);
    ck_assert_uint_eq(pairs[1].a, 500000);
    ck_assert_uint_eq(pairs[1].b, 500001);
    doppel_member m;
    ck_assert_int_eq(doppel_dedup_member(d, n - 1, &m, &err), DOPPEL_OK);
    char want[600];
    snprintf(want, sizeof want, "%s:%zu", path, n);
    ck_assert_uint_eq(m.id_len, strlen(want));
    ck_assert_int_eq(memcmp(m.id, want, m.id_len), 0);
    ck_assert_uint_eq(m.representative, 10);
    doppel_dedup_stats st;
    ck_assert_int_eq(doppel_dedup_stats_get(d, &st, &err), DOPPEL_OK);
    ck_assert_uint_eq(st.empty_documents, n - 4);
    doppel_dedup_free(d);
    tu_rmtree(dir);
    free(path);
    free(dir);
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
    tcase_add_test(fz, test_signature_corrupt);
    suite_add_tcase(s, fz);
    TCase *lim = tcase_create("limits");
    tcase_set_timeout(lim, 600);
    tcase_add_test(lim, test_sketch_text_limit);
    tcase_add_test(lim, test_max_docs);
    tcase_add_test(lim, test_id_length_limit);
    tcase_add_test(lim, test_record_limit_default);
    tcase_add_test(lim, test_reader_text_over_sketch_limit);
    tcase_add_test(lim, test_long_paths_in_messages);
    suite_add_tcase(s, lim);
    TCase *deg = tcase_create("degenerate");
    tcase_set_timeout(deg, 600);
    tcase_add_test(deg, test_binary_file);
    tcase_add_test(deg, test_invalid_utf8);
    tcase_add_test(deg, test_only_cr);
    tcase_add_test(deg, test_empty_documents);
    tcase_add_test(deg, test_enormous_word);
    tcase_add_test(deg, test_deep_nesting);
    tcase_add_test(deg, test_huge_numbers);
    tcase_add_test(deg, test_million_tiny_documents);
    suite_add_tcase(s, deg);
    return s;
}
