"""Tariffs: time-of-use and block tariffs with their item rows, answered as the seed documents.

Payloads are the seed's own curl examples (Chinese names included), with ``energy_category_id`` pointed
at a category this test created. Item rows are also read straight from ``tbl_tariffs_timeofuses`` and
``tbl_tariffs_blocks``, so "nothing written" and "rows removed" are checked where they live.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.client import Api, count, refused
from tests.conftest import ADMIN_PASSWORD, make_app

# ---------------------------------------------------------------------------- seed payloads
DIESEL = {"name": "柴油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}

BLOCK = {"name": "阶梯电价", "energy_category_id": 1, "tariff_type": "block", "unit_of_price": "元/千瓦时",
         "valid_from": "2020-01-01T00:00:00", "valid_through": "2021-01-01T00:00:00",
         "block": [{"start_amount": "0", "end_amount": "10000", "price": "0.567"},
                   {"start_amount": "10000", "end_amount": "30000", "price": "0.678"},
                   {"start_amount": "30000", "end_amount": "100000", "price": "0.789"}]}
BLOCK_UPDATE = {**BLOCK, "block": [{"start_amount": "0", "end_amount": "20000", "price": "0.567"},
                                   {"start_amount": "20000", "end_amount": "30000", "price": "0.678"},
                                   {"start_amount": "30000", "end_amount": "100000", "price": "0.789"}]}
TOU = {"name": "2020分时电价1-6", "energy_category_id": 1, "tariff_type": "timeofuse", "unit_of_price": "元/千瓦时",
       "valid_from": "2020-01-01T00:00:00", "valid_through": "2020-07-01T00:00:00",
       "timeofuse": [
           {"start_time_of_day": "00:00:00", "end_time_of_day": "05:59:59", "peak_type": "offpeak", "price": 0.345},
           {"start_time_of_day": "06:00:00", "end_time_of_day": "07:59:59", "peak_type": "midpeak", "price": 0.708},
           {"start_time_of_day": "08:00:00", "end_time_of_day": "10:59:59", "peak_type": "onpeak", "price": 1.159},
           {"start_time_of_day": "11:00:00", "end_time_of_day": "17:59:59", "peak_type": "midpeak", "price": 0.708},
           {"start_time_of_day": "18:00:00", "end_time_of_day": "20:59:59", "peak_type": "onpeak", "price": 1.159},
           {"start_time_of_day": "21:00:00", "end_time_of_day": "21:59:59", "peak_type": "midpeak", "price": 0.708},
           {"start_time_of_day": "22:00:00", "end_time_of_day": "23:59:59", "peak_type": "offpeak", "price": 0.345}]}
TOU_UPDATE = {**TOU, "timeofuse": [{**TOU["timeofuse"][0], "price": 0.456}, *TOU["timeofuse"][1:]]}
SEEDS = {"block": BLOCK, "timeofuse": TOU}

JAN_1_2020_MS = 1577836800000
JUL_1_2020_MS = 1593561600000
JAN_1_2021_MS = 1609459200000
NUMERIC = ("start_amount", "end_amount", "price")


# ---------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code


def seed(payload: dict[str, Any], category_id: int, **changes: Any) -> dict[str, Any]:
    """A fresh copy of a seed payload for this test's energy category."""
    return copy.deepcopy({**payload, "energy_category_id": category_id, **changes})


def tou_rows(*spans: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"start_time_of_day": start, "end_time_of_day": end, "peak_type": "offpeak", "price": 0.345}
            for start, end in spans]


def tou_with(index: int, **changes: Any) -> list[dict[str, Any]]:
    """The seed's time-of-use rows with one row changed."""
    rows = copy.deepcopy(TOU["timeofuse"])
    rows[index].update(changes)
    return rows


def bands(*spans: tuple[float, float], price: Any = "0.5") -> list[dict[str, Any]]:
    return [{"start_amount": start, "end_amount": end, "price": price} for start, end in spans]


