"""Users, privileges and API keys as specs; login, logout and password handling as custom responders.

Only an admin lists or manages users and API keys. An API key's secret is answered once, when it is
created; afterwards only its hash exists (MyEMS answered it on every GET).

The last active administrator (admin, not read-only, account not expired) cannot be deleted, demoted,
made read-only or expired: someone must always be able to manage the system
(``API.CANNOT_REMOVE_THE_LAST_ADMINISTRATOR``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from myems_api.accounts import AccountStore
from myems_api.auth import Authenticator, Principal, new_token, token_hash, utcnow
from myems_api.db import schema
from myems_api.engine.family import ACCOUNT, ADMIN, PUBLIC, Family
from myems_api.engine.fields import (
    Bool,
    Email,
    Int,
    JsonText,
    LocalDateTime,
    Name,
    Password,
    Ref,
    Text,
    UtcDateTime,
    render_datetime,
)
from myems_api.errors import bad_request
from myems_api.http import Endpoint, read_data

FAR_FUTURE = datetime(2100, 1, 1)

privileges = Family(
    "privilege", "privileges", schema.privileges,
    fields=(Name(), JsonText("data")),
    read_policy=ADMIN,
)

LAST_ADMINISTRATOR = "API.CANNOT_REMOVE_THE_LAST_ADMINISTRATOR"


def _is_active_admin(values: Mapping[str, Any]) -> bool:
    return bool(values["is_admin"]) and not values["is_read_only"] \
        and values["account_expiration_datetime_utc"] > utcnow()


def _other_active_admins(conn: Connection, user_id: int) -> bool:
    u = schema.users
    return conn.execute(sa.select(u.c.id).where(
        u.c.id != user_id, u.c.is_admin.is_(True), u.c.is_read_only.is_(False),
        u.c.account_expiration_datetime_utc > utcnow()).limit(1)).first() is not None


def _keeps_an_admin(conn: Connection, values: Mapping[str, Any], user_id: int | None) -> str | None:
    if user_id is None or _is_active_admin(values) or _other_active_admins(conn, user_id):
        return None
    u = schema.users
    stored = conn.execute(sa.select(u.c.is_admin, u.c.is_read_only, u.c.account_expiration_datetime_utc)
                          .where(u.c.id == user_id)).mappings().first()
    return LAST_ADMINISTRATOR if stored is not None and _is_active_admin(dict(stored)) else None


def _not_the_last_admin(conn: Connection, user_id: int) -> str | None:
    return _keeps_an_admin(conn, {"is_admin": False, "is_read_only": False,
                                  "account_expiration_datetime_utc": datetime.min}, user_id)


def locked(conn: Connection, objects: list[dict[str, Any]]) -> None:
    """v6.7.0's ``is_locked`` (its admin UI shows the lock and offers the unlock): locked until a future time."""
    u, now = schema.users, utcnow()
    ids = [o["id"] for o in objects]
    until = dict(conn.execute(sa.select(u.c.id, u.c.locked_until_utc).where(u.c.id.in_(ids))).all())
    for obj in objects:
        obj["is_locked"] = until.get(obj["id"]) is not None and until[obj["id"]] > now


users = Family(
    "user", "users", schema.users,
    fields=(
        Name(max_len=128), Text("display_name", max_len=128), Email(unique=True),
        Text("phone", max_len=20, required=False, null=True),
        Bool("is_admin"), Bool("is_read_only", required=False, default=False),
        Ref("privilege", required=False, null=True),
        LocalDateTime("account_expiration_datetime", required=False, default=FAR_FUTURE),
        LocalDateTime("password_expiration_datetime", required=False, default=FAR_FUTURE),
        Int("failed_login_count", writable=False),
        Password("password"),
    ),
    db_checks=(_keeps_an_admin,),
    delete_checks=(_not_the_last_admin,),
    read_policy=ADMIN,
    enrich=locked,
)



def _new_api_key(values: dict[str, Any]) -> dict[str, Any]:
    token = new_token()
    values["token_hash"] = token_hash(token)
    values["created_datetime_utc"] = utcnow()
    return {"token": token}


