"""The account store: every query behind login, sessions, API keys, lockout and password changes.

Failed logins are counted with one atomic ``UPDATE ... SET failed_login_count = failed_login_count + 1``
so concurrent guesses from several workers cannot slip past the limit. Every way a login can fail before
the password is known correct answers the same code, so the answer never tells whether a name exists or
an account is locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.auth import Passwords, Principal, new_token, token_hash, utcnow
from myems_api.db import schema
from myems_api.errors import ApiError, bad_request, not_found

LOGIN_FAILED = "API.INVALID_USERNAME_OR_PASSWORD"

u, s, k, pr = schema.users, schema.sessions, schema.api_keys, schema.privileges


@dataclass(frozen=True)
class LoginPolicy:
    session_lifetime: timedelta
    max_failed_logins: int
    lockout: timedelta


class AccountStore:
    def __init__(self, engine: Engine, passwords: Passwords, policy: LoginPolicy,
                 reader: Engine | None = None) -> None:
        self.engine = engine
        self.reader = reader or engine
        self.passwords = passwords
        self.policy = policy
        self._session_query = (
            sa.select(u.c.id, u.c.name, u.c.uuid, u.c.is_admin, u.c.is_read_only, u.c.privilege_id,
                      u.c.account_expiration_datetime_utc, s.c.expires_datetime_utc)
            .select_from(s.join(u, u.c.id == s.c.user_id))
            .where(s.c.token_hash == sa.bindparam("h"), s.c.expires_datetime_utc > sa.bindparam("now"))
        )
        self._api_key_query = sa.select(k.c.id, k.c.name, k.c.expires_datetime_utc).where(
            k.c.token_hash == sa.bindparam("h"), k.c.expires_datetime_utc > sa.bindparam("now"))

    # ------------------------------------------------------------------ per-request lookups
    def session(self, hashed: str) -> tuple[Principal, datetime] | None:
        now = utcnow()
        with self.reader.connect() as conn:
            row = conn.execute(self._session_query, {"h": hashed, "now": now}).first()
        if row is None or row.account_expiration_datetime_utc <= now:
            return None
        principal = Principal("user", row.id, row.name, row.uuid, bool(row.is_admin), bool(row.is_read_only),
                              row.privilege_id, hashed)
        return principal, row.expires_datetime_utc

    def api_key(self, hashed: str) -> tuple[Principal, datetime] | None:
        with self.reader.connect() as conn:
            row = conn.execute(self._api_key_query, {"h": hashed, "now": utcnow()}).first()
        if row is None:
            return None
        return Principal("apikey", row.id, row.name, token_hash=hashed), row.expires_datetime_utc

    # ------------------------------------------------------------------ login and logout
    def login(self, account: str, password: str, by: tuple[str, ...] = ("name", "email", "phone")) -> dict[str, Any]:
        """Check credentials, count failures, open a session; answers the user row plus ``token``.

        ``account`` names the user by the first of the ``by`` columns that matches exactly one user (MyEMS
        v6.7.0's login takes a user name, an email or a phone number in one field); a phone number two
        accounts share names neither."""
        now = utcnow()
        user = None
        with self.engine.connect() as conn:
            for column in by:
                found = conn.execute(sa.select(u).where(u.c[column] == account).limit(2)).mappings().all()
                if len(found) == 1:
                    user = found[0]
                    break
        if user is None:
            self.passwords.verify(password, None)
            raise ApiError(401, LOGIN_FAILED)
        locked = user["locked_until_utc"] is not None and user["locked_until_utc"] > now
        if locked or not self.passwords.verify(password, user["password_hash"]):
            if not locked:
                self._count_failure(user["id"], now)
            raise ApiError(401, LOGIN_FAILED)
        if user["account_expiration_datetime_utc"] <= now:
            raise bad_request("API.USER_ACCOUNT_HAS_EXPIRED")
        if user["password_expiration_datetime_utc"] <= now:
            raise bad_request("API.USER_PASSWORD_HAS_EXPIRED")
        token = new_token()
        with self.engine.begin() as conn:
            values: dict[str, Any] = {"failed_login_count": 0, "locked_until_utc": None}
            if self.passwords.needs_rehash(user["password_hash"]):  # a MyEMS hash: ours from now on
                values["password_hash"] = self.passwords.hash(password)
            conn.execute(sa.update(u).where(u.c.id == user["id"]).values(**values))
            conn.execute(sa.delete(s).where(s.c.expires_datetime_utc <= now))
            conn.execute(sa.insert(s).values(user_id=user["id"], token_hash=token_hash(token),
                                             created_datetime_utc=now,
                                             expires_datetime_utc=now + self.policy.session_lifetime))
            privilege = conn.execute(sa.select(pr.c.id, pr.c.name, pr.c.data).where(
                pr.c.id == user["privilege_id"])).mappings().first()
        return {**user, "token": token, "privilege": dict(privilege) if privilege else None}

    def _count_failure(self, user_id: int, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(u).where(u.c.id == user_id).values(
                failed_login_count=u.c.failed_login_count + 1))
            conn.execute(sa.update(u).where(
                u.c.id == user_id, u.c.failed_login_count >= self.policy.max_failed_logins,
            ).values(locked_until_utc=now + self.policy.lockout, failed_login_count=0))

    def logout(self, hashed: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(s).where(s.c.token_hash == hashed))

    # ------------------------------------------------------------------ passwords and locks
    def change_password(self, user_id: int, old: str, new: str, keep_session: str) -> None:
        with self.engine.connect() as conn:
            stored = conn.execute(sa.select(u.c.password_hash).where(u.c.id == user_id)).scalar()
        if not self.passwords.verify(old, stored):
            raise bad_request("API.INVALID_OLD_PASSWORD")
        self._set_password(sa.and_(u.c.id == user_id), new, keep_session)

    def reset_password(self, name: str, new: str) -> int:
        with self.engine.connect() as conn:
            user_id = conn.execute(sa.select(u.c.id).where(u.c.name == name)).scalar()
        if user_id is None:
            raise not_found("API.USER_NOT_FOUND")
        self._set_password(sa.and_(u.c.id == user_id), new, keep_session="")
        return int(user_id)

    def _set_password(self, which: sa.ColumnElement[bool], new: str, keep_session: str) -> None:
        if not self.passwords.acceptable(new):
            raise bad_request("API.INVALID_NEW_PASSWORD")
        hashed = self.passwords.hash(new)
        with self.engine.begin() as conn:
            user_id = conn.execute(sa.select(u.c.id).where(which)).scalar_one()
            conn.execute(sa.update(u).where(u.c.id == user_id).values(
                password_hash=hashed, failed_login_count=0, locked_until_utc=None))
            conn.execute(sa.delete(s).where(s.c.user_id == user_id, s.c.token_hash != keep_session))

    def unlock(self, user_id: int) -> None:
        with self.engine.begin() as conn:
            if conn.execute(sa.select(u.c.id).where(u.c.id == user_id)).first() is None:
                raise not_found("API.USER_NOT_FOUND")
            conn.execute(sa.update(u).where(u.c.id == user_id).values(failed_login_count=0, locked_until_utc=None))
