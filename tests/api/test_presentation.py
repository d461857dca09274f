"""SVG diagrams and menus, answered as the seed's "SVG" and "Menu" sections document.

SVG text is drawn by the web UI as it is, so anything that could run there (scripts, event handlers,
``javascript:`` links, foreign objects, DTDs) is refused with API.INVALID_SVG. Menus are seeded by
``myems db init``; they can be hidden and shown but not created or deleted.
"""

from __future__ import annotations

from typing import Any

import pytest

from myems_api.db import reference
from tests.api import test_engine_portability as portability
from tests.api.test_auth import USER_PASSWORD, create_user
from tests.api.test_master_data import assert_error, is_uuid
from tests.client import Api

# ---------------------------------------------------------------------------- seed payloads
SEED_SVG_TEXT = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><svg width=\"5cm\" height=\"4cm\" version=\"1.1\" "
                 "xmlns=\"http://www.w3.org/2000/svg\"><desc>Four separate rectangles</desc>"
                 "<rect x=\".5cm\" y=\".5cm\" width=\"2cm\" height=\"1cm\"/></svg>")
SVG = {"name": "示例SVG图形1", "svg": SEED_SVG_TEXT, "description": "demo description"}
NS = "xmlns=\"http://www.w3.org/2000/svg\""
XLINK = "xmlns:xlink=\"http://www.w3.org/1999/xlink\""
MISSING = 987654


def svg_doc(body: str, attributes: str = "") -> str:
    return f"<svg {NS} {XLINK} {attributes}>{body}</svg>"


UNSAFE_SVGS = {
    "not xml": "<svg><rect></svg>",
    "plain text": "hello",
    "empty": "   ",
    "root not svg": f"<html {NS}><svg {NS}/></html>",
    "root is a rect": f"<rect {NS} width=\"1\"/>",
    "script": svg_doc("<script>alert(1)</script>"),
    "script in another case": svg_doc("<SCRIPT>alert(1)</SCRIPT>"),
    "namespaced script": "<s:svg xmlns:s=\"http://www.w3.org/2000/svg\"><s:script>alert(1)</s:script></s:svg>",
    "onload": svg_doc("<rect/>", "onload=\"alert(1)\""),
    "onclick on a child": svg_doc("<rect onclick=\"alert(1)\"/>"),
    "javascript href": svg_doc("<a href=\"javascript:alert(1)\"><rect/></a>"),
    "javascript xlink:href": svg_doc("<a xlink:href=\"javascript:alert(1)\"><rect/></a>"),
    "javascript split by whitespace": svg_doc("<a href=\"java\tscript:alert(1)\"><rect/></a>"),
    "javascript as character references": svg_doc("<a href=\"&#106;avascript:alert(1)\"><rect/></a>"),
    "doctype": f"<!DOCTYPE svg><svg {NS}/>",
    "entity": f"<!DOCTYPE svg [<!ENTITY x \"y\">]><svg {NS}>&x;</svg>",
    "foreignObject": svg_doc("<foreignObject><div>x</div></foreignObject>"),
    "iframe": svg_doc("<iframe src=\"https://example.com\"/>"),
    "embed": svg_doc("<embed src=\"x.swf\"/>"),
}


# ---------------------------------------------------------------------------- helpers
def new_svg(api: Api, **changes: Any) -> dict[str, Any]:
    return api.create("/svgs", {**SVG, **changes})


def assert_refused(admin: Api, method: str, path: str, data: Any, status: int, code: str,
                   watched: str = "/svgs") -> None:
    before = admin.get(watched).json
    assert_error(admin.request(method, path, data), status, code)
    assert admin.get(watched).json == before


def menu(admin: Api, route: str) -> dict[str, Any]:
    return next(m for m in admin.get("/menus").json if m["path"] == route)


def hide(admin: Api, route: str, hidden: bool = True) -> dict[str, Any]:
    result = admin.put(f"/menus/{menu(admin, route)['id']}", {"is_hidden": hidden})
    assert result.status_code == 200, result.json
    return dict(result.json)


def seeded_tree() -> dict[str, list[str]]:
    tree: dict[str, list[str]] = {route: [] for _, route, parent in reference.MENUS if parent is None}
    for _, route, parent in reference.MENUS:
        if parent is not None:
            tree[parent].append(route)
    return tree


@pytest.fixture
def user(api: Api, admin: Api) -> Api:
    """A logged-in normal (not admin) user."""
    create_user(admin, "albert")
    return api.login("albert", USER_PASSWORD)


# ---------------------------------------------------------------------------- SVG CRUD
def test_creating_the_seed_svg_answers_201_with_the_text_as_sent(admin):
    result = admin.post("/svgs", SVG)
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/svgs/{result.json['id']}"
    assert result.json == {**SVG, "source_code": SVG["svg"], "id": result.json["id"], "uuid": result.json["uuid"]}
    assert is_uuid(result.json["uuid"])


