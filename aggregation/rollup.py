"""Roll-ups as sparse incidences: which meters an entity sums, applied to (meter x hour) arrays.

A roll-up (a space's, a tenant's, an equipment's input or output energy) is the per-hour sum over a *set* of
meters. The set depends only on the topology, so it is computed once, as an :class:`Incidence` (COO pairs
``(entity, meter)``, sorted and without duplicates), and applied to every hour at once. MyEMS summed child
aggregates instead, which counts a meter bound both to a floor and to its building twice; a union of sets
counts it once.

The meter axis is the caller's: meters, offline meters and virtual meters stacked into one index (e.g. by
offsets); ``-1`` never names a meter. Building a space's input incidence from the binding tables::

    meter_in = counted(space_meters, meter_is_counted)                         # tbl_spaces_(offline_|virtual_)meters
    eq_in = compose(counted(space_equipments, equipment_is_input_counted),     # tbl_spaces_equipments
                    counted(equipment_input_meters, meter_is_counted))         # tbl_equipments_meters, not is_output
    ...                                                                        # tenants, stores, shopfloors, combined
    space_in = space_closure(parent, union(meter_in, eq_in, ...), rolls_up=space_is_input_counted)
    energy, known = space_in.apply(hourly_energy, valid_hours(hourly_flags))[:2]

Output roll-ups are built the same way from the ``is_output`` bindings and the ``is_output_counted`` flags.

Counting rule (MyEMS's, kept): a meter binding contributes only if the meter's ``is_counted`` is true
(:func:`counted` on the meter side, for input and output alike, as MyEMS filters ``m.is_counted = 1`` in both);
an equipment, combined equipment, tenant, store or shopfloor contributes to its owner only if its
``is_input_counted`` (``is_output_counted``) is true (:func:`counted` on that incidence's member side); a child
space contributes to its parent only if its own flag is true (``rolls_up`` in :func:`space_closure`: the child
keeps its own roll-up, but neither it nor anything below it reaches its ancestors through it).

Hours (see :meth:`Incidence.apply`): a meter-hour that is NaN (unknown) or excluded (``valid`` false, e.g.
``OUT_OF_LIMITS``) contributes nothing; an entity-hour is the sum of its members' known values, or NaN when
no member is known. ``RollUp.known`` says how many members were, so a report can flag a partial sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from aggregation.series import OUT_OF_LIMITS, Flags, Mask, Values

Index = npt.NDArray[np.int64]
Counts = npt.NDArray[np.int32]

# Bytes of the (pairs x hours) block gathered per step: small enough to stay in cache, which measured
# 2-5x faster than month-sized blocks (10,000 meters, 60,000 pairs, 8,760 hours).
_BLOCK_BYTES = 1 << 23


def _index(values: npt.ArrayLike, name: str) -> Index:
    """An int64 1-D index array; floats are refused rather than truncated."""
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D integer array")
    return array.astype(np.int64, copy=False)


def _frozen(array: npt.NDArray[np.int64]) -> Index:
    array.setflags(write=False)
    return array


class RollUp(NamedTuple):
    """What :meth:`Incidence.apply` returns: ``energy`` (NaN = no member known), ``known`` (members known in
    that hour) and ``members`` (members bound), all indexed by entity first."""

    energy: Values
    known: Counts
    members: Index

    @property
    def complete(self) -> Mask:
        """Entity-hours where every member was known (and there is at least one): a sum a bill can trust."""
        members = self.members[:, None]
        complete: Mask = np.logical_and(self.known == members, members > 0)
        return complete


@dataclass(frozen=True, eq=False)
class Incidence:
    """Which meters (columns) each entity (row) sums: COO pairs, canonical (sorted by entity then meter,
    no duplicates) whatever order they were given in, so equal sets compare equal and a pair counts once.

    The column axis need not be meters: a space -> equipment incidence has equipments as columns, and
    :func:`compose` chains it with an equipment -> meter one.
    """

    entity_index: Index
    meter_index: Index
    n_entities: int
    n_meters: int

    def __post_init__(self) -> None:
        entity, meter = _index(self.entity_index, "entity_index"), _index(self.meter_index, "meter_index")
        if len(entity) != len(meter):
            raise ValueError("entity_index and meter_index must have the same length")
        if self.n_entities < 0 or self.n_meters < 0:
            raise ValueError("n_entities and n_meters must not be negative")
        if len(entity) and (entity.min() < 0 or entity.max() >= self.n_entities):
            raise ValueError(f"entity_index out of range [0, {self.n_entities})")
        if len(meter) and (meter.min() < 0 or meter.max() >= self.n_meters):
            raise ValueError(f"meter_index out of range [0, {self.n_meters})")
        # One sort of a combined key both orders and deduplicates (n_entities * n_meters fits in int64 for
        # any topology that fits in memory); with no meters there are no pairs, hence the max(..., 1).
        width = max(self.n_meters, 1)
        entity, meter = np.divmod(np.unique(entity * width + meter), width)
        object.__setattr__(self, "entity_index", _frozen(entity))
        object.__setattr__(self, "meter_index", _frozen(meter))

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, int]], n_entities: int, n_meters: int) -> Incidence:
        """From ``(entity, meter)`` pairs, e.g. the rows of a binding table mapped to indexes."""
        array = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
        return cls(array[:, 0], array[:, 1], n_entities, n_meters)

    def __len__(self) -> int:
        return len(self.entity_index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Incidence):
            return NotImplemented
        return (self.n_entities, self.n_meters) == (other.n_entities, other.n_meters) and bool(
            np.array_equal(self.entity_index, other.entity_index)
            and np.array_equal(self.meter_index, other.meter_index))

    __hash__ = None  # type: ignore[assignment]  # arrays: equality by value, not hashable

    def pairs(self) -> set[tuple[int, int]]:
        """The pairs as a Python set: for tests and debugging, not for hot paths."""
        return set(zip(self.entity_index.tolist(), self.meter_index.tolist(), strict=True))

    def members(self) -> Index:
        """How many meters each entity sums (0 for an entity with none)."""
        return np.bincount(self.entity_index, minlength=self.n_entities).astype(np.int64)

    def apply(self, matrix: Values, valid: Mask | None = None) -> RollUp:
        """Per entity and hour, the sum of its meters' known values: ``matrix`` is ``float64[n_meters, n_hours]``
        (NaN = unknown), ``valid`` an optional same-shape mask of hours allowed into roll-ups (false for
        ``OUT_OF_LIMITS``, see :func:`valid_hours`).

        A meter-hour that is NaN or not valid adds nothing; an entity-hour with no known member is NaN (so is
        every hour of an entity with no meters), else the sum of the known ones; ``known`` counts them.
        Pairs are gathered and summed segment by segment (``np.add.reduceat``) in cache-sized blocks of hours:
        faster than ``np.add.at`` or a dense BLAS product (``tests/bench/bench_rollup.py --compare``).
        """
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != self.n_meters:
            raise ValueError(f"matrix must be (n_meters={self.n_meters}, n_hours), got {matrix.shape}")
        if valid is not None:
            valid = np.asarray(valid, dtype=bool)
            if valid.shape != matrix.shape:
                raise ValueError(f"valid must have the matrix's shape {matrix.shape}, got {valid.shape}")
        n_hours = matrix.shape[1]
        energy = np.full((self.n_entities, n_hours), np.nan)
        known = np.zeros((self.n_entities, n_hours), dtype=np.int32)
        if len(self) and n_hours:
            starts = np.flatnonzero(np.r_[True, self.entity_index[1:] != self.entity_index[:-1]])
            rows = self.entity_index[starts]
            step = max(8, _BLOCK_BYTES // (8 * max(len(self), self.n_meters)))
            for h0 in range(0, n_hours, step):
                block = slice(h0, min(h0 + step, n_hours))
                values = matrix[:, block]
                ok = ~np.isnan(values)
                if valid is not None:
                    ok &= valid[:, block]
                clean = np.where(ok, values, 0.0)
                sums = np.add.reduceat(clean[self.meter_index], starts, axis=0)
                count = np.add.reduceat(ok.view(np.uint8)[self.meter_index], starts, axis=0, dtype=np.int32)
                sums[count == 0] = np.nan
                energy[rows, block] = sums
                known[rows, block] = count
        return RollUp(energy, known, self.members())


def valid_hours(flags: Flags, exclude: int = OUT_OF_LIMITS) -> Mask:
    """The ``valid`` mask for :meth:`Incidence.apply`: hours carrying none of the ``exclude`` flag bits."""
    valid: Mask = np.equal(np.bitwise_and(flags, exclude), 0)
    return valid


def counted(incidence: Incidence, meter_is_counted: Mask) -> Incidence:
    """Only the pairs whose member (column) is counted: ``is_counted`` of meters, or ``is_input_counted``
    (``is_output_counted``) of the equipments, tenants... an owner -> entity incidence points at.

    Apply it to the bindings before :func:`compose`, :func:`union` and :func:`space_closure`, so an uncounted
    meter is absent at every level of the tree, not only where it is bound.
    """
    keep = np.asarray(meter_is_counted, dtype=bool)
    if keep.shape != (incidence.n_meters,):
        raise ValueError(f"meter_is_counted must have n_meters={incidence.n_meters} entries")
    chosen = keep[incidence.meter_index]
    return Incidence(incidence.entity_index[chosen], incidence.meter_index[chosen],
                     incidence.n_entities, incidence.n_meters)


def union(*incidences: Incidence) -> Incidence:
    """The pairs of all, each once: a space's own meters, its equipments', its tenants'... together."""
    if not incidences:
        raise ValueError("union needs at least one incidence")
    shape = (incidences[0].n_entities, incidences[0].n_meters)
    if any((i.n_entities, i.n_meters) != shape for i in incidences):
        raise ValueError("union needs incidences of the same shape")
    return Incidence(np.concatenate([i.entity_index for i in incidences]),
                     np.concatenate([i.meter_index for i in incidences]), *shape)


