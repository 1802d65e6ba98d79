"""The news loop in one process of several: it polls and posts only for the servers on its shards,
and leaves alone a source another process has claimed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import DiscordSettings
from db.models import ConfigSource
from db.store import Store
from tests.cogs.test_news import cog, items, serve_feed, titles
from tests.helpers.bots import CogTestBot, make_config, start_bot, stop_bot
from tests.helpers.discord_fakes import GUILD_ID, FakeClock
from tests.helpers.site import LocalSite

#: A server on the other of two shards.
OTHER_SHARD_GUILD_ID = GUILD_ID + (1 << 22)


def shard(guild_id: int) -> int:
    return (guild_id >> 22) % 2


@pytest.fixture
async def shard_bot(tmp_path: Path, store: Store, clock: FakeClock) -> AsyncIterator[CogTestBot]:
    """A process running only the shard of GUILD_ID, of two."""
    assert shard(GUILD_ID) != shard(OTHER_SHARD_GUILD_ID)
    config = make_config(tmp_path)
    sharded = DiscordSettings(shard_count=2, shard_ids=[shard(GUILD_ID)])
    started = await start_bot(config.model_copy(update={"discord": sharded}), store, clock)
    try:
        yield started
    finally:
        await stop_bot(started)


async def test_only_the_servers_on_this_process_shards_are_polled_and_posted(
    shard_bot: CogTestBot, store: Store, site: LocalSite
) -> None:
    ours = shard_bot.add_channel(GUILD_ID)
    theirs = shard_bot.add_channel(OTHER_SHARD_GUILD_ID)  # visible to the test double, not our shard
    url = serve_feed(site, "esa", items(site, "esa", 2))
    mine = await store.add_source(GUILD_ID, url, "ESA", ours.channel_id, now=shard_bot.clock())
    other = await store.add_source(OTHER_SHARD_GUILD_ID, url, "ESA", theirs.channel_id, now=shard_bot.clock())
    report = await cog(shard_bot).run_once()
    assert report.polled == 1 and len(titles(ours)) == 2 and titles(theirs) == []
    # The other server's source is left due for the process that runs its shard.
    assert [s.id for s in await store.due_sources(shard_bot.clock())] == [other.id]
    assert mine.id not in [s.id for s in await store.due_sources(shard_bot.clock())]


async def test_a_config_source_belongs_to_the_process_that_sees_its_channel(
    shard_bot: CogTestBot, store: Store, site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = shard_bot.add_channel(GUILD_ID)
    theirs = shard_bot.add_channel(OTHER_SHARD_GUILD_ID)
    url_a = serve_feed(site, "nasa", items(site, "nasa", 1))
    url_b = serve_feed(site, "jaxa", items(site, "jaxa", 1))
    await store.sync_config_sources(
        [ConfigSource("NASA", url_a, ours.channel_id), ConfigSource("JAXA", url_b, theirs.channel_id)],
        now=shard_bot.clock(),
    )
    # Our cache holds only our shards' channels.
    real_get = shard_bot.get_channel
    monkeypatch.setattr(shard_bot, "get_channel", lambda id: None if id == theirs.channel_id else real_get(id))
    report = await cog(shard_bot).run_once()
    assert report.polled == 1 and len(titles(ours)) == 1 and titles(theirs) == []


async def test_a_source_claimed_by_another_process_is_left_to_it(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = bot.add_channel(GUILD_ID)
    url = serve_feed(site, "isro", items(site, "isro", 1))
    source = await store.add_source(GUILD_ID, url, "ISRO", channel.channel_id, now=clock())
    await store.claim_sources([source.id], owner="other-process", now=clock(), lease=timedelta(minutes=5))
    report = await cog(bot).run_once()
    assert report.polled == 0 and titles(channel) == []
    clock.advance(minutes=6)  # the other process died: its claim expired
    report = await cog(bot).run_once()
    assert report.polled == 1 and len(titles(channel)) == 1


async def test_a_disabled_source_is_announced_by_the_process_of_its_server_only(
    shard_bot: CogTestBot, store: Store
) -> None:
    ours = shard_bot.add_channel(GUILD_ID)
    theirs = shard_bot.add_channel(OTHER_SHARD_GUILD_ID)
    now = shard_bot.clock()
    for channel, guild_id in ((ours, GUILD_ID), (theirs, OTHER_SHARD_GUILD_ID)):
        source = await store.add_source(guild_id, f"https://{guild_id}.example/rss", "Gone", channel.channel_id, now=now)
        await store.record_poll_failure(source.id, now, "410 Gone", next_poll_at=now, disable_reason="410 Gone")
    report = await cog(shard_bot).run_once()
    assert report.notices == 1 and len(ours.sent) == 1 and theirs.sent == []
    # The other server's notice still waits for the process that runs its shard.
    assert [s.guild_id for s in await store.disabled_unnotified_sources()] == [OTHER_SHARD_GUILD_ID]
