/*
 * text.h — how the benchmark sees text: words, paragraphs and sentences.
 * Everything here works on byte spans of UTF-8 and never rewrites the text,
 * so that edits can keep every byte they do not mean to change.
 *
 *   word       a run of letters/digits (ASCII, Latin-1 and other non-ASCII
 *              letters) with internal ' ’ or - between letters:
 *              "Britain’s", "intelligence-sharing", "5G"
 *   paragraph  text between blank lines (a line with only whitespace ends
 *              a paragraph too)
 *   sentence   within a paragraph, ends after . ! ? (and any closing quotes
 *              or brackets) followed by whitespace and a capital, digit or
 *              opening quote; a line break also ends one
 */
#ifndef BG_TEXT_H
#define BG_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** A byte span [start, end) of some text. */
typedef struct bg_span {
    size_t start, end;
} bg_span;

/** A growable array of spans; zero-initialise, free with bg_spans_free. */
typedef struct bg_spans {
    bg_span *v;
    size_t n, cap;
} bg_spans;

void bg_spans_free(bg_spans *s);
/** Append; 0 or -1 on out of memory. */
int bg_spans_push(bg_spans *s, size_t start, size_t end);

/** Decode one UTF-8 code point at s[i] (i < len); *n gets its byte length
 *  (at least 1). Invalid bytes decode as U+FFFD of length 1. */
uint32_t bg_utf8_decode(const char *s, size_t len, size_t i, size_t *n);

/** 1 if code point c is a letter or digit for the purpose of words. */
int bg_is_word_cp(uint32_t c);

/** If a word starts at s[i], its end; otherwise i. */
size_t bg_word_end(const char *s, size_t len, size_t i);

/** Split text into words (spans); 0 or -1 on out of memory. */
int bg_split_words(const char *s, size_t len, bg_spans *out);

/** Split into paragraphs (trimmed of surrounding whitespace, non-empty). */
int bg_split_paragraphs(const char *s, size_t len, bg_spans *out);

/** Split one paragraph [start, end) of s into sentences (trimmed, non-empty),
 *  appending to out. */
int bg_split_sentences(const char *s, size_t start, size_t end, bg_spans *out);

/** ASCII case helpers (other bytes unchanged). */
static inline char bg_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}
static inline char bg_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}
static inline int bg_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int bg_is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static inline int bg_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
           || c == '\v';
}

#endif
