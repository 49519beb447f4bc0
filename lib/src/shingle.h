/*
 * shingle.h — turn a tokenised document into 64-bit shingle hashes, each
 * with the index of the word it starts at (its position in the document).
 */
#ifndef DOPPEL_SHINGLE_H
#define DOPPEL_SHINGLE_H

#include "tokenize.h"

/**
 * k-grams over a sequence of n symbol hashes: out[i] = combine(sym[i ..
 * i+k)); pos_out[i] = pos[i] and end_out[i] = pos[i + k - 1] (the words its
 * first and last symbols start at). A sequence of 0 < n < k symbols yields
 * one shingle of all of them. Returns the number of shingles (at most
 * max(n - k + 1, 1)).
 */
size_t doppel__shingle_words(const uint64_t *sym, const uint32_t *pos,
                             size_t n, unsigned k, uint64_t seed,
                             uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out);

/**
 * Character n-grams over the normalised words joined by single spaces
 * (t->text): XXH3 of every window of n code points; pos_out[i] is the
 * word the window starts in. A text shorter than n code points yields one
 * shingle of the whole text; no words, no shingles. out, pos_out and
 * end_out (the word the window ends in) must hold t->text_len entries.
 * Returns the number written.
 */
size_t doppel__shingle_chars(const doppel__tokens *t, unsigned n,
                             uint64_t seed, uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out);

#endif
