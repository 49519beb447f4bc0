/*
 * segment.c — index segments: immutable files of documents in columns,
 * with their LSH posting arrays, written once and memory-mapped by every
 * reader (Lucene's segments, reduced to what near-duplicate search needs).
 *
 * A segment is a sectioned file (sfile.h: header, 64-byte aligned
 * sections, footer of XXH3 checksums). All integers are little-endian.
 *
 *   header (128 bytes)
 *      0  8  magic "DOPPELSG"          8  4  format version (1)
 *     12  4  header size (128)        16  8  file number (seg-N.dps)
 *     24  8  parameter fingerprint    32  4  K, values per document
 *     36  4  value bands              40  4  value rows
 *     44  4  lede bands (0: none)     48  4  lede rows
 *     52  4  n, documents             56  4  m, documents posted
 *     60  4  first document number    64  4  last document number
 *     68  4  0                        72  8  earliest date (INT64_MIN: none)
 *     80  8  latest date              88  8  bytes of ids
 *     96 24  0                       120  8  XXH3 of bytes 0..119
 *
 *   sections (n documents, K values, B = all bands, m posted)
 *     numbers      n x u32      document numbers, ascending
 *     dates        n x i64      Unix seconds, INT64_MIN = no date
 *     meta         n x 20       flags, words, shingles, entities (u32),
 *                               rarity (IEEE 754 binary32)
 *     values       n x K x u16  MinHash values
 *     positions    n x K x u8   where each value's shingle lies
 *     lede         n x 32 x u16 lede MinHash
 *     entities     n x 32 x u16 names-and-numbers MinHash
 *     id offsets   (n+1) x u32  id i is ids[off[i] .. off[i+1] - 1), NUL
 *                               at off[i+1] - 1
 *     ids          bytes        every id followed by a NUL
 *     postings     B x 2m x u32 per band: keys[m] then docs[m] (postings.h)
 *
 *   footer: the XXH3 of each of the 10 sections (sfile.h)
 *
 * The columns are the in-memory layout of the sketch parts (signature.h,
 * columns.h) on a little-endian host, so a mapped segment is used in
 * place: opening one reads its header and footer only, whatever its size.
 * A big-endian host is refused by name rather than given byte-swapped
 * copies.
 *
 * Nothing read from a segment is trusted as an index before it is checked:
 * id offsets and posting document numbers are bounds-checked where they
 * are used, and every other value (MinHash values, positions, counts) is
 * safe to compare whatever its bits. A flipped bit in a section can change
 * an answer until the section's checksum is verified (doppel__seg_verify:
 * with DOPPEL_INDEX_VERIFY, by doppel_index_verify(), and before any merge
 * reads the segment), but it can never make a reader crash.
 */
#include "segment.h"
#include "le.h"

#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(doppel__sketch_meta) == 20, "meta is 20 bytes");
_Static_assert(sizeof(float) == 4, "binary32 float");

static const char *const section_names[DOPPEL__SEG_SECTIONS] = {
    "numbers", "dates", "meta", "values", "positions",
    "lede", "entities", "id offsets", "ids", "postings"};

void doppel__seg_name(char *buf, size_t cap, uint64_t number)
{
    snprintf(buf, cap, "seg-%08llu.dps", (unsigned long long)number);
}

static void section_lengths(uint64_t *len, uint64_t n, uint64_t m, uint64_t K,
                            uint64_t B, uint64_t ids_len)
{
    len[DOPPEL__SEC_NUMBERS] = 4 * n;
    len[DOPPEL__SEC_DATES] = 8 * n;
    len[DOPPEL__SEC_META] = 20 * n;
    len[DOPPEL__SEC_VALUES] = 2 * K * n;
    len[DOPPEL__SEC_POSITIONS] = K * n;
    len[DOPPEL__SEC_LEDE] = 2 * DOPPEL__LEDE_BINS * n;
    len[DOPPEL__SEC_ENTITIES] = 2 * DOPPEL__ENTITY_BINS * n;
    len[DOPPEL__SEC_ID_OFFSETS] = 4 * (n + 1);
    len[DOPPEL__SEC_IDS] = ids_len;
    len[DOPPEL__SEC_POSTINGS] = 8 * B * m;
}

static unsigned lede_bands(const doppel__seg_layout *lay, unsigned *rows)
{
    *rows = lay->bands.nfam > 1 ? lay->bands.fam[1].rows : 0;
    return lay->bands.nfam > 1 ? lay->bands.fam[1].bands : 0;
}

