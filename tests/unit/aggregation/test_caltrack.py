"""The baseline models: exact on noiseless synthetic buildings, and held out on the sample meters OpenDSM
(the successor of eemeter) ships, which nobody here produced: the Illinois hourly and daily samples (simulated
by OpenDSM, 10 % less use after the blackout) and the UK hourly smart meters.

The samples are fetched once from PyPI (``pip download --no-deps opendsm==1.2.7``, 1.6 MB, data only: the
package is not installed) into ``$MYEMS_TEST_CACHE`` (default ``~/.cache/myems-ng``).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from aggregation import caltrack as ct

WHEEL = "opendsm==1.2.7"


@pytest.fixture(scope="session")
def samples() -> Path:
    cache = Path(os.environ.get("MYEMS_TEST_CACHE", Path.home() / ".cache" / "myems-ng")) / "opendsm-1.2.7"
    if not (cache / "metadata.json").exists():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d",
                               str(cache)], capture_output=True, text=True, timeout=300)
        wheels = list(cache.glob("opendsm-*.whl"))
        if done.returncode or not wheels:
            pytest.fail(f"could not fetch the sample meters ({WHEEL}) from PyPI: {done.stderr[-500:]}")
        with zipfile.ZipFile(wheels[0]) as archive:
            for name in archive.namelist():
                if "/samples/" in name and (name.endswith(".csv.gz") or name.endswith("metadata.json")):
                    (cache / Path(name).name).write_bytes(archive.read(name))
    return cache


def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(path, "rt") as f:
        rows = list(csv.reader(f))[1:]
    return (np.array([r[0][:19] for r in rows], dtype="datetime64[h]"),
            np.array([float(r[1]) if r[1] else np.nan for r in rows]))


def sample(samples: Path, name: str) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """(metadata, local hours or days, usage, outdoor °C aligned with them)."""
    meta = json.loads((samples / "metadata.json").read_text())[name]
    times, usage = read(samples / meta["meter_data_filename"])
    temp_times, temps = read(samples / meta["temperature_filename"])
    if "tempF" in meta["temperature_filename"]:
        temps = (temps - 32) / 1.8
    if meta["freq"] == "daily":
        days = temp_times.astype("datetime64[D]")
        means = {d: np.nanmean(temps[days == d]) for d in np.unique(days)}
        return meta, times.astype("datetime64[D]"), usage, np.array([means.get(d, np.nan) for d in
                                                                     times.astype("datetime64[D]")])
    where = {t: i for i, t in enumerate(temp_times)}
    return meta, times, usage, np.array([temps[where[t]] if t in where else np.nan for t in times])


def every_fourth_week(times: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Held out: every fourth week of the baseline, so every season is tested and none is fitted on."""
    weeks = (times - times[0]).astype("timedelta64[h]").astype(np.int64) // 168
    return baseline & (weeks % 4 == 3)


# ---------------------------------------------------------------------------------------- synthetic

HOURS = np.arange(np.datetime64("2026-01-05T00"), np.datetime64("2026-02-16T00"), dtype="datetime64[h]")  # Mondays


def office(hours: np.ndarray) -> np.ndarray:
    hour = hours.astype(np.int64) % 24
    weekday = ((hours.astype("datetime64[D]").astype(np.int64) + 3) % 7) < 5
    return np.where(weekday & (hour >= 8) & (hour < 18), 10.0, 2.0)


def test_the_time_of_week_model_reproduces_a_weekly_profile_exactly():
    model = ct.fit_hourly(HOURS, office(HOURS))
    ahead = HOURS + np.timedelta64(6 * 7 * 24, "h")
    assert np.allclose(ct.predict_hourly(model, ahead), office(ahead))
    assert model.stats.cvrmse == pytest.approx(0, abs=1e-9) and not model.uses_temperature


def test_a_non_working_day_takes_the_levels_of_a_sunday():
    holiday = HOURS.astype("datetime64[D]") == np.datetime64("2026-01-14")  # a Wednesday off
    usage = np.where(holiday, 2.0, office(HOURS))
    model = ct.fit_hourly(HOURS, usage, days_off=holiday)
    later = HOURS[:168] + np.timedelta64(6 * 7 * 24, "h")
    off = later.astype("datetime64[D]") == np.datetime64("2026-02-18")
    assert np.allclose(ct.predict_hourly(model, later, days_off=off)[off], 2.0)
    assert ct.predict_hourly(model, later, days_off=off)[~off].max() == pytest.approx(10.0)


def test_use_that_follows_the_outdoor_temperature_is_projected_onto_other_weather():
    rng = np.random.default_rng(7)
    temp = 15 + 10 * np.sin(np.arange(len(HOURS)) * 2 * np.pi / 24) + rng.normal(0, 3, len(HOURS))
    usage = office(HOURS) + 0.8 * np.maximum(temp - 20, 0)
    model = ct.fit_hourly(HOURS, usage, temp)
    hotter = temp + 5
    projected = ct.predict_hourly(model, HOURS, hotter)
    assert model.uses_temperature
    assert projected.sum() == pytest.approx((office(HOURS) + 0.8 * np.maximum(hotter - 20, 0)).sum(), rel=0.03)


def test_a_baseline_shorter_than_a_week_is_refused():
    with pytest.raises(ValueError, match="one week"):
        ct.fit_hourly(HOURS[:100], office(HOURS[:100]))


