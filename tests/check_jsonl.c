/*
 * check_jsonl.c — the JSON Lines record parser: field rules, unescaping
 * (surrogates included), the RFC 8259 grammar with exact error messages and
 * columns, buffer reuse, and out-of-memory paths.
 */
#include "suites.h"

#include "jsonl.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parsed {
    int rc;
    doppel__jsonl_record rec;
    char id[256];   /* "(none)" when absent */
    char text[512];
    char message[DOPPEL_ERROR_MESSAGE_MAX];
} parsed;

static void copy_out(char *dst, size_t cap, const char *s, size_t n)
{
    ck_assert_uint_lt(n, cap);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Parse `line` with the default field names. */
static parsed parse_with(const char *line, size_t len, const char *idf,
                         const char *textf, const char *datef)
{
    doppel__jsonl_parser p;
    doppel__jsonl_init(&p, NULL, idf, textf, datef);
    parsed r;
    memset(&r, 0, sizeof r);
    doppel_error err = {0, {0}};
    r.rc = doppel__jsonl_parse(&p, line, len, &r.rec, &err);
    if (r.rc == DOPPEL_OK) {
        if (r.rec.id)
            copy_out(r.id, sizeof r.id, r.rec.id, r.rec.id_len);
        else
            strcpy(r.id, "(none)");
        copy_out(r.text, sizeof r.text, r.rec.text, r.rec.text_len);
    } else {
        ck_assert_int_eq(err.code, r.rc);
        strcpy(r.message, err.message);
    }
    doppel__jsonl_free(&p);
    return r;
}

static parsed parse(const char *line)
{
    return parse_with(line, strlen(line), NULL, NULL, NULL);
}

static void expect_ok(const char *line, const char *id, const char *text,
                      int64_t date)
{
    parsed r = parse(line);
    ck_assert_msg(r.rc == DOPPEL_OK, "%s: %s", line, r.message);
    ck_assert_str_eq(r.id, id);
    ck_assert_str_eq(r.text, text);
    ck_assert_int_eq(r.rec.date, date);
}

static void expect_error(const char *line, const char *message)
{
    parsed r = parse(line);
    ck_assert_msg(r.rc == DOPPEL_ERR_FORMAT, "accepted: %s", line);
    ck_assert_str_eq(r.message, message);
}

START_TEST(test_fields)
{
    expect_ok("{\"id\":\"a1\",\"text\":\"hello\",\"date\":\"2020-01-30\"}",
              "a1", "hello", 1580342400);
    /* Order does not matter; other fields, nested "text" keys ignored. */
    expect_ok("{\"meta\":{\"text\":\"no\",\"id\":[1,{\"text\":2}]},"
              "\"text\":\"yes\",\"tags\":[\"x\",[],{}],\"id\":\"b\"}",
              "b", "yes", DOPPEL_NO_DATE);
    /* Whitespace everywhere JSON allows it. */
    expect_ok(" \t{ \"text\" : \"t\" ,\r\"id\"\t:\"c\" } \t", "c", "t",
              DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"\"}", "(none)", "", DOPPEL_NO_DATE);
}
END_TEST

START_TEST(test_id_rules)
{
    expect_ok("{\"id\":12,\"text\":\"t\"}", "12", "t", DOPPEL_NO_DATE);
    expect_ok("{\"id\":-1.50e+3,\"text\":\"t\"}", "-1.50e+3", "t",
              DOPPEL_NO_DATE);
    expect_ok("{\"id\":0,\"text\":\"t\"}", "0", "t", DOPPEL_NO_DATE);
    expect_ok("{\"id\":null,\"text\":\"t\"}", "(none)", "t", DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"t\"}", "(none)", "t", DOPPEL_NO_DATE);
    expect_ok("{\"id\":\"\",\"text\":\"t\"}", "", "t", DOPPEL_NO_DATE);
    expect_ok("{\"id\":\"x\\ty\",\"text\":\"t\"}", "x\ty", "t",
              DOPPEL_NO_DATE);
    expect_error("{\"id\":true,\"text\":\"t\"}",
                 "field \"id\" must be a string or a number, got boolean, at "
                 "column 7");
    expect_error("{\"id\":[\"a\"],\"text\":\"t\"}",
                 "field \"id\" must be a string or a number, got array, at "
                 "column 7");
    expect_error("{\"id\":{},\"text\":\"t\"}",
                 "field \"id\" must be a string or a number, got object, at "
                 "column 7");
}
END_TEST

START_TEST(test_text_rules)
{
    expect_error("{\"id\":\"a\"}", "missing \"text\" field");
    expect_error("{}", "missing \"text\" field");
    expect_error("{\"id\":\"a\",\"text\":3}",
                 "field \"text\" must be a string, got number, at column 18");
    expect_error("{\"text\":null}",
                 "field \"text\" must be a string, got null, at column 9");
    expect_error("{\"text\":false}",
                 "field \"text\" must be a string, got boolean, at column 9");
    expect_error("{\"text\":[\"a\"]}",
                 "field \"text\" must be a string, got array, at column 9");
}
END_TEST

START_TEST(test_date_rules)
{
    expect_ok("{\"text\":\"t\",\"date\":null}", "(none)", "t",
              DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"t\",\"date\":1580402760}", "(none)", "t",
              1580402760);
    expect_ok("{\"text\":\"t\",\"date\":-1.5}", "(none)", "t", -2);
    expect_ok("{\"text\":\"t\",\"date\":1.58e9}", "(none)", "t", 1580000000);
    expect_ok("{\"text\":\"t\",\"date\":\"Thu, 30 Jan 2020 16:46:00 GMT\"}",
              "(none)", "t", 1580402760);
    expect_ok("{\"text\":\"t\",\"date\":\"1580402760\"}", "(none)", "t",
              1580402760);
    /* An escaped date string is unescaped before parsing. */
    expect_ok("{\"text\":\"t\",\"date\":\"2020\\u002d01-30\"}", "(none)", "t",
              1580342400);
    expect_error("{\"text\":\"t\",\"date\":\"soon\"}",
                 "field \"date\": invalid date \"soon\": not ISO 8601, RFC "
                 "2822 or Unix seconds, at column 20");
    expect_error("{\"text\":\"t\",\"date\":\"2021-02-29\"}",
                 "field \"date\": invalid date \"2021-02-29\": day 29 out of "
                 "range for 2021-02, at column 20");
    expect_error("{\"text\":\"t\",\"date\":1e30}",
                 "field \"date\": 1e30 Unix seconds out of range, at column "
                 "20");
    expect_error("{\"text\":\"t\",\"date\":true}",
                 "field \"date\" must be a string, a number or null, got "
                 "boolean, at column 20");
    expect_error("{\"text\":\"t\",\"date\":{}}",
                 "field \"date\" must be a string, a number or null, got "
                 "object, at column 20");
}
END_TEST

START_TEST(test_duplicate_keys_last_wins)
{
    expect_ok("{\"id\":\"a\",\"text\":\"one\",\"id\":\"b\",\"text\":\"two\"}",
              "b", "two", DOPPEL_NO_DATE);
    expect_ok("{\"text\":1,\"text\":\"ok\"}", "(none)", "ok", DOPPEL_NO_DATE);
    expect_error("{\"text\":\"ok\",\"text\":1}",
                 "field \"text\" must be a string, got number, at column 21");
    expect_ok("{\"text\":\"t\",\"date\":\"bad\",\"date\":null}", "(none)", "t",
              DOPPEL_NO_DATE);
    expect_ok("{\"id\":\"x\",\"text\":\"t\",\"id\":null}", "(none)", "t",
              DOPPEL_NO_DATE);
}
END_TEST

START_TEST(test_custom_fields_and_escaped_keys)
{
    const char *line = "{\"body\":\"B\",\"text\":\"T\",\"guid\":7,"
                       "\"published\":\"1970-01-02\"}";
    parsed r = parse_with(line, strlen(line), "guid", "body", "published");
    ck_assert_int_eq(r.rc, DOPPEL_OK);
    ck_assert_str_eq(r.id, "7");
    ck_assert_str_eq(r.text, "B");
    ck_assert_int_eq(r.rec.date, 86400);
    /* A key matches after unescaping. */
    expect_ok("{\"te\\u0078t\":\"esc\",\"\\u0069d\":\"i\"}", "i", "esc",
              DOPPEL_NO_DATE);
    /* The same field may serve as id and text. */
    r = parse_with("{\"k\":\"v\"}", 9, "k", "k", NULL);
    ck_assert_int_eq(r.rc, DOPPEL_OK);
    ck_assert_str_eq(r.id, "v");
    ck_assert_str_eq(r.text, "v");
    /* Messages name the configured field. */
    r = parse_with("{\"text\":\"x\"}", 12, NULL, "body", NULL);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message, "missing \"body\" field");
}
END_TEST

