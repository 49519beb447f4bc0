/*
 * state.h — the mutable part of an index, rewritten at every commit: which
 * documents are deleted and which cluster each document is in. state.c
 * draws the file and says why it is one file per commit.
 */
#ifndef DOPPEL_STATE_H
#define DOPPEL_STATE_H

#include "common.h"
#include "sfile.h"
#include "vfs.h"

#define DOPPEL__STATE_MAGIC "DOPPELST"
#define DOPPEL__STATE_VERSION 1u

/* What a state file holds (doppel__state_write's input). */
typedef struct doppel__state_data {
    uint32_t P;              /* positions */
    const uint32_t *labels;  /* P */
    const uint64_t *deleted; /* ceil(P / 64) words */
    const uint32_t *sizes;   /* C x (representative, size) */
    uint32_t C;
    /* The boilerplate rule's corpus table (verify.h), or NULL when the
     * index's parameters do not use it: df_K x 65536 saturating counts of
     * the live non-empty documents holding each value in each bin, of
     * which there are df_docs. */
    const uint16_t *df;
    uint32_t df_K;
    uint64_t df_docs;
} doppel__state_data;

typedef struct doppel__state {
    uint64_t number; /* file number: state-NUMBER.dps */
    char *path;
    const unsigned char *map;
    size_t size;
    doppel__sfile sf;
    uint32_t P;    /* positions: documents in the commit's segments */
    uint32_t C;    /* clusters of two or more documents */
    uint32_t live; /* positions not deleted */
    const uint32_t *labels;  /* P: position of the cluster's representative */
    const uint64_t *deleted; /* ceil(P / 64) words, bit p = position p */
    const uint32_t *sizes;   /* C x (representative, size), by position */
    const uint16_t *df;      /* df_K x 65536, or NULL (df_K = 0): mapped,
                                or df_owned */
    uint16_t *df_owned;      /* a sparse table spread out at open */
    uint32_t df_K;
    uint64_t df_docs;        /* non-empty live documents counted in df */
} doppel__state;

/** "state-%08llu.dps". */
void doppel__state_name(char *buf, size_t cap, uint64_t number);

/**
 * Map dir/state-NUMBER.dps and check all of it: header (its XXH3 must be
 * header_sum, which the commit recorded), every section's checksum, that
 * labels and the cluster table point at live positions, and that the
 * corpus table is there exactly when `df_K` (from the commit's parameters;
 * 0 = none) says so.
 */
int doppel__state_open(doppel__state *st, const char *dir, uint64_t number,
                       uint64_t header_sum, uint32_t df_K,
                       const doppel_allocator *a, doppel_error *err);
void doppel__state_close(doppel__state *st, const doppel_allocator *a);

/** Write a state file; *size and *header_sum go into the commit. */
int doppel__state_write(const doppel__vfs *vfs, const char *dir,
                        uint64_t number, const doppel__state_data *d,
                        uint64_t *size, uint64_t *header_sum,
                        const doppel_allocator *a, doppel_error *err);

static inline int doppel__bit(const uint64_t *bits, uint32_t p)
{
    return (int)((bits[p >> 6] >> (p & 63)) & 1u);
}

static inline void doppel__bit_set(uint64_t *bits, uint32_t p)
{
    bits[p >> 6] |= (uint64_t)1 << (p & 63);
}

static inline size_t doppel__bit_words(uint32_t P)
{
    return ((size_t)P + 63) / 64;
}

/** The size of the cluster whose representative is at `rep` (1 when it is
 *  not in the table). */
uint32_t doppel__cluster_size(const uint32_t *sizes, uint32_t C,
                              uint32_t rep);

#endif
