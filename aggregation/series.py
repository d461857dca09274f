"""The shapes the aggregation kernels share: hours as POSIX seconds, hourly values with quality flags.

Every kernel is a pure function over numpy arrays (pvlib style): times are ``int64`` POSIX seconds (UTC),
an hour is named by its start (a multiple of 3600), energy is ``float64`` in the meter's unit (kWh, m3...)
and ``NaN`` means "not known". Database I/O lives in :mod:`aggregation.store`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HOUR = 3600

Times = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Flags = npt.NDArray[np.uint8]

# Quality flags of an hourly value (a bit mask; 0 = measured and plausible).
ESTIMATED = 1  # spread across a gap in the readings by interpolation
RESET = 2  # the counter dropped (a meter exchange or reset): no negative energy was produced
ROLLOVER = 4  # the counter wrapped at its maximum: the energy across the wrap is counted
OUT_OF_LIMITS = 8  # outside the meter's hourly low/high limits: kept, excluded from roll-ups and billing


@dataclass(frozen=True)
class Hourly:
    """Hourly values for ``hours`` (starts, POSIX seconds): ``energy`` (NaN = unknown) and ``flags``."""

    hours: Times
    energy: Values
    flags: Flags

    def __post_init__(self) -> None:
        if not (len(self.hours) == len(self.energy) == len(self.flags)):
            raise ValueError("hours, energy and flags must have the same length")


def hour_range(start: int, end: int) -> Times:
    """The hour starts in [start, end), both rounded down to whole hours."""
    first, last = start - start % HOUR, end - end % HOUR
    return np.arange(first, last, HOUR, dtype=np.int64)
