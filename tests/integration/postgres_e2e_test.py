#!/usr/bin/env python3
"""End to end on PostgreSQL: every command with `--db postgresql://...` against a throwaway server
the test starts (fleet.Postgres), compared with the same work on SQLite.

- `run` over the sample photos (plus a damaged JPEG and a text file) at tolerance 0 fails;
  `executions list/describe` show it FAILED with its cause; `redrive --tolerated-failure-count 1`
  accepts the damaged image and succeeds.
- `results`, `get` and `query --label Dog` read the same answers as a SQLite run of the same
  photos: same ids, same labels.
- A read command on an empty database creates nothing and says so; the PG* variables fill in
  what `postgresql://` leaves out.
- `run --no-work` lists and follows while two `imagemill worker` processes run the execution; it
  ends SUCCEEDED with the result files written once, and no batch completed twice.
- A worker killed with -9 mid-run: another worker finishes the execution, with the same results.
- Two workers whose connections are terminated (pg_terminate_backend), then whose server is
  stopped with -m immediate and started again: the execution succeeds with the same results.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from fleet_checks import (CACHE, ENV, IMAGEMILL, SOURCE, TESTDATA, answers,  # noqa: E402
                          committed, each_batch_once, expect, run, wait_committed)


def labels_on_both(work, photos, pg):
    sqlite_db = "sqlite:" + os.path.join(work, "ref.db")
    run("run", photos, "--db", sqlite_db, "--execution-name", "ref", "--tolerated-failure-count",
        "1", "-q", check=0)
    ref = answers(sqlite_db)
    expect(len(ref) == 7, "SQLite: the 7 sample photos are labelled")

    uri = pg.create_database("labels")
    p = run("get", "dog.jpg", "--db", uri, check=1)
    expect("no imagemill tables" in p.stderr and "imagemill run" in p.stderr,
           "a read command on an empty PostgreSQL database says nothing ran there yet")
    expect(pg.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db="labels") == "0",
           "... and creates nothing")

    p = run("run", photos, "--db", uri, "--execution-name", "pg", "--tolerated-failure-count", "0",
            "--max-items-per-batch", "2", "--json", check=1)
    summary = json.loads(p.stdout)
    expect(summary["status"] == "FAILED" and
           summary["error"] == "States.ExceedToleratedFailureThreshold",
           "PostgreSQL: at tolerance 0 the damaged photo fails the run")

    listed = run("executions", "list", "--db", uri, "--json", check=0).stdout
    expect('"pg"' in listed and "FAILED" in listed, "executions list shows it FAILED")
    desc = json.loads(run("executions", "describe", "pg", "--db", uri, check=0).stdout)
    expect(desc["status"] == "FAILED" and desc["itemCounts"]["failed"] == 1 and
           desc["itemCounts"]["succeeded"] == 7 and desc["itemCounts"]["skipped"] == 1,
           "executions describe counts 7 succeeded, 1 failed, 1 skipped")

    p = run("redrive", "pg", "--db", uri, "--tolerated-failure-count", "1", "--json", check=0)
    expect(json.loads(p.stdout)["status"] == "SUCCEEDED",
           "redrive with --tolerated-failure-count 1 succeeds")

    got = answers(uri)
    expect(got == ref, "results on PostgreSQL equal SQLite's: same ids, same labels")
    dog = json.loads(run("get", "dog.jpg", "--db", uri, check=0).stdout)
    ref_dog = json.loads(run("get", "dog.jpg", "--db", sqlite_db, check=0).stdout)
    expect(dog["response"] == ref_dog["response"], "get dog.jpg returns SQLite's answer")
    q = json.loads(run("query", "--label", "Dog", "--db", uri, "--json", check=0).stdout)
    ref_q = json.loads(run("query", "--label", "Dog", "--db", sqlite_db, "--json", check=0).stdout)
    expect(q and [h["id"] for h in q] == [h["id"] for h in ref_q],
           "query --label Dog finds the same images in the same order")

    # The PG* variables fill in what the URI leaves out.
    env = dict(ENV, PGHOST="127.0.0.1", PGPORT=str(pg.port), PGUSER="imagemill",
               PGDATABASE="labels")
    desc = json.loads(run("executions", "describe", "pg", "--db", "postgresql://",
                          check=0, env=env).stdout)
    expect(desc["status"] == "SUCCEEDED", "--db postgresql:// with PG* variables reads it")
    return ref


def two_workers(work, pg):
    photos = os.path.join(work, "many")
    subprocess.run([TESTDATA, photos, "--count", "300", "--min-side", "48", "--max-side", "96"],
                   check=True, capture_output=True)
    common = ["--processor", "image-properties", "--max-items-per-batch", "5"]
    ref_db = "sqlite:" + os.path.join(work, "many.db")
    run("run", photos, "--db", ref_db, "--execution-name", "many", "-q", *common, check=0)
    ref = answers(ref_db)
    expect(len(ref) == 300, "SQLite: 300 generated images processed")

    # Two workers and a --no-work run on one execution.
    uri = pg.create_database("fleet")
    out = os.path.join(work, "results")
    workers = [subprocess.Popen([IMAGEMILL, "worker", "--db", uri, "--execution", "many",
                                 "--poll-seconds", "0.2", "--workers", "1", "-q"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    p = run("run", photos, "--db", uri, "--execution-name", "many", "--no-work", "--json",
            "--result-writer", out, *common, check=0)
    summary = json.loads(p.stdout)
    outs = [w.communicate(timeout=120) for w in workers]
    expect(all(w.returncode == 0 for w in workers), "both workers exit 0 when the execution ends")
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == 300,
           "run --no-work ends SUCCEEDED with the 300 items the workers ran")
    manifests = [f for _, _, fs in os.walk(out) for f in fs if f == "manifest.json"]
    expect(len(manifests) == 1 and summary["manifest"], "one manifest, the one the summary names")
    expect(answers(uri) == ref, "the workers' results equal the SQLite run's")
    expect(each_batch_once(pg, "fleet", 60, 300), "60 batches done, no item committed twice")
    # Which worker ran what depends on the machine's load (one may finish 300 small images before
    # the other has connected): reported, not asserted. The kill -9 case below needs the second.
    owners = pg.psql("SELECT count(DISTINCT owner) FROM batches_done", db="fleet")
    print(f"note: {owners} of the 2 workers ran batches")
    del outs

    # A worker killed with -9 mid-run; another finishes the execution. Larger images, one thread
    # and one batch at a time keep the victim busy long enough to be killed in the middle.
    photos = os.path.join(work, "large")
    subprocess.run([TESTDATA, photos, "--count", "100", "--min-side", "700", "--max-side", "900"],
                   check=True, capture_output=True)
    ref_db = "sqlite:" + os.path.join(work, "large.db")
    run("run", photos, "--db", ref_db, "--execution-name", "many", "-q", *common, check=0)
    ref = answers(ref_db)
    uri = pg.create_database("killed")
    starter = subprocess.Popen([IMAGEMILL, "run", photos, "--db", uri, "--execution-name", "many",
                                "--no-work", "--json", *common],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = subprocess.Popen([IMAGEMILL, "worker", "--db", uri, "--execution", "many",
                               "--poll-seconds", "0.2", "--workers", "1", "--fetchers", "1",
                               "--max-concurrency", "1", "-q"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            n = committed(pg, "killed")
        except RuntimeError:  # the tables are not made yet
            n = 0
        if n >= 10:
            break
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    left = committed(pg, "killed")
    expect(0 < left < 100, f"the worker was killed mid-run ({left} of 100 items done)")
    run("worker", "--db", uri, "--execution", "many", "--poll-seconds", "0.2", "-q", check=0)
    s_out, s_err = starter.communicate(timeout=120)
    summary = json.loads(s_out)
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == 100,
           "another worker finishes the execution: SUCCEEDED, 100 items")
    expect(answers(uri) == ref, "its results equal the SQLite run's")
    expect(each_batch_once(pg, "killed", 20, 100), "20 batches done, no item committed twice")
    return photos, ref, common


def server_faults(work, pg, photos, ref, common):
    """Two workers while their connections are terminated, then while the server restarts."""
    uri = pg.create_database("faults")
    starter = subprocess.Popen([IMAGEMILL, "run", photos, "--db", uri, "--execution-name", "many",
                                "--no-work", "--json", *common],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = [subprocess.Popen([IMAGEMILL, "worker", "--db", uri, "--execution", "many",
                                 "--poll-seconds", "0.2", "--workers", "1", "--fetchers", "1",
                                 "--max-concurrency", "1", "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    expect(wait_committed(pg, "faults", 10), "the workers are running")
    killed = pg.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE datname = 'faults' AND pid <> pg_backend_pid()")
    expect(int(killed) >= 3, f"pg_terminate_backend ended every connection ({killed})")
    expect(wait_committed(pg, "faults", 40), "the workers went on after losing their connections")
    pg.stop()  # -m immediate: as a crash would
    time.sleep(1)
    pg.start()
    s_out, s_err = starter.communicate(timeout=180)
    errs = [w.communicate(timeout=60)[1] for w in workers]
    summary = json.loads(s_out)
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == 100,
           "after the server restarted the execution SUCCEEDED with 100 items")
    expect(all(w.returncode == 0 for w in workers), "both workers exit 0")
    expect(answers(uri) == ref, "its results equal the SQLite run's")
    expect(each_batch_once(pg, "faults", 20, 100), "20 batches done, no item committed twice")
    del s_err, errs


def main():
    for script in ("fetch-samples.sh", "fetch-models.sh"):
        subprocess.run([os.path.join(SOURCE, "scripts", script)], check=True, env=ENV,
                       capture_output=True)
    work = tempfile.mkdtemp(prefix="imagemill-pg-e2e-")
    try:
        photos = os.path.join(work, "photos")
        os.makedirs(photos)
        for f in sorted(os.listdir(os.path.join(CACHE, "samples"))):
            if f.endswith(".jpg"):
                shutil.copy(os.path.join(CACHE, "samples", f), photos)
        with open(os.path.join(photos, "damaged.jpg"), "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + b"\0" * 64)
        with open(os.path.join(photos, "README.txt"), "w") as f:
            f.write("not an image\n")
        with fleet.Postgres() as pg:
            labels_on_both(work, photos, pg)
            large, ref, common = two_workers(work, pg)
            server_faults(work, pg, large, ref, common)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
