/*
 * check_index_crash.c — an index survives its writer being killed at any
 * point, and any file operation failing (SQLite's crash and I/O-error
 * tests, in small).
 *
 * Every operation that changes a file goes through the index's file
 * operations table (lib/src/vfs.h). Here a table counts them, splits
 * writes into 1 KB pieces (so that counting operations also counts bytes
 * written; 256 KB pieces for writes over 64 KB), and at operation N either
 *   - kills the process with SIGKILL (before the operation, or for a write
 *     after half of its bytes), in a child process; the parent then opens
 *     the index and checks that it holds exactly the documents of before
 *     the change (killed up to the rename of COMMIT) or of after it, that
 *     every checksum holds, and that the next writer cleans up and can
 *     commit again; or
 *   - fails the operation with an I/O error; the call must fail cleanly
 *     (index as before) or, if the failing operation comes after COMMIT
 *     was replaced, succeed; and the same handle must then succeed when
 *     asked again.
 * N sweeps every operation of: creating an index, committing a batch,
 * removing, expiring (dropping a segment), merging and compacting. A last
 * test kills a writer that adds, merges and compacts in a loop after
 * random delays, and checks that every acknowledged batch is there, whole.
 */
#define _POSIX_C_SOURCE 200809L
#include "suites.h"
#include "testcorpus.h"
#include "testutil.h"

#include "index.h"
#include "vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIECE 1024

static void ok(int rc, const doppel_error *err)
{
    ck_assert_msg(rc == DOPPEL_OK, "status %d: %s", rc, err->message);
}

/* ---------------------------------------------------- the operations */

typedef struct faulty {
    doppel__vfs vfs;
    long ops;       /* operations so far */
    long kill_at;   /* die at this operation (-1: never) */
    int mid;        /* ... after writing half of it (writes only) */
    long fail_at;   /* fail this operation (-1: never) */
    long rename_op; /* the operation that renamed COMMIT.tmp, or -1 */
    long renames[4]; /* every such operation, in order */
    int nrenames;
    long writes[4096]; /* which operations were writes (up to 4096) */
    char kinds[4096];  /* o(pen) w(rite) f(sync) c(lose) r(ename) u(nlink)
                          m(kdir) */
} faulty;

static long begin(faulty *f, int *fail, char kind)
{
    long op = f->ops++;
    if (op < 4096)
        f->kinds[op] = kind;
    *fail = op == f->fail_at;
    if (op == f->kill_at && !f->mid)
        raise(SIGKILL);
    return op;
}

static int f_open(void *ctx, const char *path, int flags, unsigned mode)
{
    faulty *f = ctx;
    int fail;
    begin(f, &fail, 'o');
    if (fail) {
        errno = EIO;
        return -1;
    }
    return open(path, flags | O_CLOEXEC, (mode_t)mode);
}

static ssize_t f_write(void *ctx, int fd, const void *buf, size_t n)
{
    faulty *f = ctx;
    int fail;
    long op = begin(f, &fail, 'w');
    if (op < 4096)
        f->writes[op] = 1;
    if (fail) {
        errno = ENOSPC;
        return -1;
    }
    /* Pieces of 1 KB, so that counting operations also counts bytes; a
     * large write (the corpus table's megabytes) goes in 256 KB pieces,
     * which still kills writers inside it but keeps the sweep short. */
    size_t piece = n > 64 * PIECE ? 256 * PIECE : PIECE;
    if (n > piece)
        n = piece;
    if (op == f->kill_at && f->mid) {
        if (write(fd, buf, n / 2) < 0) {
            /* dying anyway */
        }
        raise(SIGKILL);
    }
    return write(fd, buf, n);
}

/* Counted, and may fail or die, but not done: a killed process loses
 * nothing the page cache holds (only a power cut would, which this suite
 * does not simulate), and thousands of fsyncs of the corpus table's 16 MB
 * would take minutes. */
