"""Tenants, stores and shopfloors, answered as the seed's "Tenant", "Store" and "Shopfloor" sections.

Payloads are the seed's examples with their ``*_id`` pointed at a contact, a cost center and a tenant or
store type this test created. Every refusal is proved to write nothing by counting the rows of the
family's table (and of its binding tables) straight from the database.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api.test_engine_portability import clone, export, import_, imported, summary
from tests.client import Api, count, refused
from tests.conftest import ADMIN_PASSWORD, make_app

MISSING = 987654

# ---------------------------------------------------------------------------- seed payloads
TENANT = {"name": "Starbucks", "buildings": "Building #1", "floors": "L1 L2 L3", "rooms": "1201b+2247+3F",
          "area": 418.8, "tenant_type_id": 9, "is_input_counted": True, "is_key_tenant": True,
          "lease_number": "6b0da806", "lease_start_datetime": "2021-01-01T00:00:00",
          "lease_end_datetime": "2022-01-01T00:00:00", "is_in_lease": True, "contact_id": 1, "cost_center_id": 1,
          "description": "my description"}
TENANT_PUT = {"name": "Hermes 爱马仕", "buildings": "Building #1", "floors": "L1 L2 L3 L4 L5",
              "rooms": "1201b+2247+3F", "area": 818.8, "tenant_type_id": 9, "is_input_counted": True,
              "is_key_tenant": True, "lease_number": "6b0da806", "lease_start_datetime_utc": "2021-01-01T00:00:00",
              "lease_end_datetime_utc": "2022-01-01T00:00:00", "is_in_lease": True, "contact_id": 1,
              "cost_center_id": 1, "description": "my description"}
STORE = {"name": "麦当劳(新王府井店)", "address": "北京市东城区王府井大街200号工美大厦1层010-65120499",
         "latitude": 39.909429, "longitude": 116.416993, "area": 600.000, "store_type_id": 1, "is_input_counted": True,
         "contact_id": 1, "cost_center_id": 1,
         "description": "Classic, long-running fast-food chain known for its burgers, fries & shakes."}
SHOPFLOOR = {"name": "MyEMS Shopfloor2", "area": 999.99, "is_input_counted": True, "contact_id": 1,
             "cost_center_id": 1, "description": "Shopfloor description"}
# what the sites bind and refer to, as the seed's other sections give them
DIESEL = {"name": "柴油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
TENANT_POWER = {"name": "租户用电"}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}
ALBERT = {"name": "albert", "email": "albert@myems.io", "phone": "+8613888888888", "description": "contact"}
OFFICE = {"name": "Office1", "description": "办公", "simplified_code": "OF1"}
CAR = {"name": "Car", "description": "汽车", "simplified_code": "CA"}
CALENDAR = {"name": "new_working_calendar", "description": "test"}
PM20 = {"name": "PM20", "hourly_low_limit": 0.000, "hourly_high_limit": 999.99, "is_counted": True,
        "master_meter_id": None, "description": "空调用电"}
OFFLINE_PM21 = {"name": "OfflinePM21", "hourly_low_limit": 0.000, "hourly_high_limit": 999.99, "is_counted": True,
                "description": "空调用电"}
VM10 = {"name": "VM10", "is_counted": True, "description": "virtual description"}
SENSOR10 = {"name": "Sensor10", "description": "sensor description"}
COMMAND = {"name": "turn_up_light", "topic": "myems/point/2", "payload": "{address:1, slave_id:1, set_value: $s1}",
           "set_value": 2.0, "description": "turn up light"}
GATEWAY = {"name": "MyEMS Gateway 3", "description": "Gateway 3"}
MODBUS_SOURCE = {"name": "Modbus1", "protocol": "modbus-tcp",
                 "connection": json.dumps({"host": "10.1.2.88", "port": 502})}
POINT = {"name": "ModbusPoint2", "object_type": "ENERGY_VALUE", "units": "kWh", "high_limit": 999999999,
         "low_limit": 0, "ratio": 1, "is_trend": True, "is_virtual": False,
         "address": json.dumps({"slave_id": 1, "function_code": 3, "offset": 1, "number_of_registers": 2,
                                "data_format": "float"})}
EQUIPMENT = {"name": "Chiller1", "is_input_counted": True, "is_output_counted": False, "cost_center_id": 1}

SITE_BINDINGS = ("meters", "offlinemeters", "virtualmeters", "points", "sensors", "workingcalendars", "commands")
# binding name -> the bound family's singular name; its path is "/" + the binding name
TARGETS = {"meters": "meter", "offlinemeters": "offline_meter", "virtualmeters": "virtual_meter", "points": "point",
           "sensors": "sensor", "workingcalendars": "working_calendar", "commands": "command",
           "equipments": "equipment", "combinedequipments": "combined_equipment", "tenants": "tenant",
           "stores": "store", "shopfloors": "shopfloor"}


@dataclass(frozen=True)
class Kind:
    name: str  # "tenant"
    table: sa.Table
    links: dict[str, sa.Table]
    seed: dict[str, Any]
    update: dict[str, Any]
    type_key: str | None = None  # "tenant_type"
    bindings: tuple[str, ...] = SITE_BINDINGS

    @property
    def path(self) -> str:
        return f"/{self.name}s"

    @property
    def upper(self) -> str:
        return self.name.upper()

    def __str__(self) -> str:
        return self.name


KINDS = {
    "tenant": Kind("tenant", schema.tenants, schema.tenants_links, TENANT, TENANT_PUT, "tenant_type"),
    "store": Kind("store", schema.stores, schema.stores_links, STORE,
                  {**STORE, "name": "麦当劳(王府井店)", "area": 650.0}, "store_type"),
    "shopfloor": Kind("shopfloor", schema.shopfloors, schema.shopfloors_links, SHOPFLOOR,
                      {**SHOPFLOOR, "name": "MyEMS Shopfloor3", "area": 888.8},
                      bindings=("equipments", *SITE_BINDINGS)),
}
ALL = list(KINDS.values())
TYPED = [KINDS["tenant"], KINDS["store"]]


# ---------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Refs:
    """What the sites and their bound meters refer to."""

    contact: dict[str, Any]
    center: dict[str, Any]
    category: dict[str, Any]
    item: dict[str, Any]
    types: dict[str, dict[str, Any]]  # "tenant_type" / "store_type" -> the type

    def site_ids(self, kind: Kind) -> dict[str, int]:
        ids = {"contact_id": self.contact["id"], "cost_center_id": self.center["id"]}
        return {**ids, f"{kind.type_key}_id": self.types[kind.type_key]["id"]} if kind.type_key else ids

    def meter_ids(self) -> dict[str, Any]:
        return {"energy_category_id": self.category["id"], "energy_item_id": self.item["id"],
                "cost_center_id": self.center["id"]}


def new_refs(admin: Api) -> Refs:
    category = admin.create("/energycategories", DIESEL)
    return Refs(admin.create("/contacts", ALBERT), admin.create("/costcenters", POWER_CENTER), category,
                admin.create("/energyitems", {**TENANT_POWER, "energy_category_id": category["id"]}),
                {"tenant_type": admin.create("/tenanttypes", OFFICE), "store_type": admin.create("/storetypes", CAR)})


@pytest.fixture
def refs(admin: Api) -> Refs:
    return new_refs(admin)


def payload(kind: Kind, refs: Refs, base: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    return {**(base or kind.seed), **refs.site_ids(kind), **changes}


def new_site(admin: Api, refs: Refs, kind: Kind, **changes: Any) -> dict[str, Any]:
    return admin.create(kind.path, payload(kind, refs, **changes))


def data_source_id(admin: Api) -> int:
    """The one modbus data source of this test, created on first use."""
    sources = admin.get("/datasources").json
    if sources:
        return int(sources[0]["id"])
    gateway = admin.create("/gateways", GATEWAY)
    return int(admin.create("/datasources", {**MODBUS_SOURCE, "gateway_id": gateway["id"]})["id"])


def _virtual_meter(admin: Api, refs: Refs, name: str) -> dict[str, Any]:
    meter = MAKERS["meters"](admin, refs, f"{name}-x1")
    return admin.create("/virtualmeters", {**VM10, **refs.meter_ids(), "name": name, "expression": {
        "equation": "x1", "variables": [{"name": "x1", "meter_type": "meter", "meter_id": meter["id"]}]}})


def _site_maker(kind: str) -> Callable[[Api, Refs, str], dict[str, Any]]:
    return lambda admin, refs, name: new_site(admin, refs, KINDS[kind], name=name)


MAKERS: dict[str, Callable[[Api, Refs, str], dict[str, Any]]] = {
    "meters": lambda a, r, n: a.create("/meters", {**PM20, **r.meter_ids(), "name": n}),
    "offlinemeters": lambda a, r, n: a.create("/offlinemeters", {**OFFLINE_PM21, **r.meter_ids(), "name": n}),
    "virtualmeters": _virtual_meter,
    "points": lambda a, r, n: a.create("/points", {**POINT, "data_source_id": data_source_id(a), "name": n}),
    "sensors": lambda a, r, n: a.create("/sensors", {**SENSOR10, "name": n}),
    "workingcalendars": lambda a, r, n: a.create("/workingcalendars", {**CALENDAR, "name": n}),
    "commands": lambda a, r, n: a.create("/commands", {**COMMAND, "name": n}),
    "equipments": lambda a, r, n: a.create("/equipments", {**EQUIPMENT, "name": n, "cost_center_id": r.center["id"]}),
    "combinedequipments": lambda a, r, n: a.create("/combinedequipments", {
        **EQUIPMENT, "name": n, "cost_center_id": r.center["id"]}),
    **{f"{k}s": _site_maker(k) for k in KINDS},
}


def target_key(binding: str) -> str:
    return f"{TARGETS[binding]}_id"


def bind(admin: Api, owner_path: str, binding: str, target: dict[str, Any]) -> None:
    result = admin.post(f"{owner_path}/{binding}", {target_key(binding): target["id"]})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{owner_path}/{binding}/{target['id']}"


def bound_ids(admin: Api, owner_path: str, binding: str) -> list[int]:
    result = admin.get(f"{owner_path}/{binding}")
    assert result.status_code == 200, result.json
    return [t["id"] for t in result.json]


def rows(app: Any, kind: Kind) -> tuple[int, int]:
    """Rows of the family's table and of all its binding tables."""
    return count(app, kind.table), sum(count(app, t) for t in kind.links.values())


