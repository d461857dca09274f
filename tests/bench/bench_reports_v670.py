#!/usr/bin/env python3
"""Latency of MyEMS v6.7.0's report families: a batch, a comparison, an energy storage item report, a saving and
a prediction (each fits a baseline model on up to a year of hourly rows).

The goals (issue "Every MyEMS v6.7.0 report"):

- tenant batch of a space with 1,000 tenants over a month (2 categories, hourly rows): <= 300 ms quick;
- comparison of two spaces over a year, daily: <= 60 ms quick;
- energy storage power station item energy (charge and discharge meters, hourly rows since 1 January):
  <= 100 ms;
- space saving of December against a baseline fitted on the eleven months before, and a space prediction of
  December from the year before it (hourly model, twelve monthly segments, no temperature point): <= 400 ms.

Requests go through the whole falcon app in process (routing, auth, query parsing, SQL, numpy, JSON; no network).

Usage::

    python tests/bench/bench_reports_v670.py [--url MYSQL_URL] [--runs 15]

The database is ``--url`` (its tables are dropped and recreated: never real data), else a SQLite file in a
temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from myems_api.db import energy, schema  # noqa: E402
from myems_api.db.entity_days import refresh_daily  # noqa: E402
from tests.api.test_energy_storage import STATIONS, full, make_site  # noqa: E402
from tests.api.test_power_plants import station  # noqa: E402
from tests.bench.bench_reports import bench_app, timed  # noqa: E402
from tests.client import Api  # noqa: E402

MONTH = "reportingperiodstartdatetime=2025-06-01T00:00:00&reportingperiodenddatetime=2025-07-01T00:00:00"
YEAR = "reportingperiodstartdatetime=2025-01-01T00:00:00&reportingperiodenddatetime=2026-01-01T00:00:00"
TENANTS = 1000


def insert(app: object, store: str, table: sa.Table, rows: list[dict[str, object]]) -> None:
    """As the roll-up writes: entity hours refresh their days."""
    with app.databases.engines[store].begin() as conn:  # type: ignore[attr-defined]
        for start in range(0, len(rows), 20000):
            conn.execute(sa.insert(table), rows[start:start + 20000])
        if table is energy.entity_hourly:
            times = [r["start_datetime_utc"] for r in rows]
            refresh_daily(conn, min(times), max(times))  # type: ignore[type-var, arg-type]


def build(admin: Api, app: object) -> dict[str, int]:
    zone = next(t["id"] for t in admin.get("/timezones").json if t["name"] == "China Standard Time")
    categories = [admin.create("/energycategories", {"name": n, "unit_of_measure": u, "kgce": 0.1, "kgco2e": 0.5})
                  for n, u in (("Electricity", "kWh"), ("Water", "m3"))]
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    root = admin.create("/spaces", {"name": "Campus", "parent_space_id": None, "area": 2000, "timezone_id": zone,
                                    "is_input_counted": True, "is_output_counted": False})
    spaces = [admin.create("/spaces", {"name": n, "parent_space_id": root["id"], "area": 1000, "timezone_id": zone,
                                       "is_input_counted": True, "is_output_counted": False}) for n in ("A", "B")]
    tenant_type = admin.create("/tenanttypes", {"name": "Office", "description": "", "simplified_code": "OF"})
    contact = admin.create("/contacts", {"name": "c", "email": "c@example.com", "phone": "+8613888888888",
                                         "description": ""})
    with app.databases.system.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.insert(schema.tenants), [
            {"name": f"T{i}", "uuid": str(uuid.uuid4()), "buildings": "B", "floors": "1", "rooms": "1",
             "area": 100, "tenant_type_id": tenant_type["id"], "is_key_tenant": False, "lease_number": f"L{i}",
             "lease_start_datetime_utc": datetime(2025, 1, 1), "lease_end_datetime_utc": datetime(2030, 1, 1),
             "is_in_lease": True, "is_input_counted": True, "contact_id": contact["id"],
             "cost_center_id": center["id"]} for i in range(TENANTS)])
        tenant_ids = list(conn.execute(sa.select(schema.tenants.c.id)).scalars())
        conn.execute(sa.insert(schema.spaces_links["tenant"]),
                     [{"space_id": spaces[0]["id"], "tenant_id": t} for t in tenant_ids])
    month = [datetime(2025, 5, 31, 16) + timedelta(hours=h) for h in range(30 * 24)]
    insert(app, "energy", energy.entity_hourly, [
        {"entity_type": "tenant", "entity_id": t, "direction": "input", "energy_category_id": c["id"],
         "energy_item_id": 0, "start_datetime_utc": h, "actual_value": 1.0 + t % 5, "cost": 0.5, "carbon": 0.4}
        for t in tenant_ids for c in categories for h in month])
    year = [datetime(2024, 12, 31, 16) + timedelta(hours=h) for h in range(8760)]
    insert(app, "energy", energy.entity_hourly, [
        {"entity_type": "space", "entity_id": s["id"], "direction": "input", "energy_category_id": categories[0]["id"],
         "energy_item_id": 0, "start_datetime_utc": h, "actual_value": 2.0 + n, "cost": 1.0, "carbon": 1.0}
        for n, s in enumerate(spaces) for h in year])
    site = make_site(admin)
    container = full(admin, site)
    esps = station(admin, STATIONS, site.refs)
    admin.post(f"{STATIONS}/{esps['id']}/containers", {"energy_storage_container_id": container["id"]})
    now = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    since_january = [datetime(now.year, 1, 1) + timedelta(hours=h)
                     for h in range(int((now - datetime(now.year, 1, 1)).total_seconds() // 3600))]
    insert(app, "energy", energy.meter_hourly, [
        {"meter_type": "meter", "meter_id": site.meters[role]["id"], "start_datetime_utc": h, "actual_value": 1.5,
         "flags": 0} for role in ("charge", "discharge") for h in since_january])
    return {"space": spaces[0]["id"], "other": spaces[1]["id"], "electricity": categories[0]["id"],
            "station": esps["id"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a throwaway MySQL/MariaDB URL (its tables are dropped)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app, admin, url = bench_app(args.url)
    started = time.perf_counter()
    ids = build(admin, app)
    print(f"built in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    cases: list[tuple[str, str, str, int]] = [
        (f"tenant batch, {TENANTS} tenants, 1 month, quick", "/reports/tenantbatch",
         f"spaceid={ids['space']}&{MONTH}&quickmode=true", 300),
        ("space comparison, 1 year daily, quick", "/reports/spacecomparison",
         f"spaceid1={ids['space']}&spaceid2={ids['other']}&energycategoryid={ids['electricity']}&periodtype=daily"
         f"&{YEAR}&quickmode=true", 60),
        ("storage station item energy, since 1 January", "/reports/energystoragepowerstationitemenergy",
         f"id={ids['station']}", 100),
        ("space saving, December against Jan-Nov, weekly, quick", "/reports/spacesaving",
         f"spaceid={ids['space']}&periodtype=weekly&baseperiodstartdatetime=2025-01-01T00:00:00"
         "&baseperiodenddatetime=2025-12-01T00:00:00&reportingperiodstartdatetime=2025-12-01T00:00:00"
         "&reportingperiodenddatetime=2026-01-01T00:00:00&quickmode=true", 400),
        ("space prediction, December daily, quick", "/reports/spaceprediction",
         f"spaceid={ids['space']}&periodtype=daily&reportingperiodstartdatetime=2025-12-01T00:00:00"
         "&reportingperiodenddatetime=2026-01-01T00:00:00&quickmode=true", 400),
    ]
    failed = 0
    for label, path, query, goal in cases:
        median = timed(admin, path, query, args.runs)
        ok = median <= goal
        failed += not ok
        print(f"{label:<52} {median:8.1f} ms   goal <= {goal} ms   {'ok' if ok else 'MISSED'}")
    app.databases.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
