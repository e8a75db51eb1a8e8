"""Deployment settings: what differs between installations, not between councils' rules.

Only the database URL and whether demo mode may run on a database holding real data live here
(sign-in is Streamlit's own `[auth]` table in secrets.toml, read by Streamlit). Every rule a
council sets (midway policy, grace days, months as days, the case-note title ...) is the stored
policy, edited on the Settings page (`services.casework.council_settings`), so a change needs no
restart. Sources, first found wins: the environment (`DATABASE_URL`, `DEMO_MODE_ON_REAL_DATA`),
then `.streamlit/secrets.toml` (`database_url`, `demo_mode_on_real_data`), then the defaults (the
embedded SQLite file; demo mode refuses real data). A bad value is refused with one line naming
the key, where it came from and the value (`SettingsError`, which the CLI prints and exits 2 on),
never a traceback.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from services.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_SQLITE = ROOT / "data" / "midway.db"


class SettingsError(UsageError):
    """A deployment setting with a bad value: `key`, where it came from, and the value."""

    def __init__(self, key: str, value: object, message: str) -> None:
        super().__init__(f"{key}={value!r}: {message}")
        self.key, self.value, self.message = key, value, message


class DeploymentSettings(BaseSettings):
    """Typed deployment settings (pydantic-settings): the environment, then secrets.toml."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, env_ignore_empty=True, toml_file=SECRETS)

    database_url: str = f"sqlite:///{DEFAULT_SQLITE}"
    # Without `[auth]` Midway runs in demo mode (anyone picks whom they act as), so it refuses a
    # database holding anything but the demo caseload unless this says so (a pilot on copied data,
    # on a machine nobody else reaches). DEMO_MODE_ON_REAL_DATA=true, or demo_mode_on_real_data in
    # secrets.toml.
    demo_mode_on_real_data: bool = False
    # Signed-in emails that are administrators even with no staff row: the first sign-in of a new
    # installation, before any staff (with emails) are imported. ADMIN_EMAILS='["it@council.gov.uk"]'.
    admin_emails: list[str] = []

    @field_validator("database_url")
    @classmethod
    def _is_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        text = value.strip()
        try:
            url = make_url(text)
        except ArgumentError:
            raise ValueError(
                "not a database URL (e.g. sqlite:///data/midway.db or postgresql+psycopg://user@host/db)"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"Midway runs on SQLite or PostgreSQL, not {url.get_backend_name()}")
        return text

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _Secrets(settings_cls)


class _Secrets(TomlConfigSettingsSource):
    """secrets.toml's `database_url`, also when written `DATABASE_URL` (older examples did); other
    tables ([auth], [connections]) are Streamlit's and ignored here."""

    def __call__(self) -> dict[str, object]:
        data = super().__call__()
        if "database_url" not in data and "DATABASE_URL" in data:
            data = {**data, "database_url": data["DATABASE_URL"]}
        return {k: v for k, v in data.items() if k in ("database_url", "demo_mode_on_real_data", "admin_emails")}


def load_settings(secrets_path: Path | None = None) -> DeploymentSettings:
    """The deployment settings, or `SettingsError` naming the bad key, its source and value. An
    empty DATABASE_URL counts as unset (a blank line in a service file should not stop the app)."""
    secrets = secrets_path or SECRETS
    cls = DeploymentSettings
    if secrets_path is not None:
        config = SettingsConfigDict(**{**DeploymentSettings.model_config, "toml_file": secrets_path})  # type: ignore[typeddict-item]
        cls = type("DeploymentSettings", (DeploymentSettings,), {"model_config": config})
    from_env = bool(os.environ.get("DATABASE_URL"))
    try:
        return cls()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err.get("loc", ("database_url",))[0])
        in_env = from_env if field == "database_url" else bool(os.environ.get(field.upper()))
        key = field.upper() if in_env else f"{field} in {secrets}"
        raise SettingsError(key, err.get("input"), str(err.get("msg", "")).removeprefix("Value error, ")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(str(secrets), "...", f"is not valid TOML ({exc})") from None


def demo_mode_on_real_data(secrets_path: Path | None = None) -> bool:
    """Whether demo mode may start on a database holding non-demo data (default: no)."""
    return load_settings(secrets_path).demo_mode_on_real_data


def admin_emails(secrets_path: Path | None = None) -> frozenset[str]:
    """The bootstrap administrators' emails, lower-case."""
    return frozenset(e.strip().lower() for e in load_settings(secrets_path).admin_emails if e.strip())


def database_url(secrets_path: Path | None = None) -> str:
    """The configured database URL (see the module docstring)."""
    return load_settings(secrets_path).database_url
