/*
 * score.c — compute the metrics described in score.h from the parsed data
 * (score_parse.c reads the files) and print them.
 *
 * Everything is linear in the number of documents: labels are interned in
 * string maps, and the contingency table n_ij (documents in predicted
 * cluster i and true cluster j) lives in a hash map keyed by (i, j), so
 *     TP          = sum_ij C(n_ij, 2)
 *     pred pairs  = sum_i  C(a_i, 2)        a_i = sum_j n_ij
 *     true pairs  = sum_j  C(b_j, 2)        b_j = sum_i n_ij
 *     ARI = (TP - E) / ((pred + true) / 2 - E),  E = pred * true / C(n, 2)
 * and the boilerplate false merges are, with s a site,
 *     sum_(i,s) C(n_is, 2) - sum_(i,s,j) C(n_isj, 2).
 * Ambiguous pairs of true clusters (j, k) are left out of every count:
 *     excluded        = sum_(j,k) b_j b_k
 *     of them predicted = sum_(j,k) sum_i n_ij n_ik
 * and the same per site (n_isj n_isk) and among templated stories, each
 * computed by merging the two clusters' sorted lists of cells.
 */
#include "score_impl.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ counting hash map */

typedef struct cmap {
    uint32_t *k; /* 3 per slot; k[3i] == NONE marks empty */
    uint64_t *v;
    size_t mask, count;
} cmap;

static uint64_t key_hash(uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t h = a * 0x9E3779B97F4A7C15ULL;
    h ^= (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
    h ^= (c + 0x85EBCA77C2B2AE63ULL) * 0x165667B19E3779F9ULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 32);
}

static int cmap_init(cmap *m, size_t expect)
{
    size_t n = 64;
    while (n < expect * 2)
        n *= 2;
    m->k = bg_malloc_array(n * 3, sizeof *m->k);
    m->v = bg_calloc_array(n, sizeof *m->v);
    if (!m->k || !m->v)
        return -1;
    for (size_t i = 0; i < n; i++)
        m->k[3 * i] = NONE;
    m->mask = n - 1;
    m->count = 0;
    return 0;
}

