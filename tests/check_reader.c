/*
 * check_reader.c — doppel_reader end to end on small inputs written into a
 * temporary directory: JSON Lines framing (blank lines, CRLF, BOM, a last
 * line without "\n"), malformed and oversize records in error and skip
 * mode, gzip (plain-identical records, truncation, multiple members),
 * directory walks (order, relative ids, hidden entries, symlinks, FIFOs),
 * the AUTO format rule, stdin, missing inputs, the memory bound, and
 * out-of-memory at every allocation.
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"

#include "doppel.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------- helpers */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_printf(strbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ck_assert(n >= 0 && (size_t)n < sizeof tmp);
    sb_add(b, tmp, (size_t)n);
}

/* s with every occurrence of `from` replaced by `to` (malloc'd). Linear
 * without strstr, which sanitizers make quadratic on long strings. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    strbuf b = {NULL, 0, 0};
    sb_add(&b, "", 0);
    size_t n = strlen(s), fl = strlen(from), tl = strlen(to), done = 0;
    for (size_t i = 0; i + fl <= n;) {
        if (s[i] == from[0] && memcmp(s + i, from, fl) == 0) {
            sb_add(&b, s + done, i - done);
            sb_add(&b, to, tl);
            i += fl;
            done = i;
        } else {
            i++;
        }
    }
    sb_add(&b, s + done, n - done);
    return b.s;
}

typedef struct run {
    int rc;                   /* the last status returned */
    char *dump;               /* "id|text|date|line|source\n" per record */
    char message[DOPPEL_ERROR_MESSAGE_MAX];
    doppel_reader_stats stats;
} run;

static void dump_record(strbuf *b, const doppel_record *rec)
{
    sb_add(b, rec->id, rec->id_len);
    sb_add(b, "|", 1);
    sb_add(b, rec->text, rec->text_len);
    if (rec->date == DOPPEL_NO_DATE)
        sb_printf(b, "|-");
    else
        sb_printf(b, "|%lld", (long long)rec->date);
    sb_printf(b, "|%llu|%s\n", (unsigned long long)rec->line, rec->source);
}

/* Read everything; the dump and message have `dir` replaced by "$D". */
static run read_all(const char *dir, const char *const *paths, size_t n,
                    const doppel_reader_opts *opts)
{
    run r;
    memset(&r, 0, sizeof r);
    doppel_reader *rd = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_reader_open(&rd, paths, n, opts, &err),
                     DOPPEL_OK);
    strbuf b = {NULL, 0, 0};
    sb_add(&b, "", 0);
    doppel_record rec;
    while ((r.rc = doppel_reader_next(rd, &rec, &err)) == 1)
        dump_record(&b, &rec);
    if (r.rc < 0) {
        ck_assert_int_eq(err.code, r.rc);
        char *m = replace_all(err.message, dir, "$D");
        snprintf(r.message, sizeof r.message, "%s", m);
        free(m);
        /* Stuck from now on. */
        doppel_error err2 = {0, {0}};
        ck_assert_int_eq(doppel_reader_next(rd, &rec, &err2),
                         DOPPEL_ERR_STATE);
        ck_assert_str_eq(err2.message,
                         "the reader stopped at an earlier error");
    } else {
        ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 0);
    }
    doppel_reader_stats_get(rd, &r.stats);
    doppel_reader_free(rd);
    r.dump = replace_all(b.s, dir, "$D");
    free(b.s);
    return r;
}

