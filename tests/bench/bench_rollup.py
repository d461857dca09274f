#!/usr/bin/env python3
"""Roll-up kernel benchmark: a year of hourly space roll-ups over a random space tree.

10,000 meters, each bound to one random space of a random tree of 1,000 spaces, 5 levels below the root;
8,760 hours of energy (1 % unknown, 0.1 % OUT_OF_LIMITS). Times :func:`aggregation.rollup.space_closure`
(topology, once) and :meth:`Incidence.apply` (every hour), checks the root against a direct sum of all
meters, and prints peak RSS. Goal: closure + apply <= 10 s.

Usage::

    python tests/bench/bench_rollup.py [--meters 10000] [--spaces 1000] [--depth 5] [--hours 8760]
                                       [--chunk-hours 0] [--compare] [--seed 1]

``--chunk-hours 730`` builds and rolls up one month at a time (what a memory-bound service would do): the
whole-year float64 matrix is 700 MB. ``--compare`` also times, on one month, the alternatives the kernel
was chosen against: ``np.add.at`` over the same pairs and a dense incidence matrix product (BLAS).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aggregation import rollup  # noqa: E402
from aggregation.rollup import Incidence, space_closure, valid_hours  # noqa: E402
from aggregation.series import OUT_OF_LIMITS  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def random_tree(rng: np.random.Generator, n_spaces: int, depth: int) -> npt.NDArray[np.int64]:
    """Parent indexes of a random tree with exactly ``depth`` levels below the root, levels growing
    geometrically (1, 4, 15, 55, 209, 716 for 1,000 spaces), labels shuffled."""
    ratio = 1.0
    while sum(ratio**d for d in range(depth + 1)) < n_spaces:
        ratio += 0.01
    sizes = [max(1, round(ratio**d)) for d in range(depth + 1)]
    sizes[-1] += n_spaces - sum(sizes)
    level_start = np.cumsum([0, *sizes])
    parent = np.full(n_spaces, -1, dtype=np.int64)
    for d in range(1, depth + 1):
        above = np.arange(level_start[d - 1], level_start[d])
        parent[level_start[d]:level_start[d + 1]] = rng.choice(above, sizes[d])
    label = rng.permutation(n_spaces)
    shuffled = np.full(n_spaces, -1, dtype=np.int64)
    shuffled[label] = np.where(parent >= 0, label[parent], -1)
    return shuffled


def hourly(rng: np.random.Generator, n_meters: int, n_hours: int) -> tuple[np.ndarray, np.ndarray]:
    energy = rng.random((n_meters, n_hours)) * 10.0
    energy[rng.random((n_meters, n_hours)) < 0.01] = np.nan
    flags = np.where(rng.random((n_meters, n_hours)) < 0.001, OUT_OF_LIMITS, 0).astype(np.uint8)
    return energy, flags


def compare(closure: Incidence, energy: np.ndarray, valid: np.ndarray) -> None:
    """One month three ways, each giving sums and known counts; all must agree (up to summation order)."""
    print(f"\ncomparison on {energy.shape[1]} hours (sums and counts each):")
    began = time.perf_counter()
    kernel = closure.apply(energy, valid)
    print(f"  gather + np.add.reduceat in cache-sized blocks (the kernel) {time.perf_counter() - began:6.2f} s")
    began = time.perf_counter()
    ok = valid & ~np.isnan(energy)
    clean = np.where(ok, energy, 0.0)
    at = np.zeros((closure.n_entities, energy.shape[1]))
    np.add.at(at, closure.entity_index, clean[closure.meter_index])
    at_known = np.zeros(at.shape, dtype=np.int32)
    np.add.at(at_known, closure.entity_index, ok[closure.meter_index])
    print(f"  np.add.at, whole month                                      {time.perf_counter() - began:6.2f} s")
    began = time.perf_counter()
    ok = valid & ~np.isnan(energy)
    clean = np.where(ok, energy, 0.0)
    dense = np.zeros((closure.n_entities, closure.n_meters))
    dense[closure.entity_index, closure.meter_index] = 1.0
    product, product_known = dense @ clean, dense @ ok.astype(np.float64)
    print(f"  dense (space x meter) @ (meter x hour), BLAS                {time.perf_counter() - began:6.2f} s")
    has = kernel.known > 0
    assert np.allclose(kernel.energy[has], at[has]) and np.allclose(kernel.energy[has], product[has])
    assert (kernel.known == at_known).all() and (kernel.known == product_known).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meters", type=int, default=10_000)
    parser.add_argument("--spaces", type=int, default=1_000)
    parser.add_argument("--depth", type=int, default=5)
    parser.add_argument("--hours", type=int, default=8_760)
    parser.add_argument("--chunk-hours", type=int, default=0, help="0: the whole period in one matrix")
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    parent = random_tree(rng, args.spaces, args.depth)
    own = Incidence(rng.integers(0, args.spaces, args.meters), np.arange(args.meters), args.spaces, args.meters)
    began = time.perf_counter()
    closure = space_closure(parent, own)
    closure_s = time.perf_counter() - began
    members = closure.members()
    root = int(np.flatnonzero(parent < 0)[0])
    print(f"{args.meters:,} meters, {args.spaces:,} spaces ({args.depth} levels below the root), "
          f"{args.hours:,} hours; numpy {np.__version__}")
    print(f"closure: {len(closure):,} (space, meter) pairs, root has {members[root]:,} meters, "
          f"{closure_s * 1000:.1f} ms")

    chunk = args.chunk_hours or args.hours
    apply_s = 0.0
    energy_out = np.empty((args.spaces, args.hours))
    partial = 0
    root_error = 0.0
    for h0 in range(0, args.hours, chunk):
        energy, flags = hourly(rng, args.meters, min(chunk, args.hours - h0))
        valid = valid_hours(flags)
        if h0 == 0:
            print(f"input block: {energy.nbytes / 2**20:,.0f} MiB float64 + {flags.nbytes / 2**20:,.0f} MiB flags; "
                  f"peak RSS before apply {peak_rss_mb():,.0f} MiB")
        began = time.perf_counter()
        result = closure.apply(energy, valid)
        apply_s += time.perf_counter() - began
        energy_out[:, h0:h0 + energy.shape[1]] = result.energy
        partial += int((~result.complete & (result.members[:, None] > 0)).sum())
        direct = np.where(valid & ~np.isnan(energy), energy, 0.0).sum(axis=0)
        root_error = max(root_error, float(np.max(np.abs(result.energy[root] - direct) / np.maximum(direct, 1))))
        if args.compare and h0 == 0:
            compare(closure, energy[:, :730], valid[:, :730])
        del energy, flags, valid, result

    total = closure_s + apply_s
    pair_hours = len(closure) * args.hours
    inner = max(8, rollup._BLOCK_BYTES // (8 * max(len(closure), args.meters)))
    print(f"apply: {apply_s:.2f} s, {chunk:,} hours per call, {inner} per inner block "
          f"({pair_hours / apply_s / 1e6:,.0f} M pair-hours/s); "
          f"{partial:,} partial space-hours of {args.spaces * args.hours:,}")
    print(f"root vs direct sum of all meters: max relative difference {root_error:.1e}")
    print(f"closure + apply: {total:.2f} s (goal <= 10 s: {'met' if total <= 10 else 'NOT met'}); "
          f"peak RSS {peak_rss_mb():,.0f} MiB")


if __name__ == "__main__":
    main()
