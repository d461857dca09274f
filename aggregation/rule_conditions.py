"""Fault detection rules: what a rule's ``expression`` says, and whether its condition holds, as pure functions.

A rule's ``expression`` is JSON: one condition or a list of them (several objects, one rule)::

    {"type": "threshold", "point_id": 7, "above": 80, "minutes": 15}    # a point's readings (or "below")
    {"type": "threshold", "meter_id": 3, "below": 0.5, "minutes": 120}  # a meter's hourly energy
    {"type": "no_data", "point_id": 7, "minutes": 30}                   # no reading for 30 minutes
    {"type": "deviation", "meter_id": 3, "sigma": 3, "minutes": 120}    # hourly energy vs its baseline model
    {"type": "schedule", "meter_id": 3, "working_hours": ["08:00", "18:00"], "above": 1.0, "minutes": 60}

with optional ``"meter_type"`` (meter, offline_meter, virtual_meter) and ``"recipients": [{"user_id": 1}]``.
``minutes`` is how long the condition must have held (0: the latest reading alone). A meter condition reads
whole hours: the last ``ceil(minutes / 60)`` complete hours, at least one. A deviation compares each hour
with the time-of-week model (:mod:`aggregation.caltrack`) fitted on the 8 weeks before those hours, and
holds when every hour is more than ``sigma`` times the fit's residual deviation away (``direction``:
``above``, ``below`` or ``both``, the default). A schedule holds when every hour was outside the working
hours (local time; Saturdays, Sundays and the calendar's days off are outside) and used more than ``above``.

Times are ``int64`` POSIX seconds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

TYPES = ("threshold", "no_data", "deviation", "schedule")
METER_TYPES = ("meter", "offline_meter", "virtual_meter")


class InvalidExpression(ValueError):
    pass


@dataclass(frozen=True)
class Condition:
    type: str
    point_id: int | None
    meter_type: str
    meter_id: int | None
    above: float | None
    below: float | None
    minutes: float
    sigma: float
    direction: str
    working_hours: tuple[int, int]  # minutes of the local day, [start, end)
    recipients: tuple[int, ...]

    @property
    def object_key(self) -> str:
        return f"point:{self.point_id}" if self.point_id is not None else f"{self.meter_type}:{self.meter_id}"

    @property
    def hours(self) -> int:
        return max(1, math.ceil(self.minutes / 60))


def parse_expression(text: str) -> list[Condition]:
    """The conditions of a rule, or :class:`InvalidExpression` saying what is wrong."""
    try:
        given = json.loads(text)
    except ValueError as exc:
        raise InvalidExpression("not JSON") from exc
    items = given if isinstance(given, list) else [given]
    if not items:
        raise InvalidExpression("no condition")
    return [_condition(item) for item in items]


def _condition(item: Any) -> Condition:
    if not isinstance(item, dict) or item.get("type") not in TYPES:
        raise InvalidExpression(f"type must be one of {', '.join(TYPES)}")
    kind = item["type"]
    point, meter = _id(item, "point_id"), _id(item, "meter_id")
    needs = {"deviation": "meter_id", "schedule": "meter_id", "no_data": "point_id"}.get(kind)
    if (point is None) == (meter is None) or (needs == "meter_id" and meter is None) or \
            (needs == "point_id" and point is None):
        raise InvalidExpression(f"a {kind} condition names {needs or 'a point_id or a meter_id'}")
    above, below = _number(item, "above"), _number(item, "below")
    if kind == "threshold" and (above is None) == (below is None):
        raise InvalidExpression("a threshold condition has above or below")
    if kind == "schedule" and above is None:
        raise InvalidExpression("a schedule condition has above")
    meter_type = item.get("meter_type", "meter")
    if meter_type not in METER_TYPES:
        raise InvalidExpression("meter_type must be meter, offline_meter or virtual_meter")
    minutes = _number(item, "minutes") or 0.0
    if minutes < 0 or minutes > 7 * 24 * 60:
        raise InvalidExpression("minutes must be 0 to 10080")
    direction = item.get("direction", "both")
    if direction not in ("above", "below", "both"):
        raise InvalidExpression("direction must be above, below or both")
    recipients = item.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(r, dict) and _id(r, "user_id") for r in recipients):
        raise InvalidExpression('recipients must be [{"user_id": 1}, ...]')
    return Condition(kind, point, meter_type, meter, above, below, minutes, _number(item, "sigma") or 3.0,
                     direction, _working_hours(item.get("working_hours", ["08:00", "18:00"])),
                     tuple(int(str(r["user_id"])) for r in recipients))


def _id(item: dict[str, Any], key: str) -> int | None:
    value = item.get(key)
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdecimal() or len(text) > 18:
        raise InvalidExpression(f"{key} must be an id")
    return int(text)


def _number(item: dict[str, Any], key: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidExpression(f"{key} must be a number")
    return float(value)


def _working_hours(value: Any) -> tuple[int, int]:
    try:
        start, end = (int(t[:2]) * 60 + int(t[3:5]) for t in value)
    except (TypeError, ValueError) as exc:
        raise InvalidExpression('working_hours must be ["HH:MM", "HH:MM"]') from exc
    if not 0 <= start < end <= 24 * 60:
        raise InvalidExpression("working_hours must start before they end")
    return start, end


def crosses(condition: Condition, values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Which values are beyond the condition's threshold."""
    if condition.above is not None and condition.type == "threshold":
        return np.asarray(values > condition.above)
    return np.asarray(values < (condition.below if condition.below is not None else -math.inf))


def held_readings(condition: Condition, times: npt.NDArray[np.int64], values: npt.NDArray[np.float64],
                  now: int) -> tuple[bool, float | None]:
    """A point's threshold: every reading from the last one at or before ``now - minutes`` to the last one at or
    before ``now`` is beyond it (so it has been for the whole window); and the latest value."""
    before = times <= now
    times, values = times[before], values[before]
    if not len(times):
        return False, None
    start = now - condition.minutes * 60
    first = int(np.searchsorted(times, start, side="right")) - 1
    if first < 0:
        return False, float(values[-1])
    return bool(crosses(condition, values[first:]).all()), float(values[-1])


def silent(condition: Condition, last_reading: int | None, now: int) -> bool:
    """No reading for ``minutes`` (never a reading counts as silent)."""
    return last_reading is None or now - last_reading >= condition.minutes * 60


def deviates(condition: Condition, actual: npt.NDArray[np.float64], expected: npt.NDArray[np.float64],
             sigma: float) -> bool:
    """Every hour is more than ``condition.sigma`` residual deviations from the baseline, on its side."""
    gap = actual - expected
    if not np.isfinite(gap).all() or not math.isfinite(sigma):
        return False
    limit = condition.sigma * max(sigma, 1e-9)
    if condition.direction == "above":
        return bool((gap > limit).all())
    if condition.direction == "below":
        return bool((gap < -limit).all())
    return bool((np.abs(gap) > limit).all())


def off_hours(condition: Condition, local_minutes: npt.NDArray[np.int64], weekdays: npt.NDArray[np.int64],
              days_off: npt.NDArray[np.bool_], energy: npt.NDArray[np.float64]) -> bool:
    """Every hour started outside the working hours (or on a weekend or day off) and used more than ``above``."""
    start, end = condition.working_hours
    outside = (local_minutes < start) | (local_minutes >= end) | (weekdays >= 5) | days_off
    above = condition.above if condition.above is not None else math.inf
    return bool(outside.all() and np.isfinite(energy).all() and (energy > above).all())
