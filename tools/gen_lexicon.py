#!/usr/bin/env python3
"""Generate lib/src/lexicon_table.c: doppel's built-in word table.

Run (Debian: apt-get install wordnet-base python3-xxhash):
    python3 tools/gen_lexicon.py > lib/src/lexicon_table.c

Each entry maps a folded word to one byte of information:
  bit 7       the word is a core function word (tools/stopwords.txt)
  bits 0..3   a frequency class 0..14 = floor(log2(count + 1)), capped,
              where count = Wikinews count + 3 * SemCor count; words absent
              from the table are class 0 (never seen: rare)
Sources, both freely licensed:
  - WordNet 3.0's cntlist.rev (SemCor sense-tagged counts of the Brown
    corpus), from Debian's wordnet-base, summed per lemma and spread to
    regular inflections and WordNet's exception lists (went -> go);
  - word counts of corpus/wikinews.jsonl (CC BY 2.5, English Wikinews).
The table is an open-addressing hash table keyed by XXH3-64 (seed 0) of the
folded word: slot = hash & (size - 1), linear probing, each slot holding
(hash >> 40) << 8 | info, 0 = empty. Folding and word splitting follow
tools/gen_unicode_tables.py exactly, so a table word is found by the C
tokenizer (tests/check_lexicon.c checks every entry).
"""
import collections
import json
import math
import os
import sys
import unicodedata as ud

import xxhash

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_unicode_tables as gut  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WN = os.environ.get("WORDNET_DIR", "/usr/share/wordnet")


def words(text):
    """Split text into folded words like lib/src/tokenize.c."""
    out, cur, apos = [], [], False
    for ch in text:
        folded, cls = gut.entry(ord(ch))
        c = cls & 0x0F
        if c == gut.LETTER:
            if apos:
                cur.append("'")
            apos = False
            cur.append(chr(folded))
        elif c == gut.APOS and cur and not apos:
            apos = True
        elif c == gut.IGNORE:
            continue
        elif c == gut.IDEO:
            if cur:
                out.append("".join(cur))
            out.append(chr(folded))
            cur, apos = [], False
        else:
            if cur:
                out.append("".join(cur))
            cur, apos = [], False
    if cur:
        out.append("".join(cur))
    return out


def inflections(lemma, pos):
    """Regular inflections of a lemma for its part of speech (n v a r)."""
    yield lemma
    vowels = "aeiou"
    cy = lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in vowels
    if pos in "nv":
        if lemma.endswith(("s", "x", "z", "ch", "sh")):
            yield lemma + "es"
        elif cy:
            yield lemma[:-1] + "ies"
        else:
            yield lemma + "s"
    if pos == "v":
        double = (len(lemma) >= 3 and lemma[-1] not in vowels + "wxy" and
                  lemma[-2] in vowels and lemma[-3] not in vowels)
        if lemma.endswith("e"):
            yield lemma + "d"
            yield lemma[:-1] + "ing"
        elif cy:
            yield lemma[:-1] + "ied"
            yield lemma + "ing"
        else:
            yield lemma + "ed"
            yield lemma + "ing"
            if double:
                yield lemma + lemma[-1] + "ed"
                yield lemma + lemma[-1] + "ing"
    if pos == "a":
        if lemma.endswith("e"):
            yield lemma + "r"
            yield lemma + "st"
        elif cy:
            yield lemma[:-1] + "ier"
            yield lemma[:-1] + "iest"
        else:
            yield lemma + "er"
            yield lemma + "est"


def main():
    sem = collections.Counter()  # (lemma, pos) -> SemCor count
    for line in open(os.path.join(WN, "cntlist.rev"), encoding="latin-1"):
        key, _, cnt = line.split()
        lemma, sense = key.split("%")
        if "_" not in lemma:
            sem[(lemma, "nvaras"[int(sense[0])])] += int(cnt)
    exc = collections.defaultdict(set)
    for pos in ("noun", "verb", "adj", "adv"):
        for line in open(os.path.join(WN, pos + ".exc"), encoding="latin-1"):
            f = line.split()
            if len(f) >= 2 and "_" not in f[0]:
                for base in f[1:]:
                    exc[base].add(f[0])
    count = collections.Counter()
    for (lemma, pos), c in sem.items():
        forms = set(inflections(lemma, pos)) | exc.get(lemma, set())
        for form in forms:
            for w in words(form):
                count[w] += 3 * c
    for line in open(os.path.join(ROOT, "corpus", "wikinews.jsonl"), encoding="utf-8"):
        for w in words(json.loads(line)["text"]):
            count[w] += 1
    stop = set()
    for line in open(os.path.join(ROOT, "tools", "stopwords.txt"), encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for w in line.split(":", 1)[1].split():
            ws = words(w)
            if len(ws) == 1:
                stop.add(ws[0])
    info = {}
    for w, c in count.items():
        if c >= 2:
            info[w] = min(14, int(math.log2(c + 1)))
    for w in stop:
        info[w] = 0x80 | info.get(w, min(14, int(math.log2(count.get(w, 0) + 1))))
    size = 1
    while size < len(info) * 2:
        size *= 2
    table = [0] * size
    for w in sorted(info):
        h = xxhash.xxh3_64_intdigest(w.encode("utf-8"), seed=0)
        slot = h & (size - 1)
        while table[slot]:
            slot = (slot + 1) & (size - 1)
        table[slot] = ((h >> 40) << 8) | info[w]
    out = sys.stdout
    out.write("/*\n * lexicon_table.c — GENERATED by tools/gen_lexicon.py; do not edit.\n")
    out.write(" * %d words (%d core function words) from WordNet 3.0 SemCor counts\n"
              " * and English Wikinews (CC BY 2.5); Unicode %s folding.\n */\n"
              % (len(info), len(stop), ud.unidata_version))
    out.write('#include "lexicon.h"\n\n')
    out.write("const uint32_t doppel__lexicon_size = %d;\n" % size)
    out.write("const uint32_t doppel__lexicon_table[%d] = {\n" % size)
    for i in range(0, size, 8):
        out.write("    " + ", ".join("0x%08x" % x for x in table[i:i + 8]) + ",\n")
    out.write("};\n")
    sys.stderr.write("%d words, %d stop, table %d slots\n" % (len(info), len(stop), size))


if __name__ == "__main__":
    main()
