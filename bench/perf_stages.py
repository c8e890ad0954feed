#!/usr/bin/python3
"""Attributes the samples of a `perf record --call-graph dwarf` profile of pipeline_bench or
engine_bench to the stage of the engine they were taken in, by call stack.

    perf script -F tid,ip,sym,dso -i perf.data | perf_stages.py {pipeline|engine} > stages.json

Each sample goes to the innermost frame (nearest the leaf) that names a stage: a sample in libjpeg
called from DecodeImage is "decode", one in a convolution kernel called from Net::forward is
"inference", one in SQLite called from CompleteBatches is "database: write finished batches".
Samples on OpenCV's or TBB's helper threads, with no stage frame, count as inference. Prints one
JSON object: total samples, then per stage its share and its most frequent leaf functions.
"""

import collections
import json
import re
import sys

# (stage, pattern on a frame's symbol), tried on each frame from the leaf up; first match wins.
PIPELINE = [
    ("decode", r"vision::DecodeImage|ReadImageHeader"),
    ("pre-process", r"::MakeInput"),
    ("inference", r"cv::dnn::.*Net::forward|cv::dnn::.*Net::Impl::forward|WinogradConv3x3|"
                  r"ConvBlock|model::.*Product|GemmConv|model::MaxPool|Transpose021|"
                  r"Eigen::internal::"),
    ("post-process (outputs, NMS)", r"::DetectInput"),
    ("model loading", r"model::LoadNet|model::Import|readNet"),
    ("database: write finished batches", r"CompleteBatches"),
    ("database: listing and claims", r"SqliteDatabase::"),
    ("engine: answer to JSON, label index", r"BareWorker::Process|LabelIndexEntries|basic_json.*dump"),
    ("fetch (read files)", r"FetchLoop"),
    ("engine: worker hand-offs", r"WorkLoop"),
    ("engine: scheduler", r"Scheduler::"),
    ("engine: listing", r"ItemReader::"),
    ("inference", r"tbb::|cv::parallel_for_|ParallelLoopBody"),
]
ENGINE = [
    ("SQLite: write finished batches (items, results, labels)", r"CompleteBatches"),
    ("SQLite: claim batches (and decode their JSON)", r"ClaimBatches"),
    ("SQLite: skip-unchanged lookups while listing", r"SqliteDatabase::Unchanged"),
    ("SQLite: save listed batches", r"AppendListing"),
    ("SQLite: other", r"SqliteDatabase::"),
    ("fetchers: read objects", r"LocalStore::Get|GeneratedStore::Get"),
    ("listing (generated keys or readdir)", r"::List\b|GeneratedStore|LocalStore"),
    ("fetchers: queue hand-offs", r"FetchLoop"),
    ("workers: queue hand-offs, JSON answer", r"WorkLoop"),
    ("scheduler: events, bookkeeping", r"Scheduler::"),
    ("listing thread: batching", r"ItemReader::"),
]


def frame_name(text):
    """"sym (dso)" -> sym, or "[dso name]" when perf has no symbol for the address."""
    m = re.match(r"^(.*?) \((.*)\)$", text)
    sym, dso = (m.group(1), m.group(2)) if m else (text, "")
    if sym in ("[unknown]", "") and dso:
        return "[%s]" % dso.rsplit("/", 1)[-1]
    return sym


def frames(stream):
    """Yields (tid, [symbol, ...] leaf first) per sample of `perf script -F tid,ip,sym,dso`."""
    tid, stack = None, []
    for line in stream:
        if not line.strip():
            if tid is not None:
                yield tid, stack
            tid, stack = None, []
        elif not line.startswith("\t"):  # a sample's header: the tid, right-aligned
            tid, stack = line.split()[0], []
        else:
            parts = line.strip().split(None, 1)
            stack.append(frame_name(parts[1] if len(parts) > 1 else parts[0]))
    if tid is not None:
        yield tid, stack


def main():
    rules = [(name, re.compile(p)) for name, p in (PIPELINE if sys.argv[1] == "pipeline" else ENGINE)]
    count = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    total = 0
    for _, stack in frames(sys.stdin):
        total += 1
        stage = "other"
        for sym in stack:
            hit = next((name for name, rx in rules if rx.search(sym)), None)
            if hit:
                stage = hit
                break
        count[stage] += 1
        leaf = re.sub(r"\+0x[0-9a-f]+$", "", stack[0]) if stack else "?"
        leaves[stage][leaf[:100]] += 1
    out = {"samples": total, "stages": []}
    for stage, n in count.most_common():
        out["stages"].append({"stage": stage, "share": n / total if total else 0,
                              "top": [[l, c / n] for l, c in leaves[stage].most_common(4)]})
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
