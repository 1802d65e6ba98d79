"""Two bot processes, disjoint shard ranges, one PostgreSQL store, the fake Discord serving two shards.

Every entry of a feed that servers on both shards follow reaches each of their channels exactly
once, also when one process is SIGKILLed mid-poll (its source claim expires) and mid-post (its
post claim makes the restarted process look in the channel before sending) and then restarted.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from db import Store
from tests.e2e.conftest import FeedItem, FeedServer
from tests.e2e.test_news_flow import item
from tests.e2e.test_sharding import guild_on_shard
from tests.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]
FEED = "/shared.xml"
WAIT_S = 60.0  # upper bounds only: each wait returns as soon as its condition holds
CLAIM_TIMEOUT_S = 2.0


def write_config(path: Path, fake: FakeDiscord, database_url: str, shard: int) -> Path:
    sections: dict[str, dict[str, Any]] = {
        "discord": {
            "token": fake.token, "api_base": fake.api_base, "gateway_url": fake.gateway_url,
            "shard_count": 2, "shard_ids": [shard],
        },
        "database": {"url": database_url, "claim_timeout_s": CLAIM_TIMEOUT_S},
        "fetch": {"timeout_s": 10, "allow_private_networks": True},
        "news": {"interval_minutes": 0.02, "backfill": 10},
    }
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in values.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class BotProcess:
    """`python -m bot run` for one shard, as an operator would start it."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log = config, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env.pop("DISCORD_TOKEN", None)
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(self.config),
                cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the bot and every process it started, as a machine crash would (a bot killed alone
        takes its CPU workers with it too: tests/e2e/test_cpu_pool.py)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=30)

    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None


async def wait_until(condition: Any, what: str, processes: list[BotProcess]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while not condition():
        for bot in processes:
            if bot.exited():
                raise AssertionError(f"a bot exited early: {bot.log.read_text(errors='replace')[-3000:]}")
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def titles(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [post.embeds[0]["title"] for post in fake.posts_in(channel_id)]


async def test_two_processes_post_each_entry_once_per_channel_through_kills_and_restarts(
    pg_url: str, feed_server: FeedServer, tmp_path: Path
) -> None:
    guilds = [guild_on_shard(0, 2), guild_on_shard(1, 2)]
    channels = [guild.channels[0].id for guild in guilds]
    fake = FakeDiscord(shard_count=2, guilds=guilds)
    await fake.start()
    entries: list[FeedItem] = [item(feed_server, n, f"Shared story {n}", days_ago=3 - n * 0.1) for n in range(3)]
    for entry in entries:
        feed_server.add_item(FEED, entry)
    feed_url = feed_server.url(FEED)
    async with Store.open(pg_url) as store:
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        for guild, channel in zip(guilds, channels, strict=True):
            await store.add_source(guild.id, feed_url, "Shared feed", channel, now=now)
    shard0 = BotProcess(write_config(tmp_path / "shard0.toml", fake, pg_url, 0), tmp_path / "shard0.log")
    shard1 = BotProcess(write_config(tmp_path / "shard1.toml", fake, pg_url, 1), tmp_path / "shard1.log")
    both = [shard0, shard1]
    try:
        # 1. Both start; shard 0 is killed while its fetch of the feed is in flight.
        feed_server.delays[FEED] = 3.0
        await shard0.start()
        await shard1.start()
        await wait_until(lambda: feed_server.hits.count(FEED) >= 2, "both processes polling", both)
        shard0.kill()
        await shard0.process.wait()  # type: ignore[union-attr]
        await wait_until(lambda: len(titles(fake, channels[1])) == 3, "shard 1's posts", [shard1])
        assert titles(fake, channels[0]) == []

        # 2. Restarted, shard 0 polls once the dead process's claim expired, and is killed
        #    again with its first message delivered but not yet acknowledged.
        feed_server.delays.pop(FEED)
        fake.hold_next_posts(1)
        await shard0.start()
        await wait_until(lambda: len(titles(fake, channels[0])) == 1, "shard 0's held post", both)
        shard0.kill()
        await shard0.process.wait()  # type: ignore[union-attr]

        # 3. A new story, and shard 0 back: the held post is found, not repeated; the rest go out.
        newer = item(feed_server, 9, "Shared story 9", days_ago=0)
        feed_server.add_item(FEED, newer)
        await shard0.start()
        wanted = [entry.title for entry in [*entries, newer]]
        await wait_until(
            lambda: all(len(titles(fake, channel)) >= 4 for channel in channels), "every post", both
        )
        polls = feed_server.hits.count(FEED)
        await wait_until(lambda: feed_server.hits.count(FEED) >= polls + 4, "more polls", both)
        for channel in channels:
            assert sorted(titles(fake, channel)) == sorted(wanted), Counter(titles(fake, channel))
        assert await shard0.stop() == 0
        assert await shard1.stop() == 0
    finally:
        for bot in both:
            if bot.process is not None and bot.process.returncode is None:
                bot.kill()
                await bot.process.wait()
        await fake.close()
    async with Store.open(pg_url) as store:
        assert await store.pending_entries() == []
        for guild in guilds:
            posted = await store.latest_posted(guild.id, 10)
            assert sorted(p.entry.title for p in posted) == sorted(wanted)
