#!/usr/bin/env bash
# The benchmark suite (make bench). Builds what it needs, generates its data under .cache/bench/
# (never committed), measures, and writes docs/benchmarks.md and docs/benchmarks.png.
#
#   scripts/bench.sh [BUILD] [--smoke]
#
# What it measures (issue 5; docs/benchmarks.md explains each figure):
#   1. the ceiling: the label model's forward passes per second on ready tensors, for each thread
#      layout (N networks x T OpenCV threads), and end to end: `imagemill run` with its default
#      processor, and the engine with a bare detector (bench/pipeline_bench.cc) at the best layout;
#   2. beside them the obvious alternative, a Python + OpenCV script (bench/opencv_baseline.py),
#      simple and tuned, on the same photos and model, and whether it finds the same labels;
#   3. engine overhead: the no-op processor over 100,000 and 1,000,000 listed items, from a
#      generated bucket and from a local folder: items per second and peak memory;
#   4. decoding, ms per megapixel, full and reduced scale, and CPU ms per image in each format
#      (JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP, GIF); and what each Rekognition feature costs per
#      image on the same photos: labels, labels with Face or Text, DetectFaces, DetectText
#      (bench/feature_cost.sh);
#   5. memory per worker and peak memory of a full run; and a perf profile of where the time goes;
#   6. many machines: no-op items/s with 1, 2 and 4 processes sharing PostgreSQL beside SQLite,
#      claim latency under 8 processes, the queue table after a million items, and the photos
#      labelled by 2 worker processes on PostgreSQL beside one process on SQLite
#      (bench/fleet_bench.py);
#   7. the console: the gallery's first page of 100 cached thumbnails over 100,000 answers;
#   8. imagemill serve: its DetectLabels against `imagemill run`, GetItem, idle connections, memory
#      with 4 executions at once (bench/serve_bench.sh);
#   9. `query --label` over 100,000 and 1,000,000 images, SQLite and PostgreSQL
#      (bench/query_label_bench.py).
# Throughput figures are taken in rounds: each round runs every contender once, one after the
# other, so that they share the machine's state; ratios are computed within a round and the report
# gives medians over rounds, with the load average at the start of every measurement.
#
# --smoke: the same steps on a dozen small photos and a few thousand items, one round, in seconds;
# it writes its report under BUILD/bench-smoke/ and never touches docs/. CI runs it
# (tests/integration/bench_smoke_test.sh). No timing is asserted anywhere.
#
# Settings (environment): BENCH_RUNS (rounds, default 3), BENCH_PHOTOS (1000), BENCH_FEATURE_PHOTOS
# (photos of the cost per feature, 20), BENCH_SECONDS
# (ceiling seconds per layout, 10), BENCH_LAYOUTS ("1x1 1x2 2x1 2x2"), BENCH_ENGINE_ITEMS
# ("100000 1000000"), BENCH_MODEL and BENCH_SIZE (nanodet 416; when imagemill's default processor
# runs a model, its model and size are used instead), BENCH_OUT (where the report goes).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=build
smoke=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    -*) echo "bench.sh: unknown option $arg (usage: scripts/bench.sh [BUILD] [--smoke])" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
build=$(cd "$top" && mkdir -p "$build" && cd "$build" && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"
export IMAGEMILL_CACHE="$cache"
py=/usr/bin/python3  # Debian's, with python3-opencv and python3-matplotlib
nproc=$(nproc)

if [[ $smoke -eq 1 ]]; then
  runs=${BENCH_RUNS:-1}; photos_n=${BENCH_PHOTOS:-12}; min_mp=0.3; max_mp=1.5
  seconds=${BENCH_SECONDS:-0.5}; layouts=${BENCH_LAYOUTS:-"1x1 2x1"}
  engine_items=${BENCH_ENGINE_ITEMS:-2000}; mem_workers="1 2"; decode_args="--repeats 1 --quick"
  feature_photos=${BENCH_FEATURE_PHOTOS:-2}
  subset=""  # the profile and memory runs use every photo
  res="$build/bench-smoke"; out=${BENCH_OUT:-$res}
  rm -rf "$res"
else
  runs=${BENCH_RUNS:-3}; photos_n=${BENCH_PHOTOS:-1000}; min_mp=1; max_mp=12
  seconds=${BENCH_SECONDS:-10}; layouts=${BENCH_LAYOUTS:-"1x1 1x2 2x1 2x2"}
  engine_items=${BENCH_ENGINE_ITEMS:-"100000 1000000"}; mem_workers="1 2 4"; decode_args="--repeats 7"
  feature_photos=${BENCH_FEATURE_PHOTOS:-20}
  subset="p0"  # photos p00..p09: a fifth of them
  res="$cache/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"; out=${BENCH_OUT:-$top/docs}
fi
mkdir -p "$res" "$out"
work="$res/tmp"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
log() { echo "bench: $*" >&2; }

# --- build and data ------------------------------------------------------------------------------
if [[ ! -f "$build/build.ninja" && ! -f "$build/Makefile" ]]; then
  cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j"$nproc" --target imagemill benchmarks >&2
scripts/fetch-samples.sh >&2
scripts/fetch-models.sh >&2

photos="$cache/bench/photos-$photos_n-$min_mp-$max_mp-v1"
if [[ ! -f "$photos.complete" ]]; then
  log "writing $photos_n photos to $photos (once; cached)"
  rm -rf "$photos" "$photos.complete"
  mkdir -p "$(dirname "$photos")"
  "$build/bench_photos" "$photos" --from "$cache/samples" --count "$photos_n" \
    --min-mp "$min_mp" --max-mp "$max_mp" >"$photos.txt"
  touch "$photos.complete"
fi
[[ -f "$photos.txt" ]] || $py - "$photos" >"$photos.txt" <<'EOF'
import os, sys
sizes = {}
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        ext = os.path.splitext(f)[1]
        if ext:
            n, b = sizes.get(ext, (0, 0))
            sizes[ext] = (n + 1, b + os.path.getsize(os.path.join(root, f)))
print("bench_photos: %d photos in %s" % (sum(n for n, _ in sizes.values()), sys.argv[1]))
for ext, (n, b) in sorted(sizes.items()):
    print("  %-5s %5d photos %9.1f MB" % (ext[1:], n, b / 1e6))
EOF
cp "$photos.txt" "$res/photos.txt"

# What `imagemill run` does by default: a probe run on one photo names the processor; when it
# runs a model (e.g. "labels/nanodet-416"), the ceiling and the baseline use that model and size.
first=$(cd "$photos" && find . -type f -name '*.jpg' | sort | sed -n '1s|^\./||p')
"$build/imagemill" run "$photos" --prefix "$first" --db "$work/probe.db" --quiet --json >/dev/null ||
  { log "imagemill run failed on $photos/$first"; exit 1; }
processor=$(sqlite3 "$work/probe.db" "SELECT processor FROM results LIMIT 1")
model=${BENCH_MODEL:-nanodet}; size=${BENCH_SIZE:-416}
if [[ $processor =~ (nanodet|centernet)-([0-9]+) ]]; then
  model=${BENCH_MODEL:-${BASH_REMATCH[1]}}; size=${BENCH_SIZE:-${BASH_REMATCH[2]}}
fi
# Whether `imagemill run` labels (runs a model) by default; image-properties and none do not.
labelling=true
[[ $processor == image-properties* || $processor == none ]] && labelling=false
onnx="$cache/bench/$model-$size.onnx"
if [[ ! -f "$onnx" ]]; then
  "$build/imagemill" model import "$cache/models/human-models-3.0.4/$model.json" -o "$onnx.tmp" \
    --input-size "$size" >&2
  mv "$onnx.tmp" "$onnx"
fi
tcmalloc=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 2>/dev/null | head -1 || true)

