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

#include "diag.h"
#include "doppel.h"
#include "feed.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 256

/* ------------------------------------------------------------ options */

enum output_kind { OUTPUT_CLUSTERS, OUTPUT_PAIRS, OUTPUT_JSONL };

static const char *const output_names[] = {"clusters", "pairs", "jsonl",
                                           NULL};
static const char *const shingle_names[] = {"skeleton", "word", "char",
                                            NULL};
static const doppel_shingle_kind shingle_kinds[] = {
    DOPPEL_SHINGLE_SKELETON, DOPPEL_SHINGLE_WORD, DOPPEL_SHINGLE_CHAR};
static const char *const verify_names[] = {"robust", "jaccard", NULL};
static const char *const minhash_names[] = {"one-perm", "k-perm", NULL};
static const char *const format_names[] = {"auto", "jsonl", "text", NULL};

typedef struct dedup_config {
    doppel_params params;
    unsigned threads;
    int output; /* enum output_kind */
    const char *output_file;
    doppel_reader_opts reader;
    size_t max_docs; /* 0 = the library's default */
    int quiet;
    int progress; /* 1, 0, or -1: when stderr is a terminal */
    int help, version;
} dedup_config;

enum option_tag {
    OPT_THRESHOLD, OPT_CONTAINMENT, OPT_VERIFY, OPT_SHINGLE,
    OPT_SHINGLE_SIZE, OPT_NUM_PERM, OPT_BANDS,
    OPT_ROWS, OPT_SEED, OPT_MINHASH, OPT_THREADS, OPT_OUTPUT,
    OPT_OUTPUT_FILE, OPT_ID_FIELD, OPT_TEXT_FIELD, OPT_DATE_FIELD,
    OPT_FORMAT, OPT_SKIP_MALFORMED, OPT_MAX_RECORD_BYTES, OPT_SKIP_OVERSIZE,
    OPT_MAX_DOCS, OPT_QUIET, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_HELP, OPT_VERSION
};

/* Bounds the CLI checks so that its messages can name the option; the
 * library checks them again (and the combinations, e.g. bands * rows <=
 * num_perm), and check_cli.c tests that both agree at every bound. */
#define SHINGLE_SIZE_MAX 32
#define NUM_PERM_MIN 16
#define NUM_PERM_MAX 4096

