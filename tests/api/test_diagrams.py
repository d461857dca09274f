"""Distribution systems, their circuits, and energy flow diagrams, answered as the seed's "Distribution
System", "Distribution Circuit" and "Energy Flow Diagram" sections document them.

A distribution system's SVG is rendered by the UI as it is, so only inert, well-formed SVG is stored; a
circuit belongs to one system and binds the points that measure it. An energy flow diagram's nodes and links
are served one by one; a link joins two nodes of the same diagram and is carried by a meter, offline meter or
virtual meter named by uuid. Clones, exports and imports keep the graph, their links on their own new nodes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from myems_api.config import Config
from myems_api.db import schema
from myems_api.svg import MAX_SVG_CHARS
from tests.client import Api, count, refused
from tests.conftest import ADMIN_PASSWORD, make_app

# ---------------------------------------------------------------------------- seed payloads
SVG = ('<?xml version="1.0" encoding="UTF-8"?><svg width="5cm" height="4cm" version="1.1" '
       'xmlns="http://www.w3.org/2000/svg"><desc>Four separate rectangles</desc>'
       '<rect x=".5cm" y=".5cm" width="2cm" height="1cm"/></svg>')
SYSTEM = {"name": "示例配电系统2", "svg": SVG, "description": "demo description"}
SYSTEM_UPDATE = {**SYSTEM, "name": "示例配电系统1"}
CIRCUIT = {"name": "51W92", "distribution_room": "EW1", "switchgear": "51AL9", "peak_load": 30,
           "peak_current": 53.6, "customers": "地下室应急照明", "meters": "ALE-1102, ALE-1082"}
DIAGRAM = {"name": "MyEMS Energy Flow"}
DIESEL = {"name": "柴油", "unit_of_measure": "L", "kgce": 0.1229, "kgco2e": 0.8825}
POWER_CENTER = {"name": "动力中心", "external_id": "21829198980001"}
PM20 = {"name": "PM20", "hourly_low_limit": 0.0, "hourly_high_limit": 999.99, "is_counted": True,
        "energy_item_id": None, "master_meter_id": None, "description": "空调用电"}
OFFLINE_PM21 = {**PM20, "name": "OfflinePM21"}
del OFFLINE_PM21["master_meter_id"]
POINT = {"name": "ModbusPoint2", "object_type": "ENERGY_VALUE", "units": "kWh", "high_limit": 999999999,
         "low_limit": 0, "higher_limit": 1099999998.9, "lower_limit": 0, "ratio": 1, "is_trend": True,
         "is_virtual": False, "description": None,
         "address": '{"slave_id":1, "function_code":3, "offset":1, "number_of_registers":2, "data_format":"float"}'}
MISSING = 987654
UNKNOWN_UUID = "eb78f7f9-f26f-463b-92fa-d9daf5b3651c"

SYSTEMS, CIRCUITS, DIAGRAMS = "/distributionsystems", "/distributioncircuits", "/energyflowdiagrams"
NODES, LINKS = schema.energy_flow_diagram_nodes, schema.energy_flow_diagram_links


def svg(body: str, root: str = '<svg xmlns="http://www.w3.org/2000/svg">') -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>{root}{body}</svg>'


UNSAFE_SVGS = {
    "script": svg("<script>alert(1)</script>"),
    "script in another namespace": svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
    "upper-case script": svg("<SCRIPT>alert(1)</SCRIPT>"),
    "onload": svg("", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'),
    "onclick": svg('<rect width="1" height="1" onclick="alert(1)"/>'),
    "ONCLICK": svg('<rect width="1" height="1" ONCLICK="alert(1)"/>'),
    "javascript href": svg('<a href="javascript:alert(1)"><text>x</text></a>'),
    "spaced javascript href": svg('<a href=" java script :alert(1)"><text>x</text></a>'),
    "newline in javascript href": svg('<a href="java\nscript:alert(1)"><text>x</text></a>'),
    "tab entity in javascript href": svg('<a href="Java&#x09;Script:alert(1)"><text>x</text></a>'),
    "xlink javascript href": svg('<a xlink:href="JAVASCRIPT:alert(1)"><text>x</text></a>',
                                 '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'),
    "animated javascript href": svg('<a><set attributeName="href" to="javascript:alert(1)"/></a>'),
    "foreignObject": svg("<foreignObject><div>x</div></foreignObject>"),
    "iframe": svg('<iframe src="https://example.com"/>'),
    "doctype": '<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>',
    "entity expansion": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                         '<svg xmlns="http://www.w3.org/2000/svg"><desc>&b;&b;</desc></svg>'),
    "undefined entity": svg("<desc>&xxe;</desc>"),
    "not well-formed": svg("<rect>"),
    "not xml": "just some text",
    "root is not svg": '<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
    "not a string": 42,
    "empty": "",
}
SAFE_SVG = svg('<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
               '<desc>One line</desc><title>Substation</title><style>rect { fill: url(#g); }</style>'
               '<a xlink:href="#bus"><rect id="bus" x=".5cm" width="2cm" height="1cm" opacity="0.5"/></a>'
               '<use xlink:href="#bus" x="3cm"/><text x="1" y="1">10KV &amp; 0.4KV 配电</text>',
               '<svg width="5cm" height="4cm" version="1.1" xmlns="http://www.w3.org/2000/svg" '
               'xmlns:xlink="http://www.w3.org/1999/xlink">')


# ---------------------------------------------------------------------------- helpers
def new_system(admin: Api, name: str = SYSTEM["name"]) -> dict[str, Any]:
    return admin.create(SYSTEMS, {**SYSTEM, "name": name})


def new_circuit(admin: Api, system_id: int, **changes: Any) -> dict[str, Any]:
    return admin.create(CIRCUITS, {**CIRCUIT, "distribution_system_id": system_id, **changes})


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


def new_point(admin: Api) -> dict[str, Any]:
    """The seed's modbus point on a modbus-tcp data source of a new gateway."""
    gateway = admin.create("/gateways", {"name": "MyEMS Gateway 3", "description": "Gateway 3"})
    source = admin.create("/datasources", {"name": "Modbus1", "gateway_id": gateway["id"], "protocol": "modbus-tcp",
                                           "connection": json.dumps({"host": "10.1.2.88", "port": 502}),
                                           "description": "Modbus1"})
    return admin.create("/points", {**POINT, "data_source_id": source["id"]})


