/*
 * check_benchgen.c — the benchmark generator and scorer (bench/gen): the
 * spinner (determinism, realised rate, case and punctuation, stoplist,
 * phrases; the phrase profile and its table), the edits (typo rate; exact
 * truncation, sentence deletion, reordering and partial copies), the exact
 * word-5-shingle Jaccard search, the scorer (exact metrics on hand-made
 * truths, ambiguous pairs excluded) and the generator's truth (every copy
 * with its source, real near-duplicates merged or ambiguous, partial copies
 * and templated stories alone, streams deterministic for a seed).
 *
 * Tests that need WordNet (Debian package wordnet-base, read from
 * /usr/share/wordnet) print "SKIP" and pass when it is not installed.
 * Statistical tests use fixed seeds and state their tolerance.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "suites.h"

#include "testutil.h"

#include "edits.h"
#include "mix.h"
#include "neardup.h"
#include "phrases.h"
#include "score.h"
#include "sites.h"
#include "spin.h"
#include "templated.h"
#include "text.h"
#include "wordnet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loaded once per test case in the parent process (unchecked fixture). */
static bg_wordnet *wn;

static void wordnet_setup(void)
{
    doppel_error err = {0};
    if (bg_wordnet_load(&wn, NULL, &err) < 0)
        wn = NULL;
}

static void wordnet_teardown(void)
{
    bg_wordnet_free(wn);
    wn = NULL;
}

#define NEED_WORDNET()                                                         \
    do {                                                                       \
        if (!wn) {                                                             \
            fprintf(stderr, "SKIP %s: WordNet not found in "                   \
                            BG_WORDNET_DEFAULT_DIR                             \
                            " (apt-get install wordnet-base)\n", __func__);    \
            return;                                                            \
        }                                                                      \
    } while (0)

/* The real LBC article shipped in corpus/seeds (840 words). */
static char *read_seed(size_t *len)
{
    char path[4096];
    tu_source_path(path, sizeof path, "corpus/seeds/001_abee573b57598475.txt");
    char *t = tu_read_file(path, len);
    ck_assert_msg(t != NULL, "cannot read %s", path);
    return t;
}

static char *spin_profile_str(const char *text, double rate, uint64_t seed,
                              bg_spin_profile profile, bg_spin_stats *st,
                              bg_spin_trace *tr)
{
    bg_buf out = {0};
    bg_spin_opts o = {rate, seed, 0, profile};
    doppel_error err = {0};
    ck_assert_int_eq(bg_spin(wn, text, strlen(text), &o, &out, st, tr, &err), 0);
    char *s = strdup(bg_buf_str(&out));
    bg_buf_free(&out);
    return s;
}

static char *spin_str(const char *text, double rate, uint64_t seed,
                      bg_spin_stats *st, bg_spin_trace *tr)
{
    bg_buf out = {0};
    bg_spin_opts o = {rate, seed, 0, BG_SPIN_WORDNET};
    doppel_error err = {0};
    ck_assert_int_eq(bg_spin(wn, text, strlen(text), &o, &out, st, tr, &err), 0);
    char *s = strdup(bg_buf_str(&out));
    bg_buf_free(&out);
    return s;
}

/* ---------------------------------------------------------------- wordnet */

START_TEST(test_wordnet_phrases_and_markers)
{
    NEED_WORDNET();
    /* multi-word lemmas are keys with spaces; adjective markers stripped */
    long k = bg_wordnet_lookup(wn, "secretary of state", 18);
    ck_assert_int_ge(k, 0);
    const uint32_t *ids;
    size_t n = bg_wordnet_synonyms(wn, k, &ids);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(bg_wordnet_surface(wn, ids[0], NULL), "foreign minister");
    ck_assert(bg_wordnet_is_prefix(wn, "secretary of", 12));
    ck_assert(bg_wordnet_is_prefix(wn, "secretary of state", 18)); /* ... for
                                         the home department */
    ck_assert(!bg_wordnet_is_prefix(wn, "foreign minister", 16));
    ck_assert(!bg_wordnet_is_prefix(wn, "secretary", 8)); /* "secretar" */
    /* "said" is adjective said(a): its synonyms carry no "(a)" marker */
    k = bg_wordnet_lookup(wn, "said", 4);
    n = bg_wordnet_synonyms(wn, k, &ids);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_null(strchr(bg_wordnet_surface(wn, ids[i], NULL), '('));
    /* case-insensitive keys, WordNet's spelling kept for synonyms */
    k = bg_wordnet_lookup(wn, "downing", 7);
    n = bg_wordnet_synonyms(wn, k, &ids);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(bg_wordnet_surface(wn, ids[0], NULL), "Andrew Jackson Downing");
    /* exception lists */
    const bg_wn_exc *exc;
    ck_assert_uint_ge(bg_wordnet_exceptions(wn, "went", 4, &exc), 1);
    size_t bl;
    ck_assert_str_eq(bg_wordnet_key(wn, (long)exc[0].base, &bl), "go");
    ck_assert_int_eq(exc[0].pos, BG_VERB);
}
END_TEST

START_TEST(test_wordnet_missing_dir)
{
    bg_wordnet *w = NULL;
    doppel_error err = {0};
    ck_assert_int_eq(bg_wordnet_load(&w, "/nonexistent/wordnet", &err),
                     DOPPEL_ERR_NOTFOUND);
    ck_assert_ptr_null(w);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/wordnet/data.noun"));
    ck_assert_ptr_nonnull(strstr(err.message, "wordnet-base"));
}
END_TEST

/* ---------------------------------------------------------------- spinner */

START_TEST(test_spin_deterministic)
{
    NEED_WORDNET();
    size_t len;
    char *text = read_seed(&len);
    char *a = spin_str(text, 0.3, 42, NULL, NULL);
    char *b = spin_str(text, 0.3, 42, NULL, NULL);
    char *c = spin_str(text, 0.3, 43, NULL, NULL);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, text);
    free(a);
    free(b);
    free(c);
    free(text);
}
END_TEST

START_TEST(test_spin_realised_rate)
{
    NEED_WORDNET();
    size_t len;
    char *text = read_seed(&len);
    static const double rates[] = {0.1, 0.3, 0.5, 1.0};
    for (size_t r = 0; r < 4; r++) {
        size_t units = 0, replaced = 0;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            bg_spin_stats st;
            free(spin_str(text, rates[r], seed, &st, NULL));
            ck_assert_uint_gt(st.units, 300); /* 408 units in this article */
            /* one document: within 4 binomial standard deviations */
            double sd1 = sqrt(rates[r] * (1 - rates[r]) / (double)st.units);
            ck_assert_double_eq_tol(bg_spin_realised(&st), rates[r],
                                    4 * sd1 + 1e-12);
            units += st.units;
            replaced += st.replaced;
        }
        /* pooled over 20 seeds: within 4 standard deviations */
        double p = (double)replaced / (double)units;
        double sd = sqrt(rates[r] * (1 - rates[r]) / (double)units);
        ck_assert_double_eq_tol(p, rates[r], 4 * sd + 1e-12);
    }
    bg_spin_stats st;
    char *same = spin_str(text, 0.0, 1, &st, NULL);
    ck_assert_str_eq(same, text); /* rate 0 changes nothing */
    ck_assert_uint_eq(st.replaced, 0);
    free(same);
    free(text);
}
END_TEST

