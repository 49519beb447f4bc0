/*
 * bench_main.c — doppel-bench: how fast doppel is, stage by stage, against
 * a straightforward baseline measured in the same run, and how its cost
 * grows with the corpus.
 *
 *   doppel-bench --scale 100000 --growth 10000,100000,1000000 --gzip
 *
 * Corpus: with --scale N, N documents made once by doppel-gen (the labelled
 * benchmark's generator: real BBC and Wikinews articles, their spun, edited
 * and reprinted copies, and synthetic originals when the real ones run
 * out, so the duplicate rate stays realistic) and kept in --data-dir; with
 * --gzip also a gzip -6 copy. Or any JSON Lines files given as arguments.
 *
 * Three measurements, each run --runs times in a child process (so that
 * peak RSS is that run's own), reported as medians:
 *
 *  1. Stages, one thread. The child reads the whole input through the
 *     public reader (read/decompress), then adds it to a dedup in batches
 *     of 1,000 with opts.stage_timings (tokenise, shingle, MinHash: see
 *     doppel_dedup_timings), finishes it (LSH, verify, cluster) and writes
 *     the clusters as `doppel dedup` does to /dev/null (output). The same
 *     runs are made with the K-permutation baseline (DOPPEL_MINHASH_K_PERM:
 *     K independent hash functions per shingle, the textbook MinHash that
 *     datasketch implements), interleaved with the default's, and the
 *     table gives the speedup of medians. A third set of runs signs with
 *     plain word-5 shingles: the default must keep at least half of its
 *     documents per second (the cost of spin robustness).
 *  2. End to end: the `doppel dedup` program (found next to doppel-bench)
 *     on the input with each --threads count: wall time, peak RSS, and
 *     whether the output is byte-identical to the one-thread output.
 *  3. Growth: `doppel dedup` at each --growth scale: wall time, peak RSS,
 *     time per document relative to the smallest scale, and the number of
 *     hot (window-bounded) LSH buckets is visible as time staying linear.
 *
 * Uses only doppel.h (and zlib to write the gzip copy).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* wait4: the child's own peak RSS */
#include "doppel.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_LIST 16

/* ---------------------------------------------------------------- utils */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, size_t n)
{
    if (n == 0)
        return 0.0;
    double tmp[64];
    if (n > 64)
        n = 64;
    memcpy(tmp, v, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("doppel-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static size_t parse_list(const char *s, size_t *out, size_t max)
{
    size_t n = 0;
    const char *p = s;
    while (*p && n < max) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno || end == p)
            die("expected a comma-separated list of numbers, got '%s'", s);
        out[n++] = (size_t)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            die("expected a comma-separated list of numbers, got '%s'", s);
    }
    return n;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* The directory of this program (for doppel-gen and doppel). */
static void self_dir(char *buf, size_t cap, const char *argv0)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0) {
        snprintf(buf, cap, "%s", argv0);
        n = (ssize_t)strlen(buf);
    }
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, cap, ".");
}

/* Run argv (stdout to out_path or /dev/null), wait, return the exit status;
 * *secs, *maxrss_kb and *cpu (may be NULL) get its wall time, peak RSS and
 * user + system CPU time. */
static int run_child(char *const *argv, const char *out_path, double *secs,
                     long *maxrss_kb, double *cpu)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(out_path ? out_path : "/dev/null",
                      O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
            _exit(126);
        close(fd);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        die("wait4: %s", strerror(errno));
    if (secs)
        *secs = now_s() - t0;
    if (maxrss_kb)
        *maxrss_kb = ru.ru_maxrss;
    if (cpu)
        *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* -------------------------------------------------------------- corpora */

typedef struct config {
    const char *data_dir;
    const char *corpus_dir;
    char bin_dir[4096];
    int gzip;
    unsigned runs;
    size_t threads[MAX_LIST], nthreads;
    size_t growth[MAX_LIST], ngrowth;
    int baseline;
    size_t scale;
    const char *inputs[MAX_LIST];
    size_t ninputs;
    int skip_stages, skip_e2e;
} config;

/* gzip -6 of src into dst (written to dst.tmp, then renamed). */
static void gzip_file(const char *src, const char *dst)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    FILE *in = fopen(src, "rb");
    if (!in)
        die("%s: %s", src, strerror(errno));
    gzFile out = gzopen(tmp, "wb6");
    if (!out)
        die("%s: cannot create", tmp);
    gzbuffer(out, 1 << 20);
    static char buf[1 << 20];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (gzwrite(out, buf, (unsigned)n) != (int)n)
            die("%s: write failed", tmp);
    fclose(in);
    if (gzclose(out) != Z_OK)
        die("%s: write failed", tmp);
    if (rename(tmp, dst) != 0)
        die("rename %s: %s", tmp, strerror(errno));
}

