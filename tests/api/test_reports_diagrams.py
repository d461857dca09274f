"""Diagram reports: an energy flow diagram's links carry their meters' energy over the period, and a
distribution system's circuits show their points' latest values."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from myems_api.db import energy
from tests.api.test_diagrams import CIRCUIT, DIAGRAMS, SYSTEM, SYSTEMS, add_link, new_diagram, new_metering, new_point

PERIOD = "reportingperiodstartdatetime=2026-03-01T00:00:00&reportingperiodenddatetime=2026-03-02T00:00:00"


def test_each_link_carries_its_meters_energy_over_the_period_and_a_link_without_a_meter_zero(admin, app):
    metering = new_metering(admin)
    diagram_id, nodes = new_diagram(admin, nodes=("Grid", "Main", "Chillers", "Lights"))
    add_link(admin, diagram_id, nodes["Grid"], nodes["Main"], metering["meter"]["uuid"])
    add_link(admin, diagram_id, nodes["Main"], nodes["Chillers"], metering["offline_meter"]["uuid"])
    add_link(admin, diagram_id, nodes["Main"], nodes["Lights"])
    hours = [datetime(2026, 2, 28, 22) + timedelta(hours=h) for h in range(28)]  # two hours either side
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": kind, "meter_id": metering[kind]["id"], "start_datetime_utc": h, "actual_value": value,
             "flags": 0} for kind, value in (("meter", 2.0), ("offline_meter", 0.5)) for h in hours])
    result = admin.get("/reports/energyflowdiagram", query_string=f"energyflowdiagramid={diagram_id}&{PERIOD}")
    assert result.status_code == 200, result.json
    assert [n["name"] for n in result.json["nodes"]] == ["Grid", "Main", "Chillers", "Lights"]
    assert [(x["source"], x["target"], x["value"]) for x in result.json["links"]] == [
        (0, 1, pytest.approx(48.0)), (1, 2, pytest.approx(12.0)), (1, 3, 0.0)]


@pytest.mark.parametrize("query,status,code", [
    ("energyflowdiagramid=x&" + PERIOD, 400, "API.INVALID_ENERGY_FLOW_DIAGRAM_ID"),
    ("energyflowdiagramid=999&" + PERIOD, 404, "API.ENERGY_FLOW_DIAGRAM_NOT_FOUND"),
    ("energyflowdiagramid=1&reportingperiodstartdatetime=2026-03-02T00:00:00"
     "&reportingperiodenddatetime=2026-03-01T00:00:00", 400, "API.INVALID_REPORTING_PERIOD_END_DATETIME"),
])
def test_bad_energy_flow_queries_answer_clear_errors(admin, query, status, code):
    admin.create(DIAGRAMS, {"name": "Flow"})
    result = admin.get("/reports/energyflowdiagram", query_string=query)
    assert (result.status_code, result.json["description"]) == (status, code)


def test_circuits_show_their_points_latest_values_and_null_for_a_point_never_read(admin):
    system = admin.create(SYSTEMS, SYSTEM)
    circuit = admin.create("/distributioncircuits", {**CIRCUIT, "distribution_system_id": system["id"]})
    read, unread = new_point(admin), admin.create("/points", {**new_point_payload(admin), "name": "Unread"})
    for point in (read, unread):
        assert admin.post(f"/distributioncircuits/{circuit['id']}/points", {"point_id": point["id"]}).status_code == 201
    pushed = admin.post("/points/values", [{"point_id": read["id"], "utc_date_time": "2026-03-01T00:00:00",
                                            "value": 12.5}])
    assert pushed.status_code == 200, pushed.json
    result = admin.get("/reports/distributionsystem", query_string=f"distributionsystemid={system['id']}")
    assert result.status_code == 200, result.json
    [answer] = result.json["circuits"]
    assert answer["name"] == CIRCUIT["name"]
    assert [(p["name"], p["value"]) for p in answer["points"]] == [(read["name"], 12.5), ("Unread", None)]


def new_point_payload(admin):
    source = admin.get("/datasources").json[0]
    point = dict(admin.get("/points").json[0])
    return {k: point[k] for k in ("object_type", "units", "high_limit", "low_limit", "ratio", "is_trend",
                                  "is_virtual", "address")} | {"data_source_id": source["id"]}


def test_an_unknown_distribution_system_is_not_found(admin):
    result = admin.get("/reports/distributionsystem", query_string="distributionsystemid=42")
    assert (result.status_code, result.json["description"]) == (404, "API.DISTRIBUTION_SYSTEM_NOT_FOUND")
