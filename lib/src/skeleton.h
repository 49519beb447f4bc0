/*
 * skeleton.h — the function-word skeleton of a document.
 */
#ifndef DOPPEL_SKELETON_H
#define DOPPEL_SKELETON_H

#include <stddef.h>
#include <stdint.h>

/** The symbol every run of content words collapses to. */
#define DOPPEL__SKELETON_WILDCARD 0x2A2A2A2A2A2A2A2Aull

/** A skeleton with fewer kept words than this, or kept words making up
 *  less than 1/DOPPEL__SKELETON_MIN_SHARE of the text, is too thin to
 *  tell documents apart: the sketcher falls back to word shingles. */
#define DOPPEL__SKELETON_MIN_KEPT 8
#define DOPPEL__SKELETON_MIN_SHARE 10

/* A line with at least DOPPEL__THIN_LINE_WORDS words of which under
 * 1/DOPPEL__THIN_LINE_SHARE are kept keeps all its words (sketch.c:
 * keep_thin_lines). Prose has a function word in every two or three words;
 * a line of eight without one is a list of names or figures. */
#define DOPPEL__THIN_LINE_WORDS 8
#define DOPPEL__THIN_LINE_SHARE 20

/**
 * Build the skeleton of n words: word i is kept (its hash base[i]) when it
 * is a core function word (keep[i] != 0) and replaced by the wildcard
 * otherwise; consecutive wildcards collapse into one. sym[j] is the j-th
 * symbol and tok[j] the index of the word it starts at. Both must hold n
 * entries. Returns the number of symbols; *kept gets the number of kept
 * words.
 */
size_t doppel__skeleton(const uint64_t *base, const uint8_t *keep, size_t n,
                        uint64_t *sym, uint32_t *tok, size_t *kept);

#endif
