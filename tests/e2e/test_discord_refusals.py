"""The bot under Discord's rules, end to end: what Discord refuses for good, what it hides
(history without Read Message History), locked threads, and autocomplete.

The real bot runs against the fake Discord with spec validation on; each test makes Discord say
no the way it really does and checks that users and admins see what they should, once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cogs.news import MAX_POST_ATTEMPTS
from cogs.upkeep import MAX_DIGEST_ATTEMPTS
from tests.e2e.conftest import (
    CHAT_CHANNEL,
    FEED_PATH,
    NEWS_CHANNEL,
    POLL_WAIT_S,
    FeedServer,
    RunningBot,
    assert_valid_news_post,
    config_for,
    fast_clock,
    feed_polls,
    item,
    titles,
    wait_for_polls,
)
from tests.fake_discord import PERM_READ_MESSAGE_HISTORY, PERM_SEND_MESSAGES, FakeDiscord, RecordedMessage

NOW = datetime.now(UTC)


def news_posts(fake: FakeDiscord) -> list[RecordedMessage]:
    return [post for post in fake.posts_in(NEWS_CHANNEL) if post.embeds]


def notices(fake: FakeDiscord) -> list[RecordedMessage]:
    return [post for post in fake.posts_in(NEWS_CHANNEL) if not post.embeds]


async def test_an_entry_automod_refuses_does_not_stop_the_next_two_and_admins_hear_once(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    blocked = item(feed_server, 1, "Leaked footage shows the zorblax engine test", days_ago=3)
    second = item(feed_server, 2, "Crew returns from the station", days_ago=2)
    third = item(feed_server, 3, "Heavy rocket sends lander to the Moon", days_ago=1)
    for entry in (blocked, second, third):
        feed_server.add_item(FEED_PATH, entry)
    fake_discord.automod_words = ["zorblax"]
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server), clock=fast_clock(4)) as running:
        await fake_discord.wait_for(lambda: len(news_posts(fake_discord)) == 2, within=POLL_WAIT_S,
                                    what="the two entries after the refused one")
        await fake_discord.wait_for(lambda: bool(notices(fake_discord)), within=POLL_WAIT_S * MAX_POST_ATTEMPTS,
                                    what="the admins' notice")
        await wait_for_polls(fake_discord, feed_server, 3)
        stored = await running.bot.store.get_entry(1)
    assert titles(news_posts(fake_discord)) == [second.title, third.title]
    assert_valid_news_post(news_posts(fake_discord)[0], second)
    [notice] = notices(fake_discord)
    assert "AutoMod" in notice.content and "200000" in notice.content
    assert blocked.link in notice.content  # names the entry (its title is what AutoMod refuses)
    assert notice.allowed_mentions == {"parse": []}
    refusals = [r for r in fake_discord.rejected if r[2].get("code") == 200000]
    # Tried a small number of times; then the two fuller forms of the notice, which name the
    # blocked title, were refused too before the one naming the entry by its link went out.
    assert len(refusals) == MAX_POST_ATTEMPTS + 2
    assert stored is not None and stored.state == "skipped" and (stored.skip_reason or "").startswith("failed")


async def test_a_channel_the_bot_cannot_post_in_holds_its_source_back_and_names_the_permission(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.add_item(FEED_PATH, item(feed_server, 1, "Crew returns from the station", days_ago=1))
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_SEND_MESSAGES)
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server), clock=fast_clock(4)) as running:
        store = running.bot.store

        async def failures() -> int:
            return sum(source.consecutive_failures for source in await store.list_all_sources())

        for _ in range(int(POLL_WAIT_S / 0.1)):
            if await failures() >= 1:
                break
            await asyncio.sleep(0.1)
        [source] = await store.list_all_sources()
        pending = await store.pending_entries()
    assert source.consecutive_failures >= 1
    assert source.last_error is not None and "Send Messages" in source.last_error and "#news" in source.last_error
    assert feed_polls(feed_server) == 0 and pending == []  # nothing fetched, nothing claimed and stranded
    assert fake_discord.posts_in(NEWS_CHANNEL) == []


async def test_debate_without_read_message_history_names_it(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    member = fake_discord.guilds[0].members[1]
    fake_discord.seed_message(CHAT_CHANNEL, member, "Reusable boosters cut launch costs.")
    await fake_discord.deny_bot(CHAT_CHANNEL, PERM_READ_MESSAGE_HISTORY)
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server, interval_minutes=60)):
        interaction = await fake_discord.run_command("debate", {}, channel_id=CHAT_CHANNEL, member=member)
        await fake_discord.wait_for(lambda: interaction.answered, within=10, what="/debate")
    [answer] = interaction.answer_messages()
    assert interaction.ephemeral and not interaction.deferred
    assert "Read Message History" in answer.content and "#chat" in answer.content
    assert "no comments" not in answer.content and "\n" not in answer.content.strip()
    assert ("GET", f"/api/v10/channels/{CHAT_CHANNEL}/messages") not in fake_discord.requests


async def test_a_crash_between_send_and_record_with_history_unreadable_posts_nothing_twice(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    only = item(feed_server, 1, "Comet lander wakes after a long winter", days_ago=1)
    feed_server.add_item(FEED_PATH, only)
    config = config_for(tmp_path, fake_discord, feed_server)
    fake_discord.hold_next_posts(1)
    clock = fast_clock(4)
    async with RunningBot(config, clock=clock) as running:
        await fake_discord.wait_for(lambda: len(news_posts(fake_discord)) == 1, within=POLL_WAIT_S,
                                    what="the held post")
    assert await running.stop() == 0
    # While the bot is down an admin takes Read Message History away in the news channel.
    await fake_discord.deny_bot(NEWS_CHANNEL, PERM_READ_MESSAGE_HISTORY)

    async with RunningBot(config, clock=clock):
        await fake_discord.wait_for(lambda: bool(notices(fake_discord)), within=POLL_WAIT_S,
                                    what="the admins' notice")
        await wait_for_polls(fake_discord, feed_server, 3)
    assert titles(news_posts(fake_discord)) == [only.title]  # not posted a second time
    [notice] = notices(fake_discord)
    assert "Read Message History" in notice.content and "not posted again" in notice.content


async def test_a_locked_threads_digest_is_attempted_a_bounded_number_of_times(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    only = item(feed_server, 1, "Astronomers watch a star swallow a planet", days_ago=1)
    feed_server.add_item(FEED_PATH, only)
    config = config_for(tmp_path, fake_discord, feed_server, thread_per_article=True,
                        digest_after_hours=0, digest_min_comments=1)
    caplog.set_level(logging.WARNING, logger="cogs.upkeep")
    async with RunningBot(config, clock=fast_clock(4)) as running:
        await fake_discord.wait_for(lambda: bool(fake_discord.threads_created), within=POLL_WAIT_S,
                                    what="the discussion thread")
        [thread] = fake_discord.threads_created
        await fake_discord.set_thread_state(thread.id, locked=True)
        fake_discord.seed_message(thread.id, fake_discord.guilds[0].members[1],
                                  "The planet was already losing its atmosphere before it fell in.")
        await fake_discord.wait_for(lambda: any("given up" in r.getMessage() for r in caplog.records),
                                    within=POLL_WAIT_S * MAX_DIGEST_ATTEMPTS, what="the digest to be given up")
        polls_then = feed_polls(feed_server)
        requests_then = len(fake_discord.requests)
        await wait_for_polls(fake_discord, feed_server, 3)
        assert await running.bot.store.threads_due_for_digest(running.bot.clock(), timedelta(0)) == []
    attempts = [r for r in caplog.records if f"digest for thread {thread.id}" in r.getMessage()]
    assert len(attempts) == MAX_DIGEST_ATTEMPTS  # then nothing more, however many polls follow
    assert "Manage Threads" in attempts[-1].getMessage()
    assert feed_polls(feed_server) >= polls_then + 3
    thread_path = f"/api/v10/channels/{thread.id}/messages"
    # An iteration already under way when the thread was locked may still have tried once; after
    # that each check stops before reading or condensing, and once given up the thread is left alone.
    assert [r for r in fake_discord.requests if r == ("POST", thread_path)] in ([], [("POST", thread_path)])
    assert [r for r in fake_discord.requests[requests_then:] if r[1] == thread_path] == []


async def test_autocomplete_on_news_source_and_sources_remove_answers_with_choices(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    guild = fake_discord.guilds[0]
    admin, member = guild.members
    async with RunningBot(config_for(tmp_path, fake_discord, feed_server, interval_minutes=60)) as running:
        store = running.bot.store
        agency = await store.add_source(guild.id, feed_server.url("/agency-news.xml"), "Agency news", NEWS_CHANNEL,
                                        now=NOW)
        await store.add_source(guild.id, feed_server.url("/rockets.xml"), "Rocket report", NEWS_CHANNEL, now=NOW)

        news = await fake_discord.run_autocomplete("news", "source", "agen", member=member)
        remove = await fake_discord.run_autocomplete("sources", "source", "AGEN", subcommand="remove", member=admin)
        refused = await fake_discord.run_autocomplete("sources", "source", "", subcommand="remove", member=member)
        for interaction in (news, remove, refused):
            await fake_discord.wait_for(lambda i=interaction: i.answered, within=10, what="the choices")
    # /news offers this server's sources and the config file's sources posting here ("Agency").
    assert news.choices == [{"name": "Agency news", "value": "Agency news"}, {"name": "Agency", "value": "Agency"}]
    # Only this server's own sources can be removed.
    assert remove.choices == [{"name": f"Agency news (#{agency.id})", "value": f"#{agency.id}"}]
    assert refused.choices == []  # no Manage Server: nothing to offer
    assert all(i.rejected_callbacks == [] for i in (news, remove, refused))


async def test_invisible_characters_never_reach_discord(
    fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path
) -> None:
    invisible = item(feed_server, 1, "\u200b\u200b", days_ago=1)
    zero_width = item(feed_server, 2, "Lunar\u200b lander\u2060 lands\ufeff", days_ago=0.5)
    for entry in (invisible, zero_width):
        feed_server.add_item(FEED_PATH, entry)
    config = config_for(tmp_path, fake_discord, feed_server, thread_per_article=True)
    async with RunningBot(config, clock=fast_clock(4)):
        await fake_discord.wait_for(lambda: len(fake_discord.threads_created) == 2, within=POLL_WAIT_S,
                                    what="both discussion threads")
    assert titles(news_posts(fake_discord)) == ["(untitled)", "Lunar lander lands"]
    assert [thread.name for thread in fake_discord.threads_created] == ["Discussion", "Lunar lander lands"]
    for post in news_posts(fake_discord):
        shown = json.dumps(post.embeds, ensure_ascii=False).replace("@\u200b", "")  # a deliberate mention breaker
        assert not any(char in shown for char in "\u200b\u2060\ufeff"), shown
