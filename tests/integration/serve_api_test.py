#!/usr/bin/python3
"""`imagemill serve` with the real AWS clients (Debian's awscli and python3-boto3), every answer
checked against botocore's service models:

- DynamoDB over the results table a run wrote: DescribeTable, ListTables, GetItem, BatchGetItem,
  Query, Scan (paging, segments, filters, projections), writes refused, another table not found;
- Rekognition DetectLabels with Image.Bytes and Image.S3Object (from s3rver), the same answer as
  `imagemill detect-labels`, and its errors;
- DetectFaces and DetectText with boto3 and `aws rekognition detect-faces` / `detect-text`
  (Image.Bytes and Image.S3Object): the answers of `imagemill detect-faces` / `detect-text`,
  Attributes and Filters validated as Rekognition validates them;
- SigV4: wrong key, wrong secret, a clock 20 minutes off, no signature: refused with AWS's 403s;
- the JSON protocol's errors (malformed JSON, unknown target), /metrics and /healthz.
"""
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from unittest import mock

import botocore.auth
import botocore.exceptions
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_support import (ACCESS_KEY, CACHE, IMAGEMILL, REGION, SECRET_KEY, SOURCE_DIR, CHECKS,  # noqa: E402
                           ModelChecker, S3rver, Server, aws_cli, boto_client, client_env,
                           credentials_file, expect, sample_photos)

TABLE = "serverless-data-processing-table"


def error_code(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return "no error"


def raw_post(endpoint, target, body, service, version="1.0", sign=True, when=None,
             secret=SECRET_KEY):
    """A POST / signed by botocore's own signer (at `when`, default now), answer as (status, JSON)."""
    request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(),
                         headers={"X-Amz-Target": target,
                                  "Content-Type": f"application/x-amz-json-{version}"})
    if sign:
        signer = botocore.auth.SigV4Auth(Credentials(ACCESS_KEY, secret), service, REGION)
        if when is None:
            signer.add_auth(request)
        else:
            with mock.patch("botocore.auth.datetime") as fake:
                fake.datetime.utcnow.return_value = when
                fake.datetime.now.return_value = when
                fake.timezone = datetime.timezone
                signer.add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                 headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main():
    work = tempfile.mkdtemp(prefix="imagemill-serve-")
    photos, _ = sample_photos(work)
    with open(os.path.join(photos, "notes.txt"), "w") as f:
        f.write("not an image")
    db = os.path.join(work, "t.db")
    run = subprocess.run([IMAGEMILL, "run", photos, "--db", "sqlite:" + db, "--execution-name",
                          "first", "--quiet"], capture_output=True, text=True)
    expect(run.returncode == 0, "a run fills the results table: " + run.stderr[-300:])

    for listing, folder, name in (("tests/vision/faces/face_photos.txt", "face-test",
                                   "sk-astronaut.png"),
                                  ("tests/integration/text_photos.txt", "text-test", "sk-text.png")):
        subprocess.run([os.path.join(SOURCE_DIR, "scripts", "fetch-label-eval.sh"),
                        os.path.join(SOURCE_DIR, listing), folder], check=True, capture_output=True)
        shutil.copy(os.path.join(CACHE, folder, name), os.path.join(work, name))

    s3 = S3rver(work)
    creds = credentials_file(work)
    try:
        s3.aws("s3", "mb", "s3://pics")
        s3.aws("s3", "cp", "--quiet", os.path.join(photos, "dog.jpg"), "s3://pics/sample/dog.jpg")
        for name in ("sk-astronaut.png", "sk-text.png"):
            s3.aws("s3", "cp", "--quiet", os.path.join(work, name), "s3://pics/sample/" + name)
        # The server reads S3 with s3rver's key (the environment); clients sign with the file's.
        server = Server(work, db, ["--credentials", creds, "--endpoint-url", s3.endpoint,
                                   "--detect-workers", "2"], env=s3.env)
        try:
            checks(server, photos, db)
            faces_and_text_checks(server, work)
        finally:
            code = server.stop()
            expect(code == 0, "SIGTERM stops the server cleanly")
    finally:
        s3.stop()
    buckets_folder_checks(work, db, creds)
    print(f"serve api: all {CHECKS['passed']} checks passed")


