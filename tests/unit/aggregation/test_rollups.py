"""Roll-ups on real stores: spaces sum their own meters, their tenants', equipment's and child spaces'
(each meter once), equipment splits input from output, and every row carries cost and carbon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from aggregation.entities import month_starts
from aggregation.runner import Aggregation
from myems_api.db import energy
from tests.api.test_spaces import space
from tests.client import Api
from tests.unit.aggregation.test_runner import push, setup_meter


def rows(app: Any, entity_type: str, entity_id: int, direction: str = "input") -> dict[datetime, tuple]:
    t = energy.entity_hourly
    with app.databases.engines["energy"].connect() as conn:
        found = conn.execute(sa.select(t.c.start_datetime_utc, t.c.actual_value, t.c.cost, t.c.carbon).where(
            t.c.entity_type == entity_type, t.c.entity_id == entity_id, t.c.direction == direction,
            t.c.energy_item_id == 0).order_by(t.c.start_datetime_utc)).all()
    return {r[0]: tuple(r[1:]) for r in found}


def campus(admin: Api) -> dict[str, Any]:
    """Campus <- Building <- (tenant, chiller); meters of 1, 2, 3 kWh per hour; the chiller's output 9."""
    main, main_p = setup_meter(admin, name="Main", high=100)
    shop, shop_p = setup_meter(admin, name="Shop", high=100)
    chiller_in, in_p = setup_meter(admin, name="Chiller in", high=100)
    chiller_out, out_p = setup_meter(admin, name="Chiller out", high=100)
    for point, per_hour in ((main_p, 1), (shop_p, 2), (in_p, 3), (out_p, 9)):
        push(admin, point, [(0, 0.0), (60, per_hour), (120, 2.0 * per_hour)])
    category = admin.get("/energycategories").json[0]
    admin.put(f"/energycategories/{category['id']}", {"kgco2e": 0.5})
    center = admin.get("/costcenters").json[0]
    tariff = admin.create("/tariffs", {
        "name": "Flat", "energy_category_id": category["id"], "tariff_type": "timeofuse",
        "unit_of_price": "USD/kWh", "valid_from": "2025-01-01T00:00:00", "valid_through": "2027-01-01T00:00:00",
        "timeofuse": [{"start_time_of_day": "00:00:00", "end_time_of_day": "23:59:59", "peak_type": "offpeak",
                       "price": 0.2}]})
    assert admin.post(f"/costcenters/{center['id']}/tariffs", {"tariff_id": tariff["id"]}).status_code == 201
    root = space(admin, "Campus", None)
    building = space(admin, "Building", root, is_input_counted=True, is_output_counted=True)
    contact = admin.create("/contacts", {"name": "C", "email": "c@example.com", "phone": "+8613888888888"})
    kind = admin.create("/tenanttypes", {"name": "Retail"})
    tenant = admin.create("/tenants", {
        "name": "Shop", "buildings": "B", "floors": "1", "rooms": "1", "area": 10, "tenant_type_id": kind["id"],
        "is_input_counted": True, "is_key_tenant": False, "lease_number": "1",
        "lease_start_datetime": "2025-01-01T00:00:00", "lease_end_datetime": "2027-01-01T00:00:00",
        "is_in_lease": True, "contact_id": contact["id"], "cost_center_id": center["id"]})
    chiller = admin.create("/equipments", {"name": "Chiller", "is_input_counted": True, "is_output_counted": True,
                                           "cost_center_id": center["id"]})
    binds = [(f"/spaces/{root['id']}/meters", {"meter_id": main["id"]}),
             (f"/spaces/{building['id']}/meters", {"meter_id": main["id"]}),  # bound twice: counted once
             (f"/tenants/{tenant['id']}/meters", {"meter_id": shop["id"]}),
             (f"/spaces/{building['id']}/tenants", {"tenant_id": tenant["id"]}),
             (f"/equipments/{chiller['id']}/meters", {"meter_id": chiller_in["id"], "is_output": False}),
             (f"/equipments/{chiller['id']}/meters", {"meter_id": chiller_out["id"], "is_output": True}),
             (f"/spaces/{building['id']}/equipments", {"equipment_id": chiller["id"]})]
    for path, body in binds:
        assert admin.post(path, body).status_code == 201, path
    return {"root": root, "building": building, "tenant": tenant, "chiller": chiller}


H0, H1 = datetime(2026, 1, 1, 0), datetime(2026, 1, 1, 1)


def test_a_space_sums_its_own_tenants_and_equipment_meters_and_its_children_each_once(app, admin):
    site = campus(admin)
    Aggregation(app.databases).run_once()
    assert rows(app, "space", site["building"]["id"]) == {H0: (6, 1.2, 3), H1: (6, 1.2, 3)}
    assert rows(app, "space", site["root"]["id"]) == {H0: (6, 1.2, 3), H1: (6, 1.2, 3)}


def test_equipment_keeps_input_and_output_apart(app, admin):
    site = campus(admin)
    Aggregation(app.databases).run_once()
    assert rows(app, "equipment", site["chiller"]["id"])[H0][0] == 3
    assert rows(app, "equipment", site["chiller"]["id"], "output")[H0][0] == 9
    assert rows(app, "space", site["building"]["id"], "output")[H0][0] == 9


def test_a_tenant_sums_its_meters(app, admin):
    site = campus(admin)
    Aggregation(app.databases).run_once()
    assert rows(app, "tenant", site["tenant"]["id"]) == {H0: (2, 0.4, 1), H1: (2, 0.4, 1)}


def test_a_child_space_not_counted_into_its_parent_stops_at_itself(app, admin):
    site = campus(admin)
    admin.put(f"/spaces/{site['building']['id']}", {"is_input_counted": False})
    Aggregation(app.databases).run_once()
    assert rows(app, "space", site["building"]["id"])[H0][0] == 6
    assert rows(app, "space", site["root"]["id"])[H0][0] == 1  # only the campus's own main meter


def utc_seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def utc_times(seconds: list[int]) -> list[datetime]:
    return [datetime.fromtimestamp(t, UTC).replace(tzinfo=None) for t in seconds]


def test_month_starts_cut_a_span_at_each_local_month_start_and_end_at_its_end():
    cuts = month_starts(utc_seconds(datetime(2026, 1, 15)), utc_seconds(datetime(2026, 3, 10)), 0)
    assert utc_times(cuts) == [datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1),
                               datetime(2026, 3, 10)]
    at_plus_eight = month_starts(utc_seconds(datetime(2025, 12, 31, 20)), utc_seconds(datetime(2026, 1, 2)), 480)
    assert utc_times(at_plus_eight) == [datetime(2025, 12, 31, 16), datetime(2026, 1, 2)]


def test_a_roll_up_across_a_month_boundary_counts_every_hour_on_both_sides_once(app, admin):
    meter, point = setup_meter(admin, name="Main", high=100)
    root = space(admin, "Campus", None)
    assert admin.post(f"/spaces/{root['id']}/meters", {"meter_id": meter["id"]}).status_code == 201
    start = datetime(2026, 1, 31, 20)
    body = [{"point_id": point["id"], "utc_date_time": (start + timedelta(hours=h)).isoformat(), "value": float(h)}
            for h in range(9)]
    assert admin.post("/points/values", body).status_code == 200
    Aggregation(app.databases).run_once()
    found = rows(app, "space", root["id"])
    assert sorted(found) == [start + timedelta(hours=h) for h in range(8)]
    assert sum(v[0] for v in found.values()) == 8.0
