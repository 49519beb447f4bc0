/*
 * sfile.c — reading and writing the sectioned files of an index (the
 * layout is drawn in sfile.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "sfile.h"
#include "le.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#define FOOTER_MAGIC "DPFT"
#define WRITE_BUFFER ((size_t)1 << 20)

static uint64_t align_up(uint64_t x)
{
    return (x + DOPPEL__SFILE_ALIGN - 1) & ~(uint64_t)(DOPPEL__SFILE_ALIGN - 1);
}

void doppel__sfile_header_start(unsigned char *header, const char magic[8],
                                unsigned version)
{
    memset(header, 0, DOPPEL__SFILE_HEADER);
    memcpy(header, magic, 8);
    doppel__put32(header + 8, version);
    doppel__put32(header + 12, DOPPEL__SFILE_HEADER);
}

int doppel__sfile_check_header(const char *path, const unsigned char *map,
                               size_t size, const char magic[8],
                               unsigned max_version, const char *what,
                               unsigned *version, doppel_error *err)
{
    if (size < 8 || memcmp(map, magic, 8) != 0) {
        if (size < 8)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: truncated: %zu bytes, too short for "
                                 "a doppel %s file",
                                 path, size, what);
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: not a doppel %s file (bad magic at byte 0)",
                             path, what);
    }
    if (size < 12)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: truncated: %zu bytes, shorter than its "
                             "%u-byte header",
                             path, size, DOPPEL__SFILE_HEADER);
    unsigned v = doppel__get32(map + 8);
    if (v > max_version)
        return doppel__error(err, DOPPEL_ERR_VERSION,
                             "%s: %s format version %u is newer than this "
                             "doppel (%s) can read (version %u); open it "
                             "with a newer doppel",
                             path, what, v, DOPPEL_VERSION_STRING,
                             max_version);
    if (v == 0)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: %s format version 0 at byte 8 is invalid",
                             path, what);
    if (size < DOPPEL__SFILE_HEADER)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: truncated: %zu bytes, shorter than its "
                             "%u-byte header",
                             path, size, DOPPEL__SFILE_HEADER);
    if (doppel__get32(map + 12) != DOPPEL__SFILE_HEADER)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: header size %u at byte 12, expected %u",
                             path, doppel__get32(map + 12),
                             DOPPEL__SFILE_HEADER);
    uint64_t sum = doppel__hash_bytes(map, DOPPEL__SFILE_HEADER - 8, 0);
    if (sum != doppel__get64(map + DOPPEL__SFILE_HEADER - 8))
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: header (bytes 0-%u) fails its checksum",
                             path, DOPPEL__SFILE_HEADER - 1);
    *version = v;
    return DOPPEL_OK;
}

int doppel__sfile_layout(doppel__sfile *sf, const char *path,
                         const unsigned char *map, size_t size, unsigned nsec,
                         const uint64_t *lengths, const char *const *names,
                         doppel_error *err)
{
    memset(sf, 0, sizeof *sf);
    sf->map = map;
    sf->size = size;
    sf->nsec = nsec;
    sf->header_sum = doppel__get64(map + DOPPEL__SFILE_HEADER - 8);
    uint64_t at = DOPPEL__SFILE_HEADER;
    for (unsigned i = 0; i < nsec; i++) {
        at = align_up(at);
        if (lengths[i] > UINT64_MAX / 2 - at)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: header describes an impossible size "
                                 "for section '%s'",
                                 path, names[i]);
        sf->off[i] = at;
        sf->len[i] = lengths[i];
        at += lengths[i];
    }
    uint64_t footer = align_up(at);
    uint64_t expect = footer + DOPPEL__SFILE_FOOTER(nsec);
    if ((uint64_t)size < expect) {
        unsigned cut = nsec;
        for (unsigned i = 0; i < nsec; i++) {
            if (sf->off[i] + sf->len[i] > (uint64_t)size) {
                cut = i;
                break;
            }
        }
        if (cut < nsec)
            return doppel__error(
                err, DOPPEL_ERR_CORRUPT,
                "%s: truncated: %zu bytes, but its header describes %llu "
                "(section '%s', bytes %llu-%llu, is cut off)",
                path, size, (unsigned long long)expect, names[cut],
                (unsigned long long)sf->off[cut],
                (unsigned long long)(sf->off[cut] + sf->len[cut] - 1));
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: truncated: %zu bytes, but its header "
                             "describes %llu (the footer at byte %llu is "
                             "cut off)",
                             path, size, (unsigned long long)expect,
                             (unsigned long long)footer);
    }
    if ((uint64_t)size > expect)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: %zu bytes, but its header describes %llu "
                             "(unexpected bytes after the footer)",
                             path, size, (unsigned long long)expect);
    const unsigned char *f = map + footer;
    size_t flen = DOPPEL__SFILE_FOOTER(nsec);
    if (doppel__hash_bytes(f, flen - 8, 0) != doppel__get64(f + flen - 8) ||
        memcmp(f + 8 * nsec + 12, FOOTER_MAGIC, 4) != 0)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: footer (bytes %llu-%zu) fails its "
                             "checksum",
                             path, (unsigned long long)footer, size - 1);
    if (doppel__get64(f + 8 * nsec) != sf->header_sum ||
        doppel__get32(f + 8 * nsec + 8) != nsec)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: footer at byte %llu does not belong to "
                             "this header",
                             path, (unsigned long long)footer);
    for (unsigned i = 0; i < nsec; i++)
        sf->sum[i] = doppel__get64(f + 8 * i);
    /* The padding after each section is zero: with the checksums, every
     * byte of the file is checked. */
    for (unsigned i = 0; i < nsec; i++) {
        uint64_t from = sf->off[i] + sf->len[i];
        uint64_t to = i + 1 < nsec ? sf->off[i + 1] : footer;
        for (uint64_t b = from; b < to; b++)
            if (map[b] != 0)
                return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                     "%s: the padding after section '%s' "
                                     "(bytes %llu-%llu) is not zero",
                                     path, names[i],
                                     (unsigned long long)from,
                                     (unsigned long long)(to - 1));
    }
    return DOPPEL_OK;
}

