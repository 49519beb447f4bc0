/*
 * tempfile.c — see tempfile.h.
 *
 * The registry is the one piece of process-wide mutable state in the CLI,
 * and it must be: a signal handler receives no argument through which it
 * could find the files. It holds a handful of fixed-size path buffers and
 * a sig_atomic_t "in use" flag per slot. A slot's path is written before
 * its flag is set and the flag is cleared before the path is released, and
 * both happen with the handled signals blocked, so the handler only ever
 * sees complete paths of files that exist. (Temporary files are created
 * and renamed by the main thread while it is the only thread, so blocking
 * signals in that thread is enough.) The handler calls only unlink(),
 * which is async-signal-safe.
 */
#define _POSIX_C_SOURCE 200809L
#include "tempfile.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS 4
#define SLOT_PATH 4096

static char registry_path[SLOTS][SLOT_PATH];
static volatile sig_atomic_t registry_used[SLOTS];

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSIGNALS (sizeof handled_signals / sizeof handled_signals[0])

static void on_fatal_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < SLOTS; i++)
        if (registry_used[i])
            unlink(registry_path[i]);
    /* SA_RESETHAND restored the default action; the signal is blocked
     * while this handler runs and is delivered again when it returns. */
    raise(sig);
    errno = saved;
}

void cli_tempfile_install_handlers(void)
{
    /* A file size limit (ulimit -f) is a write error like a full disk
     * (EFBIG), reported and cleaned up, rather than death by SIGXFSZ with
     * the temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < NSIGNALS; i++) {
        struct sigaction old;
        /* Leave ignored signals ignored (nohup, a parent ignoring SIGPIPE). */
        if (sigaction(handled_signals[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        sigaction(handled_signals[i], &sa, NULL);
    }
}

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaddset(&set, handled_signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

int cli_tempfile_create(cli_tempfile *t, const char *dir, const char *prefix)
{
    t->slot = -1;
    t->fd = -1;
    t->path = NULL;
    size_t need = strlen(dir) + 1 + strlen(prefix) + 6 + 1;
    if (need > SLOT_PATH) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char *path = malloc(need);
    if (!path) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(path, need, "%s/%sXXXXXX", dir, prefix);
    sigset_t old;
    block_signals(&old);
    int slot = -1;
    for (int i = 0; i < SLOTS; i++) {
        if (!registry_used[i]) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        restore_signals(&old);
        free(path);
        errno = EMFILE;
        return -1;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        int e = errno;
        restore_signals(&old);
        free(path);
        errno = e;
        return -1;
    }
    memcpy(registry_path[slot], path, need);
    registry_used[slot] = 1;
    restore_signals(&old);
    t->slot = slot;
    t->fd = fd;
    t->path = path;
    return 0;
}

static void unregister(cli_tempfile *t)
{
    if (t->slot >= 0)
        registry_used[t->slot] = 0;
    t->slot = -1;
}

int cli_tempfile_rename(cli_tempfile *t, const char *dest)
{
    sigset_t old;
    block_signals(&old);
    int rc = rename(t->path, dest);
    int e = errno;
    if (rc == 0) {
        unregister(t);
        free(t->path);
        t->path = NULL;
    }
    restore_signals(&old);
    errno = e;
    return rc;
}

void cli_tempfile_remove(cli_tempfile *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->path) {
        sigset_t old;
        block_signals(&old);
        unlink(t->path);
        unregister(t);
        restore_signals(&old);
        free(t->path);
        t->path = NULL;
    }
}
