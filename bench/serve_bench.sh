#!/usr/bin/env bash
# Figures for `imagemill serve` (docs/server.md), measured with bench/serve_bench.cc's clients:
#
#   1. DetectLabels: 64 concurrent clients send every photo of the labelled set (scripts/
#      fetch-label-eval.sh) as Image.Bytes; images/s beside `imagemill run` over the same photos,
#      and per core: images per CPU-second of the server alone beside those of `imagemill run`;
#   2. GetItem over kept-alive connections: requests/s and latencies;
#   3. the same beside 1,000 idle connections (half of them with half a request sent), with the
#      server's threads and resident memory before and while they are open;
#   4. PutEvents of the seed's event to the execution it starts (when the server has EventBridge);
#   5. a fresh server running 4 executions at once, each over its own copy of the photos: its
#      peak resident memory and threads (the label model is loaded once and shared).
#
# Each throughput is the median of REPEAT rounds (default 3), the two contenders of step 1 taking
# turns within a round. Prints a Markdown section (heading, table, commands) on stdout; logs on
# stderr. scripts/bench.sh (make bench) runs it into docs/benchmarks.md.
#
#   bench/serve_bench.sh [BUILD_DIR] [REPEAT]
#
# SERVE_BIN runs another imagemill as the server (e.g. an older build, to compare its memory).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
repeat=${2:-3}
bin="${SERVE_BIN:-$build/imagemill}"
client="$build/serve_bench"
cache="${IMAGEMILL_CACHE:-$top/.cache}"
"$top/scripts/fetch-label-eval.sh" >&2
"$top/scripts/fetch-models.sh" >&2
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The photos of the labelled set that DetectLabels takes as bytes (at most 5 MB each).
mkdir -p "$work/photos"
grep -v '^#' "$top/bench/label_eval_set.txt" | awk 'NF {print $1}' | while read -r name; do
  f="$cache/label-photos/$name"
  [[ -f "$f" && $(stat -c %s "$f") -le 5242880 ]] && cp "$f" "$work/photos/"
done
ls "$work/photos" | sed "s|^|$work/photos/|" >"$work/photos.txt"
ls "$work/photos" >"$work/ids.txt"
n=$(wc -l <"$work/photos.txt")
echo "serve_bench: $n photos, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

export AWS_ACCESS_KEY_ID=AKIABENCHSERVE AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
json() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

