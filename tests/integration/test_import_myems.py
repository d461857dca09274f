"""``myems db import-myems`` on the real MariaDB: a MyEMS v6.7.0 installation (its databases created from the
schema file, filled from the demo site the way MyEMS keeps things) imported into a database ``myems db init``
just made. Every list route answers the same objects as on the site it came from, an imported user logs in
with the old password, energy sums match, reports agree, a second run changes nothing, and a killed import
resumes into the same tables."""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aggregation.runner import Aggregation
from myems_api.app import EmsApp, default_families
from myems_api.auth import Passwords
from myems_api.config import Config
from myems_api.db import energy, historical, schema
from myems_api.db.import_tables import import_checkpoints
from myems_api.db.setup import init_database
from myems_api.demo_history import seed_history
from myems_api.demo_site import seed_demo_site
from myems_api.engine.family import Registry
from myems_api.engine.fields import Context
from myems_api.importer import copier
from myems_api.importer.main import ImportOptions, run_import
from myems_api.importer.source import database_names
from tests.client import Api
from tests.conftest import FAST_SCRYPT_N, METADATAS, MYSQL_URL, empty_mysql, make_app
from tests.integration.myems_source import create_source, fill_from

pytestmark = pytest.mark.skipif(not MYSQL_URL, reason="needs MYEMS_TEST_MYSQL_URL (CI sets it)")
ENDPOINTS = Path(__file__).resolve().parents[1] / "data" / "myems-v6.7-endpoints.txt"
SITE_PASSWORD = "Demo-admin-1"
ALICE = "Alice-old-pass-1"


def list_routes() -> list[str]:
    routes = []
    for line in ENDPOINTS.read_text().splitlines():
        verb, path = line.split()
        if verb == "GET" and "{" not in path and not path.startswith("/reports") and path not in (
                "/logs", "/webmessages", "/notifications", "/version", "/openapi.json"):
            routes.append(path)
    return routes


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmsApp]:
    """The demo site, two days of history, aggregated, plus a user with a password: the MyEMS being left."""
    folder = tmp_path_factory.mktemp("site")
    config = Config(db_url=f"sqlite:///{folder}/site.sqlite", admin_password=SITE_PASSWORD, scrypt_n=FAST_SCRYPT_N,
                    upload_folder=str(folder / "upload"))
    app = make_app(config)
    init_database(app.databases, Passwords(n=FAST_SCRYPT_N), SITE_PASSWORD)
    seed_demo_site(app.databases, Registry(default_families()), Context(tz=config.tz))
    admin = Api(app).login("administrator", SITE_PASSWORD)
    admin.create("/users", {"name": "alice", "display_name": "Alice", "email": "alice@example.com",
                            "password": ALICE, "is_admin": False, "account_expiration_datetime": "2099-01-01T00:00:00",
                            "password_expiration_datetime": "2099-01-01T00:00:00"})
    seed_history(app.databases, days=2)
    Aggregation(app.databases).run_once()
    yield app
    app.databases.dispose()


@pytest.fixture(scope="module")
def source(site: EmsApp) -> Iterator[tuple[str, dict[str, str]]]:
    """MyEMS's eight databases on the MariaDB server, filled from the site."""
    server_url = sa.engine.make_url(MYSQL_URL).set(database="")
    server = sa.create_engine(server_url)
    prefix = f"{sa.engine.make_url(MYSQL_URL).database}_src_"
    tables = create_source(server, prefix)
    fill_from(site.databases, server, tables, {"administrator": SITE_PASSWORD, "alice": ALICE})
    server.dispose()
    yield server_url.render_as_string(hide_password=False), database_names(prefix)


@pytest.fixture
def target(tmp_path: Any) -> Iterator[EmsApp]:
    """A database ``myems db init`` has just created, on MariaDB."""
    engine = sa.create_engine(MYSQL_URL)
    for metadata in METADATAS:
        metadata.create_all(engine)
    empty_mysql(engine)
    engine.dispose()
    config = Config(db_url=MYSQL_URL, scrypt_n=FAST_SCRYPT_N, admin_password="Target-admin-1",
                    upload_folder=str(tmp_path / "upload"), auth_cache_seconds=0)
    app = make_app(config)
    init_database(app.databases, Passwords(n=FAST_SCRYPT_N), "Target-admin-1")  # as `myems db init` does
    yield app
    app.databases.dispose()


