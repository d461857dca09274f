"""Spaces bound to tenants, stores, shopfloors, equipment, combined equipment, microgrids and energy storage
power stations (the seed's "Space" section), and the energy categories metered anywhere in a space's subtree.

Spaces form one tree under a single root: campus -> building A -> floor 1, and a sibling building B.
"""

from __future__ import annotations

from typing import Any

import pytest

from myems_api.db import schema
from tests.api.test_engine_portability import clone, export
from tests.api.test_microgrids import build_site, new_microgrid
from tests.api.test_power_plants import station, station_refs
from tests.api.test_sites import MAKERS, OFFLINE_PM21, PM20, TARGETS, VM10, Refs, bind, bound_ids, new_refs
from tests.client import Api, count, refused

MISSING = 987654
SPACE = {"area": 999.99, "is_input_counted": True, "is_output_counted": False, "latitude": 39.909429,
         "longitude": 116.416993, "description": "Space description"}
ELECTRICITY = {"name": "电", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.8825}
WATER = {"name": "自来水", "unit_of_measure": "m³", "kgce": 0.0857, "kgco2e": 0.91}
NEW_BINDINGS = ("tenants", "stores", "shopfloors", "equipments", "combinedequipments")


# ---------------------------------------------------------------------------- helpers
def timezone_id(admin: Api) -> int:
    """Ids differ between databases: the seed's time zone 56 is looked up by name."""
    return next(t["id"] for t in admin.get("/timezones").json if t["name"] == "China Standard Time")


def space(admin: Api, name: str, parent: dict[str, Any] | None) -> dict[str, Any]:
    return admin.create("/spaces", {**SPACE, "name": name, "parent_space_id": parent["id"] if parent else None,
                                    "timezone_id": timezone_id(admin)})


@pytest.fixture
def campus(admin: Api) -> dict[str, dict[str, Any]]:
    root = space(admin, "Campus", None)
    building = space(admin, "Building A", root)
    return {"root": root, "building": building, "floor": space(admin, "Floor 1", building),
            "other": space(admin, "Building B", root)}


@pytest.fixture
def refs(admin: Api) -> Refs:
    return new_refs(admin)


def at(place: dict[str, Any]) -> str:
    return f"/spaces/{place['id']}"


def categories(admin: Api, place: dict[str, Any]) -> list[dict[str, Any]]:
    result = admin.get(f"{at(place)}/treemetersenergycategories")
    assert result.status_code == 200, result.json
    return sorted(result.json, key=lambda c: c["id"])


def metering(admin: Api, path: str, base: dict[str, Any], name: str, category: dict[str, Any],
             refs: Refs, **extra: Any) -> dict[str, Any]:
    return admin.create(path, {**base, "name": name, "energy_category_id": category["id"], "energy_item_id": None,
                               "cost_center_id": refs.center["id"], **extra})


def as_read(admin: Api, *found: dict[str, Any]) -> list[dict[str, Any]]:
    return [admin.get(f"/energycategories/{c['id']}").json for c in sorted(found, key=lambda c: c["id"])]


# ---------------------------------------------------------------------------- bindings
@pytest.mark.parametrize("binding", NEW_BINDINGS)
def test_a_space_binding_is_made_listed_refused_twice_and_unmade(admin, refs, campus, binding):
    target = MAKERS[binding](admin, refs, "Bound1")
    floor = at(campus["floor"])
    bind(admin, floor, binding, target)
    assert admin.get(f"{floor}/{binding}").json == [admin.get(f"/{binding}/{target['id']}").json]
    relation = f"API.SPACE_{TARGETS[binding].upper()}_RELATION"
    refused(admin.post(f"{floor}/{binding}", {f"{TARGETS[binding]}_id": target["id"]}), 409, f"{relation}_EXISTS")
    assert count(admin.app, schema.spaces_links[TARGETS[binding]]) == 1
    assert admin.delete(f"{floor}/{binding}/{target['id']}").status_code == 204
    assert bound_ids(admin, floor, binding) == []
    refused(admin.delete(f"{floor}/{binding}/{target['id']}"), 404, f"{relation}_NOT_FOUND")


