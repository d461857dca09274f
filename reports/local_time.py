"""Times as reports show them: local ``YYYY-MM-DDTHH:MM:SS`` text, zone names, and an injectable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

FORMAT = "%Y-%m-%dT%H:%M:%S"
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


def parse_local(raw: object, code: str, default: datetime | None = None) -> datetime:
    """A ``YYYY-MM-DDTHH:MM:SS`` parameter as a naive local datetime; blank gives ``default`` if there is one,
    anything else not in that form answers 400 ``code``."""
    from myems_api.errors import bad_request

    text = "" if raw is None else str(raw).strip()
    if not text and default is not None:
        return default
    try:
        return datetime.strptime(text, FORMAT)
    except ValueError:
        raise bad_request(code) from None


def local_to_utc(local: datetime, zone: tzinfo) -> datetime:
    """A naive local datetime as the naive UTC the stores hold."""
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def utc_to_text(utc: datetime | None, zone: tzinfo) -> str | None:
    """A stored naive UTC datetime as local ``YYYY-MM-DDTHH:MM:SS`` (None stays None)."""
    return None if utc is None else utc.replace(tzinfo=UTC).astimezone(zone).strftime(FORMAT)
