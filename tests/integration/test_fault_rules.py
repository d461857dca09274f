"""The rules engine against real readings and a real SMTP server (aiosmtpd): a fault is raised once while its
condition holds, delivered once, and cleared when the condition ends; each kind of condition fires on the
data that should fire it and not on the data just short of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from aggregation.rules import run_rules
from myems_api.db import energy, historical
from myems_api.db import message_tables as mt
from myems_api.mail import Sender
from tests.api.test_data_repair_files import electricity_meter
from tests.api.test_points import new_point, new_source
from tests.client import Api
from tests.integration.test_mail_sender import NOW_SETTINGS, Inbox, add_server, smtp_server

T0 = datetime(2026, 6, 1, 8, 0)  # a Monday, UTC (the test site's offset)


def rule(admin: Api, condition: dict[str, Any], channel: str = "WEB", **changes: Any) -> dict[str, Any]:
    body = {"name": "Supply too warm", "fdd_code": "REALTIME01", "category": "REALTIME", "priority": "HIGH",
            "channel": channel, "message_template": "$name is at $value, above $threshold",
            "is_enabled": True, "is_run_immediately": False,
            "expression": json.dumps({**condition, "recipients": [{"user_id": admin.user["id"]}]}), **changes}
    return admin.create("/rules", body)


def temperature_point(admin: Api, app: Any, minutes: dict[int, float]) -> dict[str, Any]:
    """An analog point with one reading a minute: ``minutes`` maps a minute after T0 to its value."""
    point = new_point(admin, new_source(admin)["id"], name="Supply Temperature", object_type="ANALOG_VALUE",
                      units="°C", high_limit=200, low_limit=-50, higher_limit=250, lower_limit=-60)
    with app.databases.engines["historical"].begin() as conn:
        conn.execute(sa.insert(historical.analog_values), [
            {"point_id": point["id"], "utc_date_time": T0 + timedelta(minutes=m), "actual_value": v, "is_bad": False}
            for m, v in minutes.items()])
    return point


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def count(app: Any, table: sa.Table) -> int:
    with app.databases.system.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_point_above_its_threshold_for_twenty_minutes_raises_one_fault_and_one_email_and_clears(app, admin):
    # 20 °C for 10 minutes, 30 °C for the next 20, then 20 °C again; the rule wants 15 minutes above 25 °C
    point = temperature_point(admin, app, {m: 30.0 if 10 <= m < 30 else 20.0 for m in range(45)})
    made = rule(admin, {"type": "threshold", "point_id": point["id"], "above": 25, "minutes": 15}, channel="EMAIL")
    runs = {m: run_rules(app.databases, now=at(m), only=made["id"])[0] for m in (5, 20, 26, 28, 29.5, 36, 40)}
    assert [m for m, r in runs.items() if r.raised] == [26]  # 10 + 15 minutes: held from the first 30 °C reading
    assert [m for m, r in runs.items() if r.cleared] == [36]
    assert [m for m, r in runs.items() if r.holding] == [26, 28, 29.5]
    assert count(app, mt.email_messages) == 1 and count(app, mt.fdd_faults) == 1

    inbox = Inbox()
    with smtp_server(inbox) as port:
        add_server(admin, port)
        report = Sender(app.databases.system, NOW_SETTINGS).run_once()
    assert report.sent == 1
    [mail] = inbox.messages()
    assert mail["Subject"] == "Supply too warm: Supply Temperature"
    assert "Supply Temperature is at 30, above 25" in mail.get_content()
    faults = admin.get("/reports/fddfault", query_string="startdatetime=2026-06-01T00:00:00&enddatetime="
                       "2026-06-02T00:00:00").json
    assert faults["summary"] == {"total": 1, "active": 0, "cleared": 1}
    [fault] = faults["faults"]
    assert (fault["raised_datetime"], fault["cleared_datetime"]) == ("2026-06-01T08:26:00", "2026-06-01T08:36:00")
    assert (fault["rule_name"], fault["priority"], fault["object"]) == ("Supply too warm", "HIGH",
                                                                        f"point:{point['id']}")


def test_a_fault_raised_before_a_restart_is_not_raised_again(app, admin):
    point = temperature_point(admin, app, {m: 30.0 for m in range(30)})
    made = rule(admin, {"type": "threshold", "point_id": point["id"], "above": 25, "minutes": 5})
    assert run_rules(app.databases, now=at(10), only=made["id"])[0].raised
    assert not run_rules(app.databases, now=at(12), only=made["id"])[0].raised  # a new runner reads the state
    assert count(app, mt.web_messages) == 1


def test_put_run_runs_the_rule_now_and_answers_what_it_raised(app, admin):
    point = new_point(admin, new_source(admin)["id"], name="Boiler Heartbeat", object_type="ANALOG_VALUE",
                      units="", high_limit=10, low_limit=0, higher_limit=10, lower_limit=0)
    made = rule(admin, {"type": "no_data", "point_id": point["id"], "minutes": 30})
    first = admin.put(f"/rules/{made['id']}/run", {})
    assert first.status_code == 200, first.json
    assert first.json["raised"] == [f"point:{point['id']}"]
    assert admin.put(f"/rules/{made['id']}/run", {}).json["raised"] == []
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.databases.engines["historical"].begin() as conn:
        conn.execute(sa.insert(historical.analog_values).values(point_id=point["id"], utc_date_time=now,
                                                                actual_value=1, is_bad=False))
    assert admin.put(f"/rules/{made['id']}/run", {}).json["cleared"] == [f"point:{point['id']}"]
    assert admin.get(f"/rules/{made['id']}").json["last_run_datetime"] is not None
    assert count(app, mt.web_messages) == 1


def meter_with_hours(admin: Api, app: Any, values: dict[datetime, float]) -> dict[str, Any]:
    meter = electricity_meter(admin, "Chiller")
    with app.databases.engines["energy"].begin() as conn:
        conn.execute(sa.insert(energy.meter_hourly), [
            {"meter_type": "meter", "meter_id": meter["id"], "start_datetime_utc": h, "actual_value": v, "flags": 0}
            for h, v in values.items()])
    return meter


def office(hour: datetime) -> float:
    return 10.0 if hour.weekday() < 5 and 8 <= hour.hour < 18 else 2.0


def test_energy_far_above_its_baseline_for_two_hours_is_a_deviation(app, admin):
    start = T0 - timedelta(weeks=9)
    hours = [start + timedelta(hours=h) for h in range(9 * 168)]
    values = {h: office(h) + (0.2 if h.hour % 2 else -0.2) for h in hours}
    values[T0 - timedelta(hours=2)] = values[T0 - timedelta(hours=1)] = 30.0  # 06:00 and 07:00 on a Monday
    meter = meter_with_hours(admin, app, values)
    made = rule(admin, {"type": "deviation", "meter_id": meter["id"], "sigma": 3, "minutes": 120})
    assert run_rules(app.databases, now=T0, only=made["id"])[0].raised == [f"meter:{meter['id']}"]
    assert run_rules(app.databases, now=T0 + timedelta(hours=1), only=made["id"])[0].cleared  # 08:00 is normal


def test_energy_used_outside_working_hours_breaks_the_schedule_but_inside_them_does_not(app, admin):
    day = datetime(2026, 6, 2)  # a Tuesday
    values = {day + timedelta(hours=h): (5.0 if h in (7, 22) else office(day + timedelta(hours=h))) for h in range(24)}
    meter = meter_with_hours(admin, app, values)
    made = rule(admin, {"type": "schedule", "meter_id": meter["id"], "working_hours": ["08:00", "18:00"],
                        "above": 3, "minutes": 60})
    runs = [run_rules(app.databases, now=day + timedelta(hours=h), only=made["id"])[0] for h in (8, 9, 12, 23)]
    assert [bool(r.holding) for r in runs] == [True, False, False, True]  # 07:00 and 22:00 used 5 kWh


@pytest.mark.parametrize(("condition", "reason"), [
    ({"type": "threshold", "point_id": 1}, "above or below"),
    ({"type": "deviation", "point_id": 1}, "meter_id"),
    ({"type": "weather"}, "type must be"),
    ({"type": "schedule", "meter_id": 1, "above": 1, "working_hours": ["18:00", "08:00"]}, "start before"),
])
def test_an_expression_the_engine_cannot_read_is_refused_with_the_reason(admin, condition, reason):
    made = rule(admin, condition)
    result = admin.put(f"/rules/{made['id']}/run", {})
    assert result.status_code == 400 and result.json["description"] == "API.INVALID_RULE_EXPRESSION"
    assert reason in json.dumps(result.json)


def test_myems_rules_once_runs_the_due_rules_and_says_what_each_did(app, admin, config, monkeypatch, capsys):
    from myems_api.cli import main

    point = new_point(admin, new_source(admin)["id"], name="Silent Sensor", object_type="ANALOG_VALUE", units="",
                      high_limit=10, low_limit=0, higher_limit=10, lower_limit=0)
    made = rule(admin, {"type": "no_data", "point_id": point["id"], "minutes": 10})
    broken = rule(admin, {"type": "weather"}, name="Broken")
    monkeypatch.setenv("MYEMS_DB_URL", config.db_url)
    assert main(["rules", "--once"]) == 1  # one rule cannot be read
    out = capsys.readouterr().out
    assert f"rule {made['id']}: raised 1, cleared 0, holding 1" in out
    assert f"rule {broken['id']}: API.INVALID_RULE_EXPRESSION" in out
    assert main(["rules", "--once"]) == 1 and "raised 1" not in capsys.readouterr().out  # not due again yet
