/*
 * commit.c — the COMMIT file and the commit protocol of an index.
 *
 *   offset  size  field (little-endian)
 *        0     8  magic "DOPPELCM"
 *        8     4  format version (1)
 *       12     4  file size: 128 + 32 S + 8
 *       16     8  generation (1 at creation, +1 per commit)
 *       24     8  next file number
 *       32     4  next document number
 *       36     4  S, live segments
 *       40     8  state file number (state-N.dps)
 *       48     8  XXH3 of the state file's header
 *       56     8  state file size
 *       64    64  parameters: shingle kind, shingle size, K, MinHash kind
 *                 (u32 each), seed (u64), threshold (binary64), bands,
 *                 rows, verify kind, 0 (u32 each), containment
 *                 (binary64), fingerprint (u64: doppel__params_fingerprint,
 *                 which also covers the sketching algorithm's version)
 *      128  32 S  per segment, oldest first: file number (u64), documents
 *                 (u32), live documents (u32), file size (u64), XXH3 of
 *                 the segment's header (u64)
 *   128+32S    8  XXH3 of every byte before
 *
 * The protocol (Lucene's, with one commit file instead of generations):
 * segment and state files are written under names no commit has used
 * (numbers from next_file), fsync'd, and the directory fsync'd; then the
 * new COMMIT is written to COMMIT.tmp, fsync'd, renamed over COMMIT, and
 * the directory fsync'd again. rename() replaces COMMIT atomically, so at
 * every instant COMMIT is either the old or the new one, and every file
 * either names is complete on disk before it is named. A writer killed at
 * any point leaves the old COMMIT (with its files untouched: nothing is
 * ever modified in place) plus some unnamed files, which the next writer
 * removes. Files a new commit no longer names are removed after it; a
 * reader that has them mapped keeps its view (POSIX keeps an unlinked
 * file's data while it is mapped), and a reader that finds one missing
 * while opening reads COMMIT again (index.c).
 */
#include "commit.h"
#include "hash.h"
#include "le.h"
#include "params.h"
#include "signature.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define HEADER 128u
#define PER_SEG 32u
#define MAX_SEGS 65536u

static void encode_params(unsigned char *p, const doppel_params *pr,
                          uint64_t fingerprint)
{
    doppel__put32(p + 0, (uint32_t)pr->shingle);
    doppel__put32(p + 4, pr->shingle_size);
    doppel__put32(p + 8, pr->num_perm);
    doppel__put32(p + 12, (uint32_t)pr->minhash);
    doppel__put64(p + 16, pr->seed);
    doppel__put_double(p + 24, pr->threshold);
    doppel__put32(p + 32, pr->bands);
    doppel__put32(p + 36, pr->rows);
    doppel__put32(p + 40, (uint32_t)pr->verify);
    doppel__put32(p + 44, 0);
    doppel__put_double(p + 48, pr->containment);
    doppel__put64(p + 56, fingerprint);
}

static void decode_params(const unsigned char *p, doppel_params *pr,
                          uint64_t *fingerprint)
{
    doppel_params d = DOPPEL_PARAMS_INIT;
    d.shingle = (doppel_shingle_kind)doppel__get32(p + 0);
    d.shingle_size = doppel__get32(p + 4);
    d.num_perm = doppel__get32(p + 8);
    d.minhash = (doppel_minhash_kind)doppel__get32(p + 12);
    d.seed = doppel__get64(p + 16);
    d.threshold = doppel__get_double(p + 24);
    d.bands = doppel__get32(p + 32);
    d.rows = doppel__get32(p + 36);
    d.verify = (doppel_verify_kind)doppel__get32(p + 40);
    d.containment = doppel__get_double(p + 48);
    *fingerprint = doppel__get64(p + 56);
    *pr = d;
}

void doppel__commit_free(doppel__commit *c, const doppel_allocator *a)
{
    doppel__free(a, c->segs);
    c->segs = NULL;
    c->nsegs = 0;
}

int doppel__commit_copy(doppel__commit *dst, const doppel__commit *src,
                        const doppel_allocator *a, doppel_error *err)
{
    *dst = *src;
    dst->segs = doppel__malloc_array(a, src->nsegs ? src->nsegs : 1,
                                     sizeof *dst->segs);
    if (!dst->segs)
        return DOPPEL_NOMEM(err);
    if (src->nsegs)
        memcpy(dst->segs, src->segs, src->nsegs * sizeof *dst->segs);
    return DOPPEL_OK;
}

