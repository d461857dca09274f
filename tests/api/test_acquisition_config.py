"""Protocols, gateways and data sources: where acquisition reads from, answered as the seed documents.

Payloads are the seed's curl examples, with ``gateway_id`` pointed at a gateway this test created.
"Last seen" is written straight into the tables (as a gateway process would) to watch ``status`` follow.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api.test_engine_portability import clone, export
from tests.client import Api

# ---------------------------------------------------------------------------- seed payloads
GATEWAY = {"name": "MyEMS Gateway 3", "description": "Gateway 3"}
GATEWAY_UPDATE = {"name": "MyEMS Gateway #3", "description": "Gateway #3"}
GATEWAY_IMPORT = {"name": "Gateway10", "description": None}
DATA_SOURCE = {"name": "Modbus1", "gateway_id": 1, "protocol": "modbus-tcp",
               "connection": "{\"host\":\"10.1.2.88\", \"port\":502}", "description": "Modbus1"}
DATA_SOURCE_UPDATE = {**DATA_SOURCE, "connection": "{\"host\":\"10.1.2.99\", \"port\":502}"}
PROTOCOL = {"name": "modbus-tcp", "code": "modbus-tcp"}

TOKEN = re.compile(r"[0-9a-f]{64}")
MISSING = 987654


# ---------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.json)
    assert result.json["description"] == code


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": obj["id"], "name": obj["name"], "uuid": obj["uuid"]}


def source_payload(gateway_id: int, base: dict[str, Any] = DATA_SOURCE, **changes: Any) -> dict[str, Any]:
    """A seed data-source payload for this test's gateway."""
    return {**base, "gateway_id": gateway_id, **changes}


def new_source(admin: Api, gateway_id: int, **changes: Any) -> dict[str, Any]:
    return admin.create("/datasources", source_payload(gateway_id, **changes))


def connection_of(protocol: str, connection: Any, gateway_id: int) -> dict[str, Any]:
    text = connection if isinstance(connection, str) else json.dumps(connection)
    return source_payload(gateway_id, name=f"{protocol} source", protocol=protocol, connection=text)


def names(api: Api, path: str) -> list[str]:
    result = api.get(path)
    assert result.status_code == 200, result.json
    return [row["name"] for row in result.json]


def last_seen(app: Any, table: sa.Table, entity_id: int, when: datetime) -> None:
    """Record a sighting as a gateway process would: naive UTC in ``last_seen_datetime_utc``."""
    with app.databases.system.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == entity_id).values(last_seen_datetime_utc=when))


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)






def imported(api: Api, path: str, body: dict[str, Any], target: str = "") -> dict[str, Any]:
    result = api.post(target or f"{path}/import", body)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"{path}/{result.json['id']}"
    return dict(result.json)


def protocol_with_code(api: Api, code: str) -> dict[str, Any]:
    return next(p for p in api.get("/protocols").json if p["code"] == code)


@pytest.fixture
def gateway(admin: Api) -> dict[str, Any]:
    return admin.create("/gateways", GATEWAY)


# ============================================================================ gateways
def test_creating_the_seed_gateway_answers_201_with_a_fresh_token_never_seen_and_offline(admin):
    result = admin.post("/gateways", GATEWAY)
    assert result.status_code == 201, result.json
    created = result.json
    assert result.headers["location"] == f"/gateways/{created['id']}"
    assert (created["name"], created["description"]) == ("MyEMS Gateway 3", "Gateway 3")
    assert str(uuid.UUID(created["uuid"])) == created["uuid"]
    assert TOKEN.fullmatch(created["token"]), created["token"]
    assert created["last_seen_datetime"] is None
    assert created["status"] == "offline"
    assert admin.get(f"/gateways/{created['id']}").json == created


def test_each_gateway_gets_its_own_token(admin, gateway):
    second = admin.create("/gateways", {**GATEWAY, "name": "MyEMS Gateway 4"})
    assert second["token"] != gateway["token"]


def test_a_gateway_seen_just_now_is_online_with_last_seen_in_local_time(admin, app, gateway):
    now = utc_now()
    last_seen(app, schema.gateways, gateway["id"], now)
    read = admin.get(f"/gateways/{gateway['id']}").json
    assert read["status"] == "online"
    assert read["last_seen_datetime"] == now.strftime("%Y-%m-%dT%H:%M:%S")
    assert [g["status"] for g in admin.get("/gateways").json] == ["online"]


