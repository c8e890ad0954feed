#!/usr/bin/env python3
"""The many-machines benchmarks (issue 14), against a throwaway PostgreSQL server started here
(fsync on, as a real deployment runs it; imagemill's own sessions commit without waiting for the
disk, see docs/many-machines.md).

  bench/fleet_bench.py BUILD [--smoke] [--json OUT] [--photos DIR]

1. No-op items per second through the engine with 1, 2 and 4 processes sharing PostgreSQL,
   beside 1 process on SQLite (build/fleet_bench, run mode), BENCH_FLEET_ITEMS items (100,000).
2. Claim latency with 8 processes claiming and completing batches in a loop.
3. A million items claimed and completed by 4 processes, each with a label and a parent in the
   label index: the queue table's size afterwards and how many of its rows are dead (vacuum
   keeping up), and the time of `query --label Dog`'s lookup (the 100 most confident of 50,000).
4. With --photos: labelling the photos of DIR (the default processor) with one `imagemill run`
   process on SQLite (its default threads: one per core) and with `run --no-work` plus 2
   `imagemill worker` processes of one thread each on PostgreSQL: the same threads, the queue's
   cost beside.
Each figure is the median of BENCH_RUNS rounds (3); the load average is printed with each.
Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(top, "tests", "integration"))
import fleet  # noqa: E402


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def bench(build, *args):
    p = subprocess.run([os.path.join(build, "fleet_bench"), *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"fleet_bench {' '.join(args)} failed:\n{p.stdout}{p.stderr}")
    log("  " + p.stdout.strip().splitlines()[0])
    return json.loads(p.stdout.strip().splitlines()[-1])


def label_photos(build, photos, tmp, fresh_pg, r):
    """Seconds to label `photos`: one process on SQLite, and 2 workers on PostgreSQL."""
    imagemill = os.path.join(build, "imagemill")
    t0 = time.monotonic()
    subprocess.run([imagemill, "run", photos, "--db", "sqlite:" + os.path.join(tmp, f"l{r}.db"),
                    "-q"], check=True, stdout=subprocess.DEVNULL)
    lite = time.monotonic() - t0
    uri = fresh_pg()
    t0 = time.monotonic()
    workers = [subprocess.Popen([imagemill, "worker", "--db", uri, "--execution", "photos",
                                 "--workers", "1", "--poll-seconds", "0.1", "-q"],
                                stdout=subprocess.DEVNULL) for _ in range(2)]
    subprocess.run([imagemill, "run", photos, "--db", uri, "--execution-name", "photos",
                    "--no-work", "-q"], check=True, stdout=subprocess.DEVNULL)
    for w in workers:
        if w.wait() != 0:
            raise SystemExit("an imagemill worker failed")
    pg = time.monotonic() - t0
    log(f"  {photos}: SQLite, 1 process {lite:.1f} s; PostgreSQL, 2 workers {pg:.1f} s")
    return {"sqlite_seconds": lite, "postgresql_seconds": pg}


def main():
    args = sys.argv[1:]
    smoke = "--smoke" in args
    out_json = args[args.index("--json") + 1] if "--json" in args else None
    photos = args[args.index("--photos") + 1] if "--photos" in args else None
    build = os.path.abspath([a for a in args if not a.startswith("--") and
                             a not in (out_json, photos)][0])
    items = int(os.environ.get("BENCH_FLEET_ITEMS", 3000 if smoke else 100000))
    million = int(os.environ.get("BENCH_FLEET_MILLION", 5000 if smoke else 1000000))
    runs = int(os.environ.get("BENCH_RUNS", 1 if smoke else 3))
    figures = {"items": items, "runs": runs, "engine": {}, "claims": [], "million": None,
               "load": [], "photos": []}
    with fleet.Postgres(durable=True) as pg, tempfile.TemporaryDirectory() as tmp:
        n = 0

        def fresh_pg():
            nonlocal n
            n += 1
            return pg.create_database(f"b{n}")

        for r in range(runs):
            load = os.getloadavg()[0]
            figures["load"].append(load)
            log(f"round {r + 1}/{runs} (load {load:.2f})")
            row = figures["engine"]
            lite = os.path.join(tmp, f"r{r}.db")
            row.setdefault("sqlite 1", []).append(
                bench(build, "--db", "sqlite:" + lite, "--processes", "1", "--items",
                      str(items))["items_per_second"])
            for procs in (1, 2, 4):
                row.setdefault(f"postgresql {procs}", []).append(
                    bench(build, "--db", fresh_pg(), "--processes", str(procs), "--items",
                          str(items))["items_per_second"])
            figures["claims"].append(bench(build, "--db", fresh_pg(), "--claim-latency",
                                           "--processes", "8", "--items", str(items)))
            if photos:
                figures["photos"].append(label_photos(build, photos, tmp, fresh_pg, r))
        log(f"a million items (load {os.getloadavg()[0]:.2f})")
        figures["million"] = bench(build, "--db", fresh_pg(), "--claim-latency", "--labels",
                                   "--processes", "4", "--items", str(million))
    if out_json:
        with open(out_json, "w") as f:
            json.dump(figures, f, indent=1)
    med = {k: statistics.median(v) for k, v in figures["engine"].items()}
    claims = figures["claims"]
    p50 = statistics.median(c["claim_ms_p50"] for c in claims)
    p99 = statistics.median(c["claim_ms_p99"] for c in claims)
    m = figures["million"]
    print("## Many machines: the queue in PostgreSQL\n")
    print(f"No-op processor, {items:,} generated items in batches of 100, each process with one "
          "worker thread; PostgreSQL 15 on this machine with fsync on, imagemill's sessions "
          "committing without waiting for the disk "
          f"(median of {runs} rounds, load average {statistics.median(figures['load']):.1f} at "
          "their starts; `bench/fleet_bench.py build`):\n")
    print("| state store | processes | items/s |\n|---|---|---|")
    for key, v in med.items():
        db, procs = key.split()
        print(f"| {db} | {procs} | {v:,.0f} |")
    if figures["photos"]:
        lite = statistics.median(p["sqlite_seconds"] for p in figures["photos"])
        pgs = statistics.median(p["postgresql_seconds"] for p in figures["photos"])
        n = len([f for _, _, fs in os.walk(photos) for f in fs])
        print(f"\nLabelling the {n:,} photos of `{os.path.basename(photos)}` (default processor): "
              f"one `imagemill run` process on SQLite {lite:.1f} s ({n / lite:.1f} images/s); "
              f"`run --no-work` and 2 `imagemill worker --workers 1` processes on PostgreSQL "
              f"{pgs:.1f} s ({n / pgs:.1f} images/s), {lite / pgs:.2f} of the single process's "
              f"rate (`bench/fleet_bench.py build --photos DIR`).")
    print(f"\nClaim latency, 8 processes claiming 4 batches at a time and completing them: "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms.\n")
    print(f"After {million:,} items claimed and completed by 4 processes "
          f"({m['items_per_second']:,.0f} items/s), each with a label and a parent in the index: "
          f"the queue table `batches` takes {m['queue_table_bytes'] / 1024:,.0f} kB with "
          f"{m['queue_rows']} rows left and {m['queue_dead_rows']} dead ones (autovacuum visits "
          f"it once a minute at most); the done batches take "
          f"{m['done_table_bytes'] / 1048576:,.1f} MB and the results "
          f"{m['results_table_bytes'] / 1048576:,.1f} MB. `query --label Dog` (the 100 most "
          f"confident of {million // 20:,} images) takes {m['query_label_ms_cold']:.1f} ms the "
          f"first time and {m['query_label_ms_warm']:.1f} ms after, round trip included.")


if __name__ == "__main__":
    main()
