"""The news loop end to end: a local feed, the real bot, the fake Discord.

Each item must reach its channel exactly once, as a valid embed titled and linked like the entry,
with no pings; a restart on the same database and a 429 on the send must not change that.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.conftest import (
    FEED_PATH,
    LAUNCH_PARAGRAPHS,
    NEWS_CHANNEL,
    POLL_WAIT_S,
    FeedItem,
    FeedServer,
    RunningBot,
    assert_valid_news_post,
    config_for,
    fast_clock,
    item,
    titles,
    wait_for_polls,
)
from tests.fake_discord import FakeDiscord


async def test_new_item_is_posted_once_with_a_valid_embed_and_no_pings(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    old = item(feed_server, 1, "Crew returns from the station", days_ago=2)
    feed_server.add_item(FEED_PATH, old)
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server), clock=fast_clock(4)):
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S,
                                    what="the backfilled item")
        fresh = item(feed_server, 2, "Heavy rocket sends lander to the Moon", days_ago=0)
        feed_server.add_item(FEED_PATH, fresh)
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 2, within=POLL_WAIT_S,
                                    what="the new item")
        await wait_for_polls(fake_discord, feed_server, 2)
    posts = fake_discord.posts_in(NEWS_CHANNEL)
    assert titles(posts) == [old.title, fresh.title]
    assert_valid_news_post(posts[0], old)
    assert_valid_news_post(posts[1], fresh)
    assert [r for r in fake_discord.rejected if r[1] != 429] == []


async def test_restart_on_the_same_database_posts_nothing_twice(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    first = item(feed_server, 1, "Telescope finds water vapour on an exoplanet", days_ago=1)
    feed_server.add_item(FEED_PATH, first)
    config = config_for(tmp_path, fake_discord, feed_server)
    clock = fast_clock(4)  # one clock for both runs: time goes on while the bot is down
    async with RunningBot(config, clock=clock) as running:
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S,
                                    what="the first item")
    assert await running.stop() == 0

    later = item(feed_server, 2, "Rover drills its first Martian core", days_ago=0)
    feed_server.add_item(FEED_PATH, later)
    async with RunningBot(config, clock=clock):
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) >= 2, within=POLL_WAIT_S,
                                    what="the item added while the bot was down")
        await wait_for_polls(fake_discord, feed_server, 2)
    assert titles(fake_discord.posts_in(NEWS_CHANNEL)) == [first.title, later.title]


async def test_a_rate_limited_post_still_lands_exactly_once(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    only = item(feed_server, 1, "Solar probe breaks its own speed record", days_ago=1)
    feed_server.add_item(FEED_PATH, only)
    fake_discord.rate_limit_next_posts(2, retry_after=0.05)
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server), clock=fast_clock(4)):
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S,
                                    what="the post after two 429s")
        await wait_for_polls(fake_discord, feed_server, 2)
    posts = fake_discord.posts_in(NEWS_CHANNEL)
    assert titles(posts) == [only.title]
    assert_valid_news_post(posts[0], only)
    assert [status for _, status, _ in fake_discord.rejected] == [429, 429]


async def test_news_command_lists_what_was_posted(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    posted = item(feed_server, 1, "Station crew tests a new spacesuit", days_ago=1)
    feed_server.add_item(FEED_PATH, posted)
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server), clock=fast_clock(4)):
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S,
                                    what="the post")
        interaction = await fake_discord.run_command("news", {"count": 5}, channel_id=NEWS_CHANNEL)
        await fake_discord.wait_for(lambda: interaction.answered, within=10, what="/news")
    [answer] = interaction.answer_messages()
    assert answer.allowed_mentions == {"parse": []}
    assert posted.title in str(answer.embeds)
    assert interaction.rejected_callbacks == []


async def test_a_post_interrupted_after_sending_is_reconciled_not_repeated(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    only = item(feed_server, 1, "Comet lander wakes after a long winter", days_ago=1)
    feed_server.add_item(FEED_PATH, only)
    config = config_for(tmp_path, fake_discord, feed_server)
    fake_discord.hold_next_posts(1)
    clock = fast_clock(4)  # one clock for both runs: time goes on while the bot is down
    async with RunningBot(config, clock=clock) as running:
        # Discord has the message, the bot is still waiting for the answer: stop it now.
        await fake_discord.wait_for(
            lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S, what="the held post"
        )
    assert await running.stop() == 0

    async with RunningBot(config, clock=clock):
        await wait_for_polls(fake_discord, feed_server, 2)
    posts = fake_discord.posts_in(NEWS_CHANNEL)
    assert titles(posts) == [only.title]  # found in the channel's history, not sent again
    assert_valid_news_post(posts[0], only)


async def test_a_saved_teaser_summary_still_says_its_article_page_failed_when_sent_again(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    # A teaser whose article page answers 404: summarized from the teaser, and the post says so.
    teaser = FeedItem(
        guid="agency-teaser",
        title="Lander survives its first lunar night",
        link=feed_server.url("/articles/gone"),  # no page there: 404
        body=" ".join(LAUNCH_PARAGRAPHS[:3]) + " Read more…",
        published=datetime.now(UTC) - timedelta(days=1),
    )
    feed_server.add_item(FEED_PATH, teaser)
    config = config_for(tmp_path, fake_discord, feed_server)
    fake_discord.lose_next_posts(1)
    clock = fast_clock(4)  # one clock for both runs: time goes on while the bot is down
    async with RunningBot(config, clock=clock) as running:
        # Summarized and saved, the send in flight and never taken by Discord: stop now.
        await fake_discord.wait_for(lambda: len(fake_discord.lost_posts) == 1, within=POLL_WAIT_S,
                                    what="the lost post")
    assert await running.stop() == 0
    assert fake_discord.posts_in(NEWS_CHANNEL) == []
    [lost] = fake_discord.lost_posts
    footer = "Agency · article page unavailable (HTTP 404): summary of the feed's teaser"
    assert lost["embeds"][0]["footer"]["text"] == footer
    page_fetches = feed_server.hits.count("/articles/gone")

    async with RunningBot(config, clock=clock):
        await fake_discord.wait_for(lambda: len(fake_discord.posts_in(NEWS_CHANNEL)) == 1, within=POLL_WAIT_S,
                                    what="the post sent again")
        await wait_for_polls(fake_discord, feed_server, 2)
    [post] = fake_discord.posts_in(NEWS_CHANNEL)
    assert_valid_news_post(post, teaser)
    assert feed_server.hits.count("/articles/gone") == page_fetches  # the saved summary was reused
    assert post.embeds[0]["footer"]["text"] == footer


async def test_thread_per_article_opens_one_discussion_thread_under_the_post(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    only = item(feed_server, 1, "Astronomers watch a star swallow a planet " * 4, days_ago=1)  # > 100 chars
    feed_server.add_item(FEED_PATH, only)
    config = config_for(tmp_path, fake_discord, feed_server, thread_per_article=True)
    async with RunningBot(config, clock=fast_clock(4)):
        await fake_discord.wait_for(lambda: bool(fake_discord.threads_created), within=POLL_WAIT_S,
                                    what="the discussion thread")
        await wait_for_polls(fake_discord, feed_server, 2)
    [post] = fake_discord.posts_in(NEWS_CHANNEL)
    [thread] = fake_discord.threads_created
    assert (thread.id, thread.parent_id) == (post.id, NEWS_CHANNEL)  # started from the post itself
    assert 1 <= len(thread.name) <= 100 and thread.name.startswith("Astronomers watch a star")
