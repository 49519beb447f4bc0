/*
 * output.c — the output destination (standard output, or a file replaced
 * atomically) and the three output formats. See output.h.
 *
 * Why write(2) and not stdio: a failed fwrite() leaves only the stream's
 * error flag, and by the time it is checked errno may say anything. Here
 * the first failing write keeps its errno, later writes are dropped, and
 * commit reports it with the file's name.
 */
#define _XOPEN_SOURCE 700 /* POSIX 2008 with XSI: realpath() */
#include "output.h"

#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_BUFFER ((size_t)1 << 20)

static int open_in_place(cli_output *o, const char *path)
{
    o->fd = open(path, O_WRONLY | O_TRUNC);
    if (o->fd < 0) {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The directory part of path ("." when there is none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(len + 1);
    if (dir) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

int cli_output_open(cli_output *o, const char *path)
{
    o->buf = malloc(OUTPUT_BUFFER);
    if (!o->buf) {
        cli_error("out of memory");
        return -1;
    }
    o->cap = OUTPUT_BUFFER;
    if (!path || strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
        o->name = "standard output";
        return 0;
    }
    o->name = path;
    /* /dev/stdout, /dev/fd/N, /dev/null: write in place even when they
     * lead to a regular file (a shell redirection), which renaming over
     * would detach from the shell's descriptor. */
    if (strncmp(path, "/dev/", 5) == 0)
        return open_in_place(o, path);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            cli_error("%s: %s", path, strerror(EISDIR));
            return -1;
        }
        if (!S_ISREG(st.st_mode)) /* /dev/null, a FIFO: no rename */
            return open_in_place(o, path);
        o->mode = (unsigned)(st.st_mode & 07777);
        /* Replace the file a symbolic link points to, not the link. */
        o->dest = realpath(path, NULL);
    } else if (errno == ENOENT) {
        mode_t mask = umask(0);
        umask(mask);
        o->mode = (unsigned)(0666 & ~mask);
        o->dest = strdup(path);
    } else {
        cli_error("%s: %s", path, strerror(errno));
        return -1;
    }
    char *dir = o->dest ? dir_of(o->dest) : NULL;
    if (!dir) {
        cli_error("%s: %s", path, strerror(errno ? errno : ENOMEM));
        return -1;
    }
    if (cli_tempfile_create(&o->tmp, dir, ".doppel-") < 0) {
        cli_error("%s: cannot create a temporary file in '%s': %s", path,
                  dir, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    o->fd = o->tmp.fd;
    return 0;
}

static void write_all(cli_output *o, const char *p, size_t len)
{
    while (len > 0 && !o->error) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->error = errno;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void flush(cli_output *o)
{
    write_all(o, o->buf, o->len);
    o->len = 0;
}

void cli_output_write(cli_output *o, const void *data, size_t len)
{
    if (o->error)
        return;
    if (len > o->cap - o->len) {
        flush(o);
        if (len >= o->cap) {
            write_all(o, data, len);
            return;
        }
    }
    memcpy(o->buf + o->len, data, len);
    o->len += len;
}

static void put(cli_output *o, char c)
{
    if (o->len == o->cap)
        flush(o);
    if (!o->error)
        o->buf[o->len++] = c;
}

/* fsync the directory so that the rename itself is durable; filesystems
 * that cannot do it are not an error. */
static void sync_dir_of(const char *path)
{
    char *dir = dir_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int cli_output_commit(cli_output *o)
{
    flush(o);
    int rc = 0;
    if (o->error) {
        cli_error("%s: %s", o->name, strerror(o->error));
        rc = -1;
    } else if (o->dest) {
        const char *step = NULL;
        if (fchmod(o->fd, (mode_t)o->mode) < 0)
            step = "cannot set permissions";
        else if (fsync(o->fd) < 0)
            step = "cannot sync";
        else if (close(o->fd) < 0)
            step = "cannot close";
        else {
            o->tmp.fd = -1;
            o->fd = -1;
            if (cli_tempfile_rename(&o->tmp, o->dest) < 0)
                step = "cannot rename the temporary file into place";
            else
                sync_dir_of(o->dest);
        }
        if (step) {
            cli_error("%s: %s: %s", o->name, step, strerror(errno));
            rc = -1;
        }
    } else if (o->fd != STDOUT_FILENO) {
        if (close(o->fd) < 0) {
            cli_error("%s: %s", o->name, strerror(errno));
            rc = -1;
        }
        o->fd = -1;
    }
    cli_output_abort(o);
    return rc;
}

void cli_output_abort(cli_output *o)
{
    if (o->tmp.path || o->tmp.fd >= 0) {
        cli_tempfile_remove(&o->tmp);
    } else if (o->fd >= 0 && o->fd != STDOUT_FILENO) {
        close(o->fd);
    }
    o->fd = -1;
    free(o->dest);
    o->dest = NULL;
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

void cli_write_tsv_id(cli_output *o, const char *id, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        char esc;
        switch (id[i]) {
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\\': esc = '\\'; break;
        default: continue;
        }
        cli_output_write(o, id + start, i - start);
        put(o, '\\');
        put(o, esc);
        start = i + 1;
    }
    cli_output_write(o, id + start, len - start);
}

static void write_similarity(cli_output *o, double s)
{
    char num[32];
    int n = snprintf(num, sizeof num, "\t%.4f\n", s);
    cli_output_write(o, num, (size_t)n);
}

int cli_write_clusters(cli_output *o, const doppel_dedup *d,
                       doppel_error *err)
{
    size_t n = doppel_dedup_count(d);
    for (size_t i = 0; i < n; i++) {
        doppel_member m, rep;
        int rc = doppel_dedup_member(d, i, &m, err);
        if (rc == DOPPEL_OK)
            rc = doppel_dedup_member(d, m.representative, &rep, err);
        if (rc < 0)
            return rc;
        cli_write_tsv_id(o, m.id, m.id_len);
        put(o, '\t');
        cli_write_tsv_id(o, rep.id, rep.id_len);
        write_similarity(o, m.similarity);
    }
    return DOPPEL_OK;
}

int cli_write_pairs(cli_output *o, const doppel_dedup *d, doppel_error *err)
{
    const doppel_pair *pairs;
    size_t n;
    int rc = doppel_dedup_pairs(d, &pairs, &n, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        doppel_member a, b;
        rc = doppel_dedup_member(d, pairs[i].a, &a, err);
        if (rc == DOPPEL_OK)
            rc = doppel_dedup_member(d, pairs[i].b, &b, err);
        if (rc < 0)
            return rc;
        cli_write_tsv_id(o, a.id, a.id_len);
        put(o, '\t');
        cli_write_tsv_id(o, b.id, b.id_len);
        write_similarity(o, pairs[i].similarity);
    }
    return DOPPEL_OK;
}

/* Length of the well-formed UTF-8 sequence at s[0..len) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* A JSON string literal, quotes included. */
static void write_json_string(cli_output *o, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    put(o, '"');
    size_t start = 0, i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t seq = c >= 0x80 ? utf8_sequence(s + i, len - i) : 0;
        if (seq) {
            i += seq;
            continue;
        }
        cli_output_write(o, str + start, i - start);
        char esc[8];
        switch (c) {
        case '"': cli_output_write(o, "\\\"", 2); break;
        case '\\': cli_output_write(o, "\\\\", 2); break;
        case '\n': cli_output_write(o, "\\n", 2); break;
        case '\r': cli_output_write(o, "\\r", 2); break;
        case '\t': cli_output_write(o, "\\t", 2); break;
        case '\b': cli_output_write(o, "\\b", 2); break;
        case '\f': cli_output_write(o, "\\f", 2); break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                cli_output_write(o, esc, 6);
            } else { /* a byte that starts no valid UTF-8 sequence */
                cli_output_write(o, "\\ufffd", 6);
            }
        }
        i++;
        start = i;
    }
    cli_output_write(o, str + start, len - start);
    put(o, '"');
}

void cli_write_jsonl_record(cli_output *o, const doppel_record *rec,
                            const char *id_field, const char *text_field)
{
    if (rec->line > 0) {
        cli_output_write(o, rec->raw, rec->raw_len);
    } else {
        put(o, '{');
        write_json_string(o, id_field, strlen(id_field));
        put(o, ':');
        write_json_string(o, rec->id, rec->id_len);
        put(o, ',');
        write_json_string(o, text_field, strlen(text_field));
        put(o, ':');
        write_json_string(o, rec->text, rec->text_len);
        put(o, '}');
    }
    put(o, '\n');
}
