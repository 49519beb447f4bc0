/*
 * util.c — the buffer, error, hash and string-map helpers declared in
 * util.h. The hash reads 8 bytes at a time and mixes with multiply-xorshift
 * (in the spirit of wyhash); it only has to spread keys over a table, not
 * resist attackers.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bg_error(doppel_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ----------------------------------------------------------------- buffer */

void bg_buf_free(bg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

int bg_buf_reserve(bg_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void bg_buf_append(bg_buf *b, const void *p, size_t n)
{
    if (bg_buf_reserve(b, n) < 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bg_buf_puts(bg_buf *b, const char *s)
{
    bg_buf_append(b, s, strlen(s));
}

void bg_buf_putc(bg_buf *b, char c)
{
    bg_buf_append(b, &c, 1);
}

void bg_buf_printf(bg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        bg_buf_append(b, small, (size_t)n);
        return;
    }
    if (bg_buf_reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bg_buf_clear(bg_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->data)
        b->data[0] = '\0';
}

const char *bg_buf_str(const bg_buf *b)
{
    return b->data ? b->data : "";
}

void bg_buf_rtrim(bg_buf *b)
{
    while (b->len > 0 && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\n'
                          || b->data[b->len - 1] == '\t' || b->data[b->len - 1] == '\r'))
        b->len--;
    if (b->data)
        b->data[b->len] = '\0';
}

/* ------------------------------------------------------------------- hash */

static uint64_t mix(uint64_t a, uint64_t b)
{
    /* 64x64 -> 64 multiply-fold without 128-bit integers */
    uint64_t x = (a ^ 0xA0761D6478BD642FULL) * (b ^ 0xE7037ED1A0B428DBULL);
    return x ^ (x >> 29) ^ (x >> 47);
}

uint64_t bg_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix(h, w);
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)s[i] << (8 * i);
    h = mix(h, w ^ 0x8EBC6AF09C88C6E3ULL);
    h ^= h >> 32;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 31);
}

/* ------------------------------------------------------------- string map */

void bg_strmap_free(bg_strmap *m)
{
    free(m->slots);
    free(m->hashes);
    free(m->offs);
    free(m->lens);
    bg_buf_free(&m->arena);
    memset(m, 0, sizeof *m);
}

static long probe(const bg_strmap *m, const char *key, size_t len, uint64_t h,
                  size_t *slot)
{
    size_t i = (size_t)h & m->mask;
    for (;;) {
        uint32_t v = m->slots[i];
        if (v == 0) {
            *slot = i;
            return -1;
        }
        size_t o = v - 1;
        if (m->hashes[o] == h && m->lens[o] == len
            && memcmp(m->arena.data + m->offs[o], key, len) == 0) {
            *slot = i;
            return (long)o;
        }
        i = (i + 1) & m->mask;
    }
}

static int rehash(bg_strmap *m, size_t nslots)
{
    uint32_t *slots = bg_calloc_array(nslots, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->mask = nslots - 1;
    for (size_t o = 0; o < m->count; o++) {
        size_t i = (size_t)m->hashes[o] & m->mask;
        while (slots[i])
            i = (i + 1) & m->mask;
        slots[i] = (uint32_t)(o + 1);
    }
    return 0;
}

long bg_strmap_get(const bg_strmap *m, const char *key, size_t len)
{
    if (!m->slots)
        return -1;
    size_t slot;
    return probe(m, key, len, bg_hash_bytes(key, len, 0), &slot);
}

long bg_strmap_put(bg_strmap *m, const char *key, size_t len, int *inserted)
{
    if (inserted)
        *inserted = 0;
    if (!m->slots && rehash(m, 1024) < 0)
        return -1;
    uint64_t h = bg_hash_bytes(key, len, 0);
    size_t slot;
    long o = probe(m, key, len, h, &slot);
    if (o >= 0)
        return o;
    if (m->count >= UINT32_MAX - 1 || len > UINT32_MAX)
        return -1;
    if (m->count + 1 > m->cap) {
        size_t cap = m->cap;
        if (bg_grow((void **)&m->hashes, &cap, m->count + 1, sizeof *m->hashes) < 0)
            return -1;
        cap = m->cap;
        if (bg_grow((void **)&m->offs, &cap, m->count + 1, sizeof *m->offs) < 0)
            return -1;
        cap = m->cap;
        if (bg_grow((void **)&m->lens, &cap, m->count + 1, sizeof *m->lens) < 0)
            return -1;
        m->cap = cap;
    }
    size_t off = m->arena.len;
    bg_buf_append(&m->arena, key, len);
    bg_buf_putc(&m->arena, '\0');
    if (m->arena.oom)
        return -1;
    o = (long)m->count++;
    m->hashes[o] = h;
    m->offs[o] = off;
    m->lens[o] = (uint32_t)len;
    m->slots[slot] = (uint32_t)(o + 1);
    if (inserted)
        *inserted = 1;
    if (m->count * 4 > (m->mask + 1) * 3 && rehash(m, (m->mask + 1) * 2) < 0)
        return -1;
    return o;
}

const char *bg_strmap_key(const bg_strmap *m, size_t i, size_t *len)
{
    if (len)
        *len = m->lens[i];
    return m->arena.data + m->offs[i];
}

/* ------------------------------------------------------------- allocation */

void *bg_malloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return malloc(n && size ? n * size : 1);
}

void *bg_calloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

int bg_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    if (size && c > SIZE_MAX / size)
        return -1;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}
