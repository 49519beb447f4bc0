/*
 * check_dedup.c — the batch deduplicator (dedup.c, with lsh.c, verify.c and
 * cluster.c behind it), through the public API:
 *   - the 293 Wikinews articles never merge; each with an exact copy always
 *     does, and nothing else merges;
 *   - the representative is the earliest dated member (dated before
 *     undated), else the first of equal texts;
 *   - one thread or two (batches and verification split): identical
 *     results, also with a hot bucket of 300 copies of one article;
 *   - empty documents are singletons and are counted;
 *   - adding a document's signature equals adding its text;
 *   - calls out of order are refused (DOPPEL_ERR_STATE/NOTFOUND);
 *   - allocation failure at every allocation of create, add, add_batch
 *     (two threads) and finish returns DOPPEL_ERR_NOMEM, leaks nothing, and
 *     leaves the object usable: retried, it gives the results of a run
 *     that never failed.
 */
#define _POSIX_C_SOURCE 200809L /* strndup */
#include "suites.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tu_corpus wikinews;

static void load_corpus(void)
{
    char path[4096];
    tu_corpus_load(&wikinews,
                   tu_source_path(path, sizeof path, "corpus/wikinews.jsonl"),
                   NULL);
    ck_assert_uint_eq(wikinews.n, 293);
}

static void free_corpus(void)
{
    tu_corpus_free(&wikinews);
}

/* ------------------------------------------------------------- helpers */

/* Default options with the parameters already resolved: the same run as
 * DOPPEL_DEDUP_OPTS_INIT, without repeating the choice of LSH bands and
 * rows (an S-curve search) for each of the hundreds of dedups below. */
static doppel_dedup_opts default_opts(void)
{
    static doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    static int resolved = 0;
    if (!resolved) {
        ck_assert_int_eq(doppel_params_resolve(&o.params, &o.params, NULL),
                         DOPPEL_OK);
        resolved = 1;
    }
    return o;
}

typedef struct result {
    size_t n;
    size_t *rep, *size;
    double *sim;
    char **ids;
    doppel_pair *pairs;
    size_t npairs;
    doppel_dedup_stats stats;
} result;

static void result_free(result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->ids[i]);
    free(r->ids);
    free(r->rep);
    free(r->size);
    free(r->sim);
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

/* Read the results of a finished dedup. */
static result collect(const doppel_dedup *d)
{
    result r;
    memset(&r, 0, sizeof r);
    r.n = doppel_dedup_count(d);
    r.rep = calloc(r.n + 1, sizeof *r.rep);
    r.size = calloc(r.n + 1, sizeof *r.size);
    r.sim = calloc(r.n + 1, sizeof *r.sim);
    r.ids = calloc(r.n + 1, sizeof *r.ids);
    for (size_t i = 0; i < r.n; i++) {
        doppel_member m;
        ck_assert_int_eq(doppel_dedup_member(d, i, &m, NULL), DOPPEL_OK);
        r.rep[i] = m.representative;
        r.size[i] = m.cluster_size;
        r.sim[i] = m.similarity;
        r.ids[i] = strndup(m.id, m.id_len);
        TU_CHECK(m.representative < r.n, "representative out of range");
        if (m.representative == i)
            TU_CHECK(m.similarity == 1.0, "representative %zu: similarity "
                     "%g", i, m.similarity);
    }
    /* Every member's representative represents itself. */
    for (size_t i = 0; i < r.n; i++)
        TU_CHECK(r.rep[r.rep[i]] == r.rep[i], "rep of rep of %zu", i);
    const doppel_pair *p;
    ck_assert_int_eq(doppel_dedup_pairs(d, &p, &r.npairs, NULL), DOPPEL_OK);
    r.pairs = malloc((r.npairs + 1) * sizeof *r.pairs);
    if (r.npairs)
        memcpy(r.pairs, p, r.npairs * sizeof *p);
    for (size_t i = 0; i < r.npairs; i++) {
        TU_CHECK(p[i].a < p[i].b && p[i].b < r.n, "pair %zu", i);
        TU_CHECK(i == 0 || p[i - 1].a < p[i].a ||
                     (p[i - 1].a == p[i].a && p[i - 1].b < p[i].b),
                 "pairs not sorted at %zu", i);
        TU_CHECK(r.rep[p[i].a] == r.rep[p[i].b], "pair %zu split", i);
    }
    ck_assert_int_eq(doppel_dedup_stats_get(d, &r.stats, NULL), DOPPEL_OK);
    ck_assert_uint_eq(r.stats.documents, r.n);
    ck_assert_uint_eq(r.stats.verified_pairs, r.npairs);
    ck_assert_uint_eq(r.stats.clusters + r.stats.duplicates, r.n);
    return r;
}

