/*
 * gzip.c — a streaming byte source over a file descriptor that gunzips
 * transparently (RFC 1952), for the reader.
 *
 * A source is sniffed on its first read: content that starts with the gzip
 * magic 1f 8b is inflated, anything else passes through unchanged (served
 * straight into the caller's buffer, no extra copy). Like zcat, a gzip file
 * may hold several members back to back (what `cat a.gz b.gz` or pigz's
 * independent blocks produce); they are read as one stream. Data after a
 * member that is not another member is an error ("unexpected data after
 * gzip member"), not silently ignored as GNU gzip does with a warning: a
 * reader that feeds a dedup run must not drop input quietly.
 *
 * Errors name the file and the compressed byte offset, which is what a
 * person needs to look at the damage (`xxd -s N`): a stream that ends before
 * its trailer is "truncated gzip stream at byte N" where N is the compressed
 * size; data zlib rejects (bad block, CRC-32 or length mismatch in the
 * trailer) is "corrupt gzip data at byte N: <zlib's message>" where N is the
 * offset of the first compressed byte zlib had not consumed.
 *
 * The inflater sits behind a four-function table (create/reset/step/
 * destroy) with zlib's streaming contract: step consumes some input and
 * produces some output and says when a member ends. Member boundaries,
 * truncation, offsets and buffering are handled here, once, around it.
 *
 * Two inflaters: zlib, always, and Intel ISA-L's igzip (isal_inflate, the
 * same streaming model) when the build found it (DOPPEL_HAVE_ISAL). On
 * news JSON Lines igzip inflates about three times as fast as zlib (755
 * against 252 MB/s of output on one core, docs/performance.md), and
 * inflating is most of what reading costs. libdeflate, also measured (638
 * MB/s), only inflates whole buffers: it would need the whole member, a
 * whole file for `gzip -c`, in memory.
 *
 * zlib stays the reference for what is valid and for every message, so
 * the output never depends on which inflater was built in: igzip is used
 * only on a regular file (which can be read again) and only for members
 * whose header has no FHCRC and no reserved flag bits (igzip ignores both,
 * zlib checks them). If igzip finds anything wrong, corrupt or truncated
 * data alike, the file is read again from its start with zlib, which
 * skips the bytes already returned and then fails (or not) exactly as it
 * does alone: same bytes, same message, same offsets; so is any other
 * fault in a file igzip has begun (data after a member it accepted, a
 * broken header further on). One difference remains, found by
 * differential fuzzing: igzip accepts a dynamic block whose code
 * description zlib refuses as incomplete or over-subscribed ("invalid
 * distances set") when the codes it lacks are never used; the member's
 * CRC-32 and length still check, so the bytes are those that were
 * compressed, and only such a malformed member reads where zlib alone
 * would stop.
 * zlib's and igzip's allocations go through the caller's doppel_allocator
 * (zalloc/zfree, and igzip's one state), so out-of-memory is testable
 * there too.
 */
#define _POSIX_C_SOURCE 200809L

#include "gzip.h"

#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#if defined(DOPPEL_HAVE_ISAL)
#include <isa-l/igzip_lib.h>
#endif

/* Compressed bytes read from the fd at a time. */
#define SOURCE_INPUT_BUFFER (128 * 1024)

/* --------------------------------------------------------- system helpers */

long doppel__read_fd(int fd, void *buf, size_t cap)
{
    if (cap > (size_t)LONG_MAX)
        cap = (size_t)LONG_MAX;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR)
            return (long)n;
    }
}

const char *doppel__strerror(int errnum, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    /* XSI strerror_r (we do not define _GNU_SOURCE). */
    if (strerror_r(errnum, buf, cap) != 0)
        snprintf(buf, cap, "error %d", errnum);
    return buf;
}

