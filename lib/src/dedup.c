/*
 * dedup.c — the batch/stream deduplicator: documents are added (sketched
 * on the fly, on worker threads for batches), then doppel_dedup_finish()
 * runs LSH, verifies candidates against the full signatures, clusters with
 * union-find and picks representatives.
 *
 * Documents are kept in columns (columns.h: one array per sketch part, so
 * that a million documents cost one allocation per column and LSH can scan
 * the values band by band), the storage an index stages its batches in;
 * candidates come from the band families of lsh.h, the ones an index keys
 * its segments by; verification and the corpus table of the boilerplate
 * rule are verify.h's. An index reaches the same verdicts with the same
 * pieces (docs/index.md).
 */
#include "cluster.h"
#include "columns.h"
#include "common.h"
#include "lsh.h"
#include "minhash.h"
#include "params.h"
#include "signature.h"
#include "threads.h"
#include "verify.h"

#include <string.h>


struct doppel_dedup {
    const doppel_allocator *alloc;
    doppel_sketcher *sk;
    doppel_params params; /* resolved */
    unsigned threads;
    size_t max_docs;
    doppel__scratch *scratch; /* one per worker */
    doppel__columns docs;

    doppel_dedup_timings timings;
    uint64_t *stage_ns; /* 3 per worker with opts.stage_timings, else NULL */

