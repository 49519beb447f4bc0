/*
 * columns.c — columnar storage of sketches (columns.h) and the sketching
 * of a batch into it on worker threads.
 *
 * A batch's slots are assigned before any thread starts (document base + i
 * goes to slot base + i), each worker sketches a contiguous range with its
 * own scratch buffers, and the columns' count moves only when every
 * document succeeded: results never depend on the thread count, and a
 * failed batch leaves the columns as they were.
 */
#include "columns.h"
#include "threads.h"

#include <string.h>

void doppel__columns_init(doppel__columns *c, unsigned K)
{
    memset(c, 0, sizeof *c);
    c->K = K;
}

void doppel__columns_free(doppel__columns *c, const doppel_allocator *a)
{
    doppel__free(a, c->values);
    doppel__free(a, c->positions);
    doppel__free(a, c->lede);
    doppel__free(a, c->entities);
    doppel__free(a, c->meta);
    doppel__free(a, c->dates);
    doppel__free(a, c->ids);
    doppel__free(a, c->id_off);
    doppel__free(a, c->id_len);
    doppel__columns_init(c, c->K);
}

int doppel__columns_reserve(doppel__columns *c, size_t extra, size_t max_docs,
                            const doppel_allocator *a, doppel_error *err)
{
    if (extra > max_docs || c->n > max_docs - extra)
        return DOPPEL_NOMEM(err); /* the caller checks its limit first */
    size_t need = c->n + extra;
    if (need <= c->cap)
        return DOPPEL_OK;
    size_t cap = c->cap ? c->cap : 1024;
    while (cap < need)
        cap = cap > max_docs / 2 ? max_docs : cap * 2;
    if (cap > max_docs)
        cap = max_docs;
    size_t K = c->K;
    if (cap > SIZE_MAX / K)
        return DOPPEL_NOMEM(err);
    void *p;
#define GROW(field, elems, type)                                               \
    do {                                                                       \
        p = doppel__realloc_array(a, c->field, (elems), sizeof(type));         \
        if (!p)                                                                \
            return DOPPEL_NOMEM(err);                                          \
        c->field = p;                                                          \
    } while (0)
    GROW(values, cap * K, doppel__mh);
    GROW(positions, cap * K, uint8_t);
    GROW(lede, cap * DOPPEL__LEDE_BINS, doppel__mh);
    GROW(entities, cap * DOPPEL__ENTITY_BINS, doppel__mh);
    GROW(meta, cap, doppel__sketch_meta);
    GROW(dates, cap, int64_t);
    GROW(id_off, cap, uint64_t);
    GROW(id_len, cap, uint32_t);
#undef GROW
    /* Verification and clustering read these at random. */
    doppel__advise_random(c->values, cap * K * sizeof(doppel__mh));
    doppel__advise_random(c->positions, cap * K);
    doppel__advise_random(c->entities,
                          cap * DOPPEL__ENTITY_BINS * sizeof(doppel__mh));
    doppel__advise_random(c->meta, cap * sizeof(doppel__sketch_meta));
    c->cap = cap;
    return DOPPEL_OK;
}

/* Append an id for document `doc`; the arena is rolled back by the caller
 * on failure. */
static int store_id(doppel__columns *c, size_t doc, const char *id,
                    size_t id_len, const doppel_allocator *a,
                    doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(id_len > DOPPEL_MAX_ID_BYTES, err,
                           DOPPEL_ERR_LIMIT,
                           "document %zu: id of %zu bytes is longer than the "
                           "limit of %d bytes",
                           doc, id_len, DOPPEL_MAX_ID_BYTES);
    DOPPEL_RETURN_ERROR_IF(!id && id_len, err, DOPPEL_ERR_PARAM,
                           "document %zu: id must not be NULL", doc);
    if (doppel__grow(a, (void **)&c->ids, &c->ids_cap,
                     c->ids_len + id_len + 1, 1) < 0)
        return DOPPEL_NOMEM(err);
    if (id_len)
        memcpy(c->ids + c->ids_len, id, id_len);
    c->ids[c->ids_len + id_len] = '\0';
    c->id_off[doc] = c->ids_len;
    c->id_len[doc] = (uint32_t)id_len;
    c->ids_len += id_len + 1;
    return DOPPEL_OK;
}

