/*
 * wordnet.h — a synonym dictionary read straight from Princeton WordNet 3.0's
 * database files as Debian ships them (package `wordnet-base`:
 * /usr/share/wordnet/{index,data}.{noun,verb,adj,adv} and *.exc).
 *
 * A lemma's synonyms are all lemmas of all its synsets, in every part of
 * speech, with no regard for sense: exactly the undiscriminating thesaurus a
 * commercial article spinner uses ("state" gives "narrate" as readily as
 * "province"). Lemmas are keyed in lower case with words separated by single
 * spaces, so multi-word lemmas ("secretary of state", "lend a hand") are
 * found as phrases. Synonyms keep WordNet's own spelling ("Downing Street",
 * "foreign minister"); adjective markers (a), (p), (ip) are stripped.
 *
 * A loaded bg_wordnet is immutable: share it between threads freely.
 */
#ifndef BG_WORDNET_H
#define BG_WORDNET_H

#include "doppel.h"

#include <stddef.h>
#include <stdint.h>

/* Where Debian's `wordnet-base` package puts the database
 * (apt-get install wordnet-base). Override per call with
 * bg_wordnet_load(dir), or at build time with -DBG_WORDNET_DEFAULT_DIR=... */
#ifndef BG_WORDNET_DEFAULT_DIR
#define BG_WORDNET_DEFAULT_DIR "/usr/share/wordnet"
#endif

typedef struct bg_wordnet bg_wordnet;

/** Part of speech of an exception-list entry. */
typedef enum bg_pos { BG_NOUN = 0, BG_VERB = 1, BG_ADJ = 2, BG_ADV = 3 } bg_pos;

/** One base form of an irregular inflected form ("went" -> "go", verb). */
typedef struct bg_wn_exc {
    uint32_t base; /**< lemma key id of the base form */
    uint8_t pos;   /**< bg_pos of the exception list it came from */
} bg_wn_exc;

/**
 * Load the database from `dir` (NULL = BG_WORDNET_DEFAULT_DIR). Errors name
 * the file and line: "/usr/share/wordnet/index.noun:40: bad synset count".
 */
int bg_wordnet_load(bg_wordnet **out, const char *dir, doppel_error *err);
void bg_wordnet_free(bg_wordnet *wn);

/** Key id of a lemma (lower case, single spaces), or -1 if unknown. */
long bg_wordnet_lookup(const bg_wordnet *wn, const char *key, size_t len);

/** 1 if `words` (lower case, single spaces) begins some multi-word lemma
 *  and is followed there by a space: "secretary of" for "secretary of
 *  state". Lets a phrase scanner stop early. */
int bg_wordnet_is_prefix(const bg_wordnet *wn, const char *words, size_t len);

/** Synonyms of key id `key`: *ids gets surface ids (borrowed); returns how
 *  many. Never includes the lemma itself (compared case-insensitively). */
size_t bg_wordnet_synonyms(const bg_wordnet *wn, long key,
                           const uint32_t **ids);

/** The surface form of a synonym ("foreign minister"), borrowed. */
const char *bg_wordnet_surface(const bg_wordnet *wn, uint32_t id,
                               size_t *len);

/** The key text of key id `key`, borrowed. */
const char *bg_wordnet_key(const bg_wordnet *wn, long key, size_t *len);

/** Base forms of an irregular form from the *.exc lists (lower case). */
size_t bg_wordnet_exceptions(const bg_wordnet *wn, const char *form,
                             size_t len, const bg_wn_exc **out);

/** Counts, for reports: lemma keys, keys with at least one synonym. */
void bg_wordnet_counts(const bg_wordnet *wn, size_t *keys,
                       size_t *keys_with_synonyms);

#endif