static int same_double(double x, double y)
{
    return memcmp(&x, &y, sizeof x) == 0;
}

int doppel__commit_read(doppel__commit *c, const char *dir,
                        const doppel_allocator *a, doppel_error *err)
{
    memset(c, 0, sizeof *c);
    char *path = doppel__path_join(a, dir, DOPPEL__COMMIT_NAME);
    if (!path)
        return DOPPEL_NOMEM(err);
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = doppel__read_file(path, HEADER + PER_SEG * MAX_SEGS + 8, a, &buf,
                               &len, err);
    if (rc == DOPPEL_ERR_NOTFOUND)
        rc = doppel__error(err, DOPPEL_ERR_NOTFOUND,
                           "%s: not an index (it has no COMMIT file)", dir);
    if (rc < 0)
        goto done;
    rc = DOPPEL_ERR_CORRUPT;
    if (len < 8 || memcmp(buf, DOPPEL__COMMIT_MAGIC, 8) != 0) {
        doppel__error(err, rc, "%s: not a doppel index commit file (bad "
                               "magic at byte 0)", path);
        goto done;
    }
    if (len < 12) {
        doppel__error(err, rc, "%s: truncated: %zu bytes", path, len);
        goto done;
    }
    uint32_t version = doppel__get32(buf + 8);
    if (version > DOPPEL__COMMIT_VERSION) {
        rc = doppel__error(err, DOPPEL_ERR_VERSION,
                           "%s: index format version %u is newer than this "
                           "doppel (%s) can read (version %u); open it with "
                           "a newer doppel",
                           path, version, DOPPEL_VERSION_STRING,
                           DOPPEL__COMMIT_VERSION);
        goto done;
    }
    if (version == 0) {
        doppel__error(err, rc, "%s: format version 0 at byte 8 is invalid",
                      path);
        goto done;
    }
    if (len < HEADER + 8) {
        doppel__error(err, rc,
                      "%s: truncated: %zu bytes, shorter than its %u-byte "
                      "header and checksum",
                      path, len, HEADER + 8);
        goto done;
    }
    uint32_t nsegs = doppel__get32(buf + 36);
    uint64_t want = HEADER + (uint64_t)PER_SEG * nsegs + 8;
    if (doppel__get32(buf + 12) != want || nsegs > MAX_SEGS) {
        doppel__error(err, rc,
                      "%s: header says %u bytes and %u segments (bytes "
                      "12-15, 36-39), which do not agree",
                      path, doppel__get32(buf + 12), nsegs);
        goto done;
    }
    if (len != want) {
        doppel__error(err, rc,
                      "%s: %s: %zu bytes, but its header describes %llu",
                      path, len < want ? "truncated" : "too long", len,
                      (unsigned long long)want);
        goto done;
    }
    if (doppel__hash_bytes(buf, len - 8, 0) != doppel__get64(buf + len - 8)) {
        doppel__error(err, rc, "%s: fails its checksum (bytes 0-%zu)", path,
                      len - 9);
        goto done;
    }
    c->generation = doppel__get64(buf + 16);
    c->next_file = doppel__get64(buf + 24);
    c->next_number = doppel__get32(buf + 32);
    c->nsegs = nsegs;
    c->state_number = doppel__get64(buf + 40);
    c->state_sum = doppel__get64(buf + 48);
    c->state_size = doppel__get64(buf + 56);
    decode_params(buf + 64, &c->params, &c->fingerprint);
    /* The recorded parameters must be a resolved set, and the fingerprint
     * theirs under this build's sketching algorithm. */
    doppel_params resolved;
    doppel_error perr = {0};
    if (doppel_params_resolve(&c->params, &resolved, &perr) < 0 ||
        !doppel__params_equal(&resolved, &c->params) ||
        resolved.bands != c->params.bands ||
        resolved.rows != c->params.rows ||
        !same_double(resolved.containment, c->params.containment)) {
        doppel__error(err, rc,
                      "%s: the parameters at bytes 64-127 are invalid%s%s",
                      path, perr.message[0] ? ": " : "", perr.message);
        goto done;
    }
    if (doppel__params_fingerprint(&c->params) != c->fingerprint) {
        rc = doppel__error(err, DOPPEL_ERR_MISMATCH,
                           "%s: the index was built by a doppel whose "
                           "sketches differ from this one's (parameter "
                           "fingerprint %016llx, this build makes %016llx); "
                           "build it again from the articles",
                           path, (unsigned long long)c->fingerprint,
                           (unsigned long long)doppel__params_fingerprint(
                               &c->params));
        goto done;
    }
    c->segs = doppel__malloc_array(a, nsegs ? nsegs : 1, sizeof *c->segs);
    if (!c->segs) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    uint64_t docs = 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        const unsigned char *s = buf + HEADER + PER_SEG * i;
        doppel__commit_seg *g = &c->segs[i];
        g->number = doppel__get64(s);
        g->docs = doppel__get32(s + 8);
        g->live = doppel__get32(s + 12);
        g->size = doppel__get64(s + 16);
        g->header_sum = doppel__get64(s + 24);
        docs += g->docs;
        if (g->number >= c->next_file || g->live > g->docs || !g->docs ||
            (i && g->number == c->segs[i - 1].number)) {
            doppel__error(err, rc,
                          "%s: segment entry %u (byte %u) is inconsistent",
                          path, i, HEADER + PER_SEG * i);
            goto done;
        }
    }
    if (docs >= UINT32_MAX || c->state_number >= c->next_file ||
        c->generation == 0) {
        doppel__error(err, rc, "%s: inconsistent counts in the header",
                      path);
        goto done;
    }
    rc = DOPPEL_OK;