def _expires(key: Mapping[str, Any]) -> str | None:
    return None if key.get("expires_datetime_utc") else "API.INVALID_EXPIRES_DATETIME"


api_keys = Family(
    "api_key", "api_keys", schema.api_keys,
    # The seed sends the expiry in UTC, v6.7.0 in local time: either is taken, both are answered.
    fields=(Name(), UtcDateTime("expires_datetime_utc", required=False),
            LocalDateTime("expires_datetime", required=False),
            UtcDateTime("created_datetime_utc", writable=False), LocalDateTime("created_datetime", writable=False)),
    checks=(_expires,),
    read_policy=ADMIN,
    create_verbs=("POST", "PUT"),  # the seed's example creates with PUT
    on_create=_new_api_key,
)

FAMILIES = (privileges, users, api_keys)


def _text(data: dict[str, Any], key: str, code: str, max_len: int = 255) -> str:
    """A required string; names are trimmed, passwords (``max_len`` 128) are taken as typed."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise bad_request(code)
    return value if "password" in key else value.strip()


class AccountRoutes:
    """``/users/login``, ``/logout``, ``/changepassword``, ``/resetpassword``, ``/unlock/{id}``."""

    def __init__(self, accounts: AccountStore, authenticator: Authenticator, tz: Any, max_body: int) -> None:
        self.accounts = accounts
        self.authenticator = authenticator
        self.tz = tz
        self.max_body = max_body

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("/users/login").add("PUT", PUBLIC, self.on_login).add("POST", PUBLIC, self.on_login),
            Endpoint("/users/logout").add("PUT", ACCOUNT, self.on_logout),
            Endpoint("/users/changepassword").add("PUT", ACCOUNT, self.on_change_password),
            Endpoint("/users/resetpassword").add("PUT", ADMIN, self.on_reset_password),
            Endpoint("/users/unlock/{id}").add("PUT", ADMIN, self.on_unlock),
        ]

    def on_login(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = read_data(req, self.max_body)
        password = _text(data, "password", "API.INVALID_PASSWORD", 128)
        if data.get("account") is not None:  # v6.7.0: a user name, an email or a phone number
            user = self.accounts.login(_text(data, "account", "API.INVALID_ACCOUNT"), password)
        elif data.get("name") is not None:
            user = self.accounts.login(_text(data, "name", "API.INVALID_USER_NAME"), password, by=("name",))
        else:
            user = self.accounts.login(_text(data, "email", "API.INVALID_EMAIL"), password, by=("email",))
        resp.media = {
            "id": user["id"], "name": user["name"], "display_name": user["display_name"], "uuid": user["uuid"],
            "email": user["email"], "token": user["token"], "is_admin": bool(user["is_admin"]),
            "is_read_only": bool(user["is_read_only"]), "privilege": user["privilege"],
            "account_expiration_datetime": render_datetime(user["account_expiration_datetime_utc"], self.tz),
            "password_expiration_datetime": render_datetime(user["password_expiration_datetime_utc"], self.tz),
        }

    def on_logout(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal: Principal = req.context.principal
        self.accounts.logout(principal.token_hash)
        self.authenticator.forget(principal.token_hash)
        resp.media = {"logged_out": True}

    def on_change_password(self, req: falcon.Request, resp: falcon.Response) -> None:
        principal: Principal = req.context.principal
        data = read_data(req, self.max_body)
        old = _text(data, "old_password", "API.INVALID_OLD_PASSWORD", 128)
        new = _text(data, "new_password", "API.INVALID_NEW_PASSWORD", 128)
        self.accounts.change_password(principal.id, old, new, keep_session=principal.token_hash)
        self.authenticator.forget_user(principal.id)
        resp.media = {"changed": True}

    def on_reset_password(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = read_data(req, self.max_body)
        name = _text(data, "name", "API.INVALID_USER_NAME")
        user_id = self.accounts.reset_password(name, _text(data, "password", "API.INVALID_PASSWORD", 128))
        self.authenticator.forget_user(user_id)
        resp.media = {"reset": True}

    def on_unlock(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        if not id.isdecimal():
            raise bad_request("API.INVALID_USER_ID")
        self.accounts.unlock(int(id))
        resp.media = {"unlocked": True}
