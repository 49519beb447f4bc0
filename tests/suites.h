/* suites.h — every Check suite the runner knows; keep in step with
 * DOPPEL_SUITES in tests/CMakeLists.txt. */
#ifndef DOPPEL_TEST_SUITES_H
#define DOPPEL_TEST_SUITES_H

#include <check.h>

#ifdef DOPPEL_HAVE_BENCHGEN /* bench/ is built (DOPPEL_BUILD_BENCH) */
#define DOPPEL_TEST_SUITE_BENCHGEN(X) X(benchgen)
#else
#define DOPPEL_TEST_SUITE_BENCHGEN(X)
#endif

#define DOPPEL_TEST_SUITE_LIST(X)                                              \
    X(params)                                                                  \
    X(tokenize)                                                                \
    X(skeleton)                                                                \
    X(shingle)                                                                 \
    X(lexicon)                                                                 \
    X(minhash)                                                                 \
    X(lsh)                                                                     \
    X(signature)                                                               \
    X(verify)                                                                  \
    X(dedup)                                                                   \
    X(seed)                                                                    \
    X(api)                                                                     \
    X(bbc)                                                                     \
    X(date)                                                                    \
    X(jsonl)                                                                   \
    X(gzip)                                                                    \
    X(reader)                                                                  \
    X(cli)                                                                     \
    X(hostile)                                                                 \
    X(oom)                                                                     \
    X(sketch)                                                                  \
    X(lsh_fast)                                                                \
    X(index)                                                                   \
    X(index_damage)                                                            \
    X(index_crash)                                                             \
    X(index_cli)                                                               \
    DOPPEL_TEST_SUITE_BENCHGEN(X)

#define DOPPEL_DECLARE_SUITE(name) Suite *suite_##name(void);
DOPPEL_TEST_SUITE_LIST(DOPPEL_DECLARE_SUITE)
#undef DOPPEL_DECLARE_SUITE

#endif
