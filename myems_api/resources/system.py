"""Health check: each store's status, for load balancers and operators; no credentials needed."""

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
