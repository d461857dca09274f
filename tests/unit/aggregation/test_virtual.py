"""Virtual meter kernels: expressions over hourly arrays, unknown hours, dependency order."""

from __future__ import annotations

import numpy as np
import pytest

from aggregation.virtual import dependency_order, evaluate_hourly
from myems_api.expressions import parse

NAN = np.nan


def test_an_expression_is_evaluated_hour_by_hour():
    got = evaluate_hourly(parse("x1 - 0.5 * x2"), {"x1": np.array([10.0, 20.0]), "x2": np.array([2.0, 4.0])})
    assert got.tolist() == [9.0, 18.0]


def test_an_hour_is_unknown_where_any_input_is_unknown_or_the_result_is_not_finite():
    got = evaluate_hourly(parse("x1 / x2"), {"x1": np.array([1.0, NAN, 1.0]), "x2": np.array([2.0, 1.0, 0.0])})
    assert got[0] == 0.5 and np.isnan(got[1:]).all()


def test_min_and_max_work_element_wise():
    got = evaluate_hourly(parse("max(x1, x2, 3)"), {"x1": np.array([1.0, 5.0]), "x2": np.array([4.0, 2.0])})
    assert got.tolist() == [4.0, 5.0]


def test_virtual_meters_come_after_the_virtual_meters_they_read():
    order = dependency_order({1: {3}, 2: set(), 3: {2}})
    assert order.index(2) < order.index(3) < order.index(1)


def test_a_cycle_is_refused():
    with pytest.raises(ValueError):
        dependency_order({1: {2}, 2: {1}})
