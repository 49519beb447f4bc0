/*
 * gen_main.c — doppel-gen: generate the labelled near-duplicate benchmark
 * (corpus.jsonl, truth.tsv, meta.tsv) from real articles in JSON Lines.
 *
 * Input is read with the library's public reader (doppel_reader_*), once for
 * id, text and date and once more with the text field set to "title" (the
 * record has no title slot); planning and writing are in gen/mix*.c. Every
 * output is written to a temporary name and renamed when complete.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "doppel.h"

#include "gen/mix.h"
#include "gen/rng.h"
#include "gen/util.h"
#include "gen/wordnet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fputs(
"usage: doppel-gen [options] INPUT.jsonl...\n"
"\n"
"Generate a labelled near-duplicate benchmark from real articles (JSON Lines\n"
"with id, title, text and optional date fields, any of them gzip-compressed).\n"
"Writes DIR/corpus.jsonl ({\"id\",\"title\",\"text\"}, plus \"date\" with\n"
"--dates), DIR/truth.tsv (id, cluster) and DIR/meta.tsv (id, kind, param,\n"
"source_id, group, is_original), one line per document, in shuffled order with\n"
"random-looking ids, and DIR/ambiguous.tsv (id_a, id_b, jaccard: originals\n"
"whose articles are close versions of one story, neither a true nor a false\n"
"pair; give it to doppel-score --ambiguous). See bench/README.md for the\n"
"kinds and the truth rules.\n"
"\n"
"Output and inputs\n"
"  -o, --out DIR          output directory (default: .)\n"
"  --dup-pairs FILE       known duplicate pairs among the inputs, TSV\n"
"                         \"id_a<TAB>id_b...\" (a header line is skipped); they\n"
"                         share a true cluster\n"
"  --wordnet DIR          WordNet 3.0 database (default /usr/share/wordnet,\n"
"                         Debian package wordnet-base)\n"
"  --seed N               random seed (default 1); same seed, same output\n"
"  --dates                write a \"date\" field: originals get the earliest\n"
"                         date of their cluster\n"
"  --quiet                no summary on stderr\n"
"\n"
"The mix (defaults in brackets)\n"
"  --spin-rates LIST      spin rates, comma-separated\n"
"                         [0.1,0.2,0.3,0.4,0.5,0.7]\n"
"  --spin-copies N        spun copies per rate [250]; an original gets 1-3\n"
"  --spinner NAME         wordnet (WordNet synonyms of content words), phrase\n"
"                         (a phrase table of function words, connectives and\n"
"                         news vocabulary, then WordNet) or mixed (each spun\n"
"                         copy draws one of the two) [mixed]\n"
"  --typo N               copies with typos [300]\n"
"  --typo-rate R          typo rate per letter [0.03]\n"
"  --truncate N           copies cut short [300]\n"
"  --truncate-frac F      fraction of words kept [0.5]\n"
"  --sentdel N            copies with sentences deleted [300]\n"
"  --sentdel-frac F       fraction of sentences deleted [0.25]\n"
"  --reorder N            copies with paragraphs shuffled [300]\n"
"  --headfoot N           copies wrapped in a small site's header/footer [300]\n"
"  --combo N              spun copies with one more edit [300]\n"
"  --partial N            partial copies: 1-3 donor paragraphs in an\n"
"                         unpublished host article [200]\n"
"  --templated N          templated earnings/sports stories [150]\n"
"  --site-pages LIST      distinct articles on each big site [500,150]\n"
"  --small-sites N        sites used by headfoot copies [6]\n"
"  --wire-copies LIST     reprints of each wire story [400,100]\n"
"  --merge-jaccard J      input articles at word-5-shingle Jaccard >= J share\n"
"                         a true cluster (0: off) [0.5]\n"
"  --ambiguous-jaccard J  pairs in [J, merge) are ambiguous (0: off) [0.3]\n"
"  --scale N              produce exactly N documents: copy counts scale with\n"
"                         N, big sites and wire stories are repeated, and\n"
"                         synthetic originals (sentences of many real\n"
"                         articles) are added when the real ones run out\n"
"  -h, --help             this help\n"
"\n"
"Example\n"
"  doppel-gen -o out --dup-pairs ../shared/corpus/bbc/dup_pairs_j0.80.tsv \\\n"
"      ../shared/corpus/bbc/articles.jsonl corpus/wikinews.jsonl\n",
        f);
}

/* ------------------------------------------------------------- arguments */

