"""Sharding against the fake Discord: shard counts, shard ranges, which servers a process holds."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import RunningBot, bot_config_data, make_config
from tests.fake_discord import FakeChannel, FakeDiscord, FakeGuild, default_guild, shard_of


def guild_on_shard(shard: int, count: int, *, base: int = 800000000000000001) -> FakeGuild:
    guild_id = next(base + (n << 22) for n in range(count) if shard_of(base + (n << 22), count) == shard)
    return FakeGuild(id=guild_id, name=f"Shard {shard} club", channels=[FakeChannel(guild_id + 7, "news")],
                     members=default_guild().members)


async def start_fake(shards: int) -> FakeDiscord:
    fake = FakeDiscord(shard_count=shards, guilds=[guild_on_shard(n, shards) for n in range(shards)])
    await fake.start()
    return fake


async def test_without_shard_settings_one_process_runs_the_recommended_shards(tmp_path: Path) -> None:
    fake = await start_fake(2)
    try:
        async with RunningBot(make_config(bot_config_data(tmp_path, fake))) as running:
            assert running.bot.shard_count == 2
            assert sorted(fake.connected_shards()) == [(0, 2), (1, 2)]
            assert sorted(g.id for g in running.bot.guilds) == sorted(g.id for g in fake.guilds)
            assert all(running.bot.holds_guild(g.id) for g in fake.guilds)
            # An interaction reaches the bot once, through the shard that holds its server.
            interaction = await fake.run_command("news", {"count": 1}, guild_id=fake.guilds[0].id)
            await fake.wait_for(lambda: interaction.answered, within=10, what="/news answered")
        assert [r for r in fake.rejected if "interactions" in r[0]] == []
    finally:
        await fake.close()


async def test_shard_ids_limit_a_process_to_the_servers_of_its_shards(tmp_path: Path) -> None:
    fake = await start_fake(2)
    try:
        data = bot_config_data(tmp_path, fake)
        data["discord"] |= {"shard_count": 2, "shard_ids": [1]}
        async with RunningBot(make_config(data)) as running:
            assert fake.connected_shards() == [(1, 2)]
            assert [g.id for g in running.bot.guilds] == [fake.guilds[1].id]
            assert [running.bot.holds_guild(g.id) for g in fake.guilds] == [False, True]
            # Commands belong to the application: the process without shard 0 leaves them alone.
            assert fake.command_syncs == []
            assert "/api/v10/gateway/bot" not in {path for _, path in fake.requests}
    finally:
        await fake.close()
