#!/usr/bin/env python3
"""End to end: `imagemill run` over 500 generated images of mixed formats plus 10 broken objects.

- At 5 % tolerance the run succeeds, the table holds exactly the good images, FAILED lists each
  broken image with its cause, SKIPPED the objects that are not images.
- The result-writer files parse and agree with the counters.
- At tolerance 0 the run fails with States.ExceedToleratedFailureThreshold and stops early.
- kill -9 at random moments, several times, then resume: the final table equals that of an
  uninterrupted run, and no batch that had finished was run again.
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from e2e_support import expect

IMAGEMILL = os.environ["IMAGEMILL"]
TESTDATA = os.environ["IMAGEMILL_TESTDATA"]
# The engine is under test, not the label model: the fast image-properties processor keeps the
# runs short enough to kill and resume many times (labels_e2e_test.py covers the default).
PROCESSOR = ["--processor", "image-properties"]


def run(*args, check=None):
    if args and args[0] == "run":
        args = (*args, *PROCESSOR)
    p = subprocess.run([IMAGEMILL, *args], capture_output=True, text=True)
    if check is not None and p.returncode != check:
        sys.exit(f"imagemill {' '.join(args)} exited {p.returncode}, wanted {check}\n"
                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def table(db):
    with sqlite3.connect(db) as c:
        return {row[0]: (row[1], row[2]) for row in c.execute("SELECT id, etag, response FROM results")}


def main():
    work = tempfile.mkdtemp(prefix="imagemill-e2e-")
    photos = os.path.join(work, "photos")
    subprocess.run([TESTDATA, photos, "--count", "500", "--bad", "--min-side", "48",
                    "--max-side", "160"], check=True)
    good = set()
    for root, _, files in os.walk(photos):
        for f in files:
            key = os.path.relpath(os.path.join(root, f), photos)
            if not key.startswith("bad/"):
                good.add(key)
    expect(len(good) == 500, "500 good images generated")

    # 1. A whole run at the seed's tolerance.
    ref_db = os.path.join(work, "ref.db")
    out = os.path.join(work, "results")
    p = run("run", photos, "--db", "sqlite:" + ref_db, "--execution-name", "ref",
            "--max-items-per-batch", "20", "--tolerated-failure-percentage", "5",
            "--result-writer", out, "--json", check=0)
    summary = json.loads(p.stdout)
    counts = summary["itemCounts"]
    expect(summary["status"] == "SUCCEEDED", "run at 5% tolerance succeeds")
    expect(counts["total"] == 510, "510 objects listed")
    expect(counts["succeeded"] == 500, "500 succeeded")
    expect(counts["failed"] == 7, "the 7 broken images failed")
    expect(counts["skipped"] == 3, "the 3 non-images were skipped")
    ref = table(ref_db)
    expect(set(ref) == good, "the table holds exactly the good images")

    manifest_path = summary["manifest"]
    with open(manifest_path) as f:
        manifest = json.load(f)
    expect(os.path.basename(os.path.dirname(manifest_path)) == summary["mapRunId"],
           "the files are under <destination>/<map run id>/, as Step Functions writes them")
    expect(set(manifest) == {"DestinationBucket", "MapRunArn", "ResultFiles"}, "the manifest's members")
    expect(set(manifest["ResultFiles"]) == {"FAILED", "PENDING", "SUCCEEDED"}, "the three result lists")
    base = os.path.dirname(os.path.dirname(manifest_path))
    records = {}
    for status, files in manifest["ResultFiles"].items():
        records[status] = []
        for entry in files:
            path = os.path.join(base, entry["Key"])
            expect(os.path.getsize(path) == entry["Size"], f"{entry['Key']} has the size the manifest says")
            with open(path) as f:
                records[status].extend(json.load(f))
    # A child is a batch: its items in Input.Items, one Output entry per item.
    items = {}
    for status in ("SUCCEEDED", "FAILED"):
        for r in records[status]:
            names = [i["Name"] for i in json.loads(r["Input"])["Items"]]
            expect(len(names) <= 20, "a child holds at most MaxItemsPerBatch items")
            for entry in json.loads(r["Output"]):
                items[entry["Name"]] = (status, entry)
            expect(sorted(names) == sorted(e["Name"] for e in json.loads(r["Output"])),
                   "a child's output has an entry for each of its items")
    expect(len(items) == 510, "the records account for every listed object")
    by_status = {}
    for name, (child, entry) in items.items():
        by_status.setdefault(entry["Status"], set()).add(name)
    expect(len(by_status["SUCCEEDED"]) == counts["succeeded"], "succeeded items agree with the counters")
    expect(len(by_status["SKIPPED"]) == 3, "the non-images are in their batches' outputs, SKIPPED")
    expect(len(records["PENDING"]) == 0, "nothing pending")
    failed = {n for n in by_status["FAILED"]}
    expect(failed == {"bad/corrupt1.jpg", "bad/corrupt2.png", "bad/truncated1.jpg",
                      "bad/truncated2.jpg", "bad/zero1.jpg", "bad/zero2.png",
                      "bad/header-only.jpg"}, "the failed items are each broken image")
    for r in records["FAILED"]:
        failed_here = [e["Name"] for e in json.loads(r["Output"]) if e["Status"] == "FAILED"]
        expect(failed_here and r["Error"] and all(k in r["Cause"] for k in failed_here),
               f"{r['Name']}: FAILED with an error, its cause names {failed_here}")
        expect(r["StartDate"] <= r["StopDate"], f"{r['Name']}: start and stop dates")
    for name in list(by_status["SUCCEEDED"])[:5]:
        out_json = items[name][1]["Output"]
        expect("ImageProperties" in out_json or "Labels" in out_json, "succeeded items carry the answer")

    # 2. No tolerance: fails with the Step Functions error and starts no new batches.
    strict_db = os.path.join(work, "strict.db")
    p = run("run", photos, "--prefix", "bad/", "--db", "sqlite:" + strict_db, "--json",
            "--tolerated-failure-percentage", "0", "--max-items-per-batch", "1",
            "--max-concurrency", "1", "--workers", "1", check=1)
    strict = json.loads(p.stdout)
    expect(strict["status"] == "FAILED", "tolerance 0 fails the run")
    expect(strict["error"] == "States.ExceedToleratedFailureThreshold", "with the Step Functions error")
    expect(strict["itemCounts"]["pending"] > 0, "and stops early (items left pending)")

    # 3. kill -9 at random moments, then resume. Larger images, so the run lasts a few seconds.
    big = os.path.join(work, "big")
    subprocess.run([TESTDATA, big, "--count", "400", "--bad", "--min-side", "500",
                    "--max-side", "1100", "--seed", "3"], check=True)
    big_db = os.path.join(work, "big.db")
    run("run", big, "--db", "sqlite:" + big_db, "--execution-name", "whole", "--quiet", check=0)
    ref = table(big_db)
    expect(len(ref) == 400, "the uninterrupted run stored the 400 good images")
    crash_db = os.path.join(work, "crash.db")
    args = [IMAGEMILL, "run", big, "--db", "sqlite:" + crash_db, "--execution-name", "crashy",
            "--max-items-per-batch", "10", "--workers", "1", "--quiet", *PROCESSOR]
    rng = random.Random(7)
    kills = 0
    done_attempts = {}
    while True:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kills >= 6:  # enough crashes: let it finish
            proc.wait()
        else:
            time.sleep(rng.uniform(0.1, 0.9))
        if proc.poll() is not None:
            expect(proc.returncode == 0, "the resumed run finished by itself")
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        try:
            with sqlite3.connect(crash_db) as c:
                for seq, attempts in c.execute(
                        "SELECT seq, attempts FROM batches WHERE execution='crashy' AND status='DONE'"):
                    done_attempts.setdefault(seq, attempts)
        except sqlite3.OperationalError:
            pass  # killed before it had created its tables
    expect(kills >= 3, f"killed {kills} times before it finished")
    crash = table(crash_db)
    expect(crash == ref, "the final table equals the uninterrupted run's")
    with sqlite3.connect(crash_db) as c:
        after = dict(c.execute("SELECT seq, attempts FROM batches WHERE execution='crashy'"))
        status = c.execute("SELECT status FROM executions WHERE name='crashy'").fetchone()[0]
        n_items = c.execute("SELECT count(*) FROM items WHERE execution='crashy'").fetchone()[0]
        n_items += c.execute("SELECT coalesce(sum(succeeded), 0) FROM batch_outcomes "
                             "WHERE execution='crashy'").fetchone()[0]
    expect(status == "SUCCEEDED", "the resumed execution succeeded")
    expect(n_items == 410, "every object has exactly one outcome")
    rerun = [s for s, a in done_attempts.items() if after[s] != a]
    expect(not rerun, f"no finished batch ran again ({len(done_attempts)} were finished at kills)")
    p = run("run", big, "--db", "sqlite:" + crash_db, "--execution-name", "crashy",
            "--max-items-per-batch", "10", "--json", check=0)
    expect(json.loads(p.stdout)["itemCounts"]["succeeded"] == 400, "asking again returns the stored result")
    print("engine e2e: all checks passed")


if __name__ == "__main__":
    main()
