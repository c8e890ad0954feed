#!/usr/bin/env python3
"""Faults of many machines on PostgreSQL, with short leases (--lease 2) so each case takes seconds.
Every case ends with the results equal to a single-process SQLite run of the same images, every
batch done once and every item committed once:

- a worker stopped (SIGSTOP) while it holds a batch, past its lease: another worker, busy with
  fresh batches, takes the batch over within the lease and a claim (while batches are still
  pending, not only once it runs out of work) and the execution succeeds; continued (SIGCONT), the
  stalled worker's completion is refused and counted (stale_completions), nothing written twice;
- the process listing the source killed with -9 mid-listing: a `resume` and a worker, listing at
  once, take the cursor over (each page saved once: no item listed twice, none missed);
- PostgreSQL stopped with -m immediate while the workers are paused, losing the completions it
  had acknowledged without writing (asynchronous commit; the WAL writer is slowed so that the
  loss is certain): they run again, nothing is lost;
- a --db that cannot work (a wrong password, no such database, nobody listening) fails in
  seconds with a message naming the database without its password and saying what to do;
- as root: a worker in a network namespace of its own whose link drops 5 % of its packets
  (nftables) runs the whole execution.
"""
import contextlib
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
from fleet_checks import (IMAGEMILL, answers, committed, each_batch_once, expect,  # noqa: E402
                          generate, run, wait_committed)

LEASE_SECONDS = 2
LEASE = ["--lease", str(LEASE_SECONDS)]
# Image properties need no model; batches of 4, one thread per worker, one batch at a time: a
# worker holds one batch, and a few hundred ms pass between its claims.
COMMON = ["--processor", "image-properties", "--max-items-per-batch", "4"]
COPIES = 128
ONE_AT_A_TIME = ["--workers", "1", "--fetchers", "1", "--max-concurrency", "1"]


# Every process started, killed at the end if still there (a failed case leaves a stopped one).
STARTED = []


def start(uri, *args, host=None):
    cmd = [IMAGEMILL, *args, "--db", uri, "-q", *LEASE]
    popen = host.popen if host is not None else subprocess.Popen
    p = popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    STARTED.append(p)
    return p


def worker(uri, host=None):
    return start(uri, "worker", "--execution", "many", "--poll-seconds", "0.2", *ONE_AT_A_TIME,
                 host=host)


def lister(uri, photos, *extra):
    return start(uri, "run", photos, "--execution-name", "many", "--json", *COMMON, *extra)


def held_by(pg, db, pid):
    """Seqs of the RUNNING batches whose owner is process `pid` (owners are host:pid:nonce)."""
    out = pg.psql(f"SELECT string_agg(seq::text, ',') FROM batches WHERE status = 'RUNNING' "
                  f"AND owner LIKE '%:{pid}:%'", db=db)
    return [int(s) for s in out.split(",")] if out else []


