#!/bin/sh
# bench/quality.sh — one command for detection quality: build (if needed),
# generate the labelled benchmark into BUILD_DIR/quality/, run
# `doppel dedup --output clusters` on it and score the result.
#
#   bench/quality.sh [BUILD_DIR] [-- DEDUP_ARGS...]
#
# BUILD_DIR defaults to ./build under the project root. Arguments after `--`
# go to `doppel dedup` (before the corpus path). Environment:
#   DOPPEL_CORPUS_DIR  the shared corpora (default: PROJECT/../shared/corpus)
#   DOPPEL_GEN_ARGS    extra doppel-gen arguments, e.g. "--seed 7 --dates"
# Outputs in BUILD_DIR/quality/: corpus.jsonl truth.tsv meta.tsv
# ambiguous.tsv prediction.tsv report.txt. Exit status: 0, 3 when the doppel CLI is not
# built yet (the benchmark is still generated), else the failing step's.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    BUILD=$1
    shift
fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then
    shift
fi
case $BUILD in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
CORPUS_DIR=${DOPPEL_CORPUS_DIR:-$ROOT/../shared/corpus}
OUT="$BUILD/quality"

say() { printf 'quality.sh: %s\n' "$*" >&2; }

# 1. build (configure first if this is a fresh build directory)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    say "configuring $BUILD"
    cmake -S "$ROOT" -B "$BUILD" >/dev/null
fi
cmake --build "$BUILD" -j2 >/dev/null || {
    say "build failed; run: cmake --build $BUILD -j2"
    exit 1
}
for tool in doppel-gen doppel-score; do
    if [ ! -x "$BUILD/$tool" ]; then
        say "$BUILD/$tool was not built (configure with -DDOPPEL_BUILD_BENCH=ON)"
        exit 1
    fi
done

# 2. generate: BBC (research use, read from the shared folder, never copied)
# plus the bundled Wikinews articles
INPUTS=""
DUPS=""
if [ -f "$CORPUS_DIR/bbc/articles.jsonl" ]; then
    INPUTS="$CORPUS_DIR/bbc/articles.jsonl"
    if [ -f "$CORPUS_DIR/bbc/dup_pairs_j0.80.tsv" ]; then
        DUPS="--dup-pairs $CORPUS_DIR/bbc/dup_pairs_j0.80.tsv"
    fi
else
    say "warning: $CORPUS_DIR/bbc/articles.jsonl not found; using Wikinews only"
    say "(set DOPPEL_CORPUS_DIR to the shared corpus folder) — expect errors: the"
    say "default mix needs about 2,500 articles; pass DOPPEL_GEN_ARGS with smaller counts"
fi
INPUTS="$INPUTS $ROOT/corpus/wikinews.jsonl"
mkdir -p "$OUT"
# shellcheck disable=SC2086 # word splitting of the lists is intended
"$BUILD/doppel-gen" -o "$OUT" $DUPS ${DOPPEL_GEN_ARGS:-} $INPUTS

# 3. detect
if [ ! -x "$BUILD/doppel" ]; then
    say "the doppel CLI is not built yet: $BUILD/doppel does not exist."
    say "The benchmark is ready in $OUT/ (corpus.jsonl, truth.tsv, meta.tsv,"
    say "ambiguous.tsv). Score any prediction (id<TAB>cluster_id<TAB>similarity) with:"
    say "  $BUILD/doppel-score --ambiguous $OUT/ambiguous.tsv \\"
    say "      $OUT/truth.tsv $OUT/meta.tsv PREDICTION.tsv"
    exit 3
fi
say "running: doppel dedup --output clusters $* $OUT/corpus.jsonl"
start=$(date +%s.%N)
"$BUILD/doppel" dedup --output clusters "$@" "$OUT/corpus.jsonl" \
    >"$OUT/prediction.tsv"
end=$(date +%s.%N)
say "doppel dedup took $(awk "BEGIN { printf \"%.2f\", $end - $start }") s"

# 4. score
"$BUILD/doppel-score" --ambiguous "$OUT/ambiguous.tsv" \
    "$OUT/truth.tsv" "$OUT/meta.tsv" "$OUT/prediction.tsv" \
    | tee "$OUT/report.txt"
