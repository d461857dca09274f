"""The local time zone of an entity: the zone of the space it belongs to.

A space names a row of ``tbl_timezones``: its IANA ``tz_name`` (with daylight saving) when set, else its
fixed ``utc_offset``. Anything else (a meter, an offline meter, equipment, a tenant...) takes the zone of
the first space (lowest id) bound to it; an entity bound to no space, or a space whose zone is unknown,
takes the configured ``MYEMS_UTC_OFFSET``. Local days, weeks, months and billing periods are cut in it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import schema

# The binding tables that place an entity in a space.
_IN_SPACE = {"meter": schema.spaces_meters, "offline_meter": schema.spaces_offline_meters,
             "virtual_meter": schema.spaces_virtual_meters,
             **schema.spaces_links}


def zone_of(tz_name: str | None, utc_offset: str | None, fallback: tzinfo) -> tzinfo:
    """The zone a ``tbl_timezones`` row names: its IANA name, else its ``±HH:MM`` offset, else ``fallback``."""
    if tz_name:
        try:
            return ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = _offset(utc_offset)
    return fallback if offset is None else offset


def entity_zone(conn: Connection, kind: str, entity_id: int, fallback: tzinfo) -> tzinfo:
    """The zone of a space, or of the first space an entity of ``kind`` is bound to."""
    space_id: int | None = entity_id if kind == "space" else None
    link = _IN_SPACE.get(kind)
    if link is not None:
        space_id = conn.execute(sa.select(sa.func.min(link.c.space_id))
                                .where(link.c[f"{kind}_id"] == entity_id)).scalar()
    if space_id is None:
        return fallback
    s, t = schema.spaces, schema.timezones
    row = conn.execute(sa.select(t.c.tz_name, t.c.utc_offset).select_from(s.join(t, t.c.id == s.c.timezone_id))
                       .where(s.c.id == space_id)).first()
    return fallback if row is None else zone_of(row.tz_name, row.utc_offset, fallback)


def _offset(text: str | None) -> tzinfo | None:
    if not text or len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def wall_clock(seconds: npt.NDArray[np.int64], zone: tzinfo) -> npt.NDArray[np.int64]:
    """POSIX seconds as the zone's wall-clock seconds (what time of day and week models read)."""
    offsets = [datetime.fromtimestamp(int(s), UTC).astimezone(zone).utcoffset() for s in seconds]
    return np.asarray(seconds, dtype=np.int64) + np.array([int(o.total_seconds()) if o else 0 for o in offsets],
                                                          dtype=np.int64)
