"""Advanced reports: a report route rendered on a schedule into an Excel file, kept and emailed.

An advanced report's ``expression`` (JSON; v6.7.0 keeps it and renders nothing) names what to render::

    {"report": "spaceenergycategory", "params": {"spaceid": 1, "periodtype": "daily"},
     "period": "last_week", "recipients": [{"user_id": 1}, {"email": "energy@example.com"}]}

- ``report``: a GET report path (``/reports/`` optional); ``params``: its query, without the reporting period;
- ``period``: the reporting period, relative to the run in the site's zone (``MYEMS_UTC_OFFSET``):
  ``yesterday``, ``last_7_days``, ``last_week`` (Monday to Monday), ``last_month``, ``last_year``; also how often
  it runs (a day, a week, a month, a year);
- ``recipients``: users (their address) or addresses, each sent the file.

A pass (the aggregation loop, ``myems rules``) renders every enabled report whose ``next_run_datetime`` has
come, or whose run was asked (``PUT /advancedreports/{id}/run`` renders at once): the route's own
``excel_bytes_base64`` is kept in ``tbl_reports_files``, an email with it attached is queued for each
recipient, and ``next_run_datetime`` moves on by the period until it is in the future. The file, the emails
and the move are one transaction, so a report is rendered once per due time.

``GET /reports/advancedreports`` lists the files created in ``[reportingperiodstartdatetime,
reportingperiodenddatetime)`` (local), as v6.7.0 (``id``, ``file_name``, ``uuid``, ``create_datetime_local``,
``file_type``, ``file_size_bytes``, ``file_bytes_base64``); ``GET /reports/advancedreports/{id}`` downloads one
(``create_datetime`` in epoch milliseconds); ``DELETE`` removes it.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from myems_api.auth import Principal
from myems_api.db import file_tables, schema
from myems_api.db import message_tables as mt
from myems_api.errors import ApiError, bad_request, not_found
from reports.catalog_types import Route
from reports.local_time import FORMAT, local_to_utc, parse_local, utc_to_text
from reports.query import Engines

log = logging.getLogger("myems.reports")
SCHEDULER = Principal("apikey", 0, "advanced report scheduler", is_read_only=True)
EVERY = {"yesterday": relativedelta(days=1), "last_7_days": relativedelta(days=1), "last_week": relativedelta(weeks=1),
         "last_month": relativedelta(months=1), "last_year": relativedelta(years=1)}


class InvalidReport(ValueError):
    pass


@dataclass(frozen=True)
class Plan:
    path: str
    params: dict[str, str]
    period: str
    recipients: tuple[dict[str, Any], ...]


def parse_plan(text: str, paths: set[str]) -> Plan:
    try:
        given = json.loads(text)
    except ValueError as exc:
        raise InvalidReport("not JSON") from exc
    if not isinstance(given, dict):
        raise InvalidReport("an object with report, params, period and recipients")
    path = "/reports/" + str(given.get("report", "")).removeprefix("/reports/").strip("/")
    if path not in paths:
        raise InvalidReport("report must name a report route")
    period = given.get("period")
    if period not in EVERY:
        raise InvalidReport(f"period must be one of {', '.join(EVERY)}")
    params, recipients = given.get("params", {}), given.get("recipients", [])
    if not isinstance(params, dict) or not isinstance(recipients, list) or not all(
            isinstance(r, dict) and ("user_id" in r or "email" in r) for r in recipients):
        raise InvalidReport('params is an object, recipients [{"user_id": 1} or {"email": "..."}]')
    return Plan(path, {str(k): str(v) for k, v in params.items()}, period, tuple(recipients))


def reporting_period(period: str, now_local: datetime) -> tuple[datetime, datetime]:
    today = datetime.combine(now_local.date(), datetime.min.time())
    if period == "yesterday":
        return today - timedelta(days=1), today
    if period == "last_7_days":
        return today - timedelta(days=7), today
    if period == "last_week":
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(weeks=1), monday
    if period == "last_month":
        first = today.replace(day=1)
        return first - relativedelta(months=1), first
    first = today.replace(month=1, day=1)
    return first - relativedelta(years=1), first


def render(engines: Engines, routes: Mapping[str, Route], report: Any, now: datetime) -> int:
    """Renders one advanced report now (naive UTC): the file kept, its emails queued, the next run moved on;
    answers the file's id. :class:`InvalidReport` for an expression it cannot render."""
    plan = parse_plan(report.expression, set(routes))
    zone = engines.fallback_zone
    start, end = reporting_period(plan.period, now.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None))
    params = {"periodtype": "daily", **plan.params, "reportingperiodstartdatetime": start.strftime(FORMAT),
              "reportingperiodenddatetime": end.strftime(FORMAT), "quickmode": "false"}
    try:
        result = routes[plan.path].answer(engines, params, SCHEDULER)
    except ApiError as exc:
        raise InvalidReport(f"the report answers {exc.code}") from exc
    workbook = base64.b64decode(result.get("excel_bytes_base64") or "") if isinstance(result, dict) else b""
    if not workbook:
        raise InvalidReport("the report has no Excel file")
    name = f"{report.name} {start.date()} - {(end - timedelta(seconds=1)).date()}"
    next_run = report.next_run_datetime_utc or now
    while next_run <= now:
        next_run += EVERY[plan.period]
    with engines.system.begin() as conn:
        file_id = conn.execute(sa.insert(file_tables.report_files).values(
            uuid=str(uuid.uuid4()), report_id=report.id, create_datetime_utc=now, file_name=name, file_type="xlsx",
            file_object=workbook)).inserted_primary_key[0]  # type: ignore[index]
        for address, person in _addresses(conn, plan.recipients):
            conn.execute(sa.insert(mt.email_messages).values(
                rule_id=None, recipient_name=person, recipient_email=address, subject=name,
                message=f"{report.name}: the report of {start.date()} to {(end - timedelta(seconds=1)).date()} "
                        "is attached.", attachment_file_name=f"{name}.xlsx", attachment_file_object=workbook,
                created_datetime_utc=now, scheduled_datetime_utc=now, status="new", attempts=0))
        conn.execute(sa.update(schema.advanced_reports).where(schema.advanced_reports.c.id == report.id).values(
            last_run_datetime_utc=now, next_run_datetime_utc=next_run, is_run_immediately=False))
    log.info("advanced report %s rendered as file %s", report.id, file_id)
    return int(file_id)


