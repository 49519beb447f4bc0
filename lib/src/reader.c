/*
 * reader.c — doppel_reader: articles from JSON Lines files, plain article
 * files, directory trees and stdin, any of them gzip-compressed.
 *
 * Inputs are taken in the order given and opened lazily, so a missing file
 * is reported by the doppel_reader_next() that reaches it, after every
 * record before it. Each input is read through a doppel__source (gzip.c),
 * which gunzips when the content starts with 1f 8b, into one line buffer:
 *
 *   buf: [ consumed | start ... pending (no '\n' yet) ... end | free ]
 *
 * Lines are found with memchr and handed to the JSONL parser (jsonl.c) in
 * place; the partial line at the end is moved to the front before the next
 * read. The buffer grows only while a line (or an article file) is being
 * assembled and never beyond max_record_bytes + 2 + one read chunk: an
 * oversize line is detected as soon as max_record_bytes + 2 of it are
 * buffered and is then skipped by discarding chunks until its '\n' (or
 * reported). The parser's unescape buffer can add up to one more record's
 * size, since a record returns both its raw line and its unescaped text.
 *
 * Choices where doppel.h is silent (all deliberate, all tested):
 *   - Directory walk: depth first; the entries of each directory sorted by
 *     the bytes of their names (strcmp), so "a/x" comes before "a.txt";
 *     names starting with '.' skipped (files and directories); symbolic
 *     links to regular files are followed, to directories are not; only
 *     regular files are read (no FIFOs, devices, sockets). An entry that
 *     vanishes between listing and reading, or a dangling symlink, is
 *     skipped. A path given explicitly is followed wherever it leads and
 *     may be anything readable but a directory (a FIFO such as bash's
 *     <(zcat ...) works).
 *   - A file in a directory is one article (id = its path relative to the
 *     directory argument) unless the AUTO rule makes it JSON Lines, in
 *     which case its records carry their own ids and missing ones become
 *     "<path>:<line>" with the full path.
 *   - AUTO: the name suffix test (.jsonl, .ndjson, .jsonl.gz, .ndjson.gz)
 *     ignores ASCII case. The content test skips a UTF-8 BOM and JSON
 *     whitespace; it looks at most at the first max_record_bytes + 2 bytes.
 *   - A plain article: raw is the whole file (with a BOM if it has one);
 *     text is the same bytes without the BOM. An empty file is an article
 *     with text_len 0. Its line is 0 and its date DOPPEL_NO_DATE.
 *   - max_record_bytes counts a JSON line without its line ending ("\n" or
 *     "\r\n") and an article file whole. An oversize article is read only
 *     up to the limit. stats.bytes counts decompressed bytes actually read.
 *     A record whose id is longer than DOPPEL_MAX_ID_BYTES or whose text
 *     is longer than DOPPEL_MAX_TEXT_BYTES (possible only with
 *     max_record_bytes above 1 GiB) is oversize too: nothing downstream
 *     could take it.
 *   - No paths at all is an empty input (doppel_reader_next returns 0), not
 *     stdin: the caller decides what a bare command line means.
 *   - max_record_bytes above SIZE_MAX / 4 is treated as SIZE_MAX / 4
 *     (effectively unlimited; memory is only used as records need it).
 */
#define _POSIX_C_SOURCE 200809L

#include "common.h"
#include "gzip.h"
#include "jsonl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)128 * 1024)
#define INITIAL_BUFFER ((size_t)256 * 1024)
#define DEFAULT_MAX_RECORD ((uint64_t)64 * 1024 * 1024)

typedef struct dir_frame {
    char *arena;     /* the entry names, NUL-terminated, back to back */
    char **names;    /* sorted, pointing into arena */
    size_t n, next;
    size_t path_len; /* the directory's path is r->path[0, path_len) */
} dir_frame;

typedef enum input_mode {
    INPUT_NONE,      /* no input open */
    INPUT_JSONL,
    INPUT_TEXT,      /* an article file, not yet returned */
    INPUT_TEXT_DONE  /* its record has been returned */
} input_mode;

