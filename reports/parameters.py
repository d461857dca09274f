"""A report's ``parameters``: the trend values of the points related to its entity, over the reporting period.

Related points: a meter's points; the points bound to a space, tenant, store or shopfloor; the point
parameters of equipment and combined equipment. At most :data:`MAX_POINTS` points, and per point at most
:data:`MAX_VALUES` values (a longer series is thinned evenly, keeping its first and last value), so a
year of one-minute readings does not turn into a 50 MB answer. Timestamps are local
(``YYYY-MM-DDTHH:MM:SS`` in the entity's zone); bad readings are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa

from aggregation.store import as_double, epoch_seconds
from myems_api.db import historical, schema
from reports.blocks import numbers
from reports.entities import ReportEntity
from reports.local_time import local_text
from reports.query import Engines, ReportQuery

MAX_POINTS = 20
MAX_VALUES = 2000

_POINT_LINKS: dict[str, tuple[sa.Table, str]] = {
    "meter": (schema.meters_points, "meter_id"), "space": (schema.spaces_points, "space_id"),
    "tenant": (schema.tenants_links["point"], "tenant_id"), "store": (schema.stores_links["point"], "store_id"),
    "shopfloor": (schema.shopfloors_links["point"], "shopfloor_id"),
    "equipment": (schema.equipment_parameters, "equipment_id"),
    "combined_equipment": (schema.combined_equipment_parameters, "combined_equipment_id"),
}


def related_points(conn: Any, kind: str, entity_id: int) -> list[tuple[int, str, str]]:
    """(id, name, object type) of the entity's related points, by id."""
    link = _POINT_LINKS.get(kind)
    if link is None:
        return []
    table, owner = link
    p = schema.points
    ids = sa.select(table.c.point_id).where(table.c[owner] == entity_id, table.c.point_id.is_not(None))
    return [(r.id, r.name, r.object_type) for r in conn.execute(
        sa.select(p.c.id, p.c.name, p.c.object_type).where(p.c.id.in_(ids)).order_by(p.c.id).limit(MAX_POINTS))]


def empty_parameters() -> dict[str, list[Any]]:
    """The block a report answers in quick mode or without related points."""
    return {"names": [], "timestamps": [], "values": []}


def parameters_of(engines: Engines, query: ReportQuery) -> dict[str, list[Any]]:
    return entity_parameters(engines, query.entity, query.periods.reporting)


def entity_parameters(engines: Engines, entity: ReportEntity, reporting: Any) -> dict[str, list[Any]]:
    """The ``parameters`` block of one entity over a reporting span (a comparison has one per entity)."""
    with engines.system.connect() as conn:
        points = related_points(conn, entity.kind, entity.id)
    start, end = reporting.utc_range
    names: list[str] = []
    stamps: list[list[str]] = []
    values: list[list[float | None]] = []
    with engines.historical.connect() as conn:
        for point_id, name, object_type in points:
            t = historical.TRENDS.get(object_type)
            if t is None:
                continue
            rows = conn.execute(sa.select(epoch_seconds(t.c.utc_date_time, conn.dialect.name),
                                          as_double(t.c.actual_value)).where(
                t.c.point_id == point_id, t.c.is_bad.is_(False), t.c.actual_value.is_not(None),
                t.c.utc_date_time >= start, t.c.utc_date_time < end).order_by(t.c.utc_date_time)).cursor.fetchall()
            table = np.array(rows, dtype=np.float64).reshape(-1, 2)
            if len(table) > MAX_VALUES:
                table = table[np.unique(np.linspace(0, len(table) - 1, MAX_VALUES).astype(np.int64))]
            names.append(name)
            stamps.append([local_text(t, entity.zone) for t in table[:, 0]])
            values.append(numbers(table[:, 1]))
    return {"names": names, "timestamps": stamps, "values": values}
