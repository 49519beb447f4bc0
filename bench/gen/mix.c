/*
 * mix.c — plan the benchmark (mix.h has the two passes; mix_write.c writes).
 *
 * Roles of base articles (each used at most once):
 *   original  published as is; copies are made from these only
 *   sitepage  published only on a big site, inside its header and footer
 *   wire      a wire story: published once as is, then reprinted by outlets
 *   host      NOT published; receives a donor's paragraphs (partial copy)
 * Articles with a near-duplicate among the real ones (a --dup-pairs pair, or
 * word-5-shingle Jaccard >= ambiguous_jaccard, found by neardup.c) are only
 * ever originals; the truth merges those at >= merge_jaccard and the --dup-pairs
 * (union-find over the pairs), and lists those in between as ambiguous.
 *
 * Truth clusters: an original (with its real near-duplicates) and every copy
 * made from it; each sitepage, partial copy and templated story alone. The
 * cluster label is the id of the cluster's first original.
 *
 * Scaling (--scale N): copy counts scale by f = N / (the mix's own size,
 * counted with at least 2,518 base articles); for f > 1 the big sites and
 * wire stories are repeated round(f) times at their given sizes (more sites,
 * not bigger footers), for f < 1 their sizes shrink by f. The number of
 * plain originals then makes the total exactly N, drawing on synthetic
 * originals (mix_base.c) once the real articles run out.
 *
 * The plan is a sequence of steps over one seeded random stream, each O(n):
 * measure the articles, size the mix, assign roles, build the sites, collect
 * sentences for synthetic originals, then plan originals, spins, edits,
 * partial copies, reprints and templated stories.
 */
#include "mix_impl.h"

#include "edits.h"
#include "neardup.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BBC (2,225) + Wikinews (293): the corpus the default mix is sized for. */
#define BG_REFERENCE_ARTICLES 2518

const char *const bg__mix_kind_names[BG_K_COUNT] = {
    "original", "sitepage", "spin", "typo", "truncate", "sentdel",
    "reorder", "headfoot", "combo", "partial", "syndicated", "templated"};

void bg_mix_opts_default(bg_mix_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    const double rates[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.7};
    memcpy(o->spin_rates, rates, sizeof rates);
    o->nspin_rates = 6;
    o->spin_per_rate = 250;
    o->typo = o->truncate = o->sentdel = o->reorder = o->headfoot = 300;
    o->combo = 300;
    o->typo_rate = 0.03;
    o->truncate_frac = 0.5;
    o->sentdel_frac = 0.25;
    o->partial = 200;
    o->templated = 150;
    o->site_pages[0] = 500;
    o->site_pages[1] = 150;
    o->nsites = 2;
    o->small_sites = 6;
    o->wire_copies[0] = 400;
    o->wire_copies[1] = 100;
    o->nwires = 2;
    o->spinner = BG_MIX_SPIN_MIXED;
    o->merge_jaccard = 0.5;
    o->ambiguous_jaccard = 0.3;
}

size_t bg_mix_documents(const bg_mix *m)
{
    return m->ndocs;
}

float bg__mix_edit_param(const bg_mix_opts *o, int kind)
{
    switch (kind) {
    case BG_K_TYPO:
        return (float)o->typo_rate;
    case BG_K_TRUNCATE:
        return (float)o->truncate_frac;
    case BG_K_SENTDEL:
        return (float)o->sentdel_frac;
    default:
        return 0.0f;
    }
}

/* ------------------------------------------------------------ utilities */

