#!/usr/bin/python3
"""Writes docs/benchmarks.md and docs/benchmarks.png from one run of scripts/bench.sh.

    bench_report.py RESULTS_DIR --out DIR [--top REPO]

RESULTS_DIR holds what bench.sh wrote: machine.json, measurements.jsonl (one line per measured
command), compare-*.json, perf-*.txt, photos.txt. Every figure in the report comes from there.
Text between the lines "<!-- notes -->" and "<!-- /notes -->" of an existing benchmarks.md is
kept: that is where people write what the figures mean, and it survives regeneration.
"""

import argparse
import json
import os
import re
import statistics
import sys

NOTES_BEGIN, NOTES_END = "<!-- notes -->", "<!-- /notes -->"


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, (int,)) or (abs(x) >= 1000 and digits <= 1):
        return "{:,.0f}".format(x)
    return "{:.{}f}".format(x, digits)


def loads(ms):
    return "–" if not ms else "{:.1f}–{:.1f}".format(min(m["load"][0] for m in ms),
                                                     max(m["load"][0] for m in ms))


class Results:
    def __init__(self, path):
        self.path = path
        self.machine = json.load(open(os.path.join(path, "machine.json")))
        self.all = [json.loads(l) for l in open(os.path.join(path, "measurements.jsonl"))]

    def kind(self, k):
        return [m for m in self.all if m["kind"] == k]

    def by_round(self, k):
        return {m["round"]: m for m in self.kind(k)}

    def text(self, name):
        p = os.path.join(self.path, name)
        return open(p).read() if os.path.exists(p) else None

    def json(self, name):
        t = self.text(name)
        return json.loads(t) if t else None


def rate(kind, m):
    """Images per second of one measurement: the whole command's wall clock."""
    if m is None:
        return None
    o = m["output"] or {}
    if kind == "ceiling":
        return o.get("passes_per_second")
    if kind == "imagemill-run":
        c = o.get("itemCounts", {})
        return c.get("succeeded", 0) / m["wall_s"]
    return o.get("images", 0) / m["wall_s"]


# ---- perf profiles ------------------------------------------------------------------------------

PERF_LINE = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*?)\s*$")


def perf_rows(text):
    rows = []
    for line in (text or "").splitlines():
        m = PERF_LINE.match(line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(4)))
    return rows


def pipeline_category(dso, sym):
    s = sym.lower()
    # imagemill's own layers (Winograd and im2col convolutions with their matrix-product kernel,
    # max pooling, transposes) run inside the forward pass; the rest of imagemill::model:: is the
    # import, at load time.
    if re.search(r"convblock|inputtransform|inputrows|winogradconv3x3|model::.*product|gemmconv|"
                 r"model::maxpool|transpose021|eigen::internal", s):
        return "inference"
    if "imagemill::model::" in sym:
        return "model loading (TF.js import, once per network)"
    if re.search(r"do_lookup|_dl_|dl_relocate", s):
        return "start-up (dynamic linking)"
    if re.search(r"libjpeg|libpng|libwebp|libz\.|libtiff|libsharpyuv", dso) or re.search(
            r"decoder|imdecode|decodeimage|readimageheader|exif|jpegend", s):
        return "decode"
    if "sqlite" in dso:
        return "database"
    if re.search(r"nanodet|centernet|suppressnonmaxima|sidedistance", s):
        return "post-process"
    if "libopencv_imgproc" in dso or "makeinput" in s or ("libopencv_core" in dso and re.search(
            r"convert|cvt|split|arithm|sub_|mul_|scale|copyto|merge", s)):
        return "pre-process"
    if re.search(r"libopencv_dnn|libtbb|libopenblas|libblas|libgomp", dso) or "libopencv_core" in dso:
        return "inference"
    if re.search(r"nlohmann|json", s):
        return "engine: JSON"
    if re.search(r"imagemill::|blockingqueue", s) and "vision" not in s:
        return "engine"
    if re.search(r"tcmalloc", dso) or re.search(r"malloc|free|memcpy|memmove|memset", s):
        return "memory (malloc, memcpy)"
    if "kernel" in dso or re.search(r"futex|pthread|sched|syscall", s):
        return "kernel, threads"
    return "other"


