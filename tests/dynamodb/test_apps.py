"""``apps.HandlerApp``: moto's DynamoDB and DynamoDB Streams handlers served without Flask answer
exactly as moto's Flask apps (``create_backend_app``) answer: status, headers (the request id
aside) and body, request by request, errors, other methods and paths included; and the server
runs without importing Flask."""

from __future__ import annotations

import json
import os
import re

from dynamodb_plugin.local import apps, server
from dynamodb_plugin.local.state import free_port
from tests.dynamodb.test_fast import _TIMED, moto_methods  # noqa: F401 - the fixture
from tests.dynamodb.test_launch import serve_with

_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}")  # a stream's label


def _caller(app, prefix: str):
    from werkzeug.test import Client

    client = Client(app)
    scope = f"key/20000101/{server.SHARED_REGION}/dynamodb/aws4_request"

    def call(method: str, path: str, operation: str, body: bytes | str) -> tuple:
        try:
            response = client.open(
                path,
                method=method,
                data=body,
                headers={
                    "Content-Type": "application/x-amz-json-1.0",
                    "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, Signature=0",
                    "Host": "localhost",
                    "X-Amz-Target": f"{prefix}.{operation}",
                },
            )
        except Exception as exc:  # moto's 500s: raised the same way by both
            return ("raised", type(exc).__name__, str(exc))
        headers = sorted(
            (k.lower(), v) for k, v in response.headers.items() if k.lower() != "x-amzn-requestid"
        )
        return response.status_code, headers, _STAMP.sub(b"T", response.get_data())

    return call


TABLE = {
    "TableName": "d",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}
KEY = {"pk": {"S": "a"}}
DYNAMODB = [
    ("POST", "/", "CreateTable", json.dumps(TABLE)),
    ("POST", "/", "PutItem", json.dumps({"TableName": "d", "Item": {**KEY, "n": {"N": "1"}}})),
    ("POST", "/", "GetItem", json.dumps({"TableName": "d", "Key": KEY})),
    ("POST", "/", "GetItem", json.dumps({"TableName": "nope", "Key": KEY})),
    ("POST", "/", "ListTables", "{}"),
    ("POST", "/", "ListTables", json.dumps({"Limit": 0})),
    ("POST", "/", "TagResource", json.dumps({"ResourceArn": "arn:nope", "Tags": []})),
    ("POST", "/", "UpdateTimeToLive", json.dumps({"TableName": "d"})),
    ("POST", "/", "PutItem", "not json"),
    ("POST", "/", "PutItem", ""),
    ("POST", "/", "NoSuchOperation", "{}"),
    ("POST", "//", "ListTables", "{}"),
    ("GET", "/", "ListTables", ""),
    ("PUT", "/", "ListTables", "{}"),
    ("HEAD", "/", "ListTables", ""),
    ("POST", "/other", "ListTables", "{}"),
    ("GET", "/favicon.ico", "ListTables", ""),
    ("POST", "/", "DescribeTable", json.dumps({"TableName": "d"})),
]
STREAMS = [
    ("POST", "/", "ListStreams", "{}"),
    ("POST", "/", "ListStreams", json.dumps({"TableName": "nope"})),
    ("POST", "/", "DescribeStream", json.dumps({"StreamArn": "arn:nope"})),
    ("POST", "/", "GetShardIterator", "not json"),
    ("POST", "/", "NoSuchOperation", "{}"),
    ("GET", "/x", "ListStreams", ""),
]


def test_handler_apps_answer_as_motos_flask_apps(moto_methods, monkeypatch):  # noqa: F811
    from moto.core.base_backend import BackendDict
    from moto.moto_server import werkzeug_app
    from moto.moto_server.werkzeug_app import create_backend_app

    monkeypatch.setattr(werkzeug_app, "DISABLE_GLOBAL_CORS", True)  # as the server runs moto
    answers = []
    for ours in (False, True):
        BackendDict.reset()
        dynamodb = apps.dynamodb() if ours else create_backend_app("dynamodb")
        streams = apps.streams() if ours else create_backend_app("dynamodbstreams")
        if not ours:  # as the server once set them (its exceptions reach strict)
            dynamodb.config["PROPAGATE_EXCEPTIONS"] = streams.config["PROPAGATE_EXCEPTIONS"] = True
        call = _caller(dynamodb, "DynamoDB_20120810")
        got = [call(*request) for request in DYNAMODB]
        for i, one in enumerate(got):  # a creation time's digits
            if DYNAMODB[i][2] in ("CreateTable", "DescribeTable") and one[0] == 200:
                got[i] = (one[0], [h for h in one[1] if h[0] not in _TIMED], b"")
        call = _caller(streams, "DynamoDBStreams_20120810")
        got += [call(*request) for request in STREAMS]
        answers.append(got)
    assert answers[1] == answers[0]
    statuses = [one[0] for one in answers[0]]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 400 and 404 in statuses
    assert answers[0][len(DYNAMODB)][0] == 200  # ListStreams


def test_the_server_serves_without_flask(tmp_path):
    """The server process answers DynamoDB and Streams calls without ever importing Flask
    (nor Jinja2, nor moto's Flask server module)."""
    port = free_port()
    client = (
        "import os, sys, select\n"
        "def client():\n"
        "    assert select.select([read], [], [], 60)[0] and os.read(read, 64) == b'ready\\n'\n"
        "    import boto3\n"
        "    kw = dict(endpoint_url='http://localhost:PORT', region_name='local', "
        "aws_access_key_id='k', aws_secret_access_key='k')\n"
        "    c = boto3.client('dynamodb', **kw)\n"
        "    c.create_table(TableName='t', KeySchema=[{'AttributeName': 'k', 'KeyType': "
        "'HASH'}], AttributeDefinitions=[{'AttributeName': 'k', 'AttributeType': 'S'}], "
        "BillingMode='PAY_PER_REQUEST', StreamSpecification={'StreamEnabled': True, "
        "'StreamViewType': 'KEYS_ONLY'})\n"
        "    c.put_item(TableName='t', Item={'k': {'S': 'a'}})\n"
        "    assert c.get_item(TableName='t', Key={'k': {'S': 'a'}})['Item'] == {'k': {'S': 'a'}}\n"
        "    s = boto3.client('dynamodbstreams', **kw)\n"
        "    assert len(s.list_streams()['Streams']) == 1\n"
        "    try:\n"
        "        c.describe_table(TableName='nope')\n"
        "    except c.exceptions.ResourceNotFoundException:\n"
        "        pass\n"
        "    print(sorted(m for m in ('flask', 'jinja2', 'moto.moto_server.werkzeug_app') "
        "if m in sys.modules))\n"
        "    sys.stdout.flush()\n"
        "    os._exit(0)\n"
    ).replace("PORT", str(port))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTO_")}
    assert serve_with(client, port, tmp_path, env)[-1] == "[]"  # boto3 imports none either