/* The corpus of n documents (generated once); its path into path. */
static void corpus_path(const config *c, size_t n, int gz, char *path,
                        size_t cap)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/scale-%zu", c->data_dir, n);
    snprintf(path, cap, "%s/corpus.jsonl", dir);
    if (!file_exists(path)) {
        mkdir(c->data_dir, 0755);
        mkdir(dir, 0755);
        char gen[4200], bbc[4200], dups[4200], wiki[4200], scale[32];
        snprintf(gen, sizeof gen, "%s/doppel-gen", c->bin_dir);
        snprintf(bbc, sizeof bbc, "%s/bbc/articles.jsonl", c->corpus_dir);
        snprintf(dups, sizeof dups, "%s/bbc/dup_pairs_j0.80.tsv",
                 c->corpus_dir);
        snprintf(wiki, sizeof wiki, "%s/../../corpus/wikinews.jsonl",
                 c->bin_dir);
        if (!file_exists(wiki))
            snprintf(wiki, sizeof wiki, "%s/wikinews/articles.jsonl",
                     c->corpus_dir);
        snprintf(scale, sizeof scale, "%zu", n);
        fprintf(stderr, "doppel-bench: generating %zu documents in %s\n", n,
                dir);
        char *argv[16];
        size_t k = 0;
        argv[k++] = gen;
        argv[k++] = "--quiet";
        argv[k++] = "--scale";
        argv[k++] = scale;
        argv[k++] = "-o";
        argv[k++] = dir;
        if (file_exists(bbc)) {
            if (file_exists(dups)) {
                argv[k++] = "--dup-pairs";
                argv[k++] = dups;
            }
            argv[k++] = bbc;
        }
        argv[k++] = wiki;
        argv[k] = NULL;
        if (run_child(argv, NULL, NULL, NULL, NULL) != 0)
            die("doppel-gen failed (is WordNet installed? see "
                "bench/README.md)");
    }
    if (gz) {
        char gzp[4200];
        snprintf(gzp, sizeof gzp, "%s.gz", path);
        if (!file_exists(gzp)) {
            fprintf(stderr, "doppel-bench: compressing %s\n", path);
            gzip_file(path, gzp);
        }
        snprintf(path, cap, "%s", gzp);
    }
}

/* --------------------------------------------------------- 1. stages */

enum {
    ST_READ,
    ST_TOKENIZE,
    ST_SHINGLE,
    ST_MINHASH,
    ST_LSH,
    ST_VERIFY,
    ST_CLUSTER,
    ST_OUTPUT,
    ST_COUNT
};
static const char *const stage_names[ST_COUNT] = {
    "read + decompress", "normalise + tokenise", "shingle",  "MinHash",
    "LSH",               "verify",               "cluster", "output"};

typedef struct stage_result {
    double secs[ST_COUNT];
    double sketch_wall; /* add_batch wall time */
    double total;       /* everything, wall */
    uint64_t docs, bytes, input_bytes;
    uint64_t candidates, clusters, duplicates;
    long maxrss_kb;
} stage_result;

typedef struct loaded {
    doppel_doc *docs;
    char *arena;
    size_t n, cap, used, arena_cap;
} loaded;

