/*
 * signature.c — the signature object: accessors, comparison and the
 * serialised form, for users who store signatures themselves.
 *
 * Serialised layout (all integers little-endian; docs/formats.md):
 *
 *   offset    size  field
 *        0       4  magic "DPSG"
 *        4       2  format version (1)
 *        6       2  flags (bit 0: empty document; bit 1: skeleton fallback)
 *        8       8  parameter fingerprint (see doppel__params_fingerprint)
 *       16       1  shingle kind          17   1  minhash kind
 *       18       2  shingle size          20   4  num_perm K
 *       24       8  seed
 *       32       4  words in the document
 *       36       4  distinct shingles (estimated)
 *       40       4  distinct names and numbers (estimated)
 *       44       4  rarity x 1000 (0..14000)
 *       48      2K  MinHash values (16-bit)
 *     48+2K      K  positions (0..255)
 *     48+3K     64  lede MinHash (32 16-bit values)
 *    112+3K     64  names-and-numbers MinHash (32 16-bit values)
 *    176+3K      8  XXH3-64 (seed 0) of every byte before it
 *
 * The fingerprint covers the parameters and the version of the sketching
 * algorithm itself (DOPPEL__SKETCH_ALGORITHM), so a signature made by a
 * release that tokenises differently is refused instead of compared.
 */
#include "common.h"
#include "hash.h"
#include "lexicon.h"
#include "minhash.h"
#include "params.h"
#include "signature.h"
#include "verify.h"

#include <string.h>

/* Bump when tokenising, shingling or hashing changes signature values. */
#define DOPPEL__SKETCH_ALGORITHM 5u
#define SIG_MAGIC "DPSG"
#define SIG_VERSION 1u
#define SIG_HEADER 48u
#define SIG_TRAILER 8u
#define SIG_AUX (2u * (DOPPEL__LEDE_BINS + DOPPEL__ENTITY_BINS))
#define SIG_MAX_RARITY (DOPPEL__LEX_MAX_CLASS * 1000u)

uint64_t doppel__params_fingerprint(const doppel_params *p)
{
    unsigned char b[32];
    memset(b, 0, sizeof b);
    uint32_t f[5] = {DOPPEL__SKETCH_ALGORITHM, (uint32_t)p->shingle,
                     p->shingle_size, p->num_perm, (uint32_t)p->minhash};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            b[i * 4 + j] = (unsigned char)(f[i] >> (8 * j));
    for (int j = 0; j < 8; j++)
        b[20 + j] = (unsigned char)(p->seed >> (8 * j));
    return doppel__hash_bytes(b, 28, 0x646f7070656c3031ull);
}

doppel_signature *doppel__signature_alloc(const doppel_allocator *a,
                                          const doppel_params *params,
                                          uint64_t fingerprint)
{
    a = doppel__allocator(a);
    size_t K = params->num_perm;
    doppel_signature *s = doppel__malloc(
        a, sizeof(doppel_signature) + K * sizeof(doppel__mh) + K);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->alloc = a;
    s->params = *params;
    s->fingerprint = fingerprint;
    s->num_perm = (uint32_t)K;
    s->positions = (uint8_t *)(s->values + K);
    return s;
}

doppel__sketch doppel__signature_sketch(doppel_signature *s)
{
    doppel__sketch v = {s->values, s->positions, s->lede, s->entities,
                        &s->meta};
    return v;
}

doppel__sketch_cref doppel__signature_cref(const doppel_signature *s)
{
    doppel__sketch_cref v = {s->values, s->positions, s->lede, s->entities,
                             &s->meta};
    return v;
}

DOPPEL_API void doppel_signature_free(doppel_signature *sig)
{
    if (sig)
        doppel__free(sig->alloc, sig);
}

DOPPEL_API unsigned doppel_signature_num_perm(const doppel_signature *sig)
{
    return sig ? sig->num_perm : 0;
}

DOPPEL_API const uint16_t *doppel_signature_values(
    const doppel_signature *sig)
{
    return sig ? sig->values : NULL;
}

DOPPEL_API int doppel_signature_is_empty(const doppel_signature *sig)
{
    return sig && (sig->meta.flags & DOPPEL__SIG_EMPTY) ? 1 : 0;
}

DOPPEL_API double doppel_signature_rarity(const doppel_signature *sig)
{
    return sig ? (double)sig->meta.rarity : 0.0;
}

