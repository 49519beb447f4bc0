/*
 * cluster.c — clusters are the connected components of the graph of
 * verified pairs, found with union-find (Tarjan; path halving and union by
 * size keep every operation near-constant). Each cluster then gets one
 * representative: the earliest-dated member when dates exist, otherwise
 * the first one seen, so that output does not depend on the order pairs
 * were verified in.
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

int doppel__cluster_representatives(doppel__uf *u, const int64_t *dates,
                                     uint32_t *rep, uint32_t *size_out,
                                     const doppel_allocator *a)
{
    size_t n = u->n;
    /* best[root] = best member seen so far; UINT32_MAX = none yet. */
    uint32_t *best = doppel__malloc_array(a, n ? n : 1, sizeof(uint32_t));
    if (!best)
        return DOPPEL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        best[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = doppel__uf_find(u, (uint32_t)i);
        uint32_t b = best[r];
        if (b == UINT32_MAX) {
            best[r] = (uint32_t)i;
            continue;
        }
        /* i > b, so i wins only with a strictly better date. */
        int64_t di = dates ? dates[i] : DOPPEL_NO_DATE;
        int64_t db = dates ? dates[b] : DOPPEL_NO_DATE;
        if (di != DOPPEL_NO_DATE && (db == DOPPEL_NO_DATE || di < db))
            best[r] = (uint32_t)i;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t r = doppel__uf_find(u, (uint32_t)i);
        rep[i] = best[r];
        size_out[i] = u->size[r];
    }
    doppel__free(a, best);
    return DOPPEL_OK;
}