static int apply_option(void *vcfg, const cli_option *opt, const char *v,
                        char *msg)
{
    dedup_config *c = vcfg;
    uint64_t u;
    int i;
    switch ((enum option_tag)opt->tag) {
    case OPT_THRESHOLD:
        return cli_parse_double_open_closed(opt, v, 0.0, 1.0,
                                            &c->params.threshold, msg);
    case OPT_SHINGLE:
        if (cli_parse_choice(opt, v, shingle_names, &i, msg) < 0)
            return -1;
        c->params.shingle = shingle_kinds[i];
        return 0;
    case OPT_CONTAINMENT:
        return cli_parse_double_open_closed(opt, v, 0.0, 1.0,
                                            &c->params.containment, msg);
    case OPT_VERIFY:
        if (cli_parse_choice(opt, v, verify_names, &i, msg) < 0)
            return -1;
        c->params.verify =
            i == 0 ? DOPPEL_VERIFY_ROBUST : DOPPEL_VERIFY_JACCARD;
        return 0;
    case OPT_SHINGLE_SIZE:
        if (cli_parse_uint(opt, v, 1, SHINGLE_SIZE_MAX, &u, msg) < 0)
            return -1;
        c->params.shingle_size = (unsigned)u;
        return 0;
    case OPT_NUM_PERM:
        if (cli_parse_uint(opt, v, NUM_PERM_MIN, NUM_PERM_MAX, &u, msg) < 0)
            return -1;
        c->params.num_perm = (unsigned)u;
        return 0;
    case OPT_BANDS:
    case OPT_ROWS:
        if (cli_parse_uint(opt, v, 1, NUM_PERM_MAX, &u, msg) < 0)
            return -1;
        if (opt->tag == OPT_BANDS)
            c->params.bands = (unsigned)u;
        else
            c->params.rows = (unsigned)u;
        return 0;
    case OPT_SEED:
        return cli_parse_uint(opt, v, 0, UINT64_MAX, &c->params.seed, msg);
    case OPT_MINHASH:
        if (cli_parse_choice(opt, v, minhash_names, &i, msg) < 0)
            return -1;
        c->params.minhash =
            i == 0 ? DOPPEL_MINHASH_ONE_PERM : DOPPEL_MINHASH_K_PERM;
        return 0;
    case OPT_THREADS:
        if (cli_parse_uint(opt, v, 1, MAX_THREADS, &u, msg) < 0)
            return -1;
        c->threads = (unsigned)u;
        return 0;
    case OPT_OUTPUT:
        return cli_parse_choice(opt, v, output_names, &c->output, msg);
    case OPT_OUTPUT_FILE:
        if (v[0] == '\0') {
            snprintf(msg, CLI_MSG_MAX,
                     "invalid value '' for --output-file: expected a path");
            return -1;
        }
        c->output_file = v;
        return 0;
    case OPT_ID_FIELD:
    case OPT_TEXT_FIELD:
    case OPT_DATE_FIELD:
        if (v[0] == '\0') {
            snprintf(msg, CLI_MSG_MAX,
                     "invalid value '' for --%s: expected a JSON field name",
                     opt->name);
            return -1;
        }
        if (opt->tag == OPT_ID_FIELD)
            c->reader.id_field = v;
        else if (opt->tag == OPT_TEXT_FIELD)
            c->reader.text_field = v;
        else
            c->reader.date_field = v;
        return 0;
    case OPT_FORMAT:
        if (cli_parse_choice(opt, v, format_names, &i, msg) < 0)
            return -1;
        c->reader.format = i == 0   ? DOPPEL_INPUT_AUTO
                           : i == 1 ? DOPPEL_INPUT_JSONL
                                    : DOPPEL_INPUT_TEXT;
        return 0;
    case OPT_SKIP_MALFORMED: c->reader.skip_malformed = 1; return 0;
    case OPT_MAX_RECORD_BYTES:
        return cli_parse_size(opt, v, &c->reader.max_record_bytes, msg);
    case OPT_SKIP_OVERSIZE: c->reader.skip_oversize = 1; return 0;
    case OPT_MAX_DOCS:
        if (cli_parse_uint(opt, v, 1, DOPPEL_MAX_DOCS, &u, msg) < 0)
            return -1;
        c->max_docs = (size_t)u;
        return 0;
    case OPT_QUIET: c->quiet = 1; return 0;
    case OPT_PROGRESS: c->progress = 1; return 0;
    case OPT_NO_PROGRESS: c->progress = 0; return 0;
    case OPT_HELP: c->help = 1; return 0;
    case OPT_VERSION: c->version = 1; return 0;
    }
    return 0;
}

#define VAL(name, s, meta, help, tag) {name, s, 1, meta, help, apply_option, tag}
#define FLAG(name, s, help, tag) {name, s, 0, NULL, help, apply_option, tag}
/* Options with a help line appear in --help (which must fit 80x24); the
 * others are documented in docs/cli.md. */