static void load_all(const char *const *paths, size_t npaths, loaded *L,
                     uint64_t *input_bytes)
{
    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    doppel_reader *r = NULL;
    doppel_error err = {0};
    if (doppel_reader_open(&r, paths, npaths, &ro, &err) < 0)
        die("%s", err.message);
    doppel_record rec;
    int rc;
    size_t *off = NULL;
    while ((rc = doppel_reader_next(r, &rec, &err)) > 0) {
        if (L->n == L->cap) {
            L->cap = L->cap ? 2 * L->cap : 4096;
            L->docs = realloc(L->docs, L->cap * sizeof *L->docs);
            off = realloc(off, 2 * L->cap * sizeof *off);
            if (!L->docs || !off)
                die("out of memory");
        }
        size_t need = rec.id_len + rec.text_len;
        if (L->used + need > L->arena_cap) {
            L->arena_cap = L->arena_cap ? 2 * L->arena_cap : (size_t)64 << 20;
            while (L->used + need > L->arena_cap)
                L->arena_cap *= 2;
            L->arena = realloc(L->arena, L->arena_cap);
            if (!L->arena)
                die("out of memory");
        }
        off[2 * L->n] = L->used;
        memcpy(L->arena + L->used, rec.id, rec.id_len);
        L->used += rec.id_len;
        off[2 * L->n + 1] = L->used;
        memcpy(L->arena + L->used, rec.text, rec.text_len);
        L->used += rec.text_len;
        L->docs[L->n].id_len = rec.id_len;
        L->docs[L->n].text_len = rec.text_len;
        L->docs[L->n].date = rec.date;
        L->n++;
    }
    if (rc < 0)
        die("%s", err.message);
    doppel_reader_stats st;
    doppel_reader_stats_get(r, &st);
    *input_bytes = st.bytes;
    doppel_reader_free(r);
    for (size_t i = 0; i < L->n; i++) {
        L->docs[i].id = L->arena + off[2 * i];
        L->docs[i].text = L->arena + off[2 * i + 1];
    }
    free(off);
}

/* What a stage run signs with. */
enum {
    V_DEFAULT, /* the defaults: skeleton shingles, one-permutation MinHash */
    V_KPERM,   /* the same shingles, K-permutation MinHash (the baseline) */
    V_WORD5    /* plain word-5 shingles, one-permutation MinHash */
};

/* One stage run, in this (child) process. */
static void stage_run(const char *const *paths, size_t npaths, int variant,
                      stage_result *res)
{
    memset(res, 0, sizeof *res);
    double t0 = now_s();
    loaded L = {0};
    load_all(paths, npaths, &L, &res->input_bytes);
    double t1 = now_s();
    res->secs[ST_READ] = t1 - t0;

    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.threads = 1;
    o.stage_timings = 1;
    if (variant == V_KPERM)
        o.params.minhash = DOPPEL_MINHASH_K_PERM;
    if (variant == V_WORD5) {
        o.params.shingle = DOPPEL_SHINGLE_WORD;
        o.params.shingle_size = 5;
    }
    doppel_dedup *d = NULL;
    doppel_error err = {0};
    if (doppel_dedup_create(&d, &o, &err) < 0)
        die("%s", err.message);
    for (size_t i = 0; i < L.n; i += 1000) {
        size_t m = L.n - i < 1000 ? L.n - i : 1000;
        if (doppel_dedup_add_batch(d, L.docs + i, m, &err) < 0)
            die("%s", err.message);
    }
    if (doppel_dedup_finish(d, &err) < 0)
        die("%s", err.message);
    double t2 = now_s();

    /* output: what `doppel dedup` writes for --output clusters */
    FILE *out = fopen("/dev/null", "w");
    if (!out)
        die("/dev/null: %s", strerror(errno));
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    size_t n = doppel_dedup_count(d);
    for (size_t i = 0; i < n; i++) {
        doppel_member m, r;
        if (doppel_dedup_member(d, i, &m, &err) < 0 ||
            doppel_dedup_member(d, m.representative, &r, &err) < 0)
            die("%s", err.message);
        fwrite(m.id, 1, m.id_len, out);
        fputc('\t', out);
        fwrite(r.id, 1, r.id_len, out);
        fprintf(out, "\t%.4f\n", m.similarity);
    }
    fclose(out);
    double t3 = now_s();

    doppel_dedup_timings tm;
    doppel_dedup_stats st;
    doppel_dedup_timings_get(d, &tm, &err);
    doppel_dedup_stats_get(d, &st, &err);
    res->secs[ST_TOKENIZE] = (double)tm.tokenize_ns * 1e-9;
    res->secs[ST_SHINGLE] = (double)tm.shingle_ns * 1e-9;
    res->secs[ST_MINHASH] = (double)tm.minhash_ns * 1e-9;
    res->secs[ST_LSH] = (double)tm.lsh_ns * 1e-9;
    res->secs[ST_VERIFY] = (double)tm.verify_ns * 1e-9;
    res->secs[ST_CLUSTER] = (double)tm.cluster_ns * 1e-9;
    res->secs[ST_OUTPUT] = t3 - t2;
    res->sketch_wall = (double)tm.add_ns * 1e-9;
    res->docs = tm.documents;
    res->bytes = tm.bytes;
    res->candidates = st.candidate_pairs;
    res->clusters = st.clusters;
    res->duplicates = st.duplicates;
    res->total = t3 - t0;
    doppel_dedup_free(d);
    free(L.docs);
    free(L.arena);
}

