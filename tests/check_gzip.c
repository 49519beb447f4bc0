/*
 * check_gzip.c — the byte source: plain pass-through, gzip detection by
 * magic bytes, multi-member streams, truncation at every cut point and
 * corruption reported with the compressed offset, trailing data, read
 * errors, reuse across files, and out-of-memory paths (zlib's own
 * allocations included); ISA-L's igzip, where built in, against zlib on
 * all of these.
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"

#include "gzip.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Deterministic text of `len` bytes: words from a small vocabulary picked
 * by an LCG, so it compresses like prose but not trivially. */
static char *make_text(size_t len, uint32_t seed)
{
    static const char *const words[] = {
        "the",   "minister", "said",  "on",      "Tuesday", "that",
        "bank",  "profits",  "rose",  "sharply", "in",      "quarter",
        "while", "analysts", "were",  "cautious", "about",  "growth"};
    char *t = malloc(len + 1);
    size_t n = 0;
    uint32_t x = seed;
    while (n < len) {
        x = x * 1664525u + 1013904223u;
        const char *w = words[(x >> 16) % (sizeof words / sizeof words[0])];
        for (; *w && n < len; w++)
            t[n++] = *w;
        if (n < len)
            t[n++] = (x >> 8) % 13 == 0 ? '\n' : ' ';
    }
    t[len] = '\0';
    return t;
}

/* Printable noise: compresses to about 80 %, so a small input still spans
 * several compressed input buffers. */
static char *make_noise(size_t len, uint32_t seed)
{
    char *t = malloc(len + 1);
    uint32_t x = seed;
    for (size_t i = 0; i < len; i++) {
        x = x * 1664525u + 1013904223u;
        t[i] = (char)(' ' + (x >> 24) % 95);
    }
    t[len] = '\0';
    return t;
}

