/*
 * alloc.c — every allocation of the library goes through here, so that a
 * caller's doppel_allocator is honoured everywhere and array sizes are
 * checked for overflow in one place. Tests use the same hook to fail the
 * N-th allocation (SQLite's OOM testing).
 */
#if defined(__linux__)
#define _DEFAULT_SOURCE /* madvise */
#include <sys/mman.h>
#endif
#include "common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size ? size : 1);
}

static void *default_realloc(void *opaque, void *p, size_t size)
{
    (void)opaque;
    return realloc(p, size ? size : 1);
}

static void default_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

static const doppel_allocator default_allocator = {
    default_alloc, default_realloc, default_free, NULL};

const doppel_allocator *doppel__allocator(const doppel_allocator *a)
{
    return a ? a : &default_allocator;
}

void *doppel__malloc(const doppel_allocator *a, size_t size)
{
    a = doppel__allocator(a);
    return a->alloc(a->opaque, size);
}

void *doppel__malloc_array(const doppel_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return doppel__malloc(a, n * size);
}

void *doppel__calloc_array(const doppel_allocator *a, size_t n, size_t size)
{
    void *p = doppel__malloc_array(a, n, size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *doppel__realloc_array(const doppel_allocator *a, void *p, size_t n,
                            size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    a = doppel__allocator(a);
    if (!p)
        return a->alloc(a->opaque, n * size);
    return a->realloc(a->opaque, p, n * size);
}

void doppel__free(const doppel_allocator *a, void *p)
{
    if (!p)
        return;
    a = doppel__allocator(a);
    a->free(a->opaque, p);
}

char *doppel__strndup(const doppel_allocator *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = doppel__malloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

int doppel__grow(const doppel_allocator *a, void **p, size_t *cap,
                 size_t need, size_t size)
{
    if (need <= *cap)
        return DOPPEL_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return DOPPEL_ERR_NOMEM;
        ncap *= 2;
    }
    void *np = doppel__realloc_array(a, *p, ncap, size);
    if (!np)
        return DOPPEL_ERR_NOMEM;
    *p = np;
    *cap = ncap;
    return DOPPEL_OK;
}

void doppel__advise_random(void *p, size_t size)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Only whole 2 MiB pages inside the block; a block the kernel did not
     * map (a caller's arena, a small malloc) just gets EINVAL, ignored. */
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(huge - 1);
    if (p && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}
