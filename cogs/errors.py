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

from cogs.shared import CogBot, ManageGuildRequired, UserFacingError, reply_ephemeral

log = logging.getLogger(__name__)

ErrorHandler = Callable[[discord.Interaction[Any], app_commands.AppCommandError], Coroutine[Any, Any, None]]


def new_error_id() -> str:
    """A short random id (8 hex digits) tying a user's message to a log line."""
    return secrets.token_hex(4)


def _command_name(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command
    return f"/{command.qualified_name}" if command is not None else "(unknown command)"


def describe_error(error: app_commands.AppCommandError) -> str | None:
    """The user-facing line for an expected error; None when it is unexpected (log it)."""
    cause: BaseException = error
    if isinstance(error, app_commands.CommandInvokeError):
        cause = error.original
    if isinstance(cause, UserFacingError | ManageGuildRequired):
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

    def __init__(self, bot: CogBot) -> None:
        self.bot = bot
        self._previous: ErrorHandler | None = None

    async def cog_load(self) -> None:
        self._previous = self.bot.tree.on_error
        handler: ErrorHandler = on_app_command_error
        self.bot.tree.error(handler)

    async def cog_unload(self) -> None:
        if self._previous is not None:
            self.bot.tree.error(self._previous)


async def setup(bot: CogBot) -> None:
    await bot.add_cog(ErrorsCog(bot))