/* One gzip member holding data (zlib's gzip wrapper, window bits 15+16). */
static unsigned char *gz(const void *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

typedef struct result {
    int rc;
    char *data; /* what was read before the end or the error */
    size_t len;
    int is_gzip;
    uint64_t compressed, offset;
    char message[DOPPEL_ERROR_MESSAGE_MAX];
} result;

/* Read a whole file through a source, `chunk` bytes at a time. */
static result read_source(doppel__source *s, const char *path, size_t chunk)
{
    result r;
    memset(&r, 0, sizeof r);
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    doppel__source_open(s, fd, 1, path);
    ck_assert_int_eq(doppel__source_is_gzip(s), -1);
    size_t cap = 1 << 16;
    r.data = malloc(cap);
    doppel_error err = {0, {0}};
    for (;;) {
        if (r.len + chunk > cap) {
            cap = 2 * (r.len + chunk);
            r.data = realloc(r.data, cap);
        }
        size_t got = 12345;
        r.rc = doppel__source_read(s, r.data + r.len, chunk, &got, &err);
        if (r.rc != DOPPEL_OK) {
            ck_assert_uint_eq(got, 0);
            ck_assert_int_eq(err.code, r.rc);
            strcpy(r.message, err.message);
            /* Stuck in error from now on. */
            ck_assert_int_eq(doppel__source_read(s, r.data, chunk, &got, NULL),
                             DOPPEL_ERR_STATE);
            break;
        }
        ck_assert_uint_le(got, chunk);
        if (got == 0)
            break;
        r.len += got;
    }
    r.is_gzip = doppel__source_is_gzip(s);
    r.compressed = doppel__source_compressed_offset(s);
    r.offset = doppel__source_offset(s);
    doppel__source_close(s);
    return r;
}

static result read_file(const char *path, size_t chunk)
{
    doppel__source *s = NULL;
    ck_assert_int_eq(doppel__source_create(&s, NULL, NULL), DOPPEL_OK);
    result r = read_source(s, path, chunk);
    doppel__source_free(s);
    return r;
}

/* read_file with a given inflater; *rereads gets how many times igzip
 * gave the file back to zlib. */
static result read_file_with(const char *path, size_t chunk,
                             doppel__inflater which, unsigned *rereads)
{
    doppel__source *s = NULL;
    ck_assert_int_eq(doppel__source_create(&s, NULL, NULL), DOPPEL_OK);
    doppel__source_set_inflater(s, which);
    result r = read_source(s, path, chunk);
    *rereads = doppel__source_rereads(s);
    doppel__source_free(s);
    return r;
}

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

START_TEST(test_plain_passes_through)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "plain.txt");
    const char *cases[] = {"", "\x1f", "\x1f\x8a rest", "hello\x1f\x8b"};
    size_t lens[] = {0, 1, 7, 7};
    for (size_t i = 0; i < 4; i++) {
        tu_write_file(p, cases[i], lens[i]);
        result r = read_file(p, 3);
        ck_assert_int_eq(r.rc, DOPPEL_OK);
        ck_assert_uint_eq(r.len, lens[i]);
        ck_assert_int_eq(memcmp(r.data, cases[i], lens[i]), 0);
        ck_assert_int_eq(r.is_gzip, 0);
        ck_assert_uint_eq(r.compressed, lens[i]);
        ck_assert_uint_eq(r.offset, lens[i]);
        free(r.data);
    }
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_gzip_roundtrip_any_chunk)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "a.gz");
    size_t n = 200 * 1000, zn;
    char *text = make_noise(n, 1);
    unsigned char *z = gz(text, n, &zn);
    ck_assert_uint_gt(zn, 128 * 1024); /* spans several input buffers */
    tu_write_file(p, z, zn);
    size_t chunks[] = {1, 7, 4096, 1 << 20};
    for (size_t i = 0; i < 4; i++) {
        result r = read_file(p, chunks[i]);
        ck_assert_int_eq(r.rc, DOPPEL_OK);
        ck_assert_uint_eq(r.len, n);
        ck_assert_int_eq(memcmp(r.data, text, n), 0);
        ck_assert_int_eq(r.is_gzip, 1);
        ck_assert_uint_eq(r.compressed, zn);
        ck_assert_uint_eq(r.offset, n);
        free(r.data);
    }
    tu_rmtree(dir);
    free(text);
    free(z);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_multi_member)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "m.gz");
    char *a = make_text(5000, 2), *c = make_text(300000, 3);
    size_t na, nb, ne, nc;
    unsigned char *za = gz(a, 5000, &na), *zb = gz("b", 1, &nb),
                  *ze = gz("", 0, &ne), *zc = gz(c, 300000, &nc);
    size_t total = na + nb + ne + nc;
    unsigned char *all = malloc(total);
    memcpy(all, za, na);
    memcpy(all + na, zb, nb);
    memcpy(all + na + nb, ze, ne);
    memcpy(all + na + nb + ne, zc, nc);
    tu_write_file(p, all, total);
    result r = read_file(p, 65536);
    ck_assert_int_eq(r.rc, DOPPEL_OK);
    ck_assert_uint_eq(r.len, 5000 + 1 + 300000);
    ck_assert_int_eq(memcmp(r.data, a, 5000), 0);
    ck_assert_int_eq(r.data[5000], 'b');
    ck_assert_int_eq(memcmp(r.data + 5001, c, 300000), 0);
    ck_assert_uint_eq(r.compressed, total);
    free(r.data);
    /* Trailing data after the last member is an error at its offset. */
    memcpy(all + na, "junk", 4);
    tu_write_file(p, all, na + 4);
    r = read_file(p, 65536);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    char msg[512];
    snprintf(msg, sizeof msg,
             "%s: unexpected data after gzip member at byte %zu", p, na);
    ck_assert_str_eq(r.message, msg);
    ck_assert_uint_eq(r.len, 5000);
    free(r.data);
    /* Even a single stray byte (a half magic number). */
    all[na] = 0x1f;
    tu_write_file(p, all, na + 1);
    r = read_file(p, 65536);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message, msg);
    free(r.data);
    free(all);
    free(a);
    free(c);
    free(za);
    free(zb);
    free(ze);
    free(zc);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

/* Cut a gzip file short at `cut` bytes: the read must fail with the
 * truncation message, and what came before must be a prefix of the data. */
