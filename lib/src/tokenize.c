/*
 * tokenize.c — normalisation and word splitting, fused into one pass over
 * the bytes because this is the hottest loop of the library: every byte of
 * every article passes through it once.
 *
 * Two paths produce exactly the same words:
 *
 *  - ASCII, 64 bytes at a time. A classifier turns a block into bitmasks
 *    (letter or digit, upper case, digit, apostrophe, LF, CR, sentence
 *    end, not ASCII; bit k = byte k) and a lower-cased copy of the block.
 *    Words are then the runs of set bits of "letter or digit, or an
 *    apostrophe between two of them", found with count-trailing-zeros; each
 *    word is copied out with one 16-byte move, and the layout flags of the
 *    word (new line, new paragraph, new sentence) are popcounts of the
 *    separator masks between it and the word before. No branch depends on
 *    a word's length, so the cost is a few instructions per byte plus a
 *    few dozen per word. The classifier exists three times — portable C
 *    (a table and a multiply that gathers one bit of eight bytes), SSE2
 *    (every x86-64) and AVX2 (chosen at run time when the CPU has it) —
 *    and tests run all of them against the reference tokenizer.
 *
 *  - Anything else, one code point at a time: a block stops at its first
 *    byte >= 0x80, and the general step decodes it (invalid sequences
 *    become U+FFFD, one byte at a time, so the loop always advances and
 *    never reads past the end) and looks it up in the generated Unicode
 *    table (unicode.h), which also folds case for every script, strips
 *    Latin and Greek diacritics and folds typographic punctuation. Blocks
 *    resume at the next ASCII byte.
 *
 * The output is the folded words joined by single spaces plus, per word,
 * its (start, length) and flags: whether it was capitalised or holds a
 * digit (names and numbers, which spinners leave alone) and whether it
 * starts a line or a paragraph (layout, which tells the lede from a
 * header).
 */
#include "tokenize.h"
#include "unicode.h"

#include <string.h>

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

/* ------------------------------------------------------ block classifier */

#define BLOCK 64

/* Class bits of a byte (cls_table) and the block masks they become. */
enum {
    B_AL = 1,  /* ASCII letter or digit */
    B_UP = 2,  /* A-Z */
    B_DG = 4,  /* 0-9 */
    B_AP = 8,  /* ' or ` */
    B_LF = 16, /* \n */
    B_CR = 32, /* \r */
    B_SE = 64, /* . ! ? */
    B_NA = 128 /* not ASCII */
};

static const uint8_t cls_table[256] = {
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,  16,   0,   0,  32,   0,   0,
      0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
      0,  64,   0,   0,   0,   0,   0,   8,   0,   0,   0,   0,   0,   0,  64,   0,
      5,   5,   5,   5,   5,   5,   5,   5,   5,   5,   0,   0,   0,   0,   0,  64,
      0,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,
      3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   3,   0,   0,   0,   0,   0,
      8,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,
      1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   1,   0,   0,   0,   0,   0,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
    128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
};

/* One classified block of 64 bytes: bit k of a mask is byte k. `low` is
 * the block lower-cased, with ` written as ' (the one apostrophe kept),
 * and 16 bytes of slack so a word is copied out with one 16-byte move. */
typedef struct block {
    uint64_t al, up, dg, ap, lf, cr, se, na;
    unsigned char low[BLOCK + 16];
} block;

/* Portable: eight bytes' class bytes in a word, then bit j of each byte
 * gathered into 8 bits with one multiply (the terms of the product never
 * overlap, so there are no carries). */
static inline void classify_scalar(const unsigned char *s, block *b)
{
    uint64_t m[8] = {0};
    for (unsigned k = 0; k < BLOCK; k += 8) {
        uint64_t x = 0;
        for (unsigned j = 0; j < 8; j++) {
            unsigned c = s[k + j];
            x |= (uint64_t)cls_table[c] << (8 * j);
            b->low[k + j] = c < 0x80 ? A_CHR(ascii_table[c]) : (unsigned char)c;
        }
        for (unsigned bit = 0; bit < 8; bit++) {
            uint64_t y = (x >> bit) & 0x0101010101010101ull;
            m[bit] |= ((y * 0x0102040810204080ull) >> 56) << k;
        }
    }
    b->al = m[0];
    b->up = m[1];
    b->dg = m[2];
    b->ap = m[3];
    b->lf = m[4];
    b->cr = m[5];
    b->se = m[6];
    b->na = m[7];
}

