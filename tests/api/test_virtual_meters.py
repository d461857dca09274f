"""Virtual meters, answered as the seed's "Virtual Meter" section documents.

The seed's VM10 sums three meters: ``{"expression": {"equation": "x1+x2-x3", "variables": [...]}}`` comes
in nested and goes out nested. Equations are parsed safely, use only declared variables, each naming an
existing meter, offline meter or virtual meter, and virtual meters never depend on themselves.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from myems_api.db import schema
from tests.api import test_engine_portability as portability
from tests.api.test_master_data import AIR_CONDITIONING, PETROL, SUMMARY, assert_error, is_uuid
from tests.api.test_meters import (
    VM10,
    Refs,
    assert_refused,
    new_meter,
    new_offline_meter,
    new_refs,
    new_virtual_meter,
    summary,
    variable,
    virtual_payload,
)
from tests.api.test_points import assert_shape
from tests.client import Api

RESULT = {"id": int, "name": str, "uuid": str, "energy_category": SUMMARY, "is_counted": bool,
          "cost_center": SUMMARY, "energy_item": SUMMARY, "description": str, "expression": dict}
MISSING = 987654
WATCHED = ("/virtualmeters",)


# ---------------------------------------------------------------------------- helpers
@pytest.fixture
def refs(admin: Api) -> Refs:
    return new_refs(admin)


@pytest.fixture
def meters(admin: Api, refs: Refs) -> list[dict[str, Any]]:
    """The three meters VM10 adds up."""
    return [new_meter(admin, refs, name=f"PM{n}") for n in (1, 2, 3)]


def seed_variables(meters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [variable(f"x{n}", "meter", m["id"]) for n, m in enumerate(meters, start=1)]


def vm10(admin: Api, refs: Refs, meters: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    return new_virtual_meter(admin, refs, "x1+x2-x3", seed_variables(meters), **changes)


def as_sent(vm: dict[str, Any]) -> list[dict[str, Any]]:
    """The variables of an answer, reduced to what a client sends."""
    return [{k: v[k] for k in ("name", "meter_type", "meter_id")} for v in vm["expression"]["variables"]]


def variable_rows(app: Any, vm_id: int) -> int:
    table = schema.virtual_meter_variables
    with app.databases.system.connect() as conn:
        return len(conn.execute(sa.select(table.c.id).where(table.c.virtual_meter_id == vm_id)).all())


def refuse_create(admin: Api, refs: Refs, equation: str, variables: list[dict[str, Any]], status: int,
                  code: str) -> None:
    assert_refused(admin, "POST", "/virtualmeters", virtual_payload(refs, equation, variables), status, code,
                   watched=WATCHED)


def refuse_update(admin: Api, vm: dict[str, Any], equation: str, variables: list[dict[str, Any]], code: str) -> None:
    body = {"expression": {"equation": equation, "variables": variables}}
    assert_refused(admin, "PUT", f"/virtualmeters/{vm['id']}", body, 400, code, watched=WATCHED)


# ---------------------------------------------------------------------------- CRUD
def test_creating_the_seed_vm10_answers_201_with_its_nested_expression(admin, refs, meters):
    result = admin.post("/virtualmeters", virtual_payload(refs, "x1+x2-x3", seed_variables(meters)))
    assert result.status_code == 201, result.json
    assert result.headers["location"] == f"/virtualmeters/{result.json['id']}"
    vm = result.json
    assert_shape(vm, RESULT)
    assert (vm["name"], vm["is_counted"], vm["description"]) == ("VM10", True, "virtual description")
    assert vm["energy_category"] == summary(refs.category) and vm["energy_item"] == summary(refs.item)
    assert vm["cost_center"] == summary(refs.center)
    assert vm["expression"]["equation"] == "x1+x2-x3"
    assert as_sent(vm) == seed_variables(meters)
    assert vm["equation"] == "x1+x2-x3" and "variables" not in vm  # v6.7.0 answers the equation at the top too


def test_each_variable_names_its_meter(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    assert [v["meter_name"] for v in vm["expression"]["variables"]] == ["PM1", "PM2", "PM3"]


def test_getting_and_listing_virtual_meters_answer_what_was_created(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    assert admin.get(f"/virtualmeters/{vm['id']}").json == vm
    assert admin.get("/virtualmeters").json == [vm]


def test_a_virtual_meter_mixes_meters_offline_meters_and_other_virtual_meters(admin, refs, meters):
    offline = new_offline_meter(admin, refs)
    inner = new_virtual_meter(admin, refs, "x1", [variable("x1", "meter", meters[0]["id"])], name="inner")
    variables = [variable("a", "meter", meters[1]["id"]), variable("b", "offline_meter", offline["id"]),
                 variable("c", "virtual_meter", inner["id"])]
    vm = new_virtual_meter(admin, refs, "a+b+c", variables)
    assert as_sent(vm) == variables
    assert [v["meter_name"] for v in vm["expression"]["variables"]] == ["PM2", "OfflinePM21", "inner"]


@pytest.mark.parametrize("equation", ["x1*0.5+10", "-x1", "(x1+x2)/2", "abs(x1-x2)", "max(x1, x2, 0)", "42"])
def test_constants_signs_division_and_abs_min_max_are_allowed(admin, refs, meters, equation):
    vm = new_virtual_meter(admin, refs, equation, seed_variables(meters[:2]))
    assert vm["expression"]["equation"] == equation


def test_updating_with_the_seed_vm11_payload_replaces_the_variables(admin, app, refs, meters):
    vm = new_virtual_meter(admin, refs, "x1+x2", seed_variables(meters[:2]))
    variables = [variable("y", "meter", meters[2]["id"])]
    result = admin.put(f"/virtualmeters/{vm['id']}", virtual_payload(refs, "y*2", variables, name="VM11"))
    assert result.status_code == 200, result.json
    assert result.json["name"] == "VM11" and result.json["uuid"] == vm["uuid"]
    assert result.json["expression"]["equation"] == "y*2" and as_sent(result.json) == variables
    assert admin.get(f"/virtualmeters/{vm['id']}").json == result.json
    assert variable_rows(app, vm["id"]) == 1


def test_updating_without_an_expression_keeps_equation_and_variables(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    result = admin.put(f"/virtualmeters/{vm['id']}", {"name": "VM11"})
    assert result.status_code == 200, result.json
    assert result.json == {**vm, "name": "VM11"}


def test_deleting_a_virtual_meter_removes_it_and_its_variables(admin, app, refs, meters):
    vm = vm10(admin, refs, meters)
    assert variable_rows(app, vm["id"]) == 3
    assert admin.delete(f"/virtualmeters/{vm['id']}").status_code == 204
    assert_error(admin.get(f"/virtualmeters/{vm['id']}"), 404, "API.VIRTUAL_METER_NOT_FOUND")
    assert variable_rows(app, vm["id"]) == 0
    assert admin.delete(f"/meters/{meters[0]['id']}").status_code == 204  # no longer used


def test_an_unknown_virtual_meter_is_not_found(admin, refs, meters):
    missing = f"/virtualmeters/{MISSING}"
    assert_error(admin.get(missing), 404, "API.VIRTUAL_METER_NOT_FOUND")
    assert_refused(admin, "PUT", missing, virtual_payload(refs, "x1", seed_variables(meters[:1])), 404,
                   "API.VIRTUAL_METER_NOT_FOUND", watched=WATCHED)
    assert_error(admin.delete(missing), 404, "API.VIRTUAL_METER_NOT_FOUND")


def test_a_virtual_meter_without_an_expression_is_refused(admin, refs):
    payload = {**VM10, **refs.ids()}
    assert_refused(admin, "POST", "/virtualmeters", payload, 400, "API.INVALID_EQUATION", watched=WATCHED)


def test_a_virtual_meter_with_an_energy_item_of_another_category_is_refused(admin, refs, meters):
    petrol = admin.create("/energycategories", PETROL)
    foreign = admin.create("/energyitems", {**AIR_CONDITIONING, "energy_category_id": petrol["id"]})
    payload = virtual_payload(refs, "x1", seed_variables(meters[:1]), energy_item_id=foreign["id"])
    assert_refused(admin, "POST", "/virtualmeters", payload, 400,
                   "API.ENERGY_ITEM_DOES_NOT_BELONG_TO_ENERGY_CATEGORY", watched=WATCHED)


# ---------------------------------------------------------------------------- equations and variables
@pytest.mark.parametrize("equation", [
    "__import__('os')", "x1.__class__", "open(x1)", "eval('x1')", "x1 ** x2", "x1 > x2", "x1 == x2",
    "'x1'", "lambda: x1", "[x1, x2]", "x1 if x2 else x3", "x1 +", "x1 // x2", "x1 % x2",
    "-" * 1000 + "x1", "(" * 300 + "x1" + ")" * 300,
], ids=lambda e: e[:24])
def test_an_unsafe_or_invalid_equation_is_refused_and_creates_nothing(admin, refs, meters, equation):
    refuse_create(admin, refs, equation, seed_variables(meters), 400, "API.INVALID_EXPRESSION")


def test_a_sum_of_sixty_meters_is_accepted(admin, refs, meters):
    variables = [variable(f"m{n}", "meter", meters[n % 3]["id"]) for n in range(60)]
    equation = "+".join(v["name"] for v in variables)
    vm = new_virtual_meter(admin, refs, equation, variables)
    assert vm["expression"]["equation"] == equation and len(vm["expression"]["variables"]) == 60


@pytest.mark.parametrize("equation", ["", "   ", "+".join(["x1"] * 400), 42, None], ids=repr)
def test_an_equation_that_is_empty_over_1024_characters_or_not_text_is_refused(admin, refs, meters, equation):
    refuse_create(admin, refs, equation, seed_variables(meters[:1]), 400, "API.INVALID_EQUATION")


def test_a_variable_used_but_not_declared_is_refused(admin, refs, meters):
    refuse_create(admin, refs, "x1+x2-x4", seed_variables(meters), 400, "API.UNKNOWN_VARIABLE_IN_EXPRESSION")


def test_two_variables_with_the_same_name_are_refused(admin, refs, meters):
    variables = [variable("x1", "meter", meters[0]["id"]), variable("x1", "meter", meters[1]["id"])]
    refuse_create(admin, refs, "x1", variables, 400, "API.DUPLICATE_VARIABLE_NAME")


@pytest.mark.parametrize(("meter_type", "code"), [
    ("meter", "API.METER_NOT_FOUND"), ("offline_meter", "API.OFFLINE_METER_NOT_FOUND"),
    ("virtual_meter", "API.VIRTUAL_METER_NOT_FOUND"),
])
def test_a_variable_naming_an_unknown_meter_of_its_type_is_not_found(admin, refs, meters, meter_type, code):
    variables = [variable("x1", "meter", meters[0]["id"]), variable("x2", meter_type, MISSING)]
    refuse_create(admin, refs, "x1+x2", variables, 404, code)


def test_a_meter_id_is_looked_up_among_meters_of_the_variables_type_only(admin, refs, meters):
    variables = [variable("x1", "offline_meter", meters[0]["id"])]  # a meter's id, but no such offline meter
    refuse_create(admin, refs, "x1", variables, 404, "API.OFFLINE_METER_NOT_FOUND")


@pytest.mark.parametrize("meter_type", ["space", "METER", "", None])
def test_an_unknown_meter_type_is_refused(admin, refs, meters, meter_type):
    variables = [{"name": "x1", "meter_type": meter_type, "meter_id": meters[0]["id"]}]
    refuse_create(admin, refs, "x1", variables, 400, "API.INVALID_METER_TYPE")


@pytest.mark.parametrize("name", ["1x", "x-1", "", "x" * 33, None])
def test_a_malformed_variable_name_is_refused(admin, refs, meters, name):
    variables = [{"name": name, "meter_type": "meter", "meter_id": meters[0]["id"]}]
    refuse_create(admin, refs, "x1", variables, 400, "API.INVALID_VARIABLE_NAME")


@pytest.mark.parametrize("meter_id", [0, -1, "abc", None])
def test_a_malformed_meter_id_is_refused(admin, refs, meter_id):
    refuse_create(admin, refs, "x1", [variable("x1", "meter", meter_id)], 400, "API.INVALID_METER_ID")


def test_replacing_the_variables_without_one_the_stored_equation_uses_is_refused(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    body = {"expression": {"variables": seed_variables(meters[:2])}}
    assert_refused(admin, "PUT", f"/virtualmeters/{vm['id']}", body, 400, "API.UNKNOWN_VARIABLE_IN_EXPRESSION",
                   watched=WATCHED)


def test_an_update_with_an_unsafe_equation_is_refused_and_changes_nothing(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    refuse_update(admin, vm, "__import__('os').system('x1')", seed_variables(meters), "API.INVALID_EXPRESSION")


# ---------------------------------------------------------------------------- cycles
def virtual_variable(name: str, vm: dict[str, Any]) -> dict[str, Any]:
    return variable(name, "virtual_meter", vm["id"])


def test_a_virtual_meter_cannot_use_itself(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    refuse_update(admin, vm, "x1+v", [*seed_variables(meters), virtual_variable("v", vm)],
                  "API.VIRTUAL_METER_EXPRESSION_HAS_A_CYCLE")


def test_two_virtual_meters_cannot_use_each_other(admin, refs, meters):
    a = vm10(admin, refs, meters, name="A")
    b = new_virtual_meter(admin, refs, "a*2", [virtual_variable("a", a)], name="B")
    refuse_update(admin, a, "b", [virtual_variable("b", b)], "API.VIRTUAL_METER_EXPRESSION_HAS_A_CYCLE")


def test_a_longer_chain_of_virtual_meters_cannot_be_closed_into_a_loop(admin, refs, meters):
    a = vm10(admin, refs, meters, name="A")
    b = new_virtual_meter(admin, refs, "a", [virtual_variable("a", a)], name="B")
    c = new_virtual_meter(admin, refs, "b", [virtual_variable("b", b)], name="C")
    refuse_update(admin, a, "x1+c", [*seed_variables(meters[:1]), virtual_variable("c", c)],
                  "API.VIRTUAL_METER_EXPRESSION_HAS_A_CYCLE")


def test_two_virtual_meters_sharing_a_third_is_not_a_cycle(admin, refs, meters):
    base = vm10(admin, refs, meters, name="base")
    left = new_virtual_meter(admin, refs, "b", [virtual_variable("b", base)], name="left")
    top = new_virtual_meter(admin, refs, "l+b", [virtual_variable("l", left), virtual_variable("b", base)],
                            name="top")
    assert [v["meter_name"] for v in top["expression"]["variables"]] == ["left", "base"]


def test_deleting_a_virtual_meter_used_by_another_is_refused(admin, refs, meters):
    inner = vm10(admin, refs, meters, name="inner")
    new_virtual_meter(admin, refs, "v", [virtual_variable("v", inner)], name="outer")
    assert_refused(admin, "DELETE", f"/virtualmeters/{inner['id']}", None, 409,
                   "API.THERE_IS_RELATION_WITH_VIRTUAL_METERS", watched=WATCHED)


# ---------------------------------------------------------------------------- export, import, clone
def test_exporting_a_virtual_meter_carries_its_expression(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    exported = portability.export(admin, "/virtualmeters", vm["id"])
    assert exported == vm
    assert exported["expression"]["equation"] == "x1+x2-x3" and as_sent(exported) == seed_variables(meters)


def test_an_exported_virtual_meter_imports_on_the_same_instance_under_another_name(admin, refs, meters):
    vm = vm10(admin, refs, meters)
    doc = {**portability.export(admin, "/virtualmeters", vm["id"]), "name": "VM12"}
    new = portability.imported(admin, "/virtualmeters", doc)
    assert new["expression"] == vm["expression"] and new["uuid"] != vm["uuid"]


def test_the_seeds_import_body_with_plain_ids_is_accepted(admin, refs, meters):
    new = portability.imported(admin, "/virtualmeters", virtual_payload(refs, "x1+x2-x3", seed_variables(meters)))
    assert new["name"] == "VM10" and as_sent(new) == seed_variables(meters)


def test_importing_into_another_instance_resolves_the_variables_meters_by_uuid(admin, other, refs, meters):
    vm = vm10(admin, refs, meters)
    for path, obj in [("/energycategories", refs.category), ("/costcenters", refs.center),
                      ("/energyitems", refs.item)]:
        portability.imported(other, path, portability.export(admin, path, obj["id"]))
    there = [portability.imported(other, "/meters", portability.export(admin, "/meters", m["id"]))
             for m in reversed(meters)]  # other ids over there
    new = portability.imported(other, "/virtualmeters", portability.export(admin, "/virtualmeters", vm["id"]))
    by_name = {m["name"]: m["id"] for m in there}
    assert as_sent(new) == [variable(f"x{n}", "meter", by_name[f"PM{n}"]) for n in (1, 2, 3)]
    assert new["uuid"] == vm["uuid"]


def test_importing_a_virtual_meter_whose_meters_are_unknown_there_is_not_found(admin, other, refs, meters):
    vm = vm10(admin, refs, meters)
    for path, obj in [("/energycategories", refs.category), ("/costcenters", refs.center),
                      ("/energyitems", refs.item)]:
        portability.imported(other, path, portability.export(admin, path, obj["id"]))
    result = portability.import_(other, "/virtualmeters", portability.export(admin, "/virtualmeters", vm["id"]))
    assert_error(result, 404, "API.METER_NOT_FOUND")
    assert other.get("/virtualmeters").json == []


def test_cloning_a_virtual_meter_copies_its_expression(admin, app, refs, meters):
    vm = vm10(admin, refs, meters)
    copy = portability.clone(admin, "/virtualmeters", vm["id"])
    assert copy["name"] == "VM10 (1)" and copy["uuid"] != vm["uuid"] and is_uuid(copy["uuid"])
    assert copy["expression"] == vm["expression"]
    assert variable_rows(app, copy["id"]) == 3 and variable_rows(app, vm["id"]) == 3
