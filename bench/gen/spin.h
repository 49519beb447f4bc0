/*
 * spin.h — an article spinner that works the way the commercial ones do
 * (the kind that turned "Secretary of State" into "Secretary of Narrate"
 * and "help" into "lend a hand"): scan the text left to right, at each word
 * take the longest phrase of up to four words that the thesaurus can
 * replace, and with probability `rate` swap it for a synonym chosen
 * uniformly at random — with no regard for sense or part of speech.
 *
 * Details (each one is what such tools do, none is tuned for detection):
 *  - A replaceable unit is a phrase of 1..max_phrase_words words separated
 *    only by spaces or tabs, whose lower-case form (or that of a base form of
 *    its last word) is a WordNet lemma with at least one synonym.
 *  - Base forms: the phrase as written; WordNet's exception lists ("went" ->
 *    "go"); morphy-style suffix stripping (-s -es -ies -ed -ing, with a
 *    doubled final consonant undone); a possessive 's. The synonyms of every
 *    base form found are pooled. A naive suffix is re-applied to the last
 *    word of the replacement: "helped" -> "lend a handed".
 *  - Never replaced: a closed-class stoplist (articles, pronouns,
 *    prepositions, conjunctions, auxiliaries: "the of and to a in is was he it
 *    that" ...), one-letter words, words containing digits, and acronyms
 *    (all-capital words of 2-5 letters: the spun seed article kept "US",
 *    "UK" and "HQ" while it changed "State" and "Street"). A phrase may not
 *    start with a stopword, but may contain one ("secretary of state"), and
 *    an inflected form whose base is a stopword ("it's") is not replaced.
 *  - Case follows the source unit: UPPER -> UPPER, Title -> Title (every
 *    word when every content word of the source was capitalised), lower ->
 *    the synonym as WordNet spells it ("Chinese" stays capitalised).
 *  - All whitespace and punctuation between units is copied byte for byte.
 *
 * Two profiles:
 *  - BG_SPIN_WORDNET (the default): the units above, WordNet synonyms only.
 *  - BG_SPIN_PHRASE: a hand-written table of about 600 words and phrases
 *    (phrases.h) first, WordNet for everything the table does not cover. At
 *    each word the longest table key of up to four words (lower case, ’
 *    folded to ', also tried without a final possessive 's) competes with
 *    the longest WordNet unit; the longer wins, the table on a tie. Table
 *    keys may be stopwords ("but", "before", "might", "was"), which is what
 *    real spinners rewrite and WordNet cannot; acronyms stay. The rate is
 *    per unit of either kind, case is kept the same way, and a replacement
 *    is drawn uniformly from the entry's 1-4 replacements.
 */
#ifndef BG_SPIN_H
#define BG_SPIN_H

#include "util.h"
#include "wordnet.h"

#include <stddef.h>
#include <stdint.h>

/** Which thesaurus the spinner draws on. */
typedef enum bg_spin_profile {
    BG_SPIN_WORDNET = 0, /**< WordNet synonyms of content words */
    BG_SPIN_PHRASE = 1   /**< the phrase table, then WordNet */
} bg_spin_profile;

typedef struct bg_spin_opts {
    double rate;                /**< probability of replacing a unit, [0, 1] */
    uint64_t seed;              /**< same seed and text, same output */
    unsigned max_phrase_words;  /**< longest phrase tried; 0 = 4 */
    bg_spin_profile profile;    /**< 0 = BG_SPIN_WORDNET */
} bg_spin_opts;

typedef struct bg_spin_stats {
    size_t words;          /**< words in the input */
    size_t units;          /**< replaceable units found */
    size_t replaced;       /**< units replaced */
    size_t words_replaced; /**< input words inside replaced units */
    size_t table_units;    /**< of the units, phrase-table entries */
    size_t table_replaced; /**< of the replaced units, table entries */
} bg_spin_stats;

/** One replaceable unit, for tests and reports. */
typedef struct bg_spin_unit {
    size_t src_start, src_end; /**< bytes of the input */
    size_t dst_start, dst_end; /**< bytes of the output */
    unsigned words;            /**< words in the source unit */
    int replaced;
    int from_table;            /**< a phrase-table entry (else WordNet) */
} bg_spin_unit;

/** Optional trace of every unit; zero-initialise, free with
 *  bg_spin_trace_free. */
typedef struct bg_spin_trace {
    bg_spin_unit *v;
    size_t n, cap;
} bg_spin_trace;

void bg_spin_trace_free(bg_spin_trace *t);

/**
 * Spin `len` bytes of `text`, appending the result to `out`. `stats` and
 * `trace` may be NULL. Returns 0, DOPPEL_ERR_PARAM (rate outside [0, 1]) or
 * DOPPEL_ERR_NOMEM.
 */
int bg_spin(const bg_wordnet *wn, const char *text, size_t len,
            const bg_spin_opts *opts, bg_buf *out, bg_spin_stats *stats,
            bg_spin_trace *trace, doppel_error *err);

/** 1 if the word (any case) is on the spinner's stoplist. */
int bg_spin_is_stopword(const char *word, size_t len);

/** Realised rate: replaced / units (0 when there were no units). */
double bg_spin_realised(const bg_spin_stats *st);

/** "wordnet" or "phrase"; NULL for another value. */
const char *bg_spin_profile_name(bg_spin_profile p);

#endif
