"""What the API answers to bodies, types, sizes, paths and ids it cannot use: always the one error shape."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import falcon
import pytest
import sqlalchemy as sa

from myems_api.app import EmsApp
from myems_api.config import Config
from myems_api.engine.family import PUBLIC
from myems_api.http import Endpoint
from tests.client import Api
from tests.conftest import ADMIN_PASSWORD, make_app

CATEGORY = {"name": "Electricity", "unit_of_measure": "kWh", "kgce": 0.1229, "kgco2e": 0.8825}
INJECTION = "x'; DROP TABLE tbl_users; --"
WILDCARDS = "%_\\"
SMALL_BODY_LIMIT = 256


# ---------------------------------------------------------------------------------------------- helpers
def assert_error_shape(result: Any) -> None:
    """Exactly ``title`` and ``description``, both MyEMS codes, served as JSON."""
    assert result.headers.get("content-type", "").startswith("application/json"), result.headers
    assert isinstance(result.json, dict) and set(result.json) == {"title", "description"}, result.text
    assert result.json["title"].startswith("API.") and result.json["description"].startswith("API."), result.json


def assert_error(result: Any, status: int, code: str | None = None) -> None:
    assert result.status_code == status, (result.status_code, result.text)
    assert_error_shape(result)
    if code is not None:
        assert result.json["description"] == code, result.json


def send_raw(client: Api, method: str, path: str, body: str | bytes,
             content_type: str | None = "application/json") -> Any:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.request(method, path, body=body, headers=headers)


def category(**changes: Any) -> dict[str, Any]:
    return {**CATEGORY, **changes}


def assert_no_categories(admin: Api) -> None:
    assert admin.get("/energycategories").json == []


@pytest.fixture
def small_app(config: Config) -> Iterator[EmsApp]:
    app = make_app(dataclasses.replace(config, max_body_bytes=SMALL_BODY_LIMIT))
    yield app
    app.databases.dispose()


# ---------------------------------------------------------------------------------------------- bodies
@pytest.mark.parametrize("body", ['{"data": ', "{'data': {}}", '{"data": {"name": "x",}}', "[" * 100_000,
                                  b"\xff\xfe{}", "data=1"])
def test_malformed_json_is_refused_as_invalid_json(admin, body):
    assert_error(send_raw(admin, "POST", "/energycategories", body), 400, "API.INVALID_JSON")
    assert_no_categories(admin)


@pytest.mark.parametrize("body", ["{}", json.dumps(CATEGORY), "[]", '"data"', "null", "1",
                                  '{"data": []}', '{"data": "x"}', '{"data": null}', '{"data": 1}',
                                  '{"data": [' + json.dumps(CATEGORY) + "]}"])
def test_a_body_without_a_data_object_is_refused_as_invalid_data(admin, body):
    assert_error(send_raw(admin, "POST", "/energycategories", body), 400, "API.INVALID_DATA")
    assert_no_categories(admin)


@pytest.mark.parametrize("body", ["", "   \n"])
def test_an_empty_body_on_post_is_refused(admin, body):
    assert_error(send_raw(admin, "POST", "/energycategories", body), 400)
    assert_error(admin.post("/energycategories"), 400)
    assert_no_categories(admin)


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml", "multipart/form-data; boundary=x"])
def test_a_body_that_is_not_json_is_refused_as_unsupported_media_type(admin, content_type):
    body = json.dumps({"data": CATEGORY})
    assert_error(send_raw(admin, "POST", "/energycategories", body, content_type), 415,
                 "API.UNSUPPORTED_MEDIA_TYPE")
    assert_no_categories(admin)


def test_json_sent_by_curl_without_a_content_type_header_is_accepted(admin):
    created = send_raw(admin, "POST", "/energycategories", json.dumps({"data": CATEGORY}),
                       "application/x-www-form-urlencoded")
    assert created.status_code == 201, created.json


def test_json_sent_as_text_plain_is_accepted_as_in_the_seeds_api_key_example(admin):
    seed_body = '{\n"data": {"name": "myems", "expires_datetime_utc": "2023-06-30T12:00:00"}\n}'
    created = send_raw(admin, "PUT", "/apikeys", seed_body, "text/plain")
    assert created.status_code == 201, created.json
    assert created.json["name"] == "myems"
    category_created = send_raw(admin, "POST", "/energycategories", json.dumps({"data": CATEGORY}),
                                "text/plain; charset=utf-8")
    assert category_created.status_code == 201, category_created.json
    assert category_created.json["name"] == "Electricity"


def test_a_body_over_the_size_limit_is_refused_as_too_large(small_app):
    admin = Api(small_app).login("administrator", ADMIN_PASSWORD)
    fits = json.dumps({"data": category(name="x" * 100)})
    too_big = json.dumps({"data": category(name="x" * 200, unit_of_measure="y" * 30)})
    assert len(fits) <= SMALL_BODY_LIMIT < len(too_big)
    assert_error(send_raw(admin, "POST", "/energycategories", too_big), 413, "API.REQUEST_BODY_TOO_LARGE")
    assert_no_categories(admin)
    assert send_raw(admin, "POST", "/energycategories", fits).status_code == 201


# ---------------------------------------------------------------------------------------------- routing
@pytest.mark.parametrize("path", ["/nosuchthing", "/energycategories/1/nosuchthing", "/users/login/extra"])
def test_an_unknown_route_answers_404_in_the_error_shape(api, admin, path):
    for client in (api, admin):
        assert_error(client.get(path), 404, "API.NOT_FOUND")


def test_a_verb_the_route_does_not_serve_answers_405_in_the_error_shape(api, admin):
    for client in (api, admin):
        result = client.request("PATCH", "/energycategories", CATEGORY)
        assert_error(result, 405)
    assert_no_categories(admin)


# ---------------------------------------------------------------------------------------------- fields
@pytest.mark.parametrize(("changes", "code"), [
    ({"name": 12}, "API.INVALID_ENERGY_CATEGORY_NAME"),
    ({"name": None}, "API.INVALID_ENERGY_CATEGORY_NAME"),
    ({"name": "   "}, "API.INVALID_ENERGY_CATEGORY_NAME"),
    ({"name": ["Electricity"]}, "API.INVALID_ENERGY_CATEGORY_NAME"),
    ({"name": "x" * 10_000}, "API.INVALID_ENERGY_CATEGORY_NAME"),
    ({"unit_of_measure": {"unit": "kWh"}}, "API.INVALID_UNIT_OF_MEASURE"),
    ({"kgce": "abc"}, "API.INVALID_KGCE"),
    ({"kgce": True}, "API.INVALID_KGCE"),
    ({"kgce": None}, "API.INVALID_KGCE"),
    ({"kgce": "NaN"}, "API.INVALID_KGCE"),
    ({"kgce": "1e400"}, "API.INVALID_KGCE"),
    ({"kgce": -1}, "API.INVALID_KGCE"),
    ({"kgco2e": False}, "API.INVALID_KGCO2E"),
])
def test_a_field_of_the_wrong_type_is_refused_with_that_fields_code(admin, changes, code):
    assert_error(admin.post("/energycategories", category(**changes)), 400, code)
    assert_no_categories(admin)
    existing = admin.create("/energycategories", CATEGORY)
    assert_error(admin.put(f"/energycategories/{existing['id']}", category(**changes)), 400, code)
    assert admin.get(f"/energycategories/{existing['id']}").json == existing


USER = {"name": "demo", "display_name": "Demo", "email": "demo@myems.io", "is_admin": False,
        "password": "!MyEMS1", "account_expiration_datetime": "2100-01-01T00:00:00"}
API_KEY = {"name": "myems", "expires_datetime_utc": "2100-01-01T00:00:00"}


@pytest.mark.parametrize(("collection", "valid", "changes", "status", "code"), [
    ("/users", USER, {"is_admin": "true"}, 400, "API.INVALID_IS_ADMIN"),
    ("/users", USER, {"is_read_only": 1}, 400, "API.INVALID_IS_READ_ONLY"),
    ("/users", USER, {"email": "not-an-email"}, 400, "API.INVALID_EMAIL"),
    ("/users", USER, {"password": "abc"}, 400, "API.INVALID_PASSWORD"),
    ("/users", USER, {"password": 123456}, 400, "API.INVALID_PASSWORD"),
    ("/users", USER, {"privilege_id": "abc"}, 400, "API.INVALID_PRIVILEGE_ID"),
    ("/users", USER, {"privilege_id": 987654}, 404, "API.PRIVILEGE_NOT_FOUND"),
    ("/users", USER, {"account_expiration_datetime": "next year"}, 400, "API.INVALID_ACCOUNT_EXPIRATION_DATETIME"),
    ("/apikeys", API_KEY, {"expires_datetime_utc": "yesterday"}, 400, "API.INVALID_EXPIRES_DATETIME_UTC"),
    ("/apikeys", API_KEY, {"expires_datetime_utc": 1700000000}, 400, "API.INVALID_EXPIRES_DATETIME_UTC"),
    ("/apikeys", API_KEY, {"name": {"first": "x"}}, 400, "API.INVALID_API_KEY_NAME"),
])
def test_a_user_or_api_key_field_of_the_wrong_type_is_refused_with_that_fields_code(
        admin, collection, valid, changes, status, code):
    before = admin.get(collection).json
    assert_error(admin.post(collection, {**valid, **changes}), status, code)
    assert admin.get(collection).json == before


@pytest.mark.parametrize("field", ["name", "unit_of_measure", "kgce", "kgco2e"])
def test_a_missing_required_field_is_refused_with_that_fields_code(admin, field):
    data = {k: v for k, v in CATEGORY.items() if k != field}
    expected = "API.INVALID_ENERGY_CATEGORY_NAME" if field == "name" else f"API.INVALID_{field.upper()}"
    assert_error(admin.post("/energycategories", data), 400, expected)


# ---------------------------------------------------------------------------------------------- ids
@pytest.mark.parametrize(("collection", "code"), [
    ("/energycategories", "API.ENERGY_CATEGORY_NOT_FOUND"),
    ("/energyitems", "API.ENERGY_ITEM_NOT_FOUND"),
    ("/costcenters", "API.COST_CENTER_NOT_FOUND"),
    ("/contacts", "API.CONTACT_NOT_FOUND"),
    ("/privileges", "API.PRIVILEGE_NOT_FOUND"),
    ("/users", "API.USER_NOT_FOUND"),
    ("/apikeys", "API.API_KEY_NOT_FOUND"),
])
def test_an_unknown_id_answers_404_with_the_familys_not_found_code(admin, collection, code):
    unknown = f"{collection}/987654"
    assert_error(admin.get(unknown), 404, code)
    assert_error(admin.delete(unknown), 404, code)


def test_an_unknown_energy_category_id_answers_404_on_every_item_route(admin):
    code = "API.ENERGY_CATEGORY_NOT_FOUND"
    assert_error(admin.put("/energycategories/987654", CATEGORY), 404, code)
    assert_error(admin.get("/energycategories/987654/export"), 404, code)
    assert_error(admin.post("/energycategories/987654/clone"), 404, code)
    assert_error(admin.put("/users/unlock/987654"), 404, "API.USER_NOT_FOUND")
    assert_no_categories(admin)


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "99999999999999999999", "1e3", "%20"])
def test_an_id_that_is_not_a_positive_integer_is_refused_as_invalid(admin, bad_id):
    code = "API.INVALID_ENERGY_CATEGORY_ID"
    assert_error(admin.get(f"/energycategories/{bad_id}"), 400, code)
    assert_error(admin.put(f"/energycategories/{bad_id}", CATEGORY), 400, code)
    assert_error(admin.delete(f"/energycategories/{bad_id}"), 400, code)


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=-1", "limit=1;DROP TABLE tbl_users",
                                   "after=x", "after=-5"])
def test_a_bad_paging_parameter_is_refused(admin, query):
    result = admin.get(f"/energycategories?{query}")
    assert_error(result, 400)
    assert result.json["description"] in ("API.INVALID_LIMIT", "API.INVALID_AFTER")


# ---------------------------------------------------------------------------------------------- SQL text
@pytest.mark.parametrize("text", [INJECTION, WILDCARDS, "O'Brien \"quoted\" ; -- /* */", "名称 ✓ ∑"])
def test_sql_metacharacters_are_stored_and_answered_verbatim(admin, app, text):
    created = admin.create("/energycategories", category(name=text, unit_of_measure=text[:32]))
    assert created["name"] == text and created["unit_of_measure"] == text[:32]
    assert admin.get(f"/energycategories/{created['id']}").json == created
    assert admin.get("/energycategories").json == [created]
    contact = admin.create("/contacts", {"name": text, "email": "a@example.com", "phone": "+86 123",
                                         "description": text})
    assert admin.get(f"/contacts/{contact['id']}").json["description"] == text
    assert_tables_survive(admin, app)


def test_wildcards_in_a_name_do_not_match_other_names(admin):
    first = admin.create("/energycategories", category(name="ab\\"))
    second = admin.create("/energycategories", category(name=WILDCARDS))
    clash = admin.post("/energycategories", category(name=WILDCARDS))
    assert_error(clash, 409, "API.ENERGY_CATEGORY_NAME_IS_ALREADY_IN_USE")
    assert [c["name"] for c in admin.get("/energycategories").json] == [first["name"], second["name"]]


def test_sql_metacharacters_in_login_fields_are_only_a_failed_login(api, admin, app):
    for name in (INJECTION, "' OR '1'='1", WILDCARDS, "administrator' --"):
        result = api.put("/users/login", {"name": name, "password": "' OR '1'='1"})
        assert_error(result, 401, "API.INVALID_USERNAME_OR_PASSWORD")
    assert_tables_survive(admin, app)


def assert_tables_survive(admin: Api, app: EmsApp) -> None:
    tables = set(sa.inspect(app.databases.system).get_table_names())
    assert {"tbl_users", "tbl_energy_categories", "tbl_sessions"} <= tables
    assert "administrator" in [user["name"] for user in admin.get("/users").json]


# ---------------------------------------------------------------------------------------------- shape
def error_samples(api: Api, admin: Api) -> dict[str, Any]:
    """One request for each kind of error the API gives."""
    admin.create("/energycategories", CATEGORY)
    return {
        "400 bad field": admin.post("/energycategories", category(kgce="abc")),
        "400 bad json": send_raw(admin, "POST", "/energycategories", "{"),
        "401 anonymous": api.get("/energycategories"),
        "401 bad token": api.with_headers({"Token": "x", "User-UUID": "y"}).get("/energycategories"),
        "401 bad login": api.put("/users/login", {"name": "nobody", "password": "nothing"}),
        "403 api key write": api.with_headers({"API-Key": admin.create("/apikeys", {
            "name": "k", "expires_datetime_utc": "2100-01-01T00:00:00"})["token"]}).post("/energycategories", {}),
        "404 route": api.get("/nowhere"),
        "404 id": admin.get("/energycategories/987654"),
        "405 verb": admin.request("PATCH", "/energycategories/1"),
        "409 duplicate": admin.post("/energycategories", CATEGORY),
        "415 media": send_raw(admin, "POST", "/energycategories", "<a/>", "application/xml"),
    }


def test_every_error_body_has_exactly_a_title_and_a_description_code(api, admin):
    for label, result in error_samples(api, admin).items():
        assert str(result.status_code) == label[:3], (label, result.status_code, result.text)
        assert_error_shape(result)


class Crashing:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise RuntimeError("secret internals: /srv/myems/db.py line 42")


def test_a_responder_crash_answers_a_generic_500_with_a_request_id_and_no_trace(app, api, caplog):
    app.add_route("/test-crash", Endpoint("/test-crash").add("GET", PUBLIC, Crashing().on_get))
    result = api.get("/test-crash")
    assert_error(result, 500, "API.INTERNAL_SERVER_ERROR")
    assert result.json["title"] == "API.INTERNAL_SERVER_ERROR"
    for leak in ("Traceback", "RuntimeError", "secret internals", "db.py"):
        assert leak not in result.text
    request_id = result.headers.get("X-Request-ID")
    assert request_id
    assert any(request_id in record.getMessage() for record in caplog.records), "the crash is not logged"

    echoed = api.get("/test-crash", headers={"X-Request-ID": "trace-me-42"})
    assert_error(echoed, 500, "API.INTERNAL_SERVER_ERROR")
    assert echoed.headers.get("X-Request-ID") == "trace-me-42"
