"""``PUT /pointsetvalues/{id}``: a value written to the device behind a point (MyEMS v6.7.0 only stores it).

``{"data": {"set_value": 21.5}}`` on a point that can take one (see :mod:`acquisition.setpoints`) queues a
write: the answer is the queued request (``status`` ``queued``). The acquisition worker that owns the
point's data source performs it within a second or so and records the outcome: ``done`` with the value
read back from the device (MQTT has none to read), ``failed`` with the reason, or ``timed_out`` when it
could not be carried out in time. ``GET /pointsetvalues/{id}`` lists the point's requests, newest first.

Refused, nothing queued: an unknown point (404 ``API.POINT_NOT_FOUND``), a value that is not a number
(``API.INVALID_SET_VALUE``), outside the point's limits (``API.SET_VALUE_OUT_OF_RANGE``) or not encodable
for its address (a fraction for an integer register, 2 for a coil), and a point that cannot be written
(``API.POINT_IS_NOT_WRITABLE``: an input register, a BACnet input, an MQTT point without a command topic,
a virtual or simulated point).
"""

from __future__ import annotations

import math
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from acquisition.setpoints import check
from myems_api.auth import Principal, utcnow
from myems_api.db import schema
from myems_api.db.operations_tables import point_set_values as psv
from myems_api.engine.family import ADMIN, READ
from myems_api.engine.fields import Invalid, parse_id, render_datetime
from myems_api.errors import bad_request, not_found
from myems_api.http import Endpoint, read_data


class SetValueStore:
    def __init__(self, engine: Engine, reader: Engine) -> None:
        self.engine, self.reader = engine, reader

    def queue(self, point_id: int, value: float, requested_by: str | None) -> int:
        p, ds = schema.points, schema.data_sources
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(p, ds.c.protocol).join(ds, ds.c.id == p.c.data_source_id)
                               .where(p.c.id == point_id)).mappings().first()
            if row is None:
                raise not_found("API.POINT_NOT_FOUND")
            try:
                check(str(row["protocol"]), dict(row), value)
            except ValueError as exc:
                raise bad_request(str(exc)) from exc
            key = conn.execute(sa.insert(psv).values(
                point_id=point_id, data_source_id=row["data_source_id"], set_value=value,
                utc_date_time=utcnow(), status="queued", requested_by=requested_by)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def find(self, point_id: int, request_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        stmt = sa.select(psv).where(psv.c.point_id == point_id).order_by(psv.c.id.desc()).limit(limit)
        if request_id is not None:
            stmt = stmt.where(psv.c.id == request_id)
        with self.reader.connect() as conn:
            if conn.execute(sa.select(schema.points.c.id).where(schema.points.c.id == point_id)).first() is None:
                raise not_found("API.POINT_NOT_FOUND")
            return [dict(r) for r in conn.execute(stmt).mappings()]


class SetValues:
    def __init__(self, store: SetValueStore, tz: Any, max_body: int) -> None:
        self.store, self.tz, self.max_body = store, tz, max_body

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/pointsetvalues/{id}").add("PUT", ADMIN, self.on_put).add("GET", READ, self.on_get)]

    def _render(self, row: dict[str, Any]) -> dict[str, Any]:
        return {"id": row["id"], "point_id": row["point_id"], "set_value": row["set_value"],
                "status": row["status"], "reason": row["reason"], "read_back_value": row["read_back_value"],
                "requested_datetime": render_datetime(row["utc_date_time"], self.tz),
                "done_datetime": render_datetime(row["done_datetime_utc"], self.tz)}

    @staticmethod
    def _point_id(raw: str) -> int:
        try:
            return parse_id(raw)
        except Invalid as exc:
            raise bad_request("API.INVALID_POINT_ID") from exc

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        point_id = self._point_id(id)
        value = read_data(req, self.max_body).get("set_value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise bad_request("API.INVALID_SET_VALUE")
        principal: Principal = req.context.principal
        request_id = self.store.queue(point_id, float(value), principal.uuid or f"apikey:{principal.id}")
        resp.media = self._render(self.store.find(point_id, request_id)[0])

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        resp.media = [self._render(r) for r in self.store.find(self._point_id(id))]