def new_metering(admin: Api) -> dict[str, dict[str, Any]]:
    """A meter, an offline meter and a virtual meter (with the category and cost center they need)."""
    category, center = admin.create("/energycategories", DIESEL), admin.create("/costcenters", POWER_CENTER)
    refs = {"energy_category_id": category["id"], "cost_center_id": center["id"]}
    meter = admin.create("/meters", {**PM20, **refs})
    variables = [{"name": "x1", "meter_type": "meter", "meter_id": meter["id"]}]
    return {"category": category, "center": center, "meter": meter,
            "offline_meter": admin.create("/offlinemeters", {**OFFLINE_PM21, **refs}),
            "virtual_meter": admin.create("/virtualmeters", {
                "name": "VM10", "is_counted": True, "energy_item_id": None, "description": "virtual", **refs,
                "expression": {"equation": "x1", "variables": variables}})}


@pytest.fixture
def metering(admin: Api) -> dict[str, dict[str, Any]]:
    return new_metering(admin)


def new_diagram(admin: Api, name: str = DIAGRAM["name"], nodes: tuple[str, ...] = ()) -> tuple[int, dict[str, int]]:
    """A diagram and its nodes' ids by name."""
    diagram_id = admin.create(DIAGRAMS, {"name": name})["id"]
    return diagram_id, {n: admin.create(f"{DIAGRAMS}/{diagram_id}/nodes", {"name": n})["id"] for n in nodes}


def link(source: int, target: int, meter_uuid: str | None = None) -> dict[str, Any]:
    return {"source_node_id": source, "target_node_id": target, "meter_uuid": meter_uuid}


def add_link(admin: Api, diagram_id: int, source: int, target: int, meter_uuid: str | None = None) -> dict[str, Any]:
    return admin.create(f"{DIAGRAMS}/{diagram_id}/links", link(source, target, meter_uuid))


FLOW_NODES = ("10KV#3", "10KV Input #1", "Chillers")


@pytest.fixture
def flow(admin: Api, metering: dict[str, dict[str, Any]]) -> tuple[int, dict[str, int]]:
    """The diagram 10KV#3 -> 10KV Input #1 (by the meter) -> Chillers (by the offline meter)."""
    diagram_id, nodes = new_diagram(admin, nodes=FLOW_NODES)
    add_link(admin, diagram_id, nodes["10KV#3"], nodes["10KV Input #1"], metering["meter"]["uuid"])
    add_link(admin, diagram_id, nodes["10KV Input #1"], nodes["Chillers"], metering["offline_meter"]["uuid"])
    return diagram_id, nodes


def graph(api: Api, diagram_id: int) -> list[tuple[str, str, str | None]]:
    """The diagram's links as (source name, target name, meter uuid); every end must be a node of its own."""
    diagram = api.get(f"{DIAGRAMS}/{diagram_id}").json
    names = {node["id"]: node["name"] for node in diagram["nodes"]}
    for row in diagram["links"]:
        assert {row["source_node_id"], row["target_node_id"]} <= set(names), (row, names)
        assert row["source_node"] == {"id": row["source_node_id"], "name": names[row["source_node_id"]]}
    return sorted((names[r["source_node_id"]], names[r["target_node_id"]], r["meter_uuid"]) for r in diagram["links"])


