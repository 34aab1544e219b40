"""Settings from the environment (12-factor): every value that differs between deployments."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    # A local .env is read for convenience; real environment variables always win.
    # Empty values count as unset, so `DATABASE_URL=` in .env keeps the SQLite default.
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_ignore_empty=True, extra="ignore"
    )

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'db.sqlite3'}"
    secret_key: str = ""
    debug: bool = False
    # NoDecode: the variable is a plain comma-separated list, not the JSON pydantic expects.
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1"]
    log_level: str = "info"

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def known_level(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("use one of critical, error, warning, info, debug")
        return level


@lru_cache
def get_settings() -> Settings:
    """Load the settings once; a bad environment stops the process with one readable line."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise SystemExit(f"error: invalid configuration: {problems}") from None


def require_secret_key(settings: Settings) -> None:
    """Refuse to serve without a secret in production rather than run with a guessable one."""
    if not settings.debug and not settings.secret_key:
        raise SystemExit(
            "error: SECRET_KEY is not set; set it to a long random value "
            "(or set DEBUG=true for local development)"
        )
