"""Batch reports (meters of every kind and every energy-using entity of a space subtree) against hand-computed totals.

The site, in Europe/Berlin: the root space Campus, its children Building and Other, and Plant in Building; the
reports are on Building's subtree. Categories Electricity (kWh,
kgce 0.1229, kgCO2e 0.5) and Water (m3, kgce 0.0857, kgCO2e 0.3). Reporting period 2026-01-10 .. 2026-01-12
local = UTC [01-09 23:00, 01-11 23:00), 48 hours.

- Meters: M1 (Electricity, Plant) 1 kWh every hour: 48; M2 (Water, Building) 0.25 m3: 12; M3 (Electricity, bound
  to Building and Plant: listed once, in Building, the lower id) 2 kWh in the 47 hours after the first: 94 (the
  first hour is an out-of-limit 500, left out, and the hour before the period 1000, outside); M4 (Electricity,
  in Other): not listed.
  Columns Electricity, Water: M1 [48, null], M2 [null, 12], M3 [94, null]; subtotals 142 and 12.
  M1's kgCO2e 48 x 0.5 = 24, M2's 12 x 0.3 = 3.6.
- Equipment: E1 (Plant; meters M1 and M2 bound as input) input Electricity 1.5 every hour: 72, Water none
  (a column because its water meter is bound: 0); E2 (Building) Electricity 0.5: 24, plus energy item rows and
  output rows that are not counted. Subtotals 96 and 0.
- Combined equipment: C1 (Plant) Water 1 every hour: 48.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import energy, schema
from tests.api.test_reports_meters import (
    PERIOD,
    api_key_client,
    bind,
    hours,
    insert,
    limited_user,
    new_category,
    new_meter,
    new_space,
    report,
    workbook_cells,
    zone_id,
)
from tests.api.test_sites import MAKERS, new_refs
from tests.client import Api, refused

PERIOD_HOURS = hours(datetime(2026, 1, 9, 23), datetime(2026, 1, 11, 23))


def meter_rows(meter_id: int, value: float, at: list[datetime] = PERIOD_HOURS, flags: int = 0) -> list[dict[str, Any]]:
    return [{"meter_type": "meter", "meter_id": meter_id, "start_datetime_utc": h, "actual_value": value,
             "flags": flags} for h in at]


def entity_rows(kind: str, entity_id: int, category: int, value: float, *, item: int = 0,
                direction: str = "input") -> list[dict[str, Any]]:
    return [{"entity_type": kind, "entity_id": entity_id, "direction": direction, "energy_category_id": category,
             "energy_item_id": item, "start_datetime_utc": h, "actual_value": value, "cost": value,
             "carbon": value} for h in PERIOD_HOURS]


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    return batch_site(admin, app)


def batch_site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity, water = new_category(admin), new_category(admin, "Water", "m3", 0.0857, 0.3)
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    campus = new_space(admin, "Campus", None, zone)
    building = new_space(admin, "Building", campus, zone)
    plant = new_space(admin, "Plant", building, zone)
    other = new_space(admin, "Other", campus, zone)
    m1 = new_meter(admin, "M1", electricity, center)
    m2 = new_meter(admin, "M2", water, center)
    m3 = new_meter(admin, "M3", electricity, center)
    m4 = new_meter(admin, "M4", electricity, center)
    for space, meter in ((plant, m1), (building, m2), (building, m3), (plant, m3), (other, m4)):
        bind(admin, f"/spaces/{space['id']}/meters", {"meter_id": meter["id"]})
    equipment = {"is_input_counted": True, "is_output_counted": False, "cost_center_id": center["id"]}
    e1 = admin.create("/equipments", {"name": "E1", **equipment})
    e2 = admin.create("/equipments", {"name": "E2", **equipment})
    c1 = admin.create("/combinedequipments", {"name": "C1", **equipment})
    for meter in (m1, m2):
        bind(admin, f"/equipments/{e1['id']}/meters", {"meter_id": meter["id"], "is_output": False})
    bind(admin, f"/spaces/{plant['id']}/equipments", {"equipment_id": e1["id"]})
    bind(admin, f"/spaces/{building['id']}/equipments", {"equipment_id": e2["id"]})
    bind(admin, f"/spaces/{plant['id']}/combinedequipments", {"combined_equipment_id": c1["id"]})
    insert(app, "energy", energy.meter_hourly, [
        *meter_rows(m1["id"], 1.0), *meter_rows(m2["id"], 0.25), *meter_rows(m3["id"], 2.0, PERIOD_HOURS[1:]),
        *meter_rows(m3["id"], 500.0, PERIOD_HOURS[:1], flags=8),
        *meter_rows(m3["id"], 1000.0, [datetime(2026, 1, 9, 22)]), *meter_rows(m4["id"], 7.0)])
    insert(app, "energy", energy.entity_hourly, [
        *entity_rows("equipment", e1["id"], electricity["id"], 1.5),
        *entity_rows("equipment", e2["id"], electricity["id"], 0.5),
        *entity_rows("equipment", e2["id"], electricity["id"], 0.25, item=99),
        *entity_rows("equipment", e2["id"], electricity["id"], 9.0, direction="output"),
        *entity_rows("combined_equipment", c1["id"], water["id"], 1.0)])
    return {"campus": building, "plant": plant, "other": other, "electricity": electricity, "water": water,
            "center": center, "m1": m1, "m3": m3}


def test_the_meter_batch_lists_each_meter_of_the_subtree_once_with_its_total(admin, site):
    result = report(admin, "/reports/meterbatch", f"spaceid={site['campus']['id']}&{PERIOD}&language=en")
    assert [(c["name"], c["unit_of_measure"]) for c in result["energycategories"]] == [("Electricity", "kWh"),
                                                                                       ("Water", "m3")]
    assert [c["subtotal"] for c in result["energycategories"]] == pytest.approx([142, 12])
    meters = {m["name"]: m for m in result["meters"]}
    assert list(meters) == ["M1", "M2", "M3"]
    assert meters["M1"]["values"] == [pytest.approx(48), None] and meters["M2"]["values"] == [None, pytest.approx(12)]
    assert meters["M3"]["values"] == [pytest.approx(94), None] and meters["M3"]["total"] == pytest.approx(94)
    assert (meters["M1"]["space_name"], meters["M3"]["space_name"]) == ("Plant", "Building")
    assert meters["M1"]["cost_center_name"] == "Center" and meters["M1"]["meter_name"] == "M1"
    assert meters["M1"]["energy_category_name"] == "Electricity"
    assert meters["M1"]["total_in_kgco2e"] == pytest.approx(24)
    assert meters["M2"]["total_in_kgco2e"] == pytest.approx(3.6)
    cells = workbook_cells(result)
    assert "Electricity (kWh)" in cells and "Water (m3)" in cells
    assert 48 in cells and 94 in cells and 142 in cells and 12 in cells


def test_the_meter_batch_of_a_child_space_and_in_quick_mode(admin, site):
    result = report(admin, "/reports/meterbatch", f"spaceuuid={site['plant']['uuid']}&{PERIOD}&quickmode=true")
    assert [m["name"] for m in result["meters"]] == ["M1", "M3"]
    assert result["meters"][1]["space_name"] == "Plant" and result["excel_bytes_base64"] is None
    assert [c["name"] for c in result["energycategories"]] == ["Electricity"]


def test_the_equipment_batch_sums_input_category_totals(admin, site):
    result = report(admin, "/reports/equipmentbatch", f"spaceid={site['campus']['id']}&{PERIOD}")
    assert [c["name"] for c in result["energycategories"]] == ["Electricity", "Water"]
    equipments = {e["name"]: e for e in result["equipments"]}
    assert equipments["E1"]["values"] == pytest.approx([72, 0]) and equipments["E1"]["space_name"] == "Plant"
    assert equipments["E2"]["values"] == pytest.approx([24, 0]) and equipments["E2"]["equipment_name"] == "E2"
    assert equipments["E1"]["total_in_kgce"] == pytest.approx(72 * 0.1229)
    assert [c["subtotal"] for c in result["energycategories"]] == pytest.approx([96, 0])
    cells = workbook_cells(result)
    assert "E1" in cells and 72 in cells and 96 in cells


def test_the_combined_equipment_batch(admin, site):
    result = report(admin, "/reports/combinedequipmentbatch", f"spaceid={site['campus']['id']}&{PERIOD}")
    assert [c["name"] for c in result["combined_equipments"]] == ["C1"]
    assert result["combined_equipments"][0]["values"] == pytest.approx([48])
    assert [c["name"] for c in result["energycategories"]] == ["Water"]
    assert 48 in workbook_cells(result)


@pytest.mark.parametrize("path,key", [("/reports/meterbatch", "meters"), ("/reports/equipmentbatch", "equipments"),
                                      ("/reports/combinedequipmentbatch", "combined_equipments")])
def test_a_space_without_entities_or_data_answers_empty_lists_and_zeros(admin, site, path, key):
    empty = new_space(admin, "Empty", site["campus"], zone_id(admin))
    result = report(admin, path, f"spaceid={empty['id']}&{PERIOD}")
    assert result[key] == [] and result["energycategories"] == [] and result["excel_bytes_base64"]
    quiet = report(admin, path, f"spaceid={site['campus']['id']}&reportingperiodstartdatetime=2025-01-01T00:00:00"
                   "&reportingperiodenddatetime=2025-01-02T00:00:00")
    assert all(v in (0, None) for entity in quiet[key] for v in entity["values"])


@pytest.mark.parametrize("query,status,code", [
    (PERIOD, 400, "API.INVALID_SPACE_ID"),
    ("spaceid=-1&" + PERIOD, 400, "API.INVALID_SPACE_ID"),
    ("spaceid=99999&" + PERIOD, 404, "API.SPACE_NOT_FOUND"),
    ("spaceid={id}", 400, "API.INVALID_REPORTING_PERIOD_START_DATETIME"),
    ("spaceid={id}&reportingperiodstartdatetime=2026-01-10T00:00:00&reportingperiodenddatetime=2026-13-01", 400,
     "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
    ("spaceid={id}&" + PERIOD + "&language=xx", 400, "API.INVALID_LANGUAGE"),
])
def test_bad_parameters_answer_myems_codes(admin, site, query, status, code):
    for path in ("/reports/meterbatch", "/reports/equipmentbatch", "/reports/combinedequipmentbatch"):
        refused(admin.get(path, query_string=query.format(id=site["campus"]["id"])), status, code)


def test_access_api_keys_everything_users_their_subtrees(admin, api, site):
    client = api_key_client(admin, api)
    assert report(client, "/reports/meterbatch", f"spaceid={site['other']['id']}&{PERIOD}&quickmode=true")
    user = limited_user(admin, api, "plant-user", [site["plant"]["id"]])
    assert report(user, "/reports/equipmentbatch", f"spaceid={site['plant']['id']}&{PERIOD}&quickmode=true")
    for path in ("/reports/meterbatch", "/reports/equipmentbatch", "/reports/combinedequipmentbatch"):
        refused(user.get(path, query_string=f"spaceid={site['campus']['id']}&{PERIOD}"), 403, "API.FORBIDDEN_ENTITY")


@pytest.mark.parametrize("count", [300, 1200])
def test_a_thousand_meters_cost_one_query_of_the_hourly_table(admin, app, site, count):
    """1,200 meters go past the IN-list limit (the period's rows of every meter are grouped, the listed kept)."""
    electricity, center, plant = site["electricity"]["id"], site["center"]["id"], site["plant"]["id"]
    with app.databases.engines["system"].begin() as conn:
        first = int(conn.execute(sa.select(sa.func.max(schema.meters.c.id))).scalar() or 0) + 1
        ids = list(range(first, first + count))
        conn.execute(sa.insert(schema.meters), [
            {"id": i, "name": f"Bulk {i}", "uuid": str(uuid.uuid4()), "energy_category_id": electricity,
             "is_counted": True, "hourly_low_limit": 0, "hourly_high_limit": 1000, "cost_center_id": center,
             "energy_item_id": None, "description": None, "master_meter_id": None} for i in ids])
        conn.execute(sa.insert(schema.spaces_meters), [{"space_id": plant, "meter_id": i} for i in ids])
    insert(app, "energy", energy.meter_hourly, [row for i in ids for row in meter_rows(i, i % 7, PERIOD_HOURS[:3])])
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = app.databases.engines["energy"]
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        result = report(admin, "/reports/meterbatch", f"spaceid={site['plant']['id']}&{PERIOD}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert sum("tbl_meter_hourly" in s for s in statements) == 1
    totals = {m["id"]: m["total"] for m in result["meters"]}
    assert len(totals) == count + 2
    assert all(totals[i] == pytest.approx(3 * (i % 7)) for i in ids)
    assert totals[site["m1"]["id"]] == pytest.approx(48) and totals[site["m3"]["id"]] == pytest.approx(94)


# ------------------------------------------------- offline and virtual meters, tenants, stores, shopfloors

@pytest.fixture
def sites(admin: Api, app: Any, site: dict[str, Any]) -> dict[str, Any]:
    return entity_sites(admin, app, site)


def entity_sites(admin: Api, app: Any, site: dict[str, Any]) -> dict[str, Any]:
    """Plant holds tenant T1, store S1, shopfloor F1, offline meter O1 and virtual meter V1; Other holds tenant T2
    (not in Building's subtree). T1 uses Electricity 1 kWh an hour except 4 kWh in its sixth hour (48 + 3 = 51,
    peak 4) and Water 0.5 m3 (24); S1 Electricity 2 (96); F1 Water 1 (48); O1 3 kWh (144); V1 0.5 kWh (24)."""
    refs = new_refs(admin)
    made = {name: MAKERS[path](admin, refs, name) for name, path in (
        ("T1", "tenants"), ("T2", "tenants"), ("S1", "stores"), ("F1", "shopfloors"), ("O1", "offlinemeters"),
        ("V1", "virtualmeters"))}
    for space, path, key, name in ((site["plant"], "tenants", "tenant_id", "T1"),
                                   (site["other"], "tenants", "tenant_id", "T2"),
                                   (site["plant"], "stores", "store_id", "S1"),
                                   (site["plant"], "shopfloors", "shopfloor_id", "F1"),
                                   (site["plant"], "offlinemeters", "offline_meter_id", "O1"),
                                   (site["plant"], "virtualmeters", "virtual_meter_id", "V1")):
        bind(admin, f"/spaces/{space['id']}/{path}", {key: made[name]["id"]})
    electricity, water = site["electricity"]["id"], site["water"]["id"]
    tenant = entity_rows("tenant", made["T1"]["id"], electricity, 1.0)
    tenant[5]["actual_value"] = 4.0
    insert(app, "energy", energy.entity_hourly, [
        *tenant, *entity_rows("tenant", made["T1"]["id"], water, 0.5),
        *entity_rows("tenant", made["T2"]["id"], electricity, 9.0),
        *entity_rows("store", made["S1"]["id"], electricity, 2.0),
        *entity_rows("shopfloor", made["F1"]["id"], water, 1.0)])
    insert(app, "energy", energy.meter_hourly, [
        *({**r, "meter_type": "offline_meter"} for r in meter_rows(made["O1"]["id"], 3.0)),
        *({**r, "meter_type": "virtual_meter"} for r in meter_rows(made["V1"]["id"], 0.5))])
    return made


def test_the_tenant_batch_has_each_tenant_of_the_subtree_with_its_totals_and_peak_demand(admin, site, sites):
    result = report(admin, "/reports/tenantbatch", f"spaceid={site['campus']['id']}&{PERIOD}")
    assert [c["name"] for c in result["energycategories"]] == ["Electricity", "Water"]
    (tenant,) = result["tenants"]
    assert (tenant["tenant_name"], tenant["tenant_uuid"], tenant["space_name"]) == ("T1", sites["T1"]["uuid"], "Plant")
    assert tenant["values"] == pytest.approx([51, 24]) and tenant["maximum"] == pytest.approx([4, 0.5])
    assert 51 in workbook_cells(result)


def test_the_tenant_batch_sums_equal_each_tenants_own_energy_category_report(admin, site, sites):
    batch = report(admin, "/reports/tenantbatch", f"spaceid={site['other']['id']}&{PERIOD}&quickmode=true")
    for tenant in batch["tenants"]:
        own = report(admin, "/reports/tenantenergycategory",
                     f"tenantid={tenant['id']}&periodtype=daily&{PERIOD}&quickmode=true")["reporting_period"]
        by_name = dict(zip(own["names"], own["subtotals"], strict=True))
        assert [by_name.get(c["name"], 0) for c in batch["energycategories"]] == pytest.approx(tenant["values"])
    assert [t["tenant_name"] for t in batch["tenants"]] == ["T2"]


@pytest.mark.parametrize("path,key,name,values", [
    ("/reports/storebatch", "stores", "S1", [96]),
    ("/reports/shopfloorbatch", "shopfloors", "F1", [48]),
])
def test_store_and_shopfloor_batches_list_their_input_per_category(admin, site, sites, path, key, name, values):
    result = report(admin, path, f"spaceid={site['campus']['id']}&{PERIOD}&quickmode=true")
    (entity,) = result[key]
    assert entity["name"] == name and entity["values"] == pytest.approx(values)
    assert result["excel_bytes_base64"] is None


@pytest.mark.parametrize("path,key,name,total", [
    ("/reports/offlinemeterbatch", "offline_meters", "O1", 144),
    ("/reports/virtualmeterbatch", "virtual_meters", "V1", 24),
])
def test_offline_and_virtual_meter_batches_read_their_own_hourly_rows(admin, site, sites, path, key, name, total):
    result = report(admin, path, f"spaceid={site['campus']['id']}&{PERIOD}")
    (meter,) = result[key]
    assert meter[f"{key[:-1]}_name"] == name and meter["subtotal"] == pytest.approx(total)
    assert meter["values"] == [pytest.approx(total)]
    assert [c["name"] for c in result["energycategories"]] == [meter["energy_category_name"]]
    assert total in workbook_cells(result)
