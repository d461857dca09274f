"""The reports' database adapter: hourly rows of the energy store as (series x hour) arrays on a grid.

Everything here touches SQL; :mod:`reports.blocks` stays pure. A :class:`Grid` is the run of
UTC hours a report covers; a series is NaN where no row is stored. Rows travel as the driver's plain
tuples, times computed by the database as POSIX seconds, straight into numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aggregation.series import HOUR, OUT_OF_LIMITS, Times, Values
from aggregation.store import as_double, epoch_seconds
from myems_api.db import energy, schema
from reports.periods import Periods


@dataclass(frozen=True)
class Grid:
    """``n`` consecutive UTC hours from ``start`` (POSIX seconds, an hour start)."""

    start: int
    n: int

    @classmethod
    def covering(cls, *spans: Periods | None) -> Grid:
        """The hours from the first period's start to the last one's end, over every given span."""
        bounds = [p.bounds for p in spans if p is not None]
        low = min(int(b[0]) for b in bounds)
        high = max(int(b[-1]) for b in bounds)
        low -= low % HOUR
        return cls(low, max(0, -(-(high - low) // HOUR)))

    @property
    def hours(self) -> Times:
        return self.start + HOUR * np.arange(self.n, dtype=np.int64)

    @property
    def end(self) -> int:
        return self.start + HOUR * self.n

    def utc(self) -> tuple[datetime, datetime]:
        return (datetime.fromtimestamp(self.start, UTC).replace(tzinfo=None),
                datetime.fromtimestamp(self.end, UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class Series:
    """Hourly series by key (an energy category or item id): ``energy``, ``cost``, ``carbon`` are (k, n)."""

    keys: tuple[int, ...]
    energy: Values
    cost: Values
    carbon: Values

    def measure(self, name: str) -> Values:
        return {"energy": self.energy, "cost": self.cost, "carbon": self.carbon}[name]


MISSING = -1e300  # stands for NULL in fetched rows (no energy, cost or carbon is that)


def _fill(grid: Grid, keys: tuple[int, ...] | None, rows: Sequence[Any],
          columns: int) -> tuple[tuple[int, ...], list[Values]]:
    """``rows`` of (key, seconds, v1..vc) into ``columns`` (k, n) arrays, NaN where absent; ``keys`` None:
    the keys the rows hold, in order."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 2 + columns)
    if keys is None:
        keys = tuple(int(k) for k in np.unique(table[:, 0]))
    out = [np.full((len(keys), grid.n), np.nan) for _ in range(columns)]
    if not rows:
        return keys, out
    table[table == MISSING] = np.nan
    wanted = np.asarray(keys, dtype=np.float64)
    order = np.argsort(wanted)
    row_of = order[np.minimum(np.searchsorted(wanted, table[:, 0], sorter=order), len(keys) - 1)]
    col_of = (table[:, 1].astype(np.int64) - grid.start) // HOUR
    inside = (col_of >= 0) & (col_of < grid.n)
    for c in range(columns):
        out[c][row_of[inside], col_of[inside]] = table[inside, 2 + c]
    return keys, out


def _float(column: Any) -> Any:
    return sa.func.coalesce(as_double(column), MISSING)


def entity_series(engine: Engine, kind: str, entity_id: int, direction: str, by: str, grid: Grid,
                  measures: tuple[str, ...] = ("energy", "cost", "carbon"), category: int | None = None) -> Series:
    """An entity's hourly ``measures`` per energy category (``by="category"``: its totals) or per energy item
    (``by="item"``), of every category or only ``category``; measures not asked for are left NaN (a report
    reads only the one it shows)."""
    t = energy.entity_hourly
    columns = {"energy": t.c.actual_value, "cost": t.c.cost, "carbon": t.c.carbon}
    start, end = grid.utc()
    with engine.connect() as conn:
        key = t.c.energy_category_id if by == "category" else t.c.energy_item_id
        query = sa.select(key, epoch_seconds(t.c.start_datetime_utc, conn.dialect.name),
                          *(_float(columns[m]) for m in measures)).where(
            t.c.entity_type == kind, t.c.entity_id == entity_id, t.c.direction == direction,
            t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end,
            t.c.energy_item_id == 0 if by == "category" else t.c.energy_item_id != 0,
            *([t.c.energy_category_id == category] if category is not None else []))
        rows = conn.execute(query).cursor.fetchall()
    keys, arrays = _fill(grid, None, rows, len(measures))
    filled = dict(zip(measures, arrays, strict=True))
    empty = np.full((len(keys), grid.n), np.nan)
    return Series(keys, filled.get("energy", empty), filled.get("cost", empty), filled.get("carbon", empty))