const char *doppel__short_path(const char *path, char *buf)
{
    size_t len = strlen(path);
    if (len < DOPPEL__SHORT_PATH)
        return path;
    /* 60 bytes of the start, "...", and the rest from the end. */
    size_t head = 60, tail = DOPPEL__SHORT_PATH - 1 - head - 3;
    while (head > 0 && ((unsigned char)path[head] & 0xC0) == 0x80)
        head--;
    size_t from = len - tail;
    while (from < len && ((unsigned char)path[from] & 0xC0) == 0x80)
        from++;
    memcpy(buf, path, head);
    memcpy(buf + head, "...", 3);
    memcpy(buf + head + 3, path + from, len - from + 1);
    return buf;
}

/* ----------------------------------------------------------- the inflater */

typedef enum inflate_status {
    INFLATE_OK,         /* progress made (or more input needed) */
    INFLATE_MEMBER_END, /* the member's trailer has been checked */
    INFLATE_DATA_ERROR, /* *msg says why */
    INFLATE_NOMEM
} inflate_status;

typedef struct inflater_ops {
    /* Allocate a state ready for a member; DOPPEL_OK or DOPPEL_ERR_NOMEM. */
    int (*create)(void **state, const doppel_allocator *a);
    /* Forget the current member; ready for a new one. */
    void (*reset)(void *state);
    /* Inflate from (in, in_len) into (out, out_len), advancing both. */
    inflate_status (*step)(void *state, const unsigned char **in,
                           size_t *in_len, unsigned char **out,
                           size_t *out_len, const char **msg);
    void (*destroy)(void *state, const doppel_allocator *a);
} inflater_ops;

typedef struct zlib_state {
    z_stream zs;
    const doppel_allocator *a;
} zlib_state;

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    return doppel__malloc_array(opaque, items, size);
}

static void zlib_free(voidpf opaque, voidpf p)
{
    doppel__free(opaque, p);
}

static int zlib_create(void **state, const doppel_allocator *a)
{
    zlib_state *z = doppel__malloc(a, sizeof *z);
    if (!z)
        return DOPPEL_ERR_NOMEM;
    memset(z, 0, sizeof *z);
    z->a = a;
    z->zs.zalloc = zlib_alloc;
    z->zs.zfree = zlib_free;
    z->zs.opaque = (voidpf)doppel__allocator(a);
    /* 15 + 16: a 32 KiB window, gzip wrapper only (we have already seen
     * the magic bytes, so zlib's auto-detection has nothing to add). */
    int rc = inflateInit2(&z->zs, 15 + 16);
    if (rc != Z_OK) {
        doppel__free(a, z);
        return DOPPEL_ERR_NOMEM; /* the only failure with valid arguments */
    }
    *state = z;
    return DOPPEL_OK;
}

static void zlib_reset(void *state)
{
    zlib_state *z = state;
    inflateReset(&z->zs);
}

static inflate_status zlib_step(void *state, const unsigned char **in,
                                size_t *in_len, unsigned char **out,
                                size_t *out_len, const char **msg)
{
    zlib_state *z = state;
    uInt ain = *in_len > UINT_MAX ? UINT_MAX : (uInt)*in_len;
    uInt aout = *out_len > UINT_MAX ? UINT_MAX : (uInt)*out_len;
    z->zs.next_in = (Bytef *)(uintptr_t)*in; /* zlib's API is not const */
    z->zs.avail_in = ain;
    z->zs.next_out = *out;
    z->zs.avail_out = aout;
    int rc = inflate(&z->zs, Z_NO_FLUSH);
    size_t used = ain - z->zs.avail_in, made = aout - z->zs.avail_out;
    *in += used;
    *in_len -= used;
    *out += made;
    *out_len -= made;
    switch (rc) {
    case Z_OK:
    case Z_BUF_ERROR: /* no progress possible: needs more input */
        return INFLATE_OK;
    case Z_STREAM_END:
        return INFLATE_MEMBER_END;
    case Z_MEM_ERROR:
        return INFLATE_NOMEM;
    default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
        *msg = z->zs.msg ? z->zs.msg : "invalid deflate stream";
        return INFLATE_DATA_ERROR;
    }
}

static void zlib_destroy(void *state, const doppel_allocator *a)
{
    zlib_state *z = state;
    inflateEnd(&z->zs);
    doppel__free(a, z);
}

