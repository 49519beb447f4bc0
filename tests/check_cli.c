/*
 * check_cli.c — the `doppel` program, tested from the outside: each test
 * writes inputs into a temporary directory, runs the built binary
 * (DOPPEL_CLI_PATH) with fork/exec, and checks its exact standard output,
 * standard error and exit status. Nothing here links the CLI's code, so
 * these tests see exactly what a user sees.
 */
#define _XOPEN_SOURCE 700
#include "clirun.h"
#include "suites.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#ifndef DOPPEL_CLI_PATH
#error "DOPPEL_CLI_PATH must name the built doppel binary"
#endif

/* Number of entries in a directory, "." and ".." excluded. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void gzip_file(const char *src, const char *dst)
{
    size_t len;
    char *data = tu_read_file(src, &len);
    ck_assert_ptr_nonnull(data);
    gzFile gz = gzopen(dst, "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, data, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    free(data);
}

/* Three documents: a and c are the same article, b is another. The odd
 * spacing in a's line shows that jsonl output copies lines unchanged. */
#define DOC_A                                                                  \
    "{\"id\": \"a\",   \"text\": \"The quick brown fox jumps over the lazy "  \
    "dog near the old river bank while the farmer watches from his porch\"}"
#define DOC_B                                                                  \
    "{\"id\":\"b\",\"text\":\"Central banks raised interest rates again on "  \
    "Tuesday as inflation stayed above target for the ninth month\"}"
#define DOC_C                                                                  \
    "{\"id\":\"c\",\"text\":\"The quick brown fox jumps over the lazy dog "   \
    "near the old river bank while the farmer watches from his porch\"}"
#define THREE_DOCS DOC_A "\n" DOC_B "\n" DOC_C "\n"

#define CLUSTERS_OF_THREE "a\ta\t1.0000\nb\tb\t1.0000\nc\ta\t1.0000\n"
#define TRY_HELP "Try 'doppel --help'.\n"

/* ------------------------------------------------------------- output */

START_TEST(test_clusters_output)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    /* The summary is one line with the counts. */
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "doppel: 3 documents, 2 clusters, "
                                        "1 duplicates, 0 empty, 0 skipped "
                                        "(0 malformed, 0 oversize), largest "
                                        "cluster 2; "));
    ck_assert_ptr_nonnull(strstr(r.err, " MB/s\n"));
    result_free(&r);
    /* The same with the option spelled --output=clusters and -q. */
    run(&r, NULL, "dedup", "--output=clusters", "-q", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    ck_assert_str_eq(r.err, "");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_pairs_output)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl",
                        THREE_DOCS "{\"id\":\"d\",\"text\":\"The quick brown "
                                   "fox jumps over the lazy dog near the old "
                                   "river bank while the farmer watches from "
                                   "his porch\"}\n");
    run_result r;
    run(&r, NULL, "dedup", "--output", "pairs", "-q", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\tc\t1.0000\na\td\t1.0000\nc\td\t1.0000\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_jsonl_output_copies_representatives)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", "--output", "jsonl", "-q", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, DOC_A "\n" DOC_B "\n");
    result_free(&r);
    /* CRLF line endings are not part of the record. */
    char *crlf = write_in(dir, "crlf.jsonl", DOC_A "\r\n" DOC_B "\r\n");
    run(&r, NULL, "dedup", "--output", "jsonl", "-q", crlf, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, DOC_A "\n" DOC_B "\n");
    result_free(&r);
    free(crlf);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* An earlier date makes a document its cluster's representative; the
 * date field's name is configurable. */
START_TEST(test_dates_choose_representative)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(
        dir, "docs.jsonl",
        "{\"id\":\"a\",\"when\":\"2020-02-01\",\"text\":\"The quick brown fox "
        "jumps over the lazy dog near the old river bank\"}\n"
        "{\"id\":\"c\",\"when\":\"2020-01-01\",\"text\":\"The quick brown fox "
        "jumps over the lazy dog near the old river bank\"}\n");
    run_result r;
    run(&r, NULL, "dedup", "-q", "--date-field", "when", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\tc\t1.0000\nc\tc\t1.0000\n");
    result_free(&r);
    run(&r, NULL, "dedup", "-q", in, NULL); /* no "date" field: input order */
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\ta\t1.0000\nc\ta\t1.0000\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_field_names)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(
        dir, "docs.jsonl",
        "{\"key\":\"x1\",\"body\":\"one two three four five six seven\"}\n"
        "{\"key\":\"x2\",\"body\":\"one two three four five six seven\"}\n");
    run_result r;
    run(&r, NULL, "dedup", "-q", "--id-field", "key", "--text-field=body", in,
        NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "x1\tx1\t1.0000\nx2\tx1\t1.0000\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_tsv_escapes_ids)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl",
                        "{\"id\":\"tab\\there\",\"text\":\"alpha beta gamma "
                        "delta epsilon zeta\"}\n"
                        "{\"id\":\"nl\\ncr\\rbs\\\\\",\"text\":\"alpha beta "
                        "gamma delta epsilon zeta\"}\n");
    run_result r;
    run(&r, NULL, "dedup", "-q", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "tab\\there\ttab\\there\t1.0000\n"
                            "nl\\ncr\\rbs\\\\\ttab\\there\t1.0000\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Documents with no words are singletons, even when identical. */
START_TEST(test_empty_documents)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl",
                        "{\"id\":\"e1\",\"text\":\"\"}\n"
                        "{\"id\":\"e2\",\"text\":\"\"}\n"
                        "{\"id\":\"e3\",\"text\":\" ... !! \"}\n" DOC_A "\n");
    run_result r;
    run(&r, NULL, "dedup", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "e1\te1\t1.0000\ne2\te2\t1.0000\n"
                            "e3\te3\t1.0000\na\ta\t1.0000\n");
    ck_assert_ptr_nonnull(strstr(r.err, "4 documents, 4 clusters, "
                                        "0 duplicates, 3 empty,"));
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Similarities below 1 are printed with four decimals; the threshold
 * decides what is a pair. */