done:
    if (rc < 0)
        doppel__commit_free(c, a);
    doppel__free(a, buf);
    doppel__free(a, path);
    return rc;
}

int doppel__commit_write(const doppel__commit *c, const doppel__vfs *vfs,
                         const char *dir, const doppel_allocator *a,
                         doppel_error *err)
{
    size_t len = HEADER + (size_t)PER_SEG * c->nsegs + 8;
    unsigned char *buf = doppel__calloc_array(a, len, 1);
    char *tmp = doppel__path_join(a, dir, DOPPEL__COMMIT_TMP);
    char *path = doppel__path_join(a, dir, DOPPEL__COMMIT_NAME);
    int rc = DOPPEL_OK, fd = -1;
    if (!buf || !tmp || !path) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    memcpy(buf, DOPPEL__COMMIT_MAGIC, 8);
    doppel__put32(buf + 8, DOPPEL__COMMIT_VERSION);
    doppel__put32(buf + 12, (uint32_t)len);
    doppel__put64(buf + 16, c->generation);
    doppel__put64(buf + 24, c->next_file);
    doppel__put32(buf + 32, c->next_number);
    doppel__put32(buf + 36, c->nsegs);
    doppel__put64(buf + 40, c->state_number);
    doppel__put64(buf + 48, c->state_sum);
    doppel__put64(buf + 56, c->state_size);
    encode_params(buf + 64, &c->params, c->fingerprint);
    for (uint32_t i = 0; i < c->nsegs; i++) {
        unsigned char *s = buf + HEADER + PER_SEG * i;
        doppel__put64(s, c->segs[i].number);
        doppel__put32(s + 8, c->segs[i].docs);
        doppel__put32(s + 12, c->segs[i].live);
        doppel__put64(s + 16, c->segs[i].size);
        doppel__put64(s + 24, c->segs[i].header_sum);
    }
    doppel__put64(buf + len - 8, doppel__hash_bytes(buf, len - 8, 0));
    fd = vfs->open(vfs->ctx, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rc = doppel__io_error(err, DOPPEL_ERR_IO, tmp, "cannot create",
                              errno);
        goto done;
    }
    if (doppel__vfs_write_all(vfs, fd, buf, len) < 0) {
        rc = doppel__io_error(err, DOPPEL_ERR_IO, tmp, "cannot write", errno);
        goto done;
    }
    if (vfs->fsync(vfs->ctx, fd) < 0) {
        rc = doppel__io_error(err, DOPPEL_ERR_IO, tmp, "cannot sync", errno);
        goto done;
    }
    int cfd = fd;
    fd = -1;
    if (vfs->close(vfs->ctx, cfd) < 0) {
        rc = doppel__io_error(err, DOPPEL_ERR_IO, tmp, "cannot close", errno);
        goto done;
    }
    if (vfs->rename(vfs->ctx, tmp, path) < 0) {
        rc = doppel__io_error(err, DOPPEL_ERR_IO, path,
                              "cannot rename COMMIT.tmp over it", errno);
        goto done;
    }
    /* Committed: every reader from now on sees it. Syncing the directory
     * makes the rename survive a power failure; if the filesystem refuses,
     * the commit stands (undoing it is impossible), as with any program
     * that renames into place. */
    doppel__vfs_sync_dir(vfs, dir, NULL);
done:
    if (fd >= 0)
        vfs->close(vfs->ctx, fd);
    if (rc < 0 && tmp)
        vfs->unlink(vfs->ctx, tmp);
    doppel__free(a, buf);
    doppel__free(a, tmp);
    doppel__free(a, path);
    return rc;
}

