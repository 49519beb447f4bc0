/*
 * ref_sketch.h — the straightforward implementation of sketching, LSH and
 * the S-curve choice as doppel had them before the throughput work (commit
 * 674a4fa), frozen here as the reference that every fast path is tested
 * against: same tokens, same sketch bytes, same candidate pairs, same
 * (bands, rows). It shares only the generated tables (Unicode folding, the
 * lexicon) and the hash functions (XXH3, hash.h's mixers) with the library,
 * so a change to those shows up in both and the comparison still holds; a
 * change to what a sketch contains must change this file too, on purpose.
 *
 * Test code: plain malloc, no error paths beyond "returns -1".
 */
#ifndef DOPPEL_REF_SKETCH_H
#define DOPPEL_REF_SKETCH_H

#include "lsh.h"
#include "signature.h"
#include "tokenize.h"

/** The tokenizer, one code point at a time (t is reused like the
 *  library's; free it with doppel__tokens_free(t, NULL)). */
int ref_tokenize(const char *s, size_t n, doppel__tokens *t);

/** One-permutation MinHash with densification, as first written. */
unsigned ref_minhash_one_perm(const uint64_t *h, const uint8_t *pos, size_t n,
                              unsigned K, uint64_t seed, doppel__mh *out,
                              uint8_t *positions);

/** Sketch text with resolved params `p` into out (every part written). */
int ref_sketch(const doppel_params *p, const char *text, size_t len,
               doppel__sketch *out);

/** doppel__lsh_candidates as first written (16-bit LSD radix per band). */
int ref_lsh_candidates(const uint16_t *values, size_t stride,
                       const uint8_t *skip, uint8_t skip_mask, size_t n,
                       unsigned bands, unsigned rows, unsigned band_seed,
                       doppel__pairvec *out, uint64_t *hot_buckets);

/** Sort + unique of pairs, as first written. */
int ref_pairs_unique(doppel__pairvec *p);

/** doppel_lsh_optimal_params as first written (Simpson's rule, 256
 *  intervals, at every (b, r)). */
void ref_lsh_optimal_params(double threshold, unsigned num_perm,
                            double fp_weight, double fn_weight,
                            unsigned *bands, unsigned *rows);

/** doppel__verify as first written. */
void ref_verify(const doppel__sketch_cref *a, const doppel__sketch_cref *b,
                unsigned K, const doppel_params *p, doppel_match *out);

#endif
