/*
 * threads.h — the one parallel primitive doppel needs: run a function over
 * contiguous chunks of [0, n) on up to `threads` threads and wait.
 */
#ifndef DOPPEL_THREADS_H
#define DOPPEL_THREADS_H

#include <stddef.h>
#include <stdint.h>

/** fn(ctx, worker, lo, hi) processes [lo, hi); worker is in [0, threads). */
typedef void (*doppel__range_fn)(void *ctx, unsigned worker, size_t lo,
                                 size_t hi);

/**
 * Split [0, n) into `threads` contiguous chunks (in order: worker w gets the
 * w-th chunk) and run them concurrently, the caller's thread taking chunk 0.
 * If a thread cannot be started its chunk runs on the caller's thread, so
 * the call always completes. Because chunks are fixed by (n, threads) and
 * each worker writes only its own outputs, results never depend on timing.
 */
void doppel__parallel_for(unsigned threads, size_t n, doppel__range_fn fn,
                          void *ctx);

/**
 * Run fn over [0, n) on up to `threads` threads, handing out ranges of
 * `chunk` indices in increasing order to whichever thread asks next (the
 * caller's thread included): for work whose cost per index varies, or
 * whose threads may be slowed by others (a reader thread on the same
 * cores). A worker gets its ranges in increasing order; which ranges it
 * gets depends on timing, so fn must write only outputs indexed by i and
 * per-worker state that does not change results (scratch space).
 */
void doppel__parallel_dynamic(unsigned threads, size_t n, size_t chunk,
                              doppel__range_fn fn, void *ctx);

/** A monotonic clock in nanoseconds (for the timings of doppel_dedup). */
uint64_t doppel__now_ns(void);

#endif
