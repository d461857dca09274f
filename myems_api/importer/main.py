"""``myems db import-myems``: the copies in order, the finishing steps, and the report per table.

The exit status is 0 when every row came over and every energy sum matches; 1 when rows were skipped (unless
``--allow-skips``) or a sum differs; 2 when the source cannot be read.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from myems_api.db.engines import Databases
from myems_api.importer.copier import Copier, TableReport
from myems_api.importer.finish import continue_aggregation, fill_entity_days, verify
from myems_api.importer.plan import build_plan
from myems_api.importer.source import GROUPS, Source

log = logging.getLogger("myems.importer")


@dataclass(frozen=True)
class ImportOptions:
    source_url: str
    names: dict[str, str]
    groups: tuple[str, ...] = GROUPS
    since: datetime | None = None
    dry_run: bool = False
    restart: bool = False
    allow_skips: bool = False
    show_progress: bool = False


def run_import(databases: Databases, options: ImportOptions, out: TextIO = sys.stdout) -> int:
    source = Source(options.source_url, options.names)
    copier = Copier(source, databases, options.dry_run, options.since, options.restart, options.show_progress)
    try:
        copies, left = build_plan(source, options.groups)
        reports: list[TableReport] = [copier.run(copy) for copy in copies]
        if not options.dry_run:  # after every copy: a later one writing the same rows must not change them
            for copy, report in zip(copies, reports, strict=True):
                verify(copy, report, source, databases, options.since)
        marks = 0
        if not options.dry_run:
            if any(c.group in ("energy", "billing", "carbon") for c in copies):
                fill_entity_days(databases)
            if "historical" in options.groups:
                marks = continue_aggregation(databases)
    finally:
        copier.close()
        source.close()
    print_report(reports, left, marks, options.dry_run, out)
    skipped = sum(r.skips for r in reports)
    mismatched = [r for r in reports if r.sums_match is False]
    return 1 if mismatched or (skipped and not options.allow_skips) else 0


def print_report(reports: list[TableReport], left: dict[str, str], marks: int, dry_run: bool, out: TextIO) -> None:
    verb = "would write" if dry_run else "written"
    out.write(f"{'source table':<58} {'target':<36} {'read':>10} {verb:>11} {'skipped':>8} {'seconds':>8}  sums\n")
    empty = [r.source for r in reports if not r.read and not r.after]
    current = [r.source for r in reports if not r.read and r.after and r.sums_match is not False]
    for r in reports:
        if r.source in empty or r.source in current:
            continue
        sums = "" if r.source_sum is None else (
            f"{r.source_sum:.3f} -> {r.target_sum:.3f} " + ("ok" if r.sums_match else "DIFFER"))
        resumed = f" (after id {r.after})" if r.after else ""
        out.write(f"{r.source + resumed:<58} {r.target:<36} {r.read:>10} {r.written:>11} {r.skips:>8} "
                  f"{r.seconds:>8.1f}  {sums}\n")
        for reason, count in r.skipped.most_common():
            out.write(f"    skipped {count}: {reason}\n")
        for reason, count in r.cleared.most_common():
            out.write(f"    reference cleared in {count}: {reason}\n")
    if empty:
        out.write(f"empty in the source: {', '.join(empty)}\n")
    if current:
        out.write(f"nothing new since the last run: {', '.join(current)}\n")
    by_reason: dict[str, list[str]] = {}
    for name, reason in left.items():
        by_reason.setdefault(reason, []).append(name)
    for reason, names in by_reason.items():
        out.write(f"not carried ({reason}): {', '.join(names)}\n")
    if not dry_run:
        out.write(f"aggregation goes on from MyEMS's last hour for {marks} meter points\n")
    out.flush()
