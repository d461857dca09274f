"""``GET /reports/...``: every report path of :mod:`reports.catalog`, for sessions and API keys.

Thin: the query string goes to the report's answer, which checks it whole and reads the stores.
"""

from __future__ import annotations

from collections.abc import Callable

import falcon

from myems_api.engine.family import READ
from myems_api.http import Endpoint, read_json
from reports.catalog import routes
from reports.catalog_types import Route
from reports.query import Engines

MAX_ENTRY_BYTES = 1 << 20  # a year of daily values is 30 kB


class Reports:
    def __init__(self, engines: Engines, catalog: tuple[Route, ...] | None = None) -> None:
        self.engines = engines
        self.catalog = routes() if catalog is None else catalog

    def endpoints(self) -> list[Endpoint]:
        found: dict[str, Endpoint] = {}
        for route in self.catalog:
            found.setdefault(route.path, Endpoint(route.path)).add(route.method, READ, self._responder(route))
        return list(found.values())

    def _responder(self, route: Route) -> Callable[..., None]:
        def respond(req: falcon.Request, resp: falcon.Response, **path: str) -> None:
            params = {k: (v[-1] if isinstance(v, list) else v) for k, v in req.params.items()} | path
            if route.method == "POST":
                params["body"] = read_json(req, MAX_ENTRY_BYTES)
            answer = route.answer(self.engines, params, req.context.principal)
            if route.method == "DELETE":
                resp.status = falcon.HTTP_204
            else:
                resp.media = answer
        return respond
