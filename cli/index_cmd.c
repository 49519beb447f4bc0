/*
 * index_cmd.c — `doppel index SUBCOMMAND [OPTIONS] INDEX [ARGS]`.
 *
 * A table of subcommands (name, usage, summary, options, entry point), as
 * main.c has for commands: each gets its own option table built from the
 * shared rows (common_opts.h) and its own, so --help shows exactly what
 * it accepts. This file runs the subcommands that need no articles:
 * create, remove, expire, stats, compact and verify; add and query are in
 * index_feed_cmd.c.
 *
 * Parameters are fixed when an index is created. The other subcommands
 * accept the same parameter options only to check them: an index made
 * with other values is refused, with both values in the message, rather
 * than silently used with its own.
 */
#define _POSIX_C_SOURCE 200809L
#include "index_cmd.h"

#include "diag.h"
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum index_tag {
    OPT_NO_MERGE = CLI_OPT_COMMAND_FIRST,
    OPT_CHECK,
    OPT_WAIT,
    OPT_IDS_FROM,
    OPT_BEFORE
};

static int apply_option(void *vcfg, const cli_option *opt, const char *v,
                        char *msg)
{
    index_config *c = vcfg;
    switch (opt->tag) {
    case OPT_NO_MERGE: c->no_merge = 1; return 0;
    case OPT_CHECK: c->verify = 1; return 0;
    case OPT_WAIT: c->wait = 1; return 0;
    case OPT_IDS_FROM:
    case OPT_BEFORE:
        if (v[0] == '\0') {
            snprintf(msg, CLI_MSG_MAX, "invalid value '' for --%s: expected "
                                       "%s",
                     opt->name,
                     opt->tag == OPT_BEFORE ? "a date" : "a path");
            return -1;
        }
        if (opt->tag == OPT_BEFORE)
            c->before = v;
        else
            c->ids_from = v;
        return 0;
    default:
        return cli_common_apply(&c->c, opt, v, msg);
    }
}

#define VAL(name, s, meta, help, tag)                                          \
    CLI_ROW_VAL(name, s, meta, help, tag, apply_option)
#define FLAG(name, s, help, tag) CLI_ROW_FLAG(name, s, help, tag, apply_option)
#define ROW_NO_MERGE                                                           \
    FLAG("no-merge", 0, "do not merge segments afterwards", OPT_NO_MERGE)
/* Not --verify: that is the verification kind (robust|jaccard). */
#define ROW_CHECK                                                              \
    FLAG("check", 0, "check every checksum when opening", OPT_CHECK)
#define ROW_WAIT                                                               \
    FLAG("wait", 0, "wait for another writer instead of failing", OPT_WAIT)
#define ROW_QUIET FLAG("quiet", 'q', "no summary on stderr", CLI_OPT_QUIET)
#define ROW_HELP FLAG("help", 'h', "show this help", CLI_OPT_HELP)

static const cli_option create_options[] = {
    CLI_PARAM_ROWS(apply_option), ROW_QUIET, ROW_HELP};
static const cli_option add_options[] = {
    CLI_PARAM_ROWS(apply_option), CLI_THREADS_ROW(apply_option),
    CLI_OUTPUT_ROWS(apply_option), CLI_INPUT_ROWS(apply_option),
    ROW_NO_MERGE, ROW_CHECK, ROW_WAIT, CLI_TAIL_ROWS(apply_option)};
static const cli_option query_options[] = {
    CLI_PARAM_ROWS(apply_option), CLI_THREADS_ROW(apply_option),
    CLI_OUTPUT_ROWS(apply_option), CLI_INPUT_ROWS(apply_option),
    ROW_CHECK, CLI_TAIL_ROWS(apply_option)};
static const cli_option remove_options[] = {
    VAL("ids-from", 0, "FILE", "also the ids in FILE, one per line (- = stdin)",
        OPT_IDS_FROM),
    ROW_NO_MERGE, ROW_WAIT, ROW_QUIET, ROW_HELP};
