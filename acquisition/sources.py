"""Which data sources this worker reads, and their points, loaded from the system store.

``--protocol`` narrows to some protocols and ``--shard I/N`` to the sources whose id is I modulo N, so a
large site runs several worker processes over disjoint sources. Virtual points are computed elsewhere
(they read other points), so they are not polled.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from acquisition.readings import PointSpec
from myems_api.db import schema

log = logging.getLogger("myems.acquisition")
DEFAULT_INTERVAL = 60.0


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``I/N`` with 0 <= I < N."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"shard must look like I/N, not {text!r}") from None
        if not 0 <= index < count:
            raise ValueError(f"shard {text!r}: I must be in 0..N-1")
        return cls(index, count)

    def owns(self, source_id: int) -> bool:
        return source_id % self.count == self.index


@dataclass(frozen=True)
class SourceSpec:
    id: int
    name: str
    gateway_id: int
    protocol: str
    connection: Mapping[str, Any]
    points: tuple[PointSpec, ...]

    @property
    def interval(self) -> float:
        raw = self.connection.get("interval_in_seconds", DEFAULT_INTERVAL)
        return float(raw) if isinstance(raw, int | float) and raw > 0 else DEFAULT_INTERVAL


def load_sources(engine: Engine, protocols: Collection[str] = (), shard: Shard | None = None) -> dict[int, SourceSpec]:
    """The sources (with at least one point) this worker owns, by id. A source whose connection or a point's
    address is not JSON is skipped with an error in the log rather than stopping the others."""
    ds, p = schema.data_sources, schema.points
    query = sa.select(ds.c.id, ds.c.name, ds.c.gateway_id, ds.c.protocol, ds.c.connection).order_by(ds.c.id)
    if protocols:
        query = query.where(ds.c.protocol.in_(list(protocols)))
    shard = shard or Shard()
    with engine.connect() as conn:
        sources = [r for r in conn.execute(query) if shard.owns(r.id)]
        point_rows = conn.execute(sa.select(p).where(p.c.is_virtual.is_(False), p.c.data_source_id.in_(
            [s.id for s in sources])).order_by(p.c.id)).mappings().all() if sources else []
    by_source: dict[int, list[PointSpec]] = {}
    for row in point_rows:
        try:
            by_source.setdefault(row["data_source_id"], []).append(PointSpec.from_row(dict(row)))
        except (ValueError, TypeError):
            log.error("point %s has an address that is not JSON: skipped", row["id"])
    found: dict[int, SourceSpec] = {}
    for s in sources:
        try:
            connection = json.loads(s.connection)
        except ValueError:
            log.error("data source %s (%s) has a connection that is not JSON: skipped", s.id, s.name)
            continue
        if by_source.get(s.id):
            found[s.id] = SourceSpec(s.id, s.name, s.gateway_id, s.protocol, connection, tuple(by_source[s.id]))
    return found
