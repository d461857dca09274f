"""Summary energy (a peer vendor's idea): today, this month, this year and lifetime, up to now.

``/reports/metersummary?meterid|meteruuid`` (and ``offlinemetersummary``, ``virtualmetersummary``) and
``/reports/spacesummary?spaceid|spaceuuid`` (and the other rolled-up entities: ``equipmentsummary``,
``combinedequipmentsummary``, ``tenantsummary``, ``storesummary``, ``shopfloorsummary``), with the optional
``quickmode`` and ``language``.

- "Today", "this month", "this year" start at the local midnight, the 1st and 1 January in the entity's zone
  (a start that falls in a daylight-saving gap is read as the periods module reads it); "lifetime" has no
  start. All end at now: an hour row counts when its start is before now (the current hour's row holds the
  energy so far), and when its start is at or after the period's start (the periods module's assignment
  rule: in a half-hour zone the hour across midnight belongs to the day it starts in).
- A meter: its energy in its category (``tbl_meter_hourly``, out-of-limit hours left out); a rolled-up entity:
  its input energy per category (``tbl_entity_hourly`` category totals). Each answer is lists in the same order
  as ``energy_category_ids`` / ``names`` / ``units``; a meter has one entry, a space one per category it has
  data in (none: empty lists).
- ``timezone`` names the zone, ``now`` is the local time the summary was taken at, ``starts`` where each
  period began (local).

"Now" comes from the report's clock (a constructor argument, the wall clock by default), so tests can pin it
without a query parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import sqlalchemy as sa

from aggregation.series import OUT_OF_LIMITS
from myems_api.auth import Principal
from myems_api.db import energy
from reports import excel
from reports.blocks import number
from reports.catalog_types import Route
from reports.energy_reports import ENTITY_TITLES, category_of, describe, meter_info
from reports.local_time import Clock, naive_utc, utc_now, zone_name
from reports.query import Engines, entity_query
from reports.store import categories

PERIODS = ("today", "this_month", "this_year", "lifetime")
_TITLES = {"today": "Today", "this_month": "This month", "this_year": "This year", "lifetime": "Lifetime"}
METER_KINDS = ("meter", "offline_meter", "virtual_meter")
ROLLED_UP = ("space", "equipment", "combined_equipment", "tenant", "store", "shopfloor")


def local_starts(now: datetime, zone: tzinfo) -> dict[str, datetime]:
    """The local starts of today, this month and this year at ``now`` (aware), as aware UTC instants."""
    local = now.astimezone(zone)
    starts = {"today": datetime(local.year, local.month, local.day),
              "this_month": datetime(local.year, local.month, 1), "this_year": datetime(local.year, 1, 1)}
    return {key: value.replace(tzinfo=zone, fold=0).astimezone(UTC) for key, value in starts.items()}


@dataclass(frozen=True)
class SummaryReport:
    kind: str
    clock: Clock = utc_now
    title: str = "Summary Energy Report"

    def answer(self, engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        entity, quick = entity_query(engines, self.kind, params, principal)
        now = self.clock().astimezone(UTC)
        starts = local_starts(now, entity.zone)
        with engines.system.connect() as conn:
            known = categories(conn)
            described = meter_info(entity, category_of(conn, entity)) if self.kind in METER_KINDS else describe(entity)
        sums = self._sums(engines, entity.id, starts, naive_utc(now))
        if self.kind in METER_KINDS:
            category_ids = [int(entity.row["energy_category_id"])]
            sums = {category_ids[0]: next(iter(sums.values()), [0.0] * len(PERIODS))}
        else:
            category_ids = sorted(sums)
        result: dict[str, Any] = {
            self.kind: described, "timezone": zone_name(entity.zone),
            "now": now.astimezone(entity.zone).strftime("%Y-%m-%dT%H:%M:%S"),
            "starts": {k: v.astimezone(entity.zone).strftime("%Y-%m-%dT%H:%M:%S") for k, v in starts.items()},
            "energy_category_ids": category_ids,
            "names": [known[c].name if c in known else f"#{c}" for c in category_ids],
            "units": [known[c].unit if c in known else "" for c in category_ids]}
        for index, key in enumerate(PERIODS):
            result[key] = [number(sums[c][index]) for c in category_ids]
        if quick:
            result["excel_bytes_base64"] = None
            return result
        table = excel.Table(title="Summary", header=("Name", "Unit", *(_TITLES[k] for k in PERIODS)), rows=tuple(
            (name, unit, *(result[k][i] for k in PERIODS))
            for i, (name, unit) in enumerate(zip(result["names"], result["units"], strict=True))))
        facts = ((ENTITY_TITLES.get(self.kind, self.kind), entity.name), ("Time zone", result["timezone"]),
                 ("Now", result["now"]))
        result["excel_bytes_base64"] = excel.render_base64(excel.ExcelReport(
            title=self.title, facts=facts, summary=table, chart=None))
        return result

    def _sums(self, engines: Engines, entity_id: int, starts: dict[str, datetime], now: datetime,
              ) -> dict[int, list[float]]:
        """Category (0 for a meter) -> energy [today, this month, this year, lifetime], one grouped query."""
        group: sa.ColumnElement[Any]
        if self.kind in METER_KINDS:
            t = energy.meter_hourly
            value, time, group = t.c.actual_value, t.c.start_datetime_utc, sa.literal(0)
            where = [t.c.meter_type == self.kind, t.c.meter_id == entity_id, t.c.flags.op("&")(OUT_OF_LIMITS) == 0]
        else:
            e = energy.entity_hourly
            value, time, group = e.c.actual_value, e.c.start_datetime_utc, e.c.energy_category_id
            where = [e.c.entity_type == self.kind, e.c.entity_id == entity_id, e.c.direction == "input",
                     e.c.energy_item_id == 0]
        columns = [sa.func.sum(sa.case((time >= naive_utc(starts[k]), value), else_=0)) for k in PERIODS[:3]]
        query = sa.select(group, *columns, sa.func.sum(value)).where(*where, time < now)
        if self.kind not in METER_KINDS:
            query = query.group_by(group)
        with engines.energy.connect() as conn:
            rows = conn.execute(query).all()
        return {int(r[0] or 0): [float(v or 0) for v in r[1:]] for r in rows if r[-1] is not None}


ROUTES: tuple[Route, ...] = tuple(
    Route(f"/reports/{kind.replace('_', '')}summary", SummaryReport(kind).answer) for kind in (*METER_KINDS,
                                                                                              *ROLLED_UP))
