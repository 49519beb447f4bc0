/*
 * index_merge.c — removing documents and rewriting segments: remove by id,
 * expire by date, the merge policy, and compaction.
 *
 * Removing is a commit of a new state file: the documents' deleted bits
 * are set (tombstones; their bytes stay in the segment files), and the
 * clusters that lost members choose their representatives again
 * (index_cluster.c). A segment left with no live document is dropped from
 * the commit at once.
 *
 * Merging reads a run of adjacent segments and writes their live documents
 * as one new segment, in the same order, with their numbers: documents
 * keep their numbers and their relative order, so positions (state.h)
 * shift but never reorder, and the state is carried over by a monotonic
 * map. Segments are verified against their checksums before they are
 * read, so a damaged one is refused rather than copied into a new file
 * with fresh checksums (Lucene does the same).
 *
 * The policy (doppel_index_merge) merges the newest segments from the
 * oldest one whose newer segments together hold at least half as many
 * live documents as it does: sizes then shrink at least geometrically
 * from the oldest segment to the newest, so there are O(log n) segments to
 * search, and each document is rewritten O(log n) times over its life. A
 * segment with more removed than live documents is rewritten alone.
 */
#include "index.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ rewrite */

typedef struct merge_src {
    const doppel_index *ix;
    const uint32_t *pos; /* old positions of the documents to write */
} merge_src;

static void merge_doc(const void *ctx, size_t i, doppel__docref *out)
{
    const merge_src *m = ctx;
    const doppel_index *ix = m->ix;
    uint32_t pos = m->pos[i];
    size_t s = doppel__index_seg_of(ix, pos);
    const doppel__seg *seg = &ix->segs[s];
    uint32_t l = pos - ix->base[s];
    out->sk = doppel__seg_cref(seg, l);
    /* Checked before writing began (rewrite()). */
    doppel__seg_id(seg, l, &out->id, &out->id_len, NULL);
    out->date = seg->dates[l];
    out->number = seg->numbers[l];
}

/*
 * Commit a new layout: segments [lo, hi) merged into one (their live
 * documents; none if they have none), every other segment kept unless it
 * has no live document. `after` describes the current positions after the
 * change being committed (removals), its corpus table included.
 */