def wait_for(pred, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        with contextlib.suppress(RuntimeError):
            got = pred()
            if got:
                return got
        time.sleep(0.02)
    return None


def summary_of(p, timeout=120):
    out, err = p.communicate(timeout=timeout)
    if p.returncode not in (0, 1) or not out.strip():
        sys.exit(f"{' '.join(p.args)} exited {p.returncode}:\n{out}\n{err}")
    return json.loads(out), err


def stalled_worker(pg, photos, ref, batches):
    """SIGSTOP past the lease, another worker takes over, SIGCONT: the late completion is refused."""
    uri = pg.create_database("stalled")
    # The starter works too, one batch at a time: no process is ever idle (an idle one gives
    # expired batches back as it looks for work), so only a claim can take the batch over.
    starter = lister(uri, photos, *ONE_AT_A_TIME)
    victim = worker(uri)
    held = None
    for _ in range(20):  # stop it while it holds a batch it has not completed
        if not wait_for(lambda: held_by(pg, "stalled", victim.pid)):
            break
        victim.send_signal(signal.SIGSTOP)
        time.sleep(0.1)
        held = held_by(pg, "stalled", victim.pid)
        if held:
            break
        victim.send_signal(signal.SIGCONT)
    expect(bool(held), f"a worker is stopped while it holds batch {held}")
    stopped_at = time.time()
    rescuer = worker(uri)
    summary, _ = summary_of(starter)
    expect(summary["status"] == "SUCCEEDED" and
           summary["itemCounts"]["succeeded"] == len(ref),
           f"another worker took the stalled one's batch over after its lease: SUCCEEDED in "
           f"{time.time() - stopped_at:.1f} s")
    rescuer.communicate(timeout=60)
    owners = pg.psql(f"SELECT owner || ' ' || attempts FROM batches_done WHERE seq = {held[0]}",
                     db="stalled")
    expect(f":{victim.pid}:" not in owners and owners.endswith(" 2"),
           f"batch {held[0]} was completed by its second claim, not the stalled worker's")
    # Done marks carry the server's time (this machine's clock): when the stalled batch was done,
    # and how many batches never claimed before were done after it (work that still remained).
    row = pg.psql(f"SELECT d.done_ms || ' ' || (SELECT count(*) FROM batches_done f WHERE "
                  f"f.attempts = 1 AND f.done_ms > d.done_ms) FROM batches_done d "
                  f"WHERE seq = {held[0]}", db="stalled")
    done_ms, fresh_after = (int(x) for x in row.split())
    took = done_ms / 1000 - stopped_at
    expect(took < LEASE_SECONDS + 1.5 and fresh_after > 0,
           f"the stalled batch was taken over by a claim and done {took:.1f} s after the stop "
           f"(lease {LEASE_SECONDS} s), with {fresh_after} fresh batches still to do after it")
    victim.send_signal(signal.SIGCONT)
    _, err = victim.communicate(timeout=60)
    stale = pg.psql("SELECT stale_completions FROM executions WHERE name = 'many'", db="stalled")
    expect(int(stale) >= 1, f"continued, its completion was refused and counted ({stale})")
    expect(victim.returncode == 0, "the stalled worker exits 0 once it sees the end" +
           ("" if victim.returncode == 0 else err[-500:]))
    expect(answers(uri) == ref, "the results equal the SQLite run's")
    expect(each_batch_once(pg, "stalled", batches, len(ref)),
           f"{batches} batches done, every item committed once")


def killed_lister(pg, folder, count):
    """kill -9 of the listing process mid-listing; a resume and a worker list on from the cursor."""
    uri = pg.create_database("lister")
    first = start(uri, "run", folder, "--execution-name", "many", "--processor", "none",
                  "--max-items-per-batch", "100", "--no-work")

    def listing():
        got = pg.psql("SELECT listed FROM executions WHERE name = 'many'", db="lister")
        return got and int(got) > 0

    expect(bool(wait_for(listing)), "the lister has saved its first pages")
    first.send_signal(signal.SIGSTOP)
    state = pg.psql("SELECT listed || ' ' || listing_done FROM executions", db="lister")
    first.send_signal(signal.SIGKILL)
    first.wait()
    listed, done = state.split()
    expect(done == "false" and 0 < int(listed) < count,
           f"the lister was killed mid-listing ({listed} of {count} listed)")
    helper = start(uri, "worker", "--execution", "many", "--poll-seconds", "0.2")
    p = run("resume", "many", "--db", uri, "--json", "-q", *LEASE)
    helper.communicate(timeout=60)
    ok = p.returncode == 0 and '"SUCCEEDED"' in p.stdout
    expect(ok, "resume, beside a worker, took the listing over and succeeded" +
           ("" if ok else p.stderr[-500:]))
    row = pg.psql("SELECT listed || ' ' || (SELECT count(*) FROM results) || ' ' || "
                  "(SELECT sum(item_count) FROM batches_done) FROM executions", db="lister")
    expect(row == f"{count} {count} {count}",
           f"{count} listed, {count} results, {count} items in done batches: no item listed "
           f"twice, none missed ({row})")
    expect(committed(pg, "lister") == count, "every item committed once")


def crash(pg, photos, ref, batches):
    """PostgreSQL stopped with -m immediate: completions it acknowledged and lost run again."""
    uri = pg.create_database("crash")
    starter = lister(uri, photos, "--no-work")
    workers = [worker(uri) for _ in range(2)]
    expect(wait_committed(pg, "crash", len(ref) // 3), "the workers are running")
    procs = [starter, *workers]
    for p in procs:
        p.send_signal(signal.SIGSTOP)
    before = committed(pg, "crash")
    pg.stop()  # -m immediate, as a crash would
    pg.start()
    after = committed(pg, "crash")
    expect(after < before, f"the crash lost acknowledged completions ({before} items committed "
                           f"before, {after} after)")
    for p in procs:
        p.send_signal(signal.SIGCONT)
    summary, _ = summary_of(starter, timeout=180)
    for w in workers:
        w.communicate(timeout=60)
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == len(ref),
           "the lost completions ran again: SUCCEEDED with every item")
    expect(all(w.returncode == 0 for w in workers), "both workers exit 0")
    expect(answers(uri) == ref, "the results equal the SQLite run's")
    expect(each_batch_once(pg, "crash", batches, len(ref)),
           f"{batches} batches done, every item committed once")


def lossy_link(pg, bridge, photos, ref, batches):
    """A worker whose link drops 5 % of its packets runs the whole execution."""
    uri = pg.create_database("lossy")
    with fleet.Host(bridge, 2) as host:
        host.lose_packets(5)
        starter = lister(uri, photos, "--no-work")
        w = worker(pg.uri("lossy", host=bridge.address), host=host)
        summary, _ = summary_of(starter, timeout=180)
        _, err = w.communicate(timeout=60)
        dropped = host.dropped()
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == len(ref),
           f"SUCCEEDED through a link that dropped {dropped} packets")
    expect(dropped > 0, "packets were dropped")
    expect(w.returncode == 0, "the worker exits 0" + ("" if w.returncode == 0 else err[-500:]))
    expect(answers(uri) == ref, "the results equal the SQLite run's")
    expect(each_batch_once(pg, "lossy", batches, len(ref)),
           f"{batches} batches done, every item committed once")


def bad_db(pg):
    """A --db that cannot work fails in seconds, naming the database (never its password)."""
    pg.psql("CREATE ROLE pw LOGIN PASSWORD 'right'")
    # The server trusts every local user; this one must give its password.
    hba = os.path.join(pg.dir, "data", "pg_hba.conf")
    with open(hba) as f:
        rules = f.read()
    with open(hba, "w") as f:
        f.write("host all pw 127.0.0.1/32 scram-sha-256\n" + rules)
    pg.psql("SELECT pg_reload_conf()")
    server = f"127.0.0.1:{pg.port}"
    nobody = f"127.0.0.1:{fleet._free_port()}"
    cases = [
        (f"postgresql://pw:wrong@{server}/postgres", {}, "password authentication failed",
         "the right password"),
        (f"postgresql://imagemill:secret@{server}/nosuch", {}, 'database "nosuch" does not exist',
         "createdb"),
        (f"postgresql://imagemill:secret@{nobody}/fleet", {"IMAGEMILL_DB_WAIT": "1"},
         "could not be reached for 1 s", "IMAGEMILL_DB_WAIT"),
    ]
    for uri, env, why, todo in cases:
        t0 = time.time()
        p = run("executions", "list", "--db", uri, env={**os.environ, **env})
        secs = time.time() - t0
        shown = uri.replace(":wrong@", "@").replace(":secret@", "@")
        expect(p.returncode != 0 and secs < 10 and why in p.stderr and todo in p.stderr and
               shown in p.stderr and "wrong" not in p.stderr.replace(why, "") and
               "secret" not in p.stderr,
               f"{shown}: exit {p.returncode} in {secs:.1f} s: {p.stderr.strip().splitlines()[-1]}")
    p = run("executions", "list", "--db", cases[0][0], env={**os.environ, "IMAGEMILL_DB_WAIT": "x"})
    expect(p.returncode != 0 and "IMAGEMILL_DB_WAIT=x" in p.stderr,
           f"a bad IMAGEMILL_DB_WAIT is named: {p.stderr.strip()}")


def main():
    root = os.geteuid() == 0
    work = tempfile.mkdtemp(prefix="imagemill-pg-faults-")
    try:
        photos = os.path.join(work, "photos")
        generate(photos, 24, 500, 700)
        ref_db = "sqlite:" + os.path.join(work, "ref.db")
        run("run", photos, "--db", ref_db, "--execution-name", "many", "-q", *COMMON, check=0)
        ref = answers(ref_db)
        expect(len(ref) == 24, "SQLite: 24 generated images processed")
        batches = 6
        # The stalled and crash cases need more batches than the workers finish within a lease (or
        # before the crash case stops them): the same photos hard-linked into COPIES folders (each
        # answer is its original's).
        copies = os.path.join(work, "copies")
        for c in range(COPIES):
            shutil.copytree(photos, os.path.join(copies, f"c{c:02d}"), copy_function=os.link)
        copies_ref = {f"c{c:02d}/{k}": v for c in range(COPIES) for k, v in ref.items()}
        inventory = os.path.join(work, "inventory")
        os.makedirs(inventory)
        # Enough that the listing outlasts the polls that catch it mid-way (the first pages are
        # saved a few milliseconds after it starts; 10,000 were once all listed between two polls).
        count = 50000
        for i in range(count):
            with open(os.path.join(inventory, f"{i:06d}.bin"), "wb"):
                pass
        with contextlib.ExitStack() as stack:
            bridge = stack.enter_context(fleet.Bridge()) if root else None
            listen = ("127.0.0.1", bridge.address) if bridge else ("127.0.0.1",)
            # The WAL writer flushes every 10 s instead of 0.2 s: commits acknowledged before a
            # crash are lost for certain (the sessions commit asynchronously).
            pg = stack.enter_context(fleet.Postgres(listen=listen,
                                                    settings={"wal_writer_delay": "10s"}))
            bad_db(pg)
            stalled_worker(pg, copies, copies_ref, len(copies_ref) // 4)
            killed_lister(pg, inventory, count)
            crash(pg, copies, copies_ref, len(copies_ref) // 4)
            if bridge is None:
                print("skipped: the lossy link needs root (network namespaces, nftables)")
            else:
                lossy_link(pg, bridge, photos, ref, batches)
    finally:
        for p in STARTED:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)
    print("postgres_faults_test: all passed")


if __name__ == "__main__":
    main()
