/*
 * doppel.h — near-duplicate article detection: the whole public API.
 *
 * doppel finds articles that are copies of each other: re-sent with
 * corrections, wrapped in other boilerplate, truncated, or run through a
 * synonym spinner. It is a shingling + MinHash + LSH pipeline:
 *
 *   text ──normalise──> folded UTF-8 ──tokenise──> words
 *        ──shingle────> 64-bit shingle hashes (XXH3)
 *        ──MinHash────> signature: K 16-bit values   (doppel_signature)
 *        ──LSH────────> candidate pairs (b bands of r rows)
 *        ──verify─────> pairs whose estimated similarity >= threshold
 *        ──cluster────> union-find; each cluster gets a representative
 *
 * Objects and their lifecycle
 *   doppel_sketcher   turns text into signatures. Created from doppel_params,
 *                     immutable afterwards.
 *   doppel_signature  one document's sketch. Immutable once made; can be
 *                     compared, serialised and deserialised on its own.
 *   doppel_dedup      a batch (or stream) of documents: add documents one at
 *                     a time or in batches, call doppel_dedup_finish(), then
 *                     read clusters and pairs.
 *   doppel_reader     reads articles from JSON Lines, plain files,
 *                     directories and stdin, any of them gzip-compressed.
 *   doppel_index      a persistent, crash-safe index on disk for a feed
 *                     that never stops: add each day's batch, learn which
 *                     new articles copy archived ones, query, remove,
 *                     expire, compact. Gives the verdicts a doppel_dedup
 *                     over all the batches would give.
 * Every object has a create/free pair; every _free(NULL) does nothing.
 *
 * Threading
 *   There is no global mutable state: distinct objects may be used on
 *   distinct threads freely. A doppel_sketcher and a finished
 *   doppel_signature are immutable and may be shared by any number of
 *   threads at once. Every other object (doppel_dedup, doppel_reader) must be
 *   used by one thread at a time; doppel_dedup may run its own worker threads
 *   inside doppel_dedup_add_batch() and doppel_dedup_finish() (see
 *   doppel_dedup_opts.threads); results never depend on the thread count.
 *
 * Errors
 *   Every fallible call returns an int: DOPPEL_OK (0) or a negative
 *   doppel_status. If the caller passes a doppel_error, it receives the code
 *   and a message a person can act on ("feed.jsonl.gz:1832: unterminated
 *   string"). The error object is optional (NULL is fine) and owned by the
 *   caller; doppel never keeps a "last error" anywhere.
 *
 * Memory
 *   All allocation goes through a doppel_allocator the caller may supply
 *   (NULL means malloc/realloc/free). Input buffers are borrowed for the call
 *   only. What a call returns through an out-parameter belongs to the caller,
 *   unless the doc block says it is borrowed from an object.
 */
#ifndef DOPPEL_H
#define DOPPEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DOPPEL_BUILDING_LIBRARY) && defined(__GNUC__)
#define DOPPEL_API __attribute__((visibility("default")))
#else
#define DOPPEL_API
#endif

/* ---------------------------------------------------------------- version */

#define DOPPEL_VERSION_MAJOR 0
#define DOPPEL_VERSION_MINOR 1
#define DOPPEL_VERSION_PATCH 0
#define DOPPEL_VERSION_NUMBER                                                  \
    (DOPPEL_VERSION_MAJOR * 10000 + DOPPEL_VERSION_MINOR * 100 +               \
     DOPPEL_VERSION_PATCH)
#define DOPPEL_VERSION_STRING "0.1.0"

/** The version of the library actually linked, e.g. "0.1.0". */
DOPPEL_API const char *doppel_version(void);

/* ----------------------------------------------------------------- errors */

/** Status codes. The values never change between versions. */
typedef enum doppel_status {
    DOPPEL_OK = 0,
    DOPPEL_ERR_NOMEM = -1,    /**< an allocation failed */
    DOPPEL_ERR_PARAM = -2,    /**< an argument or parameter is invalid */
    DOPPEL_ERR_IO = -3,       /**< reading or writing a file failed */
    DOPPEL_ERR_FORMAT = -4,   /**< malformed input data (JSON, gzip, dates) */
    DOPPEL_ERR_CORRUPT = -5,  /**< a stored file fails its checks */
    DOPPEL_ERR_VERSION = -6,  /**< a stored file has an unknown version */
    DOPPEL_ERR_MISMATCH = -7, /**< signatures/files made with other params */
    DOPPEL_ERR_LIMIT = -8,    /**< a configured limit was exceeded */
    DOPPEL_ERR_STATE = -9,    /**< the call is not valid in this state */
    DOPPEL_ERR_BUSY = -10,    /**< a lock is held by another process */
    DOPPEL_ERR_NOTFOUND = -11 /**< no such file, document or field */
} doppel_status;

/** A short, static description of a status code ("out of memory"). */
DOPPEL_API const char *doppel_strerror(int status);

#define DOPPEL_ERROR_MESSAGE_MAX 512

/** Caller-owned error details. Zero-initialise it, pass its address. */
typedef struct doppel_error {
    int code;                               /**< the status returned */
    char message[DOPPEL_ERROR_MESSAGE_MAX]; /**< NUL-terminated, with context */
} doppel_error;

