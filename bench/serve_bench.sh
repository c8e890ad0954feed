#!/usr/bin/env bash
# Figures for `imagemill serve` (docs/server.md), measured with bench/serve_bench.cc's clients:
#
#   1. DetectLabels: 64 concurrent clients send every photo of the labelled set (scripts/
#      fetch-label-eval.sh) as Image.Bytes; images/s beside `imagemill run` over the same photos;
#   2. GetItem over kept-alive connections: requests/s and latencies;
#   3. the same beside 1,000 idle connections (half of them with half a request sent);
#   4. PutEvents of the seed's event to the execution it starts (when the server has EventBridge).
#
# Each throughput is the median of REPEAT rounds (default 3), the two contenders of step 1 taking
# turns within a round. Prints a Markdown table on stdout; logs on stderr.
#
#   bench/serve_bench.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
repeat=${2:-3}
bin="$build/imagemill"
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

cli_rates=(); serve_rates=(); ratios=()
for ((i = 0; i < repeat; i++)); do
  rm -f "$work"/r.db*
  cli=$("$bin" run "$work/photos" --db "sqlite:$work/r.db" --json --quiet | json '["itemsPerSecond"]')
  served=$("$client" detect "$url" --photos "$work/photos.txt" --clients 64 | tee -a "$work/detect.jsonl" |
    json '["imagesPerSecond"]')
  cli_rates+=("$cli"); serve_rates+=("$served")
  ratios+=("$(/usr/bin/python3 -c "print(round($served / $cli, 3))")")
  echo "round $((i + 1)): run $cli images/s, serve (64 clients) $served images/s" >&2
done
throttled=$(/usr/bin/python3 -c "import json; print(sum(json.loads(l)['throttled'] + json.loads(l)['failed'] for l in open('$work/detect.jsonl')))")

get_rates=(); get_p99=(); idle_rates=(); idle_p99=()
for ((i = 0; i < repeat; i++)); do
  g=$("$client" getitem "$url" --ids "$work/ids.txt" --connections 8 --seconds 10)
  get_rates+=("$(json '["requestsPerSecond"]' <<<"$g")"); get_p99+=("$(json '["p99Ms"]' <<<"$g")")
  d=$("$client" idle "$url" --ids "$work/ids.txt" --idle 1000 --connections 8 --seconds 10)
  idle_rates+=("$(json '["requestsPerSecond"]' <<<"$d")"); idle_p99+=("$(json '["p99Ms"]' <<<"$d")")
  idle_open=$(json '["idleConnections"]' <<<"$d")
  echo "round $((i + 1)): getitem $g; beside idle: $d" >&2
done

put=""
if "$client" putevents "$url" --events 10 --bucket "$work/photos" >"$work/put.json" 2>>"$work/put.err"; then
  put="$(json '["p50Ms"]' <"$work/put.json") ms median, $(json '["maxMs"]' <"$work/put.json") ms at most"
else
  put="not measured ($(head -c 200 "$work/put.json" "$work/put.err" | tr '\n' ' '))"
fi

echo "| figure | value | |"
echo "|---|---|---|"
echo "| \`imagemill run\` over the $n photos | $(median "${cli_rates[@]}") images/s | median of $repeat |"
echo "| DetectLabels, 64 concurrent clients, Image.Bytes | $(median "${serve_rates[@]}") images/s ($throttled throttled or failed) | median of $repeat |"
echo "| ratio serve / run (within a round) | $(median "${ratios[@]}") | median of $repeat |"
echo "| GetItem, 8 kept-alive connections | $(median "${get_rates[@]}") requests/s, p99 $(median "${get_p99[@]}") ms | median of $repeat 10-s runs |"
echo "| GetItem beside $idle_open idle connections | $(median "${idle_rates[@]}") requests/s, p99 $(median "${idle_p99[@]}") ms | median of $repeat 10-s runs |"
echo "| PutEvents to the execution listed | $put | 10 events |"
