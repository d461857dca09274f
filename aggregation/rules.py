"""The rules engine: each enabled rule's conditions evaluated, faults raised once and cleared, and delivered.

A pass (``myems rules``, or after each pass of ``myems aggregation --loop``) runs every enabled rule that is
due (``next_run_datetime`` passed, or never run, or ``is_run_immediately`` set by ``PUT /rules/{id}/run``).
For each condition of its expression (:mod:`aggregation.rule_conditions`):

- it holds and the rule has no open fault for that object: a fault is raised (``tbl_fdd_faults``) and
  delivered on the rule's channel to each recipient: a web message (WEB, WECHAT and CALL, which have no
  sender here), an email queued for ``myems messages`` (EMAIL, to the user's address) or a text message
  queued (SMS, to the user's phone). Subject: the rule's name and the object; body: the rule's
  ``message_template`` with ``$name`` (the object), ``$value``, ``$threshold``, ``$rule``, ``$time`` and
  MyEMS's ``$s1`` (the object) substituted;
- it no longer holds and a fault is open: the fault is cleared (``cleared_datetime``).

The fault, its messages and the rule's ``last_run_datetime`` / ``next_run_datetime`` are one transaction, and
at most one open fault per rule and object exists, so runs are idempotent and a restart loses nothing: a
fault raised and committed is never raised again while its condition holds. One runner at a time (the
``rules`` lease).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from string import Template
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aggregation import caltrack, leases
from aggregation import rule_conditions as rc
from aggregation.store import epoch_seconds, hourly_series, to_datetime
from myems_api.db import historical, schema
from myems_api.db import message_tables as mt
from myems_api.db.engines import Databases
from myems_api.zones import entity_zone, wall_clock

log = logging.getLogger("myems.rules")
LEASE = "rules"
EVERY = timedelta(minutes=5)
BASELINE_WEEKS = 8
METER_TABLES = {"meter": schema.meters, "offline_meter": schema.offline_meters, "virtual_meter": schema.virtual_meters}


@dataclass
class RuleRun:
    rule_id: int
    raised: list[str] = field(default_factory=list)  # object keys
    cleared: list[str] = field(default_factory=list)
    holding: list[str] = field(default_factory=list)
    error: str | None = None


def run_rules(databases: Databases, now: datetime | None = None, only: int | None = None,
              utc_offset_minutes: int = 0) -> list[RuleRun]:
    """One pass over the due rules (or rule ``only``, due or not); ``now`` naive UTC."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    holder = leases.holder_name()
    energy = databases.engines["energy"]
    if not leases.claim(energy, LEASE, holder, 300):
        log.info("another rules runner holds the lease: skipping this turn")
        return []
    try:
        r = schema.rules
        with databases.system.connect() as conn:
            query = sa.select(r).where(r.c.id == only) if only is not None else sa.select(r).where(
                r.c.is_enabled.is_(True), sa.or_(r.c.next_run_datetime_utc.is_(None), r.c.next_run_datetime_utc <= now,
                                                 r.c.is_run_immediately.is_(True)))
            rules = conn.execute(query.order_by(r.c.id)).all()
        zone = timezone(timedelta(minutes=utc_offset_minutes))
        return [run_rule(databases, rule, now, zone) for rule in rules]
    finally:
        leases.release(energy, LEASE, holder)


def run_rule(databases: Databases, rule: Any, now: datetime, fallback: tzinfo) -> RuleRun:
    run = RuleRun(int(rule.id))
    try:
        conditions = rc.parse_expression(rule.expression)
    except rc.InvalidExpression as exc:
        run.error = f"API.INVALID_RULE_EXPRESSION: {exc}"
        log.warning("rule %s is not run: %s", rule.id, run.error)
        return run
    seconds = int(now.replace(tzinfo=UTC).timestamp())
    found = [(c, *_holds(databases, c, seconds, fallback)) for c in conditions]
    f = mt.fdd_faults
    with databases.system.begin() as conn:
        for condition, holding, value, name in found:
            key = condition.object_key
            open_fault = conn.execute(sa.select(f.c.id).where(f.c.rule_id == rule.id, f.c.object_key == key,
                                                              f.c.cleared_datetime_utc.is_(None))).scalar()
            if holding:
                run.holding.append(key)
            if holding and open_fault is None:
                _raise(conn, rule, condition, name, value, now)
                run.raised.append(key)
            elif not holding and open_fault is not None:
                conn.execute(sa.update(f).where(f.c.id == open_fault).values(cleared_datetime_utc=now))
                run.cleared.append(key)
        conn.execute(sa.update(schema.rules).where(schema.rules.c.id == rule.id).values(
            last_run_datetime_utc=now, next_run_datetime_utc=now + EVERY, is_run_immediately=False))
    if run.raised or run.cleared:
        log.info("rule %s: raised %s, cleared %s", rule.id, run.raised, run.cleared)
    return run


