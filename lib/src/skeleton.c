/*
 * skeleton.c — the spin-robust view of a document.
 *
 * A synonym spinner rewrites content words ("Secretary of State" ->
 * "Secretary of Narrate", "help build" -> "lend a hand accept as true with")
 * but leaves a text's function words and numbers alone, because its
 * thesaurus has no entries for them. So doppel keeps those words and turns
 * every run of other words into one wildcard:
 *
 *   US Secretary of State Mike Pompeo today said the US will work with ...
 *   *          of   *                 the   *           with ...
 *
 * k-grams over that sequence (k = 6 by default) survive spinning: in the
 * project's measurements a 50% spin keeps about 70% of them, against 15%
 * of word 5-grams, while unrelated articles share no more of them than
 * they share word 5-grams (docs/spin-robustness.md has the comparison).
 * It is the idea of SpotSigs (Theobald et al., SIGIR 2008: signatures
 * anchored on stopwords) and of DSpin's "immutables" (Zhang et al., NDSS
 * 2014: words a spinner cannot change), built so that it needs no copy of
 * the spinner's dictionary: only a short list of function words per
 * language (tools/stopwords.txt). Numbers are kept too: spinners keep
 * them, and they separate stories cut from one template.
 */
#include "skeleton.h"

size_t doppel__skeleton(const uint64_t *base, const uint8_t *keep, size_t n,
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