static const cli_option dedup_options[] = {
    VAL("threshold", 0, "X", "Jaccard threshold, in (0, 1]; default 0.40",
        OPT_THRESHOLD),
    VAL("containment", 0, "X", NULL, OPT_CONTAINMENT),
    VAL("verify", 0, "robust|jaccard", NULL, OPT_VERIFY),
    VAL("shingle", 0, "KIND", "skeleton, word or char; default skeleton",
        OPT_SHINGLE),
    VAL("shingle-size", 'k', "N", "per shingle, 1-32; default 6 (word/char: 5)",
        OPT_SHINGLE_SIZE),
    VAL("num-perm", 0, "N", "MinHash signature length, 16-4096; default 128",
        OPT_NUM_PERM),
    VAL("bands", 0, "B", NULL, OPT_BANDS),
    VAL("rows", 0, "R", NULL, OPT_ROWS),
    VAL("seed", 0, "N", NULL, OPT_SEED),
    VAL("minhash", 0, "one-perm|k-perm", NULL, OPT_MINHASH),
    VAL("threads", 'j', "N", "threads, 1-256; default: online CPUs",
        OPT_THREADS),
    VAL("output", 0, "FORMAT", "clusters, pairs or jsonl; default clusters",
        OPT_OUTPUT),
    VAL("output-file", 'o', "PATH", "write to PATH (replaced atomically)",
        OPT_OUTPUT_FILE),
    VAL("id-field", 0, "NAME", NULL, OPT_ID_FIELD),
    VAL("text-field", 0, "NAME", NULL, OPT_TEXT_FIELD),
    VAL("date-field", 0, "NAME", NULL, OPT_DATE_FIELD),
    VAL("format", 0, "FORMAT", "auto, jsonl or text; default auto",
        OPT_FORMAT),
    FLAG("skip-malformed", 0, "skip (and count) malformed JSON lines",
         OPT_SKIP_MALFORMED),
    VAL("max-record-bytes", 0, "N", NULL, OPT_MAX_RECORD_BYTES),
    FLAG("skip-oversize", 0, NULL, OPT_SKIP_OVERSIZE),
    VAL("max-docs", 0, "N", NULL, OPT_MAX_DOCS),
    FLAG("quiet", 'q', "no summary on stderr", OPT_QUIET),
    FLAG("progress", 0, "show progress (default: if stderr is a tty)",
         OPT_PROGRESS),
    FLAG("no-progress", 0, NULL, OPT_NO_PROGRESS),
    FLAG("help", 'h', "show this help", OPT_HELP),
    FLAG("version", 0, "show the version", OPT_VERSION),
};
#undef VAL
#undef FLAG
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

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/* ---------------------------------------------------------------- run */

/* An input that cannot be read twice, copied to a temporary file. */
typedef struct spooled {
    const char *name; /* as given: "-" or the path */
    cli_tempfile tmp;
} spooled;

typedef struct dedup_run {
    const dedup_config *cfg;
    const char **paths; /* what the reader opens (spools substituted) */
    size_t npaths;
    spooled *spools;
    size_t nspools;
    doppel_reader_opts ropts;
    doppel_dedup *dedup;
    cli_output out;
    cli_progress progress;
    doppel_reader_stats rstats; /* of the first pass */
} dedup_run;

/* Print a library error; if it names a spooled copy, name the input the
 * user gave instead. Returns the exit code. */
static int report(const dedup_run *run, int rc, const doppel_error *err)
{
    const char *msg = err->message[0] ? err->message : doppel_strerror(rc);
    for (size_t i = 0; i < run->nspools; i++) {
        const char *p = run->spools[i].tmp.path;
        size_t len = p ? strlen(p) : 0;
        if (len && strncmp(msg, p, len) == 0) {
            cli_error("%s%s", run->spools[i].name, msg + len);
            return cli_exit_for_status(rc);
        }
    }
    cli_error("%s", msg);
    return cli_exit_for_status(rc);
}

