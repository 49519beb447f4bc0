/*
 * signature.h — one document's sketch: its layout, the object that owns
 * one, and the per-thread scratch space the sketcher fills it from.
 *
 * A sketch has four parts (sizes for the default K = 128):
 *
 *   values     K x u16   MinHash of the main shingles (skeleton k-grams)
 *   positions  K x u8    where in the document each value's shingle starts
 *                        (0..255 = relative position): tells content shared
 *                        throughout from content shared in one part only
 *   lede      32 x u16   MinHash of the first 48 shingles of the lede (the
 *                        first line of 12 words or more): a second LSH key
 *                        that finds truncated copies and copies wrapped in
 *                        boilerplate, whose whole-document similarity is low
 *   entities  32 x u16   MinHash of the names and numbers (capitalised
 *                        words not opening a sentence, words with digits)
 *   meta                 flags, word count, distinct shingles, distinct
 *                        entities, rarity
 *
 * The parts live wherever the owner keeps them (a signature object, the
 * columns of a dedup, an index segment): doppel__sketch is a set of
 * pointers, so the same code reads and writes all of them.
 */
#ifndef DOPPEL_SIGNATURE_H
#define DOPPEL_SIGNATURE_H

#include "common.h"
#include "minhash.h"
#include "tokenize.h"

#define DOPPEL__LEDE_BINS 32
#define DOPPEL__ENTITY_BINS 32
#define DOPPEL__LEDE_SHINGLES 48
#define DOPPEL__LEDE_MIN_LINE_WORDS 12

#define DOPPEL__SIG_EMPTY 1u    /* the document had no words */
#define DOPPEL__SIG_FALLBACK 2u /* skeleton too thin: word 3-grams used */

typedef struct doppel__sketch_meta {
    uint32_t flags;
    uint32_t num_words;    /* words in the document (saturating) */
    uint32_t num_shingles; /* estimated distinct main shingles */
    uint32_t num_entities; /* estimated distinct names and numbers */
    float rarity;          /* mean rarity of content words, 0..14 */
} doppel__sketch_meta;

typedef struct doppel__sketch {
    doppel__mh *values;
    uint8_t *positions;
    doppel__mh *lede;
    doppel__mh *entities;
    doppel__sketch_meta *meta;
} doppel__sketch;

typedef struct doppel__sketch_cref {
    const doppel__mh *values;
    const uint8_t *positions;
    const doppel__mh *lede;
    const doppel__mh *entities;
    const doppel__sketch_meta *meta;
} doppel__sketch_cref;

struct doppel_signature {
    const doppel_allocator *alloc;
    doppel_params params; /* resolved parameters it was made with */
    uint64_t fingerprint; /* doppel__params_fingerprint(&params) */
    uint32_t num_perm;
    doppel__sketch_meta meta;
    doppel__mh lede[DOPPEL__LEDE_BINS];
    doppel__mh entities[DOPPEL__ENTITY_BINS];
    uint8_t *positions; /* points into the tail, after values */
    doppel__mh values[]; /* num_perm values, then num_perm positions */
};

/** Allocate a signature for `params` (contents uninitialised). */
doppel_signature *doppel__signature_alloc(const doppel_allocator *a,
                                          const doppel_params *params,
                                          uint64_t fingerprint);

/** The parts of a signature object as a sketch. */
doppel__sketch doppel__signature_sketch(doppel_signature *s);
doppel__sketch_cref doppel__signature_cref(const doppel_signature *s);

/** A 64-bit fingerprint of the fields that change signature values. */
uint64_t doppel__params_fingerprint(const doppel_params *p);

/** Reusable buffers for sketching one document at a time. */
typedef struct doppel__scratch {
    doppel__tokens tokens;
    uint64_t *base; /* per word: XXH3 seed 0 */
    uint8_t *info;  /* per word: lexicon byte */
    uint32_t *word_miss; /* per word: words the memo missed, then names */
    uint64_t *sym;  /* per word: skeleton symbols or seeded word hashes */
    uint32_t *sym_pos;
    size_t words_cap;
    uint64_t *shingles;
    uint32_t *shingle_pos; /* per shingle: the word it starts at */
    uint32_t *shingle_end; /* per shingle: the word its last symbol starts at */
    uint8_t *pos8;
    size_t shingles_cap;
    struct word_memo *word_memo; /* recent words (sketch.c: word_hash()) */
    /* If not NULL, nanoseconds are added here per stage (tokenize,
     * shingle, minhash; see doppel_dedup_timings). */
    uint64_t *stage_ns;
} doppel__scratch;

void doppel__scratch_free(doppel__scratch *s, const doppel_allocator *a);

/** Sketch text into `out` using scratch (thread-confined). */
int doppel__sketch_into(const doppel_sketcher *sk, doppel__scratch *scratch,
                        const char *text, size_t len, doppel__sketch *out,
                        doppel_error *err);

/** The sketcher's resolved parameters and fingerprint. */
uint64_t doppel__sketcher_fingerprint(const doppel_sketcher *sk);

#endif