static const cli_option expire_options[] = {
    VAL("before", 0, "DATE", "remove documents dated before DATE (required)",
        OPT_BEFORE),
    ROW_NO_MERGE, ROW_WAIT, ROW_QUIET, ROW_HELP};
static const cli_option stats_options[] = {ROW_CHECK, ROW_HELP};
static const cli_option compact_options[] = {ROW_WAIT, ROW_QUIET, ROW_HELP};
static const cli_option verify_options[] = {ROW_QUIET, ROW_HELP};

#define ROWS(t) t, sizeof t / sizeof t[0]

static int run_create(const index_config *, const char **, size_t);
static int run_remove(const index_config *, const char **, size_t);
static int run_expire(const index_config *, const char **, size_t);
static int run_stats(const index_config *, const char **, size_t);
static int run_compact(const index_config *, const char **, size_t);
static int run_verify(const index_config *, const char **, size_t);

typedef struct index_sub {
    const char *name;
    const char *usage;   /* after "doppel index NAME " */
    const char *summary; /* one line */
    const char *about;   /* a few lines for --help */
    const cli_option *options;
    size_t noptions;
    int (*run)(const index_config *cfg, const char **ops, size_t nops);
    size_t min_ops, max_ops; /* operands, the index included */
} index_sub;

static const index_sub subs[] = {
    {"create", "[OPTIONS] INDEX", "create an empty index",
     "Create an empty index in directory INDEX with the parameters given\n"
     "(fixed from then on).\n",
     ROWS(create_options), run_create, 1, 1},
    {"add", "[OPTIONS] INDEX [INPUT ...]",
     "add articles; report which copy archived ones",
     "Add the articles of the INPUTs (as for doppel dedup; default: standard\n"
     "input) as one batch, all or nothing. Prints, as dedup does, each new\n"
     "article's cluster (clusters), the pairs it forms (pairs), or the new\n"
     "articles that copy nothing before them (jsonl).\n",
     ROWS(add_options), index_add_command, 1, SIZE_MAX},
    {"query", "[OPTIONS] INDEX [INPUT ...]",
     "find articles' near-duplicates in an index",
     "Compare each article of the INPUTs with the index, without adding it.\n"
     "Prints its cluster in the index (clusters), its matches (pairs), or\n"
     "the articles the index has no copy of (jsonl).\n",
     ROWS(query_options), index_query_command, 1, SIZE_MAX},
    {"remove", "[OPTIONS] INDEX [ID ...]", "remove documents by id",
     "Remove every document whose id is one of the IDs (or in --ids-from).\n",
     ROWS(remove_options), run_remove, 1, SIZE_MAX},
    {"expire", "--before DATE [OPTIONS] INDEX",
     "remove documents dated before a date",
     "Remove every document dated before DATE (ISO 8601, RFC 2822 or Unix\n"
     "seconds). Undated documents stay.\n",
     ROWS(expire_options), run_expire, 1, 1},
    {"stats", "[OPTIONS] INDEX", "print facts about an index",
     "Print documents, clusters, segments, size, dates and parameters.\n",
     ROWS(stats_options), run_stats, 1, 1},
    {"compact", "[OPTIONS] INDEX", "merge all segments into one",
     "Rewrite the index as one segment without removed documents.\n",
     ROWS(compact_options), run_compact, 1, 1},
    {"verify", "[OPTIONS] INDEX", "check every checksum of an index",
     "Read every byte of the index and check it against its checksums.\n",
     ROWS(verify_options), run_verify, 1, 1},
};
#define NSUBS (sizeof subs / sizeof subs[0])

void index_print_help(FILE *out)
{
    fputs("Usage: doppel index SUBCOMMAND [OPTIONS] INDEX [ARGS]\n"
          "A persistent index of articles on disk, for feeds: add each day's\n"
          "articles and learn which copy the archive.\n"
          "\n",
          out);
    for (size_t i = 0; i < NSUBS; i++)
        fprintf(out, "  %-9s %s\n", subs[i].name, subs[i].summary);
    fputs("\n'doppel index SUBCOMMAND --help' shows its options; docs/cli.md "
          "and\ndocs/index.md say more.\n",
          out);
}

