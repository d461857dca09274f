import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from myems_api.config import Config, ConfigError, parse_utc_offset

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_config_env_example():
    documented = set(re.findall(r"MYEMS_[A-Z_]+", (ROOT / "config.env.example").read_text()))
    settings = {f"MYEMS_{f.name.upper()}" for f in dataclasses.fields(Config)}
    assert settings <= documented
    assert documented - {"MYEMS_CONFIG_FILE"} <= settings


def test_store_urls_default_to_the_main_url():
    config = Config.from_env({"MYEMS_DB_URL": "sqlite:///x.sqlite"}, env_file="/nonexistent")
    assert config.store_urls == {"system": "sqlite:///x.sqlite", "historical": "sqlite:///x.sqlite",
                                 "energy": "sqlite:///x.sqlite"}


def test_environment_wins_over_the_file_and_the_file_over_defaults(tmp_path):
    env_file = tmp_path / "config.env"
    env_file.write_text("# comment\nMYEMS_UTC_OFFSET=+08:00\nMYEMS_MAX_FAILED_LOGINS='7'\n")
    config = Config.from_env({"MYEMS_MAX_FAILED_LOGINS": "9"}, env_file=env_file)
    assert config.utc_offset == "+08:00"
    assert config.max_failed_logins == 9
    assert config.session_lifetime_minutes == 480


def test_cors_origins_are_a_list_and_empty_by_default():
    assert Config.from_env({}, env_file="/nonexistent").cors_allowed_origins == ()
    config = Config.from_env({"MYEMS_CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example"},
                             env_file="/nonexistent")
    assert config.cors_allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("env", [
    {"MYEMS_UTC_OFFSET": "8"}, {"MYEMS_UTC_OFFSET": "+15:00"}, {"MYEMS_MAX_BODY_BYTES": "lots"},
    {"MYEMS_CORS_ALLOWED_ORIGINS": "*"}, {"MYEMS_SCRYPT_N": "1000"}, {"MYEMS_SESSION_LIFETIME_MINUTES": "0"},
])
def test_unusable_settings_are_refused_with_a_config_error(env):
    with pytest.raises(ConfigError):
        Config.from_env(env, env_file="/nonexistent")


def test_utc_offsets_parse_with_sign_and_half_hours():
    assert parse_utc_offset("-03:30").utcoffset(None) == -timedelta(hours=3, minutes=30)
    assert parse_utc_offset("+05:45").utcoffset(None) == timedelta(hours=5, minutes=45)
