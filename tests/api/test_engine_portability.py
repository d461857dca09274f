"""Export, import and clone on the portable families (energy categories and items, cost centers, contacts).

Import into a second, empty instance stands for moving configuration between sites: references travel
as ``{id, name, uuid}`` and resolve by uuid there, whatever ids that instance gave its objects.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.client import Api

DIESEL = {"name": "柴油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}
ALBERT = {"name": "albert", "email": "albert@myems.io", "phone": "+8613888888888",
          "description": "contact description"}
SIMPLE = {"/energycategories": DIESEL, "/costcenters": POWER_CENTER, "/contacts": ALBERT}
NOT_FOUND = {"/energycategories": "API.ENERGY_CATEGORY_NOT_FOUND", "/energyitems": "API.ENERGY_ITEM_NOT_FOUND",
             "/costcenters": "API.COST_CENTER_NOT_FOUND", "/contacts": "API.CONTACT_NOT_FOUND"}


# ---------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


def without_id(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "id"}


def export(api: Api, path: str, entity_id: int) -> dict[str, Any]:
    result = api.get(f"{path}/{entity_id}/export")
    assert result.status_code == 200, result.json
    return dict(result.json)


def import_(api: Api, path: str, doc: dict[str, Any]) -> Any:
    """POST the export wrapped as the seed sends bodies: ``{"data": export}``."""
    return api.post(f"{path}/import", doc)


def imported(api: Api, path: str, doc: dict[str, Any]) -> dict[str, Any]:
    result = import_(api, path, doc)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{path}/{result.json['id']}"
    return dict(result.json)


def clone(api: Api, path: str, entity_id: int) -> dict[str, Any]:
    result = api.post(f"{path}/{entity_id}/clone")
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{path}/{result.json['id']}"
    return dict(result.json)


def names(api: Api, path: str) -> list[str]:
    return [row["name"] for row in api.get(path).json]


def diesel_item(admin: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    category = admin.create("/energycategories", DIESEL)
    item = admin.create("/energyitems", {"name": "租户用电", "energy_category_id": category["id"]})
    return category, item


def category_with_same_uuid_at_another_id(admin: Api, other: Api, category: dict[str, Any]) -> tuple[int, int]:
    """Give ``other`` a filler category, then the category itself (same uuid, a different id)."""
    filler = other.create("/energycategories", {**DIESEL, "name": "Filler"})
    copy = imported(other, "/energycategories", export(admin, "/energycategories", category["id"]))
    assert copy["uuid"] == category["uuid"]
    assert copy["id"] != filler["id"]
    return filler["id"], copy["id"]


# ---------------------------------------------------------------------------- export
def test_exporting_an_energy_item_carries_its_category_by_id_name_and_uuid(admin):
    category, item = diesel_item(admin)
    doc = export(admin, "/energyitems", item["id"])
    assert doc["energy_category"] == summary(category)
    assert (doc["id"], doc["name"], doc["uuid"]) == (item["id"], "租户用电", item["uuid"])


@pytest.mark.parametrize("path", SIMPLE)
def test_exporting_answers_the_object_as_read(admin, path):
    created = admin.create(path, SIMPLE[path])
    doc = export(admin, path, created["id"])
    assert {key: doc[key] for key in created} == created
    assert all(doc[key] == [] for key in set(doc) - set(created))  # bindings, none yet


@pytest.mark.parametrize("path", NOT_FOUND)
def test_exporting_an_unknown_id_is_not_found(admin, path):
    assert_error(admin.get(f"{path}/987654/export"), 404, NOT_FOUND[path])


# ---------------------------------------------------------------------------- import
def test_importing_an_energy_item_into_another_instance_resolves_its_category_by_uuid(admin, other):
    category, item = diesel_item(admin)
    filler_id, copy_id = category_with_same_uuid_at_another_id(admin, other, category)
    doc = export(admin, "/energyitems", item["id"])
    doc["energy_category"]["id"] = filler_id  # the exported id names another category over there
    new = imported(other, "/energyitems", doc)
    assert new["energy_category"] == {"id": copy_id, "name": "柴油", "uuid": category["uuid"]}
    assert (new["name"], new["uuid"]) == ("租户用电", item["uuid"])
    assert other.get(f"/energyitems/{new['id']}").json == new


def test_importing_an_energy_item_whose_category_uuid_is_unknown_is_not_found_and_creates_nothing(admin, other):
    _, item = diesel_item(admin)
    filler = other.create("/energycategories", {**DIESEL, "name": "Filler"})
    doc = export(admin, "/energyitems", item["id"])
    doc["energy_category"]["id"] = filler["id"]  # an id that exists must not stand in for the uuid
    assert_error(import_(other, "/energyitems", doc), 404, "API.ENERGY_CATEGORY_NOT_FOUND")
    assert other.get("/energyitems").json == []


def test_importing_on_the_same_instance_with_an_unknown_category_uuid_creates_nothing(admin):
    _, item = diesel_item(admin)
    doc = export(admin, "/energyitems", item["id"])
    doc["name"] = "another item"
    doc["energy_category"]["uuid"] = str(uuid.uuid4())
    assert_error(import_(admin, "/energyitems", doc), 404, "API.ENERGY_CATEGORY_NOT_FOUND")
    assert names(admin, "/energyitems") == ["租户用电"]


@pytest.mark.parametrize("reference", [lambda c: {"energy_category": {"id": c["id"]}},
                                       lambda c: {"energy_category_id": c["id"]}], ids=["object", "column"])
def test_an_import_whose_reference_carries_only_an_id_resolves_it_by_id(admin, reference):
    category = admin.create("/energycategories", DIESEL)
    new = imported(admin, "/energyitems", {"name": "空调用", **reference(category)})
    assert new["energy_category"] == summary(category)


def test_an_import_whose_reference_id_is_unknown_is_not_found(admin):
    doc = {"name": "空调用", "energy_category": {"id": 987654}}
    assert_error(import_(admin, "/energyitems", doc), 404, "API.ENERGY_CATEGORY_NOT_FOUND")
    assert admin.get("/energyitems").json == []


@pytest.mark.parametrize("path", SIMPLE)
def test_an_export_imported_into_an_empty_instance_is_the_same_object_with_its_uuid(admin, other, path):
    created = admin.create(path, SIMPLE[path])
    new = imported(other, path, export(admin, path, created["id"]))
    assert without_id(new) == without_id(created)
    assert other.get(f"{path}/{new['id']}").json == new


@pytest.mark.parametrize(("verb", "target", "wrapped"), [
    ("POST", "/energycategories/import", False),
    ("POST", "/energycategories/import", True),
    ("POST", "/energycategories/{id}/import", True),
    ("POST", "/energycategories/{id}/import", False),
    ("PUT", "/energycategories/import", True),
    ("PUT", "/energycategories/{id}/import", True),
])
def test_import_accepts_the_raw_export_or_the_export_in_data_on_every_seed_route(admin, other, verb, target,
                                                                                  wrapped):
    created = admin.create("/energycategories", DIESEL)
    doc = export(admin, "/energycategories", created["id"])
    body = {"data": doc} if wrapped else doc
    result = other.request(verb, target.format(id=created["id"]), json=body)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/energycategories/{result.json['id']}"
    assert without_id(result.json) == without_id(created)
    assert len(other.get("/energycategories").json) == 1


def test_an_imported_uuid_is_replaced_when_it_is_already_taken(admin):
    created = admin.create("/energycategories", DIESEL)
    doc = export(admin, "/energycategories", created["id"])
    new = imported(admin, "/energycategories", {**doc, "name": "汽油"})
    assert new["uuid"] != created["uuid"]
    assert str(uuid.UUID(new["uuid"])) == new["uuid"]
    assert admin.get(f"/energycategories/{created['id']}").json == created


def test_importing_a_name_already_in_use_is_a_conflict_and_creates_nothing(admin):
    created = admin.create("/energycategories", DIESEL)
    doc = export(admin, "/energycategories", created["id"])
    assert_error(import_(admin, "/energycategories", doc), 409, "API.ENERGY_CATEGORY_NAME_IS_ALREADY_IN_USE")
    assert names(admin, "/energycategories") == ["柴油"]


def test_an_import_with_an_invalid_field_is_refused_and_creates_nothing(admin, other):
    created = admin.create("/energycategories", DIESEL)
    doc = export(admin, "/energycategories", created["id"])
    assert_error(import_(other, "/energycategories", {**doc, "kgce": -1}), 400, "API.INVALID_KGCE")
    assert other.get("/energycategories").json == []


@pytest.mark.parametrize("body", [[1, 2], "text", 42])
def test_importing_something_other_than_an_object_is_a_bad_request(admin, body):
    result = admin.request("POST", "/energycategories/import", json=body)
    assert_error(result, 400, "API.INVALID_IMPORT_DOCUMENT")
    assert admin.get("/energycategories").json == []


# ---------------------------------------------------------------------------- clone
@pytest.mark.parametrize("path", SIMPLE)
def test_cloning_names_copies_with_a_counter_and_gives_each_a_new_uuid(admin, path):
    original = admin.create(path, SIMPLE[path])
    first, second = clone(admin, path, original["id"]), clone(admin, path, original["id"])
    name = original["name"]
    assert (first["name"], second["name"]) == (f"{name} (1)", f"{name} (2)")
    assert len({original["uuid"], first["uuid"], second["uuid"]}) == 3
    fields = {k: v for k, v in original.items() if k not in ("id", "uuid", "name")}
    for copy in (first, second):
        assert {k: copy[k] for k in fields} == fields
    assert admin.get(f"{path}/{original['id']}").json == original


def test_cloning_an_energy_item_keeps_its_category(admin):
    category, item = diesel_item(admin)
    copy = clone(admin, "/energyitems", item["id"])
    assert copy["name"] == "租户用电 (1)"
    assert copy["energy_category"] == summary(category)


def test_a_clone_skips_a_copy_name_already_taken(admin):
    original = admin.create("/energycategories", DIESEL)
    admin.create("/energycategories", {**DIESEL, "name": "柴油 (1)"})
    assert clone(admin, "/energycategories", original["id"])["name"] == "柴油 (2)"


def test_a_clone_of_a_name_at_the_maximum_length_stays_within_it(admin):
    long_name = "n" * 255
    original = admin.create("/energycategories", {**DIESEL, "name": long_name})
    copy = clone(admin, "/energycategories", original["id"])
    assert len(copy["name"]) == 255
    assert copy["name"].endswith(" (1)")


@pytest.mark.parametrize("path", NOT_FOUND)
def test_cloning_an_unknown_id_is_not_found_and_creates_nothing(admin, path):
    before = admin.get(path).json
    assert_error(admin.post(f"{path}/987654/clone"), 404, NOT_FOUND[path])
    assert admin.get(path).json == before


def test_cloning_a_malformed_id_is_a_bad_request(admin):
    assert_error(admin.post("/energycategories/abc/clone"), 400, "API.INVALID_ENERGY_CATEGORY_ID")


def test_timezones_are_not_portable(admin):
    timezone = admin.get("/timezones").json[0]
    before = len(admin.get("/timezones").json)
    assert admin.get(f"/timezones/{timezone['id']}/export").status_code == 404
    assert admin.post(f"/timezones/{timezone['id']}/clone").status_code == 404
    assert len(admin.get("/timezones").json) == before