static void assert_same_results(const result *a, const result *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        TU_CHECK(a->rep[i] == b->rep[i] && a->size[i] == b->size[i] &&
                     a->sim[i] == b->sim[i] && strcmp(a->ids[i], b->ids[i]) == 0,
                 "document %zu differs", i);
    }
    ck_assert_uint_eq(a->npairs, b->npairs);
    for (size_t i = 0; i < a->npairs; i++)
        TU_CHECK(a->pairs[i].a == b->pairs[i].a &&
                     a->pairs[i].b == b->pairs[i].b &&
                     a->pairs[i].similarity == b->pairs[i].similarity,
                 "pair %zu differs", i);
    ck_assert(memcmp(&a->stats, &b->stats, sizeof a->stats) == 0);
}

static doppel_doc doc_of(const char *id, const char *text, int64_t date)
{
    doppel_doc d = {id, strlen(id), text, strlen(text), date};
    return d;
}

/* Dedup docs[0..n) with `threads`, in one batch or one at a time. */
static result run(const doppel_doc *docs, size_t n, unsigned threads,
                  int batch)
{
    doppel_dedup_opts o = default_opts();
    o.threads = threads;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
    if (batch) {
        ck_assert_msg(doppel_dedup_add_batch(d, docs, n, &err) == DOPPEL_OK,
                      "%s", err.message);
    } else {
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(doppel_dedup_add(d, &docs[i], &err), DOPPEL_OK);
    }
    ck_assert_uint_eq(doppel_dedup_count(d), n);
    ck_assert_msg(doppel_dedup_finish(d, &err) == DOPPEL_OK, "%s",
                  err.message);
    result r = collect(d);
    doppel_dedup_free(d);
    return r;
}

/* The Wikinews articles, then (with copies) an exact copy of each. */
static doppel_doc *wikinews_docs(int copies, size_t *n)
{
    *n = wikinews.n * (copies ? 2 : 1);
    doppel_doc *docs = calloc(*n, sizeof *docs);
    for (size_t i = 0; i < *n; i++) {
        const tu_doc *w = &wikinews.docs[i % wikinews.n];
        docs[i] = doc_of(w->id, w->text, w->date);
    }
    return docs;
}

/* --------------------------------------------------------------- tests */

START_TEST(test_unrelated_never_merge)
{
    size_t n;
    doppel_doc *docs = wikinews_docs(0, &n);
    result r = run(docs, n, 1, 1);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(r.rep[i] == i && r.size[i] == 1,
                      "%s merged with %s", r.ids[i], r.ids[r.rep[i]]);
    ck_assert_uint_eq(r.npairs, 0);
    ck_assert_uint_eq(r.stats.clusters, n);
    ck_assert_uint_eq(r.stats.largest_cluster, 1);
    result_free(&r);
    free(docs);
}
END_TEST

START_TEST(test_identical_always_merge)
{
    size_t n;
    doppel_doc *docs = wikinews_docs(1, &n);
    const size_t half = n / 2;
    /* Without dates: the first of two equal texts represents them. */
    for (size_t i = 0; i < n; i++)
        docs[i].date = DOPPEL_NO_DATE;
    result r = run(docs, n, 1, 1);
    for (size_t i = 0; i < half; i++) {
        ck_assert_msg(r.rep[i] == i && r.rep[i + half] == i,
                      "%s and its copy: representatives %zu, %zu", r.ids[i],
                      r.rep[i], r.rep[i + half]);
        ck_assert_uint_eq(r.size[i], 2);
        ck_assert_double_eq(r.sim[i + half], 1.0);
    }
    ck_assert_uint_eq(r.npairs, half);
    for (size_t i = 0; i < half; i++) {
        ck_assert_uint_eq(r.pairs[i].a, i);
        ck_assert_uint_eq(r.pairs[i].b, i + half);
        ck_assert_double_eq(r.pairs[i].similarity, 1.0);
    }
    ck_assert_uint_eq(r.stats.clusters, half);
    ck_assert_uint_eq(r.stats.duplicates, half);
    result_free(&r);
    free(docs);
}
END_TEST

