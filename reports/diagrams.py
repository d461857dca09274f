"""Reports on diagrams: an energy flow diagram's flows over a period, a distribution system's live values.

- ``/reports/energyflowdiagram?energyflowdiagramid=&reportingperiodstartdatetime=&reportingperiodenddatetime=``:
  the diagram's nodes and links for a Sankey chart, each link's ``value`` the energy its meter (meter,
  offline meter or virtual meter, named by uuid) measured over the period; a link without a meter, or
  whose meter has no data, has value 0. Local times are in the configured UTC offset (a diagram is in no
  space).
- ``/reports/distributionsystem?distributionsystemid=``: the system's circuits, each with its bound points'
  latest values (``null`` for a point never read), as a switchboard view shows them.

Both are open to sessions and API keys; non-admin users need a privilege (diagrams span spaces, so a
user limited to some spaces sees them only if their privilege names any space).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from myems_api.auth import Principal
from myems_api.db import historical, schema
from myems_api.errors import ApiError, bad_request, not_found
from myems_api.resources.meters import metering_by_uuid
from reports.blocks import number
from reports.catalog_types import Route
from reports.entities import visible_spaces
from reports.periods import INVALID_REPORTING_PERIOD_END, INVALID_REPORTING_PERIOD_START, parse_local_datetime
from reports.query import Engines
from reports.store import Grid, meter_series


def _id(params: Mapping[str, Any], name: str, code: str) -> int:
    raw = str(params.get(name) or "").strip()
    if not raw.isdecimal() or not 0 < int(raw) < 2**63:
        raise bad_request(code)
    return int(raw)


def _may_see_diagrams(conn: Any, principal: Principal | None) -> None:
    allowed = visible_spaces(conn, principal)
    if allowed is not None and not allowed:
        raise ApiError(403, "API.FORBIDDEN_ENTITY")


def energy_flow(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    diagram_id = _id(params, "energyflowdiagramid", "API.INVALID_ENERGY_FLOW_DIAGRAM_ID")
    start = parse_local_datetime(params.get("reportingperiodstartdatetime"), INVALID_REPORTING_PERIOD_START)
    end = parse_local_datetime(params.get("reportingperiodenddatetime"), INVALID_REPORTING_PERIOD_END)
    if end <= start or (end - start).days > engines.max_days:
        raise bad_request(INVALID_REPORTING_PERIOD_END)
    d, n, lk = schema.energy_flow_diagrams, schema.energy_flow_diagram_nodes, schema.energy_flow_diagram_links
    with engines.system.connect() as conn:
        _may_see_diagrams(conn, principal)
        diagram = conn.execute(sa.select(d.c.id, d.c.name, d.c.uuid).where(d.c.id == diagram_id)).first()
        if diagram is None:
            raise not_found("API.ENERGY_FLOW_DIAGRAM_NOT_FOUND")
        nodes = conn.execute(sa.select(n.c.id, n.c.name).where(n.c.energy_flow_diagram_id == diagram_id)
                             .order_by(n.c.id)).all()
        links = conn.execute(sa.select(lk.c.id, lk.c.source_node_id, lk.c.target_node_id, lk.c.meter_uuid).where(
            lk.c.energy_flow_diagram_id == diagram_id).order_by(lk.c.id)).all()
        meters = metering_by_uuid(conn, {link.meter_uuid for link in links if link.meter_uuid})
    utc_start, utc_end = (int(t.replace(tzinfo=engines.fallback_zone).timestamp()) for t in (start, end))
    grid = Grid(utc_start - utc_start % 3600, max(0, -(-(utc_end - (utc_start - utc_start % 3600)) // 3600)))
    position = {node.id: i for i, node in enumerate(nodes)}
    inside = (grid.hours >= utc_start) & (grid.hours < utc_end)
    totals: dict[tuple[str, int], float] = {}
    for kind in {m["type"] for m in meters.values()}:  # one read per kind of meter, not one per link
        ids = sorted({m["id"] for m in meters.values() if m["type"] == kind})
        series, _ = meter_series(engines.energy, kind, ids, grid)
        totals.update({(kind, meter_id): float(np.nansum(row[inside])) for meter_id, row in zip(ids, series,
                                                                                                strict=True)})
    answer_links = []
    for link in links:
        meter = meters.get(link.meter_uuid) if link.meter_uuid else None
        value = totals.get((meter["type"], meter["id"]), 0.0) if meter is not None else 0.0
        answer_links.append({"id": link.id, "source": position[link.source_node_id],
                             "target": position[link.target_node_id], "value": number(value),
                             "meter": meter})
    return {"energy_flow_diagram": {"id": diagram.id, "name": diagram.name, "uuid": diagram.uuid},
            "nodes": [{"id": node.id, "name": node.name} for node in nodes], "links": answer_links}


def distribution_system(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    system_id = _id(params, "distributionsystemid", "API.INVALID_DISTRIBUTION_SYSTEM_ID")
    s, c, cp, p = (schema.distribution_systems, schema.distribution_circuits,
                   schema.distribution_circuits_links["point"], schema.points)
    with engines.system.connect() as conn:
        _may_see_diagrams(conn, principal)
        system = conn.execute(sa.select(s.c.id, s.c.name, s.c.uuid).where(s.c.id == system_id)).first()
        if system is None:
            raise not_found("API.DISTRIBUTION_SYSTEM_NOT_FOUND")
        circuits = conn.execute(sa.select(c).where(c.c.distribution_system_id == system_id).order_by(c.c.id)
                                ).mappings().all()
        bound = conn.execute(sa.select(cp.c.distribution_circuit_id, p.c.id, p.c.name, p.c.units).join(
            p, p.c.id == cp.c.point_id).where(cp.c.distribution_circuit_id.in_([x["id"] for x in circuits]))
            .order_by(p.c.id)).all()
    t = historical.latest_values
    with engines.historical.connect() as conn:
        query = sa.select(t.c.point_id, t.c.actual_value, t.c.utc_date_time, t.c.is_bad).where(
            t.c.point_id.in_([b.id for b in bound]))
        latest = {r.point_id: r for r in conn.execute(query)}
    answer = []
    for circuit in circuits:
        points = []
        for b in (b for b in bound if b.distribution_circuit_id == circuit["id"]):
            value = latest.get(b.id)
            points.append({"id": b.id, "name": b.name, "units": b.units,
                           "value": None if value is None or value.is_bad else number(value.actual_value),
                           "utc_date_time": None if value is None else _iso(value.utc_date_time)})
        answer.append({key: circuit[key] for key in ("id", "name", "uuid", "distribution_room", "switchgear",
                                                    "peak_load", "peak_current", "customers", "meters")}
                      | {"points": points})
    return {"distribution_system": {"id": system.id, "name": system.name, "uuid": system.uuid}, "circuits": answer}


def _iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat(timespec="seconds")


ROUTES = (Route("/reports/energyflowdiagram", energy_flow), Route("/reports/distributionsystem", distribution_system))
