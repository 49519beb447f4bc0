/* testcorpus.c — see testcorpus.h. */
#define _POSIX_C_SOURCE 200809L
#include "testcorpus.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_add(tc_docs *D, const char *id, const char *text, size_t len,
            int64_t date)
{
    if (D->n == D->cap) {
        D->cap = D->cap ? 2 * D->cap : 256;
        D->d = realloc(D->d, D->cap * sizeof *D->d);
        ck_assert_ptr_nonnull(D->d);
    }
    doppel_doc *d = &D->d[D->n++];
    d->id = strdup(id);
    d->id_len = strlen(id);
    char *t = malloc(len + 1);
    ck_assert_ptr_nonnull(t);
    memcpy(t, text, len);
    t[len] = '\0';
    d->text = t;
    d->text_len = len;
    d->date = date;
}

void tc_load_wikinews(tc_docs *D, size_t max)
{
    char path[4096];
    tu_source_path(path, sizeof path, "corpus/wikinews.jsonl");
    const char *paths[] = {path};
    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    doppel_reader *r;
    doppel_error err = {0};
    ck_assert_int_eq(doppel_reader_open(&r, paths, 1, &ro, &err), 0);
    doppel_record rec;
    int rc;
    size_t n = 0;
    while ((max == 0 || n < max) && (rc = doppel_reader_next(r, &rec, &err)) > 0) {
        char id[1024];
        snprintf(id, sizeof id, "%.*s", (int)rec.id_len, rec.id);
        tc_add(D, id, rec.text, rec.text_len, rec.date);
        n++;
    }
    doppel_reader_free(r);
}

/* xorshift64*, seeded. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static const char *const header =
    "The Riverton Courier | News | Sport | Business | Weather | Subscribe\n"
    "Home > World > Latest\n\n";
static const char *const footer =
    "\n\nMore Latest News\nCouncil approves new budget for the harbour\n"
    "Local team wins the regional cup after extra time\nSign up to our "
    "newsletter for the day's headlines every morning\nCopyright The "
    "Riverton Courier. All rights reserved.\n";

void tc_make_copies(tc_docs *D, size_t originals, unsigned seed, size_t hot)
{
    uint64_t s = 0x9E3779B97F4A7C15ull ^ seed;
    size_t first = D->n;
    for (size_t i = 0; i < originals; i++) {
        const doppel_doc *o = &D->d[i];
        char id[1200];
        int64_t date = o->date == DOPPEL_NO_DATE ? DOPPEL_NO_DATE
                                                 : o->date + 3600 * 30;
        size_t len = o->text_len;
        char *buf = malloc(len + 1024);
        ck_assert_ptr_nonnull(buf);
        switch (next_rand(&s) % 4) {
        case 0: /* reprint with a credit line */
            snprintf(id, sizeof id, "%.*s~reprint", (int)o->id_len, o->id);
            memcpy(buf, o->text, len);
            len += (size_t)sprintf(buf + len,
                                   "\n\nPublished by The Riverton Courier.");
            break;
        case 1: { /* the first 60% of the words */
            snprintf(id, sizeof id, "%.*s~truncate", (int)o->id_len, o->id);
            size_t words = 0, keep;
            for (size_t k = 0; k < len; k++)
                words += o->text[k] == ' ';
            keep = words * 6 / 10;
            size_t k = 0, w = 0;
            for (; k < len && w < keep; k++)
                w += o->text[k] == ' ';
            memcpy(buf, o->text, k);
            len = k;
            break;
        }
        case 2: /* wrapped in a site's header and footer */
            snprintf(id, sizeof id, "%.*s~wrapped", (int)o->id_len, o->id);
            len = (size_t)sprintf(buf, "%s", header);
            memcpy(buf + len, o->text, o->text_len);
            len += o->text_len;
            len += (size_t)sprintf(buf + len, "%s", footer);
            break;
        default: { /* every 25th word replaced */
            snprintf(id, sizeof id, "%.*s~edited", (int)o->id_len, o->id);
            size_t w = 0, out = 0;
            for (size_t k = 0; k < len;) {
                size_t e = k;
                while (e < len && o->text[e] != ' ')
                    e++;
                if (++w % 25 == 0) {
                    memcpy(buf + out, "changed", 7);
                    out += 7;
                } else {
                    memcpy(buf + out, o->text + k, e - k);
                    out += e - k;
                }
                if (e < len)
                    buf[out++] = ' ';
                k = e + 1;
            }
            len = out;
            break;
        }
        }
        tc_add(D, id, buf, len, date);
        free(buf);
    }
    for (size_t h = 0; h < hot && D->n > 0; h++) {
        const doppel_doc *o = &D->d[0];
        char id[1200];
        snprintf(id, sizeof id, "%.*s~hot%zu", (int)o->id_len, o->id, h);
        tc_add(D, id, o->text, o->text_len,
               o->date == DOPPEL_NO_DATE ? DOPPEL_NO_DATE
                                         : o->date + 60 * (int64_t)(h + 1));
    }
    /* Shuffle the copies (Fisher-Yates). */
    for (size_t i = D->n; i > first + 1; i--) {
        size_t j = first + (size_t)(next_rand(&s) % (i - first));
        doppel_doc t = D->d[i - 1];
        D->d[i - 1] = D->d[j];
        D->d[j] = t;
    }
}