static int f_fsync(void *ctx, int fd)
{
    faulty *f = ctx;
    int fail;
    (void)fd;
    begin(f, &fail, 'f');
    if (fail) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static int f_close(void *ctx, int fd)
{
    faulty *f = ctx;
    int fail;
    begin(f, &fail, 'c');
    int rc = close(fd); /* a failed close still closes */
    if (fail) {
        errno = EIO;
        return -1;
    }
    return rc;
}

static int f_rename(void *ctx, const char *from, const char *to)
{
    faulty *f = ctx;
    int fail;
    long op = begin(f, &fail, 'r');
    if (fail) {
        errno = EIO;
        return -1;
    }
    size_t n = strlen(to);
    if (n >= 7 && strcmp(to + n - 7, "/COMMIT") == 0) {
        f->rename_op = op;
        if (f->nrenames < 4)
            f->renames[f->nrenames++] = op;
    }
    return rename(from, to);
}

static int f_unlink(void *ctx, const char *path)
{
    faulty *f = ctx;
    int fail;
    begin(f, &fail, 'u');
    if (fail) {
        errno = EIO;
        return -1;
    }
    return unlink(path);
}

static int f_mkdir(void *ctx, const char *path, unsigned mode)
{
    faulty *f = ctx;
    int fail;
    begin(f, &fail, 'm');
    if (fail) {
        errno = EIO;
        return -1;
    }
    return mkdir(path, (mode_t)mode);
}

static void faulty_init(faulty *f, long kill_at, int mid, long fail_at)
{
    memset(f, 0, sizeof *f);
    f->vfs = (doppel__vfs){f_open,   f_write,  f_fsync, f_close,
                           f_rename, f_unlink, f_mkdir, f};
    f->kill_at = kill_at;
    f->mid = mid;
    f->fail_at = fail_at;
    f->rename_op = -1;
}

/* ------------------------------------------------------- directories */

static void copy_dir(const char *from, const char *to)
{
    tu_rmtree(to);
    if (mkdir(to, 0700) != 0 && errno != EEXIST)
        ck_abort_msg("mkdir %s", to);
    DIR *d = opendir(from);
    if (!d)
        return; /* nothing there yet (the create scenario) */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char a[4200], b[4200];
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        size_t len;
        char *data = tu_read_file(a, &len);
        ck_assert_ptr_nonnull(data);
        tu_write_file(b, data, len);
        free(data);
    }
    closedir(d);
}

/* The index's live ids in order, or "(none)" when there is no index. */
static int list_cb(void *ctx, const doppel_index_entry *e)
{
    char *buf = ctx;
    size_t len = strlen(buf);
    snprintf(buf + len, 16384 - len, "%s%.*s", len ? " " : "",
             (int)e->doc.id_len, e->doc.id);
    return 0;
}

static void listing(const char *path, char *buf)
{
    buf[0] = '\0';
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = DOPPEL_INDEX_VERIFY;
    doppel_index *ix;
    doppel_error err = {0};
    int rc = doppel_index_open(&ix, path, &o, &err);
    if (rc == DOPPEL_ERR_NOTFOUND) {
        strcpy(buf, "(none)");
        return;
    }
    ok(rc, &err);
    ok(doppel_index_verify(ix, &err), &err);
    /* The layout too, so that a merge is a visible change. */
    doppel_index_stats st;
    ok(doppel_index_stats_get(ix, &st, &err), &err);
    sprintf(buf, "[%zu segments, %zu deleted]", st.segments, st.deleted);
    ok(doppel_index_scan(ix, list_cb, buf, &err), &err);
    doppel_index_free(ix);
}

