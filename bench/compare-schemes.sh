#!/bin/sh
# bench/compare-schemes.sh — the comparison behind doppel's default matching
# scheme (docs/spin-robustness.md): each candidate scheme is run with
# `doppel dedup` on the labelled benchmark and scored, and its throughput is
# the median of three timed runs of the same command on the same corpus.
#
#   bench/compare-schemes.sh [BUILD_DIR]
#
# The benchmark is generated first if BUILD_DIR/quality/ has none
# (bench/quality.sh does that). Scores leave out the ambiguous pairs of
# BUILD_DIR/quality/ambiguous.tsv (bench/README.md, Truth); "phrase 0.7" is
# the recall of copies spun at 0.7 by the phrase spinner alone. Prints a
# Markdown table.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
Q=$BUILD/quality
if [ ! -f "$Q/corpus.jsonl" ]; then
    "$ROOT/bench/quality.sh" "$BUILD" >/dev/null 2>&1 || true
fi
[ -f "$Q/corpus.jsonl" ] || { echo "compare-schemes.sh: no benchmark in $Q" >&2; exit 1; }
MB=$(wc -c < "$Q/corpus.jsonl" | awk '{printf "%.2f", $1 / 1e6}')
AMB=""
if [ -f "$Q/ambiguous.tsv" ]; then
    AMB="--ambiguous $Q/ambiguous.tsv"
fi

# name | dedup arguments
SCHEMES='word 5-grams, Jaccard >= 0.5 (datasketch-style)|--shingle word -k 5 --verify jaccard --threshold 0.5
word 5-grams, Jaccard >= 0.3|--shingle word -k 5 --verify jaccard --threshold 0.3
word 3-grams, Jaccard >= 0.3|--shingle word -k 3 --verify jaccard --threshold 0.3
char 5-grams, Jaccard >= 0.4|--shingle char -k 5 --verify jaccard --threshold 0.4
skeleton 6-grams, Jaccard >= 0.4|--shingle skeleton -k 6 --verify jaccard --threshold 0.4
skeleton 5-grams, robust|--shingle skeleton -k 5 --verify robust
skeleton 7-grams, robust|--shingle skeleton -k 7 --verify robust
word 5-grams, robust|--shingle word -k 5 --verify robust
skeleton 6-grams, robust (default)|'

metric() { awk -F'\t' -v k="$1" '$1 == k { printf "%.3f", $2; found = 1 } END { if (!found) printf "-" }' "$2"; }
count() { awk -F'\t' -v k="$1" '$1 == k { printf "%d", $2; found = 1 } END { if (!found) printf "-" }' "$2"; }

echo "| scheme | precision | recall | F1 | spin 0.1 | 0.3 | 0.5 | 0.7 | phrase 0.7 | typo | truncate | headfoot | boilerplate merges | largest cluster | docs/s | MB/s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
echo "$SCHEMES" | while IFS='|' read -r name args; do
    pred=$Q/compare.pred.tsv
    times=""
    for run in 1 2 3; do
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$BUILD/doppel" dedup -q --threads 1 $args "$Q/corpus.jsonl" > "$pred"
        t1=$(date +%s.%N)
        times="$times $(echo "$t1 - $t0" | bc -l)"
    done
    med=$(echo $times | tr ' ' '\n' | sort -n | sed -n 2p)
    # shellcheck disable=SC2086 # $AMB is empty or two words
    "$BUILD/doppel-score" --format tsv $AMB "$Q/truth.tsv" "$Q/meta.tsv" "$pred" \
        > "$Q/compare.score.tsv"
    s=$Q/compare.score.tsv
    docs=$(count documents "$s")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %.1f |\n' \
        "$name" "$(metric pairwise_precision "$s")" "$(metric pairwise_recall "$s")" \
        "$(metric pairwise_f1 "$s")" "$(metric recall.spin.0.10 "$s")" \
        "$(metric recall.spin.0.30 "$s")" "$(metric recall.spin.0.50 "$s")" \
        "$(metric recall.spin.0.70 "$s")" "$(metric recall.spin.0.70.phrase "$s")" \
        "$(metric recall.kind.typo "$s")" \
        "$(metric recall.kind.truncate "$s")" "$(metric recall.kind.headfoot "$s")" \
        "$(count false_merges.boilerplate "$s")" "$(count largest_pred_cluster "$s")" \
        "$(echo "$docs / $med" | bc -l)" "$(echo "$MB / $med" | bc -l)"
done
rm -f "$Q/compare.pred.tsv" "$Q/compare.score.tsv"
