/*
 * check_oom.c — out of memory at every allocation of every public entry
 * point, SQLite style: an allocator that fails the N-th allocation
 * (testutil.h), N = 0, 1, 2, ... until the call succeeds.
 *
 * For each failure: the call returns DOPPEL_ERR_NOMEM with "out of memory"
 * in the message, returns no object, and leaves the objects it was given
 * as they were: usable (the same call retried with memory succeeds, and
 * the final results equal those of a run that never failed) and freeable.
 * At the end every object is freed and nothing is left allocated
 * (`live == 0`), so a block leaked on any failure path fails the test.
 *
 * Covered: doppel_sketcher_create, doppel_sketch (every shingle and
 * MinHash kind), doppel_signature_serialize / _deserialize,
 * doppel_dedup_create / _add / _add_batch (one and two threads) /
 * _add_signature / _finish / _member / _pairs / _stats_get, and
 * doppel_reader_open / _next over JSON Lines (BOM, CRLF, blank, malformed
 * and oversize lines), articles, directories and gzip (zlib's own
 * allocations go through the same allocator), and an index writer's calls
 * (doppel_index_create / _add / _commit / _query / _remove / _expire /
 * _merge / _compact; tests/check_index.c also fails every allocation of a
 * whole writer's day, opening included, with a fresh handle each time).
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* --------------------------------------------------------- documents */

/* Document i: 40 words from a small vocabulary; every fifth document is a
 * copy of the one before it with one word changed, so there are pairs. */
static char *doc_text(size_t i)
{
    static const char *const words[] = {
        "the",      "minister", "said",    "on",     "Tuesday", "that",
        "bank",     "profits",  "rose",    "in",     "the",     "quarter",
        "while",    "analysts", "were",    "of",     "a",       "Berlin",
        "growth",   "river",    "council", "voted",  "to",      "raise",
        "tax",      "homes",    "police",  "bridge", "closed",  "Friday",
        "football", "match",    "league",  "coach",  "season",  "2021"};
    const size_t nw = sizeof words / sizeof words[0];
    size_t base = i % 5 == 4 ? i - 1 : i;
    uint32_t x = (uint32_t)base * 2654435761u + 7;
    char *t = malloc(40 * 12);
    size_t n = 0;
    for (int w = 0; w < 40; w++) {
        x = x * 1664525u + 1013904223u;
        const char *word = (i != base && w == 20) ? "changed"
                                                  : words[(x >> 16) % nw];
        n += (size_t)sprintf(t + n, "%s%s", w ? " " : "", word);
    }
    return t;
}

typedef struct corpus {
    size_t n;
    doppel_doc *docs;
    char **texts;
    char (*ids)[16];
} corpus;

static corpus make_corpus(size_t n)
{
    corpus c;
    c.n = n;
    c.docs = calloc(n, sizeof *c.docs);
    c.texts = calloc(n, sizeof *c.texts);
    c.ids = calloc(n, sizeof *c.ids);
    for (size_t i = 0; i < n; i++) {
        c.texts[i] = doc_text(i);
        snprintf(c.ids[i], sizeof c.ids[i], "doc%zu", i);
        c.docs[i].id = c.ids[i];
        c.docs[i].id_len = strlen(c.ids[i]);
        c.docs[i].text = c.texts[i];
        c.docs[i].text_len = strlen(c.texts[i]);
        c.docs[i].date = i % 3 == 0 ? (int64_t)(1000000 - i) : DOPPEL_NO_DATE;
    }
    return c;
}

static void free_corpus(corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->texts[i]);
    free(c->texts);
    free(c->docs);
    free(c->ids);
}

static void assert_nomem(int rc, const doppel_error *err)
{
    ck_assert_msg(rc == DOPPEL_ERR_NOMEM, "status %d: %s", rc, err->message);
    ck_assert_int_eq(err->code, DOPPEL_ERR_NOMEM);
    ck_assert_msg(strstr(err->message, "out of memory") != NULL, "%s",
                  err->message);
}

/* ----------------------------------------------------------- sketching */

