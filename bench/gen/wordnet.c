/*
 * wordnet.c — load WordNet 3.0's lexicographer-free database files
 * (wndb(5WN)): index.POS lines
 *     lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt
 *     synset_offset [synset_offset...]
 * name, for each lemma, the byte offsets of its synsets in data.POS, whose
 * lines read
 *     synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] ...
 * with w_cnt in hexadecimal. POS.exc lines are "inflected base [base...]".
 * Lines starting with two spaces are the licence header.
 *
 * Layout after loading (all read-only):
 *     keys      strmap: "secretary of state" -> key id
 *     surfaces  strmap: "foreign minister"   -> surface id
 *     syn_start[key] .. syn_start[key+1]  ->  syn[]: surface ids
 *     excs      strmap: "went" -> exc id;  exc_start[] -> exc[]: bg_wn_exc
 *     prefixes  strmap: "secretary", "secretary of" (word prefixes of
 *               multi-word keys, so a phrase scanner knows when to stop)
 * Built in one pass collecting (key, surface) pairs, then a counting sort by
 * key and a per-key de-duplication by the surface's lower-case key.
 */
#include "wordnet.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bg_wordnet {
    bg_strmap keys;
    bg_strmap surfaces;
    uint32_t *syn_start; /* keys.count + 1 */
    uint32_t *syn;
    size_t keys_with_syn;
    bg_strmap prefixes; /* word prefixes of multi-word keys */
    bg_strmap excs;
    uint32_t *exc_start; /* excs.count + 1 */
    bg_wn_exc *exc;
};

static const char *const pos_names[4] = {"noun", "verb", "adj", "adv"};

typedef struct pair {
    uint32_t key, surface, lower;
} pair;

typedef struct loader {
    bg_wordnet *wn;
    char *data[4];
    size_t data_len[4];
    pair *pairs;
    size_t npairs, cap;
    doppel_error *err;
    char path[4096];
} loader;

