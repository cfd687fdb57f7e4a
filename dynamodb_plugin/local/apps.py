"""moto's DynamoDB and DynamoDB Streams handlers as WSGI apps, without Flask.

moto's server wraps each service's handler in a Flask app
(``moto.moto_server.werkzeug_app.create_backend_app``): URL rules from the service's URL paths,
a request context per request, and the view ``convert_to_flask_response``. In the built-in
server only ``POST /`` with a DynamoDB or DynamoDB Streams target reaches moto (``Gate``), and
there all of that comes down to one call of the handler's ``dispatch``; importing Flask (with
Jinja2, click and their ~80 modules: about an eighth of the server's start-up) and building two
apps bought nothing else.

``HandlerApp`` answers as moto's Flask app answers ``/``: the request as moto's own request
class for a WSGI server (``ServedRequest``, what ``BackendRequest`` is without Flask's part),
handed to ``dispatch`` with its ``raw_url`` and headers; a ``ClientError`` answered 400 with its
message, as the view does; the answer a ``Response`` with Flask's default content type
(``text/html``); an exception goes through (as ``PROPAGATE_EXCEPTIONS``, which the server set on
Flask's apps, made them), for ``strict`` to log once and answer as DynamoDB would. Any other
path (but ``/``, or slashes only, which werkzeug's routing merges) is a 404, as there.
(moto's request recorder is off in this server: the server removes ``MOTO_ENABLE_RECORDING``.)
Tested equal to moto's Flask apps, request by request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# (this module is the server's alone, which imports moto and botocore before it)
from botocore.exceptions import ClientError  # noqa: TID253
from moto.core.request import Request  # noqa: TID253
from werkzeug.wrappers import Response as _Response


class ServedRequest(Request):
    """moto's request as it arrives at its server (``BackendRequest`` without Flask's)."""

    from_wsgi_server = True


class Answer(_Response):
    """A response with Flask's default content type, as moto's Flask apps answer."""

    default_mimetype = "text/html"


_NOT_FOUND = (
    b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>The requested URL was not found on the server. If you entered the URL manually please"
    b" check your spelling and try again.</p>\n"
)


class HandlerApp:
    """A moto handler's ``dispatch`` as moto's Flask app for its service serves it at ``/``."""

    def __init__(self, dispatch: Callable[..., Any]) -> None:
        self.dispatch = dispatch

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").strip("/"):  # (werkzeug merges slashes: "//" is "/")
            return Answer(_NOT_FOUND, status=404)(environ, start_response)
        request = ServedRequest(environ)
        try:
            result = self.dispatch(request, request.raw_url, dict(request.headers))
        except ClientError as exc:
            result = 400, {}, exc.response["Error"]["Message"]
        if len(result) == 3:
            status, headers, content = result
        else:
            status, headers, content = 200, {}, result
        response = Answer(response=content, status=status, headers=headers)
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
        answer: Iterable[bytes] = response(environ, start_response)
        return answer


def dynamodb() -> HandlerApp:
    from moto.dynamodb.responses import DynamoHandler

    return HandlerApp(DynamoHandler.dispatch)


def streams() -> HandlerApp:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    return HandlerApp(DynamoDBStreamsHandler.dispatch)
