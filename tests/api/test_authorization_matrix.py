"""Every route, every verb, every kind of caller: the route table's policies are what the API enforces.

Generated from ``app.endpoints``, so a route added later is covered without touching this file. Only the
authorisation outcome is checked (401, 403, or through): the body sent is a bare ``{"data": {}}``, so a
request that gets through may well answer 400, 404, 409 or 501.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from myems_api.app import EmsApp
from myems_api.db import schema
from myems_api.engine.family import ACCOUNT, ADMIN, PUBLIC, PUSH, READ
from tests.client import Api
from tests.conftest import ADMIN_PASSWORD

PASSWORD = "Matrix-pass-1"
THROUGH = "through"  # neither 401 nor 403
ANONYMOUS, EXPIRED, USER, READ_ONLY_ADMIN, ADMIN_USER, API_KEY = (
    "anonymous", "expired token", "normal user", "read-only admin", "admin", "API key")
PRINCIPALS = (ANONYMOUS, EXPIRED, USER, READ_ONLY_ADMIN, ADMIN_USER, API_KEY)
SESSION_USERS = {USER: "matrix-user", READ_ONLY_ADMIN: "matrix-readonly", ADMIN_USER: "matrix-admin"}


def expected_outcome(policy: str, principal: str) -> int | str:
    """What the policy promises this principal: 401, 403 or THROUGH."""
    if policy == PUBLIC:
        return THROUGH
    if principal in (ANONYMOUS, EXPIRED):
        return 401
    if policy == READ:
        return THROUGH
    if policy == ADMIN:
        return THROUGH if principal == ADMIN_USER else 403
    if policy == ACCOUNT:
        return 403 if principal == API_KEY else THROUGH
    if policy == PUSH:
        return THROUGH if principal in (ADMIN_USER, API_KEY) else 403
    raise ValueError(f"unknown policy {policy!r}")


def outcome(status: int) -> int | str:
    return status if status in (401, 403) else THROUGH


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def route_cases(app: EmsApp) -> list[tuple[str, str, str]]:
    """(path, verb, policy) for every verb of every endpoint; logout last, as it ends the caller's session."""
    cases = [(e.path, verb, policy) for e in app.endpoints for verb, policy in e.policies.items()]
    return sorted(cases, key=lambda case: case[0] == "/users/logout")


@dataclass
class Principals:
    """The callers of the matrix, each kept usable whatever the previous request did to it."""

    api: Api
    clients: dict[str, Api]
    key_token: str

    def client(self, principal: str) -> Api:
        return self.clients[principal]

    def restore(self, principal: str, after: str) -> None:
        """Re-opens a session ended by the previous request (logout, password change, ...)."""
        if principal not in SESSION_USERS and principal != API_KEY:
            return
        if self.clients[principal].get("/energycategories").status_code == 200:
            return
        assert principal != API_KEY, f"the matrix API key stopped working after {after}"
        result = self.api.put("/users/login", {"name": SESSION_USERS[principal], "password": PASSWORD})
        assert result.status_code == 200, f"{principal} could not log in again after {after}: {result.json}"
        self.clients[principal] = self.api.with_headers({"User-UUID": result.json["uuid"],
                                                         "Token": result.json["token"]})


def build_principals(app: EmsApp) -> Principals:
    api = Api(app)
    bootstrap = api.login("administrator", ADMIN_PASSWORD)
    for principal, name in SESSION_USERS.items():
        created = bootstrap.create("/users", {
            "name": name, "display_name": name, "email": f"{name}@example.com", "password": PASSWORD,
            "is_admin": principal != USER, "is_read_only": principal == READ_ONLY_ADMIN})
        assert created["id"] != 1, "a principal must not be the target of the matrix's id 1"
    decoy = {"name": "decoy", "expires_datetime_utc": "2100-01-01T00:00:00"}
    bootstrap.create("/apikeys", decoy)  # takes the lowest id, so DELETE /apikeys/1 cannot hit the key below
    key = bootstrap.create("/apikeys", {**decoy, "name": "matrix-key"})
    assert key["id"] != 1
    clients = {ANONYMOUS: api, API_KEY: api.with_headers({"API-Key": key["token"]})}
    for principal, name in SESSION_USERS.items():
        clients[principal] = api.login(name, PASSWORD)
    clients[EXPIRED] = expired_session(app, api)
    return Principals(api, clients, key["token"])


def expired_session(app: EmsApp, api: Api) -> Api:
    session = api.login(SESSION_USERS[ADMIN_USER], PASSWORD)
    hashed = hashlib.sha256(session.headers["Token"].encode()).hexdigest()
    past = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(minutes=5)
    with app.databases.system.begin() as conn:
        conn.execute(sa.update(schema.sessions).where(schema.sessions.c.token_hash == hashed)
                     .values(expires_datetime_utc=past))
    return session


def error_shape_problem(result: Any) -> str | None:
    body = result.json if result.content_type and "json" in result.content_type else None
    if not isinstance(body, dict) or set(body) != {"title", "description"} or \
            not all(str(v).startswith("API.") for v in body.values()):
        return f"error body not in the one shape: {result.text[:200]}"
    return None


def test_the_route_table_lists_the_seed_routes(app):
    paths = {endpoint.path for endpoint in app.endpoints}
    assert app.endpoints, "the route table is empty"
    assert {"/energycategories", "/users/login"} <= paths
    assert all(endpoint.policies for endpoint in app.endpoints)


def test_every_route_uses_a_known_policy(app):
    unknown = [(e.path, verb, policy) for e in app.endpoints for verb, policy in e.policies.items()
               if policy not in (PUBLIC, READ, ADMIN, ACCOUNT, PUSH)]
    assert unknown == []


def test_every_route_answers_each_kind_of_caller_as_its_policy_says(uncached_app):
    principals = build_principals(uncached_app)
    cases = route_cases(uncached_app)
    assert cases, "no routes to check"
    mismatches: list[str] = []
    for path, verb, policy in cases:
        for principal in PRINCIPALS:
            result = principals.client(principal).request(verb, concrete(path), {})
            wanted, got = expected_outcome(policy, principal), outcome(result.status_code)
            if wanted != got:
                mismatches.append(f"{verb} {path} [{policy}] as {principal}: expected {wanted}, "
                                  f"got {result.status_code} {result.text[:120]}")
            elif got in (401, 403) and (problem := error_shape_problem(result)):
                mismatches.append(f"{verb} {path} as {principal}: {problem}")
            principals.restore(principal, after=f"{verb} {path}")
    assert mismatches == [], "\n" + "\n".join(mismatches)