static int rewrite(doppel_index *ix, uint32_t lo, uint32_t hi,
                   const doppel__state_data *after, doppel_error *err)
{
    const uint32_t *labels = after->labels, *sizes = after->sizes;
    const uint64_t *deleted = after->deleted;
    uint32_t C = after->C;
    const doppel_allocator *a = ix->alloc;
    uint32_t S = ix->commit.nsegs, P = ix->state.P;
    uint32_t *remap = doppel__malloc_array(a, P ? P : 1, sizeof *remap);
    uint32_t *keep = doppel__malloc_array(a, S ? S : 1, sizeof *keep);
    uint32_t *src = NULL, *nlabels = NULL, *nsizes = NULL;
    uint64_t *ndeleted = NULL;
    int rc = DOPPEL_OK;
    if (!remap || !keep) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    /* Verify what will be read, and the ids that will be copied. */
    size_t nsrc = 0;
    for (uint32_t s = lo; s < hi && rc == DOPPEL_OK; s++) {
        rc = doppel__seg_verify(&ix->segs[s], err);
        for (uint32_t p = ix->base[s]; rc == DOPPEL_OK && p < ix->base[s + 1];
             p++) {
            if (doppel__bit(deleted, p))
                continue;
            const char *id;
            size_t len;
            rc = doppel__index_doc(ix, p, NULL, &id, &len, NULL, err);
            nsrc++;
        }
    }
    if (rc < 0)
        goto done;
    src = doppel__malloc_array(a, nsrc ? nsrc : 1, sizeof *src);
    if (!src) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    /* The new positions. */
    uint32_t nkeep = 0, insert_at = 0, np = 0;
    nsrc = 0;
    for (uint32_t s = 0; s < S; s++) {
        uint32_t b0 = ix->base[s], b1 = ix->base[s + 1];
        if (s >= lo && s < hi) {
            if (s == lo)
                insert_at = nkeep;
            for (uint32_t p = b0; p < b1; p++)
                if (!doppel__bit(deleted, p)) {
                    src[nsrc++] = p;
                    remap[p] = np++;
                } else {
                    remap[p] = UINT32_MAX;
                }
            continue;
        }
        uint32_t live = 0;
        for (uint32_t p = b0; p < b1; p++)
            live += !doppel__bit(deleted, p);
        if (!live) {
            for (uint32_t p = b0; p < b1; p++)
                remap[p] = UINT32_MAX;
            continue;
        }
        keep[nkeep++] = s;
        for (uint32_t p = b0; p < b1; p++)
            remap[p] = np++;
    }
    if (lo == hi)
        insert_at = nkeep;
    nlabels = doppel__malloc_array(a, np ? np : 1, sizeof *nlabels);
    ndeleted = doppel__calloc_array(a, doppel__bit_words(np) + 1, 8);
    nsizes = doppel__malloc_array(a, C ? 2 * (size_t)C : 1, sizeof *nsizes);
    if (!nlabels || !ndeleted || !nsizes) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    for (uint32_t p = 0; p < P; p++) {
        uint32_t q = remap[p];
        if (q == UINT32_MAX)
            continue;
        if (doppel__bit(deleted, p)) {
            doppel__bit_set(ndeleted, q);
            nlabels[q] = q;
        } else {
            nlabels[q] = remap[labels[p]];
        }
    }
    for (uint32_t c = 0; c < C; c++) {
        nsizes[2 * c] = remap[sizes[2 * c]];
        nsizes[2 * c + 1] = sizes[2 * c + 1];
    }
    merge_src ms = {ix, src};
    doppel__change ch = {{nsrc, merge_doc, &ms},
                         NULL,
                         keep,
                         nkeep,
                         insert_at,
                         {np, nlabels, ndeleted, nsizes, C, after->df,
                          after->df_K, after->df_docs},
                         ix->commit.next_number};
    rc = doppel__index_apply(ix, &ch, NULL, err);
done:
    doppel__free(a, remap);
    doppel__free(a, keep);
    doppel__free(a, src);
    doppel__free(a, nlabels);
    doppel__free(a, ndeleted);
    doppel__free(a, nsizes);
    return rc;
}

/* ------------------------------------------------------------- removal */

typedef int (*doc_pred)(const void *ctx, const doppel_index *ix, uint32_t pos,
                        int *hit, doppel_error *err);

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static doppel__sketch_cref ix_sketch(const void *ctx, uint32_t pos)
{
    return doppel__index_cref(ctx, pos);
}

static int64_t ix_date(const void *ctx, uint32_t pos)
{
    const doppel_index *ix = ctx;
    size_t s = doppel__index_seg_of(ix, pos);
    return ix->segs[s].dates[pos - ix->base[s]];
}

