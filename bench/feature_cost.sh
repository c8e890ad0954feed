#!/usr/bin/env bash
# What each Rekognition feature costs per image: `imagemill run` over the same photos with each
# processor and label source, CPU time (user + sys) per image. Prints a Markdown section on stdout
# (scripts/bench.sh puts it in docs/benchmarks.md) and one JSON line per measurement to JSONL.
#
#   bench/feature_cost.sh BUILD PHOTOS COUNT ROUNDS JSONL
#
# The first COUNT photos of PHOTOS (by path) are linked into a folder of their own. Each feature
# runs once on the first photo alone and once on all COUNT, one worker, a fresh database each time;
# its cost per image is the difference of the two runs' CPU over COUNT - 1, so that loading the
# models and opening the database, paid once per process, are not counted. The median over ROUNDS
# rounds is reported; each round runs every feature once, one after the other.
set -euo pipefail
build=$1 photos=$2 count=$3 rounds=$4 jsonl=$5
(( count >= 2 )) || { echo "feature_cost.sh: COUNT must be at least 2" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/all" "$work/one"
i=0
while IFS= read -r f; do
  ext=${f##*.}
  ln "$f" "$work/all/$(printf 'photo%03d' "$i").$ext" 2>/dev/null || cp "$f" "$work/all/$(printf 'photo%03d' "$i").$ext"
  (( i == 0 )) && cp "$f" "$work/one/photo000.$ext"
  i=$((i + 1))
done < <(find "$photos" -type f \( -name '*.jpg' -o -name '*.png' -o -name '*.webp' \) | sort | head -n "$count")
(( i == count )) || { echo "feature_cost.sh: $photos has $i photos, not $count" >&2; exit 2; }
mp=$(/usr/bin/python3 - "$work/all" <<'EOF'
import cv2, os, sys
d = sys.argv[1]
sizes = [cv2.imread(os.path.join(d, f), cv2.IMREAD_UNCHANGED).shape[:2] for f in sorted(os.listdir(d))]
print("%.1f-%.1f" % (min(h * w for h, w in sizes) / 1e6, max(h * w for h, w in sizes) / 1e6))
EOF
)

# name|flags: what Rekognition calls it, and the `imagemill run` flags that answer it.
features=(
  "image properties only (decode + IMAGE_PROPERTIES)|--processor image-properties"
  "DetectLabels (labels + image properties, the default)|"
  "DetectLabels with Face (--extra-labels face)|--extra-labels face"
  "DetectLabels with Text (--extra-labels text)|--extra-labels text"
  "DetectFaces|--processor faces"
  "DetectText|--processor text"
)

# cpu DIR FLAGS...: user + sys seconds of one `imagemill run` over DIR.
cpu() {
  local dir=$1
  shift
  rm -f "$work"/run.db*
  /usr/bin/time -f '%U %S' -o "$work/time" "$build/imagemill" run "$dir" --db "$work/run.db" \
    --workers 1 --quiet --json "$@" >"$work/out.json" 2>"$work/err" ||
    { echo "feature_cost.sh: imagemill run $dir $* failed:" >&2; tail -5 "$work/err" >&2; exit 1; }
  awk '{print $1 + $2}' "$work/time"
}

for r in $(seq 1 "$rounds"); do
  for f in "${features[@]}"; do
    name=${f%%|*} flags=${f#*|}
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    one=$(cpu "$work/one" $flags)
    # shellcheck disable=SC2086
    all=$(cpu "$work/all" $flags)
    echo "{\"feature\": \"$name\", \"flags\": \"$flags\", \"round\": $r, \"load\": $load," \
      "\"photos\": $count, \"cpu_one_s\": $one, \"cpu_all_s\": $all}" >>"$jsonl"
  done
done

/usr/bin/python3 - "$jsonl" "$count" "$rounds" "$mp" <<'EOF'
import json, statistics, sys
path, count, rounds, mp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [json.loads(l) for l in open(path)]
order, per = [], {}
for r in rows:
    if r["feature"] not in per:
        order.append(r["feature"])
    per.setdefault(r["feature"], []).append(r)
loads = [r["load"] for r in rows]
print("## Cost per feature")
print()
print("CPU time (user + sys) per image of each Rekognition feature, `imagemill run` with one worker")
print("over the same %d photos (%s MP, the suite's photos), minus the same run on the first photo" % (count, mp))
print("alone (model loading and start-up), divided by %d; median of %d round(s), 1-min load %.1f-%.1f." % (count - 1, rounds, min(loads), max(loads)))
print("The photos are scenes (the darknet samples): few faces, little text; DetectText's cost grows")
print("with the text it finds (docs/text.md measures pages and screenshots).")
print()
print("| feature | `imagemill run PHOTOS` flags | CPU ms per image | beyond DetectLabels |")
print("|---|---|---|---|")
base = None
for name in order:
    ms = [1000 * (r["cpu_all_s"] - r["cpu_one_s"]) / (count - 1) for r in per[name]]
    m = statistics.median(ms)
    flags = per[name][0]["flags"]
    if flags == "":
        base = m
    spread = " (%.0f-%.0f)" % (min(ms), max(ms)) if len(ms) > 1 else ""
    extra = ""
    if base is not None and "extra-labels" in flags:
        extra = "%+.0f" % (m - base)
    print("| %s | `%s` | %.0f%s | %s |" % (name, flags or "(none)", m, spread, extra))
print()
print("```")
print("bench/feature_cost.sh build PHOTOS %d %d features.jsonl" % (count, rounds))
print("```")
EOF
