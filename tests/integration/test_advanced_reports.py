"""Advanced reports: one scheduled for the past renders once, its file holds the report's own numbers, the
email carries it (a real SMTP server, aiosmtpd), the next run moves on, and the file can be listed, downloaded
and deleted. The site is the energy reports' (:mod:`tests.api.test_reports_energy`): 24 kWh a day in Berlin
from 2026-03-27 to 2026-04-02."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook

from myems_api.app import report_engines
from myems_api.mail import Sender
from reports.catalog import routes
from reports.scheduled import run_due_reports
from tests.api.test_reports_energy import build_site
from tests.integration.test_mail_sender import NOW_SETTINGS, Inbox, add_server, smtp_server

MONDAY = datetime(2026, 4, 6, 7, 0)  # UTC, the test site's offset


def scheduled(admin: Any, space_id: int, **changes: Any) -> dict[str, Any]:
    expression = {"report": "spaceenergycategory", "params": {"spaceid": space_id, "periodtype": "daily"},
                  "period": "last_week", "recipients": [{"user_id": admin.user["id"]}, {"email": "ops@example.com"}]}
    return admin.create("/advancedreports", {"name": "Plant weekly", "expression": json.dumps(expression),
                                             "is_enabled": True, "next_run_datetime": "2026-04-06T06:00:00",
                                             "is_run_immediately": False, **changes})


def cells(workbook: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(workbook))
    return [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]


def test_a_report_scheduled_for_the_past_renders_once_with_the_reports_numbers_and_is_emailed(app, admin, config):
    site = build_site(admin, app)
    made = scheduled(admin, site["space"]["id"])
    catalog = {r.path: r for r in routes() if r.method == "GET"}
    engines = report_engines(config, app.databases)
    assert len(run_due_reports(engines, catalog, now=MONDAY)) == 1
    assert run_due_reports(engines, catalog, now=MONDAY) == []  # not due again until next Monday
    again = admin.get(f"/advancedreports/{made['id']}").json
    assert (again["last_run_datetime"], again["next_run_datetime"]) == ("2026-04-06T07:00:00", "2026-04-13T06:00:00")

    files = admin.get("/reports/advancedreports", query_string="reportingperiodstartdatetime=2026-04-06T00:00:00"
                      "&reportingperiodenddatetime=2026-04-07T00:00:00").json
    [file] = files
    assert file["file_name"] == "Plant weekly 2026-03-30 - 2026-04-05" and file["file_type"] == "xlsx"
    workbook = base64.b64decode(file["file_bytes_base64"])
    assert file["file_size_bytes"] == len(workbook)
    report = admin.get("/reports/spaceenergycategory", query_string=f"spaceid={site['space']['id']}&periodtype=daily"
                       "&reportingperiodstartdatetime=2026-03-30T00:00:00"
                       "&reportingperiodenddatetime=2026-04-06T00:00:00").json
    assert report["reporting_period"]["subtotals"] == [96.0]  # four days of 24 kWh
    found = cells(workbook)
    assert 96 in found and found.count(24) >= 4 and "Plant" in found

    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port)
        assert Sender(app.databases.system, NOW_SETTINGS).run_once().sent == 2
    assert len(inbox.received) == 2 and ["ops@example.com"] in [e.rcpt_tos for e in inbox.received]
    [attachment] = list(inbox.messages()[0].iter_attachments())
    assert attachment.get_filename() == "Plant weekly 2026-03-30 - 2026-04-05.xlsx"
    assert attachment.get_content() == workbook

    one = admin.get(f"/reports/advancedreports/{file['id']}").json
    assert base64.b64decode(one["file_bytes_base64"]) == workbook
    assert one["create_datetime"] == datetime(2026, 4, 6, 7, tzinfo=UTC).timestamp() * 1000
    assert admin.delete(f"/reports/advancedreports/{file['id']}").status_code == 204
    assert admin.get(f"/reports/advancedreports/{file['id']}").status_code == 404


def test_put_run_renders_at_once_and_a_disabled_or_unscheduled_report_waits(app, admin, config):
    site = build_site(admin, app)
    made = scheduled(admin, site["space"]["id"], next_run_datetime=None)
    result = admin.put(f"/advancedreports/{made['id']}/run", {})
    assert result.status_code == 200, result.json
    assert admin.get(f"/reports/advancedreports/{result.json['file_id']}").status_code == 200
    catalog = {r.path: r for r in routes() if r.method == "GET"}
    engines = report_engines(config, app.databases)
    scheduled(admin, site["space"]["id"], name="Disabled", is_enabled=False)
    assert run_due_reports(engines, catalog, now=MONDAY) == []  # ran at once: next run is a week after now


def test_an_expression_naming_no_report_is_refused_with_the_reason(admin):
    made = admin.create("/advancedreports", {"name": "Broken", "expression": json.dumps({"report": "nowhere",
                                             "period": "last_week"}), "is_enabled": True,
                                             "next_run_datetime": "2026-04-06T06:00:00", "is_run_immediately": False})
    result = admin.put(f"/advancedreports/{made['id']}/run", {})
    assert result.status_code == 400 and result.json["reason"] == "report must name a report route"