def engine_category(dso, sym):
    s = sym.lower()
    if "sqlite" in dso:
        return "SQLite"
    if re.search(r"nlohmann|json", s):
        return "JSON (batch items, answers)"
    if re.search(r"futex|pthread|condition_variable|mutex|sched_|__lll|clone", s) or "kernel" in dso:
        return "thread hand-offs (locks, wake-ups)"
    if re.search(r"tcmalloc", dso) or re.search(r"malloc|free|operator new|operator delete|memcpy|memmove|memset|cfree", s):
        return "memory (malloc, memcpy)"
    if re.search(r"snprintf|vfprintf|printf|strtol|stoll|to_string|__printf", s):
        return "formatting keys"
    if re.search(r"imagemill::", s):
        return "engine code"
    if re.search(r"libstdc\+\+|libc\.", dso):
        return "libc, libstdc++ (other)"
    return "other"


def categorise(rows, fn):
    total = {}
    for pct, dso, sym in rows:
        c = fn(dso, sym)
        total[c] = total.get(c, 0.0) + pct
    return sorted(total.items(), key=lambda kv: -kv[1])


# ---- the plot -----------------------------------------------------------------------------------

def plot(res, contenders, engine, layouts, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), gridspec_kw={"width_ratios": [5, 3, 4]})
    ax = axes[0]
    names = [c[0] for c in contenders]
    meds = [median(c[1]) or 0 for c in contenders]
    lo = [m - min(c[1]) if c[1] else 0 for m, c in zip(meds, contenders)]
    hi = [max(c[1]) - m if c[1] else 0 for m, c in zip(meds, contenders)]
    colors = ["#999999", "#1f77b4", "#6baed6", "#d62728", "#ff9896"][:len(names)]
    ax.bar(range(len(names)), meds, yerr=[lo, hi], color=colors, capsize=4)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=15, ha="right", fontsize=8)
    ax.set_ylabel("images per second (median, min–max)")
    ax.set_title("Labelling %d photos (%s)" % (res.machine["photos"],
                                              "%s-%s" % (res.machine["model"], res.machine["size"])))
    for i, m in enumerate(meds):
        ax.text(i, m, fmt(m), ha="center", va="bottom", fontsize=8)

    ax = axes[1]
    names = list(layouts)
    meds = [median(layouts[n]) for n in names]
    ax.bar(range(len(names)), meds, color="#999999")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_xlabel("networks x OpenCV threads")
    ax.set_ylabel("forward passes per second (median)")
    ax.set_title("Ceiling by thread layout")
    for i, m in enumerate(meds):
        ax.text(i, m, fmt(m), ha="center", va="bottom", fontsize=8)

    ax = axes[2]
    names = [e[0] for e in engine]
    meds = [median(e[1]) or 0 for e in engine]
    ax.bar(range(len(names)), meds, color="#2ca02c")
    ax.axhline(100000, color="#d62728", linestyle="--", linewidth=1)
    ax.text(len(names) - 0.5, 100000, "target 100,000/s", color="#d62728", ha="right", va="bottom",
            fontsize=8)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=15, ha="right", fontsize=8)
    ax.set_ylabel("items per second (median)")
    ax.set_title("Engine overhead, no-op processor")
    for i, m in enumerate(meds):
        ax.text(i, m, fmt(m), ha="center", va="bottom", fontsize=8)
    fig.suptitle("imagemill on %d cores, load average %s during the runs (%s)" % (
        res.machine["cores"], loads(res.all), res.machine["date"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


# ---- the report ---------------------------------------------------------------------------------


def perf_tables(w, rows, category):
    """A perf profile's share of samples by category, then its top symbols (folded)."""
    w("| category | share of samples |")
    w("|---|---|")
    for c, pct in categorise(rows, category):
        w("| %s | %.1f %% |" % (c, pct))
    w("")
    w("<details><summary>Top symbols</summary>")
    w("")
    w("| % | library | symbol |")
    w("|---|---|---|")
    for pct, dso, sym in rows[:25]:
        w("| %.1f | %s | `%s` |" % (pct, dso, sym[:110].replace("|", "\\|")))
    w("")
    w("</details>")
    w("")


def stage_table(w, stages):
    """bench/perf_stages.py's answer: each stage's share and its hottest functions."""
    w("| stage | share of CPU samples | hottest functions there |")
    w("|---|---|---|")
    for st in stages["stages"]:
        w("| %s | %.1f %% | %s |" % (st["stage"], 100 * st["share"], ", ".join(
            "`%s` %.0f %%" % (l[:60].replace("|", "\\|"), 100 * c) for l, c in st["top"][:3])))
    w("")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--out", required=True)
    p.add_argument("--top", default="")
    options = p.parse_args()
    res = Results(options.results)
    mc = res.machine
    runs = mc["runs"]
    model = "%s-%s" % (mc["model"], mc["size"])
    labelling = mc.get("labelling", False)
    out = []
    w = out.append

    # Figures per round.
    kinds = ["ceiling", "pipeline", "imagemill-run", "python-simple", "python-tuned"]
    rounds = sorted({m["round"] for m in res.kind("ceiling")})
    per = {k: res.by_round(k) for k in kinds}
    rates = {k: [rate(k, per[k].get(r)) for r in rounds if per[k].get(r)] for k in kinds}
    # "imagemill" in the ratios: `imagemill run` when its default processor runs the model, else
    # the engine with the bare detector.
    ours = "imagemill-run" if labelling else "pipeline"

    def ratio(a, b):
        xs = []
        for r in rounds:
            x, y = rate(a, per[a].get(r)), rate(b, per[b].get(r))
            if x and y:
                xs.append(x / y)
        return xs

    layouts = {}
    for m in res.kind("ceiling-layouts"):
        for row in m["rows"]:
            layouts.setdefault(row["layout"], []).append(row["passes_per_second"])
    chosen = (res.text("layout.txt") or "? unknown").strip().split(" ", 1)
    best, why = chosen[0], chosen[1] if len(chosen) > 1 else ""

    engine = []
    engine_rows = []
    sizes = sorted({int(m["kind"].rsplit("-", 1)[1]) for m in res.all
                    if m["kind"].startswith("engine-")})
    for n in sizes:
        for kind, src in (("generated", "generated"), ("folder", "folder"),
                          ("folder-read", "folder, reading every object")):
            ms = res.kind("engine-%s-%d" % (kind, n))
            if not ms:
                continue
            ips = [m["output"]["items_per_second"] for m in ms]
            engine.append(("%s %s" % (fmt(n), kind), ips))
            engine_rows.append((n, src, ms, ips))

    # ---- header ----
    w("# Benchmarks")
    w("")
    w("Written by `make bench` (`scripts/bench.sh`, report by `bench/bench_report.py`) on %s at "
      "commit %s. Every figure below was measured in that run; nothing is copied from elsewhere. "
      "Re-run it on a quiet machine with the same one command, `make bench`; the raw results of a "
      "run stay in `%s` (not committed)." % (mc["date"], mc["commit"], mc["results_dir"]))
    w("")
    w("| machine | |")
    w("|---|---|")
    w("| cores | %s (%s) |" % (mc["cores"], mc["cpu"] or "unknown CPU"))
    w("| memory | %s GB |" % mc["memory_gb"])
    w("| system | %s, Linux %s, OpenCV %s |" % (mc["os"], mc["kernel"], mc["opencv"]))
    w("| allocator | imagemill and the benches linked with tcmalloc; the tuned Python baseline "
      "preloads `%s` |" % (mc["tcmalloc"] or "no tcmalloc found"))
    w("| load average | %s at the start; 1-minute load at the start of each measurement: %s |" % (
        " ".join(mc["load_at_start"]), loads(res.all)))
    w("| data | %d photos, %s to %s MP (`bench/bench_photos.cc`, from the Debian darknet samples) |"
      % (mc["photos"], mc["min_mp"], mc["max_mp"]))
    w("| model | %s, ONNX imported by `imagemill model import` |" % model)
    w("| rounds | %d (medians over rounds; ratios within a round, then their median) |" % runs)
    w("")
    photos = res.text("photos.txt")
    if photos and options.top:
        photos = photos.replace(options.top.rstrip("/") + "/", "")
    if photos:
        w("```")
        w(photos.rstrip())
        w("```")
        w("")
    if mc["smoke"]:
        w("**Smoke run**: a dozen small photos and one short round, to prove the suite runs. "
          "These figures measure nothing.")
        w("")

    # ---- summary ----
    w("## Summary against the targets of issue 5")
    w("")
    w("| measure | this run (median) | target |")
    w("|---|---|---|")
    r_ceiling = ratio(ours, "ceiling")
    w("| end to end / ceiling (%s / %s forward passes at %s) | %s | ≥ 0.85 |" % (
        "`imagemill run`" if labelling else "engine with the bare detector", model, best,
        fmt(median(r_ceiling), 2)))
    # The same ceiling with each image's decoding added on the same cores: what is left between
    # it and end to end is everything else: pre-processing, I/O, bookkeeping, database, idle cores.
    pipes = res.kind("pipeline")
    decode_ms = median([m["output"]["stage_cpu_ms_per_image"]["decode"] for m in pipes]) if pipes else None
    if decode_ms:
        with_decode = []
        for r in rounds:
            x, c = rate(ours, per[ours].get(r)), rate("ceiling", per["ceiling"].get(r))
            if x and c:
                with_decode.append(x / (mc["cores"] * 1000.0 / (mc["cores"] * 1000.0 / c + decode_ms)))
        w("| end to end / (ceiling with decoding: each image's %s ms of decoding CPU added to its "
          "forward pass on the same %s cores) | %s | – |" % (
              fmt(decode_ms, 1), mc["cores"], fmt(median(with_decode), 2)))
    if not labelling:
        w("| `imagemill run` default processor | `%s`: runs no model, so it is not compared with "
          "the ceiling (%s images/s) | – |" % (mc["default_processor"], fmt(median(rates["imagemill-run"]))))
    w("| imagemill / Python + OpenCV, simple | %s | ≥ 1.5 |" % fmt(median(ratio(ours, "python-simple")), 2))
    w("| imagemill / Python + OpenCV, tuned | %s | ≥ 1.1 |" % fmt(median(ratio(ours, "python-tuned")), 2))
    for n, src, ms, ips in engine_rows:
        reads = ms[0]["output"].get("reads_objects", False)
        w("| engine, no-op processor, %s items, %s | %s items/s, peak %s MB | %s |"
          % (fmt(n), src, fmt(median(ips)), fmt(max(m["peak_rss_mb"] for m in ms)),
             "– (adds reading each file)" if reads else "≥ 100,000/s; flat, < 200 MB"))
    w("")
    w("![throughput](benchmarks.png)")
    w("")

    # ---- notes (kept) ----
    old = os.path.join(options.out, "benchmarks.md")
    notes = None
    if os.path.exists(old):
        t = open(old).read()
        if NOTES_BEGIN in t and NOTES_END in t:
            notes = t[t.index(NOTES_BEGIN):t.index(NOTES_END) + len(NOTES_END)]
    w(notes or NOTES_BEGIN + "\n" + NOTES_END)
    w("")

    # ---- 1 and 2 ----
    w("## 1. End to end beside the ceiling")
    w("")
    w("The ceiling is `bench/ceiling_bench.cc`: N networks on N threads, OpenCV's thread count T, "
      "forward passes plus decoding of the outputs on input tensors made beforehand from the "
      "darknet samples, for %s s per layout. Forward passes per second, each round:" % mc["ceiling_seconds"])
    w("")
    w("| layout NxT | " + " | ".join("round %d" % r for r in rounds) + " | median | CPU used / wall |")
    w("|---|" + "---|" * len(rounds) + "---|---|")
    for lay, xs in layouts.items():
        cpu = []
        for m in res.kind("ceiling-layouts"):
            for row in m["rows"]:
                if row["layout"] == lay:
                    cpu.append(row["cpu_seconds"] / row["seconds"])
        w("| %s | %s | **%s** | %s |" % (lay, " | ".join(fmt(x) for x in xs), fmt(median(layouts[lay])),
                                         fmt(median(cpu), 2)))
    w("")
    w("Layout used for the ceiling and for the engine with the bare detector below: **%s** (%s). "
      "CPU used / wall is the process's CPU seconds per second: %d would be every core busy; "
      "less means the run did not get the cores it asked for, and then the layouts cannot be told "
      "apart." % (best, why, mc["cores"]))
    w("")
    w("Images per second of the whole command (start-up and model loading included), each round "
      "in the order run:")
    w("")
    names = {
        "ceiling": "ceiling (%s, forward passes/s)" % best,
        "pipeline": "engine + bare detector (`pipeline_bench`, %s)" % best,
        "imagemill-run": "`imagemill run` (default processor `%s`)" % mc["default_processor"],
        "python-simple": "Python + OpenCV, simple",
        "python-tuned": "Python + OpenCV, tuned",
    }
    w("| round | 1-min load | " + " | ".join(names[k] for k in kinds if rates[k]) + " |")
    w("|---|---|" + "---|" * len([k for k in kinds if rates[k]]))
    for r in rounds:
        row = [fmt(rate(k, per[k].get(r))) for k in kinds if rates[k]]
        load = per["ceiling"][r]["load"][0]
        w("| %d | %.1f | %s |" % (r, load, " | ".join(row)))
    w("| **median** | | %s |" % " | ".join("**%s**" % fmt(median(rates[k])) for k in kinds if rates[k]))
    w("")
    w("Ratios, within each round (median, min–max):")
    w("")
    w("| ratio | median | range |")
    w("|---|---|---|")
    for a, b, label in [("pipeline", "ceiling", "engine + bare detector / ceiling"),
                        ("imagemill-run", "ceiling", "`imagemill run` / ceiling"),
                        ("pipeline", "python-simple", "engine + bare detector / Python simple"),
                        ("pipeline", "python-tuned", "engine + bare detector / Python tuned"),
                        ("imagemill-run", "python-simple", "`imagemill run` / Python simple"),
                        ("imagemill-run", "python-tuned", "`imagemill run` / Python tuned"),
                        ("python-tuned", "python-simple", "Python tuned / Python simple")]:
        xs = ratio(a, b)
        if not xs:
            continue
        if a == "imagemill-run" and not labelling and b != "ceiling":
            label += " (runs no model: not a like-for-like ratio)"
        if a == "imagemill-run" and not labelling and b == "ceiling":
            continue
        w("| %s | %s | %s–%s |" % (label, fmt(median(xs), 2), fmt(min(xs), 2), fmt(max(xs), 2)))
    w("")

    w("## 2. Same labels as the Python baseline?")
    w("")
    cmp_rows = []
    for v in ("simple", "tuned"):
        c = res.json("compare-%s.json" % v)
        if c:
            for t in c["thresholds"]:
                cmp_rows.append((v, c, t))
    if cmp_rows:
        w("The engine with the bare detector (imagemill's decoding, pre-processing and NanoDet "
          "decoding) against `bench/opencv_baseline.py` on the same photos. A label is a COCO class "
          "with at least one box scoring at or above the threshold.")
        w("")
        w("| baseline | threshold | images compared | same labels | best-score difference, mean / max |")
        w("|---|---|---|---|---|")
        for v, c, t in cmp_rows:
            w("| %s | %.2f | %d | %d (%.1f %%) | %.4f / %.4f |" % (
                v, t["threshold"], c["images_compared"], t["same_labels"], 100 * t["same_fraction"],
                t["score_diff_mean"], t["score_diff_max"]))
        w("")
        ex = [e for v, c, t in cmp_rows for e in t["examples"]][:4]
        if ex:
            w("Examples of differences: " + "; ".join(
                "`%s` only imagemill %s, only Python %s" % (
                    e["key"], json.dumps(e["only_a"]), json.dumps(e["only_b"])) for e in ex))
            w("")
        w("The simple script decodes every photo at full size and lets `blobFromImage` shrink it; "
          "imagemill (and the tuned script) decode JPEG at reduced scale, so their pixels differ "
          "slightly and scores near a threshold can fall either side of it.")
    else:
        w("Not measured in this run (the model is not NanoDet).")
    w("")

    # ---- profile ----
    w("## Where the time goes")
    w("")
    pipes = res.kind("pipeline")
    if pipes:
        st = [m["output"]["stage_cpu_ms_per_image"] for m in pipes]
        dec = median([s["decode"] for s in st])
        pre = median([s["preprocess"] for s in st])
        det = median([s["detect"] for s in st])
        cpu_img = median([m["output"]["process_cpu_seconds"] * 1000 / max(1, m["output"]["images"])
                          for m in pipes])
        rest = cpu_img - dec - pre - det
        w("CPU time per image in the engine with the bare detector (`pipeline_bench`, thread CPU "
          "clocks around each stage; median over rounds):")
        w("")
        w("| stage | ms CPU per image | share |")
        w("|---|---|---|")
        for name, v in [("decode (`DecodeImage`, reduced-scale JPEG)", dec),
                        ("pre-process (`MakeInput`: resize, normalise, to NCHW)", pre),
                        ("forward pass + decoding of outputs (`DetectInput`)", det),
                        ("everything else: model loading, listing, fetching, JSON, SQLite, threads", rest)]:
            w("| %s | %s | %.0f %% |" % (name, fmt(v, 1), 100 * v / cpu_img if cpu_img else 0))
        w("| whole process | %s | 100 %% |" % fmt(cpu_img, 1))
        w("")
        if det and cpu_img:
            w("On a machine where every core is busy, end to end can reach at most the forward "
              "pass's share of the CPU: **%.2f** of the ceiling here." % (det / cpu_img))
            w("")
    stages = res.json("stages-pipeline.json")
    if stages and stages["samples"]:
        w("`perf record --call-graph dwarf` of the same run over %s (%d samples, every thread): each "
          "sample goes to the innermost stage on its call stack (`bench/perf_stages.py`):" % (
              "the photos under `p0`" if not mc["smoke"] else "the photos", stages["samples"]))
        w("")
        stage_table(w, stages)
    rows = perf_rows(res.text("perf-pipeline.txt"))
    if rows:
        w("`perf record -e cpu-clock` of the same run over %s; share of samples by "
          "category (symbols matched by library and name, `bench_report.py`):" % (
              "photos under `p0`" if not mc["smoke"] else "the photos"))
        w("")
        perf_tables(w, rows, pipeline_category)

    # ---- 3 ----
    w("## 3. Engine overhead")
    w("")
    w("`bench/engine_bench.cc`: the map-run engine with the no-op processor (listing, batching, "
      "state, result writing into SQLite), batches of 100, 2 workers, 2 fetchers. "
      "\"generated\" lists keys made on the fly (no storage cost); \"folder\" lists a real folder "
      "of that many 16-byte files (warm page cache). The no-op processor answers from the "
      "listing, as `imagemill run --processor none` does, so no object is read; \"folder, reading "
      "every object\" (`--read-objects`) adds opening and reading each file, as for a processor "
      "that looks at the bytes.")
    w("")
    w("| items | source | items/s per round | median | peak RSS, MB | RSS at 10 % → 100 % of the run, MB | voluntary context switches per item | 1-min load |")
    w("|---|---|---|---|---|---|---|---|")
    for n, src, ms, ips in engine_rows:
        tenths = ms[-1]["output"]["rss_mb_by_tenth"]
        flat = "%s → %s" % (fmt(tenths[0]), fmt(tenths[-1])) if tenths else "–"
        w("| %s | %s | %s | **%s** | %s | %s | %.2f | %s |" % (
            fmt(n), src, ", ".join(fmt(x) for x in ips), fmt(median(ips)),
            fmt(max(m["peak_rss_mb"] for m in ms)), flat,
            median([m["voluntary_switches"] / n for m in ms]), loads(ms)))
    w("")
    stages = res.json("stages-engine.json")
    if stages and stages["samples"]:
        w("Where the engine's CPU goes: `perf record --call-graph dwarf` of a no-op run over %s "
          "generated items (%d samples), each sample given to the innermost engine stage on its "
          "call stack (`bench/perf_stages.py`):" % (fmt(mc.get("engine_profile_items", 0)), stages["samples"]))
        w("")
        stage_table(w, stages)
    rows = perf_rows(res.text("perf-engine.txt"))
    if rows:
        w("`perf record` of the no-op run over %s generated items, by category:" % fmt(sizes[0]))
        w("")
        perf_tables(w, rows, engine_category)

    # ---- 4 ----
    w("## 4. Decoding")
    w("")
    dec = res.kind("decode")
    if dec:
        w("`bench/decode_bench.cc`, one thread, mosaics of the darknet photos at native scale "
          "(1-min load %s):" % loads(dec))
        w("")
        w("```")
        w((dec[-1]["text"] or "").rstrip())
        w("```")
        w("")
    # What each feature costs per image, written whole by bench/feature_cost.sh.
    features = os.path.join(options.results, "features.md")
    if os.path.exists(features):
        with open(features) as f:
            w(f.read().rstrip())
            w("")

    # ---- 5 ----
    w("## 5. Memory")
    w("")
    mem = []
    ws = sorted({int(m["kind"].rsplit("-", 1)[1]) for m in res.all if m["kind"].startswith("memory-run-")})
    for wk in ws:
        a = res.kind("memory-run-%d" % wk)
        b = res.kind("memory-pipeline-%d" % wk)
        mem.append((wk, a[0]["peak_rss_mb"] if a else None, b[0]["peak_rss_mb"] if b else None))
    if mem:
        w("Peak resident memory (`/usr/bin/time`), over %s:" % (
            "the photos under `p0` (a fifth)" if not mc["smoke"] else "the photos"))
        w("")
        w("| workers | `imagemill run` (`%s`) | engine + bare detector (%s, 1 OpenCV thread) |" % (
            mc["default_processor"], model))
        w("|---|---|---|")
        for wk, a, b in mem:
            w("| %d | %s MB | %s MB |" % (wk, fmt(a), fmt(b)))
        w("")

        def slope(col):
            pts = [(wk, v) for wk, *vs in mem for v in [vs[col]] if v]
            if len(pts) < 2:
                return None
            mx = sum(x for x, _ in pts) / len(pts)
            my = sum(y for _, y in pts) / len(pts)
            den = sum((x - mx) ** 2 for x, _ in pts)
            return sum((x - mx) * (y - my) for x, y in pts) / den if den else None
        w("Memory per worker (least-squares slope): `imagemill run` %s MB, engine + bare detector "
          "%s MB." % (fmt(slope(0)), fmt(slope(1))))
        w("")
    full = [(k, m) for k in ("imagemill-run", "pipeline") for m in res.kind(k)]
    if full:
        w("Peak resident memory of the full runs above: " + "; ".join(
            "%s %s MB" % (names[k], fmt(max(m["peak_rss_mb"] for kk, m in full if kk == k)))
            for k in ("imagemill-run", "pipeline") if any(kk == k for kk, _ in full)) + ".")
        w("")

    # ---- commands ----
    w("## Commands")
    w("")
    w("Everything above: `make bench` (or `scripts/bench.sh build`). The commands it ran, with "
      "their arguments (paths relative to the repository):")
    w("")
    w("```")
    seen = set()
    for m in res.all:
        if m["cmd"] in seen:
            continue
        seen.add(m["cmd"])
        w(m["cmd"])
    w("perf record -e cpu-clock -F 997 -- <the pipeline_bench and engine_bench commands>; "
      "perf report --no-children --sort dso,sym")
    w("```")
    w("")

    # The many-machines section, written whole by bench/fleet_bench.py.
    fleet = os.path.join(options.results, "fleet.md")
    if os.path.exists(fleet):
        with open(fleet) as f:
            out += ["", f.read().rstrip(), ""]

    # The console's section, written whole by scripts/bench.sh from bench/console_bench.cc.
    console = os.path.join(options.results, "console.md")
    if os.path.exists(console):
        with open(console) as f:
            out += ["", f.read().rstrip(), ""]

    # The server's section, written whole by bench/serve_bench.sh.
    serve = os.path.join(options.results, "serve.md")
    if os.path.exists(serve):
        with open(serve) as f:
            out += ["", f.read().rstrip(), ""]

    # query --label's section, written whole by bench/query_label_bench.py.
    query = os.path.join(options.results, "query.md")
    if os.path.exists(query):
        with open(query) as f:
            out += ["", f.read().rstrip(), ""]

    os.makedirs(options.out, exist_ok=True)
    with open(os.path.join(options.out, "benchmarks.md"), "w") as f:
        f.write("\n".join(out))
    short = {"ceiling": "ceiling, %s" % best, "pipeline": "engine + bare detector",
             "imagemill-run": "imagemill run" + ("" if labelling else "\n(%s, no model)" % mc["default_processor"]),
             "python-simple": "Python + OpenCV, simple", "python-tuned": "Python + OpenCV, tuned"}
    contenders = [(short[k], rates[k]) for k in kinds if rates[k]]
    plot(res, contenders, engine, layouts, os.path.join(options.out, "benchmarks.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
