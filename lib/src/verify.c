/*
 * verify.c — is a candidate pair a pair of copies? Decided from the two
 * sketches alone, so that a batch dedup and a growing index give the same
 * verdicts.
 *
 * Jaccard similarity alone fails both ways on news: a copy wrapped in a
 * large site footer or cut to half has a low Jaccard similarity with its
 * original, while two different short articles under the same large footer
 * have a high one. Three more pieces of evidence, each cheap to read off
 * the sketches, separate them:
 *
 *  - containment: with the estimated number of distinct shingles of each
 *    document, |A n B| = J (|A| + |B|) / (1 + J); divided by the smaller
 *    set it says how much of the smaller document the larger one holds. A
 *    truncated copy, or an original whose copy added boilerplate, is
 *    contained.
 *
 *  - spread: every bin remembers where in its document its shingle starts.
 *    If the documents are copies, the bins that match are spread over the
 *    whole of (at least) the smaller one. If they only share a footer, a
 *    quoted paragraph or a header, matches cluster in that part and a long
 *    stretch of each document matches nothing (see spread()).
 *
 *  - names and numbers: a spinner leaves them alone, so copies agree on
 *    them; two stories filled into one template (earnings, results) agree
 *    on everything else and differ exactly there.
 *
 *  - boilerplate (only when the caller has corpus statistics: a dedup over
 *    a batch, an index): a value a bin holds in many documents is common —
 *    a site's footer, a template, but also a story reprinted many times.
 *    Common content is boilerplate only when the documents differ
 *    everywhere else: if both documents have a good share of distinctive
 *    (not common) bins, the bins distinctive in both must mostly match.
 *    Pages under one footer fail (their distinctive bins are their own
 *    articles); reprints of a wire story never engage the rule (nearly all
 *    of each is common), nor do copies of an ordinary article (nearly all
 *    of it is distinctive, and matches).
 */
#include "verify.h"
#include "hash.h"
#include "minhash.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif


/* How far are the matching bins from being spread over the whole document
 * whose bin positions are `pos`? Bins are taken in order of position; each
 * run of unmatched bins (two or more) spans the stretch of the document
 * from the matched bin (or document edge) before it to the one after it.
 * Returns the longest such stretch in 256ths of the document's length (256
 * when nothing matches). A stretch holding no bins at all is no evidence
 * either way (a list of names yields few skeleton shingles) and does not
 * count.
 *
 * Copies of every kind measured on the labelled benchmark — spun, typo'd,
 * truncated, reordered, wrapped in boilerplate — leave stretches of 0.05 to
 * 0.1 in the median and above 0.3 in under 0.5% of pairs
 * (docs/spin-robustness.md); two pages sharing a site's header and footer
 * leave the whole article body unmatched. A test on the length of runs in
 * bins, under independence, was tried first and rejected: neighbouring
 * k-grams share words, so misses clump and genuine copies failed it 8-16%
 * of the time. */
static unsigned gap_walk(const uint8_t *pos, const doppel__mh *x,
                         const doppel__mh *y, unsigned K,
                         const uint8_t *order8, const uint16_t *order16);

/* Bins in order of position, ties by bin number (a counting sort). */
#define SORT_BINS(ORDER, TYPE)                                                 \
    do {                                                                       \
        uint16_t start[257];                                                   \
        memset(start, 0, sizeof start);                                        \
        for (unsigned k = 0; k < K; k++)                                       \
            start[pos[k] + 1]++;                                               \
        for (unsigned v = 0; v < 256; v++)                                     \
            start[v + 1] = (uint16_t)(start[v + 1] + start[v]);                \
        for (unsigned k = 0; k < K; k++)                                       \
            (ORDER)[start[pos[k]]++] = (TYPE)k;                                \
    } while (0)

void doppel__spread_index(const uint8_t *pos, unsigned K, uint8_t *order,
                          uint8_t *spos)
{
    SORT_BINS(order, uint8_t);
    for (unsigned r = 0; r < K; r++)
        spos[r] = pos[order[r]];
}

