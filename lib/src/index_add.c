/*
 * index_add.c — adding a batch to an index: staging (sketching at once),
 * then one commit that finds the batch's pairs, updates clusters and
 * writes the batch as a new segment.
 *
 * Finding the pairs a dedup would find. A dedup sorts all documents by
 * each band's key; in a bucket (a run of equal keys) every document is
 * paired with the up to 64 members before it (lsh.c). The index has the
 * archive's buckets on disk, sorted the same way, so for a batch document
 * d, the members before it in its bucket are: the batch's own members
 * before d, then the archive's members, newest first. The batch's posting
 * arrays are built first, sorted by full key (they are also what the new
 * segment stores); each band is then walked in key order, and for every
 * key the archive's run is found by galloping forward in every segment --
 * a merge of two sorted lists, linear in the batch and logarithmic in the
 * archive. Bands are divided among the threads. Candidates are verified by candidates.c with
 * the very sketches a dedup would compare.
 *
 * Clusters: the verified pairs join batch documents to each other and to
 * archived clusters (union-find over the touched clusters and the batch),
 * and index_cluster.c chooses representatives over the members.
 *
 * Then the files: the segment, the state file, and COMMIT, in that order
 * (commit.c). Nothing before COMMIT's rename is visible to anyone, and a
 * failure before it leaves the index as it was and the batch staged.
 */
#include "candidates.h"
#include "cluster.h"
#include "index.h"
#include "threads.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>

/* Room for n more staged documents, within the index's limit. */
static int stage_room(doppel_index *ix, size_t n, doppel_error *err)
{
    size_t room = DOPPEL__INDEX_MAX_DOCS - ix->state.P;
    DOPPEL_RETURN_ERROR_IF(n > room || ix->pending.n > room - n, err,
                           DOPPEL_ERR_LIMIT,
                           "%s: too many documents for the index (the limit "
                           "is %zu)",
                           ix->dir, DOPPEL__INDEX_MAX_DOCS);
    return doppel__columns_reserve(&ix->pending, n, room, ix->alloc, err);
}

DOPPEL_API int doppel_index_add(doppel_index *ix, const doppel_doc *docs,
                                size_t n, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 0, "add", err));
    DOPPEL_RETURN_ERROR_IF(!docs && n, err, DOPPEL_ERR_PARAM,
                           "docs must not be NULL");
    if (n == 0)
        return DOPPEL_OK;
    DOPPEL_FORWARD_IF_ERROR(stage_room(ix, n, err));
    return doppel__columns_add_batch(&ix->pending, ix->sk, ix->scratch,
                                     ix->threads, docs, n, ix->alloc, err);
}

DOPPEL_API int doppel_index_add_signature(doppel_index *ix, const char *id,
                                          size_t id_len,
                                          const doppel_signature *sig,
                                          int64_t date, doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 0, "add", err));
    DOPPEL_RETURN_ERROR_IF(!sig, err, DOPPEL_ERR_PARAM,
                           "signature must not be NULL");
    if (sig->fingerprint != ix->commit.fingerprint) {
        if (doppel__params_mismatch(&ix->params, &sig->params, ix->dir, err) <
            0)
            return DOPPEL_ERR_MISMATCH;
        return doppel__error(err, DOPPEL_ERR_MISMATCH,
                             "%s: the signature was made by a doppel whose "
                             "sketches differ from the index's",
                             ix->dir);
    }
    DOPPEL_FORWARD_IF_ERROR(stage_room(ix, 1, err));
    return doppel__columns_add_signature(&ix->pending, id, id_len, sig, date,
                                         ix->alloc, err);
}

DOPPEL_API size_t doppel_index_pending(const doppel_index *ix)
{
    return ix ? ix->pending.n : 0;
}

DOPPEL_API void doppel_index_rollback(doppel_index *ix)
{
    if (!ix)
        return;
    doppel__columns_free(&ix->pending, ix->alloc);
}

/* ------------------------------------------------ the batch's documents */