/* -------------------------------------------------------------- allocator */

/**
 * A custom allocator. Every field must be set (or pass NULL for the
 * default). alloc/realloc return NULL on failure; doppel then returns
 * DOPPEL_ERR_NOMEM and leaves its objects consistent.
 */
typedef struct doppel_allocator {
    void *(*alloc)(void *opaque, size_t size);
    void *(*realloc)(void *opaque, void *ptr, size_t size);
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} doppel_allocator;

/* ------------------------------------------------------------- parameters */

/** Bounds of doppel_params fields. */
#define DOPPEL_MIN_PERM 16
#define DOPPEL_MAX_PERM 4096
#define DOPPEL_MAX_SHINGLE_SIZE 32

/** What a document's set of features (shingles) is made of. */
typedef enum doppel_shingle_kind {
    DOPPEL_SHINGLE_WORD = 1, /**< word k-grams (k = shingle_size, default 5) */
    DOPPEL_SHINGLE_CHAR = 2, /**< character n-grams over the normalised words
                                  (n = shingle_size, default 5) */
    /** The spin-robust default: k-grams (default 6) over the document's
     *  skeleton, in which function words ("the", "of", "and", ... in 19
     *  languages) and numbers stay as they are and every run of other words
     *  becomes one wildcard. A synonym spinner rewrites content words, so
     *  a spun copy keeps its skeleton. A text with too few function words
     *  for a skeleton (another script, a list of names) falls back to word
     *  3-grams. See docs/architecture.md. */
    DOPPEL_SHINGLE_SKELETON = 3
} doppel_shingle_kind;

/** How the K signature values are computed. */
typedef enum doppel_minhash_kind {
    /** One-permutation hashing with optimal densification (Shrivastava
     *  2017): one hash per shingle. The fast default. */
    DOPPEL_MINHASH_ONE_PERM = 1,
    /** K independent universal hash functions, one min each (Broder 1997):
     *  the textbook baseline, K times slower. */
    DOPPEL_MINHASH_K_PERM = 2
} doppel_minhash_kind;

/** How a candidate pair is verified. */
typedef enum doppel_verify_kind {
    /** Estimated Jaccard similarity >= threshold, nothing else (the
     *  semantics of datasketch's MinHashLSH). */
    DOPPEL_VERIFY_JACCARD = 1,
    /** The default. A pair is a duplicate when (a) its estimated Jaccard
     *  similarity is >= threshold, or the smaller document is found in the
     *  larger with estimated containment >= containment (truncations,
     *  copies with added boilerplate); (b) the shared shingles are spread
     *  over the whole of at least one document, not confined to one part
     *  of both (two articles sharing only a site footer or a quoted
     *  paragraph); and (c) the names and numbers of the smaller document
     *  are found in the other (two stories filled into one template). */
    DOPPEL_VERIFY_ROBUST = 2
} doppel_verify_kind;

/**
 * Parameters that fix what a signature means. Signatures, indexes and dedup
 * runs made with different parameters cannot be compared.
 * Initialise with DOPPEL_PARAMS_INIT, then change fields.
 */
typedef struct doppel_params {
    unsigned version;          /**< DOPPEL_PARAMS_VERSION */
    doppel_shingle_kind shingle;
    unsigned shingle_size;     /**< k or n; 0 = the kind's default */
    unsigned num_perm;         /**< K, signature length, in [16, 4096] */
    doppel_minhash_kind minhash;
    uint64_t seed;             /**< hashing seed; same seed, same signature */
    double threshold;          /**< similarity threshold in (0, 1] */
    unsigned bands;            /**< LSH bands b; 0 = choose from threshold */
    unsigned rows;             /**< LSH rows r;  0 = choose from threshold */
    doppel_verify_kind verify; /**< DOPPEL_VERIFY_ROBUST by default */
    double containment;        /**< containment threshold of the robust
                                    verification in (0, 1]; 0 = default */
} doppel_params;

#define DOPPEL_PARAMS_VERSION 1
#define DOPPEL_PARAMS_INIT                                                     \
    { DOPPEL_PARAMS_VERSION, DOPPEL_SHINGLE_SKELETON, 0, 128,                  \
      DOPPEL_MINHASH_ONE_PERM, 0, 0.40, 0, 0, DOPPEL_VERIFY_ROBUST, 0.0 }

/**
 * Check params and fill in every default: shingle_size, containment, and
 * bands/rows when both are 0 (chosen with doppel_lsh_optimal_params() with
 * false-positive weight 0.1 and false-negative weight 0.9: candidates are
 * verified, so a missed candidate costs more than a spurious one).
 * `out` may equal `in`. Errors name the field and its bounds.
 */
DOPPEL_API int doppel_params_resolve(const doppel_params *in,
                                     doppel_params *out, doppel_error *err);

/* -------------------------------------------------------------------- LSH */

/** Probability that a pair of similarity s becomes a candidate with b bands
 *  of r rows: 1 - (1 - s^r)^b. */
DOPPEL_API double doppel_lsh_probability(double s, unsigned bands,
                                         unsigned rows);

/**
 * Choose (bands, rows) with bands * rows <= num_perm minimising
 *   fp_weight * integral_0^t P(s) ds + fn_weight * integral_t^1 (1 - P(s)) ds
 * where P is the S-curve above (datasketch's criterion).
 */
