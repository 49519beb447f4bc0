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
#include "threads.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    /* the first densification probes of every bin (doppel__oph_probes),
     * in one block: oph_probes owns it */
    uint16_t *oph_probes;
    uint16_t *lede_probes;
    uint16_t *entity_probes;
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
    sk->oph_probes = doppel__malloc_array(
        alloc, (size_t)p.num_perm + DOPPEL__LEDE_BINS + DOPPEL__ENTITY_BINS,
        DOPPEL__OPH_PROBES_CACHED * sizeof(uint16_t));
    if (!sk->oph_probes) {
        doppel_sketcher_free(sk);
        return DOPPEL_NOMEM(err);
    }
    sk->lede_probes = sk->oph_probes + (size_t)p.num_perm *
                                           DOPPEL__OPH_PROBES_CACHED;
    sk->entity_probes =
        sk->lede_probes + DOPPEL__LEDE_BINS * DOPPEL__OPH_PROBES_CACHED;
    doppel__oph_probes(sk->oph_probes, p.num_perm, sk->oph_seed);
    doppel__oph_probes(sk->lede_probes, DOPPEL__LEDE_BINS, sk->lede_oph_seed);
    doppel__oph_probes(sk->entity_probes, DOPPEL__ENTITY_BINS,
                       sk->entity_oph_seed);
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
    doppel__free(sk->alloc, sk->oph_probes);
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
    doppel__free(a, s->word_miss);
    doppel__free(a, s->sym);
    doppel__free(a, s->sym_pos);
    doppel__free(a, s->shingles);
    doppel__free(a, s->shingle_pos);
    doppel__free(a, s->shingle_end);
    doppel__free(a, s->pos8);
    doppel__free(a, s->word_memo);
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
        set += doppel__popcount64(bits[w]);
    unsigned zeros = m - set;
    if (zeros < m / 32)
        return sat32(raw);
    double est = -(double)m * log((double)zeros / (double)m);
    uint32_t e = (uint32_t)(est + 0.5);
    if (e > raw)
        e = sat32(raw);
    return e ? e : (raw ? 1 : 0);
}

/* pos8[i] = (centre of shingle i - centre of the first) * 255 / (centre of
 * the last - centre of the first), centres doubled to stay integral
 * (start + end word). Centres never decrease along the shingles, so the
 * quotient is carried from one shingle to the next with its remainder
 * (q * range + r = c * 255): no division per shingle, and the remainder
 * loop runs at most 255 times in all. */
static void scale_positions(const uint32_t *start, const uint32_t *end,
                            size_t nsh, uint8_t *pos8)
{
    uint64_t c0 = (uint64_t)start[0] + end[0],
             c1 = (uint64_t)start[nsh - 1] + end[nsh - 1];
    uint64_t range = c1 > c0 ? c1 - c0 : 1;
    uint64_t prev = 0, q = 0, r = 0;
    for (size_t i = 0; i < nsh; i++) {
        uint64_t c = (uint64_t)start[i] + end[i];
        c = c > c0 ? c - c0 : 0;
        if (c > range)
            c = range;
        if (DOPPEL_UNLIKELY(c < prev)) { /* never, for shingles in order */
            q = c * 255u / range;
            r = c * 255u % range;
        } else {
            r += (c - prev) * 255u;
            while (r >= range) {
                r -= range;
                q++;
            }
        }
        prev = c;
        pos8[i] = (uint8_t)q;
    }
}

/* Word hashes and lexicon bytes through a direct-mapped memo of recent
 * words, kept in the thread's scratch space. Most words of a text are a
 * few thousand common ones; for a word of at most 16 bytes (never holding
 * a 0 byte) its bytes, zero-padded, are a 128-bit key that identifies it
 * exactly, and the memo returns the XXH3 hash and lexicon byte computed
 * the first time: no hash of its bytes, no probe of the lexicon's 512 KB
 * table. An entry is 32 bytes, so a hit reads one cache line; 8,192 of
 * them (256 KB, in L2) hit on about 80% of the words of news text (the
 * rest are rare words and the first sight of common ones).
 *
 * Words are looked up in passes over the whole document (words_pass), so
 * that no branch depends on whether a word hits: the first pass reads
 * every word's entry and writes the hash and byte it holds, and lists the
 * words that missed (an append that always writes and advances by 0 or
 * 1); the second hashes the missed words and issues the loads of their
 * lexicon slots; the third reads those slots and fills the memo. A hit is
 * a mispredicted branch in no case, and the cache misses of one word
 * overlap with the next word's work.
 *
 * The memo is a cache, never a source of different answers. */
