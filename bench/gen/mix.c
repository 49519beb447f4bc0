/*
 * mix.c — plan and write the benchmark (see mix.h for the two passes).
 *
 * Roles of base articles (each used at most once):
 *   original  published as is; copies are made from these only
 *   sitepage  published only on a big site, inside its header and footer
 *   wire      a wire story: published once as is, then reprinted by outlets
 *   host      NOT published; receives a donor's paragraphs (partial copy)
 * Articles listed as real duplicates of each other are only ever originals,
 * and the truth merges them (union-find over the pairs).
 *
 * Truth clusters: an original (with its real duplicates) and every copy
 * made from it; each sitepage, partial copy and templated story alone. The
 * cluster label is the id of the cluster's first original.
 *
 * Scaling (--scale N): copy counts scale by f = N / (the mix's own size,
 * counted with at least 2,518 base articles);
 * for f > 1 the big sites and wire stories are repeated round(f) times at
 * their given sizes (more sites, not bigger footers), for f < 1 their sizes
 * shrink by f. The number of plain originals then makes the total exactly N,
 * drawing on synthetic originals once the real articles run out.
 */
#include "mix.h"

#include "edits.h"
#include "rng.h"
#include "sites.h"
#include "templated.h"
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

enum kind {
    K_ORIGINAL, K_SITEPAGE, K_SPIN, K_TYPO, K_TRUNCATE, K_SENTDEL, K_REORDER,
    K_HEADFOOT, K_COMBO, K_PARTIAL, K_SYNDICATED, K_TEMPLATED, K_COUNT
};

static const char *const kind_names[K_COUNT] = {
    "original", "sitepage", "spin", "typo", "truncate", "sentdel",
    "reorder", "headfoot", "combo", "partial", "syndicated", "templated"};

enum role { R_UNUSED, R_ORIGINAL, R_HOST, R_SITEPAGE, R_WIRE };

/* BBC (2,225) + Wikinews (293): the corpus the default mix is sized for. */
#define BG_REFERENCE_ARTICLES 2518

/* purposes for bg_seed_derive */
enum { S_EDIT = 1, S_TITLE, S_EDIT2, S_DATE, S_LAYOUT, S_SYNTH = 100,
       S_BASEDATE, S_PLAN = 1000, S_ORDER, S_SITE, S_IDS };

typedef struct bg_doc {
    uint32_t base;    /* base article (the host for a partial copy) */
    uint32_t source;  /* document copied from (the donor for partial) */
    uint32_t cluster; /* document naming the true cluster */
    uint32_t aux;     /* site, wire story or template family */
    uint32_t extra;   /* outlet number of a reprint */
    float p1;         /* the edit's parameter */
    uint8_t kind;
    uint8_t edit2;    /* combo: second edit; syndicated: 0 full, 1 cut, 2 typo;
                         original: 1 for a wire story's original */
} bg_doc;

struct bg_mix {
    bg_mix_opts o;
    const bg_article *arts;
    size_t nreal;
    const bg_wordnet *wn;
    size_t nbases, nsynth;
    uint8_t *role;
    uint32_t *base_aux;   /* site of a sitepage, story of a wire base */
    uint8_t *npara;       /* real bases: paragraphs (capped at 255) */
    uint16_t *nsent;      /* real bases: sentences (capped) */
    bg_doc *docs;
    size_t ndocs, capdocs;
    bg_site *sites;       /* big sites [0, nbig), then small ones */
    size_t nbig, nsmall;
    size_t *site_docs;    /* documents carrying each site's furniture */
    size_t nwire;
    uint32_t *wire_doc;
    size_t *wire_size;
    bg_span *pool;        /* sentences for synthetic originals */
    uint32_t *pool_art;
    size_t npool;
    bg_headline *headlines;
    size_t nheadlines;
};

