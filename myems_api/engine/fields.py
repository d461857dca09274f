"""Field types of the resource engine: each parses one JSON value into a column value and renders it back.

A field raises :class:`Invalid` for a value it refuses; the family turns that into its error code
(``API.INVALID_<FIELD>``, or ``API.INVALID_<code>`` for a field given a ``code``). Parsing is strict
where MyEMS clients are strict (booleans are JSON booleans) and lenient where they are not (ids and
numbers may come as strings, as in the seed's ``{"tariff_id": "3"}``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timezone
from typing import Any, Protocol


class PasswordPolicy(Protocol):
    def hash(self, password: str) -> str: ...

    def acceptable(self, password: str) -> bool: ...


class Invalid(ValueError):
    """The value does not fit the field."""


@dataclass(frozen=True, kw_only=True)
class Context:
    """What parsing and rendering need from the deployment: the local time zone of API datetimes."""

    tz: timezone = UTC
    passwords: PasswordPolicy | None = None


@dataclass(frozen=True)
class Field:
    key: str
    required: bool = True
    null: bool = False
    unique: bool = False
    readable: bool = True
    writable: bool = True
    code: str | None = None
    default: Any = None
    unique_with: tuple[str, ...] = ()  # columns that scope ``unique`` (a point's name per data source)

    @property
    def column(self) -> str:
        return self.key

    @property
    def input_key(self) -> str:
        return self.key

    def parse(self, raw: Any, ctx: Context) -> Any:
        return raw

    def render(self, value: Any, ctx: Context) -> Any:
        return value


@dataclass(frozen=True)
class Text(Field):
    max_len: int = 255
    pattern: str | None = None

    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, str):
            raise Invalid(self.key)
        value = raw.strip()
        if len(value) > self.max_len or (self.required and not value):
            raise Invalid(self.key)
        if value and self.pattern and not re.fullmatch(self.pattern, value):
            raise Invalid(self.key)
        return value if value or self.required else None


def Name(max_len: int = 255, unique: bool = True) -> Text:  # noqa: N802 - reads as a field type
    return Text("name", unique=unique, max_len=max_len)


EMAIL_PATTERN = r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+"


def Email(key: str = "email", **kw: Any) -> Text:  # noqa: N802
    return Text(key, pattern=EMAIL_PATTERN, **kw)


MAX_MAGNITUDE = 1e15  # DECIMAL(21, 6) columns hold 15 integer digits


@dataclass(frozen=True)
class Number(Field):
    """A finite number that fits the DECIMAL columns; numeric strings are accepted, booleans are not."""

    min: float | None = None
    max: float | None = None
    decimals: int = 6  # the columns' scale: both dialects then store the same value

    def convert(self, raw: Any) -> float:
        if isinstance(raw, bool):
            raise Invalid(self.key)
        try:
            value = float(raw)
        except (TypeError, ValueError) as exc:
            raise Invalid(self.key) from exc
        if not math.isfinite(value) or abs(value) >= MAX_MAGNITUDE:
            raise Invalid(self.key)
        return value

    def parse(self, raw: Any, ctx: Context) -> Any:
        value = self.convert(raw)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise Invalid(self.key)
        return round(value, self.decimals)


@dataclass(frozen=True)
class Int(Number):
    def parse(self, raw: Any, ctx: Context) -> Any:
        value = super().parse(raw, ctx)
        if not float(value).is_integer():
            raise Invalid(self.key)
        return int(value)


def parse_id(raw: Any) -> int:
    """An entity id: a positive integer, also accepted as a decimal string."""
    if isinstance(raw, bool):
        raise Invalid("id")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdecimal() and len(raw.strip()) < 19:
        value = int(raw.strip())
    else:
        raise Invalid("id")
    if value <= 0 or value >= 2**63:
        raise Invalid("id")
    return value


@dataclass(frozen=True)
class Bool(Field):
    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, bool):
            raise Invalid(self.key)
        return raw

    def render(self, value: Any, ctx: Context) -> Any:
        return None if value is None else bool(value)


@dataclass(frozen=True)
class Choice(Field):
    choices: tuple[str, ...] = ()

    def parse(self, raw: Any, ctx: Context) -> Any:
        if raw not in self.choices:
            raise Invalid(self.key)
        return raw


DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def parse_datetime(raw: Any, tz: timezone) -> datetime:
    """An ISO datetime in the API's local time (or with its own offset) into naive UTC."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise Invalid("datetime")
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        utc = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    except (ValueError, OverflowError) as exc:
        raise Invalid("datetime") from exc
    if not 1900 <= utc.year <= 9998:  # MySQL DATETIME's range, with room for any offset
        raise Invalid("datetime")
    return utc


def render_datetime(value: datetime | None, tz: timezone) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(tz).strftime(DATETIME_FORMAT)


