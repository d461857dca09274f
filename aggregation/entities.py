"""Roll-ups from meters to every entity: which meters each entity sums (read from the system store and
built as sparse incidences, see :mod:`aggregation.rollup`), and the hourly energy, cost and carbon per
entity, direction, energy category and energy item written to ``tbl_entity_hourly``.

Who sums what (input; output likewise from the bindings marked ``is_output``, for equipment, combined
equipment and the spaces holding them):

- equipment: its bound meters, offline meters and virtual meters;
- combined equipment: its own bound meters and its equipment's (equipment with ``is_input_counted``);
- tenant, store: their meters; shopfloor: its meters and its equipment's;
- space: its own meters, its tenants', stores', shopfloors', equipment's and combined equipment's (each
  where the entity's ``is_input_counted`` holds), and its child spaces' (where the child's
  ``is_input_counted`` holds), recursively: a meter reached twice is counted once.

Meters with ``is_counted`` false are left out everywhere, and out-of-limit hours count for nothing.
Cost is each meter's energy priced by its cost center's tariffs for its energy category, then rolled up
the same way; carbon is energy times the category's kg CO2e per unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from aggregation.billing import Block, Tariff, TimeOfUse, carbon, hourly_cost
from aggregation.rollup import Incidence, by_group, compose, counted, space_closure, union, valid_hours
from aggregation.series import HOUR, Times, Values, hour_range
from aggregation.store import as_double, epoch_seconds, to_datetime
from myems_api.db import energy, schema
from myems_api.db.entity_days import refresh_daily
from myems_api.db.upsert import upsert

METERING = schema.METERING
METER_TABLES = {"meter": schema.meters, "offline_meter": schema.offline_meters,
                "virtual_meter": schema.virtual_meters}


@dataclass(frozen=True)
class MeterAxis:
    """Every meter, offline meter and virtual meter as one axis, with what roll-ups and billing need."""

    keys: list[tuple[str, int]]
    category: np.ndarray
    item: np.ndarray  # -1: no energy item
    is_counted: np.ndarray
    cost_center: np.ndarray

    @property
    def index(self) -> dict[tuple[str, int], int]:
        return {key: i for i, key in enumerate(self.keys)}


def meter_axis(conn: Connection) -> MeterAxis:
    keys, category, item, is_counted, cost_center = [], [], [], [], []
    for kind, t in METER_TABLES.items():
        for r in conn.execute(sa.select(t.c.id, t.c.energy_category_id, t.c.energy_item_id, t.c.is_counted,
                                        t.c.cost_center_id).order_by(t.c.id)):
            keys.append((kind, r.id))
            category.append(r.energy_category_id)
            item.append(-1 if r.energy_item_id is None else r.energy_item_id)
            is_counted.append(bool(r.is_counted))
            cost_center.append(r.cost_center_id)
    return MeterAxis(keys, np.array(category, dtype=np.int64), np.array(item, dtype=np.int64),
                     np.array(is_counted, dtype=bool), np.array(cost_center, dtype=np.int64))


class Entities:
    """The entity axes (ids and flags per entity type) and the incidences between them and the meters."""

    def __init__(self, conn: Connection, axis: MeterAxis) -> None:
        self.conn = conn
        self.axis = axis
        self.meter_index = axis.index
        self.ids: dict[str, list[int]] = {}
        self.flags: dict[str, dict[str, np.ndarray]] = {}
        for kind, table in (("equipment", schema.equipments), ("combined_equipment", schema.combined_equipments),
                            ("tenant", schema.tenants), ("store", schema.stores), ("shopfloor", schema.shopfloors),
                            ("space", schema.spaces)):
            self._load(kind, table)

    def _load(self, kind: str, table: sa.Table) -> None:
        columns = [c for c in ("is_input_counted", "is_output_counted") if c in table.c]
        rows = self.conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)).all()
        self.ids[kind] = [r[0] for r in rows]
        self.flags[kind] = {c: np.array([bool(r[i + 1]) for r in rows], dtype=bool) for i, c in enumerate(columns)}

    def _position(self, kind: str) -> dict[int, int]:
        return {entity_id: i for i, entity_id in enumerate(self.ids[kind])}

    def meters_of(self, kind: str, links: Mapping[str, sa.Table], owner: str, output: bool | None) -> Incidence:
        """``kind`` -> meter pairs from its binding tables (``is_output`` as asked, where the table has it)."""
        position, pairs = self._position(kind), []
        for target in METERING:
            table = links.get(target)
            if table is None:
                continue
            query = sa.select(table.c[owner], table.c[f"{target}_id"])
            if output is not None and "is_output" in table.c:
                query = query.where(table.c.is_output.is_(output))
            elif output:
                continue  # the binding has no outputs
            for owner_id, meter_id in self.conn.execute(query):
                if owner_id in position and (target, meter_id) in self.meter_index:
                    pairs.append((position[owner_id], self.meter_index[target, meter_id]))
        incidence = Incidence.of(pairs, len(self.ids[kind]), len(self.axis.keys))
        return counted(incidence, self.axis.is_counted)

    def links(self, owner_kind: str, table: sa.Table, owner: str, target_kind: str, flag: str) -> Incidence:
        """``owner_kind`` -> ``target_kind`` pairs, keeping targets whose ``flag`` says they are counted."""
        owners, targets = self._position(owner_kind), self._position(target_kind)
        keep = self.flags[target_kind].get(flag)
        pairs = [(owners[o], targets[t]) for o, t in self.conn.execute(
            sa.select(table.c[owner], table.c[f"{target_kind}_id"]))
            if o in owners and t in targets and (keep is None or keep[targets[t]])]
        return Incidence.of(pairs, len(self.ids[owner_kind]), len(self.ids[target_kind]))

    def incidences(self) -> dict[str, dict[str, Incidence]]:
        """entity type -> direction -> entity x meter incidence."""
        found: dict[str, dict[str, Incidence]] = {}
        parents = self._parents()
        for direction, output, flag in (("input", False, "is_input_counted"), ("output", True, "is_output_counted")):
            equipment = self.meters_of("equipment", schema.equipments_links, "equipment_id", output)
            combined = union(
                self.meters_of("combined_equipment", schema.combined_equipments_links, "combined_equipment_id",
                               output),
                compose(self.links("combined_equipment", schema.combined_equipments_links["equipment"],
                                   "combined_equipment_id", "equipment", flag), equipment))
            found.setdefault("equipment", {})[direction] = equipment
            found.setdefault("combined_equipment", {})[direction] = combined
            own = [compose(self.links("space", schema.spaces_links["equipment"], "space_id", "equipment", flag),
                           equipment),
                   compose(self.links("space", schema.spaces_links["combined_equipment"], "space_id",
                                      "combined_equipment", flag), combined)]
            if not output:
                sites = self._sites(equipment, own)
                found.update({kind: {"input": incidence} for kind, incidence in sites.items()})
            found.setdefault("space", {})[direction] = space_closure(parents, union(*own),
                                                                     rolls_up=self.flags["space"][flag])
        return found

    def _sites(self, equipment: Incidence, space_own: list[Incidence]) -> dict[str, Incidence]:
        """Tenants', stores' and shopfloors' input meters; appends each to ``space_own`` through the space."""
        spaces_meters = {"meter": schema.spaces_meters, "offline_meter": schema.spaces_offline_meters,
                         "virtual_meter": schema.spaces_virtual_meters}
        space_own.append(self.meters_of("space", spaces_meters, "space_id", None))
        sites: dict[str, Incidence] = {}
        for kind, links in (("tenant", schema.tenants_links), ("store", schema.stores_links),
                            ("shopfloor", schema.shopfloors_links)):
            incidence = self.meters_of(kind, links, f"{kind}_id", None)
            if kind == "shopfloor":
                incidence = union(incidence, compose(self.links(
                    "shopfloor", links["equipment"], "shopfloor_id", "equipment", "is_input_counted"), equipment))
            sites[kind] = incidence
            space_own.append(compose(self.links("space", schema.spaces_links[kind], "space_id", kind,
                                                "is_input_counted"), incidence))
        return sites

    def _parents(self) -> np.ndarray:
        position = self._position("space")
        s = schema.spaces
        parent: dict[int, int | None] = dict(self.conn.execute(sa.select(s.c.id, s.c.parent_space_id)).all())
        return np.array([-1 if (up := parent.get(i)) is None else position.get(up, -1) for i in self.ids["space"]],
                        dtype=np.int64)


