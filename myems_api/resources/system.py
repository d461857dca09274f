"""Health check, and clear answers for parts of the seed surface that a later issue builds."""

from __future__ import annotations

from typing import Any

import falcon

from myems_api import __version__
from myems_api.db.engines import Databases
from myems_api.engine.family import ADMIN, PUBLIC, READ
from myems_api.errors import ApiError
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


def not_yet(path: str, code: str, verbs: dict[str, str]) -> Endpoint:
    """A seed route whose family is not built yet: authenticated like its neighbours, then 501."""

    def responder(req: falcon.Request, resp: falcon.Response, **params: Any) -> None:
        raise ApiError(501, code)

    endpoint = Endpoint(path)
    for verb, policy in verbs.items():
        endpoint.add(verb, policy, responder)
    return endpoint


def pending_endpoints() -> list[Endpoint]:
    code = "API.TARIFFS_ARE_NOT_AVAILABLE_YET"
    return [
        not_yet("/costcenters/{id}/tariffs", code, {"GET": READ, "POST": ADMIN}),
        not_yet("/costcenters/{id}/tariffs/{tid}", code, {"DELETE": ADMIN}),
    ]
