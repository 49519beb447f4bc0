/*
 * fuzz_reader.c — a whole input file through doppel_reader_open/next:
 * format detection, gzip, line splitting, oversize handling, JSON Lines
 * records, plain articles.
 *
 * Input layout: two option bytes, then the file's content.
 *   byte 0: bits 0-1 format (auto, jsonl, text, auto), bit 2
 *           skip_malformed, bit 3 skip_oversize, bits 4-6 the file name's
 *           suffix (none, .jsonl, .ndjson, .jsonl.gz, .txt, .gz, .NDJSON,
 *           .Jsonl.GZ), bit 7: a small max_record_bytes
 *   byte 1: max_record_bytes = 1 + 4 * byte 1 (when bit 7 is set)
 * The content is written twice, to two files in a private temporary
 * directory (under /dev/shm when it exists), and both are read in one run,
 * so that the reader's buffers and inflater are reused across files.
 *
 * Invariants checked besides memory safety:
 *   - the second file yields exactly the records of the first (same ids
 *     unless generated from the path, texts, dates, raw lines, line
 *     numbers), and ends the same way;
 *   - every record respects max_record_bytes; text, id and raw are
 *     readable for their whole length; JSONL line numbers increase;
 *   - errors name the file; after an error the reader returns
 *     DOPPEL_ERR_STATE; statistics add up.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include "doppel.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void remove_dir(void)
{
    rmdir(dir);
}

static void make_dir(void)
{
    if (dir[0])
        return;
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)
                           ? "/dev/shm"
                           : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(dir, sizeof dir, "%s/doppel-fuzz-XXXXXX", base);
    FUZZ_CHECK(mkdtemp(dir) != NULL);
    atexit(remove_dir);
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        FUZZ_CHECK(w > 0);
        done += (size_t)w;
    }
    FUZZ_CHECK(close(fd) == 0);
}

/* What one file yielded. */
typedef struct summary {
    size_t records;
    uint64_t hash; /* FNV-1a over every record's fields */
} summary;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const suffixes[8] = {"",     ".jsonl", ".ndjson",
                                            ".jsonl.gz", ".txt", ".gz",
                                            ".NDJSON", ".Jsonl.GZ"};
    unsigned o0 = fuzz_take_byte(&data, &size);
    unsigned o1 = fuzz_take_byte(&data, &size);
    make_dir();
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/a%s", dir, suffixes[(o0 >> 4) & 7]);
    snprintf(p2, sizeof p2, "%s/b%s", dir, suffixes[(o0 >> 4) & 7]);
    write_file(p1, data, size);
    write_file(p2, data, size);

    doppel_reader_opts o = DOPPEL_READER_OPTS_INIT;
    static const doppel_input_format formats[4] = {
        DOPPEL_INPUT_AUTO, DOPPEL_INPUT_JSONL, DOPPEL_INPUT_TEXT,
        DOPPEL_INPUT_AUTO};
    o.format = formats[o0 & 3];
    o.skip_malformed = (o0 >> 2) & 1;
    o.skip_oversize = (o0 >> 3) & 1;
    uint64_t max = (o0 & 0x80) ? 1 + 4 * (uint64_t)o1 : 64u << 20;
    if (o0 & 0x80)
        o.max_record_bytes = max;

    const char *paths[2] = {p1, p2};
    doppel_reader *r = NULL;
    doppel_error err = {0, {0}};
    FUZZ_CHECK(doppel_reader_open(&r, paths, 2, &o, &err) == DOPPEL_OK);
    summary sum[2] = {{0, 0xcbf29ce484222325ull}, {0, 0xcbf29ce484222325ull}};
    int file = 0, rc;
    uint64_t last_line = 0;
    doppel_record rec;
    while ((rc = doppel_reader_next(r, &rec, &err)) == 1) {
        int f = strcmp(rec.source, p1) == 0 ? 0 : 1;
        FUZZ_CHECK(f == 0 || strcmp(rec.source, p2) == 0);
        FUZZ_CHECK(f >= file);
        if (f != file)
            last_line = 0;
        file = f;
        FUZZ_CHECK(rec.text_len <= max);
        FUZZ_CHECK(rec.raw_len <= max);
        FUZZ_CHECK(rec.text_len == 0 || rec.text != NULL);
        FUZZ_CHECK(rec.id != NULL);
        if (rec.line) {
            FUZZ_CHECK(rec.line > last_line);
            last_line = rec.line;
        }
        summary *s = &sum[f];
        s->records++;
        s->hash = fnv(s->hash, rec.text, rec.text_len);
        s->hash = fnv(s->hash, &rec.text_len, sizeof rec.text_len);
        s->hash = fnv(s->hash, rec.raw, rec.raw_len);
        s->hash = fnv(s->hash, &rec.raw_len, sizeof rec.raw_len);
        s->hash = fnv(s->hash, &rec.date, sizeof rec.date);
        s->hash = fnv(s->hash, &rec.line, sizeof rec.line);
        /* Ids made from the path ("<path>:<line>", or the path of an
         * article) differ between the files. */
        char gen[600];
        int glen = rec.line ? snprintf(gen, sizeof gen, "%s:%llu",
                                       rec.source,
                                       (unsigned long long)rec.line)
                            : snprintf(gen, sizeof gen, "%s", rec.source);
        int generated = glen > 0 && rec.id_len == (size_t)glen &&
                        memcmp(rec.id, gen, rec.id_len) == 0;
        if (!generated) {
            s->hash = fnv(s->hash, rec.id, rec.id_len);
            s->hash = fnv(s->hash, &rec.id_len, sizeof rec.id_len);
        } else {
            volatile unsigned char touch = 0;
            for (size_t i = 0; i < rec.id_len; i++)
                touch ^= (unsigned char)rec.id[i];
            (void)touch;
        }
    }
    doppel_reader_stats st;
    doppel_reader_stats_get(r, &st);
    FUZZ_CHECK(st.records == sum[0].records + sum[1].records);
    if (rc == 0) {
        /* Both files read to the end: the same records. */
        FUZZ_CHECK(sum[0].records == sum[1].records);
        FUZZ_CHECK(sum[0].hash == sum[1].hash);
        FUZZ_CHECK(st.malformed % 2 == 0 && st.oversize % 2 == 0 &&
                   st.blank % 2 == 0);
        if (!o.skip_malformed)
            FUZZ_CHECK(st.malformed == 0);
        if (!o.skip_oversize)
            FUZZ_CHECK(st.oversize == 0);
    } else {
        /* The first file fails, so the second is never reached. */
        FUZZ_CHECK(rc < 0);
        FUZZ_CHECK(err.code == rc);
        FUZZ_CHECK(rc == DOPPEL_ERR_FORMAT || rc == DOPPEL_ERR_LIMIT);
        FUZZ_CHECK(strncmp(err.message, p1, strlen(p1)) == 0);
        FUZZ_CHECK(sum[1].records == 0);
        FUZZ_CHECK(doppel_reader_next(r, &rec, NULL) == DOPPEL_ERR_STATE);
    }
    doppel_reader_free(r);
    unlink(p1);
    unlink(p2);
    return 0;
}