void bg_mix_opts_default(bg_mix_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    const double rates[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
    memcpy(o->spin_rates, rates, sizeof rates);
    o->nspin_rates = 5;
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
}

size_t bg_mix_documents(const bg_mix *m)
{
    return m->ndocs;
}

/* ------------------------------------------------------------------ ids */

void bg_doc_id(uint64_t seed, uint64_t i, char out[13])
{
    const uint64_t M = (1ULL << 48) - 1;
    uint64_t x = (i ^ bg_mix64(seed)) & M;
    /* odd multipliers and right xorshifts are bijections mod 2^48 */
    for (int r = 0; r < 3; r++) {
        x = (x * 0x9E3779B97F4BULL) & M;
        x ^= x >> 23;
        x = (x * 0xD6E8FEB86659ULL) & M;
        x ^= x >> 19;
        x = (x + (bg_mix64(seed + (uint64_t)r) & M)) & M;
    }
    static const char hex[] = "0123456789abcdef";
    for (int k = 11; k >= 0; k--) {
        out[k] = hex[x & 15];
        x >>= 4;
    }
    out[12] = '\0';
}

void bg_format_date(int64_t t, char *buf, size_t cap)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    /* civil_from_days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t mo = mp < 10 ? mp + 3 : mp - 9;
    y += mo <= 2;
    snprintf(buf, cap, "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64
             ":%02" PRId64 ":%02" PRId64 "Z",
             y, mo, d, secs / 3600, secs / 60 % 60, secs % 60);
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
    d.cluster = NONE;
    d.aux = NONE;
    return d;
}

static size_t base_paras(const bg_mix *m, uint32_t b)
{
    return b < m->nreal ? m->npara[b] : 4; /* synthetic: at least 4 */
}

static size_t base_sents(const bg_mix *m, uint32_t b)
{
    return b < m->nreal ? m->nsent[b] : 4;
}

/* ------------------------------------------------------ synthetic bases */

/* A synthetic original: 4-8 paragraphs of 1-4 sentences, each sentence from
 * a random real article; the title is the start of its first sentence. */
static void synth_text(const bg_mix *m, uint32_t b, bg_buf *title, bg_buf *text)
{
    bg_rng r;
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, b, S_SYNTH));
    size_t np = (size_t)bg_rng_range(&r, 4, 8);
    size_t first_k = NONE;
    for (size_t p = 0; p < np; p++) {
        if (p)
            bg_buf_puts(text, "\n\n");
        size_t ns = (size_t)bg_rng_range(&r, 1, 4);
        for (size_t s = 0; s < ns; s++) {
            size_t k = (size_t)bg_rng_below(&r, m->npool);
            if (first_k == NONE)
                first_k = k;
            const bg_span *sp = &m->pool[k];
            if (s)
                bg_buf_putc(text, ' ');
            bg_buf_append(text, m->arts[m->pool_art[k]].text + sp->start,
                          sp->end - sp->start);
        }
    }
    /* title: the first 5-10 words of the first sentence */
    const bg_span *sp = &m->pool[first_k];
    const char *s = m->arts[m->pool_art[first_k]].text;
    size_t words = (size_t)bg_rng_range(&r, 5, 10), w = 0, i = sp->start;
    size_t end = sp->start;
    while (i < sp->end && w < words) {
        while (i < sp->end && bg_is_space(s[i]))
            i++;
        while (i < sp->end && !bg_is_space(s[i]))
            i++;
        end = i;
        w++;
    }
    while (end > sp->start && strchr(".,;:!?\"'", s[end - 1]))
        end--;
    bg_buf_append(title, s + sp->start, end - sp->start);
}

static void base_id(const bg_mix *m, uint32_t b, bg_buf *out)
{
    if (b < m->nreal) {
        const bg_article *a = &m->arts[b];
        for (size_t i = 0; i < a->id_len; i++) {
            char c = a->id[i];
            bg_buf_putc(out, (c == '\t' || c == '\n' || c == '\r') ? ' ' : c);
        }
    } else {
        bg_buf_printf(out, "synth-%08" PRIx32, (uint32_t)(b - m->nreal));
    }
}

/* The text and title of a base article: borrowed for real ones, built in
 * the scratch buffers for synthetic ones. */
typedef struct text_ref {
    const char *text, *title;
    size_t text_len, title_len;
} text_ref;

static text_ref base_text(const bg_mix *m, uint32_t b, bg_buf *stitle,
                          bg_buf *stext)
{
    text_ref t;
    if (b < m->nreal) {
        t.text = m->arts[b].text;
        t.text_len = m->arts[b].text_len;
        t.title = m->arts[b].title;
        t.title_len = m->arts[b].title_len;
        return t;
    }
    bg_buf_clear(stitle);
    bg_buf_clear(stext);
    synth_text(m, b, stitle, stext);
    t.text = bg_buf_str(stext);
    t.text_len = stext->len;
    t.title = bg_buf_str(stitle);
    t.title_len = stitle->len;
    return t;
}

static int64_t base_date(const bg_mix *m, uint32_t b)
{
    if (b < m->nreal && m->arts[b].date != DOPPEL_NO_DATE)
        return m->arts[b].date;
    bg_rng r;
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, b, S_BASEDATE));
    const int64_t y2004 = 1072915200; /* 2004-01-01T00:00:00Z */
    /* undated real articles (the BBC set is from 2004-2005); synthetic
     * ones anywhere in 2004-2023 */
    int64_t span = b < m->nreal ? 2 * 365 * 86400LL : 20 * 365 * 86400LL;
    return y2004 + (int64_t)bg_rng_below(&r, (uint64_t)span);
}

