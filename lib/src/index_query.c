/*
 * index_query.c — finding a document's near-duplicates in an index
 * snapshot, and the result objects of queries and adds.
 *
 * A query is an add that stops before writing: for every band, the bucket
 * of the document's key holds the index's documents with the same key;
 * like a batch dedup (lsh.c), the document is paired with at most the
 * DOPPEL__LSH_WINDOW (64) newest live members of each bucket, which are
 * the ones a dedup would pair it with had it been added last. Buckets are
 * read segment by segment, newest first, with one binary search each
 * (postings.h), and every member is confirmed against the full 64-bit
 * key. Candidates are verified exactly as dedup verifies them.
 */
#include "index.h"
#include "threads.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

int doppel__index_bucket(const doppel_index *ix, unsigned g, uint64_t q,
                         const doppel__mh *qv, uint32_t *out, unsigned want,
                         unsigned *got, doppel_error *err)
{
    unsigned n = 0;
    uint32_t q32 = (uint32_t)(q >> 32);
    const doppel__bandset *bs = &ix->lay.bands;
    for (size_t s = ix->commit.nsegs; s-- > 0 && n < want;) {
        const doppel__seg *seg = &ix->segs[s];
        const uint32_t *keys = doppel__seg_keys(seg, g);
        const uint32_t *docs = doppel__seg_docs(seg, g);
        size_t i = doppel__postings_upper(keys, seg->m, q32);
        for (; i > 0 && keys[i - 1] == q32 && n < want; i--) {
            uint32_t l = docs[i - 1];
            if (l >= seg->n)
                return doppel__error(
                    err, DOPPEL_ERR_CORRUPT,
                    "%s: section 'postings' (band %u, entry %zu): document "
                    "%u of %u",
                    seg->path, g, i - 1, l, seg->n);
            uint32_t pos = ix->base[s] + l;
            if (doppel__index_deleted(ix, pos))
                continue;
            doppel__sketch_cref c = doppel__seg_cref(seg, l);
            if (!doppel__bandset_in_bucket(bs, &c, g, qv, q))
                continue;
            out[n++] = pos;
        }
    }
    *got = n;
    return DOPPEL_OK;
}

/* ------------------------------------------------------------- results */

int doppel__result_new(doppel_index_result **out, size_t n,
                       const doppel_allocator *a, doppel_error *err)
{
    doppel_index_result *r = doppel__calloc_array(a, 1, sizeof *r);
    if (!r)
        return DOPPEL_NOMEM(err);
    r->alloc = a;
    r->n = n;
    r->rentries = doppel__calloc_array(a, n ? n : 1, sizeof *r->rentries);
    if (!r->rentries) {
        doppel__free(a, r);
        return DOPPEL_NOMEM(err);
    }
    *out = r;
    return DOPPEL_OK;
}

int doppel__result_ref(doppel_index_result *r, doppel__rref *ref,
                       uint64_t number, const char *id, size_t id_len,
                       int64_t date, doppel_error *err)
{
    if (id_len >= SIZE_MAX / 2 ||
        doppel__grow(r->alloc, (void **)&r->arena, &r->arena_cap,
                     r->arena_len + id_len + 1, 1) < 0)
        return DOPPEL_NOMEM(err);
    if (id_len)
        memcpy(r->arena + r->arena_len, id, id_len);
    r->arena[r->arena_len + id_len] = '\0';
    ref->number = number;
    ref->id_off = r->arena_len;
    ref->id_len = id_len;
    ref->date = date;
    r->arena_len += id_len + 1;
    return DOPPEL_OK;
}

int doppel__result_pos_ref(doppel_index_result *r, const doppel_index *ix,
                           uint32_t pos, doppel__rref *ref,
                           doppel_error *err)
{
    uint32_t number;
    const char *id;
    size_t id_len;
    int64_t date;
    DOPPEL_FORWARD_IF_ERROR(
        doppel__index_doc(ix, pos, &number, &id, &id_len, &date, err));
    return doppel__result_ref(r, ref, number, id, id_len, date, err);
}

