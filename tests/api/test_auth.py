"""Login, lockout, sessions, passwords and API keys, seen from the HTTP side (MyEMS "User" and "API KEY")."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.app import EmsApp
from myems_api.db import schema
from tests.client import Api
from tests.conftest import ADMIN_PASSWORD

LOGIN_FAILED = "API.INVALID_USERNAME_OR_PASSWORD"
USER_PASSWORD = "User-pass-1"
PROFILE_KEYS = {"id", "name", "display_name", "uuid", "token", "is_admin", "is_read_only", "privilege",
                "account_expiration_datetime", "password_expiration_datetime"}
FUTURE_UTC = "2100-01-01T00:00:00"
PAST_UTC = "2000-01-01T00:00:00"


# ---------------------------------------------------------------------------------------------- helpers
def assert_error(result: Any, status: int, code: str) -> None:
    assert result.status_code == status, (result.status_code, result.text)
    assert result.json["description"] == code, result.json
    assert set(result.json) == {"title", "description"}, result.json
    assert result.json["title"].startswith("API."), result.json


def create_user(admin: Api, name: str, password: str = USER_PASSWORD, **fields: Any) -> dict[str, Any]:
    data = {"name": name, "display_name": name.title(), "email": f"{name}@example.com",
            "is_admin": False, "password": password, **fields}
    return admin.create("/users", data)


def try_login(api: Api, name: str, password: str) -> Any:
    return api.put("/users/login", {"name": name, "password": password})


def fail_logins(api: Api, name: str, times: int) -> None:
    for _ in range(times):
        assert_error(try_login(api, name, "wrong-password"), 401, LOGIN_FAILED)


def past_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=5)


def set_columns(app: EmsApp, table: sa.Table, where: sa.ColumnElement[bool], **values: Any) -> None:
    """Simulates time passing by moving stored datetimes into the past."""
    with app.databases.system.begin() as conn:
        result = conn.execute(sa.update(table).where(where).values(**values))
    assert result.rowcount == 1


def user_row(app: EmsApp, name: str) -> Any:
    with app.databases.system.connect() as conn:
        return conn.execute(sa.select(schema.users).where(schema.users.c.name == name)).mappings().one()


def create_api_key(admin: Api, name: str, expires: str = FUTURE_UTC, verb: str = "POST") -> dict[str, Any]:
    result = admin.request(verb, "/apikeys", {"name": name, "expires_datetime_utc": expires})
    assert result.status_code == 201, (result.status_code, result.json)
    return dict(result.json)


def key_client(api: Api, token: str) -> Api:
    return api.with_headers({"API-Key": token})


def new_category() -> dict[str, Any]:
    return {"name": "Diesel", "unit_of_measure": "L", "kgce": 1.4571, "kgco2e": 3.1863}


# ---------------------------------------------------------------------------------------------- login
def test_login_by_name_answers_the_user_profile_and_a_session_token(api):
    result = try_login(api, "administrator", ADMIN_PASSWORD)
    assert result.status_code == 200, result.json
    assert set(result.json) >= PROFILE_KEYS
    assert result.json["name"] == "administrator"
    assert result.json["is_admin"] is True and result.json["is_read_only"] is False
    assert re.fullmatch(r"[0-9a-f]{128}", result.json["token"])
    assert result.json["account_expiration_datetime"] == "2100-01-01T00:00:00"


def test_login_by_email_answers_the_same_profile_as_login_by_name(api):
    by_name = try_login(api, "administrator", ADMIN_PASSWORD).json
    result = api.put("/users/login", {"email": "administrator@myems.local", "password": ADMIN_PASSWORD})
    assert result.status_code == 200, result.json
    assert set(result.json) >= PROFILE_KEYS
    assert {k: v for k, v in result.json.items() if k != "token"} == \
        {k: v for k, v in by_name.items() if k != "token"}
    assert result.json["token"] != by_name["token"]


@pytest.mark.parametrize("account", ["phoned", "phoned@example.com", "+86-138-0000-0001"])
def test_login_by_account_takes_a_user_name_an_email_or_a_phone_number(api, admin, account):
    create_user(admin, "phoned", phone="+86-138-0000-0001")
    result = api.put("/users/login", {"account": account, "password": USER_PASSWORD})
    assert result.status_code == 200, result.json
    assert set(result.json) >= PROFILE_KEYS
    assert result.json["name"] == "phoned"


def test_a_phone_number_two_accounts_share_logs_in_neither(api, admin):
    create_user(admin, "first", phone="+1-555-0100")
    create_user(admin, "second", phone="+1-555-0100")
    assert_error(api.put("/users/login", {"account": "+1-555-0100", "password": USER_PASSWORD}), 401, LOGIN_FAILED)
    assert api.put("/users/login", {"account": "second", "password": USER_PASSWORD}).status_code == 200


def test_a_wrong_password_by_account_counts_as_a_failed_login(api, admin):
    create_user(admin, "counted")
    assert_error(api.put("/users/login", {"account": "counted@example.com", "password": "nope"}), 401, LOGIN_FAILED)
    assert_error(api.put("/users/login", {"account": "", "password": "nope"}), 400, "API.INVALID_ACCOUNT")


def test_a_myems_salted_sha512_password_logs_in_once_and_is_then_kept_as_ours(api, admin, app):
    create_user(admin, "legacy")
    salt = "0a1b2c3d"
    digest = hashlib.sha512((salt + "Old-myems-1").encode()).hexdigest()
    set_columns(app, schema.users, schema.users.c.name == "legacy", password_hash=f"myems-sha512${salt}${digest}")
    assert_error(try_login(api, "legacy", "Old-myems-2"), 401, LOGIN_FAILED)
    assert user_row(app, "legacy")["failed_login_count"] == 1
    assert try_login(api, "legacy", "Old-myems-1").status_code == 200
    row = user_row(app, "legacy")
    assert row["password_hash"].startswith("scrypt$") and row["failed_login_count"] == 0
    assert try_login(api, "legacy", "Old-myems-1").status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(api):
    wrong_password = try_login(api, "administrator", "not-the-password")
    unknown_user = try_login(api, "nobody-by-that-name", "not-the-password")
    unknown_email = api.put("/users/login", {"email": "nobody@example.com", "password": "not-the-password"})
    assert_error(wrong_password, 401, LOGIN_FAILED)
    for other in (unknown_user, unknown_email):
        assert (other.status_code, other.json) == (wrong_password.status_code, wrong_password.json)


def test_too_many_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(api, admin, config):
    user = create_user(admin, "lockme")
    fail_logins(api, "lockme", config.max_failed_logins)
    locked = try_login(api, "lockme", USER_PASSWORD)
    unknown = try_login(api, "nobody-by-that-name", USER_PASSWORD)
    assert_error(locked, 401, LOGIN_FAILED)
    assert (locked.status_code, locked.json) == (unknown.status_code, unknown.json)

    assert admin.put(f"/users/unlock/{user['id']}").status_code == 200
    assert try_login(api, "lockme", USER_PASSWORD).status_code == 200


def test_a_successful_login_resets_the_count_of_failed_logins(api, admin, config):
    create_user(admin, "forgetful")
    fail_logins(api, "forgetful", config.max_failed_logins - 1)
    assert try_login(api, "forgetful", USER_PASSWORD).status_code == 200
    fail_logins(api, "forgetful", config.max_failed_logins - 1)
    assert try_login(api, "forgetful", USER_PASSWORD).status_code == 200


def test_the_lock_ends_by_itself_when_the_lock_period_has_passed(api, admin, app, config):
    create_user(admin, "patient")
    fail_logins(api, "patient", config.max_failed_logins)
    assert_error(try_login(api, "patient", USER_PASSWORD), 401, LOGIN_FAILED)
    assert user_row(app, "patient")["locked_until_utc"] is not None

    set_columns(app, schema.users, schema.users.c.name == "patient", locked_until_utc=past_utc())
    assert try_login(api, "patient", USER_PASSWORD).status_code == 200


def test_an_expired_account_cannot_log_in_and_its_open_session_ends(admin, uncached_app):
    api = Api(uncached_app)
    user = create_user(admin, "temporary")
    session = api.login("temporary", USER_PASSWORD)
    assert session.get("/energycategories").status_code == 200

    updated = admin.put(f"/users/{user['id']}", {"account_expiration_datetime": PAST_UTC})
    assert updated.status_code == 200, updated.json
    assert_error(try_login(api, "temporary", USER_PASSWORD), 400, "API.USER_ACCOUNT_HAS_EXPIRED")
    assert session.get("/energycategories").status_code == 401


def test_an_admin_demoted_to_normal_user_loses_write_access_at_once(api, admin):
    """With the default auth cache on: a role changed through the API applies to the user's next request."""
    user = create_user(admin, "formeradmin", is_admin=True)
    session = api.login("formeradmin", USER_PASSWORD)
    assert session.create("/energycategories", new_category())["name"] == "Diesel"
    assert admin.put(f"/users/{user['id']}", {"is_admin": False}).status_code == 200
    result = session.post("/energycategories", {**new_category(), "name": "Petrol"})
    assert_error(result, 403, "API.FORBIDDEN")


