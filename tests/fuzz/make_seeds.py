#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

    tests/fuzz/make_seeds.py BUILD_DIR [TARGET ...]

Seeds are small valid inputs and edge cases, hand-made or cut from the
bundled corpus (corpus/), each prefixed with the option bytes its target
reads first (see the comment at the top of each fuzz_<target>.c). The
signature and index seeds are made by the library itself, so BUILD_DIR
must hold a built lib (libdoppel.a): a small C program is compiled against
it. Running the script again rewrites the same files (all targets', or
those named).
"""
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def wiki(n, cut=700):
    """The first n Wikinews records, texts cut to `cut` characters."""
    out = []
    with open(os.path.join(ROOT, "corpus", "wikinews.jsonl"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out.append({"id": rec["id"][:60], "date": rec["date"],
                        "text": rec["text"][:cut]})
            if len(out) == n:
                break
    return out


def seed_text(name, cut=1500):
    with open(os.path.join(ROOT, "corpus", "seeds", name), "rb") as f:
        return f.read()[:cut]


def gz(data, **kw):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, **kw) as g:
        g.write(data)
    return buf.getvalue()


def gz_header_flags(data):
    """A gzip member with FTEXT, FHCRC, FEXTRA, FNAME and FCOMMENT set."""
    flags = 0x01 | 0x02 | 0x04 | 0x08 | 0x10
    head = bytes([0x1F, 0x8B, 8, flags, 0, 0, 0, 0, 0, 3])
    head += (6).to_bytes(2, "little") + b"ab\x02\x00xy"  # FEXTRA
    head += b"name.txt\x00" + b"a comment\x00"
    head += (zlib.crc32(head) & 0xFFFF).to_bytes(2, "little")  # FHCRC
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    tail = zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return head + body + tail


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def jl(records, sep="\n"):
    return sep.join(json.dumps(r, ensure_ascii=False) for r in records) + sep


MULTILINGUAL = (
    "Ἡ Ἀθῆναι ΣΟΦΊΑ σοφία. Москва — столица России. 北京是中国的首都。"
    "ภาษาไทยไม่มีช่องว่าง  한국어 문장입니다. العربية لغة. Ǆemal ǅ ǆ. "
    "İstanbul ß ẞ ﬁ café naïve e\u0301 \u200bzero\u200dwidth \u00ad soft"
    "\u2028line\u2029para \u201cquoted\u201d \u2019twas don\u2019t O’Neil — 2½ ² ٣ "
    "\U0001F600 \U00020000 \uFFFD"
)


def date_seeds():
    for i, s in enumerate([
        "2020-01-30", "2020-01-30T16:46:00Z", "2020-01-30 16:46:00+01:00",
        "2020-01-30t16:46:00,123456-0530", "2020-01-30T16:46+0100",
        "2016-12-31T23:59:60Z", "0000-01-01", "9999-12-31T23:59:59-23:59",
        "Thu, 30 Jan 2020 16:46:00 GMT", "30 Jan 20 16:46 EST",
        "1 jan 999 00:00:60 +2359", "Sun,1 Feb 2015 12:00:00 pdt",
        "1580402760", "-1.5", "0.000000001", "9223372036854775807",
        "-9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "2020-02-30", "2019-02-29", "2020-13-01", "2020-01-30T24:00:00",
        "Fri, 30 Feb 2020 16:46:00 +0000", "Mon, 1 Jan 2000 00:00:00 XYZ",
        "1e9", "12.", " \t2020-01-30\t ", "", "\x00", "2020-01-30\x00",
    ]):
        write("date", "%02d" % i, s)


def jsonl_seeds():
    w = wiki(3, 400)
    lines = [json.dumps(r, ensure_ascii=False) for r in w]
    lines += [
        '{"id":"a","text":"x"}',
        '  {"text" : "t" , "id" : 12.5e3 , "date" : 1.5e9 }  ',
        r'{"te\u0078t":"caf\u00e9 \ud83d\ude00 \ud800 x \udc00 \u0000 \n\t\"\\\/\b\f\r","id":"\u00e9","date":"\u0032020-01-30"}',
        '{"meta":{"a":[1,-2.5E-3,{"b":[true,false,null,{}]}],"c":[]},"text":"t","date":null,"id":null}',
        '{"id":"dup","text":"first","text":"second","id":"again"}',
        '{"id":[1],"text":"t"}', '{"text":5}', '{"id":"x"}', '{"text":"t","date":"yesterday"}',
        '{"text":"t","date":-9223372036854775808}', '{"text":"t","date":1e999999999}',
        '{"text":"unterminated', '{"text":"t",}', '{"text":"t"} x', '[1,2]', '"str"', '',
        '{"text":"bad \\x escape"}', '{"text":"ctrl \x01 byte"}', b'{"text":"\xff\xfe invalid utf8 \xc3"}',
        '{"a":' + '[' * 511 + ']' * 511 + ',"text":"deep"}',
        '{"a":' + '[' * 513 + ']' * 513 + ',"text":"too deep"}',
        '{"a":' + '{"b":' * 300 + '1' + '}' * 300 + ',"text":"objects"}',
        '{"n":-0,"m":0.0e+0,"o":01,"text":"t"}',
    ]
    for i, line in enumerate(lines):
        write("jsonl", "%02d" % i, line)
    write("jsonl", "fields-0", 'body\x00key\x00when\x00{"key":"k","body":"b","when":"Thu, 30 Jan 2020 16:46:00 GMT"}')
    write("jsonl", "fields-1", '\x00\x00\x00{"id":"defaults","text":"t"}')
    write("jsonl", "fields-2", 'x\x00x\x00x\x00{"x":"all three fields are x"}')
    write("jsonl", "fields-3", 't\\u0065xt\x00te"xt\x00\x00{"te\\"xt":"quote in name"}')


def reader_seeds():
    w = wiki(3, 300)
    body = jl(w)
    crlf = "\ufeff" + jl(w[:2], "\r\n") + "  \r\n\r\n" + jl(w[2:])
    malformed = jl(w[:1]) + '{"text":\n{"text":5}\n' + jl(w[1:2])
    article = seed_text("001_abee573b57598475.txt", 800)
    seeds = {
        "jsonl": b"\x00\x00" + body.encode(),
        "jsonl-crlf-bom": b"\x01\x00" + crlf.encode(),
        "jsonl-malformed-skip": b"\x04\x00" + malformed.encode(),
        "jsonl-malformed-stop": b"\x01\x00" + malformed.encode(),
        "jsonl-small-limit-skip": bytes([0x8C, 40]) + body.encode(),
        "jsonl-small-limit-stop": bytes([0x81, 40]) + body.encode(),
        "jsonl-by-name": b"\x10\x00" + b'{"text":"a"}\n\n{"id":"i","text":"b"}',
        "jsonl-no-final-newline": b"\x00\x00" + b'{"text":"a"}\n{"text":"b"}',
        "jsonl-gz": b"\x30\x00" + gz(body.encode()),
        "jsonl-gz-two-members": b"\x00\x00" + gz(body[:100].encode()) + gz(body[100:].encode()),
        "text": b"\x02\x00" + article,
        "text-auto": b"\x40\x00" + article,
        "text-bom": b"\x00\x00" + b"\xef\xbb\xbf" + article[:200],
        "text-gz": b"\x50\x00" + gz(article),
        "text-small-limit-skip": bytes([0x8A, 20]) + article,
        "text-small-limit-stop": bytes([0x82, 20]) + article,
        "empty": b"\x00\x00",
        "only-cr": b"\x01\x00" + b"\r\r\r\n\r\n\r",
        "binary-nul": b"\x00\x00" + bytes(range(256)) + b"\x00" * 64,
        "gz-truncated": b"\x00\x00" + gz(body.encode())[:150],
        "gz-garbage-after": b"\x00\x00" + gz(body.encode()) + b"garbage",
        "gz-corrupt": b"\x00\x00" + gz(body.encode())[:40] + b"\xff" * 8 + gz(body.encode())[48:],
        "ws-then-brace": b"\x00\x00" + b" \t\r\n\n" + body.encode(),
    }
    for name, data in seeds.items():
        write("reader", name, data)


def gzip_seeds():
    text = seed_text("000_313297e1fbb6b8c3.txt", 2000)
    full = gz(text)
    seeds = {
        "plain": b"\x04" + text[:500],
        "empty": b"\x00",
        "one-byte": b"\x00\x1f",
        "magic-only": b"\x01\x1f\x8b",
        "gzip": b"\x03" + full,
        "gzip-small-reads": b"\x00" + gz(text[:300]),
        "gzip-empty-member": b"\x06" + gz(b""),
        "two-members": b"\x04" + gz(text[:700]) + gz(text[700:]),
        "header-flags": b"\x05" + gz_header_flags(text[:400]),
        "truncated": b"\x06" + full[: len(full) // 2],
        "truncated-trailer": b"\x06" + full[:-3],
        "bad-crc": b"\x06" + full[:-8] + b"\x00\x00\x00\x00" + full[-4:],
        "bad-length": b"\x06" + full[:-4] + b"\x01\x00\x00\x00",
        "garbage-after": b"\x07" + full + b"not gzip",
        "zeros-after": b"\x07" + full + b"\x00" * 16,
        "corrupt-block": b"\x02" + full[:30] + bytes(b ^ 0x55 for b in full[30:40]) + full[40:],
        "bad-method": b"\x02" + b"\x1f\x8b\x07" + full[3:],
        "stored-block": b"\x06" + gzip.compress(text[:300], compresslevel=0, mtime=0),
        "bomb": b"\x07" + gz(b"\x00" * 1000000),
    }
    for name, data in seeds.items():
        write("gzip", name, data)


def tokenize_seeds():
    article = seed_text("000_313297e1fbb6b8c3.txt", 1200)
    restored = seed_text("000_313297e1fbb6b8c3.restored.txt", 1200)
    w = wiki(2, 900)
    # option byte 0: kind (0 word, 1 char, 2 skeleton), bit 2 k-perm,
    # bits 3-4 num_perm index, bits 5-7 seed; byte 1 shingle size.
    seeds = {
        "skeleton": b"\x12\x00" + article,
        "skeleton-restored": b"\x12\x00" + restored,
        "word": b"\x10\x00" + w[0]["text"].encode(),
        "char": b"\x11\x00" + w[1]["text"][:400].encode(),
        "kperm": b"\x0e\x00" + w[0]["text"][:300].encode(),
        "word-k1": b"\x00\x01" + b"one two three two one",
        "char-k32": b"\x19\x20" + w[1]["text"][:200].encode(),
        "multilingual": b"\x12\x00" + MULTILINGUAL.encode(),
        "multilingual-char": b"\x11\x03" + MULTILINGUAL.encode(),
        "invalid-utf8": b"\x12\x00" + b"ok \xff\xfe \xc3 \xe2\x82 \xf0\x9f\x98 \xed\xa0\x80 \xc0\xaf \xf4\x90\x80\x80 end",
        "nul-bytes": b"\x10\x00" + b"word\x00word\x00\x00 the of and\x00",
        "only-cr": b"\x12\x00" + b"\r\r\r\r",
        "crlf-paragraphs": b"\x12\x00" + b"Title line\r\n\r\nThe first paragraph of the story is here and it has more than twelve words in it.\r\nSecond line.",
        "empty": b"\x12\x00",
        "punctuation-only": b"\x10\x00" + b"... !!! ??? --- \"\" '' ,,,",
        "long-word": b"\x11\x05" + b"a" * 3000,
        "numbers": b"\x12\x00" + b"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 2020 3.14 1,000,000 0x1F",
        "apostrophes": b"\x10\x02" + "don't O’Neil 'quoted' a''b rock'n'roll ' ''".encode(),
        "ideographs": b"\x11\x02" + ("中" * 200 + "ไทย" * 50).encode(),
        # byte 1 = 231: default size (231 % 33 == 0), robust dedup (231 >> 5 == 7)
        "skeleton-robust-dedup": b"\x12\xe7" + article,
    }
    for name, data in seeds.items():
        write("tokenize", name, data)


SIG_PROGRAM = r"""
#include "doppel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    /* argv: outdir, then text files */
    struct { int kind, minhash; unsigned K, size; unsigned long long seed; } p[] = {
        {DOPPEL_SHINGLE_SKELETON, DOPPEL_MINHASH_ONE_PERM, 128, 0, 0},
        {DOPPEL_SHINGLE_WORD, DOPPEL_MINHASH_ONE_PERM, 16, 5, 7},
        {DOPPEL_SHINGLE_CHAR, DOPPEL_MINHASH_K_PERM, 64, 3, 1},
        {DOPPEL_SHINGLE_SKELETON, DOPPEL_MINHASH_ONE_PERM, 256, 0, 42},
    };
    int n = 0;
    for (int t = 2; t < argc; t++) {
        FILE *f = fopen(argv[t], "rb");
        static char text[1 << 16];
        size_t len = fread(text, 1, sizeof text, f);
        fclose(f);
        for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
            doppel_params pr = DOPPEL_PARAMS_INIT;
            pr.shingle = p[i].kind; pr.minhash = p[i].minhash;
            pr.num_perm = p[i].K; pr.shingle_size = p[i].size; pr.seed = p[i].seed;
            doppel_sketcher *sk; doppel_signature *sig;
            if (doppel_sketcher_create(&sk, &pr, NULL, NULL) ||
                doppel_sketch(sk, text, len, &sig, NULL))
                return 1;
            size_t size;
            doppel_signature_serialize(sig, NULL, 0, &size, NULL);
            unsigned char *buf = malloc(size + 1);
            doppel_signature_serialize(sig, buf + 1, size, &size, NULL);
            for (int opt = 0; opt < 2; opt++) {
                buf[0] = (unsigned char)(opt ? 3 : 0);
                char path[4096];
                snprintf(path, sizeof path, "%s/sig-%02d-%s", argv[1], n,
                         opt ? "fixsums" : "plain");
                FILE *o = fopen(path, "wb");
                fwrite(buf, 1, size + 1, o);
                fclose(o);
            }
            n++;
            free(buf);
            doppel_signature_free(sig);
            doppel_sketcher_free(sk);
        }
    }
    return 0;
}
"""


def signature_seeds(build):
    outdir = os.path.join(HERE, "corpus", "signature")
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    try:
        texts = []
        for name, data in [("article", seed_text("001_abee573b57598475.txt", 3000)),
                           ("empty", b""), ("short", b"Two words"),
                           ("multilingual", MULTILINGUAL.encode())]:
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(data)
            texts.append(p)
        src = os.path.join(tmp, "sig.c")
        with open(src, "w") as f:
            f.write(SIG_PROGRAM)
        exe = os.path.join(tmp, "sig")
        subprocess.check_call(["cc", "-O1", "-I", os.path.join(ROOT, "lib", "include"), src,
                               os.path.join(build, "lib", "libdoppel.a"), "-lz", "-lm",
                               "-lpthread", "-o", exe])
        subprocess.check_call([exe, outdir] + texts)
    finally:
        shutil.rmtree(tmp)
    # Edge cases around the header.
    with open(os.path.join(outdir, "sig-00-plain"), "rb") as f:
        good = f.read()
    # Sums fixed and the robust verification in the dedup (bits 0-4).
    write("signature", "sig-00-robust", b"\x1f" + good[1:])
    write("signature", "bad-magic", good[:1] + b"XPSG" + good[5:])
    write("signature", "future-version", b"\x01" + good[1:5] + b"\x02\x00" + good[7:])
    write("signature", "k-zero", b"\x01" + good[1:21] + b"\x00\x00\x00\x00" + good[25:])
    write("signature", "truncated", good[: len(good) // 2])
    write("signature", "empty", b"\x00")


INDEX_PROGRAM = r"""
#include "doppel.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* argv: index dir, K, then text files: day 1 = the first half, day 2 =
 * the rest plus a copy of the first; then the first is removed. */