/* stage_run in a child; its peak RSS from wait4. */
static void stage_child(const char *const *paths, size_t npaths, int variant,
                        stage_result *res)
{
    int fd[2];
    if (pipe(fd) < 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(fd[0]);
        stage_result r;
        stage_run(paths, npaths, variant, &r);
        ssize_t w = write(fd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], res, sizeof *res);
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || got != (ssize_t)sizeof *res ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("a stage run failed");
    res->maxrss_kb = ru.ru_maxrss;
}

/* The cost of spin robustness (issue 3's target): documents per second
 * of the default (skeleton shingles) against plain word-5-shingle MinHash,
 * measured in the same runs, interleaved. The default must keep at least
 * half. */
static void print_word5(const stage_result *fast, const stage_result *w5,
                        unsigned R, uint64_t docs, uint64_t bytes)
{
    double v[64], vw[64];
    printf("\n### Spin-robust default against plain word-5 MinHash (one "
           "thread, same runs)\n\n");
    printf("| measure | default (skeleton-6) | word-5 | default / word-5 "
           "| target |\n");
    printf("|---|---:|---:|---:|---|\n");
    for (int row = 0; row < 2; row++) {
        for (unsigned r = 0; r < R; r++) {
            if (row == 0) {
                v[r] = fast[r].secs[ST_TOKENIZE] + fast[r].secs[ST_SHINGLE] +
                       fast[r].secs[ST_MINHASH];
                vw[r] = w5[r].secs[ST_TOKENIZE] + w5[r].secs[ST_SHINGLE] +
                        w5[r].secs[ST_MINHASH];
            } else {
                v[r] = fast[r].total;
                vw[r] = w5[r].total;
            }
        }
        double m = median(v, R), mw = median(vw, R);
        double ratio = m > 0 ? mw / m : 0;
        printf("| %s, documents/s (MB/s) | %.0f (%.0f) | %.0f (%.0f) | "
               "%.2f | %s |\n",
               row == 0 ? "sketch" : "all stages, wall",
               (double)docs / m, (double)bytes / 1e6 / m, (double)docs / mw,
               (double)bytes / 1e6 / mw, ratio,
               row == 0 ? (ratio >= 0.5 ? ">= 0.5: met" : ">= 0.5: **not met**")
                        : "-");
    }
}

