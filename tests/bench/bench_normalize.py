#!/usr/bin/env python3
"""Normalisation benchmark: raw readings to hourly energy with the vectorised kernels, on one core.

Three measurements (figures are the median of ``--repeat`` runs, inputs built beforehand):

1. **one meter, one year of 1-minute readings** (525,600) through ``counter_to_hourly`` (clean data, then
   with 1 % bad readings, gaps and resets) and ``power_to_hourly``. Goal: <= 25 ms.
2. **many meters** (default 10,000 x 30 days of 15-minute readings, 28.8 million) through
   ``counter_to_hourly_many`` in one call: readings/s. Goal: >= 20 million/s.
3. the same meters one ``counter_to_hourly`` call each (on ``--loop-meters`` of them): what batching buys.

Usage::

    python tests/bench/bench_normalize.py [--meters 10000] [--days 30] [--repeat 5] [--loop-meters 1000]

numpy runs these kernels on one thread; the wall and CPU times printed should agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aggregation.normalize import counter_to_hourly, counter_to_hourly_many, power_to_hourly  # noqa: E402
from aggregation.series import HOUR, hour_range  # noqa: E402

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` calls (after one warm-up call)."""
    call()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def one_meter_year(repeat: int, rng: np.random.Generator) -> None:
    n = 365 * 24 * 60
    times = T0 + np.arange(n, dtype=np.int64) * 60
    values = 1e5 + np.cumsum(rng.uniform(0, 2, n))  # kWh, a 0-120 kW load
    good = np.ones(n, dtype=bool)
    hours = hour_range(T0, T0 + 365 * 24 * HOUR)
    rough_good = rng.random(n) > 0.01
    rough_values = values.copy()
    for at in rng.choice(n, 5, replace=False):
        rough_values[at:] -= rough_values[at] - 10.0  # a reset to 10
    rough_good[rng.choice(n - 300, 20)[:, None] + np.arange(300)] = False  # twenty 5-hour gaps
    kw = rng.uniform(0, 120, n)
    print(f"1 meter x 1 year of 1-minute readings ({n:,} readings -> {hours.size:,} hours), goal <= 25 ms")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("counter_to_hourly, clean", lambda: counter_to_hourly(times, values, good, hours)),
        ("counter_to_hourly, 1% bad + gaps + resets",
         lambda: counter_to_hourly(times, rough_values, rough_good, hours)),
        ("power_to_hourly", lambda: power_to_hourly(times, kw, good, hours)),
    ]
    for label, call in cases:
        wall, cpu = timed(call, repeat)
        verdict = "meets" if wall <= 0.025 else "MISSES"
        print(f"  {label:44s} {wall * 1e3:7.2f} ms (CPU {cpu * 1e3:7.2f} ms)  {n / wall / 1e6:6.1f} M readings/s"
              f"  {verdict} the goal")


def many_meters(meters: int, days: int, repeat: int, loop_meters: int, rng: np.random.Generator) -> None:
    per = days * 96
    n = meters * per
    meter = np.repeat(np.arange(meters, dtype=np.int64), per)
    times = np.tile(T0 + np.arange(per, dtype=np.int64) * 900, meters)
    values = rng.uniform(0, 5, (meters, per)).cumsum(axis=1) + rng.uniform(0, 1e6, (meters, 1))
    values = values.ravel()
    good = np.ones(n, dtype=bool)
    hours = hour_range(T0, T0 + days * 24 * HOUR)
    print(f"\n{meters:,} meters x {days} days of 15-minute readings ({n:,} readings -> {meters * hours.size:,} "
          "meter-hours), goal >= 20 M readings/s")
    wall, cpu = timed(lambda: counter_to_hourly_many(meter, times, values, good, hours, n_meters=meters), repeat)
    verdict = "meets" if n / wall >= 20e6 else "MISSES"
    print(f"  {'counter_to_hourly_many, one call':44s} {wall:7.3f} s  (CPU {cpu:7.3f} s)  {n / wall / 1e6:6.1f} M "
          f"readings/s  {verdict} the goal")
    loop_meters = min(loop_meters, meters)
    if loop_meters:
        ones = np.ones(per, dtype=bool)

        def loop() -> None:
            for i in range(loop_meters):
                counter_to_hourly(times[i * per:(i + 1) * per], values[i * per:(i + 1) * per], ones, hours)

        wall, cpu = timed(loop, max(1, repeat // 2))
        print(f"  {f'counter_to_hourly, one call per meter ({loop_meters:,})':44s} {wall:7.3f} s  (CPU {cpu:7.3f} s)  "
              f"{loop_meters * per / wall / 1e6:6.1f} M readings/s  ({wall / loop_meters * 1e6:.0f} us per meter)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loop-meters", type=int, default=1000)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    rng = np.random.default_rng(20260101)
    one_meter_year(max(args.repeat, 10), rng)
    many_meters(args.meters, args.days, args.repeat, args.loop_meters, rng)


if __name__ == "__main__":
    main()