static char *join(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void write_str(const char *dir, const char *name, const char *s)
{
    char *p = join(dir, name);
    tu_write_file(p, s, strlen(s));
    free(p);
}

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

static doppel_reader_opts opts_init(void)
{
    doppel_reader_opts o = DOPPEL_READER_OPTS_INIT;
    return o;
}

/* --------------------------------------------------------- JSON Lines */

START_TEST(test_jsonl_framing)
{
    char *dir = tu_mkdtemp();
    const char *content =
        "{\"id\":\"a\",\"text\":\"one\",\"date\":\"2020-01-30\"}\n"
        "\n"
        "   \t \n"
        "{\"text\":\"two\"}\r\n"
        " \r\n"
        "{\"id\":7,\"text\":\"three\\nx\",\"date\":86400}";
    write_str(dir, "f.jsonl", content);
    char *p = join(dir, "f.jsonl");
    const char *paths[] = {p};
    run r = read_all(dir, paths, 1, NULL);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "a|one|1580342400|1|$D/f.jsonl\n"
                             "$D/f.jsonl:4|two|-|4|$D/f.jsonl\n"
                             "7|three\nx|86400|6|$D/f.jsonl\n");
    ck_assert_uint_eq(r.stats.records, 3);
    ck_assert_uint_eq(r.stats.blank, 3);
    ck_assert_uint_eq(r.stats.malformed, 0);
    ck_assert_uint_eq(r.stats.bytes, strlen(content));
    free(r.dump);

    /* raw is the line without "\r\n"; pointers stay valid until next(). */
    doppel_reader *rd;
    ck_assert_int_eq(doppel_reader_open(&rd, paths, 1, NULL, NULL),
                     DOPPEL_OK);
    doppel_record rec;
    ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 1);
    size_t first = (size_t)(strchr(content, '\n') - content);
    ck_assert_uint_eq(rec.raw_len, first);
    ck_assert_int_eq(memcmp(rec.raw, content, first), 0);
    ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 1);
    ck_assert_uint_eq(rec.raw_len, 14);
    ck_assert_int_eq(memcmp(rec.raw, "{\"text\":\"two\"}", 14), 0);
    ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 1);
    ck_assert_uint_eq(rec.raw_len, strlen(strrchr(content, '\n') + 1));
    ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 0);
    doppel_reader_free(rd);
    doppel_reader_free(NULL);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_bom_and_columns)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "b.jsonl", "\xEF\xBB\xBF{\"id\":\"x\",\"text\":\"t\"}\r\n");
    write_str(dir, "bad.jsonl", "\xEF\xBB\xBF{\"text\":1}\r\n");
    char *p1 = join(dir, "b.jsonl"), *p2 = join(dir, "bad.jsonl");
    const char *paths[] = {p1, p2};
    run r = read_all(dir, paths, 2, NULL);
    ck_assert_str_eq(r.dump, "x|t|-|1|$D/b.jsonl\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message, "$D/bad.jsonl:1: field \"text\" must be a "
                                "string, got number, at column 9");
    free(r.dump);
    tu_rmtree(dir);
    free(p1);
    free(p2);
    free(dir);
}
END_TEST

static const char *const malformed_file =
    "{\"id\":1,\"text\":\"ok1\"}\n"
    "{\"id\" 2,\"text\":\"bad\"}\n"
    "{\"id\":3}\n"
    "{\"id\":4,\"text\":\"ok4\",\"date\":\"someday\"}\n"
    "not json at all\n"
    "{\"id\":6,\"text\":\"ok6\",\"nested\":{\"a\":[1,{\"b\":null}]}}\n";

START_TEST(test_malformed_error_mode)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "m.jsonl", malformed_file);
    char *p = join(dir, "m.jsonl");
    const char *paths[] = {p};
    run r = read_all(dir, paths, 1, NULL);
    ck_assert_str_eq(r.dump, "1|ok1|-|1|$D/m.jsonl\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message,
                     "$D/m.jsonl:2: expected ':' after key, at column 7");
    ck_assert_uint_eq(r.stats.records, 1);
    free(r.dump);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_malformed_skip_mode)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "m.jsonl", malformed_file);
    char *p = join(dir, "m.jsonl");
    const char *paths[] = {p};
    doppel_reader_opts o = opts_init();
    o.skip_malformed = 1;
    run r = read_all(dir, paths, 1, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "1|ok1|-|1|$D/m.jsonl\n"
                             "6|ok6|-|6|$D/m.jsonl\n");
    ck_assert_uint_eq(r.stats.records, 2);
    ck_assert_uint_eq(r.stats.malformed, 4);
    ck_assert_uint_eq(r.stats.oversize, 0);
    free(r.dump);
    tu_rmtree(dir);
    free(p);
    free(dir);
}
END_TEST

/* A file of lines around a 20-byte limit, and two far longer than any
 * buffer (they go through the discard path). */
static char *oversize_file(size_t *len)
{
    strbuf b = {NULL, 0, 0};
    sb_add(&b, "{\"text\":\"exactly20\"}\n", 21);   /* 1: 20 bytes */
    sb_add(&b, "{\"text\":\"exactly20\"}\r\n", 22); /* 2: 20 + CRLF */
    sb_add(&b, "{\"text\":\"twentyone1\"}\n", 22);  /* 3: 21 bytes */
    sb_add(&b, "{\"text\":\"", 9);                   /* 4: 400 kB */
    for (int i = 0; i < 40000; i++)
        sb_add(&b, "0123456789", 10);
    sb_add(&b, "\"}\n", 3);
    sb_add(&b, "{\"text\":\"short\"}\n", 17);        /* 5 */
    sb_add(&b, "\n", 1);                              /* 6: blank */
    sb_add(&b, "{\"text\":\"", 9);                   /* 7: 300 kB, last */
    for (int i = 0; i < 30000; i++)
        sb_add(&b, "abcdefghij", 10);
    *len = b.len;
    return b.s;
}