def test_the_daily_model_finds_heating_and_cooling_balance_points():
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2026-01-01"))
    temp_f = 50 + 30 * np.sin((np.arange(len(days)) - 100) * 2 * np.pi / 365)
    usage = 20 + 1.5 * np.maximum(55 - temp_f, 0) + 2.0 * np.maximum(temp_f - 70, 0)
    model = ct.fit_daily(days, usage, (temp_f - 32) / 1.8)
    assert model.kind == "hdd_cdd"
    assert (model.heating_balance_f, model.cooling_balance_f) == (pytest.approx(55, abs=1), pytest.approx(70, abs=1))
    assert model.stats.cvrmse < 0.01


def test_daily_use_that_ignores_the_weather_gets_the_intercept_only_model():
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-07-01"))
    rng = np.random.default_rng(1)
    model = ct.fit_daily(days, 100 + rng.normal(0, 5, len(days)), rng.normal(15, 8, len(days)))
    assert model.kind == "intercept_only" and model.coefficients[0] == pytest.approx(100, abs=2)


def test_fit_statistics_are_guideline_14s():
    actual, fitted = np.array([10.0, 12.0, 8.0, 10.0]), np.array([11.0, 11.0, 9.0, 9.0])
    stats = ct.fit_stats(actual, fitted, parameters=1)
    assert stats.cvrmse == pytest.approx(np.sqrt(4 / 3) / 10)
    assert stats.nmbe == pytest.approx(0 / 30)
    assert ct.fit_stats(actual, fitted + 1).nmbe == pytest.approx(-4 / (4 * 10))


def test_the_uncertainty_of_savings_shrinks_with_more_reporting_points_and_grows_with_autocorrelation():
    stats = ct.FitStats(n=8760, parameters=182, cvrmse=0.2, nmbe=0.0, r_squared=0.8, autocorrelation=0.0)
    one = ct.savings_uncertainty(stats, 1000.0, 100)
    assert one == pytest.approx(1.6449 * 1.26 * 0.2 * 1000 * np.sqrt((1 + 2 / 8760) / 100))
    assert ct.savings_uncertainty(stats, 1000.0, 400) == pytest.approx(one / 2, rel=1e-6)
    correlated = ct.FitStats(8760, 182, 0.2, 0.0, 0.8, 0.5)
    assert ct.savings_uncertainty(correlated, 1000.0, 100) == pytest.approx(one * np.sqrt(3), rel=1e-6)


# ------------------------------------------------------------------------------------------ samples

IL_HOURLY = ["il-electricity-cdd-hdd-hourly", "il-electricity-cdd-only-hourly", "il-gas-hdd-only-hourly",
             "il-gas-intercept-only-hourly"]
IL_DAILY = [name.replace("hourly", "daily") for name in IL_HOURLY]


@pytest.mark.parametrize("name", IL_DAILY)
def test_the_daily_model_of_an_illinois_sample_meets_guideline_14s_bias_on_held_out_weeks(samples, name):
    meta, days, usage, temp = sample(samples, name)
    baseline = days < np.datetime64(meta["blackout_start_date"])
    held = every_fourth_week(days, baseline)
    model = ct.fit_daily(days[baseline & ~held], usage[baseline & ~held], temp[baseline & ~held])
    stats = ct.fit_stats(usage[held], ct.predict_daily(model, days[held], temp[held]))
    assert abs(stats.nmbe) <= 0.10 and stats.cvrmse <= 0.40, stats


@pytest.mark.parametrize("name", IL_HOURLY)
def test_the_hourly_model_of_an_illinois_sample_is_unbiased_and_near_its_noise_floor(samples, name):
    """These samples' hours scatter around each day's mean by over 100 % (independent noise), so no model
    reaches Guideline 14's hourly CV(RMSE) <= 30 % on them; the floor is the CV(RMSE) left by an oracle
    that knows each held-out day's own mean."""
    meta, hours, usage, temp = sample(samples, name)
    baseline = hours < np.datetime64(meta["blackout_start_date"])
    held = every_fourth_week(hours, baseline)
    model = ct.fit_hourly(hours[baseline & ~held], usage[baseline & ~held], temp[baseline & ~held])
    stats = ct.fit_stats(usage[held], ct.predict_hourly(model, hours[held], temp[held]))
    day = hours[held].astype("datetime64[D]")
    means = {d: np.nanmean(usage[held][day == d]) for d in np.unique(day)}
    floor = ct.fit_stats(usage[held], np.array([means[d] for d in day])).cvrmse
    assert abs(stats.nmbe) <= 0.10, stats
    assert stats.cvrmse <= 1.15 * floor, (stats.cvrmse, floor)


@pytest.mark.parametrize("name", IL_HOURLY)
def test_the_ten_percent_saving_of_an_illinois_sample_is_measured_within_its_uncertainty(samples, name):
    meta, hours, usage, temp = sample(samples, name)
    baseline = hours < np.datetime64(meta["blackout_start_date"])
    after = np.datetime64(meta["blackout_end_date"]).astype("datetime64[h]")
    reporting = (hours >= after) & (hours < after + np.timedelta64(365 * 24, "h"))
    model = ct.fit_hourly(hours[baseline], usage[baseline], temp[baseline])
    projected = ct.predict_hourly(model, hours[reporting], temp[reporting])
    known = np.isfinite(projected) & np.isfinite(usage[reporting])
    expected = projected[known].sum()
    saving = (expected - usage[reporting][known].sum()) / expected
    uncertainty = ct.savings_uncertainty(model.stats, expected, int(known.sum())) / expected
    true = 1 - meta["annual_reporting_total_load"] / meta["annual_baseline_total_load"]
    assert abs(saving - true) <= 1.5 * uncertainty, (saving, uncertainty)
