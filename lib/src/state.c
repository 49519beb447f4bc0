/*
 * state.c — an index's state file: deletions and clusters of the documents
 * of one commit. Segments are immutable; what changes about their
 * documents after they are written lives here.
 *
 *   header (sfile.h; 128 bytes)
 *      0  8  magic "DOPPELST"        8  4  format version (1)
 *     12  4  header size (128)      16  8  file number (state-N.dps)
 *     24  4  P, positions           28  4  C, clusters of 2 or more
 *     32  4  live positions         36 84  0
 *    120  8  XXH3 of bytes 0..119
 *   sections
 *     labels   P x u32         position of each document's representative
 *     deleted  ceil(P/64) x u64  bit p set: position p is deleted
 *     clusters C x 2 x u32     (representative position, size), ascending
 *   footer: the XXH3 of each section
 *
 * A position is a document's place in the concatenation of the commit's
 * segments, in order (document numbers ascend with it); it changes only
 * when segments are merged, and the merge rewrites this file.
 *
 * Why one file per commit rather than tombstones per segment: an add can
 * change the cluster, and so the label, of documents in any segment (two
 * archived clusters joined by a new copy; an earlier-dated copy becoming
 * the representative), so per-segment files would be rewritten for many
 * segments at most commits anyway. One file costs 4.1 bytes per document
 * per commit (4 MB at a million documents, written and fsync'd in a few
 * milliseconds) and is the one place a reader looks for them. It is read
 * whole and checked whole at every open.
 */
#include "state.h"
#include "le.h"

#include <stdio.h>
#include <string.h>

static const char *const section_names[3] = {"labels", "deleted",
                                             "clusters"};

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

static void lengths_of(uint64_t *len, uint32_t P, uint32_t C)
{
    len[0] = 4ull * P;
    len[1] = 8ull * doppel__bit_words(P);
    len[2] = 8ull * C;
}

int doppel__state_open(doppel__state *st, const char *dir, uint64_t number,
                       uint64_t header_sum, const doppel_allocator *a,
                       doppel_error *err)
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
    uint64_t len[3];
    lengths_of(len, st->P, st->C);
    rc = doppel__sfile_layout(&st->sf, st->path, st->map, st->size, 3, len,
                              section_names, err);
    for (unsigned i = 0; rc == DOPPEL_OK && i < 3; i++)
        rc = doppel__sfile_verify(&st->sf, i, st->path, section_names, err);
    if (rc < 0)
        goto fail;
    st->labels = (const uint32_t *)(const void *)(st->map + st->sf.off[0]);
    st->deleted = (const uint64_t *)(const void *)(st->map + st->sf.off[1]);
    st->sizes = (const uint32_t *)(const void *)(st->map + st->sf.off[2]);
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
    doppel__free(a, st->path);
    memset(st, 0, sizeof *st);
}

int doppel__state_write(const doppel__vfs *vfs, const char *dir,
                        uint64_t number, uint32_t P, const uint32_t *labels,
                        const uint64_t *deleted, const uint32_t *sizes,
                        uint32_t C, uint64_t *size, uint64_t *header_sum,
                        const doppel_allocator *a, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!DOPPEL__HOST_LE, err, DOPPEL_ERR_VERSION,
                           "index files are little-endian; this big-endian "
                           "build cannot write them");
    uint32_t dead = 0;
    for (size_t w = 0; w < doppel__bit_words(P); w++)
        dead += (uint32_t)__builtin_popcountll(deleted[w]);
    unsigned char h[DOPPEL__SFILE_HEADER];
    doppel__sfile_header_start(h, DOPPEL__STATE_MAGIC, DOPPEL__STATE_VERSION);
    doppel__put64(h + 16, number);
    doppel__put32(h + 24, P);
    doppel__put32(h + 28, C);
    doppel__put32(h + 32, P - dead);
    uint64_t len[3];
    lengths_of(len, P, C);
    char name[40];
    doppel__state_name(name, sizeof name, number);
    char *path = doppel__path_join(a, dir, name);
    if (!path)
        return DOPPEL_NOMEM(err);
    doppel__sfile_writer w;
    int rc = doppel__sfile_create(&w, vfs, path, h, 3, len, a, err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_put(&w, labels, (size_t)len[0], err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_put(&w, deleted, (size_t)len[1], err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_put(&w, sizes, (size_t)len[2], err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_finish(&w, header_sum, err);
    else
        doppel__sfile_abort(&w);
    if (rc == DOPPEL_OK && size)
        *size = doppel__sfile_size(3, len);
    doppel__free(a, path);
    return rc;
}
