"""The named parts of energy assets kept as owned rows (energy storage containers, photovoltaic stations).

A part kind is one :class:`~myems_api.engine.family.Items` declaration: a name unique among the owner's
parts of that kind (``API.<OWNER>_<KIND>_NAME_IS_ALREADY_IN_USE``), the points and meters that measure it
(each must exist, points of the right object type, meters of electricity: the rules of
:mod:`myems_api.resources.microgrids`), and the points bound to it at ``.../<kind>/{iid}/points``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import schema
from myems_api.engine.family import Items, ItemsCheck, bound_through
from myems_api.engine.fields import Field, Number, Ref, Text
from myems_api.resources.microgrids import is_electricity

ItemsDbCheck = Callable[[Connection, list[dict[str, Any]], Mapping[str, Any], int | None], str | None]


def point(key: str, required: bool = True) -> Ref:
    return Ref(key, family="point", required=required, null=not required)


def meter(key: str) -> Ref:
    return Ref(key, family="meter")


def at_least_zero(key: str) -> Number:
    return Number(key, min=0)


def rows_fit(code: str, pairs: tuple[tuple[str, str], ...] = ()) -> ItemsCheck:
    """Names unique among the rows; each (a, b) pair of meters names two different meters."""
    def check(rows: list[dict[str, Any]], owner: Mapping[str, Any]) -> str | None:
        names = [r["name"].casefold() for r in rows]
        if len(set(names)) != len(names):
            return f"API.{code}_NAME_IS_ALREADY_IN_USE"
        for a, b in pairs:
            if any(r[f"{a}_id"] == r[f"{b}_id"] for r in rows):
                return f"API.{a.upper()}_AND_{b.upper()}_CANNOT_BE_THE_SAME"
        return None
    return check


def kinds_fit(points: Mapping[str, tuple[str, ...]], meters: tuple[str, ...]) -> ItemsDbCheck:
    """Each referenced point has one of its field's object types; each meter is an electricity meter."""
    def check(conn: Connection, rows: list[dict[str, Any]], owner: Mapping[str, Any],
              owner_id: int | None) -> str | None:
        p, m, c = schema.points, schema.meters, schema.energy_categories
        point_ids = {r[f"{key}_id"] for r in rows for key in points}
        object_types = dict(conn.execute(sa.select(p.c.id, p.c.object_type).where(p.c.id.in_(point_ids))).all())
        meter_ids = {r[f"{key}_id"] for r in rows for key in meters}
        categories = {row.id: is_electricity(row.name, row.unit_of_measure) for row in conn.execute(
            sa.select(m.c.id, c.c.name, c.c.unit_of_measure).join(c, c.c.id == m.c.energy_category_id)
            .where(m.c.id.in_(meter_ids)))}
        for r in rows:
            wrong = next((key for key, allowed in points.items() if object_types.get(r[f"{key}_id"]) not in allowed),
                         None)
            if wrong:
                return f"API.INVALID_{wrong.upper()}_OBJECT_TYPE"
            wrong = next((key for key in meters if not categories.get(r[f"{key}_id"])), None)
            if wrong:
                return f"API.{wrong.upper()}_IS_NOT_AN_ELECTRICITY_METER"
        return None
    return check


def part_rows(owner: str, parent_column: str, point_links: Mapping[str, sa.Table], key: str, served: str,
              table: sa.Table, *fields: Field, points: Mapping[str, tuple[str, ...]],
              meters: tuple[str, ...] = (), pairs: tuple[tuple[str, str], ...] = (), relation: str = "") -> Items:
    """One kind of an owner's named parts (``owner``: the owner's code, ``ENERGY_STORAGE_CONTAINER``)."""
    code = f"{owner}_{served.upper()}"
    refs = [point(k) for k in points] + [meter(k) for k in meters]
    return Items(key, table, parent_column, (Text("name", code=f"{code}_NAME"), *refs, *fields),
                 check=rows_fit(code, pairs), db_check=kinds_fit(points, meters),
                 served=served, relation=relation, bindings=(bound_through("points", "point", point_links[key]),))
