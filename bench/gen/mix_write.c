/*
 * mix_write.c — the generator's second pass: visit the planned documents in
 * a seeded shuffled order, materialise each one's title and text from its
 * record and its own seeds (spinning, editing, wrapping in site furniture,
 * crediting a reprint, filling a template), and write one line to each of
 * corpus.jsonl, truth.tsv and meta.tsv; then the ambiguous pairs. Memory
 * stays at a few scratch buffers however many documents there are.
 */
#include "mix_impl.h"

#include "edits.h"
#include "rng.h"
#include "spin.h"
#include "templated.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nomem(doppel_error *err)
{
    return bg_error(err, DOPPEL_ERR_NOMEM, "generator: out of memory");
}

static void shuffle_u32(uint32_t *v, size_t n, bg_rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)bg_rng_below(r, i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

typedef struct writer {
    bg_mix *m;
    bg_buf title, text, tmp, tmp2, stitle, stext, dtitle, dtext, param, line;
    bg_mix_summary *sum;
    doppel_error *err;
} writer;

static void json_string(bg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    bg_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        bg_buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': bg_buf_puts(b, "\\\""); break;
        case '\\': bg_buf_puts(b, "\\\\"); break;
        case '\n': bg_buf_puts(b, "\\n"); break;
        case '\t': bg_buf_puts(b, "\\t"); break;
        case '\r': bg_buf_puts(b, "\\r"); break;
        default:
            bg_buf_puts(b, "\\u00");
            bg_buf_putc(b, hex[c >> 4]);
            bg_buf_putc(b, hex[c & 15]);
        }
    }
    bg_buf_append(b, s + run, n - run);
    bg_buf_putc(b, '"');
}

/* Apply one of the simple edits to src into out. */
static int apply_edit(writer *W, int kind, float p, uint32_t site, uint64_t seed,
                      const char *src, size_t len, bg_buf *out)
{
    bg_mix *m = W->m;
    switch (kind) {
    case BG_K_TYPO:
        return bg_typo(src, len, p, seed, out, NULL, NULL, W->err);
    case BG_K_TRUNCATE:
        return bg_truncate(src, len, p, out, NULL, NULL, W->err);
    case BG_K_SENTDEL:
        return bg_sentdel(src, len, p, seed, out, NULL, NULL, NULL, 0, W->err);
    case BG_K_REORDER:
        return bg_reorder(src, len, seed, out, NULL, NULL, 0, W->err);
    case BG_K_HEADFOOT:
        bg_site_wrap(&m->sites[site], src, len, out);
        return out->oom ? nomem(W->err) : 0;
    default:
        return bg_error(W->err, DOPPEL_ERR_PARAM, "unknown edit %d", kind);
    }
}

static void edit_label(bg_buf *b, int kind, float p)
{
    switch (kind) {
    case BG_K_TYPO: bg_buf_printf(b, "typo=%.3f", p); break;
    case BG_K_TRUNCATE: bg_buf_printf(b, "truncate=%.2f", p); break;
    case BG_K_SENTDEL: bg_buf_printf(b, "sentdel=%.2f", p); break;
    default: bg_buf_puts(b, bg__mix_kind_names[kind]); break;
    }
}

static size_t rate_slot(bg_mix_summary *s, double rate)
{
    for (size_t i = 0; i < s->nrates; i++)
        if (fabs(s->rate[i] - rate) < 1e-6)
            return i;
    if (s->nrates == BG_MAX_SPIN_RATES)
        return BG_MAX_SPIN_RATES - 1;
    s->rate[s->nrates] = rate;
    return s->nrates++;
}

static int spin_into(writer *W, const char *src, size_t len, double rate,
                     int profile, uint64_t seed, bg_buf *out, int count)
{
    bg_spin_opts so = {rate, seed, 0, (bg_spin_profile)profile};
    bg_spin_stats st;
    int rc = bg_spin(W->m->wn, src, len, &so, out, &st, NULL, W->err);
    if (rc == 0 && count) {
        size_t k = rate_slot(W->sum, rate);
        W->sum->rate_docs[k][profile]++;
        W->sum->rate_units[k][profile] += st.units;
        W->sum->rate_replaced[k][profile] += st.replaced;
        W->sum->rate_words[k][profile] += st.words;
        W->sum->rate_words_replaced[k][profile] += st.words_replaced;
    }
    return rc;
}

