/*
 * dedup_cmd.c — `doppel dedup [OPTIONS] [INPUT ...]`.
 *
 * The run, in order:
 *   1. Parse options (options.c) into a dedup_config; resolve the library
 *      parameters so that a bad combination is a usage error before any
 *      input is touched.
 *   2. Open the output (a temporary file next to -o's path, output.c) so a
 *      destination that cannot be written fails early.
 *   3. For --output jsonl, which reads the inputs a second time, copy every
 *      input that cannot be read twice (standard input, pipes, devices) to
 *      a temporary file first and read that instead, both times.
 *   4. First pass: feed.c reads records on a thread of its own, in
 *      batches, while the main thread hands the previous batch to
 *      doppel_dedup_add_batch(), which signs it on --threads threads
 *      (with --threads 1, one thread does both in turn).
 *      Documents are numbered in reading order whatever the batching, so
 *      results never depend on thread counts.
 *   5. doppel_dedup_finish(); write clusters or pairs, or (jsonl) read the
 *      inputs again with the same reader options -- the records come back
 *      in the same order, so record i is document i -- and copy the
 *      representatives' records. The ids are compared on the way, so an
 *      input that changed in between is an error, not a wrong result.
 *   6. Commit the output (fsync + rename), print the summary.
 * Every failure after step 2 removes the temporary files and leaves an
 * existing -o destination untouched.
 */
#define _POSIX_C_SOURCE 200809L
#include "dedup_cmd.h"

#include "common_opts.h"
#include "diag.h"
#include "doppel.h"
#include "feed.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "spool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ options */

typedef struct dedup_config {
    cli_common c;
    size_t max_docs; /* 0 = the library's default */
} dedup_config;

enum dedup_tag { OPT_MAX_DOCS = CLI_OPT_COMMAND_FIRST };

static int apply_option(void *vcfg, const cli_option *opt, const char *v,
                        char *msg)
{
    dedup_config *c = vcfg;
    if (opt->tag == OPT_MAX_DOCS) {
        uint64_t u;
        if (cli_parse_uint(opt, v, 1, DOPPEL_MAX_DOCS, &u, msg) < 0)
            return -1;
        c->max_docs = (size_t)u;
        return 0;
    }
    return cli_common_apply(&c->c, opt, v, msg);
}

/* Options with a help line appear in --help (which must fit 80x24); the
 * others are documented in docs/cli.md. */
static const cli_option dedup_options[] = {
    CLI_PARAM_ROWS(apply_option),
    CLI_THREADS_ROW(apply_option),
    CLI_OUTPUT_ROWS(apply_option),
    CLI_INPUT_ROWS(apply_option),
    CLI_ROW_VAL("max-docs", 0, "N", NULL, OPT_MAX_DOCS, apply_option),
    CLI_TAIL_ROWS(apply_option),
};
#define NOPTIONS (sizeof dedup_options / sizeof dedup_options[0])

void dedup_print_help(FILE *out)
{
    fputs("Usage: doppel dedup [OPTIONS] [INPUT ...]\n"
          "Find near-duplicate articles. An INPUT is a JSON Lines or text "
          "file (gzip\n"
          "is detected), a directory (read recursively) or - for standard "
          "input (the\n"
          "default). Prints: id, cluster (its representative's id), "
          "similarity.\n"
          "\n",
          out);
    cli_print_option_help(out, dedup_options, NOPTIONS);
    fputs("\n"
          "Also --containment, --verify, --bands, --rows, --seed, --minhash,\n"
          "--id-field, --text-field, --date-field, --max-record-bytes,\n"
          "--skip-oversize, --max-docs, --no-progress: see docs/cli.md, which\n"
          "also lists the exit codes.\n",
          out);
}

/* ---------------------------------------------------------------- run */

typedef struct dedup_run {
    const dedup_config *cfg;
    cli_inputs in;
    doppel_reader_opts ropts;
    doppel_dedup *dedup;
    cli_output out;
    cli_progress progress;
    doppel_reader_stats rstats; /* of the first pass */
} dedup_run;

/* Pass 1: add one batch to the dedup (on --threads threads). */
static int add_batch(void *ctx, const doppel_doc *docs, size_t n,
                     uint64_t bytes_read, doppel_error *err)
{
    dedup_run *run = ctx;
    int rc = doppel_dedup_add_batch(run->dedup, docs, n, err);
    if (rc == DOPPEL_OK)
        cli_progress_update(&run->progress, doppel_dedup_count(run->dedup),
                            bytes_read);
    return rc;
}

/* Pass 1: read every input into the dedup. */
static int first_pass(dedup_run *run)
{
    doppel_error err = {0};
    doppel_reader *r = NULL;
    int rc = doppel_reader_open(&r, run->in.paths, run->in.npaths,
                                &run->ropts, &err);
    /* --threads 1 is one thread: reading is not overlapped then */
    if (rc == DOPPEL_OK)
        rc = run->cfg->c.threads > 1 ? cli_feed(r, add_batch, run, &err)
                                   : cli_feed_inline(r, add_batch, run, &err);
    if (r)
        doppel_reader_stats_get(r, &run->rstats);
    doppel_reader_free(r);
    return rc < 0 ? cli_report(&run->in, rc, &err) : CLI_EXIT_OK;
}

/* Pass 2 for --output jsonl: the representatives' records. Record i must
 * be document i, checked by id so that an input that changed in between is
 * an error, not a wrong result. */
