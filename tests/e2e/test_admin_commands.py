"""/sources through the fake Discord: Manage Server is checked from the interaction's permissions
at run time, whatever the command's default permissions say."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import FeedItem, FeedServer, RunningBot, bot_config_data, make_config
from tests.fake_discord import FakeDiscord, FakeInteraction

NEWS_CHANNEL = 810000000000000001


@pytest.fixture
async def running(fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path) -> AsyncIterator[RunningBot]:
    feed_server.add_item("/agency.xml", FeedItem(
        guid="a-1", title="Probe reaches Jupiter", link=feed_server.url("/articles/1"),
        body="The probe entered orbit after a five-year cruise.", published=datetime(2026, 11, 1, tzinfo=UTC),
    ))
    # A long interval: these tests are about the command, not the news loop.
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    async with RunningBot(config) as bot:
        yield bot


async def answered(fake: FakeDiscord, interaction: FakeInteraction) -> str:
    await fake.wait_for(lambda: interaction.answered, within=15, what=f"/{interaction.name} to be answered")
    assert interaction.rejected_callbacks == []
    messages = interaction.answer_messages()
    assert all(m.allowed_mentions == {"parse": []} for m in messages)
    return " ".join(m.content + " ".join(str(e.get("description", "")) for e in m.embeds) for m in messages)


async def test_member_without_manage_server_is_refused(
    running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer
) -> None:
    guild = fake_discord.guilds[0]
    member = guild.members[1]
    assert not member.permissions & (1 << 5)  # no Manage Server
    interaction = await fake_discord.run_command(
        "sources", {"url": feed_server.url("/agency.xml"), "channel": NEWS_CHANNEL},
        subcommand="add", member=member,
    )
    text = await answered(fake_discord, interaction)
    assert interaction.ephemeral and not interaction.deferred
    assert text.strip() and "\n" not in text.strip()
    assert await running.bot.store.list_sources(guild.id) == []
    assert feed_server.hits == []  # refused before anything was fetched


async def test_admin_adds_a_source(running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer) -> None:
    guild = fake_discord.guilds[0]
    admin = guild.members[0]
    interaction = await fake_discord.run_command(
        "sources", {"url": feed_server.url("/agency.xml"), "channel": NEWS_CHANNEL, "name": "Agency"},
        subcommand="add", member=admin,
    )
    await answered(fake_discord, interaction)
    assert interaction.ephemeral
    [source] = await running.bot.store.list_sources(guild.id)
    assert (source.name, source.url, source.channel_id) == ("Agency", feed_server.url("/agency.xml"), NEWS_CHANNEL)