/* Materialise document i into W->title / W->text and its meta param. */
static int make_doc(writer *W, uint32_t i, int64_t *date)
{
    bg_mix *m = W->m;
    const bg_doc *d = &m->docs[i];
    uint64_t seed = m->o.seed;
    uint64_t s_edit = bg_seed_derive(seed, i, BG_S_EDIT);
    bg_buf_clear(&W->title);
    bg_buf_clear(&W->text);
    bg_buf_clear(&W->param);
    int rc = 0;
    bg_text_ref t = {"", "", 0, 0};
    if (d->base != BG_NONE)
        t = bg__mix_base_text(m, d->base, &W->stitle, &W->stext);
    bg_rng dr;
    bg_rng_seed(&dr, bg_seed_derive(seed, i, BG_S_DATE));
    int64_t cluster_date = m->docs[d->cluster].base != BG_NONE
                               ? bg__mix_base_date(m, m->docs[d->cluster].base)
                               : 0;
    *date = cluster_date + (int64_t)bg_rng_range(&dr, 3600, 60 * 86400);

    switch (d->kind) {
    case BG_K_ORIGINAL:
        bg_buf_append(&W->title, t.title, t.title_len);
        bg_buf_append(&W->text, t.text, t.text_len);
        bg__mix_base_id(m, d->base, &W->param);
        *date = cluster_date;
        break;
    case BG_K_SITEPAGE:
        bg_buf_append(&W->title, t.title, t.title_len);
        bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        bg_site_wrap(&m->sites[d->aux], t.text, t.text_len, &W->text);
        bg__mix_base_id(m, d->base, &W->param);
        *date = cluster_date;
        break;
    case BG_K_SPIN:
        rc = spin_into(W, t.text, t.text_len, d->p1, d->spinner, s_edit,
                       &W->text, 1);
        if (rc == 0)
            rc = spin_into(W, t.title, t.title_len, d->p1, d->spinner,
                           bg_seed_derive(seed, i, BG_S_TITLE), &W->title, 0);
        bg_buf_printf(&W->param, "%.2f,%s", d->p1,
                      bg_spin_profile_name((bg_spin_profile)d->spinner));
        break;
    case BG_K_TYPO:
    case BG_K_TRUNCATE:
    case BG_K_SENTDEL:
    case BG_K_REORDER:
    case BG_K_HEADFOOT:
        bg_buf_append(&W->title, t.title, t.title_len);
        if (d->kind == BG_K_HEADFOOT)
            bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        rc = apply_edit(W, d->kind, d->p1, d->aux, s_edit, t.text, t.text_len,
                        &W->text);
        if (d->kind == BG_K_HEADFOOT || d->kind == BG_K_REORDER)
            bg_buf_puts(&W->param, "-");
        else
            bg_buf_printf(&W->param, d->kind == BG_K_TYPO ? "%.3f" : "%.2f", d->p1);
        break;
    case BG_K_COMBO: {
        bg_buf_clear(&W->tmp);
        rc = spin_into(W, t.text, t.text_len, d->p1, d->spinner, s_edit,
                       &W->tmp, 0);
        if (rc == 0)
            rc = spin_into(W, t.title, t.title_len, d->p1, d->spinner,
                           bg_seed_derive(seed, i, BG_S_TITLE), &W->title, 0);
        if (d->edit2 == BG_K_HEADFOOT)
            bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        float p2 = bg__mix_edit_param(&m->o, d->edit2);
        if (rc == 0)
            rc = apply_edit(W, d->edit2, p2, d->aux,
                            bg_seed_derive(seed, i, BG_S_EDIT2), bg_buf_str(&W->tmp),
                            W->tmp.len, &W->text);
        bg_buf_printf(&W->param, "spin=%.2f,%s+", d->p1,
                      bg_spin_profile_name((bg_spin_profile)d->spinner));
        edit_label(&W->param, d->edit2, p2);
        break;
    }
    case BG_K_PARTIAL: {
        /* the donor's text (a plain original, so its base text) */
        uint32_t db = m->docs[d->source].base;
        bg_text_ref dt = bg__mix_base_text(m, db, &W->dtitle, &W->dtext);
        size_t hp, dp;
        bg_count_units(t.text, t.text_len, &hp, NULL);
        bg_count_units(dt.text, dt.text_len, &dp, NULL);
        bg_rng r;
        bg_rng_seed(&r, bg_seed_derive(seed, i, BG_S_LAYOUT));
        size_t count = (size_t)d->p1;
        if (count > dp)
            count = dp;
        size_t first = (size_t)bg_rng_below(&r, dp - count + 1);
        size_t at = (size_t)bg_rng_below(&r, hp + 1);
        bg_buf_append(&W->title, t.title, t.title_len);
        rc = bg_partial(t.text, t.text_len, dt.text, dt.text_len, first, count,
                        at, &W->text, W->err);
        bg_buf_printf(&W->param, "paras=%zu,host=", count);
        bg__mix_base_id(m, d->base, &W->param);
        *date = bg__mix_base_date(m, d->base);
        break;
    }
    case BG_K_SYNDICATED: {
        char name[128];
        bg_outlet_name(d->extra, name, sizeof name);
        bg_buf_clear(&W->tmp);
        if (d->edit2 == 1) {
            rc = bg_truncate(t.text, t.text_len, d->p1, &W->tmp, NULL, NULL, W->err);
            bg_buf_printf(&W->param, "truncate=%.2f", d->p1);
        } else if (d->edit2 == 2) {
            rc = bg_typo(t.text, t.text_len, d->p1, s_edit, &W->tmp, NULL, NULL,
                         W->err);
            bg_buf_printf(&W->param, "typo=%.3f", d->p1);
        } else {
            bg_buf_append(&W->tmp, t.text, t.text_len);
            bg_buf_puts(&W->param, "full");
        }
        bg_buf_append(&W->title, t.title, t.title_len);
        bg_credit(bg_buf_str(&W->tmp), W->tmp.len, name, (unsigned)(d->extra % 3),
                  (int)(bg_seed_derive(seed, i, BG_S_LAYOUT) & 1), &W->text);
        *date = cluster_date + (int64_t)bg_rng_range(&dr, 600, 3 * 86400);
        break;
    }
    case BG_K_TEMPLATED:
        rc = bg_templated((bg_template)d->aux, s_edit, &W->title, &W->text, W->err);
        bg_buf_puts(&W->param, "-");
        *date = 1072915200 + (int64_t)bg_rng_below(&dr, 20 * 365 * 86400ULL);
        break;
    default:
        rc = bg_error(W->err, DOPPEL_ERR_PARAM, "unknown document kind %d", d->kind);
    }
    if (rc == 0 && (W->title.oom || W->text.oom || W->param.oom || W->tmp.oom))
        rc = nomem(W->err);
    return rc;
}