/* Copy input `name` ("-" = standard input) to a new temporary file. */
static int spool_input(dedup_run *run, size_t index, const char *name)
{
    spooled *s = &run->spools[run->nspools];
    s->name = name;
    s->tmp = (cli_tempfile)CLI_TEMPFILE_INIT;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (cli_tempfile_create(&s->tmp, dir, "doppel-input-") < 0) {
        cli_error("%s: cannot create a temporary file in '%s' to read it "
                  "twice: %s",
                  name, dir, strerror(errno));
        return CLI_EXIT_DATA;
    }
    run->nspools++;
    int in = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
    if (in < 0) {
        cli_error("%s: %s", name, strerror(errno));
        return CLI_EXIT_DATA;
    }
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    int code = CLI_EXIT_OK;
    if (!buf) {
        cli_error("out of memory");
        code = CLI_EXIT_INTERNAL;
    }
    while (code == CLI_EXIT_OK) {
        ssize_t n = read(in, buf, cap);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            cli_error("%s: %s", name, strerror(errno));
            code = CLI_EXIT_DATA;
            break;
        }
        for (ssize_t done = 0; done < n && code == CLI_EXIT_OK;) {
            ssize_t w = write(s->tmp.fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                cli_error("%s: cannot copy it to '%s': %s", name,
                          s->tmp.path, strerror(errno));
                code = CLI_EXIT_DATA;
            } else {
                done += w;
            }
        }
    }
    free(buf);
    if (in != STDIN_FILENO)
        close(in);
    close(s->tmp.fd);
    s->tmp.fd = -1;
    run->paths[index] = s->tmp.path;
    return code;
}

/* For --output jsonl: spool every input that cannot be read twice. */
static int spool_inputs(dedup_run *run)
{
    run->spools = calloc(run->npaths, sizeof *run->spools);
    if (!run->spools) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < run->npaths; i++) {
        const char *p = run->paths[i];
        struct stat st;
        int once = strcmp(p, "-") == 0 ||
                   (stat(p, &st) == 0 && !S_ISREG(st.st_mode) &&
                    !S_ISDIR(st.st_mode));
        /* A missing file is left to the reader, which reports it in its
         * place among the inputs. */
        if (once) {
            int code = spool_input(run, i, p);
            if (code != CLI_EXIT_OK)
                return code;
        }
    }
    return CLI_EXIT_OK;
}

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
    int rc = doppel_reader_open(&r, run->paths, run->npaths, &run->ropts,
                                &err);
    /* --threads 1 is one thread: reading is not overlapped then */
    if (rc == DOPPEL_OK)
        rc = run->cfg->threads > 1 ? cli_feed(r, add_batch, run, &err)
                                   : cli_feed_inline(r, add_batch, run, &err);
    if (r)
        doppel_reader_stats_get(r, &run->rstats);
    doppel_reader_free(r);
    return rc < 0 ? report(run, rc, &err) : CLI_EXIT_OK;
}