/* Remove every live document the predicate selects: one commit. */
static int remove_where(doppel_index *ix, doc_pred pred, const void *ctx,
                        size_t *removed, doppel_error *err)
{
    const doppel_allocator *a = ix->alloc;
    const doppel__state *st = &ix->state;
    uint32_t P = st->P;
    size_t words = doppel__bit_words(P);
    uint64_t *deleted = doppel__malloc_array(a, words ? words : 1, 8);
    uint32_t *touched = NULL, *group = NULL, *labels = NULL, *sizes = NULL;
    uint32_t C = 0;
    size_t count = 0, cap = 0;
    uint16_t *df = NULL;
    uint64_t df_docs = 0;
    int exact = 1;
    int rc = DOPPEL_OK;
    if (!deleted) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    rc = doppel__index_df_copy(ix, &df, &df_docs, err);
    if (rc < 0)
        goto done;
    if (words)
        memcpy(deleted, st->deleted, words * 8);
    for (uint32_t p = 0; p < P && rc == DOPPEL_OK; p++) {
        if (doppel__bit(st->deleted, p))
            continue;
        int hit = 0;
        rc = pred(ctx, ix, p, &hit, err);
        if (rc < 0 || !hit)
            continue;
        doppel__bit_set(deleted, p);
        doppel__sketch_cref c = doppel__index_cref(ix, p);
        if (df && !(c.meta->flags & DOPPEL__SIG_EMPTY)) {
            exact &= doppel__corpus_df_uncount(df, c.values, st->df_K);
            df_docs--;
        }
        if (doppel__grow(a, (void **)&touched, &cap, count + 1,
                         sizeof *touched) < 0) {
            rc = DOPPEL_NOMEM(err);
            break;
        }
        touched[count++] = st->labels[p];
    }
    if (rc < 0)
        goto done;
    if (removed)
        *removed = count;
    if (count == 0)
        goto done;
    if (df && !exact) /* a saturated count: count the live ones again */
        doppel__index_df_recount(ix, deleted, df, &df_docs);
    qsort(touched, count, sizeof *touched, cmp_u32);
    uint32_t nt = 0;
    for (size_t i = 0; i < count; i++)
        if (!nt || touched[i] != touched[nt - 1])
            touched[nt++] = touched[i];
    group = doppel__malloc_array(a, nt, sizeof *group);
    if (!group) {
        rc = DOPPEL_NOMEM(err);
        goto done;
    }
    for (uint32_t i = 0; i < nt; i++)
        group[i] = i;
    doppel__regroup rg = {P,         P,       st->labels, deleted,
                          st->sizes, st->C,   NULL,       touched,
                          group,     nt,      nt,         ix_sketch,
                          ix_date,   ix,      ix->params.num_perm};
    rc = doppel__index_regroup(&rg, &labels, &sizes, &C, a, err);
    doppel__state_data after = {P,  labels, deleted,    sizes,
                                C,  df,     st->df_K,   df_docs};
    if (rc == DOPPEL_OK)
        rc = rewrite(ix, 0, 0, &after, err);
done:
    doppel__free(a, df);
    doppel__free(a, deleted);
    doppel__free(a, touched);
    doppel__free(a, group);
    doppel__free(a, labels);
    doppel__free(a, sizes);
    return rc;
}

typedef struct id_set {
    const char *const *ids;
    const size_t *lens;
    size_t *order; /* ids sorted */
    size_t n;
} id_set;

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Sort s->order by id (merge sort: qsort has no context argument). */
static void sort_ids(id_set *s, size_t *tmp, size_t lo, size_t hi)
{
    if (hi - lo < 2)
        return;
    size_t mid = lo + (hi - lo) / 2;
    sort_ids(s, tmp, lo, mid);
    sort_ids(s, tmp, mid, hi);
    size_t i = lo, j = mid, k = lo;
    while (i < mid || j < hi) {
        int take_left = j >= hi ||
                        (i < mid && cmp_bytes(s->ids[s->order[i]],
                                              s->lens[s->order[i]],
                                              s->ids[s->order[j]],
                                              s->lens[s->order[j]]) <= 0);
        tmp[k++] = take_left ? s->order[i++] : s->order[j++];
    }
    memcpy(s->order + lo, tmp + lo, (hi - lo) * sizeof *tmp);
}

