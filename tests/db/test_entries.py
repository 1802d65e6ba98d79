"""Entries and posts: dedup on (source, key), claim order, posting, /news queries, hostile text."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from db import CONFIG_GUILD_ID, ConfigSource, NewEntry, Source, Store, StoredQuote
from feeds.records import fill_canonical_links

from .conftest import NOW, raw_sql

GUILD_A, GUILD_B = 111, 222


def new(key: str, title: str | None = None, **fields: object) -> NewEntry:
    return NewEntry(key=key, title=title or f"title {key}", url=f"https://x.example/{key}", published=None, **fields)  # type: ignore[arg-type]


@pytest.fixture
async def source(store: Store) -> Source:
    return await store.add_source(GUILD_A, "https://x.example/rss", "X", 10, now=NOW)


async def test_known_keys_and_has_any_entries(store: Store, source: Source) -> None:
    assert not await store.has_any_entries(source.id)
    assert await store.known_keys(source.id, ["a", "b"]) == set()
    await store.add_entries(source.id, [new("a"), new("b", state="skipped", skip_reason="backfill")], NOW)
    assert await store.has_any_entries(source.id)
    assert await store.known_keys(source.id, ["a", "b", "c", "a"]) == {"a", "b"}


async def test_keys_belong_to_their_source(store: Store, source: Source) -> None:
    other = await store.add_source(GUILD_A, "https://y.example/rss", "Y", 10, now=NOW)
    await store.add_entries(source.id, [new("shared")], NOW)
    assert await store.known_keys(other.id, ["shared"]) == set()
    [inserted] = await store.add_entries(other.id, [new("shared")], NOW)
    assert inserted.source_id == other.id


async def test_many_keys_are_looked_up_in_chunks(store: Store, source: Source) -> None:
    keys = [f"k{i}" for i in range(2500)]
    await store.add_entries(source.id, [new(key, state="skipped") for key in keys[::2]], NOW)
    assert await store.known_keys(source.id, keys) == set(keys[::2])


async def test_add_entries_ignores_known_keys_and_returns_only_new_rows(store: Store, source: Source) -> None:
    first = await store.add_entries(source.id, [new("a"), new("b")], NOW)
    assert [e.key for e in first] == ["a", "b"]
    second = await store.add_entries(source.id, [new("b", "changed title"), new("c"), new("c")], NOW)
    assert [e.key for e in second] == ["c"]
    kept = await store.known_keys(source.id, ["b"])
    assert kept == {"b"}
    assert [e.title for e in await store.pending_entries(source.id)] == ["title a", "title b", "title c"]


async def test_entry_fields_round_trip(store: Store, source: Source) -> None:
    published = datetime(2026, 2, 3, 4, 5, 6, 123000, tzinfo=UTC)
    [entry] = await store.add_entries(
        source.id,
        [
            NewEntry(
                key="k",
                title="Artemis II",
                url="https://x.example/a2",
                published=published,
                image_url="https://x.example/a2.jpg",
                text="Full text.",
                is_teaser=True,
            )
        ],
        NOW,
    )
    assert (entry.title, entry.url, entry.image_url, entry.text, entry.is_teaser) == (
        "Artemis II",
        "https://x.example/a2",
        "https://x.example/a2.jpg",
        "Full text.",
        True,
    )
    assert abs((entry.published - published).total_seconds()) < 0.001  # type: ignore[operator]
    assert entry.state == "pending" and entry.summary is None and entry.quotes is None
    assert entry.created_at == NOW
    assert await store.get_entry(entry.id) == entry


async def test_naive_published_dates_are_taken_as_utc(store: Store, source: Source) -> None:
    [entry] = await store.add_entries(
        source.id, [NewEntry("k", "t", None, datetime(2026, 1, 1, 8, 0))], NOW
    )
    assert entry.published == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


async def test_hostile_text_is_cleaned_and_capped(store: Store, source: Source) -> None:
    huge = "A" * 3_000_000
    [entry] = await store.add_entries(
        source.id,
        [NewEntry("k", "bad \udcff\x00 title\n" + huge, "https://x.example/\udcff", None, text=huge, skip_reason=None)],
        NOW,
    )
    assert "\x00" not in entry.title and "\n" not in entry.title and len(entry.title) <= 1000
    entry.title.encode("utf-8")
    assert entry.url is not None and entry.url.encode("utf-8")
    assert len(entry.text) <= 500_000


@pytest.mark.parametrize("bad", [NewEntry("", "t", None, None), NewEntry("k" * 5000, "t", None, None)])
async def test_bad_keys_are_refused(store: Store, source: Source, bad: NewEntry) -> None:
    with pytest.raises(ValueError, match="key"):
        await store.add_entries(source.id, [bad], NOW)
    assert not await store.has_any_entries(source.id)


async def test_add_entries_is_one_transaction(store: Store, source: Source) -> None:
    # The second row violates the CHECK on state: nothing of the batch may remain.
    sneaky = NewEntry("b", "t", None, None, state="posted")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await store.add_entries(source.id, [new("a"), sneaky], NOW)
    assert not await store.has_any_entries(source.id)


async def test_pending_entries_oldest_first_across_sources(store: Store, source: Source) -> None:
    other = await store.add_source(GUILD_B, "https://y.example/rss", "Y", 20, now=NOW)
    await store.add_entries(source.id, [new("a1"), new("a2")], NOW)
    await store.add_entries(other.id, [new("b1")], NOW)
    await store.add_entries(source.id, [new("a3"), new("skip", state="skipped")], NOW)
    assert [e.key for e in await store.pending_entries()] == ["a1", "a2", "b1", "a3"]
    assert [e.key for e in await store.pending_entries(other.id)] == ["b1"]


async def test_mark_posted_is_idempotent_per_channel(store: Store, source: Source) -> None:
    [entry] = await store.add_entries(source.id, [new("a")], NOW)
    post = await store.mark_posted(entry.id, 10, 9001, NOW)
    assert post is not None
    assert (post.entry_id, post.guild_id, post.channel_id, post.message_id) == (entry.id, GUILD_A, 10, 9001)
    assert await store.mark_posted(entry.id, 10, 9002, NOW + timedelta(minutes=1)) == post
    assert (await store.get_entry(entry.id)).state == "posted"  # type: ignore[union-attr]
    assert await store.pending_entries() == []
    assert await store.mark_posted(entry.id + 99, 10, 1, NOW) is None


async def test_mark_skipped_only_touches_pending_entries(store: Store, source: Source) -> None:
    first, second = await store.add_entries(source.id, [new("a"), new("b")], NOW)
    await store.mark_posted(first.id, 10, 1, NOW)
    assert await store.mark_skipped(first.id, "channel gone") is False
    assert await store.mark_skipped(second.id, "channel gone") is True
    skipped = await store.get_entry(second.id)
    assert skipped is not None and skipped.state == "skipped" and skipped.skip_reason == "channel gone"
    assert (await store.get_entry(first.id)).state == "posted"  # type: ignore[union-attr]


async def test_summary_and_quotes_round_trip(store: Store, source: Source) -> None:
    @dataclass(frozen=True)
    class Quote:  # the summarizer's Quote has more fields; only text and speaker are kept
        text: str
        speaker: str | None
        start: int = 0
        end: int = 0

    [entry] = await store.add_entries(source.id, [new("a")], NOW)
    await store.save_entry_summary(
        entry.id, ["First sentence.", "Second \udcff one."], [Quote("We are go.", "Flight Director"), Quote("Wow.", None)]
    )
    saved = await store.get_entry(entry.id)
    assert saved is not None
    assert saved.summary == ("First sentence.", "Second \ufffd one.")
    assert saved.quotes == (StoredQuote("We are go.", "Flight Director"), StoredQuote("Wow.", None))
    assert saved.quotes[0].to_dict() == {"text": "We are go.", "speaker": "Flight Director"}
    assert saved.article_problem is None


async def test_why_the_article_page_was_not_used_is_kept_with_the_summary(store: Store, source: Source) -> None:
    teaser, whole = await store.add_entries(source.id, [new("teaser"), new("whole")], NOW)
    await store.save_entry_summary(teaser.id, ["Of the teaser."], [], article_problem="HTTP\n404\x00 ")
    await store.save_entry_summary(whole.id, ["Of the page."], [], article_problem="")
    [pending_teaser, pending_whole] = await store.pending_entries(source.id)
    assert pending_teaser.article_problem == "HTTP 404"  # one line, what the footer shows
    assert pending_whole.article_problem is None


async def test_latest_posted_is_per_guild_newest_first(store: Store, source: Source) -> None:
    other = await store.add_source(GUILD_B, "https://y.example/rss", "Y", 20, now=NOW)
    mine = await store.add_entries(source.id, [new(f"a{i}") for i in range(5)], NOW)
    [theirs] = await store.add_entries(other.id, [new("b")], NOW)
    for i, entry in enumerate(mine):
        await store.mark_posted(entry.id, 10, 100 + i, NOW + timedelta(minutes=i))
    await store.mark_posted(theirs.id, 20, 200, NOW + timedelta(hours=1))
    items = await store.latest_posted(GUILD_A, 3)
    assert [item.entry.key for item in items] == ["a4", "a3", "a2"]
    assert all(item.source_name == "X" and item.post.guild_id == GUILD_A for item in items)
    assert [item.entry.key for item in await store.latest_posted(GUILD_B, 10)] == ["b"]
    assert await store.latest_posted(333, 10) == []


async def test_latest_posted_includes_config_sources_posted_to_the_guild(store: Store, source: Source) -> None:
    [config_source] = await store.sync_config_sources([ConfigSource("NASA", "https://nasa.example/rss", 10)], now=NOW)
    [entry] = await store.add_entries(config_source.id, [new("n")], NOW)
    post = await store.mark_posted(entry.id, 10, 1, NOW, guild_id=GUILD_A)
    assert post is not None and post.guild_id == GUILD_A
    [item] = await store.latest_posted(GUILD_A, 5)
    assert item.source_name == "NASA" and item.entry.source_id == config_source.id
    assert await store.latest_posted(GUILD_B, 5) == []
    assert await store.latest_posted(CONFIG_GUILD_ID, 5) == []


async def test_latest_posted_lists_an_entry_once_and_filters_by_source(store: Store, source: Source) -> None:
    other = await store.add_source(GUILD_A, "https://y.example/rss", "Y News", 10, now=NOW)
    [a] = await store.add_entries(source.id, [new("a")], NOW)
    [b] = await store.add_entries(other.id, [new("b")], NOW)
    await store.mark_posted(a.id, 10, 1, NOW)
    await store.mark_posted(a.id, 11, 2, NOW + timedelta(minutes=5))  # the same entry in a second channel
    await store.mark_posted(b.id, 10, 3, NOW + timedelta(minutes=1))
    items = await store.latest_posted(GUILD_A, 10)
    assert [(item.entry.key, item.post.channel_id) for item in items] == [("a", 11), ("b", 10)]
    assert [i.entry.key for i in await store.latest_posted(GUILD_A, 10, source="y news")] == ["b"]
    assert [i.entry.key for i in await store.latest_posted(GUILD_A, 10, source=f"#{source.id}")] == ["a"]
    assert await store.latest_posted(GUILD_A, 10, source="nope") == []


async def test_concurrent_writers_share_one_connection_safely(store: Store, source: Source) -> None:
    async def claim(batch: int) -> None:
        await store.add_entries(source.id, [new(f"{batch}-{i}") for i in range(20)], NOW)

    await asyncio.gather(*(claim(batch) for batch in range(10)))
    pending = await store.pending_entries(source.id)
    assert len(pending) == 200
    await asyncio.gather(*(store.mark_posted(entry.id, 10, entry.id, NOW) for entry in pending))
    assert await store.pending_entries() == []
    assert await store.integrity_check() == "ok"


async def test_a_cancelled_write_is_all_or_nothing(store: Store, source: Source) -> None:
    batch = [new(f"k{i}") for i in range(30)]
    for steps in range(0, 60, 3):
        task = asyncio.create_task(store.add_entries(source.id, batch, NOW))
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        stored = await store.known_keys(source.id, [e.key for e in batch])
        assert len(stored) in (0, 30), f"partial batch after cancelling at step {steps}"
        # The store stays usable and the batch can always be written afterwards.
        await store.add_entries(source.id, batch, NOW)
        assert len(await store.known_keys(source.id, [e.key for e in batch])) == 30
        await store.remove_source(GUILD_A, source.id)
        source = await store.add_source(GUILD_A, "https://x.example/rss", "X", 10, now=NOW)


async def test_text_is_dropped_once_an_entry_is_settled(store: Store, source: Source) -> None:
    a, b = await store.add_entries(source.id, [new("a", text="body a"), new("b", text="body b")], NOW)
    [c] = await store.add_entries(source.id, [new("c", text="body c", state="skipped")], NOW)
    assert (a.text, c.text) == ("body a", "")  # a skipped entry is kept for its key only
    await store.save_entry_summary(a.id, ["Summary."], [])
    await store.mark_posted(a.id, 10, 1, NOW)
    await store.mark_skipped(b.id, "channel gone")
    posted, skipped = await store.get_entry(a.id), await store.get_entry(b.id)
    assert posted is not None and skipped is not None
    assert (posted.text, posted.summary, posted.title) == ("", ("Summary.",), "title a")
    assert skipped.text == ""


async def test_source_filter_folds_non_ascii_case(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://esa.example/rss", "Éspace Info", 10, now=NOW)
    [entry] = await store.add_entries(source.id, [new("a")], NOW)
    await store.mark_posted(entry.id, 10, 1, NOW)
    assert [i.entry.key for i in await store.latest_posted(GUILD_A, 5, source="éSPACE info")] == ["a"]


async def test_an_article_posted_in_a_channel_is_found_by_its_canonical_link_however_old(
    store: Store, source: Source
) -> None:
    other = await store.add_source(GUILD_A, "https://y.example/rss", "Y", 10, now=NOW)
    elsewhere = await store.add_source(GUILD_B, "https://z.example/rss", "Z", 30, now=NOW)
    (old,) = await store.add_entries(source.id, [new("old", canonical_link="//x.example/old")], NOW - timedelta(days=400))
    (theirs,) = await store.add_entries(elsewhere.id, [new("c", canonical_link="//x.example/c")], NOW)
    (unposted,) = await store.add_entries(other.id, [new("p", canonical_link="//x.example/p")], NOW)
    (bare,) = await store.add_entries(other.id, [new("bare")], NOW)  # no canonical link
    await store.mark_posted(old.id, 10, 1, NOW - timedelta(days=400))
    await store.mark_posted(theirs.id, 30, 2, NOW)
    await store.mark_posted(bare.id, 10, 3, NOW)
    assert old.canonical_link == "//x.example/old" and bare.canonical_link is None
    assert await store.article_posted_in_channel(GUILD_A, 10, "//x.example/old")  # 400 days ago
    assert not await store.article_posted_in_channel(GUILD_A, 11, "//x.example/old")  # another channel
    assert not await store.article_posted_in_channel(GUILD_A, 10, "//x.example/c")  # another server's post
    assert await store.article_posted_in_channel(GUILD_B, 30, "//x.example/c")
    assert not await store.article_posted_in_channel(GUILD_A, 10, "//x.example/p")  # recorded, not posted
    assert unposted.state == "pending"
    assert not await store.article_posted_in_channel(GUILD_A, 10, "")  # no link is never a duplicate


async def test_entries_from_before_canonical_links_are_filled_in(store: Store, store_target: str, source: Source) -> None:
    entries = await store.add_entries(source.id, [new("a"), new("b"), new("c")], NOW)
    await store.mark_posted(entries[0].id, 10, 1, NOW - timedelta(days=90))
    # As the migration leaves the rows recorded before it: no canonical link known yet.
    await raw_sql(store_target, "UPDATE entries SET canonical_link = NULL")
    await raw_sql(store_target, "UPDATE entries SET url = 'not a link' WHERE key = 'c'")
    assert not await store.article_posted_in_channel(GUILD_A, 10, "//x.example/a")
    assert await fill_canonical_links(store, batch=2) == 3
    assert await fill_canonical_links(store) == 0  # done once
    assert await store.article_posted_in_channel(GUILD_A, 10, "//x.example/a")
    assert [e.canonical_link for e in await store.pending_entries(source.id)] == ["//x.example/b", None]
