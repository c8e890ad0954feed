#!/usr/bin/python3
"""Two `imagemill serve` processes on one PostgreSQL (a throwaway server the test starts) act as
one service, driven with Debian's awscli (and boto3 where a call must land within milliseconds):

- a rule and target put through server A are listed and described through server B, and the
  rule fires for `aws events put-events` sent to B: B runs the execution;
- that execution is listed and described through A (SUCCEEDED, DescribeMapRun's counts), and
  `aws dynamodb get-item` through A returns the labels B wrote;
- an execution started through A is stopped through B: A's run notices and stops, both servers
  describe it ABORTED with fewer items done than listed, and ListExecutions' status filter
  finds each execution through either server;
- the rule disabled through B no longer fires for events sent to A.
Every boto3 answer is checked against botocore's service models.
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from serve_support import (CHECKS, ModelChecker, Server, aws_cli,  # noqa: E402
                           boto_client, credentials_file, expect, sample_photos)

TABLE = "serverless-data-processing-table"
RULE = "TwoServersRule"


def wait_until(what, fn, timeout=120):
    """fn() until it returns something true (which is returned), or fails the test."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    sys.exit(f"FAILED: {what} after {timeout} s")


def executions(sfn, machine, status=None):
    args = {"stateMachineArn": machine}
    if status:
        args["statusFilter"] = status
    return sfn.list_executions(**args)["executions"]


def rule_fires_on_the_other(a, b, sfn_a, machine, photos, count):
    aws_cli(a.endpoint, "events", "put-rule", "--name", RULE, "--event-pattern",
            json.dumps({"source": ["two-servers"]}))
    aws_cli(a.endpoint, "events", "put-targets", "--rule", RULE, "--targets", json.dumps(
        [{"Id": "T", "Arn": machine, "InputPath": "$.detail"}]))
    rules = json.loads(aws_cli(b.endpoint, "events", "list-rules", "--name-prefix", "TwoServers")[1])
    expect([(r["Name"], json.loads(r["EventPattern"])) for r in rules["Rules"]] ==
           [(RULE, {"source": ["two-servers"]})],
           "a rule put through A is listed through B with its pattern: " + json.dumps(rules))

    entry = {"Source": "two-servers", "DetailType": "Label a folder",
             "Detail": json.dumps({"myStateInput": {"Bucket": photos, "Prefix": ""}})}
    put = json.loads(aws_cli(b.endpoint, "events", "put-events", "--entries",
                             json.dumps([entry]))[1])
    expect(put["FailedEntryCount"] == 0, "B takes the event: " + json.dumps(put))
    started = executions(sfn_a, machine)
    expect(len(started) == 1, "the event sent to B started one execution, listed through A: " +
           str([e["name"] for e in started]))
    arn = started[0]["executionArn"]
    wait_until("the event's execution ends",
               lambda: sfn_a.describe_execution(executionArn=arn)["status"] != "RUNNING")
    done = json.loads(aws_cli(a.endpoint, "stepfunctions", "describe-execution",
                              "--execution-arn", arn)[1])
    expect(done["status"] == "SUCCEEDED", "aws describe-execution through A says SUCCEEDED: " +
           json.dumps(done))
    counts = sfn_a.describe_map_run(mapRunArn=done["mapRunArn"])["itemCounts"]
    expect(counts["succeeded"] == count and counts["total"] == count,
           f"A's DescribeMapRun counts the {count} photos B labelled: {counts}")
    item = json.loads(aws_cli(a.endpoint, "dynamodb", "get-item", "--table-name", TABLE, "--key",
                              json.dumps({"id": {"S": "dog.jpg"}}))[1])["Item"]
    names = [label["M"]["Name"]["S"] for label in item["labels"]["L"]]
    expect("Dog" in names, "aws dynamodb get-item through A returns B's labels: " + str(names))


