#!/usr/bin/env python3
"""Starts a durable throwaway PostgreSQL (as bench/fleet_bench.py does), runs build/fleet_bench
with each process count given (`sqlite` runs one process on SQLite instead), and reports the wall
rate and the CPU seconds spent per 100,000 items by the clients (fleet_bench and its children)
and by the server (postmaster, its backends and auxiliary processes, read from /proc): figures
that move much less with the machine's load than items/s. Each database's schema is made before
its run, outside what is measured.

  bench/fleet_cpu.py BUILD ITEMS 1,2,sqlite [--rounds N] [--log | --statements]
                     [fleet_bench args...]

--rounds N runs each count N times (one line each). --log sums the server's logged statement
durations by statement (log_min_duration_statement = 0, which slows the server); --statements
reads pg_stat_statements instead (nested statements too, so the lines inside imagemill_complete
show), with the server time of each per 100,000 items.
"""
import collections
import os
import re
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "integration"))
import fleet  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PER = 100000  # the figures are per this many items


def server_cpu(pg):
    pid = int(open(os.path.join(pg.dir, "data", "postmaster.pid")).readline())

    def stat(p):
        with open(f"/proc/{p}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    s = stat(pid)
    total = sum(int(x) for x in s[11:15])  # utime stime cutime cstime
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                c = stat(p)
            except OSError:
                continue
            if int(c[1]) == pid:
                total += int(c[11]) + int(c[12])
    return total / TICK


def client_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def print_statements(pg, db, items):
    rows = pg.psql("SELECT round(total_exec_time::numeric, 1), calls, rows, "
                   "regexp_replace(left(query, 90), '\\s+', ' ', 'g') FROM pg_stat_statements "
                   "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = "
                   f"'{db}') ORDER BY total_exec_time DESC LIMIT 14", db=db)
    print(f"  {'ms':>9} {'calls':>7} {'rows':>8} {'s/100k':>7}  statement")
    for line in rows.splitlines():
        ms, calls, nrows, query = line.split("|", 3)
        print(f"  {float(ms):9.1f} {int(calls):7d} {int(nrows):8d} "
              f"{float(ms) / 1000 * PER / items:7.3f}  {query}")


def main():
    args = sys.argv[1:]
    rounds = 1
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    log = "--log" in args
    statements = "--statements" in args
    args = [a for a in args if a not in ("--log", "--statements")]
    build, items, counts, extra = args[0], int(args[1]), args[2].split(","), args[3:]
    settings = {}
    if statements:
        settings = {"shared_preload_libraries": "pg_stat_statements",
                    "pg_stat_statements.track": "all"}
    with fleet.Postgres(durable=True, settings=settings) as pg, \
            tempfile.TemporaryDirectory() as tmp:
        n = 0
        for _ in range(rounds):
            for p in counts:
                n += 1
                db = f"m{n}"
                if p == "sqlite":
                    uri, procs = "sqlite:" + os.path.join(tmp, f"{db}.db"), "1"
                else:
                    uri, procs = pg.create_database(db), p
                    if log:
                        pg.psql(f"ALTER DATABASE {db} SET log_min_duration_statement = 0")
                    if statements:
                        pg.psql("CREATE EXTENSION pg_stat_statements", db=db)
                        pg.psql("SELECT pg_stat_statements_reset()", db=db)
                if p != "sqlite":  # the schema is made before, not measured
                    subprocess.run([os.path.join(build, "fleet_bench"), "--db", uri,
                                    "--schema-only"], check=True)
                load = os.getloadavg()[0]
                s0, c0 = server_cpu(pg), client_cpu()
                r = subprocess.run([os.path.join(build, "fleet_bench"), "--db", uri,
                                    "--processes", procs, "--items", str(items), *extra],
                                   capture_output=True, text=True)
                s1, c1 = server_cpu(pg), client_cpu()
                line = r.stdout.strip().splitlines()[0] if r.returncode == 0 else r.stderr
                server = "" if p == "sqlite" else f", server {(s1 - s0) * PER / items:.2f} s"
                print(f"load {load:.1f}: {line}; CPU per 100k items: clients "
                      f"{(c1 - c0) * PER / items:.2f} s{server}", flush=True)
                if statements and p != "sqlite":
                    print_statements(pg, db, items)
        if log:
            tot, cnt = collections.Counter(), collections.Counter()
            for line in open(os.path.join(pg.dir, "server.log"), errors="replace"):
                m = re.search(r"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*|bind [^:]*|"
                              r"parse [^:]*): (.{0,70})", line)
                if m:
                    tot[m.group(2)] += float(m.group(1))
                    cnt[m.group(2)] += 1
            for k, v in tot.most_common(12):
                print(f"{v:10.1f} ms {cnt[k]:7d} calls  {k}")


if __name__ == "__main__":
    main()
