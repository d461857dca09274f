"""One SQLAlchemy engine (and connection pool) per distinct store URL, per process.

SQLite is tuned for several processes on one file (WAL, busy timeout) and compares names the way MySQL's
``utf8mb4_unicode_ci`` does (case- and accent-insensitive; other tools opening the file see SQLite's
ASCII-only NOCASE). MySQL/MariaDB goes through
mysql-connector-python with a fixed-size pool, recycled hourly so idle connections never hit
``wait_timeout``.
"""

from __future__ import annotations

import functools
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

STORES = ("system", "historical", "energy")


def fold_case(text: str) -> str:
    """Case- and accent-insensitive form, as MySQL's ``utf8mb4_unicode_ci`` compares names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _unicode_nocase(a: str, b: str) -> int:
    fa, fb = fold_case(a), fold_case(b)
    return (fa > fb) - (fa < fb)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own NOCASE folds ASCII only; names must be unique the same way on both dialects.
    dbapi_connection.create_collation("NOCASE", _unicode_nocase)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def quiet_mysql_connection(*args: Any, **kwargs: Any) -> Any:
    """A mysql-connector connection that answers two questions locally instead of over the network.

    Measured (tests/bench): of the three round trips a read request made, only one was the query.
    ``cursor()`` pinged the server before every statement, and the pool's reset-on-return sent ROLLBACK
    although no transaction was open. Here ``is_connected`` trusts the open connection (a dead one still
    fails on its next statement, which SQLAlchemy treats as a disconnect and replaces), and ``rollback``
    is skipped when the server's last status says no transaction is open. The C extension is used when
    it loads, as ``mysql.connector.connect`` would.
    """
    return _quiet_class()(*args, **kwargs)


@functools.cache
def _quiet_class() -> type:
    import mysql.connector

    base: Any
    if mysql.connector.HAVE_CEXT:
        from mysql.connector.connection_cext import CMySQLConnection as base

        def connected(self: Any) -> bool:
            return self._cmysql is not None
    else:
        from mysql.connector.connection import MySQLConnection as base

        def connected(self: Any) -> bool:
            return self._socket is not None and self._handshake is not None

    def rollback(self: Any) -> None:
        if self.in_transaction or self.unread_result:
            base.rollback(self)

    return type("QuietMySQLConnection", (base,), {"is_connected": connected, "rollback": rollback})


def make_engine(url: str, pool_size: int = 8, autocommit: bool = False) -> Engine:
    """An engine for ``url``; ``autocommit`` engines serve reads with no transaction to end."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "mysql":
        options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
        engine = sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600,
                                  pool_pre_ping=False, **options)
        if parsed.get_driver_name() == "mysqlconnector":
            sa.event.listen(engine, "do_connect",
                            lambda dialect, record, cargs, cparams: quiet_mysql_connection(*cargs, **cparams))
        return engine
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


@dataclass
class Databases:
    """The three logical stores; stores sharing a URL share one engine."""

    urls: dict[str, str]
    pool_size: int = 8
    engines: dict[str, Engine] = field(init=False, default_factory=dict)
    readers: dict[str, Engine] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_url: dict[tuple[str, bool], Engine] = {}
        for store in STORES:
            url = self.urls[store]
            for autocommit, target in ((False, self.engines), (True, self.readers)):
                if make_url(url).get_backend_name() == "sqlite":
                    autocommit = False  # one engine per file: SQLite's rollback is local and cheap
                if (url, autocommit) not in by_url:
                    by_url[url, autocommit] = make_engine(url, self.pool_size, autocommit)
                target[store] = by_url[url, autocommit]

    @property
    def system(self) -> Engine:
        """Transactional: every write, and reads that must see a consistent snapshot."""
        return self.engines["system"]

    @property
    def system_reader(self) -> Engine:
        """Autocommit: single-statement reads see the latest commit and leave nothing to roll back."""
        return self.readers["system"]

    def health(self) -> dict[str, dict[str, Any]]:
        """Round-trip each store; never raises."""
        report: dict[str, dict[str, Any]] = {}
        for store, engine in self.engines.items():
            started = time.perf_counter()
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                report[store] = {"status": "ok", "dialect": engine.dialect.name,
                                 "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
            except Exception as exc:  # noqa: BLE001 - health reports any failure as data
                report[store] = {"status": "error", "dialect": engine.dialect.name,
                                 "error": type(exc).__name__}
        return report

    def dispose(self) -> None:
        for engine in {id(e): e for e in [*self.engines.values(), *self.readers.values()]}.values():
            engine.dispose()