@pytest.mark.parametrize(("minutes_ago", "status"), [(9, "online"), (11, "offline"), (24 * 60, "offline")])
def test_a_gateway_is_online_only_when_seen_within_ten_minutes(admin, app, gateway, minutes_ago, status):
    when = utc_now() - timedelta(minutes=minutes_ago)
    last_seen(app, schema.gateways, gateway["id"], when)
    read = admin.get(f"/gateways/{gateway['id']}").json
    assert read["status"] == status
    assert read["last_seen_datetime"] == when.strftime("%Y-%m-%dT%H:%M:%S")


def test_a_token_in_the_create_body_is_ignored(admin):
    sent = "a" * 64
    created = admin.create("/gateways", {**GATEWAY, "token": sent})
    assert TOKEN.fullmatch(created["token"])
    assert created["token"] != sent


def test_updating_with_the_seed_payload_keeps_the_token_even_when_one_is_sent(admin, gateway):
    result = admin.put(f"/gateways/{gateway['id']}", {**GATEWAY_UPDATE, "token": "b" * 64})
    assert result.status_code == 200, result.json
    assert (result.json["name"], result.json["description"]) == ("MyEMS Gateway #3", "Gateway #3")
    assert result.json["token"] == gateway["token"]
    assert admin.get(f"/gateways/{gateway['id']}").json == result.json


def test_last_seen_is_not_writable_through_the_api(admin, gateway):
    result = admin.put(f"/gateways/{gateway['id']}", {**GATEWAY_UPDATE, "last_seen_datetime": "2030-01-01T00:00:00"})
    assert result.status_code == 200, result.json
    assert (result.json["last_seen_datetime"], result.json["status"]) == (None, "offline")


def test_cloning_a_gateway_gives_the_copy_a_numbered_name_a_new_uuid_and_a_new_token(admin, gateway):
    copy = clone(admin, "/gateways", gateway["id"])
    assert copy["name"] == "MyEMS Gateway 3 (1)"
    assert copy["description"] == gateway["description"]
    assert copy["uuid"] != gateway["uuid"]
    assert TOKEN.fullmatch(copy["token"])
    assert copy["token"] != gateway["token"]
    assert admin.get(f"/gateways/{gateway['id']}").json == gateway


@pytest.mark.parametrize(("path", "table"), [("/gateways", schema.gateways), ("/datasources", schema.data_sources)],
                         ids=["gateway", "data source"])
def test_a_clone_has_never_been_seen_even_when_its_original_is_online(admin, app, gateway, path, table):
    original = gateway if path == "/gateways" else new_source(admin, gateway["id"])
    last_seen(app, table, original["id"], utc_now())
    assert admin.get(f"{path}/{original['id']}").json["status"] == "online"
    copy = clone(admin, path, original["id"])
    assert (copy["last_seen_datetime"], copy["status"]) == (None, "offline")


def test_importing_the_seed_gateway_example_creates_it_with_a_fresh_token(admin, gateway):
    new = imported(admin, "/gateways", GATEWAY_IMPORT, f"/gateways/{gateway['id']}/import")
    assert (new["name"], new["description"]) == ("Gateway10", None)
    assert TOKEN.fullmatch(new["token"])
    assert new["token"] != gateway["token"]


def test_an_exported_gateway_imports_into_an_empty_instance_with_its_uuid(admin, other, gateway):
    new = imported(other, "/gateways", export(admin, "/gateways", gateway["id"]))
    assert (new["name"], new["uuid"], new["description"]) == (gateway["name"], gateway["uuid"], "Gateway 3")
    assert TOKEN.fullmatch(new["token"])


def test_a_gateway_lists_only_its_own_data_sources(admin, gateway):
    second = admin.create("/gateways", {**GATEWAY, "name": "MyEMS Gateway 4"})
    mine = new_source(admin, gateway["id"])
    theirs = new_source(admin, second["id"], name="Modbus2")
    assert admin.get(f"/gateways/{gateway['id']}/datasources").json == [mine]
    assert admin.get(f"/gateways/{second['id']}/datasources").json == [theirs]


