"""Self-service flows end to end: a token mailed by POST /users/emailmessages lets someone sign up (and wait
for an administrator's approval) or reset a forgotten password, once, and tells strangers nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import file_tables, message_tables, schema
from tests.api.test_auth import USER_PASSWORD, create_user
from tests.client import Api, count

NEW_PASSWORD = "Brand-new-pass-2"


def mailed_token(api: Api, app: Any, email: str) -> str:
    """Asks for the mail, then reads the token out of the queued message, as its recipient would."""
    result = api.post("/users/emailmessages", {"recipient_email": email, "subject": "Forgot Password",
                                               "message": "Your code: {token}"})
    assert result.status_code == 201, result.json
    t = message_tables.email_messages
    with app.databases.system.connect() as conn:
        body = conn.execute(sa.select(t.c.message).where(t.c.recipient_email == email.lower())
                            .order_by(t.c.id.desc())).scalar()
    match = re.search(r"[0-9a-f]{64,}", body or "")
    assert match, body
    return match[0]


def sign_up(api: Api, token: str, **changes: Any) -> Any:
    return api.post("/users/newusers", {"name": "demo1", "display_name": "Demo1", "email": "demo1@myems.io",
                                        "password": USER_PASSWORD, "token": token, **changes})


def test_someone_signs_up_with_a_mailed_token_and_cannot_log_in_before_approval(api, admin, app):
    created = sign_up(api, mailed_token(api, app, "demo1@myems.io"))
    assert created.status_code == 201, created.json
    assert count(app, file_tables.new_users) == 1
    assert api.put("/users/login", {"name": "demo1", "password": USER_PASSWORD}).status_code == 401
    waiting = admin.get("/users/newusers").json
    assert [(w["name"], w["email"]) for w in waiting] == [("demo1", "demo1@myems.io")]
    assert "password" not in waiting[0] and "password_hash" not in waiting[0]


def test_an_administrator_approves_with_role_and_privilege_and_the_person_logs_in(api, admin, app):
    sign_up(api, mailed_token(api, app, "demo1@myems.io"))
    privilege = admin.create("/privileges", {"name": "p", "data": {"spaces": []}})
    new_id = admin.get("/users/newusers").json[0]["id"]
    approved = admin.put(f"/users/newusers/{new_id}/approve", {
        "is_admin": False, "is_read_only": True, "privilege_id": privilege["id"],
        "account_expiration_datetime": "2100-05-31T16:00:00", "password_expiration_datetime": "2100-05-31T16:00:00"})
    assert approved.status_code == 200, approved.json
    user = api.login("demo1", USER_PASSWORD).user
    assert (user["is_admin"], user["is_read_only"], user["privilege"]["id"]) == (False, True, privilege["id"])
    assert admin.get("/users/newusers").json == []


def test_a_token_is_spent_by_its_first_use_and_is_bound_to_its_address(api, app):
    token = mailed_token(api, app, "demo1@myems.io")
    assert sign_up(api, token, email="other@myems.io").json["description"] == "API.INVALID_TOKEN"
    assert sign_up(api, token).status_code == 201
    again = sign_up(api, token, name="demo2", email="demo1@myems.io")
    assert (again.status_code, again.json["description"]) == (400, "API.INVALID_TOKEN")


@pytest.mark.parametrize("token", ["", "0" * 128, None])
def test_signing_up_without_a_valid_token_is_refused_and_stores_nothing(api, app, token):
    result = sign_up(api, token)
    assert (result.status_code, result.json["description"]) == (400, "API.INVALID_TOKEN")
    assert count(app, file_tables.new_users) == 0


def test_a_name_or_email_held_by_a_user_cannot_be_signed_up_for(api, admin, app):
    create_user(admin, "demo1")
    result = sign_up(api, mailed_token(api, app, "demo1@myems.io"), name="Demo1")
    assert (result.status_code, result.json["description"]) == (409, "API.USER_NAME_IS_ALREADY_IN_USE")


def test_only_administrators_see_change_delete_or_approve_people_waiting(api, admin, app):
    sign_up(api, mailed_token(api, app, "demo1@myems.io"))
    new_id = admin.get("/users/newusers").json[0]["id"]
    create_user(admin, "someone")
    someone = api.login("someone", USER_PASSWORD)
    for method, path in (("GET", "/users/newusers"), ("GET", f"/users/newusers/{new_id}"),
                         ("DELETE", f"/users/newusers/{new_id}"), ("PUT", f"/users/newusers/{new_id}/approve")):
        assert someone.request(method, path, {"is_admin": True} if method == "PUT" else None).status_code == 403
    assert admin.put(f"/users/newusers/{new_id}", {"name": "demo2", "display_name": "Demo2",
                                                   "email": "demo2@myems.io"}).status_code == 200
    assert admin.delete(f"/users/newusers/{new_id}").status_code == 204
    assert count(app, file_tables.new_users) == 0


def test_approving_someone_unknown_or_with_an_unknown_privilege_is_refused(api, admin, app):
    assert admin.put("/users/newusers/99/approve", {"is_admin": False}).json["description"] == \
        "API.NEW_USER_NOT_FOUND"
    sign_up(api, mailed_token(api, app, "demo1@myems.io"))
    new_id = admin.get("/users/newusers").json[0]["id"]
    result = admin.put(f"/users/newusers/{new_id}/approve", {"is_admin": False, "privilege_id": 424242})
    assert (result.status_code, result.json["description"]) == (404, "API.PRIVILEGE_NOT_FOUND")
    assert count(app, schema.users, name="demo1") == 0 and count(app, file_tables.new_users) == 1


# ---------------------------------------------------------------------------------------- forgot password

def test_a_forgotten_password_is_reset_with_the_mailed_token_once(api, admin, app):
    create_user(admin, "someone")
    old_session = api.login("someone", USER_PASSWORD)
    token = mailed_token(api, app, "someone@example.com")
    expiry = api.get("/users/forgotpassword", query_string=f"email=someone@example.com&token={token}")
    assert expiry.status_code == 200 and expiry.json["expires_datetime"]
    reset = api.put("/users/forgotpassword", {"email": "someone@example.com", "token": token,
                                              "password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.json
    assert api.put("/users/login", {"name": "someone", "password": NEW_PASSWORD}).status_code == 200
    assert old_session.get("/users/newusers").status_code == 401  # its sessions ended
    again = api.put("/users/forgotpassword", {"email": "someone@example.com", "token": token,
                                              "password": "Another-pass-3"})
    assert (again.status_code, again.json["description"]) == (400, "API.INVALID_TOKEN")


def test_reset_answers_the_same_for_an_unknown_email_as_for_a_bad_token(api, admin, app):
    create_user(admin, "someone")
    unknown = api.put("/users/forgotpassword", {"email": "nobody@example.com", "token": "f" * 128,
                                                "password": NEW_PASSWORD})
    bad = api.put("/users/forgotpassword", {"email": "someone@example.com", "token": "f" * 128,
                                            "password": NEW_PASSWORD})
    assert (unknown.status_code, unknown.json) == (bad.status_code, bad.json)
    asked_unknown = api.post("/users/emailmessages", {"recipient_email": "nobody@example.com", "subject": "x",
                                                      "message": "{token}"})
    asked_known = api.post("/users/emailmessages", {"recipient_email": "someone@example.com", "subject": "x",
                                                    "message": "{token}"})
    assert (asked_unknown.status_code, asked_unknown.json.keys()) == (asked_known.status_code,
                                                                        asked_known.json.keys())


def test_an_expired_token_resets_nothing(api, admin, app):
    create_user(admin, "someone")
    token = mailed_token(api, app, "someone@example.com")
    t = message_tables.email_message_sessions
    with app.databases.system.begin() as conn:
        conn.execute(sa.update(t).values(expires_datetime_utc=datetime.utcnow() - timedelta(minutes=1)))
    assert api.get("/users/forgotpassword", query_string=f"email=someone@example.com&token={token}"
                   ).json["description"] == "API.INVALID_TOKEN"
    result = api.put("/users/forgotpassword", {"email": "someone@example.com", "token": token,
                                               "password": NEW_PASSWORD})
    assert (result.status_code, result.json["description"]) == (400, "API.INVALID_TOKEN")


def test_a_weak_new_password_is_refused_without_spending_the_token(api, admin, app):
    create_user(admin, "someone")
    token = mailed_token(api, app, "someone@example.com")
    weak = api.put("/users/forgotpassword", {"email": "someone@example.com", "token": token, "password": "x"})
    assert (weak.status_code, weak.json["description"]) == (400, "API.INVALID_PASSWORD")
    assert api.put("/users/forgotpassword", {"email": "someone@example.com", "token": token,
                                             "password": NEW_PASSWORD}).status_code == 200


def test_the_token_a_client_wrote_into_its_link_is_swapped_for_the_servers_own(api, app):
    client_token = "c" * 64
    result = api.post("/users/emailmessages", {"recipient_email": "someone@example.com", "subject": "Reset",
                                               "token": client_token,
                                               "message": f"https://ems.example/reset?token={client_token}"})
    assert result.status_code == 201, result.json
    t = message_tables.email_messages
    with app.databases.system.connect() as conn:
        body = conn.execute(sa.select(t.c.message)).scalar()
    assert client_token not in body
    server_token = body.rsplit("token=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{128}", server_token)
    assert api.get("/users/forgotpassword", query_string=f"email=someone@example.com&token={client_token}"
                   ).status_code == 400
    assert api.get("/users/forgotpassword", query_string=f"email=someone@example.com&token={server_token}"
                   ).status_code == 200
