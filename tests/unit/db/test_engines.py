"""The MySQL engines' round-trip savings, checked against the server's own statement counters."""

import pytest
import sqlalchemy as sa

from myems_api.db.engines import Databases, fold_case
from tests.conftest import MYSQL_URL

needs_mysql = pytest.mark.skipif(not MYSQL_URL, reason="needs MYEMS_TEST_MYSQL_URL (CI sets it)")


def _counters(engine: sa.Engine) -> dict[str, int]:
    """The counters of the pooled connection itself (SESSION: other test processes share the server)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SHOW SESSION STATUS WHERE Variable_name IN ('Com_rollback', 'Com_admin_commands', 'Questions')"))
        return {name: int(value) for name, value in rows}


@needs_mysql
def test_reads_through_the_reader_send_only_their_query(mysql_schema):
    databases = Databases({"system": MYSQL_URL, "historical": MYSQL_URL, "energy": MYSQL_URL})
    reader = databases.system_reader
    with reader.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    before = _counters(reader)
    for _ in range(50):
        with reader.connect() as conn:
            conn.execute(sa.text("SELECT 1")).all()
    after = _counters(reader)
    databases.dispose()
    assert after["Com_rollback"] == before["Com_rollback"]
    assert after["Com_admin_commands"] == before["Com_admin_commands"]  # no ping per cursor
    assert after["Questions"] - before["Questions"] <= 50 + 2  # the reads, plus the counters query


@needs_mysql
def test_a_write_transaction_is_still_rolled_back_when_abandoned(mysql_schema):
    databases = Databases({"system": MYSQL_URL, "historical": MYSQL_URL, "energy": MYSQL_URL})
    with databases.system.connect() as conn:
        conn.execute(sa.text("INSERT INTO tbl_cost_centers (name, uuid) VALUES ('rolled back', 'u-rb')"))
    with databases.system_reader.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM tbl_cost_centers WHERE uuid = 'u-rb'")).scalar() == 0
    databases.dispose()


def test_names_fold_case_and_accents_as_mysql_unicode_ci_does():
    assert fold_case("ÉNERGIE") == fold_case("énergie") == fold_case("energie")
    assert fold_case("ДИЗЕЛЬ") == fold_case("Дизель")
    assert fold_case("Strasse") != fold_case("Strand")