def test_a_gateway_without_data_sources_lists_none(admin, gateway):
    result = admin.get(f"/gateways/{gateway['id']}/datasources")
    assert result.status_code == 200
    assert result.json == []


def test_the_data_sources_of_an_unknown_gateway_are_not_found(admin):
    assert_error(admin.get(f"/gateways/{MISSING}/datasources"), 404, "API.GATEWAY_NOT_FOUND")


def test_a_gateway_with_data_sources_cannot_be_deleted(admin, gateway):
    source = new_source(admin, gateway["id"])
    assert_error(admin.delete(f"/gateways/{gateway['id']}"), 409, "API.THERE_IS_RELATION_WITH_DATA_SOURCES")
    assert admin.get(f"/gateways/{gateway['id']}").json == gateway
    assert admin.get(f"/datasources/{source['id']}").json == source


def test_a_gateway_can_be_deleted_once_its_data_sources_are_gone(admin, gateway):
    source = new_source(admin, gateway["id"])
    assert admin.delete(f"/datasources/{source['id']}").status_code == 204
    assert admin.delete(f"/gateways/{gateway['id']}").status_code == 204
    assert_error(admin.get(f"/gateways/{gateway['id']}"), 404, "API.GATEWAY_NOT_FOUND")


def test_a_duplicate_gateway_name_is_a_conflict(admin, gateway):
    assert_error(admin.post("/gateways", GATEWAY), 409, "API.GATEWAY_NAME_IS_ALREADY_IN_USE")
    assert names(admin, "/gateways") == ["MyEMS Gateway 3"]


# ============================================================================ data sources
def test_creating_the_seed_data_source_answers_201_with_its_gateway_as_an_object(admin, gateway):
    result = admin.post("/datasources", source_payload(gateway["id"]))
    assert result.status_code == 201, result.json
    created = result.json
    assert result.headers["location"] == f"/datasources/{created['id']}"
    assert str(uuid.UUID(created["uuid"])) == created["uuid"]
    assert created["gateway"] == summary(gateway)
    assert (created["name"], created["protocol"], created["description"]) == ("Modbus1", "modbus-tcp", "Modbus1")
    assert json.loads(created["connection"]) == {"host": "10.1.2.88", "port": 502}
    assert (created["last_seen_datetime"], created["status"]) == (None, "offline")
    assert admin.get(f"/datasources/{created['id']}").json == created
    assert admin.get("/datasources").json == [created]


def test_updating_with_the_seed_payload_changes_the_connection(admin, gateway):
    source = new_source(admin, gateway["id"])
    result = admin.put(f"/datasources/{source['id']}", source_payload(gateway["id"], DATA_SOURCE_UPDATE))
    assert result.status_code == 200, result.json
    assert json.loads(result.json["connection"]) == {"host": "10.1.2.99", "port": 502}
    assert admin.get(f"/datasources/{source['id']}").json == result.json


def test_a_connection_may_be_sent_as_a_json_object(admin, gateway):
    source = new_source(admin, gateway["id"], connection={"host": "10.1.2.88", "port": 502})
    assert json.loads(source["connection"]) == {"host": "10.1.2.88", "port": 502}


def test_a_data_source_seen_just_now_is_online_with_last_seen_in_local_time(admin, app, gateway):
    source = new_source(admin, gateway["id"])
    now = utc_now()
    last_seen(app, schema.data_sources, source["id"], now)
    read = admin.get(f"/datasources/{source['id']}").json
    assert read["status"] == "online"
    assert read["last_seen_datetime"] == now.strftime("%Y-%m-%dT%H:%M:%S")


ACCEPTED_CONNECTIONS = [
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502}),
    ("modbus-tcp", {"host": "plc.local", "port": 1, "interval_in_seconds": 60, "timeout": 0.5}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 65535}),
    ("bacnet-ip", {"host": "192.168.1.20"}),
    ("bacnet-ip", {"host": "192.168.1.20", "port": 47808, "device_id": 1234}),
    ("bacnet-ip", {"host": "192.168.1.20", "device_id": 0}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "myems/#", "qos": 0}),
    ("mqtt", {"host": "broker.local", "port": 8883, "topic": "t", "qos": 2, "username": "u", "password": ""}),
    ("modbus-rtu", {"port": "/dev/ttyUSB0", "baudrate": 9600}),
    ("simulation", {}),
    ("simulation", {"points": [1, 2, 3], "nested": {"anything": None}}),
]


