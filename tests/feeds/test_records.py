"""Parsed feed entries become the store's records (feeds.records), and the store keeps them as given."""

from __future__ import annotations

from datetime import UTC, datetime

from db import Store
from feeds.parse import FeedEntry
from feeds.records import new_entry

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_new_entry_from_a_parsed_feed_entry(store: Store) -> None:
    source = await store.add_source(111, "https://x.example/rss", "X", 10, now=NOW)
    parsed = FeedEntry("g", "https://x.example/1", "Title", None, "Teaser.", None, None, True)
    [entry] = await store.add_entries(source.id, [new_entry("g", parsed)], NOW)
    assert (entry.title, entry.url, entry.text, entry.is_teaser, entry.state) == (
        "Title", "https://x.example/1", "Teaser.", True, "pending"
    )
    skipped = new_entry("g2", parsed, state="skipped", skip_reason="backfill")
    assert (skipped.state, skipped.skip_reason) == ("skipped", "backfill")
    full = new_entry("h", FeedEntry("h", None, "T", None, "short", "Long content", None, False))
    assert full.text == "Long content" and full.state == "pending"