static void cmap_free(cmap *m)
{
    free(m->k);
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* Slot of (a, b, c), creating it; the table is sized for all keys up front
 * (at most one per document), so it never fills. */
static uint64_t *cmap_at(cmap *m, uint32_t a, uint32_t b, uint32_t c)
{
    size_t i = (size_t)key_hash(a, b, c) & m->mask;
    for (;;) {
        uint32_t *k = &m->k[3 * i];
        if (k[0] == NONE) {
            k[0] = a;
            k[1] = b;
            k[2] = c;
            m->count++;
            return &m->v[i];
        }
        if (k[0] == a && k[1] == b && k[2] == c)
            return &m->v[i];
        i = (i + 1) & m->mask;
    }
}

static uint64_t cmap_get(const cmap *m, uint32_t a, uint32_t b, uint32_t c)
{
    size_t i = (size_t)key_hash(a, b, c) & m->mask;
    for (;;) {
        const uint32_t *k = &m->k[3 * i];
        if (k[0] == NONE)
            return 0;
        if (k[0] == a && k[1] == b && k[2] == c)
            return m->v[i];
        i = (i + 1) & m->mask;
    }
}

static uint64_t pairs_of(uint64_t n)
{
    return n * (n - (n > 0)) / 2;
}

static uint64_t cmap_pairs(const cmap *m)
{
    uint64_t s = 0;
    for (size_t i = 0; i <= m->mask; i++)
        if (m->k[3 * i] != NONE)
            s += pairs_of(m->v[i]);
    return s;
}
static int nomem(doppel_error *err)
{
    return bg_error(err, DOPPEL_ERR_NOMEM, "score: out of memory");
}

/* ------------------------------------------------------------- computing */

static int str_is(const bg_strmap *m, uint32_t v, const char *s)
{
    size_t n;
    const char *k = bg_strmap_key(m, v, &n);
    return n == strlen(s) && memcmp(k, s, n) == 0;
}

static int has_prefix(const bg_strmap *m, uint32_t v, const char *s)
{
    size_t n;
    const char *k = bg_strmap_key(m, v, &n);
    return n >= strlen(s) && memcmp(k, s, strlen(s)) == 0;
}

static int cmp_recall_name(const void *a, const void *b)
{
    return strcmp(((const bg_score_recall *)a)->name,
                  ((const bg_score_recall *)b)->name);
}

static int cmp_recall_rate(const void *a, const void *b)
{
    const bg_score_recall *p = a, *q = b;
    double x = atof(p->name), y = atof(q->name);
    if (x != y)
        return (x > y) - (x < y);
    int c = strcmp(p->name, q->name);
    return c ? c : strcmp(p->spinner, q->spinner);
}

static int cmp_recall_spinner(const void *a, const void *b)
{
    return strcmp(((const bg_score_recall *)a)->spinner,
                  ((const bg_score_recall *)b)->spinner);
}

/* The slot of (name, spinner) in v[0..*n), added when new (v has room). */
static bg_score_recall *recall_slot(bg_score_recall *v, size_t *n,
                                    const char *name, size_t name_len,
                                    const char *spinner, size_t spinner_len)
{
    if (name_len >= sizeof v->name)
        name_len = sizeof v->name - 1;
    if (spinner_len >= sizeof v->spinner)
        spinner_len = sizeof v->spinner - 1;
    for (size_t i = 0; i < *n; i++)
        if (strlen(v[i].name) == name_len && memcmp(v[i].name, name, name_len) == 0
            && strlen(v[i].spinner) == spinner_len
            && memcmp(v[i].spinner, spinner, spinner_len) == 0)
            return &v[i];
    bg_score_recall *r = &v[(*n)++];
    memcpy(r->name, name, name_len);
    r->name[name_len] = '\0';
    memcpy(r->spinner, spinner, spinner_len);
    r->spinner[spinner_len] = '\0';
    return r;
}

/* ------------------------------------------------- ambiguous exclusions */

/* One cell of a counting map seen from a true cluster: documents of true
 * cluster t in predicted cluster p (and group g, or NONE). */
typedef struct tcell {
    uint32_t t, g, p;
    uint64_t n;
} tcell;

static int cmp_tcell(const void *a, const void *b)
{
    const tcell *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->g != y->g)
        return x->g < y->g ? -1 : 1;
    return (x->p > y->p) - (x->p < y->p);
}

/* The cells of m, whose keys are (pred, ...) with the true cluster at
 * k[tpos] and the group at k[gpos] (gpos < 0: none), sorted by (t, g, p). */
static tcell *cells_by_truth(const cmap *m, int tpos, int gpos, size_t *nc)
{
    tcell *c = bg_malloc_array(m->count + 1, sizeof *c);
    *nc = 0;
    if (!c)
        return NULL;
    for (size_t i = 0; i <= m->mask; i++) {
        const uint32_t *k = &m->k[3 * i];
        if (k[0] == NONE)
            continue;
        c[*nc].p = k[0];
        c[*nc].t = k[tpos];
        c[*nc].g = gpos >= 0 ? k[gpos] : NONE;
        c[*nc].n = m->v[i];
        (*nc)++;
    }
    qsort(c, *nc, sizeof *c, cmp_tcell);
    return c;
}