DOPPEL_API int doppel_lsh_optimal_params(double threshold, unsigned num_perm,
                                         double fp_weight, double fn_weight,
                                         unsigned *bands, unsigned *rows,
                                         doppel_error *err);

/* -------------------------------------------------------------- sketching */

typedef struct doppel_sketcher doppel_sketcher;
typedef struct doppel_signature doppel_signature;

/**
 * Create a sketcher for `params` (resolved internally; see
 * doppel_params_resolve). `alloc` may be NULL. The sketcher is immutable:
 * share it between threads freely.
 */
DOPPEL_API int doppel_sketcher_create(doppel_sketcher **out,
                                      const doppel_params *params,
                                      const doppel_allocator *alloc,
                                      doppel_error *err);
DOPPEL_API void doppel_sketcher_free(doppel_sketcher *sk);

/** The resolved parameters the sketcher uses (borrowed from `sk`). */
DOPPEL_API const doppel_params *doppel_sketcher_params(
    const doppel_sketcher *sk);

/** The longest text doppel_sketch() accepts: 1 GiB (word offsets are 32
 *  bits). The reader's max_record_bytes (64 MiB by default) normally stops
 *  longer records first. */
#define DOPPEL_MAX_TEXT_BYTES ((size_t)1 << 30)

/**
 * Sketch `len` bytes of text (UTF-8; invalid sequences are replaced by
 * U+FFFD, never read out of bounds; NUL bytes are ordinary punctuation).
 * A text with no words gives an "empty" signature that is similar to
 * nothing, not even another empty one. A text longer than
 * DOPPEL_MAX_TEXT_BYTES is DOPPEL_ERR_LIMIT ("document of N bytes exceeds
 * the limit of 1073741824 bytes"); its bytes are not read.
 * Thread-safe: many threads may sketch with one sketcher at once.
 */
DOPPEL_API int doppel_sketch(const doppel_sketcher *sk, const char *text,
                             size_t len, doppel_signature **out,
                             doppel_error *err);

DOPPEL_API void doppel_signature_free(doppel_signature *sig);

/** Number of values K. */
DOPPEL_API unsigned doppel_signature_num_perm(const doppel_signature *sig);

/** The K MinHash values (borrowed from `sig`): the low 16 bits of each
 *  bin's full-precision minimum (b-bit minwise hashing, b = 16). */
DOPPEL_API const uint16_t *doppel_signature_values(
    const doppel_signature *sig);

/** 1 if the document had no words, else 0. */
DOPPEL_API int doppel_signature_is_empty(const doppel_signature *sig);

/**
 * Estimated Jaccard similarity of the two documents' shingle sets: the
 * fraction of equal values. Fails with DOPPEL_ERR_MISMATCH (message with
 * both parameter sets) if the signatures come from different parameters.
 */
DOPPEL_API int doppel_signature_similarity(const doppel_signature *a,
                                           const doppel_signature *b,
                                           double *similarity,
                                           doppel_error *err);

/** The evidence behind a verdict on a pair (doppel_signature_compare). */
typedef struct doppel_match {
    double jaccard;     /**< estimated Jaccard similarity of the shingles */
    double containment; /**< estimated share of the smaller document's
                             shingles found in the larger one */
    double entities;    /**< estimated share of the smaller document's names
                             and numbers found in the other; -1 when either
                             has too few to judge */
    double lede;        /**< estimated similarity of the two openings (the
                             first shingles from the first line of 12 or
                             more words) */
    int spread_a;       /**< 1 if the shared shingles are spread over all of
                             document a, 0 if some part of a shares nothing */
    int spread_b;       /**< the same for document b */
    int duplicate;      /**< the verdict */
    double similarity;  /**< the score that decided: jaccard, or containment
                             when the pair passed as a contained copy */
    const char *reason; /**< a static, human-readable reason for the verdict */
} doppel_match;

/**
 * Compare two signatures as doppel's verification does, with `params`'
 * threshold, containment and verify kind (NULL = the parameters the
 * signatures were made with). Fails with DOPPEL_ERR_MISMATCH if the
 * signatures come from different parameters.
 */
DOPPEL_API int doppel_signature_compare(const doppel_signature *a,
                                        const doppel_signature *b,
                                        const doppel_params *params,
                                        doppel_match *out, doppel_error *err);

/**
 * A score of how unusual the document's wording is: the mean rarity of its
 * content words (0 = only very common words, 14 = only words unknown to
 * doppel's built-in English word list). Synonym spinners swap common words
 * for rarer ones, so within a cluster the original usually scores lowest;
 * doppel uses this to name the original when there are no dates.
 */
DOPPEL_API double doppel_signature_rarity(const doppel_signature *sig);

/**
 * Serialise into `buf` (little-endian, versioned, checksummed; the layout is
 * in docs/formats.md). With buf == NULL or cap too small, only *size is set
 * (the bytes needed) and DOPPEL_ERR_LIMIT is returned when buf != NULL.
 */
DOPPEL_API int doppel_signature_serialize(const doppel_signature *sig,
                                          void *buf, size_t cap, size_t *size,
                                          doppel_error *err);

