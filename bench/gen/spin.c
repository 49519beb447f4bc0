/*
 * spin.c — the article spinner described in spin.h.
 *
 * For each word position the scanner collects up to four following words
 * joined only by spaces/tabs, then tries the longest phrase first:
 *
 *     "Secretary of State Mike"  ->  "secretary of state mike"   no
 *     "Secretary of State"       ->  "secretary of state"        yes: unit
 *
 * A phrase's candidates are the synonyms of its lower-case key, pooled with
 * those of the irregular base forms of its last word (WordNet *.exc); only
 * when neither has any are the regular suffix rules tried (WordNet morphy's
 * detachment rules for -s -es -ies -ed -ing, plus an undoubled consonant), so
 * that a word that is itself a lemma ("news", "building") is not also read as
 * an inflection ("new" + s). Every candidate carries the suffix to re-apply.
 * Random draws come from one xoshiro256** stream per call: one coin per unit,
 * one index per replacement, so output depends only on (text, rate, seed,
 * profile).
 *
 * The phrase profile looks up the same word window in the phrase table
 * (phrases.h) before WordNet, longest key first; the longer of the two
 * matches becomes the unit (the table wins a tie).
 */
#include "spin.h"

#include "phrases.h"
#include "rng.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Closed-class words never replaced (sorted for bsearch). */
static const char *const stopwords[] = {
    "a", "about", "above", "across", "after", "against", "along", "although",
    "am", "among", "an", "and", "any", "are", "around", "as", "at", "be",
    "because", "been", "before", "behind", "being", "below", "beneath",
    "beside", "between", "beyond", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "either", "every", "for",
    "from", "had", "has", "have", "having", "he", "her", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "inside", "into", "is",
    "it", "its", "itself", "may", "me", "might", "mine", "must", "my",
    "myself", "near", "neither", "no", "nor", "not", "of", "off", "on",
    "onto", "or", "our", "ours", "ourselves", "out", "outside", "over", "per",
    "shall", "she", "should", "since", "so", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "though", "through", "throughout", "till", "to", "toward",
    "towards", "under", "unless", "until", "up", "upon", "us", "via", "was",
    "we", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would",
    "yet", "you", "your", "yours", "yourself", "yourselves",
};