static unsigned char *serialize(const doppel_signature *sig, size_t *len)
{
    ck_assert_int_eq(doppel_signature_serialize(sig, NULL, 0, len, NULL),
                     DOPPEL_OK);
    unsigned char *buf = malloc(*len);
    ck_assert_int_eq(doppel_signature_serialize(sig, buf, *len, len, NULL),
                     DOPPEL_OK);
    return buf;
}

START_TEST(test_sketcher_create)
{
    static const doppel_minhash_kind kinds[] = {DOPPEL_MINHASH_ONE_PERM,
                                                DOPPEL_MINHASH_K_PERM};
    for (size_t k = 0; k < 2; k++) {
        doppel_params p = DOPPEL_PARAMS_INIT;
        p.minhash = kinds[k];
        long failures = 0;
        for (long budget = 0;; budget++) {
            tu_failing_alloc fa;
            tu_failing_alloc_init(&fa, budget);
            doppel_sketcher *sk = (doppel_sketcher *)&fa;
            doppel_error err = {0, {0}};
            int rc = doppel_sketcher_create(&sk, &p, &fa.a, &err);
            if (rc == DOPPEL_OK) {
                doppel_sketcher_free(sk);
                ck_assert_int_eq(fa.live, 0);
                break;
            }
            assert_nomem(rc, &err);
            ck_assert_ptr_null(sk);
            ck_assert_int_eq(fa.live, 0);
            failures++;
        }
        /* The object, its densification probes, and for K permutations
         * its two tables. */
        ck_assert_int_eq(failures, k == 0 ? 2 : 4);
    }
}
END_TEST

/* doppel_sketch, every shingle kind and both MinHash kinds: each failure
 * leaves the sketcher usable; the first success equals a sketch made
 * without an allocator. Serialising allocates nothing; deserialising
 * allocates the signature. */
START_TEST(test_sketch_and_signature)
{
    static const doppel_shingle_kind kinds[] = {
        DOPPEL_SHINGLE_WORD, DOPPEL_SHINGLE_CHAR, DOPPEL_SHINGLE_SKELETON};
    char *text = doc_text(3);
    size_t len = strlen(text);
    for (size_t k = 0; k < 3; k++) {
        for (int mh = 1; mh <= 2; mh++) {
            doppel_params p = DOPPEL_PARAMS_INIT;
            p.shingle = kinds[k];
            p.minhash = (doppel_minhash_kind)mh;
            doppel_sketcher *ref_sk = NULL;
            doppel_signature *ref = NULL;
            ck_assert_int_eq(doppel_sketcher_create(&ref_sk, &p, NULL, NULL),
                             DOPPEL_OK);
            ck_assert_int_eq(doppel_sketch(ref_sk, text, len, &ref, NULL),
                             DOPPEL_OK);
            size_t ref_len;
            unsigned char *ref_bytes = serialize(ref, &ref_len);

            tu_failing_alloc fa;
            tu_failing_alloc_init(&fa, -1);
            doppel_sketcher *sk = NULL;
            ck_assert_int_eq(doppel_sketcher_create(&sk, &p, &fa.a, NULL),
                             DOPPEL_OK);
            doppel_signature *sig = NULL;
            long failures = 0;
            for (long budget = 0;; budget++) {
                fa.budget = budget;
                doppel_error err = {0, {0}};
                sig = (doppel_signature *)&fa;
                int rc = doppel_sketch(sk, text, len, &sig, &err);
                if (rc == DOPPEL_OK)
                    break;
                assert_nomem(rc, &err);
                ck_assert_ptr_null(sig);
                failures++;
            }
            /* The signature, then the scratch buffers of the tokens (4)
             * and of the sketch (8). */
            ck_assert_int_ge(failures, 13);
            fa.budget = 0; /* serialising allocates nothing */
            size_t got_len;
            unsigned char *bytes = serialize(sig, &got_len);
            ck_assert_uint_eq(got_len, ref_len);
            ck_assert_int_eq(memcmp(bytes, ref_bytes, ref_len), 0);
            doppel_signature *back = (doppel_signature *)&fa;
            doppel_error err = {0, {0}};
            assert_nomem(doppel_signature_deserialize(&back, bytes, got_len,
                                                      &fa.a, &err),
                         &err);
            ck_assert_ptr_null(back);
            fa.budget = 1;
            ck_assert_int_eq(doppel_signature_deserialize(&back, bytes,
                                                          got_len, &fa.a,
                                                          &err),
                             DOPPEL_OK);
            double sim;
            ck_assert_int_eq(doppel_signature_similarity(back, ref, &sim,
                                                         NULL),
                             DOPPEL_OK);
            ck_assert(sim == 1.0);
            doppel_signature_free(back);
            doppel_signature_free(sig);
            doppel_sketcher_free(sk);
            ck_assert_int_eq(fa.live, 0);
            free(bytes);
            free(ref_bytes);
            doppel_signature_free(ref);
            doppel_sketcher_free(ref_sk);
        }
    }
    free(text);
}
END_TEST

