/*
 * sketch.c — the sketcher: from text to a document's sketch
 * (signature.h describes its parts).
 *
 *   bytes -> words (tokenize.c) -> XXH3 per word (hash.c), lexicon lookup
 *         -> main shingles: skeleton k-grams (skeleton.c), or word/char
 *            n-grams (shingle.c) -> MinHash with positions (minhash.c)
 *         -> the lede's shingles -> a small MinHash
 *         -> names and numbers -> a small MinHash
 *         -> distinct counts (linear counting) and the rarity score
 *
 * Words are hashed once with seed 0 — that hash is the key of the built-in
 * lexicon (lexicon.h), which must not depend on the user's seed — and the
 * user's seed enters by mixing (doppel__mix64), which is cheaper than a
 * second XXH3 per word.
 *
 * A sketcher is immutable after creation, so any number of threads may
 * sketch with it at once, each with its own scratch buffers.
 */
#include "common.h"
#include "hash.h"
#include "lexicon.h"
#include "minhash.h"
#include "params.h"
#include "shingle.h"
#include "signature.h"
#include "skeleton.h"

#include <math.h>
#include <string.h>

struct doppel_sketcher {
    const doppel_allocator *alloc;
    doppel_params params;
    uint64_t fingerprint;
    uint64_t word_seed;     /* mixed into word hashes */
    uint64_t shingle_seed;  /* seed of shingle combination / char n-grams */
    uint64_t fallback_seed; /* shingles of skeleton-less documents */
    uint64_t entity_seed;
    uint64_t oph_seed;      /* seeds of the densification probes */
    uint64_t lede_oph_seed;
    uint64_t entity_oph_seed;
    uint64_t *kperm_a;      /* K-permutation coefficients (or NULL) */
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
    sk->fallback_seed = doppel__splitmix64(&st);
    sk->entity_seed = doppel__splitmix64(&st);
    sk->oph_seed = doppel__splitmix64(&st);
    sk->lede_oph_seed = doppel__splitmix64(&st);
    sk->entity_oph_seed = doppel__splitmix64(&st);
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

uint64_t doppel__sketcher_fingerprint(const doppel_sketcher *sk)
{
    return sk->fingerprint;
}

void doppel__scratch_free(doppel__scratch *s, const doppel_allocator *a)
{
    doppel__tokens_free(&s->tokens, a);
    doppel__free(a, s->base);
    doppel__free(a, s->info);
    doppel__free(a, s->sym);
    doppel__free(a, s->sym_pos);
    doppel__free(a, s->shingles);
    doppel__free(a, s->shingle_pos);
    doppel__free(a, s->shingle_end);
    doppel__free(a, s->pos8);
    memset(s, 0, sizeof *s);
}

static uint32_t sat32(size_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Linear counting (Whang et al. 1990): the number of distinct hashes from
 * the share of a bitmap of m bits left empty. Accurate to a few percent up
 * to several times m; when the bitmap is nearly full the plain count (which
 * counts repeats) is used instead. */
static uint32_t linear_count(const uint64_t *bits, unsigned m, size_t raw)
{
    unsigned set = 0;
    for (unsigned w = 0; w < m / 64; w++)
        set += (unsigned)__builtin_popcountll(bits[w]);
    unsigned zeros = m - set;
    if (zeros < m / 32)
        return sat32(raw);
    double est = -(double)m * log((double)zeros / (double)m);
    uint32_t e = (uint32_t)(est + 0.5);
    if (e > raw)
        e = sat32(raw);
    return e ? e : (raw ? 1 : 0);
}

/* Make room for n words and m shingles. */
static int reserve_scratch(doppel__scratch *sc, size_t words, size_t shingles,
                           const doppel_allocator *a)
{
    if (words > sc->words_cap) {
        size_t cap = words + words / 2 + 16;
        void *p;
#define RE(field, type)                                                        \
    p = doppel__realloc_array(a, sc->field, cap, sizeof(type));                \
    if (!p)                                                                    \
        return DOPPEL_ERR_NOMEM;                                               \
    sc->field = p;
        RE(base, uint64_t)
        RE(info, uint8_t)
        RE(sym, uint64_t)
        RE(sym_pos, uint32_t)
#undef RE
        sc->words_cap = cap;
    }
    if (shingles > sc->shingles_cap) {
        size_t cap = shingles + shingles / 2 + 16;
        void *p;
#define RE(field, type)                                                        \
    p = doppel__realloc_array(a, sc->field, cap, sizeof(type));                \
    if (!p)                                                                    \
        return DOPPEL_ERR_NOMEM;                                               \
    sc->field = p;
        RE(shingles, uint64_t)
        RE(shingle_pos, uint32_t)
        RE(shingle_end, uint32_t)
        RE(pos8, uint8_t)
#undef RE
        sc->shingles_cap = cap;
    }
    return DOPPEL_OK;
}

/* The first word of the lede: the first line of at least
 * DOPPEL__LEDE_MIN_LINE_WORDS words (titles, bylines, datelines and
 * navigation bars are shorter), or word 0 if there is none. */
static size_t lede_start(const doppel__tokens *t)
{
    size_t line = 0;
    for (size_t i = 1; i <= t->n; i++) {
        if (i == t->n || (t->flags[i] & DOPPEL__TOK_LINE)) {
            if (i - line >= DOPPEL__LEDE_MIN_LINE_WORDS)
                return line;
            line = i;
        }
    }
    return 0;
}

/* A line of prose is mostly skeleton; a line of DOPPEL__THIN_LINE_WORDS or
 * more words with fewer than one function word in DOPPEL__THIN_LINE_SHARE
 * (none at all below 20 words) is a list (a team sheet, a table row, a string of names) whose skeleton
 * would be one wildcard. Its words are kept as they are, so that the line
 * still weighs in the sketch as much as its length: otherwise a page whose
 * article is such a list is all site footer as far as the sketch can tell. */
static void keep_thin_lines(const doppel__tokens *t, uint8_t *keep)
{
    size_t line = 0, kept = 0;
    for (size_t i = 0; i <= t->n; i++) {
        if (i == t->n || (i > line && (t->flags[i] & DOPPEL__TOK_LINE))) {
            size_t words = i - line;
            if (words >= DOPPEL__THIN_LINE_WORDS &&
                kept * DOPPEL__THIN_LINE_SHARE < words)
                for (size_t j = line; j < i; j++)
                    keep[j] = 1;
            line = i;
            kept = 0;
        }
        if (i < t->n)
            kept += keep[i];
    }
}

int doppel__sketch_into(const doppel_sketcher *sk, doppel__scratch *sc,
                        const char *text, size_t len, doppel__sketch *out,
                        doppel_error *err)
{
    const doppel_allocator *a = sk->alloc;
    const doppel_params *p = &sk->params;
    const unsigned K = p->num_perm;
    DOPPEL_RETURN_ERROR_IF(!text && len, err, DOPPEL_ERR_PARAM,
                           "text must not be NULL");
    int rc = doppel__tokenize(text, len, &sc->tokens, a);
    if (rc == DOPPEL_ERR_LIMIT)
        return doppel__error(err, rc,
                             "document of %zu bytes exceeds the limit of %zu "
                             "bytes",
                             len, (size_t)DOPPEL__MAX_TEXT_BYTES);
    if (rc < 0)
        return DOPPEL_NOMEM(err);
    const doppel__tokens *t = &sc->tokens;
    const size_t n = t->n;
    size_t max_shingles = p->shingle == DOPPEL_SHINGLE_CHAR ? t->text_len + 1
                                                            : n + 1;
    if (reserve_scratch(sc, n + 1, max_shingles, a) < 0)
        return DOPPEL_NOMEM(err);

    doppel__sketch_meta *meta = out->meta;
    memset(meta, 0, sizeof *meta);
    meta->num_words = sat32(n);

    /* Words: lexicon lookup, rarity, names and numbers. */
    doppel__hash_spans(t->text, t->start, t->len, n, 0, sc->base);
    uint64_t ent_bits[1024 / 64];
    memset(ent_bits, 0, sizeof ent_bits);
    size_t nent = 0, ncontent = 0;
    double rarity = 0.0;
    for (size_t i = 0; i < n; i++) {
        unsigned info = doppel__lexicon_lookup(sc->base[i]);
        uint8_t f = t->flags[i];
        sc->info[i] = (uint8_t)info;
        int stop = (info & DOPPEL__LEX_STOP) != 0;
        if (f & DOPPEL__TOK_DIGIT) {
            /* a number: kept by the skeleton, an entity */
        } else if (!stop) {
            ncontent++;
            rarity += DOPPEL__LEX_MAX_CLASS - (info & DOPPEL__LEX_CLASS);
        }
        if ((f & DOPPEL__TOK_DIGIT) ||
            ((f & DOPPEL__TOK_UPPER) && !(f & DOPPEL__TOK_SENT) && !stop)) {
            uint64_t e = doppel__mix64(sc->base[i] ^ sk->entity_seed);
            sc->shingles[nent] = e; /* borrowed until the main shingles */
            ent_bits[(e >> 54) >> 6] |= 1ull << ((e >> 54) & 63);
            nent++;
        }
    }
    meta->rarity = ncontent ? (float)(rarity / (double)ncontent) : 0.0f;
    doppel__minhash_one_perm(sc->shingles, NULL, nent, DOPPEL__ENTITY_BINS,
                             sk->entity_oph_seed, out->entities, NULL);
    meta->num_entities = linear_count(ent_bits, 1024, nent);

    /* Main shingles, each with the word it starts at. */
    size_t nsh;
    if (p->shingle == DOPPEL_SHINGLE_CHAR) {
        nsh = doppel__shingle_chars(t, p->shingle_size, sk->shingle_seed,
                                    sc->shingles, sc->shingle_pos,
                                    sc->shingle_end);
    } else {
        size_t m = 0, kept = 0;
        unsigned k = p->shingle_size;
        uint64_t seed = sk->shingle_seed;
        if (p->shingle == DOPPEL_SHINGLE_SKELETON) {
            /* keep[] = core function words and numbers, in sc->pos8 as a
             * temporary (it has room for n + 1 bytes). */
            uint8_t *keep = sc->pos8;
            for (size_t i = 0; i < n; i++)
                keep[i] = (sc->info[i] & DOPPEL__LEX_STOP) ||
                          (t->flags[i] & DOPPEL__TOK_DIGIT);
            keep_thin_lines(t, keep);
            m = doppel__skeleton(sc->base, keep, n, sc->sym, sc->sym_pos,
                                 &kept);
            if (kept < DOPPEL__SKELETON_MIN_KEPT ||
                kept * DOPPEL__SKELETON_MIN_SHARE < n) {
                meta->flags |= DOPPEL__SIG_FALLBACK;
                k = 3;
                seed = sk->fallback_seed;
            }
        }
        if (p->shingle == DOPPEL_SHINGLE_WORD ||
            (meta->flags & DOPPEL__SIG_FALLBACK)) {
            for (size_t i = 0; i < n; i++) {
                sc->sym[i] = doppel__mix64(sc->base[i] ^ sk->word_seed);
                sc->sym_pos[i] = (uint32_t)i;
            }
            m = n;
        }
        nsh = doppel__shingle_words(sc->sym, sc->sym_pos, m, k, seed,
                                    sc->shingles, sc->shingle_pos,
                                    sc->shingle_end);
    }

    /* Positions: the word at the centre of each shingle, scaled so that
     * the first and last shingles' centres span 0..255. Proportional to
     * words, not to shingles, so that a part of the document that yields
     * few shingles (a list of names has few function words) still takes
     * its true share of the document's length. Then the distinct count. */
    uint64_t sh_bits[4096 / 64];
    memset(sh_bits, 0, sizeof sh_bits);
    if (nsh) {
        /* centre (doubled, to stay integral) = start + end word */
        uint64_t c0 = (uint64_t)sc->shingle_pos[0] + sc->shingle_end[0],
                 c1 = (uint64_t)sc->shingle_pos[nsh - 1] +
                      sc->shingle_end[nsh - 1];
        uint64_t range = c1 > c0 ? c1 - c0 : 1;
        for (size_t i = 0; i < nsh; i++) {
            uint64_t c = (uint64_t)sc->shingle_pos[i] + sc->shingle_end[i];
            c = c > c0 ? c - c0 : 0;
            sc->pos8[i] = (uint8_t)((c > range ? range : c) * 255u / range);
        }
    }
    for (size_t i = 0; i < nsh; i++) {
        uint64_t h = sc->shingles[i] >> 52;
        sh_bits[h >> 6] |= 1ull << (h & 63);
    }
    meta->num_shingles = linear_count(sh_bits, 4096, nsh);

    unsigned filled;
    if (p->minhash == DOPPEL_MINHASH_ONE_PERM)
        filled = doppel__minhash_one_perm(sc->shingles, sc->pos8, nsh, K,
                                          sk->oph_seed, out->values,
                                          out->positions);
    else
        filled = doppel__minhash_k_perm(sc->shingles, sc->pos8, nsh, K,
                                        sk->kperm_a, sk->kperm_b, out->values,
                                        out->positions);
    if (filled == 0)
        meta->flags |= DOPPEL__SIG_EMPTY;

    /* The lede: the first shingles from the lede's first word on. */
    size_t from = lede_start(t), first = 0;
    while (first < nsh && sc->shingle_pos[first] < from)
        first++;
    size_t nlede = nsh - first;
    if (nlede > DOPPEL__LEDE_SHINGLES)
        nlede = DOPPEL__LEDE_SHINGLES;
    if (nlede == 0) { /* a document shorter than its lede window */
        first = 0;
        nlede = nsh < DOPPEL__LEDE_SHINGLES ? nsh : DOPPEL__LEDE_SHINGLES;
    }
    doppel__minhash_one_perm(sc->shingles + first, NULL, nlede,
                             DOPPEL__LEDE_BINS, sk->lede_oph_seed, out->lede,
                             NULL);
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
    doppel__sketch view = doppel__signature_sketch(sig);
    int rc = doppel__sketch_into(sk, &sc, text, len, &view, err);
    doppel__scratch_free(&sc, sk->alloc);
    if (rc < 0) {
        doppel_signature_free(sig);
        return rc;
    }
    *out = sig;
    return DOPPEL_OK;
}
