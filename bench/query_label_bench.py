#!/usr/bin/env python3
"""What `imagemill query --label Dog` costs over a large label index, SQLite and PostgreSQL, for
the three forms its SQL has had:

  ungrouped   before 2ff79b7: an index range scan on labels_by_label, stopping at LIMIT; an image
              with two answers carrying the label (labels and faces) is listed twice
  grouped     2ff79b7: one row per image by GROUP BY (SQLite) / DISTINCT ON (PostgreSQL), which
              reads every matching row and sorts them before LIMIT
  index       now: the same range scan, each row kept unless a more confident answer of the same
              image carries the label (NOT EXISTS on the primary key / labels_by_answer)

  bench/query_label_bench.py BUILD [--sizes 100000 1000000] [--repeats 5] [--postgres]

Each size is a generated table of that many images answered Dog (confidence spread 55-100), each
also indexed under Animal and Mammal, a tenth of them with a second answer (kind faces) carrying
Dog too. Each form runs with LIMIT 1000 (query's default), median of --repeats after one warm-up,
timed in the database (SQLite: Debian's library from Python; PostgreSQL: EXPLAIN ANALYZE's
execution time); and `imagemill query --label Dog` end to end (the process, wall). Prints a
Markdown section on stdout; no timing is asserted.
"""
import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import fleet  # noqa: E402

FORMS = {
    "sqlite": {
        "ungrouped": "SELECT s.uri, l.id, l.kind, l.label, l.confidence FROM labels l "
                     "INDEXED BY labels_by_label JOIN sources s ON s.id = l.source "
                     "WHERE l.label = 'Dog' AND l.confidence >= 0 AND ('' = '' OR s.uri = '') "
                     "ORDER BY l.confidence DESC, l.id LIMIT 1000 OFFSET 0",
        "grouped": "SELECT s.uri, l.id, l.kind, l.label, max(l.confidence) AS c FROM labels l "
                   "INDEXED BY labels_by_label JOIN sources s ON s.id = l.source "
                   "WHERE l.label = 'Dog' AND l.confidence >= 0 AND ('' = '' OR s.uri = '') "
                   "GROUP BY l.source, l.id ORDER BY c DESC, l.id LIMIT 1000 OFFSET 0",
        "index": None,  # read from the source below
    },
    "postgresql": {
        "ungrouped": "SELECT s.uri, l.id, l.kind, l.label, l.confidence FROM labels l "
                     "JOIN sources s ON s.id = l.source WHERE lower(l.label) = lower('Dog') "
                     "AND l.confidence >= 0 AND ('' = '' OR s.uri = '') "
                     "ORDER BY lower(l.label), l.confidence DESC, l.id LIMIT 1000 OFFSET 0",
        "grouped": "SELECT uri, id, kind, label, confidence FROM (SELECT DISTINCT ON "
                   "(l.source, l.id) s.uri, l.id, l.kind, l.label, l.confidence FROM labels l "
                   "JOIN sources s ON s.id = l.source WHERE lower(l.label) = lower('Dog') "
                   "AND l.confidence >= 0 AND ('' = '' OR s.uri = '') "
                   "ORDER BY l.source, l.id, l.confidence DESC, l.kind) best "
                   "ORDER BY confidence DESC, id LIMIT 1000 OFFSET 0",
        "index": None,
    },
}


def current_sql(top, backend):
    """The query QueryLabel runs now, from its source, with the benchmark's values bound."""
    path = os.path.join(top, "src", "db", "sqlite_results.cc" if backend == "sqlite"
                        else "postgres_results.cc")
    src = open(path).read()
    body = src[src.index("QueryLabel(const LabelQuery& q)"):]
    if backend != "sqlite":
        body = body[body.index("exec_params("):]
    body = body[:body.index("  std::vector<LabelHit> out;" if backend == "sqlite" else "q.label,")]
    body = re.sub(r"//[^\n]*", "", body)  # comments may quote too
    sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))
    if backend == "sqlite":
        for value in ["'Dog'", "0", "''", "''", "1000", "0"]:
            sql = sql.replace("?", value, 1)
    else:
        for n, value in [(1, "'Dog'"), (2, "0"), (3, "''"), (4, "1000"), (5, "0")]:
            sql = sql.replace("$%d" % n, value)
    return sql


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        times.append(fn())
    return statistics.median(times)


