/*
 * check_seed.c — the case the project started from, through the public API
 * only (doppel.h; testutil reads files with doppel_reader):
 *
 *   corpus/seeds/000_313297e1fbb6b8c3.txt           a real spun article
 *   corpus/seeds/000_313297e1fbb6b8c3.restored.txt  its restored original
 *   corpus/seeds/001_abee573b57598475.txt           another article on the
 *                                                   same story (LBC), with
 *                                                   the site's footer
 *
 * With default parameters, among the 293 Wikinews articles (so that the
 * result is not an artefact of a tiny input), the spun copy and its
 * original form one cluster represented by the original, and the LBC
 * article stays apart — whatever the order of the documents.
 */
#include "suites.h"

#include "doppel.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPUN "000_313297e1fbb6b8c3.txt"
#define RESTORED "000_313297e1fbb6b8c3.restored.txt"
#define LBC "001_abee573b57598475.txt"

static tu_corpus wikinews, seeds;

static void load(void)
{
    char path[4096];
    tu_corpus_load(&wikinews,
                   tu_source_path(path, sizeof path, "corpus/wikinews.jsonl"),
                   NULL);
    tu_corpus_load(&seeds, tu_source_path(path, sizeof path, "corpus/seeds"),
                   NULL);
    ck_assert_uint_eq(wikinews.n, 293);
    ck_assert_uint_eq(seeds.n, 3);
}

static void unload(void)
{
    tu_corpus_free(&wikinews);
    tu_corpus_free(&seeds);
}

static doppel_doc doc(const tu_doc *d)
{
    doppel_doc x = {d->id, strlen(d->id), d->text, d->text_len, d->date};
    return x;
}

/* Dedup the Wikinews articles and the seeds, the seeds first or last;
 * check the seed case. */
static void check_order(int seeds_first)
{
    size_t n = wikinews.n + seeds.n, k = 0;
    doppel_doc *docs = calloc(n, sizeof *docs);
    if (seeds_first)
        for (size_t i = 0; i < seeds.n; i++)
            docs[k++] = doc(&seeds.docs[i]);
    for (size_t i = 0; i < wikinews.n; i++)
        docs[k++] = doc(&wikinews.docs[i]);
    if (!seeds_first)
        for (size_t i = 0; i < seeds.n; i++)
            docs[k++] = doc(&seeds.docs[i]);

    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_OK);
    ck_assert_msg(doppel_dedup_add_batch(d, docs, n, &err) == DOPPEL_OK, "%s",
                  err.message);
    ck_assert_int_eq(doppel_dedup_finish(d, &err), DOPPEL_OK);

    size_t spun = n, restored = n, lbc = n;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(docs[i].id, SPUN) == 0)
            spun = i;
        else if (strcmp(docs[i].id, RESTORED) == 0)
            restored = i;
        else if (strcmp(docs[i].id, LBC) == 0)
            lbc = i;
    }
    ck_assert(spun < n && restored < n && lbc < n);
    doppel_member ms, mr, ml;
    ck_assert_int_eq(doppel_dedup_member(d, spun, &ms, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_member(d, restored, &mr, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_member(d, lbc, &ml, NULL), DOPPEL_OK);
    fprintf(stderr,
            "seed (seeds %s): spun -> %.*s (similarity %.3f, cluster of "
            "%zu); LBC -> %.*s (cluster of %zu)\n",
            seeds_first ? "first" : "last",
            (int)docs[ms.representative].id_len, docs[ms.representative].id,
            ms.similarity, ms.cluster_size,
            (int)docs[ml.representative].id_len, docs[ml.representative].id,
            ml.cluster_size);
    ck_assert_msg(ms.representative == restored,
                  "the spun article is represented by %s, not its original",
                  docs[ms.representative].id);
    ck_assert_uint_eq(mr.representative, restored);
    ck_assert_uint_eq(ms.cluster_size, 2);
    ck_assert_uint_eq(ml.representative, lbc);
    ck_assert_uint_eq(ml.cluster_size, 1);
    /* And nothing else merged. */
    doppel_dedup_stats st;
    ck_assert_int_eq(doppel_dedup_stats_get(d, &st, NULL), DOPPEL_OK);
    ck_assert_uint_eq(st.clusters, n - 1);
    ck_assert_uint_eq(st.duplicates, 1);
    doppel_dedup_free(d);
    free(docs);
}

START_TEST(test_seed_case_in_wikinews)
{
    check_order(0);
    check_order(1);
}
END_TEST

/* The same verdicts pair by pair, with the evidence printed. */
START_TEST(test_seed_pairs)
{
    const tu_doc *s = tu_corpus_find(&seeds, SPUN),
                 *r = tu_corpus_find(&seeds, RESTORED),
                 *l = tu_corpus_find(&seeds, LBC);
    ck_assert(s && r && l);
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    doppel_signature *ss, *sr, *sl;
    ck_assert_int_eq(doppel_sketch(sk, s->text, s->text_len, &ss, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(sk, r->text, r->text_len, &sr, NULL),
                     DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(sk, l->text, l->text_len, &sl, NULL),
                     DOPPEL_OK);
    const struct {
        const char *what;
        doppel_signature *a, *b;
        int duplicate;
    } cases[] = {{"spun vs restored", ss, sr, 1},
                 {"restored vs LBC", sr, sl, 0},
                 {"spun vs LBC", ss, sl, 0}};
    for (size_t i = 0; i < 3; i++) {
        doppel_match m;
        ck_assert_int_eq(
            doppel_signature_compare(cases[i].a, cases[i].b, NULL, &m, NULL),
            DOPPEL_OK);
        fprintf(stderr,
                "seed %s: jaccard %.3f containment %.3f entities %.3f "
                "spread %d/%d -> %s (%s)\n",
                cases[i].what, m.jaccard, m.containment, m.entities,
                m.spread_a, m.spread_b, m.duplicate ? "duplicate" : "apart",
                m.reason);
        ck_assert_msg(m.duplicate == cases[i].duplicate, "%s: %s",
                      cases[i].what, m.reason);
    }
    /* The original reads as less unusual than its spun copy. */
    ck_assert_double_lt(doppel_signature_rarity(sr),
                        doppel_signature_rarity(ss));
    doppel_signature_free(ss);
    doppel_signature_free(sr);
    doppel_signature_free(sl);
    doppel_sketcher_free(sk);
}
END_TEST

Suite *suite_seed(void)
{
    Suite *s = suite_create("seed");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, load, unload);
    tcase_add_test(tc, test_seed_case_in_wikinews);
    tcase_add_test(tc, test_seed_pairs);
    suite_add_tcase(s, tc);
    return s;
}