def tariffs_by_cost_center(conn: Connection) -> dict[tuple[int, int], list[Tariff]]:
    """(cost center, energy category) -> its tariffs, as billing kernels take them."""
    t, tou, blocks, cct = schema.tariffs, schema.tariff_timeofuses, schema.tariff_blocks, schema.cost_centers_tariffs
    rows_tou: dict[int, list[tuple[str, str, float]]] = {}
    for r in conn.execute(sa.select(tou.c.tariff_id, tou.c.start_time_of_day, tou.c.end_time_of_day, tou.c.price)):
        rows_tou.setdefault(r.tariff_id, []).append((r.start_time_of_day, r.end_time_of_day, r.price))
    rows_block: dict[int, list[tuple[float, float, float]]] = {}
    for r in conn.execute(sa.select(blocks.c.tariff_id, blocks.c.start_amount, blocks.c.end_amount, blocks.c.price)):
        rows_block.setdefault(r.tariff_id, []).append((r.start_amount, r.end_amount, r.price))
    found: dict[tuple[int, int], list[Tariff]] = {}
    query = sa.select(cct.c.cost_center_id, t.c.id, t.c.energy_category_id, t.c.tariff_type,
                      t.c.valid_from_datetime_utc, t.c.valid_through_datetime_utc).join(t, t.c.id == cct.c.tariff_id)
    for tr in conn.execute(query):
        try:
            schedule = (TimeOfUse.from_times_of_day(rows_tou.get(tr.id, [])) if tr.tariff_type == "timeofuse"
                        else Block(tuple(rows_block.get(tr.id, []))))
            tariff = Tariff(tr.tariff_type, _epoch(tr.valid_from_datetime_utc), _epoch(tr.valid_through_datetime_utc),
                            schedule)
        except ValueError:
            continue  # an unusable tariff prices nothing: those hours stay without cost
        found.setdefault((tr.cost_center_id, tr.energy_category_id), []).append(tariff)
    return found


