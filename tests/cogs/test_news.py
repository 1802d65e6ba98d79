"""The news loop, one iteration at a time: posting, failures, crash reconciliation, notices, digests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from cogs.news import NewsCog
from db.models import ConfigSource, NewEntry, Source
from db.store import Store
from tests.helpers.bots import CogTestBot, make_config, start_bot, stop_bot
from tests.helpers.debates import REUSE_VS_SAFETY
from tests.helpers.discord_fakes import (
    GUILD_ID,
    OTHER_GUILD_ID,
    FakeChannel,
    FakeClock,
    http_error,
    make_user,
)
from tests.helpers.site import LocalSite, RssItem, article_html, rss

INTERVAL = timedelta(minutes=15)
BODY = (
    "Engineers at the launch site completed the final review of the vehicle on Monday morning. "
    "The rocket's second stage was fuelled and pressurised without problems during the rehearsal. "
    '"Everything we have seen tells us this vehicle is ready to fly," said Maria Lopez, the launch director. '
    "Weather officers forecast a ninety percent chance of acceptable conditions for the window. "
    "The payload is a weather satellite that will watch storms over the Atlantic for ten years."
)


def items(site: LocalSite, prefix: str, count: int, *, start: int = 0) -> list[RssItem]:
    """Feed items whose links are article pages on the local site (a teaser makes the loop fetch
    the article, and nothing may leave 127.0.0.1)."""
    base = datetime(2026, 5, 1, tzinfo=UTC)
    made = []
    for i in range(start, start + count):
        link = site.add(f"/{prefix}/story/{i}", article_html(f"{prefix} story {i}", [BODY, f"Story {i}."]))
        made.append(
            RssItem(
                guid=f"{prefix}-{i}",
                title=f"{prefix} story {i} @everyone",
                link=link,
                description=f"{BODY} Story {i}.",
                published=base + timedelta(hours=i),
            )
        )
    return made


def serve_feed(site: LocalSite, prefix: str, entries: list[RssItem]) -> str:
    return site.add(f"/{prefix}.xml", rss(f"{prefix} feed", entries), content_type="application/rss+xml")


async def add_source(bot: CogTestBot, store: Store, url: str, name: str, channel: FakeChannel) -> Source:
    return await store.add_source(channel.guild.id, url, name, channel.channel_id, now=bot.clock())


def cog(bot: CogTestBot) -> NewsCog:
    found = bot.get_cog("NewsCog")
    # Not isinstance: load_extension executes cogs.news afresh, so its class is another copy.
    assert found is not None and type(found).__name__ == "NewsCog"
    return found  # type: ignore[return-value]


def titles(channel: FakeChannel) -> list[str | None]:
    return [sent.embed.title for sent in channel.sent if sent.embeds]


async def next_iteration(bot: CogTestBot, clock: FakeClock) -> Any:
    clock.advance(minutes=16)
    return await cog(bot).run_once()


async def test_loop_interval_comes_from_the_config(bot: CogTestBot) -> None:
    assert cog(bot).news_loop.minutes == pytest.approx(15.0)


async def test_one_iteration_posts_the_backfill_once_without_mentions(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    url = serve_feed(site, "nasa", items(site, "nasa", 5))
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, url, "NASA", channel)

    report = await cog(bot).run_once()
    # backfill 3: the newest three, oldest first; the mentions in the titles are inert.
    assert titles(channel) == [
        "nasa story 2 @\u200beveryone",
        "nasa story 3 @\u200beveryone",
        "nasa story 4 @\u200beveryone",
    ]
    assert (report.polled, report.posted, report.failed_sources) == (1, 3, [])
    first = channel.sent[0].embed
    assert first.url == site.url("/nasa/story/2")
    assert first.footer.text is not None and first.footer.text.startswith("NASA · reduced by ")
    assert first.description is not None and first.description.startswith("• ")
    posted = await store.latest_posted(GUILD_ID, 10)
    assert {item.post.message_id for item in posted} == {sent.message.id for sent in channel.sent}
    assert await store.pending_entries(source.id) == []

    # Nothing new: nothing posted again, even once the source is due again.
    await next_iteration(bot, clock)
    assert len(channel.sent) == 3
    # One new entry: exactly that one.
    serve_feed(site, "nasa", items(site, "nasa", 6))
    await next_iteration(bot, clock)
    assert titles(channel)[3:] == ["nasa story 5 @\u200beveryone"]


async def test_a_failing_source_is_recorded_and_the_others_still_post(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    good_channel = bot.add_channel(GUILD_ID, name="good")
    bad_channel = bot.add_channel(GUILD_ID, name="bad")
    broken = await add_source(bot, store, site.add("/broken", "oops", status=500), "Broken", bad_channel)
    html = await add_source(
        bot, store, site.add("/page", "<html><body>hi</body></html>"), "Page", bad_channel
    )
    good = await add_source(bot, store, serve_feed(site, "esa", items(site, "esa", 2)), "ESA", good_channel)

    report = await cog(bot).run_once()
    assert sorted(report.failed_sources) == ["Broken", "Page"]
    assert len(good_channel.sent) == 2 and bad_channel.sent == []
    for source_id, reason in ((broken.id, "HTTP 500"), (html.id, "not a feed")):
        stored = await store.get_source(source_id)
        assert stored is not None and stored.consecutive_failures == 1
        assert stored.last_error is not None and reason in stored.last_error
        assert stored.next_poll_at is not None and stored.next_poll_at > clock()
    healthy = await store.get_source(good.id)
    assert healthy is not None and healthy.consecutive_failures == 0


async def test_an_exception_in_one_source_does_not_stop_the_others(
    bot: CogTestBot, store: Store, site: LocalSite, caplog: pytest.LogCaptureFixture
) -> None:
    exploding = bot.add_channel(GUILD_ID, name="exploding")
    exploding.fail_send = RuntimeError("socket on fire")
    fine = bot.add_channel(GUILD_ID, name="fine")
    await add_source(bot, store, serve_feed(site, "a", items(site, "a", 1)), "A", exploding)
    await add_source(bot, store, serve_feed(site, "b", items(site, "b", 1)), "B", fine)
    with caplog.at_level(logging.ERROR, logger="cogs.news"):
        report = await cog(bot).run_once()
    assert report.failed_sources == ["A"]
    assert titles(fine) == ["b story 0 @\u200beveryone"]
    assert any("socket on fire" in record.getMessage() for record in caplog.records)


async def test_the_loop_body_survives_any_exception(
    bot: CogTestBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    news = cog(bot)

    async def explode() -> None:
        raise RuntimeError("store vanished")

    monkeypatch.setattr(news, "run_once", explode)
    with caplog.at_level(logging.ERROR, logger="cogs.news"):
        await news.news_loop.coro(news)  # what tasks.loop awaits each iteration
    assert "news loop iteration failed" in caplog.text


async def test_reconciliation_after_a_crash_between_send_and_mark_posted(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = serve_feed(site, "jaxa", items(site, "jaxa", 3))
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, url, "JAXA", channel)
    real_mark_posted = store.mark_posted

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("power cut")  # the message went out; the store never heard of it

    monkeypatch.setattr(store, "mark_posted", crash)
    await cog(bot).run_once()
    assert len(channel.sent) == 1
    sent_before_crash = channel.sent[0].message
    assert len(await store.pending_entries(source.id)) == 3

    monkeypatch.setattr(store, "mark_posted", real_mark_posted)
    report = await next_iteration(bot, clock)
    assert report.reconciled == 1 and report.posted == 2
    # Nothing lost, nothing twice: three distinct posts, the first one recorded by its id.
    assert titles(channel) == [f"jaxa story {i} @\u200beveryone" for i in range(3)]
    assert await store.pending_entries(source.id) == []
    posted = {item.entry.url: item.post.message_id for item in await store.latest_posted(GUILD_ID, 10)}
    assert posted[site.url("/jaxa/story/0")] == sent_before_crash.id


async def test_reconciliation_ignores_other_authors_and_other_urls(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    url = serve_feed(site, "isro", items(site, "isro", 1))
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, url, "ISRO", channel)
    # A pending entry whose post an earlier run had started (its claim expired with it), and
    # lookalike messages that are not our post of it.
    [entry] = await store.add_entries(
        source.id,
        [NewEntry(key="isro-0", title="isro story 0", url="https://isro.example/story/0", published=None)],
        clock(),
    )
    await store.claim_post(
        entry.id, channel.channel_id, owner="crashed-run", now=clock() - timedelta(hours=1), lease=timedelta(minutes=5)
    )
    impostor = discord.Embed(title="isro story 0", url="https://isro.example/story/0")
    channel.add_history(make_user(), "quoting the bot", embeds=[impostor])
    channel.add_history(
        bot.fake_user, "", embeds=[discord.Embed(title="x", url="https://isro.example/story/9")]
    )
    report = await next_iteration(bot, clock)
    assert report.reconciled == 0 and report.posted == 1
    assert titles(channel) == ["isro story 0"]


async def test_send_refused_skips_the_entry_instead_of_retrying_forever(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = bot.add_channel(GUILD_ID)
    channel.fail_send = http_error(discord.Forbidden, 403, "Missing Permissions", 50013)
    source = await add_source(bot, store, serve_feed(site, "cnsa", items(site, "cnsa", 2)), "CNSA", channel)
    await cog(bot).run_once()
    # The first entry is dropped with a reason; the second waits (feed order is kept).
    assert len(await store.pending_entries(source.id)) == 1
    channel.fail_send = None
    await next_iteration(bot, clock)
    assert titles(channel) == ["cnsa story 1 @\u200beveryone"]


async def test_disabled_source_notice_is_sent_once(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, site.add("/gone.xml", "gone", status=410), "Old feed", channel)
    report = await cog(bot).run_once()
    assert report.notices == 1
    [notice] = channel.sent
    assert notice.embeds == []
    assert notice.text.startswith("The news source **Old feed** was disabled: the feed says it is gone")
    stored = await store.get_source(source.id)
    assert stored is not None and stored.state == "disabled" and stored.disabled_notified

    clock.advance(days=2)
    again = await cog(bot).run_once()
    assert again.notices == 0 and len(channel.sent) == 1


async def test_disabled_notice_goes_to_the_system_channel_when_the_channel_is_gone(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    system = bot.add_channel(OTHER_GUILD_ID, name="general", system=True)
    source = await store.add_source(
        OTHER_GUILD_ID, site.add("/g.xml", "", status=410), "Lost", 123_456, now=clock()
    )
    # The channel is gone, so the source is never polled; the store disables it for another reason.
    await store.record_poll_failure(
        source.id, clock(), "HTTP 410", next_poll_at=clock() + INTERVAL, disable_reason="HTTP 410 (gone)"
    )
    report = await cog(bot).run_once()
    assert report.notices == 1
    assert system.sent[0].text == "The news source **Lost** was disabled: HTTP 410 (gone)."


async def test_sources_without_a_channel_are_not_polled(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    url = serve_feed(site, "preview", items(site, "preview", 2))
    source = await store.add_source(GUILD_ID, url, "Preview only", 0, now=clock())
    deleted = await store.add_source(
        GUILD_ID, serve_feed(site, "del", items(site, "del", 2)), "Deleted", 777, now=clock()
    )
    report = await cog(bot).run_once()
    assert report.polled == 0 and report.failed_sources == ["Deleted"]
    assert site.hits["/preview.xml"] == 0 and site.hits["/del.xml"] == 0
    assert await store.pending_entries(source.id) == [] and await store.pending_entries(deleted.id) == []
    # A vanished channel counts as a failure: backoff now, and in the end a disabled source.
    stored = await store.get_source(deleted.id)
    assert stored is not None and stored.consecutive_failures == 1
    assert stored.last_error == "channel 777 is gone or I cannot see it"
    assert stored.next_poll_at is not None and stored.next_poll_at > clock()
    system = bot.add_channel(GUILD_ID, name="general", system=True)
    for _ in range(12):
        clock.advance(days=1)
        await cog(bot).run_once()
    stored = await store.get_source(deleted.id)
    assert stored is not None and stored.state == "disabled"
    [notice] = system.sent
    assert notice.text.startswith("The news source **Deleted** was disabled: disabled after 8 failed polls")


@pytest.fixture
async def thread_bot(tmp_path: Path, store: Store, clock: FakeClock) -> AsyncIterator[CogTestBot]:
    config = make_config(tmp_path, thread_per_article=True, digest_min_comments=6, digest_after_hours=24)
    started = await start_bot(config, store, clock)
    try:
        yield started
    finally:
        await stop_bot(started)


DEBATE = REUSE_VS_SAFETY


async def test_threads_per_article_and_one_digest_each(
    thread_bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = thread_bot.add_channel(GUILD_ID)
    await add_source(thread_bot, store, serve_feed(site, "rl", items(site, "rl", 2)), "Rocket Lab", channel)
    await cog(thread_bot).run_once()
    busy, quiet = channel.threads
    assert busy.name == "rl story 0 @everyone"  # a thread name is plain text, never a ping
    people = [make_user(name=f"p{i}") for i in range(5)]
    for index, text in enumerate(DEBATE):
        busy.add_history(people[index % len(people)], text)
    busy.add_history(thread_bot.fake_user, "bot chatter is not a comment " * 3)
    quiet.add_history(people[0], "Only one comment here, not enough for a digest at all.")

    clock.advance(hours=23)
    early = await cog(thread_bot).run_once()
    assert early.digests == 0 and busy.sent == []

    clock.advance(hours=2)
    report = await cog(thread_bot).run_once()
    assert report.digests == 1 and quiet.sent == []
    [digest] = busy.sent
    assert digest.embed.title == "Main arguments"
    assert digest.embed.description is not None
    assert digest.embed.description.startswith(f"{len(DEBATE)} comments from 5 people")
    assert digest.embed.url == site.url("/rl/story/0")

    clock.advance(hours=1)
    await cog(thread_bot).run_once()
    assert len(busy.sent) == 1


async def test_guild_keyword_filters_apply_to_its_sources(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = bot.add_channel(GUILD_ID)
    entries = items(site, "kw", 3)
    entries[1] = RssItem("kw-x", "Mars sample return slips", site.url("/kw/mars"), BODY, entries[1].published)
    await store.set_guild_setting(GUILD_ID, "exclude_keywords", "mars", now=clock())
    await add_source(bot, store, serve_feed(site, "kw", entries), "KW", channel)
    await cog(bot).run_once()
    assert titles(channel) == ["kw story 0 @\u200beveryone", "kw story 2 @\u200beveryone"]


async def test_config_sources_post_into_their_channels_server(
    bot: CogTestBot, store: Store, site: LocalSite
) -> None:
    channel = bot.add_channel(GUILD_ID)
    url = serve_feed(site, "cfg", items(site, "cfg", 1))
    await store.sync_config_sources([ConfigSource("From config", url, channel.channel_id)], now=bot.clock())
    await cog(bot).run_once()
    assert titles(channel) == ["cfg story 0 @\u200beveryone"]
    # Recorded under the channel's server, so /news there lists it.
    [item] = await store.latest_posted(GUILD_ID, 5)
    assert item.source_name == "From config" and item.post.guild_id == GUILD_ID


async def test_reconciled_post_gets_its_missing_thread(
    thread_bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = thread_bot.add_channel(GUILD_ID)
    await add_source(thread_bot, store, serve_feed(site, "vast", items(site, "vast", 1)), "Vast", channel)
    real_mark_posted = store.mark_posted

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "mark_posted", crash)
    await cog(thread_bot).run_once()
    assert len(channel.sent) == 1 and channel.threads == []
    monkeypatch.setattr(store, "mark_posted", real_mark_posted)
    report = await next_iteration(thread_bot, clock)
    assert report.reconciled == 1 and len(channel.sent) == 1
    [thread] = channel.threads
    assert channel.sent[0].message.thread is thread.mock
    # And it is queued for its digest like any other discussion thread.
    clock.advance(hours=25)
    assert [t.thread_id for t in await store.threads_due_for_digest(clock(), timedelta(hours=24))] == [
        thread.channel_id
    ]


async def test_one_article_from_two_sources_is_posted_once_per_channel(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    agency_items = items(site, "agency", 2)
    # An aggregator carries the agency's two stories (its own guids, tracking parameters, http) and one of its own.
    aggregator_items = [
        RssItem(
            guid=f"aggregator-{i}",
            title=f"Aggregated: {item.title}",
            link=item.link.replace("http://", "http://www.", 0) + "?utm_source=aggregator",
            description=item.description,
            published=item.published,
        )
        for i, item in enumerate(agency_items)
    ] + items(site, "aggregator", 1, start=7)
    news = bot.add_channel(GUILD_ID)
    other_channel = bot.add_channel(GUILD_ID)
    agency = await add_source(bot, store, serve_feed(site, "agency", agency_items), "Agency", news)
    aggregator = await add_source(bot, store, serve_feed(site, "aggregator", aggregator_items), "Aggregator", news)
    # The same aggregator feed sent to another channel of the server posts everything there.
    copy_url = site.add("/aggregator-copy.xml", rss("copy", aggregator_items), content_type="application/rss+xml")
    await add_source(bot, store, copy_url, "Aggregator copy", other_channel)

    report = await cog(bot).run_once()
    links = [sent.embed.url.replace("www.", "").split("?")[0] for sent in news.sent]
    assert sorted(links) == sorted({item.link for item in agency_items} | {aggregator_items[2].link})
    assert len(news.sent) == 3  # two stories once each (whichever source came first), and the aggregator's own
    assert len(other_channel.sent) == 3
    assert report.posted == 6
    assert await store.pending_entries(agency.id) == [] and await store.pending_entries(aggregator.id) == []

    # Nothing comes back on the next polls, from either source.
    await next_iteration(bot, clock)
    assert (len(news.sent), len(other_channel.sent)) == (3, 3)


async def test_an_article_posted_long_ago_is_not_posted_again_from_another_source(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    [story] = items(site, "agency", 1)
    news = bot.add_channel(GUILD_ID)
    await add_source(bot, store, serve_feed(site, "agency", [story]), "Agency", news)
    await cog(bot).run_once()
    assert len(news.sent) == 1

    # Months later an aggregator added to the same channel carries that story (www., tracking).
    clock.advance(days=90)
    late = RssItem(
        guid="aggregator-late",
        title="Aggregated: the agency's story",
        link=story.link.replace("http://", "http://www.", 1) + "?utm_source=aggregator",
        description=story.description,
        published=story.published,
    )
    aggregator = await add_source(bot, store, serve_feed(site, "aggregator", [late]), "Aggregator", news)
    report = await next_iteration(bot, clock)
    assert (report.polled, report.posted) == (2, 0)
    assert len(news.sent) == 1  # seen, recorded as the same article, not posted
    assert await store.known_keys(aggregator.id, ["aggregator-late"]) == {"aggregator-late"}
    assert await store.pending_entries(aggregator.id) == []
    assert [item.source_name for item in await store.latest_posted(GUILD_ID, 10)] == ["Agency"]


async def test_servers_following_the_same_feed_share_one_fetch_per_cycle(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    stories = items(site, "shared", 3)
    feed = rss("shared feed", stories)
    path = "/shared.xml"
    url = site.add(path, feed, content_type="application/rss+xml", headers={"ETag": '"v1"'})
    ours, theirs = bot.add_channel(GUILD_ID), bot.add_channel(OTHER_GUILD_ID)
    mine = await add_source(bot, store, url, "Shared", ours)
    # The other server keeps its own filters: it does not want story 1.
    other = await store.add_source(
        OTHER_GUILD_ID, url, "Shared", theirs.channel_id, now=bot.clock(), exclude_keywords=["story 1"]
    )

    report = await cog(bot).run_once()
    assert (report.polled, site.hits[path]) == (2, 1)  # one fetch, two sources polled
    assert titles(ours) == [s.title.replace("@", "@\u200b") for s in stories]
    assert titles(theirs) == [s.title.replace("@", "@\u200b") for s in stories if "story 1" not in s.title]
    for source in (mine, other):
        updated = await store.get_source(source.id)
        assert updated is not None and updated.etag == '"v1"' and updated.last_success_at == clock()

    # Both hold the same ETag: one conditional fetch, a 304 for both.
    report = await next_iteration(bot, clock)
    assert (report.polled, site.hits[path], site.not_modified[path]) == (2, 2, 1)

    # Their validators differ (one polled alone meanwhile): one unconditional fetch, right for both.
    await store.record_poll_success(other.id, clock(), etag='"v0"', last_modified=None, next_poll_at=clock())
    newer = items(site, "shared", 1, start=3)
    site.add(path, rss("shared feed", stories + newer), content_type="application/rss+xml", headers={"ETag": '"v2"'})
    report = await next_iteration(bot, clock)
    assert (report.polled, site.hits[path], site.not_modified[path]) == (2, 3, 1)
    assert len(ours.sent) == 4 and len(theirs.sent) == 3  # the new story in both channels
    assert {(await store.get_source(s.id)).etag for s in (mine, other)} == {'"v2"'}  # type: ignore[union-attr]

    # A failure is each source's own: both back off, each with its own count.
    site.add(path, "down", status=503)
    await next_iteration(bot, clock)
    assert site.hits[path] == 4
    for source in (mine, other):
        failed = await store.get_source(source.id)
        assert failed is not None and failed.consecutive_failures == 1 and failed.next_poll_at is not None
    # A disabled source is not polled; the other one still is, alone.
    await store.set_source_state(OTHER_GUILD_ID, other.id, active=False, now=clock())
    site.add(path, feed, content_type="application/rss+xml")
    clock.advance(hours=2)
    report = await cog(bot).run_once()
    assert (report.polled, site.hits[path]) == (1, 5)
    assert (await store.get_source(mine.id)).consecutive_failures == 0  # type: ignore[union-attr]


def test_permanent_refusals_are_told_apart_from_retryable_errors() -> None:
    from types import SimpleNamespace

    from cogs.news import MAX_POST_ATTEMPTS
    from cogs.upkeep import refusal

    def http_error(status: int, code: int, text: str) -> discord.HTTPException:
        response = SimpleNamespace(status=status, reason="x")
        return discord.HTTPException(response, {"code": code, "message": text})  # type: ignore[arg-type]

    blocked = refusal(http_error(400, 200000, "Message was blocked by automatic moderation"))
    assert blocked is not None and "AutoMod" in blocked and "200000" in blocked
    assert "harmful-link" in (refusal(http_error(400, 240000, "blocked")) or "")
    assert "invalid" in (refusal(http_error(400, 50035, "Invalid Form Body")) or "")
    assert refusal(http_error(500, 0, "Internal Server Error")) is None
    assert refusal(http_error(429, 0, "rate limited")) is None
    assert 1 < MAX_POST_ATTEMPTS <= 5


def test_missing_permissions_are_named_as_discord_names_them() -> None:
    from cogs.shared import POST_IN_THREAD, READ_HISTORY, missing_permissions

    granted = discord.Permissions(view_channel=True, send_messages=True)
    assert missing_permissions(granted, READ_HISTORY) == ["Read Message History"]
    assert missing_permissions(granted, POST_IN_THREAD) == ["Send Messages in Threads", "Embed Links"]
    assert missing_permissions(discord.Permissions.all(), READ_HISTORY) == []


async def test_a_post_automod_refuses_is_tried_three_times_while_the_next_entries_go_out(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    from cogs.news import MAX_POST_ATTEMPTS

    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, serve_feed(site, "esa", items(site, "esa", 3)), "ESA", channel)
    real_send = channel.mock.send.side_effect
    refused: list[str] = []

    async def automod(content: Any = None, **kwargs: Any) -> Any:
        embed = kwargs.get("embed")
        if embed is not None and "story 0" in str(embed.title):
            refused.append(str(embed.title))
            raise http_error(discord.HTTPException, 400, "Message was blocked by automatic moderation", 200000)
        return await real_send(content, **kwargs)

    channel.mock.send.side_effect = automod
    await cog(bot).run_once()
    # Refused once; the two entries after it went out in the same iteration.
    assert titles(channel) == [f"esa story {i} @\u200beveryone" for i in (1, 2)]
    assert [e.key for e in await store.pending_entries(source.id)] == ["esa-0"]
    for _ in range(MAX_POST_ATTEMPTS + 2):
        await next_iteration(bot, clock)
    assert len(refused) == MAX_POST_ATTEMPTS
    assert await store.pending_entries(source.id) == []
    notices = [sent.content for sent in channel.sent if not sent.embeds]
    # The fuller notices name the refused title and are refused too; one goes out, once.
    assert len(notices) == 1 and "AutoMod" in notices[0] and site.url("/esa/story/0") in notices[0]


async def test_a_pending_entry_is_not_sent_again_when_history_cannot_be_read(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    url = serve_feed(site, "nasa", items(site, "nasa", 1))
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, url, "NASA", channel)
    [left] = await store.add_entries(  # left pending by a run that may have sent it before crashing
        source.id, [NewEntry(key="nasa-0", title="nasa story 0", url=site.url("/nasa/story/0"), published=None)],
        clock(),
    )
    await store.claim_post(  # the crashed run's claim, expired with it
        left.id, channel.channel_id, owner="crashed-run", now=clock() - timedelta(hours=1), lease=timedelta(minutes=5)
    )
    channel.bot_permissions = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    await next_iteration(bot, clock)
    await next_iteration(bot, clock)
    assert titles(channel) == []  # never sent a second time
    [notice] = [sent.content for sent in channel.sent]
    assert "Read Message History" in notice and "not posted again" in notice
    entry = await store.get_entry(left.id)
    assert entry is not None and (entry.skip_reason or "").startswith("unconfirmed")


async def test_a_notice_that_fails_in_passing_is_tried_again_next_time(
    bot: CogTestBot, store: Store, site: LocalSite, clock: FakeClock
) -> None:
    channel = bot.add_channel(GUILD_ID)
    source = await add_source(bot, store, serve_feed(site, "csa", items(site, "csa", 1)), "CSA", channel)
    [entry] = await store.add_entries(
        source.id, [NewEntry(key="csa-x", title="csa story x", url=site.url("/csa/story/x"), published=None)], clock()
    )
    await store.give_up_entry(entry.id, "failed", "AutoMod blocked the message (code 200000)", clock())
    channel.fail_send = http_error(discord.HTTPException, 503, "Service Unavailable", 0)
    await cog(bot).run_once()
    assert [p.entry_id for p in await store.problems_to_announce()] == [entry.id]  # not lost
    channel.fail_send = None
    await next_iteration(bot, clock)
    assert await store.problems_to_announce() == []
    assert sum("csa story x" in str(sent.content) for sent in channel.sent) == 1