def summed_series(engine: Engine, kind: str, entity_ids: Sequence[int], grid: Grid, direction: str = "input",
                  ) -> tuple[tuple[int, ...], dict[str, Values]]:
    """Entities' hourly energy, cost and carbon per category in ``direction``, summed over the entities in one
    grouped query (NaN where none has a row)."""
    t = energy.entity_hourly
    start, end = grid.utc()
    if not entity_ids:
        return (), {m: np.zeros((0, grid.n)) for m in ("energy", "cost", "carbon")}
    with engine.connect() as conn:
        hour = epoch_seconds(t.c.start_datetime_utc, conn.dialect.name)
        sums = (sa.func.coalesce(sa.func.sum(as_double(c)), MISSING) for c in (t.c.actual_value, t.c.cost, t.c.carbon))
        query = sa.select(t.c.energy_category_id, hour, *sums).where(
            t.c.entity_type == kind, t.c.entity_id.in_(sorted(entity_ids)), t.c.direction == direction,
            t.c.energy_item_id == 0, t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end,
        ).group_by(t.c.energy_category_id, hour)
        rows = conn.execute(query).cursor.fetchall()
    keys, arrays = _fill(grid, None, rows, 3)
    return keys, dict(zip(("energy", "cost", "carbon"), arrays, strict=True))


# Entities per query: MariaDB turns an IN list of 1,000 values or more into a join that no longer reaches the
# time range of the key (1.5 s instead of 0.07 s for a day of 1,000 tenants); SQLite limits parameters.
IN_CHUNK = 500


def span_totals(engine: Engine, kind: str, entity_ids: Sequence[int], span: tuple[datetime, datetime],
                category_ids: Sequence[int], direction: str = "input", by: str = "category",
                ) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """(entity, category of ``category_ids``) -> energy, cost, carbon and the largest hour over ``[start, end)``
    (naive UTC) in ``direction``; with ``by="item"`` the keys and ``category_ids`` are energy items.

    Whole UTC days come from ``tbl_entity_daily``, the partial days at either end from ``tbl_entity_hourly``:
    a month of a thousand tenants reads sixty thousand day rows rather than 1.4 million hours. Three grouped
    queries per 500 entities. Naming the categories lets the hourly key's time range be used."""
    wanted = set(int(i) for i in entity_ids)
    if not wanted or not category_ids:
        return {}
    start, end = span
    first_day = (start + timedelta(days=1) - timedelta(microseconds=1)).date()
    last_day = end.date()
    pieces: list[tuple[sa.Table, Any, Any]] = []
    h, d = energy.entity_hourly, energy.entity_daily
    if first_day < last_day:
        pieces += [(d, d.c.utc_date >= first_day, d.c.utc_date < last_day),
                   (h, h.c.start_datetime_utc >= start, h.c.start_datetime_utc < datetime.combine(first_day, time())),
                   (h, h.c.start_datetime_utc >= datetime.combine(last_day, time()), h.c.start_datetime_utc < end)]
    else:
        pieces.append((h, h.c.start_datetime_utc >= start, h.c.start_datetime_utc < end))
    found: dict[tuple[int, int], np.ndarray] = {}
    ordered = sorted(wanted)
    with engine.connect() as conn:
        for (t, low, high), first in ((piece, n) for piece in pieces for n in range(0, len(ordered), IN_CHUNK)):
            peak = t.c.maximum if t is d else t.c.actual_value
            column = t.c.energy_category_id if by == "category" else t.c.energy_item_id
            rows = conn.execute(sa.select(t.c.entity_id, column, *(
                sa.func.sum(as_double(c)) for c in (t.c.actual_value, t.c.cost, t.c.carbon)),
                sa.func.max(as_double(peak))).where(
                t.c.entity_type == kind, t.c.direction == direction,
                t.c.energy_item_id == 0 if by == "category" else t.c.energy_item_id != 0,
                column.in_(sorted(category_ids)), t.c.entity_id.in_(ordered[first:first + IN_CHUNK]),
                low, high).group_by(t.c.entity_id, column)).cursor.fetchall()
            for r in rows:
                now = np.array([float(v or 0) for v in r[2:]])
                key = (int(r[0]), int(r[1]))
                before = found.get(key)
                found[key] = now if before is None else np.append(before[:3] + now[:3], max(before[3], now[3]))
    return {k: (float(v[0]), float(v[1]), float(v[2]), float(v[3])) for k, v in found.items()}