/** Parse a serialised signature; refuses truncated, corrupt or
 *  future-version data with a message giving the byte offset. */
DOPPEL_API int doppel_signature_deserialize(doppel_signature **out,
                                            const void *buf, size_t len,
                                            const doppel_allocator *alloc,
                                            doppel_error *err);

/* ------------------------------------------------------------------ dedup */

/** "No date" for the date arguments below. */
#define DOPPEL_NO_DATE INT64_MIN

/**
 * Parse a date: ISO 8601 ("2020-01-30", "2020-01-30T16:46:00Z",
 * "2020-01-30 16:46:00+01:00"), RFC 2822 ("Thu, 30 Jan 2020 16:46:00 GMT")
 * or decimal Unix seconds. Sets *seconds (UTC Unix time).
 * DOPPEL_ERR_FORMAT if it is none of these.
 */
DOPPEL_API int doppel_parse_date(const char *s, size_t len, int64_t *seconds,
                                 doppel_error *err);

typedef struct doppel_dedup doppel_dedup;

/** Ids longer than this (64 KiB) are refused with DOPPEL_ERR_LIMIT. */
#define DOPPEL_MAX_ID_BYTES 65536

/** The default of doppel_dedup_opts.max_docs: 50 million documents, some
 *  28 GB of signatures at K = 128. */
#define DOPPEL_DEFAULT_MAX_DOCS 50000000u
/** The largest max_docs (document numbers are 32-bit inside). */
#define DOPPEL_MAX_DOCS 4294967294u

typedef struct doppel_dedup_opts {
    unsigned version;         /**< DOPPEL_DEDUP_OPTS_VERSION */
    doppel_params params;     /**< what signatures mean */
    unsigned threads;         /**< worker threads; 0 or 1 = the caller's */
    const doppel_allocator *allocator; /**< NULL = malloc */
    /** Most documents this dedup accepts (0 = DOPPEL_DEFAULT_MAX_DOCS; at
     *  most DOPPEL_MAX_DOCS). An in-memory dedup holds every signature;
     *  adding more is DOPPEL_ERR_LIMIT with the advice to use an index
     *  (`doppel index`) for larger corpora. Since version 2; a version 1
     *  struct (without this field) gets the default. */
    size_t max_docs;
    /** (version >= 2) 1: also time the stages of sketching for each
     *  document (doppel_dedup_timings_get): two clock reads per stage per
     *  document, about 1% of the time it takes to sketch a news article.
     *  0: only whole calls are timed, at no measurable cost. Results never
     *  depend on it. */
    int stage_timings;
} doppel_dedup_opts;

/* Version 1 (without max_docs and stage_timings) is still accepted. */
#define DOPPEL_DEDUP_OPTS_VERSION 2
#define DOPPEL_DEDUP_OPTS_INIT                                                 \
    { DOPPEL_DEDUP_OPTS_VERSION, DOPPEL_PARAMS_INIT, 1, NULL,                  \
      DOPPEL_DEFAULT_MAX_DOCS, 0 }

/** One document handed to doppel_dedup_add_batch(). */
typedef struct doppel_doc {
    const char *id;   /**< any bytes, at most DOPPEL_MAX_ID_BYTES; copied */
    size_t id_len;
    const char *text; /**< borrowed for the call */
    size_t text_len;
    int64_t date;     /**< Unix seconds or DOPPEL_NO_DATE */
} doppel_doc;

DOPPEL_API int doppel_dedup_create(doppel_dedup **out,
                                   const doppel_dedup_opts *opts,
                                   doppel_error *err);
DOPPEL_API void doppel_dedup_free(doppel_dedup *d);

/** The sketcher the dedup uses (borrowed; immutable, shareable). */
DOPPEL_API const doppel_sketcher *doppel_dedup_sketcher(const doppel_dedup *d);

/** Add one document; it gets the next document number (0, 1, 2, ...).
 *  DOPPEL_ERR_LIMIT when the dedup already holds max_docs documents, when
 *  the id is longer than DOPPEL_MAX_ID_BYTES or the text longer than
 *  DOPPEL_MAX_TEXT_BYTES. After any error the dedup is as before the call
 *  and may be used further (an add that failed for lack of memory may be
 *  retried). */
DOPPEL_API int doppel_dedup_add(doppel_dedup *d, const doppel_doc *doc,
                                doppel_error *err);

/** Add n documents, sketched on opts.threads threads; numbered in order.
 *  On error none of the n is added; errors name the failing document
 *  ("document 12: ..."). */
DOPPEL_API int doppel_dedup_add_batch(doppel_dedup *d, const doppel_doc *docs,
                                      size_t n, doppel_error *err);

/** Add a document by its signature (made with the same params; the
 *  signature is copied). */
DOPPEL_API int doppel_dedup_add_signature(doppel_dedup *d, const char *id,
                                          size_t id_len,
                                          const doppel_signature *sig,
                                          int64_t date, doppel_error *err);

/** Number of documents added so far. */
DOPPEL_API size_t doppel_dedup_count(const doppel_dedup *d);

/**
 * Find candidate pairs with LSH, verify them and cluster. After this, no
 * more documents may be added (DOPPEL_ERR_STATE) and the results below are
 * available. Calling it twice is an error; after DOPPEL_ERR_NOMEM nothing
 * is finished and it may be called again.
 */
