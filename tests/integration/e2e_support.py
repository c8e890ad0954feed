"""What the end-to-end tests share: the paths the test runner sets, running the imagemill binary,
and the check that stops a test with what failed.

Reads IMAGEMILL (the binary), IMAGEMILL_SOURCE_DIR and IMAGEMILL_CACHE, as ctest sets them.
"""
import os
import subprocess
import sys

IMAGEMILL = os.environ.get("IMAGEMILL", "")
SOURCE = os.environ.get("IMAGEMILL_SOURCE_DIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.environ.get("IMAGEMILL_CACHE", os.path.join(SOURCE, ".cache"))
ENV = dict(os.environ, IMAGEMILL_CACHE=CACHE)


def run(*args, check=None, env=ENV):
    """`imagemill ARGS`; with `check`, the test stops unless it exits so, showing both streams."""
    p = subprocess.run([IMAGEMILL, *args], capture_output=True, text=True, env=env)
    if check is not None and p.returncode != check:
        sys.exit(f"imagemill {' '.join(args)} exited {p.returncode}, wanted {check}\n"
                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def expect(cond, what):
    """Stops the test with `what` unless `cond`; otherwise prints it as passed."""
    if not cond:
        sys.exit("FAILED: " + what)
    print("ok:", what, flush=True)
