"""The aggregation runner on real stores: dirty marks in, hourly meter energy out; reruns change nothing,
late data is recomputed, a killed run is completed by the next, and one runner holds the lease."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from aggregation import leases
from aggregation.runner import LEASE, Aggregation
from aggregation.series import OUT_OF_LIMITS
from aggregation.store import dirty_marks
from myems_api.db import energy, historical
from tests.client import Api

T0 = datetime(2026, 1, 1)


def setup_meter(admin: Api, object_type: str = "ENERGY_VALUE", units: str = "kWh", high: float = 1000,
                name: str = "M1") -> tuple[dict[str, Any], dict[str, Any]]:
    gateways = admin.get("/gateways").json
    gateway = gateways[0] if gateways else admin.create("/gateways", {"name": "G"})
    sources = admin.get("/datasources").json
    source = sources[0] if sources else admin.create("/datasources", {
        "name": "Push", "gateway_id": gateway["id"], "protocol": "simulation", "connection": "{}"})
    categories = admin.get("/energycategories").json
    category = categories[0] if categories else admin.create("/energycategories", {
        "name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.581})
    centers = admin.get("/costcenters").json
    center = centers[0] if centers else admin.create("/costcenters", {"name": "CC", "external_id": "1"})
    point = admin.create("/points", {"name": f"{name} point", "data_source_id": source["id"],
                                     "object_type": object_type, "units": units, "high_limit": 1e9, "low_limit": 0,
                                     "address": json.dumps({"generator": "constant"})})
    meter = admin.create("/meters", {"name": name, "energy_category_id": category["id"], "is_counted": True,
                                     "hourly_low_limit": 0, "hourly_high_limit": high,
                                     "cost_center_id": center["id"]})
    assert admin.post(f"/meters/{meter['id']}/points", {"point_id": point["id"]}).status_code == 201
    return meter, point


def push(admin: Api, point: dict[str, Any], minutes_values: list[tuple[int, float]]) -> None:
    body = [{"point_id": point["id"], "utc_date_time": (T0 + timedelta(minutes=m)).isoformat(), "value": v}
            for m, v in minutes_values]
    assert admin.post("/points/values", body).status_code == 200


def hourly(app: Any, meter_id: int) -> dict[datetime, tuple[float, int]]:
    t = energy.meter_hourly
    with app.databases.engines["energy"].connect() as conn:
        rows = conn.execute(sa.select(t.c.start_datetime_utc, t.c.actual_value, t.c.flags).where(
            t.c.meter_id == meter_id).order_by(t.c.start_datetime_utc)).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def h(n: int) -> datetime:
    return T0 + timedelta(hours=n)


def test_a_counter_becomes_hourly_energy_and_its_mark_is_cleared(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(15 * i, float(i)) for i in range(13)])  # 1 kWh per 15 minutes, 00:00 .. 03:00
    report = Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"]) == {h(0): (4, 0), h(1): (4, 0), h(2): (4, 0)}
    assert (report.meters, report.marks_cleared) == (1, 1) and dirty_marks(app.databases.engines["historical"]) == []


def test_a_second_run_changes_nothing(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(15 * i, float(i)) for i in range(13)])
    Aggregation(app.databases).run_once()
    before = hourly(app, meter["id"])
    report = Aggregation(app.databases).run_once()
    assert report.hours_written == 0 and hourly(app, meter["id"]) == before


def test_late_readings_recompute_the_hours_they_change(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(0, 0.0), (60, 4.0), (180, 12.0)])  # a gap from 01:00 to 03:00
    Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"])[h(1)][0] == 4 and hourly(app, meter["id"])[h(2)][0] == 4
    push(admin, point, [(120, 10.0)])  # the missing 02:00 reading arrives late
    Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"])[h(1)][0] == 6 and hourly(app, meter["id"])[h(2)][0] == 2


def test_hours_outside_the_meters_limits_are_kept_and_flagged(app, admin):
    meter, point = setup_meter(admin, high=5)
    push(admin, point, [(0, 0.0), (60, 3.0), (120, 13.0)])
    Aggregation(app.databases).run_once()
    got = hourly(app, meter["id"])
    assert got[h(0)] == (3, 0) and got[h(1)][0] == 10 and got[h(1)][1] & OUT_OF_LIMITS


def test_a_power_meter_is_integrated_to_energy(app, admin):
    meter, point = setup_meter(admin, object_type="ANALOG_VALUE", units="kW", name="Power meter")
    push(admin, point, [(15 * i, 10.0) for i in range(9)])  # a constant 10 kW for two hours
    Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"]) == {h(0): (10, 0), h(1): (10, 0)}


def test_a_runner_skips_its_turn_while_another_holds_the_lease(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(0, 0.0), (60, 1.0)])
    assert leases.claim(app.databases.engines["energy"], LEASE, "someone else", 600)
    assert Aggregation(app.databases).run_once().skipped
    assert hourly(app, meter["id"]) == {}


def test_an_expired_lease_is_taken_over(app, admin):
    engine = app.databases.engines["energy"]
    assert leases.claim(engine, LEASE, "crashed runner", -1)
    assert leases.claim(engine, LEASE, "new runner", 60)
    assert not leases.claim(engine, LEASE, "third runner", 60)


def test_a_run_killed_before_clearing_its_marks_is_completed_the_same_by_the_next(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(15 * i, float(i) ** 1.5) for i in range(13)])
    killed = Aggregation(app.databases)
    source_mark = dirty_marks(app.databases.engines["historical"])[0]
    from aggregation.store import meter_sources
    killed.meter(meter_sources(app.databases.system)[point["id"]], source_mark.since)  # wrote, then "died"
    partial = hourly(app, meter["id"])
    Aggregation(app.databases).run_once()
    assert hourly(app, meter["id"]) == partial and dirty_marks(app.databases.engines["historical"]) == []


def test_a_point_marked_again_during_a_run_keeps_its_mark(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(0, 0.0), (60, 1.0)])
    store = app.databases.engines["historical"]
    read = dirty_marks(store)
    push(admin, point, [(120, 2.0)])  # arrives while the run works
    from aggregation.store import clear_marks
    assert clear_marks(store, read) == 0 and len(dirty_marks(store)) == 1


def test_a_backfill_recomputes_every_meter_from_a_date(app, admin):
    meter, point = setup_meter(admin)
    push(admin, point, [(15 * i, float(i)) for i in range(9)])
    aggregation = Aggregation(app.databases)
    aggregation.run_once()
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.delete(energy.meter_hourly))
    report = aggregation.backfill(T0)
    assert report.meters == 1 and hourly(app, meter["id"]) == {h(0): (4, 0), h(1): (4, 0)}


@pytest.mark.parametrize("chunk_hours", [1, 2, 5])
def test_chunks_of_any_size_give_the_same_hours(app, admin, chunk_hours):
    meter, point = setup_meter(admin)
    push(admin, point, [(7 * i, (7 * i) ** 1.1 / 10) for i in range(60)])
    Aggregation(app.databases, chunk_hours=1000).run_once()
    whole = hourly(app, meter["id"])
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.delete(energy.meter_hourly))
    Aggregation(app.databases, chunk_hours=chunk_hours).backfill(T0)
    assert hourly(app, meter["id"]) == whole


def test_trend_rows_are_read_from_the_historical_store_only(app, admin):
    """Sanity: the fixture's stores are the ones the runner reads (the test above would pass vacuously)."""
    meter, point = setup_meter(admin)
    push(admin, point, [(0, 0.0), (60, 1.0)])
    with app.databases.engines["historical"].connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(historical.energy_values)).scalar() == 2