START_TEST(test_spin_keeps_case_and_punctuation)
{
    NEED_WORDNET();
    const char *text = "  Prices ROSE sharply, (officials said)...\n\n"
                       "\"Shares tumbled!\" -- the GOVERNMENT ANNOUNCED; "
                       "markets\tslumped?\r\n";
    bg_spin_trace tr = {0};
    bg_spin_stats st;
    char *out = spin_str(text, 1.0, 7, &st, &tr);
    ck_assert_uint_gt(tr.n, 5);
    ck_assert_uint_eq(st.replaced, tr.n); /* rate 1: every unit replaced */
    /* the bytes between units are copied exactly */
    size_t src = 0, dst = 0;
    for (size_t i = 0; i < tr.n; i++) {
        const bg_spin_unit *u = &tr.v[i];
        ck_assert_uint_eq(u->src_start - src, u->dst_start - dst);
        ck_assert(memcmp(text + src, out + dst, u->src_start - src) == 0);
        src = u->src_end;
        dst = u->dst_end;
        const char *s = text + u->src_start, *d = out + u->dst_start;
        size_t dn = u->dst_end - u->dst_start;
        ck_assert_uint_gt(dn, 0);
        if (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z')
            ck_assert_msg(d[0] >= 'A' && d[0] <= 'Z', "Title -> Title: %.*s",
                          (int)dn, d);
        if (s[0] >= 'A' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z')
            for (size_t k = 0; k < dn; k++)
                ck_assert_msg(!(d[k] >= 'a' && d[k] <= 'z'), "UPPER -> UPPER: %.*s",
                              (int)dn, d);
    }
    ck_assert_str_eq(out + dst, text + src);
    bg_spin_trace_free(&tr);
    free(out);
}
END_TEST

START_TEST(test_spin_stoplist_never_replaced)
{
    NEED_WORDNET();
    const char *only_stop = "The of and to a in is was he it that, "
                            "THEY were with us. It's";
    bg_spin_stats st;
    char *out = spin_str(only_stop, 1.0, 3, &st, NULL);
    ck_assert_str_eq(out, only_stop);
    ck_assert_uint_eq(st.units, 0);
    free(out);
    ck_assert(bg_spin_is_stopword("THE", 3));
    ck_assert(!bg_spin_is_stopword("government", 10));

    /* in running text no unit starts with a stopword */
    size_t len;
    char *text = read_seed(&len);
    bg_spin_trace tr = {0};
    out = spin_str(text, 1.0, 5, NULL, &tr);
    for (size_t i = 0; i < tr.n; i++) {
        size_t e = bg_word_end(text, len, tr.v[i].src_start);
        ck_assert_msg(!bg_spin_is_stopword(text + tr.v[i].src_start,
                                           e - tr.v[i].src_start),
                      "unit starts with a stopword: %.*s",
                      (int)(e - tr.v[i].src_start), text + tr.v[i].src_start);
    }
    bg_spin_trace_free(&tr);
    free(out);
    free(text);
}
END_TEST

START_TEST(test_spin_phrase_as_unit)
{
    NEED_WORDNET();
    bg_spin_trace tr = {0};
    /* the only synonym of "secretary of state" is "foreign minister" */
    char *out = spin_str("The Secretary of State.", 1.0, 1, NULL, &tr);
    ck_assert_str_eq(out, "The Foreign Minister.");
    ck_assert_uint_eq(tr.n, 1);
    ck_assert_uint_eq(tr.v[0].words, 3);
    free(out);
    bg_spin_trace_free(&tr);
    out = spin_str("the secretary of state", 1.0, 1, NULL, NULL);
    ck_assert_str_eq(out, "the foreign minister");
    free(out);
    out = spin_str("THE SECRETARY OF STATE", 1.0, 1, NULL, NULL);
    ck_assert_str_eq(out, "THE FOREIGN MINISTER");
    free(out);
    /* "Downing Street" has no synonym as a phrase, so its words go alone:
     * "Downing" has one ("Andrew Jackson Downing"), "street" has none */
    tr = (bg_spin_trace){0};
    out = spin_str("Downing Street", 1.0, 2, NULL, &tr);
    ck_assert_uint_eq(tr.n, 1);
    ck_assert_uint_eq(tr.v[0].words, 1);
    ck_assert_str_eq(out, "Andrew Jackson Downing Street");
    free(out);
    bg_spin_trace_free(&tr);
}
END_TEST

START_TEST(test_spin_morphology)
{
    NEED_WORDNET();
    /* "went" is "go" + -ed by the exception list; the naive suffix goes on
     * the last word of the replacement */
    for (uint64_t seed = 1; seed <= 30; seed++) {
        bg_spin_trace tr = {0};
        char *out = spin_str("They went", 1.0, seed, NULL, &tr);
        ck_assert_uint_eq(tr.n, 1);
        size_t n = strlen(out);
        ck_assert_msg(n > 5 && (strcmp(out + n - 2, "ed") == 0 || out[n - 1] == 'd'),
                      "no past suffix: %s", out);
        free(out);
        bg_spin_trace_free(&tr);
    }
    /* a possessive keeps its apostrophe; a stopword base is not replaced */
    char *out = spin_str("the company\xE2\x80\x99s plan. It's", 1.0, 4, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(out, "\xE2\x80\x99s "));
    ck_assert_ptr_nonnull(strstr(out, ". It's"));
    free(out);
    /* numbers, one-letter words and acronyms stay */
    out = spin_str("5G UK A b NATO", 1.0, 4, NULL, NULL);
    ck_assert_str_eq(out, "5G UK A b NATO");
    free(out);
}
END_TEST

START_TEST(test_spin_rejects_bad_rate)
{
    NEED_WORDNET();
    bg_buf out = {0};
    bg_spin_opts o = {1.5, 1, 0, BG_SPIN_WORDNET};
    doppel_error err = {0};
    ck_assert_int_eq(bg_spin(wn, "x", 1, &o, &out, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "spin rate must be in [0, 1], got 1.5");
    bg_buf_free(&out);
}
END_TEST

/* --------------------------------------------------------- phrase profile */

START_TEST(test_phrase_table_well_formed)
{
    size_t n = bg_phrase_count();
    ck_assert_uint_ge(n, 300);
    ck_assert_uint_le(n, 600);
    for (size_t i = 0; i < n; i++) {
        const bg_phrase *e = bg_phrase_at(i);
        size_t kl = strlen(e->key), words = 1;
        ck_assert_uint_gt(kl, 0);
        if (i > 0)
            ck_assert_msg(strcmp(bg_phrase_at(i - 1)->key, e->key) < 0,
                          "not sorted or duplicate: '%s' then '%s'",
                          bg_phrase_at(i - 1)->key, e->key);
        for (size_t k = 0; k < kl; k++) {
            char c = e->key[k];
            ck_assert_msg((c >= 'a' && c <= 'z') || c == '\'' || c == '-'
                              || (c == ' ' && k > 0 && k + 1 < kl
                                  && e->key[k - 1] != ' '),
                          "bad key '%s'", e->key);
            words += c == ' ';
        }
        ck_assert_uint_le(words, BG_PHRASE_MAX_WORDS);
        size_t nr = bg_phrase_nrep(e);
        ck_assert_msg(nr >= 1 && nr <= 4, "'%s' has %zu replacements", e->key, nr);
        for (size_t r = 0; r < nr; r++) {
            ck_assert_msg(strcmp(e->rep[r], e->key) != 0, "'%s' -> itself", e->key);
            for (size_t q = 0; q < r; q++)
                ck_assert_str_ne(e->rep[q], e->rep[r]);
        }
        ck_assert_ptr_eq(bg_phrase_find(e->key, kl), e);
    }
    ck_assert_ptr_null(bg_phrase_find("zzz", 3));
    ck_assert_ptr_null(bg_phrase_find("but ", 4));
    /* entries the brief and the real spun seed show */
    static const char *const want[][2] = {
        {"but", "nonetheless"},        {"before", "sooner than"},
        {"might", "may perchance"},    {"help build", "lend a hand accept as true with"},
        {"recently", "these days"},    {"same", "no longer new"},
        {"was", "turned into"},        {"make sure", "manufacture particular"},
        {"only", "most productive"},   {"relations", "relatives"},
        {"visit", "discuss over with"}, {"epic games", "fable video games"}};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        const bg_phrase *e = bg_phrase_find(want[w][0], strlen(want[w][0]));
        ck_assert_msg(e != NULL, "no entry for '%s'", want[w][0]);
        int has = 0;
        for (size_t r = 0; r < bg_phrase_nrep(e); r++)
            has |= strcmp(e->rep[r], want[w][1]) == 0;
        ck_assert_msg(has, "'%s' lacks '%s'", want[w][0], want[w][1]);
    }
}
END_TEST

/* 1 if the n bytes at d are, ignoring ASCII case, one of e's replacements
 * followed by `poss` */
static int is_replacement(const bg_phrase *e, const char *d, size_t n,
                          const char *poss)
{
    for (size_t r = 0; r < bg_phrase_nrep(e); r++) {
        size_t rl = strlen(e->rep[r]), pl = strlen(poss);
        if (rl + pl != n)
            continue;
        size_t k = 0;
        while (k < rl && bg_lower(d[k]) == e->rep[r][k])
            k++;
        if (k == rl && memcmp(d + rl, poss, pl) == 0)
            return 1;
    }
    return 0;
}

START_TEST(test_spin_phrase_table_applied)
{
    NEED_WORDNET();
    const char *text = "But before the vote, officials said they might make "
                       "sure the government\xE2\x80\x99s plan was the same. BUT";
    bg_spin_trace tr = {0};
    bg_spin_stats st;
    char *out = spin_profile_str(text, 1.0, 11, BG_SPIN_PHRASE, &st, &tr);
    /* every unit replaced; the table's units are exactly these, in order */
    static const char *const keys[] = {"but", "before", "officials", "said",
                                       "might", "make sure", "government",
                                       "plan", "was", "same"};
    ck_assert_uint_eq(st.replaced, st.units);
    ck_assert_uint_eq(st.table_units, 10);
    ck_assert_uint_eq(st.table_replaced, 10);
    size_t t = 0;
    for (size_t i = 0; i < tr.n; i++) {
        const bg_spin_unit *u = &tr.v[i];
        ck_assert(u->replaced);
        if (!u->from_table)
            continue;
        ck_assert_uint_lt(t, 10);
        const bg_phrase *e = bg_phrase_find(keys[t], strlen(keys[t]));
        ck_assert_ptr_nonnull(e);
        const char *d = out + u->dst_start;
        size_t dn = u->dst_end - u->dst_start;
        const char *poss = t == 6 ? "\xE2\x80\x99s" : "";
        ck_assert_msg(is_replacement(e, d, dn, poss), "'%s' -> '%.*s'", keys[t],
                      (int)dn, d);
        if (t == 0) /* sentence case kept */
            ck_assert(d[0] >= 'A' && d[0] <= 'Z');
        else
            ck_assert(d[0] >= 'a' && d[0] <= 'z');
        t++;
    }
    ck_assert_uint_eq(t, 10);
    /* stopwords outside the table and acronyms stay */
    ck_assert_ptr_nonnull(strstr(out, " the "));
    ck_assert_ptr_nonnull(strstr(out, " they "));
    size_t on = strlen(out);
    ck_assert(on > 4 && strcmp(out + on - 4, " BUT") == 0);
    bg_spin_trace_free(&tr);
    free(out);

    /* one entry, its replacements only, each of them eventually */
    const bg_phrase *e = bg_phrase_find("might", 5);
    int seen[4] = {0, 0, 0, 0};
    for (uint64_t seed = 1; seed <= 60; seed++) {
        char *o = spin_profile_str("might", 1.0, seed, BG_SPIN_PHRASE, NULL, NULL);
        int hit = 0;
        for (size_t r = 0; r < bg_phrase_nrep(e); r++)
            if (strcmp(o, e->rep[r]) == 0)
                seen[r] = hit = 1;
        ck_assert_msg(hit, "might -> %s", o);
        free(o);
    }
    for (size_t r = 0; r < bg_phrase_nrep(e); r++)
        ck_assert_msg(seen[r], "never drew '%s'", e->rep[r]);
    /* the WordNet profile leaves the same stopwords alone */
    char *o = spin_profile_str("but before might was", 1.0, 3, BG_SPIN_WORDNET,
                               NULL, NULL);
    ck_assert_str_eq(o, "but before might was");
    free(o);
}
END_TEST

START_TEST(test_spin_phrase_deterministic_and_rate)
{
    NEED_WORDNET();
    size_t len;
    char *text = read_seed(&len);
    char *a = spin_profile_str(text, 0.3, 42, BG_SPIN_PHRASE, NULL, NULL);
    char *b = spin_profile_str(text, 0.3, 42, BG_SPIN_PHRASE, NULL, NULL);
    char *c = spin_profile_str(text, 0.3, 43, BG_SPIN_PHRASE, NULL, NULL);
    char *w = spin_profile_str(text, 0.3, 42, BG_SPIN_WORDNET, NULL, NULL);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, w);
    free(a);
    free(b);
    free(c);
    free(w);
    static const double rates[] = {0.1, 0.3, 0.5, 0.7, 1.0};
    for (size_t r = 0; r < 5; r++) {
        size_t units = 0, replaced = 0;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            bg_spin_stats st;
            free(spin_profile_str(text, rates[r], seed, BG_SPIN_PHRASE, &st, NULL));
            ck_assert_uint_gt(st.units, 300);
            /* a third or more of the units come from the table */
            ck_assert_uint_gt(3 * st.table_units, st.units);
            units += st.units;
            replaced += st.replaced;
        }
        /* pooled over 20 seeds: within 4 binomial standard deviations */
        double p = (double)replaced / (double)units;
        double sd = sqrt(rates[r] * (1 - rates[r]) / (double)units);
        ck_assert_double_eq_tol(p, rates[r], 4 * sd + 1e-12);
    }
    bg_spin_stats st;
    char *same = spin_profile_str(text, 0.0, 1, BG_SPIN_PHRASE, &st, NULL);
    ck_assert_str_eq(same, text);
    ck_assert_uint_eq(st.replaced, 0);
    free(same);
    free(text);
    /* an unknown profile is refused */
    bg_buf out = {0};
    bg_spin_opts o = {0.5, 1, 0, (bg_spin_profile)7};
    doppel_error err = {0};
    ck_assert_int_eq(bg_spin(wn, "x", 1, &o, &out, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "unknown spinner profile 7");
    bg_buf_free(&out);
}
END_TEST

/* ------------------------------------------------------------------ text */

START_TEST(test_text_units)
{
    const char *t = "First one. \"Second!\" Third?\n\n  Mr Smith said 3.5 "
                    "million.\nNew line here\n \nLast";
    bg_spans p = {0}, s = {0};
    ck_assert_int_eq(bg_split_paragraphs(t, strlen(t), &p), 0);
    ck_assert_uint_eq(p.n, 3);
    for (size_t i = 0; i < p.n; i++)
        ck_assert_int_eq(bg_split_sentences(t, p.v[i].start, p.v[i].end, &s), 0);
    const char *want[] = {"First one.", "\"Second!\"", "Third?",
                          "Mr Smith said 3.5 million.", "New line here", "Last"};
    ck_assert_uint_eq(s.n, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_uint_eq(s.v[i].end - s.v[i].start, strlen(want[i]));
        ck_assert(memcmp(t + s.v[i].start, want[i], strlen(want[i])) == 0);
    }
    bg_spans w = {0};
    const char *words = "Britain\xE2\x80\x99s intelligence-sharing, 5G -- 'quoted'";
    ck_assert_int_eq(bg_split_words(words, strlen(words), &w), 0);
    ck_assert_uint_eq(w.n, 4);
    ck_assert_uint_eq(w.v[0].end - w.v[0].start, strlen("Britain\xE2\x80\x99s"));
    ck_assert_uint_eq(w.v[1].end - w.v[1].start, strlen("intelligence-sharing"));
    bg_spans_free(&p);
    bg_spans_free(&s);
    bg_spans_free(&w);
}
END_TEST

/* ----------------------------------------------------------------- edits */

START_TEST(test_typo_rate)
{
    size_t len;
    char *text = read_seed(&len);
    size_t edits = 0, letters = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        bg_buf out = {0};
        size_t e, l;
        ck_assert_int_eq(bg_typo(text, len, 0.03, seed, &out, &e, &l, NULL), 0);
        ck_assert_uint_gt(l, 3500);
        /* only letters change: every non-letter byte survives in order */
        size_t j = 0;
        for (size_t i = 0; i < len; i++)
            if (!bg_is_alpha(text[i])) {
                while (j < out.len && bg_is_alpha(out.data[j]))
                    j++;
                ck_assert_int_eq(out.data[j], text[i]);
                j++;
            }
        edits += e;
        letters += l;
        bg_buf_free(&out);
    }
    /* pooled rate (150,000 letters) within 4 binomial standard deviations
     * of 3%: +-0.0018, so a rate off by a tenth fails */
    double p = (double)edits / (double)letters;
    ck_assert_double_eq_tol(p, 0.03, 4 * sqrt(0.03 * 0.97 / (double)letters));
    bg_buf a = {0}, b = {0};
    bg_typo(text, len, 0.03, 9, &a, NULL, NULL, NULL);
    bg_typo(text, len, 0.03, 9, &b, NULL, NULL, NULL);
    ck_assert_str_eq(bg_buf_str(&a), bg_buf_str(&b));
    ck_assert_str_ne(bg_buf_str(&a), text);
    bg_buf_free(&a);
    bg_buf_free(&b);
    free(text);
}
END_TEST

