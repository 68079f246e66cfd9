"""Configuration from the environment (and .env): validated once, at start-up, with clear errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Zalo's tokens look like "<digits>:<letters>" in every published sample, but the shape is not documented:
# checked loosely (it goes into a URL path, so no spaces, slashes or query characters).
ZALO_TOKEN_PATTERN = re.compile(r"^[^\s/?#]{8,}$")
ZALO_WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,256}$")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/camket.db"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
HEALTH_PATH = "/healthz"


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://, sqlite:///) and pick the async driver."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
        return url
    raise ValueError("must start with postgresql:// or sqlite:///")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Literal["vi", "en"] = "vi"
    webhook_url: AnyHttpUrl | None = None
    # validate_default: checked even when unset, since a webhook without a secret would take anyone's POSTs
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    # The web pages' address as people reach it (behind a reverse proxy: its https:// address), without a
    # trailing slash: sign-in links are built on it. The pages are served at its root.
    public_url: str = DEFAULT_PUBLIC_URL
    # Where the one web server listens (pages, /healthz, Telegram's webhook), in both Telegram modes.
    webhook_listen: str = "0.0.0.0"  # noqa: S104 - a webhook must listen beyond loopback
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Telegram's overall limit is about 30 messages a second; paid broadcasts raise it up to 1 000.
    telegram_rate_limit: int = Field(default=30, ge=1, le=1000)
    # How long an outbox row claimed by a dispatcher stays its own without renewal: after a crash, how
    # long until another (or the restarted) process takes it over.
    outbox_lease_seconds: float = Field(default=30, ge=1, le=600)
    # Zalo Bot Platform (handlers/zalo): its token (from Zalo Bot Manager), its API's address (some
    # clients use https://bot-api.zapps.me), the webhook's secret (8-256 characters, Zalo's rule; needed
    # when PUBLIC_URL is https, where Zalo takes the webhook instead of long polling).
    zalo_bot_token: SecretStr | None = None
    zalo_api_url: AnyHttpUrl = AnyHttpUrl("https://bot-api.zaloplatforms.com")
    zalo_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    # Messages a second to Zalo overall. Zalo publishes no quota for the Bot Platform that we could
    # confirm: 5 is a cautious guess; a 429 slows the sender down whatever this says.
    zalo_rate_limit: int = Field(default=5, ge=1, le=1000)
    # Zalo group chats (linking a unit's group for its weekly figures): off by default while Zalo's platform
    # calls groups a test; off, the bot ignores every group message, as before.
    zalo_groups: bool = False
    # Days a citizen's details are kept (a rating's contact, comment and dossier number; the name in a
    # letter) before `privacy purge` erases them; an open follow-up keeps a rating's up to twice as long.
    # At least a month, so a flag raised today is not erased before the head can answer it.
    citizen_data_retention_days: int = Field(default=365, ge=30, le=3650)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not TOKEN_PATTERN.match(value.strip()):
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return value.strip()

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            return DEFAULT_DATABASE_URL
        return normalise_database_url(value)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.isdigit() for p in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("default_locale", mode="before")
    @classmethod
    def _locale(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: object) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            return DEFAULT_PUBLIC_URL
        try:
            url = AnyHttpUrl(str(value).strip())
        except ValidationError:
            raise ValueError("must be an http:// or https:// address, like https://camket.gov.vn") from None
        if url.query or url.fragment or (url.path or "/") != "/":
            # Every page and redirect is at a path from the root: a prefix would break them all.
            raise ValueError("must be the site's address without a path, query or fragment")
        return str(url).rstrip("/")

    @field_validator("webhook_url", mode="after")
    @classmethod
    def _webhook_url(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is None:
            return None
        if value.scheme != "https":
            raise ValueError("must be an https:// URL (Telegram calls webhooks over HTTPS only)")
        if (value.path or "/").rstrip("/") == HEALTH_PATH:
            raise ValueError(f"must not end in {HEALTH_PATH}, which is the health endpoint")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: object, info: ValidationInfo) -> object:
        if value in (None, ""):
            if info.data.get("webhook_url") is not None:
                raise ValueError("must be set when WEBHOOK_URL is (Telegram sends it with every call)")
            return None
        if not isinstance(value, str) or not WEBHOOK_SECRET_PATTERN.match(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("zalo_bot_token", mode="before")
    @classmethod
    def _zalo_token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not ZALO_TOKEN_PATTERN.match(value.strip()):
            raise ValueError(
                "does not look like a Zalo bot token (no spaces or slashes; from Zalo Bot Manager)"
            )
        return value.strip()

    @field_validator("zalo_webhook_secret", mode="before")
    @classmethod
    def _zalo_secret(cls, value: object, info: ValidationInfo) -> object:
        if value in (None, ""):
            public_url = str(info.data.get("public_url") or "")
            if info.data.get("zalo_bot_token") is not None and public_url.startswith("https://"):
                raise ValueError(
                    "must be set when ZALO_BOT_TOKEN is and PUBLIC_URL is https (Zalo then calls the "
                    "webhook, sending it with every call)"
                )
            return None
        if not isinstance(value, str) or not ZALO_WEBHOOK_SECRET_PATTERN.match(value):
            raise ValueError("must be 8-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def zalo_token(self) -> str:
        assert self.zalo_bot_token is not None
        return self.zalo_bot_token.get_secret_value()

    @property
    def zalo_api_root(self) -> str:
        return str(self.zalo_api_url).rstrip("/")

    @property
    def zalo_webhook(self) -> bool:
        """Zalo by webhook (a route of the web server) when the pages are reachable over https."""
        return self.zalo_bot_token is not None and self.public_url.startswith("https://")

    def secrets(self) -> list[str]:
        """Every secret a log line must never show (bot.logs masks them)."""
        values = (self.bot_token, self.webhook_secret, self.zalo_bot_token, self.zalo_webhook_secret)
        return [value.get_secret_value() for value in values if value is not None]

    @property
    def token(self) -> str:
        assert self.bot_token is not None
        return self.bot_token.get_secret_value()

    @property
    def api_root(self) -> str:
        return str(self.telegram_api_url).rstrip("/")

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL without its slashes: where the webhook server takes Telegram's POSTs."""
        return (self.webhook_url.path or "").strip("/") if self.webhook_url is not None else ""

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        return Path(self.database_url[len(prefix) :]) if self.database_url.startswith(prefix) else None


class SettingsError(Exception):
    """One line naming the variable that is wrong, for the person starting the bot."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {variable}: {message}") from None
