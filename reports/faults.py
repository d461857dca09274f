"""``GET /reports/fddfault``: the faults the rules engine raised (:mod:`aggregation.rules`), newest first.

v6.7.0 answers ``{}`` here (its fault engine is not open; its page lists web messages). We answer
``{"faults": [...], "summary": {"total", "active", "cleared"}}``, each fault with its rule (``rule_id``,
``rule_name``, ``fdd_code``, ``category``, ``priority``), ``object``, ``subject``, ``message``, ``value``,
``raised_datetime`` and ``cleared_datetime`` (local, the site's offset) and ``status`` (``active`` or
``cleared``). Parameters, all optional: ``startdatetime`` / ``enddatetime`` (local, raised in ``[start,
end)``; the last 7 days by default), ``priority`` (or ``all``), ``status`` (``active``, ``cleared`` or ``all``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from myems_api.auth import Principal
from myems_api.db import message_tables as mt
from myems_api.db import schema
from myems_api.errors import bad_request
from reports.catalog_types import Route
from reports.local_time import local_to_utc, parse_local, utc_to_text
from reports.query import Engines


def fdd_faults(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    zone = engines.fallback_zone
    now = datetime.now(UTC).astimezone(zone).replace(tzinfo=None, microsecond=0)
    start = parse_local(params.get("startdatetime"), "API.INVALID_START_DATETIME_FORMAT", now - timedelta(days=7))
    end = parse_local(params.get("enddatetime"), "API.INVALID_END_DATETIME_FORMAT", now + timedelta(seconds=1))
    if start >= end:
        raise bad_request("API.START_DATETIME_MUST_BE_EARLIER_THAN_END_DATETIME")
    priority = str(params.get("priority") or "all").upper()
    status = str(params.get("status") or "all").lower()
    if priority not in ("ALL", "CRITICAL", "HIGH", "MEDIUM", "LOW"):
        raise bad_request("API.INVALID_PRIORITY")
    if status not in ("all", "active", "cleared"):
        raise bad_request("API.INVALID_STATUS")
    f, r = mt.fdd_faults, schema.rules
    query = (sa.select(f, r.c.name.label("rule_name"), r.c.fdd_code, r.c.category, r.c.priority)
             .select_from(f.outerjoin(r, r.c.id == f.c.rule_id))
             .where(f.c.raised_datetime_utc >= local_to_utc(start, zone),
                    f.c.raised_datetime_utc < local_to_utc(end, zone))
             .order_by(f.c.raised_datetime_utc.desc(), f.c.id.desc()))
    if priority != "ALL":
        query = query.where(r.c.priority == priority)
    if status != "all":
        query = query.where(f.c.cleared_datetime_utc.is_(None) if status == "active" else
                            f.c.cleared_datetime_utc.is_not(None))
    with engines.system.connect() as conn:
        rows = conn.execute(query).all()
    faults = [{"id": row.id, "rule_id": row.rule_id, "rule_name": row.rule_name, "fdd_code": row.fdd_code,
               "category": row.category, "priority": row.priority, "object": row.object_key,
               "subject": row.subject, "message": row.message, "value": row.value,
               "raised_datetime": utc_to_text(row.raised_datetime_utc, zone),
               "cleared_datetime": utc_to_text(row.cleared_datetime_utc, zone),
               "status": "active" if row.cleared_datetime_utc is None else "cleared"} for row in rows]
    active = sum(f["status"] == "active" for f in faults)
    return {"faults": faults, "summary": {"total": len(faults), "active": active, "cleared": len(faults) - active}}


ROUTES = (Route("/reports/fddfault", fdd_faults),)