struct doppel_reader {
    const doppel_allocator *a;
    doppel_input_format format;
    int skip_malformed, skip_oversize;
    size_t max_record;
    size_t buf_limit; /* max_record + 2 + READ_CHUNK */
    char **paths;     /* copies, in one allocation with the field names */
    size_t npaths, next_path;

    /* Directory walk: a stack of listed directories. */
    dir_frame *frames;
    size_t nframes, frames_cap;
    size_t rel_start; /* where the relative part of r->path begins */
    char *path;       /* the path being visited */
    size_t path_cap;

    /* The current input. */
    doppel__source *src;
    input_mode mode;
    char *name;       /* its path as reported ("-" for stdin) */
    size_t name_cap;
    char *id;         /* an article's id, or a generated "<path>:<line>" */
    size_t id_cap, id_len;
    uint64_t line;
    char *buf;
    size_t cap, start, end, scan;
    int eof;
    int discarding;   /* skipping the rest of an oversize line */

    doppel__jsonl_parser parser;
    doppel_error scratch; /* parser messages before they get a prefix */
    doppel_reader_stats stats;
    int failed;
};

/* -------------------------------------------------------------- helpers */

static int fail(doppel_reader *r, int rc)
{
    r->failed = 1;
    return rc;
}

static int set_string(doppel_reader *r, char **dst, size_t *cap,
                      const char *s, size_t len, size_t extra)
{
    if (len + 1 + extra > *cap) {
        char *p = doppel__realloc_array(r->a, *dst, len + 1 + extra, 1);
        if (!p)
            return DOPPEL_ERR_NOMEM;
        *dst = p;
        *cap = len + 1 + extra;
    }
    memcpy(*dst, s, len);
    (*dst)[len] = '\0';
    return DOPPEL_OK;
}

static int system_error(doppel_error *err, int errnum, const char *path)
{
    char eb[128], sp[DOPPEL__SHORT_PATH];
    int code = errnum == ENOENT ? DOPPEL_ERR_NOTFOUND : DOPPEL_ERR_IO;
    return doppel__error(err, code, "%s: %s", doppel__short_path(path, sp),
                         doppel__strerror(errnum, eb, sizeof eb));
}

static int has_suffix_ci(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    if (n < m)
        return 0;
    s += n - m;
    for (size_t i = 0; i < m; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suf[i])
            return 0;
    }
    return 1;
}

static int jsonl_by_name(const char *path)
{
    size_t n = strlen(path);
    return has_suffix_ci(path, n, ".jsonl") ||
           has_suffix_ci(path, n, ".ndjson") ||
           has_suffix_ci(path, n, ".jsonl.gz") ||
           has_suffix_ci(path, n, ".ndjson.gz");
}

static int is_json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ------------------------------------------------------------ buffering */

/* Read once more into the buffer (moving pending bytes to the front and
 * growing it when needed). Sets r->eof at the end of the input. */
static int fill(doppel_reader *r, doppel_error *err)
{
    if (r->start == r->end) {
        r->start = r->end = r->scan = 0;
    } else if (r->start > 0 && r->cap - r->end < READ_CHUNK) {
        size_t pending = r->end - r->start;
        memmove(r->buf, r->buf + r->start, pending);
        r->scan -= r->start;
        r->end = pending;
        r->start = 0;
    }
    if (r->cap - r->end < READ_CHUNK && r->cap < r->buf_limit) {
        size_t ncap = r->cap ? r->cap * 2 : INITIAL_BUFFER;
        if (ncap < r->end + READ_CHUNK)
            ncap = r->end + READ_CHUNK;
        if (ncap > r->buf_limit)
            ncap = r->buf_limit;
        char *nb = doppel__realloc_array(r->a, r->buf, ncap, 1);
        if (!nb)
            return DOPPEL_NOMEM(err);
        r->buf = nb;
        r->cap = ncap;
    }
    size_t got;
    DOPPEL_FORWARD_IF_ERROR(
        doppel__source_read(r->src, r->buf + r->end, r->cap - r->end, &got,
                            err));
    if (got == 0)
        r->eof = 1;
    r->end += got;
    r->stats.bytes += got;
    return DOPPEL_OK;
}