static int parse_size(const char *opt, const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(stderr, "doppel-gen: %s needs a non-negative integer, got '%s'\n",
                opt, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static int parse_double(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) {
        fprintf(stderr, "doppel-gen: %s needs a number, got '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_size_list(const char *opt, const char *s, size_t *v, size_t max,
                           size_t *n)
{
    *n = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == max) {
            fprintf(stderr, "doppel-gen: %s takes at most %zu values\n", opt, max);
            return -1;
        }
        if (parse_size(opt, tok, &v[(*n)++]) < 0)
            return -1;
    }
    return 0;
}

static int parse_rate_list(const char *opt, const char *s, double *v, size_t max,
                           size_t *n)
{
    *n = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == max) {
            fprintf(stderr, "doppel-gen: %s takes at most %zu values\n", opt, max);
            return -1;
        }
        if (parse_double(opt, tok, &v[(*n)++]) < 0)
            return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- input */

typedef struct corpus {
    bg_buf arena;
    size_t *id_off, *id_len, *text_off, *text_len, *title_off, *title_len;
    int64_t *date;
    size_t n, cap;
    bg_article *arts;
} corpus;

static int corpus_add(corpus *c, const doppel_record *rec)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        size_t **arrays[] = {&c->id_off, &c->id_len, &c->text_off, &c->text_len,
                             &c->title_off, &c->title_len};
        for (size_t i = 0; i < 6; i++) {
            size_t *p = realloc(*arrays[i], cap * sizeof *p);
            if (!p)
                return -1;
            *arrays[i] = p;
        }
        int64_t *d = realloc(c->date, cap * sizeof *d);
        if (!d)
            return -1;
        c->date = d;
        c->cap = cap;
    }
    c->id_off[c->n] = c->arena.len;
    c->id_len[c->n] = rec->id_len;
    bg_buf_append(&c->arena, rec->id, rec->id_len);
    c->text_off[c->n] = c->arena.len;
    c->text_len[c->n] = rec->text_len;
    bg_buf_append(&c->arena, rec->text, rec->text_len);
    c->title_off[c->n] = 0;
    c->title_len[c->n] = 0;
    c->date[c->n] = rec->date;
    c->n++;
    return c->arena.oom ? -1 : 0;
}

static void corpus_free(corpus *c)
{
    bg_buf_free(&c->arena);
    free(c->id_off);
    free(c->id_len);
    free(c->text_off);
    free(c->text_len);
    free(c->title_off);
    free(c->title_len);
    free(c->date);
    free(c->arts);
}

static int read_inputs(corpus *c, const char *const *paths, size_t npaths,
                       int quiet)
{
    doppel_error err = {0};
    doppel_reader *r = NULL;
    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    ro.format = DOPPEL_INPUT_JSONL;
    if (doppel_reader_open(&r, paths, npaths, &ro, &err) < 0) {
        fprintf(stderr, "doppel-gen: %s\n", err.message);
        return -1;
    }
    doppel_record rec;
    int rc;
    while ((rc = doppel_reader_next(r, &rec, &err)) == 1)
        if (corpus_add(c, &rec) < 0) {
            fprintf(stderr, "doppel-gen: out of memory reading the inputs\n");
            doppel_reader_free(r);
            return -1;
        }
    doppel_reader_free(r);
    if (rc < 0) {
        fprintf(stderr, "doppel-gen: %s\n", err.message);
        return -1;
    }
    /* second pass: titles, read as the text field */
    ro.text_field = "title";
    size_t k = 0, bad = 0;
    if (doppel_reader_open(&r, paths, npaths, &ro, &err) == 0) {
        while ((rc = doppel_reader_next(r, &rec, &err)) == 1 && k < c->n) {
            if (rec.id_len != c->id_len[k]
                || memcmp(rec.id, c->arena.data + c->id_off[k], rec.id_len) != 0) {
                bad = 1;
                break;
            }
            c->title_off[k] = c->arena.len;
            c->title_len[k] = rec.text_len;
            bg_buf_append(&c->arena, rec.text, rec.text_len);
            k++;
        }
        doppel_reader_free(r);
    } else {
        rc = -1;
    }
    if (rc < 0 || bad || k != c->n) {
        if (!quiet)
            fprintf(stderr, "doppel-gen: warning: no title field in every "
                            "record (%s); titles are taken from the text\n",
                    rc < 0 ? err.message : "records differ between passes");
        for (size_t i = 0; i < c->n; i++)
            c->title_len[i] = 0;
    }
    if (c->arena.oom) {
        fprintf(stderr, "doppel-gen: out of memory reading the inputs\n");
        return -1;
    }
    c->arts = calloc(c->n ? c->n : 1, sizeof *c->arts);
    if (!c->arts)
        return -1;
    for (size_t i = 0; i < c->n; i++) {
        bg_article *a = &c->arts[i];
        a->id = c->arena.data + c->id_off[i];
        a->id_len = c->id_len[i];
        a->text = c->arena.data + c->text_off[i];
        a->text_len = c->text_len[i];
        a->date = c->date[i];
        if (c->title_len[i]) {
            a->title = c->arena.data + c->title_off[i];
            a->title_len = c->title_len[i];
        } else { /* the first line, at most 80 bytes, cut at a space */
            size_t n = 0;
            while (n < a->text_len && a->text[n] != '\n' && n < 80)
                n++;
            if (n == 80)
                while (n > 20 && a->text[n] != ' ')
                    n--;
            a->title = a->text;
            a->title_len = n;
        }
    }
    return 0;
}

