"""Slash commands for everyone: /summarize, /quotes, /news, /debate (names and options: DESIGN.md).

Thin on purpose: validate what can be judged at once (answered ephemerally before deferring),
defer, fetch through the bot's Fetcher, run the CPU work in a worker thread, render with
``cogs.render``. Failures are raised as ``UserFacingError`` and answered by ``cogs.errors``.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from cogs.shared import (
    NO_MENTIONS,
    READ_HISTORY,
    CogBot,
    UserFacingError,
    checked_url,
    comments_from_messages,
    fetch_failure_text,
    guild_settings,
    missing_permissions,
    need_text,
    reply,
    require_range,
)
from feeds.article import summarize_url
from feeds.comments import CommentsUnavailableError, fetch_comments
from feeds.fetch import FetchError
from summarizer.debate import Comment, condense_debate
from summarizer.errors import NoTextError
from summarizer.summary import Summary

log = logging.getLogger(__name__)

#: /debate without a URL reads at most this many recent messages of the channel or thread.
DEBATE_HISTORY_LIMIT = 500
#: /quotes shows at most this many quotes.
QUOTES_LIMIT = 10
DEFAULT_NEWS_COUNT = 5
DEFAULT_MAX_ARGUMENTS = 5
#: Choices Discord shows for an autocomplete (its maximum).
AUTOCOMPLETE_LIMIT = 25

MESSAGE_CONTENT_MISSING = (
    "I cannot read this channel's messages: the message-content intent is off "
    "(enable it in the developer portal and set [discord] message_content = true)."
)


class MembersCog(commands.Cog):
    def __init__(self, bot: CogBot) -> None:
        self.bot = bot

    # ---- helpers -------------------------------------------------------------------------

    def _checked_url(self, url: str) -> str:
        return checked_url(url, allow_private=self.bot.options.allow_private_networks)

    async def _summarize(self, url: str, *, sentences: int, max_quotes: int) -> Summary:
        try:
            return await summarize_url(
                self.bot.fetcher, url, sentences=sentences, max_quotes=max_quotes, run_cpu=self.bot.cpu.run
            )
        except FetchError as exc:
            raise UserFacingError(fetch_failure_text(exc)) from None
        except NoTextError:
            raise UserFacingError("I could not find any article text on that page.") from None

    # ---- /summarize ------------------------------------------------------------------------

    @app_commands.command(name="summarize", description="Summarize a web article: key sentences and quotes")
    @app_commands.describe(
        url="The article's address (http or https)",
        sentences="How many sentences to keep (1-10; default: this server's setting)",
    )
    @app_commands.checks.cooldown(2, 30.0)
    async def summarize_command(
        self,
        interaction: discord.Interaction[Any],
        url: str,
        sentences: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        require_range("sentences", sentences, 1, 10)
        target = self._checked_url(url)
        await interaction.response.defer(thinking=True)
        settings = await guild_settings(self.bot, interaction.guild_id)
        summary = await self._summarize(
            target, sentences=sentences or settings.sentences, max_quotes=settings.max_quotes
        )
        embed = render.summary_embed(summary, target, title=summary.title)
        await reply(interaction, ephemeral=False, embed=embed)

    # ---- /quotes ---------------------------------------------------------------------------

    @app_commands.command(name="quotes", description="The key quotes of a web article, with their speakers")
    @app_commands.describe(url="The article's address (http or https)")
    @app_commands.checks.cooldown(2, 30.0)
    async def quotes_command(self, interaction: discord.Interaction[Any], url: str) -> None:
        target = self._checked_url(url)
        await interaction.response.defer(thinking=True)
        summary = await self._summarize(target, sentences=1, max_quotes=QUOTES_LIMIT)
        embed = render.quotes_embed(summary.quotes, target, title=summary.title)
        await reply(interaction, ephemeral=False, embed=embed)

    # ---- /news -----------------------------------------------------------------------------

    @app_commands.command(name="news", description="The latest news posted on this server")
    @app_commands.describe(count="How many items (1-10, default 5)", source="Only this source (name or #id)")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(3, 20.0)
    async def news_command(
        self,
        interaction: discord.Interaction[Any],
        count: app_commands.Range[int, 1, 10] = DEFAULT_NEWS_COUNT,
        source: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        if guild_id is None:
            raise app_commands.NoPrivateMessage()
        require_range("count", count, 1, 10)
        posted = await self.bot.store.latest_posted(guild_id, count, source)
        if not posted and source is not None:
            raise UserFacingError(f"Nothing has been posted on this server from a source called {source!r}.")
        items = [
            render.NewsListItem(
                title=item.entry.title,
                url=item.entry.url,
                source=item.source_name,
                posted_at=item.post.posted_at,
                jump_url=f"https://discord.com/channels/{item.post.guild_id}/{item.post.channel_id}/{item.post.message_id}",
            )
            for item in posted
        ]
        await interaction.response.send_message(
            embed=render.news_list_embed(items), allowed_mentions=NO_MENTIONS
        )

    @news_command.autocomplete("source")
    async def news_source_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = interaction.guild_id
        if guild_id is None:
            return []
        sources = await self.bot.store.list_sources(guild_id)
        # Config-file sources belong to no server; offer those whose channel is in this one.
        for source in await self.bot.store.list_sources(0):
            channel = self.bot.get_channel(source.channel_id) if source.channel_id else None
            if isinstance(channel, discord.abc.GuildChannel) and channel.guild.id == guild_id:
                sources.append(source)
        wanted = current.casefold().strip()
        choices = [
            app_commands.Choice(name=source.name[:100], value=source.name[:100])
            for source in sources
            if wanted in source.name.casefold()
        ]
        return choices[:AUTOCOMPLETE_LIMIT]

    # ---- /debate ---------------------------------------------------------------------------

    @app_commands.command(
        name="debate",
        description="The main arguments of this channel's discussion, or of a web page's comments",
    )
    @app_commands.describe(
        url="A comment thread on the web (Hacker News, Reddit, a blog); default: this channel or thread",
        max_arguments="How many arguments to show (1-10, default 5)",
    )
    @app_commands.checks.cooldown(2, 60.0)
    async def debate_command(
        self,
        interaction: discord.Interaction[Any],
        url: str | None = None,
        max_arguments: app_commands.Range[int, 1, 10] = DEFAULT_MAX_ARGUMENTS,
    ) -> None:
        require_range("max_arguments", max_arguments, 1, 10)
        if url is not None:
            target = self._checked_url(url)
            await interaction.response.defer(thinking=True)
            comments = await self._web_comments(target)
            origin: str | None = target
        else:
            if not self.bot.intents.message_content:
                raise UserFacingError(MESSAGE_CONTENT_MISSING)
            channel = interaction.channel
            if channel is None or not isinstance(channel, discord.abc.Messageable):
                raise UserFacingError("I cannot read messages in this kind of channel.")
            # Discord answers a history read without Read Message History with NO messages, not an
            # error: asked first (the interaction carries the bot's permissions here), named if missing.
            missing = missing_permissions(interaction.app_permissions, READ_HISTORY)
            if missing:
                raise UserFacingError(f"I cannot read this discussion: {need_text(missing, channel)}.")
            await interaction.response.defer(thinking=True)
            comments = await self._channel_comments(channel)
            name = getattr(channel, "name", None)
            origin = f"#{name}" if name else None
        if not comments:
            where = "on that page" if url is not None else "here (bots and empty messages do not count)"
            raise UserFacingError(f"I found no comments to condense {where}.")
        try:
            debate = await self.bot.cpu.run(condense_debate, comments, max_arguments=max_arguments)
        except ValueError as exc:
            raise UserFacingError(f"I could not read those comments: {exc}") from None
        stats = render.DebateStats.of(debate.stats, origin)
        await reply(interaction, ephemeral=False, embed=render.debate_embed(debate.arguments, stats))

    async def _web_comments(self, url: str) -> list[Comment]:
        try:
            return list(await fetch_comments(self.bot.fetcher, url))
        except CommentsUnavailableError as exc:
            raise UserFacingError(f"I could not read comments there: {exc}") from None
        except FetchError as exc:
            raise UserFacingError(fetch_failure_text(exc)) from None
        except ValueError as exc:  # DebateInputError: a JSON document that is not a list of comments
            raise UserFacingError(f"I could not read comments there: {exc}") from None

    async def _channel_comments(self, channel: discord.abc.Messageable) -> list[Comment]:
        messages: list[discord.Message] = []
        try:
            async for message in channel.history(limit=DEBATE_HISTORY_LIMIT):
                messages.append(message)
        except discord.Forbidden:
            raise UserFacingError("I am not allowed to read this channel's history.") from None
        return comments_from_messages(messages)


async def setup(bot: CogBot) -> None:
    await bot.add_cog(MembersCog(bot))