static void print_stages(const config *c, const char *const *paths,
                         size_t npaths)
{
    unsigned R = c->runs;
    stage_result fast[64], base[64], word5[64];
    for (unsigned r = 0; r < R; r++) {
        stage_child(paths, npaths, V_DEFAULT, &fast[r]);
        if (c->baseline)
            stage_child(paths, npaths, V_KPERM, &base[r]);
        stage_child(paths, npaths, V_WORD5, &word5[r]);
        fprintf(stderr, "doppel-bench: stages, run %u of %u\n", r + 1, R);
    }
    double v[64], vb[64];
    uint64_t bytes = fast[0].bytes, docs = fast[0].docs;
    printf("\n### Stages, one thread (%llu documents, %.1f MB of text, "
           "%.1f MB read%s; medians of %u runs)\n\n",
           (unsigned long long)docs, (double)bytes / 1e6,
           (double)fast[0].input_bytes / 1e6, c->gzip ? ", gzip" : "", R);
    printf("| stage | time (s) | documents/s | MB/s of text |%s\n",
           c->baseline ? " K-perm baseline (s) | speedup |" : "");
    printf("|---|---:|---:|---:|%s\n", c->baseline ? "---:|---:|" : "");
    for (int s = 0; s < ST_COUNT; s++) {
        for (unsigned r = 0; r < R; r++) {
            v[r] = fast[r].secs[s];
            vb[r] = c->baseline ? base[r].secs[s] : 0;
        }
        double m = median(v, R), mb = median(vb, R);
        printf("| %s | %.3f | %.0f | %.0f |", stage_names[s], m,
               m > 0 ? (double)docs / m : 0, m > 0 ? (double)bytes / 1e6 / m : 0);
        if (c->baseline)
            printf(" %.3f | %.1fx |", mb, m > 0 ? mb / m : 0);
        printf("\n");
    }
    /* sketching as a whole: the three stages, and the add calls' wall */
    for (unsigned r = 0; r < R; r++) {
        v[r] = fast[r].secs[ST_TOKENIZE] + fast[r].secs[ST_SHINGLE] +
               fast[r].secs[ST_MINHASH];
        vb[r] = c->baseline ? base[r].secs[ST_TOKENIZE] +
                                  base[r].secs[ST_SHINGLE] +
                                  base[r].secs[ST_MINHASH]
                            : 0;
    }
    double m = median(v, R), mb = median(vb, R);
    printf("| **sketch (the three above)** | %.3f | %.0f | **%.0f** |", m,
           (double)docs / m, (double)bytes / 1e6 / m);
    if (c->baseline)
        printf(" %.3f | **%.1fx** |", mb, mb / m);
    printf("\n");
    for (unsigned r = 0; r < R; r++) {
        v[r] = fast[r].total;
        vb[r] = c->baseline ? base[r].total : 0;
    }
    m = median(v, R);
    mb = median(vb, R);
    printf("| **all, wall** | %.3f | %.0f | %.0f |", m, (double)docs / m,
           (double)bytes / 1e6 / m);
    if (c->baseline)
        printf(" %.3f | %.1fx |", mb, mb / m);
    printf("\n");
    for (unsigned r = 0; r < R; r++) {
        v[r] = (double)fast[r].maxrss_kb / 1024.0;
        vb[r] = c->baseline ? (double)base[r].maxrss_kb / 1024.0 : 0;
    }
    printf("\nPeak RSS of a run (all texts held in memory for the stage "
           "split): %.0f MB (baseline %.0f MB). %llu candidate pairs, "
           "%llu clusters, %llu duplicates.\n",
           median(v, R), median(vb, R),
           (unsigned long long)fast[0].candidates,
           (unsigned long long)fast[0].clusters,
           (unsigned long long)fast[0].duplicates);
    if (c->baseline &&
        (fast[0].candidates == 0 || base[0].clusters == 0))
        printf("(the baseline's signatures differ by design: its clusters "
               "are its own)\n");
    print_word5(fast, word5, R, docs, bytes);
}

/* ------------------------------------------------- 2. and 3. end to end */

/* FNV-1a of a file (to compare outputs). */
static uint64_t file_digest(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t h = 0xcbf29ce484222325ull;
    static unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ull;
    fclose(f);
    return h;
}

typedef struct e2e_result {
    double secs, cpu;
    long maxrss_kb;
    uint64_t digest;
} e2e_result;

static e2e_result e2e_run(const config *c, const char *const *paths,
                          size_t npaths, size_t threads, const char *out)
{
    char doppel[4200], thr[32];
    snprintf(doppel, sizeof doppel, "%s/doppel", c->bin_dir);
    snprintf(thr, sizeof thr, "%zu", threads);
    char *argv[8 + MAX_LIST];
    size_t k = 0;
    argv[k++] = doppel;
    argv[k++] = "dedup";
    argv[k++] = "--quiet";
    argv[k++] = "--threads";
    argv[k++] = thr;
    for (size_t i = 0; i < npaths; i++)
        argv[k++] = (char *)paths[i];
    argv[k] = NULL;
    e2e_result r;
    if (run_child(argv, out, &r.secs, &r.maxrss_kb, &r.cpu) != 0)
        die("%s dedup failed", doppel);
    r.digest = file_digest(out);
    return r;
}