/* Known duplicate pairs: "id_a<TAB>id_b[<TAB>...]" per line. */
static int read_dup_pairs(const char *path, const corpus *c, uint32_t **out,
                          size_t *npairs, int quiet)
{
    *out = NULL;
    *npairs = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "doppel-gen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    bg_strmap ids = {0};
    for (size_t i = 0; i < c->n; i++)
        if (bg_strmap_put(&ids, c->arts[i].id, c->arts[i].id_len, NULL) < 0) {
            fclose(f);
            bg_strmap_free(&ids);
            return -1;
        }
    char line[4096];
    size_t lineno = 0, cap = 0, unknown = 0;
    uint32_t *v = NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *a = strtok(line, "\t\r\n");
        char *b = strtok(NULL, "\t\r\n");
        if (!a)
            continue;
        if (!b) {
            fprintf(stderr, "doppel-gen: %s:%zu: expected two tab-separated ids\n",
                    path, lineno);
            fclose(f);
            free(v);
            bg_strmap_free(&ids);
            return -1;
        }
        long ia = bg_strmap_get(&ids, a, strlen(a));
        long ib = bg_strmap_get(&ids, b, strlen(b));
        if (ia < 0 || ib < 0) {
            unknown += lineno > 1; /* the first line may be a header */
            continue;
        }
        if (bg_grow((void **)&v, &cap, 2 * (*npairs + 1), sizeof *v) < 0) {
            fclose(f);
            free(v);
            bg_strmap_free(&ids);
            return -1;
        }
        v[2 * *npairs] = (uint32_t)ia;
        v[2 * *npairs + 1] = (uint32_t)ib;
        (*npairs)++;
    }
    fclose(f);
    bg_strmap_free(&ids);
    if (unknown && !quiet)
        fprintf(stderr, "doppel-gen: %s: %zu pair(s) name ids not in the inputs "
                        "(ignored)\n", path, unknown);
    *out = v;
    return 0;
}

/* ---------------------------------------------------------------- output */

typedef struct outfile {
    char path[4096], tmp[4096];
    FILE *f;
} outfile;

static int out_open(outfile *o, const char *dir, const char *name)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp", dir, name);
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        fprintf(stderr, "doppel-gen: cannot create %s: %s\n", o->tmp,
                strerror(errno));
        return -1;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    return 0;
}