DOPPEL_API int doppel_dedup_finish(doppel_dedup *d, doppel_error *err);

/** A document's place in the clustering. */
typedef struct doppel_member {
    const char *id;        /**< borrowed from the dedup object */
    size_t id_len;
    size_t representative; /**< document number of its cluster's
                                representative (itself for a singleton) */
    double similarity;     /**< estimated similarity to the representative
                                (1 for the representative itself) */
    size_t cluster_size;   /**< number of documents in its cluster */
} doppel_member;

/** Where document `doc` ended up. Only after doppel_dedup_finish(). */
DOPPEL_API int doppel_dedup_member(const doppel_dedup *d, size_t doc,
                                   doppel_member *out, doppel_error *err);

/** A verified pair of near-duplicates, a < b (document numbers). */
typedef struct doppel_pair {
    size_t a, b;
    double similarity;
} doppel_pair;

/**
 * The verified pairs, sorted by (a, b), borrowed from `d`. Only after
 * doppel_dedup_finish(). The array is made on the first call (a dedup
 * whose caller never reads pairs keeps them in half the memory), so that
 * call may fail with DOPPEL_ERR_NOMEM; later calls allocate nothing.
 */
DOPPEL_API int doppel_dedup_pairs(const doppel_dedup *d,
                                  const doppel_pair **pairs, size_t *n,
                                  doppel_error *err);

/** Run statistics, available after doppel_dedup_finish(). */
typedef struct doppel_dedup_stats {
    size_t documents;
    size_t empty_documents; /**< documents with no words */
    size_t clusters;        /**< including singletons */
    size_t duplicates;      /**< documents that are not representatives */
    size_t largest_cluster;
    uint64_t candidate_pairs; /**< LSH candidates examined */
    uint64_t verified_pairs;  /**< candidates at or above threshold */
} doppel_dedup_stats;

DOPPEL_API int doppel_dedup_stats_get(const doppel_dedup *d,
                                      doppel_dedup_stats *out,
                                      doppel_error *err);

/**
 * Where the time of a dedup went, for benchmarks: nanoseconds accumulated
 * since doppel_dedup_create(), readable at any time. Whole calls are
 * always timed (wall clock, per batch); the three sketching stages only
 * with opts.stage_timings, per document, summed over the worker threads
 * (so with T threads they add up to about T times the wall time spent
 * sketching).
 */
typedef struct doppel_dedup_timings {
    uint64_t documents;   /**< documents sketched */
    uint64_t bytes;       /**< bytes of text sketched */
    uint64_t add_ns;      /**< wall time in doppel_dedup_add*() */
    /* Sketching stages (0 unless opts.stage_timings), thread time summed: */
    uint64_t tokenize_ns; /**< normalise and split into words */
    uint64_t shingle_ns;  /**< word hashes, lexicon, skeleton, shingle
                               hashes and positions; each shingle's MinHash
                               bin is updated as it is made, so the
                               per-shingle part of MinHash counts here */
    uint64_t minhash_ns;  /**< finishing the three MinHash sketches (empty
                               bins, the lede's and the names' sketches) */
    /* doppel_dedup_finish(), wall time: */
    uint64_t lsh_ns;      /**< banding and candidate pairs */
    uint64_t verify_ns;   /**< verifying candidates */
    uint64_t cluster_ns;  /**< union-find, representatives, statistics */
} doppel_dedup_timings;

DOPPEL_API int doppel_dedup_timings_get(const doppel_dedup *d,
                                        doppel_dedup_timings *out,
                                        doppel_error *err);

/* ----------------------------------------------------------------- reader */

typedef struct doppel_reader doppel_reader;

typedef enum doppel_input_format {
    DOPPEL_INPUT_AUTO = 0, /**< JSON Lines if the name ends in .jsonl or
                                .ndjson (optionally .gz) or the first
                                non-blank byte of the (decompressed) content
                                is '{'; otherwise one article */
    DOPPEL_INPUT_JSONL = 1,
    DOPPEL_INPUT_TEXT = 2  /**< the whole file is one article */
} doppel_input_format;

typedef struct doppel_reader_opts {
    unsigned version; /**< DOPPEL_READER_OPTS_VERSION */
    doppel_input_format format;
    const char *id_field;   /**< JSON field names; NULL = "id" */
    const char *text_field; /**< NULL = "text" */
    const char *date_field; /**< NULL = "date" */
    int skip_malformed;     /**< 0: a malformed JSON line is an error;
                                 1: skip it and count it */
    uint64_t max_record_bytes; /**< longest JSON line or article file
                                    accepted; 0 = 64 MiB */
    int skip_oversize;      /**< 0: a longer record is an error (DOPPEL_ERR_
                                 LIMIT); 1: skip it and count it. The same
                                 holds for a record whose id is longer than
                                 DOPPEL_MAX_ID_BYTES or whose text is
                                 longer than DOPPEL_MAX_TEXT_BYTES */
    const doppel_allocator *allocator; /**< NULL = malloc */
} doppel_reader_opts;

