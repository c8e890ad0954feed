"""Shared by the `imagemill serve` end-to-end tests: starting s3rver and `imagemill serve`, and
checking every answer the server gives against botocore's service models (Debian's
python3-botocore), the oracle for AWS's shapes.

Import from tests run by /usr/bin/python3, so Debian's botocore and boto3 are the ones used.
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
import botocore.session

IMAGEMILL = os.environ.get("IMAGEMILL", "")
SOURCE_DIR = os.environ.get("IMAGEMILL_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CACHE = os.environ.get("IMAGEMILL_CACHE", os.path.join(SOURCE_DIR, ".cache"))

ACCESS_KEY = "AKIAIMAGEMILLTEST01"
SECRET_KEY = "imagemill-test-secret/with+chars="
REGION = "eu-west-1"

CHECKS = {"passed": 0}


def expect(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)
    CHECKS["passed"] += 1
    print("ok:", what)


def sample_photos(work):
    """Copies the sample photos (scripts/fetch-samples.sh) to WORK/photos; returns the folder and
    how many there are."""
    photos = os.path.join(work, "photos")
    os.makedirs(photos)
    samples = sorted(glob.glob(os.path.join(CACHE, "samples", "*.jpg")))
    expect(len(samples) >= 5, "the sample photos are in the cache (scripts/fetch-samples.sh)")
    for s in samples:
        shutil.copy(s, photos)
    return photos, len(samples)


def credentials_file(work):
    """An AWS credentials file with the test's key (ACCESS_KEY, SECRET_KEY), for --credentials."""
    path = os.path.join(work, "credentials")
    with open(path, "w") as f:
        f.write(f"[server]\naws_access_key_id = {ACCESS_KEY}\n"
                f"aws_secret_access_key = {SECRET_KEY}\n")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"FAILED: nothing listens on port {port} after {timeout} s")


class S3rver:
    """s3rver (npm, installed by scripts/fetch-npm-tools.sh) on a free loopback port."""

    def __init__(self, work):
        script = subprocess.run([os.path.join(SOURCE_DIR, "scripts/fetch-npm-tools.sh"),
                                 "--print-s3rver"], check=True, capture_output=True,
                                text=True).stdout.strip().splitlines()[-1]
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                        AWS_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                        NODE_OPTIONS="--openssl-legacy-provider")
        self.proc = subprocess.Popen(["node", script, "--directory", os.path.join(work, "s3"),
                                      "--address", "127.0.0.1", "--port", str(self.port),
                                      "--silent", "--no-vhost-buckets"], env=self.env)
        wait_for_port(self.port)

    def aws(self, *args):
        return subprocess.run(["/usr/bin/aws", "--endpoint-url", self.endpoint, *args], env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Server:
    """`imagemill serve` on a free port over `db` (a SQLite file's path, or a database URI), signed
    requests required. Its access key is the test's
    (ACCESS_KEY, SECRET_KEY) from the environment, unless `env` is given: then the caller gives
    the keys (a --credentials file) and `env` the server's own S3 credentials."""

    def __init__(self, work, db, extra=(), env=None):
        self.log_path = os.path.join(work, f"serve-{time.time_ns()}.log")
        if env is None:
            env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        self.env = dict(env, AWS_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        uri = db if "://" in db else "sqlite:" + db  # a path, or a URI (postgresql://...)
        self.proc = subprocess.Popen([IMAGEMILL, "serve", "--db", uri, "--port", "0",
                                      *extra], env=self.env, stdout=subprocess.PIPE,
                                     stderr=open(self.log_path, "w"), text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.proc.wait(timeout=10)
            sys.exit("FAILED: imagemill serve did not start:\n" + open(self.log_path).read())
        self.endpoint = line

    def log(self):
        return open(self.log_path).read()

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(timeout=60)
        return code


def client_env(access_key=ACCESS_KEY, secret=SECRET_KEY):
    return dict(os.environ, AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret,
                AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
                AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")


def aws_cli(endpoint, *args, env=None, check=True):
    """Debian's awscli against the server; returns (exit code, stdout, stderr)."""
    p = subprocess.run(["/usr/bin/aws", "--endpoint-url", endpoint, "--output", "json", *args],
                       env=env or client_env(), capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"FAILED: aws {' '.join(args)}: {p.stderr}")
    return p.returncode, p.stdout, p.stderr


# --- Checking answers against botocore's models -------------------------------------------------

class ShapeError(Exception):
    pass


def check_shape(value, shape, path):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected an object for {shape.name}, got {value!r:.80}")
        for name in value:
            if name not in shape.members:
                raise ShapeError(f"{path}.{name}: not a member of {shape.name}")
        for name in shape.required_members:
            if name not in value:
                raise ShapeError(f"{path}.{name}: required by {shape.name}, missing")
        for name, member in shape.members.items():
            if name in value:
                check_shape(value[name], member, f"{path}.{name}")
    elif t == "list":
        if not isinstance(value, list):
            raise ShapeError(f"{path}: expected a list, got {value!r:.80}")
        for i, v in enumerate(value):
            check_shape(v, shape.member, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected a map, got {value!r:.80}")
        for k, v in value.items():
            check_shape(k, shape.key, f"{path}<key>")
            check_shape(v, shape.value, f"{path}.{k}")
    elif t == "string":
        if not isinstance(value, str):
            raise ShapeError(f"{path}: expected a string, got {value!r:.80}")
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            raise ShapeError(f"{path}: {value!r} is not one of {enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ShapeError(f"{path}: expected an integer, got {value!r:.80}")
    elif t in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ShapeError(f"{path}: expected a number, got {value!r:.80}")
    elif t == "boolean":
        if not isinstance(value, bool):
            raise ShapeError(f"{path}: expected a boolean, got {value!r:.80}")
    elif t == "timestamp":
        if not isinstance(value, (int, float, str)) or isinstance(value, bool):
            raise ShapeError(f"{path}: expected a timestamp, got {value!r:.80}")
    elif t == "blob":
        if not isinstance(value, str):
            raise ShapeError(f"{path}: expected base64 text, got {value!r:.80}")


class ModelChecker:
    """Hooks a boto3 client so that every raw answer is checked against the operation's output
    shape (or, for an error, that its __type is a name the service uses)."""

    def __init__(self):
        self.checked = 0
        self.problems = []

    def attach(self, client):
        client.meta.events.register("after-call", self._after_call)
        return client

    def _after_call(self, http_response=None, parsed=None, model=None, **kwargs):
        body = http_response.content
        try:
            doc = json.loads(body) if body else {}
        except ValueError:
            self.problems.append(f"{model.name}: the answer is not JSON: {body[:200]!r}")
            return
        try:
            if http_response.status_code >= 300:
                if "__type" not in doc or "message" not in doc:
                    raise ShapeError(f"error without __type and message: {doc}")
            elif model.output_shape is not None:
                check_shape(doc, model.output_shape, model.name)
            self.checked += 1
        except ShapeError as e:
            self.problems.append(f"{model.name}: {e}")


def boto_client(service, endpoint, checker, access_key=ACCESS_KEY, secret=SECRET_KEY):
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret,
                                    region_name=REGION)
    client = session.client(service, endpoint_url=endpoint, config=botocore.config.Config(
        retries={"max_attempts": 1}, connect_timeout=10, read_timeout=120))
    return checker.attach(client)