static int nomem(doppel_error *err)
{
    return bg_error(err, DOPPEL_ERR_NOMEM, "generator: out of memory");
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
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

static size_t scaled(size_t n, double f)
{
    return (size_t)llround((double)n * f);
}

static int push_doc(bg_mix *m, const bg_doc *d)
{
    if (m->ndocs >= UINT32_MAX - 1)
        return -1;
    if (bg_grow((void **)&m->docs, &m->capdocs, m->ndocs + 1, sizeof *m->docs) < 0)
        return -1;
    m->docs[m->ndocs++] = *d;
    return 0;
}

static bg_doc new_doc(int kind, uint32_t base, uint32_t source)
{
    bg_doc d;
    memset(&d, 0, sizeof d);
    d.kind = (uint8_t)kind;
    d.base = base;
    d.source = source;
    d.cluster = BG_NONE;
    d.aux = BG_NONE;
    return d;
}

/* -------------------------------------------------------------- planning */

typedef struct planner {
    bg_mix *m;
    bg_rng r;                /* the one stream every step draws from */
    doppel_error *err;
    const uint32_t *dups;    /* pairs of real duplicates */
    size_t ndups;
    bg_neardup_pair *near;   /* real pairs at >= the lower threshold */
    size_t nnear;
    unsigned char *is_dup;   /* per real article: in a dup or near pair */
    uint32_t *order;         /* the used bases in a seeded order */
    size_t nused;
    uint32_t *hosts;         /* hosts of the partial copies */
    uint32_t *orig_doc;      /* per base: its published document */
    uint32_t *srcs;          /* documents that are plain originals */
    size_t nsrcs;
} planner;

static void planner_free(planner *P)
{
    free(P->near);
    free(P->is_dup);
    free(P->order);
    free(P->hosts);
    free(P->orig_doc);
    free(P->srcs);
}

/* A random plain original whose base satisfies the minimum sizes. */
static uint32_t pick_source(planner *P, size_t min_paras, size_t min_sents)
{
    bg_mix *m = P->m;
    uint32_t d = P->srcs[bg_rng_below(&P->r, P->nsrcs)];
    for (int tries = 0; tries < 200; tries++) {
        uint32_t b = m->docs[d].base;
        if (bg__mix_base_paras(m, b) >= min_paras
            && bg__mix_base_sents(m, b) >= min_sents)
            return d;
        d = P->srcs[bg_rng_below(&P->r, P->nsrcs)];
    }
    return d; /* a corpus of one-paragraph articles: take what there is */
}

/* What a source needs for an edit to change it. */
static void edit_needs(int kind, size_t *paras, size_t *sents)
{
    *paras = kind == BG_K_REORDER ? 3 : 1;
    *sents = kind == BG_K_SENTDEL ? 3 : 1;
}

/* The spinner of a spun copy: the one asked for, or a draw of the two. */
static uint8_t pick_spinner(planner *P)
{
    if (P->m->o.spinner == BG_MIX_SPIN_MIXED)
        return (uint8_t)bg_rng_below(&P->r, BG_SPIN_PROFILES);
    return (uint8_t)P->m->o.spinner;
}

static int plan_copy(planner *P, int kind, uint32_t src, float p1, int edit2,
                     uint32_t aux, uint8_t spinner)
{
    bg_mix *m = P->m;
    bg_doc d = new_doc(kind, m->docs[src].base, src);
    d.p1 = p1;
    d.edit2 = (uint8_t)edit2;
    d.spinner = spinner;
    d.aux = aux;
    d.cluster = m->docs[src].cluster;
    if (aux != BG_NONE
        && (kind == BG_K_HEADFOOT || (kind == BG_K_COMBO && edit2 == BG_K_HEADFOOT)))
        m->site_docs[aux]++;
    return push_doc(m, &d) < 0 ? nomem(P->err) : 0;
}

static int check_opts(const bg_mix_opts *o, doppel_error *err)
{
    if (o->spinner < 0 || o->spinner > BG_MIX_SPIN_MIXED)
        return bg_error(err, DOPPEL_ERR_PARAM, "unknown spinner %d", o->spinner);
    if (!(o->merge_jaccard >= 0.0 && o->merge_jaccard <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "merge Jaccard must be in [0, 1] (0: off), got %g",
                        o->merge_jaccard);
    if (!(o->ambiguous_jaccard >= 0.0 && o->ambiguous_jaccard <= 1.0)
        || (o->merge_jaccard > 0 && o->ambiguous_jaccard > o->merge_jaccard))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "ambiguous Jaccard must be in [0, merge Jaccard %g] "
                        "(0: off), got %g", o->merge_jaccard,
                        o->ambiguous_jaccard);
    for (size_t i = 0; i < o->nspin_rates; i++)
        if (!(o->spin_rates[i] > 0.0 && o->spin_rates[i] <= 1.0))
            return bg_error(err, DOPPEL_ERR_PARAM,
                            "spin rates must be in (0, 1], got %g",
                            o->spin_rates[i]);
    if (o->nspin_rates == 0 && (o->spin_per_rate || o->combo))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "spun and combo copies need at least one spin rate");
    if (!(o->typo_rate > 0 && o->typo_rate <= 1))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "typo rate must be in (0, 1], got %g", o->typo_rate);
    if (!(o->truncate_frac > 0 && o->truncate_frac < 1))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "truncation fraction must be in (0, 1), got %g",
                        o->truncate_frac);
    if (!(o->sentdel_frac > 0 && o->sentdel_frac < 1))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "sentence deletion fraction must be in (0, 1), got %g",
                        o->sentdel_frac);
    if ((o->headfoot || o->combo) && o->small_sites == 0)
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "headfoot and combo copies need --small-sites >= 1");
    return 0;
}

