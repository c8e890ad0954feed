#!/usr/bin/env bash
# Puts the labelled photo set of bench/label_eval_set.txt into the cache, once:
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/label-photos/<name>
# or another list of the same columns (name, a column of its own, package, path, ...) into another
# folder of the cache:
#   scripts/fetch-label-eval.sh bench/face_eval_set.txt face-eval   # -> .cache/face-eval/<name>
#   scripts/fetch-label-eval.sh bench/text_eval_set.txt text-eval   # -> .cache/text-eval/<name>
# Every photo comes from a Debian package (the list's header names them and their licences),
# fetched with `apt-get download` and unpacked with `dpkg -x`; bench/label_eval_extract.py takes
# GCompris' photos out of its Qt resource files and puts Tux Paint's cut-outs on a white ground.
# About 550 MB of packages are downloaded the first time (kept in
# ${IMAGEMILL_CACHE}/label-eval-debs so that a changed list downloads nothing again), 190 MB of
# photos are kept. Nothing fetched is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"
list="${1:-$top/bench/label_eval_set.txt}"
out="$cache/${2:-label-photos}"
debs="$cache/label-eval-debs"
stamp="$out/.complete"
# A list that takes photos out of Qt resource files or puts cut-outs on white depends on the
# extractor too; a list of plain files (the face and text sets) only on itself.
extracts=$(grep -v '^#' "$list" | awk 'NF && ($4 ~ /\.rcc:/ || ($4 ~ /\.png$/ && $1 ~ /\.jpg$/))' | wc -l)
if [[ $extracts -gt 0 ]]; then
  want=$( (cat "$list" "$top/bench/label_eval_extract.py") | sha256sum | cut -c1-16)
else
  want=$(sha256sum "$list" | cut -c1-16)
fi
[[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && exit 0

mkdir -p "$cache" "$debs"
exec 9>"$cache/.$(basename "$out").lock"
flock 9
[[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && exit 0

if [[ $extracts -gt 0 ]] && ! /usr/bin/python3 -c 'import cv2' 2>/dev/null; then
  echo "fetch-label-eval: needs Debian's python3-opencv (scripts/install-deps.sh --bench)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=$(grep -v '^#' "$list" | awk 'NF {print $3}' | sort -u)
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
updated=""
for p in $packages; do
  if ! ls "$debs/${p}"_*.deb >/dev/null 2>&1; then
    if ! (cd "$debs" && apt-get download "$p" >/dev/null 2>&1); then
      [[ -z "$updated" ]] && { $sudo apt-get update -qq; updated=1; }
      (cd "$debs" && apt-get download "$p" >/dev/null 2>&1) || {
        echo "fetch-label-eval: could not download the Debian package '$p'" >&2; exit 1; }
    fi
  fi
  mkdir -p "$work/x/$p"
  dpkg -x "$(ls "$debs/${p}"_*.deb | tail -1)" "$work/x/$p"
done

staged="$work/staged"
mkdir -p "$staged"
grep -v '^#' "$list" | awk -v x="$work/x" 'NF {print $1, x "/" $3 "/" $4}' |
  /usr/bin/python3 "$top/bench/label_eval_extract.py" "$staged"
echo "$want" >"$staged/.complete"
rm -rf "$out"
mv "$staged" "$out"
echo "fetch-label-eval: $(ls "$out" | wc -l) photos in $out"