def compose(a: Incidence, b: Incidence) -> Incidence:
    """``x -> meter`` from ``a: x -> y`` and ``b: y -> meter`` (a combined equipment's meters through its
    equipments, a space's through its tenants), each meter once per x however many y lead to it."""
    if a.n_meters != b.n_entities:
        raise ValueError(f"cannot compose: a has {a.n_meters} columns, b has {b.n_entities} rows")
    # b is sorted by row: row y's meters are b.meter_index[offset[y]:offset[y] + degree[y]].
    degree = b.members()
    offset = np.concatenate(([0], np.cumsum(degree)[:-1])).astype(np.int64)
    repeats = degree[a.meter_index]
    total = int(repeats.sum())
    # Position within each repeated run: arange(total) minus the run's start.
    run_start = np.repeat(np.cumsum(repeats) - repeats, repeats)
    picks = np.repeat(offset[a.meter_index], repeats) + (np.arange(total, dtype=np.int64) - run_start)
    return Incidence(np.repeat(a.entity_index, repeats), b.meter_index[picks], a.n_entities, b.n_meters)


def _check_tree(parent: Index) -> None:
    """Raise ValueError unless ``parent`` is a forest: indexes in range and no cycle.

    Pointer doubling: after r rounds ``jump`` is each node's 2**r-th ancestor (-1 past the root); a node
    on or leading into a cycle never gets there, and a path in a forest is shorter than n < 2**r.
    """
    n = len(parent)
    if n and (parent.min() < -1 or parent.max() >= n):
        raise ValueError(f"parent indexes must be -1 or in [0, {n})")
    jump = parent.copy()
    for _ in range(n.bit_length()):
        up = jump >= 0
        if not up.any():
            return
        jump[up] = jump[jump[up]]
    stuck = np.flatnonzero(jump >= 0)
    if len(stuck):
        raise ValueError(f"the space tree has a cycle (e.g. through space indexes {stuck[:5].tolist()})")


