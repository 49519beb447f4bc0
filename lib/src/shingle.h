/*
 * shingle.h — turn a tokenised document into 64-bit shingle hashes.
 */
#ifndef DOPPEL_SHINGLE_H
#define DOPPEL_SHINGLE_H

#include "tokenize.h"

/* n-gram sizes are bounded by DOPPEL__MAX_SHINGLE_SIZE (params.h). */
#define DOPPEL__MAX_TEXT_RING 33

/**
 * Word k-grams: out[i] = combine(token_hash[i .. i+k)) for every window.
 * A document with 0 < n < k words yields one shingle of all its words.
 * Returns the number of shingles written (out must hold max(n - k + 1, 1)).
 */
size_t doppel__shingle_words(const uint64_t *token_hash, size_t n, unsigned k,
                             uint64_t seed, uint64_t *out);

/**
 * Character n-grams over the normalised words joined by single spaces
 * (t->text): XXH3 of every window of n code points. A text shorter than n
 * code points yields one shingle of the whole text; no words, no shingles.
 * out must hold t->text_len entries. Returns the number written.
 */
size_t doppel__shingle_chars(const doppel__tokens *t, unsigned n,
                             uint64_t seed, uint64_t *out);

#endif
