#!/usr/bin/env python3
"""Report latency: a meter energy report and a space energy category report over a year of hourly data.

The goals (issue "Reports"), against the reference implementation's 3.2 s (1.8 s quick mode) for one
meter over one year, daily:

- meter energy report, one year, daily: <= 50 ms with ``quickmode=true``, <= 300 ms with Excel;
- a space with 1,000 meters and a year of hourly data, daily space energy category report: <= 200 ms
  quick, <= 1 s with Excel.

Requests go through the whole falcon app in process (routing, auth, query parsing, SQL, numpy, JSON; no
network). The space holds 1,000 bound meters and a year of rolled-up rows for 3 energy categories and 6
items: a space report reads the roll-up, not its meters' rows, which is why it does not grow with them.

Usage::

    python tests/bench/bench_reports.py [--url MYSQL_URL] [--runs 15]

The database is ``--url`` (its tables are dropped and recreated: never real data), else a SQLite file in
a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from myems_api.app import create_app  # noqa: E402
from myems_api.auth import Passwords  # noqa: E402
from myems_api.config import Config  # noqa: E402
from myems_api.db import energy, historical, schema  # noqa: E402
from myems_api.db.setup import init_database  # noqa: E402
from tests.client import Api  # noqa: E402

PASSWORD = "Bench-admin-1"
YEAR = "reportingperiodstartdatetime=2025-01-01T00:00:00&reportingperiodenddatetime=2026-01-01T00:00:00"
MONTH = "reportingperiodstartdatetime=2025-06-01T00:00:00&reportingperiodenddatetime=2025-07-01T00:00:00"
BASE = "baseperiodstartdatetime=2024-01-01T00:00:00&baseperiodenddatetime=2025-01-01T00:00:00"


def build(admin: Api, app: object) -> tuple[int, int]:
    zone = next(t["id"] for t in admin.get("/timezones").json if t["name"] == "China Standard Time")
    categories = [admin.create("/energycategories", {"name": n, "unit_of_measure": u, "kgce": 0.1, "kgco2e": 0.5})
                  for n, u in (("Electricity", "kWh"), ("Water", "m3"), ("Gas", "m3"))]
    items = [admin.create("/energyitems", {"name": f"{c['name']} {i}", "energy_category_id": c["id"]})
             for c in categories for i in (1, 2)]
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    tou = admin.create("/tariffs", {
        "name": "TOU", "energy_category_id": categories[0]["id"], "tariff_type": "timeofuse",
        "unit_of_price": "CNY/kWh", "valid_from": "2020-01-01T00:00:00", "valid_through": "2030-01-01T00:00:00",
        "timeofuse": [
            {"start_time_of_day": "00:00:00", "end_time_of_day": "07:59:59", "peak_type": "offpeak", "price": 0.3},
            {"start_time_of_day": "08:00:00", "end_time_of_day": "21:59:59", "peak_type": "onpeak", "price": 0.9},
            {"start_time_of_day": "22:00:00", "end_time_of_day": "23:59:59", "peak_type": "midpeak", "price": 0.6}]})
    admin.post(f"/costcenters/{center['id']}/tariffs", {"tariff_id": tou["id"]})
    space = admin.create("/spaces", {"name": "Campus", "parent_space_id": None, "area": 50000, "timezone_id": zone,
                                     "is_input_counted": True, "is_output_counted": False,
                                     "cost_center_id": center["id"]})
    engines = app.databases  # type: ignore[attr-defined]
    with engines.system.begin() as conn:
        conn.execute(sa.insert(schema.meters), [
            {"name": f"M{i}", "uuid": f"00000000-0000-4000-8000-{i:012d}",
             "energy_category_id": categories[i % 3]["id"], "is_counted": True, "hourly_low_limit": 0,
             "hourly_high_limit": 1e6, "cost_center_id": center["id"]}
            for i in range(1000)])
        meter_ids = list(conn.execute(sa.select(schema.meters.c.id).order_by(schema.meters.c.id)).scalars())
        conn.execute(sa.insert(schema.spaces_meters), [{"space_id": space["id"], "meter_id": m} for m in meter_ids])
    hours = [datetime(2023, 12, 31, 16) + timedelta(hours=h) for h in range(2 * 8784)]
    rows = []
    for c in categories:
        rows += [{"entity_type": "space", "entity_id": space["id"], "direction": "input", "energy_category_id": c["id"],
                  "energy_item_id": 0, "start_datetime_utc": h, "actual_value": 100.0 + k % 24, "cost": 50.0,
                  "carbon": 40.0} for k, h in enumerate(hours)]
    for item in items:
        rows += [{"entity_type": "space", "entity_id": space["id"], "direction": "input",
                  "energy_category_id": item["energy_category"]["id"], "energy_item_id": item["id"],
                  "start_datetime_utc": h, "actual_value": 50.0, "cost": 25.0, "carbon": 20.0} for h in hours]
    with engines.engines["energy"].begin() as conn:
        for start in range(0, len(rows), 20000):
            conn.execute(sa.insert(energy.entity_hourly), rows[start:start + 20000])
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": meter_ids[0], "start_datetime_utc": h, "actual_value": 1.0 + k % 7,
             "flags": 0} for k, h in enumerate(hours)])
    return meter_ids[0], space["id"]


def timed(admin: Api, path: str, query: str, runs: int) -> float:
    admin.get(path, query_string=query)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = admin.get(path, query_string=query)
        times.append((time.perf_counter() - started) * 1000)
        assert result.status_code == 200, result.json
    return statistics.median(times)


def bench_app(given_url: str | None) -> tuple[Any, Api, str]:
    """The app on ``given_url`` (its tables dropped and recreated) or a temporary SQLite file, initialised, and
    its administrator logged in."""
    folder = tempfile.mkdtemp(prefix="bench-reports-")
    url = given_url or f"sqlite:///{folder}/bench.sqlite"
    if given_url:
        engine = sa.create_engine(url)
        for metadata in (schema.metadata, historical.metadata, energy.metadata):
            metadata.drop_all(engine)
        engine.dispose()
    config = Config(db_url=url, admin_password=PASSWORD, scrypt_n=2, upload_folder=f"{folder}/upload")
    app = create_app(config)
    init_database(app.databases, Passwords(n=config.scrypt_n), config.admin_password, myems_defaults=False)
    return app, Api(app).login("administrator", PASSWORD), url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a throwaway MySQL/MariaDB URL (its tables are dropped)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app, admin, url = bench_app(args.url)
    started = time.perf_counter()
    meter_id, space_id = build(admin, app)
    print(f"built in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    cases: list[tuple[str, str, str, int | None]] = [
        ("meter energy, 1 year daily, quick", "/reports/meterenergy",
         f"meterid={meter_id}&periodtype=daily&{YEAR}&{BASE}&quickmode=true", 50),
        ("meter energy, 1 year daily, Excel", "/reports/meterenergy",
         f"meterid={meter_id}&periodtype=daily&{YEAR}&{BASE}", 300),
        ("meter energy, 1 month daily, quick", "/reports/meterenergy",
         f"meterid={meter_id}&periodtype=daily&{MONTH}&quickmode=true", 50),
        ("meter energy, 1 month daily, Excel", "/reports/meterenergy", f"meterid={meter_id}&periodtype=daily&{MONTH}",
         300),
        ("space energy category, 1 year daily, quick", "/reports/spaceenergycategory",
         f"spaceid={space_id}&periodtype=daily&{YEAR}&{BASE}&quickmode=true", 200),
        ("space energy category, 1 year daily, Excel", "/reports/spaceenergycategory",
         f"spaceid={space_id}&periodtype=daily&{YEAR}&{BASE}", 1000),
        ("space energy item (6 items), 1 year monthly, quick", "/reports/spaceenergyitem",
         f"spaceid={space_id}&periodtype=monthly&{YEAR}&{BASE}&quickmode=true", None),
    ]
    failed = 0
    for label, path, query, goal in cases:
        median = timed(admin, path, query, args.runs)
        if goal is None:
            print(f"{label:<52} {median:8.1f} ms   (no goal)")
            continue
        ok = median <= goal
        failed += not ok
        print(f"{label:<52} {median:8.1f} ms   goal <= {goal} ms   {'ok' if ok else 'MISSED'}")
    app.databases.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