static void check_cut(const char *p, const unsigned char *z, size_t cut,
                      const char *text, size_t n)
{
    tu_write_file(p, z, cut);
    result r = read_file(p, 8192);
    ck_assert_msg(r.rc == DOPPEL_ERR_FORMAT, "cut at %zu: rc %d", cut, r.rc);
    char msg[512];
    snprintf(msg, sizeof msg, "%s: truncated gzip stream at byte %zu", p, cut);
    ck_assert_str_eq(r.message, msg);
    ck_assert_uint_lt(r.len, n + 1);
    ck_assert_int_eq(memcmp(r.data, text, r.len), 0);
    free(r.data);
}

START_TEST(test_truncated_everywhere)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "t.gz");
    /* Small: every cut from the magic number to one byte short. */
    size_t n = 2000, zn;
    char *text = make_text(n, 4);
    unsigned char *z = gz(text, n, &zn);
    for (size_t cut = 2; cut < zn; cut++)
        check_cut(p, z, cut, text, n);
    free(text);
    free(z);
    /* Large: cuts around the input buffer size and in the trailer. */
    n = 2000 * 1000;
    text = make_text(n, 5);
    z = gz(text, n, &zn);
    size_t cuts[] = {10,         4096,       131071,     131072,
                     131073,     262144,     zn / 2,     zn - 8,
                     zn - 4,     zn - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        check_cut(p, z, cuts[i], text, n);
    free(text);
    free(z);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_corrupt_data)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "c.gz");
    size_t n = 50000, zn;
    char *text = make_text(n, 6);
    unsigned char *z = gz(text, n, &zn);
    char msg[512];
    /* CRC-32 in the trailer: detected after reading it (4 bytes before the
     * end, where ISIZE starts). */
    z[zn - 8] ^= 0xff;
    tu_write_file(p, z, zn);
    result r = read_file(p, 4096);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    snprintf(msg, sizeof msg,
             "%s: corrupt gzip data at byte %zu: incorrect data check", p,
             zn - 4);
    ck_assert_str_eq(r.message, msg);
    free(r.data);
    z[zn - 8] ^= 0xff;
    /* ISIZE. */
    z[zn - 1] ^= 0x01;
    tu_write_file(p, z, zn);
    r = read_file(p, 4096);
    snprintf(msg, sizeof msg,
             "%s: corrupt gzip data at byte %zu: incorrect length check", p,
             zn);
    ck_assert_str_eq(r.message, msg);
    free(r.data);
    z[zn - 1] ^= 0x01;
    /* Compression method 7 instead of 8 (deflate), byte 2 of the header:
     * zlib reads it with the flags byte, so it stops at byte 4. */
    z[2] = 7;
    tu_write_file(p, z, zn);
    r = read_file(p, 4096);
    snprintf(msg, sizeof msg,
             "%s: corrupt gzip data at byte 4: unknown compression method", p);
    ck_assert_str_eq(r.message, msg);
    ck_assert_uint_eq(r.len, 0);
    free(r.data);
    z[2] = 8;
    /* First deflate block header (byte 10, after the 10-byte gzip header)
     * with block type 3, which does not exist. */
    z[10] |= 0x06;
    tu_write_file(p, z, zn);
    r = read_file(p, 4096);
    snprintf(msg, sizeof msg,
             "%s: corrupt gzip data at byte 11: invalid block type", p);
    ck_assert_str_eq(r.message, msg);
    free(r.data);
    z[10] &= (unsigned char)~0x06;
    /* Flip bits across the deflate data: never a silent success with
     * different data. */
    for (size_t at = 12; at < zn - 8; at += 97) {
        z[at] ^= 0x5a;
        tu_write_file(p, z, zn);
        r = read_file(p, 4096);
        if (r.rc == DOPPEL_OK) {
            ck_assert_uint_eq(r.len, n);
            ck_assert_int_eq(memcmp(r.data, text, n), 0);
        } else {
            ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
            ck_assert_ptr_nonnull(strstr(r.message, "gzip"));
        }
        free(r.data);
        z[at] ^= 0x5a;
    }
    free(text);
    free(z);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

/* Found by fuzz_gzip: a member whose last match reaches too far back.
 * Read one byte at a time, zlib stopped with the match pending (no room to
 * copy it) after taking the last input byte; the source then saw no more
 * input and called it truncated, while larger reads said corrupt. The
 * verdict must not depend on the read size. */