static void print_sub_help(FILE *out, const index_sub *s)
{
    fprintf(out, "Usage: doppel index %s %s\n%s\n", s->name, s->usage,
            s->about);
    cli_print_option_help(out, s->options, s->noptions);
    fputs("\nSee docs/cli.md.\n", out);
}

/* ----------------------------------------------------------- helpers */

/* The parameters the user gave, applied over the index's own. */
static doppel_params given_params(const index_config *cfg,
                                  const doppel_params *have)
{
    doppel_params p = *have;
    const doppel_params *g = &cfg->c.params;
    unsigned m = cfg->c.params_given;
    if (m & CLI_GIVEN_THRESHOLD)
        p.threshold = g->threshold;
    if (m & CLI_GIVEN_CONTAINMENT)
        p.containment = g->containment;
    if (m & CLI_GIVEN_VERIFY)
        p.verify = g->verify;
    if (m & CLI_GIVEN_SHINGLE) {
        p.shingle = g->shingle;
        if (!(m & CLI_GIVEN_SHINGLE_SIZE))
            p.shingle_size = 0; /* the kind's default */
    }
    if (m & CLI_GIVEN_SHINGLE_SIZE)
        p.shingle_size = g->shingle_size;
    if (m & CLI_GIVEN_NUM_PERM)
        p.num_perm = g->num_perm;
    if (m & CLI_GIVEN_MINHASH)
        p.minhash = g->minhash;
    if (m & CLI_GIVEN_SEED)
        p.seed = g->seed;
    if (m & (CLI_GIVEN_BANDS | CLI_GIVEN_ROWS)) {
        p.bands = m & CLI_GIVEN_BANDS ? g->bands : 0;
        p.rows = m & CLI_GIVEN_ROWS ? g->rows : 0;
    } else if (m & (CLI_GIVEN_THRESHOLD | CLI_GIVEN_NUM_PERM)) {
        p.bands = p.rows = 0; /* chosen again, as dedup would */
    }
    return p;
}

int index_open(const char *path, const index_config *cfg, unsigned flags,
               doppel_index **out)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = flags | (cfg->verify ? DOPPEL_INDEX_VERIFY : 0) |
              (cfg->wait && (flags & DOPPEL_INDEX_WRITE) ? DOPPEL_INDEX_WAIT
                                                         : 0);
    o.threads = cfg->c.threads;
    doppel_error err = {0};
    int rc = doppel_index_open(out, path, &o, &err);
    if (rc == DOPPEL_OK && cfg->c.params_given) {
        doppel_params p = given_params(cfg, doppel_index_params(*out));
        rc = doppel_index_check_params(*out, &p, &err);
        if (rc < 0) {
            doppel_index_free(*out);
            *out = NULL;
        }
    }
    if (rc < 0) {
        cli_error("%s", err.message);
        return cli_exit_for_status(rc);
    }
    return CLI_EXIT_OK;
}

int index_merge(doppel_index *ix, const index_config *cfg)
{
    if (cfg->no_merge)
        return CLI_EXIT_OK;
    doppel_error err = {0};
    int rc = doppel_index_merge(ix, &err);
    if (rc < 0) {
        cli_error("the change was committed, but merging segments after it "
                  "failed: %s",
                  err.message);
        return cli_exit_for_status(rc);
    }
    return CLI_EXIT_OK;
}

static void print_index_line(doppel_index *ix)
{
    doppel_index_stats st;
    if (doppel_index_stats_get(ix, &st, NULL) < 0)
        return;
    fprintf(stderr, "doppel: the index has %zu documents in %zu segments, %zu "
                    "clusters\n",
            st.documents, st.segments, st.clusters);
}

