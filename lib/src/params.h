/*
 * params.h — bounds of doppel_params and helpers to compare and describe a
 * parameter set (used when refusing signatures or files made with others).
 */
#ifndef DOPPEL_PARAMS_H
#define DOPPEL_PARAMS_H

#include "doppel.h"

#include <stdio.h>

/* The containment threshold used when params.containment is 0. */
#define DOPPEL__DEFAULT_CONTAINMENT 0.75

/* LSH weights of the (bands, rows) choice: recall-leaning, because every
 * candidate is verified against the full signature anyway. */
#define DOPPEL__LSH_FP_WEIGHT 0.1
#define DOPPEL__LSH_FN_WEIGHT 0.9

/** 1 if signatures made with a and b are comparable (the fields that change
 *  signature values agree; threshold and bands do not). */
int doppel__params_equal(const doppel_params *a, const doppel_params *b);

/** "word-5, num_perm=128, one-perm, seed=0" into buf. */
int doppel__params_describe(const doppel_params *p, char *buf, size_t cap);

#endif
