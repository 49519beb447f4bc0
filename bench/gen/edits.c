/*
 * edits.c — typo noise, truncation, sentence deletion, paragraph reordering
 * and partial copying (see edits.h). The typo model follows the four
 * Damerau edit kinds with a QWERTY neighbour table, the usual model of
 * keyboard errors; rates are per letter so that a 3% typo copy of a long
 * article has as many slips per line as a short one.
 */
#include "edits.h"

#include "rng.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* QWERTY neighbours of a..z (same row and the rows above and below). */
static const char *const qwerty[26] = {
    "qwsz",   "vghn",   "xdfv",   "serfcx", "wsdr",  "drtgvc", "ftyhbv",
    "gyujnb", "ujko",   "huikmn", "jiolm",  "kop",   "njk",    "bhjm",
    "iklp",   "ol",     "wa",     "edft",   "awedxz", "rfgy",  "yhji",
    "cfgb",   "qase",   "zsdc",   "tghu",   "asx",
};

static char neighbour(bg_rng *r, char c)
{
    int upper = c >= 'A' && c <= 'Z';
    const char *nb = qwerty[bg_lower(c) - 'a'];
    char n = nb[bg_rng_below(r, strlen(nb))];
    return upper ? bg_upper(n) : n;
}

int bg_typo(const char *text, size_t len, double rate, uint64_t seed,
            bg_buf *out, size_t *edits, size_t *letters, doppel_error *err)
{
    if (!(rate >= 0.0 && rate <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "typo rate must be in [0, 1], got %g", rate);
    bg_rng r;
    bg_rng_seed(&r, seed);
    size_t ne = 0, nl = 0;
    if (bg_buf_reserve(out, len + len / 16 + 16) < 0)
        goto nomem;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!bg_is_alpha(c)) {
            bg_buf_putc(out, c);
            continue;
        }
        nl++;
        if (!(bg_rng_double(&r) < rate)) {
            bg_buf_putc(out, c);
            continue;
        }
        ne++;
        switch (bg_rng_below(&r, 4)) {
        case 0: /* substitution */
            bg_buf_putc(out, neighbour(&r, c));
            break;
        case 1: /* deletion */
            break;
        case 2: /* insertion of a neighbour after the letter */
            bg_buf_putc(out, c);
            bg_buf_putc(out, neighbour(&r, c));
            break;
        default: /* transposition with the next letter */
            if (i + 1 < len && bg_is_alpha(text[i + 1]) && text[i + 1] != c) {
                bg_buf_putc(out, text[i + 1]);
                bg_buf_putc(out, c);
                nl++; /* the next letter is consumed by this edit */
                i++;
            } else {
                bg_buf_putc(out, neighbour(&r, c));
            }
            break;
        }
    }
    if (out->oom)
        goto nomem;
    if (edits)
        *edits = ne;
    if (letters)
        *letters = nl;
    return 0;
nomem:
    return bg_error(err, DOPPEL_ERR_NOMEM, "typo: out of memory");
}

int bg_truncate(const char *text, size_t len, double frac, bg_buf *out,
                size_t *kept, size_t *words, doppel_error *err)
{
    if (!(frac > 0.0 && frac <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "truncation fraction must be in (0, 1], got %g", frac);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && bg_is_space(text[i]))
            i++;
        if (i >= len)
            break;
        n++;
        while (i < len && !bg_is_space(text[i]))
            i++;
    }
    size_t keep = (size_t)llround(frac * (double)n);
    if (keep < 1)
        keep = 1;
    if (keep > n)
        keep = n;
    size_t k = 0, i = 0, end = 0;
    while (i < len && k < keep) {
        while (i < len && bg_is_space(text[i]))
            i++;
        while (i < len && !bg_is_space(text[i]))
            i++;
        k++;
        end = i;
    }
    bg_buf_append(out, text, end);
    if (out->oom)
        return bg_error(err, DOPPEL_ERR_NOMEM, "truncate: out of memory");
    if (kept)
        *kept = n ? keep : 0;
    if (words)
        *words = n;
    return 0;
}

int bg_count_units(const char *text, size_t len, size_t *paragraphs,
                   size_t *sentences)
{
    bg_spans p = {0}, s = {0};
    int rc = bg_split_paragraphs(text, len, &p);
    if (rc == 0 && sentences)
        for (size_t i = 0; i < p.n && rc == 0; i++)
            rc = bg_split_sentences(text, p.v[i].start, p.v[i].end, &s);
    if (paragraphs)
        *paragraphs = p.n;
    if (sentences)
        *sentences = s.n;
    bg_spans_free(&p);
    bg_spans_free(&s);
    return rc;
}

