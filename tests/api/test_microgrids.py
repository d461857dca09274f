"""Microgrids, their parts (batteries, EV chargers, generators, grids, heat pumps, loads, photovoltaics, power
conversion systems) and schedules, answered as the seed's "Microgrid ..." sections document them.

Payloads are the seed's with their ids pointed at points, meters, a contact, a cost center and a sensor this
test created. Parts are families of their own (``/microgrid<kind>``) and the microgrid's owned children
(``/microgrids/{id}/<kind>``): deleted with it in one transaction, carried by its export, import and clone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.app import default_families
from myems_api.config import Config
from myems_api.db import microgrid_tables as mt
from myems_api.engine.family import Family
from myems_api.engine.fields import Ref, Text
from myems_api.resources.microgrids import is_electricity
from tests.client import Api, count, refused
from tests.conftest import ADMIN_PASSWORD, make_app

# ---------------------------------------------------------------------------- seed payloads
MICROGRID = {"name": "Beijing Office", "address": "Wangfujing Street, Dongcheng District, Beijing",
             "postal_code": "100000", "latitude": 39.909429, "longitude": 116.416993, "capacity": 600.0,
             "architecture_type_id": 1, "owner_type_id": 1, "contact_id": 1, "cost_center_id": 1,
             "svg": "<svg></svg>", "description": "Classic"}
SCHEDULE = {"start_time_of_day": "00:00:00", "end_time_of_day": "07:00:00", "peak_type": "offpeak", "power": 60}


class Kind:
    """One kind of part: its paths, the seed's body, and which test object each reference names."""

    def __init__(self, view: str, path: str, upper: str, seed: dict[str, Any], refs: dict[str, str],
                 plural: str = "") -> None:
        self.view, self.path, self.upper, self.seed, self.refs = view, path, upper, seed, refs
        self.relation = f"API.THERE_IS_RELATION_WITH_{plural or upper + 'S'}"  # what a point in use answers

    def __repr__(self) -> str:
        return self.view

    def body(self, site: dict[str, dict[str, Any]], owner: int, /, **changes: Any) -> dict[str, Any]:
        ids = {key: site[name]["id"] for key, name in self.refs.items()}
        return {**self.seed, "microgrid_id": owner, **ids, **changes}


def _simple(view: str, path: str, upper: str, name: str) -> Kind:
    return Kind(view, path, upper, {"name": name, "power_point_id": 1, "meter_id": 1, "capacity": 30},
                {"power_point_id": "power", "meter_id": "load_meter"})


BATTERIES = Kind("batteries", "/microgridbatteries", "MICROGRID_BATTERY",
                 {"name": "Battery", "battery_state_point_id": 1, "soc_point_id": 2, "power_point_id": 3,
                  "charge_meter_id": 1, "discharge_meter_id": 2, "capacity": 30},
                 {"battery_state_point_id": "state", "soc_point_id": "soc", "power_point_id": "power",
                  "charge_meter_id": "charge_meter", "discharge_meter_id": "discharge_meter"},
                 "MICROGRID_BATTERIES")
GRIDS = Kind("grids", "/microgridgrids", "MICROGRID_GRID",
             {"name": "Grid", "buy_meter_id": 1, "sell_meter_id": 2, "capacity": 30},
             {"buy_meter_id": "buy_meter", "sell_meter_id": "sell_meter"})
HEATPUMPS = Kind("heatpumps", "/microgridheatpumps", "MICROGRID_HEATPUMP",
                 {"name": "Heatpump", "power_point_id": 1, "electricity_meter_id": 1, "heat_meter_id": 2,
                  "cooling_meter_id": 3, "capacity": 30},
                 {"power_point_id": "power", "electricity_meter_id": "load_meter", "heat_meter_id": "heat_meter",
                  "cooling_meter_id": "chilled_meter"})
PCS = Kind("powerconversionsystems", "/microgridpowerconversionsystems", "MICROGRID_POWER_CONVERSION_SYSTEM",
           {"name": "Power Conversion System", "run_state_point_id": 1, "capacity": 30},
           {"run_state_point_id": "state"}, "MICROGRID_POWER_CONVERSION_SYSTEMS")
KINDS = (BATTERIES, _simple("evchargers", "/microgridevchargers", "MICROGRID_EVCHARGER", "EVCharger"),
         _simple("generators", "/microgridgenerators", "MICROGRID_GENERATOR", "Generator"), GRIDS, HEATPUMPS,
         _simple("loads", "/microgridloads", "MICROGRID_LOAD", "Load"),
         _simple("photovoltaics", "/microgridphotovoltaics", "MICROGRID_PHOTOVOLTAIC", "Photovoltaic"), PCS)
PART_TABLES = (mt.microgrid_batteries, mt.microgrid_evchargers, mt.microgrid_generators, mt.microgrid_grids,
               mt.microgrid_heatpumps, mt.microgrid_loads, mt.microgrid_photovoltaics,
               mt.microgrid_power_conversion_systems, mt.microgrid_schedules)
MISSING = 987654
MICROGRIDS, SCHEDULES = "/microgrids", "/microgridschedules"

CONNECTION = json.dumps({"host": "10.1.2.88", "port": 502})
ADDRESS = '{"slave_id":1, "function_code":3, "offset":1, "number_of_registers":2, "data_format":"float"}'
POINTS = {"state": "DIGITAL_VALUE", "soc": "ANALOG_VALUE", "power": "ANALOG_VALUE", "counter": "ENERGY_VALUE",
          "price": "ANALOG_VALUE"}
CATEGORIES = {"electricity": ("电", "kWh"), "chilled_water": ("Chilled Water", "kWh"), "water": ("自来水", "m³"),
              "heat": ("热", "GJ")}