int doppel__result_match(doppel_index_result *r, size_t i,
                         const doppel__rref *doc, double similarity,
                         doppel_error *err)
{
    if (doppel__grow(r->alloc, (void **)&r->rmatches, &r->mcap,
                     r->nmatches + 1, sizeof *r->rmatches) < 0)
        return DOPPEL_NOMEM(err);
    doppel__rentry *e = &r->rentries[i];
    if (e->mcount == 0)
        e->mstart = r->nmatches;
    e->mcount++;
    r->rmatches[r->nmatches].doc = *doc;
    r->rmatches[r->nmatches].similarity = similarity;
    r->nmatches++;
    return DOPPEL_OK;
}

static void public_ref(const doppel_index_result *r, const doppel__rref *in,
                       doppel_index_ref *out)
{
    out->number = in->number;
    out->id = r->arena ? r->arena + in->id_off : "";
    out->id_len = in->id_len;
    out->date = in->date;
}

int doppel__result_finish(doppel_index_result *r, doppel_error *err)
{
    r->matches = doppel__malloc_array(r->alloc, r->nmatches ? r->nmatches : 1,
                                      sizeof *r->matches);
    if (!r->matches)
        return DOPPEL_NOMEM(err);
    for (size_t i = 0; i < r->nmatches; i++) {
        public_ref(r, &r->rmatches[i].doc, &r->matches[i].doc);
        r->matches[i].similarity = r->rmatches[i].similarity;
    }
    return DOPPEL_OK;
}

DOPPEL_API size_t doppel_index_result_count(const doppel_index_result *r)
{
    return r ? r->n : 0;
}

DOPPEL_API int doppel_index_result_get(const doppel_index_result *r,
                                       size_t i, doppel_index_entry *out,
                                       doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!r || !out, err, DOPPEL_ERR_PARAM,
                           "result and out must not be NULL");
    DOPPEL_RETURN_ERROR_IF(i >= r->n, err, DOPPEL_ERR_NOTFOUND,
                           "no entry %zu (there are %zu)", i, r->n);
    const doppel__rentry *e = &r->rentries[i];
    public_ref(r, &e->doc, &out->doc);
    public_ref(r, &e->rep, &out->representative);
    out->empty = e->empty;
    out->similarity = e->similarity;
    out->cluster_size = e->cluster_size;
    out->matches = e->mcount ? r->matches + e->mstart : NULL;
    out->nmatches = e->mcount;
    return DOPPEL_OK;
}

DOPPEL_API void doppel_index_result_free(doppel_index_result *r)
{
    if (!r)
        return;
    const doppel_allocator *a = r->alloc;
    doppel__free(a, r->rentries);
    doppel__free(a, r->rmatches);
    doppel__free(a, r->arena);
    doppel__free(a, r->matches);
    doppel__free(a, r);
}

/* ------------------------------------------------------------- queries */

/* One document's matches: positions and similarities, ascending. */
typedef struct qmatch {
    size_t doc; /* which queried document */
    uint32_t pos;
    float sim;
} qmatch;

