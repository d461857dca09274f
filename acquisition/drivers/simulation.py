"""The simulation protocol's driver: every point's value from :mod:`acquisition.simulation` at read time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

import numpy as np

from acquisition.readings import PointSpec, Reading, judged, utc_now
from acquisition.simulation import simulate


class SimulationDriver:
    def __init__(self, connection: Mapping[str, Any] | None = None) -> None:
        self.connection = dict(connection or {})

    async def read(self, points: Sequence[PointSpec]) -> list[Reading]:
        now = utc_now()
        epoch = np.array([now.replace(tzinfo=UTC).timestamp()])
        readings = []
        for point in points:
            value = float(simulate(point.address, point.id, epoch)[0])
            readings.append(judged(point, value, now))
        return readings

    async def close(self) -> None:
        return None
