/*
 * score.c — parse truth, meta and prediction files and compute the metrics
 * described in score.h.
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
 */
#include "score.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

struct bg_score_data {
    size_t n;
    bg_strmap ids, truth_labels, pred_labels, kinds, params, groups;
    uint32_t *truth, *pred, *rep, *source, *kind, *param, *group;
    unsigned char *is_original;
};

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

/* ---------------------------------------------------------------- parsing */

typedef struct lines {
    const char *p, *end, *name;
    size_t line;
} lines;

/* Next non-blank line split on tabs into at most max fields (the last one
 * keeps any further tabs so that the count is checked); returns the field
 * count, 0 at the end. */
static int next_line(lines *L, const char **f, size_t *fl, int max)
{
    while (L->p < L->end) {
        const char *s = L->p;
        const char *e = memchr(s, '\n', (size_t)(L->end - s));
        if (!e)
            e = L->end;
        L->p = e + (e < L->end);
        L->line++;
        if (e > s && e[-1] == '\r')
            e--;
        if (e == s)
            continue;
        int n = 0;
        const char *q = s;
        for (;;) {
            const char *t = memchr(q, '\t', (size_t)(e - q));
            if (n < max) {
                f[n] = q;
                fl[n] = (size_t)((t ? t : e) - q);
            }
            n++;
            if (!t)
                break;
            q = t + 1;
        }
        return n;
    }
    return 0;
}

static int fmt_error(doppel_error *err, const lines *L, const char *what)
{
    return bg_error(err, DOPPEL_ERR_FORMAT, "%s:%zu: %s", L->name, L->line, what);
}

static int nomem(doppel_error *err)
{
    return bg_error(err, DOPPEL_ERR_NOMEM, "score: out of memory");
}

static int is_header(const char *f, size_t n)
{
    return n == 2 && memcmp(f, "id", 2) == 0;
}