static int read_file(const char *path, char **out, size_t *len,
                     doppel_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bg_error(err, errno == ENOENT ? DOPPEL_ERR_NOTFOUND : DOPPEL_ERR_IO,
                        "%s: %s (install the Debian package wordnet-base)",
                        path, strerror(errno));
    bg_buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        bg_buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        bg_buf_free(&b);
        return bg_error(err, DOPPEL_ERR_IO, "%s: read error", path);
    }
    if (b.oom) {
        bg_buf_free(&b);
        return bg_error(err, DOPPEL_ERR_NOMEM, "%s: out of memory", path);
    }
    bg_buf_reserve(&b, 0);
    if (b.oom || !b.data) {
        bg_buf_free(&b);
        return bg_error(err, DOPPEL_ERR_NOMEM, "%s: out of memory", path);
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

/* Normalise a WordNet word: underscores to spaces, marker "(a)" "(p)"
 * "(ip)" stripped. Writes into buf (cap > len). */
static size_t normalise_word(const char *w, size_t n, char *buf)
{
    if (n > 2 && w[n - 1] == ')') {
        size_t k = n - 1;
        while (k > 0 && w[k] != '(')
            k--;
        if (k > 0 && n - k <= 4)
            n = k;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = w[i] == '_' ? ' ' : w[i];
    return n;
}

static size_t lower_copy(const char *s, size_t n, char *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    return n;
}

/* Next space-separated field of [*p, end); NULL at the end of the line. */
static const char *field(const char **p, const char *end, size_t *n)
{
    const char *s = *p;
    while (s < end && *s == ' ')
        s++;
    if (s >= end || *s == '\n')
        return NULL;
    const char *e = s;
    while (e < end && *e != ' ' && *e != '\n')
        e++;
    *n = (size_t)(e - s);
    *p = e;
    return s;
}

static int nomem(loader *L)
{
    return bg_error(L->err, DOPPEL_ERR_NOMEM, "wordnet: out of memory");
}

static int push_pair(loader *L, uint32_t key, uint32_t surface, uint32_t lower)
{
    if (bg_grow((void **)&L->pairs, &L->cap, L->npairs + 1, sizeof *L->pairs) < 0)
        return nomem(L);
    L->pairs[L->npairs].key = key;
    L->pairs[L->npairs].surface = surface;
    L->pairs[L->npairs].lower = lower;
    L->npairs++;
    return 0;
}

/* Add the members of the synset at `offset` in data.POS as synonyms of key. */
static int add_synset(loader *L, int pos, uint32_t key, unsigned long offset,
                      const char *index_path, size_t line)
{
    const char *d = L->data[pos];
    size_t dlen = L->data_len[pos];
    if (offset >= dlen || (offset > 0 && d[offset - 1] != '\n'))
        return bg_error(L->err, DOPPEL_ERR_FORMAT,
                        "%s:%zu: synset offset %lu is not a line start of data.%s",
                        index_path, line, offset, pos_names[pos]);
    const char *p = d + offset;
    const char *end = memchr(p, '\n', dlen - offset);
    if (!end)
        end = d + dlen;
    size_t n;
    const char *f = field(&p, end, &n);
    if (!f || strtoul(f, NULL, 10) != offset)
        return bg_error(L->err, DOPPEL_ERR_FORMAT,
                        "%s:%zu: data.%s has no synset at offset %lu",
                        index_path, line, pos_names[pos], offset);
    field(&p, end, &n); /* lex_filenum */
    field(&p, end, &n); /* ss_type */
    f = field(&p, end, &n);
    if (!f)
        goto bad;
    unsigned long wcnt = strtoul(f, NULL, 16);
    if (wcnt == 0 || wcnt > 1000)
        goto bad;
    for (unsigned long w = 0; w < wcnt; w++) {
        f = field(&p, end, &n);
        size_t lexn;
        if (!f || !field(&p, end, &lexn) || n >= 256)
            goto bad;
        char word[256], low[256];
        size_t wn = normalise_word(f, n, word);
        lower_copy(word, wn, low);
        long s = bg_strmap_put(&L->wn->surfaces, word, wn, NULL);
        long lo = bg_strmap_put(&L->wn->keys, low, wn, NULL);
        if (s < 0 || lo < 0)
            return nomem(L);
        int rc = push_pair(L, key, (uint32_t)s, (uint32_t)lo);
        if (rc < 0)
            return rc;
    }
    return 0;
bad:
    return bg_error(L->err, DOPPEL_ERR_FORMAT,
                    "data.%s: malformed synset line at offset %lu (from %s:%zu)",
                    pos_names[pos], offset, index_path, line);
}

static int load_index(loader *L, const char *dir, int pos)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/index.%s", dir, pos_names[pos]);
    char *text;
    size_t len;
    int rc = read_file(path, &text, &len, L->err);
    if (rc < 0)
        return rc;
    const char *p = text, *end = text + len;
    size_t line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *q = p;
        p = eol + 1;
        if (q == eol || q[0] == ' ')
            continue; /* blank or licence header */
        size_t n;
        const char *lemma = field(&q, eol, &n);
        if (!lemma || n >= 256)
            goto bad;
        char word[256];
        size_t wn = normalise_word(lemma, n, word);
        lower_copy(word, wn, word);
        long key = bg_strmap_put(&L->wn->keys, word, wn, NULL);
        if (key < 0) {
            free(text);
            return nomem(L);
        }
        size_t fn;
        const char *f = field(&q, eol, &fn); /* pos */
        if (!f)
            goto bad;
        f = field(&q, eol, &fn);
        if (!f)
            goto bad;
        unsigned long synsets = strtoul(f, NULL, 10);
        f = field(&q, eol, &fn);
        if (!f)
            goto bad;
        unsigned long ptrs = strtoul(f, NULL, 10);
        for (unsigned long i = 0; i < ptrs; i++)
            if (!field(&q, eol, &fn))
                goto bad;
        if (!field(&q, eol, &fn) || !field(&q, eol, &fn)) /* sense counts */
            goto bad;
        for (unsigned long i = 0; i < synsets; i++) {
            f = field(&q, eol, &fn);
            if (!f)
                goto bad;
            rc = add_synset(L, pos, (uint32_t)key, strtoul(f, NULL, 10), path,
                            line);
            if (rc < 0) {
                free(text);
                return rc;
            }
        }
    }
    free(text);
    return 0;
bad:
    free(text);
    return bg_error(L->err, DOPPEL_ERR_FORMAT, "%s:%zu: malformed index line",
                    path, line);
}

/* Exception lists: "inflected base [base...]". */
typedef struct exc_pair {
    uint32_t form;
    bg_wn_exc e;
} exc_pair;

