/*
 * index.c — a doppel_index: creating and opening one, the snapshot a
 * handle sees, publishing a new commit, and the read-only calls that need
 * nothing else (parameters, stats, scan, verify). docs/index.md explains
 * the design; commit.c the commit protocol; segment.c and state.c the
 * files.
 *
 * Opening reads COMMIT, maps the state file (checked whole) and the
 * segments (header and footer checked; see DOPPEL_INDEX_VERIFY), and
 * checks that they agree with each other. A reader takes no lock, so the
 * writer may publish a newer commit and remove files of the old one while
 * a reader is between reading COMMIT and mapping those files: a file named
 * by COMMIT but missing sends the reader back to read COMMIT again, and
 * only a missing file of an unchanged COMMIT is damage.
 */
#define _POSIX_C_SOURCE 200809L
#include "index.h"
#include "params.h"
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Re-reads of COMMIT allowed while a writer keeps replacing it. */
#define OPEN_ATTEMPTS 100

int doppel__index_check_writer(const doppel_index *ix, int nothing_staged,
                               const char *what, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix, err, DOPPEL_ERR_PARAM,
                           "index must not be NULL");
    DOPPEL_RETURN_ERROR_IF(ix->lock_fd < 0, err, DOPPEL_ERR_STATE,
                           "%s: %s needs the index opened for writing "
                           "(DOPPEL_INDEX_WRITE)",
                           ix->dir, what);
    DOPPEL_RETURN_ERROR_IF(nothing_staged && ix->pending.n, err,
                           DOPPEL_ERR_STATE,
                           "%s: %s: %zu documents are staged; commit or roll "
                           "them back first",
                           ix->dir, what, ix->pending.n);
    return DOPPEL_OK;
}

/* ------------------------------------------------------------ snapshot */

typedef struct snapshot {
    doppel__commit commit;
    doppel__seg *segs;
    uint32_t *base;
    doppel__state state;
} snapshot;

static void snapshot_free(snapshot *s, const doppel_allocator *a)
{
    if (s->segs)
        for (uint32_t i = 0; i < s->commit.nsegs; i++)
            doppel__seg_close(&s->segs[i], a);
    doppel__free(a, s->segs);
    doppel__free(a, s->base);
    doppel__state_close(&s->state, a);
    doppel__commit_free(&s->commit, a);
    memset(s, 0, sizeof *s);
}

/* Open everything c names. DOPPEL_ERR_NOTFOUND when a file is missing. */
static int snapshot_open(snapshot *s, const char *dir, int verify,
                         const doppel__seg_layout *lay,
                         const doppel_allocator *a, doppel_error *err)
{
    const doppel__commit *c = &s->commit;
    uint32_t df_K =
        doppel__corpus_df_wanted(&c->params) ? c->params.num_perm : 0;
    int rc = doppel__state_open(&s->state, dir, c->state_number,
                                c->state_sum, df_K, a, err);
    if (rc < 0)
        return rc;
    s->segs = doppel__calloc_array(a, c->nsegs ? c->nsegs : 1,
                                   sizeof *s->segs);
    s->base = doppel__malloc_array(a, (size_t)c->nsegs + 1, sizeof *s->base);
    if (!s->segs || !s->base)
        return DOPPEL_NOMEM(err);
    uint64_t pos = 0;
    for (uint32_t i = 0; i < c->nsegs; i++) {
        const doppel__commit_seg *e = &c->segs[i];
        doppel__seg *g = &s->segs[i];
        rc = doppel__seg_open(g, dir, e->number, lay, verify, a, err);
        if (rc < 0)
            return rc;
        if (g->size != e->size || g->sf.header_sum != e->header_sum ||
            g->n != e->docs)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: not the file COMMIT names (its size, "
                                 "header checksum or document count "
                                 "differs)",
                                 g->path);
        if (i && g->first_number <= s->segs[i - 1].last_number)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: document numbers %u-%u overlap the "
                                 "previous segment's",
                                 g->path, g->first_number, g->last_number);
        if (g->last_number >= c->next_number)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: document number %u is not below "
                                 "COMMIT's next number %u",
                                 g->path, g->last_number, c->next_number);
        s->base[i] = (uint32_t)pos;
        pos += g->n;
    }
    s->base[c->nsegs] = (uint32_t)pos;
    if (pos != s->state.P)
        return doppel__error(err, DOPPEL_ERR_CORRUPT,
                             "%s: describes %u documents, the segments hold "
                             "%llu",
                             s->state.path, s->state.P,
                             (unsigned long long)pos);
    for (uint32_t i = 0; i < c->nsegs; i++) {
        uint32_t live = 0;
        for (uint32_t p = s->base[i]; p < s->base[i + 1]; p++)
            live += !doppel__bit(s->state.deleted, p);
        if (live != c->segs[i].live)
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: COMMIT says %u live documents, the "
                                 "state file %u",
                                 s->segs[i].path, c->segs[i].live, live);
    }
    return DOPPEL_OK;
}