START_TEST(test_escapes)
{
    expect_ok("{\"text\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end\"}", "(none)",
              "q\" b\\ s/ \b\f\n\r\t end", DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"\\u0041\\u00e9\\u20AC\\u00E9\"}", "(none)",
              "A\xC3\xA9\xE2\x82\xAC\xC3\xA9", DOPPEL_NO_DATE);
    /* Surrogate pair: U+1F600. */
    expect_ok("{\"text\":\"<\\ud83d\\ude00>\"}", "(none)",
              "<\xF0\x9F\x98\x80>", DOPPEL_NO_DATE);
    /* U+10FFFF, the last code point. */
    expect_ok("{\"text\":\"\\uDBFF\\uDFFF\"}", "(none)", "\xF4\x8F\xBF\xBF",
              DOPPEL_NO_DATE);
    /* Lone high, lone low, high then a non-surrogate escape, high at end. */
    expect_ok("{\"text\":\"a\\ud83db\"}", "(none)", "a\xEF\xBF\xBD" "b",
              DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"a\\ude00b\"}", "(none)", "a\xEF\xBF\xBD" "b",
              DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"\\ud83d\\u0041\"}", "(none)", "\xEF\xBF\xBD" "A",
              DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"\\ud83d\\ud83d\\ude00\"}", "(none)",
              "\xEF\xBF\xBD\xF0\x9F\x98\x80", DOPPEL_NO_DATE);
    expect_ok("{\"text\":\"x\\ud83d\"}", "(none)", "x\xEF\xBF\xBD",
              DOPPEL_NO_DATE);
    /* Raw UTF-8 and raw invalid bytes pass through unchanged. */
    expect_ok("{\"text\":\"caf\xC3\xA9 \xFF\xFE \xC3\"}", "(none)",
              "caf\xC3\xA9 \xFF\xFE \xC3", DOPPEL_NO_DATE);
}
END_TEST