/* Bit k of m[] set when x[k] == y[k] (K <= 256). */
static void match_mask(const doppel__mh *x, const doppel__mh *y, unsigned K,
                       uint64_t m[4])
{
    m[0] = m[1] = m[2] = m[3] = 0;
    unsigned k = 0;
#if defined(__SSE2__)
    for (; k + 16 <= K; k += 16) {
        __m128i e0 = _mm_cmpeq_epi16(
            _mm_loadu_si128((const __m128i *)(const void *)(x + k)),
            _mm_loadu_si128((const __m128i *)(const void *)(y + k)));
        __m128i e1 = _mm_cmpeq_epi16(
            _mm_loadu_si128((const __m128i *)(const void *)(x + k + 8)),
            _mm_loadu_si128((const __m128i *)(const void *)(y + k + 8)));
        uint64_t bits =
            (uint64_t)(unsigned)_mm_movemask_epi8(_mm_packs_epi16(e0, e1));
        m[k >> 6] |= bits << (k & 63);
    }
#endif
    for (; k < K; k++)
        m[k >> 6] |= (uint64_t)(x[k] == y[k]) << (k & 63);
}

/* Bits of the first K places of a 256-bit set (4 words). */
static inline uint64_t valid_word(unsigned K, unsigned w)
{
    return K <= w * 64 ? 0 : K - w * 64 >= 64 ? ~0ull
                                               : (1ull << (K - w * 64)) - 1;
}

/* un[] = the ranks (places in position order) of the unmatched bins:
 * bit r set when bin order[r] is not in the match mask. Portable: one
 * bit test per rank, no branches. */
