/*
 * fuzz_signature.c — doppel_signature_deserialize() on arbitrary bytes, and
 * everything a caller may then do with what it returns: accessors,
 * serialise again, compare (with itself and with a real sketch), add to a
 * dedup and cluster.
 *
 * Input layout: one option byte, then the serialised signature.
 *   bit 0: recompute the XXH3 checksum over the body first, and
 *   bit 1: recompute the parameter fingerprint first,
 * so that mutations reach the fields behind those checks (a random body
 * never passes a 64-bit checksum; the fuzzer would only ever test that);
 *   bits 2-4 all set: the dedup verifies robustly, else by Jaccard.
 *
 * Invariants checked besides memory safety:
 *   - a refusal is DOPPEL_ERR_CORRUPT, _VERSION or _MISMATCH with a
 *     message; nothing is returned;
 *   - an accepted signature has K in [16, 4096] and the exact size; its
 *     serialisation has the input's length and is stable from the second
 *     round on;
 *   - it equals itself unless empty; comparing it with a real sketch gives
 *     the same Jaccard, containment and names share both ways round;
 *   - a dedup of it twice pairs the two copies unless it is empty.
 */
#include "fuzz.h"

#include "doppel.h"
#include "hash.h"
#include "signature.h"

#include <string.h>

#define SIG_HEADER 48u

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
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

