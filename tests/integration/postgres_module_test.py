#!/usr/bin/env python3
"""The PostgreSQL backend is a module (libimagemill_postgres.so) that a process maps only when it
opens a postgresql:// database, read from /proc/PID/maps while the process runs:

- `imagemill serve` on SQLite has not mapped the module; the engine alone on SQLite
  (engine_bench, which links no image decoders) has mapped no libpq either, unless a unity build
  linked OpenCV's codecs into it (they bring GDAL, which brings libpq);
- `imagemill executions list` on a postgresql:// database maps the module and libpq while it
  waits for the (absent) server;
- a binary with no module beside it and none installed says which file it misses and what to do.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_support import ENV, IMAGEMILL, expect  # noqa: E402
from serve_support import Server  # noqa: E402

MODULE = "libimagemill_postgres.so"
BUILD = os.path.dirname(IMAGEMILL)
NOBODY = "postgresql://imagemill@127.0.0.1:9/imagemill"  # the discard port: refused at once


def mapped_files(pid):
    """The file names /proc/PID/maps shows mapped."""
    with open(f"/proc/{pid}/maps") as f:
        return {os.path.basename(line.split()[5]) for line in f if len(line.split()) >= 6}


def maps_any(files, prefix):
    return any(name.startswith(prefix) for name in files)


def maps_while_waiting_for_postgres(binary):
    """Runs `binary executions list` on a postgresql:// database nobody serves, waiting up to
    3 s for it; returns (files mapped once the module is, or last seen; exit code; stderr)."""
    p = subprocess.Popen([binary, "executions", "list", "--db", NOBODY],
                         env=dict(ENV, IMAGEMILL_DB_WAIT="3"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    files = set()
    deadline = time.monotonic() + 10
    while p.poll() is None and time.monotonic() < deadline:
        try:
            files = mapped_files(p.pid)
        except OSError:
            break
        if MODULE in files:
            break
        time.sleep(0.02)
    _, err = p.communicate(timeout=30)
    return files, p.returncode, err


def main():
    work = tempfile.mkdtemp(prefix="pgmodule-")
    try:
        # SQLite: serve has opened its database once it prints its address.
        server = Server(work, os.path.join(work, "serve.db"))
        try:
            files = mapped_files(server.proc.pid)
        finally:
            server.stop()
        expect(maps_any(files, "libsqlite3"), "serve on SQLite maps SQLite (the maps are read)")
        expect(MODULE not in files, f"serve on SQLite has not loaded {MODULE}")

        # The engine on SQLite: maps read once its database is open (its first line).
        bench = os.path.join(BUILD, "engine_bench")
        expect(os.access(bench, os.X_OK), f"{bench} is built (cmake --build {BUILD} --target "
               "engine_bench; make test builds it)")
        p = subprocess.Popen(["stdbuf", "-oL", bench, "--items", "2000000"], stdout=subprocess.PIPE, text=True,
                             env=dict(ENV, TMPDIR=work), cwd=work)
        try:
            line = p.stdout.readline()
            files = mapped_files(p.pid)
        finally:
            p.kill()
            p.wait()
        expect("items" in line, f"engine_bench runs ({line.strip()!r})")
        expect(maps_any(files, "libsqlite3"), "the engine on SQLite maps SQLite")
        expect(MODULE not in files and not maps_any(files, "libpqxx"),
               f"the engine on SQLite maps neither {MODULE} nor libpqxx")
        # OpenCV's image codecs bring GDAL, and GDAL brings libpq. The engine alone links no
        # codec, except in a unity build (make test's), whose objects batch decoders with it.
        if maps_any(files, "libgdal"):
            print("note: this engine_bench maps GDAL (a unity build), and with it libpq")
        else:
            expect(not maps_any(files, "libpq"),
                   "the engine on SQLite maps no libpq: " + ", ".join(sorted(
                       f for f in files if f.startswith(("libpq", "libssl", "libkrb", "libldap")))))

        # postgresql://: the module and libpq are mapped while the server is waited for.
        files, code, err = maps_while_waiting_for_postgres(IMAGEMILL)
        expect(MODULE in files and maps_any(files, "libpq.so"),
               f"a postgresql:// database maps {MODULE} and libpq")
        expect(code == 1 and "127.0.0.1:9" in err and "IMAGEMILL_DB_WAIT" in err,
               f"the unreachable server is named with what to do (exit {code}): {err.strip()}")

        # A binary with no module beside it nor in ../lib/imagemill.
        lonely = os.path.join(work, "bin", "imagemill")
        os.makedirs(os.path.dirname(lonely))
        shutil.copy(IMAGEMILL, lonely)
        p = subprocess.run([lonely, "executions", "list", "--db", NOBODY], capture_output=True,
                           text=True, env=dict(ENV, IMAGEMILL_DB_WAIT="0"))
        expect(p.returncode != 0 and MODULE in p.stderr and "make install" in p.stderr
               and os.path.join(work, "lib", "imagemill") in p.stderr,
               f"a missing module is named, with where it was looked for and what to do: "
               f"{p.stderr.strip()}")
        p = subprocess.run([lonely, "executions", "list", "--db", os.path.join(work, "x.db")],
                           capture_output=True, text=True, env=ENV)
        expect("no database at" in p.stderr and MODULE not in p.stderr,
               "the same binary still opens SQLite databases without the module")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("postgres_module: the PostgreSQL backend is loaded only for postgresql:// databases")


if __name__ == "__main__":
    main()
