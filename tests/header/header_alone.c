/*
 * header_alone.c — doppel.h on its own: it must compile as the first and
 * only include with -std=c11 -pedantic -Werror -Wall -Wextra (built as part
 * of the tests; the C++ twin is header_alone.cpp). The initialiser macros
 * are used, so -Wmissing-field-initializers catches a field added to a
 * struct but not to its macro.
 */
#include "doppel.h"

int doppel_header_alone_c(void);

int doppel_header_alone_c(void)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_reader_opts r = DOPPEL_READER_OPTS_INIT;
    doppel_error err = {0, {0}};
    doppel_allocator a = {0, 0, 0, 0};
    (void)a;
    return (int)(p.version + o.version + r.version) + err.code +
           DOPPEL_VERSION_NUMBER + (DOPPEL_NO_DATE < 0);
}