static const inflater_ops zlib_inflater = {zlib_create, zlib_reset,
                                           zlib_step, zlib_destroy};

#if defined(DOPPEL_HAVE_ISAL)
/* igzip: one state of about 85 KB (its window and decoding tables), gzip
 * wrapper parsed and CRC-32 and length checked by igzip itself. */
static int isal_create(void **state, const doppel_allocator *a)
{
    struct inflate_state *st = doppel__malloc(a, sizeof *st);
    if (!st)
        return DOPPEL_ERR_NOMEM;
    isal_inflate_init(st);
    st->crc_flag = ISAL_GZIP;
    *state = st;
    return DOPPEL_OK;
}

static void isal_reset(void *state)
{
    struct inflate_state *st = state;
    isal_inflate_reset(st);
    st->crc_flag = ISAL_GZIP;
}

static inflate_status isal_step(void *state, const unsigned char **in,
                                size_t *in_len, unsigned char **out,
                                size_t *out_len, const char **msg)
{
    struct inflate_state *st = state;
    uint32_t ain = *in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)*in_len;
    uint32_t aout = *out_len > UINT32_MAX ? UINT32_MAX : (uint32_t)*out_len;
    st->next_in = (uint8_t *)(uintptr_t)*in;
    st->avail_in = ain;
    st->next_out = *out;
    st->avail_out = aout;
    int rc = isal_inflate(st);
    size_t used = ain - st->avail_in, made = aout - st->avail_out;
    *in += used;
    *in_len -= used;
    *out += made;
    *out_len -= made;
    if (rc < 0 || rc == ISAL_NEED_DICT) {
        *msg = "invalid deflate stream"; /* never shown: zlib re-reads */
        return INFLATE_DATA_ERROR;
    }
    return st->block_state == ISAL_BLOCK_FINISH ? INFLATE_MEMBER_END
                                                : INFLATE_OK;
}

static void isal_destroy(void *state, const doppel_allocator *a)
{
    doppel__free(a, state);
}

static const inflater_ops isal_inflater = {isal_create, isal_reset,
                                           isal_step, isal_destroy};
#endif