#define DOPPEL_READER_OPTS_VERSION 1
#define DOPPEL_READER_OPTS_INIT                                                \
    { DOPPEL_READER_OPTS_VERSION, DOPPEL_INPUT_AUTO, NULL, NULL, NULL, 0, 0,    \
      0, NULL }

/**
 * One article. Every pointer is borrowed from the reader and valid until the
 * next doppel_reader_next() or doppel_reader_free().
 */
typedef struct doppel_record {
    const char *id;   /**< JSON id field (a number's text as written), or the
                           path relative to the directory given, or the
                           path as given for a plain file; "-" for stdin */
    size_t id_len;
    const char *text; /**< the article, unescaped UTF-8 (not validated) */
    size_t text_len;
    int64_t date;     /**< DOPPEL_NO_DATE when absent or null */
    const char *raw;  /**< the record as it appears in the input: the JSON
                           line without its line ending, or the whole file */
    size_t raw_len;
    const char *source; /**< the input path this came from ("-" = stdin) */
    uint64_t line;      /**< 1-based line in a JSONL input; 0 otherwise */
} doppel_record;

/**
 * Open inputs for reading in order. Each path is a directory (its regular
 * files, recursively, in byte order of their names, each one article), a
 * file (JSON Lines or one article, see doppel_input_format) or "-" for
 * stdin. Any file may be gzip-compressed (detected by its magic bytes).
 * Paths are checked lazily: a missing file is reported by the
 * doppel_reader_next() that reaches it.
 */
DOPPEL_API int doppel_reader_open(doppel_reader **out,
                                  const char *const *paths, size_t npaths,
                                  const doppel_reader_opts *opts,
                                  doppel_error *err);
DOPPEL_API void doppel_reader_free(doppel_reader *r);

/**
 * Read the next article into *rec. Returns 1 when a record was read, 0 at
 * the end of all inputs, or a negative status; errors name the file and the
 * line (JSONL) or byte offset (gzip): "feed.jsonl.gz:1832: ...".
 * After an error the reader cannot continue (DOPPEL_ERR_STATE).
 */
DOPPEL_API int doppel_reader_next(doppel_reader *r, doppel_record *rec,
                                  doppel_error *err);

/** Records skipped so far: malformed lines (with skip_malformed) and
 *  oversize records (with skip_oversize). */
typedef struct doppel_reader_stats {
    uint64_t records;   /**< records returned */
    uint64_t malformed; /**< malformed lines skipped */
    uint64_t oversize;  /**< oversize records skipped */
    uint64_t blank;     /**< blank lines in JSONL inputs (ignored) */
    uint64_t bytes;     /**< input bytes consumed (decompressed) */
} doppel_reader_stats;

DOPPEL_API void doppel_reader_stats_get(const doppel_reader *r,
                                        doppel_reader_stats *out);

/* ------------------------------------------------------------------ index */

/*
 * An index is a directory on disk holding documents' sketches, so that a
 * feed can be checked day after day against everything seen before without
 * reading the archive again:
 *
 *   doppel_index_create()   a new, empty index with fixed parameters
 *   doppel_index_add()      stage today's articles (sketched at once) ...
 *   doppel_index_commit()   ... and make them part of the index, all or
 *                           nothing, learning in the same pass which of
 *                           them copy archived articles or each other
 *   doppel_index_query()    near-duplicates of articles, without adding
 *   doppel_index_remove()   remove documents by id
 *   doppel_index_expire()   remove documents dated before a time
 *   doppel_index_compact()  merge everything into one segment
 *
 * Verdicts are those of a doppel_dedup: the same bands find the candidates
 * and the same verification (doppel_signature_compare) decides, from the
 * same stored sketches. Adding batches one after the other gives the pairs
 * and the clusters that one doppel_dedup over all of them, in the same
 * order, gives -- also for a bucket shared by more than 64 documents,
 * where both pair each document with the 64 before it. After documents
 * are removed or expired, later verdicts can differ from a fresh dedup of
 * what remains in one way: clusters never split (docs/index.md).
 *
 * Documents are numbered in the order they were added (0, 1, 2, ...);
 * numbers are never reused. Ids need not be unique: remove takes away
 * every document with the id.
 *
 * Files and safety (docs/index.md has the layout)
 *   Segments are immutable, checksummed files; a small COMMIT file,
 *   written last and renamed into place, names the live segments and the
 *   state file (deletions, clusters). A commit is atomic: killed at any
 *   point, an index opens with every batch committed before and nothing
 *   else. Damaged or truncated files are refused with DOPPEL_ERR_CORRUPT
 *   naming the file and the section or byte offset; files of a future
 *   format with DOPPEL_ERR_VERSION.
 *
 * Concurrency
 *   One writer at a time: opening with DOPPEL_INDEX_WRITE takes an
 *   exclusive flock() on INDEX/LOCK until doppel_index_free() (another
 *   writer gets DOPPEL_ERR_BUSY, or waits with DOPPEL_INDEX_WAIT). Readers
 *   take no lock: a reader sees the commit that was current when it
 *   opened, and keeps seeing exactly that snapshot (files are never
 *   changed in place, and removed ones stay readable while mapped) until
 *   it opens the index again. Do not fork() while a writer is open.
 *   Within a process, a reader may be queried from any number of threads
 *   at once; a writer must be used by one thread at a time.
 */