/* --------------------------------------------------------------- dedup */

/* What a finished dedup says: members and pairs, as text. */
static char *dedup_dump(const doppel_dedup *d)
{
    size_t n = doppel_dedup_count(d);
    size_t cap = 64 * (n + 1) + 1, used = 0;
    const doppel_pair *pairs;
    size_t np;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, &err), DOPPEL_OK);
    cap += 64 * np;
    char *s = malloc(cap);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        doppel_member m;
        ck_assert_int_eq(doppel_dedup_member(d, i, &m, &err), DOPPEL_OK);
        used += (size_t)snprintf(s + used, cap - used, "%.*s %zu %zu %.4f\n",
                                 (int)(m.id_len > 20 ? 20 : m.id_len), m.id,
                                 m.representative, m.cluster_size,
                                 m.similarity);
    }
    for (size_t i = 0; i < np; i++)
        used += (size_t)snprintf(s + used, cap - used, "pair %zu %zu %.4f\n",
                                 pairs[i].a, pairs[i].b,
                                 pairs[i].similarity);
    doppel_dedup_stats st;
    ck_assert_int_eq(doppel_dedup_stats_get(d, &st, &err), DOPPEL_OK);
    snprintf(s + used, cap - used, "stats %zu %zu %zu %llu\n", st.documents,
             st.clusters, st.duplicates,
             (unsigned long long)st.verified_pairs);
    return s;
}

/* One step of the scenario below, on dedup d. */
typedef enum step_kind { ADD, BATCH, SIGNATURE, FINISH } step_kind;

typedef struct step {
    step_kind kind;
    size_t from, n; /* documents [from, from + n) of the corpus */
    int allocates;  /* the step must allocate (so it must fail first) */
} step;

static const step scenario[] = {
    {ADD, 0, 1, 1},         /* the first allocations of the columns */
    {BATCH, 1, 99, 1},      /* 99 >= 64: on the worker threads */
    {SIGNATURE, 100, 1, 0}, /* a signature made elsewhere: room enough */
    {ADD, 101, 1, 1},       /* an id of 1,000 bytes: the id arena grows */
    {BATCH, 102, 1000, 1},  /* past 1,024 documents: every column grows */
    {FINISH, 0, 0, 1},
};
#define NSTEPS (sizeof scenario / sizeof scenario[0])
#define NDOCS 1102

static int run_step(doppel_dedup *d, const step *s, const corpus *c,
                    const doppel_signature *sig, doppel_error *err)
{
    switch (s->kind) {
    case ADD: return doppel_dedup_add(d, &c->docs[s->from], err);
    case BATCH: return doppel_dedup_add_batch(d, c->docs + s->from, s->n, err);
    case SIGNATURE:
        return doppel_dedup_add_signature(d, c->docs[s->from].id,
                                          c->docs[s->from].id_len, sig,
                                          c->docs[s->from].date, err);
    case FINISH: return doppel_dedup_finish(d, err);
    }
    return DOPPEL_ERR_PARAM;
}

static corpus scenario_corpus(char **long_id)
{
    corpus c = make_corpus(NDOCS);
    *long_id = malloc(1000);
    memset(*long_id, 'L', 1000);
    c.docs[101].id = *long_id;
    c.docs[101].id_len = 1000;
    return c;
}

