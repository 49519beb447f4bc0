/*
 * mix_base.c — the generator's base articles: real ones as given, and
 * synthetic originals for --scale made of sentences drawn from many real
 * articles (each regenerated on demand from its own seed, so nothing is
 * stored); their ids and dates; and the ids and date format of output
 * documents.
 */
#include "mix_impl.h"

#include "rng.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ ids */

void bg_doc_id(uint64_t seed, uint64_t i, char out[13])
{
    const uint64_t M = (1ULL << 48) - 1;
    uint64_t x = (i ^ bg_mix64(seed)) & M;
    /* odd multipliers and right xorshifts are bijections mod 2^48 */
    for (int r = 0; r < 3; r++) {
        x = (x * 0x9E3779B97F4BULL) & M;
        x ^= x >> 23;
        x = (x * 0xD6E8FEB86659ULL) & M;
        x ^= x >> 19;
        x = (x + (bg_mix64(seed + (uint64_t)r) & M)) & M;
    }
    static const char hex[] = "0123456789abcdef";
    for (int k = 11; k >= 0; k--) {
        out[k] = hex[x & 15];
        x >>= 4;
    }
    out[12] = '\0';
}

void bg_format_date(int64_t t, char *buf, size_t cap)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t mo = mp < 10 ? mp + 3 : mp - 9;
    y += mo <= 2;
    snprintf(buf, cap, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64
             ":%02" PRId64 ":%02" PRId64 "Z",
             y, mo, d, secs / 3600, secs / 60 % 60, secs % 60);
}

/* ------------------------------------------------------ synthetic bases */

/* A synthetic original: 4-8 paragraphs of 1-4 sentences, each sentence from
 * a random real article; the title is the start of its first sentence. */
static void synth_text(const bg_mix *m, uint32_t b, bg_buf *title, bg_buf *text)
{
    bg_rng r;
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, b, BG_S_SYNTH));
    size_t np = (size_t)bg_rng_range(&r, 4, 8);
    size_t first_k = BG_NONE;
    for (size_t p = 0; p < np; p++) {
        if (p)
            bg_buf_puts(text, "\n\n");
        size_t ns = (size_t)bg_rng_range(&r, 1, 4);
        for (size_t s = 0; s < ns; s++) {
            size_t k = (size_t)bg_rng_below(&r, m->npool);
            if (first_k == BG_NONE)
                first_k = k;
            const bg_span *sp = &m->pool[k];
            if (s)
                bg_buf_putc(text, ' ');
            bg_buf_append(text, m->arts[m->pool_art[k]].text + sp->start,
                          sp->end - sp->start);
        }
    }
    /* title: the first 5-10 words of the first sentence */
    const bg_span *sp = &m->pool[first_k];
    const char *s = m->arts[m->pool_art[first_k]].text;
    size_t words = (size_t)bg_rng_range(&r, 5, 10), w = 0, i = sp->start;
    size_t end = sp->start;
    while (i < sp->end && w < words) {
        while (i < sp->end && bg_is_space(s[i]))
            i++;
        while (i < sp->end && !bg_is_space(s[i]))
            i++;
        end = i;
        w++;
    }
    while (end > sp->start && strchr(".,;:!?\"'", s[end - 1]))
        end--;
    bg_buf_append(title, s + sp->start, end - sp->start);
}

void bg__mix_base_id(const bg_mix *m, uint32_t b, bg_buf *out)
{
    if (b < m->nreal) {
        const bg_article *a = &m->arts[b];
        for (size_t i = 0; i < a->id_len; i++) {
            char c = a->id[i];
            bg_buf_putc(out, (c == '\t' || c == '\n' || c == '\r') ? ' ' : c);
        }
    } else {
        bg_buf_printf(out, "synth-%08" PRIx32, (uint32_t)(b - m->nreal));
    }
}

/* The text and title of a base article (see mix_impl.h). */
bg_text_ref bg__mix_base_text(const bg_mix *m, uint32_t b, bg_buf *stitle,
                              bg_buf *stext)
{
    bg_text_ref t;
    if (b < m->nreal) {
        t.text = m->arts[b].text;
        t.text_len = m->arts[b].text_len;
        t.title = m->arts[b].title;
        t.title_len = m->arts[b].title_len;
        return t;
    }
    bg_buf_clear(stitle);
    bg_buf_clear(stext);
    synth_text(m, b, stitle, stext);
    t.text = bg_buf_str(stext);
    t.text_len = stext->len;
    t.title = bg_buf_str(stitle);
    t.title_len = stitle->len;
    return t;
}

int64_t bg__mix_base_date(const bg_mix *m, uint32_t b)
{
    if (b < m->nreal && m->arts[b].date != DOPPEL_NO_DATE)
        return m->arts[b].date;
    bg_rng r;
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, b, BG_S_BASEDATE));
    const int64_t y2004 = 1072915200; /* 2004-01-01T00:00:00Z */
    /* undated real articles (the BBC set is from 2004-2005); synthetic
     * ones anywhere in 2004-2023 */
    int64_t span = b < m->nreal ? 2 * 365 * 86400LL : 20 * 365 * 86400LL;
    return y2004 + (int64_t)bg_rng_below(&r, (uint64_t)span);
}

size_t bg__mix_base_paras(const bg_mix *m, uint32_t b)
{
    return b < m->nreal ? m->npara[b] : 4; /* synthetic: at least 4 */
}

size_t bg__mix_base_sents(const bg_mix *m, uint32_t b)
{
    return b < m->nreal ? m->nsent[b] : 4;
}