START_TEST(test_oversize_lines)
{
    char *dir = tu_mkdtemp();
    size_t len;
    char *content = oversize_file(&len);
    char *p = join(dir, "o.jsonl");
    tu_write_file(p, content, len);
    const char *paths[] = {p};
    doppel_reader_opts o = opts_init();
    o.max_record_bytes = 20;
    run r = read_all(dir, paths, 1, &o);
    ck_assert_str_eq(r.dump, "$D/o.jsonl:1|exactly20|-|1|$D/o.jsonl\n"
                             "$D/o.jsonl:2|exactly20|-|2|$D/o.jsonl\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_LIMIT);
    ck_assert_str_eq(r.message, "$D/o.jsonl:3: line longer than "
                                "max_record_bytes (20 bytes)");
    free(r.dump);

    o.skip_oversize = 1;
    r = read_all(dir, paths, 1, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "$D/o.jsonl:1|exactly20|-|1|$D/o.jsonl\n"
                             "$D/o.jsonl:2|exactly20|-|2|$D/o.jsonl\n"
                             "$D/o.jsonl:5|short|-|5|$D/o.jsonl\n");
    ck_assert_uint_eq(r.stats.oversize, 3);
    ck_assert_uint_eq(r.stats.blank, 1);
    ck_assert_uint_eq(r.stats.bytes, len);
    free(r.dump);

    /* The 400 kB line alone in error mode is reported before it is read
     * whole. */
    o.skip_oversize = 0;
    char *p2 = join(dir, "o2.jsonl");
    tu_write_file(p2, content + 65, len - 65);
    const char *paths2[] = {p2};
    r = read_all(dir, paths2, 1, &o);
    ck_assert_str_eq(r.message, "$D/o2.jsonl:1: line longer than "
                                "max_record_bytes (20 bytes)");
    ck_assert_uint_lt(r.stats.bytes, 300000);
    free(r.dump);
    free(content);
    tu_rmtree(dir);
    free(p);
    free(p2);
    free(dir);
}
END_TEST

/* An allocator that remembers the largest block it was asked for. */
typedef struct peak_alloc {
    doppel_allocator a;
    size_t peak;
} peak_alloc;

static void *peak_malloc(void *o, size_t n)
{
    peak_alloc *pa = o;
    if (n > pa->peak)
        pa->peak = n;
    return malloc(n ? n : 1);
}

static void *peak_realloc(void *o, void *p, size_t n)
{
    peak_alloc *pa = o;
    if (n > pa->peak)
        pa->peak = n;
    return realloc(p, n ? n : 1);
}

static void peak_free(void *o, void *p)
{
    (void)o;
    free(p);
}

/* An 8 MB line with a 1000-byte limit never needs more than the limit plus
 * one read chunk (128 KiB) of buffer, compressed or not. */
START_TEST(test_oversize_memory_bound)
{
    char *dir = tu_mkdtemp();
    strbuf b = {NULL, 0, 0};
    sb_add(&b, "{\"text\":\"", 9);
    for (int i = 0; i < 800000; i++)
        sb_add(&b, "0123456789", 10);
    sb_add(&b, "\"}\n{\"text\":\"after\"}\n", 20);
    char *p = join(dir, "big.jsonl"), *pz = join(dir, "big.jsonl.gz"),
         *pt = join(dir, "big.txt");
    tu_write_file(p, b.s, b.len);
    tu_write_file(pt, b.s + 1, b.len - 1); /* not '{': one article */
    size_t zn;
    unsigned char *z = gz(b.s, b.len, &zn);
    tu_write_file(pz, z, zn);
    const char *paths[] = {p, pz, pt};
    peak_alloc pa = {{peak_malloc, peak_realloc, peak_free, NULL}, 0};
    pa.a.opaque = &pa;
    doppel_reader_opts o = opts_init();
    o.max_record_bytes = 1000;
    o.skip_oversize = 1;
    o.allocator = &pa.a;
    run r = read_all(dir, paths, 3, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "$D/big.jsonl:2|after|-|2|$D/big.jsonl\n"
                             "$D/big.jsonl.gz:2|after|-|2|$D/big.jsonl.gz\n");
    ck_assert_uint_eq(r.stats.oversize, 3);
    ck_assert_uint_le(pa.peak, 1000 + 2 + 128 * 1024);
    free(r.dump);
    free(b.s);
    free(z);
    tu_rmtree(dir);
    free(p);
    free(pz);
    free(pt);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------------- gzip */

/* A JSONL corpus with escapes, unicode, CRLF, blank lines, missing ids. */
static char *varied_jsonl(size_t nrec, size_t *len)
{
    strbuf b = {NULL, 0, 0};
    uint32_t x = 42;
    for (size_t i = 0; i < nrec; i++) {
        x = x * 1664525u + 1013904223u;
        if (x % 17 == 0)
            sb_add(&b, "  \n", 3);
        if (x % 5 == 0)
            sb_printf(&b, "{\"text\":\"no id %zu \\u00e9\\ud83d\\ude00\"}", i);
        else
            sb_printf(&b,
                      "{\"id\":\"doc-%zu\",\"date\":%u,\"tags\":[\"a\",{\"b\":"
                      "[1,2.5e3,null]}],\"text\":\"Article %zu\\nline "
                      "\\\"two\\\" caf\xC3\xA9 %.*s\"}",
                      i, x % 2000000000u, i, (int)(x % 600),
                      "lorem ipsum dolor sit amet consectetur adipiscing "
                      "elit sed do eiusmod tempor incididunt ut labore et "
                      "dolore magna aliqua ut enim ad minim veniam quis "
                      "nostrud exercitation ullamco laboris nisi ut aliquip "
                      "ex ea commodo consequat duis aute irure dolor in "
                      "reprehenderit in voluptate velit esse cillum dolore "
                      "eu fugiat nulla pariatur excepteur sint occaecat "
                      "cupidatat non proident sunt in culpa qui officia "
                      "deserunt mollit anim id est laborum lorem ipsum dolor "
                      "sit amet consectetur adipiscing elit sed do eiusmod "
                      "tempor incididunt ut labore et dolore magna aliqua "
                      "ut enim ad minim veniam quis nostrud exercitation");
        sb_add(&b, x % 3 == 0 ? "\r\n" : "\n", x % 3 == 0 ? 2 : 1);
    }
    *len = b.len;
    return b.s;
}

START_TEST(test_gzip_identical_records)
{
    char *dir = tu_mkdtemp();
    size_t len, zn, zn1, zn2;
    char *content = varied_jsonl(20000, &len);
    ck_assert_uint_gt(len, 1000000);
    unsigned char *z = gz(content, len, &zn);
    /* Two members split in the middle of a line. */
    size_t cut = len / 3 + 17;
    unsigned char *z1 = gz(content, cut, &zn1);
    unsigned char *z2 = gz(content + cut, len - cut, &zn2);
    z1 = realloc(z1, zn1 + zn2);
    memcpy(z1 + zn1, z2, zn2);
    char *pp = join(dir, "c.jsonl"), *pz = join(dir, "c.jsonl.gz"),
         *pm = join(dir, "c-multi.jsonl.gz");
    tu_write_file(pp, content, len);
    tu_write_file(pz, z, zn);
    tu_write_file(pm, z1, zn1 + zn2);
    const char *p1[] = {pp}, *p2[] = {pz}, *p3[] = {pm};
    run a = read_all(dir, p1, 1, NULL), b = read_all(dir, p2, 1, NULL),
        c = read_all(dir, p3, 1, NULL);
    ck_assert_int_eq(a.rc, 0);
    ck_assert_int_eq(b.rc, 0);
    ck_assert_int_eq(c.rc, 0);
    ck_assert_uint_eq(a.stats.records, 20000);
    ck_assert_uint_gt(zn, 131072 + 4096); /* several input buffers */
    ck_assert_uint_gt(a.stats.blank, 0);
    /* Same records except for the source name. */
    char *bd = replace_all(b.dump, "c.jsonl.gz", "c.jsonl");
    char *cd = replace_all(c.dump, "c-multi.jsonl.gz", "c.jsonl");
    ck_assert(strcmp(a.dump, bd) == 0);
    ck_assert(strcmp(a.dump, cd) == 0);
    ck_assert_uint_eq(b.stats.bytes, len);
    ck_assert_uint_eq(c.stats.bytes, len);
    ck_assert_uint_eq(b.stats.blank, a.stats.blank);
    /* Truncated at several points: records before the cut, all intact,
     * then the error; never a silent short read. */
    char *pt = join(dir, "t.jsonl.gz");
    size_t cuts[] = {2, 11, 500, 65536, 131072, zn / 2, zn - 5, zn - 1};
    ck_assert_uint_lt(131072, zn);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        tu_write_file(pt, z, cuts[i]);
        const char *p4[] = {pt};
        run t = read_all(dir, p4, 1, NULL);
        ck_assert_int_eq(t.rc, DOPPEL_ERR_FORMAT);
        char msg[128];
        snprintf(msg, sizeof msg,
                 "$D/t.jsonl.gz: truncated gzip stream at byte %zu", cuts[i]);
        ck_assert_str_eq(t.message, msg);
        char *td = replace_all(t.dump, "t.jsonl.gz", "c.jsonl");
        ck_assert_uint_le(strlen(td), strlen(a.dump));
        ck_assert_int_eq(memcmp(td, a.dump, strlen(td)), 0);
        ck_assert(strlen(td) == 0 || td[strlen(td) - 1] == '\n');
        free(td);
        free(t.dump);
    }
    free(bd);
    free(cd);
    free(a.dump);
    free(b.dump);
    free(c.dump);
    free(content);
    free(z);
    free(z1);
    free(z2);
    tu_rmtree(dir);
    free(pp);
    free(pz);
    free(pm);
    free(pt);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------- directories */

static void make_tree(const char *dir)
{
    char *p;
    write_str(dir, "b.txt", "B");
    write_str(dir, "a", "A");
    write_str(dir, "A", "upper");
    write_str(dir, "a.txt", "A.txt");
    write_str(dir, "empty", "");
    write_str(dir, "c.jsonl", "{\"id\":\"j1\",\"text\":\"J\"}\n"
                              "{\"text\":\"J2\",\"date\":0}\n");
    write_str(dir, "d.json", "\n  {\"id\":\"j3\",\"text\":\"J3\"}");
    write_str(dir, ".hidden", "H");
    p = join(dir, "m");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
    write_str(dir, "m/x", "MX");
    write_str(dir, "m.txt", "M.txt");
    p = join(dir, "sub");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
    p = join(dir, "sub/deeper");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
    write_str(dir, "sub/z.txt", "Z");
    write_str(dir, "sub/.hid", "H");
    write_str(dir, "sub/deeper/y.txt", "Y");
    p = join(dir, ".hiddendir");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
    write_str(dir, ".hiddendir/x", "H");
    p = join(dir, "link-to-sub");
    ck_assert_int_eq(symlink("sub", p), 0);
    free(p);
    p = join(dir, "link-to-a");
    ck_assert_int_eq(symlink("a", p), 0);
    free(p);
    p = join(dir, "dangling");
    ck_assert_int_eq(symlink("nowhere", p), 0);
    free(p);
    p = join(dir, "fifo");
    ck_assert_int_eq(mkfifo(p, 0644), 0);
    free(p);
}

static const char *const tree_dump =
    "A|upper|-|0|$D/A\n"
    "a|A|-|0|$D/a\n"
    "a.txt|A.txt|-|0|$D/a.txt\n"
    "b.txt|B|-|0|$D/b.txt\n"
    "j1|J|-|1|$D/c.jsonl\n"
    "$D/c.jsonl:2|J2|0|2|$D/c.jsonl\n"
    "j3|J3|-|2|$D/d.json\n"
    "empty||-|0|$D/empty\n"
    "link-to-a|A|-|0|$D/link-to-a\n"
    "m/x|MX|-|0|$D/m/x\n"
    "m.txt|M.txt|-|0|$D/m.txt\n"
    "sub/deeper/y.txt|Y|-|0|$D/sub/deeper/y.txt\n"
    "sub/z.txt|Z|-|0|$D/sub/z.txt\n";

START_TEST(test_directory_walk)
{
    char *dir = tu_mkdtemp();
    make_tree(dir);
    const char *paths[] = {dir};
    run r = read_all(dir, paths, 1, NULL);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, tree_dump);
    ck_assert_uint_eq(r.stats.records, 13);
    ck_assert_uint_eq(r.stats.blank, 1);
    free(r.dump);
    /* A trailing slash changes nothing. */
    char *slash = join(dir, "");
    const char *paths2[] = {slash};
    r = read_all(dir, paths2, 1, NULL);
    ck_assert_str_eq(r.dump, tree_dump);
    free(r.dump);
    free(slash);
    /* Several inputs in order; a file given directly keeps its path as id;
     * a subdirectory given directly gives ids relative to it. */
    char *f = join(dir, "b.txt"), *s = join(dir, "sub");
    const char *paths3[] = {f, s, f};
    r = read_all(dir, paths3, 3, NULL);
    ck_assert_str_eq(r.dump, "$D/b.txt|B|-|0|$D/b.txt\n"
                             "deeper/y.txt|Y|-|0|$D/sub/deeper/y.txt\n"
                             "z.txt|Z|-|0|$D/sub/z.txt\n"
                             "$D/b.txt|B|-|0|$D/b.txt\n");
    free(r.dump);
    free(f);
    free(s);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_forced_formats)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "c.jsonl", "{\"id\":\"j1\",\"text\":\"J\"}\n");
    write_str(dir, "t.txt", "just words\n");
    char *pc = join(dir, "c.jsonl"), *pt = join(dir, "t.txt");
    const char *paths[] = {pc, pt};
    doppel_reader_opts o = opts_init();
    o.format = DOPPEL_INPUT_TEXT;
    run r = read_all(dir, paths, 2, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump,
                     "$D/c.jsonl|{\"id\":\"j1\",\"text\":\"J\"}\n|-|0|"
                     "$D/c.jsonl\n"
                     "$D/t.txt|just words\n|-|0|$D/t.txt\n");
    free(r.dump);
    o.format = DOPPEL_INPUT_JSONL;
    r = read_all(dir, paths, 2, &o);
    ck_assert_str_eq(r.dump, "j1|J|-|1|$D/c.jsonl\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message,
                     "$D/t.txt:1: expected a JSON object, at column 1");
    free(r.dump);
    tu_rmtree(dir);
    free(pc);
    free(pt);
    free(dir);
}
END_TEST

