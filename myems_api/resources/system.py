"""Health check (each store's status, for load balancers and operators) and the version; no credentials needed."""

from __future__ import annotations

import falcon

from myems_api import __version__
from myems_api.db.engines import Databases
from myems_api.engine.family import PUBLIC
from myems_api.http import Endpoint


class Health:
    def __init__(self, databases: Databases) -> None:
        self.databases = databases

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/health").add("GET", PUBLIC, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        stores = self.databases.health()
        healthy = all(s["status"] == "ok" for s in stores.values())
        resp.status = falcon.HTTP_200 if healthy else falcon.HTTP_503
        resp.media = {"status": "ok" if healthy else "degraded", "version": __version__, "databases": stores}


API_VERSION = "MyEMS v6.7.0"  # the wire contract this API serves


class Version:
    """``GET /version``: MyEMS's keys (``version`` names the MyEMS contract its clients check), and ours."""

    def endpoints(self) -> list[Endpoint]:
        return [Endpoint("/version").add("GET", PUBLIC, self.on_get)]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"version": API_VERSION, "release-date": "2026-07-26", "licensed-to": "COMMUNITY",
                      "website": "https://myems.io", "server": f"myems-ng {__version__}"}