typedef struct {
    doppel__columns *c;
    const doppel_sketcher *sk;
    doppel__scratch *scratch;
    const doppel_doc *docs;
    size_t base;        /* slot of docs[0] */
    int *rc;            /* per worker */
    size_t *fail_at;    /* per worker: index of the failing doc */
    doppel_error *errs; /* per worker */
} batch_ctx;

/* Ranges come to a worker in increasing order (doppel__parallel_dynamic),
 * so its first failure is its smallest failing document; after it the
 * worker only drains its ranges. */
static void sketch_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    batch_ctx *b = vctx;
    if (b->rc[worker] < 0)
        return;
    for (size_t i = lo; i < hi; i++) {
        size_t doc = b->base + i;
        doppel__sketch v = doppel__columns_sketch(b->c, doc);
        int rc = doppel__sketch_into(b->sk, &b->scratch[worker],
                                     b->docs[i].text, b->docs[i].text_len,
                                     &v, &b->errs[worker]);
        if (rc < 0) {
            b->rc[worker] = rc;
            b->fail_at[worker] = i;
            return;
        }
        b->c->dates[doc] = b->docs[i].date;
    }
}

int doppel__columns_add_batch(doppel__columns *c, const doppel_sketcher *sk,
                              doppel__scratch *scratch, unsigned threads,
                              const doppel_doc *docs, size_t n,
                              const doppel_allocator *a, doppel_error *err)
{
    if (n == 0)
        return DOPPEL_OK;
    if (threads < 1)
        threads = 1;
    if (threads > 256)
        threads = 256;
    size_t ids_before = c->ids_len;
    for (size_t i = 0; i < n; i++) {
        int rc = store_id(c, c->n + i, docs[i].id, docs[i].id_len, a, err);
        if (rc < 0) {
            c->ids_len = ids_before;
            return rc;
        }
    }
    int rcs[256] = {0};
    size_t fail_at[256] = {0};
    doppel_error *errs = doppel__calloc_array(a, threads, sizeof *errs);
    if (!errs) {
        c->ids_len = ids_before;
        return DOPPEL_NOMEM(err);
    }
    batch_ctx b = {c, sk, scratch, docs, c->n, rcs, fail_at, errs};
    /* Small batches are not worth a thread each. Documents are handed
     * out a few at a time to whichever thread is free, not split into
     * fixed shares: lengths vary, and a reader thread (and anything else on
     * the machine) slows some signers down. */
    unsigned use = n >= 64 ? threads : 1;
    doppel__parallel_dynamic(use, n, 8, sketch_range, &b);
    int rc = DOPPEL_OK;
    size_t first = SIZE_MAX;
    for (unsigned w = 0; w < use; w++) {
        if (rcs[w] < 0 && fail_at[w] < first) {
            first = fail_at[w];
            rc = rcs[w];
            if (err)
                *err = errs[w];
        }
    }
    doppel__free(a, errs);
    if (rc < 0) {
        c->ids_len = ids_before;
        if (err)
            doppel__error_prefix(err, rc, "document %zu", c->n + first);
        return rc;
    }
    c->n += n;
    return DOPPEL_OK;
}

int doppel__columns_add_signature(doppel__columns *c, const char *id,
                                  size_t id_len, const doppel_signature *sig,
                                  int64_t date, const doppel_allocator *a,
                                  doppel_error *err)
{
    DOPPEL_FORWARD_IF_ERROR(store_id(c, c->n, id, id_len, a, err));
    size_t K = c->K;
    doppel__sketch v = doppel__columns_sketch(c, c->n);
    memcpy(v.values, sig->values, K * sizeof(doppel__mh));
    memcpy(v.positions, sig->positions, K);
    memcpy(v.lede, sig->lede, sizeof sig->lede);
    memcpy(v.entities, sig->entities, sizeof sig->entities);
    *v.meta = sig->meta;
    c->dates[c->n] = date;
    c->n++;
    return DOPPEL_OK;
}
