/*
 * common_opts.h — the options several subcommands share (what counts as a
 * duplicate, how input is read, where output goes, threads and chatter),
 * parsed once here so that `doppel dedup` and `doppel index ...` accept
 * them with the same names, bounds and messages.
 *
 * A subcommand's option table lists the rows it wants (the CLI_OPT_ROW_*
 * macros below give the shared rows, with its own apply function) and its
 * apply function hands the shared tags to cli_common_apply().
 */
#ifndef DOPPEL_CLI_COMMON_OPTS_H
#define DOPPEL_CLI_COMMON_OPTS_H

#include "doppel.h"
#include "options.h"

enum cli_output_kind { CLI_OUTPUT_CLUSTERS, CLI_OUTPUT_PAIRS, CLI_OUTPUT_JSONL };

/* Tags of the shared options; a command's own tags start at
 * CLI_OPT_COMMAND_FIRST. */
enum cli_common_tag {
    CLI_OPT_THRESHOLD, CLI_OPT_CONTAINMENT, CLI_OPT_VERIFY, CLI_OPT_SHINGLE,
    CLI_OPT_SHINGLE_SIZE,
    CLI_OPT_NUM_PERM, CLI_OPT_BANDS, CLI_OPT_ROWS, CLI_OPT_SEED,
    CLI_OPT_MINHASH, CLI_OPT_THREADS, CLI_OPT_OUTPUT, CLI_OPT_OUTPUT_FILE,
    CLI_OPT_ID_FIELD, CLI_OPT_TEXT_FIELD, CLI_OPT_DATE_FIELD, CLI_OPT_FORMAT,
    CLI_OPT_SKIP_MALFORMED, CLI_OPT_MAX_RECORD_BYTES, CLI_OPT_SKIP_OVERSIZE,
    CLI_OPT_QUIET, CLI_OPT_PROGRESS, CLI_OPT_NO_PROGRESS, CLI_OPT_HELP,
    CLI_OPT_VERSION,
    CLI_OPT_COMMAND_FIRST = 100
};

/* Bits of cli_common.params_given: which parameters the user set. */
#define CLI_GIVEN_THRESHOLD (1u << 0)
#define CLI_GIVEN_SHINGLE (1u << 1)
#define CLI_GIVEN_SHINGLE_SIZE (1u << 2)
#define CLI_GIVEN_NUM_PERM (1u << 3)
#define CLI_GIVEN_BANDS (1u << 4)
#define CLI_GIVEN_ROWS (1u << 5)
#define CLI_GIVEN_SEED (1u << 6)
#define CLI_GIVEN_MINHASH (1u << 7)
#define CLI_GIVEN_CONTAINMENT (1u << 8)
#define CLI_GIVEN_VERIFY (1u << 9)

typedef struct cli_common {
    doppel_params params;
    unsigned params_given; /* CLI_GIVEN_* */
    doppel_reader_opts reader;
    unsigned threads;
    int output; /* enum cli_output_kind */
    const char *output_file;
    int quiet;
    int progress; /* 1, 0, or -1: when stderr is a terminal */
    int help, version;
} cli_common;

/** Defaults: DOPPEL_PARAMS_INIT, online CPUs, clusters, -1 progress. */
void cli_common_init(cli_common *c);

/** Store the value of a shared option (tag < CLI_OPT_COMMAND_FIRST). */
int cli_common_apply(cli_common *c, const cli_option *opt, const char *v,
                     char *msg);

/** The number of online CPUs, in [1, 256]. */
unsigned cli_online_cpus(void);

/** Rows for an option table; `fn` is the command's apply function. */
#define CLI_ROW_VAL(name, s, meta, help, tag, fn)                              \
    {name, s, 1, meta, help, fn, tag}
#define CLI_ROW_FLAG(name, s, help, tag, fn) {name, s, 0, NULL, help, fn, tag}

/* What counts as a duplicate (help lines: only --threshold, --shingle,
 * --shingle-size and --num-perm show in --help). */