static int out_close(outfile *o, int commit)
{
    if (!o->f)
        return 0;
    int bad = fclose(o->f) != 0;
    o->f = NULL;
    if (bad || !commit) {
        remove(o->tmp);
        if (bad)
            fprintf(stderr, "doppel-gen: writing %s failed\n", o->path);
        return bad ? -1 : 0;
    }
    if (rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "doppel-gen: cannot rename %s to %s: %s\n", o->tmp,
                o->path, strerror(errno));
        return -1;
    }
    return 0;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void print_summary(const bg_mix_summary *s, double secs, const char *dir)
{
    fprintf(stderr, "doppel-gen: %zu documents in %zu true clusters (%zu real "
                    "and %zu synthetic base articles) in %.2f s -> %s/\n",
            s->documents, s->clusters, s->base_real, s->base_synthetic, secs, dir);
    fprintf(stderr, "  documents per kind:");
    for (size_t k = 0; k < s->nkinds; k++)
        fprintf(stderr, "%s %s %zu", k ? "," : "", s->kind_name[k],
                s->kind_count[k]);
    fprintf(stderr, "\n  real near-duplicates: %zu articles in a given or found "
                    "pair (only ever originals); found by word-5-shingle "
                    "Jaccard: %zu pairs merged in the truth, %zu ambiguous "
                    "pairs -> ambiguous.tsv\n",
            s->near_related, s->near_merged, s->near_ambiguous);
    fprintf(stderr, "  spin (spin copies only): rate -> realised fraction of "
                    "replaceable units, fraction of words changed (documents)\n");
    fprintf(stderr, "    rate    %-26s    %-26s %s\n", "wordnet", "phrase", "all");
    size_t order[BG_MAX_SPIN_RATES];
    for (size_t i = 0; i < s->nrates; i++) { /* by rate (insertion sort) */
        size_t j = i;
        for (; j > 0 && s->rate[order[j - 1]] > s->rate[i]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (size_t k = 0; k < s->nrates; k++) {
        size_t i = order[k];
        size_t au = 0, ar = 0, aw = 0, awr = 0, ad = 0;
        fprintf(stderr, "    %.2f", s->rate[i]);
        for (int p = 0; p < BG_SPIN_PROFILES; p++) {
            char cell[64];
            snprintf(cell, sizeof cell, "%.3f, %.3f (%zu)",
                     ratio(s->rate_replaced[i][p], s->rate_units[i][p]),
                     ratio(s->rate_words_replaced[i][p], s->rate_words[i][p]),
                     s->rate_docs[i][p]);
            fprintf(stderr, "    %-26s", s->rate_docs[i][p] ? cell : "-");
            au += s->rate_units[i][p];
            ar += s->rate_replaced[i][p];
            aw += s->rate_words[i][p];
            awr += s->rate_words_replaced[i][p];
            ad += s->rate_docs[i][p];
        }
        fprintf(stderr, " %.3f, %.3f (%zu)\n", ratio(ar, au), ratio(awr, aw), ad);
    }
    fprintf(stderr, "  boilerplate vs reprints: %zu sites, largest footer on %zu "
                    "documents, smallest big-site footer on %zu; reprint "
                    "clusters of %zu to %zu documents\n",
            s->nsites_total, s->largest_site_docs, s->smallest_big_site_docs,
            s->smallest_wire_cluster, s->largest_wire_cluster);
}

int main(int argc, char **argv)
{
    bg_mix_opts o;
    bg_mix_opts_default(&o);
    const char *outdir = ".", *dup_path = NULL, *wn_dir = NULL;
    int quiet = 0;
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t ninputs = 0;
    if (!inputs)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE                                                             \
    do {                                                                       \
        if (!v) {                                                              \
            fprintf(stderr, "doppel-gen: %s needs a value\n", a);              \
            return 2;                                                          \
        }                                                                      \
        i++;                                                                   \
    } while (0)
#define SIZE_OPT(name, field)                                                  \
    else if (strcmp(a, name) == 0)                                             \
    {                                                                          \
        NEED_VALUE;                                                            \
        if (parse_size(a, v, &(field)) < 0)                                    \
            return 2;                                                          \
    }
#define DOUBLE_OPT(name, field)                                                \
    else if (strcmp(a, name) == 0)                                             \
    {                                                                          \
        NEED_VALUE;                                                            \
        if (parse_double(a, v, &(field)) < 0)                                  \
            return 2;                                                          \
    }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) {
            NEED_VALUE;
            outdir = v;
        } else if (strcmp(a, "--dup-pairs") == 0) {
            NEED_VALUE;
            dup_path = v;
        } else if (strcmp(a, "--wordnet") == 0) {
            NEED_VALUE;
            wn_dir = v;
        } else if (strcmp(a, "--seed") == 0) {
            NEED_VALUE;
            size_t s;
            if (parse_size(a, v, &s) < 0)
                return 2;
            o.seed = s;
        } else if (strcmp(a, "--spinner") == 0) {
            NEED_VALUE;
            if (strcmp(v, "wordnet") == 0)
                o.spinner = BG_MIX_SPIN_WORDNET;
            else if (strcmp(v, "phrase") == 0)
                o.spinner = BG_MIX_SPIN_PHRASE;
            else if (strcmp(v, "mixed") == 0)
                o.spinner = BG_MIX_SPIN_MIXED;
            else {
                fprintf(stderr, "doppel-gen: --spinner must be wordnet, phrase "
                                "or mixed, got '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--dates") == 0) {
            o.dates = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--spin-rates") == 0) {
            NEED_VALUE;
            if (parse_rate_list(a, v, o.spin_rates, BG_MAX_SPIN_RATES,
                                &o.nspin_rates) < 0)
                return 2;
        } else if (strcmp(a, "--site-pages") == 0) {
            NEED_VALUE;
            if (parse_size_list(a, v, o.site_pages, BG_MAX_GROUPS, &o.nsites) < 0)
                return 2;
        } else if (strcmp(a, "--wire-copies") == 0) {
            NEED_VALUE;
            if (parse_size_list(a, v, o.wire_copies, BG_MAX_GROUPS, &o.nwires) < 0)
                return 2;
        }
        SIZE_OPT("--spin-copies", o.spin_per_rate)
        SIZE_OPT("--typo", o.typo)
        DOUBLE_OPT("--typo-rate", o.typo_rate)
        SIZE_OPT("--truncate", o.truncate)
        DOUBLE_OPT("--truncate-frac", o.truncate_frac)
        SIZE_OPT("--sentdel", o.sentdel)
        DOUBLE_OPT("--sentdel-frac", o.sentdel_frac)
        SIZE_OPT("--reorder", o.reorder)
        SIZE_OPT("--headfoot", o.headfoot)
        SIZE_OPT("--combo", o.combo)
        SIZE_OPT("--partial", o.partial)
        SIZE_OPT("--templated", o.templated)
        SIZE_OPT("--small-sites", o.small_sites)
        SIZE_OPT("--scale", o.scale)
        DOUBLE_OPT("--merge-jaccard", o.merge_jaccard)
        DOUBLE_OPT("--ambiguous-jaccard", o.ambiguous_jaccard)
        else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "doppel-gen: unknown option %s (see --help)\n", a);
            return 2;
        } else {
            inputs[ninputs++] = a;
        }
    }
    if (ninputs == 0) {
        usage(stderr);
        return 2;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 1;
    corpus c;
    memset(&c, 0, sizeof c);
    uint32_t *dups = NULL;
    size_t ndups = 0;
    bg_wordnet *wn = NULL;
    bg_mix *mix = NULL;
    doppel_error err = {0};
    outfile oc = {{0}, {0}, NULL}, ot = oc, om = oc, oa = oc;

    if (read_inputs(&c, inputs, ninputs, quiet) < 0)
        goto done;
    if (dup_path && read_dup_pairs(dup_path, &c, &dups, &ndups, quiet) < 0)
        goto done;
    if (bg_wordnet_load(&wn, wn_dir, &err) < 0) {
        fprintf(stderr, "doppel-gen: %s\n", err.message);
        goto done;
    }
    if (bg_mix_plan(&mix, c.arts, c.n, dups, ndups, wn, &o, &err) < 0) {
        fprintf(stderr, "doppel-gen: %s\n", err.message);
        status = 2;
        goto done;
    }
    if (out_open(&oc, outdir, "corpus.jsonl") < 0
        || out_open(&ot, outdir, "truth.tsv") < 0
        || out_open(&om, outdir, "meta.tsv") < 0
        || out_open(&oa, outdir, "ambiguous.tsv") < 0)
        goto done;
    bg_mix_summary sum;
    if (bg_mix_write(mix, oc.f, ot.f, om.f, oa.f, &sum, &err) < 0) {
        fprintf(stderr, "doppel-gen: %s\n", err.message);
        goto done;
    }
    if (out_close(&oc, 1) < 0 || out_close(&ot, 1) < 0 || out_close(&om, 1) < 0
        || out_close(&oa, 1) < 0)
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!quiet)
        print_summary(&sum, (double)(t1.tv_sec - t0.tv_sec)
                                + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                      outdir);
    status = 0;
done:
    out_close(&oc, 0);
    out_close(&ot, 0);
    out_close(&om, 0);
    out_close(&oa, 0);
    bg_mix_free(mix);
    bg_wordnet_free(wn);
    free(dups);
    corpus_free(&c);
    free(inputs);
    return status;
}