static int choose_representative(void *ctx, size_t i,
                                 const doppel_record *rec, int *keep,
                                 doppel_error *err)
{
    dedup_run *run = ctx;
    doppel_member m;
    int rc = doppel_dedup_member(run->dedup, i, &m, err);
    if (rc < 0)
        return rc;
    if (m.id_len != rec->id_len ||
        (rec->id_len && memcmp(m.id, rec->id, rec->id_len) != 0)) {
        err->code = DOPPEL_ERR_IO;
        snprintf(err->message, sizeof err->message,
                 "%s:%llu: the input changed while it was being read twice "
                 "(for --output jsonl)",
                 rec->source, (unsigned long long)rec->line);
        return DOPPEL_ERR_IO;
    }
    *keep = m.representative == i;
    return DOPPEL_OK;
}

static void print_summary(const dedup_run *run)
{
    doppel_dedup_stats st;
    doppel_error err = {0};
    if (doppel_dedup_stats_get(run->dedup, &st, &err) < 0)
        return;
    double secs = cli_progress_elapsed(&run->progress);
    uint64_t skipped = run->rstats.malformed + run->rstats.oversize;
    fprintf(stderr,
            "doppel: %zu documents, %zu clusters, %zu duplicates, %zu empty, "
            "%llu skipped (%llu malformed, %llu oversize), largest cluster "
            "%zu; %.2f s, %.1f MB/s\n",
            st.documents, st.clusters, st.duplicates, st.empty_documents,
            (unsigned long long)skipped,
            (unsigned long long)run->rstats.malformed,
            (unsigned long long)run->rstats.oversize, st.largest_cluster,
            secs, cli_mb_per_s(run->rstats.bytes, secs));
}

static int run_dedup(dedup_run *run)
{
    const cli_common *cfg = &run->cfg->c;
    int code = CLI_EXIT_OK;
    if (cfg->output == CLI_OUTPUT_JSONL &&
        (code = cli_spool_inputs(&run->in)) != 0)
        return code;

    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    opts.params = cfg->params;
    opts.threads = cfg->threads;
    opts.max_docs = run->cfg->max_docs;
    doppel_error err = {0};
    int rc = doppel_dedup_create(&run->dedup, &opts, &err);
    if (rc < 0)
        return cli_report(&run->in, rc, &err);

    if ((code = first_pass(run)) != CLI_EXIT_OK)
        return code;
    cli_progress_stage(&run->progress, "clustering");
    rc = doppel_dedup_finish(run->dedup, &err);
    if (rc < 0)
        return cli_report(&run->in, rc, &err);
    cli_progress_stage(&run->progress, "writing");
    switch ((enum cli_output_kind)cfg->output) {
    case CLI_OUTPUT_CLUSTERS:
        rc = cli_write_clusters(&run->out, run->dedup, &err);
        break;
    case CLI_OUTPUT_PAIRS:
        rc = cli_write_pairs(&run->out, run->dedup, &err);
        break;
    case CLI_OUTPUT_JSONL:
        code = cli_copy_records(&run->in, &run->ropts,
                                doppel_dedup_count(run->dedup),
                                choose_representative, run, &run->out);
        break;
    }
    if (rc < 0)
        return cli_report(&run->in, rc, &err);
    if (code != CLI_EXIT_OK)
        return code;
    cli_progress_clear(&run->progress);
    if (cli_output_commit(&run->out) < 0)
        return CLI_EXIT_DATA;
    if (!cfg->quiet)
        print_summary(run);
    return CLI_EXIT_OK;
}

int dedup_command(int argc, char **argv)
{
    dedup_config cfg;
    cli_common_init(&cfg.c);
    cfg.max_docs = 0;
    const char **operands = calloc((size_t)argc + 1, sizeof *operands);
    if (!operands) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    size_t nops = 0;
    char msg[CLI_MSG_MAX];
    if (cli_parse(dedup_options, NOPTIONS, argc, argv, &cfg, operands, &nops,
                  msg) < 0) {
        free(operands);
        return cli_usage_error("%s", msg);
    }
    if (cfg.c.help || cfg.c.version) {
        if (cfg.c.help)
            dedup_print_help(stdout);
        else
            printf("doppel %s\n", doppel_version());
        free(operands);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    }
    /* Parameters the library refuses are usage errors, in its words. */
    doppel_error err = {0};
    if (doppel_params_resolve(&cfg.c.params, &cfg.c.params, &err) < 0) {
        free(operands);
        return cli_usage_error("%s", err.message);
    }
    if (nops == 0)
        operands[nops++] = "-";

    dedup_run run;
    memset(&run, 0, sizeof run);
    run.cfg = &cfg;
    run.in.paths = operands;
    run.in.npaths = nops;
    run.ropts = cfg.c.reader;
    run.out = (cli_output)CLI_OUTPUT_INIT;
    int progress = cfg.c.progress >= 0 ? cfg.c.progress
                                       : !cfg.c.quiet && isatty(STDERR_FILENO);
    cli_progress_init(&run.progress, progress, stderr);

    int code = CLI_EXIT_DATA;
    if (cli_output_open(&run.out, cfg.c.output_file) == 0)
        code = run_dedup(&run);
    cli_progress_clear(&run.progress);
    cli_output_abort(&run.out);
    cli_inputs_cleanup(&run.in);
    doppel_dedup_free(run.dedup);
    free(operands);
    return code;
}