/* -------------------------------------------------------------- planning */

typedef struct planner {
    bg_mix *m;
    bg_rng r;
    uint32_t *srcs; /* documents that are plain originals */
    size_t nsrcs;
} planner;

/* A random plain original whose base satisfies the minimum sizes. */
static uint32_t pick_source(planner *P, size_t min_paras, size_t min_sents)
{
    bg_mix *m = P->m;
    uint32_t d = P->srcs[bg_rng_below(&P->r, P->nsrcs)];
    for (int tries = 0; tries < 200; tries++) {
        uint32_t b = m->docs[d].base;
        if (base_paras(m, b) >= min_paras && base_sents(m, b) >= min_sents)
            return d;
        d = P->srcs[bg_rng_below(&P->r, P->nsrcs)];
    }
    return d; /* a corpus of one-paragraph articles: take what there is */
}

static int edit_needs(int kind, size_t *paras, size_t *sents)
{
    *paras = kind == K_REORDER ? 3 : 1;
    *sents = kind == K_SENTDEL ? 3 : 1;
    return 0;
}

static int plan_copy(planner *P, int kind, uint32_t src, float p1, int edit2,
                     uint32_t aux)
{
    bg_mix *m = P->m;
    bg_doc d = new_doc(kind, m->docs[src].base, src);
    d.p1 = p1;
    d.edit2 = (uint8_t)edit2;
    d.aux = aux;
    d.cluster = m->docs[src].cluster;
    if (aux != NONE && (kind == K_HEADFOOT || (kind == K_COMBO && edit2 == K_HEADFOOT)))
        m->site_docs[aux]++;
    return push_doc(m, &d);
}

static float edit_param(const bg_mix_opts *o, int kind)
{
    switch (kind) {
    case K_TYPO:
        return (float)o->typo_rate;
    case K_TRUNCATE:
        return (float)o->truncate_frac;
    case K_SENTDEL:
        return (float)o->sentdel_frac;
    default:
        return 0.0f;
    }
}