int doppel__seg_open(doppel__seg *s, const char *dir, uint64_t number,
                     const doppel__seg_layout *lay, int verify,
                     const doppel_allocator *a, doppel_error *err)
{
    memset(s, 0, sizeof *s);
    s->number = number;
    char name[40];
    doppel__seg_name(name, sizeof name, number);
    s->path = doppel__path_join(a, dir, name);
    if (!s->path)
        return DOPPEL_NOMEM(err);
    int rc = DOPPEL_OK;
    if (!DOPPEL__HOST_LE) {
        rc = doppel__error(err, DOPPEL_ERR_VERSION,
                           "%s: index segments are little-endian and "
                           "memory-mapped; this big-endian build cannot "
                           "read them",
                           s->path);
        goto fail;
    }
    rc = doppel__map_file(s->path, &s->map, &s->size, err);
    if (rc < 0)
        goto fail;
    unsigned version;
    rc = doppel__sfile_check_header(s->path, s->map, s->size,
                                    DOPPEL__SEG_MAGIC, DOPPEL__SEG_VERSION,
                                    "index segment", &version, err);
    if (rc < 0)
        goto fail;
    const unsigned char *h = s->map;
    unsigned lrows, lbands = lede_bands(lay, &lrows);
    if (doppel__get64(h + 16) != number) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: header names file number %llu (byte 16)",
                           s->path,
                           (unsigned long long)doppel__get64(h + 16));
        goto fail;
    }
    if (doppel__get64(h + 24) != lay->fingerprint ||
        doppel__get32(h + 32) != lay->K ||
        doppel__get32(h + 36) != lay->bands.fam[0].bands ||
        doppel__get32(h + 40) != lay->bands.fam[0].rows ||
        doppel__get32(h + 44) != lbands || doppel__get32(h + 48) != lrows) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: written with other parameters than its "
                           "index's COMMIT (K=%u, bands %ux%u + %ux%u; the "
                           "commit says K=%u, bands %ux%u + %ux%u)",
                           s->path, doppel__get32(h + 32),
                           doppel__get32(h + 36), doppel__get32(h + 40),
                           doppel__get32(h + 44), doppel__get32(h + 48),
                           lay->K, lay->bands.fam[0].bands,
                           lay->bands.fam[0].rows, lbands, lrows);
        goto fail;
    }
    s->K = lay->K;
    s->nbands = lay->bands.total;
    s->n = doppel__get32(h + 52);
    s->m = doppel__get32(h + 56);
    s->first_number = doppel__get32(h + 60);
    s->last_number = doppel__get32(h + 64);
    s->min_date = (int64_t)doppel__get64(h + 72);
    s->max_date = (int64_t)doppel__get64(h + 80);
    s->ids_len = doppel__get64(h + 88);
    if (s->n == 0 || s->m > s->n || s->first_number > s->last_number ||
        s->last_number - s->first_number < s->n - 1 ||
        s->ids_len < s->n || s->ids_len > UINT32_MAX) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: inconsistent counts in the header (n=%u, "
                           "m=%u, numbers %u-%u, %llu bytes of ids)",
                           s->path, s->n, s->m, s->first_number,
                           s->last_number, (unsigned long long)s->ids_len);
        goto fail;
    }
    uint64_t len[DOPPEL__SEG_SECTIONS];
    section_lengths(len, s->n, s->m, s->K, s->nbands, s->ids_len);
    rc = doppel__sfile_layout(&s->sf, s->path, s->map, s->size,
                              DOPPEL__SEG_SECTIONS, len, section_names, err);
    if (rc < 0)
        goto fail;
    if (verify && (rc = doppel__seg_verify(s, err)) < 0)
        goto fail;
    const unsigned char *base = s->map;
    const uint64_t *off = s->sf.off;
    s->numbers = (const uint32_t *)(const void *)(base + off[0]);
    s->dates = (const int64_t *)(const void *)(base + off[1]);
    s->meta = (const doppel__sketch_meta *)(const void *)(base + off[2]);
    s->values = (const doppel__mh *)(const void *)(base + off[3]);
    s->positions = base + off[4];
    s->lede = (const doppel__mh *)(const void *)(base + off[5]);
    s->entities = (const doppel__mh *)(const void *)(base + off[6]);
    s->id_off = (const uint32_t *)(const void *)(base + off[7]);
    s->ids = (const char *)(base + off[8]);
    s->postings = (const uint32_t *)(const void *)(base + off[9]);
    if (s->id_off[0] != 0 || s->id_off[s->n] != s->ids_len) {
        rc = doppel__error(err, DOPPEL_ERR_CORRUPT,
                           "%s: section 'id offsets' (byte %llu) does not "
                           "span the ids",
                           s->path, (unsigned long long)off[7]);
        goto fail;
    }
    return DOPPEL_OK;
fail:
    doppel__seg_close(s, a);
    return rc;
}

void doppel__seg_close(doppel__seg *s, const doppel_allocator *a)
{
    doppel__unmap_file(s->map, s->size);
    doppel__free(a, s->path);
    memset(s, 0, sizeof *s);
}

