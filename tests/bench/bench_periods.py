#!/usr/bin/env python3
"""Period-bucketing kernel benchmark: a year of hourly rows for many series into local periods.

Builds the periods of one year (local, Europe/Berlin by default: two DST days) for every period type, then
times :func:`bucket`, :func:`maxima` and :func:`means` on 1 series and on ``--series`` series sharing the
hours (a (series x 8,760) float64 batch), with no missing rows and with 1 % of rows missing at random (the
slow path: those series are masked and summed again). Checks every batch total against a direct sum.
Goal: 1,000 series x 1 year bucketed in a few ms (the batch is 70 MB, so a few ms is memory bandwidth).

Usage::

    python tests/bench/bench_periods.py [--series 1000] [--days 365] [--zone Europe/Berlin] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reports.periods import PERIOD_TYPES, bucket, maxima, means, periods  # noqa: E402


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best and median wall time in ms over ``repeat`` runs, after one warm-up run."""
    call()
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        runs.append((time.perf_counter() - began) * 1000)
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--zone", default="Europe/Berlin")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = datetime(2023, 1, 1)
    end = start + timedelta(days=args.days)

    print(f"{args.days} days from {start:%Y-%m-%d} in {args.zone}; numpy {np.__version__}")
    print("\nperiods(): build bounds and labels")
    built = {}
    for kind in PERIOD_TYPES:
        best, median = timed(lambda kind=kind: periods(start, end, args.zone, kind), args.repeat)  # type: ignore[misc]
        built[kind] = periods(start, end, args.zone, kind)
        print(f"  {kind:8} {len(built[kind]):6,} periods  {best:7.2f} ms best, {median:7.2f} ms median")

    daily = built["daily"]
    hours = np.arange(daily.bounds[0], daily.bounds[-1], 3600, dtype=np.int64)
    rng = np.random.default_rng(args.seed)
    batch = rng.random((args.series, hours.size)) * 10.0
    gappy = batch.copy()
    gappy[rng.random(gappy.shape) < 0.01] = np.nan
    print(f"\nrows: {hours.size:,} hours x {args.series:,} series = {batch.nbytes / 2**20:,.0f} MiB float64")
    print("  (best / median of", args.repeat, "runs, ms)")
    header = f"  {'call':28} {'1 series':>17} {f'{args.series:,} series':>17} {'1 % missing':>17}"
    print(header)
    for kind in ("hourly", "daily", "monthly"):
        p = built[kind]
        for name, kernel in (("bucket", bucket), ("maxima", maxima), ("means", means)):
            one = timed(lambda k=kernel, p=p: k(hours, batch[0], p), args.repeat)  # type: ignore[misc]
            many = timed(lambda k=kernel, p=p: k(hours, batch, p), args.repeat)  # type: ignore[misc]
            gaps = timed(lambda k=kernel, p=p: k(hours, gappy, p), args.repeat)  # type: ignore[misc]
            print(f"  {name + ' ' + kind:28} {one[0]:8.3f} / {one[1]:6.3f} {many[0]:8.2f} / {many[1]:6.2f} "
                  f"{gaps[0]:8.2f} / {gaps[1]:6.2f}")
        result = bucket(hours, gappy, p)
        direct = np.nansum(gappy, axis=-1)
        error = float(np.max(np.abs(result.total - direct) / np.maximum(direct, 1.0)))
        known = int(result.total_count.sum())
        assert known == int((~np.isnan(gappy)).sum()), "rows lost or double counted"
        print(f"  {kind} totals vs direct sums: max relative difference {error:.1e}; {known:,} known rows counted")

    best, _ = timed(lambda: bucket(hours, batch, daily), args.repeat)
    print(f"\nbucket, {args.series:,} series x 1 year into days: {best:.1f} ms best "
          f"({batch.size / best / 1e3:,.0f} M rows/s)")


if __name__ == "__main__":
    main()