def without(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in keys}


def kinds(*names: str) -> Any:
    return pytest.mark.parametrize("kind", [KINDS[n] for n in names] if names else ALL, ids=str)


# ---------------------------------------------------------------------------- create, read, update, delete
@kinds()
def test_creating_with_the_seed_payload_answers_201_with_the_result_fields(admin, refs, kind):
    result = admin.post(kind.path, payload(kind, refs))
    assert result.status_code == 201, result.json
    got = result.json
    assert result.headers["location"] == f"{kind.path}/{got['id']}"
    assert got["qrcode"] == f"{kind.name}:{got['uuid']}" and len(got["uuid"]) == 36
    assert (got["contact"], got["cost_center"]) == (summary(refs.contact), summary(refs.center))
    if kind.type_key:
        assert got[kind.type_key] == summary(refs.types[kind.type_key])
    sent = {k: v for k, v in kind.seed.items() if not k.endswith("_id")}
    assert {k: got[k] for k in sent} == sent  # lease datetimes echoed as sent, in local time
    assert admin.get(f"{kind.path}/{got['id']}").json == got
    assert admin.get(kind.path).json == [got]


@kinds()
def test_updating_with_the_seed_payload_answers_200_and_is_kept(admin, refs, kind):
    site = new_site(admin, refs, kind)
    result = admin.put(f"{kind.path}/{site['id']}", payload(kind, refs, kind.update))
    assert result.status_code == 200, result.json
    sent = {k.removesuffix("_utc"): v for k, v in kind.update.items() if not k.endswith("_id")}
    assert {k: result.json[k] for k in sent} == sent
    assert admin.get(f"{kind.path}/{site['id']}").json == result.json


