#!/usr/bin/env bash
# Installs the npm tools the tests and benchmarks start as peers (today: the S3 server `s3rver`),
# pinned, into ${IMAGEMILL_CACHE:-<repo>/.cache}/npm/<name>-<version>/ (once; later calls reuse the
# cache and need no network). Nothing here is committed. Prints nothing when the cache is ready.
#
#   scripts/fetch-npm-tools.sh            # every tool
#   scripts/fetch-npm-tools.sh --print-s3rver   # also print the path of the s3rver entry point
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"

S3RVER_VERSION=3.7.1

install_pinned() {  # name version -> installs into $cache/npm/name-version
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
  (cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error \
      --no-package-lock "$name@$version" >&2) || {
    echo "fetch-npm-tools: could not install $name@$version from the npm registry" >&2
    rm -rf "$dir"
    exit 1
  }
  touch "$dir/.complete"
}

install_pinned s3rver "$S3RVER_VERSION"

if [[ "${1:-}" == "--print-s3rver" ]]; then
  echo "$cache/npm/s3rver-$S3RVER_VERSION/node_modules/s3rver/bin/s3rver.js"
fi