/* Only the files the commit names (and LOCK) are left. */
static void only_committed_files(const char *path)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    doppel_error err = {0};
    ok(doppel_index_open(&ix, path, &o, &err), &err);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        if (strcmp(e->d_name, "COMMIT") == 0 || strcmp(e->d_name, "LOCK") == 0)
            continue;
        char name[64];
        doppel__state_name(name, sizeof name, ix->state.number);
        int named = strcmp(e->d_name, name) == 0;
        for (uint32_t i = 0; i < ix->commit.nsegs && !named; i++) {
            doppel__seg_name(name, sizeof name, ix->segs[i].number);
            named = strcmp(e->d_name, name) == 0;
        }
        ck_assert_msg(named, "%s: stray file %s", path, e->d_name);
    }
    closedir(d);
    ck_assert_int_eq(files, 3 + (int)ix->commit.nsegs);
    doppel_index_free(ix);
}

/* --------------------------------------------------------- scenarios */

enum scenario { S_CREATE, S_ADD, S_REMOVE, S_EXPIRE, S_MERGE, S_COMPACT };
static const char *const scenario_names[] = {"create", "add", "remove",
                                             "expire", "merge", "compact"};

typedef struct world {
    tc_docs D;
    char *dir;
    char base[4200], work[4200];
} world;

static doppel_index *writer(const char *path, const doppel__vfs *vfs,
                            doppel_error *err, int *rc)
{
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    o.flags = DOPPEL_INDEX_WRITE;
    doppel_index *ix = NULL;
    *rc = doppel__index_open_vfs(&ix, path, &o, NULL, vfs, err);
    return ix;
}

/* The index each scenario starts from (in w->base). */
static void setup(world *w, enum scenario s)
{
    tu_rmtree(w->base);
    if (s == S_CREATE)
        return;
    doppel_params p = DOPPEL_PARAMS_INIT;
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    doppel_error err = {0};
    ok(doppel_index_create(&ix, w->base, &p, &o, &err), &err);
    /* Four small segments, one of copies, one document removed. */
    for (int b = 0; b < 4; b++) {
        ok(doppel_index_add(ix, w->D.d + 8 * b, 8, &err), &err);
        ok(doppel_index_commit(ix, NULL, &err), &err);
    }
    size_t removed;
    ok(doppel_index_remove(ix, &w->D.d[9].id, &w->D.d[9].id_len, 1, &removed,
                           &err),
       &err);
    doppel_index_free(ix);
}

/* The change of scenario s (not create) on an open writer. */
static int step(world *w, enum scenario s, doppel_index *ix,
                doppel_error *err)
{
    int rc = DOPPEL_OK;
    size_t removed;
    const char *ids[3] = {w->D.d[1].id, w->D.d[17].id, w->D.d[30].id};
    size_t lens[3] = {w->D.d[1].id_len, w->D.d[17].id_len,
                      w->D.d[30].id_len};
    switch (s) {
    case S_ADD:
        /* After a failed commit the batch is still staged. */
        if (doppel_index_pending(ix) == 0)
            rc = doppel_index_add(ix, w->D.d + 40, 10, err);
        if (rc == DOPPEL_OK)
            rc = doppel_index_commit(ix, NULL, err);
        return rc;
    case S_REMOVE:
        return doppel_index_remove(ix, ids, lens, 3, &removed, err);
    case S_EXPIRE: /* the first segment's documents are the oldest */
        return doppel_index_expire(ix, w->D.d[8].date, &removed, err);
    case S_MERGE:
        return doppel_index_merge(ix, err);
    case S_COMPACT:
        return doppel_index_compact(ix, err);
    case S_CREATE:
        break;
    }
    return rc;
}

/*
 * Run scenario s on w->work with the operations table vfs. With `retry`,
 * a failure is followed by a second attempt with the operations working
 * (on the same handle when there is one), and 1 is returned if that
 * succeeds.
 */
