#!/usr/bin/env python3
"""The seed's own flow against a real S3 server (s3rver, started here on 127.0.0.1):

- images uploaded with awscli under a prefix `sample`, beside `samples.jpg` and `other/`;
- `imagemill run s3://bucket/sample --result-writer s3://out/imageLabelJobs`;
- answers in the table for exactly the keys under the prefix (S3 prefix semantics);
- manifest.json and result files in the output bucket, read back with awscli;
- an object deleted mid-run fails that item only;
- wrong credentials, a missing bucket and a dead endpoint: a clear error and exit 2, before any work.
"""
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
from e2e_support import expect

IMAGEMILL = os.environ["IMAGEMILL"]
TESTDATA = os.environ["IMAGEMILL_TESTDATA"]
SOURCE_DIR = os.environ["IMAGEMILL_SOURCE_DIR"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    script = subprocess.run([os.path.join(SOURCE_DIR, "scripts/fetch-npm-tools.sh"), "--print-s3rver"],
                            check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    work = tempfile.mkdtemp(prefix="imagemill-s3-")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
               AWS_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", NODE_OPTIONS="--openssl-legacy-provider")
    server = subprocess.Popen(["node", script, "--directory", os.path.join(work, "s3"), "--address",
                               "127.0.0.1", "--port", str(port), "--silent", "--no-vhost-buckets"],
                              env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        flow(work, endpoint, env)
    finally:
        server.terminate()
        server.wait()


def aws(env, endpoint, *args):
    return subprocess.run(["aws", "--endpoint-url", endpoint, *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def imagemill(env, *args):
    return subprocess.run([IMAGEMILL, *args], env=env, capture_output=True, text=True)


def flow(work, endpoint, env):
    photos = os.path.join(work, "photos")
    subprocess.run([TESTDATA, photos, "--count", "120", "--min-side", "1000", "--max-side", "1800"],
                   check=True)
    aws(env, endpoint, "s3", "mb", "s3://images")
    aws(env, endpoint, "s3", "mb", "s3://out")
    aws(env, endpoint, "s3", "cp", "--recursive", "--quiet", photos, "s3://images/sample/")
    one = os.path.join(photos, sorted(os.listdir(photos))[0])
    first = os.path.join(one, sorted(os.listdir(one))[0])
    aws(env, endpoint, "s3", "cp", "--quiet", first, "s3://images/samples.jpg")
    aws(env, endpoint, "s3", "cp", "--quiet", first, "s3://images/other/not-under-prefix.jpg")
    aws(env, endpoint, "s3", "cp", "--quiet", first, "s3://images/sample/zz last photo+1 é.jpg")

    db = os.path.join(work, "t.db")
    base = ["--endpoint-url", endpoint, "--db", "sqlite:" + db]

    # Errors before any work.
    bad = dict(env, AWS_ACCESS_KEY_ID="WRONGKEY")
    p = imagemill(bad, "run", "s3://images/sample", *base, "--json")
    expect(p.returncode == 2 and "images" in p.stderr, "wrong credentials: exit 2 naming the bucket: " + p.stderr.strip())
    p = imagemill(env, "run", "s3://no-such-bucket/x", *base)
    expect(p.returncode == 2 and "no-such-bucket" in p.stderr, "missing bucket: exit 2: " + p.stderr.strip())
    dead = ["--endpoint-url", f"http://127.0.0.1:{free_port()}", "--db", "sqlite:" + db]
    p = imagemill(env, "run", "s3://images/sample", *dead, "--retry-max-attempts", "0")
    expect(p.returncode == 2 and "127.0.0.1" in p.stderr, "dead endpoint: exit 2: " + p.stderr.strip())
    with sqlite3.connect(db) as c:
        expect(c.execute("SELECT count(*) FROM executions").fetchone()[0] == 0, "and nothing ran")

    # The seed's flow, with one object deleted while the run is under way.
    proc = subprocess.Popen([IMAGEMILL, "run", "s3://images/sample", *base, "--execution-name", "seed",
                             "--result-writer", "s3://out/imageLabelJobs", "--workers", "1",
                             "--fetchers", "1", "--max-concurrency", "2",
                             "--max-items-per-batch", "5", "--tolerated-failure-count", "1",
                             "--json", "--quiet"], env=env, stdout=subprocess.PIPE, text=True)
    # Delete the last key once the first batch is done: its batch has not been claimed yet.
    for _ in range(1000):
        try:
            with sqlite3.connect(db) as c:
                if c.execute("SELECT count(*) FROM batches WHERE status='DONE'").fetchone()[0] > 0:
                    break
        except sqlite3.Error:
            pass
        time.sleep(0.01)
    aws(env, endpoint, "s3", "rm", "s3://images/sample/zz last photo+1 é.jpg")
    out, _ = proc.communicate()
    summary = json.loads(out)
    counts = summary["itemCounts"]
    expect(proc.returncode == 0 and summary["status"] == "SUCCEEDED", "the run succeeds within tolerance")
    expect(counts["total"] == 122, "prefix 'sample' lists sample/... and samples.jpg (122 keys)")
    expect(counts["succeeded"] == 121 and counts["failed"] == 1, "the deleted object failed alone")

    with sqlite3.connect(db) as c:
        ids = {r[0] for r in c.execute("SELECT id FROM results")}
        err = c.execute("SELECT error, cause FROM items WHERE status='FAILED'").fetchone()
    expect("samples.jpg" in ids and "other/not-under-prefix.jpg" not in ids, "S3 prefix semantics")
    expect(err[0] == "NotFound" and "zz last photo+1 é.jpg" in err[1], f"NotFound naming the key: {err[1]}")

    listing = aws(env, endpoint, "s3", "ls", "--recursive",
                  "s3://out/imageLabelJobs/" + summary["mapRunId"] + "/")
    keys = [line.split()[-1] for line in listing.splitlines()]
    manifest_key = [k for k in keys if k.endswith("manifest.json")]
    expect(len(manifest_key) == 1, "manifest.json is in the output bucket")
    manifest = json.loads(aws(env, endpoint, "s3", "cp", "s3://out/" + manifest_key[0], "-"))
    expect(summary["manifest"] == "s3://out/" + manifest_key[0], "the summary names the manifest")
    expect(manifest["DestinationBucket"] == "out", "DestinationBucket is the bucket's name")
    statuses = {}
    for status, files in manifest["ResultFiles"].items():
        for f in files:
            for record in json.loads(aws(env, endpoint, "s3", "cp", "s3://out/" + f["Key"], "-")):
                items = json.loads(record["Input"])["Items"]
                expect(all(i["Bucket"] == "images" for i in items),
                       "Input names the bucket by its name, not an s3:// URL")
                for entry in json.loads(record.get("Output", "[]")):
                    statuses[entry["Name"]] = entry["Status"]
                    if entry["Status"] == "SUCCEEDED":
                        body = entry["Output"]
                        expect("ImageProperties" in body or "Labels" in body, "items carry the answer")
    expect(list(statuses.values()).count("SUCCEEDED") == counts["succeeded"] and
           list(statuses.values()).count("FAILED") == counts["failed"],
           "the result files account for every processed item")
    print("s3 flow: all checks passed")


if __name__ == "__main__":
    main()
