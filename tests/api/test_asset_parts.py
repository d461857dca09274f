"""Parts served below their owner, their point bindings, and the views reached through bindings.

One mechanism (:mod:`myems_api.engine.parts`) serves a microgrid's parts (owned child families), an energy
storage container's and a PV station's parts (owned rows) at ``/<owner>/{id}/<kind>/{iid}``, found only
below their owner, with their points at ``.../{iid}/points``. Beside it: container commands and data
sources, ``datasourcepoints`` (containers, stations, combined equipment), equipment ``addpoints`` and
``editpoints``, ``POST /equipments/{id}`` cloning, and a meter's spaces, equipment and tenants. Sites are
built with the helpers of the microgrid, energy storage, power plant, equipment and site tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from myems_api.db import microgrid_tables as mt
from myems_api.db import power_station_tables as tables
from tests.api.test_energy_storage import CONTAINERS, STATIONS, Site, as_sent, battery, make_site
from tests.api.test_equipment import CENTER, CHILLER, COMMAND, PLANT
from tests.api.test_microgrids import KINDS as MICROGRID_KINDS
from tests.api.test_microgrids import MICROGRIDS, build_site, new_microgrid
from tests.api.test_power_plants import DROP, MISSING, PV, ok, payload, station
from tests.api.test_sites import KINDS as SITE_KINDS
from tests.api.test_sites import PM20, new_refs, new_site
from tests.api.test_spaces import space
from tests.client import Api, count, refused

SOURCE_CONNECTION = json.dumps({"host": "10.1.2.89", "port": 502})
ADDRESS = '{"slave_id":1, "function_code":3, "offset":1, "number_of_registers":2, "data_format":"float"}'


# ---------------------------------------------------------------------------- helpers
def ids(result: Any) -> list[int]:
    return [row["id"] for row in ok(result)]


def bind(admin: Api, path: str, body: dict[str, Any]) -> None:
    ok(admin.post(path, body), 201)


def bind_point(admin: Api, path: str, point: dict[str, Any]) -> None:
    """POST .../points answers 201 with the binding's Location."""
    result = admin.post(path, {"point_id": point["id"]})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{path}/{point['id']}"