/* ------------------------------------------------------- subcommands */

static int run_create(const index_config *cfg, const char **ops, size_t nops)
{
    (void)nops;
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix = NULL;
    doppel_error err = {0};
    int rc = doppel_index_create(&ix, ops[0], &cfg->c.params, &o, &err);
    if (rc < 0) {
        cli_error("%s", err.message);
        /* STATE: there is an index there already, a fact about the data */
        return rc == DOPPEL_ERR_STATE ? CLI_EXIT_DATA
                                      : cli_exit_for_status(rc);
    }
    if (!cfg->c.quiet) {
        char desc[64];
        const doppel_params *p = doppel_index_params(ix);
        snprintf(desc, sizeof desc, "threshold %g, %u bands of %u",
                 p->threshold, p->bands, p->rows);
        fprintf(stderr, "doppel: created the index %s (%s)\n", ops[0], desc);
    }
    doppel_index_free(ix);
    return CLI_EXIT_OK;
}

/* Read ids, one per line, from path ("-" = stdin) into a growing list. */
static int read_ids(const char *path, char ***ids, size_t **lens, size_t *n,
                    size_t *cap)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_EXIT_DATA;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int code = CLI_EXIT_OK;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len == 0)
            continue;
        if (*n == *cap) {
            size_t c = *cap ? 2 * *cap : 64;
            char **ni = realloc(*ids, c * sizeof *ni);
            size_t *nl = ni ? realloc(*lens, c * sizeof *nl) : NULL;
            if (ni)
                *ids = ni;
            if (nl)
                *lens = nl;
            if (!ni || !nl) {
                code = CLI_EXIT_INTERNAL;
                break;
            }
            *cap = c;
        }
        (*ids)[*n] = malloc((size_t)len + 1);
        if (!(*ids)[*n]) {
            code = CLI_EXIT_INTERNAL;
            break;
        }
        memcpy((*ids)[*n], line, (size_t)len);
        (*ids)[*n][len] = '\0';
        (*lens)[*n] = (size_t)len;
        (*n)++;
    }
    if (code == CLI_EXIT_INTERNAL)
        cli_error("out of memory");
    else if (ferror(f)) {
        cli_error("%s: %s", path, strerror(errno));
        code = CLI_EXIT_DATA;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return code;
}

static int run_remove(const index_config *cfg, const char **ops, size_t nops)
{
    char **ids = NULL;
    size_t *lens = NULL, n = 0, cap = 0;
    int code = CLI_EXIT_OK;
    for (size_t i = 1; i < nops && code == CLI_EXIT_OK; i++) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **ni = realloc(ids, cap * sizeof *ni);
            size_t *nl = ni ? realloc(lens, cap * sizeof *nl) : NULL;
            if (ni)
                ids = ni;
            if (nl)
                lens = nl;
            if (!ni || !nl) {
                cli_error("out of memory");
                code = CLI_EXIT_INTERNAL;
                break;
            }
        }
        ids[n] = strdup(ops[i]);
        lens[n] = strlen(ops[i]);
        if (!ids[n]) {
            cli_error("out of memory");
            code = CLI_EXIT_INTERNAL;
            break;
        }
        n++;
    }
    if (code == CLI_EXIT_OK && cfg->ids_from)
        code = read_ids(cfg->ids_from, &ids, &lens, &n, &cap);
    if (code == CLI_EXIT_OK && n == 0 && !cfg->ids_from)
        code = cli_usage_error("index remove: no ids given (ID ... or "
                               "--ids-from FILE)");
    doppel_index *ix = NULL;
    if (code == CLI_EXIT_OK)
        code = index_open(ops[0], cfg, DOPPEL_INDEX_WRITE, &ix);
    size_t removed = 0;
    if (code == CLI_EXIT_OK) {
        doppel_error err = {0};
        int rc = doppel_index_remove(ix, (const char *const *)ids, lens, n,
                                     &removed, &err);
        if (rc < 0) {
            cli_error("%s", err.message);
            code = cli_exit_for_status(rc);
        }
    }
    if (code == CLI_EXIT_OK && removed)
        code = index_merge(ix, cfg);
    if (code == CLI_EXIT_OK && !cfg->c.quiet) {
        fprintf(stderr, "doppel: removed %zu documents (%zu ids given)\n",
                removed, n);
        print_index_line(ix);
    }
    doppel_index_free(ix);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(lens);
    return code;
}

