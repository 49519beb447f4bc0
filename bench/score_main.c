/*
 * score_main.c — doppel-score: score a clustering (doppel's clusters output)
 * against the benchmark's truth.tsv and meta.tsv. The metrics are described
 * in gen/score.h; this file only handles the command line. Exit status: 0 on
 * success, 2 on malformed input or bad usage (the message names file:line),
 * 1 on other errors.
 */
#include "gen/score.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs(
"usage: doppel-score [--format table|tsv] [--ambiguous AMBIGUOUS.tsv]\n"
"                    TRUTH.tsv META.tsv PREDICTION.tsv\n"
"\n"
"Score a predicted clustering against the benchmark's truth.\n"
"  TRUTH.tsv       id<TAB>cluster, from doppel-gen\n"
"  META.tsv        id<TAB>kind<TAB>param<TAB>source_id<TAB>group<TAB>is_original\n"
"  PREDICTION.tsv  id<TAB>cluster_id<TAB>similarity, one line per document\n"
"                  (doppel dedup --output clusters); cluster_id is the id of\n"
"                  the cluster's representative\n"
"\n"
"Reports pairwise precision/recall/F1, the Adjusted Rand Index, recall per\n"
"edit kind, per spin rate and per spin rate and spinner, false merges by\n"
"cause (site boilerplate, templated stories, partial copy with its donor,\n"
"other), the largest clusters, and how often a spun cluster's\n"
"representative is its original.\n"
"  --format table  human-readable report (default)\n"
"  --format tsv    metric<TAB>value lines\n"
"  --ambiguous F   id_a<TAB>id_b[<TAB>...] pairs from doppel-gen's\n"
"                  ambiguous.tsv: every pair of documents between the two\n"
"                  true clusters is left out of every pairwise count\n"
"Exit status 2 on malformed input, with file:line.\n",
        f);
}

int main(int argc, char **argv)
{
    const char *paths[3], *ambiguous = NULL;
    int npaths = 0, tsv = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "tsv") == 0)
                tsv = 1;
            else if (strcmp(argv[i], "table") == 0)
                tsv = 0;
            else {
                fprintf(stderr, "doppel-score: --format must be table or tsv, "
                                "got '%s'\n", argv[i]);
                return 2;
            }
            continue;
        }
        if (strcmp(argv[i], "--ambiguous") == 0 && i + 1 < argc) {
            ambiguous = argv[++i];
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "doppel-score: unknown option %s (see --help)\n",
                    argv[i]);
            return 2;
        }
        if (npaths == 3) {
            usage(stderr);
            return 2;
        }
        paths[npaths++] = argv[i];
    }
    if (npaths != 3) {
        usage(stderr);
        return 2;
    }
    doppel_error err = {0};
    bg_score_data *d = NULL;
    int rc = bg_score_load(&d, paths[0], paths[1], paths[2], ambiguous, &err);
    if (rc < 0) {
        fprintf(stderr, "doppel-score: %s\n", err.message);
        return rc == DOPPEL_ERR_FORMAT ? 2 : 1;
    }
    bg_score_result r;
    rc = bg_score_compute(d, &r, &err);
    bg_score_data_free(d);
    if (rc < 0) {
        fprintf(stderr, "doppel-score: %s\n", err.message);
        return 1;
    }
    if (tsv)
        bg_score_print_tsv(stdout, &r);
    else
        bg_score_print_table(stdout, &r);
    bg_score_result_free(&r);
    return fflush(stdout) == 0 ? 0 : 1;
}
