"""Cost files: the tariffs a workbook names get its rows as their new prices, all or nothing."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from tests.api.test_files import upload, xlsx
from tests.client import Api

HEADER = ["Tariff", "Start", "End", "Peak Type", "Price (EUR/kWh)"]
DAY = [{"start_time_of_day": "00:00:00", "end_time_of_day": "07:59:59", "peak_type": "offpeak", "price": 0.2},
       {"start_time_of_day": "08:00:00", "end_time_of_day": "23:59:59", "peak_type": "onpeak", "price": 0.6}]


@pytest.fixture
def tariffs(admin: Api) -> dict[str, dict[str, Any]]:
    category = admin.create("/energycategories", {"name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1,
                                                  "kgco2e": 0.5})
    common = {"energy_category_id": category["id"], "unit_of_price": "EUR/kWh", "valid_from": "2026-01-01T00:00:00",
              "valid_through": "2027-01-01T00:00:00"}
    tou = admin.create("/tariffs", {"name": "TOU", "tariff_type": "timeofuse", "timeofuse": DAY, **common})
    block = admin.create("/tariffs", {"name": "Blocks", "tariff_type": "block", **common, "block": [
        {"start_amount": 0, "end_amount": 1000, "price": 0.3}, {"start_amount": 1000, "end_amount": 5000,
                                                                 "price": 0.4}]})
    return {"tou": tou, "block": block}


def cost_file(admin: Api, rows: list[list[Any]]) -> dict[str, Any]:
    result = upload(admin, "/costfiles", xlsx([HEADER, *rows]), "prices.xlsx")
    assert result.status_code == 201, result.json
    return result.json


def items(admin: Api, tariff: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = admin.get(f"/tariffs/{tariff['id']}").json[key]
    return sorted(rows, key=lambda r: r.get("start_time_of_day") or f"{r.get('start_amount', 0):012.3f}")


def test_a_cost_file_replaces_the_rows_of_every_tariff_it_names(admin, tariffs):
    created = cost_file(admin, [
        ["TOU", "00:00:00", "06:59:59", "offpeak", 0.18], ["TOU", time(7), "18:59:59", "onpeak", 0.65],
        [str(tariffs["tou"]["id"]), "19:00", "23:59:59", "midpeak", 0.4],
        [tariffs["block"]["uuid"], 0, 2000, "", 0.25], ["Blocks", 2000, 9000, None, 0.35]])
    assert (created["status"], created["error"]) == ("done", None)
    assert [(r["start_time_of_day"], r["peak_type"], r["price"]) for r in items(admin, tariffs["tou"], "timeofuse")] \
        == [("00:00:00", "offpeak", 0.18), ("07:00:00", "onpeak", 0.65), ("19:00:00", "midpeak", 0.4)]
    assert [(r["start_amount"], r["end_amount"], r["price"]) for r in items(admin, tariffs["block"], "block")] == [
        (0, 2000, 0.25), (2000, 9000, 0.35)]


@pytest.mark.parametrize(("rows", "error"), [
    ([["TOU", "00:00:00", "11:59:59", "offpeak", 0.1]], "A2: API.TIMEOFUSE_ITEMS_LEAVE_A_GAP"),
    ([["Nobody", "00:00:00", "23:59:59", "offpeak", 0.1]], "A2: API.TARIFF_NOT_FOUND"),
    ([["TOU", "00:00:00", "23:59:59", "cheap", 0.1]], "D2: API.INVALID_PEAK_TYPE"),
    ([["TOU", "0:00", "23:59:59", "offpeak", 0.1]], "B2: API.INVALID_TIME_OF_DAY"),
    ([["Blocks", 0, 100, "", -1]], "E2: API.INVALID_PRICE"),
    ([["Blocks", 0, 100, "", 0.2], ["Blocks", 200, 300, "", 0.2]], "A2: API.BLOCK_ITEMS_LEAVE_A_GAP"),
])
def test_a_cost_file_with_a_bad_cell_names_it_and_changes_no_tariff(admin, tariffs, rows, error):
    before = {k: admin.get(f"/tariffs/{t['id']}").json for k, t in tariffs.items()}
    good = [["Blocks", 0, 100000, "", 0.1]]  # a valid tariff beside the bad one is not changed either
    created = cost_file(admin, good + rows if rows[0][0] != "Blocks" else rows)
    expected = error if rows[0][0] == "Blocks" else error.replace("2:", "3:", 1)
    assert (created["status"], created["error"]) == ("error", expected)
    assert {k: admin.get(f"/tariffs/{t['id']}").json for k, t in tariffs.items()} == before


def test_restoring_a_cost_file_applies_its_prices_again(admin, tariffs):
    created = cost_file(admin, [["TOU", "00:00:00", "23:59:59", "offpeak", 0.1]])
    assert admin.put(f"/tariffs/{tariffs['tou']['id']}", {**tariffs["tou"], "timeofuse": DAY}).status_code == 200
    assert admin.get(f"/costfiles/{created['id']}/restore").json["status"] == "done"
    assert [r["price"] for r in items(admin, tariffs["tou"], "timeofuse")] == [0.1]