START_TEST(test_auto_rule)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "x.NDJSON", "{\"text\":\"by name\"}\n");
    write_str(dir, "notes.txt", "\r\n \t{\"text\":\"by content\"}\n");
    write_str(dir, "bom.txt", "\xEF\xBB\xBF {\"text\":\"bom json\"}\n");
    write_str(dir, "bomtext.txt", "\xEF\xBB\xBFplain words");
    write_str(dir, "blank.txt", " \n\n ");
    write_str(dir, "brace-late.txt", "words then {\"text\":\"x\"}\n");
    size_t zn;
    const char *jz = "{\"text\":\"gz content\"}\n";
    unsigned char *z = gz(jz, strlen(jz), &zn);
    char *pz = join(dir, "feed.bin");
    tu_write_file(pz, z, zn);
    free(z);
    const char *paths[] = {dir};
    run r = read_all(dir, paths, 1, NULL);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump,
                     "blank.txt| \n\n |-|0|$D/blank.txt\n"
                     "$D/bom.txt:1|bom json|-|1|$D/bom.txt\n"
                     "bomtext.txt|plain words|-|0|$D/bomtext.txt\n"
                     "brace-late.txt|words then {\"text\":\"x\"}\n|-|0|"
                     "$D/brace-late.txt\n"
                     "$D/feed.bin:1|gz content|-|1|$D/feed.bin\n"
                     "$D/notes.txt:2|by content|-|2|$D/notes.txt\n"
                     "$D/x.NDJSON:1|by name|-|1|$D/x.NDJSON\n");
    ck_assert_uint_eq(r.stats.blank, 1);
    free(r.dump);
    /* A plain article's raw keeps the BOM, its text does not. */
    char *pb = join(dir, "bomtext.txt");
    const char *paths2[] = {pb};
    doppel_reader *rd;
    doppel_record rec;
    ck_assert_int_eq(doppel_reader_open(&rd, paths2, 1, NULL, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL), 1);
    ck_assert_uint_eq(rec.raw_len, 14);
    ck_assert_int_eq(memcmp(rec.raw, "\xEF\xBB\xBFplain words", 14), 0);
    ck_assert_uint_eq(rec.text_len, 11);
    ck_assert_ptr_eq(rec.text, rec.raw + 3);
    ck_assert_int_eq(rec.date, DOPPEL_NO_DATE);
    doppel_reader_free(rd);
    tu_rmtree(dir);
    free(pz);
    free(pb);
    free(dir);
}
END_TEST

