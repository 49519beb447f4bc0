/*
 * index.h — the inside of a doppel_index, shared by the files that
 * implement it:
 *
 *   index.c          open, create, the snapshot, stats, scan, verify
 *   index_query.c    matching a document against the snapshot; results
 *   index_add.c      staging a batch and committing it
 *   index_cluster.c  keeping clusters and representatives up to date
 *   index_merge.c    remove, expire, merging and compaction
 *
 * A handle sees one snapshot: the COMMIT it read, the segments and state
 * file that commit names (all memory-mapped), and the positions they
 * define: position p is document p of the concatenation of the segments,
 * in order, deleted ones included. Positions ascend with document numbers.
 */
#ifndef DOPPEL_INDEX_H
#define DOPPEL_INDEX_H

#include "columns.h"
#include "commit.h"
#include "common.h"
#include "lsh.h"
#include "postings.h"
#include "segment.h"
#include "signature.h"
#include "state.h"
#include "vfs.h"

/* Documents and positions are u32; one value is kept free. */
#define DOPPEL__INDEX_MAX_DOCS ((size_t)UINT32_MAX - 1)

struct doppel_index {
    const doppel_allocator *alloc;
    const doppel__vfs *vfs;
    char *dir;
    unsigned flags;
    unsigned threads;
    int lock_fd;          /* the writer's lock, -1 for a reader */
    doppel_sketcher *sk;
    doppel_params params; /* the commit's */
    doppel__seg_layout lay;

    /* The snapshot. */
    doppel__commit commit;
    doppel__seg *segs;    /* commit.nsegs */
    uint32_t *base;       /* nsegs + 1: first position of each segment */
    doppel__state state;

    /* The writer's staged batch. */
    doppel__columns pending;
    doppel__scratch *scratch; /* one per thread */
};

/** Open or create (when create_params is not NULL) with file operations
 *  `vfs`: what doppel_index_open/create do with doppel__vfs_posix(); tests
 *  pass their own to count operations, fail them or die in them. */
int doppel__index_open_vfs(doppel_index **out, const char *path,
                           const doppel_index_opts *opts,
                           const doppel_params *create_params,
                           const doppel__vfs *vfs, doppel_error *err);