/* The scenario with the default allocator: the results to expect. */
static char *reference(const corpus *c, const doppel_signature *sig)
{
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    for (size_t s = 0; s < NSTEPS; s++)
        ck_assert_int_eq(run_step(d, &scenario[s], c, sig, NULL), DOPPEL_OK);
    char *dump = dedup_dump(d);
    doppel_dedup_free(d);
    return dump;
}

static doppel_signature *signature_of(const corpus *c, size_t i)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(sk, c->docs[i].text, c->docs[i].text_len,
                                   &sig, NULL),
                     DOPPEL_OK);
    doppel_sketcher_free(sk);
    return sig;
}

START_TEST(test_dedup_create)
{
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
        o.allocator = &fa.a;
        o.threads = 4;
        doppel_dedup *d = (doppel_dedup *)&fa;
        doppel_error err = {0, {0}};
        int rc = doppel_dedup_create(&d, &o, &err);
        if (rc == DOPPEL_OK) {
            doppel_dedup_free(d);
            ck_assert_int_eq(fa.live, 0);
            /* dedup, sketcher and its probes, scratch */
            ck_assert_int_eq(budget, 4);
            break;
        }
        assert_nomem(rc, &err);
        ck_assert_ptr_null(d);
        ck_assert_int_eq(fa.live, 0);
    }
}
END_TEST

/* Every step of the scenario fails at each of its allocations in turn and
 * is retried until it succeeds; the dedup must come out exactly as one that
 * never failed. With one thread, then two (the workers fail too). */
START_TEST(test_dedup_every_step)
{
    unsigned threads = (unsigned)_i;
    char *long_id;
    corpus c = scenario_corpus(&long_id);
    doppel_signature *sig = signature_of(&c, 100);
    char *want = reference(&c, sig);

    tu_failing_alloc fa;
    tu_failing_alloc_init(&fa, -1);
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.allocator = &fa.a;
    o.threads = threads;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    for (size_t s = 0; s < NSTEPS; s++) {
        long failures = 0;
        for (long budget = 0;; budget++) {
            fa.budget = budget;
            size_t before = doppel_dedup_count(d);
            doppel_error err = {0, {0}};
            int rc = run_step(d, &scenario[s], &c, sig, &err);
            fa.budget = -1;
            if (rc == DOPPEL_OK)
                break;
            assert_nomem(rc, &err);
            ck_assert_uint_eq(doppel_dedup_count(d), before);
            if (scenario[s].kind == FINISH) {
                /* Nothing to read yet, and nothing half-made. */
                doppel_member m;
                const doppel_pair *pairs;
                size_t np;
                ck_assert_int_eq(doppel_dedup_member(d, 0, &m, NULL),
                                 DOPPEL_ERR_STATE);
                ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, NULL),
                                 DOPPEL_ERR_STATE);
            }
            failures++;
        }
        ck_assert_msg(failures > 0 || !scenario[s].allocates,
                      "step %zu allocated nothing", s);
    }
    /* The pairs array is made on first use, and that may fail; once made,
     * reading the results allocates nothing. */
    {
        const doppel_pair *pairs;
        size_t np;
        doppel_error perr = {0, {0}};
        fa.budget = 0;
        ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, &perr),
                         DOPPEL_ERR_NOMEM);
        fa.budget = -1;
        ck_assert_int_eq(doppel_dedup_pairs(d, &pairs, &np, &perr),
                         DOPPEL_OK);
    }
    fa.budget = 0;
    char *got = dedup_dump(d);
    ck_assert_str_eq(got, want);
    free(got);
    doppel_dedup_free(d);
    ck_assert_int_eq(fa.live, 0);
    free(want);
    doppel_signature_free(sig);
    free(long_id);
    free_corpus(&c);
}
END_TEST

/* The whole scenario with the N-th allocation failing, for every N, and
 * the dedup freed right at the failure: whatever state a failure leaves,
 * freeing it leaks nothing. (A smaller corpus: this runs the scenario once
 * per allocation.) */
