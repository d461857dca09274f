"""Photovoltaic power stations and wind farms, answered as the seed's sections of the same names.

Payloads are the seed's ("Beijing Office", an inline ``<svg></svg>``) with their ids pointed at a contact
and a cost center this test created; a stored SVG is named by ``svg_id`` and answered as ``svg_diagram``.
Both families are one station spec: the same fields, checks, export, import and clone; the seed's "POST
Import a Wind Farm" to ``/windfarms/{id}`` is served as an import. The station helpers here are shared
with the energy storage power station tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import power_station_tables as tables
from tests.api.test_engine_portability import clone, export, imported, summary
from tests.client import Api, count, refused

MISSING = 987654
DROP = object()  # marker: leave the key out of the payload
SEED_ENDPOINTS = Path(__file__).resolve().parents[1] / "data" / "seed-endpoints.txt"

STATION = {"name": "Beijing Office", "address": "Wangfujing Street, Dongcheng District, Beijing",
           "postal_code": "100000", "latitude": 39.909429, "longitude": 116.416993, "capacity": 600.000,
           "contact_id": 1, "cost_center_id": 1, "svg": "<svg></svg>", "description": "Classic"}
PLAIN = ("name", "address", "postal_code", "latitude", "longitude", "capacity", "description")
ALBERT = {"name": "albert", "email": "albert@myems.io", "phone": "+8613888888888", "description": "contact"}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}
DIAGRAM = {"name": "Station diagram", "svg": "<svg><rect width=\"2\" height=\"1\"/></svg>", "description": "svg"}

PV, WIND = "/photovoltaicpowerstations", "/windfarms"
TABLES = {PV: tables.photovoltaic_power_stations, WIND: tables.wind_farms,
          "/energystoragepowerstations": tables.energy_storage_power_stations}
UPPER = {PV: "PHOTOVOLTAIC_POWER_STATION", WIND: "WIND_FARM",
         "/energystoragepowerstations": "ENERGY_STORAGE_POWER_STATION"}
BOTH = pytest.mark.parametrize("path", [PV, WIND], ids=["photovoltaic", "wind"])


# ---------------------------------------------------------------------------- helpers
def ok(result: Any, status: int = 200) -> Any:
    assert result.status_code == status, (result.status_code, result.json)
    return result.json


def payload(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**base, **changes}.items() if v is not DROP}


def carry(admin: Api, other: Api, path: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Export from this instance, import into the other one (same uuid there, maybe another id)."""
    return imported(other, path, export(admin, path, obj["id"]))


def station_refs(api: Api, prefix: str = "") -> dict[str, dict[str, Any]]:
    return {"contact": api.create("/contacts", {**ALBERT, "name": prefix + ALBERT["name"]}),
            "center": api.create("/costcenters", {**POWER_CENTER, "name": prefix + POWER_CENTER["name"]}),
            "svg": api.create("/svgs", {**DIAGRAM, "name": prefix + DIAGRAM["name"]})}


