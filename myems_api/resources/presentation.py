"""What the admin UI draws: menus (seeded, can be hidden) and SVG diagrams.

SVG text is rendered by the UI, so it must pass :mod:`myems_api.svg`.
"""

from __future__ import annotations

from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.db import schema
from myems_api.engine.family import READ, READ_ONLY, Children, Family
from myems_api.engine.fields import Bool, Derived, Name, Text
from myems_api.http import Endpoint
from myems_api.svg import Svg


def _source_code_in(payload: dict[str, Any]) -> dict[str, Any]:
    """v6.7.0 names an SVG's text ``source_code``; the seed ``svg``."""
    if "svg" not in payload and "source_code" in payload:
        payload["svg"] = payload.pop("source_code")
    return payload


def _source_code_out(svg: dict[str, Any]) -> dict[str, Any]:
    return {**svg, "source_code": svg.get("svg")}


svgs = Family(
    "svg", "svgs", schema.svgs,
    fields=(Name(), Svg(), Text("description", max_len=4096, required=False, null=True)),
    reshape_in=_source_code_in, reshape_out=_source_code_out,
    portable=True,
)


def _route_out(menu: dict[str, Any]) -> dict[str, Any]:
    return {**menu, "route": menu.get("path")}  # v6.7.0's key for the seed's path

menus = Family(
    "menu", "menus", schema.menus,
    fields=(Text("name", writable=False), Derived("path", db_column="route"),
            Derived("parent_menu_id", db_column="parent_menu_id"), Bool("is_hidden")),
    ops=READ_ONLY | {"update"},
    children=(Children("children", "menu", via="parent_menu_id", with_current=True),),
    reshape_out=_route_out,
)

FAMILIES = (svgs, menus)


class WebMenus:
    """``GET /menus/web``: the visible menu routes as the web UI wants them, ``{top route: [child routes]}``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/menus/web").add("GET", READ, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        m = schema.menus
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(m.c.id, m.c.route, m.c.parent_menu_id).where(
                m.c.is_hidden.is_(False)).order_by(m.c.id)).all()
        routes = {row.id: row.route for row in rows}
        tree: dict[str, list[str]] = {row.route: [] for row in rows if row.parent_menu_id is None}
        for row in rows:
            parent = routes.get(row.parent_menu_id) if row.parent_menu_id is not None else None
            if parent in tree:
                tree[parent].append(row.route)
        resp.media = tree