def test_an_expired_password_cannot_log_in(api, admin):
    create_user(admin, "stale", password_expiration_datetime=PAST_UTC)
    assert_error(try_login(api, "stale", USER_PASSWORD), 400, "API.USER_PASSWORD_HAS_EXPIRED")


def test_login_answers_the_users_privilege(api, admin):
    privilege = admin.create("/privileges", {"name": "spaces 1 and 3", "data": '{"spaces":[1, 3]}'})
    create_user(admin, "privileged", privilege_id=privilege["id"])
    answer = try_login(api, "privileged", USER_PASSWORD).json
    assert answer["privilege"]["id"] == privilege["id"]
    assert answer["privilege"]["name"] == "spaces 1 and 3"
    assert try_login(api, "administrator", ADMIN_PASSWORD).json["privilege"] is None


# ---------------------------------------------------------------------------------------------- sessions
def test_logout_ends_the_session(admin):
    assert admin.get("/energycategories").status_code == 200
    assert admin.put("/users/logout").status_code == 200
    assert_error(admin.get("/energycategories"), 401, "API.INVALID_SESSION")


def test_an_expired_session_is_refused(uncached_app):
    session = Api(uncached_app).login("administrator", ADMIN_PASSWORD)
    assert session.get("/energycategories").status_code == 200
    hashed = hashlib.sha256(session.headers["Token"].encode()).hexdigest()
    set_columns(uncached_app, schema.sessions, schema.sessions.c.token_hash == hashed,
                expires_datetime_utc=past_utc())
    assert_error(session.get("/energycategories"), 401, "API.INVALID_SESSION")


