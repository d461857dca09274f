"""The reports' database adapter: hourly rows of the energy store as (series x hour) arrays on a grid.

Everything here touches SQL; :mod:`reports.blocks` stays pure. A :class:`Grid` is the run of
UTC hours a report covers; a series is NaN where no row is stored. Rows travel as the driver's plain
tuples, times computed by the database as POSIX seconds, straight into numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
                  measures: tuple[str, ...] = ("energy", "cost", "carbon")) -> Series:
    """An entity's hourly ``measures`` per energy category (``by="category"``: its totals) or per energy item
    (``by="item"``); measures not asked for are left NaN (a report reads only the one it shows)."""
    t = energy.entity_hourly
    columns = {"energy": t.c.actual_value, "cost": t.c.cost, "carbon": t.c.carbon}
    start, end = grid.utc()
    with engine.connect() as conn:
        key = t.c.energy_category_id if by == "category" else t.c.energy_item_id
        query = sa.select(key, epoch_seconds(t.c.start_datetime_utc, conn.dialect.name),
                          *(_float(columns[m]) for m in measures)).where(
            t.c.entity_type == kind, t.c.entity_id == entity_id, t.c.direction == direction,
            t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end,
            t.c.energy_item_id == 0 if by == "category" else t.c.energy_item_id != 0)
        rows = conn.execute(query).cursor.fetchall()
    keys, arrays = _fill(grid, None, rows, len(measures))
    filled = dict(zip(measures, arrays, strict=True))
    empty = np.full((len(keys), grid.n), np.nan)
    return Series(keys, filled.get("energy", empty), filled.get("cost", empty), filled.get("carbon", empty))


def summed_series(engine: Engine, kind: str, entity_ids: Sequence[int], grid: Grid,
                  ) -> tuple[tuple[int, ...], dict[str, Values]]:
    """Entities' hourly input energy, cost and carbon per category, summed over the entities in one grouped
    query (NaN where none has a row)."""
    t = energy.entity_hourly
    start, end = grid.utc()
    if not entity_ids:
        return (), {m: np.zeros((0, grid.n)) for m in ("energy", "cost", "carbon")}
    with engine.connect() as conn:
        hour = epoch_seconds(t.c.start_datetime_utc, conn.dialect.name)
        sums = (sa.func.coalesce(sa.func.sum(as_double(c)), MISSING) for c in (t.c.actual_value, t.c.cost, t.c.carbon))
        query = sa.select(t.c.energy_category_id, hour, *sums).where(
            t.c.entity_type == kind, t.c.entity_id.in_(sorted(entity_ids)), t.c.direction == "input",
            t.c.energy_item_id == 0, t.c.start_datetime_utc >= start, t.c.start_datetime_utc < end,
        ).group_by(t.c.energy_category_id, hour)
        rows = conn.execute(query).cursor.fetchall()
    keys, arrays = _fill(grid, None, rows, 3)
    return keys, dict(zip(("energy", "cost", "carbon"), arrays, strict=True))


def entity_totals(engine: Engine, kind: str, entity_ids: Sequence[int], span: tuple[datetime, datetime],
                  ) -> dict[tuple[int, int], tuple[float, float, float]]:
    """(entity, category) -> input energy, cost and carbon over ``[start, end)``, one grouped query."""
    if not entity_ids:
        return {}
    e = energy.entity_hourly
    with engine.connect() as conn:
        rows = conn.execute(sa.select(e.c.entity_id, e.c.energy_category_id, *(
            sa.func.sum(as_double(c)) for c in (e.c.actual_value, e.c.cost, e.c.carbon))).where(
            e.c.entity_type == kind, e.c.entity_id.in_(sorted(entity_ids)), e.c.direction == "input",
            e.c.energy_item_id == 0, e.c.start_datetime_utc >= span[0], e.c.start_datetime_utc < span[1])
            .group_by(e.c.entity_id, e.c.energy_category_id)).cursor.fetchall()
    return {(int(r[0]), int(r[1])): (float(r[2] or 0), float(r[3] or 0), float(r[4] or 0)) for r in rows}


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
