/*
 * params.c — validation of doppel_params and the defaults that depend on
 * other fields (shingle size per kind; LSH bands and rows from the
 * threshold). Every message names the field, its bounds and the value given,
 * so a user can fix a command line without reading the source.
 */
#include "common.h"
#include "params.h"

#include <math.h>
#include <string.h>

static unsigned default_shingle_size(doppel_shingle_kind kind)
{
    switch (kind) {
    case DOPPEL_SHINGLE_WORD: return 5;
    case DOPPEL_SHINGLE_CHAR: return 5;
    case DOPPEL_SHINGLE_SKELETON: return 6;
    }
    return 0;
}

DOPPEL_API int doppel_params_resolve(const doppel_params *in,
                                     doppel_params *out, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!in || !out, err, DOPPEL_ERR_PARAM,
                           "params must not be NULL");
    doppel_params p = *in;
    DOPPEL_RETURN_ERROR_IF(p.version != DOPPEL_PARAMS_VERSION, err,
                           DOPPEL_ERR_PARAM,
                           "params.version must be %d, got %u "
                           "(initialise with DOPPEL_PARAMS_INIT)",
                           DOPPEL_PARAMS_VERSION, p.version);
    DOPPEL_RETURN_ERROR_IF(p.shingle != DOPPEL_SHINGLE_WORD &&
                               p.shingle != DOPPEL_SHINGLE_CHAR &&
                               p.shingle != DOPPEL_SHINGLE_SKELETON,
                           err, DOPPEL_ERR_PARAM,
                           "shingle must be DOPPEL_SHINGLE_WORD (1), "
                           "DOPPEL_SHINGLE_CHAR (2) or "
                           "DOPPEL_SHINGLE_SKELETON (3), got %d",
                           (int)p.shingle);
    if (p.shingle_size == 0)
        p.shingle_size = default_shingle_size(p.shingle);
    DOPPEL_RETURN_ERROR_IF(p.shingle_size > DOPPEL_MAX_SHINGLE_SIZE, err,
                           DOPPEL_ERR_PARAM,
                           "shingle_size must be in [1, %d], got %u",
                           DOPPEL_MAX_SHINGLE_SIZE, p.shingle_size);
    DOPPEL_RETURN_ERROR_IF(p.num_perm < DOPPEL_MIN_PERM ||
                               p.num_perm > DOPPEL_MAX_PERM,
                           err, DOPPEL_ERR_PARAM,
                           "num_perm must be in [%d, %d], got %u",
                           DOPPEL_MIN_PERM, DOPPEL_MAX_PERM, p.num_perm);
    DOPPEL_RETURN_ERROR_IF(p.minhash != DOPPEL_MINHASH_ONE_PERM &&
                               p.minhash != DOPPEL_MINHASH_K_PERM,
                           err, DOPPEL_ERR_PARAM,
                           "minhash must be DOPPEL_MINHASH_ONE_PERM (1) or "
                           "DOPPEL_MINHASH_K_PERM (2), got %d",
                           (int)p.minhash);
    DOPPEL_RETURN_ERROR_IF(!(p.threshold > 0.0 && p.threshold <= 1.0), err,
                           DOPPEL_ERR_PARAM,
                           "threshold must be in (0, 1], got %g", p.threshold);
    DOPPEL_RETURN_ERROR_IF(p.verify != DOPPEL_VERIFY_JACCARD &&
                               p.verify != DOPPEL_VERIFY_ROBUST,
                           err, DOPPEL_ERR_PARAM,
                           "verify must be DOPPEL_VERIFY_JACCARD (1) or "
                           "DOPPEL_VERIFY_ROBUST (2), got %d",
                           (int)p.verify);
    if (p.containment == 0.0)
        p.containment = DOPPEL__DEFAULT_CONTAINMENT;
    DOPPEL_RETURN_ERROR_IF(!(p.containment > 0.0 && p.containment <= 1.0),
                           err, DOPPEL_ERR_PARAM,
                           "containment must be in (0, 1], got %g",
                           p.containment);
    if (p.bands == 0 && p.rows == 0) {
        DOPPEL_FORWARD_IF_ERROR(doppel_lsh_optimal_params(
            p.threshold, p.num_perm, DOPPEL__LSH_FP_WEIGHT,
            DOPPEL__LSH_FN_WEIGHT, &p.bands, &p.rows, err));
    } else {
        DOPPEL_RETURN_ERROR_IF(p.bands == 0 || p.rows == 0, err,
                               DOPPEL_ERR_PARAM,
                               "bands and rows must both be set or both be 0, "
                               "got bands=%u rows=%u",
                               p.bands, p.rows);
        DOPPEL_RETURN_ERROR_IF((uint64_t)p.bands * p.rows > p.num_perm, err,
                               DOPPEL_ERR_PARAM,
                               "bands * rows must be at most num_perm (%u), "
                               "got %u * %u",
                               p.num_perm, p.bands, p.rows);
    }
    *out = p;
    return DOPPEL_OK;
}

int doppel__params_equal(const doppel_params *a, const doppel_params *b)
{
    return a->shingle == b->shingle && a->shingle_size == b->shingle_size &&
           a->num_perm == b->num_perm && a->minhash == b->minhash &&
           a->seed == b->seed;
}

int doppel__params_describe(const doppel_params *p, char *buf, size_t cap)
{
    static const char *const kinds[] = {"?", "word", "char", "skeleton"};
    return snprintf(buf, cap, "%s-%u, num_perm=%u, %s, seed=%llu",
                    kinds[p->shingle <= 3 ? p->shingle : 0],
                    p->shingle_size, p->num_perm,
                    p->minhash == DOPPEL_MINHASH_ONE_PERM ? "one-perm"
                                                          : "k-perm",
                    (unsigned long long)p->seed);
}