static void layout_of(doppel__seg_layout *lay, const doppel__commit *c)
{
    lay->fingerprint = c->fingerprint;
    lay->K = c->params.num_perm;
    doppel__bandset_init(&lay->bands, &c->params);
}

/* Make s the handle's snapshot, freeing the one it had. */
static void install(doppel_index *ix, const snapshot *s)
{
    snapshot old = {ix->commit, ix->segs, ix->base, ix->state};
    snapshot_free(&old, ix->alloc);
    ix->commit = s->commit;
    ix->segs = s->segs;
    ix->base = s->base;
    ix->state = s->state;
}

/* Load the current commit into ix (replacing its snapshot on success). */
static int load(doppel_index *ix, int verify, doppel_error *err)
{
    const doppel_allocator *a = ix->alloc;
    snapshot s;
    uint64_t last_generation = 0;
    for (int attempt = 0;; attempt++) {
        memset(&s, 0, sizeof s);
        int rc = doppel__commit_read(&s.commit, ix->dir, a, err);
        if (rc < 0)
            return rc;
        if (ix->sk && doppel__params_mismatch(&ix->params, &s.commit.params,
                                              ix->dir, NULL) < 0) {
            snapshot_free(&s, a);
            return doppel__error(err, DOPPEL_ERR_CORRUPT,
                                 "%s: COMMIT now has other parameters than "
                                 "when the index was opened",
                                 ix->dir);
        }
        doppel__seg_layout lay;
        layout_of(&lay, &s.commit);
        rc = snapshot_open(&s, ix->dir, verify, &lay, a, err);
        if (rc == DOPPEL_OK) {
            ix->lay = lay;
            ix->params = s.commit.params;
            break;
        }
        uint64_t gen = s.commit.generation;
        snapshot_free(&s, a);
        if (rc != DOPPEL_ERR_NOTFOUND)
            return rc;
        /* A missing file: fine if COMMIT changed meanwhile. */
        if (attempt > 0 && gen == last_generation) {
            return doppel__error_prefix(err, DOPPEL_ERR_CORRUPT,
                                        "%s: a file its COMMIT names is "
                                        "missing",
                                        ix->dir);
        }
        if (attempt + 1 >= OPEN_ATTEMPTS)
            return doppel__error(err, DOPPEL_ERR_BUSY,
                                 "%s: the index kept changing while it was "
                                 "being opened",
                                 ix->dir);
        last_generation = gen;
    }
    install(ix, &s);
    return DOPPEL_OK;
}

int doppel__index_doc(const doppel_index *ix, uint32_t pos, uint32_t *number,
                      const char **id, size_t *id_len, int64_t *date,
                      doppel_error *err)
{
    size_t s = doppel__index_seg_of(ix, pos);
    const doppel__seg *g = &ix->segs[s];
    uint32_t l = pos - ix->base[s];
    if (number)
        *number = g->numbers[l];
    if (date)
        *date = g->dates[l];
    if (id)
        return doppel__seg_id(g, l, id, id_len, err);
    return DOPPEL_OK;
}

