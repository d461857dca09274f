"""Virtual meters: an expression over other meters' hourly series, evaluated as arrays.

An hour is known where all of the expression's inputs are known (NaN propagates through the arithmetic);
a division by zero is unknown, not infinite. Virtual meters that read other virtual meters are computed
in dependency order, so each sees its inputs' final values.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from aggregation.series import Values
from myems_api.expressions import Expression, evaluate


def evaluate_hourly(expression: Expression, inputs: Mapping[str, Values]) -> Values:
    """The expression over equally long hourly series (one per variable); NaN where it is unknown."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.asarray(evaluate(expression, inputs), dtype=np.float64)
    if result.ndim == 0:  # an expression without variables: a constant hour after hour
        length = len(next(iter(inputs.values()))) if inputs else 0
        result = np.full(length, float(result))
    result = result.copy()
    result[~np.isfinite(result)] = np.nan
    return result


def dependency_order(reads: Mapping[int, set[int]]) -> list[int]:
    """Virtual meter ids so that each comes after the virtual meters it reads; ``ValueError`` on a cycle
    (the API refuses cycles when a virtual meter is saved, so this only guards old data)."""
    order: list[int] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done

    def visit(node: int, path: tuple[int, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise ValueError(f"virtual meters depend on each other in a cycle: {path + (node,)}")
        state[node] = 1
        for dependency in sorted(reads.get(node, ())):
            if dependency in reads:
                visit(dependency, path + (node,))
        state[node] = 2
        order.append(node)

    for node in sorted(reads):
        visit(node, ())
    return order