uint64_t doppel__sfile_size(unsigned nsec, const uint64_t *lengths)
{
    uint64_t at = DOPPEL__SFILE_HEADER;
    for (unsigned i = 0; i < nsec; i++)
        at = align_up(at) + lengths[i];
    return align_up(at) + DOPPEL__SFILE_FOOTER(nsec);
}

int doppel__sfile_verify(const doppel__sfile *sf, unsigned i,
                         const char *path, const char *const *names,
                         doppel_error *err)
{
    uint64_t got = doppel__hash_bytes(sf->map + sf->off[i], sf->len[i], 0);
    if (got != sf->sum[i])
        return doppel__error(
            err, DOPPEL_ERR_CORRUPT,
            "%s: section '%s' (bytes %llu-%llu) fails its checksum", path,
            names[i], (unsigned long long)sf->off[i],
            (unsigned long long)(sf->off[i] + sf->len[i] -
                                 (sf->len[i] ? 1 : 0)));
    return DOPPEL_OK;
}

/* ------------------------------------------------------------- writing */

static int flush(doppel__sfile_writer *w, doppel_error *err)
{
    if (w->len && doppel__vfs_write_all(w->vfs, w->fd, w->buf, w->len) < 0)
        return doppel__io_error(err, DOPPEL_ERR_IO, w->path, "cannot write",
                                errno);
    w->len = 0;
    return DOPPEL_OK;
}

static int raw_put(doppel__sfile_writer *w, const void *data, size_t len,
                   doppel_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        if (w->len == w->cap)
            DOPPEL_FORWARD_IF_ERROR(flush(w, err));
        size_t take = w->cap - w->len < len ? w->cap - w->len : len;
        memcpy(w->buf + w->len, p, take);
        w->len += take;
        p += take;
        len -= take;
    }
    return DOPPEL_OK;
}

static int pad_to_align(doppel__sfile_writer *w, uint64_t at,
                        doppel_error *err)
{
    static const unsigned char zeros[DOPPEL__SFILE_ALIGN];
    uint64_t pad = align_up(at) - at;
    return pad ? raw_put(w, zeros, (size_t)pad, err) : DOPPEL_OK;
}

/* Offset of the end of section i (before padding). */
static uint64_t section_end(const doppel__sfile_writer *w, unsigned i)
{
    uint64_t at = DOPPEL__SFILE_HEADER;
    for (unsigned j = 0; j <= i; j++)
        at = align_up(at) + w->sec_len[j];
    return at;
}

/* Close finished sections (including empty ones) from w->cur on. */
static int close_sections(doppel__sfile_writer *w, doppel_error *err)
{
    while (w->cur < w->nsec && w->done == w->sec_len[w->cur]) {
        w->sums[w->cur] = doppel__hasher_digest(&w->h);
        DOPPEL_FORWARD_IF_ERROR(
            pad_to_align(w, section_end(w, w->cur), err));
        w->cur++;
        w->done = 0;
        doppel__hasher_reset(&w->h);
    }
    return DOPPEL_OK;
}

