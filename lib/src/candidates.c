/*
 * candidates.c — verify candidate pairs on worker threads (candidates.h).
 * Each worker takes a contiguous range of the pairs and writes only its
 * own slots of sim[] and dup[]. Most LSH candidates are rejected by the
 * cheap first test of the verdict (doppel__verify_may_match), and only the
 * rest get the full doppel__verify(); the verdicts are the same.
 */
#include "candidates.h"
#include "threads.h"
#include "verify.h"

/* Fewer pairs than this are verified on the caller's thread. */
#define DOPPEL__VERIFY_PARALLEL_MIN 4096

typedef struct {
    const uint64_t *cand;
    doppel__cref_fn get;
    const void *ctx;
    const doppel_params *p;
    float *sim;
    uint8_t *dup;
} verify_ctx;

static void verify_range(void *vctx, unsigned worker, size_t lo, size_t hi)
{
    (void)worker;
    verify_ctx *c = vctx;
    unsigned K = c->p->num_perm;
    for (size_t i = lo; i < hi; i++) {
        uint32_t a = (uint32_t)(c->cand[i] >> 32), b = (uint32_t)c->cand[i];
        doppel__sketch_cref ca = c->get(c->ctx, a), cb = c->get(c->ctx, b);
        double j;
        if (!doppel__verify_may_match(&ca, &cb, K, c->p, &j)) {
            c->sim[i] = (float)j; /* what doppel__verify would say */
            c->dup[i] = 0;
            continue;
        }
        doppel_match m;
        doppel__verify(&ca, &cb, K, c->p, &m);
        c->sim[i] = (float)m.similarity;
        c->dup[i] = (uint8_t)m.duplicate;
    }
}

void doppel__verify_candidates(const uint64_t *cand, size_t n,
                               doppel__cref_fn get, const void *ctx,
                               const doppel_params *p, unsigned threads,
                               float *sim, uint8_t *dup)
{
    verify_ctx vc = {cand, get, ctx, p, sim, dup};
    doppel__parallel_for(n >= DOPPEL__VERIFY_PARALLEL_MIN ? threads : 1, n,
                         verify_range, &vc);
}
