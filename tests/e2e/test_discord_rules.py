"""The fake Discord enforces Discord's published rules: the OpenAPI spec, documented limits,
permissions, thread states, AutoMod, autocomplete and interaction token lifetimes.

Requests are sent raw (aiohttp) or through a plain discord.py bot, never through spacebrief, so
these tests check the referee, not the player.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from tests.discord_api_spec import prune
from tests.e2e.conftest import CHAT_CHANNEL, NEWS_CHANNEL, PlainBot
from tests.fake_discord import (
    PERM_CREATE_PUBLIC_THREADS,
    PERM_EMBED_LINKS,
    PERM_READ_MESSAGE_HISTORY,
    PERM_SEND_MESSAGES,
    PERM_SEND_MESSAGES_IN_THREADS,
    PERM_VIEW_CHANNEL,
    FakeDiscord,
    FakeInteraction,
)

NO_MENTIONS = {"parse": []}
SPEC_DIR = Path(prune.__file__).resolve().parent


async def call(fake: FakeDiscord, method: str, path: str, body: Any = None, **query: str) -> tuple[int, Any]:
    """One authorised request to the fake, as the bot; (status, decoded JSON or None)."""
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session, session.request(
        method, fake.api_base + path, json=body, params=query or None, headers=headers
    ) as response:
        text = await response.text()
        return response.status, (json.loads(text) if text else None)


# ---- the vendored spec ----------------------------------------------------------------------------


def test_vendored_spec_is_the_pruned_upstream_spec() -> None:
    upstream = SPEC_DIR.parents[2] / "shared" / "data" / "discord-api-spec" / "openapi.json"
    if not upstream.exists():
        pytest.skip(f"Discord's full spec is not beside the project ({upstream}); nothing to compare")
    regenerated = prune.render(prune.prune(json.loads(upstream.read_text(encoding="utf-8"))))
    assert regenerated == (SPEC_DIR / "openapi.json").read_text(encoding="utf-8"), (
        "tests/discord_api_spec/openapi.json is stale: run python tests/discord_api_spec/prune.py"
    )


def test_vendored_spec_keeps_its_licence_and_every_route_the_fake_serves() -> None:
    assert "Copyright 2023 Discord" in (SPEC_DIR / "LICENSE").read_text(encoding="utf-8")
    spec = json.loads((SPEC_DIR / "openapi.json").read_text(encoding="utf-8"))
    kept = {(path, method) for path, route in spec["paths"].items() for method in route if method != "parameters"}
    assert kept == set(prune.OPERATIONS)


# ---- what the spec and the documentation refuse ---------------------------------------------------

MESSAGES = f"/channels/{NEWS_CHANNEL}/messages"
COMMANDS = "/applications/700000000000000001/commands"
GOOD_COMMAND = {"name": "news", "description": "latest", "type": 1}


def option(kind: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": "pick", "description": "an option", **extra}


@pytest.mark.parametrize(
    ("method", "path", "body", "query", "field"),
    [
        ("POST", MESSAGES, {"embeds": [{"title": "t", "timestamp": "yesterday"}]}, {}, "embeds/0/timestamp"),
        ("POST", MESSAGES, {"embeds": [{"title": "t", "footer": {"text": "f", "icon_url": "icon.png"}}]}, {},
         "embeds/0/footer/icon_url"),
        ("POST", MESSAGES, {"embeds": [{"title": "t", "author": {"name": "a", "icon_url": "ftp://x/a.png"}}]}, {},
         "embeds/0/author/icon_url"),
        ("POST", MESSAGES, {"embeds": [{"title": "t", "url": "https://"}]}, {}, "embeds/0/url"),
        ("POST", MESSAGES, {"embeds": [{"title": "t", "color": -1}]}, {}, "embeds/0/color"),
        ("POST", MESSAGES, {"embeds": [{"fields": [{"name": "n"}]}]}, {}, "embeds/0/fields/0/value"),
        ("POST", MESSAGES, {"content": "x", "allowed_mentions": {"parse": ["channels"]}}, {},
         "allowed_mentions/parse/0"),
        ("POST", MESSAGES, {"content": 5}, {}, "content"),
        ("POST", "/channels/news/messages", {"content": "x"}, {}, "channel_id"),
        ("GET", MESSAGES, None, {"limit": "101"}, "limit"),
        ("GET", MESSAGES, None, {"before": "yesterday"}, "before"),
        ("POST", f"{MESSAGES}/1/threads", {"name": "t", "auto_archive_duration": 30}, {}, "auto_archive_duration"),
        ("POST", f"{MESSAGES}/1/threads", {"name": ""}, {}, "name"),
        ("POST", f"{MESSAGES}/1/threads", {"name": "n" * 101}, {}, "name"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "options": [option(99)]}], {}, "0/options/0/type"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "name": "n" * 33}], {}, "0/name"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "description": "d" * 101}], {}, "0/description"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "options": [option(3, min_length=7000)]}], {}, "0/options/0/min_length"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "default_member_permissions": "manage"}], {},
         "0/default_member_permissions"),
    ],
)
async def test_requests_the_spec_refuses_are_refused_like_discord(
    fake_discord: FakeDiscord, method: str, path: str, body: Any, query: dict[str, str], field: str
) -> None:
    status, answer = await call(fake_discord, method, path, body, **query)
    assert status == 400 and answer["code"] == 50035 and answer["message"] == "Invalid Form Body", answer
    node = answer["errors"]
    for part in field.split("/"):
        node = node[part]
    assert node["_errors"] and all(isinstance(e["code"], str) for e in node["_errors"]), node
    [violation] = fake_discord.take_spec_violations()
    assert path.split("?")[0] in violation


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        # The documented limits the schema lacks.
        ("POST", f"{MESSAGES}/1/threads", {"name": "   "}, "name"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "name": "has space"}], "0/name"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "name": "News"}], "0/name"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "options": [
            {**option(3, choices=[{"name": f"c{i}", "value": "v" * 100} for i in range(25)]), "name": f"o{n}"}
            for n in range(4)
        ]}], "0"),
        ("PUT", COMMANDS, [{**GOOD_COMMAND, "options": [option(3, choices=[{"name": "c", "value": "v" * 101}])]}],
         "0/options/0/choices/0/value"),
        ("POST", MESSAGES, {"content": "c" * 2001}, "content"),
        ("POST", MESSAGES, {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, "embeds"),
    ],
)
async def test_documented_limits_the_schema_lacks_are_refused(
    fake_discord: FakeDiscord, method: str, path: str, body: Any, field: str
) -> None:
    if "/threads" in path:
        message = fake_discord.seed_message(NEWS_CHANNEL, fake_discord.guilds[0].members[0], "start here")
        path = path.replace("/1/", f"/{message.id}/")
    status, answer = await call(fake_discord, method, path, body)
    assert status == 400 and answer["code"] == 50035, answer
    node = answer["errors"]
    for part in field.split("/"):
        node = node[part]
    assert node["_errors"], node
    assert len(fake_discord.take_spec_violations()) == 1


async def test_a_deliberately_bad_request_from_discord_py_is_caught(
    plain_bot: PlainBot, fake_discord: FakeDiscord
) -> None:
    """The harness's promise: what Discord would refuse fails, and the test hears about it."""
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("start", allowed_mentions=discord.AllowedMentions.none())
    with pytest.raises(discord.HTTPException) as raised:
        await message.create_thread(name="Discussion", auto_archive_duration=30)  # type: ignore[arg-type]
    assert (raised.value.status, raised.value.code) == (400, 50035)
    assert fake_discord.threads_created == []
    [violation] = fake_discord.take_spec_violations()
    assert "auto_archive_duration" in violation


