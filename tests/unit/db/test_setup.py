"""``myems db init`` leaves a database that looks like a fresh MyEMS to its clients."""

from __future__ import annotations

import sqlalchemy as sa

from myems_api.auth import Passwords
from myems_api.db import schema
from myems_api.db.engines import Databases
from myems_api.db.setup import init_database
from tests.conftest import FAST_SCRYPT_N


def test_a_fresh_database_has_the_root_space_with_id_1_and_a_default_gateway(empty_db_url):
    databases = Databases({"system": empty_db_url, "historical": empty_db_url, "energy": empty_db_url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1", utc_offset="+08:00")
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1", utc_offset="+08:00")  # idempotent
    s, z = schema.spaces, schema.timezones
    with databases.system.connect() as conn:
        spaces = conn.execute(sa.select(s.c.id, s.c.parent_space_id, z.c.utc_offset)
                              .join(z, z.c.id == s.c.timezone_id)).all()
        gateways = conn.execute(sa.select(schema.gateways.c.id, schema.gateways.c.token)).all()
    assert [(r.id, r.parent_space_id, r.utc_offset) for r in spaces] == [(1, None, "+08:00")]
    assert [g.id for g in gateways] == [1] and len(gateways[0].token) == 64
    databases.dispose()


def test_a_database_that_has_spaces_and_gateways_keeps_its_own(empty_db_url):
    databases = Databases({"system": empty_db_url, "historical": empty_db_url, "energy": empty_db_url})
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1", myems_defaults=False)
    with databases.system.begin() as conn:
        conn.execute(sa.insert(schema.gateways).values(id=7, name="Mine", uuid="u-7", token="t" * 64))
    init_database(databases, Passwords(n=FAST_SCRYPT_N), "Admin-pass-1")
    with databases.system.connect() as conn:
        assert conn.execute(sa.select(schema.gateways.c.id)).scalars().all() == [7]
        assert conn.execute(sa.select(schema.spaces.c.id)).scalars().all() == [1]  # none were there
    databases.dispose()
