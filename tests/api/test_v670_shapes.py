"""What v6.7.0 clients send and read, beside the seed's forms, family by family."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from myems_api.auth import utcnow
from myems_api.db import schema
from tests.api.test_points import new_point, new_source
from tests.client import Api


def test_an_svg_is_sent_and_answered_as_source_code_too(admin: Api):
    created = admin.create("/svgs", {"name": "Diagram", "source_code": "<svg><rect width=\"1\"/></svg>"})
    assert created["svg"] == created["source_code"] == "<svg><rect width=\"1\"/></svg>"
    changed = admin.put(f"/svgs/{created['id']}", {"name": "Diagram", "source_code": "<svg></svg>"})
    assert changed.status_code == 200 and changed.json["source_code"] == "<svg></svg>"


def test_a_menu_answers_its_route_as_v670_names_it(admin: Api):
    (first, *_) = admin.get("/menus").json
    assert first["route"] == first["path"] and first["route"].startswith("/")


def test_a_point_keeps_its_faults_and_definitions(admin: Api):
    source = new_source(admin)
    point = new_point(admin, source["id"], faults="E1: overheat", definitions='{"0": "off", "1": "on"}')
    got = admin.get(f"/points/{point['id']}").json
    assert (got["faults"], got["definitions"]) == ("E1: overheat", '{"0": "off", "1": "on"}')


def test_a_data_source_of_a_v670_protocol_we_do_not_read_is_kept(admin: Api):
    gateway = admin.create("/gateways", {"name": "gw"})
    source = admin.create("/datasources", {"name": "Acrel meters", "gateway_id": gateway["id"],
                                           "protocol": "mqtt-acrel", "connection": '{"host": "10.0.0.5"}'})
    assert source["protocol"] == "mqtt-acrel"


def test_equipment_keeps_its_efficiency_indicator_and_any_camera_scheme(admin: Api):
    center = admin.create("/costcenters", {"name": "Center", "external_id": "1"})
    created = admin.create("/equipments", {"name": "Chiller", "is_input_counted": True, "is_output_counted": False,
                                           "cost_center_id": center["id"], "efficiency_indicator": 5.8,
                                           "camera_url": "rtsp://10.0.0.9/stream1", "description": None})
    assert created["efficiency_indicator"] == 5.8 and created["camera_url"] == "rtsp://10.0.0.9/stream1"


def test_a_user_answers_whether_it_is_locked(admin: Api):
    user = admin.create("/users", {"name": "lockme", "display_name": "L", "email": "lockme@example.com",
                                   "is_admin": False, "password": "User-pass-1"})
    assert user["is_locked"] is False
    with admin.app.databases.system.begin() as conn:
        conn.execute(sa.update(schema.users).where(schema.users.c.id == user["id"])
                     .values(locked_until_utc=utcnow() + timedelta(minutes=5)))
    assert admin.get(f"/users/{user['id']}").json["is_locked"] is True
    assert admin.put(f"/users/unlock/{user['id']}").status_code == 200
    assert admin.get(f"/users/{user['id']}").json["is_locked"] is False


def test_an_api_key_takes_its_expiry_in_local_time_as_v670_sends_it_and_answers_both_forms(admin: Api):
    created = admin.create("/apikeys", {"name": "integration", "expires_datetime": "2099-12-31T23:59:59"})
    assert created["expires_datetime"] == "2099-12-31T23:59:59"
    assert created["expires_datetime_utc"].startswith("2099-12-31T23:59:59") and created["created_datetime"]
    refused = admin.post("/apikeys", {"name": "no expiry"})
    assert (refused.status_code, refused.json["description"]) == (400, "API.INVALID_EXPIRES_DATETIME")


def test_a_distribution_system_and_an_equipment_name_a_stored_svg_as_v670_sends_it(admin: Api):
    svg = admin.create("/svgs", {"name": "Switchboard", "svg": "<svg></svg>"})
    system = admin.create("/distributionsystems", {"name": "Main LV", "svg_id": svg["id"], "description": None})
    assert system["svg_diagram"]["id"] == svg["id"]
    assert system["svg"] == {"id": svg["id"], "name": "Switchboard", "uuid": svg["uuid"], "source_code": "<svg></svg>"}
    refused = admin.post("/distributionsystems", {"name": "No diagram"})
    assert (refused.status_code, refused.json["description"]) == (400, "API.INVALID_SVG")
    center = admin.create("/costcenters", {"name": "Center", "external_id": "1"})
    chiller = admin.create("/equipments", {"name": "Chiller", "is_input_counted": True, "is_output_counted": False,
                                           "cost_center_id": center["id"], "svg_id": svg["id"]})
    assert chiller["svg_diagram"]["id"] == svg["id"]
    assert chiller["svg"] == {"id": svg["id"], "name": "Switchboard", "uuid": svg["uuid"]}  # what v6.7.0's UI reads
    exported = admin.get(f"/equipments/{chiller['id']}/export").json
    copy = admin.post("/equipments/import", {**exported, "name": "Chiller copy"})
    assert copy.status_code == 201, copy.json
    copy = admin.get(copy.headers["Location"]).json
    assert copy["svg"] == chiller["svg"]  # an export's svg object names the stored SVG again
    in_use = admin.delete(f"/svgs/{svg['id']}")
    assert in_use.status_code == 409