START_TEST(test_earliest_date_represents)
{
    const tu_doc *w = &wikinews.docs[3];
    const char *t = w->text;
    /* Four copies: dated 300, 100, undated, 200 -> the one dated 100. */
    doppel_doc docs[] = {doc_of("c300", t, 300), doc_of("c100", t, 100),
                         doc_of("none", t, DOPPEL_NO_DATE),
                         doc_of("c200", t, 200),
                         doc_of("other", wikinews.docs[4].text, 50)};
    result r = run(docs, 5, 1, 0);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(r.rep[i], 1);
        ck_assert_uint_eq(r.size[i], 4);
    }
    ck_assert_uint_eq(r.rep[4], 4);
    result_free(&r);
    /* Dated members come before undated ones, even if undated come
     * first; negative dates (before 1970) are dates. */
    doppel_doc docs2[] = {doc_of("none", t, DOPPEL_NO_DATE),
                          doc_of("late", t, 1700000000),
                          doc_of("early", t, -86400)};
    r = run(docs2, 3, 1, 0);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(r.rep[i], 2);
    result_free(&r);
    /* Equal dates: the first of them. */
    doppel_doc docs3[] = {doc_of("a", t, 500), doc_of("b", t, 400),
                          doc_of("c", t, 400)};
    r = run(docs3, 3, 1, 0);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(r.rep[i], 1);
    result_free(&r);
}
END_TEST

START_TEST(test_threads_give_identical_results)
{
    size_t n;
    doppel_doc *docs = wikinews_docs(1, &n);
    result one = run(docs, n, 1, 1), two = run(docs, n, 2, 1),
           single = run(docs, n, 2, 0);
    assert_same_results(&one, &two);
    assert_same_results(&one, &single);
    result_free(&one);
    result_free(&two);
    result_free(&single);
    free(docs);

    /* 300 copies of one article and 100 others: a hot bucket, enough
     * candidates for verification to be split between the threads. */
    const size_t m = 400;
    doppel_doc *hot = calloc(m, sizeof *hot);
    char (*ids)[16] = calloc(m, sizeof *ids);
    for (size_t i = 0; i < m; i++) {
        snprintf(ids[i], sizeof ids[i], "d%zu", i);
        const tu_doc *w = &wikinews.docs[i < 300 ? 0 : i - 299];
        hot[i] = doc_of(ids[i], w->text, (int64_t)(m - i));
    }
    one = run(hot, m, 1, 1);
    two = run(hot, m, 2, 1);
    assert_same_results(&one, &two);
    ck_assert_uint_ge(one.stats.candidate_pairs, 4096);
    /* all 300 copies in one cluster, represented by the earliest */
    for (size_t i = 0; i < 300; i++)
        ck_assert_uint_eq(one.rep[i], 299);
    ck_assert_uint_eq(one.stats.largest_cluster, 300);
    result_free(&one);
    result_free(&two);
    free(hot);
    free(ids);
}
END_TEST

START_TEST(test_empty_documents_are_singletons)
{
    const char *t = wikinews.docs[5].text;
    doppel_doc docs[] = {doc_of("e1", "", DOPPEL_NO_DATE),
                         doc_of("a", t, DOPPEL_NO_DATE),
                         doc_of("e2", "", DOPPEL_NO_DATE),
                         doc_of("e3", "  ... --- !!! \n\n", DOPPEL_NO_DATE),
                         doc_of("b", t, DOPPEL_NO_DATE),
                         doc_of("e4", "", 5)};
    result r = run(docs, 6, 1, 0);
    const size_t empty[] = {0, 2, 3, 5};
    for (size_t k = 0; k < 4; k++) {
        ck_assert_uint_eq(r.rep[empty[k]], empty[k]);
        ck_assert_uint_eq(r.size[empty[k]], 1);
        ck_assert_double_eq(r.sim[empty[k]], 1.0);
    }
    ck_assert_uint_eq(r.rep[4], 1);
    ck_assert_uint_eq(r.stats.empty_documents, 4);
    ck_assert_uint_eq(r.stats.clusters, 5);
    ck_assert_uint_eq(r.npairs, 1);
    result_free(&r);
    /* Only empty documents. */
    doppel_doc only[] = {doc_of("x", "", DOPPEL_NO_DATE),
                         doc_of("y", "", DOPPEL_NO_DATE)};
    r = run(only, 2, 1, 1);
    ck_assert_uint_eq(r.stats.clusters, 2);
    ck_assert_uint_eq(r.npairs, 0);
    result_free(&r);
    /* No documents at all. */
    r = run(NULL, 0, 1, 1);
    ck_assert_uint_eq(r.stats.documents, 0);
    ck_assert_uint_eq(r.stats.clusters, 0);
    result_free(&r);
}
END_TEST

