#!/usr/bin/python3
"""Recomputes the SigV4 signature of recorded S3 requests with botocore, an independent signer.

Input (file named by argv[1]), JSON:
  {"access_key": ..., "secret_key": ..., "session_token": ..., "region": ...,
   "requests": [{"method": ..., "target": "/bkt/a%20b?x=1", "headers": [[name, value], ...],
                 "body_hex": ...}, ...]}
Output on stdout, JSON: one entry per request with botocore's Authorization header beside ours,
the canonical path and query botocore would write, and whether ours are exactly those.

Run with Debian's interpreter so Debian's python3-botocore is the one imported.
"""
import datetime
import json
import sys
from unittest import mock
from urllib.parse import unquote, urlsplit

import botocore.auth
import botocore.config
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

# Headers the HTTP client adds on its own and no S3 signer covers.
TRANSPORT_HEADERS = {"accept", "user-agent", "content-length", "expect", "connection",
                     "accept-encoding", "transfer-encoding"}
# Headers botocore's signer sets itself, from the timestamp, credentials and payload.
SIGNER_HEADERS = {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
                  "host"}


class RecordingAuth(botocore.auth.S3SigV4Auth):
    """botocore's S3 signer, keeping the canonical request it signed (for failure messages)."""

    last_canonical_request = ""

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request


def split_query(query):
    params = []
    if query:
        for part in query.split("&"):
            name, _, value = part.partition("=")
            # unquote, not unquote_plus: in a signed S3 query '+' would have to be %2B.
            params.append((unquote(name), unquote(value)))
    return params


def check(doc, req):
    headers = {name.lower(): value for name, value in req["headers"]}
    target = urlsplit(req["target"])
    key_path = unquote(target.path)
    canonical_path = percent_encode(key_path, safe="/~")
    params = split_query(target.query)
    url = "http://" + headers["host"] + canonical_path

    body = bytes.fromhex(req["body_hex"])
    signed = {k: v for k, v in headers.items()
              if k not in TRANSPORT_HEADERS and k not in SIGNER_HEADERS}
    request = AWSRequest(method=req["method"], url=url, headers=signed, data=body or None,
                         params=params)
    # Reads carry UNSIGNED-PAYLOAD; writes are signed over the body's SHA-256, which botocore
    # computes itself from the body that arrived.
    request.context["client_config"] = botocore.config.Config(
        s3={"payload_signing_enabled": req["method"] == "PUT"})
    credentials = Credentials(doc["access_key"], doc["secret_key"], doc.get("session_token") or None)
    auth = RecordingAuth(credentials, "s3", doc["region"])

    stamp = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return stamp

    with mock.patch.object(botocore.auth.datetime, "datetime", FixedDatetime):
        auth.add_auth(request)
    return {
        "method": req["method"],
        "target": req["target"],
        "ours": headers.get("authorization", ""),
        "botocore": request.headers["Authorization"],
        "canonical_path": canonical_path,
        "canonical_query": auth.canonical_query_string(request),
        "payload_hash": request.headers["X-Amz-Content-SHA256"],
        "our_payload_hash": headers.get("x-amz-content-sha256", ""),
        "canonical_request": auth.last_canonical_request,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    json.dump([check(doc, r) for r in doc["requests"]], sys.stdout)


if __name__ == "__main__":
    main()