typedef struct qworker {
    uint32_t *cand;
    size_t ncand, ccap;
    qmatch *m;
    size_t n, cap;
    int rc;
    doppel_error err;
} qworker;

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* Candidates of one sketch, verified, appended to w->m. */
static int match_one(const doppel_index *ix, size_t doc,
                     const doppel__sketch_cref *q, qworker *w,
                     doppel_error *err)
{
    const doppel_allocator *a = ix->alloc;
    if (q->meta->flags & DOPPEL__SIG_EMPTY)
        return DOPPEL_OK;
    w->ncand = 0;
    uint32_t bucket[DOPPEL__LSH_WINDOW];
    for (unsigned g = 0; g < ix->lay.bands.total; g++) {
        uint64_t key = doppel__bandset_key(&ix->lay.bands, q, g);
        unsigned rows, got;
        const doppel__mh *qv =
            doppel__bandset_values(&ix->lay.bands, q, g, &rows);
        DOPPEL_FORWARD_IF_ERROR(doppel__index_bucket(
            ix, g, key, qv, bucket, DOPPEL__LSH_WINDOW, &got, err));
        if (!got)
            continue;
        if (doppel__grow(a, (void **)&w->cand, &w->ccap, w->ncand + got,
                         sizeof *w->cand) < 0)
            return DOPPEL_NOMEM(err);
        memcpy(w->cand + w->ncand, bucket, got * sizeof *bucket);
        w->ncand += got;
    }
    if (w->ncand > 1)
        qsort(w->cand, w->ncand, sizeof *w->cand, cmp_u32);
    unsigned K = ix->params.num_perm;
    /* The corpus table as committing this document alone would make it:
     * the index's, with the document counted in. */
    const doppel__state *st = &ix->state;
    doppel__corpus_df df = {st->df,
                            doppel__corpus_df_threshold(st->df_docs + 1),
                            q->values};
    for (size_t i = 0; i < w->ncand; i++) {
        if (i && w->cand[i] == w->cand[i - 1])
            continue;
        doppel__sketch_cref c = doppel__index_cref(ix, w->cand[i]);
        doppel_match m;
        /* (index document, new one): the order an add verifies in. */
        doppel__verify(&c, q, K, &ix->params, st->df ? &df : NULL, &m);
        if (!m.duplicate)
            continue;
        if (doppel__grow(a, (void **)&w->m, &w->cap, w->n + 1,
                         sizeof *w->m) < 0)
            return DOPPEL_NOMEM(err);
        w->m[w->n].doc = doc;
        w->m[w->n].pos = w->cand[i];
        w->m[w->n].sim = (float)m.similarity;
        w->n++;
    }
    return DOPPEL_OK;
}

typedef struct qctx {
    const doppel_index *ix;
    const doppel__columns *docs;
    qworker *w;
} qctx;

static void match_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    qctx *c = vctx;
    qworker *w = &c->w[worker];
    for (size_t i = lo; i < hi && w->rc == DOPPEL_OK; i++) {
        doppel__sketch_cref q = doppel__columns_cref(c->docs, i);
        w->rc = match_one(c->ix, i, &q, w, &w->err);
    }
}

