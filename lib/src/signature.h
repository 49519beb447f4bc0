/*
 * signature.h — the in-memory signature object and the per-thread scratch
 * space the sketcher fills it from.
 */
#ifndef DOPPEL_SIGNATURE_H
#define DOPPEL_SIGNATURE_H

#include "common.h"
#include "tokenize.h"

#define DOPPEL__SIG_EMPTY 1u /* the document had no words */

struct doppel_signature {
    const doppel_allocator *alloc;
    doppel_params params; /* resolved parameters it was made with */
    uint64_t fingerprint; /* doppel__params_fingerprint(&params) */
    uint32_t num_perm;
    uint32_t flags;
    uint32_t num_words;    /* words in the document (saturating) */
    uint32_t num_shingles; /* shingles, counting repeats (saturating) */
    uint32_t values[];     /* num_perm values */
};

/** Allocate a signature for `params` (values uninitialised). */
doppel_signature *doppel__signature_alloc(const doppel_allocator *a,
                                          const doppel_params *params,
                                          uint64_t fingerprint);

/** A 64-bit fingerprint of the fields that change signature values. */
uint64_t doppel__params_fingerprint(const doppel_params *p);

/** Reusable buffers for sketching one document at a time. */
typedef struct doppel__scratch {
    doppel__tokens tokens;
    uint64_t *word_hash;
    size_t word_hash_cap;
    uint64_t *shingles;
    size_t shingles_cap;
} doppel__scratch;

void doppel__scratch_free(doppel__scratch *s, const doppel_allocator *a);

/** What sketching one document produced, before it becomes an object. */
typedef struct doppel__sketch_out {
    uint32_t *values; /* num_perm values, written by the sketcher */
    uint32_t flags;
    uint32_t num_words;
    uint32_t num_shingles;
} doppel__sketch_out;

/** Sketch text into out->values using scratch (thread-confined). */
int doppel__sketch_into(const doppel_sketcher *sk, doppel__scratch *scratch,
                        const char *text, size_t len, doppel__sketch_out *out,
                        doppel_error *err);

#endif
