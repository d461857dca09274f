"""The engine's bind/unbind mechanism, on toy families declared here: widgets bound to gadgets.

The toy tables live in their own MetaData, created on the app's system store for each test and dropped
afterwards, so the product schema is untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.app import default_families
from myems_api.db.schema import MYSQL, name_col, pk, ref, uuid_col
from myems_api.engine.family import Binding, Family
from myems_api.engine.fields import Bool, Name
from tests.client import Api
from tests.conftest import ADMIN_PASSWORD, make_app

toy = sa.MetaData()
gadgets_table = sa.Table("tbl_gadgets", toy, pk(), name_col(), uuid_col(), **MYSQL)
widgets_table = sa.Table("tbl_widgets", toy, pk(), name_col(), uuid_col(), **MYSQL)
links_table = sa.Table(
    "tbl_widgets_gadgets", toy, pk(), ref("widget_id"), ref("gadget_id"),
    sa.Column("is_output", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("widget_id", "gadget_id"), **MYSQL,
)

gadget = Family("gadget", "gadgets", gadgets_table, fields=(Name(),), portable=True)
widget = Family(
    "widget", "widgets", widgets_table, fields=(Name(),),
    bindings=(Binding("gadgets", "gadget", links_table, "widget_id", "gadget_id",
                      extra=(Bool("is_output", required=False, default=False),)),),
    portable=True,
)


# ---------------------------------------------------------------------------- helpers
def toy_session(config) -> Iterator[Api]:
    app = make_app(config, families=(*default_families(), gadget, widget))
    engine = app.databases.system
    toy.drop_all(engine)  # a run interrupted on MariaDB may have left them behind
    toy.create_all(engine)
    try:
        yield Api(app).login("administrator", ADMIN_PASSWORD)
    finally:
        toy.drop_all(engine)
        app.databases.dispose()


@pytest.fixture
def admin(config) -> Iterator[Api]:
    yield from toy_session(config)


@pytest.fixture
def other(config, tmp_path) -> Iterator[Api]:
    """A second, empty instance with the toy families (always SQLite, its own file)."""
    url = f"sqlite:///{tmp_path / 'second.sqlite'}"
    yield from toy_session(replace(config, db_url=url, historical_db_url=url, energy_db_url=url,
                                   upload_folder=str(tmp_path / "second-upload")))


def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code


def gadgets(api: Api, *names: str) -> list[dict[str, Any]]:
    return [api.create("/gadgets", {"name": n}) for n in names]


def new_widget(api: Api, name: str = "widget") -> dict[str, Any]:
    return api.create("/widgets", {"name": name})


def bind(api: Api, widget_id: int, gadget_id: Any, **extra: Any) -> Any:
    return api.post(f"/widgets/{widget_id}/gadgets", {"gadget_id": gadget_id, **extra})


def bound(api: Api, widget_id: int) -> list[dict[str, Any]]:
    result = api.get(f"/widgets/{widget_id}/gadgets")
    assert result.status_code == 200, result.json
    return list(result.json)


def as_bound(g: dict[str, Any], is_output: bool) -> dict[str, Any]:
    return {"id": g["id"], "name": g["name"], "uuid": g["uuid"], "is_output": is_output}


def widget_with_two_gadgets(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A widget bound to an input gadget and an output gadget."""
    sensor, valve = gadgets(api, "sensor", "valve")
    w = new_widget(api)
    assert bind(api, w["id"], sensor["id"]).status_code == 201
    assert bind(api, w["id"], valve["id"], is_output=True).status_code == 201
    return w, sensor, valve


# ---------------------------------------------------------------------------- listing and binding
def test_a_new_widget_has_no_gadgets(admin):
    assert bound(admin, new_widget(admin)["id"]) == []


def test_binding_answers_201_with_the_location_of_the_link(admin):
    (sensor,) = gadgets(admin, "sensor")
    w = new_widget(admin)
    result = bind(admin, w["id"], sensor["id"])
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/widgets/{w['id']}/gadgets/{sensor['id']}"


