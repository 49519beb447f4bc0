/*
 * fuzz_index.c — an index directory made of arbitrary files, opened and
 * used the way a reader and a writer use one: doppel_index_open (with and
 * without DOPPEL_INDEX_VERIFY), stats, scan, query, verify; and, as the
 * writer, add and commit, remove, merge and compact.
 *
 * Input layout: one option byte, then files, each as
 *   u8 name length, the name, u32 (little-endian) data length, the data,
 * written into a fresh directory (names of anything but letters, digits,
 * '.', '-' and '_', or starting with '.', are skipped; a truncated record
 * ends the list). Option bits:
 *   bit 0: fix the checksums first, so that mutations reach what is behind
 *          them (a random change never passes a 64-bit checksum; the
 *          fuzzer would only ever test that): every segment's and the
 *          state file's header checksum and footer, every section checksum
 *          of the state file (which is checked whole at open), and what
 *          COMMIT records of them, then COMMIT's own checksum. Segments'
 *          sections keep their checksums: an open without VERIFY does not
 *          read them, which is the case this target is most about (a
 *          damaged segment must never crash a reader);
 *   bit 1: also open as the writer and change the index.
 *
 * Invariants checked besides memory safety:
 *   - a refusal to open is DOPPEL_ERR_CORRUPT, _VERSION or _NOTFOUND
 *     (or _NOMEM for absurd sizes) with a message; no handle is returned;
 *   - on an index that opened, every call returns DOPPEL_OK or
 *     DOPPEL_ERR_CORRUPT, results are consistent (a match's similarity in
 *     [0, 1], cluster sizes at least 1, stats adding up);
 *   - an index that opens with DOPPEL_INDEX_VERIFY passes
 *     doppel_index_verify();
 *   - a writer's change either succeeds, after which the index opens with
 *     VERIFY, or fails with a status (never a crash).
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "doppel.h"
#include "hash.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ files */

typedef struct file {
    char name[64];
    unsigned char *data;
    size_t len;
} file;

