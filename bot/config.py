"""Configuration: a TOML file (``--config`` or ``SPACEBRIEF_CONFIG``) over built-in defaults.

Every key is part of the contract in DESIGN.md: unknown keys and wrong types are errors,
reported as one line (``ConfigError``) so the CLI can exit 2.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from db.postgres import is_postgres_url, redact_url


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message is one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DiscordSettings(_Section):
    token: str | None = None
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    dev_guild_id: int = Field(default=0, ge=0)
    message_content: bool = True
    # Sharding (README "Running at scale"): absent, one process runs every shard and Discord's
    # recommended count. With several processes, each gets the same shard_count and its own
    # disjoint shard_ids.
    shard_count: int | None = Field(default=None, ge=1, le=10_000)
    shard_ids: list[int] | None = None

    @model_validator(mode="after")
    def _shards_in_range(self) -> DiscordSettings:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (the total number of shards of every process)")
        if not self.shard_ids:
            raise ValueError("shard_ids must list at least one shard")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids lists a shard twice")
        outside = [shard for shard in self.shard_ids if not 0 <= shard < self.shard_count]
        if outside:
            raise ValueError(f"shard {outside[0]} is outside 0..{self.shard_count - 1} (shard_count {self.shard_count})")
        return self

    def runs_every_shard(self) -> bool:
        """Whether this process holds all the shards (then every server is its own)."""
        return self.shard_ids is None or len(self.shard_ids) == self.shard_count

    def holds_guild(self, guild_id: int) -> bool:
        """Whether the server's events come to this process (Discord's shard formula)."""
        if self.runs_every_shard() or self.shard_count is None or self.shard_ids is None:
            return True
        return (guild_id >> 22) % self.shard_count in self.shard_ids


class DatabaseSettings(_Section):
    path: str = "spacebrief.sqlite3"
    # PostgreSQL instead of the SQLite file at `path`, for several bot processes sharing one store.
    url: str | None = None
    # How long a claim (a source being polled, a post being sent) of a process that died keeps
    # the others away; a live process finishes long before.
    claim_timeout_s: float = Field(default=300.0, gt=0, le=86_400)

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not is_postgres_url(value):
            raise ValueError("must be a postgresql:// URL (leave url out to use the SQLite file at path)")
        return value.strip() if value is not None else None

    @property
    def target(self) -> str:
        """What ``Store.open`` takes: the PostgreSQL URL when set, else the SQLite path."""
        return self.url or self.path

    @property
    def label(self) -> str:
        """The database for messages: the path, or the URL without its password."""
        return redact_url(self.url) if self.url else self.path


class FetchSettings(_Section):
    timeout_s: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=15 * 1024 * 1024, gt=0)
    allow_private_networks: bool = False


class NewsSettings(_Section):
    interval_minutes: float = Field(default=15.0, gt=0)
    backfill: int = Field(default=3, ge=0, le=100)
    sentences: int = Field(default=3, ge=1, le=10)
    max_quotes: int = Field(default=2, ge=0, le=10)
    thread_per_article: bool = False
    digest_min_comments: int = Field(default=20, ge=1)
    digest_after_hours: float = Field(default=24.0, ge=0)
    include_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)


class SourceSettings(_Section):
    name: str = Field(min_length=1, max_length=100)
    url: str
    channel_id: int = Field(default=0, ge=0)
    include_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value


class Config(_Section):
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    news: NewsSettings = Field(default_factory=NewsSettings)
    sources: list[SourceSettings] = Field(default_factory=list)

    def discord_token(self) -> str | None:
        """The token from DISCORD_TOKEN, else from the file; None when neither is set."""
        token = os.environ.get("DISCORD_TOKEN", "").strip() or (self.discord.token or "").strip()
        return token or None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"unknown key '{where}'"
    return f"'{where}': {first['msg']}"


def parse_config(data: dict[str, Any], origin: str = "config") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_describe(exc)}") from None


#: A PostgreSQL URL that overrides ``[database] url`` (keeps the password out of the file).
DATABASE_URL_VARIABLE = "SPACEBRIEF_DATABASE_URL"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load ``path``, else ``$SPACEBRIEF_CONFIG``, else the built-in defaults; then apply
    ``$SPACEBRIEF_DATABASE_URL``."""
    return _with_database_url(_load_file(path))


def _with_database_url(config: Config) -> Config:
    url = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if not url:
        return config
    if not is_postgres_url(url):
        raise ConfigError(f"{DATABASE_URL_VARIABLE}: must be a postgresql:// URL")
    return config.model_copy(update={"database": config.database.model_copy(update={"url": url})})


def _load_file(path: str | os.PathLike[str] | None) -> Config:
    chosen = path if path is not None else os.environ.get("SPACEBRIEF_CONFIG") or None
    if chosen is None:
        return Config()
    file = Path(chosen)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {file}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {file}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    return parse_config(data, origin=str(file))
