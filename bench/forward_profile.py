#!/usr/bin/python3
"""Where a forward pass's time goes: OpenCV's per-layer timings of an ONNX model on one thread,
grouped by layer type, the model's arithmetic (OpenCV's FLOP count) and the rate achieved, and
the same network after OpenCV's int8 quantisation.

    bench/forward_profile.py .cache/bench/nanodet-320.onnx --size 320 [--photos DIR]

Inputs are photos from DIR when given (resized to the input, as the label model does; int8
quantisation is calibrated on them), random pixels otherwise. Prints plain text.
"""

import argparse
import collections
import glob
import os
import time

import cv2
import numpy as np


def inputs(photos, size, count):
    files = sorted(glob.glob(os.path.join(photos, "**", "*.jpg"), recursive=True))[:count] if photos else []
    if not files:
        rng = np.random.default_rng(1)
        return [rng.random((1, 3, size, size), dtype=np.float32) for _ in range(count)]
    return [cv2.dnn.blobFromImage(cv2.imread(f, cv2.IMREAD_REDUCED_COLOR_4), 1 / 255.0, (size, size),
                                  swapRB=True) for f in files]


def ms_per_pass(net, blobs, repeats):
    names = net.getUnconnectedOutLayersNames()
    net.setInput(blobs[0])
    for _ in range(3):
        net.forward(names)
    best = float("inf")
    for _ in range(repeats):  # the fastest of several rounds: the machine's noise only adds
        t = time.perf_counter()
        for b in blobs:
            net.setInput(b)
            net.forward(names)
        best = min(best, (time.perf_counter() - t) / len(blobs))
    return best * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--size", type=int, default=320)
    ap.add_argument("--photos", default="")
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    cv2.setNumThreads(1)
    blobs = inputs(a.photos, a.size, a.count)
    net = cv2.dnn.readNet(a.model)
    gflop = net.getFLOPS((1, 3, a.size, a.size)) / 1e9
    ms = ms_per_pass(net, blobs, a.repeats)
    print("%s at %d, OpenCV %s, one thread" % (a.model, a.size, cv2.__version__))
    print("  %.2f GFLOP per pass, %.1f ms per pass: %.1f GFLOP/s" % (gflop, ms, gflop / ms * 1000))

    # Per layer type, from the last forward pass.
    _, timings = net.getPerfProfile()
    timings = np.ravel(timings)
    tick_ms = cv2.getTickFrequency() / 1000
    by_type, count = collections.Counter(), collections.Counter()
    for i, name in enumerate(net.getLayerNames()):
        kind = net.getLayer(net.getLayerId(name)).type
        by_type[kind] += float(timings[i]) / tick_ms if i < len(timings) else 0.0
        count[kind] += 1
    total = sum(by_type.values()) or 1.0
    print("  per layer type (last pass):")
    for kind, t in by_type.most_common():
        print("    %-14s %3d layers %7.2f ms %5.1f %%" % (kind, count[kind], t, 100 * t / total))

    try:
        q = net.quantize([np.concatenate(blobs[: min(8, len(blobs))])], cv2.CV_32F, cv2.CV_32F)
        print("  int8 (OpenCV's quantize, calibrated on the inputs): %.1f ms per pass"
              % ms_per_pass(q, blobs, a.repeats))
    except cv2.error as e:
        print("  int8: OpenCV could not quantise this network: %s" % str(e).splitlines()[-1])


if __name__ == "__main__":
    main()
