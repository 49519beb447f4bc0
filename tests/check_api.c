/*
 * check_api.c — the public API as a user sees it: this file includes
 * doppel.h and nothing of lib/src. Version macros against the library and
 * the build, a message for every status code, _free(NULL) for every object,
 * option-struct versions, parameter errors that name the field and its
 * bounds, NULL arguments refused instead of dereferenced, accessors on
 * NULL, the caller's allocator used for everything, reproducible
 * signatures, and one sketcher shared by several threads.
 */
#include "suites.h"

#include "doppel.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HAS(msg, s) ck_assert_msg(strstr((msg), (s)) != NULL, \
                                  "'%s' not in message '%s'", (s), (msg))

START_TEST(test_version)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", DOPPEL_VERSION_MAJOR,
             DOPPEL_VERSION_MINOR, DOPPEL_VERSION_PATCH);
    ck_assert_str_eq(DOPPEL_VERSION_STRING, want);
    ck_assert_str_eq(doppel_version(), DOPPEL_VERSION_STRING);
    ck_assert_int_eq(DOPPEL_VERSION_NUMBER,
                     DOPPEL_VERSION_MAJOR * 10000 +
                         DOPPEL_VERSION_MINOR * 100 + DOPPEL_VERSION_PATCH);
    /* The header agrees with project(VERSION) in CMakeLists.txt (which
     * also sets the SONAME). */
    ck_assert_str_eq(DOPPEL_VERSION_STRING, DOPPEL_PROJECT_VERSION);
}
END_TEST

START_TEST(test_strerror_every_code)
{
    const char *seen[12] = {0};
    for (int code = 0; code >= DOPPEL_ERR_NOTFOUND; code--) {
        const char *s = doppel_strerror(code);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 3);
        ck_assert_str_ne(s, "unknown error");
        for (int j = 0; j > code; j--)
            ck_assert_str_ne(s, seen[-j]); /* each says something else */
        seen[-code] = s;
    }
    ck_assert_str_eq(doppel_strerror(DOPPEL_OK), "no error");
    ck_assert_str_eq(doppel_strerror(DOPPEL_ERR_NOMEM), "out of memory");
    /* Codes never change (the header promises it). */
    ck_assert_int_eq(DOPPEL_ERR_NOMEM, -1);
    ck_assert_int_eq(DOPPEL_ERR_MISMATCH, -7);
    ck_assert_int_eq(DOPPEL_ERR_NOTFOUND, -11);
    const int unknown[] = {1, 42, -12, -1000, INT_MIN, INT_MAX};
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(doppel_strerror(unknown[i]), "unknown error");
}
END_TEST

START_TEST(test_free_null)
{
    doppel_sketcher_free(NULL);
    doppel_signature_free(NULL);
    doppel_dedup_free(NULL);
    doppel_reader_free(NULL);
}
END_TEST

START_TEST(test_option_struct_versions)
{
    doppel_error err = {0, {0}};
    doppel_params p = DOPPEL_PARAMS_INIT, out;
    ck_assert_uint_eq(p.version, DOPPEL_PARAMS_VERSION);
    const unsigned bad[] = {0, DOPPEL_PARAMS_VERSION + 1, 0xFFFFFFFFu};
    for (size_t i = 0; i < 3; i++) {
        p.version = bad[i];
        ck_assert_int_eq(doppel_params_resolve(&p, &out, &err),
                         DOPPEL_ERR_PARAM);
        HAS(err.message, "params.version");
        HAS(err.message, "DOPPEL_PARAMS_INIT");
        doppel_sketcher *sk = NULL;
        ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, &err),
                         DOPPEL_ERR_PARAM);
        ck_assert_ptr_null(sk);
    }
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    ck_assert_uint_eq(o.version, DOPPEL_DEDUP_OPTS_VERSION);
    o.version = 0;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
    HAS(err.message, "opts.version must be 1 or 2, got 0");
    HAS(err.message, "DOPPEL_DEDUP_OPTS_INIT");
    ck_assert_ptr_null(d);
    o.version = DOPPEL_DEDUP_OPTS_VERSION;
    o.params.version = 9; /* the nested params are checked too */
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
    HAS(err.message, "params.version must be 1, got 9");

    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    ck_assert_uint_eq(ro.version, DOPPEL_READER_OPTS_VERSION);
    ro.version = 2;
    const char *path = "-";
    doppel_reader *r = NULL;
    ck_assert_int_eq(doppel_reader_open(&r, &path, 1, &ro, &err),
                     DOPPEL_ERR_PARAM);
    HAS(err.message, "version must be 1, got 2");
    HAS(err.message, "DOPPEL_READER_OPTS_INIT");
    ck_assert_ptr_null(r);
}
END_TEST

