"""Virtual power plants, answered as the seed's "Virtual Power Plant" section documents them.

A virtual power plant has a cost center, a balancing price point (an ``ANALOG_VALUE``) and a diagram, and
binds microgrids. Deleting it removes its bindings, never the microgrids; a microgrid it binds cannot be
deleted. Export, import and clone carry the bindings.
"""

from __future__ import annotations

from typing import Any

import pytest

from myems_api.db import microgrid_tables as mt
from tests.api.test_microgrids import (
    MISSING,
    build_site,
    copy_site,
    equipped,
    new_microgrid,
    seed_pairs,
    summary,
    unrouted,
    without,
)
from tests.client import Api, count, refused

# ---------------------------------------------------------------------------- seed payloads
PLANT = {"name": "Beijing VPP", "cost_center_id": 1, "balancing_price_point_id": 1, "svg": "<svg></svg>",
         "description": "Classic"}
PLANT_UPDATE = {**PLANT, "name": "Beijing VPP1", "description": "New"}
PLANTS = "/virtualpowerplants"


@pytest.fixture
def site(admin: Api) -> dict[str, dict[str, Any]]:
    return build_site(admin)


def plant_body(site: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return {**PLANT, "cost_center_id": site["center"]["id"], "balancing_price_point_id": site["price"]["id"],
            **changes}


def new_plant(admin: Api, site: dict[str, dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return admin.create(PLANTS, plant_body(site, **changes))


def bind(admin: Api, plant_id: int, microgrid_id: int) -> None:
    result = admin.post(f"{PLANTS}/{plant_id}/microgrids", {"microgrid_id": microgrid_id})
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{PLANTS}/{plant_id}/microgrids/{microgrid_id}"


def bound(api: Api, plant_id: int) -> list[str]:
    return [m["name"] for m in api.get(f"{PLANTS}/{plant_id}/microgrids").json]


# ============================================================================ CRUD
def test_creating_a_virtual_power_plant_with_the_seed_body_answers_201_with_every_field(admin, site):
    result = admin.post(PLANTS, plant_body(site))
    assert result.status_code == 201, result.json
    plant = result.json
    assert result.headers["location"] == f"{PLANTS}/{plant['id']}"
    assert plant == {"id": plant["id"], "uuid": plant["uuid"], "name": "Beijing VPP",
                     "cost_center": summary(site["center"]), "balancing_price_point": summary(site["price"]),
                     "svg": "<svg></svg>", "svg_diagram": None, "description": "Classic",
                     "qrcode": f"virtualpowerplant:{plant['uuid']}"}


def test_a_virtual_power_plant_is_read_listed_updated_and_deleted(admin, site):
    plant = new_plant(admin, site)
    assert admin.get(f"{PLANTS}/{plant['id']}").json == plant
    assert admin.get(PLANTS).json == [plant]
    updated = admin.put(f"{PLANTS}/{plant['id']}", plant_body(site, **PLANT_UPDATE | {
        "cost_center_id": site["center"]["id"], "balancing_price_point_id": site["power"]["id"]}))
    assert updated.status_code == 200, updated.json
    assert updated.json == {**plant, "name": "Beijing VPP1", "description": "New",
                            "balancing_price_point": summary(site["power"])}
    assert admin.delete(f"{PLANTS}/{plant['id']}").status_code == 204
    refused(admin.get(f"{PLANTS}/{plant['id']}"), 404, "API.VIRTUAL_POWER_PLANT_NOT_FOUND")


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"name": ""}, 400, "API.INVALID_VIRTUAL_POWER_PLANT_NAME"),
    ({"cost_center_id": MISSING}, 404, "API.COST_CENTER_NOT_FOUND"),
    ({"balancing_price_point_id": MISSING}, 404, "API.BALANCING_PRICE_POINT_NOT_FOUND"),
    ({"balancing_price_point_id": None}, 400, "API.INVALID_BALANCING_PRICE_POINT_ID"),
    ({"svg": None}, 400, "API.INVALID_SVG"),
    ({"svg": "<svg><script>alert(1)</script></svg>"}, 400, "API.INVALID_SVG"),
    ({"svg": None, "svg_id": MISSING}, 404, "API.SVG_DIAGRAM_NOT_FOUND"),
])
def test_a_virtual_power_plant_with_a_bad_value_is_refused_and_nothing_is_created(admin, app, site, changes,
                                                                                  status, code):
    refused(admin.post(PLANTS, plant_body(site, **changes)), status, code)
    assert count(app, mt.virtual_power_plants) == 0