#define MAX_FILES 32

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int good_name(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static size_t parse_files(const uint8_t *data, size_t size, file *f)
{
    size_t n = 0;
    while (n < MAX_FILES && size >= 1) {
        size_t nl = data[0];
        if (size < 1 + nl + 4)
            break;
        const char *name = (const char *)data + 1;
        size_t dl = get32(data + 1 + nl);
        if (size - 1 - nl - 4 < dl)
            break;
        if (nl < sizeof f[n].name && good_name(name, nl)) {
            memcpy(f[n].name, name, nl);
            f[n].name[nl] = '\0';
            f[n].data = malloc(dl ? dl : 1);
            FUZZ_CHECK(f[n].data != NULL);
            if (dl)
                memcpy(f[n].data, data + 1 + nl + 4, dl);
            f[n].len = dl;
            n++;
        }
        data += 1 + nl + 4 + dl;
        size -= 1 + nl + 4 + dl;
    }
    return n;
}

static file *find(file *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return &f[i];
    return NULL;
}

/* ------------------------------------------------------- checksums */

#define SF_HEADER 128u
#define SF_ALIGN 64u

/* Fix a sectioned file's header checksum and footer (and, given the
 * section lengths, every section's checksum). Returns the header's XXH3,
 * or 0 when the file is too short to have one. */
static uint64_t fix_sfile(file *g, const uint64_t *len, unsigned nsec)
{
    if (g->len < SF_HEADER + 24)
        return 0;
    unsigned char *d = g->data;
    uint64_t hs = doppel__hash_bytes(d, SF_HEADER - 8, 0);
    put64(d + SF_HEADER - 8, hs);
    uint32_t S = get32(d + g->len - 12);
    if (S > 64 || (uint64_t)8 * S + 24 > g->len - SF_HEADER)
        return hs;
    size_t F = g->len - (8u * S + 24u);
    if (len && nsec == S) {
        uint64_t off = SF_HEADER;
        for (unsigned i = 0; i < S; i++) {
            if (off > F || len[i] > F - off)
                break;
            put64(d + F + 8u * i, doppel__hash_bytes(d + off, len[i], 0));
            off += len[i];
            off = (off + SF_ALIGN - 1) / SF_ALIGN * SF_ALIGN;
        }
    }
    put64(d + F + 8u * S, hs);
    put64(d + g->len - 8, doppel__hash_bytes(d + F, g->len - 8 - F, 0));
    return hs;
}

/* The state file's section lengths from its header (state.c). */
static void state_lengths(const file *g, uint64_t len[4])
{
    const unsigned char *h = g->data;
    uint64_t P = get32(h + 24), C = get32(h + 28), D = get32(h + 36);
    uint64_t sparse = get32(h + 48), Z = get64(h + 56);
    len[0] = 4 * P;
    len[1] = 8 * ((P + 63) / 64);
    len[2] = 8 * C;
    len[3] = sparse ? 6 * (Z > (1ull << 40) ? 0 : Z) : 2 * 65536 * D;
}

static void fix_sums(file *f, size_t n)
{
    file *c = find(f, n, "COMMIT");
    if (!c || c->len < 136)
        return;
    unsigned char *d = c->data;
    uint32_t S = get32(d + 36);
    if ((uint64_t)128 + 32ull * S + 8 != c->len)
        return;
    char name[64];
    snprintf(name, sizeof name, "state-%08llu.dps",
             (unsigned long long)get64(d + 40));
    file *st = find(f, n, name);
    if (st && st->len >= SF_HEADER + 24) {
        uint64_t len[4];
        state_lengths(st, len);
        put64(d + 48, fix_sfile(st, len, 4));
        put64(d + 56, st->len);
    }
    for (uint32_t i = 0; i < S; i++) {
        unsigned char *e = d + 128 + 32u * i;
        snprintf(name, sizeof name, "seg-%08llu.dps",
                 (unsigned long long)get64(e));
        file *g = find(f, n, name);
        if (!g)
            continue;
        put64(e + 24, fix_sfile(g, NULL, 0));
        put64(e + 16, g->len);
    }
    put64(d + c->len - 8, doppel__hash_bytes(d, c->len - 8, 0));
}

/* ------------------------------------------------------ directories */

static void write_files(const char *dir, const file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char p[512];
        snprintf(p, sizeof p, "%.400s/%.63s", dir, f[i].name);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        FUZZ_CHECK(fd >= 0);
        size_t done = 0;
        while (done < f[i].len) {
            ssize_t w = write(fd, f[i].data + done, f[i].len - done);
            FUZZ_CHECK(w > 0);
            done += (size_t)w;
        }
        close(fd);
    }
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[512];
            snprintf(p, sizeof p, "%.250s/%.255s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* -------------------------------------------------------------- use */

static const char *const texts[] = {
    "The city council voted on Tuesday to close the old bridge over the "
    "river after engineers found cracks in two of its pillars, the mayor "
    "said in a statement.",
    "Scientists at the university said the new telescope had found a "
    "planet about the size of Earth orbiting a small star forty light "
    "years away.",
    "",
};
#define NTEXTS (sizeof texts / sizeof texts[0])

static int allowed_open(int rc)
{
    return rc == DOPPEL_ERR_CORRUPT || rc == DOPPEL_ERR_VERSION ||
           rc == DOPPEL_ERR_NOTFOUND || rc == DOPPEL_ERR_NOMEM ||
           rc == DOPPEL_ERR_MISMATCH;
}

static int scan_cb(void *ctx, const doppel_index_entry *e)
{
    size_t *n = ctx;
    FUZZ_CHECK(e->cluster_size >= 1);
    FUZZ_CHECK(e->similarity >= 0.0 && e->similarity <= 1.0);
    FUZZ_CHECK(e->doc.id != NULL && e->representative.id != NULL);
    (*n)++;
    return 0;
}

static void use_reader(doppel_index *ix, int verified)
{
    doppel_error err = {0, {0}};
    doppel_index_stats st;
    FUZZ_CHECK(doppel_index_stats_get(ix, &st, &err) == DOPPEL_OK);
    FUZZ_CHECK(st.duplicates <= st.documents);
    FUZZ_CHECK(st.clusters <= st.documents);
    size_t seen = 0;
    int rc = doppel_index_scan(ix, scan_cb, &seen, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_CORRUPT);
    if (rc == DOPPEL_OK)
        FUZZ_CHECK(seen == st.documents);
    doppel_doc docs[NTEXTS];
    for (size_t i = 0; i < NTEXTS; i++) {
        docs[i].id = "q";
        docs[i].id_len = 1;
        docs[i].text = texts[i];
        docs[i].text_len = strlen(texts[i]);
        docs[i].date = DOPPEL_NO_DATE;
    }
    doppel_index_result *r = NULL;
    rc = doppel_index_query(ix, docs, NTEXTS, &r, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_CORRUPT);
    if (rc == DOPPEL_OK) {
        FUZZ_CHECK(doppel_index_result_count(r) == NTEXTS);
        for (size_t i = 0; i < NTEXTS; i++) {
            doppel_index_entry e;
            FUZZ_CHECK(doppel_index_result_get(r, i, &e, NULL) == DOPPEL_OK);
            FUZZ_CHECK(e.cluster_size >= 1);
            for (size_t k = 0; k < e.nmatches; k++)
                FUZZ_CHECK(e.matches[k].similarity >= 0.0 &&
                           e.matches[k].similarity <= 1.0);
        }
    }
    doppel_index_result_free(r);
    rc = doppel_index_verify(ix, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_CORRUPT);
    if (verified)
        FUZZ_CHECK(rc == DOPPEL_OK);
}

static void use_writer(const char *dir)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = DOPPEL_INDEX_WRITE;
    doppel_index *ix = NULL;
    doppel_error err = {0, {0}};
    int rc = doppel_index_open(&ix, dir, &o, &err);
    if (rc != DOPPEL_OK) {
        FUZZ_CHECK(allowed_open(rc) || rc == DOPPEL_ERR_BUSY);
        FUZZ_CHECK(ix == NULL);
        return;
    }
    doppel_doc d = {"new", 3, texts[0], strlen(texts[0]), 1700000000};
    rc = doppel_index_add(ix, &d, 1, &err);
    if (rc == DOPPEL_OK)
        rc = doppel_index_commit(ix, NULL, &err);
    const char *id = "new";
    size_t id_len = 3, removed = 0;
    if (rc == DOPPEL_OK)
        rc = doppel_index_remove(ix, &id, &id_len, 1, &removed, &err);
    if (rc == DOPPEL_OK)
        rc = doppel_index_merge(ix, &err);
    if (rc == DOPPEL_OK)
        rc = doppel_index_compact(ix, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_CORRUPT ||
               rc == DOPPEL_ERR_LIMIT || rc == DOPPEL_ERR_STATE);
    doppel_index_free(ix);
    if (rc != DOPPEL_OK)
        return;
    /* Every change committed: what is there now is whole. */
    o.flags = DOPPEL_INDEX_VERIFY;
    FUZZ_CHECK(doppel_index_open(&ix, dir, &o, &err) == DOPPEL_OK);
    FUZZ_CHECK(doppel_index_verify(ix, &err) == DOPPEL_OK);
    doppel_index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned opt = fuzz_take_byte(&data, &size);
    file f[MAX_FILES];
    size_t n = parse_files(data, size, f);
    if (opt & 1)
        fix_sums(f, n);
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/doppel-fuzz-index-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    write_files(dir, f, n);
    for (size_t i = 0; i < n; i++)
        free(f[i].data);

    for (int verify = 0; verify < 2; verify++) {
        doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
        o.flags = verify ? DOPPEL_INDEX_VERIFY : 0;
        doppel_index *ix = (doppel_index *)&opt; /* must be reset */
        doppel_error err = {0, {0}};
        int rc = doppel_index_open(&ix, dir, &o, &err);
        if (rc != DOPPEL_OK) {
            FUZZ_CHECK(allowed_open(rc));
            FUZZ_CHECK(err.code == rc && err.message[0] != '\0');
            FUZZ_CHECK(ix == NULL);
            if (getenv("DOPPEL_FUZZ_VERBOSE"))
                fprintf(stderr, "  refused: %s\n", err.message);
            continue;
        }
        if (getenv("DOPPEL_FUZZ_VERBOSE"))
            fprintf(stderr, "  opened%s\n", verify ? " and verified" : "");
        use_reader(ix, verify);
        doppel_index_free(ix);
    }
    if (opt & 2)
        use_writer(dir);
    remove_dir(dir);
    return 0;
}
