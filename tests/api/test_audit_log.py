"""The audit log: every write through the API, with who, what and how it ended, and no secret in it."""

from __future__ import annotations

import sqlalchemy as sa

from myems_api.db.operations_tables import logs
from tests.client import count, refused


def _rows(app) -> list[dict]:
    with app.databases.system.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(logs).order_by(logs.c.id)).mappings()]


def test_a_write_is_logged_with_its_user_route_object_and_outcome(admin, app):
    created = admin.create("/contacts", {"name": "Ann", "email": "ann@example.com", "phone": "+1 555 0100",
                                         "description": None})
    admin.put(f"/contacts/{created['id']}", {"name": "Ann B", "email": "ann@example.com", "phone": "+1 555 0100",
                                             "description": None})
    (create, update) = _rows(app)[-2:]
    assert (create["request_method"], create["resource_type"], create["status"], create["outcome"]) == \
        ("POST", "/contacts", 201, "done")
    assert create["user_uuid"] == admin.user["uuid"] and create["path"] == "/contacts"
    assert (update["request_method"], update["resource_type"], update["resource_id"]) == \
        ("PUT", "/contacts/{id}", created["id"])
    assert '"Ann B"' in update["request_body"]


def test_a_refused_write_is_logged_with_its_error_code_and_changes_nothing(admin, app):
    before = count(app, logs)
    refused(admin.post("/contacts", {"name": ""}), 400, "API.INVALID_CONTACT_NAME")
    row = _rows(app)[-1]
    assert count(app, logs) == before + 1
    assert (row["status"], row["outcome"]) == (400, "API.INVALID_CONTACT_NAME")


def test_no_password_token_or_secret_is_kept_in_a_logged_body(admin, app):
    admin.create("/users", {"name": "logged", "display_name": "Logged", "email": "logged@example.com",
                            "is_admin": False, "password": "Very-secret-9"})
    body = _rows(app)[-1]["request_body"]
    assert "Very-secret-9" not in body and '"password": "******"' in body


def test_reads_and_anonymous_calls_are_not_logged(api, admin, app):
    before = count(app, logs)
    admin.get("/contacts")
    api.post("/contacts", {"name": "x"})  # 401: nobody to hold to account
    assert count(app, logs) == before


def test_logs_are_listed_newest_first_to_admins_with_pages_and_filters(api, admin, app):
    for n in range(3):
        admin.create("/contacts", {"name": f"C{n}", "email": f"c{n}@example.com", "phone": "+1 555 0100"})
    page = admin.get("/logs", params={"limit": 2}).json
    assert len(page) == 2 and page[0]["id"] > page[1]["id"]
    assert page[0]["user_name"] == "administrator" and page[0]["request_method"] == "POST"
    assert {"request_datetime", "request_datetime_utc", "resource_type", "resource_id", "request_body"} <= set(page[0])
    rest = admin.get("/logs", params={"before": page[1]["id"]}).json
    assert rest and all(r["id"] < page[1]["id"] for r in rest)
    assert admin.get("/logs", params={"user_uuid": "nobody"}).json == []
    refused(admin.get("/logs", params={"startdatetime": "yesterday"}), 400, "API.INVALID_START_DATETIME")
    refused(api.get("/logs"), 401, "API.NOT_AUTHENTICATED")