def stop_through_the_other(sfn_a, sfn_b, machine, work, photos):
    many = os.path.join(work, "many")
    os.makedirs(many)
    for i in range(30):  # enough photos to be running still when the stop lands
        for name in sorted(os.listdir(photos)):
            os.link(os.path.join(photos, name), os.path.join(many, f"{i:02}-{name}"))
    arn = sfn_a.start_execution(stateMachineArn=machine, name="long", input=json.dumps(
        {"myStateInput": {"Bucket": many, "Prefix": ""}}))["executionArn"]
    sfn_b.stop_execution(executionArn=arn, error="Stopped.ByTest", cause="stopped through B")
    seen_by_a = sfn_a.describe_execution(executionArn=arn)
    expect(seen_by_a["status"] == "ABORTED" and seen_by_a["error"] == "Stopped.ByTest",
           "an execution started through A and stopped through B is ABORTED through A")

    # A's run notices within a second or so and stops: its counts stay still.
    def settled():
        first = sfn_b.describe_map_run(mapRunArn=seen_by_a["mapRunArn"])["itemCounts"]
        time.sleep(1.5)
        second = sfn_b.describe_map_run(mapRunArn=seen_by_a["mapRunArn"])["itemCounts"]
        return second if first == second and second["running"] == 0 else None
    counts = wait_until("A's run of the stopped execution stops", settled, timeout=60)
    total = 30 * len(os.listdir(photos))
    expect(counts["succeeded"] < total,
           f"A stopped its run: {counts['succeeded']} of {total} photos were labelled: {counts}")
    aborted = [e["name"] for e in executions(sfn_b, machine, "ABORTED")]
    succeeded = [e["name"] for e in executions(sfn_a, machine, "SUCCEEDED")]
    expect(aborted == ["long"] and len(succeeded) == 1,
           f"ListExecutions' status filter: ABORTED {aborted} through B, SUCCEEDED "
           f"{succeeded} through A")


def disabled_through_the_other(a, b, events_a, sfn_b, machine, photos):
    before = len(executions(sfn_b, machine))
    aws_cli(b.endpoint, "events", "disable-rule", "--name", RULE)
    put = events_a.put_events(Entries=[{
        "Source": "two-servers", "DetailType": "Label a folder",
        "Detail": json.dumps({"myStateInput": {"Bucket": photos, "Prefix": ""}})}])
    time.sleep(0.5)
    expect(put["FailedEntryCount"] == 0 and len(executions(sfn_b, machine)) == before,
           "the rule disabled through B starts nothing for an event sent to A")
    expect(events_a.describe_rule(Name=RULE)["State"] == "DISABLED",
           "A describes the rule DISABLED")


def main():
    work = tempfile.mkdtemp(prefix="imagemill-serve-pg-")
    photos, count = sample_photos(work)
    creds = credentials_file(work)
    args = ["--credentials", creds, "--no-detect-labels", "--workers", "1",
            "--max-items-per-batch", "5"]
    with fleet.Postgres() as pg:
        uri = pg.create_database("serve")
        a = Server(work, uri, args)
        b = Server(work, uri, args)
        try:
            checker = ModelChecker()
            sfn_a = boto_client("stepfunctions", a.endpoint, checker)
            sfn_b = boto_client("stepfunctions", b.endpoint, checker)
            events_a = boto_client("events", a.endpoint, checker)
            machine = sfn_a.list_state_machines()["stateMachines"][0]["stateMachineArn"]
            rule_fires_on_the_other(a, b, sfn_a, machine, photos, count)
            stop_through_the_other(sfn_a, sfn_b, machine, work, photos)
            disabled_through_the_other(a, b, events_a, sfn_b, machine, photos)
            expect(not checker.problems, "every boto3 answer matches botocore's models: " +
                   "; ".join(checker.problems[:5]))
        finally:
            codes = (a.stop(), b.stop())
        expect(codes == (0, 0), f"SIGTERM stops both servers cleanly: {codes}")
        expect("kept in memory" not in a.log() + b.log(),
               "neither server keeps its rules in memory on PostgreSQL")
    shutil.rmtree(work, ignore_errors=True)
    print(f"serve on PostgreSQL: all {CHECKS['passed']} checks passed")


if __name__ == "__main__":
    main()