START_TEST(test_corrupt_not_truncated_whatever_the_read_size)
{
    static const unsigned char z[] = {0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x3d,
                                      0x80, 0xc9, 0x38, 0x1d, 0xb3, 0x93,
                                      0x3d, 0x80, 0xc9, 0x38};
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "far.gz");
    tu_write_file(p, z, sizeof z);
    char msg[512];
    snprintf(msg, sizeof msg,
             "%s: corrupt gzip data at byte 16: invalid distance too far "
             "back",
             p);
    static const size_t chunks[] = {1, 2, 3, 5, 4096};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        result r = read_file(p, chunks[i]);
        ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
        ck_assert_str_eq(r.message, msg);
        free(r.data);
    }
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_read_error_and_states)
{
    char *dir = tu_mkdtemp();
    doppel__source *s = NULL;
    ck_assert_int_eq(doppel__source_create(&s, NULL, NULL), DOPPEL_OK);
    size_t got = 99;
    char buf[16];
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel__source_read(s, buf, sizeof buf, &got, &err),
                     DOPPEL_ERR_STATE);
    ck_assert_str_eq(err.message, "?: source is not open");
    /* read(2) on a directory fails with EISDIR. */
    int fd = open(dir, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    doppel__source_open(s, fd, 1, "somedir");
    ck_assert_int_eq(doppel__source_read(s, buf, sizeof buf, &got, &err),
                     DOPPEL_ERR_IO);
    ck_assert_str_eq(err.message, "somedir: read error: Is a directory");
    ck_assert_uint_eq(got, 0);
    doppel__source_close(s);
    doppel__source_close(s); /* harmless twice */
    /* A non-owned fd is not closed. */
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    ck_assert_int_eq(write(pipefd[1], "abc", 3), 3);
    close(pipefd[1]);
    doppel__source_open(s, pipefd[0], 0, "pipe");
    ck_assert_int_eq(doppel__source_read(s, buf, sizeof buf, &got, NULL),
                     DOPPEL_OK);
    ck_assert_uint_eq(got, 3);
    ck_assert_int_eq(doppel__source_read(s, buf, sizeof buf, &got, NULL),
                     DOPPEL_OK);
    ck_assert_uint_eq(got, 0);
    doppel__source_close(s);
    ck_assert_int_eq(close(pipefd[0]), 0); /* still open: we own it */
    doppel__source_free(s);
    doppel__source_free(NULL);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* One source reads plain, gzip, gzip and plain files in turn. */
START_TEST(test_reuse_across_files)
{
    char *dir = tu_mkdtemp();
    char *pp = path_in(dir, "p"), *pz = path_in(dir, "z");
    char *t1 = make_text(3000, 7), *t2 = make_text(200000, 8);
    size_t zn;
    unsigned char *z = gz(t2, 200000, &zn);
    tu_write_file(pp, t1, 3000);
    tu_write_file(pz, z, zn);
    doppel__source *s = NULL;
    ck_assert_int_eq(doppel__source_create(&s, NULL, NULL), DOPPEL_OK);
    const char *order[] = {pp, pz, pz, pp};
    for (int i = 0; i < 4; i++) {
        result r = read_source(s, order[i], 5000);
        ck_assert_int_eq(r.rc, DOPPEL_OK);
        if (order[i] == pp) {
            ck_assert_int_eq(r.is_gzip, 0);
            ck_assert_uint_eq(r.len, 3000);
            ck_assert_int_eq(memcmp(r.data, t1, 3000), 0);
        } else {
            ck_assert_int_eq(r.is_gzip, 1);
            ck_assert_uint_eq(r.len, 200000);
            ck_assert_int_eq(memcmp(r.data, t2, 200000), 0);
        }
        free(r.data);
    }
    doppel__source_free(s);
    free(t1);
    free(t2);
    free(z);
    tu_rmtree(dir);
    free(pp);
    free(pz);
    free(dir);
}
END_TEST

START_TEST(test_out_of_memory)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "o.gz");
    size_t n = 100000, zn;
    char *text = make_text(n, 9);
    unsigned char *z = gz(text, n, &zn);
    tu_write_file(p, z, zn);
    char *out = malloc(n);
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel__source *s = NULL;
        doppel_error err = {0, {0}};
        int rc = doppel__source_create(&s, &fa.a, &err);
        size_t len = 0;
        if (rc == DOPPEL_OK) {
            int fd = open(p, O_RDONLY);
            doppel__source_open(s, fd, 1, p);
            size_t got;
            while ((rc = doppel__source_read(s, out + len, 4096, &got,
                                             &err)) == DOPPEL_OK &&
                   got)
                len += got;
        }
        doppel__source_free(s);
        ck_assert_int_eq(fa.live, 0);
        if (rc == DOPPEL_OK) {
            ck_assert_uint_eq(len, n);
            ck_assert_int_eq(memcmp(out, text, n), 0);
            ck_assert_int_ge(budget, 3); /* source, buffer, zlib state... */
            break;
        }
        ck_assert_int_eq(rc, DOPPEL_ERR_NOMEM);
        ck_assert_str_eq(err.message, "out of memory");
    }
    free(out);
    free(text);
    free(z);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

