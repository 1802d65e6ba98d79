"""Slash commands for a server's admins: /sources add|remove|list|test, /settings show|set.

Both groups carry ``default_permissions(manage_guild=True)``, but a server can change who sees
a command, so every invocation is also checked at run time from the interaction's resolved
permissions (``interaction_check``). Every store call is scoped by ``interaction.guild_id``:
one server's admins never see or change another server's sources or settings.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.shared import (
    POST_IN_CHANNEL,
    CogBot,
    ManageGuildRequired,
    UserFacingError,
    answer,
    checked_url,
    fetch_failure_text,
    guild_settings,
    missing_permissions,
    require_range,
)
from db.models import DuplicateSourceError, InvalidSettingError, Source
from db.validation import validate_guild_setting
from feeds.entries import FeedParseError, ParsedFeed
from feeds.fetch import FetchError
from feeds.probe import ProbedFeed, newest_entry, preview_entry, probe_feed

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25
#: Typed in /settings set to empty a keyword list (Discord does not send empty strings).
CLEAR_WORDS = frozenset({"-", "none", "clear"})
#: Longest source name (what /sources add stores when the admin gives none).
SOURCE_NAME_LIMIT = 100


def source_name(given: str | None, feed: ParsedFeed, url: str) -> str:
    """The name an admin typed, else the feed's title, else the host; at most 100 characters."""
    for candidate in (given, feed.title, yarl.URL(url).host):
        # The same cleaning as everything shown in Discord: an invisible feed title is no name.
        cleaned = render.clean_text(candidate, single_line=True)
        if cleaned:
            return cleaned[:SOURCE_NAME_LIMIT]
    return "feed"


POST_PERMISSIONS = POST_IN_CHANNEL


def require_post_permissions(channel: discord.TextChannel) -> None:
    """Refuse a channel the bot could not post its embeds in (every post would fail later)."""
    me = channel.guild.me
    if me is None:  # not cached: the news loop will report it instead
        return
    missing = missing_permissions(channel.permissions_for(me), POST_PERMISSIONS)
    if missing:
        raise UserFacingError(f"I cannot post in #{channel.name}: I need {', '.join(missing)} there.")


