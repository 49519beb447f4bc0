/*
 * check_index_cli.c — `doppel index ...` from the outside (the built
 * program, run as a user runs it; clirun.h): the daily workflow with exact
 * outputs, every subcommand's error paths, and the acceptance test of the
 * feature: daily inputs added one by one print exactly the pairs and
 * clusters that `doppel dedup` prints for their union.
 */
#define _POSIX_C_SOURCE 200809L
#include "clirun.h"
#include "suites.h"
#include "testcorpus.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRY_HELP "Try 'doppel --help'.\n"

/* Three articles; a2 copies a. */
#define TXT_A                                                                  \
    "The city council voted on Tuesday to close the old bridge over the "   \
    "river for repairs, after engineers found cracks in two of its "        \
    "supports. Traffic will be sent through the northern bypass for at "    \
    "least three months, and the ferry will run every twenty minutes "      \
    "instead of every hour while the work goes on, the mayor said."
#define TXT_B                                                                  \
    "Heavy snow closed schools across the region for a second day as "      \
    "forecasters warned that another storm would arrive by the weekend. "   \
    "Power was lost in several villages in the hills, and the army was "    \
    "asked to help clear the main roads to the hospital and the airport "   \
    "before the temperatures fall again at night."
#define TXT_C                                                                  \
    "Shares in the carmaker fell sharply after it said it would recall "    \
    "almost half a million vehicles because of a fault in the brakes. The " \
    "company expects the repairs to cost more than it earned in the last "  \
    "quarter, and its chief executive apologised to customers in a video "  \
    "published on the firm's website on Monday evening."

#define DAY1                                                                   \
    "{\"id\":\"a\",\"date\":\"2024-05-01\",\"text\":\"" TXT_A "\"}\n"         \
    "{\"id\":\"b\",\"date\":\"2024-05-01\",\"text\":\"" TXT_B "\"}\n"
/* Day 2: a copy of a, a new article c, and c's copy, spaced oddly so
 * that jsonl output is seen to copy lines. */
#define DAY2                                                                   \
    "{\"id\":\"a2\",\"date\":\"2024-05-02\",\"text\":\"" TXT_A "\"}\n"        \
    "{\"id\": \"c\",  \"date\":\"2024-05-02\",\"text\":\"" TXT_C "\"}\n"      \
    "{\"id\":\"c2\",\"date\":\"2024-05-03\",\"text\":\"" TXT_C "\"}\n"

static void expect(run_result *r, int status, const char *out,
                   const char *err)
{
    ck_assert_msg(r->status == status, "status %d, expected %d; stderr: %s",
                  r->status, status, r->err);
    if (out)
        ck_assert_str_eq(r->out, out);
    if (err)
        ck_assert_str_eq(r->err, err);
    result_free(r);
}

/* The value of "key: value" in stats output. */
static long stat_of(const char *out, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\n%s: ", key);
    const char *p = strstr(out, k);
    ck_assert_ptr_nonnull(p);
    return strtol(p + strlen(k), NULL, 10);
}

