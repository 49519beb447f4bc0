/*
 * edits.h — the non-spinning ways a copy of an article differs from its
 * original, each deterministic for its seed:
 *
 *   typo      keyboard noise at a per-letter rate: substitute a QWERTY
 *             neighbour, delete, insert a neighbour, or swap with the next
 *             letter (ASCII letters only, so UTF-8 stays valid)
 *   truncate  keep the first fraction of the words, cut after a word
 *   sentdel   delete a fraction of the sentences (never all)
 *   reorder   shuffle the paragraphs (never the identity when there are two
 *             or more)
 *   partial   insert 1-3 consecutive paragraphs of a donor article between
 *             two paragraphs of a host article
 *   credit    add a one-line credit ("Published by The Riverton Courier") at
 *             the top or bottom of a syndicated story
 *
 * Every function appends to `out` and returns 0, DOPPEL_ERR_PARAM (with a
 * message naming the bad argument) or DOPPEL_ERR_NOMEM.
 */
#ifndef BG_EDITS_H
#define BG_EDITS_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>

/** Typo noise: each ASCII letter is edited with probability rate.
 *  *edits (may be NULL) gets the number of edits, *letters the letters. */
int bg_typo(const char *text, size_t len, double rate, uint64_t seed,
            bg_buf *out, size_t *edits, size_t *letters, doppel_error *err);

/** Keep the first max(1, round(frac * words)) whitespace-separated words
 *  (with their punctuation), cut right after the last kept one. frac in
 *  (0, 1]. *kept and *words (may be NULL) get the counts. */
int bg_truncate(const char *text, size_t len, double frac, bg_buf *out,
                size_t *kept, size_t *words, doppel_error *err);

/** Delete min(n - 1, round(frac * n)) of the n sentences, chosen uniformly;
 *  paragraphs keep their order and are rejoined with blank lines; a
 *  paragraph that loses all its sentences disappears. If `deleted` is not
 *  NULL it receives n flags (1 = deleted; caller allocates `cap` >= n, else
 *  it is left alone). frac in [0, 1]. */
int bg_sentdel(const char *text, size_t len, double frac, uint64_t seed,
               bg_buf *out, size_t *ndeleted, size_t *nsentences,
               unsigned char *deleted, size_t cap, doppel_error *err);

/** Shuffle paragraphs (Fisher-Yates; an identity draw is rotated by one),
 *  rejoined with blank lines. `perm` (may be NULL, cap >= n) receives the
 *  source paragraph of each output paragraph. */
int bg_reorder(const char *text, size_t len, uint64_t seed, bg_buf *out,
               size_t *nparagraphs, size_t *perm, size_t cap,
               doppel_error *err);

/** Copy `host` with paragraphs [first, first + count) of `donor` inserted
 *  after host paragraph `at` (0 = before the first); all in range or
 *  DOPPEL_ERR_PARAM. Paragraphs are rejoined with blank lines. */
int bg_partial(const char *host, size_t hlen, const char *donor, size_t dlen,
               size_t first, size_t count, size_t at, bg_buf *out,
               doppel_error *err);

/** Number of paragraphs and sentences of a text (either may be NULL);
 *  -1 on out of memory. */
int bg_count_units(const char *text, size_t len, size_t *paragraphs,
                   size_t *sentences);

#endif
