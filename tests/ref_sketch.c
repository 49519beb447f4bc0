/*
 * ref_sketch.c — see ref_sketch.h. The code below is the library's as of
 * commit 674a4fa with only names changed (and the sketcher's seeds derived
 * here): do not optimise it; it is what the fast paths must agree with.
 */
#include "ref_sketch.h"

#include "hash.h"
#include "lexicon.h"
#include "skeleton.h"
#include "unicode.h"
#include "verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ tokenizer */

/* ASCII: class byte (class | flags) in the high 8 bits, folded byte low. */
#define A_CLS(e) ((int)((e) >> 8))
#define A_CHR(e) ((unsigned char)((e) & 0xFF))
#define L(c) ((uint16_t)((DOPPEL__UC_LETTER << 8) | (c)))
#define U(c) ((uint16_t)(((DOPPEL__UC_LETTER | DOPPEL__UC_UPPER) << 8) | (c)))
#define D(c) ((uint16_t)(((DOPPEL__UC_LETTER | DOPPEL__UC_NUMERIC) << 8) | (c)))
#define S ((uint16_t)(DOPPEL__UC_SPACE << 8) | ' ')
#define O(c) ((uint16_t)((DOPPEL__UC_OTHER << 8) | (c)))
#define AP ((uint16_t)((DOPPEL__UC_APOS << 8) | '\''))

static const uint16_t ascii_table[128] = {
    O(0),   O(1),   O(2),   O(3),    O(4),   O(5),   O(6),   O(7),
    O(8),   S,      S,      S,       S,      S,      O(14),  O(15),
    O(16),  O(17),  O(18),  O(19),   O(20),  O(21),  O(22),  O(23),
    O(24),  O(25),  O(26),  O(27),   O(28),  O(29),  O(30),  O(31),
    S,      O('!'), O('"'), O('#'),  O('$'), O('%'), O('&'), AP,
    O('('), O(')'), O('*'), O('+'),  O(','), O('-'), O('.'), O('/'),
    D('0'), D('1'), D('2'), D('3'),  D('4'), D('5'), D('6'), D('7'),
    D('8'), D('9'), O(':'), O(';'),  O('<'), O('='), O('>'), O('?'),
    O('@'), U('a'), U('b'), U('c'),  U('d'), U('e'), U('f'), U('g'),
    U('h'), U('i'), U('j'), U('k'),  U('l'), U('m'), U('n'), U('o'),
    U('p'), U('q'), U('r'), U('s'),  U('t'), U('u'), U('v'), U('w'),
    U('x'), U('y'), U('z'), O('['),  O('\\'), O(']'), O('^'), O('_'),
    AP,     L('a'), L('b'), L('c'),  L('d'), L('e'), L('f'), L('g'),
    L('h'), L('i'), L('j'), L('k'),  L('l'), L('m'), L('n'), L('o'),
    L('p'), L('q'), L('r'), L('s'),  L('t'), L('u'), L('v'), L('w'),
    L('x'), L('y'), L('z'), O('{'),  O('|'), O('}'), O('~'), O(127),
};

#undef L
#undef U
#undef D
#undef S
#undef O
#undef AP

/* Read one code point at s[i]: its folded value and class byte; *newline
 * is set for a line break (LF, a CR not followed by LF, U+2028, U+2029).
 * Returns the number of bytes consumed. */
static inline size_t next_cp(const unsigned char *s, size_t n, size_t i,
                             uint32_t *cp, int *cls, int *newline)
{
    unsigned c = s[i];
    if (c < 0x80) {
        uint16_t e = ascii_table[c];
        *cp = A_CHR(e);
        *cls = A_CLS(e);
        *newline = c == '\n' || (c == '\r' && (i + 1 >= n || s[i + 1] != '\n'));
        return 1;
    }
    uint32_t raw;
    size_t l = doppel__utf8_decode(s + i, n - i, &raw);
    *cp = doppel__uc_fold(raw, cls);
    *newline = raw == 0x2028 || raw == 0x2029 || raw == 0x85;
    return l;
}

