/* clirun.c — see clirun.h. */
#define _XOPEN_SOURCE 700
#include "clirun.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef DOPPEL_CLI_PATH
#error "DOPPEL_CLI_PATH must name the built doppel binary"
#endif

void result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

/* Run DOPPEL_CLI_PATH with args (NULL-terminated) and collect everything. */
void run_v(run_result *r, const run_opts *o, const char *const *args)
{
    char *dir = tu_mkdtemp();
    char out_path[4200], err_path[4200];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    const char *argv[64];
    size_t n = 0;
    argv[n++] = "doppel";
    for (size_t i = 0; args[i]; i++) {
        ck_assert(n < 63);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    int pipefd[2] = {-1, -1};
    if (o && o->stdin_data)
        ck_assert_int_eq(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int in = pipefd[0] >= 0 ? pipefd[0] : open("/dev/null", O_RDONLY);
        int outfd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || outfd < 0 || errfd < 0)
            _exit(120);
        dup2(in, 0);
        dup2(outfd, 1);
        dup2(errfd, 2);
        if (pipefd[1] >= 0)
            close(pipefd[1]);
        if (o && o->tmpdir)
            setenv("TMPDIR", o->tmpdir, 1);
        if (o && o->cwd && chdir(o->cwd) != 0)
            _exit(121);
        if (o && o->as_limit) {
            struct rlimit rl = {(rlim_t)o->as_limit, (rlim_t)o->as_limit};
            setrlimit(RLIMIT_AS, &rl);
        }
        if (o && o->fsize_limit) {
            struct rlimit rl = {(rlim_t)o->fsize_limit,
                                (rlim_t)o->fsize_limit};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(DOPPEL_CLI_PATH, (char *const *)argv);
        _exit(122);
    }
    if (pipefd[0] >= 0) {
        close(pipefd[0]);
        /* The child may stop reading early (an error); don't die of it. */
        signal(SIGPIPE, SIG_IGN);
        size_t done = 0;
        while (done < o->stdin_len) {
            ssize_t w = write(pipefd[1], o->stdin_data + done,
                              o->stdin_len - done);
            if (w <= 0)
                break;
            done += (size_t)w;
        }
        close(pipefd[1]);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    ck_assert_msg(r->status < 120 || r->status > 122,
                  "could not start %s (%d)", DOPPEL_CLI_PATH, r->status);
    r->out = tu_read_file(out_path, &r->out_len);
    r->err = tu_read_file(err_path, &r->err_len);
    ck_assert(r->out && r->err);
    tu_rmtree(dir);
    free(dir);
}

/* run(&r, &opts_or_NULL, "dedup", ..., NULL) */
void run(run_result *r, const run_opts *o, ...)
{
    const char *args[64];
    size_t n = 0;
    va_list ap;
    va_start(ap, o);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        ck_assert(n < 63);
        args[n++] = a;
    }
    va_end(ap);
    args[n] = NULL;
    run_v(r, o, args);
}

/* ------------------------------------------------------------ helpers */

char *path_in(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    snprintf(p, len, "%s/%s", dir, name);
    return p;
}

char *write_in(const char *dir, const char *name, const char *text)
{
    char *p = path_in(dir, name);
    tu_write_file(p, text, strlen(text));
    return p;
}

/* A string built with printf. */
char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

