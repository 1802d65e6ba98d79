"""The one app-command error handler: every slash-command failure ends in one ephemeral line.

Expected failures (cooldowns, missing permissions, bad input raised as :class:`UserFacingError`)
are answered plainly; anything else is logged with a short id that is also shown to the user,
so an admin can find the traceback from a screenshot. The handler answers through the
interaction's response when it is still open, else through a follow-up (after a defer).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import error_text
from feeds.article import NoArticleTextError
from feeds.fetch import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    check_url,
)

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

ErrorHandler = Callable[[discord.Interaction[Any], app_commands.AppCommandError], Coroutine[Any, Any, None]]


class UserFacingError(app_commands.AppCommandError):
    """Bad input or an expected failure: its message (one line) is shown to the user as is."""

    # Recognised by this flag rather than isinstance: discord.py executes an extension's module
    # afresh when it loads it, so the class another cog imported may be an older copy of this one.
    user_facing = True


class ManageGuildRequired(app_commands.CheckFailure):
    """The member lacks Manage Server at run time (whatever the command's default permissions say)."""

    user_facing = True

    def __init__(self) -> None:
        super().__init__("You need the Manage Server permission to use this command.")


def new_error_id() -> str:
    """A short random id (8 hex digits) tying a user's message to a log line."""
    return secrets.token_hex(4)


#: Set in ``interaction.extras`` once a command has sent its public result after deferring.
ANSWERED = "spacebrief_answered"


def mark_answered(interaction: discord.Interaction[Any]) -> None:
    interaction.extras[ANSWERED] = True


async def reply_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Send ``text`` (escaped, one line) to the user only, via response or follow-up as needed."""
    line = error_text(text)
    response = interaction.response
    if not response.is_done():
        await response.send_message(line, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    if (
        response.type is discord.InteractionResponseType.deferred_channel_message
        and not interaction.extras.get(ANSWERED)
    ):
        # The first follow-up after a public defer replaces the "thinking..." placeholder and
        # keeps its visibility, so an error would be shown to everyone: remove the placeholder
        # first, and the follow-up becomes a message of its own, visible to the user only.
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:
            log.debug("could not delete the deferred response: %s", exc)
    await interaction.followup.send(line, ephemeral=True, allowed_mentions=NO_MENTIONS)


def _command_name(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    return f"/{command.qualified_name}" if command is not None else "(unknown command)"


def describe_error(error: app_commands.AppCommandError) -> str | None:
    """The user-facing line for an expected error; None when it is unexpected (log it)."""
    cause: BaseException = error
    if isinstance(error, app_commands.CommandInvokeError):
        cause = error.original
    if getattr(cause, "user_facing", False) is True:
        return str(cause)
    if isinstance(cause, app_commands.CommandOnCooldown):
        seconds = max(1, round(cause.retry_after))
        return f"Slow down: you can use this command again in {seconds} s."
    if isinstance(cause, app_commands.MissingPermissions):
        return "You need the Manage Server permission to use this command."
    if isinstance(cause, app_commands.BotMissingPermissions):
        missing = ", ".join(name.replace("_", " ") for name in cause.missing_permissions)
        return f"I am missing permissions here: {missing}."
    if isinstance(cause, app_commands.NoPrivateMessage):
        return "This command works only in a server."
    if isinstance(cause, app_commands.TransformerError):
        return f"That value is not valid for this option: {cause.value!s}"[:200]
    if isinstance(cause, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None


async def on_app_command_error(
    interaction: discord.Interaction[Any], error: app_commands.AppCommandError
) -> None:
    """``CommandTree.on_error``: answer once, ephemerally; log the unexpected with an id."""
    message = describe_error(error)
    if message is None:
        error_id = new_error_id()
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        log.error(
            "error %s in %s (guild %s, user %s)",
            error_id,
            _command_name(interaction),
            interaction.guild_id,
            interaction.user.id if interaction.user else None,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = f"Something went wrong (error {error_id}); the admins can find it in the logs."
    try:
        await reply_ephemeral(interaction, message)
    except discord.HTTPException as exc:
        # The interaction token may have expired (15 min) or the channel gone; nothing to answer.
        log.warning("could not report an error for %s: %s", _command_name(interaction), exc)


class ErrorsCog(commands.Cog):
    """Installs :func:`on_app_command_error` on the bot's tree and restores the old one on unload."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous: ErrorHandler | None = None

    async def cog_load(self) -> None:
        self._previous = self.bot.tree.on_error
        handler: ErrorHandler = on_app_command_error
        self.bot.tree.error(handler)

    async def cog_unload(self) -> None:
        if self._previous is not None:
            self.bot.tree.error(self._previous)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ErrorsCog(bot))


# --------------------------------------------------------------------------------------------
# Turning layer errors into user-facing lines (shared by the member and admin cogs)


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