static int reserve(doppel__tokens *t, size_t text_need, size_t words_need,
                   const doppel_allocator *a)
{
    if (doppel__grow(a, (void **)&t->text, &t->text_cap, text_need, 1) < 0)
        return DOPPEL_ERR_NOMEM;
    if (words_need > t->cap) {
        size_t cap = words_need + words_need / 2 + 16;
        void *p;
        p = doppel__realloc_array(a, t->start, cap, sizeof(uint32_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->start = p;
        p = doppel__realloc_array(a, t->len, cap, sizeof(uint32_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->len = p;
        p = doppel__realloc_array(a, t->flags, cap, sizeof(uint8_t));
        if (!p)
            return DOPPEL_ERR_NOMEM;
        t->flags = p;
        t->cap = cap;
    }
    return DOPPEL_OK;
}

int ref_tokenize(const char *str, size_t n, doppel__tokens *t)
{
    const doppel_allocator *a = NULL;
    const unsigned char *s = (const unsigned char *)str;
    t->n = 0;
    t->text_len = 0;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    /* A folded code point takes at most 1.5x the bytes of its encoding
     * (2-byte -> 3-byte), plus one space per word: 2n + 8 always suffices.
     * Words need at least two bytes each except ideographs, which need
     * three: n / 2 + 2 words is enough for any input. */
    if (reserve(t, 2 * n + 8, n / 2 + 2, a) < 0)
        return DOPPEL_ERR_NOMEM;

    unsigned char *out = t->text;
    size_t p = 0, nw = 0, i = 0;
    int in_word = 0, apos = 0;
    unsigned newlines = 2; /* the text starts a line and a paragraph */
    int sentence_end = 1;  /* a '.', '!' or '?' since the last word */
    unsigned wflags = 0;
    size_t wstart = 0;

#define LAYOUT_FLAGS()                                                         \
    ((newlines >= 1 ? DOPPEL__TOK_LINE | DOPPEL__TOK_SENT : 0u) |              \
     (newlines >= 2 ? DOPPEL__TOK_PARA : 0u) |                                 \
     (sentence_end ? DOPPEL__TOK_SENT : 0u))
#define END_WORD()                                                             \
    do {                                                                       \
        t->start[nw] = (uint32_t)wstart;                                       \
        t->len[nw] = (uint32_t)(p - wstart);                                   \
        t->flags[nw] = (uint8_t)wflags;                                        \
        nw++;                                                                  \
        in_word = 0;                                                           \
    } while (0)

    while (i < n) {
        /* Fast path: a run of ASCII letters and digits inside a word. */
        if (in_word && !apos) {
            while (i < n && s[i] < 0x80) {
                uint16_t e = ascii_table[s[i]];
                int c = A_CLS(e);
                if (DOPPEL__UC_CLASS(c) != DOPPEL__UC_LETTER)
                    break;
                wflags |= (c & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u;
                out[p++] = A_CHR(e);
                i++;
            }
            if (i >= n)
                break;
        }
        uint32_t cp;
        int cls, nl;
        i += next_cp(s, n, i, &cp, &cls, &nl);
        switch (DOPPEL__UC_CLASS(cls)) {
        case DOPPEL__UC_LETTER:
            if (!in_word) {
                if (nw > 0)
                    out[p++] = ' ';
                wstart = p;
                in_word = 1;
                wflags = LAYOUT_FLAGS() |
                         ((cls & DOPPEL__UC_UPPER) ? DOPPEL__TOK_UPPER : 0u);
                newlines = 0;
                sentence_end = 0;
            } else if (apos) {
                out[p++] = '\'';
            }
            wflags |= (cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u;
            apos = 0;
            p += doppel__utf8_encode(cp, out + p);
            break;
        case DOPPEL__UC_APOS:
            if (in_word && !apos) {
                apos = 1;
                break;
            }
            goto end_word;
        case DOPPEL__UC_IGNORE:
            break;
        case DOPPEL__UC_IDEO:
            if (in_word)
                END_WORD();
            if (nw > 0)
                out[p++] = ' ';
            wstart = p;
            wflags = LAYOUT_FLAGS() |
                     ((cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u);
            newlines = 0;
            sentence_end = 0;
            p += doppel__utf8_encode(cp, out + p);
            END_WORD();
            apos = 0;
            break;
        default:
        end_word:
            if (in_word)
                END_WORD();
            if (nl && newlines < 2)
                newlines++;
            if (cp == '.' || cp == '!' || cp == '?' || cp == 0x3002)
                sentence_end = 1;
            apos = 0;
            break;
        }
    }
    if (in_word)
        END_WORD();
#undef END_WORD
#undef LAYOUT_FLAGS
    t->n = nw;
    t->text_len = p;
    return DOPPEL_OK;
}



/* -------------------------------------------------------------- MinHash */

#define REF_DENSIFY_PROBES 32

static inline unsigned bin_of(uint64_t h, unsigned K)
{
    return (unsigned)(((h >> 32) * (uint64_t)K) >> 32);
}

unsigned ref_minhash_one_perm(const uint64_t *h, const uint8_t *pos,
                                  size_t n, unsigned K, uint64_t seed,
                                  doppel__mh *out, uint8_t *positions)
{
    uint32_t values[4096]; /* full-precision minima */
    /* filled[] as a bitmap: a value of UINT32_MAX is a legal minimum. */
    uint64_t filled[4096 / 64];
    unsigned words = (K + 63) / 64;
    memset(filled, 0, words * sizeof filled[0]);
    for (unsigned i = 0; i < K; i++)
        values[i] = UINT32_MAX;
    if (positions) {
        memset(positions, 0, K);
        for (size_t i = 0; i < n; i++) {
            unsigned b = bin_of(h[i], K);
            uint32_t v = (uint32_t)h[i];
            uint64_t bit = 1ull << (b & 63);
            if (v < values[b] || !(filled[b >> 6] & bit)) {
                values[b] = v;
                positions[b] = pos[i];
            }
            filled[b >> 6] |= bit;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            unsigned b = bin_of(h[i], K);
            uint32_t v = (uint32_t)h[i];
            if (v < values[b])
                values[b] = v;
            filled[b >> 6] |= 1ull << (b & 63);
        }
    }
    unsigned nonempty = 0;
    for (unsigned w = 0; w < words; w++)
        nonempty += (unsigned)__builtin_popcountll(filled[w]);
    if (nonempty == 0 || nonempty == K) {
        for (unsigned i = 0; i < K; i++)
            out[i] = (doppel__mh)values[i];
        return nonempty;
    }

    /* next[i]: the first filled bin at or after i, circularly. */
    uint16_t next[4096];
    unsigned last = K;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = K; i-- > 0;) {
            if (filled[i >> 6] & (1ull << (i & 63)))
                last = i;
            if (last != K)
                next[i] = (uint16_t)last;
        }
    uint32_t dense_v[4096];
    uint8_t dense_p[4096];
    memcpy(dense_v, values, K * sizeof values[0]);
    if (positions)
        memcpy(dense_p, positions, K);
    for (unsigned i = 0; i < K; i++) {
        if (filled[i >> 6] & (1ull << (i & 63)))
            continue;
        uint64_t state = seed ^ (0xD6E8FEB86659FD93ull * (i + 1));
        unsigned j = next[i];
        for (unsigned attempt = 0; attempt < REF_DENSIFY_PROBES;
             attempt++) {
            unsigned c = bin_of(doppel__splitmix64(&state), K);
            if (filled[c >> 6] & (1ull << (c & 63))) {
                j = c;
                break;
            }
        }
        dense_v[i] = values[j];
        if (positions)
            dense_p[i] = positions[j];
    }
    for (unsigned i = 0; i < K; i++)
        out[i] = (doppel__mh)dense_v[i];
    if (positions)
        memcpy(positions, dense_p, K);
    return nonempty;
}

static unsigned ref_minhash_k_perm(const uint64_t *h, const uint8_t *pos,
                                size_t n, unsigned K, const uint64_t *a,
                                const uint64_t *b, doppel__mh *out,
                                uint8_t *positions)
{
    uint32_t values[4096]; /* full-precision minima */
    for (unsigned k = 0; k < K; k++)
        values[k] = UINT32_MAX;
    if (positions)
        memset(positions, 0, K);
    if (n == 0) {
        for (unsigned k = 0; k < K; k++)
            out[k] = (doppel__mh)values[k];
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t x = h[i];
        for (unsigned k = 0; k < K; k++) {
            uint32_t v = (uint32_t)((a[k] * x + b[k]) >> 32);
            if (v < values[k]) {
                values[k] = v;
                if (positions)
                    positions[k] = pos[i];
            }
        }
    }
    /* A value can tie at UINT32_MAX only if every shingle mapped there;
     * then positions stay those of the first shingle seen. */
    if (positions)
        for (unsigned k = 0; k < K; k++)
            if (values[k] == UINT32_MAX)
                positions[k] = pos[0];
    for (unsigned k = 0; k < K; k++)
        out[k] = (doppel__mh)values[k];
    return K;
}



/* ------------------------------------------------------------- shingles */

static size_t ref_shingle_words(const uint64_t *sym, const uint32_t *pos,
                             size_t n, unsigned k, uint64_t seed,
                             uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        out[0] = doppel__combine(sym, (unsigned)n, seed);
        pos_out[0] = pos[0];
        end_out[0] = pos[n - 1];
        return 1;
    }
    size_t m = n - k + 1;
    for (size_t i = 0; i < m; i++) {
        out[i] = doppel__combine(sym + i, k, seed);
        pos_out[i] = pos[i];
        end_out[i] = pos[i + k - 1];
    }
    return m;
}

static size_t ref_shingle_chars(const doppel__tokens *t, unsigned n,
                             uint64_t seed, uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out)
{
    const unsigned char *s = t->text;
    size_t len = t->text_len;
    if (t->n == 0 || len == 0)
        return 0;
    /* ring[j % (n + 1)] = byte offset where the j-th code point starts */
    uint32_t ring[DOPPEL_MAX_SHINGLE_SIZE + 1];
    size_t count = 0, m = 0, word = 0;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] & 0xC0) == 0x80)
            continue; /* continuation byte */
        ring[count % (n + 1)] = (uint32_t)i;
        count++;
        if (count > n) {
            size_t from = ring[(count - 1 - n) % (n + 1)];
            while (word + 1 < t->n && t->start[word + 1] <= from)
                word++;
            size_t last = word;
            while (last + 1 < t->n && t->start[last + 1] < i)
                last++;
            out[m] = doppel__hash_bytes(s + from, i - from, seed);
            end_out[m] = (uint32_t)last;
            pos_out[m++] = (uint32_t)word;
        }
    }
    size_t from = count >= n ? ring[(count - n) % (n + 1)] : 0;
    while (word + 1 < t->n && t->start[word + 1] <= from)
        word++;
    out[m] = doppel__hash_bytes(s + from, len - from, seed);
    end_out[m] = (uint32_t)(t->n - 1);
    pos_out[m++] = (uint32_t)word;
    return m;
}


static size_t ref_skeleton(const uint64_t *base, const uint8_t *keep, size_t n,
                        uint64_t *sym, uint32_t *tok, size_t *kept)
{
    size_t m = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep[i]) {
            sym[m] = base[i];
            tok[m++] = (uint32_t)i;
            k++;
        } else if (m == 0 || sym[m - 1] != DOPPEL__SKELETON_WILDCARD) {
            sym[m] = DOPPEL__SKELETON_WILDCARD;
            tok[m++] = (uint32_t)i;
        }
    }
    *kept = k;
    return m;
}


