/*
 * mix.h — the benchmark generator: which documents the corpus holds, how
 * each is made, and the truth about them.
 *
 * Generation is two passes so that it streams at any scale:
 *   plan   decide every document as a small record (kind, base article,
 *          source document, cluster, parameters): O(documents) memory,
 *          no text;
 *   write  visit the records in a shuffled order and materialise each
 *          document's text on the fly from its record and its own seed
 *          (bg_seed_derive(seed, document number, ...)), writing one line
 *          to each of corpus.jsonl, truth.tsv and meta.tsv.
 * Nothing is quadratic: sources, hosts and sites are drawn in O(1) each.
 *
 * The real articles' own near-duplicates are found first (neardup.h: exact
 * word-5-shingle Jaccard): pairs at >= merge_jaccard share a true cluster
 * (with the --dup-pairs given), pairs at [ambiguous_jaccard, merge_jaccard)
 * are listed as ambiguous (neither true nor false pairs for the scorer), and
 * every article in such a pair is only ever published as a plain original.
 *
 * Base articles are the real articles given, plus — when a --scale larger
 * than the real corpus asks for more — synthetic originals made of
 * sentences drawn from many different real articles (each sentence from a
 * random article, so two synthetic originals share almost nothing and the
 * duplicate rate stays what the mix says).
 */
#ifndef BG_MIX_H
#define BG_MIX_H

#include "spin.h"
#include "util.h"
#include "wordnet.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** One real article (borrowed; must outlive the mix). */
typedef struct bg_article {
    const char *id, *title, *text;
    size_t id_len, title_len, text_len;
    int64_t date; /**< Unix seconds or DOPPEL_NO_DATE */
} bg_article;

#define BG_MAX_SPIN_RATES 16
#define BG_MAX_GROUPS 16

/** Which spinner makes the spun copies (bg_spin_profile values, or both). */
typedef enum bg_mix_spinner {
    BG_MIX_SPIN_WORDNET = BG_SPIN_WORDNET,
    BG_MIX_SPIN_PHRASE = BG_SPIN_PHRASE,
    BG_MIX_SPIN_MIXED = 2 /**< each spun copy draws one of the two */
} bg_mix_spinner;
#define BG_SPIN_PROFILES 2

typedef struct bg_mix_opts {
    uint64_t seed;
    double spin_rates[BG_MAX_SPIN_RATES];
    size_t nspin_rates;
    size_t spin_per_rate;  /**< spun copies per rate */
    size_t typo, truncate, sentdel, reorder, headfoot, combo;
    double typo_rate;      /**< per letter */
    double truncate_frac;  /**< fraction of words kept */
    double sentdel_frac;   /**< fraction of sentences deleted */
    size_t partial;        /**< partial copies (each with its own host) */
    size_t templated;      /**< templated stories, half of each family */
    size_t site_pages[BG_MAX_GROUPS]; /**< distinct articles per big site */
    size_t nsites;
    size_t small_sites;    /**< sites used for headfoot copies */
    size_t wire_copies[BG_MAX_GROUPS]; /**< reprints per wire story */
    size_t nwires;
    size_t scale;          /**< 0: the mix as given; else this many documents */
    int dates;             /**< write a "date" field */
    int spinner;           /**< bg_mix_spinner */
    /** real articles at word-5-shingle Jaccard >= merge_jaccard share a true
     *  cluster (0: off); pairs in [ambiguous_jaccard, merge_jaccard) are
     *  ambiguous (0: off) */
    double merge_jaccard, ambiguous_jaccard;
} bg_mix_opts;

/** The default mix (about 6,450 documents from BBC + Wikinews). */
void bg_mix_opts_default(bg_mix_opts *o);

typedef struct bg_mix bg_mix;

/**
 * Plan the benchmark over `narticles` real articles. dups[2*k], dups[2*k+1]
 * are indices of articles known to be duplicates of each other (merged in
 * the truth). `wn` is borrowed until bg_mix_free. Fails with
 * DOPPEL_ERR_PARAM (and a message with the numbers) when the articles
 * cannot supply the roles asked for.
 */
int bg_mix_plan(bg_mix **out, const bg_article *articles, size_t narticles,
                const uint32_t *dups, size_t ndups, const bg_wordnet *wn,
                const bg_mix_opts *opts, doppel_error *err);
void bg_mix_free(bg_mix *m);

/** Documents planned. */
size_t bg_mix_documents(const bg_mix *m);

/** Per-kind and per-group statistics collected while writing. */
typedef struct bg_mix_summary {
    size_t documents, clusters, base_real, base_synthetic;
    size_t kind_count[16];
    const char *kind_name[16];
    size_t nkinds;
    /* spinning, per requested rate and spinner profile (spin copies only) */
    double rate[BG_MAX_SPIN_RATES];
    size_t rate_docs[BG_MAX_SPIN_RATES][BG_SPIN_PROFILES];
    size_t rate_units[BG_MAX_SPIN_RATES][BG_SPIN_PROFILES];
    size_t rate_replaced[BG_MAX_SPIN_RATES][BG_SPIN_PROFILES];
    size_t rate_words[BG_MAX_SPIN_RATES][BG_SPIN_PROFILES];
    size_t rate_words_replaced[BG_MAX_SPIN_RATES][BG_SPIN_PROFILES];
    size_t nrates;
    /* the corpus's own near-duplicates among the published articles */
    size_t near_merged;    /**< pairs at >= merge_jaccard */
    size_t near_ambiguous; /**< pairs written to the ambiguous stream */
    size_t near_related;   /**< real articles in any such pair */
    /* the footer-versus-reprint relation the benchmark is built to test */
    size_t largest_site_docs, smallest_big_site_docs;
    size_t largest_wire_cluster, smallest_wire_cluster;
    size_t nsites_total;
} bg_mix_summary;

/**
 * Write every document, in shuffled order, to the three streams (meta may
 * be NULL), and the ambiguous pairs to `ambiguous` (may be NULL): one line
 * "id_a<TAB>id_b<TAB>jaccard" per pair of published original documents
 * whose articles' word-5-shingle Jaccard is in [ambiguous_jaccard,
 * merge_jaccard) and whose true clusters differ. Errors: DOPPEL_ERR_IO (a
 * write failed), DOPPEL_ERR_NOMEM.
 */
int bg_mix_write(bg_mix *m, FILE *corpus, FILE *truth, FILE *meta,
                 FILE *ambiguous, bg_mix_summary *summary, doppel_error *err);

/** Format Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf >= 21 bytes). */
void bg_format_date(int64_t t, char *buf, size_t cap);

/** The random-looking 12-hex-digit id of document number i for a seed:
 *  a bijection on 48 bits, so ids never collide. */
void bg_doc_id(uint64_t seed, uint64_t i, char out[13]);

#endif
