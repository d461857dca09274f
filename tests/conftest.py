"""Shared fixtures: every API test runs on SQLite, and on MariaDB when MYEMS_TEST_MYSQL_URL is set.

``api`` is a falcon test client bound to a freshly initialised database (reference data and the
``administrator`` user with :data:`ADMIN_PASSWORD`); ``admin`` is the same client logged in as admin.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from myems_api.app import EmsApp, create_app
from myems_api.auth import Passwords
from myems_api.config import Config
from myems_api.db import energy, historical, schema
from myems_api.db.engines import Databases
from myems_api.db.setup import init_database
from tests.client import Api

ADMIN_PASSWORD = "Admin-pass-1"
FAST_SCRYPT_N = 2**8  # tests only: the cost parameter is stored with each hash


def _worker_url(url: str) -> str:
    """Under pytest-xdist each worker has a database of its own (``<name>_gw0``...), created on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker}"
    server = sa.create_engine(parsed.set(database=parsed.database))
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 "
                             "COLLATE utf8mb4_unicode_ci")
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


MYSQL_URL = _worker_url(os.environ.get("MYEMS_TEST_MYSQL_URL", ""))
BACKENDS = ["sqlite", "mysql"] if MYSQL_URL else ["sqlite"]


METADATAS = (schema.metadata, historical.metadata, energy.metadata)  # every store shares the test database


@pytest.fixture(scope="session")
def mysql_schema() -> Iterator[sa.Engine]:
    engine = sa.create_engine(MYSQL_URL)
    for metadata in METADATAS:
        metadata.drop_all(engine)
        metadata.create_all(engine)
    yield engine
    engine.dispose()


def empty_mysql(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for metadata in METADATAS:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database initialised once (schema, reference data, administrator): each test gets a copy,
    which costs a file copy instead of creating some 170 tables."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    url = f"sqlite:///{path}"
    databases = Databases({"system": url, "historical": url, "energy": url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), ADMIN_PASSWORD, myems_defaults=False)
    databases.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database holding no data, for what initialises one (``myems db init``): a new SQLite file, or the
    emptied MariaDB database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    empty_mysql(request.getfixturevalue("mysql_schema"))
    return MYSQL_URL


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "test.sqlite")
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    engine = request.getfixturevalue("mysql_schema")
    empty_mysql(engine)
    return MYSQL_URL


@pytest.fixture
def config(db_url: str, tmp_path: Path) -> Config:
    return Config(db_url=db_url, scrypt_n=FAST_SCRYPT_N, admin_password=ADMIN_PASSWORD,
                  upload_folder=str(tmp_path / "upload"), max_failed_logins=3)


def make_app(config: Config, **kwargs: object) -> EmsApp:
    app = create_app(config, **kwargs)  # type: ignore[arg-type]
    init_database(app.databases, Passwords(n=config.scrypt_n), config.admin_password, myems_defaults=False)
    return app


@pytest.fixture
def app(config: Config) -> Iterator[EmsApp]:
    app = make_app(config)
    yield app
    app.databases.dispose()


@pytest.fixture
def uncached_app(config: Config) -> Iterator[EmsApp]:
    """The app with the per-process auth cache off, so a change in the database shows at once."""
    app = make_app(dataclasses.replace(config, auth_cache_seconds=0))
    yield app
    app.databases.dispose()


@pytest.fixture
def api(app: EmsApp) -> Api:
    return Api(app)


@pytest.fixture
def admin(api: Api) -> Api:
    return api.login("administrator", ADMIN_PASSWORD)


@pytest.fixture
def other(config: Config, tmp_path: Path, sqlite_template: Path) -> Iterator[Api]:
    """An administrator session on a second, empty instance (always SQLite, its own file): where exports
    are imported to stand for moving configuration between sites."""
    shutil.copyfile(sqlite_template, tmp_path / "second.sqlite")
    url = f"sqlite:///{tmp_path / 'second.sqlite'}"
    app = make_app(dataclasses.replace(config, db_url=url, historical_db_url=url, energy_db_url=url,
                                       upload_folder=str(tmp_path / "second-upload")))
    yield Api(app).login("administrator", ADMIN_PASSWORD)
    app.databases.dispose()
