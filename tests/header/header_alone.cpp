// header_alone.cpp — doppel.h on its own in C++ (-std=c++11 -pedantic
// -Werror -Wall -Wextra): the extern "C" block and the initialiser macros
// must work for C++ callers too.
#include "doppel.h"

int doppel_header_alone_cpp();

int doppel_header_alone_cpp()
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_dedup_opts o = DOPPEL_DEDUP_OPTS_INIT;
    doppel_reader_opts r = DOPPEL_READER_OPTS_INIT;
    doppel_error err = {0, {0}};
    const char *(*version)(void) = doppel_version;
    return static_cast<int>(p.version + o.version + r.version) + err.code +
           (version != nullptr);
}