static char *truncate_str(const char *t, double f)
{
    bg_buf out = {0};
    ck_assert_int_eq(bg_truncate(t, strlen(t), f, &out, NULL, NULL, NULL), 0);
    char *s = strdup(bg_buf_str(&out));
    bg_buf_free(&out);
    return s;
}

START_TEST(test_truncate_exact)
{
    const char *t = "One two, three.\n\nFour five six";
    char *s = truncate_str(t, 0.5);
    ck_assert_str_eq(s, "One two, three.");
    free(s);
    s = truncate_str(t, 0.34); /* round(2.04) = 2 words */
    ck_assert_str_eq(s, "One two,");
    free(s);
    s = truncate_str(t, 0.01); /* at least one word */
    ck_assert_str_eq(s, "One");
    free(s);
    s = truncate_str(t, 1.0);
    ck_assert_str_eq(s, t);
    free(s);
    bg_buf out = {0};
    doppel_error err = {0};
    ck_assert_int_eq(bg_truncate(t, strlen(t), 0.0, &out, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    bg_buf_free(&out);
}
END_TEST

START_TEST(test_sentdel_exact)
{
    const char *t = "A one. B two. C three.\n\nD four. E five.";
    const char *sent[5] = {"A one.", "B two.", "C three.", "D four.", "E five."};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        bg_buf out = {0};
        unsigned char del[5];
        size_t nd, ns;
        ck_assert_int_eq(bg_sentdel(t, strlen(t), 0.4, seed, &out, &nd, &ns, del,
                                    5, NULL), 0);
        ck_assert_uint_eq(ns, 5);
        ck_assert_uint_eq(nd, 2); /* round(0.4 * 5) */
        /* expected: kept sentences, one space within, a blank line between
         * paragraphs, empty paragraphs gone */
        char want[128] = "";
        int para_open = 0, any = 0;
        for (int i = 0; i < 5; i++) {
            if (i == 3)
                para_open = 0;
            if (del[i])
                continue;
            if (!para_open && any)
                strcat(want, "\n\n");
            else if (para_open)
                strcat(want, " ");
            strcat(want, sent[i]);
            para_open = any = 1;
        }
        ck_assert_str_eq(bg_buf_str(&out), want);
        bg_buf_free(&out);
    }
    /* never all sentences */
    bg_buf out = {0};
    size_t nd;
    ck_assert_int_eq(bg_sentdel(t, strlen(t), 1.0, 1, &out, &nd, NULL, NULL, 0,
                                NULL), 0);
    ck_assert_uint_eq(nd, 4);
    ck_assert_uint_gt(out.len, 0);
    bg_buf_free(&out);
}
END_TEST

START_TEST(test_reorder_exact)
{
    const char *t = "P zero.\n\nP one.\n\n\nP two.\n \nP three.";
    const char *para[4] = {"P zero.", "P one.", "P two.", "P three."};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        bg_buf out = {0};
        size_t perm[4], n;
        ck_assert_int_eq(bg_reorder(t, strlen(t), seed, &out, &n, perm, 4, NULL), 0);
        ck_assert_uint_eq(n, 4);
        char want[128] = "";
        int seen[4] = {0}, identity = 1;
        for (size_t i = 0; i < 4; i++) {
            ck_assert_uint_lt(perm[i], 4);
            ck_assert(!seen[perm[i]]);
            seen[perm[i]] = 1;
            identity &= perm[i] == i;
            if (i)
                strcat(want, "\n\n");
            strcat(want, para[perm[i]]);
        }
        ck_assert(!identity);
        ck_assert_str_eq(bg_buf_str(&out), want);
        bg_buf_free(&out);
    }
    /* two paragraphs: a shuffle draws the identity half the time, and it
     * must then be rotated */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        bg_buf out = {0};
        ck_assert_int_eq(bg_reorder("A.\n\nB.", 6, seed, &out, NULL, NULL, 0,
                                    NULL), 0);
        ck_assert_str_eq(bg_buf_str(&out), "B.\n\nA.");
        bg_buf_free(&out);
    }
    bg_buf out = {0};
    ck_assert_int_eq(bg_reorder("Only one.", 9, 1, &out, NULL, NULL, 0, NULL), 0);
    ck_assert_str_eq(bg_buf_str(&out), "Only one.");
    bg_buf_free(&out);
}
END_TEST