typedef struct doppel_index doppel_index;

/** doppel_index_opts.flags */
#define DOPPEL_INDEX_WRITE 1u    /**< open as the writer (takes the lock) */
#define DOPPEL_INDEX_VERIFY 2u   /**< check every checksum at open, not
                                      only headers and footers (reads every
                                      byte: about 1 s per GB) */
#define DOPPEL_INDEX_WAIT 4u     /**< wait for the writer lock instead of
                                      failing with DOPPEL_ERR_BUSY */

typedef struct doppel_index_opts {
    unsigned version;       /**< DOPPEL_INDEX_OPTS_VERSION */
    unsigned flags;         /**< DOPPEL_INDEX_* */
    unsigned threads;       /**< threads for sketching and matching; 0 or
                                 1 = the caller's only */
    const doppel_params *expect; /**< NULL, or parameters the index must
                                      have (checked as by
                                      doppel_index_check_params) */
    const doppel_allocator *allocator; /**< NULL = malloc */
} doppel_index_opts;

#define DOPPEL_INDEX_OPTS_VERSION 1
#define DOPPEL_INDEX_OPTS_INIT { DOPPEL_INDEX_OPTS_VERSION, 0, 1, NULL, NULL }

/**
 * Create a new index in directory `path` (created if missing; it may exist
 * if it holds no index) with `params` (resolved and recorded: they cannot
 * change later), and open it as the writer (DOPPEL_INDEX_WRITE is implied).
 * DOPPEL_ERR_STATE if `path` already holds an index.
 */
DOPPEL_API int doppel_index_create(doppel_index **out, const char *path,
                                   const doppel_params *params,
                                   const doppel_index_opts *opts,
                                   doppel_error *err);

/**
 * Open the index in directory `path` at its current commit. With
 * DOPPEL_INDEX_WRITE, also take the writer lock and remove files a killed
 * writer left behind. Opening reads the COMMIT and state files and the
 * headers and footers of the segments, which are memory-mapped: it takes
 * milliseconds whatever the index's size. DOPPEL_ERR_NOTFOUND if there is
 * no index there.
 */
DOPPEL_API int doppel_index_open(doppel_index **out, const char *path,
                                 const doppel_index_opts *opts,
                                 doppel_error *err);

/** Close: unmap, release the lock. A pending batch is discarded. */
DOPPEL_API void doppel_index_free(doppel_index *ix);

/** The index's parameters (resolved; borrowed from ix). */
DOPPEL_API const doppel_params *doppel_index_params(const doppel_index *ix);

/** The sketcher the index signs documents with (borrowed, immutable). */
DOPPEL_API const doppel_sketcher *doppel_index_sketcher(
    const doppel_index *ix);

/**
 * DOPPEL_OK if `params` (resolved first) equal the index's in every field;
 * else DOPPEL_ERR_MISMATCH with a message naming the first field that
 * differs and both values: "news.idx: the index was created with
 * threshold=0.45; this run asks for threshold=0.8".
 */
DOPPEL_API int doppel_index_check_params(const doppel_index *ix,
                                         const doppel_params *params,
                                         doppel_error *err);

/**
 * Stage n documents for the next commit: they are sketched now (on
 * opts.threads threads) but are not part of the index, nor visible to
 * anyone, until doppel_index_commit(). May be called any number of times
 * before a commit. On error none of the n is staged. Writer only.
 */
DOPPEL_API int doppel_index_add(doppel_index *ix, const doppel_doc *docs,
                                size_t n, doppel_error *err);

/** Stage one document by its signature (made with the index's
 *  parameters; DOPPEL_ERR_MISMATCH otherwise). */
DOPPEL_API int doppel_index_add_signature(doppel_index *ix, const char *id,
                                          size_t id_len,
                                          const doppel_signature *sig,
                                          int64_t date, doppel_error *err);

/** Documents staged and not yet committed. */
DOPPEL_API size_t doppel_index_pending(const doppel_index *ix);

typedef struct doppel_index_result doppel_index_result;

/**
 * Commit the staged documents as one batch: match them against the index
 * and each other, write them as a new segment, update clusters, and
 * replace COMMIT -- all or nothing. If `result` is not NULL it receives
 * what the batch found, one entry per staged document in order (see
 * doppel_index_result_get): the same pairs, representatives and
 * similarities a dedup over the index's documents and the batch would
 * report for them. With nothing staged, nothing is written and the result
 * is empty. On error the index is unchanged and the batch stays staged.
 * Call doppel_index_merge() after commits. Writer only.
 */
DOPPEL_API int doppel_index_commit(doppel_index *ix,
                                   doppel_index_result **result,
                                   doppel_error *err);

/** Discard the staged documents. */
DOPPEL_API void doppel_index_rollback(doppel_index *ix);

/**
 * Find the near-duplicates already in the index of each of n documents:
 * each document is compared with the index alone (not with the others of
 * the call) and gets exactly the matches committing it would give it. The
 * index is not changed. Sketches on opts.threads threads.
 */
DOPPEL_API int doppel_index_query(const doppel_index *ix,
                                  const doppel_doc *docs, size_t n,
                                  doppel_index_result **result,
                                  doppel_error *err);

