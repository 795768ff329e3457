"""The sandbox's API Gateway: an HTTP endpoint on loopback that turns each request into an API Gateway REST API
proxy event (payload format 1.0), invokes the webhook handler in-process as Lambda would, and returns its answer.

What it does as API Gateway does: only the routes of template.yaml exist (anything else gets API Gateway's
403 "Missing Authentication Token"), bodies over 10 MB get 413, a handler crash gets 502.
What it does NOT do: IAM (SigV4) authorisation of POST /sync/{type}/{id}. The sandbox has no IAM, so that route
is open here; every answer on it carries `X-Sandbox-IAM: not-enforced` to say so. On AWS it is AWS_IAM.

    gateway = LocalApiGateway(handler, environment=sandbox.function_env)
    api_url = gateway.start()         # http://127.0.0.1:<port>
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.aws import ACCOUNT
from sandbox.aws_calls import invoked_as
from sandbox.driver import LambdaContext
from sandbox.environment import patched_environ
from sandbox.http_server import LoopbackServer

log = logging.getLogger("sandbox.api_gateway")
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
STAGE = "sandbox"
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
IAM_NOT_ENFORCED = "not-enforced"


@dataclass(frozen=True)
class ApiRoute:
    method: str
    resource: str  # as API Gateway names it, e.g. /sync/{type}/{id}
    iam: bool = False

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.resource) + "$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None


# The webhook API of template.yaml (WebhookFunction's Api events).
ROUTES = (ApiRoute("POST", "/webhooks/zuora"), ApiRoute("POST", "/sync/{type}/{id}", iam=True))


def function_handler(folder: str, module: str) -> Handler:
    """A function's handler, imported as Lambda imports it: its folder (functions/<folder>) is on the path."""
    task_root = str(Path(__file__).resolve().parent.parent / "functions" / folder)
    if task_root not in sys.path:
        sys.path.append(task_root)
    handler: Handler = importlib.import_module(module).handler
    return handler


def proxy_event(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: Mapping[str, list[str]] | None = None,
    source_ip: str = "127.0.0.1",
    user_arn: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as AWS builds it (also used by the tests and events/webhook_*.json).

    A body that is not UTF-8 is passed base64-encoded with isBase64Encoded, as API Gateway does for binary."""
    header_map = dict(headers or {})
    raw = body.encode() if isinstance(body, str) else body
    text: str | None
    encoded = False
    if raw is None:
        text = None
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(raw).decode(), True
    query_map = {name: values for name, values in (query or {}).items() if values}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": header_map or None,
        "multiValueHeaders": {name: [value] for name, value in header_map.items()} or None,
        "queryStringParameters": {name: values[-1] for name, values in query_map.items()} or None,
        "multiValueQueryStringParameters": query_map or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "sandboxapi",
            "domainName": header_map.get("Host", "127.0.0.1"),
            "httpMethod": method.upper(),
            "identity": {
                "sourceIp": source_ip,
                "userAgent": header_map.get("User-Agent"),
                "userArn": user_arn,
                "caller": None,
                "accessKey": None,
                "accountId": None,
                "user": None,
            },
            "path": f"/{STAGE}{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "resourceId": "sandbox",
            "resourcePath": resource or path,
            "stage": STAGE,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def _json_response(body: Mapping[str, Any], status: int, **headers: str) -> Response:
    response = Response(json.dumps(body), status=status, content_type="application/json")
    for name, value in headers.items():
        response.headers[name] = value
    return response


class LocalApiGateway:
    """A threaded loopback HTTP server in front of one handler."""

    def __init__(
        self,
        handler: Handler,
        *,
        environment: Callable[[], Mapping[str, str]] | None = None,
        routes: tuple[ApiRoute, ...] = ROUTES,
        function_name: str = "WebhookFunction",
    ) -> None:
        self._handler = handler
        self._environment = environment
        self._routes = routes
        self._function_name = function_name
        self._env_lock = threading.Lock()
        self._server = LoopbackServer(self.wsgi_app)
        self.invocations = 0

    def start(self) -> str:
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @contextmanager
    def _function_environment(self) -> Iterator[None]:
        """The function's environment while it runs (requests are served one at a time, as in a single container)."""
        if self._environment is None:
            yield
            return
        with self._env_lock, patched_environ(dict(self._environment())):
            yield

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self._answer(request)(environ, start_response)

    def _answer(self, request: Request) -> Response:
        route, parameters = None, None
        for candidate in self._routes:
            parameters = candidate.match(request.method, request.path)
            if parameters is not None:
                route = candidate
                break
        if route is None:
            return _json_response({"message": "Missing Authentication Token"}, 403)
        body = request.get_data(cache=False)
        if len(body) > API_GATEWAY_MAX_BODY:
            return _json_response({"message": "Request Too Long"}, 413)
        headers = {name: value for name, value in request.headers.items()}
        event = proxy_event(
            request.method,
            request.path,
            headers=headers,
            body=body if body or request.method != "GET" else None,
            resource=route.resource,
            path_parameters=parameters,
            query={name: request.args.getlist(name) for name in request.args},
            source_ip=request.remote_addr or "127.0.0.1",
            user_arn=f"arn:aws:iam::{ACCOUNT}:user/sandbox-operator" if route.iam else None,
        )
        try:
            with self._function_environment(), invoked_as(self._function_name):
                self.invocations += 1
                result = self._handler(event, LambdaContext(self._function_name, timeout_seconds=10))
        except Exception:
            log.exception("Webhook handler failed; API Gateway answers 502")
            return _json_response({"message": "Internal server error"}, 502)
        response = Response(
            base64.b64decode(result.get("body") or "") if result.get("isBase64Encoded") else result.get("body") or "",
            status=int(result.get("statusCode", 200)),
        )
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = str(value)
        for name, values in (result.get("multiValueHeaders") or {}).items():
            response.headers.remove(name)
            for value in values:
                response.headers.add(name, str(value))
        if route.iam:
            response.headers["X-Sandbox-IAM"] = IAM_NOT_ENFORCED
        return response