#define CLI_PARAM_ROWS(fn)                                                     \
    CLI_ROW_VAL("threshold", 0, "X",                                           \
                "Jaccard threshold, in (0, 1]; default 0.40",                  \
                CLI_OPT_THRESHOLD, fn),                                        \
    CLI_ROW_VAL("containment", 0, "X", NULL, CLI_OPT_CONTAINMENT, fn),         \
    CLI_ROW_VAL("verify", 0, "robust|jaccard", NULL, CLI_OPT_VERIFY, fn),      \
    CLI_ROW_VAL("shingle", 0, "KIND",                                          \
                "skeleton, word or char; default skeleton", CLI_OPT_SHINGLE,  \
                fn),                                                           \
    CLI_ROW_VAL("shingle-size", 'k', "N",                                      \
                "per shingle, 1-32; default 6 (word/char: 5)",                 \
                CLI_OPT_SHINGLE_SIZE, fn),                                     \
    CLI_ROW_VAL("num-perm", 0, "N",                                            \
                "MinHash signature length, 16-4096; default 128",              \
                CLI_OPT_NUM_PERM, fn),                                         \
    CLI_ROW_VAL("bands", 0, "B", NULL, CLI_OPT_BANDS, fn),                     \
    CLI_ROW_VAL("rows", 0, "R", NULL, CLI_OPT_ROWS, fn),                       \
    CLI_ROW_VAL("seed", 0, "N", NULL, CLI_OPT_SEED, fn),                       \
    CLI_ROW_VAL("minhash", 0, "one-perm|k-perm", NULL, CLI_OPT_MINHASH, fn)

/* How input is read. */
#define CLI_INPUT_ROWS(fn)                                                     \
    CLI_ROW_VAL("id-field", 0, "NAME", NULL, CLI_OPT_ID_FIELD, fn),            \
    CLI_ROW_VAL("text-field", 0, "NAME", NULL, CLI_OPT_TEXT_FIELD, fn),        \
    CLI_ROW_VAL("date-field", 0, "NAME", NULL, CLI_OPT_DATE_FIELD, fn),        \
    CLI_ROW_VAL("format", 0, "FORMAT", "auto, jsonl or text; default auto",    \
                CLI_OPT_FORMAT, fn),                                           \
    CLI_ROW_FLAG("skip-malformed", 0,                                          \
                 "skip (and count) malformed JSON lines",                      \
                 CLI_OPT_SKIP_MALFORMED, fn),                                  \
    CLI_ROW_VAL("max-record-bytes", 0, "N", NULL, CLI_OPT_MAX_RECORD_BYTES,    \
                fn),                                                           \
    CLI_ROW_FLAG("skip-oversize", 0, NULL, CLI_OPT_SKIP_OVERSIZE, fn)

/* Where output goes. */
#define CLI_OUTPUT_ROWS(fn)                                                    \
    CLI_ROW_VAL("output", 0, "FORMAT",                                         \
                "clusters, pairs or jsonl; default clusters", CLI_OPT_OUTPUT,  \
                fn),                                                           \
    CLI_ROW_VAL("output-file", 'o', "PATH",                                    \
                "write to PATH (replaced atomically)", CLI_OPT_OUTPUT_FILE,    \
                fn)

#define CLI_THREADS_ROW(fn)                                                    \
    CLI_ROW_VAL("threads", 'j', "N",                                           \
                "threads, 1-256; default: online CPUs",                        \
                CLI_OPT_THREADS, fn)

/* Chatter, help and version. */
#define CLI_TAIL_ROWS(fn)                                                      \
    CLI_ROW_FLAG("quiet", 'q', "no summary on stderr", CLI_OPT_QUIET, fn),     \
    CLI_ROW_FLAG("progress", 0,                                                \
                 "show progress (default: if stderr is a tty)",                \
                 CLI_OPT_PROGRESS, fn),                                        \
    CLI_ROW_FLAG("no-progress", 0, NULL, CLI_OPT_NO_PROGRESS, fn),             \
    CLI_ROW_FLAG("help", 'h', "show this help", CLI_OPT_HELP, fn),             \
    CLI_ROW_FLAG("version", 0, "show the version", CLI_OPT_VERSION, fn)

#endif
