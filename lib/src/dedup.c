/*
 * dedup.c — the batch/stream deduplicator: documents are added (sketched
 * on the fly, on worker threads for batches), then doppel_dedup_finish()
 * runs LSH, verifies candidates against the full signatures, clusters with
 * union-find and picks representatives.
 *
 * Documents are kept in columns (columns.h); candidates come from the band
 * families of lsh.h and are verified by candidates.c, the same pieces an
 * index uses, so that both reach the same verdicts.
 */
#include "candidates.h"
#include "cluster.h"
#include "columns.h"
#include "common.h"
#include "lsh.h"
#include "minhash.h"
#include "params.h"
#include "signature.h"
#include "verify.h"

#include <string.h>

#define DOPPEL__MAX_DOCS ((size_t)UINT32_MAX - 1)

struct doppel_dedup {
    const doppel_allocator *alloc;
    doppel_sketcher *sk;
    doppel_params params; /* resolved */
    unsigned threads;
    doppel__scratch *scratch; /* one per worker */
    doppel__columns docs;

    int finished;
    uint32_t *rep;
    uint32_t *csize;
    float *sim;
    doppel_pair *pairs;
    size_t npairs;
    doppel_dedup_stats stats;
};

DOPPEL_API int doppel_dedup_create(doppel_dedup **out,
                                   const doppel_dedup_opts *opts,
                                   doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!out || !opts, err, DOPPEL_ERR_PARAM,
                           "out and opts must not be NULL");
    *out = NULL;
    DOPPEL_RETURN_ERROR_IF(opts->version != DOPPEL_DEDUP_OPTS_VERSION, err,
                           DOPPEL_ERR_PARAM,
                           "opts.version must be %d, got %u (initialise with "
                           "DOPPEL_DEDUP_OPTS_INIT)",
                           DOPPEL_DEDUP_OPTS_VERSION, opts->version);
    DOPPEL_RETURN_ERROR_IF(opts->threads > 256, err, DOPPEL_ERR_PARAM,
                           "threads must be in [0, 256], got %u",
                           opts->threads);
    const doppel_allocator *a = doppel__allocator(opts->allocator);
    doppel_dedup *d = doppel__calloc_array(a, 1, sizeof *d);
    if (!d)
        return DOPPEL_NOMEM(err);
    d->alloc = a;
    d->threads = opts->threads ? opts->threads : 1;
    int rc = doppel_sketcher_create(&d->sk, &opts->params, a, err);
    if (rc < 0) {
        doppel__free(a, d);
        return rc;
    }
    d->params = *doppel_sketcher_params(d->sk);
    doppel__columns_init(&d->docs, d->params.num_perm);
    d->scratch = doppel__calloc_array(a, d->threads, sizeof *d->scratch);
    if (!d->scratch) {
        doppel_dedup_free(d);
        return DOPPEL_NOMEM(err);
    }
    *out = d;
    return DOPPEL_OK;
}

DOPPEL_API void doppel_dedup_free(doppel_dedup *d)
{
    if (!d)
        return;
    const doppel_allocator *a = d->alloc;
    if (d->scratch)
        for (unsigned t = 0; t < d->threads; t++)
            doppel__scratch_free(&d->scratch[t], a);
    doppel__free(a, d->scratch);
    doppel_sketcher_free(d->sk);
    doppel__columns_free(&d->docs, a);
    doppel__free(a, d->rep);
    doppel__free(a, d->csize);
    doppel__free(a, d->sim);
    doppel__free(a, d->pairs);
    doppel__free(a, d);
}

DOPPEL_API const doppel_sketcher *doppel_dedup_sketcher(const doppel_dedup *d)
{
    return d ? d->sk : NULL;
}

DOPPEL_API size_t doppel_dedup_count(const doppel_dedup *d)
{
    return d ? d->docs.n : 0;
}

static int reserve_docs(doppel_dedup *d, size_t extra, doppel_error *err)
{
    return doppel__columns_reserve(&d->docs, extra, DOPPEL__MAX_DOCS,
                                   "one in-memory dedup; use an index for "
                                   "larger corpora",
                                   d->alloc, err);
}

static doppel__sketch_cref doc_cref(const void *ctx, uint32_t doc)
{
    const doppel_dedup *d = ctx;
    return doppel__columns_cref(&d->docs, doc);
}