/* ---------------------------------------------------------------- inputs */

static void close_input(doppel_reader *r)
{
    if (r->mode != INPUT_NONE)
        doppel__source_close(r->src);
    r->mode = INPUT_NONE;
}

/* Decide JSON Lines or article for AUTO by content: the first byte after
 * a BOM and whitespace. */
static int sniff(doppel_reader *r, int *jsonl, doppel_error *err)
{
    size_t i = 0;
    for (;;) {
        size_t avail = r->end;
        if (avail >= 3 || r->eof) {
            if (i == 0 && avail >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
                i = 3;
            while (i < avail && is_json_ws(r->buf[i]))
                i++;
            if (i < avail) {
                *jsonl = r->buf[i] == '{';
                return DOPPEL_OK;
            }
            if (r->eof || avail > r->max_record + 1) {
                *jsonl = 0;
                return DOPPEL_OK;
            }
        }
        DOPPEL_FORWARD_IF_ERROR(fill(r, err));
    }
}

/* Start reading fd as the input `name`; `id` is the article id a plain
 * file would get. */
static int begin_input(doppel_reader *r, int fd, int own_fd,
                       const char *name, const char *id, doppel_error *err)
{
    size_t nlen = strlen(name);
    /* Room for "<name>:<line>" ids without allocating per record. */
    if (set_string(r, &r->name, &r->name_cap, name, nlen, 0) != DOPPEL_OK ||
        set_string(r, &r->id, &r->id_cap, id, strlen(id), nlen + 24) !=
            DOPPEL_OK) {
        if (own_fd)
            close(fd);
        return DOPPEL_NOMEM(err);
    }
    r->id_len = strlen(id);
    doppel__source_open(r->src, fd, own_fd, r->name);
    r->start = r->end = r->scan = 0;
    r->eof = 0;
    r->line = 0;
    r->discarding = 0;
    r->mode = INPUT_TEXT; /* until decided; close_input needs != NONE */

    int jsonl;
    if (r->format == DOPPEL_INPUT_JSONL)
        jsonl = 1;
    else if (r->format == DOPPEL_INPUT_TEXT)
        jsonl = 0;
    else if (jsonl_by_name(name))
        jsonl = 1;
    else
        DOPPEL_FORWARD_IF_ERROR(sniff(r, &jsonl, err));
    if (jsonl) {
        while (r->end < 3 && !r->eof)
            DOPPEL_FORWARD_IF_ERROR(fill(r, err));
        if (r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
            r->start = r->scan = 3;
        r->mode = INPUT_JSONL;
    }
    return DOPPEL_OK;
}

static int open_file(doppel_reader *r, const char *path, const char *id,
                     doppel_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return system_error(err, errno, path);
    return begin_input(r, fd, 1, path, id, err);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_frame(doppel_reader *r, dir_frame *f)
{
    doppel__free(r->a, f->arena);
    doppel__free(r->a, f->names);
    f->arena = NULL;
    f->names = NULL;
}

/* List the directory r->path[0, path_len) and push it on the walk stack. */
static int push_dir(doppel_reader *r, size_t path_len, doppel_error *err)
{
    if (r->nframes == r->frames_cap &&
        doppel__grow(r->a, (void **)&r->frames, &r->frames_cap,
                     r->nframes + 1, sizeof *r->frames) != DOPPEL_OK)
        return DOPPEL_NOMEM(err);
    const char *dpath = path_len ? r->path : "/";
    DIR *d = opendir(dpath);
    if (!d)
        return system_error(err, errno, dpath);
    dir_frame f = {NULL, NULL, 0, 0, path_len};
    size_t used = 0, acap = 0;
    int rc = DOPPEL_OK;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                rc = system_error(err, errno, dpath);
            break;
        }
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(e->d_name) + 1;
        if (doppel__grow(r->a, (void **)&f.arena, &acap, used + len, 1) !=
            DOPPEL_OK) {
            rc = DOPPEL_NOMEM(err);
            break;
        }
        memcpy(f.arena + used, e->d_name, len);
        used += len;
        f.n++;
    }
    closedir(d);
    if (rc == DOPPEL_OK && f.n) {
        f.names = doppel__malloc_array(r->a, f.n, sizeof *f.names);
        if (!f.names) {
            rc = DOPPEL_NOMEM(err);
        } else {
            char *p = f.arena;
            for (size_t i = 0; i < f.n; i++) {
                f.names[i] = p;
                p += strlen(p) + 1;
            }
            qsort(f.names, f.n, sizeof *f.names, cmp_names);
        }
    }
    if (rc != DOPPEL_OK) {
        free_frame(r, &f);
        return rc;
    }
    r->frames[r->nframes++] = f;
    return DOPPEL_OK;
}

/* r->path = r->path[0, len) + "/" + name. */
static int path_join(doppel_reader *r, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (doppel__grow(r->a, (void **)&r->path, &r->path_cap, len + n + 2, 1) !=
        DOPPEL_OK)
        return DOPPEL_ERR_NOMEM;
    r->path[len] = '/';
    memcpy(r->path + len + 1, name, n + 1);
    return DOPPEL_OK;
}

/* Open the next input. Returns 1 when one is open, 0 when none are left. */
static int next_input(doppel_reader *r, doppel_error *err)
{
    for (;;) {
        if (r->nframes) {
            dir_frame *f = &r->frames[r->nframes - 1];
            if (f->next == f->n) {
                free_frame(r, f);
                r->nframes--;
                continue;
            }
            const char *entry = f->names[f->next++];
            if (path_join(r, f->path_len, entry) != DOPPEL_OK)
                return DOPPEL_NOMEM(err);
            struct stat st;
            if (lstat(r->path, &st) != 0) {
                if (errno == ENOENT)
                    continue; /* vanished since the listing */
                return system_error(err, errno, r->path);
            }
            if (S_ISLNK(st.st_mode)) {
                if (stat(r->path, &st) != 0 || !S_ISREG(st.st_mode))
                    continue; /* dangling, or not to a regular file */
            }
            if (S_ISDIR(st.st_mode)) {
                DOPPEL_FORWARD_IF_ERROR(
                    push_dir(r, f->path_len + 1 + strlen(entry), err));
                continue;
            }
            if (!S_ISREG(st.st_mode))
                continue;
            DOPPEL_FORWARD_IF_ERROR(
                open_file(r, r->path, r->path + r->rel_start, err));
            return 1;
        }
        if (r->next_path == r->npaths)
            return 0;
        const char *p = r->paths[r->next_path++];
        if (strcmp(p, "-") == 0) {
            DOPPEL_FORWARD_IF_ERROR(begin_input(r, STDIN_FILENO, 0, "-", "-",
                                                err));
            return 1;
        }
        struct stat st;
        if (stat(p, &st) != 0)
            return system_error(err, errno, p);
        if (S_ISDIR(st.st_mode)) {
            size_t len = strlen(p);
            while (len > 0 && p[len - 1] == '/')
                len--;
            if (doppel__grow(r->a, (void **)&r->path, &r->path_cap, len + 1,
                             1) != DOPPEL_OK)
                return DOPPEL_NOMEM(err);
            memcpy(r->path, p, len);
            r->path[len] = '\0';
            r->rel_start = len + 1;
            DOPPEL_FORWARD_IF_ERROR(push_dir(r, len, err));
            continue;
        }
        DOPPEL_FORWARD_IF_ERROR(open_file(r, p, p, err));
        return 1;
    }
}

/* ------------------------------------------------------------- records */

/* The next line of a JSONL input, without its line ending. Returns 1, or 0
 * at the end of the input. Oversize lines are skipped or reported here. */
static int next_line(doppel_reader *r, const char **line, size_t *len,
                     doppel_error *err)
{
    char sp[DOPPEL__SHORT_PATH];
    for (;;) {
        if (r->discarding) {
            char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
            if (nl) {
                r->start = r->scan = (size_t)(nl - r->buf) + 1;
                r->discarding = 0;
                continue;
            }
            r->start = r->scan = r->end;
            if (r->eof) {
                r->discarding = 0;
                return 0;
            }
            DOPPEL_FORWARD_IF_ERROR(fill(r, err));
            continue;
        }
        char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
        size_t n;
        const char *l = r->buf + r->start;
        if (nl) {
            n = (size_t)(nl - l);
            r->start = r->scan = (size_t)(nl - r->buf) + 1;
        } else if (r->eof) {
            if (r->start == r->end)
                return 0;
            n = r->end - r->start;
            r->start = r->scan = r->end;
        } else {
            r->scan = r->end;
            if (r->end - r->start <= r->max_record + 1) {
                DOPPEL_FORWARD_IF_ERROR(fill(r, err));
                continue;
            }
            /* Longer than any line with "\r" we could accept. */
            r->line++;
            if (!r->skip_oversize)
                return doppel__error(err, DOPPEL_ERR_LIMIT,
                                     "%s:%llu: line longer than "
                                     "max_record_bytes (%zu bytes)",
                                     doppel__short_path(r->name, sp),
                                     (unsigned long long)r->line,
                                     r->max_record);
            r->stats.oversize++;
            r->discarding = 1;
            r->start = r->scan = r->end;
            continue;
        }
        r->line++;
        if (n && l[n - 1] == '\r')
            n--;
        if (n > r->max_record) {
            if (!r->skip_oversize)
                return doppel__error(err, DOPPEL_ERR_LIMIT,
                                     "%s:%llu: line longer than "
                                     "max_record_bytes (%zu bytes)",
                                     doppel__short_path(r->name, sp),
                                     (unsigned long long)r->line,
                                     r->max_record);
            r->stats.oversize++;
            continue;
        }
        *line = l;
        *len = n;
        return 1;
    }
}

/* A record whose id or text is beyond what doppel can take (doppel.h:
 * DOPPEL_MAX_ID_BYTES, DOPPEL_MAX_TEXT_BYTES) is oversize like a record
 * beyond max_record_bytes: 0 to keep it, 1 to skip it (counted), or the
 * error, which names the file (and the line of a JSON Lines record). */
static int check_record(doppel_reader *r, size_t id_len, size_t text_len,
                        doppel_error *err)
{
    char sp[DOPPEL__SHORT_PATH];
    const char *what;
    size_t len, limit;
    if (id_len > DOPPEL_MAX_ID_BYTES) {
        what = "id";
        len = id_len;
        limit = DOPPEL_MAX_ID_BYTES;
    } else if (text_len > DOPPEL_MAX_TEXT_BYTES) {
        what = "text";
        len = text_len;
        limit = DOPPEL_MAX_TEXT_BYTES;
    } else {
        return 0;
    }
    if (r->skip_oversize) {
        r->stats.oversize++;
        return 1;
    }
    if (r->mode == INPUT_JSONL)
        return doppel__error(err, DOPPEL_ERR_LIMIT,
                             "%s:%llu: %s of %zu bytes is longer than the "
                             "limit of %zu bytes",
                             doppel__short_path(r->name, sp),
                             (unsigned long long)r->line, what, len,
                             limit);
    return doppel__error(err, DOPPEL_ERR_LIMIT,
                         "%s: %s of %zu bytes is longer than the limit of "
                         "%zu bytes",
                         doppel__short_path(r->name, sp), what, len, limit);
}

static int is_blank_line(const char *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
            return 0;
    return 1;
}

/* The next record of a JSONL input: 1, or 0 at its end. */
static int next_jsonl(doppel_reader *r, doppel_record *rec, doppel_error *err)
{
    char sp[DOPPEL__SHORT_PATH];
    for (;;) {
        const char *l = NULL;
        size_t n = 0;
        int rc = next_line(r, &l, &n, err);
        if (rc <= 0)
            return rc;
        if (is_blank_line(l, n)) {
            r->stats.blank++;
            continue;
        }
        doppel__jsonl_record jr;
        rc = doppel__jsonl_parse(&r->parser, l, n, &jr, &r->scratch);
        if (rc == DOPPEL_ERR_FORMAT && r->skip_malformed) {
            r->stats.malformed++;
            continue;
        }
        if (rc != DOPPEL_OK) {
            if (rc == DOPPEL_ERR_NOMEM)
                return DOPPEL_NOMEM(err);
            if (err) {
                *err = r->scratch;
                doppel__error_prefix(err, rc, "%s:%llu",
                                     doppel__short_path(r->name, sp),
                                     (unsigned long long)r->line);
            }
            return rc;
        }
        rc = check_record(r, jr.id ? jr.id_len : 0, jr.text_len, err);
        if (rc < 0)
            return rc;
        if (rc > 0)
            continue;
        rec->text = jr.text;
        rec->text_len = jr.text_len;
        rec->date = jr.date;
        if (jr.id) {
            rec->id = jr.id;
            rec->id_len = jr.id_len;
        } else {
            /* id_cap was sized for this when the input was opened. */
            int k = snprintf(r->id, r->id_cap, "%s:%llu", r->name,
                             (unsigned long long)r->line);
            rec->id = r->id;
            rec->id_len = k < 0 ? 0 : (size_t)k;
        }
        rec->raw = l;
        rec->raw_len = n;
        rec->source = r->name;
        rec->line = r->line;
        return 1;
    }
}

/* The article of a plain input: 1, or 0 when it was skipped as oversize. */
static int read_article(doppel_reader *r, doppel_record *rec,
                        doppel_error *err)
{
    char sp[DOPPEL__SHORT_PATH];
    for (;;) {
        if (r->end > r->max_record) {
            if (!r->skip_oversize)
                return doppel__error(err, DOPPEL_ERR_LIMIT,
                                     "%s: file larger than max_record_bytes "
                                     "(%zu bytes)",
                                     doppel__short_path(r->name, sp),
                                     r->max_record);
            r->stats.oversize++;
            return 0;
        }
        if (r->eof)
            break;
        DOPPEL_FORWARD_IF_ERROR(fill(r, err));
    }
    const char *raw = r->buf ? r->buf : "";
    size_t bom = r->end >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    int rc = check_record(r, r->id_len, r->end - bom, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rec->id = r->id;
    rec->id_len = r->id_len;
    rec->text = raw + bom;
    rec->text_len = r->end - bom;
    rec->date = DOPPEL_NO_DATE;
    rec->raw = raw;
    rec->raw_len = r->end;
    rec->source = r->name;
    rec->line = 0;
    return 1;
}

/* ------------------------------------------------------------------ API */

DOPPEL_API int doppel_reader_open(doppel_reader **out,
                                  const char *const *paths, size_t npaths,
                                  const doppel_reader_opts *opts,
                                  doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!out, err, DOPPEL_ERR_PARAM,
                           "out must not be NULL");
    *out = NULL;
    DOPPEL_RETURN_ERROR_IF(npaths && !paths, err, DOPPEL_ERR_PARAM,
                           "paths must not be NULL when npaths is %zu",
                           npaths);
    const doppel_reader_opts defaults = DOPPEL_READER_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    DOPPEL_RETURN_ERROR_IF(opts->version != DOPPEL_READER_OPTS_VERSION, err,
                           DOPPEL_ERR_PARAM,
                           "reader opts version must be %d, got %u "
                           "(initialise with DOPPEL_READER_OPTS_INIT)",
                           DOPPEL_READER_OPTS_VERSION, opts->version);
    DOPPEL_RETURN_ERROR_IF(opts->format != DOPPEL_INPUT_AUTO &&
                               opts->format != DOPPEL_INPUT_JSONL &&
                               opts->format != DOPPEL_INPUT_TEXT,
                           err, DOPPEL_ERR_PARAM,
                           "format must be DOPPEL_INPUT_AUTO (0), _JSONL (1) "
                           "or _TEXT (2), got %d",
                           (int)opts->format);
    const char *fields[3] = {opts->id_field ? opts->id_field : "id",
                             opts->text_field ? opts->text_field : "text",
                             opts->date_field ? opts->date_field : "date"};
    /* One block: the path pointers, then the paths and the field names. */
    size_t bytes = 0;
    for (size_t i = 0; i < npaths; i++) {
        DOPPEL_RETURN_ERROR_IF(!paths[i], err, DOPPEL_ERR_PARAM,
                               "paths[%zu] must not be NULL", i);
        bytes += strlen(paths[i]) + 1;
    }
    for (int i = 0; i < 3; i++)
        bytes += strlen(fields[i]) + 1;
    DOPPEL_RETURN_ERROR_IF(npaths > (SIZE_MAX - bytes) / sizeof(char *), err,
                           DOPPEL_ERR_PARAM, "too many paths (%zu)", npaths);

    const doppel_allocator *a = opts->allocator;
    doppel_reader *r = doppel__calloc_array(a, 1, sizeof *r);
    if (!r)
        return DOPPEL_NOMEM(err);
    r->a = a;
    r->paths = doppel__malloc(a, npaths * sizeof(char *) + bytes);
    if (!r->paths || doppel__source_create(&r->src, a, err) != DOPPEL_OK) {
        doppel__free(a, r->paths);
        doppel__free(a, r);
        return DOPPEL_NOMEM(err);
    }
    char *p = (char *)(r->paths + npaths);
    for (size_t i = 0; i < npaths; i++) {
        size_t n = strlen(paths[i]) + 1;
        memcpy(p, paths[i], n);
        r->paths[i] = p;
        p += n;
    }
    const char *field_copy[3];
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(fields[i]) + 1;
        memcpy(p, fields[i], n);
        field_copy[i] = p;
        p += n;
    }
    r->npaths = npaths;
    r->format = opts->format;
    r->skip_malformed = opts->skip_malformed != 0;
    r->skip_oversize = opts->skip_oversize != 0;
    uint64_t max = opts->max_record_bytes ? opts->max_record_bytes
                                          : DEFAULT_MAX_RECORD;
    if (max > SIZE_MAX / 4)
        max = SIZE_MAX / 4;
    r->max_record = (size_t)max;
    r->buf_limit = r->max_record + 2 + READ_CHUNK;
    r->mode = INPUT_NONE;
    doppel__jsonl_init(&r->parser, a, field_copy[0], field_copy[1],
                       field_copy[2]);
    *out = r;
    return DOPPEL_OK;
}