def test_bound_gadgets_are_listed_with_is_output(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    assert bound(admin, w["id"]) == [as_bound(sensor, False), as_bound(valve, True)]


def test_a_gadget_id_may_come_as_a_string(admin):
    (sensor,) = gadgets(admin, "sensor")
    w = new_widget(admin)
    assert bind(admin, w["id"], str(sensor["id"])).status_code == 201
    assert bound(admin, w["id"]) == [as_bound(sensor, False)]


def test_binding_twice_is_a_conflict_and_keeps_one_link(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    assert_error(bind(admin, w["id"], sensor["id"], is_output=True), 409, "API.WIDGET_GADGET_RELATION_EXISTS")
    assert bound(admin, w["id"]) == [as_bound(sensor, False), as_bound(valve, True)]


def test_binding_an_unknown_gadget_is_not_found(admin):
    w = new_widget(admin)
    assert_error(bind(admin, w["id"], 987654), 404, "API.GADGET_NOT_FOUND")
    assert bound(admin, w["id"]) == []


@pytest.mark.parametrize("gadget_id", ["abc", 0, -1, 1.5, True, None])
def test_binding_a_malformed_gadget_id_is_a_bad_request(admin, gadget_id):
    w = new_widget(admin)
    assert_error(bind(admin, w["id"], gadget_id), 400, "API.INVALID_GADGET_ID")
    assert bound(admin, w["id"]) == []


def test_binding_without_a_gadget_id_is_a_bad_request(admin):
    w = new_widget(admin)
    assert_error(admin.post(f"/widgets/{w['id']}/gadgets", {"is_output": True}), 400, "API.INVALID_GADGET_ID")


@pytest.mark.parametrize("is_output", ["yes", 1, "true"])
def test_binding_with_a_non_boolean_is_output_is_a_bad_request(admin, is_output):
    (sensor,) = gadgets(admin, "sensor")
    w = new_widget(admin)
    assert_error(bind(admin, w["id"], sensor["id"], is_output=is_output), 400, "API.INVALID_IS_OUTPUT")
    assert bound(admin, w["id"]) == []


def test_binding_to_or_listing_an_unknown_widget_is_not_found(admin):
    (sensor,) = gadgets(admin, "sensor")
    assert_error(bind(admin, 987654, sensor["id"]), 404, "API.WIDGET_NOT_FOUND")
    assert_error(admin.get("/widgets/987654/gadgets"), 404, "API.WIDGET_NOT_FOUND")
    assert_error(admin.get("/widgets/abc/gadgets"), 400, "API.INVALID_WIDGET_ID")


# ---------------------------------------------------------------------------- unbinding
def test_unbinding_answers_204_and_a_second_unbind_is_not_found(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    assert admin.delete(f"/widgets/{w['id']}/gadgets/{sensor['id']}").status_code == 204
    assert bound(admin, w["id"]) == [as_bound(valve, True)]
    result = admin.delete(f"/widgets/{w['id']}/gadgets/{sensor['id']}")
    assert_error(result, 404, "API.WIDGET_GADGET_RELATION_NOT_FOUND")
    assert admin.get(f"/gadgets/{sensor['id']}").status_code == 200  # unbinding deletes no gadget


def test_unbinding_a_malformed_gadget_id_is_a_bad_request(admin):
    w = new_widget(admin)
    assert_error(admin.delete(f"/widgets/{w['id']}/gadgets/abc"), 400, "API.INVALID_GADGET_ID")


def test_unbinding_from_an_unknown_widget_is_not_found(admin):
    (sensor,) = gadgets(admin, "sensor")
    assert_error(admin.delete(f"/widgets/987654/gadgets/{sensor['id']}"), 404, "API.WIDGET_NOT_FOUND")


# ---------------------------------------------------------------------------- deletes respect bindings
def test_deleting_a_bound_gadget_is_refused_until_it_is_unbound(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    assert_error(admin.delete(f"/gadgets/{sensor['id']}"), 409, "API.THERE_IS_RELATION_WITH_WIDGETS")
    assert admin.get(f"/gadgets/{sensor['id']}").json == sensor
    assert bound(admin, w["id"]) == [as_bound(sensor, False), as_bound(valve, True)]
    admin.delete(f"/widgets/{w['id']}/gadgets/{sensor['id']}")
    assert admin.delete(f"/gadgets/{sensor['id']}").status_code == 204


def test_deleting_a_widget_with_bindings_is_refused_until_they_are_gone(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    assert_error(admin.delete(f"/widgets/{w['id']}"), 409, "API.THERE_IS_RELATION_WITH_GADGETS")
    assert admin.get(f"/widgets/{w['id']}").json == w
    assert bound(admin, w["id"]) == [as_bound(sensor, False), as_bound(valve, True)]
    for g in (sensor, valve):
        admin.delete(f"/widgets/{w['id']}/gadgets/{g['id']}")
    assert admin.delete(f"/widgets/{w['id']}").status_code == 204


def test_an_unbound_gadget_can_be_deleted(admin):
    (lamp,) = gadgets(admin, "lamp")
    assert admin.delete(f"/gadgets/{lamp['id']}").status_code == 204


# ---------------------------------------------------------------------------- export, import, clone
def test_export_carries_the_bound_gadgets(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    doc = admin.get(f"/widgets/{w['id']}/export").json
    assert doc["gadgets"] == [as_bound(sensor, False), as_bound(valve, True)]
    assert (doc["name"], doc["uuid"]) == (w["name"], w["uuid"])


def test_import_into_another_instance_recreates_the_bindings_by_uuid(admin, other):
    w, sensor, valve = widget_with_two_gadgets(admin)
    gadgets(other, "filler")  # so the gadgets get other ids over there
    copies = [other.create("/gadgets/import", admin.get(f"/gadgets/{g['id']}/export").json)
              for g in (valve, sensor)]  # in reverse order: ids swap relative to the first instance
    assert [c["uuid"] for c in copies] == [valve["uuid"], sensor["uuid"]]
    doc = admin.get(f"/widgets/{w['id']}/export").json
    new = other.create("/widgets/import", doc)
    assert (new["name"], new["uuid"]) == (w["name"], w["uuid"])
    valve_copy, sensor_copy = copies
    assert sorted(bound(other, new["id"]), key=lambda g: g["name"]) == [
        as_bound(sensor_copy, False), as_bound(valve_copy, True)]


def test_import_with_an_unknown_gadget_uuid_is_not_found_and_creates_nothing(admin, other):
    w, sensor, _ = widget_with_two_gadgets(admin)
    other.create("/gadgets/import", admin.get(f"/gadgets/{sensor['id']}/export").json)
    doc = admin.get(f"/widgets/{w['id']}/export").json  # the valve is unknown over there
    assert_error(other.post("/widgets/import", doc), 404, "API.GADGET_NOT_FOUND")
    assert other.get("/widgets").json == []


def test_import_with_a_duplicate_gadget_is_a_conflict_and_creates_nothing(admin):
    w, sensor, _ = widget_with_two_gadgets(admin)
    doc = admin.get(f"/widgets/{w['id']}/export").json
    doc.update(name="twin", uuid=str(uuid.uuid4()), gadgets=[as_bound(sensor, False), as_bound(sensor, True)])
    assert_error(admin.post("/widgets/import", doc), 409, "API.WIDGET_GADGET_RELATION_EXISTS")
    assert [x["name"] for x in admin.get("/widgets").json] == ["widget"]


def test_clone_copies_the_bindings(admin):
    w, sensor, valve = widget_with_two_gadgets(admin)
    copy = admin.post(f"/widgets/{w['id']}/clone")
    assert copy.status_code == 201, copy.json
    assert copy.json["name"] == "widget (1)"
    assert copy.json["uuid"] != w["uuid"]
    expected = [as_bound(sensor, False), as_bound(valve, True)]
    assert bound(admin, copy.json["id"]) == expected
    assert bound(admin, w["id"]) == expected
    admin.delete(f"/widgets/{copy.json['id']}/gadgets/{sensor['id']}")
    assert bound(admin, w["id"]) == expected  # the copy's links are its own
