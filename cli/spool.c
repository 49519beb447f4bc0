/*
 * spool.c — inputs read twice (see spool.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "spool.h"

#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_report(const cli_inputs *in, int rc, const doppel_error *err)
{
    const char *msg = err->message[0] ? err->message : doppel_strerror(rc);
    for (size_t i = 0; in && i < in->nspools; i++) {
        const char *p = in->spools[i].tmp.path;
        size_t len = p ? strlen(p) : 0;
        if (len && strncmp(msg, p, len) == 0) {
            cli_error("%s%s", in->spools[i].name, msg + len);
            return cli_exit_for_status(rc);
        }
    }
    cli_error("%s", msg);
    return cli_exit_for_status(rc);
}

/* Copy input `name` ("-" = standard input) to a new temporary file. */
static int spool_input(cli_inputs *in, size_t index, const char *name)
{
    cli_spooled *s = &in->spools[in->nspools];
    s->name = name;
    s->tmp = (cli_tempfile)CLI_TEMPFILE_INIT;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if (cli_tempfile_create(&s->tmp, dir, "doppel-input-") < 0) {
        cli_error("%s: cannot create a temporary file in '%s' to read it "
                  "twice: %s",
                  name, dir, strerror(errno));
        return CLI_EXIT_DATA;
    }
    in->nspools++;
    int fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
    if (fd < 0) {
        cli_error("%s: %s", name, strerror(errno));
        return CLI_EXIT_DATA;
    }
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    int code = CLI_EXIT_OK;
    if (!buf) {
        cli_error("out of memory");
        code = CLI_EXIT_INTERNAL;
    }
    while (code == CLI_EXIT_OK) {
        ssize_t n = read(fd, buf, cap);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            cli_error("%s: %s", name, strerror(errno));
            code = CLI_EXIT_DATA;
            break;
        }
        for (ssize_t done = 0; done < n && code == CLI_EXIT_OK;) {
            ssize_t w = write(s->tmp.fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                cli_error("%s: cannot copy it to '%s': %s", name,
                          s->tmp.path, strerror(errno));
                code = CLI_EXIT_DATA;
            } else {
                done += w;
            }
        }
    }
    free(buf);
    if (fd != STDIN_FILENO)
        close(fd);
    close(s->tmp.fd);
    s->tmp.fd = -1;
    in->paths[index] = s->tmp.path;
    return code;
}

int cli_spool_inputs(cli_inputs *in)
{
    in->spools = calloc(in->npaths ? in->npaths : 1, sizeof *in->spools);
    if (!in->spools) {
        cli_error("out of memory");
        return CLI_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < in->npaths; i++) {
        const char *p = in->paths[i];
        struct stat st;
        int once = strcmp(p, "-") == 0 ||
                   (stat(p, &st) == 0 && !S_ISREG(st.st_mode) &&
                    !S_ISDIR(st.st_mode));
        /* A missing file is left to the reader, which reports it in its
         * place among the inputs. */
        if (once) {
            int code = spool_input(in, i, p);
            if (code != CLI_EXIT_OK)
                return code;
        }
    }
    return CLI_EXIT_OK;
}

void cli_inputs_cleanup(cli_inputs *in)
{
    for (size_t i = 0; i < in->nspools; i++)
        cli_tempfile_remove(&in->spools[i].tmp);
    free(in->spools);
    in->spools = NULL;
    in->nspools = 0;
}

int cli_copy_records(const cli_inputs *in, const doppel_reader_opts *ropts,
                     size_t n,
                     int (*choose)(void *ctx, size_t i,
                                   const doppel_record *rec, int *keep,
                                   doppel_error *err),
                     void *ctx, cli_output *out)
{
    doppel_error err = {0};
    doppel_reader *r = NULL;
    int rc = doppel_reader_open(&r, in->paths, in->npaths, ropts, &err);
    if (rc < 0)
        return cli_report(in, rc, &err);
    const char *id_field = ropts->id_field ? ropts->id_field : "id";
    const char *text_field = ropts->text_field ? ropts->text_field : "text";
    size_t doc = 0;
    int code = CLI_EXIT_OK;
    doppel_record rec;
    while ((rc = doppel_reader_next(r, &rec, &err)) > 0) {
        int keep = 0;
        if (doc >= n) {
            err.code = DOPPEL_ERR_IO;
            snprintf(err.message, sizeof err.message,
                     "%s:%llu: the input changed while it was being read "
                     "twice (for --output jsonl)",
                     rec.source, (unsigned long long)rec.line);
            code = cli_report(in, DOPPEL_ERR_IO, &err);
            break;
        }
        if ((rc = choose(ctx, doc, &rec, &keep, &err)) < 0) {
            code = cli_report(in, rc, &err);
            break;
        }
        if (keep) {
            doppel_record shown = rec;
            /* An article read from a spooled copy is named as given. */
            for (size_t i = 0; i < in->nspools && rec.line == 0; i++) {
                if (strcmp(rec.source, in->spools[i].tmp.path) == 0) {
                    shown.id = shown.source = in->spools[i].name;
                    shown.id_len = strlen(shown.id);
                }
            }
            cli_write_jsonl_record(out, &shown, id_field, text_field);
        }
        doc++;
    }
    if (code == CLI_EXIT_OK && rc < 0)
        code = cli_report(in, rc, &err);
    if (code == CLI_EXIT_OK && doc != n) {
        cli_error("the inputs changed while they were being read twice "
                  "(for --output jsonl): %zu records the first time, %zu "
                  "the second",
                  n, doc);
        code = CLI_EXIT_DATA;
    }
    doppel_reader_free(r);
    return code;
}
