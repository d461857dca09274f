"""Protocols, gateways and data sources: where acquisition reads from.

A data source's ``connection`` is JSON checked against its protocol, so a typo is refused when it is
saved rather than discovered by a worker at 3 a.m.:

- ``modbus-tcp``: ``host`` and ``port`` (1-65535); optional ``interval_in_seconds`` and ``timeout`` (> 0).
- ``modbus-rtu``: ``port`` (serial device) and ``baudrate``.
- ``bacnet-ip``: the device address ``host``, optional ``port`` (default 47808) and ``device_id``.
- ``mqtt``: ``host``, ``port``, ``topic``, ``qos`` (0, 1 or 2), optional ``username`` and ``password``.
- any other protocol: a JSON object.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import falcon
import sqlalchemy as sa

from myems_api.db import schema
from myems_api.engine.family import READ, Children, Family
from myems_api.engine.fields import JsonText, LocalDateTime, Lookup, Name, OnlineStatus, Ref, Text, render_datetime
from myems_api.engine.store import FamilyStore
from myems_api.http import Endpoint


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= 255


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _optional(conn: Mapping[str, Any], key: str, test: Callable[[Any], bool]) -> bool:
    return key not in conn or test(conn[key])


def _modbus_tcp(c: Mapping[str, Any]) -> bool:
    return (_text(c.get("host")) and _int_in(c.get("port"), 1, 65535)
            and _optional(c, "interval_in_seconds", _positive) and _optional(c, "timeout", _positive))


def _modbus_rtu(c: Mapping[str, Any]) -> bool:
    return _text(c.get("port")) and _int_in(c.get("baudrate"), 50, 4_000_000)


def _bacnet_ip(c: Mapping[str, Any]) -> bool:
    return (_text(c.get("host")) and _optional(c, "port", lambda p: _int_in(p, 1, 65535))
            and _optional(c, "device_id", lambda d: _int_in(d, 0, 4_194_303)))


def _mqtt(c: Mapping[str, Any]) -> bool:
    return (_text(c.get("host")) and _int_in(c.get("port"), 1, 65535) and _text(c.get("topic"))
            and _int_in(c.get("qos"), 0, 2) and _optional(c, "username", _text)
            and _optional(c, "password", lambda p: isinstance(p, str)))


CONNECTION_RULES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "modbus-tcp": _modbus_tcp, "modbus-rtu": _modbus_rtu, "bacnet-ip": _bacnet_ip, "mqtt": _mqtt,
}


def check_connection(source: Mapping[str, Any]) -> str | None:
    connection = json.loads(source["connection"])
    if not isinstance(connection, dict):
        return "API.INVALID_CONNECTION"
    rule = CONNECTION_RULES.get(source["protocol"])
    return None if rule is None or rule(connection) else "API.INVALID_CONNECTION"


def _new_gateway_token(values: dict[str, Any]) -> dict[str, Any]:
    values["token"] = secrets.token_hex(32)
    return {}


protocols = Family(
    "protocol", "protocols", schema.protocols,
    fields=(Name(), Text("code", max_len=64, unique=True, pattern=r"[a-z0-9][a-z0-9-]*")),
    portable=True,
)

gateways = Family(
    "gateway", "gateways", schema.gateways,
    fields=(
        Name(), Text("token", writable=False),
        LocalDateTime("last_seen_datetime", writable=False, db_column="last_seen_datetime_utc"),
        OnlineStatus("status"), Text("description", max_len=4096, required=False, null=True),
    ),
    children=(Children("datasources", "data_source", via="gateway"),),
    on_create=_new_gateway_token,
    portable=True,
)

data_sources = Family(
    "data_source", "data_sources", schema.data_sources,
    fields=(
        Name(), Ref("gateway"), Lookup("protocol", family="protocol"), JsonText("connection", max_len=8192),
        LocalDateTime("last_seen_datetime", writable=False, db_column="last_seen_datetime_utc"),
        OnlineStatus("status"), Text("description", max_len=4096, required=False, null=True),
    ),
    checks=(check_connection,),
    children=(Children("points", "point", via="data_source"),),
    portable=True,
)

FAMILIES = (protocols, gateways, data_sources)


class DataSourceStatus:
    """``GET /datasources/{id}/status``: what the acquisition worker last reported for the source (its
    counters are null until a worker has read it)."""

    def __init__(self, store: FamilyStore) -> None:
        self.store = store

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/datasources/{id}/status").add("GET", READ, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        source = self.store.get(self.store.parse_id(id))
        st = schema.data_source_status
        with self.store.reader.connect() as conn:
            row = conn.execute(sa.select(st).where(st.c.data_source_id == source["id"])).mappings().first()
        counters = {k: (row[k] if row else None) for k in ("reads", "errors", "last_latency_ms", "last_error")}
        updated = row["updated_datetime_utc"] if row else None
        resp.media = {"data_source": {"id": source["id"], "name": source["name"], "uuid": source["uuid"]},
                      "status": source.get("status"), "last_seen_datetime": source.get("last_seen_datetime"),
                      **counters, "updated_datetime": render_datetime(updated, self.store.ctx.tz)}
