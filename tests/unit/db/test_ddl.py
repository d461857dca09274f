from pathlib import Path

from myems_api.db.ddl import mysql_ddl

ROOT = Path(__file__).resolve().parents[3]


def test_rendered_mysql_ddl_matches_the_schema_metadata():
    committed = (ROOT / "sql" / "mysql" / "schema.sql").read_text()
    assert committed == mysql_ddl(), "schema changed: run `myems db ddl > sql/mysql/schema.sql`"


def test_every_table_has_a_primary_key_and_no_foreign_keys():
    ddl = mysql_ddl()
    assert "FOREIGN KEY" not in ddl
    assert ddl.count("CREATE TABLE") == ddl.count("PRIMARY KEY")
