"""Arithmetic expressions of virtual meters and virtual points: what parses, what it evaluates to, what is refused."""

from __future__ import annotations

import numpy as np
import pytest

from myems_api.expressions import MAX_LENGTH, ExpressionError, evaluate, parse


def value_of(text: str, **values: float) -> float:
    return evaluate(parse(text), values)


# ---------------------------------------------------------------------------- accepted
@pytest.mark.parametrize(("text", "variables"), [
    ("x1+x2-x3", {"x1", "x2", "x3"}),
    ("x1*0.5+10", {"x1"}),
    ("42", set()),
    ("abs(a) + min(b, c) + max(b, c, 0)", {"a", "b", "c"}),
    ("(x1 + x1) / x1", {"x1"}),
    ("_private + CamelCase", {"_private", "CamelCase"}),
])
def test_parsing_finds_the_variables_the_expression_uses(text, variables):
    assert parse(text).variables == variables


def test_parsing_keeps_the_text_without_surrounding_whitespace():
    assert parse("  x1 + 2 \n").text == "x1 + 2"


def test_function_names_are_not_variables():
    assert parse("abs(x) + min(x, y) + max(x, y)").variables == {"x", "y"}


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("x1+x2-x3", {"x1": 10, "x2": 5, "x3": 3}, 12),
    ("x1*0.5+10", {"x1": 4}, 12),
    ("-x1", {"x1": 3}, -3),
    ("+x1 - -x2", {"x1": 3, "x2": 2}, 5),
    ("x1/x2", {"x1": 1, "x2": 4}, 0.25),
    ("(x1+x2)*2", {"x1": 1, "x2": 2}, 6),
    ("abs(x1)", {"x1": -7.5}, 7.5),
    ("min(x1, x2, 3)", {"x1": 5, "x2": 4}, 3),
    ("max(x1, x2)", {"x1": -5, "x2": -4}, -4),
    ("10", {}, 10),
    ("2.5e3", {}, 2500),
])
def test_evaluating_follows_ordinary_arithmetic(text, values, expected):
    assert evaluate(parse(text), values) == pytest.approx(expected)


def test_unused_values_are_ignored():
    assert value_of("x1 * 2", x1=3, x2=100) == 6


def test_a_missing_value_is_an_error_not_a_silent_zero():
    with pytest.raises(KeyError):
        value_of("x1 + x2", x1=1)


def test_evaluating_works_on_numpy_arrays_element_by_element():
    result = evaluate(parse("x1 * 2 - x2 / 4 + abs(x3)"),
                      {"x1": np.array([1.0, 2.0]), "x2": np.array([4.0, 8.0]), "x3": np.array([-1.0, 1.0])})
    assert result.tolist() == [2.0, 3.0]


def test_an_expression_of_the_maximum_length_is_accepted():
    text = "x" * MAX_LENGTH
    assert parse(text).variables == {text}


def test_a_sum_of_a_hundred_terms_is_accepted():
    text = "+".join(f"m{n}" for n in range(100))
    assert len(text) <= MAX_LENGTH
    assert value_of(text, **{f"m{n}": 1 for n in range(100)}) == 100


# ---------------------------------------------------------------------------- refused
REFUSED = {
    "attribute access": "x1.real",
    "dunder attribute": "x1.__class__.__bases__",
    "import call": "__import__('os')",
    "call of another name": "eval('1')",
    "call of a variable": "x1(2)",
    "method call": "x1.conjugate()",
    "comparison": "x1 > x2",
    "equality": "x1 == 2",
    "boolean operator": "x1 and x2",
    "not": "not x1",
    "string": "'abc'",
    "bytes": "b'abc'",
    "boolean constant": "True",
    "none": "None",
    "complex": "1j",
    "lambda": "lambda: 1",
    "power": "x1 ** 2",
    "floor division": "x1 // 2",
    "modulo": "x1 % 2",
    "bit operations": "x1 << 2",
    "bitwise not": "~x1",
    "subscript": "x1[0]",
    "list": "[x1, x2]",
    "conditional": "x1 if x2 else 3",
    "walrus": "(y := 2)",
    "starred call": "max(*x1)",
    "keyword call": "max(x1, key=x2)",
    "call without arguments": "max()",
    "syntax error": "x1 +",
    "two expressions": "x1; x2",
    "empty": "",
    "only whitespace": "  \n ",
    "too long": "x" * (MAX_LENGTH + 1),
    "deeply nested unary minus": "-" * 1000 + "x1",
    "deeply nested parentheses": "(" * 300 + "x1" + ")" * 300,
}


@pytest.mark.parametrize("text", list(REFUSED.values()), ids=list(REFUSED))
def test_anything_but_arithmetic_over_variables_is_refused(text):
    with pytest.raises(ExpressionError):
        parse(text)


@pytest.mark.parametrize("text", [None, 42, b"x1", ["x1"]])
def test_a_value_that_is_not_text_is_refused(text):
    with pytest.raises(ExpressionError):
        parse(text)


@pytest.mark.parametrize("text", ["abs(x1, x2)", "abs()"])
def test_abs_with_other_than_one_argument_is_refused_when_saved_not_when_evaluated(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_an_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)
