/*
 * sfile.h — the sectioned file format shared by an index's segment and
 * state files: a fixed header, 64-byte aligned sections whose lengths the
 * header determines, and a footer holding every section's XXH3.
 *
 *   offset          size  field
 *        0             8  magic ("DOPPELSG", "DOPPELST")
 *        8             4  format version
 *       12             4  header size (128)
 *       16           104  fields of the file's kind (counts, parameters)
 *      120             8  XXH3-64 of bytes 0..119
 *      128                section 0, then each next section at the next
 *                         multiple of 64 (zero padding between)
 *        F      8 x S     XXH3-64 of each section (F: the multiple of 64
 *                         after the last section)
 *   F + 8S             8  the header's XXH3 again (binds footer to header)
 *  F + 8S + 8          4  S, the number of sections
 *  F + 8S + 12         4  "DPFT"
 *  F + 8S + 16         8  XXH3-64 of the footer's bytes before this
 *
 * Because the header alone determines every section's length, a reader
 * knows the exact file size before looking further: a truncated file is
 * reported with the section it cuts, and nothing is ever read past the
 * end. Every byte is covered: the header and footer by their own
 * checksums and the padding by being zero (checked at every open), each
 * section by its footer entry (checked by doppel__sfile_verify()).
 * Writers stream: each section's XXH3 is computed as its bytes go out,
 * the footer comes last.
 */
#ifndef DOPPEL_SFILE_H
#define DOPPEL_SFILE_H

#include "common.h"
#include "hash.h"
#include "vfs.h"

#define DOPPEL__SFILE_HEADER 128u
#define DOPPEL__SFILE_ALIGN 64u
#define DOPPEL__SFILE_MAX_SECTIONS 16u
#define DOPPEL__SFILE_FOOTER(S) (8u * (S) + 24u)

/** Expected layout from section lengths: offsets and the file size. */
typedef struct doppel__sfile {
    const unsigned char *map;
    size_t size;
    unsigned nsec;
    uint64_t off[DOPPEL__SFILE_MAX_SECTIONS];
    uint64_t len[DOPPEL__SFILE_MAX_SECTIONS];
    uint64_t sum[DOPPEL__SFILE_MAX_SECTIONS];
    uint64_t header_sum;
} doppel__sfile;

/**
 * Check a mapped file's magic, version (1..max_version) and header
 * checksum. `what` names the kind of file for messages ("segment").
 * Future versions are DOPPEL_ERR_VERSION; anything else wrong is
 * DOPPEL_ERR_CORRUPT. *version gets the file's version.
 */
int doppel__sfile_check_header(const char *path, const unsigned char *map,
                               size_t size, const char magic[8],
                               unsigned max_version, const char *what,
                               unsigned *version, doppel_error *err);

/**
 * Given the section lengths the header implies, check the file size and
 * the footer and fill `sf` (offsets, lengths, checksums). names[i] names
 * section i in messages.
 */
int doppel__sfile_layout(doppel__sfile *sf, const char *path,
                         const unsigned char *map, size_t size, unsigned nsec,
                         const uint64_t *lengths, const char *const *names,
                         doppel_error *err);

/** The size of a file with these section lengths. */
uint64_t doppel__sfile_size(unsigned nsec, const uint64_t *lengths);

/** Check section i against its checksum (DOPPEL_ERR_CORRUPT naming the
 *  section and its byte range). */
int doppel__sfile_verify(const doppel__sfile *sf, unsigned i,
                         const char *path, const char *const *names,
                         doppel_error *err);

/** A file being written. */
typedef struct doppel__sfile_writer {
    const doppel__vfs *vfs;
    const doppel_allocator *alloc;
    const char *path; /* borrowed until finish/abort */
    int fd;
    unsigned char *buf;
    size_t len, cap;
    unsigned nsec, cur;
    uint64_t sec_len[DOPPEL__SFILE_MAX_SECTIONS];
    uint64_t sums[DOPPEL__SFILE_MAX_SECTIONS];
    uint64_t done; /* bytes of the current section written */
    uint64_t header_sum;
    doppel__hasher h;
} doppel__sfile_writer;

/**
 * Create `path` (replacing any file of that name: only never-committed
 * names are written) and write the header: `header` holds its first 120
 * bytes (magic, version, size and the kind's fields); the checksum is
 * added here. Then write every section in order with
 * doppel__sfile_put() — exactly lengths[i] bytes each — and finish.
 */
int doppel__sfile_create(doppel__sfile_writer *w, const doppel__vfs *vfs,
                         const char *path, const unsigned char *header,
                         unsigned nsec, const uint64_t *lengths,
                         const doppel_allocator *a, doppel_error *err);

/** Append bytes to the current section (may span into the next ones). */
int doppel__sfile_put(doppel__sfile_writer *w, const void *data, size_t len,
                      doppel_error *err);

/** Write the footer, fsync and close. *header_sum gets the header's XXH3
 *  (the commit records it). On error the file is removed. */
int doppel__sfile_finish(doppel__sfile_writer *w, uint64_t *header_sum,
                         doppel_error *err);

/** Give up: close and remove the file. Safe after a failed call. */
void doppel__sfile_abort(doppel__sfile_writer *w);

/** Fill the first 16 bytes of a header. */
void doppel__sfile_header_start(unsigned char *header, const char magic[8],
                                unsigned version);

#endif
