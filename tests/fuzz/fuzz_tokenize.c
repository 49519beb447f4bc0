/*
 * fuzz_tokenize.c — normalisation, tokenising and a full sketch of
 * arbitrary bytes (invalid UTF-8, NUL bytes, lone surrogates, control
 * characters, every script), with each shingle kind, both MinHash kinds and
 * several signature lengths; then the signature's round trip and a two-
 * document dedup of it.
 *
 * Input layout: two option bytes, then the text.
 *   byte 0: bits 0-1 shingle kind (word, char, skeleton, skeleton), bit 2
 *           K-permutation MinHash, bits 3-4 num_perm (16, 64, 128, 256),
 *           bits 5-7 the seed
 *   byte 1: shingle size (byte % 33; 0 = the kind's default); the dedup
 *           verifies robustly when bits 5-7 are all set, else by Jaccard
 *
 * Invariants checked besides memory safety:
 *   - normalised text is valid UTF-8 with single spaces, trimmed, within
 *     the 3n + 1 bytes the code reserves;
 *   - words are non-empty, in order, joined by single spaces, within the
 *     reserved counts; tokenising the normalised text gives the same words;
 *   - the signature is empty exactly when there are no words; it equals
 *     itself (similarity 1, verdict duplicate) unless empty; it survives
 *     serialise -> deserialise -> serialise byte for byte;
 *   - sketching with scratch buffers left over from another document gives
 *     the same signature as fresh ones (as dedup's workers do);
 *   - a dedup of the text twice pairs the two copies (unless empty).
 */
#include "fuzz.h"

#include "doppel.h"
#include "signature.h"
#include "tokenize.h"
#include "unicode.h"

#include <string.h>

static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = doppel__utf8_decode(s + i, n - i, &cp);
        if (cp == DOPPEL__REPLACEMENT_CHAR && l == 1 &&
            !(n - i >= 3 && s[i] == 0xEF && s[i + 1] == 0xBF &&
              s[i + 2] == 0xBD))
            return 0;
        i += l;
    }
    return 1;
}

