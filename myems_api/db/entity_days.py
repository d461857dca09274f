"""``tbl_entity_daily`` kept from ``tbl_entity_hourly``: the roll-up rewrites the days it touched, ``myems db
upgrade`` fills the table once from every stored hour when it creates it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import energy


def refresh_daily(conn: Connection, first: datetime, last: datetime) -> None:
    """Rewrites ``tbl_entity_daily`` for the UTC days holding the hours ``first``..``last`` from the hourly rows,
    in the caller's transaction."""
    eh, ed = energy.entity_hourly, energy.entity_daily
    low, high = first.date(), last.date()
    conn.execute(sa.delete(ed).where(ed.c.utc_date >= low, ed.c.utc_date <= high))
    day = sa.func.date(eh.c.start_datetime_utc)
    keys = (eh.c.entity_type, eh.c.entity_id, eh.c.direction, eh.c.energy_item_id, eh.c.energy_category_id)
    summed = sa.select(*keys, day, sa.func.sum(eh.c.actual_value), sa.func.max(eh.c.actual_value),
                       sa.func.sum(eh.c.cost), sa.func.sum(eh.c.carbon)).where(
        eh.c.start_datetime_utc >= datetime.combine(low, time()),
        eh.c.start_datetime_utc < datetime.combine(high + timedelta(days=1), time())).group_by(*keys, day)
    conn.execute(sa.insert(ed).from_select(["entity_type", "entity_id", "direction", "energy_item_id",
                                            "energy_category_id", "utc_date", "actual_value", "maximum", "cost",
                                            "carbon"], summed))


def fill_daily(conn: Connection) -> None:
    """Every stored day, from the hourly rows (once, when the table is new)."""
    eh = energy.entity_hourly
    time_ = eh.c.start_datetime_utc
    low, high = conn.execute(sa.select(sa.func.min(time_), sa.func.max(time_))).one()
    if low is not None:
        refresh_daily(conn, as_datetime(low), as_datetime(high))


def as_datetime(value: datetime | str) -> datetime:
    """SQLite answers aggregates over DATETIME columns as text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
