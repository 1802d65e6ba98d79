"""From the configuration to the objects the lower layers take (one place for each)."""

from __future__ import annotations

from bot.config import Config
from cogs.shared import CogOptions
from db.models import ConfigSource, GuildSettings
from feeds.fetch import FetchLimits
from feeds.kinds import kind_for_url
from feeds.poller import PollSettings


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
            kind=kind_for_url(source.url).name,
        )
        for source in config.sources
    ]


def default_settings(config: Config) -> GuildSettings:
    """The server settings that apply until an admin overrides them: the config's [news] table."""
    news = config.news
    return GuildSettings(
        interval_minutes=news.interval_minutes,
        sentences=news.sentences,
        max_quotes=news.max_quotes,
        thread_per_article=news.thread_per_article,
        include_keywords=tuple(news.include_keywords),
        exclude_keywords=tuple(news.exclude_keywords),
    )


def poll_settings(config: Config, server: GuildSettings | None = None) -> PollSettings:
    """How a source is polled under ``server``'s settings (default: the config's own [news])."""
    return PollSettings.for_server(
        server if server is not None else default_settings(config),
        backfill=config.news.backfill,
        min_interval_minutes=config.news.interval_minutes,
    )


def cog_options(config: Config) -> CogOptions:
    """What the cogs take from the configuration."""
    return CogOptions(
        allow_private_networks=config.fetch.allow_private_networks,
        interval_minutes=config.news.interval_minutes,
        backfill=config.news.backfill,
        digest_after_hours=config.news.digest_after_hours,
        digest_min_comments=config.news.digest_min_comments,
    )