def assert_rows(answered: list[dict[str, Any]], sent: list[dict[str, Any]]) -> None:
    """The rows answered are the rows sent, in order; numbers compared as numbers (the seed sends strings)."""
    assert len(answered) == len(sent), answered
    for got, want in zip(answered, sent, strict=True):
        assert set(got) == set(want), got
        for key, value in want.items():
            if key in NUMERIC:
                assert got[key] == pytest.approx(float(value)), (key, got)
            else:
                assert got[key] == value, (key, got)




def stored_rows(app: Any, tariff_id: int) -> tuple[int, int]:
    """(time-of-use rows, block rows) stored for one tariff."""
    return (count(app, schema.tariff_timeofuses, tariff_id=tariff_id),
            count(app, schema.tariff_blocks, tariff_id=tariff_id))


def snapshot(admin: Api, app: Any) -> tuple[Any, ...]:
    """Everything a refused write must leave alone: the tariffs as read, and every table's row count."""
    return (admin.get("/tariffs").json, count(app, schema.tariffs), count(app, schema.tariff_timeofuses),
            count(app, schema.tariff_blocks))


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


@pytest.fixture
def category(admin: Api) -> dict[str, Any]:
    return admin.create("/energycategories", DIESEL)


@pytest.fixture
def block_tariff(admin: Api, category: dict[str, Any]) -> dict[str, Any]:
    return admin.create("/tariffs", seed(BLOCK, category["id"]))


@pytest.fixture
def tou_tariff(admin: Api, category: dict[str, Any]) -> dict[str, Any]:
    return admin.create("/tariffs", seed(TOU, category["id"]))


# ---------------------------------------------------------------------------- create and read
@pytest.mark.parametrize("kind", SEEDS)
def test_creating_the_seed_tariff_answers_201_with_location_and_its_rows(admin, category, kind):
    payload = seed(SEEDS[kind], category["id"])
    result = admin.post("/tariffs", payload)
    assert result.status_code == 201, result.json
    created = result.json
    assert result.headers["location"] == f"/tariffs/{created['id']}"
    assert str(uuid.UUID(created["uuid"])) == created["uuid"]
    assert (created["name"], created["tariff_type"], created["unit_of_price"]) == (
        payload["name"], kind, "元/千瓦时")
    assert_rows(created[kind], payload[kind])
    other_kind = "block" if kind == "timeofuse" else "timeofuse"
    assert created[other_kind] == []


def test_valid_from_and_valid_through_are_answered_in_local_time_as_v670_answers_them(block_tariff, tou_tariff):
    assert (block_tariff["valid_from"], block_tariff["valid_through"]) == ("2020-01-01T00:00:00", "2021-01-01T00:00:00")
    assert (tou_tariff["valid_from"], tou_tariff["valid_through"]) == ("2020-01-01T00:00:00", "2020-07-01T00:00:00")


def test_valid_from_and_valid_through_in_posix_milliseconds_as_the_seed_answered_are_accepted(admin, category):
    body = {**seed(BLOCK, category["id"]), "name": "from milliseconds", "valid_from": JUL_1_2020_MS,
            "valid_through": JAN_1_2021_MS}
    tariff = admin.create("/tariffs", body)
    assert (tariff["valid_from"], tariff["valid_through"]) == ("2020-07-01T00:00:00", "2021-01-01T00:00:00")


def test_valid_from_is_read_in_the_configured_local_offset(config, tmp_path):
    url = f"sqlite:///{tmp_path / 'beijing.sqlite'}"
    app = make_app(replace(config, db_url=url, historical_db_url=url, energy_db_url=url, utc_offset="+08:00"))
    try:
        beijing = Api(app).login("administrator", ADMIN_PASSWORD)
        category = beijing.create("/energycategories", DIESEL)
        tariff = beijing.create("/tariffs", seed(BLOCK, category["id"]))
        with app.databases.system.connect() as conn:
            stored = conn.execute(sa.select(schema.tariffs.c.valid_from_datetime_utc)).scalar_one()
    finally:
        app.databases.dispose()
    assert tariff["valid_from"] == "2020-01-01T00:00:00"
    assert stored == datetime(2019, 12, 31, 16, 0)