def carry_station_refs(admin: Api, other: Api, refs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The contact, cost center and SVG moved to the other instance, after fillers that give them other ids."""
    paths = (("contact", "/contacts"), ("center", "/costcenters"), ("svg", "/svgs"))
    for attempt in range(3):  # MariaDB's ids run on across tests: one may match the other instance's by chance
        station_refs(other, prefix=f"filler {attempt} ")
        moved = {k: carry(admin, other, p, refs[k]) for k, p in paths}
        if all(moved[k]["id"] != refs[k]["id"] for k in moved):
            return moved
        for k, p in paths:
            assert other.delete(f"{p}/{moved[k]['id']}").status_code == 204
    raise AssertionError("the moved references kept their ids")


def station(api: Api, path: str, refs: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return api.create(path, payload(STATION, contact_id=refs["contact"]["id"], cost_center_id=refs["center"]["id"],
                                    **changes))


def seed_endpoints(*prefixes: str) -> list[tuple[str, str]]:
    pairs = [tuple(line.split()) for line in SEED_ENDPOINTS.read_text().splitlines() if line.strip()]
    return [(verb, path) for verb, path in pairs if path.split("/")[1] in prefixes]


def unrouted(app: Any, pairs: list[tuple[str, str]]) -> list[str]:
    missing = []
    for verb, path in pairs:
        found = app._router.find(path.replace("{id}", "1"))
        if found is None or verb not in getattr(found[0], "policies", {}):
            missing.append(f"{verb} {path}")
    return missing


@pytest.fixture
def refs(admin: Api) -> dict[str, dict[str, Any]]:
    """A contact, a cost center and an SVG."""
    return station_refs(admin)


# ---------------------------------------------------------------------------- routes
def test_every_seed_endpoint_of_photovoltaic_stations_and_wind_farms_is_routed(app):
    pairs = seed_endpoints("photovoltaicpowerstations", "windfarms")
    assert len(pairs) == 16
    assert unrouted(app, pairs) == []


# ---------------------------------------------------------------------------- CRUD
@BOTH
def test_creating_the_seed_payload_keeps_its_inline_svg_and_answers_references_and_qrcode(admin, path, refs):
    result = admin.post(path, {**STATION, "contact_id": refs["contact"]["id"], "cost_center_id": refs["center"]["id"]})
    got = ok(result, 201)
    assert result.headers["location"] == f"{path}/{got['id']}"
    assert {k: got[k] for k in PLAIN} == {k: STATION[k] for k in PLAIN}
    assert (got["contact"], got["cost_center"]) == (summary(refs["contact"]), summary(refs["center"]))
    assert (got["svg"], got["svg_diagram"]) == ("<svg></svg>", None)
    assert got["qrcode"] == f"{path.strip('/').removesuffix('s')}:{got['uuid']}"


@BOTH
def test_a_stored_svg_is_named_by_svg_id_and_answered_as_svg_diagram(admin, path, refs):
    got = station(admin, path, refs, svg=DROP, svg_id=refs["svg"]["id"])
    assert (got["svg"], got["svg_diagram"]) == (None, summary(refs["svg"]))
    assert ok(admin.get(f"{path}/{got['id']}")) == got
    assert ok(admin.get(path)) == [got]


@BOTH
def test_updating_changes_the_fields_and_a_partial_update_keeps_the_others(admin, path, refs):
    created = station(admin, path, refs)
    changed = {"name": "Shanghai Office", "capacity": 800.5, "latitude": -33.5, "longitude": -70.25,
               "svg_id": refs["svg"]["id"], "description": None}
    updated = ok(admin.put(f"{path}/{created['id']}", changed))
    assert updated == {**created, **{k: v for k, v in changed.items() if k != "svg_id"},
                       "rated_capacity": 800.5, "svg_diagram": summary(refs["svg"])}  # one rating, two names
    assert ok(admin.put(f"{path}/{created['id']}", {"postal_code": "200000"})) == {**updated, "postal_code": "200000"}


@BOTH
def test_deleting_answers_204_and_then_it_is_not_found(admin, app, path, refs):
    created = station(admin, path, refs)
    assert admin.delete(f"{path}/{created['id']}").status_code == 204
    refused(admin.get(f"{path}/{created['id']}"), 404, f"API.{UPPER[path]}_NOT_FOUND")
    assert count(app, TABLES[path]) == 0


INVALID = [
    ({"name": DROP}, 400, "API.INVALID_{U}_NAME"),
    ({"address": ""}, 400, "API.INVALID_ADDRESS_VALUE"),
    ({"postal_code": 100000}, 400, "API.INVALID_POSTAL_CODE_VALUE"),
    ({"latitude": 90.5}, 400, "API.INVALID_LATITUDE_VALUE"),
    ({"latitude": -91}, 400, "API.INVALID_LATITUDE_VALUE"),
    ({"longitude": 180.01}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ({"longitude": "east"}, 400, "API.INVALID_LONGITUDE_VALUE"),
    ({"capacity": -0.001}, 400, "API.INVALID_CAPACITY_VALUE"),
    ({"capacity": True}, 400, "API.INVALID_CAPACITY_VALUE"),
    ({"contact_id": MISSING}, 404, "API.CONTACT_NOT_FOUND"),
    ({"cost_center_id": "abc"}, 400, "API.INVALID_COST_CENTER_ID"),
    ({"svg_id": MISSING}, 404, "API.SVG_DIAGRAM_NOT_FOUND"),
    ({"svg_id": "one"}, 400, "API.INVALID_SVG_ID"),
    ({"svg": "<svg onload=\"alert(1)\"></svg>"}, 400, "API.INVALID_SVG"),
    ({"svg": "<html></html>"}, 400, "API.INVALID_SVG"),
    ({"svg": DROP}, 400, "API.INVALID_SVG"),
    ({"svg": None}, 400, "API.INVALID_SVG"),
]


@BOTH
@pytest.mark.parametrize("changes, status, code", INVALID, ids=[f"{next(iter(c))}-{i}" for i, (c, _, _) in
                                                                enumerate(INVALID)])
def test_an_invalid_create_or_update_is_refused_with_its_code_and_writes_nothing(admin, app, path, refs, changes,
                                                                                 status, code):
    code = code.format(U=UPPER[path])
    base = payload(STATION, contact_id=refs["contact"]["id"], cost_center_id=refs["center"]["id"])
    refused(admin.post(path, payload(base, **changes)), status, code)
    assert count(app, TABLES[path]) == 0
    created = station(admin, path, refs)
    if DROP not in changes.values():
        refused(admin.put(f"{path}/{created['id']}", changes), status, code)
        assert ok(admin.get(f"{path}/{created['id']}")) == created


@BOTH
def test_a_name_in_use_is_a_conflict(admin, app, path, refs):
    station(admin, path, refs)
    body = payload(STATION, name="beijing office", contact_id=refs["contact"]["id"],
                   cost_center_id=refs["center"]["id"])
    refused(admin.post(path, body), 409, f"API.{UPPER[path]}_NAME_IS_ALREADY_IN_USE")
    assert count(app, TABLES[path]) == 1


@BOTH
def test_an_svg_or_contact_in_use_by_a_station_cannot_be_deleted(admin, path, refs):
    created = station(admin, path, refs, svg_id=refs["svg"]["id"])
    relation = f"API.THERE_IS_RELATION_WITH_{UPPER[path]}S"
    refused(admin.delete(f"/svgs/{refs['svg']['id']}"), 409, relation)
    refused(admin.delete(f"/contacts/{refs['contact']['id']}"), 409, relation)
    assert admin.delete(f"{path}/{created['id']}").status_code == 204
    assert admin.delete(f"/svgs/{refs['svg']['id']}").status_code == 204


# ---------------------------------------------------------------------------- export, import, clone
@BOTH
def test_an_export_imports_into_an_empty_instance_with_references_resolved_by_uuid(admin, other, path, refs):
    created = station(admin, path, refs, svg_id=refs["svg"]["id"])
    moved = carry_station_refs(admin, other, refs)
    got = carry(admin, other, path, created)
    assert got["uuid"] == created["uuid"]
    assert {k: got[k] for k in (*PLAIN, "svg")} == {k: created[k] for k in (*PLAIN, "svg")}
    assert (got["contact"], got["cost_center"], got["svg_diagram"]) == (
        summary(moved["contact"]), summary(moved["center"]), summary(moved["svg"]))


@BOTH
def test_importing_with_an_unknown_reference_is_refused_and_writes_nothing(admin, other, path, refs):
    doc = export(admin, path, station(admin, path, refs)["id"])
    refused(other.post(f"{path}/import", doc), 404, "API.CONTACT_NOT_FOUND")
    assert ok(other.get(path)) == []


@BOTH
def test_the_seeds_import_example_creates_from_its_data(admin, path, refs):
    body = payload(STATION, contact_id=refs["contact"]["id"], cost_center_id=refs["center"]["id"])
    got = ok(admin.post(f"{path}/1/import", body), 201)
    assert {k: got[k] for k in PLAIN} == {k: STATION[k] for k in PLAIN}


def test_the_seeds_wind_farm_import_to_the_item_path_and_the_collection_path_both_import(admin, refs):
    base = payload(STATION, contact_id=refs["contact"]["id"], cost_center_id=refs["center"]["id"])
    first = ok(admin.post(f"{WIND}/{MISSING}", base), 201)  # the seed posts its import to /windfarms/{id}
    second = ok(admin.post(f"{WIND}/import", {**base, "name": "Dalian Farm"}), 201)
    assert [f["name"] for f in ok(admin.get(WIND))] == [first["name"], second["name"]] == ["Beijing Office",
                                                                                            "Dalian Farm"]


@BOTH
def test_cloning_copies_every_field_under_a_new_name_and_uuid(admin, path, refs):
    created = station(admin, path, refs, svg_id=refs["svg"]["id"])
    copy = clone(admin, path, created["id"])
    assert copy["name"] == "Beijing Office (1)" and copy["uuid"] != created["uuid"]
    same = [k for k in created if k not in ("id", "name", "uuid", "qrcode")]
    assert {k: copy[k] for k in same} == {k: created[k] for k in same}
    assert clone(admin, path, created["id"])["name"] == "Beijing Office (2)"


@BOTH
def test_an_unknown_or_malformed_id_is_answered_on_every_route(admin, path, refs):
    for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/export"), ("POST", "/clone")):
        refused(admin.request(method, f"{path}/{MISSING}{suffix}", {"name": "X"} if method == "PUT" else None),
                404, f"API.{UPPER[path]}_NOT_FOUND")
        refused(admin.request(method, f"{path}/abc{suffix}", {"name": "X"} if method == "PUT" else None),
                400, f"API.INVALID_{UPPER[path]}_ID")


def test_a_photovoltaic_station_and_a_wind_farm_may_share_a_name(app, admin, refs):
    station(admin, PV, refs)
    station(admin, WIND, refs)
    with app.databases.system.connect() as conn:
        names = [conn.execute(sa.select(t.c.name)).scalars().all() for t in (TABLES[PV], TABLES[WIND])]
    assert names == [["Beijing Office"], ["Beijing Office"]]


# ---------------------------------------------------------------------------- v6.7.0 bodies
V670 = {"name": "Solar Farm", "address": "1 Sun Road", "latitude": 31.2, "longitude": 121.5, "rated_capacity": 800,
        "rated_power": 500, "is_cost_data_displayed": True, "phase_of_lifecycle": "use",
        "commissioning_date": "2026-05-01", "station_code": "PV-001", "description": None}


@pytest.mark.parametrize("path", [PV, WIND, "/energystoragepowerstations"])
def test_a_station_as_a_v670_client_sends_it_is_accepted_with_its_ratings(admin, refs, path):
    body = {**V670, "contact_id": refs["contact"]["id"], "cost_center_id": refs["center"]["id"],
            "svg_id": refs["svg"]["id"]}
    if path == WIND:
        body.pop("rated_capacity")  # a v6.7.0 wind farm has only its rated power
    created = admin.create(path, body)
    assert created["postal_code"] is None and created["svg_diagram"]["id"] == refs["svg"]["id"]
    assert created["rated_power"] == 500 and created["capacity"] == (500 if path == WIND else 800)
    assert (created["phase_of_lifecycle"], created["commissioning_date"], created["is_cost_data_displayed"]) == \
        ("use", "2026-05-01", True)
    refused(admin.post(path, {**body, "name": "x", "commissioning_date": "May 1st"}), 400,
            "API.INVALID_COMMISSIONING_DATE")
