/*
 * testcorpus.h — documents for the index tests: the bundled Wikinews
 * articles (corpus/wikinews.jsonl, CC BY 2.5) and copies of them made the
 * way the web makes them (reprinted with a credit line, cut short, wrapped
 * in a site's header and footer, lightly edited, or reprinted 70 times so
 * that a band's bucket outgrows dedup's 64-member window). Deterministic:
 * the same arguments give the same documents in the same order.
 */
#ifndef DOPPEL_TESTCORPUS_H
#define DOPPEL_TESTCORPUS_H

#include "doppel.h"

#include <stddef.h>

typedef struct tc_docs {
    doppel_doc *d;
    size_t n, cap;
} tc_docs;

/** The first `max` Wikinews articles (all 293 if max is 0), with dates. */
void tc_load_wikinews(tc_docs *D, size_t max);

/** Append a document (id, text copied; date DOPPEL_NO_DATE for none). */
void tc_add(tc_docs *D, const char *id, const char *text, size_t len,
            int64_t date);

/**
 * Append copies of documents [0, originals): for each, with a seed-driven
 * choice, a reprint with a credit line, a truncation to 60% of its words,
 * a copy wrapped in boilerplate, or a lightly edited copy (ids
 * "ORIGINAL_ID~KIND"), dated after the original; and, if `hot` is not 0,
 * `hot` reprints of document 0 ("ORIGINAL_ID~hotN"). Copies are shuffled
 * among themselves.
 */
void tc_make_copies(tc_docs *D, size_t originals, unsigned seed, size_t hot);

/**
 * Append `pages` pages of one site ("site-page-N"): the first
 * article_words words (whole lines) of documents [from, from + pages),
 * each followed by the same footer of about footer_words words (the first
 * sentences of the documents after those), dated an hour apart from date0
 * (or undated). Pages share the footer and nothing else: the case of the
 * boilerplate rule (verify.h), which a batch judges with the corpus table.
 */
void tc_make_site_pages(tc_docs *D, size_t from, size_t pages,
                        size_t article_words, size_t footer_words,
                        int64_t date0);

/** The index of the document with this id, or (size_t)-1. */
size_t tc_find(const tc_docs *D, const char *id);

void tc_free(tc_docs *D);

#endif
