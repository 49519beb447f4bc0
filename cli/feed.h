/*
 * feed.h — all the records of a doppel_reader, delivered in batches of
 * doppel_doc to a callback on the calling thread, while a second thread
 * reads and parses the next batch.
 *
 * Why: the library signs documents at hundreds of MB/s across threads, and
 * reading, decompressing and parsing JSON is a large fraction of that cost
 * on one thread. Overlapping the two keeps the signers busy. Records are
 * only borrowed from the reader until its next call, so each batch owns a
 * copy of its ids and texts in one arena (one allocation, reused).
 *
 *     reader thread:  fill A | fill B | fill A | ...
 *     calling thread:        | use A  | use B  | ...
 *
 * A batch closes at ~1,000 documents or ~8 MB of id + text bytes,
 * whichever comes first: large enough that starting signing threads per
 * batch costs nothing measurable, small enough that two batches stay
 * modest in memory. Batches arrive in reading order, so document numbers
 * never depend on the batching.
 */
#ifndef DOPPEL_CLI_FEED_H
#define DOPPEL_CLI_FEED_H

#include "doppel.h"

#include <stddef.h>
#include <stdint.h>

#define CLI_FEED_BATCH_DOCS 1000
#define CLI_FEED_BATCH_BYTES ((size_t)8 << 20)

/**
 * Use one batch: docs[0 .. n) are valid during the call only. bytes_read is
 * the reader's stats.bytes after the batch's last record. Return 0, or a
 * negative doppel status (with err set) to stop the feed.
 */
typedef int (*cli_feed_fn)(void *ctx, const doppel_doc *docs, size_t n,
                           uint64_t bytes_read, doppel_error *err);

/**
 * Read every record of `reader` and hand them to `use` in batches, in
 * order. The reader is used only by the feed's thread until this returns.
 * Returns 0 at the end of the input, or the first error: the reader's
 * (file and line in err->message), the callback's, or DOPPEL_ERR_NOMEM.
 */
int cli_feed(doppel_reader *reader, cli_feed_fn use, void *ctx,
             doppel_error *err);

/**
 * The same batches on the calling thread alone: read a batch, use it, read
 * the next. For --threads 1, which means one thread: the reader thread of
 * cli_feed would be a second one.
 */
int cli_feed_inline(doppel_reader *reader, cli_feed_fn use, void *ctx,
                    doppel_error *err);

#endif