/* Pass 2 for --output jsonl: copy the representatives' records. */
static int write_representatives(dedup_run *run)
{
    doppel_error err = {0};
    doppel_reader *r = NULL;
    int rc = doppel_reader_open(&r, run->paths, run->npaths, &run->ropts,
                                &err);
    if (rc < 0)
        return report(run, rc, &err);
    const char *id_field =
        run->ropts.id_field ? run->ropts.id_field : "id";
    const char *text_field =
        run->ropts.text_field ? run->ropts.text_field : "text";
    size_t n = doppel_dedup_count(run->dedup), doc = 0;
    int code = CLI_EXIT_OK;
    doppel_record rec;
    while ((rc = doppel_reader_next(r, &rec, &err)) > 0) {
        doppel_member m;
        if (doc < n &&
            (rc = doppel_dedup_member(run->dedup, doc, &m, &err)) < 0) {
            code = report(run, rc, &err);
            break;
        }
        if (doc >= n || m.id_len != rec.id_len ||
            (rec.id_len && memcmp(m.id, rec.id, rec.id_len) != 0)) {
            err.code = DOPPEL_ERR_IO;
            snprintf(err.message, sizeof err.message,
                     "%s:%llu: the input changed while it was being read "
                     "twice (for --output jsonl)",
                     rec.source, (unsigned long long)rec.line);
            code = report(run, DOPPEL_ERR_IO, &err);
            break;
        }
        if (m.representative == doc) {
            doppel_record shown = rec;
            /* An article read from a spooled copy is named as given. */
            for (size_t i = 0; i < run->nspools && rec.line == 0; i++) {
                if (strcmp(rec.source, run->spools[i].tmp.path) == 0) {
                    shown.id = shown.source = run->spools[i].name;
                    shown.id_len = strlen(shown.id);
                }
            }
            cli_write_jsonl_record(&run->out, &shown, id_field, text_field);
        }
        doc++;
    }
    if (code == CLI_EXIT_OK && rc < 0)
        code = report(run, rc, &err);
    if (code == CLI_EXIT_OK && doc != n) {
        cli_error("the inputs changed while they were being read twice "
                  "(for --output jsonl): %zu records the first time, %zu "
                  "the second",
                  n, doc);
        code = CLI_EXIT_DATA;
    }
    doppel_reader_free(r);
    return code;
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
    const dedup_config *cfg = run->cfg;
    int code = CLI_EXIT_OK;
    if (cfg->output == OUTPUT_JSONL && (code = spool_inputs(run)) != 0)
        return code;

    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    opts.params = cfg->params;
    opts.threads = cfg->threads;
    opts.max_docs = cfg->max_docs;
    doppel_error err = {0};
    int rc = doppel_dedup_create(&run->dedup, &opts, &err);
    if (rc < 0)
        return report(run, rc, &err);

    if ((code = first_pass(run)) != CLI_EXIT_OK)
        return code;
    cli_progress_stage(&run->progress, "clustering");
    rc = doppel_dedup_finish(run->dedup, &err);
    if (rc < 0)
        return report(run, rc, &err);
    cli_progress_stage(&run->progress, "writing");
    switch ((enum output_kind)cfg->output) {
    case OUTPUT_CLUSTERS:
        rc = cli_write_clusters(&run->out, run->dedup, &err);
        break;
    case OUTPUT_PAIRS:
        rc = cli_write_pairs(&run->out, run->dedup, &err);
        break;
    case OUTPUT_JSONL:
        code = write_representatives(run);
        break;
    }
    if (rc < 0)
        return report(run, rc, &err);
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
    dedup_config cfg = {
        .params = DOPPEL_PARAMS_INIT,
        .threads = online_cpus(),
        .output = OUTPUT_CLUSTERS,
        .reader = DOPPEL_READER_OPTS_INIT,
        .progress = -1,
    };
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
    if (cfg.help || cfg.version) {
        if (cfg.help)
            dedup_print_help(stdout);
        else
            printf("doppel %s\n", doppel_version());
        free(operands);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    }
    /* Parameters the library refuses are usage errors, in its words. */
    doppel_error err = {0};
    if (doppel_params_resolve(&cfg.params, &cfg.params, &err) < 0) {
        free(operands);
        return cli_usage_error("%s", err.message);
    }
    if (nops == 0)
        operands[nops++] = "-";

    dedup_run run;
    memset(&run, 0, sizeof run);
    run.cfg = &cfg;
    run.paths = operands;
    run.npaths = nops;
    run.ropts = cfg.reader;
    run.out = (cli_output)CLI_OUTPUT_INIT;
    int progress = cfg.progress >= 0 ? cfg.progress
                                     : !cfg.quiet && isatty(STDERR_FILENO);
    cli_progress_init(&run.progress, progress, stderr);

    int code = CLI_EXIT_DATA;
    if (cli_output_open(&run.out, cfg.output_file) == 0)
        code = run_dedup(&run);
    cli_progress_clear(&run.progress);
    cli_output_abort(&run.out);
    for (size_t i = 0; i < run.nspools; i++)
        cli_tempfile_remove(&run.spools[i].tmp);
    free(run.spools);
    doppel_dedup_free(run.dedup);
    free(operands);
    return code;
}
