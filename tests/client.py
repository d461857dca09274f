"""A thin test client: ``{"data": ...}`` bodies, credentials carried along, results with ``.json``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from falcon import testing


class Api:
    def __init__(self, app: Any, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.client = testing.TestClient(app)
        self.headers = dict(headers or {})

    def with_headers(self, headers: dict[str, str]) -> Api:
        return Api(self.app, headers)

    def login(self, name: str, password: str) -> Api:
        result = self.put("/users/login", {"name": name, "password": password})
        assert result.status_code == 200, result.json
        session = Api(self.app, {"User-UUID": result.json["uuid"], "Token": result.json["token"]})
        session.user = result.json
        return session

    def request(self, method: str, path: str, data: Any = None, *, body: Any = None,
                headers: dict[str, str] | None = None, **kwargs: Any) -> testing.Result:
        if data is not None:
            kwargs["json"] = {"data": data}
        elif body is not None:
            kwargs["body"] = body
        return self.client.simulate_request(method, path, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> testing.Result:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> testing.Result:
        return self.request("POST", path, data, **kwargs)

    def put(self, path: str, data: Any = None, **kwargs: Any) -> testing.Result:
        return self.request("PUT", path, data, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> testing.Result:
        return self.request("DELETE", path, **kwargs)

    def create(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST and insist on 201; answers the created object."""
        result = self.post(path, data)
        assert result.status_code == 201, (path, result.status_code, result.json)
        return dict(result.json)


def count(app: Any, table: sa.Table, **where: Any) -> int:
    """Rows of ``table`` (matching ``where``), read straight from the app's system store."""
    stmt = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    with app.databases.system.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def refused(result: Any, status: int, code: str) -> None:
    """The answer is the one error shape with this status and ``API.`` code."""
    assert (result.status_code, result.json and result.json.get("description")) == (status, code), result.json
    assert result.json["title"].startswith("API."), result.json
