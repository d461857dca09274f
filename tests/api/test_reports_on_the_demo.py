"""Every MyEMS v6.7.0 report route answers 200 on the demo site with the parameters its handler reads
(tests/data/myems-v6.7-report-params.txt), as myems-web's pages send them with their default selection: the
root space, the first object of each kind bound to it, the last three days daily against the three before.

Not here: advanced reports (a list of rendered files, not a report) and the POST routes (tested with their own
data). The production reports name the demo's first product, as myems-web names product 1. Plan, saving and
prediction reports answer here too (with a week of history a model warns that it has too little data)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregation.runner import Aggregation
from myems_api.app import default_families
from myems_api.auth import Passwords
from myems_api.config import Config
from myems_api.db.setup import init_database
from myems_api.demo_history import seed_history
from myems_api.demo_site import seed_demo_site
from myems_api.engine.family import Registry
from myems_api.engine.fields import Context
from tests.client import Api
from tests.conftest import FAST_SCRYPT_N, make_app

PARAMS = Path(__file__).resolve().parents[1] / "data" / "myems-v6.7-report-params.txt"
LEFT_OUT = re.compile(r"advancedreports")
LISTS = {"meter": "/meters", "virtualmeter": "/virtualmeters", "offlinemeter": "/offlinemeters",
         "equipment": "/equipments", "combinedequipment": "/combinedequipments", "tenant": "/tenants",
         "store": "/stores", "shopfloor": "/shopfloors", "sensor": "/sensors", "distributionsystem":
         "/distributionsystems", "energyflowdiagram": "/energyflowdiagrams"}
ASSETS = {"energystoragepowerstation": "/energystoragepowerstations", "microgrid": "/microgrids",
          "photovoltaicpowerstation": "/photovoltaicpowerstations"}


def routes() -> list[tuple[str, list[str]]]:
    found = []
    for line in PARAMS.read_text().splitlines():
        verb, path, *names = line.split()
        if verb == "GET" and not LEFT_OUT.search(path.split("/")[2]):
            found.append((path, names))
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo site with three days of history, rolled up: built once for the module (a read-only test)."""
    folder = tmp_path_factory.mktemp("demo")
    config = Config(db_url=f"sqlite:///{folder}/demo.sqlite", admin_password="Demo-admin-1", scrypt_n=FAST_SCRYPT_N,
                    upload_folder=str(folder / "upload"))
    app = make_app(config)
    init_database(app.databases, Passwords(n=FAST_SCRYPT_N), "Demo-admin-1")
    seed_demo_site(app.databases, Registry(default_families()), Context(tz=config.tz))
    seed_history(app.databases, days=7)
    Aggregation(app.databases).run_once()
    yield app
    app.databases.dispose()


def values(admin: Api, path: str) -> dict[str, str]:
    now = datetime.now().replace(minute=0, second=0, microsecond=0)
    day = now.replace(hour=0)
    given = {"periodtype": "daily", "language": "en", "quickmode": "true", "useruuid": admin.user["uuid"],
             "reportingperiodstartdatetime": (day - timedelta(days=3)).isoformat(),
             "reportingperiodenddatetime": now.isoformat(),
             "baseperiodstartdatetime": (day - timedelta(days=6)).isoformat(),
             "baseperiodenddatetime": (day - timedelta(days=3)).isoformat(),
             "energyCategory": "all", "timerange": "24h"}
    root = next(s for s in admin.get("/spaces").json if s["parent_space_id"] is None)
    given |= {"spaceid": str(root["id"]), "spaceid1": str(root["id"]), "spaceid2": str(root["id"])}
    given["energycategoryid"] = str(next(c["id"] for c in admin.get("/energycategories").json
                                         if c["name"] == "Electricity"))
    for kind, listing in LISTS.items():
        rows = admin.get(listing).json
        if rows:
            given |= {f"{kind}id": str(rows[0]["id"]), f"{kind}id1": str(rows[0]["id"]),
                      f"{kind}id2": str(rows[-1]["id"])}
    asset = next((k for k in ASSETS if path.startswith(f"/reports/{k}")), None)
    if asset:
        given["id"] = str(admin.get(ASSETS[asset]).json[0]["id"])
    given["productid"] = str(admin.get("/products").json[0]["id"])
    given["data_source_ids"] = str(admin.get("/datasources").json[0]["id"])
    given["pointids"] = ",".join(str(p["id"]) for p in admin.get("/points").json[:3])
    return given


@pytest.mark.parametrize("path,names", routes(), ids=[p for p, _ in routes()])
def test_every_v670_report_answers_the_demo_with_its_parameters(demo: Any, path: str, names: list[str]) -> None:
    admin = Api(demo).login("administrator", "Demo-admin-1")
    given = values(admin, path)
    query = {n: given[n] for n in names if n in given and not n.endswith("uuid") and n != "uuid"}
    if "/{id}/" in path:
        path = path.replace("{id}", given["id"])
    answer = admin.get(path, query_string="&".join(f"{k}={v}" for k, v in query.items()))
    assert answer.status_code == 200, (path, query, answer.json)


def test_the_demo_space_produced_something_each_day_and_used_energy_per_unit(demo: Any) -> None:
    admin = Api(demo).login("administrator", "Demo-admin-1")
    given = values(admin, "/reports/spaceproduction")
    answer = admin.get("/reports/spaceproduction", query_string="&".join(f"{k}={given[k]}" for k in (
        "spaceid", "productid", "periodtype", "reportingperiodstartdatetime", "reportingperiodenddatetime",
        "baseperiodstartdatetime", "baseperiodenddatetime", "quickmode")))
    assert answer.status_code == 200, answer.json
    assert all(v and v > 0 for v in answer.json["reporting_production"]["values"])
    assert answer.json["reporting_period"]["total_in_kgce_per_prodution"] > 0
