/*
 * commit.h — an index's COMMIT file: the small file, written last and
 * renamed into place, that says which segment and state files make up the
 * index. commit.c draws it and explains the protocol.
 */
#ifndef DOPPEL_COMMIT_H
#define DOPPEL_COMMIT_H

#include "common.h"
#include "vfs.h"

#define DOPPEL__COMMIT_NAME "COMMIT"
#define DOPPEL__COMMIT_TMP "COMMIT.tmp"
#define DOPPEL__LOCK_NAME "LOCK"
#define DOPPEL__COMMIT_MAGIC "DOPPELCM"
#define DOPPEL__COMMIT_VERSION 1u

/** One live segment as the commit records it. */
typedef struct doppel__commit_seg {
    uint64_t number;     /* seg-NUMBER.dps */
    uint32_t docs, live; /* documents in the file, not deleted */
    uint64_t size;       /* file size */
    uint64_t header_sum; /* XXH3 of the file's header */
} doppel__commit_seg;

typedef struct doppel__commit {
    uint64_t generation;   /* 1 at creation, +1 per commit */
    uint64_t next_file;    /* number of the next file written */
    uint32_t next_number;  /* document number of the next document */
    uint64_t state_number; /* state-NUMBER.dps */
    uint64_t state_size, state_sum;
    doppel_params params;  /* resolved */
    uint64_t fingerprint;  /* doppel__params_fingerprint(&params) */
    uint32_t nsegs;
    doppel__commit_seg *segs;
} doppel__commit;

/** Read and check dir/COMMIT. DOPPEL_ERR_NOTFOUND when there is none. */
int doppel__commit_read(doppel__commit *c, const char *dir,
                        const doppel_allocator *a, doppel_error *err);

/** Write dir/COMMIT.tmp, fsync it, rename it over dir/COMMIT and fsync the
 *  directory. On error COMMIT is the old one; once the rename succeeded
 *  this returns DOPPEL_OK (a failed fsync of the directory after it cannot
 *  be undone and is not reported). */
int doppel__commit_write(const doppel__commit *c, const doppel__vfs *vfs,
                         const char *dir, const doppel_allocator *a,
                         doppel_error *err);

void doppel__commit_free(doppel__commit *c, const doppel_allocator *a);

/** A deep copy (segs duplicated). */
int doppel__commit_copy(doppel__commit *dst, const doppel__commit *src,
                        const doppel_allocator *a, doppel_error *err);

/**
 * DOPPEL_ERR_MISMATCH if `want` (resolved) differs from the index's `have`
 * in any field: the message names the first field that differs and both
 * values ("INDEX: the index was created with threshold=0.45; this run asks
 * for threshold=0.8").
 */
int doppel__params_mismatch(const doppel_params *have,
                            const doppel_params *want, const char *index,
                            doppel_error *err);

#endif
