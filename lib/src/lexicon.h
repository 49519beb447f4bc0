/*
 * lexicon.h — doppel's built-in word table: which words are core function
 * words (kept in skeleton shingles) and how common each word is (for the
 * rarity score that names the original of a spun copy).
 */
#ifndef DOPPEL_LEXICON_H
#define DOPPEL_LEXICON_H

#include <stdint.h>

#define DOPPEL__LEX_STOP 0x80u    /* a core function word */
#define DOPPEL__LEX_CLASS 0x0Fu   /* frequency class 0..14 (0 = unseen) */
#define DOPPEL__LEX_MAX_CLASS 14u

extern const uint32_t doppel__lexicon_size;
extern const uint32_t doppel__lexicon_table[];

/** The information byte of the word whose XXH3-64 (seed 0) is h, or 0 for
 *  a word not in the table (tools/gen_lexicon.py describes the layout). */
static inline unsigned doppel__lexicon_lookup(uint64_t h)
{
    uint32_t mask = doppel__lexicon_size - 1;
    uint32_t fp = (uint32_t)(h >> 40);
    for (uint32_t s = (uint32_t)h & mask;; s = (s + 1) & mask) {
        uint32_t e = doppel__lexicon_table[s];
        if (e == 0)
            return 0;
        if ((e >> 8) == fp)
            return e & 0xFFu;
    }
}

/** Start loading the first slot doppel__lexicon_lookup(h) reads. */
static inline void doppel__lexicon_prefetch(uint64_t h)
{
#if defined(__GNUC__)
    __builtin_prefetch(&doppel__lexicon_table[(uint32_t)h &
                                              (doppel__lexicon_size - 1)]);
#else
    (void)h;
#endif
}

#endif