def test_a_tariff_carries_its_energy_category_as_an_object(admin, category, tou_tariff):
    assert tou_tariff["energy_category"] == summary(category)
    assert admin.get(f"/tariffs/{tou_tariff['id']}").json["energy_category"] == summary(category)


def test_a_tariff_names_its_energy_category_nested_as_v670_clients_send_it(admin, category):
    payload = {k: v for k, v in seed(TOU, category["id"]).items() if k != "energy_category_id"}
    created = admin.create("/tariffs", {**payload, "energy_category": {"id": category["id"]}})
    assert created["energy_category"] == summary(category)
    refused(admin.post("/tariffs", {**payload, "name": "other", "energy_category": {"id": 99999}}), 404,
            "API.ENERGY_CATEGORY_NOT_FOUND")


def test_getting_a_tariff_by_id_answers_what_was_created(admin, block_tariff, tou_tariff):
    for created in (block_tariff, tou_tariff):
        result = admin.get(f"/tariffs/{created['id']}")
        assert result.status_code == 200
        assert result.json == created


def test_listing_tariffs_shows_each_with_its_own_rows_and_an_empty_list_of_the_other_kind(
        admin, block_tariff, tou_tariff):
    listed = {t["id"]: t for t in admin.get("/tariffs").json}
    assert listed == {block_tariff["id"]: block_tariff, tou_tariff["id"]: tou_tariff}
    assert_rows(listed[block_tariff["id"]]["block"], BLOCK["block"])
    assert listed[block_tariff["id"]]["timeofuse"] == []
    assert_rows(listed[tou_tariff["id"]]["timeofuse"], TOU["timeofuse"])
    assert listed[tou_tariff["id"]]["block"] == []


def test_rows_are_stored_in_their_own_tables(app, block_tariff, tou_tariff):
    assert stored_rows(app, block_tariff["id"]) == (0, 3)
    assert stored_rows(app, tou_tariff["id"]) == (7, 0)


@pytest.mark.parametrize("peak_type", ["toppeak", "onpeak", "midpeak", "offpeak", "deep"])
def test_every_peak_type_is_accepted(admin, category, peak_type):
    rows = [{"start_time_of_day": "00:00:00", "end_time_of_day": "23:59:59", "peak_type": peak_type, "price": 0}]
    created = admin.create("/tariffs", seed(TOU, category["id"], timeofuse=rows))
    assert_rows(created["timeofuse"], rows)


def test_time_of_use_rows_may_be_sent_in_any_order(admin, category):
    rows = list(reversed(TOU["timeofuse"]))
    created = admin.create("/tariffs", seed(TOU, category["id"], timeofuse=rows))
    assert_rows(created["timeofuse"], rows)


def test_an_unknown_tariff_is_not_found(admin):
    assert_error(admin.get("/tariffs/987654"), 404, "API.TARIFF_NOT_FOUND")


# ---------------------------------------------------------------------------- update
@pytest.mark.parametrize(("kind", "update"), [("block", BLOCK_UPDATE), ("timeofuse", TOU_UPDATE)])
def test_updating_with_the_seed_payload_replaces_the_rows(admin, app, category, kind, update):
    created = admin.create("/tariffs", seed(SEEDS[kind], category["id"]))
    result = admin.put(f"/tariffs/{created['id']}", seed(update, category["id"]))
    assert result.status_code == 200, result.json
    assert_rows(result.json[kind], update[kind])
    assert result.json["uuid"] == created["uuid"]
    assert admin.get(f"/tariffs/{created['id']}").json == result.json
    assert sum(stored_rows(app, created["id"])) == len(update[kind])