async def test_answers_have_discords_shapes(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("start", allowed_mentions=discord.AllowedMentions.none())
    status, thread = await call(fake_discord, "POST", f"{MESSAGES}/{message.id}/threads", {"name": "  Talk  "})
    assert status == 201 and thread["name"] == "Talk" and thread["thread_metadata"]["locked"] is False
    _, commands = await call(fake_discord, "GET", COMMANDS)
    assert all(c["default_member_permissions"] is None or isinstance(c["default_member_permissions"], str)
               for c in commands)
    # Every answer above (and the bot's login) was checked against the spec's response schemas.
    assert fake_discord.spec_violations == []


# ---- permissions ----------------------------------------------------------------------------------


async def test_without_send_messages_a_post_is_50013(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_SEND_MESSAGES)
    channel = plain_bot.get_channel(NEWS_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    await fake_discord.wait_for(lambda: not channel.permissions_for(channel.guild.me).send_messages,
                                what="CHANNEL_UPDATE to reach the bot's cache")
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("hello")
    assert raised.value.code == 50013
    assert fake_discord.posts_in(NEWS_CHANNEL) == []


async def test_without_view_channel_everything_is_missing_access(fake_discord: FakeDiscord) -> None:
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_VIEW_CHANNEL)
    for method, path, body in (("POST", MESSAGES, {"content": "x"}), ("GET", MESSAGES, None),
                               ("GET", f"/channels/{NEWS_CHANNEL}", None)):
        status, answer = await call(fake_discord, method, path, body)
        assert (status, answer["code"]) == (403, 50001), (method, path)


async def test_without_read_message_history_history_is_empty_not_an_error(
    plain_bot: PlainBot, fake_discord: FakeDiscord
) -> None:
    member = fake_discord.guilds[0].members[1]
    fake_discord.seed_message(CHAT_CHANNEL, member, "visible only with history")
    await fake_discord.deny_bot(CHAT_CHANNEL, PERM_READ_MESSAGE_HISTORY)
    channel = plain_bot.get_channel(CHAT_CHANNEL)
    assert isinstance(channel, discord.TextChannel)
    assert [m async for m in channel.history(limit=10)] == []
    await fake_discord.set_overwrite(CHAT_CHANNEL, fake_discord.bot.id)  # the overwrite cleared
    assert [m.content async for m in channel.history(limit=10)] == ["visible only with history"]


async def test_without_embed_links_embeds_are_dropped(fake_discord: FakeDiscord) -> None:
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_EMBED_LINKS)
    status, answer = await call(fake_discord, "POST", MESSAGES, {"embeds": [{"title": "t"}]})
    assert (status, answer["code"]) == (400, 50006)
    status, answer = await call(fake_discord, "POST", MESSAGES, {"content": "c", "embeds": [{"title": "t"}]})
    assert status == 200 and answer["embeds"] == [] and answer["content"] == "c"


