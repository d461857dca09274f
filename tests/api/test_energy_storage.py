"""Energy storage containers and power stations, answered as the seed's sections of the same names.

Payloads are the seed's ("Beijing Office", a "Battery" with its points and meters, a "Grid", a "Load", a
"Power Conversion System1", an offpeak schedule) with their ids pointed at points and meters this test
created: analog, digital and energy points on a Modbus data source; meters of an electricity category
(``电``, kWh) and one of Chilled Water, also metered in kWh, which is not electricity. Every refusal is
proved to write nothing by counting rows straight from the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import power_station_tables as tables
from myems_api.db import schema
from tests.api.test_engine_portability import clone, export, imported, summary
from tests.api.test_power_plants import (
    DROP,
    MISSING,
    PLAIN,
    STATION,
    carry,
    carry_station_refs,
    ok,
    payload,
    seed_endpoints,
    station,
    station_refs,
    unrouted,
)
from tests.client import Api, count, refused

CONTAINERS, STATIONS = "/energystoragecontainers", "/energystoragepowerstations"
CONTAINER = {"name": "Beijing Office", "rated_capacity": 600.000, "rated_power": 200.000, "contact_id": 1,
             "cost_center_id": 1, "svg_id": "1", "description": "Classic"}
CONTAINER_FIELDS = ("name", "rated_capacity", "rated_power", "description")

ELECTRICITY = {"name": "电", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.8825}
CHILLED_WATER = {"name": "Chilled Water", "unit_of_measure": "kWh", "kgce": 0.0425, "kgco2e": 0.2}
METER = {"hourly_low_limit": 0.0, "hourly_high_limit": 999.99, "is_counted": True, "energy_item_id": None}
GATEWAY = {"name": "MyEMS Gateway 3", "description": "Gateway 3"}
SOURCE = {"name": "Modbus1", "protocol": "modbus-tcp", "connection": json.dumps({"host": "10.1.2.88", "port": 502})}
ADDRESS = ("{\"slave_id\":1, \"function_code\":3, \"offset\":1, \"number_of_registers\":2, "
           "\"data_format\":\"float\"}")
POINT = {"units": "kW", "high_limit": 999999999, "low_limit": 0, "ratio": 1, "is_trend": True, "is_virtual": False,
         "address": ADDRESS}
# point name -> object type; meter name -> category
POINTS = {"state": "DIGITAL_VALUE", "soc": "ANALOG_VALUE", "power": "ANALOG_VALUE", "code": "ANALOG_VALUE",
          "today_charge": "ANALOG_VALUE", "today_discharge": "ENERGY_VALUE",
          "total_charge": "ENERGY_VALUE", "total_discharge": "ENERGY_VALUE"}
METERS = {"charge": "electricity", "discharge": "electricity", "buy": "electricity", "sell": "electricity",
          "load": "electricity", "chilled": "chilled"}

OWNED_TABLES = (tables.energy_storage_container_batteries, tables.energy_storage_container_grids,
                tables.energy_storage_container_loads, tables.energy_storage_container_power_conversion_systems,
                tables.energy_storage_container_schedules)


@dataclass
class Site:
    refs: dict[str, dict[str, Any]]  # contact, center, svg
    points: dict[str, dict[str, Any]]
    meters: dict[str, dict[str, Any]]
    categories: dict[str, dict[str, Any]]
    source: dict[str, dict[str, Any]]  # gateway, data source

    def container(self, **changes: Any) -> dict[str, Any]:
        ids = {"contact_id": self.refs["contact"]["id"], "cost_center_id": self.refs["center"]["id"],
               "svg_id": str(self.refs["svg"]["id"])}
        return payload(CONTAINER, **{**ids, **changes})


@dataclass(frozen=True)
class Kind:
    """One kind of a container's rows: its path, the seed's body (ids filled from a site) and its codes."""

    key: str
    upper: str
    table: sa.Table
    body: Any  # (site) -> the seed's body with the site's ids
    change: dict[str, Any]

    def path(self, container: dict[str, Any]) -> str:
        return f"{CONTAINERS}/{container['id']}/{self.key}"


def battery(site: Site, **changes: Any) -> dict[str, Any]:
    p, m = site.points, site.meters
    return payload({"name": "Battery", "battery_state_point_id": p["state"]["id"], "soc_point_id": p["soc"]["id"],
                    "power_point_id": p["power"]["id"], "charge_meter_id": m["charge"]["id"],
                    "discharge_meter_id": m["discharge"]["id"], "rated_capacity": 300, "rated_power": 100,
                    "nominal_voltage": 48}, **changes)


def grid(site: Site, **changes: Any) -> dict[str, Any]:
    return payload({"name": "Grid", "power_point_id": site.points["power"]["id"],
                    "buy_meter_id": site.meters["buy"]["id"], "sell_meter_id": site.meters["sell"]["id"],
                    "capacity": 30}, **changes)


def load(site: Site, **changes: Any) -> dict[str, Any]:
    return payload({"name": "Load", "power_point_id": site.points["power"]["id"], "meter_id": site.meters["load"]["id"],
                    "rated_input_power": 30}, **changes)


def pcs(site: Site, **changes: Any) -> dict[str, Any]:
    p = site.points
    return payload({"name": "Power Conversion System1", "run_state_point_id": p["state"]["id"],
                    "rated_output_power": 30, "today_charge_energy_point_id": p["today_charge"]["id"],
                    "today_discharge_energy_point_id": p["today_discharge"]["id"],
                    "total_charge_energy_point_id": p["total_charge"]["id"],
                    "total_discharge_energy_point_id": p["total_discharge"]["id"]}, **changes)


def schedule(site: Site | None = None, **changes: Any) -> dict[str, Any]:
    return payload({"start_time_of_day": "00:00:00", "end_time_of_day": "07:00:00", "peak_type": "offpeak",
                    "power": 60}, **changes)


KINDS = [
    Kind("batteries", "BATTERY", tables.energy_storage_container_batteries, battery,
         {"name": "Battery 2", "rated_capacity": 350.5, "nominal_voltage": 51.2}),
    Kind("grids", "GRID", tables.energy_storage_container_grids, grid, {"name": "Grid 2", "capacity": 45}),
    Kind("loads", "LOAD", tables.energy_storage_container_loads, load, {"name": "Load 2", "rated_input_power": 12}),
    Kind("powerconversionsystems", "POWER_CONVERSION_SYSTEM", tables.energy_storage_container_power_conversion_systems,
         pcs, {"name": "PCS 2", "rated_output_power": 40}),
    Kind("schedules", "SCHEDULE", tables.energy_storage_container_schedules, schedule,
         {"start_time_of_day": "08:00:00", "end_time_of_day": "12:00:00", "peak_type": "onpeak", "power": -80}),
]
EVERY_KIND = pytest.mark.parametrize("kind", KINDS, ids=[k.key for k in KINDS])
NAMED_KINDS = pytest.mark.parametrize("kind", KINDS[:4], ids=[k.key for k in KINDS[:4]])


# ---------------------------------------------------------------------------- helpers
def as_sent(row: dict[str, Any]) -> dict[str, Any]:
    """A rendered row without its id and the reference objects rendered beside the ids."""
    return {k: v for k, v in row.items() if k != "id" and not isinstance(v, dict)}


def add(admin: Api, kind: Kind, container: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    result = admin.post(kind.path(container), body)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{kind.path(container)}/{result.json['id']}"
    return dict(result.json)


def full(admin: Api, site: Site, **changes: Any) -> dict[str, Any]:
    """A container with one row of every kind and a bound sensor."""
    container = admin.create(CONTAINERS, site.container(**changes))
    for kind in KINDS:
        add(admin, kind, container, kind.body(site))
    sensor = admin.create("/sensors", {"name": f"Sensor of {container['name']}", "description": "temperature"})
    assert admin.post(f"{CONTAINERS}/{container['id']}/sensors", {"sensor_id": sensor["id"]}).status_code == 201
    return ok(admin.get(f"{CONTAINERS}/{container['id']}"))


def administrator_id(admin: Api) -> int:
    return int(next(u["id"] for u in ok(admin.get("/users")) if u["name"] == "administrator"))


def row_counts(app: Any) -> list[int]:
    return [count(app, t) for t in (tables.energy_storage_containers, *OWNED_TABLES,
                                    tables.energy_storage_containers_sensors)]


def make_site(api: Api, prefix: str = "") -> Site:
    refs = station_refs(api, prefix)
    categories = {"electricity": api.create("/energycategories", {**ELECTRICITY, "name": prefix + ELECTRICITY["name"]}),
                  "chilled": api.create("/energycategories", {**CHILLED_WATER, "name": prefix + CHILLED_WATER["name"]})}
    gateway = api.create("/gateways", {**GATEWAY, "name": prefix + GATEWAY["name"]})
    source = api.create("/datasources", {**SOURCE, "name": prefix + SOURCE["name"], "gateway_id": gateway["id"]})
    points = {name: api.create("/points", {**POINT, "name": prefix + name, "object_type": kind,
                                           "data_source_id": source["id"]}) for name, kind in POINTS.items()}
    meters = {name: api.create("/meters", {**METER, "name": prefix + name, "cost_center_id": refs["center"]["id"],
                                           "energy_category_id": categories[category]["id"]})
              for name, category in METERS.items()}
    return Site(refs, points, meters, categories, {"gateway": gateway, "source": source})


@pytest.fixture
def site(admin: Api) -> Site:
    return make_site(admin)


@pytest.fixture
def container(admin: Api, site: Site) -> dict[str, Any]:
    return admin.create(CONTAINERS, site.container())


# ---------------------------------------------------------------------------- routes
def test_every_seed_endpoint_of_energy_storage_is_routed(app):
    pairs = seed_endpoints("energystoragecontainers", "energystoragepowerstations")
    assert len(pairs) == 44
    assert unrouted(app, pairs) == []


def test_every_row_kind_is_also_served_one_by_one(app):
    for kind in KINDS:
        row = f"{CONTAINERS}/{{id}}/{kind.key}/{{id}}"
        assert unrouted(app, [(verb, row) for verb in ("GET", "PUT", "DELETE")]) == []
    assert unrouted(app, [("GET", f"{STATIONS}/{{id}}/users"), ("POST", f"{CONTAINERS}/import")]) == []


# ---------------------------------------------------------------------------- container CRUD
def test_creating_the_seed_container_answers_its_references_qrcode_and_empty_rows(admin, site):
    result = admin.post(CONTAINERS, site.container())
    got = ok(result, 201)
    assert result.headers["location"] == f"{CONTAINERS}/{got['id']}"
    assert {k: got[k] for k in CONTAINER_FIELDS} == {k: CONTAINER[k] for k in CONTAINER_FIELDS}
    assert (got["contact"], got["cost_center"], got["svg_diagram"]) == (
        summary(site.refs["contact"]), summary(site.refs["center"]), summary(site.refs["svg"]))
    assert got["qrcode"] == f"energystoragecontainer:{got['uuid']}"
    assert [got[k.key] for k in KINDS] == [[]] * 5
    assert ok(admin.get(CONTAINERS)) == [got] and ok(admin.get(f"{CONTAINERS}/{got['id']}")) == got


def test_updating_a_container_changes_its_fields_and_keeps_its_rows(admin, site):
    created = full(admin, site)
    updated = ok(admin.put(f"{CONTAINERS}/{created['id']}", site.container(name="Shanghai", rated_power=150,
                                                                            svg_id=None, description=None)))
    assert updated == {**created, "name": "Shanghai", "rated_power": 150, "svg_diagram": None, "description": None}
    assert ok(admin.put(f"{CONTAINERS}/{created['id']}", {"rated_capacity": 0})) == {**updated, "rated_capacity": 0}


CONTAINER_INVALID = [
    ({"name": DROP}, 400, "API.INVALID_ENERGY_STORAGE_CONTAINER_NAME"),
    ({"rated_capacity": -1}, 400, "API.INVALID_RATED_CAPACITY"),
    ({"rated_capacity": "lots"}, 400, "API.INVALID_RATED_CAPACITY"),
    ({"rated_power": -0.5}, 400, "API.INVALID_RATED_POWER"),
    ({"contact_id": MISSING}, 404, "API.CONTACT_NOT_FOUND"),
    ({"cost_center_id": DROP}, 400, "API.INVALID_COST_CENTER_ID"),
    ({"svg_id": MISSING}, 404, "API.SVG_DIAGRAM_NOT_FOUND"),
    ({"svg_id": "x"}, 400, "API.INVALID_SVG_ID"),
]


@pytest.mark.parametrize("changes, status, code", CONTAINER_INVALID,
                         ids=[f"{next(iter(c))}-{i}" for i, (c, _, _) in enumerate(CONTAINER_INVALID)])
def test_an_invalid_container_is_refused_with_its_code_and_writes_nothing(admin, app, site, changes, status, code):
    refused(admin.post(CONTAINERS, site.container(**changes)), status, code)
    assert count(app, tables.energy_storage_containers) == 0
    created = admin.create(CONTAINERS, site.container())
    if DROP not in changes.values():
        refused(admin.put(f"{CONTAINERS}/{created['id']}", changes), status, code)
        assert ok(admin.get(f"{CONTAINERS}/{created['id']}")) == created


def test_a_container_name_in_use_is_a_conflict(admin, app, site, container):
    refused(admin.post(CONTAINERS, site.container(name="BEIJING OFFICE")), 409,
            "API.ENERGY_STORAGE_CONTAINER_NAME_IS_ALREADY_IN_USE")
    assert count(app, tables.energy_storage_containers) == 1


# ---------------------------------------------------------------------------- rows of a container
@EVERY_KIND
def test_a_row_is_created_listed_got_updated_and_deleted(admin, app, site, container, kind):
    created = add(admin, kind, container, kind.body(site))
    assert as_sent(created) == kind.body(site)
    assert ok(admin.get(kind.path(container))) == [created]
    assert ok(admin.get(f"{kind.path(container)}/{created['id']}")) == created
    assert ok(admin.get(f"{CONTAINERS}/{container['id']}"))[kind.key] == [created]
    updated = ok(admin.put(f"{kind.path(container)}/{created['id']}", kind.body(site, **kind.change)))
    assert updated == {**created, **kind.change}
    assert admin.delete(f"{kind.path(container)}/{created['id']}").status_code == 204
    refused(admin.get(f"{kind.path(container)}/{created['id']}"), 404,
            f"API.ENERGY_STORAGE_CONTAINER_{kind.upper}_NOT_FOUND")
    refused(admin.delete(f"{kind.path(container)}/{created['id']}"), 404,
            f"API.ENERGY_STORAGE_CONTAINER_{kind.upper}_NOT_FOUND")
    assert count(app, kind.table) == 0


@EVERY_KIND
def test_the_seeds_get_a_row_example_lists_every_row_of_the_container(admin, site, container, kind):
    second = kind.body(site, **kind.change)
    rows = [add(admin, kind, container, kind.body(site)), add(admin, kind, container, second)]
    assert ok(admin.get(kind.path(container))) == rows  # "GET an Energy Storage Container Battery" is this path


@EVERY_KIND
def test_rows_of_an_unknown_container_or_with_a_malformed_id_are_refused(admin, site, container, kind):
    refused(admin.get(f"{CONTAINERS}/{MISSING}/{kind.key}"), 404, "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
    refused(admin.post(f"{CONTAINERS}/{MISSING}/{kind.key}", kind.body(site)), 404,
            "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
    refused(admin.get(f"{kind.path(container)}/abc"), 400, f"API.INVALID_ENERGY_STORAGE_CONTAINER_{kind.upper}_ID")
    refused(admin.put(f"{kind.path(container)}/{MISSING}", kind.body(site)), 404,
            f"API.ENERGY_STORAGE_CONTAINER_{kind.upper}_NOT_FOUND")


def test_a_row_renders_each_reference_as_an_object_beside_its_id(admin, site, container):
    got = add(admin, KINDS[0], container, battery(site))
    for key, target in (("battery_state_point", site.points["state"]), ("soc_point", site.points["soc"]),
                        ("power_point", site.points["power"]), ("charge_meter", site.meters["charge"]),
                        ("discharge_meter", site.meters["discharge"])):
        assert (got[f"{key}_id"], got[key]) == (target["id"], summary(target))


@NAMED_KINDS
def test_a_row_name_in_use_in_the_same_container_is_a_conflict_but_free_in_another(admin, app, site, container, kind):
    first = add(admin, kind, container, kind.body(site))
    refused(admin.post(kind.path(container), kind.body(site, name=first["name"].upper())), 409,
            f"API.ENERGY_STORAGE_CONTAINER_{kind.upper}_NAME_IS_ALREADY_IN_USE")
    second = add(admin, kind, container, kind.body(site, name="Other"))
    refused(admin.put(f"{kind.path(container)}/{second['id']}", kind.body(site, name=first["name"])), 409,
            f"API.ENERGY_STORAGE_CONTAINER_{kind.upper}_NAME_IS_ALREADY_IN_USE")
    another = admin.create(CONTAINERS, site.container(name="Another"))
    add(admin, kind, another, kind.body(site))
    assert count(app, kind.table) == 3


# (kind, changes as (site) -> dict, status, code)
REFERENCE_INVALID = [
    ("batteries", lambda s: {"soc_point_id": MISSING}, 404, "API.SOC_POINT_NOT_FOUND"),
    ("batteries", lambda s: {"soc_point_id": "abc"}, 400, "API.INVALID_SOC_POINT_ID"),
    ("batteries", lambda s: {"soc_point_id": DROP}, 400, "API.INVALID_SOC_POINT_ID"),
    ("batteries", lambda s: {"soc_point_id": s.points["state"]["id"]}, 400, "API.INVALID_SOC_POINT_OBJECT_TYPE"),
    ("batteries", lambda s: {"power_point_id": s.points["total_charge"]["id"]}, 400,
     "API.INVALID_POWER_POINT_OBJECT_TYPE"),
    ("batteries", lambda s: {"battery_state_point_id": s.points["total_charge"]["id"]}, 400,
     "API.INVALID_BATTERY_STATE_POINT_OBJECT_TYPE"),
    ("batteries", lambda s: {"charge_meter_id": MISSING}, 404, "API.CHARGE_METER_NOT_FOUND"),
    ("batteries", lambda s: {"discharge_meter_id": s.meters["chilled"]["id"]}, 400,
     "API.DISCHARGE_METER_IS_NOT_AN_ELECTRICITY_METER"),
    ("batteries", lambda s: {"discharge_meter_id": s.meters["charge"]["id"]}, 400,
     "API.CHARGE_METER_AND_DISCHARGE_METER_CANNOT_BE_THE_SAME"),
    ("batteries", lambda s: {"rated_capacity": -1}, 400, "API.INVALID_RATED_CAPACITY"),
    ("batteries", lambda s: {"rated_power": "fast"}, 400, "API.INVALID_RATED_POWER"),
    ("batteries", lambda s: {"nominal_voltage": -48}, 400, "API.INVALID_NOMINAL_VOLTAGE"),
    ("batteries", lambda s: {"name": "  "}, 400, "API.INVALID_ENERGY_STORAGE_CONTAINER_BATTERY_NAME"),
    ("grids", lambda s: {"power_point_id": s.points["state"]["id"]}, 400, "API.INVALID_POWER_POINT_OBJECT_TYPE"),
    ("grids", lambda s: {"buy_meter_id": s.meters["chilled"]["id"]}, 400, "API.BUY_METER_IS_NOT_AN_ELECTRICITY_METER"),
    ("grids", lambda s: {"sell_meter_id": MISSING}, 404, "API.SELL_METER_NOT_FOUND"),
    ("grids", lambda s: {"sell_meter_id": s.meters["buy"]["id"]}, 400,
     "API.BUY_METER_AND_SELL_METER_CANNOT_BE_THE_SAME"),
    ("grids", lambda s: {"capacity": -30}, 400, "API.INVALID_CAPACITY"),
    ("loads", lambda s: {"meter_id": s.meters["chilled"]["id"]}, 400, "API.METER_IS_NOT_AN_ELECTRICITY_METER"),
    ("loads", lambda s: {"power_point_id": MISSING}, 404, "API.POWER_POINT_NOT_FOUND"),
    ("loads", lambda s: {"rated_input_power": -1}, 400, "API.INVALID_RATED_INPUT_POWER"),
    ("powerconversionsystems", lambda s: {"run_state_point_id": s.points["today_discharge"]["id"]}, 400,
     "API.INVALID_RUN_STATE_POINT_OBJECT_TYPE"),
    ("powerconversionsystems", lambda s: {"total_charge_energy_point_id": s.points["state"]["id"]}, 400,
     "API.INVALID_TOTAL_CHARGE_ENERGY_POINT_OBJECT_TYPE"),
    ("powerconversionsystems", lambda s: {"today_discharge_energy_point_id": s.points["state"]["id"]}, 400,
     "API.INVALID_TODAY_DISCHARGE_ENERGY_POINT_OBJECT_TYPE"),
    ("powerconversionsystems", lambda s: {"today_charge_energy_point_id": MISSING}, 404,
     "API.TODAY_CHARGE_ENERGY_POINT_NOT_FOUND"),
    ("powerconversionsystems", lambda s: {"rated_output_power": -5}, 400, "API.INVALID_RATED_OUTPUT_POWER"),
]


@pytest.mark.parametrize("key, changes, status, code", REFERENCE_INVALID,
                         ids=[f"{k}-{code.removeprefix('API.')}-{i}" for i, (k, _, _, code) in
                              enumerate(REFERENCE_INVALID)])
def test_a_row_with_a_missing_or_wrong_kind_of_reference_is_refused_and_writes_nothing(admin, app, site, container,
                                                                                        key, changes, status, code):
    kind = next(k for k in KINDS if k.key == key)
    refused(admin.post(kind.path(container), kind.body(site, **changes(site))), status, code)
    assert count(app, kind.table) == 0
    created = add(admin, kind, container, kind.body(site))
    refused(admin.put(f"{kind.path(container)}/{created['id']}", kind.body(site, **changes(site))), status, code)
    assert ok(admin.get(f"{kind.path(container)}/{created['id']}")) == created


def test_state_points_may_be_digital_or_analog_and_energy_points_energy_or_analog(admin, site, container):
    p = site.points
    add(admin, KINDS[0], container, battery(site, battery_state_point_id=p["code"]["id"]))
    got = add(admin, KINDS[3], container, pcs(site, name="PCS analog", run_state_point_id=p["code"]["id"],
                                              today_charge_energy_point_id=p["total_charge"]["id"],
                                              today_discharge_energy_point_id=p["today_charge"]["id"],
                                              total_charge_energy_point_id=p["soc"]["id"]))
    assert (got["run_state_point"], got["total_charge_energy_point"]) == (summary(p["code"]), summary(p["soc"]))


# ---------------------------------------------------------------------------- schedules
SCHEDULES = KINDS[4]
SCHEDULE_INVALID = [
    ({"start_time_of_day": "07:00:00"}, "API.INVALID_END_TIME_OF_DAY"),
    ({"start_time_of_day": "08:00:00"}, "API.INVALID_END_TIME_OF_DAY"),
    ({"start_time_of_day": "24:00:00"}, "API.INVALID_START_TIME_OF_DAY"),
    ({"end_time_of_day": "7:00"}, "API.INVALID_END_TIME_OF_DAY"),
    ({"peak_type": "peak"}, "API.INVALID_PEAK_TYPE"),
    ({"peak_type": DROP}, "API.INVALID_PEAK_TYPE"),
    ({"power": "full"}, "API.INVALID_POWER"),
    ({"power": 200.001}, "API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER"),
    ({"power": -250}, "API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER"),
]


@pytest.mark.parametrize("changes, code", SCHEDULE_INVALID,
                         ids=[f"{next(iter(c))}-{i}" for i, (c, _) in enumerate(SCHEDULE_INVALID)])
def test_an_invalid_schedule_row_is_refused_and_writes_nothing(admin, app, container, changes, code):
    refused(admin.post(SCHEDULES.path(container), schedule(**changes)), 400, code)
    assert count(app, SCHEDULES.table) == 0


def test_power_is_positive_to_discharge_and_negative_to_charge_within_the_rated_power(admin, container):
    charge = add(admin, SCHEDULES, container, schedule(power=-200))
    discharge = add(admin, SCHEDULES, container, schedule(start_time_of_day="17:00:00", end_time_of_day="21:00:00",
                                                          peak_type="toppeak", power=200))
    hold = add(admin, SCHEDULES, container, schedule(start_time_of_day="21:00:00", end_time_of_day="23:59:59",
                                                     peak_type="midpeak", power=0))
    assert [r["power"] for r in ok(admin.get(SCHEDULES.path(container)))] == [-200, 200, 0]
    assert [charge["id"], discharge["id"], hold["id"]] == sorted([charge["id"], discharge["id"], hold["id"]])


@pytest.mark.parametrize("start, end", [("06:59:59", "08:00:00"), ("00:00:00", "07:00:00"), ("03:00:00", "04:00:00"),
                                        ("00:00:00", "23:59:59")])
def test_overlapping_schedule_rows_are_refused_on_create_and_update(admin, app, container, start, end):
    first = add(admin, SCHEDULES, container, schedule())
    body = schedule(start_time_of_day=start, end_time_of_day=end)
    refused(admin.post(SCHEDULES.path(container), body), 400, "API.ENERGY_STORAGE_CONTAINER_SCHEDULES_OVERLAP")
    second = add(admin, SCHEDULES, container, schedule(start_time_of_day="12:00:00", end_time_of_day="13:00:00"))
    refused(admin.put(f"{SCHEDULES.path(container)}/{second['id']}", body), 400,
            "API.ENERGY_STORAGE_CONTAINER_SCHEDULES_OVERLAP")
    assert ok(admin.get(SCHEDULES.path(container))) == [first, second]


def test_adjacent_schedule_rows_share_a_boundary_and_cover_the_day(admin, container):
    for start, end in (("00:00:00", "07:00:00"), ("07:00:00", "12:00:00"), ("12:00:00", "23:59:59")):
        add(admin, SCHEDULES, container, schedule(start_time_of_day=start, end_time_of_day=end))
    refused(admin.post(SCHEDULES.path(container), schedule(start_time_of_day="23:59:59", end_time_of_day="23:59:59")),
            400, "API.INVALID_END_TIME_OF_DAY")
    assert len(ok(admin.get(SCHEDULES.path(container)))) == 3


def test_a_container_cannot_lower_its_rated_power_below_a_scheduled_power(admin, container):
    add(admin, SCHEDULES, container, schedule(power=-150))
    refused(admin.put(f"{CONTAINERS}/{container['id']}", {"rated_power": 100}), 400,
            "API.SCHEDULE_POWER_EXCEEDS_ENERGY_STORAGE_CONTAINER_RATED_POWER")
    assert ok(admin.put(f"{CONTAINERS}/{container['id']}", {"rated_power": 150}))["rated_power"] == 150


def test_rows_given_with_the_container_are_checked_and_written_in_its_transaction(admin, app, site):
    body = site.container(batteries=[battery(site)], schedules=[schedule(), schedule(start_time_of_day="06:00:00",
                                                                                    end_time_of_day="09:00:00")])
    refused(admin.post(CONTAINERS, body), 400, "API.ENERGY_STORAGE_CONTAINER_SCHEDULES_OVERLAP")
    assert row_counts(app) == [0] * 7
    got = admin.create(CONTAINERS, {**body, "schedules": [schedule()]})
    assert [as_sent(r) for r in got["batteries"]] == [battery(site)]
    assert row_counts(app) == [1, 1, 0, 0, 0, 1, 0]


# ---------------------------------------------------------------------------- sensors
def test_a_sensor_binds_lists_conflicts_and_unbinds(admin, app, container):
    sensor = admin.create("/sensors", {"name": "Temperature", "description": "cabin"})
    path = f"{CONTAINERS}/{container['id']}/sensors"
    refused(admin.post(path, {"energy_storage_container_id": container["id"]}), 400, "API.INVALID_SENSOR_ID")
    assert admin.post(path, {"sensor_id": sensor["id"]}).status_code == 201
    assert [summary(s) for s in ok(admin.get(path))] == [summary(sensor)]
    refused(admin.post(path, {"sensor_id": sensor["id"]}), 409,
            "API.ENERGY_STORAGE_CONTAINER_SENSOR_RELATION_EXISTS")
    refused(admin.post(path, {"sensor_id": MISSING}), 404, "API.SENSOR_NOT_FOUND")
    refused(admin.delete(f"/sensors/{sensor['id']}"), 409, "API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_CONTAINERS")
    assert admin.delete(f"{path}/{sensor['id']}").status_code == 204
    assert ok(admin.get(path)) == []
    assert count(app, tables.energy_storage_containers_sensors) == 0


# ---------------------------------------------------------------------------- deleting
def test_deleting_a_container_deletes_its_rows_and_sensor_bindings_but_not_what_they_reference(admin, app, site):
    container = full(admin, site)
    assert row_counts(app) == [1, 1, 1, 1, 1, 1, 1]
    assert admin.delete(f"{CONTAINERS}/{container['id']}").status_code == 204
    assert row_counts(app) == [0] * 7
    assert count(app, schema.points) == len(POINTS) and count(app, schema.meters) == len(METERS)
    assert count(app, schema.sensors) == 1


class FailOn:
    """Makes the real database connection fail on one statement (a DELETE of the container row), so a
    delete fails after it has already deleted the rows it owns."""

    def __init__(self, engine: sa.Engine, table: str) -> None:
        self.engine, self.table = engine, table

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE") and f"FROM {self.table} " in f"{statement} ":
            raise RuntimeError("simulated failure in the middle of a delete")

    def __enter__(self) -> FailOn:
        sa.event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc: Any) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self)


@pytest.mark.parametrize("failing", [tables.energy_storage_containers, tables.energy_storage_containers_sensors],
                         ids=["container row", "sensor bindings"])
def test_a_delete_failing_in_the_middle_leaves_the_container_and_its_rows_as_they_were(admin, app, site, failing):
    container = full(admin, site)
    before = [ok(admin.get(f"{CONTAINERS}/{container['id']}")), row_counts(app)]
    with FailOn(app.databases.system, failing.name):
        assert admin.delete(f"{CONTAINERS}/{container['id']}").status_code == 500
    assert [ok(admin.get(f"{CONTAINERS}/{container['id']}")), row_counts(app)] == before


@pytest.mark.parametrize("path, which, relation", [
    ("/points", "soc", "BATTERIES"), ("/points", "power", "BATTERIES"), ("/meters", "charge", "BATTERIES"),
    ("/meters", "buy", "GRIDS"), ("/meters", "load", "LOADS"),
    ("/points", "total_discharge", "POWER_CONVERSION_SYSTEMS"),
])
def test_a_point_or_meter_used_by_a_row_cannot_be_deleted_and_the_relation_is_named(admin, site, path, which,
                                                                                     relation):
    container = full(admin, site)
    target = (site.points if path == "/points" else site.meters)[which]
    refused(admin.delete(f"{path}/{target['id']}"), 409,
            f"API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_CONTAINER_{relation}")
    assert admin.delete(f"{CONTAINERS}/{container['id']}").status_code == 204
    assert admin.delete(f"{path}/{target['id']}").status_code == 204


def test_a_container_in_a_power_station_cannot_be_deleted_until_unbound(admin, site, container):
    esps = station(admin, STATIONS, site.refs)
    assert admin.post(f"{STATIONS}/{esps['id']}/containers",
                      {"energy_storage_container_id": container["id"]}).status_code == 201
    refused(admin.delete(f"{CONTAINERS}/{container['id']}"), 409,
            "API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_POWER_STATIONS")
    assert admin.delete(f"{STATIONS}/{esps['id']}/containers/{container['id']}").status_code == 204
    assert admin.delete(f"{CONTAINERS}/{container['id']}").status_code == 204


# ---------------------------------------------------------------------------- export, import, clone
def carry_site(admin: Api, other: Api, site: Site) -> Site:
    """Everything a container references, moved to the other instance after fillers that shift its ids."""
    make_site(other, prefix="site filler ")
    refs = carry_station_refs(admin, other, site.refs)
    categories = {k: carry(admin, other, "/energycategories", v) for k, v in site.categories.items()}
    gateway = carry(admin, other, "/gateways", site.source["gateway"])
    source = carry(admin, other, "/datasources", site.source["source"])
    points = {k: carry(admin, other, "/points", v) for k, v in site.points.items()}
    meters = {k: carry(admin, other, "/meters", v) for k, v in site.meters.items()}
    assert all(points[k]["id"] != site.points[k]["id"] for k in points)
    return Site(refs, points, meters, categories, {"gateway": gateway, "source": source})


def test_an_export_imports_into_an_empty_instance_with_rows_pointing_at_its_own_points_and_meters(admin, other, site):
    container = full(admin, site)
    doc = export(admin, CONTAINERS, container["id"])
    assert [len(doc[k.key]) for k in KINDS] == [1] * 5 and len(doc["sensors"]) == 1
    moved = carry_site(admin, other, site)
    carry(admin, other, "/sensors", doc["sensors"][0])
    got = imported(other, CONTAINERS, doc)
    assert got["uuid"] == container["uuid"] and got["svg_diagram"] == summary(moved.refs["svg"])
    assert got["batteries"][0]["soc_point"] == summary(moved.points["soc"])
    assert got["batteries"][0]["soc_point_id"] == moved.points["soc"]["id"] != site.points["soc"]["id"]
    assert got["grids"][0]["buy_meter"] == summary(moved.meters["buy"])
    assert got["powerconversionsystems"][0]["total_discharge_energy_point"] == summary(moved.points["total_discharge"])
    assert [as_sent(r) for r in got["schedules"]] == [schedule()]
    assert [s["uuid"] for s in ok(other.get(f"{CONTAINERS}/{got['id']}/sensors"))] == [doc["sensors"][0]["uuid"]]


def test_the_points_bound_to_a_containers_parts_travel_with_its_export(admin, other, site):
    container = full(admin, site)
    dcdc = ok(admin.post(f"{CONTAINERS}/{container['id']}/dcdcs", {"name": "DCDC1"}), 201)
    for key, row_id, point in (("batteries", container["batteries"][0]["id"], "code"),
                               ("dcdcs", dcdc["id"], "total_charge")):
        ok(admin.post(f"{CONTAINERS}/{container['id']}/{key}/{row_id}/points", {"point_id": site.points[point]["id"]}),
           201)
    doc = export(admin, CONTAINERS, container["id"])
    assert [p["uuid"] for p in doc["batteries"][0]["points"]] == [site.points["code"]["uuid"]]
    moved = carry_site(admin, other, site)
    carry(admin, other, "/sensors", doc["sensors"][0])
    got = imported(other, CONTAINERS, doc)
    for key, point in (("batteries", "code"), ("dcdcs", "total_charge")):
        bound = ok(other.get(f"{CONTAINERS}/{got['id']}/{key}/{got[key][0]['id']}/points"))
        assert [p["id"] for p in bound] == [moved.points[point]["id"]] != [site.points[point]["id"]]


def test_importing_rows_whose_point_is_unknown_there_is_refused_and_writes_nothing(admin, other, site):
    doc = export(admin, CONTAINERS, full(admin, site)["id"])
    carry_station_refs(admin, other, site.refs)
    refused(other.post(f"{CONTAINERS}/import", doc), 404, "API.BATTERY_STATE_POINT_NOT_FOUND")
    assert ok(other.get(CONTAINERS)) == []


def test_the_seeds_import_example_creates_a_container_from_its_data(admin, site):
    got = ok(admin.post(f"{CONTAINERS}/1/import", site.container()), 201)
    assert {k: got[k] for k in CONTAINER_FIELDS} == {k: CONTAINER[k] for k in CONTAINER_FIELDS}


def test_cloning_a_container_copies_its_rows_and_sensor_bindings(admin, app, site):
    container = full(admin, site)
    copy = clone(admin, CONTAINERS, container["id"])
    assert copy["name"] == "Beijing Office (1)" and copy["uuid"] != container["uuid"]
    for kind in KINDS:
        assert [as_sent(r) for r in copy[kind.key]] == [as_sent(r) for r in container[kind.key]]
        assert [r["id"] for r in copy[kind.key]] != [r["id"] for r in container[kind.key]]
    sensors = [ok(admin.get(f"{CONTAINERS}/{c['id']}/sensors")) for c in (copy, container)]
    assert sensors[0] == sensors[1] and len(sensors[0]) == 1
    assert ok(admin.get(f"{CONTAINERS}/{container['id']}")) == container
    assert row_counts(app) == [2] * 7


# ---------------------------------------------------------------------------- power stations
@pytest.fixture
def esps(admin: Api, site: Site) -> dict[str, Any]:
    return station(admin, STATIONS, site.refs)


def test_creating_the_seed_power_station_keeps_its_inline_svg(admin, site):
    got = ok(admin.post(STATIONS, payload(STATION, contact_id=site.refs["contact"]["id"],
                                          cost_center_id=site.refs["center"]["id"])), 201)
    assert {k: got[k] for k in PLAIN} == {k: STATION[k] for k in PLAIN}
    assert (got["svg"], got["svg_diagram"], got["qrcode"]) == ("<svg></svg>", None,
                                                               f"energystoragepowerstation:{got['uuid']}")


@pytest.mark.parametrize("changes, status, code", [
    ({"latitude": 91}, 400, "API.INVALID_LATITUDE_VALUE"), ({"longitude": -181}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ({"capacity": -1}, 400, "API.INVALID_CAPACITY_VALUE"), ({"svg_id": MISSING}, 404, "API.SVG_DIAGRAM_NOT_FOUND"),
    ({"svg": "<svg><script/></svg>"}, 400, "API.INVALID_SVG"), ({"svg": DROP}, 400, "API.INVALID_SVG"),
], ids=["latitude", "longitude", "capacity", "svg_id", "svg", "no diagram"])
def test_an_invalid_power_station_is_refused_and_writes_nothing(admin, app, site, changes, status, code):
    refused(admin.post(STATIONS, payload(STATION, contact_id=site.refs["contact"]["id"],
                                         cost_center_id=site.refs["center"]["id"], **changes)), status, code)
    assert count(app, tables.energy_storage_power_stations) == 0


def test_a_power_station_binds_containers_and_users_and_unbinds_them(admin, site, esps, container):
    user = admin.create("/users", {"name": "operator", "display_name": "Operator", "email": "op@example.com",
                                   "password": "Operator-pass-1", "is_admin": False})
    containers, users = f"{STATIONS}/{esps['id']}/containers", f"{STATIONS}/{esps['id']}/users"
    assert admin.post(containers, {"energy_storage_container_id": container["id"]}).status_code == 201
    assert admin.post(users, {"user_id": user["id"]}).status_code == 201
    assert [summary(c) for c in ok(admin.get(containers))] == [summary(container)]
    assert [summary(u) for u in ok(admin.get(users))] == [summary(user)]
    refused(admin.post(containers, {"energy_storage_container_id": container["id"]}), 409,
            "API.ENERGY_STORAGE_POWER_STATION_ENERGY_STORAGE_CONTAINER_RELATION_EXISTS")
    refused(admin.post(users, {"user_id": MISSING}), 404, "API.USER_NOT_FOUND")
    refused(admin.delete(f"/users/{user['id']}"), 409, "API.THERE_IS_RELATION_WITH_ENERGY_STORAGE_POWER_STATIONS")
    assert admin.delete(f"{users}/{user['id']}").status_code == 204
    assert admin.delete(f"{containers}/{container['id']}").status_code == 204
    refused(admin.delete(f"{containers}/{container['id']}"), 404,
            "API.ENERGY_STORAGE_POWER_STATION_ENERGY_STORAGE_CONTAINER_RELATION_NOT_FOUND")
    assert ok(admin.get(containers)) == [] and ok(admin.get(users)) == []


def test_a_stations_users_are_listed_to_admins_only_and_left_out_of_its_export(api, admin, esps):
    viewer = admin.create("/users", {"name": "viewer", "display_name": "Viewer", "email": "viewer@example.com",
                                     "password": "Viewer-pass-1", "is_admin": False})
    assert admin.post(f"{STATIONS}/{esps['id']}/users", {"user_id": viewer["id"]}).status_code == 201
    session = api.login("viewer", "Viewer-pass-1")
    assert ok(session.get(f"{STATIONS}/{esps['id']}"))["id"] == esps["id"]
    assert ok(session.get(f"{STATIONS}/{esps['id']}/containers")) == []
    refused(session.get(f"{STATIONS}/{esps['id']}/users"), 403, "API.FORBIDDEN")
    doc = ok(session.get(f"{STATIONS}/{esps['id']}/export"))
    assert "users" not in doc and doc["containers"] == []


def test_deleting_a_power_station_deletes_its_bindings_not_its_containers(admin, app, site, esps, container):
    assert admin.post(f"{STATIONS}/{esps['id']}/containers",
                      {"energy_storage_container_id": container["id"]}).status_code == 201
    assert admin.post(f"{STATIONS}/{esps['id']}/users", {"user_id": administrator_id(admin)}).status_code == 201
    assert admin.delete(f"{STATIONS}/{esps['id']}").status_code == 204
    station_tables = (tables.energy_storage_power_stations, tables.energy_storage_power_stations_containers,
                      tables.energy_storage_power_stations_users)
    assert [count(app, t) for t in station_tables] == [0, 0, 0]
    assert ok(admin.get(f"{CONTAINERS}/{container['id']}")) == container


def test_a_power_station_exports_and_imports_with_its_containers_into_an_empty_instance(admin, other, site, esps):
    container = full(admin, site)
    assert admin.post(f"{STATIONS}/{esps['id']}/containers",
                      {"energy_storage_container_id": container["id"]}).status_code == 201
    doc = export(admin, STATIONS, esps["id"])
    assert [c["uuid"] for c in doc["containers"]] == [container["uuid"]] and "users" not in doc
    carry_site(admin, other, site)
    carry(admin, other, "/sensors", export(admin, CONTAINERS, container["id"])["sensors"][0])
    moved = carry(admin, other, CONTAINERS, container)
    got = imported(other, STATIONS, doc)
    assert {k: got[k] for k in (*PLAIN, "svg")} == {k: esps[k] for k in (*PLAIN, "svg")}
    assert [summary(c) for c in ok(other.get(f"{STATIONS}/{got['id']}/containers"))] == [summary(moved)]


def test_importing_a_power_station_whose_container_is_unknown_there_is_refused(admin, other, site, esps, container):
    assert admin.post(f"{STATIONS}/{esps['id']}/containers",
                      {"energy_storage_container_id": container["id"]}).status_code == 201
    doc = export(admin, STATIONS, esps["id"])
    carry_station_refs(admin, other, site.refs)
    refused(other.post(f"{STATIONS}/import", doc), 404, "API.ENERGY_STORAGE_CONTAINER_NOT_FOUND")
    assert ok(other.get(STATIONS)) == []


def test_cloning_a_power_station_copies_its_container_and_user_bindings(admin, site, esps, container):
    assert admin.post(f"{STATIONS}/{esps['id']}/containers",
                      {"energy_storage_container_id": container["id"]}).status_code == 201
    assert admin.post(f"{STATIONS}/{esps['id']}/users", {"user_id": administrator_id(admin)}).status_code == 201
    copy = clone(admin, STATIONS, esps["id"])
    assert copy["name"] == "Beijing Office (1)"
    assert [c["id"] for c in ok(admin.get(f"{STATIONS}/{copy['id']}/containers"))] == [container["id"]]
    assert [u["id"] for u in ok(admin.get(f"{STATIONS}/{copy['id']}/users"))] == [administrator_id(admin)]