def vm_hourly(app: Any, vm_id: int) -> dict[datetime, float]:
    t = energy.meter_hourly
    with app.databases.engines["energy"].connect() as conn:
        rows = conn.execute(sa.select(t.c.start_datetime_utc, t.c.actual_value).where(
            t.c.meter_type == "virtual_meter", t.c.meter_id == vm_id).order_by(t.c.start_datetime_utc)).all()
    return {r[0]: r[1] for r in rows}


def test_a_virtual_meter_is_its_expression_over_its_inputs_hours_and_unknown_where_one_is(app, admin):
    main, main_point = setup_meter(admin, name="Main")
    hvac, hvac_point = setup_meter(admin, name="HVAC")
    push(admin, main_point, [(0, 0.0), (60, 10.0), (120, 25.0), (180, 30.0)])
    push(admin, hvac_point, [(0, 0.0), (60, 4.0), (120, 5.0)])  # no reading for 03:00: its hour 2 is unknown
    category = admin.get("/energycategories").json[0]["id"]
    center = admin.get("/costcenters").json[0]["id"]
    vm = admin.create("/virtualmeters", {"name": "Rest", "energy_category_id": category, "is_counted": False,
                                         "cost_center_id": center, "expression": {"equation": "x1-x2", "variables": [
                                             {"name": "x1", "meter_type": "meter", "meter_id": main["id"]},
                                             {"name": "x2", "meter_type": "meter", "meter_id": hvac["id"]}]}})
    Aggregation(app.databases).run_once()
    assert vm_hourly(app, vm["id"]) == {h(0): 6, h(1): 14}