typedef struct batch {
    const doppel_index *ix;
    const doppel__columns *B;
    uint32_t P;      /* positions of the archive; batch doc i is P + i */
    uint32_t first;  /* document number of batch doc 0 */
    uint32_t mb;     /* batch documents posted */
    uint32_t *post;  /* posting arrays, the segment's layout */
    uint32_t *lows;  /* per band, the low halves of the keys in post */
} batch;

/* Any position: the archive's or the batch's. */
static doppel__sketch_cref pos_sketch(const void *ctx, uint32_t pos)
{
    const batch *b = ctx;
    if (pos >= b->P)
        return doppel__columns_cref(b->B, pos - b->P);
    return doppel__index_cref(b->ix, pos);
}

static int64_t pos_date(const void *ctx, uint32_t pos)
{
    const batch *b = ctx;
    if (pos >= b->P)
        return b->B->dates[pos - b->P];
    size_t s = doppel__index_seg_of(b->ix, pos);
    return b->ix->segs[s].dates[pos - b->ix->base[s]];
}

static void batch_doc(const void *ctx, size_t i, doppel__docref *out)
{
    const batch *b = ctx;
    out->sk = doppel__columns_cref(b->B, i);
    out->id = doppel__columns_id(b->B, i, &out->id_len);
    out->date = b->B->dates[i];
    out->number = b->first + (uint32_t)i;
}

/* The batch's posting arrays, sorted by the full 64-bit key and then by
 * document (so sorted by the stored 32-bit key too, as a segment's must
 * be), with the keys' low halves kept aside: a run of equal full keys is
 * then a bucket, without hashing again. Bands are divided among the
 * threads. */
typedef struct pctx {
    batch *b;
    int *rc; /* per worker */
} pctx;

static void postings_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    pctx *c = vctx;
    batch *b = c->b;
    const doppel_allocator *a = b->ix->alloc;
    const doppel__bandset *bs = &b->ix->lay.bands;
    size_t n = b->B->n, m = b->mb;
    doppel__band_entry *e = doppel__malloc_array(a, m ? m : 1, sizeof *e);
    doppel__band_entry *tmp = doppel__malloc_array(a, m ? m : 1,
                                                   sizeof *tmp);
    size_t *count = doppel__malloc_array(a, doppel__lsh_sort_count_len(m),
                                         sizeof *count);
    if (!e || !tmp || !count) {
        c->rc[worker] = DOPPEL_ERR_NOMEM;
        lo = hi;
    }
    for (size_t g = lo; g < hi; g++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            doppel__sketch_cref s = doppel__columns_cref(b->B, i);
            if (s.meta->flags & DOPPEL__SIG_EMPTY)
                continue;
            e[k].key = doppel__bandset_key(bs, &s, (unsigned)g);
            e[k].doc = (uint32_t)i;
            k++;
        }
        doppel__lsh_sort_entries(e, tmp, m, count);
        uint32_t *keys = b->post + g * 2 * m, *docs = keys + m;
        uint32_t *lows = b->lows + g * m;
        for (size_t i = 0; i < m; i++) {
            keys[i] = (uint32_t)(e[i].key >> 32);
            lows[i] = (uint32_t)e[i].key;
            docs[i] = e[i].doc;
        }
    }
    doppel__free(a, e);
    doppel__free(a, tmp);
    doppel__free(a, count);
}

static int build_postings(batch *b, doppel_error *err)
{
    const doppel_allocator *a = b->ix->alloc;
    const doppel__bandset *bs = &b->ix->lay.bands;
    size_t n = b->B->n, m = 0;
    for (size_t i = 0; i < n; i++)
        m += !(b->B->meta[i].flags & DOPPEL__SIG_EMPTY);
    b->mb = (uint32_t)m;
    b->post = doppel__malloc_array(a, m ? 2 * m * bs->total : 1,
                                   sizeof *b->post);
    b->lows = doppel__malloc_array(a, m ? m * bs->total : 1,
                                   sizeof *b->lows);
    unsigned T = b->ix->threads < bs->total ? b->ix->threads : bs->total;
    int *rcs = doppel__calloc_array(a, T ? T : 1, sizeof *rcs);
    int rc = DOPPEL_OK;
    if (!b->post || !b->lows || !rcs)
        rc = DOPPEL_NOMEM(err);
    if (rc == DOPPEL_OK) {
        pctx c = {b, rcs};
        doppel__parallel_for(m >= 4096 ? T : 1, bs->total, postings_range,
                             &c);
        for (unsigned t = 0; t < T; t++)
            if (rcs[t] < 0)
                rc = DOPPEL_NOMEM(err);
    }
    doppel__free(a, rcs);
    return rc;
}

