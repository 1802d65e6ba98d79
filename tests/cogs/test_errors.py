"""cogs.errors: one ephemeral line for every failure, via response or follow-up as the state requires."""

from __future__ import annotations

import logging

import discord
import pytest
from discord import app_commands

from cogs import errors, shared
from tests.helpers.bots import CogTestBot
from tests.helpers.discord_fakes import GUILD_ID, FakeInteraction, http_error


def interaction(bot: CogTestBot) -> FakeInteraction:
    channel = bot.add_channel(GUILD_ID)
    return FakeInteraction(bot, guild=bot.get_guild(GUILD_ID), channel=channel)


async def test_reply_before_any_answer_uses_the_response(bot: CogTestBot) -> None:
    fake = interaction(bot)
    await shared.reply_ephemeral(fake.mock, "bad **input**\nsecond line")
    sent = fake.only()
    assert sent.kind == "response" and sent.ephemeral
    assert sent.text == "bad \\*\\*input\\*\\* second line"


async def test_reply_after_a_public_defer_removes_the_placeholder(bot: CogTestBot) -> None:
    fake = interaction(bot)
    await fake.mock.response.defer(thinking=True)
    await shared.reply_ephemeral(fake.mock, "no article text")
    assert fake.deleted_original
    assert fake.only().kind == "followup" and fake.ephemeral_line() == "no article text"


async def test_reply_after_the_result_was_sent_keeps_it(bot: CogTestBot) -> None:
    fake = interaction(bot)
    await fake.mock.response.defer(thinking=True)
    await fake.mock.followup.send("result", allowed_mentions=discord.AllowedMentions.none())
    shared.mark_answered(fake.mock)
    await shared.reply_ephemeral(fake.mock, "late problem")
    assert not fake.deleted_original
    assert [(s.kind, s.ephemeral) for s in fake.sent] == [("followup", False), ("followup", True)]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (shared.UserFacingError("That is not a web address."), "That is not a web address."),
        (shared.ManageGuildRequired(), "You need the Manage Server permission to use this command."),
        (app_commands.MissingPermissions(["manage_guild"]), "You need the Manage Server permission"),
        (app_commands.BotMissingPermissions(["embed_links"]), "I am missing permissions here: embed links."),
        (app_commands.NoPrivateMessage(), "This command works only in a server."),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.4), "again in 12 s."),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 0.2), "again in 1 s."),
    ],
)
async def test_expected_errors_get_their_line(
    bot: CogTestBot, error: app_commands.AppCommandError, expected: str
) -> None:
    fake = interaction(bot)
    await errors.on_app_command_error(fake.mock, error)
    assert expected in fake.ephemeral_line()


async def test_unexpected_error_is_logged_with_the_id_shown(
    bot: CogTestBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = interaction(bot)
    command = bot.tree.get_command("quotes")
    assert isinstance(command, app_commands.Command)
    try:
        raise ZeroDivisionError("secret detail")
    except ZeroDivisionError as exc:
        wrapped = app_commands.CommandInvokeError(command, exc)
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        await errors.on_app_command_error(fake.mock, wrapped)
    line = fake.ephemeral_line()
    error_id = line.removeprefix("Something went wrong (error ")[:8]
    assert line == f"Something went wrong (error {error_id}); the admins can find it in the logs."
    assert "secret" not in line
    [record] = caplog.records
    assert error_id in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], ZeroDivisionError)


async def test_a_failing_answer_does_not_raise(bot: CogTestBot, caplog: pytest.LogCaptureFixture) -> None:
    fake = interaction(bot)
    fake.mock.response.send_message.side_effect = http_error(
        discord.NotFound, 404, "Unknown interaction", 10062
    )
    with caplog.at_level(logging.WARNING, logger="cogs.errors"):
        await errors.on_app_command_error(fake.mock, shared.UserFacingError("x"))
    assert "could not report an error" in caplog.text


async def test_loading_installs_and_unloading_restores_the_tree_handler(bot: CogTestBot) -> None:
    assert bot.tree.on_error.__name__ == "on_app_command_error"
    await bot.unload_extension("cogs.errors")
    assert bot.tree.on_error.__name__ == "on_error"  # CommandTree's own method again
    await bot.load_extension("cogs.errors")
    assert bot.tree.on_error.__name__ == "on_app_command_error"


async def test_errors_raised_by_other_cogs_are_recognised_after_a_reload(bot: CogTestBot) -> None:
    """discord.py runs an extension's module afresh on each load; the shared errors live outside
    the extensions, so the handler recognises them by class whatever was reloaded."""
    import sys

    await bot.reload_extension("cogs.errors")
    await bot.reload_extension("cogs.members")
    reloaded = sys.modules["cogs.errors"]
    assert reloaded is not errors
    error = app_commands.CommandInvokeError(
        bot.tree.get_command("summarize"),  # type: ignore[arg-type]
        sys.modules["cogs.members"].UserFacingError("Please give a web address (http or https)."),
    )
    assert reloaded.describe_error(error) == "Please give a web address (http or https)."


def test_fetch_failure_lines() -> None:
    from feeds.article import NoArticleTextError
    from feeds.fetch import FetchTimeoutError, HTTPStatusError, TooLargeError

    assert shared.fetch_failure_text(HTTPStatusError(503)) == "The page answered with an error (HTTP 503)."
    assert (
        shared.fetch_failure_text(NoArticleTextError("x"))
        == "I could not find any article text on that page."
    )
    assert (
        shared.fetch_failure_text(NoArticleTextError("x", why="it is JSON data"))
        == "I could not find any article text on that page: it is JSON data."
    )
    assert shared.fetch_failure_text(NoArticleTextError("x", why="it is a news feed (RSS)", is_feed=True)) == (
        "That address is a news feed, not an article: /sources test shows what it would post."
    )
    assert shared.fetch_failure_text(TooLargeError("x")) == "That page is too large to fetch."
    assert shared.fetch_failure_text(FetchTimeoutError("x")) == "That page took too long to answer."
