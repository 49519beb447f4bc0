/*
 * le.h — explicit little-endian fields for the index's files. Headers and
 * commit files are always read and written through these, whatever the
 * host; the large columns of a segment are memory-mapped and used in place,
 * which segment.c allows only on little-endian hosts.
 */
#ifndef DOPPEL_LE_H
#define DOPPEL_LE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DOPPEL__HOST_LE 1
#else
#define DOPPEL__HOST_LE 0
#endif

static inline uint16_t doppel__get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline void doppel__put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline uint32_t doppel__get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t doppel__get64(const unsigned char *p)
{
    return (uint64_t)doppel__get32(p) | (uint64_t)doppel__get32(p + 4) << 32;
}

static inline void doppel__put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline void doppel__put64(unsigned char *p, uint64_t v)
{
    doppel__put32(p, (uint32_t)v);
    doppel__put32(p + 4, (uint32_t)(v >> 32));
}

/* IEEE 754 binary64, by its bits. */
static inline double doppel__get_double(const unsigned char *p)
{
    uint64_t b = doppel__get64(p);
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static inline void doppel__put_double(unsigned char *p, double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    doppel__put64(p, b);
}

#endif