int doppel__seg_verify(const doppel__seg *s, doppel_error *err)
{
    for (unsigned i = 0; i < DOPPEL__SEG_SECTIONS; i++)
        DOPPEL_FORWARD_IF_ERROR(
            doppel__sfile_verify(&s->sf, i, s->path, section_names, err));
    return DOPPEL_OK;
}

int doppel__seg_id(const doppel__seg *s, uint32_t i, const char **id,
                   size_t *len, doppel_error *err)
{
    uint32_t a = i < s->n ? s->id_off[i] : 0;
    uint32_t b = i < s->n ? s->id_off[i + 1] : 0;
    if (i >= s->n || a >= b || b > s->ids_len || s->ids[b - 1] != '\0')
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: section 'id offsets' (byte %llu): "
                             "document %u has an invalid id range",
                             s->path,
                             (unsigned long long)(s->sf.off[7] + 4ull * i),
                             i);
    *id = s->ids + a;
    *len = b - a - 1;
    return DOPPEL_OK;
}

/* ------------------------------------------------------------- writing */

static doppel__sketch_cref src_sketch(const void *ctx, size_t i)
{
    const doppel__docsrc *src = ctx;
    doppel__docref d;
    src->get(src->ctx, i, &d);
    return d.sk;
}

#define CHUNK 4096 /* bytes gathered before each doppel__sfile_put */

/* Write one fixed-size field of every document, gathered in chunks. */
typedef void (*field_fn)(const doppel__docref *d, unsigned K,
                         unsigned char *out);

static void f_number(const doppel__docref *d, unsigned K, unsigned char *o)
{
    (void)K;
    memcpy(o, &d->number, 4);
}
static void f_date(const doppel__docref *d, unsigned K, unsigned char *o)
{
    (void)K;
    memcpy(o, &d->date, 8);
}
static void f_meta(const doppel__docref *d, unsigned K, unsigned char *o)
{
    (void)K;
    memcpy(o, d->sk.meta, 20);
}
static void f_values(const doppel__docref *d, unsigned K, unsigned char *o)
{
    memcpy(o, d->sk.values, 2 * (size_t)K);
}
static void f_positions(const doppel__docref *d, unsigned K,
                        unsigned char *o)
{
    memcpy(o, d->sk.positions, K);
}
static void f_lede(const doppel__docref *d, unsigned K, unsigned char *o)
{
    (void)K;
    memcpy(o, d->sk.lede, 2 * DOPPEL__LEDE_BINS);
}
static void f_entities(const doppel__docref *d, unsigned K, unsigned char *o)
{
    (void)K;
    memcpy(o, d->sk.entities, 2 * DOPPEL__ENTITY_BINS);
}

static int put_field(doppel__sfile_writer *w, const doppel__docsrc *src,
                     unsigned K, size_t width, field_fn fn, doppel_error *err)
{
    unsigned char buf[CHUNK + 2 * DOPPEL_MAX_PERM];
    size_t used = 0;
    for (size_t i = 0; i < src->n; i++) {
        doppel__docref d;
        src->get(src->ctx, i, &d);
        fn(&d, K, buf + used);
        used += width;
        if (used >= CHUNK) {
            DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, buf, used, err));
            used = 0;
        }
    }
    return doppel__sfile_put(w, buf, used, err);
}

static int put_ids(doppel__sfile_writer *w, const doppel__docsrc *src,
                   doppel_error *err)
{
    uint32_t buf[1024];
    size_t used = 0;
    uint32_t off = 0;
    buf[used++] = 0;
    for (size_t i = 0; i < src->n; i++) {
        doppel__docref d;
        src->get(src->ctx, i, &d);
        off += (uint32_t)d.id_len + 1;
        buf[used++] = off;
        if (used == 1024) {
            DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, buf, 4 * used, err));
            used = 0;
        }
    }
    DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, buf, 4 * used, err));
    for (size_t i = 0; i < src->n; i++) {
        doppel__docref d;
        src->get(src->ctx, i, &d);
        DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, d.id, d.id_len, err));
        DOPPEL_FORWARD_IF_ERROR(doppel__sfile_put(w, "", 1, err));
    }
    return DOPPEL_OK;
}

static int put_postings(doppel__sfile_writer *w, const doppel__seg_layout *lay,
                        const doppel__docsrc *src, size_t m,
                        const uint32_t *postings, const doppel_allocator *a,
                        doppel_error *err)
{
    if (postings)
        return doppel__sfile_put(w, postings, 8 * lay->bands.total * m, err);
    uint64_t *scratch = doppel__malloc_array(a, m ? m : 1, sizeof *scratch);
    uint64_t *tmp = doppel__malloc_array(a, m ? m : 1, sizeof *tmp);
    uint32_t *band = doppel__malloc_array(a, m ? 2 * m : 1, sizeof *band);
    int rc = DOPPEL_OK;
    if (!scratch || !tmp || !band)
        rc = DOPPEL_NOMEM(err);
    for (unsigned g = 0; rc == DOPPEL_OK && g < lay->bands.total; g++) {
        doppel__postings_build(&lay->bands, g, src_sketch, src, src->n,
                               scratch, tmp, band, band + m);
        rc = doppel__sfile_put(w, band, 8 * m, err);
    }
    doppel__free(a, scratch);
    doppel__free(a, tmp);
    doppel__free(a, band);
    return rc;
}