int bg_sentdel(const char *text, size_t len, double frac, uint64_t seed,
               bg_buf *out, size_t *ndeleted, size_t *nsentences,
               unsigned char *deleted, size_t cap, doppel_error *err)
{
    if (!(frac >= 0.0 && frac <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "sentence deletion fraction must be in [0, 1], got %g",
                        frac);
    bg_spans paras = {0}, sents = {0};
    size_t *para_of = NULL, *order = NULL;
    unsigned char *del = NULL;
    int rc = 0;
    if (bg_split_paragraphs(text, len, &paras) < 0)
        goto nomem;
    for (size_t p = 0; p < paras.n; p++) {
        size_t before = sents.n;
        if (bg_split_sentences(text, paras.v[p].start, paras.v[p].end, &sents) < 0)
            goto nomem;
        size_t *np = realloc(para_of, (sents.n + 1) * sizeof *np);
        if (!np)
            goto nomem;
        para_of = np;
        for (size_t k = before; k < sents.n; k++)
            para_of[k] = p;
    }
    size_t n = sents.n;
    size_t k = n ? (size_t)llround(frac * (double)n) : 0;
    if (n > 0 && k > n - 1)
        k = n - 1;
    del = calloc(n + 1, 1);
    order = bg_malloc_array(n + 1, sizeof *order);
    if (!del || !order)
        goto nomem;
    /* a uniform k-subset: partial Fisher-Yates */
    bg_rng r;
    bg_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)bg_rng_below(&r, n - i);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
        del[order[i]] = 1;
    }
    /* rebuild: the kept sentences of a paragraph joined by one space */
    int first_para = 1;
    for (size_t i = 0; i < n;) {
        size_t p = para_of[i];
        size_t j = i;
        int any = 0;
        for (; j < n && para_of[j] == p; j++) {
            if (del[j])
                continue;
            if (!any) {
                if (!first_para)
                    bg_buf_puts(out, "\n\n");
                first_para = 0;
            } else {
                bg_buf_putc(out, ' ');
            }
            any = 1;
            bg_buf_append(out, text + sents.v[j].start,
                          sents.v[j].end - sents.v[j].start);
        }
        i = j;
    }
    if (out->oom)
        goto nomem;
    if (ndeleted)
        *ndeleted = k;
    if (nsentences)
        *nsentences = n;
    if (deleted && cap >= n)
        memcpy(deleted, del, n);
    goto done;
nomem:
    rc = bg_error(err, DOPPEL_ERR_NOMEM, "sentence deletion: out of memory");
done:
    bg_spans_free(&paras);
    bg_spans_free(&sents);
    free(para_of);
    free(order);
    free(del);
    return rc;
}

int bg_reorder(const char *text, size_t len, uint64_t seed, bg_buf *out,
               size_t *nparagraphs, size_t *perm, size_t cap,
               doppel_error *err)
{
    bg_spans paras = {0};
    size_t *order = NULL;
    int rc = 0;
    if (bg_split_paragraphs(text, len, &paras) < 0)
        goto nomem;
    size_t n = paras.n;
    order = bg_malloc_array(n + 1, sizeof *order);
    if (!order)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    bg_rng r;
    bg_rng_seed(&r, seed);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bg_rng_below(&r, i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    int identity = 1;
    for (size_t i = 0; i < n; i++)
        if (order[i] != i)
            identity = 0;
    if (identity && n > 1)
        for (size_t i = 0; i < n; i++)
            order[i] = (i + 1) % n;
    for (size_t i = 0; i < n; i++) {
        if (i)
            bg_buf_puts(out, "\n\n");
        const bg_span *p = &paras.v[order[i]];
        bg_buf_append(out, text + p->start, p->end - p->start);
    }
    if (out->oom)
        goto nomem;
    if (nparagraphs)
        *nparagraphs = n;
    if (perm && cap >= n)
        memcpy(perm, order, n * sizeof *order);
    goto done;
nomem:
    rc = bg_error(err, DOPPEL_ERR_NOMEM, "reorder: out of memory");
done:
    bg_spans_free(&paras);
    free(order);
    return rc;
}

int bg_partial(const char *host, size_t hlen, const char *donor, size_t dlen,
               size_t first, size_t count, size_t at, bg_buf *out,
               doppel_error *err)
{
    bg_spans hp = {0}, dp = {0};
    int rc = 0;
    if (bg_split_paragraphs(host, hlen, &hp) < 0
        || bg_split_paragraphs(donor, dlen, &dp) < 0)
        goto nomem;
    if (count == 0 || first + count > dp.n || at > hp.n) {
        rc = bg_error(err, DOPPEL_ERR_PARAM,
                      "partial copy: donor paragraphs [%zu, %zu) of %zu, "
                      "insertion point %zu of %zu host paragraphs",
                      first, first + count, dp.n, at, hp.n);
        goto done;
    }
    size_t written = 0;
    for (size_t i = 0; i <= hp.n; i++) {
        if (i == at)
            for (size_t k = first; k < first + count; k++) {
                if (written++)
                    bg_buf_puts(out, "\n\n");
                bg_buf_append(out, donor + dp.v[k].start,
                              dp.v[k].end - dp.v[k].start);
            }
        if (i < hp.n) {
            if (written++)
                bg_buf_puts(out, "\n\n");
            bg_buf_append(out, host + hp.v[i].start, hp.v[i].end - hp.v[i].start);
        }
    }
    if (out->oom)
        goto nomem;
    goto done;
nomem:
    rc = bg_error(err, DOPPEL_ERR_NOMEM, "partial copy: out of memory");
done:
    bg_spans_free(&hp);
    bg_spans_free(&dp);
    return rc;
}