START_TEST(test_dedup_free_after_any_failure)
{
    char *long_id;
    corpus c = scenario_corpus(&long_id);
    doppel_signature *sig = signature_of(&c, 100);
    static const step small[] = {{ADD, 0, 1, 1},       {BATCH, 1, 70, 1},
                                 {SIGNATURE, 100, 1, 0}, {ADD, 101, 1, 1},
                                 {FINISH, 0, 0, 1}};
    long total = -1;
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
        o.allocator = &fa.a;
        o.threads = 2;
        doppel_dedup *d = NULL;
        doppel_error err = {0, {0}};
        int rc = doppel_dedup_create(&d, &o, &err);
        for (size_t s = 0; rc == DOPPEL_OK && s < 5; s++)
            rc = run_step(d, &small[s], &c, sig, &err);
        doppel_dedup_free(d);
        ck_assert_int_eq(fa.live, 0);
        if (rc == DOPPEL_OK) {
            total = budget;
            break;
        }
        assert_nomem(rc, &err);
    }
    ck_assert_int_gt(total, 20);
    doppel_signature_free(sig);
    free(long_id);
    free_corpus(&c);
}
END_TEST

/* -------------------------------------------------------------- reader */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void write_gz(const char *path, const char *a, const char *b)
{
    /* Two members. */
    FILE *f = fopen(path, "wb");
    for (int m = 0; m < 2; m++) {
        const char *s = m ? b : a;
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
                                      Z_DEFAULT_STRATEGY),
                         Z_OK);
        unsigned char out[4096];
        zs.next_in = (Bytef *)(uintptr_t)s;
        zs.avail_in = (uInt)strlen(s);
        zs.next_out = out;
        zs.avail_out = sizeof out;
        ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
        fwrite(out, 1, sizeof out - zs.avail_out, f);
        deflateEnd(&zs);
    }
    fclose(f);
}

/* Read everything; a line per record, then the statistics. */
static int read_dump(const char *const *paths, size_t n,
                     const doppel_allocator *a, char **dump,
                     doppel_error *err)
{
    doppel_reader_opts o = DOPPEL_READER_OPTS_INIT;
    o.skip_malformed = 1;
    o.skip_oversize = 1;
    o.max_record_bytes = 1000;
    o.allocator = a;
    doppel_reader *r = (doppel_reader *)dump;
    int rc = doppel_reader_open(&r, paths, n, &o, err);
    size_t cap = 1 << 16, used = 0;
    *dump = malloc(cap);
    (*dump)[0] = '\0';
    if (rc != DOPPEL_OK) {
        ck_assert_ptr_null(r);
        return rc;
    }
    doppel_record rec;
    while ((rc = doppel_reader_next(r, &rec, err)) == 1) {
        const char *slash = strrchr(rec.source, '/');
        used += (size_t)snprintf(*dump + used, cap - used,
                                 "%s:%llu %zu %zu %lld\n",
                                 slash ? slash + 1 : rec.source,
                                 (unsigned long long)rec.line, rec.id_len,
                                 rec.text_len, (long long)rec.date);
        ck_assert_uint_lt(used, cap - 200);
    }
    if (rc < 0)
        ck_assert_int_eq(doppel_reader_next(r, &rec, NULL), DOPPEL_ERR_STATE);
    doppel_reader_stats st;
    doppel_reader_stats_get(r, &st);
    snprintf(*dump + used, cap - used, "%llu %llu %llu %llu\n",
             (unsigned long long)st.records,
             (unsigned long long)st.malformed,
             (unsigned long long)st.oversize, (unsigned long long)st.blank);
    doppel_reader_free(r);
    return rc;
}