def subtree(parent: npt.ArrayLike, rolls_up: Mask | None = None) -> Incidence:
    """``space -> space``: each space with itself and every descendant that reaches it.

    ``parent[i]`` is the index of i's parent, -1 for a root. With ``rolls_up``, a space whose flag is false
    does not reach its parent (nor does anything below it, through it). Work is O(pairs) numpy operations
    in as many steps as the tree is deep; nothing per hour.
    """
    parents = _index(parent, "parent")
    _check_tree(parents)
    n = len(parents)
    if rolls_up is not None:
        mask = np.asarray(rolls_up, dtype=bool)
        if mask.shape != (n,):
            raise ValueError(f"rolls_up must have one entry per space ({n})")
        parents = np.where(mask, parents, -1)
    member = np.arange(n, dtype=np.int64)
    ancestor = member.copy()
    owners, members = [], []
    while len(member):
        owners.append(ancestor)
        members.append(member)
        up = parents[ancestor]
        alive = up >= 0
        ancestor, member = up[alive], member[alive]
    return Incidence(np.concatenate(owners) if owners else member, np.concatenate(members) if members else member,
                     n, n)


def space_closure(parent: npt.ArrayLike, own: Incidence, rolls_up: Mask | None = None) -> Incidence:
    """Each space's meters: its own (``own``: space -> meter, e.g. a :func:`union` of its bindings) and all
    its descendants', each meter once per space even if bound at several levels.

    Raises ValueError if ``parent`` has a cycle. ``rolls_up`` (a space's ``is_input_counted`` or
    ``is_output_counted``) cuts a space's subtree off its ancestors, as in :func:`subtree`.
    """
    tree = subtree(parent, rolls_up)
    if tree.n_meters != own.n_entities:
        raise ValueError(f"own has {own.n_entities} rows but the tree has {tree.n_meters} spaces")
    return compose(tree, own)


class Grouped(NamedTuple):
    """An incidence whose rows are the ``(entity, group)`` pairs that have meters, in (entity, group) order:
    row r sums entity ``entity[r]``'s meters of group ``group[r]``."""

    incidence: Incidence
    entity: Index
    group: Index


def by_group(incidence: Incidence, meter_group: npt.ArrayLike) -> Grouped:
    """Split each entity's meters by energy category (or energy item): ``meter_group[m]`` is m's group
    index, -1 for none (such meters, e.g. without an energy item, are left out).

    Only pairs that occur become rows, so a hundred energy items cost nothing where they are not metered;
    ``grouped.incidence.apply(matrix)`` then gives one hourly row per (entity, group), the shape of the
    ``..._input_category_hourly`` tables.
    """
    groups = _index(meter_group, "meter_group")
    if groups.shape != (incidence.n_meters,):
        raise ValueError(f"meter_group must have n_meters={incidence.n_meters} entries")
    group = groups[incidence.meter_index]
    keep = group >= 0
    n_groups = int(group.max()) + 1 if keep.any() else 1
    key = incidence.entity_index[keep] * n_groups + group[keep]
    row_keys, row = np.unique(key, return_inverse=True)
    grouped = Incidence(row.astype(np.int64), incidence.meter_index[keep], len(row_keys), incidence.n_meters)
    entity, group_of_row = np.divmod(row_keys, n_groups)
    return Grouped(grouped, _frozen(entity.astype(np.int64)), _frozen(group_of_row.astype(np.int64)))