/* One gzip member with a header made by zlib: FNAME, FCOMMENT, FEXTRA and
 * FHCRC as asked (level 6, or 1 with `fast`). */
static unsigned char *gz_with_header(const void *data, size_t len, int name,
                                int comment, int extra, int hcrc, int fast,
                                size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(deflateInit2(&zs, fast ? 1 : 6, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    gz_header h;
    memset(&h, 0, sizeof h);
    static unsigned char x[] = {'d', 'p', 3, 0, 1, 2, 3};
    h.name = name ? (Bytef *)"article.jsonl" : Z_NULL;
    h.comment = comment ? (Bytef *)"a comment" : Z_NULL;
    h.extra = extra ? x : Z_NULL;
    h.extra_len = extra ? (uInt)sizeof x : 0;
    h.hcrc = hcrc;
    h.os = 3;
    ck_assert_int_eq(deflateSetHeader(&zs, &h), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len) + 256;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

typedef struct cmp_stats {
    size_t files, fast_clean, reread;
} cmp_stats;

/* The file at p read with the default inflater (igzip where built) and
 * with zlib alone, in reads of several sizes: the same status and message
 * and, on success, the same bytes and offsets; on failure one output is a
 * prefix of the other (an error drops what was inflated in the call that
 * found it, and calls end in different places). */
static void compare_inflaters(const char *p, size_t size, cmp_stats *cs)
{
    static const size_t chunks[] = {1, 4096, 65536};
    /* one byte at a time only for small files (it takes a while) */
    for (size_t c = size > 16384 ? 1 : 0;
         c < sizeof chunks / sizeof chunks[0]; c++) {
        unsigned ra, rz;
        result a = read_file_with(p, chunks[c], DOPPEL__INFLATE_AUTO, &ra);
        result z = read_file_with(p, chunks[c], DOPPEL__INFLATE_ZLIB, &rz);
        ck_assert_uint_eq(rz, 0);
        ck_assert_msg(a.rc == z.rc, "%s, reads of %zu: rc %d, zlib %d", p,
                      chunks[c], a.rc, z.rc);
        ck_assert_str_eq(a.message, z.message);
        ck_assert_int_eq(a.is_gzip, z.is_gzip);
        size_t common = a.len < z.len ? a.len : z.len;
        ck_assert_int_eq(memcmp(a.data, z.data, common), 0);
        if (a.rc == DOPPEL_OK) {
            ck_assert_uint_eq(a.len, z.len);
            ck_assert_uint_eq(a.compressed, z.compressed);
            ck_assert_uint_eq(a.offset, z.offset);
        }
        cs->files++;
        cs->reread += ra > 0;
        cs->fast_clean += a.rc == DOPPEL_OK && ra == 0;
        free(a.data);
        free(z.data);
    }
}

/* igzip (when built in) against zlib on valid, unusual, truncated and
 * corrupt gzip files. */
START_TEST(test_isal_same_as_zlib)
{
    char *dir = tu_mkdtemp();
    char *p = path_in(dir, "x.gz");
    cmp_stats cs = {0, 0, 0};
    size_t big = 300 * 1000, zn;
    char *text = make_text(big, 11), *noise = make_noise(200 * 1000, 12);
    /* valid members of every size, and with every header field */
    static const size_t sizes[] = {0, 1, 2, 100, 2000, 70000, 300000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *z = gz(text, sizes[i], &zn);
        tu_write_file(p, z, zn);
        compare_inflaters(p, zn, &cs);
        free(z);
    }
    unsigned char *zn_noise = gz(noise, 200 * 1000, &zn);
    tu_write_file(p, zn_noise, zn);
    compare_inflaters(p, zn, &cs);
    free(zn_noise);
    for (int f = 0; f < 32; f++) {
        unsigned char *z = gz_with_header(text, 5000, f & 1, f & 2, f & 4, f & 8,
                                     f & 16, &zn);
        tu_write_file(p, z, zn);
        compare_inflaters(p, zn, &cs);
        /* a reserved flag bit (zlib: "unknown header flags set") */
        z[3] |= 0x20;
        tu_write_file(p, z, zn);
        compare_inflaters(p, zn, &cs);
        free(z);
    }
    /* several members, an empty one, then junk after the last */
    size_t na, nb, ne;
    unsigned char *za = gz(text, 40000, &na), *zb = gz(noise, 150000, &nb),
                  *ze = gz("", 0, &ne);
    unsigned char *all = malloc(na + ne + nb + 8);
    memcpy(all, za, na);
    memcpy(all + na, ze, ne);
    memcpy(all + na + ne, zb, nb);
    tu_write_file(p, all, na + ne + nb);
    compare_inflaters(p, na + ne + nb, &cs);
    memcpy(all + na + ne + nb, "junk\x1f\x8b", 6);
    tu_write_file(p, all, na + ne + nb + 6);
    compare_inflaters(p, na + ne + nb + 6, &cs);
    /* truncated: cuts all over a small member (every one in its header
     * and trailer), cuts of the large ones */
    unsigned char *z = gz(text, 3000, &zn);
    for (size_t cut = 2; cut < zn; cut += cut < 40 || cut + 40 > zn ? 1 : 7) {
        tu_write_file(p, z, cut);
        compare_inflaters(p, cut, &cs);
    }
    free(z);
    for (size_t cut = 2; cut < na + ne + nb; cut += 9973) {
        tu_write_file(p, all, cut);
        compare_inflaters(p, cut, &cs);
    }
    /* corrupt: flipped bits all over a member and in its trailer, and in
     * the second member of two */
    z = gz(text, 20000, &zn);
    for (size_t at = 3; at < zn; at += at < 20 || at + 20 > zn ? 1 : 53) {
        for (unsigned bit = at % 2; bit < 8; bit += 4) {
            z[at] ^= (unsigned char)(1u << bit);
            tu_write_file(p, z, zn);
            compare_inflaters(p, zn, &cs);
            z[at] ^= (unsigned char)(1u << bit);
        }
    }
    free(z);
    for (size_t at = na + ne + 3; at < na + ne + nb; at += 4099) {
        all[at] ^= 0x10;
        tu_write_file(p, all, na + ne + nb);
        compare_inflaters(p, na + ne + nb, &cs);
        all[at] ^= 0x10;
    }
    /* igzip, where built in, really read the clean files, and really
     * handed the bad ones to zlib */
    if (doppel__source_inflater_available(DOPPEL__INFLATE_ISAL)) {
        ck_assert_uint_gt(cs.fast_clean, 100);
        ck_assert_uint_gt(cs.reread, 500);
    } else {
        fprintf(stderr, "gzip: ISA-L not built in, only zlib compared with "
                        "itself\n");
    }
    free(all);
    free(za);
    free(zb);
    free(ze);
    free(text);
    free(noise);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

Suite *suite_gzip(void)
{
    Suite *s = suite_create("gzip");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plain_passes_through);
    tcase_add_test(tc, test_gzip_roundtrip_any_chunk);
    tcase_add_test(tc, test_multi_member);
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_corrupt_data);
    tcase_add_test(tc, test_corrupt_not_truncated_whatever_the_read_size);
    tcase_add_test(tc, test_read_error_and_states);
    tcase_add_test(tc, test_reuse_across_files);
    tcase_add_test(tc, test_out_of_memory);
    tcase_add_test(tc, test_isal_same_as_zlib);
    suite_add_tcase(s, tc);
    return s;
}