START_TEST(test_reader_every_allocation)
{
    char *dir = tu_mkdtemp();
    char *sub = join(dir, "tree");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    /* JSON Lines: BOM, CRLF, a blank line, a malformed line, an escaped
     * text, a missing id, and an oversize line of 300 KB (longer than two
     * read chunks, so it is discarded across reads). */
    char *jl = join(sub, "a.jsonl");
    FILE *f = fopen(jl, "wb");
    fputs("\xEF\xBB\xBF{\"id\":\"x\",\"text\":\"caf\\u00e9 \\ud83d\\ude00\","
          "\"date\":\"2020-01-30\"}\r\n  \r\n{\"text\":\n{\"text\":\"",
          f);
    for (int i = 0; i < 300000; i++)
        fputc('o', f);
    fputs("\"}\n{\"text\":\"no id\",\"date\":1580402760}\n", f);
    fclose(f);
    char *art = join(sub, "b.txt");
    tu_write_file(art, "\xEF\xBB\xBF" "An article.\n", 15);
    char *big = join(sub, "c.txt"); /* oversize article */
    f = fopen(big, "wb");
    for (int i = 0; i < 2000; i++)
        fputc('w', f);
    fclose(f);
    char *gzp = join(dir, "d.jsonl.gz");
    write_gz(gzp, "{\"id\":\"g1\",\"text\":\"first member\"}\n{\"te",
             "xt\":\"second member\"}\n");
    const char *paths[] = {sub, gzp};
    char *want = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(read_dump(paths, 2, NULL, &want, &err), 0);
    /* 5 records, 1 malformed, 2 oversize, 1 blank. */
    ck_assert_ptr_nonnull(strstr(want, "\n5 1 2 1\n"));
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        char *got = NULL;
        memset(&err, 0, sizeof err);
        int rc = read_dump(paths, 2, &fa.a, &got, &err);
        ck_assert_int_eq(fa.live, 0);
        if (rc == 0) {
            ck_assert_str_eq(got, want);
            free(got);
            ck_assert_int_gt(budget, 10);
            break;
        }
        assert_nomem(rc, &err);
        free(got);
    }
    free(want);
    tu_rmtree(dir);
    free(gzp);
    free(big);
    free(art);
    free(jl);
    free(sub);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------------- index */

/* Everything an index says about itself, as text: stats, every live
 * document's cluster (scan), and a query of the corpus. */
static char *index_dump(const doppel_index *ix, const corpus *c)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    doppel_index_stats st;
    ck_assert_int_eq(doppel_index_stats_get(ix, &st, NULL), DOPPEL_OK);
    len += (size_t)snprintf(out + len, cap - len,
                            "%zu docs %zu deleted %zu clusters %zu dups "
                            "%zu largest %zu segs\n",
                            st.documents, st.deleted, st.clusters,
                            st.duplicates, st.largest_cluster, st.segments);
    doppel_index_result *r = NULL;
    ck_assert_int_eq(doppel_index_query(ix, c->docs, c->n, &r, NULL),
                     DOPPEL_OK);
    for (size_t i = 0; i < c->n && len + 256 < cap; i++) {
        doppel_index_entry e;
        ck_assert_int_eq(doppel_index_result_get(r, i, &e, NULL), DOPPEL_OK);
        len += (size_t)snprintf(out + len, cap - len, "%zu: %s %zu %.4f",
                                i, e.representative.id, e.cluster_size,
                                e.similarity);
        for (size_t k = 0; k < e.nmatches && len + 64 < cap; k++)
            len += (size_t)snprintf(out + len, cap - len, " %llu",
                                    (unsigned long long)
                                        e.matches[k].doc.number);
        len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    doppel_index_result_free(r);
    return out;
}

enum { IX_ADD, IX_COMMIT, IX_QUERY, IX_REMOVE, IX_EXPIRE, IX_MERGE,
       IX_COMPACT, IX_STEPS };

/* Step s of a writer's day on ix; the documents of day `day`. */
static int index_step(doppel_index *ix, int s, const corpus *c, size_t day,
                      doppel_error *err)
{
    size_t lo = day * 20, n = 20, removed;
    const char *id = c->docs[3].id;
    doppel_index_result *r = NULL;
    int rc = DOPPEL_OK;
    switch (s) {
    case IX_ADD:
        return doppel_index_add(ix, c->docs + lo, n, err);
    case IX_COMMIT:
        rc = doppel_index_commit(ix, &r, err);
        doppel_index_result_free(r);
        return rc;
    case IX_QUERY:
        rc = doppel_index_query(ix, c->docs, 10, &r, err);
        doppel_index_result_free(r);
        return rc;
    case IX_REMOVE:
        return doppel_index_remove(ix, &id, &c->docs[3].id_len, 1, &removed,
                                   err);
    case IX_EXPIRE: /* dated documents are numbered downwards */
        return doppel_index_expire(ix, (int64_t)(1000000 - 10), &removed,
                                   err);
    case IX_MERGE:
        return doppel_index_merge(ix, err);
    case IX_COMPACT:
        return doppel_index_compact(ix, err);
    }
    return rc;
}