int doppel__seg_write(const doppel__vfs *vfs, const char *dir,
                      uint64_t number, const doppel__seg_layout *lay,
                      const doppel__docsrc *src, const uint32_t *postings,
                      uint64_t *size, uint64_t *header_sum,
                      const doppel_allocator *a, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!DOPPEL__HOST_LE, err, DOPPEL_ERR_VERSION,
                           "index segments are little-endian; this "
                           "big-endian build cannot write them");
    DOPPEL_RETURN_ERROR_IF(src->n == 0 || src->n > UINT32_MAX - 1, err,
                           DOPPEL_ERR_LIMIT,
                           "a segment holds 1 to %u documents, not %zu",
                           UINT32_MAX - 1, src->n);
    size_t m = 0;
    uint64_t ids_len = 0;
    int64_t dmin = DOPPEL_NO_DATE, dmax = DOPPEL_NO_DATE;
    uint32_t first = 0, last = 0;
    for (size_t i = 0; i < src->n; i++) {
        doppel__docref d;
        src->get(src->ctx, i, &d);
        m += !(d.sk.meta->flags & DOPPEL__SIG_EMPTY);
        ids_len += d.id_len + 1;
        if (d.date != DOPPEL_NO_DATE) {
            if (dmin == DOPPEL_NO_DATE || d.date < dmin)
                dmin = d.date;
            if (dmax == DOPPEL_NO_DATE || d.date > dmax)
                dmax = d.date;
        }
        if (i == 0)
            first = d.number;
        last = d.number;
    }
    DOPPEL_RETURN_ERROR_IF(ids_len > UINT32_MAX, err, DOPPEL_ERR_LIMIT,
                           "the ids of one segment may take at most %u "
                           "bytes, got %llu",
                           UINT32_MAX, (unsigned long long)ids_len);
    unsigned lrows, lbands = lede_bands(lay, &lrows);
    unsigned char h[DOPPEL__SFILE_HEADER];
    doppel__sfile_header_start(h, DOPPEL__SEG_MAGIC, DOPPEL__SEG_VERSION);
    doppel__put64(h + 16, number);
    doppel__put64(h + 24, lay->fingerprint);
    doppel__put32(h + 32, lay->K);
    doppel__put32(h + 36, lay->bands.fam[0].bands);
    doppel__put32(h + 40, lay->bands.fam[0].rows);
    doppel__put32(h + 44, lbands);
    doppel__put32(h + 48, lrows);
    doppel__put32(h + 52, (uint32_t)src->n);
    doppel__put32(h + 56, (uint32_t)m);
    doppel__put32(h + 60, first);
    doppel__put32(h + 64, last);
    doppel__put64(h + 72, (uint64_t)dmin);
    doppel__put64(h + 80, (uint64_t)dmax);
    doppel__put64(h + 88, ids_len);
    uint64_t len[DOPPEL__SEG_SECTIONS];
    section_lengths(len, src->n, m, lay->K, lay->bands.total, ids_len);

    char name[40];
    doppel__seg_name(name, sizeof name, number);
    char *path = doppel__path_join(a, dir, name);
    if (!path)
        return DOPPEL_NOMEM(err);
    doppel__sfile_writer w;
    int rc = doppel__sfile_create(&w, vfs, path, h, DOPPEL__SEG_SECTIONS, len,
                                  a, err);
    unsigned K = lay->K;
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 4, f_number, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 8, f_date, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 20, f_meta, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 2 * (size_t)K, f_values, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, K, f_positions, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 2 * DOPPEL__LEDE_BINS, f_lede, err);
    if (rc == DOPPEL_OK)
        rc = put_field(&w, src, K, 2 * DOPPEL__ENTITY_BINS, f_entities, err);
    if (rc == DOPPEL_OK)
        rc = put_ids(&w, src, err);
    if (rc == DOPPEL_OK)
        rc = put_postings(&w, lay, src, m, postings, a, err);
    if (rc == DOPPEL_OK)
        rc = doppel__sfile_finish(&w, header_sum, err);
    else
        doppel__sfile_abort(&w);
    if (rc == DOPPEL_OK && size)
        *size = doppel__sfile_size(DOPPEL__SEG_SECTIONS, len);
    doppel__free(a, path);
    return rc;
}