def flow_graph(metering: dict[str, dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [("10KV Input #1", "Chillers", metering["offline_meter"]["uuid"]),
            ("10KV#3", "10KV Input #1", metering["meter"]["uuid"])]


def rows(app: Any) -> tuple[int, int, int]:
    return count(app, schema.energy_flow_diagrams), count(app, NODES), count(app, LINKS)


# ============================================================================ distribution systems
def test_creating_a_distribution_system_answers_201_with_the_seed_result_fields(admin):
    result = admin.post(SYSTEMS, SYSTEM)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{SYSTEMS}/{result.json['id']}"
    assert set(result.json) == {"id", "name", "uuid", "svg", "description", "svg_diagram"}  # v6.7.0: a stored SVG
    assert {k: result.json[k] for k in SYSTEM} == SYSTEM


def test_a_distribution_system_is_read_listed_updated_and_deleted(admin):
    system = new_system(admin)
    assert admin.get(f"{SYSTEMS}/{system['id']}").json == system
    assert admin.get(SYSTEMS).json == [system]
    updated = admin.put(f"{SYSTEMS}/{system['id']}", {**SYSTEM_UPDATE, "description": None})
    assert updated.status_code == 200, updated.json
    assert updated.json == {**system, "name": "示例配电系统1", "description": None}
    assert admin.delete(f"{SYSTEMS}/{system['id']}").status_code == 204
    refused(admin.get(f"{SYSTEMS}/{system['id']}"), 404, "API.DISTRIBUTION_SYSTEM_NOT_FOUND")


@pytest.mark.parametrize("bad", UNSAFE_SVGS.values(), ids=UNSAFE_SVGS.keys())
def test_an_unsafe_or_malformed_svg_is_refused_and_nothing_is_created(admin, app, bad):
    refused(admin.post(SYSTEMS, {**SYSTEM, "svg": bad}), 400, "API.INVALID_SVG")
    assert count(app, schema.distribution_systems) == 0


@pytest.mark.parametrize("bad", UNSAFE_SVGS.values(), ids=UNSAFE_SVGS.keys())
def test_an_unsafe_or_malformed_svg_is_refused_on_update_and_the_system_is_unchanged(admin, bad):
    system = new_system(admin)
    refused(admin.put(f"{SYSTEMS}/{system['id']}", {**SYSTEM_UPDATE, "svg": bad}), 400, "API.INVALID_SVG")
    assert admin.get(f"{SYSTEMS}/{system['id']}").json == system


def test_an_svg_with_namespaces_links_styles_and_a_desc_is_accepted_as_sent(admin):
    system = admin.create(SYSTEMS, {**SYSTEM, "svg": SAFE_SVG})
    assert system["svg"] == SAFE_SVG
    updated = admin.put(f"{SYSTEMS}/{system['id']}", {**SYSTEM_UPDATE, "svg": SVG})
    assert updated.status_code == 200 and updated.json["svg"] == SVG


@pytest.fixture
def roomy_admin(config: Config) -> Iterator[Api]:
    """An administrator on an app whose body limit lets an SVG over MAX_SVG_CHARS reach the SVG check."""
    app = make_app(dataclasses.replace(config, max_body_bytes=MAX_SVG_CHARS * 2))
    yield Api(app).login("administrator", ADMIN_PASSWORD)
    app.databases.dispose()


def sized_svg(chars: int) -> str:
    frame = svg("<desc></desc>")
    return svg(f"<desc>{'x' * (chars - len(frame))}</desc>")


def test_an_svg_over_the_size_limit_is_refused_and_one_at_the_limit_is_accepted(roomy_admin):
    refused(roomy_admin.post(SYSTEMS, {**SYSTEM, "svg": sized_svg(MAX_SVG_CHARS + 1)}), 400, "API.INVALID_SVG")
    assert roomy_admin.get(SYSTEMS).json == []
    system = roomy_admin.create(SYSTEMS, {**SYSTEM, "svg": sized_svg(MAX_SVG_CHARS)})
    assert len(roomy_admin.get(f"{SYSTEMS}/{system['id']}").json["svg"]) == MAX_SVG_CHARS


def test_cloning_a_distribution_system_copies_it_under_a_free_name(admin):
    system = new_system(admin)
    result = admin.post(f"{SYSTEMS}/{system['id']}/clone")
    assert result.status_code == 201, result.json
    copy = result.json
    assert (copy["name"], copy["svg"], copy["description"]) == ("示例配电系统2 (1)", SVG, "demo description")
    assert copy["id"] != system["id"] and copy["uuid"] != system["uuid"]
    assert admin.get(f"{SYSTEMS}/{system['id']}").json == system


def test_a_distribution_system_exported_and_imported_elsewhere_with_the_seeds_double_wrapped_body_is_the_same(
        admin, other):
    system = new_system(admin)
    doc = admin.get(f"{SYSTEMS}/{system['id']}/export").json
    result = other.post(f"{SYSTEMS}/{MISSING}/import", {"data": doc})  # {"data":{"data":{...}}}, as the seed
    assert result.status_code == 201, result.json
    assert {k: v for k, v in result.json.items() if k != "id"} == {k: v for k, v in system.items() if k != "id"}


def test_importing_a_distribution_system_with_an_unsafe_svg_creates_nothing(admin, other):
    doc = {**SYSTEM, "svg": UNSAFE_SVGS["onload"]}
    refused(other.post(f"{SYSTEMS}/import", {"data": doc}), 400, "API.INVALID_SVG")
    assert other.get(SYSTEMS).json == []


# ============================================================================ distribution circuits
def test_a_circuit_answers_the_seed_fields_and_its_distribution_system_as_an_object(admin):
    system = new_system(admin)
    result = admin.post(CIRCUITS, {**CIRCUIT, "distribution_system_id": system["id"]})
    assert result.status_code == 201, result.json
    circuit = result.json
    assert result.headers["location"] == f"{CIRCUITS}/{circuit['id']}"
    assert circuit["distribution_system"] == summary(system)
    assert {k: circuit[k] for k in CIRCUIT} == CIRCUIT
    assert set(circuit) == {"id", "uuid", "distribution_system", *CIRCUIT}
    assert admin.get(f"{CIRCUITS}/{circuit['id']}").json == circuit
    assert admin.get(CIRCUITS).json == [circuit]


def test_a_circuit_is_updated_with_the_seed_body_and_deleted(admin):
    circuit = new_circuit(admin, new_system(admin)["id"])
    body = {**CIRCUIT, "distribution_system_id": circuit["distribution_system"]["id"], "peak_load": 31.5,
            "customers": None}
    updated = admin.put(f"{CIRCUITS}/{circuit['id']}", body)
    assert updated.status_code == 200, updated.json
    assert updated.json == {**circuit, "peak_load": 31.5, "customers": None}
    assert admin.delete(f"{CIRCUITS}/{circuit['id']}").status_code == 204
    refused(admin.get(f"{CIRCUITS}/{circuit['id']}"), 404, "API.DISTRIBUTION_CIRCUIT_NOT_FOUND")


def test_a_systems_circuits_view_lists_only_that_systems_circuits(admin):
    first, second = new_system(admin), new_system(admin, "示例配电系统1")
    mine = [new_circuit(admin, first["id"]), new_circuit(admin, first["id"], name="51W93")]
    theirs = new_circuit(admin, second["id"])
    assert admin.get(f"{SYSTEMS}/{first['id']}/distributioncircuits").json == mine
    assert admin.get(f"{SYSTEMS}/{second['id']}/distributioncircuits").json == [theirs]
    refused(admin.get(f"{SYSTEMS}/{MISSING}/distributioncircuits"), 404, "API.DISTRIBUTION_SYSTEM_NOT_FOUND")


def test_circuit_names_are_unique_within_a_system_but_free_in_another(admin, app):
    first, second = new_system(admin), new_system(admin, "示例配电系统1")
    circuit = new_circuit(admin, first["id"])
    refused(admin.post(CIRCUITS, {**CIRCUIT, "distribution_system_id": first["id"]}), 409,
            "API.DISTRIBUTION_CIRCUIT_NAME_IS_ALREADY_IN_USE")
    elsewhere = new_circuit(admin, second["id"])
    assert elsewhere["name"] == circuit["name"]
    other = new_circuit(admin, first["id"], name="51W93")
    refused(admin.put(f"{CIRCUITS}/{other['id']}", {**CIRCUIT, "distribution_system_id": first["id"]}), 409,
            "API.DISTRIBUTION_CIRCUIT_NAME_IS_ALREADY_IN_USE")
    # moving a circuit to a system where its name is taken, the name not in the body
    refused(admin.put(f"{CIRCUITS}/{elsewhere['id']}", {"distribution_system_id": first["id"]}), 409,
            "API.DISTRIBUTION_CIRCUIT_NAME_IS_ALREADY_IN_USE")
    assert admin.get(f"{CIRCUITS}/{elsewhere['id']}").json == elsewhere
    assert count(app, schema.distribution_circuits) == 3


@pytest.mark.parametrize("changes, code", [
    ({"peak_load": -1}, "API.INVALID_PEAK_LOAD"),
    ({"peak_current": -0.1}, "API.INVALID_PEAK_CURRENT"),
    ({"distribution_room": ""}, "API.INVALID_DISTRIBUTION_ROOM"),
    ({"switchgear": None}, "API.INVALID_SWITCHGEAR"),
    ({"name": " "}, "API.INVALID_DISTRIBUTION_CIRCUIT_NAME"),
    ({"distribution_system_id": "one"}, "API.INVALID_DISTRIBUTION_SYSTEM_ID"),
])
def test_an_invalid_circuit_field_is_refused_and_nothing_is_created(admin, app, changes, code):
    system = new_system(admin)
    refused(admin.post(CIRCUITS, {**CIRCUIT, "distribution_system_id": system["id"], **changes}), 400, code)
    assert count(app, schema.distribution_circuits) == 0


def test_a_circuit_of_an_unknown_system_is_not_found(admin, app):
    refused(admin.post(CIRCUITS, {**CIRCUIT, "distribution_system_id": MISSING}), 404,
            "API.DISTRIBUTION_SYSTEM_NOT_FOUND")
    circuit = new_circuit(admin, new_system(admin)["id"])
    refused(admin.put(f"{CIRCUITS}/{circuit['id']}", {**CIRCUIT, "distribution_system_id": MISSING}), 404,
            "API.DISTRIBUTION_SYSTEM_NOT_FOUND")
    assert admin.get(CIRCUITS).json == [circuit]


def test_a_system_with_circuits_cannot_be_deleted_until_they_are_gone(admin):
    system = new_system(admin)
    circuit = new_circuit(admin, system["id"])
    refused(admin.delete(f"{SYSTEMS}/{system['id']}"), 409, "API.THERE_IS_RELATION_WITH_DISTRIBUTION_CIRCUITS")
    assert admin.get(f"{SYSTEMS}/{system['id']}").status_code == 200
    assert admin.delete(f"{CIRCUITS}/{circuit['id']}").status_code == 204
    assert admin.delete(f"{SYSTEMS}/{system['id']}").status_code == 204


def test_a_circuit_binds_lists_and_unbinds_points_the_seed_naming_the_point_by_a_string_id(admin):
    circuit, point = new_circuit(admin, new_system(admin)["id"]), new_point(admin)
    points = f"{CIRCUITS}/{circuit['id']}/points"
    bound = admin.post(points, {"point_id": str(point["id"])})
    assert bound.status_code == 201, bound.json
    assert bound.headers["location"] == f"{points}/{point['id']}"
    assert [p["id"] for p in admin.get(points).json] == [point["id"]]
    refused(admin.post(points, {"point_id": point["id"]}), 409, "API.DISTRIBUTION_CIRCUIT_POINT_RELATION_EXISTS")
    refused(admin.post(points, {"point_id": MISSING}), 404, "API.POINT_NOT_FOUND")
    assert admin.delete(f"{points}/{point['id']}").status_code == 204
    assert admin.get(points).json == []
    refused(admin.delete(f"{points}/{point['id']}"), 404, "API.DISTRIBUTION_CIRCUIT_POINT_RELATION_NOT_FOUND")


def test_a_point_bound_to_a_circuit_cannot_be_deleted(admin):
    circuit, point = new_circuit(admin, new_system(admin)["id"]), new_point(admin)
    assert admin.post(f"{CIRCUITS}/{circuit['id']}/points", {"point_id": f"{point['id']}"}).status_code == 201
    refused(admin.delete(f"/points/{point['id']}"), 409, "API.THERE_IS_RELATION_WITH_DISTRIBUTION_CIRCUITS")
    assert admin.get(f"/points/{point['id']}").status_code == 200
    assert admin.delete(f"{CIRCUITS}/{circuit['id']}/points/{point['id']}").status_code == 204
    assert admin.delete(f"/points/{point['id']}").status_code == 204


# ============================================================================ energy flow diagrams
def test_an_energy_flow_diagram_is_created_read_listed_updated_and_deleted(admin):
    result = admin.post(DIAGRAMS, DIAGRAM)
    assert result.status_code == 201, result.json
    diagram = result.json
    assert result.headers["location"] == f"{DIAGRAMS}/{diagram['id']}"
    assert diagram == {"id": diagram["id"], "name": "MyEMS Energy Flow", "uuid": diagram["uuid"], "nodes": [],
                       "links": []}
    assert admin.get(f"{DIAGRAMS}/{diagram['id']}").json == diagram
    assert admin.get(DIAGRAMS).json == [diagram]
    updated = admin.put(f"{DIAGRAMS}/{diagram['id']}", {"name": "MyEMS Energy Flow Diagram"})
    assert updated.status_code == 200 and updated.json == {**diagram, "name": "MyEMS Energy Flow Diagram"}
    refused(admin.post(DIAGRAMS, {"name": "MyEMS Energy Flow Diagram"}), 409,
            "API.ENERGY_FLOW_DIAGRAM_NAME_IS_ALREADY_IN_USE")
    assert admin.delete(f"{DIAGRAMS}/{diagram['id']}").status_code == 204
    refused(admin.get(f"{DIAGRAMS}/{diagram['id']}"), 404, "API.ENERGY_FLOW_DIAGRAM_NOT_FOUND")


def test_nodes_are_created_read_updated_with_put_or_the_seeds_post_and_deleted_one_by_one(admin):
    diagram_id, _ = new_diagram(admin)
    nodes = f"{DIAGRAMS}/{diagram_id}/nodes"
    created = admin.post(nodes, {"name": "10KV#3"})
    assert created.status_code == 201, created.json
    node = created.json
    assert created.headers["location"] == f"{nodes}/{node['id']}"
    assert node == {"id": node["id"], "name": "10KV#3"}
    assert admin.get(f"{nodes}/{node['id']}").json == node
    assert admin.get(nodes).json == [node]
    put = admin.put(f"{nodes}/{node['id']}", {"name": "10KV Input #1"})
    assert put.status_code == 200 and put.json == {"id": node["id"], "name": "10KV Input #1"}
    post = admin.post(f"{nodes}/{node['id']}", {"name": "10KV Input #2"})
    assert post.status_code == 200 and post.json == {"id": node["id"], "name": "10KV Input #2"}
    assert admin.get(f"{DIAGRAMS}/{diagram_id}").json["nodes"] == [post.json]
    blank = admin.post(nodes, {"name": ""})
    refused(blank, 400, "API.INVALID_ENERGY_FLOW_DIAGRAM_NODE_NAME")
    assert admin.delete(f"{nodes}/{node['id']}").status_code == 204
    refused(admin.get(f"{nodes}/{node['id']}"), 404, "API.ENERGY_FLOW_DIAGRAM_NODE_NOT_FOUND")
    assert admin.get(nodes).json == []


def test_links_are_created_read_updated_with_put_or_the_seeds_post_and_deleted_one_by_one(admin, metering):
    diagram_id, nodes = new_diagram(admin, nodes=FLOW_NODES)
    a, b, c = (nodes[n] for n in FLOW_NODES)
    links = f"{DIAGRAMS}/{diagram_id}/links"
    uuid = metering["meter"]["uuid"]
    created = admin.post(links, link(a, b, uuid))
    assert created.status_code == 201, created.json
    row = created.json
    assert created.headers["location"] == f"{links}/{row['id']}"
    assert row == {"id": row["id"], **link(a, b, uuid), "source_node": {"id": a, "name": "10KV#3"},
                   "target_node": {"id": b, "name": "10KV Input #1"},
                   "meter": {**summary(metering["meter"]), "type": "meter"}}
    assert admin.get(f"{links}/{row['id']}").json == row
    assert admin.get(links).json == [row]
    put = admin.put(f"{links}/{row['id']}", link(a, c, uuid))
    assert put.status_code == 200 and put.json["target_node"] == {"id": c, "name": "Chillers"}
    post = admin.post(f"{links}/{row['id']}", link(b, c))  # the seed updates with POST
    assert post.status_code == 200, post.json
    assert (post.json["source_node_id"], post.json["meter_uuid"], post.json["meter"]) == (b, None, None)
    assert admin.get(f"{DIAGRAMS}/{diagram_id}").json["links"] == [post.json]
    assert admin.delete(f"{links}/{row['id']}").status_code == 204
    refused(admin.get(f"{links}/{row['id']}"), 404, "API.ENERGY_FLOW_DIAGRAM_LINK_NOT_FOUND")


def test_node_names_are_unique_within_a_diagram_but_free_in_another(admin, app):
    diagram_id, nodes = new_diagram(admin, nodes=("10KV#3", "10KV Input #1"))
    path = f"{DIAGRAMS}/{diagram_id}/nodes"
    for name in ("10KV#3", "10kv#3"):
        refused(admin.post(path, {"name": name}), 409, "API.ENERGY_FLOW_DIAGRAM_NODE_NAME_IS_ALREADY_IN_USE")
    refused(admin.put(f"{path}/{nodes['10KV Input #1']}", {"name": "10KV#3"}), 409,
            "API.ENERGY_FLOW_DIAGRAM_NODE_NAME_IS_ALREADY_IN_USE")
    assert admin.put(f"{path}/{nodes['10KV#3']}", {"name": "10KV#3"}).status_code == 200  # its own name
    other_id, _ = new_diagram(admin, "Another Flow", nodes=("10KV#3",))
    assert [n["name"] for n in admin.get(f"{DIAGRAMS}/{other_id}/nodes").json] == ["10KV#3"]
    assert count(app, NODES, energy_flow_diagram_id=diagram_id) == 2


@pytest.mark.parametrize("end", ["source_node_id", "target_node_id"])
@pytest.mark.parametrize("where", ["another diagram", "nowhere"])
def test_a_link_end_that_is_not_a_node_of_this_diagram_is_refused_and_nothing_is_written(admin, app, end, where):
    diagram_id, nodes = new_diagram(admin, nodes=("10KV#3", "10KV Input #1"))
    _, foreign = new_diagram(admin, "Another Flow", nodes=("Elsewhere",))
    stranger = foreign["Elsewhere"] if where == "another diagram" else MISSING
    body = {**link(nodes["10KV#3"], nodes["10KV Input #1"]), end: stranger}
    path = f"{DIAGRAMS}/{diagram_id}/links"
    refused(admin.post(path, body), 400, f"API.INVALID_{end.upper()}")
    assert count(app, LINKS) == 0
    row = add_link(admin, diagram_id, nodes["10KV#3"], nodes["10KV Input #1"])
    refused(admin.put(f"{path}/{row['id']}", body), 400, f"API.INVALID_{end.upper()}")
    assert admin.get(f"{path}/{row['id']}").json == row


def test_a_link_from_a_node_to_itself_is_refused(admin, app):
    diagram_id, nodes = new_diagram(admin, nodes=("10KV#3",))
    node = nodes["10KV#3"]
    refused(admin.post(f"{DIAGRAMS}/{diagram_id}/links", link(node, node)), 400,
            "API.SOURCE_NODE_AND_TARGET_NODE_CANNOT_BE_THE_SAME")
    assert count(app, LINKS) == 0


def test_the_same_source_and_target_pair_twice_is_a_conflict(admin, app):
    diagram_id, nodes = new_diagram(admin, nodes=FLOW_NODES)
    a, b, c = (nodes[n] for n in FLOW_NODES)
    add_link(admin, diagram_id, a, b)
    path = f"{DIAGRAMS}/{diagram_id}/links"
    refused(admin.post(path, link(a, b)), 409, "API.ENERGY_FLOW_DIAGRAM_LINK_IS_ALREADY_IN_USE")
    other = add_link(admin, diagram_id, b, a)  # the other direction is another link
    refused(admin.put(f"{path}/{other['id']}", link(a, b)), 409, "API.ENERGY_FLOW_DIAGRAM_LINK_IS_ALREADY_IN_USE")
    assert admin.put(f"{path}/{other['id']}", link(b, c)).status_code == 200
    assert count(app, LINKS) == 2


def test_a_link_whose_meter_uuid_names_no_meter_is_not_found(admin, app, metering):
    diagram_id, nodes = new_diagram(admin, nodes=("10KV#3", "10KV Input #1"))
    path = f"{DIAGRAMS}/{diagram_id}/links"
    refused(admin.post(path, link(*nodes.values(), UNKNOWN_UUID)), 404, "API.METER_NOT_FOUND")
    refused(admin.post(path, link(*nodes.values(), "not-a-uuid")), 400, "API.INVALID_METER_UUID")
    assert count(app, LINKS) == 0


@pytest.mark.parametrize("kind", ["meter", "offline_meter", "virtual_meter"])
def test_a_link_may_be_carried_by_a_meter_an_offline_meter_or_a_virtual_meter(admin, metering, kind):
    diagram_id, nodes = new_diagram(admin, nodes=("10KV#3", "10KV Input #1"))
    row = add_link(admin, diagram_id, *nodes.values(), metering[kind]["uuid"])
    assert row["meter"] == {**summary(metering[kind]), "type": kind}
    assert admin.get(f"{DIAGRAMS}/{diagram_id}").json["links"] == [row]
    assert admin.get(DIAGRAMS).json[0]["links"] == [row]


@pytest.mark.parametrize("end", ["10KV#3", "10KV Input #1"])
def test_a_node_a_link_uses_cannot_be_deleted_until_the_link_is(admin, flow, end):
    diagram_id, nodes = flow
    links = admin.get(f"{DIAGRAMS}/{diagram_id}/links").json
    refused(admin.delete(f"{DIAGRAMS}/{diagram_id}/nodes/{nodes[end]}"), 409, "API.THERE_IS_RELATION_WITH_LINKS")
    assert [n["name"] for n in admin.get(f"{DIAGRAMS}/{diagram_id}/nodes").json] == list(FLOW_NODES)
    for row in links:
        assert admin.delete(f"{DIAGRAMS}/{diagram_id}/links/{row['id']}").status_code == 204
    assert admin.delete(f"{DIAGRAMS}/{diagram_id}/nodes/{nodes[end]}").status_code == 204


def test_another_diagrams_node_or_link_is_not_found_through_this_diagram(admin, app, flow):
    theirs, nodes = flow
    their_link = admin.get(f"{DIAGRAMS}/{theirs}/links").json[0]
    mine, _ = new_diagram(admin, "Another Flow")
    before = rows(app)
    for kind, row_id, body in [("node", nodes["Chillers"], {"name": "Hijacked"}),
                               ("link", their_link["id"], link(nodes["10KV#3"], nodes["Chillers"]))]:
        path, code = f"{DIAGRAMS}/{mine}/{kind}s/{row_id}", f"API.ENERGY_FLOW_DIAGRAM_{kind.upper()}_NOT_FOUND"
        refused(admin.get(path), 404, code)
        for verb in ("PUT", "POST"):
            refused(admin.request(verb, path, body), 404, code)
        refused(admin.delete(path), 404, code)
        refused(admin.get(f"{DIAGRAMS}/{mine}/{kind}s/{MISSING}"), 404, code)
    assert rows(app) == before
    assert admin.get(f"{DIAGRAMS}/{theirs}/nodes/{nodes['Chillers']}").json["name"] == "Chillers"


@pytest.mark.parametrize("kind", ["nodes", "links"])
@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5"])
def test_a_malformed_node_or_link_id_is_a_bad_request(admin, kind, bad):
    diagram_id, _ = new_diagram(admin)
    path = f"{DIAGRAMS}/{diagram_id}/{kind}/{bad}"
    code = f"API.INVALID_ENERGY_FLOW_DIAGRAM_{kind.upper().removesuffix('S')}_ID"
    for verb in ("GET", "PUT", "DELETE"):
        refused(admin.request(verb, path, {"name": "x"} if verb == "PUT" else None), 400, code)
    refused(admin.get(f"{DIAGRAMS}/{bad}/{kind}"), 400, "API.INVALID_ENERGY_FLOW_DIAGRAM_ID")
    refused(admin.get(f"{DIAGRAMS}/{MISSING}/{kind}"), 404, "API.ENERGY_FLOW_DIAGRAM_NOT_FOUND")


def test_a_diagram_answers_its_nodes_and_links_and_deleting_it_removes_them(admin, app, flow, metering):
    diagram_id, nodes = flow
    diagram = admin.get(f"{DIAGRAMS}/{diagram_id}").json
    assert diagram["nodes"] == [{"id": nodes[n], "name": n} for n in FLOW_NODES]
    assert diagram["links"] == admin.get(f"{DIAGRAMS}/{diagram_id}/links").json
    assert graph(admin, diagram_id) == flow_graph(metering)
    kept, _ = new_diagram(admin, "Another Flow", nodes=("Kept",))
    assert admin.delete(f"{DIAGRAMS}/{diagram_id}").status_code == 204
    assert (count(app, NODES, energy_flow_diagram_id=diagram_id), count(app, LINKS)) == (0, 0)
    assert count(app, NODES, energy_flow_diagram_id=kept) == 1


def test_cloning_a_diagram_copies_the_graph_onto_the_clones_own_nodes(admin, app, flow, metering):
    diagram_id, nodes = flow
    original = admin.get(f"{DIAGRAMS}/{diagram_id}").json
    result = admin.post(f"{DIAGRAMS}/{diagram_id}/clone")
    assert result.status_code == 201, result.json
    clone = result.json
    assert (clone["name"], clone["uuid"] != original["uuid"]) == ("MyEMS Energy Flow (1)", True)
    assert {n["id"] for n in clone["nodes"]}.isdisjoint(nodes.values())
    assert graph(admin, clone["id"]) == flow_graph(metering)
    assert admin.get(f"{DIAGRAMS}/{diagram_id}").json == original
    assert rows(app) == (2, 6, 4)
    assert admin.delete(f"{DIAGRAMS}/{diagram_id}").status_code == 204  # the clone stands on its own
    assert graph(admin, clone["id"]) == flow_graph(metering)


def copy_metering_to(admin: Api, other: Api, metering: dict[str, dict[str, Any]]) -> None:
    """The category, cost center, meter and offline meter imported into ``other`` (same uuids there)."""
    for path, key in [("/energycategories", "category"), ("/costcenters", "center"), ("/meters", "meter"),
                      ("/offlinemeters", "offline_meter")]:
        doc = admin.get(f"{path}/{metering[key]['id']}/export").json
        result = other.post(f"{path}/import", doc)
        assert result.status_code == 201 and result.json["uuid"] == metering[key]["uuid"], result.json


def test_a_diagram_exported_and_imported_elsewhere_has_the_same_graph_on_its_own_nodes(admin, other, flow, metering):
    diagram_id, nodes = flow
    other.create(DIAGRAMS, {"name": "Filler"})  # ids over there differ from here
    copy_metering_to(admin, other, metering)
    doc = admin.get(f"{DIAGRAMS}/{diagram_id}/export").json
    result = other.post(f"{DIAGRAMS}/import", doc)
    assert result.status_code == 201, result.json
    new = result.json
    assert (new["name"], new["uuid"]) == ("MyEMS Energy Flow", doc["uuid"])
    assert graph(other, new["id"]) == flow_graph(metering)
    there = {n["name"]: n["id"] for n in new["nodes"]}
    assert [row["source_node_id"] for row in new["links"]] == [there["10KV#3"], there["10KV Input #1"]]
    assert [row["meter"]["type"] for row in new["links"]] == ["meter", "offline_meter"]


def test_importing_a_diagram_whose_meters_are_unknown_there_creates_nothing(admin, other, flow):
    doc = admin.get(f"{DIAGRAMS}/{flow[0]}/export").json
    refused(other.post(f"{DIAGRAMS}/import", doc), 404, "API.METER_NOT_FOUND")
    assert rows(other.app) == (0, 0, 0)


@pytest.mark.parametrize("end", ["source_node_id", "target_node_id"])
def test_importing_a_link_that_names_a_node_outside_the_document_is_refused_and_creates_nothing(admin, app, flow,
                                                                                               end):
    diagram_id, _ = flow
    doc = admin.get(f"{DIAGRAMS}/{diagram_id}/export").json
    doc.update(name="Imported Flow", uuid=None)
    doc["links"][1][end] = MISSING
    before = rows(app)
    refused(admin.post(f"{DIAGRAMS}/{MISSING}/import", doc), 400, f"API.INVALID_{end.upper()}")
    assert rows(app) == before


def test_replacing_a_diagrams_nodes_without_its_links_is_a_conflict_and_changes_nothing(admin, app, flow):
    diagram_id, _ = flow
    before = admin.get(f"{DIAGRAMS}/{diagram_id}").json
    refused(admin.put(f"{DIAGRAMS}/{diagram_id}", {"name": "Renamed", "nodes": [{"name": "Only"}]}), 409,
            "API.THERE_IS_RELATION_WITH_LINKS")
    assert admin.get(f"{DIAGRAMS}/{diagram_id}").json == before


def test_replacing_a_diagrams_nodes_and_links_together_keeps_them_consistent(admin, app, flow, metering):
    diagram_id, nodes = flow
    doc = admin.get(f"{DIAGRAMS}/{diagram_id}").json
    fresh = MISSING  # a new node: any id no other node of the document has
    doc["nodes"] = [{**n, "name": n["name"].upper()} for n in doc["nodes"]] + [{"id": fresh, "name": "Boilers"}]
    doc["links"] = doc["links"][:1] + [link(nodes["10KV#3"], fresh, metering["virtual_meter"]["uuid"])]
    result = admin.put(f"{DIAGRAMS}/{diagram_id}", {"nodes": doc["nodes"], "links": doc["links"]})
    assert result.status_code == 200, result.json
    assert graph(admin, diagram_id) == [("10KV#3", "10KV INPUT #1", metering["meter"]["uuid"]),
                                        ("10KV#3", "Boilers", metering["virtual_meter"]["uuid"])]
    assert rows(app) == (1, 4, 2)


def test_an_offline_meter_a_link_carries_cannot_be_deleted(admin, flow, metering):
    diagram_id, nodes = flow
    refused(admin.delete(f"/offlinemeters/{metering['offline_meter']['id']}"), 409,
            "API.THERE_IS_RELATION_WITH_ENERGY_FLOW_DIAGRAM_LINKS")
    # else the dangling uuid makes the diagram unwritable: every later write checks all its links' meters
    assert admin.put(f"{DIAGRAMS}/{diagram_id}", {"name": "Renamed"}).status_code == 200
    add_link(admin, diagram_id, nodes["10KV#3"], nodes["Chillers"], metering["meter"]["uuid"])
