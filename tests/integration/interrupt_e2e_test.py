#!/usr/bin/env python3
"""End to end: what a user has is never lost when a run is stopped.

- Ctrl-C (SIGINT) in the middle of a batch of 100: the images in hand finish, what finished is
  stored, the execution is ABORTED, exit 1 with the JSON summary on stdout; a second SIGINT leaves
  at once with a message. `imagemill resume` finishes it, running nothing twice.
- kill -9 while a long batch runs: the items finished more than a couple of seconds before are
  stored (parts are committed as they accumulate).
- A database whose disk fills up: the run ends interrupted (exit 1, the summary printed, the
  message names the full disk), and resumes once there is room.
- A named pipe put where a listed image was: that item is skipped with its reason, the run
  finishes; a read command on a database that does not exist creates nothing.
"""
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
from e2e_support import expect

IMAGEMILL = os.environ["IMAGEMILL"]
TESTDATA = os.environ["IMAGEMILL_TESTDATA"]
PROCESSOR = ["--processor", "image-properties"]


def stored(db):
    try:
        with sqlite3.connect(db) as c:
            return c.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_for(pred, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def main():
    work = tempfile.mkdtemp(prefix="imagemill-interrupt-")
    photos = os.path.join(work, "photos")
    # Large enough that a worker takes a while on each (image properties of 2-3 MP photos).
    subprocess.run([TESTDATA, photos, "--count", "120", "--min-side", "1400", "--max-side", "2000",
                    "--seed", "5"], check=True)

    # 1. Ctrl-C in the middle of the one batch of 100.
    db = os.path.join(work, "ctrl-c.db")
    args = [IMAGEMILL, "run", photos, "--db", db, "--execution-name", "ctrl-c", "--workers", "1",
            "--json", *PROCESSOR]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    expect(wait_for(lambda: stored(db) >= 5, 120), "items are stored while the first batch runs")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    expect(proc.returncode == 1, f"an interrupted run exits 1 (got {proc.returncode})")
    summary = json.loads(out)
    expect(summary["status"] == "ABORTED", "the execution is ABORTED")
    kept = stored(db)
    expect(kept == summary["itemCounts"]["succeeded"] and kept >= 5,
           f"what finished is stored: {kept} results, none thrown away with the batch")
    expect("finishing the images in hand" in err, "the first Ctrl-C says what it does")
    expect("imagemill resume ctrl-c" in err or "imagemill resume" in json.dumps(summary),
           "the summary says how to resume")
    p = subprocess.run([IMAGEMILL, "resume", "ctrl-c", "--db", db, "--json", "--quiet"],
                       capture_output=True, text=True)
    expect(p.returncode == 0, "imagemill resume finishes it: " + p.stderr)
    again = json.loads(p.stdout)  # stdout is only the JSON document, notes go to stderr
    expect(again["itemCounts"]["succeeded"] == 120 and stored(db) == 120, "all 120 stored")
    with sqlite3.connect(db) as c:
        parts = c.execute("SELECT sum(succeeded) FROM batch_outcomes").fetchone()[0]
    expect(parts == 120, "each image has exactly one outcome: nothing ran twice")

    # A second Ctrl-C leaves at once: sent as soon as the first one is answered, while the image in
    # hand is still being worked on. Batches of 10, so that the first results are stored long
    # before the run would end, however fast the machine.
    db2 = os.path.join(work, "twice.db")
    proc = subprocess.Popen([IMAGEMILL, "run", photos, "--db", db2, "--workers", "1", "--quiet",
                             "--max-items-per-batch", "10", *PROCESSOR], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    expect(wait_for(lambda: stored(db2) >= 1, 120), "the second run started")
    proc.send_signal(signal.SIGINT)
    first = ""
    while "stopping" not in first:
        line = proc.stderr.readline()
        if not line:
            break
        first += line
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    expect(proc.returncode == 130 and "stopped at once" in err,
           f"a second Ctrl-C leaves at once (exit {proc.returncode}): {first + err}")

    # 2. kill -9 during a long batch: parts committed on the way are kept.
    db3 = os.path.join(work, "kill.db")
    proc = subprocess.Popen([IMAGEMILL, "run", photos, "--db", db3, "--workers", "1", "--quiet",
                             "--max-items-per-batch", "120", *PROCESSOR])
    expect(wait_for(lambda: stored(db3) >= 10, 120), "a part of the one batch was committed")
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    expect(stored(db3) >= 10, f"kill -9 keeps the committed parts ({stored(db3)} results)")
    p = subprocess.run([IMAGEMILL, "run", photos, "--db", db3, "--quiet", "--json",
                        "--max-items-per-batch", "120", *PROCESSOR], capture_output=True, text=True)
    expect(p.returncode == 0 and json.loads(p.stdout)["itemCounts"]["succeeded"] == 120,
           "the same command resumes and finishes")

    # 3. A full disk.
    small = os.path.join(work, "small")
    os.makedirs(small)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", small]).returncode == 0:
        try:
            db4 = os.path.join(small, "full.db")
            p = subprocess.run([IMAGEMILL, "run", photos, "--db", db4, "--quiet", "--json",
                                "--max-items-per-batch", "5", *PROCESSOR],
                               capture_output=True, text=True)
            expect(p.returncode == 1, f"a full disk ends the run with exit 1 (got {p.returncode}): "
                   + p.stderr)
            full = json.loads(p.stdout)
            expect(full["status"] == "ABORTED" and "full" in full.get("cause", ""),
                   "as an interrupted run whose cause names the full disk: " + full.get("cause", ""))
            subprocess.run(["mount", "-o", "remount,size=50m", small], check=True)
            p = subprocess.run([IMAGEMILL, "resume", full["executionName"], "--db", db4, "--json",
                                "--quiet"], capture_output=True, text=True)
            expect(p.returncode == 0 and json.loads(p.stdout)["itemCounts"]["succeeded"] == 120,
                   "with room again it resumes and finishes: " + p.stderr)
        finally:
            subprocess.run(["umount", small])
    else:
        print("note: cannot mount a tmpfs here; the full-disk case is covered by MapRunTest")

    # 4. A named pipe where a listed image was, and read commands on a missing database.
    fifo_photos = os.path.join(work, "fifo")
    subprocess.run([TESTDATA, fifo_photos, "--count", "6", "--seed", "9"], check=True)
    victim = sorted(os.path.join(r, f) for r, _, fs in os.walk(fifo_photos) for f in fs)[0]
    os.remove(victim)
    os.mkfifo(victim)
    p = subprocess.run([IMAGEMILL, "run", fifo_photos, "--db", os.path.join(work, "fifo.db"),
                        "--json", "--quiet", *PROCESSOR], capture_output=True, text=True,
                       timeout=60)
    expect(p.returncode == 0, "a named pipe does not hang the run: " + p.stderr)
    expect(json.loads(p.stdout)["itemCounts"]["succeeded"] == 5, "the other images are labelled")
    missing = os.path.join(work, "nothing-here.db")
    for cmd in (["results"], ["query", "--label", "Dog"], ["get", "a.jpg"], ["executions", "list"]):
        p = subprocess.run([IMAGEMILL, *cmd, "--db", missing], capture_output=True, text=True)
        expect(p.returncode == 1 and "no database at" in p.stderr and not os.path.exists(missing),
               f"{cmd[0]} on a missing database says so and creates nothing")
    print("interrupt e2e: all checks passed")


if __name__ == "__main__":
    main()
