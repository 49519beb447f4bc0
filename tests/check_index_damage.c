/*
 * check_index_damage.c — damaged index files are refused with a message
 * naming the file and the place, never a crash (SQLite's corrupt-file
 * tests, in small): every file of an index (COMMIT, the state file, each
 * segment) truncated at every boundary of its layout, bits flipped in
 * every section, files of a future format version, files missing or
 * swapped, and the debris of a killed writer.
 *
 * What is checked when: COMMIT, the state file, and every segment's
 * header and footer at every open; a segment's sections (its columns and
 * postings) by doppel_index_verify(), by DOPPEL_INDEX_VERIFY, and before a
 * merge reads them. A flipped bit in a section that is not verified may
 * change an answer but must not crash a query; that is tested too.
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"
#include "testcorpus.h"
#include "testutil.h"

#include "index.h" /* section offsets of the files, for aiming */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void ok(int rc, const doppel_error *err)
{
    ck_assert_msg(rc == DOPPEL_OK, "status %d: %s", rc, err->message);
}

/* An index of two segments with clusters and a removed document, so that
 * every section of every file is non-empty. */
static char *build_index(const char *dir)
{
    char *path = malloc(strlen(dir) + 8);
    sprintf(path, "%s/idx", dir);
    tc_docs D = {0};
    tc_load_wikinews(&D, 30);
    tc_make_copies(&D, 30, 5, 0);
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    doppel_error err = {0};
    ok(doppel_index_create(&ix, path, &p, &o, &err), &err);
    ok(doppel_index_add(ix, D.d, 30, &err), &err);
    ok(doppel_index_commit(ix, NULL, &err), &err);
    ok(doppel_index_add(ix, D.d + 30, D.n - 30, &err), &err);
    ok(doppel_index_commit(ix, NULL, &err), &err);
    size_t removed;
    ok(doppel_index_remove(ix, &D.d[3].id, &D.d[3].id_len, 1, &removed, &err),
       &err);
    ck_assert_uint_eq(removed, 1);
    doppel_index_stats st;
    ok(doppel_index_stats_get(ix, &st, &err), &err);
    ck_assert_uint_eq(st.segments, 2);
    ck_assert_uint_gt(st.duplicates, 0);
    doppel_index_free(ix);
    tc_free(&D);
    return path;
}

/* A region of a file to damage, and the words the error must contain. */
typedef struct region {
    char file[64];
    uint64_t off, len;
    char name[48]; /* section name as messages give it, or "" */
    int lazy;      /* a segment section: found by verification only */
} region;

typedef struct regions {
    region r[128];
    int n;
} regions;

static void add_region(regions *rs, const char *file, uint64_t off,
                       uint64_t len, const char *name, int lazy)
{
    ck_assert_int_lt(rs->n, 128);
    region *r = &rs->r[rs->n++];
    snprintf(r->file, sizeof r->file, "%s", file);
    r->off = off;
    r->len = len;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->lazy = lazy;
}

static const char *const seg_sections[] = {
    "numbers", "dates", "meta", "values", "positions",
    "lede", "entities", "id offsets", "ids", "postings"};
static const char *const state_sections[] = {"labels", "deleted",
                                             "clusters", "df"};

static void sfile_regions(regions *rs, const char *file,
                          const doppel__sfile *sf, const char *const *names,
                          int lazy)
{
    add_region(rs, file, 0, DOPPEL__SFILE_HEADER, "", 0);
    uint64_t fo = sf->size - DOPPEL__SFILE_FOOTER(sf->nsec);
    for (unsigned i = 0; i < sf->nsec; i++) {
        add_region(rs, file, sf->off[i], sf->len[i], names[i], lazy);
        /* The zero padding after it, checked at every open. */
        uint64_t end = sf->off[i] + sf->len[i];
        uint64_t next = i + 1 < sf->nsec ? sf->off[i + 1] : fo;
        if (next > end)
            add_region(rs, file, end, next - end, "", 0);
    }
    add_region(rs, file, fo, DOPPEL__SFILE_FOOTER(sf->nsec), "", 0);
}

