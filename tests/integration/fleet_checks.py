"""What the PostgreSQL end-to-end tests run and check: imagemill commands, the answers a database
holds, and that every batch and item was committed once.

Reads the paths the test runner sets: IMAGEMILL (the binary), IMAGEMILL_TESTDATA (the image
generator), IMAGEMILL_SOURCE_DIR and IMAGEMILL_CACHE.
"""
import json
import os
import subprocess
import sys
import time

from e2e_support import CACHE, ENV, IMAGEMILL, SOURCE, expect, run  # noqa: E402,F401
TESTDATA = os.environ["IMAGEMILL_TESTDATA"]


def generate(folder, count, min_side, max_side):
    """`count` generated images of `min_side`-`max_side` px in `folder`."""
    subprocess.run([TESTDATA, folder, "--count", str(count), "--min-side", str(min_side),
                    "--max-side", str(max_side)], check=True, capture_output=True)


def answers(db):
    """id -> sorted label names (or the whole answer, for processors without labels)."""
    out = {}
    for line in run("results", "--db", db, "--json", "--limit", "100000", check=0).stdout.splitlines():
        r = json.loads(line)
        resp = r["response"]
        out[r["id"]] = (sorted(l["Name"] for l in resp["Labels"]) if "Labels" in resp
                        else json.dumps(resp, sort_keys=True))
    return out


def committed(pg, db):
    """Items committed as succeeded, counted over every committed batch part."""
    return int(pg.psql("SELECT coalesce(sum(succeeded), 0) FROM batch_parts", db=db) or 0)


def each_batch_once(pg, db, batches, items):
    """Every batch done, each item committed by one part only: nothing completed twice."""
    done = pg.psql("SELECT count(*) || ' ' || sum(item_count) FROM batches_done", db=db)
    return done == f"{batches} {items}" and committed(pg, db) == items


def wait_committed(pg, db, n, deadline=60):
    """Waits until `n` items are committed in `db`; False after `deadline` seconds."""
    end = time.time() + deadline
    while time.time() < end:
        try:
            if committed(pg, db) >= n:
                return True
        except RuntimeError:  # the tables are not made yet, or the server is restarting
            pass
        time.sleep(0.05)
    return False
