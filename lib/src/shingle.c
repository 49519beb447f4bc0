/*
 * shingle.c — shingles are the features whose set a MinHash signature
 * summarises. Word (and skeleton) k-grams are built from per-word hashes
 * combined in order (hash.h: doppel__combine), so each word is hashed once
 * however many shingles contain it. Character n-grams are hashed from the
 * normalised word text directly, counting code points, not bytes, so that
 * n means the same thing in every script. Every shingle also records the
 * word it starts at, which the signature keeps per bin to tell shared
 * content spread over a whole document from content confined to one part
 * of it (a footer, a quoted paragraph).
 */
#include "shingle.h"
#include "hash.h"

#include "params.h"

size_t doppel__shingle_words(const uint64_t *sym, const uint32_t *pos,
                             size_t n, unsigned k, uint64_t seed,
                             uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out)
{
    if (n == 0)
        return 0;
    if (n < k) {
        out[0] = doppel__combine(sym, (unsigned)n, seed);
        pos_out[0] = pos[0];
        end_out[0] = pos[n - 1];
        return 1;
    }
    size_t m = n - k + 1;
    /* The common sizes with k known at compile time: the combination
     * loop unrolls into straight-line multiplies. */
#define WINDOWS(K)                                                             \
    for (size_t i = 0; i < m; i++) {                                           \
        out[i] = doppel__combine(sym + i, (K), seed);                          \
        pos_out[i] = pos[i];                                                   \
        end_out[i] = pos[i + (K) - 1];                                         \
    }
    switch (k) {
    case 3: WINDOWS(3) break;
    case 5: WINDOWS(5) break;
    case 6: WINDOWS(6) break;
    default: WINDOWS(k) break;
    }
#undef WINDOWS
    return m;
}

size_t doppel__shingle_chars(const doppel__tokens *t, unsigned n,
                             uint64_t seed, uint64_t *out, uint32_t *pos_out,
                             uint32_t *end_out)
{
    const unsigned char *s = t->text;
    size_t len = t->text_len;
    if (t->n == 0 || len == 0)
        return 0;
    /* ring[j % (n + 1)] = byte offset where the j-th code point starts */
    uint32_t ring[DOPPEL_MAX_SHINGLE_SIZE + 1];
    size_t count = 0, m = 0, word = 0;
    for (size_t i = 0; i < len; i++) {
        if ((s[i] & 0xC0) == 0x80)
            continue; /* continuation byte */
        ring[count % (n + 1)] = (uint32_t)i;
        count++;
        if (count > n) {
            size_t from = ring[(count - 1 - n) % (n + 1)];
            while (word + 1 < t->n && t->start[word + 1] <= from)
                word++;
            size_t last = word;
            while (last + 1 < t->n && t->start[last + 1] < i)
                last++;
            out[m] = doppel__hash_bytes(s + from, i - from, seed);
            end_out[m] = (uint32_t)last;
            pos_out[m++] = (uint32_t)word;
        }
    }
    size_t from = count >= n ? ring[(count - n) % (n + 1)] : 0;
    while (word + 1 < t->n && t->start[word + 1] <= from)
        word++;
    out[m] = doppel__hash_bytes(s + from, len - from, seed);
    end_out[m] = (uint32_t)(t->n - 1);
    pos_out[m++] = (uint32_t)word;
    return m;
}