/* Up to `words` words of s from its start, whole lines; the bytes. */
static size_t words_prefix(const char *s, size_t len, size_t words)
{
    size_t n = 0, k = 0;
    int in = 0;
    for (; k < len && n < words; k++) {
        int w = s[k] != ' ' && s[k] != '\n' && s[k] != '\t';
        n += w && !in;
        in = w;
    }
    while (k < len && s[k] != '\n')
        k++;
    return k;
}

void tc_make_site_pages(tc_docs *D, size_t from, size_t pages,
                        size_t article_words, size_t footer_words,
                        int64_t date0)
{
    /* The footer: "More Latest News", then the first sentences of
     * articles from `from` + pages on, up to footer_words words. */
    size_t fcap = 16 * footer_words + 64, flen = 0;
    char *f = malloc(fcap);
    ck_assert_ptr_nonnull(f);
    flen += (size_t)snprintf(f, fcap, "\n\nMore Latest News\n\n");
    size_t fw = 0;
    for (size_t i = from + pages; i < D->n && fw < footer_words; i++) {
        const char *t = D->d[i].text;
        const char *dot = strstr(t, ". ");
        size_t n = dot ? (size_t)(dot - t) + 1 : D->d[i].text_len;
        if (n > 400 || flen + n + 4 >= fcap)
            continue;
        memcpy(f + flen, t, n);
        flen += n;
        memcpy(f + flen, "\n\n", 2);
        flen += 2;
        for (size_t k = 0; k < n; k++)
            fw += t[k] == ' ';
    }
    for (size_t p = 0; p < pages && from + p < D->n; p++) {
        const doppel_doc *a = &D->d[from + p];
        size_t alen = words_prefix(a->text, a->text_len, article_words);
        char *t = malloc(alen + flen);
        ck_assert_ptr_nonnull(t);
        memcpy(t, a->text, alen);
        memcpy(t + alen, f, flen);
        char id[64];
        snprintf(id, sizeof id, "site-page-%zu", p);
        tc_add(D, id, t, alen + flen,
               date0 == DOPPEL_NO_DATE ? date0 : date0 + (int64_t)p * 3600);
        free(t);
    }
    free(f);
}

size_t tc_find(const tc_docs *D, const char *id)
{
    size_t len = strlen(id);
    for (size_t i = 0; i < D->n; i++)
        if (D->d[i].id_len == len && memcmp(D->d[i].id, id, len) == 0)
            return i;
    return (size_t)-1;
}

void tc_free(tc_docs *D)
{
    for (size_t i = 0; i < D->n; i++) {
        free((void *)D->d[i].id);
        free((void *)D->d[i].text);
    }
    free(D->d);
    memset(D, 0, sizeof *D);
}