/* Paragraph and sentence counts of the real articles; which are duplicates
 * (given pairs, and pairs found at the lower of the two Jaccard thresholds). */
static int measure_articles(planner *P)
{
    bg_mix *m = P->m;
    m->npara = malloc(m->nreal);
    m->nsent = bg_malloc_array(m->nreal, sizeof *m->nsent);
    P->is_dup = calloc(m->nreal, 1);
    if (!m->npara || !m->nsent || !P->is_dup)
        return nomem(P->err);
    for (size_t i = 0; i < m->nreal; i++) {
        size_t np, ns;
        if (bg_count_units(m->arts[i].text, m->arts[i].text_len, &np, &ns) < 0)
            return nomem(P->err);
        m->npara[i] = (uint8_t)(np > 255 ? 255 : np);
        m->nsent[i] = (uint16_t)(ns > 65535 ? 65535 : ns);
    }
    for (size_t k = 0; k < P->ndups; k++) {
        uint32_t a = P->dups[2 * k], b = P->dups[2 * k + 1];
        if (a < m->nreal && b < m->nreal && a != b)
            P->is_dup[a] = P->is_dup[b] = 1;
    }
    const bg_mix_opts *o = &m->o;
    double t = o->ambiguous_jaccard > 0 ? o->ambiguous_jaccard : o->merge_jaccard;
    if (t > 0) {
        int rc = bg_neardup_pairs(m->arts, m->nreal, t, &P->near, &P->nnear,
                                  P->err);
        if (rc < 0)
            return rc;
    }
    for (size_t k = 0; k < P->nnear; k++)
        P->is_dup[P->near[k].a] = P->is_dup[P->near[k].b] = 1;
    for (size_t i = 0; i < m->nreal; i++)
        m->near_related += P->is_dup[i];
    return 0;
}

/* How many of everything: scale the counts, size the sites and wire
 * stories, and decide how many base articles (and synthetic ones) to use. */