def buckets_folder_checks(work, db, creds):
    """serve --buckets DIR: Image.S3Object reads DIR/BUCKET/NAME, and nothing outside DIR."""
    root = os.path.join(work, "buckets")
    os.makedirs(os.path.join(root, "pics", "sample"))
    shutil.copy(os.path.join(work, "sk-astronaut.png"), os.path.join(root, "pics", "sample"))
    shutil.copy(os.path.join(work, "sk-astronaut.png"), os.path.join(work, "secret.png"))
    server = Server(work, db, ["--credentials", creds, "--buckets", root, "--no-detect-labels",
                               "--detect-workers", "1"], env=dict(os.environ))
    try:
        endpoint = server.endpoint
        image = '{"S3Object": {"Bucket": "pics", "Name": "sample/sk-astronaut.png"}}'
        code, out, _ = aws_cli(endpoint, "rekognition", "detect-faces", "--image", image)
        want = cli_answer("detect-faces", os.path.join(work, "sk-astronaut.png"))
        expect(json.loads(out) == want and len(want["FaceDetails"]) == 1,
               "serve --buckets: detect-faces reads BUCKET/NAME from the folder")
        for bucket, name, want in [("..", "secret.png", "InvalidParameterException"),
                                   ("pics", "../../secret.png", "InvalidS3ObjectException"),
                                   ("pics", "%2e%2e/%2e%2e/secret.png", "InvalidS3ObjectException"),
                                   ("pics", "/etc/passwd", "InvalidS3ObjectException"),
                                   ("buckets", "secret.png", "InvalidS3ObjectException")]:
            status, doc = raw_post(endpoint, "RekognitionService.DetectFaces", json.dumps(
                {"Image": {"S3Object": {"Bucket": bucket, "Name": name}}}), "rekognition", "1.1")
            expect(status == 400 and doc.get("__type") == want,
                   f"serve --buckets refuses {bucket}/{name}: {want}: {doc.get('message', '')}")
    finally:
        expect(server.stop() == 0, "SIGTERM stops the --buckets server cleanly")


def cli_answer(*args):
    return json.loads(subprocess.run([IMAGEMILL, *args], capture_output=True, text=True,
                                     check=True).stdout)