static int run(world *w, enum scenario s, const doppel__vfs *vfs,
               doppel_error *err, int retry)
{
    faulty *f = vfs->ctx;
    int rc, failed = 0;
    doppel_index *ix = NULL;
    if (s == S_CREATE) {
        doppel_params p = DOPPEL_PARAMS_INIT;
        doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
        rc = doppel__index_open_vfs(&ix, w->work, &o, &p, vfs, err);
        if (rc == DOPPEL_OK) {
            rc = doppel_index_add(ix, w->D.d + 40, 4, err);
            if (rc == DOPPEL_OK)
                rc = doppel_index_commit(ix, NULL, err);
        }
        doppel_index_free(ix);
        return rc;
    }
    ix = writer(w->work, vfs, err, &rc);
    if (rc < 0 && retry) {
        failed = 1;
        f->fail_at = -1;
        ix = writer(w->work, vfs, err, &rc);
    }
    if (rc < 0)
        return rc;
    rc = step(w, s, ix, err);
    if (rc < 0 && retry && !failed) {
        failed = 1;
        f->fail_at = -1;
        rc = step(w, s, ix, err);
    }
    doppel_index_free(ix);
    return rc == DOPPEL_OK && failed ? 1 : rc;
}

static void must_use_next(world *w)
{
    /* The next writer cleans up and commits (through operations that
     * never fail, and skip fsync as the others do). */
    doppel_error err = {0};
    int rc;
    faulty f;
    faulty_init(&f, -1, 0, -1);
    doppel_index *ix = writer(w->work, &f.vfs, &err, &rc);
    if (rc == DOPPEL_ERR_NOTFOUND)
        return; /* a create killed before its COMMIT */
    ok(rc, &err);
    doppel_index_free(ix);
    only_committed_files(w->work);
    ix = writer(w->work, &f.vfs, &err, &rc);
    ok(rc, &err);
    ok(doppel_index_add(ix, w->D.d + 60, 3, &err), &err);
    ok(doppel_index_commit(ix, NULL, &err), &err);
    ok(doppel_index_merge(ix, &err), &err);
    doppel_index_free(ix);
    char buf[16384];
    listing(w->work, buf);
}

static int killed_sweep(world *w, enum scenario s)
{
    setup(w, s);
    static char before[16384], after[16384], now[16384];
    copy_dir(w->base, w->work);
    if (s == S_CREATE)
        tu_rmtree(w->work);
    listing(w->work, before);
    /* A dry run counts the operations and finds the rename. */
    faulty f;
    faulty_init(&f, -1, 0, -1);
    doppel_error err = {0};
    ok(run(w, s, &f.vfs, &err, 0), &err);
    listing(w->work, after);
    ck_assert_str_ne(before, after);
    ck_assert_int_ge(f.rename_op, 0);
    long total = f.ops, rename_op = f.rename_op;
    ck_assert_int_le(total, 4096);
    /* The states the index passes through: one commit per scenario, two
     * for create (the empty index, then its first batch). */
    const char *states[3] = {before, after, NULL};
    ck_assert_int_eq(f.nrenames, s == S_CREATE ? 2 : 1);
    if (s == S_CREATE) {
        states[1] = "[0 segments, 0 deleted]";
        states[2] = after;
    }
    long renames[4];
    memcpy(renames, f.renames, sizeof renames);
    static long writes[4096];
    memcpy(writes, f.writes, sizeof writes);
    int points = 0;
    for (long k = 0; k < total; k++) {
        for (int mid = 0; mid <= (writes[k] ? 1 : 0); mid++) {
            copy_dir(w->base, w->work);
            if (s == S_CREATE)
                tu_rmtree(w->work);
            fflush(NULL);
            pid_t pid = fork();
            ck_assert_int_ge(pid, 0);
            if (pid == 0) {
                faulty fk;
                faulty_init(&fk, k, mid, -1);
                doppel_error e = {0};
                run(w, s, &fk.vfs, &e, 0);
                _exit(3); /* not killed: the sweep is wrong */
            }
            int st;
            ck_assert_int_eq(waitpid(pid, &st, 0), pid);
            ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                          "%s: operation %ld: child not killed (%d)",
                          scenario_names[s], k, st);
            listing(w->work, now);
            int done = 0; /* commits completed before operation k */
            while (done < f.nrenames && renames[done] < k)
                done++;
            const char *want = states[done];
            ck_assert_msg(strcmp(now, want) == 0,
                          "%s killed at operation %ld%s (COMMIT renamed at "
                          "%ld): index holds\n%.300s\nexpected\n%.300s",
                          scenario_names[s], k, mid ? " (mid-write)" : "",
                          rename_op, now, want);
            must_use_next(w);
            points++;
        }
    }
    return points;
}