#if defined(__SSE2__)
#include <emmintrin.h>
#define DOPPEL__HAVE_SSE2 1

/* Bytes of v in [lo, hi] (unsigned), as 0xFF. */
static inline __m128i in_range16(__m128i v, int lo, int hi)
{
    __m128i t = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo)));
    return _mm_cmplt_epi8(t, _mm_set1_epi8((char)(hi - lo + 1 - 128)));
}

static inline void classify_sse2(const unsigned char *s, block *b)
{
    uint64_t al = 0, up = 0, dg = 0, ap = 0, lf = 0, cr = 0, se = 0, na = 0;
    for (unsigned k = 0; k < BLOCK; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
        __m128i u = in_range16(v, 'A', 'Z');
        __m128i l = in_range16(v, 'a', 'z');
        __m128i d = in_range16(v, '0', '9');
        __m128i bt = _mm_cmpeq_epi8(v, _mm_set1_epi8('`'));
        __m128i a = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')), bt);
        __m128i e = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('!'))),
            _mm_cmpeq_epi8(v, _mm_set1_epi8('?')));
        __m128i low = _mm_add_epi8(v, _mm_and_si128(u, _mm_set1_epi8(0x20)));
        low = _mm_xor_si128(low, _mm_and_si128(bt, _mm_set1_epi8('`' ^ '\'')));
        _mm_storeu_si128((__m128i *)(void *)(b->low + k), low);
#define MASK(x) ((uint64_t)(unsigned)_mm_movemask_epi8(x) << k)
        al |= MASK(_mm_or_si128(_mm_or_si128(u, l), d));
        up |= MASK(u);
        dg |= MASK(d);
        ap |= MASK(a);
        lf |= MASK(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        cr |= MASK(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
        se |= MASK(e);
        na |= MASK(v);
#undef MASK
    }
    b->al = al;
    b->up = up;
    b->dg = dg;
    b->ap = ap;
    b->lf = lf;
    b->cr = cr;
    b->se = se;
    b->na = na;
}
#endif

#if defined(__GNUC__) && defined(__x86_64__) && defined(DOPPEL__HAVE_SSE2)
#include <immintrin.h>
#define DOPPEL__HAVE_AVX2 1
#define DOPPEL__HAVE_AVX512 1
#define TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt,lzcnt")))
#define TARGET_AVX512                                                          \
    __attribute__((target("avx512f,avx512bw,avx2,bmi,bmi2,popcnt,lzcnt")))

TARGET_AVX2 static inline __m256i in_range32(__m256i v, int lo, int hi)
{
    __m256i t = _mm256_add_epi8(v, _mm256_set1_epi8((char)(0x80 - lo)));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(hi - lo + 1 - 128)), t);
}

TARGET_AVX2 static inline void classify_avx2(const unsigned char *s, block *b)
{
    uint64_t al = 0, up = 0, dg = 0, ap = 0, lf = 0, cr = 0, se = 0, na = 0;
    for (unsigned k = 0; k < BLOCK; k += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(s + k));
        __m256i u = in_range32(v, 'A', 'Z');
        __m256i l = in_range32(v, 'a', 'z');
        __m256i d = in_range32(v, '0', '9');
        __m256i bt = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('`'));
        __m256i a =
            _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\'')), bt);
        __m256i e = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')),
                            _mm256_cmpeq_epi8(v, _mm256_set1_epi8('!'))),
            _mm256_cmpeq_epi8(v, _mm256_set1_epi8('?')));
        __m256i low =
            _mm256_add_epi8(v, _mm256_and_si256(u, _mm256_set1_epi8(0x20)));
        low = _mm256_xor_si256(
            low, _mm256_and_si256(bt, _mm256_set1_epi8('`' ^ '\'')));
        _mm256_storeu_si256((__m256i *)(void *)(b->low + k), low);
