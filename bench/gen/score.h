/*
 * score.h — scoring a clustering against the benchmark's truth.
 *
 * Inputs (tab-separated, one line per document, no header needed; a first
 * line whose first field is "id" is taken as a header):
 *   truth.tsv   id  cluster
 *   meta.tsv    id  kind  param  source_id  group  is_original
 *   prediction  id  cluster_id  similarity   (doppel's clusters format;
 *               cluster_id is the id of the cluster's representative)
 *
 * Metrics:
 *   pairwise precision / recall / F1 over document pairs, from the
 *   contingency table of (predicted, true) cluster pairs in O(n) — a pair is
 *   predicted when both documents share a cluster_id;
 *   Adjusted Rand Index (Hubert & Arabie 1985);
 *   recall per edit kind and per spin rate: a copy (a document with a
 *   source_id, other than a partial copy) is found when it is in the same
 *   predicted cluster as its source;
 *   false merges by cause, as pairs predicted together but apart in truth,
 *   in this order of precedence: both pages of one site (group "site:...",
 *   boilerplate), both templated, a partial copy with a member of its
 *   donor's true cluster, other;
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

/** Read and parse the three files. */
int bg_score_load(bg_score_data **out, const char *truth_path,
                  const char *meta_path, const char *pred_path,
                  doppel_error *err);

void bg_score_data_free(bg_score_data *d);

/** Found/total for one edit kind or one spin rate. */
typedef struct bg_score_recall {
    char name[64];
    size_t found, total;
} bg_score_recall;

typedef struct bg_score_result {
    size_t documents, true_clusters, pred_clusters;
    uint64_t true_pairs, pred_pairs, tp_pairs;
    double precision, recall, f1, ari;
    bg_score_recall *kinds; /**< sorted by name */
    size_t nkinds;
    bg_score_recall *spin_rates; /**< sorted by rate */
    size_t nspin_rates;
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
