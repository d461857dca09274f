"""Offline meter files waiting in the system store (status ``new``) become hourly rows of their meter.

For each file, oldest first: its daily values are upserted into ``tbl_offline_meter_daily`` (a day given
again by a later file takes the later value), then the meter's hours are recomputed from the stored days
of the file's span plus one day either side, so an hour shared by two local days (zones with a half-hour
offset) holds both days' parts however the days were split between files. The file is then marked
``done`` (or ``error`` with the reason). Every step is an idempotent upsert or a span rewrite, so a run
killed between them is completed by the next one with the same result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from aggregation.offline import daily_to_hourly, read_offline_meter_workbook
from aggregation.store import write_meter_hourly
from myems_api.db import energy, file_tables, schema
from myems_api.db.upsert import upsert
from myems_api.zones import entity_zone

log = logging.getLogger("myems.aggregation")


@dataclass(frozen=True)
class Processed:
    file_id: int
    hours: tuple[int, int] | None  # the span of hours rewritten, POSIX seconds [start, end)
    error: str | None = None


def pending_files(system: Engine) -> list[int]:
    f = file_tables.files
    with system.connect() as conn:
        return list(conn.execute(sa.select(f.c.id).where(f.c.kind == "offline_meter", f.c.status == "new")
                                 .order_by(f.c.id)).scalars())


def process_file(system: Engine, energy_store: Engine, file_id: int, fallback: tzinfo) -> Processed:
    f, m = file_tables.files, schema.offline_meters
    with system.connect() as conn:
        joined = f.outerjoin(m, m.c.id == f.c.offline_meter_id)
        row = conn.execute(sa.select(f.c.offline_meter_id, f.c.file_object, m.c.id.label("meter_exists"))
                           .select_from(joined).where(f.c.id == file_id)).first()
        if row is None:
            return Processed(file_id, None, "gone")
        zone = entity_zone(conn, "offline_meter", row.meter_exists, fallback) if row.meter_exists else fallback
    parsed = read_offline_meter_workbook(row.file_object)
    if row.meter_exists is None or parsed.errors:
        error = "API.OFFLINE_METER_NOT_FOUND" if row.meter_exists is None else \
            "; ".join(f"{e.column}{e.row}: {e.code}" for e in parsed.errors[:10])
        _set_status(system, file_id, "error", error)
        return Processed(file_id, None, error)
    meter_id = int(row.offline_meter_id)
    with energy_store.begin() as conn:
        upsert(conn, energy.offline_meter_daily, [
            {"offline_meter_id": meter_id, "local_date": day, "actual_value": value, "file_id": file_id}
            for day, value in parsed.rows])
    first, last = min(d for d, _ in parsed.rows), max(d for d, _ in parsed.rows)
    hours = respread(energy_store, meter_id, first - timedelta(days=1), last + timedelta(days=1), zone)
    _set_status(system, file_id, "done", None)
    return Processed(file_id, hours)


def respread(energy_store: Engine, meter_id: int, first: date, last: date, zone: tzinfo) -> tuple[int, int] | None:
    """Rewrites the meter's hours of the local days ``first``..``last`` from the stored daily values."""
    d = energy.offline_meter_daily
    with energy_store.connect() as conn:
        rows = conn.execute(sa.select(d.c.local_date, d.c.actual_value).where(
            d.c.offline_meter_id == meter_id, d.c.local_date >= first, d.c.local_date <= last)
            .order_by(d.c.local_date)).all()
    if not rows:
        return None
    hourly = daily_to_hourly(np.array([r.local_date for r in rows], dtype="datetime64[D]"),
                             np.array([r.actual_value for r in rows], dtype=np.float64), zone)
    write_meter_hourly(energy_store, "offline_meter", meter_id, hourly)
    return int(hourly.hours.min()), int(hourly.hours.max()) + 3600


def _set_status(system: Engine, file_id: int, status: str, error: str | None) -> None:
    f = file_tables.files
    with system.begin() as conn:
        conn.execute(sa.update(f).where(f.c.id == file_id).values(status=status, error=error))