static int check_pair(const doppel_signature *a, const doppel_signature *b,
                      doppel_error *err)
{
    if (a->fingerprint == b->fingerprint)
        return DOPPEL_OK;
    char da[160], db[160];
    doppel__params_describe(&a->params, da, sizeof da);
    doppel__params_describe(&b->params, db, sizeof db);
    return doppel__error(err, DOPPEL_ERR_MISMATCH,
                         "signatures made with different parameters (%s vs "
                         "%s)",
                         da, db);
}

DOPPEL_API int doppel_signature_similarity(const doppel_signature *a,
                                           const doppel_signature *b,
                                           double *similarity,
                                           doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!a || !b || !similarity, err, DOPPEL_ERR_PARAM,
                           "signatures and similarity must not be NULL");
    DOPPEL_FORWARD_IF_ERROR(check_pair(a, b, err));
    if ((a->meta.flags | b->meta.flags) & DOPPEL__SIG_EMPTY) {
        *similarity = 0.0;
        return DOPPEL_OK;
    }
    *similarity = doppel__minhash_similarity(a->values, b->values,
                                             a->num_perm);
    return DOPPEL_OK;
}

DOPPEL_API int doppel_signature_compare(const doppel_signature *a,
                                        const doppel_signature *b,
                                        const doppel_params *params,
                                        doppel_match *out, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!a || !b || !out, err, DOPPEL_ERR_PARAM,
                           "signatures and out must not be NULL");
    DOPPEL_FORWARD_IF_ERROR(check_pair(a, b, err));
    doppel_params p = a->params;
    if (params) {
        doppel_params q = *params;
        if (q.bands == 0 && q.rows == 0) /* LSH plays no part here */
            q.bands = q.rows = 1;
        DOPPEL_FORWARD_IF_ERROR(doppel_params_resolve(&q, &p, err));
        if (!doppel__params_equal(&p, &a->params)) {
            char da[160], db[160];
            doppel__params_describe(&a->params, da, sizeof da);
            doppel__params_describe(&p, db, sizeof db);
            return doppel__error(err, DOPPEL_ERR_MISMATCH,
                                 "signatures were made with %s, not %s", da,
                                 db);
        }
    }
    doppel__sketch_cref ca = doppel__signature_cref(a);
    doppel__sketch_cref cb = doppel__signature_cref(b);
    doppel__verify(&ca, &cb, a->num_perm, &p, NULL, out);
    return DOPPEL_OK;
}

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static size_t sig_size(uint32_t K)
{
    return SIG_HEADER + 3u * (size_t)K + SIG_AUX + SIG_TRAILER;
}

DOPPEL_API int doppel_signature_serialize(const doppel_signature *sig,
                                          void *buf, size_t cap, size_t *size,
                                          doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!sig || !size, err, DOPPEL_ERR_PARAM,
                           "signature and size must not be NULL");
    size_t need = sig_size(sig->num_perm);
    *size = need;
    if (!buf)
        return DOPPEL_OK;
    DOPPEL_RETURN_ERROR_IF(cap < need, err, DOPPEL_ERR_LIMIT,
                           "buffer of %zu bytes is too small for a signature "
                           "of %zu bytes",
                           cap, need);
    unsigned char *p = buf;
    uint32_t K = sig->num_perm;
    memcpy(p, SIG_MAGIC, 4);
    put16(p + 4, SIG_VERSION);
    put16(p + 6, (uint16_t)sig->meta.flags);
    put64(p + 8, sig->fingerprint);
    p[16] = (unsigned char)sig->params.shingle;
    p[17] = (unsigned char)sig->params.minhash;
    put16(p + 18, (uint16_t)sig->params.shingle_size);
    put32(p + 20, K);
    put64(p + 24, sig->params.seed);
    put32(p + 32, sig->meta.num_words);
    put32(p + 36, sig->meta.num_shingles);
    put32(p + 40, sig->meta.num_entities);
    put32(p + 44, (uint32_t)(sig->meta.rarity * 1000.0f + 0.5f));
    unsigned char *q = p + SIG_HEADER;
    for (uint32_t k = 0; k < K; k++, q += 2)
        put16(q, sig->values[k]);
    memcpy(q, sig->positions, K);
    q += K;
    for (unsigned k = 0; k < DOPPEL__LEDE_BINS; k++, q += 2)
        put16(q, sig->lede[k]);
    for (unsigned k = 0; k < DOPPEL__ENTITY_BINS; k++, q += 2)
        put16(q, sig->entities[k]);
    size_t body = (size_t)(q - p);
    put64(q, doppel__hash_bytes(p, body, 0));
    return DOPPEL_OK;
}