/* The result of queries whose sketches are in `docs`. */
static int query_columns(const doppel_index *ix, const doppel__columns *docs,
                         unsigned threads, doppel_index_result **out,
                         doppel_error *err)
{
    const doppel_allocator *a = ix->alloc;
    size_t n = docs->n;
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    qworker *w = doppel__calloc_array(a, threads, sizeof *w);
    if (!w)
        return DOPPEL_NOMEM(err);
    qctx c = {ix, docs, w};
    doppel__parallel_for(threads, n, match_range, &c);
    doppel_index_result *r = NULL;
    int rc = DOPPEL_OK;
    for (unsigned t = 0; t < threads && rc == DOPPEL_OK; t++)
        if (w[t].rc < 0) {
            rc = w[t].rc;
            if (err)
                *err = w[t].err;
        }
    if (rc == DOPPEL_OK)
        rc = doppel__result_new(&r, n, a, err);
    /* Workers took contiguous ranges in order: their matches, taken in
     * worker order, are grouped by document in order. */
    unsigned K = ix->params.num_perm;
    const doppel__state *st = &ix->state;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < n && rc == DOPPEL_OK; i++) {
        doppel__rentry *e = &r->rentries[i];
        size_t id_len;
        const char *id = doppel__columns_id(docs, i, &id_len);
        doppel__sketch_cref q = doppel__columns_cref(docs, i);
        rc = doppel__result_ref(r, &e->doc, DOPPEL_INDEX_NO_NUMBER, id,
                                id_len, docs->dates[i], err);
        e->empty = (q.meta->flags & DOPPEL__SIG_EMPTY) != 0;
        e->rep = e->doc;
        e->similarity = 1.0;
        e->cluster_size = 1;
        uint32_t best = UINT32_MAX;
        float best_sim = -1.0f;
        while (rc == DOPPEL_OK) {
            while (t < threads && k >= w[t].n) {
                t++;
                k = 0;
            }
            if (t >= threads || w[t].m[k].doc != i)
                break;
            const qmatch *qm = &w[t].m[k++];
            doppel__rref ref;
            rc = doppel__result_pos_ref(r, ix, qm->pos, &ref, err);
            if (rc == DOPPEL_OK)
                rc = doppel__result_match(r, i, &ref, qm->sim, err);
            if (qm->sim > best_sim) { /* ascending: ties keep the lowest */
                best_sim = qm->sim;
                best = qm->pos;
            }
        }
        if (rc == DOPPEL_OK && best != UINT32_MAX) {
            uint32_t rep = st->labels[best];
            rc = doppel__result_pos_ref(r, ix, rep, &e->rep, err);
            doppel__sketch_cref rc_ = doppel__index_cref(ix, rep);
            doppel_match m;
            doppel__verify(&q, &rc_, K, &ix->params, NULL, &m);
            e->similarity = (double)(float)m.similarity;
            e->cluster_size = doppel__cluster_size(st->sizes, st->C, rep);
        }
    }
    if (rc == DOPPEL_OK)
        rc = doppel__result_finish(r, err);
    for (unsigned i = 0; i < threads; i++) {
        doppel__free(a, w[i].cand);
        doppel__free(a, w[i].m);
    }
    doppel__free(a, w);
    if (rc < 0) {
        doppel_index_result_free(r);
        return rc;
    }
    *out = r;
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_query(const doppel_index *ix,
                                  const doppel_doc *docs, size_t n,
                                  doppel_index_result **result,
                                  doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix || !result || (!docs && n), err,
                           DOPPEL_ERR_PARAM,
                           "index, docs and result must not be NULL");
    *result = NULL;
    const doppel_allocator *a = ix->alloc;
    unsigned threads = ix->threads;
    doppel__columns cols;
    doppel__columns_init(&cols, ix->params.num_perm);
    DOPPEL_RETURN_ERROR_IF(n > DOPPEL__INDEX_MAX_DOCS, err, DOPPEL_ERR_LIMIT,
                           "one query takes at most %zu documents",
                           DOPPEL__INDEX_MAX_DOCS);
    doppel__scratch *scratch = doppel__calloc_array(a, threads,
                                                    sizeof *scratch);
    if (!scratch)
        return DOPPEL_NOMEM(err);
    int rc = doppel__columns_reserve(&cols, n ? n : 1,
                                     DOPPEL__INDEX_MAX_DOCS, a, err);
    if (rc == DOPPEL_OK)
        rc = doppel__columns_add_batch(&cols, ix->sk, scratch, threads, docs,
                                       n, a, err);
    for (unsigned t = 0; t < threads; t++)
        doppel__scratch_free(&scratch[t], a);
    doppel__free(a, scratch);
    if (rc == DOPPEL_OK)
        rc = query_columns(ix, &cols, threads, result, err);
    doppel__columns_free(&cols, a);
    return rc;
}

DOPPEL_API int doppel_index_query_signature(const doppel_index *ix,
                                            const doppel_signature *sig,
                                            doppel_index_result **result,
                                            doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix || !sig || !result, err, DOPPEL_ERR_PARAM,
                           "index, signature and result must not be NULL");
    *result = NULL;
    if (sig->fingerprint != ix->commit.fingerprint)
        return doppel__params_mismatch(&ix->params, &sig->params, ix->dir,
                                       err) < 0
                   ? DOPPEL_ERR_MISMATCH
                   : doppel__error(err, DOPPEL_ERR_MISMATCH,
                                   "%s: the signature was made by a doppel "
                                   "whose sketches differ from the index's",
                                   ix->dir);
    const doppel_allocator *a = ix->alloc;
    doppel__columns cols;
    doppel__columns_init(&cols, ix->params.num_perm);
    int rc = doppel__columns_reserve(&cols, 1, DOPPEL__INDEX_MAX_DOCS, a,
                                     err);
    if (rc == DOPPEL_OK)
        rc = doppel__columns_add_signature(&cols, "", 0, sig, DOPPEL_NO_DATE,
                                           a, err);
    if (rc == DOPPEL_OK)
        rc = query_columns(ix, &cols, 1, result, err);
    doppel__columns_free(&cols, a);
    return rc;
}