def faces_and_text_checks(server, work):
    endpoint = server.endpoint
    checker = ModelChecker()
    rek = boto_client("rekognition", endpoint, checker)
    face_photo, text_photo = (os.path.join(work, n) for n in ("sk-astronaut.png", "sk-text.png"))

    # DetectFaces: the CLI's answer, by boto3 and by awscli, from bytes and from S3.
    faces = rek.detect_faces(Image={"Bytes": open(face_photo, "rb").read()}, Attributes=["ALL"])
    faces.pop("ResponseMetadata")
    cli = cli_answer("detect-faces", face_photo)
    expect(json.loads(json.dumps(faces)) == cli and len(cli["FaceDetails"]) == 1,
           "DetectFaces with Image.Bytes answers as `imagemill detect-faces` (one face)")
    code, out, _ = aws_cli(endpoint, "rekognition", "detect-faces", "--image",
                           '{"S3Object": {"Bucket": "pics", "Name": "sample/sk-astronaut.png"}}',
                           "--attributes", "DEFAULT")
    expect(json.loads(out) == cli, "aws rekognition detect-faces reads the image from S3")
    code, out, _ = aws_cli(endpoint, "rekognition", "detect-faces", "--image-bytes",
                           "fileb://" + face_photo)
    expect(json.loads(out) == cli, "aws rekognition detect-faces --image-bytes")
    code, _, err = aws_cli(endpoint, "rekognition", "detect-faces", "--image-bytes",
                           "fileb://" + face_photo, "--attributes", "HAIRCUT", check=False)
    expect(code != 0 and ("InvalidParameterException" in err or "Invalid value" in err),
           "an attribute Rekognition does not know is refused: " + err.strip()[-160:])
    status, doc = raw_post(endpoint, "RekognitionService.DetectFaces", json.dumps(
        {"Image": {"Bytes": base64.b64encode(open(face_photo, "rb").read()).decode()},
         "Attributes": ["ALL", "HAIRCUT"]}), "rekognition", "1.1")
    expect(status == 400 and doc["__type"] == "InvalidParameterException" and
           "'attributes'" in doc["message"], "and by the server itself: " + doc.get("message", ""))
    expect(error_code(lambda: rek.detect_faces(Image={"Bytes": b"no image"})) ==
           "InvalidImageFormatException", "DetectFaces of bytes that are no image")
    expect(error_code(lambda: rek.detect_faces(Image={"S3Object": {"Bucket": "pics",
                                                                   "Name": "nope.png"}})) ==
           "InvalidS3ObjectException", "DetectFaces of a missing S3 object")

    # DetectText: the CLI's answer, with and without Filters.
    text = rek.detect_text(Image={"Bytes": open(text_photo, "rb").read()})
    text.pop("ResponseMetadata")
    cli = cli_answer("detect-text", text_photo)
    words = [d["DetectedText"] for d in cli["TextDetections"] if d["Type"] == "WORD"]
    expect(json.loads(json.dumps(text)) == cli and "detestable" in words,
           "DetectText with Image.Bytes answers as `imagemill detect-text`: " + " ".join(words))
    filters = {"WordFilter": {"MinConfidence": 90},
               "RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0, "Width": 1,
                                                      "Height": 0.5}}]}
    code, out, _ = aws_cli(endpoint, "rekognition", "detect-text", "--image",
                           '{"S3Object": {"Bucket": "pics", "Name": "sample/sk-text.png"}}',
                           "--filters", json.dumps(filters))
    cli = cli_answer("detect-text", text_photo, "--settings", json.dumps({"Filters": filters}))
    expect(json.loads(out) == cli, "aws rekognition detect-text --filters from S3 answers as "
           "`imagemill detect-text --settings`")
    expect(len(cli["TextDetections"]) < len(text["TextDetections"]),
           "the filters leave words out")
    expect(error_code(lambda: rek.detect_text(Image={"Bytes": open(text_photo, "rb").read()},
                                              Filters={"WordFilter": {"MinConfidence": 101}})) ==
           "InvalidParameterException", "DetectText with MinConfidence 101")
    status, doc = raw_post(endpoint, "RekognitionService.DetectText",
                           json.dumps({"Filters": {}}), "rekognition", "1.1")
    expect(status == 400 and doc["__type"] == "InvalidParameterException",
           "DetectText without an Image")
    expect(not checker.problems and checker.checked >= 3,
           f"{checker.checked} DetectFaces/DetectText answers match botocore's output shapes: "
           f"{checker.problems}")