METERS = {"charge_meter": "electricity", "discharge_meter": "electricity", "buy_meter": "electricity",
          "sell_meter": "electricity", "load_meter": "electricity", "chilled_meter": "chilled_water",
          "water_meter": "water", "heat_meter": "heat"}
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'


# ---------------------------------------------------------------------------- helpers
def build_site(admin: Api) -> dict[str, dict[str, Any]]:
    """What microgrids refer to, by name: points of each object type, meters of several categories, ..."""
    site: dict[str, dict[str, Any]] = {}
    site["gateway"] = admin.create("/gateways", {"name": "Gateway", "description": None})
    site["source"] = admin.create("/datasources", {"name": "Modbus1", "gateway_id": site["gateway"]["id"],
                                                   "protocol": "modbus-tcp", "connection": CONNECTION})
    for name, object_type in POINTS.items():
        site[name] = admin.create("/points", {"name": name, "data_source_id": site["source"]["id"],
                                              "object_type": object_type, "high_limit": 1000, "low_limit": 0,
                                              "address": ADDRESS})
    site["contact"] = admin.create("/contacts", {"name": "albert", "email": "albert@myems.io",
                                                 "phone": "+8613888888888"})
    site["center"] = admin.create("/costcenters", {"name": "动力中心"})
    for name, (category, unit) in CATEGORIES.items():
        site[name] = admin.create("/energycategories", {"name": category, "unit_of_measure": unit, "kgce": 0.1229,
                                                        "kgco2e": 0.8825})
    for name, category in METERS.items():
        site[name] = admin.create("/meters", {"name": name, "energy_category_id": site[category]["id"],
                                              "cost_center_id": site["center"]["id"], "is_counted": True,
                                              "hourly_low_limit": 0, "hourly_high_limit": 999})
    site["sensor"] = admin.create("/sensors", {"name": "Sensor1"})
    site["svg"] = admin.create("/svgs", {"name": "One line", "svg": SVG})
    return site


@pytest.fixture
def site(admin: Api) -> dict[str, dict[str, Any]]:
    return build_site(admin)


def microgrid_body(site: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return {**MICROGRID, "contact_id": site["contact"]["id"], "cost_center_id": site["center"]["id"], **changes}


def new_microgrid(admin: Api, site: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return admin.create(MICROGRIDS, microgrid_body(site, **changes))


def new_part(admin: Api, kind: Kind, site: dict[str, dict[str, Any]], microgrid_id: int,
             **changes: Any) -> dict[str, Any]:
    return admin.create(kind.path, kind.body(site, microgrid_id, **changes))


def new_schedule(admin: Api, microgrid_id: int, **changes: Any) -> dict[str, Any]:
    return admin.create(SCHEDULES, {**SCHEDULE, "microgrid_id": microgrid_id, **changes})


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


def equipped(admin: Api, site: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """A microgrid with one part of every kind, two schedule rows, a sensor and the administrator bound."""
    microgrid = new_microgrid(admin, site, **changes)
    for kind in KINDS:
        new_part(admin, kind, site, microgrid["id"])
    new_schedule(admin, microgrid["id"])
    new_schedule(admin, microgrid["id"], start_time_of_day="07:00:00", end_time_of_day="23:59:59",
                 peak_type="onpeak", power=-120)
    assert admin.post(f"{MICROGRIDS}/{microgrid['id']}/sensors", {"sensor_id": site["sensor"]["id"]}).status_code == 201
    assert admin.post(f"{MICROGRIDS}/{microgrid['id']}/users", {"user_id": admin.user["id"]}).status_code == 201
    return microgrid


def rows(app: Any, microgrid_id: int | None = None) -> dict[str, int]:
    """Rows of the microgrid tables (of one microgrid where given), read straight from the database."""
    where = {} if microgrid_id is None else {"microgrid_id": microgrid_id}
    found = {table.name: count(app, table, **where) for table in (*PART_TABLES, mt.microgrids_links["sensor"],
                                                                  mt.microgrids_links["user"])}
    found["tbl_microgrids"] = count(app, mt.microgrids, **({} if microgrid_id is None else {"id": microgrid_id}))
    return found


def without(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in keys}


# ============================================================================ microgrids
def test_creating_a_microgrid_with_the_seed_body_answers_201_with_every_field(admin, site):
    result = admin.post(MICROGRIDS, microgrid_body(site))
    assert result.status_code == 201, result.json
    microgrid = result.json
    assert result.headers["location"] == f"{MICROGRIDS}/{microgrid['id']}"
    plain = without(MICROGRID, "contact_id", "cost_center_id")
    assert {k: microgrid[k] for k in plain} == plain
    assert microgrid["contact"] == summary(site["contact"]) and microgrid["cost_center"] == summary(site["center"])
    assert (microgrid["svg_diagram"], microgrid["rated_power"]) == (None, None)
    assert microgrid["qrcode"] == f"microgrid:{microgrid['uuid']}"


def test_a_microgrid_is_read_listed_updated_and_deleted(admin, site):
    microgrid = new_microgrid(admin, site)
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}").json == microgrid
    assert admin.get(MICROGRIDS).json == [microgrid]
    updated = admin.put(f"{MICROGRIDS}/{microgrid['id']}", microgrid_body(site, name="Beijing Office 2",
                                                                           capacity=800, description=None))
    assert updated.status_code == 200, updated.json
    assert updated.json == {**microgrid, "name": "Beijing Office 2", "capacity": 800, "description": None}
    assert admin.delete(f"{MICROGRIDS}/{microgrid['id']}").status_code == 204
    refused(admin.get(f"{MICROGRIDS}/{microgrid['id']}"), 404, "API.MICROGRID_NOT_FOUND")


def test_a_microgrid_may_name_a_stored_svg_by_svg_id_instead_of_carrying_one(admin, site):
    microgrid = new_microgrid(admin, site, svg=None, svg_id=str(site["svg"]["id"]))  # the seed's "svg_id":"1"
    assert (microgrid["svg"], microgrid["svg_diagram"]) == (None, summary(site["svg"]))
    refused(admin.delete(f"/svgs/{site['svg']['id']}"), 409, "API.THERE_IS_RELATION_WITH_MICROGRIDS")
    refused(admin.post(MICROGRIDS, microgrid_body(site, name="Other", svg=None, svg_id=MISSING)), 404,
            "API.SVG_DIAGRAM_NOT_FOUND")
    refused(admin.post(MICROGRIDS, microgrid_body(site, name="Other", svg=None, svg_id="x")), 400,
            "API.INVALID_SVG_ID")


@pytest.mark.parametrize("svg", [None, "", '<svg onload="alert(1)"/>', "<html/>"])
def test_a_microgrid_without_a_safe_svg_or_a_stored_one_is_refused(admin, app, site, svg):
    refused(admin.post(MICROGRIDS, microgrid_body(site, svg=svg)), 400, "API.INVALID_SVG")
    assert count(app, mt.microgrids) == 0


def test_clearing_a_microgrids_only_svg_is_refused_and_changes_nothing(admin, site):
    microgrid = new_microgrid(admin, site)
    refused(admin.put(f"{MICROGRIDS}/{microgrid['id']}", {"svg": None}), 400, "API.INVALID_SVG")
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}").json == microgrid


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"latitude": 90.5}, 400, "API.INVALID_LATITUDE_VALUE"),
    ({"latitude": -91}, 400, "API.INVALID_LATITUDE_VALUE"),
    ({"longitude": 180.01}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ({"longitude": "east"}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ({"capacity": -0.001}, 400, "API.INVALID_CAPACITY"),
    ({"capacity": None}, 400, "API.INVALID_CAPACITY"),
    ({"rated_power": -5}, 400, "API.INVALID_RATED_POWER"),
    ({"architecture_type_id": 0}, 400, "API.INVALID_ARCHITECTURE_TYPE_ID"),
    ({"owner_type_id": "x"}, 400, "API.INVALID_OWNER_TYPE_ID"),
    ({"name": "  "}, 400, "API.INVALID_MICROGRID_NAME"),
    ({"address": 5}, 400, "API.INVALID_ADDRESS_VALUE"),
    ({"contact_id": MISSING}, 404, "API.CONTACT_NOT_FOUND"),
    ({"cost_center_id": "abc"}, 400, "API.INVALID_COST_CENTER_ID"),
])
def test_a_microgrid_with_a_bad_value_is_refused_and_nothing_is_created(admin, app, site, changes, status, code):
    refused(admin.post(MICROGRIDS, microgrid_body(site, **changes)), status, code)
    assert count(app, mt.microgrids) == 0


