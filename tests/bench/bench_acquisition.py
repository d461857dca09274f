#!/usr/bin/env python3
"""Acquisition benchmark: how many readings one worker process takes and writes, and what it costs.

Two measurements:

1. **writer**: ``store_readings`` upserting batches of trend rows (plus latest values) into the
   historical store: rows/s on SQLite and, with ``--url`` or ``$MYEMS_TEST_MYSQL_URL``, on MariaDB.
2. **worker**: one ``Acquisition`` process polling ``--sources`` simulated data sources of ``--points``
   points each every ``--interval`` seconds for ``--duration`` seconds: readings written per second, the
   event loop's lag (a 50 ms ticker's lateness: mean and p99, what a slow driver or a blocking call would
   show), how late polls start against their schedule, and the process's CPU.

Usage::

    python tests/bench/bench_acquisition.py [--sources 500] [--points 10] [--interval 1] [--duration 20]
                                            [--rows 200000] [--url MYSQL_URL]

The MariaDB database's trend tables are dropped and recreated: never point it at real data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from acquisition.worker import Acquisition  # noqa: E402
from acquisition.writer import TrendWriter  # noqa: E402
from myems_api.db import historical, schema  # noqa: E402
from myems_api.db.engines import make_engine  # noqa: E402
from myems_api.db.trends import Reading, store_readings  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_writer(url: str, rows: int, batch: int = 5000) -> None:
    engine = make_engine(url)
    historical.metadata.drop_all(engine)
    historical.metadata.create_all(engine)
    start = datetime(2026, 1, 1)
    points = 1000
    samples = [("ANALOG_VALUE", Reading(i % points + 1, start + timedelta(seconds=i // points), float(i)))
               for i in range(rows)]
    for label, data in (("insert", samples), ("upsert of the same rows", samples)):
        began, cpu = time.perf_counter(), cpu_seconds()
        for offset in range(0, len(data), batch):
            with engine.begin() as conn:
                store_readings(conn, data[offset:offset + batch])
        elapsed = time.perf_counter() - began
        print(f"  {engine.dialect.name:7} {label:24} {rows:>9,} rows in {elapsed:6.2f} s = "
              f"{rows / elapsed:>9,.0f} rows/s   (client CPU {cpu_seconds() - cpu:5.2f} s)")
    engine.dispose()


def seed_sources(engine: sa.Engine, sources: int, points: int, interval: float) -> None:
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.gateways).values(id=1, name="bench", uuid="00000000-0000-0000-0000-000000000001",
                                                       token="bench"))
        conn.execute(sa.insert(schema.data_sources), [
            {"id": s, "name": f"source {s}", "uuid": f"00000000-0000-0000-0001-{s:012d}", "gateway_id": 1,
             "protocol": "simulation", "connection": json.dumps({"interval_in_seconds": interval})}
            for s in range(1, sources + 1)])
        conn.execute(sa.insert(schema.points), [
            {"name": f"p{p}", "uuid": f"00000000-0000-0001-{s:04d}-{p:012d}", "data_source_id": s,
             "object_type": "ANALOG_VALUE" if p % 2 else "ENERGY_VALUE", "high_limit": 1e12, "low_limit": 0,
             "ratio": 1, "offset_constant": 0, "is_trend": True, "is_virtual": False,
             "address": json.dumps({"generator": "power", "peak": 100} if p % 2 else
                                   {"generator": "energy_counter", "daily_total": 1000})}
            for s in range(1, sources + 1) for p in range(points)])


async def run_worker(acq: Acquisition, duration: float) -> list[float]:
    stop = asyncio.Event()
    lags: list[float] = []

    async def ticker() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append(time.perf_counter() - before - 0.05)

    tick = asyncio.create_task(ticker())
    task = asyncio.create_task(acq.run(stop))
    await asyncio.sleep(duration)
    stop.set()
    await task
    await tick
    return lags


def bench_worker(url: str, sources: int, points: int, interval: float, duration: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="myems-bench-acq."))
    system = make_engine(f"sqlite:///{workdir / 'system.sqlite'}")
    seed_sources(system, sources, points, interval)
    store = make_engine(url)
    historical.metadata.drop_all(store)
    historical.metadata.create_all(store)
    writer = TrendWriter(store, workdir / "spool.jsonl")
    acq = Acquisition(system, writer, reload_seconds=duration * 2, flush_seconds=1.0)
    cpu, began = cpu_seconds(), time.perf_counter()
    lags = asyncio.run(run_worker(acq, duration))
    elapsed, used = time.perf_counter() - began, cpu_seconds() - cpu
    expected = sources * points * duration / interval
    with store.connect() as conn:
        stored = sum(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                     for t in (historical.analog_values, historical.energy_values))
    lags_ms = sorted(x * 1000 for x in lags)
    p99 = lags_ms[int(len(lags_ms) * 0.99) - 1] if lags_ms else 0.0
    print(f"  {sources} sources x {points} points every {interval:g} s for {duration:g} s on {store.dialect.name}:")
    print(f"    readings written  {writer.written:>9,} ({writer.written / elapsed:,.0f}/s; "
          f"{stored:,} rows; schedule allows {expected:,.0f}); spooled {writer.spooled}")
    print(f"    event-loop lag    mean {statistics.fmean(lags_ms):.1f} ms, p99 {p99:.1f} ms, max {lags_ms[-1]:.1f} ms")
    print(f"    process CPU       {used:.2f} s in {elapsed:.1f} s = {used / elapsed * 100:.0f} % of one core "
          f"({used / max(writer.written, 1) * 1e6:.0f} us per reading)")
    store.dispose()
    system.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--url", default=os.environ.get("MYEMS_TEST_MYSQL_URL", ""))
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    sqlite_url = f"sqlite:///{tempfile.mkdtemp(prefix='myems-bench-w.')}/historical.sqlite"
    print("writer (store_readings, batches of 5,000):")
    bench_writer(sqlite_url, args.rows)
    if args.url:
        bench_writer(args.url, args.rows)
    print("worker (simulation driver):")
    bench_worker(args.url or f"sqlite:///{tempfile.mkdtemp(prefix='myems-bench-h.')}/h.sqlite",
                 args.sources, args.points, args.interval, args.duration)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
