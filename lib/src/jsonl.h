/*
 * jsonl.h — the JSON Lines record parser: validates one line as a JSON
 * object and extracts the id, text and date fields. The rules are in the
 * comment at the top of jsonl.c.
 */
#ifndef DOPPEL_JSONL_H
#define DOPPEL_JSONL_H

#include "doppel.h"

#include <stddef.h>
#include <stdint.h>

enum {
    DOPPEL__JSONL_ID = 0,
    DOPPEL__JSONL_TEXT = 1,
    DOPPEL__JSONL_DATE = 2,
    DOPPEL__JSONL_NFIELDS = 3
};

/** Nesting deeper than this is refused (bounds the parser's stack). */
#define DOPPEL__JSONL_MAX_DEPTH 512

typedef struct doppel__jsonl_parser {
    const doppel_allocator *alloc;
    const char *field[DOPPEL__JSONL_NFIELDS]; /* borrowed, NUL-terminated */
    size_t field_len[DOPPEL__JSONL_NFIELDS];
    char *buf[DOPPEL__JSONL_NFIELDS]; /* unescaped values, reused */
    size_t cap[DOPPEL__JSONL_NFIELDS];
    char *key; /* an escaped key, unescaped for comparison */
    size_t key_cap;
} doppel__jsonl_parser;

/** What one line yields. Pointers are into the line or the parser's
 *  buffers: valid until the next parse or doppel__jsonl_free. */
typedef struct doppel__jsonl_record {
    const char *id; /* NULL when absent or null */
    size_t id_len;
    const char *text;
    size_t text_len;
    int64_t date; /* DOPPEL_NO_DATE when absent or null */
} doppel__jsonl_record;

/** Set up a parser; field names are borrowed (NULL = "id", "text",
 *  "date"). Allocates nothing until a value needs unescaping. */
void doppel__jsonl_init(doppel__jsonl_parser *p, const doppel_allocator *a,
                        const char *id_field, const char *text_field,
                        const char *date_field);

/** Release the parser's buffers. */
void doppel__jsonl_free(doppel__jsonl_parser *p);

/**
 * Parse one line (without its line ending). Returns DOPPEL_OK,
 * DOPPEL_ERR_FORMAT with "what, at column C" (1-based byte column in
 * `line`) or "missing \"text\" field", or DOPPEL_ERR_NOMEM.
 */
int doppel__jsonl_parse(doppel__jsonl_parser *p, const char *line,
                        size_t len, doppel__jsonl_record *out,
                        doppel_error *err);

/** The string scanner's portable (SWAR) path, which x86-64 builds do not
 *  use (they have SSE2); exposed so that tests cover it everywhere. Returns
 *  the first '"', '\\' or byte < 0x20 in [p, end), or end. */
const char *doppel__jsonl_find_special_swar(const char *p, const char *end);

#endif
