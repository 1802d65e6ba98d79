"""From the configuration to the objects the lower layers take (one place for each)."""

from __future__ import annotations

from bot.config import Config
from db.models import ConfigSource
from feeds.fetch import FetchLimits
from feeds.snapi import is_snapi_url


def fetch_limits(config: Config) -> FetchLimits:
    """``[fetch]`` as the Fetcher's limits."""
    return FetchLimits(
        timeout_s=config.fetch.timeout_s,
        max_bytes=config.fetch.max_bytes,
        allow_private_networks=config.fetch.allow_private_networks,
    )


def config_sources(config: Config) -> list[ConfigSource]:
    """The config file's ``[[sources]]`` in the form ``Store.sync_config_sources`` takes."""
    return [
        ConfigSource(
            name=source.name,
            url=source.url,
            channel_id=source.channel_id,
            include_keywords=tuple(source.include_keywords),
            exclude_keywords=tuple(source.exclude_keywords),
            kind="snapi" if is_snapi_url(source.url) else "feed",
        )
        for source in config.sources
    ]