def _holds(databases: Databases, c: rc.Condition, now: int, fallback: tzinfo) -> tuple[bool, float | None, str]:
    """(holds, the value shown, the object's name)."""
    with databases.system.connect() as conn:
        name = _name(conn, c)
        zone = entity_zone(conn, c.meter_type, c.meter_id, fallback) if c.meter_id is not None else fallback
        days_off = _days_off(conn) if c.type == "schedule" else set()
    if name is None:
        return False, None, c.object_key
    if c.point_id is not None:
        times, values = _readings(databases, c, now)
        if c.type == "no_data":
            return rc.silent(c, int(times[-1]) if len(times) else None, now), None, name
        holding, value = rc.held_readings(c, times, values, now)
        return holding, value, name
    end = now - now % 3600
    hours = end - 3600 * np.arange(c.hours, 0, -1, dtype=np.int64)
    energy = databases.engines["energy"]
    assert c.meter_id is not None
    actual = hourly_series(energy, c.meter_type, c.meter_id, hours)
    last = float(actual[-1]) if math.isfinite(actual[-1]) else None
    if c.type == "threshold":
        return bool(np.isfinite(actual).all() and rc.crosses(c, actual).all()), last, name
    local = wall_clock(hours, zone)
    if c.type == "schedule":
        dates = local.astype("datetime64[s]").astype("datetime64[D]")
        off = np.isin(dates.astype(str), sorted(days_off))
        weekdays = (dates.astype(np.int64) + 3) % 7
        return rc.off_hours(c, (local % 86400) // 60, weekdays, off, actual), last, name
    fit_hours = hours[0] - 3600 * np.arange(BASELINE_WEEKS * 168, 0, -1, dtype=np.int64)
    history = hourly_series(energy, c.meter_type, c.meter_id, fit_hours)
    fit_local = wall_clock(fit_hours, zone)
    try:
        model = caltrack.fit_hourly((fit_local // 3600).astype("datetime64[h]"), history)
    except ValueError:
        return False, last, name  # under a week of history: no baseline to deviate from
    expected = caltrack.predict_hourly(model, (local // 3600).astype("datetime64[h]"))
    fitted = caltrack.predict_hourly(model, (fit_local // 3600).astype("datetime64[h]"))
    sigma = float(np.nanstd(history - fitted))
    return rc.deviates(c, actual, expected, sigma), last, name


def _readings(databases: Databases, c: rc.Condition, now: int) -> tuple[np.ndarray, np.ndarray]:
    """The point's good readings from a day before its window to ``now``, oldest first."""
    with databases.system.connect() as conn:
        kind = conn.execute(sa.select(schema.points.c.object_type).where(schema.points.c.id == c.point_id)).scalar()
    table = historical.TRENDS.get(str(kind), historical.analog_values)
    start = now - int(c.minutes * 60) - 86400
    with databases.engines["historical"].connect() as conn:
        rows = conn.execute(sa.select(epoch_seconds(table.c.utc_date_time, conn.dialect.name), table.c.actual_value)
                            .where(table.c.point_id == c.point_id, table.c.is_bad.is_(False),
                                   table.c.actual_value.is_not(None), table.c.utc_date_time >= to_datetime(start),
                                   table.c.utc_date_time < to_datetime(now + 1))
                            .order_by(table.c.utc_date_time)).all()
    return (np.array([int(r[0]) for r in rows], dtype=np.int64), np.array([float(r[1]) for r in rows]))


def _name(conn: Connection, c: rc.Condition) -> str | None:
    table = schema.points if c.point_id is not None else METER_TABLES[c.meter_type]
    found = conn.execute(sa.select(table.c.name).where(table.c.id == (c.point_id or c.meter_id))).scalar()
    return str(found) if found is not None else None


def _days_off(conn: Connection) -> set[str]:
    days = schema.non_working_days
    return {str(d)[:10] for d in conn.execute(sa.select(days.c.date_local)).scalars()}


def _raise(conn: Connection, rule: Any, c: rc.Condition, name: str, value: float | None, now: datetime) -> None:
    threshold = c.above if c.above is not None else c.below
    subject = f"{rule.name}: {name}"
    body = Template(str(rule.message_template)).safe_substitute(
        s1=name, name=name, value="" if value is None else f"{value:g}", rule=rule.name,
        threshold="" if threshold is None else f"{threshold:g}", time=now.strftime("%Y-%m-%d %H:%M:%S UTC"))
    conn.execute(sa.insert(mt.fdd_faults).values(rule_id=rule.id, object_key=c.object_key, subject=subject,
                                                 message=body, value=value, raised_datetime_utc=now))
    u = schema.users
    for user in conn.execute(sa.select(u.c.id, u.c.display_name, u.c.email, u.c.phone).where(
            u.c.id.in_(c.recipients))).all():
        queued = {"rule_id": rule.id, "recipient_name": user.display_name, "created_datetime_utc": now,
                  "scheduled_datetime_utc": now, "status": "new"}
        if rule.channel == "EMAIL":
            conn.execute(sa.insert(mt.email_messages).values(recipient_email=user.email, subject=subject,
                                                             message=body, attempts=0, **queued))
        elif rule.channel == "SMS" and user.phone:
            conn.execute(sa.insert(mt.text_messages).values(recipient_mobile=user.phone, message=body, **queued))
        else:
            conn.execute(sa.insert(mt.web_messages).values(user_id=user.id, subject=subject, message=body,
                                                           priority=rule.priority, created_datetime_utc=now,
                                                           start_datetime_utc=now, status="new", reply=None))