static void group_label(const bg_mix *m, const bg_doc *d, bg_buf *b)
{
    int site = d->kind == BG_K_SITEPAGE || d->kind == BG_K_HEADFOOT
               || (d->kind == BG_K_COMBO && d->edit2 == BG_K_HEADFOOT);
    if (site)
        bg_buf_printf(b, "site:%s", m->sites[d->aux].slug);
    else if (d->kind == BG_K_SYNDICATED || (d->kind == BG_K_ORIGINAL && d->edit2))
        bg_buf_printf(b, "wire:%" PRIu32, d->aux + 1);
    else if (d->kind == BG_K_TEMPLATED)
        bg_buf_printf(b, "template:%s", bg_template_name((bg_template)d->aux));
    else
        bg_buf_putc(b, '-');
}

int bg_mix_write(bg_mix *m, FILE *corpus, FILE *truth, FILE *meta,
                 FILE *ambiguous, bg_mix_summary *sum, doppel_error *err)
{
    bg_mix_summary local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof *sum);
    writer W;
    memset(&W, 0, sizeof W);
    W.m = m;
    W.sum = sum;
    W.err = err;
    int rc = 0;
    uint32_t *order = bg_malloc_array(m->ndocs + 1, sizeof *order);
    if (!order)
        return nomem(err);
    for (size_t i = 0; i < m->ndocs; i++)
        order[i] = (uint32_t)i;
    bg_rng r;
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, 0, BG_S_ORDER));
    shuffle_u32(order, m->ndocs, &r);
    uint64_t id_seed = bg_seed_derive(m->o.seed, 0, BG_S_IDS);

    for (size_t k = 0; k < m->ndocs; k++) {
        uint32_t i = order[k];
        const bg_doc *d = &m->docs[i];
        int64_t date;
        rc = make_doc(&W, i, &date);
        if (rc < 0)
            break;
        char id[13], cid[13], sid[13];
        bg_doc_id(id_seed, i, id);
        bg_doc_id(id_seed, d->cluster, cid);
        bg_buf_clear(&W.line);
        bg_buf_puts(&W.line, "{\"id\":\"");
        bg_buf_puts(&W.line, id);
        bg_buf_puts(&W.line, "\",\"title\":");
        json_string(&W.line, bg_buf_str(&W.title), W.title.len);
        if (m->o.dates) {
            char ds[40];
            bg_format_date(date, ds, sizeof ds);
            bg_buf_printf(&W.line, ",\"date\":\"%s\"", ds);
        }
        bg_buf_puts(&W.line, ",\"text\":");
        json_string(&W.line, bg_buf_str(&W.text), W.text.len);
        bg_buf_puts(&W.line, "}\n");
        if (W.line.oom) {
            rc = nomem(err);
            break;
        }
        fwrite(W.line.data, 1, W.line.len, corpus);
        fprintf(truth, "%s\t%s\n", id, cid);
        if (meta) {
            bg_buf_clear(&W.tmp2);
            group_label(m, d, &W.tmp2);
            if (d->source != BG_NONE)
                bg_doc_id(id_seed, d->source, sid);
            else
                strcpy(sid, "-");
            int is_orig = d->kind == BG_K_ORIGINAL || d->kind == BG_K_SITEPAGE
                          || d->kind == BG_K_PARTIAL || d->kind == BG_K_TEMPLATED;
            fprintf(meta, "%s\t%s\t%s\t%s\t%s\t%d\n", id, bg__mix_kind_names[d->kind],
                    bg_buf_str(&W.param), sid, bg_buf_str(&W.tmp2), is_orig);
        }
        sum->kind_count[d->kind]++;
        if ((k & 1023) == 0 && (ferror(corpus) || ferror(truth) || (meta && ferror(meta))))
            break;
    }
    for (size_t k = 0; rc == 0 && ambiguous && k < m->namb; k++) {
        char a[13], b[13];
        bg_doc_id(id_seed, m->amb[2 * k], a);
        bg_doc_id(id_seed, m->amb[2 * k + 1], b);
        fprintf(ambiguous, "%s\t%s\t%.4f\n", a, b, (double)m->amb_j[k]);
    }
    if (rc == 0 && (ferror(corpus) || ferror(truth) || (meta && ferror(meta))
                    || (ambiguous && ferror(ambiguous))))
        rc = bg_error(err, DOPPEL_ERR_IO, "write error (disk full?)");
    sum->near_merged = m->near_merged;
    sum->near_ambiguous = m->namb;
    sum->near_related = m->near_related;

    sum->documents = m->ndocs;
    for (size_t i = 0; i < m->ndocs; i++)
        sum->clusters += m->docs[i].cluster == i;
    sum->base_real = m->nbases < m->nreal ? m->nbases : m->nreal;
    sum->base_synthetic = m->nsynth;
    sum->nkinds = BG_K_COUNT;
    for (int k = 0; k < BG_K_COUNT; k++)
        sum->kind_name[k] = bg__mix_kind_names[k];
    sum->nsites_total = m->nbig + m->nsmall;
    sum->smallest_big_site_docs = SIZE_MAX;
    sum->smallest_wire_cluster = SIZE_MAX;
    for (size_t s = 0; s < m->nbig + m->nsmall; s++) {
        if (m->site_docs[s] > sum->largest_site_docs)
            sum->largest_site_docs = m->site_docs[s];
        if (s < m->nbig && m->site_docs[s] < sum->smallest_big_site_docs)
            sum->smallest_big_site_docs = m->site_docs[s];
    }
    for (size_t w = 0; w < m->nwire; w++) {
        size_t c = m->wire_size[w] + 1;
        if (c > sum->largest_wire_cluster)
            sum->largest_wire_cluster = c;
        if (c < sum->smallest_wire_cluster)
            sum->smallest_wire_cluster = c;
    }
    if (sum->smallest_big_site_docs == SIZE_MAX)
        sum->smallest_big_site_docs = 0;
    if (sum->smallest_wire_cluster == SIZE_MAX)
        sum->smallest_wire_cluster = 0;

    free(order);
    bg_buf *bufs[] = {&W.title, &W.text, &W.tmp, &W.tmp2, &W.stitle, &W.stext,
                      &W.dtitle, &W.dtext, &W.param, &W.line};
    for (size_t b = 0; b < sizeof bufs / sizeof bufs[0]; b++)
        bg_buf_free(bufs[b]);
    return rc;
}