/* The total number of kill points, for the closing report. */
static int total_points;

START_TEST(test_killed_at_every_operation)
{
    world w;
    memset(&w, 0, sizeof w);
    w.dir = tu_mkdtemp();
    snprintf(w.base, sizeof w.base, "%s/base", w.dir);
    snprintf(w.work, sizeof w.work, "%s/work", w.dir);
    tc_load_wikinews(&w.D, 64);
    int points = 0;
    for (int s = S_CREATE; s <= S_COMPACT; s++) {
        int p = killed_sweep(&w, (enum scenario)s);
        ck_assert_int_gt(p, 10);
        points += p;
    }
    total_points = points;
    printf("index_crash: %d kill points survived\n", points);
    ck_assert_int_gt(points, 200);
    tc_free(&w.D);
    tu_rmtree(w.dir);
    free(w.dir);
}
END_TEST

START_TEST(test_failing_at_every_operation)
{
    world w;
    memset(&w, 0, sizeof w);
    w.dir = tu_mkdtemp();
    snprintf(w.base, sizeof w.base, "%s/base", w.dir);
    snprintf(w.work, sizeof w.work, "%s/work", w.dir);
    tc_load_wikinews(&w.D, 64);
    static char before[16384], after[16384], now[16384];
    int failures = 0;
    for (int si = S_ADD; si <= S_COMPACT; si++) {
        enum scenario s = (enum scenario)si;
        setup(&w, s);
        copy_dir(w.base, w.work);
        listing(w.work, before);
        faulty f;
        faulty_init(&f, -1, 0, -1);
        doppel_error err = {0};
        ok(run(&w, s, &f.vfs, &err, 0), &err);
        listing(w.work, after);
        long total = f.ops, rename_op = f.rename_op;
        static char kinds[4096];
        memcpy(kinds, f.kinds, sizeof kinds);
        for (long k = 0; k < total; k++) {
            copy_dir(w.base, w.work);
            faulty_init(&f, -1, 0, k);
            memset(&err, 0, sizeof err);
            int rc = run(&w, s, &f.vfs, &err, 1);
            ck_assert_msg(rc >= 0, "%s failing at %ld: the retry failed: %s",
                          scenario_names[s], k, err.message);
            /* Up to the rename every failure is reported (closing the
             * directory after syncing it excepted); after it, the change
             * is made and only best-effort steps remain. */
            if (k > rename_op)
                ck_assert_msg(rc == DOPPEL_OK, "%s failing at %ld (after "
                              "the rename at %ld) reported an error",
                              scenario_names[s], k, rename_op);
            else if (kinds[k] != 'c')
                ck_assert_msg(rc == 1, "%s: operation %ld ('%c') failed "
                              "unnoticed", scenario_names[s], k, kinds[k]);
            listing(w.work, now);
            ck_assert_str_eq(now, after);
            failures += rc == 1;
            /* The next writer removes what a failed step left. */
            int orc;
            doppel_index *ix = writer(w.work, doppel__vfs_posix(), &err, &orc);
            ok(orc, &err);
            doppel_index_free(ix);
            only_committed_files(w.work);
        }
        (void)before;
    }
    printf("index_crash: %d failing operations reported and retried\n",
           failures);
    ck_assert_int_gt(failures, 50);
    tc_free(&w.D);
    tu_rmtree(w.dir);
    free(w.dir);
}
END_TEST