def _epoch(value: datetime) -> int:
    return int(value.replace(tzinfo=UTC).timestamp())


def meter_matrix(energy_store: Engine, axis: MeterAxis, hours: Times) -> tuple[Values, np.ndarray]:
    """The stored hourly energy of every meter over ``hours`` (NaN where unknown) and where it is usable.

    One query per kind of meter, read as the driver's plain tuples straight into arrays (a year of a
    thousand meters is nine million rows: no Python object per row survives the read)."""
    t = energy.meter_hourly
    matrix = np.full((len(axis.keys), len(hours)), np.nan)
    flags = np.zeros(matrix.shape, dtype=np.uint8)
    if not len(hours):
        return matrix, np.zeros(matrix.shape, dtype=bool)
    first = int(hours[0])
    with energy_store.connect() as conn:
        seconds = epoch_seconds(t.c.start_datetime_utc, conn.dialect.name)
        for kind in METER_TABLES:
            rows_of_kind = np.array([i for i, (k, _) in enumerate(axis.keys) if k == kind], dtype=np.int64)
            if not len(rows_of_kind):
                continue
            ids = np.array([axis.keys[i][1] for i in rows_of_kind], dtype=np.int64)
            query = sa.select(t.c.meter_id, seconds, as_double(t.c.actual_value), t.c.flags).where(
                t.c.meter_type == kind, t.c.start_datetime_utc >= to_datetime(first),
                t.c.start_datetime_utc <= to_datetime(int(hours[-1])))
            table = np.array(conn.execute(query).cursor.fetchall(), dtype=np.float64).reshape(-1, 4)
            position = np.searchsorted(ids, table[:, 0].astype(np.int64))
            known = (position < len(ids)) & (ids[np.minimum(position, len(ids) - 1)] == table[:, 0])
            row = rows_of_kind[position[known]]
            column = (table[known, 1].astype(np.int64) - first) // HOUR
            matrix[row, column] = table[known, 2]
            flags[row, column] = table[known, 3].astype(np.uint8)
    return matrix, valid_hours(flags) & np.isfinite(matrix)