static size_t first_cell(const tcell *c, size_t n, uint32_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Pairs of documents, one in true cluster x and one in y, that share a
 * cell's (group, predicted cluster): a merge of the two sorted lists. */
static uint64_t cross_pairs(const tcell *c, size_t n, uint32_t x, uint32_t y)
{
    size_t i = first_cell(c, n, x), j = first_cell(c, n, y);
    uint64_t s = 0;
    while (i < n && c[i].t == x && j < n && c[j].t == y) {
        if (c[i].g != c[j].g ? c[i].g < c[j].g : c[i].p < c[j].p) {
            i++;
        } else if (c[i].g != c[j].g || c[i].p != c[j].p) {
            j++;
        } else {
            s += c[i].n * c[j].n;
            i++;
            j++;
        }
    }
    return s;
}

static uint64_t cluster_pair(uint32_t x, uint32_t y)
{
    return x < y ? (uint64_t)x << 32 | y : (uint64_t)y << 32 | x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int is_ambiguous(const uint64_t *cp, size_t ncp, uint32_t x, uint32_t y)
{
    if (x == y || ncp == 0)
        return 0;
    uint64_t key = cluster_pair(x, y);
    return bsearch(&key, cp, ncp, sizeof *cp, cmp_u64) != NULL;
}

static int is_spun(const bg_score_data *d, size_t i)
{
    if (str_is(&d->kinds, d->kind[i], "spin"))
        return 1;
    if (!str_is(&d->kinds, d->kind[i], "combo"))
        return 0;
    size_t n;
    const char *p = bg_strmap_key(&d->params, d->param[i], &n);
    return strstr(p, "spin") != NULL;
}

typedef struct spun_doc {
    uint32_t truth, rep;
    int found; /* in its source's predicted cluster */
} spun_doc;

static int cmp_spun(const void *a, const void *b)
{
    const spun_doc *x = a, *y = b;
    if (x->truth != y->truth)
        return x->truth < y->truth ? -1 : 1;
    return (x->rep > y->rep) - (x->rep < y->rep);
}

int bg_score_compute(const bg_score_data *d, bg_score_result *r,
                     doppel_error *err)
{
    memset(r, 0, sizeof *r);
    size_t n = d->n;
    r->documents = n;
    r->true_clusters = d->truth_labels.count;
    r->pred_clusters = d->pred_labels.count;
    cmap cell = {0}, site_p = {0}, site_pt = {0}, tpl_p = {0}, tpl_pt = {0};
    uint64_t *cp = NULL; /* ambiguous pairs of true clusters, sorted */
    size_t ncp = 0;
    uint64_t excl_site = 0, excl_tpl = 0;
    tcell *c_cell = NULL, *c_site = NULL, *c_tpl = NULL;
    uint64_t *asz = bg_calloc_array(r->pred_clusters, sizeof *asz);
    uint64_t *bsz = bg_calloc_array(r->true_clusters, sizeof *bsz);
    spun_doc *spun = bg_malloc_array(n, sizeof *spun);
    size_t *grp_count = bg_calloc_array(d->groups.count + d->kinds.count + 1,
                                        sizeof *grp_count);
    int rc = 0;
    if (!asz || !bsz || !spun || !grp_count || cmap_init(&cell, n) < 0
        || cmap_init(&site_p, n) < 0 || cmap_init(&site_pt, n) < 0
        || cmap_init(&tpl_p, n) < 0 || cmap_init(&tpl_pt, n) < 0)
        goto oom;

    long kind_partial = bg_strmap_get(&d->kinds, "partial", 7);
    long kind_templated = bg_strmap_get(&d->kinds, "templated", 9);
    long kind_spin = bg_strmap_get(&d->kinds, "spin", 4);
    size_t nspun = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = d->pred[i], t = d->truth[i];
        asz[p]++;
        bsz[t]++;
        (*cmap_at(&cell, p, t, NONE))++;
        int site = has_prefix(&d->groups, d->group[i], "site:");
        int tpl = kind_templated >= 0 && d->kind[i] == (uint32_t)kind_templated;
        if (site) {
            (*cmap_at(&site_p, p, d->group[i], NONE))++;
            (*cmap_at(&site_pt, p, d->group[i], t))++;
        } else if (tpl) {
            (*cmap_at(&tpl_p, p, NONE, NONE))++;
            (*cmap_at(&tpl_pt, p, t, NONE))++;
        }
        if (is_spun(d, i)) {
            spun[nspun].truth = t;
            spun[nspun].rep = d->rep[i];
            spun[nspun].found = d->source[i] != NONE && d->pred[i] == d->pred[d->source[i]];
            nspun++;
        }
    }

    /* ambiguous pairs of true clusters, and the document pairs they
     * exclude: all, predicted together, and among those on one site and
     * among templated stories */
    r->ambiguous_given = d->namb;
    if (d->namb) {
        cp = bg_malloc_array(d->namb, sizeof *cp);
        if (!cp)
            goto oom;
        for (size_t k = 0; k < d->namb; k++) {
            uint32_t x = d->truth[d->amb[2 * k]], y = d->truth[d->amb[2 * k + 1]];
            if (x != y)
                cp[ncp++] = cluster_pair(x, y);
        }
        qsort(cp, ncp, sizeof *cp, cmp_u64);
        size_t u = 0;
        for (size_t k = 0; k < ncp; k++)
            if (u == 0 || cp[k] != cp[u - 1])
                cp[u++] = cp[k];
        ncp = u;
        r->ambiguous_cluster_pairs = ncp;
        size_t n_cell, n_site, n_tpl;
        c_cell = cells_by_truth(&cell, 1, -1, &n_cell);
        c_site = cells_by_truth(&site_pt, 2, 1, &n_site);
        c_tpl = cells_by_truth(&tpl_pt, 1, -1, &n_tpl);
        if (!c_cell || !c_site || !c_tpl)
            goto oom;
        for (size_t k = 0; k < ncp; k++) {
            uint32_t x = (uint32_t)(cp[k] >> 32), y = (uint32_t)cp[k];
            r->excluded_pairs += bsz[x] * bsz[y];
            r->excluded_pred_pairs += cross_pairs(c_cell, n_cell, x, y);
            excl_site += cross_pairs(c_site, n_site, x, y);
            excl_tpl += cross_pairs(c_tpl, n_tpl, x, y);
        }
    }

    /* pairwise precision / recall / F1 and ARI, without the excluded pairs
     * (never true pairs: their documents are in different true clusters) */
    for (size_t p = 0; p < r->pred_clusters; p++) {
        r->pred_pairs += pairs_of(asz[p]);
        if (asz[p] > r->largest_pred)
            r->largest_pred = asz[p];
    }
    for (size_t t = 0; t < r->true_clusters; t++) {
        r->true_pairs += pairs_of(bsz[t]);
        if (bsz[t] > r->largest_true)
            r->largest_true = bsz[t];
    }
    r->pred_pairs -= r->excluded_pred_pairs;
    r->tp_pairs = cmap_pairs(&cell);
    r->precision = r->pred_pairs ? (double)r->tp_pairs / (double)r->pred_pairs : 1.0;
    r->recall = r->true_pairs ? (double)r->tp_pairs / (double)r->true_pairs : 1.0;
    r->f1 = r->precision + r->recall > 0
                ? 2 * r->precision * r->recall / (r->precision + r->recall)
                : 0.0;
    {
        double all = (double)(pairs_of(n) - r->excluded_pairs);
        double expected = all > 0 ? (double)r->pred_pairs * (double)r->true_pairs / all : 0;
        double maxi = ((double)r->pred_pairs + (double)r->true_pairs) / 2;
        r->ari = maxi - expected != 0 ? ((double)r->tp_pairs - expected) / (maxi - expected)
                                      : 1.0;
    }

    /* recall per kind, per spin rate, per spin rate and spinner */
    r->kinds = bg_calloc_array(d->kinds.count + 1, sizeof *r->kinds);
    r->spin_rates = bg_calloc_array(d->params.count + 1, sizeof *r->spin_rates);
    r->spin_by = bg_calloc_array(d->params.count + 1, sizeof *r->spin_by);
    r->spinners = bg_calloc_array(d->params.count + 1, sizeof *r->spinners);
    long *kind_slot = bg_malloc_array(d->kinds.count + 1, sizeof *kind_slot);
    long *rate_slot = bg_malloc_array(d->params.count + 1, sizeof *rate_slot);
    long *by_slot = bg_malloc_array(d->params.count + 1, sizeof *by_slot);
    if (!r->kinds || !r->spin_rates || !r->spin_by || !r->spinners || !kind_slot
        || !rate_slot || !by_slot) {
        free(kind_slot);
        free(rate_slot);
        free(by_slot);
        goto oom;
    }
    for (size_t k = 0; k < d->kinds.count; k++)
        kind_slot[k] = -1;
    for (size_t k = 0; k < d->params.count; k++)
        rate_slot[k] = by_slot[k] = -1;
    for (size_t i = 0; i < n; i++) {
        if (d->source[i] == NONE)
            continue;
        int partial = kind_partial >= 0 && d->kind[i] == (uint32_t)kind_partial;
        if (partial) {
            r->partials++;
            uint64_t with = cmap_get(&cell, d->pred[i], d->truth[d->source[i]], NONE);
            if (!has_prefix(&d->groups, d->group[i], "site:")
                && !is_ambiguous(cp, ncp, d->truth[i], d->truth[d->source[i]]))
                r->fm_partial += with;
            if (d->pred[i] == d->pred[d->source[i]])
                r->partials_with_donor++;
            continue;
        }
        int found = d->pred[i] == d->pred[d->source[i]];
        uint32_t k = d->kind[i];
        if (kind_slot[k] < 0) {
            kind_slot[k] = (long)r->nkinds++;
            snprintf(r->kinds[kind_slot[k]].name, sizeof r->kinds[0].name, "%s",
                     bg_strmap_key(&d->kinds, k, NULL));
        }
        r->kinds[kind_slot[k]].total++;
        r->kinds[kind_slot[k]].found += (size_t)found;
        if (kind_spin >= 0 && k == (uint32_t)kind_spin) {
            /* param "RATE,SPINNER" or "RATE" */
            uint32_t pr = d->param[i];
            size_t plen;
            const char *ps = bg_strmap_key(&d->params, pr, &plen);
            const char *comma = memchr(ps, ',', plen);
            size_t rlen = comma ? (size_t)(comma - ps) : plen;
            if (rate_slot[pr] < 0) {
                bg_score_recall *slot = recall_slot(r->spin_rates, &r->nspin_rates,
                                                    ps, rlen, "", 0);
                rate_slot[pr] = slot - r->spin_rates;
                if (comma) {
                    size_t sl = plen - rlen - 1;
                    slot = recall_slot(r->spin_by, &r->nspin_by, ps, rlen,
                                       comma + 1, sl);
                    by_slot[pr] = slot - r->spin_by;
                    recall_slot(r->spinners, &r->nspinners, "all", 3, comma + 1, sl);
                }
            }
            r->spin_rates[rate_slot[pr]].total++;
            r->spin_rates[rate_slot[pr]].found += (size_t)found;
            if (by_slot[pr] >= 0) {
                bg_score_recall *b = &r->spin_by[by_slot[pr]];
                b->total++;
                b->found += (size_t)found;
                bg_score_recall *t = recall_slot(r->spinners, &r->nspinners, "all", 3,
                                                 b->spinner, strlen(b->spinner));
                t->total++;
                t->found += (size_t)found;
            }
        }
    }
    free(kind_slot);
    free(rate_slot);
    free(by_slot);
    qsort(r->kinds, r->nkinds, sizeof *r->kinds, cmp_recall_name);
    qsort(r->spin_rates, r->nspin_rates, sizeof *r->spin_rates, cmp_recall_rate);
    qsort(r->spin_by, r->nspin_by, sizeof *r->spin_by, cmp_recall_rate);
    qsort(r->spinners, r->nspinners, sizeof *r->spinners, cmp_recall_spinner);

    /* false merges by cause */
    r->fm_total = r->pred_pairs - r->tp_pairs;
    r->fm_boilerplate = cmap_pairs(&site_p) - cmap_pairs(&site_pt) - excl_site;
    r->fm_templated = cmap_pairs(&tpl_p) - cmap_pairs(&tpl_pt) - excl_tpl;
    {
        uint64_t named = r->fm_boilerplate + r->fm_templated + r->fm_partial;
        r->fm_other = r->fm_total >= named ? r->fm_total - named : 0;
    }

    /* the largest predicted cluster: its commonest group (or kind) */
    {
        uint32_t lp = NONE;
        for (size_t p = 0; p < r->pred_clusters && lp == NONE; p++)
            if (asz[p] == r->largest_pred)
                lp = (uint32_t)p;
        size_t best = 0;
        for (size_t i = 0; i < n; i++) {
            if (d->pred[i] != lp)
                continue;
            int dash = str_is(&d->groups, d->group[i], "-");
            size_t slot = dash ? d->groups.count + d->kind[i] : d->group[i];
            if (++grp_count[slot] > best) {
                best = grp_count[slot];
                const char *name = dash ? bg_strmap_key(&d->kinds, d->kind[i], NULL)
                                        : bg_strmap_key(&d->groups, d->group[i], NULL);
                snprintf(r->largest_pred_group, sizeof r->largest_pred_group,
                         "%s%s", dash ? "kind:" : "", name);
                r->largest_pred_group_count = best;
            }
        }
    }

    /* representatives of true clusters with spun copies */
    qsort(spun, nspun, sizeof *spun, cmp_spun);
    for (size_t i = 0; i < nspun;) {
        size_t j = i;
        size_t best = 0;
        int best_orig = 0, found = 0;
        while (j < nspun && spun[j].truth == spun[i].truth) {
            size_t k = j;
            while (k < nspun && spun[k].truth == spun[i].truth
                   && spun[k].rep == spun[j].rep)
                found |= spun[k++].found;
            uint32_t rep = spun[j].rep;
            int orig = rep != NONE && d->is_original[rep]
                       && d->truth[rep] == spun[i].truth;
            if (k - j > best || (k - j == best && orig && !best_orig)) {
                best = k - j;
                best_orig = orig;
            }
            j = k;
        }
        r->spun_clusters++;
        r->spun_rep_original += (size_t)best_orig;
        r->spun_found_clusters += (size_t)found;
        r->spun_found_rep_original += (size_t)(found && best_orig);
        i = j;
    }
    goto done;
oom:
    rc = nomem(err);
    bg_score_result_free(r);
done:
    cmap_free(&cell);
    cmap_free(&site_p);
    cmap_free(&site_pt);
    cmap_free(&tpl_p);
    cmap_free(&tpl_pt);
    free(asz);
    free(bsz);
    free(spun);
    free(grp_count);
    free(cp);
    free(c_cell);
    free(c_site);
    free(c_tpl);
    return rc;
}

void bg_score_result_free(bg_score_result *r)
{
    free(r->kinds);
    free(r->spin_rates);
    free(r->spin_by);
    free(r->spinners);
    r->kinds = r->spin_rates = r->spin_by = r->spinners = NULL;
    r->nkinds = r->nspin_rates = r->nspin_by = r->nspinners = 0;
}

/* --------------------------------------------------------------- printing */

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

void bg_score_print_table(FILE *f, const bg_score_result *r)
{
    fprintf(f, "documents %zu, true clusters %zu, predicted clusters %zu\n\n",
            r->documents, r->true_clusters, r->pred_clusters);
    fprintf(f, "pairwise   precision %.4f   recall %.4f   F1 %.4f\n",
            r->precision, r->recall, r->f1);
    fprintf(f, "           (%llu correct of %llu predicted pairs; %llu true pairs)\n",
            (unsigned long long)r->tp_pairs, (unsigned long long)r->pred_pairs,
            (unsigned long long)r->true_pairs);
    fprintf(f, "ARI        %.4f\n", r->ari);
    fprintf(f, "ambiguous  %zu pairs given, relating %zu pairs of true clusters: "
               "%llu document pairs excluded\n"
               "           from every count (%llu of them predicted together)\n\n",
            r->ambiguous_given, r->ambiguous_cluster_pairs,
            (unsigned long long)r->excluded_pairs,
            (unsigned long long)r->excluded_pred_pairs);
    fprintf(f, "recall by edit kind (a copy is found when it shares its source's predicted cluster)\n");
    fprintf(f, "  %-14s %8s %8s %8s\n", "kind", "found", "total", "recall");
    for (size_t i = 0; i < r->nkinds; i++)
        fprintf(f, "  %-14s %8zu %8zu %8.3f\n", r->kinds[i].name,
                r->kinds[i].found, r->kinds[i].total,
                ratio(r->kinds[i].found, r->kinds[i].total));
    if (r->nspin_rates) {
        fprintf(f, "\nrecall by spin rate (spin copies), over all spinners and "
                   "per spinner\n");
        fprintf(f, "  %-8s %8s %8s %8s", "rate", "found", "total", "recall");
        for (size_t s = 0; s < r->nspinners; s++)
            fprintf(f, "   %16s", r->spinners[s].spinner);
        fputc('\n', f);
        for (size_t i = 0; i <= r->nspin_rates; i++) {
            const bg_score_recall *all = NULL;
            bg_score_recall sum;
            if (i < r->nspin_rates) {
                all = &r->spin_rates[i];
            } else { /* the total row */
                if (r->nspinners == 0)
                    break;
                memset(&sum, 0, sizeof sum);
                snprintf(sum.name, sizeof sum.name, "all");
                for (size_t k = 0; k < r->nspin_rates; k++) {
                    sum.found += r->spin_rates[k].found;
                    sum.total += r->spin_rates[k].total;
                }
                all = &sum;
            }
            fprintf(f, "  %-8s %8zu %8zu %8.3f", all->name, all->found,
                    all->total, ratio(all->found, all->total));
            for (size_t s = 0; s < r->nspinners; s++) {
                const bg_score_recall *c = i < r->nspin_rates ? NULL : &r->spinners[s];
                for (size_t k = 0; k < r->nspin_by && !c; k++)
                    if (!strcmp(r->spin_by[k].name, all->name)
                        && !strcmp(r->spin_by[k].spinner, r->spinners[s].spinner))
                        c = &r->spin_by[k];
                char cell[48];
                if (c)
                    snprintf(cell, sizeof cell, "%zu/%zu %.3f", c->found, c->total,
                             ratio(c->found, c->total));
                else
                    snprintf(cell, sizeof cell, "-");
                fprintf(f, "   %16s", cell);
            }
            fputc('\n', f);
        }
    }
    fprintf(f, "\nfalse merges (pairs predicted together, apart in truth, not "
               "ambiguous)\n");
    fprintf(f, "  %-34s %10llu\n", "boilerplate (pages of one site)",
            (unsigned long long)r->fm_boilerplate);
    fprintf(f, "  %-34s %10llu\n", "templated stories",
            (unsigned long long)r->fm_templated);
    fprintf(f, "  %-34s %10llu   (%zu of %zu partial copies merged with their donor)\n",
            "partial copy with its donor", (unsigned long long)r->fm_partial,
            r->partials_with_donor, r->partials);
    fprintf(f, "  %-34s %10llu\n", "other", (unsigned long long)r->fm_other);
    fprintf(f, "  %-34s %10llu\n", "total", (unsigned long long)r->fm_total);
    fprintf(f, "\nlargest cluster   predicted %zu (%zu of them %s), true %zu\n",
            r->largest_pred, r->largest_pred_group_count, r->largest_pred_group,
            r->largest_true);
    fprintf(f, "spun clusters whose representative is the original: %zu of %zu (%.3f);\n"
               "  of those where a spun copy was found: %zu of %zu (%.3f)\n",
            r->spun_rep_original, r->spun_clusters,
            ratio(r->spun_rep_original, r->spun_clusters),
            r->spun_found_rep_original, r->spun_found_clusters,
            ratio(r->spun_found_rep_original, r->spun_found_clusters));
}

void bg_score_print_tsv(FILE *f, const bg_score_result *r)
{
    fprintf(f, "documents\t%zu\ntrue_clusters\t%zu\npred_clusters\t%zu\n",
            r->documents, r->true_clusters, r->pred_clusters);
    fprintf(f, "pairwise_precision\t%.6f\npairwise_recall\t%.6f\npairwise_f1\t%.6f\n",
            r->precision, r->recall, r->f1);
    fprintf(f, "tp_pairs\t%llu\npred_pairs\t%llu\ntrue_pairs\t%llu\nari\t%.6f\n",
            (unsigned long long)r->tp_pairs, (unsigned long long)r->pred_pairs,
            (unsigned long long)r->true_pairs, r->ari);
    fprintf(f, "ambiguous_given\t%zu\nambiguous_cluster_pairs\t%zu\n"
               "excluded_pairs\t%llu\nexcluded_pred_pairs\t%llu\n",
            r->ambiguous_given, r->ambiguous_cluster_pairs,
            (unsigned long long)r->excluded_pairs,
            (unsigned long long)r->excluded_pred_pairs);
    for (size_t i = 0; i < r->nkinds; i++)
        fprintf(f, "recall.kind.%s\t%.6f\nfound.kind.%s\t%zu\ntotal.kind.%s\t%zu\n",
                r->kinds[i].name, ratio(r->kinds[i].found, r->kinds[i].total),
                r->kinds[i].name, r->kinds[i].found, r->kinds[i].name,
                r->kinds[i].total);
    for (size_t i = 0; i < r->nspin_rates; i++)
        fprintf(f, "recall.spin.%s\t%.6f\nfound.spin.%s\t%zu\ntotal.spin.%s\t%zu\n",
                r->spin_rates[i].name,
                ratio(r->spin_rates[i].found, r->spin_rates[i].total),
                r->spin_rates[i].name, r->spin_rates[i].found,
                r->spin_rates[i].name, r->spin_rates[i].total);
    for (size_t i = 0; i < r->nspin_by; i++) {
        const bg_score_recall *c = &r->spin_by[i];
        fprintf(f, "recall.spin.%s.%s\t%.6f\nfound.spin.%s.%s\t%zu\n"
                   "total.spin.%s.%s\t%zu\n",
                c->name, c->spinner, ratio(c->found, c->total), c->name,
                c->spinner, c->found, c->name, c->spinner, c->total);
    }
    for (size_t i = 0; i < r->nspinners; i++) {
        const bg_score_recall *c = &r->spinners[i];
        fprintf(f, "recall.spinner.%s\t%.6f\nfound.spinner.%s\t%zu\n"
                   "total.spinner.%s\t%zu\n",
                c->spinner, ratio(c->found, c->total), c->spinner, c->found,
                c->spinner, c->total);
    }
    fprintf(f, "false_merges.boilerplate\t%llu\nfalse_merges.templated\t%llu\n"
               "false_merges.partial_donor\t%llu\nfalse_merges.other\t%llu\n"
               "false_merges.total\t%llu\n",
            (unsigned long long)r->fm_boilerplate,
            (unsigned long long)r->fm_templated,
            (unsigned long long)r->fm_partial, (unsigned long long)r->fm_other,
            (unsigned long long)r->fm_total);
    fprintf(f, "partial_copies\t%zu\npartial_with_donor\t%zu\n", r->partials,
            r->partials_with_donor);
    fprintf(f, "largest_pred_cluster\t%zu\nlargest_pred_cluster_group\t%s\n"
               "largest_pred_cluster_group_count\t%zu\nlargest_true_cluster\t%zu\n",
            r->largest_pred, r->largest_pred_group, r->largest_pred_group_count,
            r->largest_true);
    fprintf(f, "spun_clusters\t%zu\nspun_rep_is_original\t%zu\nspun_rep_is_original_fraction\t%.6f\n",
            r->spun_clusters, r->spun_rep_original,
            ratio(r->spun_rep_original, r->spun_clusters));
    fprintf(f, "spun_found_clusters\t%zu\nspun_found_rep_is_original\t%zu\n"
               "spun_found_rep_is_original_fraction\t%.6f\n",
            r->spun_found_clusters, r->spun_found_rep_original,
            ratio(r->spun_found_rep_original, r->spun_found_clusters));
}