static int load_exc(loader *L, const char *dir, int pos, exc_pair **v,
                    size_t *n, size_t *cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.exc", dir, pos_names[pos]);
    char *text;
    size_t len;
    int rc = read_file(path, &text, &len, L->err);
    if (rc < 0)
        return rc;
    const char *p = text, *end = text + len;
    size_t line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *q = p;
        p = eol + 1;
        size_t fn;
        const char *form = field(&q, eol, &fn);
        if (!form)
            continue;
        if (fn >= 256) {
            free(text);
            return bg_error(L->err, DOPPEL_ERR_FORMAT, "%s:%zu: word too long",
                            path, line);
        }
        char word[256];
        size_t wn = normalise_word(form, fn, word);
        lower_copy(word, wn, word);
        long fid = bg_strmap_put(&L->wn->excs, word, wn, NULL);
        if (fid < 0) {
            free(text);
            return nomem(L);
        }
        const char *b;
        while ((b = field(&q, eol, &fn)) != NULL) {
            if (fn >= 256)
                continue;
            size_t bn = normalise_word(b, fn, word);
            lower_copy(word, bn, word);
            long base = bg_strmap_get(&L->wn->keys, word, bn);
            if (base < 0)
                continue; /* a base WordNet has no synsets for */
            if (bg_grow((void **)v, cap, *n + 1, sizeof **v) < 0) {
                free(text);
                return nomem(L);
            }
            (*v)[*n].form = (uint32_t)fid;
            (*v)[*n].e.base = (uint32_t)base;
            (*v)[*n].e.pos = (uint8_t)pos;
            (*n)++;
        }
    }
    free(text);
    return 0;
}

