"""The production store: what a space produced per product and hour (``tbl_space_production_hourly``).

Production is entered by the day (``POST /reports/enterproduction``, the demo); a day's count is spread evenly
over the hours of the space's local day (23 or 25 on a DST change), rounded to the column's six decimals with
the remainder on the last hour so the hours sum to the count. A day entered again replaces what it held.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.db import energy

HOUR = 3600


def day_hours(day: date, count: float, zone: tzinfo) -> list[tuple[datetime, float]]:
    """The naive UTC hour starts of the local ``day`` in ``zone`` and their shares of ``count``."""
    local = datetime(day.year, day.month, day.day)
    low, high = (int(moment.replace(tzinfo=zone).timestamp()) for moment in (local, local + timedelta(days=1)))
    starts = range(low - low % HOUR, high, HOUR)
    share = round(count / len(starts), 6)
    shares = [share] * (len(starts) - 1) + [round(count - share * (len(starts) - 1), 6)]
    return [(datetime.fromtimestamp(s, UTC).replace(tzinfo=None), v) for s, v in zip(starts, shares, strict=True)]


def write_days(engine: Engine, space_id: int, zone: tzinfo, product_id: int,
               days: Sequence[tuple[date, float]]) -> None:
    """Replaces the production of each local day, all days in one transaction."""
    t = energy.space_production_hourly
    with engine.begin() as conn:
        for day, count in days:
            hours = day_hours(day, count, zone)
            conn.execute(sa.delete(t).where(t.c.space_id == space_id, t.c.product_id == product_id,
                                            t.c.start_datetime_utc >= hours[0][0],
                                            t.c.start_datetime_utc <= hours[-1][0]))
            conn.execute(sa.insert(t), [{"space_id": space_id, "product_id": product_id, "start_datetime_utc": h,
                                         "product_count": v} for h, v in hours])


def entered_hours(engine: Engine, space_id: int, product_id: int) -> int:
    """How many hours of production the space has for the product (the demo enters days only once)."""
    t = energy.space_production_hourly
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(t.c.space_id == space_id,
                                                                 t.c.product_id == product_id)).scalar() or 0)