DOPPEL_API int doppel_dedup_add_batch(doppel_dedup *d, const doppel_doc *docs,
                                      size_t n, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || (!docs && n), err, DOPPEL_ERR_PARAM,
                           "dedup and docs must not be NULL");
    DOPPEL_RETURN_ERROR_IF(d->finished, err, DOPPEL_ERR_STATE,
                           "documents cannot be added after "
                           "doppel_dedup_finish()");
    if (n == 0)
        return DOPPEL_OK;
    DOPPEL_FORWARD_IF_ERROR(reserve_docs(d, n, err));
    return doppel__columns_add_batch(&d->docs, d->sk, d->scratch, d->threads,
                                     docs, n, d->alloc, err);
}

DOPPEL_API int doppel_dedup_add(doppel_dedup *d, const doppel_doc *doc,
                                doppel_error *err)
{
    return doppel_dedup_add_batch(d, doc, 1, err);
}

DOPPEL_API int doppel_dedup_add_signature(doppel_dedup *d, const char *id,
                                          size_t id_len,
                                          const doppel_signature *sig,
                                          int64_t date, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || !sig, err, DOPPEL_ERR_PARAM,
                           "dedup and signature must not be NULL");
    DOPPEL_RETURN_ERROR_IF(d->finished, err, DOPPEL_ERR_STATE,
                           "documents cannot be added after "
                           "doppel_dedup_finish()");
    if (sig->fingerprint != doppel__sketcher_fingerprint(d->sk))
        return doppel__error(err, DOPPEL_ERR_MISMATCH,
                             "signature was made with other parameters than "
                             "this dedup's");
    DOPPEL_FORWARD_IF_ERROR(reserve_docs(d, 1, err));
    return doppel__columns_add_signature(&d->docs, id, id_len, sig, date,
                                         d->alloc, err);
}

static double rep_similarity(const void *ctx, uint32_t a, uint32_t b)
{
    const doppel_dedup *d = ctx;
    size_t K = d->params.num_perm;
    return doppel__minhash_similarity(d->docs.values + a * K,
                                      d->docs.values + b * K, (unsigned)K);
}

/* Similarity of a member to its representative, as verification would
 * report it (the containment of a contained copy, else the Jaccard). */
static float member_similarity(const doppel_dedup *d, uint32_t doc,
                               uint32_t rep)
{
    doppel__sketch_cref a = doc_cref(d, doc), b = doc_cref(d, rep);
    doppel_match m;
    doppel__verify(&a, &b, d->params.num_perm, &d->params, &m);
    return (float)m.similarity;
}

