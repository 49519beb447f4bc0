/*
 * phrases.h — the phrase table of the `phrase` spinner profile (spin.h):
 * about 600 words and short phrases a commercial article spinner rewrites,
 * each with 1-4 replacements, looked up by their lower-case surface form.
 *
 * Unlike WordNet, the table holds function words, connectives, auxiliaries
 * and phrasal verbs ("but" -> "nonetheless", "before" -> "sooner than",
 * "might" -> "may perchance", "make sure" -> "manufacture particular"), and
 * it is keyed by surface form, so every inflection is its own entry ("was"
 * -> "turned into", "told" -> "instructed"), as in the tools it imitates.
 * The table is `static const` and sorted by key in byte order (a test
 * checks the order); lookups are binary searches.
 */
#ifndef BG_PHRASES_H
#define BG_PHRASES_H

#include <stddef.h>

#define BG_PHRASE_MAX_REPLACEMENTS 4
#define BG_PHRASE_MAX_WORDS 4

/** One entry: a lower-case key of 1-4 words separated by single spaces,
 *  and 1-4 replacements (unused slots are NULL). */
typedef struct bg_phrase {
    const char *key;
    const char *rep[BG_PHRASE_MAX_REPLACEMENTS];
} bg_phrase;

/** The entry whose key is exactly `key` (len bytes), or NULL. */
const bg_phrase *bg_phrase_find(const char *key, size_t len);

/** 1 if some key starts with the len bytes of `key` (a whole key or the
 *  start of a longer one): lets a scanner stop looking early. */
int bg_phrase_is_prefix(const char *key, size_t len);

/** Number of replacements of an entry (1-4). */
size_t bg_phrase_nrep(const bg_phrase *p);

/** The whole table, for tests and reports. */
size_t bg_phrase_count(void);
const bg_phrase *bg_phrase_at(size_t i);

#endif