#define WORD_MEMO_BITS 14
#define WORD_MEMO_SIZE (1u << WORD_MEMO_BITS)
#define WORD_MEMO_MAX 16 /* longest word kept in the memo */

typedef struct memo_entry {
    uint64_t k0, k1; /* the word's bytes, zero-padded; k0 == 0: empty */
    uint64_t hash;   /* XXH3-64, seed 0 */
    uint64_t info;   /* doppel__lexicon_lookup(hash) */
} memo_entry;

typedef struct word_memo {
    memo_entry e[WORD_MEMO_SIZE];
} word_memo;

/* Byte masks of the first len bytes of a 16-byte key (len 0..16). */
static const uint64_t key_mask[2][WORD_MEMO_MAX + 1] = {
    {0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull,
     0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull,
     ~0ull, ~0ull, ~0ull, ~0ull},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull,
     0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull},
};

/* The memo key of the word text[0 .. len) and its slot. text may be read
 * 16 bytes from its start (the tokens' buffer has the slack). A word
 * longer than WORD_MEMO_MAX gets the key of its first 16 bytes: callers
 * never let it hit. */
static inline size_t memo_key(const unsigned char *text, uint32_t len,
                              uint64_t *k0, uint64_t *k1)
{
    uint32_t lc = len < WORD_MEMO_MAX ? len : WORD_MEMO_MAX;
    uint64_t a, b;
    memcpy(&a, text, 8);
    memcpy(&b, text + 8, 8);
    a = doppel__le64(a) & key_mask[0][lc];
    b = doppel__le64(b) & key_mask[1][lc];
    *k0 = a;
    *k1 = b;
    uint64_t x = (a ^ ((b << 29) | (b >> 35))) * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> (64 - WORD_MEMO_BITS));
}

/* base[i] (XXH3, seed 0) and info[i] (lexicon byte) of every word, through
 * the memo (see above). miss has room for n entries. */
static void words_pass(word_memo *memo, const doppel__tokens *t,
                       uint64_t *base, uint8_t *info, uint32_t *miss)
{
    const size_t n = t->n;
    const unsigned char *text = t->text;
    const uint32_t *start = t->start, *lens = t->len;
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k0, k1;
        uint32_t len = lens[i];
        size_t slot = memo_key(text + start[i], len, &k0, &k1);
        const memo_entry *e = &memo->e[slot];
        unsigned hit = (((e->k0 ^ k0) | (e->k1 ^ k1)) == 0) &
                       (len <= WORD_MEMO_MAX);
        base[i] = e->hash;
        info[i] = (uint8_t)e->info;
        miss[nm] = (uint32_t)i;
        nm += hit ^ 1u;
    }
    for (size_t j = 0; j < nm; j++) {
        size_t i = miss[j];
        uint64_t h = doppel__hash_word(text + start[i], lens[i]);
        base[i] = h;
        doppel__lexicon_prefetch(h);
    }
    for (size_t j = 0; j < nm; j++) {
        size_t i = miss[j];
        uint64_t h = base[i];
        unsigned inf = doppel__lexicon_lookup(h);
        info[i] = (uint8_t)inf;
        uint32_t len = lens[i];
        if (len <= WORD_MEMO_MAX) {
            uint64_t k0, k1;
            size_t slot = memo_key(text + start[i], len, &k0, &k1);
            memo_entry *e = &memo->e[slot];
            e->k0 = k0;
            e->k1 = k1;
            e->hash = h;
            e->info = inf;
        }
    }
}