/* -------------------------------------------------------- corpus table */

int doppel__index_df_copy(const doppel_index *ix, uint16_t **table,
                          uint64_t *docs, doppel_error *err)
{
    const doppel__state *st = &ix->state;
    *table = NULL;
    *docs = st->df_docs;
    if (!st->df)
        return DOPPEL_OK;
    size_t cells = (size_t)st->df_K * 65536u;
    *table = doppel__malloc_array(ix->alloc, cells, sizeof **table);
    if (!*table)
        return DOPPEL_NOMEM(err);
    memcpy(*table, st->df, cells * sizeof **table);
    return DOPPEL_OK;
}

void doppel__index_df_recount(const doppel_index *ix, const uint64_t *deleted,
                              uint16_t *table, uint64_t *docs)
{
    unsigned K = ix->state.df_K;
    memset(table, 0, (size_t)K * 65536u * sizeof *table);
    *docs = 0;
    for (uint32_t s = 0; s < ix->commit.nsegs; s++) {
        const doppel__seg *g = &ix->segs[s];
        for (uint32_t l = 0; l < g->n; l++) {
            if (doppel__bit(deleted, ix->base[s] + l) ||
                (g->meta[l].flags & DOPPEL__SIG_EMPTY))
                continue;
            doppel__corpus_df_count(table, g->values + (size_t)l * K, K);
            (*docs)++;
        }
    }
}

/* ------------------------------------------------------ removing files */

typedef struct {
    doppel_index *ix;
    const doppel__commit *keep;
} gc_ctx;

/* Is `name` one of the index's files that `keep` does not name? */
static int stale(const doppel__commit *keep, const char *name)
{
    if (strcmp(name, DOPPEL__COMMIT_TMP) == 0)
        return 1;
    unsigned long long num;
    char tail[8];
    int is_seg = sscanf(name, "seg-%llu.dp%1[s]", &num, tail) == 2;
    int is_state = !is_seg &&
                   sscanf(name, "state-%llu.dp%1[s]", &num, tail) == 2;
    if (!is_seg && !is_state)
        return 0;
    char canon[40];
    if (is_seg)
        doppel__seg_name(canon, sizeof canon, num);
    else
        doppel__state_name(canon, sizeof canon, num);
    if (strcmp(canon, name) != 0)
        return 0; /* not a name doppel writes */
    if (is_state)
        return num != keep->state_number;
    for (uint32_t i = 0; i < keep->nsegs; i++)
        if (keep->segs[i].number == num)
            return 0;
    return 1;
}

static int gc_one(void *vctx, const char *name)
{
    gc_ctx *g = vctx;
    if (!stale(g->keep, name))
        return 0;
    char *path = doppel__path_join(g->ix->alloc, g->ix->dir, name);
    if (path) {
        /* Failure only leaves a file for the next writer to remove. */
        g->ix->vfs->unlink(g->ix->vfs->ctx, path);
        doppel__free(g->ix->alloc, path);
    }
    return 0;
}

/* Remove the index's files that the current commit does not name. */
static void collect_garbage(doppel_index *ix)
{
    gc_ctx g = {ix, &ix->commit};
    doppel__list_dir(ix->dir, gc_one, &g);
}

static void remove_file(doppel_index *ix, int seg, uint64_t number)
{
    char name[40];
    if (seg)
        doppel__seg_name(name, sizeof name, number);
    else
        doppel__state_name(name, sizeof name, number);
    char *p = doppel__path_join(ix->alloc, ix->dir, name);
    if (p)
        ix->vfs->unlink(ix->vfs->ctx, p);
    doppel__free(ix->alloc, p);
}

