"""Cost files: new prices for the tariffs a workbook names, written in one transaction.

v6.7.0 stores cost files and reads none, so the layout is ours. The first worksheet, under a header row of
``Tariff | Start | End | Peak Type | Price`` (case and a trailing ``(unit)`` ignored): a tariff by id, uuid or
name, then its rows. A time-of-use tariff's rows are times of day (``HH:MM:SS`` text or Excel times) with a
peak type; a block tariff's are amounts (``Peak Type`` left blank). The rows a file gives a tariff replace all
its rows and must pass the same checks as ``PUT /tariffs/{id}`` (a day covered exactly once; bands from 0,
contiguous). The first bad cell (or the first row of a tariff whose rows do not fit together) is the file's
``error`` and no tariff changes. Restoring the file applies it again.

Entity costs already rolled up keep the old prices until those hours are recomputed (meter reports price
on the fly and follow at once).
"""

from __future__ import annotations

import logging
import re
from datetime import time, tzinfo
from typing import Any

import sqlalchemy as sa

from aggregation.offline import CellError, _blank, _cell_value, _header_name, _letter, named_row, sheet_rows
from myems_api.db import file_tables, schema
from myems_api.db.engines import Databases
from myems_api.resources.tariffs import PEAK_TYPES, TIME_OF_DAY, check_block, check_timeofuse

log = logging.getLogger("myems.aggregation")
COLUMNS = ("tariff", "start", "end", "peak type", "price")


class CostError(Exception):
    def __init__(self, cell: str, code: str) -> None:
        super().__init__(f"{cell}: {code}" if cell else code)


def read_costs(conn: Any, data: bytes) -> dict[int, tuple[str, list[dict[str, Any]]]]:
    """Tariff id -> (its type, its new rows); :class:`CostError` names the first bad cell."""
    opened = sheet_rows(data)
    if isinstance(opened, CellError):
        raise CostError("", opened.code)
    lines = [(n, cells) for n, cells in opened[0] if not all(_blank(c) for c in cells)]
    if len(lines) < 2:
        raise CostError("A1", "API.NO_DATA")
    names = [_header_name(c) for c in lines[0][1]]
    if any(c not in names for c in COLUMNS):
        raise CostError(f"A{lines[0][0]}", "API.MISSING_COLUMN")
    at = {c: names.index(c) for c in COLUMNS}
    found: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    first_row: dict[int, int] = {}
    for n, cells in lines[1:]:
        tariff_id, kind, row = _row(conn, n, cells, at)
        found.setdefault(tariff_id, (kind, []))[1].append(row)
        first_row.setdefault(tariff_id, n)
    for tariff_id, (kind, rows) in found.items():
        problem = (check_timeofuse if kind == "timeofuse" else check_block)(rows, {})
        if problem:
            raise CostError(f"A{first_row[tariff_id]}", problem)
    return found


def _row(conn: Any, n: int, cells: tuple[Any, ...], at: dict[str, int]) -> tuple[int, str, dict[str, Any]]:
    """(tariff id, its type, the row's item) of data row ``n``."""
    def cell(column: str) -> tuple[str, Any]:
        return f"{_letter(at[column])}{n}", cells[at[column]] if at[column] < len(cells) else None

    ref, raw = cell("tariff")
    tariff = named_row(conn, schema.tariffs, raw, schema.tariffs.c.tariff_type)
    if tariff is None:
        raise CostError(ref, "API.TARIFF_NOT_FOUND")
    price_ref, price = cell("price")
    if _cell_value(price) is None:
        raise CostError(price_ref, "API.INVALID_PRICE")
    (start_ref, start), (end_ref, end) = cell("start"), cell("end")
    if tariff.tariff_type != "timeofuse":
        for ref_, value in ((start_ref, start), (end_ref, end)):
            if _cell_value(value) is None:
                raise CostError(ref_, "API.INVALID_AMOUNT")
        return int(tariff.id), "block", {"start_amount": _cell_value(start), "end_amount": _cell_value(end),
                                         "price": _cell_value(price)}
    start, end = _time_of_day(start), _time_of_day(end)
    for ref_, value in ((start_ref, start), (end_ref, end)):
        if value is None or not re.fullmatch(TIME_OF_DAY, value):
            raise CostError(ref_, "API.INVALID_TIME_OF_DAY")
    peak_ref, peak = cell("peak type")
    if str(peak or "").strip().lower() not in PEAK_TYPES:
        raise CostError(peak_ref, "API.INVALID_PEAK_TYPE")
    return int(tariff.id), "timeofuse", {"start_time_of_day": start, "end_time_of_day": end,
                                         "peak_type": str(peak).strip().lower(), "price": _cell_value(price)}


def _time_of_day(cell: Any) -> str | None:
    if isinstance(cell, time):
        return cell.strftime("%H:%M:%S")
    text = str(cell or "").strip()
    return f"{text}:00" if len(text) == 5 else text or None


def apply_cost_file(databases: Databases, file_id: int, zone: tzinfo) -> str | None:
    """Replaces the named tariffs' rows and marks the file ``done``, or ``error`` with the first bad cell."""
    f = file_tables.files
    with databases.system.begin() as conn:
        data = conn.execute(sa.select(f.c.file_object).where(f.c.id == file_id)).scalar()
        if data is None:
            return "gone"
        try:
            tariffs = read_costs(conn, data)
        except CostError as exc:
            error: str | None = str(exc)
        else:
            error = None
            for tariff_id, (kind, rows) in tariffs.items():
                items = schema.tariff_timeofuses if kind == "timeofuse" else schema.tariff_blocks
                conn.execute(sa.delete(items).where(items.c.tariff_id == tariff_id))
                conn.execute(sa.insert(items), [{"tariff_id": tariff_id, **row} for row in rows])
        conn.execute(sa.update(f).where(f.c.id == file_id).values(status="error" if error else "done", error=error))
    log.info("cost file %d: %s", file_id, error or "done")
    return error
