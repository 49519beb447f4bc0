/*
 * feed.c — batches of records read on a thread of their own (see feed.h).
 *
 * Two batch slots and one mutex + condition variable: the reader thread
 * fills slot 0, 1, 0, 1, ... and marks each ready; the calling thread uses
 * them in the same order and marks each free again. Either side waits only
 * when the other is behind. An error on either side stops both: the
 * reader's is reported by the calling thread, and a callback error sets
 * `stop`, which the reader thread checks after every record.
 */
#define _POSIX_C_SOURCE 200809L
#include "feed.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ batches */

/* Documents copied out of the reader. While a batch fills, its arena may
 * move, so documents remember offsets; batch_seal() turns them into
 * pointers. */
typedef struct batch {
    doppel_doc *docs;
    size_t *off; /* 2 per document: id and text offsets in arena */
    size_t n, cap;
    char *arena;
    size_t used, arena_cap;
    uint64_t bytes_read; /* the reader's stats.bytes after this batch */
} batch;

static void batch_free(batch *b)
{
    free(b->docs);
    free(b->off);
    free(b->arena);
    memset(b, 0, sizeof *b);
}

static int batch_append(batch *b, const doppel_record *rec)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : CLI_FEED_BATCH_DOCS;
        doppel_doc *docs = realloc(b->docs, cap * sizeof *docs);
        if (!docs)
            return -1;
        b->docs = docs;
        size_t *off = realloc(b->off, cap * 2 * sizeof *off);
        if (!off)
            return -1;
        b->off = off;
        b->cap = cap;
    }
    size_t need = rec->id_len + rec->text_len;
    if (need > b->arena_cap - b->used) {
        if (need > SIZE_MAX / 2 - b->used)
            return -1;
        size_t cap = b->arena_cap ? b->arena_cap : CLI_FEED_BATCH_BYTES + CLI_FEED_BATCH_BYTES / 4;
        while (cap < b->used + need)
            cap *= 2;
        char *arena = realloc(b->arena, cap);
        if (!arena)
            return -1;
        b->arena = arena;
        b->arena_cap = cap;
    }
    doppel_doc *d = &b->docs[b->n];
    b->off[2 * b->n] = b->used;
    if (rec->id_len)
        memcpy(b->arena + b->used, rec->id, rec->id_len);
    b->used += rec->id_len;
    b->off[2 * b->n + 1] = b->used;
    if (rec->text_len)
        memcpy(b->arena + b->used, rec->text, rec->text_len);
    b->used += rec->text_len;
    d->id_len = rec->id_len;
    d->text_len = rec->text_len;
    d->date = rec->date;
    b->n++;
    return 0;
}

static void batch_seal(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        b->docs[i].id = b->arena + b->off[2 * i];
        b->docs[i].text = b->arena + b->off[2 * i + 1];
    }
}

/* ------------------------------------------------- the reader thread */

typedef struct feeder {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch slot[2];
    int ready[2];      /* slot filled, waiting for the calling thread */
    int eof;           /* the reader thread is done (end of input or error) */
    int rc;            /* its error, < 0, with err */
    doppel_error err;
    atomic_int stop;   /* the calling thread is done: stop reading */
    doppel_reader *reader;
} feeder;