static int intern(bg_strmap *m, const char *s, size_t n, uint32_t *out)
{
    long v = bg_strmap_put(m, s, n, NULL);
    if (v < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int grow_docs(bg_score_data *d, size_t *cap)
{
    size_t c = *cap;
    void **arrays[] = {(void **)&d->truth, (void **)&d->pred, (void **)&d->rep,
                       (void **)&d->source, (void **)&d->kind,
                       (void **)&d->param, (void **)&d->group};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        c = *cap;
        if (bg_grow(arrays[i], &c, d->n + 1, sizeof(uint32_t)) < 0)
            return -1;
    }
    c = *cap;
    if (bg_grow((void **)&d->is_original, &c, d->n + 1, 1) < 0)
        return -1;
    *cap = c;
    return 0;
}

int bg_score_parse(bg_score_data **out, const char *truth, size_t truth_len,
                   const char *truth_name, const char *meta, size_t meta_len,
                   const char *meta_name, const char *pred, size_t pred_len,
                   const char *pred_name, doppel_error *err)
{
    *out = NULL;
    bg_score_data *d = calloc(1, sizeof *d);
    if (!d)
        return nomem(err);
    int rc = 0;
    const char *f[8];
    size_t fl[8];
    char msg[256];
    size_t cap = 0;
    unsigned char *seen = NULL;
    size_t *truth_line = NULL, tlcap = 0;

    /* truth.tsv: id cluster */
    lines L = {truth, truth + truth_len, truth_name, 0};
    int nf;
    while ((nf = next_line(&L, f, fl, 8)) > 0) {
        if (nf != 2) {
            snprintf(msg, sizeof msg,
                     "expected 2 tab-separated fields (id, cluster), got %d", nf);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        if (d->n == 0 && L.line == 1 && is_header(f[0], fl[0]))
            continue;
        if (fl[0] == 0 || fl[1] == 0) {
            rc = fmt_error(err, &L, "empty id or cluster");
            goto fail;
        }
        int ins;
        long id = bg_strmap_put(&d->ids, f[0], fl[0], &ins);
        if (id < 0 || grow_docs(d, &cap) < 0)
            goto oom;
        if (!ins) {
            snprintf(msg, sizeof msg, "duplicate id '%.*s'", (int)(fl[0] > 60 ? 60 : fl[0]), f[0]);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        if (bg_grow((void **)&truth_line, &tlcap, d->n + 1, sizeof *truth_line) < 0)
            goto oom;
        truth_line[d->n] = L.line;
        if (intern(&d->truth_labels, f[1], fl[1], &d->truth[d->n]) < 0)
            goto oom;
        d->pred[d->n] = d->rep[d->n] = d->source[d->n] = NONE;
        d->kind[d->n] = d->param[d->n] = d->group[d->n] = NONE;
        d->is_original[d->n] = 0;
        d->n++;
    }
    if (d->n == 0) {
        rc = bg_error(err, DOPPEL_ERR_FORMAT, "%s: no documents", truth_name);
        goto fail;
    }

    /* meta.tsv: id kind param source_id group is_original */
    seen = calloc(d->n, 1);
    if (!seen)
        goto oom;
    L = (lines){meta, meta + meta_len, meta_name, 0};
    while ((nf = next_line(&L, f, fl, 8)) > 0) {
        if (nf != 6) {
            snprintf(msg, sizeof msg,
                     "expected 6 tab-separated fields (id, kind, param, "
                     "source_id, group, is_original), got %d", nf);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        if (L.line == 1 && is_header(f[0], fl[0]))
            continue;
        long id = bg_strmap_get(&d->ids, f[0], fl[0]);
        const char *bad = NULL;
        if (id < 0)
            bad = "id not in the truth file";
        else if (seen[id])
            bad = "duplicate id";
        else if (fl[1] == 0 || fl[2] == 0 || fl[3] == 0 || fl[4] == 0)
            bad = "empty field (write '-' for none)";
        else if (fl[5] != 1 || (f[5][0] != '0' && f[5][0] != '1'))
            bad = "is_original must be 0 or 1";
        if (bad) {
            snprintf(msg, sizeof msg, "%s ('%.*s')", bad,
                     (int)(fl[0] > 60 ? 60 : fl[0]), f[0]);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        seen[id] = 1;
        if (intern(&d->kinds, f[1], fl[1], &d->kind[id]) < 0
            || intern(&d->params, f[2], fl[2], &d->param[id]) < 0
            || intern(&d->groups, f[4], fl[4], &d->group[id]) < 0)
            goto oom;
        d->is_original[id] = (unsigned char)(f[5][0] == '1');
        if (!(fl[3] == 1 && f[3][0] == '-')) {
            long s = bg_strmap_get(&d->ids, f[3], fl[3]);
            if (s < 0 || s == id) {
                snprintf(msg, sizeof msg, "source_id '%.*s' is %s",
                         (int)(fl[3] > 60 ? 60 : fl[3]), f[3],
                         s < 0 ? "not a document id" : "the document itself");
                rc = fmt_error(err, &L, msg);
                goto fail;
            }
            d->source[id] = (uint32_t)s;
        }
    }
    for (size_t i = 0; i < d->n; i++)
        if (!seen[i]) {
            size_t n;
            const char *id = bg_strmap_key(&d->ids, i, &n);
            rc = bg_error(err, DOPPEL_ERR_FORMAT,
                          "%s: no line for id '%.*s' (%s:%zu)", meta_name,
                          (int)(n > 60 ? 60 : n), id, truth_name, truth_line[i]);
            goto fail;
        }

    /* prediction: id cluster_id similarity */
    memset(seen, 0, d->n);
    L = (lines){pred, pred + pred_len, pred_name, 0};
    while ((nf = next_line(&L, f, fl, 8)) > 0) {
        if (L.line == 1 && is_header(f[0], fl[0]) && bg_strmap_get(&d->ids, f[0], fl[0]) < 0)
            continue;
        if (nf != 3) {
            snprintf(msg, sizeof msg,
                     "expected 3 tab-separated fields (id, cluster_id, "
                     "similarity), got %d", nf);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        long id = bg_strmap_get(&d->ids, f[0], fl[0]);
        char num[64];
        double sim = -1;
        if (fl[2] > 0 && fl[2] < sizeof num) {
            memcpy(num, f[2], fl[2]);
            num[fl[2]] = '\0';
            char *endp;
            errno = 0;
            sim = strtod(num, &endp);
            if (*endp != '\0' || errno)
                sim = -1;
        }
        const char *bad = NULL;
        if (id < 0)
            bad = "id not in the truth file";
        else if (seen[id])
            bad = "duplicate id";
        else if (fl[1] == 0)
            bad = "empty cluster_id";
        else if (!(sim >= 0.0 && sim <= 1.0))
            bad = "similarity must be a number in [0, 1]";
        if (bad) {
            snprintf(msg, sizeof msg, "%s ('%.*s')", bad,
                     (int)(fl[0] > 60 ? 60 : fl[0]), f[0]);
            rc = fmt_error(err, &L, msg);
            goto fail;
        }
        seen[id] = 1;
        if (intern(&d->pred_labels, f[1], fl[1], &d->pred[id]) < 0)
            goto oom;
        long rep = bg_strmap_get(&d->ids, f[1], fl[1]);
        d->rep[id] = rep < 0 ? NONE : (uint32_t)rep;
    }
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!seen[i] && missing++ == 0)
            first = i;
    if (missing) {
        size_t n;
        const char *id = bg_strmap_key(&d->ids, first, &n);
        rc = bg_error(err, DOPPEL_ERR_FORMAT,
                      "%s: %zu document(s) of %s have no prediction, the first "
                      "is '%.*s' (%s:%zu)", pred_name, missing, truth_name,
                      (int)(n > 60 ? 60 : n), id, truth_name, truth_line[first]);
        goto fail;
    }
    free(seen);
    free(truth_line);
    *out = d;
    return 0;
oom:
    rc = nomem(err);
fail:
    free(seen);
    free(truth_line);
    bg_score_data_free(d);
    return rc;
}

static int slurp(const char *path, char **out, size_t *len, doppel_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bg_error(err, errno == ENOENT ? DOPPEL_ERR_NOTFOUND : DOPPEL_ERR_IO,
                        "%s: %s", path, strerror(errno));
    bg_buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        bg_buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad || b.oom) {
        bg_buf_free(&b);
        return bg_error(err, bad ? DOPPEL_ERR_IO : DOPPEL_ERR_NOMEM,
                        "%s: %s", path, bad ? "read error" : "out of memory");
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

int bg_score_load(bg_score_data **out, const char *truth_path,
                  const char *meta_path, const char *pred_path,
                  doppel_error *err)
{
    char *t = NULL, *m = NULL, *p = NULL;
    size_t tl = 0, ml = 0, pl = 0;
    int rc = slurp(truth_path, &t, &tl, err);
    if (rc == 0)
        rc = slurp(meta_path, &m, &ml, err);
    if (rc == 0)
        rc = slurp(pred_path, &p, &pl, err);
    if (rc == 0)
        rc = bg_score_parse(out, t ? t : "", tl, truth_path, m ? m : "", ml,
                            meta_path, p ? p : "", pl, pred_path, err);
    free(t);
    free(m);
    free(p);
    return rc;
}

void bg_score_data_free(bg_score_data *d)
{
    if (!d)
        return;
    bg_strmap_free(&d->ids);
    bg_strmap_free(&d->truth_labels);
    bg_strmap_free(&d->pred_labels);
    bg_strmap_free(&d->kinds);
    bg_strmap_free(&d->params);
    bg_strmap_free(&d->groups);
    free(d->truth);
    free(d->pred);
    free(d->rep);
    free(d->source);
    free(d->kind);
    free(d->param);
    free(d->group);
    free(d->is_original);
    free(d);
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
    double x = atof(((const bg_score_recall *)a)->name);
    double y = atof(((const bg_score_recall *)b)->name);
    return (x > y) - (x < y);
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

    /* pairwise precision / recall / F1 and ARI */
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
    r->tp_pairs = cmap_pairs(&cell);
    r->precision = r->pred_pairs ? (double)r->tp_pairs / (double)r->pred_pairs : 1.0;
    r->recall = r->true_pairs ? (double)r->tp_pairs / (double)r->true_pairs : 1.0;
    r->f1 = r->precision + r->recall > 0
                ? 2 * r->precision * r->recall / (r->precision + r->recall)
                : 0.0;
    {
        double all = (double)pairs_of(n);
        double expected = all > 0 ? (double)r->pred_pairs * (double)r->true_pairs / all : 0;
        double maxi = ((double)r->pred_pairs + (double)r->true_pairs) / 2;
        r->ari = maxi - expected != 0 ? ((double)r->tp_pairs - expected) / (maxi - expected)
                                      : 1.0;
    }

    /* recall per kind and per spin rate */
    r->kinds = bg_calloc_array(d->kinds.count + 1, sizeof *r->kinds);
    r->spin_rates = bg_calloc_array(d->params.count + 1, sizeof *r->spin_rates);
    long *kind_slot = bg_malloc_array(d->kinds.count + 1, sizeof *kind_slot);
    long *rate_slot = bg_malloc_array(d->params.count + 1, sizeof *rate_slot);
    if (!r->kinds || !r->spin_rates || !kind_slot || !rate_slot) {
        free(kind_slot);
        free(rate_slot);
        goto oom;
    }
    for (size_t k = 0; k < d->kinds.count; k++)
        kind_slot[k] = -1;
    for (size_t k = 0; k < d->params.count; k++)
        rate_slot[k] = -1;
    for (size_t i = 0; i < n; i++) {
        if (d->source[i] == NONE)
            continue;
        int partial = kind_partial >= 0 && d->kind[i] == (uint32_t)kind_partial;
        if (partial) {
            r->partials++;
            uint64_t with = cmap_get(&cell, d->pred[i], d->truth[d->source[i]], NONE);
            if (!has_prefix(&d->groups, d->group[i], "site:"))
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
            uint32_t pr = d->param[i];
            if (rate_slot[pr] < 0) {
                rate_slot[pr] = (long)r->nspin_rates++;
                snprintf(r->spin_rates[rate_slot[pr]].name,
                         sizeof r->spin_rates[0].name, "%s",
                         bg_strmap_key(&d->params, pr, NULL));
            }
            r->spin_rates[rate_slot[pr]].total++;
            r->spin_rates[rate_slot[pr]].found += (size_t)found;
        }
    }
    free(kind_slot);
    free(rate_slot);
    qsort(r->kinds, r->nkinds, sizeof *r->kinds, cmp_recall_name);
    qsort(r->spin_rates, r->nspin_rates, sizeof *r->spin_rates, cmp_recall_rate);

    /* false merges by cause */
    r->fm_total = r->pred_pairs - r->tp_pairs;
    r->fm_boilerplate = cmap_pairs(&site_p) - cmap_pairs(&site_pt);
    r->fm_templated = cmap_pairs(&tpl_p) - cmap_pairs(&tpl_pt);
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
    return rc;
}

void bg_score_result_free(bg_score_result *r)
{
    free(r->kinds);
    free(r->spin_rates);
    r->kinds = r->spin_rates = NULL;
    r->nkinds = r->nspin_rates = 0;
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
    fprintf(f, "ARI        %.4f\n\n", r->ari);
    fprintf(f, "recall by edit kind (a copy is found when it shares its source's predicted cluster)\n");
    fprintf(f, "  %-14s %8s %8s %8s\n", "kind", "found", "total", "recall");
    for (size_t i = 0; i < r->nkinds; i++)
        fprintf(f, "  %-14s %8zu %8zu %8.3f\n", r->kinds[i].name,
                r->kinds[i].found, r->kinds[i].total,
                ratio(r->kinds[i].found, r->kinds[i].total));
    if (r->nspin_rates) {
        fprintf(f, "\nrecall by spin rate\n");
        fprintf(f, "  %-14s %8s %8s %8s\n", "rate", "found", "total", "recall");
        for (size_t i = 0; i < r->nspin_rates; i++)
            fprintf(f, "  %-14s %8zu %8zu %8.3f\n", r->spin_rates[i].name,
                    r->spin_rates[i].found, r->spin_rates[i].total,
                    ratio(r->spin_rates[i].found, r->spin_rates[i].total));
    }
    fprintf(f, "\nfalse merges (pairs predicted together, apart in truth)\n");
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
