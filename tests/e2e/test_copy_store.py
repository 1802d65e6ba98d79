"""Moving a running community from SQLite to PostgreSQL: the bot posts on SQLite, is stopped,
`copy-store` copies the file, and the bot started on PostgreSQL posts nothing again (only what is
new), with the fake Discord and a local feed."""

from __future__ import annotations

from pathlib import Path

from bot.copy_store import copy_store
from tests.e2e.conftest import (
    FEED_PATH,
    NEWS_CHANNEL,
    POLL_WAIT_S,
    FeedServer,
    RunningBot,
    config_for,
    fast_clock,
    item,
    titles,
    wait_for_polls,
)
from tests.fake_discord import FakeDiscord


async def test_a_bot_started_on_the_copied_store_posts_nothing_again(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path, pg_url: str
) -> None:
    old = [item(feed_server, n, f"Story {n} from the agency", days_ago=5 - n) for n in range(1, 5)]
    for entry in old:
        feed_server.add_item(FEED_PATH, entry)
    sqlite_config = config_for(tmp_path, fake_discord, feed_server)
    clock = fast_clock(4)
    async with RunningBot(sqlite_config, clock=clock) as running:
        # backfill = 3: the newest three are posted, the oldest recorded as seen and skipped.
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 3, within=POLL_WAIT_S,
                                    what="the backfilled items")
        await wait_for_polls(fake_discord, feed_server, 2)
    assert await running.stop() == 0
    posted = titles(fake_discord.posts_in(NEWS_CHANNEL))
    assert posted == [entry.title for entry in old[1:]]
    syncs = len(fake_discord.command_syncs)
    assert syncs >= 1

    report = await copy_store(sqlite_config, target=pg_url)
    assert dict(report.rows)["posts"] == 3

    pg_config = sqlite_config.model_copy(
        update={"database": sqlite_config.database.model_copy(update={"url": pg_url, "path": str(tmp_path / "unused")})}
    )
    async with RunningBot(pg_config, clock=clock) as running:
        assert running.bot.store.backend == "postgresql"
        await wait_for_polls(fake_discord, feed_server, 2)
        assert titles(fake_discord.posts_in(NEWS_CHANNEL)) == posted  # nothing again, not even the skipped one
        fresh = item(feed_server, 5, "A new story after the move", days_ago=0)
        feed_server.add_item(FEED_PATH, fresh)
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 4, within=POLL_WAIT_S,
                                    what="the item published after the move")
        await wait_for_polls(fake_discord, feed_server, 2)
    assert titles(fake_discord.posts_in(NEWS_CHANNEL)) == [*posted, fresh.title]
    assert len(fake_discord.command_syncs) == syncs  # the commands synced on SQLite are remembered
    assert not (tmp_path / "unused").exists()
