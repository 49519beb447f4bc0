/*
 * score.h — scoring a clustering against the benchmark's truth.
 *
 * Inputs (tab-separated, one line per document, no header needed; a first
 * line whose first field is "id" is taken as a header):
 *   truth.tsv   id  cluster
 *   meta.tsv    id  kind  param  source_id  group  is_original
 *   prediction  id  cluster_id  similarity   (doppel's clusters format;
 *               cluster_id is the id of the cluster's representative)
 *   ambiguous   id_a  id_b  [anything...]   (optional: pairs of documents,
 *               in practice two originals, whose stories are close versions
 *               of one another; a first line "id_a ..." is a header)
 *
 * Ambiguous pairs: a pair (a, b) puts the two true clusters of a and b in
 * an ambiguous relation, and every pair of documents with one in each of
 * them (the originals, their copies, their real near-duplicates) is left
 * out of every pairwise count: neither a true nor a false pair, whether
 * predicted together or not. The rule is lifted from the two articles to
 * their clusters because a clustering is a partition: a detector that puts
 * b with a's updated version a' (J(a', b) >= 0.3) has put it with a too.
 * A pair whose two documents share a true cluster excludes nothing.
 *
 * Metrics:
 *   pairwise precision / recall / F1 over document pairs, from the
 *   contingency table of (predicted, true) cluster pairs in O(n) — a pair is
 *   predicted when both documents share a cluster_id — less the excluded
 *   ambiguous pairs;
 *   Adjusted Rand Index (Hubert & Arabie 1985) over the pairs not excluded;
 *   recall per edit kind, per spin rate, and per spin rate and spinner (a
 *   spin copy's param is "RATE,SPINNER", or just "RATE"): a copy (a document
 *   with a source_id, other than a partial copy) is found when it is in the
 *   same predicted cluster as its source;
 *   false merges by cause, as pairs predicted together but apart in truth
 *   and not excluded as ambiguous, in this order of precedence: both pages
 *   of one site (group "site:...", boilerplate), both templated, a partial
 *   copy with a member of its donor's true cluster, other;
 *   the largest predicted and true clusters;
 *   over true clusters with spun copies (kind spin, or combo whose param
 *   mentions spin), the fraction where the representative most of the spun
 *   copies were given is an original (is_original = 1) of that cluster; and
 *   the same over the clusters where at least one spun copy was found (a
 *   spun copy that was not found is its own representative).
 */
#ifndef BG_SCORE_H
#define BG_SCORE_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bg_score_data bg_score_data;

/** Parse the three files from memory; names are used in error messages
 *  ("truth.tsv:12: expected 2 tab-separated fields, got 3"). Malformed
 *  input gives DOPPEL_ERR_FORMAT. */
int bg_score_parse(bg_score_data **out, const char *truth, size_t truth_len,
                   const char *truth_name, const char *meta, size_t meta_len,
                   const char *meta_name, const char *pred, size_t pred_len,
                   const char *pred_name, doppel_error *err);

/** Add the ambiguous pairs (see above) from memory. Unknown ids and lines
 *  with fewer than 2 fields give DOPPEL_ERR_FORMAT with file:line. */
int bg_score_parse_ambiguous(bg_score_data *d, const char *text, size_t len,
                             const char *name, doppel_error *err);

/** Read and parse the three files, and the ambiguous pairs when
 *  ambiguous_path is not NULL. */
int bg_score_load(bg_score_data **out, const char *truth_path,
                  const char *meta_path, const char *pred_path,
                  const char *ambiguous_path, doppel_error *err);

void bg_score_data_free(bg_score_data *d);

/** Found/total for one edit kind, one spin rate, or one spin rate and
 *  spinner (spinner is "" otherwise). */
typedef struct bg_score_recall {
    char name[64];
    char spinner[32];
    size_t found, total;
} bg_score_recall;

typedef struct bg_score_result {
    size_t documents, true_clusters, pred_clusters;
    uint64_t true_pairs, pred_pairs, tp_pairs; /**< excluded pairs left out */
    double precision, recall, f1, ari;
    /** ambiguous pairs given, the distinct pairs of true clusters they
     *  relate, the document pairs left out of every count, and how many of
     *  those were predicted together */
    size_t ambiguous_given, ambiguous_cluster_pairs;
    uint64_t excluded_pairs, excluded_pred_pairs;
    bg_score_recall *kinds; /**< sorted by name */
    size_t nkinds;
    bg_score_recall *spin_rates; /**< sorted by rate (all spinners) */
    size_t nspin_rates;
    bg_score_recall *spin_by; /**< per rate and spinner, by rate, spinner */
    size_t nspin_by;
    bg_score_recall *spinners; /**< per spinner over all rates, by name */
    size_t nspinners;
    uint64_t fm_total, fm_boilerplate, fm_templated, fm_partial, fm_other;
    size_t partials, partials_with_donor; /**< partial copies; merged with donor */
    size_t largest_pred, largest_true;
    char largest_pred_group[96]; /**< commonest group (or kind) in it */
    size_t largest_pred_group_count;
    size_t spun_clusters, spun_rep_original;
    /** the same over true clusters where some spun copy was found (put
     *  with its source), which separates choosing from finding */
    size_t spun_found_clusters, spun_found_rep_original;
} bg_score_result;

/** Compute every metric. 0 or DOPPEL_ERR_NOMEM. */
int bg_score_compute(const bg_score_data *d, bg_score_result *r,
                     doppel_error *err);
void bg_score_result_free(bg_score_result *r);

/** Human-readable report / "metric<TAB>value" lines. */
void bg_score_print_table(FILE *f, const bg_score_result *r);
void bg_score_print_tsv(FILE *f, const bg_score_result *r);

#endif
