/*
 * index_feed_cmd.c — `doppel index add` and `doppel index query`: articles
 * read as for `doppel dedup` (feed.c reads on a thread of its own), then
 * the same three reports.
 *
 * add: every article read is staged, and the whole input is committed as
 * one batch when it has all been read, so that an input is in the index
 * wholly or not at all; then the report is written and segments are
 * merged. A failure before the commit leaves the index as it was. Reports:
 *   clusters  id TAB cluster TAB similarity, one line per new article: its
 *             cluster's representative after the commit (an archived
 *             article, another new one, or itself)
 *   pairs     id_a TAB id_b TAB similarity for every verified pair the
 *             batch made, a added before b, sorted by (a, b)
 *   jsonl     the input records of the new articles that are their
 *             cluster's representative: what is new today
 * Over a sequence of daily inputs, the pairs are those of one `doppel
 * dedup` over all of them, and the last clusters those dedup prints.
 *
 * query: each batch read is compared with the index as it is (articles of
 * the input are not compared with each other) and reported at once:
 *   clusters  id TAB cluster TAB similarity: the representative of the
 *             cluster of its best match in the index, or itself
 *   pairs     match_id TAB id TAB similarity for every match in the index
 *   jsonl     the input records that match nothing in the index
 */
#define _POSIX_C_SOURCE 200809L
#include "index_cmd.h"

#include "diag.h"
#include "feed.h"
#include "output.h"
#include "progress.h"
#include "spool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct feed_run {
    const index_config *cfg;
    int query;
    cli_inputs in;
    doppel_reader_opts ropts;
    doppel_index *ix;
    cli_output out;
    cli_progress progress;
    doppel_reader_stats rstats;
    size_t docs;
    /* add: the commit's result */
    doppel_index_result *result;
    /* query: per article, whether it matched nothing, and its id's hash
     * (to notice an input that changed before the second pass) */
    uint8_t *is_new;
    uint64_t *id_hash;
    size_t cap;
    size_t matched, empty;
} feed_run;

static uint64_t hash_id(const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ull;
    return h;
}

static void write_line(cli_output *o, const char *a, size_t alen,
                       const char *b, size_t blen, double sim)
{
    cli_write_tsv_id(o, a, alen);
    cli_output_write(o, "\t", 1);
    cli_write_tsv_id(o, b, blen);
    char num[32];
    int n = snprintf(num, sizeof num, "\t%.4f\n", sim);
    cli_output_write(o, num, (size_t)n);
}

/* --------------------------------------------------------------- add */

static int stage_batch(void *ctx, const doppel_doc *docs, size_t n,
                       uint64_t bytes_read, doppel_error *err)
{
    feed_run *run = ctx;
    int rc = doppel_index_add(run->ix, docs, n, err);
    if (rc == DOPPEL_OK) {
        run->docs += n;
        cli_progress_update(&run->progress, run->docs, bytes_read);
    }
    return rc;
}

typedef struct out_pair {
    uint64_t a, b;
    const char *aid, *bid;
    size_t alen, blen;
    double sim;
} out_pair;

static int cmp_pair(const void *x, const void *y)
{
    const out_pair *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int write_add_pairs(feed_run *run)
{
    size_t n = doppel_index_result_count(run->result), total = 0;
    doppel_index_entry e;
    for (size_t i = 0; i < n; i++) {
        doppel_index_result_get(run->result, i, &e, NULL);
        total += e.nmatches;
    }
    out_pair *p = malloc((total ? total : 1) * sizeof *p);
    if (!p) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        doppel_index_result_get(run->result, i, &e, NULL);
        for (size_t j = 0; j < e.nmatches; j++) {
            const doppel_index_match *m = &e.matches[j];
            p[k++] = (out_pair){m->doc.number, e.doc.number,  m->doc.id,
                                e.doc.id,      m->doc.id_len, e.doc.id_len,
                                m->similarity};
        }
    }
    qsort(p, total, sizeof *p, cmp_pair);
    for (size_t i = 0; i < total; i++)
        write_line(&run->out, p[i].aid, p[i].alen, p[i].bid, p[i].blen,
                   p[i].sim);
    free(p);
    return CLI_EXIT_OK;
}

/* Second pass of add --output jsonl: the new representatives. */
static int choose_new(void *ctx, size_t i, const doppel_record *rec,
                      int *keep, doppel_error *err)
{
    feed_run *run = ctx;
    doppel_index_entry e;
    int rc = doppel_index_result_get(run->result, i, &e, err);
    if (rc < 0)
        return rc;
    if (e.doc.id_len != rec->id_len ||
        (rec->id_len && memcmp(e.doc.id, rec->id, rec->id_len) != 0)) {
        err->code = DOPPEL_ERR_IO;
        snprintf(err->message, sizeof err->message,
                 "%s:%llu: the input changed while it was being read twice "
                 "(for --output jsonl)",
                 rec->source, (unsigned long long)rec->line);
        return DOPPEL_ERR_IO;
    }
    *keep = e.representative.number == e.doc.number;
    return DOPPEL_OK;
}