int doppel__index_apply(doppel_index *ix, const doppel__change *ch,
                        int *committed, doppel_error *err)
{
    const doppel_allocator *a = ix->alloc;
    const doppel__commit *cur = &ix->commit;
    if (committed)
        *committed = 0;
    int with_seg = ch->src.n > 0;
    uint32_t nsegs = ch->nkeep + (uint32_t)with_seg;
    doppel__commit next = *cur;
    next.generation++;
    next.segs = doppel__calloc_array(a, nsegs ? nsegs : 1, sizeof *next.segs);
    if (!next.segs)
        return DOPPEL_NOMEM(err);
    next.nsegs = nsegs;
    uint64_t seg_no = cur->next_file;
    uint64_t state_no = seg_no + (uint64_t)with_seg;
    next.next_file = state_no + 1;
    next.state_number = state_no;
    next.next_number = ch->next_number;
    int rc = DOPPEL_OK;
    uint32_t at = 0;
    for (uint32_t i = 0; i <= ch->nkeep; i++) {
        if (with_seg && i == ch->insert_at) {
            doppel__commit_seg *e = &next.segs[at++];
            e->number = seg_no;
            e->docs = (uint32_t)ch->src.n;
            rc = doppel__seg_write(ix->vfs, ix->dir, seg_no, &ix->lay,
                                   &ch->src, ch->postings, &e->size,
                                   &e->header_sum, a, err);
            if (rc < 0)
                break;
        }
        if (i < ch->nkeep)
            next.segs[at++] = cur->segs[ch->keep[i]];
    }
    /* Live documents per segment, from the new positions. */
    uint64_t pos = 0;
    for (uint32_t i = 0; rc == DOPPEL_OK && i < nsegs; i++) {
        uint32_t live = 0;
        for (uint32_t l = 0; l < next.segs[i].docs; l++)
            live += !doppel__bit(ch->state.deleted, (uint32_t)(pos + l));
        next.segs[i].live = live;
        pos += next.segs[i].docs;
    }
    if (rc == DOPPEL_OK && pos != ch->state.P)
        rc = doppel__error(err, DOPPEL_ERR_STATE,
                           "internal error: %u positions for %llu documents",
                           ch->state.P, (unsigned long long)pos);
    if (rc == DOPPEL_OK)
        rc = doppel__state_write(ix->vfs, ix->dir, state_no, &ch->state,
                                 &next.state_size, &next.state_sum, a, err);
    /* Names created for this commit must be durable before COMMIT names
     * them. */
    if (rc == DOPPEL_OK)
        rc = doppel__vfs_sync_dir(ix->vfs, ix->dir, err);
    /* The new snapshot is opened before COMMIT names it: once the rename
     * is done nothing can fail (not even an allocation), so a failed call
     * always leaves the index and the handle as they were. */
    snapshot s;
    memset(&s, 0, sizeof s);
    if (rc == DOPPEL_OK)
        rc = doppel__commit_copy(&s.commit, &next, a, err);
    if (rc == DOPPEL_OK)
        rc = snapshot_open(&s, ix->dir, 0, &ix->lay, a, err);
    if (rc == DOPPEL_OK)
        rc = doppel__commit_write(&next, ix->vfs, ix->dir, a, err);
    doppel__commit_free(&next, a);
    if (rc < 0) {
        /* Not committed: the files written for it are nobody's. */
        snapshot_free(&s, a);
        if (with_seg)
            remove_file(ix, 1, seg_no);
        remove_file(ix, 0, state_no);
        return rc;
    }
    if (committed)
        *committed = 1;
    install(ix, &s);
    collect_garbage(ix);
    return DOPPEL_OK;
}