def fill_sqlite(path, n):
    db = sqlite3.connect(path)
    db.executescript(f"""
      INSERT OR IGNORE INTO sources (id, uri) VALUES (1, '/photos');
      WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < {n - 1})
      INSERT INTO labels (source, id, kind, label, confidence, direct)
        SELECT 1, printf('img/%08d.jpg', x), 'labels', name,
               55 + ((x * 7919) % 45000) / 1000.0 - (CASE name WHEN 'Dog' THEN 0 ELSE 0.5 END),
               name = 'Dog'
        FROM i, (SELECT 'Dog' AS name UNION ALL SELECT 'Animal' UNION ALL SELECT 'Mammal');
      WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 10 FROM i WHERE x < {n - 10})
      INSERT INTO labels (source, id, kind, label, confidence, direct)
        SELECT 1, printf('img/%08d.jpg', x), 'faces', 'Dog', 50 + (x % 50), 1 FROM i;
      ANALYZE;
    """)
    db.commit()
    db.close()


def fill_postgres(pg, db, n):
    pg.psql(f"""
      INSERT INTO sources (id, uri) VALUES (1, '/photos') ON CONFLICT DO NOTHING;
      INSERT INTO labels (source, id, kind, label, confidence, direct)
        SELECT 1, 'img/' || lpad(x::text, 8, '0') || '.jpg', 'labels', name,
               55 + ((x::bigint * 7919) % 45000) / 1000.0 - CASE name WHEN 'Dog' THEN 0 ELSE 0.5 END,
               name = 'Dog'
        FROM generate_series(0, {n - 1}) x, (VALUES ('Dog'), ('Animal'), ('Mammal')) v(name);
      INSERT INTO labels (source, id, kind, label, confidence, direct)
        SELECT 1, 'img/' || lpad(x::text, 8, '0') || '.jpg', 'faces', 'Dog', 50 + (x % 50), true
        FROM generate_series(0, {n - 1}, 10) x;
    """, db=db)
    pg.psql("VACUUM ANALYZE labels", db=db)


def wall_ms(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.monotonic() - t0) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000, 1000000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--postgres", action="store_true", help="PostgreSQL too (starts its own)")
    a = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    imagemill = os.path.join(os.path.abspath(a.build), "imagemill")
    for backend in FORMS:
        FORMS[backend]["index"] = current_sql(top, backend)
    rows = []
    work = tempfile.mkdtemp(prefix="query-label-bench-")
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    query = [imagemill, "query", "--label", "Dog"]
    for n in a.sizes:
        path = os.path.join(work, f"q{n}.db")
        subprocess.run([imagemill, "run", empty, "--db", "sqlite:" + path, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fill_sqlite(path, n)
        db = sqlite3.connect(path)

        def lite(sql):
            t0 = time.perf_counter()
            db.execute(sql).fetchall()
            return (time.perf_counter() - t0) * 1000
        row = {"backend": "SQLite", "images": n}
        for form, sql in FORMS["sqlite"].items():
            row[form] = median_ms(lambda: lite(sql), a.repeats)
        row["cli"] = median_ms(lambda: wall_ms(query + ["--db", "sqlite:" + path]), a.repeats)
        db.close()
        os.remove(path)
        rows.append(row)
    if a.postgres:
        with fleet.Postgres() as pg:
            for n in a.sizes:
                name = f"q{n}"
                uri = pg.create_database(name)
                subprocess.run([imagemill, "run", empty, "--db", uri, "--quiet"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                fill_postgres(pg, name, n)

                def explain(sql):
                    out = pg.psql("EXPLAIN (ANALYZE, TIMING OFF) " + sql, db=name)
                    return float(re.search(r"Execution Time: ([0-9.]+) ms", out).group(1))
                row = {"backend": "PostgreSQL", "images": n}
                for form, sql in FORMS["postgresql"].items():
                    row[form] = median_ms(lambda: explain(sql), a.repeats)
                row["cli"] = median_ms(lambda: wall_ms(query + ["--db", uri]), a.repeats)
                pg.psql(f'DROP DATABASE "{name}"')
                rows.append(row)
    load = open("/proc/loadavg").read().split()[0]
    print("## query --label: one row per image")
    print()
    print("`imagemill query --label Dog` (LIMIT 1000, the default) over a generated label index:")
    print("each image answered Dog, Animal and Mammal, a tenth with a faces answer carrying Dog")
    print("too. Milliseconds in the database, median of %d (1-min load at the end %s); the last" %
          (a.repeats, load))
    print("column is the whole command, wall time (process start, open, query, print).")
    print()
    print("| database | images with Dog | before 2ff79b7 (one row per answer) | 2ff79b7 (GROUP BY / "
          "DISTINCT ON) | now (NOT EXISTS, index scan) | `imagemill query --label Dog` now |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %.1f | %.1f | %.1f | %.0f |" % (
            r["backend"], f"{r['images']:,}", r["ungrouped"], r["grouped"], r["index"], r["cli"]))
    print()
    print("```")
    print("bench/query_label_bench.py build --sizes %s --repeats %d%s" % (
        " ".join(str(s) for s in a.sizes), a.repeats, " --postgres" if a.postgres else ""))
    print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
