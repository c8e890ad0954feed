#!/usr/bin/python3
"""The obvious alternative to imagemill, for the benchmark suite: label a folder of photos with
Debian's python3-opencv and record the answers in SQLite.

    opencv_baseline.py PHOTOS --model nanodet-416.onnx [--size 416] [--processes N] [--db PATH]
                       [--prefix P] [--tuned] [--answers PATH]

Written the way OpenCV's own samples (samples/dnn/object_detection.py) write it: cv2.imread,
cv2.dnn.blobFromImage, net.forward(net.getUnconnectedOutLayersNames()), NMS with cv2.dnn.NMSBoxes,
and a multiprocessing pool of as many processes as cores, each with its own network and OpenCV's
default threading. The model is the same ONNX file imagemill runs (made with `imagemill model
import`), at the same input size, and the outputs are decoded as imagemill decodes them (NanoDet:
sigmoided class scores at strides 8/16/32, the best class per cell, four sides as distributions
over 11 bins, per-class NMS at IoU 0.6, scores >= 0.3, at most 100 boxes).

--tuned is what a careful user would add: one OpenCV thread per process (cores busy with
processes, not oversubscribed), JPEG decoded at reduced scale (IMREAD_REDUCED_COLOR_2/4/8, chosen
from the JPEG's header as imagemill chooses it) and, from the caller, tcmalloc through LD_PRELOAD.

Prints one JSON object: images, seconds (from the start of the pool to the last commit), images
per second. --answers writes "key<TAB>class:score,..." lines, sorted by key, to compare answers.
"""

import argparse
import json
import multiprocessing
import os
import sqlite3
import sys
import time

import cv2
import numpy as np

# The 80 COCO classes, in the order NanoDet's outputs use (and imagemill's names for them).
COCO = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
    "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
    "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
]
MEAN = (103.53, 116.28, 123.675)
STD = np.array([57.375, 57.12, 58.395], dtype=np.float32).reshape(1, 3, 1, 1)
STRIDES = (8, 16, 32)
BINS = 11
SCORE_THRESHOLD = 0.3
NMS_IOU = 0.6
MAX_DETECTIONS = 100
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")

net = None
out_names = None
args = None


def jpeg_size(path):
    """(width, height) from a JPEG's SOF marker, or None."""
    with open(path, "rb") as f:
        data = f.read(65536)
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        i += 2 + length
    return None


def read_reduced(path, size):
    """Decodes a JPEG at 1/2, 1/4 or 1/8 while its shorter side stays >= size."""
    flags = cv2.IMREAD_COLOR
    dims = jpeg_size(path) if path.lower().endswith((".jpg", ".jpeg")) else None
    if dims:
        shorter = min(dims)
        for denom, flag in ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
                            (2, cv2.IMREAD_REDUCED_COLOR_2)):
            if -(-shorter // denom) >= size:
                flags = flag
                break
    return cv2.imread(path, flags)


def init_worker(options):
    global net, out_names, args
    args = options
    if args.tuned:
        cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.model)
    out_names = net.getUnconnectedOutLayersNames()