int doppel__sfile_create(doppel__sfile_writer *w, const doppel__vfs *vfs,
                         const char *path, const unsigned char *header,
                         unsigned nsec, const uint64_t *lengths,
                         const doppel_allocator *a, doppel_error *err)
{
    memset(w, 0, sizeof *w);
    w->vfs = vfs;
    w->alloc = a;
    w->path = path;
    w->fd = -1;
    w->nsec = nsec;
    memcpy(w->sec_len, lengths, nsec * sizeof *lengths);
    doppel__hasher_reset(&w->h);
    w->buf = doppel__malloc(a, WRITE_BUFFER);
    if (!w->buf) {
        w->path = NULL;
        return DOPPEL_NOMEM(err);
    }
    w->cap = WRITE_BUFFER;
    w->fd = vfs->open(vfs->ctx, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (w->fd < 0) {
        int e = errno;
        doppel__free(a, w->buf);
        w->buf = NULL;
        return doppel__io_error(err, DOPPEL_ERR_IO, path, "cannot create",
                                e);
    }
    unsigned char h[DOPPEL__SFILE_HEADER];
    memcpy(h, header, DOPPEL__SFILE_HEADER - 8);
    w->header_sum = doppel__hash_bytes(h, DOPPEL__SFILE_HEADER - 8, 0);
    doppel__put64(h + DOPPEL__SFILE_HEADER - 8, w->header_sum);
    int rc = raw_put(w, h, sizeof h, err);
    if (rc == DOPPEL_OK)
        rc = close_sections(w, err);
    if (rc < 0)
        doppel__sfile_abort(w);
    return rc;
}

int doppel__sfile_put(doppel__sfile_writer *w, const void *data, size_t len,
                      doppel_error *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        if (w->cur >= w->nsec)
            return doppel__error(err, DOPPEL_ERR_STATE,
                                 "%s: more data than the header describes",
                                 w->path);
        uint64_t room = w->sec_len[w->cur] - w->done;
        size_t take = room < len ? (size_t)room : len;
        doppel__hasher_update(&w->h, p, take);
        DOPPEL_FORWARD_IF_ERROR(raw_put(w, p, take, err));
        w->done += take;
        p += take;
        len -= take;
        DOPPEL_FORWARD_IF_ERROR(close_sections(w, err));
    }
    return DOPPEL_OK;
}

int doppel__sfile_finish(doppel__sfile_writer *w, uint64_t *header_sum,
                         doppel_error *err)
{
    int rc = DOPPEL_OK;
    if (w->cur != w->nsec)
        rc = doppel__error(err, DOPPEL_ERR_STATE,
                           "%s: section %u is incomplete", w->path, w->cur);
    unsigned char f[DOPPEL__SFILE_FOOTER(DOPPEL__SFILE_MAX_SECTIONS)];
    size_t flen = DOPPEL__SFILE_FOOTER(w->nsec);
    if (rc == DOPPEL_OK) {
        for (unsigned i = 0; i < w->nsec; i++)
            doppel__put64(f + 8 * i, w->sums[i]);
        doppel__put64(f + 8 * w->nsec, w->header_sum);
        doppel__put32(f + 8 * w->nsec + 8, w->nsec);
        memcpy(f + 8 * w->nsec + 12, FOOTER_MAGIC, 4);
        doppel__put64(f + flen - 8, doppel__hash_bytes(f, flen - 8, 0));
        rc = raw_put(w, f, flen, err);
    }
    if (rc == DOPPEL_OK)
        rc = flush(w, err);
    if (rc == DOPPEL_OK && w->vfs->fsync(w->vfs->ctx, w->fd) < 0)
        rc = doppel__io_error(err, DOPPEL_ERR_IO, w->path, "cannot sync",
                              errno);
    if (rc == DOPPEL_OK) {
        int fd = w->fd;
        w->fd = -1;
        if (w->vfs->close(w->vfs->ctx, fd) < 0)
            rc = doppel__io_error(err, DOPPEL_ERR_IO, w->path,
                                  "cannot close", errno);
    }
    if (rc < 0) {
        doppel__sfile_abort(w);
        return rc;
    }
    doppel__free(w->alloc, w->buf);
    w->buf = NULL;
    w->path = NULL; /* finished: abort must not remove it */
    if (header_sum)
        *header_sum = w->header_sum;
    return DOPPEL_OK;
}

void doppel__sfile_abort(doppel__sfile_writer *w)
{
    if (w->fd >= 0) {
        w->vfs->close(w->vfs->ctx, w->fd);
        w->fd = -1;
    }
    if (w->path)
        w->vfs->unlink(w->vfs->ctx, w->path);
    w->path = NULL;
    doppel__free(w->alloc, w->buf);
    w->buf = NULL;
}