static void unmatched_ranks_scalar(const uint64_t match[4], unsigned K,
                                   const uint8_t *order, uint64_t un[4])
{
    for (unsigned w = 0; w < 4; w++) {
        uint64_t u = 0;
        for (unsigned r = w * 64; r < K && r < w * 64 + 64; r++) {
            unsigned k = order[r];
            u |= (((match[k >> 6] >> (k & 63)) & 1) ^ 1) << (r & 63);
        }
        un[w] = u;
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define DOPPEL__HAVE_VBMI 1
/* AVX-512 VBMI: the match mask as bytes (0xFF matched), permuted into
 * position order 64 ranks per instruction (a 128-byte table per
 * permutex2var, two of them and a blend on index bit 7 for K > 128). */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static void
unmatched_ranks_vbmi(const uint64_t match[4], unsigned K,
                     const uint8_t *order, uint64_t un[4])
{
    __m512i m0 = _mm512_movm_epi8(match[0]), m1 = _mm512_movm_epi8(match[1]);
    __m512i m2 = _mm512_movm_epi8(match[2]), m3 = _mm512_movm_epi8(match[3]);
    for (unsigned w = 0; w < 4; w++) {
        uint64_t valid = valid_word(K, w);
        if (!valid) {
            un[w] = 0;
            continue;
        }
        __m512i idx = _mm512_maskz_loadu_epi8(valid, order + w * 64);
        __m512i got = _mm512_permutex2var_epi8(m0, idx, m1);
        if (K > 128)
            got = _mm512_mask_blend_epi8(
                _mm512_movepi8_mask(idx), got,
                _mm512_permutex2var_epi8(m2, idx, m3));
        un[w] = ~(uint64_t)_mm512_movepi8_mask(got) & valid;
    }
}
#endif

int doppel__spread_gap_available(int impl)
{
    switch (impl) {
    case 0:
    case 1:
        return 1;
    case 2:
#if defined(DOPPEL__HAVE_VBMI)
        return __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512vbmi")
                   ? 1
                   : 0;
#else
        return 0;
#endif
    }
    return 0;
}

/* The largest gap from a document's spread index (doppel__spread_index:
 * its bins in position order, and their positions) and the pair's match
 * mask: every maximal run of two or more unmatched ranks is a stretch with
 * no match, from the matched bin before it (or the start, position 0) to
 * the matched bin after it (or the end, 255). The same answer as the walk
 * below. The unmatched ranks are a bitmap (unmatched_ranks_*), and only
 * the runs of two or more are visited: their first ranks are the set bits
 * of un & ~(un << 1) & (un >> 1), across the four words. Capped like
 * largest_gap. */
unsigned doppel__spread_gap(const uint64_t match[4], unsigned eq, unsigned K,
                            const uint8_t *index, int impl)
{
    if (eq == 0)
        return 256; /* nothing matches */
    const uint8_t *order = index, *spos = index + K;
    uint64_t un[4];
#if defined(DOPPEL__HAVE_VBMI)
    if (impl == 0)
        impl = doppel__spread_gap_available(2) ? 2 : 1;
    if (impl == 2)
        unmatched_ranks_vbmi(match, K, order, un);
    else
#endif
        unmatched_ranks_scalar(match, K, order, un);
    unsigned gap = 0;
    for (unsigned w = 0; w < 4 && w * 64 < K; w++) {
        uint64_t below = w ? un[w - 1] >> 63 : 0;  /* rank w * 64 - 1 */
        uint64_t above = w < 3 ? un[w + 1] << 63 : 0; /* rank w * 64 + 64 */
        uint64_t first = un[w] & ~((un[w] << 1) | below);
        uint64_t longrun = first & ((un[w] >> 1) | above);
        while (longrun) {
            unsigned s = w * 64 + (unsigned)__builtin_ctzll(longrun);
            longrun &= longrun - 1;
            /* the end of its run: the next matched rank after s (K if
             * none: the ranks from K on are never set) */
            unsigned e = K, x = s >> 6;
            uint64_t z = ~un[x] & (~0ull << (s & 63));
            while (!z && ++x < 4)
                z = ~un[x];
            if (x < 4)
                e = x * 64 + (unsigned)__builtin_ctzll(z);
            if (e > K)
                e = K;
            unsigned before = s ? spos[s - 1] : 0;
            unsigned g = e < K ? spos[e] - before : 255 - before;
            if (g > gap)
                gap = g;
            if (gap > DOPPEL__SPREAD_MAX_GAP)
                return gap;
        }
    }
    return gap;
}

/* The largest gap, capped: any value above DOPPEL__SPREAD_MAX_GAP means
 * "too large" (the callers only compare it with that and with
 * DOPPEL__SPREAD_MAX_GAP_BOTH), which lets the search stop as soon as it is
 * certain. */
static unsigned largest_gap(const uint8_t *pos, const doppel__mh *x,
                            const doppel__mh *y, unsigned K)
{
    if (K <= 256) {
        uint8_t o[256];
        SORT_BINS(o, uint8_t);
        return gap_walk(pos, x, y, K, o, NULL);
    }
    uint16_t o[4096];
    SORT_BINS(o, uint16_t);
    return gap_walk(pos, x, y, K, NULL, o);
}

/* The walk over the bins in order of position. Written without branches
 * on whether a bin matches (a coin toss for a borderline pair): the gap
 * candidate, the last matched position and the run of misses are selected
 * arithmetically. */
static unsigned gap_walk(const uint8_t *pos, const doppel__mh *x,
                         const doppel__mh *y, unsigned K,
                         const uint8_t *order8, const uint16_t *order16)
{
    unsigned prev = 0; /* position of the last matched bin, or the edge */
    unsigned misses = 0, gap = 0, any = 0;
    for (unsigned i = 0; i < K; i++) {
        unsigned k = order8 ? order8[i] : order16[i];
        unsigned p = pos[k];
        unsigned match = x[k] == y[k];
        unsigned mm = 0u - match;                  /* all ones if matched */
        unsigned long_run = 0u - (unsigned)(misses >= 2);
        unsigned cand = (p - prev) & mm & long_run;
        gap = cand > gap ? cand : gap;
        prev = (p & mm) | (prev & ~mm);
        misses = (misses + 1) & ~mm;
        any |= match;
        if (DOPPEL_UNLIKELY(gap > DOPPEL__SPREAD_MAX_GAP))
            return gap;
    }
    if (!any)
        return 256;
    if (misses >= 2 && 255 - prev > gap)
        gap = 255 - prev;
    return gap;
}

/* Share of the smaller set found in the larger, from their Jaccard
 * similarity and sizes. */
static double containment(double j, uint32_t na, uint32_t nb)
{
    uint32_t small = na < nb ? na : nb;
    if (small == 0)
        return 0.0;
    double c = j * ((double)na + (double)nb) / ((1.0 + j) * (double)small);
    return c > 1.0 ? 1.0 : c;
}

uint32_t doppel__corpus_df_threshold(uint64_t n)
{
    double lambda = (double)n / 65536.0; /* chance collisions per cell */
    double margin = 5.0 * sqrt(lambda);
    if (margin < DOPPEL__BOILER_MIN_COMMON)
        margin = DOPPEL__BOILER_MIN_COMMON;
    double t = ceil(lambda + margin);
    return t > 65535.0 ? 65535u : (uint32_t)t;
}

void doppel__corpus_df_mask(const doppel__corpus_df *df,
                            const doppel__mh *values, unsigned K,
                            doppel__dmask *out)
{
    const uint16_t *plus = df->plus;
    out->bits[0] = out->bits[1] = out->bits[2] = out->bits[3] = 0;
    for (unsigned k = 0; k < K; k++) {
        uint32_t c = df->df[(size_t)k * 65536u + values[k]];
        if (plus)
            c += plus[k] == values[k];
        out->bits[k >> 6] |= (uint64_t)(c < df->common) << (k & 63);
    }
    out->ready = 1;
}

/* The rule's verdict from its counts: ra, rb distinctive bins of each
 * document, both distinctive in both, mboth of those matched, matched bins
 * in all, mcommon matched bins that are common. */
static int boiler_verdict(unsigned ra, unsigned rb, unsigned both,
                          unsigned mboth, unsigned matched, unsigned mcommon,
                          unsigned K)
{
    double min_bins = DOPPEL__BOILER_MIN_SHARE * K;
    if (ra < min_bins || rb < min_bins || 2 * mcommon < matched)
        return 0;
    if (both < DOPPEL__BOILER_MIN_BOTH)
        return 1;
    return mboth < DOPPEL__BOILER_MIN_MATCH * both;
}

/* boilerplate() from the documents' distinctive-bin masks and the pair's
 * match mask: the same counts, as popcounts (K <= 256). */
static int boilerplate_masked(const uint64_t da[4], const uint64_t db[4],
                              const uint64_t match[4], unsigned K)
{
    unsigned ra = 0, rb = 0, both = 0, mboth = 0, matched = 0, mcommon = 0;
    for (unsigned w = 0; w < 4; w++) {
        ra += doppel__popcount64(da[w]);
        rb += doppel__popcount64(db[w]);
        matched += doppel__popcount64(match[w]);
        mcommon += doppel__popcount64(match[w] & ~da[w]);
        both += doppel__popcount64(da[w] & db[w]);
        mboth += doppel__popcount64(da[w] & db[w] & match[w]);
    }
    return boiler_verdict(ra, rb, both, mboth, matched, mcommon, K);
}

/* 1 if the pair's shared text is boilerplate by the corpus rule: most of
 * what the documents share is common, both have a good share of
 * distinctive bins, and their distinctive bins do not match. */
static int boilerplate(const doppel__sketch_cref *a,
                       const doppel__sketch_cref *b, unsigned K,
                       const doppel__corpus_df *df)
{
    unsigned ra = 0, rb = 0, both = 0, mboth = 0, matched = 0, mcommon = 0;
    const uint16_t *plus = df->plus;
    for (unsigned k = 0; k < K; k++) {
        const uint16_t *col = df->df + (size_t)k * 65536u;
        uint32_t ca = col[a->values[k]], cb = col[b->values[k]];
        if (plus) {
            ca += plus[k] == a->values[k];
            cb += plus[k] == b->values[k];
        }
        int da = ca < df->common;
        int db = cb < df->common;
        int m = a->values[k] == b->values[k];
        ra += (unsigned)da;
        rb += (unsigned)db;
        matched += (unsigned)m;
        mcommon += (unsigned)(m && !da);
        if (da && db) {
            both++;
            mboth += (unsigned)m;
        }
    }
    return boiler_verdict(ra, rb, both, mboth, matched, mcommon, K);
}

/* out->entities: the share of the smaller document's names and numbers
 * found in the other, when both have enough of them (else left -1). */
static void entity_share(const doppel__sketch_cref *a,
                         const doppel__sketch_cref *b, doppel_match *out)
{
    uint32_t ea = a->meta->num_entities, eb = b->meta->num_entities;
    uint32_t emin = ea < eb ? ea : eb, emax = ea < eb ? eb : ea;
    if (emin >= DOPPEL__ENTITY_MIN &&
        emax <= (uint64_t)emin * DOPPEL__ENTITY_MAX_RATIO) {
        double je = doppel__minhash_similarity(a->entities, b->entities,
                                               DOPPEL__ENTITY_BINS);
        out->entities = containment(je, ea, eb);
    }
}

void doppel__verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                    unsigned K, const doppel_params *p,
                    const doppel__corpus_df *df, doppel_match *out)
{
    doppel__verify_indexed(a, b, NULL, NULL, K, p, df, 0, out);
}

#define GAP_UNKNOWN 1000u

void doppel__verify_indexed(const doppel__sketch_cref *a,
                            const doppel__sketch_cref *b,
                            const uint8_t *index_a, const uint8_t *index_b,
                            unsigned K, const doppel_params *p,
                            const doppel__corpus_df *df, int verdict_only,
                            doppel_match *out)
{
    doppel__verify_masked(a, b, index_a, index_b, NULL, NULL, K, p, df,
                          verdict_only, out);
}

void doppel__verify_masked(const doppel__sketch_cref *a,
                           const doppel__sketch_cref *b,
                           const uint8_t *index_a, const uint8_t *index_b,
                           doppel__dmask *mask_a, doppel__dmask *mask_b,
                           unsigned K, const doppel_params *p,
                           const doppel__corpus_df *df, int verdict_only,
                           doppel_match *out)
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
    int indexed = index_a && index_b && K <= 256;
    uint64_t match[4];
    unsigned eq;
    if (indexed) {
        match_mask(a->values, b->values, K, match);
        eq = 0;
        for (unsigned w = 0; w < 4; w++)
            eq += doppel__popcount64(match[w]);
    } else {
        eq = doppel__minhash_equal(a->values, b->values, K);
    }
    /* The gaps are computed when first needed (a pair far below both
     * thresholds needs neither); with verdict_only == 0 both are, for the
     * spread flags. */
    unsigned gap_a = GAP_UNKNOWN, gap_b = GAP_UNKNOWN;
#define GAP_A()                                                                \
    (gap_a != GAP_UNKNOWN                                                      \
         ? gap_a                                                               \
         : (gap_a = indexed ? doppel__spread_gap(match, eq, K, index_a, 0)     \
                            : largest_gap(a->positions, a->values, b->values,  \
                                          K)))
#define GAP_B()                                                                \
    (gap_b != GAP_UNKNOWN                                                      \
         ? gap_b                                                               \
         : (gap_b = indexed ? doppel__spread_gap(match, eq, K, index_b, 0)     \
                            : largest_gap(b->positions, a->values, b->values,  \
                                          K)))
    double j = (double)eq / (double)K;
    out->jaccard = j;
    out->containment = containment(j, ma->num_shingles, mb->num_shingles);
    if (!verdict_only) {
        out->spread_a = GAP_A() <= DOPPEL__SPREAD_MAX_GAP;
        out->spread_b = GAP_B() <= DOPPEL__SPREAD_MAX_GAP;
    }

    /* The opening, and the names and numbers (read when the verdict comes
     * to them). */
    if (!verdict_only) {
        out->lede = doppel__minhash_similarity(a->lede, b->lede,
                                               DOPPEL__LEDE_BINS);
        entity_share(a, b, out);
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
    int by_jaccard = j >= p->threshold;
    int by_containment = out->containment >= p->containment;
    int contained = 0;
    if (by_jaccard && GAP_A() <= DOPPEL__SPREAD_MAX_GAP_BOTH &&
        GAP_B() <= DOPPEL__SPREAD_MAX_GAP_BOTH) {
        out->similarity = j;
    } else if (by_containment && ns >= DOPPEL__CONTAIN_MIN_SHINGLES &&
               (uint64_t)ns * DOPPEL__CONTAIN_MAX_RATIO >= ng &&
               (a_small ? GAP_A() : GAP_B()) <= DOPPEL__SPREAD_MAX_GAP &&
               (verdict_only ? (out->lede = doppel__minhash_similarity(
                                    a->lede, b->lede, DOPPEL__LEDE_BINS))
                             : out->lede) >= DOPPEL__CONTAIN_MIN_LEDE) {
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
#undef GAP_A
#undef GAP_B
    int common_shared;
    if (!df || contained)
        common_shared = 0;
    else if (indexed && mask_a && mask_b) {
        if (!mask_a->ready)
            doppel__corpus_df_mask(df, a->values, K, mask_a);
        if (!mask_b->ready)
            doppel__corpus_df_mask(df, b->values, K, mask_b);
        common_shared = boilerplate_masked(mask_a->bits, mask_b->bits, match,
                                           K);
    } else
        common_shared = boilerplate(a, b, K, df);
    if (common_shared) {
        out->reason = "the shared text is common to many other documents "
                      "(boilerplate) and the documents' own texts differ";
        return;
    }
    if (verdict_only)
        entity_share(a, b, out);
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
