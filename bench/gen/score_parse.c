/*
 * score_parse.c — read the scorer's inputs (score.h has the formats): the
 * truth, meta and prediction files and the optional ambiguous pairs, each
 * checked line by line so that a malformed file is reported as
 * `file:line: what is wrong`, with the value.
 */
#include "score_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int bg_score_parse_ambiguous(bg_score_data *d, const char *text, size_t len,
                             const char *name, doppel_error *err)
{
    lines L = {text, text + len, name, 0};
    const char *f[8];
    size_t fl[8];
    char msg[256];
    int nf;
    while ((nf = next_line(&L, f, fl, 8)) > 0) {
        if (L.line == 1 && fl[0] == 4 && memcmp(f[0], "id_a", 4) == 0)
            continue;
        if (nf < 2) {
            snprintf(msg, sizeof msg,
                     "expected at least 2 tab-separated fields (id_a, id_b), "
                     "got %d", nf);
            return fmt_error(err, &L, msg);
        }
        long a = bg_strmap_get(&d->ids, f[0], fl[0]);
        long b = bg_strmap_get(&d->ids, f[1], fl[1]);
        if (a < 0 || b < 0) {
            int k = a < 0 ? 0 : 1;
            snprintf(msg, sizeof msg, "id not in the truth file ('%.*s')",
                     (int)(fl[k] > 60 ? 60 : fl[k]), f[k]);
            return fmt_error(err, &L, msg);
        }
        if (bg_grow((void **)&d->amb, &d->ambcap, 2 * (d->namb + 1),
                    sizeof *d->amb) < 0)
            return nomem(err);
        d->amb[2 * d->namb] = (uint32_t)a;
        d->amb[2 * d->namb + 1] = (uint32_t)b;
        d->namb++;
    }
    return 0;
}

int bg_score_load(bg_score_data **out, const char *truth_path,
                  const char *meta_path, const char *pred_path,
                  const char *ambiguous_path, doppel_error *err)
{
    char *t = NULL, *m = NULL, *p = NULL, *a = NULL;
    size_t tl = 0, ml = 0, pl = 0, al = 0;
    *out = NULL;
    int rc = slurp(truth_path, &t, &tl, err);
    if (rc == 0)
        rc = slurp(meta_path, &m, &ml, err);
    if (rc == 0)
        rc = slurp(pred_path, &p, &pl, err);
    if (rc == 0 && ambiguous_path)
        rc = slurp(ambiguous_path, &a, &al, err);
    if (rc == 0)
        rc = bg_score_parse(out, t ? t : "", tl, truth_path, m ? m : "", ml,
                            meta_path, p ? p : "", pl, pred_path, err);
    if (rc == 0 && ambiguous_path) {
        rc = bg_score_parse_ambiguous(*out, a ? a : "", al, ambiguous_path, err);
        if (rc < 0) {
            bg_score_data_free(*out);
            *out = NULL;
        }
    }
    free(t);
    free(m);
    free(p);
    free(a);
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
    free(d->amb);
    free(d);
}
