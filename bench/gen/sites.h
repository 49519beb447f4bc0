/*
 * sites.h — synthetic news sites and their page furniture, modelled on the
 * LBC page in corpus/seeds/001_*.txt: every page of a site carries the same
 * header lines and a large footer — a "More Latest News" block of 15-30
 * headlines (some with a short picture caption above, as on LBC) taken from
 * other articles, a newsletter line, a links line and a copyright line. Two
 * different articles from one site therefore share a few hundred words of
 * boilerplate, which is exactly what must not make them duplicates.
 *
 * Also the names of the outlets that reprint a wire story ("Published by The
 * Riverton Courier"): distinct for the first 960 indices.
 */
#ifndef BG_SITES_H
#define BG_SITES_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>

/** A headline available for footers: a title and an optional caption. */
typedef struct bg_headline {
    const char *title;
    size_t title_len;
    const char *caption; /**< may be NULL */
    size_t caption_len;
} bg_headline;

typedef struct bg_site {
    char name[96]; /**< "The Riverton Courier" */
    char slug[96]; /**< "riverton-courier" */
    bg_buf header; /**< fixed header lines, no trailing newline */
    bg_buf footer; /**< fixed footer block, no trailing newline */
    size_t headlines; /**< headlines in the footer */
} bg_site;

/** Build site number `index` (its name) with furniture drawn from `pool`
 *  by `seed`. 0 or DOPPEL_ERR_NOMEM / DOPPEL_ERR_PARAM (empty pool). */
int bg_site_make(bg_site *site, size_t index, uint64_t seed,
                 const bg_headline *pool, size_t npool, doppel_error *err);
void bg_site_free(bg_site *site);

/** header, blank line, text, blank line, footer. */
void bg_site_wrap(const bg_site *site, const char *text, size_t len,
                  bg_buf *out);

/** Name of outlet number `index` ("The Kingsbridge Herald"). */
void bg_outlet_name(size_t index, char *buf, size_t cap);

/** Add a one-line credit for outlet `name` to a reprinted story: at the top
 *  when top != 0, else at the bottom. `style` picks one of a few wordings. */
void bg_credit(const char *text, size_t len, const char *name, unsigned style,
               int top, bg_buf *out);

#endif