def test_getting_and_listing_svgs_answer_what_was_created(admin):
    svg = new_svg(admin)
    assert admin.get(f"/svgs/{svg['id']}").json == svg
    assert admin.get("/svgs").json == [svg]


def test_updating_an_svg_with_the_seed_payload_changes_it_and_keeps_its_uuid(admin):
    svg = new_svg(admin, name="draft", svg=f"<svg {NS}/>")
    result = admin.put(f"/svgs/{svg['id']}", SVG)
    assert result.status_code == 200, result.json
    assert result.json == {**SVG, "source_code": SVG["svg"], "id": svg["id"], "uuid": svg["uuid"]}


def test_deleting_an_svg_answers_204_and_it_is_gone(admin):
    svg = new_svg(admin)
    assert admin.delete(f"/svgs/{svg['id']}").status_code == 204
    assert_error(admin.get(f"/svgs/{svg['id']}"), 404, "API.SVG_NOT_FOUND")
    assert admin.get("/svgs").json == []


def test_an_unknown_svg_is_not_found(admin):
    assert_error(admin.get(f"/svgs/{MISSING}"), 404, "API.SVG_NOT_FOUND")
    assert_refused(admin, "PUT", f"/svgs/{MISSING}", SVG, 404, "API.SVG_NOT_FOUND")
    assert_error(admin.delete(f"/svgs/{MISSING}"), 404, "API.SVG_NOT_FOUND")


def test_a_duplicate_svg_name_is_a_conflict(admin):
    new_svg(admin)
    assert_refused(admin, "POST", "/svgs", SVG, 409, "API.SVG_NAME_IS_ALREADY_IN_USE")


@pytest.mark.parametrize("svg", [
    "<svg></svg>",
    svg_doc("<a xlink:href=\"#frame\"><rect/></a><style>rect { fill: red }</style>"),
    svg_doc("<text>javascript is a language</text>"),
    svg_doc("<rect data-note=\"online\"/>"),
], ids=["empty svg", "internal link and style", "javascript in text", "attribute value starting with on"])
def test_a_harmless_svg_is_accepted(admin, svg):
    assert new_svg(admin, svg=svg)["svg"] == svg


@pytest.mark.parametrize("svg", list(UNSAFE_SVGS.values()), ids=list(UNSAFE_SVGS))
def test_an_svg_that_could_run_code_or_is_not_an_svg_document_is_refused(admin, svg):
    assert_refused(admin, "POST", "/svgs", {**SVG, "svg": svg}, 400, "API.INVALID_SVG")


def test_updating_an_svg_with_a_script_is_refused_and_changes_nothing(admin):
    svg = new_svg(admin)
    assert_refused(admin, "PUT", f"/svgs/{svg['id']}", {**SVG, "svg": UNSAFE_SVGS["script"]}, 400,
                   "API.INVALID_SVG")


@pytest.mark.parametrize("svg", [None, 42, ""])
def test_an_svg_field_that_is_not_text_is_refused(admin, svg):
    assert_refused(admin, "POST", "/svgs", {**SVG, "svg": svg}, 400, "API.INVALID_SVG")


# ---------------------------------------------------------------------------- SVG export, import, clone
def test_an_svg_exports_as_read_and_imports_into_another_instance_with_its_uuid(admin, other):
    svg = new_svg(admin)
    exported = portability.export(admin, "/svgs", svg["id"])
    assert exported == svg
    new = portability.imported(other, "/svgs", exported)
    assert portability.without_id(new) == portability.without_id(svg)
    assert other.get(f"/svgs/{new['id']}").json == new


def test_the_seeds_import_body_creates_the_svg(admin):
    new = portability.imported(admin, "/svgs", SVG)
    assert new == {**SVG, "source_code": SVG["svg"], "id": new["id"], "uuid": new["uuid"]}


def test_an_import_carrying_a_script_is_refused_and_creates_nothing(admin):
    assert_refused(admin, "POST", "/svgs/import", {**SVG, "svg": UNSAFE_SVGS["onload"]}, 400, "API.INVALID_SVG")


def test_cloning_an_svg_copies_it_under_a_new_name_and_uuid(admin):
    svg = new_svg(admin)
    copy = portability.clone(admin, "/svgs", svg["id"])
    assert copy["name"] == "示例SVG图形1 (1)" and copy["uuid"] != svg["uuid"]
    assert (copy["svg"], copy["description"]) == (svg["svg"], svg["description"])


def test_a_normal_user_reads_svgs_but_cannot_write_them(admin, user):
    svg = new_svg(admin)
    assert user.get(f"/svgs/{svg['id']}").json == svg
    assert_error(user.post("/svgs", {**SVG, "name": "mine"}), 403, "API.FORBIDDEN")
    assert_error(user.delete(f"/svgs/{svg['id']}"), 403, "API.FORBIDDEN")
    assert admin.get("/svgs").json == [svg]