def month_starts(start: int, end: int, utc_offset_minutes: int) -> list[int]:
    """The UTC instants of the local month starts from the month holding ``start`` up to ``end``, then ``end``:
    the chunks a roll-up works in (a block tariff's position restarts with each local month)."""
    offset = utc_offset_minutes * 60
    local = datetime.fromtimestamp(start + offset, UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    bounds = []
    while int(local.timestamp()) - offset < end:
        bounds.append(int(local.timestamp()) - offset)
        local = local.replace(year=local.year + (local.month == 12), month=local.month % 12 + 1)
    return [*bounds, end]


def roll_up(system: Engine, energy_store: Engine, start: int, end: int, utc_offset_minutes: int) -> int:
    """Recomputes every entity's hours in [start, end), a local month at a time from the month holding
    ``start`` (so block tariffs see the month's position and memory stays one month of meters, however
    long the span); answers the rows written."""
    with system.connect() as conn:
        axis = meter_axis(conn)
        entities = Entities(conn, axis)
        incidences = entities.incidences()
        tariffs = tariffs_by_cost_center(conn)
        items = dict(conn.execute(sa.select(schema.energy_items.c.id, schema.energy_items.c.energy_category_id)).all())
        factors = dict(conn.execute(sa.select(schema.energy_categories.c.id, schema.energy_categories.c.kgco2e)).all())
    written = 0
    bounds = month_starts(start, end, utc_offset_minutes)
    for chunk_start, chunk_end in zip(bounds, bounds[1:], strict=False):
        hours = hour_range(chunk_start, chunk_end)
        if not len(hours):
            continue
        matrix, valid = meter_matrix(energy_store, axis, hours)
        usable = np.where(valid, matrix, np.nan)
        cost = np.full(matrix.shape, np.nan)
        for (center, category), priced in tariffs.items():
            rows = np.flatnonzero((axis.cost_center == center) & (axis.category == category))
            if len(rows):
                cost[rows] = hourly_cost(hours, usable[rows], priced, utc_offset_minutes)
        out = _rows(incidences, entities.ids, axis, hours, usable, valid, cost, items, factors)
        with energy_store.begin() as conn:
            eh = energy.entity_hourly
            conn.execute(sa.delete(eh).where(eh.c.start_datetime_utc >= to_datetime(int(hours[0])),
                                             eh.c.start_datetime_utc <= to_datetime(int(hours[-1]))))
            for offset in range(0, len(out), 5000):
                upsert(conn, eh, out[offset:offset + 5000])
            refresh_daily(conn, to_datetime(int(hours[0])), to_datetime(int(hours[-1])))
        written += len(out)
    return written


def _rows(incidences: dict[str, dict[str, Incidence]], entity_ids: Mapping[str, list[int]], axis: MeterAxis,
          hours: Times, usable: Values, valid: np.ndarray, cost: Values, items: Mapping[int, int],
          factors: Mapping[int, float]) -> list[dict[str, object]]:
    """One row per (entity, direction, category or item, hour) with a known value."""
    when = [to_datetime(int(h)) for h in hours]
    out: list[dict[str, object]] = []
    for dimension, groups in (("category", axis.category), ("item", axis.item)):
        for kind, by_direction in incidences.items():
            for direction, incidence in by_direction.items():
                grouped = by_group(incidence, groups)
                totals = grouped.incidence.apply(usable, valid)
                costs = grouped.incidence.apply(cost, valid & np.isfinite(cost))
                for r in range(len(grouped.entity)):
                    group = int(grouped.group[r])
                    category = group if dimension == "category" else items.get(group, 0)
                    factor = float(factors.get(category, 0.0))
                    known = np.flatnonzero(np.isfinite(totals.energy[r]))
                    for h in known:
                        value = float(totals.energy[r, h])
                        priced = costs.energy[r, h]
                        out.append({"entity_type": kind, "entity_id": entity_ids[kind][int(grouped.entity[r])],
                                    "direction": direction, "energy_category_id": category,
                                    "energy_item_id": group if dimension == "item" else 0,
                                    "start_datetime_utc": when[h], "actual_value": round(value, 6),
                                    "cost": None if not np.isfinite(priced) else round(float(priced), 6),
                                    "carbon": round(float(carbon(np.array([value]), factor)[0]), 6)})
    return out