int main(int argc, char **argv)
{
    doppel_params p = DOPPEL_PARAMS_INIT;
    p.num_perm = (unsigned)atoi(argv[2]);
    doppel_index_opts o = DOPPEL_INDEX_OPTS_INIT;
    doppel_index *ix;
    if (doppel_index_create(&ix, argv[1], &p, &o, NULL))
        return 1;
    int n = argc - 3;
    static char text[16][1 << 14];
    doppel_doc d[17];
    for (int i = 0; i < n && i < 16; i++) {
        FILE *f = fopen(argv[3 + i], "rb");
        size_t len = fread(text[i], 1, sizeof text[i], f);
        fclose(f);
        static char id[16][16];
        snprintf(id[i], sizeof id[i], "doc%d", i);
        d[i] = (doppel_doc){id[i], strlen(id[i]), text[i], len,
                            1700000000 + 86400 * i};
    }
    d[n] = d[0];
    d[n].id = "copy";
    d[n].id_len = 4;
    d[n].date += 3600;
    if (doppel_index_add(ix, d, (size_t)n / 2, NULL) ||
        doppel_index_commit(ix, NULL, NULL) ||
        doppel_index_add(ix, d + n / 2, (size_t)(n - n / 2 + 1), NULL) ||
        doppel_index_commit(ix, NULL, NULL))
        return 1;
    const char *rm = "doc1";
    size_t rm_len = 4, removed;
    if (doppel_index_remove(ix, &rm, &rm_len, 1, &removed, NULL))
        return 1;
    doppel_index_free(ix);
    return 0;
}
"""


def pack_index(path, opt):
    """The files of the index at path in fuzz_index.c's input layout."""
    out = bytes([opt])
    for name in sorted(os.listdir(path)):
        if name == "LOCK":
            continue
        with open(os.path.join(path, name), "rb") as f:
            data = f.read()
        nb = name.encode()
        out += bytes([len(nb)]) + nb + len(data).to_bytes(4, "little") + data
    return out