def test_updating_without_the_rows_keeps_the_stored_rows(admin, app, category, tou_tariff):
    payload = {k: v for k, v in seed(TOU, category["id"], name="2020分时电价").items() if k != "timeofuse"}
    result = admin.put(f"/tariffs/{tou_tariff['id']}", payload)
    assert result.status_code == 200, result.json
    assert result.json["name"] == "2020分时电价"
    assert result.json["timeofuse"] == tou_tariff["timeofuse"]
    assert stored_rows(app, tou_tariff["id"]) == (7, 0)


def test_changing_a_time_of_use_tariff_to_block_clears_its_time_of_use_rows(admin, app, category, tou_tariff):
    payload = seed(BLOCK, category["id"], name=TOU["name"])
    result = admin.put(f"/tariffs/{tou_tariff['id']}", payload)
    assert result.status_code == 200, result.json
    assert result.json["tariff_type"] == "block"
    assert result.json["timeofuse"] == []
    assert_rows(result.json["block"], BLOCK["block"])
    assert stored_rows(app, tou_tariff["id"]) == (0, 3)


def test_changing_a_block_tariff_to_time_of_use_clears_its_bands(admin, app, category, block_tariff):
    result = admin.put(f"/tariffs/{block_tariff['id']}", seed(TOU, category["id"], name=BLOCK["name"]))
    assert result.status_code == 200, result.json
    assert result.json["block"] == []
    assert_rows(result.json["timeofuse"], TOU["timeofuse"])
    assert stored_rows(app, block_tariff["id"]) == (7, 0)


def test_changing_the_type_without_rows_of_the_new_type_is_refused(admin, app, category, tou_tariff):
    payload = {k: v for k, v in seed(BLOCK, category["id"], name=TOU["name"]).items() if k != "block"}
    assert_error(admin.put(f"/tariffs/{tou_tariff['id']}", payload), 400, "API.BLOCK_ITEMS_REQUIRED")
    assert admin.get(f"/tariffs/{tou_tariff['id']}").json == tou_tariff
    assert stored_rows(app, tou_tariff["id"]) == (7, 0)


def test_updating_an_unknown_tariff_is_not_found(admin, category):
    assert_error(admin.put("/tariffs/987654", seed(TOU, category["id"])), 404, "API.TARIFF_NOT_FOUND")