static int plan_sizes(planner *P)
{
    bg_mix *m = P->m;
    bg_mix_opts *o = &m->o;
    size_t nspin = o->nspin_rates * o->spin_per_rate;
    size_t nedit = o->typo + o->truncate + o->sentdel + o->reorder + o->headfoot
                   + o->combo;
    size_t site_total = 0, wire_total = 0;
    for (size_t k = 0; k < o->nsites; k++)
        site_total += o->site_pages[k];
    for (size_t k = 0; k < o->nwires; k++)
        wire_total += o->wire_copies[k];
    /* the mix's own size, counted as if at least BG_REFERENCE_ARTICLES base
     * articles were given, so that the proportions at a given --scale do not
     * depend on how many real articles there are (synthetic ones fill in) */
    size_t nref = m->nreal > BG_REFERENCE_ARTICLES ? m->nreal : BG_REFERENCE_ARTICLES;
    size_t mix_docs = nref - (o->partial < nref ? o->partial : nref) + nspin
                      + nedit + o->partial + wire_total + o->templated;
    size_t reps = 1;
    m->nsmall = o->small_sites;
    if (o->scale) {
        double f = (double)o->scale / (double)mix_docs;
        size_t *counts[] = {&o->spin_per_rate, &o->typo,    &o->truncate,
                            &o->sentdel,       &o->reorder, &o->headfoot,
                            &o->combo,         &o->partial, &o->templated};
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
            *counts[k] = scaled(*counts[k], f);
        if (f <= 1.0) {
            for (size_t k = 0; k < o->nsites; k++) /* at least 2 pages */
                if (o->site_pages[k] && (o->site_pages[k] = scaled(o->site_pages[k], f)) < 2)
                    o->site_pages[k] = 2;
            for (size_t k = 0; k < o->nwires; k++) /* at least 2 reprints */
                if (o->wire_copies[k] && (o->wire_copies[k] = scaled(o->wire_copies[k], f)) < 2)
                    o->wire_copies[k] = 2;
        } else {
            reps = (size_t)llround(f);
            m->nsmall = o->small_sites * reps;
        }
    }
    m->nbig = o->nsites * reps;
    m->nwire = o->nwires * reps;
    nspin = o->nspin_rates * o->spin_per_rate;
    nedit = o->typo + o->truncate + o->sentdel + o->reorder + o->headfoot + o->combo;
    m->wire_size = bg_calloc_array(m->nwire + 1, sizeof *m->wire_size);
    m->wire_doc = bg_calloc_array(m->nwire + 1, sizeof *m->wire_doc);
    m->site_docs = bg_calloc_array(m->nbig + m->nsmall + 1, sizeof *m->site_docs);
    if (!m->wire_size || !m->wire_doc || !m->site_docs)
        return nomem(P->err);
    site_total = wire_total = 0;
    for (size_t k = 0; k < m->nbig; k++) {
        m->site_docs[k] = o->site_pages[k % o->nsites];
        site_total += m->site_docs[k];
    }
    for (size_t k = 0; k < m->nwire; k++) {
        m->wire_size[k] = o->wire_copies[k % o->nwires];
        wire_total += m->wire_size[k];
    }
    size_t copies = nspin + nedit + o->partial + wire_total + o->templated;
    if (o->scale) {
        if (o->scale < copies + site_total + m->nwire + 10)
            return bg_error(P->err, DOPPEL_ERR_PARAM,
                            "--scale %zu is too small for the mix (it needs "
                            "more than %zu documents)", o->scale,
                            copies + site_total + m->nwire + 10);
        m->nbases = o->scale - copies + o->partial;
    } else {
        m->nbases = m->nreal;
    }
    size_t special = o->partial + site_total + m->nwire;
    if (m->nbases < special + 10 || (!o->scale && m->nreal < special + 10))
        return bg_error(P->err, DOPPEL_ERR_PARAM,
                        "%zu base articles cannot supply %zu partial-copy "
                        "hosts, %zu site pages and %zu wire stories plus "
                        "originals to copy; lower the counts or use --scale",
                        m->nbases, o->partial, site_total, m->nwire);
    if (m->nbases >= UINT32_MAX / 2)
        return bg_error(P->err, DOPPEL_ERR_PARAM, "--scale %zu is too large",
                        o->scale);
    m->nsynth = m->nbases > m->nreal ? m->nbases - m->nreal : 0;
    return 0;
}

/* Roles: a seeded order over the used bases; wire stories first (real, not
 * duplicated, 4+ paragraphs), then hosts, then site pages; the rest are
 * plain originals. */