/* ------------------------------------------------------- open / create */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The first commit of a new index: an empty state file, no segments. */
static int create_commit(doppel_index *ix, const doppel_params *params,
                         doppel_error *err)
{
    doppel__commit c;
    memset(&c, 0, sizeof c);
    c.generation = 1;
    c.state_number = 1;
    c.next_file = 2;
    c.next_number = 0;
    c.params = *params;
    c.fingerprint = doppel__params_fingerprint(params);
    uint64_t none = 0;
    doppel__state_data st = {0, NULL, &none, NULL, 0, NULL, 0, 0};
    int rc = DOPPEL_OK;
    if (doppel__corpus_df_wanted(params)) { /* an empty table */
        st.df_K = params->num_perm;
        st.df = doppel__calloc_array(ix->alloc, (size_t)st.df_K * 65536u,
                                     sizeof *st.df);
        if (!st.df)
            return DOPPEL_NOMEM(err);
    }
    rc = doppel__state_write(ix->vfs, ix->dir, c.state_number, &st,
                             &c.state_size, &c.state_sum, ix->alloc, err);
    doppel__free(ix->alloc, (void *)(uintptr_t)st.df);
    if (rc == DOPPEL_OK)
        rc = doppel__vfs_sync_dir(ix->vfs, ix->dir, err);
    if (rc == DOPPEL_OK)
        rc = doppel__commit_write(&c, ix->vfs, ix->dir, ix->alloc, err);
    return rc;
}

int doppel__index_open_vfs(doppel_index **out, const char *path,
                           const doppel_index_opts *opts,
                           const doppel_params *create_params,
                           const doppel__vfs *vfs, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!out || !path || !opts, err, DOPPEL_ERR_PARAM,
                           "out, path and opts must not be NULL");
    *out = NULL;
    DOPPEL_RETURN_ERROR_IF(opts->version != DOPPEL_INDEX_OPTS_VERSION, err,
                           DOPPEL_ERR_PARAM,
                           "opts.version must be %d, got %u (initialise with "
                           "DOPPEL_INDEX_OPTS_INIT)",
                           DOPPEL_INDEX_OPTS_VERSION, opts->version);
    DOPPEL_RETURN_ERROR_IF(opts->threads > 256, err, DOPPEL_ERR_PARAM,
                           "threads must be in [0, 256], got %u",
                           opts->threads);
    DOPPEL_RETURN_ERROR_IF(
        opts->flags & ~(unsigned)(DOPPEL_INDEX_WRITE | DOPPEL_INDEX_VERIFY |
                                  DOPPEL_INDEX_WAIT),
        err, DOPPEL_ERR_PARAM, "opts.flags has unknown bits: 0x%x",
        opts->flags);
    DOPPEL_RETURN_ERROR_IF(!*path, err, DOPPEL_ERR_PARAM,
                           "the index path must not be empty");
    doppel_params cp;
    if (create_params)
        DOPPEL_FORWARD_IF_ERROR(doppel_params_resolve(create_params, &cp,
                                                      err));
    const doppel_allocator *a = doppel__allocator(opts->allocator);
    doppel_index *ix = doppel__calloc_array(a, 1, sizeof *ix);
    if (!ix)
        return DOPPEL_NOMEM(err);
    ix->alloc = a;
    ix->vfs = vfs;
    ix->lock_fd = -1;
    ix->flags = opts->flags | (create_params ? DOPPEL_INDEX_WRITE : 0);
    ix->threads = opts->threads ? opts->threads : 1;
    int rc = DOPPEL_OK;
    ix->dir = doppel__strndup(a, path, strlen(path));
    if (!ix->dir) {
        rc = DOPPEL_NOMEM(err);
        goto fail;
    }
    if (create_params) {
        if (vfs->mkdir(vfs->ctx, path, 0777) < 0 &&
            !(errno == EEXIST && is_dir(path))) {
            rc = doppel__io_error(err, DOPPEL_ERR_IO, path,
                                  "cannot create the index directory",
                                  errno);
            goto fail;
        }
    } else if (!is_dir(path)) {
        rc = doppel__error(err, DOPPEL_ERR_NOTFOUND,
                           "%s: no index there (not a directory)", path);
        goto fail;
    }
    if (ix->flags & DOPPEL_INDEX_WRITE) {
        char *lock = doppel__path_join(a, path, DOPPEL__LOCK_NAME);
        if (!lock) {
            rc = DOPPEL_NOMEM(err);
            goto fail;
        }
        rc = doppel__lock(vfs, lock, (ix->flags & DOPPEL_INDEX_WAIT) != 0,
                          &ix->lock_fd, err);
        doppel__free(a, lock);
        if (rc < 0)
            goto fail;
    }
    if (create_params) {
        doppel__commit probe;
        doppel_error ignored = {0};
        rc = doppel__commit_read(&probe, path, a, &ignored);
        if (rc == DOPPEL_ERR_NOMEM) {
            rc = DOPPEL_NOMEM(err);
            goto fail;
        }
        if (rc != DOPPEL_ERR_NOTFOUND) {
            if (rc == DOPPEL_OK)
                doppel__commit_free(&probe, a);
            rc = doppel__error(err, DOPPEL_ERR_STATE,
                               "%s: already holds an index", path);
            goto fail;
        }
        /* Anything a killed create left behind goes first. */
        doppel__commit none;
        memset(&none, 0, sizeof none);
        gc_ctx g = {ix, &none};
        none.state_number = UINT64_MAX;
        doppel__list_dir(path, gc_one, &g);
        rc = create_commit(ix, &cp, err);
        if (rc < 0)
            goto fail;
    }
    rc = load(ix, (ix->flags & DOPPEL_INDEX_VERIFY) != 0, err);
    if (rc < 0)
        goto fail;
    if (ix->lock_fd >= 0)
        collect_garbage(ix);
    if (opts->expect &&
        (rc = doppel_index_check_params(ix, opts->expect, err)) < 0)
        goto fail;
    rc = doppel_sketcher_create(&ix->sk, &ix->params, a, err);
    if (rc < 0)
        goto fail;
    doppel__columns_init(&ix->pending, ix->params.num_perm);
    ix->scratch = doppel__calloc_array(a, ix->threads, sizeof *ix->scratch);
    if (!ix->scratch) {
        rc = DOPPEL_NOMEM(err);
        goto fail;
    }
    *out = ix;
    return DOPPEL_OK;