def test_the_seeds_lease_keys_ending_in_utc_are_taken_as_the_lease_times(admin, refs):
    tenant = new_site(admin, refs, KINDS["tenant"])
    result = admin.put(f"/tenants/{tenant['id']}", {"lease_start_datetime_utc": "2023-02-01T08:30:00",
                                                   "lease_end_datetime_utc": "2024-02-01T08:30:00"})
    assert result.status_code == 200, result.json
    assert (result.json["lease_start_datetime"], result.json["lease_end_datetime"]) == (
        "2023-02-01T08:30:00", "2024-02-01T08:30:00")


def test_lease_times_are_local_on_the_wire_and_utc_in_the_database(config, tmp_path):
    url = f"sqlite:///{tmp_path / 'beijing.sqlite'}"
    app = make_app(dataclasses.replace(config, db_url=url, historical_db_url=url, energy_db_url=url,
                                       utc_offset="+08:00"))
    try:
        beijing = Api(app).login("administrator", ADMIN_PASSWORD)
        tenant = new_site(beijing, new_refs(beijing), KINDS["tenant"])
        with app.databases.system.connect() as conn:
            stored = conn.execute(sa.select(schema.tenants.c.lease_start_datetime_utc,
                                            schema.tenants.c.lease_end_datetime_utc)).one()
    finally:
        app.databases.dispose()
    assert (tenant["lease_start_datetime"], tenant["lease_end_datetime"]) == ("2021-01-01T00:00:00",
                                                                            "2022-01-01T00:00:00")
    assert tuple(stored) == (datetime(2020, 12, 31, 16), datetime(2021, 12, 31, 16))