/* A parameter value for messages. */
static void show_double(char *buf, size_t cap, double x, double other)
{
    snprintf(buf, cap, "%g", x);
    char o[64];
    snprintf(o, sizeof o, "%g", other);
    if (strcmp(buf, o) == 0)
        snprintf(buf, cap, "%.17g", x);
}

int doppel__params_mismatch(const doppel_params *have,
                            const doppel_params *want, const char *index,
                            doppel_error *err)
{
    static const char *const shingles[] = {"?", "word", "char", "skeleton"};
    static const char *const minhashes[] = {"?", "one-perm", "k-perm"};
    static const char *const verifies[] = {"?", "jaccard", "robust"};
    char hv[64], wv[64];
    const char *field = NULL;
#define NAMED(f, table)                                                        \
    do {                                                                       \
        size_t count = sizeof table / sizeof *table;                           \
        unsigned x = (unsigned)have->f, y = (unsigned)want->f;                 \
        snprintf(hv, sizeof hv, "%s", x < count ? table[x] : "?");             \
        snprintf(wv, sizeof wv, "%s", y < count ? table[y] : "?");             \
    } while (0)
    if (have->shingle != want->shingle) {
        field = "shingle";
        NAMED(shingle, shingles);
    } else if (have->shingle_size != want->shingle_size) {
        field = "shingle_size";
        snprintf(hv, sizeof hv, "%u", have->shingle_size);
        snprintf(wv, sizeof wv, "%u", want->shingle_size);
    } else if (have->num_perm != want->num_perm) {
        field = "num_perm";
        snprintf(hv, sizeof hv, "%u", have->num_perm);
        snprintf(wv, sizeof wv, "%u", want->num_perm);
    } else if (have->minhash != want->minhash) {
        field = "minhash";
        NAMED(minhash, minhashes);
    } else if (have->seed != want->seed) {
        field = "seed";
        snprintf(hv, sizeof hv, "%llu", (unsigned long long)have->seed);
        snprintf(wv, sizeof wv, "%llu", (unsigned long long)want->seed);
    } else if (!same_double(have->threshold, want->threshold)) {
        field = "threshold";
        show_double(hv, sizeof hv, have->threshold, want->threshold);
        show_double(wv, sizeof wv, want->threshold, have->threshold);
    } else if (have->bands != want->bands) {
        field = "bands";
        snprintf(hv, sizeof hv, "%u", have->bands);
        snprintf(wv, sizeof wv, "%u", want->bands);
    } else if (have->rows != want->rows) {
        field = "rows";
        snprintf(hv, sizeof hv, "%u", have->rows);
        snprintf(wv, sizeof wv, "%u", want->rows);
    } else if (have->verify != want->verify) {
        field = "verify";
        NAMED(verify, verifies);
    } else if (!same_double(have->containment, want->containment)) {
        field = "containment";
        show_double(hv, sizeof hv, have->containment, want->containment);
        show_double(wv, sizeof wv, want->containment, have->containment);
    }
#undef NAMED
    if (!field)
        return DOPPEL_OK;
    return doppel__error(err, DOPPEL_ERR_MISMATCH,
                         "%s: the index was created with %s=%s; this run "
                         "asks for %s=%s (an index's parameters are fixed "
                         "when it is created)",
                         index, field, hv, field, wv);
}