@pytest.mark.parametrize("point", ["state", "counter"])
def test_the_balancing_price_point_must_be_an_analog_value(admin, site, point):
    refused(admin.post(PLANTS, plant_body(site, balancing_price_point_id=site[point]["id"])), 400,
            "API.INVALID_BALANCING_PRICE_POINT_OBJECT_TYPE")
    plant = new_plant(admin, site)
    refused(admin.put(f"{PLANTS}/{plant['id']}", {"balancing_price_point_id": site[point]["id"]}), 400,
            "API.INVALID_BALANCING_PRICE_POINT_OBJECT_TYPE")


def test_a_virtual_power_plant_may_name_a_stored_svg_instead(admin, site):
    plant = new_plant(admin, site, svg=None, svg_id=site["svg"]["id"])
    assert (plant["svg"], plant["svg_diagram"]) == (None, summary(site["svg"]))


def test_a_second_virtual_power_plant_with_the_same_name_is_a_conflict(admin, site):
    new_plant(admin, site)
    refused(admin.post(PLANTS, plant_body(site)), 409, "API.VIRTUAL_POWER_PLANT_NAME_IS_ALREADY_IN_USE")


def test_the_balancing_price_point_cannot_be_deleted_while_a_plant_uses_it(admin, site):
    new_plant(admin, site)
    refused(admin.delete(f"/points/{site['price']['id']}"), 409, "API.THERE_IS_RELATION_WITH_VIRTUAL_POWER_PLANTS")


# ============================================================================ microgrids
def test_a_virtual_power_plant_binds_lists_and_unbinds_microgrids(admin, site):
    plant = new_plant(admin, site)
    beijing, shanghai = new_microgrid(admin, site), new_microgrid(admin, site, name="Shanghai Office")
    bind(admin, plant["id"], beijing["id"])
    bind(admin, plant["id"], shanghai["id"])
    assert admin.get(f"{PLANTS}/{plant['id']}/microgrids").json == [beijing, shanghai]
    refused(admin.post(f"{PLANTS}/{plant['id']}/microgrids", {"microgrid_id": beijing["id"]}), 409,
            "API.VIRTUAL_POWER_PLANT_MICROGRID_RELATION_EXISTS")
    refused(admin.post(f"{PLANTS}/{plant['id']}/microgrids", {"microgrid_id": MISSING}), 404,
            "API.MICROGRID_NOT_FOUND")
    refused(admin.post(f"{PLANTS}/{MISSING}/microgrids", {"microgrid_id": beijing["id"]}), 404,
            "API.VIRTUAL_POWER_PLANT_NOT_FOUND")
    assert admin.delete(f"{PLANTS}/{plant['id']}/microgrids/{beijing['id']}").status_code == 204
    assert bound(admin, plant["id"]) == ["Shanghai Office"]
    refused(admin.delete(f"{PLANTS}/{plant['id']}/microgrids/{beijing['id']}"), 404,
            "API.VIRTUAL_POWER_PLANT_MICROGRID_RELATION_NOT_FOUND")


def test_one_microgrid_may_take_part_in_several_virtual_power_plants(admin, site):
    microgrid = new_microgrid(admin, site)
    first, second = new_plant(admin, site), new_plant(admin, site, name="Shanghai VPP")
    bind(admin, first["id"], microgrid["id"])
    bind(admin, second["id"], microgrid["id"])
    assert bound(admin, first["id"]) == bound(admin, second["id"]) == ["Beijing Office"]


