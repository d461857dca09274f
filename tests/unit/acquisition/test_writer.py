"""The trend writer: batches reach the historical store; while it is unreachable they are spooled, and
replayed in order once it is back, exactly once per (point, time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from acquisition.writer import TrendWriter
from myems_api.db import historical
from myems_api.db.engines import make_engine
from myems_api.db.trends import Reading

T0 = datetime(2026, 1, 1)


def readings(point_id: int, start: int, count: int, kind: str = "ANALOG_VALUE", scale: float = 1.0):
    return [(kind, Reading(point_id, T0 + timedelta(seconds=start + i), (start + i) * scale)) for i in range(count)]


@pytest.fixture
def store(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'historical.sqlite'}")
    historical.metadata.create_all(engine)
    return engine


@pytest.fixture
def unreachable() -> sa.Engine:
    """A MySQL URL where nothing listens: every connection attempt fails, as during an outage."""
    return make_engine("mysql+mysqlconnector://u:p@127.0.0.1:9/nothing", pool_size=1)


def table_rows(engine: sa.Engine, table: sa.Table) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table.c.point_id, table.c.utc_date_time,
                                                         table.c.actual_value).order_by(table.c.utc_date_time))]


def test_a_flush_writes_the_buffer_and_empties_it(store, tmp_path):
    writer = TrendWriter(store, tmp_path / "spool.jsonl", batch_size=3)
    writer.add(readings(1, 0, 7))
    assert writer.flush() == 7 and writer.pending == []
    assert len(table_rows(store, historical.analog_values)) == 7
    assert not (tmp_path / "spool.jsonl").exists()


def test_an_unreachable_store_spools_instead_of_raising(unreachable, tmp_path):
    spool = tmp_path / "spool.jsonl"
    writer = TrendWriter(unreachable, spool)
    writer.add(readings(1, 0, 5))
    assert writer.flush() == 0
    writer.add(readings(1, 5, 3))
    writer.flush()
    assert writer.spooled == 8 and len(spool.read_text().splitlines()) == 8


def test_the_spool_is_replayed_in_order_before_newer_readings_once_the_store_is_back(store, unreachable, tmp_path):
    spool = tmp_path / "spool.jsonl"
    writer = TrendWriter(unreachable, spool, batch_size=4)
    writer.add(readings(1, 0, 10))
    writer.flush()
    writer.add(readings(1, 5, 10, scale=10))  # the same times again, later values: these must win
    writer.flush()
    writer.engine = store  # the database is back
    writer.add(readings(1, 15, 2, scale=100))
    assert writer.flush() == 22
    assert not spool.exists()
    got = table_rows(store, historical.analog_values)
    assert [v for _, _, v in got] == [*range(5), *(i * 10 for i in range(5, 15)), 1500, 1600]


def test_replaying_a_spool_twice_writes_each_reading_once(store, unreachable, tmp_path):
    spool = tmp_path / "spool.jsonl"
    spooling = TrendWriter(unreachable, spool)
    spooling.add(readings(2, 0, 4, kind="ENERGY_VALUE"))
    spooling.flush()
    copy = spool.read_text()
    TrendWriter(store, spool).flush()
    spool.write_text(copy)  # a crash after the rows were written but before the spool was deleted
    TrendWriter(store, spool).flush()
    assert len(table_rows(store, historical.energy_values)) == 4


def test_a_torn_last_line_is_skipped_and_the_rest_replayed(store, unreachable, tmp_path, caplog):
    spool = tmp_path / "spool.jsonl"
    writer = TrendWriter(unreachable, spool)
    writer.add(readings(3, 0, 3))
    writer.flush()
    with spool.open("a") as f:
        f.write('{"k": "ANALOG_VALUE", "p": 3, "t": "2026-01')
    TrendWriter(store, spool).flush()
    assert len(table_rows(store, historical.analog_values)) == 3
    assert "not a reading" in caplog.text


def test_each_point_keeps_only_its_newest_latest_value(store, tmp_path):
    writer = TrendWriter(store, tmp_path / "spool.jsonl")
    writer.add(readings(4, 10, 3))
    writer.flush()
    writer.add(readings(4, 0, 3))
    writer.flush()
    assert table_rows(store, historical.latest_values) == [(4, T0 + timedelta(seconds=12), 12)]