fail:
    doppel_index_free(ix);
    return rc;
}

DOPPEL_API int doppel_index_create(doppel_index **out, const char *path,
                                   const doppel_params *params,
                                   const doppel_index_opts *opts,
                                   doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!params, err, DOPPEL_ERR_PARAM,
                           "params must not be NULL");
    return doppel__index_open_vfs(out, path, opts, params,
                                  doppel__vfs_posix(), err);
}

DOPPEL_API int doppel_index_open(doppel_index **out, const char *path,
                                 const doppel_index_opts *opts,
                                 doppel_error *err)
{
    return doppel__index_open_vfs(out, path, opts, NULL, doppel__vfs_posix(),
                                  err);
}

DOPPEL_API void doppel_index_free(doppel_index *ix)
{
    if (!ix)
        return;
    const doppel_allocator *a = ix->alloc;
    snapshot s = {ix->commit, ix->segs, ix->base, ix->state};
    snapshot_free(&s, a);
    doppel__columns_free(&ix->pending, a);
    if (ix->scratch)
        for (unsigned t = 0; t < ix->threads; t++)
            doppel__scratch_free(&ix->scratch[t], a);
    doppel__free(a, ix->scratch);
    doppel_sketcher_free(ix->sk);
    doppel__unlock(ix->vfs, ix->lock_fd);
    doppel__free(a, ix->dir);
    doppel__free(a, ix);
}

DOPPEL_API const doppel_params *doppel_index_params(const doppel_index *ix)
{
    return ix ? &ix->params : NULL;
}

DOPPEL_API const doppel_sketcher *doppel_index_sketcher(
    const doppel_index *ix)
{
    return ix ? ix->sk : NULL;
}

DOPPEL_API int doppel_index_check_params(const doppel_index *ix,
                                         const doppel_params *params,
                                         doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix || !params, err, DOPPEL_ERR_PARAM,
                           "index and params must not be NULL");
    doppel_params want;
    DOPPEL_FORWARD_IF_ERROR(doppel_params_resolve(params, &want, err));
    return doppel__params_mismatch(&ix->params, &want, ix->dir, err);
}

