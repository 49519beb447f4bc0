/* testutil.c — see testutil.h. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "testutil.h"

#include <check.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

tu_guarded tu_guarded_copy(const void *data, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (len + page - 1) / page;
    if (data_pages == 0)
        data_pages = 1;
    tu_guarded g;
    g.map_len = (data_pages + 1) * page;
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TU_CHECK(g.map != MAP_FAILED, "mmap failed");
    char *guard = (char *)g.map + data_pages * page;
    TU_CHECK(mprotect(guard, page, PROT_NONE) == 0, "mprotect failed");
    char *start = guard - len;
    if (len)
        memcpy(start, data, len);
    g.data = start;
    g.len = len;
    return g;
}

void tu_guarded_place(tu_guarded *g, const void *data, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    TU_CHECK(len <= g->map_len - page, "%zu bytes do not fit the guarded "
             "mapping of %zu", len, g->map_len - page);
    char *end = (char *)g->map + (g->map_len - page);
    if (len)
        memmove(end - len, data, len);
    g->data = end - len;
    g->len = len;
}

void tu_guarded_free(tu_guarded *g)
{
    if (g->map)
        munmap(g->map, g->map_len);
    g->map = NULL;
}

void tu_corpus_load(tu_corpus *c, const char *path, const char *text_field)
{
    doppel_reader_opts o = DOPPEL_READER_OPTS_INIT;
    o.text_field = text_field;
    doppel_reader *r = NULL;
    doppel_error err = {0, {0}};
    ck_assert_msg(doppel_reader_open(&r, &path, 1, &o, &err) == DOPPEL_OK,
                  "%s: %s", path, err.message);
    size_t cap = 0;
    c->docs = NULL;
    c->n = 0;
    doppel_record rec;
    int rc;
    while ((rc = doppel_reader_next(r, &rec, &err)) == 1) {
        if (c->n == cap) {
            cap = cap ? 2 * cap : 256;
            c->docs = realloc(c->docs, cap * sizeof *c->docs);
            TU_CHECK(c->docs != NULL, "out of memory");
        }
        tu_doc *d = &c->docs[c->n++];
        d->id = strndup(rec.id, rec.id_len);
        d->text = malloc(rec.text_len + 1);
        TU_CHECK(d->id && d->text, "out of memory");
        memcpy(d->text, rec.text, rec.text_len);
        d->text[rec.text_len] = '\0';
        d->text_len = rec.text_len;
        d->date = rec.date;
    }
    ck_assert_msg(rc == 0, "%s: %s", path, err.message);
    doppel_reader_free(r);
}

void tu_corpus_free(tu_corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->docs[i].id);
        free(c->docs[i].text);
    }
    free(c->docs);
    c->docs = NULL;
    c->n = 0;
}

const tu_doc *tu_corpus_find(const tu_corpus *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->docs[i].id, id) == 0)
            return &c->docs[i];
    return NULL;
}
