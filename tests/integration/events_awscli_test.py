#!/usr/bin/python3
"""EventBridge's operations driven by Debian's awscli (what a user of the seed types; each call
starts a Python, so they are few) and python3-boto3 (tests/tools/events_server.cc
serves src/events/ on 127.0.0.1, with the rules in SQLite and a starter that records what it starts):

- a new database holds the seed's buses, rules and targets;
- the seed's put-events JSON, unchanged, starts a run over its bucket and prefix, on the default
  bus and on the seed's bus;
- S3's "Object Created" event starts a run over that one object;
- a bus, a rule and a target with an InputTransformer select and transform events; disabled, the
  rule starts nothing;
- bad requests get AWS's errors, as awscli prints them and as boto3 raises them;
- the rules are still there when the server starts again on the same database.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from e2e_support import expect

SERVER = os.environ["IMAGEMILL_EVENTS_SERVER"]
AWS = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else "aws"


class Server:
    def __init__(self, work):
        self.db = os.path.join(work, "events.db")
        self.starts = os.path.join(work, "starts.jsonl")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([SERVER, "--db", self.db, "--starts", self.starts],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            sys.exit("FAILED: the events server did not start")
        self.endpoint = "http://127.0.0.1:" + line[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def started(self):
        if not os.path.exists(self.starts):
            return []
        with open(self.starts) as f:
            return [json.loads(l) for l in f if l.strip()]


def main():
    work = tempfile.mkdtemp(prefix="imagemill-events-")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    server = Server(work)
    server.start()
    try:
        flow(server, env)
        with_boto3(server)
        server.stop()
        server.start()
        restarted(server)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("events_awscli_test: all passed")


def aws(server, env, *args, ok=True):
    p = subprocess.run([AWS, "--endpoint-url", server.endpoint, "--output", "json", "events", *args],
                       env=env, capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit("FAILED: aws events %s: %s" % (" ".join(args), p.stderr))
    if not ok:
        return p
    return json.loads(p.stdout) if p.stdout.strip() else {}


SEED_ENTRY = {"Source": "serverless-data-processing", "DetailType": "ServerlessDataProcessing",
              "Detail": json.dumps({"myStateInput": {"Bucket": "youngj-image-dataset-bucket",
                                                     "Prefix": "sample"}})}


def flow(server, env):
    # awscli: what a user of the seed types.
    buses = [b["Name"] for b in aws(server, env, "list-event-buses")["EventBuses"]]
    expect(buses == ["ServerlessDataProcessingBus", "default"], "the seed's bus and the default bus")
    out = aws(server, env, "put-events", "--entries", json.dumps([SEED_ENTRY]))
    expect(out["FailedEntryCount"] == 0 and "EventId" in out["Entries"][0], "put-events accepted")
    started = server.started()
    expect(len(started) == 1, "the seed's event started one execution")
    expect(json.loads(started[0]["Input"]) ==
           {"myStateInput": {"Bucket": "youngj-image-dataset-bucket", "Prefix": "sample"}},
           "its input is the event's detail")
    expect(started[0]["EventId"] == out["Entries"][0]["EventId"], "for that event")
    on_bus = dict(SEED_ENTRY, EventBusName="ServerlessDataProcessingBus", Time="2024-05-01T12:00:00Z",
                  Resources=["arn:aws:s3:::youngj-image-dataset-bucket"])
    out = aws(server, env, "put-events", "--entries", json.dumps([on_bus]))
    expect(out["FailedEntryCount"] == 0 and len(server.started()) == 2,
           "on the seed's own bus, with Time and Resources, it starts one too")
    expect(server.started()[1]["RuleArn"].endswith(":rule/ServerlessDataProcessingBus/"
                                                   "ServerlessDataProcessingRule"),
           "a custom bus's rule ARN names the bus")
    pattern = json.dumps({"source": ["my.uploader"], "detail": {"key": [{"suffix": ".png"}],
                                                                "size": [{"numeric": [">", 0]}]}})
    aws(server, env, "create-event-bus", "--name", "uploads")
    rule_arn = aws(server, env, "put-rule", "--name", "pngs", "--event-bus-name", "uploads",
                   "--event-pattern", pattern)["RuleArn"]
    expect(rule_arn == "arn:aws:events:us-east-1:123456789012:rule/uploads/pngs", "put-rule")
    p = aws(server, env, "put-rule", "--name", "bad", "--event-pattern", '{"source": "aws.s3"}', ok=False)
    expect(p.returncode != 0 and "InvalidEventPatternException" in p.stderr and
           '"source" must be an object or an array' in p.stderr, "a bad pattern: " + p.stderr.strip())


def with_boto3(server):
    import datetime
    import boto3
    client = boto3.client("events", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    rule = client.describe_rule(Name="ServerlessDataProcessingRule")
    expect(json.loads(rule["EventPattern"]) == {"source": ["serverless-data-processing"],
                                                "detail-type": ["ServerlessDataProcessing"]},
           "the seed's rule selects the seed's source and detail-type")
    targets = client.list_targets_by_rule(Rule="ServerlessDataProcessingRule")["Targets"]
    expect(targets[0]["InputPath"] == "$.detail", "the seed's target passes $.detail")
    out = client.put_events(Entries=[dict(SEED_ENTRY, Time=datetime.datetime(2024, 5, 1, 12, 0))])
    expect(out["FailedEntryCount"] == 0, "boto3 put_events with a datetime Time")

    count = len(server.started())
    s3_event = {"Source": "aws.s3", "DetailType": "Object Created", "Resources": ["arn:aws:s3:::photos"],
                "Detail": json.dumps({"version": "0", "bucket": {"name": "photos"},
                                      "object": {"key": "2024/beach.jpg", "size": 5, "etag": "x"},
                                      "reason": "PutObject"})}
    client.put_events(Entries=[s3_event])
    expect(json.loads(server.started()[count]["Input"]) ==
           {"myStateInput": {"Bucket": "photos", "Key": "2024/beach.jpg"}},
           "an S3 Object Created event starts a run over that one object")

    # The user's own target, with an InputTransformer, on the rule awscli made.
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:DMapStateMachine"
    target = {"Id": "label-png", "Arn": machine, "InputTransformer": {
        "InputPathsMap": {"bucket": "$.detail.bucket", "key": "$.detail.key"},
        "InputTemplate": '{"myStateInput": {"Bucket": <bucket>, "Key": <key>}, "note": "<key> by <aws.events.rule-name>"}'}}
    put = client.put_targets(Rule="pngs", EventBusName="uploads", Targets=[target])
    expect(put["FailedEntryCount"] == 0, "put_targets with an InputTransformer")
    listed = client.list_targets_by_rule(Rule="pngs", EventBusName="uploads")["Targets"]
    expect(listed == [target], "list_targets_by_rule gives the target back as given")

    def upload(key, size=10):
        return {"Source": "my.uploader", "DetailType": "upload", "EventBusName": "uploads",
                "Detail": json.dumps({"bucket": "pics", "key": key, "size": size})}
    count = len(server.started())
    client.put_events(Entries=[upload("a.png"), upload("b.jpg"), upload("c.png", 0)])
    started = server.started()
    expect(len(started) == count + 1, "only the .png of positive size matched")
    expect(json.loads(started[-1]["Input"]) ==
           {"myStateInput": {"Bucket": "pics", "Key": "a.png"}, "note": "a.png by pngs"},
           "the InputTransformer filled the template")
    client.disable_rule(Name="pngs", EventBusName="uploads")
    client.put_events(Entries=[upload("d.png")])
    expect(len(server.started()) == count + 1, "a disabled rule starts nothing")
    client.enable_rule(Name="pngs", EventBusName="uploads")

    result = client.test_event_pattern(EventPattern=json.dumps({"detail": {"key": [{"suffix": ".png"}]}}),
                                       Event=json.dumps({
        "id": "1", "account": "123456789012", "source": "my.uploader", "time": "2024-05-01T12:00:00Z",
        "region": "us-east-1", "resources": [], "detail-type": "upload", "detail": {"key": "x.png"}}))
    expect(result["Result"] is True, "test_event_pattern")

    pages = client.get_paginator("list_rules").paginate(PaginationConfig={"PageSize": 1})
    names = [r["Name"] for page in pages for r in page["Rules"]]
    expect(names == ["S3ObjectCreatedRule", "ServerlessDataProcessingRule"],
           "boto3's paginator walks list_rules page by page")

    def error(call, **kwargs):
        try:
            call(**kwargs)
        except client.exceptions.ClientError as e:
            return e.response["Error"]["Code"], e.response["Error"]["Message"]
        return None, None
    code, message = error(client.describe_rule, Name="nope")
    expect(code == "ResourceNotFoundException" and message == "Rule nope does not exist on EventBus default.",
           "a missing rule: " + str(message))
    code, message = error(client.delete_rule, Name="pngs", EventBusName="uploads")
    expect(code == "ValidationException" and "has targets" in message,
           "a rule with targets is not deleted: " + str(message))
    code, message = error(client.put_targets, Rule="pngs", EventBusName="uploads",
                          Targets=[{"Id": "l", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:f"}])
    expect(code == "ValidationException" and "state machine" in message,
           "a Lambda target is refused: " + str(message))
    code, message = error(client.delete_event_bus, Name="default")
    expect(code == "ValidationException" and "Cannot delete event bus default" in message,
           "the default bus stays")
    out = client.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "not json"},
                                     dict(SEED_ENTRY, EventBusName="no-such-bus")])
    expect(out["FailedEntryCount"] == 2 and out["Entries"][0]["ErrorCode"] == "MalformedDetail" and
           out["Entries"][1]["ErrorCode"] == "ResourceNotFoundException",
           "entries that fail are reported one by one")


def restarted(server):
    import boto3
    client = boto3.client("events", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    rules = [r["Name"] for r in client.list_rules(EventBusName="uploads")["Rules"]]
    expect(rules == ["pngs"], "after a restart the user's rule is still there")
    count = len(server.started())
    client.put_events(Entries=[SEED_ENTRY])
    expect(len(server.started()) == count + 1, "and the seed's rule still starts runs")
    client.remove_targets(Rule="pngs", EventBusName="uploads", Ids=["label-png"])
    client.delete_rule(Name="pngs", EventBusName="uploads")
    client.delete_event_bus(Name="uploads")
    buses = [b["Name"] for b in client.list_event_buses()["EventBuses"]]
    expect(buses == ["ServerlessDataProcessingBus", "default"], "remove_targets, delete_rule, "
           "delete_event_bus")


if __name__ == "__main__":
    main()
