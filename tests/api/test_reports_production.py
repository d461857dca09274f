"""Production entered by the day and the space production report, against hand-computed values.

The site, in Europe/Berlin (UTC+1 in January): space Factory uses Electricity (kgce 0.1229, kgCO2e 0.5 per kWh)
2 kWh every hour of local 2026-01-10 and 2026-01-11 (48 kWh a day); product Widget (pcs). Entered production:
100 on the 10th, 96 on the 11th. Reporting period the 11th, base period the 10th:

- production 96 against 100: rate (96 - 100) / 100 = -0.04;
- energy 48 kWh: 48 x 0.1229 = 5.8992 kgce, 0.061450 kgce per widget; 24 kgCO2e, 0.25 kgCO2e per widget.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import energy
from tests.api.test_reports_batch import entity_rows
from tests.api.test_reports_meters import insert, limited_user, new_category, new_space, report, workbook_cells, zone_id
from tests.client import Api, refused

DAYS = "reportingperiodstartdatetime=2026-01-10T00:00:00&reportingperiodenddatetime=2026-01-12T00:00:00"
PERIODS = ("periodtype=daily&baseperiodstartdatetime=2026-01-10T00:00:00&baseperiodenddatetime=2026-01-11T00:00:00"
           "&reportingperiodstartdatetime=2026-01-11T00:00:00&reportingperiodenddatetime=2026-01-12T00:00:00")


@pytest.fixture
def site(admin: Api, app: Any) -> dict[str, Any]:
    electricity = new_category(admin)
    factory = new_space(admin, "Factory", None, zone_id(admin))
    insert(app, "energy", energy.entity_hourly, entity_rows("space", factory["id"], electricity["id"], 2.0))
    widget = admin.create("/products", {"name": "Widget", "unit_of_measure": "pcs", "tag": "line 1",
                                        "standard_product_coefficient": 1})
    return {"factory": factory, "widget": widget}


def enter(admin: Api, site: dict[str, Any], *days: tuple[str, Any]) -> Any:
    return admin.post("/reports/enterproduction", {"spaceid": site["factory"]["id"], "productid": site["widget"]["id"],
                                                   "value": [list(day) for day in days]})


def entered(admin: Api, site: dict[str, Any]) -> list[Any]:
    result = admin.get("/reports/enterproduction", query_string=f"spaceid={site['factory']['id']}"
                       f"&productid={site['widget']['id']}&{DAYS}")
    assert result.status_code == 200, result.json
    return list(result.json)


def stored_hours(app: Any) -> list[tuple[datetime, float]]:
    t = energy.space_production_hourly
    with app.databases.engines["energy"].connect() as conn:
        return [(r[0], float(r[1])) for r in conn.execute(sa.select(t.c.start_datetime_utc, t.c.product_count)
                                                          .order_by(t.c.start_datetime_utc))]


def test_entered_days_are_listed_per_local_day_and_null_where_nothing_was_entered(admin, app, site):
    assert enter(admin, site, ("2026-01-10", "96")).status_code == 200
    assert entered(admin, site) == [{"monthdate": "2026-01-10", "daily_value": pytest.approx(96)},
                                    {"monthdate": "2026-01-11", "daily_value": None}]
    hours = stored_hours(app)
    assert [h for h, _ in hours] == [datetime(2026, 1, 9, 23) + timedelta(hours=n) for n in range(24)]
    assert [v for _, v in hours] == [pytest.approx(4)] * 24


def test_a_day_entered_again_replaces_what_it_held(admin, app, site):
    enter(admin, site, ("2026-01-10", 96), ("2026-01-11", 10))
    enter(admin, site, ("2026-01-10", 7))
    assert [d["daily_value"] for d in entered(admin, site)] == [pytest.approx(7), pytest.approx(10)]
    assert len(stored_hours(app)) == 48
    assert sum(v for _, v in stored_hours(app)) == pytest.approx(17)


@pytest.mark.parametrize("day", [("2026-02-30", 1), ("2026-01-11", -1), ("2026-01-11", "x"), ("2026-01-11",),
                                 ("2026-01-11", True), ("2026-01-11", None), ("2026-01-11", 1e15)])
def test_a_bad_day_is_refused_whole_and_writes_nothing(admin, app, site, day):
    refused(enter(admin, site, ("2026-01-10", 5), day), 400, "API.INVALID_PRODUCTION_VALUE")
    assert stored_hours(app) == []


def test_an_unknown_space_or_product_and_a_missing_product_id_are_refused(admin, site):
    body = {"spaceid": site["factory"]["id"], "productid": 9999, "value": [["2026-01-10", 1]]}
    refused(admin.post("/reports/enterproduction", body), 404, "API.PRODUCT_NOT_FOUND")
    refused(admin.post("/reports/enterproduction", {**body, "spaceid": 9999, "productid": site["widget"]["id"]}),
            404, "API.SPACE_NOT_FOUND")
    refused(admin.post("/reports/enterproduction", {**body, "productid": "one"}), 400, "API.INVALID_PRODUCT_ID")
    refused(admin.get("/reports/spaceproduction", query_string=f"spaceid={site['factory']['id']}&{PERIODS}"),
            400, "API.INVALID_PRODUCT_ID")
    unknown = f"spaceid={site['factory']['id']}&productid=9999&{DAYS}"
    refused(admin.get("/reports/enterproduction", query_string=unknown), 404, "API.PRODUCT_NOT_FOUND")


def test_a_user_enters_production_only_for_spaces_of_their_privilege(admin, api, site):
    other = new_space(admin, "Office", site["factory"], zone_id(admin))
    user = limited_user(admin, api, "carol", [other["id"]])
    refused(enter(user, site, ("2026-01-10", 5)), 403, "API.FORBIDDEN_ENTITY")


def test_the_space_production_report_divides_the_energy_by_what_was_produced(admin, site):
    enter(admin, site, ("2026-01-10", 100), ("2026-01-11", 96))
    result = report(admin, "/reports/spaceproduction",
                    f"spaceid={site['factory']['id']}&productid={site['widget']['id']}&{PERIODS}")
    assert result["product"] == {"name": "Widget", "unit": "pcs", "tag": "line 1", "coefficient": 1}
    assert result["reporting_production"] == {"timestamps": ["2026-01-11"], "values": [pytest.approx(96)],
                                              "rates": [pytest.approx(-0.04)]}
    assert result["base_production"] == {"timestamps": ["2026-01-10"], "values": [pytest.approx(100)]}
    assert (result["reporting_total_production"], result["base_total_production"]) == (pytest.approx(96),
                                                                                         pytest.approx(100))
    rp = result["reporting_period"]
    assert rp["subtotals"] == [pytest.approx(48)] and rp["units"] == ["kWh"]
    assert rp["total_in_kgce"] == pytest.approx(5.8992)
    assert rp["total_in_kgce_per_prodution"] == pytest.approx(5.8992 / 96)
    assert rp["total_in_kgco2e_per_prodution"] == pytest.approx(0.25)
    assert rp["subtotals_per_production"] == [pytest.approx(0.5)]
    assert 96 in workbook_cells(result) and 48 in workbook_cells(result)


def test_without_production_the_report_answers_zero_totals_and_no_per_unit_values(admin, site):
    result = report(admin, "/reports/spaceproduction",
                    f"spaceid={site['factory']['id']}&productid={site['widget']['id']}&{PERIODS}&quickmode=true")
    assert result["reporting_production"]["values"] == [None] and result["reporting_total_production"] == 0
    assert result["reporting_period"]["total_in_kgce_per_prodution"] is None
    assert result["excel_bytes_base64"] is None