static void print_e2e(const config *c, const char *const *paths,
                      size_t npaths, uint64_t bytes)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/e2e-output.tsv", c->data_dir);
    double med[MAX_LIST], rss[MAX_LIST], cpu[MAX_LIST];
    int same[MAX_LIST];
    uint64_t ref_digest = 0;
    for (size_t t = 0; t < c->nthreads; t++) {
        double secs[64], mem[64], cs[64];
        same[t] = 1;
        for (unsigned r = 0; r < c->runs; r++) {
            e2e_result e = e2e_run(c, paths, npaths, c->threads[t], out);
            secs[r] = e.secs;
            cs[r] = e.cpu;
            mem[r] = (double)e.maxrss_kb / 1024.0;
            if (t == 0 && r == 0)
                ref_digest = e.digest;
            same[t] &= e.digest == ref_digest;
            fprintf(stderr, "doppel-bench: end to end, %zu thread(s), run "
                            "%u of %u: %.2f s\n",
                    c->threads[t], r + 1, c->runs, e.secs);
        }
        med[t] = median(secs, c->runs);
        rss[t] = median(mem, c->runs);
        cpu[t] = median(cs, c->runs);
    }
    printf("\n### End to end: `doppel dedup --threads T` (medians of %u "
           "runs)\n\n",
           c->runs);
    printf("| threads | wall (s) | CPU, user + sys (s) | MB/s of input | "
           "speedup over %zu thread(s) | peak RSS (MB) | output identical to "
           "%zu thread(s) |\n",
           c->threads[0], c->threads[0]);
    printf("|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t t = 0; t < c->nthreads; t++)
        printf("| %zu | %.2f | %.2f | %.0f | %.2fx | %.0f | %s |\n",
               c->threads[t], med[t], cpu[t], (double)bytes / 1e6 / med[t],
               med[0] / med[t], rss[t], same[t] ? "yes" : "**NO**");
}

static void print_growth(const config *c, size_t threads)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/growth-output.tsv", c->data_dir);
    printf("\n### Growth: `doppel dedup --threads %zu` on generated corpora%s "
           "(medians of %u runs)\n\n",
           threads, c->gzip ? ", gzip" : "", c->runs);
    printf("| documents | input (MB) | wall (s) | CPU, user + sys (s) | "
           "us per document | relative to %zu | peak RSS (MB) |\n",
           c->growth[0]);
    printf("|---:|---:|---:|---:|---:|---:|---:|\n");
    double first = 0;
    for (size_t g = 0; g < c->ngrowth; g++) {
        char path[4200];
        corpus_path(c, c->growth[g], c->gzip, path, sizeof path);
        const char *paths[] = {path};
        double secs[64], mem[64], cs[64];
        for (unsigned r = 0; r < c->runs; r++) {
            e2e_result e = e2e_run(c, paths, 1, threads, out);
            secs[r] = e.secs;
            cs[r] = e.cpu;
            mem[r] = (double)e.maxrss_kb / 1024.0;
            fprintf(stderr, "doppel-bench: growth, %zu documents, run %u of "
                            "%u: %.2f s\n",
                    c->growth[g], r + 1, c->runs, e.secs);
        }
        double m = median(secs, c->runs);
        double per = m / (double)c->growth[g] * 1e6;
        if (g == 0)
            first = per;
        printf("| %zu | %.0f | %.2f | %.2f | %.2f | %.2fx | %.0f |\n",
               c->growth[g], (double)file_size(path) / 1e6, m,
               median(cs, c->runs), per, per / first, median(mem, c->runs));
        fflush(stdout);
    }
}

/* ------------------------------------------------------------- machine */

static void print_machine(int argc, char **argv)
{
    struct utsname u;
    uname(&u);
    char model[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p) {
                    snprintf(model, sizeof model, "%s", p + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        fclose(f);
    }
    char load[128] = "?";
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(load, sizeof load, f))
            load[0] = '\0';
        load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("## doppel-bench\n\n");
    printf("- command: `");
    for (int i = 0; i < argc; i++)
        printf("%s%s", i ? " " : "", argv[i]);
    printf("`\n- doppel %s; %s, %ld online CPUs; %s %s\n", doppel_version(),
           model, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release);
    printf("- load average at start: %s\n", load);
}

static void print_load_end(void)
{
    char load[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(load, sizeof load, f))
            load[0] = '\0';
        load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("\n- load average at the end: %s\n", load);
}

