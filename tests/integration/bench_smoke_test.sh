#!/usr/bin/env bash
# The benchmark suite's smoke run: scripts/bench.sh --smoke goes through every step of `make bench`
# (data, ceiling, engine end to end, imagemill run, the Python baselines and their answers, engine
# overhead, decoding, memory, profiles, the report and its plot) on a dozen small photos, so the
# suite cannot rot. It checks that each part produced its figures; it asserts no timing.
# Env (set by ctest): IMAGEMILL (binary), IMAGEMILL_SOURCE_DIR, IMAGEMILL_CACHE.
set -euo pipefail
src="${IMAGEMILL_SOURCE_DIR:?}"
build=$(dirname "${IMAGEMILL:?}")
export IMAGEMILL_CACHE="${IMAGEMILL_CACHE:-$src/.cache}"
"$src/scripts/bench.sh" "$build" --smoke
out="$build/bench-smoke"
for f in benchmarks.md benchmarks.png measurements.jsonl compare-simple.json compare-tuned.json; do
  [[ -s "$out/$f" ]] || { echo "bench_smoke_test: $out/$f is missing or empty" >&2; exit 1; }
done
for kind in ceiling-layouts ceiling pipeline imagemill-run python-simple python-tuned \
  engine-generated-2000 engine-folder-2000 decode memory-run-1 memory-pipeline-2; do
  grep -q "\"kind\": \"$kind\"" "$out/measurements.jsonl" ||
    { echo "bench_smoke_test: no $kind measurement" >&2; exit 1; }
done
for heading in "## Summary" "## 1. End to end" "## 2. Same labels" "## Where the time goes" \
  "## 3. Engine overhead" "## 4. Decoding" "## Cost per feature" "## 5. Memory" "## Commands"; do
  grep -qF "$heading" "$out/benchmarks.md" ||
    { echo "bench_smoke_test: the report has no '$heading'" >&2; exit 1; }
done
grep -qF "## query --label: one row per image" "$out/benchmarks.md" ||
  { echo "bench_smoke_test: the report has no query --label section" >&2; exit 1; }
# Every format decoded, every feature measured.
for fmt in JPEG PNG WebP HEIC AVIF TIFF BMP GIF; do
  grep -qE "^$fmt .*\| +[0-9.]+ \(" "$out/benchmarks.md" ||
    { echo "bench_smoke_test: no decoding cost for $fmt" >&2; exit 1; }
done
[[ $(grep -c '"feature"' "$out/features.jsonl") -eq 6 ]] ||
  { echo "bench_smoke_test: features.jsonl has not the 6 features" >&2; exit 1; }
# Both implementations answered for every photo.
/usr/bin/python3 - "$out/compare-tuned.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["images_a"] == c["images_b"] == c["images_compared"] > 0, c
PY
echo "bench_smoke_test: the suite ran end to end"
