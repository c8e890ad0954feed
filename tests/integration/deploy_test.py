#!/usr/bin/env python3
"""The fleet launchers in deploy/ are valid and do what they say.

- systemd: `systemd-analyze verify` accepts the template unit (instance 1) without a warning.
- Kubernetes: the Deployment and the Indexed Job decode into kubectl's typed objects without
  losing a field (a misspelt field would be dropped), run `imagemill worker` and take the
  database URL from the Secret's `url`.
- Slurm: the array script, submitted for real with `sbatch --array=0-5%2` to a two-node cluster
  started here, runs 6 tasks over both nodes, never more than 2 at once, each exec'ing
  `imagemill worker --db URL --execution NAME --exit-when-idle` (the real one, against a
  PostgreSQL server started here, on an execution `run --no-work` started): the execution
  succeeds with every image's result.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402

import yaml  # noqa: E402
from e2e_support import expect  # noqa: E402

SOURCE = os.environ.get("IMAGEMILL_SOURCE_DIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEPLOY = os.path.join(SOURCE, "deploy")
IMAGEMILL = os.environ["IMAGEMILL"]


def paths(value, prefix=""):
    """Every key path in a decoded YAML/JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + "/" + k
            yield from paths(v, prefix + "/" + k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, f"{prefix}[{i}]")


def check_systemd(work):
    unit = os.path.join(DEPLOY, "systemd", "imagemill-worker@.service")
    with open(unit) as f:
        text = f.read()
    expect("ExecStart=/usr/local/bin/imagemill worker --db ${IMAGEMILL_DB}" in text,
           "the unit starts `imagemill worker` on the shared database")
    # verify wants the program to exist: point it at one that does.
    os.makedirs(os.path.join(work, "units"))
    copy = os.path.join(work, "units", "imagemill-worker@.service")
    with open(copy, "w") as f:
        f.write(text.replace("/usr/local/bin/imagemill", "/bin/true"))
    os.symlink(copy, os.path.join(work, "units", "imagemill-worker@1.service"))
    p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        os.path.join(work, "units", "imagemill-worker@1.service")],
                       capture_output=True, text=True)
    expect(p.returncode == 0 and not p.stderr.strip() and not p.stdout.strip(),
           f"systemd-analyze verify accepts the template unit without a warning {p.stderr}")


def kubectl_minor():
    """kubectl's client minor version (Debian 12's kubernetes-client is 1.20), or 0 if unknown."""
    p = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True,
                       text=True)
    try:
        return int(json.loads(p.stdout)["clientVersion"]["minor"].rstrip("+"))
    except (ValueError, KeyError, json.JSONDecodeError):
        return 0


def check_kubernetes():
    # Indexed Jobs (spec.completionMode) came with Kubernetes 1.21: an older kubectl drops the
    # field it does not know, so only a newer one can check it is kept.
    knows_indexed = kubectl_minor() >= 21
    if not knows_indexed:
        print("note: this kubectl predates Indexed Jobs (1.21); their field is not checked")
    for name, kind in (("worker-deployment.yaml", "Deployment"), ("worker-job.yaml", "Job")):
        path = os.path.join(DEPLOY, "kubernetes", name)
        with open(path) as f:
            doc = yaml.safe_load(f)
        p = subprocess.run(["kubectl", "set", "env", "--local", "-f", path, "IMAGEMILL_CHECK=1",
                            "-o", "json"], capture_output=True, text=True)
        expect(p.returncode == 0, f"kubectl decodes {name} {p.stderr}")
        decoded = json.loads(p.stdout)
        lost = set(paths(doc)) - set(paths(decoded))
        if not knows_indexed:
            lost = {f for f in lost if "completionMode" not in str(f)}
        expect(not lost, f"kubectl keeps every field of {name} (lost: {sorted(lost)})")
        expect(decoded["kind"] == kind, f"{name} is a {kind}")
        container = decoded["spec"]["template"]["spec"]["containers"][0]
        expect(container["args"][:3] == ["worker", "--db", "$(IMAGEMILL_DB)"],
               f"{name} runs imagemill worker on $(IMAGEMILL_DB)")
        env = {e["name"]: e for e in container["env"]}
        expect(env["IMAGEMILL_DB"]["valueFrom"]["secretKeyRef"] == {"name": "imagemill-db",
                                                                    "key": "url"},
               f"{name} takes the database URL from the imagemill-db Secret")
        if kind == "Job":
            spec = decoded["spec"] if knows_indexed else doc["spec"]
            expect(spec["completionMode"] == "Indexed", "the Job is an Indexed Job")
            expect("--exit-when-idle" in container["args"], "the Job's workers exit when idle")
    with open(os.path.join(DEPLOY, "kubernetes", "secret.example.yaml")) as f:
        secret = yaml.safe_load(f)
    expect(secret["kind"] == "Secret" and "url" in secret["stringData"],
           "the example Secret holds a url")


