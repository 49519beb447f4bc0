/*
 * tokenize.h — normalise and split text into words in one pass.
 */
#ifndef DOPPEL_TOKENIZE_H
#define DOPPEL_TOKENIZE_H

#include "common.h"

/**
 * The words of a text after normalisation. `text` holds the folded words
 * joined by single spaces (the input of character n-grams); word i is
 * text[start[i] .. start[i] + len[i]). Buffers are reused across calls.
 */
typedef struct doppel__tokens {
    unsigned char *text;
    size_t text_len, text_cap;
    uint32_t *start;
    uint32_t *len;
    uint8_t *flags; /* DOPPEL__TOK_* per word */
    size_t n, cap;
} doppel__tokens;

/* Per-word flags. */
#define DOPPEL__TOK_UPPER 1u /* its first letter was upper or title case */
#define DOPPEL__TOK_DIGIT 2u /* it contains a digit or number character */
#define DOPPEL__TOK_LINE 4u  /* first word of a line (or of the text) */
#define DOPPEL__TOK_PARA 8u  /* first word after a blank line (or of the text) */
#define DOPPEL__TOK_SENT 16u /* first word of a line or after . ! or ? */

/** Largest input the tokenizer accepts (offsets are 32-bit). */
#define DOPPEL__MAX_TEXT_BYTES DOPPEL_MAX_TEXT_BYTES

/**
 * Tokenise `n` bytes of `s` into `out` (previous content replaced).
 * Words are maximal runs of letters and digits of any script after folding;
 * an apostrophe joins two letters ("don't"); an ideograph (CJK, Thai, ...)
 * is a word by itself; non-spacing marks and format characters are dropped
 * without splitting a word; invalid UTF-8 becomes U+FFFD, which separates
 * words. Returns DOPPEL_OK, DOPPEL_ERR_NOMEM or DOPPEL_ERR_LIMIT.
 */
int doppel__tokenize(const char *s, size_t n, doppel__tokens *out,
                     const doppel_allocator *a);

/** The implementations of the ASCII block classifier (tokenize.c). All
 *  give the same tokens; tests run each that the machine can. */
typedef enum doppel__tok_impl {
    DOPPEL__TOK_AUTO = 0,   /* the fastest available (what doppel uses) */
    DOPPEL__TOK_SCALAR = 1, /* portable C */
    DOPPEL__TOK_SSE2 = 2,   /* x86-64 baseline */
    DOPPEL__TOK_AVX2 = 3,   /* chosen at run time when the CPU has it */
    DOPPEL__TOK_AVX512 = 4, /* AVX-512BW, likewise */
    DOPPEL__TOK_IMPLS
} doppel__tok_impl;

/** doppel__tokenize with a given classifier (which must be available). */
int doppel__tokenize_with(const char *s, size_t n, doppel__tokens *out,
                          const doppel_allocator *a, doppel__tok_impl impl);

/** 1 if `impl` is compiled in and the CPU can run it. */
int doppel__tokenize_available(doppel__tok_impl impl);

/** "scalar", "sse2", ... */
const char *doppel__tokenize_name(doppel__tok_impl impl);

void doppel__tokens_free(doppel__tokens *t, const doppel_allocator *a);

/**
 * The normalised text: case folded, diacritics removed from Latin and Greek
 * letters, typographic quotes/apostrophes/dashes folded to ASCII, format
 * characters and non-spacing marks dropped, invalid UTF-8 replaced by U+FFFD,
 * every run of whitespace collapsed to one space and trimmed at both ends.
 * Punctuation is kept. *out is allocated (NUL-terminated, at most
 * 3n + 1 bytes), *out_len set.
 */
int doppel__normalize(const char *s, size_t n, char **out, size_t *out_len,
                      const doppel_allocator *a);

#endif
