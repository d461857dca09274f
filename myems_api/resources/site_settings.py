"""Tenant and store types, working calendars with their non-working days, fault-detection rules and
advanced report configurations.

Non-working days belong to their calendar: written through ``/workingcalendars/{id}/nonworkingdays`` (the
seed creates them with PUT; POST works too) or ``/nonworkingdays/{id}``, one per date per calendar, and
exported, cloned and deleted with it. Rules and advanced reports are stored and validated here.
``PUT /rules/{id}/run`` runs the rule at once (:mod:`aggregation.rules`) and answers what it raised and
cleared (400 ``API.INVALID_RULE_EXPRESSION`` for an expression the engine cannot read);
``PUT /advancedreports/{id}/run`` renders the report at once (:mod:`reports.scheduled`) and answers its file
(400 ``API.INVALID_ADVANCED_REPORT_EXPRESSION``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import falcon
import sqlalchemy as sa

from myems_api.db import schema
from myems_api.db.engines import Databases
from myems_api.engine.family import ADMIN, Children, Family, Items
from myems_api.engine.fields import Bool, Choice, Date, Derived, JsonText, LocalDateTime, Name, Ref, Text
from myems_api.engine.store import FamilyStore
from myems_api.errors import ApiError
from myems_api.http import Endpoint
from reports.query import Engines


def _type_family(singular: str, plural: str, table: Any) -> Family:
    """Portable (beyond the seed) so that tenants and stores, which name their type by uuid, can move."""
    return Family(singular, plural, table, fields=(
        Name(), Text("description", max_len=4096, required=False, null=True),
        Text("simplified_code", max_len=32, required=False, null=True)), portable=True)


tenant_types = _type_family("tenant_type", "tenant_types", schema.tenant_types)
store_types = _type_family("store_type", "store_types", schema.store_types)


def distinct_dates(days: list[dict[str, Any]], calendar: Mapping[str, Any]) -> str | None:
    dates = [d["date_local"] for d in days]
    return None if len(set(dates)) == len(dates) else "API.NON_WORKING_DAY_DATE_LOCAL_IS_ALREADY_IN_USE"


DAY_FIELDS = (Date("date_local"), Text("description", max_len=4096, required=False, null=True))

working_calendars = Family(
    "working_calendar", "working_calendars", schema.working_calendars,
    fields=(Name(), Text("description", max_len=4096, required=False, null=True)),
    items=(Items("non_working_days", schema.non_working_days, "working_calendar_id", fields=DAY_FIELDS,
                 check=distinct_dates),),
    children=(Children("nonworkingdays", "non_working_day", via="working_calendar", create_verbs=("POST", "PUT")),),
    portable=True, item_post_imports=True,
)

non_working_days = Family(
    "non_working_day", "non_working_days", schema.non_working_days,
    fields=(Ref("working_calendar"), Derived("working_calendar_id", db_column="working_calendar_id"),
            Date("date_local", unique=True, unique_with=("working_calendar_id",)),
            Text("description", max_len=4096, required=False, null=True)),
    ops=frozenset({"get", "update", "delete"}),
)

RULE_CATEGORIES = ("SYSTEM", "REALTIME", "SPACE", "METER", "TENANT", "STORE", "SHOPFLOOR", "EQUIPMENT",
                   "COMBINEDEQUIPMENT")

rules = Family(
    "rule", "rules", schema.rules,
    fields=(
        Name(), Text("fdd_code", max_len=32, pattern=r"[A-Z]+\d+"), Choice("category", choices=RULE_CATEGORIES),
        Choice("priority", choices=("CRITICAL", "HIGH", "MEDIUM", "LOW")),
        Choice("channel", choices=("WEB", "EMAIL", "SMS", "WECHAT", "CALL")),
        JsonText("expression"), Text("message_template", max_len=4096), Bool("is_enabled"),
        Bool("is_run_immediately", required=False, default=False),
        LocalDateTime("last_run_datetime", writable=False), LocalDateTime("next_run_datetime", writable=False),
    ),
    portable=True,
)

advanced_reports = Family(
    "advanced_report", "advanced_reports", schema.advanced_reports,
    fields=(
        Name(), JsonText("expression"), Bool("is_enabled"),
        Bool("is_run_immediately", required=False, default=False),
        LocalDateTime("next_run_datetime", required=False, null=True),
        LocalDateTime("last_run_datetime", writable=False),
    ),
    portable=True, collection_clone=True,
)

FAMILIES = (tenant_types, store_types, working_calendars, non_working_days, rules, advanced_reports)


class RunLater:
    """``PUT /rules/{id}/run`` and ``PUT /advancedreports/{id}/run``: the rule runs, the report renders, now."""

    def __init__(self, stores: Mapping[str, FamilyStore], databases: Databases, engines: Engines) -> None:
        self.stores = stores
        self.databases = databases
        self.engines = engines
        self.utc_offset_minutes = engines.utc_offset_minutes

    def endpoints(self) -> list[Endpoint]:
        return [self._run("rule", self._run_rule), self._run("advanced_report", self._render)]

    def _render(self, report_id: int) -> dict[str, Any]:
        from reports.catalog import routes
        from reports.scheduled import InvalidReport, render

        with self.databases.system.connect() as conn:
            report = conn.execute(sa.select(schema.advanced_reports).where(
                schema.advanced_reports.c.id == report_id)).one()
        try:
            file_id = render(self.engines, {r.path: r for r in routes() if r.method == "GET"}, report,
                             datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        except InvalidReport as exc:
            raise ApiError(400, "API.INVALID_ADVANCED_REPORT_EXPRESSION", detail={"reason": str(exc)}) from exc
        return {"id": report_id, "file_id": file_id}

    def _run_rule(self, rule_id: int) -> dict[str, Any]:
        from aggregation.rules import run_rules  # the engine reads energy and trends: loaded when a rule runs

        runs = run_rules(self.databases, only=rule_id, utc_offset_minutes=self.utc_offset_minutes)
        if not runs:
            raise ApiError(409, "API.RULES_ARE_RUNNING_ELSEWHERE")
        run = runs[0]
        if run.error:
            raise ApiError(400, "API.INVALID_RULE_EXPRESSION", detail={"reason": run.error.split(": ", 1)[-1]})
        return {"id": rule_id, "raised": run.raised, "cleared": run.cleared, "holding": run.holding}

    def _run(self, singular: str, action: Any) -> Endpoint:
        store = self.stores[singular]

        def on_put(req: falcon.Request, resp: falcon.Response, id: str) -> None:
            entity_id = store.parse_id(id)
            store.get(entity_id)
            resp.media = action(entity_id)

        return Endpoint(f"{store.family.path}/{{id}}/run").add("PUT", ADMIN, on_put)