def test_the_extremes_of_the_globe_and_a_zero_capacity_are_accepted(admin, site):
    microgrid = new_microgrid(admin, site, latitude=-90, longitude=180, capacity=0, rated_power=0)
    assert (microgrid["latitude"], microgrid["longitude"], microgrid["capacity"]) == (-90, 180, 0)


def test_a_second_microgrid_with_the_same_name_is_a_conflict(admin, site):
    new_microgrid(admin, site)
    refused(admin.post(MICROGRIDS, microgrid_body(site)), 409, "API.MICROGRID_NAME_IS_ALREADY_IN_USE")


# ============================================================================ parts
@pytest.mark.parametrize("kind", KINDS, ids=repr)
def test_each_kind_of_part_is_created_with_the_seed_body_read_listed_updated_and_deleted(admin, site, kind):
    microgrid = new_microgrid(admin, site)
    result = admin.post(kind.path, kind.body(site, microgrid["id"]))
    assert result.status_code == 201, result.json
    part = result.json
    assert result.headers["location"] == f"{kind.path}/{part['id']}"
    assert part["microgrid"] == summary(microgrid)
    assert (part["name"], part["capacity"]) == (kind.seed["name"], 30)
    for key, name in kind.refs.items():
        assert part[key.removesuffix("_id")] == summary(site[name]), key
    assert admin.get(f"{kind.path}/{part['id']}").json == part
    assert admin.get(kind.path).json == [part]
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}/{kind.view}").json == [part]
    updated = admin.put(f"{kind.path}/{part['id']}", kind.body(site, microgrid["id"], capacity=50))
    assert updated.status_code == 200, updated.json
    assert updated.json == {**part, "capacity": 50}
    assert admin.delete(f"{kind.path}/{part['id']}").status_code == 204
    refused(admin.get(f"{kind.path}/{part['id']}"), 404, f"API.{kind.upper}_NOT_FOUND")
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}/{kind.view}").json == []


def test_a_microgrid_lists_only_its_own_parts_and_a_missing_microgrid_has_none(admin, site):
    first, second = new_microgrid(admin, site), new_microgrid(admin, site, name="Shanghai Office")
    mine = new_part(admin, BATTERIES, site, first["id"])
    theirs = new_part(admin, BATTERIES, site, second["id"])
    assert admin.get(f"{MICROGRIDS}/{first['id']}/batteries").json == [mine]
    assert admin.get(f"{MICROGRIDS}/{second['id']}/batteries").json == [theirs]
    refused(admin.get(f"{MICROGRIDS}/{MISSING}/batteries"), 404, "API.MICROGRID_NOT_FOUND")
    refused(admin.get(f"{MICROGRIDS}/abc/grids"), 400, "API.INVALID_MICROGRID_ID")