START_TEST(test_daily_workflow)
{
    char *dir = tu_mkdtemp();
    char *idx = path_in(dir, "news.idx");
    char *d1 = write_in(dir, "day1.jsonl", DAY1);
    char *d2 = write_in(dir, "day2.jsonl", DAY2);
    run_result r;
    run(&r, NULL, "index", "create", idx, NULL);
    char *msg = fmt("doppel: created the index %s (threshold 0.4, 42 bands "
                    "of 3)\n",
                    idx);
    expect(&r, 0, "", msg);
    free(msg);

    run(&r, NULL, "index", "add", "-q", idx, d1, NULL);
    expect(&r, 0, "a\ta\t1.0000\nb\tb\t1.0000\n", "");
    /* Day 2 with the summary: a2 copies archived a; c2 copies c. */
    run(&r, NULL, "index", "add", idx, d2, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a2\ta\t1.0000\nc\tc\t1.0000\nc2\tc\t1.0000\n");
    ck_assert_ptr_nonnull(strstr(r.err, "doppel: 3 documents added, 2 "
                                        "duplicates (1 of archived "
                                        "documents), 0 empty, 0 skipped (0 "
                                        "malformed, 0 oversize); "));
    ck_assert_ptr_nonnull(strstr(r.err, "\ndoppel: the index has 5 documents "
                                        "in 1 segments, 3 clusters\n"));
    result_free(&r);

    run(&r, NULL, "index", "stats", idx, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(stat_of(r.out, "documents"), 5);
    ck_assert_int_eq(stat_of(r.out, "clusters"), 3);
    /* create, two adds, and the merge after the second */
    ck_assert_int_eq(stat_of(r.out, "generation"), 4);
    ck_assert_ptr_nonnull(strstr(r.out, "\noldest: 2024-05-01T00:00:00Z\n"
                                        "newest: 2024-05-03T00:00:00Z\n"
                                        "shingles: skeleton-6\nnum-perm: 128\n"
                                        "minhash: one-perm\nseed: 0\n"
                                        "threshold: 0.4\nbands: 42\nrows: 3\n"
                                        "verify: robust\ncontainment: 0.75\n"));
    char *head = fmt("index: %s\n", idx);
    ck_assert(strncmp(r.out, head, strlen(head)) == 0);
    free(head);
    result_free(&r);

    /* Queries: each article against the index. */
    run(&r, NULL, "index", "query", "-q", idx, d1, NULL);
    expect(&r, 0, "a\ta\t1.0000\nb\tb\t1.0000\n", "");
    run(&r, NULL, "index", "query", "-q", "--output", "pairs", idx, d2, NULL);
    expect(&r, 0,
           "a\ta2\t1.0000\na2\ta2\t1.0000\nc\tc\t1.0000\nc2\tc\t1.0000\n"
           "c\tc2\t1.0000\nc2\tc2\t1.0000\n",
           "");
    char *d3 = write_in(dir, "day3.jsonl",
                        "{\"id\":\"new\",\"text\":\"A rare orchid thought to "
                        "have vanished from the island a century ago has "
                        "been found in a quarry by school children.\"}\n"
                        "{\"id\":\"old\",\"text\":\"" TXT_B "\"}\n");
    run(&r, NULL, "index", "query", "-q", "--output", "jsonl", idx, d3, NULL);
    expect(&r, 0,
           "{\"id\":\"new\",\"text\":\"A rare orchid thought to have "
           "vanished from the island a century ago has been found in a "
           "quarry by school children.\"}\n",
           "");
    /* jsonl of an add: the new articles that copy nothing before them. */
    run(&r, NULL, "index", "add", "-q", "--output", "jsonl", idx, d3, NULL);
    expect(&r, 0,
           "{\"id\":\"new\",\"text\":\"A rare orchid thought to have "
           "vanished from the island a century ago has been found in a "
           "quarry by school children.\"}\n",
           "");
    run(&r, NULL, "index", "add", "-q", "--output", "jsonl", idx, d2, NULL);
    expect(&r, 0, "", ""); /* all copies of archived articles now */

    /* Remove, expire, compact, verify. */
    run(&r, NULL, "index", "remove", idx, "a", "nothing", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "doppel: removed 1 documents (2 ids "
                                        "given)\n"));
    result_free(&r);
    run(&r, NULL, "index", "query", "-q", idx, d1, NULL);
    expect(&r, 0, "a\ta2\t1.0000\nb\tb\t1.0000\n", "");
    char *ids = write_in(dir, "ids.txt", "b\r\n\nold\n");
    run(&r, NULL, "index", "remove", "-q", "--ids-from", ids, idx, NULL);
    expect(&r, 0, "", "");
    run(&r, NULL, "index", "stats", idx, NULL);
    ck_assert_int_eq(stat_of(r.out, "documents"), 7);
    result_free(&r);
    run(&r, NULL, "index", "expire", "--before", "2024-05-02T12:00:00Z", idx,
        NULL);
    ck_assert_int_eq(r.status, 0);
    /* a2 and c, each added twice, are dated 2024-05-02. */
    ck_assert_ptr_nonnull(strstr(r.err, "doppel: expired 4 documents dated "
                                        "before 2024-05-02T12:00:00Z\n"));
    result_free(&r);
    run(&r, NULL, "index", "compact", "-q", idx, NULL);
    expect(&r, 0, "", "");
    run(&r, NULL, "index", "stats", idx, NULL);
    ck_assert_int_eq(stat_of(r.out, "documents"), 3);
    ck_assert_int_eq(stat_of(r.out, "segments"), 1);
    ck_assert_int_eq(stat_of(r.out, "deleted"), 0);
    result_free(&r);
    run(&r, NULL, "index", "verify", idx, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, ": every checksum holds (1 segments, "));
    result_free(&r);
    /* Standard input, and -o written atomically. */
    run_opts in = {.stdin_data = DAY1, .stdin_len = strlen(DAY1)};
    char *out = path_in(dir, "report.tsv");
    run(&r, &in, "index", "query", "-q", "-o", out, idx, NULL);
    expect(&r, 0, "", "");
    size_t len;
    char *got = tu_read_file(out, &len);
    ck_assert_str_eq(got, "a\ta\t1.0000\nb\tb\t1.0000\n");
    free(got);
    free(out);
    free(ids);
    free(d1);
    free(d2);
    free(d3);
    free(idx);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_errors)
{
    char *dir = tu_mkdtemp();
    char *idx = path_in(dir, "x.idx");
    char *d1 = write_in(dir, "day1.jsonl", DAY1);
    run_result r;
    run(&r, NULL, "index", NULL);
    expect(&r, 2, "",
           "doppel: index: no subcommand given (create, add, query, remove, "
           "expire, stats, compact, verify)\n" TRY_HELP);
    run(&r, NULL, "index", "frob", NULL);
    expect(&r, 2, "",
           "doppel: index: unknown subcommand 'frob' (create, add, query, "
           "remove, expire, stats, compact, verify)\n" TRY_HELP);
    run(&r, NULL, "index", "stats", NULL);
    expect(&r, 2, "",
           "doppel: index stats: no INDEX given (usage: doppel index stats "
           "[OPTIONS] INDEX)\n" TRY_HELP);
    run(&r, NULL, "index", "stats", idx, "extra", NULL);
    expect(&r, 2, "",
           "doppel: index stats: unexpected argument 'extra' (usage: doppel "
           "index stats [OPTIONS] INDEX)\n" TRY_HELP);
    run(&r, NULL, "index", "create", "--num-perm", "8", idx, NULL);
    expect(&r, 2, "",
           "doppel: invalid value '8' for --num-perm: expected an integer in "
           "[16, 4096]\n" TRY_HELP);
    run(&r, NULL, "index", "create", "--bands", "20", "--rows", "10", idx,
        NULL);
    expect(&r, 2, "",
           "doppel: bands * rows must be at most num_perm (128), got 20 * "
           "10\n" TRY_HELP);
    /* Not an index yet. */
    run(&r, NULL, "index", "add", idx, d1, NULL);
    char *msg = fmt("doppel: %s: no index there (not a directory)\n", idx);
    expect(&r, 1, "", msg);
    free(msg);
    run(&r, NULL, "index", "query", dir, d1, NULL);
    msg = fmt("doppel: %s: not an index (it has no COMMIT file)\n", dir);
    expect(&r, 1, "", msg);
    free(msg);
    run(&r, NULL, "index", "create", "-q", "--threshold", "0.6", idx, NULL);
    expect(&r, 0, "", "");
    run(&r, NULL, "index", "create", idx, NULL);
    msg = fmt("doppel: %s: already holds an index\n", idx);
    expect(&r, 1, "", msg);
    free(msg);
    /* Other parameters than the index's: refused, both values named. */
    run(&r, NULL, "index", "add", "--threshold", "0.8", idx, d1, NULL);
    msg = fmt("doppel: %s: the index was created with threshold=0.6; this "
              "run asks for threshold=0.8 (an index's parameters are fixed "
              "when it is created)\n",
              idx);
    expect(&r, 1, "", msg);
    free(msg);
    run(&r, NULL, "index", "query", "--num-perm", "64", idx, d1, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "num_perm=128; this run asks for "
                                        "num_perm=64"));
    result_free(&r);
    /* The same values are fine. */
    run(&r, NULL, "index", "add", "-q", "--threshold", "0.6", "--num-perm",
        "128", idx, d1, NULL);
    expect(&r, 0, "a\ta\t1.0000\nb\tb\t1.0000\n", "");
    /* A malformed input adds nothing. */
    char *bad = write_in(dir, "bad.jsonl",
                         "{\"id\":\"z\",\"text\":\"fine\"}\n{\"id\":\n");
    run(&r, NULL, "index", "add", idx, bad, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.jsonl:2: "));
    result_free(&r);
    run(&r, NULL, "index", "stats", idx, NULL);
    ck_assert_int_eq(stat_of(r.out, "documents"), 2);
    ck_assert_int_eq(stat_of(r.out, "generation"), 2);
    result_free(&r);
    /* Subcommand-specific usage errors. */
    run(&r, NULL, "index", "expire", idx, NULL);
    expect(&r, 2, "",
           "doppel: index expire: --before DATE is required\n" TRY_HELP);
    run(&r, NULL, "index", "expire", "--before", "yesterday", idx, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "invalid value 'yesterday' for "
                                        "--before: "));
    result_free(&r);
    run(&r, NULL, "index", "remove", idx, NULL);
    expect(&r, 2, "",
           "doppel: index remove: no ids given (ID ... or --ids-from FILE)\n"
           TRY_HELP);
    run(&r, NULL, "index", "remove", "--ids-from", "/nonexistent/ids", idx,
        NULL);
    expect(&r, 1, "",
           "doppel: /nonexistent/ids: No such file or directory\n");
    run(&r, NULL, "index", "compact", "--output", "pairs", idx, NULL);
    expect(&r, 2, "", "doppel: unknown option '--output'\n" TRY_HELP);
    /* A damaged segment: verify and the writers refuse it, naming it. */
    char *seg = path_in(idx, "seg-00000002.dps");
    size_t len;
    char *data = tu_read_file(seg, &len);
    ck_assert_ptr_nonnull(data);
    data[len / 2] ^= 0x10;
    tu_write_file(seg, data, len);
    free(data);
    run(&r, NULL, "index", "verify", idx, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "seg-00000002.dps: section '"));
    ck_assert_ptr_nonnull(strstr(r.err, "' (bytes "));
    ck_assert_ptr_nonnull(strstr(r.err, ") fails its checksum\n"));
    result_free(&r);
    run(&r, NULL, "index", "query", "--check", idx, d1, NULL);
    ck_assert_msg(r.status == 1, "query --check: %d %s", r.status, r.err);
    result_free(&r);
    /* Compaction has work after a removal, and reads the segment. */
    run(&r, NULL, "index", "remove", "-q", "--no-merge", idx, "a", NULL);
    expect(&r, 0, "", "");
    run(&r, NULL, "index", "compact", idx, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "seg-00000002.dps"));
    result_free(&r);
    free(seg);
    free(bad);
    free(d1);
    free(idx);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_help)
{
    run_result r;
    run(&r, NULL, "index", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Usage: doppel index SUBCOMMAND "));
    ck_assert_ptr_nonnull(strstr(r.out, "\n  add       add articles; report "
                                        "which copy archived ones\n"));
    result_free(&r);
    static const char *const subs[] = {"create", "add",     "query",
                                       "remove", "expire",  "stats",
                                       "compact", "verify"};
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        run(&r, NULL, "index", subs[i], "--help", NULL);
        ck_assert_int_eq(r.status, 0);
        char *want = fmt("Usage: doppel index %s ", subs[i]);
        ck_assert(strncmp(r.out, want, strlen(want)) == 0);
        free(want);
        /* 80 columns, and a screen. */
        size_t lines = 0, col = 0;
        for (const char *p = r.out; *p; p++) {
            if (*p == '\n') {
                lines++;
                col = 0;
            } else {
                ck_assert_msg(++col <= 80, "%s --help is wider than 80",
                              subs[i]);
            }
        }
        ck_assert_uint_le(lines, 30);
        result_free(&r);
    }
    run(&r, NULL, "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
}
END_TEST

/* Write documents [lo, hi) of D as JSON Lines (text escaped). */
static char *write_docs(const char *dir, const char *name, const tc_docs *D,
                        size_t lo, size_t hi)
{
    char *p = path_in(dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = lo; i < hi; i++) {
        const doppel_doc *d = &D->d[i];
        fprintf(f, "{\"id\":\"");
        for (size_t k = 0; k < d->id_len; k++) {
            char c = d->id[k];
            if (c == '"' || c == '\\')
                fputc('\\', f);
            fputc(c, f);
        }
        fprintf(f, "\",\"date\":%lld,\"text\":\"", (long long)d->date);
        for (size_t k = 0; k < d->text_len; k++) {
            unsigned char c = (unsigned char)d->text[k];
            if (c == '"' || c == '\\')
                fprintf(f, "\\%c", c);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
        fprintf(f, "\"}\n");
    }
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static int cmp_lines(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The lines of s, sorted, joined again. */
static char *sorted(const char *s)
{
    size_t n = count_lines(s);
    char **lines = malloc((n ? n : 1) * sizeof *lines);
    char *copy = strdup(s);
    size_t k = 0;
    for (char *p = copy; *p;) {
        char *e = strchr(p, '\n');
        *e = '\0';
        lines[k++] = p;
        p = e + 1;
    }
    qsort(lines, k, sizeof *lines, cmp_lines);
    char *out = malloc(strlen(s) + 1);
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < k; i++)
        used += (size_t)sprintf(out + used, "%s\n", lines[i]);
    free(lines);
    free(copy);
    return out;
}

/* The lines of `all` (dedup's clusters output over a prefix) that belong
 * to documents [lo, hi): lines lo..hi-1. */
static char *lines_between(const char *all, size_t lo, size_t hi)
{
    const char *p = all;
    for (size_t i = 0; i < lo; i++)
        p = strchr(p, '\n') + 1;
    const char *e = p;
    for (size_t i = lo; i < hi; i++)
        e = strchr(e, '\n') + 1;
    return strndup(p, (size_t)(e - p));
}

/*
 * The acceptance test: a corpus split into four daily files, added one
 * after the other, prints the pairs of one dedup over all four, and each
 * day's clusters are those of a dedup over the days so far.
 */
START_TEST(test_daily_adds_print_what_dedup_prints)
{
    char *dir = tu_mkdtemp();
    char *idx = path_in(dir, "feed.idx");
    tc_docs D = {0};
    tc_load_wikinews(&D, 0);
    tc_make_copies(&D, 200, 6, 80);
    const int days = 4;
    char *files[4];
    for (int d = 0; d < days; d++) {
        char name[32];
        snprintf(name, sizeof name, "day%d.jsonl", d + 1);
        files[d] = write_docs(dir, name, &D, D.n * (size_t)d / days,
                              D.n * (size_t)(d + 1) / days);
    }
    run_result r;
    run(&r, NULL, "index", "create", "-q", idx, NULL);
    expect(&r, 0, "", "");
    size_t total = 0;
    char *pairs = calloc(1, 1);
    for (int d = 0; d < days; d++) {
        size_t lo = D.n * (size_t)d / days, hi = D.n * (size_t)(d + 1) / days;
        /* Clusters of today's articles: dedup over the days so far. */
        const char *args[16];
        size_t k = 0;
        args[k++] = "dedup";
        args[k++] = "-q";
        for (int e = 0; e <= d; e++)
            args[k++] = files[e];
        args[k] = NULL;
        run_v(&r, NULL, args);
        ck_assert_int_eq(r.status, 0);
        char *want = lines_between(r.out, lo, hi);
        result_free(&r);
        run(&r, NULL, "index", "add", "-q", "--no-merge", idx, files[d], NULL);
        ck_assert_int_eq(r.status, 0);
        ck_assert_str_eq(r.out, want);
        total += count_lines(r.out);
        result_free(&r);
        free(want);
    }
    ck_assert_uint_eq(total, D.n);
    /* Pairs: a fresh index, the same days, --output pairs. */
    char *idx2 = path_in(dir, "pairs.idx");
    run(&r, NULL, "index", "create", "-q", idx2, NULL);
    expect(&r, 0, "", "");
    for (int d = 0; d < days; d++) {
        run(&r, NULL, "index", "add", "-q", "--output", "pairs", idx2,
            files[d], NULL);
        ck_assert_int_eq(r.status, 0);
        char *both = malloc(strlen(pairs) + r.out_len + 1);
        sprintf(both, "%s%s", pairs, r.out);
        free(pairs);
        pairs = both;
        result_free(&r);
    }
    const char *args[16] = {"dedup", "-q", "--output", "pairs"};
    for (int d = 0; d < days; d++)
        args[4 + d] = files[d];
    args[4 + days] = NULL;
    run_v(&r, NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_gt(count_lines(r.out), 150);
    char *a = sorted(r.out), *b = sorted(pairs);
    ck_assert_str_eq(b, a);
    free(a);
    free(b);
    result_free(&r);
    free(pairs);
    for (int d = 0; d < days; d++)
        free(files[d]);
    tc_free(&D);
    free(idx);
    free(idx2);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *suite_index_cli(void)
{
    Suite *s = suite_create("index_cli");
    TCase *tc = tcase_create("index_cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_daily_workflow);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_daily_adds_print_what_dedup_prints);
    suite_add_tcase(s, tc);
    return s;
}
