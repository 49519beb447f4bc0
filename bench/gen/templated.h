/*
 * templated.h — templated news: quarterly earnings reports and football
 * results written from a fixed template with different companies, teams and
 * numbers, like the automated stories wire services publish by the thousand.
 * Two of them share most of their wording yet report different events, so
 * they are different articles: each is its own cluster in the benchmark.
 */
#ifndef BG_TEMPLATED_H
#define BG_TEMPLATED_H

#include "util.h"

#include <stdint.h>

typedef enum bg_template {
    BG_TEMPLATE_EARNINGS = 0,
    BG_TEMPLATE_SPORTS = 1
} bg_template;

/** The family's name: "earnings" or "sports". */
const char *bg_template_name(bg_template t);

/** Write one story of family t, fully determined by seed, appending its
 *  title and text. 0 or DOPPEL_ERR_NOMEM. */
int bg_templated(bg_template t, uint64_t seed, bg_buf *title, bg_buf *text,
                 doppel_error *err);

#endif