START_TEST(test_oversize_articles)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "a-small", "0123456789");
    write_str(dir, "b-big", "012345678901234567890"); /* 21 bytes */
    write_str(dir, "c-exact", "01234567890123456789"); /* 20 bytes */
    const char *paths[] = {dir};
    doppel_reader_opts o = opts_init();
    o.max_record_bytes = 20;
    run r = read_all(dir, paths, 1, &o);
    ck_assert_str_eq(r.dump, "a-small|0123456789|-|0|$D/a-small\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_LIMIT);
    ck_assert_str_eq(r.message, "$D/b-big: file larger than "
                                "max_record_bytes (20 bytes)");
    free(r.dump);
    o.skip_oversize = 1;
    r = read_all(dir, paths, 1, &o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "a-small|0123456789|-|0|$D/a-small\n"
                             "c-exact|01234567890123456789|-|0|$D/c-exact\n");
    ck_assert_uint_eq(r.stats.oversize, 1);
    free(r.dump);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------------- stdin */

/* Run the reader on "-" with `path` as fd 0, then restore fd 0. */
static run read_stdin_from(const char *dir, const char *path,
                           const doppel_reader_opts *o)
{
    int saved = dup(STDIN_FILENO);
    ck_assert_int_ge(saved, 0);
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    const char *paths[] = {"-"};
    run r = read_all(dir, paths, 1, o);
    ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    return r;
}

START_TEST(test_stdin)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "in.txt", "an article on stdin\n");
    write_str(dir, "in.jsonl", "{\"text\":\"x\"}\n\n{\"id\":\"k\",\"text\":\"y\"}");
    const char *j = "{\"text\":\"zipped\"}\n";
    size_t zn;
    unsigned char *z = gz(j, strlen(j), &zn);
    char *pz = join(dir, "in.gz");
    tu_write_file(pz, z, zn);
    free(z);
    char *pt = join(dir, "in.txt"), *pj = join(dir, "in.jsonl");
    run r = read_stdin_from(dir, pt, NULL);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "-|an article on stdin\n|-|0|-\n");
    free(r.dump);
    r = read_stdin_from(dir, pj, NULL);
    ck_assert_str_eq(r.dump, "-:1|x|-|1|-\n"
                             "k|y|-|3|-\n");
    free(r.dump);
    r = read_stdin_from(dir, pz, NULL);
    ck_assert_str_eq(r.dump, "-:1|zipped|-|1|-\n");
    free(r.dump);
    /* stdin stays open: the reader does not close what it did not open. */
    ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
    /* A FIFO named explicitly is read (bash's <(zcat ...) is one); in a
     * directory walk it would be skipped. */
    char *pf = join(dir, "fifo.jsonl"), *src = join(dir, "src");
    write_str(dir, "src", "{\"id\":\"f\",\"text\":\"through a fifo\"}\n");
    ck_assert_int_eq(mkfifo(pf, 0600), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* the writer: cat src > fifo (exec, so that a
                       valgrind run does not leak-check this fork) */
        int fd = open(pf, O_WRONLY);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
            _exit(126);
        execlp("cat", "cat", src, (char *)NULL);
        _exit(127);
    }
    const char *pfs[] = {pf};
    r = read_all(dir, pfs, 1, NULL);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.dump, "f|through a fifo|-|1|$D/fifo.jsonl\n");
    free(r.dump);
    free(pf);
    free(src);
    tu_rmtree(dir);
    free(pz);
    free(pt);
    free(pj);
    free(dir);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(test_missing_and_unreadable)
{
    char *dir = tu_mkdtemp();
    write_str(dir, "ok.txt", "fine");
    char *ok = join(dir, "ok.txt"), *missing = join(dir, "missing.jsonl"),
         *notdir = join(dir, "ok.txt/x");
    const char *paths[] = {ok, missing, ok};
    run r = read_all(dir, paths, 3, NULL);
    ck_assert_str_eq(r.dump, "$D/ok.txt|fine|-|0|$D/ok.txt\n");
    ck_assert_int_eq(r.rc, DOPPEL_ERR_NOTFOUND);
    ck_assert_str_eq(r.message, "$D/missing.jsonl: No such file or directory");
    free(r.dump);
    const char *paths2[] = {notdir};
    r = read_all(dir, paths2, 1, NULL);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_IO);
    ck_assert_str_eq(r.message, "$D/ok.txt/x: Not a directory");
    free(r.dump);
    /* A directory that cannot be listed (permissions do not bind root). */
    if (geteuid() != 0) {
        char *locked = join(dir, "locked");
        ck_assert_int_eq(mkdir(locked, 0755), 0);
        write_str(dir, "locked/f", "F");
        ck_assert_int_eq(chmod(locked, 0), 0);
        const char *paths3[] = {dir};
        r = read_all(dir, paths3, 1, NULL);
        ck_assert_int_eq(r.rc, DOPPEL_ERR_IO);
        ck_assert_str_eq(r.message, "$D/locked: Permission denied");
        free(r.dump);
        chmod(locked, 0755);
        free(locked);
    }
    tu_rmtree(dir);
    free(ok);
    free(missing);
    free(notdir);
    free(dir);
}
END_TEST