/* -------------------------------------------------------- read-only API */

DOPPEL_API int doppel_index_stats_get(const doppel_index *ix,
                                      doppel_index_stats *out,
                                      doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix || !out, err, DOPPEL_ERR_PARAM,
                           "index and out must not be NULL");
    memset(out, 0, sizeof *out);
    const doppel__state *st = &ix->state;
    out->generation = ix->commit.generation;
    out->documents = st->live;
    out->deleted = st->P - st->live;
    out->segments = ix->commit.nsegs;
    out->next_number = ix->commit.next_number;
    size_t in_clusters = 0;
    for (uint32_t c = 0; c < st->C; c++) {
        uint32_t k = st->sizes[2 * c + 1];
        in_clusters += k;
        if (k > out->largest_cluster)
            out->largest_cluster = k;
    }
    if (st->live && !out->largest_cluster)
        out->largest_cluster = 1;
    out->clusters = st->live - in_clusters + st->C;
    out->duplicates = st->live - out->clusters;
    out->bytes = ix->commit.state_size;
    for (uint32_t i = 0; i < ix->commit.nsegs; i++)
        out->bytes += ix->commit.segs[i].size;
    out->oldest = out->newest = DOPPEL_NO_DATE;
    for (uint32_t i = 0; i < ix->commit.nsegs; i++) {
        const doppel__seg *g = &ix->segs[i];
        for (uint32_t l = 0; l < g->n; l++) {
            int64_t d = g->dates[l];
            if (d == DOPPEL_NO_DATE ||
                doppel__bit(st->deleted, ix->base[i] + l))
                continue;
            if (out->oldest == DOPPEL_NO_DATE || d < out->oldest)
                out->oldest = d;
            if (out->newest == DOPPEL_NO_DATE || d > out->newest)
                out->newest = d;
        }
    }
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_verify(const doppel_index *ix, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix, err, DOPPEL_ERR_PARAM,
                           "index must not be NULL");
    /* The state file was verified whole when it was opened. */
    for (uint32_t i = 0; i < ix->commit.nsegs; i++)
        DOPPEL_FORWARD_IF_ERROR(doppel__seg_verify(&ix->segs[i], err));
    return DOPPEL_OK;
}

DOPPEL_API int doppel_index_scan(const doppel_index *ix,
                                 int (*fn)(void *ctx,
                                           const doppel_index_entry *e),
                                 void *ctx, doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!ix || !fn, err, DOPPEL_ERR_PARAM,
                           "index and fn must not be NULL");
    const doppel__state *st = &ix->state;
    unsigned K = ix->params.num_perm;
    for (uint32_t p = 0; p < st->P; p++) {
        if (doppel__bit(st->deleted, p))
            continue;
        doppel_index_entry e;
        memset(&e, 0, sizeof e);
        uint32_t num, rnum;
        DOPPEL_FORWARD_IF_ERROR(doppel__index_doc(
            ix, p, &num, &e.doc.id, &e.doc.id_len, &e.doc.date, err));
        e.doc.number = num;
        uint32_t r = st->labels[p];
        DOPPEL_FORWARD_IF_ERROR(doppel__index_doc(
            ix, r, &rnum, &e.representative.id, &e.representative.id_len,
            &e.representative.date, err));
        e.representative.number = rnum;
        doppel__sketch_cref a = doppel__index_cref(ix, p);
        e.empty = (a.meta->flags & DOPPEL__SIG_EMPTY) != 0;
        if (r == p) {
            e.similarity = 1.0;
        } else {
            doppel__sketch_cref b = doppel__index_cref(ix, r);
            doppel_match m;
            doppel__verify(&a, &b, K, &ix->params, NULL, &m);
            e.similarity = (double)(float)m.similarity;
        }
        e.cluster_size = doppel__cluster_size(st->sizes, st->C, r);
        int rc = fn(ctx, &e);
        if (rc != 0)
            return rc;
    }
    return DOPPEL_OK;
}
