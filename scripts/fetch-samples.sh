#!/usr/bin/env bash
# Puts the sample photos that Debian's `darknet` package ships into .cache/samples/ (once; later
# calls reuse the cache). Nothing here is committed: the photos come from the Debian archive.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"
out="$cache/samples"
[[ -f "$cache/samples.complete" ]] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download darknet >/dev/null 2>&1) || {
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && (cd "$work" && apt-get download darknet >/dev/null 2>&1)
} || { echo "fetch-samples: could not download the Debian package 'darknet'" >&2; exit 1; }
dpkg -x "$work"/darknet_*.deb "$work/x"
mkdir -p "$out"
cp "$work"/x/usr/share/darknet/data/*.jpg "$out/"
cp "$work"/x/usr/share/darknet/data/coco.names "$cache/coco.names"
touch "$cache/samples.complete"
echo "fetch-samples: $(ls "$out"/*.jpg | wc -l) photos in $out"