def entity_totals(engine: Engine, kind: str, entity_ids: Sequence[int], span: tuple[datetime, datetime],
                  category_ids: Sequence[int]) -> dict[tuple[int, int], tuple[float, float, float]]:
    """(entity, category) -> input energy, cost and carbon over ``[start, end)``."""
    return {k: v[:3] for k, v in span_totals(engine, kind, entity_ids, span, category_ids).items()}


def meter_series(engine: Engine, meter_type: str, meter_ids: Iterable[int], grid: Grid) -> tuple[Values, Values]:
    """Meters' hourly energy (k, n) in ``meter_ids`` order, out-of-limit hours excluded (NaN), and how many
    hours each lost that way (what a report shows as excluded)."""
    ids = tuple(int(i) for i in meter_ids)
    t = energy.meter_hourly
    start, end = grid.utc()
    with engine.connect() as conn:
        query = sa.select(t.c.meter_id, epoch_seconds(t.c.start_datetime_utc, conn.dialect.name),
                          _float(t.c.actual_value), t.c.flags).where(
            t.c.meter_type == meter_type, t.c.meter_id.in_(ids),
            t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end)
        rows = conn.execute(query).cursor.fetchall()
    _, (values, flags) = _fill(grid, ids, rows, 2)
    excluded = np.isfinite(flags) & (np.nan_to_num(flags).astype(np.int64) & OUT_OF_LIMITS > 0)
    values[excluded] = np.nan
    return values, excluded.sum(axis=1).astype(np.float64)


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    unit: str
    kgce: float
    kgco2e: float


def categories(conn: Connection) -> dict[int, Category]:
    c = schema.energy_categories
    return {r.id: Category(r.id, r.name, r.unit_of_measure, float(r.kgce), float(r.kgco2e))
            for r in conn.execute(sa.select(c.c.id, c.c.name, c.c.unit_of_measure, c.c.kgce, c.c.kgco2e))}


def items(conn: Connection) -> dict[int, tuple[str, int]]:
    """Energy item id -> (name, its category id)."""
    i = schema.energy_items
    return {r.id: (r.name, r.energy_category_id) for r in conn.execute(
        sa.select(i.c.id, i.c.name, i.c.energy_category_id))}


@dataclass(frozen=True)
class PeakSchedule:
    """A time-of-use tariff's validity (POSIX seconds) and rows of (start, end time of day, peak type)."""

    valid_from: int
    valid_through: int
    rows: tuple[tuple[str, str, str], ...]


def peak_schedules(conn: Connection, cost_center_id: int | None) -> dict[int, list[PeakSchedule]]:
    """A cost center's time-of-use tariffs, per energy category."""
    if cost_center_id is None:
        return {}
    t, tou, cct = schema.tariffs, schema.tariff_timeofuses, schema.cost_centers_tariffs
    tariffs = conn.execute(sa.select(t.c.id, t.c.energy_category_id, t.c.valid_from_datetime_utc,
                                     t.c.valid_through_datetime_utc).join(cct, cct.c.tariff_id == t.c.id).where(
        cct.c.cost_center_id == cost_center_id, t.c.tariff_type == "timeofuse")).all()
    rows: dict[int, list[tuple[str, str, str]]] = {}
    for r in conn.execute(sa.select(tou.c.tariff_id, tou.c.start_time_of_day, tou.c.end_time_of_day, tou.c.peak_type)
                          .where(tou.c.tariff_id.in_([tr.id for tr in tariffs]))):
        rows.setdefault(r.tariff_id, []).append((str(r.start_time_of_day), str(r.end_time_of_day), r.peak_type))
    found: dict[int, list[PeakSchedule]] = {}
    for tr in tariffs:
        found.setdefault(tr.energy_category_id, []).append(PeakSchedule(
            _epoch(tr.valid_from_datetime_utc), _epoch(tr.valid_through_datetime_utc), tuple(rows.get(tr.id, []))))
    return found


def _epoch(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())
