#!/usr/bin/env bash
# Listing and fetch rates of imagemill's S3Store against a local S3 server (s3rver, as the tests
# use it), beside the AWS CLI on the same data:
#   listing: s3_bench's List pages   vs  aws s3 ls --recursive
#   fetch:   s3_bench's Get, 10 threads  vs  aws s3 cp --recursive (10 concurrent requests)
#
#   bench/s3_bench.sh [build-dir] [number-of-objects]      (defaults: build 2000)
#
# The objects are the sample photos (scripts/fetch-samples.sh) repeated under distinct keys.
# awscli writes what it fetches to disk; s3_bench keeps the bytes in memory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ "$build" = /* ]] || build="$top/$build"
count=${2:-2000}
cache="${IMAGEMILL_CACHE:-$top/.cache}"
aws=/usr/bin/aws

"$top/scripts/fetch-samples.sh"
s3rver=$("$top/scripts/fetch-npm-tools.sh" --print-s3rver | tail -n 1)
cmake --build "$build" --target s3_bench >/dev/null

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
node_major=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
node_options=""
[[ "$node_major" -ge 17 ]] && node_options="--openssl-legacy-provider"
mkdir -p "$work/data"
NODE_OPTIONS="$node_options" node "$s3rver" --directory "$work/data" --address 127.0.0.1 \
  --port "$port" --silent --no-vhost-buckets >"$work/s3rver.log" 2>&1 &
server_pid=$!
endpoint="http://127.0.0.1:$port"
for _ in $(seq 100); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
awscli() { "$aws" --endpoint-url "$endpoint" "$@"; }

mapfile -t photos < <(ls "$cache"/samples/*.jpg)
mkdir -p "$work/up"
for ((i = 0; i < count; i++)); do
  ln -s "${photos[i % ${#photos[@]}]}" "$work/up/img$(printf %05d "$i").jpg"
done
now_us() { echo "${EPOCHREALTIME/./}"; }
seconds() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }  # microseconds
awscli s3 mb s3://bench >/dev/null
start=$(now_us)
awscli s3 sync --only-show-errors "$work/up" s3://bench/sample/
upload_us=$(($(now_us) - start))
bytes=$(find -L "$work/up" -type f -printf "%s\n" | awk "{s += \$1} END {print s}")
echo "data: $count objects, $((bytes / 1000000)) MB, uploaded with aws s3 sync in $(seconds $upload_us) s"

best_ls=0
best_cp=0
for round in 1 2 3; do
  start=$(now_us)
  n=$(awscli s3 ls --recursive s3://bench/sample/ | wc -l)
  ls_us=$(($(now_us) - start))
  rm -rf "$work/down"
  start=$(now_us)
  awscli s3 cp --recursive --only-show-errors s3://bench/sample/ "$work/down"
  cp_us=$(($(now_us) - start))
  got=$(find "$work/down" -type f | wc -l)
  ls_rate=$((n * 1000000 / ls_us))
  cp_rate=$((got * 1000000 / cp_us))
  echo "round $round: aws s3 ls --recursive: $n keys in $(seconds $ls_us) s ($ls_rate keys/s);" \
       "aws s3 cp --recursive: $got objects in $(seconds $cp_us) s ($cp_rate objects/s)"
  ((ls_rate > best_ls)) && best_ls=$ls_rate
  ((cp_rate > best_cp)) && best_cp=$cp_rate
done
echo "awscli $("$aws" --version 2>&1 | cut -d' ' -f1): best of 3: listing $best_ls keys/s, fetch $best_cp objects/s (writes to disk, 10 concurrent requests)"

"$build/s3_bench" --endpoint-url "$endpoint" --threads 10 --repeat 3 s3://bench/sample/
