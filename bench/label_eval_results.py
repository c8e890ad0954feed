#!/usr/bin/env python3
"""Scores what `imagemill run` stored against the labelled photo set, as label_eval scores a method.

    bench/label_eval_results.py DB [MIN_CONFIDENCE ...] [--set bench/label_eval_set.txt]

DB is a SQLite results database of a run over .cache/label-photos (any imagemill version, so an
older default can be measured the same way). For each split and MinConfidence (default 55) it
prints precision, recall and F1 over (photo, class) pairs, and false labels per photo with no COCO
object; optional classes count neither way (bench/label_eval_scoring.h). Labels are mapped back to
COCO classes by the names in src/vision/labels/taxonomy.cc.
"""
import argparse
import json
import os
import re
import sqlite3
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_set(path):
    photos = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) < 6:
                sys.exit(f"label_eval_results: {path}: a line needs six fields: {line.strip()}")
            name, split, _, _, classes, optional = fields[:6]
            as_set = lambda s: set() if s == "-" else {c.replace("_", " ") for c in s.split(",")}
            photos[name] = (split, as_set(classes), as_set(optional))
    return photos


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("min_confidence", nargs="*", type=float, default=[55.0])
    parser.add_argument("--set", default=os.path.join(ROOT, "bench", "label_eval_set.txt"))
    args = parser.parse_args()
    if not os.path.isfile(args.db):
        sys.exit(f"label_eval_results: no database at {args.db}; give the --db of an imagemill run")
    with open(os.path.join(ROOT, "src", "vision", "labels", "taxonomy.cc"), encoding="utf-8") as f:
        coco_of = {name: coco for coco, name in re.findall(r'\{"([a-z ]+)", "([A-Z][A-Za-z ]+)"', f.read())}
    photos = read_set(args.set)
    found = {}
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as db:
        for photo, response in db.execute("SELECT id, response FROM results"):
            labels = json.loads(response).get("Labels", [])
            found[photo] = {coco_of.get(l["Name"], l["Name"].lower()): l["Confidence"] for l in labels}
    missing = [p for p in photos if p not in found]
    if missing:
        print(f"label_eval_results: {len(missing)} photos of the set have no result "
              f"(e.g. {missing[0]}): counted as labelled with nothing", file=sys.stderr)
    for split in ("tune", "check"):
        for threshold in args.min_confidence:
            right = false = missed = false_on_empty = empty = 0
            for photo, (s, classes, optional) in photos.items():
                if s != split:
                    continue
                got = {c for c, conf in found.get(photo, {}).items() if conf >= threshold}
                right += len(got & classes)
                missed += len(classes - got)
                wrong = len(got - classes - optional)
                false += wrong
                if not classes:
                    empty += 1
                    false_on_empty += wrong
            p = right / max(1, right + false)
            r = right / max(1, right + missed)
            f1 = 2 * p * r / (p + r) if p + r else 0
            print(f"{split:5} @{threshold:g}: P {p:.2f} R {r:.2f} F1 {f1:.2f} | right {right} "
                  f"false {false} missed {missed} | false per empty photo "
                  f"{false_on_empty / max(1, empty):.2f} ({false_on_empty} on {empty})")


if __name__ == "__main__":
    main()
