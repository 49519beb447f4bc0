/*
 * fuzz.h — what every fuzz target shares: the libFuzzer entry point and
 * FUZZ_CHECK, which turns a broken invariant into a crash that libFuzzer
 * (and the replay driver under CTest) reports, with the condition and the
 * line.
 *
 * A target is one file tests/fuzz/fuzz_<parser>.c defining
 * LLVMFuzzerTestOneInput. It is linked either with libFuzzer (DOPPEL_FUZZ
 * builds, clang) or with replay.c, which runs it over the seed corpus and
 * the kept regressions as an ordinary test (any compiler, any sanitizer).
 * Targets keep no state between inputs, so every crash reproduces from its
 * input file alone.
 */
#ifndef DOPPEL_FUZZ_H
#define DOPPEL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/** Take the first byte of the input as an option byte (0 when empty). */
static inline unsigned fuzz_take_byte(const uint8_t **data, size_t *size)
{
    if (*size == 0)
        return 0;
    unsigned b = **data;
    (*data)++;
    (*size)--;
    return b;
}

#endif