DOPPEL_API void doppel_reader_free(doppel_reader *r)
{
    if (!r)
        return;
    close_input(r);
    doppel__source_free(r->src);
    for (size_t i = 0; i < r->nframes; i++)
        free_frame(r, &r->frames[i]);
    doppel__free(r->a, r->frames);
    doppel__free(r->a, r->path);
    doppel__free(r->a, r->name);
    doppel__free(r->a, r->id);
    doppel__free(r->a, r->buf);
    doppel__jsonl_free(&r->parser);
    doppel__free(r->a, r->paths);
    doppel__free(r->a, r);
}

DOPPEL_API int doppel_reader_next(doppel_reader *r, doppel_record *rec,
                                  doppel_error *err)
{
    DOPPEL_RETURN_ERROR_IF(!r || !rec, err, DOPPEL_ERR_PARAM,
                           "reader and record must not be NULL");
    DOPPEL_RETURN_ERROR_IF(r->failed, err, DOPPEL_ERR_STATE,
                           "the reader stopped at an earlier error");
    for (;;) {
        if (r->mode == INPUT_TEXT_DONE)
            close_input(r);
        if (r->mode == INPUT_NONE) {
            int rc = next_input(r, err);
            if (rc < 0)
                return fail(r, rc);
            if (rc == 0)
                return 0;
        }
        int rc;
        if (r->mode == INPUT_JSONL) {
            rc = next_jsonl(r, rec, err);
            if (rc == 0)
                close_input(r);
        } else {
            rc = read_article(r, rec, err);
            if (rc == 1)
                r->mode = INPUT_TEXT_DONE;
            else if (rc == 0)
                close_input(r);
        }
        if (rc < 0)
            return fail(r, rc);
        if (rc == 1) {
            r->stats.records++;
            return 1;
        }
    }
}

DOPPEL_API void doppel_reader_stats_get(const doppel_reader *r,
                                        doppel_reader_stats *out)
{
    if (!out)
        return;
    if (!r) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = r->stats;
}