START_TEST(test_partial_and_credit_exact)
{
    bg_buf out = {0};
    doppel_error err = {0};
    const char *host = "H1.\n\nH2.", *donor = "D1.\n\nD2.\n\nD3.";
    ck_assert_int_eq(bg_partial(host, strlen(host), donor, strlen(donor), 1, 2,
                                1, &out, &err), 0);
    ck_assert_str_eq(bg_buf_str(&out), "H1.\n\nD2.\n\nD3.\n\nH2.");
    bg_buf_clear(&out);
    ck_assert_int_eq(bg_partial("H1.", 3, "D1.", 3, 0, 1, 0, &out, &err), 0);
    ck_assert_str_eq(bg_buf_str(&out), "D1.\n\nH1.");
    bg_buf_clear(&out);
    ck_assert_int_eq(bg_partial("H1.", 3, "D1.", 3, 0, 2, 0, &out, &err),
                     DOPPEL_ERR_PARAM);
    bg_buf_clear(&out);
    bg_credit("Story.\n", 7, "The Riverton Courier", 0, 0, &out);
    ck_assert_str_eq(bg_buf_str(&out), "Story.\n\nPublished by The Riverton Courier");
    bg_buf_clear(&out);
    bg_credit("Story.", 6, "The Riverton Courier", 1, 1, &out);
    ck_assert_str_eq(bg_buf_str(&out), "Reprinted by The Riverton Courier\n\nStory.");
    bg_buf_free(&out);
    char a[128], b[128];
    for (size_t i = 0; i < 960; i++) { /* outlet names are distinct */
        bg_outlet_name(i, a, sizeof a);
        bg_outlet_name((i + 1) % 960, b, sizeof b);
        ck_assert_str_ne(a, b);
    }
}
END_TEST

START_TEST(test_site_furniture)
{
    bg_headline pool[40];
    char titles[40][32];
    for (int i = 0; i < 40; i++) {
        snprintf(titles[i], sizeof titles[i], "Headline number %d", i);
        pool[i] = (bg_headline){titles[i], strlen(titles[i]), "A caption", 9};
    }
    bg_site s1, s2;
    ck_assert_int_eq(bg_site_make(&s1, 0, 11, pool, 40, NULL), 0);
    ck_assert_int_eq(bg_site_make(&s2, 0, 11, pool, 40, NULL), 0);
    ck_assert_str_eq(bg_buf_str(&s1.footer), bg_buf_str(&s2.footer));
    ck_assert(s1.headlines >= 15 && s1.headlines <= 30);
    ck_assert(strncmp(bg_buf_str(&s1.footer), "More Latest News", 16) == 0);
    ck_assert_ptr_nonnull(strstr(bg_buf_str(&s1.footer), "All rights reserved."));
    bg_buf page = {0};
    bg_site_wrap(&s1, "Body.", 5, &page);
    ck_assert(strncmp(bg_buf_str(&page), bg_buf_str(&s1.header), s1.header.len) == 0);
    ck_assert_ptr_nonnull(strstr(bg_buf_str(&page), "\n\nBody.\n\nMore Latest News"));
    bg_buf_free(&page);
    bg_site_free(&s1);
    bg_site_free(&s2);
}
END_TEST

START_TEST(test_templated_stories)
{
    bg_buf t1 = {0}, x1 = {0}, t2 = {0}, x2 = {0}, t3 = {0}, x3 = {0};
    ck_assert_int_eq(bg_templated(BG_TEMPLATE_EARNINGS, 1, &t1, &x1, NULL), 0);
    ck_assert_int_eq(bg_templated(BG_TEMPLATE_EARNINGS, 1, &t2, &x2, NULL), 0);
    ck_assert_int_eq(bg_templated(BG_TEMPLATE_EARNINGS, 2, &t3, &x3, NULL), 0);
    ck_assert_str_eq(bg_buf_str(&x1), bg_buf_str(&x2));
    ck_assert_str_ne(bg_buf_str(&x1), bg_buf_str(&x3));
    ck_assert_ptr_nonnull(strstr(bg_buf_str(&x1), "Analysts polled by FactSet"));
    ck_assert_ptr_nonnull(strstr(bg_buf_str(&x3), "Analysts polled by FactSet"));
    bg_buf_clear(&t1);
    bg_buf_clear(&x1);
    for (uint64_t s = 0; s < 200; s++) { /* ordinals are English */
        bg_buf_clear(&x1);
        bg_templated(BG_TEMPLATE_SPORTS, s, &t1, &x1, NULL);
        const char *x = bg_buf_str(&x1);
        for (const char *q = strstr(x, "th "); q; q = strstr(q + 1, "th "))
            if (q - x >= 2 && q[-1] >= '1' && q[-1] <= '3')
                ck_assert_msg(q[-2] == '1', "bad ordinal in: %.40s", q - 2);
    }
    bg_buf *all[] = {&t1, &x1, &t2, &x2, &t3, &x3};
    for (int i = 0; i < 6; i++)
        bg_buf_free(all[i]);
}
END_TEST

/* ---------------------------------------------------------------- scorer */

typedef struct scored {
    bg_score_result r;
    int rc;
    doppel_error err;
} scored;

static scored score_amb(const char *truth, const char *meta, const char *pred,
                        const char *amb)
{
    scored s;
    memset(&s, 0, sizeof s);
    bg_score_data *d = NULL;
    s.rc = bg_score_parse(&d, truth, strlen(truth), "truth.tsv", meta,
                          strlen(meta), "meta.tsv", pred, strlen(pred),
                          "pred.tsv", &s.err);
    if (s.rc == 0 && amb) {
        s.rc = bg_score_parse_ambiguous(d, amb, strlen(amb), "amb.tsv", &s.err);
        if (s.rc < 0)
            bg_score_data_free(d);
    }
    if (s.rc == 0) {
        s.rc = bg_score_compute(d, &s.r, &s.err);
        bg_score_data_free(d);
    }
    return s;
}

static scored score(const char *truth, const char *meta, const char *pred)
{
    return score_amb(truth, meta, pred, NULL);
}

/* o1 with spun copies s1 s2 and a typo copy t1; o2 alone; sitepages p1 p2
 * of one site; templated m1 m2; partial x1 with donor o1. */
static const char *T = "o1\to1\ns1\to1\ns2\to1\nt1\to1\no2\to2\np1\tp1\n"
                       "p2\tp2\nm1\tm1\nm2\tm2\nx1\tx1\n";
static const char *M =
    "o1\toriginal\tbbc-1\t-\t-\t1\n"
    "s1\tspin\t0.30\to1\t-\t0\n"
    "s2\tspin\t0.50\to1\t-\t0\n"
    "t1\ttypo\t0.030\to1\t-\t0\n"
    "o2\toriginal\tbbc-2\t-\t-\t1\n"
    "p1\tsitepage\tbbc-3\t-\tsite:riverton\t1\n"
    "p2\tsitepage\tbbc-4\t-\tsite:riverton\t1\n"
    "m1\ttemplated\t-\t-\ttemplate:earnings\t1\n"
    "m2\ttemplated\t-\t-\ttemplate:earnings\t1\n"
    "x1\tpartial\tparas=1\to1\t-\t1\n";

