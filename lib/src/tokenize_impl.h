/*
 * tokenize_impl.h — the body of the tokenizer, included by tokenize.c once
 * per block classifier so that each copy is compiled for its instruction
 * set (TOK_TARGET: the AVX2 copy may use BMI's tzcnt and blsi, the
 * portable copy may not) with the classifier inlined. tokenize.c explains
 * the algorithm; this is only the loop.
 *
 * Before including, define TOK_FN (the function's name), TOK_CLASSIFY (a
 * classifier: fills a block from 64 bytes) and TOK_TARGET (a function
 * attribute, or nothing). They are undefined at the end.
 */

TOK_TARGET static void TOK_FN(const unsigned char *s, size_t n,
                              doppel__tokens *t)
{
    unsigned char *out = t->text;
    uint32_t *wstarts = t->start, *wlens = t->len;
    uint8_t *wfl = t->flags;
    size_t p = 0, nw = 0, i = 0;
    int in_word = 0, apos = 0;
    unsigned pend = LAYOUT_START; /* layout flags of the next word */
    unsigned wflags = 0;
    size_t wstart = 0;

/* Every word is followed by a space; the last one is dropped at the end. */
#define END_WORD()                                                             \
    do {                                                                       \
        wstarts[nw] = (uint32_t)wstart;                                        \
        wlens[nw] = (uint32_t)(p - wstart);                                    \
        wfl[nw] = (uint8_t)wflags;                                             \
        nw++;                                                                  \
        out[p++] = ' ';                                                        \
        in_word = 0;                                                           \
    } while (0)

    while (i < n) {
        if (!apos && s[i] < 0x80) {
            /* ---- a block of ASCII: bytes [i, i + L) */
            block b;
            size_t avail = n - i;
            if (avail >= BLOCK) {
                TOK_CLASSIFY(s + i, &b);
            } else {
                unsigned char pad[BLOCK];
                memset(pad, 0, sizeof pad);
                memcpy(pad, s + i, avail);
                TOK_CLASSIFY(pad, &b);
            }
            unsigned L = avail < BLOCK ? (unsigned)avail : BLOCK;
            uint64_t vm = L == BLOCK ? ~0ull : (1ull << L) - 1;
            if (b.na & vm) {
                L = (unsigned)__builtin_ctzll(b.na);
                vm = (1ull << L) - 1;
            }
            /* An apostrophe just before a non-ASCII byte may join a
             * non-ASCII letter: leave it to the general step. */
            if (((b.ap >> (L - 1)) & 1) && i + L < n && s[i + L] >= 0x80) {
                L--;
                vm >>= 1;
            }
            if (L > 0) {
                uint64_t last = 1ull << (L - 1);
                int next_al = i + L < n && (cls_table[s[i + L]] & B_AL);
                int next_lf = i + L < n && s[i + L] == '\n';
                uint64_t al = b.al & vm;
                /* an apostrophe with a letter or digit on each side */
                uint64_t before = (al << 1) | (uint64_t)in_word;
                uint64_t after = (al >> 1) | (next_al ? last : 0);
                uint64_t w = al | (b.ap & vm & before & after);
                /* line breaks: LF, and CR unless an LF follows */
                uint64_t lf_after = (b.lf >> 1) | (next_lf ? last : 0);
                uint64_t nl = (b.lf | (b.cr & ~lf_after)) & vm;
                uint64_t se = b.se & vm;
                uint64_t ev = nl | se;
                uint64_t done = 0; /* bits up to the last word's end */
                if (in_word) {
                    /* the word open at the end of what came before */
                    uint64_t z = w + 1; /* its end is z's lowest bit */
                    uint64_t run = w & ~z;
                    unsigned e = z ? (unsigned)__builtin_ctzll(z) : BLOCK;
                    if (e <= 16)
                        memcpy(out + p, b.low, 16);
                    else
                        memcpy(out + p, b.low, e);
                    p += e;
                    if (b.dg & run)
                        wflags |= DOPPEL__TOK_DIGIT;
                    if (z & vm)
                        END_WORD();
                    done = run;
                    w &= z;
                }
                uint64_t starts = w & ~(w << 1), ends = w & ~(w >> 1);
                /* A word that reaches the end of the range may go on past
                 * it: it is set aside and opened after the loop. */
                uint64_t open = 0;
                if (ends & last) {
                    open = 1ull << (63 - __builtin_clzll(starts));
                    starts ^= open;
                    ends ^= last;
                }
                while (starts) {
                    uint64_t sb = starts & (0 - starts); /* first byte */
                    uint64_t eb = ends & (0 - ends);     /* last byte */
                    starts ^= sb;
                    ends ^= eb;
                    unsigned st = (unsigned)__builtin_ctzll(sb);
                    unsigned len = (unsigned)__builtin_ctzll(eb) - st + 1;
                    uint64_t sep = (sb - 1) & ~done;
                    if (DOPPEL_UNLIKELY(ev & sep))
                        pend = layout_add(pend, nl & sep, se & sep);
                    uint64_t run = (eb << 1) - sb;
                    wflags = pend | ((b.up & sb) ? DOPPEL__TOK_UPPER : 0u) |
                             ((b.dg & run) ? DOPPEL__TOK_DIGIT : 0u);
                    pend = 0;
                    wstart = p;
                    if (len <= 16)
                        memcpy(out + p, b.low + st, 16);
                    else
                        memcpy(out + p, b.low + st, len);
                    p += len;
                    done = (eb << 1) - 1;
                    END_WORD();
                }
                if (open) {
                    unsigned st = (unsigned)__builtin_ctzll(open);
                    unsigned len = L - st;
                    uint64_t sep = (open - 1) & ~done;
                    if (ev & sep)
                        pend = layout_add(pend, nl & sep, se & sep);
                    uint64_t run = vm & ~(open - 1);
                    wflags = pend | ((b.up & open) ? DOPPEL__TOK_UPPER : 0u) |
                             ((b.dg & run) ? DOPPEL__TOK_DIGIT : 0u);
                    pend = 0;
                    wstart = p;
                    if (len <= 16)
                        memcpy(out + p, b.low + st, 16);
                    else
                        memcpy(out + p, b.low + st, len);
                    p += len;
                    done = vm;
                    in_word = 1;
                }
                uint64_t sep = vm & ~done;
                if (DOPPEL_UNLIKELY(ev & sep))
                    pend = layout_add(pend, nl & sep, se & sep);
                i += L;
                continue;
            }
        }
        /* ---- the general step: one code point */
        uint32_t cp;
        int cls, nl;
        i += next_cp(s, n, i, &cp, &cls, &nl);
        switch (DOPPEL__UC_CLASS(cls)) {
        case DOPPEL__UC_LETTER:
            if (!in_word) {
                wstart = p;
                in_word = 1;
                wflags = pend |
                         ((cls & DOPPEL__UC_UPPER) ? DOPPEL__TOK_UPPER : 0u);
                pend = 0;
            } else if (apos) {
                out[p++] = '\'';
            }
            wflags |= (cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u;
            apos = 0;
            p += doppel__utf8_encode(cp, out + p);
            break;
        case DOPPEL__UC_APOS:
            if (in_word && !apos) {
                apos = 1;
                break;
            }
            goto end_word;
        case DOPPEL__UC_IGNORE:
            break;
        case DOPPEL__UC_IDEO:
            if (in_word)
                END_WORD();
            wstart = p;
            wflags = pend |
                     ((cls & DOPPEL__UC_NUMERIC) ? DOPPEL__TOK_DIGIT : 0u);
            pend = 0;
            p += doppel__utf8_encode(cp, out + p);
            END_WORD();
            apos = 0;
            break;
        default:
        end_word:
            if (in_word)
                END_WORD();
            if (nl)
                pend = layout_newline(pend);
            if (cp == '.' || cp == '!' || cp == '?' || cp == 0x3002)
                pend |= DOPPEL__TOK_SENT;
            apos = 0;
            break;
        }
    }
    if (in_word)
        END_WORD();
#undef END_WORD
    t->n = nw;
    t->text_len = nw ? p - 1 : 0; /* without the last word's space */
}

#undef TOK_FN
#undef TOK_CLASSIFY
#undef TOK_TARGET