#define MASK(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x) << k)
        al |= MASK(_mm256_or_si256(_mm256_or_si256(u, l), d));
        up |= MASK(u);
        dg |= MASK(d);
        ap |= MASK(a);
        lf |= MASK(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
        cr |= MASK(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
        se |= MASK(e);
        na |= MASK(v);
#undef MASK
    }
    b->al = al;
    b->up = up;
    b->dg = dg;
    b->ap = ap;
    b->lf = lf;
    b->cr = cr;
    b->se = se;
    b->na = na;
}

/* AVX-512BW: compares write the masks directly. */
TARGET_AVX512 static inline void classify_avx512(const unsigned char *s,
                                                 block *b)
{
    __m512i v = _mm512_loadu_si512((const void *)s);
#define EQ(c) _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c))
#define RANGE(lo, n)                                                           \
    _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(lo)),           \
                           _mm512_set1_epi8(n))
    __mmask64 u = RANGE('A', 26), d = RANGE('0', 10);
    __mmask64 bt = EQ('`');
    b->al = u | d | RANGE('a', 26);
    b->up = u;
    b->dg = d;
    b->ap = EQ('\'') | bt;
    b->lf = EQ('\n');
    b->cr = EQ('\r');
    b->se = EQ('.') | EQ('!') | EQ('?');
    b->na = _mm512_movepi8_mask(v);
    __m512i low = _mm512_mask_add_epi8(v, u, v, _mm512_set1_epi8(0x20));
    low = _mm512_mask_mov_epi8(low, bt, _mm512_set1_epi8('\''));
    _mm512_storeu_si512((void *)b->low, low);
#undef EQ
#undef RANGE
}
#endif

int doppel__tokenize_available(doppel__tok_impl impl)
{
    switch (impl) {
    case DOPPEL__TOK_AUTO:
    case DOPPEL__TOK_SCALAR:
        return 1;
    case DOPPEL__TOK_SSE2:
#if defined(DOPPEL__HAVE_SSE2)
        return 1;
#else
        return 0;
#endif
    case DOPPEL__TOK_AVX2:
#if defined(DOPPEL__HAVE_AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                       __builtin_cpu_supports("bmi2") &&
                       __builtin_cpu_supports("popcnt")
                   ? 1
                   : 0;
#else
        return 0;
#endif
    case DOPPEL__TOK_AVX512:
#if defined(DOPPEL__HAVE_AVX512)
        return doppel__tokenize_available(DOPPEL__TOK_AVX2) &&
                       __builtin_cpu_supports("avx512bw")
                   ? 1
                   : 0;
#else
        return 0;
#endif
    case DOPPEL__TOK_IMPLS:
        break;
    }
    return 0;
}

const char *doppel__tokenize_name(doppel__tok_impl impl)
{
    static const char *const names[] = {"auto", "scalar", "sse2", "avx2",
                                        "avx512"};
    return impl < DOPPEL__TOK_IMPLS ? names[impl] : "?";
}

/* ---------------------------------------------------------- tokenizer */

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

/* The layout flags a word gets: LINE | SENT after a line break, PARA
 * after two, SENT after a sentence end. Kept as the flags themselves:
 * the only count that matters (one line break or two) is "LINE already
 * set". */
#define LAYOUT_START (DOPPEL__TOK_LINE | DOPPEL__TOK_SENT | DOPPEL__TOK_PARA)

static inline unsigned layout_newline(unsigned pend)
{
    return pend | DOPPEL__TOK_LINE | DOPPEL__TOK_SENT |
           ((pend & DOPPEL__TOK_LINE) ? DOPPEL__TOK_PARA : 0u);
}

/* The layout after the line breaks in mask nl (and sentence ends in se). */
static inline unsigned layout_add(unsigned pend, uint64_t nl, uint64_t se)
{
    if (nl)
        pend = layout_newline(pend) |
               ((nl & (nl - 1)) ? DOPPEL__TOK_PARA : 0u);
    if (se)
        pend |= DOPPEL__TOK_SENT;
    return pend;
}

/* The tokenizer, instantiated once per classifier (tokenize_impl.h). */
#define TOK_FN tokenize_scalar
#define TOK_CLASSIFY classify_scalar
#define TOK_TARGET
#include "tokenize_impl.h"

#if defined(DOPPEL__HAVE_SSE2)
#define TOK_FN tokenize_sse2
#define TOK_CLASSIFY classify_sse2
#define TOK_TARGET
#include "tokenize_impl.h"
#endif

