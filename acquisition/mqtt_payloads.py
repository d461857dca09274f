"""MQTT messages into readings: pure parsing, apart from the network so every rule is testable on its own.

A message (topic, payload bytes) is read against its data source's points in one of three forms:

- (a) ``{"point_id": 12, "value": 3.2, "utc_date_time": "2026-01-01T00:15:00"}``: ``utc_date_time`` is
  optional (default: the receive time), ISO 8601, UTC unless it carries an offset or ``Z``, kept to the
  millisecond;
- (b) a JSON list of such objects;
- (c) when the message topic equals the ``topic`` of one or more points' addresses: the payload is a JSON
  document and each such point's ``value_path`` (dotted keys, list indexes allowed: ``data.values.0``)
  picks its number; without ``value_path`` the whole payload is the number. Stamped with the receive time.

Every MQTT point's address has a ``topic``, so a gateway publishing (a) may well do so on a topic its points
name: the payload's shape decides. An object with ``point_id``, a list holding one, or an empty list is
(a)/(b) whatever the topic; anything else on a topic that addresses points is (c). Values must be finite numbers
(booleans refused, numeric strings accepted); scaling and limits go through ``judged``. A point id that is
not one of the data source's points, a malformed or oversized payload, a bad value: each is a
:class:`Problem`, never a reading and never an exception, so one bad device cannot stop a listener.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from acquisition.readings import PointSpec, Reading, judged, utc_now

__all__ = ["INVALID_VALUE", "MALFORMED", "MAX_PAYLOAD", "OVERSIZED", "PROBLEM_KINDS", "UNKNOWN_POINT", "Parsed",
           "Problem", "SourcePoints", "number", "parse", "parse_utc"]

MAX_PAYLOAD = 64 * 1024
OVERSIZED, MALFORMED, UNKNOWN_POINT, INVALID_VALUE = "oversized", "malformed", "unknown_point", "invalid_value"
PROBLEM_KINDS = (OVERSIZED, MALFORMED, UNKNOWN_POINT, INVALID_VALUE)
_DETAIL_MAX = 200  # a problem quotes the payload; a device cannot make the log line arbitrarily long
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """Why (part of) a message gave no reading; ``kind`` is one of :data:`PROBLEM_KINDS`, for counters."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class Parsed:
    readings: list[Reading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class SourcePoints:
    """A data source's points indexed the two ways a message names them: by id (a, b) and by topic (c)."""

    by_id: Mapping[int, PointSpec]
    by_topic: Mapping[str, tuple[PointSpec, ...]]

    @classmethod
    def of(cls, points: Iterable[PointSpec]) -> SourcePoints:
        by_id: dict[int, PointSpec] = {}
        by_topic: dict[str, tuple[PointSpec, ...]] = {}
        for point in points:
            by_id[point.id] = point
            topic = point.address.get("topic")
            if isinstance(topic, str) and topic:
                by_topic[topic] = (*by_topic.get(topic, ()), point)
        return cls(by_id, by_topic)


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _DETAIL_MAX else text[:_DETAIL_MAX] + "..."


def number(value: Any) -> float | None:
    """A finite float from a JSON number or numeric string; None for anything else (booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def parse_utc(value: Any) -> datetime | None:
    """Naive UTC to the millisecond from ISO 8601 text (naive text is taken as UTC); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _pick(document: Any, path: str | None) -> Any:
    """The part of ``document`` at dotted ``path`` (digits index lists); ``_MISSING`` when absent."""
    if not path:
        return document
    current = document
    for key in path.split("."):
        if isinstance(current, dict) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isascii() and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            return _MISSING
    return current


def _reading(point: PointSpec, raw: Any, utc: datetime) -> Reading | Problem:
    value = number(raw)
    if value is None:
        return Problem(INVALID_VALUE, f"point {point.id}: value {_quote(raw)} is not a finite number")
    reading = judged(point, value, utc)
    if reading.value is None or not math.isfinite(reading.value):
        return Problem(INVALID_VALUE, f"point {point.id}: value {value!r} scaled out of range")
    return reading


def _item(item: Any, by_id: Mapping[int, PointSpec], received: datetime) -> Reading | Problem:
    """One object of form (a)."""
    if not isinstance(item, dict) or "point_id" not in item or "value" not in item:
        return Problem(MALFORMED, f"expected an object with point_id and value, got {_quote(item)}")
    point_id = item["point_id"]
    if isinstance(point_id, bool) or not isinstance(point_id, int):
        return Problem(MALFORMED, f"point_id {_quote(point_id)} is not an integer")
    point = by_id.get(point_id)
    if point is None:
        return Problem(UNKNOWN_POINT, f"point {point_id} is not a point of this data source")
    utc = received
    if item.get("utc_date_time") is not None:
        stamp = parse_utc(item["utc_date_time"])
        if stamp is None:
            return Problem(MALFORMED, f"point {point_id}: utc_date_time {_quote(item['utc_date_time'])} "
                                      "is not ISO 8601")
        utc = stamp
    return _reading(point, item["value"], utc)


def _point_id_form(document: Any) -> bool:
    """Shaped like (a) or (b): an object naming a point, or a list that is empty or holds one."""
    if isinstance(document, list):
        return not document or any(isinstance(item, dict) and "point_id" in item for item in document)
    return isinstance(document, dict) and "point_id" in document


def _split(results: Iterable[Reading | Problem]) -> Parsed:
    parsed = Parsed()
    for result in results:
        if isinstance(result, Reading):
            parsed.readings.append(result)
        else:
            parsed.problems.append(result)
    return parsed


def _by_topic(document: Any, points: Iterable[PointSpec], received: datetime) -> Iterable[Reading | Problem]:
    """Form (c): each point addressed to this topic picks its value by ``value_path``."""
    for point in points:
        path = point.address.get("value_path")
        raw = _pick(document, path if isinstance(path, str) else None)
        if raw is _MISSING:
            yield Problem(MALFORMED, f"point {point.id}: value_path {path!r} is not in the payload")
        else:
            yield _reading(point, raw, received)


def parse(topic: str, payload: bytes | bytearray, points: SourcePoints, received: datetime | None = None,
          max_payload: int = MAX_PAYLOAD) -> Parsed:
    """The readings and problems in one message; never raises. ``received`` stamps values without a time."""
    if len(payload) > max_payload:
        return Parsed(problems=[Problem(OVERSIZED, f"{len(payload)} bytes on {topic!r}, the limit is {max_payload}")])
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return Parsed(problems=[Problem(MALFORMED, f"not JSON on {topic!r}: {_quote(str(exc))}")])
    received = received or utc_now()
    addressed = points.by_topic.get(topic)
    if addressed and not _point_id_form(document):
        return _split(_by_topic(document, addressed, received))
    items = document if isinstance(document, list) else [document]
    return _split(_item(item, points.by_id, received) for item in items)
