/*
 * threads.c — a fork-join over contiguous ranges with pthreads. doppel's
 * parallel work (sketching a batch, verifying candidate pairs) is
 * embarrassingly parallel over arrays, so a pool with queues would add
 * machinery without adding speed: a batch is large enough that starting
 * threads per call costs well under 1% of it.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define DOPPEL__MAX_THREADS 256

typedef struct {
    doppel__range_fn fn;
    void *ctx;
    unsigned worker;
    size_t lo, hi;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->fn(j->ctx, j->worker, j->lo, j->hi);
    return NULL;
}

void doppel__parallel_for(unsigned threads, size_t n, doppel__range_fn fn,
                          void *ctx)
{
    if (threads < 1)
        threads = 1;
    if (threads > DOPPEL__MAX_THREADS)
        threads = DOPPEL__MAX_THREADS;
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    if (threads == 1) {
        fn(ctx, 0, 0, n);
        return;
    }
    job jobs[DOPPEL__MAX_THREADS];
    pthread_t tid[DOPPEL__MAX_THREADS];
    int started[DOPPEL__MAX_THREADS];
    for (unsigned w = 0; w < threads; w++) {
        jobs[w].fn = fn;
        jobs[w].ctx = ctx;
        jobs[w].worker = w;
        jobs[w].lo = n * w / threads;
        jobs[w].hi = n * (w + 1) / threads;
        started[w] = 0;
    }
    for (unsigned w = 1; w < threads; w++)
        started[w] = pthread_create(&tid[w], NULL, run_job, &jobs[w]) == 0;
    run_job(&jobs[0]);
    for (unsigned w = 1; w < threads; w++) {
        if (started[w])
            pthread_join(tid[w], NULL);
        else
            run_job(&jobs[w]);
    }
}

typedef struct {
    doppel__range_fn fn;
    void *ctx;
    size_t n, chunk;
    atomic_size_t next;
} dynamic_job;

typedef struct {
    dynamic_job *job;
    unsigned worker;
} dynamic_worker;

static void *run_dynamic(void *arg)
{
    dynamic_worker *w = arg;
    dynamic_job *j = w->job;
    for (;;) {
        size_t lo = atomic_fetch_add(&j->next, j->chunk);
        if (lo >= j->n)
            break;
        size_t hi = j->n - lo > j->chunk ? lo + j->chunk : j->n;
        j->fn(j->ctx, w->worker, lo, hi);
    }
    return NULL;
}

void doppel__parallel_dynamic(unsigned threads, size_t n, size_t chunk,
                              doppel__range_fn fn, void *ctx)
{
    if (chunk < 1)
        chunk = 1;
    if (threads < 1)
        threads = 1;
    if (threads > DOPPEL__MAX_THREADS)
        threads = DOPPEL__MAX_THREADS;
    size_t ranges = n / chunk + (n % chunk != 0);
    if (threads > ranges)
        threads = ranges ? (unsigned)ranges : 1;
    if (threads == 1) {
        fn(ctx, 0, 0, n);
        return;
    }
    dynamic_job dj;
    dj.fn = fn;
    dj.ctx = ctx;
    dj.n = n;
    dj.chunk = chunk;
    atomic_init(&dj.next, 0);
    dynamic_worker w[DOPPEL__MAX_THREADS];
    pthread_t tid[DOPPEL__MAX_THREADS];
    int started[DOPPEL__MAX_THREADS];
    for (unsigned t = 0; t < threads; t++) {
        w[t].job = &dj;
        w[t].worker = t;
        started[t] = 0;
    }
    /* A thread that cannot be started simply takes no ranges. */
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_dynamic, &w[t]) == 0;
    run_dynamic(&w[0]);
    for (unsigned t = 1; t < threads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

uint64_t doppel__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