# ---------------------------------------------------------------------------- menus
def test_menus_are_seeded_with_the_seed_result_fields(admin):
    menus = admin.get("/menus").json
    assert [(m["name"], m["path"]) for m in menus] == [(name, route) for name, route, _ in reference.MENUS]
    for m in menus:
        assert set(m) >= {"id", "name", "path", "parent_menu_id", "is_hidden"}, m
        assert isinstance(m["id"], int) and m["is_hidden"] is False


def test_a_menus_parent_menu_id_is_the_integer_id_of_its_parent(admin):
    ids = {m["path"]: m["id"] for m in admin.get("/menus").json}
    for name, route, parent in reference.MENUS:
        assert menu(admin, route)["parent_menu_id"] == (ids[parent] if parent else None), name


def test_getting_a_menu_by_id_answers_it(admin):
    meter = menu(admin, "/meter")
    assert admin.get(f"/menus/{meter['id']}").json == meter


def test_an_unknown_menu_is_not_found(admin):
    assert_error(admin.get(f"/menus/{MISSING}"), 404, "API.MENU_NOT_FOUND")
    assert_error(admin.put(f"/menus/{MISSING}", {"is_hidden": True}), 404, "API.MENU_NOT_FOUND")
    assert_error(admin.get(f"/menus/{MISSING}/children"), 404, "API.MENU_NOT_FOUND")


def test_the_web_menus_are_every_top_level_route_with_its_child_routes(admin):
    assert admin.get("/menus/web").json == seeded_tree()


def test_hiding_a_menu_is_kept_and_the_web_menus_omit_it(admin):
    hidden = hide(admin, "/meter/metercost")
    assert hidden["is_hidden"] is True
    assert admin.get(f"/menus/{hidden['id']}").json == hidden
    web = admin.get("/menus/web").json
    assert "/meter/metercost" not in web["/meter"]
    assert web == {**seeded_tree(), "/meter": [r for r in seeded_tree()["/meter"] if r != "/meter/metercost"]}


def test_hiding_a_top_level_menu_omits_it_and_its_children_from_the_web_menus(admin):
    hide(admin, "/space")
    web = admin.get("/menus/web").json
    assert "/space" not in web
    assert all(not route.startswith("/space") for children in web.values() for route in children)


def test_showing_a_hidden_menu_again_restores_the_web_menus(admin):
    hide(admin, "/meter")
    assert hide(admin, "/meter", hidden=False)["is_hidden"] is False
    assert admin.get("/menus/web").json == seeded_tree()


def test_a_menu_update_changes_only_is_hidden(admin):
    meter = menu(admin, "/meter")
    result = admin.put(f"/menus/{meter['id']}", {"is_hidden": True, "name": "Renamed", "path": "/elsewhere",
                                                 "parent_menu_id": menu(admin, "/space")["id"]})
    assert result.status_code == 200, result.json
    assert result.json == {**meter, "is_hidden": True}


@pytest.mark.parametrize("is_hidden", ["true", 1, None])
def test_is_hidden_must_be_a_json_boolean(admin, is_hidden):
    meter = menu(admin, "/meter")
    assert_refused(admin, "PUT", f"/menus/{meter['id']}", {"is_hidden": is_hidden}, 400, "API.INVALID_IS_HIDDEN",
                   watched="/menus")


def test_the_children_of_a_menu_are_its_submenus_beside_the_menu_itself(admin):
    space = menu(admin, "/space")
    answer = admin.get(f"/menus/{space['id']}/children").json
    assert answer["current"] == space
    assert [c["path"] for c in answer["children"]] == seeded_tree()["/space"]
    assert admin.get(f"/menus/{menu(admin, '/dashboard')['id']}/children").json["children"] == []


def test_menus_cannot_be_created_or_deleted(admin):
    meter = menu(admin, "/meter")
    assert_error(admin.post("/menus", {"name": "New", "path": "/new"}), 405, "API.METHOD_NOT_ALLOWED")
    assert_error(admin.delete(f"/menus/{meter['id']}"), 405, "API.METHOD_NOT_ALLOWED")
    assert len(admin.get("/menus").json) == len(reference.MENUS)


def test_a_normal_user_reads_menus_but_cannot_hide_one(admin, user):
    meter = menu(admin, "/meter")
    assert user.get("/menus/web").json == seeded_tree()
    assert user.get(f"/menus/{meter['id']}").json == meter
    assert_error(user.put(f"/menus/{meter['id']}", {"is_hidden": True}), 403, "API.FORBIDDEN")
    assert menu(admin, "/meter")["is_hidden"] is False


def test_reading_menus_without_credentials_is_refused(api):
    assert_error(api.get("/menus"), 401, "API.NOT_AUTHENTICATED")
    assert_error(api.get("/menus/web"), 401, "API.NOT_AUTHENTICATED")
