/*
 * cluster.c — clusters are the connected components of the graph of
 * verified pairs, found with union-find (Tarjan; path halving and union by
 * size keep every operation near-constant). Each cluster then gets one
 * representative, the member most likely to be the original: the earliest
 * when dates exist, otherwise the one whose wording is least unusual and
 * which is most central among the others (cluster.h says why). The choice
 * depends only on the members, never on the order pairs were verified in.
 */
#include "cluster.h"

#include <string.h>

int doppel__uf_init(doppel__uf *u, size_t n, const doppel_allocator *a)
{
    u->n = n;
    u->parent = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    u->size = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    if (!u->parent || !u->size) {
        doppel__uf_free(u, a);
        return DOPPEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        u->parent[i] = (uint32_t)i;
        u->size[i] = 1;
    }
    return DOPPEL_OK;
}

void doppel__uf_free(doppel__uf *u, const doppel_allocator *a)
{
    doppel__free(a, u->parent);
    doppel__free(a, u->size);
    u->parent = u->size = NULL;
    u->n = 0;
}

uint32_t doppel__uf_find(doppel__uf *u, uint32_t x)
{
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

int doppel__uf_union(doppel__uf *u, uint32_t x, uint32_t y)
{
    x = doppel__uf_find(u, x);
    y = doppel__uf_find(u, y);
    if (x == y)
        return 0;
    if (u->size[x] < u->size[y]) {
        uint32_t t = x;
        x = y;
        y = t;
    }
    u->parent[y] = x;
    u->size[x] += u->size[y];
    return 1;
}

/* Is member x a better representative than y? (dated clusters) */
static int earlier(uint32_t x, uint32_t y, const int64_t *dates,
                   const float *rarity)
{
    int64_t dx = dates[x], dy = dates[y];
    if (dx != DOPPEL_NO_DATE && (dy == DOPPEL_NO_DATE || dx < dy))
        return 1;
    if (dx != dy)
        return 0;
    if (rarity && rarity[x] != rarity[y])
        return rarity[x] < rarity[y];
    return x < y;
}

/* Mean similarity of x to (up to DOPPEL__REP_SAMPLE of) the others. */
static double centrality(uint32_t x, const uint32_t *m, size_t k,
                         doppel__sim_fn sim, const void *ctx)
{
    double sum = 0.0;
    size_t cnt = 0;
    for (size_t i = 0; i < k && cnt < DOPPEL__REP_SAMPLE; i++) {
        if (m[i] == x)
            continue;
        sum += sim(ctx, x, m[i]);
        cnt++;
    }
    return cnt ? sum / (double)cnt : 0.0;
}

uint32_t doppel__cluster_choose(const uint32_t *m, size_t k,
                                const int64_t *dates, const float *rarity,
                                doppel__sim_fn sim, doppel__sim_fn lede_sim,
                                const void *ctx)
{
    uint32_t best = m[0];
    int dated = 0;
    if (dates)
        for (size_t i = 0; i < k && !dated; i++)
            dated = dates[m[i]] != DOPPEL_NO_DATE;
    if (dated) {
        for (size_t i = 1; i < k; i++)
            if (earlier(m[i], best, dates, rarity))
                best = m[i];
        return best;
    }
    if (!rarity)
        return best;
    float rmin = rarity[m[0]];
    for (size_t i = 1; i < k; i++)
        if (rarity[m[i]] < rmin)
            rmin = rarity[m[i]];
    /* Candidates: the (up to 16) least rare members within the margin. */
    uint32_t cand[DOPPEL__REP_CANDIDATES];
    size_t nc = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t x = m[i];
        if (rarity[x] > rmin + DOPPEL__RARITY_MARGIN)
            continue;
        if (nc < DOPPEL__REP_CANDIDATES) {
            cand[nc++] = x;
            continue;
        }
        size_t worst = 0;
        for (size_t c = 1; c < nc; c++)
            if (rarity[cand[c]] > rarity[cand[worst]])
                worst = c;
        if (rarity[x] < rarity[cand[worst]])
            cand[worst] = x;
    }
    if (nc == 0) /* cannot happen: the least rare member is a candidate */
        return best;
    /* m0: the least rare member (lowest number on ties). */
    uint32_t m0 = cand[0];
    for (size_t c = 1; c < nc; c++)
        if (rarity[cand[c]] < rarity[m0] ||
            (rarity[cand[c]] == rarity[m0] && cand[c] < m0))
            m0 = cand[c];
    /* Same words, same rarity: the opening that agrees with the others. */
    if (lede_sim) {
        double best_lede = -1.0;
        uint32_t pick = m0;
        int ties = 0;
        for (size_t c = 0; c < nc; c++) {
            uint32_t x = cand[c];
            float d = rarity[x] - rarity[m0];
            if (d > 1e-4f || d < -1e-4f)
                continue;
            ties++;
            double l = centrality(x, m, k, lede_sim, ctx);
            if (l > best_lede || (l == best_lede && x < pick)) {
                best_lede = l;
                pick = x;
            }
        }
        if (ties > 1)
            m0 = pick;
    }
    if (nc == 1 || !sim)
        return m0;
    double cen0 = 0.0, best_cen = -1.0;
    best = m0;
    for (size_t c = 0; c < nc; c++) {
        uint32_t x = cand[c];
        double cen = centrality(x, m, k, sim, ctx);
        if (x == m0)
            cen0 = cen;
        if (cen > best_cen ||
            (cen == best_cen &&
             (rarity[x] < rarity[best] ||
              (rarity[x] == rarity[best] && x < best)))) {
            best_cen = cen;
            best = x;
        }
    }
    return best_cen - cen0 > DOPPEL__CENTRALITY_GAIN ? best : m0;
}

int doppel__cluster_representatives(doppel__uf *u, const int64_t *dates,
                                     const float *rarity, doppel__sim_fn sim,
                                     doppel__sim_fn lede_sim, const void *ctx,
                                     uint32_t *rep, uint32_t *size_out,
                                     const doppel_allocator *a)
{
    size_t n = u->n;
    if (n == 0)
        return DOPPEL_OK;
    /* Members grouped by root (counting sort), ascending within a group. */
    uint32_t *root = doppel__malloc_array(a, n, sizeof(uint32_t));
    uint32_t *start = doppel__calloc_array(a, n + 1, sizeof(uint32_t));
    uint32_t *order = doppel__malloc_array(a, n, sizeof(uint32_t));
    if (!root || !start || !order) {
        doppel__free(a, root);
        doppel__free(a, start);
        doppel__free(a, order);
        return DOPPEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        root[i] = doppel__uf_find(u, (uint32_t)i);
        start[root[i] + 1]++;
    }
    for (size_t r = 0; r < n; r++)
        start[r + 1] += start[r];
    /* start[r] is now where group r begins; fill with a moving cursor in
     * rep[] (used as scratch, overwritten below). */
    for (size_t r = 0; r < n; r++)
        rep[r] = start[r];
    for (size_t i = 0; i < n; i++)
        order[rep[root[i]]++] = (uint32_t)i;
    for (size_t r = 0; r < n; r++) {
        size_t k = start[r + 1] - start[r];
        if (k == 0)
            continue;
        const uint32_t *m = order + start[r];
        uint32_t best = k == 1 ? m[0]
                               : doppel__cluster_choose(m, k, dates, rarity,
                                                        sim, lede_sim, ctx);
        for (size_t i = 0; i < k; i++) {
            rep[m[i]] = best;
            size_out[m[i]] = (uint32_t)k;
        }
    }
    doppel__free(a, root);
    doppel__free(a, start);
    doppel__free(a, order);
    return DOPPEL_OK;
}