    int finished;
    uint32_t *rep;
    uint32_t *csize;
    float *sim;
    doppel_pair *pairs; /* made on the first doppel_dedup_pairs() call */
    uint64_t *pair_ab;  /* verified pairs (a << 32) | b, sorted */
    float *pair_sim;    /* and their similarities */
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
    /* Version 1 ended before max_docs: do not read it there. */
    DOPPEL_RETURN_ERROR_IF(opts->version != 1 &&
                               opts->version != DOPPEL_DEDUP_OPTS_VERSION,
                           err, DOPPEL_ERR_PARAM,
                           "opts.version must be 1 or %d, got %u (initialise "
                           "with DOPPEL_DEDUP_OPTS_INIT)",
                           DOPPEL_DEDUP_OPTS_VERSION, opts->version);
    DOPPEL_RETURN_ERROR_IF(opts->threads > 256, err, DOPPEL_ERR_PARAM,
                           "threads must be in [0, 256], got %u",
                           opts->threads);
    size_t max_docs = opts->version >= 2 ? opts->max_docs : 0;
    if (max_docs == 0)
        max_docs = DOPPEL_DEFAULT_MAX_DOCS;
    DOPPEL_RETURN_ERROR_IF(max_docs > DOPPEL_MAX_DOCS, err, DOPPEL_ERR_PARAM,
                           "max_docs must be in [0, %u], got %zu",
                           DOPPEL_MAX_DOCS, max_docs);
    const doppel_allocator *a = doppel__allocator(opts->allocator);
    doppel_dedup *d = doppel__calloc_array(a, 1, sizeof *d);
    if (!d)
        return DOPPEL_NOMEM(err);
    d->alloc = a;
    d->threads = opts->threads ? opts->threads : 1;
    d->max_docs = max_docs;
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
    if (opts->version >= 2 && opts->stage_timings) {
        d->stage_ns = doppel__calloc_array(a, 3 * (size_t)d->threads,
                                           sizeof *d->stage_ns);
        if (!d->stage_ns) {
            doppel_dedup_free(d);
            return DOPPEL_NOMEM(err);
        }
        for (unsigned t = 0; t < d->threads; t++)
            d->scratch[t].stage_ns = d->stage_ns + 3 * t;
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
    doppel__free(a, d->stage_ns);
    doppel_sketcher_free(d->sk);
    doppel__columns_free(&d->docs, a);
    doppel__free(a, d->rep);
    doppel__free(a, d->csize);
    doppel__free(a, d->sim);
    doppel__free(a, d->pairs);
    doppel__free(a, d->pair_ab);
    doppel__free(a, d->pair_sim);
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

/* Make room for `extra` more documents (all columns). */
static int reserve_docs(doppel_dedup *d, size_t extra, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(extra > d->max_docs - d->docs.n, err,
                           DOPPEL_ERR_LIMIT,
                           "an in-memory dedup holds at most max_docs = %zu "
                           "documents (it has %zu, %zu more were added); for "
                           "larger corpora use an index (doppel index)",
                           d->max_docs, d->docs.n, extra);
    return doppel__columns_reserve(&d->docs, extra, d->max_docs, d->alloc,
                                   err);
}

static doppel__sketch_cref doc_cref(const doppel_dedup *d, size_t doc)
{
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
    uint64_t t0 = doppel__now_ns();
    DOPPEL_FORWARD_IF_ERROR(reserve_docs(d, n, err));
    DOPPEL_FORWARD_IF_ERROR(doppel__columns_add_batch(
        &d->docs, d->sk, d->scratch, d->threads, docs, n, d->alloc, err));
    d->timings.documents += n;
    for (size_t i = 0; i < n; i++)
        d->timings.bytes += docs[i].text_len;
    d->timings.add_ns += doppel__now_ns() - t0;
    return DOPPEL_OK;
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

typedef struct {
    const doppel_dedup *d;
    const doppel__corpus_df *df; /* NULL: no boilerplate rule */
    /* per document: its distinctive bins (doppel__corpus_df_mask, made
     * once by index_range); NULL: read the table per pair */
    doppel__dmask *masks;
    const uint64_t *cand;
    const uint8_t *index; /* per document: doppel__spread_index, or NULL */
    float *sim;     /* per candidate: similarity that decided */
    uint8_t *dup;   /* per candidate: the verdict */
} verify_ctx;

static const uint8_t *index_of(const verify_ctx *c, uint32_t doc)
{
    return c->index ? c->index + (size_t)doc * 2 * c->d->params.num_perm
                    : NULL;
}

/* Candidates come sorted by their first document; the second is anywhere
 * in the columns, a cache miss for each of its parts: ask for them a few
 * candidates ahead. */
#define VERIFY_PREFETCH 8

static void prefetch_doc(const verify_ctx *c, uint32_t doc)
{
#if defined(__GNUC__)
    const doppel_dedup *d = c->d;
    size_t K = d->params.num_perm;
    const char *v = (const char *)(d->docs.values + doc * K);
    for (size_t off = 0; off < K * sizeof(doppel__mh); off += 64)
        __builtin_prefetch(v + off);
    if (c->index) {
        const char *x = (const char *)(c->index + doc * 2 * K);
        for (size_t off = 0; off < 2 * K; off += 64)
            __builtin_prefetch(x + off);
    }
    __builtin_prefetch(d->docs.entities + (size_t)doc * DOPPEL__ENTITY_BINS);
    __builtin_prefetch(d->docs.meta + doc);
    if (c->masks)
        __builtin_prefetch(c->masks + doc);
#else
    (void)c;
    (void)doc;
#endif
}

static void verify_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    verify_ctx *c = vctx;
    unsigned K = c->d->params.num_perm;
    for (size_t i = lo; i < hi; i++) {
        if (i + VERIFY_PREFETCH < hi)
            prefetch_doc(c, (uint32_t)c->cand[i + VERIFY_PREFETCH]);
        uint32_t a = (uint32_t)(c->cand[i] >> 32), b = (uint32_t)c->cand[i];
        doppel__sketch_cref ca = doc_cref(c->d, a), cb = doc_cref(c->d, b);
        doppel_match m;
        /* The masks are ready (index_range): verification only reads
         * them, from any thread. */
        doppel__verify_masked(&ca, &cb, index_of(c, a), index_of(c, b),
                              c->masks ? &c->masks[a] : NULL,
                              c->masks ? &c->masks[b] : NULL, K,
                              &c->d->params, c->df, 1, &m);
        c->sim[i] = (float)m.similarity;
        c->dup[i] = (uint8_t)m.duplicate;
    }
}

/* Each document's bins in order of position, sorted once here rather than
 * for every candidate pair it is in; and which of its bins are
 * distinctive, read off the corpus table once here rather than twice for
 * every candidate pair (2K random reads of 16 MB each time). */
static void index_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    verify_ctx *c = vctx;
    unsigned K = c->d->params.num_perm;
    uint8_t *index = (uint8_t *)(uintptr_t)c->index;
    for (size_t i = lo; i < hi; i++) {
        if (index)
            doppel__spread_index(c->d->docs.positions + i * K, K,
                                 index + 2 * i * K, index + 2 * i * K + K);
        if (c->masks)
            doppel__corpus_df_mask(c->df, c->d->docs.values + i * K, K,
                                   &c->masks[i]);
    }
}

static double rep_similarity(const void *ctx, uint32_t a, uint32_t b)
{
    const doppel_dedup *d = ctx;
    size_t K = d->params.num_perm;
    return doppel__minhash_similarity(d->docs.values + a * K, d->docs.values + b * K,
                                      (unsigned)K);
}

static double rep_lede_similarity(const void *ctx, uint32_t a, uint32_t b)
{
    const doppel_dedup *d = ctx;
    return doppel__minhash_similarity(d->docs.lede + (size_t)a * DOPPEL__LEDE_BINS,
                                      d->docs.lede + (size_t)b * DOPPEL__LEDE_BINS,
                                      DOPPEL__LEDE_BINS);
}

/* Similarity of a member to its representative, as verification would
 * report it (the containment of a contained copy, else the Jaccard). */
static float member_similarity(const verify_ctx *c, uint32_t doc,
                               uint32_t rep)
{
    const doppel_dedup *d = c->d;
    doppel__sketch_cref a = doc_cref(d, doc), b = doc_cref(d, rep);
    doppel_match m;
    doppel__verify_indexed(&a, &b, index_of(c, doc), index_of(c, rep),
                           d->params.num_perm, &d->params, NULL, 1, &m);
    return (float)m.similarity;
}

/* How many documents hold each value in each bin (the boilerplate rule's
 * corpus statistics); NULL table when the rule is off (verify.h).
 * Count bins [lo, hi) of every non-empty document into the table: the
 * columns of different bins are disjoint, so threads split the bins. */
typedef struct {
    const doppel_dedup *d;
    uint16_t *t;
} df_ctx;

static void df_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const df_ctx *c = vctx;
    const doppel_dedup *d = c->d;
    size_t K = d->params.num_perm;
    for (size_t i = 0; i < d->docs.n; i++) {
        if (d->docs.meta[i].flags & DOPPEL__SIG_EMPTY)
            continue;
        const doppel__mh *v = d->docs.values + i * K;
        for (size_t k = lo; k < hi; k++) {
            uint16_t *cnt = &c->t[k * 65536u + v[k]];
            if (*cnt != UINT16_MAX)
                (*cnt)++;
        }
    }
}

