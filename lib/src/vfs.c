/*
 * vfs.c — POSIX file operations for the index (vfs.h): the default
 * operations table, durable-write helpers, memory maps, the flock-based
 * writer lock and directory listing.
 */
#define _DEFAULT_SOURCE /* flock() */
#define _POSIX_C_SOURCE 200809L
#include "vfs.h"
#include "gzip.h" /* doppel__strerror */

#include <dirent.h>
#include <stdio.h> /* rename */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int posix_open(void *ctx, const char *path, int flags, unsigned mode)
{
    (void)ctx;
    return open(path, flags | O_CLOEXEC, (mode_t)mode);
}

static ssize_t posix_write(void *ctx, int fd, const void *buf, size_t n)
{
    (void)ctx;
    return write(fd, buf, n);
}

static int posix_fsync(void *ctx, int fd)
{
    (void)ctx;
    return fsync(fd);
}

static int posix_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd);
}

static int posix_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    return rename(from, to);
}

static int posix_unlink(void *ctx, const char *path)
{
    (void)ctx;
    return unlink(path);
}

static int posix_mkdir(void *ctx, const char *path, unsigned mode)
{
    (void)ctx;
    return mkdir(path, (mode_t)mode);
}

static const doppel__vfs posix_vfs = {posix_open,   posix_write,
                                      posix_fsync,  posix_close,
                                      posix_rename, posix_unlink,
                                      posix_mkdir,  NULL};

const doppel__vfs *doppel__vfs_posix(void)
{
    return &posix_vfs;
}

int doppel__io_error(doppel_error *err, int code, const char *path,
                     const char *what, int errnum)
{
    char eb[128];
    const char *es = doppel__strerror(errnum, eb, sizeof eb);
    if (what && *what)
        return doppel__error(err, code, "%s: %s: %s", path, what, es);
    return doppel__error(err, code, "%s: %s", path, es);
}

char *doppel__path_join(const doppel_allocator *a, const char *dir,
                        const char *name)
{
    size_t ld = strlen(dir), ln = strlen(name);
    if (ld > SIZE_MAX / 2 || ln > SIZE_MAX / 2)
        return NULL;
    char *p = doppel__malloc(a, ld + ln + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, ld);
    p[ld] = '/';
    memcpy(p + ld + 1, name, ln + 1);
    return p;
}

int doppel__vfs_write_all(const doppel__vfs *v, int fd, const void *buf,
                          size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t w = v->write(v->ctx, fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int doppel__vfs_sync_dir(const doppel__vfs *v, const char *dir,
                         doppel_error *err)
{
    int fd = v->open(v->ctx, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return doppel__io_error(err, DOPPEL_ERR_IO, dir,
                                "cannot open the directory to sync it",
                                errno);
    int rc = v->fsync(v->ctx, fd);
    int e = errno;
    v->close(v->ctx, fd);
    if (rc < 0 && e != EINVAL)
        return doppel__io_error(err, DOPPEL_ERR_IO, dir,
                                "cannot sync the directory", e);
    return DOPPEL_OK;
}

int doppel__read_file(const char *path, size_t max, const doppel_allocator *a,
                      unsigned char **data, size_t *len, doppel_error *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return doppel__io_error(err,
                                errno == ENOENT ? DOPPEL_ERR_NOTFOUND
                                                : DOPPEL_ERR_IO,
                                path, "", errno);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return doppel__io_error(err, DOPPEL_ERR_IO, path, "", e);
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        close(fd);
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: %lld bytes is more than such a file can "
                             "hold (%zu)",
                             path, (long long)st.st_size, max);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = doppel__malloc(a, size ? size : 1);
    if (!buf) {
        close(fd);
        return DOPPEL_NOMEM(err);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            close(fd);
            doppel__free(a, buf);
            return doppel__io_error(err, DOPPEL_ERR_IO, path, "", e);
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = size;
    return DOPPEL_OK;
}

int doppel__map_file(const char *path, const unsigned char **map,
                     size_t *size, doppel_error *err)
{
    *map = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return doppel__io_error(err,
                                errno == ENOENT ? DOPPEL_ERR_NOTFOUND
                                                : DOPPEL_ERR_IO,
                                path, "", errno);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return doppel__io_error(err, DOPPEL_ERR_IO, path, "", e);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return DOPPEL_OK;
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return doppel__error(err, DOPPEL_ERR_LIMIT,
                             "%s: too large to map", path);
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return doppel__io_error(err, e == ENOMEM ? DOPPEL_ERR_NOMEM
                                                 : DOPPEL_ERR_IO,
                                path, "cannot map", e);
    *map = p;
    *size = (size_t)st.st_size;
    return DOPPEL_OK;
}

void doppel__unmap_file(const unsigned char *map, size_t size)
{
    if (map)
        munmap((void *)map, size);
}

int doppel__lock(const doppel__vfs *v, const char *path, int wait, int *fd,
                 doppel_error *err)
{
    *fd = v->open(v->ctx, path, O_RDWR | O_CREAT, 0644);
    if (*fd < 0)
        return doppel__io_error(err, DOPPEL_ERR_IO, path,
                                "cannot open the lock file", errno);
    int rc;
    do
        rc = flock(*fd, LOCK_EX | (wait ? 0 : LOCK_NB));
    while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        int e = errno;
        v->close(v->ctx, *fd);
        *fd = -1;
        if (e == EWOULDBLOCK)
            return doppel__error(err, DOPPEL_ERR_BUSY,
                                 "%s: another writer has the index open "
                                 "(one writer at a time; readers need no "
                                 "lock)",
                                 path);
        return doppel__io_error(err, DOPPEL_ERR_IO, path, "cannot lock", e);
    }
    return DOPPEL_OK;
}

void doppel__unlock(const doppel__vfs *v, int fd)
{
    if (fd >= 0)
        v->close(v->ctx, fd); /* closing the file releases the lock */
}

int doppel__list_dir(const char *dir, int (*fn)(void *ctx, const char *name),
                     void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int rc = 0, saved = 0;
    while (rc == 0) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            saved = errno;
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        rc = fn(ctx, e->d_name);
    }
    closedir(d);
    if (rc == 0 && saved != 0) {
        errno = saved;
        return -1;
    }
    return rc;
}
