"""The audit log: every write through the API, recorded in the transaction of the write itself.

An authenticated ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` opens an :class:`AuditEntry` (who, when, from
which address, verb, route template, object id, the body with every password, token, key and secret
masked). The first transaction the request commits on the system store writes the entry's row inside
that transaction, so a stored change always has its log row and a rolled-back one has none. The row is
written with the status a success of that verb answers; when the request ends with another one, the row
is corrected. A request that committed nothing (refused, or failed) gets its row then, with the error code
as its outcome.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from myems_api.auth import Principal, utcnow
from myems_api.db import schema
from myems_api.db.operations_tables import logs
from myems_api.engine.family import ADMIN
from myems_api.engine.fields import Context, Invalid, LocalDateTime, render_datetime
from myems_api.errors import bad_request
from myems_api.http import Endpoint, query_int

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECRET = re.compile(r"password|passwd|token|secret|api[_-]?key|salt|authorization|credential", re.IGNORECASE)
MASK = "******"
MAX_BODY = 16_384  # characters of a body kept; an upload's file content is never kept

CURRENT: ContextVar[AuditEntry | None] = ContextVar("audit_entry", default=None)


def masked(value: Any) -> Any:
    """The value with the values of secret-looking keys masked, however deep."""
    if isinstance(value, dict):
        return {k: MASK if isinstance(k, str) and SECRET.search(k) else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


@dataclass
class AuditEntry:
    values: dict[str, Any]
    context: Any = None  # the request's context, where the body parser leaves what it parsed
    row_id: int | None = None
    status: int | None = None  # as written with the row

    def body(self) -> str | None:
        body = getattr(self.context, "json_body", None)
        return json.dumps(masked(body), ensure_ascii=False)[:MAX_BODY] if body is not None else None

    def write(self, conn: Connection, status: int | None, outcome: str) -> None:
        key = conn.execute(sa.insert(logs).values(**self.values, request_body=self.body(), status=status,
                                                  outcome=outcome))
        self.row_id = int(key.inserted_primary_key[0]) if key.inserted_primary_key else None


# The status a write answers when it succeeds, written with the row so that a success costs no second
# transaction; the answer corrects it when it differs.
EXPECTED = {"POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}


def _on_commit(conn: Connection) -> None:
    entry = CURRENT.get()
    if entry is not None and entry.row_id is None:
        entry.status = EXPECTED.get(entry.values["request_method"])
        entry.write(conn, entry.status, "done")


def _outcome(resp: falcon.Response) -> str:
    media = resp.media if isinstance(resp.media, dict) else None
    if media is None and resp.text:
        try:
            media = json.loads(resp.text)
        except ValueError:
            media = None
    described = media.get("description") if isinstance(media, dict) else None
    return str(described)[:128] if described else str(resp.status)[:128]


class AuditTrail:
    """The middleware (after authentication) that opens and closes each write's entry."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sa.event.listen(engine, "commit", _on_commit)

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        principal: Principal | None = req.context.get("principal")
        if req.method not in WRITES or principal is None:
            return
        raw_id = params.get("id")
        entry = AuditEntry({
            "user_uuid": principal.uuid if principal.kind == "user" else None,
            "api_key_id": principal.id if principal.kind == "apikey" else None,
            "request_datetime_utc": utcnow(), "request_method": req.method,
            "resource_type": (req.uri_template or req.path)[:255],
            "resource_id": int(raw_id) if isinstance(raw_id, str) and raw_id.isdecimal() and len(raw_id) < 19
            else None,
            "path": req.path[:1024], "remote_address": (req.remote_addr or "")[:64] or None,
        }, req.context)
        req.context.audit = entry
        req.context.audit_token = CURRENT.set(entry)

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         req_succeeded: bool) -> None:
        entry: AuditEntry | None = req.context.get("audit")
        if entry is None:
            return
        CURRENT.reset(req.context.audit_token)
        status = int(str(resp.status).split()[0])
        if entry.row_id is not None and status == entry.status:
            return  # written with its commit, as it turned out
        with self.engine.begin() as conn:
            if entry.row_id is None:
                entry.write(conn, status, "done" if status < 400 else _outcome(resp))
            else:
                conn.execute(sa.update(logs).where(logs.c.id == entry.row_id).values(
                    status=status, outcome="done" if status < 400 else f"committed, then {_outcome(resp)}"[:128]))


LOG_KEYS = ("id", "user_uuid", "api_key_id", "request_method", "resource_type", "resource_id", "request_body",
            "path", "remote_address", "status", "outcome")


class AuditLog:
    """``GET /logs`` (administrators): newest first; ``?user_uuid=``, ``?startdatetime=&enddatetime=`` (local
    time), ``?limit=`` (default 100, at most 1000) and ``?before=<id>`` for the next page."""

    def __init__(self, engine: Engine, tz: Any) -> None:
        self.engine = engine
        self.tz = tz

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/logs").add("GET", ADMIN, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        limit = query_int(req, "limit", 1, 1000) or 100
        before = query_int(req, "before", 1, 2**63 - 1)
        u = schema.users
        stmt = (sa.select(logs, u.c.name.label("user_name"), u.c.display_name.label("user_display_name"))
                .outerjoin(u, u.c.uuid == logs.c.user_uuid).order_by(logs.c.id.desc()).limit(limit))
        if before is not None:
            stmt = stmt.where(logs.c.id < before)
        if req.get_param("user_uuid"):
            stmt = stmt.where(logs.c.user_uuid == req.get_param("user_uuid"))
        for param, op in (("startdatetime", "ge"), ("enddatetime", "lt")):
            if req.get_param(param):
                try:
                    when = LocalDateTime(param).parse(req.get_param(param), Context(tz=self.tz))
                except Invalid as exc:
                    raise bad_request(f"API.INVALID_{param.upper().replace('DATETIME', '_DATETIME')}") from exc
                column = logs.c.request_datetime_utc
                stmt = stmt.where(column >= when if op == "ge" else column < when)
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        resp.media = [{**{k: row[k] for k in LOG_KEYS}, "user_name": row["user_name"],
                       "user_display_name": row["user_display_name"],
                       "request_datetime": render_datetime(row["request_datetime_utc"], self.tz),
                       "request_datetime_utc": row["request_datetime_utc"].isoformat(timespec="seconds")}
                      for row in rows]