static int assign_roles(planner *P)
{
    bg_mix *m = P->m;
    size_t nreal = m->nreal, all = nreal + m->nsynth;
    size_t nused_real = m->nbases < nreal ? m->nbases : nreal;
    m->role = calloc(all, 1);
    m->base_aux = bg_malloc_array(all, sizeof *m->base_aux);
    P->order = bg_malloc_array(all, sizeof *P->order);
    P->hosts = bg_malloc_array(m->o.partial + 1, sizeof *P->hosts);
    if (!m->role || !m->base_aux || !P->order || !P->hosts)
        return nomem(P->err);
    uint32_t *order = P->order;
    for (size_t i = 0; i < nreal; i++)
        order[i] = (uint32_t)i;
    shuffle_u32(order, nreal, &P->r); /* which real articles, when not all */
    for (size_t i = 0; i < m->nsynth; i++)
        order[nused_real + i] = (uint32_t)(nreal + i);
    size_t nused = P->nused = nused_real + m->nsynth;
    shuffle_u32(order, nused, &P->r);
    for (size_t i = 0; i < all; i++)
        m->base_aux[i] = BG_NONE;
    for (size_t i = 0; i < nused; i++)
        m->role[order[i]] = BG_R_ORIGINAL;
    size_t w = 0;
    for (int pass = 0; pass < 2; pass++) /* pass 1: any real one */
        for (size_t i = 0; i < nused && w < m->nwire; i++) {
            uint32_t b = order[i];
            if (b < nreal && !P->is_dup[b] && m->role[b] == BG_R_ORIGINAL
                && (pass == 1 || m->npara[b] >= 4)) {
                m->role[b] = BG_R_WIRE;
                m->base_aux[b] = (uint32_t)w++;
            }
        }
    if (w < m->nwire)
        return bg_error(P->err, DOPPEL_ERR_PARAM,
                        "not enough real articles for %zu wire stories", m->nwire);
    size_t nh = 0, site = 0, on_site = 0;
    for (size_t i = 0; i < nused; i++) {
        uint32_t b = order[i];
        if (m->role[b] != BG_R_ORIGINAL || (b < nreal && P->is_dup[b]))
            continue;
        if (nh < m->o.partial) {
            m->role[b] = BG_R_HOST;
            P->hosts[nh++] = b;
            continue;
        }
        while (site < m->nbig && on_site >= m->site_docs[site]) {
            site++;
            on_site = 0;
        }
        if (site == m->nbig)
            break;
        m->role[b] = BG_R_SITEPAGE;
        m->base_aux[b] = (uint32_t)site;
        on_site++;
    }
    while (site < m->nbig && on_site >= m->site_docs[site]) {
        site++;
        on_site = 0;
    }
    if (nh < m->o.partial || site < m->nbig)
        return bg_error(P->err, DOPPEL_ERR_PARAM,
                        "not enough articles for the partial-copy hosts and "
                        "site pages (real duplicates cannot take these roles)");
    return 0;
}

/* Site furniture: footers draw on real titles, each with a caption (the start
 * of the article's first sentence). */