@pytest.mark.parametrize(("protocol", "connection"), ACCEPTED_CONNECTIONS)
def test_a_connection_that_fits_its_protocol_is_accepted(admin, gateway, protocol, connection):
    result = admin.post("/datasources", connection_of(protocol, connection, gateway["id"]))
    assert result.status_code == 201, result.json
    assert (result.json["protocol"], json.loads(result.json["connection"])) == (protocol, connection)


REFUSED_CONNECTIONS = [
    ("modbus-tcp", {"port": 502}),
    ("modbus-tcp", {"host": "10.1.2.88"}),
    ("modbus-tcp", {"host": "", "port": 502}),
    ("modbus-tcp", {"host": "   ", "port": 502}),
    ("modbus-tcp", {"host": 10, "port": 502}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 0}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 65536}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": "502"}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502.5}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": True}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502, "timeout": 0}),
    ("modbus-tcp", {"host": "10.1.2.88", "port": 502, "interval_in_seconds": -1}),
    ("bacnet-ip", {}),
    ("bacnet-ip", {"port": 47808, "device_id": 1234}),
    ("bacnet-ip", {"host": "192.168.1.20", "port": 70000}),
    ("bacnet-ip", {"host": "192.168.1.20", "device_id": -1}),
    ("bacnet-ip", {"host": "192.168.1.20", "device_id": "1234"}),
    ("mqtt", {"host": "broker.local", "port": 1883, "qos": 0}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t"}),
    ("mqtt", {"host": "broker.local", "topic": "t", "qos": 0}),
    ("mqtt", {"port": 1883, "topic": "t", "qos": 0}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": 3}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "t", "qos": -1}),
    ("mqtt", {"host": "broker.local", "port": 1883, "topic": "", "qos": 0}),
    ("modbus-rtu", {"port": "/dev/ttyUSB0"}),
    ("simulation", "not json"),
    ("simulation", "{\"host\": \"10.1.2.88\""),
    ("simulation", "[1, 2]"),
    ("simulation", "42"),
    ("simulation", "null"),
    ("modbus-tcp", "[\"10.1.2.88\", 502]"),
]


@pytest.mark.parametrize(("protocol", "connection"), REFUSED_CONNECTIONS)
def test_a_connection_that_does_not_fit_its_protocol_is_refused_and_nothing_is_created(admin, gateway, protocol,
                                                                                        connection):
    result = admin.post("/datasources", connection_of(protocol, connection, gateway["id"]))
    assert_error(result, 400, "API.INVALID_CONNECTION")
    assert admin.get("/datasources").json == []


@pytest.mark.parametrize("connection", [[1, 2], 42, True])
def test_a_connection_sent_as_json_that_is_not_an_object_is_refused(admin, gateway, connection):
    result = admin.post("/datasources", source_payload(gateway["id"], connection=connection))
    assert_error(result, 400, "API.INVALID_CONNECTION")
    assert admin.get("/datasources").json == []


def test_a_refused_connection_update_changes_nothing(admin, gateway):
    source = new_source(admin, gateway["id"])
    result = admin.put(f"/datasources/{source['id']}", source_payload(gateway["id"], connection="{\"port\":502}"))
    assert_error(result, 400, "API.INVALID_CONNECTION")
    assert admin.get(f"/datasources/{source['id']}").json == source


def test_changing_only_the_protocol_checks_the_stored_connection_against_the_new_one(admin, gateway):
    source = new_source(admin, gateway["id"])
    assert_error(admin.put(f"/datasources/{source['id']}", {"protocol": "mqtt"}), 400, "API.INVALID_CONNECTION")
    assert admin.get(f"/datasources/{source['id']}").json == source


@pytest.mark.parametrize("protocol", ["modbus", "MODBUS-TCP", "Modbus TCP", "", 502])
def test_a_protocol_that_is_not_a_known_code_is_refused_and_nothing_is_created(admin, gateway, protocol):
    result = admin.post("/datasources", source_payload(gateway["id"], protocol=protocol))
    assert_error(result, 400, "API.INVALID_PROTOCOL")
    assert admin.get("/datasources").json == []


def test_a_protocol_code_in_capitals_does_not_slip_past_the_connection_rules(admin, gateway):
    result = admin.post("/datasources", source_payload(gateway["id"], protocol="MODBUS-TCP", connection="{}"))
    assert_error(result, 400, "API.INVALID_PROTOCOL")
    assert admin.get("/datasources").json == []


def test_a_data_source_of_an_unknown_gateway_is_not_found_and_not_created(admin):
    assert_error(admin.post("/datasources", source_payload(MISSING)), 404, "API.GATEWAY_NOT_FOUND")
    assert admin.get("/datasources").json == []


def test_moving_a_data_source_to_an_unknown_gateway_is_not_found_and_changes_nothing(admin, gateway):
    source = new_source(admin, gateway["id"])
    assert_error(admin.put(f"/datasources/{source['id']}", {"gateway_id": MISSING}), 404, "API.GATEWAY_NOT_FOUND")
    assert admin.get(f"/datasources/{source['id']}").json == source


def test_the_seeds_doubly_wrapped_import_body_is_accepted(admin, gateway):
    source = new_source(admin, gateway["id"])
    body = {"data": source_payload(gateway["id"], DATA_SOURCE_UPDATE, name="Modbus2")}  # sent as {"data": body}
    new = imported(admin, "/datasources", body, f"/datasources/{source['id']}/import")
    assert (new["name"], new["protocol"]) == ("Modbus2", "modbus-tcp")
    assert new["gateway"] == summary(gateway)
    assert json.loads(new["connection"]) == {"host": "10.1.2.99", "port": 502}


def test_an_imported_data_source_is_checked_like_a_created_one(admin, gateway):
    body = source_payload(gateway["id"], connection="{\"host\":\"10.1.2.99\"}")
    assert_error(admin.post("/datasources/import", body), 400, "API.INVALID_CONNECTION")
    assert admin.get("/datasources").json == []


def test_an_exported_data_source_imports_into_an_empty_instance_with_its_gateway_resolved_by_uuid(
        admin, other, gateway):
    source = new_source(admin, gateway["id"])
    filler = other.create("/gateways", {**GATEWAY, "name": "Filler"})
    gateway_copy = imported(other, "/gateways", export(admin, "/gateways", gateway["id"]))
    assert gateway_copy["id"] != filler["id"]
    doc = export(admin, "/datasources", source["id"])
    doc["gateway"]["id"] = filler["id"]  # the exported id names another gateway over there
    new = imported(other, "/datasources", doc)
    assert new["gateway"] == {"id": gateway_copy["id"], "name": "MyEMS Gateway 3", "uuid": gateway["uuid"]}
    assert {k: new[k] for k in ("name", "uuid", "protocol", "connection", "description")} == {
        k: source[k] for k in ("name", "uuid", "protocol", "connection", "description")}
    assert other.get(f"/gateways/{gateway_copy['id']}/datasources").json == [new]


def test_an_exported_data_source_whose_gateway_is_unknown_there_is_not_found(admin, other, gateway):
    source = new_source(admin, gateway["id"])
    filler = other.create("/gateways", {**GATEWAY, "name": "Filler"})
    doc = export(admin, "/datasources", source["id"])
    doc["gateway"]["id"] = filler["id"]  # an id that exists must not stand in for the uuid
    assert_error(other.post("/datasources/import", doc), 404, "API.GATEWAY_NOT_FOUND")
    assert other.get("/datasources").json == []


def test_cloning_a_data_source_keeps_its_gateway_protocol_and_connection(admin, gateway):
    source = new_source(admin, gateway["id"])
    copy = clone(admin, "/datasources", source["id"])
    assert copy["name"] == "Modbus1 (1)"
    assert copy["uuid"] != source["uuid"]
    assert (copy["gateway"], copy["protocol"], copy["connection"]) == (
        source["gateway"], source["protocol"], source["connection"])


# ============================================================================ protocols
def test_db_init_seeds_the_protocols_data_sources_use(admin):
    result = admin.get("/protocols")
    assert result.status_code == 200
    codes = [p["code"] for p in result.json]
    assert {"modbus-tcp", "bacnet-ip", "mqtt", "simulation"} <= set(codes)
    assert len(codes) == len(set(codes))
    assert all(set(p) >= {"id", "name", "code"} for p in result.json)


def test_the_seed_protocol_can_be_created_once_its_code_is_free(admin):
    seeded = protocol_with_code(admin, "modbus-tcp")
    assert admin.delete(f"/protocols/{seeded['id']}").status_code == 204
    result = admin.post("/protocols", PROTOCOL)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/protocols/{result.json['id']}"
    assert (result.json["name"], result.json["code"]) == ("modbus-tcp", "modbus-tcp")
    assert admin.get(f"/protocols/{result.json['id']}").json == result.json


def test_a_protocol_can_be_created_read_updated_and_deleted(admin):
    created = admin.create("/protocols", {"name": "IEC 61850", "code": "iec61850"})
    assert admin.get(f"/protocols/{created['id']}").json == created
    result = admin.put(f"/protocols/{created['id']}", {"name": "IEC 61850 MMS", "code": "iec61850-mms"})
    assert result.status_code == 200, result.json
    assert (result.json["name"], result.json["code"]) == ("IEC 61850 MMS", "iec61850-mms")
    assert admin.get(f"/protocols/{created['id']}").json == result.json
    assert admin.delete(f"/protocols/{created['id']}").status_code == 204
    assert_error(admin.get(f"/protocols/{created['id']}"), 404, "API.PROTOCOL_NOT_FOUND")


def test_a_data_source_may_use_a_new_protocol_with_any_object_as_connection(admin, gateway):
    admin.create("/protocols", {"name": "IEC 61850", "code": "iec61850"})
    source = new_source(admin, gateway["id"], protocol="iec61850", connection="{\"ied\": \"IED1\"}")
    assert source["protocol"] == "iec61850"


@pytest.mark.parametrize("code", ["Modbus-TCP", "MQTT", "modbus tcp", "modbus_tcp", "-modbus", "modbus.tcp",
                                  "", "   ", 42, None])
def test_a_protocol_code_that_is_not_lowercase_letters_digits_and_dashes_is_refused(admin, code):
    before = admin.get("/protocols").json
    payload = {"name": "Some protocol"} if code is None else {"name": "Some protocol", "code": code}
    assert_error(admin.post("/protocols", payload), 400, "API.INVALID_CODE")
    assert admin.get("/protocols").json == before


def test_a_duplicate_protocol_code_is_a_conflict(admin):
    before = admin.get("/protocols").json
    assert_error(admin.post("/protocols", PROTOCOL), 409, "API.PROTOCOL_CODE_IS_ALREADY_IN_USE")
    assert admin.get("/protocols").json == before


def test_changing_a_protocol_code_to_one_in_use_is_a_conflict_and_changes_nothing(admin):
    created = admin.create("/protocols", {"name": "IEC 61850", "code": "iec61850"})
    result = admin.put(f"/protocols/{created['id']}", {"name": "IEC 61850", "code": "mqtt"})
    assert_error(result, 409, "API.PROTOCOL_CODE_IS_ALREADY_IN_USE")
    assert admin.get(f"/protocols/{created['id']}").json == created


def test_a_protocol_used_by_a_data_source_cannot_be_deleted(admin, gateway):
    new_source(admin, gateway["id"])
    modbus = protocol_with_code(admin, "modbus-tcp")
    assert_error(admin.delete(f"/protocols/{modbus['id']}"), 409, "API.THERE_IS_RELATION_WITH_DATA_SOURCES")
    assert admin.get(f"/protocols/{modbus['id']}").json == modbus


def test_a_protocol_no_data_source_uses_can_be_deleted(admin, gateway):
    new_source(admin, gateway["id"])
    mqtt = protocol_with_code(admin, "mqtt")
    assert admin.delete(f"/protocols/{mqtt['id']}").status_code == 204
    assert "mqtt" not in [p["code"] for p in admin.get("/protocols").json]


def test_an_unknown_protocol_is_not_found(admin):
    assert_error(admin.get(f"/protocols/{MISSING}"), 404, "API.PROTOCOL_NOT_FOUND")
    assert_error(admin.delete(f"/protocols/{MISSING}"), 404, "API.PROTOCOL_NOT_FOUND")