DOPPEL_API int doppel_signature_deserialize(doppel_signature **out,
                                            const void *buf, size_t len,
                                            const doppel_allocator *alloc,
                                            doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!out || (!buf && len), err, DOPPEL_ERR_PARAM,
                           "out and buf must not be NULL");
    *out = NULL;
    const unsigned char *p = buf;
    DOPPEL_RETURN_ERROR_IF(len < SIG_HEADER + SIG_TRAILER, err,
                           DOPPEL_ERR_CORRUPT,
                           "signature truncated: %zu bytes, the header alone "
                           "needs %u",
                           len, SIG_HEADER + SIG_TRAILER);
    DOPPEL_RETURN_ERROR_IF(memcmp(p, SIG_MAGIC, 4) != 0, err,
                           DOPPEL_ERR_CORRUPT,
                           "not a doppel signature: bad magic at byte 0");
    uint16_t version = get16(p + 4);
    DOPPEL_RETURN_ERROR_IF(version != SIG_VERSION, err, DOPPEL_ERR_VERSION,
                           "signature format version %u is not supported "
                           "(this library reads version %u)",
                           version, SIG_VERSION);
    uint32_t K = get32(p + 20);
    DOPPEL_RETURN_ERROR_IF(K < DOPPEL_MIN_PERM || K > DOPPEL_MAX_PERM, err,
                           DOPPEL_ERR_CORRUPT,
                           "signature corrupt: num_perm %u at byte 20 is out "
                           "of range",
                           K);
    size_t total = sig_size(K), body = total - SIG_TRAILER;
    DOPPEL_RETURN_ERROR_IF(len != total, err, DOPPEL_ERR_CORRUPT,
                           "signature of K=%u must be %zu bytes, got %zu", K,
                           total, len);
    uint64_t want = get64(p + body), got = doppel__hash_bytes(p, body, 0);
    DOPPEL_RETURN_ERROR_IF(want != got, err, DOPPEL_ERR_CORRUPT,
                           "signature corrupt: checksum mismatch at byte %zu",
                           body);
    doppel_params params = DOPPEL_PARAMS_INIT;
    params.shingle = (doppel_shingle_kind)p[16];
    params.minhash = (doppel_minhash_kind)p[17];
    params.shingle_size = get16(p + 18);
    params.num_perm = K;
    params.seed = get64(p + 24);
    params.bands = params.rows = 1; /* set by whoever compares */
    doppel_params resolved;
    doppel_error perr = {0};
    if (doppel_params_resolve(&params, &resolved, &perr) < 0)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "signature corrupt: %s", perr.message);
    /* Rarity is a mean of classes 0..14: anything larger is damage (and
     * would overflow when serialised again). */
    uint32_t rarity = get32(p + 44);
    DOPPEL_RETURN_ERROR_IF(rarity > SIG_MAX_RARITY, err, DOPPEL_ERR_CORRUPT,
                           "signature corrupt: rarity %u/1000 at byte 44 is "
                           "out of range [0, %u]",
                           rarity, SIG_MAX_RARITY);
    uint64_t fp = get64(p + 8);
    DOPPEL_RETURN_ERROR_IF(fp != doppel__params_fingerprint(&resolved), err,
                           DOPPEL_ERR_MISMATCH,
                           "signature made by an incompatible version of the "
                           "sketching algorithm (fingerprint %016llx)",
                           (unsigned long long)fp);
    doppel_signature *s = doppel__signature_alloc(alloc, &resolved, fp);
    if (!s)
        return DOPPEL_NOMEM(err);
    s->meta.flags = get16(p + 6) & (DOPPEL__SIG_EMPTY | DOPPEL__SIG_FALLBACK);
    s->meta.num_words = get32(p + 32);
    s->meta.num_shingles = get32(p + 36);
    s->meta.num_entities = get32(p + 40);
    s->meta.rarity = (float)rarity / 1000.0f;
    const unsigned char *q = p + SIG_HEADER;
    for (uint32_t k = 0; k < K; k++, q += 2)
        s->values[k] = get16(q);
    memcpy(s->positions, q, K);
    q += K;
    for (unsigned k = 0; k < DOPPEL__LEDE_BINS; k++, q += 2)
        s->lede[k] = get16(q);
    for (unsigned k = 0; k < DOPPEL__ENTITY_BINS; k++, q += 2)
        s->entities[k] = get16(q);
    *out = s;
    return DOPPEL_OK;
}
