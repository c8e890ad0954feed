#!/usr/bin/env python3
"""The many-machines test bed works as the fault tests need it:

- a PostgreSQL server started here is reached over TCP from two network-namespace hosts
  (198.51.100.2 and .3, through a bridge at 198.51.100.1), never through its Unix socket;
- with 5 % of one host's packets dropped (nftables), 40 statements from that host still all
  succeed (TCP retransmits);
- a cut link makes a connection attempt fail within libpq's connect timeout, and healing it
  brings the host back;
- the namespaces, the bridge and the veth pairs are gone afterwards.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from e2e_support import expect  # noqa: E402


def psql(host, pg, sql, timeout=5):
    return host.exec(f"{pg.bin}/psql", "-X", "-At", "-d", pg.uri(host=fleet.TEST_NET + ".1"),
                     "-c", sql, check=False,
                     env={**os.environ, "PGCONNECT_TIMEOUT": str(timeout)})


def main():
    with fleet.Bridge() as bridge, \
            fleet.Postgres(listen=("127.0.0.1", bridge.address)) as pg, \
            fleet.Host(bridge, 2) as a, fleet.Host(bridge, 3) as b:
        pg.psql("CREATE TABLE hits (host text)")
        for h in (a, b):
            p = psql(h, pg, f"INSERT INTO hits VALUES ('{h.address}') RETURNING inet_client_addr()")
            expect(p.returncode == 0 and p.stdout.strip().split("\n")[0] == h.address,
                   f"{h.address} reaches PostgreSQL over TCP as itself {p.stderr}")
        a.lose_packets(5)
        ok = sum(psql(a, pg, "INSERT INTO hits VALUES ('lossy')").returncode == 0
                 for _ in range(40))
        expect(ok == 40, f"40 of 40 statements succeed at 5 % packet loss (got {ok})")
        a.heal()
        b.cut()
        start = time.monotonic()
        p = psql(b, pg, "SELECT 1", timeout=2)
        expect(p.returncode != 0 and time.monotonic() - start < 10,
               "a cut link fails the connection within the connect timeout")
        b.heal()
        p = psql(b, pg, "SELECT 1")
        expect(p.returncode == 0, f"a healed link works again {p.stderr}")
        expect(pg.psql("SELECT count(*) FROM hits") == "42", "every statement was recorded once")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    spaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    expect("imtest" not in links and "imv" not in links and "imtest" not in spaces,
           "the bridge, veth pairs and namespaces are removed")
    print("fleet_hosts_test: all passed")


if __name__ == "__main__":
    main()
