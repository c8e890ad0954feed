#!/usr/bin/env bash
# Installs the npm packages imagemill's tests use into the cache, once:
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/npm-tools/node_modules/@tensorflow/tfjs
# @tensorflow/tfjs (pinned) runs the original TF.js models on its pure-JavaScript CPU backend, the
# reference the imported ONNX models are compared with (tests/integration/model_import_test.sh).
# Later calls touch nothing; nothing installed here is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"
tfjs_version="4.22.0"

out="$cache/npm-tools"
marker="$out/.complete-tfjs-$tfjs_version"
[[ -f "$marker" ]] && exit 0
mkdir -p "$out"
exec 9>"$out/.fetch.lock"
flock 9  # concurrent callers wait for the one installing
[[ -f "$marker" ]] && exit 0

command -v npm >/dev/null || { echo "fetch-npm-tools: needs npm (scripts/install-deps.sh)" >&2; exit 1; }
# --ignore-scripts: nothing from the registry runs at install time.
npm install --prefix "$out" --no-audit --no-fund --ignore-scripts --loglevel=error \
  "@tensorflow/tfjs@$tfjs_version" >/dev/null || {
  echo "fetch-npm-tools: npm install @tensorflow/tfjs@$tfjs_version failed" >&2; exit 1; }
touch "$marker"
echo "fetch-npm-tools: @tensorflow/tfjs@$tfjs_version in $out"