static void format_date(int64_t t, char *buf, size_t cap)
{
    if (t == DOPPEL_NO_DATE) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
        strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
}

static int run_expire(const index_config *cfg, const char **ops, size_t nops)
{
    (void)nops;
    if (!cfg->before)
        return cli_usage_error("index expire: --before DATE is required");
    int64_t before;
    doppel_error err = {0};
    if (doppel_parse_date(cfg->before, strlen(cfg->before), &before, &err) < 0)
        return cli_usage_error("invalid value '%s' for --before: %s",
                               cfg->before, err.message);
    doppel_index *ix = NULL;
    int code = index_open(ops[0], cfg, DOPPEL_INDEX_WRITE, &ix);
    if (code != CLI_EXIT_OK)
        return code;
    size_t removed = 0;
    int rc = doppel_index_expire(ix, before, &removed, &err);
    if (rc < 0) {
        cli_error("%s", err.message);
        code = cli_exit_for_status(rc);
    }
    if (code == CLI_EXIT_OK && removed)
        code = index_merge(ix, cfg);
    if (code == CLI_EXIT_OK && !cfg->c.quiet) {
        char when[64];
        format_date(before, when, sizeof when);
        fprintf(stderr, "doppel: expired %zu documents dated before %s\n",
                removed, when);
        print_index_line(ix);
    }
    doppel_index_free(ix);
    return code;
}

static int run_stats(const index_config *cfg, const char **ops, size_t nops)
{
    (void)nops;
    doppel_index *ix = NULL;
    int code = index_open(ops[0], cfg, 0, &ix);
    if (code != CLI_EXIT_OK)
        return code;
    doppel_index_stats st;
    doppel_error err = {0};
    int rc = doppel_index_stats_get(ix, &st, &err);
    if (rc < 0) {
        cli_error("%s", err.message);
        doppel_index_free(ix);
        return cli_exit_for_status(rc);
    }
    const doppel_params *p = doppel_index_params(ix);
    static const char *const shingles[] = {"?", "word", "char", "skeleton"};
    char oldest[64], newest[64];
    format_date(st.oldest, oldest, sizeof oldest);
    format_date(st.newest, newest, sizeof newest);
    printf("index: %s\n"
           "generation: %llu\n"
           "documents: %zu\n"
           "deleted: %zu\n"
           "clusters: %zu\n"
           "duplicates: %zu\n"
           "largest cluster: %zu\n"
           "segments: %zu\n"
           "bytes: %llu\n"
           "bytes per document: %.1f\n"
           "next number: %llu\n"
           "oldest: %s\n"
           "newest: %s\n"
           "shingles: %s-%u\n"
           "num-perm: %u\n"
           "minhash: %s\n"
           "seed: %llu\n"
           "threshold: %g\n"
           "bands: %u\n"
           "rows: %u\n"
           "verify: %s\n"
           "containment: %g\n",
           ops[0], (unsigned long long)st.generation, st.documents,
           st.deleted, st.clusters, st.duplicates, st.largest_cluster,
           st.segments, (unsigned long long)st.bytes,
           st.documents ? (double)st.bytes / (double)st.documents : 0.0,
           (unsigned long long)st.next_number, oldest, newest,
           shingles[p->shingle <= 3 ? p->shingle : 0], p->shingle_size,
           p->num_perm,
           p->minhash == DOPPEL_MINHASH_ONE_PERM ? "one-perm" : "k-perm",
           (unsigned long long)p->seed, p->threshold, p->bands, p->rows,
           p->verify == DOPPEL_VERIFY_ROBUST ? "robust" : "jaccard",
           p->containment);
    doppel_index_free(ix);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
}