"$bin" run "$work/photos" --db "sqlite:$work/t.db" --execution-name fill --quiet >&2
"$bin" serve --db "sqlite:$work/t.db" --port 0 >"$work/url" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 600); do [[ -s "$work/url" ]] && break; sleep 0.1; done
url=$(head -1 "$work/url")
[[ "$url" == http://* ]] || { cat "$work/serve.log" >&2; exit 1; }

# cpu_seconds PID: the user and system CPU time the process has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

# Per core: images per CPU-second of `imagemill run` (the whole command) and of the server alone
# while it answers (the clients, on the same cores, are not counted), whatever else the machine
# runs.
cli_rates=(); serve_rates=(); ratios=(); cpu_ratios=(); cli_cpu=(); serve_cpu=()
for ((i = 0; i < repeat; i++)); do
  rm -f "$work"/r.db*
  cli=$(/usr/bin/time -f "%U %S" -o "$work/run.time" \
    "$bin" run "$work/photos" --db "sqlite:$work/r.db" --json --quiet | json '["itemsPerSecond"]')
  run_cpu=$(awk '{print $1 + $2}' "$work/run.time")
  before=$(cpu_seconds "$server_pid")
  served=$("$client" detect "$url" --photos "$work/photos.txt" --clients 64 | tee -a "$work/detect.jsonl" |
    json '["imagesPerSecond"]')
  served_cpu=$(/usr/bin/python3 -c "print(round($(cpu_seconds "$server_pid") - $before, 2))")
  cli_rates+=("$cli"); serve_rates+=("$served")
  cli_cpu+=("$(/usr/bin/python3 -c "print(round($n / $run_cpu, 2))")")
  serve_cpu+=("$(/usr/bin/python3 -c "print(round($n / $served_cpu, 2))")")
  ratios+=("$(/usr/bin/python3 -c "print(round($served / $cli, 3))")")
  cpu_ratios+=("$(/usr/bin/python3 -c "print(round($run_cpu / $served_cpu, 3))")")
  echo "round $((i + 1)): run $cli images/s ($run_cpu CPU-s), serve (64 clients) $served images/s" \
    "($served_cpu CPU-s in the server), load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
throttled=$(/usr/bin/python3 -c "import json; print(sum(json.loads(l)['throttled'] + json.loads(l)['failed'] for l in open('$work/detect.jsonl')))")

# proc_max PID FIELD FILE: samples /proc/PID/status FIELD (Threads, VmRSS in kB) every 0.2 s into
# FILE until killed; the caller takes the largest.
proc_max() {
  while kill -0 "$1" 2>/dev/null; do
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" >>"$3"
    sleep 0.2
  done
}
status_of() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

get_rates=(); get_p99=(); idle_rates=(); idle_p99=()
threads_before=""; rss_before=""
for ((i = 0; i < repeat; i++)); do
  g=$("$client" getitem "$url" --ids "$work/ids.txt" --connections 8 --seconds 10)
  get_rates+=("$(json '["requestsPerSecond"]' <<<"$g")"); get_p99+=("$(json '["p99Ms"]' <<<"$g")")
  [[ -z "$threads_before" ]] && threads_before=$(status_of "$server_pid" Threads) &&
    rss_before=$(status_of "$server_pid" VmRSS)
  : >"$work/threads" ; : >"$work/rss"
  proc_max "$server_pid" Threads "$work/threads" & t_pid=$!
  proc_max "$server_pid" VmRSS "$work/rss" & r_pid=$!
  d=$("$client" idle "$url" --ids "$work/ids.txt" --idle 1000 --connections 8 --seconds 10)
  kill "$t_pid" "$r_pid" 2>/dev/null; wait "$t_pid" "$r_pid" 2>/dev/null || true
  idle_rates+=("$(json '["requestsPerSecond"]' <<<"$d")"); idle_p99+=("$(json '["p99Ms"]' <<<"$d")")
  idle_open=$(json '["idleConnections"]' <<<"$d")
  threads_idle=$(sort -n "$work/threads" | tail -1); rss_idle=$(sort -n "$work/rss" | tail -1)
  echo "round $((i + 1)): getitem $g; beside idle: $d" >&2
done

put=""
if "$client" putevents "$url" --events 10 --bucket "$work/photos" >"$work/put.json" 2>>"$work/put.err"; then
  put="$(json '["p50Ms"]' <"$work/put.json") ms median, $(json '["maxMs"]' <"$work/put.json") ms at most"
else
  put="not measured ($(head -c 200 "$work/put.json" "$work/put.err" | tr '\n' ' '))"
fi

# 5. A fresh server, 4 executions at once over 4 copies (hard links) of the photos.
kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
: >"$work/folders.txt"
for c in 1 2 3 4; do
  mkdir -p "$work/copy$c"
  ln "$work"/photos/* "$work/copy$c/"
  echo "$work/copy$c" >>"$work/folders.txt"
done
rm -f "$work/url"
"$bin" serve --db "sqlite:$work/e.db" --port 0 >"$work/url" 2>"$work/serve-e.log" &
server_pid=$!
for _ in $(seq 1 600); do [[ -s "$work/url" ]] && break; sleep 0.1; done
url=$(head -1 "$work/url")
[[ "$url" == http://* ]] || { cat "$work/serve-e.log" >&2; exit 1; }
rss_idle_server=$(status_of "$server_pid" VmRSS)
: >"$work/threads"
proc_max "$server_pid" Threads "$work/threads" & t_pid=$!
x=$("$client" executions "$url" --folders "$work/folders.txt")
kill "$t_pid" 2>/dev/null; wait "$t_pid" 2>/dev/null || true
echo "4 executions: $x" >&2
exec_peak=$(status_of "$server_pid" VmHWM)
exec_threads=$(sort -n "$work/threads" | tail -1)
exec_rate=$(json '["imagesPerSecond"]' <<<"$x")
mb() { /usr/bin/python3 -c "print(round($1 / 1024, 1))"; }

echo "## imagemill serve"
echo
echo "Measured by \`bench/serve_bench.sh $(basename "$build") $repeat\` (make bench runs it) on $(nproc) cores,"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, over the $n photos of the labelled set."
echo
echo "| figure | value | |"
echo "|---|---|---|"
echo "| \`imagemill run\` over the $n photos | $(median "${cli_rates[@]}") images/s | median of $repeat |"
echo "| DetectLabels, 64 concurrent clients, Image.Bytes | $(median "${serve_rates[@]}") images/s ($throttled throttled or failed) | median of $repeat |"
echo "| ratio serve / run (within a round) | $(median "${ratios[@]}") | median of $repeat |"
echo "| images per CPU-second: run / the server answering DetectLabels | $(median "${cli_cpu[@]}") / $(median "${serve_cpu[@]}") | median of $repeat |"
echo "| ratio per core, serve / run (run's CPU time / the server's, within a round) | $(median "${cpu_ratios[@]}") | median of $repeat |"
echo "| GetItem, 8 kept-alive connections | $(median "${get_rates[@]}") requests/s, p99 $(median "${get_p99[@]}") ms | median of $repeat 10-s runs |"
echo "| GetItem beside $idle_open idle connections | $(median "${idle_rates[@]}") requests/s, p99 $(median "${idle_p99[@]}") ms | median of $repeat 10-s runs |"
echo "| the server beside them | $threads_idle threads and $(mb "$rss_idle") MB resident at most, against $threads_before threads and $(mb "$rss_before") MB before | sampled every 0.2 s |"
echo "| PutEvents to the execution listed | $put | 10 events |"
echo "| 4 executions at once on a fresh server, each over its own copy of the $n photos | peak $(mb "$exec_peak") MB resident ($(mb "$rss_idle_server") MB once started), $exec_threads threads at most, $exec_rate images/s | \`serve_bench executions\` |"
