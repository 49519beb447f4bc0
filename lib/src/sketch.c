/*
 * sketch.c — the sketcher: glue from text to signature values.
 *
 *   bytes -> doppel__tokenize (tokenize.c) -> XXH3 per word (hash.c)
 *         -> shingles (shingle.c) -> MinHash (minhash.c)
 *
 * A sketcher is immutable after creation (resolved parameters and, for the
 * K-permutation baseline, its hash coefficients), so any number of threads
 * may sketch with it at once, each with its own scratch buffers.
 */
#include "common.h"
#include "hash.h"
#include "minhash.h"
#include "params.h"
#include "shingle.h"
#include "signature.h"

#include <string.h>

struct doppel_sketcher {
    const doppel_allocator *alloc;
    doppel_params params;
    uint64_t fingerprint;
    uint64_t word_seed;    /* seed of per-word XXH3 */
    uint64_t shingle_seed; /* seed of shingle combination / char n-grams */
    uint64_t oph_seed;     /* seed of the densification probes */
    uint64_t *kperm_a;     /* K-permutation coefficients (or NULL) */
    uint64_t *kperm_b;
};

DOPPEL_API int doppel_sketcher_create(doppel_sketcher **out,
                                      const doppel_params *params,
                                      const doppel_allocator *alloc,
                                      doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!out, err, DOPPEL_ERR_PARAM, "out must not be NULL");
    *out = NULL;
    doppel_params p;
    DOPPEL_FORWARD_IF_ERROR(doppel_params_resolve(params, &p, err));
    alloc = doppel__allocator(alloc);
    doppel_sketcher *sk = doppel__calloc_array(alloc, 1, sizeof *sk);
    if (!sk)
        return DOPPEL_NOMEM(err);
    sk->alloc = alloc;
    sk->params = p;
    sk->fingerprint = doppel__params_fingerprint(&p);
    uint64_t st = p.seed;
    sk->word_seed = doppel__splitmix64(&st);
    sk->shingle_seed = doppel__splitmix64(&st);
    sk->oph_seed = doppel__splitmix64(&st);
    if (p.minhash == DOPPEL_MINHASH_K_PERM) {
        sk->kperm_a = doppel__malloc_array(alloc, p.num_perm, sizeof(uint64_t));
        sk->kperm_b = doppel__malloc_array(alloc, p.num_perm, sizeof(uint64_t));
        if (!sk->kperm_a || !sk->kperm_b) {
            doppel_sketcher_free(sk);
            return DOPPEL_NOMEM(err);
        }
        for (unsigned k = 0; k < p.num_perm; k++) {
            sk->kperm_a[k] = doppel__splitmix64(&st) | 1u;
            sk->kperm_b[k] = doppel__splitmix64(&st);
        }
    }
    *out = sk;
    return DOPPEL_OK;
}

DOPPEL_API void doppel_sketcher_free(doppel_sketcher *sk)
{
    if (!sk)
        return;
    doppel__free(sk->alloc, sk->kperm_a);
    doppel__free(sk->alloc, sk->kperm_b);
    doppel__free(sk->alloc, sk);
}

DOPPEL_API const doppel_params *doppel_sketcher_params(
    const doppel_sketcher *sk)
{
    return sk ? &sk->params : NULL;
}

void doppel__scratch_free(doppel__scratch *s, const doppel_allocator *a)
{
    doppel__tokens_free(&s->tokens, a);
    doppel__free(a, s->word_hash);
    doppel__free(a, s->shingles);
    memset(s, 0, sizeof *s);
}

static uint32_t sat32(size_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int doppel__sketch_into(const doppel_sketcher *sk, doppel__scratch *sc,
                        const char *text, size_t len, doppel__sketch_out *out,
                        doppel_error *err)
{
    const doppel_allocator *a = sk->alloc;
    const doppel_params *p = &sk->params;
    DOPPEL_RETURN_ERROR_IF(!text && len, err, DOPPEL_ERR_PARAM,
                           "text must not be NULL");
    int rc = doppel__tokenize(text, len, &sc->tokens, a);
    if (rc == DOPPEL_ERR_LIMIT)
        return doppel__error(err, rc, "document of %zu bytes exceeds the "
                                      "limit of %zu bytes",
                             len, (size_t)DOPPEL__MAX_TEXT_BYTES);
    if (rc < 0)
        return DOPPEL_NOMEM(err);
    const doppel__tokens *t = &sc->tokens;

    size_t nsh;
    if (p->shingle == DOPPEL_SHINGLE_WORD) {
        if (doppel__grow(a, (void **)&sc->word_hash, &sc->word_hash_cap,
                         t->n + 1, sizeof(uint64_t)) < 0 ||
            doppel__grow(a, (void **)&sc->shingles, &sc->shingles_cap,
                         t->n + 1, sizeof(uint64_t)) < 0)
            return DOPPEL_NOMEM(err);
        doppel__hash_spans(t->text, t->start, t->len, t->n, sk->word_seed,
                           sc->word_hash);
        nsh = doppel__shingle_words(sc->word_hash, t->n, p->shingle_size,
                                    sk->shingle_seed, sc->shingles);
    } else {
        if (doppel__grow(a, (void **)&sc->shingles, &sc->shingles_cap,
                         t->text_len + 1, sizeof(uint64_t)) < 0)
            return DOPPEL_NOMEM(err);
        nsh = doppel__shingle_chars(t, p->shingle_size, sk->shingle_seed,
                                    sc->shingles);
    }

    unsigned filled;
    if (p->minhash == DOPPEL_MINHASH_ONE_PERM)
        filled = doppel__minhash_one_perm(sc->shingles, nsh, p->num_perm,
                                          sk->oph_seed, out->values);
    else
        filled = doppel__minhash_k_perm(sc->shingles, nsh, p->num_perm,
                                        sk->kperm_a, sk->kperm_b, out->values);
    out->flags = filled == 0 ? DOPPEL__SIG_EMPTY : 0;
    out->num_words = sat32(t->n);
    out->num_shingles = sat32(nsh);
    return DOPPEL_OK;
}

DOPPEL_API int doppel_sketch(const doppel_sketcher *sk, const char *text,
                             size_t len, doppel_signature **out,
                             doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!sk || !out, err, DOPPEL_ERR_PARAM,
                           "sketcher and out must not be NULL");
    *out = NULL;
    doppel_signature *sig =
        doppel__signature_alloc(sk->alloc, &sk->params, sk->fingerprint);
    if (!sig)
        return DOPPEL_NOMEM(err);
    doppel__scratch sc;
    memset(&sc, 0, sizeof sc);
    doppel__sketch_out so = {sig->values, 0, 0, 0};
    int rc = doppel__sketch_into(sk, &sc, text, len, &so, err);
    doppel__scratch_free(&sc, sk->alloc);
    if (rc < 0) {
        doppel_signature_free(sig);
        return rc;
    }
    sig->flags = so.flags;
    sig->num_words = so.num_words;
    sig->num_shingles = so.num_shingles;
    *out = sig;
    return DOPPEL_OK;
}
