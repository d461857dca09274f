"""What a report route is: a path and the function that answers its query (shared by every report module)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from myems_api.auth import Principal
from reports.query import Engines, ReportQuery, parse_query


class Builder(Protocol):
    def build(self, engines: Engines, query: ReportQuery) -> dict[str, Any]: ...


Answer = Callable[[Engines, Mapping[str, Any], Principal | None], Any]  # a JSON object, or a list as MyEMS answers some


@dataclass(frozen=True)
class Route:
    """A report path; a POST route (values entered through the UI) finds the JSON body as ``params["body"]``."""

    path: str
    answer: Answer
    method: str = "GET"


def standard(kind: str, builder: Builder) -> Answer:
    def answer(engines: Engines, params: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
        return builder.build(engines, parse_query(engines, kind, params, principal))
    return answer