def decode(outs, size):
    cls = sorted((o for o in outs if o.shape[-1] == len(COCO)), key=lambda o: -o.shape[1])
    reg = sorted((o for o in outs if o.shape[-1] == 4 * BINS), key=lambda o: -o.shape[1])
    boxes, scores, classes = [], [], []
    for stride, s, d in zip(STRIDES, cls, reg):
        s = s.reshape(-1, len(COCO))
        cols = size // stride
        best = s.argmax(1)
        score = s[np.arange(len(s)), best]
        keep = np.nonzero(score >= SCORE_THRESHOLD)[0]
        if len(keep) == 0:
            continue
        bins = d.reshape(-1, 4, BINS)[keep]
        e = np.exp(bins - bins.max(2, keepdims=True))
        dist = (e * np.arange(BINS)).sum(2) / e.sum(2) * stride
        cx = (keep % cols + 0.5) * stride
        cy = (keep // cols + 0.5) * stride
        x1 = np.clip(cx - dist[:, 0], 0, size)
        y1 = np.clip(cy - dist[:, 1], 0, size)
        x2 = np.clip(cx + dist[:, 2], 0, size)
        y2 = np.clip(cy + dist[:, 3], 0, size)
        for k in np.nonzero((x2 > x1) & (y2 > y1))[0]:
            boxes.append([float(x1[k]), float(y1[k]), float(x2[k] - x1[k]), float(y2[k] - y1[k])])
            scores.append(float(score[keep[k]]))
            classes.append(int(best[keep[k]]))
    found = []
    for c in sorted(set(classes)):
        idx = [i for i in range(len(classes)) if classes[i] == c]
        kept = cv2.dnn.NMSBoxes([boxes[i] for i in idx], [scores[i] for i in idx],
                                SCORE_THRESHOLD, NMS_IOU)
        for k in np.array(kept).flatten():
            i = idx[int(k)]
            found.append((scores[i], c, [v / size for v in boxes[i]]))
    found.sort(key=lambda f: -f[0])
    return found[:MAX_DETECTIONS]


def label(item):
    key, path = item
    size = args.size
    img = read_reduced(path, size) if args.tuned else cv2.imread(path)
    if img is None:
        return key, None
    blob = cv2.dnn.blobFromImage(img, 1.0, (size, size), MEAN, swapRB=False, crop=False)
    blob /= STD
    net.setInput(blob)
    outs = net.forward(out_names)
    labels = {}
    for score, c, (x, y, w, h) in decode(outs, size):
        entry = labels.setdefault(c, {"Name": COCO[c], "Confidence": score * 100, "Instances": []})
        entry["Instances"].append({"BoundingBox": {"Width": w, "Height": h, "Left": x, "Top": y},
                                   "Confidence": score * 100})
    return key, json.dumps({"Labels": [labels[c] for c in sorted(labels)]})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("photos")
    p.add_argument("--model", required=True, help="the ONNX model (imagemill model import)")
    p.add_argument("--size", type=int, default=416)
    p.add_argument("--processes", type=int, default=os.cpu_count())
    p.add_argument("--db", default="opencv-baseline.db")
    p.add_argument("--prefix", default="")
    p.add_argument("--tuned", action="store_true")
    p.add_argument("--answers")
    options = p.parse_args()

    items = []
    for root, _, files in os.walk(options.photos):
        for name in files:
            path = os.path.join(root, name)
            key = os.path.relpath(path, options.photos).replace(os.sep, "/")
            if name.lower().endswith(EXTENSIONS) and key.startswith(options.prefix):
                items.append((key, path))
    items.sort()
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(options.db + suffix):
            os.remove(options.db + suffix)
    db = sqlite3.connect(options.db)
    db.execute("CREATE TABLE results (id TEXT PRIMARY KEY, response TEXT NOT NULL)")

    start = time.monotonic()
    done = failed = 0
    with multiprocessing.Pool(options.processes, init_worker, (options,)) as pool:
        for key, response in pool.imap_unordered(label, items, chunksize=4 if options.tuned else 1):
            if response is None:
                failed += 1
                continue
            db.execute("INSERT OR REPLACE INTO results (id, response) VALUES (?, ?)", (key, response))
            done += 1
    db.commit()
    seconds = time.monotonic() - start

    if options.answers:
        with open(options.answers, "w") as out:
            for key, response in db.execute("SELECT id, response FROM results ORDER BY id"):
                words = []
                for l in json.loads(response)["Labels"]:
                    for inst in l["Instances"]:
                        words.append("%s:%.4f," % (l["Name"], inst["Confidence"] / 100))
                out.write(key + "\t" + "".join(words) + "\n")
    db.close()
    print(json.dumps({"images": done, "failed": failed, "seconds": seconds,
                      "images_per_second": done / seconds, "processes": options.processes,
                      "tuned": options.tuned, "opencv": cv2.__version__}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
