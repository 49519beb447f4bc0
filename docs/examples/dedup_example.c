/*
 * dedup_example.c — doppel's public API in one page.
 *
 *  1. Sketch two texts (an article and an edited copy) and compare them:
 *     the verdict and the evidence behind it.
 *  2. Deduplicate a few articles and print the clusters.
 *
 * Build it against an installed doppel, either way:
 *   cmake -S docs/examples -B ex && cmake --build ex && ex/dedup_example
 *   cc dedup_example.c $(pkg-config --cflags --libs doppel) -o dedup_example
 * Prints to stdout; exits 1 if a doppel call fails.
 */
#include <doppel.h>

#include <stdio.h>
#include <string.h>

static const char ORIGINAL[] =
    "The city council of Riverton voted on Tuesday to spend 12 million "
    "dollars on the repair of roads and bridges in the north of the city.\n\n"
    "Mayor Anna Lindqvist said that the work would begin in March and that "
    "it would last for two years. The main bridge over the river, which was "
    "built in 1931, will be closed for six months while it is repaired.\n\n"
    "The opposition said that the plan was too expensive and that the money "
    "should have gone to the schools of the city. A final vote on the plan "
    "is expected at the next meeting of the council in February.";

/* The same story as another site ran it: a few words changed, a sentence
 * dropped, the site's name added. */
static const char COPY[] =
    "Riverton Daily\n\n"
    "The city council of Riverton voted on Tuesday to spend 12 million "
    "dollars on the repair of streets and bridges in the north of the city.\n\n"
    "Mayor Anna Lindqvist said that the work would start in March and that "
    "it would last for two years. The main bridge over the river, which was "
    "built in 1931, will be closed for six months while it is repaired.\n\n"
    "The opposition said that the plan was too expensive and that the money "
    "should have gone to the schools of the city.";

static const char OTHER[] =
    "Heavy snow closed the mountain pass on Sunday, and the police asked "
    "drivers to stay at home until the roads had been cleared. More than "
    "200 cars were stuck on the pass for most of the night.\n\n"
    "The weather service said that the snow would stop by Monday morning, "
    "but that strong winds would make the roads in the area dangerous for "
    "the rest of the week. Schools in three villages will stay closed.";

static int fail(const char *what, const doppel_error *err)
{
    fprintf(stderr, "dedup_example: %s: %s\n", what, err->message);
    return 1;
}

int main(void)
{
    doppel_error err = {0, {0}};
    printf("doppel %s\n\n", doppel_version());

    /* 1. Two signatures and the evidence of a comparison. */
    doppel_params params = DOPPEL_PARAMS_INIT; /* the defaults */
    doppel_sketcher *sk = NULL;
    if (doppel_sketcher_create(&sk, &params, NULL, &err) != DOPPEL_OK)
        return fail("sketcher", &err);
    doppel_signature *a = NULL, *b = NULL;
    if (doppel_sketch(sk, ORIGINAL, strlen(ORIGINAL), &a, &err) != DOPPEL_OK ||
        doppel_sketch(sk, COPY, strlen(COPY), &b, &err) != DOPPEL_OK)
        return fail("sketch", &err);
    doppel_match m;
    if (doppel_signature_compare(a, b, NULL, &m, &err) != DOPPEL_OK)
        return fail("compare", &err);
    printf("original vs copy: %s\n", m.duplicate ? "duplicate" : "different");
    printf("  jaccard      %.3f\n", m.jaccard);
    printf("  containment  %.3f\n", m.containment);
    if (m.entities >= 0)
        printf("  names        %.3f\n", m.entities);
    printf("  spread       %s / %s\n", m.spread_a ? "yes" : "no",
           m.spread_b ? "yes" : "no");
    printf("  reason       %s\n\n", m.reason);
    doppel_signature_free(a);
    doppel_signature_free(b);
    doppel_sketcher_free(sk);

    /* 2. Deduplicate a batch: add documents, finish, read the clusters. */
    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    doppel_dedup *d = NULL;
    if (doppel_dedup_create(&d, &opts, &err) != DOPPEL_OK)
        return fail("dedup", &err);
    const doppel_doc docs[] = {
        {"riverton-daily", 14, COPY, strlen(COPY), 1706140800},
        {"council-news", 12, ORIGINAL, strlen(ORIGINAL), 1706054400},
        {"snow", 4, OTHER, strlen(OTHER), 1706227200},
        {"council-repost", 14, ORIGINAL, strlen(ORIGINAL), DOPPEL_NO_DATE},
    };
    size_t n = sizeof docs / sizeof docs[0];
    if (doppel_dedup_add_batch(d, docs, n, &err) != DOPPEL_OK ||
        doppel_dedup_finish(d, &err) != DOPPEL_OK)
        return fail("dedup", &err);
    printf("id\tcluster\tsimilarity\n");
    for (size_t i = 0; i < n; i++) {
        doppel_member mb, rep;
        if (doppel_dedup_member(d, i, &mb, &err) != DOPPEL_OK ||
            doppel_dedup_member(d, mb.representative, &rep, &err) !=
                DOPPEL_OK)
            return fail("member", &err);
        printf("%.*s\t%.*s\t%.4f\n", (int)mb.id_len, mb.id, (int)rep.id_len,
               rep.id, mb.similarity);
    }
    doppel_dedup_stats st;
    if (doppel_dedup_stats_get(d, &st, &err) != DOPPEL_OK)
        return fail("stats", &err);
    printf("\n%zu documents, %zu clusters, %zu duplicates\n", st.documents,
           st.clusters, st.duplicates);
    doppel_dedup_free(d);
    return 0;
}
