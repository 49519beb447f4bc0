/*
 * score_impl.h — what the scorer's two files share: the parsed data
 * (score_parse.c reads the files into it, score.c computes the metrics).
 * Labels are interned in string maps; per document the arrays hold ordinals
 * of those maps (NONE when absent).
 */
#ifndef BG_SCORE_IMPL_H
#define BG_SCORE_IMPL_H

#include "score.h"

#include <stdint.h>

#define NONE UINT32_MAX

struct bg_score_data {
    size_t n;
    bg_strmap ids, truth_labels, pred_labels, kinds, params, groups;
    uint32_t *truth, *pred, *rep, *source, *kind, *param, *group;
    unsigned char *is_original;
    uint32_t *amb; /* ambiguous pairs of documents: amb[2k], amb[2k+1] */
    size_t namb, ambcap;
};

#endif