static int id_hit(const void *ctx, const doppel_index *ix, uint32_t pos,
                  int *hit, doppel_error *err)
{
    const id_set *s = ctx;
    const char *id;
    size_t len;
    DOPPEL_FORWARD_IF_ERROR(
        doppel__index_doc(ix, pos, NULL, &id, &len, NULL, err));
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t k = s->order[mid];
        int c = cmp_bytes(s->ids[k], s->lens[k], id, len);
        if (c == 0) {
            *hit = 1;
            return DOPPEL_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *hit = 0;
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_remove(doppel_index *ix, const char *const *ids,
                                   const size_t *id_lens, size_t n,
                                   size_t *removed, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 1, "remove", err));
    DOPPEL_RETURN_ERROR_IF(n && (!ids || !id_lens), err, DOPPEL_ERR_PARAM,
                           "ids and id_lens must not be NULL");
    if (removed)
        *removed = 0;
    if (n == 0)
        return DOPPEL_OK;
    for (size_t i = 0; i < n; i++)
        DOPPEL_RETURN_ERROR_IF(!ids[i] && id_lens[i], err, DOPPEL_ERR_PARAM,
                               "ids[%zu] must not be NULL", i);
    const doppel_allocator *a = ix->alloc;
    id_set s = {ids, id_lens, NULL, n};
    s.order = doppel__malloc_array(a, n, sizeof *s.order);
    size_t *tmp = doppel__malloc_array(a, n, sizeof *tmp);
    int rc = DOPPEL_OK;
    if (!s.order || !tmp) {
        rc = DOPPEL_NOMEM(err);
    } else {
        for (size_t i = 0; i < n; i++)
            s.order[i] = i;
        sort_ids(&s, tmp, 0, n);
        rc = remove_where(ix, id_hit, &s, removed, err);
    }
    doppel__free(a, s.order);
    doppel__free(a, tmp);
    return rc;
}

static int date_hit(const void *ctx, const doppel_index *ix, uint32_t pos,
                    int *hit, doppel_error *err)
{
    (void)err;
    int64_t before = *(const int64_t *)ctx;
    int64_t d = ix_date(ix, pos);
    *hit = d != DOPPEL_NO_DATE && d < before;
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_expire(doppel_index *ix, int64_t before,
                                   size_t *removed, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 1, "expire", err));
    return remove_where(ix, date_hit, &before, removed, err);
}

/* ------------------------------------------------------------- merging */

/* The snapshot's state as it is (a merge changes positions only). */
static doppel__state_data current(const doppel_index *ix)
{
    const doppel__state *st = &ix->state;
    doppel__state_data d = {st->P,  st->labels, st->deleted, st->sizes,
                            st->C,  st->df,     st->df_K,    st->df_docs};
    return d;
}

static int ids_fit(const doppel_index *ix, uint32_t lo, uint32_t hi)
{
    uint64_t bytes = 0;
    for (uint32_t s = lo; s < hi; s++)
        bytes += ix->segs[s].ids_len;
    return bytes <= UINT32_MAX;
}

/* The run the policy merges next, or 0 when there is none. */
static int next_merge(const doppel_index *ix, uint32_t *lo, uint32_t *hi)
{
    const doppel__commit *c = &ix->commit;
    uint32_t S = c->nsegs;
    for (uint32_t i = 0; i + 1 < S; i++) {
        uint64_t newer = 0;
        for (uint32_t j = i + 1; j < S; j++)
            newer += c->segs[j].live;
        if (2 * newer >= c->segs[i].live && ids_fit(ix, i, S)) {
            *lo = i;
            *hi = S;
            return 1;
        }
    }
    for (uint32_t i = 0; i < S; i++) {
        if (c->segs[i].docs - c->segs[i].live > c->segs[i].live) {
            *lo = i;
            *hi = i + 1;
            return 1;
        }
    }
    return 0;
}

DOPPEL_API int doppel_index_merge(doppel_index *ix, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 1, "merge", err));
    uint32_t lo, hi;
    /* Each merge leaves the policy with less to do; a few rounds at most. */
    for (int round = 0; round < 8 && next_merge(ix, &lo, &hi); round++) {
        doppel__state_data now = current(ix);
        DOPPEL_FORWARD_IF_ERROR(rewrite(ix, lo, hi, &now, err));
    }
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_compact(doppel_index *ix, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(
        doppel__index_check_writer(ix, 1, "compact", err));
    const doppel__state *st = &ix->state;
    uint32_t S = ix->commit.nsegs;
    if (S == 0 || (S == 1 && st->live == st->P))
        return DOPPEL_OK;
    DOPPEL_RETURN_ERROR_IF(!ids_fit(ix, 0, S), err, DOPPEL_ERR_LIMIT,
                           "%s: the ids of all documents take more than %u "
                           "bytes, more than one segment can hold",
                           ix->dir, UINT32_MAX);
    doppel__state_data now = current(ix);
    return rewrite(ix, 0, S, &now, err);
}