/** The same for one signature (made with the index's parameters). */
DOPPEL_API int doppel_index_query_signature(const doppel_index *ix,
                                            const doppel_signature *sig,
                                            doppel_index_result **result,
                                            doppel_error *err);

/** "No document number": a queried document, which is not in the index. */
#define DOPPEL_INDEX_NO_NUMBER UINT64_MAX

/** A document of the index (or a queried one). */
typedef struct doppel_index_ref {
    uint64_t number;  /**< document number, or DOPPEL_INDEX_NO_NUMBER */
    const char *id;   /**< NUL-terminated; borrowed from the result */
    size_t id_len;
    int64_t date;     /**< DOPPEL_NO_DATE when it has none */
} doppel_index_ref;

/** A verified near-duplicate. */
typedef struct doppel_index_match {
    doppel_index_ref doc;
    double similarity; /**< as in doppel_pair */
} doppel_index_match;

/** What an add or a query found for one document. */
typedef struct doppel_index_entry {
    doppel_index_ref doc;  /**< the document added or queried */
    int empty;             /**< it had no words: it matches nothing */
    /** Its cluster's representative: for an add, after the commit; for a
     *  query, the representative of the cluster of its best match (highest
     *  similarity, then lowest number), or the document itself. */
    doppel_index_ref representative;
    double similarity;     /**< to the representative (1 for itself) */
    size_t cluster_size;   /**< for an add: of its cluster after the
                                commit; for a query: of the matched cluster
                                in the index (1 without a match) */
    /** Verified near-duplicates, by ascending number: for an add, those
     *  added before it (in the index or earlier in the batch); for a
     *  query, those in the index. Borrowed from the result. */
    const doppel_index_match *matches;
    size_t nmatches;
} doppel_index_entry;

/** Entries in a result: one per document added or queried. */
DOPPEL_API size_t doppel_index_result_count(const doppel_index_result *r);

/** Entry i (borrowed pointers stay valid until the result is freed). */
DOPPEL_API int doppel_index_result_get(const doppel_index_result *r,
                                       size_t i, doppel_index_entry *out,
                                       doppel_error *err);

DOPPEL_API void doppel_index_result_free(doppel_index_result *r);

/**
 * Remove every document whose id is one of ids[0..n) (lengths in
 * id_lens): one commit. *removed (may be NULL) gets how many documents
 * were removed; ids not in the index are not an error. Clusters that lose
 * a member keep the others together and choose their representative again
 * among them. Writer only, nothing staged.
 */
DOPPEL_API int doppel_index_remove(doppel_index *ix, const char *const *ids,
                                   const size_t *id_lens, size_t n,
                                   size_t *removed, doppel_error *err);

/** Remove every document dated before `before` (Unix seconds); undated
 *  documents stay. One commit; segments left empty are dropped. */
DOPPEL_API int doppel_index_expire(doppel_index *ix, int64_t before,
                                   size_t *removed, doppel_error *err);

/**
 * Merge segments as the merge policy says, if it says so (one commit):
 * the newest segments are merged while together they hold at least half
 * as many live documents as the segment before them, and a segment with
 * more removed than live documents is rewritten. This keeps the number of
 * segments logarithmic in the index's size, so queries stay fast, while
 * each document is rewritten only a logarithmic number of times. Cheap
 * when there is nothing to do: call it after every commit, remove or
 * expire. Segments are verified before they are read. Writer only.
 */
DOPPEL_API int doppel_index_merge(doppel_index *ix, doppel_error *err);

/** Merge all segments into one without the removed documents (one
 *  commit; nothing is written when there is nothing to gain). Every
 *  segment's checksums are verified before it is read. */
DOPPEL_API int doppel_index_compact(doppel_index *ix, doppel_error *err);

/** Facts about the snapshot an index handle sees. */
typedef struct doppel_index_stats {
    uint64_t generation;    /**< commits since creation, creation included */
    size_t documents;       /**< live documents */
    size_t deleted;         /**< removed, still in segment files until a
                                 merge */
    size_t segments;
    size_t clusters;        /**< of live documents, singletons included */
    size_t duplicates;      /**< live documents that are not their
                                 cluster's representative */
    size_t largest_cluster;
    uint64_t bytes;         /**< size of the files of this commit */
    uint64_t next_number;   /**< number of the next document added */
    int64_t oldest, newest; /**< dates of live documents, DOPPEL_NO_DATE
                                 when none is dated */
} doppel_index_stats;

DOPPEL_API int doppel_index_stats_get(const doppel_index *ix,
                                      doppel_index_stats *out,
                                      doppel_error *err);

/** Check every checksum of every file of the snapshot (reads all of it).
 *  DOPPEL_ERR_CORRUPT names the first damaged file and section. */
DOPPEL_API int doppel_index_verify(const doppel_index *ix, doppel_error *err);

/**
 * Call fn for every live document in number order, with its cluster
 * (matches are not given: nmatches is 0). Stops at, and returns, the first
 * nonzero value fn returns. The entry's pointers are valid during the call.
 */
DOPPEL_API int doppel_index_scan(const doppel_index *ix,
                                 int (*fn)(void *ctx,
                                           const doppel_index_entry *e),
                                 void *ctx, doppel_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DOPPEL_H */