int doppel__source_inflater_available(doppel__inflater which)
{
    switch (which) {
    case DOPPEL__INFLATE_AUTO:
    case DOPPEL__INFLATE_ZLIB:
        return 1;
    case DOPPEL__INFLATE_ISAL:
#if defined(DOPPEL_HAVE_ISAL)
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

/* ------------------------------------------------------------- the source */

typedef enum source_state {
    SOURCE_CLOSED,
    SOURCE_SNIFF,   /* opened, nothing read yet */
    SOURCE_PLAIN,
    SOURCE_MEMBER,  /* inside a gzip member */
    SOURCE_BETWEEN, /* after a member: another one, or the end */
    SOURCE_DONE,
    SOURCE_FAILED
} source_state;

struct doppel__source {
    const doppel_allocator *a;
    const inflater_ops *ops; /* the current member's inflater */
    void *inflater;          /* its state */
    void *zlib;          /* zlib's state: created when first needed, reused */
    void *isal;          /* igzip's, likewise (DOPPEL_HAVE_ISAL) */
    doppel__inflater want; /* DOPPEL__INFLATE_AUTO, or forced by a test */
    int fast_ok;         /* igzip may be used for the open file */
    int fast_used;       /* igzip has inflated a member of it */
    long long fd_base;   /* the fd's offset when opened (to read again) */
    uint64_t skip;       /* bytes already returned, to skip when re-read */
    unsigned rereads;    /* files read again with zlib since created */
    int fd, own_fd;
    const char *name;
    source_state state;
    int gzip;            /* the open input is gzip */
    unsigned char *in;   /* compressed (or sniffed) bytes */
    size_t in_cap, in_pos, in_len;
    int eof;             /* the fd has reported end of file */
    uint64_t raw_read;   /* bytes read from the fd */
    uint64_t produced;   /* bytes returned to the caller */
};

int doppel__source_create(doppel__source **out, const doppel_allocator *a,
                          doppel_error *err)
{
    doppel__source *s = doppel__malloc(a, sizeof *s);
    if (!s)
        return DOPPEL_NOMEM(err);
    memset(s, 0, sizeof *s);
    s->a = a;
    s->ops = &zlib_inflater;
    s->want = DOPPEL__INFLATE_AUTO;
    s->fd = -1;
    s->state = SOURCE_CLOSED;
    *out = s;
    return DOPPEL_OK;
}

void doppel__source_close(doppel__source *s)
{
    if (!s)
        return;
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->own_fd = 0;
    s->name = NULL;
    s->state = SOURCE_CLOSED;
}

void doppel__source_free(doppel__source *s)
{
    if (!s)
        return;
    doppel__source_close(s);
    if (s->zlib)
        zlib_inflater.destroy(s->zlib, s->a);
#if defined(DOPPEL_HAVE_ISAL)
    if (s->isal)
        isal_inflater.destroy(s->isal, s->a);
#endif
    doppel__free(s->a, s->in);
    doppel__free(s->a, s);
}

void doppel__source_open(doppel__source *s, int fd, int own_fd,
                         const char *name)
{
    doppel__source_close(s);
    s->fd = fd;
    s->own_fd = own_fd;
    s->name = name;
    s->state = SOURCE_SNIFF;
    s->gzip = 0;
    s->in_pos = s->in_len = 0;
    s->eof = 0;
    s->raw_read = 0;
    s->produced = 0;
    s->skip = 0;
    s->fast_ok = 0;
    s->fast_used = 0;
    s->fd_base = -1;
#if defined(DOPPEL_HAVE_ISAL)
    /* igzip only where zlib can read the file again (see the top) */
    struct stat st;
    if (s->want != DOPPEL__INFLATE_ZLIB && fstat(fd, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        off_t at = lseek(fd, 0, SEEK_CUR);
        if (at >= 0) {
            s->fd_base = (long long)at;
            s->fast_ok = 1;
        }
    }
#endif
}

void doppel__source_set_inflater(doppel__source *s, doppel__inflater which)
{
    s->want = which;
}

unsigned doppel__source_rereads(const doppel__source *s)
{
    return s->rereads;
}

int doppel__source_is_gzip(const doppel__source *s)
{
    if (s->state == SOURCE_CLOSED || s->state == SOURCE_SNIFF)
        return -1;
    return s->gzip;
}

uint64_t doppel__source_compressed_offset(const doppel__source *s)
{
    return s->raw_read - (s->in_len - s->in_pos);
}

uint64_t doppel__source_offset(const doppel__source *s)
{
    return s->produced;
}

static int fail(doppel__source *s, doppel_error *err, int code,
                const char *fmt, ...) DOPPEL_PRINTF(4, 5);

static int fail(doppel__source *s, doppel_error *err, int code,
                const char *fmt, ...)
{
    s->state = SOURCE_FAILED;
    if (code == DOPPEL_ERR_NOMEM)
        return DOPPEL_NOMEM(err);
    char msg[DOPPEL_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char sp[DOPPEL__SHORT_PATH];
    return doppel__error(err, code, "%s: %s",
                         s->name ? doppel__short_path(s->name, sp) : "?",
                         msg);
}

/* Read more of the file into the input buffer (after what is left in it).
 * Sets eof when the file has no more bytes. */
static int fill_input(doppel__source *s, doppel_error *err)
{
    if (!s->in) {
        s->in = doppel__malloc(s->a, SOURCE_INPUT_BUFFER);
        if (!s->in)
            return fail(s, err, DOPPEL_ERR_NOMEM, "out of memory");
        s->in_cap = SOURCE_INPUT_BUFFER;
    }
    if (s->in_pos == s->in_len) {
        s->in_pos = s->in_len = 0;
    } else if (s->in_pos > 0) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    long n = doppel__read_fd(s->fd, s->in + s->in_len, s->in_cap - s->in_len);
    if (n < 0) {
        char eb[128];
        return fail(s, err, DOPPEL_ERR_IO, "read error: %s",
                    doppel__strerror(errno, eb, sizeof eb));
    }
    if (n == 0)
        s->eof = 1;
    s->in_len += (size_t)n;
    s->raw_read += (uint64_t)n;
    return DOPPEL_OK;
}

/* Make at least `need` unconsumed bytes available, unless the file ends. */
static int ensure_input(doppel__source *s, size_t need, doppel_error *err)
{
    while (s->in_len - s->in_pos < need && !s->eof)
        DOPPEL_FORWARD_IF_ERROR(fill_input(s, err));
    return DOPPEL_OK;
}

static int at_gzip_magic(const doppel__source *s)
{
    return s->in_len - s->in_pos >= 2 && s->in[s->in_pos] == 0x1f &&
           s->in[s->in_pos + 1] == 0x8b;
}

/* The member starting at the input's current position: igzip if allowed
 * and its header has no flags that only zlib checks (FHCRC, reserved),
 * else zlib. */
static int start_member(doppel__source *s, doppel_error *err)
{
    const inflater_ops *ops = &zlib_inflater;
    void **state = &s->zlib;
#if defined(DOPPEL_HAVE_ISAL)
    if (s->fast_ok) {
        DOPPEL_FORWARD_IF_ERROR(ensure_input(s, 4, err));
        if (s->in_len - s->in_pos >= 4 &&
            (s->in[s->in_pos + 3] & 0xE2) == 0) { /* FHCRC, reserved */
            ops = &isal_inflater;
            state = &s->isal;
            s->fast_used = 1;
        }
    }
#endif
    if (!*state) {
        if (ops->create(state, s->a) != DOPPEL_OK)
            return fail(s, err, DOPPEL_ERR_NOMEM, "out of memory");
    } else {
        ops->reset(*state);
    }
    s->ops = ops;
    s->inflater = *state;
    s->state = SOURCE_MEMBER;
    return DOPPEL_OK;
}

/* igzip gave up on the open file: read it again from its start with zlib
 * alone (doppel__source_read restarts), skipping what was returned. */
#define SOURCE_REREAD 1

static int reread_with_zlib(doppel__source *s, doppel_error *err)
{
    if (lseek(s->fd, (off_t)s->fd_base, SEEK_SET) < 0) {
        char eb[128];
        return fail(s, err, DOPPEL_ERR_IO, "read error: %s",
                    doppel__strerror(errno, eb, sizeof eb));
    }
    s->fast_ok = 0;
    s->fast_used = 0;
    s->in_pos = s->in_len = 0;
    s->eof = 0;
    s->raw_read = 0;
    s->skip = s->produced;
    s->state = SOURCE_SNIFF;
    s->rereads++;
    return SOURCE_REREAD;
}

static int read_plain(doppel__source *s, unsigned char *buf, size_t cap,
                      size_t *got, doppel_error *err)
{
    size_t avail = s->in_len - s->in_pos;
    if (avail) {
        size_t n = avail < cap ? avail : cap;
        memcpy(buf, s->in + s->in_pos, n);
        s->in_pos += n;
        *got = n;
        return DOPPEL_OK;
    }
    if (s->eof) {
        *got = 0;
        return DOPPEL_OK;
    }
    long n = doppel__read_fd(s->fd, buf, cap);
    if (n < 0) {
        char eb[128];
        return fail(s, err, DOPPEL_ERR_IO, "read error: %s",
                    doppel__strerror(errno, eb, sizeof eb));
    }
    if (n == 0)
        s->eof = 1;
    s->raw_read += (uint64_t)n;
    *got = (size_t)n;
    return DOPPEL_OK;
}

static int read_gzip(doppel__source *s, unsigned char *buf, size_t cap,
                     size_t *got, doppel_error *err)
{
    unsigned char *out = buf;
    size_t out_left = cap;
    for (;;) {
        if (s->state == SOURCE_BETWEEN) {
            DOPPEL_FORWARD_IF_ERROR(ensure_input(s, 2, err));
            if (s->in_pos == s->in_len) {
                s->state = SOURCE_DONE;
                break;
            }
            if (!at_gzip_magic(s))
                return fail(s, err, DOPPEL_ERR_FORMAT,
                            "unexpected data after gzip member at byte "
                            "%llu",
                            (unsigned long long)
                                doppel__source_compressed_offset(s));
            DOPPEL_FORWARD_IF_ERROR(start_member(s, err));
        }
        if (s->state == SOURCE_DONE)
            break;
        if (s->in_pos == s->in_len && !s->eof)
            DOPPEL_FORWARD_IF_ERROR(fill_input(s, err));
        /* Re-reading: inflate into buf what was returned before, and
         * drop it. */
        size_t room = s->skip && s->skip < out_left ? (size_t)s->skip
                                                    : out_left;
        size_t room_before = room;
        /* Step even with no input left: the inflater may still hold a
         * match it had no room to copy, and finishing it may show the
         * data to be corrupt rather than truncated. */
        const unsigned char *in = s->in + s->in_pos;
        size_t in_left = s->in_len - s->in_pos;
        unsigned char *out_before = out;
        const char *msg = NULL;
        inflate_status st =
            s->ops->step(s->inflater, &in, &in_left, &out, &room, &msg);
        s->in_pos = s->in_len - in_left;
        out_left -= room_before - room;
        if (st == INFLATE_NOMEM)
            return fail(s, err, DOPPEL_ERR_NOMEM, "out of memory");
        int stuck = st == INFLATE_OK && out == out_before &&
                    s->in_pos == s->in_len && s->eof;
        if (s->ops != &zlib_inflater &&
            (st == INFLATE_DATA_ERROR || stuck))
            return reread_with_zlib(s, err);
        if (st == INFLATE_DATA_ERROR)
            return fail(s, err, DOPPEL_ERR_FORMAT,
                        "corrupt gzip data at byte %llu: %s",
                        (unsigned long long)
                            doppel__source_compressed_offset(s),
                        msg);
        if (st == INFLATE_MEMBER_END)
            s->state = SOURCE_BETWEEN;
        if (s->skip) {
            s->skip -= (uint64_t)(out - buf);
            out = buf;
            out_left = cap;
            if (!stuck)
                continue;
        }
        if (out != buf)
            break;
        if (stuck)
            return fail(s, err, DOPPEL_ERR_FORMAT,
                        "truncated gzip stream at byte %llu",
                        (unsigned long long)s->raw_read);
    }
    *got = (size_t)(out - buf);
    return DOPPEL_OK;
}

int doppel__source_read(doppel__source *s, void *buf, size_t cap,
                        size_t *got, doppel_error *err)
{
    *got = 0;
    char sp[DOPPEL__SHORT_PATH];
    if (s->state == SOURCE_FAILED || s->state == SOURCE_CLOSED)
        return doppel__error(err, DOPPEL_ERR_STATE, "%s: source is %s",
                             s->name ? doppel__short_path(s->name, sp) : "?",
                             s->state == SOURCE_FAILED ? "in error"
                                                       : "not open");
    if (cap == 0)
        return DOPPEL_OK;
    int rc;
    do {
        if (s->state == SOURCE_SNIFF) {
            DOPPEL_FORWARD_IF_ERROR(ensure_input(s, 2, err));
            if (at_gzip_magic(s)) {
                s->gzip = 1;
                DOPPEL_FORWARD_IF_ERROR(start_member(s, err));
            } else
                s->state = SOURCE_PLAIN;
        }
        if (s->state == SOURCE_PLAIN)
            rc = read_plain(s, buf, cap, got, err);
        else
            rc = read_gzip(s, buf, cap, got, err);
        /* Any fault found in a file igzip has inflated part of (data
         * after a member igzip accepted, a truncated or damaged header)
         * is judged again by zlib from the start: zlib's verdict and
         * message, whatever igzip made of the bytes before. */
        if (rc == DOPPEL_ERR_FORMAT && s->fast_used)
            rc = reread_with_zlib(s, err);
    } while (rc == SOURCE_REREAD);
    s->produced += *got;
    return rc;
}