START_TEST(test_open_arguments)
{
    doppel_reader *rd = (doppel_reader *)1;
    doppel_error err = {0, {0}};
    doppel_reader_opts o = opts_init();
    o.version = 9;
    const char *paths[] = {"x"};
    ck_assert_int_eq(doppel_reader_open(&rd, paths, 1, &o, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_ptr_null(rd);
    ck_assert_str_eq(err.message, "reader opts version must be 1, got 9 "
                                  "(initialise with DOPPEL_READER_OPTS_INIT)");
    o = opts_init();
    o.format = (doppel_input_format)7;
    ck_assert_int_eq(doppel_reader_open(&rd, paths, 1, &o, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "format must be DOPPEL_INPUT_AUTO (0), "
                                  "_JSONL (1) or _TEXT (2), got 7");
    ck_assert_int_eq(doppel_reader_open(NULL, paths, 1, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_reader_open(&rd, NULL, 1, NULL, &err),
                     DOPPEL_ERR_PARAM);
    const char *nulls[] = {"a", NULL};
    ck_assert_int_eq(doppel_reader_open(&rd, nulls, 2, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "paths[1] must not be NULL");
    /* No inputs: an empty stream. */
    ck_assert_int_eq(doppel_reader_open(&rd, NULL, 0, NULL, &err), DOPPEL_OK);
    doppel_record rec;
    ck_assert_int_eq(doppel_reader_next(rd, &rec, &err), 0);
    ck_assert_int_eq(doppel_reader_next(NULL, &rec, &err), DOPPEL_ERR_PARAM);
    doppel_reader_stats st;
    doppel_reader_stats_get(rd, &st);
    ck_assert_uint_eq(st.records, 0);
    doppel_reader_stats_get(NULL, &st);
    ck_assert_uint_eq(st.bytes, 0);
    doppel_reader_free(rd);
    /* Paths and field names are copied: the caller's may go away. */
    char path[4096], field[8];
    char *dir = tu_mkdtemp();
    write_str(dir, "f.jsonl", "{\"body\":\"copied\"}\n");
    snprintf(path, sizeof path, "%s/f.jsonl", dir);
    strcpy(field, "body");
    const char *pp[] = {path};
    o = opts_init();
    o.text_field = field;
    ck_assert_int_eq(doppel_reader_open(&rd, pp, 1, &o, &err), DOPPEL_OK);
    memset(path, 'x', 20);
    strcpy(field, "text");
    ck_assert_int_eq(doppel_reader_next(rd, &rec, &err), 1);
    ck_assert_uint_eq(rec.text_len, 6);
    ck_assert_int_eq(memcmp(rec.text, "copied", 6), 0);
    doppel_reader_free(rd);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Fail each allocation in turn over a run that touches every allocating
 * path: the walk, a plain article, JSONL with escapes and generated ids,
 * gzip. Each failure is DOPPEL_ERR_NOMEM and leaks nothing; the first run
 * that succeeds reads what an unconstrained run reads. */
START_TEST(test_out_of_memory)
{
    char *dir = tu_mkdtemp();
    make_tree(dir);
    const char *j = "{\"te\\u0078t\":\"a\\nb\",\"id\":\"\\u00e9\","
                    "\"date\":\"\\u0031970-01-02\"}\n{\"text\":\"c\"}\n";
    size_t zn;
    unsigned char *z = gz(j, strlen(j), &zn);
    write_str(dir, "sub/deeper/w.jsonl", j);
    char *pz = join(dir, "sub/zz.jsonl.gz");
    tu_write_file(pz, z, zn);
    free(z);
    const char *paths[] = {dir, pz};
    run ref = read_all(dir, paths, 2, NULL);
    ck_assert_int_eq(ref.rc, 0);
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel_reader_opts o = opts_init();
        o.allocator = &fa.a;
        doppel_reader *rd = NULL;
        doppel_error err = {0, {0}};
        int rc = doppel_reader_open(&rd, paths, 2, &o, &err);
        strbuf b = {NULL, 0, 0};
        sb_add(&b, "", 0);
        if (rc == DOPPEL_OK) {
            doppel_record rec;
            while ((rc = doppel_reader_next(rd, &rec, &err)) == 1)
                dump_record(&b, &rec);
            if (rc < 0)
                ck_assert_int_eq(doppel_reader_next(rd, &rec, NULL),
                                 DOPPEL_ERR_STATE);
        }
        doppel_reader_free(rd);
        ck_assert_int_eq(fa.live, 0);
        if (rc == 0) {
            char *d = replace_all(b.s, dir, "$D");
            ck_assert_str_eq(d, ref.dump);
            free(d);
            free(b.s);
            ck_assert_int_gt(budget, 10);
            break;
        }
        ck_assert_int_eq(rc, DOPPEL_ERR_NOMEM);
        ck_assert_int_eq(err.code, DOPPEL_ERR_NOMEM);
        ck_assert_str_eq(err.message, "out of memory");
        free(b.s);
    }
    free(ref.dump);
    tu_rmtree(dir);
    free(pz);
    free(dir);
}
END_TEST

Suite *suite_reader(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_jsonl_framing);
    tcase_add_test(tc, test_bom_and_columns);
    tcase_add_test(tc, test_malformed_error_mode);
    tcase_add_test(tc, test_malformed_skip_mode);
    tcase_add_test(tc, test_oversize_lines);
    tcase_add_test(tc, test_oversize_memory_bound);
    tcase_add_test(tc, test_gzip_identical_records);
    tcase_add_test(tc, test_directory_walk);
    tcase_add_test(tc, test_forced_formats);
    tcase_add_test(tc, test_auto_rule);
    tcase_add_test(tc, test_oversize_articles);
    tcase_add_test(tc, test_stdin);
    tcase_add_test(tc, test_missing_and_unreadable);
    tcase_add_test(tc, test_open_arguments);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