DOPPEL_API int doppel_dedup_finish(doppel_dedup *d, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d, err, DOPPEL_ERR_PARAM,
                           "dedup must not be NULL");
    DOPPEL_RETURN_ERROR_IF(d->finished, err, DOPPEL_ERR_STATE,
                           "doppel_dedup_finish() was already called");
    const doppel_allocator *a = d->alloc;
    const doppel__columns *c = &d->docs;
    size_t n = c->n;
    doppel__pairvec cand = {0};
    uint64_t hot = 0;
    float *sim = NULL, *rarity = NULL;
    uint8_t *dup = NULL, *skip = NULL;
    doppel__uf uf = {0};
    skip = doppel__malloc_array(a, n ? n : 1, 1);
    if (!skip)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        skip[i] = (uint8_t)(c->meta[i].flags & DOPPEL__SIG_EMPTY);
    doppel__band_family fam[2];
    unsigned nfam = doppel__lsh_families(&d->params, fam);
    for (unsigned f = 0; f < nfam; f++)
        if (doppel__lsh_candidates(fam[f].lede ? c->lede : c->values,
                                   fam[f].stride, skip, DOPPEL__SIG_EMPTY, n,
                                   fam[f].bands, fam[f].rows, fam[f].seed,
                                   &cand, &hot, a) < 0)
            goto nomem;
    if (doppel__pairs_unique(&cand, a) < 0)
        goto nomem;
    sim = doppel__malloc_array(a, cand.n ? cand.n : 1, sizeof(float));
    dup = doppel__malloc_array(a, cand.n ? cand.n : 1, 1);
    if (!sim || !dup)
        goto nomem;
    doppel__verify_candidates(cand.v, cand.n, doc_cref, d, &d->params,
                              d->threads, sim, dup);
    size_t nver = 0;
    for (size_t i = 0; i < cand.n; i++)
        nver += dup[i];
    d->pairs = doppel__malloc_array(a, nver ? nver : 1, sizeof(doppel_pair));
    if (!d->pairs || doppel__uf_init(&uf, n, a) < 0)
        goto nomem;
    size_t w = 0;
    for (size_t i = 0; i < cand.n; i++) {
        if (!dup[i])
            continue;
        uint32_t x = (uint32_t)(cand.v[i] >> 32), y = (uint32_t)cand.v[i];
        d->pairs[w].a = x;
        d->pairs[w].b = y;
        d->pairs[w].similarity = sim[i];
        w++;
        doppel__uf_union(&uf, x, y);
    }
    d->npairs = w;
    d->rep = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    d->csize = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    d->sim = doppel__malloc_array(a, n ? n : 1, sizeof(float));
    rarity = doppel__malloc_array(a, n ? n : 1, sizeof(float));
    if (!d->rep || !d->csize || !d->sim || !rarity)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        rarity[i] = c->meta[i].rarity;
    if (doppel__cluster_representatives(&uf, c->dates, rarity, rep_similarity,
                                        d, d->rep, d->csize, a) < 0)
        goto nomem;

    memset(&d->stats, 0, sizeof d->stats);
    d->stats.documents = n;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = d->rep[i];
        d->sim[i] = r == i ? 1.0f : member_similarity(d, (uint32_t)i, r);
        d->stats.empty_documents += c->meta[i].flags & DOPPEL__SIG_EMPTY;
        if (r == i)
            d->stats.clusters++;
        else
            d->stats.duplicates++;
        if (d->csize[i] > d->stats.largest_cluster)
            d->stats.largest_cluster = d->csize[i];
    }
    d->stats.candidate_pairs = cand.n;
    d->stats.verified_pairs = w;
    doppel__uf_free(&uf, a);
    doppel__free(a, sim);
    doppel__free(a, dup);
    doppel__free(a, skip);
    doppel__free(a, rarity);
    doppel__pairvec_free(&cand, a);
    d->finished = 1;
    return DOPPEL_OK;

nomem:
    doppel__uf_free(&uf, a);
    doppel__free(a, sim);
    doppel__free(a, dup);
    doppel__free(a, skip);
    doppel__free(a, rarity);
    doppel__pairvec_free(&cand, a);
    doppel__free(a, d->pairs);
    doppel__free(a, d->rep);
    doppel__free(a, d->csize);
    doppel__free(a, d->sim);
    d->pairs = NULL;
    d->rep = d->csize = NULL;
    d->sim = NULL;
    return DOPPEL_NOMEM(err);
}

DOPPEL_API int doppel_dedup_member(const doppel_dedup *d, size_t doc,
                                   doppel_member *out, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || !out, err, DOPPEL_ERR_PARAM,
                           "dedup and out must not be NULL");
    DOPPEL_RETURN_ERROR_IF(!d->finished, err, DOPPEL_ERR_STATE,
                           "call doppel_dedup_finish() first");
    DOPPEL_RETURN_ERROR_IF(doc >= d->docs.n, err, DOPPEL_ERR_NOTFOUND,
                           "no document %zu (there are %zu)", doc,
                           d->docs.n);
    out->id = doppel__columns_id(&d->docs, doc, &out->id_len);
    out->representative = d->rep[doc];
    out->similarity = d->sim[doc];
    out->cluster_size = d->csize[doc];
    return DOPPEL_OK;
}

DOPPEL_API int doppel_dedup_pairs(const doppel_dedup *d,
                                  const doppel_pair **pairs, size_t *n,
                                  doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || !pairs || !n, err, DOPPEL_ERR_PARAM,
                           "arguments must not be NULL");
    DOPPEL_RETURN_ERROR_IF(!d->finished, err, DOPPEL_ERR_STATE,
                           "call doppel_dedup_finish() first");
    *pairs = d->pairs;
    *n = d->npairs;
    return DOPPEL_OK;
}

DOPPEL_API int doppel_dedup_stats_get(const doppel_dedup *d,
                                      doppel_dedup_stats *out,
                                      doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || !out, err, DOPPEL_ERR_PARAM,
                           "arguments must not be NULL");
    DOPPEL_RETURN_ERROR_IF(!d->finished, err, DOPPEL_ERR_STATE,
                           "call doppel_dedup_finish() first");
    *out = d->stats;
    return DOPPEL_OK;
}
