"""``POST /points/values``: measured values pushed by gateways (and loaded by tests and history imports).

Body: ``{"data": [{"point_id": 12, "utc_date_time": "2026-01-01T00:15:00", "value": 3.2}, ...]}``, at most
``MYEMS_MAX_PUSH_VALUES`` entries. ``utc_date_time`` is UTC (an explicit offset is honoured), kept to the
millisecond. The batch is checked as a whole: the first bad entry answers 400 with its ``index`` and
nothing is written. Values outside the point's limits are stored flagged bad, as acquisition does.
Admins and API keys may push.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.db import schema
from myems_api.db.trends import Reading, Sample, store_readings
from myems_api.engine.family import PUSH
from myems_api.errors import ApiError
from myems_api.http import Endpoint, read_json


def _refuse(code: str, index: int | None = None) -> ApiError:
    return ApiError(400, code, detail={} if index is None else {"index": index})


def _utc(raw: Any) -> datetime:
    if not isinstance(raw, str) or len(raw) > 40:
        raise ValueError(raw)
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if not 1970 <= value.year <= 9998:
        raise ValueError(raw)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


class PointValues:
    def __init__(self, system: Engine, historical: Engine, max_body: int, max_values: int) -> None:
        self.system = system
        self.historical = historical
        self.max_body = max_body
        self.max_values = max_values

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/points/values").add("POST", PUSH, self.on_post)]

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_json(req, self.max_body)
        entries = body.get("data") if isinstance(body, dict) else None
        if not isinstance(entries, list) or not entries:
            raise _refuse("API.INVALID_DATA")
        if len(entries) > self.max_values:
            raise ApiError(413, "API.TOO_MANY_VALUES")
        parsed = [self._entry(i, e) for i, e in enumerate(entries)]
        points = self._points({p for p, _, _ in parsed})
        samples: list[Sample] = []
        for index, (point_id, utc, value) in enumerate(parsed):
            point = points.get(point_id)
            if point is None:
                raise ApiError(404, "API.POINT_NOT_FOUND", detail={"index": index})
            good = point.low_limit <= value <= point.high_limit
            samples.append((point.object_type, Reading(point_id, utc, value, good)))
        with self.historical.begin() as conn:
            store_readings(conn, samples)
        resp.media = {"stored": len(samples)}

    @staticmethod
    def _entry(index: int, entry: Any) -> tuple[int, datetime, float]:
        if not isinstance(entry, dict):
            raise _refuse("API.INVALID_POINT_VALUE", index)
        point_id, value = entry.get("point_id"), entry.get("value")
        if isinstance(point_id, bool) or not isinstance(point_id, int) or point_id < 1:
            raise _refuse("API.INVALID_POINT_ID", index)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or abs(value) >= 1e15:
            raise _refuse("API.INVALID_VALUE", index)
        try:
            utc = _utc(entry.get("utc_date_time"))
        except ValueError:
            raise _refuse("API.INVALID_UTC_DATE_TIME", index) from None
        return point_id, utc, float(value)

    def _points(self, ids: set[int]) -> dict[int, Any]:
        p = schema.points
        with self.system.connect() as conn:
            rows = conn.execute(sa.select(p.c.id, p.c.object_type, p.c.high_limit, p.c.low_limit)
                                .where(p.c.id.in_(ids), p.c.is_virtual.is_(False))).all()
        return {r.id: r for r in rows}
