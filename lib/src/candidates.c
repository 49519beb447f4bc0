/*
 * candidates.c — verify an index commit's candidate pairs on worker
 * threads (candidates.h). Each worker takes a contiguous range of the
 * pairs and writes only its own slots of sim[] and dup[].
 *
 * The verifier is dedup's fast one: each document's bins sorted by
 * position (its spread index) once, not once per pair. A batch's documents
 * get theirs before the pairs are verified; an archived document's is made
 * when a worker meets the first of its pairs -- pairs are sorted by their
 * first document, which is the archived one when there is one -- and kept
 * for the rest of its run.
 */
#include "candidates.h"
#include "threads.h"

/* Fewer pairs (documents) than this are done on the caller's thread. */
#define DOPPEL__VERIFY_PARALLEL_MIN 4096

typedef struct verify_ctx {
    const uint64_t *cand;
    doppel__cref_fn get;
    const void *ctx;
    uint32_t first_indexed;
    const uint8_t *index;
    const doppel_params *p;
    const doppel__corpus_df *df;
    doppel__dmask *masks;
    float *sim;
    uint8_t *dup;
} verify_ctx;

/* Pairs ahead whose first document's sketch is prefetched. */
#define PREFETCH_AHEAD 8

static void prefetch_bytes(const void *p, size_t n)
{
#if defined(__GNUC__)
    const char *c = p;
    for (size_t o = 0; o < n; o += 64)
        __builtin_prefetch(c + o);
    __builtin_prefetch(c + n - 1);
#else
    (void)p;
    (void)n;
#endif
}

static void verify_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const verify_ctx *c = vctx;
    unsigned K = c->p->num_perm;
    int indexed = K <= 256 && c->index;
    uint8_t own[2 * 256]; /* the spread index of the current archived doc */
    uint32_t own_doc = UINT32_MAX;
    doppel__dmask own_mask = {0, {0, 0, 0, 0}};
    int masked = indexed && c->df && c->masks;
    for (size_t i = lo; i < hi; i++) {
        uint32_t a = (uint32_t)(c->cand[i] >> 32), b = (uint32_t)c->cand[i];
        /* The archive's sketches are scattered over mapped segments: ask
         * for a later pair's first document now, so that its lines are
         * on their way by the time that pair is verified. */
        if (i + PREFETCH_AHEAD < hi) {
            uint32_t f = (uint32_t)(c->cand[i + PREFETCH_AHEAD] >> 32);
            if (f < c->first_indexed && f != (uint32_t)(c->cand[i + PREFETCH_AHEAD - 1] >> 32)) {
                doppel__sketch_cref pf = c->get(c->ctx, f);
                prefetch_bytes(pf.values, K * sizeof *pf.values);
                prefetch_bytes(pf.positions, K);
                prefetch_bytes(pf.meta, sizeof *pf.meta);
            }
        }
        doppel__sketch_cref ca = c->get(c->ctx, a), cb = c->get(c->ctx, b);
        const uint8_t *xa = NULL, *xb = NULL;
        if (indexed) {
            if (a >= c->first_indexed) {
                xa = c->index + (size_t)(a - c->first_indexed) * 2 * K;
            } else {
                if (a != own_doc) {
                    doppel__spread_index(ca.positions, K, own, own + K);
                    own_doc = a;
                    own_mask.ready = 0;
                }
                xa = own;
            }
            xb = b >= c->first_indexed
                     ? c->index + (size_t)(b - c->first_indexed) * 2 * K
                     : NULL; /* cannot happen: b is the later document */
        }
        doppel_match m;
        doppel__dmask *ma = NULL, *mb = NULL;
        if (masked && xa && xb) {
            ma = a >= c->first_indexed ? &c->masks[a - c->first_indexed]
                                       : &own_mask;
            mb = &c->masks[b - c->first_indexed];
        }
        doppel__verify_masked(&ca, &cb, xa, xb, ma, mb, K, c->p, c->df, 1,
                              &m);
        c->sim[i] = (float)m.similarity;
        c->dup[i] = (uint8_t)m.duplicate;
    }
}

void doppel__verify_candidates(const uint64_t *cand, size_t n,
                               doppel__cref_fn get, const void *ctx,
                               uint32_t first_indexed, const uint8_t *index,
                               const doppel_params *p,
                               const doppel__corpus_df *df,
                               doppel__dmask *masks, unsigned threads,
                               float *sim, uint8_t *dup)
{
    verify_ctx vc = {cand, get, ctx,   first_indexed, index,
                     p,    df,  masks, sim,           dup};
    doppel__parallel_for(n >= DOPPEL__VERIFY_PARALLEL_MIN ? threads : 1, n,
                         verify_range, &vc);
}

typedef struct index_ctx {
    doppel__cref_fn get;
    const void *ctx;
    unsigned K;
    uint8_t *index;
} index_ctx;

static void index_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const index_ctx *c = vctx;
    for (size_t i = lo; i < hi; i++) {
        doppel__sketch_cref s = c->get(c->ctx, (uint32_t)i);
        uint8_t *x = c->index + i * 2 * c->K;
        doppel__spread_index(s.positions, c->K, x, x + c->K);
    }
}

void doppel__spread_indexes(doppel__cref_fn get, const void *ctx, size_t n,
                            unsigned K, unsigned threads, uint8_t *index)
{
    index_ctx ic = {get, ctx, K, index};
    doppel__parallel_for(n >= DOPPEL__VERIFY_PARALLEL_MIN ? threads : 1, n,
                         index_range, &ic);
}

typedef struct mask_ctx {
    doppel__cref_fn get;
    const void *ctx;
    unsigned K;
    const doppel__corpus_df *df;
    doppel__dmask *masks;
} mask_ctx;

static void mask_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const mask_ctx *c = vctx;
    for (size_t i = lo; i < hi; i++) {
        doppel__sketch_cref s = c->get(c->ctx, (uint32_t)i);
        doppel__corpus_df_mask(c->df, s.values, c->K, &c->masks[i]);
    }
}

void doppel__df_masks(doppel__cref_fn get, const void *ctx, size_t n,
                      unsigned K, const doppel__corpus_df *df,
                      unsigned threads, doppel__dmask *masks)
{
    mask_ctx mc = {get, ctx, K, df, masks};
    doppel__parallel_for(n >= DOPPEL__VERIFY_PARALLEL_MIN ? threads : 1, n,
                         mask_range, &mc);
}
