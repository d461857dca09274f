"""Trend values: what one reading is, and the one path that writes readings to the historical store.

Acquisition workers and ``POST /points/values`` both write through :func:`store_readings`: trend rows are
upserted on (point, time), so a redelivery or a replay never duplicates a row, and each point's latest value
only moves forward in time, and each point is marked dirty from its earliest new reading for the
aggregation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from myems_api.db.historical import TRENDS, dirty_points, latest_values
from myems_api.db.upsert import earliest, incremented, upsert


def utc_now() -> datetime:
    """Naive UTC with millisecond precision: what the trend tables keep."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class Reading:
    point_id: int
    utc: datetime  # naive UTC, millisecond precision: when the value was acquired
    value: float | None
    good: bool = True

    @classmethod
    def bad(cls, point_id: int, utc: datetime | None = None) -> Reading:
        """An unreadable point's reading: no value, flagged bad."""
        return cls(point_id, utc or utc_now(), None, False)


Sample = tuple[str, Reading]  # (object type, reading)


def store_readings(conn: Connection, samples: Sequence[Sample]) -> None:
    """Upserts the trend rows and moves each point's latest value forward, on the caller's transaction."""
    by_table: dict[str, list[dict[str, object]]] = {}
    latest: dict[int, Reading] = {}
    for kind, r in samples:
        by_table.setdefault(kind, []).append(_row(r))
        if r.point_id not in latest or r.utc >= latest[r.point_id].utc:
            latest[r.point_id] = r
    for kind, rows in by_table.items():
        upsert(conn, TRENDS[kind], _last_per_key(rows))
    upsert(conn, latest_values, [_row(r) for r in latest.values()], newer_only="utc_date_time")
    first: dict[int, datetime] = {}
    for _, r in samples:
        if r.point_id not in first or r.utc < first[r.point_id]:
            first[r.point_id] = r.utc
    mark_dirty(conn, first)


def mark_dirty(conn: Connection, since: Mapping[int, datetime]) -> None:
    """Marks points for the aggregation from these times (a mark never moves later, and its version moves on)."""
    upsert(conn, dirty_points, [{"point_id": p, "from_datetime_utc": t, "version": 1} for p, t in since.items()],
           merge={"from_datetime_utc": earliest, "version": incremented})


def _row(r: Reading) -> dict[str, object]:
    return {"point_id": r.point_id, "utc_date_time": r.utc, "actual_value": r.value, "is_bad": not r.good}


def _last_per_key(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """One row per (point, time) in a batch: the last one given wins, as a later upsert would."""
    return list({(row["point_id"], row["utc_date_time"]): row for row in rows}.values())