def test_a_valid_token_with_another_users_uuid_is_refused(api, admin):
    other = create_user(admin, "bystander")
    for uuid in (other["uuid"], "00000000-0000-0000-0000-000000000000"):
        forged = api.with_headers({"Token": admin.headers["Token"], "User-UUID": uuid})
        assert_error(forged.get("/energycategories"), 401, "API.INVALID_SESSION")
    assert admin.get("/energycategories").status_code == 200


# ---------------------------------------------------------------------------------------------- passwords
def test_change_password_with_a_wrong_old_password_is_refused(api, admin):
    create_user(admin, "changer")
    session = api.login("changer", USER_PASSWORD)
    result = session.put("/users/changepassword", {"old_password": "not-it", "new_password": "Brand-new-2"})
    assert_error(result, 400, "API.INVALID_OLD_PASSWORD")
    assert try_login(api, "changer", USER_PASSWORD).status_code == 200
    assert_error(try_login(api, "changer", "Brand-new-2"), 401, LOGIN_FAILED)


def test_change_password_lets_the_new_password_in_and_keeps_the_old_one_out(api, admin):
    create_user(admin, "changer")
    session = api.login("changer", USER_PASSWORD)
    result = session.put("/users/changepassword", {"old_password": USER_PASSWORD, "new_password": "Brand-new-2"})
    assert result.status_code == 200, result.json
    assert try_login(api, "changer", "Brand-new-2").status_code == 200
    assert_error(try_login(api, "changer", USER_PASSWORD), 401, LOGIN_FAILED)


def test_an_admin_resets_another_users_password(api, admin):
    create_user(admin, "johnson")
    result = admin.put("/users/resetpassword", {"name": "johnson", "password": "NewPassword2"})
    assert result.status_code == 200, result.json
    assert try_login(api, "johnson", "NewPassword2").status_code == 200
    assert_error(try_login(api, "johnson", USER_PASSWORD), 401, LOGIN_FAILED)
    unknown = admin.put("/users/resetpassword", {"name": "nobody", "password": "NewPassword2"})
    assert_error(unknown, 404, "API.USER_NOT_FOUND")