/* Every region of every file of the index at `path`. */
static void all_regions(const char *path, regions *rs)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    doppel_error err = {0};
    ok(doppel_index_open(&ix, path, &o, &err), &err);
    rs->n = 0;
    struct stat st;
    char p[4200];
    snprintf(p, sizeof p, "%s/COMMIT", path);
    ck_assert_int_eq(stat(p, &st), 0);
    add_region(rs, "COMMIT", 0, (uint64_t)st.st_size, "", 0);
    char name[64];
    doppel__state_name(name, sizeof name, ix->state.number);
    sfile_regions(rs, name, &ix->state.sf, state_sections, 0);
    for (uint32_t i = 0; i < ix->commit.nsegs; i++) {
        doppel__seg_name(name, sizeof name, ix->segs[i].number);
        sfile_regions(rs, name, &ix->segs[i].sf, seg_sections, 1);
        for (unsigned s = 0; s < DOPPEL__SEG_SECTIONS; s++)
            ck_assert_uint_gt(ix->segs[i].sf.len[s], 0);
    }
    for (unsigned s = 0; s < 4; s++)
        ck_assert_uint_gt(ix->state.sf.len[s], 0);
    doppel_index_free(ix);
}

static unsigned char *slurp(const char *dir, const char *file, size_t *len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    unsigned char *data = (unsigned char *)tu_read_file(p, len);
    ck_assert_ptr_nonnull(data);
    return data;
}

static void put(const char *dir, const char *file, const void *data,
                size_t len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    tu_write_file(p, data, len);
}

/* Open the index with flags; returns the status and leaves the message. */
static int try_open(const char *path, unsigned flags, doppel_error *err)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = flags;
    doppel_index *ix = NULL;
    memset(err, 0, sizeof *err);
    int rc = doppel_index_open(&ix, path, &o, err);
    ck_assert(rc < 0 || ix != NULL);
    doppel_index_free(ix);
    return rc;
}

/* The message names the file. */
static void names_file(const doppel_error *err, const char *file)
{
    ck_assert_msg(strstr(err->message, file) != NULL,
                  "message '%s' does not name %s", err->message, file);
}

START_TEST(test_truncation_at_every_boundary)
{
    char *dir = tu_mkdtemp(), *path = build_index(dir);
    regions rs;
    all_regions(path, &rs);
    int checked = 0;
    for (int i = 0; i < rs.n; i++) {
        const region *r = &rs.r[i];
        size_t len;
        unsigned char *orig = slurp(path, r->file, &len);
        uint64_t cuts[8] = {r->off, r->off + 1, r->off + r->len / 2,
                            r->off + r->len - 1};
        int ncut = 4;
        if (strcmp(r->file, "COMMIT") == 0) { /* its fields' boundaries */
            static const uint64_t f[] = {8, 12, 16, 36, 64, 128, 160};
            ncut = 0;
            for (size_t k = 0; k < sizeof f / sizeof *f; k++)
                cuts[ncut++] = f[k];
            cuts[ncut++] = len - 8;
        }
        for (int c = 0; c < ncut; c++) {
            if (cuts[c] >= len)
                continue;
            put(path, r->file, orig, (size_t)cuts[c]);
            doppel_error err;
            for (int verify = 0; verify < 2; verify++) {
                int rc = try_open(path, verify ? DOPPEL_INDEX_VERIFY
                                               : DOPPEL_INDEX_WRITE,
                                  &err);
                ck_assert_msg(rc == DOPPEL_ERR_CORRUPT,
                              "%s cut at %llu: status %d (%s)", r->file,
                              (unsigned long long)cuts[c], rc, err.message);
                names_file(&err, r->file);
                checked++;
            }
            if (cuts[c] >= DOPPEL__SFILE_HEADER && strcmp(r->file, "COMMIT"))
                ck_assert_msg(strstr(err.message, "truncated") != NULL,
                              "%s", err.message);
        }
        put(path, r->file, orig, len);
        free(orig);
    }
    /* The writer's opens above must not have removed anything. */
    doppel_error err;
    ok(try_open(path, DOPPEL_INDEX_VERIFY, &err), &err);
    ck_assert_int_gt(checked, 100);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* Query every document and one more: must not crash, whatever it says. */
static void query_all(const char *path)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    doppel_error err = {0};
    ok(doppel_index_open(&ix, path, &o, &err), &err);
    tc_docs D = {0};
    tc_load_wikinews(&D, 30);
    tc_make_copies(&D, 30, 5, 0);
    doppel_index_result *r = NULL;
    int rc = doppel_index_query(ix, D.d, D.n, &r, &err);
    ck_assert(rc == DOPPEL_OK || rc == DOPPEL_ERR_CORRUPT);
    doppel_index_result_free(r);
    doppel_index_stats st;
    rc = doppel_index_stats_get(ix, &st, &err);
    ck_assert_int_eq(rc, DOPPEL_OK);
    tc_free(&D);
    doppel_index_free(ix);
}