START_TEST(test_score_perfect)
{
    const char *P = "o1\to1\t1\ns1\to1\t0.7\ns2\to1\t0.6\nt1\to1\t0.9\no2\to2\t1\n"
                    "p1\tp1\t1\np2\tp2\t1\nm1\tm1\t1\nm2\tm2\t1\nx1\tx1\t1\n";
    scored s = score(T, M, P);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_double_eq(s.r.precision, 1.0);
    ck_assert_double_eq(s.r.recall, 1.0);
    ck_assert_double_eq(s.r.f1, 1.0);
    ck_assert_double_eq_tol(s.r.ari, 1.0, 1e-12);
    ck_assert_uint_eq(s.r.tp_pairs, 6);
    ck_assert_uint_eq(s.r.fm_total, 0);
    ck_assert_uint_eq(s.r.largest_pred, 4);
    ck_assert_uint_eq(s.r.largest_true, 4);
    ck_assert_uint_eq(s.r.spun_clusters, 1);
    ck_assert_uint_eq(s.r.spun_rep_original, 1);
    ck_assert_uint_eq(s.r.spun_found_clusters, 1);
    ck_assert_uint_eq(s.r.spun_found_rep_original, 1);
    ck_assert_uint_eq(s.r.nkinds, 2); /* spin, typo (partial is not a copy) */
    ck_assert_str_eq(s.r.kinds[0].name, "spin");
    ck_assert_uint_eq(s.r.kinds[0].found, 2);
    ck_assert_uint_eq(s.r.nspin_rates, 2);
    ck_assert_str_eq(s.r.spin_rates[0].name, "0.30");
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_singletons)
{
    const char *P = "o1\to1\t1\ns1\ts1\t1\ns2\ts2\t1\nt1\tt1\t1\no2\to2\t1\n"
                    "p1\tp1\t1\np2\tp2\t1\nm1\tm1\t1\nm2\tm2\t1\nx1\tx1\t1\n";
    scored s = score(T, M, P);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_double_eq(s.r.recall, 0.0);
    ck_assert_double_eq(s.r.precision, 1.0); /* no predicted pair is wrong */
    ck_assert_double_eq(s.r.f1, 0.0);
    ck_assert_double_eq_tol(s.r.ari, 0.0, 1e-12);
    ck_assert_uint_eq(s.r.kinds[0].found, 0);
    ck_assert_uint_eq(s.r.kinds[0].total, 2);
    ck_assert_uint_eq(s.r.spun_rep_original, 0); /* a spun copy is its own rep */
    ck_assert_uint_eq(s.r.spun_found_clusters, 0);
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_false_merge_causes)
{
    /* s1 found, s2 and t1 missed; p1+p2 merged (boilerplate), m1+m2
     * (templated), x1 with o1 and s1 (partial: 2 pairs), o2 with t1 (other) */
    const char *P = "o1\to1\t1\ns1\to1\t0.7\ns2\ts2\t1\nt1\to2\t0.5\no2\to2\t1\n"
                    "p1\tp1\t1\np2\tp1\t0.6\nm1\tm2\t0.9\nm2\tm2\t1\nx1\to1\t0.4\n";
    scored s = score(T, M, P);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_uint_eq(s.r.fm_boilerplate, 1);
    ck_assert_uint_eq(s.r.fm_templated, 1);
    ck_assert_uint_eq(s.r.fm_partial, 2);
    ck_assert_uint_eq(s.r.fm_other, 1);
    ck_assert_uint_eq(s.r.fm_total, 5);
    ck_assert_uint_eq(s.r.partials_with_donor, 1);
    ck_assert_uint_eq(s.r.tp_pairs, 1);      /* o1-s1 */
    ck_assert_uint_eq(s.r.pred_pairs, 6);
    ck_assert_uint_eq(s.r.true_pairs, 6);
    ck_assert_double_eq_tol(s.r.precision, 1.0 / 6, 1e-12);
    ck_assert_uint_eq(s.r.largest_pred, 3);
    ck_assert_str_eq(s.r.spin_rates[0].name, "0.30");
    ck_assert_uint_eq(s.r.spin_rates[0].found, 1);
    ck_assert_uint_eq(s.r.spin_rates[1].found, 0);
    /* majority rep of the spun copies: o1 (1 vote) ties s2 (1): original wins */
    ck_assert_uint_eq(s.r.spun_rep_original, 1);
    ck_assert_uint_eq(s.r.spun_found_clusters, 1);
    ck_assert_uint_eq(s.r.spun_found_rep_original, 1);
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_same_site_same_story)
{
    /* h1, h2: copies of o on site a (one story); p: another page of site a.
     * All predicted together: h1-p and h2-p are boilerplate, o-p is other,
     * h1-h2 is correct (same story) however much furniture they share. */
    const char *t = "o\to\nh1\to\nh2\to\np\tp\n";
    const char *m = "o\toriginal\tbbc-1\t-\t-\t1\n"
                    "h1\theadfoot\t-\to\tsite:a\t0\n"
                    "h2\theadfoot\t-\to\tsite:a\t0\n"
                    "p\tsitepage\tbbc-2\t-\tsite:a\t1\n";
    const char *p = "o\to\t1\nh1\to\t1\nh2\to\t1\np\to\t1\n";
    scored s = score(t, m, p);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_uint_eq(s.r.fm_total, 3);
    ck_assert_uint_eq(s.r.fm_boilerplate, 2);
    ck_assert_uint_eq(s.r.fm_other, 1);
    ck_assert_str_eq(s.r.largest_pred_group, "site:a");
    ck_assert_uint_eq(s.r.largest_pred_group_count, 3);
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_spun_representative)
{
    /* s1 and s2 found with o1, but s1 is the representative: found, and the
     * representative is not the original */
    const char *P = "o1\ts1\t0.7\ns1\ts1\t1\ns2\ts1\t0.6\nt1\tt1\t1\no2\to2\t1\n"
                    "p1\tp1\t1\np2\tp2\t1\nm1\tm1\t1\nm2\tm2\t1\nx1\tx1\t1\n";
    scored s = score(T, M, P);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_uint_eq(s.r.spun_clusters, 1);
    ck_assert_uint_eq(s.r.spun_rep_original, 0);
    ck_assert_uint_eq(s.r.spun_found_clusters, 1);
    ck_assert_uint_eq(s.r.spun_found_rep_original, 0);
    ck_assert_uint_eq(s.r.kinds[0].found, 2); /* both spins found */
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_ari_reference)
{
    /* sklearn: adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.2424... */
    const char *t = "a\tA\nb\tA\nc\tA\nd\tB\ne\tB\nf\tB\n";
    const char *m = "a\toriginal\t-\t-\t-\t1\nb\toriginal\t-\t-\t-\t1\n"
                    "c\toriginal\t-\t-\t-\t1\nd\toriginal\t-\t-\t-\t1\n"
                    "e\toriginal\t-\t-\t-\t1\nf\toriginal\t-\t-\t-\t1\n";
    const char *p = "a\ta\t1\nb\ta\t1\nc\tc\t1\nd\tc\t1\ne\te\t1\nf\te\t1\n";
    scored s = score(t, m, p);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_double_eq_tol(s.r.ari, 0.24242424242424243, 1e-12);
    ck_assert_double_eq_tol(s.r.precision, 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(s.r.recall, 1.0 / 3, 1e-12);
    ck_assert_double_eq_tol(s.r.f1, 4.0 / 9, 1e-12);
    bg_score_result_free(&s.r);
}
END_TEST

START_TEST(test_score_malformed)
{
    const char *P = "o1\to1\t1\n";
    scored s = score("o1\to1\no2\n", M, P);
    ck_assert_int_eq(s.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(s.err.message,
                     "truth.tsv:2: expected 2 tab-separated fields (id, cluster), got 1");
    s = score("o1\to1\n", "o1\toriginal\t-\t-\t-\t2\n", P);
    ck_assert_int_eq(s.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(s.err.message, "meta.tsv:1: is_original must be 0 or 1 ('o1')");
    s = score("o1\to1\n", "o1\toriginal\t-\tzz\t-\t1\n", P);
    ck_assert_ptr_nonnull(strstr(s.err.message, "meta.tsv:1: source_id 'zz'"));
    s = score("o1\to1\no2\to2\n", "o1\toriginal\t-\t-\t-\t1\no2\toriginal\t-\t-\t-\t1\n",
              "o1\to1\t1\no1\to1\t1\n");
    ck_assert_str_eq(s.err.message, "pred.tsv:2: duplicate id ('o1')");
    s = score("o1\to1\no2\to2\n", "o1\toriginal\t-\t-\t-\t1\no2\toriginal\t-\t-\t-\t1\n",
              "o1\to1\tx\n");
    ck_assert_str_eq(s.err.message,
                     "pred.tsv:1: similarity must be a number in [0, 1] ('o1')");
    s = score("o1\to1\no2\to2\n", "o1\toriginal\t-\t-\t-\t1\no2\toriginal\t-\t-\t-\t1\n",
              "id\tcluster_id\tsimilarity\no1\to1\t1\n");
    ck_assert_int_eq(s.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(s.err.message,
                     "pred.tsv: 1 document(s) of truth.tsv have no prediction, "
                     "the first is 'o2' (truth.tsv:2)");
}
END_TEST

/* Ambiguous pairs: A = {o1, s1, h1}, B = {o2, h2}, C = {o3}, D = {p},
 * E = {x1, a partial copy of o1}; h1, h2 and p are on site a. The file
 * relates A-B (twice, through different members), A-A (nothing) and E-A. */
static const char *AT = "o1\to1\ns1\to1\nh1\to1\no2\to2\nh2\to2\no3\to3\n"
                        "p\tp\nx1\tx1\n";
static const char *AM = "o1\toriginal\tbbc-1\t-\t-\t1\n"
                        "s1\tspin\t0.30,phrase\to1\t-\t0\n"
                        "h1\theadfoot\t-\to1\tsite:a\t0\n"
                        "o2\toriginal\tbbc-2\t-\t-\t1\n"
                        "h2\theadfoot\t-\to2\tsite:a\t0\n"
                        "o3\toriginal\tbbc-3\t-\t-\t1\n"
                        "p\tsitepage\tbbc-4\t-\tsite:a\t1\n"
                        "x1\tpartial\tparas=1\to1\t-\t1\n";
static const char *AA = "o1\to2\t0.4100\ns1\th2\t0.4100\no1\ts1\t0.9\n"
                        "x1\to1\t0.3500\n";

START_TEST(test_score_ambiguous_excluded)
{
    /* everything in one cluster: 28 pairs, of which A-B (3 x 2) and E-A
     * (1 x 3) are excluded, 4 are true; of the 15 false merges h1-p and
     * h2-p are boilerplate (h1-h2 is excluded), x1's with A are excluded */
    const char *P1 = "o1\to1\t1\ns1\to1\t1\nh1\to1\t1\no2\to1\t1\nh2\to1\t1\n"
                     "o3\to1\t1\np\to1\t1\nx1\to1\t1\n";
    scored s = score_amb(AT, AM, P1, AA);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_uint_eq(s.r.ambiguous_given, 4);
    ck_assert_uint_eq(s.r.ambiguous_cluster_pairs, 2);
    ck_assert_uint_eq(s.r.excluded_pairs, 9);
    ck_assert_uint_eq(s.r.excluded_pred_pairs, 9);
    ck_assert_uint_eq(s.r.pred_pairs, 19);
    ck_assert_uint_eq(s.r.true_pairs, 4);
    ck_assert_uint_eq(s.r.tp_pairs, 4);
    ck_assert_uint_eq(s.r.fm_total, 15);
    ck_assert_uint_eq(s.r.fm_boilerplate, 2);
    ck_assert_uint_eq(s.r.fm_partial, 0);
    ck_assert_uint_eq(s.r.fm_templated, 0);
    ck_assert_uint_eq(s.r.fm_other, 13);
    ck_assert_double_eq_tol(s.r.precision, 4.0 / 19, 1e-12);
    ck_assert_double_eq_tol(s.r.ari, 0.0, 1e-12);
    bg_score_result_free(&s.r);

    /* the same prediction without the file: x1 with o1 and s1 and h1 are
     * partial false merges, h1-h2 boilerplate */
    s = score(AT, AM, P1);
    ck_assert_uint_eq(s.r.excluded_pairs, 0);
    ck_assert_uint_eq(s.r.pred_pairs, 28);
    ck_assert_uint_eq(s.r.fm_total, 24);
    ck_assert_uint_eq(s.r.fm_boilerplate, 3);
    ck_assert_uint_eq(s.r.fm_partial, 3);
    ck_assert_uint_eq(s.r.fm_other, 18);
    bg_score_result_free(&s.r);

    /* the two versions grouped, or kept apart: both perfect */
    const char *P2 = "o1\to1\t1\ns1\to1\t1\nh1\to1\t1\no2\to1\t1\nh2\to1\t1\n"
                     "o3\to3\t1\np\tp\t1\nx1\tx1\t1\n";
    const char *P3 = "o1\to1\t1\ns1\to1\t1\nh1\to1\t1\no2\to2\t1\nh2\to2\t1\n"
                     "o3\to3\t1\np\tp\t1\nx1\tx1\t1\n";
    const char *preds[2] = {P2, P3};
    const uint64_t excl_pred[2] = {6, 0};
    for (int k = 0; k < 2; k++) {
        s = score_amb(AT, AM, preds[k], AA);
        ck_assert_int_eq(s.rc, 0);
        ck_assert_uint_eq(s.r.excluded_pairs, 9);
        ck_assert_uint_eq(s.r.excluded_pred_pairs, excl_pred[k]);
        ck_assert_uint_eq(s.r.pred_pairs, 4);
        ck_assert_uint_eq(s.r.fm_total, 0);
        ck_assert_double_eq(s.r.precision, 1.0);
        ck_assert_double_eq(s.r.recall, 1.0);
        ck_assert_double_eq_tol(s.r.ari, 1.0, 1e-12);
        bg_score_result_free(&s.r);
    }
    s = score(AT, AM, P2); /* without the file, o2 and h2 cost 6 pairs */
    ck_assert_uint_eq(s.r.pred_pairs, 10);
    ck_assert_uint_eq(s.r.fm_other, 5);
    ck_assert_uint_eq(s.r.fm_boilerplate, 1);
    bg_score_result_free(&s.r);

    /* malformed files name the line */
    s = score_amb(AT, AM, P3, "id_a\tid_b\njaccard\no1\tzz\n");
    ck_assert_int_eq(s.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(s.err.message,
                     "amb.tsv:2: expected at least 2 tab-separated fields "
                     "(id_a, id_b), got 1");
    s = score_amb(AT, AM, P3, "o1\tzz\t0.4\n");
    ck_assert_int_eq(s.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(s.err.message, "amb.tsv:1: id not in the truth file ('zz')");
}
END_TEST

START_TEST(test_score_recall_per_spinner)
{
    const char *t = "o\to\na\to\nb\to\nc\to\nd\to\ne\to\n";
    const char *m = "o\toriginal\tbbc-1\t-\t-\t1\n"
                    "a\tspin\t0.10,wordnet\to\t-\t0\n"
                    "b\tspin\t0.10,phrase\to\t-\t0\n"
                    "c\tspin\t0.70,phrase\to\t-\t0\n"
                    "d\tspin\t0.70,phrase\to\t-\t0\n"
                    "e\tcombo\tspin=0.70,phrase+typo=0.030\to\t-\t0\n";
    const char *p = "o\to\t1\na\to\t1\nb\tb\t1\nc\to\t1\nd\td\t1\ne\to\t1\n";
    scored s = score(t, m, p);
    ck_assert_int_eq(s.rc, 0);
    ck_assert_uint_eq(s.r.nspin_rates, 2);
    ck_assert_str_eq(s.r.spin_rates[0].name, "0.10");
    ck_assert_uint_eq(s.r.spin_rates[0].found, 1);
    ck_assert_uint_eq(s.r.spin_rates[0].total, 2);
    ck_assert_str_eq(s.r.spin_rates[1].name, "0.70");
    ck_assert_uint_eq(s.r.spin_rates[1].found, 1);
    ck_assert_uint_eq(s.r.spin_rates[1].total, 2);
    ck_assert_uint_eq(s.r.nspin_by, 3); /* 0.10 phrase, 0.10 wordnet, 0.70 phrase */
    ck_assert_str_eq(s.r.spin_by[0].spinner, "phrase");
    ck_assert_uint_eq(s.r.spin_by[0].found, 0);
    ck_assert_str_eq(s.r.spin_by[1].spinner, "wordnet");
    ck_assert_uint_eq(s.r.spin_by[1].found, 1);
    ck_assert_str_eq(s.r.spin_by[2].name, "0.70");
    ck_assert_uint_eq(s.r.spin_by[2].found, 1);
    ck_assert_uint_eq(s.r.spin_by[2].total, 2);
    ck_assert_uint_eq(s.r.nspinners, 2);
    ck_assert_str_eq(s.r.spinners[0].spinner, "phrase");
    ck_assert_uint_eq(s.r.spinners[0].found, 1);
    ck_assert_uint_eq(s.r.spinners[0].total, 3);
    ck_assert_uint_eq(s.r.spinners[1].found, 1);
    ck_assert_uint_eq(s.r.spinners[1].total, 1);
    bg_score_result_free(&s.r);
}
END_TEST

/* ------------------------------------------------------ near-duplicates */

/* n words "<prefix>0 .. <prefix>(n-1)", with word k replaced by "X<k>" for
 * each k in change[] (terminated by -1). */
static char *words_text(const char *prefix, int n, const int *change)
{
    bg_buf b = {0};
    for (int k = 0; k < n; k++) {
        int changed = 0;
        for (const int *c = change; *c >= 0; c++)
            changed |= *c == k;
        if (k)
            bg_buf_puts(&b, k % 7 == 6 ? ". " : " ");
        if (changed)
            bg_buf_printf(&b, "X%d", k);
        else
            bg_buf_printf(&b, "%s%d", prefix, k);
    }
    bg_buf_putc(&b, '.');
    char *s = strdup(bg_buf_str(&b));
    bg_buf_free(&b);
    return s;
}

START_TEST(test_neardup_jaccard_exact)
{
    /* normalisation: \w+ in lower case; punctuation and case do not count */
    ck_assert_double_eq(bg_neardup_jaccard("A b c d e", 9, "a B, c-d e!", 11), 1.0);
    ck_assert_double_eq(bg_neardup_jaccard("don't stop me now", 17,
                                           "Don t: stop me now", 18), 1.0);
    ck_assert_double_eq(bg_neardup_jaccard("a b c d", 7, "a b c d", 7), 0.0);
    /* 20 words give 16 shingles; changing word 9 removes the 5 that hold
     * it: 11 shared of 21; changing words 9 and 19 as well: 10 of 22 */
    const int none[] = {-1}, one[] = {9, -1}, two[] = {9, 19, -1}, far[] = {3, 12, -1};
    char *a = words_text("w", 20, none), *b = words_text("w", 20, one);
    char *c = words_text("w", 20, two), *d = words_text("w", 20, far);
    ck_assert_double_eq_tol(bg_neardup_jaccard(a, strlen(a), b, strlen(b)),
                            11.0 / 21, 1e-12);
    ck_assert_double_eq_tol(bg_neardup_jaccard(a, strlen(a), c, strlen(c)),
                            10.0 / 22, 1e-12);
    /* words 3 and 12: 4 + 5 shingles lost, 7 shared of 25 */
    ck_assert_double_eq_tol(bg_neardup_jaccard(a, strlen(a), d, strlen(d)),
                            7.0 / 25, 1e-12);

    /* the prefix-filtered search finds exactly the pairs a brute force
     * finds, on 60 texts from 6 families of variants */
    bg_article arts[60];
    char *texts[60];
    for (int i = 0; i < 60; i++) {
        char prefix[8];
        snprintf(prefix, sizeof prefix, "f%c", 'a' + i / 10);
        int ch[8], nc = 0;
        for (int k = 0; k < i % 10 && nc < 7; k++)
            ch[nc++] = (k * 7 + i) % 30;
        ch[nc] = -1;
        texts[i] = words_text(prefix, 30, ch);
        arts[i] = (bg_article){"x", "t", texts[i], 1, 1, strlen(texts[i]),
                               DOPPEL_NO_DATE};
    }
    static const double ts[] = {0.3, 0.5, 0.8};
    for (size_t q = 0; q < 3; q++) {
        bg_neardup_pair *pairs = NULL;
        size_t np = 0;
        doppel_error err = {0};
        ck_assert_int_eq(bg_neardup_pairs(arts, 60, ts[q], &pairs, &np, &err), 0);
        size_t k = 0, expect = 0;
        for (uint32_t x = 0; x < 60; x++)
            for (uint32_t y = x + 1; y < 60; y++) {
                double j = bg_neardup_jaccard(texts[x], strlen(texts[x]),
                                              texts[y], strlen(texts[y]));
                if (j < ts[q])
                    continue;
                expect++;
                ck_assert_uint_lt(k, np);
                ck_assert_uint_eq(pairs[k].a, x);
                ck_assert_uint_eq(pairs[k].b, y);
                ck_assert_double_eq_tol(pairs[k].jaccard, j, 1e-12);
                k++;
            }
        ck_assert_uint_eq(np, expect);
        if (q == 0)
            ck_assert_uint_gt(expect, 10);
        free(pairs);
    }
    bg_neardup_pair *pairs = NULL;
    size_t np = 0;
    doppel_error err = {0};
    ck_assert_int_eq(bg_neardup_pairs(arts, 60, 0.0, &pairs, &np, &err),
                     DOPPEL_ERR_PARAM);
    for (int i = 0; i < 60; i++)
        free(texts[i]);
    free(a);
    free(b);
    free(c);
    free(d);
}
END_TEST

/* ------------------------------------------------------------- generator */

/* 80 fake articles: 5 paragraphs of 2-3 sentences of pseudo-words. */
typedef struct fake_corpus {
    bg_article a[80];
    char *text[80], title[80][48], id[80][16];
} fake_corpus;

static void fake_make(fake_corpus *c)
{
    static const char *const vocab[] = {
        "river", "council", "budget", "winter", "market", "station", "player",
        "museum", "harbour", "school", "vote", "report", "energy", "bridge",
        "garden", "festival", "airport", "hospital", "police", "minister"};
    uint64_t x = 12345;
    for (int i = 0; i < 80; i++) {
        bg_buf t = {0};
        for (int p = 0; p < 5; p++) {
            if (p)
                bg_buf_puts(&t, "\n\n");
            for (int s = 0; s < 2 + (p % 2); s++) {
                if (s)
                    bg_buf_putc(&t, ' ');
                bg_buf_printf(&t, "Item%d", i);
                for (int w = 0; w < 9; w++) {
                    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                    bg_buf_printf(&t, " %s", vocab[(x >> 33) % 20]);
                }
                bg_buf_putc(&t, '.');
            }
        }
        c->text[i] = strdup(bg_buf_str(&t));
        bg_buf_free(&t);
        snprintf(c->title[i], sizeof c->title[i], "Story %d about the river", i);
        snprintf(c->id[i], sizeof c->id[i], "fake-%02d", i);
        c->a[i] = (bg_article){c->id[i], c->title[i], c->text[i], strlen(c->id[i]),
                               strlen(c->title[i]), strlen(c->text[i]),
                               DOPPEL_NO_DATE};
    }
}

static void fake_free(fake_corpus *c)
{
    for (int i = 0; i < 80; i++)
        free(c->text[i]);
}

static void small_opts(bg_mix_opts *o, int spin)
{
    bg_mix_opts_default(o);
    o->seed = 5;
    o->nspin_rates = 1;
    o->spin_rates[0] = 0.3;
    o->spin_per_rate = spin ? 10 : 0;
    o->combo = spin ? 5 : 0;
    o->typo = o->truncate = o->sentdel = o->reorder = o->headfoot = 5;
    o->partial = 5;
    o->templated = 4;
    o->site_pages[0] = 10;
    o->site_pages[1] = 5;
    o->small_sites = 2;
    o->wire_copies[0] = 8;
    o->wire_copies[1] = 3;
    o->dates = 1;
}

typedef struct generated {
    char *corpus, *truth, *meta, *amb;
    size_t corpus_len, truth_len, meta_len, amb_len, docs;
    bg_mix_summary sum;
} generated;

static generated generate(const fake_corpus *c, const bg_mix_opts *o)
{
    generated g;
    memset(&g, 0, sizeof g);
    const uint32_t dups[2] = {3, 4};
    bg_mix *m = NULL;
    doppel_error err = {0};
    int rc = bg_mix_plan(&m, c->a, 80, dups, 1, wn, o, &err);
    ck_assert_msg(rc == 0, "plan: %s", err.message);
    FILE *fc = open_memstream(&g.corpus, &g.corpus_len);
    FILE *ft = open_memstream(&g.truth, &g.truth_len);
    FILE *fm = open_memstream(&g.meta, &g.meta_len);
    FILE *fa = open_memstream(&g.amb, &g.amb_len);
    rc = bg_mix_write(m, fc, ft, fm, fa, &g.sum, &err);
    ck_assert_msg(rc == 0, "write: %s", err.message);
    fclose(fc);
    fclose(ft);
    fclose(fm);
    fclose(fa);
    g.docs = bg_mix_documents(m);
    bg_mix_free(m);
    return g;
}

static void generated_free(generated *g)
{
    free(g->corpus);
    free(g->truth);
    free(g->meta);
    free(g->amb);
}

/* The id and cluster of the published original whose param (source id) is
 * src, from meta and truth; 0 if none. */
static int find_original(const generated *g, const char *src, char id[13],
                         char cluster[13])
{
    char pat[64];
    snprintf(pat, sizeof pat, "\toriginal\t%s\t", src);
    const char *p = strstr(g->meta, pat);
    if (!p)
        return 0;
    memcpy(id, p - 12, 12);
    id[12] = '\0';
    for (const char *t = g->truth; *t; t += 26)
        if (memcmp(t, id, 12) == 0) {
            memcpy(cluster, t + 13, 12);
            cluster[12] = '\0';
            return 1;
        }
    return 0;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

/* Check the truth against meta: the rules of bench/README.md. */
static void check_truth(const generated *g)
{
    size_t n = g->docs;
    ck_assert_uint_eq(count_lines(g->corpus, g->corpus_len), n);
    ck_assert_uint_eq(count_lines(g->truth, g->truth_len), n);
    ck_assert_uint_eq(count_lines(g->meta, g->meta_len), n);
    bg_strmap ids = {0};
    char (*cluster)[13] = calloc(n, sizeof *cluster);
    const char *p = g->truth;
    for (size_t i = 0; i < n; i++) {
        ck_assert(p[12] == '\t' && p[25] == '\n');
        for (int k = 0; k < 12; k++)
            ck_assert(strchr("0123456789abcdef", p[k]) != NULL);
        int ins;
        long id = bg_strmap_put(&ids, p, 12, &ins);
        ck_assert_msg(ins, "duplicate id %.12s", p);
        memcpy(cluster[id], p + 13, 12);
        p += 26;
    }
    size_t kinds[16] = {0};
    p = g->meta;
    for (size_t i = 0; i < n; i++) {
        char id[13], kind[16], param[128], src[16], group[64];
        int orig;
        const char *eol = strchr(p, '\n');
        char line[512];
        memcpy(line, p, (size_t)(eol - p));
        line[eol - p] = '\0';
        ck_assert_int_eq(sscanf(line, "%12[^\t]\t%15[^\t]\t%127[^\t]\t%15[^\t]\t%63[^\t]\t%d",
                                id, kind, param, src, group, &orig), 6);
        long d = bg_strmap_get(&ids, id, 12);
        ck_assert_int_ge(d, 0);
        int alone = !strcmp(kind, "partial") || !strcmp(kind, "templated")
                    || !strcmp(kind, "sitepage");
        if (alone)
            ck_assert(memcmp(cluster[d], id, 12) == 0);
        if (strcmp(src, "-") != 0) {
            long s = bg_strmap_get(&ids, src, 12);
            ck_assert_int_ge(s, 0);
            if (!strcmp(kind, "partial"))
                ck_assert(memcmp(cluster[d], cluster[s], 12) != 0);
            else
                ck_assert(memcmp(cluster[d], cluster[s], 12) == 0);
            ck_assert_int_eq(orig, 0 + !strcmp(kind, "partial"));
        }
        if (!strcmp(kind, "sitepage") || !strcmp(kind, "headfoot"))
            ck_assert(strncmp(group, "site:", 5) == 0);
        if (!strcmp(kind, "syndicated"))
            ck_assert(strncmp(group, "wire:", 5) == 0);
        static const char *const names[] = {"original", "sitepage", "spin", "typo",
                                            "truncate", "sentdel", "reorder",
                                            "headfoot", "combo", "partial",
                                            "syndicated", "templated"};
        int known = 0;
        for (int k = 0; k < 12; k++)
            if (!strcmp(kind, names[k])) {
                kinds[k]++;
                known = 1;
            }
        ck_assert_msg(known, "unknown kind %s", kind);
        p = eol + 1;
    }
    ck_assert_uint_eq(kinds[1], 15); /* site pages */
    ck_assert_uint_eq(kinds[9], 5);  /* partial */
    ck_assert_uint_eq(kinds[10], 11); /* syndicated */
    ck_assert_uint_eq(kinds[11], 4); /* templated */
    free(cluster);
    bg_strmap_free(&ids);
}

START_TEST(test_mix_truth_rules)
{
    fake_corpus c;
    fake_make(&c);
    bg_mix_opts o;
    small_opts(&o, wn != NULL);
    if (!wn)
        fprintf(stderr, "SKIP (spinning part of) %s: WordNet not found\n", __func__);
    generated g = generate(&c, &o);
    /* 80 real - 5 hosts + copies */
    size_t copies = (wn ? 10 + 5 : 0) + 25 + 5 + 11 + 4;
    ck_assert_uint_eq(g.docs, 75 + copies);
    check_truth(&g);
    /* 75 published bases (site pages and wire originals included) with the
     * duplicates 3 and 4 merged, plus 5 partial copies and 4 templated */
    ck_assert_uint_eq(g.sum.clusters, 75 - 1 + 5 + 4);
    ck_assert(g.corpus[0] == '{' && strncmp(g.corpus, "{\"id\":\"", 7) == 0);
    ck_assert_ptr_nonnull(strstr(g.corpus, "\"date\":\""));

    /* deterministic for a seed, different for another */
    generated g2 = generate(&c, &o);
    ck_assert_uint_eq(g.corpus_len, g2.corpus_len);
    ck_assert(memcmp(g.corpus, g2.corpus, g.corpus_len) == 0);
    ck_assert(memcmp(g.meta, g2.meta, g.meta_len) == 0);
    o.seed = 6;
    generated g3 = generate(&c, &o);
    ck_assert(g3.corpus_len != g.corpus_len
              || memcmp(g.corpus, g3.corpus, g.corpus_len) != 0);
    generated_free(&g);
    generated_free(&g2);
    generated_free(&g3);
    fake_free(&c);
}
END_TEST

START_TEST(test_mix_neardup_truth)
{
    /* fake-10 and fake-11 differ in one word of 20 (Jaccard 11/21 >= 0.5):
     * merged; fake-20 and fake-21 in two (10/22, in [0.3, 0.5)): ambiguous;
     * fake-30 and fake-31 in three spread out (7/25 < 0.3): unrelated */
    fake_corpus c;
    fake_make(&c);
    const int none[] = {-1}, one[] = {9, -1}, two[] = {9, 19, -1},
              far[] = {3, 12, -1};
    char *t[6] = {words_text("alpha", 20, none), words_text("alpha", 20, one),
                  words_text("beta", 20, none),  words_text("beta", 20, two),
                  words_text("gamma", 20, none), words_text("gamma", 20, far)};
    const int idx[6] = {10, 11, 20, 21, 30, 31};
    for (int k = 0; k < 6; k++) {
        free(c.text[idx[k]]);
        c.text[idx[k]] = t[k];
        c.a[idx[k]].text = t[k];
        c.a[idx[k]].text_len = strlen(t[k]);
    }
    bg_mix_opts o;
    small_opts(&o, wn != NULL);
    generated g = generate(&c, &o);
    check_truth(&g);
    ck_assert_uint_eq(g.sum.near_merged, 1);
    ck_assert_uint_eq(g.sum.near_ambiguous, 1);
    ck_assert_uint_eq(g.sum.near_related, 4 + 2); /* and the dups 3, 4 */
    /* one cluster fewer than test_mix_truth_rules: 10 and 11 merged */
    ck_assert_uint_eq(g.sum.clusters, 75 - 2 + 5 + 4);
    char id[4][13], cl[4][13];
    const char *src[4] = {"fake-10", "fake-11", "fake-20", "fake-21"};
    for (int k = 0; k < 4; k++) /* near-duplicates are only ever originals */
        ck_assert_msg(find_original(&g, src[k], id[k], cl[k]), "%s", src[k]);
    ck_assert_str_eq(cl[0], cl[1]);
    ck_assert_str_ne(cl[2], cl[3]);
    char want[64];
    snprintf(want, sizeof want, "%s\t%s\t0.4545\n", id[2], id[3]);
    ck_assert_uint_eq(g.amb_len, strlen(want));
    ck_assert_str_eq(g.amb, want);
    generated_free(&g);

    /* thresholds off: nothing merged or ambiguous */
    o.merge_jaccard = o.ambiguous_jaccard = 0;
    g = generate(&c, &o);
    ck_assert_uint_eq(g.sum.near_merged + g.sum.near_ambiguous, 0);
    ck_assert_uint_eq(g.sum.clusters, 75 - 1 + 5 + 4);
    ck_assert_uint_eq(g.amb_len, 0);
    generated_free(&g);
    /* merge only: the 0.45 pair is merged as well */
    o.merge_jaccard = 0.45;
    g = generate(&c, &o);
    ck_assert_uint_eq(g.sum.near_merged, 2);
    ck_assert_uint_eq(g.sum.clusters, 75 - 3 + 5 + 4);
    generated_free(&g);
    o.ambiguous_jaccard = 0.6; /* above the merge threshold */
    bg_mix *m = NULL;
    doppel_error err = {0};
    ck_assert_int_eq(bg_mix_plan(&m, c.a, 80, NULL, 0, wn, &o, &err),
                     DOPPEL_ERR_PARAM);
    fake_free(&c);
}
END_TEST

START_TEST(test_mix_spinners)
{
    NEED_WORDNET();
    fake_corpus c;
    fake_make(&c);
    bg_mix_opts o;
    small_opts(&o, 1);
    o.spin_per_rate = 40;
    static const char *const names[3] = {"wordnet", "phrase", "mixed"};
    for (int sp = 0; sp < 3; sp++) {
        o.spinner = sp;
        generated g = generate(&c, &o);
        check_truth(&g);
        size_t n[2] = {0, 0}, combos[2] = {0, 0};
        for (const char *p = g.meta; (p = strstr(p, "\tspin\t")) != NULL; p++) {
            ck_assert(strncmp(p + 6, "0.30,", 5) == 0);
            n[strncmp(p + 11, "phrase\t", 7) == 0]++;
        }
        for (const char *p = g.meta; (p = strstr(p, "\tcombo\tspin=0.30,")) != NULL; p++)
            combos[strncmp(p + 17, "phrase+", 7) == 0]++;
        ck_assert_uint_eq(n[0] + n[1], 40);
        ck_assert_uint_eq(combos[0] + combos[1], 5);
        if (sp == 2) { /* each copy draws one: 40 fair coins, both appear */
            ck_assert_uint_gt(n[0], 8);
            ck_assert_uint_gt(n[1], 8);
        } else {
            ck_assert_msg(n[sp == 0] == 0, "%s: other spinner used", names[sp]);
            ck_assert_uint_eq(combos[sp == 0], 0);
        }
        /* the summary has the words changed per rate and spinner */
        ck_assert_uint_eq(g.sum.nrates, 1);
        for (int p = 0; p < 2; p++) {
            ck_assert_uint_eq(g.sum.rate_docs[0][p], n[p]);
            if (n[p])
                ck_assert_uint_gt(g.sum.rate_words_replaced[0][p], 0);
        }
        generated_free(&g);
    }
    fake_free(&c);
}
END_TEST

START_TEST(test_mix_scale_and_perfect_score)
{
    fake_corpus c;
    fake_make(&c);
    bg_mix_opts o;
    small_opts(&o, wn != NULL);
    o.scale = 400; /* more than the 80 real articles: synthetic originals */
    generated g = generate(&c, &o);
    ck_assert_uint_eq(g.docs, 400);
    ck_assert_uint_gt(g.sum.base_synthetic, 0);
    ck_assert_uint_eq(count_lines(g.corpus, g.corpus_len), 400);
    /* the truth itself, as a prediction, scores perfectly */
    bg_buf pred = {0};
    for (const char *p = g.truth; *p; p += 26)
        bg_buf_printf(&pred, "%.12s\t%.12s\t1\n", p, p + 13);
    scored s = score(g.truth, g.meta, bg_buf_str(&pred));
    ck_assert_int_eq(s.rc, 0);
    ck_assert_double_eq(s.r.f1, 1.0);
    ck_assert_double_eq_tol(s.r.ari, 1.0, 1e-12);
    if (wn)
        ck_assert_uint_eq(s.r.spun_rep_original, s.r.spun_clusters);
    bg_score_result_free(&s.r);
    bg_buf_free(&pred);
    generated_free(&g);

    o.scale = 40; /* sites and wire stories shrink, to 2 pages/reprints */
    g = generate(&c, &o);
    ck_assert_uint_eq(g.docs, 40);
    ck_assert_uint_eq(g.sum.smallest_big_site_docs, 2);
    generated_free(&g);
    o.scale = 12; /* too small even for those */
    bg_mix *m = NULL;
    doppel_error err = {0};
    ck_assert_int_eq(bg_mix_plan(&m, c.a, 80, NULL, 0, wn, &o, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(err.message, "too small"));
    fake_free(&c);
}
END_TEST

START_TEST(test_ids_and_dates)
{
    /* ids are a bijection on 48 bits: no collisions */
    bg_strmap seen = {0};
    char id[13];
    for (uint64_t i = 0; i < 200000; i++) {
        bg_doc_id(77, i, id);
        int ins;
        ck_assert_int_ge(bg_strmap_put(&seen, id, 12, &ins), 0);
        ck_assert_msg(ins, "id collision at %llu", (unsigned long long)i);
    }
    bg_strmap_free(&seen);
    char d[32];
    bg_format_date(0, d, sizeof d);
    ck_assert_str_eq(d, "1970-01-01T00:00:00Z");
    bg_format_date(1072915200, d, sizeof d);
    ck_assert_str_eq(d, "2004-01-01T00:00:00Z");
    bg_format_date(1580402760, d, sizeof d);
    ck_assert_str_eq(d, "2020-01-30T16:46:00Z");
    bg_format_date(951782400, d, sizeof d); /* leap day */
    ck_assert_str_eq(d, "2000-02-29T00:00:00Z");
}
END_TEST

Suite *suite_benchgen(void)
{
    Suite *s = suite_create("benchgen");
    TCase *tw = tcase_create("wordnet+spin");
    tcase_add_unchecked_fixture(tw, wordnet_setup, wordnet_teardown);
    tcase_set_timeout(tw, 120);
    tcase_add_test(tw, test_wordnet_phrases_and_markers);
    tcase_add_test(tw, test_wordnet_missing_dir);
    tcase_add_test(tw, test_spin_deterministic);
    tcase_add_test(tw, test_spin_realised_rate);
    tcase_add_test(tw, test_spin_keeps_case_and_punctuation);
    tcase_add_test(tw, test_spin_stoplist_never_replaced);
    tcase_add_test(tw, test_spin_phrase_as_unit);
    tcase_add_test(tw, test_spin_morphology);
    tcase_add_test(tw, test_spin_rejects_bad_rate);
    tcase_add_test(tw, test_phrase_table_well_formed);
    tcase_add_test(tw, test_spin_phrase_table_applied);
    tcase_add_test(tw, test_spin_phrase_deterministic_and_rate);
    suite_add_tcase(s, tw);

    TCase *te = tcase_create("text+edits");
    tcase_add_test(te, test_text_units);
    tcase_add_test(te, test_typo_rate);
    tcase_add_test(te, test_truncate_exact);
    tcase_add_test(te, test_sentdel_exact);
    tcase_add_test(te, test_reorder_exact);
    tcase_add_test(te, test_partial_and_credit_exact);
    tcase_add_test(te, test_site_furniture);
    tcase_add_test(te, test_templated_stories);
    suite_add_tcase(s, te);

    TCase *tsc = tcase_create("score");
    tcase_add_test(tsc, test_score_perfect);
    tcase_add_test(tsc, test_score_singletons);
    tcase_add_test(tsc, test_score_false_merge_causes);
    tcase_add_test(tsc, test_score_same_site_same_story);
    tcase_add_test(tsc, test_score_spun_representative);
    tcase_add_test(tsc, test_score_ari_reference);
    tcase_add_test(tsc, test_score_malformed);
    tcase_add_test(tsc, test_score_ambiguous_excluded);
    tcase_add_test(tsc, test_score_recall_per_spinner);
    tcase_add_test(tsc, test_neardup_jaccard_exact);
    suite_add_tcase(s, tsc);

    TCase *tm = tcase_create("generator");
    tcase_add_unchecked_fixture(tm, wordnet_setup, wordnet_teardown);
    tcase_set_timeout(tm, 120);
    tcase_add_test(tm, test_mix_truth_rules);
    tcase_add_test(tm, test_mix_neardup_truth);
    tcase_add_test(tm, test_mix_spinners);
    tcase_add_test(tm, test_mix_scale_and_perfect_score);
    tcase_add_test(tm, test_ids_and_dates);
    suite_add_tcase(s, tm);
    return s;
}
