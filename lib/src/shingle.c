/*
 * shingle.c — shingles are the features whose set a MinHash signature
 * summarises. Word k-grams are built from per-word XXH3 hashes combined in
 * order (hash.h: doppel__combine), so each word is hashed once however many
 * shingles contain it. Character n-grams are hashed from the normalised
 * word text directly, counting code points, not bytes, so that n means the
 * same thing in every script.
 */
#include "shingle.h"
#include "hash.h"

size_t doppel__shingle_words(const uint64_t *th, size_t n, unsigned k,
                             uint64_t seed, uint64_t *out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        out[0] = doppel__combine(th, (unsigned)n, seed);
        return 1;
    }
    size_t m = n - k + 1;
    for (size_t i = 0; i < m; i++)
        out[i] = doppel__combine(th + i, k, seed);
    return m;
}

size_t doppel__shingle_chars(const doppel__tokens *t, unsigned n,
                             uint64_t seed, uint64_t *out)
{
    const unsigned char *s = t->text;
    size_t len = t->text_len;
    if (t->n == 0 || len == 0)
        return 0;
    /* ring[j % (n + 1)] = byte offset where the j-th code point starts */
    uint32_t ring[DOPPEL__MAX_TEXT_RING];
    size_t count = 0, m = 0;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] & 0xC0) == 0x80)
            continue; /* continuation byte */
        ring[count % (n + 1)] = (uint32_t)i;
        count++;
        if (count > n) {
            size_t from = ring[(count - 1 - n) % (n + 1)];
            out[m++] = doppel__hash_bytes(s + from, i - from, seed);
        }
    }
    if (count >= n) {
        size_t from = ring[(count - n) % (n + 1)];
        out[m++] = doppel__hash_bytes(s + from, len - from, seed);
    } else {
        out[m++] = doppel__hash_bytes(s, len, seed);
    }
    return m;
}