# ---------------------------------------------------------------------------- validation
GAP, OVERLAP = "API.TIMEOFUSE_ITEMS_LEAVE_A_GAP", "API.TIMEOFUSE_ITEMS_OVERLAP"
REFUSALS = [
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:00", "05:59:59"), ("07:00:00", "23:59:59"))},
                 400, GAP, id="time-of-use gap between rows"),
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:00", "11:59:59"), ("12:00:00", "23:59:58"))},
                 400, GAP, id="day not ending at 23:59:59"),
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:01", "23:59:59"))},
                 400, GAP, id="day not starting at midnight"),
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:00", "12:00:00"), ("12:00:00", "23:59:59"))},
                 400, OVERLAP, id="rows sharing a second"),
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:00", "23:59:59"), ("06:00:00", "07:59:59"))},
                 400, OVERLAP, id="row inside another"),
    pytest.param("timeofuse", {"timeofuse": tou_rows(("00:00:00", "05:59:59"), ("23:59:59", "06:00:00"))},
                 400, "API.INVALID_END_TIME_OF_DAY", id="row ending before it starts"),
    pytest.param("timeofuse", {"timeofuse": tou_with(0, start_time_of_day="25:00:00")},
                 400, "API.INVALID_START_TIME_OF_DAY", id="start hour 25"),
    pytest.param("timeofuse", {"timeofuse": tou_with(0, start_time_of_day="0:00:00")},
                 400, "API.INVALID_START_TIME_OF_DAY", id="start without two-digit hour"),
    pytest.param("timeofuse", {"timeofuse": tou_with(6, end_time_of_day="24:00:00")},
                 400, "API.INVALID_END_TIME_OF_DAY", id="end at 24:00:00"),
    pytest.param("timeofuse", {"timeofuse": tou_with(2, peak_type="superpeak")},
                 400, "API.INVALID_PEAK_TYPE", id="unknown peak type"),
    pytest.param("timeofuse", {"timeofuse": tou_with(2, peak_type=None)},
                 400, "API.INVALID_PEAK_TYPE", id="missing peak type"),
    pytest.param("timeofuse", {"timeofuse": tou_with(3, price=-0.1)},
                 400, "API.INVALID_PRICE", id="negative time-of-use price"),
    pytest.param("timeofuse", {"timeofuse": tou_with(3, price="cheap")},
                 400, "API.INVALID_PRICE", id="non-numeric price"),
    pytest.param("timeofuse", {"timeofuse": []}, 400, "API.TIMEOFUSE_ITEMS_REQUIRED", id="no time-of-use rows"),
    pytest.param("timeofuse", {"timeofuse": None}, 400, "API.TIMEOFUSE_ITEMS_REQUIRED", id="null time-of-use rows"),
    pytest.param("timeofuse", {"block": BLOCK["block"]},
                 400, "API.BLOCK_ITEMS_NOT_ALLOWED", id="bands on a time-of-use tariff"),
    pytest.param("timeofuse", {"timeofuse": TOU["timeofuse"][0]},
                 400, "API.INVALID_TIMEOFUSE", id="time-of-use rows as an object"),
    pytest.param("timeofuse", {"timeofuse": "00:00:00-23:59:59"},
                 400, "API.INVALID_TIMEOFUSE", id="time-of-use rows as text"),
    pytest.param("timeofuse", {"timeofuse": [1, 2]},
                 400, "API.INVALID_TIMEOFUSE", id="time-of-use rows that are not objects"),
    pytest.param("block", {"block": bands((0, 10000), (5000, 30000))},
                 400, "API.BLOCK_ITEMS_OVERLAP", id="overlapping bands"),
    pytest.param("block", {"block": bands((0, 10000), (15000, 30000))},
                 400, "API.BLOCK_ITEMS_LEAVE_A_GAP", id="gap between bands"),
    pytest.param("block", {"block": bands((100, 10000), (10000, 30000))},
                 400, "API.BLOCK_ITEMS_LEAVE_A_GAP", id="bands not starting at 0"),
    pytest.param("block", {"block": bands((0, 0))}, 400, "API.INVALID_END_AMOUNT", id="empty band"),
    pytest.param("block", {"block": bands((0, 10000), (10000, 5000))},
                 400, "API.INVALID_END_AMOUNT", id="band ending before it starts"),
    pytest.param("block", {"block": bands((0, 10000), price="-0.5")},
                 400, "API.INVALID_PRICE", id="negative band price"),
    pytest.param("block", {"block": bands((-10, 10000))},
                 400, "API.INVALID_START_AMOUNT", id="negative start amount"),
    pytest.param("block", {"block": []}, 400, "API.BLOCK_ITEMS_REQUIRED", id="no bands"),
    pytest.param("block", {"timeofuse": TOU["timeofuse"]},
                 400, "API.TIMEOFUSE_ITEMS_NOT_ALLOWED", id="time-of-use rows on a block tariff"),
    pytest.param("block", {"block": {"start_amount": 0}}, 400, "API.INVALID_BLOCK", id="bands as an object"),
    pytest.param("block", {"valid_through": "2019-12-31T23:59:59"},
                 400, "API.INVALID_VALID_THROUGH_DATETIME", id="valid through before valid from"),
    pytest.param("timeofuse", {"valid_through": "2020-01-01T00:00:00"},
                 400, "API.INVALID_VALID_THROUGH_DATETIME", id="valid through equal to valid from"),
    pytest.param("block", {"valid_from": "2020-13-01T00:00:00"}, 400, "API.INVALID_VALID_FROM", id="bad date"),
    pytest.param("block", {"tariff_type": "flat"}, 400, "API.INVALID_TARIFF_TYPE", id="unknown tariff type"),
    pytest.param("timeofuse", {"energy_category_id": 987654},
                 404, "API.ENERGY_CATEGORY_NOT_FOUND", id="unknown energy category"),
]


