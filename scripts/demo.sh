#!/usr/bin/env bash
# make demo: label the sample photos that Debian's darknet package ships, with the embedded
# defaults (a local folder as the bucket, SQLite as the table), and show what was found.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
cd "$top"
scripts/fetch-samples.sh
[[ -x scripts/fetch-models.sh ]] && scripts/fetch-models.sh
bin="$top/$build/imagemill"
demo="$top/.cache/demo"
rm -rf "$demo" && mkdir -p "$demo"
cd "$demo"

echo "== imagemill run $top/.cache/samples  (results in $demo/imagemill.db)"
"$bin" run "$top/.cache/samples" --result-writer results --execution-name demo || true
echo
echo "== what each image holds (imagemill results)"
"$bin" results --execution demo
echo
echo "== the images with a dog in them (imagemill query --label Dog)"
"$bin" query --label Dog || true
echo
"$bin" detect-labels "$top/.cache/samples/dog.jpg" --features GENERAL_LABELS \
  --annotate "$demo/dog-labels.jpg" >/dev/null
echo "== dog.jpg with its labels drawn: $demo/dog-labels.jpg"
echo
echo "Try: cd $demo && $bin get dog.jpg  |  $bin query --label Animal  |  $bin detect-labels PHOTO.jpg --annotate out.jpg"