static void *feeder_main(void *arg)
{
    feeder *f = arg;
    int rc = 1;
    doppel_error err = {0};
    for (unsigned i = 0; rc > 0; i ^= 1) {
        pthread_mutex_lock(&f->mu);
        while (f->ready[i] && !atomic_load(&f->stop))
            pthread_cond_wait(&f->cv, &f->mu);
        pthread_mutex_unlock(&f->mu);
        if (atomic_load(&f->stop))
            break;
        batch *b = &f->slot[i];
        b->n = 0;
        b->used = 0;
        while (b->n < CLI_FEED_BATCH_DOCS && b->used < CLI_FEED_BATCH_BYTES) {
            doppel_record rec;
            rc = doppel_reader_next(f->reader, &rec, &err);
            if (rc <= 0)
                break;
            if (batch_append(b, &rec) < 0) {
                rc = DOPPEL_ERR_NOMEM;
                snprintf(err.message, sizeof err.message, "out of memory");
                err.code = rc;
                break;
            }
            if (atomic_load(&f->stop))
                break;
        }
        batch_seal(b);
        doppel_reader_stats st;
        doppel_reader_stats_get(f->reader, &st);
        b->bytes_read = st.bytes;
        pthread_mutex_lock(&f->mu);
        if (b->n > 0 && rc >= 0)
            f->ready[i] = 1;
        if (rc <= 0) {
            f->eof = 1;
            if (rc < 0) {
                f->rc = rc;
                f->err = err;
            }
        }
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    pthread_mutex_lock(&f->mu);
    f->eof = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* ------------------------------------------------------ calling thread */

int cli_feed(doppel_reader *reader, cli_feed_fn use, void *ctx,
             doppel_error *err)
{
    feeder f;
    memset(&f, 0, sizeof f);
    atomic_init(&f.stop, 0);
    f.reader = reader;
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    pthread_t tid;
    int e = pthread_create(&tid, NULL, feeder_main, &f);
    if (e != 0) {
        pthread_cond_destroy(&f.cv);
        pthread_mutex_destroy(&f.mu);
        if (err) {
            err->code = DOPPEL_ERR_NOMEM;
            snprintf(err->message, sizeof err->message,
                     "cannot start the reader thread: %s", strerror(e));
        }
        return DOPPEL_ERR_NOMEM;
    }
    int rc = DOPPEL_OK;
    for (unsigned i = 0;; i ^= 1) {
        pthread_mutex_lock(&f.mu);
        while (!f.ready[i] && !f.eof)
            pthread_cond_wait(&f.cv, &f.mu);
        int have = f.ready[i];
        rc = f.rc;
        pthread_mutex_unlock(&f.mu);
        if (rc < 0) {
            if (err)
                *err = f.err;
            break;
        }
        if (!have)
            break;
        batch *b = &f.slot[i];
        rc = use(ctx, b->docs, b->n, b->bytes_read, err);
        if (rc < 0)
            break;
        pthread_mutex_lock(&f.mu);
        f.ready[i] = 0;
        pthread_cond_broadcast(&f.cv);
        pthread_mutex_unlock(&f.mu);
    }
    pthread_mutex_lock(&f.mu);
    atomic_store(&f.stop, 1);
    pthread_cond_broadcast(&f.cv);
    pthread_mutex_unlock(&f.mu);
    pthread_join(tid, NULL);
    batch_free(&f.slot[0]);
    batch_free(&f.slot[1]);
    pthread_cond_destroy(&f.cv);
    pthread_mutex_destroy(&f.mu);
    return rc;
}

/* ------------------------------------------------------- one thread */

int cli_feed_inline(doppel_reader *reader, cli_feed_fn use, void *ctx,
                    doppel_error *err)
{
    batch b;
    memset(&b, 0, sizeof b);
    int rc = 1;
    doppel_error rerr = {0};
    while (rc > 0) {
        b.n = 0;
        b.used = 0;
        while (b.n < CLI_FEED_BATCH_DOCS && b.used < CLI_FEED_BATCH_BYTES) {
            doppel_record rec;
            rc = doppel_reader_next(reader, &rec, &rerr);
            if (rc <= 0)
                break;
            if (batch_append(&b, &rec) < 0) {
                rc = DOPPEL_ERR_NOMEM;
                snprintf(rerr.message, sizeof rerr.message, "out of memory");
                rerr.code = rc;
                break;
            }
        }
        if (rc < 0) {
            if (err)
                *err = rerr;
            break;
        }
        if (b.n == 0)
            break;
        batch_seal(&b);
        doppel_reader_stats st;
        doppel_reader_stats_get(reader, &st);
        int u = use(ctx, b.docs, b.n, st.bytes, err);
        if (u < 0) {
            rc = u;
            break;
        }
    }
    batch_free(&b);
    return rc < 0 ? rc : DOPPEL_OK;
}
