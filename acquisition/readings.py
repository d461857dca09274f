"""What flows through acquisition: the points a driver reads and the readings it answers.

A driver never raises for a device problem: a point it could not read comes back as a bad reading
(``value`` None, ``good`` False), so one silent device never costs another device its values.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from myems_api.db.trends import Reading, utc_now

__all__ = ["Driver", "Listener", "PointSpec", "Reading", "SourceStats", "WriteError", "Writer", "judged", "utc_now"]


@dataclass(frozen=True)
class PointSpec:
    """One point as a driver needs it: its parsed ``address`` and the scaling applied after decoding."""

    id: int
    object_type: str  # ENERGY_VALUE, ANALOG_VALUE or DIGITAL_VALUE
    address: Mapping[str, Any]
    ratio: float = 1.0
    offset_constant: float = 0.0
    high_limit: float = float("inf")
    low_limit: float = float("-inf")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PointSpec:
        return cls(id=int(row["id"]), object_type=str(row["object_type"]), address=json.loads(row["address"]),
                   ratio=float(row["ratio"]), offset_constant=float(row["offset_constant"]),
                   high_limit=float(row["high_limit"]), low_limit=float(row["low_limit"]))

    def scaled(self, raw: float) -> float:
        return raw * self.ratio + self.offset_constant


def judged(point: PointSpec, raw: float, utc: datetime) -> Reading:
    """The scaled value, flagged bad (kept, not dropped or clamped) when outside the point's limits."""
    value = point.scaled(raw)
    return Reading(point.id, utc, value, point.low_limit <= value <= point.high_limit)


@dataclass
class SourceStats:
    """Per data source counters, exposed by the worker: reads, errors and the last read's latency."""

    reads: int = 0
    errors: int = 0
    last_latency_ms: float = 0.0
    last_error: str = ""
    extra: dict[str, int] = field(default_factory=dict)


class Driver(Protocol):
    """One data source's connection. ``read`` answers one reading per point asked (bad when unreadable)."""

    async def read(self, points: Sequence[PointSpec]) -> list[Reading]: ...

    async def close(self) -> None: ...


@runtime_checkable
class Listener(Protocol):
    """A data source that pushes (MQTT): runs until ``stop`` is set, handing readings to ``emit`` as they
    arrive. Malformed input is counted in ``stats`` and logged, never raised."""

    stats: SourceStats

    async def listen(self, points: Sequence[PointSpec], emit: Callable[[Sequence[Reading]], None],
                     stop: asyncio.Event) -> None: ...


class WriteError(Exception):
    """A set value the device did not take: the message is the reason recorded for the request."""


@runtime_checkable
class Writer(Protocol):
    """A driver that can write: ``write`` sends one point its raw (unscaled) value and answers the value
    read back afterwards (scaled, None when the protocol reads nothing back), or raises :class:`WriteError`."""

    async def write(self, point: PointSpec, raw: float) -> float | None: ...
