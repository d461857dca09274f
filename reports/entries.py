"""Values entered through the UI: an offline meter's daily values (``POST /reports/offlinemeterinput``).

The body, as MyEMS's UI sends it: ``{"meter": <offline meter id>, "value": [["YYYY-MM-DD", <daily value>], ...]}``
(or inside ``{"data": ...}`` as the admin API's writes are)
(only the first ten characters of each date are read). Every day is checked before anything is written: a
date that is not a day, a value that is not a number or is negative, or a day whose hours (its value over its
24 hours) would fall outside the meter's hourly limits answers 400 ``API.INVALID_OFFLINE_METER_VALUE`` and
writes nothing; an unknown meter 404, one outside the caller's spaces 403.

The days are kept as an offline meter file (status ``new``, a workbook of date and value written here), the
one way values reach an offline meter: the aggregation spreads them over each local day's hours, a day given
again taking the later value, and rolls them up like an uploaded file. The answer names the file.
"""

from __future__ import annotations

import hashlib
import io
import math
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook

from myems_api.auth import Principal
from myems_api.db import file_tables
from myems_api.errors import bad_request
from myems_api.uploads import XLSX
from reports.catalog_types import Route
from reports.entities import check_access, resolve
from reports.query import Engines

INVALID = "API.INVALID_OFFLINE_METER_VALUE"
MAX_VALUE = 1e14  # DECIMAL(21, 6) holds 15 integer digits


def entry_body(params: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The JSON object a UI entry sends, bare or inside the ``{"data": ...}`` wrapper of the admin API's writes."""
    body = params.get("body")
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    if not isinstance(body, dict):
        raise bad_request(code)
    return body


def days_of(body: Mapping[str, Any], code: str = INVALID) -> list[tuple[date, float]]:
    """``value``: ``[["YYYY-MM-DD", n], ...]``, each n a non-negative number the DECIMAL columns hold; a day
    given twice takes the later value. Anything else answers 400 ``code``."""
    if not isinstance(body.get("value"), list) or not body["value"]:
        raise bad_request(code)
    found: dict[date, float] = {}
    for item in body["value"]:
        if not isinstance(item, list | tuple) or len(item) != 2 or isinstance(item[1], bool):
            raise bad_request(code)
        try:
            day, value = date.fromisoformat(str(item[0])[:10]), float(item[1])
        except (TypeError, ValueError) as exc:
            raise bad_request(code) from exc
        if not math.isfinite(value) or not 0 <= value < MAX_VALUE:
            raise bad_request(code)
        found[day] = value
    return sorted(found.items())


def offline_meter_input(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    body = entry_body(params, INVALID)
    days = days_of(body)
    with engines.system.begin() as conn:
        meter = resolve(conn, "offline_meter", {"offlinemeterid": str(body.get("meter", "")) if isinstance(
            body, dict) else ""}, engines.fallback_zone)
        check_access(conn, principal, meter)
        low, high = (float(meter.row[k]) if meter.row.get(k) is not None else None
                     for k in ("hourly_low_limit", "hourly_high_limit"))
        for _, value in days:
            hourly = value / 24
            if (low is not None and hourly < low) or (high is not None and hourly > high):
                raise bad_request(INVALID)
        data = workbook(days)
        file_uuid = str(uuid.uuid4())
        new_id = conn.execute(sa.insert(file_tables.files).values(
            uuid=file_uuid, kind="offline_meter", file_name=f"{meter.name} {days[0][0]} - {days[-1][0]}.xlsx",
            media_type=XLSX, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            upload_datetime_utc=datetime.now(UTC).replace(tzinfo=None, microsecond=0), status="new",
            user_id=principal.id if principal is not None and principal.kind == "user" else None,
            offline_meter_id=meter.id, file_object=data)).inserted_primary_key[0]  # type: ignore[index]
    return {"offline_meter_file_id": int(new_id), "days": len(days)}


def workbook(days: list[tuple[date, float]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "value"])
    for day, value in days:
        sheet.append([day, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROUTES: tuple[Route, ...] = (Route("/reports/offlinemeterinput", offline_meter_input, method="POST"),)
