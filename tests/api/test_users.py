"""Managing users: names and emails are unique whatever their case, and the last active administrator
can be neither deleted, demoted, made read-only nor expired."""

from __future__ import annotations

import pytest

from tests.api.test_auth import USER_PASSWORD, assert_error, create_user
from tests.client import Api

LAST = "API.CANNOT_REMOVE_THE_LAST_ADMINISTRATOR"


def administrator(admin: Api) -> dict:
    return next(u for u in admin.get("/users").json if u["name"] == "administrator")


def update(admin: Api, user: dict, **changes) -> object:
    body = {k: user[k] for k in ("name", "display_name", "email", "is_admin", "is_read_only",
                                 "account_expiration_datetime", "password_expiration_datetime")}
    return admin.put(f"/users/{user['id']}", {**body, "privilege_id": None, **changes})


def test_the_last_administrator_cannot_be_deleted(admin):
    me = administrator(admin)
    assert_error(admin.delete(f"/users/{me['id']}"), 409, LAST)
    assert admin.get(f"/users/{me['id']}").status_code == 200


@pytest.mark.parametrize("changes", [{"is_admin": False}, {"is_read_only": True},
                                     {"account_expiration_datetime": "2001-01-01T00:00:00"}])
def test_the_last_administrator_cannot_be_demoted_made_read_only_or_expired(admin, changes):
    me = administrator(admin)
    assert_error(update(admin, me, **changes), 400, LAST)
    assert admin.get(f"/users/{me['id']}").json["is_admin"] is True


def test_with_a_second_active_administrator_the_first_may_be_demoted_and_deleted(admin):
    create_user(admin, "deputy", is_admin=True)
    me = administrator(admin)
    assert update(admin, me, display_name="Old admin", is_admin=False).status_code == 200
    deputy = admin.login("deputy", USER_PASSWORD)
    assert deputy.delete(f"/users/{me['id']}").status_code == 204


def test_a_read_only_or_expired_administrator_does_not_count_as_a_second_one(admin):
    create_user(admin, "viewer", is_admin=True, is_read_only=True)
    create_user(admin, "gone", is_admin=True, account_expiration_datetime="2001-01-01T00:00:00")
    assert_error(admin.delete(f"/users/{administrator(admin)['id']}"), 409, LAST)


def test_normal_users_are_deleted_freely(admin):
    user = create_user(admin, "someone")
    assert admin.delete(f"/users/{user['id']}").status_code == 204


@pytest.mark.parametrize("key,value", [("name", "ADMINISTRATOR"), ("email", "Someone@Example.COM")])
def test_user_names_and_emails_are_unique_whatever_their_case(admin, key, value):
    create_user(admin, "someone")
    data = {"name": "other", "display_name": "Other", "email": "other@example.com", "is_admin": False,
            "password": USER_PASSWORD, key: value}
    result = admin.post("/users", data)
    assert result.status_code == 409, result.json
