/*
 * neardup.h — the real corpus's own near-duplicates: every pair of articles
 * whose word-5-shingle Jaccard similarity is at least a threshold, computed
 * exactly.
 *
 * Words are normalised the way the corpus README's script does it (Python's
 * re.findall(r"\w+", text.lower())): maximal runs of letters, digits and
 * '_' in lower case, so "don't" is "don" "t" and "intelligence-sharing" is
 * two words. A shingle is 5 consecutive words (hashed to 64 bits); a text of
 * fewer than 5 words has none and is similar to nothing.
 *
 * The search is the prefix-filtered all-pairs join of Bayardo, Ma & Srikant
 * (WWW 2007, "Scaling up all pairs similarity search"): order each set's
 * shingles by global document frequency (rarest first); two sets with
 * Jaccard >= t share at least t * max(|x|, |y|) shingles, so each one's
 * prefix of |x| - floor(t |x|) + 1 rarest shingles contains the rarest shared
 * one. Only prefixes are indexed, their shingles are mostly unique to one
 * article, so candidates are few and the work is close to linear in the
 * text; every candidate is then verified exactly by merging the two sorted
 * sets. Exact up to 64-bit hash collisions.
 */
#ifndef BG_NEARDUP_H
#define BG_NEARDUP_H

#include "mix.h"

#include <stddef.h>
#include <stdint.h>

/** One pair of articles, a < b (indices into the array given). */
typedef struct bg_neardup_pair {
    uint32_t a, b;
    double jaccard;
} bg_neardup_pair;

/**
 * Every pair of the n texts with word-5-shingle Jaccard >= min_jaccard
 * (in (0, 1]), sorted by (a, b). *out is malloc'ed (free it); NULL with
 * *npairs = 0 when there are none. Returns 0, DOPPEL_ERR_PARAM or
 * DOPPEL_ERR_NOMEM.
 */
int bg_neardup_pairs(const bg_article *arts, size_t n, double min_jaccard,
                     bg_neardup_pair **out, size_t *npairs, doppel_error *err);

/**
 * The word-5-shingle set of one text as sorted, distinct 64-bit hashes,
 * appended to *v (growable, *cap elements); *count gets how many. 0 or -1
 * (out of memory). For tests and for the search above.
 */
int bg_neardup_shingles(const char *text, size_t len, uint64_t **v,
                        size_t *cap, size_t *count);

/** Exact Jaccard similarity of two texts' word-5-shingle sets (0 when both
 *  are empty); -1 when out of memory. */
double bg_neardup_jaccard(const char *a, size_t alen, const char *b,
                          size_t blen);

#endif