@pytest.mark.parametrize("binding", NEW_BINDINGS)
def test_binding_to_an_unknown_target_or_space_is_not_found_and_writes_nothing(admin, refs, campus, binding):
    target = MAKERS[binding](admin, refs, "Bound1")
    key = f"{TARGETS[binding]}_id"
    refused(admin.post(f"{at(campus['floor'])}/{binding}", {key: MISSING}), 404,
            f"API.{TARGETS[binding].upper()}_NOT_FOUND")
    refused(admin.post(f"/spaces/{MISSING}/{binding}", {key: target["id"]}), 404, "API.SPACE_NOT_FOUND")
    assert count(admin.app, schema.spaces_links[TARGETS[binding]]) == 0


@pytest.mark.parametrize("binding", NEW_BINDINGS)
def test_a_target_bound_to_a_space_cannot_be_deleted(admin, refs, campus, binding):
    target = MAKERS[binding](admin, refs, "Bound1")
    bind(admin, at(campus["floor"]), binding, target)
    refused(admin.delete(f"/{binding}/{target['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")
    assert admin.get(f"/{binding}/{target['id']}").status_code == 200
    admin.delete(f"{at(campus['floor'])}/{binding}/{target['id']}")
    assert admin.delete(f"/{binding}/{target['id']}").status_code == 204


@pytest.mark.parametrize("binding", NEW_BINDINGS)
def test_a_space_with_such_a_binding_cannot_be_deleted(admin, refs, campus, binding):
    target = MAKERS[binding](admin, refs, "Bound1")
    floor = at(campus["floor"])
    bind(admin, floor, binding, target)
    refused(admin.delete(floor), 409, f"API.THERE_IS_RELATION_WITH_{TARGETS[binding].upper()}S")
    assert bound_ids(admin, floor, binding) == [target["id"]]
    admin.delete(f"{floor}/{binding}/{target['id']}")
    assert admin.delete(floor).status_code == 204


def test_a_combined_equipment_posted_to_equipments_binds_as_the_seed_sends_it(admin, refs, campus):
    combined = MAKERS["combinedequipments"](admin, refs, "Plant1")
    floor = at(campus["floor"])
    result = admin.post(f"{floor}/equipments", {"combined_equipment_id": combined["id"]})
    assert result.status_code == 201, result.json
    assert (bound_ids(admin, floor, "combinedequipments"), bound_ids(admin, floor, "equipments")) == (
        [combined["id"]], [])


def test_a_space_export_carries_the_new_bindings_by_uuid_and_a_clone_copies_them(admin, refs, campus):
    floor = at(campus["floor"])
    targets = {b: MAKERS[b](admin, refs, f"{b}-1") for b in NEW_BINDINGS}
    for binding, target in targets.items():
        bind(admin, floor, binding, target)
    doc = export(admin, "/spaces", campus["floor"]["id"])
    assert {b: [t["uuid"] for t in doc[b]] for b in NEW_BINDINGS} == {b: [t["uuid"]] for b, t in targets.items()}
    copy = clone(admin, "/spaces", campus["floor"]["id"])
    assert (copy["name"], copy["parent_space_id"]) == ("Floor 1 (1)", campus["building"]["id"])
    assert {b: bound_ids(admin, at(copy), b) for b in NEW_BINDINGS} == {b: [t["id"]] for b, t in targets.items()}


def test_cloning_the_root_space_leaves_a_single_root(admin, campus):
    admin.post(f"{at(campus['root'])}/clone")
    assert [s["name"] for s in admin.get("/spaces").json if s["parent_space_id"] is None] == ["Campus"]


# ---------------------------------------------------------------------------- tree energy categories
@pytest.fixture
def metered(admin: Api, refs: Refs, campus: dict[str, Any]) -> dict[str, Any]:
    """An electricity meter on floor 1, a water offline meter on building A; nothing on building B."""
    electricity, water = admin.create("/energycategories", ELECTRICITY), admin.create("/energycategories", WATER)
    bind(admin, at(campus["floor"]), "meters", metering(admin, "/meters", PM20, "PM20", electricity, refs))
    bind(admin, at(campus["building"]), "offlinemeters",
         metering(admin, "/offlinemeters", OFFLINE_PM21, "OfflinePM21", water, refs))
    return {"electricity": electricity, "water": water}


@pytest.mark.parametrize("place, expected", [("root", ("electricity", "water")), ("building", ("electricity", "water")),
                                             ("floor", ("electricity",)), ("other", ())])
def test_tree_energy_categories_are_those_metered_in_the_space_or_below(admin, campus, metered, place, expected):
    assert categories(admin, campus[place]) == as_read(admin, *(metered[c] for c in expected))


def test_each_tree_energy_category_appears_once_however_many_meters_share_it(admin, refs, campus, metered):
    electricity = metered["electricity"]
    second = metering(admin, "/meters", PM20, "PM21", electricity, refs)
    bind(admin, at(campus["building"]), "meters", second)
    bind(admin, at(campus["floor"]), "offlinemeters",
         metering(admin, "/offlinemeters", OFFLINE_PM21, "OfflinePM22", electricity, refs))
    virtual = metering(admin, "/virtualmeters", VM10, "VM10", electricity, refs, expression={
        "equation": "x1", "variables": [{"name": "x1", "meter_type": "meter", "meter_id": second["id"]}]})
    bind(admin, at(campus["root"]), "virtualmeters", virtual)
    assert categories(admin, campus["root"]) == as_read(admin, electricity, metered["water"])
    assert categories(admin, campus["floor"]) == as_read(admin, electricity)


def test_a_virtual_meter_counts_in_the_tree_energy_categories(admin, refs, campus, metered):
    gas = admin.create("/energycategories", {**ELECTRICITY, "name": "天然气", "unit_of_measure": "m³"})
    meter = metering(admin, "/meters", PM20, "PM30", gas, refs)
    virtual = metering(admin, "/virtualmeters", VM10, "VM10", gas, refs, expression={
        "equation": "x1", "variables": [{"name": "x1", "meter_type": "meter", "meter_id": meter["id"]}]})
    bind(admin, at(campus["other"]), "virtualmeters", virtual)
    assert categories(admin, campus["other"]) == as_read(admin, gas)
    assert categories(admin, campus["root"]) == as_read(admin, metered["electricity"], metered["water"], gas)


def test_tree_energy_categories_of_a_space_without_meters_are_empty(admin, campus):
    assert categories(admin, campus["root"]) == []


@pytest.mark.parametrize("space_id, status, code", [(MISSING, 404, "API.SPACE_NOT_FOUND"),
                                                    ("abc", 400, "API.INVALID_SPACE_ID")])
def test_tree_energy_categories_of_an_unknown_or_malformed_space_are_refused(admin, space_id, status, code):
    refused(admin.get(f"/spaces/{space_id}/treemetersenergycategories"), status, code)


# ---------------------------------------------------------------------------- energy assets
def test_a_space_binds_lists_and_unbinds_microgrids_and_energy_storage_power_stations(admin, campus):
    microgrid = new_microgrid(admin, build_site(admin))
    refs = station_refs(admin, prefix="esps ")
    esps = station(admin, "/energystoragepowerstations", refs)
    root = at(campus["root"])
    for name, key, target in (("microgrids", "microgrid_id", microgrid),
                              ("energystoragepowerstations", "energy_storage_power_station_id", esps)):
        assert admin.post(f"{root}/{name}", {key: target["id"]}).status_code == 201
        assert [t["id"] for t in admin.get(f"{root}/{name}").json] == [target["id"]]
    refused(admin.delete(f"/microgrids/{microgrid['id']}"), 409, "API.THERE_IS_RELATION_WITH_SPACES")
    for name, target in (("microgrids", microgrid), ("energystoragepowerstations", esps)):
        assert admin.delete(f"{root}/{name}/{target['id']}").status_code == 204
        assert admin.get(f"{root}/{name}").json == []
    assert admin.delete(f"/microgrids/{microgrid['id']}").status_code == 204