# --- measuring -----------------------------------------------------------------------------------
# measure KIND ROUND CMD...: runs CMD, appends one JSON line to measurements.jsonl with the load
# average at the start, wall time, peak RSS, context switches and CMD's JSON output (or text).
measure() {
  local kind=$1 round=$2
  shift 2
  local load t0 t1 status=0
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M %w %c %U %S' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
  t1=$(date +%s.%N)
  if [[ $status -ne 0 ]]; then
    log "$kind failed (exit $status): $*"
    tail -20 "$work/stderr" >&2
    exit 1
  fi
  $py - "$kind" "$round" "$load" "$t0" "$t1" "$work/time" "$work/stdout" "$top" "$@" \
    >>"$res/measurements.jsonl" <<'EOF'
import json, sys
kind, rnd, load, t0, t1, timef, outf, top = sys.argv[1:9]
cmd = " ".join(sys.argv[9:]).replace(top + "/", "")
rss, vcsw, ivcsw, user, system = open(timef).read().split()[-5:]
text = open(outf).read()
try:
    rows = [json.loads(text)]
except ValueError:
    rows = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
output = rows[-1] if rows else None
print(json.dumps({"kind": kind, "round": int(rnd), "load": [float(x) for x in load.split()],
                  "wall_s": float(t1) - float(t0), "peak_rss_mb": int(rss) / 1024,
                  "voluntary_switches": int(vcsw), "involuntary_switches": int(ivcsw),
                  "cpu_s": float(user) + float(system), "output": output, "rows": rows,
                  "text": text, "cmd": cmd}))
EOF
}

