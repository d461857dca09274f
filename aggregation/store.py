"""The aggregation's database adapter: what meters measure, their readings as arrays, hourly rows out.

Everything that touches SQL is here, so the kernels stay pure. Times cross as int64 POSIX seconds,
computed by the database (no per-row datetime objects on the hot path).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aggregation.series import OUT_OF_LIMITS, Hourly, Mask, Times, Values
from myems_api.db import energy, historical, schema, trends
from myems_api.db.upsert import upsert


@dataclass(frozen=True)
class MeterSource:
    """A meter's source of energy: its ENERGY_VALUE counter point, else its power point (kW, integrated)."""

    meter_id: int
    point_id: int
    kind: str  # "counter" | "power"
    max_value: float | None  # a counter's rollover value: its point's high limit
    hourly_low: float
    hourly_high: float


def epoch_seconds(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """A naive-UTC DATETIME as POSIX seconds, computed by the database whatever its session time zone."""
    if dialect == "mysql":
        return sa.func.timestampdiff(sa.literal_column("SECOND"), sa.literal("1970-01-01 00:00:00"), column)
    if sqlite3.sqlite_version_info >= (3, 38):
        return sa.func.unixepoch(column)  # a seventh faster than strftime('%s') on large reads
    return sa.cast(sa.func.strftime("%s", column), sa.BigInteger)


def as_double(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A DECIMAL column read as a double on every backend. ``CAST(x AS FLOAT)`` is single precision on MariaDB
    (58.772 reads back as 58.77199935913086) and SQLAlchemy has no portable DOUBLE cast; adding an
    approximate-value zero makes both MariaDB and SQLite compute in double precision."""
    return sa.type_coerce(column + sa.literal_column("0e0"), sa.Float)


def to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def meter_sources(system: Engine) -> dict[int, MeterSource]:
    """Each meter's source point, by point id. A meter with neither kind of point has no source."""
    m, mp, p = schema.meters, schema.meters_points, schema.points
    query = (sa.select(m.c.id, m.c.hourly_low_limit, m.c.hourly_high_limit, p.c.id.label("point_id"),
                       p.c.object_type, p.c.units, p.c.high_limit)
             .join(mp, mp.c.meter_id == m.c.id).join(p, p.c.id == mp.c.point_id).order_by(m.c.id, p.c.id))
    chosen: dict[int, MeterSource] = {}
    with system.connect() as conn:
        for r in conn.execute(query):
            if r.object_type == "ENERGY_VALUE":
                chosen[r.id] = MeterSource(r.id, r.point_id, "counter", r.high_limit, r.hourly_low_limit,
                                           r.hourly_high_limit)
            elif (r.object_type == "ANALOG_VALUE" and (r.units or "").strip().lower() == "kw"
                  and r.id not in chosen):
                chosen[r.id] = MeterSource(r.id, r.point_id, "power", None, r.hourly_low_limit,
                                           r.hourly_high_limit)
    return {s.point_id: s for s in chosen.values()}


@dataclass(frozen=True)
class Mark:
    point_id: int
    since: int  # POSIX seconds of the earliest reading not yet taken in
    version: int


def dirty_marks(store: Engine) -> list[Mark]:
    d = historical.dirty_points
    with store.connect() as conn:
        since = epoch_seconds(d.c.from_datetime_utc, conn.dialect.name)
        rows = conn.execute(sa.select(d.c.point_id, since, d.c.version).order_by(d.c.point_id)).all()
    return [Mark(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def mark_dirty(store: Engine, point_ids: Iterable[int], since: datetime) -> None:
    """Backfill: recompute these points from ``since`` (never later than a mark already there)."""
    with store.begin() as conn:
        trends.mark_dirty(conn, dict.fromkeys(point_ids, since))


def clear_marks(store: Engine, marks: Sequence[Mark]) -> int:
    """Deletes the marks still at the version read: a point marked again meanwhile keeps its mark."""
    d = historical.dirty_points
    cleared = 0
    with store.begin() as conn:
        for mark in marks:
            result = conn.execute(sa.delete(d).where(d.c.point_id == mark.point_id, d.c.version == mark.version))
            cleared += result.rowcount
    return cleared


MISSING = -1e300  # stands for a bad or missing value in fetched rows; no meter reads that


class Readings:
    """A point's good and bad readings as arrays, with the good readings that bracket a span."""

    def __init__(self, store: Engine) -> None:
        self.store = store

    def _table(self, source: MeterSource) -> sa.Table:
        return historical.energy_values if source.kind == "counter" else historical.analog_values

    def bracket(self, conn: Connection, source: MeterSource, at: int, before: bool) -> int | None:
        """The time of the last good reading at or before ``at`` (or the first at or after it)."""
        t = self._table(source)
        when = to_datetime(at)
        seconds = epoch_seconds(t.c.utc_date_time, conn.dialect.name)
        query = sa.select(seconds).where(t.c.point_id == source.point_id, t.c.is_bad.is_(False))
        query = (query.where(t.c.utc_date_time <= when).order_by(t.c.utc_date_time.desc()) if before
                 else query.where(t.c.utc_date_time >= when).order_by(t.c.utc_date_time))
        found = conn.execute(query.limit(1)).scalar()
        return None if found is None else int(found)

    def span(self, source: MeterSource, start: int, end: int) -> tuple[Times, Values, Mask]:
        """Readings in [start, end] widened to the good readings bracketing both ends (what the kernels
        need for exact values at the span's hour boundaries)."""
        t = self._table(source)
        with self.store.connect() as conn:
            low = self.bracket(conn, source, start, before=True)
            high = self.bracket(conn, source, end, before=False)
            seconds = epoch_seconds(t.c.utc_date_time, conn.dialect.name)
            # one float column per reading (bad or missing values as NaN's stand-in), straight into arrays
            value = sa.case((sa.and_(t.c.is_bad.is_(False), t.c.actual_value.is_not(None)),
                             as_double(t.c.actual_value)), else_=sa.literal_column(str(MISSING)))
            query = sa.select(seconds, value).where(
                t.c.point_id == source.point_id, t.c.utc_date_time >= to_datetime(low if low is not None else start),
                t.c.utc_date_time <= to_datetime(high if high is not None else end)).order_by(t.c.utc_date_time)
            rows = conn.execute(query).cursor.fetchall()  # the driver's plain tuples: no per-value processing
        table = np.array(rows, dtype=np.float64).reshape(-1, 2)
        numbers = table[:, 1]
        good = numbers != MISSING
        numbers[~good] = np.nan
        return table[:, 0].astype(np.int64), numbers, good

    def latest_time(self, source: MeterSource) -> int | None:
        t = self._table(source)
        with self.store.connect() as conn:
            seconds = epoch_seconds(sa.func.max(t.c.utc_date_time), conn.dialect.name)
            found = conn.execute(sa.select(seconds).where(t.c.point_id == source.point_id)).scalar()
        return None if found is None else int(found)


def write_meter_hourly(energy_store: Engine, meter_type: str, meter_id: int, hourly: Hourly) -> int:
    """Replaces the meter's rows over the recomputed hours: known hours are written, and an hour that has
    become unknown (a reading re-sent as bad, an input out of limits) loses its old row. One transaction."""
    known = np.isfinite(hourly.energy)
    rows = [{"meter_type": meter_type, "meter_id": meter_id, "start_datetime_utc": to_datetime(int(h)),
             "actual_value": round(float(e), 6), "flags": int(f)}
            for h, e, f in zip(hourly.hours[known], hourly.energy[known], hourly.flags[known], strict=True)]
    t = energy.meter_hourly
    with energy_store.begin() as conn:
        if len(hourly.hours):
            conn.execute(sa.delete(t).where(
                t.c.meter_type == meter_type, t.c.meter_id == meter_id,
                t.c.start_datetime_utc >= to_datetime(int(hourly.hours.min())),
                t.c.start_datetime_utc <= to_datetime(int(hourly.hours.max()))))
        for offset in range(0, len(rows), 5000):
            upsert(conn, energy.meter_hourly, rows[offset:offset + 5000])
    return len(rows)


@dataclass(frozen=True)
class VirtualMeter:
    id: int
    equation: str
    variables: tuple[tuple[str, str, int], ...]  # (name, meter type, meter id)


def virtual_meters(system: Engine) -> list[VirtualMeter]:
    vm, var = schema.virtual_meters, schema.virtual_meter_variables
    with system.connect() as conn:
        meters = conn.execute(sa.select(vm.c.id, vm.c.equation).order_by(vm.c.id)).all()
        variables = conn.execute(sa.select(var.c.virtual_meter_id, var.c.name, var.c.meter_type, var.c.meter_id)
                                 .order_by(var.c.id)).all()
    by_meter: dict[int, list[tuple[str, str, int]]] = {}
    for v in variables:
        by_meter.setdefault(v.virtual_meter_id, []).append((v.name, v.meter_type, v.meter_id))
    return [VirtualMeter(m.id, m.equation, tuple(by_meter.get(m.id, ()))) for m in meters]


def hourly_series(energy_store: Engine, meter_type: str, meter_id: int, hours: Times) -> Values:
    """A meter's stored hourly energy aligned to ``hours``; unknown and out-of-limit hours are NaN."""
    t = energy.meter_hourly
    series = np.full(len(hours), np.nan)
    if not len(hours):
        return series
    with energy_store.connect() as conn:
        seconds = epoch_seconds(t.c.start_datetime_utc, conn.dialect.name)
        rows = conn.execute(sa.select(seconds, t.c.actual_value, t.c.flags).where(
            t.c.meter_type == meter_type, t.c.meter_id == meter_id,
            t.c.start_datetime_utc >= to_datetime(int(hours[0])),
            t.c.start_datetime_utc <= to_datetime(int(hours[-1])))).all()
    if rows:
        at = np.array([r[0] for r in rows], dtype=np.int64)
        values = np.array([r[1] for r in rows], dtype=np.float64)
        usable = (np.array([r[2] for r in rows], dtype=np.int64) & OUT_OF_LIMITS) == 0
        index = (at - hours[0]) // 3600
        series[index[usable]] = values[usable]
    return series