def test_part_names_are_unique_within_a_microgrid_but_may_repeat_in_another(admin, site):
    first, second = new_microgrid(admin, site), new_microgrid(admin, site, name="Shanghai Office")
    new_part(admin, GRIDS, site, first["id"])
    refused(admin.post(GRIDS.path, GRIDS.body(site, first["id"])), 409, "API.MICROGRID_GRID_NAME_IS_ALREADY_IN_USE")
    moved = new_part(admin, GRIDS, site, second["id"])
    refused(admin.put(f"{GRIDS.path}/{moved['id']}", GRIDS.body(site, first["id"])), 409,
            "API.MICROGRID_GRID_NAME_IS_ALREADY_IN_USE")
    new_part(admin, BATTERIES, site, first["id"], name="Grid")  # another kind's name space


@pytest.mark.parametrize(("kind", "key"), [(k, key) for k in KINDS for key in ("microgrid_id", *k.refs)], ids=str)
def test_a_part_naming_a_missing_microgrid_point_or_meter_is_not_found_and_not_created(admin, app, site, kind, key):
    microgrid = new_microgrid(admin, site)
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], **{key: MISSING})), 404,
            f"API.{key.removesuffix('_id').upper()}_NOT_FOUND")
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], **{key: "one"})), 400,
            f"API.INVALID_{key.upper()}")
    assert admin.get(kind.path).json == []


@pytest.mark.parametrize(("kind", "key", "wrong"), [
    (BATTERIES, "soc_point_id", "state"), (BATTERIES, "soc_point_id", "counter"),
    (BATTERIES, "power_point_id", "counter"), (BATTERIES, "battery_state_point_id", "counter"),
    (HEATPUMPS, "power_point_id", "state"), (PCS, "run_state_point_id", "counter"),
    (PCS, "today_charge_energy_point_id", "state"), (PCS, "total_discharge_energy_point_id", "state"),
    (GRIDS, "power_point_id", "counter"),
], ids=str)
def test_a_point_of_the_wrong_object_type_is_refused(admin, site, kind, key, wrong):
    microgrid = new_microgrid(admin, site)
    code = f"API.INVALID_{key.removesuffix('_id').upper()}_OBJECT_TYPE"
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], **{key: site[wrong]["id"]})), 400, code)
    part = new_part(admin, kind, site, microgrid["id"])
    refused(admin.put(f"{kind.path}/{part['id']}", {key: site[wrong]["id"]}), 400, code)
    assert admin.get(f"{kind.path}/{part['id']}").json == part


def test_state_and_energy_points_take_each_kind_they_may_be(admin, site):
    microgrid = new_microgrid(admin, site)
    new_part(admin, BATTERIES, site, microgrid["id"], battery_state_point_id=site["soc"]["id"])  # a state code
    pcs = new_part(admin, PCS, site, microgrid["id"], today_charge_energy_point_id=site["counter"]["id"],
                   today_discharge_energy_point_id=site["power"]["id"], total_charge_energy_point_id=None)
    assert (pcs["today_charge_energy_point"]["id"], pcs["total_charge_energy_point"]) == (site["counter"]["id"], None)


ELECTRIC_METERS = [(BATTERIES, "charge_meter_id"), (BATTERIES, "discharge_meter_id"), (GRIDS, "buy_meter_id"),
                   (GRIDS, "sell_meter_id"), (HEATPUMPS, "electricity_meter_id"),
                   *((k, "meter_id") for k in KINDS if "meter_id" in k.refs)]


@pytest.mark.parametrize(("kind", "key"), ELECTRIC_METERS, ids=str)
@pytest.mark.parametrize("meter", ["chilled_meter", "water_meter", "heat_meter"])
def test_a_meter_of_electrical_energy_must_be_an_electricity_meter(admin, app, site, kind, key, meter):
    microgrid = new_microgrid(admin, site)
    code = f"API.{key.removesuffix('_id').upper()}_IS_NOT_AN_ELECTRICITY_METER"
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], **{key: site[meter]["id"]})), 400, code)
    assert admin.get(kind.path).json == []


def test_a_heat_pumps_heat_and_cooling_meters_are_thermal_meters(admin, site):
    microgrid = new_microgrid(admin, site)
    pump = new_part(admin, HEATPUMPS, site, microgrid["id"])
    assert (pump["heat_meter"]["name"], pump["cooling_meter"]["name"]) == ("heat_meter", "chilled_meter")


@pytest.mark.parametrize(("name", "unit"), [
    ("电", "kWh"), ("Electricity", "KWH"), ("Électricité", "MWh"), ("Eletricidade", "kW·h"), ("Strom", "Wh"),
    ("Grid electricity", "GWh"), ("电力", "kWh"),
])
def test_electricity_is_an_electrical_unit_and_a_name_that_says_so(name, unit):
    assert is_electricity(name, unit)


@pytest.mark.parametrize(("name", "unit"), [("Chilled Water", "kWh"), ("热", "kWh"), ("Electricity", "m³"),
                                            ("电", "GJ"), ("E", "kWh")])
def test_a_category_is_not_electricity_without_both(name, unit):
    assert not is_electricity(name, unit)


@pytest.mark.parametrize(("kind", "first", "second"), [(BATTERIES, "charge_meter_id", "discharge_meter_id"),
                                                       (GRIDS, "buy_meter_id", "sell_meter_id")], ids=str)
def test_one_meter_cannot_measure_both_directions(admin, site, kind, first, second):
    microgrid = new_microgrid(admin, site)
    code = f"API.{first.removesuffix('_id').upper()}_AND_{second.removesuffix('_id').upper()}_CANNOT_BE_THE_SAME"
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], **{second: site[kind.refs[first]]["id"]})), 400,
            code)


@pytest.mark.parametrize("kind", KINDS, ids=repr)
def test_a_negative_capacity_is_refused(admin, site, kind):
    microgrid = new_microgrid(admin, site)
    refused(admin.post(kind.path, kind.body(site, microgrid["id"], capacity=-1)), 400, "API.INVALID_CAPACITY")