/* ------------------------------------------------------------ matching */

typedef struct fworker {
    doppel__pairvec pairs; /* this band's, then merged into acc */
    doppel__pairvec acc;   /* sorted, unique: the bands done so far */
    size_t *cursor;    /* per segment: where the last key was found */
    uint64_t *seen;    /* pairs pushed lately (SEEN_SLOTS, direct-mapped) */
    int rc;
    doppel_error err;
} fworker;

typedef struct fctx {
    const batch *b;
    fworker *w;
} fctx;

/* A pair found in one band is usually found in others (a reprint shares
 * all its bands with its original): a small direct-mapped table of the
 * pairs pushed lately drops most repeats before they cost a sort. The
 * list is made unique at the end anyway; this only saves work. */
#define SEEN_SLOTS ((size_t)1 << 20)

static int push(fworker *w, uint32_t a, uint32_t b,
                const doppel_allocator *al)
{
    uint64_t pair = ((uint64_t)a << 32) | b;
    size_t slot = (size_t)((pair * 0x9E3779B97F4A7C15ull) >> 46);
    if (w->seen[slot] == pair + 1)
        return DOPPEL_OK;
    w->seen[slot] = pair + 1; /* 0 is an empty slot */
    if (w->pairs.n == w->pairs.cap &&
        doppel__grow(al, (void **)&w->pairs.v, &w->pairs.cap, w->pairs.n + 1,
                     sizeof(uint64_t)) < 0)
        return DOPPEL_ERR_NOMEM;
    w->pairs.v[w->pairs.n++] = pair;
    return DOPPEL_OK;
}

/* The archive's members of bucket (g, q), newest first, up to `want`,
 * finding each segment's run by galloping from its cursor. */
