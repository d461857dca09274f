"""MQTT payload parsing: each documented form and each refusal, one rule per test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from acquisition.mqtt_payloads import (
    INVALID_VALUE,
    MALFORMED,
    OVERSIZED,
    UNKNOWN_POINT,
    Parsed,
    SourcePoints,
    number,
    parse,
    parse_utc,
)
from acquisition.readings import PointSpec, Reading

RECEIVED = datetime(2026, 3, 1, 12, 0, 0, 500000)
POINTS = SourcePoints.of([
    PointSpec(1, "ANALOG_VALUE", {"topic": "gw/any"}),
    PointSpec(2, "ANALOG_VALUE", {"topic": "gw/any"}, ratio=2.0, offset_constant=1.0),
    PointSpec(3, "ANALOG_VALUE", {"topic": "gw/any"}, high_limit=100.0, low_limit=0.0),
    PointSpec(4, "ENERGY_VALUE", {"topic": "meter/4", "value_path": "data.values.1"}),
    PointSpec(5, "ANALOG_VALUE", {"topic": "raw/5"}),
    PointSpec(6, "ANALOG_VALUE", {"topic": "meter/6", "value_path": "power"}),
    PointSpec(7, "ANALOG_VALUE", {"topic": "meter/6", "value_path": "energy.total"}),
    PointSpec(8, "ANALOG_VALUE", {}),
])


def run(payload: Any, topic: str = "gw/data", **kwargs: Any) -> Parsed:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parse(topic, raw, POINTS, RECEIVED, **kwargs)


def kinds(parsed: Parsed) -> list[str]:
    return [p.kind for p in parsed.problems]


def test_object_form_gives_a_reading_stamped_with_the_receive_time() -> None:
    assert run({"point_id": 1, "value": 3.2}) == Parsed([Reading(1, RECEIVED, 3.2, True)], [])


def test_object_form_keeps_its_utc_date_time_to_the_millisecond() -> None:
    parsed = run({"point_id": 1, "value": 1, "utc_date_time": "2026-01-01T00:15:00.123456"})
    assert parsed.readings[0].utc == datetime(2026, 1, 1, 0, 15, 0, 123000)


@pytest.mark.parametrize(("stamp", "utc"), [
    ("2026-01-01T01:15:00+01:00", datetime(2026, 1, 1, 0, 15)),
    ("2026-01-01T00:15:00.250Z", datetime(2026, 1, 1, 0, 15, 0, 250000)),
    ("2026-01-01 00:15:00", datetime(2026, 1, 1, 0, 15)),
])
def test_utc_date_time_offsets_are_converted_to_naive_utc(stamp: str, utc: datetime) -> None:
    assert run({"point_id": 1, "value": 1, "utc_date_time": stamp}).readings[0].utc == utc


def test_null_utc_date_time_means_the_receive_time() -> None:
    assert run({"point_id": 1, "value": 1, "utc_date_time": None}).readings[0].utc == RECEIVED


@pytest.mark.parametrize("stamp", ["yesterday", 1767225600, "2026-13-01T00:00:00"])
def test_unreadable_utc_date_time_is_malformed(stamp: Any) -> None:
    parsed = run({"point_id": 1, "value": 1, "utc_date_time": stamp})
    assert parsed.readings == [] and kinds(parsed) == [MALFORMED]


def test_list_form_gives_one_reading_per_object() -> None:
    parsed = run([{"point_id": 1, "value": 1}, {"point_id": 5, "value": "2.5"}])
    assert [(r.point_id, r.value) for r in parsed.readings] == [(1, 1.0), (5, 2.5)] and parsed.problems == []


def test_list_form_keeps_the_good_items_of_a_partly_bad_list() -> None:
    parsed = run([{"point_id": 1, "value": 1}, {"point_id": 99, "value": 1}, "x", {"point_id": 5, "value": None}])
    assert [r.point_id for r in parsed.readings] == [1]
    assert kinds(parsed) == [UNKNOWN_POINT, MALFORMED, INVALID_VALUE]


def test_an_empty_list_is_no_reading_and_no_problem() -> None:
    assert run([]) == Parsed([], []) and run([], topic="meter/6") == Parsed([], [])


def test_value_path_picks_through_keys_and_list_indexes() -> None:
    parsed = run({"data": {"values": [1.5, 7.25]}}, topic="meter/4")
    assert parsed == Parsed([Reading(4, RECEIVED, 7.25, True)], [])


def test_without_value_path_the_payload_is_the_number() -> None:
    assert run(b" 42\n", topic="raw/5").readings == [Reading(5, RECEIVED, 42.0, True)]
    assert run(b'"42.5"', topic="raw/5").readings == [Reading(5, RECEIVED, 42.5, True)]


def test_every_point_addressed_to_the_topic_picks_its_own_value() -> None:
    parsed = run({"power": 3, "energy": {"total": "1234.5"}}, topic="meter/6")
    assert [(r.point_id, r.value) for r in parsed.readings] == [(6, 3.0), (7, 1234.5)]


def test_a_missing_value_path_is_a_problem_for_that_point_only() -> None:
    parsed = run({"power": 3}, topic="meter/6")
    assert [r.point_id for r in parsed.readings] == [6] and kinds(parsed) == [MALFORMED]


@pytest.mark.parametrize("document", [{"data": {"values": [1]}}, {"data": {"values": {"0": 1}}}, {"data": 5}, [1, 2],
                                      "text"])
def test_a_path_that_does_not_reach_a_value_is_malformed(document: Any) -> None:
    assert kinds(run(document, topic="meter/4")) == [MALFORMED]


def test_a_digit_key_also_reads_an_object_key() -> None:
    assert run({"data": {"values": {"1": 9}}}, topic="meter/4").readings[0].value == 9.0


def test_the_point_id_form_is_read_by_point_id_even_on_a_topic_that_addresses_points() -> None:
    assert run({"point_id": 1, "value": 3}, topic="raw/5").readings == [Reading(1, RECEIVED, 3.0, True)]
    parsed = run([{"point_id": 2, "value": 1}, {"point_id": 99, "value": 1}], topic="meter/6")
    assert [r.point_id for r in parsed.readings] == [2] and kinds(parsed) == [UNKNOWN_POINT]


def test_a_list_without_point_ids_on_an_addressed_topic_is_a_value_path_document() -> None:
    parsed = parse("lists/9", b"[1.5, 7.25]", SourcePoints.of([PointSpec(9, "ANALOG_VALUE",
                                                                         {"topic": "lists/9", "value_path": "1"})]),
                   RECEIVED)
    assert parsed == Parsed([Reading(9, RECEIVED, 7.25, True)], [])


def test_a_point_without_topic_is_still_reachable_by_point_id() -> None:
    assert run({"point_id": 8, "value": 1}).readings[0].point_id == 8


def test_an_unknown_point_id_is_a_problem_not_a_reading() -> None:
    parsed = run({"point_id": 99, "value": 1})
    assert parsed.readings == [] and kinds(parsed) == [UNKNOWN_POINT]


@pytest.mark.parametrize("item", [{"point_id": True, "value": 1}, {"point_id": "1", "value": 1},
                                  {"point_id": 1.0, "value": 1}, {"value": 1}, {"point_id": 1}, 3.2, None])
def test_an_item_without_an_integer_point_id_and_a_value_is_malformed(item: Any) -> None:
    assert kinds(run(item)) == [MALFORMED]


@pytest.mark.parametrize("value", [True, False, None, "abc", "", "nan", "inf", [1], {"v": 1}, 10**400])
def test_values_must_be_finite_numbers(value: Any) -> None:
    parsed = run({"point_id": 1, "value": value})
    assert parsed.readings == [] and kinds(parsed) == [INVALID_VALUE]


@pytest.mark.parametrize("payload", [b'{"point_id": 1, "value": NaN}', b'{"point_id": 1, "value": Infinity}',
                                     b'{"point_id": 1, "value": 1e400}'])
def test_json_non_finite_numbers_are_refused(payload: bytes) -> None:
    assert kinds(run(payload)) == [INVALID_VALUE]


@pytest.mark.parametrize(("value", "expected"), [("3.5", 3.5), (" -2 ", -2.0), ("1e3", 1000.0), (7, 7.0)])
def test_numeric_strings_and_integers_are_accepted(value: Any, expected: float) -> None:
    assert number(value) == expected


def test_ratio_and_offset_are_applied() -> None:
    assert run({"point_id": 2, "value": 10}).readings[0].value == 21.0


def test_a_value_outside_the_limits_is_kept_but_flagged_bad() -> None:
    assert run({"point_id": 3, "value": 150}).readings == [Reading(3, RECEIVED, 150.0, False)]


def test_a_value_that_scales_past_the_float_range_is_refused() -> None:
    assert kinds(run({"point_id": 2, "value": 1e308})) == [INVALID_VALUE]


def test_an_oversized_payload_is_refused_before_parsing() -> None:
    payload = json.dumps({"point_id": 1, "value": 1, "pad": "x" * 100}).encode()
    assert kinds(run(payload, max_payload=len(payload) - 1)) == [OVERSIZED]
    assert run(payload, max_payload=len(payload)).readings[0].point_id == 1


@pytest.mark.parametrize("payload", [b"", b"not json", b'{"point_id": 1,', b"\xff\xfe\xfa", b"[" * 60000])
def test_malformed_payloads_are_a_problem_not_an_exception(payload: bytes) -> None:
    parsed = run(payload)
    assert parsed.readings == [] and kinds(parsed) == [MALFORMED]


def test_a_scalar_on_a_topic_that_addresses_no_point_is_malformed() -> None:
    assert kinds(run(b"3.2")) == [MALFORMED]


def test_problem_details_are_bounded() -> None:
    parsed = run({"point_id": 1, "value": "x" * 10_000})
    assert len(parsed.problems[0].detail) < 300


def test_parse_utc_refuses_non_text() -> None:
    assert parse_utc(None) is None and parse_utc(1.5) is None


def test_the_receive_time_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    reading = parse("gw/data", b'{"point_id": 1, "value": 1}', POINTS).readings[0]
    assert before <= reading.utc and reading.utc.microsecond % 1000 == 0