def source_with_points(admin: Api, name: str, *points: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A data source (on a gateway of its own) and analog points on it."""
    gateway = admin.create("/gateways", {"name": f"Gateway of {name}", "description": None})
    source = admin.create("/datasources", {"name": name, "gateway_id": gateway["id"], "protocol": "modbus-tcp",
                                           "connection": SOURCE_CONNECTION})
    return source, [admin.create("/points", {"name": p, "data_source_id": source["id"], "object_type": "ANALOG_VALUE",
                                             "high_limit": 1000, "low_limit": 0, "address": ADDRESS}) for p in points]


@pytest.fixture
def mg_site(admin: Api) -> dict[str, dict[str, Any]]:
    return build_site(admin)


@pytest.fixture
def es_site(admin: Api) -> Site:
    return make_site(admin)


@pytest.fixture
def container(admin: Api, es_site: Site) -> dict[str, Any]:
    return admin.create(CONTAINERS, es_site.container())


# ============================================================================ 1-2. microgrid parts
BATTERIES = MICROGRID_KINDS[0]
PART_POINTS = {"powerconversionsystems": "power_conversion_systems"}  # a kind's key in mt.PART_POINTS


def test_a_microgrid_part_is_created_read_updated_and_deleted_only_below_its_microgrid(admin, app, mg_site):
    first, second = new_microgrid(admin, mg_site), new_microgrid(admin, mg_site, name="Shanghai Office")
    parts = f"{MICROGRIDS}/{first['id']}/batteries"
    result = admin.post(parts, BATTERIES.body(mg_site, second["id"]))  # the owner is the path's, not the body's
    part = ok(result, 201)
    assert result.headers["location"] == f"/microgridbatteries/{part['id']}"
    assert ok(admin.get(result.headers["location"])) == part
    assert part["microgrid"]["id"] == first["id"] and part["name"] == "Battery"
    assert ok(admin.get(f"{parts}/{part['id']}")) == part
    assert ids(admin.get(parts)) == [part["id"]]
    updated = ok(admin.put(f"{parts}/{part['id']}", {"name": "Battery 2", "capacity": 45,
                                                      "microgrid_id": second["id"]}))
    assert updated == {**part, "name": "Battery 2", "capacity": 45}  # still the first microgrid's
    assert ok(admin.get(f"{parts}/{part['id']}")) == updated
    elsewhere = f"{MICROGRIDS}/{second['id']}/batteries/{part['id']}"
    for method in ("GET", "PUT", "DELETE"):
        refused(admin.request(method, elsewhere, {"name": "Moved"} if method == "PUT" else None), 404,
                "API.MICROGRID_BATTERY_NOT_FOUND")
        refused(admin.request(method, f"{MICROGRIDS}/{MISSING}/batteries/{part['id']}",
                              {"name": "Moved"} if method == "PUT" else None), 404, "API.MICROGRID_NOT_FOUND")
    refused(admin.get(f"{parts}/abc"), 400, "API.INVALID_MICROGRID_BATTERY_ID")
    refused(admin.get(f"{MICROGRIDS}/{MISSING}/batteries"), 404, "API.MICROGRID_NOT_FOUND")
    assert ok(admin.get(f"{parts}/{part['id']}")) == updated  # nothing moved or deleted
    bind_point(admin, f"{parts}/{part['id']}/points", mg_site["price"])
    assert admin.delete(f"{parts}/{part['id']}").status_code == 204  # with its point bindings
    refused(admin.get(f"{parts}/{part['id']}"), 404, "API.MICROGRID_BATTERY_NOT_FOUND")
    assert (count(app, mt.microgrid_batteries), count(app, mt.PART_POINTS["batteries"])) == (0, 0)
    assert admin.delete(f"/points/{mg_site['price']['id']}").status_code == 204


@pytest.mark.parametrize("kind", MICROGRID_KINDS, ids=[k.view for k in MICROGRID_KINDS])
def test_a_microgrid_parts_points_bind_list_conflict_unbind_and_go_with_the_microgrid(admin, app, mg_site, kind):
    microgrid, other = new_microgrid(admin, mg_site), new_microgrid(admin, mg_site, name="Shanghai Office")
    part = admin.create(f"{MICROGRIDS}/{microgrid['id']}/{kind.view}", kind.body(mg_site, microgrid["id"]))
    link = mt.PART_POINTS[PART_POINTS.get(kind.view, kind.view)]
    points = f"{MICROGRIDS}/{microgrid['id']}/{kind.view}/{part['id']}/points"
    price, counter = mg_site["price"], mg_site["counter"]  # points no part references by a field
    bind_point(admin, points, price)
    assert ids(admin.get(points)) == [price["id"]]
    refused(admin.post(points, {"point_id": price["id"]}), 409, f"API.{kind.upper}_POINT_RELATION_EXISTS")
    refused(admin.post(points, {"point_id": MISSING}), 404, "API.POINT_NOT_FOUND")
    refused(admin.post(points, {"point_id": "abc"}), 400, "API.INVALID_POINT_ID")
    refused(admin.get(f"{MICROGRIDS}/{other['id']}/{kind.view}/{part['id']}/points"), 404,
            f"API.{kind.upper}_NOT_FOUND")
    refused(admin.post(f"{MICROGRIDS}/{other['id']}/{kind.view}/{part['id']}/points", {"point_id": counter["id"]}),
            404, f"API.{kind.upper}_NOT_FOUND")
    refused(admin.get(f"{MICROGRIDS}/{MISSING}/{kind.view}/{part['id']}/points"), 404, "API.MICROGRID_NOT_FOUND")
    refused(admin.delete(f"/points/{price['id']}"), 409, kind.relation)
    assert count(app, link) == 1
    assert admin.delete(f"{points}/{price['id']}").status_code == 204
    refused(admin.delete(f"{points}/{price['id']}"), 404, f"API.{kind.upper}_POINT_RELATION_NOT_FOUND")
    assert ok(admin.get(points)) == []
    bind_point(admin, points, price)
    bind_point(admin, points, counter)
    assert ids(admin.get(points)) == sorted([price["id"], counter["id"]])
    assert count(app, link) == 2
    assert admin.delete(f"{MICROGRIDS}/{microgrid['id']}").status_code == 204
    assert count(app, link) == 0
    assert admin.delete(f"/points/{price['id']}").status_code == 204


# ============================================================================ 3. container parts
NAMED = [("dcdcs", "DCDC"), ("firecontrols", "FIRECONTROL"), ("hvacs", "HVAC"), ("stses", "STS")]


@pytest.mark.parametrize("key, upper", NAMED, ids=[k for k, _ in NAMED])
def test_a_containers_named_part_is_created_listed_got_renamed_and_deleted(admin, app, es_site, container, key, upper):
    rows = f"{CONTAINERS}/{container['id']}/{key}"
    result = admin.post(rows, {"name": "Unit 1"})
    row = ok(result, 201)
    assert row == {"id": row["id"], "name": "Unit 1"}
    assert result.headers["location"] == f"{rows}/{row['id']}"
    assert ok(admin.get(rows)) == [row] and ok(admin.get(f"{rows}/{row['id']}")) == row
    assert ok(admin.get(f"{CONTAINERS}/{container['id']}"))[key] == [row]
    code = f"API.ENERGY_STORAGE_CONTAINER_{upper}"
    refused(admin.post(rows, {"name": "UNIT 1"}), 409, f"{code}_NAME_IS_ALREADY_IN_USE")
    refused(admin.post(rows, {"name": "  "}), 400, f"API.INVALID_ENERGY_STORAGE_CONTAINER_{upper}_NAME")
    second = ok(admin.post(rows, {"name": "Unit 2"}), 201)
    refused(admin.put(f"{rows}/{second['id']}", {"name": "unit 1"}), 409, f"{code}_NAME_IS_ALREADY_IN_USE")
    assert ok(admin.put(f"{rows}/{row['id']}", {"name": "Unit 3"})) == {"id": row["id"], "name": "Unit 3"}
    another = admin.create(CONTAINERS, es_site.container(name="Another"))
    elsewhere = f"{CONTAINERS}/{another['id']}/{key}"
    assert ok(admin.post(elsewhere, {"name": "Unit 3"}), 201)["name"] == "Unit 3"  # free in another container
    refused(admin.get(f"{elsewhere}/{row['id']}"), 404, f"{code}_NOT_FOUND")
    refused(admin.delete(f"{elsewhere}/{row['id']}"), 404, f"{code}_NOT_FOUND")
    refused(admin.get(f"{CONTAINERS}/{MISSING}/{key}"), 404, "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
    assert admin.delete(f"{rows}/{row['id']}").status_code == 204
    refused(admin.get(f"{rows}/{row['id']}"), 404, f"{code}_NOT_FOUND")
    assert ok(admin.get(rows)) == [second]
    assert count(app, getattr(tables, f"energy_storage_container_{key}")) == 2


def test_points_bind_to_a_containers_battery_and_dcdc_and_are_unbound_with_the_row(admin, app, es_site, container):
    base = f"{CONTAINERS}/{container['id']}"
    bat = ok(admin.post(f"{base}/batteries", battery(es_site)), 201)
    dcdc = ok(admin.post(f"{base}/dcdcs", {"name": "DCDC1"}), 201)
    another = admin.create(CONTAINERS, es_site.container(name="Another"))
    cases = (("batteries", bat, "BATTERY", es_site.points["code"]),
             ("dcdcs", dcdc, "DCDC", es_site.points["total_charge"]))
    for key, row, served, point in cases:
        points = f"{base}/{key}/{row['id']}/points"
        bind_point(admin, points, point)
        assert ids(admin.get(points)) == [point["id"]]
        refused(admin.post(points, {"point_id": point["id"]}), 409, f"API.{served}_POINT_RELATION_EXISTS")
        refused(admin.post(points, {"point_id": MISSING}), 404, "API.POINT_NOT_FOUND")
        refused(admin.get(f"{base}/{key}/{MISSING}/points"), 404, f"API.ENERGY_STORAGE_CONTAINER_{served}_NOT_FOUND")
        refused(admin.post(f"{CONTAINERS}/{another['id']}/{key}/{row['id']}/points", {"point_id": point["id"]}), 404,
                f"API.ENERGY_STORAGE_CONTAINER_{served}_NOT_FOUND")  # another container's row is not found
        refused(admin.get(f"{CONTAINERS}/{MISSING}/{key}/{row['id']}/points"), 404,
                "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
        refused(admin.delete(f"/points/{point['id']}"), 409,
                f"API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_CONTAINER_{key.upper()}")
    extra = es_site.points["today_charge"]
    bind_point(admin, f"{base}/dcdcs/{dcdc['id']}/points", extra)
    assert admin.delete(f"{base}/dcdcs/{dcdc['id']}/points/{extra['id']}").status_code == 204
    refused(admin.delete(f"{base}/dcdcs/{dcdc['id']}/points/{extra['id']}"), 404, "API.DCDC_POINT_RELATION_NOT_FOUND")
    # the battery's binding stays while the dcdc goes with its own
    assert admin.delete(f"{base}/dcdcs/{dcdc['id']}").status_code == 204
    assert count(app, tables.CONTAINER_PART_POINTS["dcdcs"]) == 0
    assert count(app, tables.CONTAINER_PART_POINTS["batteries"]) == 1
    assert admin.delete(f"/points/{es_site.points['total_charge']['id']}").status_code == 204
    assert admin.delete(f"{base}/batteries/{bat['id']}").status_code == 204
    assert count(app, tables.CONTAINER_PART_POINTS["batteries"]) == 0
    assert admin.delete(f"/points/{es_site.points['code']['id']}").status_code == 204


def test_deleting_a_container_deletes_the_point_bindings_of_its_parts(admin, app, es_site, container):
    base = f"{CONTAINERS}/{container['id']}"
    for key, body, point in (("batteries", battery(es_site), "code"), ("hvacs", {"name": "HVAC1"}, "code"),
                             ("stses", {"name": "STS1"}, "total_charge")):
        row = ok(admin.post(f"{base}/{key}", body), 201)
        bind_point(admin, f"{base}/{key}/{row['id']}/points", es_site.points[point])
    assert admin.delete(base).status_code == 204
    assert [count(app, t) for t in tables.CONTAINER_PART_POINTS.values()] == [0] * 8
    assert admin.delete(f"/points/{es_site.points['code']['id']}").status_code == 204


def test_a_containers_rows_rewritten_by_an_update_keep_their_points_and_a_clone_copies_them(admin, es_site,
                                                                                             container):
    base = f"{CONTAINERS}/{container['id']}"
    bat = ok(admin.post(f"{base}/batteries", battery(es_site)), 201)
    hvac = ok(admin.post(f"{base}/hvacs", {"name": "HVAC1"}), 201)
    bind_point(admin, f"{base}/batteries/{bat['id']}/points", es_site.points["code"])
    bind_point(admin, f"{base}/hvacs/{hvac['id']}/points", es_site.points["total_charge"])
    rows = ok(admin.get(base))
    body = {**es_site.container(), "batteries": [{k: v for k, v in r.items() if k.endswith("_id") or k in (
        "name", "rated_capacity", "rated_power", "nominal_voltage")} for r in rows["batteries"]], "hvacs": []}
    ok(admin.put(base, body))  # the battery is written anew (a new id), the HVAC is gone
    (new_battery,) = ok(admin.get(f"{base}/batteries"))
    assert ids(admin.get(f"{base}/batteries/{new_battery['id']}/points")) == [es_site.points["code"]["id"]]
    assert ok(admin.get(f"{base}/hvacs")) == []
    clone = ok(admin.post(f"{base}/clone"), 201)
    (cloned_battery,) = ok(admin.get(f"{CONTAINERS}/{clone['id']}/batteries"))
    assert ids(admin.get(f"{CONTAINERS}/{clone['id']}/batteries/{cloned_battery['id']}/points")) == \
        [es_site.points["code"]["id"]]


# ============================================================================ 4. commands, data sources
def test_container_commands_and_data_sources_bind_and_datasourcepoints_lists_their_points(admin, app, es_site,
                                                                                        container):
    base = f"{CONTAINERS}/{container['id']}"
    command = admin.create("/commands", COMMAND)
    bind(admin, f"{base}/commands", {"command_id": command["id"]})
    assert ids(admin.get(f"{base}/commands")) == [command["id"]]
    refused(admin.post(f"{base}/commands", {"command_id": command["id"]}), 409,
            "API.ENERGY_STORAGE_CONTAINER_COMMAND_RELATION_EXISTS")
    refused(admin.post(f"{base}/commands", {"command_id": MISSING}), 404, "API.COMMAND_NOT_FOUND")
    refused(admin.delete(f"/commands/{command['id']}"), 409, "API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_CONTAINERS")
    assert admin.delete(f"{base}/commands/{command['id']}").status_code == 204
    assert ok(admin.get(f"{base}/commands")) == []

    source = es_site.source["source"]
    _, (unbound,) = source_with_points(admin, "Modbus2", "elsewhere")
    assert ok(admin.get(f"{base}/datasourcepoints")) == []
    bind(admin, f"{base}/datasources", {"data_source_id": source["id"]})
    assert ids(admin.get(f"{base}/datasources")) == [source["id"]]
    refused(admin.post(f"{base}/datasources", {"data_source_id": source["id"]}), 409,
            "API.ENERGY_STORAGE_CONTAINER_DATA_SOURCE_RELATION_EXISTS")
    refused(admin.post(f"{base}/datasources", {"data_source_id": MISSING}), 404, "API.DATA_SOURCE_NOT_FOUND")
    listed = ok(admin.get(f"{base}/datasourcepoints"))
    assert [p["id"] for p in listed] == sorted(p["id"] for p in es_site.points.values())
    assert unbound["id"] not in [p["id"] for p in listed]
    assert {p["name"] for p in listed} == set(es_site.points)
    refused(admin.get(f"{CONTAINERS}/{MISSING}/datasourcepoints"), 404, "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
    assert admin.delete(f"{base}/datasources/{source['id']}").status_code == 204
    assert ok(admin.get(f"{base}/datasourcepoints")) == []
    assert count(app, tables.energy_storage_containers_data_sources) == 0


def test_a_power_stations_datasourcepoints_are_those_of_its_containers_data_sources(admin, es_site, container):
    esps = station(admin, STATIONS, es_site.refs)
    second = admin.create(CONTAINERS, es_site.container(name="Second"))
    first_source = es_site.source["source"]
    second_source, second_points = source_with_points(admin, "Modbus2", "pcs power", "pcs state")
    _, (lone,) = source_with_points(admin, "Modbus3", "unbound station point")
    bind(admin, f"{CONTAINERS}/{container['id']}/datasources", {"data_source_id": first_source["id"]})
    bind(admin, f"{CONTAINERS}/{second['id']}/datasources", {"data_source_id": second_source["id"]})
    bind(admin, f"{CONTAINERS}/{second['id']}/datasources", {"data_source_id": first_source["id"]})
    path = f"{STATIONS}/{esps['id']}/datasourcepoints"
    assert ok(admin.get(path)) == []  # no container yet
    bind(admin, f"{STATIONS}/{esps['id']}/containers", {"energy_storage_container_id": container["id"]})
    first_ids = sorted(p["id"] for p in es_site.points.values())
    assert ids(admin.get(path)) == first_ids
    bind(admin, f"{STATIONS}/{esps['id']}/containers", {"energy_storage_container_id": second["id"]})
    assert ids(admin.get(path)) == sorted(first_ids + [p["id"] for p in second_points])  # each point once
    assert lone["id"] not in ids(admin.get(path))
    refused(admin.get(f"{STATIONS}/{MISSING}/datasourcepoints"), 404, "API.ENERGY_STORAGE_POWER_STATION_NOT_FOUND")


# ============================================================================ 5. PV station parts
def pv_body(key: str, site: Site, **changes: Any) -> dict[str, Any]:
    """The required keys of a PV station's grid, invertor or load (power_plants.py), ids from the site."""
    p, m = {k: v["id"] for k, v in site.points.items()}, {k: v["id"] for k, v in site.meters.items()}
    return payload({
        "grids": {"name": "Grid", "power_point_id": p["power"], "buy_meter_id": m["buy"], "sell_meter_id": m["sell"],
                  "capacity": 30},
        "invertors": {"name": "Invertor", "model": "SUN2000-100KTL", "serial_number": "SN-0001",
                      "invertor_state_point_id": p["state"], "communication_state_point_id": p["code"],
                      "total_energy_point_id": p["total_charge"], "generation_meter_id": m["charge"]},
        "loads": {"name": "Load", "power_point_id": p["power"], "meter_id": m["load"], "rated_input_power": 30},
    }[key], **changes)


# (key, served, an optional point, a required key, wrong-kind changes, their code)
PV_PARTS = [
    ("grids", "GRID", "total_active_power_point", "buy_meter_id",
     lambda s: {"power_point_id": s.points["state"]["id"]}, "API.INVALID_POWER_POINT_OBJECT_TYPE"),
    ("invertors", "INVERTOR", "active_power_point", "serial_number",
     lambda s: {"generation_meter_id": s.meters["chilled"]["id"]}, "API.GENERATION_METER_IS_NOT_AN_ELECTRICITY_METER"),
    ("loads", "LOAD", "active_energy_import_point", "meter_id",
     lambda s: {"meter_id": s.meters["chilled"]["id"]}, "API.METER_IS_NOT_AN_ELECTRICITY_METER"),
]


@pytest.fixture
def pvs(admin: Api, es_site: Site) -> dict[str, Any]:
    return station(admin, PV, es_site.refs)


@pytest.mark.parametrize("key, served, optional, required, wrong, wrong_code", PV_PARTS, ids=[p[0] for p in PV_PARTS])
def test_a_pv_station_part_is_created_with_optional_points_and_binds_points(admin, app, es_site, pvs, key, served,
                                                                            optional, required, wrong, wrong_code):
    rows = f"{PV}/{pvs['id']}/{key}"
    code = f"API.PHOTOVOLTAIC_POWER_STATION_{served}"
    refused(admin.post(rows, pv_body(key, es_site, **{required: DROP})), 400, f"API.INVALID_{required.upper()}")
    refused(admin.post(rows, pv_body(key, es_site, **wrong(es_site))), 400, wrong_code)
    unknown = pv_body(key, es_site, **{f"{optional}_id": MISSING})
    refused(admin.post(rows, unknown), 404, f"API.{optional.upper()}_NOT_FOUND")
    assert count(app, getattr(tables, f"photovoltaic_power_station_{key}")) == 0
    result = admin.post(rows, pv_body(key, es_site))
    row = ok(result, 201)
    assert result.headers["location"] == f"{rows}/{row['id']}"
    assert (row[f"{optional}_id"], row[optional]) == (None, None)  # optional points left out answer null
    soc = es_site.points["soc"]
    with_point = ok(admin.post(rows, pv_body(key, es_site, name="Second", **{f"{optional}_id": soc["id"]})), 201)
    assert (with_point[f"{optional}_id"], with_point[optional]["id"]) == (soc["id"], soc["id"])
    cleared = ok(admin.put(f"{rows}/{with_point['id']}", {**as_sent(with_point), f"{optional}_id": None}))
    assert cleared[f"{optional}_id"] is None
    refused(admin.post(rows, pv_body(key, es_site, name="second")), 409, f"{code}_NAME_IS_ALREADY_IN_USE")
    assert ids(admin.get(rows)) == [row["id"], with_point["id"]]
    points = f"{rows}/{row['id']}/points"
    bind_point(admin, points, es_site.points["today_discharge"])
    assert ids(admin.get(points)) == [es_site.points["today_discharge"]["id"]]
    refused(admin.post(points, {"point_id": es_site.points["today_discharge"]["id"]}), 409,
            f"API.{served}_POINT_RELATION_EXISTS")
    refused(admin.get(f"{PV}/{MISSING}/{key}/{row['id']}/points"), 404, "API.PHOTOVOLTAIC_POWER_STATION_NOT_FOUND")
    refused(admin.delete(f"/points/{es_site.points['today_discharge']['id']}"), 409,
            f"API.THERE_IS_RELATION_WITH_PHOTOVOLTAIC_POWER_STATION_{key.upper()}")
    assert admin.delete(f"{rows}/{row['id']}").status_code == 204
    assert count(app, tables.PV_PART_POINTS[key]) == 0
    assert admin.delete(f"/points/{es_site.points['today_discharge']['id']}").status_code == 204


def test_a_pv_grid_whose_buy_meter_is_its_sell_meter_is_refused(admin, app, es_site, pvs):
    rows = f"{PV}/{pvs['id']}/grids"
    same = pv_body("grids", es_site, sell_meter_id=es_site.meters["buy"]["id"])
    refused(admin.post(rows, same), 400, "API.BUY_METER_AND_SELL_METER_CANNOT_BE_THE_SAME")
    grid = ok(admin.post(rows, pv_body("grids", es_site)), 201)
    refused(admin.put(f"{rows}/{grid['id']}", same), 400, "API.BUY_METER_AND_SELL_METER_CANNOT_BE_THE_SAME")
    assert ok(admin.get(f"{rows}/{grid['id']}")) == grid
    assert count(app, tables.photovoltaic_power_station_grids) == 1


def test_a_pv_station_is_created_without_a_postal_code(admin, es_site):
    result = admin.post(PV, payload({"name": "Yanqing PV", "address": "Yanqing District, Beijing", "latitude": 40.4,
                                     "longitude": 115.9, "capacity": 1200, "contact_id": es_site.refs["contact"]["id"],
                                     "cost_center_id": es_site.refs["center"]["id"], "svg": "<svg></svg>"}))
    got = ok(result, 201)
    assert got["postal_code"] is None and ok(admin.get(result.headers["location"])) == got


def test_pv_station_users_are_listed_to_admins_only_and_data_sources_give_its_datasourcepoints(api, admin, es_site,
                                                                                               pvs):
    viewer = admin.create("/users", {"name": "viewer", "display_name": "Viewer", "email": "viewer@example.com",
                                     "password": "Viewer-pass-1", "is_admin": False})
    users = f"{PV}/{pvs['id']}/users"
    bind(admin, users, {"user_id": viewer["id"]})
    assert ids(admin.get(users)) == [viewer["id"]]
    refused(admin.post(users, {"user_id": viewer["id"]}), 409, "API.PHOTOVOLTAIC_POWER_STATION_USER_RELATION_EXISTS")
    session = api.login("viewer", "Viewer-pass-1")
    assert ok(session.get(f"{PV}/{pvs['id']}"))["id"] == pvs["id"]
    refused(session.get(users), 403, "API.FORBIDDEN")
    source = es_site.source["source"]
    _, (unbound,) = source_with_points(admin, "Modbus2", "elsewhere")
    bind(admin, f"{PV}/{pvs['id']}/datasources", {"data_source_id": source["id"]})
    assert ids(admin.get(f"{PV}/{pvs['id']}/datasources")) == [source["id"]]
    points = ids(admin.get(f"{PV}/{pvs['id']}/datasourcepoints"))
    assert points == sorted(p["id"] for p in es_site.points.values()) and unbound["id"] not in points
    assert admin.delete(f"{PV}/{pvs['id']}/datasources/{source['id']}").status_code == 204
    assert ok(admin.get(f"{PV}/{pvs['id']}/datasourcepoints")) == []
    assert admin.delete(f"{users}/{viewer['id']}").status_code == 204
    assert ok(admin.get(users)) == []


# ============================================================================ 6. equipment
@pytest.fixture
def center(admin: Api) -> dict[str, Any]:
    return admin.create("/costcenters", CENTER)


def test_equipment_data_sources_give_addpoints_and_editpoints_with_the_parameters_point_first(admin, app, center):
    equipment = admin.create("/equipments", {**CHILLER, "cost_center_id": center["id"]})
    base = f"/equipments/{equipment['id']}"
    source, (p1, p2, p3) = source_with_points(admin, "Modbus1", "flow", "supply temperature", "return temperature")
    _, (elsewhere,) = source_with_points(admin, "Modbus2", "elsewhere")
    assert ok(admin.get(f"{base}/addpoints")) == []
    bind(admin, f"{base}/datasources", {"data_source_id": source["id"]})
    assert ids(admin.get(f"{base}/datasources")) == [source["id"]]
    refused(admin.post(f"{base}/datasources", {"data_source_id": source["id"]}), 409,
            "API.EQUIPMENT_DATA_SOURCE_RELATION_EXISTS")
    refused(admin.post(f"{base}/datasources", {"data_source_id": MISSING}), 404, "API.DATA_SOURCE_NOT_FOUND")
    assert ids(admin.get(f"{base}/addpoints")) == [p1["id"], p2["id"], p3["id"]]
    refused(admin.get(f"/equipments/{MISSING}/addpoints"), 404, "API.EQUIPMENT_NOT_FOUND")
    parameter = ok(admin.post(f"{base}/parameters", {"name": "return", "parameter_type": "point",
                                                       "point_id": p3["id"]}), 201)
    constant = ok(admin.post(f"{base}/parameters", {"name": "factor", "parameter_type": "constant",
                                                      "constant": "1.5"}), 201)
    assert ids(admin.get(f"{base}/editpoints/{parameter['id']}")) == [p3["id"], p1["id"], p2["id"]]
    assert ids(admin.get(f"{base}/editpoints/{constant['id']}")) == [p1["id"], p2["id"], p3["id"]]
    refused(admin.get(f"{base}/editpoints/{MISSING}"), 404, "API.EQUIPMENT_PARAMETER_NOT_FOUND")
    refused(admin.get(f"/equipments/{MISSING}/editpoints/{parameter['id']}"), 404, "API.EQUIPMENT_NOT_FOUND")
    assert elsewhere["id"] not in ids(admin.get(f"{base}/editpoints/{parameter['id']}"))
    assert admin.delete(f"{base}/datasources/{source['id']}").status_code == 204
    refused(admin.delete(f"{base}/datasources/{source['id']}"), 404, "API.EQUIPMENT_DATA_SOURCE_RELATION_NOT_FOUND")
    assert ok(admin.get(f"{base}/addpoints")) == []


def test_posting_to_an_equipment_clones_it_with_its_data_sources(admin, app, center):
    equipment = admin.create("/equipments", {**CHILLER, "cost_center_id": center["id"]})
    source, _ = source_with_points(admin, "Modbus1", "flow")
    bind(admin, f"/equipments/{equipment['id']}/datasources", {"data_source_id": source["id"]})
    result = admin.post(f"/equipments/{equipment['id']}")
    copy = ok(result, 201)
    assert copy["id"] != equipment["id"] and copy["uuid"] != equipment["uuid"]
    assert result.headers["location"] == f"/equipments/{copy['id']}"
    assert copy["name"] == "MyEMS Chiller (1)" and copy["cost_center"] == equipment["cost_center"]
    assert ids(admin.get(f"/equipments/{copy['id']}/datasources")) == [source["id"]]
    assert ids(admin.get("/equipments")) == [equipment["id"], copy["id"]]
    refused(admin.post(f"/equipments/{MISSING}"), 404, "API.EQUIPMENT_NOT_FOUND")


def test_a_combined_equipments_datasourcepoints_are_its_data_sources_points(admin, center):
    combined = admin.create("/combinedequipments", {**PLANT, "cost_center_id": center["id"]})
    base = f"/combinedequipments/{combined['id']}"
    source, points = source_with_points(admin, "Modbus1", "plant flow", "plant power")
    _, (elsewhere,) = source_with_points(admin, "Modbus2", "elsewhere")
    assert ok(admin.get(f"{base}/datasourcepoints")) == []
    bind(admin, f"{base}/datasources", {"data_source_id": source["id"]})
    listed = ids(admin.get(f"{base}/datasourcepoints"))
    assert listed == [p["id"] for p in points] and elsewhere["id"] not in listed
    refused(admin.get(f"/combinedequipments/{MISSING}/datasourcepoints"), 404, "API.COMBINED_EQUIPMENT_NOT_FOUND")


# ============================================================================ 7. meter reverse look-ups
def test_a_meters_spaces_equipment_and_tenants_are_exactly_those_that_bind_it(admin):
    refs = new_refs(admin)
    center = refs.center  # the equipment's, shared with the meters
    meter = admin.create("/meters", {**PM20, **refs.meter_ids()})
    spare = admin.create("/meters", {**PM20, "name": "PM21", **refs.meter_ids()})
    root = space(admin, "Campus", None)
    bound_space, other_space = space(admin, "Building A", root), space(admin, "Building B", root)
    tenant = new_site(admin, refs, SITE_KINDS["tenant"])
    new_site(admin, refs, SITE_KINDS["tenant"], name="Other tenant")
    chiller = admin.create("/equipments", {**CHILLER, "cost_center_id": center["id"]})
    pump = admin.create("/equipments", {**CHILLER, "name": "Pump", "cost_center_id": center["id"]})
    bind(admin, f"/spaces/{bound_space['id']}/meters", {"meter_id": meter["id"]})
    bind(admin, f"/equipments/{chiller['id']}/meters", {"meter_id": meter["id"], "is_output": False})
    bind(admin, f"/tenants/{tenant['id']}/meters", {"meter_id": meter["id"]})
    bind(admin, f"/equipments/{pump['id']}/meters", {"meter_id": spare["id"], "is_output": True})
    bind(admin, f"/spaces/{other_space['id']}/meters", {"meter_id": spare["id"]})
    assert ids(admin.get(f"/meters/{meter['id']}/spaces")) == [bound_space["id"]]
    assert ids(admin.get(f"/meters/{meter['id']}/equipments")) == [chiller["id"]]
    assert ids(admin.get(f"/meters/{meter['id']}/tenants")) == [tenant["id"]]
    assert ok(admin.get(f"/meters/{meter['id']}/equipments"))[0]["name"] == "MyEMS Chiller"
    assert ids(admin.get(f"/meters/{spare['id']}/equipments")) == [pump["id"]]
    assert ids(admin.get(f"/meters/{spare['id']}/spaces")) == [other_space["id"]]
    assert ok(admin.get(f"/meters/{spare['id']}/tenants")) == []
    for view in ("combinedequipments", "stores", "shopfloors"):
        assert ok(admin.get(f"/meters/{meter['id']}/{view}")) == []
    assert admin.delete(f"/tenants/{tenant['id']}/meters/{meter['id']}").status_code == 204
    assert ok(admin.get(f"/meters/{meter['id']}/tenants")) == []
    for view in ("spaces", "equipments", "tenants"):
        refused(admin.get(f"/meters/{MISSING}/{view}"), 404, "API.METER_NOT_FOUND")
        refused(admin.get(f"/meters/abc/{view}"), 400, "API.INVALID_METER_ID")
