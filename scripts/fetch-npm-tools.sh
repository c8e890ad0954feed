#!/usr/bin/env bash
# Installs the npm packages the tests and benchmarks use, pinned, into
# ${IMAGEMILL_CACHE:-<repo>/.cache}/npm/<name>-<version>/ (once; later calls reuse the cache and
# need no network). Nothing here is committed; nothing from the registry runs at install time.
#   s3rver           an S3 server the tests start as a peer
#   @tensorflow/tfjs the original TF.js runtime (pure-JS CPU backend), the reference the imported
#                    models are compared with (tests/integration/model_import_test.sh)
#   puppeteer-core   drives Debian's chromium in the console's browser test (no browser download;
#                    Apache-2.0; 24.9.0 is the newest whose engines allow Node 18 and 20)
#
#   scripts/fetch-npm-tools.sh                  # every tool
#   scripts/fetch-npm-tools.sh --print-s3rver   # and print the s3rver entry point
#   scripts/fetch-npm-tools.sh --print-tfjs     # and print the tfjs package folder
#   scripts/fetch-npm-tools.sh --print-puppeteer  # and print the node_modules holding puppeteer-core
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"

S3RVER_VERSION=3.7.1
TFJS_VERSION=4.22.0
PUPPETEER_VERSION=24.9.0

install_pinned() {  # name version [--ignore-scripts] -> installs into $cache/npm/name-version
  local name=$1 version=$2
  local dir="$cache/npm/$name-$version"
  [[ -f "$dir/.complete" ]] && return 0
  # Test processes run in parallel and may all arrive here on a fresh machine: one installs.
  mkdir -p "$cache/npm"
  exec 9>"$cache/npm/.lock"
  flock 9
  [[ -f "$dir/.complete" ]] && return 0
  command -v npm >/dev/null || "$top/scripts/install-deps.sh"
  rm -rf "$dir"
  mkdir -p "$dir"
  # A private package.json so npm installs here and nowhere else; exact version, no lockfile kept.
  printf '{"name":"imagemill-npm-tools","private":true}\n' >"$dir/package.json"
  echo "fetch-npm-tools: installing $name@$version into $dir" >&2
  (cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error --ignore-scripts \
      --no-package-lock "$name@$version" >&2) || {
    echo "fetch-npm-tools: could not install $name@$version from the npm registry" >&2
    rm -rf "$dir"
    exit 1
  }
  touch "$dir/.complete"
}

install_pinned s3rver "$S3RVER_VERSION"
install_pinned @tensorflow/tfjs "$TFJS_VERSION"
install_pinned puppeteer-core "$PUPPETEER_VERSION"

case "${1:-}" in
  --print-s3rver) echo "$cache/npm/s3rver-$S3RVER_VERSION/node_modules/s3rver/bin/s3rver.js" ;;
  --print-tfjs) echo "$cache/npm/@tensorflow/tfjs-$TFJS_VERSION/node_modules/@tensorflow/tfjs" ;;
  --print-puppeteer) echo "$cache/npm/puppeteer-core-$PUPPETEER_VERSION/node_modules" ;;
esac