START_TEST(test_nul_escape_and_unescaped_in_place)
{
    const char *line = "{\"text\":\"a\\u0000b\",\"id\":\"plain\"}";
    doppel__jsonl_parser p;
    doppel__jsonl_init(&p, NULL, NULL, NULL, NULL);
    doppel__jsonl_record rec;
    ck_assert_int_eq(doppel__jsonl_parse(&p, line, strlen(line), &rec, NULL),
                     DOPPEL_OK);
    ck_assert_uint_eq(rec.text_len, 3);
    ck_assert_int_eq(memcmp(rec.text, "a\0b", 3), 0);
    /* A value without escapes points into the line itself. */
    ck_assert_ptr_eq(rec.id, line + 25);
    ck_assert_uint_eq(rec.id_len, 5);
    doppel__jsonl_free(&p);
}
END_TEST

START_TEST(test_syntax_errors)
{
    expect_error("[1,2]", "expected a JSON object, got array, at column 1");
    expect_error("  \"s\"", "expected a JSON object, got string, at column 3");
    expect_error("nul", "expected a JSON object, at column 1");
    expect_error("{", "unexpected end of line, at column 2");
    expect_error("{\"text\":\"a\"", "unexpected end of line, at column 12");
    expect_error("{\"text\":\"a\",", "unexpected end of line, at column 13");
    expect_error("{\"text\":\"a\",}", "expected a string key, at column 13");
    expect_error("{text:\"a\"}", "expected a string key, at column 2");
    expect_error("{'text':\"a\"}", "expected a string key, at column 2");
    expect_error("{\"text\" \"a\"}", "expected ':' after key, at column 9");
    expect_error("{\"text\":\"a\" \"id\":1}",
                 "expected ',' or '}' after value, at column 13");
    expect_error("{\"text\":}", "expected a value, at column 9");
    expect_error("{\"text\":\"a\"}x",
                 "unexpected characters after the object, at column 13");
    expect_error("{\"text\":\"a\"} {}",
                 "unexpected characters after the object, at column 14");
    expect_error("{\"text\":\"abc}", "unterminated string, at column 9");
    expect_error("{\"text\":\"abc\\", "unterminated string, at column 9");
    expect_error("{\"text\":\"a\\x\"}", "invalid escape '\\x', at column 11");
    expect_error("{\"text\":\"a\\\x01\"}",
                 "invalid escape: '\\' then byte 0x01, at column 11");
    expect_error("{\"text\":\"a\\u12G4\"}",
                 "invalid \\u escape (expected four hex digits), at column "
                 "11");
    expect_error("{\"text\":\"a\\u12\"}",
                 "invalid \\u escape (expected four hex digits), at column "
                 "11");
    expect_error("{\"text\":\"a\tb\"}",
                 "unescaped control character 0x09 in string, at column 11");
    expect_error("{\"text\":\"t\",\"n\":01}", "invalid number, at column 17");
    expect_error("{\"text\":\"t\",\"n\":1.}", "invalid number, at column 17");
    expect_error("{\"text\":\"t\",\"n\":.5}", "expected a value, at column 17");
    expect_error("{\"text\":\"t\",\"n\":-}", "invalid number, at column 17");
    expect_error("{\"text\":\"t\",\"n\":1e}", "invalid number, at column 17");
    expect_error("{\"text\":\"t\",\"n\":+1}", "expected a value, at column 17");
    expect_error("{\"text\":\"t\",\"n\":tru}",
                 "invalid literal (expected true), at column 17");
    expect_error("{\"text\":\"t\",\"n\":nul}",
                 "invalid literal (expected null), at column 17");
    expect_error("{\"text\":\"t\",\"n\":True}", "expected a value, at column 17");
    expect_error("{\"text\":\"t\",\"a\":[1,]}", "expected a value, at column 20");
    expect_error("{\"text\":\"t\",\"a\":[1 2]}",
                 "expected ',' or ']' after value, at column 20");
    expect_error("{\"text\":\"t\",\"a\":{\"k\"}}",
                 "expected ':' after key, at column 21");
    expect_error("{\"text\":\"t\",\"a\":{\"k\":1]}",
                 "expected ',' or '}' after value, at column 23");
    expect_error("{\"text\":\"t\",\"a\":[}", "expected a value, at column 18");
}
END_TEST

