"""HTTP plumbing shared by every resource: endpoints with per-verb policies, JSON bodies, middleware.

An :class:`Endpoint` is one path with a responder and an access policy per verb; the app's route table
is a list of them, which is also what the authorisation tests walk.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import falcon

from myems_api.errors import ApiError, bad_request

log = logging.getLogger("myems.api")

Responder = Callable[..., None]

# Bodies are JSON whatever these say: the seed's own examples send JSON as text/plain and as
# ``application/TBD`` (a placeholder the reference never filled in), and curl's ``-d`` without a header
# labels it form-urlencoded; MyEMS read all of them as JSON. Anything else is refused.
JSON_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded", "application/tbd")


class Endpoint:
    """A path's verbs: ``policies`` for the auth middleware, ``on_<verb>`` responders for falcon."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.max_body: int | None = None  # a body limit of its own (uploads), else the app's
        self.policies: dict[str, str] = {}
        self._responders: dict[str, Responder] = {}

    def add(self, verb: str, policy: str, responder: Responder) -> Endpoint:
        if verb in self._responders:
            raise ValueError(f"{verb} {self.path} defined twice")
        self.policies[verb] = policy
        self._responders[verb] = responder
        return self

    def merge(self, other: Endpoint) -> Endpoint:
        """Takes in the verbs of another endpoint of the same path (a family's list and a custom public POST)."""
        for verb, policy in other.policies.items():
            self.add(verb, policy, other._responders[verb])
        if other.max_body is not None:
            self.max_body = max(self.max_body or 0, other.max_body)
        return self

    def __getattr__(self, name: str) -> Responder:
        if name.startswith("on_"):
            responders: dict[str, Responder] = self.__dict__.get("_responders", {})
            if name[3:].upper() in responders:
                return responders[name[3:].upper()]
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"Endpoint({self.path!r}, {sorted(self.policies)})"


def read_json(req: falcon.Request, max_bytes: int) -> Any:
    """The request body as JSON, or a 4xx in the one error shape."""
    content_type = (req.content_type or "application/json").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        raise ApiError(415, "API.UNSUPPORTED_MEDIA_TYPE")
    raw = req.bounded_stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, "API.REQUEST_BODY_TOO_LARGE")
    if not raw.strip():
        raise bad_request("API.EMPTY_REQUEST_BODY")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request("API.INVALID_JSON") from exc
    req.context.json_body = body  # for the audit log, which masks its secrets
    return body


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON does not


def read_data(req: falcon.Request, max_bytes: int, optional: bool = False) -> dict[str, Any]:
    """The ``data`` object of a ``{"data": {...}}`` body; ``optional`` bodies may be absent or empty."""
    if optional and not req.content_length and req.get_header("Transfer-Encoding") is None:
        return {}
    body = read_json(req, max_bytes)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise bad_request("API.INVALID_DATA")
    return data


def query_int(req: falcon.Request, name: str, low: int, high: int) -> int | None:
    raw = req.get_param(name)
    if raw is None or raw == "":
        return None
    if not raw.isdecimal() or not low <= int(raw) <= high:
        raise bad_request(f"API.INVALID_{name.upper()}")
    return int(raw)


class RequestContext:
    """A request id for every request (taken from ``X-Request-ID`` when sane), echoed and logged."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        given = req.get_header("X-Request-ID") or ""
        req.context.request_id = given if 0 < len(given) <= 64 and given.isprintable() else uuid.uuid4().hex
        req.context.started = time.perf_counter()
        req.context.principal = None

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        resp.set_header("X-Request-ID", req.context.request_id)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s %.1fms [%s]", req.method, req.path, resp.status,
                      (time.perf_counter() - req.context.started) * 1000, req.context.request_id)


class BodyLimit:
    """Refuses a declared oversized body before any resource reads it (an endpoint may set its own limit)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        limit = getattr(resource, "max_body", None) or self.max_bytes
        if req.content_length is not None and req.content_length > limit:
            raise ApiError(413, "API.REQUEST_BODY_TOO_LARGE")
