"""Arithmetic expressions over named variables (virtual meters, virtual points), parsed safely.

Only numbers, variable names, ``+ - * /``, unary ``+ -``, parentheses and the functions ``abs``, ``min``
and ``max`` are accepted; anything else (attribute access, calls to other names, comparisons, strings)
is refused when the expression is saved. Nothing is ever passed to ``eval``. :func:`evaluate` walks the
same tree; its operators, ``min`` and ``max`` work on floats and on numpy arrays alike.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_LENGTH = 1024
MAX_DEPTH = 400  # a sum of hundreds of meters is fine; 1,000 nested unary minus signs are refused
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS = {"abs", "min", "max"}


class ExpressionError(ValueError):
    """The text is not an expression this module accepts."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    variables: frozenset[str]


def parse(text: str) -> Expression:
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH:
        raise ExpressionError("empty or too long")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError("not an expression") from exc
    names: set[str] = set()
    _check(tree, names)
    return Expression(text.strip(), tree, frozenset(names))


def _check(node: ast.AST, names: set[str], depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError("nested too deeply")
    depth += 1
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return
    if isinstance(node, ast.Name):
        names.add(node.id)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, names, depth)
        _check(node.right, names, depth)
        return
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, names, depth)
        return
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
            and node.args and not node.keywords and (node.func.id != "abs" or len(node.args) == 1)):
        for arg in node.args:
            _check(arg, names, depth)
        return
    raise ExpressionError(f"not allowed: {ast.dump(node)[:60]}")


def evaluate(expression: Expression, values: Mapping[str, Any]) -> Any:
    """The expression's value with ``values`` for its variables (floats or numpy arrays)."""
    return _eval(expression.tree, values)


def _eval(node: ast.expr, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(arg, values) for arg in node.args]
        return _apply(node.func.id, args)
    raise ExpressionError("unexpected node")


def _apply(name: str, args: list[Any]) -> Any:
    if name == "abs":
        if len(args) != 1:
            raise ExpressionError("abs takes one argument")
        return abs(args[0])
    if any(isinstance(a, np.ndarray) for a in args):  # element-wise over hourly series; NaN stays unknown
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
        return (np.minimum if name == "min" else np.maximum).reduce(arrays)
    return min(args) if name == "min" else max(args)
