"""A week of simulated readings for the demo's points, so hourly energy exists the moment the demo starts.

Values come from :mod:`acquisition.simulation` (the same deterministic generators live acquisition uses),
every 15 minutes up to now, written through the one trend write path. Skipped for points that already
have readings, so re-running the demo adds nothing. The root space's production of the first product is
entered for the same days (fewer on weekends), so the production reports have something to divide by.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from acquisition.simulation import simulate
from myems_api.db import historical, schema
from myems_api.db.engines import Databases
from myems_api.db.production import entered_hours, write_days
from myems_api.db.trends import Reading, Sample, store_readings
from myems_api.zones import entity_zone

STEP = 15 * 60


def seed_history(databases: Databases, days: int = 7) -> int:
    """Writes ``days`` of 15-minute simulated readings for simulation points without any; answers rows."""
    p, ds = schema.points, schema.data_sources
    with databases.system.connect() as conn:
        points = conn.execute(sa.select(p.c.id, p.c.object_type, p.c.address).join(ds, ds.c.id == p.c.data_source_id)
                              .where(ds.c.protocol == "simulation", p.c.is_virtual.is_(False))).all()
    store = databases.engines["historical"]
    now = int(datetime.now(UTC).timestamp())
    end = now - now % STEP
    epochs = np.arange(end - days * 86_400, end + 1, STEP, dtype=np.float64)
    samples: list[Sample] = []
    with store.connect() as conn:
        for point in points:
            table = historical.TRENDS[point.object_type]
            if conn.execute(sa.select(table.c.point_id).where(table.c.point_id == point.id).limit(1)).first():
                continue
            values = simulate(json.loads(point.address), point.id, epochs)
            samples.extend((point.object_type, Reading(point.id, _utc(int(t)), float(v)))
                           for t, v in zip(epochs, values, strict=True))
    with store.begin() as conn:
        store_readings(conn, samples)
    _seed_production(databases, days)
    return len(samples)


def _seed_production(databases: Databases, days: int) -> None:
    s, products = schema.spaces, schema.products
    with databases.system.connect() as conn:
        root = conn.execute(sa.select(sa.func.min(s.c.id)).where(s.c.parent_space_id.is_(None))).scalar()
        product = conn.execute(sa.select(sa.func.min(products.c.id))).scalar()
        if root is None or product is None:
            return
        zone = entity_zone(conn, "space", int(root), UTC)
    if entered_hours(databases.engines["energy"], int(root), int(product)):
        return
    today = datetime.now(zone).date()
    dates = [today - timedelta(days=d) for d in range(days, -1, -1)]
    entered = [(day, 180.0 if day.weekday() >= 5 else 400.0 + 10 * (day.toordinal() % 7)) for day in dates]
    write_days(databases.engines["energy"], int(root), zone, int(product), entered)


def _utc(seconds: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)