@pytest.mark.parametrize("key", ["rated_power", "nominal_voltage"])
def test_a_batterys_rated_power_and_nominal_voltage_are_non_negative(admin, site, key):
    microgrid = new_microgrid(admin, site)
    refused(admin.post(BATTERIES.path, BATTERIES.body(site, microgrid["id"], **{key: -0.5})), 400,
            f"API.INVALID_{key.upper()}")
    battery = new_part(admin, BATTERIES, site, microgrid["id"], **{key: 0})
    assert battery[key] == 0
    updated = admin.put(f"{BATTERIES.path}/{battery['id']}", {key: 51.2})
    assert updated.json[key] == 51.2


@pytest.mark.parametrize(("kind", "key"), [(k, key) for k in KINDS for key in k.refs], ids=str)
def test_a_point_or_meter_a_part_uses_cannot_be_deleted_and_the_relation_is_named(admin, site, kind, key):
    microgrid = new_microgrid(admin, site)
    part = new_part(admin, kind, site, microgrid["id"])
    target = site[kind.refs[key]]
    path = "/meters" if key.endswith("meter_id") else "/points"
    refused(admin.delete(f"{path}/{target['id']}"), 409, kind.relation)
    assert admin.delete(f"{kind.path}/{part['id']}").status_code == 204
    assert admin.delete(f"{path}/{target['id']}").status_code == 204


# ============================================================================ schedules
def test_a_schedule_is_created_with_the_seed_body_and_its_microgrid_then_read_updated_and_deleted(admin, site):
    microgrid = new_microgrid(admin, site)
    result = admin.post(SCHEDULES, {**SCHEDULE, "microgrid_id": microgrid["id"]})
    assert result.status_code == 201, result.json
    schedule = result.json
    assert result.headers["location"] == f"{SCHEDULES}/{schedule['id']}"
    assert schedule == {"id": schedule["id"], "microgrid": summary(microgrid), **SCHEDULE}
    assert admin.get(f"{SCHEDULES}/{schedule['id']}").json == schedule
    assert admin.get(SCHEDULES).json == [schedule]
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}/schedules").json == [schedule]
    updated = admin.put(f"{SCHEDULES}/{schedule['id']}", {**SCHEDULE, "power": -60, "peak_type": "deep"})
    assert updated.status_code == 200, updated.json
    assert updated.json == {**schedule, "power": -60, "peak_type": "deep"}
    assert admin.delete(f"{SCHEDULES}/{schedule['id']}").status_code == 204  # the seed's example names heat pumps
    refused(admin.get(f"{SCHEDULES}/{schedule['id']}"), 404, "API.MICROGRID_SCHEDULE_NOT_FOUND")


def test_the_seeds_schedule_body_says_no_microgrid_and_is_refused_as_such(admin, app, site):
    new_microgrid(admin, site)
    refused(admin.post(SCHEDULES, SCHEDULE), 400, "API.INVALID_MICROGRID_ID")
    refused(admin.post(SCHEDULES, {**SCHEDULE, "microgrid_id": MISSING}), 404, "API.MICROGRID_NOT_FOUND")
    assert count(app, mt.microgrid_schedules) == 0


def test_a_schedule_posted_under_a_microgrid_belongs_to_it_whatever_the_body_says(admin, site):
    first, second = new_microgrid(admin, site), new_microgrid(admin, site, name="Shanghai Office")
    result = admin.post(f"{MICROGRIDS}/{first['id']}/schedules", {**SCHEDULE, "microgrid_id": second["id"]})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{SCHEDULES}/{result.json['id']}"
    assert result.json["microgrid"] == summary(first)
    refused(admin.post(f"{MICROGRIDS}/{MISSING}/schedules", SCHEDULE), 404, "API.MICROGRID_NOT_FOUND")


@pytest.mark.parametrize(("start", "end", "code"), [
    ("07:00:00", "07:00:00", "API.INVALID_END_TIME_OF_DAY"),
    ("08:00:00", "07:00:00", "API.INVALID_END_TIME_OF_DAY"),
    ("7:00:00", "08:00:00", "API.INVALID_START_TIME_OF_DAY"),
    ("00:00:00", "24:00:00", "API.INVALID_END_TIME_OF_DAY"),
    ("00:00", "08:00:00", "API.INVALID_START_TIME_OF_DAY"),
    (700, "08:00:00", "API.INVALID_START_TIME_OF_DAY"),
])
def test_a_schedule_row_starts_before_it_ends_within_one_day(admin, app, site, start, end, code):
    microgrid = new_microgrid(admin, site)
    body = {**SCHEDULE, "microgrid_id": microgrid["id"], "start_time_of_day": start, "end_time_of_day": end}
    refused(admin.post(SCHEDULES, body), 400, code)
    assert count(app, mt.microgrid_schedules) == 0


def test_rows_of_one_microgrids_schedule_may_touch_but_not_overlap(admin, app, site):
    microgrid, other = new_microgrid(admin, site), new_microgrid(admin, site, name="Shanghai Office")
    night = new_schedule(admin, microgrid["id"])  # 00:00:00-07:00:00
    day = new_schedule(admin, microgrid["id"], start_time_of_day="07:00:00", end_time_of_day="12:00:00")
    for start, end in [("06:59:59", "08:00:00"), ("00:00:00", "07:00:00"), ("01:00:00", "02:00:00"),
                       ("11:00:00", "13:00:00"), ("00:00:00", "23:59:59")]:
        body = {**SCHEDULE, "microgrid_id": microgrid["id"], "start_time_of_day": start, "end_time_of_day": end}
        refused(admin.post(SCHEDULES, body), 400, "API.MICROGRID_SCHEDULES_OVERLAP")
    for row, start, end in [(day, "06:00:00", "12:00:00"), (night, "00:00:00", "07:00:01")]:
        refused(admin.put(f"{SCHEDULES}/{row['id']}", {"start_time_of_day": start, "end_time_of_day": end}), 400,
                "API.MICROGRID_SCHEDULES_OVERLAP")
    new_schedule(admin, other["id"])  # another microgrid's schedule is its own
    moved = admin.put(f"{SCHEDULES}/{day['id']}", {"end_time_of_day": "18:00:00"})  # overlapping only itself
    assert moved.status_code == 200 and moved.json["end_time_of_day"] == "18:00:00"
    assert count(app, mt.microgrid_schedules, microgrid_id=microgrid["id"]) == 2


