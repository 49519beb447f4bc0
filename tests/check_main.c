/*
 * check_main.c — the one test runner. `doppel_tests NAME` runs suite NAME
 * (CTest calls it once per suite); `doppel_tests` alone runs them all.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    Suite *(*make)(void);
} suite_entry;

#define DOPPEL_SUITE_ENTRY(name) {#name, suite_##name},
static const suite_entry suites[] = {DOPPEL_TEST_SUITE_LIST(DOPPEL_SUITE_ENTRY)};
#undef DOPPEL_SUITE_ENTRY

int main(int argc, char **argv)
{
    SRunner *runner = NULL;
    size_t n = sizeof suites / sizeof suites[0];
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        if (!runner)
            runner = srunner_create(suites[i].make());
        else
            srunner_add_suite(runner, suites[i].make());
    }
    if (!runner) {
        fprintf(stderr, "doppel_tests: no suite named '%s'\n", argv[1]);
        return 2;
    }
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