def require_manage_guild(interaction: discord.Interaction[Any]) -> bool:
    """The run-time check behind both groups (default_permissions can be overridden per server)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise ManageGuildRequired()
    return True


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SourcesCog(
    commands.GroupCog, group_name="sources", group_description="Manage this server's news sources"
):
    def __init__(self, bot: CogBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return require_manage_guild(interaction)

    def _guild_id(self, interaction: discord.Interaction[Any]) -> int:
        if interaction.guild_id is None:  # interaction_check already refused this
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    async def _probe(self, url: str) -> ProbedFeed:
        """The feed at ``url``, fetched and parsed once; a ``UserFacingError`` when it is not one."""
        try:
            return await probe_feed(self.bot.fetcher, url, run_cpu=self.bot.cpu.run)
        except FeedParseError as exc:
            raise UserFacingError(f"That address does not serve a feed ({exc}).") from None
        except FetchError as exc:
            raise UserFacingError(fetch_failure_text(exc)) from None

    async def _find(self, guild_id: int, text: str) -> Source:
        found = await self.bot.store.find_source_by_name_or_id(guild_id, text)
        if found is None:
            shown = render.cut(" ".join(text.split()), 80)
            raise UserFacingError(f"This server has no source called {shown!r} (see /sources list).")
        return found

    @app_commands.command(name="add", description="Watch a feed and post its news to a channel")
    @app_commands.describe(
        url="The feed's address (RSS, Atom, JSON Feed or a Spaceflight News API URL)",
        channel="Where its posts go",
        name="A short name (default: the feed's title)",
    )
    async def add(
        self,
        interaction: discord.Interaction[Any],
        url: str,
        channel: discord.TextChannel,
        name: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = self._guild_id(interaction)
        if channel.guild.id != guild_id:
            raise UserFacingError("That channel is not on this server.")
        target = checked_url(url, allow_private=self.bot.options.allow_private_networks)
        require_post_permissions(channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        probed = await self._probe(target)
        chosen = source_name(name, probed.feed, probed.url)
        try:
            source = await self.bot.store.add_source(
                guild_id,
                probed.url,
                chosen,
                channel.id,
                now=self.bot.clock(),
                kind=probed.kind,
            )
        except DuplicateSourceError:
            existing = next((s for s in await self.bot.store.list_sources(guild_id) if s.url == probed.url), None)
            if existing is None or existing.is_active:
                raise UserFacingError("This server already watches that feed (see /sources list).") from None
            # Adding a disabled source again is how an admin asks for another try.
            revived = await self.bot.store.set_source_state(guild_id, existing.id, active=True, now=self.bot.clock())
            shown = revived or existing
            await answer(
                interaction,
                f"Re-enabled source #{shown.id} {shown.name}: it will be polled again now"
                f" and post in <#{shown.channel_id}>.",
            )
            return
        backfill = self.bot.options.backfill
        count = len(probed.feed.entries)
        upcoming = min(backfill, count)
        await answer(
            interaction,
            f"Added source #{source.id} {source.name}: {count} entries in the feed; "
            f"the newest {upcoming} will be posted in #{channel.name} at the next poll.",
        )

    @app_commands.command(name="remove", description="Stop watching one of this server's sources")
    @app_commands.describe(source="The source's name or #id")
    async def remove(
        self, interaction: discord.Interaction[Any], source: app_commands.Range[str, 1, 200]
    ) -> None:
        guild_id = self._guild_id(interaction)
        found = await self._find(guild_id, source)
        if not await self.bot.store.remove_source(guild_id, found.id):
            raise UserFacingError("That source was already removed.")
        await answer(interaction, f"Removed source #{found.id} {found.name}.")

    @remove.autocomplete("source")
    async def remove_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            return []
        wanted = current.casefold().strip().lstrip("#")
        choices = []
        for source in await self.bot.store.list_sources(interaction.guild_id):
            label = f"{source.name} (#{source.id})"
            if wanted in label.casefold():
                choices.append(app_commands.Choice(name=label[:100], value=f"#{source.id}"))
        return choices[:AUTOCOMPLETE_LIMIT]

    @app_commands.command(name="list", description="This server's sources")
    async def list_sources(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = self._guild_id(interaction)
        sources = await self.bot.store.list_sources(guild_id)
        lines = [
            render.SourceLine(
                source_id=source.id,
                name=source.name,
                url=source.url,
                channel_id=source.channel_id,
                enabled=source.is_active,
                last_error=source.disabled_reason or source.last_error,
            )
            for source in sources
        ]
        await answer(interaction, embed=render.sources_embed(lines))

    @app_commands.command(name="test", description="Preview the next post of a feed without posting anything")
    @app_commands.describe(url="The feed's address")
    @app_commands.checks.cooldown(2, 30.0)
    async def test(self, interaction: discord.Interaction[Any], url: str) -> None:
        guild_id = self._guild_id(interaction)
        target = checked_url(url, allow_private=self.bot.options.allow_private_networks)
        await interaction.response.defer(ephemeral=True, thinking=True)
        probed = await self._probe(target)
        entry = newest_entry(probed.feed)
        if entry is None:
            raise UserFacingError("That feed has no entries yet, so there is nothing to preview.")
        settings = await guild_settings(self.bot, guild_id)
        preview = await preview_entry(
            self.bot.fetcher,
            entry,
            sentences=settings.sentences,
            max_quotes=settings.max_quotes,
            run_cpu=self.bot.cpu.run,
        )
        name = source_name(None, probed.feed, probed.url)
        embed = render.news_embed(preview, name, max_quotes=settings.max_quotes)
        await answer(interaction, "Preview of the next post (nothing was posted or recorded):", embed=embed)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, group_name="settings", group_description="This server's news settings"):
    def __init__(self, bot: CogBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return require_manage_guild(interaction)

    @app_commands.command(name="show", description="Show this server's news settings")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        settings = await guild_settings(self.bot, interaction.guild_id)
        await answer(interaction, embed=render.settings_embed(settings.to_dict()))

    @app_commands.command(name="set", description="Change this server's news settings")
    @app_commands.describe(
        interval_minutes="Minutes between polls of each source (1-1440)",
        sentences="Sentences per summary (1-10)",
        max_quotes="Quotes per post (0-10)",
        thread_per_article="Open a discussion thread under each post",
        include_keywords="Only post entries with one of these words (comma-separated; '-' for none)",
        exclude_keywords="Never post entries with one of these words (comma-separated; '-' for none)",
    )
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        interval_minutes: app_commands.Range[float, 1.0, 1440.0] | None = None,
        sentences: app_commands.Range[int, 1, 10] | None = None,
        max_quotes: app_commands.Range[int, 0, 10] | None = None,
        thread_per_article: bool | None = None,
        include_keywords: app_commands.Range[str, 1, 1000] | None = None,
        exclude_keywords: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise app_commands.NoPrivateMessage()
        require_range("sentences", sentences, 1, 10)
        require_range("max_quotes", max_quotes, 0, 10)
        given: dict[str, Any] = {
            "interval_minutes": interval_minutes,
            "sentences": sentences,
            "max_quotes": max_quotes,
            "thread_per_article": thread_per_article,
            "include_keywords": include_keywords,
            "exclude_keywords": exclude_keywords,
        }
        changes = {name: value for name, value in given.items() if value is not None}
        if not changes:
            raise UserFacingError("Give at least one setting to change (see /settings show).")
        for name, value in changes.items():
            if name.endswith("_keywords") and isinstance(value, str) and value.strip().lower() in CLEAR_WORDS:
                changes[name] = []
        # Validate every value before storing any, so a bad one leaves the settings unchanged.
        try:
            for name, value in changes.items():
                validate_guild_setting(name, value)
        except InvalidSettingError as exc:
            raise UserFacingError(str(exc)) from None
        for name, value in changes.items():
            await self.bot.store.set_guild_setting(guild_id, name, value, now=self.bot.clock())
        settings = await guild_settings(self.bot, guild_id)
        await answer(
            interaction, f"Updated: {', '.join(changes)}.", embed=render.settings_embed(settings.to_dict())
        )


async def setup(bot: CogBot) -> None:
    await bot.add_cog(SourcesCog(bot))
    await bot.add_cog(SettingsCog(bot))