START_TEST(test_control_byte_in_key_and_nul)
{
    const char line[] = "{\"te\0xt\":\"a\"}";
    parsed r = parse_with(line, sizeof line - 1, NULL, NULL, NULL);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    ck_assert_str_eq(r.message,
                     "unescaped control character 0x00 in string, at column "
                     "5");
}
END_TEST

/* Long strings exercise the eight-bytes-at-a-time scanner: every position
 * of a special byte relative to the 8-byte blocks. */
START_TEST(test_long_strings_every_alignment)
{
    char line[512], expect[512];
    for (int pos = 0; pos < 40; pos++) {
        for (int kind = 0; kind < 3; kind++) {
            char body[64];
            memset(body, 'x', 48);
            body[48] = '\0';
            const char *ins = kind == 0 ? "\\n" : kind == 1 ? "\\\"" : "\x01";
            snprintf(line, sizeof line, "{\"text\":\"%.*s%s%s\"}", pos, body,
                     ins, body + pos);
            parsed r = parse(line);
            if (kind == 2) {
                char msg[128];
                snprintf(msg, sizeof msg,
                         "unescaped control character 0x01 in string, at "
                         "column %d",
                         10 + pos);
                ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
                ck_assert_str_eq(r.message, msg);
            } else {
                ck_assert_int_eq(r.rc, DOPPEL_OK);
                snprintf(expect, sizeof expect, "%.*s%s%s", pos, body,
                         kind == 0 ? "\n" : "\"", body + pos);
                ck_assert_str_eq(r.text, expect);
            }
        }
        /* A string that ends at each position. */
        snprintf(line, sizeof line, "{\"text\":\"%.*s\",\"id\":\"i\"}", pos,
                 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
        parsed r = parse(line);
        ck_assert_int_eq(r.rc, DOPPEL_OK);
        ck_assert_uint_eq(r.rec.text_len, (size_t)pos);
        ck_assert_str_eq(r.id, "i");
    }
    /* Bytes >= 0x80 must not be mistaken for control bytes. */
    expect_ok("{\"text\":\"\x80\x9f\xa0\xff\x80\x9f\xa0\xff\x80\x9f\"}",
              "(none)", "\x80\x9f\xa0\xff\x80\x9f\xa0\xff\x80\x9f",
              DOPPEL_NO_DATE);
}
END_TEST

/* The portable scanner (x86-64 builds use SSE2 instead) agrees with a
 * byte-by-byte scan on random buffers, at every start and end. The
 * ordinary bytes include those the SWAR trick's borrows could mistake for
 * a match when they follow one: '#' after '"', ']' after '\\', 0x20 after
 * a control byte; and bytes >= 0x80. */
START_TEST(test_portable_scanner)
{
    static const unsigned char ordinary[] = {'a', '#', ']', 0x20, 0x21,
                                             0x7f, 0x80, 0xa2, 0xff};
    static const unsigned char special[] = {'"', '\\', 0x00, 0x01, 0x0a,
                                            0x1f};
    unsigned char buf[48];
    uint32_t x = 1;
    for (int round = 0; round < 500; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1664525u + 1013904223u;
            unsigned r = x >> 16;
            buf[i] = r % 24 == 0 ? special[(r / 24) % sizeof special]
                                 : ordinary[(r / 24) % sizeof ordinary];
        }
        const char *b = (const char *)buf;
        for (size_t start = 0; start < 16; start++) {
            for (size_t end = start; end <= sizeof buf; end++) {
                const char *want = b + start;
                while (want < b + end &&
                       !(*want == '"' || *want == '\\' ||
                         (unsigned char)*want < 0x20))
                    want++;
                ck_assert_ptr_eq(
                    doppel__jsonl_find_special_swar(b + start, b + end), want);
            }
        }
    }
}
END_TEST

