"""Times as reports show them: local ``YYYY-MM-DDTHH:MM:SS`` text, zone names, and an injectable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

Clock = Callable[[], datetime]  # "now", aware; reports that depend on it take one so tests can fix it


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_text(seconds: float, zone: tzinfo) -> str:
    """POSIX seconds as local ``YYYY-MM-DDTHH:MM:SS``."""
    return datetime.fromtimestamp(int(seconds), UTC).astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def naive_utc(moment: datetime) -> datetime:
    """An aware instant (or a naive UTC one) as the naive UTC the stores hold."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def zone_name(zone: tzinfo) -> str:
    """An IANA name, or the fixed offset as ``+HH:MM``."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    offset = zone.utcoffset(None)
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