@pytest.mark.parametrize(("kind", "changes", "status", "code"), REFUSALS)
def test_a_refused_new_tariff_answers_its_code_and_writes_nothing(admin, app, category, tou_tariff, block_tariff,
                                                                   kind, changes, status, code):
    before = snapshot(admin, app)
    payload = seed(SEEDS[kind], category["id"], name="新电价")
    payload.update(copy.deepcopy(changes))
    assert_error(admin.post("/tariffs", payload), status, code)
    assert snapshot(admin, app) == before


@pytest.mark.parametrize(("kind", "changes", "status", "code"), REFUSALS)
def test_a_refused_update_answers_its_code_and_changes_nothing(admin, app, category, tou_tariff, block_tariff,
                                                               kind, changes, status, code):
    before = snapshot(admin, app)
    target = tou_tariff if kind == "timeofuse" else block_tariff
    payload = seed(SEEDS[kind], category["id"])
    payload.update(copy.deepcopy(changes))
    assert_error(admin.put(f"/tariffs/{target['id']}", payload), status, code)
    assert snapshot(admin, app) == before


def test_a_duplicate_tariff_name_is_a_conflict_and_writes_nothing(admin, app, category, tou_tariff):
    before = snapshot(admin, app)
    result = admin.post("/tariffs", seed(BLOCK, category["id"], name=TOU["name"]))
    assert_error(result, 409, "API.TARIFF_NAME_IS_ALREADY_IN_USE")
    assert snapshot(admin, app) == before


# ---------------------------------------------------------------------------- export, import, clone
def export(api: Api, tariff_id: int) -> dict[str, Any]:
    result = api.get(f"/tariffs/{tariff_id}/export")
    assert result.status_code == 200, result.json
    return dict(result.json)


def imported(api: Api, doc: dict[str, Any], family: str = "/tariffs", path: str = "") -> dict[str, Any]:
    result = api.post(path or f"{family}/import", doc)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{family}/{result.json['id']}"
    return dict(result.json)


def test_exporting_a_tariff_answers_it_as_read_with_its_rows(admin, tou_tariff):
    assert export(admin, tou_tariff["id"]) == tou_tariff


def test_importing_the_seed_block_example_creates_the_tariff_with_its_bands(admin, app, category, tou_tariff):
    new = imported(admin, seed(BLOCK, category["id"]), path=f"/tariffs/{tou_tariff['id']}/import")
    assert (new["name"], new["tariff_type"], new["valid_from"]) == ("阶梯电价", "block", "2020-01-01T00:00:00")
    assert new["energy_category"] == summary(category)
    assert_rows(new["block"], BLOCK["block"])
    assert stored_rows(app, new["id"]) == (0, 3)


def test_an_exported_tariff_imports_back_with_its_rows(admin, app, tou_tariff):
    doc = export(admin, tou_tariff["id"])
    new = imported(admin, {**doc, "name": "2020分时电价7-12"})
    assert new["timeofuse"] == tou_tariff["timeofuse"]
    assert (new["valid_from"], new["valid_through"]) == (tou_tariff["valid_from"], tou_tariff["valid_through"])
    assert stored_rows(app, new["id"]) == (7, 0)


def test_an_exported_tariff_imports_into_an_empty_instance_with_its_category_resolved_by_uuid(
        admin, other, category, block_tariff):
    filler = other.create("/energycategories", {**DIESEL, "name": "Filler"})
    category_copy = imported(other, admin.get(f"/energycategories/{category['id']}/export").json, "/energycategories")
    assert category_copy["uuid"] == category["uuid"]
    assert category_copy["id"] != filler["id"]
    doc = export(admin, block_tariff["id"])
    doc["energy_category"]["id"] = filler["id"]  # the exported id names another category over there
    new = imported(other, doc)
    assert new["energy_category"] == {"id": category_copy["id"], "name": "柴油", "uuid": category["uuid"]}
    assert new["uuid"] == block_tariff["uuid"]
    assert new["block"] == block_tariff["block"]
    assert other.get(f"/tariffs/{new['id']}").json == new


