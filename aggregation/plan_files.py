"""Energy plan files: planned energy per object, energy category and span, spread over the span's hours.

MyEMS v6.7.0 stores energy plan files and reads none (its plan database is filled by nothing in the open
edition), so the layout is ours. The first worksheet, under a header row naming these columns (case, blanks
and a trailing ``(unit)`` ignored; other columns are remarks)::

    Object Type | Object | Energy Category | Start | End | Value

- ``Object Type``: meter, offline meter, virtual meter, space, equipment, combined equipment, tenant, store or
  shopfloor (``_`` or a blank between words, MyEMS's ``offlinemeter`` spelling too);
- ``Object``: its id, uuid or name;
- ``Energy Category``: id or name; blank for a meter kind (the meter's own category);
- ``Start``, ``End``: local date or date-time on the hour in the object's zone, the end excluded, at most 366
  days apart (a day, a week, a month of plan per row);
- ``Value``: the planned energy of the span (>= 0, the category's unit), spread evenly over its hours.

A file is all or nothing: the first bad cell stops it (``"<cell>: <code>"``, as the file's ``error``) and no
plan is written. A later file's hour replaces an earlier one's; deleting a file removes the hours it brought.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation.offline import CellError, _blank, _cell_value, _header_name, _letter, named_row, sheet_rows
from myems_api.db import energy, file_tables, schema
from myems_api.db.engines import Databases
from myems_api.db.upsert import upsert
from myems_api.zones import entity_zone

log = logging.getLogger("myems.aggregation")

COLUMNS = ("object type", "object", "energy category", "start", "end", "value")
KINDS = {"meter": schema.meters, "offline_meter": schema.offline_meters, "virtual_meter": schema.virtual_meters,
         "space": schema.spaces, "equipment": schema.equipments, "combined_equipment": schema.combined_equipments,
         "tenant": schema.tenants, "store": schema.stores, "shopfloor": schema.shopfloors}
METER_KINDS = ("meter", "offline_meter", "virtual_meter")
SPELLINGS = {**{k.replace("_", ""): k for k in KINDS}, **{k.replace("_", " "): k for k in KINDS}}
MAX_SPAN = timedelta(days=366)
MAX_HOURS = 2_000_000  # every row's hours together: a year of hourly plan for 200 objects


class PlanError(Exception):
    def __init__(self, cell: str, code: str) -> None:
        super().__init__(f"{cell}: {code}" if cell else code)


@dataclass(frozen=True)
class PlanRow:
    object_type: str
    object_id: int
    energy_category_id: int
    start: datetime  # naive UTC, an hour start
    hours: int
    value: float


def read_plan(conn: Connection, data: bytes, fallback: tzinfo) -> list[PlanRow]:
    """The file's rows, objects and categories resolved against the system store; :class:`PlanError` names
    the first bad cell."""
    opened = sheet_rows(data)
    if isinstance(opened, CellError):
        raise PlanError("", opened.code)
    lines = [(n, cells) for n, cells in opened[0] if not all(_blank(c) for c in cells)]
    if not lines:
        raise PlanError("A1", "API.MISSING_HEADER")
    header_row, header = lines[0]
    names = [_header_name(c) for c in header]
    position = {}
    for column in COLUMNS:
        if column not in names:
            raise PlanError(f"A{header_row}", f"API.MISSING_{column.upper().replace(' ', '_')}_COLUMN")
        position[column] = names.index(column)
    if len(lines) == 1:
        raise PlanError(f"A{header_row + 1}", "API.NO_DATA")
    categories = {**{str(r.id): int(r.id) for r in _categories(conn)}, **{str(r.name).casefold(): int(r.id)
                                                                          for r in _categories(conn)}}
    rows, total = [], 0
    for n, cells in lines[1:]:
        row = _row(conn, n, cells, position, categories, fallback)
        total += row.hours
        if total > MAX_HOURS:
            raise PlanError(f"A{n}", "API.TOO_MANY_PLAN_HOURS")
        rows.append(row)
    return rows


def _categories(conn: Connection) -> Sequence[Any]:
    c = schema.energy_categories
    return conn.execute(sa.select(c.c.id, c.c.name)).all()


def _row(conn: Connection, n: int, cells: tuple[Any, ...], position: dict[str, int], categories: dict[str, int],
         fallback: tzinfo) -> PlanRow:
    def cell(column: str) -> tuple[str, Any]:
        index = position[column]
        return f"{_letter(index)}{n}", cells[index] if index < len(cells) else None

    ref, raw = cell("object type")
    kind = SPELLINGS.get(" ".join(str(raw or "").replace("_", " ").split()).casefold())
    if kind is None:
        raise PlanError(ref, "API.INVALID_OBJECT_TYPE")
    ref, raw = cell("object")
    object_id, category_id = _object(conn, kind, raw, ref)
    ref, raw = cell("energy category")
    if not _blank(raw) or kind not in METER_KINDS:
        found = categories.get(str(raw).strip().casefold() if not isinstance(raw, float) else str(int(raw)))
        if found is None or (kind in METER_KINDS and found != category_id):
            raise PlanError(ref, "API.INVALID_ENERGY_CATEGORY")
        category_id = found
    zone = entity_zone(conn, kind, object_id, fallback)
    start_ref, raw_start = cell("start")
    end_ref, raw_end = cell("end")
    start, end = _moment(raw_start, start_ref, zone), _moment(raw_end, end_ref, zone)
    if not start < end <= start + MAX_SPAN:
        raise PlanError(end_ref, "API.INVALID_END")
    ref, raw = cell("value")
    value = _cell_value(raw)
    if value is None:
        raise PlanError(ref, "API.INVALID_VALUE")
    return PlanRow(kind, object_id, category_id, start, int((end - start) / timedelta(hours=1)), value)


def _object(conn: Connection, kind: str, raw: Any, ref: str) -> tuple[int, int]:
    """(id, its energy category or 0) of the object a cell names by id, uuid or name."""
    t = KINDS[kind]
    found = named_row(conn, t, raw, t.c.energy_category_id if "energy_category_id" in t.c else sa.literal(0))
    if found is None:
        raise PlanError(ref, f"API.{kind.upper()}_NOT_FOUND")
    return int(found[0]), int(found[1] or 0)


def _moment(raw: Any, ref: str, zone: tzinfo) -> datetime:
    """A local date or on-the-hour date-time cell as a naive UTC datetime."""
    local: datetime | None = None
    if isinstance(raw, datetime):
        local = raw
    elif isinstance(raw, date):
        local = datetime.combine(raw, time())
    elif isinstance(raw, str):
        try:
            local = datetime.fromisoformat(raw.strip())
        except ValueError:
            local = None
    if local is None or local.tzinfo is not None or local.minute or local.second or local.microsecond \
            or not 1970 <= local.year <= 2099:
        raise PlanError(ref, "API.INVALID_DATETIME")
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def apply_plan_file(databases: Databases, file_id: int, fallback: tzinfo) -> str | None:
    """Reads a stored plan file into ``tbl_energy_plan_hourly`` and marks it ``done``, or ``error`` with the
    first bad cell (nothing written). Idempotent: applying a file again writes the same hours."""
    f = file_tables.files
    system, energy_store = databases.system, databases.engines["energy"]
    with system.connect() as conn:
        data = conn.execute(sa.select(f.c.file_object).where(f.c.id == file_id)).scalar()
        if data is None:
            return "gone"
        try:
            rows = read_plan(conn, data, fallback)
        except PlanError as exc:
            error: str | None = str(exc)
            rows = []
        else:
            error = None
    if error is None:
        with energy_store.begin() as conn:
            conn.execute(sa.delete(energy.energy_plan_hourly).where(energy.energy_plan_hourly.c.file_id == file_id))
            upsert(conn, energy.energy_plan_hourly, [
                {"object_type": r.object_type, "object_id": r.object_id, "energy_category_id": r.energy_category_id,
                 "start_datetime_utc": r.start + timedelta(hours=h), "actual_value": r.value / r.hours,
                 "file_id": file_id} for r in rows for h in range(r.hours)])
    with system.begin() as conn:
        conn.execute(sa.update(f).where(f.c.id == file_id).values(status="error" if error else "done", error=error))
    log.info("energy plan file %d: %s", file_id, error or f"{len(rows)} rows")
    return error


def remove_plan_file(databases: Databases, file_id: int) -> None:
    with databases.engines["energy"].begin() as conn:
        conn.execute(sa.delete(energy.energy_plan_hourly).where(energy.energy_plan_hourly.c.file_id == file_id))


def pending_plan_files(databases: Databases) -> list[int]:
    """Files stored as ``new`` (a crash between upload and apply): the aggregation run applies them."""
    f = file_tables.files
    with databases.system.connect() as conn:
        return list(conn.execute(sa.select(f.c.id).where(f.c.kind == "energy_plan", f.c.status == "new")
                                 .order_by(f.c.id)).scalars())