START_TEST(test_bit_flips_in_every_section)
{
    char *dir = tu_mkdtemp(), *path = build_index(dir);
    regions rs;
    all_regions(path, &rs);
    ck_assert_int_gt(rs.n, 30); /* padding regions included */
    uint64_t seed = 0x5eed;
    int flips = 0;
    for (int i = 0; i < rs.n; i++) {
        const region *r = &rs.r[i];
        size_t len;
        unsigned char *orig = slurp(path, r->file, &len);
        unsigned char *bad = malloc(len);
        for (int k = 0; k < 16; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t at = r->off + (seed >> 33) % r->len;
            unsigned bit = (unsigned)(seed >> 20) & 7;
            memcpy(bad, orig, len);
            bad[at] ^= (unsigned char)(1u << bit);
            put(path, r->file, bad, len);
            doppel_error err;
            int rc = try_open(path, DOPPEL_INDEX_VERIFY, &err);
            ck_assert_msg(rc == DOPPEL_ERR_CORRUPT || rc == DOPPEL_ERR_VERSION,
                          "%s byte %llu bit %u: status %d (%s)", r->file,
                          (unsigned long long)at, bit, rc, err.message);
            names_file(&err, r->file);
            if (r->name[0]) {
                char want[80];
                snprintf(want, sizeof want, "section '%s'", r->name);
                ck_assert_msg(strstr(err.message, want) != NULL,
                              "'%s' does not say %s", err.message, want);
            }
            if (r->lazy && (rc = try_open(path, 0, &err)) < 0) {
                /* Caught by the cheap checks at open (the first and last
                 * id offsets are read then). */
                ck_assert_int_eq(rc, DOPPEL_ERR_CORRUPT);
                names_file(&err, r->file);
            } else if (r->lazy) {
                /* Opens without full verification, answers queries
                 * without crashing, and verification finds it. */
                query_all(path);
                doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
                o.flags = DOPPEL_INDEX_WRITE;
                doppel_index *ix;
                ok(doppel_index_open(&ix, path, &o, &err), &err);
                ck_assert_int_eq(doppel_index_verify(ix, &err),
                                 DOPPEL_ERR_CORRUPT);
                names_file(&err, r->file);
                /* A merge refuses to copy it into a fresh file. */
                ck_assert_int_eq(doppel_index_compact(ix, &err),
                                 DOPPEL_ERR_CORRUPT);
                names_file(&err, r->file);
                doppel_index_free(ix);
            } else {
                rc = try_open(path, 0, &err);
                ck_assert_msg(rc == DOPPEL_ERR_CORRUPT ||
                                  rc == DOPPEL_ERR_VERSION,
                              "%s byte %llu: status %d", r->file,
                              (unsigned long long)at, rc);
            }
            flips++;
        }
        put(path, r->file, orig, len);
        free(orig);
        free(bad);
    }
    doppel_error err;
    ok(try_open(path, DOPPEL_INDEX_VERIFY, &err), &err);
    ck_assert_int_ge(flips, 16 * (1 + 5 + 2 * 12));
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

/* Set a file's version field (byte 8) to v; for COMMIT, fix its checksum
 * so that only the version is wrong. */
static void set_version(const char *path, const char *file, uint32_t v)
{
    size_t len;
    unsigned char *data = slurp(path, file, &len);
    data[8] = (unsigned char)v;
    data[9] = data[10] = data[11] = 0;
    put(path, file, data, len);
    free(data);
}

START_TEST(test_future_versions_refused_by_name)
{
    char *dir = tu_mkdtemp(), *path = build_index(dir);
    regions rs;
    all_regions(path, &rs);
    const char *files[3] = {"COMMIT", rs.r[1].file, rs.r[rs.n - 1].file};
    const char *what[3] = {"index format version 2",
                           "index state format version 2",
                           "index segment format version 2"};
    for (int i = 0; i < 3; i++) {
        size_t len;
        unsigned char *orig = slurp(path, files[i], &len);
        set_version(path, files[i], 2);
        doppel_error err;
        ck_assert_int_eq(try_open(path, 0, &err), DOPPEL_ERR_VERSION);
        char want[600];
        snprintf(want, sizeof want,
                 "%s/%s: %s is newer than this doppel (%s) can read "
                 "(version 1); open it with a newer doppel",
                 path, files[i], what[i], DOPPEL_VERSION_STRING);
        ck_assert_str_eq(err.message, want);
        /* Version 0 is damage, not the future. */
        set_version(path, files[i], 0);
        ck_assert_int_eq(try_open(path, 0, &err), DOPPEL_ERR_CORRUPT);
        put(path, files[i], orig, len);
        free(orig);
    }
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_missing_and_swapped_files)
{
    char *dir = tu_mkdtemp(), *path = build_index(dir);
    regions rs;
    all_regions(path, &rs);
    /* The segments are the last two files of the regions. */
    const char *seg_a = NULL, *seg_b = NULL;
    for (int i = 0; i < rs.n; i++)
        if (strncmp(rs.r[i].file, "seg-", 4) == 0) {
            if (!seg_a)
                seg_a = rs.r[i].file;
            else if (strcmp(rs.r[i].file, seg_a) != 0)
                seg_b = rs.r[i].file;
        }
    ck_assert_ptr_nonnull(seg_b);
    char pa[4200], pb[4200], pt[4200];
    snprintf(pa, sizeof pa, "%s/%s", path, seg_a);
    snprintf(pb, sizeof pb, "%s/%s", path, seg_b);
    snprintf(pt, sizeof pt, "%s/keep", dir);
    ck_assert_int_eq(rename(pa, pt), 0);
    doppel_error err;
    ck_assert_int_eq(try_open(path, DOPPEL_INDEX_WRITE, &err),
                     DOPPEL_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "a file its COMMIT names is "
                                              "missing"));
    names_file(&err, seg_a);
    /* Another segment under its name. */
    size_t len;
    unsigned char *b = slurp(path, seg_b, &len);
    put(path, seg_a, b, len);
    free(b);
    ck_assert_int_eq(try_open(path, 0, &err), DOPPEL_ERR_CORRUPT);
    names_file(&err, seg_a);
    ck_assert_int_eq(rename(pt, pa), 0);
    /* A directory in place of a segment. */
    ck_assert_int_eq(rename(pa, pt), 0);
    ck_assert_int_eq(mkdir(pa, 0700), 0);
    ck_assert_int_eq(try_open(path, 0, &err), DOPPEL_ERR_CORRUPT);
    ck_assert_int_eq(rmdir(pa), 0);
    ck_assert_int_eq(rename(pt, pa), 0);
    ok(try_open(path, DOPPEL_INDEX_VERIFY, &err), &err);
    (void)pb;
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

static int exists(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0;
}

START_TEST(test_debris_removed_by_the_next_writer)
{
    char *dir = tu_mkdtemp(), *path = build_index(dir);
    const char *debris[3] = {"seg-00000099.dps", "state-00000098.dps",
                             "COMMIT.tmp"};
    for (int i = 0; i < 3; i++)
        put(path, debris[i], "partial", 7);
    put(path, "notes.txt", "mine", 4);
    put(path, "seg-1.dps", "not a name doppel writes", 24);
    doppel_error err;
    ok(try_open(path, 0, &err), &err); /* readers leave everything */
    for (int i = 0; i < 3; i++)
        ck_assert(exists(path, debris[i]));
    ok(try_open(path, DOPPEL_INDEX_WRITE, &err), &err);
    for (int i = 0; i < 3; i++)
        ck_assert(!exists(path, debris[i]));
    ck_assert(exists(path, "notes.txt"));
    ck_assert(exists(path, "seg-1.dps"));
    ok(try_open(path, DOPPEL_INDEX_VERIFY, &err), &err);
    tu_rmtree(dir);
    free(path);
    free(dir);
}
END_TEST

Suite *suite_index_damage(void)
{
    Suite *s = suite_create("index_damage");
    TCase *tc = tcase_create("damage");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_truncation_at_every_boundary);
    tcase_add_test(tc, test_bit_flips_in_every_section);
    tcase_add_test(tc, test_future_versions_refused_by_name);
    tcase_add_test(tc, test_missing_and_swapped_files);
    tcase_add_test(tc, test_debris_removed_by_the_next_writer);
    suite_add_tcase(s, tc);
    return s;
}