START_TEST(test_threshold_and_partial_similarity)
{
    char *dir = tu_mkdtemp();
    /* 20 words; the copy changes the last word: 16 shared 5-shingles of
     * 16 + 2 distinct ones, Jaccard 16/17 ~ 0.94 before MinHash. */
    char *in = write_in(
        dir, "docs.jsonl",
        "{\"id\":\"p\",\"text\":\"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 "
        "w13 w14 w15 w16 w17 w18 w19 w20\"}\n"
        "{\"id\":\"q\",\"text\":\"w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 "
        "w13 w14 w15 w16 w17 w18 w19 CHANGED\"}\n");
    run_result r;
    run(&r, NULL, "dedup", "-q", "--num-perm", "256", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(strncmp(r.out, "p\tp\t1.0000\nq\tp\t0.", 17), 0);
    double sim = atof(r.out + 15);
    ck_assert_double_gt(sim, 0.8);
    ck_assert_double_lt(sim, 1.0);
    ck_assert_int_eq((int)r.out_len, 22);
    result_free(&r);
    run(&r, NULL, "dedup", "-q", "--threshold", "1", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "p\tp\t1.0000\nq\tq\t1.0000\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------- inputs */

START_TEST(test_gzip_input_same_output)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    char *gz = path_in(dir, "docs.jsonl.gz");
    char *gz_noext = path_in(dir, "docs.data");
    gzip_file(in, gz);
    gzip_file(in, gz_noext); /* gzip and JSON Lines found by content */
    const char *paths[] = {in, gz, gz_noext};
    for (int out = 0; out < 3; out++) {
        const char *kind = out == 0 ? "clusters" : out == 1 ? "pairs" : "jsonl";
        run_result want;
        run(&want, NULL, "dedup", "-q", "--output", kind, paths[0], NULL);
        ck_assert_int_eq(want.status, 0);
        for (int i = 1; i < 3; i++) {
            run_result r;
            run(&r, NULL, "dedup", "-q", "--output", kind, paths[i], NULL);
            ck_assert_int_eq(r.status, 0);
            ck_assert_uint_eq(r.out_len, want.out_len);
            ck_assert_int_eq(memcmp(r.out, want.out, r.out_len), 0);
            result_free(&r);
        }
        result_free(&want);
    }
    free(in);
    free(gz);
    free(gz_noext);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_stdin_input)
{
    run_opts o = {.stdin_data = THREE_DOCS, .stdin_len = strlen(THREE_DOCS)};
    run_result r;
    run(&r, &o, "dedup", "-q", NULL); /* no INPUT: stdin */
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    run(&r, &o, "dedup", "-q", "-", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    /* "--" ends the options; "-" is still standard input. */
    run(&r, &o, "dedup", "--", "-", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
}
END_TEST

/* Standard input cannot be read twice: --output jsonl copies it to a
 * temporary file in $TMPDIR, removed afterwards, also after an error. */
START_TEST(test_stdin_jsonl_output)
{
    char *tmp = tu_mkdtemp();
    char *dir = tu_mkdtemp();
    char *file = write_in(dir, "more.jsonl",
                          "{\"id\":\"z\",\"text\":\"Another article about the "
                          "weather in the mountains this weekend\"}\n");
    run_opts o = {.stdin_data = THREE_DOCS,
                  .stdin_len = strlen(THREE_DOCS),
                  .tmpdir = tmp};
    run_result r;
    run(&r, &o, "dedup", "-q", "--output", "jsonl", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, DOC_A "\n" DOC_B "\n");
    ck_assert_int_eq(count_entries(tmp), 0);
    result_free(&r);
    /* stdin between two files */
    run(&r, &o, "dedup", "-q", "--output", "jsonl", file, "-", file, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "{\"id\":\"z\",\"text\":\"Another article about "
                            "the weather in the mountains this weekend\"}\n"
                            DOC_A "\n" DOC_B "\n");
    ck_assert_int_eq(count_entries(tmp), 0);
    result_free(&r);
    /* An error in the copy is reported as standard input's ("-"). */
    const char *bad = DOC_A "\n{\"id\": \"x\", \"text\": \"open\n";
    run_opts ob = {.stdin_data = bad, .stdin_len = strlen(bad), .tmpdir = tmp};
    run(&r, &ob, "dedup", "--output", "jsonl", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_int_eq(strncmp(r.err, "doppel: -:2: ", 13), 0);
    ck_assert_int_eq(count_entries(tmp), 0);
    result_free(&r);
    free(file);
    tu_rmtree(dir);
    free(dir);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A named pipe cannot be read twice either. */
START_TEST(test_fifo_jsonl_output)
{
    char *tmp = tu_mkdtemp();
    char *dir = tu_mkdtemp();
    char *fifo = path_in(dir, "pipe");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    pid_t writer = fork();
    ck_assert_int_ge(writer, 0);
    if (writer == 0) {
        int fd = open(fifo, O_WRONLY);
        /* The child's copies of the parent's blocks (valgrind checks
         * this process for leaks too). */
        free(fifo);
        free(dir);
        free(tmp);
        if (fd < 0)
            _exit(1);
        ssize_t w = write(fd, THREE_DOCS, strlen(THREE_DOCS));
        _exit(w == (ssize_t)strlen(THREE_DOCS) ? 0 : 1);
    }
    run_opts o = {.tmpdir = tmp};
    run_result r;
    run(&r, &o, "dedup", "-q", "--output", "jsonl", fifo, NULL);
    int st;
    ck_assert_int_eq(waitpid(writer, &st, 0), writer);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, DOC_A "\n" DOC_B "\n");
    ck_assert_int_eq(count_entries(tmp), 0);
    result_free(&r);
    free(fifo);
    tu_rmtree(dir);
    free(dir);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A directory: every file is one article, ids relative to the directory
 * given, files in byte order of their paths. */
START_TEST(test_directory_input)
{
    char *dir = tu_mkdtemp();
    char *corpus = path_in(dir, "corpus");
    char *sub = path_in(dir, "corpus/sub");
    ck_assert_int_eq(mkdir(corpus, 0700), 0);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    const char *story = "Floods closed the coastal road for a second day "
                        "and the council opened two shelters in town.\n";
    free(write_in(dir, "corpus/b.txt", story));
    free(write_in(dir, "corpus/sub/a.txt", story));
    free(write_in(dir, "corpus/a.txt",
                  "A local bakery won the national bread prize with a "
                  "sourdough made from an old family recipe.\n"));
    run_result r;
    run(&r, NULL, "dedup", "-q", corpus, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a.txt\ta.txt\t1.0000\n"
                            "b.txt\tb.txt\t1.0000\n"
                            "sub/a.txt\tb.txt\t1.0000\n");
    result_free(&r);
    /* Text articles have no line of their own: jsonl output makes one. */
    run(&r, NULL, "dedup", "-q", "--output", "jsonl", "--id-field", "name",
        corpus, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out,
                     "{\"name\":\"a.txt\",\"text\":\"A local bakery won the "
                     "national bread prize with a sourdough made from an old "
                     "family recipe.\\n\"}\n"
                     "{\"name\":\"b.txt\",\"text\":\"Floods closed the "
                     "coastal road for a second day and the council opened "
                     "two shelters in town.\\n\"}\n");
    result_free(&r);
    /* A relative directory argument. */
    run_opts o = {.cwd = dir};
    run(&r, &o, "dedup", "-q", "corpus/sub", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a.txt\ta.txt\t1.0000\n");
    result_free(&r);
    free(corpus);
    free(sub);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ----------------------------------------------------- errors: input */

START_TEST(test_malformed_line)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "bad.jsonl",
                        DOC_A "\n{\"id\": \"b\", \"text\": \"unterminated}\n"
                        DOC_C "\n");
    run_result r;
    run(&r, NULL, "dedup", in, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *prefix = fmt("doppel: %s:2: ", in);
    ck_assert_int_eq(strncmp(r.err, prefix, strlen(prefix)), 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    result_free(&r);
    /* --skip-malformed: skipped and counted. */
    run(&r, NULL, "dedup", "--skip-malformed", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\ta\t1.0000\nc\ta\t1.0000\n");
    ck_assert_ptr_nonnull(
        strstr(r.err, "2 documents, 1 clusters, 1 duplicates, 0 empty, "
                      "1 skipped (1 malformed, 0 oversize)"));
    result_free(&r);
    /* jsonl output skips it in both passes alike. */
    run(&r, NULL, "dedup", "-q", "--skip-malformed", "--output", "jsonl", in,
        NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, DOC_A "\n");
    result_free(&r);
    free(prefix);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_missing_file)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    char *missing = path_in(dir, "nope.jsonl");
    run_result r;
    run(&r, NULL, "dedup", in, missing, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *prefix = fmt("doppel: %s", missing);
    ck_assert_int_eq(strncmp(r.err, prefix, strlen(prefix)), 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    result_free(&r);
    free(prefix);
    free(in);
    free(missing);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_oversize_records)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    /* DOC_B (125 bytes) fits in 126, DOC_A (132) and DOC_C (127) do not. */
    ck_assert_uint_eq(strlen(DOC_A), 132);
    ck_assert_uint_eq(strlen(DOC_B), 125);
    ck_assert_uint_eq(strlen(DOC_C), 127);
    run(&r, NULL, "dedup", "--max-record-bytes", "126", in, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *prefix = fmt("doppel: %s:1: ", in);
    ck_assert_int_eq(strncmp(r.err, prefix, strlen(prefix)), 0);
    result_free(&r);
    run(&r, NULL, "dedup", "--max-record-bytes=126", "--skip-oversize", in,
        NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "b\tb\t1.0000\n");
    ck_assert_ptr_nonnull(strstr(r.err, "1 documents, 1 clusters, "
                                        "0 duplicates, 0 empty, 2 skipped "
                                        "(0 malformed, 2 oversize)"));
    result_free(&r);
    /* Suffixes: 1K is plenty. */
    run(&r, NULL, "dedup", "-q", "--max-record-bytes", "1k", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    free(prefix);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_truncated_gzip)
{
    char *dir = tu_mkdtemp();
    /* Enough text that the compressed stream is well over 64 bytes. */
    char *big = malloc(200 * 200);
    big[0] = '\0';
    for (int i = 0; i < 100; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "{\"id\":\"d%d\",\"text\":\"article %d about item %d of "
                 "the list number %d\"}\n",
                 i, i, i * 7, i * 13);
        strcat(big, line);
    }
    char *in = write_in(dir, "docs.jsonl", big);
    char *gz = path_in(dir, "docs.jsonl.gz");
    gzip_file(in, gz);
    size_t len;
    char *data = tu_read_file(gz, &len);
    ck_assert_uint_gt(len, 100);
    tu_write_file(gz, data, len / 2);
    run_result r;
    run(&r, NULL, "dedup", gz, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *prefix = fmt("doppel: %s:", gz);
    ck_assert_int_eq(strncmp(r.err, prefix, strlen(prefix)), 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    result_free(&r);
    free(prefix);
    free(data);
    free(big);
    free(in);
    free(gz);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ---------------------------------------------------- errors: usage */

START_TEST(test_usage_errors)
{
    static const struct {
        const char *args[4];
        const char *err;
    } cases[] = {
        {{"--threshold", "2"},
         "doppel: invalid value '2' for --threshold: expected a number in "
         "(0, 1]\n" TRY_HELP},
        {{"--threshold", "0.5x"},
         "doppel: invalid value '0.5x' for --threshold: expected a number "
         "in (0, 1]\n" TRY_HELP},
        {{"--threshold=nan"},
         "doppel: invalid value 'nan' for --threshold: expected a number in "
         "(0, 1]\n" TRY_HELP},
        {{"--num-perm", "-5"},
         "doppel: invalid value '-5' for --num-perm: expected an integer in "
         "[16, 4096]\n" TRY_HELP},
        {{"-k", "0"},
         "doppel: invalid value '0' for --shingle-size: expected an integer "
         "in [1, 32]\n" TRY_HELP},
        {{"-j0"},
         "doppel: invalid value '0' for --threads: expected an integer in "
         "[1, 256]\n" TRY_HELP},
        {{"--shingle", "sentence"},
         "doppel: invalid value 'sentence' for --shingle: expected skeleton, "
         "word or char\n" TRY_HELP},
        {{"--output", "csv"},
         "doppel: invalid value 'csv' for --output: expected clusters, pairs "
         "or jsonl\n" TRY_HELP},
        {{"--format", "xml"},
         "doppel: invalid value 'xml' for --format: expected auto, jsonl or "
         "text\n" TRY_HELP},
        {{"--minhash", "fast"},
         "doppel: invalid value 'fast' for --minhash: expected one-perm or "
         "k-perm\n" TRY_HELP},
        {{"--max-record-bytes", "10X"},
         "doppel: invalid value '10X' for --max-record-bytes: expected a "
         "positive number of bytes, optionally with a suffix K, M or G "
         "(powers of 1024)\n" TRY_HELP},
        {{"--seed", "18446744073709551616"},
         "doppel: invalid value '18446744073709551616' for --seed: expected "
         "an integer in [0, 18446744073709551615]\n" TRY_HELP},
        {{"--frobnicate"}, "doppel: unknown option '--frobnicate'\n" TRY_HELP},
        {{"-Z"}, "doppel: unknown option '-Z'\n" TRY_HELP},
        {{"--threshold"},
         "doppel: option '--threshold' requires a value (X)\n" TRY_HELP},
        {{"-o"}, "doppel: option '-o' requires a value (PATH)\n" TRY_HELP},
        {{"--quiet=yes"},
         "doppel: option '--quiet' does not take a value\n" TRY_HELP},
        /* The library's own messages, as they come. */
        {{"--bands", "20", "--rows", "10"},
         "doppel: bands * rows must be at most num_perm (128), got 20 * 10\n"
         TRY_HELP},
        {{"--bands", "4"},
         "doppel: bands and rows must both be set or both be 0, got bands=4 "
         "rows=0\n" TRY_HELP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[8] = {"dedup"};
        size_t n = 1;
        for (size_t j = 0; j < 4 && cases[i].args[j]; j++)
            args[n++] = cases[i].args[j];
        args[n] = NULL;
        run_result r;
        run_v(&r, NULL, args);
        ck_assert_msg(r.status == 2, "case %zu: status %d", i, r.status);
        ck_assert_str_eq(r.out, "");
        ck_assert_str_eq(r.err, cases[i].err);
        result_free(&r);
    }
    run_result r;
    run(&r, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "doppel: no command given (commands: dedup, "
                            "index)\n" TRY_HELP);
    result_free(&r);
    run(&r, NULL, "frob", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "doppel: unknown command 'frob' (commands: "
                            "dedup, index)\n" TRY_HELP);
    result_free(&r);
}
END_TEST

/* The CLI checks the library's bounds itself (to name the option); this
 * keeps the two in step: each bound is accepted, one past it refused. */
START_TEST(test_parameter_bounds_match_library)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    static const struct {
        const char *opt, *value;
        int status;
    } cases[] = {
        {"--num-perm", "16", 0},      {"--num-perm", "4096", 0},
        {"--num-perm", "15", 2},      {"--num-perm", "4097", 2},
        {"--shingle-size", "1", 0},   {"--shingle-size", "32", 0},
        {"--shingle-size", "33", 2},  {"--threshold", "1", 0},
        {"--threshold", "0.0001", 0}, {"--threshold", "0", 2},
        {"--threads", "256", 0},      {"--threads", "257", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r;
        run(&r, NULL, "dedup", "-q", cases[i].opt, cases[i].value, in, NULL);
        ck_assert_msg(r.status == cases[i].status, "%s %s: status %d: %s",
                      cases[i].opt, cases[i].value, r.status, r.err);
        if (r.status == 0)
            ck_assert_uint_eq(count_lines(r.out), 3);
        result_free(&r);
    }
    /* Every library parameter reaches the library (k-perm, char shingles,
     * explicit bands and rows, seed): identical documents stay a pair. */
    run_result r;
    run(&r, NULL, "dedup", "-q", "--minhash", "k-perm", "--shingle", "char",
        "-k", "4", "--bands", "16", "--rows", "8", "--seed", "42", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_help_and_version)
{
    const char *forms[][3] = {{"--help", NULL, NULL},
                              {"-h", NULL, NULL},
                              {"dedup", "--help", NULL},
                              {"dedup", "-h", NULL}};
    for (size_t f = 0; f < 4; f++) {
        run_result r;
        run_v(&r, NULL, forms[f]);
        ck_assert_int_eq(r.status, 0);
        ck_assert_str_eq(r.err, "");
        ck_assert_int_eq(strncmp(r.out, "Usage: doppel dedup [OPTIONS] "
                                        "[INPUT ...]\n", 42), 0);
        ck_assert_ptr_nonnull(strstr(r.out, "docs/cli.md"));
        ck_assert_ptr_nonnull(strstr(r.out, "--threshold"));
        size_t lines = 0;
        for (const char *p = r.out; *p;) {
            const char *nl = strchr(p, '\n');
            ck_assert_ptr_nonnull(nl);
            ck_assert_msg(nl - p <= 80, "help line too long: %.*s",
                          (int)(nl - p), p);
            lines++;
            p = nl + 1;
        }
        ck_assert_uint_le(lines, 24);
        result_free(&r);
    }
    run_result r;
    run(&r, NULL, "--version", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "doppel 0.1.0\n");
    result_free(&r);
    run(&r, NULL, "dedup", "--version", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "doppel 0.1.0\n");
    result_free(&r);
}
END_TEST

/* ----------------------------------------------------- -o and writing */

START_TEST(test_output_file_atomic)
{
    char *dir = tu_mkdtemp();
    char *outdir = path_in(dir, "out");
    ck_assert_int_eq(mkdir(outdir, 0700), 0);
    char *good = write_in(dir, "good.jsonl", THREE_DOCS);
    char *bad = write_in(dir, "bad.jsonl", DOC_A "\n{\"id\":\n");
    char *dest = write_in(outdir, "result.tsv", "previous contents\n");
    chmod(dest, 0640);
    run_result r;
    /* Failing runs: bad data, a missing input, a bad usage. */
    run(&r, NULL, "dedup", "-o", dest, bad, NULL);
    ck_assert_int_eq(r.status, 1);
    result_free(&r);
    run(&r, NULL, "dedup", "--output", "jsonl", "-o", dest, good, "missing",
        NULL);
    ck_assert_int_eq(r.status, 1);
    result_free(&r);
    run(&r, NULL, "dedup", "-o", dest, "--bands", "3", good, NULL);
    ck_assert_int_eq(r.status, 2);
    result_free(&r);
    size_t len;
    char *kept = tu_read_file(dest, &len);
    ck_assert_str_eq(kept, "previous contents\n");
    free(kept);
    ck_assert_int_eq(count_entries(outdir), 1); /* no temporary file left */
    /* A successful run replaces it, keeping its permissions. */
    run(&r, NULL, "dedup", "-q", "-o", dest, good, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    result_free(&r);
    char *got = tu_read_file(dest, &len);
    ck_assert_str_eq(got, CLUSTERS_OF_THREE);
    free(got);
    struct stat st;
    ck_assert_int_eq(stat(dest, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);
    ck_assert_int_eq(count_entries(outdir), 1);
    /* A new file, with --output-file=PATH. */
    char *fresh = path_in(outdir, "new.tsv");
    char *arg = fmt("--output-file=%s", fresh);
    run(&r, NULL, "dedup", "-q", "--output", "pairs", arg, good, NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
    got = tu_read_file(fresh, &len);
    ck_assert_str_eq(got, "a\tc\t1.0000\n");
    free(got);
    ck_assert_int_eq(count_entries(outdir), 2);
    /* An output file that cannot be created fails early. */
    char *nodir = path_in(dir, "no/such/dir/out.tsv");
    run(&r, NULL, "dedup", "-o", nodir, good, NULL);
    ck_assert_int_eq(r.status, 1);
    char *prefix = fmt("doppel: %s: ", nodir);
    ck_assert_int_eq(strncmp(r.err, prefix, strlen(prefix)), 0);
    result_free(&r);
    free(prefix);
    free(nodir);
    free(arg);
    free(fresh);
    free(good);
    free(bad);
    free(dest);
    free(outdir);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A symbolic link's target is replaced (the link stays); paths under
 * /dev/ are written in place, so -o /dev/stdout goes where stdout goes. */
START_TEST(test_output_file_special_paths)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    char *target = write_in(dir, "target.tsv", "old\n");
    char *link = path_in(dir, "link.tsv");
    ck_assert_int_eq(symlink("target.tsv", link), 0);
    run_result r;
    run(&r, NULL, "dedup", "-q", "-o", link, in, NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    size_t len;
    char *got = tu_read_file(target, &len);
    ck_assert_str_eq(got, CLUSTERS_OF_THREE);
    free(got);
    ck_assert_int_eq(count_entries(dir), 3);
    run(&r, NULL, "dedup", "-q", "-o", "/dev/stdout", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    run(&r, NULL, "dedup", "-q", "-o", "-", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    free(link);
    free(target);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* The output is written over the input it was computed from: the input is
 * only replaced at the end, so reading it twice still works. */
START_TEST(test_output_file_over_input)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", "-q", "--output", "jsonl", "-o", in, in, NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
    size_t len;
    char *got = tu_read_file(in, &len);
    ck_assert_str_eq(got, DOC_A "\n" DOC_B "\n");
    free(got);
    ck_assert_int_eq(count_entries(dir), 1);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(test_write_error)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", "-o", "/dev/full", in, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "doppel: /dev/full: No space left on device\n");
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* A run ended by SIGTERM removes its temporary files (the output being
 * written and the copy of standard input). */
START_TEST(test_signal_removes_temporary_files)
{
    char *tmp = tu_mkdtemp();
    char *dir = tu_mkdtemp();
    char *dest = path_in(dir, "out.jsonl");
    int pipefd[2];
    ck_assert_int_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(pipefd[0], 0);
        close(pipefd[1]);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        setenv("TMPDIR", tmp, 1);
        execl(DOPPEL_CLI_PATH, "doppel", "dedup", "--output", "jsonl", "-o",
              dest, (char *)NULL);
        _exit(122);
    }
    close(pipefd[0]);
    ssize_t w = write(pipefd[1], DOC_A "\n", strlen(DOC_A) + 1);
    ck_assert_int_gt(w, 0);
    /* Wait (up to 20 s) until both temporary files exist: doppel is now
     * copying standard input, which stays open. */
    for (int i = 0; i < 2000; i++) {
        if (count_entries(tmp) == 1 && count_entries(dir) == 1)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ck_assert_int_eq(count_entries(tmp), 1);
    ck_assert_int_eq(count_entries(dir), 1);
    kill(pid, SIGTERM);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    close(pipefd[1]);
    ck_assert_int_eq(count_entries(tmp), 0);
    ck_assert_int_eq(count_entries(dir), 0);
    free(dest);
    tu_rmtree(dir);
    free(dir);
    tu_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(test_progress_line)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", "--progress", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    /* Drawn at least once, erased, then the summary. */
    ck_assert_int_eq(strncmp(r.err, "\rdoppel: 3 documents, ", 22), 0);
    const char *last_cr = strrchr(r.err, '\r');
    ck_assert_int_eq(strncmp(last_cr, "\rdoppel: 3 documents, 2 clusters", 32),
                     0);
    ck_assert_int_eq(count_lines(r.err), 1);
    result_free(&r);
    /* stderr is not a terminal here: no progress by default. */
    run(&r, NULL, "dedup", in, NULL);
    ck_assert_ptr_null(strchr(r.err, '\r'));
    result_free(&r);
    run(&r, NULL, "dedup", "--progress", "--no-progress", in, NULL);
    ck_assert_ptr_null(strchr(r.err, '\r'));
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Under AddressSanitizer or valgrind an address-space limit breaks the
 * tool itself, so the tests that set one skip it there. */
static int address_space_limit_works(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 0;
#else
    return getenv("DOPPEL_TEST_VALGRIND") == NULL;
#endif
}

/* Out of memory is exit status 3. */
START_TEST(test_out_of_memory)
{
    if (!address_space_limit_works())
        return;
    char *dir = tu_mkdtemp();
    char *path = path_in(dir, "many.jsonl");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    /* 3,000 documents x 4096 values x 4 bytes = 49 MB of signatures,
     * with the address space limited to 64 MB. (Documents of 40 distinct
     * words: one-permutation MinHash fills K bins from a few shingles
     * slowly.) */
    for (int i = 0; i < 3000; i++) {
        fprintf(f, "{\"id\":\"%d\",\"text\":\"", i);
        for (int j = 0; j < 40; j++)
            fprintf(f, "w%d_%d ", i, j);
        fprintf(f, "\"}\n");
    }
    ck_assert_int_eq(fclose(f), 0);
    run_opts o = {.as_limit = 64L << 20};
    run_result r;
    run(&r, &o, "dedup", "--num-perm", "4096", "--threads", "1", path, NULL);
    ck_assert_int_eq(r.status, 3);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "out of memory"));
    result_free(&r);
    free(path);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------ hostile input, limits */

/* --max-docs: beyond it the run stops (exit 1) with the advice to use an
 * index, and writes nothing. */
START_TEST(test_max_docs)
{
    char *dir = tu_mkdtemp();
    char *in = write_in(dir, "docs.jsonl", THREE_DOCS);
    run_result r;
    run(&r, NULL, "dedup", "--max-docs", "2", in, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "doppel: an in-memory dedup holds at most "
                            "max_docs = 2 documents (it has 0, 3 more were "
                            "added); for larger corpora use an index (doppel "
                            "index)\n");
    result_free(&r);
    run(&r, NULL, "dedup", "-q", "--max-docs=3", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, CLUSTERS_OF_THREE);
    result_free(&r);
    run(&r, NULL, "dedup", "--max-docs", "0", in, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "doppel: invalid value '0' for --max-docs: "
                            "expected an integer in [1, 4294967294]\n"
                            TRY_HELP);
    result_free(&r);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* An id longer than 64 KiB stops the run naming the line, or is skipped as
 * oversize; a binary file (NUL bytes and all) is an ordinary article. */
START_TEST(test_long_id_and_binary_input)
{
    char *dir = tu_mkdtemp();
    char *in = path_in(dir, "ids.jsonl");
    FILE *f = fopen(in, "wb");
    fputs(DOC_A "\n{\"id\":\"", f);
    for (int i = 0; i < 70000; i++)
        fputc('x', f);
    fputs("\",\"text\":\"long id\"}\n" DOC_C "\n", f);
    fclose(f);
    run_result r;
    run(&r, NULL, "dedup", in, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *want = fmt("doppel: %s:2: id of 70000 bytes is longer than the "
                     "limit of 65536 bytes\n",
                     in);
    ck_assert_str_eq(r.err, want);
    free(want);
    result_free(&r);
    run(&r, NULL, "dedup", "--skip-oversize", in, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "a\ta\t1.0000\nc\ta\t1.0000\n");
    ck_assert_ptr_nonnull(strstr(r.err, "1 skipped (0 malformed, 1 oversize)"));
    result_free(&r);

    char *bin = path_in(dir, "blob");
    unsigned char bytes[600];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 13);
    bytes[0] = 0;
    tu_write_file(bin, bytes, sizeof bytes);
    run(&r, NULL, "dedup", "-q", bin, bin, NULL);
    ck_assert_int_eq(r.status, 0);
    want = fmt("%s\t%s\t1.0000\n%s\t%s\t1.0000\n", bin, bin, bin, bin);
    ck_assert_str_eq(r.out, want);
    free(want);
    result_free(&r);
    free(bin);
    free(in);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* -o DEST over an existing file: every failing run leaves it as it was and
 * leaves no temporary file -- bad input found after whole batches were
 * signed, a gzip stream cut off, --max-docs, a write that fails (a file
 * size limit, like a full disk), and (without ASan, which needs the
 * address space) running out of memory. */
START_TEST(test_output_untouched_on_every_error)
{
    char *dir = tu_mkdtemp();
    char *outdir = path_in(dir, "out");
    ck_assert_int_eq(mkdir(outdir, 0700), 0);
    char *dest = write_in(outdir, "result.tsv", "previous contents\n");
    /* 2,500 documents (three batches), a malformed line at the end. */
    char *late = path_in(dir, "late.jsonl");
    FILE *f = fopen(late, "wb");
    for (int i = 0; i < 2500; i++)
        fprintf(f, "{\"id\":\"d%04d\",\"text\":\"article %d about item %d of "
                   "the list\"}\n",
                i, i, i * 7);
    fputs("{\"id\":\"bad\",\"text\":\n", f);
    fclose(f);
    char *good = path_in(dir, "good.jsonl");
    f = fopen(good, "wb");
    for (int i = 0; i < 2500; i++)
        fprintf(f, "{\"id\":\"d%04d\",\"text\":\"article %d about item %d of "
                   "the list\"}\n",
                i, i, i * 7);
    fclose(f);
    char *cut = path_in(dir, "cut.jsonl.gz");
    gzip_file(good, cut);
    size_t len;
    char *z = tu_read_file(cut, &len);
    tu_write_file(cut, z, len - len / 3);
    free(z);

    run_result r;
    size_t good_len;
    char *good_data = tu_read_file(good, &good_len);
    struct {
        const char *what;
        run_opts o;
        const char *input;
        const char *extra;
        int status;
    } cases[] = {
        {"bad line after 2500 records", {0}, late, NULL, 1},
        {"cut gzip", {0}, cut, NULL, 1},
        {"--max-docs", {0}, good, "--max-docs=2000", 1},
        {"file size limit", {.fsize_limit = 4096}, good, NULL, 1},
        /* Standard input copied to $TMPDIR for jsonl output: the copy
         * hits the limit first. */
        {"file size limit on the copy of standard input",
         {.fsize_limit = 4096, .stdin_data = good_data,
          .stdin_len = good_len},
         "-", "--output=jsonl", 1},
        {"out of memory", {.as_limit = 64L << 20}, good, "--num-perm=4096",
         3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].o.as_limit && !address_space_limit_works())
            continue;
        if (cases[i].extra)
            run(&r, &cases[i].o, "dedup", "-j1", cases[i].extra, "-o", dest,
                cases[i].input, NULL);
        else
            run(&r, &cases[i].o, "dedup", "-j1", "-o", dest, cases[i].input,
                NULL);
        ck_assert_msg(r.status == cases[i].status, "%s: exit %d: %s",
                      cases[i].what, r.status, r.err);
        ck_assert_str_eq(r.out, "");
        ck_assert_int_eq(count_lines(r.err), 1);
        char *kept = tu_read_file(dest, &len);
        ck_assert_msg(strcmp(kept, "previous contents\n") == 0, "%s",
                      cases[i].what);
        free(kept);
        ck_assert_msg(count_entries(outdir) == 1, "%s: temporary file left",
                      cases[i].what);
        if (i == 3) {
            char *want = fmt("doppel: %s: File too large\n", dest);
            ck_assert_str_eq(r.err, want);
            free(want);
        }
        result_free(&r);
    }
    free(good_data);
    /* And the same run without the limit succeeds. */
    run(&r, NULL, "dedup", "-q", "-o", dest, good, NULL);
    ck_assert_int_eq(r.status, 0);
    result_free(&r);
    char *got = tu_read_file(dest, &len);
    ck_assert_uint_eq(count_lines(got), 2500);
    free(got);
    free(cut);
    free(good);
    free(late);
    free(dest);
    free(outdir);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* Interrupted runs: SIGTERM, SIGINT, SIGHUP and SIGPIPE while doppel is
 * reading leave an existing -o destination as it was and remove the
 * temporary file; SIGKILL cannot be caught, so its temporary file
 * (.doppel-XXXXXX next to the destination) stays, but the destination is
 * still untouched. */
START_TEST(test_interrupted_run_keeps_previous_output)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGKILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        char *dir = tu_mkdtemp();
        char *dest = write_in(dir, "out.tsv", "previous contents\n");
        int pipefd[2];
        ck_assert_int_eq(pipe(pipefd), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            dup2(pipefd[0], 0);
            close(pipefd[1]);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execl(DOPPEL_CLI_PATH, "doppel", "dedup", "-o", dest,
                  (char *)NULL);
            _exit(122);
        }
        close(pipefd[0]);
        ck_assert_int_gt(write(pipefd[1], DOC_A "\n", strlen(DOC_A) + 1), 0);
        /* Wait (up to 20 s) for the temporary output file. */
        for (int t = 0; t < 2000 && count_entries(dir) < 2; t++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        ck_assert_int_eq(count_entries(dir), 2);
        kill(pid, sigs[i]);
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        close(pipefd[1]);
        ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i]);
        size_t len;
        char *kept = tu_read_file(dest, &len);
        ck_assert_str_eq(kept, "previous contents\n");
        free(kept);
        ck_assert_int_eq(count_entries(dir), sigs[i] == SIGKILL ? 2 : 1);
        free(dest);
        tu_rmtree(dir);
        free(dir);
    }
}
END_TEST

/* ------------------------------------------------- the bundled corpus */

/* The bundled corpus four times over (1,174 documents: more than one
 * batch, and every article has three exact copies) plus the seeds. */
START_TEST(test_threads_do_not_change_output)
{
    char *dir = tu_mkdtemp();
    char src[4096];
    size_t len;
    char *wiki = tu_read_file(
        tu_source_path(src, sizeof src, "corpus/wikinews.jsonl"), &len);
    ck_assert_ptr_nonnull(wiki);
    char *big = path_in(dir, "wiki4.jsonl");
    FILE *f = fopen(big, "wb");
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(fwrite(wiki, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    free(wiki);
    char seeds[4096];
    tu_source_path(seeds, sizeof seeds, "corpus/seeds");
    static const char *const kinds[] = {"clusters", "pairs", "jsonl"};
    for (int k = 0; k < 3; k++) {
        run_result one, two;
        run(&one, NULL, "dedup", "-q", "--output", kinds[k], "--threads", "1",
            big, seeds, NULL);
        run(&two, NULL, "dedup", "-q", "--output", kinds[k], "--threads", "2",
            big, seeds, NULL);
        ck_assert_int_eq(one.status, 0);
        ck_assert_int_eq(two.status, 0);
        ck_assert_uint_gt(one.out_len, 0);
        ck_assert_uint_eq(one.out_len, two.out_len);
        ck_assert_int_eq(memcmp(one.out, two.out, one.out_len), 0);
        if (k == 0) /* one line per document: 4 x wikinews + 3 seed files */
            ck_assert_uint_eq(count_lines(one.out), 4 * 293 + 3);
        if (k == 1) /* at least the three copies of each article */
            ck_assert_uint_ge(count_lines(one.out), 293 * 6);
        result_free(&one);
        result_free(&two);
    }
    free(big);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *out = tcase_create("output");
    tcase_add_test(out, test_clusters_output);
    tcase_add_test(out, test_pairs_output);
    tcase_add_test(out, test_jsonl_output_copies_representatives);
    tcase_add_test(out, test_dates_choose_representative);
    tcase_add_test(out, test_field_names);
    tcase_add_test(out, test_tsv_escapes_ids);
    tcase_add_test(out, test_empty_documents);
    tcase_add_test(out, test_threshold_and_partial_similarity);
    suite_add_tcase(s, out);
    TCase *in = tcase_create("inputs");
    tcase_add_test(in, test_gzip_input_same_output);
    tcase_add_test(in, test_stdin_input);
    tcase_add_test(in, test_stdin_jsonl_output);
    tcase_add_test(in, test_fifo_jsonl_output);
    tcase_add_test(in, test_directory_input);
    suite_add_tcase(s, in);
    TCase *err = tcase_create("errors");
    tcase_add_test(err, test_malformed_line);
    tcase_add_test(err, test_missing_file);
    tcase_add_test(err, test_oversize_records);
    tcase_add_test(err, test_truncated_gzip);
    tcase_add_test(err, test_usage_errors);
    tcase_add_test(err, test_parameter_bounds_match_library);
    tcase_add_test(err, test_help_and_version);
    tcase_add_test(err, test_write_error);
    tcase_add_test(err, test_out_of_memory);
    suite_add_tcase(s, err);
    TCase *file = tcase_create("output-file");
    tcase_add_test(file, test_output_file_atomic);
    tcase_add_test(file, test_output_file_special_paths);
    tcase_add_test(file, test_output_file_over_input);
    tcase_add_test(file, test_signal_removes_temporary_files);
    tcase_add_test(file, test_progress_line);
    suite_add_tcase(s, file);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 300);
    tcase_add_test(hostile, test_max_docs);
    tcase_add_test(hostile, test_long_id_and_binary_input);
    tcase_add_test(hostile, test_output_untouched_on_every_error);
    tcase_add_test(hostile, test_interrupted_run_keeps_previous_output);
    suite_add_tcase(s, hostile);
    TCase *corpus = tcase_create("corpus");
    tcase_add_test(corpus, test_threads_do_not_change_output);
    suite_add_tcase(s, corpus);
    return s;
}
