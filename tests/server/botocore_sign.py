#!/usr/bin/python3
"""Signs one request with botocore's SigV4 signer, an independent implementation, for
tests/server/sigv4_verifier_test.cc.

Input (argv[1], JSON): {"access_key", "secret_key", "region", "service", "amz_date" (20240101T120000Z),
"url", "method", "headers": {name: value}, "body"}.
Output on stdout, JSON: {"headers": {name: value}}: the request's headers after signing
(Authorization and X-Amz-Date among them).

Run with Debian's interpreter so Debian's python3-botocore is the one imported.
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    doc = json.load(open(sys.argv[1]))
    request = AWSRequest(method=doc["method"], url=doc["url"], data=doc["body"].encode(),
                         headers=doc["headers"])
    when = datetime.datetime.strptime(doc["amz_date"], "%Y%m%dT%H%M%SZ")
    signer = botocore.auth.SigV4Auth(Credentials(doc["access_key"], doc["secret_key"]),
                                     doc["service"], doc["region"])
    with mock.patch("botocore.auth.datetime") as fake:
        fake.datetime.utcnow.return_value = when
        fake.datetime.now.return_value = when
        fake.timezone = datetime.timezone
        signer.add_auth(request)
    print(json.dumps({"headers": dict(request.headers.items())}))


if __name__ == "__main__":
    main()
