/*
 * vfs.h — the file operations of an index, through a table (SQLite's VFS,
 * reduced to what an index writes), plus the helpers built on it: whole
 * writes, fsync of a directory, memory maps, the writer's lock, listing a
 * directory.
 *
 * Every operation that changes a file goes through doppel__vfs, so that
 * tests can count them, fail the N-th one with an I/O error, or kill the
 * process in the middle of one (tests/check_index_crash.c); the library
 * itself always uses doppel__vfs_posix(). Reads (a small file read whole,
 * a segment mapped) go to POSIX directly: a damaged file is simulated by
 * damaging it.
 */
#ifndef DOPPEL_VFS_H
#define DOPPEL_VFS_H

#include "common.h"

#include <sys/types.h>

typedef struct doppel__vfs {
    /* Each returns what the POSIX call returns, with errno set. */
    int (*open)(void *ctx, const char *path, int flags, unsigned mode);
    ssize_t (*write)(void *ctx, int fd, const void *buf, size_t n);
    int (*fsync)(void *ctx, int fd);
    int (*close)(void *ctx, int fd);
    int (*rename)(void *ctx, const char *from, const char *to);
    int (*unlink)(void *ctx, const char *path);
    int (*mkdir)(void *ctx, const char *path, unsigned mode);
    void *ctx;
} doppel__vfs;

/** The table of plain POSIX calls. */
const doppel__vfs *doppel__vfs_posix(void);

/** "dir/name", allocated. */
char *doppel__path_join(const doppel_allocator *a, const char *dir,
                        const char *name);

/** Write all of buf (retrying short writes and EINTR); 0 or -1 (errno). */
int doppel__vfs_write_all(const doppel__vfs *v, int fd, const void *buf,
                          size_t len);

/** fsync a directory, so that names created or renamed in it are durable.
 *  A filesystem that cannot sync directories (EINVAL) is not an error. */
int doppel__vfs_sync_dir(const doppel__vfs *v, const char *dir,
                         doppel_error *err);

/** Read a whole (small) file. DOPPEL_ERR_NOTFOUND if it does not exist. */
int doppel__read_file(const char *path, size_t max, const doppel_allocator *a,
                      unsigned char **data, size_t *len, doppel_error *err);

/** Map a whole file read-only (*map NULL for an empty file).
 *  DOPPEL_ERR_NOTFOUND if it does not exist. */
int doppel__map_file(const char *path, const unsigned char **map,
                     size_t *size, doppel_error *err);
void doppel__unmap_file(const unsigned char *map, size_t size);

/**
 * Take the writer's lock: flock(LOCK_EX) on `path` (created if missing),
 * waiting if `wait`, else DOPPEL_ERR_BUSY at once. *fd keeps the lock
 * until doppel__unlock(). flock locks belong to the open file, so a second
 * writer in the same process is refused too.
 */
int doppel__lock(const doppel__vfs *v, const char *path, int wait, int *fd,
                 doppel_error *err);
void doppel__unlock(const doppel__vfs *v, int fd);

/** Call fn(ctx, name) for every entry of a directory but . and ..;
 *  stops at the first nonzero return and returns it. -1 with errno if the
 *  directory cannot be read. */
int doppel__list_dir(const char *dir, int (*fn)(void *ctx, const char *name),
                     void *ctx);

/** An I/O error message: "PATH: WHAT: strerror(errnum)"; returns code. */
int doppel__io_error(doppel_error *err, int code, const char *path,
                     const char *what, int errnum);

#endif