/* Every bad value is refused with the field, its bounds and the value. */
START_TEST(test_parameter_messages)
{
    static const struct {
        const char *field;
        const char *message;
    } cases[] = {
        {"shingle", "shingle must be DOPPEL_SHINGLE_WORD (1), "
                    "DOPPEL_SHINGLE_CHAR (2) or DOPPEL_SHINGLE_SKELETON (3), "
                    "got 7"},
        {"shingle_size", "shingle_size must be in [1, 32], got 33"},
        {"num_perm low", "num_perm must be in [16, 4096], got 15"},
        {"num_perm high", "num_perm must be in [16, 4096], got 4097"},
        {"minhash", "minhash must be DOPPEL_MINHASH_ONE_PERM (1) or "
                    "DOPPEL_MINHASH_K_PERM (2), got 0"},
        {"threshold 0", "threshold must be in (0, 1], got 0"},
        {"threshold high", "threshold must be in (0, 1], got 1.01"},
        {"threshold nan", "threshold must be in (0, 1], got nan"},
        {"verify", "verify must be DOPPEL_VERIFY_JACCARD (1) or "
                   "DOPPEL_VERIFY_ROBUST (2), got 3"},
        {"containment", "containment must be in (0, 1], got 1.5"},
        {"bands only", "bands and rows must both be set or both be 0, got "
                       "bands=4 rows=0"},
        {"bands * rows", "bands * rows must be at most num_perm (128), got "
                         "20 * 7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        doppel_params p = DOPPEL_PARAMS_INIT, out;
        switch (i) {
        case 0: p.shingle = (doppel_shingle_kind)7; break;
        case 1: p.shingle_size = 33; break;
        case 2: p.num_perm = 15; break;
        case 3: p.num_perm = 4097; break;
        case 4: p.minhash = (doppel_minhash_kind)0; break;
        case 5: p.threshold = 0.0; break;
        case 6: p.threshold = 1.01; break;
        case 7: p.threshold = NAN; break;
        case 8: p.verify = (doppel_verify_kind)3; break;
        case 9: p.containment = 1.5; break;
        case 10: p.bands = 4; break;
        case 11: p.bands = 20; p.rows = 7; break;
        }
        doppel_error err = {0, {0}};
        ck_assert_int_eq(doppel_params_resolve(&p, &out, &err),
                         DOPPEL_ERR_PARAM);
        ck_assert_int_eq(err.code, DOPPEL_ERR_PARAM);
        ck_assert_msg(strcmp(err.message, cases[i].message) == 0,
                      "%s: got '%s'", cases[i].field, err.message);
        /* The same through the objects that take params. */
        doppel_sketcher *sk = NULL;
        ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL),
                         DOPPEL_ERR_PARAM);
        doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
        o.params = p;
        doppel_dedup *d = NULL;
        memset(&err, 0, sizeof err);
        ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
        ck_assert_str_eq(err.message, cases[i].message);
    }
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.threads = 300;
    doppel_dedup *d = NULL;
    doppel_error err = {0, {0}};
    ck_assert_int_eq(doppel_dedup_create(&d, &o, &err), DOPPEL_ERR_PARAM);
    ck_assert_str_eq(err.message, "threads must be in [0, 256], got 300");
    unsigned b, r;
    ck_assert_int_eq(doppel_lsh_optimal_params(0.5, 128, -1, 1, &b, &r, &err),
                     DOPPEL_ERR_PARAM);
    HAS(err.message, "weights");
    ck_assert_int_eq(doppel_lsh_optimal_params(0.5, 0, 1, 1, &b, &r, &err),
                     DOPPEL_ERR_PARAM);
    HAS(err.message, "num_perm must be in [1, 65536], got 0");
    /* A message never overflows its buffer. */
    ck_assert_uint_lt(strlen(err.message), DOPPEL_ERROR_MESSAGE_MAX);
}
END_TEST