static int read_all(feed_run *run, cli_feed_fn fn)
{
    doppel_error err = {0};
    doppel_reader *r = NULL;
    int rc = doppel_reader_open(&r, run->in.paths, run->in.npaths,
                                &run->ropts, &err);
    if (rc == DOPPEL_OK)
        rc = cli_feed(r, fn, run, &err);
    if (r)
        doppel_reader_stats_get(r, &run->rstats);
    doppel_reader_free(r);
    return rc < 0 ? cli_report(&run->in, rc, &err) : CLI_EXIT_OK;
}

static void print_add_summary(feed_run *run)
{
    size_t n = doppel_index_result_count(run->result), dups = 0, archived = 0,
           empty = 0;
    uint64_t first = UINT64_MAX;
    doppel_index_entry e;
    for (size_t i = 0; i < n; i++) {
        doppel_index_result_get(run->result, i, &e, NULL);
        if (i == 0)
            first = e.doc.number;
        empty += e.empty != 0;
        if (e.representative.number != e.doc.number) {
            dups++;
            archived += e.representative.number < first;
        }
    }
    double secs = cli_progress_elapsed(&run->progress);
    uint64_t skipped = run->rstats.malformed + run->rstats.oversize;
    fprintf(stderr,
            "doppel: %zu documents added, %zu duplicates (%zu of archived "
            "documents), %zu empty, %llu skipped (%llu malformed, %llu "
            "oversize); %.2f s, %.1f MB/s\n",
            n, dups, archived, empty, (unsigned long long)skipped,
            (unsigned long long)run->rstats.malformed,
            (unsigned long long)run->rstats.oversize, secs,
            cli_mb_per_s(run->rstats.bytes, secs));
    doppel_index_stats st;
    if (doppel_index_stats_get(run->ix, &st, NULL) == DOPPEL_OK)
        fprintf(stderr,
                "doppel: the index has %zu documents in %zu segments, %zu "
                "clusters\n",
                st.documents, st.segments, st.clusters);
}

static int run_add(feed_run *run)
{
    const cli_common *c = &run->cfg->c;
    int code = read_all(run, stage_batch);
    if (code != CLI_EXIT_OK)
        return code;
    cli_progress_stage(&run->progress, "matching");
    doppel_error err = {0};
    int rc = doppel_index_commit(run->ix, &run->result, &err);
    if (rc < 0)
        return cli_report(&run->in, rc, &err);
    /* From here on the batch is in the index. */
    cli_progress_stage(&run->progress, "writing");
    size_t n = doppel_index_result_count(run->result);
    doppel_index_entry e;
    switch ((enum cli_output_kind)c->output) {
    case CLI_OUTPUT_CLUSTERS:
        for (size_t i = 0; i < n; i++) {
            doppel_index_result_get(run->result, i, &e, NULL);
            write_line(&run->out, e.doc.id, e.doc.id_len,
                       e.representative.id, e.representative.id_len,
                       e.similarity);
        }
        break;
    case CLI_OUTPUT_PAIRS:
        code = write_add_pairs(run);
        break;
    case CLI_OUTPUT_JSONL:
        code = cli_copy_records(&run->in, &run->ropts, n, choose_new, run,
                                &run->out);
        break;
    }
    cli_progress_clear(&run->progress);
    if (code == CLI_EXIT_OK && cli_output_commit(&run->out) < 0)
        code = CLI_EXIT_DATA;
    if (code != CLI_EXIT_OK) {
        cli_error("the %zu documents were added to the index; only the "
                  "report failed",
                  n);
        return code;
    }
    code = index_merge(run->ix, run->cfg);
    if (code == CLI_EXIT_OK && !c->quiet)
        print_add_summary(run);
    return code;
}

/* ------------------------------------------------------------- query */

static int query_batch(void *ctx, const doppel_doc *docs, size_t n,
                       uint64_t bytes_read, doppel_error *err)
{
    feed_run *run = ctx;
    doppel_index_result *r = NULL;
    int rc = doppel_index_query(run->ix, docs, n, &r, err);
    if (rc < 0)
        return rc;
    if (run->cfg->c.output == CLI_OUTPUT_JSONL && run->docs + n > run->cap) {
        size_t cap = run->cap ? run->cap : 4096;
        while (cap < run->docs + n)
            cap *= 2;
        uint8_t *f = realloc(run->is_new, cap);
        if (f)
            run->is_new = f;
        uint64_t *h = f ? realloc(run->id_hash, cap * sizeof *h) : NULL;
        if (h)
            run->id_hash = h;
        if (!f || !h) {
            doppel_index_result_free(r);
            err->code = DOPPEL_ERR_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
            return DOPPEL_ERR_NOMEM;
        }
        run->cap = cap;
    }
    doppel_index_entry e;
    for (size_t i = 0; i < n; i++) {
        doppel_index_result_get(r, i, &e, NULL);
        run->matched += e.nmatches > 0;
        run->empty += e.empty != 0;
        switch ((enum cli_output_kind)run->cfg->c.output) {
        case CLI_OUTPUT_CLUSTERS:
            write_line(&run->out, e.doc.id, e.doc.id_len,
                       e.representative.id, e.representative.id_len,
                       e.similarity);
            break;
        case CLI_OUTPUT_PAIRS:
            for (size_t j = 0; j < e.nmatches; j++)
                write_line(&run->out, e.matches[j].doc.id,
                           e.matches[j].doc.id_len, e.doc.id, e.doc.id_len,
                           e.matches[j].similarity);
            break;
        case CLI_OUTPUT_JSONL:
            run->is_new[run->docs + i] = e.nmatches == 0;
            run->id_hash[run->docs + i] = hash_id(e.doc.id, e.doc.id_len);
            break;
        }
    }
    doppel_index_result_free(r);
    run->docs += n;
    cli_progress_update(&run->progress, run->docs, bytes_read);
    return DOPPEL_OK;
}