static int build_df(const doppel_dedup *d, doppel__corpus_df *df,
                    uint16_t **table)
{
    unsigned K = d->params.num_perm;
    *table = NULL;
    df->df = NULL;
    if (!doppel__corpus_df_wanted(&d->params))
        return DOPPEL_OK;
    uint16_t *t = doppel__calloc_array(d->alloc, (size_t)K * 65536u,
                                       sizeof *t);
    if (!t)
        return DOPPEL_ERR_NOMEM;
    uint64_t nonempty = 0;
    for (size_t i = 0; i < d->docs.n; i++)
        nonempty += !(d->docs.meta[i].flags & DOPPEL__SIG_EMPTY);
    df_ctx c = {d, t};
    doppel__parallel_for(d->docs.n >= 4096 ? d->threads : 1, K, df_range, &c);
    df->df = t;
    df->common = doppel__corpus_df_threshold(nonempty);
    *table = t;
    return DOPPEL_OK;
}

/* The similarity of every member to its representative. */
static void member_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const verify_ctx *c = vctx;
    doppel_dedup *d = (doppel_dedup *)(uintptr_t)c->d;
    for (size_t i = lo; i < hi; i++) {
        uint32_t r = d->rep[i];
        d->sim[i] = r == i ? 1.0f : member_similarity(c, (uint32_t)i, r);
    }
}