static int build_synonyms(loader *L)
{
    bg_wordnet *wn = L->wn;
    size_t nkeys = wn->keys.count;
    wn->syn_start = bg_calloc_array(nkeys + 1, sizeof *wn->syn_start);
    uint32_t *fill = bg_calloc_array(nkeys + 1, sizeof *fill);
    uint32_t *stamp = bg_calloc_array(nkeys + 1, sizeof *stamp);
    uint32_t *sorted = bg_malloc_array(L->npairs + 1, sizeof *sorted);
    if (!wn->syn_start || !fill || !stamp || !sorted) {
        free(fill);
        free(stamp);
        free(sorted);
        return nomem(L);
    }
    /* counting sort of pair indices by key, keeping file order per key */
    for (size_t i = 0; i < L->npairs; i++)
        fill[L->pairs[i].key + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        fill[k + 1] += fill[k];
    for (size_t i = 0; i < L->npairs; i++)
        sorted[fill[L->pairs[i].key]++] = (uint32_t)i;
    /* fill[k] is now the end of key k's pairs; de-duplicate in place */
    wn->syn = bg_malloc_array(L->npairs + 1, sizeof *wn->syn);
    if (!wn->syn) {
        free(fill);
        free(stamp);
        free(sorted);
        return nomem(L);
    }
    size_t out = 0, begin = 0;
    for (size_t k = 0; k < nkeys; k++) {
        wn->syn_start[k] = (uint32_t)out;
        stamp[k] = (uint32_t)(k + 1); /* never the lemma itself */
        for (size_t j = begin; j < fill[k]; j++) {
            const pair *pr = &L->pairs[sorted[j]];
            if (stamp[pr->lower] == k + 1)
                continue;
            stamp[pr->lower] = (uint32_t)(k + 1);
            wn->syn[out++] = pr->surface;
        }
        if (out > wn->syn_start[k])
            wn->keys_with_syn++;
        begin = fill[k];
    }
    wn->syn_start[nkeys] = (uint32_t)out;
    free(fill);
    free(stamp);
    free(sorted);
    return 0;
}

static int build_prefixes(loader *L)
{
    bg_wordnet *wn = L->wn;
    for (size_t k = 0; k < wn->keys.count; k++) {
        size_t n;
        const char *key = bg_strmap_key(&wn->keys, k, &n);
        for (size_t i = 1; i < n; i++)
            if (key[i] == ' ' && bg_strmap_put(&wn->prefixes, key, i, NULL) < 0)
                return nomem(L);
    }
    return 0;
}

static int build_exceptions(loader *L, exc_pair *v, size_t n)
{
    bg_wordnet *wn = L->wn;
    size_t nf = wn->excs.count;
    wn->exc_start = bg_calloc_array(nf + 1, sizeof *wn->exc_start);
    wn->exc = bg_malloc_array(n + 1, sizeof *wn->exc);
    if (!wn->exc_start || !wn->exc)
        return nomem(L);
    for (size_t i = 0; i < n; i++)
        wn->exc_start[v[i].form + 1]++;
    for (size_t f = 0; f < nf; f++)
        wn->exc_start[f + 1] += wn->exc_start[f];
    uint32_t *pos = bg_malloc_array(nf + 1, sizeof *pos);
    if (!pos)
        return nomem(L);
    memcpy(pos, wn->exc_start, (nf + 1) * sizeof *pos);
    for (size_t i = 0; i < n; i++)
        wn->exc[pos[v[i].form]++] = v[i].e;
    free(pos);
    return 0;
}

int bg_wordnet_load(bg_wordnet **out, const char *dir, doppel_error *err)
{
    *out = NULL;
    if (!dir)
        dir = BG_WORDNET_DEFAULT_DIR;
    loader L;
    memset(&L, 0, sizeof L);
    L.err = err;
    L.wn = calloc(1, sizeof *L.wn);
    if (!L.wn)
        return nomem(&L);
    int rc = 0;
    exc_pair *excs = NULL;
    size_t nexc = 0, capexc = 0;
    for (int pos = 0; pos < 4 && rc == 0; pos++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data.%s", dir, pos_names[pos]);
        rc = read_file(path, &L.data[pos], &L.data_len[pos], err);
    }
    for (int pos = 0; pos < 4 && rc == 0; pos++)
        rc = load_index(&L, dir, pos);
    if (rc == 0)
        rc = build_synonyms(&L);
    if (rc == 0)
        rc = build_prefixes(&L);
    for (int pos = 0; pos < 4 && rc == 0; pos++)
        rc = load_exc(&L, dir, pos, &excs, &nexc, &capexc);
    if (rc == 0)
        rc = build_exceptions(&L, excs, nexc);
    for (int pos = 0; pos < 4; pos++)
        free(L.data[pos]);
    free(L.pairs);
    free(excs);
    if (rc < 0) {
        bg_wordnet_free(L.wn);
        return rc;
    }
    *out = L.wn;
    return 0;
}

void bg_wordnet_free(bg_wordnet *wn)
{
    if (!wn)
        return;
    bg_strmap_free(&wn->keys);
    bg_strmap_free(&wn->surfaces);
    bg_strmap_free(&wn->excs);
    bg_strmap_free(&wn->prefixes);
    free(wn->syn_start);
    free(wn->syn);
    free(wn->exc_start);
    free(wn->exc);
    free(wn);
}

long bg_wordnet_lookup(const bg_wordnet *wn, const char *key, size_t len)
{
    return bg_strmap_get(&wn->keys, key, len);
}

int bg_wordnet_is_prefix(const bg_wordnet *wn, const char *words, size_t len)
{
    return bg_strmap_get(&wn->prefixes, words, len) >= 0;
}

size_t bg_wordnet_synonyms(const bg_wordnet *wn, long key,
                           const uint32_t **ids)
{
    if (key < 0 || (size_t)key >= wn->keys.count) {
        *ids = NULL;
        return 0;
    }
    *ids = wn->syn + wn->syn_start[key];
    return wn->syn_start[key + 1] - wn->syn_start[key];
}

const char *bg_wordnet_surface(const bg_wordnet *wn, uint32_t id, size_t *len)
{
    return bg_strmap_key(&wn->surfaces, id, len);
}

const char *bg_wordnet_key(const bg_wordnet *wn, long key, size_t *len)
{
    return bg_strmap_key(&wn->keys, (size_t)key, len);
}

size_t bg_wordnet_exceptions(const bg_wordnet *wn, const char *form,
                             size_t len, const bg_wn_exc **out)
{
    long f = bg_strmap_get(&wn->excs, form, len);
    if (f < 0) {
        *out = NULL;
        return 0;
    }
    *out = wn->exc + wn->exc_start[f];
    return wn->exc_start[f + 1] - wn->exc_start[f];
}

void bg_wordnet_counts(const bg_wordnet *wn, size_t *keys,
                       size_t *keys_with_synonyms)
{
    if (keys)
        *keys = wn->keys.count;
    if (keys_with_synonyms)
        *keys_with_synonyms = wn->keys_with_syn;
}