START_TEST(test_null_arguments)
{
    doppel_error err = {0, {0}};
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_params_resolve(NULL, &p, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_params_resolve(&p, NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_sketcher_create(NULL, &p, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_sketcher_create(&sk, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_sketch(NULL, "x", 1, &sig, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_sketch(sk, "x", 1, NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_sketch(sk, NULL, 5, &sig, &err), DOPPEL_ERR_PARAM);
    ck_assert_ptr_null(sig);
    /* NULL text of length 0 is an empty document. */
    ck_assert_int_eq(doppel_sketch(sk, NULL, 0, &sig, &err), DOPPEL_OK);
    ck_assert_int_eq(doppel_signature_is_empty(sig), 1);
    double s;
    doppel_match m;
    ck_assert_int_eq(doppel_signature_similarity(NULL, sig, &s, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_signature_similarity(sig, sig, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_signature_compare(sig, NULL, NULL, &m, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_signature_compare(sig, sig, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    size_t size;
    ck_assert_int_eq(doppel_signature_serialize(sig, NULL, 0, NULL, &err),
                     DOPPEL_ERR_PARAM);
    (void)size;
    ck_assert_int_eq(doppel_dedup_create(NULL, NULL, &err), DOPPEL_ERR_PARAM);
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_add(NULL, NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_add_batch(NULL, NULL, 0, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_add_signature(NULL, "a", 1, sig, 0, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_finish(NULL, &err), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_member(NULL, 0, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_pairs(NULL, NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_stats_get(NULL, NULL, &err),
                     DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_reader_open(NULL, NULL, 0, NULL, &err),
                     DOPPEL_ERR_PARAM);
    doppel_reader *r = NULL;
    ck_assert_int_eq(doppel_reader_open(&r, NULL, 3, NULL, &err),
                     DOPPEL_ERR_PARAM);
    doppel_record rec;
    ck_assert_int_eq(doppel_reader_next(NULL, &rec, &err), DOPPEL_ERR_PARAM);
    int64_t secs;
    ck_assert_int_eq(doppel_parse_date("yesterday", 9, &secs, &err),
                     DOPPEL_ERR_FORMAT);
    ck_assert_int_eq(doppel_parse_date("2020-01-30", 10, &secs, &err),
                     DOPPEL_OK);
    ck_assert_int_eq(secs, 1580342400);
    /* err may be NULL everywhere. */
    ck_assert_int_eq(doppel_params_resolve(NULL, NULL, NULL), DOPPEL_ERR_PARAM);
    ck_assert_int_eq(doppel_dedup_finish(NULL, NULL), DOPPEL_ERR_PARAM);
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
}
END_TEST

START_TEST(test_accessors_on_null)
{
    ck_assert_uint_eq(doppel_signature_num_perm(NULL), 0);
    ck_assert_ptr_null(doppel_signature_values(NULL));
    ck_assert_int_eq(doppel_signature_is_empty(NULL), 0);
    ck_assert_double_eq(doppel_signature_rarity(NULL), 0.0);
    ck_assert_ptr_null(doppel_sketcher_params(NULL));
    ck_assert_uint_eq(doppel_dedup_count(NULL), 0);
    ck_assert_ptr_null(doppel_dedup_sketcher(NULL));
    doppel_reader_stats st;
    memset(&st, 0xAB, sizeof st);
    doppel_reader_stats_get(NULL, &st);
    ck_assert_uint_eq(st.records, 0);
    doppel_reader_stats_get(NULL, NULL);
}
END_TEST

/* ------------------------------------------------------------ allocator */

typedef struct counting {
    doppel_allocator a;
    pthread_mutex_t lock;
    long calls, live;
} counting;

static void *c_alloc(void *o, size_t n)
{
    counting *c = o;
    void *p = malloc(n ? n : 1);
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->live += p != NULL;
    pthread_mutex_unlock(&c->lock);
    return p;
}

static void *c_realloc(void *o, void *p, size_t n)
{
    counting *c = o;
    void *q = realloc(p, n ? n : 1);
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->live += q != NULL && p == NULL;
    pthread_mutex_unlock(&c->lock);
    return q;
}

static void c_free(void *o, void *p)
{
    counting *c = o;
    pthread_mutex_lock(&c->lock);
    c->live -= p != NULL;
    pthread_mutex_unlock(&c->lock);
    free(p);
}

static const char TEXT[] =
    "The city council voted on Tuesday to approve a new budget for the "
    "repair of roads and bridges in the northern district of the city. The "
    "mayor said that the work would begin in March and would last for two "
    "years, and that the roads would stay open during the work.";

START_TEST(test_allocator_used_for_everything)
{
    counting c = {{c_alloc, c_realloc, c_free, NULL},
                  PTHREAD_MUTEX_INITIALIZER, 0, 0};
    c.a.opaque = &c;
    doppel_params p = DOPPEL_PARAMS_INIT;
    p.minhash = DOPPEL_MINHASH_K_PERM; /* allocates its coefficients */
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, &c.a, NULL), DOPPEL_OK);
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketch(sk, TEXT, strlen(TEXT), &sig, NULL),
                     DOPPEL_OK);
    ck_assert_int_gt(c.live, 0);
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
    ck_assert_int_eq(c.live, 0);
    long after_sketch = c.calls;
    ck_assert_int_gt(after_sketch, 2);

    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    o.allocator = &c.a;
    o.threads = 2;
    doppel_dedup *d = NULL;
    ck_assert_int_eq(doppel_dedup_create(&d, &o, NULL), DOPPEL_OK);
    doppel_doc docs[80];
    for (int i = 0; i < 80; i++) {
        doppel_doc x = {"id", 2, TEXT, strlen(TEXT), DOPPEL_NO_DATE};
        docs[i] = x;
    }
    ck_assert_int_eq(doppel_dedup_add_batch(d, docs, 80, NULL), DOPPEL_OK);
    ck_assert_int_eq(doppel_dedup_finish(d, NULL), DOPPEL_OK);
    doppel_dedup_free(d);
    ck_assert_int_eq(c.live, 0);
    ck_assert_int_gt(c.calls, after_sketch);

    doppel_reader_opts ro = DOPPEL_READER_OPTS_INIT;
    ro.allocator = &c.a;
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus/seeds", DOPPEL_SOURCE_DIR);
    const char *paths[] = {path};
    doppel_reader *r = NULL;
    long before_reader = c.calls;
    ck_assert_int_eq(doppel_reader_open(&r, paths, 1, &ro, NULL), DOPPEL_OK);
    doppel_record rec;
    int n = 0;
    while (doppel_reader_next(r, &rec, NULL) == 1)
        n++;
    ck_assert_int_eq(n, 3);
    doppel_reader_free(r);
    ck_assert_int_eq(c.live, 0);
    ck_assert_int_gt(c.calls, before_reader);
}
END_TEST

/* ----------------------------------------------- reproducible signatures */

static void values_of(const doppel_params *p, const char *text, uint16_t *out,
                      unsigned *K)
{
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, p, NULL, NULL), DOPPEL_OK);
    doppel_signature *sig = NULL;
    ck_assert_int_eq(doppel_sketch(sk, text, strlen(text), &sig, NULL),
                     DOPPEL_OK);
    *K = doppel_signature_num_perm(sig);
    memcpy(out, doppel_signature_values(sig), *K * sizeof *out);
    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
}

START_TEST(test_reproducible)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    uint16_t a[128], b[128];
    unsigned ka, kb;
    values_of(&p, TEXT, a, &ka);
    values_of(&p, TEXT, b, &kb);
    ck_assert_uint_eq(ka, 128);
    ck_assert(memcmp(a, b, sizeof a) == 0); /* another sketcher, same seed */
    p.seed = 1;
    values_of(&p, TEXT, b, &kb);
    ck_assert(memcmp(a, b, sizeof a) != 0); /* another seed */
    ck_assert_uint_eq(doppel_sketcher_params(NULL) == NULL, 1);
}
END_TEST

/* ------------------------------------------------------------- threads */

typedef struct job {
    const doppel_sketcher *sk;
    const char *texts[8];
    uint16_t values[8][128];
    int rc;
} job;

static void *sketch_all(void *arg)
{
    job *j = arg;
    for (int rep = 0; rep < 50; rep++) {
        for (int i = 0; i < 8; i++) {
            doppel_signature *sig = NULL;
            int rc = doppel_sketch(j->sk, j->texts[i], strlen(j->texts[i]),
                                   &sig, NULL);
            if (rc != DOPPEL_OK) {
                j->rc = rc;
                return NULL;
            }
            memcpy(j->values[i], doppel_signature_values(sig),
                   sizeof j->values[i]);
            doppel_signature_free(sig);
        }
    }
    return NULL;
}

/* The header says a sketcher is immutable and may be shared: four threads
 * sketching with one sketcher get what one thread gets. */
START_TEST(test_sketcher_shared_between_threads)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_sketcher *sk = NULL;
    ck_assert_int_eq(doppel_sketcher_create(&sk, &p, NULL, NULL), DOPPEL_OK);
    static job jobs[5];
    const char *texts[8] = {TEXT, "Short one.", "", "Ein kurzer Text über "
                            "die Stadt und den Fluss.", TEXT + 40, TEXT + 80,
                            "Москва и Санкт-Петербург", "北京大学的学生"};
    for (int t = 0; t < 5; t++) {
        jobs[t].sk = sk;
        memcpy(jobs[t].texts, texts, sizeof texts);
        jobs[t].rc = 0;
    }
    sketch_all(&jobs[4]); /* the reference, alone */
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, sketch_all, &jobs[t]),
                         0);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++) {
        ck_assert_int_eq(jobs[t].rc, 0);
        ck_assert(memcmp(jobs[t].values, jobs[4].values,
                         sizeof jobs[t].values) == 0);
    }
    doppel_sketcher_free(sk);
}
END_TEST

Suite *suite_api(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_strerror_every_code);
    tcase_add_test(tc, test_free_null);
    tcase_add_test(tc, test_option_struct_versions);
    tcase_add_test(tc, test_parameter_messages);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_accessors_on_null);
    tcase_add_test(tc, test_allocator_used_for_everything);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_sketcher_shared_between_threads);
    suite_add_tcase(s, tc);
    return s;
}