static int choose_unmatched(void *ctx, size_t i, const doppel_record *rec,
                            int *keep, doppel_error *err)
{
    feed_run *run = ctx;
    if (run->id_hash[i] != hash_id(rec->id, rec->id_len)) {
        err->code = DOPPEL_ERR_IO;
        snprintf(err->message, sizeof err->message,
                 "%s:%llu: the input changed while it was being read twice "
                 "(for --output jsonl)",
                 rec->source, (unsigned long long)rec->line);
        return DOPPEL_ERR_IO;
    }
    *keep = run->is_new[i];
    return DOPPEL_OK;
}

static int run_query(feed_run *run)
{
    const cli_common *c = &run->cfg->c;
    int code = read_all(run, query_batch);
    if (code == CLI_EXIT_OK && c->output == CLI_OUTPUT_JSONL)
        code = cli_copy_records(&run->in, &run->ropts, run->docs,
                                choose_unmatched, run, &run->out);
    cli_progress_clear(&run->progress);
    if (code != CLI_EXIT_OK)
        return code;
    if (cli_output_commit(&run->out) < 0)
        return CLI_EXIT_DATA;
    if (!c->quiet) {
        double secs = cli_progress_elapsed(&run->progress);
        uint64_t skipped = run->rstats.malformed + run->rstats.oversize;
        fprintf(stderr,
                "doppel: %zu documents queried, %zu with near-duplicates in "
                "the index, %zu empty, %llu skipped (%llu malformed, %llu "
                "oversize); %.2f s, %.1f MB/s\n",
                run->docs, run->matched, run->empty,
                (unsigned long long)skipped,
                (unsigned long long)run->rstats.malformed,
                (unsigned long long)run->rstats.oversize, secs,
                cli_mb_per_s(run->rstats.bytes, secs));
    }
    return CLI_EXIT_OK;
}

/* -------------------------------------------------------------- both */

static int run_feed(const index_config *cfg, const char **operands,
                    size_t nops, int query)
{
    feed_run run;
    memset(&run, 0, sizeof run);
    run.cfg = cfg;
    run.query = query;
    const char *stdin_only[1] = {"-"};
    const char **inputs = operands + 1;
    size_t ninputs = nops - 1;
    if (ninputs == 0) {
        inputs = stdin_only;
        ninputs = 1;
    }
    /* cli_spool_inputs substitutes paths: give it a copy. */
    run.in.paths = calloc(ninputs, sizeof *run.in.paths);
    if (!run.in.paths) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    memcpy(run.in.paths, inputs, ninputs * sizeof *inputs);
    run.in.npaths = ninputs;
    run.ropts = cfg->c.reader;
    run.out = (cli_output)CLI_OUTPUT_INIT;
    int progress = cfg->c.progress >= 0
                       ? cfg->c.progress
                       : !cfg->c.quiet && isatty(STDERR_FILENO);
    cli_progress_init(&run.progress, progress, stderr);
    int code = CLI_EXIT_DATA;
    if (cli_output_open(&run.out, cfg->c.output_file) == 0) {
        code = CLI_EXIT_OK;
        if (cfg->c.output == CLI_OUTPUT_JSONL)
            code = cli_spool_inputs(&run.in);
        if (code == CLI_EXIT_OK)
            code = index_open(operands[0], cfg,
                              query ? 0 : DOPPEL_INDEX_WRITE, &run.ix);
        if (code == CLI_EXIT_OK)
            code = query ? run_query(&run) : run_add(&run);
    }
    cli_progress_clear(&run.progress);
    cli_output_abort(&run.out);
    cli_inputs_cleanup(&run.in);
    doppel_index_result_free(run.result);
    doppel_index_free(run.ix);
    free(run.is_new);
    free(run.id_hash);
    free(run.in.paths);
    return code;
}

int index_add_command(const index_config *cfg, const char **operands,
                      size_t nops)
{
    return run_feed(cfg, operands, nops, 0);
}

int index_query_command(const index_config *cfg, const char **operands,
                        size_t nops)
{
    return run_feed(cfg, operands, nops, 1);
}
