#!/bin/sh
# bench/smoke_test.sh — CTest entry `bench_tools`: run doppel-gen on the
# bundled Wikinews articles (read through the library's reader), check the
# three outputs line up, and check that doppel-score gives the truth itself a
# perfect score and rejects a malformed prediction with exit status 2.
#   smoke_test.sh BUILD_DIR SOURCE_DIR
# Exit 77 (CTest: skipped) when WordNet is not installed.
set -eu
BUILD=$1
SRC=$2
if [ ! -f /usr/share/wordnet/data.noun ]; then
    echo "SKIP: WordNet not found in /usr/share/wordnet (apt-get install wordnet-base)"
    exit 77
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/doppel-bench-XXXXXX")
trap 'rm -rf "$OUT"' EXIT

"$BUILD/doppel-gen" --quiet --dates --seed 3 --scale 4000 -o "$OUT" \
    "$SRC/corpus/wikinews.jsonl"
[ -f "$OUT/ambiguous.tsv" ] || { echo "no ambiguous.tsv"; exit 1; }
n=$(wc -l <"$OUT/corpus.jsonl")
[ "$n" -eq 4000 ] || { echo "corpus.jsonl has $n lines, want 4000"; exit 1; }
[ "$(wc -l <"$OUT/truth.tsv")" -eq 4000 ] || { echo "truth.tsv length"; exit 1; }
[ "$(wc -l <"$OUT/meta.tsv")" -eq 4000 ] || { echo "meta.tsv length"; exit 1; }
grep -q '"date":"20' "$OUT/corpus.jsonl" || { echo "no dates"; exit 1; }
# Wikinews titles come through the reader's second pass
grep -q '"title":"Magnitogorsk apartment building collapses' "$OUT/corpus.jsonl" \
    || { echo "a Wikinews title is missing"; exit 1; }

# the same seed gives the same bytes
mkdir "$OUT/again"
"$BUILD/doppel-gen" --quiet --dates --seed 3 --scale 4000 -o "$OUT/again" \
    "$SRC/corpus/wikinews.jsonl"
cmp -s "$OUT/corpus.jsonl" "$OUT/again/corpus.jsonl" || { echo "not deterministic"; exit 1; }

awk -F'\t' '{ print $1 "\t" $2 "\t1" }' "$OUT/truth.tsv" >"$OUT/perfect.tsv"
"$BUILD/doppel-score" --format tsv --ambiguous "$OUT/ambiguous.tsv" \
    "$OUT/truth.tsv" "$OUT/meta.tsv" "$OUT/perfect.tsv" >"$OUT/score.tsv"
grep -q '^pairwise_f1	1.000000$' "$OUT/score.tsv" || { cat "$OUT/score.tsv"; exit 1; }
grep -q '^ari	1.000000$' "$OUT/score.tsv" || { cat "$OUT/score.tsv"; exit 1; }
# both spinners, with recall per rate and spinner
grep -q '^recall.spin.0.70.phrase	1.000000$' "$OUT/score.tsv" || { cat "$OUT/score.tsv"; exit 1; }
grep -q '^recall.spin.0.70.wordnet	1.000000$' "$OUT/score.tsv" || { cat "$OUT/score.tsv"; exit 1; }
grep -q '^ambiguous_given	' "$OUT/score.tsv" || { cat "$OUT/score.tsv"; exit 1; }

head -n 10 "$OUT/perfect.tsv" >"$OUT/short.tsv"
printf 'nosuchid\tx\t1\n' >>"$OUT/short.tsv"
set +e
"$BUILD/doppel-score" "$OUT/truth.tsv" "$OUT/meta.tsv" "$OUT/short.tsv" \
    2>"$OUT/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "malformed prediction: exit $rc, want 2"; exit 1; }
grep -q "short.tsv:11: id not in the truth file ('nosuchid')" "$OUT/err.txt" \
    || { cat "$OUT/err.txt"; exit 1; }
echo "bench tools OK"