async def test_role_overwrites_and_member_overwrites_combine_like_discord(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.guilds[0]
    await fake_discord.set_overwrite(NEWS_CHANNEL, guild.id, deny=PERM_SEND_MESSAGES)  # @everyone
    assert not fake_discord.permissions_in(NEWS_CHANNEL) & PERM_SEND_MESSAGES
    await fake_discord.set_overwrite(NEWS_CHANNEL, guild.bot_role_id, allow=PERM_SEND_MESSAGES)
    assert fake_discord.permissions_in(NEWS_CHANNEL) & PERM_SEND_MESSAGES
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_SEND_MESSAGES)  # the member overwrite wins
    assert not fake_discord.permissions_in(NEWS_CHANNEL) & PERM_SEND_MESSAGES
    assert fake_discord.permissions_in(NEWS_CHANNEL) & PERM_VIEW_CHANNEL


async def test_threads_follow_their_parent_and_their_state(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    thread = fake_discord.add_thread(NEWS_CHANNEL, "Launch talk")
    path = f"/channels/{thread.id}/messages"
    assert (await call(fake_discord, "POST", path, {"content": "hi"}))[0] == 200
    await fake_discord.set_thread_state(thread.id, archived=True)
    assert (await call(fake_discord, "POST", path, {"content": "reopens"}))[0] == 200
    assert thread.archived is False  # a message in an archived, unlocked thread reopens it
    await fake_discord.set_thread_state(thread.id, locked=True)
    status, answer = await call(fake_discord, "POST", path, {"content": "locked out"})
    assert status == 403 and answer["code"] == 160005
    await fake_discord.set_thread_state(thread.id, locked=False)
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_SEND_MESSAGES_IN_THREADS)
    status, answer = await call(fake_discord, "POST", path, {"content": "no"})
    assert (status, answer["code"]) == (403, 50013)
    # The parent's Send Messages is still there: threads need their own permission.
    assert (await call(fake_discord, "POST", MESSAGES, {"content": "parent"}))[0] == 200


