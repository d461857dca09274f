"""Field types of the resource engine: what each accepts, what it refuses, and how it renders."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from myems_api.engine.fields import (
    MAX_MAGNITUDE,
    Bool,
    Choice,
    Context,
    Email,
    Int,
    Invalid,
    JsonText,
    LocalDateTime,
    Name,
    Number,
    Ref,
    Text,
    UtcDateTime,
    parse_id,
)

CTX = Context()
BEIJING = Context(tz=timezone(timedelta(hours=8)))


def refuses(field, raw, ctx: Context = CTX) -> None:
    """The field refuses ``raw`` with an :class:`Invalid` naming its key."""
    with pytest.raises(Invalid) as caught:
        field.parse(raw, ctx)
    assert str(caught.value) == field.key


# ---------------------------------------------------------------------------- Text
def test_text_trims_surrounding_whitespace():
    assert Text("name").parse("  柴油 \t", CTX) == "柴油"


def test_text_bounds_the_trimmed_length():
    field = Text("code", max_len=4)
    assert field.parse("abcd", CTX) == "abcd"
    assert field.parse("  abcd  ", CTX) == "abcd"
    refuses(field, "abcde")


def test_text_bounds_count_characters_not_bytes():
    assert Text("code", max_len=2).parse("柴油", CTX) == "柴油"


@pytest.mark.parametrize("raw", ["", "   ", None, 3, 1.5, True, ["a"], {"a": 1}])
def test_required_text_refuses_blank_and_non_strings(raw):
    refuses(Text("name"), raw)


def test_optional_text_turns_blank_into_none():
    field = Text("description", required=False)
    assert field.parse("   ", CTX) is None
    assert field.parse(" note ", CTX) == "note"


def test_text_with_a_pattern_refuses_what_does_not_match():
    field = Text("utc_offset", max_len=6, pattern=r"[+-](0\d|1[0-4]):[0-5]\d")
    assert field.parse("+08:00", CTX) == "+08:00"
    for raw in ("+8:00", "+15:00", "08:00", "+08:60", "+08:00x"):
        refuses(field, raw)


def test_name_is_a_unique_required_text():
    field = Name()
    assert (field.key, field.unique, field.required, field.max_len) == ("name", True, True, 255)


@pytest.mark.parametrize("raw", ["albert@myems.io", "a.b+c@mail.example.cn"])
def test_email_accepts_addresses(raw):
    assert Email().parse(raw, CTX) == raw


@pytest.mark.parametrize("raw", ["albert", "albert@myems", "@myems.io", "al bert@myems.io", "a@b@c.io",
                                 "x" * 65 + "@myems.io"])
def test_email_refuses_what_is_not_an_address(raw):
    refuses(Email(), raw)


# ---------------------------------------------------------------------------- Number and Int
@pytest.mark.parametrize(("raw", "value"), [(0.1229, 0.1229), (3, 3.0), ("0.5", 0.5), (" 2 ", 2.0), (0, 0.0)])
def test_number_accepts_numbers_and_numeric_strings(raw, value):
    assert Number("kgce").parse(raw, CTX) == value


@pytest.mark.parametrize("raw", [True, False, math.nan, math.inf, -math.inf, "nan", "NaN", "inf", "-Infinity",
                                 "abc", "", None, [1], {"v": 1}])
def test_number_refuses_booleans_non_finite_and_non_numeric_values(raw):
    refuses(Number("kgce"), raw)


def test_number_refuses_magnitudes_the_decimal_columns_cannot_hold():
    field = Number("capacity")
    assert field.parse(MAX_MAGNITUDE - 1, CTX) == MAX_MAGNITUDE - 1
    refuses(field, MAX_MAGNITUDE)
    refuses(field, -MAX_MAGNITUDE)
    refuses(field, 1e300)


def test_number_bounds_are_inclusive():
    field = Number("ratio", min=0, max=1)
    assert field.parse(0, CTX) == 0
    assert field.parse(1, CTX) == 1
    refuses(field, -0.001)
    refuses(field, 1.001)


@pytest.mark.parametrize(("raw", "value"), [(3, 3), ("4", 4), (2.0, 2), (-7, -7)])
def test_int_accepts_whole_numbers(raw, value):
    parsed = Int("port").parse(raw, CTX)
    assert parsed == value and isinstance(parsed, int)


@pytest.mark.parametrize("raw", [2.5, "2.5", True, None, "x"])
def test_int_refuses_fractions_booleans_and_non_numbers(raw):
    refuses(Int("port"), raw)


def test_int_honours_its_bounds():
    field = Int("port", min=1, max=65535)
    assert field.parse(65535, CTX) == 65535
    refuses(field, 0)
    refuses(field, 65536)


# ---------------------------------------------------------------------------- Bool and Choice
@pytest.mark.parametrize("raw", [True, False])
def test_bool_accepts_json_booleans(raw):
    assert Bool("is_counted").parse(raw, CTX) is raw


@pytest.mark.parametrize("raw", [1, 0, "true", "false", "1", None, 1.0])
def test_bool_is_strict(raw):
    refuses(Bool("is_counted"), raw)


def test_bool_renders_stored_integers_as_booleans():
    field = Bool("is_counted")
    assert field.render(1, CTX) is True
    assert field.render(0, CTX) is False
    assert field.render(None, CTX) is None


def test_choice_accepts_only_its_choices():
    field = Choice("status", choices=("new", "done"))
    assert field.parse("done", CTX) == "done"
    for raw in ("DONE", "error", None, 1):
        refuses(field, raw)


# ---------------------------------------------------------------------------- ids and references
@pytest.mark.parametrize(("raw", "value"), [("3", 3), (3, 3), (" 12 ", 12), (2**63 - 1, 2**63 - 1)])
def test_parse_id_accepts_positive_integers_and_decimal_strings(raw, value):
    assert parse_id(raw) == value


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", True, False, 0, -1, 1.5, 3.0, None, "", "abc", "1e3", "0x10",
                                 2**63, "9" * 19, "9" * 30, [3]])
def test_parse_id_refuses_what_is_not_a_positive_integer(raw):
    with pytest.raises(Invalid):
        parse_id(raw)


def test_a_reference_reads_key_id_and_stores_it_in_key_id():
    field = Ref("energy_category")
    assert (field.input_key, field.column, field.target) == ("energy_category_id", "energy_category_id",
                                                            "energy_category")
    assert field.parse("3", CTX) == 3
    refuses(field, "0")
    refuses(field, True)


def test_a_reference_may_name_another_family():
    assert Ref("master_meter", family="meter").target == "meter"


# ---------------------------------------------------------------------------- datetimes
def test_local_datetime_converts_local_time_to_naive_utc():
    field = LocalDateTime("start_datetime")
    assert field.column == "start_datetime_utc"
    assert field.parse("2024-01-01T08:00:00", BEIJING) == datetime(2024, 1, 1, 0, 0)
    assert field.parse("2024-01-01T03:30:00", BEIJING) == datetime(2023, 12, 31, 19, 30)


def test_local_datetime_renders_naive_utc_as_local_time():
    field = LocalDateTime("start_datetime")
    assert field.render(datetime(2023, 12, 31, 19, 30), BEIJING) == "2024-01-01T03:30:00"
    assert field.render(None, BEIJING) is None


@pytest.mark.parametrize("local", ["2024-02-29T23:59:59", "2024-06-15T00:00:00", "1999-12-31T16:00:00"])
def test_local_datetime_round_trips(local):
    field = LocalDateTime("start_datetime")
    assert field.render(field.parse(local, BEIJING), BEIJING) == local


def test_local_datetime_honours_an_explicit_offset_and_drops_microseconds():
    field = LocalDateTime("start_datetime")
    assert field.parse("2024-01-01T08:00:00+00:00", BEIJING) == datetime(2024, 1, 1, 8, 0)
    assert field.parse("2024-01-01T08:00:00Z", BEIJING) == datetime(2024, 1, 1, 8, 0)
    assert field.parse("2024-01-01T08:00:00.987654", BEIJING) == datetime(2024, 1, 1, 0, 0)
    assert field.parse("2024-01-01T08:00:00", BEIJING).tzinfo is None


@pytest.mark.parametrize("raw", ["not a date", "2024-13-01T00:00:00", "", 20240101, None,
                                 "0001-01-01T00:00:00", "9999-12-31T23:59:59", "x" * 41])
def test_local_datetime_refuses_what_is_not_a_storable_datetime(raw):
    refuses(LocalDateTime("start_datetime"), raw, BEIJING)


def test_utc_datetime_ignores_the_local_offset():
    field = UtcDateTime("expires_datetime_utc")
    assert field.parse("2024-01-01T08:00:00", BEIJING) == datetime(2024, 1, 1, 8, 0)
    assert field.render(datetime(2024, 1, 1, 8, 0), BEIJING) == "2024-01-01T08:00:00"
    assert field.column == "expires_datetime_utc"


def test_the_default_context_is_utc():
    assert CTX.tz == UTC
    assert LocalDateTime("t").parse("2024-01-01T08:00:00", CTX) == datetime(2024, 1, 1, 8, 0)


# ---------------------------------------------------------------------------- JSON text
def test_json_text_keeps_a_json_string_as_sent():
    raw = '{"host":"10.1.2.88", "port":502}'
    assert JsonText("connection").parse(raw, CTX) == raw


@pytest.mark.parametrize("raw", [{"host": "10.1.2.88", "port": 502}, [1, 2, 3], {"名称": "值"}])
def test_json_text_serialises_an_object_or_list(raw):
    text = JsonText("connection").parse(raw, CTX)
    assert isinstance(text, str)
    assert json.loads(text) == raw


def test_json_text_keeps_non_ascii_readable():
    assert "名称" in JsonText("connection").parse({"名称": "值"}, CTX)


@pytest.mark.parametrize("raw", ["{host: 1}", "{", "", "not json", 5, True, None])
def test_json_text_refuses_invalid_json_and_other_values(raw):
    refuses(JsonText("connection"), raw)


def test_json_text_bounds_its_length():
    field = JsonText("connection", max_len=10)
    assert field.parse('"12345678"', CTX) == '"12345678"'
    refuses(field, '"123456789"')
    refuses(field, {"key": "value"})