START_TEST(test_add_signature_equals_add_text)
{
    /* 40 articles and a copy of every fourth, with dates. */
    doppel_doc docs[50];
    size_t n = 0;
    for (size_t i = 0; i < 40; i++) {
        const tu_doc *w = &wikinews.docs[i];
        docs[n++] = doc_of(w->id, w->text, w->date);
    }
    for (size_t i = 0; i < 40; i += 4) {
        const tu_doc *w = &wikinews.docs[i];
        docs[n++] = doc_of("copy", w->text, w->date - 1);
    }
    result by_text = run(docs, n, 1, 1);

    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    const doppel_sketcher *sk = doppel_dedup_sketcher(d);
    for (size_t i = 0; i < n; i++) {
        doppel_signature *sig = NULL;
        ck_assert_int_eq(
            doppel_sketch(sk, docs[i].text, docs[i].text_len, &sig, NULL),
            DOPPEL_OK);
        ck_assert_int_eq(doppel_dedup_add_signature(d, docs[i].id,
                                                    docs[i].id_len, sig,
                                                    docs[i].date, NULL),
                         DOPPEL_OK);
        doppel_signature_free(sig); /* the dedup keeps a copy */
    }
    ck_assert_int_eq(doppel_dedup_finish(d, NULL), DOPPEL_OK);
    result by_sig = collect(d);
    doppel_dedup_free(d);
    assert_same_results(&by_text, &by_sig);
    ck_assert_uint_eq(by_text.npairs, 10);
    result_free(&by_text);
    result_free(&by_sig);

    /* A signature of other parameters is refused. */
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    doppel_params p = DOPPEL_PARAMS_INIT;
    p.seed = 99;
    doppel_sketcher *other = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&other, &p, NULL, NULL), DOPPEL_OK);
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketch(other, "a b c", 5, &sig, NULL), DOPPEL_OK);
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_add_signature(d, "x", 1, sig, 0, &err),
                     DOPPEL_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, "parameters"));
    ck_assert_uint_eq(doppel_dedup_count(d), 0);
    doppel_signature_free(sig);
    doppel_sketcher_free(other);
    doppel_dedup_free(d);
}
END_TEST

START_TEST(test_state_errors)
{
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    doppel_member m;
    const doppel_pair *p;
    size_t np;
    doppel_dedup_stats st;
    ck_assert_int_eq(doppel_dedup_member(d, 0, &m, &err), DOPPEL_ERR_STATE);
    ck_assert_int_eq(doppel_dedup_pairs(d, &p, &np, &err), DOPPEL_ERR_STATE);
    ck_assert_int_eq(doppel_dedup_stats_get(d, &st, &err), DOPPEL_ERR_STATE);
    doppel_doc doc = doc_of("a", "some words here", DOPPEL_NO_DATE);
    ck_assert_int_eq(doppel_dedup_add(d, &doc, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_add(d, &doc, &err), DOPPEL_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(err.message, "doppel_dedup_finish"));
    ck_assert_int_eq(doppel_dedup_add_batch(d, &doc, 1, &err),
                     DOPPEL_ERR_STATE);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_ERR_STATE);
    ck_assert_int_eq(doppel_dedup_member(d, 1, &m, &err), DOPPEL_ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "no document 1"));
    ck_assert_int_eq(doppel_dedup_member(d, 0, &m, &err), DOPPEL_OK);
    ck_assert_uint_eq(doppel_dedup_count(d), 1);
    doppel_dedup_free(d);
    /* A failing document in a batch: none of the batch is added. */
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    doppel_doc bad[2] = {doc_of("ok", "fine text", DOPPEL_NO_DATE),
                         {"bad", 3, NULL, 10, DOPPEL_NO_DATE}};
    ck_assert_int_eq(doppel_dedup_add_batch(d, bad, 2, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(err.message, "document 1"));
    ck_assert_uint_eq(doppel_dedup_count(d), 0);
    doppel_dedup_free(d);
}
END_TEST

/* ---------------------------------------------------------- out of memory */

/* A small corpus with duplicates: 70 documents (a batch large enough for
 * two threads), of which 10 are copies. */