@pytest.mark.parametrize("peak_type", ["toppeak", "onpeak", "midpeak", "offpeak", "deep"])
def test_every_tariff_peak_type_is_a_schedule_peak_type(admin, site, peak_type):
    microgrid = new_microgrid(admin, site)
    assert new_schedule(admin, microgrid["id"], peak_type=peak_type)["peak_type"] == peak_type


@pytest.mark.parametrize("peak_type", ["peak", "OFFPEAK", "", None, 1])
def test_a_peak_type_outside_the_tariff_vocabulary_is_refused(admin, site, peak_type):
    microgrid = new_microgrid(admin, site)
    refused(admin.post(SCHEDULES, {**SCHEDULE, "microgrid_id": microgrid["id"], "peak_type": peak_type}), 400,
            "API.INVALID_PEAK_TYPE")


@pytest.mark.parametrize("power", ["sixty", None, True, float("inf")])
def test_a_schedule_power_that_is_not_a_number_is_refused(admin, site, power):
    microgrid = new_microgrid(admin, site)
    body = json.dumps({"data": {**SCHEDULE, "microgrid_id": microgrid["id"], "power": power}}).replace(
        "Infinity", "1e999")
    refused(admin.request("POST", SCHEDULES, body=body, headers={"Content-Type": "application/json"}), 400,
            "API.INVALID_POWER")


def test_schedule_power_discharges_positive_and_charges_negative_within_the_rated_power(admin, app, site):
    microgrid = new_microgrid(admin, site, rated_power=100)
    discharge = new_schedule(admin, microgrid["id"], power=100)
    charge = new_schedule(admin, microgrid["id"], start_time_of_day="07:00:00", end_time_of_day="08:00:00",
                          power=-100)
    assert (discharge["power"], charge["power"]) == (100, -100)
    for power in (100.5, -100.001):
        body = {**SCHEDULE, "microgrid_id": microgrid["id"], "start_time_of_day": "09:00:00",
                "end_time_of_day": "10:00:00", "power": power}
        refused(admin.post(SCHEDULES, body), 400, "API.SCHEDULE_POWER_EXCEEDS_MICROGRID_RATED_POWER")
        refused(admin.put(f"{SCHEDULES}/{charge['id']}", {"power": power}), 400,
                "API.SCHEDULE_POWER_EXCEEDS_MICROGRID_RATED_POWER")
    refused(admin.put(f"{MICROGRIDS}/{microgrid['id']}", {"rated_power": 99}), 400,
            "API.SCHEDULE_POWER_EXCEEDS_MICROGRID_RATED_POWER")
    assert admin.get(f"{MICROGRIDS}/{microgrid['id']}").json["rated_power"] == 100
    unrated = admin.put(f"{MICROGRIDS}/{microgrid['id']}", {"rated_power": None})  # no rating, no bound
    assert unrated.status_code == 200, unrated.json
    assert admin.put(f"{SCHEDULES}/{charge['id']}", {"power": -5000}).status_code == 200


# ============================================================================ bindings
@pytest.mark.parametrize(("name", "key"), [("sensors", "sensor_id"), ("users", "user_id")])
def test_a_microgrid_binds_lists_and_unbinds_sensors_and_users(admin, site, name, key):
    microgrid = new_microgrid(admin, site)
    target = site["sensor"] if name == "sensors" else admin.get(f"/users/{admin.user['id']}").json
    path = f"{MICROGRIDS}/{microgrid['id']}/{name}"
    result = admin.post(path, {key: target["id"]})
    assert result.status_code == 201, result.json
    assert [row["id"] for row in admin.get(path).json] == [target["id"]]
    refused(admin.post(path, {key: target["id"]}), 409, f"API.MICROGRID_{name.upper()[:-1]}_RELATION_EXISTS")
    refused(admin.post(path, {key: MISSING}), 404, f"API.{name.upper()[:-1]}_NOT_FOUND")
    assert admin.delete(f"{path}/{target['id']}").status_code == 204
    assert admin.get(path).json == []
    refused(admin.delete(f"{path}/{target['id']}"), 404, f"API.MICROGRID_{name.upper()[:-1]}_RELATION_NOT_FOUND")


def test_a_sensor_bound_to_a_microgrid_cannot_be_deleted(admin, site):
    microgrid = new_microgrid(admin, site)
    admin.post(f"{MICROGRIDS}/{microgrid['id']}/sensors", {"sensor_id": site["sensor"]["id"]})
    refused(admin.delete(f"/sensors/{site['sensor']['id']}"), 409, "API.THERE_IS_RELATION_WITH_MICROGRIDS")


# ============================================================================ delete cascades
def test_deleting_a_microgrid_deletes_its_parts_schedules_and_bindings_and_nothing_else(admin, app, site):
    doomed, kept = equipped(admin, site), equipped(admin, site, name="Shanghai Office")
    before_kept = rows(app, kept["id"])
    assert set(before_kept.values()) == {1, 2} and rows(app, doomed["id"]) == before_kept
    assert admin.delete(f"{MICROGRIDS}/{doomed['id']}").status_code == 204
    assert set(rows(app, doomed["id"]).values()) == {0}
    assert rows(app, kept["id"]) == before_kept
    assert admin.get(f"/sensors/{site['sensor']['id']}").status_code == 200
    assert admin.get(f"/points/{site['soc']['id']}").status_code == 200


