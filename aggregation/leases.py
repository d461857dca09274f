"""One runner at a time: a lease row claimed by a conditional UPDATE (no GET_LOCK or LOCK TABLES, so it
works on MySQL-compatible distributed engines too). A runner that dies lets its lease expire."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from myems_api.db import energy


def holder_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def claim(engine: Engine, name: str, holder: str, seconds: float) -> bool:
    """Takes (or renews) the lease when it is free, expired or already ours; answers whether we hold it."""
    leases = energy.leases
    now = _now()
    expires = now + timedelta(seconds=seconds)
    with engine.begin() as conn:
        taken = conn.execute(sa.update(leases).where(
            leases.c.name == name, sa.or_(leases.c.holder == holder, leases.c.expires_datetime_utc < now))
            .values(holder=holder, expires_datetime_utc=expires)).rowcount
    if taken:
        return True
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(leases).values(name=name, holder=holder, expires_datetime_utc=expires))
        return True
    except sa.exc.IntegrityError:
        return False  # someone else holds it


def release(engine: Engine, name: str, holder: str) -> None:
    leases = energy.leases
    with engine.begin() as conn:
        conn.execute(sa.delete(leases).where(leases.c.name == name, leases.c.holder == holder))
