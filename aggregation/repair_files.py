"""Data repair files: trend values replaced in the historical store, with what they replaced kept for undo.

v6.7.0's layout: the first worksheet, a header in row 1, then one reading a row: point id (column A), point
name (B, a remark), local time (C, ``YYYY-MM-DD HH:MM:SS`` text or an Excel date-time, in the site's zone)
and value (D, within the point's low and high limits). Unlike v6.7.0 (one point, energy values only), a
file may repair several points of any kind: each point's readings go to its own trend table.

Applying a file is one transaction on the historical store: for each point, every stored reading from its
first to its last repaired time is kept in ``tbl_data_repair_changes`` and deleted, the file's readings are
inserted, and the point is marked dirty from the first repaired time, so the aggregation recomputes its
hours. ``GET /datarepairfiles/{id}/restore`` undoes it the same way (the file's readings out, the kept ones
back, marked dirty) and the file says ``restored``. A bad file (its first bad cell named) changes nothing.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.offline import CellError, _blank, sheet_rows
from myems_api.db import file_tables, historical, schema
from myems_api.db.engines import Databases
from myems_api.db.trends import mark_dirty

log = logging.getLogger("myems.aggregation")

MAX_READINGS = 100_000
changes = historical.data_repair_changes

class RepairError(Exception):
    def __init__(self, cell: str, code: str) -> None:
        super().__init__(f"{cell}: {code}" if cell else code)


Readings = dict[int, list[tuple[datetime, float]]]  # point id -> (naive UTC, value), in file order


def read_repair(conn: Connection, data: bytes, zone: tzinfo) -> tuple[Readings, dict[int, str]]:
    """Each point's readings and its object type; :class:`RepairError` names the first bad cell."""
    opened = sheet_rows(data)
    if isinstance(opened, CellError):
        raise RepairError("", opened.code)
    readings: Readings = {}
    kinds: dict[int, str] = {}
    limits: dict[int, tuple[float | None, float | None]] = {}
    p = schema.points
    for n, cells in opened[0][1:]:
        cells = (*cells, None, None, None, None)
        if all(_blank(c) for c in cells[:4]):
            continue
        point_id = _point_id(cells[0], n)
        if point_id not in kinds:
            row = conn.execute(sa.select(p.c.object_type, p.c.low_limit, p.c.high_limit).where(p.c.id == point_id)
                               ).first()
            if row is None or row.object_type not in historical.TRENDS:
                raise RepairError(f"A{n}", "API.POINT_NOT_FOUND")
            kinds[point_id], limits[point_id] = str(row.object_type), (row.low_limit, row.high_limit)
        value, (low, high) = _number(cells[3]), limits[point_id]
        if value is None or (low is not None and value < low) or (high is not None and value > high):
            raise RepairError(f"D{n}", "API.INVALID_VALUE")
        readings.setdefault(point_id, []).append((_utc(cells[2], f"C{n}", zone), value))
        if sum(len(v) for v in readings.values()) > MAX_READINGS:
            raise RepairError(f"A{n}", "API.TOO_MANY_ROWS")
    if not readings:
        raise RepairError("A2", "API.NO_DATA")
    return readings, kinds


def _number(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else None
    try:
        value = float(str(cell).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _point_id(cell: Any, n: int) -> int:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip() if cell is not None else ""
    if not text.isdecimal() or len(text) > 18:
        raise RepairError(f"A{n}", "API.INVALID_POINT_ID")
    return int(text)


def _utc(cell: Any, ref: str, zone: tzinfo) -> datetime:
    local: datetime | None = cell if isinstance(cell, datetime) else None
    if isinstance(cell, str):
        try:
            local = datetime.strptime(cell.strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            local = None
    if local is None or local.tzinfo is not None or not 1970 <= local.year <= 2099:
        raise RepairError(ref, "API.INVALID_DATETIME")
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def apply_repair_file(databases: Databases, file_id: int, zone: tzinfo) -> str | None:
    """Replaces the file's trend values (module docstring) and marks it ``done``, or ``error`` with the first
    bad cell. A file already applied is not applied twice."""
    f = file_tables.files
    with databases.system.connect() as conn:
        row = conn.execute(sa.select(f.c.file_object, f.c.status).where(f.c.id == file_id)).first()
        if row is None or row.status != "new":
            return None if row is not None else "gone"
        try:
            readings, kinds = read_repair(conn, row.file_object, zone)
        except RepairError as exc:
            return _status(databases, file_id, "error", str(exc))
    with databases.engines["historical"].begin() as conn:
        if conn.execute(sa.select(changes.c.file_id).where(changes.c.file_id == file_id).limit(1)).first():
            return _status(databases, file_id, "done", None)  # applied, then a crash before its status was set
        for point_id, given in readings.items():
            table = historical.TRENDS[kinds[point_id]]
            low, high = min(t for t, _ in given), max(t for t, _ in given)
            span = (table.c.point_id == point_id, table.c.utc_date_time >= low, table.c.utc_date_time <= high)
            kept = conn.execute(sa.select(table.c.utc_date_time, table.c.actual_value, table.c.is_bad).where(*span)
                                ).all()
            if kept:
                conn.execute(sa.insert(changes), [{"file_id": file_id, "point_id": point_id, "utc_date_time": k[0],
                                                   "actual_value": k[1], "is_bad": k[2]} for k in kept])
            conn.execute(sa.delete(table).where(*span))
            conn.execute(sa.insert(table), [{"point_id": point_id, "utc_date_time": t, "actual_value": v,
                                             "is_bad": False} for t, v in dict(given).items()])
            mark_dirty(conn, {point_id: low})
    return _status(databases, file_id, "done", None)


def undo_repair_file(databases: Databases, file_id: int, zone: tzinfo) -> str | None:
    """Puts back what an applied file replaced and marks it ``restored`` (a file not applied: nothing to do)."""
    f = file_tables.files
    with databases.system.connect() as conn:
        row = conn.execute(sa.select(f.c.file_object, f.c.status).where(f.c.id == file_id)).first()
        if row is None or row.status != "done":
            return None
        readings, kinds = read_repair(conn, row.file_object, zone)
    with databases.engines["historical"].begin() as conn:
        for point_id, given in readings.items():
            table = historical.TRENDS[kinds[point_id]]
            low, high = min(t for t, _ in given), max(t for t, _ in given)
            conn.execute(sa.delete(table).where(table.c.point_id == point_id, table.c.utc_date_time >= low,
                                                table.c.utc_date_time <= high))
            kept = conn.execute(sa.select(changes.c.utc_date_time, changes.c.actual_value, changes.c.is_bad).where(
                changes.c.file_id == file_id, changes.c.point_id == point_id)).all()
            if kept:
                conn.execute(sa.insert(table), [{"point_id": point_id, "utc_date_time": k[0], "actual_value": k[1],
                                                 "is_bad": k[2]} for k in kept])
            mark_dirty(conn, {point_id: low})
        conn.execute(sa.delete(changes).where(changes.c.file_id == file_id))
    return _status(databases, file_id, "restored", None)


def pending_repair_files(databases: Databases) -> list[int]:
    f = file_tables.files
    with databases.system.connect() as conn:
        return list(conn.execute(sa.select(f.c.id).where(f.c.kind == "data_repair", f.c.status == "new")
                                 .order_by(f.c.id)).scalars())


def _status(databases: Databases, file_id: int, status: str, error: str | None) -> str | None:
    f = file_tables.files
    with databases.system.begin() as conn:
        conn.execute(sa.update(f).where(f.c.id == file_id).values(status=status, error=error))
    log.info("data repair file %d: %s", file_id, error or status)
    return error
