"""What the cogs share, in a module that is not an extension (discord.py re-executes an extension's
module each time it loads it; classes defined here stay the same objects, so ``isinstance`` works).

The cogs see the bot through ``CogBot``, a Protocol of what they use, and the configuration through
``CogOptions`` (built by ``bot.wiring``): nothing here imports ``bot``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from cogs import render
from db.models import GuildSettings
from db.store import Store
from feeds.article import NoArticleTextError
from feeds.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    check_url,
)
from feeds.poller import PollSettings
from summarizer.debate import Comment

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Every message the bot sends allows no mentions (DESIGN.md).
NO_MENTIONS = discord.AllowedMentions.none()


# --------------------------------------------------------------------------------------------
# The bot as the cogs see it


@dataclass(frozen=True)
class CogOptions:
    """What the cogs take from the configuration file."""

    allow_private_networks: bool
    #: The news loop's period, and the shortest poll interval a server may set.
    interval_minutes: float
    backfill: int
    digest_after_hours: float
    digest_min_comments: int


class CpuRunnerLike(Protocol):
    """Runs a pure, picklable function off the event loop (``bot.app.CpuPool``)."""

    def run(self, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Awaitable[T]: ...


class CogBot(Protocol):
    """What the cogs use of the bot (``bot.app.SpacebriefBot`` is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def fetcher(self) -> Fetcher: ...

    @property
    def cpu(self) -> CpuRunnerLike: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def options(self) -> CogOptions: ...

    @property
    def server_defaults(self) -> GuildSettings: ...

    @property
    def shutting_down(self) -> asyncio.Event: ...

    @property
    def intents(self) -> discord.Intents: ...

    @property
    def user(self) -> discord.ClientUser | None: ...

    @property
    def tree(self) -> app_commands.CommandTree[Any]: ...

    def poll_settings(self, server: GuildSettings) -> PollSettings:
        """How a source is polled under a server's settings."""
        ...

    def get_channel(self, id: int, /) -> Any: ...

    async def fetch_channel(self, channel_id: int, /) -> Any: ...

    def get_guild(self, id: int, /) -> discord.Guild | None: ...

    async def wait_until_ready(self) -> None: ...

    async def add_cog(self, cog: commands.Cog, /, *, override: bool = ...) -> None: ...


# --------------------------------------------------------------------------------------------
# Answers


class UserFacingError(app_commands.AppCommandError):
    """Bad input or an expected failure: its message (one line) is shown to the user as is."""


class ManageGuildRequired(app_commands.CheckFailure):
    """The member lacks Manage Server at run time (whatever the command's default permissions say)."""

    def __init__(self) -> None:
        super().__init__("You need the Manage Server permission to use this command.")


#: Set in ``interaction.extras`` once a command has sent its public result after deferring.
ANSWERED = "spacebrief_answered"


def mark_answered(interaction: discord.Interaction[Any]) -> None:
    interaction.extras[ANSWERED] = True


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer through the interaction's response, or after a defer through a follow-up; no mentions."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    if content is not None:
        kwargs["content"] = content
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
        return
    await interaction.followup.send(**kwargs)
    mark_answered(interaction)


async def answer(
    interaction: discord.Interaction[Any], content: str | None = None, *, embed: discord.Embed | None = None
) -> None:
    """Reply to the member only: ``content`` as one escaped line, and/or an embed."""
    await reply(interaction, render.one_line(content) if content is not None else None, embed=embed)


async def reply_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Send ``text`` (escaped, one line) to the user only, via response or follow-up as needed."""
    response = interaction.response
    if (
        response.is_done()
        and response.type is discord.InteractionResponseType.deferred_channel_message
        and not interaction.extras.get(ANSWERED)
    ):
        # The first follow-up after a public defer replaces the "thinking..." placeholder and
        # keeps its visibility, so an error would be shown to everyone: remove the placeholder
        # first, and the follow-up becomes a message of its own, visible to the user only.
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:
            log.debug("could not delete the deferred response: %s", exc)
    await reply(interaction, render.error_text(text))


async def guild_settings(bot: CogBot, guild_id: int | None) -> GuildSettings:
    """This server's settings (config defaults with its overrides); the defaults outside servers."""
    if not guild_id:
        return bot.server_defaults
    return await bot.store.get_guild_settings(guild_id, bot.server_defaults)


# --------------------------------------------------------------------------------------------
# The bot's permissions in a channel

#: (discord.py flag, Discord's name) of what each job needs of the bot in a channel.
POST_IN_CHANNEL = (("view_channel", "View Channel"), ("send_messages", "Send Messages"), ("embed_links", "Embed Links"))
POST_IN_THREAD = (
    ("view_channel", "View Channel"),
    ("send_messages_in_threads", "Send Messages in Threads"),
    ("embed_links", "Embed Links"),
)
#: Without Read Message History Discord answers a history read with NO messages, not an error:
#: checked first, or an unreadable channel looks like an empty one.
READ_HISTORY = (("view_channel", "View Channel"), ("read_message_history", "Read Message History"))


def missing_permissions(granted: discord.Permissions, needed: tuple[tuple[str, str], ...]) -> list[str]:
    """Discord's names of the ``needed`` permissions that ``granted`` lacks."""
    return [label for flag, label in needed if not getattr(granted, flag)]


def my_permissions(channel: Any) -> discord.Permissions | None:
    """The bot's permissions in a channel or thread, from the cache; None when unknown."""
    guild = getattr(channel, "guild", None)
    me = getattr(guild, "me", None)
    if me is None or not hasattr(channel, "permissions_for"):
        return None
    try:
        return channel.permissions_for(me)
    except discord.ClientException:  # a thread whose parent is not cached
        return None


def lacking(channel: Any, needed: tuple[tuple[str, str], ...]) -> list[str]:
    """What the bot lacks in ``channel`` of ``needed`` (nothing when its permissions are unknown)."""
    granted = my_permissions(channel)
    return missing_permissions(granted, needed) if granted is not None else []


def need_text(missing: list[str], channel: Any) -> str:
    """ "I need Read Message History in #news" (one line)."""
    where = f" in #{render.clean_text(channel.name, single_line=True)}" if getattr(channel, "name", None) else ""
    return f"I need {' and '.join(missing)}{where}"


def comments_from_messages(messages: list[discord.Message]) -> list[Comment]:
    """Human messages with text, oldest first, as debate comments (authors by user id, not name:
    two people may share a display name, and support counts distinct people)."""
    comments: list[Comment] = []
    for message in messages:
        if message.author.bot or message.webhook_id is not None:
            continue
        text = message.content.strip()
        if not text:
            continue
        reference = message.reference
        reply_to = str(reference.message_id) if reference is not None and reference.message_id else None
        comments.append(
            Comment(author=str(message.author.id), text=text, id=str(message.id), reply_to=reply_to)
        )
    comments.sort(key=lambda comment: int(comment.id or 0))
    return comments


# --------------------------------------------------------------------------------------------
# Turning layer errors into user-facing lines


def checked_url(url: str, *, allow_private: bool) -> str:
    """``url`` normalised by ``feeds.fetch.check_url``; a :class:`UserFacingError` when it is unusable.

    This gives an immediate answer (before deferring) for what can be judged without a
    request; the Fetcher's resolver guard refuses the rest (names resolving to private hosts).
    """
    text = url.strip()
    if not text:
        raise UserFacingError("Please give a web address (http or https).")
    if "://" not in text:
        raise UserFacingError("That is not a web address: it should start with http:// or https://.")
    try:
        return check_url(text, allow_private)
    except BlockedAddressError:
        raise UserFacingError(
            "That address is on a private or local network, which I do not fetch."
        ) from None
    except FetchError as exc:
        raise UserFacingError(f"That is not a usable web address: {exc}") from None


def require_range(name: str, value: int | None, low: int, high: int) -> None:
    """Discord enforces option bounds in its clients and API; a value out of them still gets a
    clear answer here rather than a surprise further down (discord.py does not re-check ints)."""
    if value is not None and not low <= value <= high:
        raise UserFacingError(f"{name} must be between {low} and {high}.")


def fetch_failure_text(exc: FetchError) -> str:
    """What to tell a user when fetching their URL failed (one line)."""
    if isinstance(exc, NoArticleTextError):
        if exc.is_feed:
            return "That address is a news feed, not an article: /sources test shows what it would post."
        return f"I could not find any article text on that page{': ' + exc.why if exc.why else ''}."
    if isinstance(exc, BlockedAddressError):
        return "That address is on a private or local network, which I do not fetch."
    if isinstance(exc, HTTPStatusError):
        return f"The page answered with an error (HTTP {exc.status})."
    if isinstance(exc, TooLargeError):
        return "That page is too large to fetch."
    if isinstance(exc, FetchTimeoutError):
        return "That page took too long to answer."
    return f"I could not fetch that page: {exc}"
