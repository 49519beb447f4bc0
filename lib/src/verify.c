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
 */
#include "verify.h"
#include "minhash.h"

#include <string.h>


/* Are the matching bins spread over the whole document whose bin
 * positions are `pos`? Bins are taken in order of position; each run of
 * unmatched bins (two or more) spans the stretch of the document from the
 * matched bin (or document edge) before it to the one after it. The
 * longest such stretch, in 256ths of the document's length, must be at
 * most DOPPEL__SPREAD_MAX_GAP. A stretch holding no bins at all is no
 * evidence either way (a list of names yields few skeleton shingles) and
 * does not count.
 *
 * Copies of every kind measured on the labelled benchmark — spun, typo'd,
 * truncated, reordered, wrapped in boilerplate — leave stretches of 0.05 to
 * 0.1 in the median and above 0.3 in under 0.5% of pairs
 * (docs/spin-robustness.md); two pages sharing a site's header and footer
 * leave the whole article body unmatched. A test on the length of runs in
 * bins, under independence, was tried first and rejected: neighbouring
 * k-grams share words, so misses clump and genuine copies failed it 8-16%
 * of the time. */
static int spread(const uint8_t *pos, const doppel__mh *x, const doppel__mh *y,
                  unsigned K)
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
        return 0;
    if (misses >= 2 && (unsigned)(255 - prev) > gap)
        gap = (unsigned)(255 - prev);
    return gap <= DOPPEL__SPREAD_MAX_GAP;
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

int doppel__verify_may_match(const doppel__sketch_cref *a,
                             const doppel__sketch_cref *b, unsigned K,
                             const doppel_params *p, double *jaccard)
{
    *jaccard = 0.0;
    if ((a->meta->flags | b->meta->flags) & DOPPEL__SIG_EMPTY)
        return 0;
    unsigned eq = doppel__minhash_equal(a->values, b->values, K);
    double j = (double)eq / (double)K;
    *jaccard = j;
    if (j >= p->threshold)
        return 1;
    if (p->verify == DOPPEL_VERIFY_JACCARD)
        return 0;
    return containment(j, a->meta->num_shingles, b->meta->num_shingles) >=
           p->containment;
}

void doppel__verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                    unsigned K, const doppel_params *p, doppel_match *out)
{
    const doppel__sketch_meta *ma = a->meta, *mb = b->meta;
    out->jaccard = out->containment = out->similarity = 0.0;
    out->entities = -1.0;
    out->spread_a = out->spread_b = 0;
    out->duplicate = 0;
    if ((ma->flags | mb->flags) & DOPPEL__SIG_EMPTY) {
        out->reason = "an empty document is a duplicate of nothing";
        return;
    }
    unsigned eq = doppel__minhash_equal(a->values, b->values, K);
    double j = (double)eq / (double)K;
    out->jaccard = j;
    out->containment = containment(j, ma->num_shingles, mb->num_shingles);
    out->spread_a = spread(a->positions, a->values, b->values, K);
    out->spread_b = spread(b->positions, a->values, b->values, K);

    uint32_t ea = ma->num_entities, eb = mb->num_entities;
    uint32_t emin = ea < eb ? ea : eb, emax = ea < eb ? eb : ea;
    if (emin >= DOPPEL__ENTITY_MIN &&
        emax <= (uint64_t)emin * DOPPEL__ENTITY_MAX_RATIO) {
        double je = doppel__minhash_similarity(a->entities, b->entities,
                                               DOPPEL__ENTITY_BINS);
        out->entities = containment(je, ea, eb);
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
    if (by_jaccard && (out->spread_a || out->spread_b)) {
        out->similarity = j;
    } else if (by_containment && spread_small &&
               ns >= DOPPEL__CONTAIN_MIN_SHINGLES &&
               (uint64_t)ns * DOPPEL__CONTAIN_MAX_RATIO >= ng) {
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