async def test_creating_a_thread_needs_create_public_threads(fake_discord: FakeDiscord) -> None:
    message = fake_discord.seed_message(NEWS_CHANNEL, fake_discord.guilds[0].members[0], "start")
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_CREATE_PUBLIC_THREADS)
    status, answer = await call(fake_discord, "POST", f"{MESSAGES}/{message.id}/threads", {"name": "t"})
    assert (status, answer["code"]) == (403, 50013)


async def test_interactions_carry_the_bots_permissions_in_the_channel(
    plain_bot: PlainBot, fake_discord: FakeDiscord
) -> None:
    seen: list[discord.Permissions] = []

    async def record(interaction: discord.Interaction) -> None:
        seen.append(interaction.app_permissions)
        await interaction.response.send_message("ok")

    plain_bot.handler = record
    await fake_discord.deny_bot(CHAT_CHANNEL, PERM_READ_MESSAGE_HISTORY)
    interaction = await fake_discord.run_command("say", {"word": "x"}, channel_id=CHAT_CHANNEL)
    await fake_discord.wait_for(lambda: interaction.answered, what="the answer")
    assert not seen[0].read_message_history and seen[0].send_messages


# ---- AutoMod --------------------------------------------------------------------------------------


async def test_automod_refuses_blocked_words_and_links_every_time(fake_discord: FakeDiscord) -> None:
    fake_discord.automod_words = ["forbidden"]
    fake_discord.automod_link_domains = ["bad.example"]
    for _ in range(2):  # permanent: a retry is refused the same way
        status, answer = await call(fake_discord, "POST", MESSAGES, {"embeds": [{"title": "A Forbidden word"}]})
        assert (status, answer["code"]) == (400, 200000)
        status, answer = await call(fake_discord, "POST", MESSAGES,
                                    {"embeds": [{"title": "t", "url": "https://www.bad.example/x"}]})
        assert (status, answer["code"]) == (400, 240000)
    status, _ = await call(fake_discord, "POST", MESSAGES, {"embeds": [{"title": "t", "url": "https://good.example/"}]})
    assert status == 200
    assert fake_discord.spec_violations == []  # refusals, not invalid requests


# ---- interactions: autocomplete, token lifetime ---------------------------------------------------


async def test_autocomplete_is_answered_with_choices(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    interaction = await fake_discord.run_autocomplete("pick", "planet", "ma")
    await fake_discord.wait_for(lambda: interaction.answered, what="the autocomplete answer")
    assert interaction.choices == [{"name": "Mars", "value": "Mars"}]
    assert interaction.rejected_callbacks == []


@pytest.mark.parametrize(("kind", "callback_type"), [(4, 4), (4, 5), (2, 8)])
async def test_callback_types_must_fit_the_interaction(
    fake_discord: FakeDiscord, kind: int, callback_type: int
) -> None:
    """Choices answer autocomplete (type 4) only; messages and defers answer commands (type 2) only."""
    member = fake_discord.guilds[0].members[0]
    pending = FakeInteraction(id=fake_discord.next_id(), token="t-1", name="pick", channel_id=NEWS_CHANNEL,
                              guild_id=fake_discord.guilds[0].id, user=member,
                              created_at=asyncio.get_running_loop().time(), kind=kind)
    fake_discord.interactions[pending.id] = pending
    data = {"choices": []} if callback_type == 8 else {"content": "x"}
    status, answer = await call(fake_discord, "POST", f"/interactions/{pending.id}/t-1/callback",
                                {"type": callback_type, "data": data})
    assert (status, answer["code"]) == (400, 50035)
    assert not pending.answered
    assert len(fake_discord.take_spec_violations()) == 1


async def test_followups_after_the_token_expired_are_refused(plain_bot: PlainBot, fake_discord: FakeDiscord) -> None:
    assert FakeDiscord().interaction_token_lifetime_s == 15 * 60  # Discord's rule; shortened below
    fake_discord.interaction_token_lifetime_s = 0.2

    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.3)
        await interaction.followup.send("too late", allowed_mentions=discord.AllowedMentions.none())

    plain_bot.handler = slow
    interaction = await fake_discord.run_command("say", {"word": "x"})
    await fake_discord.wait_for(lambda: bool(plain_bot.handler_errors), what="the expired follow-up to fail")
    error = plain_bot.handler_errors[0]
    assert isinstance(error, discord.HTTPException) and (error.status, error.code) == (401, 50027)
    assert interaction.original is None
