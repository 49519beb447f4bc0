/*
 * state.c — an index's state file: deletions, clusters and the corpus
 * table of the documents of one commit. Segments are immutable; what
 * changes about their documents after they are written lives here.
 *
 *   header (sfile.h; 128 bytes)
 *      0  8  magic "DOPPELST"        8  4  format version (1)
 *     12  4  header size (128)      16  8  file number (state-N.dps)
 *     24  4  P, positions           28  4  C, clusters of 2 or more
 *     32  4  live positions         36  4  D, bins of the corpus table
 *     40  8  documents counted in   48  4  the table's encoding: 0 dense,
 *            the corpus table               1 sparse
 *     52  4  0                      56  8  Z, entries of a sparse table
 *     64 56  0                     120  8  XXH3 of bytes 0..119
 *   sections
 *     labels   P x u32         position of each document's representative
 *     deleted  ceil(P/64) x u64  bit p set: position p is deleted
 *     clusters C x 2 x u32     (representative position, size), ascending
 *     df       the corpus table: how many live non-empty documents hold
 *              value v in bin k, saturating at 65535, for every cell
 *              c = k * 65536 + v of D bins; D is K, or 0 when the
 *              parameters do not use the boilerplate rule (verify.h).
 *              dense:  D x 65536 x u16, the counts of all cells
 *              sparse: Z x u32 cells (ascending), then Z x u16 counts
 *                      (not 0), for the cells that are not 0
 *   footer: the XXH3 of each section
 *
 * The table is written in whichever encoding is smaller: sparse while
 * fewer than a third of its cells are used (an index of up to about
 * 26,000 documents at any K: a state file of kilobytes, not 16 MB), dense
 * after that, when it is mapped and used in place. A sparse table is
 * spread into memory of the reader's at open.
 *
 * A position is a document's place in the concatenation of the commit's
 * segments, in order (document numbers ascend with it); it changes only
 * when segments are merged, and the merge rewrites this file.
 *
 * Why one file per commit rather than tombstones per segment: an add can
 * change the cluster, and so the label, of documents in any segment (two
 * archived clusters joined by a new copy; an earlier-dated copy becoming
 * the representative), so per-segment files would be rewritten for many
 * segments at most commits anyway. And every add, remove and expire
 * changes the corpus table. One file costs 4.1 bytes per document plus the
 * table (16 MB at K = 128, whatever the index's size) per commit: 20 MB at
 * a million documents, written and fsync'd in tens of milliseconds, and
 * the one place a reader looks for all of it. It is read whole and checked
 * whole at every open (docs/index.md has the measured cost, and why the
 * table is stored rather than counted again from the segments at open).
 */
#include "state.h"
#include "le.h"

#include <stdio.h>
#include <string.h>

#define NSEC 4

static const char *const section_names[NSEC] = {"labels", "deleted",
                                                "clusters", "df"};

void doppel__state_name(char *buf, size_t cap, uint64_t number)
{
    snprintf(buf, cap, "state-%08llu.dps", (unsigned long long)number);
}

uint32_t doppel__cluster_size(const uint32_t *sizes, uint32_t C,
                              uint32_t rep)
{
    size_t lo = 0, hi = C;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t r = sizes[2 * mid];
        if (r == rep)
            return sizes[2 * mid + 1];
        if (r < rep)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 1;
}

/* Z == UINT64_MAX: a dense table. */
static void lengths_of(uint64_t *len, uint32_t P, uint32_t C, uint32_t D,
                       uint64_t Z)
{
    len[0] = 4ull * P;
    len[1] = 8ull * doppel__bit_words(P);
    len[2] = 8ull * C;
    len[3] = Z == UINT64_MAX ? 2ull * 65536u * D : 6ull * Z;
}

/* A sparse table spread into a table of D x 65536 counts (allocated),
 * checked: cells ascending and inside the table, counts not 0. */
static int spread_sparse(doppel__state *st, const unsigned char *sec,
                         uint64_t Z, const doppel_allocator *a,
                         doppel_error *err)
{
    uint64_t cells = (uint64_t)st->df_K * 65536u;
    uint16_t *t = doppel__calloc_array(a, (size_t)cells, sizeof *t);
    if (!t)
        return DOPPEL_NOMEM(err);
    const unsigned char *counts = sec + 4 * Z;
    uint64_t prev = 0;
    for (uint64_t i = 0; i < Z; i++) {
        uint64_t c = doppel__get32(sec + 4 * i);
        uint16_t n = (uint16_t)doppel__get16(counts + 2 * i);
        if (c >= cells || (i && c <= prev) || n == 0) {
            doppel__free(a, t);
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: section 'df': entry %llu (cell %llu, "
                                 "count %u) is out of order or out of range",
                                 st->path, (unsigned long long)i,
                                 (unsigned long long)c, (unsigned)n);
        }
        t[c] = n;
        prev = c;
    }
    st->df_owned = t;
    st->df = t;
    return DOPPEL_OK;
}