def checks(server, photos, db):
    endpoint = server.endpoint
    checker = ModelChecker()
    ddb = boto_client("dynamodb", endpoint, checker)
    rek = boto_client("rekognition", endpoint, checker)

    # DynamoDB over the results table.
    table = ddb.describe_table(TableName=TABLE)["Table"]
    expect(table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}], "the seed's key")
    expect(table["TableArn"] == f"arn:aws:dynamodb:{REGION}:000000000000:table/{TABLE}",
           "the table ARN as AWS shapes it: " + table["TableArn"])
    n_images = table["ItemCount"]
    expect(n_images >= 5, f"ItemCount counts the results ({n_images})")
    expect(ddb.list_tables()["TableNames"] == [TABLE], "ListTables names the one table")
    item = ddb.get_item(TableName=TABLE, Key={"id": {"S": "dog.jpg"}})["Item"]
    names = [l["M"]["Name"]["S"] for l in item["labels"]["L"]]
    expect("Dog" in names, f"GetItem answers dog.jpg's labels: {names}")
    expect(item["id"] == {"S": "dog.jpg"} and "etag" in item and "execution" in item,
           "with the seed's id and imagemill's attributes")
    expect("Item" not in ddb.get_item(TableName=TABLE, Key={"id": {"S": "nope.jpg"}}),
           "GetItem of a missing id answers no Item")
    proj = ddb.get_item(TableName=TABLE, Key={"id": {"S": "dog.jpg"}},
                        ProjectionExpression="#i, labels[0].#n",
                        ExpressionAttributeNames={"#i": "id", "#n": "Name"})["Item"]
    expect(set(proj) == {"id", "labels"} and set(proj["labels"]["L"][0]["M"]) == {"Name"},
           "ProjectionExpression keeps only what it names")
    batch = ddb.batch_get_item(RequestItems={TABLE: {"Keys": [{"id": {"S": "dog.jpg"}},
                                                              {"id": {"S": "eagle.jpg"}},
                                                              {"id": {"S": "nope"}}]}})
    expect(sorted(i["id"]["S"] for i in batch["Responses"][TABLE]) == ["dog.jpg", "eagle.jpg"],
           "BatchGetItem answers the ids that exist")
    q = ddb.query(TableName=TABLE, KeyConditionExpression="id = :id",
                  ExpressionAttributeValues={":id": {"S": "horses.jpg"}})
    expect(q["Count"] == 1 and q["Items"][0]["id"]["S"] == "horses.jpg", "Query by id")
    seen, pages, kwargs = [], 0, {"TableName": TABLE, "Limit": 2}
    while True:
        page = ddb.scan(**kwargs)
        pages += 1
        seen += [i["id"]["S"] for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    expect(len(seen) == n_images and len(set(seen)) == n_images and pages >= n_images // 2,
           f"Scan with Limit 2 pages through every item once ({pages} pages)")
    paginated = [i["id"]["S"] for p in ddb.get_paginator("scan").paginate(
        TableName=TABLE, PaginationConfig={"PageSize": 3}) for i in p["Items"]]
    expect(sorted(paginated) == sorted(seen), "boto3's own Scan paginator agrees")
    segments = []
    for seg in range(3):
        segments += [i["id"]["S"] for i in ddb.scan(TableName=TABLE, Segment=seg,
                                                   TotalSegments=3)["Items"]]
    expect(sorted(segments) == sorted(seen), "three segments cover the table without overlap")
    dogs = ddb.scan(TableName=TABLE, FilterExpression="contains(#l, :dog) OR begins_with(id, :h)",
                    ExpressionAttributeNames={"#l": "labels"},
                    ExpressionAttributeValues={":dog": item["labels"]["L"][0], ":h": {"S": "horse"}})
    found = sorted(i["id"]["S"] for i in dogs["Items"])
    expect("dog.jpg" in found and "horses.jpg" in found and dogs["ScannedCount"] == n_images,
           f"FilterExpression with contains and begins_with: {found}")
    big = ddb.scan(TableName=TABLE, Select="COUNT", FilterExpression="size > :n",
                   ExpressionAttributeValues={":n": {"N": "100000"}})
    expect(0 < big["Count"] <= n_images and "Items" not in big, "Select COUNT with a comparison")
    expect(error_code(lambda: ddb.put_item(TableName=TABLE, Item={"id": {"S": "x"}})) ==
           "AccessDeniedException", "PutItem is refused: executions write the table")
    expect(error_code(lambda: ddb.get_item(TableName="other", Key={"id": {"S": "x"}})) ==
           "ResourceNotFoundException", "another table is not found")
    expect(error_code(lambda: ddb.scan(TableName=TABLE, FilterExpression="id = :x")) ==
           "ValidationException", "an undefined placeholder is a ValidationException")
    code, out, _ = aws_cli(endpoint, "dynamodb", "get-item", "--table-name", TABLE, "--key",
                           '{"id": {"S": "dog.jpg"}}')
    expect("Dog" in out, "aws dynamodb get-item returns the labels")
    code, out, _ = aws_cli(endpoint, "dynamodb", "scan", "--table-name", TABLE,
                           "--page-size", "2", "--projection-expression", "id")
    expect(len(json.loads(out)["Items"]) == n_images, "aws dynamodb scan pages through everything")

    # Rekognition DetectLabels: the CLI's answer.
    dog = open(os.path.join(photos, "dog.jpg"), "rb").read()
    answer = rek.detect_labels(Image={"Bytes": dog})
    answer.pop("ResponseMetadata")
    cli = json.loads(subprocess.run([IMAGEMILL, "detect-labels", os.path.join(photos, "dog.jpg")],
                                    capture_output=True, text=True, check=True).stdout)
    expect(json.loads(json.dumps(answer)) == cli, "DetectLabels with Image.Bytes answers as the CLI")
    strict = rek.detect_labels(Image={"Bytes": dog}, MinConfidence=80, MaxLabels=1,
                               Features=["GENERAL_LABELS"])
    cli = json.loads(subprocess.run([IMAGEMILL, "detect-labels", os.path.join(photos, "dog.jpg"),
                                     "--min-confidence", "80", "--max-labels", "1", "--features",
                                     "GENERAL_LABELS"], capture_output=True, text=True,
                                    check=True).stdout)
    strict.pop("ResponseMetadata")
    expect(json.loads(json.dumps(strict)) == cli, "and with the seed's MinConfidence 80, MaxLabels 1")
    s3_answer = rek.detect_labels(Image={"S3Object": {"Bucket": "pics", "Name": "sample/dog.jpg"}})
    expect([l["Name"] for l in s3_answer["Labels"]] == [l["Name"] for l in answer["Labels"]],
           "DetectLabels with Image.S3Object reads the object from S3")
    expect(error_code(lambda: rek.detect_labels(Image={"S3Object": {"Bucket": "pics",
                                                                    "Name": "missing.jpg"}})) ==
           "InvalidS3ObjectException", "a missing S3 object: InvalidS3ObjectException")
    expect(error_code(lambda: rek.detect_labels(Image={"Bytes": b"not an image at all"})) ==
           "InvalidImageFormatException", "bytes that are no image: InvalidImageFormatException")
    expect(error_code(lambda: rek.detect_labels(Image={"Bytes": dog}, MinConfidence=101)) ==
           "InvalidParameterException", "MinConfidence 101: InvalidParameterException")
    status, doc = raw_post(endpoint, "RekognitionService.DetectLabels",
                           json.dumps({"Image": {"Bytes": base64.b64encode(
                               b"\xff" * (5 * 1024 * 1024 + 10)).decode()}}), "rekognition", "1.1")
    expect(status == 400 and doc["__type"] == "ImageTooLargeException",
           f"an image over 5 MB: ImageTooLargeException ({doc.get('__type')})")

    # SigV4.
    wrong_key = boto_client("dynamodb", endpoint, checker, access_key="AKIAWRONGKEY000000")
    expect(error_code(lambda: wrong_key.list_tables()) == "UnrecognizedClientException",
           "an unknown access key: UnrecognizedClientException")
    wrong_secret = boto_client("dynamodb", endpoint, checker, secret="not-the-secret")
    expect(error_code(lambda: wrong_secret.list_tables()) == "InvalidSignatureException",
           "a wrong secret: InvalidSignatureException")
    code, _, err = aws_cli(endpoint, "dynamodb", "list-tables",
                           env=client_env(secret="not-the-secret"), check=False)
    expect(code != 0 and "InvalidSignatureException" in err, "awscli with a wrong secret is refused")
    late = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    status, doc = raw_post(endpoint, "DynamoDB_20120810.ListTables", "{}", "dynamodb", when=late)
    expect(status == 403 and doc["__type"] == "InvalidSignatureException" and
           "expired" in doc["message"], "a signature 20 minutes old is refused")
    status, doc = raw_post(endpoint, "DynamoDB_20120810.ListTables", "{}", "dynamodb", sign=False)
    expect(status == 403 and doc["__type"] == "MissingAuthenticationToken",
           "an unsigned request: MissingAuthenticationToken")
    status, doc = raw_post(endpoint, "DynamoDB_20120810.ListTables", "{}", "states")
    expect(status == 403 and doc["__type"] == "InvalidSignatureException",
           "a signature scoped to another service is refused")

    # The JSON protocol.
    status, doc = raw_post(endpoint, "DynamoDB_20120810.GetItem", "{not json", "dynamodb")
    expect(status == 400 and doc["__type"] == "SerializationException", "malformed JSON")
    status, doc = raw_post(endpoint, "DynamoDB_20120810.Frobnicate", "{}", "dynamodb")
    expect(status == 400 and doc["__type"] == "UnknownOperationException", "an unknown operation")

    # /healthz and /metrics.
    with urllib.request.urlopen(endpoint + "/healthz", timeout=10) as r:
        expect(r.status == 200 and json.loads(r.read())["status"] == "ok", "/healthz")
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as r:
        metrics = r.read().decode()
    expect('imagemill_requests_total{operation="DynamoDB_20120810.GetItem",code="200"}' in metrics
           and 'imagemill_request_duration_seconds_bucket{operation="RekognitionService.'
               'DetectLabels",le="+Inf"}' in metrics and "imagemill_images_total" in metrics
           and 'imagemill_queue_depth{pool="detect-labels"}' in metrics,
           "/metrics counts requests, latencies, images and queues")

    expect(checker.problems == [], "every answer fits botocore's model: " + "; ".join(checker.problems))
    expect(checker.checked >= 30, f"{checker.checked} answers checked against the models")


if __name__ == "__main__":
    main()
