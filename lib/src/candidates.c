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
    float *sim;
    uint8_t *dup;
} verify_ctx;

static void verify_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    const verify_ctx *c = vctx;
    unsigned K = c->p->num_perm;
    int indexed = K <= 256 && c->index;
    uint8_t own[2 * 256]; /* the spread index of the current archived doc */
    uint32_t own_doc = UINT32_MAX;
    for (size_t i = lo; i < hi; i++) {
        uint32_t a = (uint32_t)(c->cand[i] >> 32), b = (uint32_t)c->cand[i];
        doppel__sketch_cref ca = c->get(c->ctx, a), cb = c->get(c->ctx, b);
        const uint8_t *xa = NULL, *xb = NULL;
        if (indexed) {
            if (a >= c->first_indexed) {
                xa = c->index + (size_t)(a - c->first_indexed) * 2 * K;
            } else {
                if (a != own_doc) {
                    doppel__spread_index(ca.positions, K, own, own + K);
                    own_doc = a;
                }
                xa = own;
            }
            xb = b >= c->first_indexed
                     ? c->index + (size_t)(b - c->first_indexed) * 2 * K
                     : NULL; /* cannot happen: b is the later document */
        }
        doppel_match m;
        doppel__verify_indexed(&ca, &cb, xa, xb, K, c->p, c->df, 1, &m);
        c->sim[i] = (float)m.similarity;
        c->dup[i] = (uint8_t)m.duplicate;
    }
}

void doppel__verify_candidates(const uint64_t *cand, size_t n,
                               doppel__cref_fn get, const void *ctx,
                               uint32_t first_indexed, const uint8_t *index,
                               const doppel_params *p,
                               const doppel__corpus_df *df, unsigned threads,
                               float *sim, uint8_t *dup)
{
    verify_ctx vc = {cand, get,  ctx, first_indexed, index,
                     p,    df,   sim, dup};
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