@dataclass(frozen=True)
class LocalDateTime(Field):
    """Local time on the wire (MYEMS_UTC_OFFSET), naive UTC in the ``<key>_utc`` column (or ``db_column``).

    ``epoch_ms`` renders POSIX milliseconds instead, where MyEMS v6.7.0 gives a field that way (web messages);
    ``takes_epoch_ms`` only accepts them besides local time, where the seed rendered milliseconds and v6.7.0
    renders local time (tariff validity), so both clients' bodies come through.
    """

    db_column: str = ""
    epoch_ms: bool = False
    takes_epoch_ms: bool = False

    @property
    def column(self) -> str:
        return self.db_column or f"{self.key}_utc"

    def parse(self, raw: Any, ctx: Context) -> Any:
        if (self.epoch_ms or self.takes_epoch_ms) and isinstance(raw, int | float) and not isinstance(raw, bool):
            return self._from_epoch_ms(raw)  # what export answered comes back through import
        try:
            return parse_datetime(raw, ctx.tz)
        except Invalid as exc:
            raise Invalid(self.key) from exc

    def _from_epoch_ms(self, raw: float) -> datetime:
        try:
            value = datetime.fromtimestamp(raw / 1000, UTC).replace(tzinfo=None, microsecond=0)
        except (ValueError, OverflowError, OSError) as exc:
            raise Invalid(self.key) from exc
        if not 1900 <= value.year <= 9998:
            raise Invalid(self.key)
        return value

    def render(self, value: Any, ctx: Context) -> Any:
        if self.epoch_ms:
            return None if value is None else value.replace(tzinfo=UTC).timestamp() * 1000
        return render_datetime(value, ctx.tz)


@dataclass(frozen=True)
class Date(Field):
    """A calendar date, ``YYYY-MM-DD`` on the wire (a local date: no time zone applies)."""

    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise Invalid(self.key)  # fromisoformat alone would also take week dates like 2023-W09-3
        try:
            value = date.fromisoformat(raw)
        except ValueError as exc:
            raise Invalid(self.key) from exc
        if not 1900 <= value.year <= 9998:
            raise Invalid(self.key)
        return value

    def render(self, value: Any, ctx: Context) -> Any:
        return None if value is None else value.isoformat()


@dataclass(frozen=True)
class OnlineStatus(Field):
    """``online`` when the ``last_seen`` column is within ``window_minutes`` of now, else ``offline``."""

    db_column: str = "last_seen_datetime_utc"
    window_minutes: int = 10
    writable: bool = False

    @property
    def column(self) -> str:
        return self.db_column

    def render(self, value: Any, ctx: Context) -> Any:
        if value is None:
            return "offline"
        age = datetime.now(UTC).replace(tzinfo=None) - value
        return "online" if age.total_seconds() <= self.window_minutes * 60 else "offline"


@dataclass(frozen=True)
class Lookup(Field):
    """A value that must exist in another family's column (a data source's ``protocol`` code, ...)."""

    family: str = ""
    target_column: str = "code"

    def parse(self, raw: Any, ctx: Context) -> Any:
        if not isinstance(raw, str) or not raw.strip() or len(raw) > 255:
            raise Invalid(self.key)
        return raw.strip()


@dataclass(frozen=True)
class UtcDateTime(Field):
    """A datetime the wire already gives in UTC (fields named ``..._utc`` in the seed)."""

    def parse(self, raw: Any, ctx: Context) -> Any:
        try:
            return parse_datetime(raw, UTC)
        except Invalid as exc:
            raise Invalid(self.key) from exc

    def render(self, value: Any, ctx: Context) -> Any:
        return render_datetime(value, UTC)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True)
class JsonText(Field):
    """A JSON document kept as text; clients send it as a JSON string (MyEMS) or as an object."""

    max_len: int = 65535

    def parse(self, raw: Any, ctx: Context) -> Any:
        if isinstance(raw, str):
            try:
                json.loads(raw, parse_constant=_no_constants)
            except ValueError as exc:
                raise Invalid(self.key) from exc
            text = raw
        elif isinstance(raw, dict | list):
            try:
                text = json.dumps(raw, ensure_ascii=False, allow_nan=False)
            except ValueError as exc:
                raise Invalid(self.key) from exc
        else:
            raise Invalid(self.key)
        if len(text) > self.max_len:
            raise Invalid(self.key)
        return text


@dataclass(frozen=True)
class Ref(Field):
    """A reference to another family: ``<key>_id`` in and in the column, ``<key>: {id, name, uuid}`` out."""

    family: str = ""
    shows: tuple[str, ...] = ()  # more of the target's columns in the object (a time zone's utc_offset)

    @property
    def target(self) -> str:
        return self.family or self.key

    @property
    def column(self) -> str:
        return f"{self.key}_id"

    @property
    def input_key(self) -> str:
        return f"{self.key}_id"

    def parse(self, raw: Any, ctx: Context) -> Any:
        try:
            return parse_id(raw)
        except Invalid as exc:
            raise Invalid(self.key) from exc


@dataclass(frozen=True)
class Password(Field):
    """Write-only: accepted in clear, stored as a memory-hard hash, never rendered."""

    readable: bool = False

    @property
    def column(self) -> str:
        return f"{self.key}_hash"

    def parse(self, raw: Any, ctx: Context) -> Any:
        if ctx.passwords is None or not isinstance(raw, str) or not ctx.passwords.acceptable(raw):
            raise Invalid(self.key)
        return ctx.passwords.hash(raw)


@dataclass(frozen=True)
class Derived(Field):
    """A read-only value of a column, as it is or formatted by ``template`` (``"meter:{}"`` for a QR code)."""

    db_column: str = "uuid"
    template: str | None = None
    writable: bool = False

    @property
    def column(self) -> str:
        return self.db_column

    def render(self, value: Any, ctx: Context) -> Any:
        return value if value is None or self.template is None else self.template.format(value)