def test_a_normal_user_may_not_reset_passwords(api, admin):
    create_user(admin, "johnson")
    create_user(admin, "mallory")
    mallory = api.login("mallory", USER_PASSWORD)
    result = mallory.put("/users/resetpassword", {"name": "johnson", "password": "Taken-over-3"})
    assert_error(result, 403, "API.FORBIDDEN")
    assert_error(try_login(api, "johnson", "Taken-over-3"), 401, LOGIN_FAILED)
    assert try_login(api, "johnson", USER_PASSWORD).status_code == 200


def test_no_user_answer_ever_contains_a_password_or_its_hash(admin, app):
    created = create_user(admin, "secretive", password="Very-secret-9")
    stored_hash = user_row(app, "secretive")["password_hash"]
    listed, single = admin.get("/users"), admin.get(f"/users/{created['id']}")
    assert listed.status_code == 200 and single.status_code == 200
    for text in (json.dumps(created), listed.text, single.text):
        assert "Very-secret-9" not in text
        assert stored_hash not in text and "scrypt$" not in text
    for user in (created, *listed.json, single.json):
        assert not {"password", "password_hash"} & set(user), user


def test_the_users_table_holds_an_scrypt_hash_of_the_password(admin, app):
    create_user(admin, "hashed", password="Very-secret-9")
    stored = user_row(app, "hashed")["password_hash"]
    scheme, n, r, p, salt, digest = stored.split("$")
    assert scheme == "scrypt"
    recomputed = hashlib.scrypt(b"Very-secret-9", salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                maxmem=256 * 1024 * 1024, dklen=len(base64.b64decode(digest)))
    assert base64.b64encode(recomputed).decode() == digest


def test_the_sessions_table_holds_only_the_sha256_of_the_token(api, app):
    token = try_login(api, "administrator", ADMIN_PASSWORD).json["token"]
    with app.databases.system.connect() as conn:
        rows = conn.execute(sa.select(schema.sessions)).mappings().all()
    assert [row["token_hash"] for row in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(value) for row in rows for value in row.values())


# ---------------------------------------------------------------------------------------------- API keys
@pytest.mark.parametrize("verb", ["POST", "PUT"])
def test_creating_an_api_key_answers_its_token_once(admin, app, verb):
    created = create_api_key(admin, "myems", verb=verb)
    assert re.fullmatch(r"[0-9a-f]{128}", created["token"])
    assert created["name"] == "myems"
    with app.databases.system.connect() as conn:
        stored = conn.execute(sa.select(schema.api_keys.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(created["token"].encode()).hexdigest()


def test_listing_or_reading_api_keys_never_shows_a_token(admin):
    created = create_api_key(admin, "myems")
    for answer in (admin.get("/apikeys"), admin.get(f"/apikeys/{created['id']}")):
        assert answer.status_code == 200
        assert created["token"] not in answer.text
        assert '"token' not in answer.text, answer.text


def test_an_api_key_reads_but_cannot_write(api, admin):
    reader = key_client(api, create_api_key(admin, "reader")["token"])
    assert reader.get("/energycategories").status_code == 200
    assert_error(reader.post("/energycategories", new_category()), 403, "API.FORBIDDEN")
    assert admin.get("/energycategories").json == []


def test_an_expired_api_key_is_refused(api, admin):
    expired = key_client(api, create_api_key(admin, "old", expires=PAST_UTC)["token"])
    assert_error(expired.get("/energycategories"), 401, "API.INVALID_API_KEY")


def test_an_unknown_api_key_is_refused(api):
    assert_error(key_client(api, "0" * 128).get("/energycategories"), 401, "API.INVALID_API_KEY")


def test_a_deleted_api_key_is_refused(admin, uncached_app):
    created = create_api_key(admin, "revoked")
    client = key_client(Api(uncached_app), created["token"])
    assert client.get("/energycategories").status_code == 200
    assert admin.delete(f"/apikeys/{created['id']}").status_code == 204
    assert_error(client.get("/energycategories"), 401, "API.INVALID_API_KEY")


def test_a_deleted_api_key_is_refused_at_once_by_the_process_that_deleted_it(api, admin):
    """With the default auth cache on: deleting through the API must not leave the key usable."""
    created = create_api_key(admin, "revoked")
    client = key_client(api, created["token"])
    assert client.get("/energycategories").status_code == 200
    assert admin.delete(f"/apikeys/{created['id']}").status_code == 204
    assert_error(client.get("/energycategories"), 401, "API.INVALID_API_KEY")
