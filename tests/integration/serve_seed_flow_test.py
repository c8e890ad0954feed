#!/usr/bin/python3
"""The seed's flow end to end through `imagemill serve`, with the real clients (Debian's awscli
and python3-boto3) and s3rver:

- boto3 StartExecution over a local folder: RUNNING at once, SUCCEEDED later; the same name and
  input is the same execution, the same name with another input ExecutionAlreadyExists;
  DescribeMapRun's counts; GetItem returns the labels;
- awscli uploads the sample photos to the seed's bucket under its prefix; `aws events
  put-events` with the seed's event (its README's detail, unchanged) on the seed's bus starts an
  execution; `aws stepfunctions describe-execution` says SUCCEEDED, `describe-map-run` gives the
  counts, `aws dynamodb get-item` returns the labels, the manifest is in the output bucket;
- an S3 "Object Created" event labels that one new object;
- a wrong secret is refused; the rules outlive a restart of the server.
Every boto3 answer is checked against botocore's service models.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import botocore.exceptions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import (CHECKS,  # noqa: E402
                           ModelChecker, S3rver, Server, aws_cli, boto_client, client_env,
                           credentials_file, expect, sample_photos)

TABLE = "serverless-data-processing-table"
SEED_BUCKET = "youngj-image-dataset-bucket"  # the seed README's bucket and prefix
SEED_PREFIX = "sample"
OUTPUT = "s3://imagemill-output/imageLabelJobs"
# The seed README's "Send events" detail, as a user pastes it.
SEED_DETAIL = """{
    "myStateInput": {
        "Bucket": "youngj-image-dataset-bucket",
        "Prefix": "sample"
    }
}"""


def wait_until_done(sfn, arn, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            return d
        time.sleep(0.2)
    sys.exit(f"FAILED: {arn} still RUNNING after {timeout} s")


def labels_of(item):
    return [label["M"]["Name"]["S"] for label in item["labels"]["L"]]


def main():
    work = tempfile.mkdtemp(prefix="imagemill-seed-flow-")
    photos, count = sample_photos(work)
    db = os.path.join(work, "serve.db")
    s3 = S3rver(work)
    creds = credentials_file(work)
    args = ["--credentials", creds, "--endpoint-url", s3.endpoint, "--no-detect-labels",
            "--result-writer", OUTPUT, "--workers", "2"]
    try:
        s3.aws("s3", "mb", "s3://" + SEED_BUCKET)
        s3.aws("s3", "mb", "s3://imagemill-output")
        s3.aws("s3", "cp", "--quiet", "--recursive", photos, f"s3://{SEED_BUCKET}/{SEED_PREFIX}/")
        # The server reads S3 with s3rver's key (the environment); clients sign with the file's.
        server = Server(work, db, args, env=s3.env)
        try:
            checker = ModelChecker()
            local_folder(server, checker, photos, count)
            update_map_run(server, checker, work, photos)
            seed_event(server, checker, s3, count)
            object_created(server, checker, s3, photos)
            wrong_keys(server)
            expect(not checker.problems, "every answer matches botocore's models: " +
                   "; ".join(checker.problems[:5]))
        finally:
            expect(server.stop() == 0, "SIGTERM stops the server cleanly")
        server = Server(work, db, args, env=s3.env)
        try:
            _, out, _ = aws_cli(server.endpoint, "events", "list-rules", "--event-bus-name",
                                "default")
            names = [r["Name"] for r in json.loads(out)["Rules"]]
            expect("UserRule" in names, "a rule a user put is there after a restart: " + str(names))
        finally:
            server.stop()
    finally:
        s3.stop()
    shutil.rmtree(work, ignore_errors=True)
    print(f"serve seed flow: all {CHECKS['passed']} checks passed")


def local_folder(server, checker, photos, count):
    sfn = boto_client("stepfunctions", server.endpoint, checker)
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    started = time.time()
    arn = sfn.start_execution(stateMachineArn=machine, name="local-folder", input=json.dumps(
        {"myStateInput": {"Bucket": photos, "Prefix": ""}}))["executionArn"]
    running = sfn.describe_execution(executionArn=arn)
    print(f"StartExecution -> {running['status']} in {time.time() - started:.2f} s")
    expect(running["status"] in ("RUNNING", "SUCCEEDED"), "StartExecution returns once it runs")
    try:
        again = sfn.start_execution(stateMachineArn=machine, name="local-folder", input=json.dumps(
            {"myStateInput": {"Bucket": photos, "Prefix": ""}}))["executionArn"]
        expect(again == arn, "the same name and input while running is the same execution")
    except sfn.exceptions.ExecutionAlreadyExists:
        expect(sfn.describe_execution(executionArn=arn)["status"] != "RUNNING",
               "the same name and input once it has ended is ExecutionAlreadyExists")
    try:
        sfn.start_execution(stateMachineArn=machine, name="local-folder", input=json.dumps(
            {"myStateInput": {"Bucket": photos, "Prefix": "other"}}))
        expect(False, "the same name with another input is refused")
    except sfn.exceptions.ExecutionAlreadyExists as e:
        expect("another input" in str(e), "the same name with another input: " + str(e))
    done = wait_until_done(sfn, arn)
    expect(done["status"] == "SUCCEEDED", "the folder's execution SUCCEEDED: " + str(done))
    run = sfn.describe_map_run(mapRunArn=done["mapRunArn"])
    expect(run["itemCounts"]["succeeded"] == count and run["itemCounts"]["total"] == count,
           f"DescribeMapRun counts {count} items succeeded: {run['itemCounts']}")
    ddb = boto_client("dynamodb", server.endpoint, checker)
    item = ddb.get_item(TableName=TABLE, Key={"id": {"S": "dog.jpg"}})["Item"]
    expect("Dog" in labels_of(item), "GetItem returns the labels of dog.jpg: " +
           str(labels_of(item)))
    try:
        sfn.start_execution(stateMachineArn=machine, input='{"Bucket": "b"}')
        expect(False, "an input without myStateInput is refused")
    except sfn.exceptions.InvalidExecutionInput as e:
        expect("myStateInput" in str(e), "an input without myStateInput: " + str(e))


def seed_event(server, checker, s3, count):
    entry = {"Source": "serverless-data-processing", "DetailType": "ServerlessDataProcessing",
             "Detail": SEED_DETAIL, "EventBusName": "ServerlessDataProcessingBus"}
    started = time.time()
    _, out, _ = aws_cli(server.endpoint, "events", "put-events", "--entries", json.dumps([entry]))
    print(f"put-events answered in {time.time() - started:.2f} s")
    put = json.loads(out)
    expect(put["FailedEntryCount"] == 0, "aws events put-events takes the seed's event: " + out)
    sfn = boto_client("stepfunctions", server.endpoint, checker)
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    mine = [e for e in sfn.list_executions(stateMachineArn=machine)["executions"]
            if e["name"] not in ("local-folder", "update-map-run")]
    expect(len(mine) == 1, "the event started one execution: " + str(mine))
    arn = mine[0]["executionArn"]
    deadline = time.time() + 120
    while True:
        _, out, _ = aws_cli(server.endpoint, "stepfunctions", "describe-execution",
                            "--execution-arn", arn)
        described = json.loads(out)
        if described["status"] != "RUNNING" or time.time() > deadline:
            break
        time.sleep(0.2)
    expect(described["status"] == "SUCCEEDED",
           "aws stepfunctions describe-execution says SUCCEEDED: " + out)
    expect(json.loads(described["input"]) == json.loads(SEED_DETAIL),
           "its input is the event's detail: " + described["input"])
    _, out, _ = aws_cli(server.endpoint, "stepfunctions", "describe-map-run", "--map-run-arn",
                        described["mapRunArn"])
    counts = json.loads(out)["itemCounts"]
    expect(counts["succeeded"] == count and counts["failed"] == 0,
           f"aws stepfunctions describe-map-run counts {count} succeeded: {counts}")
    _, out, _ = aws_cli(server.endpoint, "dynamodb", "get-item", "--table-name", TABLE, "--key",
                        json.dumps({"id": {"S": f"{SEED_PREFIX}/dog.jpg"}}))
    item = json.loads(out)["Item"]
    expect("Dog" in labels_of(item), "aws dynamodb get-item returns the labels: " +
           str(labels_of(item)))
    listing = s3.aws("s3", "ls", "--recursive", OUTPUT + "/")
    manifests = [line.split()[-1] for line in listing.splitlines()
                 if line.endswith("manifest.json")]
    expect(manifests, "the manifest is in the output bucket: " + listing)
    output = json.loads(described["output"])["ResultWriterDetails"]
    manifest_key = output["Key"]
    expect(manifest_key in manifests, f"the output names the manifest {manifest_key}")
    manifest = json.loads(s3.aws("s3", "cp", "--quiet", f"s3://{output['Bucket']}/{manifest_key}",
                                 "-"))
    expect(manifest["MapRunArn"] == described["mapRunArn"] and
           manifest["ResultFiles"]["SUCCEEDED"],
           "the manifest names the map run DescribeExecution gives (" + described["mapRunArn"] +
           ") and its result files: " + json.dumps(manifest)[:300])


def update_map_run(server, checker, work, photos):
    """aws stepfunctions update-map-run changes a running map run's limits, as DescribeMapRun
    shows; a finished one, or a limit out of range, is a ValidationException."""
    many = os.path.join(work, "many")
    os.makedirs(many)
    for i in range(20):  # enough photos to be running still when the update lands
        for name in sorted(os.listdir(photos)):
            os.link(os.path.join(photos, name), os.path.join(many, f"{i}-{name}"))
    # Started with boto3 (milliseconds), updated with the aws command (a second or two).
    sfn = boto_client("stepfunctions", server.endpoint, checker)
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, name="update-map-run", input=json.dumps(
        {"myStateInput": {"Bucket": many, "Prefix": ""}}))["executionArn"]
    map_run = sfn.describe_execution(executionArn=arn)["mapRunArn"]
    code, _, err = aws_cli(server.endpoint, "stepfunctions", "update-map-run", "--map-run-arn",
                           map_run, "--max-concurrency", "1", "--tolerated-failure-count", "3",
                           check=False)
    _, out, _ = aws_cli(server.endpoint, "stepfunctions", "describe-map-run", "--map-run-arn",
                        map_run)
    run = json.loads(out)
    expect(code == 0 and run["maxConcurrency"] == 1 and run["toleratedFailureCount"] == 3,
           "describe-map-run shows the limits update-map-run set on the running map run: " +
           err + out)
    code, _, err = aws_cli(server.endpoint, "stepfunctions", "update-map-run", "--map-run-arn",
                           map_run, "--tolerated-failure-percentage", "150", check=False)
    expect(code != 0 and "ValidationException" in err,
           "a tolerated failure percentage over 100 is a ValidationException: " + err)
    try:
        sfn.stop_execution(executionArn=arn)
    except botocore.exceptions.ClientError:  # it has ended already
        pass
    code, _, err = aws_cli(server.endpoint, "stepfunctions", "update-map-run", "--map-run-arn",
                           map_run, "--max-concurrency", "2", check=False)
    expect(code != 0 and "ValidationException" in err and "not running" in err,
           "update-map-run of a map run that has ended is a ValidationException: " + err)


def object_created(server, checker, s3, photos):
    s3.aws("s3", "cp", "--quiet", os.path.join(photos, "kite.jpg"),
           f"s3://{SEED_BUCKET}/new/kite.jpg")
    detail = {"version": "0", "bucket": {"name": SEED_BUCKET},
              "object": {"key": "new/kite.jpg", "size": os.path.getsize(
                  os.path.join(photos, "kite.jpg"))}, "reason": "PutObject"}
    events = boto_client("events", server.endpoint, checker)
    put = events.put_events(Entries=[{"Source": "aws.s3", "DetailType": "Object Created",
                                      "Detail": json.dumps(detail),
                                      "Resources": [f"arn:aws:s3:::{SEED_BUCKET}"]}])
    expect(put["FailedEntryCount"] == 0, "an S3 Object Created event is taken")
    sfn = boto_client("stepfunctions", server.endpoint, checker)
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    newest = sfn.list_executions(stateMachineArn=machine)["executions"][0]
    shown = json.loads(sfn.describe_execution(executionArn=newest["executionArn"])["input"])
    expect(shown["myStateInput"].get("Prefix") == "new/kite.jpg",
           "the event's execution runs over the new object: " + json.dumps(shown))
    done = wait_until_done(sfn, newest["executionArn"])
    run = sfn.describe_map_run(mapRunArn=done["mapRunArn"])
    expect(done["status"] == "SUCCEEDED" and run["itemCounts"]["total"] == 1,
           f"it labelled that one object: {done['status']}, {run['itemCounts']}")
    ddb = boto_client("dynamodb", server.endpoint, checker)
    item = ddb.get_item(TableName=TABLE, Key={"id": {"S": "new/kite.jpg"}}).get("Item")
    expect(item is not None and labels_of(item), "GetItem returns the new object's labels")
    # A user's own rule persists in the database (checked after a restart).
    events.put_rule(Name="UserRule", EventPattern=json.dumps({"source": ["my-app"]}))


def wrong_keys(server):
    code, _, err = aws_cli(server.endpoint, "events", "put-events", "--entries", json.dumps(
        [{"Source": "serverless-data-processing", "DetailType": "ServerlessDataProcessing",
          "Detail": SEED_DETAIL}]), env=client_env(secret="wrong-secret"), check=False)
    expect(code != 0 and "InvalidSignatureException" in err, "a wrong secret is refused: " + err)
    code, _, err = aws_cli(server.endpoint, "stepfunctions", "list-executions",
                           "--state-machine-arn", "x", env=client_env(access_key="AKIAUNKNOWN"),
                           check=False)
    expect(code != 0 and "UnrecognizedClientException" in err, "an unknown key is refused: " + err)


if __name__ == "__main__":
    main()
