"""The news loop: poll due sources, summarize new entries, post them, open discussion threads.

(Work in progress: the loop lands once feeds.poller exists.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Config
from db.models import GuildSettings

if TYPE_CHECKING:
    from bot.app import SpacebriefBot


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


async def guild_settings(bot: SpacebriefBot, guild_id: int | None) -> GuildSettings:
    """This server's settings (config defaults with its overrides); the defaults outside servers."""
    defaults = default_settings(bot.config)
    if guild_id is None:
        return defaults
    return await bot.store.get_guild_settings(guild_id, defaults)