static int check_opts(const bg_mix_opts *o, doppel_error *err)
{
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
    bg_mix_opts *o = &m->o;
    planner P;
    memset(&P, 0, sizeof P);
    P.m = m;
    bg_rng_seed(&P.r, bg_seed_derive(o->seed, 0, S_PLAN));
    uint32_t *uf = NULL, *order = NULL, *orig_doc = NULL, *hosts = NULL;
    uint32_t *jobs = NULL;
    unsigned char *is_dup = NULL;

    /* sizes of the real articles */
    m->npara = malloc(nreal);
    m->nsent = bg_malloc_array(nreal, sizeof *m->nsent);
    is_dup = calloc(nreal, 1);
    uf = bg_malloc_array(nreal, sizeof *uf);
    if (!m->npara || !m->nsent || !is_dup || !uf)
        goto oom;
    for (size_t i = 0; i < nreal; i++) {
        size_t np, ns;
        if (bg_count_units(arts[i].text, arts[i].text_len, &np, &ns) < 0)
            goto oom;
        m->npara[i] = (uint8_t)(np > 255 ? 255 : np);
        m->nsent[i] = (uint16_t)(ns > 65535 ? 65535 : ns);
        uf[i] = (uint32_t)i;
    }
    for (size_t k = 0; k < ndups; k++) {
        uint32_t a = dups[2 * k], b = dups[2 * k + 1];
        if (a >= nreal || b >= nreal || a == b)
            continue;
        is_dup[a] = is_dup[b] = 1;
    }

    /* how many of everything */
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
    size_t nref = nreal > BG_REFERENCE_ARTICLES ? nreal : BG_REFERENCE_ARTICLES;
    size_t mix_docs = nref - (o->partial < nref ? o->partial : nref) + nspin
                      + nedit + o->partial + wire_total + o->templated;
    size_t reps = 1;
    m->nsmall = o->small_sites;
    if (o->scale) {
        double f = (double)o->scale / (double)mix_docs;
        o->spin_per_rate = scaled(o->spin_per_rate, f);
        o->typo = scaled(o->typo, f);
        o->truncate = scaled(o->truncate, f);
        o->sentdel = scaled(o->sentdel, f);
        o->reorder = scaled(o->reorder, f);
        o->headfoot = scaled(o->headfoot, f);
        o->combo = scaled(o->combo, f);
        o->partial = scaled(o->partial, f);
        o->templated = scaled(o->templated, f);
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
        goto oom;
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
        if (o->scale < copies + site_total + m->nwire + 10) {
            rc = bg_error(err, DOPPEL_ERR_PARAM,
                          "--scale %zu is too small for the mix (it needs more "
                          "than %zu documents)", o->scale,
                          copies + site_total + m->nwire + 10);
            goto fail;
        }
        m->nbases = o->scale - copies + o->partial;
    } else {
        m->nbases = nreal;
    }
    size_t special = o->partial + site_total + m->nwire;
    if (m->nbases < special + 10 || (!o->scale && nreal < special + 10)) {
        rc = bg_error(err, DOPPEL_ERR_PARAM,
                      "%zu base articles cannot supply %zu partial-copy hosts, "
                      "%zu site pages and %zu wire stories plus originals to "
                      "copy; lower the counts or use --scale",
                      m->nbases, o->partial, site_total, m->nwire);
        goto fail;
    }
    if (m->nbases >= UINT32_MAX / 2) {
        rc = bg_error(err, DOPPEL_ERR_PARAM, "--scale %zu is too large", o->scale);
        goto fail;
    }
    m->nsynth = m->nbases > nreal ? m->nbases - nreal : 0;
    size_t nused_real = m->nbases < nreal ? m->nbases : nreal;

    /* roles: a seeded order over the used bases */
    m->role = calloc(nreal + m->nsynth, 1);
    m->base_aux = bg_malloc_array(nreal + m->nsynth, sizeof *m->base_aux);
    order = bg_malloc_array(nreal + m->nsynth, sizeof *order);
    hosts = bg_malloc_array(o->partial + 1, sizeof *hosts);
    if (!m->role || !m->base_aux || !order || !hosts)
        goto oom;
    for (size_t i = 0; i < nreal; i++)
        order[i] = (uint32_t)i;
    shuffle_u32(order, nreal, &P.r); /* which real articles, when not all */
    for (size_t i = 0; i < m->nsynth; i++)
        order[nused_real + i] = (uint32_t)(nreal + i);
    size_t nused = nused_real + m->nsynth;
    shuffle_u32(order, nused, &P.r);
    for (size_t i = 0; i < nreal + m->nsynth; i++)
        m->base_aux[i] = NONE;
    for (size_t i = 0; i < nused; i++)
        m->role[order[i]] = R_ORIGINAL;
    /* wire stories: real, not duplicated, at least 4 paragraphs */
    size_t w = 0;
    for (size_t i = 0; i < nused && w < m->nwire; i++) {
        uint32_t b = order[i];
        if (b < nreal && !is_dup[b] && m->npara[b] >= 4) {
            m->role[b] = R_WIRE;
            m->base_aux[b] = (uint32_t)w++;
        }
    }
    for (size_t i = 0; i < nused && w < m->nwire; i++) { /* any real one */
        uint32_t b = order[i];
        if (b < nreal && !is_dup[b] && m->role[b] == R_ORIGINAL) {
            m->role[b] = R_WIRE;
            m->base_aux[b] = (uint32_t)w++;
        }
    }
    if (w < m->nwire) {
        rc = bg_error(err, DOPPEL_ERR_PARAM,
                      "not enough real articles for %zu wire stories", m->nwire);
        goto fail;
    }
    size_t nh = 0, site = 0, on_site = 0;
    for (size_t i = 0; i < nused; i++) {
        uint32_t b = order[i];
        if (m->role[b] != R_ORIGINAL || (b < nreal && is_dup[b]))
            continue;
        if (nh < o->partial) {
            m->role[b] = R_HOST;
            hosts[nh++] = b;
            continue;
        }
        while (site < m->nbig && on_site >= m->site_docs[site]) {
            site++;
            on_site = 0;
        }
        if (site < m->nbig) {
            m->role[b] = R_SITEPAGE;
            m->base_aux[b] = (uint32_t)site;
            on_site++;
            continue;
        }
        break;
    }
    if (nh < o->partial || site < m->nbig) {
        rc = bg_error(err, DOPPEL_ERR_PARAM,
                      "not enough articles for the partial-copy hosts and site "
                      "pages (real duplicates cannot take these roles)");
        goto fail;
    }

    /* headlines for site footers: real titles with a caption (the start of
     * the article's first sentence) */
    m->headlines = bg_calloc_array(nreal, sizeof *m->headlines);
    if (!m->headlines)
        goto oom;
    for (size_t i = 0; i < nreal; i++) {
        const bg_article *a = &arts[i];
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
    m->sites = bg_calloc_array(m->nbig + m->nsmall + 1, sizeof *m->sites);
    if (!m->sites)
        goto oom;
    for (size_t s = 0; s < m->nbig + m->nsmall; s++) {
        rc = bg_site_make(&m->sites[s], s, bg_seed_derive(o->seed, s, S_SITE),
                          m->headlines, m->nheadlines, err);
        if (rc < 0)
            goto fail;
    }

    /* sentences for synthetic originals (never from hosts) */
    if (m->nsynth) {
        bg_spans paras = {0}, sents = {0};
        size_t capp = 0;
        for (size_t i = 0; i < nreal; i++) {
            if (m->role[i] == R_HOST)
                continue;
            paras.n = sents.n = 0;
            if (bg_split_paragraphs(arts[i].text, arts[i].text_len, &paras) < 0)
                goto oom_spans;
            for (size_t p = 0; p < paras.n; p++)
                if (bg_split_sentences(arts[i].text, paras.v[p].start,
                                       paras.v[p].end, &sents) < 0)
                    goto oom_spans;
            for (size_t s = 0; s < sents.n; s++) {
                size_t words = 1;
                for (size_t c = sents.v[s].start; c < sents.v[s].end; c++)
                    words += arts[i].text[c] == ' ';
                if (words < 6 || words > 60)
                    continue;
                size_t c2 = capp;
                if (bg_grow((void **)&m->pool, &capp, m->npool + 1, sizeof *m->pool) < 0
                    || bg_grow((void **)&m->pool_art, &c2, m->npool + 1,
                               sizeof *m->pool_art) < 0)
                    goto oom_spans;
                m->pool[m->npool] = sents.v[s];
                m->pool_art[m->npool++] = (uint32_t)i;
            }
        }
        bg_spans_free(&paras);
        bg_spans_free(&sents);
        if (m->npool == 0) {
            rc = bg_error(err, DOPPEL_ERR_PARAM,
                          "no sentences of 6-60 words to build synthetic originals from");
            goto fail;
        }
        goto pool_done;
    oom_spans:
        bg_spans_free(&paras);
        bg_spans_free(&sents);
        goto oom;
    }
pool_done:

    /* originals, site pages and wire originals */
    orig_doc = bg_malloc_array(nreal + m->nsynth, sizeof *orig_doc);
    if (!orig_doc)
        goto oom;
    for (size_t b = 0; b < nreal + m->nsynth; b++) {
        orig_doc[b] = NONE;
        int role = m->role[b];
        if (role == R_UNUSED || role == R_HOST)
            continue;
        bg_doc d = new_doc(role == R_SITEPAGE ? K_SITEPAGE : K_ORIGINAL,
                           (uint32_t)b, NONE);
        d.aux = m->base_aux[b];
        d.edit2 = role == R_WIRE; /* marks a wire original */
        d.cluster = (uint32_t)m->ndocs;
        orig_doc[b] = (uint32_t)m->ndocs;
        if (role == R_WIRE)
            m->wire_doc[m->base_aux[b]] = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0)
            goto oom;
    }
    /* real duplicates share a cluster */
    for (size_t k = 0; k < ndups; k++) {
        uint32_t a = dups[2 * k], b = dups[2 * k + 1];
        if (a >= nreal || b >= nreal || a == b || orig_doc[a] == NONE
            || orig_doc[b] == NONE)
            continue;
        uint32_t ra = uf_find(uf, a), rb = uf_find(uf, b);
        if (ra != rb)
            uf[ra > rb ? ra : rb] = ra < rb ? ra : rb;
    }
    for (size_t i = 0; i < m->ndocs; i++) {
        uint32_t b = m->docs[i].base;
        if (b < nreal && is_dup[b])
            m->docs[i].cluster = orig_doc[uf_find(uf, b)];
    }
    P.srcs = bg_malloc_array(m->ndocs + 1, sizeof *P.srcs);
    if (!P.srcs)
        goto oom;
    for (size_t i = 0; i < m->ndocs; i++)
        if (m->docs[i].kind == K_ORIGINAL && !m->docs[i].edit2)
            P.srcs[P.nsrcs++] = (uint32_t)i;

    /* spun copies: each source takes 1 (60%), 2 (25%) or 3 (15%) of the
     * shuffled spin jobs */
    jobs = bg_malloc_array(nspin + 1, sizeof *jobs);
    uint32_t *src_order = bg_malloc_array(P.nsrcs + 1, sizeof *src_order);
    if (!jobs || !src_order) {
        free(src_order);
        goto oom;
    }
    for (size_t i = 0; i < nspin; i++)
        jobs[i] = (uint32_t)(i / (o->spin_per_rate ? o->spin_per_rate : 1));
    shuffle_u32(jobs, nspin, &P.r);
    memcpy(src_order, P.srcs, P.nsrcs * sizeof *src_order);
    shuffle_u32(src_order, P.nsrcs, &P.r);
    for (size_t j = 0, s = 0; j < nspin; s++) {
        uint32_t src = src_order[s % P.nsrcs];
        double u = bg_rng_double(&P.r);
        size_t k = u < 0.60 ? 1 : u < 0.85 ? 2 : 3;
        for (size_t q = 0; q < k && j < nspin; q++, j++)
            if (plan_copy(&P, K_SPIN, src, (float)o->spin_rates[jobs[j]], 0,
                          NONE) < 0) {
                free(src_order);
                goto oom;
            }
    }
    free(src_order);

    /* single edits and combinations */
    const struct {
        int kind;
        size_t count;
    } single[5] = {{K_TYPO, o->typo},       {K_TRUNCATE, o->truncate},
                   {K_SENTDEL, o->sentdel}, {K_REORDER, o->reorder},
                   {K_HEADFOOT, o->headfoot}};
    for (size_t e = 0; e < 5; e++)
        for (size_t i = 0; i < single[e].count; i++) {
            size_t np, ns;
            edit_needs(single[e].kind, &np, &ns);
            uint32_t aux = single[e].kind == K_HEADFOOT
                               ? (uint32_t)(m->nbig + bg_rng_below(&P.r, m->nsmall))
                               : NONE;
            if (plan_copy(&P, single[e].kind, pick_source(&P, np, ns),
                          edit_param(o, single[e].kind), 0, aux) < 0)
                goto oom;
        }
    static const int second[5] = {K_TYPO, K_TRUNCATE, K_SENTDEL, K_REORDER,
                                  K_HEADFOOT};
    for (size_t i = 0; i < o->combo; i++) {
        int e2 = second[bg_rng_below(&P.r, 5)];
        size_t np, ns;
        edit_needs(e2, &np, &ns);
        double rate = o->spin_rates[bg_rng_below(&P.r, o->nspin_rates)];
        uint32_t aux = e2 == K_HEADFOOT
                           ? (uint32_t)(m->nbig + bg_rng_below(&P.r, m->nsmall))
                           : NONE;
        if (plan_copy(&P, K_COMBO, pick_source(&P, np, ns), (float)rate, e2,
                      aux) < 0)
            goto oom;
    }

    /* partial copies: host (unpublished) + 1-3 donor paragraphs */
    for (size_t i = 0; i < o->partial; i++) {
        uint32_t donor = pick_source(&P, 2, 2);
        size_t dp = base_paras(m, m->docs[donor].base);
        size_t maxc = dp > 1 ? dp - 1 : 1;
        if (maxc > 3)
            maxc = 3;
        bg_doc d = new_doc(K_PARTIAL, hosts[i], donor);
        d.p1 = (float)bg_rng_range(&P.r, 1, maxc);
        d.cluster = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0)
            goto oom;
    }

    /* syndicated reprints of the wire stories */
    for (size_t s = 0; s < m->nwire; s++) {
        uint32_t wd = m->wire_doc[s];
        size_t outlet0 = (size_t)bg_rng_below(&P.r, 960);
        for (size_t i = 0; i < m->wire_size[s]; i++) {
            bg_doc d = new_doc(K_SYNDICATED, m->docs[wd].base, wd);
            d.aux = (uint32_t)s;
            d.extra = (uint32_t)((outlet0 + i) % 960 + (i / 960) * 960);
            double u = bg_rng_double(&P.r);
            if (u < 0.30) {
                d.edit2 = 1;
                d.p1 = (float)bg_rng_uniform(&P.r, 0.40, 0.90);
            } else if (u < 0.50) {
                d.edit2 = 2;
                d.p1 = (float)bg_rng_uniform(&P.r, 0.01, 0.03);
            }
            d.cluster = m->docs[wd].cluster;
            if (push_doc(m, &d) < 0)
                goto oom;
        }
    }

    /* templated stories */
    for (size_t i = 0; i < o->templated; i++) {
        bg_doc d = new_doc(K_TEMPLATED, NONE, NONE);
        d.aux = (uint32_t)(i % 2);
        d.cluster = (uint32_t)m->ndocs;
        if (push_doc(m, &d) < 0)
            goto oom;
    }

    free(uf);
    free(order);
    free(orig_doc);
    free(hosts);
    free(jobs);
    free(is_dup);
    free(P.srcs);
    *out = m;
    return 0;
