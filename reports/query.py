"""A report request: the entity, its periods in the entity's zone, quick mode and language, checked whole.

Query parameters as MyEMS names them: ``<kind>id`` | ``<kind>uuid``, ``periodtype``,
``baseperiodstartdatetime`` / ``baseperiodenddatetime`` (optional), ``reportingperiodstartdatetime`` /
``reportingperiodenddatetime``, ``language``, ``quickmode=true`` (no parameters series, no Excel). Every
bad value answers 400 (404 for an unknown entity, 403 for one outside the caller's spaces) before any
energy data is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.engine import Engine

from myems_api.auth import Principal
from myems_api.errors import bad_request
from reports.entities import ReportEntity, check_access, resolve
from reports.local_time import Clock
from reports.periods import PeriodError, ReportPeriods, parse_report_periods

LANGUAGES = ("en", "zh_CN", "zh_TW", "de", "fr", "es", "ru", "ar", "vi", "th", "tr", "ms", "id", "pt", "kr", "jp",
             "it", "pl", "nl", "sv", "ja", "ko")


@dataclass(frozen=True)
class Engines:
    """What reports read: the system, energy and historical stores, and the site's defaults."""

    system: Engine
    energy: Engine
    historical: Engine
    fallback_zone: tzinfo  # MYEMS_UTC_OFFSET: for entities in no space with a zone
    utc_offset_minutes: int  # local time of tariffs (peak types), as billing uses it
    max_days: float  # the longest reporting or base period
    currency: str = "CNY"  # MYEMS_CURRENCY_UNIT: the unit of costs and incomes, as MyEMS's currency_unit


@dataclass(frozen=True)
class ReportQuery:
    entity: ReportEntity
    periods: ReportPeriods
    quick: bool
    language: str
    pdf: bool = False  # ``exportpdf=true``: the report as a PDF file too


def flag(params: Mapping[str, Any], name: str) -> bool:
    return str(params.get(name, "")).strip().lower() in ("true", "1", "yes")


def language(params: Mapping[str, Any]) -> str:
    value = str(params.get("language") or "en").strip()
    if value not in LANGUAGES:
        raise bad_request("API.INVALID_LANGUAGE")
    return value


def entity_query(engines: Engines, kind: str, params: Mapping[str, Any], principal: Principal | None,
                 ) -> tuple[ReportEntity, bool]:
    """The entity a report names (400 / 404 / 403), the language checked, and quick mode."""
    with engines.system.connect() as conn:
        entity = resolve(conn, kind, params, engines.fallback_zone)
        check_access(conn, principal, entity)
    language(params)
    return entity, flag(params, "quickmode")


def parse_query(engines: Engines, kind: str, params: Mapping[str, Any], principal: Principal | None,
                period_type: str | None = None) -> ReportQuery:
    """The standard query. ``period_type`` fixes the periods of a report without ``periodtype`` (a span
    report reads one "daily" periods object for its ends and :attr:`Periods.utc_range`); such reports have
    no base period."""
    entity, quick = entity_query(engines, kind, params, principal)
    try:
        if period_type is None:
            periods = parse_report_periods(
                params.get("periodtype"), params.get("reportingperiodstartdatetime"),
                params.get("reportingperiodenddatetime"), entity.zone,
                base_start=params.get("baseperiodstartdatetime"), base_end=params.get("baseperiodenddatetime"),
                max_days=engines.max_days)
        else:
            periods = parse_report_periods(period_type, params.get("reportingperiodstartdatetime"),
                                           params.get("reportingperiodenddatetime"), entity.zone,
                                           max_days=engines.max_days)
    except PeriodError as exc:
        raise bad_request(exc.code) from exc
    return ReportQuery(entity, periods, quick, language(params), flag(params, "exportpdf"))


def span_query(engines: Engines, kind: str, params: Mapping[str, Any], principal: Principal | None) -> ReportQuery:
    """A report over one span without ``periodtype``."""
    return parse_query(engines, kind, params, principal, period_type="daily")


_LOCAL = "%Y-%m-%dT%H:%M:%S"


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _year_earlier(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 1, day=28)


def this_year_unless_asked(engines: Engines, params: Mapping[str, Any], zone: tzinfo, clock: Clock) -> ReportPeriods:
    """The periods a user-scoped report asks for; without a reporting period, 1 January to now (monthly
    unless ``periodtype`` says otherwise) against the same span of last year."""
    period_type = "monthly" if _blank(params.get("periodtype")) else params.get("periodtype")
    start, end = params.get("reportingperiodstartdatetime"), params.get("reportingperiodenddatetime")
    base_start, base_end = params.get("baseperiodstartdatetime"), params.get("baseperiodenddatetime")
    if _blank(start) and _blank(end):
        now = clock().astimezone(zone).replace(tzinfo=None, microsecond=0)
        first = datetime(now.year, 1, 1)
        last = max(now, first + timedelta(hours=1))
        start, end = first.strftime(_LOCAL), last.strftime(_LOCAL)
        if _blank(base_start) and _blank(base_end):
            base_start, base_end = _year_earlier(first).strftime(_LOCAL), _year_earlier(last).strftime(_LOCAL)
    try:
        return parse_report_periods(period_type, start, end, zone, base_start=base_start, base_end=base_end,
                                    max_days=engines.max_days)
    except PeriodError as exc:
        raise bad_request(exc.code) from exc
