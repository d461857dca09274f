"""One typed configuration for every process, read from ``MYEMS_*`` variables.

``config.env`` (KEY=VALUE lines, ``#`` comments) is the file form: values found there fill in what the
environment does not set, so a deployment can keep secrets in the environment and the rest in the file.
``config.env.example`` documents every setting; a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class ConfigError(ValueError):
    """A setting has a value the system cannot run with."""


def parse_utc_offset(text: str) -> timezone:
    """``+08:00`` / ``-03:30`` into a fixed-offset tzinfo; offsets beyond +-14:00 are refused."""
    match = _OFFSET.match(text.strip())
    if not match:
        raise ConfigError(f"MYEMS_UTC_OFFSET must look like +08:00, not {text!r}")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        raise ConfigError(f"MYEMS_UTC_OFFSET out of range: {text!r}")
    return timezone(-delta if sign == "-" else delta)


def _default_db_url() -> str:
    return f"sqlite:///{Path('var') / 'myems.sqlite'}"


@dataclass(frozen=True)
class Config:
    """Every setting, typed. Field ``foo_bar`` is read from ``MYEMS_FOO_BAR``."""

    db_url: str = field(default_factory=_default_db_url)
    historical_db_url: str = ""
    energy_db_url: str = ""
    db_pool_size: int = 8
    utc_offset: str = "+00:00"
    session_lifetime_minutes: int = 480
    auth_cache_seconds: float = 2.0
    max_failed_logins: int = 5
    lockout_minutes: int = 30
    min_password_length: int = 6
    scrypt_n: int = 2**14
    admin_password: str = ""
    upload_folder: str = "var/upload"
    spool_folder: str = "var/spool"
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 10_485_760
    max_push_values: int = 10_000
    max_report_days: int = 3700
    currency_unit: str = "CNY"  # the unit reports give costs and incomes in (MyEMS's config.currency_unit)
    cors_allowed_origins: tuple[str, ...] = ()
    mqtt_host: str = ""
    mqtt_port: int = 1883
    mqtt_username: str = ""
    mqtt_password: str = ""
    mqtt_timeout_seconds: float = 5.0
    # POST /ai/deepseek/chat: an OpenAI-compatible chat completions URL, its model and key (off when unset).
    ai_chat_url: str = ""
    ai_model: str = "deepseek-chat"
    ai_api_key: str = ""
    ai_timeout_seconds: float = 120.0
    log_level: str = "INFO"

    def __post_init__(self) -> None:
        if not self.historical_db_url:
            object.__setattr__(self, "historical_db_url", self.db_url)
        if not self.energy_db_url:
            object.__setattr__(self, "energy_db_url", self.db_url)
        parse_utc_offset(self.utc_offset)
        for name in ("db_pool_size", "session_lifetime_minutes", "max_failed_logins", "max_body_bytes",
                     "max_upload_bytes", "max_push_values", "max_report_days"):
            if getattr(self, name) < 1:
                raise ConfigError(f"MYEMS_{name.upper()} must be at least 1")
        if self.scrypt_n < 2 or self.scrypt_n & (self.scrypt_n - 1):
            raise ConfigError("MYEMS_SCRYPT_N must be a power of two")
        if "*" in self.cors_allowed_origins:
            raise ConfigError("MYEMS_CORS_ALLOWED_ORIGINS lists origins; '*' is not allowed")

    @property
    def tz(self) -> timezone:
        return parse_utc_offset(self.utc_offset)

    @property
    def store_urls(self) -> dict[str, str]:
        return {"system": self.db_url, "historical": self.historical_db_url, "energy": self.energy_db_url}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = None,
                 **overrides: Any) -> Config:
        """Environment first, then ``env_file`` (default ``config.env`` if present), then defaults."""
        environ = os.environ if environ is None else environ
        path = Path(env_file or environ.get("MYEMS_CONFIG_FILE", "config.env"))
        values: dict[str, str] = read_env_file(path) if path.is_file() else {}
        values.update({k: v for k, v in environ.items() if k.startswith("MYEMS_")})
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            raw = values.get(f"MYEMS_{f.name.upper()}")
            if raw is not None and raw != "":
                kwargs[f.name] = _coerce(f.name, str(f.type), raw)
        kwargs.update(overrides)
        return cls(**kwargs)


def _coerce(name: str, type_name: str, raw: str) -> Any:
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"MYEMS_{name.upper()}: {raw!r} is not a valid {type_name}") from exc
    return raw


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and ``#`` comments ignored; optional surrounding quotes removed."""
    result: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        result[key.strip()] = value
    return result