static unsigned char *serialize(const doppel_signature *sig, size_t *len)
{
    FUZZ_CHECK(doppel_signature_serialize(sig, NULL, 0, len, NULL) ==
               DOPPEL_OK);
    unsigned char *buf = malloc(*len);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(doppel_signature_serialize(sig, buf, *len, len, NULL) ==
               DOPPEL_OK);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const doppel_shingle_kind kinds[4] = {
        DOPPEL_SHINGLE_WORD, DOPPEL_SHINGLE_CHAR, DOPPEL_SHINGLE_SKELETON,
        DOPPEL_SHINGLE_SKELETON};
    static const unsigned perms[4] = {16, 64, 128, 256};
    unsigned o0 = fuzz_take_byte(&data, &size);
    unsigned o1 = fuzz_take_byte(&data, &size);
    const char *text = (const char *)data;

    /* Normalisation. */
    char *norm = NULL;
    size_t norm_len = 0;
    FUZZ_CHECK(doppel__normalize(text, size, &norm, &norm_len, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(norm_len <= 3 * size + 1);
    FUZZ_CHECK(norm[norm_len] == '\0');
    FUZZ_CHECK(valid_utf8((const unsigned char *)norm, norm_len));
    if (norm_len) {
        FUZZ_CHECK(norm[0] != ' ' && norm[norm_len - 1] != ' ');
        for (size_t i = 1; i < norm_len; i++)
            FUZZ_CHECK(norm[i] != ' ' || norm[i - 1] != ' ');
    }

    /* Tokens, and the same tokens from the normalised text. */
    doppel__tokens t, tn;
    memset(&t, 0, sizeof t);
    memset(&tn, 0, sizeof tn);
    FUZZ_CHECK(doppel__tokenize(text, size, &t, NULL) == DOPPEL_OK);
    FUZZ_CHECK(t.text_len <= 2 * size + 8);
    FUZZ_CHECK(t.n <= size / 2 + 2);
    FUZZ_CHECK(valid_utf8(t.text, t.text_len));
    for (size_t i = 0; i < t.n; i++) {
        FUZZ_CHECK(t.len[i] > 0);
        FUZZ_CHECK((size_t)t.start[i] + t.len[i] <= t.text_len);
        FUZZ_CHECK(memchr(t.text + t.start[i], ' ', t.len[i]) == NULL);
        if (i == 0)
            FUZZ_CHECK(t.start[0] == 0);
        else
            FUZZ_CHECK(t.start[i] == t.start[i - 1] + t.len[i - 1] + 1 &&
                       t.text[t.start[i] - 1] == ' ');
    }
    if (t.n)
        FUZZ_CHECK(t.start[t.n - 1] + t.len[t.n - 1] == t.text_len);
    else
        FUZZ_CHECK(t.text_len == 0);
    FUZZ_CHECK(doppel__tokenize(norm, norm_len, &tn, NULL) == DOPPEL_OK);
    FUZZ_CHECK(tn.n == t.n && tn.text_len == t.text_len);
    FUZZ_CHECK(t.text_len == 0 ||
               memcmp(tn.text, t.text, t.text_len) == 0);
    free(norm);
    doppel__tokens_free(&tn, NULL);

    /* A sketch. */
    doppel_params params = DOPPEL_PARAMS_INIT;
    params.shingle = kinds[o0 & 3];
    params.minhash =
        (o0 & 4) ? DOPPEL_MINHASH_K_PERM : DOPPEL_MINHASH_ONE_PERM;
    params.num_perm = perms[(o0 >> 3) & 3];
    params.seed = o0 >> 5;
    params.shingle_size = o1 % 33;
    /* Explicit LSH bands: choosing them from the threshold integrates the
     * S-curve for every (b, r) and would cost more than all the rest. */
    params.bands = params.num_perm / 4;
    params.rows = 4;
    doppel_sketcher *sk = NULL;
    FUZZ_CHECK(doppel_sketcher_create(&sk, &params, NULL, NULL) == DOPPEL_OK);
    doppel_signature *sig = NULL;
    doppel_error err = {0, {0}};
    FUZZ_CHECK(doppel_sketch(sk, text, size, &sig, &err) == DOPPEL_OK);
    FUZZ_CHECK(doppel_signature_num_perm(sig) == params.num_perm);
    int empty = doppel_signature_is_empty(sig);
    FUZZ_CHECK(empty == (t.n == 0));
    double r = doppel_signature_rarity(sig);
    FUZZ_CHECK(r >= 0.0 && r <= 14.0);
    double sim = -1;
    FUZZ_CHECK(doppel_signature_similarity(sig, sig, &sim, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(sim == (empty ? 0.0 : 1.0));
    doppel_match m;
    FUZZ_CHECK(doppel_signature_compare(sig, sig, NULL, &m, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(m.duplicate == !empty && m.reason != NULL);

    /* Serialised round trip. */
    size_t len1, len2;
    unsigned char *b1 = serialize(sig, &len1);
    doppel_signature *back = NULL;
    FUZZ_CHECK(doppel_signature_deserialize(&back, b1, len1, NULL, &err) ==
               DOPPEL_OK);
    unsigned char *b2 = serialize(back, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(b1, b2, len1) == 0);
    free(b2);
    doppel_signature_free(back);

    /* Scratch left over from another document (the second half). */
    doppel__scratch sc;
    memset(&sc, 0, sizeof sc);
    const doppel_params *rp = doppel_sketcher_params(sk);
    doppel_signature *reused = doppel__signature_alloc(
        NULL, rp, doppel__sketcher_fingerprint(sk));
    FUZZ_CHECK(reused != NULL);
    doppel__sketch view = doppel__signature_sketch(reused);
    FUZZ_CHECK(doppel__sketch_into(sk, &sc, text + size / 2,
                                   size - size / 2, &view, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(doppel__sketch_into(sk, &sc, text, size, &view, NULL) ==
               DOPPEL_OK);
    doppel__scratch_free(&sc, NULL);
    b2 = serialize(reused, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(b1, b2, len1) == 0);
    free(b2);
    free(b1);
    doppel_signature_free(reused);

    /* A dedup of the text twice and its second half. */
    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    opts.params = params;
    /* The robust verification's corpus table costs K x 65536 counters
     * per doppel_dedup_finish (16 MB at K = 128) whatever the number of
     * documents: take it for one input in eight, Jaccard verification
     * (the same LSH and clustering) for the rest, or fuzzing crawls. */
    if ((o1 >> 5) != 7)
        opts.params.verify = DOPPEL_VERIFY_JACCARD;
    doppel_dedup *d = NULL;
    FUZZ_CHECK(doppel_dedup_create(&d, &opts, NULL) == DOPPEL_OK);
    doppel_doc docs[3] = {
        {"a", 1, text, size, DOPPEL_NO_DATE},
        {"b", 1, text, size, 0},
        {"c", 1, text + size / 2, size - size / 2, DOPPEL_NO_DATE}};
    FUZZ_CHECK(doppel_dedup_add_batch(d, docs, 2, NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_add(d, &docs[2], NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_add_signature(d, "d", 1, sig, DOPPEL_NO_DATE,
                                          NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_finish(d, NULL) == DOPPEL_OK);
    const doppel_pair *pairs;
    size_t npairs;
    FUZZ_CHECK(doppel_dedup_pairs(d, &pairs, &npairs, NULL) == DOPPEL_OK);
    if (empty) {
        FUZZ_CHECK(npairs == 0);
    } else {
        FUZZ_CHECK(npairs >= 3 && pairs[0].a == 0 && pairs[0].b == 1);
        doppel_member mb;
        FUZZ_CHECK(doppel_dedup_member(d, 0, &mb, NULL) == DOPPEL_OK);
        FUZZ_CHECK(mb.representative == 1); /* the dated one */
        FUZZ_CHECK(mb.cluster_size >= 3);
    }
    for (size_t i = 1; i < npairs; i++)
        FUZZ_CHECK(pairs[i - 1].a < pairs[i].a ||
                   (pairs[i - 1].a == pairs[i].a &&
                    pairs[i - 1].b < pairs[i].b));
    doppel_dedup_stats st;
    FUZZ_CHECK(doppel_dedup_stats_get(d, &st, NULL) == DOPPEL_OK);
    FUZZ_CHECK(st.documents == 4 && st.verified_pairs == npairs);
    doppel_dedup_free(d);

    doppel_signature_free(sig);
    doppel_sketcher_free(sk);
    doppel__tokens_free(&t, NULL);
    return 0;
}
