#!/usr/bin/env bash
# `cmake --install` (what `make install` runs) puts the binary and the models where the installed
# binary finds them: run from elsewhere, with no cache or models variable, it labels a photo; and
# the PostgreSQL backend module, which the installed binary loads for a postgresql:// database.
set -euo pipefail
build=$(dirname "$IMAGEMILL")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$IMAGEMILL_SOURCE_DIR/scripts/fetch-samples.sh" >/dev/null
cmake --install "$build" --prefix "$work/prefix" >/dev/null
[[ -x "$work/prefix/bin/imagemill" ]] || { echo "install_test: no bin/imagemill" >&2; exit 1; }
ls "$work/prefix/share/imagemill/models/"*/nanodet.json >/dev/null
cd "$work"
out=$(env -u IMAGEMILL_CACHE -u IMAGEMILL_MODELS HOME="$work" "$work/prefix/bin/imagemill" \
      detect-labels "$IMAGEMILL_CACHE/samples/dog.jpg" --features GENERAL_LABELS)
grep -q '"Name": "Dog"' <<<"$out" || { echo "install_test: the installed binary found no dog: $out" >&2; exit 1; }
module=$(find "$work/prefix" -name libimagemill_postgres.so)
[[ -n "$module" ]] || { echo "install_test: no libimagemill_postgres.so under the prefix" >&2; exit 1; }
err=$(IMAGEMILL_DB_WAIT=0 "$work/prefix/bin/imagemill" executions list \
      --db postgresql://imagemill@127.0.0.1:9/imagemill 2>&1 || true)
grep -q 'could not be reached' <<<"$err" ||
  { echo "install_test: the installed binary did not load $module: $err" >&2; exit 1; }
echo "install: the installed binary labels with the installed models and loads $module"