int doppel__state_open(doppel__state *st, const char *dir, uint64_t number,
                       uint64_t header_sum, uint32_t df_K,
                       const doppel_allocator *a, doppel_error *err)
{
    memset(st, 0, sizeof *st);
    st->number = number;
    char name[40];
    doppel__state_name(name, sizeof name, number);
    st->path = doppel__path_join(a, dir, name);
    if (!st->path)
        return DOPPEL_NOMEM(err);
    int rc = DOPPEL_OK;
    if (!DOPPEL__HOST_LE) {
        rc = doppel__error(err, DOPPEL_ERR_VERSION,
                           "%s: index files are little-endian and "
                           "memory-mapped; this big-endian build cannot "
                           "read them",
                           st->path);
        goto fail;
    }
    rc = doppel__map_file(st->path, &st->map, &st->size, err);
    if (rc < 0)
        goto fail;
    unsigned version;
    rc = doppel__sfile_check_header(st->path, st->map, st->size,
                                    DOPPEL__STATE_MAGIC,
                                    DOPPEL__STATE_VERSION, "index state",
                                    &version, err);
    if (rc < 0)
        goto fail;
    const unsigned char *h = st->map;
    if (doppel__get64(h + 16) != number ||
        doppel__get64(h + DOPPEL__SFILE_HEADER - 8) != header_sum) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: not the state file its COMMIT names (header "
                           "bytes 16-23 or its checksum differ)",
                           st->path);
        goto fail;
    }
    st->P = doppel__get32(h + 24);
    st->C = doppel__get32(h + 28);
    st->live = doppel__get32(h + 32);
    st->df_K = doppel__get32(h + 36);
    st->df_docs = doppel__get64(h + 40);
    uint32_t encoding = doppel__get32(h + 48);
    uint64_t Z = encoding ? doppel__get64(h + 56) : UINT64_MAX;
    if (encoding > 1 || (encoding && Z > (uint64_t)df_K * 65536u)) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: the corpus table's encoding (%u, %llu "
                           "entries) is not one this version writes",
                           st->path, encoding, (unsigned long long)Z);
        goto fail;
    }
    if (st->df_K != df_K || st->df_docs > st->live) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: the corpus table has %u bins and counts %llu "
                           "documents; the index's parameters need %u bins "
                           "and it has %u live documents",
                           st->path, st->df_K,
                           (unsigned long long)st->df_docs, df_K, st->live);
        goto fail;
    }
    uint64_t len[NSEC];
    lengths_of(len, st->P, st->C, st->df_K, Z);
    rc = doppel__sfile_layout(&st->sf, st->path, st->map, st->size, NSEC,
                              len, section_names, err);
    for (unsigned i = 0; rc == DOPPEL_OK && i < NSEC; i++)
        rc = doppel__sfile_verify(&st->sf, i, st->path, section_names, err);
    if (rc < 0)
        goto fail;
    st->labels = (const uint32_t *)(const void *)(st->map + st->sf.off[0]);
    st->deleted = (const uint64_t *)(const void *)(st->map + st->sf.off[1]);
    st->sizes = (const uint32_t *)(const void *)(st->map + st->sf.off[2]);
    if (st->df_K && Z == UINT64_MAX)
        st->df = (const uint16_t *)(const void *)(st->map + st->sf.off[3]);
    else if (st->df_K && (rc = spread_sparse(st, st->map + st->sf.off[3], Z,
                                             a, err)) < 0)
        goto fail;
    /* Checked once here so that every later use may index with them. */
    uint32_t dead = 0;
    size_t words = doppel__bit_words(st->P);
    for (size_t w = 0; w < words; w++)
        dead += (uint32_t)__builtin_popcountll(st->deleted[w]);
    if ((st->P & 63) && (st->deleted[words - 1] >> (st->P & 63)) != 0)
        dead = UINT32_MAX;
    const char *bad = NULL;
    if (dead > st->P || st->live != st->P - dead)
        bad = "the deleted bits do not match the live count";
    for (uint32_t p = 0; !bad && p < st->P; p++) {
        uint32_t l = st->labels[p];
        if (!doppel__bit(st->deleted, p) &&
            (l >= st->P || doppel__bit(st->deleted, l)))
            bad = "a label points outside the live documents";
    }
    for (uint32_t c = 0; !bad && c < st->C; c++) {
        uint32_t r = st->sizes[2 * c], k = st->sizes[2 * c + 1];
        if (r >= st->P || doppel__bit(st->deleted, r) || k < 2 ||
            k > st->live || (c && r <= st->sizes[2 * c - 2]))
            bad = "the cluster table is not sorted or names a deleted "
                  "document";
    }
    if (bad) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT, "%s: %s", st->path, bad);
        goto fail;
    }
    return DOPPEL_OK;