static int archive_bucket(const batch *b, fworker *w, unsigned g, uint64_t q,
                          const doppel__mh *qv, uint32_t *out, unsigned want,
                          unsigned *got)
{
    const doppel_index *ix = b->ix;
    const doppel__bandset *bs = &ix->lay.bands;
    uint32_t q32 = (uint32_t)(q >> 32);
    unsigned n = 0;
    for (size_t s = ix->commit.nsegs; s-- > 0 && n < want;) {
        const doppel__seg *seg = &ix->segs[s];
        const uint32_t *keys = doppel__seg_keys(seg, g);
        const uint32_t *docs = doppel__seg_docs(seg, g);
        size_t lo = doppel__postings_gallop(keys, seg->m, w->cursor[s], q32);
        w->cursor[s] = lo;
        if (lo == seg->m || keys[lo] != q32)
            continue;
        size_t hi = q32 == UINT32_MAX
                        ? seg->m
                        : doppel__postings_gallop(keys, seg->m, lo, q32 + 1);
        for (size_t i = hi; i > lo && n < want; i--) {
            uint32_t l = docs[i - 1];
            if (l >= seg->n)
                return doppel__error(
                    &w->err, DOPPEL_ERR_CORRUPT,
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

/* The pairs of one bucket: batch documents locals[0..k) (ascending) with
 * key q, each with the up to 64 members before it. */
static int bucket_pairs(const batch *b, fworker *w, unsigned g, uint64_t q,
                        const uint32_t *locals, size_t k)
{
    const doppel_allocator *al = b->ix->alloc;
    uint32_t arch[DOPPEL__LSH_WINDOW];
    unsigned na = 0, rows;
    doppel__sketch_cref first = doppel__columns_cref(b->B, locals[0]);
    const doppel__mh *qv =
        doppel__bandset_values(&b->ix->lay.bands, &first, g, &rows);
    int rc = archive_bucket(b, w, g, q, qv, arch, DOPPEL__LSH_WINDOW, &na);
    if (rc < 0)
        return rc;
    for (size_t j = 0; j < k; j++) {
        uint32_t d = b->P + locals[j];
        size_t from = j > DOPPEL__LSH_WINDOW ? j - DOPPEL__LSH_WINDOW : 0;
        for (size_t i = from; i < j; i++)
            if (push(w, b->P + locals[i], d, al) < 0)
                return DOPPEL_NOMEM(&w->err);
        for (size_t t = 0; j < DOPPEL__LSH_WINDOW && t < na &&
                           t < DOPPEL__LSH_WINDOW - j;
             t++)
            if (push(w, arch[t], d, al) < 0)
                return DOPPEL_NOMEM(&w->err);
    }
    return DOPPEL_OK;
}

static int flush_pairs(fworker *w, const doppel_allocator *al);

static int find_band(const batch *b, fworker *w, unsigned g)
{
    const doppel_allocator *al = b->ix->alloc;
    size_t mb = b->mb;
    const uint32_t *keys = b->post + (size_t)g * 2 * mb;
    const uint32_t *docs = keys + mb;
    const uint32_t *lows = b->lows + (size_t)g * mb;
    memset(w->cursor, 0, (b->ix->commit.nsegs + 1) * sizeof *w->cursor);
    /* Runs of equal full keys are the batch's buckets, docs ascending. */
    for (size_t s = 0; s < mb;) {
        size_t e = s + 1;
        while (e < mb && keys[e] == keys[s] && lows[e] == lows[s])
            e++;
        uint64_t q = (uint64_t)keys[s] << 32 | lows[s];
        int rc = bucket_pairs(b, w, g, q, docs + s, e - s);
        if (rc < 0)
            return rc;
        s = e;
    }
    /* Merge when the new pairs reach a quarter of the distinct ones so
     * far: memory holds about the distinct pairs, not every band's
     * repeats, and each pair is copied a few times at most. */
    if (w->pairs.n * 4 >= w->acc.n + (1u << 16))
        return flush_pairs(w, al);
    return DOPPEL_OK;
}

/* Sort the pending pairs and merge them into the distinct ones. */
static int flush_pairs(fworker *w, const doppel_allocator *al)
{
    if (doppel__pairs_unique(&w->pairs, al) < 0)
        return DOPPEL_NOMEM(&w->err);
    size_t na = w->acc.n, nb = w->pairs.n;
    if (nb == 0)
        return DOPPEL_OK;
    uint64_t *m = doppel__malloc_array(al, na + nb, sizeof *m);
    if (!m)
        return DOPPEL_NOMEM(&w->err);
    const uint64_t *x = w->acc.v, *y = w->pairs.v;
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb) {
        uint64_t v = j >= nb || (i < na && x[i] <= y[j]) ? x[i++] : y[j++];
        if (!k || m[k - 1] != v)
            m[k++] = v;
    }
    doppel__free(al, w->acc.v);
    w->acc.v = m;
    w->acc.n = k;
    w->acc.cap = na + nb;
    w->pairs.n = 0;
    return DOPPEL_OK;
}

static void find_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    fctx *c = vctx;
    fworker *w = &c->w[worker];
    for (size_t g = lo; g < hi && w->rc == DOPPEL_OK; g++)
        w->rc = find_band(c->b, w, (unsigned)g);
    if (w->rc == DOPPEL_OK)
        w->rc = flush_pairs(w, c->b->ix->alloc);
}

/* Every candidate pair of the batch, unique and sorted. */
static int find_candidates(const batch *b, doppel__pairvec *out,
                           doppel_error *err)
{
    const doppel_index *ix = b->ix;
    const doppel_allocator *a = ix->alloc;
    unsigned T = ix->threads, B = ix->lay.bands.total;
    if (T > B)
        T = B;
    fworker *w = doppel__calloc_array(a, T, sizeof *w);
    if (!w)
        return DOPPEL_NOMEM(err);
    int rc = DOPPEL_OK;
    for (unsigned t = 0; t < T && rc == DOPPEL_OK; t++) {
        w[t].cursor = doppel__malloc_array(a, ix->commit.nsegs + 1,
                                           sizeof *w[t].cursor);
        w[t].seen = doppel__calloc_array(a, SEEN_SLOTS, sizeof *w[t].seen);
        if (!w[t].cursor || !w[t].seen)
            rc = DOPPEL_NOMEM(err);
    }
    if (rc == DOPPEL_OK) {
        fctx c = {b, w};
        doppel__parallel_for(T, B, find_range, &c);
        for (unsigned t = 0; t < T && rc == DOPPEL_OK; t++)
            if (w[t].rc < 0) {
                rc = w[t].rc;
                if (err)
                    *err = w[t].err;
            }
    }
    size_t total = 0;
    for (unsigned t = 0; t < T; t++)
        total += w[t].acc.n;
    if (rc == DOPPEL_OK && total &&
        doppel__grow(a, (void **)&out->v, &out->cap, total,
                     sizeof *out->v) < 0)
        rc = DOPPEL_NOMEM(err);
    for (unsigned t = 0; t < T; t++) {
        if (rc == DOPPEL_OK && w[t].acc.n) {
            memcpy(out->v + out->n, w[t].acc.v, w[t].acc.n * sizeof *out->v);
            out->n += w[t].acc.n;
        }
        doppel__pairvec_free(&w[t].pairs, a);
        doppel__pairvec_free(&w[t].acc, a);
        doppel__free(a, w[t].cursor);
        doppel__free(a, w[t].seen);
    }
    doppel__free(a, w);
    /* One worker's list is already sorted and unique. */
    if (rc == DOPPEL_OK && T > 1 && doppel__pairs_unique(out, a) < 0)
        rc = DOPPEL_NOMEM(err);
    return rc;
}

/* ------------------------------------------------------------ clusters */

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* The index of v in sorted a[0..n) (v is there). */
static uint32_t lower_bound(const uint32_t *a, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

typedef struct verified {
    uint64_t *pair; /* (a << 32) | b, sorted */
    float *sim;
    size_t n;
} verified;

static int find_clusters(const batch *b, const verified *v,
                         uint64_t *deleted, uint32_t **labels,
                         uint32_t **sizes, uint32_t *C, doppel_error *err)
{
    const doppel_index *ix = b->ix;
    const doppel_allocator *a = ix->alloc;
    uint32_t P = b->P, nb = (uint32_t)b->B->n;
    const uint32_t *old = ix->state.labels;
    uint32_t *touched = NULL, *tgroup = NULL, *bgroup = NULL, *gid = NULL;
    doppel__uf uf = {0};
    int rc = DOPPEL_OK;
    size_t nt = 0;
    for (size_t i = 0; i < v->n; i++)
        nt += (uint32_t)(v->pair[i] >> 32) < P;
    touched = doppel__malloc_array(a, nt ? nt : 1, sizeof *touched);
    if (!touched)
        goto nomem;
    nt = 0;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t x = (uint32_t)(v->pair[i] >> 32);
        if (x < P)
            touched[nt++] = old[x];
    }
    qsort(touched, nt, sizeof *touched, cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < nt; i++)
        if (!u || touched[i] != touched[u - 1])
            touched[u++] = touched[i];
    nt = u;
    if (doppel__uf_init(&uf, nt + nb, a) < 0)
        goto nomem;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t x = (uint32_t)(v->pair[i] >> 32), y = (uint32_t)v->pair[i];
        uint32_t nx = x >= P ? (uint32_t)nt + (x - P)
                             : lower_bound(touched, nt, old[x]);
        doppel__uf_union(&uf, nx, (uint32_t)nt + (y - P));
    }
    /* Groups: one per union-find set, numbered by first appearance. */
    gid = doppel__malloc_array(a, nt + nb ? nt + nb : 1, sizeof *gid);
    tgroup = doppel__malloc_array(a, nt ? nt : 1, sizeof *tgroup);
    bgroup = doppel__malloc_array(a, nb ? nb : 1, sizeof *bgroup);
    if (!gid || !tgroup || !bgroup)
        goto nomem;
    for (size_t i = 0; i < nt + nb; i++)
        gid[i] = UINT32_MAX;
    uint32_t G = 0;
    for (size_t i = 0; i < nt + nb; i++) {
        uint32_t r = doppel__uf_find(&uf, (uint32_t)i);
        if (gid[r] == UINT32_MAX)
            gid[r] = G++;
        if (i < nt)
            tgroup[i] = gid[r];
        else
            bgroup[i - nt] = gid[r];
    }
    doppel__regroup rg = {P,
                          P + nb,
                          old,
                          deleted,
                          ix->state.sizes,
                          ix->state.C,
                          bgroup,
                          touched,
                          tgroup,
                          (uint32_t)nt,
                          G,
                          pos_sketch,
                          pos_date,
                          b,
                          ix->params.num_perm};
    rc = doppel__index_regroup(&rg, labels, sizes, C, a, err);
    goto done;
nomem:
    rc = DOPPEL_NOMEM(err);
done:
    doppel__uf_free(&uf, a);
    doppel__free(a, touched);
    doppel__free(a, tgroup);
    doppel__free(a, bgroup);
    doppel__free(a, gid);
    return rc;
}

/* ------------------------------------------------------------- results */

/* The reference of any position, archive or batch. */
static int any_ref(doppel_index_result *r, const batch *b, uint32_t pos,
                   doppel__rref *ref, doppel_error *err)
{
    if (pos < b->P)
        return doppel__result_pos_ref(r, b->ix, pos, ref, err);
    size_t i = pos - b->P, len;
    const char *id = doppel__columns_id(b->B, i, &len);
    return doppel__result_ref(r, ref, b->first + i, id, len, b->B->dates[i],
                              err);
}

static int build_result(const batch *b, const verified *v,
                        const uint32_t *labels, const uint32_t *sizes,
                        uint32_t C, doppel_index_result **out,
                        doppel_error *err)
{
    const doppel_index *ix = b->ix;
    const doppel_allocator *a = ix->alloc;
    size_t nb = b->B->n;
    doppel_index_result *r = NULL;
    size_t *start = doppel__calloc_array(a, nb + 1, sizeof *start);
    size_t *order = doppel__malloc_array(a, v->n ? v->n : 1, sizeof *order);
    int rc = DOPPEL_OK;
    if (!start || !order)
        rc = DOPPEL_NOMEM(err);
    if (rc == DOPPEL_OK)
        rc = doppel__result_new(&r, nb, a, err);
    if (rc == DOPPEL_OK) {
        /* Pairs grouped by their later document, earlier ones ascending. */
        for (size_t i = 0; i < v->n; i++)
            start[(uint32_t)v->pair[i] - b->P + 1]++;
        for (size_t i = 0; i < nb; i++)
            start[i + 1] += start[i];
        for (size_t i = 0; i < v->n; i++)
            order[start[(uint32_t)v->pair[i] - b->P]++] = i;
        /* start[i] is now the end of document i's pairs. */
    }
    unsigned K = ix->params.num_perm;
    size_t k;
    for (size_t i = 0; i < nb && rc == DOPPEL_OK; i++) {
        doppel__rentry *e = &r->rentries[i];
        uint32_t pos = b->P + (uint32_t)i;
        rc = any_ref(r, b, pos, &e->doc, err);
        doppel__sketch_cref d = doppel__columns_cref(b->B, i);
        e->empty = (d.meta->flags & DOPPEL__SIG_EMPTY) != 0;
        for (size_t j = i ? start[i - 1] : 0; rc == DOPPEL_OK && j < start[i];
             j++) {
            doppel__rref ref;
            k = order[j];
            rc = any_ref(r, b, (uint32_t)(v->pair[k] >> 32), &ref, err);
            if (rc == DOPPEL_OK)
                rc = doppel__result_match(r, i, &ref, v->sim[k], err);
        }
        uint32_t rep = labels[pos];
        if (rc == DOPPEL_OK)
            rc = any_ref(r, b, rep, &e->rep, err);
        e->cluster_size = doppel__cluster_size(sizes, C, rep);
        if (rep == pos) {
            e->similarity = 1.0;
        } else {
            /* As a dedup reports it: (member, representative), without
             * the corpus rule (which never changes a similarity). */
            doppel__sketch_cref s = pos_sketch(b, rep);
            doppel_match m;
            doppel__verify(&d, &s, K, &ix->params, NULL, &m);
            e->similarity = (double)(float)m.similarity;
        }
    }
    if (rc == DOPPEL_OK)
        rc = doppel__result_finish(r, err);
    doppel__free(a, start);
    doppel__free(a, order);
    if (rc < 0) {
        doppel_index_result_free(r);
        return rc;
    }
    *out = r;
    return DOPPEL_OK;
}

/* -------------------------------------------------------------- commit */

static doppel__sketch_cref batch_sketch(const void *ctx, uint32_t i)
{
    const batch *b = ctx;
    return doppel__columns_cref(b->B, i);
}

/* The corpus table after the commit: the index's, plus the batch's
 * non-empty documents (NULL when the parameters do not use one). */
static int batch_df(const batch *b, uint16_t **table, uint64_t *docs,
                    doppel_error *err)
{
    const doppel_index *ix = b->ix;
    DOPPEL_FORWARD_IF_ERROR(doppel__index_df_copy(ix, table, docs, err));
    if (!*table)
        return DOPPEL_OK;
    for (size_t i = 0; i < b->B->n; i++) {
        if (b->B->meta[i].flags & DOPPEL__SIG_EMPTY)
            continue;
        doppel__corpus_df_count(*table, b->B->values + i * b->B->K,
                                b->B->K);
        (*docs)++;
    }
    return DOPPEL_OK;
}

/* Verify the candidates as a dedup over the archive and the batch would:
 * the same verifier, and the same corpus table (df, may be NULL). */
static int verify_batch(const batch *b, const doppel__pairvec *cand,
                        const doppel__corpus_df *df, float *sim,
                        uint8_t *dup, doppel_error *err)
{
    const doppel_index *ix = b->ix;
    unsigned K = ix->params.num_perm;
    uint8_t *index = NULL;
    doppel__dmask *masks = NULL;
    size_t nb = b->B->n;
    if (K <= 256 && cand->n) { /* else verification sorts bins per pair */
        index = doppel__malloc_array(ix->alloc, nb, 2 * (size_t)K);
        if (df)
            masks = doppel__malloc_array(ix->alloc, nb, sizeof *masks);
        if (!index || (df && !masks)) {
            doppel__free(ix->alloc, index);
            doppel__free(ix->alloc, masks);
            return DOPPEL_NOMEM(err);
        }
        doppel__spread_indexes(batch_sketch, b, nb, K, ix->threads, index);
        if (masks)
            doppel__df_masks(batch_sketch, b, nb, K, df, ix->threads, masks);
    }
    doppel__verify_candidates(cand->v, cand->n, pos_sketch, b, b->P, index,
                              &ix->params, df, masks, ix->threads, sim, dup);
    doppel__free(ix->alloc, index);
    doppel__free(ix->alloc, masks);
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_commit(doppel_index *ix,
                                   doppel_index_result **result,
                                   doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(doppel__index_check_writer(ix, 0, "commit",
                                                       err));
    const doppel_allocator *a = ix->alloc;
    if (result)
        *result = NULL;
    size_t nb = ix->pending.n;
    if (nb == 0)
        return result ? doppel__result_new(result, 0, a, err) : DOPPEL_OK;
    uint32_t P = ix->state.P;
    DOPPEL_RETURN_ERROR_IF(
        nb > DOPPEL__INDEX_MAX_DOCS - P ||
            nb > DOPPEL__INDEX_MAX_DOCS - ix->commit.next_number,
        err, DOPPEL_ERR_LIMIT,
        "%s: an index holds at most %zu documents and numbers", ix->dir,
        DOPPEL__INDEX_MAX_DOCS);
    batch b = {ix, &ix->pending, P, ix->commit.next_number, 0, NULL, NULL};
    doppel__pairvec cand = {0};
    verified v = {NULL, NULL, 0};
    float *sim = NULL;
    uint8_t *dup = NULL;
    uint64_t *deleted = NULL;
    uint32_t *labels = NULL, *sizes = NULL, C = 0;
    doppel_index_result *r = NULL;
    uint32_t *keep = NULL;
    uint16_t *df = NULL;
    uint64_t df_docs = 0;
    int rc = build_postings(&b, err);
    if (rc == DOPPEL_OK)
        rc = find_candidates(&b, &cand, err);
    if (rc == DOPPEL_OK)
        rc = batch_df(&b, &df, &df_docs, err);
    if (rc == DOPPEL_OK) {
        sim = doppel__malloc_array(a, cand.n ? cand.n : 1, sizeof *sim);
        dup = doppel__malloc_array(a, cand.n ? cand.n : 1, 1);
        if (!sim || !dup)
            rc = DOPPEL_NOMEM(err);
    }
    if (rc == DOPPEL_OK) {
        doppel__corpus_df cdf = {df, doppel__corpus_df_threshold(df_docs),
                                 NULL};
        rc = verify_batch(&b, &cand, df ? &cdf : NULL, sim, dup, err);
    }
    if (rc == DOPPEL_OK) {
        /* Keep the verified ones, in place. */
        for (size_t i = 0; i < cand.n; i++)
            if (dup[i]) {
                cand.v[v.n] = cand.v[i];
                sim[v.n] = sim[i];
                v.n++;
            }
        v.pair = cand.v;
        v.sim = sim;
        size_t words = doppel__bit_words(P + (uint32_t)nb);
        deleted = doppel__calloc_array(a, words ? words : 1, 8);
        if (!deleted)
            rc = DOPPEL_NOMEM(err);
        else if (P)
            memcpy(deleted, ix->state.deleted, doppel__bit_words(P) * 8);
    }
    if (rc == DOPPEL_OK)
        rc = find_clusters(&b, &v, deleted, &labels, &sizes, &C, err);
    if (rc == DOPPEL_OK && result)
        rc = build_result(&b, &v, labels, sizes, C, &r, err);
    /* The files: the batch becomes the last segment. */
    if (rc == DOPPEL_OK) {
        keep = doppel__malloc_array(a, ix->commit.nsegs + 1, sizeof *keep);
        if (!keep)
            rc = DOPPEL_NOMEM(err);
    }
    int committed = 0;
    if (rc == DOPPEL_OK) {
        for (uint32_t i = 0; i < ix->commit.nsegs; i++)
            keep[i] = i;
        doppel__change ch = {{nb, batch_doc, &b},
                             b.post,
                             keep,
                             ix->commit.nsegs,
                             ix->commit.nsegs,
                             {P + (uint32_t)nb, labels, deleted, sizes, C, df,
                              ix->state.df_K, df_docs},
                             b.first + (uint32_t)nb};
        rc = doppel__index_apply(ix, &ch, &committed, err);
    }
    if (committed) /* the batch is in, even if reading it back failed */
        doppel__columns_free(&ix->pending, a);

    doppel__free(a, b.post);
    doppel__free(a, b.lows);
    doppel__pairvec_free(&cand, a);
    doppel__free(a, sim);
    doppel__free(a, dup);
    doppel__free(a, deleted);
    doppel__free(a, labels);
    doppel__free(a, sizes);
    doppel__free(a, keep);
    doppel__free(a, df);
    if (rc < 0) {
        doppel_index_result_free(r);
        return rc;
    }
    if (result)
        *result = r;
    return DOPPEL_OK;
}