static int cmp_word(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int bg_spin_is_stopword(const char *word, size_t len)
{
    char low[16];
    if (len == 0 || len >= sizeof low)
        return 0;
    for (size_t i = 0; i < len; i++)
        low[i] = bg_lower(word[i]);
    low[len] = '\0';
    return bsearch(low, stopwords, sizeof stopwords / sizeof stopwords[0],
                   sizeof stopwords[0], cmp_word)
           != NULL;
}

const char *bg_spin_profile_name(bg_spin_profile p)
{
    switch (p) {
    case BG_SPIN_WORDNET: return "wordnet";
    case BG_SPIN_PHRASE: return "phrase";
    }
    return NULL;
}

double bg_spin_realised(const bg_spin_stats *st)
{
    return st->units ? (double)st->replaced / (double)st->units : 0.0;
}

void bg_spin_trace_free(bg_spin_trace *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

/* ------------------------------------------------------------ candidates */

typedef enum suffix {
    SUF_NONE = 0,
    SUF_S,
    SUF_ED,
    SUF_ING,
    SUF_ER,
    SUF_EST,
    SUF_POSS
} suffix;

typedef struct cand {
    uint32_t surface;
    uint8_t suf;
} cand;

typedef struct spinner {
    const bg_wordnet *wn;
    cand *c;
    size_t nc, capc;
    long tried[24]; /* base keys already pooled for this phrase */
    size_t ntried;
    int oom;
} spinner;

#define KEY_MAX 480

static void add_key(spinner *s, long key, suffix suf)
{
    if (key < 0)
        return;
    for (size_t i = 0; i < s->ntried; i++)
        if (s->tried[i] == key)
            return;
    if (s->ntried < sizeof s->tried / sizeof s->tried[0])
        s->tried[s->ntried++] = key;
    const uint32_t *ids;
    size_t n = bg_wordnet_synonyms(s->wn, key, &ids);
    if (n == 0)
        return;
    if (bg_grow((void **)&s->c, &s->capc, s->nc + n, sizeof *s->c) < 0) {
        s->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        s->c[s->nc].surface = ids[i];
        s->c[s->nc].suf = (uint8_t)suf;
        s->nc++;
    }
}

/* Look up prefix (may be empty, else ends with a space) + base. */
static void add_base(spinner *s, const char *prefix, size_t plen,
                     const char *base, size_t blen, suffix suf)
{
    char key[KEY_MAX + 32];
    if (blen < 2 || plen + blen > KEY_MAX)
        return;
    if (plen == 0 && suf != SUF_NONE && bg_spin_is_stopword(base, blen))
        return; /* "it's" is not "information technology's" */
    memcpy(key, prefix, plen);
    memcpy(key + plen, base, blen);
    add_key(s, bg_wordnet_lookup(s->wn, key, plen + blen), suf);
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int ends_with(const char *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Candidates for the phrase whose lower-case key is prefix + last. */
static void collect(spinner *s, const char *prefix, size_t plen,
                    const char *w, size_t n)
{
    s->nc = 0;
    s->ntried = 0;
    add_base(s, prefix, plen, w, n, SUF_NONE);
    /* possessive: "company's" -> "company" + 's */
    if (n > 3 && ends_with(w, n, "'s")) {
        add_base(s, prefix, plen, w, n - 2, SUF_POSS);
        return;
    }
    /* irregular forms from the exception lists */
    const bg_wn_exc *exc;
    size_t ne = bg_wordnet_exceptions(s->wn, w, n, &exc);
    for (size_t i = 0; i < ne; i++) {
        suffix suf;
        if (exc[i].pos == BG_NOUN)
            suf = SUF_S;
        else if (exc[i].pos == BG_VERB)
            suf = ends_with(w, n, "ing") ? SUF_ING
                  : (ends_with(w, n, "s") ? SUF_S : SUF_ED);
        else
            suf = ends_with(w, n, "est") ? SUF_EST
                  : (ends_with(w, n, "er") ? SUF_ER : SUF_NONE);
        size_t blen;
        const char *base = bg_wordnet_key(s->wn, (long)exc[i].base, &blen);
        add_base(s, prefix, plen, base, blen, suf);
    }
    if (s->nc > 0 || n < 4)
        return;
    /* regular suffixes (WordNet morphy's detachment rules) */
    char b[KEY_MAX];
    if (n >= KEY_MAX)
        return;
    memcpy(b, w, n);
    if (ends_with(w, n, "ies")) {
        b[n - 3] = 'y';
        add_base(s, prefix, plen, b, n - 2, SUF_S);
    } else if (ends_with(w, n, "ses") || ends_with(w, n, "xes")
               || ends_with(w, n, "zes") || ends_with(w, n, "ches")
               || ends_with(w, n, "shes")) {
        add_base(s, prefix, plen, w, n - 2, SUF_S);
        add_base(s, prefix, plen, w, n - 1, SUF_S);
    } else if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u'
               && w[n - 2] != 'i') {
        add_base(s, prefix, plen, w, n - 1, SUF_S);
    } else if (ends_with(w, n, "ied")) {
        b[n - 3] = 'y';
        add_base(s, prefix, plen, b, n - 2, SUF_ED);
    } else if (ends_with(w, n, "ed") && n >= 5) {
        add_base(s, prefix, plen, w, n - 2, SUF_ED);
        add_base(s, prefix, plen, w, n - 1, SUF_ED);
        if (w[n - 3] == w[n - 4] && !is_vowel(w[n - 3]))
            add_base(s, prefix, plen, w, n - 3, SUF_ED);
    } else if (ends_with(w, n, "ing") && n >= 6) {
        add_base(s, prefix, plen, w, n - 3, SUF_ING);
        b[n - 3] = 'e';
        add_base(s, prefix, plen, b, n - 2, SUF_ING);
        if (w[n - 4] == w[n - 5] && !is_vowel(w[n - 4]))
            add_base(s, prefix, plen, w, n - 4, SUF_ING);
    }
}

/* ---------------------------------------------------------------- output */

/* Append word + naive suffix (applied to the last word of `w`). */
static void put_suffixed(bg_buf *out, const char *w, size_t n, suffix suf,
                         const char *poss, size_t poss_len)
{
    char last = n ? w[n - 1] : '\0';
    char prev = n > 1 ? w[n - 2] : '\0';
    int cons_y = last == 'y' && !is_vowel(prev);
    switch (suf) {
    case SUF_NONE:
        bg_buf_append(out, w, n);
        break;
    case SUF_S:
        if (cons_y) {
            bg_buf_append(out, w, n - 1);
            bg_buf_puts(out, "ies");
        } else {
            bg_buf_append(out, w, n);
            int es = last == 's' || last == 'x' || last == 'z'
                     || (last == 'h' && (prev == 'c' || prev == 's'));
            bg_buf_puts(out, es ? "es" : "s");
        }
        break;
    case SUF_ED:
    case SUF_ER:
    case SUF_EST: {
        const char *tail = suf == SUF_ED ? "ed" : suf == SUF_ER ? "er" : "est";
        if (cons_y) {
            bg_buf_append(out, w, n - 1);
            bg_buf_putc(out, 'i');
            bg_buf_puts(out, tail);
        } else if (last == 'e') {
            bg_buf_append(out, w, n);
            bg_buf_puts(out, tail + 1);
        } else {
            bg_buf_append(out, w, n);
            bg_buf_puts(out, tail);
        }
        break;
    }
    case SUF_ING:
        if (last == 'e' && prev != 'e' && prev != 'y' && prev != 'o' && n > 2)
            bg_buf_append(out, w, n - 1);
        else
            bg_buf_append(out, w, n);
        bg_buf_puts(out, "ing");
        break;
    case SUF_POSS:
        bg_buf_append(out, w, n);
        bg_buf_append(out, poss, poss_len);
        break;
    }
}

typedef enum casing { CASE_AS_IS, CASE_TITLE_FIRST, CASE_TITLE_ALL, CASE_UPPER } casing;

/* The case pattern of the unit's words. */
static casing unit_casing(const char *t, const bg_span *w, unsigned nw)
{
    size_t upper = 0, lower = 0;
    for (unsigned k = 0; k < nw; k++)
        for (size_t i = w[k].start; i < w[k].end; i++) {
            if (t[i] >= 'A' && t[i] <= 'Z')
                upper++;
            else if (t[i] >= 'a' && t[i] <= 'z')
                lower++;
        }
    if (lower == 0 && upper >= 2)
        return CASE_UPPER;
    if (!(t[w[0].start] >= 'A' && t[w[0].start] <= 'Z'))
        return CASE_AS_IS;
    if (nw < 2)
        return CASE_TITLE_FIRST;
    for (unsigned k = 1; k < nw; k++) {
        const char *s = t + w[k].start;
        size_t n = w[k].end - w[k].start;
        if (!bg_spin_is_stopword(s, n) && !(s[0] >= 'A' && s[0] <= 'Z'))
            return CASE_TITLE_FIRST;
    }
    return CASE_TITLE_ALL;
}

static void apply_casing(char *s, size_t n, casing c)
{
    if (c == CASE_AS_IS || n == 0)
        return;
    if (c == CASE_UPPER) {
        for (size_t i = 0; i < n; i++)
            s[i] = bg_upper(s[i]);
        return;
    }
    s[0] = bg_upper(s[0]);
    if (c != CASE_TITLE_ALL)
        return;
    for (size_t i = 1; i < n; i++) {
        if (s[i - 1] != ' ')
            continue;
        size_t e = i;
        while (e < n && s[e] != ' ')
            e++;
        if (!bg_spin_is_stopword(s + i, e - i))
            s[i] = bg_upper(s[i]);
    }
}

/* Lower-case copy of a word for lookup, with ’ folded to '; 0 if it does not
 * fit or contains a digit. */
static size_t key_word(const char *t, bg_span w, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = w.start; i < w.end;) {
        if (bg_is_digit(t[i]))
            return 0;
        if ((unsigned char)t[i] == 0xE2 && i + 2 < w.end
            && (unsigned char)t[i + 1] == 0x80
            && (unsigned char)t[i + 2] == 0x99) { /* ’ */
            if (n + 1 >= cap)
                return 0;
            buf[n++] = '\'';
            i += 3;
            continue;
        }
        if (n + 1 >= cap)
            return 0;
        buf[n++] = bg_lower(t[i]);
        i++;
    }
    return n;
}

/* An all-capitals word of at most five letters ("UK", "HQ", "NATO"): kept,
 * as the spun seed article kept every one of its acronyms. */
static int is_acronym(const char *t, bg_span w)
{
    size_t n = w.end - w.start;
    if (n < 2 || n > 5)
        return 0;
    for (size_t i = w.start; i < w.end; i++)
        if (!(t[i] >= 'A' && t[i] <= 'Z'))
            return 0;
    return 1;
}

/* The longest phrase-table key among the first nw words (at most
 * BG_PHRASE_MAX_WORDS): returns its word count (0: none) and the entry;
 * *poss gets the byte length of a possessive ending ('s or ’s) that was
 * left out of the key and must be copied after the replacement. */
static unsigned table_match(const char *t, const bg_span *w, unsigned nw,
                            const bg_phrase **entry, size_t *poss)
{
    char key[KEY_MAX];
    size_t end[BG_PHRASE_MAX_WORDS + 1];
    unsigned n = 0;
    end[0] = 0;
    *entry = NULL;
    *poss = 0;
    while (n < nw && n < BG_PHRASE_MAX_WORDS) {
        size_t p = end[n];
        if (n > 0)
            key[p++] = ' ';
        size_t m = key_word(t, w[n], key + p, KEY_MAX - p - 1);
        if (m == 0)
            break;
        /* no key starts with these words (a possessive is tried below) */
        size_t stem = m > 2 && key[p + m - 2] == '\'' && key[p + m - 1] == 's'
                          ? m - 2
                          : m;
        if (!bg_phrase_is_prefix(key, p + stem))
            break;
        end[++n] = p + m;
    }
    for (unsigned k = n; k >= 1; k--) {
        const bg_phrase *e = bg_phrase_find(key, end[k]);
        if (e) {
            *entry = e;
            return k;
        }
        size_t kl = end[k];
        if (kl - end[k - 1] > 3 && key[kl - 2] == '\'' && key[kl - 1] == 's'
            && (e = bg_phrase_find(key, kl - 2)) != NULL) {
            const char *last = t + w[k - 1].end;
            *poss = (w[k - 1].end - w[k - 1].start >= 4
                     && (unsigned char)last[-4] == 0xE2)
                        ? 4
                        : 2;
            *entry = e;
            return k;
        }
    }
    return 0;
}

static int push_unit(bg_spin_trace *tr, const bg_spin_unit *u)
{
    if (!tr)
        return 0;
    if (bg_grow((void **)&tr->v, &tr->cap, tr->n + 1, sizeof *tr->v) < 0)
        return -1;
    tr->v[tr->n++] = *u;
    return 0;
}

/* Emit one phrase-table unit of `nwords` words (replaced with probability
 * rate); 0 or -1 when out of memory. */
static int table_unit(bg_rng *rng, const char *text, const bg_span *w,
                      unsigned nwords, const bg_phrase *e, size_t poss,
                      const bg_spin_opts *opts, bg_buf *out, bg_buf *rep,
                      bg_spin_stats *st, bg_spin_trace *trace)
{
    size_t start = w[0].start, uend = w[nwords - 1].end;
    bg_spin_unit u;
    u.src_start = start;
    u.src_end = uend;
    u.words = nwords;
    u.dst_start = out->len;
    u.replaced = 0;
    u.from_table = 1;
    st->words += nwords - 1;
    st->units++;
    st->table_units++;
    if (bg_rng_double(rng) < opts->rate) {
        const char *r = e->rep[bg_rng_below(rng, bg_phrase_nrep(e))];
        bg_buf_clear(rep);
        bg_buf_puts(rep, r);
        if (rep->oom)
            return -1;
        apply_casing(rep->data, rep->len, unit_casing(text, w, nwords));
        bg_buf_append(out, rep->data, rep->len);
        bg_buf_append(out, text + uend - poss, poss);
        u.replaced = 1;
        st->replaced++;
        st->table_replaced++;
        st->words_replaced += nwords;
    } else {
        bg_buf_append(out, text + start, uend - start);
    }
    u.dst_end = out->len;
    return push_unit(trace, &u);
}

int bg_spin(const bg_wordnet *wn, const char *text, size_t len,
            const bg_spin_opts *opts, bg_buf *out, bg_spin_stats *stats,
            bg_spin_trace *trace, doppel_error *err)
{
    bg_spin_stats st = {0, 0, 0, 0, 0, 0};
    if (!(opts->rate >= 0.0 && opts->rate <= 1.0))
        return bg_error(err, DOPPEL_ERR_PARAM,
                        "spin rate must be in [0, 1], got %g", opts->rate);
    if (!bg_spin_profile_name(opts->profile))
        return bg_error(err, DOPPEL_ERR_PARAM, "unknown spinner profile %d",
                        (int)opts->profile);
    unsigned maxw = opts->max_phrase_words ? opts->max_phrase_words : 4;
    if (maxw > 8)
        maxw = 8;
    bg_rng rng;
    bg_rng_seed(&rng, opts->seed);
    spinner s;
    memset(&s, 0, sizeof s);
    s.wn = wn;
    bg_buf rep = {0};
    int rc = 0;

    size_t i = 0;
    while (i < len) {
        size_t e0 = bg_word_end(text, len, i);
        if (e0 == i) {
            size_t k;
            bg_utf8_decode(text, len, i, &k);
            bg_buf_append(out, text + i, k);
            i += k;
            continue;
        }
        /* the words that could form a phrase starting here */
        bg_span w[8];
        unsigned nw = 0;
        w[nw].start = i;
        w[nw].end = e0;
        nw++;
        while (nw < maxw) {
            size_t j = w[nw - 1].end;
            while (j < len && (text[j] == ' ' || text[j] == '\t'))
                j++;
            if (j == w[nw - 1].end)
                break;
            size_t e = bg_word_end(text, len, j);
            if (e == j)
                break;
            w[nw].start = j;
            w[nw].end = e;
            nw++;
        }
        st.words++;
        /* the phrase table may rewrite stopwords, never acronyms */
        const bg_phrase *tent = NULL;
        size_t tposs = 0;
        unsigned table_words = 0;
        if (opts->profile == BG_SPIN_PHRASE && !is_acronym(text, w[0]))
            table_words = table_match(text, w, nw, &tent, &tposs);
        /* WordNet: the stoplist, one-letter words and numbers are never
         * replaced */
        size_t k0;
        bg_utf8_decode(text, len, i, &k0);
        char wk[KEY_MAX];
        size_t wkn = key_word(text, w[0], wk, sizeof wk);
        if (wkn == 0 || i + k0 == e0 || bg_spin_is_stopword(wk, wkn)
            || is_acronym(text, w[0])) {
            if (table_words > 0) {
                if (table_unit(&rng, text, w, table_words, tent, tposs, opts,
                               out, &rep, &st, trace) < 0)
                    goto nomem;
                i = w[table_words - 1].end;
                continue;
            }
            bg_buf_append(out, text + i, e0 - i);
            i = e0;
            continue;
        }
        /* how far the words can extend a multi-word lemma: prefix[pend[n]]
         * is the key of the first n words plus a space */
        char prefix[KEY_MAX];
        size_t pend[9];
        unsigned reach = 1;
        memcpy(prefix, wk, wkn);
        pend[1] = wkn;
        while (reach < nw && bg_wordnet_is_prefix(wn, prefix, pend[reach])) {
            size_t p = pend[reach];
            prefix[p++] = ' ';
            size_t m = key_word(text, w[reach], prefix + p, KEY_MAX - p - 1);
            if (m == 0)
                break;
            pend[reach + 1] = p + m;
            reach++;
        }
        /* longest phrase first */
        unsigned unit_words = 0;
        for (unsigned n = reach; n >= 1 && unit_words == 0; n--) {
            size_t plen = n > 1 ? pend[n - 1] + 1 : 0;
            const char *last = prefix + plen;
            size_t lastn = pend[n] - plen;
            collect(&s, prefix, plen, last, lastn);
            if (s.oom)
                goto nomem;
            if (s.nc > 0)
                unit_words = n;
        }
        if (table_words > 0 && table_words >= unit_words) {
            if (table_unit(&rng, text, w, table_words, tent, tposs, opts, out,
                           &rep, &st, trace) < 0)
                goto nomem;
            i = w[table_words - 1].end;
            continue;
        }
        if (unit_words == 0) {
            bg_buf_append(out, text + i, e0 - i);
            i = e0;
            continue;
        }
        for (unsigned k = 1; k < unit_words; k++)
            st.words++;
        size_t uend = w[unit_words - 1].end;
        bg_spin_unit u;
        u.src_start = i;
        u.src_end = uend;
        u.words = unit_words;
        u.dst_start = out->len;
        u.replaced = 0;
        u.from_table = 0;
        st.units++;
        if (bg_rng_double(&rng) < opts->rate) {
            const cand *c = &s.c[bg_rng_below(&rng, s.nc)];
            size_t sn;
            const char *sur = bg_wordnet_surface(wn, c->surface, &sn);
            /* the possessive ending exactly as the source wrote it */
            const char *poss = text + uend;
            size_t poss_len = 0;
            if (c->suf == SUF_POSS) {
                poss_len = (uend - w[unit_words - 1].start >= 4
                            && (unsigned char)text[uend - 4] == 0xE2)
                               ? 4
                               : 2;
                poss = text + uend - poss_len;
            }
            bg_buf_clear(&rep);
            put_suffixed(&rep, sur, sn, (suffix)c->suf, poss, poss_len);
            if (rep.oom)
                goto nomem;
            apply_casing(rep.data, rep.len, unit_casing(text, w, unit_words));
            bg_buf_append(out, rep.data, rep.len);
            u.replaced = 1;
            st.replaced++;
            st.words_replaced += unit_words;
        } else {
            bg_buf_append(out, text + i, uend - i);
        }
        u.dst_end = out->len;
        if (push_unit(trace, &u) < 0)
            goto nomem;
        i = uend;
    }
    if (out->oom)
        goto nomem;
    goto done;
nomem:
    rc = bg_error(err, DOPPEL_ERR_NOMEM, "spin: out of memory");
done:
    free(s.c);
    bg_buf_free(&rep);
    if (stats)
        *stats = st;
    return rc;
}
