"""The one error shape: ``{"title": "API.…", "description": "API.…"}``, for every error the API gives.

MyEMS clients translate ``description`` codes into messages, so codes follow MyEMS's spelling
(``API.INVALID_ENERGY_CATEGORY_NAME``, ``API.ENERGY_CATEGORY_NOT_FOUND``, ...).
"""

from __future__ import annotations

import logging
from typing import Any

import falcon

log = logging.getLogger("myems.api")

TITLES = {
    400: "API.BAD_REQUEST",
    401: "API.UNAUTHORIZED",
    403: "API.FORBIDDEN",
    404: "API.NOT_FOUND",
    405: "API.METHOD_NOT_ALLOWED",
    409: "API.CONFLICT",
    411: "API.LENGTH_REQUIRED",
    413: "API.REQUEST_ENTITY_TOO_LARGE",
    415: "API.UNSUPPORTED_MEDIA_TYPE",
    422: "API.UNPROCESSABLE_ENTITY",
    429: "API.TOO_MANY_REQUESTS",
    500: "API.INTERNAL_SERVER_ERROR",
    501: "API.NOT_IMPLEMENTED",
    503: "API.SERVICE_UNAVAILABLE",
}


class ApiError(falcon.HTTPError):
    """An error with a MyEMS code; raised by stores and resources alike."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None,
                 detail: dict[str, Any] | None = None) -> None:
        code = code if code.startswith("API.") else f"API.{code}"
        super().__init__(status, title=TITLES.get(status, "API.ERROR"), description=code, headers=headers)
        self.detail = detail or {}  # added to the body beside title and description (a bad entry's index)


def bad_request(code: str) -> ApiError:
    return ApiError(400, code)


def not_found(code: str) -> ApiError:
    return ApiError(404, code)


def refused(code: str) -> ApiError:
    """A validation code as an error: ``..._NOT_FOUND`` codes are 404, ``..._IS_ALREADY_IN_USE`` 409, the rest 400."""
    if code.endswith("_NOT_FOUND"):
        return not_found(code)
    return conflict(code) if code.endswith("_IS_ALREADY_IN_USE") else bad_request(code)


def conflict(code: str) -> ApiError:
    return ApiError(409, code)


def _code_for(error: falcon.HTTPError) -> str:
    description = error.description or ""
    if description.startswith("API."):
        return description
    return TITLES.get(error.status_code, "API.ERROR")


def serialize_error(req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
    """Render any falcon error (ours, routing 404/405, media errors) in the one shape, always JSON."""
    body: dict[str, Any] = {"title": TITLES.get(error.status_code, "API.ERROR"), "description": _code_for(error)}
    if error.title and error.title.startswith("API."):
        body["title"] = error.title
    body.update(getattr(error, "detail", {}))
    resp.media = body
    resp.content_type = falcon.MEDIA_JSON


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]) -> None:
    """Log the failure with the request id; the client only learns that id, never a trace."""
    if isinstance(ex, falcon.HTTPError):
        raise ex
    request_id = req.context.get("request_id", "-")
    log.exception("unhandled error on %s %s [request %s]", req.method, req.path, request_id)
    raise ApiError(500, "API.INTERNAL_SERVER_ERROR")