DOPPEL_API int doppel_dedup_finish(doppel_dedup *d, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d, err, DOPPEL_ERR_PARAM,
                           "dedup must not be NULL");
    DOPPEL_RETURN_ERROR_IF(d->finished, err, DOPPEL_ERR_STATE,
                           "doppel_dedup_finish() was already called");
    const doppel_allocator *a = d->alloc;
    size_t n = d->docs.n, K = d->params.num_perm;
    doppel__pairvec cand = {0};
    uint64_t hot = 0;
    float *sim = NULL, *rarity = NULL;
    uint8_t *dup = NULL, *skip = NULL, *order = NULL;
    uint16_t *df_table = NULL;
    doppel__dmask *masks = NULL;
    doppel__uf uf = {0};
    uint64_t t_lsh = doppel__now_ns();
    skip = doppel__malloc_array(a, n ? n : 1, 1);
    if (!skip)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        skip[i] = (uint8_t)(d->docs.meta[i].flags & DOPPEL__SIG_EMPTY);
    unsigned lsh_threads = n >= 4096 ? d->threads : 1;
    doppel__band_family fam[2];
    unsigned nfam = doppel__lsh_families(&d->params, fam);
    for (unsigned f = 0; f < nfam; f++)
        if (doppel__lsh_candidates_mt(fam[f].lede ? d->docs.lede
                                                  : d->docs.values,
                                      fam[f].stride, skip, DOPPEL__SIG_EMPTY,
                                      n, fam[f].bands, fam[f].rows,
                                      fam[f].seed, &cand, &hot, lsh_threads,
                                      a) < 0)
            goto nomem;
    if (doppel__pairs_unique(&cand, a) < 0)
        goto nomem;
    uint64_t t_verify = doppel__now_ns();
    sim = doppel__malloc_array(a, cand.n ? cand.n : 1, sizeof(float));
    dup = doppel__malloc_array(a, cand.n ? cand.n : 1, 1);
    if (!sim || !dup)
        goto nomem;
    doppel__corpus_df df = {NULL, 0, NULL};
    if (build_df(d, &df, &df_table) < 0)
        goto nomem;
    if (K <= 256 && n) { /* else verification sorts bins per pair */
        order = doppel__malloc_array(a, n, 2 * K);
        if (!order)
            goto nomem;
        doppel__advise_random(order, n * 2 * K);
        if (df.df) {
            masks = doppel__malloc_array(a, n, sizeof *masks);
            if (!masks)
                goto nomem;
            doppel__advise_random(masks, n * sizeof *masks);
        }
    }
    verify_ctx vc = {d, df.df ? &df : NULL, masks, cand.v, order, sim, dup};
    if (order)
        doppel__parallel_for(n >= 4096 ? d->threads : 1, n, index_range,
                             &vc);
    doppel__parallel_for(cand.n >= 4096 ? d->threads : 1, cand.n,
                         verify_range, &vc);
    uint64_t t_cluster = doppel__now_ns();
    if (doppel__uf_init(&uf, n, a) < 0)
        goto nomem;
    /* The verified pairs, kept compact in the candidates' own arrays (a
     * doppel_pair array is made only if someone asks for the pairs). */
    size_t w = 0;
    for (size_t i = 0; i < cand.n; i++) {
        if (!dup[i])
            continue;
        uint32_t x = (uint32_t)(cand.v[i] >> 32), y = (uint32_t)cand.v[i];
        cand.v[w] = cand.v[i];
        sim[w] = sim[i];
        w++;
        doppel__uf_union(&uf, x, y);
    }
    size_t ncand = cand.n;
    d->npairs = w;
    d->pair_ab = doppel__realloc_array(a, cand.v, w ? w : 1, sizeof(uint64_t));
    d->pair_sim = doppel__realloc_array(a, sim, w ? w : 1, sizeof(float));
    if (!d->pair_ab || !d->pair_sim) { /* a shrink cannot really fail */
        d->pair_ab = d->pair_ab ? d->pair_ab : cand.v;
        d->pair_sim = d->pair_sim ? d->pair_sim : sim;
    }
    cand.v = NULL;
    cand.n = cand.cap = 0;
    sim = NULL;
    doppel__free(a, dup);
    dup = NULL;
    d->rep = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    d->csize = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    d->sim = doppel__malloc_array(a, n ? n : 1, sizeof(float));
    rarity = doppel__malloc_array(a, n ? n : 1, sizeof(float));
    if (!d->rep || !d->csize || !d->sim || !rarity)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        rarity[i] = d->docs.meta[i].rarity;
    if (doppel__cluster_representatives(&uf, d->docs.dates, rarity, rep_similarity,
                                        rep_lede_similarity, d, d->rep,
                                        d->csize, a) < 0)
        goto nomem;

    doppel__parallel_for(n >= 4096 ? d->threads : 1, n, member_range, &vc);
    memset(&d->stats, 0, sizeof d->stats);
    d->stats.documents = n;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = d->rep[i];
        d->stats.empty_documents += d->docs.meta[i].flags & DOPPEL__SIG_EMPTY;
        if (r == i)
            d->stats.clusters++;
        else
            d->stats.duplicates++;
        if (d->csize[i] > d->stats.largest_cluster)
            d->stats.largest_cluster = d->csize[i];
    }
    d->stats.candidate_pairs = ncand;
    d->stats.verified_pairs = w;
    uint64_t t_end = doppel__now_ns();
    d->timings.lsh_ns += t_verify - t_lsh;
    d->timings.verify_ns += t_cluster - t_verify;
    d->timings.cluster_ns += t_end - t_cluster;
    doppel__uf_free(&uf, a);
    doppel__free(a, sim);
    doppel__free(a, dup);
    doppel__free(a, skip);
    doppel__free(a, rarity);
    doppel__free(a, df_table);
    doppel__free(a, masks);
    doppel__free(a, order);
    doppel__pairvec_free(&cand, a);
    d->finished = 1;
    return DOPPEL_OK;

