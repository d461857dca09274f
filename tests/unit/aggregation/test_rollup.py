"""Roll-ups as incidences: a space sums its own and its descendants' meters, each once; unknown and
excluded hours add nothing, and an hour nobody measured stays unknown; compose and union keep sets."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregation import rollup
from aggregation.rollup import Incidence, by_group, compose, counted, space_closure, subtree, union, valid_hours
from aggregation.series import ESTIMATED, OUT_OF_LIMITS

NAN = np.nan

# campus(0) -> building A(1) -> floors A1(3), A2(4); campus -> building B(2) -> floor B1(5)
CAMPUS, A, B, A1, A2, B1 = range(6)
PARENT = np.array([-1, CAMPUS, CAMPUS, A, A, B])
# m0 campus main, m1 building A, m2 floor A1, m3 floor A2, m4 floor B1, m5 bound to both A and A1
OWN = Incidence.of([(CAMPUS, 0), (A, 1), (A, 5), (A1, 2), (A1, 5), (A2, 3), (B1, 4)], 6, 6)
HOURLY = np.array([
    [100.0, 100.0, 100.0],
    [10.0, 20.0, 30.0],
    [1.0, 2.0, 3.0],
    [4.0, NAN, 6.0],
    [7.0, 8.0, 9.0],
    [0.5, 0.5, 0.5],
])


@pytest.fixture(scope="module")
def campus() -> rollup.RollUp:
    return space_closure(PARENT, OWN).apply(HOURLY)


def test_a_floor_sums_its_own_meters(campus: rollup.RollUp) -> None:
    assert campus.energy[A1].tolist() == [1.5, 2.5, 3.5]
    assert campus.energy[B1].tolist() == [7.0, 8.0, 9.0]


def test_a_building_sums_its_floors_and_its_own_meters(campus: rollup.RollUp) -> None:
    assert campus.energy[A].tolist() == [15.5, 22.5, 39.5]  # m1 + m5 + m2 + m3 (m3 unknown in hour 1)


def test_a_building_without_meters_of_its_own_sums_its_floor(campus: rollup.RollUp) -> None:
    assert campus.energy[B].tolist() == [7.0, 8.0, 9.0]


def test_the_campus_sums_every_meter_once(campus: rollup.RollUp) -> None:
    assert campus.energy[CAMPUS].tolist() == [122.5, 130.5, 148.5]
    assert campus.members.tolist() == [6, 4, 1, 2, 1, 1]


def test_a_meter_bound_at_two_levels_is_counted_once() -> None:
    closure = space_closure(PARENT, OWN)
    assert sorted(m for s, m in closure.pairs() if s == A) == [1, 2, 3, 5]
    assert sorted(m for s, m in closure.pairs() if s == CAMPUS) == [0, 1, 2, 3, 4, 5]


def test_an_unknown_meter_hour_adds_nothing_and_the_sum_says_it_is_partial(campus: rollup.RollUp) -> None:
    assert campus.known[A].tolist() == [4, 3, 4]
    assert campus.complete[A].tolist() == [True, False, True]
    assert campus.complete[CAMPUS].tolist() == [True, False, True]
    assert campus.complete[B].tolist() == [True, True, True]


def test_an_hour_where_no_member_is_known_is_unknown(campus: rollup.RollUp) -> None:
    assert np.isnan(campus.energy[A2, 1])
    assert campus.energy[A2, [0, 2]].tolist() == [4.0, 6.0]
    assert campus.known[A2].tolist() == [1, 0, 1]


def test_an_out_of_limits_hour_is_excluded_like_an_unknown_one() -> None:
    flags = np.zeros(HOURLY.shape, dtype=np.uint8)
    flags[1, 0] = OUT_OF_LIMITS  # building A's own meter, hour 0
    flags[2, 0] = ESTIMATED  # estimated values are kept
    flags[4, :] = OUT_OF_LIMITS | ESTIMATED  # floor B1's only meter, every hour
    result = space_closure(PARENT, OWN).apply(HOURLY, valid_hours(flags))
    assert result.energy[A].tolist() == [5.5, 22.5, 39.5]
    assert result.known[A].tolist() == [3, 3, 4]
    assert np.isnan(result.energy[B1]).all() and np.isnan(result.energy[B]).all()
    assert result.energy[CAMPUS].tolist() == [105.5, 122.5, 139.5]


def test_an_entity_with_no_meters_is_unknown_in_every_hour_and_never_complete() -> None:
    result = Incidence.of([(1, 0)], 3, 2).apply(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert np.isnan(result.energy[[0, 2]]).all()
    assert result.known[[0, 2]].tolist() == [[0, 0], [0, 0]]
    assert not result.complete[[0, 2]].any()
    assert result.energy[1].tolist() == [1.0, 2.0]


def test_an_empty_incidence_gives_all_unknown() -> None:
    result = Incidence.of([], 2, 3).apply(np.ones((3, 4)))
    assert result.energy.shape == (2, 4) and np.isnan(result.energy).all()
    assert result.members.tolist() == [0, 0]


def test_no_hours_give_empty_rows() -> None:
    result = OWN.apply(np.zeros((6, 0)))
    assert result.energy.shape == (6, 0) and result.known.shape == (6, 0)


def test_negative_and_infinite_values_are_known_values() -> None:
    result = Incidence.of([(0, 0), (0, 1)], 1, 2).apply(np.array([[-2.0], [5.0]]))
    assert result.energy.tolist() == [[3.0]]
    assert Incidence.of([(0, 0)], 1, 1).apply(np.array([[np.inf]])).energy.tolist() == [[np.inf]]


def test_pairs_are_sorted_and_deduplicated_whatever_the_input_order() -> None:
    incidence = Incidence.of([(1, 2), (0, 1), (1, 2), (0, 0), (1, 0)], 2, 3)
    assert incidence.entity_index.tolist() == [0, 0, 1, 1]
    assert incidence.meter_index.tolist() == [0, 1, 0, 2]
    assert incidence == Incidence.of([(0, 0), (1, 0), (0, 1), (1, 2)], 2, 3)
    assert incidence != Incidence.of([(0, 0), (1, 0), (0, 1), (1, 2)], 2, 4)


def test_an_incidence_is_immutable() -> None:
    with pytest.raises(ValueError):
        OWN.meter_index[0] = 3


@pytest.mark.parametrize("pairs, n_entities, n_meters", [
    ([(2, 0)], 2, 1), ([(0, 1)], 2, 1), ([(-1, 0)], 2, 1), ([(0, -1)], 2, 1), ([(0, 0)], 1, 0),
])
def test_indexes_out_of_range_are_refused(pairs: list[tuple[int, int]], n_entities: int, n_meters: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        Incidence.of(pairs, n_entities, n_meters)


def test_float_indexes_are_refused_rather_than_truncated() -> None:
    with pytest.raises(ValueError, match="integer"):
        Incidence(np.array([0.5]), np.array([0]), 1, 1)


def test_apply_refuses_a_matrix_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="n_meters=6"):
        OWN.apply(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="shape"):
        OWN.apply(np.zeros((6, 3)), np.ones((6, 2), dtype=bool))


def test_compose_reaches_a_meter_through_two_equipments_once() -> None:
    combined_equipments = Incidence.of([(0, 0), (0, 1), (1, 2)], 3, 3)  # combined 2 has no equipment
    equipment_meters = Incidence.of([(0, 10), (0, 11), (1, 11), (1, 12), (2, 13)], 3, 14)
    composed = compose(combined_equipments, equipment_meters)
    assert composed.pairs() == {(0, 10), (0, 11), (0, 12), (1, 13)}
    assert (composed.n_entities, composed.n_meters) == (3, 14)
    assert composed.members().tolist() == [3, 1, 0]


def test_compose_needs_the_inner_axes_to_agree() -> None:
    with pytest.raises(ValueError, match="compose"):
        compose(Incidence.of([(0, 0)], 1, 2), Incidence.of([(0, 0)], 3, 1))


def test_union_keeps_each_pair_once() -> None:
    own = Incidence.of([(0, 0), (1, 1)], 2, 3)
    via_tenants = Incidence.of([(0, 0), (0, 2)], 2, 3)
    via_equipments = Incidence.of([(1, 1), (1, 2)], 2, 3)
    assert union(own, via_tenants, via_equipments).pairs() == {(0, 0), (0, 2), (1, 1), (1, 2)}
    assert union(own) == own


def test_union_needs_incidences_of_one_shape() -> None:
    with pytest.raises(ValueError, match="same shape"):
        union(Incidence.of([], 2, 3), Incidence.of([], 2, 4))
    with pytest.raises(ValueError, match="at least one"):
        union()


@pytest.mark.parametrize("parent", [[1, 0], [0], [-1, 2, 3, 1], [-1, 0, 1, 4, 5, 3]])
def test_a_cycle_in_the_space_tree_is_refused(parent: list[int]) -> None:
    with pytest.raises(ValueError, match="cycle"):
        space_closure(np.array(parent), Incidence.of([], len(parent), 1))


def test_a_parent_index_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="parent"):
        subtree(np.array([-1, 5]))
    with pytest.raises(ValueError, match="own has"):
        space_closure(PARENT, Incidence.of([], 5, 1))


def test_a_forest_of_several_roots_is_fine() -> None:
    assert subtree(np.array([-1, -1, 0, 1])).pairs() == {(0, 0), (1, 1), (2, 2), (3, 3), (0, 2), (1, 3)}
    assert subtree(np.array([], dtype=np.int64)).pairs() == set()


def test_a_space_that_does_not_roll_up_keeps_its_sum_but_leaves_its_ancestors_out() -> None:
    rolls_up = np.array([True, False, True, True, True, True])  # building A's is_input_counted is off
    result = space_closure(PARENT, OWN, rolls_up).apply(HOURLY)
    assert result.energy[A].tolist() == [15.5, 22.5, 39.5]  # floors A1, A2 still reach A
    assert result.energy[CAMPUS].tolist() == [107.0, 108.0, 109.0]  # m0 + m4 only


def test_an_uncounted_meter_is_absent_at_every_level() -> None:
    is_counted = np.array([True, True, True, True, True, False])
    closure = space_closure(PARENT, counted(OWN, is_counted))
    assert all(m != 5 for _, m in closure.pairs())
    assert closure.apply(HOURLY).energy[CAMPUS].tolist() == [122.0, 130.0, 148.0]


def test_an_uncounted_equipment_is_left_out_of_its_space() -> None:
    space_equipments = Incidence.of([(0, 0), (0, 1)], 1, 2)
    equipment_input_meters = Incidence.of([(0, 0), (1, 1)], 2, 2)
    is_input_counted = np.array([True, False])
    space_input = compose(counted(space_equipments, is_input_counted), equipment_input_meters)
    assert space_input.pairs() == {(0, 0)}
    with pytest.raises(ValueError, match="n_meters=2"):
        counted(space_equipments, np.array([True]))


def test_input_and_output_meters_roll_up_separately() -> None:
    # tbl_equipments_meters: a chiller (equipment 0) takes electricity (m0) and gives cooling (m1);
    # the space (0) also has its own lighting meter (m2).
    bindings = [(0, 0, False), (0, 1, True)]
    inputs = Incidence.of([(e, m) for e, m, is_output in bindings if not is_output], 1, 3)
    outputs = Incidence.of([(e, m) for e, m, is_output in bindings if is_output], 1, 3)
    space_equipments = Incidence.of([(0, 0)], 1, 1)
    space_in = union(Incidence.of([(0, 2)], 1, 3), compose(space_equipments, inputs))
    space_out = compose(space_equipments, outputs)
    hourly = np.array([[30.0], [90.0], [5.0]])
    assert space_in.apply(hourly).energy.tolist() == [[35.0]]
    assert space_out.apply(hourly).energy.tolist() == [[90.0]]


def test_by_group_gives_one_row_per_entity_and_category_present() -> None:
    category = np.array([0, 0, 1, 0, 1, -1])  # m5 has no category: left out
    grouped = by_group(space_closure(PARENT, OWN), category)
    assert list(zip(grouped.entity.tolist(), grouped.group.tolist(), strict=True)) == [
        (CAMPUS, 0), (CAMPUS, 1), (A, 0), (A, 1), (B, 1), (A1, 1), (A2, 0), (B1, 1)]
    np.testing.assert_array_equal(grouped.incidence.apply(HOURLY).energy, [
        [114.0, 120.0, 136.0],  # campus, category 0: m0 + m1 + m3
        [8.0, 10.0, 12.0],  # campus, category 1: m2 + m4
        [14.0, 20.0, 36.0],
        [1.0, 2.0, 3.0],
        [7.0, 8.0, 9.0],
        [1.0, 2.0, 3.0],
        [4.0, NAN, 6.0],
        [7.0, 8.0, 9.0],
    ])


def test_by_group_with_no_grouped_meter_is_empty() -> None:
    grouped = by_group(OWN, np.full(6, -1))
    assert len(grouped.incidence) == 0 and grouped.incidence.n_entities == 0 and len(grouped.entity) == 0


# --- properties ------------------------------------------------------------------------------------------


@st.composite
def incidences(draw: st.DrawFn, max_entities: int = 8, max_meters: int = 8) -> Incidence:
    n_entities = draw(st.integers(0, max_entities))
    n_meters = draw(st.integers(1, max_meters))
    pairs = draw(st.lists(st.tuples(st.integers(0, max(n_entities - 1, 0)), st.integers(0, n_meters - 1)),
                          max_size=30)) if n_entities else []
    return Incidence.of(pairs, n_entities, n_meters)


@st.composite
def trees(draw: st.DrawFn, max_spaces: int = 25) -> np.ndarray:
    """A random forest, labels shuffled so that a parent's index may be above its child's."""
    n = draw(st.integers(1, max_spaces))
    parent_in_order = [-1] + [draw(st.integers(-1, i - 1)) for i in range(1, n)]
    label = draw(st.permutations(range(n)))
    parent = np.full(n, -1, dtype=np.int64)
    for i, p in enumerate(parent_in_order):
        parent[label[i]] = label[p] if p >= 0 else -1
    return parent


def reference_apply(incidence: Incidence, matrix: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    energy = np.full((incidence.n_entities, matrix.shape[1]), NAN)
    known = np.zeros(energy.shape, dtype=np.int32)
    members = {e: sorted({m for f, m in incidence.pairs() if f == e}) for e in range(incidence.n_entities)}
    for e in range(incidence.n_entities):
        for h in range(matrix.shape[1]):
            values = [matrix[m, h] for m in members[e] if valid[m, h] and not np.isnan(matrix[m, h])]
            known[e, h] = len(values)
            if values:
                energy[e, h] = sum(values)
    return energy, known


def reference_closure(parent: np.ndarray, own: Incidence, rolls_up: np.ndarray) -> set[tuple[int, int]]:
    children: dict[int, list[int]] = {i: [] for i in range(len(parent))}
    for child, p in enumerate(parent.tolist()):
        if p >= 0 and rolls_up[child]:
            children[p].append(child)

    def walk(space: int) -> set[int]:
        meters = {m for s, m in own.pairs() if s == space}
        for child in children[space]:
            meters |= walk(child)
        return meters

    return {(s, m) for s in range(len(parent)) for m in walk(s)}


@settings(max_examples=200, deadline=None)
@given(incidences(), st.data())
def test_apply_equals_a_nested_loop_over_entities_and_hours(incidence: Incidence, data: st.DataObject) -> None:
    n_hours = data.draw(st.integers(0, 30))
    cell = st.one_of(st.just(NAN), st.integers(-1000, 1000).map(float))
    matrix = np.array(data.draw(st.lists(st.lists(cell, min_size=n_hours, max_size=n_hours),
                                         min_size=incidence.n_meters, max_size=incidence.n_meters)))
    matrix = matrix.reshape(incidence.n_meters, n_hours)
    valid = np.array(data.draw(st.lists(st.booleans(), min_size=matrix.size, max_size=matrix.size)),
                     dtype=bool).reshape(matrix.shape)
    energy, known = reference_apply(incidence, matrix, valid)
    with mock.patch.object(rollup, "_BLOCK_BYTES", 1):  # blocks of 8 hours: several per matrix
        result = incidence.apply(matrix, valid)
    np.testing.assert_array_equal(result.energy, energy)  # integers: exact whatever the order
    np.testing.assert_array_equal(result.known, known)
    np.testing.assert_array_equal(result.members, [len({m for f, m in incidence.pairs() if f == e})
                                                   for e in range(incidence.n_entities)])


@settings(max_examples=100, deadline=None)
@given(incidences(), st.data())
def test_apply_on_real_values_is_the_sum_to_rounding(incidence: Incidence, data: st.DataObject) -> None:
    n_hours = data.draw(st.integers(1, 12))
    cell = st.one_of(st.just(NAN), st.floats(-1e9, 1e9, allow_nan=False))
    matrix = np.array(data.draw(st.lists(cell, min_size=incidence.n_meters * n_hours,
                                         max_size=incidence.n_meters * n_hours))).reshape(-1, n_hours)
    valid = np.ones(matrix.shape, dtype=bool)
    energy, known = reference_apply(incidence, matrix, valid)
    result = incidence.apply(matrix)
    np.testing.assert_allclose(result.energy, energy, rtol=1e-9, atol=1e-3)
    np.testing.assert_array_equal(result.known, known)


@settings(max_examples=200, deadline=None)
@given(trees(), st.data())
def test_closure_equals_a_recursive_walk_of_the_tree(parent: np.ndarray, data: st.DataObject) -> None:
    n = len(parent)
    n_meters = data.draw(st.integers(1, 10))
    own = Incidence.of(data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n_meters - 1)),
                                          max_size=40)), n, n_meters)
    rolls_up = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    assert space_closure(parent, own).pairs() == reference_closure(parent, own, np.ones(n, dtype=bool))
    assert space_closure(parent, own, rolls_up).pairs() == reference_closure(parent, own, rolls_up)


@settings(max_examples=200, deadline=None)
@given(incidences(max_meters=6), st.data())
def test_compose_equals_the_relational_join(a: Incidence, data: st.DataObject) -> None:
    n_meters = data.draw(st.integers(1, 7))
    b = Incidence.of(data.draw(st.lists(st.tuples(st.integers(0, a.n_meters - 1), st.integers(0, n_meters - 1)),
                                        max_size=20)), a.n_meters, n_meters)
    expected = {(x, m) for x, y in a.pairs() for z, m in b.pairs() if y == z}
    composed = compose(a, b)
    assert composed.pairs() == expected and len(composed) == len(expected)


@settings(max_examples=100, deadline=None)
@given(incidences(), st.data())
def test_union_and_by_group_partition_the_same_sums(incidence: Incidence, data: st.DataObject) -> None:
    group = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=incidence.n_meters,
                                        max_size=incidence.n_meters)), dtype=np.int64)
    grouped = by_group(incidence, group)
    expected = {(e, int(group[m]), m) for e, m in incidence.pairs() if group[m] >= 0}
    got = {(int(grouped.entity[r]), int(grouped.group[r]), m) for r, m in grouped.incidence.pairs()}
    assert got == expected
    assert union(incidence, incidence) == incidence
