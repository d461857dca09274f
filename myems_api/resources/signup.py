"""Self-service account flows: signing up (approved by an administrator) and resetting a forgotten password.

Both start with ``POST /users/emailmessages`` (public, see :mod:`myems_api.resources.messages`): the server
mails a single-use token to the address and keeps only its hash, for an hour.

- ``POST /users/newusers`` (public): ``{name, display_name, email, password, token}``. The token must be one
  mailed to that email (it is spent), the name and email free among users and people waiting (any case),
  the password acceptable. The row waits in ``tbl_new_users`` and grants nothing.
- ``GET /users/newusers[/{id}]``, ``PUT``, ``DELETE`` (admins): the declarative family below.
- ``PUT /users/newusers/{id}/approve`` (admins): ``{is_admin, is_read_only, privilege_id,
  account_expiration_datetime, password_expiration_datetime}``; the person becomes a user with the password
  they chose, and leaves the waiting list, in one transaction.
- ``GET /users/forgotpassword?email=&token=`` (public): when the token is valid, its expiry (the token is
  not spent).
- ``PUT /users/forgotpassword`` (public): ``{email, token, password}``: the token is spent and the account
  with that email takes the new password; every open session of it ends.

A bad, spent or expired token, or one mailed to another address, answers 400 ``API.INVALID_TOKEN``, the
same whether an account with the email exists or not, so the flows tell a stranger nothing about accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import falcon
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from myems_api.auth import Passwords, utcnow
from myems_api.db import file_tables, schema
from myems_api.engine.family import ADMIN, PUBLIC, Family
from myems_api.engine.fields import (
    Bool,
    Context,
    Email,
    Field,
    Invalid,
    LocalDateTime,
    Name,
    Ref,
    Text,
    render_datetime,
)
from myems_api.errors import bad_request, conflict, not_found
from myems_api.http import Endpoint, read_data
from myems_api.resources.messages import redeem_reset_token, reset_token_expiry

FAR_FUTURE = datetime(2100, 1, 1)
INVALID_TOKEN = "API.INVALID_TOKEN"

new_users = Family(
    "new_user", "new_users", file_tables.new_users,
    fields=(Name(max_len=128), Text("display_name", max_len=128), Email(unique=True),
            LocalDateTime("created_datetime", writable=False)),
    ops=frozenset({"list", "get", "update", "delete"}),
    path="/users/newusers",
    read_policy=ADMIN,
)

FAMILIES = (new_users,)

APPROVAL = (Bool("is_admin"), Bool("is_read_only", required=False, default=False),
            Ref("privilege", required=False, null=True),
            LocalDateTime("account_expiration_datetime", required=False, default=FAR_FUTURE),
            LocalDateTime("password_expiration_datetime", required=False, default=FAR_FUTURE))


def _parse(fields: tuple[Field, ...], data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields:
        raw = data.get(f.input_key)
        if raw is None and not f.required:
            values[f.column] = f.default
            continue
        try:
            values[f.column] = f.parse(raw, ctx)
        except Invalid:
            raise bad_request(f"API.INVALID_{f.key.upper()}{'_ID' if isinstance(f, Ref) else ''}") from None
    return values


def _token(data: dict[str, Any]) -> str:
    token = data.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= 256:
        raise bad_request(INVALID_TOKEN)
    return token


def _email(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 255:
        raise bad_request("API.INVALID_EMAIL")
    return raw.strip().lower()


def _taken(conn: Connection, name: str, email: str, but_new_user: int | None = None) -> str | None:
    """The first of name or email already held by a user or by someone else waiting, case-insensitively."""
    for table in (schema.users, file_tables.new_users):
        for column, value in (("name", name), ("email", email)):
            query = sa.select(table.c.id).where(sa.func.lower(table.c[column]) == value.lower())
            if table is file_tables.new_users and but_new_user is not None:
                query = query.where(table.c.id != but_new_user)
            if conn.execute(query.limit(1)).first():
                return f"API.{'USER_NAME' if column == 'name' else 'EMAIL'}_IS_ALREADY_IN_USE"
    return None


class SignUp:
    """The public and approval routes around the ``new_user`` family."""

    def __init__(self, system: Engine, passwords: Passwords, tz: Any, max_body: int,
                 forget_user: Callable[[int], None] | None = None) -> None:
        self.system = system
        self.forget_user = forget_user  # a reset password ends the account's cached sessions at once
        self.passwords = passwords
        self.ctx = Context(tz=tz, passwords=passwords)
        self.max_body = max_body

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("/users/newusers").add("POST", PUBLIC, self.on_sign_up),
            Endpoint("/users/newusers/{id}/approve").add("PUT", ADMIN, self.on_approve),
            Endpoint("/users/forgotpassword").add("GET", PUBLIC, self.on_token_expiry)
                                              .add("PUT", PUBLIC, self.on_reset),
        ]

    def on_sign_up(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = read_data(req, self.max_body)
        fields = (Name(max_len=128), Text("display_name", max_len=128), Email())
        values = _parse(fields, data, self.ctx)
        password = data.get("password")
        if not isinstance(password, str) or not self.passwords.acceptable(password):
            raise bad_request("API.INVALID_PASSWORD")
        token = _token(data)
        hashed = self.passwords.hash(password)
        with self.system.begin() as conn:
            if not redeem_reset_token(conn, values["email"], token):
                raise bad_request(INVALID_TOKEN)
            taken = _taken(conn, values["name"], values["email"])
            if taken:
                raise conflict(taken)
            new_id = conn.execute(sa.insert(file_tables.new_users).values(
                **values, uuid=str(uuid.uuid4()), password_hash=hashed, created_datetime_utc=utcnow())
            ).inserted_primary_key[0]  # type: ignore[index]
        resp.status = falcon.HTTP_201
        resp.location = f"/users/newusers/{new_id}"
        resp.media = {"id": new_id, "name": values["name"], "status": "waiting for approval"}

    def on_approve(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        if not id.isdecimal() or not 0 < int(id) < 2**63:
            raise bad_request("API.INVALID_NEW_USER_ID")
        values = _parse(APPROVAL, read_data(req, self.max_body), self.ctx)
        n = file_tables.new_users
        with self.system.begin() as conn:
            waiting = conn.execute(sa.select(n).where(n.c.id == int(id))).mappings().first()
            if waiting is None:
                raise not_found("API.NEW_USER_NOT_FOUND")
            privilege = values["privilege_id"]
            if privilege is not None and conn.execute(sa.select(schema.privileges.c.id).where(
                    schema.privileges.c.id == privilege)).first() is None:
                raise not_found("API.PRIVILEGE_NOT_FOUND")
            taken = _taken(conn, waiting["name"], waiting["email"], but_new_user=waiting["id"])
            if taken:
                raise conflict(taken)
            user_id = conn.execute(sa.insert(schema.users).values(
                name=waiting["name"], uuid=str(uuid.uuid4()), display_name=waiting["display_name"],
                email=waiting["email"], password_hash=waiting["password_hash"], **values)
            ).inserted_primary_key[0]  # type: ignore[index]
            conn.execute(sa.delete(n).where(n.c.id == waiting["id"]))
        resp.media = {"id": user_id, "name": waiting["name"], "approved": True}

    def on_token_expiry(self, req: falcon.Request, resp: falcon.Response) -> None:
        email, token = _email(req.get_param("email")), _token({"token": req.get_param("token")})
        with self.system.connect() as conn:
            expires = reset_token_expiry(conn, email, token)
        if expires is None:
            raise bad_request(INVALID_TOKEN)
        resp.media = {"expires_datetime": render_datetime(expires, self.ctx.tz)}

    def on_reset(self, req: falcon.Request, resp: falcon.Response) -> None:
        data = read_data(req, self.max_body)
        email, token = _email(data.get("email")), _token(data)
        password = data.get("password")
        if not isinstance(password, str) or not self.passwords.acceptable(password):
            raise bad_request("API.INVALID_PASSWORD")  # checked first: a weak password does not burn the token
        hashed = self.passwords.hash(password)
        u = schema.users
        with self.system.begin() as conn:
            user_id = conn.execute(sa.select(u.c.id).where(sa.func.lower(u.c.email) == email)).scalar()
            if not redeem_reset_token(conn, email, token) or user_id is None:
                raise bad_request(INVALID_TOKEN)
            conn.execute(sa.update(u).where(u.c.id == user_id).values(
                password_hash=hashed, failed_login_count=0, locked_until_utc=None))
            conn.execute(sa.delete(schema.sessions).where(schema.sessions.c.user_id == user_id))
        if self.forget_user is not None:
            self.forget_user(int(user_id))
        resp.media = {"reset": True}
