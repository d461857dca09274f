"""Every report path and what answers it: the report families declared as data.

Entity reports are the same few builders for every kind of entity that rolls up energy (space, equipment,
combined equipment, tenant, store, shopfloor): ``/reports/<kind><report>``. Meter reports serve meters,
offline meters and virtual meters alike. A :class:`Route` is one path: it parses the standard query for its
entity kind and calls its builder; reports with their own parameters (batch, dashboard...) are routes too.
"""

from __future__ import annotations

from reports import (
    asset_views,
    assets,
    batch,
    bills,
    comparison,
    dashboard,
    diagrams,
    entries,
    faults,
    meter_views,
    operations,
    production,
    scheduled,
    summary,
)
from reports.catalog_types import Route, standard
from reports.efficiency import EfficiencyReport
from reports.energy_reports import EntityReport, MeterReport
from reports.targets import Target

ROLLED_UP = ("space", "equipment", "combined_equipment", "tenant", "store", "shopfloor")
ENTITY_REPORTS = (
    EntityReport("energycategory", title="Energy Category Report"),
    EntityReport("energyitem", by="item", title="Energy Item Report"),
    EntityReport("cost", measure="cost", title="Cost Report"),
    EntityReport("carbon", measure="carbon", title="Carbon Dioxide Emissions Report"),
    EntityReport("load", shape="load", title="Load Report"),
    EntityReport("statistics", shape="statistics", title="Statistics Report"),
    EntityReport("saving", target=Target("saving"), title="Saving Report"),
    EntityReport("plan", target=Target("plan"), title="Plan Report"),
    EntityReport("prediction", target=Target("prediction"), title="Prediction Report"),
    EntityReport("output", direction="output", title="Output Report"),
    EntityReport("income", measure="cost", direction="output", title="Income Report"),
)
METERS = ("meter", "offline_meter", "virtual_meter")
METER_REPORTS = (MeterReport("energy", title="Meter Energy Report"),
                 MeterReport("cost", measure="cost", title="Meter Cost Report"),
                 MeterReport("carbon", measure="carbon", title="Meter Carbon Dioxide Emissions Report"),
                 MeterReport("saving", target=Target("saving"), title="Meter Saving Report"),
                 MeterReport("plan", target=Target("plan"), title="Meter Plan Report"),
                 MeterReport("prediction", target=Target("prediction"), title="Meter Prediction Report"))


def routes() -> tuple[Route, ...]:
    found = [Route(f"/reports/{kind.replace('_', '')}{report.name}", standard(kind, report))
             for kind in ROLLED_UP for report in ENTITY_REPORTS]
    found += [Route(f"/reports/{kind.replace('_', '')}{report.name}", standard(kind, report))
              for kind in METERS for report in METER_REPORTS]
    found += [Route(f"/reports/{kind.replace('_', '')}efficiency", standard(kind, EfficiencyReport()))
              for kind in ("equipment", "combined_equipment")]
    return (*found, *meter_views.ROUTES, *batch.ROUTES, *summary.ROUTES, *dashboard.ROUTES, *diagrams.ROUTES,
            *assets.ROUTES, *asset_views.ROUTES, *comparison.ROUTES, *operations.ROUTES, *bills.ROUTES,
            *entries.ROUTES, *production.ROUTES, *faults.ROUTES, *scheduled.ROUTES)
