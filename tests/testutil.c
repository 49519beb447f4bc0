/* testutil.c — see testutil.h. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tu_source_path(char *buf, size_t cap, const char *rel)
{
    snprintf(buf, cap, "%s/%s", DOPPEL_SOURCE_DIR, rel);
    return buf;
}

char *tu_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/doppel-test-XXXXXX", base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    ck_assert_msg(d != NULL, "mkdtemp failed");
    return strdup(d);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert(fwrite(data, 1, len, f) == len);
    ck_assert(fclose(f) == 0);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Take one allocation from the budget: 1 if it may succeed. */
static int fa_take(tu_failing_alloc *fa)
{
    pthread_mutex_lock(&fa->mu);
    fa->calls++;
    int ok = fa->budget != 0;
    if (fa->budget > 0)
        fa->budget--;
    pthread_mutex_unlock(&fa->mu);
    return ok;
}

static void fa_count(tu_failing_alloc *fa, long delta)
{
    pthread_mutex_lock(&fa->mu);
    fa->live += delta;
    pthread_mutex_unlock(&fa->mu);
}

static void *fa_alloc(void *opaque, size_t size)
{
    tu_failing_alloc *fa = opaque;
    if (!fa_take(fa))
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        fa_count(fa, 1);
    return p;
}

static void *fa_realloc(void *opaque, void *p, size_t size)
{
    tu_failing_alloc *fa = opaque;
    if (!fa_take(fa))
        return NULL;
    void *np = realloc(p, size ? size : 1);
    if (np && !p)
        fa_count(fa, 1);
    return np;
}

static void fa_free(void *opaque, void *p)
{
    tu_failing_alloc *fa = opaque;
    if (p)
        fa_count(fa, -1);
    free(p);
}

void tu_failing_alloc_init(tu_failing_alloc *fa, long budget)
{
    fa->a.alloc = fa_alloc;
    fa->a.realloc = fa_realloc;
    fa->a.free = fa_free;
    fa->a.opaque = fa;
    fa->budget = budget;
    fa->calls = 0;
    fa->live = 0;
    pthread_mutex_init(&fa->mu, NULL);
}