/* ------------------------------------------------------------- sketcher */

/* The scratch space of the sketcher as first written. */
typedef struct ref_scratch {
    doppel__tokens tokens;
    uint64_t *base;
    uint8_t *info;
    uint64_t *sym;
    uint32_t *sym_pos;
    size_t words_cap;
    uint64_t *shingles;
    uint32_t *shingle_pos;
    uint32_t *shingle_end;
    uint8_t *pos8;
    size_t shingles_cap;
} ref_scratch;

static void ref_scratch_free(ref_scratch *s)
{
    doppel__tokens_free(&s->tokens, NULL);
    free(s->base);
    free(s->info);
    free(s->sym);
    free(s->sym_pos);
    free(s->shingles);
    free(s->shingle_pos);
    free(s->shingle_end);
    free(s->pos8);
}

typedef struct ref_sketcher {
    doppel_params params;
    uint64_t word_seed, shingle_seed, fallback_seed, entity_seed;
    uint64_t oph_seed, lede_oph_seed, entity_oph_seed;
    uint64_t *kperm_a, *kperm_b;
} ref_sketcher;

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
static int reserve_scratch(ref_scratch *sc, size_t words, size_t shingles,
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


static int ref_sketch_into(const ref_sketcher *sk, ref_scratch *sc,
                           const char *text, size_t len, doppel__sketch *out)
{
    const doppel_allocator *a = NULL;
    const doppel_params *p = &sk->params;
    const unsigned K = p->num_perm;
    if (ref_tokenize(text, len, &sc->tokens) < 0)
        return -1;
    const doppel__tokens *t = &sc->tokens;
    const size_t n = t->n;
    size_t max_shingles = p->shingle == DOPPEL_SHINGLE_CHAR ? t->text_len + 1
                                                            : n + 1;
    if (reserve_scratch(sc, n + 1, max_shingles, a) < 0)
        return -1;

    doppel__sketch_meta *meta = out->meta;
    memset(meta, 0, sizeof *meta);
    meta->num_words = sat32(n);

    /* Words: lexicon lookup, rarity, names and numbers. */
    for (size_t i = 0; i < n; i++)
        sc->base[i] = doppel__hash_bytes(t->text + t->start[i], t->len[i], 0);
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
    ref_minhash_one_perm(sc->shingles, NULL, nent, DOPPEL__ENTITY_BINS,
                             sk->entity_oph_seed, out->entities, NULL);
    meta->num_entities = linear_count(ent_bits, 1024, nent);

    /* Main shingles, each with the word it starts at. */
    size_t nsh;
    if (p->shingle == DOPPEL_SHINGLE_CHAR) {
        nsh = ref_shingle_chars(t, p->shingle_size, sk->shingle_seed,
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
            m = ref_skeleton(sc->base, keep, n, sc->sym, sc->sym_pos,
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
        nsh = ref_shingle_words(sc->sym, sc->sym_pos, m, k, seed,
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
        filled = ref_minhash_one_perm(sc->shingles, sc->pos8, nsh, K,
                                          sk->oph_seed, out->values,
                                          out->positions);
    else
        filled = ref_minhash_k_perm(sc->shingles, sc->pos8, nsh, K,
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
    ref_minhash_one_perm(sc->shingles + first, NULL, nlede,
                             DOPPEL__LEDE_BINS, sk->lede_oph_seed, out->lede,
                             NULL);
    return DOPPEL_OK;
}



int ref_sketch(const doppel_params *p, const char *text, size_t len,
               doppel__sketch *out)
{
    ref_sketcher sk;
    memset(&sk, 0, sizeof sk);
    sk.params = *p;
    uint64_t st = p->seed;
    sk.word_seed = doppel__splitmix64(&st);
    sk.shingle_seed = doppel__splitmix64(&st);
    sk.fallback_seed = doppel__splitmix64(&st);
    sk.entity_seed = doppel__splitmix64(&st);
    sk.oph_seed = doppel__splitmix64(&st);
    sk.lede_oph_seed = doppel__splitmix64(&st);
    sk.entity_oph_seed = doppel__splitmix64(&st);
    if (p->minhash == DOPPEL_MINHASH_K_PERM) {
        sk.kperm_a = malloc(p->num_perm * sizeof(uint64_t));
        sk.kperm_b = malloc(p->num_perm * sizeof(uint64_t));
        for (unsigned k = 0; k < p->num_perm; k++) {
            sk.kperm_a[k] = doppel__splitmix64(&st) | 1u;
            sk.kperm_b[k] = doppel__splitmix64(&st);
        }
    }
    ref_scratch sc;
    memset(&sc, 0, sizeof sc);
    int rc = ref_sketch_into(&sk, &sc, text, len, out);
    ref_scratch_free(&sc);
    free(sk.kperm_a);
    free(sk.kperm_b);
    return rc;
}

/* ------------------------------------------------------------------ LSH */

static void ref_radix_sort64(uint64_t *keys, uint64_t *tmp, size_t n)
{
    if (n < 256) {
        for (size_t i = 1; i < n; i++) {
            uint64_t k = keys[i];
            size_t j = i;
            for (; j > 0 && keys[j - 1] > k; j--)
                keys[j] = keys[j - 1];
            keys[j] = k;
        }
        return;
    }
    enum { BITS = 16, BUCKETS = 1 << BITS };
    static const unsigned passes = 64 / BITS;
    size_t count[BUCKETS];
    uint64_t *src = keys, *dst = tmp;
    for (unsigned pass = 0; pass < passes; pass++) {
        unsigned shift = pass * BITS;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & (BUCKETS - 1)]++;
        /* Skip a pass where every key has the same digit. */
        if (n && count[(src[0] >> shift) & (BUCKETS - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & (BUCKETS - 1)]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

/* Sort (key, doc) entries by key, stable in doc order: the doc numbers are
 * appended in increasing order and every pass is stable. */
typedef struct {
    uint64_t key;
    uint32_t doc;
} band_entry;

static void sort_entries(band_entry *e, band_entry *tmp, size_t n)
{
    if (n < 256) { /* insertion sort: stable */
        for (size_t i = 1; i < n; i++) {
            band_entry x = e[i];
            size_t j = i;
            for (; j > 0 && e[j - 1].key > x.key; j--)
                e[j] = e[j - 1];
            e[j] = x;
        }
        return;
    }
    enum { BITS = 16, BUCKETS = 1 << BITS };
    size_t count[BUCKETS];
    band_entry *src = e, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += BITS) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & (BUCKETS - 1)]++] = src[i];
        band_entry *t = src;
        src = dst;
        dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
}

static int push_pair(doppel__pairvec *out, uint32_t a, uint32_t b,
                     const doppel_allocator *al)
{
    if (out->n == out->cap &&
        doppel__grow(al, (void **)&out->v, &out->cap, out->n + 1,
                     sizeof(uint64_t)) < 0)
        return DOPPEL_ERR_NOMEM;
    out->v[out->n++] = ((uint64_t)a << 32) | b;
    return DOPPEL_OK;
}

static int ref_pairs_unique_a(doppel__pairvec *p, const doppel_allocator *a);

int ref_pairs_unique(doppel__pairvec *p)
{
    const doppel_allocator *a = NULL;
    return ref_pairs_unique_a(p, a);
}

static int ref_pairs_unique_a(doppel__pairvec *p, const doppel_allocator *a)
{
    if (p->n < 2)
        return DOPPEL_OK;
    uint64_t *tmp = doppel__malloc_array(a, p->n, sizeof(uint64_t));
    if (!tmp)
        return DOPPEL_ERR_NOMEM;
    ref_radix_sort64(p->v, tmp, p->n);
    doppel__free(a, tmp);
    size_t w = 1;
    for (size_t i = 1; i < p->n; i++)
        if (p->v[i] != p->v[w - 1])
            p->v[w++] = p->v[i];
    p->n = w;
    return DOPPEL_OK;
}

int ref_lsh_candidates(const uint16_t *values, size_t stride,
                       const uint8_t *skip, uint8_t skip_mask, size_t n,
                       unsigned bands, unsigned rows, unsigned band_seed,
                       doppel__pairvec *out, uint64_t *hot_buckets)
{
    const doppel_allocator *a = NULL;
    if (n < 2)
        return DOPPEL_OK;
    band_entry *e = doppel__malloc_array(a, n, sizeof *e);
    band_entry *tmp = doppel__malloc_array(a, n, sizeof *tmp);
    if (!e || !tmp) {
        doppel__free(a, e);
        doppel__free(a, tmp);
        return DOPPEL_ERR_NOMEM;
    }
    int rc = DOPPEL_OK;
    size_t after_unique = out->n;
    for (unsigned band = 0; band < bands && rc == DOPPEL_OK; band++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (skip && (skip[i] & skip_mask))
                continue;
            e[m].key = doppel__hash_band(values + i * stride + band * rows,
                                         rows, band_seed + band);
            e[m].doc = (uint32_t)i;
            m++;
        }
        sort_entries(e, tmp, m);
        for (size_t s = 0; s < m && rc == DOPPEL_OK;) {
            size_t t = s + 1;
            while (t < m && e[t].key == e[s].key)
                t++;
            if (t - s > DOPPEL__LSH_WINDOW)
                (*hot_buckets)++;
            for (size_t j = s + 1; j < t && rc == DOPPEL_OK; j++) {
                size_t from = j - s > DOPPEL__LSH_WINDOW
                                  ? j - DOPPEL__LSH_WINDOW
                                  : s;
                for (size_t i = from; i < j && rc == DOPPEL_OK; i++)
                    rc = push_pair(out, e[i].doc, e[j].doc, a);
            }
            s = t;
        }
        /* Keep the pair list from growing with the number of bands. */
        if (rc == DOPPEL_OK && out->n > 2 * after_unique + 4 * n + 1024) {
            rc = ref_pairs_unique_a(out, a);
            after_unique = out->n;
        }
    }
    doppel__free(a, e);
    doppel__free(a, tmp);
    return rc;
}


/* ------------------------------------------------------------ S-curve */

static double ref_probability(double s, unsigned bands, unsigned rows)
{
    if (s <= 0.0)
        return 0.0;
    if (s >= 1.0)
        return 1.0;
    return 1.0 - pow(1.0 - pow(s, (double)rows), (double)bands);
}

/* Simpson's rule over [lo, hi] with n (even) intervals. */
static double integrate(double lo, double hi, unsigned b, unsigned r,
                        int false_negative)
{
    const int n = 256;
    double h = (hi - lo) / n, sum = 0.0;
    for (int i = 0; i <= n; i++) {
        double p = ref_probability(lo + i * h, b, r);
        double f = false_negative ? 1.0 - p : p;
        sum += f * (i == 0 || i == n ? 1.0 : (i % 2 ? 4.0 : 2.0));
    }
    return sum * h / 3.0;
}


void ref_lsh_optimal_params(double threshold, unsigned num_perm,
                            double fp_weight, double fn_weight,
                            unsigned *bands, unsigned *rows)
{
    double best = INFINITY;
    unsigned best_b = 1, best_r = 1;
    for (unsigned b = 1; b <= num_perm; b++) {
        for (unsigned r = 1; r <= num_perm / b; r++) {
            double fp = integrate(0.0, threshold, b, r, 0);
            double fn = integrate(threshold, 1.0, b, r, 1);
            double e = fp_weight * fp + fn_weight * fn;
            if (e < best) {
                best = e;
                best_b = b;
                best_r = r;
            }
        }
    }
    *bands = best_b;
    *rows = best_r;
}

/* ---------------------------------------------------------- verification */

static unsigned ref_minhash_equal(const doppel__mh *x, const doppel__mh *y,
                                  unsigned K)
{
    unsigned eq = 0;
    for (unsigned k = 0; k < K; k++)
        eq += x[k] == y[k];
    return eq;
}

static double ref_minhash_similarity(const doppel__mh *x, const doppel__mh *y,
                                     unsigned K)
{
    return (double)ref_minhash_equal(x, y, K) / (double)K;
}

static unsigned ref_largest_gap(const uint8_t *pos, const doppel__mh *x,
                            const doppel__mh *y, unsigned K)
{
    /* Counting sort of the bins by position (ties by bin number). */
    uint16_t start[257];
    uint16_t order[4096];
    memset(start, 0, sizeof start);
    for (unsigned k = 0; k < K; k++)
        start[pos[k] + 1]++;
    for (unsigned v = 0; v < 256; v++)
        start[v + 1] = (uint16_t)(start[v + 1] + start[v]);
    for (unsigned k = 0; k < K; k++)
        order[start[pos[k]]++] = (uint16_t)k;
    int prev = 0; /* position of the last matched bin, or the start edge */
    unsigned misses = 0, gap = 0, any = 0;
    for (unsigned i = 0; i < K; i++) {
        unsigned k = order[i];
        if (x[k] != y[k]) {
            misses++;
            continue;
        }
        any = 1;
        if (misses >= 2 && (unsigned)(pos[k] - prev) > gap)
            gap = (unsigned)(pos[k] - prev);
        misses = 0;
        prev = pos[k];
    }
    if (!any)
        return 256;
    if (misses >= 2 && (unsigned)(255 - prev) > gap)
        gap = (unsigned)(255 - prev);
    return gap;
}

/* Share of the smaller set found in the larger, from their Jaccard
 * similarity and sizes. */
static double ref_containment(double j, uint32_t na, uint32_t nb)
{
    uint32_t small = na < nb ? na : nb;
    if (small == 0)
        return 0.0;
    double c = j * ((double)na + (double)nb) / ((1.0 + j) * (double)small);
    return c > 1.0 ? 1.0 : c;
}

void ref_verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                unsigned K, const doppel_params *p, doppel_match *out)
{
    const doppel__sketch_meta *ma = a->meta, *mb = b->meta;
    out->jaccard = out->containment = out->similarity = out->lede = 0.0;
    out->entities = -1.0;
    out->spread_a = out->spread_b = 0;
    out->duplicate = 0;
    if ((ma->flags | mb->flags) & DOPPEL__SIG_EMPTY) {
        out->reason = "an empty document is a duplicate of nothing";
        return;
    }
    out->lede = ref_minhash_similarity(a->lede, b->lede, DOPPEL__LEDE_BINS);
    unsigned eq = ref_minhash_equal(a->values, b->values, K);
    double j = (double)eq / (double)K;
    out->jaccard = j;
    out->containment = ref_containment(j, ma->num_shingles, mb->num_shingles);
    unsigned gap_a = ref_largest_gap(a->positions, a->values, b->values, K);
    unsigned gap_b = ref_largest_gap(b->positions, a->values, b->values, K);
    out->spread_a = gap_a <= DOPPEL__SPREAD_MAX_GAP;
    out->spread_b = gap_b <= DOPPEL__SPREAD_MAX_GAP;

    uint32_t ea = ma->num_entities, eb = mb->num_entities;
    uint32_t emin = ea < eb ? ea : eb, emax = ea < eb ? eb : ea;
    if (emin >= DOPPEL__ENTITY_MIN &&
        emax <= (uint64_t)emin * DOPPEL__ENTITY_MAX_RATIO) {
        double je = ref_minhash_similarity(a->entities, b->entities,
                                               DOPPEL__ENTITY_BINS);
        out->entities = ref_containment(je, ea, eb);
    }

    if (p->verify == DOPPEL_VERIFY_JACCARD) {
        out->similarity = j;
        out->duplicate = j >= p->threshold;
        out->reason = out->duplicate ? "Jaccard similarity at or above the "
                                       "threshold"
                                     : "Jaccard similarity below the "
                                       "threshold";
        return;
    }
    int a_small = ma->num_shingles <= mb->num_shingles;
    uint32_t ns = a_small ? ma->num_shingles : mb->num_shingles;
    uint32_t ng = a_small ? mb->num_shingles : ma->num_shingles;
    int spread_small = a_small ? out->spread_a : out->spread_b;
    int by_jaccard = j >= p->threshold;
    int by_containment = out->containment >= p->containment;
    int contained = 0;
    int both = gap_a <= DOPPEL__SPREAD_MAX_GAP_BOTH &&
               gap_b <= DOPPEL__SPREAD_MAX_GAP_BOTH;
    if (by_jaccard && both) {
        out->similarity = j;
    } else if (by_containment && spread_small &&
               ns >= DOPPEL__CONTAIN_MIN_SHINGLES &&
               (uint64_t)ns * DOPPEL__CONTAIN_MAX_RATIO >= ng &&
               out->lede >= DOPPEL__CONTAIN_MIN_LEDE) {
        out->similarity = out->containment;
        contained = 1;
    } else {
        out->similarity = j;
        out->reason =
            by_jaccard || by_containment
                ? "the shared text is confined to one part of each document "
                  "(boilerplate, or a quoted or copied passage)"
                : "similarity below the threshold";
        return;
    }
    if (out->entities >= 0.0 && out->entities < DOPPEL__ENTITY_MIN_SHARE) {
        out->reason = "the text matches but the names and numbers differ "
                      "(one template, different stories)";
        return;
    }
    out->duplicate = 1;
    out->reason = !contained ? "Jaccard similarity at or above the "
                                         "threshold, shared throughout"
                                       : "the smaller document is contained "
                                         "in the larger";
}