static doppel_doc *oom_docs(size_t *n)
{
    *n = 70;
    doppel_doc *docs = calloc(*n, sizeof *docs);
    for (size_t i = 0; i < 60; i++) {
        const tu_doc *w = &wikinews.docs[i + 100];
        docs[i] = doc_of(w->id, w->text, DOPPEL_NO_DATE);
    }
    for (size_t i = 60; i < 70; i++)
        docs[i] = docs[(i - 60) * 6];
    return docs;
}

/* Run create + (batch or single) adds + finish with an allocator that
 * fails after `budget` allocations. Each call that fails must return
 * DOPPEL_ERR_NOMEM; it is then retried with allocation allowed again, so
 * the run always completes. Returns whether any call failed; *out gets
 * the results; nothing may leak. */
static int oom_run(long budget, const doppel_doc *docs, size_t n, int batch,
                   result *out)
{
    tu_failing_alloc fa;
    tu_failing_alloc_init(&fa, budget);
    doppel_dedup_opts o = default_opts();
    o.threads = 2;
    o.allocator = &fa.a;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    int failed = 0, rc;
    while ((rc = doppel_dedup_create(&d, &o, &err)) != DOPPEL_OK) {
        TU_CHECK(rc == DOPPEL_ERR_NOMEM && err.code == rc,
                 "create: rc %d (budget %ld)", rc, budget);
        TU_CHECK(fa.live == 0 && d == NULL, "create leaked (budget %ld)",
                 budget);
        failed = 1;
        fa.budget = -1;
    }
    size_t step = batch ? n : 1;
    for (size_t i = 0; i < n; i += step) {
        size_t before = doppel_dedup_count(d);
        while ((rc = doppel_dedup_add_batch(d, docs + i, step, &err)) !=
               DOPPEL_OK) {
            TU_CHECK(rc == DOPPEL_ERR_NOMEM, "add: rc %d (budget %ld)", rc,
                     budget);
            TU_CHECK(doppel_dedup_count(d) == before, "add failed but "
                     "counted (budget %ld)", budget);
            failed = 1;
            fa.budget = -1;
        }
    }
    while ((rc = doppel_dedup_finish(d, &err)) != DOPPEL_OK) {
        TU_CHECK(rc == DOPPEL_ERR_NOMEM, "finish: rc %d (budget %ld)", rc,
                 budget);
        failed = 1;
        fa.budget = -1;
    }
    /* The pairs array is made on first use: that may fail too. */
    const doppel_pair *pp;
    size_t pn;
    while ((rc = doppel_dedup_pairs(d, &pp, &pn, &err)) != DOPPEL_OK) {
        TU_CHECK(rc == DOPPEL_ERR_NOMEM, "pairs: rc %d (budget %ld)", rc,
                 budget);
        failed = 1;
        fa.budget = -1;
    }
    *out = collect(d);
    doppel_dedup_free(d);
    TU_CHECK(fa.live == 0, "%ld allocations leaked (budget %ld)", fa.live,
             budget);
    return failed;
}

START_TEST(test_out_of_memory_everywhere)
{
    size_t n;
    doppel_doc *docs = oom_docs(&n);
    for (int batch = 0; batch < 2; batch++) {
        result ref;
        ck_assert_int_eq(oom_run(-1, docs, n, batch, &ref), 0);
        ck_assert_uint_eq(ref.npairs, 10);
        long budget = 0;
        for (;; budget++) {
            result r;
            int failed = oom_run(budget, docs, n, batch, &r);
            assert_same_results(&ref, &r);
            result_free(&r);
            if (!failed)
                break;
            ck_assert_int_lt(budget, 100000);
        }
        fprintf(stderr, "dedup: %s: every one of %ld allocations failed in "
                "turn\n", batch ? "one batch on 2 threads" : "one at a time",
                budget);
        ck_assert_int_gt(budget, 10);
        result_free(&ref);
    }
    free(docs);
}
END_TEST

Suite *suite_dedup(void)
{
    Suite *s = suite_create("dedup");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_unchecked_fixture(tc, load_corpus, free_corpus);
    tcase_add_test(tc, test_unrelated_never_merge);
    tcase_add_test(tc, test_identical_always_merge);
    tcase_add_test(tc, test_earliest_date_represents);
    tcase_add_test(tc, test_threads_give_identical_results);
    tcase_add_test(tc, test_empty_documents_are_singletons);
    tcase_add_test(tc, test_add_signature_equals_add_text);
    tcase_add_test(tc, test_state_errors);
    tcase_add_test(tc, test_out_of_memory_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
