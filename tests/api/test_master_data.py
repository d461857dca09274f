"""Energy categories, energy items, cost centers, contacts, products and timezones, answered as the seed documents.

Payloads are the seed's own curl examples (Chinese names included); each family's Result table is the
shape a created/read object must carry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from myems_api.db import reference

# ---------------------------------------------------------------------------- seed payloads
DIESEL = {"name": "柴油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
PETROL = {"name": "汽油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
TENANT_POWER = {"name": "租户用电", "energy_category_id": 1}
AIR_CONDITIONING = {"name": "空调用", "energy_category_id": 1}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}
POWER_CENTER_2 = {"name": "动力中心2", "external_id": "21829198980002"}
ALBERT = {"name": "albert", "email": "albert@myems.io", "phone": "+8613888888888",
          "description": "contact description"}
ALBERT_NEW_PHONE = {**ALBERT, "phone": "+8613888888899"}
HAWAII = {"name": "夏威夷标准时间", "description": "(GMT-10:00) Hawaii", "utc_offset": "-10:00"}

NUMBER = (int, float)
SUMMARY = "summary"  # marker: an object {id, name, uuid}


# ---------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code


def is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError, AttributeError):
        return False


def assert_result_shape(obj: dict[str, Any], fields: dict[str, Any]) -> None:
    """Every Result field of the seed is present with its type; uuids are real uuids."""
    for key, kind in fields.items():
        assert key in obj, (key, obj)
        value = obj[key]
        if kind == SUMMARY:
            assert isinstance(value, dict) and set(value) == {"id", "name", "uuid"}, value
            assert isinstance(value["id"], int) and isinstance(value["name"], str) and is_uuid(value["uuid"])
        elif key == "uuid":
            assert is_uuid(value), value
        else:
            assert isinstance(value, kind) and not isinstance(value, bool), (key, value)


def assert_matches(obj: dict[str, Any], payload: dict[str, Any]) -> None:
    """What was sent is what is answered (references checked by their id)."""
    for key, sent in payload.items():
        if key.endswith("_id") and key[:-3] in obj and isinstance(obj[key[:-3]], dict):
            assert obj[key[:-3]]["id"] == sent
        elif isinstance(sent, float):
            assert obj[key] == pytest.approx(sent)
        else:
            assert obj[key] == sent, (key, obj)


def new_category(admin: Any, **changes: Any) -> dict[str, Any]:
    return admin.create("/energycategories", {**DIESEL, **changes})


def new_item(admin: Any, category_id: int, **changes: Any) -> dict[str, Any]:
    return admin.create("/energyitems", {**TENANT_POWER, "energy_category_id": category_id, **changes})


def ids_of(result: Any) -> list[int]:
    assert result.status_code == 200, result.json
    return [row["id"] for row in result.json]


# ---------------------------------------------------------------------------- the four CRUD families
@dataclass(frozen=True)
class Spec:
    path: str
    singular: str
    result: dict[str, Any]
    create: Callable[[Any], dict[str, Any]]
    update: Callable[[Any], dict[str, Any]]

    def __str__(self) -> str:
        return self.path


def _with_category(payload: dict[str, Any], category: str) -> Callable[[Any], dict[str, Any]]:
    return lambda admin: {**payload, "energy_category_id": new_category(admin, name=category)["id"]}


SPECS = [
    Spec("/energycategories", "ENERGY_CATEGORY",
         {"id": int, "name": str, "uuid": str, "unit_of_measure": str, "kgce": NUMBER, "kgco2e": NUMBER},
         lambda admin: dict(DIESEL), lambda admin: dict(PETROL)),
    Spec("/energyitems", "ENERGY_ITEM",
         {"id": int, "name": str, "uuid": str, "energy_category": SUMMARY},
         _with_category(TENANT_POWER, "电"), _with_category(AIR_CONDITIONING, "水")),
    Spec("/costcenters", "COST_CENTER",
         {"id": int, "name": str, "uuid": str, "external_id": str},
         lambda admin: dict(POWER_CENTER), lambda admin: dict(POWER_CENTER_2)),
    Spec("/contacts", "CONTACT",
         {"id": int, "name": str, "uuid": str, "email": str, "phone": str, "description": str},
         lambda admin: dict(ALBERT), lambda admin: dict(ALBERT_NEW_PHONE)),
    Spec("/products", "PRODUCT",
         {"id": int, "name": str, "uuid": str, "unit_of_measure": str, "tag": str,
          "standard_product_coefficient": NUMBER},
         lambda admin: {"name": "Widget", "unit_of_measure": "pcs", "tag": "line 1", "standard_product_coefficient": 1},
         lambda admin: {"name": "Widget XL", "unit_of_measure": "pcs", "tag": "line 2",
                        "standard_product_coefficient": 2.5}),
]
ALL_PATHS = [s.path for s in SPECS] + ["/timezones"]
ALL_SINGULARS = [s.singular for s in SPECS] + ["TIMEZONE"]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_creating_with_the_seed_payload_answers_201_with_location_and_the_result_fields(admin, spec):
    payload = spec.create(admin)
    result = admin.post(spec.path, payload)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{spec.path}/{result.json['id']}"
    assert_result_shape(result.json, spec.result)
    assert_matches(result.json, payload)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_getting_by_id_answers_what_was_created(admin, spec):
    created = admin.create(spec.path, spec.create(admin))
    result = admin.get(f"{spec.path}/{created['id']}")
    assert result.status_code == 200
    assert result.json == created
    assert_result_shape(result.json, spec.result)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_listing_answers_every_object_with_the_result_fields(admin, spec):
    created = admin.create(spec.path, spec.create(admin))
    result = admin.get(spec.path)
    assert result.status_code == 200
    assert created in result.json
    for row in result.json:
        assert_result_shape(row, spec.result)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_updating_with_the_seed_payload_answers_200_and_is_kept(admin, spec):
    created = admin.create(spec.path, spec.create(admin))
    payload = spec.update(admin)
    result = admin.put(f"{spec.path}/{created['id']}", payload)
    assert result.status_code == 200, result.json
    assert_matches(result.json, payload)
    assert result.json["uuid"] == created["uuid"]
    assert admin.get(f"{spec.path}/{created['id']}").json == result.json


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_deleting_answers_204_and_the_object_is_gone(admin, spec):
    created = admin.create(spec.path, spec.create(admin))
    result = admin.delete(f"{spec.path}/{created['id']}")
    assert result.status_code == 204
    assert_error(admin.get(f"{spec.path}/{created['id']}"), 404, f"API.{spec.singular}_NOT_FOUND")
    assert created["id"] not in ids_of(admin.get(spec.path))


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_an_unknown_id_is_not_found_for_get_update_and_delete(admin, spec):
    code = f"API.{spec.singular}_NOT_FOUND"
    missing = f"{spec.path}/987654"
    assert_error(admin.get(missing), 404, code)
    assert_error(admin.put(missing, spec.update(admin)), 404, code)
    assert_error(admin.delete(missing), 404, code)


@pytest.mark.parametrize(("path", "singular"), list(zip(ALL_PATHS, ALL_SINGULARS, strict=True)))
@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5"])
def test_a_malformed_id_is_a_bad_request(admin, path, singular, bad_id):
    assert_error(admin.get(f"{path}/{bad_id}"), 400, f"API.INVALID_{singular}_ID")


@pytest.mark.parametrize("path", ALL_PATHS)
def test_reading_without_credentials_is_refused(api, path):
    assert_error(api.get(path), 401, "API.NOT_AUTHENTICATED")


# ---------------------------------------------------------------------------- energy categories
@pytest.mark.parametrize("name", [None, "", "   ", 123, "x" * 256])
def test_a_category_without_a_usable_name_is_refused(admin, name):
    payload = {k: v for k, v in DIESEL.items() if k != "name"}
    if name is not None:
        payload["name"] = name
    assert_error(admin.post("/energycategories", payload), 400, "API.INVALID_ENERGY_CATEGORY_NAME")
    assert admin.get("/energycategories").json == []


def test_a_category_name_is_trimmed(admin):
    assert new_category(admin, name="  柴油  ")["name"] == "柴油"


@pytest.mark.parametrize("duplicate", ["柴油", " 柴油 "])
def test_a_duplicate_category_name_is_a_conflict(admin, duplicate):
    new_category(admin)
    result = admin.post("/energycategories", {**DIESEL, "name": duplicate})
    assert_error(result, 409, "API.ENERGY_CATEGORY_NAME_IS_ALREADY_IN_USE")
    assert len(admin.get("/energycategories").json) == 1


@pytest.mark.parametrize(("first", "second"), [("Electricity", "ELECTRICITY"), ("énergie", "ÉNERGIE"),
                                               ("Дизель", "ДИЗЕЛЬ")])
def test_a_category_name_differing_only_in_case_is_a_duplicate(admin, first, second):
    new_category(admin, name=first)
    result = admin.post("/energycategories", {**DIESEL, "name": second})
    assert_error(result, 409, "API.ENERGY_CATEGORY_NAME_IS_ALREADY_IN_USE")
    assert [c["name"] for c in admin.get("/energycategories").json] == [first]


def test_renaming_a_category_to_a_name_in_use_is_a_conflict_and_changes_nothing(admin):
    new_category(admin)
    petrol = new_category(admin, name="汽油")
    result = admin.put(f"/energycategories/{petrol['id']}", {**DIESEL, "name": "柴油"})
    assert_error(result, 409, "API.ENERGY_CATEGORY_NAME_IS_ALREADY_IN_USE")
    assert admin.get(f"/energycategories/{petrol['id']}").json == petrol


def test_updating_a_category_under_its_own_name_is_not_a_conflict(admin):
    diesel = new_category(admin)
    result = admin.put(f"/energycategories/{diesel['id']}", {**DIESEL, "kgce": 0.5})
    assert result.status_code == 200, result.json
    assert result.json["kgce"] == pytest.approx(0.5)


@pytest.mark.parametrize("kgce", [-0.1, "abc", True, False, None, [1], 1e15, "NaN", "inf"])
def test_a_kgce_that_is_negative_non_numeric_or_boolean_is_refused(admin, kgce):
    result = admin.post("/energycategories", {**DIESEL, "kgce": kgce})
    assert_error(result, 400, "API.INVALID_KGCE")
    assert admin.get("/energycategories").json == []


def test_a_negative_kgco2e_is_refused(admin):
    assert_error(admin.post("/energycategories", {**DIESEL, "kgco2e": -1}), 400, "API.INVALID_KGCO2E")


def test_a_refused_category_update_changes_nothing(admin):
    diesel = new_category(admin)
    result = admin.put(f"/energycategories/{diesel['id']}", {**PETROL, "kgce": -1})
    assert_error(result, 400, "API.INVALID_KGCE")
    assert admin.get(f"/energycategories/{diesel['id']}").json == diesel


def test_a_category_without_unit_of_measure_is_refused(admin):
    payload = {k: v for k, v in DIESEL.items() if k != "unit_of_measure"}
    assert_error(admin.post("/energycategories", payload), 400, "API.INVALID_UNIT_OF_MEASURE")


def test_a_body_without_data_is_a_bad_request(admin):
    result = admin.request("POST", "/energycategories", json=DIESEL)
    assert_error(result, 400, "API.INVALID_DATA")


# ---------------------------------------------------------------------------- energy items
def test_an_energy_item_carries_its_category_as_an_object(admin):
    diesel = new_category(admin)
    item = new_item(admin, diesel["id"])
    expected = {"id": diesel["id"], "name": diesel["name"], "uuid": diesel["uuid"]}
    assert item["energy_category"] == expected
    assert admin.get(f"/energyitems/{item['id']}").json["energy_category"] == expected
    assert [row["energy_category"] for row in admin.get("/energyitems").json] == [expected]


def test_renaming_a_category_shows_in_its_energy_items(admin):
    diesel = new_category(admin)
    item = new_item(admin, diesel["id"])
    admin.put(f"/energycategories/{diesel['id']}", PETROL)
    assert admin.get(f"/energyitems/{item['id']}").json["energy_category"]["name"] == "汽油"


def test_an_energy_item_of_an_unknown_category_is_not_found_and_not_created(admin):
    result = admin.post("/energyitems", {**TENANT_POWER, "energy_category_id": 987654})
    assert_error(result, 404, "API.ENERGY_CATEGORY_NOT_FOUND")
    assert admin.get("/energyitems").json == []


def test_moving_an_energy_item_to_an_unknown_category_is_not_found_and_changes_nothing(admin):
    item = new_item(admin, new_category(admin)["id"])
    result = admin.put(f"/energyitems/{item['id']}", {**AIR_CONDITIONING, "energy_category_id": 987654})
    assert_error(result, 404, "API.ENERGY_CATEGORY_NOT_FOUND")
    assert admin.get(f"/energyitems/{item['id']}").json == item


@pytest.mark.parametrize("category_id", ["abc", 0, -3, 1.5, True, None])
def test_an_energy_item_with_a_malformed_category_id_is_a_bad_request(admin, category_id):
    new_category(admin)
    result = admin.post("/energyitems", {**TENANT_POWER, "energy_category_id": category_id})
    assert_error(result, 400, "API.INVALID_ENERGY_CATEGORY_ID")


def test_an_energy_item_accepts_its_category_id_as_a_string(admin):
    diesel = new_category(admin)
    item = new_item(admin, str(diesel["id"]))
    assert item["energy_category"]["id"] == diesel["id"]


def test_a_duplicate_energy_item_name_is_a_conflict(admin):
    category_id = new_category(admin)["id"]
    new_item(admin, category_id)
    result = admin.post("/energyitems", {**TENANT_POWER, "energy_category_id": category_id})
    assert_error(result, 409, "API.ENERGY_ITEM_NAME_IS_ALREADY_IN_USE")


def test_deleting_a_category_in_use_is_refused_and_changes_nothing(admin):
    diesel = new_category(admin)
    item = new_item(admin, diesel["id"])
    result = admin.delete(f"/energycategories/{diesel['id']}")
    assert_error(result, 409, "API.THERE_IS_RELATION_WITH_ENERGY_ITEMS")
    assert admin.get(f"/energycategories/{diesel['id']}").json == diesel
    assert admin.get(f"/energyitems/{item['id']}").json == item


def test_a_category_can_be_deleted_once_its_energy_items_are_gone(admin):
    diesel = new_category(admin)
    item = new_item(admin, diesel["id"])
    assert admin.delete(f"/energyitems/{item['id']}").status_code == 204
    assert admin.delete(f"/energycategories/{diesel['id']}").status_code == 204
    assert admin.get("/energycategories").json == []


# ---------------------------------------------------------------------------- cost centers
def test_a_cost_center_external_id_is_optional(admin):
    created = admin.create("/costcenters", {"name": "动力中心"})
    assert created["external_id"] is None
    assert is_uuid(created["uuid"])


def test_a_tariff_binds_to_a_cost_center_by_the_seeds_string_id_and_unbinds(admin):
    center = admin.create("/costcenters", POWER_CENTER)
    category = admin.create("/energycategories", DIESEL)
    tariff = admin.create("/tariffs", {
        "name": "flat", "energy_category_id": category["id"], "tariff_type": "block", "unit_of_price": "元/千瓦时",
        "valid_from": "2020-01-01T00:00:00", "valid_through": "2021-01-01T00:00:00",
        "block": [{"start_amount": "0", "end_amount": "100000", "price": "0.5"}]})
    bound = admin.post(f"/costcenters/{center['id']}/tariffs", {"tariff_id": str(tariff["id"])})
    assert bound.status_code == 201
    assert bound.headers["location"] == f"/costcenters/{center['id']}/tariffs/{tariff['id']}"
    assert [t["id"] for t in admin.get(f"/costcenters/{center['id']}/tariffs").json] == [tariff["id"]]
    assert_error(admin.delete(f"/costcenters/{center['id']}"), 409, "API.THERE_IS_RELATION_WITH_TARIFFS")
    assert admin.delete(f"/costcenters/{center['id']}/tariffs/{tariff['id']}").status_code == 204
    assert admin.get(f"/costcenters/{center['id']}/tariffs").json == []


def test_a_duplicate_cost_center_name_is_a_conflict(admin):
    admin.create("/costcenters", POWER_CENTER)
    assert_error(admin.post("/costcenters", POWER_CENTER), 409, "API.COST_CENTER_NAME_IS_ALREADY_IN_USE")


# ---------------------------------------------------------------------------- contacts
@pytest.mark.parametrize("email", ["albert", "albert@myems", "al bert@myems.io", "", 42])
def test_a_contact_with_an_invalid_email_is_refused(admin, email):
    assert_error(admin.post("/contacts", {**ALBERT, "email": email}), 400, "API.INVALID_EMAIL")
    assert admin.get("/contacts").json == []


def test_updating_a_contact_to_an_invalid_email_is_refused_and_changes_nothing(admin):
    albert = admin.create("/contacts", ALBERT)
    result = admin.put(f"/contacts/{albert['id']}", {**ALBERT, "email": "not-an-email"})
    assert_error(result, 400, "API.INVALID_EMAIL")
    assert admin.get(f"/contacts/{albert['id']}").json == albert


def test_a_contact_without_an_email_is_refused(admin):
    payload = {k: v for k, v in ALBERT.items() if k != "email"}
    assert_error(admin.post("/contacts", payload), 400, "API.INVALID_EMAIL")


# ---------------------------------------------------------------------------- timezones
TIMEZONE_RESULT = {"id": int, "name": str, "description": str, "utc_offset": str}


def timezone_named(admin: Any, name: str) -> dict[str, Any]:
    return next(tz for tz in admin.get("/timezones").json if tz["name"] == name)


def test_timezones_are_seeded(admin):
    result = admin.get("/timezones")
    assert result.status_code == 200
    assert len(result.json) == len(reference.TIMEZONES)
    for tz in result.json:
        assert_result_shape(tz, TIMEZONE_RESULT)
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    assert hawaii["utc_offset"] == "-10:00"
    assert hawaii["description"] == "(GMT-10:00) Hawaii"


def test_getting_a_timezone_by_id_answers_it(admin):
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    result = admin.get(f"/timezones/{hawaii['id']}")
    assert result.status_code == 200
    assert result.json == hawaii


def test_updating_a_timezone_changes_name_description_and_offset(admin):
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    result = admin.put(f"/timezones/{hawaii['id']}", HAWAII)
    assert result.status_code == 200, result.json
    assert_matches(result.json, HAWAII)
    assert admin.get(f"/timezones/{hawaii['id']}").json == {**hawaii, **HAWAII}


@pytest.mark.parametrize("offset", ["+25:00", "10:00", "-10:60", "UTC", ""])
def test_a_timezone_with_a_malformed_offset_is_refused(admin, offset):
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    result = admin.put(f"/timezones/{hawaii['id']}", {**HAWAII, "utc_offset": offset})
    assert_error(result, 400, "API.INVALID_UTC_OFFSET")
    assert admin.get(f"/timezones/{hawaii['id']}").json == hawaii


def test_renaming_a_timezone_to_a_name_in_use_is_a_conflict(admin):
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    result = admin.put(f"/timezones/{hawaii['id']}", {**HAWAII, "name": "UTC"})
    assert_error(result, 409, "API.TIMEZONE_NAME_IS_ALREADY_IN_USE")
    assert admin.get(f"/timezones/{hawaii['id']}").json == hawaii


def test_updating_an_unknown_timezone_is_not_found(admin):
    assert_error(admin.put("/timezones/987654", HAWAII), 404, "API.TIMEZONE_NOT_FOUND")


def test_timezones_cannot_be_created_or_deleted(admin):
    hawaii = timezone_named(admin, "Hawaiian Standard Time")
    assert_error(admin.post("/timezones", HAWAII), 405, "API.METHOD_NOT_ALLOWED")
    assert_error(admin.delete(f"/timezones/{hawaii['id']}"), 405, "API.METHOD_NOT_ALLOWED")
    assert len(admin.get("/timezones").json) == len(reference.TIMEZONES)


# ---------------------------------------------------------------------------- keyset pagination
def test_keyset_pages_answer_the_next_ids_in_order(admin):
    ids = [new_category(admin, name=f"category {n}")["id"] for n in range(5)]
    assert ids_of(admin.get("/energycategories")) == ids
    assert ids_of(admin.get("/energycategories", params={"limit": "2"})) == ids[:2]
    assert ids_of(admin.get("/energycategories", params={"limit": "2", "after": str(ids[1])})) == ids[2:4]
    assert ids_of(admin.get("/energycategories", params={"limit": "2", "after": str(ids[3])})) == ids[4:]
    assert ids_of(admin.get("/energycategories", params={"limit": "2", "after": str(ids[4])})) == []
    assert ids_of(admin.get("/energycategories", params={"after": str(ids[2])})) == ids[3:]


def test_keyset_pages_skip_deleted_ids(admin):
    ids = [new_category(admin, name=f"category {n}")["id"] for n in range(4)]
    admin.delete(f"/energycategories/{ids[1]}")
    assert ids_of(admin.get("/energycategories", params={"limit": "2", "after": str(ids[0])})) == ids[2:4]


@pytest.mark.parametrize(("param", "value"), [("limit", "0"), ("limit", "-1"), ("limit", "abc"),
                                              ("limit", "1001"), ("after", "-1"), ("after", "x")])
def test_a_malformed_page_parameter_is_a_bad_request(admin, param, value):
    assert_error(admin.get("/energycategories", params={param: value}), 400, f"API.INVALID_{param.upper()}")