static int run_compact(const index_config *cfg, const char **ops, size_t nops)
{
    (void)nops;
    doppel_index *ix = NULL;
    int code = index_open(ops[0], cfg, DOPPEL_INDEX_WRITE, &ix);
    if (code != CLI_EXIT_OK)
        return code;
    doppel_index_stats before;
    doppel_error err = {0};
    doppel_index_stats_get(ix, &before, NULL);
    int rc = doppel_index_compact(ix, &err);
    if (rc < 0) {
        cli_error("%s", err.message);
        code = cli_exit_for_status(rc);
    } else if (!cfg->c.quiet) {
        doppel_index_stats st;
        doppel_index_stats_get(ix, &st, NULL);
        fprintf(stderr,
                "doppel: %zu segments and %zu removed documents before, %zu "
                "and %zu now; %zu documents, %llu bytes\n",
                before.segments, before.deleted, st.segments, st.deleted,
                st.documents, (unsigned long long)st.bytes);
    }
    doppel_index_free(ix);
    return code;
}

static int run_verify(const index_config *cfg, const char **ops, size_t nops)
{
    (void)nops;
    index_config v = *cfg;
    v.verify = 1; /* every checksum at open, the state file's included */
    doppel_index *ix = NULL;
    int code = index_open(ops[0], &v, 0, &ix);
    if (code != CLI_EXIT_OK)
        return code;
    if (!cfg->c.quiet) {
        doppel_index_stats st;
        doppel_index_stats_get(ix, &st, NULL);
        fprintf(stderr,
                "doppel: %s: every checksum holds (%zu segments, %llu "
                "bytes)\n",
                ops[0], st.segments, (unsigned long long)st.bytes);
    }
    doppel_index_free(ix);
    return CLI_EXIT_OK;
}

/* ----------------------------------------------------------- dispatch */

int index_command(int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("index: no subcommand given (create, add, "
                               "query, remove, expire, stats, compact, "
                               "verify)");
    const char *word = argv[0];
    if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
        index_print_help(stdout);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    }
    const index_sub *sub = NULL;
    for (size_t i = 0; i < NSUBS; i++)
        if (strcmp(word, subs[i].name) == 0)
            sub = &subs[i];
    if (!sub)
        return cli_usage_error("index: unknown subcommand '%s' (create, add, "
                               "query, remove, expire, stats, compact, "
                               "verify)",
                               word);
    index_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cli_common_init(&cfg.c);
    const char **operands = calloc((size_t)argc + 1, sizeof *operands);
    if (!operands) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    size_t nops = 0;
    char msg[CLI_MSG_MAX];
    int code;
    if (cli_parse(sub->options, sub->noptions, argc - 1, argv + 1, &cfg,
                  operands, &nops, msg) < 0) {
        code = cli_usage_error("%s", msg);
    } else if (cfg.c.help) {
        print_sub_help(stdout, sub);
        code = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    } else if (cfg.c.version) {
        printf("doppel %s\n", doppel_version());
        code = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    } else if (nops < sub->min_ops) {
        code = cli_usage_error("index %s: no INDEX given (usage: doppel index "
                               "%s %s)",
                               sub->name, sub->name, sub->usage);
    } else if (nops > sub->max_ops) {
        code = cli_usage_error("index %s: unexpected argument '%s' (usage: "
                               "doppel index %s %s)",
                               sub->name, operands[sub->max_ops], sub->name,
                               sub->usage);
    } else {
        doppel_error err = {0};
        doppel_params resolved;
        /* Parameters the library refuses are usage errors, in its words. */
        if (doppel_params_resolve(&cfg.c.params, &resolved, &err) < 0)
            code = cli_usage_error("%s", err.message);
        else
            code = sub->run(&cfg, operands, nops);
    }
    free(operands);
    return code;
}
