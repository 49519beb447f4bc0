/*
 * lsh_params.c — the LSH S-curve and the choice of bands and rows.
 *
 * With b bands of r rows, a pair whose Jaccard similarity is s shares at
 * least one band (becomes a candidate) with probability
 *     P(s) = 1 - (1 - s^r)^b.
 * Given a threshold t, the false-positive area is the integral of P over
 * [0, t] and the false-negative area the integral of 1 - P over [t, 1];
 * (b, r) is chosen, over all b * r <= K, to minimise their weighted sum —
 * the criterion datasketch's MinHashLSH uses, integrated here with
 * composite Simpson's rule instead of scipy's quad.
 *
 * Integrating at 257 points for each of the ~700 (b, r) of K = 128 cost
 * 100 million instructions (pow() twice per point) every time a dedup
 * was created. Most (b, r) are nowhere near the best, and P(s) is
 * increasing in s, so a lower bound of the weighted error is cheap: in a
 * run of points the integrand is at least its value at the run's end
 * where it is smallest. A (b, r) whose bound (from 5, then 17 points)
 * already exceeds the best error found so far cannot become the best (the
 * loop keeps the first strict minimum), so it is skipped; the others are
 * integrated exactly as before. The answer is the same (b, r) —
 * tests/check_lsh.c compares it with the full search on a grid.
 */
#include "common.h"

#include <math.h>

DOPPEL_API double doppel_lsh_probability(double s, unsigned bands,
                                         unsigned rows)
{
    if (s <= 0.0)
        return 0.0;
    if (s >= 1.0)
        return 1.0;
    return 1.0 - pow(1.0 - pow(s, (double)rows), (double)bands);
}

/* Simpson's rule over [lo, hi] with n (even) intervals. */
static double integrate(double lo, double hi, unsigned b, unsigned r,
                        int false_negative)
{
    const int n = 256;
    double h = (hi - lo) / n, sum = 0.0;
    for (int i = 0; i <= n; i++) {
        double p = doppel_lsh_probability(lo + i * h, b, r);
        double f = false_negative ? 1.0 - p : p;
        sum += f * (i == 0 || i == n ? 1.0 : (i % 2 ? 4.0 : 2.0));
    }
    return sum * h / 3.0;
}

/* A lower bound of integrate(lo, hi, b, r, false_negative) computed from
 * the integrand at every `stride`-th point only (stride divides 256): the
 * integrand is monotone (P increases with s, so 1 - P decreases), so on
 * each run of `stride` points it is at least its value at the run's lower
 * end. The points are the very ones integrate() evaluates. */
static double lower_bound(double lo, double hi, unsigned b, unsigned r,
                          int false_negative, int stride)
{
    const int n = 256;
    double h = (hi - lo) / n, sum = 0.0;
    for (int j = 0; j < n; j += stride) {
        /* the run [j, j + stride): its smallest integrand value */
        int at = false_negative ? j + stride : j;
        double p = doppel_lsh_probability(lo + at * h, b, r);
        double f = false_negative ? 1.0 - p : p;
        /* Simpson weights of the run: 1 at 0, then 4, 2, 4, ... */
        double w = 0.0;
        for (int i = j; i < j + stride; i++)
            w += i == 0 ? 1.0 : (i % 2 ? 4.0 : 2.0);
        sum += f * w;
    }
    double p = doppel_lsh_probability(hi, b, r); /* point n, weight 1 */
    sum += false_negative ? 1.0 - p : p;
    return sum * h / 3.0;
}

DOPPEL_API int doppel_lsh_optimal_params(double threshold, unsigned num_perm,
                                         double fp_weight, double fn_weight,
                                         unsigned *bands, unsigned *rows,
                                         doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!bands || !rows, err, DOPPEL_ERR_PARAM,
                           "bands and rows must not be NULL");
    DOPPEL_RETURN_ERROR_IF(!(threshold > 0.0 && threshold <= 1.0), err,
                           DOPPEL_ERR_PARAM,
                           "threshold must be in (0, 1], got %g", threshold);
    DOPPEL_RETURN_ERROR_IF(num_perm < 1 || num_perm > 65536, err,
                           DOPPEL_ERR_PARAM,
                           "num_perm must be in [1, 65536], got %u", num_perm);
    DOPPEL_RETURN_ERROR_IF(!(fp_weight >= 0.0) || !(fn_weight >= 0.0) ||
                               fp_weight + fn_weight <= 0.0,
                           err, DOPPEL_ERR_PARAM,
                           "weights must be >= 0 and not both 0, got "
                           "fp=%g fn=%g",
                           fp_weight, fn_weight);
    double best = INFINITY;
    unsigned best_b = 1, best_r = 1;
    for (unsigned b = 1; b <= num_perm; b++) {
        for (unsigned r = 1; r <= num_perm / b; r++) {
            /* Skip (b, r) whose error is certainly above the best so far
             * (the margin dwarfs any rounding in either sum). */
            if (best < INFINITY) {
                int pruned = 0;
                for (int stride = 64; stride >= 16 && !pruned; stride /= 4) {
                    double lb =
                        fp_weight * lower_bound(0.0, threshold, b, r, 0,
                                                stride) +
                        fn_weight * lower_bound(threshold, 1.0, b, r, 1,
                                                stride);
                    pruned = lb * (1.0 - 1e-9) > best;
                }
                if (pruned)
                    continue;
            }
            double fp = integrate(0.0, threshold, b, r, 0);
            double fn = integrate(threshold, 1.0, b, r, 1);
            double e = fp_weight * fp + fn_weight * fn;
            if (e < best) {
                best = e;
                best_b = b;
                best_r = r;
            }
        }
    }
    *bands = best_b;
    *rows = best_r;
    return DOPPEL_OK;
}