/* Make room for n words and m shingles. */
static int reserve_scratch(doppel__scratch *sc, size_t words, size_t shingles,
                           const doppel_allocator *a)
{
    if (!sc->word_memo) {
        sc->word_memo = doppel__calloc_array(a, 1, sizeof(word_memo));
        if (!sc->word_memo)
            return DOPPEL_ERR_NOMEM;
    }
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
        RE(word_miss, uint32_t)
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
 * (none at all below 20 words) is a list (a team sheet, a table row, a
 * string of names) whose skeleton would be one wildcard. Its words are kept
 * as they are, so that the line still weighs in the sketch as much as its
 * length: otherwise a page whose article is such a list is all site footer
 * as far as the sketch can tell. */
static int thin_line(size_t words, size_t kept)
{
    return words >= DOPPEL__THIN_LINE_WORDS &&
           kept * DOPPEL__THIN_LINE_SHARE < words;
}

/* The skeleton (skeleton.c), built word by word after the lexicon is read
 * (doppel__sketch_into keeps m, kept, line_kept and last_wild in locals
 * between line ends).
 * A line found thin when it ends is rebuilt with all its words kept:
 * back to the symbol count at the line's start, then one symbol per word
 * (a wildcard run that began before the line stays as it was). */
typedef struct skel {
    uint64_t *sym;
    uint32_t *tok;
    size_t m;          /* symbols so far */
    size_t kept;       /* kept words so far */
    size_t line;       /* the current line's first word */
    size_t line_m;     /* symbols before it */
    size_t line_kept;  /* kept words in it */
    unsigned last_wild; /* m > 0 and sym[m - 1] is the wildcard */
} skel;

/* The line [k->line, end) is complete. */
static void skel_line_end(skel *k, const uint64_t *base, size_t end)
{
    size_t words = end - k->line;
    if (DOPPEL_UNLIKELY(thin_line(words, k->line_kept))) {
        k->m = k->line_m;
        for (size_t j = k->line; j < end; j++) {
            k->sym[k->m] = base[j];
            k->tok[k->m++] = (uint32_t)j;
        }
        k->kept += words - k->line_kept;
        k->last_wild = k->sym[k->m - 1] == DOPPEL__SKELETON_WILDCARD;
    }
    k->line = end;
    k->line_m = k->m;
    k->line_kept = 0;
}

/* Shingles of the symbols sym[0..m) (k-grams, combined with doppel__combine
 * under `seed`), and with them, in the same loop: each shingle's scaled
 * position (see scale_positions), the distinct-count bitmap and the
 * one-permutation MinHash keys. Shingle hashes are kept in sh[] for the
 * lede. Returns the number of shingles.
 *
 * The position's quotient and remainder are carried from shingle to
 * shingle as in scale_positions; the step "divide the remainder by range"
 * is a multiply by a precomputed reciprocal where that is exact (Lemire,
 * Kaser & Kurz, "Faster remainder by direct computation", 2019: for n and
 * d below 2^32, n / d = (ceil(2^64 / d) * n) >> 64), so that no branch
 * depends on how many times the quotient steps. */
#if defined(__SIZEOF_INT128__)
#define HAVE_MULHI 1
__extension__ typedef unsigned __int128 u128;
static inline uint64_t mulhi64(uint64_t a, uint64_t b)
{
    return (uint64_t)(((u128)a * b) >> 64);
}
#endif

#define STEP_LOOP                                                              \
    while (r >= range) {                                                       \
        r -= range;                                                            \
        q++;                                                                   \
    }
#define STEP_MULHI                                                             \
    {                                                                          \
        uint64_t qi = mulhi64(r, recip);                                       \
        r -= qi * range;                                                       \
        q += qi;                                                               \
    }
#define SIGN_BODY(KK, STEP)                                                    \
    for (size_t i = 0; i < nsh; i++) {                                         \
        uint64_t h = doppel__combine(sym + i, (KK), seed);                     \
        sh[i] = h;                                                             \
        uint64_t c = (uint64_t)tok[i] + tok[i + (KK) - 1] - c0;                \
        r += (c - prev) * 255u;                                                \
        prev = c;                                                              \
        STEP                                                                   \
        uint64_t bit = h >> 52;                                                \
        bits[bit >> 6] |= 1ull << (bit & 63);                                  \
        doppel__oph_add(keys, K, h, (unsigned)q, 8);                           \
    }

static size_t shingle_and_sign(const uint64_t *sym, const uint32_t *tok,
                               size_t m, unsigned k, uint64_t seed,
                               uint64_t *sh, uint64_t *bits, uint64_t *keys,
                               unsigned K)
{
    if (m == 0)
        return 0;
    if (m < k) { /* one shingle of all the symbols, at position 0 */
        uint64_t h = doppel__combine(sym, (unsigned)m, seed);
        sh[0] = h;
        bits[(h >> 52) >> 6] |= 1ull << ((h >> 52) & 63);
        doppel__oph_add(keys, K, h, 0, 8);
        return 1;
    }
    size_t nsh = m - k + 1;
    /* centres (doubled: start + end word) are non-decreasing; the first
     * and last span 0..255 */
    uint64_t c0 = (uint64_t)tok[0] + tok[k - 1],
             c1 = (uint64_t)tok[nsh - 1] + tok[m - 1];
    uint64_t range = c1 > c0 ? c1 - c0 : 1;
    uint64_t prev = 0, q = 0, r = 0;
#if defined(HAVE_MULHI)
    /* r stays below 256 * range: exact while that is below 2^32 */
    if (range >= 2 && range <= (1u << 24)) {
        uint64_t recip = UINT64_MAX / range + 1;
        switch (k) {
        case 3: SIGN_BODY(3, STEP_MULHI) break;
        case 5: SIGN_BODY(5, STEP_MULHI) break;
        case 6: SIGN_BODY(6, STEP_MULHI) break;
        default: SIGN_BODY(k, STEP_MULHI) break;
        }
        return nsh;
    }
#endif
    SIGN_BODY(k, STEP_LOOP)
    return nsh;
}
#undef SIGN_BODY
#undef STEP_LOOP
#undef STEP_MULHI

int doppel__sketch_into(const doppel_sketcher *sk, doppel__scratch *sc,
                        const char *text, size_t len, doppel__sketch *out,
                        doppel_error *err)
{
    const doppel_allocator *a = sk->alloc;
    const doppel_params *p = &sk->params;
    const unsigned K = p->num_perm;
    DOPPEL_RETURN_ERROR_IF(!text && len, err, DOPPEL_ERR_PARAM,
                           "text must not be NULL");
    uint64_t t0 = sc->stage_ns ? doppel__now_ns() : 0, t1 = 0, t2 = 0;
    int rc = doppel__tokenize(text, len, &sc->tokens, a);
    if (sc->stage_ns)
        t1 = doppel__now_ns();
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

    /* Words: lexicon lookup, rarity, names and numbers and, for skeleton
     * shingles, the skeleton. */
    uint64_t *base = sc->base;
    uint64_t ent_bits[1024 / 64];
    memset(ent_bits, 0, sizeof ent_bits);
    uint64_t ent_keys[DOPPEL__ENTITY_BINS];
    doppel__oph_init(ent_keys, DOPPEL__ENTITY_BINS);
    size_t nent = 0, ncontent = 0;
    uint64_t rarity = 0; /* a sum of small integers: exact */
    const int skeleton = p->shingle == DOPPEL_SHINGLE_SKELETON;
    skel sk_state = {sc->sym, sc->sym_pos, 0, 0, 0, 0, 0, 0};
    const uint8_t *flags = t->flags;
    uint8_t *info = sc->info;
    uint32_t *ent = sc->word_miss; /* free again after words_pass */
    words_pass(sc->word_memo, t, base, info, ent);
    size_t i0 = 0;
#if defined(__SSE2__)
    /* Sixteen words at a time: the content words' count and rarity sum
     * as byte lanes (summed with psadbw), the names and numbers as a bit
     * mask appended below. Frequency classes are at most 14 (lexicon.h),
     * so 14 - class fits a byte. */
    {
        const __m128i lo4 = _mm_set1_epi8(DOPPEL__LEX_CLASS),
                      fourteen = _mm_set1_epi8(DOPPEL__LEX_MAX_CLASS),
                      digit_bit = _mm_set1_epi8(DOPPEL__TOK_DIGIT),
                      name_bits = _mm_set1_epi8(DOPPEL__TOK_UPPER |
                                                DOPPEL__TOK_SENT),
                      upper = _mm_set1_epi8(DOPPEL__TOK_UPPER),
                      zero = _mm_setzero_si128();
        __m128i racc = zero;
        _Static_assert(DOPPEL__LEX_STOP == 0x80u, "stop is the sign bit");
        for (; i0 + 16 <= n; i0 += 16) {
            __m128i inf =
                _mm_loadu_si128((const __m128i *)(const void *)(info + i0));
            __m128i f =
                _mm_loadu_si128((const __m128i *)(const void *)(flags + i0));
            __m128i stop = _mm_cmplt_epi8(inf, zero);
            __m128i digit =
                _mm_cmpeq_epi8(_mm_and_si128(f, digit_bit), digit_bit);
            __m128i keep = _mm_or_si128(stop, digit);
            __m128i rar = _mm_andnot_si128(
                keep, _mm_sub_epi8(fourteen, _mm_and_si128(inf, lo4)));
            racc = _mm_add_epi64(racc, _mm_sad_epu8(rar, zero));
            unsigned kept = (unsigned)_mm_movemask_epi8(keep);
            ncontent += 16 - doppel__popcount64(kept);
            __m128i name =
                _mm_cmpeq_epi8(_mm_and_si128(f, name_bits), upper);
            unsigned em = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(digit, _mm_andnot_si128(stop, name)));
            for (unsigned j = 0; j < 16; j++) {
                ent[nent] = (uint32_t)(i0 + j);
                nent += (em >> j) & 1u;
            }
        }
        uint64_t r2[2];
        _mm_storeu_si128((__m128i *)(void *)r2, racc);
        rarity += r2[0] + r2[1];
    }
#endif
    for (size_t i = i0; i < n; i++) {
        unsigned inf = info[i];
        unsigned f = flags[i];
        unsigned stop = (inf & DOPPEL__LEX_STOP) != 0;
        unsigned digit = (f & DOPPEL__TOK_DIGIT) != 0;
        unsigned content = !(stop | digit); /* computed, not branched on:
                                               it is a coin toss per word */
        ncontent += content;
        rarity += content * (DOPPEL__LEX_MAX_CLASS - (inf & DOPPEL__LEX_CLASS));
        /* a number, or a capitalised word that neither opens a sentence
         * nor is a function word: one test, not three; listed (an append
         * that always writes) and hashed after the loop */
        unsigned name = (f & (DOPPEL__TOK_UPPER | DOPPEL__TOK_SENT)) ==
                        DOPPEL__TOK_UPPER;
        ent[nent] = (uint32_t)i;
        nent += digit | (name & (stop ^ 1u));
    }
    if (skeleton) {
        /* Word i joins the skeleton: itself if kept (a function word or a
         * number), else a wildcard unless the last symbol is one. Written
         * without branches (whether a word is kept is a coin toss): the
         * symbol is stored in any case and counted only when it is
         * emitted; sym and tok have room for one more than the words.
         * The state is in locals between line ends, not in sk_state:
         * symbols are stored through a uint64_t pointer, which may alias
         * a size_t field of a struct, so a struct would be reloaded after
         * every store. */
        uint64_t *ssym = sc->sym;
        uint32_t *stok = sc->sym_pos;
        size_t sm = 0, skept = 0, sline = 0, sline_kept0 = 0;
        unsigned last_wild = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned f = flags[i];
            if (DOPPEL_UNLIKELY((f & DOPPEL__TOK_LINE) && i > sline)) {
                sk_state.m = sm;
                sk_state.kept = skept;
                sk_state.line_kept = skept - sline_kept0;
                sk_state.last_wild = last_wild;
                skel_line_end(&sk_state, base, i);
                sm = sk_state.m;
                skept = sk_state.kept;
                sline = sk_state.line;
                sline_kept0 = skept;
                last_wild = sk_state.last_wild;
            }
            uint64_t h = base[i];
            _Static_assert(DOPPEL__LEX_STOP == 0x80u &&
                               DOPPEL__TOK_DIGIT == 2u,
                           "keep is read from these bits");
            unsigned keep = ((info[i] >> 7) | (f >> 1)) & 1u; /* stop|digit */
            uint64_t v = keep ? h : DOPPEL__SKELETON_WILDCARD;
            ssym[sm] = v;
            stok[sm] = (uint32_t)i;
            sm += keep | (last_wild ^ 1u);
            skept += keep;
            last_wild = (keep ^ 1u) | (unsigned)(h == DOPPEL__SKELETON_WILDCARD);
        }
        sk_state.m = sm;
        sk_state.kept = skept;
        sk_state.line_kept = skept - sline_kept0;
        sk_state.last_wild = last_wild;
    }
    for (size_t j = 0; j < nent; j++) {
        uint64_t e = doppel__mix64(base[ent[j]] ^ sk->entity_seed);
        ent_bits[(e >> 54) >> 6] |= 1ull << ((e >> 54) & 63);
        doppel__oph_add(ent_keys, DOPPEL__ENTITY_BINS, e, 0, 0);
    }
    meta->rarity =
        ncontent ? (float)((double)rarity / (double)ncontent) : 0.0f;
    meta->num_entities = linear_count(ent_bits, 1024, nent);

    /* The main shingles. */
    uint64_t sh_bits[4096 / 64];
    memset(sh_bits, 0, sizeof sh_bits);
    uint64_t *sym = sc->sym;
    uint32_t *sym_pos = sc->sym_pos;
    size_t m = 0;
    unsigned k = p->shingle_size;
    uint64_t seed = sk->shingle_seed;
    if (skeleton) {
        if (n)
            skel_line_end(&sk_state, base, n);
        m = sk_state.m;
        size_t kept = sk_state.kept;
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
            sym[i] = doppel__mix64(base[i] ^ sk->word_seed);
            sym_pos[i] = (uint32_t)i;
        }
        m = n;
    }

    size_t nsh;
    unsigned filled;
    const uint32_t *shingle_pos; /* the word each shingle starts at */
    if (p->shingle != DOPPEL_SHINGLE_CHAR &&
        p->minhash == DOPPEL_MINHASH_ONE_PERM) {
        /* The fast path: shingles signed as they are made. */
        uint64_t keys[4096];
        doppel__oph_init(keys, K);
        nsh = shingle_and_sign(sym, sym_pos, m, k, seed, sc->shingles,
                               sh_bits, keys, K);
        if (sc->stage_ns)
            t2 = doppel__now_ns();
        filled = doppel__oph_finish_probed(keys, K, sk->oph_seed,
                                           sk->oph_probes, out->values,
                                           out->positions);
        shingle_pos = sym_pos;
    } else {
        if (p->shingle == DOPPEL_SHINGLE_CHAR)
            nsh = doppel__shingle_chars(t, p->shingle_size, sk->shingle_seed,
                                        sc->shingles, sc->shingle_pos,
                                        sc->shingle_end);
        else
            nsh = doppel__shingle_words(sym, sym_pos, m, k, seed,
                                        sc->shingles, sc->shingle_pos,
                                        sc->shingle_end);
        /* Positions: the word at the centre of each shingle, scaled so
         * that the first and last shingles' centres span 0..255.
         * Proportional to words, not to shingles, so that a part of the
         * document that yields few shingles (a list of names has few
         * function words) still takes its true share of the document's
         * length. */
        if (nsh)
            scale_positions(sc->shingle_pos, sc->shingle_end, nsh, sc->pos8);
        for (size_t i = 0; i < nsh; i++) {
            uint64_t h = sc->shingles[i] >> 52;
            sh_bits[h >> 6] |= 1ull << (h & 63);
        }
        if (sc->stage_ns)
            t2 = doppel__now_ns();
        if (p->minhash == DOPPEL_MINHASH_ONE_PERM)
            filled = doppel__minhash_one_perm_probed(
                sc->shingles, sc->pos8, nsh, K, sk->oph_seed, sk->oph_probes,
                out->values, out->positions);
        else
            filled = doppel__minhash_k_perm(sc->shingles, sc->pos8, nsh, K,
                                            sk->kperm_a, sk->kperm_b,
                                            out->values, out->positions);
        shingle_pos = sc->shingle_pos;
    }
    meta->num_shingles = linear_count(sh_bits, 4096, nsh);
    if (filled == 0)
        meta->flags |= DOPPEL__SIG_EMPTY;

    /* The lede: the first shingles from the lede's first word on. */
    size_t from = lede_start(t), first = 0;
    while (first < nsh && shingle_pos[first] < from)
        first++;
    size_t nlede = nsh - first;
    if (nlede > DOPPEL__LEDE_SHINGLES)
        nlede = DOPPEL__LEDE_SHINGLES;
    if (nlede == 0) { /* a document shorter than its lede window */
        first = 0;
        nlede = nsh < DOPPEL__LEDE_SHINGLES ? nsh : DOPPEL__LEDE_SHINGLES;
    }
    doppel__minhash_one_perm_probed(sc->shingles + first, NULL, nlede,
                                    DOPPEL__LEDE_BINS, sk->lede_oph_seed,
                                    sk->lede_probes, out->lede, NULL);
    doppel__oph_finish_probed(ent_keys, DOPPEL__ENTITY_BINS,
                              sk->entity_oph_seed, sk->entity_probes,
                              out->entities, NULL);
    if (sc->stage_ns) {
        uint64_t t3 = doppel__now_ns();
        sc->stage_ns[0] += t1 - t0;
        sc->stage_ns[1] += t2 - t1;
        sc->stage_ns[2] += t3 - t2;
    }
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
