/*
 * progress.c — see progress.h. The clock is CLOCK_MONOTONIC, so a clock
 * change during a run cannot make the rate negative. Only the main thread
 * draws: it updates after each batch it hands to the library.
 */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <string.h>

static double seconds_between(const struct timespec *a,
                              const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void cli_progress_init(cli_progress *p, int enabled, FILE *out)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->out = out;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
}

double cli_progress_elapsed(const cli_progress *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return seconds_between(&p->start, &now);
}

double cli_mb_per_s(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes / 1e6 / seconds : 0.0;
}

static void draw(cli_progress *p, const struct timespec *now)
{
    double elapsed = seconds_between(&p->start, now);
    char line[160];
    int n = snprintf(line, sizeof line,
                     "doppel: %llu documents, %.1f MB, %.1f MB/s%s%s",
                     (unsigned long long)p->documents,
                     (double)p->bytes / 1e6,
                     cli_mb_per_s(p->bytes, elapsed), p->stage ? "; " : "",
                     p->stage ? p->stage : "");
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1
                                                      : (size_t)n;
    /* Pad over a longer previous line rather than rely on terminal
     * escape sequences. */
    size_t pad = p->width > len ? p->width - len : 0;
    fprintf(p->out, "\r%s%*s", line, (int)pad, "");
    fflush(p->out);
    p->width = len;
    p->drawn = 1;
    p->last_draw = *now;
}

void cli_progress_update(cli_progress *p, uint64_t documents, uint64_t bytes)
{
    p->documents = documents;
    p->bytes = bytes;
    if (!p->enabled)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->drawn && seconds_between(&p->last_draw, &now) < 0.25)
        return;
    draw(p, &now);
}

void cli_progress_stage(cli_progress *p, const char *stage)
{
    p->stage = stage;
    if (!p->enabled)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    draw(p, &now);
}

void cli_progress_clear(cli_progress *p)
{
    if (!p->drawn)
        return;
    fprintf(p->out, "\r%*s\r", (int)p->width, "");
    fflush(p->out);
    p->drawn = 0;
    p->width = 0;
}
