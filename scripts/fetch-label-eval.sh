#!/usr/bin/env bash
# Puts the labelled photo set of bench/label_eval_set.txt into the cache, once:
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/label-eval/<name>
# or another list of the same columns (name, a column of its own, package, path, ...) into another
# folder of the cache:
#   scripts/fetch-label-eval.sh bench/face_eval_set.txt face-eval   # -> .cache/face-eval/<name>
#   scripts/fetch-label-eval.sh bench/text_eval_set.txt text-eval   # -> .cache/text-eval/<name>
# Every photo comes from a Debian package that ships sample photos (darknet, opencv-doc,
# python3-skimage, python3-sklearn, palapeli-data, plasma-workspace-wallpapers), fetched with
# `apt-get download` and unpacked with `dpkg -x`; about 220 MB of packages are downloaded the
# first time, 30 MB of photos are kept. Nothing fetched is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"
list="${1:-$top/bench/label_eval_set.txt}"
out="$cache/${2:-label-eval}"
stamp="$out/.complete"
want=$(sha256sum "$list" | cut -c1-16)
[[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && exit 0

mkdir -p "$cache"
exec 9>"$cache/.$(basename "$out").lock"
flock 9
[[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(grep -v '^#' "$list" | awk 'NF {print $3}' | sort -u)
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
for p in $packages; do
  if ! (cd "$work" && apt-get download "$p" >/dev/null 2>&1); then
    $sudo apt-get update -qq
    (cd "$work" && apt-get download "$p" >/dev/null 2>&1) || {
      echo "fetch-label-eval: could not download the Debian package '$p'" >&2; exit 1; }
  fi
  mkdir -p "$work/x/$p"
  dpkg -x "$work/${p}"_*.deb "$work/x/$p"
  rm -f "$work/${p}"_*.deb
done

staged="$work/staged"
mkdir -p "$staged"
grep -v '^#' "$list" | awk 'NF {print $1, $3, $4}' | while read -r name package path; do
  src="$work/x/$package/$path"
  [[ -f "$src" ]] || { echo "fetch-label-eval: $package has no $path" >&2; exit 1; }
  cp "$src" "$staged/$name"
done
echo "$want" >"$staged/.complete"
rm -rf "$out"
mv "$staged" "$out"
echo "fetch-label-eval: $(ls "$out" | wc -l) photos in $out"
