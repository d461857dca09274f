"""After the copies: energy sums compared, daily roll-ups filled, and the aggregation set to go on from where
MyEMS stopped.

MyEMS had aggregated each meter up to some hour; its hours are imported, not recomputed. Each meter's source
point is marked dirty from the hour after its last imported hour (or from its first reading when it has no
hour yet), and only where readings go past that hour, so ``myems aggregation`` computes what MyEMS had not and
leaves years of imported hours alone (``myems aggregation --from`` recomputes them when asked).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from aggregation.store import meter_sources
from myems_api.db import energy, historical, trends
from myems_api.db.engines import Databases
from myems_api.db.entity_days import as_datetime, fill_daily
from myems_api.importer.copier import TableReport, store_of
from myems_api.importer.plan import Copy
from myems_api.importer.source import Source


def verify(copy: Copy, report: TableReport, source: Source, databases: Databases, since: datetime | None) -> None:
    """The source's sum of ``actual_value`` (or the column summed) against the target's sum of the column it
    became."""
    if copy.total is None or copy.source_total is None:
        return
    window = (copy.since, since) if copy.since and since else None
    _, report.source_sum = source.totals(copy.group, copy.table, window, copy.source_total)
    t = copy.target
    where = [t.c[k] == v for k, v in copy.fixed.items() if t.c[k].primary_key] + list(copy.scope)
    if window:
        where.append(t.c[copy.since] >= since)  # type: ignore[index]
    with databases.engines[store_of(t)].connect() as conn:
        report.target_sum = float(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(t.c[copy.total]), 0))
                                               .where(*where)).scalar() or 0.0)


def fill_entity_days(databases: Databases) -> None:
    with databases.engines["energy"].begin() as conn:
        fill_daily(conn)


def continue_aggregation(databases: Databases) -> int:
    """Marks each meter's source point from the hour after its last imported hour; answers the marks set."""
    sources = meter_sources(databases.system)
    mh = energy.meter_hourly
    with databases.engines["energy"].connect() as conn:
        last_hour = dict(conn.execute(sa.select(mh.c.meter_id, sa.func.max(mh.c.start_datetime_utc))
                                      .where(mh.c.meter_type == "meter").group_by(mh.c.meter_id)).all())
    spans: dict[str, dict[int, tuple[Any, Any]]] = {}
    dirty = historical.dirty_points
    with databases.engines["historical"].connect() as conn:
        marked = {r[0]: as_datetime(r[1]) for r in conn.execute(sa.select(dirty.c.point_id, dirty.c.from_datetime_utc))}
        for kind, table in (("counter", historical.energy_values), ("power", historical.analog_values)):
            spans[kind] = {r[0]: (r[1], r[2]) for r in conn.execute(
                sa.select(table.c.point_id, sa.func.min(table.c.utc_date_time), sa.func.max(table.c.utc_date_time))
                .group_by(table.c.point_id))}
    marks: dict[int, datetime] = {}
    for point_id, meter in sources.items():
        span = spans[meter.kind].get(point_id)
        if span is None:
            continue
        first, newest = (as_datetime(v) for v in span)
        last = last_hour.get(meter.meter_id)
        since = first if last is None else as_datetime(last) + timedelta(hours=1)
        if newest >= since and not (point_id in marked and marked[point_id] <= since):  # a rerun marks nothing
            marks[point_id] = since
    if marks:
        with databases.engines["historical"].begin() as conn:
            trends.mark_dirty(conn, marks)
    return len(marks)