/** The segment holding position pos. */
static inline size_t doppel__index_seg_of(const doppel_index *ix,
                                          uint32_t pos)
{
    size_t lo = 0, hi = ix->commit.nsegs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->base[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static inline doppel__sketch_cref doppel__index_cref(const doppel_index *ix,
                                                     uint32_t pos)
{
    size_t s = doppel__index_seg_of(ix, pos);
    return doppel__seg_cref(&ix->segs[s], pos - ix->base[s]);
}

/** Number, id and date of the document at position pos. */
int doppel__index_doc(const doppel_index *ix, uint32_t pos, uint32_t *number,
                      const char **id, size_t *id_len, int64_t *date,
                      doppel_error *err);

static inline int doppel__index_deleted(const doppel_index *ix, uint32_t pos)
{
    return doppel__bit(ix->state.deleted, pos);
}

/**
 * A change to commit (doppel__index_apply): the new commit's segments are
 * the current ones listed in keep[0..nkeep) (by index, in order), with a
 * new segment written from `src` (unless src.n is 0) inserted before
 * keep[insert_at]; the new state is given for the positions of that list
 * (its corpus table: the current one, ix->state.df, when the live
 * documents stay the same).
 */
typedef struct doppel__change {
    doppel__docsrc src;       /* documents of the new segment, or n = 0 */
    const uint32_t *postings; /* the new segment's, or NULL to build */
    const uint32_t *keep;
    uint32_t nkeep, insert_at;
    doppel__state_data state; /* for the positions of the new list */
    uint32_t next_number;
} doppel__change;

/**
 * Commit a change: write the new segment and state file under fresh
 * numbers, open them as the new snapshot, then replace COMMIT (commit.c)
 * and remove files no longer named. Writer only. If this fails before COMMIT is replaced,
 * the index is unchanged and no new file is left; *committed (may be
 * NULL) says whether COMMIT was replaced; after that nothing fails.
 */
int doppel__index_apply(doppel_index *ix, const doppel__change *ch,
                        int *committed, doppel_error *err);

/* ------------------------------------------------------ corpus table */

/**
 * A copy of the snapshot's corpus table (verify.h), to be changed for the
 * next commit, and the number of documents counted in it; *table is NULL
 * when the index's parameters use none.
 */
int doppel__index_df_copy(const doppel_index *ix, uint16_t **table,
                          uint64_t *docs, doppel_error *err);

/**
 * Count the table again from the snapshot's documents that `deleted`
 * (P bits) leaves live: what a removal does when a count it must lower
 * had saturated. table has K x 65536 entries; *docs gets the documents
 * counted.
 */
void doppel__index_df_recount(const doppel_index *ix, const uint64_t *deleted,
                              uint16_t *table, uint64_t *docs);

/** DOPPEL_ERR_STATE unless the handle is a usable writer, with nothing
 *  staged if nothing_staged. */
int doppel__index_check_writer(const doppel_index *ix, int nothing_staged,
                               const char *what, doppel_error *err);

/* --------------------------------------------------------- matching */

/** Up to `want` positions, newest first, of the snapshot's live
 *  documents in the bucket of band g with key q (qv: the band's values of a
 *  sketch with that key; doppel__bandset_in_bucket). */
int doppel__index_bucket(const doppel_index *ix, unsigned g, uint64_t q,
                         const doppel__mh *qv, uint32_t *out, unsigned want,
                         unsigned *got, doppel_error *err);

/* --------------------------------------------------------- clusters */

/**
 * New cluster labels and table after a change (index_cluster.c).
 *   labels (P_old entries) and sizes/C: the current state
 *   deleted: the deleted bits after the change, for P_new positions
 *   P_old..P_new-1: new documents (a batch); batch_group[i] is the group
 *   of position P_old + i
 *   touched[0..nt): ascending representatives (positions) whose clusters
 *   change; touched_group[j] is the group their live members join
 *   ngroups: groups are 0..ngroups-1
 *   sketch(ctx, pos), dates(ctx, pos): any position's sketch and date
 * Out: labels_out (P_new entries; allocated), sizes_out/C_out (allocated).
 */
typedef struct doppel__regroup {
    uint32_t P_old, P_new;
    const uint32_t *labels;
    const uint64_t *deleted;
    const uint32_t *sizes;
    uint32_t C;
    const uint32_t *batch_group;
    const uint32_t *touched;
    const uint32_t *touched_group;
    uint32_t nt;
    uint32_t ngroups;
    doppel__sketch_cref (*sketch)(const void *ctx, uint32_t pos);
    int64_t (*date)(const void *ctx, uint32_t pos);
    const void *ctx;
    unsigned K;
} doppel__regroup;

int doppel__index_regroup(const doppel__regroup *rg, uint32_t **labels_out,
                          uint32_t **sizes_out, uint32_t *C_out,
                          const doppel_allocator *a, doppel_error *err);

#endif

/* ----------------------------------------------------------- results */

/* A result under construction (index_query.c): ids are copied into one
 * arena, and pointers are set when it is finished. */
typedef struct doppel__rref {
    uint64_t number;
    size_t id_off, id_len;
    int64_t date;
} doppel__rref;

typedef struct doppel__rmatch {
    doppel__rref doc;
    double similarity;
} doppel__rmatch;

typedef struct doppel__rentry {
    doppel__rref doc, rep;
    int empty;
    double similarity;
    size_t cluster_size;
    size_t mstart, mcount;
} doppel__rentry;

struct doppel_index_result {
    const doppel_allocator *alloc;
    size_t n;
    doppel__rentry *rentries;
    doppel__rmatch *rmatches;
    size_t nmatches, mcap;
    char *arena;
    size_t arena_len, arena_cap;
    doppel_index_match *matches; /* built by doppel__result_finish */
};

int doppel__result_new(doppel_index_result **out, size_t n,
                       const doppel_allocator *a, doppel_error *err);
/** Fill a reference, copying the id into the result's arena. */
int doppel__result_ref(doppel_index_result *r, doppel__rref *ref,
                       uint64_t number, const char *id, size_t id_len,
                       int64_t date, doppel_error *err);
/** The reference of the document at position pos of ix's snapshot. */
int doppel__result_pos_ref(doppel_index_result *r, const doppel_index *ix,
                           uint32_t pos, doppel__rref *ref,
                           doppel_error *err);
/** Append a match to entry i (entries' matches must be appended in entry
 *  order). */
int doppel__result_match(doppel_index_result *r, size_t i,
                         const doppel__rref *doc, double similarity,
                         doppel_error *err);
int doppel__result_finish(doppel_index_result *r, doppel_error *err);
