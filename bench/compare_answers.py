#!/usr/bin/python3
"""Compares two answer files ("key<TAB>class:score,class:score,...", one line per image), as
pipeline_bench --answers and opencv_baseline.py --answers write them.

    compare_answers.py A B [--threshold 0.3 --threshold 0.5]

For each threshold: the images whose sets of labels (classes with an instance scoring at least
the threshold) are the same in A and B, and over the labels both found, the largest and the mean
difference of the label's best score. Prints one JSON object.
"""

import argparse
import json
import sys


def load(path):
    answers = {}
    with open(path) as f:
        for line in f:
            key, _, rest = line.rstrip("\n").partition("\t")
            best = {}
            for word in filter(None, rest.split(",")):
                name, _, score = word.rpartition(":")
                best[name] = max(best.get(name, 0.0), float(score))
            answers[key] = best
    return answers


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--threshold", type=float, action="append")
    options = p.parse_args()
    a, b = load(options.a), load(options.b)
    keys = sorted(set(a) & set(b))
    report = {"images_a": len(a), "images_b": len(b), "images_compared": len(keys), "thresholds": []}
    for t in options.threshold or [0.3, 0.5]:
        same = 0
        diffs = []
        examples = []
        for k in keys:
            la = {n for n, s in a[k].items() if s >= t}
            lb = {n for n, s in b[k].items() if s >= t}
            if la == lb:
                same += 1
            elif len(examples) < 5:
                examples.append({"key": k, "only_a": {n: a[k][n] for n in la - lb},
                                 "only_b": {n: b[k][n] for n in lb - la}})
            for n in la & lb:
                diffs.append(abs(a[k][n] - b[k][n]))
        report["thresholds"].append({
            "threshold": t,
            "same_labels": same,
            "same_fraction": same / len(keys) if keys else 0.0,
            "score_diff_max": max(diffs) if diffs else 0.0,
            "score_diff_mean": sum(diffs) / len(diffs) if diffs else 0.0,
            "labels_compared": len(diffs),
            "examples": examples,
        })
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