#if defined(DOPPEL__HAVE_AVX2)
#define TOK_FN tokenize_avx2
#define TOK_CLASSIFY classify_avx2
#define TOK_TARGET TARGET_AVX2
#include "tokenize_impl.h"
#endif

#if defined(DOPPEL__HAVE_AVX512)
#define TOK_FN tokenize_avx512
#define TOK_CLASSIFY classify_avx512
#define TOK_TARGET TARGET_AVX512
#include "tokenize_impl.h"
#endif

int doppel__tokenize(const char *str, size_t n, doppel__tokens *t,
                     const doppel_allocator *a)
{
    return doppel__tokenize_with(str, n, t, a, DOPPEL__TOK_AUTO);
}

int doppel__tokenize_with(const char *str, size_t n, doppel__tokens *t,
                          const doppel_allocator *a, doppel__tok_impl impl)
{
    t->n = 0;
    t->text_len = 0;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    /* A folded code point takes at most 1.5x the bytes of its encoding
     * (2-byte -> 3-byte), plus one space per word: 2n + 8 always suffices,
     * and words are copied 16 bytes at a time (slack). Words need at least
     * two bytes each except ideographs, which need three: n / 2 + 2 words
     * is enough for any input. */
    if (reserve(t, 2 * n + 8 + 32, n / 2 + 2, a) < 0)
        return DOPPEL_ERR_NOMEM;
    if (impl == DOPPEL__TOK_AUTO)
        impl = doppel__tokenize_available(DOPPEL__TOK_AVX512) ? DOPPEL__TOK_AVX512
               : doppel__tokenize_available(DOPPEL__TOK_AVX2) ? DOPPEL__TOK_AVX2
               : doppel__tokenize_available(DOPPEL__TOK_SSE2) ? DOPPEL__TOK_SSE2
                                                              : DOPPEL__TOK_SCALAR;
    switch (impl) {
#if defined(DOPPEL__HAVE_AVX512)
    case DOPPEL__TOK_AVX512:
        tokenize_avx512((const unsigned char *)str, n, t);
        break;
#endif
#if defined(DOPPEL__HAVE_AVX2)
    case DOPPEL__TOK_AVX2:
        tokenize_avx2((const unsigned char *)str, n, t);
        break;
#endif
#if defined(DOPPEL__HAVE_SSE2)
    case DOPPEL__TOK_SSE2:
        tokenize_sse2((const unsigned char *)str, n, t);
        break;
#endif
    default:
        tokenize_scalar((const unsigned char *)str, n, t);
        break;
    }
    return DOPPEL_OK;
}

void doppel__tokens_free(doppel__tokens *t, const doppel_allocator *a)
{
    doppel__free(a, t->text);
    doppel__free(a, t->start);
    doppel__free(a, t->len);
    doppel__free(a, t->flags);
    memset(t, 0, sizeof *t);
}

int doppel__normalize(const char *str, size_t n, char **outp, size_t *out_len,
                      const doppel_allocator *a)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n > DOPPEL__MAX_TEXT_BYTES)
        return DOPPEL_ERR_LIMIT;
    /* Unlike the words, the normalised text keeps punctuation, and an
     * invalid byte becomes U+FFFD: three bytes for one. Folding grows a
     * valid sequence by at most half, and a space is written only for a
     * run of whitespace it replaces: 3n + 1 always suffices. */
    unsigned char *out = doppel__malloc(a, 3 * n + 8);
    if (!out)
        return DOPPEL_ERR_NOMEM;
    size_t p = 0, i = 0;
    int pending_space = 0;
    while (i < n) {
        uint32_t cp;
        int cls, nl;
        i += next_cp(s, n, i, &cp, &cls, &nl);
        cls = DOPPEL__UC_CLASS(cls);
        if (cls == DOPPEL__UC_IGNORE)
            continue;
        if (cls == DOPPEL__UC_SPACE) {
            pending_space = p > 0;
            continue;
        }
        if (pending_space) {
            out[p++] = ' ';
            pending_space = 0;
        }
        p += doppel__utf8_encode(cp, out + p);
    }
    out[p] = '\0';
    *outp = (char *)out;
    *out_len = p;
    return DOPPEL_OK;
}