oom:
    rc = nomem(err);
fail:
    free(uf);
    free(order);
    free(orig_doc);
    free(hosts);
    free(jobs);
    free(is_dup);
    free(P.srcs);
    bg_mix_free(m);
    return rc;
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
    free(m);
}

/* --------------------------------------------------------------- writing */

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
    case K_TYPO:
        return bg_typo(src, len, p, seed, out, NULL, NULL, W->err);
    case K_TRUNCATE:
        return bg_truncate(src, len, p, out, NULL, NULL, W->err);
    case K_SENTDEL:
        return bg_sentdel(src, len, p, seed, out, NULL, NULL, NULL, 0, W->err);
    case K_REORDER:
        return bg_reorder(src, len, seed, out, NULL, NULL, 0, W->err);
    case K_HEADFOOT:
        bg_site_wrap(&m->sites[site], src, len, out);
        return out->oom ? nomem(W->err) : 0;
    default:
        return bg_error(W->err, DOPPEL_ERR_PARAM, "unknown edit %d", kind);
    }
}

static void edit_label(bg_buf *b, int kind, float p)
{
    switch (kind) {
    case K_TYPO: bg_buf_printf(b, "typo=%.3f", p); break;
    case K_TRUNCATE: bg_buf_printf(b, "truncate=%.2f", p); break;
    case K_SENTDEL: bg_buf_printf(b, "sentdel=%.2f", p); break;
    default: bg_buf_puts(b, kind_names[kind]); break;
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
                     uint64_t seed, bg_buf *out, int count)
{
    bg_spin_opts so = {rate, seed, 0};
    bg_spin_stats st;
    int rc = bg_spin(W->m->wn, src, len, &so, out, &st, NULL, W->err);
    if (rc == 0 && count) {
        size_t k = rate_slot(W->sum, rate);
        W->sum->rate_docs[k]++;
        W->sum->rate_units[k] += st.units;
        W->sum->rate_replaced[k] += st.replaced;
        W->sum->rate_words[k] += st.words;
        W->sum->rate_words_replaced[k] += st.words_replaced;
    }
    return rc;
}

/* Materialise document i into W->title / W->text and its meta param. */
static int make_doc(writer *W, uint32_t i, int64_t *date)
{
    bg_mix *m = W->m;
    const bg_doc *d = &m->docs[i];
    uint64_t seed = m->o.seed;
    uint64_t s_edit = bg_seed_derive(seed, i, S_EDIT);
    bg_buf_clear(&W->title);
    bg_buf_clear(&W->text);
    bg_buf_clear(&W->param);
    int rc = 0;
    text_ref t = {"", "", 0, 0};
    if (d->base != NONE)
        t = base_text(m, d->base, &W->stitle, &W->stext);
    bg_rng dr;
    bg_rng_seed(&dr, bg_seed_derive(seed, i, S_DATE));
    int64_t cluster_date = m->docs[d->cluster].base != NONE
                               ? base_date(m, m->docs[d->cluster].base)
                               : 0;
    *date = cluster_date + (int64_t)bg_rng_range(&dr, 3600, 60 * 86400);

    switch (d->kind) {
    case K_ORIGINAL:
        bg_buf_append(&W->title, t.title, t.title_len);
        bg_buf_append(&W->text, t.text, t.text_len);
        base_id(m, d->base, &W->param);
        *date = cluster_date;
        break;
    case K_SITEPAGE:
        bg_buf_append(&W->title, t.title, t.title_len);
        bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        bg_site_wrap(&m->sites[d->aux], t.text, t.text_len, &W->text);
        base_id(m, d->base, &W->param);
        *date = cluster_date;
        break;
    case K_SPIN:
        rc = spin_into(W, t.text, t.text_len, d->p1, s_edit, &W->text, 1);
        if (rc == 0)
            rc = spin_into(W, t.title, t.title_len, d->p1,
                           bg_seed_derive(seed, i, S_TITLE), &W->title, 0);
        bg_buf_printf(&W->param, "%.2f", d->p1);
        break;
    case K_TYPO:
    case K_TRUNCATE:
    case K_SENTDEL:
    case K_REORDER:
    case K_HEADFOOT:
        bg_buf_append(&W->title, t.title, t.title_len);
        if (d->kind == K_HEADFOOT)
            bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        rc = apply_edit(W, d->kind, d->p1, d->aux, s_edit, t.text, t.text_len,
                        &W->text);
        if (d->kind == K_HEADFOOT || d->kind == K_REORDER)
            bg_buf_puts(&W->param, "-");
        else
            bg_buf_printf(&W->param, d->kind == K_TYPO ? "%.3f" : "%.2f", d->p1);
        break;
    case K_COMBO: {
        bg_buf_clear(&W->tmp);
        rc = spin_into(W, t.text, t.text_len, d->p1, s_edit, &W->tmp, 0);
        if (rc == 0)
            rc = spin_into(W, t.title, t.title_len, d->p1,
                           bg_seed_derive(seed, i, S_TITLE), &W->title, 0);
        if (d->edit2 == K_HEADFOOT)
            bg_buf_printf(&W->title, " | %s", m->sites[d->aux].name);
        float p2 = edit_param(&m->o, d->edit2);
        if (rc == 0)
            rc = apply_edit(W, d->edit2, p2, d->aux,
                            bg_seed_derive(seed, i, S_EDIT2), bg_buf_str(&W->tmp),
                            W->tmp.len, &W->text);
        bg_buf_printf(&W->param, "spin=%.2f+", d->p1);
        edit_label(&W->param, d->edit2, p2);
        break;
    }
    case K_PARTIAL: {
        /* the donor's text (a plain original, so its base text) */
        uint32_t db = m->docs[d->source].base;
        text_ref dt = base_text(m, db, &W->dtitle, &W->dtext);
        size_t hp, dp;
        bg_count_units(t.text, t.text_len, &hp, NULL);
        bg_count_units(dt.text, dt.text_len, &dp, NULL);
        bg_rng r;
        bg_rng_seed(&r, bg_seed_derive(seed, i, S_LAYOUT));
        size_t count = (size_t)d->p1;
        if (count > dp)
            count = dp;
        size_t first = (size_t)bg_rng_below(&r, dp - count + 1);
        size_t at = (size_t)bg_rng_below(&r, hp + 1);
        bg_buf_append(&W->title, t.title, t.title_len);
        rc = bg_partial(t.text, t.text_len, dt.text, dt.text_len, first, count,
                        at, &W->text, W->err);
        bg_buf_printf(&W->param, "paras=%zu,host=", count);
        base_id(m, d->base, &W->param);
        *date = base_date(m, d->base);
        break;
    }
    case K_SYNDICATED: {
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
                  (int)(bg_seed_derive(seed, i, S_LAYOUT) & 1), &W->text);
        *date = cluster_date + (int64_t)bg_rng_range(&dr, 600, 3 * 86400);
        break;
    }
    case K_TEMPLATED:
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
    int site = d->kind == K_SITEPAGE || d->kind == K_HEADFOOT
               || (d->kind == K_COMBO && d->edit2 == K_HEADFOOT);
    if (site)
        bg_buf_printf(b, "site:%s", m->sites[d->aux].slug);
    else if (d->kind == K_SYNDICATED || (d->kind == K_ORIGINAL && d->edit2))
        bg_buf_printf(b, "wire:%" PRIu32, d->aux + 1);
    else if (d->kind == K_TEMPLATED)
        bg_buf_printf(b, "template:%s", bg_template_name((bg_template)d->aux));
    else
        bg_buf_putc(b, '-');
}

int bg_mix_write(bg_mix *m, FILE *corpus, FILE *truth, FILE *meta,
                 bg_mix_summary *sum, doppel_error *err)
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
    bg_rng_seed(&r, bg_seed_derive(m->o.seed, 0, S_ORDER));
    shuffle_u32(order, m->ndocs, &r);
    uint64_t id_seed = bg_seed_derive(m->o.seed, 0, S_IDS);

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
            if (d->source != NONE)
                bg_doc_id(id_seed, d->source, sid);
            else
                strcpy(sid, "-");
            int is_orig = d->kind == K_ORIGINAL || d->kind == K_SITEPAGE
                          || d->kind == K_PARTIAL || d->kind == K_TEMPLATED;
            fprintf(meta, "%s\t%s\t%s\t%s\t%s\t%d\n", id, kind_names[d->kind],
                    bg_buf_str(&W.param), sid, bg_buf_str(&W.tmp2), is_orig);
        }
        sum->kind_count[d->kind]++;
        if ((k & 1023) == 0 && (ferror(corpus) || ferror(truth) || (meta && ferror(meta))))
            break;
    }
    if (rc == 0 && (ferror(corpus) || ferror(truth) || (meta && ferror(meta))))
        rc = bg_error(err, DOPPEL_ERR_IO, "write error (disk full?)");

    sum->documents = m->ndocs;
    for (size_t i = 0; i < m->ndocs; i++)
        sum->clusters += m->docs[i].cluster == i;
    sum->base_real = m->nbases < m->nreal ? m->nbases : m->nreal;
    sum->base_synthetic = m->nsynth;
    sum->nkinds = K_COUNT;
    for (int k = 0; k < K_COUNT; k++)
        sum->kind_name[k] = kind_names[k];
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
