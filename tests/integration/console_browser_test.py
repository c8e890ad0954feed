#!/usr/bin/python3
"""The console (`imagemill serve` at /) in a real browser: Debian's chromium, headless, driven by
puppeteer-core (npm, scripts/fetch-npm-tools.sh) through console_browser.js.

The server runs on a temporary SQLite database over a folder of the sample photos, plus a key a
page must show and never run (`<script>.jpg`) and an empty `broken.jpg`. The browser starts a
run from the form, watches its progress move and the run end FAILED (the empty file is over the
5 % tolerance), sees broken.jpg among the failed items with its cause; the file is mended and
Redrive makes the run SUCCEEDED. It then searches Dog, opens dog.jpg and checks each drawn box
against the stored BoundingBox, and checks `<script>.jpg` is shown as text. Screenshots of each
page are kept in <build>/console-screenshots/.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import (CACHE, IMAGEMILL, SOURCE_DIR, Server,  # noqa: E402
                           expect, sample_photos)

CHROMIUM = "/usr/bin/chromium"


def main():
    if not os.path.exists(CHROMIUM):
        sys.exit("FAILED: chromium is not installed (scripts/install-deps.sh --test installs it)")
    modules = subprocess.run([os.path.join(SOURCE_DIR, "scripts/fetch-npm-tools.sh"),
                              "--print-puppeteer"], check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
    work = tempfile.mkdtemp(prefix="imagemill-console-")
    photos, count = sample_photos(work)
    shutil.copy(os.path.join(photos, "dog.jpg"), os.path.join(photos, "<script>.jpg"))
    open(os.path.join(photos, "broken.jpg"), "wb").close()
    shots = os.path.join(os.path.dirname(IMAGEMILL), "console-screenshots")
    os.makedirs(shots, exist_ok=True)
    db = os.path.join(work, "console.db")
    server = Server(work, db, ["--no-detect-labels", "--workers", "2", "--max-items-per-batch",
                               "2", "--state-dir", os.path.join(work, "state")])
    try:
        env = dict(os.environ, NODE_PATH=modules, CHROMIUM=CHROMIUM)
        result = subprocess.run(["node", os.path.join(SOURCE_DIR,
                                                      "tests/integration/console_browser.js"),
                                 server.endpoint, photos, shots, str(count + 2)],
                                env=env, timeout=600)
        expect(result.returncode == 0, "the browser's checks (above)")
        renditions = [f for _, _, files in os.walk(os.path.join(work, "state")) for f in files]
        expect(len(renditions) >= count, f"renditions are cached on disk ({len(renditions)})")
    finally:
        code = server.stop()
        if code != 0:
            print(server.log(), file=sys.stderr)
        expect(code == 0, "SIGTERM stops the server cleanly")
    shutil.rmtree(work)
    print(f"console browser test: passed; screenshots in {shots}")


if __name__ == "__main__":
    main()