@kinds()
def test_deleting_answers_204_and_the_site_is_gone(admin, refs, kind):
    site = new_site(admin, refs, kind)
    assert admin.delete(f"{kind.path}/{site['id']}").status_code == 204
    refused(admin.get(f"{kind.path}/{site['id']}"), 404, f"API.{kind.upper}_NOT_FOUND")
    assert admin.get(kind.path).json == []


@kinds()
@pytest.mark.parametrize("method, suffix", [("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/export"),
                                            ("POST", "/clone"), ("GET", "/meters")])
def test_an_unknown_site_is_not_found(admin, refs, kind, method, suffix):
    data = payload(kind, refs) if method == "PUT" else None
    refused(admin.request(method, f"{kind.path}/{MISSING}{suffix}", data), 404, f"API.{kind.upper}_NOT_FOUND")
    assert rows(admin.app, kind) == (0, 0)


@kinds()
@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5"])
def test_a_malformed_site_id_is_a_bad_request(admin, kind, bad_id):
    refused(admin.get(f"{kind.path}/{bad_id}"), 400, f"API.INVALID_{kind.upper}_ID")
    refused(admin.delete(f"{kind.path}/{bad_id}"), 400, f"API.INVALID_{kind.upper}_ID")


# ---------------------------------------------------------------------------- validation
COMMON_REFUSALS = [
    ({"name": "  "}, 400, "API.INVALID_{K}_NAME"),
    ({"area": -0.001}, 400, "API.INVALID_AREA"),
    ({"area": "big"}, 400, "API.INVALID_AREA"),
    ({"contact_id": MISSING}, 404, "API.CONTACT_NOT_FOUND"),
    ({"cost_center_id": MISSING}, 404, "API.COST_CENTER_NOT_FOUND"),
    ({"is_input_counted": "true"}, 400, "API.INVALID_IS_INPUT_COUNTED"),
]
REFUSALS = [(kind, *case) for kind in KINDS for case in COMMON_REFUSALS] + [
    ("tenant", {"tenant_type_id": MISSING}, 404, "API.TENANT_TYPE_NOT_FOUND"),
    ("tenant", {"lease_end_datetime": "2020-12-31T00:00:00"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"lease_end_datetime": "2021-01-01T00:00:00"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"lease_start_datetime": "2021-13-01T00:00:00"}, 400, "API.INVALID_LEASE_START_DATETIME"),
    ("tenant", {"lease_end_datetime": "next year"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"buildings": "  "}, 400, "API.INVALID_BUILDINGS_VALUE"),
    ("tenant", {"floors": ""}, 400, "API.INVALID_FLOORS_VALUE"),
    ("tenant", {"rooms": None}, 400, "API.INVALID_ROOMS_VALUE"),
    ("tenant", {"lease_number": ""}, 400, "API.INVALID_LEASE_NUMBER_VALUE"),
    ("tenant", {"is_key_tenant": "yes"}, 400, "API.INVALID_IS_KEY_TENANT"),
    ("tenant", {"is_in_lease": 1}, 400, "API.INVALID_IS_IN_LEASE"),
    ("store", {"store_type_id": MISSING}, 404, "API.STORE_TYPE_NOT_FOUND"),
    ("store", {"latitude": 91}, 400, "API.INVALID_LATITUDE_VALUE"),
    ("store", {"longitude": -181}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ("store", {"address": ""}, 400, "API.INVALID_ADDRESS_VALUE"),
]


@pytest.mark.parametrize("kind_name, change, status, code", REFUSALS,
                         ids=[f"{k}-{next(iter(c))}={c[next(iter(c))]}" for k, c, _, _ in REFUSALS])
def test_a_refused_create_answers_its_code_and_writes_nothing(admin, refs, kind_name, change, status, code):
    kind = KINDS[kind_name]
    refused(admin.post(kind.path, payload(kind, refs, **change)), status, code.replace("{K}", kind.upper))
    assert rows(admin.app, kind) == (0, 0)


UPDATE_REFUSALS = [
    ("tenant", {"lease_end_datetime": "2020-06-01T00:00:00"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"lease_start_datetime": "2022-06-01T00:00:00"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"lease_end_datetime_utc": "2020-06-01T00:00:00"}, 400, "API.INVALID_LEASE_END_DATETIME"),
    ("tenant", {"tenant_type_id": MISSING}, 404, "API.TENANT_TYPE_NOT_FOUND"),
    ("store", {"latitude": -90.5}, 400, "API.INVALID_LATITUDE_VALUE"),
    ("store", {"store_type_id": MISSING}, 404, "API.STORE_TYPE_NOT_FOUND"),
    *[(k, {"area": -5}, 400, "API.INVALID_AREA") for k in KINDS],
    *[(k, {"contact_id": MISSING}, 404, "API.CONTACT_NOT_FOUND") for k in KINDS],
]


@pytest.mark.parametrize("kind_name, change, status, code", UPDATE_REFUSALS,
                         ids=[f"{k}-{next(iter(c))}" for k, c, _, _ in UPDATE_REFUSALS])
def test_a_refused_update_answers_its_code_and_changes_nothing(admin, refs, kind_name, change, status, code):
    kind = KINDS[kind_name]
    site = new_site(admin, refs, kind)
    refused(admin.put(f"{kind.path}/{site['id']}", change), status, code)
    assert admin.get(f"{kind.path}/{site['id']}").json == site


@kinds()
def test_a_duplicate_name_is_a_conflict_and_writes_nothing(admin, refs, kind):
    site = new_site(admin, refs, kind)
    refused(admin.post(kind.path, payload(kind, refs)), 409, f"API.{kind.upper}_NAME_IS_ALREADY_IN_USE")
    assert rows(admin.app, kind) == (1, 0)
    second = new_site(admin, refs, kind, name="Second")
    refused(admin.put(f"{kind.path}/{second['id']}", {"name": site["name"]}), 409,
            f"API.{kind.upper}_NAME_IS_ALREADY_IN_USE")
    assert admin.get(f"{kind.path}/{second['id']}").json["name"] == "Second"


@pytest.mark.parametrize("kind", TYPED, ids=str)
def test_a_type_in_use_cannot_be_deleted(admin, refs, kind):
    site = new_site(admin, refs, kind)
    type_path = f"/{kind.type_key.replace('_', '')}s"
    type_id = refs.types[kind.type_key]["id"]
    refused(admin.delete(f"{type_path}/{type_id}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}S")
    assert admin.get(f"{type_path}/{type_id}").status_code == 200
    assert admin.delete(f"{kind.path}/{site['id']}").status_code == 204
    assert admin.delete(f"{type_path}/{type_id}").status_code == 204


# ---------------------------------------------------------------------------- bindings
CASES = [(kind, binding) for kind in ALL for binding in kind.bindings]


@pytest.mark.parametrize("kind, binding", CASES, ids=[f"{k}-{b}" for k, b in CASES])
def test_a_binding_is_made_listed_refused_twice_and_unmade(admin, refs, kind, binding):
    site = new_site(admin, refs, kind)
    target = MAKERS[binding](admin, refs, "Bound1")
    owner = f"{kind.path}/{site['id']}"
    bind(admin, owner, binding, target)
    assert admin.get(f"{owner}/{binding}").json == [admin.get(f"/{binding}/{target['id']}").json]
    relation = f"API.{kind.upper}_{TARGETS[binding].upper()}_RELATION"
    refused(admin.post(f"{owner}/{binding}", {target_key(binding): target["id"]}), 409, f"{relation}_EXISTS")
    assert count(admin.app, kind.links[TARGETS[binding]]) == 1
    assert admin.delete(f"{owner}/{binding}/{target['id']}").status_code == 204
    assert bound_ids(admin, owner, binding) == []
    refused(admin.delete(f"{owner}/{binding}/{target['id']}"), 404, f"{relation}_NOT_FOUND")
    assert admin.get(f"/{binding}/{target['id']}").status_code == 200  # unbinding deletes nothing


@kinds()
def test_binding_to_something_unknown_or_malformed_is_refused_and_writes_nothing(admin, refs, kind):
    site = new_site(admin, refs, kind)
    meter = MAKERS["meters"](admin, refs, "PM20")
    owner = f"{kind.path}/{site['id']}"
    refused(admin.post(f"{owner}/meters", {"meter_id": MISSING}), 404, "API.METER_NOT_FOUND")
    refused(admin.post(f"{owner}/meters", {"meter_id": "x"}), 400, "API.INVALID_METER_ID")
    refused(admin.post(f"{kind.path}/{MISSING}/meters", {"meter_id": meter["id"]}), 404, f"API.{kind.upper}_NOT_FOUND")
    refused(admin.delete(f"{kind.path}/{MISSING}/meters/{meter['id']}"), 404, f"API.{kind.upper}_NOT_FOUND")
    assert rows(admin.app, kind) == (1, 0)


@pytest.mark.parametrize("kind, binding", [(k, b) for k in ALL for b in ("meters", "workingcalendars")],
                         ids=lambda v: str(v))
def test_a_bound_meter_or_working_calendar_cannot_be_deleted(admin, refs, kind, binding):
    site = new_site(admin, refs, kind)
    target = MAKERS[binding](admin, refs, "Bound1")
    owner = f"{kind.path}/{site['id']}"
    bind(admin, owner, binding, target)
    refused(admin.delete(f"/{binding}/{target['id']}"), 409, f"API.THERE_IS_RELATION_WITH_{kind.upper}S")
    assert bound_ids(admin, owner, binding) == [target["id"]]
    admin.delete(f"{owner}/{binding}/{target['id']}")
    assert admin.delete(f"/{binding}/{target['id']}").status_code == 204


@kinds()
def test_a_site_with_bindings_cannot_be_deleted(admin, refs, kind):
    site = new_site(admin, refs, kind)
    sensor = MAKERS["sensors"](admin, refs, "Sensor10")
    owner = f"{kind.path}/{site['id']}"
    bind(admin, owner, "sensors", sensor)
    refused(admin.delete(owner), 409, "API.THERE_IS_RELATION_WITH_SENSORS")
    assert rows(admin.app, kind) == (1, 1)
    admin.delete(f"{owner}/sensors/{sensor['id']}")
    assert admin.delete(owner).status_code == 204


# ---------------------------------------------------------------------------- export, import, clone
def site_with_bindings(admin: Api, refs: Refs, kind: Kind) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    site = new_site(admin, refs, kind)
    targets = {b: MAKERS[b](admin, refs, f"{b}-1") for b in ("meters", "workingcalendars")}
    for binding, target in targets.items():
        bind(admin, f"{kind.path}/{site['id']}", binding, target)
    return site, targets


@kinds()
def test_an_export_is_the_site_with_its_bindings_by_uuid(admin, refs, kind):
    site, targets = site_with_bindings(admin, refs, kind)
    doc = export(admin, kind.path, site["id"])
    assert without(doc, *kind.bindings) == site
    assert doc["meters"] == [admin.get(f"/meters/{targets['meters']['id']}").json]
    assert [c["uuid"] for c in doc["workingcalendars"]] == [targets["workingcalendars"]["uuid"]]
    assert all(doc[b] == [] for b in kind.bindings if b not in targets)


FILLERS = {"/contacts": {**ALBERT, "name": "filler"}, "/costcenters": {"name": "filler"},
           "/workingcalendars": {"name": "filler"}}


def carry(admin: Api, other: Api, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Export from the first instance and import into ``other`` behind a filler, so the ids differ."""
    other.create(path, FILLERS[path])
    copy = imported(other, path, export(admin, path, obj["id"]))
    assert copy["uuid"] == obj["uuid"] and copy["id"] != obj["id"]
    return copy


def exported_for_other(admin: Api, other: Api, refs: Refs, kind: Kind, bound: dict[str, Any] | None = None,
                       skip: str = "") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A site (bound to the working calendar ``bound``) exported, and what it refers to carried to ``other``
    (all but ``skip``). Tenant and store types have no export: ``other`` gets its own type, named by id."""
    site = new_site(admin, refs, kind)
    sources = {"/contacts": refs.contact, "/costcenters": refs.center}
    if bound:
        bind(admin, f"{kind.path}/{site['id']}", "workingcalendars", bound)
        sources["/workingcalendars"] = bound
    carried = {path: carry(admin, other, path, obj) for path, obj in sources.items() if path != skip}
    doc = export(admin, kind.path, site["id"])
    if kind.type_key and skip != kind.type_key:
        local = other.create(f"/{kind.type_key.replace('_', '')}s", {**OFFICE, "name": "Local type"})
        doc[kind.type_key] = {"id": local["id"]}
    return doc, carried


def typeless(obj: dict[str, Any], kind: Kind) -> dict[str, Any]:
    return without(obj, "id", "contact", "cost_center", *([kind.type_key] if kind.type_key else []))


@kinds()
def test_an_import_into_another_instance_resolves_references_and_bindings_by_uuid(admin, other, refs, kind):
    calendar = MAKERS["workingcalendars"](admin, refs, "new_working_calendar")
    doc, carried = exported_for_other(admin, other, refs, kind, calendar)
    new = imported(other, kind.path, doc)
    assert (new["name"], new["uuid"]) == (doc["name"], doc["uuid"])
    assert new["contact"] == summary(carried["/contacts"]) and new["cost_center"] == summary(carried["/costcenters"])
    assert typeless(new, kind) == typeless(admin.get(f"{kind.path}/{doc['id']}").json, kind)
    assert bound_ids(other, f"{kind.path}/{new['id']}", "workingcalendars") == [carried["/workingcalendars"]["id"]]


@kinds()
@pytest.mark.parametrize("missing, code", [("/contacts", "API.CONTACT_NOT_FOUND"),
                                           ("/costcenters", "API.COST_CENTER_NOT_FOUND"),
                                           ("/workingcalendars", "API.WORKING_CALENDAR_NOT_FOUND")])
def test_an_import_whose_reference_is_missing_there_is_not_found_and_writes_nothing(admin, other, refs, kind,
                                                                                     missing, code):
    calendar = MAKERS["workingcalendars"](admin, refs, "new_working_calendar")
    doc, _ = exported_for_other(admin, other, refs, kind, calendar, skip=missing)
    refused(import_(other, kind.path, doc), 404, code)
    assert rows(other.app, kind) == (0, 0)


@pytest.mark.parametrize("kind", TYPED, ids=str)
def test_an_import_whose_type_uuid_is_unknown_there_is_not_found_and_writes_nothing(admin, other, refs, kind):
    doc, _ = exported_for_other(admin, other, refs, kind, skip=kind.type_key)
    refused(import_(other, kind.path, doc), 404, f"API.{kind.type_key.upper()}_NOT_FOUND")
    assert rows(other.app, kind) == (0, 0)


@kinds()
def test_a_clone_is_named_n_with_a_fresh_uuid_and_the_same_bindings(admin, refs, kind):
    site, targets = site_with_bindings(admin, refs, kind)
    copy = clone(admin, kind.path, site["id"])
    assert copy["name"] == f"{site['name']} (1)" and copy["uuid"] != site["uuid"]
    assert copy["qrcode"] == f"{kind.name}:{copy['uuid']}"
    assert without(copy, "id", "name", "uuid", "qrcode") == without(site, "id", "name", "uuid", "qrcode")
    for binding, target in targets.items():
        assert bound_ids(admin, f"{kind.path}/{copy['id']}", binding) == [target["id"]]
    assert clone(admin, kind.path, site["id"])["name"] == f"{site['name']} (2)"



@pytest.mark.parametrize("path", ["/tenanttypes", "/storetypes"])
def test_tenant_and_store_types_move_by_export_so_tenants_and_stores_can_follow(admin, other, path):
    kind = admin.create(path, {"name": "Food & Beverage", "simplified_code": "FB"})
    moved = imported(other, path, export(admin, path, kind["id"]))
    assert (moved["uuid"], moved["name"]) == (kind["uuid"], "Food & Beverage")