static int make_sites(planner *P)
{
    bg_mix *m = P->m;
    m->headlines = bg_calloc_array(m->nreal, sizeof *m->headlines);
    m->sites = bg_calloc_array(m->nbig + m->nsmall + 1, sizeof *m->sites);
    if (!m->headlines || !m->sites)
        return nomem(P->err);
    for (size_t i = 0; i < m->nreal; i++) {
        const bg_article *a = &m->arts[i];
        if (a->title_len == 0)
            continue;
        bg_headline *h = &m->headlines[m->nheadlines++];
        h->title = a->title;
        h->title_len = a->title_len;
        size_t words = 0, j = 0, end = 0;
        while (j < a->text_len && words < 9 && a->text[j] != '\n') {
            while (j < a->text_len && a->text[j] == ' ')
                j++;
            while (j < a->text_len && !bg_is_space(a->text[j]))
                j++;
            end = j;
            words++;
        }
        while (end > 0 && strchr(".,;:!?\"'", a->text[end - 1]))
            end--;
        h->caption = end ? a->text : NULL;
        h->caption_len = end;
    }
    for (size_t s = 0; s < m->nbig + m->nsmall; s++) {
        int rc = bg_site_make(&m->sites[s], s,
                              bg_seed_derive(m->o.seed, s, BG_S_SITE),
                              m->headlines, m->nheadlines, P->err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Sentences of 6-60 words for synthetic originals (never from hosts, which
 * must stay out of the corpus). */
static int make_sentence_pool(planner *P)
{
    bg_mix *m = P->m;
    if (m->nsynth == 0)
        return 0;
    bg_spans paras = {0}, sents = {0};
    size_t capp = 0;
    int rc = 0;
    for (size_t i = 0; i < m->nreal && rc == 0; i++) {
        if (m->role[i] == BG_R_HOST)
            continue;
        const char *t = m->arts[i].text;
        paras.n = sents.n = 0;
        if (bg_split_paragraphs(t, m->arts[i].text_len, &paras) < 0)
            rc = -1;
        for (size_t p = 0; p < paras.n && rc == 0; p++)
            if (bg_split_sentences(t, paras.v[p].start, paras.v[p].end, &sents) < 0)
                rc = -1;
        for (size_t s = 0; s < sents.n && rc == 0; s++) {
            size_t words = 1;
            for (size_t c = sents.v[s].start; c < sents.v[s].end; c++)
                words += t[c] == ' ';
            if (words < 6 || words > 60)
                continue;
            size_t c2 = capp;
            if (bg_grow((void **)&m->pool, &capp, m->npool + 1, sizeof *m->pool) < 0
                || bg_grow((void **)&m->pool_art, &c2, m->npool + 1,
                           sizeof *m->pool_art) < 0) {
                rc = -1;
                break;
            }
            m->pool[m->npool] = sents.v[s];
            m->pool_art[m->npool++] = (uint32_t)i;
        }
    }
    bg_spans_free(&paras);
    bg_spans_free(&sents);
    if (rc < 0)
        return nomem(P->err);
    if (m->npool == 0)
        return bg_error(P->err, DOPPEL_ERR_PARAM,
                        "no sentences of 6-60 words to build synthetic "
                        "originals from");
    return 0;
}

/* One document per published base; real duplicates (given pairs, and pairs
 * at >= merge_jaccard) share a cluster; pairs in [ambiguous_jaccard,
 * merge_jaccard) between different clusters are kept as ambiguous; the plain
 * originals become the sources of copies. */
static int plan_originals(planner *P)
{
    bg_mix *m = P->m;
    size_t all = m->nreal + m->nsynth;
    P->orig_doc = bg_malloc_array(all, sizeof *P->orig_doc);
    uint32_t *uf = bg_malloc_array(m->nreal, sizeof *uf);
    if (!P->orig_doc || !uf) {
        free(uf);
        return nomem(P->err);
    }
    for (size_t b = 0; b < all; b++) {
        P->orig_doc[b] = BG_NONE;
        int role = m->role[b];
        if (role == BG_R_UNUSED || role == BG_R_HOST)
            continue;
        bg_doc d = new_doc(role == BG_R_SITEPAGE ? BG_K_SITEPAGE : BG_K_ORIGINAL,
                           (uint32_t)b, BG_NONE);
        d.aux = m->base_aux[b];
        d.edit2 = role == BG_R_WIRE; /* marks a wire original */
        d.cluster = (uint32_t)m->ndocs;
        P->orig_doc[b] = (uint32_t)m->ndocs;
        if (role == BG_R_WIRE)
            m->wire_doc[m->base_aux[b]] = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0) {
            free(uf);
            return nomem(P->err);
        }
    }
    for (size_t i = 0; i < m->nreal; i++)
        uf[i] = (uint32_t)i;
    const double merge = m->o.merge_jaccard;
    for (size_t k = 0; k < P->ndups + P->nnear; k++) {
        uint32_t a, b;
        if (k < P->ndups) {
            a = P->dups[2 * k];
            b = P->dups[2 * k + 1];
        } else {
            const bg_neardup_pair *q = &P->near[k - P->ndups];
            if (!(merge > 0 && q->jaccard >= merge))
                continue;
            a = q->a;
            b = q->b;
        }
        if (a >= m->nreal || b >= m->nreal || a == b || P->orig_doc[a] == BG_NONE
            || P->orig_doc[b] == BG_NONE)
            continue;
        m->near_merged += k >= P->ndups;
        uint32_t ra = uf_find(uf, a), rb = uf_find(uf, b);
        if (ra != rb)
            uf[ra > rb ? ra : rb] = ra < rb ? ra : rb;
    }
    for (size_t i = 0; i < m->ndocs; i++) {
        uint32_t b = m->docs[i].base;
        if (b < m->nreal && P->is_dup[b])
            m->docs[i].cluster = P->orig_doc[uf_find(uf, b)];
    }
    /* ambiguous pairs: published, below the merge threshold, and still in
     * different true clusters after the merges */
    size_t cap_amb = 0, cap_j = 0;
    for (size_t k = 0; k < P->nnear; k++) {
        const bg_neardup_pair *q = &P->near[k];
        if ((merge > 0 && q->jaccard >= merge) || P->orig_doc[q->a] == BG_NONE
            || P->orig_doc[q->b] == BG_NONE
            || uf_find(uf, q->a) == uf_find(uf, q->b))
            continue;
        if (bg_grow((void **)&m->amb, &cap_amb, 2 * (m->namb + 1), sizeof *m->amb) < 0
            || bg_grow((void **)&m->amb_j, &cap_j, m->namb + 1, sizeof *m->amb_j) < 0) {
            free(uf);
            return nomem(P->err);
        }
        m->amb[2 * m->namb] = P->orig_doc[q->a];
        m->amb[2 * m->namb + 1] = P->orig_doc[q->b];
        m->amb_j[m->namb++] = (float)q->jaccard;
    }
    free(uf);
    P->srcs = bg_malloc_array(m->ndocs + 1, sizeof *P->srcs);
    if (!P->srcs)
        return nomem(P->err);
    for (size_t i = 0; i < m->ndocs; i++)
        if (m->docs[i].kind == BG_K_ORIGINAL && !m->docs[i].edit2)
            P->srcs[P->nsrcs++] = (uint32_t)i;
    return 0;
}

/* Spun copies: each source takes 1 (60%), 2 (25%) or 3 (15%) of the
 * shuffled spin jobs, so some originals have several spins. */
static int plan_spins(planner *P)
{
    bg_mix *m = P->m;
    const bg_mix_opts *o = &m->o;
    size_t nspin = o->nspin_rates * o->spin_per_rate;
    uint32_t *jobs = bg_malloc_array(nspin + 1, sizeof *jobs);
    uint32_t *src_order = bg_malloc_array(P->nsrcs + 1, sizeof *src_order);
    int rc = 0;
    if (!jobs || !src_order) {
        rc = nomem(P->err);
        goto done;
    }
    for (size_t i = 0; i < nspin; i++)
        jobs[i] = (uint32_t)(i / o->spin_per_rate);
    shuffle_u32(jobs, nspin, &P->r);
    memcpy(src_order, P->srcs, P->nsrcs * sizeof *src_order);
    shuffle_u32(src_order, P->nsrcs, &P->r);
    for (size_t j = 0, s = 0; j < nspin && rc == 0; s++) {
        uint32_t src = src_order[s % P->nsrcs];
        double u = bg_rng_double(&P->r);
        size_t k = u < 0.60 ? 1 : u < 0.85 ? 2 : 3;
        for (size_t q = 0; q < k && j < nspin && rc == 0; q++, j++)
            rc = plan_copy(P, BG_K_SPIN, src, (float)o->spin_rates[jobs[j]], 0,
                           BG_NONE, pick_spinner(P));
    }
done:
    free(jobs);
    free(src_order);
    return rc;
}

/* Single edits, then spin + one of them. */
static int plan_edits(planner *P)
{
    bg_mix *m = P->m;
    const bg_mix_opts *o = &m->o;
    const struct {
        int kind;
        size_t count;
    } single[5] = {{BG_K_TYPO, o->typo},       {BG_K_TRUNCATE, o->truncate},
                   {BG_K_SENTDEL, o->sentdel}, {BG_K_REORDER, o->reorder},
                   {BG_K_HEADFOOT, o->headfoot}};
    int rc = 0;
    for (size_t e = 0; e < 5; e++)
        for (size_t i = 0; i < single[e].count && rc == 0; i++) {
            size_t np, ns;
            edit_needs(single[e].kind, &np, &ns);
            uint32_t aux = single[e].kind == BG_K_HEADFOOT
                               ? (uint32_t)(m->nbig + bg_rng_below(&P->r, m->nsmall))
                               : BG_NONE;
            uint32_t src = pick_source(P, np, ns);
            rc = plan_copy(P, single[e].kind, src,
                           bg__mix_edit_param(o, single[e].kind), 0, aux, 0);
        }
    static const int second[5] = {BG_K_TYPO, BG_K_TRUNCATE, BG_K_SENTDEL,
                                  BG_K_REORDER, BG_K_HEADFOOT};
    for (size_t i = 0; i < o->combo && rc == 0; i++) {
        int e2 = second[bg_rng_below(&P->r, 5)];
        size_t np, ns;
        edit_needs(e2, &np, &ns);
        double rate = o->spin_rates[bg_rng_below(&P->r, o->nspin_rates)];
        uint32_t aux = e2 == BG_K_HEADFOOT
                           ? (uint32_t)(m->nbig + bg_rng_below(&P->r, m->nsmall))
                           : BG_NONE;
        uint32_t src = pick_source(P, np, ns);
        rc = plan_copy(P, BG_K_COMBO, src, (float)rate, e2, aux, pick_spinner(P));
    }
    return rc;
}

/* Partial copies: an unpublished host + 1-3 paragraphs of a donor (never
 * all of the donor's paragraphs). */
static int plan_partials(planner *P)
{
    bg_mix *m = P->m;
    for (size_t i = 0; i < m->o.partial; i++) {
        uint32_t donor = pick_source(P, 2, 2);
        size_t dp = bg__mix_base_paras(m, m->docs[donor].base);
        size_t maxc = dp > 1 ? dp - 1 : 1;
        if (maxc > 3)
            maxc = 3;
        bg_doc d = new_doc(BG_K_PARTIAL, P->hosts[i], donor);
        d.p1 = (float)bg_rng_range(&P->r, 1, maxc);
        d.cluster = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0)
            return nomem(P->err);
    }
    return 0;
}

/* Reprints of each wire story by distinct outlets: 30% cut to 40-90% of the
 * words, 20% with 1-3% typos, the rest in full. */
static int plan_reprints(planner *P)
{
    bg_mix *m = P->m;
    for (size_t s = 0; s < m->nwire; s++) {
        uint32_t wd = m->wire_doc[s];
        size_t outlet0 = (size_t)bg_rng_below(&P->r, 960);
        for (size_t i = 0; i < m->wire_size[s]; i++) {
            bg_doc d = new_doc(BG_K_SYNDICATED, m->docs[wd].base, wd);
            d.aux = (uint32_t)s;
            d.extra = (uint32_t)((outlet0 + i) % 960 + (i / 960) * 960);
            double u = bg_rng_double(&P->r);
            if (u < 0.30) {
                d.edit2 = 1;
                d.p1 = (float)bg_rng_uniform(&P->r, 0.40, 0.90);
            } else if (u < 0.50) {
                d.edit2 = 2;
                d.p1 = (float)bg_rng_uniform(&P->r, 0.01, 0.03);
            }
            d.cluster = m->docs[wd].cluster;
            if (push_doc(m, &d) < 0)
                return nomem(P->err);
        }
    }
    return 0;
}

/* Templated stories, alternating families; each its own cluster. */
static int plan_templated(planner *P)
{
    bg_mix *m = P->m;
    for (size_t i = 0; i < m->o.templated; i++) {
        bg_doc d = new_doc(BG_K_TEMPLATED, BG_NONE, BG_NONE);
        d.aux = (uint32_t)(i % 2);
        d.cluster = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0)
            return nomem(P->err);
    }
    return 0;
}