static void usage(FILE *f)
{
    fputs(
"usage: doppel-bench [options] [INPUT.jsonl[.gz] ...]\n"
"\n"
"Measure doppel: per-stage throughput against the K-permutation baseline\n"
"(one thread), `doppel dedup` end to end on each thread count, and wall time\n"
"and peak memory as the corpus grows. Prints Markdown (docs/performance.md).\n"
"\n"
"  --scale N          use a generated corpus of N documents (made once with\n"
"                     doppel-gen from the BBC and Wikinews articles) instead\n"
"                     of INPUT files\n"
"  --gzip             use gzip -6 copies of the generated corpora\n"
"  --growth LIST      also time `doppel dedup` at these scales, e.g.\n"
"                     10000,100000,1000000\n"
"  --threads LIST     thread counts end to end (default 1,2)\n"
"  --runs R           runs per measurement, medians reported (default 5)\n"
"  --no-baseline      skip the K-permutation baseline\n"
"  --no-stages        skip the stage table\n"
"  --no-e2e           skip the end-to-end table\n"
"  --data-dir DIR     where generated corpora live (default: DIR of this\n"
"                     program/bench-data)\n"
"  --corpus-dir DIR   the shared corpora (default: ../shared/corpus from the\n"
"                     source tree)\n"
"  -h, --help         this help\n"
"\n"
"doppel-gen and doppel are run from the directory of doppel-bench.\n",
        f);
}

int main(int argc, char **argv)
{
    config c;
    memset(&c, 0, sizeof c);
    c.runs = 5;
    c.baseline = 1;
    c.threads[0] = 1;
    c.threads[1] = 2;
    c.nthreads = 2;
    self_dir(c.bin_dir, sizeof c.bin_dir, argv[0]);
    static char data_dir[4200], corpus_dir[4200];
    snprintf(data_dir, sizeof data_dir, "%s/bench-data", c.bin_dir);
    snprintf(corpus_dir, sizeof corpus_dir, "%s/../../shared/corpus",
             c.bin_dir);
    c.data_dir = data_dir;
    c.corpus_dir = corpus_dir;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VALUE()                                                                \
    do {                                                                       \
        if (!v)                                                                \
            die("%s needs a value", a);                                        \
        i++;                                                                   \
    } while (0)
        if (strcmp(a, "--scale") == 0) {
            VALUE();
            size_t n[1];
            parse_list(v, n, 1);
            c.scale = n[0];
        } else if (strcmp(a, "--gzip") == 0) {
            c.gzip = 1;
        } else if (strcmp(a, "--growth") == 0) {
            VALUE();
            c.ngrowth = parse_list(v, c.growth, MAX_LIST);
        } else if (strcmp(a, "--threads") == 0) {
            VALUE();
            c.nthreads = parse_list(v, c.threads, MAX_LIST);
        } else if (strcmp(a, "--runs") == 0) {
            VALUE();
            size_t n[1];
            parse_list(v, n, 1);
            c.runs = n[0] < 1 ? 1 : n[0] > 64 ? 64 : (unsigned)n[0];
        } else if (strcmp(a, "--no-baseline") == 0) {
            c.baseline = 0;
        } else if (strcmp(a, "--no-stages") == 0) {
            c.skip_stages = 1;
        } else if (strcmp(a, "--no-e2e") == 0) {
            c.skip_e2e = 1;
        } else if (strcmp(a, "--data-dir") == 0) {
            VALUE();
            c.data_dir = v;
        } else if (strcmp(a, "--corpus-dir") == 0) {
            VALUE();
            c.corpus_dir = v;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            usage(stderr);
            die("unknown option %s", a);
        } else if (c.ninputs < MAX_LIST) {
            c.inputs[c.ninputs++] = a;
        }
#undef VALUE
    }
    static char scaled[4200];
    if (c.scale) {
        corpus_path(&c, c.scale, c.gzip, scaled, sizeof scaled);
        c.inputs[c.ninputs++] = scaled;
    }
    print_machine(argc, argv);
    if (c.ninputs) {
        uint64_t bytes = 0;
        for (size_t i = 0; i < c.ninputs; i++)
            bytes += file_size(c.inputs[i]);
        printf("- input: ");
        for (size_t i = 0; i < c.ninputs; i++)
            printf("%s%s", i ? ", " : "", c.inputs[i]);
        printf(" (%.1f MB)\n", (double)bytes / 1e6);
        fflush(stdout);
        if (!c.skip_stages)
            print_stages(&c, c.inputs, c.ninputs);
        fflush(stdout);
        if (!c.skip_e2e)
            print_e2e(&c, c.inputs, c.ninputs, bytes);
        fflush(stdout);
    }
    if (c.ngrowth)
        print_growth(&c, c.threads[c.nthreads - 1]);
    print_load_end();
    return 0;
}