def test_cloning_a_tariff_copies_its_rows_under_a_numbered_name(admin, app, tou_tariff):
    result = admin.post(f"/tariffs/{tou_tariff['id']}/clone")
    assert result.status_code == 201, result.json
    duplicate = result.json
    assert result.headers["location"] == f"/tariffs/{duplicate['id']}"
    assert duplicate["name"] == "2020分时电价1-6 (1)"
    assert duplicate["uuid"] != tou_tariff["uuid"]
    assert duplicate["timeofuse"] == tou_tariff["timeofuse"]
    assert duplicate["energy_category"] == tou_tariff["energy_category"]
    assert stored_rows(app, duplicate["id"]) == (7, 0)
    assert stored_rows(app, tou_tariff["id"]) == (7, 0)


# ---------------------------------------------------------------------------- delete and relations
def test_deleting_a_tariff_removes_it_and_only_its_rows(admin, app, block_tariff, tou_tariff):
    assert admin.delete(f"/tariffs/{tou_tariff['id']}").status_code == 204
    assert_error(admin.get(f"/tariffs/{tou_tariff['id']}"), 404, "API.TARIFF_NOT_FOUND")
    assert stored_rows(app, tou_tariff["id"]) == (0, 0)
    assert stored_rows(app, block_tariff["id"]) == (0, 3)


def test_deleting_an_unknown_tariff_is_not_found(admin):
    assert_error(admin.delete("/tariffs/987654"), 404, "API.TARIFF_NOT_FOUND")


def bind(admin: Api, center_id: int, tariff_id: int) -> Any:
    return admin.post(f"/costcenters/{center_id}/tariffs", {"tariff_id": tariff_id})


def test_a_tariff_bound_to_a_cost_center_cannot_be_deleted(admin, app, tou_tariff):
    center = admin.create("/costcenters", POWER_CENTER)
    assert bind(admin, center["id"], tou_tariff["id"]).status_code == 201
    assert_error(admin.delete(f"/tariffs/{tou_tariff['id']}"), 409, "API.THERE_IS_RELATION_WITH_COST_CENTERS")
    assert admin.get(f"/tariffs/{tou_tariff['id']}").json == tou_tariff
    assert stored_rows(app, tou_tariff["id"]) == (7, 0)


def test_a_tariff_can_be_deleted_once_unbound_from_its_cost_center(admin, tou_tariff):
    center = admin.create("/costcenters", POWER_CENTER)
    bind(admin, center["id"], tou_tariff["id"])
    assert admin.delete(f"/costcenters/{center['id']}/tariffs/{tou_tariff['id']}").status_code == 204
    assert admin.delete(f"/tariffs/{tou_tariff['id']}").status_code == 204


def test_binding_a_tariff_to_the_same_cost_center_twice_is_a_conflict(admin, app, tou_tariff):
    center = admin.create("/costcenters", POWER_CENTER)
    assert bind(admin, center["id"], tou_tariff["id"]).status_code == 201
    assert_error(bind(admin, center["id"], tou_tariff["id"]), 409, "API.COST_CENTER_TARIFF_RELATION_EXISTS")
    assert [t["id"] for t in admin.get(f"/costcenters/{center['id']}/tariffs").json] == [tou_tariff["id"]]
    assert count(app, schema.cost_centers_tariffs) == 1


def test_an_energy_category_used_by_a_tariff_cannot_be_deleted(admin, category, tou_tariff):
    result = admin.delete(f"/energycategories/{category['id']}")
    assert_error(result, 409, "API.THERE_IS_RELATION_WITH_TARIFFS")
    assert admin.get(f"/energycategories/{category['id']}").json == category
