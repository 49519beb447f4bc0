/*
 * mix_impl.h — what the generator's three files share (see mix.h): the
 * document record of the plan, the bg_mix object, and the base-article
 * helpers. mix.c plans, mix_base.c knows the base articles (real and
 * synthetic: text, id, date), mix_write.c materialises and streams.
 *
 * A planned document is 28 bytes:
 *
 *   base    u32  base article its text starts from (a partial copy's host)
 *   source  u32  document it was copied from (a partial copy's donor)
 *   cluster u32  document naming its true cluster (its first original)
 *   aux     u32  site | wire story | template family
 *   extra   u32  outlet number of a reprint
 *   p1      f32  the edit's parameter (rate, fraction, paragraphs)
 *   kind    u8   BG_K_*
 *   edit2   u8   combo: second edit; syndicated: 0 full, 1 cut, 2 typo;
 *                original: 1 for a wire story's original
 *   spinner u8   spin and combo: bg_spin_profile
 */
#ifndef BG_MIX_IMPL_H
#define BG_MIX_IMPL_H

#include "mix.h"
#include "sites.h"
#include "text.h"

#include <stdint.h>

#define BG_NONE UINT32_MAX

enum bg_kind {
    BG_K_ORIGINAL, BG_K_SITEPAGE, BG_K_SPIN, BG_K_TYPO, BG_K_TRUNCATE,
    BG_K_SENTDEL, BG_K_REORDER, BG_K_HEADFOOT, BG_K_COMBO, BG_K_PARTIAL,
    BG_K_SYNDICATED, BG_K_TEMPLATED, BG_K_COUNT
};

/** "original", "sitepage", ... indexed by bg_kind. */
extern const char *const bg__mix_kind_names[BG_K_COUNT];

enum bg_role { BG_R_UNUSED, BG_R_ORIGINAL, BG_R_HOST, BG_R_SITEPAGE, BG_R_WIRE };

/* purposes for bg_seed_derive: a document's or base article's streams */
enum bg_purpose {
    BG_S_EDIT = 1, BG_S_TITLE, BG_S_EDIT2, BG_S_DATE, BG_S_LAYOUT,
    BG_S_SYNTH = 100, BG_S_BASEDATE,
    BG_S_PLAN = 1000, BG_S_ORDER, BG_S_SITE, BG_S_IDS
};

typedef struct bg_doc {
    uint32_t base, source, cluster, aux, extra;
    float p1;
    uint8_t kind;
    uint8_t edit2;
    uint8_t spinner;
} bg_doc;

struct bg_mix {
    bg_mix_opts o;           /* the options, with counts after scaling */
    const bg_article *arts;
    size_t nreal;
    const bg_wordnet *wn;
    size_t nbases, nsynth;   /* bases [0, nreal) are real, then synthetic */
    uint8_t *role;           /* per base: bg_role */
    uint32_t *base_aux;      /* per base: site of a sitepage, story of a wire */
    uint8_t *npara;          /* real bases: paragraphs (capped at 255) */
    uint16_t *nsent;         /* real bases: sentences (capped) */
    bg_doc *docs;
    size_t ndocs, capdocs;
    bg_site *sites;          /* big sites [0, nbig), then small ones */
    size_t nbig, nsmall;
    size_t *site_docs;       /* documents carrying each site's furniture */
    size_t nwire;
    uint32_t *wire_doc;      /* the original of each wire story */
    size_t *wire_size;       /* its number of reprints */
    bg_span *pool;           /* sentences for synthetic originals */
    uint32_t *pool_art;
    size_t npool;
    bg_headline *headlines;  /* for site footers */
    size_t nheadlines;
    uint32_t *amb;           /* ambiguous pairs: documents amb[2k], amb[2k+1] */
    float *amb_j;            /* and their Jaccard similarity */
    size_t namb;
    size_t near_merged, near_related;
};

/** A base article's text and title: borrowed for a real one, built in the
 *  caller's scratch buffers for a synthetic one. */
typedef struct bg_text_ref {
    const char *text, *title;
    size_t text_len, title_len;
} bg_text_ref;

bg_text_ref bg__mix_base_text(const bg_mix *m, uint32_t b, bg_buf *stitle,
                              bg_buf *stext);
/** The base's source id ("bbc-tech-001", "synth-0000002a"), tab-free. */
void bg__mix_base_id(const bg_mix *m, uint32_t b, bg_buf *out);
/** Its publication date: the real one, else a seeded one. */
int64_t bg__mix_base_date(const bg_mix *m, uint32_t b);
/** Paragraphs / sentences of a base (synthetic ones have at least 4). */
size_t bg__mix_base_paras(const bg_mix *m, uint32_t b);
size_t bg__mix_base_sents(const bg_mix *m, uint32_t b);
/** The parameter of a simple edit kind (typo rate, fractions) or 0. */
float bg__mix_edit_param(const bg_mix_opts *o, int kind);

#endif