nomem:
    doppel__uf_free(&uf, a);
    doppel__free(a, sim);
    doppel__free(a, dup);
    doppel__free(a, skip);
    doppel__free(a, rarity);
    doppel__free(a, df_table);
    doppel__free(a, masks);
    doppel__free(a, order);
    doppel__pairvec_free(&cand, a);
    doppel__free(a, d->pair_ab);
    doppel__free(a, d->pair_sim);
    d->pair_ab = NULL;
    d->pair_sim = NULL;
    d->npairs = 0;
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
                           "no document %zu (there are %zu)", doc, d->docs.n);
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
    if (!d->pairs) {
        /* Made on first use: a dedup whose caller never reads the pairs
         * (the CLI's default output) keeps them in 12 bytes instead of 24.
         * doppel_dedup is used by one thread at a time, so this caching
         * behind a const pointer is safe. */
        doppel_dedup *m = (doppel_dedup *)(uintptr_t)d;
        m->pairs = doppel__malloc_array(d->alloc, d->npairs ? d->npairs : 1,
                                        sizeof(doppel_pair));
        if (!m->pairs)
            return DOPPEL_NOMEM(err);
        for (size_t i = 0; i < d->npairs; i++) {
            m->pairs[i].a = (size_t)(d->pair_ab[i] >> 32);
            m->pairs[i].b = (size_t)(uint32_t)d->pair_ab[i];
            m->pairs[i].similarity = d->pair_sim[i];
        }
    }
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

DOPPEL_API int doppel_dedup_timings_get(const doppel_dedup *d,
                                        doppel_dedup_timings *out,
                                        doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!d || !out, err, DOPPEL_ERR_PARAM,
                           "arguments must not be NULL");
    *out = d->timings;
    if (d->stage_ns)
        for (unsigned t = 0; t < d->threads; t++) {
            out->tokenize_ns += d->stage_ns[3 * t];
            out->shingle_ns += d->stage_ns[3 * t + 1];
            out->minhash_ns += d->stage_ns[3 * t + 2];
        }
    return DOPPEL_OK;
}