/*
 * A writer adding batches of 10 (merging after each, compacting every
 * fourth) is killed after a random delay; every batch it acknowledged is
 * in the index, whole, and at most one more.
 */
START_TEST(test_killed_at_random_times)
{
    char *dir = tu_mkdtemp();
    char path[4200];
    snprintf(path, sizeof path, "%s/idx", dir);
    tc_docs D = {0};
    tc_load_wikinews(&D, 0);
    uint64_t seed = 12345;
    for (int trial = 0; trial < 12; trial++) {
        tu_rmtree(path);
        doppel_params p = DOPPEL_PARAMS_INIT;
        doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
        doppel_index *ix;
        doppel_error err = {0};
        ok(doppel_index_create(&ix, path, &p, &o, &err), &err);
        doppel_index_free(ix);
        int ack[2];
        ck_assert_int_eq(pipe(ack), 0);
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            close(ack[0]);
            o.flags = DOPPEL_INDEX_WRITE;
            if (doppel_index_open(&ix, path, &o, NULL) < 0)
                _exit(1);
            for (unsigned b = 0;; b++) {
                doppel_doc docs[10];
                char ids[10][32];
                for (int i = 0; i < 10; i++) {
                    docs[i] = D.d[(b * 10 + (unsigned)i) % D.n];
                    snprintf(ids[i], sizeof ids[i], "b%u-%d", b, i);
                    docs[i].id = ids[i];
                    docs[i].id_len = strlen(ids[i]);
                }
                if (doppel_index_add(ix, docs, 10, NULL) < 0 ||
                    doppel_index_commit(ix, NULL, NULL) < 0)
                    _exit(2);
                if (write(ack[1], &b, sizeof b) != sizeof b)
                    _exit(3);
                if (doppel_index_merge(ix, NULL) < 0)
                    _exit(4);
                if (b % 4 == 3 && doppel_index_compact(ix, NULL) < 0)
                    _exit(5);
            }
        }
        close(ack[1]);
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        long ms = 20 + (long)((seed >> 33) % 400);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFSIGNALED(st), "writer exited with %d", st);
        long last = -1;
        unsigned b;
        while (read(ack[0], &b, sizeof b) == sizeof b)
            last = b;
        close(ack[0]);
        /* Every batch up to `last`, maybe one more, each whole. */
        o.flags = DOPPEL_INDEX_VERIFY;
        ok(doppel_index_open(&ix, path, &o, &err), &err);
        doppel_index_stats sst;
        ok(doppel_index_stats_get(ix, &sst, &err), &err);
        ck_assert_msg(sst.documents == (size_t)(last + 1) * 10 ||
                          sst.documents == (size_t)(last + 2) * 10,
                      "trial %d: %zu documents after batch %ld", trial,
                      sst.documents, last);
        static char buf[1 << 16];
        buf[0] = '\0';
        ok(doppel_index_scan(ix, list_cb, buf, &err), &err);
        char want[32];
        for (long k = 0; k <= last; k++) {
            snprintf(want, sizeof want, "b%ld-9", k);
            ck_assert_msg(strstr(buf, want) != NULL, "batch %ld lost", k);
        }
        doppel_index_free(ix);
        /* And the next writer goes on. */
        o.flags = DOPPEL_INDEX_WRITE;
        ok(doppel_index_open(&ix, path, &o, &err), &err);
        ok(doppel_index_compact(ix, &err), &err);
        doppel_index_free(ix);
        only_committed_files(path);
    }
    tc_free(&D);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *suite_index_crash(void)
{
    Suite *s = suite_create("index_crash");
    TCase *tc = tcase_create("crash");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_killed_at_every_operation);
    tcase_add_test(tc, test_failing_at_every_operation);
    tcase_add_test(tc, test_killed_at_random_times);
    suite_add_tcase(s, tc);
    return s;
}
