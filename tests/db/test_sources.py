"""Sources: uniqueness, per-guild isolation, config sync, the poll bookkeeping and disabling."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from db import CONFIG_GUILD_ID, ConfigSource, DuplicateSourceError, NewEntry, Store
from db.sources import REMOVED_FROM_CONFIG

from .conftest import NOW

GUILD_A, GUILD_B = 111, 222
LATER = NOW + timedelta(minutes=15)


async def test_add_and_get_source(store: Store) -> None:
    source = await store.add_source(
        GUILD_A,
        " https://www.nasa.gov/feed/ ",
        "NASA",
        42,
        now=NOW,
        include_keywords=["Artemis", " artemis ", "", "Mars"],
        exclude_keywords=("rumor",),
    )
    assert source.url == "https://www.nasa.gov/feed/"
    assert (source.guild_id, source.name, source.channel_id, source.kind) == (GUILD_A, "NASA", 42, "feed")
    assert source.include_keywords == ("Artemis", "Mars")
    assert source.exclude_keywords == ("rumor",)
    assert source.is_active and source.consecutive_failures == 0 and not source.from_config
    assert source.created_at == NOW and source.next_poll_at == NOW  # due at once
    assert await store.get_source(source.id) == source
    assert await store.get_source(source.id + 1000) is None


async def test_url_is_unique_per_guild_only(store: Store) -> None:
    await store.add_source(GUILD_A, "https://x.example/rss", "X", 1, now=NOW)
    with pytest.raises(DuplicateSourceError) as caught:
        await store.add_source(GUILD_A, "https://x.example/rss", "X again", 1, now=NOW)
    assert "\n" not in str(caught.value)
    other = await store.add_source(GUILD_B, "https://x.example/rss", "X", 2, now=NOW)
    assert other.guild_id == GUILD_B
    assert len(await store.list_all_sources()) == 2


@pytest.mark.parametrize(
    ("url", "name", "channel", "kind", "message"),
    [
        ("   ", "n", 1, "feed", "empty"),
        ("https://x.example/" + "a" * 5000, "n", 1, "feed", "longer"),
        ("https://x.example/", "n", -1, "feed", "channel_id"),
        ("https://x.example/", "n", 2**64, "feed", "channel_id"),
        ("https://x.example/", "n", 1, "gopher", "kind"),
    ],
)
async def test_bad_source_fields_are_one_line_errors(
    store: Store, url: str, name: str, channel: int, kind: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        await store.add_source(GUILD_A, url, name, channel, now=NOW, kind=kind)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


async def test_hostile_names_are_cleaned(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://x.example/", "bad\udcff\x00\n name " + "z" * 500, 1, now=NOW)
    assert "\n" not in source.name and "\x00" not in source.name and len(source.name) <= 100
    source.name.encode("utf-8")  # valid UTF-8 now
    unnamed = await store.add_source(GUILD_A, "https://y.example/", "   ", 1, now=NOW)
    assert unnamed.name == "https://y.example/"


async def test_naive_now_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.add_source(GUILD_A, "https://x.example/", "X", 1, now=datetime(2026, 1, 1))


async def test_one_guild_cannot_see_find_or_remove_another_guilds_sources(store: Store) -> None:
    mine = await store.add_source(GUILD_A, "https://a.example/rss", "Alpha", 1, now=NOW)
    theirs = await store.add_source(GUILD_B, "https://b.example/rss", "Beta", 2, now=NOW)
    assert [s.id for s in await store.list_sources(GUILD_A)] == [mine.id]
    assert await store.find_source_by_name_or_id(GUILD_A, str(theirs.id)) is None
    assert await store.find_source_by_name_or_id(GUILD_A, "Beta") is None
    assert await store.find_source_by_name_or_id(GUILD_A, "https://b.example/rss") is None
    assert await store.remove_source(GUILD_A, theirs.id) is False
    assert await store.get_source(theirs.id) == theirs
    assert await store.set_source_state(GUILD_A, theirs.id, active=False, now=NOW) is None
    assert (await store.get_source(theirs.id)).is_active  # type: ignore[union-attr]


async def test_find_source_by_id_name_or_url(store: Store) -> None:
    first = await store.add_source(GUILD_A, "https://a.example/rss", "Space News", 1, now=NOW)
    second = await store.add_source(GUILD_A, "https://b.example/rss", "ESA", 1, now=NOW)
    assert await store.find_source_by_name_or_id(GUILD_A, str(first.id)) == first
    assert await store.find_source_by_name_or_id(GUILD_A, f"#{second.id}") == second
    assert await store.find_source_by_name_or_id(GUILD_A, "  space   NEWS ") == first
    assert await store.find_source_by_name_or_id(GUILD_A, "https://b.example/rss") == second
    assert await store.find_source_by_name_or_id(GUILD_A, "nothing") is None
    assert await store.find_source_by_name_or_id(GUILD_A, "") is None


async def test_a_numeric_name_is_found_when_no_id_matches(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "2001", 1, now=NOW)
    assert await store.find_source_by_name_or_id(GUILD_A, "2001") == source


async def test_remove_source_deletes_its_history(store: Store, db_path: Path) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW)
    [entry] = await store.add_entries(source.id, [NewEntry("k", "T", None, None)], NOW)
    post = await store.mark_posted(entry.id, 1, 10, NOW)
    assert post is not None
    await store.record_thread(post.id, 555, NOW)
    assert await store.remove_source(GUILD_A, source.id) is True
    assert await store.remove_source(GUILD_A, source.id) is False
    with sqlite3.connect(db_path) as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("entries", "posts", "threads")]
    assert counts == [0, 0, 0]


async def test_due_sources(store: Store) -> None:
    early = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW - timedelta(hours=1))
    now_due = await store.add_source(GUILD_A, "https://b.example/rss", "B", 1, now=NOW)
    later = await store.add_source(GUILD_A, "https://c.example/rss", "C", 1, now=NOW)
    await store.record_poll_success(later.id, NOW, etag=None, last_modified=None, next_poll_at=LATER)
    assert [s.id for s in await store.due_sources(NOW)] == [early.id, now_due.id]
    assert [s.id for s in await store.due_sources(LATER)] == [early.id, now_due.id, later.id]
    await store.set_source_state(GUILD_A, early.id, active=False, now=NOW)
    assert [s.id for s in await store.due_sources(LATER)] == [now_due.id, later.id]


async def test_success_stores_validators_and_resets_failures(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW)
    for _ in range(3):
        await store.record_poll_failure(source.id, NOW, "HTTP 503", next_poll_at=LATER)
    failing = await store.get_source(source.id)
    assert failing is not None and failing.consecutive_failures == 3 and failing.last_error == "HTTP 503"
    ok = await store.record_poll_success(source.id, LATER, etag='W/"abc"', last_modified="Sun, 01 Mar 2026", next_poll_at=LATER + timedelta(minutes=15))
    assert ok is not None
    assert (ok.consecutive_failures, ok.last_error, ok.etag, ok.last_modified) == (0, None, 'W/"abc"', "Sun, 01 Mar 2026")
    assert ok.last_polled_at == LATER and ok.last_success_at == LATER
    assert ok.next_poll_at == LATER + timedelta(minutes=15)


async def test_not_modified_keeps_validators(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW)
    await store.record_poll_success(source.id, NOW, etag='"v1"', last_modified=None, next_poll_at=LATER)
    await store.record_poll_failure(source.id, LATER, "timeout", next_poll_at=LATER)
    kept = await store.record_poll_not_modified(source.id, LATER, next_poll_at=LATER + timedelta(hours=1))
    assert kept is not None and kept.etag == '"v1"' and kept.consecutive_failures == 0
    assert kept.next_poll_at == LATER + timedelta(hours=1)


async def test_permanent_redirect_updates_the_url_unless_taken(store: Store) -> None:
    moved = await store.add_source(GUILD_A, "http://a.example/rss", "A", 1, now=NOW)
    updated = await store.record_poll_success(
        moved.id, NOW, etag=None, last_modified=None, next_poll_at=LATER, new_url="https://a.example/feed"
    )
    assert updated is not None and updated.url == "https://a.example/feed"
    other = await store.add_source(GUILD_A, "http://b.example/rss", "B", 1, now=NOW)
    kept = await store.record_poll_success(
        other.id, NOW, etag=None, last_modified=None, next_poll_at=LATER, new_url="https://a.example/feed"
    )
    assert kept is not None and kept.url == "http://b.example/rss"


async def test_failure_with_disable_reason_disables_and_waits_for_notice(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW)
    disabled = await store.record_poll_failure(
        source.id, NOW, "HTTP 410", next_poll_at=LATER, disable_reason="the feed is gone (HTTP 410)\nremove it"
    )
    assert disabled is not None and disabled.state == "disabled"
    assert disabled.disabled_reason == "the feed is gone (HTTP 410) remove it"
    assert await store.due_sources(LATER + timedelta(days=1)) == []
    assert [s.id for s in await store.disabled_unnotified_sources()] == [source.id]
    await store.mark_disabled_notified(source.id)
    assert await store.disabled_unnotified_sources() == []
    enabled = await store.set_source_state(GUILD_A, source.id, active=True, now=LATER)
    assert enabled is not None and enabled.is_active and enabled.consecutive_failures == 0
    assert enabled.disabled_reason is None and enabled.next_poll_at == LATER


async def test_poll_bookkeeping_for_a_removed_source_returns_none(store: Store) -> None:
    source = await store.add_source(GUILD_A, "https://a.example/rss", "A", 1, now=NOW)
    await store.remove_source(GUILD_A, source.id)
    assert await store.record_poll_success(source.id, NOW, etag=None, last_modified=None, next_poll_at=LATER) is None
    assert await store.record_poll_failure(source.id, NOW, "x", next_poll_at=LATER) is None
    assert await store.record_poll_not_modified(source.id, NOW, next_poll_at=LATER) is None
    assert await store.add_entries(source.id, [NewEntry("k", "t", None, None)], NOW) == []


async def test_sync_config_sources_upserts_without_touching_state(store: Store) -> None:
    [first] = await store.sync_config_sources([ConfigSource("NASA", "https://nasa.example/rss", 7)], now=NOW)
    assert first.guild_id == CONFIG_GUILD_ID and first.from_config
    await store.record_poll_success(first.id, NOW, etag='"e"', last_modified=None, next_poll_at=LATER)
    await store.record_poll_failure(first.id, LATER, "timeout", next_poll_at=LATER + timedelta(hours=1))
    await store.add_entries(first.id, [NewEntry("k", "t", None, None)], NOW)

    [again] = await store.sync_config_sources(
        [ConfigSource("NASA releases", "https://nasa.example/rss", 8, include_keywords=("moon",))], now=LATER
    )
    assert again.id == first.id
    assert (again.name, again.channel_id, again.include_keywords) == ("NASA releases", 8, ("moon",))
    assert (again.etag, again.consecutive_failures, again.next_poll_at) == ('"e"', 1, LATER + timedelta(hours=1))
    assert await store.has_any_entries(first.id)


async def test_config_sources_dropped_from_the_file_are_disabled_then_revived(store: Store) -> None:
    a, b = await store.sync_config_sources(
        [ConfigSource("A", "https://a.example/rss", 1), ConfigSource("B", "https://b.example/rss", 1)], now=NOW
    )
    guild_source = await store.add_source(GUILD_A, "https://c.example/rss", "C", 1, now=NOW)
    await store.sync_config_sources([ConfigSource("A", "https://a.example/rss", 1)], now=NOW)
    dropped = await store.get_source(b.id)
    assert dropped is not None and dropped.state == "disabled" and dropped.disabled_reason == REMOVED_FROM_CONFIG
    assert dropped.disabled_notified  # nobody to tell: the operator edited the file
    assert (await store.get_source(guild_source.id)).is_active  # type: ignore[union-attr]
    assert (await store.get_source(a.id)).is_active  # type: ignore[union-attr]

    await store.sync_config_sources([], now=NOW)
    assert not (await store.get_source(a.id)).is_active  # type: ignore[union-attr]

    [revived] = await store.sync_config_sources([ConfigSource("B", "https://b.example/rss", 1)], now=LATER)
    assert revived.id == b.id and revived.is_active and revived.next_poll_at == LATER


async def test_config_sync_gives_a_source_disabled_for_failing_another_try(store: Store) -> None:
    """The file is the operator's only lever on config sources: a restart retries them."""
    [source] = await store.sync_config_sources([ConfigSource("A", "https://a.example/rss", 1)], now=NOW)
    await store.record_poll_failure(source.id, NOW, "gone", next_poll_at=LATER, disable_reason="HTTP 410")
    disabled = await store.get_source(source.id)
    assert disabled is not None and disabled.state == "disabled"
    [again] = await store.sync_config_sources([ConfigSource("A", "https://a.example/rss", 1)], now=LATER)
    assert again.is_active and again.disabled_reason is None
    assert again.consecutive_failures == 0 and again.next_poll_at == LATER
