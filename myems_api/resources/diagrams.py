"""What the UI draws from configuration: distribution systems and energy flow diagrams.

- A distribution system holds an SVG single-line diagram (see :mod:`myems_api.svg`) and its circuits; a
  circuit belongs to one system (its name unique there) and binds the points that measure it.
- An energy flow diagram (a Sankey chart) has nodes (names unique in the diagram) and links from a source
  node to a target node of the same diagram, each carried by a meter, offline meter or virtual meter named
  by uuid. Nodes and links are served one by one and travel with the diagram in exports and clones; a
  node a link uses cannot be deleted (``API.THERE_IS_RELATION_WITH_LINKS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.db import schema
from myems_api.engine.family import Children, Family, Items, bindings_to
from myems_api.engine.fields import Int, Name, Number, Ref, Text
from myems_api.resources.equipment import UUID
from myems_api.resources.meters import metering_by_uuid
from myems_api.svg import Svg, has_diagram, stored_svg, svg_id_alias, svg_out

distribution_systems = Family(
    "distribution_system", "distribution_systems", schema.distribution_systems,
    # The seed sends the diagram inline (``svg``), v6.7.0 names a stored one (``svg_id``): either will do.
    fields=(Name(), Svg(required=False, null=True), stored_svg(with_source=True),
            Text("description", max_len=4096, required=False, null=True)),
    checks=(has_diagram,),
    reshape_in=svg_id_alias, reshape_out=svg_out(with_source=True),
    children=(Children("distributioncircuits", "distribution_circuit", via="distribution_system"),),
    portable=True,
)

distribution_circuits = Family(
    "distribution_circuit", "distribution_circuits", schema.distribution_circuits,
    fields=(
        Text("name", unique=True, unique_with=("distribution_system_id",)), Ref("distribution_system"),
        Text("distribution_room"), Text("switchgear"), Number("peak_load", min=0), Number("peak_current", min=0),
        Text("customers", required=False, null=True), Text("meters", required=False, null=True),
    ),
    bindings=bindings_to("distribution_circuit_id", schema.distribution_circuits_links),
)


def distinct_node_names(nodes: list[dict[str, Any]], diagram: Mapping[str, Any]) -> str | None:
    names = [n["name"].casefold() for n in nodes]
    return None if len(set(names)) == len(names) else "API.ENERGY_FLOW_DIAGRAM_NODE_NAME_IS_ALREADY_IN_USE"


def check_links(links: list[dict[str, Any]], diagram: Mapping[str, Any]) -> str | None:
    pairs = [(link["source_node_id"], link["target_node_id"]) for link in links]
    if any(source == target for source, target in pairs):
        return "API.SOURCE_NODE_AND_TARGET_NODE_CANNOT_BE_THE_SAME"
    return None if len(set(pairs)) == len(pairs) else "API.ENERGY_FLOW_DIAGRAM_LINK_IS_ALREADY_IN_USE"


def link_meters_exist(conn: Connection, links: list[dict[str, Any]], diagram: Mapping[str, Any],
                      diagram_id: int | None) -> str | None:
    wanted = {link["meter_uuid"] for link in links if link.get("meter_uuid")}
    return "API.METER_NOT_FOUND" if wanted - set(metering_by_uuid(conn, wanted)) else None


def name_link_ends(conn: Connection, links: list[dict[str, Any]]) -> None:
    """``source_node``, ``target_node`` and ``meter`` objects beside the ids and uuid."""
    n = schema.energy_flow_diagram_nodes
    node_ids = {link[k] for link in links for k in ("source_node_id", "target_node_id")}
    nodes = {r.id: {"id": r.id, "name": r.name}
             for r in conn.execute(sa.select(n.c.id, n.c.name).where(n.c.id.in_(node_ids)))}
    meters = metering_by_uuid(conn, {link["meter_uuid"] for link in links if link.get("meter_uuid")})
    for link in links:
        link["source_node"] = nodes.get(link["source_node_id"])
        link["target_node"] = nodes.get(link["target_node_id"])
        link["meter"] = meters.get(link["meter_uuid"])


energy_flow_diagrams = Family(
    "energy_flow_diagram", "energy_flow_diagrams", schema.energy_flow_diagrams,
    fields=(Name(),),
    items=(
        Items("nodes", schema.energy_flow_diagram_nodes, "energy_flow_diagram_id",
              (Text("name", code="ENERGY_FLOW_DIAGRAM_NODE_NAME"),), check=distinct_node_names, served="node"),
        Items("links", schema.energy_flow_diagram_links, "energy_flow_diagram_id",
              (Int("source_node_id", min=1), Int("target_node_id", min=1),
               Text("meter_uuid", pattern=UUID, required=False, null=True)),
              check=check_links, db_check=link_meters_exist, enrich=name_link_ends, served="link",
              links_to=(("source_node_id", "nodes"), ("target_node_id", "nodes"))),
    ),
    portable=True,
)

FAMILIES = (distribution_systems, distribution_circuits, energy_flow_diagrams)