/*
 * An index writer's every call with the N-th allocation failing, for
 * every N: adding (and sketching), committing (matching, clustering, the
 * corpus table, writing files), querying, removing, expiring (the table
 * counted down), merging and compacting, over three days. Each failure is
 * DOPPEL_ERR_NOMEM saying "out of memory", leaves the handle usable and
 * the index as it was (the same stats and the same staged count), and the
 * same call then succeeds; in the end the index answers exactly as one
 * built without failures, and nothing is left allocated.
 */
START_TEST(test_index_every_step)
{
    corpus c = make_corpus(60);
    char *dir = tu_mkdtemp();
    char ref_path[4200], path[4200];
    snprintf(ref_path, sizeof ref_path, "%s/ref", dir);
    snprintf(path, sizeof path, "%s/idx", dir);
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ref = NULL;
    ck_assert_int_eq(doppel_index_create(&ref, ref_path, &p, &o, NULL),
                     DOPPEL_OK);
    for (size_t day = 0; day < 3; day++)
        for (int s = 0; s < IX_STEPS; s++)
            ck_assert_int_eq(index_step(ref, s, &c, day, NULL), DOPPEL_OK);
    char *want = index_dump(ref, &c);
    doppel_index_free(ref);

    tu_failing_alloc fa;
    tu_failing_alloc_init(&fa, -1);
    o.allocator = &fa.a;
    doppel_index *ix = NULL;
    for (long budget = 0;; budget++) { /* creating, too */
        fa.budget = budget;
        doppel_error err = {0, {0}};
        int rc = doppel_index_create(&ix, path, &p, &o, &err);
        fa.budget = -1;
        if (rc == DOPPEL_OK)
            break;
        assert_nomem(rc, &err);
        ck_assert_ptr_null(ix);
        ck_assert_int_eq(fa.live, 0);
        tu_rmtree(path);
    }
    long failures = 0;
    for (size_t day = 0; day < 3; day++) {
        for (int s = 0; s < IX_STEPS; s++) {
            for (long budget = 0;; budget++) {
                doppel_index_stats before, after;
                ck_assert_int_eq(doppel_index_stats_get(ix, &before, NULL),
                                 DOPPEL_OK);
                size_t staged = doppel_index_pending(ix);
                fa.budget = budget;
                doppel_error err = {0, {0}};
                int rc = index_step(ix, s, &c, day, &err);
                fa.budget = -1;
                if (rc == DOPPEL_OK)
                    break;
                assert_nomem(rc, &err);
                ck_assert_int_eq(doppel_index_stats_get(ix, &after, NULL),
                                 DOPPEL_OK);
                ck_assert_uint_eq(after.generation, before.generation);
                ck_assert_uint_eq(after.documents, before.documents);
                ck_assert_uint_eq(doppel_index_pending(ix), staged);
                failures++;
            }
        }
    }
    ck_assert_int_gt(failures, 200);
    char *got = index_dump(ix, &c);
    ck_assert_str_eq(got, want);
    doppel_index_free(ix);
    ck_assert_int_eq(fa.live, 0);
    /* And the files say the same to a fresh reader. */
    o.allocator = NULL;
    ck_assert_int_eq(doppel_index_open(&ix, path, &o, NULL), DOPPEL_OK);
    free(got);
    got = index_dump(ix, &c);
    ck_assert_str_eq(got, want);
    doppel_index_free(ix);
    free(got);
    free(want);
    tu_rmtree(dir);
    free(dir);
    free_corpus(&c);
}
END_TEST

Suite *suite_oom(void)
{
    Suite *s = suite_create("oom");
    TCase *tc = tcase_create("every-allocation");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_sketcher_create);
    tcase_add_test(tc, test_sketch_and_signature);
    tcase_add_test(tc, test_dedup_create);
    tcase_add_loop_test(tc, test_dedup_every_step, 1, 3);
    tcase_add_test(tc, test_dedup_free_after_any_failure);
    tcase_add_test(tc, test_reader_every_allocation);
    tcase_add_test(tc, test_index_every_step);
    suite_add_tcase(s, tc);
    return s;
}
