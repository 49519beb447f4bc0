/*
 * sites.c — names, headers and footers of synthetic news sites (sites.h).
 * Names are "The <town> <paper>" over 48 towns x 20 paper names; index i
 * maps to a pair through a fixed stride coprime with 960, so consecutive
 * outlets do not share a town.
 */
#include "sites.h"

#include "rng.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

static const char *const towns[48] = {
    "Riverton",   "Ashford",     "Millbrook",  "Kingsbridge", "Eastwick",
    "Harrowgate", "Lakeside",    "Northfield", "Oakham",      "Westbury",
    "Fairhaven",  "Redhill",     "Stonebridge", "Brookfield", "Clearwater",
    "Elmstead",   "Glenmore",    "Highcliffe", "Ivybridge",   "Larkhill",
    "Marlow Vale", "Newhaven",   "Old Harbour", "Pinecrest",  "Queensbury",
    "Rosewood",   "Silverdale",  "Thornbury",  "Upton Park",  "Valemount",
    "Whitcross",  "Yarrowby",    "Beacon Hill", "Copperfield", "Dunmore",
    "Fernside",   "Greystone",   "Hollowell",  "Kestrel Bay", "Meadowbank",
    "Norbury",    "Pemberton",   "Ravensworth", "Saltcombe",  "Tidewater",
    "Wexcombe",   "Ambleside",   "Castlereagh",
};

static const char *const papers[20] = {
    "Courier",  "Gazette",  "Herald",   "Chronicle", "Post",
    "Times",    "Observer", "Express",  "Echo",      "Mercury",
    "Standard", "Tribune",  "Journal",  "Advertiser", "Sentinel",
    "Record",   "Bulletin", "Daily News", "Argus",   "Examiner",
};

static const char *const sections[] = {
    "News",   "UK",      "World",  "Politics", "Business", "Money",
    "Sport",  "Opinion", "Tech",   "Science",  "Health",   "Culture",
    "Travel", "Weather", "Video",  "Podcasts", "Local",    "Crime",
};

void bg_outlet_name(size_t index, char *buf, size_t cap)
{
    size_t k = (index * 397 + 11) % 960; /* 397 is prime, coprime with 960 */
    const char *town = towns[k % 48];
    const char *paper = papers[k / 48];
    if (index < 960)
        snprintf(buf, cap, "The %s %s", town, paper);
    else
        snprintf(buf, cap, "The %s %s (%zu edition)", town, paper,
                 index / 960 + 1);
}

static void slugify(const char *name, char *slug, size_t cap)
{
    size_t n = 0;
    const char *s = strncmp(name, "The ", 4) == 0 ? name + 4 : name;
    for (; *s && n + 1 < cap; s++) {
        char c = bg_lower(*s);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            slug[n++] = c;
        else if (n > 0 && slug[n - 1] != '-')
            slug[n++] = '-';
    }
    while (n > 0 && slug[n - 1] == '-')
        n--;
    slug[n] = '\0';
}

int bg_site_make(bg_site *site, size_t index, uint64_t seed,
                 const bg_headline *pool, size_t npool, doppel_error *err)
{
    memset(site, 0, sizeof *site);
    if (npool == 0)
        return bg_error(err, DOPPEL_ERR_PARAM, "site: no headlines to draw from");
    /* sites are named from the far end of the outlet list */
    bg_outlet_name(959 - index % 960, site->name, sizeof site->name);
    if (index >= 960) {
        size_t l = strlen(site->name);
        snprintf(site->name + l, sizeof site->name - l, " %zu", index / 960 + 1);
    }
    slugify(site->name, site->slug, sizeof site->slug);
    bg_rng r;
    bg_rng_seed(&r, seed);

    /* header: the masthead and a navigation line of 6-9 sections */
    const size_t nsec = sizeof sections / sizeof sections[0];
    size_t order[sizeof sections / sizeof sections[0]];
    for (size_t i = 0; i < nsec; i++)
        order[i] = i;
    for (size_t i = nsec; i > 1; i--) {
        size_t j = (size_t)bg_rng_below(&r, i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    size_t show = (size_t)bg_rng_range(&r, 6, 9);
    bg_buf_printf(&site->header, "%s\nHome", site->name);
    for (size_t i = 0; i < show; i++)
        bg_buf_printf(&site->header, " | %s", sections[order[i]]);

    /* footer: More Latest News with 15-30 headlines, some with a caption */
    size_t nh = (size_t)bg_rng_range(&r, 15, 30);
    if (nh > npool)
        nh = npool;
    site->headlines = nh;
    bg_buf_puts(&site->footer, "More Latest News\n\nSee more More Latest News");
    size_t picked[30];
    for (size_t h = 0; h < nh; h++) {
        size_t k;
        int again;
        int tries = 0;
        do { /* distinct headlines when the pool allows */
            k = (size_t)bg_rng_below(&r, npool);
            again = 0;
            for (size_t q = 0; q < h; q++)
                if (picked[q] == k)
                    again = 1;
        } while (again && ++tries < 50);
        picked[h] = k;
        const bg_headline *hl = &pool[k];
        if (hl->caption && hl->caption_len && bg_rng_chance(&r, 0.5)) {
            bg_buf_puts(&site->footer, "\n\n");
            bg_buf_append(&site->footer, hl->caption, hl->caption_len);
        }
        bg_buf_puts(&site->footer, "\n\n");
        bg_buf_append(&site->footer, hl->title, hl->title_len);
    }
    bg_buf_printf(&site->footer,
                  "\n\nSign up to the %s newsletter for the day's top stories, "
                  "delivered every morning.\n\nAbout us | Contact us | "
                  "Advertise with us | Privacy notice | Cookie policy | Terms "
                  "and conditions\n\n\xC2\xA9 %u %s Ltd. All rights reserved.",
                  site->name + 4, (unsigned)bg_rng_range(&r, 2019, 2024),
                  site->name);
    if (site->header.oom || site->footer.oom) {
        bg_site_free(site);
        return bg_error(err, DOPPEL_ERR_NOMEM, "site: out of memory");
    }
    return 0;
}

void bg_site_free(bg_site *site)
{
    bg_buf_free(&site->header);
    bg_buf_free(&site->footer);
}

void bg_site_wrap(const bg_site *site, const char *text, size_t len,
                  bg_buf *out)
{
    bg_buf_append(out, site->header.data, site->header.len);
    bg_buf_puts(out, "\n\n");
    bg_buf_append(out, text, len);
    bg_buf_puts(out, "\n\n");
    bg_buf_append(out, site->footer.data, site->footer.len);
}

void bg_credit(const char *text, size_t len, const char *name, unsigned style,
               int top, bg_buf *out)
{
    static const char *const fmt[3] = {"Published by %s", "Reprinted by %s",
                                       "Published by %s under licence"};
    if (!top) {
        bg_buf_append(out, text, len);
        bg_buf_rtrim(out);
        bg_buf_puts(out, "\n\n");
    }
    bg_buf_printf(out, fmt[style % 3], name);
    if (top) {
        bg_buf_puts(out, "\n\n");
        bg_buf_append(out, text, len);
    }
}
