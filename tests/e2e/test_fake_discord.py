"""The fake Discord itself behaves like Discord where the bot depends on it.

A plain discord.py bot (not spacebrief) is pointed at the fake, so these tests check the harness
independently of the code under test: if the fake accepted what Discord refuses, the spacebrief
end-to-end tests would prove nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest

from bot.app import point_at_discord
from tests.e2e.conftest import NEWS_CHANNEL, PlainBot
from tests.fake_discord import FakeDiscord, validate_commands, validate_message_payload


def form_errors(response_body: Any) -> dict[str, Any]:
    assert response_body["code"] == 50035
    assert response_body["message"] == "Invalid Form Body"
    return response_body["errors"]


def error_codes(node: dict[str, Any]) -> list[str]:
    return [e["code"] for e in node["_errors"]]


async def test_login_ready_and_guild_cache(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    assert plain_bot.user is not None and plain_bot.user.id == fake_discord.bot.id
    assert plain_bot.application_id == fake_discord.application_id
    guild = plain_bot.get_guild(fake_discord.guilds[0].id)
    assert guild is not None
    assert [c.name for c in guild.text_channels] == ["news", "chat"]
    assert guild.me.guild_permissions.send_messages
    assert fake_discord.identifies[0]["token"] == fake_discord.token
    assert len(fake_discord.command_syncs) == 1 and fake_discord.command_syncs[0].commands[0]["name"] == "say"


async def test_json_responses_carry_exactly_application_json(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {fake_discord.token}"}
        async with session.get(f"{fake_discord.api_base}/users/@me", headers=headers) as ok:
            assert ok.headers["Content-Type"] == "application/json"
        async with session.get(f"{fake_discord.api_base}/users/@me") as refused:
            assert refused.status == 401
            assert refused.headers["Content-Type"] == "application/json"
            assert (await refused.json())["message"] == "401: Unauthorized"


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    point_at_discord(fake_discord.api_base, fake_discord.gateway_url)
    bot = PlainBot()
    async with bot:
        with pytest.raises(discord.LoginFailure):
            await bot.login("not-the-token")


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"content": "x" * 2001}, ("content",)),
        ({"embeds": [{"title": "t" * 257}]}, ("embeds", "0", "title")),
        ({"embeds": [{"description": "d" * 4097}]}, ("embeds", "0", "description")),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ("embeds", "0", "fields")),
        ({"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]}, ("embeds", "0", "fields", "0", "name")),
        ({"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, ("embeds", "0", "fields", "0", "value")),
        ({"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, ("embeds", "0", "fields", "0", "value")),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ("embeds", "0", "footer", "text")),
        ({"embeds": [{"author": {"name": "a" * 257}}]}, ("embeds", "0", "author", "name")),
        ({"embeds": [{"title": "t", "url": "javascript:alert(1)"}]}, ("embeds", "0", "url")),
        ({"embeds": [{"description": "d"}] * 11}, ("embeds",)),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ("embeds",)),
        ({"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}, ("allowed_mentions", "parse")),
    ],
)
def test_payloads_discord_refuses_are_refused(payload: dict[str, Any], path: tuple[str, ...]) -> None:
    response = validate_message_payload(payload)
    assert response is not None and response.status == 400
    assert response.content_type == "application/json"
    import json

    node = form_errors(json.loads(response.body))  # type: ignore[arg-type]
    for part in path:
        node = node[part]
    assert node["_errors"], node


def test_payloads_at_the_limits_are_accepted() -> None:
    fields = [{"name": "n" * 256, "value": "v" * 10} for _ in range(5)]
    embed = {
        "title": "t" * 256,
        "description": "d" * 3000,
        "fields": fields,
        "footer": {"text": "f" * 100},
        "author": {"name": "a" * 100},
        "url": "https://example.com/a",
    }
    size = 256 + 3000 + 5 * 266 + 100 + 100
    assert size <= 6000
    assert validate_message_payload({"content": "c" * 2000, "embeds": [embed]}) is None
    assert validate_message_payload({"embeds": [{"description": "d"}] * 10}) is None


def test_empty_message_is_refused() -> None:
    response = validate_message_payload({"content": "", "allowed_mentions": {"parse": []}})
    assert response is not None and response.status == 400


def test_invalid_command_sets_are_refused() -> None:
    good: dict[str, Any] = {"name": "news", "description": "latest", "type": 1, "options": [
        {"type": 4, "name": "count", "description": "how many", "required": True},
        {"type": 3, "name": "source", "description": "which", "required": False},
    ]}
    assert validate_commands([good]) is None
    assert validate_commands([{**good, "name": "News"}]) is not None
    assert validate_commands([{**good, "description": ""}]) is not None
    assert validate_commands([good, good]) is not None
    wrong_order = {**good, "options": list(reversed(good["options"]))}
    assert validate_commands([wrong_order]) is not None


async def test_over_long_message_raises_in_discord_py(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert raised.value.status == 400 and raised.value.code == 50035
    assert fake_discord.channel_posts == []
    [violation] = fake_discord.take_spec_violations()
    assert "embeds" in violation and "BASE_TYPE_MAX_LENGTH" in violation


async def test_rate_limited_send_is_retried_and_lands_once(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    fake_discord.rate_limit_next_posts(2, retry_after=0.02)
    message = await channel.send("hello", allowed_mentions=discord.AllowedMentions.none())
    assert [m.id for m in fake_discord.posts_in(NEWS_CHANNEL)] == [message.id]
    assert [status for _, status, _ in fake_discord.rejected] == [429, 429]
    assert fake_discord.posts_in(NEWS_CHANNEL)[0].allowed_mentions == {"parse": []}


async def test_history_pages_like_discord(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    member = fake_discord.guilds[0].members[1]
    seeded = [fake_discord.seed_message(NEWS_CHANNEL, member, f"comment {n}") for n in range(5)]
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    newest = [m.content async for m in channel.history(limit=3)]
    assert newest == ["comment 4", "comment 3", "comment 2"]
    after = [m.content async for m in channel.history(limit=2, after=discord.Object(seeded[1].id))]
    assert after == ["comment 2", "comment 3"]
    everything = [m.content async for m in channel.history(limit=None, oldest_first=True)]
    assert everything == [f"comment {n}" for n in range(5)]
    assert all(m.author.id == member.id for m in [m async for m in channel.history(limit=5)])


async def test_defer_then_followup_is_the_answer(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    async def answer(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done", allowed_mentions=discord.AllowedMentions.none())

    plain_bot.handler = answer
    interaction = await fake_discord.run_command("say", {"word": "hi", "times": 2})
    await fake_discord.wait_for(lambda: interaction.answered, what="the answer")
    assert plain_bot.handler_errors == []
    assert interaction.deferred and interaction.ephemeral
    assert interaction.original is not None and interaction.original.content == "done"
    assert interaction.original.ephemeral
    assert interaction.original.allowed_mentions == {"parse": []}


async def test_options_arrive_typed(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    seen: list[dict[str, Any]] = []

    async def record(interaction: discord.Interaction) -> None:
        seen.append({"word": interaction.namespace.word, "times": interaction.namespace.times})
        await interaction.response.send_message("ok")

    plain_bot.handler = record
    interaction = await fake_discord.run_command("say", {"word": "hi", "times": 3})
    await fake_discord.wait_for(lambda: interaction.answered, what="the answer")
    assert seen == [{"word": "hi", "times": 3}]


async def test_second_acknowledgement_is_refused(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("one")
        # A fresh response object forgets the first answer, as a buggy cog would.
        await discord.InteractionResponse(interaction).send_message("two")

    plain_bot.handler = twice
    interaction = await fake_discord.run_command("say", {"word": "x"})
    await fake_discord.wait_for(lambda: bool(plain_bot.handler_errors), what="the second answer to fail")
    error = plain_bot.handler_errors[0]
    assert isinstance(error, discord.HTTPException) and error.status == 400 and error.code == 40060
    assert [c["data"]["content"] for c in interaction.callbacks] == ["one"]


async def test_answer_after_the_deadline_is_unknown_interaction(
    plain_bot: PlainBot, fake_discord: FakeDiscord
) -> None:
    assert FakeDiscord().interaction_deadline_s == 3.0  # Discord's rule; shortened below to keep the test fast
    fake_discord.interaction_deadline_s = 0.1

    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.2)
        await interaction.response.send_message("too late")

    plain_bot.handler = slow
    interaction = await fake_discord.run_command("say", {"word": "x"})
    await fake_discord.wait_for(lambda: bool(plain_bot.handler_errors), what="the late answer to fail")
    error = plain_bot.handler_errors[0]
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert not interaction.answered


async def test_followup_before_acknowledgement_is_unknown_webhook(
    plain_bot: PlainBot, fake_discord: FakeDiscord
) -> None:
    async def skip_the_response(interaction: discord.Interaction) -> None:
        await interaction.followup.send("no defer first")

    plain_bot.handler = skip_the_response
    await fake_discord.run_command("say", {"word": "x"})
    await fake_discord.wait_for(lambda: bool(plain_bot.handler_errors), what="the follow-up to fail")
    error = plain_bot.handler_errors[0]
    assert isinstance(error, discord.NotFound) and error.code == 10015