$py - "$res/machine.json" "$build" "$smoke" <<EOF
import json, os, platform, subprocess, sys
def sh(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
info = {
    "cores": os.cpu_count(),
    "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    "os": sh(". /etc/os-release && echo \$PRETTY_NAME"),
    "kernel": platform.release(),
    "opencv": sh("pkg-config --modversion opencv4"),
    "commit": sh("git -C $top rev-parse --short HEAD") + (" (modified)" if sh("git -C $top status --porcelain --untracked-files=no") else ""),
    "date": sh("date -u '+%Y-%m-%d %H:%M UTC'"),
    "load_at_start": open("/proc/loadavg").read().split()[:3],
    "smoke": sys.argv[3] == "1",
    "runs": $runs, "photos": $photos_n, "photos_dir": "$photos".replace("$top/", ""),
    "min_mp": $min_mp, "max_mp": $max_mp, "ceiling_seconds": $seconds,
    "layouts": "$layouts".split(), "model": "$model", "size": $size,
    "default_processor": "$processor", "labelling": $( [[ $labelling == true ]] && echo True || echo False ), "onnx": "$onnx".replace("$top/", ""),
    "engine_profile_items": int("${engine_items%% *}"),
    "tcmalloc": "$tcmalloc", "results_dir": "$res".replace("$top/", ""),
}
json.dump(info, open(sys.argv[1], "w"), indent=1)
EOF

# 1a. Thread layouts of the ceiling, each measured in every round.
log "ceiling: $model-$size, layouts $layouts, ${seconds}s each, $runs rounds"
for r in $(seq 1 "$runs"); do
  # shellcheck disable=SC2086
  measure ceiling-layouts "$r" "$build/ceiling_bench" --model "$model" --size "$size" \
    --seconds "$seconds" --layout $layouts
done
# The best layout by median passes per second; but when no layout got the cores it asked for (a
# machine busy with other work: process CPU / wall well under N x T), the layouts cannot be told
# apart and the pick would be noise, so it falls back to one single-threaded network per core
# (the prototype's measured best) and says so. BENCH_LAYOUT forces a layout.
best=$($py - "$res/measurements.jsonl" "$nproc" "${BENCH_LAYOUT:-}" <<'EOF'
import json, statistics, sys
rates, share = {}, {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["kind"] != "ceiling-layouts":
        continue
    for row in m["rows"]:
        rates.setdefault(row["layout"], []).append(row["passes_per_second"])
        want = min(row["networks"] * row["threads"], int(sys.argv[2]))
        share.setdefault(row["layout"], []).append(row["cpu_seconds"] / row["seconds"] / want)
cores = int(sys.argv[2])
if sys.argv[3]:
    print(sys.argv[3], "forced by BENCH_LAYOUT")
elif cores > 1 and all(statistics.median(v) < 0.75 for k, v in share.items() if k != "1x1"):
    print("%dx1" % cores, "fallback: no multi-threaded layout got 75 % of the cores it asked for")
else:
    print(max(rates, key=lambda k: statistics.median(rates[k])), "measured")
EOF
)
echo "$best" >"$res/layout.txt"
best=${best%% *}
networks=${best%x*}; threads=${best#*x}
log "best layout: $best ($networks networks x $threads threads)"

# 1b/2. Rounds: the ceiling at the best layout, the engine with the bare detector at that layout,
# imagemill run as a user runs it, and the Python baselines.
for r in $(seq 1 "$runs"); do
  log "round $r of $runs: ceiling, pipeline_bench, imagemill run, opencv_baseline (simple, tuned)"
  measure ceiling "$r" "$build/ceiling_bench" --model "$model" --size "$size" \
    --seconds "$seconds" --layout "$best"
  answers=()
  [[ $r -eq $runs ]] && answers=(--answers "$res/answers-pipeline.txt")
  measure pipeline "$r" "$build/pipeline_bench" "$photos" --model "$model" --size "$size" \
    --workers "$networks" --threads "$threads" "${answers[@]}"
  rm -f "$work"/run.db*
  measure imagemill-run "$r" "$build/imagemill" run "$photos" --db "$work/run.db" --quiet --json
  if [[ $model == nanodet ]]; then
    [[ $r -eq $runs ]] && answers=(--answers "$res/answers-python-simple.txt")
    measure python-simple "$r" "$py" bench/opencv_baseline.py "$photos" --model "$onnx" \
      --size "$size" --processes "$nproc" --db "$work/py.db" "${answers[@]}"
    [[ $r -eq $runs ]] && answers=(--answers "$res/answers-python-tuned.txt")
    measure python-tuned "$r" env ${tcmalloc:+LD_PRELOAD=$tcmalloc} "$py" bench/opencv_baseline.py \
      "$photos" --model "$onnx" --size "$size" --processes "$nproc" --db "$work/py.db" --tuned \
      "${answers[@]}"
  fi
done
if [[ $model == nanodet ]]; then
  for v in simple tuned; do
    $py bench/compare_answers.py "$res/answers-pipeline.txt" "$res/answers-python-$v.txt" \
      >"$res/compare-$v.json"
  done
fi

# 3. Engine overhead: no-op processor, generated bucket and local folder (and the folder with
# every object read).
for n in $engine_items; do
  folder="$cache/bench/folder-$n"
  if [[ ! -f "$folder.complete" ]]; then
    log "writing $n small files to $folder (once; cached)"
    "$build/engine_bench" --items "$n" --folder "$folder" >/dev/null
  fi
  for r in $(seq 1 "$runs"); do
    log "engine overhead: $n items, round $r"
    measure "engine-generated-$n" "$r" "$build/engine_bench" --items "$n"
    measure "engine-folder-$n" "$r" "$build/engine_bench" --items "$n" --folder "$folder"
    measure "engine-folder-read-$n" "$r" "$build/engine_bench" --items "$n" --folder "$folder" \
      --read-objects
  done
done

# 4. Decoding.
log "decoding"
# shellcheck disable=SC2086
measure decode 1 "$build/decode_bench" $decode_args

# 4b. What each feature costs per image, on the first photos of the same set.
log "cost per feature: $feature_photos photos, $runs rounds"
bench/feature_cost.sh "$build" "$photos" "$feature_photos" "$runs" "$res/features.jsonl" \
  >"$res/features.md"

# 5. Memory per worker and peak memory.
for w in $mem_workers; do
  log "memory: $w workers"
  rm -f "$work"/mem.db*
  measure "memory-run-$w" 1 "$build/imagemill" run "$photos" ${subset:+--prefix "$subset"} \
    --db "$work/mem.db" --workers "$w" --quiet --json
  measure "memory-pipeline-$w" 1 "$build/pipeline_bench" "$photos" ${subset:+--prefix "$subset"} \
    --model "$model" --size "$size" --workers "$w" --threads 1
done

# Profiles (perf, sampling user space; skipped when perf is missing or not permitted).
profile() {
  local name=$1
  shift
  if perf record -q -e cpu-clock -F 997 -o "$work/perf.data" -- "$@" >/dev/null 2>"$work/perf.err" &&
    perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym -q --percent-limit 0.1 \
      2>/dev/null >"$res/perf-$name.txt"; then
    log "profile $name: $(wc -l <"$res/perf-$name.txt") symbols"
    # The same run again with call stacks, each sample given to the engine stage it was taken in.
    if perf record -q -e cpu-clock -F 199 --call-graph dwarf,16384 -o "$work/perf-g.data" -- "$@" \
      >/dev/null 2>>"$work/perf.err"; then
      perf script -F tid,ip,sym,dso -i "$work/perf-g.data" 2>/dev/null |
        $py bench/perf_stages.py "$name" >"$res/stages-$name.json" || rm -f "$res/stages-$name.json"
      rm -f "$work/perf-g.data"
    fi
  else
    log "profile $name skipped: $(tail -1 "$work/perf.err")"
  fi
}
if command -v perf >/dev/null; then
  profile pipeline "$build/pipeline_bench" "$photos" ${subset:+--prefix "$subset"} \
    --model "$model" --size "$size" --workers "$networks" --threads "$threads"
  profile engine "$build/engine_bench" --items "${engine_items%% *}"
fi

# 6. Many machines: the engine in 1, 2 and 4 processes sharing PostgreSQL beside SQLite, claim
# latency under 8 processes, the queue table after a million items, the photos labelled by 2
# worker processes beside one process on SQLite (bench/fleet_bench.py starts its own PostgreSQL
# server).
log "many machines: the queue in PostgreSQL"
fleet_args=(--photos "$photos")
[[ $smoke -eq 1 ]] && fleet_args+=(--smoke)
$py bench/fleet_bench.py "$build" "${fleet_args[@]}" --json "$res/fleet.json" >"$res/fleet.md"

# 7. The console: the gallery's first page of 100 cached thumbnails over 100,000 answers
# (bench/console_bench.cc; a generated table, thumbnails written beforehand).
console_items=100000
[[ $smoke -eq 1 ]] && console_items=2000
log "console: the gallery's first page over $console_items answers"
"$build/console_bench" --db "sqlite:$work/console.db" --items "$console_items" \
  --state-dir "$work/console-state" >"$res/console.txt"
{
  echo "## The console's gallery"
  echo
  echo "The first page of 100 thumbnails (the gallery's JSON, then each cached thumbnail) over"
  echo "$console_items answers, through the console's handlers without the socket (load average"
  echo "at the start: $(cut -d' ' -f1 /proc/loadavg)):"
  echo
  echo '```'
  echo "build/console_bench --db sqlite:/tmp/console.db --items $console_items --repeats 20"
  head -n -1 "$res/console.txt"
  echo '```'
} >"$res/console.md"
# 8. imagemill serve: DetectLabels beside `imagemill run`, GetItem, idle connections, PutEvents,
# memory with 4 executions at once (bench/serve_bench.sh; skipped by --smoke, which has no
# labelled photo set).
if [[ $smoke -eq 0 ]]; then
  log "imagemill serve"
  cmake --build "$build" -j"$nproc" --target serve_bench >&2
  bench/serve_bench.sh "$build" "$runs" >"$res/serve.md"
fi

# 9. query --label over 100,000 and 1,000,000 images, SQLite and PostgreSQL, in the forms its SQL
# has had (bench/query_label_bench.py starts its own PostgreSQL server).
query_sizes="100000 1000000"
[[ $smoke -eq 1 ]] && query_sizes=2000
log "query --label over $query_sizes images"
# shellcheck disable=SC2086
$py bench/query_label_bench.py "$build" --sizes $query_sizes --repeats "$runs" --postgres \
  >"$res/query.md"

# --- report --------------------------------------------------------------------------------------
$py bench/bench_report.py "$res" --out "$out" --top "$top"
log "report: $out/benchmarks.md, $out/benchmarks.png (raw results in $res)"
