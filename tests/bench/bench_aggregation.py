#!/usr/bin/env python3
"""End-to-end aggregation benchmark: trend rows in the historical store -> ``myems aggregation`` backfill ->
hourly meter rows and entity roll-ups, on MariaDB (``--url`` or ``$MYEMS_TEST_MYSQL_URL``) or SQLite.

Usage::

    python tests/bench/bench_aggregation.py [--meters 50] [--days 14] [--step 60] [--url MYSQL_URL]

Prints the readings loaded, the backfill's wall time, readings/s through the whole pipeline (read trends,
normalise, write hourly, roll up) and the backfill's peak RSS (it runs in a child process, apart from the
seeding). With ``--spaces`` the meters are spread over that many spaces, so the roll-up has entities to fill.
The database's tables are dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aggregation.runner import Aggregation  # noqa: E402
from myems_api.db import energy, historical, schema  # noqa: E402
from myems_api.db.engines import Databases  # noqa: E402
from myems_api.db.trends import Reading, store_readings  # noqa: E402

START = datetime(2026, 1, 1)


def seed(databases: Databases, meters: int, days: int, step: int, spaces: int = 0) -> int:
    system = databases.system
    with system.begin() as conn:
        conn.execute(sa.insert(schema.energy_categories).values(id=1, name="Electricity", uuid="c1",
                                                               unit_of_measure="kWh", kgce=0.1229, kgco2e=0.58))
        conn.execute(sa.insert(schema.cost_centers).values(id=1, name="CC", uuid="cc1", external_id="1"))
        conn.execute(sa.insert(schema.gateways).values(id=1, name="G", uuid="g1", token="t"))
        conn.execute(sa.insert(schema.data_sources).values(id=1, name="S", uuid="s1", gateway_id=1, protocol="x",
                                                           connection="{}"))
        conn.execute(sa.insert(schema.points), [
            {"id": i, "name": f"p{i}", "uuid": f"p{i}", "data_source_id": 1, "object_type": "ENERGY_VALUE",
             "high_limit": 1e11, "low_limit": 0, "ratio": 1, "offset_constant": 0, "is_trend": True,
             "is_virtual": False, "address": json.dumps({})} for i in range(1, meters + 1)])
        conn.execute(sa.insert(schema.meters), [
            {"id": i, "name": f"m{i}", "uuid": f"m{i}", "energy_category_id": 1, "is_counted": True,
             "hourly_low_limit": 0, "hourly_high_limit": 1e9, "cost_center_id": 1} for i in range(1, meters + 1)])
        conn.execute(sa.insert(schema.meters_points), [{"meter_id": i, "point_id": i} for i in range(1, meters + 1)])
        if spaces:
            conn.execute(sa.insert(schema.timezones).values(id=1, name="UTC", description="UTC", utc_offset="+00:00"))
            conn.execute(sa.insert(schema.spaces), [
                {"id": i, "name": f"s{i}", "uuid": f"s{i}", "parent_space_id": None if i == 1 else 1, "area": 100,
                 "timezone_id": 1, "is_input_counted": True, "is_output_counted": False}
                for i in range(1, spaces + 1)])
            conn.execute(sa.insert(schema.spaces_meters), [
                {"space_id": 1 + i % spaces, "meter_id": i} for i in range(1, meters + 1)])
    n = days * 86_400 // step
    rng = np.random.default_rng(1)
    written = 0
    for point in range(1, meters + 1):
        counter = np.cumsum(rng.uniform(0.0, 2.0, n))
        batch = [("ENERGY_VALUE", Reading(point, START + timedelta(seconds=int(i) * step), float(v)))
                 for i, v in enumerate(counter)]
        with databases.engines["historical"].begin() as conn:
            for offset in range(0, len(batch), 20_000):
                store_readings(conn, batch[offset:offset + 20_000])
        written += len(batch)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meters", type=int, default=50)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--step", type=int, default=60, help="seconds between readings (default 60)")
    parser.add_argument("--spaces", type=int, default=10, help="spaces the meters are spread over (0: none)")
    parser.add_argument("--url", default=os.environ.get("MYEMS_TEST_MYSQL_URL", ""))
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='myems-bench-agg.')}/all.sqlite"
    databases = Databases({"system": url, "historical": url, "energy": url})
    for metadata in (schema.metadata, historical.metadata, energy.metadata):
        metadata.drop_all(databases.system)
        metadata.create_all(databases.system)
    began = time.perf_counter()
    readings = seed(databases, args.meters, args.days, args.step, args.spaces)
    print(f"loaded {readings:,} readings ({args.meters} meters x {args.days} days every {args.step} s) "
          f"in {time.perf_counter() - began:.1f} s on {databases.system.dialect.name}")
    databases.dispose()  # the backfill runs in a child of its own: its peak RSS is the backfill's alone
    child = os.fork()
    if child == 0:
        databases = Databases({"system": url, "historical": url, "energy": url})
        began = time.perf_counter()
        report = Aggregation(databases).backfill(START)
        elapsed = time.perf_counter() - began
        print(f"backfill: {report.meters} meters, {report.hours_written:,} meter hours, "
              f"{report.entity_rows:,} entity rows in {elapsed:.2f} s = {readings / elapsed:,.0f} readings/s "
              "end to end", flush=True)
        databases.dispose()
        os._exit(0)
    os.waitpid(child, 0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"backfill peak RSS {peak:.0f} MiB")
    databases.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
