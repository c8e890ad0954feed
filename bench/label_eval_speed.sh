#!/usr/bin/env bash
# Speed of `imagemill run` with the labels processor over the labelled photo set (551 photos,
# 0.03 to 15 megapixels, JPEG, PNG and WebP; scripts/fetch-label-eval.sh), into a fresh database
# each time, REPEAT times (default 3); medians. docs/labels.md reports both tables.
#   1. the default label model at several worker and OpenCV thread counts: images/s and seconds;
#   2. CPU per image (user + system time of the whole process, start-up included, divided by the
#      photos) of each label model in MODELS (default: the plain NanoDet-320 and the default, the
#      1.5x budget of issue 18), at 2 workers x 1 thread. CPU time hardly depends on what else
#      the machine is doing; images/s does.
#
#   bench/label_eval_speed.sh [BUILD_DIR] [REPEAT] [MODELS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
repeat=${2:-3}
shift $(($# > 2 ? 2 : $#))
models=("$@")
[[ ${#models[@]} -eq 0 ]] && models=(nanodet-320 default)
bin="$build/imagemill"
"$top/scripts/fetch-label-eval.sh"
"$top/scripts/fetch-models.sh"
photos="${IMAGEMILL_CACHE:-$top/.cache}/label-photos"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=$(ls "$photos" | wc -l)
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs imagemill with the given flags into a fresh database; prints "images/s seconds cpu_seconds".
run_once() {
  rm -f "$work"/t.db*
  /usr/bin/python3 - "$bin" "$photos" "$work/t.db" "$@" <<'PY'
import json, resource, subprocess, sys
bin, photos, db, *flags = sys.argv[1:]
out = subprocess.run([bin, "run", photos, "--db", "sqlite:" + db, "--json", "--quiet", *flags],
                     check=True, capture_output=True, text=True).stdout
r = resource.getrusage(resource.RUSAGE_CHILDREN)
s = json.loads(out)
print(s["itemsPerSecond"], s["durationSeconds"], r.ru_utime + r.ru_stime)
PY
}

echo "imagemill run over $count photos, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-8s %-12s %-12s %-10s\n" workers dnn-threads "images/s" "seconds"
for config in "1 1" "2 1" "1 2" "2 2" "3 1"; do
  read -r workers threads <<<"$config"
  rates=()
  secs=()
  for ((i = 0; i < repeat; i++)); do
    read -r rate sec _ < <(run_once --workers "$workers" --dnn-threads "$threads")
    rates+=("$rate")
    secs+=("$sec")
  done
  printf "%-8s %-12s %-12.2f %-10.2f\n" "$workers" "$threads" "$(median "${rates[@]}")" \
    "$(median "${secs[@]}")"
done

echo
printf "%-34s %-16s %-12s\n" "label model" "CPU ms / image" "images/s"
for model in "${models[@]}"; do
  flags=(--workers 2 --dnn-threads 1)
  [[ "$model" != default ]] && flags+=(--label-model "$model")
  cpus=()
  rates=()
  for ((i = 0; i < repeat; i++)); do
    read -r rate _ cpu < <(run_once "${flags[@]}")
    cpus+=("$(awk -v c="$cpu" -v n="$count" 'BEGIN {printf "%.1f", 1000 * c / n}')")
    rates+=("$rate")
  done
  printf "%-34s %-16s %-12.2f\n" "$model" "$(median "${cpus[@]}")" "$(median "${rates[@]}")"
done