def imported(app: EmsApp, source: tuple[str, dict[str, str]], **options: Any) -> tuple[int, str]:
    out = io.StringIO()
    status = run_import(app.databases, ImportOptions(source[0], source[1], **options), out)
    return status, out.getvalue()


def same(a: Any, b: Any, path: str = "") -> None:
    """Equal JSON, floats to 1e-9 (the site is SQLite, the target MariaDB)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), (path, a.keys() ^ b.keys())
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


def dump(app: EmsApp) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of every store but the checkpoints, in key order."""
    found = {}
    for metadata in METADATAS:
        for table in metadata.sorted_tables:
            if table is import_checkpoints:
                continue
            engine = app.databases.engines[{id(historical.metadata): "historical", id(energy.metadata): "energy"}
                                           .get(id(metadata), "system")]
            with engine.connect() as conn:
                found[table.name] = [tuple(r) for r in conn.execute(
                    sa.select(table).order_by(*(table.primary_key.columns or table.columns)))]
    return found


def test_an_imported_installation_answers_every_list_route_as_the_one_it_came_from(
        site: EmsApp, source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    status, out = imported(target, source)
    assert status == 0, out
    assert "DIFFER" not in out and "    skipped " not in out, out
    theirs = Api(site).login("administrator", SITE_PASSWORD)
    ours = Api(target).login("administrator", SITE_PASSWORD)  # the source's administrator won over ours
    compared = 0
    for path in list_routes():
        a, b = theirs.get(path), ours.get(path)
        assert a.status_code == b.status_code, (path, a.status_code, b.status_code, b.json)
        if a.status_code == 200:
            same(a.json, b.json, path)
            compared += 1
    assert compared >= 50
    meter = theirs.get("/meters").json[0]
    for path in (f"/meters/{meter['id']}/points", f"/spaces/{theirs.get('/spaces').json[0]['id']}/meters",
                 "/virtualmeters", "/tariffs"):
        same(theirs.get(path).json, ours.get(path).json, path)


def test_an_imported_user_logs_in_with_the_old_password_which_is_then_rehashed(
        source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    assert imported(target, source)[0] == 0
    users = schema.users
    with target.databases.system.connect() as conn:
        before = conn.execute(sa.select(users.c.password_hash).where(users.c.name == "alice")).scalar_one()
    assert before.startswith("myems-sha512$")
    assert Api(target).post("/users/login", {"name": "alice", "password": "wrong-one-1"}).status_code == 401
    assert Api(target).post("/users/login", {"account": "alice", "password": ALICE}).status_code == 200
    with target.databases.system.connect() as conn:
        after = conn.execute(sa.select(users.c.password_hash).where(users.c.name == "alice")).scalar_one()
    assert after.startswith("scrypt$")
    assert Api(target).post("/users/login", {"name": "alice", "password": ALICE}).status_code == 200


def test_energy_comes_over_with_equal_sums_and_equal_reports_and_aggregation_goes_on_from_there(
        site: EmsApp, source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    status, out = imported(target, source)
    assert status == 0 and " ok" in out, out
    for metadata_table, store, value in ((energy.meter_hourly, "energy", "actual_value"),
                                         (energy.entity_hourly, "energy", "actual_value"),
                                         (historical.energy_values, "historical", "actual_value"),
                                         (energy.space_production_hourly, "energy", "product_count")):
        sums = []
        for app in (site, target):
            with app.databases.engines[store].connect() as conn:
                sums.append(conn.execute(sa.select(sa.func.count(), sa.func.sum(metadata_table.c[value]))).one())
        assert sums[0][0] == sums[1][0] > 0 and math.isclose(sums[0][1], sums[1][1], rel_tol=1e-9), metadata_table.name
    theirs = Api(site).login("administrator", SITE_PASSWORD)
    ours = Api(target).login("administrator", SITE_PASSWORD)
    root = next(s for s in theirs.get("/spaces").json if s["parent_space_id"] is None)
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=3)
    query = (f"spaceid={root['id']}&periodtype=daily&reportingperiodstartdatetime={start:%Y-%m-%dT%H:%M:%S}"
             f"&reportingperiodenddatetime={today + timedelta(days=1):%Y-%m-%dT%H:%M:%S}&language=en")
    report = theirs.get("/reports/spaceenergycategory", query_string=query)
    assert report.status_code == 200 and report.json["reporting_period"]["subtotals"]
    same(report.json["reporting_period"], ours.get("/reports/spaceenergycategory", query_string=query).json[
        "reporting_period"])
    product = f"&productid={theirs.get('/products').json[0]['id']}"
    produced = theirs.get("/reports/spaceproduction", query_string=query + product + "&quickmode=true")
    assert produced.status_code == 200 and produced.json["reporting_total_production"] > 0
    same(produced.json["reporting_production"], ours.get("/reports/spaceproduction", query_string=query + product +
                                                         "&quickmode=true").json["reporting_production"])
    run = Aggregation(target.databases).run_once()  # MyEMS's hours stay; only hours past them are computed
    assert run.errors == []
    with target.databases.engines["energy"].connect() as conn:
        total = conn.execute(sa.select(sa.func.sum(energy.meter_hourly.c.actual_value))).scalar()
    with site.databases.engines["energy"].connect() as conn:
        assert math.isclose(total, conn.execute(sa.select(sa.func.sum(energy.meter_hourly.c.actual_value))).scalar(),
                            rel_tol=1e-9)


def test_a_second_run_changes_nothing_and_a_dry_run_writes_nothing(
        source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    before = dump(target)
    status, out = imported(target, source, dry_run=True)
    assert status == 0 and "would write" in out, out
    assert dump(target) == before
    assert imported(target, source)[0] == 0
    first = dump(target)
    assert first["tbl_energy_value"] and first["tbl_meters"]
    assert imported(target, source)[0] == 0
    assert dump(target) == first


def test_an_import_killed_mid_table_resumes_into_the_same_tables(
        source: tuple[str, dict[str, str]], target: EmsApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(copier, "BATCH", 500)
    load = copier.BulkLoader.load
    calls = {"n": 0}

    def dies_on_the_third_batch(self: copier.BulkLoader, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        load(self, *args)

    monkeypatch.setattr(copier.BulkLoader, "load", dies_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        imported(target, source)
    with target.databases.system.connect() as conn:
        assert conn.execute(sa.select(import_checkpoints.c.last_id)).scalars().all()  # two batches stand
    status, out = imported(target, source)
    assert status == 0 and "(after id" in out, out
    resumed = dump(target)
    assert imported(target, source, restart=True)[0] == 0
    assert dump(target) == resumed


def test_rows_naming_missing_objects_are_skipped_with_their_reason_and_fail_the_run(
        source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    server = sa.create_engine(source[0])
    trend = f"`{source[1]['historical']}`.`tbl_energy_value`"
    links = f"`{source[1]['system']}`.`tbl_meters_points`"
    with server.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {trend} (point_id, utc_date_time, actual_value) VALUES "
                             "(987654, '2024-01-01 00:00:00', 1.5)")
        conn.exec_driver_sql(f"INSERT INTO {links} (meter_id, point_id) VALUES (987654, 1)")
    try:
        status, out = imported(target, source)
        assert status == 1, out
        assert "skipped 1: point_id: no such row in tbl_points" in out
        assert "skipped 1: meter_id: no such row in tbl_meters" in out
        assert imported(target, source, restart=True, allow_skips=True)[0] == 0
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {trend} WHERE point_id = 987654")
            conn.exec_driver_sql(f"DELETE FROM {links} WHERE meter_id = 987654")
        server.dispose()


def test_an_api_key_of_myems_goes_on_working_and_only_its_hash_is_kept(
        source: tuple[str, dict[str, str]], target: EmsApp) -> None:
    server = sa.create_engine(source[0])
    keys = f"`{source[1]['user']}`.`tbl_api_keys`"  # v6.7.0 creates it by upgrade, not in its install scripts
    token = hashlib.sha512(b"integrator").hexdigest()
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {keys} (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255) "
                             "NOT NULL, token VARCHAR(128) NOT NULL, created_datetime_utc DATETIME NOT NULL, "
                             "expires_datetime_utc DATETIME NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO {keys} VALUES (7, 'scada', '{token}', '2024-01-01', '2099-01-01')")
    try:
        assert imported(target, source)[0] == 0
        with target.databases.system.connect() as conn:
            row = conn.execute(sa.select(schema.api_keys)).mappings().one()
        assert row["id"] == 7 and row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        keyed = Api(target).with_headers({"API-Key": token})
        assert keyed.get("/energycategories").status_code == 200
        assert Api(target).with_headers({"API-Key": token[:-1] + "0"}).get("/energycategories").status_code == 401
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {keys}")
        server.dispose()
