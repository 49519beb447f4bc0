/*
 * index_cluster.c — clusters of an index, kept as a batch dedup would
 * compute them.
 *
 * A dedup's clusters are the connected components of its verified pairs,
 * each with one representative chosen by cluster.c from its members. The
 * index stores, per document, the position of its cluster's
 * representative (a "label"; state.c), and a table of the sizes of
 * clusters with two or more members. A commit changes some clusters: a
 * batch's verified pairs join new documents to archived clusters (and
 * archived clusters to each other, through a new document); a removal
 * takes members away. The caller names the representatives whose clusters
 * change and the group each one's members now belong to; this file
 * gathers the live members of every group in one pass over the labels
 * (positions ascend with document numbers, so members come in the order a
 * dedup holds them), chooses each group's representative with
 * doppel__cluster_choose() -- the very function a dedup uses -- and
 * relabels the members.
 *
 * Clusters never split: members a removal leaves behind stay together
 * (they were found to be copies of one story), and choose their
 * representative again among themselves.
 */
#include "cluster.h"
#include "index.h"
#include "minhash.h"

#include <stdlib.h>
#include <string.h>

typedef struct choose_ctx {
    const doppel__regroup *rg;
    const uint32_t *members; /* positions, ascending */
} choose_ctx;

/* What a dedup compares members by: their values, and their ledes. */
static double member_similarity(const void *vctx, uint32_t x, uint32_t y)
{
    const choose_ctx *c = vctx;
    doppel__sketch_cref a = c->rg->sketch(c->rg->ctx, c->members[x]);
    doppel__sketch_cref b = c->rg->sketch(c->rg->ctx, c->members[y]);
    return doppel__minhash_similarity(a.values, b.values, c->rg->K);
}

static double member_lede_similarity(const void *vctx, uint32_t x,
                                     uint32_t y)
{
    const choose_ctx *c = vctx;
    doppel__sketch_cref a = c->rg->sketch(c->rg->ctx, c->members[x]);
    doppel__sketch_cref b = c->rg->sketch(c->rg->ctx, c->members[y]);
    return doppel__minhash_similarity(a.lede, b.lede, DOPPEL__LEDE_BINS);
}

/* Index of rep in the ascending touched list (it is there). */
static uint32_t touched_index(const doppel__regroup *rg, uint32_t rep)
{
    size_t lo = 0, hi = rg->nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rg->touched[mid] < rep)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static int cmp_pair(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int doppel__index_regroup(const doppel__regroup *rg, uint32_t **labels_out,
                          uint32_t **sizes_out, uint32_t *C_out,
                          const doppel_allocator *a, doppel_error *err)
{
    uint32_t P0 = rg->P_old, P1 = rg->P_new, G = rg->ngroups;
    uint32_t *labels = doppel__malloc_array(a, P1 ? P1 : 1, sizeof *labels);
    uint64_t *mark = doppel__calloc_array(a, doppel__bit_words(P0) + 1, 8);
    uint32_t *start = doppel__calloc_array(a, (size_t)G + 1, sizeof *start);
    uint32_t *members = NULL, *local = NULL, *sizes = NULL;
    int64_t *dates = NULL;
    float *rarity = NULL;
    int rc = DOPPEL_OK;
    if (!labels || !mark || !start)
        goto nomem;
    if (P0)
        memcpy(labels, rg->labels, (size_t)P0 * sizeof *labels);
    for (uint32_t p = P0; p < P1; p++)
        labels[p] = p;
    for (uint32_t j = 0; j < rg->nt; j++)
        doppel__bit_set(mark, rg->touched[j]);

    /* Count, then place, the members of each group in position order. */
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t p = 0; p < P1; p++) {
            uint32_t g;
            if (p >= P0) {
                g = rg->batch_group[p - P0];
            } else {
                uint32_t l = rg->labels[p];
                if (doppel__bit(rg->deleted, p) || !doppel__bit(mark, l))
                    continue;
                g = rg->touched_group[touched_index(rg, l)];
            }
            if (pass == 0)
                start[g + 1]++;
            else
                members[start[g]++] = p;
        }
        if (pass == 0) {
            for (uint32_t g = 0; g < G; g++)
                start[g + 1] += start[g];
            total = start[G];
            members = doppel__malloc_array(a, total ? total : 1,
                                           sizeof *members);
            if (!members)
                goto nomem;
        }
    }
    /* start[g] is now the end of group g; its beginning is start[g - 1]. */
    size_t biggest = 0;
    for (uint32_t g = 0; g < G; g++) {
        size_t k = start[g] - (g ? start[g - 1] : 0);
        if (k > biggest)
            biggest = k;
    }
    local = doppel__malloc_array(a, biggest ? biggest : 1, sizeof *local);
    dates = doppel__malloc_array(a, biggest ? biggest : 1, sizeof *dates);
    rarity = doppel__malloc_array(a, biggest ? biggest : 1, sizeof *rarity);
    /* Old table entries of untouched clusters, plus one per new group. */
    size_t cap = (size_t)rg->C + G;
    sizes = doppel__malloc_array(a, cap ? 2 * cap : 1, sizeof *sizes);
    if (!local || !dates || !rarity || !sizes)
        goto nomem;
    for (size_t i = 0; i < biggest; i++)
        local[i] = (uint32_t)i;
    uint32_t C = 0;
    for (uint32_t c = 0; c < rg->C; c++) {
        uint32_t rep = rg->sizes[2 * c];
        if (rep < P0 && doppel__bit(mark, rep))
            continue;
        sizes[2 * C] = rep;
        sizes[2 * C + 1] = rg->sizes[2 * c + 1];
        C++;
    }
    for (uint32_t g = 0; g < G; g++) {
        uint32_t from = g ? start[g - 1] : 0, k = start[g] - from;
        if (k == 0)
            continue;
        const uint32_t *m = members + from;
        for (uint32_t i = 0; i < k; i++) {
            doppel__sketch_cref s = rg->sketch(rg->ctx, m[i]);
            dates[i] = rg->date(rg->ctx, m[i]);
            rarity[i] = s.meta->rarity;
        }
        choose_ctx cc = {rg, m};
        uint32_t best =
            k == 1 ? 0
                   : doppel__cluster_choose(local, k, dates, rarity,
                                            member_similarity,
                                            member_lede_similarity, &cc);
        uint32_t rep = m[best];
        for (uint32_t i = 0; i < k; i++)
            labels[m[i]] = rep;
        if (k >= 2) {
            sizes[2 * C] = rep;
            sizes[2 * C + 1] = k;
            C++;
        }
    }
    qsort(sizes, C, 2 * sizeof *sizes, cmp_pair);
    *labels_out = labels;
    *sizes_out = sizes;
    *C_out = C;
    labels = sizes = NULL;
    goto done;
nomem:
    rc = DOPPEL_NOMEM(err);
done:
    doppel__free(a, labels);
    doppel__free(a, mark);
    doppel__free(a, start);
    doppel__free(a, members);
    doppel__free(a, local);
    doppel__free(a, dates);
    doppel__free(a, rarity);
    doppel__free(a, sizes);
    return rc;
}
