/*
 * index_bench.c — doppel-index-bench: the index's targets, measured with
 * the public API only (docs/index.md has the figures and the command).
 *
 *   doppel-index-bench [--sizes 10000,100000,1000000] [--add 100000]
 *                      [--queries 2000] [--batch 100000] [--threads N]
 *                      [--dir DIR] [--keep] CORPUS.jsonl
 *
 * CORPUS holds at least max(sizes) + add articles (bench/gen's scale mode
 * makes them: doppel-gen --scale 1100000 --dates ...). The first
 * max(sizes) articles are added in batches of --batch (each committed, then
 * segments merged by the policy); at each size the bench measures
 *
 *   open     doppel_index_open() of the index as built, read-only: median
 *            and max of 21 opens (the first, cold in the process, included),
 *            and one open with DOPPEL_INDEX_VERIFY (every checksum)
 *   query    doppel_index_query() of one article at a time, sketching
 *            included, single-threaded: median, p90, p99 and max over
 *            --queries articles, half of them in the index and half new
 *   size     the bytes of the commit's files per live document
 *
 * and at the last size, also after doppel_index_compact(). Then the next
 * --add articles are deduplicated alone (doppel_dedup, --threads threads,
 * sketching included) and added to the index (doppel_index_add + commit,
 * the same threads), three times each, and the best times are compared,
 * by wall clock and by CPU time (on a shared machine the second is the
 * steadier); each add goes into a copy of the index made with hard links
 * (its files are never changed in place); the merge after the commit is
 * timed separately.
 *
 * Documents are read with the library's reader, batch by batch, so the
 * corpus never has to fit in memory except the --add articles.
 */
#define _POSIX_C_SOURCE 200809L
#include "doppel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads). */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Copy an index by hard links: its files are never changed in place
 * (commits write new files and rename COMMIT), so the copy is a snapshot
 * that can be written without touching the original. */
static void link_copy(const char *from, const char *to)
{
    char cmd[8500];
    snprintf(cmd, sizeof cmd,
             "rm -rf '%.1000s' && mkdir '%.1000s' && ln '%.1000s'/* "
             "'%.1000s'/",
             to, to, from, to);
    if (system(cmd) != 0) {
        fprintf(stderr, "doppel-index-bench: cannot copy %s\n", from);
        exit(1);
    }
}

static void die(const char *what, const doppel_error *err)
{
    fprintf(stderr, "doppel-index-bench: %s: %s\n", what,
            err && err->message[0] ? err->message : "failed");
    exit(1);
}

#define CHECK(call, what)                                                      \
    do {                                                                       \
        doppel_error err_ = {0};                                               \
        (void)err_;                                                            \
        if ((call) < 0)                                                        \
            die(what, &err_);                                                  \
    } while (0)

/* Documents owned by the bench (copied out of the reader). */
typedef struct docs {
    doppel_doc *d;
    size_t n, cap;
    char *arena;
    size_t used, arena_cap;
} docs;

static void docs_clear(docs *D)
{
    D->n = 0;
    D->used = 0;
}

static void docs_free(docs *D)
{
    free(D->d);
    free(D->arena);
    memset(D, 0, sizeof *D);
}

