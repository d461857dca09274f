"""Deterministic simulated measurements, so the demo and tests have realistic data without hardware.

Pure functions of (address, point id, UTC time), numpy arrays in and out: the same instant always gives
the same value, in a live poll or a backfill. The daily load shape is an office building's: a base load
of 30 % at night rising smoothly to 100 % between 09:00 and 17:00 (UTC), the same every day.

Generators (the point address's ``generator``):

- ``energy_counter``: a monotonic cumulative energy register (kWh) whose daily increase is ``daily_total``,
  distributed along the load shape; ``start`` (default 0) is its value at 1970-01-01.
- ``power``: an instantaneous demand (kW), ``peak`` times the load shape, with a small deterministic
  ripple (+/- ``ripple``, default 2 % of peak) that differs per point.
- ``switch``: a digital value, 1 from ``on`` to ``off`` hour (default 7 to 19), else 0.
- ``constant``: ``value``.

An address without a known generator simulates ``power`` with a peak of 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

DAY = 86_400.0
Seconds = npt.NDArray[np.float64]

_MINUTES = np.arange(1441, dtype=np.float64)


def load_shape(seconds_of_day: Seconds) -> Seconds:
    """The fraction of peak load at each second of the day (0.3 at night .. 1.0 in the afternoon)."""
    hours = np.asarray(seconds_of_day, dtype=np.float64) / 3600.0
    rise = np.clip((hours - 6.0) / 3.0, 0.0, 1.0)  # 06:00 -> 09:00
    fall = np.clip((20.0 - hours) / 3.0, 0.0, 1.0)  # 17:00 -> 20:00
    ramp = np.minimum(rise, fall)
    return 0.3 + 0.7 * (0.5 - 0.5 * np.cos(np.pi * ramp))


_CUMULATIVE = np.concatenate([[0.0], np.cumsum(load_shape((_MINUTES[:-1] + 0.5) * 60.0))])
_CUMULATIVE /= _CUMULATIVE[-1]  # a day's share of energy used by each minute boundary


def day_fraction_used(seconds_of_day: Seconds) -> Seconds:
    """The share of a day's energy used by each second of the day (0 at midnight, 1 at the next)."""
    minutes = np.asarray(seconds_of_day, dtype=np.float64) / 60.0
    return np.asarray(np.interp(minutes, _MINUTES, _CUMULATIVE), dtype=np.float64)


def _ripple(point_id: int, epoch_seconds: Seconds) -> Seconds:
    """A deterministic wobble in [-1, 1], different per point, changing every minute."""
    minute = np.floor(epoch_seconds / 60.0)
    return np.sin(minute * 0.7 + point_id * 1.3) * np.cos(minute * 0.31 + point_id)


def simulate(address: Mapping[str, Any], point_id: int, epoch_seconds: Seconds) -> Seconds:
    """Values of one simulated point at POSIX times ``epoch_seconds`` (UTC)."""
    t = np.asarray(epoch_seconds, dtype=np.float64)
    days, seconds = np.divmod(t, DAY)
    generator = address.get("generator", "power")
    if generator == "energy_counter":
        daily = float(address.get("daily_total", 100.0))
        return float(address.get("start", 0.0)) + daily * (days + day_fraction_used(seconds))
    if generator == "switch":
        on, off = float(address.get("on", 7)), float(address.get("off", 19))
        return ((seconds >= on * 3600) & (seconds < off * 3600)).astype(np.float64)
    if generator == "constant":
        return np.full_like(t, float(address.get("value", 0.0)))
    peak = float(address.get("peak", 100.0))
    ripple = float(address.get("ripple", 0.02))
    return peak * (load_shape(seconds) + ripple * _ripple(point_id, t))
