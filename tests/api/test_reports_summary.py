"""Summary energy (today, this month, this year, lifetime) against hand-computed sums, "now" pinned.

Now is 2026-03-29 10:30 UTC: in Europe/Berlin 12:30 CEST on the day the clocks went forward. Today began at
local midnight = 03-28 23:00 UTC, this month at 03-01 00:00 CET = 02-28 23:00 UTC, this year at 01-01 00:00
CET = 2025-12-31 23:00 UTC. An hour row counts when it starts before now (the 10:00 row, not the 11:00 one).

- Space Plant, Electricity, 1 kWh every hour from 2025-12-31 20:00 UTC to 2026-03-29 11:00 (exclusive), then
  more after now: lifetime 4 (20:00-23:00 on 12-31) + 87 x 24 (01-01 to 03-29 00:00) + 11 (00:00-10:00) = 2103;
  this year 1 + 2088 + 11 = 2100; this month 1 + 28 x 24 + 11 = 684; today 1 + 11 = 12 (11.5 real hours
  since midnight: the day lost an hour). Water 2 m3 at 05:00-09:00 UTC today: 10 in every period. Output
  and energy item rows are not counted.
- Meter Main, 2 kWh every hour from 03-28 20:00 UTC to 03-29 12:00 (exclusive), 01:00 out of limits: rows
  20:00..10:00 are 15, one left out: 14 x 2 = 28 this month, year and lifetime; today 23:00..10:00 are 12, one
  left out: 22.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from myems_api.db import energy
from reports.summary import SummaryReport, local_starts
from tests.api.test_reports_meters import (
    API_KEY,
    api_key_client,
    bind,
    engines_of,
    hours,
    insert,
    limited_user,
    new_category,
    new_meter,
    new_space,
    report,
    workbook_cells,
    zone_id,
)
from tests.client import Api, refused

NOW = datetime(2026, 3, 29, 10, 30, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    zone = zone_id(admin)
    electricity, water = new_category(admin), new_category(admin, "Water", "m3", 0.0857, 0.3)
    center = admin.create("/costcenters", {"name": "Center", "external_id": "C"})
    campus = new_space(admin, "Campus", None, zone)
    plant = new_space(admin, "Plant", campus, zone)
    main = new_meter(admin, "Main", electricity, center)
    bind(admin, f"/spaces/{plant['id']}/meters", {"meter_id": main["id"]})

    def space_row(when: datetime, category: dict[str, Any], value: float, item: int = 0,
                  direction: str = "input") -> dict[str, Any]:
        return {"entity_type": "space", "entity_id": plant["id"], "direction": direction,
                "energy_category_id": category["id"], "energy_item_id": item, "start_datetime_utc": when,
                "actual_value": value, "cost": value, "carbon": value}

    electricity_hours = hours(datetime(2025, 12, 31, 20), datetime(2026, 3, 29, 14))
    water_hours = hours(datetime(2026, 3, 29, 5), datetime(2026, 3, 29, 10))
    insert(app, "energy", energy.entity_hourly, [
        *(space_row(h, electricity, 1.0) for h in electricity_hours),
        *(space_row(h, water, 2.0) for h in water_hours),
        *(space_row(h, electricity, 5.0, item=77) for h in water_hours),
        *(space_row(h, electricity, 5.0, direction="output") for h in water_hours)])
    insert(app, "energy", energy.meter_hourly, [
        {"meter_type": "meter", "meter_id": main["id"], "start_datetime_utc": h, "actual_value": 2.0,
         "flags": 8 if h == datetime(2026, 3, 29, 1) else 0}
        for h in hours(datetime(2026, 3, 28, 20), datetime(2026, 3, 29, 12))])
    return {"campus": campus, "plant": plant, "main": main, "electricity": electricity}


def test_the_space_summary_sums_today_this_month_this_year_and_lifetime_in_local_time(app, config, site):
    result = SummaryReport("space", clock=clock).answer(engines_of(app, config), {"spaceid": str(site["plant"]["id"])},
                                                        API_KEY)
    assert result["timezone"] == "Europe/Berlin" and result["now"] == "2026-03-29T12:30:00"
    assert result["starts"] == {"today": "2026-03-29T00:00:00", "this_month": "2026-03-01T00:00:00",
                                "this_year": "2026-01-01T00:00:00"}
    assert result["names"] == ["Electricity", "Water"] and result["units"] == ["kWh", "m3"]
    assert result["today"] == pytest.approx([12, 10])
    assert result["this_month"] == pytest.approx([684, 10])
    assert result["this_year"] == pytest.approx([2100, 10])
    assert result["lifetime"] == pytest.approx([2103, 10])
    assert result["space"]["name"] == "Plant"
    cells = workbook_cells(result)
    assert 2103 in cells and 684 in cells and "This month" in cells


def test_the_meter_summary_leaves_out_hours_out_of_limits(app, config, site):
    engines = engines_of(app, config)
    result = SummaryReport("meter", clock=clock).answer(engines, {"meteruuid": site["main"]["uuid"],
                                                                  "quickmode": "true"}, API_KEY)
    assert result["names"] == ["Electricity"] and result["units"] == ["kWh"]
    assert (result["today"], result["this_month"], result["this_year"], result["lifetime"]) == (
        [pytest.approx(22)], [pytest.approx(28)], [pytest.approx(28)], [pytest.approx(28)])
    assert result["meter"]["unit_of_measure"] == "kWh" and result["excel_bytes_base64"] is None


def test_a_half_hour_zone_counts_the_hour_across_midnight_in_the_day_it_starts():
    """Asia/Kolkata (+05:30): 10:30 UTC is 16:00 local, today began at 03-28 18:30 UTC, so the first row of
    today is 19:00 UTC; the 18:00 row (23:30-00:30 local) belongs to yesterday."""
    from zoneinfo import ZoneInfo
    starts = local_starts(NOW, ZoneInfo("Asia/Kolkata"))
    assert starts["today"] == datetime(2026, 3, 28, 18, 30, tzinfo=UTC)
    assert starts["this_year"] == datetime(2025, 12, 31, 18, 30, tzinfo=UTC)


def test_summaries_over_http_with_the_wall_clock(admin, app, site):
    recent = new_meter(admin, "Recent", site["electricity"], {"id": site["main"]["cost_center"]["id"]})
    two_days_ago = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) - timedelta(days=2)
    insert(app, "energy", energy.meter_hourly, [{"meter_type": "meter", "meter_id": recent["id"],
                                                 "start_datetime_utc": two_days_ago, "actual_value": 3.0, "flags": 0}])
    meter = report(admin, "/reports/metersummary", f"meterid={recent['id']}&quickmode=true")
    assert meter["lifetime"] == [pytest.approx(3)] and meter["today"] == [0] and meter["excel_bytes_base64"] is None
    space = report(admin, "/reports/spacesummary", f"spaceid={site['plant']['id']}")
    assert space["names"] == ["Electricity", "Water"] and space["excel_bytes_base64"]


def test_an_entity_without_data_sums_to_zero_or_nothing(admin, app, site):
    spare = new_meter(admin, "Spare", site["electricity"], {"id": site["main"]["cost_center"]["id"]})
    meter = report(admin, "/reports/metersummary", f"meterid={spare['id']}")
    assert (meter["today"], meter["lifetime"]) == ([0], [0]) and meter["excel_bytes_base64"]
    space = report(admin, "/reports/spacesummary", f"spaceid={site['campus']['id']}")
    assert space["names"] == [] and space["lifetime"] == [] and space["excel_bytes_base64"]
    for kind in ("offline_meter", "virtual_meter", "equipment", "combined_equipment", "tenant", "store", "shopfloor"):
        refused(admin.get(f"/reports/{kind.replace('_', '')}summary"), 400, f"API.INVALID_{kind.upper()}_ID")


@pytest.mark.parametrize("path,query,status,code", [
    ("/reports/spacesummary", "", 400, "API.INVALID_SPACE_ID"),
    ("/reports/spacesummary", "spaceid=1.5", 400, "API.INVALID_SPACE_ID"),
    ("/reports/spacesummary", "spaceid=99999", 404, "API.SPACE_NOT_FOUND"),
    ("/reports/metersummary", "meterid=0", 400, "API.INVALID_METER_ID"),
    ("/reports/metersummary", "meterid=99999", 404, "API.METER_NOT_FOUND"),
    ("/reports/metersummary", "meterid={main}&language=xx", 400, "API.INVALID_LANGUAGE"),
])
def test_bad_parameters_answer_myems_codes(admin, site, path, query, status, code):
    refused(admin.get(path, query_string=query.format(main=site["main"]["id"])), status, code)


def test_access_api_keys_everything_users_their_subtrees(admin, api, site):
    client = api_key_client(admin, api)
    assert report(client, "/reports/spacesummary", f"spaceid={site['campus']['id']}&quickmode=true")
    user = limited_user(admin, api, "plant-user", [site["plant"]["id"]])
    assert report(user, "/reports/spacesummary", f"spaceid={site['plant']['id']}&quickmode=true")
    assert report(user, "/reports/metersummary", f"meterid={site['main']['id']}&quickmode=true")
    refused(user.get("/reports/spacesummary", query_string=f"spaceid={site['campus']['id']}"), 403,
            "API.FORBIDDEN_ENTITY")