def test_deleting_a_virtual_power_plant_removes_its_bindings_but_not_its_microgrids(admin, app, site):
    doomed, kept = new_plant(admin, site), new_plant(admin, site, name="Shanghai VPP")
    microgrid = equipped(admin, site)
    bind(admin, doomed["id"], microgrid["id"])
    bind(admin, kept["id"], microgrid["id"])
    assert admin.delete(f"{PLANTS}/{doomed['id']}").status_code == 204
    assert count(app, mt.virtual_power_plants_microgrids) == 1
    assert bound(admin, kept["id"]) == ["Beijing Office"]
    assert admin.get(f"/microgrids/{microgrid['id']}").json == microgrid
    refused(admin.delete(f"/microgrids/{microgrid['id']}"), 409, "API.THERE_IS_RELATION_WITH_VIRTUAL_POWER_PLANTS")
    assert admin.delete(f"{PLANTS}/{kept['id']}").status_code == 204
    assert admin.delete(f"/microgrids/{microgrid['id']}").status_code == 204


# ============================================================================ export, import, clone
def test_a_virtual_power_plant_exported_and_imported_elsewhere_binds_the_same_microgrids(admin, other, site):
    plant = new_plant(admin, site)
    microgrid = equipped(admin, site)
    bind(admin, plant["id"], microgrid["id"])
    copy_site(admin, other, site)
    there = other.post("/microgrids/import", admin.get(f"/microgrids/{microgrid['id']}/export").json).json
    doc = admin.get(f"{PLANTS}/{plant['id']}/export").json
    assert [m["uuid"] for m in doc["microgrids"]] == [microgrid["uuid"]]
    result = other.post(f"{PLANTS}/{MISSING}/import", {"data": doc})  # the seed's path and wrapping
    assert result.status_code == 201, result.json
    moved = result.json
    assert without(moved, "id", "cost_center", "balancing_price_point") == without(
        plant, "id", "cost_center", "balancing_price_point")
    assert moved["balancing_price_point"]["uuid"] == site["price"]["uuid"]
    assert other.get(f"{PLANTS}/{moved['id']}/microgrids").json == [other.get(f"/microgrids/{there['id']}").json]


def test_importing_a_virtual_power_plant_whose_microgrid_is_unknown_there_creates_nothing(admin, other, site):
    plant = new_plant(admin, site)
    bind(admin, plant["id"], new_microgrid(admin, site)["id"])
    copy_site(admin, other, site)
    refused(other.post(f"{PLANTS}/import", admin.get(f"{PLANTS}/{plant['id']}/export").json), 404,
            "API.MICROGRID_NOT_FOUND")
    assert other.get(PLANTS).json == []


def test_the_seeds_import_body_with_plain_ids_creates_a_virtual_power_plant(admin, site):
    result = admin.post(f"{PLANTS}/1/import", plant_body(site))
    assert result.status_code == 201, result.json
    assert result.json["balancing_price_point"] == summary(site["price"])


def test_cloning_a_virtual_power_plant_copies_its_bindings_under_a_free_name(admin, site):
    plant = new_plant(admin, site)
    microgrid = new_microgrid(admin, site)
    bind(admin, plant["id"], microgrid["id"])
    result = admin.post(f"{PLANTS}/{plant['id']}/clone")
    assert result.status_code == 201, result.json
    clone = result.json
    assert (clone["name"], clone["uuid"] != plant["uuid"]) == ("Beijing VPP (1)", True)
    assert without(clone, "id", "name", "uuid", "qrcode") == without(plant, "id", "name", "uuid", "qrcode")
    assert bound(admin, clone["id"]) == ["Beijing Office"]
    assert admin.get("/microgrids").json == [microgrid]  # the same microgrid bound, not a copy of it


# ============================================================================ routes
def test_every_seed_endpoint_of_the_virtual_power_plant_section_is_routed(app):
    pairs = seed_pairs(("virtualpowerplants",))
    assert len(pairs) == 11
    assert unrouted(app, pairs) == []