def index_seeds(build):
    tmp = tempfile.mkdtemp()
    try:
        w = wiki(6, cut=900)
        texts = []
        for i, rec in enumerate(w):
            p = os.path.join(tmp, "t%d" % i)
            with open(p, "w", encoding="utf-8") as f:
                f.write(rec["text"])
            texts.append(p)
        src = os.path.join(tmp, "ix.c")
        with open(src, "w") as f:
            f.write(INDEX_PROGRAM)
        exe = os.path.join(tmp, "ix")
        subprocess.check_call(["cc", "-O1", "-I", os.path.join(ROOT, "lib", "include"), src,
                               os.path.join(build, "lib", "libdoppel.a"), "-lz", "-lm",
                               "-lpthread", "-o", exe])
        for K in (16, 128):
            idx = os.path.join(tmp, "idx%d" % K)
            subprocess.check_call([exe, idx, str(K)] + texts)
            for opt, kind in ((0, "plain"), (1, "fixsums"), (3, "writer")):
                write("index", "k%d-%s" % (K, kind), pack_index(idx, opt))
        good = pack_index(os.path.join(tmp, "idx16"), 1)
        write("index", "empty", b"\x00")
        write("index", "truncated", good[: len(good) // 2])
        nl = good[1]  # the first file is COMMIT (names sort upper case first)
        end = 6 + nl + int.from_bytes(good[2 + nl:6 + nl], "little")
        write("index", "only-commit", good[:end])
    finally:
        shutil.rmtree(tmp)


SEEDERS = {
    "date": lambda b: date_seeds(),
    "jsonl": lambda b: jsonl_seeds(),
    "reader": lambda b: reader_seeds(),
    "gzip": lambda b: gzip_seeds(),
    "tokenize": lambda b: tokenize_seeds(),
    "signature": signature_seeds,
    "index": index_seeds,
}


def main():
    if len(sys.argv) < 2 or any(t not in SEEDERS for t in sys.argv[2:]):
        sys.exit(__doc__)
    for target in sys.argv[2:] or list(SEEDERS):
        SEEDERS[target](sys.argv[1])


if __name__ == "__main__":
    main()
