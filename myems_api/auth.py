"""Passwords, tokens, who is calling, and what they may do.

- Passwords: scrypt (memory-hard, in the standard library), parameters stored with each hash so the cost
  can be raised later without invalidating old hashes; compared in constant time. Users imported from MyEMS
  keep its salted SHA-512 (``myems-sha512$salt$hexdigest``) until their first login, which rehashes it.
- Session tokens and API keys: random, shown to the client once, stored only as SHA-256 hashes and looked
  up through a unique index.
- A short per-process cache (``MYEMS_AUTH_CACHE_SECONDS``, default 2 s, never past the session's own
  expiry) spares the database one query per request. Logout evicts the entry in the worker that served
  it; another worker may accept the ended token for at most that many seconds. Set 0 to disable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import falcon

from myems_api.engine.family import ACCOUNT, ADMIN, PUBLIC, PUSH, READ
from myems_api.errors import ApiError

LEGACY = "myems-sha512"


class Passwords:
    """Hash and verify passwords; also the engine's password policy (see fields.Password)."""

    def __init__(self, n: int = 2**14, r: int = 8, p: int = 1, min_length: int = 6) -> None:
        self.n, self.r, self.p, self.min_length = n, r, p, min_length
        self._dummy = self.hash(secrets.token_hex(8))

    def acceptable(self, password: str) -> bool:
        return self.min_length <= len(password) <= 128

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._derive(password, salt, self.n, self.r, self.p)
        return f"scrypt${self.n}${self.r}${self.p}${_b64(salt)}${_b64(digest)}"

    @staticmethod
    def legacy(salt: str, hexdigest: str) -> str:
        """How a MyEMS password (``tbl_users.salt`` and ``.password``) is kept until its owner logs in."""
        return f"{LEGACY}${salt}${hexdigest}"

    @staticmethod
    def needs_rehash(stored: str) -> bool:
        return stored.startswith(LEGACY + "$")

    def verify(self, password: str, stored: str | None) -> bool:
        """Constant time in the comparison; unknown users are verified against a dummy hash."""
        if stored is not None and self.needs_rehash(stored):
            _, legacy_salt, hexdigest = stored.split("$", 2)
            legacy = hashlib.sha512(legacy_salt.encode() + password.encode()).hexdigest()
            return hmac.compare_digest(hexdigest.lower(), legacy)
        try:
            scheme, n, r, p, salt, digest = (stored or self._dummy).split("$")
            expected = base64.b64decode(digest)
            actual = self._derive(password, base64.b64decode(salt), int(n), int(r), int(p))
        except ValueError:
            return False
        return scheme == "scrypt" and stored is not None and hmac.compare_digest(expected, actual)

    @staticmethod
    def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_token() -> str:
    """128 hex characters, the length MyEMS clients are used to."""
    return secrets.token_hex(64)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or "apikey"
    id: int
    name: str
    uuid: str = ""
    is_admin: bool = False
    is_read_only: bool = False
    privilege_id: int | None = None
    token_hash: str = ""

    @property
    def may_write(self) -> bool:
        return self.kind == "user" and self.is_admin and not self.is_read_only


def allowed(principal: Principal | None, policy: str) -> bool:
    if policy == PUBLIC:
        return True
    if principal is None:
        return False
    if policy == READ:
        return True
    if policy == ACCOUNT:
        return principal.kind == "user"
    if policy == ADMIN:
        return principal.may_write
    if policy == PUSH:
        return principal.kind == "apikey" or principal.may_write
    return False


Lookup = Callable[[str], tuple[Principal, datetime] | None]


class Authenticator:
    """Turns request headers into a Principal; the lookups are the account store's queries."""

    def __init__(self, session_lookup: Lookup, api_key_lookup: Lookup, cache_seconds: float = 2.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.session_lookup = session_lookup
        self.api_key_lookup = api_key_lookup
        self.cache_seconds = cache_seconds
        self.clock = clock or utcnow
        self._cache: dict[str, tuple[Principal, float]] = {}

    def authenticate(self, req: falcon.Request) -> Principal | None:
        token = req.get_header("Token")
        user_uuid = req.get_header("User-UUID")
        if token and user_uuid:
            principal = self._cached(token_hash(token), self.session_lookup)
            if principal is None or principal.uuid != user_uuid.strip():
                raise ApiError(401, "API.INVALID_SESSION")
            return principal
        api_key = req.get_header("API-Key")
        if api_key:
            principal = self._cached(token_hash(api_key.strip()), self.api_key_lookup)
            if principal is None:
                raise ApiError(401, "API.INVALID_API_KEY")
            return principal
        return None

    def _cached(self, key: str, lookup: Lookup) -> Principal | None:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        found = lookup(key)
        if found is None:
            self._cache.pop(key, None)
            return None
        principal, expires_utc = found
        if self.cache_seconds > 0:
            remaining = (expires_utc - self.clock()).total_seconds()
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (principal, now + min(self.cache_seconds, remaining))
        return principal

    def forget(self, key: str) -> None:
        self._cache.pop(key, None)

    def forget_user(self, user_id: int) -> None:
        self._forget_where("user", user_id)

    def forget_api_key(self, key_id: int) -> None:
        self._forget_where("apikey", key_id)

    def _forget_where(self, kind: str, entity_id: int) -> None:
        for key, (principal, _) in list(self._cache.items()):
            if principal.kind == kind and principal.id == entity_id:
                self._cache.pop(key, None)


def utcnow() -> datetime:
    """Naive UTC, the storage convention."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class AuthMiddleware:
    """Checks the route's policy for the verb before the responder runs: 401 anonymous, 403 not allowed."""

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: Any,
                         params: dict[str, Any]) -> None:
        policies: dict[str, str] | None = getattr(resource, "policies", None)
        if resource is None or policies is None or req.method not in policies:
            return  # routing errors (404/405) and OPTIONS answer without credentials
        policy = policies[req.method]
        principal = None if policy == PUBLIC else self.authenticator.authenticate(req)
        req.context.principal = principal
        if not allowed(principal, policy):
            raise ApiError(401, "API.NOT_AUTHENTICATED") if principal is None else ApiError(403, "API.FORBIDDEN")