def test_a_microgrid_a_virtual_power_plant_binds_cannot_be_deleted_and_keeps_everything(admin, app, site):
    microgrid = equipped(admin, site)
    plant = admin.create("/virtualpowerplants", {"name": "Beijing VPP", "cost_center_id": site["center"]["id"],
                                                 "balancing_price_point_id": site["price"]["id"],
                                                 "svg": "<svg></svg>"})
    admin.post(f"/virtualpowerplants/{plant['id']}/microgrids", {"microgrid_id": microgrid["id"]})
    before = rows(app)
    refused(admin.delete(f"{MICROGRIDS}/{microgrid['id']}"), 409, "API.THERE_IS_RELATION_WITH_VIRTUAL_POWER_PLANTS")
    assert rows(app) == before


@pytest.fixture
def guarded(config: Config) -> Iterator[tuple[Api, Any]]:
    """An app that also serves notes on batteries (``/batterynotes``): a relation the microgrid does not own,
    so a battery with a note cannot be deleted, and neither can its microgrid."""
    notes = sa.Table("tbl_test_battery_notes", sa.MetaData(),
                     sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                     sa.Column("name", sa.String(255), nullable=False),
                     sa.Column("microgrid_battery_id", sa.Integer, nullable=False))
    family = Family("battery_note", "battery_notes", notes, fields=(Text("name"), Ref("microgrid_battery")))
    app = make_app(config, families=(*default_families(), family))
    notes.drop(app.databases.system, checkfirst=True)
    notes.create(app.databases.system)
    yield Api(app).login("administrator", ADMIN_PASSWORD), app
    notes.drop(app.databases.system)
    app.databases.dispose()


def test_a_delete_refused_half_way_through_the_parts_leaves_everything_as_it_was(guarded):
    admin, app = guarded
    site = build_site(admin)
    microgrid = equipped(admin, site)
    second = new_part(admin, BATTERIES, site, microgrid["id"], name="Battery 2")  # deleted after the first
    admin.create("/batterynotes", {"name": "replace in May", "microgrid_battery_id": second["id"]})
    before = rows(app)
    refused(admin.delete(f"{MICROGRIDS}/{microgrid['id']}"), 409, "API.THERE_IS_RELATION_WITH_BATTERY_NOTES")
    assert rows(app) == before
    assert [b["name"] for b in admin.get(f"{MICROGRIDS}/{microgrid['id']}/batteries").json] == ["Battery",
                                                                                               "Battery 2"]


# ============================================================================ export, import, clone
COPIED = ("gateway", "source", *POINTS, "contact", "center", *CATEGORIES, *METERS, "sensor", "svg")
PATHS = {"gateway": "/gateways", "source": "/datasources", "contact": "/contacts", "center": "/costcenters",
         "sensor": "/sensors", "svg": "/svgs", **dict.fromkeys(POINTS, "/points"),
         **dict.fromkeys(CATEGORIES, "/energycategories"), **dict.fromkeys(METERS, "/meters")}


def copy_site(admin: Api, other: Api, site: dict[str, dict[str, Any]]) -> None:
    """Everything a microgrid refers to, imported into ``other`` (so the same uuids resolve there)."""
    other.create("/costcenters", {"name": "Filler"})  # ids over there differ from here
    for name in COPIED:
        doc = admin.get(f"{PATHS[name]}/{site[name]['id']}/export").json
        result = other.post(f"{PATHS[name]}/import", doc)
        assert result.status_code == 201 and result.json["uuid"] == site[name]["uuid"], (name, result.json)