START_TEST(test_nesting_limit)
{
    size_t depth = DOPPEL__JSONL_MAX_DEPTH;
    size_t cap = 2 * depth + 64;
    char *line = malloc(cap);
    /* depth - 1 nested arrays inside the record: accepted. */
    size_t n = (size_t)sprintf(line, "{\"text\":\"t\",\"a\":");
    for (size_t i = 0; i < depth - 1; i++)
        line[n++] = '[';
    for (size_t i = 0; i < depth - 1; i++)
        line[n++] = ']';
    line[n++] = '}';
    line[n] = '\0';
    parsed r = parse(line);
    ck_assert_int_eq(r.rc, DOPPEL_OK);
    /* One more: refused, at the innermost bracket. */
    n = (size_t)sprintf(line, "{\"text\":\"t\",\"a\":");
    for (size_t i = 0; i < depth; i++)
        line[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        line[n++] = ']';
    line[n++] = '}';
    line[n] = '\0';
    r = parse(line);
    ck_assert_int_eq(r.rc, DOPPEL_ERR_FORMAT);
    char msg[128];
    snprintf(msg, sizeof msg, "nesting deeper than %d levels, at column %zu",
             DOPPEL__JSONL_MAX_DEPTH, 17 + depth - 1);
    ck_assert_str_eq(r.message, msg);
    free(line);
}
END_TEST

/* After the first records the parser allocates nothing more. */
START_TEST(test_buffers_reused)
{
    tu_failing_alloc fa;
    tu_failing_alloc_init(&fa, -1);
    doppel__jsonl_parser p;
    doppel__jsonl_init(&p, &fa.a, NULL, NULL, NULL);
    doppel__jsonl_record rec;
    const char *big = "{\"id\":\"a\\tb\",\"text\":\"0123456789\\n0123456789"
                      "0123456789\",\"date\":\"2020\\u002d01-30\"}";
    const char *small = "{\"id\":\"c\\td\",\"text\":\"x\\ny\","
                        "\"date\":\"2020\\u002d01-31\"}";
    ck_assert_int_eq(doppel__jsonl_parse(&p, big, strlen(big), &rec, NULL),
                     DOPPEL_OK);
    long calls = fa.calls;
    ck_assert_int_gt(calls, 0);
    for (int i = 0; i < 100; i++) {
        const char *l = i % 2 ? big : small;
        ck_assert_int_eq(doppel__jsonl_parse(&p, l, strlen(l), &rec, NULL),
                         DOPPEL_OK);
    }
    ck_assert_int_eq(fa.calls, calls);
    ck_assert_uint_eq(rec.id_len, 3);
    ck_assert_int_eq(memcmp(rec.id, "a\tb", 3), 0);
    doppel__jsonl_free(&p);
    ck_assert_int_eq(fa.live, 0);
}
END_TEST

START_TEST(test_out_of_memory)
{
    const char *line = "{\"te\\u0078t\":\"a\\nb\",\"id\":\"\\u00e9\","
                       "\"date\":\"\\u0031970-01-02\"}";
    for (long budget = 0;; budget++) {
        tu_failing_alloc fa;
        tu_failing_alloc_init(&fa, budget);
        doppel__jsonl_parser p;
        doppel__jsonl_init(&p, &fa.a, NULL, NULL, NULL);
        doppel__jsonl_record rec;
        doppel_error err = {0, {0}};
        int rc = doppel__jsonl_parse(&p, line, strlen(line), &rec, &err);
        if (rc == DOPPEL_OK) {
            ck_assert_uint_eq(rec.text_len, 3);
            ck_assert_int_eq(memcmp(rec.text, "a\nb", 3), 0);
            ck_assert_int_eq(memcmp(rec.id, "\xC3\xA9", 2), 0);
            ck_assert_int_eq(rec.date, 86400);
            doppel__jsonl_free(&p);
            ck_assert_int_eq(fa.live, 0);
            ck_assert_int_eq(budget, 4); /* key, date, id, text */
            break;
        }
        ck_assert_int_eq(rc, DOPPEL_ERR_NOMEM);
        ck_assert_str_eq(err.message, "out of memory");
        doppel__jsonl_free(&p);
        ck_assert_int_eq(fa.live, 0);
    }
}
END_TEST

Suite *suite_jsonl(void)
{
    Suite *s = suite_create("jsonl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_id_rules);
    tcase_add_test(tc, test_text_rules);
    tcase_add_test(tc, test_date_rules);
    tcase_add_test(tc, test_duplicate_keys_last_wins);
    tcase_add_test(tc, test_custom_fields_and_escaped_keys);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_nul_escape_and_unescaped_in_place);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_control_byte_in_key_and_nul);
    tcase_add_test(tc, test_long_strings_every_alignment);
    tcase_add_test(tc, test_portable_scanner);
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_buffers_reused);
    tcase_add_test(tc, test_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
