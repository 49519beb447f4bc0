/*
 * common_opts.c — values of the options subcommands share (see
 * common_opts.h). Bounds are checked here so that messages can name the
 * option; the library checks them again, and the combinations.
 */
#define _POSIX_C_SOURCE 200809L
#include "common_opts.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 256
#define SHINGLE_SIZE_MAX 32
#define NUM_PERM_MIN 16
#define NUM_PERM_MAX 4096

static const char *const output_names[] = {"clusters", "pairs", "jsonl",
                                           NULL};
static const char *const shingle_names[] = {"skeleton", "word", "char",
                                            NULL};
static const doppel_shingle_kind shingle_kinds[] = {
    DOPPEL_SHINGLE_SKELETON, DOPPEL_SHINGLE_WORD, DOPPEL_SHINGLE_CHAR};
static const char *const verify_names[] = {"robust", "jaccard", NULL};
static const char *const minhash_names[] = {"one-perm", "k-perm", NULL};
static const char *const format_names[] = {"auto", "jsonl", "text", NULL};

unsigned cli_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

void cli_common_init(cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->params = (doppel_params)DOPPEL_PARAMS_INIT;
    c->reader = (doppel_reader_opts)DOPPEL_READER_OPTS_INIT;
    c->threads = cli_online_cpus();
    c->output = CLI_OUTPUT_CLUSTERS;
    c->progress = -1;
}

int cli_common_apply(cli_common *c, const cli_option *opt, const char *v,
                     char *msg)
{
    uint64_t u;
    int i;
    switch ((enum cli_common_tag)opt->tag) {
    case CLI_OPT_THRESHOLD:
        c->params_given |= CLI_GIVEN_THRESHOLD;
        return cli_parse_double_open_closed(opt, v, 0.0, 1.0,
                                            &c->params.threshold, msg);
    case CLI_OPT_SHINGLE:
        if (cli_parse_choice(opt, v, shingle_names, &i, msg) < 0)
            return -1;
        c->params.shingle = shingle_kinds[i];
        c->params_given |= CLI_GIVEN_SHINGLE;
        return 0;
    case CLI_OPT_CONTAINMENT:
        c->params_given |= CLI_GIVEN_CONTAINMENT;
        return cli_parse_double_open_closed(opt, v, 0.0, 1.0,
                                            &c->params.containment, msg);
    case CLI_OPT_VERIFY:
        if (cli_parse_choice(opt, v, verify_names, &i, msg) < 0)
            return -1;
        c->params.verify =
            i == 0 ? DOPPEL_VERIFY_ROBUST : DOPPEL_VERIFY_JACCARD;
        c->params_given |= CLI_GIVEN_VERIFY;
        return 0;
    case CLI_OPT_SHINGLE_SIZE:
        if (cli_parse_uint(opt, v, 1, SHINGLE_SIZE_MAX, &u, msg) < 0)
            return -1;
        c->params.shingle_size = (unsigned)u;
        c->params_given |= CLI_GIVEN_SHINGLE_SIZE;
        return 0;
    case CLI_OPT_NUM_PERM:
        if (cli_parse_uint(opt, v, NUM_PERM_MIN, NUM_PERM_MAX, &u, msg) < 0)
            return -1;
        c->params.num_perm = (unsigned)u;
        c->params_given |= CLI_GIVEN_NUM_PERM;
        return 0;
    case CLI_OPT_BANDS:
    case CLI_OPT_ROWS:
        if (cli_parse_uint(opt, v, 1, NUM_PERM_MAX, &u, msg) < 0)
            return -1;
        if (opt->tag == CLI_OPT_BANDS) {
            c->params.bands = (unsigned)u;
            c->params_given |= CLI_GIVEN_BANDS;
        } else {
            c->params.rows = (unsigned)u;
            c->params_given |= CLI_GIVEN_ROWS;
        }
        return 0;
    case CLI_OPT_SEED:
        c->params_given |= CLI_GIVEN_SEED;
        return cli_parse_uint(opt, v, 0, UINT64_MAX, &c->params.seed, msg);
    case CLI_OPT_MINHASH:
        if (cli_parse_choice(opt, v, minhash_names, &i, msg) < 0)
            return -1;
        c->params.minhash =
            i == 0 ? DOPPEL_MINHASH_ONE_PERM : DOPPEL_MINHASH_K_PERM;
        c->params_given |= CLI_GIVEN_MINHASH;
        return 0;
    case CLI_OPT_THREADS:
        if (cli_parse_uint(opt, v, 1, MAX_THREADS, &u, msg) < 0)
            return -1;
        c->threads = (unsigned)u;
        return 0;
    case CLI_OPT_OUTPUT:
        return cli_parse_choice(opt, v, output_names, &c->output, msg);
    case CLI_OPT_OUTPUT_FILE:
        if (v[0] == '\0') {
            snprintf(msg, CLI_MSG_MAX,
                     "invalid value '' for --output-file: expected a path");
            return -1;
        }
        c->output_file = v;
        return 0;
    case CLI_OPT_ID_FIELD:
    case CLI_OPT_TEXT_FIELD:
    case CLI_OPT_DATE_FIELD:
        if (v[0] == '\0') {
            snprintf(msg, CLI_MSG_MAX,
                     "invalid value '' for --%s: expected a JSON field name",
                     opt->name);
            return -1;
        }
        if (opt->tag == CLI_OPT_ID_FIELD)
            c->reader.id_field = v;
        else if (opt->tag == CLI_OPT_TEXT_FIELD)
            c->reader.text_field = v;
        else
            c->reader.date_field = v;
        return 0;
    case CLI_OPT_FORMAT:
        if (cli_parse_choice(opt, v, format_names, &i, msg) < 0)
            return -1;
        c->reader.format = i == 0   ? DOPPEL_INPUT_AUTO
                           : i == 1 ? DOPPEL_INPUT_JSONL
                                    : DOPPEL_INPUT_TEXT;
        return 0;
    case CLI_OPT_SKIP_MALFORMED: c->reader.skip_malformed = 1; return 0;
    case CLI_OPT_MAX_RECORD_BYTES:
        return cli_parse_size(opt, v, &c->reader.max_record_bytes, msg);
    case CLI_OPT_SKIP_OVERSIZE: c->reader.skip_oversize = 1; return 0;
    case CLI_OPT_QUIET: c->quiet = 1; return 0;
    case CLI_OPT_PROGRESS: c->progress = 1; return 0;
    case CLI_OPT_NO_PROGRESS: c->progress = 0; return 0;
    case CLI_OPT_HELP: c->help = 1; return 0;
    case CLI_OPT_VERSION: c->version = 1; return 0;
    case CLI_OPT_COMMAND_FIRST: break;
    }
    snprintf(msg, CLI_MSG_MAX, "internal error: option --%s has tag %d",
             opt->name, opt->tag);
    return -1;
}