def check_slurm(work):
    out = os.path.join(work, "slurm")
    os.makedirs(out)
    photos = os.path.join(work, "photos")
    subprocess.run([os.environ["IMAGEMILL_TESTDATA"], photos, "--count", "60", "--min-side", "48",
                    "--max-side", "96"], check=True, capture_output=True)
    # The real imagemill worker, with its arguments and times recorded around it.
    wrapper = os.path.join(out, "imagemill")
    with open(wrapper, "w") as f:
        f.write(f"""#!/bin/bash
echo "$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $(date +%s.%N) start $*" >> {out}/calls
{IMAGEMILL} "$@" --workers 1 -q
rc=$?
echo "$SLURM_ARRAY_TASK_ID $SLURMD_NODENAME $(date +%s.%N) end $rc" >> {out}/calls
exit $rc
""")
    os.chmod(wrapper, 0o755)
    script = os.path.join(DEPLOY, "slurm", "imagemill-array.sbatch")
    with fleet.Postgres() as pg, fleet.Slurm() as slurm:
        db = pg.create_database("imagemill")
        # The execution is started (listed, followed) from here; the array's tasks run it.
        starter = subprocess.Popen([IMAGEMILL, "run", photos, "--db", db, "--execution-name",
                                    "june", "--no-work", "--processor", "image-properties",
                                    "--max-items-per-batch", "5", "--json"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(200):  # the tasks exit at once if the execution is not running yet
            if pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'executions'",
                       db="imagemill") == "1" and \
                    pg.psql("SELECT count(*) FROM executions", db="imagemill") == "1":
                break
            time.sleep(0.05)
        slurm.env.update({"IMAGEMILL": wrapper, "IMAGEMILL_DB": db})
        # The test nodes have 1 CPU each: the script asks for 2 unless told otherwise.
        job = slurm.sbatch("--array=0-5%2", "--cpus-per-task=1", script, "june", cwd=out)
        slurm.wait(job)
        summary = json.loads(starter.communicate(timeout=60)[0])
        results = pg.psql("SELECT count(*) FROM results", db="imagemill")
    with open(os.path.join(out, "calls")) as f:
        calls = [line.split() for line in f]
    starts = [c for c in calls if c[3] == "start"]
    ends = [c for c in calls if c[3] == "end"]
    expect(sorted(int(c[0]) for c in starts) == list(range(6)), "6 array tasks ran, once each")
    expect({c[1] for c in starts} == {"n1", "n2"}, "tasks ran on both nodes")
    expect(all(c[4:] == ["worker", "--db", db, "--execution", "june", "--exit-when-idle"]
               for c in starts), "each task runs imagemill worker on the execution until idle")
    expect(all(c[4] == "0" for c in ends), "every worker exited 0")
    expect(summary["status"] == "SUCCEEDED" and summary["itemCounts"]["succeeded"] == 60 and
           results == "60", "the workers ran the execution: SUCCEEDED, 60 results")
    events = sorted((float(c[2]), 1 if c[3] == "start" else -1) for c in calls)
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    expect(peak <= 2, f"never more than 2 tasks at once (%2), saw {peak}")
    logs = [n for n in os.listdir(out) if n.startswith("imagemill-") and n.endswith(".log")]
    expect(len(logs) == 6, "one log per task")


def main():
    with tempfile.TemporaryDirectory(prefix="imagemill-deploy-") as work:
        check_systemd(work)
        check_kubernetes()
        check_slurm(work)
    print("deploy_test: all passed")


if __name__ == "__main__":
    main()