static const char text[] =
    "The quick brown fox jumps over the lazy dog near the old river bank "
    "while Farmer Giles watches from his porch in Oxford on 12 May 1999.";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned opt = fuzz_take_byte(&data, &size);
    unsigned char *buf = malloc(size ? size : 1);
    FUZZ_CHECK(buf != NULL);
    if (size)
        memcpy(buf, data, size);
    if ((opt & 2) && size >= SIG_HEADER) {
        doppel_params p = DOPPEL_PARAMS_INIT;
        p.shingle = (doppel_shingle_kind)buf[16];
        p.minhash = (doppel_minhash_kind)buf[17];
        p.shingle_size = (unsigned)(buf[18] | buf[19] << 8);
        p.num_perm = (unsigned)(buf[20] | buf[21] << 8 | buf[22] << 16 |
                                (unsigned)buf[23] << 24);
        p.seed = get64(buf + 24);
        p.bands = p.rows = 1;
        if (doppel_params_resolve(&p, &p, NULL) == DOPPEL_OK)
            put64(buf + 8, doppel__params_fingerprint(&p));
    }
    if ((opt & 1) && size >= 8)
        put64(buf + size - 8, doppel__hash_bytes(buf, size - 8, 0));

    doppel_signature *sig = (doppel_signature *)&opt; /* must be reset */
    doppel_error err = {0, {0}};
    int rc = doppel_signature_deserialize(&sig, buf, size, NULL, &err);
    if (rc != DOPPEL_OK) {
        FUZZ_CHECK(rc == DOPPEL_ERR_CORRUPT || rc == DOPPEL_ERR_VERSION ||
                   rc == DOPPEL_ERR_MISMATCH);
        FUZZ_CHECK(err.code == rc && err.message[0] != '\0');
        FUZZ_CHECK(sig == NULL);
        free(buf);
        return 0;
    }
    unsigned K = doppel_signature_num_perm(sig);
    FUZZ_CHECK(K >= DOPPEL_MIN_PERM && K <= DOPPEL_MAX_PERM);
    FUZZ_CHECK(size == SIG_HEADER + 3u * K + 128u + 8u);
    const uint16_t *v = doppel_signature_values(sig);
    volatile unsigned sum = 0;
    for (unsigned k = 0; k < K; k++)
        sum += v[k];
    (void)sum;
    int empty = doppel_signature_is_empty(sig);
    double rarity = doppel_signature_rarity(sig);
    FUZZ_CHECK(rarity >= 0.0);

    size_t l1, l2;
    unsigned char *s1 = serialize(sig, &l1);
    FUZZ_CHECK(l1 == size);
    doppel_signature *again = NULL;
    FUZZ_CHECK(doppel_signature_deserialize(&again, s1, l1, NULL, NULL) ==
               DOPPEL_OK);
    unsigned char *s2 = serialize(again, &l2);
    FUZZ_CHECK(l1 == l2 && memcmp(s1, s2, l1) == 0);
    free(s1);
    free(s2);
    doppel_signature_free(again);

    double sim;
    FUZZ_CHECK(doppel_signature_similarity(sig, sig, &sim, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(sim == (empty ? 0.0 : 1.0));
    doppel_match m;
    FUZZ_CHECK(doppel_signature_compare(sig, sig, NULL, &m, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(m.duplicate == !empty);

    /* Against a real sketch made with the same parameters. */
    doppel_sketcher *sk = NULL;
    FUZZ_CHECK(doppel_sketcher_create(&sk, &sig->params, NULL, NULL) ==
               DOPPEL_OK);
    doppel_signature *real = NULL;
    FUZZ_CHECK(doppel_sketch(sk, text, sizeof text - 1, &real, NULL) ==
               DOPPEL_OK);
    doppel_match ab, ba;
    FUZZ_CHECK(doppel_signature_compare(sig, real, NULL, &ab, &err) ==
               DOPPEL_OK);
    FUZZ_CHECK(doppel_signature_compare(real, sig, NULL, &ba, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(ab.jaccard == ba.jaccard);
    FUZZ_CHECK(ab.containment == ba.containment);
    FUZZ_CHECK(ab.entities == ba.entities);
    FUZZ_CHECK(ab.spread_a == ba.spread_b && ab.spread_b == ba.spread_a);
    FUZZ_CHECK(ab.jaccard >= 0.0 && ab.jaccard <= 1.0);
    FUZZ_CHECK(ab.containment >= 0.0 && ab.containment <= 1.0);
    FUZZ_CHECK(ab.entities == -1.0 ||
               (ab.entities >= 0.0 && ab.entities <= 1.0));

    /* A dedup of the signature twice and the real sketch. */
    doppel_dedup_opts opts = DOPPEL_DEDUP_OPTS_INIT;
    opts.params = sig->params;
    /* One input in eight gets the robust verification, whose corpus table
     * costs 16 MB per finish (see fuzz_tokenize.c). */
    if (((opt >> 2) & 7) != 7)
        opts.params.verify = DOPPEL_VERIFY_JACCARD;
    opts.params.bands = doppel_signature_num_perm(sig) / 4; /* see */
    opts.params.rows = 4; /* fuzz_tokenize.c: cheaper than choosing */
    doppel_dedup *d = NULL;
    FUZZ_CHECK(doppel_dedup_create(&d, &opts, NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_add_signature(d, "x", 1, sig, DOPPEL_NO_DATE,
                                          NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_add_signature(d, "y", 1, real, DOPPEL_NO_DATE,
                                          NULL) == DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_add_signature(d, "z", 1, sig, 5, NULL) ==
               DOPPEL_OK);
    FUZZ_CHECK(doppel_dedup_finish(d, NULL) == DOPPEL_OK);
    const doppel_pair *pairs;
    size_t npairs;
    FUZZ_CHECK(doppel_dedup_pairs(d, &pairs, &npairs, NULL) == DOPPEL_OK);
    int found = 0;
    for (size_t i = 0; i < npairs; i++)
        found |= pairs[i].a == 0 && pairs[i].b == 2;
    FUZZ_CHECK(found == !empty);
    for (size_t i = 0; i < 3; i++) {
        doppel_member mb;
        FUZZ_CHECK(doppel_dedup_member(d, i, &mb, NULL) == DOPPEL_OK);
        FUZZ_CHECK(mb.representative < 3);
        FUZZ_CHECK(mb.cluster_size >= 1 && mb.cluster_size <= 3);
    }
    doppel_dedup_free(d);
    doppel_signature_free(real);
    doppel_sketcher_free(sk);
    doppel_signature_free(sig);
    free(buf);
    return 0;
}