fail:
    doppel__state_close(st, a);
    return rc;
}

void doppel__state_close(doppel__state *st, const doppel_allocator *a)
{
    doppel__unmap_file(st->map, st->size);
    doppel__free(a, st->df_owned);
    doppel__free(a, st->path);
    memset(st, 0, sizeof *st);
}

/* Sparse entries of a table of `cells` counts. */
static uint64_t nonzero(const uint16_t *t, uint64_t cells)
{
    uint64_t z = 0;
    for (uint64_t c = 0; c < cells; c++)
        z += t[c] != 0;
    return z;
}

/* Write a sparse table: its cells, then its counts, a chunk at a time. */
static int put_sparse(doppel__sfile_writer *w, const uint16_t *t,
                      uint64_t cells, doppel_error *err)
{
    unsigned char buf[4096];
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0, width = pass ? 2 : 4;
        for (uint64_t c = 0; c < cells; c++) {
            if (!t[c])
                continue;
            if (pass)
                doppel__put16(buf + n, t[c]);
            else
                doppel__put32(buf + n, (uint32_t)c);
            n += width;
            if (n == sizeof buf) {
                DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, buf, n, err));
                n = 0;
            }
        }
        if (n)
            DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, buf, n, err));
    }
    return DOPPEL_OK;
}

int doppel__state_write(const doppel__vfs *vfs, const char *dir,
                        uint64_t number, const doppel__state_data *d,
                        uint64_t *size, uint64_t *header_sum,
                        const doppel_allocator *a, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!DOPPEL__HOST_LE, err, DOPPEL_ERR_VERSION,
                           "index files are little-endian; this big-endian "
                           "build cannot write them");
    uint32_t P = d->P, D = d->df ? d->df_K : 0;
    uint64_t cells = (uint64_t)D * 65536u;
    uint64_t Z = D ? nonzero(d->df, cells) : 0;
    if (3 * Z >= cells) /* a third or more used: dense is smaller */
        Z = UINT64_MAX;
    uint32_t dead = 0;
    for (size_t w = 0; w < doppel__bit_words(P); w++)
        dead += (uint32_t)__builtin_popcountll(d->deleted[w]);
    unsigned char h[DOPPEL__SFILE_HEADER];
    doppel__sfile_header_start(h, DOPPEL__STATE_MAGIC, DOPPEL__STATE_VERSION);
    doppel__put64(h + 16, number);
    doppel__put32(h + 24, P);
    doppel__put32(h + 28, d->C);
    doppel__put32(h + 32, P - dead);
    doppel__put32(h + 36, D);
    doppel__put64(h + 40, D ? d->df_docs : 0);
    doppel__put32(h + 48, Z != UINT64_MAX);
    doppel__put64(h + 56, Z != UINT64_MAX ? Z : 0);
    uint64_t len[NSEC];
    lengths_of(len, P, d->C, D, Z);
    char name[40];
    doppel__state_name(name, sizeof name, number);
    char *path = doppel__path_join(a, dir, name);
    if (!path)
        return DOPPEL_NOMEM(err);
    doppel__sfile_writer w;
    const void *data[NSEC - 1] = {d->labels, d->deleted, d->sizes};
    int rc = doppel__sfile_create(&w, vfs, path, h, NSEC, len, a, err);
    for (unsigned i = 0; rc == DOPPEL_OK && i < NSEC - 1; i++)
        rc = doppel__sfile_put(&w, data[i], (size_t)len[i], err);
    if (rc == DOPPEL_OK && Z == UINT64_MAX)
        rc = doppel__sfile_put(&w, d->df, (size_t)len[3], err);
    else if (rc == DOPPEL_OK)
        rc = put_sparse(&w, d->df, cells, err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_finish(&w, header_sum, err);
    else
        doppel__sfile_abort(&w);
    if (rc == DOPPEL_OK && size)
        *size = doppel__sfile_size(NSEC, len);
    doppel__free(a, path);
    return rc;
}