def _addresses(conn: Any, recipients: tuple[dict[str, Any], ...]) -> list[tuple[str, str]]:
    u = schema.users
    ids = [int(r["user_id"]) for r in recipients if str(r.get("user_id", "")).isdecimal()]
    users = conn.execute(sa.select(u.c.email, u.c.display_name).where(u.c.id.in_(ids))).all() if ids else []
    return [(str(e.email), str(e.display_name)) for e in users] + [
        (str(r["email"]), str(r["email"]).split("@")[0]) for r in recipients if r.get("email")]


def run_due_reports(engines: Engines, routes: Mapping[str, Route], now: datetime | None = None) -> list[int]:
    """Renders every enabled advanced report that is due; a report that cannot render is logged and skipped."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    r = schema.advanced_reports
    with engines.system.connect() as conn:
        due = conn.execute(sa.select(r).where(r.c.is_enabled.is_(True), sa.or_(
            r.c.next_run_datetime_utc <= now, r.c.is_run_immediately.is_(True))).order_by(r.c.id)).all()
    files = []
    for report in due:
        try:
            files.append(render(engines, routes, report, now))
        except InvalidReport as exc:
            log.warning("advanced report %s is not rendered: %s", report.id, exc)
    return files


# ------------------------------------------------------------------------------------------------ routes

def list_files(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> list[Any]:
    zone = engines.fallback_zone
    start = parse_local(params.get("reportingperiodstartdatetime"), "API.INVALID_REPORTING_PERIOD_START_DATETIME")
    end = parse_local(params.get("reportingperiodenddatetime"), "API.INVALID_REPORTING_PERIOD_END_DATETIME")
    if start >= end:
        raise bad_request("API.INVALID_REPORTING_PERIOD_END_DATETIME")
    f = file_tables.report_files
    with engines.system.connect() as conn:
        rows = conn.execute(sa.select(f).where(f.c.create_datetime_utc >= local_to_utc(start, zone),
                                               f.c.create_datetime_utc < local_to_utc(end, zone))
                            .order_by(f.c.create_datetime_utc.desc(), f.c.id.desc())).all()
    return [{"id": row.id, "file_name": row.file_name, "uuid": row.uuid, "file_type": row.file_type,
             "create_datetime_local": utc_to_text(row.create_datetime_utc, zone),
             "file_size_bytes": len(row.file_object),
             "file_bytes_base64": base64.b64encode(row.file_object).decode()} for row in rows]


def download(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    row = _file(engines, params)
    return {"id": row.id, "file_name": row.file_name, "uuid": row.uuid, "file_type": row.file_type,
            "create_datetime": row.create_datetime_utc.replace(tzinfo=UTC).timestamp() * 1000,
            "file_bytes_base64": base64.b64encode(row.file_object).decode()}


def delete(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> None:
    row = _file(engines, params)
    with engines.system.begin() as conn:
        conn.execute(sa.delete(file_tables.report_files).where(file_tables.report_files.c.id == row.id))


def _file(engines: Engines, params: Mapping[str, Any]) -> Any:
    raw = str(params.get("id", ""))
    if not raw.isdecimal() or not 0 < int(raw) < 2**63:
        raise bad_request("API.INVALID_ADVANCED_REPORT_ID")
    f = file_tables.report_files
    with engines.system.connect() as conn:
        row = conn.execute(sa.select(f).where(f.c.id == int(raw))).first()
    if row is None:
        raise not_found("API.ADVANCED_REPORT_NOT_FOUND")
    return row


ROUTES = (Route("/reports/advancedreports", list_files), Route("/reports/advancedreports/{id}", download),
          Route("/reports/advancedreports/{id}", delete, method="DELETE"))
