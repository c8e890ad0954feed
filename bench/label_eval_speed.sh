#!/usr/bin/env bash
# Throughput of `imagemill run` with the default labels processor over the labelled photo set
# (65 photos, 0.2 to 15 megapixels; scripts/fetch-label-eval.sh), for several worker counts and
# OpenCV thread counts. Each configuration runs REPEAT times (default 3) into a fresh database;
# the table gives the median images per second and wall time. docs/labels.md reports it.
#
#   bench/label_eval_speed.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
repeat=${2:-3}
bin="$build/imagemill"
"$top/scripts/fetch-label-eval.sh"
"$top/scripts/fetch-models.sh"
photos="${IMAGEMILL_CACHE:-$top/.cache}/label-eval"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "imagemill run over $(ls "$photos" | wc -l) photos, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s %-12s %-12s %-10s\n" workers dnn-threads "images/s" "seconds"
for config in "1 1" "2 1" "1 2" "2 2" "3 1"; do
  read -r workers threads <<<"$config"
  rates=()
  secs=()
  for ((i = 0; i < repeat; i++)); do
    rm -f "$work"/t.db*
    out=$("$bin" run "$photos" --db "sqlite:$work/t.db" --workers "$workers" \
      --dnn-threads "$threads" --json --quiet)
    rates+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["itemsPerSecond"])' <<<"$out")")
    secs+=("$(python3 -c 'import json,sys; print(json.load(sys.stdin)["durationSeconds"])' <<<"$out")")
  done
  median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  printf "%-8s %-12s %-12.2f %-10.2f\n" "$workers" "$threads" "$(median "${rates[@]}")" \
    "$(median "${secs[@]}")"
done
