/*
 * fuzz_jsonl.c — the JSON Lines record parser (jsonl.c) on one arbitrary
 * line, with arbitrary field names.
 *
 * Input layout: up to three NUL-terminated field names (id, text, date;
 * an empty name means the default), then the line. An input with fewer
 * than three NULs is all line, with the default names.
 *
 * Invariants checked besides memory safety:
 *   - the status is DOPPEL_OK, DOPPEL_ERR_FORMAT or (never here)
 *     DOPPEL_ERR_NOMEM, and err carries the same code;
 *   - a "..., at column C" message has 1 <= C <= len + 1;
 *   - returned values lie inside the line or the parser's own buffers and
 *     are never longer than the line (unescaping never grows);
 *   - parsing the same line again with the same (reused) parser, and with
 *     a fresh parser, gives the same result;
 *   - the portable SWAR scanner finds the same byte as a plain loop from
 *     every offset.
 */
#include "fuzz.h"

#include "jsonl.h"

#include <string.h>

static int is_special(unsigned char c)
{
    return c == '"' || c == '\\' || c < 0x20;
}

/* Inside [base, base + len), or inside the parser's buffer for field f. */
static int inside(const char *p, size_t n, const char *line, size_t len,
                  const doppel__jsonl_parser *ps, int f)
{
    if (p >= line && p <= line + len && n <= (size_t)(line + len - p))
        return 1;
    return ps->buf[f] && p == ps->buf[f] && n <= ps->cap[f];
}

static void same(const doppel__jsonl_record *a, const doppel__jsonl_record *b)
{
    FUZZ_CHECK(a->date == b->date);
    FUZZ_CHECK((a->id == NULL) == (b->id == NULL));
    FUZZ_CHECK(a->id_len == b->id_len);
    if (a->id && a->id_len)
        FUZZ_CHECK(memcmp(a->id, b->id, a->id_len) == 0);
    FUZZ_CHECK(a->text_len == b->text_len);
    if (a->text_len)
        FUZZ_CHECK(memcmp(a->text, b->text, a->text_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *names[3] = {NULL, NULL, NULL};
    char *copy = malloc(size + 1);
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    copy[size] = '\0';
    const char *line = copy;
    size_t len = size;
    {
        const char *p = copy;
        int k = 0;
        for (; k < 3; k++) {
            const char *z = memchr(p, '\0', (size_t)(copy + size - p));
            if (!z)
                break;
            names[k] = z > p ? p : NULL;
            p = z + 1;
        }
        if (k == 3) {
            line = p;
            len = (size_t)(copy + size - p);
        } else {
            names[0] = names[1] = names[2] = NULL;
        }
    }
    /* The line in a buffer of its own exact size, so that a read past its
     * end is caught even though `copy` continues. */
    char *exact = malloc(len ? len : 1);
    FUZZ_CHECK(exact != NULL);
    if (len)
        memcpy(exact, line, len);

    doppel__jsonl_parser p;
    doppel__jsonl_init(&p, NULL, names[0], names[1], names[2]);
    doppel__jsonl_record rec;
    doppel_error err = {0, {0}};
    int rc = doppel__jsonl_parse(&p, exact, len, &rec, &err);
    FUZZ_CHECK(rc == DOPPEL_OK || rc == DOPPEL_ERR_FORMAT);
    if (rc != DOPPEL_OK) {
        FUZZ_CHECK(err.code == rc);
        FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        /* Only a message that ends in it: field names and quoted dates
         * in the message may hold the same words. */
        const char *col = NULL;
        for (const char *q = err.message;
             (q = strstr(q, ", at column ")) != NULL; q++)
            col = q;
        if (col && strspn(col + 12, "0123456789") == strlen(col + 12)) {
            unsigned long c = strtoul(col + 12, NULL, 10);
            FUZZ_CHECK(c >= 1 && c <= len + 1);
        }
    } else {
        FUZZ_CHECK(rec.text != NULL);
        FUZZ_CHECK(rec.text_len <= len);
        FUZZ_CHECK(inside(rec.text, rec.text_len, exact, len, &p,
                          DOPPEL__JSONL_TEXT));
        if (rec.id) {
            FUZZ_CHECK(rec.id_len <= len);
            FUZZ_CHECK(inside(rec.id, rec.id_len, exact, len, &p,
                              DOPPEL__JSONL_ID));
        } else {
            FUZZ_CHECK(rec.id_len == 0);
        }
        /* Touch every byte (a sanitizer checks the bounds). */
        volatile unsigned sum = 0;
        for (size_t i = 0; i < rec.text_len; i++)
            sum += (unsigned char)rec.text[i];
        for (size_t i = 0; rec.id && i < rec.id_len; i++)
            sum += (unsigned char)rec.id[i];
        (void)sum;
    }

    /* Deterministic, with reused and with fresh buffers. Keep a copy of
     * the first result: the second parse may overwrite its buffers. */
    doppel__jsonl_record first = rec;
    char *first_text = NULL, *first_id = NULL;
    if (rc == DOPPEL_OK) {
        first_text = malloc(rec.text_len + 1);
        first_id = malloc(rec.id_len + 1);
        FUZZ_CHECK(first_text && first_id);
        memcpy(first_text, rec.text, rec.text_len);
        if (rec.id)
            memcpy(first_id, rec.id, rec.id_len);
        first.text = first_text;
        first.id = rec.id ? first_id : NULL;
    }
    doppel__jsonl_record again;
    doppel_error err2 = {0, {0}};
    int rc2 = doppel__jsonl_parse(&p, exact, len, &again, &err2);
    FUZZ_CHECK(rc2 == rc);
    if (rc == DOPPEL_OK)
        same(&first, &again);
    else
        FUZZ_CHECK(strcmp(err.message, err2.message) == 0);
    doppel__jsonl_parser fresh;
    doppel__jsonl_init(&fresh, NULL, names[0], names[1], names[2]);
    int rc3 = doppel__jsonl_parse(&fresh, exact, len, &again, NULL);
    FUZZ_CHECK(rc3 == rc);
    if (rc == DOPPEL_OK)
        same(&first, &again);
    doppel__jsonl_free(&fresh);
    doppel__jsonl_free(&p);
    free(first_text);
    free(first_id);

    /* The portable scanner against a plain loop. */
    for (size_t i = 0; i < len; i += 1 + i / 8) {
        const char *want = exact + i;
        while (want < exact + len && !is_special((unsigned char)*want))
            want++;
        FUZZ_CHECK(doppel__jsonl_find_special_swar(exact + i, exact + len) ==
                   want);
    }
    free(exact);
    free(copy);
    return 0;
}