/* Read up to n more records into D (cleared first). Returns how many. */
static size_t read_docs(doppel_reader *r, docs *D, size_t n)
{
    docs_clear(D);
    size_t *off = NULL;
    size_t ocap = 0;
    doppel_record rec;
    doppel_error err = {0};
    int rc = 1;
    while (D->n < n && (rc = doppel_reader_next(r, &rec, &err)) > 0) {
        if (D->n == D->cap) {
            D->cap = D->cap ? 2 * D->cap : 4096;
            D->d = realloc(D->d, D->cap * sizeof *D->d);
        }
        if (2 * D->n + 2 > ocap) {
            ocap = ocap ? 2 * ocap : 8192;
            off = realloc(off, ocap * sizeof *off);
        }
        size_t need = rec.id_len + rec.text_len;
        if (D->used + need > D->arena_cap) {
            D->arena_cap = (D->used + need) * 2;
            D->arena = realloc(D->arena, D->arena_cap);
        }
        if (!D->d || !off || !D->arena) {
            fprintf(stderr, "doppel-index-bench: out of memory\n");
            exit(1);
        }
        off[2 * D->n] = D->used;
        memcpy(D->arena + D->used, rec.id, rec.id_len);
        D->used += rec.id_len;
        off[2 * D->n + 1] = D->used;
        memcpy(D->arena + D->used, rec.text, rec.text_len);
        D->used += rec.text_len;
        D->d[D->n].id_len = rec.id_len;
        D->d[D->n].text_len = rec.text_len;
        D->d[D->n].date = rec.date;
        D->n++;
    }
    if (D->n < n && rc < 0)
        die("reading the corpus", &err);
    for (size_t i = 0; i < D->n; i++) {
        D->d[i].id = D->arena + off[2 * i];
        D->d[i].text = D->arena + off[2 * i + 1];
    }
    free(off);
    return D->n;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double pct(const double *sorted, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static doppel_index *open_index(const char *dir, unsigned flags,
                                unsigned threads)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = flags;
    o.threads = threads;
    doppel_index *ix = NULL;
    doppel_error err = {0};
    if (doppel_index_open(&ix, dir, &o, &err) < 0)
        die("opening the index", &err);
    return ix;
}

static void measure(const char *dir, const char *label, const docs *inside,
                    const docs *outside, size_t queries)
{
    /* Open: 21 read-only opens. */
    double t[21];
    for (int i = 0; i < 21; i++) {
        double t0 = now();
        doppel_index *ix = open_index(dir, 0, 1);
        t[i] = now() - t0;
        doppel_index_free(ix);
    }
    double first = t[0];
    qsort(t, 21, sizeof *t, cmp_double);
    double t0 = now();
    doppel_index *vx = open_index(dir, DOPPEL_INDEX_VERIFY, 1);
    double verify = now() - t0;
    doppel_index_free(vx);

    doppel_index *ix = open_index(dir, 0, 1);
    doppel_index_stats st;
    doppel_error err = {0};
    if (doppel_index_stats_get(ix, &st, &err) < 0)
        die("stats", &err);
    /* Queries: alternately an article in the index and a new one. */
    double *lat = malloc(queries * sizeof *lat);
    size_t found = 0, n = 0;
    for (size_t q = 0; q < queries; q++) {
        const docs *from = q % 2 ? outside : inside;
        if (!from->n)
            continue;
        const doppel_doc *d = &from->d[(q / 2 * 7919) % from->n];
        doppel_index_result *r;
        double a = now();
        if (doppel_index_query(ix, d, 1, &r, &err) < 0)
            die("query", &err);
        lat[n++] = now() - a;
        doppel_index_entry e;
        doppel_index_result_get(r, 0, &e, NULL);
        found += e.nmatches > 0;
        doppel_index_result_free(r);
    }
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("%-22s %9zu docs %3zu segs  open %6.2f ms (first %6.2f, max %6.2f,"
           " verify %7.1f ms)  query median %6.3f ms p90 %6.3f p99 %6.3f max"
           " %6.3f (%zu/%zu with matches)  %6.1f bytes/doc\n",
           label, st.documents, st.segments, t[10] * 1e3, first * 1e3,
           t[20] * 1e3, verify * 1e3, pct(lat, n, 0.5) * 1e3,
           pct(lat, n, 0.9) * 1e3, pct(lat, n, 0.99) * 1e3, lat[n - 1] * 1e3,
           found, n, (double)st.bytes / (double)st.documents);
    fflush(stdout);
    free(lat);
    doppel_index_free(ix);
}

static size_t parse_sizes(const char *s, size_t *out, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || v == 0) {
            fprintf(stderr, "doppel-index-bench: bad --sizes\n");
            exit(2);
        }
        out[n++] = (size_t)v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

int main(int argc, char **argv)
{
    size_t sizes[8] = {10000, 100000, 1000000}, nsizes = 3;
    size_t add = 100000, queries = 2000, batch = 100000;
    unsigned threads = 2;
    const char *dir = "/tmp/doppel-index-bench.idx", *corpus = NULL;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sizes") == 0 && v) {
            nsizes = parse_sizes(v, sizes, 8);
            i++;
        } else if (strcmp(a, "--add") == 0 && v) {
            add = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--queries") == 0 && v) {
            queries = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--batch") == 0 && v) {
            batch = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--threads") == 0 && v) {
            threads = (unsigned)strtoul(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--dir") == 0 && v) {
            dir = v;
            i++;
        } else if (strcmp(a, "--keep") == 0) {
            keep = 1;
        } else if (a[0] != '-' && !corpus) {
            corpus = a;
        } else {
            fprintf(stderr,
                    "usage: doppel-index-bench [--sizes N,N,...] [--add N] "
                    "[--queries N] [--batch N] [--threads N] [--dir DIR] "
                    "[--keep] CORPUS.jsonl\n");
            return 2;
        }
    }
    if (strlen(dir) > 1000 || strchr(dir, '\'')) {
        fprintf(stderr, "doppel-index-bench: --dir: at most 1000 bytes, no "
                        "quotes\n");
        return 2;
    }
    if (!corpus || !batch || !queries || !threads) {
        fprintf(stderr, "doppel-index-bench: a corpus is required\n");
        return 2;
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%.1000s'", dir);
    if (system(cmd) != 0)
        return 1;

    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    doppel_reader *r;
    const char *paths[1] = {corpus};
    CHECK(doppel_reader_open(&r, paths, 1, &ro, &err_), "opening the corpus");
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.threads = threads;
    doppel_index *ix;
    CHECK(doppel_index_create(&ix, dir, &p, &o, &err_), "creating the index");
    printf("doppel-index-bench: %s, threads %u, batches of %zu\n", corpus,
           threads, batch);

    /* Articles kept for queries: the first of each batch, and new ones. */
    docs B = {0}, inside = {0}, outside = {0};
    size_t built = 0;
    double build_time = 0, merge_time = 0;
    for (size_t s = 0; s < nsizes; s++) {
        while (built < sizes[s]) {
            size_t want = sizes[s] - built < batch ? sizes[s] - built : batch;
            if (read_docs(r, &B, want) < want) {
                fprintf(stderr, "doppel-index-bench: the corpus has only %zu "
                                "articles\n",
                        built + B.n);
                return 1;
            }
            double t0 = now();
            CHECK(doppel_index_add(ix, B.d, B.n, &err_), "add");
            CHECK(doppel_index_commit(ix, NULL, &err_), "commit");
            double t1 = now();
            CHECK(doppel_index_merge(ix, &err_), "merge");
            build_time += t1 - t0;
            merge_time += now() - t1;
            built += B.n;
            if (!inside.n) { /* keep a sample of indexed articles */
                inside = B;
                memset(&B, 0, sizeof B);
            }
        }
        char label[64];
        snprintf(label, sizeof label, "as built");
        printf("built %zu documents: %.1f s adding, %.1f s merging (%.0f "
               "docs/s)\n",
               built, build_time, merge_time, (double)built / build_time);
        /* New articles for queries: read ahead, then used for the add. */
        if (!outside.n && read_docs(r, &outside, add ? add : 1000) == 0) {
            fprintf(stderr, "doppel-index-bench: no articles left to add\n");
            return 1;
        }
        doppel_index_free(ix);
        measure(dir, label, &inside, &outside, queries);
        if (s + 1 == nsizes) {
            ix = open_index(dir, DOPPEL_INDEX_WRITE, threads);
            double t0 = now();
            CHECK(doppel_index_compact(ix, &err_), "compact");
            printf("compacted in %.1f s\n", now() - t0);
            doppel_index_free(ix);
            measure(dir, "compacted", &inside, &outside, queries);
        }
        ix = open_index(dir, DOPPEL_INDEX_WRITE, threads);
    }

    /* Add throughput against dedup on the same articles: best of three
     * each (the machine may be shared), wall clock and CPU time, each add
     * into its own copy of the index. */
    doppel_index_free(ix);
    ix = NULL;
    if (add && outside.n) {
        doppel_dedup_opts dopts = DOPPEL_DEDUP_OPTS_INIT;
        dopts.threads = threads;
        double dwall = 1e30, dcpu = 1e30, iwall = 1e30, icpu = 1e30;
        double isketch = 0, icommit = 0, imerge = 0;
        size_t dups = 0;
        char copy[4200];
        snprintf(copy, sizeof copy, "%.1000s.add", dir);
        for (int rep = 0; rep < 3; rep++) {
            double w0 = now(), c0 = cpu();
            doppel_dedup *dd;
            CHECK(doppel_dedup_create(&dd, &dopts, &err_), "dedup");
            CHECK(doppel_dedup_add_batch(dd, outside.d, outside.n, &err_),
                  "dedup add");
            CHECK(doppel_dedup_finish(dd, &err_), "dedup finish");
            double w = now() - w0, c = cpu() - c0;
            doppel_dedup_free(dd);
            if (w < dwall)
                dwall = w;
            if (c < dcpu)
                dcpu = c;

            link_copy(dir, copy);
            doppel_index *cx = open_index(copy, DOPPEL_INDEX_WRITE, threads);
            w0 = now();
            c0 = cpu();
            CHECK(doppel_index_add(cx, outside.d, outside.n, &err_), "add");
            double w1 = now();
            doppel_index_result *res;
            CHECK(doppel_index_commit(cx, &res, &err_), "commit");
            double w2 = now();
            c = cpu() - c0;
            CHECK(doppel_index_merge(cx, &err_), "merge");
            double w3 = now();
            if (w2 - w0 < iwall) {
                iwall = w2 - w0;
                isketch = w1 - w0;
                icommit = w2 - w1;
                imerge = w3 - w2;
            }
            if (c < icpu)
                icpu = c;
            dups = 0;
            for (size_t i = 0; i < outside.n; i++) {
                doppel_index_entry e;
                doppel_index_result_get(res, i, &e, NULL);
                dups += e.nmatches > 0;
            }
            doppel_index_result_free(res);
            doppel_index_free(cx);
        }
        snprintf(cmd, sizeof cmd, "rm -rf '%.1100s'", copy);
        if (system(cmd) != 0)
            return 1;
        snprintf(cmd, sizeof cmd, "rm -rf '%.1000s'", dir);
        double n = (double)outside.n;
        printf("add %zu to %zu (best of 3): dedup %.2f s wall, %.2f s CPU "
               "(%.0f docs/s); index %.2f s wall (sketch %.2f + commit %.2f), "
               "%.2f s CPU (%.0f docs/s) = %.0f%% of dedup by wall clock, "
               "%.0f%% by CPU time; %zu with matches; merge after it %.2f s\n",
               outside.n, built, dwall, dcpu, n / dwall, iwall, isketch,
               icommit, icpu, n / iwall, 100.0 * dwall / iwall,
               100.0 * dcpu / icpu, dups, imerge);
    }
    doppel_index_free(ix);
    doppel_reader_free(r);
    docs_free(&B);
    docs_free(&inside);
    docs_free(&outside);
    if (!keep && system(cmd) != 0)
        return 1;
    return 0;
}
