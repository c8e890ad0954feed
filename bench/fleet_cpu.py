#!/usr/bin/env python3
"""Starts a durable throwaway PostgreSQL (as bench/fleet_bench.py does), runs build/fleet_bench
with each process count given, and reports the wall rate and the CPU seconds spent per item by
the clients (fleet_bench and its children) and by the server (postmaster, its backends and
auxiliary processes). With --log, sums the server's logged statement durations by statement.

  bench/fleet_cpu.py BUILD ITEMS 1,2 [--log] [fleet_bench args...]
"""
import collections
import os
import re
import resource
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "integration"))
import fleet  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

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

build, items, procs = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
log = "--log" in sys.argv
extra = [a for a in sys.argv[4:] if a != "--log"]
with fleet.Postgres(durable=True) as pg:
    for n, p in enumerate(procs, 1):
        uri = pg.create_database(f"m{n}")
        if log:
            pg.psql(f"ALTER DATABASE m{n} SET log_min_duration_statement = 0")
        load = os.getloadavg()[0]
        s0, c0 = server_cpu(pg), client_cpu()
        r = subprocess.run([os.path.join(build, "fleet_bench"), "--db", uri, "--processes", p,
                            "--items", str(items), *extra], capture_output=True, text=True)
        s1, c1 = server_cpu(pg), client_cpu()
        line = r.stdout.strip().splitlines()[0] if r.returncode == 0 else r.stderr
        print(f"load {load:.1f}: {line}; CPU per item: clients {1e6 * (c1 - c0) / items:.1f} us,"
              f" server {1e6 * (s1 - s0) / items:.1f} us", flush=True)
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