def parts_of(api: Api, microgrid_id: int) -> dict[str, list[dict[str, Any]]]:
    """The microgrid's parts and schedules as names and references by uuid (what must survive a move)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for view in (*(k.view for k in KINDS), "schedules"):
        found[view] = [{k: (v["uuid"] if isinstance(v, dict) and k != "microgrid" else v) for k, v in part.items()
                        if k not in ("id", "uuid", "microgrid")}
                       for part in api.get(f"{MICROGRIDS}/{microgrid_id}/{view}").json]
    return found


def test_exporting_a_microgrid_lists_its_parts_schedules_and_sensors_but_not_its_users(admin, site):
    microgrid = equipped(admin, site)
    doc = admin.get(f"{MICROGRIDS}/{microgrid['id']}/export").json
    assert without(doc, *(k.view for k in KINDS), "schedules", "sensors", "datasources") == microgrid
    assert doc["datasources"] == []
    assert "users" not in doc
    assert [s["uuid"] for s in doc["sensors"]] == [site["sensor"]["uuid"]]
    for kind in KINDS:
        assert [p["name"] for p in doc[kind.view]] == [kind.seed["name"]]
    assert [(s["start_time_of_day"], s["power"]) for s in doc["schedules"]] == [("00:00:00", 60), ("07:00:00", -120)]


def test_a_microgrid_exported_and_imported_into_an_empty_instance_brings_its_parts_and_schedules(admin, other, site):
    microgrid = equipped(admin, site)
    copy_site(admin, other, site)
    doc = admin.get(f"{MICROGRIDS}/{microgrid['id']}/export").json
    result = other.post(f"{MICROGRIDS}/{MISSING}/import", {"data": doc})  # the seed's path and wrapping
    assert result.status_code == 201, result.json
    moved = result.json
    assert without(moved, "id", "contact", "cost_center") == without(microgrid, "id", "contact", "cost_center")
    assert moved["cost_center"]["uuid"] == site["center"]["uuid"]
    assert parts_of(other, moved["id"]) == parts_of(admin, microgrid["id"])
    assert [s["uuid"] for s in other.get(f"{MICROGRIDS}/{moved['id']}/sensors").json] == [site["sensor"]["uuid"]]
    assert other.get(f"{MICROGRIDS}/{moved['id']}/users").json == []
    battery = other.get(f"{MICROGRIDS}/{moved['id']}/batteries").json[0]
    assert battery["uuid"] == doc["batteries"][0]["uuid"] and battery["microgrid"] == summary(moved)


def test_importing_a_microgrid_whose_part_names_an_unknown_point_creates_nothing(admin, other, site):
    microgrid = equipped(admin, site)
    copy_site(admin, other, site)
    doc = admin.get(f"{MICROGRIDS}/{microgrid['id']}/export").json
    doc["loads"][0]["power_point"]["uuid"] = "5ca62d2a-908e-40c5-a6b5-a8e436d60db4"
    refused(other.post(f"{MICROGRIDS}/import", doc), 404, "API.POWER_POINT_NOT_FOUND")
    assert set(rows(other.app).values()) == {0}


def test_importing_a_microgrid_whose_schedule_overlaps_creates_nothing(admin, app, site):
    microgrid = equipped(admin, site)
    doc = admin.get(f"{MICROGRIDS}/{microgrid['id']}/export").json
    doc.update(name="Imported", uuid=None)
    doc["schedules"][1]["start_time_of_day"] = "06:00:00"
    before = rows(app)
    refused(admin.post(f"{MICROGRIDS}/import", doc), 400, "API.MICROGRID_SCHEDULES_OVERLAP")
    assert rows(app) == before


@pytest.mark.parametrize(("view", "parts", "code"), [("batteries", "Battery", "API.INVALID_BATTERIES"),
                                                     ("grids", [1], "API.INVALID_IMPORT_DOCUMENT"),
                                                     ("schedules", {"power": 1}, "API.INVALID_SCHEDULES")])
def test_importing_a_microgrid_whose_parts_are_not_a_list_of_documents_creates_nothing(admin, app, site, view,
                                                                                      parts, code):
    refused(admin.post(f"{MICROGRIDS}/import", {**microgrid_body(site), view: parts}), 400, code)
    assert set(rows(app).values()) == {0}


def test_the_seeds_import_body_with_plain_ids_creates_a_microgrid(admin, site):
    result = admin.post(f"{MICROGRIDS}/1/import", microgrid_body(site, name="Imported Office"))
    assert result.status_code == 201, result.json
    assert result.json["contact"] == summary(site["contact"])
    assert admin.get(f"{MICROGRIDS}/{result.json['id']}/batteries").json == []


def test_cloning_a_microgrid_copies_its_parts_schedules_and_bindings_under_a_free_name(admin, app, site):
    microgrid = equipped(admin, site)
    original = parts_of(admin, microgrid["id"])
    result = admin.post(f"{MICROGRIDS}/{microgrid['id']}/clone")
    assert result.status_code == 201, result.json
    clone = result.json
    assert result.headers["location"] == f"{MICROGRIDS}/{clone['id']}"
    assert (clone["name"], clone["uuid"] != microgrid["uuid"]) == ("Beijing Office (1)", True)
    assert without(clone, "id", "name", "uuid", "qrcode") == without(microgrid, "id", "name", "uuid", "qrcode")
    assert parts_of(admin, clone["id"]) == original  # same names, same points and meters
    batteries = [admin.get(f"{MICROGRIDS}/{m}/batteries").json[0] for m in (microgrid["id"], clone["id"])]
    assert batteries[0]["uuid"] != batteries[1]["uuid"] and batteries[1]["microgrid"] == summary(clone)
    for name in ("sensors", "users"):
        assert admin.get(f"{MICROGRIDS}/{clone['id']}/{name}").json == admin.get(
            f"{MICROGRIDS}/{microgrid['id']}/{name}").json
    assert admin.delete(f"{MICROGRIDS}/{microgrid['id']}").status_code == 204  # the clone stands on its own
    assert parts_of(admin, clone["id"]) == original
    assert rows(app) == rows(app, clone["id"])


# ============================================================================ routes
PREFIXES = ("microgrids", "microgridbatteries", "microgridevchargers", "microgridgenerators", "microgridgrids",
            "microgridheatpumps", "microgridloads", "microgridphotovoltaics", "microgridpowerconversionsystems",
            "microgridschedules")


def seed_pairs(prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    from tests.api.test_seed_coverage import SEED as COPY  # the spec's list, as the repository keeps it

    pairs = [tuple(line.split()) for line in COPY.read_text().splitlines() if line.strip()]
    return [(verb, path) for verb, path in pairs if path.split("/")[1] in prefixes]


def unrouted(app: Any, pairs: list[tuple[str, str]]) -> list[str]:
    missing = []
    for verb, path in pairs:
        found = app._router.find(path.replace("{id}", "1"))
        if found is None or verb not in getattr(found[0], "policies", {}):
            missing.append(f"{verb} {path}")
    return missing


def test_every_seed_endpoint_of_the_microgrid_sections_is_routed(app):
    pairs = seed_pairs(PREFIXES)
    assert len(pairs) == 66
    assert unrouted(app, pairs) == []
    assert unrouted(app, [("DELETE", "/microgridschedules/{id}"), ("POST", "/microgrids/{id}/schedules")]) == []


def test_a_microgrid_as_a_v670_client_sends_it_takes_its_rated_capacity_as_its_capacity(admin, site):
    body = {k: v for k, v in microgrid_body(site).items() if k != "capacity"}
    created = admin.create(MICROGRIDS, {**body, "rated_capacity": 750})
    assert created["capacity"] == 750