int bg_mix_plan(bg_mix **out, const bg_article *arts, size_t nreal,
                const uint32_t *dups, size_t ndups, const bg_wordnet *wn,
                const bg_mix_opts *opts, doppel_error *err)
{
    *out = NULL;
    int rc = check_opts(opts, err);
    if (rc < 0)
        return rc;
    if (nreal == 0)
        return bg_error(err, DOPPEL_ERR_PARAM, "no input articles");
    if (!wn && opts->nspin_rates && (opts->spin_per_rate || opts->combo))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "spun and combo copies need WordNet");
    if (nreal >= UINT32_MAX / 2)
        return bg_error(err, DOPPEL_ERR_PARAM, "too many input articles");
    bg_mix *m = calloc(1, sizeof *m);
    if (!m)
        return nomem(err);
    m->o = *opts;
    m->arts = arts;
    m->nreal = nreal;
    m->wn = wn;
    planner P;
    memset(&P, 0, sizeof P);
    P.m = m;
    P.err = err;
    P.dups = dups;
    P.ndups = dups ? ndups : 0;
    bg_rng_seed(&P.r, bg_seed_derive(opts->seed, 0, BG_S_PLAN));

    int (*const steps[])(planner *) = {
        measure_articles, plan_sizes,     assign_roles, make_sites,
        make_sentence_pool, plan_originals, plan_spins, plan_edits,
        plan_partials,    plan_reprints,  plan_templated};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0] && rc == 0; s++)
        rc = steps[s](&P);
    planner_free(&P);
    if (rc < 0) {
        bg_mix_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void bg_mix_free(bg_mix *m)
{
    if (!m)
        return;
    if (m->sites)
        for (size_t s = 0; s < m->nbig + m->nsmall; s++)
            bg_site_free(&m->sites[s]);
    free(m->sites);
    free(m->site_docs);
    free(m->role);
    free(m->base_aux);
    free(m->npara);
    free(m->nsent);
    free(m->docs);
    free(m->wire_doc);
    free(m->wire_size);
    free(m->pool);
    free(m->pool_art);
    free(m->headlines);
    free(m->amb);
    free(m->amb_j);
    free(m);
}
